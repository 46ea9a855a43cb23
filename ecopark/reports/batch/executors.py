"""Where the batch's jobs run: this process, a local process pool, or a Dask cluster.

An executor is called with a runner (:data:`~ecopark.reports.batch.job.Runner`, normally
:func:`~ecopark.reports.batch.job.run_job`) and the jobs, and returns an iterator over the
results as they come, in any order. A job whose worker fails becomes a failed result; nothing
else stops. ``remote`` says whether the workers cannot read this machine's files: the jobs then
carry the park's data files and always start a fresh kernel.

Closing the iterator before its end (an interrupt, a full disk) stops the work at once: the
local pool's workers are told to stop (SIGTERM: each kills its kernel and exits), and killed if
they have not within :data:`STOP_GRACE`. A worker whose parent dies, even by SIGKILL, notices
(the parent-death signal on Linux, and a watchdog thread polling ``os.getppid()`` every
:data:`WATCH_INTERVAL`), kills its kernel and exits.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from ecopark.reports.batch.job import Job, JobResult, Runner, failed_result, warm_up
from ecopark.reports.batch.kernel import (
    close_kernel,
    die_with_parent,
    forget_kept_kernel,
    kill_kernels,
)
from ecopark.reports.batch.limits import CONNECT_TIMEOUT
from ecopark.reports.params import ParamsError

#: Time [s] stopped workers have to exit before they are killed.
STOP_GRACE = 3.0
#: Jobs submitted to the local pool ahead of the results read, per worker: enough to keep every
#: worker busy, few enough that results cannot pile up when the workers outrun the parent.
AHEAD = 2
#: How often [s] a worker checks that its parent is alive.
WATCH_INTERVAL = 0.5


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
        except BaseException:
            kill_kernels()
            raise
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
        Called with the jobs in this process before forking, so that every worker inherits
        what it did (default :func:`~ecopark.reports.batch.job.warm_up`: the imports the jobs
        need, the notebook validator and the HTML template).
    thaw : bool
        Once the workers are forked, let this process's garbage collector walk again what
        ``prepare`` froze (:func:`gc.freeze`), as before the batch: a user's kernel that runs
        the batch goes on. ``ecopark run``'s process ends with the batch and keeps them frozen
        (:func:`executor_for`): the collection at its exit would walk them all, ≈ 0.35 s of CPU
        and a second of wall time.
    """

    workers: int | None = None
    prepare: Callable[[list[Job]], None] | None = warm_up
    thaw: bool = True
    remote: ClassVar[bool] = False

    def __call__(self, runner: Runner, jobs: list[Job]) -> Iterator[JobResult]:
        """Submit the first jobs now and return an iterator over the results as they come; each
        result read submits the next job."""
        n = max(1, min(self.workers or os.cpu_count() or 1, len(jobs) or 1))
        if n <= 1:
            return InProcess()(runner, jobs)
        import gc
        import multiprocessing
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        frozen = gc.get_freeze_count()
        if self.prepare is not None:
            self.prepare(jobs)
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork") if "fork" in methods else None
        before = set(multiprocessing.active_children())
        pool = ProcessPoolExecutor(
            max_workers=n,
            mp_context=ctx,
            initializer=_worker_started,
            initargs=(os.getpid(),),
        )
        queue = iter(jobs)
        futures: dict[Any, Job] = {}
        unsubmitted: list[JobResult] = []  # jobs the pool refused (a worker died: it is broken)

        def submit_next() -> None:
            job = next(queue, None)
            if job is None:
                return
            try:
                futures[pool.submit(runner, job)] = job
            except Exception as exc:  # noqa: BLE001 - a broken pool fails the jobs left
                error = f"worker process failed: {type(exc).__name__}: {exc}"
                unsubmitted.append(failed_result(job, error))

        try:
            for _ in range(AHEAD * n):
                submit_next()
        except BaseException:  # interrupted while the workers start
            _stop(pool, [p for p in multiprocessing.active_children() if p not in before])
            raise
        workers = [p for p in multiprocessing.active_children() if p not in before]
        if self.thaw and not frozen:  # the workers keep what prepare froze; this process
            gc.unfreeze()  # (maybe a user's kernel) collects its own objects again as before

        def results() -> Iterator[JobResult]:
            finished = False
            try:
                while futures or unsubmitted:
                    while unsubmitted:
                        yield unsubmitted.pop()
                        submit_next()
                    if not futures:
                        continue
                    done, _ = wait(futures, return_when=FIRST_COMPLETED)
                    while done:
                        fut = done.pop()
                        job = futures.pop(fut)  # the parent keeps no finished result
                        try:
                            result = fut.result()
                        except Exception as exc:  # noqa: BLE001 - a dead worker fails its jobs only
                            error = f"worker process failed: {type(exc).__name__}: {exc}"
                            result = failed_result(job, error)
                        del fut
                        submit_next()
                        yield result
                        del result
                finished = True
            finally:
                if finished:
                    pool.shutdown(wait=True)
                else:
                    _stop(pool, workers)

        return results()


def _stop(pool: Any, workers: list[Any]) -> None:
    """End a pool now: no new job, every worker told to stop, then killed after the grace time."""
    pool.shutdown(wait=False, cancel_futures=True)
    for p in workers:
        with contextlib.suppress(Exception):
            p.terminate()
    deadline = time.monotonic() + STOP_GRACE
    for p in workers:
        p.join(max(0.0, deadline - time.monotonic()))
    for p in workers:
        if p.is_alive():
            with contextlib.suppress(Exception):
                p.kill()
            p.join(1.0)


def _worker_stop(*_: object) -> None:
    """Kill this worker's kernels and exit at once (SIGTERM, or the parent is gone)."""
    kill_kernels()
    os._exit(128 + signal.SIGTERM)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_INTERVAL)
    _worker_stop()


def _worker_started(parent: int) -> None:
    """Pool worker initializer: stop with the parent, and shut the kept kernel down at exit.

    Ctrl-C reaches the whole foreground process group: the parent handles it (and stops the
    workers), so the workers ignore SIGINT. SIGTERM, or the parent's death however it dies,
    kills the worker's kernels and ends the worker.
    """
    from multiprocessing import util

    forget_kept_kernel()  # never a kernel of the parent's
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_stop)
    die_with_parent(signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the line above
        _worker_stop()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    util.Finalize(None, close_kernel, exitpriority=10)


@dataclass(frozen=True)
class Dask:
    """The workers of a Dask distributed cluster; they return the HTML (and notebook) bytes.

    Each worker process keeps the batch's imports and one warm kernel between jobs, with the
    local pool's reset and replace rules, and runs its jobs one at a time
    (:mod:`~ecopark.reports.batch.daskworker`): start one worker process per core
    (``dask worker --nthreads 1``).

    Attributes
    ----------
    scheduler : str
        The scheduler's address, e.g. ``tcp://host:8786``.
    connect_timeout : float
        Time [s] the scheduler has to answer.
    """

    scheduler: str
    connect_timeout: float = CONNECT_TIMEOUT
    remote: ClassVar[bool] = True

    def __call__(self, runner: Runner, jobs: list[Job]) -> Iterator[JobResult]:
        """Connect when the first result is asked for; raise ParamsError without Dask."""
        try:
            from dask.distributed import Client, as_completed
        except ImportError:
            raise ParamsError("--scheduler needs Dask: pip install 'ecopark[dask]'") from None
        client = _connect(Client, self.scheduler, self.connect_timeout)
        with client:
            from ecopark.reports.batch.daskworker import WarmKernels, on_kernel_thread

            client.register_plugin(WarmKernels())
            futures = client.map(on_kernel_thread, [runner] * len(jobs), jobs, pure=False)
            pending = {f.key: (f, job) for f, job in zip(futures, jobs, strict=True)}
            arriving = as_completed(futures)  # holds the futures until each has come
            del futures
            finished = False
            try:
                for fut in arriving:
                    _, job = pending.pop(fut.key)
                    try:
                        result = fut.result()
                    except Exception as exc:  # noqa: BLE001
                        error = f"Dask worker failed: {type(exc).__name__}: {exc}"
                        result = failed_result(job, error)
                    fut.release()  # the worker forgets it too
                    del fut
                    yield result
                    del result
                finished = True
            finally:
                if not finished:
                    with contextlib.suppress(Exception):
                        client.cancel([f for f, _ in pending.values()])


def _connect(client_class: Any, address: str, timeout: float) -> Any:
    """A Dask client connected to ``address``, or ParamsError within ``timeout`` [s]."""
    import logging

    quiet = [logging.getLogger(name) for name in ("distributed", "tornado")]
    levels = [q.level for q in quiet]
    for q in quiet:  # the connection attempts' warnings: the one line below says it all
        q.setLevel(logging.CRITICAL)
    try:
        return client_class(address, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - an unreachable or malformed address
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ParamsError(
            f"--scheduler {address}: no Dask scheduler answered within {timeout:g} s ({reason})"
        ) from None
    finally:
        for q, level in zip(quiet, levels, strict=True):
            q.setLevel(level)


def executor_for(
    jobs: int | None = None, scheduler: str | None = None, connect_timeout: float = CONNECT_TIMEOUT
) -> Executor:
    """The executor the command line asks for: Dask with a scheduler, else a local pool (whose
    process ends with the batch: it keeps frozen what the pool's warm-up froze)."""
    return Dask(scheduler, connect_timeout) if scheduler else LocalPool(jobs, thaw=False)
