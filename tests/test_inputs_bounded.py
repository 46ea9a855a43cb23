"""Bounded work on hostile files (issue 10, item 6): a 50 MB CSV, a 19 MB one full of errors, a
workbook whose dimension claims a million rows and 16,384 columns, one with 200,000 rows, one
that unpacks to 60 MB. Each is checked by ``ecopark check`` under a memory limit
(``resource.setrlimit``): it must stop with a message (exit 2, or 0 for the valid bomb), in
seconds, and peak memory must stay under a few hundred MB. The files are made by the tests'
makers; one subprocess (:func:`checked`, for the module) checks them one after the other, its
peak memory reset before each (``/proc/self/clear_refs``), so each file's peak and time are its
own, and each later file has less of the limit left, not more."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from parkfiles import ROOT, nantong_copy, nantong_years, patch_sheet
from reports_support import once_per_run

pytestmark = pytest.mark.slow  # hostile files of tens of MB under memory limits (make test runs it)

#: The address-space limit of the subprocess [B]; the interpreter with ecopark and its imports
#: takes about 250 MB of it.
MEMORY_LIMIT = 1024 * 2**20
#: The peak resident memory allowed [MB]: the imports take about 90 MB.
PEAK_MB = 350
#: Wall time allowed, imports included [s] (a generous bound for a loaded machine).
SECONDS = 20

_RUN = """
import json, os, resource, sys, time, io, contextlib
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from ecopark.cli import main


def peak_mb():
    # VmHWM is this process's own peak; ru_maxrss keeps the parent's across fork and exec
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024


for folder in sys.argv[1:]:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # the peak (VmHWM) starts again from what is resident now
    os.chdir(os.path.dirname(folder))
    err = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stderr(err):
        status = main(["check", folder])
    print(json.dumps({{
        "folder": folder,
        "status": status,
        "seconds": time.perf_counter() - start,
        "peak_mb": peak_mb(),
        "err": err.getvalue(),
    }}), flush=True)
"""


def _check_bounded(folders: list) -> dict[str, dict]:
    """``ecopark check`` on each folder, in turn, in one subprocess under :data:`MEMORY_LIMIT`;
    each one's outcome, by the folder's path."""
    proc = subprocess.run(
        [sys.executable, "-c", _RUN.format(limit=MEMORY_LIMIT), *map(str, folders)],
        capture_output=True,
        text=True,
        timeout=240,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stdout
    outs = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert [o["folder"] for o in outs] == list(map(str, folders))
    for out in outs:
        assert out["seconds"] < SECONDS, out
        assert out["peak_mb"] < PEAK_MB, out
    return {o["folder"]: o for o in outs}


def _nantong_workbook(path, year=2021):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["item", "value", "unit", "note"])
    for item, (value, unit) in nantong_years()[year].items():
        ws.append([item, value, unit or None, None])
    wb.save(path)


def _csv_of_50_mb(folder):
    line = "value_added,4906200,万元,\n".encode()
    with (folder / "2021.csv").open("wb") as f:
        f.write(b"item,value,unit,note\n")
        f.write(line * (50 * 2**20 // len(line)))


def _csv_of_19_mb_bad_rows(folder):
    line = "nonsense,1,吨\n".encode()
    with (folder / "2021.csv").open("wb") as f:
        f.write(b"item,value,unit\n")
        f.write(line * (19 * 2**20 // len(line)))


def _workbook_claiming_a_million_rows(folder):
    (folder / "2021.csv").unlink()
    path = folder / "2021.xlsx"
    _nantong_workbook(path)
    patch_sheet(
        path,
        lambda xml: xml.replace(
            '<dimension ref="A1:D37"/>', '<dimension ref="A1:XFD1048576" />'
        ).replace(
            "</sheetData>",
            '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>end</t></is></c></row>'
            "</sheetData>",
        ),
    )
    assert 'ref="A1:XFD1048576"' in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()


def _workbook_of_200000_rows(folder):
    (folder / "2021.csv").unlink()
    path = folder / "2021.xlsx"
    _nantong_workbook(path)
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>cod</t></is></c>'
        f'<c r="B{n}"><v>{n}</v></c></row>'
        for n in range(100, 200_100)
    )
    patch_sheet(path, lambda xml: xml.replace("</sheetData>", rows + "</sheetData>"))
    assert path.stat().st_size < 5 * 2**20


def _workbook_unpacking_to_60_mb(folder):
    (folder / "2021.csv").unlink()
    path = folder / "2021.xlsx"
    _nantong_workbook(path)
    patch_sheet(path, lambda xml: xml.replace("</sheetData>", " " * (60 * 2**20) + "</sheetData>"))
    assert path.stat().st_size < 2**20


#: Each hostile park folder's maker (it changes a copy of Nantong), by name.
MAKERS = {
    "csv-50-mb": _csv_of_50_mb,
    "csv-19-mb-bad-rows": _csv_of_19_mb_bad_rows,
    "workbook-million-rows": _workbook_claiming_a_million_rows,
    "workbook-200000-rows": _workbook_of_200000_rows,
    "workbook-60-mb-unpacked": _workbook_unpacking_to_60_mb,
}


@pytest.fixture(scope="module")
def checked() -> dict[str, dict]:
    """Every hostile folder of :data:`MAKERS` made, then checked in one subprocess: the outcome
    of each (status, seconds, peak_mb, err), by name.

    Once for the test run: under pytest-xdist the first worker to ask makes and checks them
    (holding a lock in the run's shared folder) and records the outcomes there; a worker that
    got some of these tests too reads the record.
    """
    return once_per_run("inputs-bounded", _make_and_check)


def _make_and_check(folder: Path) -> dict[str, dict]:
    folders = {}
    for name, make in MAKERS.items():
        folders[name] = nantong_copy(folder / name)
        make(folders[name])
    outs = _check_bounded(list(folders.values()))
    got = {name: outs[str(path)] for name, path in folders.items()}
    for name in folders:  # tens of MB each: only the outcomes are kept
        shutil.rmtree(folder / name)
    return got


def test_a_50_mb_csv_is_refused_unread(checked):
    out = checked["csv-50-mb"]
    assert out["status"] == 2
    assert "2021.csv: is 52 MB; a year file holds one row per item" in out["err"]
    assert out["err"].count("ecopark: error:") == 1


def test_a_19_mb_csv_of_bad_rows_stops_after_50_problems(checked):
    out = checked["csv-19-mb-bad-rows"]
    assert out["status"] == 2
    assert out["err"].count("ecopark: error:") == 51
    assert "line 52: stopped after 50 problems" in out["err"]


def test_a_workbook_claiming_a_million_rows_and_columns_is_read_as_it_is(checked):
    out = checked["workbook-million-rows"]
    assert out["status"] == 0, out["err"]
    assert "2021.xlsx: read sheet 'Sheet' (the active sheet)" in out["err"]


def test_a_workbook_with_200000_rows_stops_at_the_row_cap(checked):
    out = checked["workbook-200000-rows"]
    assert out["status"] == 2
    assert "has more than 10,000 rows with values" in out["err"]


def test_a_workbook_that_unpacks_to_60_mb_is_refused_unopened(checked):
    out = checked["workbook-60-mb-unpacked"]
    assert out["status"] == 2
    assert "unpacks to 63 MB" in out["err"] and "copy the data into a new workbook" in out["err"]
