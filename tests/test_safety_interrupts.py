"""Clean interrupts: Ctrl-C, SIGTERM and SIGKILL of ``ecopark run`` leave nothing running.

Each test starts a batch on two workers in its own session (``start_new_session``) over three
park-years of a tiny notebook that returns at once for 2019 and sleeps for 2020 and 2021
(marking a file first): one worker's fresh kernel sleeps in 2020, the other's kept kernel, reset
after 2019, in 2021. It waits until 2019's report is written and both kernels sleep, interrupts
the batch, and checks that every process of the batch's tree is gone, the finished report stays,
the others are marked ``interrupted`` and no file is half-written.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from safety_support import descendants, partial_files, tiny_notebook, wait_gone

ROOT = Path(__file__).resolve().parent.parent
YEARS = (2019, 2020, 2021)

pytestmark = pytest.mark.slow


def _start(tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    # 2020 and 2021 mark that their kernel is in the cell, then sleep
    code = "import pathlib, time\nif year >= 2020:\n"
    code += f"    pathlib.Path({str(tmp_path)!r}, f'sleeping-{{year}}').touch()\n"
    code += "    time.sleep(120)"
    nb = tiny_notebook(tmp_path / "sleepy.ipynb", code)
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "ecopark", "run", "--park", "example-park", "--years"]
    argv += ["2019-2021", "--data-dir", str(ROOT / "data"), "--notebooks", str(nb)]
    argv += ["-j", "2", "--out", str(out)]
    proc = subprocess.Popen(
        argv,
        cwd=tmp_path,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    return proc, out


def _report(out: Path, year: int) -> Path:
    return out / "example-park" / str(year) / "sleepy.html"


def _wait_running(proc: subprocess.Popen, out: Path) -> set[int]:
    """Wait until 2019 is written and two kernels sleep; return the process tree."""
    deadline = time.monotonic() + 60
    sleeping = [out.parent / f"sleeping-{y}" for y in YEARS[1:]]
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        written = _report(out, YEARS[0]).is_file()
        if written and all(p.is_file() for p in sleeping):  # the kernels are in their cells
            tree = descendants(proc.pid)
            # two workers, each with its kernel (the kernels lead their own sessions)
            if len(tree) >= 4:
                return tree
        time.sleep(0.1)
    state = {
        "written": _report(out, YEARS[0]).is_file(),
        "sleeping": [p.name for p in sleeping if p.is_file()],
        "processes": len(descendants(proc.pid)),
        "files": sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()),
    }
    proc.kill()
    raise AssertionError(
        f"the batch did not reach the sleeping notebooks: {state}, {proc.communicate()}"
    )


def _summary(out: Path) -> dict[int, dict]:
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as f:
        return {int(r["year"]): r for r in csv.DictReader(f)}


@pytest.mark.parametrize(
    ("how", "status", "name"),
    [("ctrl-c", 130, "SIGINT"), ("sigterm", 143, "SIGTERM")],
)
def test_interrupt_stops_everything_keeps_the_finished_reports(tmp_path, how, status, name):
    proc, out = _start(tmp_path)
    tree = _wait_running(proc, out)
    start = time.monotonic()
    if how == "ctrl-c":  # the terminal sends SIGINT to the whole foreground process group
        os.killpg(proc.pid, signal.SIGINT)
    else:
        os.kill(proc.pid, signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=30)
    assert time.monotonic() - start < 8, "the batch took too long to stop"
    assert proc.returncode == status, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and f"interrupted by {name}" in lines[0], stderr
    assert "1 of 3 notebook report(s) written, 2 marked interrupted" in lines[0]
    assert "Traceback" not in stderr + stdout
    assert wait_gone(tree, 5) == set(), "processes of the batch survived"
    summary = _summary(out)
    assert [summary[y]["status"] for y in YEARS] == ["ok", "interrupted", "interrupted"]
    assert summary[2020]["error"] == summary[2021]["error"] == f"未完成：interrupted by {name}"
    assert _report(out, YEARS[0]).is_file()
    assert not any(_report(out, y).exists() for y in YEARS[1:])
    assert partial_files(out) == []
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count('<span class="failed">（中断）</span>') == 2
    assert index.count("未完成：运行被中断") == 2


def test_sigkill_of_the_parent_ends_workers_and_kernels_on_their_own(tmp_path):
    proc, out = _start(tmp_path)
    tree = _wait_running(proc, out)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=10)
    assert wait_gone(tree, 10) == set(), "workers or kernels outlived their parent"
    assert partial_files(out) == []
    assert _report(out, YEARS[0]).is_file()
