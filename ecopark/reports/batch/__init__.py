"""Run the report notebooks for many park-years: papermill in a process pool or on Dask.

For every park-year and notebook, one job executes the notebook with papermill (kernel
``python3``) and renders it to offline HTML (:mod:`ecopark.reports.html`) in the worker; the
job of each park-year's first notebook also makes its Word document and xlsx there. Each worker
keeps its kernel for its next notebook, whose run starts with a reset of the kernel's user
namespace (``fresh_kernels`` starts one kernel per notebook instead); the parent
writes ``<out>/<park>/<year>/<notebook>.html`` (and the executed ``.ipynb`` with
``keep_ipynb``) and the documents as they come, then ``<out>/summary.csv`` and
``<out>/index.html``, every file atomically. A
failing notebook stops nothing else: its partial notebook is still exported and written (it is
the log) and marked failed.

The parts, each replaceable:

- :mod:`~ecopark.reports.batch.targets`: params files and ``--park`` to park-years, notebooks by
  name (the catalogue), each park read once for the headers and the verdicts;
- :mod:`~ecopark.reports.batch.job`: one job (params → executed notebook → HTML → Outcome);
- :mod:`~ecopark.reports.batch.kernel`: papermill's engine on our own kernel, its lifecycle and
  warm reuse;
- :mod:`~ecopark.reports.batch.executors`: this process, a local pool forked after the imports,
  or a Dask cluster whose workers keep a warm kernel (:mod:`~ecopark.reports.batch.daskworker`);
- :mod:`~ecopark.reports.batch.index`: ``summary.csv``, ``index.html`` (a Jinja template) and
  the terminal summary;
- :mod:`~ecopark.reports.batch.limits`: the default time limits;
- :mod:`~ecopark.reports.batch.run`: :func:`run_batch`, which takes its runner and executor,
  checks ``--out`` first, and stops cleanly on SIGINT, SIGTERM or a full disk
  (:class:`BatchStopped`).
"""

import importlib
from typing import Any

#: Where each public name lives; a submodule is imported when one of its names is first used,
#: so that importing this package (``ecopark run``'s parser, every other command) costs nothing.
_HOMES = {
    "CONNECT_TIMEOUT": "limits",
    "DEFAULT_CELL_TIMEOUT": "limits",
    "DEFAULT_NOTEBOOK_TIMEOUT": "limits",
    "Dask": "executors",
    "Executor": "executors",
    "InProcess": "executors",
    "LocalPool": "executors",
    "executor_for": "executors",
    "summary_text": "index",
    "Job": "job",
    "JobResult": "job",
    "Outcome": "job",
    "Runner": "job",
    "run_job": "job",
    "INTERRUPTED": "run",
    "BatchStopped": "run",
    "run_batch": "run",
    "Target": "targets",
    "resolve_notebooks": "targets",
    "targets_for_park": "targets",
    "targets_from_params": "targets",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])


__all__ = [
    "CONNECT_TIMEOUT",
    "DEFAULT_CELL_TIMEOUT",
    "DEFAULT_NOTEBOOK_TIMEOUT",
    "INTERRUPTED",
    "BatchStopped",
    "Dask",
    "Executor",
    "InProcess",
    "Job",
    "JobResult",
    "LocalPool",
    "Outcome",
    "Runner",
    "Target",
    "executor_for",
    "resolve_notebooks",
    "run_batch",
    "run_job",
    "summary_text",
    "targets_for_park",
    "targets_from_params",
]
