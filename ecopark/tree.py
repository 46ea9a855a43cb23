"""Assess every park-year of a data folder, in parallel across processes.

The columnar engine (:mod:`ecopark.columnar`: every year file in one table, the formulas over
arrays, the same results as :func:`ecopark.assess`) runs in each worker on its share of the
parks; what comes back is a compact, picklable summary per park-year (an
:class:`~ecopark.assessment.Assessment` holds compiled formulas and stays in its process).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from ecopark.columnar import assess_table, load_table, summary_row

#: Columns of :func:`assess_tree`.
SUMMARY_COLUMNS = [
    "park",
    "name",
    "year",
    "compliant",
    "judged",
    "judged_reason",
    "failing",
    "not_computable",
    "reasons",
    "error",
]


def park_folders(data_dir: Path | str) -> list[Path]:
    """Every park folder (a folder with a ``park.yaml``) directly under ``data_dir``."""
    return sorted(p for p in Path(data_dir).iterdir() if (p / "park.yaml").is_file())


def summarise_park(folder: Path | str) -> list[dict]:
    """One summary row per year of one park folder (bad input becomes a row with ``error``)."""
    return _chunk([Path(folder)])


def _chunk(folders: list[Path]) -> list[dict]:
    table = load_table(folders)
    rows = []
    for entry in assess_table(table):
        if isinstance(entry, str):
            rows.append({"park": entry, "year": None, "error": str(table.problems[entry])})
        else:
            rows.append(summary_row(entry))
    return rows


def assess_tree(
    folders: Path | str | Iterable[Path | str], jobs: int | None = None
) -> pd.DataFrame:
    """Assess every year of every park.

    Parameters
    ----------
    folders : path or iterable of paths
        A data folder (its park folders are taken) or the park folders themselves.
    jobs : int, optional
        Worker processes (default: the number of CPUs; 1 runs in this process).

    Returns
    -------
    pandas.DataFrame
        One row per park-year, columns :data:`SUMMARY_COLUMNS`: ``compliant`` (bool; None
        when the year is not judged), ``judged`` (False for the base year, a year before it and a
        year that only supplies history) and ``judged_reason`` (why not, in Chinese),
        ``failing`` (list of the numbers of the indicators that fail), ``not_computable`` (how
        many cannot be computed), ``reasons`` (list of the verdict's broken rules in Chinese),
        ``error`` (bad input, if any), in park then year order. A row with an error has no
        ``failing`` or ``reasons`` (NaN). ``ecopark assess --csv`` writes the lists
        space- and ；-separated.
    """
    if isinstance(folders, str | Path):
        folders = park_folders(folders)
    folders = [Path(f) for f in folders]
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or len(folders) < 2:
        rows = _chunk(folders)
    else:
        size = -(-len(folders) // (jobs * 4))  # a few chunks per worker evens out the load
        chunks = [folders[i : i + size] for i in range(0, len(folders), size)]
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            rows = [row for part in pool.map(_chunk, chunks) for row in part]
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
