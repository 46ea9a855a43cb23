"""Side by side: two assessments indicator by indicator, and the long results table of a folder.

- :func:`compare`: two years, two parks, a park and its scenario: one row per indicator with
  both values and statuses, the change and whether the status or the pass flag flipped.
- :func:`compare_standards`: one park-year under two of its standards (park.yaml ``standard:``
  lists them): the same rows, indicators matched only where a definition says so
  (``same_as:``), the others listed as present in one standard only, and both verdicts.
- :func:`results`: every park-year of a data folder as one long tidy table (one row per park,
  year and indicator), for pandas, Excel or a database.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ecopark.assessment import Assessment
from ecopark.errors import InputError, Problem, display_path
from ecopark.io.park import Park
from ecopark.standard.model import Standard
from ecopark.verdict import outcome

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
#: Columns of :func:`compare_standards`: ``number_a``/``number_b`` and ``indicator_a``/``indicator_b``
#: name the indicator in each standard (empty where it has none), ``in`` says where it exists
#: (``both``, ``a``, ``b``); the rest are :data:`COMPARE_COLUMNS`' (``change`` only between two
#: values of one unit).
COMPARE_STANDARDS_COLUMNS = [
    "number_a",
    "number_b",
    "indicator_a",
    "indicator_b",
    "in",
    "unit_a",
    "unit_b",
    "requirement_a",
    "requirement_b",
    "value_a",
    "value_b",
    "display_a",
    "display_b",
    "change",
    "status_a",
    "status_b",
    "passed_a",
    "passed_b",
    "counts_a",
    "counts_b",
    "status_changed",
    "flipped",
]
#: Columns of :func:`results`.
RESULTS_COLUMNS = [
    "park",
    "park_name",
    "synthetic",
    "standard",
    "year",
    "compliant",
    "outcome",
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


def compare(
    a: Assessment,
    b: Assessment,
    changed_only: bool = False,
    pairs: list[tuple[str | None, str | None]] | None = None,
) -> pd.DataFrame:
    """Two assessments indicator by indicator (``a`` before, ``b`` after).

    Parameters
    ----------
    a, b : Assessment
        Any two: two years of a park, two parks, a park and a scenario of it.
    changed_only : bool
        Keep only the rows where the value shown, the status or the pass flag differ.
    pairs : list of (str or None, str or None), optional
        Which indicator of ``a`` meets which of ``b`` (None: none), one row each, in order;
        default: matched by id, ``a``'s order, then ``b``'s others
        (:func:`compare_standards` passes those its definitions' ``same_as:`` declare).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARE_COLUMNS` (``number`` is ``b``'s id, else ``a``'s):
        ``value_a``/``value_b`` unrounded [unit] (NaN when not computable, a word, or no such
        indicator), ``display_*`` as printed, ``change`` = value_b − value_a [unit] (NaN unless
        both are numbers of one unit) and ``change_pct`` [% of value_a] (NaN without two numbers
        or with value_a = 0), ``status_*`` (pass/at_risk/fail/not_computable), ``passed_*``,
        ``counts_*`` (whether the indicator counts toward that verdict), ``status_changed``,
        ``flipped`` (the pass flag changed between True and False) and ``changed`` (anything
        above differs). ``attrs`` hold ``a`` and ``b`` (labels) and ``compliant_a`` /
        ``compliant_b`` (None: not judged), ``outcome_a`` / ``outcome_b`` (one of
        :data:`ecopark.verdict.OUTCOMES`).
    """
    ta, tb = a.table().set_index("number"), b.table().set_index("number")
    if pairs is None:
        pairs = [(n, n if n in tb.index else None) for n in ta.index]
        pairs += [(None, n) for n in tb.index if n not in ta.index]
    ta = ta.reindex([x for x, _ in pairs]).reset_index(drop=True)
    tb = tb.reindex([y for _, y in pairs]).reset_index(drop=True)
    value_a, value_b = ta["value"].astype(float), tb["value"].astype(float)
    same_unit = (ta["unit"].fillna("").to_numpy() == tb["unit"].fillna("").to_numpy()) | (
        ta["unit"].isna().to_numpy() | tb["unit"].isna().to_numpy()
    )
    change = (value_b - value_a).where(same_unit)
    pct = [
        (d / va * 100) if not math.isnan(d) and va != 0 else math.nan
        for d, va in zip(change, value_a, strict=True)
    ]
    out = pd.DataFrame(
        {
            "number": [y if y is not None else x for x, y in pairs],
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
    out.attrs.update(
        a=label(a),
        b=label(b),
        compliant_a=a.compliant,
        compliant_b=b.compliant,
        outcome_a=outcome(a),
        outcome_b=outcome(b),
    )
    return out


def matched_pairs(std_a: Standard, std_b: Standard) -> list[tuple[str | None, str | None]]:
    """The indicators of two standards side by side: ``(id in a, id in b)``, None where one has
    none.

    Two indicators are matched only when one's definition says so (``same_as: {code: id}``, in
    either file); the rest are listed alone: ``a``'s in its order (each followed by its match),
    then ``b``'s unmatched ones in its order.

    Raises
    ------
    InputError
        If a ``same_as:`` names an id the other standard does not have, or matches one indicator
        twice (naming the definition file).
    """
    ids_a, ids_b = [i.number for i in std_a.indicators], [i.number for i in std_b.indicators]
    match: dict[str, str] = {}
    problems: list[Problem] = []

    def pair(x: str, y: str, where: Standard, other: Standard, other_ids: list[str]) -> None:
        theirs = y if where is std_a else x
        if theirs not in other_ids:
            problems.append(
                Problem(
                    display_path(where.source),
                    f"indicator {x if where is std_a else y}: same_as names {other.code} "
                    f"indicator {theirs}, which it does not have ({', '.join(other_ids)})",
                    item="same_as",
                )
            )
            return
        if match.get(x, y) != y or (y in match.values() and match.get(x) != y):
            problems.append(
                Problem(
                    display_path(where.source),
                    f"same_as matches {std_a.code} {x} and {std_b.code} {y}, but one of them is "
                    "matched with another indicator already; keep one match each",
                    item="same_as",
                )
            )
            return
        match[x] = y

    for ind in std_a.indicators:
        if std_b.code in ind.same_as:
            pair(ind.number, ind.same_as[std_b.code], std_a, std_b, ids_b)
    for ind in std_b.indicators:
        if std_a.code in ind.same_as:
            pair(ind.same_as[std_a.code], ind.number, std_b, std_a, ids_a)
    if problems:
        raise InputError(problems)
    matched_b = set(match.values())
    return [(x, match.get(x)) for x in ids_a] + [(None, y) for y in ids_b if y not in matched_b]


def compare_standards(
    park: Park, year: int, code_a: str | None = None, code_b: str | None = None
) -> pd.DataFrame:
    """One park-year under two of its standards, indicator by indicator.

    Parameters
    ----------
    park : Park
        A park whose park.yaml ``standard:`` names both (:func:`ecopark.load_park`).
    year : int
        The year assessed.
    code_a, code_b : str, optional
        The two standards (codes or ids); default the first two park.yaml lists.

    Returns
    -------
    pandas.DataFrame
        One row per indicator of either standard, columns :data:`COMPARE_STANDARDS_COLUMNS`:
        matched pairs (:func:`matched_pairs`) on one row, an indicator the other standard lacks
        alone (``in`` ``a`` or ``b``, the other side empty). ``attrs`` hold ``a`` and ``b`` (the
        codes), ``compliant_a``/``compliant_b`` (None: not judged), ``outcome_a``/``outcome_b``
        (:data:`ecopark.verdict.OUTCOMES`) and ``verdict_a``/``verdict_b``
        (:meth:`Assessment.verdict_text`, in words).

    Raises
    ------
    InputError
        If the park names fewer than two standards, or not ``code_a``/``code_b``, or they are
        the same standard.
    """
    from ecopark.engine import assess

    codes = park.config.standards
    if code_a is None and code_b is None and len(codes) < 2:
        raise InputError(
            Problem(
                display_path(park.path / "park.yaml"),
                f"names one standard ({codes[0]}); list two to compare them, e.g. "
                f"standard: [{codes[0]}, ...]",
                item="standard",
            )
        )
    first = park.under(code_a or codes[0])
    rest = [c for c in codes if c != first.standard.code]
    if code_b is None and not rest:
        raise InputError(
            Problem(
                display_path(park.path / "park.yaml"),
                f"names no standard besides {first.standard.code} to compare it with",
                item="standard",
            )
        )
    second = park.under(code_b or rest[0])
    std_a, std_b = first.standard, second.standard
    if std_a is std_b:
        raise InputError(
            Problem("standard", f"give two different standards, not {std_a.code} twice")
        )
    a, b = assess(first, year), assess(second, year)
    pairs = matched_pairs(std_a, std_b)
    table = compare(a, b, pairs=pairs)
    names_a = {i.number: (i.label, i.name_zh) for i in std_a.indicators}
    names_b = {i.number: (i.label, i.name_zh) for i in std_b.indicators}
    table.insert(0, "number_a", [names_a[x][0] if x else "" for x, _ in pairs])
    table.insert(1, "number_b", [names_b[y][0] if y else "" for _, y in pairs])
    table["indicator_a"] = [names_a[x][1] if x else "" for x, _ in pairs]
    table["indicator_b"] = [names_b[y][1] if y else "" for _, y in pairs]
    table["in"] = ["both" if x and y else "a" if x else "b" for x, y in pairs]
    units_a = {i.number: i.unit for i in std_a.indicators}
    units_b = {i.number: i.unit for i in std_b.indicators}
    table["unit_a"] = [units_a[x] if x else "" for x, _ in pairs]
    table["unit_b"] = [units_b[y] if y else "" for _, y in pairs]
    alone_a = table["in"] == "a"
    alone_b = table["in"] == "b"
    table.loc[alone_a | alone_b, ["status_changed", "flipped"]] = False
    out = table[COMPARE_STANDARDS_COLUMNS].copy()
    out.attrs.update(
        a=std_a.code,
        b=std_b.code,
        park=park.id,
        year=year,
        compliant_a=a.compliant,
        compliant_b=b.compliant,
        outcome_a=outcome(a),
        outcome_b=outcome(b),
        verdict_a=a.verdict_text(),
        verdict_b=b.verdict_text(),
    )
    return out


def results(
    data_dir: Path | str, years: list[int] | None = None, standard: str | None = None
) -> pd.DataFrame:
    """Every park-year of a data folder as one long tidy table.

    Parameters
    ----------
    data_dir : path-like
        The folder holding the park folders (each with a ``park.yaml``).
    years : list of int, optional
        Only these years; default: every year with data after each park's base year.
    standard : str, optional
        The standard to assess against (code or id); parks whose ``park.yaml`` does not name
        it are left out. Default: each park's first standard.

    Returns
    -------
    pandas.DataFrame
        One row per park, year and indicator, columns :data:`RESULTS_COLUMNS`: the park's id,
        name, whether its data are made up (``synthetic``, park.yaml) and its standard, the year
        and its verdict (``compliant``, None when the year is not judged; ``outcome``, one of
        :data:`ecopark.verdict.OUTCOMES`: also ``not_assessable`` when a gate tier failed), and the indicator's
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
    table = load_table(park_folders(folder), standard)
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
        the standard, the year and the verdict (``compliant``, ``outcome``) in front.
    """
    t = a.table()
    t.insert(0, "park", a.park)
    t.insert(1, "park_name", a.config.name)
    t.insert(2, "synthetic", a.config.synthetic)
    t.insert(3, "standard", a.standard.code)
    t.insert(4, "year", a.year)
    t.insert(5, "compliant", a.compliant)
    t.insert(6, "outcome", outcome(a))
    return t[RESULTS_COLUMNS]
