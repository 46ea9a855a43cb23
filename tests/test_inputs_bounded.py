"""Bounded work on hostile files (issue 10, item 6): a 50 MB CSV, a 19 MB one full of errors, a
workbook whose dimension claims a million rows and 16,384 columns, one with 200,000 rows, one
that unpacks to 60 MB. Each is checked by ``ecopark check`` in a subprocess under a memory limit
(``resource.setrlimit``): it must stop with a message (exit 2, or 0 for the valid bomb), in
seconds, and peak memory must stay under a few hundred MB. The files are made by the tests."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import openpyxl
import pytest

from parkfiles import ROOT, nantong_copy, nantong_years, patch_sheet

pytestmark = pytest.mark.slow  # hostile files of tens of MB under memory limits (make test runs it)

#: The address-space limit of the subprocess [B]; the interpreter with ecopark and its imports
#: takes about 250 MB of it.
MEMORY_LIMIT = 1024 * 2**20
#: The peak resident memory allowed [MB]: the imports take about 90 MB.
PEAK_MB = 350
#: Wall time allowed, imports included [s] (a generous bound for a loaded machine).
SECONDS = 20

_RUN = """
import json, resource, sys, time, io, contextlib
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from ecopark.cli import main


def peak_mb():
    # VmHWM is this process's own peak; ru_maxrss keeps the parent's across fork and exec
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024


err = io.StringIO()
start = time.perf_counter()
with contextlib.redirect_stderr(err):
    status = main(["check", sys.argv[1]])
print(json.dumps({{
    "status": status,
    "seconds": time.perf_counter() - start,
    "peak_mb": peak_mb(),
    "err": err.getvalue(),
}}))
"""


def _check_bounded(folder) -> dict:
    """``ecopark check folder`` in a subprocess under :data:`MEMORY_LIMIT`; its outcome."""
    proc = subprocess.run(
        [sys.executable, "-c", _RUN.format(limit=MEMORY_LIMIT), str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        cwd=folder.parent,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stdout
    out = json.loads(proc.stdout.splitlines()[-1])
    assert out["seconds"] < SECONDS, out
    assert out["peak_mb"] < PEAK_MB, out
    return out


def _nantong_workbook(path, year=2021):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["item", "value", "unit", "note"])
    for item, (value, unit) in nantong_years()[year].items():
        ws.append([item, value, unit or None, None])
    wb.save(path)


@pytest.fixture
def folder(tmp_path):
    return nantong_copy(tmp_path)


def test_a_50_mb_csv_is_refused_unread(folder):
    line = "value_added,4906200,万元,\n".encode()
    with (folder / "2021.csv").open("wb") as f:
        f.write(b"item,value,unit,note\n")
        f.write(line * (50 * 2**20 // len(line)))
    out = _check_bounded(folder)
    assert out["status"] == 2
    assert "2021.csv: is 52 MB; a year file holds one row per item" in out["err"]
    assert out["err"].count("ecopark: error:") == 1


def test_a_19_mb_csv_of_bad_rows_stops_after_50_problems(folder):
    line = "nonsense,1,吨\n".encode()
    with (folder / "2021.csv").open("wb") as f:
        f.write(b"item,value,unit\n")
        f.write(line * (19 * 2**20 // len(line)))
    out = _check_bounded(folder)
    assert out["status"] == 2
    assert out["err"].count("ecopark: error:") == 51
    assert "line 52: stopped after 50 problems" in out["err"]


def test_a_workbook_claiming_a_million_rows_and_columns_is_read_as_it_is(folder):
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
    out = _check_bounded(folder)
    assert out["status"] == 0, out["err"]
    assert "2021.xlsx: read sheet 'Sheet' (the active sheet)" in out["err"]


def test_a_workbook_with_200000_rows_stops_at_the_row_cap(folder):
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
    out = _check_bounded(folder)
    assert out["status"] == 2
    assert "has more than 10,000 rows with values" in out["err"]


def test_a_workbook_that_unpacks_to_60_mb_is_refused_unopened(folder):
    (folder / "2021.csv").unlink()
    path = folder / "2021.xlsx"
    _nantong_workbook(path)
    patch_sheet(path, lambda xml: xml.replace("</sheetData>", " " * (60 * 2**20) + "</sheetData>"))
    assert path.stat().st_size < 2**20
    out = _check_bounded(folder)
    assert out["status"] == 2
    assert "unpacks to 63 MB" in out["err"] and "copy the data into a new workbook" in out["err"]
