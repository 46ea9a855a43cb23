"""The batch on real kernels: failures, time limits (1-1.5 s), retries, kernel reuse and death.

These start Jupyter kernels, so they are marked slow; the orchestration around them is tested
with a fake runner in test_batch_orchestration.py. nbformat is imported where it is used: its
import alone takes about 2 s, which the fast suite should not pay for tests it skips.
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import json
import os
from pathlib import Path
from types import SimpleNamespace
from typing import NamedTuple

import pytest

from ecopark.reports import batch
from ecopark.reports.batch import kernel
from ecopark.reports.batch.executors import InProcess
from ecopark.reports.batch.run import make_jobs
from reports_support import ROOT

DATA = ROOT / "data"


def _read(path: Path):
    import nbformat

    return nbformat.read(path, as_version=4)


def _notebook(tmp_path: Path, name: str, *sources: str) -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    params = new_code_cell('park_id = "nantong-etdz"\nyear = 2021\ndata_dir = "../data"')
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(
        cells=[params, *map(new_code_cell, sources)],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def _nantong_target():
    return batch.targets_for_park("nantong-etdz", [2021], DATA)


#: [s] per notebook: (cell limit, notebook limit); the others get LIMITS[None]. Both limits are
#: decimals (nbclient's own ``timeout`` takes whole seconds: 2.5 ran into a TraitError in every
#: notebook); a good cell (``print``) finishes well inside 1.5 s on a loaded 2-core machine.
LIMITS = {"slow_cell": (1.5, 30), "slow_notebook": (30, 1.5), None: (30, 30)}


def _limited(job: batch.Job) -> batch.JobResult:
    """The real runner, with each notebook's own limits (:data:`LIMITS`)."""
    cell, whole = LIMITS.get(job.notebook, LIMITS[None])
    return batch.run_job(dataclasses.replace(job, cell_timeout=cell, notebook_timeout=whole))


def _pid_cell(folder: Path, name: str) -> str:
    """A cell that records its kernel's process id in ``folder/name.pid``."""
    return f"import os, pathlib; pathlib.Path({str(folder)!r}, {name + '.pid'!r}).write_text(str(os.getpid()))"


def _pid_file(folder: Path, name: str) -> int:
    return int((folder / f"{name}.pid").read_text(encoding="utf-8"))


class LimitsRun(NamedTuple):
    """The shared batch of :func:`limits_run`."""

    outcomes: dict[str, batch.Outcome]  #: by notebook
    out: Path  #: the batch's out folder
    starts: int  #: kernel starts asked for (the failed first one included)
    slept: list[float]  #: [s] every ``asyncio.sleep`` of the batch
    pids: dict[str, int]  #: each notebook's kernel process, by notebook


#: limits_run's notebooks, in the order they run (equal weights: the order given).
LIMITS_ORDER = ("fine", "fails", "dies", "good2", "slow_notebook", "slow_cell")


@pytest.fixture(scope="module")
def limits_run(tmp_path_factory) -> LimitsRun:
    """One batch for the limits, the retry and the failures' kernels: six notebooks in this
    process, the first kernel start failing once as in a port race.

    "fine" runs in the kernel that started at the second attempt and keeps it for "fails",
    which discards it; "dies" kills its fresh kernel; "good2" runs in a fresh one and keeps it
    for "slow_notebook", so that its 1.5 s limit is not spent starting a kernel; the timeout
    discards it and "slow_cell" starts the last. Each notebook records its kernel's process id
    in a file (the good ones write no executed notebook).
    """
    import zmq
    from jupyter_client.manager import AsyncKernelManager

    real = AsyncKernelManager.start_kernel
    calls = []

    async def flaky(self, **kw):
        calls.append(1)
        if len(calls) == 1:
            raise zmq.ZMQError(98, "Address already in use")
        return await real(self, **kw)

    tmp_path = tmp_path_factory.mktemp("limits")
    pids = tmp_path / "pids"
    pids.mkdir()
    nbs = [
        _notebook(
            tmp_path, "fine", _pid_cell(pids, "fine"), "leftover = 1", "print(park_id, year)"
        ),
        _notebook(
            tmp_path,
            "fails",
            _pid_cell(pids, "fails"),
            "print('before the error')",
            "raise ValueError('数据有误 <b>')",
        ),
        _notebook(
            tmp_path,
            "dies",
            _pid_cell(pids, "dies"),
            "import os, signal; os.kill(os.getpid(), signal.SIGKILL)",
        ),
        _notebook(
            tmp_path,
            "good2",
            _pid_cell(pids, "good2"),
            "assert 'leftover' not in globals()",
            "print(f'year={year}')",
        ),
        _notebook(
            tmp_path,
            "slow_notebook",
            _pid_cell(pids, "slow_notebook"),
            "print('started')",
            *["import time; time.sleep(1)"] * 10,
        ),
        _notebook(
            tmp_path,
            "slow_cell",
            _pid_cell(pids, "slow_cell"),
            "print('started')",
            "import time; time.sleep(60)",
        ),
    ]
    out = tmp_path / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AsyncKernelManager, "start_kernel", flaky)
        slept = record_sleeps(patch)
        outcomes = batch.run_batch(
            _nantong_target(),
            nbs,
            out_dir=out,
            executor=InProcess(),
            progress=False,
            runner=_limited,
        )
    return LimitsRun(
        {o.notebook: o for o in outcomes},
        out,
        len(calls),
        slept,
        {name: _pid_file(pids, name) for name in LIMITS_ORDER},
    )


@pytest.mark.slow
def test_failing_cell_and_time_limits(limits_run):
    got, out = limits_run.outcomes, limits_run.out
    assert got["fine"].ok
    assert got["fails"].status == "failed" and "ValueError: 数据有误 <b>" in got["fails"].error
    # the decimal cell limit: the first cell ran in it, the second was stopped at 1.5 s
    assert got["slow_cell"].status == "timeout" and "单元格执行超过 1.5 s" in got["slow_cell"].error
    assert "TraitError" not in got["slow_cell"].error and got["slow_cell"].seconds < 8
    assert got["slow_notebook"].status == "timeout" and "1.5 s" in got["slow_notebook"].error
    assert "notebook timeout" in got["slow_notebook"].error
    assert got["slow_notebook"].seconds < 8
    # without keep_ipynb only the failed notebooks' executed notebooks are written (their log)
    for name in ("fine", "good2"):
        assert not (out / "nantong-etdz" / "2021" / f"{name}.ipynb").exists()
        assert (out / "nantong-etdz" / "2021" / f"{name}.html").is_file()
    for name in ("fails", "slow_cell", "slow_notebook"):
        nb = _read(out / "nantong-etdz" / "2021" / f"{name}.ipynb")
        printed = [o.get("text", "") for c in nb.cells for o in c.get("outputs", [])]
        assert any("before the error" in t or "started" in t for t in printed), name
        html = (out / "nantong-etdz" / "2021" / f"{name}.html").read_text(encoding="utf-8")
        assert "本报告生成失败" in html
    assert "数据有误 &lt;b&gt;" in (out / "nantong-etdz" / "2021" / "fails.html").read_text(
        encoding="utf-8"
    )
    with (out / "summary.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [(r["notebook"], r["status"]) for r in rows] == [
        ("fine", "ok"),
        ("fails", "failed"),
        ("dies", "failed"),
        ("good2", "ok"),
        ("slow_notebook", "timeout"),
        ("slow_cell", "timeout"),
    ]


@pytest.mark.slow
def test_kernel_start_failure_is_retried_once(limits_run):
    assert [(n, o.status, o.attempts) for n, o in limits_run.outcomes.items()] == [
        ("fine", "ok", 2),  # its first kernel failed to start
        ("fails", "failed", 1),
        ("dies", "failed", 1),
        ("good2", "ok", 1),
        ("slow_notebook", "timeout", 1),
        ("slow_cell", "timeout", 1),
    ]
    assert limits_run.starts == 5  # the failed one, then fine's, dies', good2's, slow_cell's


@pytest.mark.slow
def test_failed_notebook_discards_its_kernel_and_the_next_one_succeeds(limits_run):
    got, pids = limits_run.outcomes, limits_run.pids
    # the dead kernel was noticed within 0.1 s of its death, not at nbclient's 1 s poll
    assert max(limits_run.slept) <= kernel.DEAD_KERNEL_POLL == 0.1, sorted(set(limits_run.slept))
    assert [got[n].status for n in ("fine", "fails", "dies", "good2")] == [
        "ok",
        "failed",
        "failed",
        "ok",
    ]
    assert "DeadKernelError" in got["dies"].error
    html = (limits_run.out / "nantong-etdz" / "2021" / "good2.html").read_text(encoding="utf-8")
    assert "year=2021" in html  # its parameters were injected (the code says ``year={year}``)
    assert pids["fails"] == pids["fine"]  # the good notebook's kernel was kept for the failing one
    # each failure discarded its kernel; the good one after it kept its own for the next one
    assert pids["dies"] != pids["fails"] and pids["good2"] != pids["dies"]
    assert pids["slow_notebook"] == pids["good2"] and pids["slow_cell"] != pids["slow_notebook"]
    assert all(_gone(pid) for pid in pids.values())


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


PID = "import os; print('pid', os.getpid())"


def record_sleeps(monkeypatch) -> list[float]:
    """The delays [s] of every ``asyncio.sleep`` from now on (the kernels' polls), as a list."""
    slept = []
    real_sleep = asyncio.sleep

    async def sleep(delay, *args, **kwargs):
        slept.append(delay)
        return await real_sleep(delay, *args, **kwargs)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    return slept


#: Two notebooks run one after the other in a kept kernel: the first leaves a variable, a
#: figure, a mark on a module and a reference cycle; the second sees what is left of them.
CLEAN_NAMESPACE = {
    "sets": (
        PID,
        "secret = 42\nimport matplotlib.pyplot as plt\nfig = plt.figure()",
        "import sys; sys.modules['json'].ecopark_mark = 1",
        # a reference cycle, left for the reset to collect (builtins survive the reset)
        "import builtins, weakref\nclass Cycle: pass\n"
        "cycle = Cycle(); cycle.me = cycle; builtins.ecopark_cycle = weakref.ref(cycle)",
    ),
    "checks": (
        PID,
        "assert 'secret' not in globals() and 'fig' not in globals() and 'plt' not in globals()",
        "import matplotlib.pyplot as plt; assert plt.get_fignums() == [], plt.get_fignums()",
        "import json; print('module kept', json.ecopark_mark)",
        "print('history', len(In), In[1].splitlines()[0], len(Out))",
        "import builtins, gc; print('reset', builtins.ecopark_cycle(), gc.get_freeze_count() > 0)",
        # started without ipykernel's debugger, debugpy still importable, the launcher's path
        "import importlib.util, sys, ipykernel.debugger as d\n"
        "print('debugger', d._is_debugpy_available, 'debugpy' in sys.modules,"
        " importlib.util.find_spec('debugpy') is not None, sys.path.count(''), sys.path[0] != '')",
    ),
}


def _check_clean_namespace(nb) -> None:
    """What :data:`CLEAN_NAMESPACE`'s second notebook shows, run after the first in its kernel."""
    # a busy kernel may flush one print in several stream outputs
    printed = ["".join(o.get("text", "") for o in c.get("outputs", [])) for c in nb.cells]
    assert "module kept 1\n" in printed  # modules stay imported, the user namespace does not
    # only this notebook's first 7 cells in the input history (after the empty In[0]), no output kept
    assert 'history 8 park_id = "nantong-etdz" 0\n' in printed, printed
    # the last notebook's garbage was collected, and what was left frozen (gc.freeze)
    assert "reset None True\n" in printed, printed
    assert "debugger False False True 1 True\n" in printed, printed
    assert [c.execution_count for c in nb.cells] == [1, 2, 3, 4, 5, 6, 7, 8, 9]


@pytest.mark.slow
def test_kept_kernel_clean_namespace_death_and_reuse_limit(tmp_path, monkeypatch):
    """A kept kernel runs the next notebook in a clean namespace; a kept kernel that died, or
    that reached the reuse limit, is replaced by a fresh one; a ``--fresh-kernels`` job gets a
    kernel of its own; the kernel kept at the end of a batch is shut down by its executor."""
    path = _notebook(tmp_path, "pid", PID)
    nb = kernel.load_notebook(path.read_text(encoding="utf-8"))
    params = {"park_id": "nantong-etdz", "year": 2021, "data_dir": str(DATA)}

    def run(notebook=nb, check=None) -> int:
        got, status, error, _, cleanup = kernel.run_notebook(
            notebook, params, str(tmp_path), 30, 60, True
        )
        cleanup()
        assert (status, error) == ("ok", "")
        if check is not None:
            check(got)
        # a busy kernel may flush one print in several stream outputs ("pid", " 123\n")
        printed = ("".join(o.get("text", "") for o in c.outputs) for c in got.cells)
        return int(next(t for t in printed if t.startswith("pid ")).split()[1])

    def fresh() -> int:
        """A job of ``--fresh-kernels`` (``reuse_kernel`` off), run as a worker runs it."""
        (job,) = make_jobs(_nantong_target(), [path], 30, 60, reuse_kernel=False, keep_ipynb=True)
        assert not job.reuse_kernel
        got = batch.run_job(job)
        assert (got.outcome.status, got.outcome.error) == ("ok", "")
        cells = json.loads(got.ipynb)["cells"]
        printed = ("".join(o.get("text", "") for o in c["outputs"]) for c in cells)
        return int(next(t for t in printed if t.startswith("pid ")).split()[1])

    sets, checks = (
        kernel.load_notebook(_notebook(tmp_path, name, *cells).read_text(encoding="utf-8"))
        for name, cells in CLEAN_NAMESPACE.items()
    )
    try:
        first = run(sets)
        # kept: the same kernel process runs the next notebook, in a clean namespace
        assert run(checks, _check_clean_namespace) == first
        assert run() == first
        # --fresh-kernels: a kernel of the job's own, ended with it; the kept one waits on
        alone = fresh()
        assert alone != first and _gone(alone) and not _gone(first)
        assert run() == first
        kernel._kill(kernel._kept[0].km)  # dies while waiting for its next notebook
        second = run()
        assert second != first and _gone(first)
        monkeypatch.setattr(kernel, "KERNEL_REUSE_LIMIT", 2)  # ran 1 notebook: kept once more
        assert run() == second
        third = run()
        assert third != second and _gone(second)
        polls = record_sleeps(monkeypatch)  # while the kept kernel is shut down
        # the end of a batch in this process (run_batch's InProcess executor) shuts it down
        assert list(InProcess()(batch.run_job, [])) == []
        assert kernel._kept == [] and _gone(third)
    finally:
        kernel.close_kernel()
    # killed and reaped at once, not polled every 0.1 s (jupyter_client's own 0.01 s is left)
    assert [d for d in polls if d >= 0.1] == [], polls


def test_start_failure_classification():
    import zmq

    empty = SimpleNamespace(cells=[{"cell_type": "code", "execution_count": None}])
    assert kernel._is_start_failure(zmq.ZMQError(98, "Address already in use"), None)
    assert kernel._is_start_failure(RuntimeError("Kernel didn't respond in 60 seconds"), empty)
    assert kernel._is_start_failure(
        RuntimeError("Kernel died before replying to kernel_info"), empty
    )
    ran = SimpleNamespace(cells=[{"cell_type": "code", "execution_count": 1}])
    assert not kernel._is_start_failure(RuntimeError("something else"), ran)
    assert not kernel._is_start_failure(ValueError("bad"), empty)
