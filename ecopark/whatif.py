"""What it would take: the value of one raw item that brings an indicator to its requirement.

For each failing or at-risk indicator of a park-year and each raw item it reads in the evaluation
year (references ``T`` in :attr:`ecopark.standard.model.Indicator.inputs`), find the value of that item
alone, every other item unchanged, at which the indicator's unrounded value equals its limit.
The solver re-evaluates the engine's own formula (:func:`ecopark.engine.evaluate`) on a copy of
``assessment.values`` with the one key ``"item@T"`` replaced, brackets the boundary by expanding
factors around the current value and refines it with :func:`scipy.optimize.brentq`. Nothing is
inverted by hand, so ratios, shares, growth rates, elasticities (with their branch chosen by the
sign of g_V) and the four-pollutant mean of indicator 25 are all handled alike.

An item that feeds several places of a formula in year T (value added in the ratio and in g_V)
is one key, so it changes everywhere at once. Nantong 2021, indicator 28 (单位工业增加值固废产生量,
≤0.1 吨/万元): solid waste ≤ 490,620 t (−28.95 %) or value added ≥ 6,905,406.72 万元 (+40.75 %);
indicator 12 (可再生能源使用比例, ≥9 %): renewable energy 177,690 tce, total energy unchanged.

For an at-risk indicator the same value is the break-even point: how far the item may move before
the indicator fails (Nantong 14: fresh water may rise 4.8 %).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

import pandas as pd

from ecopark.assessment import Assessment
from ecopark.engine import evaluate
from ecopark.gaps import gap_table
from ecopark.standard.expr import key
from ecopark.standard.model import Indicator, Limit

#: Statuses the solver looks at.
SOLVED_STATUSES = ("fail", "at_risk")

#: Columns of :func:`what_it_would_take`, in order.
WHATIF_COLUMNS = [
    "number",
    "indicator",
    "status",
    "item",
    "item_zh",
    "item_unit",
    "item_value",
    "required_value",
    "required_change_pct",
    "reachable",
    "reason_zh",
    "reason_en",
]

#: Columns of ``ecopark gaps`` (:func:`gaps_report`), in order.
REPORT_COLUMNS = [
    "number",
    "indicator",
    "status",
    "value",
    "requirement",
    "margin_pct",
    "item",
    "item_value",
    "required_value",
    "required_change_pct",
    "item_zh",
    "item_unit",
    "note",
]


def _factors() -> tuple[list[float], list[float]]:
    """Expanding multipliers around the current value: up to ×10⁹ and down to 0."""
    up, f = [], 1.0
    step = 0.001
    while f < 1e9:
        f = 1.0 + step if not up else min(f * (1.0 + step), 1e9)
        up.append(f)
        step = min(step * 1.6, 1.0)
    down = [1.0 / u for u in up] + [0.0]
    return up, down


UP_FACTORS, DOWN_FACTORS = _factors()
#: Absolute grid used when the current value is 0 (a factor cannot move it).
ZERO_GRID = [10.0**k for k in range(-6, 13)]


@dataclass(frozen=True)
class ItemTarget:
    """What one raw item alone would have to be for one indicator to meet its limit.

    Attributes
    ----------
    number : int
        HJ 274-2015 indicator number.
    indicator : str
        Its Chinese name as the standard prints it.
    status : str
        The indicator's status (``fail`` or ``at_risk``, see :mod:`ecopark.status`).
    item, item_zh, item_unit : str
        The raw item id, its Chinese name and catalogue unit (e.g. ``吨``, ``万元``).
    item_value : float or str
        Its current value in year T [item_unit].
    required_value : float or None
        The value at which the unrounded indicator equals its limit [item_unit]; for a failing
        indicator the value that meets the requirement, for an at-risk one the break-even value.
        None when there is none.
    required_change_pct : float or None
        ``(required_value − item_value) / item_value × 100`` [%]; None when either is missing or
        the current value is 0.
    reachable : bool
        Whether such a value exists among the item's non-negative values.
    reason_zh, reason_en : str
        Why not, when it does not (or a remark, e.g. a current value of 0).
    """

    number: int
    indicator: str
    status: str
    item: str
    item_zh: str
    item_unit: str
    item_value: float | str | None
    required_value: float | None
    required_change_pct: float | None
    reachable: bool
    reason_zh: str = ""
    reason_en: str = ""


def _gap(
    ind: Indicator, assessment: Assessment, values: dict, name: str, x: float
) -> tuple[float, Limit] | None:
    """Signed distance of the indicator to its own limit with ``name`` set to ``x``; None if none.

    See :meth:`~ecopark.standard.model.Limit.room`: positive on the passing side of ``≥``/``≤``.
    """
    values[name] = x
    ev = evaluate(ind, assessment.standard, assessment.config, values, assessment.year)
    if (
        ev.value is None
        or ev.limit is None
        or isinstance(ev.value, str)
        or isinstance(ev.limit.value, str)
    ):
        return None
    return ev.limit.room(ev.value), ev.limit


def _brackets(fn, x0: float, d0: tuple[float, Limit]) -> list[tuple[float, float]]:
    """The first sign change of ``fn`` walking outward from ``x0`` in each direction.

    Consecutive grid points are a bracket only when both are computable under the same limit
    (an elasticity whose branch flips with the sign of g_V is not continuous there).
    """
    out = []
    grids = (
        ([x0 * f for f in UP_FACTORS], [x0 * f for f in DOWN_FACTORS])
        if x0 != 0
        else (ZERO_GRID, [])
    )
    for grid in grids:
        prev: tuple[float, float, Limit] | None = (x0, d0[0], d0[1])
        for x in grid:
            got = fn(x)
            if got is None:
                prev = None
                continue
            d, lim = got
            if (
                prev is not None
                and prev[2] == lim
                and (d == 0 or prev[1] == 0 or (d > 0) != (prev[1] > 0))
            ):
                out.append((prev[0], x))
                break
            prev = (x, d, lim)
    return out


def _flat(fn, x0: float) -> bool:
    """Whether the indicator does not move at all with the item (e.g. a share with a zero numerator)."""
    seen = set()
    for f in (0.0, 0.1, 0.5, 2.0, 10.0, 1e3) if x0 != 0 else (1.0, 1e3, 1e6):
        got = fn(x0 * f if x0 != 0 else f)
        if got is not None:
            seen.add(round(got[0], 12))
    return len(seen) <= 1


def solve_item(assessment: Assessment, number: int, item: str) -> ItemTarget:
    """The value of ``item`` (year T) alone at which indicator ``number`` meets its limit.

    Parameters
    ----------
    assessment : Assessment
        From :func:`ecopark.assess`; its ``values`` are the raw items keyed ``"item@ref"``.
    number : int
        HJ 274-2015 indicator number.
    item : str
        A raw item id the indicator reads in the evaluation year (ref ``T``).

    Returns
    -------
    ItemTarget
        The required value [the item's catalogue unit] and change [%], or why there is none.

    Notes
    -----
    The target is the limit on the unrounded value (``value == limit``). The grid multiplies the
    current value by expanding factors up to ×10⁹ and down to 0 (an absolute grid 10⁻⁶…10¹² when
    the value is 0); the nearest sign change of ``value − limit`` (``limit − value`` for ≤) is
    refined by Brent's method to machine precision.
    """
    std = assessment.standard
    ind = std.indicator(number)
    if (item, "T") not in ind.inputs:
        raise ValueError(f"indicator {number} does not read {item} in year T")
    res = assessment.result(number)
    status = res.status
    meta = std.items[item]
    name = key(item, "T")
    x0 = assessment.values.get(name)
    base = dict(
        number=number,
        indicator=res.name_zh,
        status=status,
        item=item,
        item_zh=meta.name_zh,
        item_unit=meta.unit,
        item_value=x0,
    )
    if (
        isinstance(x0, str)
        or isinstance(res.value, str)
        or (res.limit is not None and isinstance(res.limit.value, str))
    ):
        want = res.requirement
        return ItemTarget(
            **base,
            required_value=None,
            required_change_pct=None,
            reachable=False,
            reason_zh=f"状态类指标，无数值可求解：「{meta.name_zh}」须为「{want}」",
            reason_en=f"a status, not a number: {item} must be '{want}'",
        )
    if x0 is None or res.value is None or res.limit is None:
        return ItemTarget(
            **base,
            required_value=None,
            required_change_pct=None,
            reachable=False,
            reason_zh=res.reason_zh or "指标无法计算",
            reason_en=res.reason_en or "not computable",
        )
    x0 = float(x0)
    values = dict(assessment.values)

    def fn(x: float) -> tuple[float, Limit] | None:
        return _gap(ind, assessment, values, name, x)

    d0 = fn(x0)
    if d0 is None:  # pragma: no cover - the indicator was computable with these very values
        raise RuntimeError(f"indicator {number} not computable at its own values")
    from scipy.optimize import brentq  # scipy loads where a root is solved, not at import

    candidates = []
    for a, b in _brackets(fn, x0, d0):
        try:
            root = (
                a
                if a == b
                else brentq(lambda x: fn(x)[0], min(a, b), max(a, b), xtol=1e-12, maxiter=500)
            )
        except (TypeError, ValueError, RuntimeError):  # not computable inside the bracket
            continue
        got = fn(root)
        lim = abs(float(got[1].value)) if got is not None else 1.0
        if got is not None and abs(got[0]) <= 1e-8 * max(1.0, lim):
            candidates.append(root)
    if candidates:

        def distance(x: float) -> float:
            if x0 == 0:
                return abs(x)
            return math.inf if x <= 0 else abs(math.log(x / x0))

        root = min(candidates, key=distance)
        change = (root - x0) / x0 * 100.0 if x0 != 0 else None
        note_zh = note_en = ""
        if x0 == 0:
            note_zh, note_en = "现值为 0，变化率无定义", "the current value is 0, so no change in %"
        return ItemTarget(
            **base,
            required_value=root,
            required_change_pct=change,
            reachable=True,
            reason_zh=note_zh,
            reason_en=note_en,
        )
    req = res.requirement
    if status == "at_risk":
        why_zh = f"仅「{meta.name_zh}」变化（取任何非负值），指标 {number} 都不会失去达标（{req}）"
        why_en = f"no non-negative value of {item} alone makes indicator {number} fail ({req})"
    elif _flat(fn, x0):
        why_zh = f"指标 {number} 的数值不随「{meta.name_zh}」变化，仅调整该项无法达到要求（{req}）"
        why_en = f"indicator {number} does not change with {item}, so it alone cannot meet {req}"
    else:
        why_zh = f"「{meta.name_zh}」取任何非负值，指标 {number} 都达不到要求（{req}）"
        why_en = f"no non-negative value of {item} alone makes indicator {number} meet {req}"
    return ItemTarget(
        **base,
        required_value=None,
        required_change_pct=None,
        reachable=False,
        reason_zh=why_zh,
        reason_en=why_en,
    )


def t_items(ind: Indicator) -> list[str]:
    """The raw items indicator ``ind`` reads in the evaluation year (ref ``T``), in formula order."""
    return [item for item, ref in ind.inputs if ref == "T"]


def what_it_would_take(
    assessment: Assessment, numbers: Iterable[int] | None = None
) -> pd.DataFrame:
    """Every failing or at-risk indicator against every year-T item it reads.

    Parameters
    ----------
    assessment : Assessment
        From :func:`ecopark.assess`.
    numbers : iterable of int, optional
        Only these indicators (default: every indicator whose status is ``fail`` or ``at_risk``).

    Returns
    -------
    pandas.DataFrame
        One row per (indicator, item), columns :data:`WHATIF_COLUMNS` (the fields of
        :class:`ItemTarget`): ``item_value`` and ``required_value`` [item_unit],
        ``required_change_pct`` [%], ``reachable`` (bool), ``reason_zh`` / ``reason_en``.
    """
    gaps = gap_table(assessment)
    if numbers is None:
        numbers = gaps.loc[gaps["status"].isin(SOLVED_STATUSES), "number"].tolist()
    rows = [
        asdict(solve_item(assessment, n, item))
        for n in numbers
        for item in t_items(assessment.standard.indicator(n))
    ]
    return pd.DataFrame(rows, columns=WHATIF_COLUMNS)


def gaps_report(assessment: Assessment) -> pd.DataFrame:
    """The table of ``ecopark gaps``: the gap table joined with what it would take.

    Parameters
    ----------
    assessment : Assessment
        From :func:`ecopark.assess`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REPORT_COLUMNS`: one row per failing or at-risk indicator and year-T item;
        one row with empty item columns for every other indicator (passing or not computable).
        ``value`` is unrounded [the indicator's unit] (the word of a status indicator),
        ``margin_pct`` [% of the limit],
        ``item_value`` / ``required_value`` [item_unit], ``required_change_pct`` [%]; ``note``
        holds the reason when not computable or unreachable.
    """
    gaps = gap_table(assessment)
    solved = what_it_would_take(assessment)
    by_number: Mapping[int, pd.DataFrame] = (
        dict(tuple(solved.groupby("number"))) if len(solved) else {}
    )
    rows = []
    for g in gaps.itertuples(index=False):
        head = {
            "number": g.number,
            "indicator": g.indicator,
            "status": g.status,
            "value": g.display if pd.isna(g.value) and g.display else g.value,
            "requirement": g.requirement,
            "margin_pct": g.margin_pct,
        }
        sub = by_number.get(g.number)
        if sub is None or sub.empty:
            rows.append(
                {
                    **head,
                    "item": None,
                    "item_value": None,
                    "required_value": None,
                    "required_change_pct": None,
                    "item_zh": None,
                    "item_unit": None,
                    "note": g.reason_zh or None,
                }
            )
            continue
        for s in sub.itertuples(index=False):
            rows.append(
                {
                    **head,
                    "item": s.item,
                    "item_value": s.item_value,
                    "required_value": s.required_value,
                    "required_change_pct": s.required_change_pct,
                    "item_zh": s.item_zh,
                    "item_unit": s.item_unit,
                    "note": s.reason_zh or None,
                }
            )
    return pd.DataFrame(rows, columns=REPORT_COLUMNS)
