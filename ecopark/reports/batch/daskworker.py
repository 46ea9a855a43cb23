"""What a Dask worker keeps between the batch's jobs: the imports and one warm kernel per thread.

:class:`WarmKernels` is registered on the cluster by :class:`~ecopark.reports.batch.executors.Dask`
before the jobs are sent. On each worker it imports papermill and nbconvert and builds the HTML
exporter once (:func:`~ecopark.reports.batch.kernel.warm_up`); the jobs then run in the worker's
kept kernel with the local pool's rules (a reset of the user namespace before each notebook, a
new kernel after a failure, a timeout, a dead kernel or
:data:`~ecopark.reports.batch.kernel.KERNEL_REUSE_LIMIT` notebooks),
and the kept kernels are shut down when the worker closes or the plugin is removed.
"""

from __future__ import annotations

from typing import Any

from distributed import WorkerPlugin

from ecopark.reports.batch.kernel import close_kernel, warm_up


class WarmKernels(WorkerPlugin):
    """A worker plugin: the batch's imports on start, its kept kernels shut down at the end."""

    #: One plugin per cluster, whatever the number of batches (registering again replaces it).
    name = "ecopark-warm-kernels"

    def setup(self, worker: Any) -> None:  # noqa: D102
        warm_up()

    def teardown(self, worker: Any) -> None:  # noqa: D102
        close_kernel()
