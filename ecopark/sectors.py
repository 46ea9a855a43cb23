"""Sector (or enterprise) breakdowns of a park's additive items, and what they explain.

An optional file per year, ``<park>/sectors/<year>.csv`` (or ``.xlsx``), splits additive raw items
(value added, energy, water, solid waste, wastewater, CO₂, pollutants) by sector; the format is in
``docs/data-format-sectors.md``. With it:

- :func:`sector_shares`: each sector's share of an indicator's numerator (and, for intensities per
  value added, its own intensity and its contribution to the park's);
- :func:`structure_intensity`: LMDI-I structure and intensity effects of the intensity indicators
  (HJ 274 nos. 11, 14, 27, 28) between two years, ``I = Σ_i S_i · I_i``;
- :func:`activity_structure_intensity`: activity, structure and intensity effects of an absolute
  quantity ``W = Σ_i Y · S_i · I_i``;
- :func:`check_sector_totals`: sector totals that differ from the park file by more than 1 %.

A caution for report text (Roux & Plank 2022): a structure effect is a statement about shares of
value added, not about any sector's absolute growth; a sector can grow and still lower its share.
"""

from __future__ import annotations

import ast
import math

import numpy as np
import pandas as pd

from ecopark.errors import InputError, Problem, display_path
from ecopark.io.park import Park
from ecopark.io.sectors import (
    SECTOR_DIR,
    additive_items,
    load_sectors,
    read_sector_file,
    sector_files,
)
from ecopark.lmdi import NEW_ACTIVITY, lmdi_terms, logmean
from ecopark.standard.model import Indicator, Standard
from ecopark.standard.shape import ShapeMismatch, affine, calls, is_quotient, items_of

#: Relative tolerance of :func:`check_sector_totals` (1 %).
TOLERANCE = 0.01

STRUCTURE = "结构效应 (structure: 行业增加值占比)"
INTENSITY = "强度效应 (intensity: 行业强度)"
ACTIVITY = "规模效应 (activity: 园区工业增加值)"


# --------------------------------------------------------------------------------------------
# Checks


def check_sector_totals(
    park: Park, years: list[int] | None = None, tolerance: float = TOLERANCE
) -> list[Problem]:
    """Warnings for sector totals that differ from the park file by more than ``tolerance``.

    Parameters
    ----------
    park : Park
        The park.
    years : list of int, optional
        Default: every year with a sector file.
    tolerance : float
        Relative difference allowed [fraction], default 0.01 (1 %).

    Returns
    -------
    list of Problem
        One per year and item, ``message`` starting with ``warning:``, ``item`` the item id, and
        the file the sector file. Also a warning when the park file lacks an item the sector file
        has, or has no file for the year (nothing to compare). Empty when everything agrees.

    Raises
    ------
    InputError
        If a sector file itself is invalid.
    """
    problems: list[Problem] = []
    files = sector_files(park)
    for year in years or list(files):
        if year not in files:
            continue
        shown = display_path(files[year])
        frame = read_sector_file(files[year], park.standard, year, park.also)
        park_values = park.values(year) if year in park.files else None
        if park_values is None:
            problems.append(
                Problem(
                    shown,
                    f"warning: there is no park file for {year}, so the "
                    "sector totals cannot be checked",
                )
            )
            continue
        for item, total in frame.groupby("item", sort=False)["value"].sum().items():
            it = park.standard.items[item]
            if item not in park_values:
                problems.append(
                    Problem(
                        shown,
                        f"warning: {year}: the park file has no "
                        f"{it.name_zh} to compare the sector total "
                        f"{total:,.6g} {it.unit} with",
                        item=item,
                    )
                )
                continue
            ref = float(park_values[item])
            diff = (total - ref) / ref if ref else (0.0 if total == 0 else math.inf)
            if abs(diff) > tolerance:
                problems.append(
                    Problem(
                        shown,
                        f"warning: {year}: 各行业{it.name_zh}合计 {total:,.6g} {it.unit} 与园区数据 "
                        f"{ref:,.6g} {it.unit} 相差 {diff:+.1%}（超过 {tolerance:.0%}）; the sector "
                        f"total differs from the park file by {diff:+.1%}",
                        item=item,
                    )
                )
    return problems


# --------------------------------------------------------------------------------------------
# Indicator structure


def numerator_items(ind: Indicator, standard: Standard) -> list[str]:
    """The sector items in the numerator of an indicator's formula (evaluation-year references).

    11 → ``["energy"]``, 25 → ``["cod", "ammonia_nitrogen", "so2", "nox"]``, 26 → ``["co2"]``.

    Raises
    ------
    ValueError
        If the numerator holds no item that a sector file can give.
    """
    tree = ind.formula.tree
    found: list[str] = []
    try:
        _, _, atoms = affine(tree, 1.0)
        for atom, p in atoms.items():
            if p > 0 and isinstance(atom.node, ast.Name):
                found.append(atom.node.id)
    except ShapeMismatch:
        for part in tree.args if calls(tree, "mean") else [tree]:
            left = part.left if is_quotient(part) else part
            found += [i for i, ref in items_of(left) if ref == "T"]
    additive = additive_items(standard)
    items = [i for i in dict.fromkeys(found) if i in additive]
    if not items:
        raise ValueError(
            f"indicator {ind.number} ({ind.name_zh}) has no numerator item that a "
            f"sector file gives ({', '.join(additive)})"
        )
    return items


def intensity_structure(ind: Indicator, standard: Standard) -> tuple[str, float]:
    """``(numerator item, scale)`` of an intensity per value added ``scale · W / value_added``.

    11 → ``("energy", 1)``, 14 → ``("fresh_water", 10000)``, 27, 28 likewise.

    Raises
    ------
    ValueError
        If the indicator is not of that form.
    """
    try:
        alpha, beta, powers = affine(ind.formula.tree, 1.0)
    except ShapeMismatch:
        powers, alpha, beta = {}, 1.0, 0.0
    atoms = {atom.text: p for atom, p in powers.items()}
    additive = additive_items(standard)
    num = [a for a, p in atoms.items() if p == 1 and a in additive and a != "value_added"]
    if alpha != 0 or len(atoms) != 2 or atoms.get("value_added") != -1 or len(num) != 1:
        raise ValueError(
            f"indicator {ind.number} ({ind.name_zh}) is not an intensity per value "
            "added (k · item / value_added)"
        )
    return num[0], beta


# --------------------------------------------------------------------------------------------
# Shares


def _wide(park: Park, year: int, items: list[str]) -> pd.DataFrame:
    long = load_sectors(park, year)
    if long is None:
        raise InputError(
            Problem(
                display_path(park.path / SECTOR_DIR / f"{year}.csv"),
                f"does not exist; this needs the {year} sector breakdown "
                "(see docs/data-format-sectors.md)",
            )
        )
    wide = long.pivot(index="sector", columns="item", values="value").reindex(
        list(dict.fromkeys(long["sector"]))
    )
    shown = display_path(sector_files(park)[year])
    problems = []
    for item in items:
        if item not in wide.columns:
            problems.append(
                Problem(
                    shown,
                    f"no sector gives {park.standard.items[item].name_zh}; "
                    "every sector needs it here",
                    item=item,
                )
            )
            continue
        for sector in wide.index[wide[item].isna()]:
            problems.append(
                Problem(
                    shown, f"sector '{sector}' lacks {park.standard.items[item].name_zh}", item=item
                )
            )
    if problems:
        raise InputError(problems)
    return wide[items]


def sector_shares(park: Park, year: int, number: int) -> pd.DataFrame:
    """Each sector's share of an indicator's numerator in ``year``.

    Parameters
    ----------
    park : Park
        The park (with ``sectors/<year>.csv``).
    year : int
        The year.
    number : int
        HJ 274 indicator number (e.g. 11, 14, 25, 26, 27, 28).

    Returns
    -------
    pandas.DataFrame
        One row per numerator item and sector: ``number``, ``indicator``, ``year``, ``sector``,
        ``item``, ``value`` [item's catalogue unit], ``unit``, ``share`` [fraction of the sector
        total, sums to 1 per item], ``value_added`` [万元] and ``value_added_share`` [fraction]
        (NaN without value added), and, for intensities per value added (11, 14, 27, 28):
        ``intensity`` [the indicator's unit: the sector's own k·W_i/Y_i; NaN if Y_i = 0] and
        ``contribution`` [the indicator's unit: k·W_i/ΣY, summing to the park intensity computed
        from the sector file].

    Raises
    ------
    InputError
        If the year has no sector file or a sector lacks a needed item.
    ValueError
        If the indicator's numerator has no sector item.
    """
    ind = park.standard.indicator(number)
    items = numerator_items(ind, park.standard)
    try:
        intensity_item, scale = intensity_structure(ind, park.standard)
    except ValueError:
        intensity_item, scale = None, math.nan
    long = load_sectors(park, year)
    has_va = long is not None and "value_added" in set(long["item"])
    wide = _wide(park, year, list(dict.fromkeys(items + (["value_added"] if has_va else []))))
    rows = []
    for item in items:
        total = wide[item].sum()
        for sector, w in wide[item].items():
            va = float(wide.at[sector, "value_added"]) if has_va else math.nan
            row = {
                "number": number,
                "indicator": ind.name_zh,
                "year": year,
                "sector": sector,
                "item": item,
                "value": float(w),
                "unit": park.standard.items[item].unit,
                "share": float(w / total) if total else math.nan,
                "value_added": va,
                "value_added_share": va / wide["value_added"].sum() if has_va else math.nan,
                "intensity": math.nan,
                "contribution": math.nan,
            }
            if item == intensity_item and has_va:
                row["intensity"] = scale * w / va if va else math.nan
                row["contribution"] = scale * w / wide["value_added"].sum()
            rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Decompositions


def _pair(park: Park, year_from: int | None, year_to: int | None) -> tuple[int, int]:
    files = sector_files(park)
    y0 = park.config.base_year if year_from is None else int(year_from)
    y1 = (max(files) if files else park.years[-1]) if year_to is None else int(year_to)
    return y0, y1


def _aligned(w0: pd.DataFrame, w1: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both years on the union of sectors; a sector absent in one year has zeros there."""
    sectors = list(dict.fromkeys([*w0.index, *w1.index]))
    return w0.reindex(sectors).fillna(0.0), w1.reindex(sectors).fillna(0.0)


def _sector_terms(rows: list[tuple], new: list[tuple[str, float]]) -> pd.DataFrame:
    """LMDI-I terms ``(i, factor, effect)`` of the sectors in ``rows`` (long ``i, period, factor,
    value``), plus each new or closed sector's whole change as :data:`~ecopark.lmdi.NEW_ACTIVITY`."""
    frame = pd.DataFrame(rows, columns=["i", "period", "factor", "value"])
    terms = lmdi_terms(frame) if rows else pd.DataFrame(columns=["i", "factor", "effect"])
    if new:
        extra = pd.DataFrame([(s, NEW_ACTIVITY, e) for s, e in new], columns=terms.columns)
        terms = pd.concat([terms, extra], ignore_index=True)
    return terms


def _name_intensity(factors: pd.Series, standard: Standard, item: str) -> pd.Series:
    """The intensity effect named after its item: ``强度效应 (intensity: 行业单位增加值综合能耗, energy)``."""
    name = standard.items[item].name_zh
    return factors.replace({INTENSITY: f"强度效应 (intensity: 行业单位增加值{name}, {item})"})


def intensity_decomposition(
    sectors0: pd.DataFrame,
    sectors1: pd.DataFrame,
    numerator: str,
    denominator: str = "value_added",
    *,
    scale: float = 1.0,
    by_sector: bool = False,
) -> pd.DataFrame:
    """Structure and intensity effects (LMDI-I) of an aggregate intensity ``I = k·ΣW_i / ΣY_i``.

    ``I = Σ_i S_i · I_i`` with ``S_i = Y_i / Y`` and ``I_i = k · W_i / Y_i``; the additive effects
    ``ΔI_str = Σ_i L(w_i^T, w_i^0) ln(S_i^T/S_i^0)`` and ``ΔI_int = Σ_i L(w_i^T, w_i^0)
    ln(I_i^T/I_i^0)`` (``w_i = k·W_i/Y``) sum to ``I^T − I^0``; the multiplicative factors multiply
    to ``I^T / I^0``. A sector with no value added in one of the years (new, closed) cannot be
    split: its change ``w_i^T − w_i^0`` is reported as :data:`~ecopark.lmdi.NEW_ACTIVITY`.

    Parameters
    ----------
    sectors0, sectors1 : pandas.DataFrame
        Wide tables (index sector, columns items) of the two years [catalogue units].
    numerator, denominator : str
        Item ids (``"energy"``, ``"value_added"``).
    scale : float
        k, e.g. 10⁴ for HJ 274 no. 14 (万立方米 → 立方米).
    by_sector : bool
        Also return each sector's effects (column ``sector``; total rows have ``sector`` = "合计").

    Returns
    -------
    pandas.DataFrame
        ``factor``, ``effect`` [unit of I], ``factor_ratio`` [-], ``note``; with ``by_sector``
        also ``sector``. ``attrs``: ``I0``, ``IT``.

    Raises
    ------
    ValueError
        On a negative value, or a zero total denominator.
    """
    w0, w1 = _aligned(sectors0[[numerator, denominator]], sectors1[[numerator, denominator]])
    Y0, Y1 = w0[denominator].sum(), w1[denominator].sum()
    if Y0 <= 0 or Y1 <= 0:
        raise ValueError(f"the total {denominator} is 0 in a year: the intensity is undefined")
    I0 = scale * w0[numerator].sum() / Y0
    I1 = scale * w1[numerator].sum() / Y1
    regular = (w0[denominator] > 0) & (w1[denominator] > 0)
    rows = []
    for sector in w0.index[regular]:
        for period, w, Y in ((0, w0, Y0), (1, w1, Y1)):
            y_i, v_i = w.at[sector, denominator], w.at[sector, numerator]
            rows.append((sector, period, STRUCTURE, y_i / Y))
            rows.append((sector, period, INTENSITY, scale * v_i / y_i))
    new = [
        (s, scale * (w1.at[s, numerator] / Y1 - w0.at[s, numerator] / Y0))
        for s in w0.index[~regular]
    ]
    terms = _sector_terms(rows, new)
    lm = float(logmean(I1, I0)) if I0 > 0 and I1 > 0 else math.nan
    note = "" if lm == lm else "乘法分解无定义：强度为 0"

    def ratio(effect: float) -> float:
        return math.exp(effect / lm) if lm == lm else math.nan

    totals = terms.groupby("factor", sort=False)["effect"].sum()
    out = pd.DataFrame({"factor": totals.index, "effect": totals.to_numpy(dtype=float)})
    out["factor_ratio"] = [ratio(e) for e in out["effect"]]
    out["note"] = note
    if by_sector:
        detail = terms.rename(columns={"i": "sector"}).copy()
        detail["factor_ratio"] = [ratio(e) for e in detail["effect"]]
        detail["note"] = note
        out.insert(0, "sector", "合计")
        out = pd.concat(
            [out, detail[["sector", "factor", "effect", "factor_ratio", "note"]]], ignore_index=True
        )
    out.attrs.update(I0=I0, IT=I1)
    return out


def structure_intensity(
    park: Park,
    number: int,
    year_from: int | None = None,
    year_to: int | None = None,
    *,
    by_sector: bool = False,
) -> pd.DataFrame:
    """Structure and intensity effects of an intensity indicator between two years.

    Parameters
    ----------
    park : Park
        The park, with sector files for both years.
    number : int
        11 (单位工业增加值综合能耗), 14 (单位工业增加值新鲜水耗), 27 (单位工业增加值废水排放量),
        28 (单位工业增加值固废产生量), or any indicator ``k · item / value_added``.
    year_from, year_to : int, optional
        Default: the base year and the latest year with a sector file.
    by_sector : bool
        Add each sector's effects (column ``sector``; the totals have ``sector`` = "合计").

    Returns
    -------
    pandas.DataFrame
        Columns ``number, indicator, from_value, to_value, factor, effect, factor_ratio, note``
        (like :func:`ecopark.attribution.attribute`). ``from_value``/``to_value`` [the
        indicator's unit] are computed from the sector files (they equal the park's values when
        the totals agree); ``factor`` is the structure effect, the intensity effect and, if a
        sector is new or closed, :data:`~ecopark.lmdi.NEW_ACTIVITY`. Effects sum to
        ``to_value − from_value``; factor ratios multiply to ``to_value / from_value``.

    Raises
    ------
    InputError
        If a sector file is missing or lacks an item.
    ValueError
        If the indicator is not an intensity per value added.
    """
    ind = park.standard.indicator(number)
    item, scale = intensity_structure(ind, park.standard)
    y0, y1 = _pair(park, year_from, year_to)
    res = intensity_decomposition(
        _wide(park, y0, [item, "value_added"]),
        _wide(park, y1, [item, "value_added"]),
        item,
        scale=scale,
        by_sector=by_sector,
    )
    res["factor"] = _name_intensity(res["factor"], park.standard, item)
    res.insert(0, "to_value", res.attrs["IT"])
    res.insert(0, "from_value", res.attrs["I0"])
    res.insert(0, "indicator", ind.name_zh)
    res.insert(0, "number", number)
    res.attrs.update(year_from=y0, year_to=y1, park=park.id)
    return res


def activity_structure_intensity(
    park: Park,
    item: str,
    year_from: int | None = None,
    year_to: int | None = None,
    *,
    by_sector: bool = False,
) -> pd.DataFrame:
    """Activity, structure and intensity effects of an absolute quantity ``W = Σ_i Y·S_i·I_i``.

    Parameters
    ----------
    park : Park
        The park, with sector files for both years.
    item : str
        An additive item other than value added (``"solid_waste_generated"``, ``"energy"``,
        ``"co2"`` ...).
    year_from, year_to : int, optional
        Default: the base year and the latest year with a sector file.
    by_sector : bool
        Add each sector's effects (column ``sector``; the totals have ``sector`` = "合计").

    Returns
    -------
    pandas.DataFrame
        ``item``, ``from_value``, ``to_value`` [item's unit, sector totals], ``factor`` (activity,
        structure, intensity, possibly new/removed activity), ``effect`` [item's unit, summing to
        the change], ``factor_ratio`` [-, multiplying to the ratio], ``note``.
    """
    y0, y1 = _pair(park, year_from, year_to)
    w0, w1 = _aligned(
        _wide(park, y0, [item, "value_added"]), _wide(park, y1, [item, "value_added"])
    )
    Y0, Y1 = w0["value_added"].sum(), w1["value_added"].sum()
    if Y0 <= 0 or Y1 <= 0:
        raise ValueError("the total value added is 0 in a year")
    regular = (w0["value_added"] > 0) & (w1["value_added"] > 0)
    rows = []
    for s in w0.index[regular]:
        for period, w, Y in ((0, w0, Y0), (1, w1, Y1)):
            rows += [
                (s, period, ACTIVITY, Y),
                (s, period, STRUCTURE, w.at[s, "value_added"] / Y),
                (s, period, INTENSITY, w.at[s, item] / w.at[s, "value_added"]),
            ]
    terms = _sector_terms(rows, [(s, w1.at[s, item] - w0.at[s, item]) for s in w0.index[~regular]])
    V0, V1 = w0[item].sum(), w1[item].sum()
    lm = float(logmean(V1, V0)) if V0 > 0 and V1 > 0 else math.nan
    totals = terms.groupby("factor", sort=False)["effect"].sum()
    out = pd.DataFrame({"factor": totals.index, "effect": totals.to_numpy(dtype=float)})
    if by_sector:
        detail = terms.rename(columns={"i": "sector"})
        out.insert(0, "sector", "合计")
        out = pd.concat([out, detail[["sector", "factor", "effect"]]], ignore_index=True)
    out["factor_ratio"] = np.exp(out["effect"] / lm) if lm == lm else np.nan
    out["note"] = "" if lm == lm else "乘法分解无定义：总量为 0"
    out["factor"] = _name_intensity(out["factor"], park.standard, item)
    out.insert(0, "to_value", V1)
    out.insert(0, "from_value", V0)
    out.insert(0, "item", item)
    out.attrs.update(year_from=y0, year_to=y1, park=park.id)
    return out


__all__ = [
    "activity_structure_intensity",
    "check_sector_totals",
    "intensity_decomposition",
    "intensity_structure",
    "numerator_items",
    "sector_shares",
    "structure_intensity",
]
