"""Soak: park-years with faults injected, twice, on two workers with real kernels.

Five parks (copies of the example park) times two years (2022-2023; eight, 2016-2023, under
``ECOPARK_THOROUGH=1``, see tests/thorough.py), one tiny notebook that reads the park-year with
ecopark and prints a figure from it. Injected, each in its own park-year of four parks: a
notebook that raises, a cell that runs past its limit (2022), a kernel killed mid-notebook, a
broken year file (2023); the two years hold every fault, every faulty park has a good year too,
and good park-years follow the faults on the same workers. The slow park comes first: its cell
waits out the limit while the other worker runs most of the other park-years.
Every good report is written and shows the right figure, every bad one is marked with its cause,
and no process is left. A second batch in the same process, over the park-years that were good
(each fault's park among them), gives the same summary rows: nothing the faults did (a killed
kernel, a timeout, a discarded worker kernel) is left to change a later batch. It runs only the
good park-years because the faults' own rows are checked in full on the first run and a fault
costs a fresh kernel (and the slow one a 4 s wait) for no new check.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest

from ecopark.io.park import load_park
from ecopark.reports import batch
from safety_support import descendants, partial_files, tiny_notebook, wait_gone
from thorough import size

ROOT = Path(__file__).resolve().parent.parent
#: The years of each park: 2022-2023 hold every fault (:data:`FAULTS`); 2016-2021 in full.
YEARS = range(2024 - size(8, 2), 2024)
PARKS = ("soak-slow", "soak-good", "soak-raise", "soak-kill", "soak-broken")
CODE = """\
import json, os, time
if park_id == "soak-raise" and year == 2022:
    raise RuntimeError("injected failure")
if park_id == "soak-kill" and year == 2023:
    os.kill(os.getpid(), 9)
if park_id == "soak-slow" and year == 2022:
    time.sleep(60)
from ecopark.io.park import load_park
values = load_park(f"{data_dir}/{park_id}").values(year)
print(json.dumps({"park": park_id, "year": year, "output": values["industrial_output"]}))
"""
#: (park, year) -> (status, what the error says)
FAULTS = {
    ("soak-raise", 2022): ("failed", "RuntimeError: injected failure"),
    ("soak-kill", 2023): ("failed", "DeadKernelError"),
    ("soak-slow", 2022): ("timeout", "单元格执行超过 4 s 的时限"),
    ("soak-broken", 2023): ("failed", "2023.csv, line 2, item 'no_such_item'"),
}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def soak(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("soak")
    data = root / "data"
    for park in PARKS:
        shutil.copytree(ROOT / "data" / "example-park", data / park)
        yaml_path = data / park / "park.yaml"
        text = yaml_path.read_text(encoding="utf-8").replace("id: example-park", f"id: {park}")
        yaml_path.write_text(text, encoding="utf-8")
    (data / "soak-broken" / "2023.csv").write_text(
        "item,value,unit\nno_such_item,12,万元\n", encoding="utf-8"
    )
    return data, tiny_notebook(root / "soak.ipynb", CODE)


def _run(data: Path, notebook: Path, out: Path, only: set | None = None) -> list[dict]:
    """The batch over every park-year (or those of ``only``: (park, year)); its summary rows."""
    targets = [t for park in PARKS for t in batch.targets_for_park(park, list(YEARS), data)]
    assert len(targets) == len(PARKS) * len(YEARS)
    if only is not None:
        targets = [t for t in targets if (t.park, t.year) in only]
    batch.run_batch(
        targets,
        [notebook],
        out,
        executor=batch.LocalPool(2),
        cell_timeout=4,  # a good cell takes ≈ 0.6 s on a loaded 2-core machine: room for a busier one
        notebook_timeout=30,
        progress=False,
        keep_ipynb=True,
    )
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _printed(ipynb: Path) -> dict:
    nb = json.loads(ipynb.read_text(encoding="utf-8"))
    text = "".join(
        "".join(o.get("text", ""))
        for c in nb["cells"]
        for o in c.get("outputs", [])
        if o.get("output_type") == "stream"
    )
    return json.loads(text)


def test_soak_park_years_with_faults(soak, tmp_path):
    data, notebook = soak
    before = descendants(os.getpid())
    rows = _run(data, notebook, tmp_path / "one")
    left = descendants(os.getpid()) - before
    assert wait_gone(left, 10) == set(), "processes left after the batch"
    assert len(rows) == len(PARKS) * len(YEARS)
    assert {(r["park"], int(r["year"])) for r in rows} >= set(FAULTS)
    for row in rows:
        key = (row["park"], int(row["year"]))
        report = tmp_path / "one" / row["park"] / row["year"] / "soak"
        if key in FAULTS:
            status, cause = FAULTS[key]
            assert (row["status"], cause in row["error"]) == (status, True), row
            continue
        assert row["status"] == "ok", row
        want = load_park(data / row["park"]).values(int(row["year"]))["industrial_output"]
        assert _printed(report.with_suffix(".ipynb")) == {
            "park": row["park"],
            "year": int(row["year"]),
            "output": want,
        }
        assert report.with_suffix(".html").is_file()
    assert partial_files(tmp_path / "one") == []
    # after the faults, a second batch over the good park-years: the same rows (but the time)
    good = [r for r in rows if r["status"] == "ok"]
    assert {r["park"] for r in good} == set(PARKS)
    again = _run(data, notebook, tmp_path / "two", {(r["park"], int(r["year"])) for r in good})
    assert [{**r, "seconds": ""} for r in again] == [{**r, "seconds": ""} for r in good]
    assert partial_files(tmp_path / "two") == []
    assert wait_gone(descendants(os.getpid()) - before, 10) == set()
