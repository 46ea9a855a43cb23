"""Side by side: two assessments indicator by indicator, and the long results table of a folder.

- :func:`compare`: two years, two parks, a park and its scenario (or two standards, once a second
  is registered): one row per indicator with both values and statuses, the change and whether
  the status or the pass flag flipped.
- :func:`results`: every park-year of a data folder as one long tidy table (one row per park,
  year and indicator), for pandas, Excel or a database.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ecopark.assessment import Assessment
from ecopark.errors import InputError, Problem, display_path

#: Columns of :func:`compare`.
COMPARE_COLUMNS = [
    "number",
    "indicator",
    "unit",
    "requirement_a",
    "requirement_b",
    "value_a",
    "value_b",
    "display_a",
    "display_b",
    "change",
    "change_pct",
    "status_a",
    "status_b",
    "passed_a",
    "passed_b",
    "counts_a",
    "counts_b",
    "status_changed",
    "flipped",
    "changed",
]
#: Columns of :func:`results`.
RESULTS_COLUMNS = [
    "park",
    "park_name",
    "synthetic",
    "standard",
    "year",
    "compliant",
    "number",
    "indicator",
    "unit",
    "role",
    "requirement",
    "value",
    "display",
    "passed",
    "status",
    "margin_pct",
    "reason_zh",
]


def label(a: Assessment) -> str:
    """``nantong-etdz 2021`` (with `` (scenario)`` for a scenario)."""
    from ecopark.scenarios import ScenarioAssessment

    return f"{a.park} {a.year}" + (" (scenario)" if isinstance(a, ScenarioAssessment) else "")


def compare(a: Assessment, b: Assessment, changed_only: bool = False) -> pd.DataFrame:
    """Two assessments indicator by indicator (``a`` before, ``b`` after).

    Parameters
    ----------
    a, b : Assessment
        Any two: two years of a park, two parks, a park and a scenario of it. Indicators are
        matched by number (both standards must number them alike).
    changed_only : bool
        Keep only the rows where the value shown, the status or the pass flag differ.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARE_COLUMNS`: ``value_a``/``value_b`` unrounded [unit] (NaN when not
        computable or a word), ``display_*`` as printed, ``change`` = value_b − value_a [unit]
        and ``change_pct`` [% of value_a] (NaN without two numbers or with value_a = 0),
        ``status_*`` (pass/at_risk/fail/not_computable), ``passed_*``, ``counts_*`` (whether the
        indicator counts toward that verdict), ``status_changed``, ``flipped`` (the pass flag
        changed between True and False) and ``changed`` (anything above differs). ``attrs``
        hold ``a`` and ``b`` (labels) and ``compliant_a`` / ``compliant_b`` (None: not judged).
    """
    ta, tb = a.table().set_index("number"), b.table().set_index("number")
    numbers = [n for n in ta.index if n in tb.index] + [n for n in tb.index if n not in ta.index]
    ta, tb = ta.reindex(numbers), tb.reindex(numbers)
    value_a, value_b = ta["value"].astype(float), tb["value"].astype(float)
    change = value_b - value_a
    pct = [
        (d / va * 100) if not math.isnan(d) and va != 0 else math.nan
        for d, va in zip(change, value_a, strict=True)
    ]
    out = pd.DataFrame(
        {
            "number": numbers,
            "indicator": tb["indicator"].fillna(ta["indicator"]).tolist(),
            "unit": tb["unit"].fillna(ta["unit"]).tolist(),
            "requirement_a": ta["requirement"].tolist(),
            "requirement_b": tb["requirement"].tolist(),
            "value_a": value_a.tolist(),
            "value_b": value_b.tolist(),
            "display_a": ta["display"].tolist(),
            "display_b": tb["display"].tolist(),
            "change": change.tolist(),
            "change_pct": pct,
            "status_a": ta["status"].tolist(),
            "status_b": tb["status"].tolist(),
            "passed_a": ta["passed"].tolist(),
            "passed_b": tb["passed"].tolist(),
            "counts_a": ta["role"].isin(["must", "selected"]).tolist(),
            "counts_b": tb["role"].isin(["must", "selected"]).tolist(),
        }
    )
    out["status_changed"] = out["status_a"] != out["status_b"]
    out["flipped"] = [
        pa is not None and pb is not None and bool(pa) != bool(pb)
        for pa, pb in zip(out["passed_a"], out["passed_b"], strict=True)
    ]
    out["changed"] = (
        out["status_changed"]
        | (out["display_a"] != out["display_b"])
        | (out["passed_a"].astype(str) != out["passed_b"].astype(str))
    )
    if changed_only:
        out = out[out["changed"]].reset_index(drop=True)
    out = out[COMPARE_COLUMNS]
    out.attrs.update(a=label(a), b=label(b), compliant_a=a.compliant, compliant_b=b.compliant)
    return out


def results(data_dir: Path | str, years: list[int] | None = None) -> pd.DataFrame:
    """Every park-year of a data folder as one long tidy table.

    Parameters
    ----------
    data_dir : path-like
        The folder holding the park folders (each with a ``park.yaml``).
    years : list of int, optional
        Only these years; default: every year with data after each park's base year.

    Returns
    -------
    pandas.DataFrame
        One row per park, year and indicator, columns :data:`RESULTS_COLUMNS`: the park's id,
        name, whether its data are made up (``synthetic``, park.yaml) and its standard, the year
        and its verdict (``compliant``; None when the year is not judged), and the indicator's
        ``value`` (unrounded float [unit], NaN when not computable or a word), ``display`` (as
        printed), ``passed``, ``status``, ``margin_pct`` [% of the limit] and ``reason_zh``.

    Raises
    ------
    InputError
        If ``data_dir`` is not a folder or a park or year file is bad: every problem at once.
    """
    from ecopark.tree import park_folders

    folder = Path(data_dir)
    if not folder.is_dir():
        raise InputError(Problem(display_path(folder), "is not a folder; give the data folder"))
    from ecopark.columnar import as_assessment, assess_table, load_table

    frames: list[pd.DataFrame] = []
    problems: list[Problem] = []
    table = load_table(park_folders(folder))
    wanted = {}
    for p, park in enumerate(table.parks):
        wanted[p] = [y for y in park.years if y > park.config.base_year]
        if years is not None:
            wanted[p] = [y for y in park.years if y in years]
    for entry in assess_table(table, wanted):
        if isinstance(entry, str):
            problems += table.problems[entry].problems
            continue
        if entry.error is not None:
            problems += entry.error.problems
            continue
        frames.append(result_rows(as_assessment(entry)))
    if problems:
        raise InputError(problems)
    if not frames:
        return pd.DataFrame(columns=RESULTS_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def result_rows(a: Assessment) -> pd.DataFrame:
    """One assessment as rows of :func:`results` (columns :data:`RESULTS_COLUMNS`).

    Parameters
    ----------
    a : Assessment
        One park-year (:func:`ecopark.assess`).

    Returns
    -------
    pandas.DataFrame
        One row per indicator: :meth:`Assessment.table` with the park, its name, ``synthetic``,
        the standard, the year and the verdict in front.
    """
    t = a.table()
    t.insert(0, "park", a.park)
    t.insert(1, "park_name", a.config.name)
    t.insert(2, "synthetic", a.config.synthetic)
    t.insert(3, "standard", a.standard.code)
    t.insert(4, "year", a.year)
    t.insert(5, "compliant", a.compliant)
    return t[RESULTS_COLUMNS]
