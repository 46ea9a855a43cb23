"""The verdict: is the park-year compliant, and which rules are broken (spec §2.1-§2.4)."""

from __future__ import annotations

from collections.abc import Sequence

from ecopark.assessment import IndicatorResult, Reason
from ecopark.io.config import ParkConfig
from ecopark.standard.model import Standard


def _failure(r: IndicatorResult, kind_zh: str, kind_en: str) -> Reason:
    if r.passed is None:
        why_zh = r.reason_zh or "无法判定"
        why_en = r.reason_en or "cannot be judged"
        return Reason(
            f"{kind_zh}指标 {r.number}「{r.name_zh}」无法判定：{why_zh}",
            f"{kind_en} indicator {r.number} ({r.name_en}) cannot be judged: {why_en}",
            r.number,
        )
    suffix = r.unit if r.limit is not None and r.limit.op != "=" else ""
    return Reason(
        f"{kind_zh}指标 {r.number}「{r.name_zh}」未达标：{r.display_marked}{r.unit}，要求 {r.requirement}{suffix}",
        f"{kind_en} indicator {r.number} ({r.name_en}) fails: {r.display_marked} against {r.requirement}",
        r.number,
    )


def judge(
    results: Sequence[IndicatorResult], standard: Standard, config: ParkConfig
) -> tuple[bool, list[Reason]]:
    """Apply the selection rules to indicator results.

    A park-year is compliant exactly when every must indicator passes, at least
    ``standard.min_selected_optional`` optional indicators are selected, every selected one
    passes, and no selected indicator breaks footnote b.

    Returns
    -------
    (bool, list of Reason)
        The verdict and every broken rule, in indicator order.
    """
    reasons: list[Reason] = []
    by_number = {r.number: r for r in results}
    for r in results:
        if r.role == "must" and r.passed is not True:
            reasons.append(_failure(r, "必选", "must"))
    selected = [r for r in results if r.role == "selected"]
    minimum = standard.min_selected_optional
    if len(selected) < minimum:
        reasons.append(
            Reason(
                f"只选择了 {len(selected)} 项可选指标作为考核指标，至少应选择 {minimum} 项",
                f"only {len(selected)} optional indicators are selected; at least {minimum} are required",
            )
        )
    for r in selected:
        if r.passed is not True:
            reasons.append(_failure(r, "所选", "selected"))
    footnote_b = standard.footnotes.get("b", {})
    required = footnote_b.get("requires_passing")
    for r in selected:
        ind = standard.indicator(r.number)
        if "b" in ind.footnotes and required is not None and by_number[required].passed is not True:
            reasons.append(
                Reason(
                    f"指标 {r.number}「{r.name_zh}」按注 b 不能选为考核指标：指标 {required}「{by_number[required].name_zh}」未达标",
                    f"indicator {r.number} may not be selected (footnote b): indicator {required} does not pass",
                    r.number,
                )
            )
    return not reasons, reasons
