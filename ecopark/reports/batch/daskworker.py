"""What a Dask worker keeps between the batch's jobs: the imports and one warm kernel.

:class:`WarmKernels` is registered on the cluster by :class:`~ecopark.reports.batch.executors.Dask`
before the jobs are sent. On each worker it imports papermill, nbconvert and the documents'
libraries and builds the HTML template once (:func:`~ecopark.reports.batch.job.warm_up`); the
jobs then run, through
:func:`on_kernel_thread`, one at a time on one thread of the worker process that lives as long
as the process (a kernel's client belongs to the event loop of the thread that started it, and
Dask may run successive tasks on different threads), in the worker's kept kernel with the
local pool's rules (a reset of the user namespace before each notebook, a
new kernel after a failure, a timeout, a dead kernel or
:data:`~ecopark.reports.batch.kernel.KERNEL_REUSE_LIMIT` notebooks),
and the kept kernels are shut down when the worker closes or the plugin is removed.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from distributed import WorkerPlugin

from ecopark.reports.batch.job import Job, JobResult, Runner, warm_up
from ecopark.reports.batch.kernel import close_kernel

#: The one thread of this process that runs the batch's jobs (and so owns its kept kernel).
_KERNEL_THREAD = ThreadPoolExecutor(1, thread_name_prefix="ecopark-kernel")


def on_kernel_thread(runner: Runner, job: Job) -> JobResult:
    """Run one job on this process's kernel thread and wait for it (a Dask task)."""
    return _KERNEL_THREAD.submit(runner, job).result()


class WarmKernels(WorkerPlugin):
    """A worker plugin: the batch's imports on start, its kept kernels shut down at the end."""

    #: One plugin per cluster, whatever the number of batches (registering again replaces it).
    name = "ecopark-warm-kernels"

    def setup(self, worker: Any) -> None:  # noqa: D102
        warm_up()

    def teardown(self, worker: Any) -> None:  # noqa: D102
        _KERNEL_THREAD.submit(close_kernel).result()
