"""One job of the batch: one notebook for one park-year, executed and rendered to HTML.

A :class:`Job` holds everything a worker needs (the notebook's text, its parameters, the
limits, the report's heading and sources, and for a remote worker the park's data files), so
that it can travel to another process or machine; :func:`run_job` turns it into a
:class:`JobResult` (the :class:`Outcome`, the HTML bytes, the executed notebook's bytes when
asked for or when it failed, and for one job per park-year its Word document and official
xlsx, made in the worker after the notebook) and never raises. Each notebook's work is done
once: its text is parsed once per process, the executed notebook goes from papermill to the
HTML exporter in memory, and it is serialised only when it is to be written.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecopark.reports.batch.kernel import load_notebook, run_notebook, warm_up_kernel

log = logging.getLogger("ecopark.reports.batch")


@dataclass
class Outcome:
    """One row of ``summary.csv``: how one notebook of one park-year went."""

    park: str
    year: int | str
    notebook: str
    status: str  # ok | failed | timeout
    seconds: float = 0.0
    error: str = ""
    attempts: int = 1

    @property
    def ok(self) -> bool:
        """Whether the notebook ran to the end without error."""
        return self.status == "ok"

    @property
    def bad_input(self) -> bool:
        """Whether the park-year never ran because of its input (params, park folder, data files)."""
        return self.status == "failed" and not self.notebook


@dataclass(frozen=True)
class Job:
    """One notebook to run for one park-year, with everything the worker needs.

    Attributes
    ----------
    park, year, notebook : str, int, str
        The park id, the year and the notebook's stem: where the reports go.
    notebook_json : str
        The notebook file's text.
    parameters : dict
        The notebook's parameters (park_id, year, data_dir).
    cwd : str, optional
        The kernel's working folder (the notebook's folder).
    cell_timeout, notebook_timeout : float, optional
        Limits [s] per cell and per notebook.
    heading : str
        The report's Chinese title.
    sources : tuple of str
        The data sources shown under the heading.
    generated : str
        The generation date shown in the report.
    data_files : dict, optional
        ``{path relative to the data folder: bytes}``: the park folder, for a worker that
        cannot read this machine's files; the job then runs on a copy in a temporary folder,
        always in a fresh kernel.
    reuse_kernel : bool
        Run in the worker's kept kernel (:func:`ecopark.reports.batch.kernel.run_notebook`).
    keep_ipynb : bool
        Return the executed notebook also when it ran to the end (a failed one always is: it
        is the log of the failure).
    documents : bool
        Also make the park-year's documents
        (:func:`~ecopark.reports.documents.park_year_documents`): one job per park-year does.
    """

    park: str
    year: int
    notebook: str
    notebook_json: str
    parameters: dict[str, Any]
    cwd: str | None = None
    cell_timeout: float | None = None
    notebook_timeout: float | None = None
    heading: str = ""
    sources: tuple[str, ...] = ()
    generated: str = ""
    data_files: dict[str, bytes] | None = field(default=None, repr=False)
    reuse_kernel: bool = False
    keep_ipynb: bool = False
    documents: bool = False


@dataclass
class JobResult:
    """What a job gave: its outcome, the HTML and the executed notebook (None if not produced,
    or for the notebook not asked for), and the park-year's documents by kind with why any
    failed (``documents`` None: not made here, e.g. a job without them or a worker that died).
    """

    outcome: Outcome
    ipynb: bytes | None = None
    html: bytes | None = None
    documents: dict[str, bytes] | None = None
    document_errors: dict[str, str] = field(default_factory=dict)


#: Runs one job; :func:`run_job` is the real one, tests pass fakes.
Runner = Callable[[Job], JobResult]


def failed_result(job: Job, error: str) -> JobResult:
    """The result of a job that never ran to completion anywhere (its worker failed)."""
    return JobResult(Outcome(job.park, job.year, job.notebook, "failed", 0.0, error))


def warm_up(jobs: Sequence[Job] | None = None) -> None:
    """Do once in this process what the jobs would otherwise do in every worker process.

    Imports papermill and nbclient, builds the notebook validator and looks up the kernel's
    spec (:func:`~ecopark.reports.batch.kernel.warm_up_kernel`), builds the HTML template with
    its Markdown renderer and imports the report's display module it reads, and, when a job
    makes documents (``jobs`` None: any may), imports their libraries
    (:func:`~ecopark.reports.documents.warm_up_documents`); then freezes what the process
    holds (``gc.freeze``), so that no later collection, in this process or in a worker forked
    from it, walks those objects again. Run before forking the workers (their ≈ 1,500 modules
    imported once, not once per worker) or in a Dask worker at its start.

    The garbage collector is off while the modules are imported, as Python's documentation
    of :func:`gc.freeze` advises before a fork: the imports make ≈ 230,000 objects that live
    as long as the process, and the full collections among them walked them all again and
    again (≈ 0.3 s of CPU in ``ecopark run``'s process); nothing is collected before the
    freeze, so that no page of the frozen objects is freed and written again in the workers.
    """
    import gc

    from ecopark.reports.html import exporter

    enabled = gc.isenabled()
    gc.disable()
    try:
        warm_up_kernel()
        exporter()
        import ecopark.reports.display  # noqa: F401 - what to_html reads (with pandas)

        if jobs is None or any(job.documents for job in jobs):
            from ecopark.reports.documents import warm_up_documents

            warm_up_documents()
        gc.freeze()
    finally:
        if enabled:
            gc.enable()


def run_job(job: Job) -> JobResult:
    """Execute one notebook for one park-year and render its HTML; never raises.

    A kernel that fails to start is retried once; a failed notebook is still rendered, and its
    executed notebook returned (they are the log of the failure). A job with ``data_files`` runs
    on a copy of them in a temporary folder (the kept kernel, if any, moves there at its reset).
    A job with ``documents`` then makes the park-year's documents from the same data, whatever
    the notebook's outcome.
    """
    start = time.perf_counter()
    status, error, attempts = "failed", "", 0
    ipynb = html = None
    documents: dict[str, bytes] | None = None
    document_errors: dict[str, str] = {}
    try:
        with contextlib.ExitStack() as stack:
            parameters = dict(job.parameters)
            cwd = job.cwd
            if job.data_files:
                tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ecopark-")))
                for rel, data in job.data_files.items():
                    target = tmp / "data" / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
                parameters["data_dir"] = str(tmp / "data")
                cwd = str(tmp)
            nb_in = load_notebook(job.notebook_json)
            input_path = str(Path(job.cwd or ".") / f"{job.notebook}.ipynb")
            for attempts in (1, 2):  # noqa: B007 - the count is reported
                run = run_notebook(
                    nb_in,
                    parameters,
                    cwd,
                    job.cell_timeout,
                    job.notebook_timeout,
                    reuse=job.reuse_kernel,
                    input_path=input_path,
                )
                stack.callback(run.cleanup)
                if not (run.start_failed and attempts == 1):
                    break
                log.warning(
                    "%s: kernel failed to start (%s); retrying once",
                    (job.park, job.year, job.notebook),
                    run.error,
                )
            nb = run.nb if run.nb is not None else copy.deepcopy(nb_in)
            if job.data_files:
                # Show the caller's data folder, not the worker's temporary copy.
                _restore_data_dir(nb, job.parameters["data_dir"])
            status, error = run.status, run.error
            try:
                from ecopark.reports.html import to_html

                html = to_html(
                    nb,
                    job.heading,
                    job.sources,
                    generated=job.generated or None,
                    failed=error if status != "ok" else None,
                ).encode("utf-8")
            except Exception as exc:  # noqa: BLE001
                status = "failed"
                error = (error + "; " if error else "") + (
                    f"HTML export failed: {type(exc).__name__}: {exc}"
                )
            if job.keep_ipynb or status != "ok":
                ipynb = _ipynb_bytes(nb)
            seconds = time.perf_counter() - start
            if job.documents:
                documents, document_errors = _documents(job, Path(str(parameters["data_dir"])))
    except Exception as exc:  # noqa: BLE001
        status, error = "failed", f"{type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - start
    outcome = Outcome(job.park, job.year, job.notebook, status, round(seconds, 3), error, attempts)
    return JobResult(outcome, ipynb, html, documents, document_errors)


def _documents(job: Job, data_dir: Path) -> tuple[dict[str, bytes], dict[str, str]]:
    """The park-year's documents, from the park folder under ``data_dir`` (the job's copy for a
    remote worker); a park that cannot be read fails each document with why."""
    from ecopark.errors import InputError
    from ecopark.io.park import load_park
    from ecopark.reports.documents import DOCUMENT_SUFFIXES, park_year_documents

    try:
        park = load_park(data_dir / job.park)
    except Exception as exc:  # noqa: BLE001 - the documents fail, not the notebook
        why = (
            "; ".join(str(p) for p in exc.problems)
            if isinstance(exc, InputError)
            else f"{type(exc).__name__}: {exc}"
        )
        return {}, dict.fromkeys(DOCUMENT_SUFFIXES, why)
    return park_year_documents(park, job.year)


def _ipynb_bytes(nb: Any) -> bytes:
    """The notebook as nbformat writes it (indent 1, sorted keys), without re-validating it."""
    return (json.dumps(nb, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _restore_data_dir(nb: Any, data_dir: str) -> None:
    params = nb.metadata.get("papermill", {}).get("parameters")
    if isinstance(params, dict) and "data_dir" in params:
        params["data_dir"] = data_dir
