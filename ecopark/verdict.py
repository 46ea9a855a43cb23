"""The verdict: is the park-year compliant, and which rules are broken (spec §2.1-§2.4).

Built from the standard's tiers and named rules, for any standard: a ``gate`` tier (基本要求)
must pass entirely or the park-year is 不具备评价条件 and the other tiers are not judged; every
indicator of an ``all_pass`` tier must pass; of a ``select`` tier at least ``min_selected`` are
selected and every selected one passes; a selected indicator with a ``selectable_if_passes``
rule needs that other indicator to pass.

A park-year's verdict is one of four outcomes (:data:`OUTCOMES`): 符合, 不符合, 不具备评价条件 (a
gate tier failed) and 不作评价 (the year is not judged: the base year, a year before it, a year of
history only). Their words and colours are here, once, for every standard: the portfolio counts,
ranks and colours them by :func:`outcome`.
"""

from __future__ import annotations

from collections.abc import Sequence

from ecopark.assessment import Assessment, IndicatorResult, Reason
from ecopark.io.config import ParkConfig
from ecopark.standard.model import Standard, Tier
from ecopark.status import STATUS_COLOURS

#: A park-year's verdict outcomes, best first (the order a ranking puts them in).
OUTCOMES: tuple[str, ...] = ("compliant", "not_compliant", "not_assessable", "not_judged")
#: Each outcome in Chinese, as the assessment's verdict says it (:meth:`Assessment.verdict_text`).
VERDICT_ZH: dict[str, str] = {
    "compliant": "符合",
    "not_compliant": "不符合",
    "not_assessable": "不具备评价条件",
    "not_judged": "不作评价",
}
#: Each outcome in English.
VERDICT_EN: dict[str, str] = {
    "compliant": "compliant",
    "not_compliant": "not compliant",
    "not_assessable": "not assessable",
    "not_judged": "not judged",
}
#: One colour per outcome (Okabe–Ito, as the statuses' in :mod:`ecopark.status`): compliant as
#: 达标, not compliant as 未达标, not assessable reddish purple, not judged grey.
VERDICT_COLOURS: dict[str, str] = {
    "compliant": STATUS_COLOURS["pass"],
    "not_compliant": STATUS_COLOURS["fail"],
    "not_assessable": "#CC79A7",
    "not_judged": STATUS_COLOURS["not_computable"],
}


def outcome(a: Assessment) -> str:
    """The outcome of a park-year's verdict, one of :data:`OUTCOMES`: ``not_judged`` when the year
    is not judged, ``not_assessable`` when a gate tier (基本要求) failed, else ``compliant`` or
    ``not_compliant``."""
    if not a.judged:
        return "not_judged"
    if not a.assessable:
        return "not_assessable"
    return "compliant" if a.compliant else "not_compliant"


def _failure(r: IndicatorResult, kind_zh: str, kind_en: str, rule: str) -> Reason:
    if r.passed is None:
        why_zh = r.reason_zh or "无法判定"
        why_en = r.reason_en or "cannot be judged"
        return Reason(
            f"{kind_zh}指标 {r.label}「{r.name_zh}」无法判定：{why_zh}",
            f"{kind_en} indicator {r.label} ({r.name_en}) cannot be judged: {why_en}",
            r.number,
            rule,
        )
    suffix = r.unit if r.limit is not None and r.limit.op != "=" else ""
    return Reason(
        f"{kind_zh}指标 {r.label}「{r.name_zh}」未达标：{r.display_marked}{r.unit}，要求 {r.requirement}{suffix}",
        f"{kind_en} indicator {r.label} ({r.name_en}) fails: {r.display_marked} against {r.requirement}",
        r.number,
        rule,
    )


def _tier_reasons(
    tier: Tier, results: Sequence[IndicatorResult], standard: Standard
) -> list[Reason]:
    """The rules of one tier broken by the results of its indicators."""
    if tier.rule != "select":
        return [
            _failure(r, tier.name_zh, tier.name_en, tier.rule)
            for r in results
            if r.passed is not True
        ]
    reasons: list[Reason] = []
    selected = [r for r in results if r.role == "selected"]
    minimum = tier.min_selected
    if len(selected) < minimum:
        reasons.append(
            Reason(
                f"只选择了 {len(selected)} 项{tier.name_zh}指标作为考核指标，至少应选择 {minimum} 项",
                f"only {len(selected)} {tier.name_en} indicators are selected; at least {minimum} are required",
                rule="min_selected",
            )
        )
    reasons += [_failure(r, "所选", "selected", "select") for r in selected if r.passed is not True]
    return reasons


def _selectable_reasons(
    results: Sequence[IndicatorResult], standard: Standard, by_number: dict[str, IndicatorResult]
) -> list[Reason]:
    """Selected indicators whose ``selectable_if_passes`` rule is broken."""
    reasons = []
    for r in results:
        if r.role != "selected":
            continue
        rule = standard.indicator(r.number).condition("selectable_if_passes")
        if rule is None or by_number[rule.indicator].passed is True:
            continue
        other = by_number[rule.indicator]
        reasons.append(
            Reason(
                f"指标 {r.label}「{r.name_zh}」{rule.note}不能选为考核指标：指标 {other.label}「{other.name_zh}」未达标",
                f"indicator {r.label} may not be selected {rule.note_en}: indicator {other.label} does not pass",
                r.number,
                rule.kind,
            )
        )
    return reasons


def judge(
    results: Sequence[IndicatorResult], standard: Standard, config: ParkConfig
) -> tuple[bool, list[Reason]]:
    """Apply the standard's tier rules and named rules to indicator results.

    A park-year is compliant exactly when every tier's rule holds (see the module) and no
    selected indicator breaks a ``selectable_if_passes`` rule. When a ``gate`` tier fails, the
    reasons are its failures and one reason with ``rule="not_assessable"`` (不具备评价条件); the
    other tiers are not judged.

    Returns
    -------
    (bool, list of Reason)
        The verdict and every broken rule, tier by tier in the standard's order.
    """
    reasons: list[Reason] = []
    by_number = {r.number: r for r in results}
    for tier in standard.tiers:
        tier_results = [r for r in results if r.tier == tier.id]
        broken = _tier_reasons(tier, tier_results, standard)
        reasons += broken
        if tier.rule == "gate" and broken:
            reasons.append(
                Reason(
                    f"{tier.name_zh}未全部满足，不具备评价条件，其余指标不作评价",
                    f"the {tier.name_en} are not all met: not assessable, the other indicators "
                    "are not judged",
                    rule="not_assessable",
                )
            )
            return False, reasons
    reasons += _selectable_reasons(results, standard, by_number)
    return not reasons, reasons
