"""The batch's orchestration: targets and notebooks in, reports, summary and index out.

:func:`run_batch` reads each park once, turns every runnable park-year and notebook into a
:class:`~ecopark.reports.batch.job.Job`, hands the jobs to an executor with a runner (both
replaceable: tests pass a fake runner that returns canned results), writes each result's
notebook and HTML as it comes, and ends with ``summary.csv`` and ``index.html``.
"""

from __future__ import annotations

import datetime as _dt
import sys
from collections.abc import Callable
from pathlib import Path

from ecopark.io.atomic import write_bytes
from ecopark.reports.batch.executors import Executor, LocalPool
from ecopark.reports.batch.index import report_path, write_index, write_summary
from ecopark.reports.batch.job import Job, Outcome, Runner, run_job
from ecopark.reports.batch.targets import Target, describe, judge, read_parks
from ecopark.reports.catalog import notebook_weight
from ecopark.reports.html import report_heading

DEFAULT_CELL_TIMEOUT = 300.0
DEFAULT_NOTEBOOK_TIMEOUT = 900.0


def _data_files(park_dir: Path) -> dict[str, bytes]:
    root = park_dir.parent
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(park_dir.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def make_jobs(
    targets: list[Target],
    notebooks: list[Path],
    cell_timeout: float | None,
    notebook_timeout: float | None,
    ship_data: bool = False,
    reuse_kernel: bool = False,
) -> list[Job]:
    """One job per runnable target and notebook, heaviest notebooks first.

    Parameters
    ----------
    targets : list of Target
        Described targets (:func:`~ecopark.reports.batch.targets.describe`); the others are
        skipped.
    notebooks : list of Path
        The notebooks to run.
    cell_timeout, notebook_timeout : float, optional
        Limits [s] per cell and per notebook.
    ship_data : bool
        Put each park's data files in its jobs (for workers on other machines).
    reuse_kernel : bool
        Let each worker run its successive notebooks in one kept kernel.
    """
    texts = {nb: nb.read_text(encoding="utf-8") for nb in notebooks}
    generated = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    data_by_park: dict[Path, dict[str, bytes]] = {}  # read once, whatever the years
    jobs = []
    for t in targets:
        if not t.runnable:
            continue
        py = t.park_year
        assert py is not None
        data = None
        if ship_data:
            if py.park_dir not in data_by_park:
                data_by_park[py.park_dir] = _data_files(py.park_dir)
            data = data_by_park[py.park_dir]
        for nb in notebooks:
            jobs.append(
                Job(
                    park=py.park_id,
                    year=py.year,
                    notebook=nb.stem,
                    notebook_json=texts[nb],
                    parameters=py.parameters(),
                    cwd=str(nb.parent),
                    cell_timeout=cell_timeout,
                    notebook_timeout=notebook_timeout,
                    heading=report_heading(t.name or py.park_id, py.year, nb.stem),
                    sources=tuple(t.sources),
                    generated=generated,
                    data_files=data,
                    reuse_kernel=reuse_kernel,
                )
            )
    # Longest first, so that no worker is left alone with a long notebook at the end.
    jobs.sort(key=lambda job: -notebook_weight(job.notebook))
    return jobs


def run_batch(
    targets: list[Target],
    notebooks: list[Path],
    out_dir: Path | str = "reports",
    executor: Executor | None = None,
    cell_timeout: float | None = DEFAULT_CELL_TIMEOUT,
    notebook_timeout: float | None = DEFAULT_NOTEBOOK_TIMEOUT,
    progress: bool | None = None,
    on_result: Callable[[Outcome], None] | None = None,
    fresh_kernels: bool = False,
    runner: Runner = run_job,
) -> list[Outcome]:
    """Execute every notebook for every target and write the reports, the summary and the index.

    Parameters
    ----------
    targets : list of Target
        From :func:`~ecopark.reports.batch.targets.targets_from_params` or
        :func:`~ecopark.reports.batch.targets.targets_for_park`; invalid ones are reported as
        failed without running. Their name, sources, verdict and outcomes are filled in.
    notebooks : list of Path
        The notebooks to run (:func:`~ecopark.reports.batch.targets.resolve_notebooks`).
    out_dir : path
        Where ``<park>/<year>/<notebook>.ipynb|.html``, ``summary.csv`` and ``index.html`` go.
    executor : Executor, optional
        Where the jobs run (:mod:`ecopark.reports.batch.executors`); default a local process
        pool with one worker per CPU (:class:`~ecopark.reports.batch.executors.LocalPool`).
    cell_timeout, notebook_timeout : float, optional
        Limits [s] per cell and per notebook (wall clock, kernel start included).
    progress : bool, optional
        Show a progress bar; default: only when stderr is a terminal.
    on_result : callable, optional
        Called with each notebook's :class:`Outcome` as it comes in.
    fresh_kernels : bool
        Start a new kernel for every notebook (strict isolation). By default each worker keeps
        one kernel and runs its successive notebooks in it, after resetting the user namespace
        (no variable, open figure or execution count survives; imported modules and their state,
        such as matplotlib's settings, do); a kernel whose notebook failed, timed out or died is
        discarded, and the next notebook gets a fresh one. Remote jobs (Dask) always get a
        fresh one.
    runner : callable
        Runs one job (default :func:`~ecopark.reports.batch.job.run_job`: papermill and HTML).

    Returns
    -------
    list of Outcome
        One per notebook run, plus one per invalid target.
    """
    out_dir = Path(out_dir)
    if executor is None:
        executor = LocalPool()
    parks = read_parks(targets)
    for t in targets:
        if t.runnable:
            describe(t, parks[t.park_year.park_dir])
    jobs = make_jobs(
        targets,
        notebooks,
        cell_timeout,
        notebook_timeout,
        ship_data=executor.remote,
        reuse_kernel=not fresh_kernels and not executor.remote,
    )
    by_key = {(t.park_year.park_id, t.park_year.year): t for t in targets if t.runnable}
    outcomes: list[Outcome] = []
    for t in targets:
        if t.error:
            o = Outcome(park=t.park, year=t.year, notebook="", status="failed", error=t.error)
            t.outcomes.append(o)
            outcomes.append(o)
    if progress is None:
        progress = sys.stderr.isatty()
    results = executor(runner, jobs)
    for t in targets:  # while the workers run
        if t.runnable:
            judge(t, parks[t.park_year.park_dir])
    from tqdm import tqdm

    with tqdm(
        total=len(jobs), disable=not progress, unit="nb", desc="ecopark run", file=sys.stderr
    ) as bar:
        for res in results:
            o = res.outcome
            if res.ipynb is not None:
                write_bytes(report_path(out_dir, o.park, o.year, o.notebook, ".ipynb"), res.ipynb)
            if res.html is not None:
                write_bytes(report_path(out_dir, o.park, o.year, o.notebook, ".html"), res.html)
            by_key[(o.park, o.year)].outcomes.append(o)
            outcomes.append(o)
            if on_result is not None:
                on_result(o)
            bar.update(1)
    order = {nb.stem: i for i, nb in enumerate(notebooks)}
    for t in targets:
        t.outcomes.sort(key=lambda o: order.get(o.notebook, -1))
    write_summary(out_dir / "summary.csv", _sorted(outcomes, targets, order))
    write_index(out_dir / "index.html", targets, out_dir)
    return outcomes


def _sorted(outcomes: list[Outcome], targets: list[Target], order: dict[str, int]) -> list[Outcome]:
    """The outcomes in the order of the targets, then of the notebooks."""
    rank = {id(t): i for i, t in enumerate(targets)}
    pos = {id(o): rank[id(t)] for t in targets for o in t.outcomes}
    return sorted(outcomes, key=lambda o: (pos.get(id(o), 0), order.get(o.notebook, -1)))
