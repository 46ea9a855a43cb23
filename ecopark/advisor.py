"""Selection advisor: which optional indicators a park should choose as assessment indicators.

HJ 274-2015 asks a park to choose at least 6 of the 15 optional indicators (是否选为考核指标) and
to meet every one it chooses; the choice should stay the same from year to year, so it is made
when the park's construction plan is revised. :func:`advise` proposes the choice that passes with
the largest smallest margin (``margin_pct`` of :func:`ecopark.gaps.gap_table`): of each
``select`` tier, its ``min_selected`` indicators with the largest margins among those eligible
(6 optional ones for HJ 274-2015), since adding one more can only lower the smallest margin.

Status and margin are the results table's, from their one home
(:attr:`ecopark.assessment.IndicatorResult.margin_pct`, :func:`ecopark.status.margin_pct`): the
margin of the number the declared comparison method puts against the limit, exact near it. So
it never contradicts the engine: under 修约值比较法 0.5049 against ≤0.5 is judged 0.5 and passes
with a margin of 0 (not −0.98 %); under 全数值比较法 it fails (printed ``0.50(+)``) with a margin
below 0, and a value exactly at the limit passes with a margin of exactly 0. An optional
indicator is eligible when it

- passes in the evaluation year (status ``pass`` or ``at_risk``),
- respects its ``selectable_if_passes`` rule (HJ 274-2015 注 b: indicator 7 only if indicator
  4 passes),
- and, where the park has years enough (≥ 3 years with a value), is not projected by its
  trend (:func:`ecopark.trends.fit_trends`) to fail within the next 3 years.

The proposal is compared with the park's current selection (park.yaml ``selected_optional``).
Nantong 2021: the weakest current choice is indicator 14 (单位工业增加值新鲜水耗, margin 4.6 %).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from ecopark.assessment import Assessment
from ecopark.gaps import gap_table
from ecopark.io.park import Park
from ecopark.trends import MIN_YEARS, park_trends

#: Years ahead in which a projected failure excludes an indicator.
HORIZON_YEARS = 3


@dataclass(frozen=True)
class SelectionAdvice:
    """The advisor's proposal for one park-year.

    Attributes
    ----------
    year : int
        The evaluation year the margins come from.
    recommended : tuple of str
        The proposed indicator ids (in the standard's order), each select tier's
        ``min_selected`` when enough are eligible, otherwise every eligible one.
    recommended_min_margin : float
        The smallest margin in the proposal [% of the limit]; NaN if the proposal is empty.
    recommended_weakest : str or None
        The indicator with that margin.
    current : tuple of str
        The park's current selection (park.yaml ``selected_optional``).
    current_min_margin : float
        The smallest margin in the current selection [%]; negative when a selected indicator
        fails, NaN when one is not computable or nothing is selected.
    current_weakest : str or None
        The current indicator with the smallest margin (a not-computable one first).
    add, drop : tuple of str
        Indicators to add to and drop from the current selection to reach the proposal.
    feasible : bool
        Whether at least ``min_selected`` optional indicators are eligible.
    min_selected : int
        The standard's minimum number of selected optional indicators (6 for HJ 274-2015).
    margins : dict of str to float
        Margin of every optional indicator [% of the limit] as the declared comparison judges
        it (≥ 0 exactly when it passes; NaN if not computable).
    excluded : dict of str to str
        Every optional indicator that is not eligible, with the reason in Chinese.
    text_zh, text_en : str
        The advice in words.
    """

    year: int
    recommended: tuple[str, ...]
    recommended_min_margin: float
    recommended_weakest: str | None
    current: tuple[str, ...]
    current_min_margin: float
    current_weakest: str | None
    add: tuple[str, ...]
    drop: tuple[str, ...]
    feasible: bool
    min_selected: int
    margins: dict[str, float] = field(default_factory=dict)
    excluded: dict[str, str] = field(default_factory=dict)
    text_zh: str = ""
    text_en: str = ""

    def __repr__(self) -> str:
        from ecopark.display import advice_text

        return advice_text(self)

    def _repr_html_(self) -> str:
        from ecopark.display import advice_html

        return advice_html(self)


def _weakest(numbers: tuple[str, ...], margins: dict[str, float]) -> tuple[float, str | None]:
    if not numbers:
        return math.nan, None
    got = {n: margins.get(n, math.nan) for n in numbers}
    key = {n: (-math.inf if math.isnan(m) else m) for n, m in got.items()}
    weakest = min(numbers, key=lambda n: key[n])  # ties: the first in the standard's order
    return got[weakest], weakest


def _passed(value: object) -> bool:
    """A ``passed`` cell as a bool: None/NA (not computable) is not passing."""
    return value is not None and not pd.isna(value) and bool(value)


def _list(numbers: tuple[str, ...]) -> str:
    return "、".join(map(str, numbers)) if numbers else "无"


def advise(
    assessment: Assessment,
    park: Park | None = None,
    horizon: int = HORIZON_YEARS,
    min_years: int = MIN_YEARS,
    trends: pd.DataFrame | None = None,
) -> SelectionAdvice:
    """Propose the selection of optional indicators with the largest smallest margin.

    Parameters
    ----------
    assessment : Assessment
        The park-year whose margins are used (:func:`ecopark.assess`).
    park : Park, optional
        The park, to check trends over its years up to ``assessment.year``; without it no trend
        is considered.
    horizon : int
        Exclude an indicator whose fitted trend fails within this many years [years] (default 3).
    min_years : int
        Years with a value needed before a trend counts (default 3).
    trends : pandas.DataFrame, optional
        The park's fitted trends up to ``assessment.year`` (:func:`ecopark.trends.fit_trends`)
        when the caller already has them; otherwise they are fitted here from ``park``.

    Returns
    -------
    SelectionAdvice
        The proposal, the current selection, what to add and drop, and the advice text.
    """
    std = assessment.standard
    gaps = gap_table(assessment).set_index("number")
    optional = std.optional_numbers
    margins = {n: float(gaps.loc[n, "margin_pct"]) for n in optional}
    names = {n: str(gaps.loc[n, "indicator"]) for n in optional}
    labels = {ind.number: ind.label for ind in std.indicators}
    excluded: dict[str, str] = {}
    barred: set[str] = set()  # excluded by a named rule or a trend: always worth saying
    for n in optional:
        status = gaps.loc[n, "status"]
        if status == "not_computable":
            excluded[n] = f"无法计算（{gaps.loc[n, 'reason_zh'] or '缺少数据'}）"
        elif status == "fail":
            value = f"{gaps.loc[n, 'display']}{gaps.loc[n, 'mark']}"  # 0.50(+): beyond ≤0.5
            excluded[n] = f"未达标（{value}，要求 {gaps.loc[n, 'requirement']}）"
    for n in optional:
        rule = std.indicator(n).condition("selectable_if_passes")
        if rule is None or n in excluded or _passed(gaps.loc[rule.indicator, "passed"]):
            continue
        note = rule.note.strip() or "按规则"
        excluded[n] = (
            f"{note}不可选：指标 {rule.label}「{gaps.loc[rule.indicator, 'indicator']}」未达标"
        )
        barred.add(n)
    if trends is None and park is not None:
        years = [y for y in park.years if y <= assessment.year]
        _, trends = park_trends(park, min_years=min_years, years=years)
    if trends is not None:
        for t in trends.itertuples(index=False):
            if (
                t.number in margins
                and t.number not in excluded
                and t.outlook == "will_fail"
                and pd.notna(t.crossing_year)
                and t.crossing_year <= assessment.year + horizon
            ):
                excluded[t.number] = (
                    f"按 {t.first_year}–{t.last_year} 年趋势（每年 {t.slope:+.4g}）"
                    f"预计 {t.crossing_year} 年不再达标"
                )
                barred.add(t.number)
    tiers = [t for t in std.tiers if t.rule == "select"]
    members = {t.id: [n for n in optional if std.indicator(n).tier == t.id] for t in tiers}
    eligible_by = {
        t.id: [n for n in members[t.id] if n not in excluded and not math.isnan(margins[n])]
        for t in tiers
    }
    eligible = [n for t in tiers for n in eligible_by[t.id]]
    k = sum(t.min_selected for t in tiers)
    order = {n: i for i, n in enumerate(optional)}
    picked = {  # each select tier: its own largest margins, min_selected of them
        n
        for t in tiers
        for n in sorted(eligible_by[t.id], key=lambda n: (-margins[n], order[n]))[: t.min_selected]
    }
    recommended = tuple(sorted(picked, key=order.__getitem__))
    rec_min, rec_weak = _weakest(recommended, margins)
    current = tuple(
        sorted(
            (n for n in assessment.config.selected_for(std.code) if n in order),
            key=order.__getitem__,
        )
    )
    cur_min, cur_weak = _weakest(current, margins)
    add = tuple(n for n in recommended if n not in current)
    drop = tuple(n for n in current if n not in recommended)
    feasible = all(len(eligible_by[t.id]) >= t.min_selected for t in tiers)
    counts = "，".join(f"{t.name_zh}指标 {t.min_selected} 项" for t in tiers)

    def shown(numbers: tuple[str, ...]) -> str:
        return _list(tuple(labels[n] for n in numbers))

    def pct(x: float) -> str:
        return "—" if math.isnan(x) else f"{x:.1f}%"

    zh = []
    if feasible:
        zh.append(
            f"建议考核指标（{counts}）：{shown(recommended)}，最小余量 {pct(rec_min)}"
            f"（指标 {labels.get(rec_weak, rec_weak)}「{names.get(rec_weak, '')}」）。"
        )
    else:
        zh.append(
            f"可达标的可选指标只有 {len(eligible)} 项（{shown(recommended)}），不足 {k} 项，"
            "须先使更多可选指标达标。"
        )
    if current:
        cur_label = (
            f"指标 {labels[cur_weak]}「{names.get(cur_weak, '')}」" if cur_weak is not None else ""
        )
        zh.append(f"现选指标 {shown(current)} 的最小余量为 {pct(cur_min)}（最弱：{cur_label}）。")
    else:
        zh.append("园区尚未选择可选考核指标。")
    if add or drop:
        zh.append(f"建议增选 {shown(add)}，调出 {shown(drop)}。")
    else:
        zh.append("现选组合即为建议组合，无需调整。")
    for n in optional:
        if n in excluded and (n in current or n in barred):
            zh.append(f"指标 {labels[n]}「{names[n]}」不宜选用：{excluded[n]}。")
    zh.append("考核指标的选择应与上年保持一致，调整宜在园区建设规划修编时进行。")

    def en_list(numbers: tuple[str, ...]) -> str:
        return ", ".join(labels[n] for n in numbers) or "none"

    en = (
        f"Recommended optional indicators: {en_list(recommended)} "
        f"(smallest margin {pct(rec_min)}, indicator {labels.get(rec_weak, rec_weak)}); current "
        f"selection {en_list(current)} (smallest margin {pct(cur_min)}, indicator "
        f"{labels.get(cur_weak, cur_weak)}). Add {en_list(add)}; drop {en_list(drop)}."
        + ("" if feasible else f" Only {len(eligible)} optional indicators are eligible (< {k}).")
        + " Change the selection only when the park's plan is revised."
    )
    return SelectionAdvice(
        year=assessment.year,
        recommended=recommended,
        recommended_min_margin=rec_min,
        recommended_weakest=rec_weak,
        current=current,
        current_min_margin=cur_min,
        current_weakest=cur_weak,
        add=add,
        drop=drop,
        feasible=feasible,
        min_selected=k,
        margins=margins,
        excluded=excluded,
        text_zh="".join(zh),
        text_en=en,
    )
