"""The batch's orchestration: targets and notebooks in, reports, summary and index out.

:func:`run_batch` reads each park once, turns every runnable park-year and notebook into a
:class:`~ecopark.reports.batch.job.Job`, hands the jobs to an executor with a runner (both
replaceable: tests pass a fake runner that returns canned results), writes each result's
notebook and HTML as it comes, and ends with ``summary.csv`` and ``index.html``.

Nothing is lost and nothing is left running:

- ``--out`` is checked (a folder that is writable, or can be made) before any notebook runs;
- every file is written atomically, only inside ``out_dir`` and never onto a file the batch
  read (a notebook, a park's data file);
- SIGINT (Ctrl-C) or SIGTERM, or an output that cannot be written (a full disk), stops the
  batch at once: the workers and kernels are ended, the reports already written stay, the
  unfinished notebooks are marked ``interrupted`` in ``summary.csv`` and the index, and
  :class:`BatchStopped` says why (in one line) and with which exit status.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecopark.errors import InputError, Problem, display_path
from ecopark.io.atomic import refuse_inputs, write_bytes
from ecopark.io.confine import inside
from ecopark.reports.batch.executors import Executor, LocalPool
from ecopark.reports.batch.index import output_path, warm_up_index, write_index, write_summary
from ecopark.reports.batch.job import Job, JobResult, Outcome, Runner, run_job
from ecopark.reports.batch.kernel import kill_kernels
from ecopark.reports.batch.limits import DEFAULT_CELL_TIMEOUT, DEFAULT_NOTEBOOK_TIMEOUT
from ecopark.reports.batch.targets import (
    Target,
    describe,
    judge,
    portfolio_targets,
    read_parks,
)
from ecopark.reports.catalog import notebook_title, notebook_weight
from ecopark.reports.documents import DOCUMENTS_WEIGHT
from ecopark.reports.html import report_heading
from ecopark.reports.pdf import find_browser, print_pdf

if TYPE_CHECKING:
    from ecopark.io.park import Park

#: The status of a notebook that the batch stopped before it ended.
INTERRUPTED = "interrupted"
SIGNAL_NAMES = {signal.SIGINT: "SIGINT", signal.SIGTERM: "SIGTERM"}


class BatchStopped(Exception):
    """The batch stopped before its end; what was written is in ``summary.csv`` and the index.

    Attributes
    ----------
    message : str
        One line for the terminal.
    status : int
        The exit status: 130 (SIGINT), 143 (SIGTERM), 2 (an output could not be written).
    outcomes : list of Outcome
        Every notebook's outcome, the unfinished ones ``interrupted``.
    """

    def __init__(self, message: str, status: int, outcomes: list[Outcome]) -> None:
        super().__init__(message)
        self.message, self.status, self.outcomes = message, status, outcomes


class _Signalled(KeyboardInterrupt):
    """Raised in the main thread by the first SIGINT or SIGTERM of a batch."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _Signals:
    """SIGINT and SIGTERM during a batch: the first raises :class:`_Signalled` while ``armed``;
    any other is only noted (``signum``), so that the stopping and the summary are not cut short.
    """

    def __init__(self) -> None:
        self.signum: int | None = None
        self.armed = True

    def handler(self, signum: int, frame: object) -> None:
        if self.signum is None:
            self.signum = signum
        if self.armed:
            self.armed = False
            raise _Signalled(signum)

    @contextlib.contextmanager
    def installed(self) -> Iterator[_Signals]:
        """Handle the signals while the block runs (in the main thread only)."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        old = {s: signal.signal(s, self.handler) for s in SIGNAL_NAMES}
        try:
            yield self
        finally:
            for s, h in old.items():
                signal.signal(s, h)


class _WriteFailed(Exception):
    """A report file not written: outside ``--out`` or onto an input (``stop`` False), or
    the write failed, e.g. on a full disk (``stop`` True: the batch ends)."""

    def __init__(self, path: Path, reason: str, stop: bool) -> None:
        super().__init__(f"{path}: {reason}")
        self.path, self.reason, self.stop = path, reason, stop


def check_out_dir(out_dir: Path) -> None:
    """Make sure ``out_dir`` is a folder this process can write in (creating it if needed).

    Raises
    ------
    InputError
        If it is a file, cannot be created, or does not take a file; before any notebook runs.
    """
    shown = display_path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(Problem(shown, "is a file, not a folder; give --out a folder"))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".ecopark-probe-", dir=out_dir)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise InputError(
            Problem(
                shown, f"cannot be written ({exc.strerror or exc}); give --out a writable folder"
            )
        ) from None


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
    keep_ipynb: bool = False,
    documents: bool = False,
) -> list[Job]:
    """One job per runnable target and notebook, heaviest first (:func:`job_weight`).

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
    keep_ipynb : bool
        Have every executed notebook returned, not only the failed ones.
    documents : bool
        Have the job of each park-year's first notebook make its documents too (once for a
        park-year asked for twice).
    """
    texts = {nb: nb.read_text(encoding="utf-8") for nb in notebooks}
    documented: set[tuple[str, int]] = set()
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
        carries = documents and (py.park_id, py.year) not in documented
        documented.add((py.park_id, py.year))
        for i, nb in enumerate(notebooks):
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
                    keep_ipynb=keep_ipynb,
                    documents=carries and i == 0,
                )
            )
    # Longest first, so that no worker is left alone with a long job at the end.
    jobs.sort(key=lambda job: -job_weight(job))
    return jobs


def job_weight(job: Job) -> int:
    """A job's relative run time: its notebook's, and its documents' if it makes them."""
    return notebook_weight(job.notebook) + (DOCUMENTS_WEIGHT if job.documents else 0)


def portfolio_jobs(
    portfolios: list[Target],
    notebooks: list[Path],
    cell_timeout: float | None,
    notebook_timeout: float | None,
    ship_data: bool = False,
    reuse_kernel: bool = False,
) -> list[Job]:
    """One job per portfolio target (a data folder and a year) and portfolio notebook.

    The notebook's parameters are ``data_dir`` and ``year``; with ``ship_data`` every park
    folder of the data folder goes with the job.
    """
    generated = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    jobs = []
    for t in portfolios:
        py = t.park_year
        assert py is not None
        data = None
        if ship_data:
            from ecopark.tree import park_folders

            data = {k: v for p in park_folders(py.data_dir) for k, v in _data_files(p).items()}
        for nb in notebooks:
            jobs.append(
                Job(
                    park=py.park_id,
                    year=py.year,
                    notebook=nb.stem,
                    notebook_json=nb.read_text(encoding="utf-8"),
                    parameters={"data_dir": str(py.data_dir), "year": py.year},
                    cwd=str(nb.parent),
                    cell_timeout=cell_timeout,
                    notebook_timeout=notebook_timeout,
                    heading=f"{py.year} 年 {notebook_title(nb.stem)}",
                    sources=(f"数据文件夹：{py.data_dir.name}",),
                    generated=generated,
                    data_files=data,
                    reuse_kernel=reuse_kernel,
                )
            )
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
    portfolio: list[Path] | None = None,
    pdf: bool = False,
    documents: bool = False,
    index: bool = True,
    keep_ipynb: bool = False,
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
        Where ``<park>/<year>/<notebook>.html`` (and ``.ipynb``), ``summary.csv`` and
        ``index.html`` go.
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
        discarded, and the next notebook gets a fresh one. Dask workers keep theirs the same way.
    runner : callable
        Runs one job (default :func:`~ecopark.reports.batch.job.run_job`: papermill and HTML).
    portfolio : list of Path, optional
        Portfolio notebooks to run once per year of the targets, over their data folder
        (``<out>/portfolio/<year>.html``, linked from the index).
    pdf : bool
        Print each HTML report of a notebook that succeeded to ``<notebook>.pdf`` beside it
        (:mod:`ecopark.reports.pdf`; the browser is looked for before any notebook runs).
    documents : bool
        Also write each park-year's Word document and official xlsx
        (:mod:`ecopark.reports.documents`): the worker that runs the park-year's first
        notebook makes them after it, and they are written when its result comes back (this
        process makes them only for a runner that did not, e.g. a worker that died); nothing is
        written for a park-year whose first notebook never came back (an interrupted batch).
    index : bool
        Write ``summary.csv`` and ``index.html`` at the end (``ecopark report`` does not).
    keep_ipynb : bool
        Write every executed notebook (``.ipynb``) beside its HTML; by default only those of
        failed notebooks are written (they are the log).

    Returns
    -------
    list of Outcome
        One per notebook run, plus one per invalid target.
    """
    out_dir = Path(out_dir)
    check_out_dir(out_dir)
    browser = find_browser() if pdf else None
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
        reuse_kernel=not fresh_kernels,
        keep_ipynb=keep_ipynb,
        documents=documents,
    )
    portfolios = portfolio_targets(targets) if portfolio else []
    jobs += portfolio_jobs(
        portfolios,
        portfolio or [],
        cell_timeout,
        notebook_timeout,
        ship_data=executor.remote,
        reuse_kernel=not fresh_kernels and not executor.remote,
    )
    jobs.sort(key=lambda job: -job_weight(job))
    by_key = {
        (t.park_year.park_id, t.park_year.year): t for t in [*targets, *portfolios] if t.runnable
    }
    outcomes: list[Outcome] = []
    for t in targets:
        if t.error:
            o = Outcome(park=t.park, year=t.year, notebook="", status="failed", error=t.error)
            t.outcomes.append(o)
            outcomes.append(o)
    if progress is None:
        progress = sys.stderr.isatty()
    inputs = _input_files(notebooks, parks.values())
    stopped: tuple[str, int] | None = None
    pending: dict[tuple[str, int, str], list[Job]] = {}
    for job in jobs:
        pending.setdefault((job.park, job.year, job.notebook), []).append(job)
    signals = _Signals()
    documented: set[int] = set()
    carrier = notebooks[0].stem if notebooks else None  # its jobs make the documents
    results: Iterator[JobResult] = iter(())
    in_hand: Job | None = None  # a result taken from the executor, not yet recorded
    with signals.installed():
        try:
            results = executor(runner, jobs)
            for t in targets:  # while the workers run
                if t.runnable:
                    judge(t, parks[t.park_year.park_dir])
            if index:
                warm_up_index()
            with _progress_bar(progress, len(jobs)) as bar:
                for res in results:
                    o = res.outcome
                    # pending until recorded: a signal while its files are written or its PDF
                    # printed leaves it unfinished (interrupted), not lost from the summary
                    in_hand = None
                    with contextlib.suppress(KeyError, IndexError):
                        in_hand = pending[(o.park, o.year, o.notebook)].pop()
                    try:
                        for data, suffix in ((res.ipynb, ".ipynb"), (res.html, ".html")):
                            if data is not None:
                                path = output_path(out_dir, o.park, o.year, o.notebook, suffix)
                                _write_report(path, data, out_dir, inputs)
                        if browser and res.html is not None and o.ok:
                            html = output_path(out_dir, o.park, o.year, o.notebook, ".html")
                            _print(html, browser, out_dir, inputs, o)
                    except _WriteFailed as exc:
                        o.status, o.error = "failed", f"报告未写入：{exc.path}：{exc.reason}"
                        if exc.stop:
                            stopped = (f"cannot write {display_path(exc.path)}: {exc.reason}", 2)
                    t = by_key[(o.park, o.year)]
                    t.outcomes.append(o)
                    outcomes.append(o)
                    in_hand = None
                    if (
                        documents
                        and o.notebook == carrier
                        and id(t) not in documented
                        and t not in portfolios
                    ):
                        documented.add(id(t))
                        outcomes += _write_documents(
                            t, res, parks[t.park_year.park_dir], out_dir, inputs
                        )
                    del res  # the parent keeps no finished result
                    if on_result is not None:
                        on_result(o)
                    bar.update(1)
                    if stopped:
                        break
        except _Signalled as exc:
            stopped = (f"interrupted by {SIGNAL_NAMES[exc.signum]}", 128 + exc.signum)
        finally:
            signals.armed = False
            unfinished = [job for group in pending.values() for job in group]
            if in_hand is not None:
                unfinished.append(in_hand)
            close = getattr(results, "close", None)  # an executor stopped early stops its work
            if close is not None:
                with contextlib.suppress(Exception):
                    close()
            if unfinished or stopped:
                kill_kernels()
        why = stopped[0] if stopped else "the batch did not finish"
        for job in unfinished:
            o = Outcome(job.park, job.year, job.notebook, INTERRUPTED, 0.0, f"未完成：{why}")
            by_key[(o.park, o.year)].outcomes.append(o)
            outcomes.append(o)
        order = {nb.stem: i for i, nb in enumerate([*notebooks, *(portfolio or [])])}
        for t in targets:
            t.outcomes.sort(key=lambda o: order.get(o.notebook, -1))
        failure = ""
        try:
            if index:
                write_summary(
                    out_dir / "summary.csv", _sorted(outcomes, [*targets, *portfolios], order)
                )
                write_index(out_dir / "index.html", targets, out_dir, portfolios)
        except OSError as exc:
            failure = f"; summary.csv and index.html could not be written ({exc.strerror or exc})"
            stopped = stopped or ("cannot write the summary", 2)
    if stopped is None and signals.signum is not None:  # came while the summary was written
        stopped = (f"interrupted by {SIGNAL_NAMES[signals.signum]}", 128 + signals.signum)
    if stopped:
        message, status = stopped
        written = sum(o.ok for o in outcomes)
        raise BatchStopped(
            f"{message}; {written} of {len(jobs)} notebook report(s) written, "
            f"{len(unfinished)} marked {INTERRUPTED} in {display_path(out_dir / 'summary.csv')}"
            + failure,
            status,
            outcomes,
        )
    return outcomes


class _NoBar:
    """Stands in for the progress bar when none is shown (tqdm is not even imported)."""

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def update(self, n: int) -> None:
        pass


def _progress_bar(progress: bool, total: int) -> Any:
    """A tqdm bar on stderr counting the notebooks, or :class:`_NoBar` without ``progress``."""
    if not progress:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="nb", desc="ecopark run", file=sys.stderr)


def _input_files(notebooks: list[Path], parks: Iterable[Park]) -> list[Path]:
    """The files the batch reads: the notebooks, each park's park.yaml and year files."""
    out = list(notebooks)
    for park in parks:
        out += [park.path / "park.yaml", *park.files.values()]
    return out


def _write_report(path: Path, data: bytes, out_dir: Path, inputs: list[Path]) -> None:
    """Write one report file atomically, only inside ``out_dir`` and onto no input.

    Raises
    ------
    _WriteFailed
        If the path leads outside ``out_dir`` or onto an input, or the write fails (a full
        disk): nothing is half-written.
    """
    if not inside(path, out_dir):
        raise _WriteFailed(path, "the path leads outside --out", stop=False)
    try:
        refuse_inputs(path, inputs)
    except InputError:
        raise _WriteFailed(path, "it is a file the batch reads", stop=False) from None
    try:
        write_bytes(path, data)
    except OSError as exc:
        reason = "no space left on the disk" if exc.errno == errno.ENOSPC else exc.strerror
        raise _WriteFailed(path, reason or str(exc), stop=True) from None


def _print(html: Path, browser: str, out_dir: Path, inputs: list[Path], o: Outcome) -> None:
    """Print one written HTML report to the PDF beside it; a failure fails its notebook."""
    pdf_path = html.with_suffix(".pdf")
    try:
        if not inside(pdf_path, out_dir):
            raise _WriteFailed(pdf_path, "the path leads outside --out", stop=False)
        refuse_inputs(pdf_path, inputs)
        print_pdf(html, pdf_path, browser)
    except (InputError, _WriteFailed) as exc:
        o.status, o.error = "failed", f"PDF 未生成：{exc}"


def _write_documents(
    t: Target, res: JobResult, park: Park, out_dir: Path, inputs: list[Path]
) -> list[Outcome]:
    """Write a park-year's Word document and official xlsx, as the job made them (here if it
    did not); each that failed or was not written as a failed outcome."""
    from ecopark.reports.documents import DOCUMENT_SUFFIXES, document_path, park_year_documents

    assert t.park_year is not None
    made, errors = res.documents, res.document_errors
    if made is None:
        made, errors = park_year_documents(park, t.park_year.year)
    out = []
    for kind in DOCUMENT_SUFFIXES:
        path = document_path(out_dir, t.park_year.park_id, t.park_year.year, kind)
        error = errors.get(kind)
        if kind in made:
            try:
                _write_report(path, made[kind], out_dir, inputs)
            except _WriteFailed as exc:
                error = f"报告未写入：{exc.path}：{exc.reason}"
        if error is not None:
            o = Outcome(t.park_year.park_id, t.park_year.year, path.name, "failed", 0.0, error)
            t.outcomes.append(o)
            out.append(o)
    return out


def _sorted(outcomes: list[Outcome], targets: list[Target], order: dict[str, int]) -> list[Outcome]:
    """The outcomes in the order of the targets, then of the notebooks."""
    rank = {id(t): i for i, t in enumerate(targets)}
    pos = {id(o): rank[id(t)] for t in targets for o in t.outcomes}
    return sorted(outcomes, key=lambda o: (pos.get(id(o), 0), order.get(o.notebook, -1)))
