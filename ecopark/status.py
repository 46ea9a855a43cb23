"""The status vocabulary of an indicator, used by the gap table and by every chart.

One place for the four statuses, their Chinese and English labels, their order and their
colours, so that a table, a chart and a report always say and show the same thing:

========================  ========  ===========  ============================================
status                    中文      colour       meaning
========================  ========  ===========  ============================================
``"pass"``                达标      bluish green  meets the requirement with a margin ≥ 10 %
``"at_risk"``             临界      orange        meets it, but with a margin under 10 %
``"fail"``                未达标    vermillion    does not meet it
``"not_computable"``      无法计算  grey          no value (missing data) or no limit applies
========================  ========  ===========  ============================================

The colours are the Okabe–Ito colour-blind-safe palette.
"""

from __future__ import annotations

import math

from ecopark.rounding import DEFAULT_RULES, Number, compared
from ecopark.standard.model import Limit, Rules

#: The statuses, best first (the order of legends and sorted tables).
STATUS_ORDER: tuple[str, ...] = ("pass", "at_risk", "fail", "not_computable")

#: Chinese label of each status.
STATUS_ZH: dict[str, str] = {
    "pass": "达标",
    "at_risk": "临界",
    "fail": "未达标",
    "not_computable": "无法计算",
}

#: English label of each status.
STATUS_EN: dict[str, str] = {
    "pass": "pass",
    "at_risk": "at risk",
    "fail": "fail",
    "not_computable": "not computable",
}

#: One colour per status, used by every chart (Okabe–Ito palette, hex RGB).
STATUS_COLOURS: dict[str, str] = {
    "pass": "#009E73",
    "at_risk": "#E69F00",
    "fail": "#D55E00",
    "not_computable": "#999999",
}

#: A passing indicator whose margin is under this many percent of its limit is "at_risk".
AT_RISK_MARGIN_PCT: float = 10.0


def classify(passed: bool | None, margin_pct: float | None) -> str:
    """The status of one indicator.

    Parameters
    ----------
    passed : bool or None
        The engine's judgement (``IndicatorResult.passed``); None when not computable.
    margin_pct : float or None
        Signed margin to the limit [% of the limit]; NaN or None when it has no meaning (status
        words, ``=`` requirements, a zero limit).

    Returns
    -------
    str
        One of :data:`STATUS_ORDER`. A passing indicator is ``"at_risk"`` when its margin is
        below :data:`AT_RISK_MARGIN_PCT`.
    """
    if passed is None:
        return "not_computable"
    if not passed:
        return "fail"
    if margin_pct is not None and not math.isnan(margin_pct) and margin_pct < AT_RISK_MARGIN_PCT:
        return "at_risk"
    return "pass"


def margin_pct(
    value: Number | str | None, limit: Limit | None, rules: Rules = DEFAULT_RULES
) -> float:
    """Signed margin of ``value`` to ``limit`` as the declared comparison judges it [% of the
    limit]; NaN without a limit.

    The margin of the number the comparison puts against the limit
    (:func:`ecopark.rounding.compared`), by :meth:`ecopark.standard.model.Limit.margin_pct`:
    ``(v − limit) / |limit| × 100`` for ``≥``, ``(limit − v) / |limit| × 100`` for ``≤``, NaN
    where a margin has no meaning. Under 全数值比较法 ``v`` is the value itself; under 修约值比较法
    it is the value rounded to the limit's decimals, so 0.5049 against ≤0.5 is judged as 0.5:
    it passes, with a margin of exactly 0 (not −0.98 %). An exact value (Fraction, int) gives
    an exact margin, 0 exactly at the limit; the sign is then the judgement's (≥ 0 exactly
    when it passes, for ``≥`` and ``≤``).
    """
    if limit is None:
        return math.nan
    if value is None or isinstance(value, str) or isinstance(limit.value, str):
        return limit.margin_pct(value)
    return limit.margin_pct(compared(value, limit, rules))
