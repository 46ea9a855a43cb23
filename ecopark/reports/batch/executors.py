"""Where the batch's jobs run: this process, a local process pool, or a Dask cluster.

An executor is called with a runner (:data:`~ecopark.reports.batch.job.Runner`, normally
:func:`~ecopark.reports.batch.job.run_job`) and the jobs, and returns an iterator over the
results as they come, in any order. A job whose worker fails becomes a failed result; nothing
else stops. ``remote`` says whether the workers cannot read this machine's files: the jobs then
carry the park's data files and always start a fresh kernel.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import ClassVar, Protocol

from ecopark.reports.batch.job import Job, JobResult, Runner, failed_result
from ecopark.reports.batch.kernel import close_kernel, forget_kept_kernel, warm_up
from ecopark.reports.params import ParamsError


class Executor(Protocol):
    """Runs jobs with a runner and yields their results as they complete."""

    #: Whether the workers cannot read this machine's files (the jobs then ship the data).
    remote: bool

    def __call__(self, runner: Runner, jobs: list[Job]) -> Iterator[JobResult]: ...


@dataclass(frozen=True)
class InProcess:
    """Run the jobs one after another in this process, lazily as the results are read.

    The process's kept kernel (if the runner kept one) is shut down at the end.
    """

    remote: ClassVar[bool] = False

    def __call__(self, runner: Runner, jobs: list[Job]) -> Iterator[JobResult]:
        try:
            for job in jobs:
                try:
                    result = runner(job)
                except Exception as exc:  # noqa: BLE001 - a failing runner fails its job only
                    result = failed_result(job, f"runner failed: {type(exc).__name__}: {exc}")
                yield result
        finally:
            close_kernel()


@dataclass(frozen=True)
class LocalPool:
    """A pool of worker processes, forked after papermill and nbconvert are imported.

    Attributes
    ----------
    workers : int, optional
        Worker processes; default ``os.cpu_count()``. Never more than there are jobs; with one
        worker (or one job) the jobs run in this process (:class:`InProcess`).
    prepare : callable, optional
        Run in this process before forking, so that every worker inherits it (default
        :func:`~ecopark.reports.batch.kernel.warm_up`: the imports and the HTML exporter).
    """

    workers: int | None = None
    prepare: Callable[[], None] | None = warm_up
    remote: ClassVar[bool] = False

    def __call__(self, runner: Runner, jobs: list[Job]) -> Iterator[JobResult]:
        """Submit every job now and return an iterator over the results as they come."""
        n = max(1, min(self.workers or os.cpu_count() or 1, len(jobs) or 1))
        if n <= 1:
            return InProcess()(runner, jobs)
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        if self.prepare is not None:
            self.prepare()
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork") if "fork" in methods else None
        pool = ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_worker_started)
        futures = {pool.submit(runner, job): job for job in jobs}

        def results() -> Iterator[JobResult]:
            try:
                for fut in as_completed(futures):
                    try:
                        yield fut.result()
                    except Exception as exc:  # noqa: BLE001 - a dead worker fails its jobs only
                        error = f"worker process failed: {type(exc).__name__}: {exc}"
                        yield failed_result(futures[fut], error)
            finally:
                pool.shutdown(wait=True, cancel_futures=True)

        return results()


def _worker_started() -> None:
    """Pool worker initializer: shut down the worker's kept kernel when the worker exits."""
    from multiprocessing import util

    forget_kept_kernel()  # never a kernel of the parent's
    util.Finalize(None, close_kernel, exitpriority=10)


@dataclass(frozen=True)
class Dask:
    """The workers of a Dask distributed cluster; they return the notebook and HTML bytes.

    Attributes
    ----------
    scheduler : str
        The scheduler's address, e.g. ``tcp://host:8786``.
    """

    scheduler: str
    remote: ClassVar[bool] = True

    def __call__(self, runner: Runner, jobs: list[Job]) -> Iterator[JobResult]:
        """Connect when the first result is asked for; raise ParamsError without Dask."""
        try:
            from dask.distributed import Client, as_completed
        except ImportError:
            raise ParamsError("--scheduler needs Dask: pip install 'ecopark[dask]'") from None
        with Client(self.scheduler) as client:
            futures = client.map(runner, jobs, pure=False)
            by_key = {f.key: job for f, job in zip(futures, jobs, strict=True)}
            for fut in as_completed(futures):
                try:
                    yield fut.result()
                except Exception as exc:  # noqa: BLE001
                    error = f"Dask worker failed: {type(exc).__name__}: {exc}"
                    yield failed_result(by_key[fut.key], error)


def executor_for(jobs: int | None = None, scheduler: str | None = None) -> Executor:
    """The executor the command line asks for: Dask with a scheduler, else a local pool."""
    return Dask(scheduler) if scheduler else LocalPool(jobs)
