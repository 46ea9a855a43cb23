"""Why an indicator changed between two years: LMDI-I attribution of a park's indicators.

The maths (logarithmic mean, LMDI-I additive and multiplicative, zeros by the analytical limits of
Ang & Liu 2007) are :mod:`ecopark.lmdi`, knowing no park; the structure of each formula (its
constants, factors and powers) is read by :mod:`ecopark.standard.shape` from the compiled formula.

Here :func:`attribute` explains every computable indicator of a park
between two years, reading each indicator's structure from the standard's own formula:

- **ratios and products** (HJ 274 nos. 1, 2, 4, 6, 7, 8, 11, 12, 14, 15, 16, 27, 28): the formula
  is ``k · Π g_j^{p_j}``; each ``g_j`` (an item, or a sum such as 6's denominator) is one factor,
  named ``分子：…`` (p > 0) or ``分母：…`` (p < 0). This is LMDI-I with one sub-category.
- **growth rates and the CO₂-intensity reduction** (3, 9, 26): the formula is affine in a product
  of powers, ``α + β · Π g_j^{p_j}`` (``100·cagr(x, x0, k) = −100 + 100·(x/x0)^{1/k}``); the
  product is decomposed by LMDI-I and the effects scaled by β (log-linear attribution). When the
  exponents change between the years (``1/n``), the inputs are grouped per item so that the effects
  do not depend on the units.
- **means of terms** (25, 主要污染物排放弹性系数): each term's change divided by the number of
  terms is its additive contribution to the mean (each pollutant's elasticity / 4).
- **quotients of growth rates** (elasticities 10, 13): the two-factor Shapley/Sun split
  ``ΔE_N = ½ ΔN (1/D^0 + 1/D^T)``, ``ΔE_D = ½ Δ(1/D) (N^0 + N^T)``, exact and valid for negative
  growth rates.

Indicators defined by the change since the base year (10, 13, 25, 26) have no value in the base
year itself. When ``year_from`` is the base year, 25 and 26 are decomposed from the neutral
reference 0 (no change since the base year): 26's effects split its value by the log shares of
CO₂ and value added, 25's are each pollutant's elasticity / 4. 10 and 13 are skipped there (a
single quotient has nothing to split from a reference of 0); choose a later ``year_from``.

The multiplicative ``factor_ratio`` of every indicator row is ``exp(effect / L(to, from))``, so
factors multiply to ``to_value / from_value`` exactly (``L(v, v) = v`` when the two are equal, 1 for
a zero effect); it is NaN, with the reason in ``note`` (:func:`ecopark.lmdi.factor_ratio`), when
either value is 0 or negative, or so near 0 that the ratio is beyond any float (an unchanged CO₂
intensity: 26 is 0 in both years). ``attribute`` and ``ecopark attribute --indicator N`` refuse an
unknown indicator or one reported directly, naming those that can be decomposed
(:func:`decomposable`).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from ecopark.engine import context, evaluate
from ecopark.io.park import Park
from ecopark.lmdi import NEW_ACTIVITY, factor_ratio, lmdi_totals, ratio_decomposition
from ecopark.standard.model import Indicator, Standard
from ecopark.standard.shape import (
    Atom,
    ShapeMismatch,
    affine,
    calls,
    is_quotient,
    items_of,
)
from ecopark.standard.shape import (
    evaluate as evaluate_part,
)

#: Columns of :func:`attribute` and ``ecopark attribute``.
ATTRIBUTION_COLUMNS = [
    "number",
    "indicator",
    "from_value",
    "to_value",
    "role",
    "item",
    "item_zh",
    "label",
    "effect",
    "factor_ratio",
]


# --------------------------------------------------------------------------------------------
# Attribution of a park's indicators


#: What a factor is to its indicator (``role``), and how its label begins.
ROLE_PREFIX = {"numerator": "分子：", "denominator": "分母：", "term": "", "new_activity": ""}


def _factor(role: str, items: Iterable[str], standard: Standard, text: str) -> dict:
    """The factor columns of a row: role, item ids and Chinese names (lists), the human label."""
    ids = list(dict.fromkeys(items))
    return {
        "role": role,
        "item": ids,
        "item_zh": [standard.items[i].name_zh for i in ids],
        "label": ROLE_PREFIX[role] + text,
    }


def _row(ind: Indicator, v0: float, v1: float, factor: dict, effect: float, note: str = "") -> dict:
    return {
        "number": ind.number,
        "indicator": ind.name_zh,
        "from_value": v0,
        "to_value": v1,
        **factor,
        "effect": effect,
        "factor_ratio": np.nan,
        "note": note,
    }


def _with_ratios(rows: list[dict]) -> list[dict]:
    """factor_ratio = exp(effect / L(to, from)), or NaN with the reason (lmdi.factor_ratio)."""
    for r in rows:
        r["factor_ratio"], why = factor_ratio(r["effect"], r["from_value"], r["to_value"])
        if why:
            r["note"] = "；".join(x for x in (r["note"], why) if x)
    return rows


def _decompose_affine(ind, standard, tree, ctx0, n0, ctx1, n1, reference: bool, v0, v1):
    a1, b1, atoms1 = affine(tree, n1)
    if reference:
        a0, b0, atoms0 = a1, b1, dict(atoms1)
    else:
        a0, b0, atoms0 = affine(tree, n0)
    if not (math.isclose(a0, a1) and math.isclose(b0, b1)) or set(atoms0) != set(atoms1):
        raise ShapeMismatch("the formula's constants change between the two years")
    # At the neutral reference the exponents (1/n) are undefined: group per item there too.
    same_powers = not reference and all(math.isclose(atoms0[k], atoms1[k]) for k in atoms1)

    def group_of(atom: Atom) -> str:
        if same_powers or atom.item is None:
            return atom.text
        return atom.item

    groups: dict[str, list[Atom]] = {}
    for atom in atoms1:
        groups.setdefault(group_of(atom), []).append(atom)
    by_text = {atom.text: atom for atom in atoms1}
    rows = []
    x0s, x1s = [], []
    for members in groups.values():
        x = []
        for ctx, n, atoms, is_ref in ((ctx0, n0, atoms0, reference), (ctx1, n1, atoms1, False)):
            if is_ref:
                x.append(1.0)
                continue
            prod = 1.0
            for m in members:
                val = m.value(ctx, n)
                if val == 0 and atoms[m] < 0:
                    raise ShapeMismatch("a zero denominator")
                prod *= val ** atoms[m] if val != 0 else 0.0
            x.append(prod)
        x0s.append(x[0])
        x1s.append(x[1])
    effects, p0, p1 = lmdi_totals(list(groups), x0s, x1s)
    f0 = a0 + b0 * p0
    f1 = a1 + b1 * p1
    # α + β·P cancels to 0 when nothing changed (26 with equal intensities): compare on its scale
    tol0 = 1e-9 * (abs(a0) + abs(b0 * p0)) + 1e-12
    tol1 = 1e-9 * (abs(a1) + abs(b1 * p1)) + 1e-12
    if not (
        math.isclose(f1, v1, rel_tol=1e-9, abs_tol=tol1)
        and (reference or math.isclose(f0, v0, rel_tol=1e-9, abs_tol=tol0))
    ):
        raise ShapeMismatch("the parsed formula does not reproduce the engine's value")
    names = {item.id: item.name_zh for item in standard.items.values()}
    for g, eff in effects.items():
        if g == NEW_ACTIVITY:
            items = [i for atom in atoms1 for i, _ in items_of(atom.node)]
            factor = _factor("new_activity", items, standard, NEW_ACTIVITY)
        else:
            members = groups[g]
            tref = next((m for m in members if "[" not in m.text), members[0])
            role = "numerator" if atoms1[tref] > 0 else "denominator"
            readable = by_text[g].readable(names) if g in by_text else names[g]
            items = [i for m in members for i, _ in items_of(m.node)]
            factor = _factor(role, items, standard, readable)
        rows.append(_row(ind, f0 if reference else v0, v1, factor, b1 * eff))
    if reference:
        note = "起始年为规划基准年：以“较基准年无变化”（指标值 0）为参照，按对数份额分解"
        for r in rows:
            r["note"] = note
    return rows


def _term_factor(node: ast.expr, others: list[ast.expr], standard: Standard, role: str) -> dict:
    """The factor columns of a term: the items that set it apart from ``others`` (all of its
    items when none do), named with 年均增长率 when the term is a growth rate."""
    own = [i for i, _ in items_of(node)]
    common = set(own)
    for o in others:
        common &= {i for i, _ in items_of(o)}
    distinct = [i for i in dict.fromkeys(own) if i not in common] or list(dict.fromkeys(own))
    growth = calls(node, "cagr")
    names = "、".join(standard.items[i].name_zh for i in distinct)
    return _factor(role, distinct, standard, f"{names}{'年均增长率' if growth else ''}")


def _decompose_mean(ind, standard, tree, ctx0, n0, ctx1, n1, reference: bool, v0, v1):
    terms = tree.args
    m = len(terms)
    rows = []
    total0 = total1 = 0.0
    for t in terms:
        t1 = evaluate_part(t, ctx1, n1)
        t0 = 0.0 if reference else evaluate_part(t, ctx0, n0)
        total0 += t0 / m
        total1 += t1 / m
        factor = _term_factor(t, [o for o in terms if o is not t], standard, "term")
        rows.append(_row(ind, 0.0 if reference else v0, v1, factor, (t1 - t0) / m))
    if not math.isclose(total1, v1, rel_tol=1e-9, abs_tol=1e-12):
        raise ShapeMismatch("the parsed mean does not reproduce the engine's value")
    note = "各项贡献 = 该项变化 / 项数（第 25 项：各污染物弹性系数 / 4）"
    if reference:
        note += "；起始年为规划基准年：以 0 为参照，各项贡献即该项值 / 项数"
    for r in rows:
        r["note"] = note
    return rows


def _decompose_quotient(ind, standard, tree, ctx0, n0, ctx1, n1, reference: bool, v0, v1):
    if reference:
        raise ShapeMismatch(
            "弹性系数在规划基准年无定义，单个商无从以 0 为参照分解；请选择晚于基准年的起始年"
        )
    num, den = tree.left, tree.right
    N0, N1 = evaluate_part(num, ctx0, n0), evaluate_part(num, ctx1, n1)
    D0, D1 = evaluate_part(den, ctx0, n0), evaluate_part(den, ctx1, n1)
    if D0 == 0 or D1 == 0:
        raise ShapeMismatch("a zero denominator")
    eff_n = 0.5 * (N1 - N0) * (1 / D0 + 1 / D1)
    eff_d = 0.5 * (1 / D1 - 1 / D0) * (N0 + N1)
    if not math.isclose(N1 / D1, v1, rel_tol=1e-9, abs_tol=1e-12):
        raise ShapeMismatch("the parsed quotient does not reproduce the engine's value")
    note = "两因素 Shapley 分解（分子、分母可为负的增长率）"
    return [
        _row(ind, v0, v1, _term_factor(tree.left, [], standard, "numerator"), eff_n, note),
        _row(ind, v0, v1, _term_factor(tree.right, [], standard, "denominator"), eff_d, note),
    ]


def attribute_indicator(
    ind: Indicator,
    standard: Standard,
    ctx0: Mapping[str, object],
    n0: float,
    ctx1: Mapping[str, object],
    n1: float,
    v0: float | None,
    v1: float,
) -> list[dict]:
    """Rows of :func:`attribute` for one indicator, from two contexts (``"item@ref"`` mappings).

    ``v0 is None`` asks for the neutral reference (the start year is the base year); see the
    module notes. Raises ``ValueError`` with the reason when the indicator cannot be decomposed.
    """
    reference = v0 is None
    tree = ind.formula.tree
    args = (ind, standard, tree, ctx0, n0, ctx1, n1, reference, 0.0 if reference else v0, v1)
    try:
        try:
            rows = _decompose_affine(*args)
        except ShapeMismatch as first:
            if calls(tree, "mean"):
                rows = _decompose_mean(*args)
            elif is_quotient(tree):
                rows = _decompose_quotient(*args)
            else:
                raise ValueError(f"公式结构无法分解：{first}") from None
    except ShapeMismatch as exc:
        raise ValueError(str(exc)) from None
    except (OverflowError, ZeroDivisionError) as exc:  # values beyond a float's range
        raise ValueError(f"数值超出浮点范围，无法分解（{exc}）") from None
    return _with_ratios(rows)


def decomposable(standard: Standard) -> list[str]:
    """Numbers of the indicators the attribution can decompose: those computed from raw items.

    HJ 274-2015: 1–4, 6–16 and 25–28; the others are reported directly (5, 17–24, 29–32).
    Whether one decomposes between two given years also depends on its data (see ``skipped``).
    """
    return [ind.number for ind in standard.indicators if not ind.reported]


def check_numbers(standard: Standard, numbers: Iterable[str | int] | None) -> list[str] | None:
    """``numbers`` as asked for, each an indicator the attribution can decompose.

    Raises
    ------
    ValueError
        Naming the unknown or reported indicators and the ones that can be decomposed.
    """
    if numbers is None:
        return None
    numbers = [str(k) for k in numbers]
    known = {ind.number: ind for ind in standard.indicators}
    can = decomposable(standard)
    listed = _ranges(can)
    for k in numbers:
        if k not in known:
            raise ValueError(
                f"{standard.code} has no indicator {k}; indicators that can be decomposed: {listed}"
            )
        if k not in can:
            raise ValueError(
                f"indicator {k} ({known[k].name_zh}) is reported directly and has no inputs to "
                f"decompose; indicators that can be decomposed: {listed}"
            )
    return numbers


def _ranges(numbers: list[str]) -> str:
    """``["1", "2", "3", "4", "6"]`` → ``"1–4, 6"`` (runs of numeric ids; codes one by one)."""
    runs: list[list[str]] = []
    for k in numbers:
        if runs and k.isdigit() and runs[-1][-1].isdigit() and int(k) == int(runs[-1][-1]) + 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=[*ATTRIBUTION_COLUMNS, "note"]).astype(
        {
            "number": object,
            "from_value": float,
            "to_value": float,
            "effect": float,
            "factor_ratio": float,
        }
    )


def attribute(
    park: Park,
    year_from: int | None = None,
    year_to: int | None = None,
    numbers: Iterable[int] | None = None,
) -> pd.DataFrame:
    """LMDI-I attribution of every indicator's change between two years.

    Parameters
    ----------
    park : Park
        From :func:`ecopark.load_park`.
    year_from : int, optional
        Start year (default: the park's base year, 规划基准年).
    year_to : int, optional
        End year (default: the latest year with a data file).
    numbers : iterable of int, optional
        Only these indicators (default: all).

    Returns
    -------
    pandas.DataFrame
        One row per indicator and factor, columns :data:`ATTRIBUTION_COLUMNS` plus ``note``:

        - ``number`` (HJ 274 indicator number) and ``indicator`` (its Chinese name);
        - ``from_value``, ``to_value`` [the indicator's unit], unrounded;
        - the factor, tidy: ``role`` (``numerator``, ``denominator``, ``term`` of a mean, or
          ``new_activity`` for a change several zero factors share), ``item`` (list of the item
          ids it stands for, e.g. ``["energy"]``; a sum such as 6's denominator lists each),
          ``item_zh`` (their Chinese names, a list) and ``label`` (the human label, e.g.
          ``分子：综合能耗总量``, ``分母：三年前工业增加值``: unique within an indicator);
        - ``effect`` [the indicator's unit]: additive; an indicator's effects sum to
          ``to_value − from_value`` exactly;
        - ``factor_ratio`` [-]: multiplicative; an indicator's factors multiply to
          ``to_value / from_value`` (NaN when either is 0 or negative);
        - ``note``: method remarks and why a ratio is NaN.

        ``attrs["skipped"]`` lists ``{"number", "indicator", "reason"}`` for every indicator
        left out (not computable in a year, reported directly, no decomposable structure).

    Raises
    ------
    ValueError
        If ``numbers`` names an unknown indicator or one reported directly (:func:`check_numbers`).

    Examples
    --------
    Nantong ETDZ, 单位工业增加值综合能耗 (no. 11), 2015 → 2021 [吨标煤/万元]: energy −0.0053,
    value added −0.2032.
    """
    standard = park.standard
    base = park.config.base_year
    year_from = base if year_from is None else int(year_from)
    year_to = park.years[-1] if year_to is None else int(year_to)
    park.file_for(year_from), park.file_for(year_to)  # InputError naming the missing year file
    numbers = check_numbers(standard, numbers)
    ctx0, ctx1 = context(park, year_from), context(park, year_to)
    n0, n1 = year_from - base, year_to - base
    wanted = None if numbers is None else set(numbers)
    rows: list[dict] = []
    skipped: list[dict] = []
    for ind in standard.indicators:
        if wanted is not None and ind.number not in wanted:
            continue

        def skip(reason: str, ind: Indicator = ind) -> None:
            skipped.append({"number": ind.number, "indicator": ind.name_zh, "reason": reason})

        if ind.reported:
            skip("直接填报的指标，没有可分解的输入")
            continue
        ev1 = evaluate(ind, standard, park.config, ctx1, year_to)
        if ev1.value is None:
            skip(f"{year_to} 年无法计算：{ev1.reason_zh}")
            continue
        ev0 = evaluate(ind, standard, park.config, ctx0, year_from)
        v0: float | None
        if ev0.value is not None:
            v0 = float(ev0.value)
        elif year_from == base and ind.formula.uses_n:
            v0 = None  # neutral reference: no change since the base year
        else:
            skip(f"{year_from} 年无法计算：{ev0.reason_zh}")
            continue
        try:
            rows += attribute_indicator(ind, standard, ctx0, n0, ctx1, n1, v0, float(ev1.value))
        except ValueError as exc:
            skip(str(exc))
    out = pd.DataFrame(rows) if rows else _empty()
    out = out[[*ATTRIBUTION_COLUMNS, "note"]].reset_index(drop=True)
    out.attrs.update(park=park.id, year_from=year_from, year_to=year_to, skipped=skipped)
    return out


def attribute_chained(
    park: Park,
    year_from: int | None = None,
    year_to: int | None = None,
    numbers: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Year-on-year attribution over every data year between ``year_from`` and ``year_to``.

    For each indicator the steps run between consecutive years in which it is computable (the
    start year may be the base year's neutral reference, as in :func:`attribute`).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`attribute` plus ``step_from`` and ``step_to`` (first). Sum
        ``effect`` and multiply ``factor_ratio`` per indicator and factor with
        ``ecopark.lmdi.chain_total(steps, ("number", "indicator", "role", "label"))`` for the whole
        period; the sum equals ``to_value − from_value`` of the whole period exactly.
    """
    base = park.config.base_year
    year_from = base if year_from is None else int(year_from)
    year_to = park.years[-1] if year_to is None else int(year_to)
    park.file_for(year_from), park.file_for(year_to)
    numbers = check_numbers(park.standard, numbers)
    years = [y for y in park.years if year_from <= y <= year_to]
    if year_from not in years:
        years.insert(0, year_from)
    only = None if numbers is None else set(numbers)
    wanted = [
        i.number
        for i in park.standard.indicators
        if not i.reported and (only is None or i.number in only)
    ]
    computable: dict[str, list[int]] = {k: [] for k in wanted}
    for y in years:
        ctx = context(park, y)
        for number in wanted:
            ind = park.standard.indicator(number)
            ok = evaluate(ind, park.standard, park.config, ctx, y).value is not None
            if ok or (y == year_from == base and ind.formula.uses_n):
                computable[number].append(y)
    steps = []
    skipped = []
    for number, ys in computable.items():
        if len(ys) < 2 or ys[0] != year_from or ys[-1] != year_to:
            ind = park.standard.indicator(number)
            skipped.append(
                {
                    "number": number,
                    "indicator": ind.name_zh,
                    "reason": f"{year_from} 或 {year_to} 年无法计算",
                }
            )
            continue
        for a, b in zip(ys[:-1], ys[1:], strict=True):
            res = attribute(park, a, b, numbers=[number])
            if res.empty:
                skipped.extend(res.attrs["skipped"])
                continue
            res.insert(0, "step_to", b)
            res.insert(0, "step_from", a)
            steps.append(res)
    out = pd.concat(steps, ignore_index=True) if steps else _empty()
    out.attrs.update(park=park.id, year_from=year_from, year_to=year_to, skipped=skipped)
    return out


def attribute_ratio(
    park: Park,
    numerator: str,
    denominator: str,
    year_from: int | None = None,
    year_to: int | None = None,
    *,
    scale: float = 1.0,
) -> pd.DataFrame:
    """Numerator against denominator effect of any ratio of two raw items between two years.

    For ratios that are not an indicator themselves, e.g. CO₂ per value added behind HJ 274
    no. 26 (单位工业增加值二氧化碳排放量年均削减率).

    Parameters
    ----------
    park : Park
        The park.
    numerator, denominator : str
        Item ids (``"co2"``, ``"value_added"``).
    year_from, year_to : int, optional
        Default: the base year and the latest year.
    scale : float
        Constant factor of the ratio.

    Returns
    -------
    pandas.DataFrame
        Columns ``from_value``, ``to_value`` [item units, numerator/denominator], the factor as
        in :func:`attribute` (``role``, ``item``, ``item_zh``, ``label``: ``分子：<name>``,
        ``分母：<name>``), ``effect``, ``factor_ratio``, ``log_share``, ``note``.

    Raises
    ------
    InputError
        If either year has no data file.
    KeyError
        If an item is missing in either year.
    ValueError
        If a denominator is 0.
    """
    base = park.config.base_year
    year_from = base if year_from is None else int(year_from)
    year_to = park.years[-1] if year_to is None else int(year_to)
    park.file_for(year_from), park.file_for(year_to)
    v0, v1 = park.values(year_from), park.values(year_to)
    for item in (numerator, denominator):
        for y, v in ((year_from, v0), (year_to, v1)):
            if item not in v:
                raise KeyError(f"{item} is missing in {y}")
    standard = park.standard
    factors = [
        _factor("numerator", [numerator], standard, standard.items[numerator].name_zh),
        _factor("denominator", [denominator], standard, standard.items[denominator].name_zh),
    ]
    res = ratio_decomposition(
        float(v0[numerator]),
        float(v1[numerator]),
        float(v0[denominator]),
        float(v1[denominator]),
        scale=scale,
    )
    res = res.drop(columns="factor")
    for k, column in enumerate(("role", "item", "item_zh", "label")):
        res.insert(k, column, [f[column] for f in factors])
    res.insert(0, "to_value", res.attrs["RT"])
    res.insert(0, "from_value", res.attrs["R0"])
    return res
