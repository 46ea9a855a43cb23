"""Assess every park-year of a data folder, in parallel across processes.

The columnar engine (:mod:`ecopark.columnar`: every year file in one table, the formulas over
arrays, the same results as :func:`ecopark.assess`) runs in each worker on its share of the
parks; what comes back is a compact, picklable summary per park-year (an
:class:`~ecopark.assessment.Assessment` holds compiled formulas and stays in its process).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from ecopark.columnar import assess_table, load_table, standard_code, summary_row
from ecopark.standard.model import Standard

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


def summarise_park(folder: Path | str, standard: str | None = None) -> list[dict]:
    """One summary row per year of one park folder (bad input becomes a row with ``error``;
    a park that does not name ``standard`` gives no row)."""
    return _chunk([Path(folder)], standard)[0]


def _chunk(folders: list[Path], code: str | None = None) -> tuple[list[dict], dict[str, str]]:
    table = load_table(folders, code)
    rows = []
    for entry in assess_table(table):
        if isinstance(entry, str):
            rows.append({"park": entry, "year": None, "error": str(table.problems[entry])})
        else:
            rows.append(summary_row(entry))
    return rows, table.skipped


def assess_tree(
    folders: Path | str | Iterable[Path | str],
    jobs: int | None = None,
    standard: str | Standard | None = None,
) -> pd.DataFrame:
    """Assess every year of every park.

    Parameters
    ----------
    folders : path or iterable of paths
        A data folder (its park folders are taken) or the park folders themselves.
    jobs : int, optional
        Worker processes (default: the number of CPUs; 1 runs in this process).
    standard : str or Standard, optional
        The standard to assess against (code or id, or the definition), as
        :func:`ecopark.load_park` takes it. A park whose ``park.yaml`` does not name it is
        skipped: it has no row, and ``result.attrs["skipped"]`` maps its folder name to a note
        saying so. Default: each park's first standard (none is skipped).

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
        space- and ；-separated. ``attrs["skipped"]``: see ``standard``.

    Raises
    ------
    InputError
        If ``standard`` names no known standard.
    """
    code = None if standard is None else standard_code(standard)
    if isinstance(folders, str | Path):
        folders = park_folders(folders)
    folders = [Path(f) for f in folders]
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or len(folders) < 2:
        parts = [_chunk(folders, code)]
    else:
        size = -(-len(folders) // (jobs * 4))  # a few chunks per worker evens out the load
        chunks = [folders[i : i + size] for i in range(0, len(folders), size)]
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            parts = list(pool.map(functools.partial(_chunk, code=code), chunks))
    out = pd.DataFrame([row for rows, _ in parts for row in rows], columns=SUMMARY_COLUMNS)
    out.attrs["skipped"] = {name: why for _, skipped in parts for name, why in skipped.items()}
    return out
