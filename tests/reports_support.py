"""One batch run of the report notebooks, shared by the notebook, batch and HTML tests.

`ecopark run` (the CLI, in a subprocess) over: Nantong 2021, two example-park years, a copy of
Nantong whose note and source hold ``<script>alert(1)</script>``, and one broken params file.
It runs once per test session, whichever test asks first.
"""

from __future__ import annotations

import atexit
import csv
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ecopark.reports.catalog import DEFAULT_NOTEBOOKS

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
NOTEBOOKS = DEFAULT_NOTEBOOKS
EXAMPLE_YEARS = (2019, 2023)
SCRIPT = "<script>alert(1)</script>"
XSS_PARK = "xss-park"


@dataclass(frozen=True)
class BatchRun:
    out: Path
    data: Path
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    summary: list[dict]

    def report(self, park: str, year: int, notebook: str, suffix: str = ".html") -> Path:
        return self.out / park / str(year) / f"{notebook}{suffix}"


def good_park_years() -> list[tuple[str, int]]:
    """The park-years the session run must report on successfully."""
    out = [("nantong-etdz", 2021)]
    if (DATA / "example-park" / "park.yaml").is_file():
        out += [("example-park", y) for y in EXAMPLE_YEARS]
    return out + [(XSS_PARK, 2021)]


def make_xss_park(data: Path) -> Path:
    """A copy of Nantong under ``data/xss-park`` with ``<script>`` in a note and in the source."""
    park = data / XSS_PARK
    shutil.copytree(DATA / "nantong-etdz", park)
    yaml_text = (park / "park.yaml").read_text(encoding="utf-8")
    yaml_text = yaml_text.replace("id: nantong-etdz", f"id: {XSS_PARK}")
    yaml_text = yaml_text.replace("\nsource: ", f"\nsource: {SCRIPT} ")
    (park / "park.yaml").write_text(yaml_text, encoding="utf-8")
    year = park / "2021.csv"
    lines = year.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + f",注释 {SCRIPT} 结束"
    year.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return park


@functools.cache
def batch_run() -> BatchRun:
    """Run `ecopark run` once for the session and return where and how it went."""
    tmp = Path(tempfile.mkdtemp(prefix="ecopark-batch-test-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    data = tmp / "data"
    data.mkdir()
    for name in ("nantong-etdz", "example-park"):
        if (DATA / name).is_dir():
            (data / name).symlink_to(DATA / name)
    make_xss_park(data)
    params = tmp / "params"
    params.mkdir()
    for park, year in good_park_years():
        (params / f"{park}-{year}.yaml").write_text(
            f"park_id: {park}\nyear: {year}\ndata_dir: ../data\n", encoding="utf-8"
        )
    (params / "zz-broken.yaml").write_text(
        "park_id: nantong-etdz\nyear: twenty-one\n", encoding="utf-8"
    )
    out = tmp / "reports"
    env = dict(os.environ, MPLBACKEND="module://matplotlib_inline.backend_inline")
    env.pop("MPLBACKEND")
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ecopark.cli",
            "run",
            str(params),
            "--out",
            str(out),
            "--cell-timeout",
            "120",
            "--notebook-timeout",
            "300",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    seconds = time.perf_counter() - start
    summary_path = out / "summary.csv"
    summary = []
    if summary_path.is_file():
        with summary_path.open(encoding="utf-8-sig", newline="") as f:
            summary = list(csv.DictReader(f))
    return BatchRun(out, data, proc.returncode, proc.stdout, proc.stderr, seconds, summary)
