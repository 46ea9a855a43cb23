"""The one engine: a standard's definitions applied to a park-year.

:func:`assess` turns a :class:`~ecopark.io.park.Park` and a year into an
:class:`~ecopark.assessment.Assessment`. It knows no indicator by number: the formulas, units,
requirements and footnotes all come from the standard's definition file. :func:`evaluate` is the
pure function underneath, also used by the what-if solver and the attribution.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from ecopark.assessment import Assessment, IndicatorResult
from ecopark.io.config import ParkConfig
from ecopark.io.park import Park
from ecopark.rounding import round_reported
from ecopark.standard.expr import NotComputable, key
from ecopark.standard.model import Indicator, Limit, Standard, format_number
from ecopark.verdict import judge

#: Offsets of the year references, relative to the evaluation year T; "B" is the base year.
REF_OFFSETS = {"T": 0, "T-1": -1, "T-2": -2, "T-3": -3}


def ref_year(ref: str, year: int, base_year: int) -> int:
    """The calendar year a reference names: ``ref_year("T-3", 2021, 2015) == 2018``."""
    return base_year if ref == "B" else year + REF_OFFSETS[ref]


def context(park: Park, year: int) -> dict[str, float | str]:
    """Every raw item the standard may read for ``year``, keyed ``"item@ref"``.

    Missing items are absent from the mapping. Files of other years are read as needed.
    """
    base = park.config.base_year
    out: dict[str, float | str] = {}
    for ref in _refs(park.standard):
        suffix = key("", ref)
        out.update(
            {item + suffix: value for item, value in park.values(ref_year(ref, year, base)).items()}
        )
    return out


_REFS: dict[int, tuple[Standard, tuple[str, ...]]] = {}


def _refs(standard: Standard) -> tuple[str, ...]:
    """Every year reference the standard's formulas use (worked out once per standard)."""
    hit = _REFS.get(id(standard))
    if hit is not None and hit[0] is standard:
        return hit[1]
    refs = {ref for ind in standard.indicators for _, ref in ind.inputs}
    refs |= {ref for h in standard.helpers.values() for _, ref in h.formula.inputs}
    if len(_REFS) > 64:  # standards made on the fly (what-if copies) must not pile up
        _REFS.clear()
    _REFS[id(standard)] = (standard, tuple(sorted(refs)))
    return _REFS[id(standard)][1]


@dataclass(frozen=True)
class Evaluation:
    """The unrounded value of one indicator and the limit that applies, or why there is none."""

    value: float | str | None
    limit: Limit | None
    reason_zh: str = ""
    reason_en: str = ""
    requirement: str = ""  # set when the requirement is not the limit's own text (footnote a)


def _missing(
    ind: Indicator, values: Mapping[str, object], year: int, base_year: int, standard: Standard
) -> Evaluation | None:
    keys = ind.formula.keys
    for k in keys:
        if k not in values:
            break
    else:
        return None
    items = standard.items
    missing = [inp for inp, k in zip(ind.inputs, keys, strict=True) if k not in values]
    zh = "、".join(f"{items[i].name_zh}（{ref_year(r, year, base_year)} 年）" for i, r in missing)
    en = ", ".join(f"{i} ({ref_year(r, year, base_year)})" for i, r in missing)
    return Evaluation(None, None, f"缺少数据：{zh}", f"missing data: {en}")


def select_limit(
    ind: Indicator,
    standard: Standard,
    config: ParkConfig,
    values: Mapping[str, float | str],
    n: float,
) -> tuple[Limit | None, str, str, str]:
    """The limit that applies to ``ind``: (limit or None, reason_zh, reason_en, requirement text).

    The requirement text is empty when it is the limit's own (``≥30``); otherwise it says what the
    requirement is although no number applies (footnote a without the sector's benchmark).

    Chooses the elasticity branch by the sign of the helper (g_V for indicators 10, 13, 25), the
    reclaimed-water limit by region (16), and the sector benchmark under footnote a (6).
    """
    req = ind.requirement
    if "a" in ind.footnotes:
        trigger = float(standard.footnotes.get("a", {}).get("dominant_sector_trigger", 0.7))
        share = config.dominant_sector_share
        if share is not None and share > trigger:
            if ind.number in config.sector_benchmarks:
                base = req.limit or req.positive
                return Limit(base.op, config.sector_benchmarks[ind.number]), "", "", ""
            return (
                None,
                f"注 a：最大行业产值占比 {share:.0%} 超过 70%，须以该行业清洁生产一级水平为限值（park.yaml sector_benchmarks）",
                f"footnote a: one industry is {share:.0%} of output, so the limit is that industry's "
                "cleaner-production level I; give it as sector_benchmarks in park.yaml",
                "该行业清洁生产一级水平（注 a）",
            )
    if req.limit is not None:
        return req.limit, "", "", ""
    if req.by_region is not None:
        return req.by_region[config.water_region], "", "", ""
    helper = standard.helpers[req.by_sign_of]
    try:
        sign = helper.formula(values, n)
    except (NotComputable, KeyError, ZeroDivisionError, OverflowError):
        return None, f"{helper.name_zh}无法计算", f"{helper.name_en} cannot be computed", ""
    if sign > 0:
        return req.positive, "", "", ""
    if sign < 0:
        return req.negative, "", "", ""
    return (
        None,
        f"{helper.name_zh}为 0，要求无定义",
        f"{helper.name_en} is zero, so no requirement applies",
        "",
    )


def evaluate(
    ind: Indicator,
    standard: Standard,
    config: ParkConfig,
    values: Mapping[str, float | str],
    year: int,
) -> Evaluation:
    """Evaluate one indicator on raw items.

    Parameters
    ----------
    ind : Indicator
        From ``standard.indicators``.
    standard : Standard
        The standard the indicator belongs to.
    config : ParkConfig
        The park (base year, water region, footnote a inputs).
    values : mapping
        Raw items keyed ``"item@ref"`` in catalogue units (see :func:`context`).
    year : int
        The evaluation year T.

    Returns
    -------
    Evaluation
        The unrounded value (``None`` when not computable, with the reason) and the limit.
    """
    n = year - config.base_year
    missing = _missing(ind, values, year, config.base_year, standard)
    if missing is not None:
        return missing
    if ind.formula.uses_n and n <= 0:
        return Evaluation(
            None,
            None,
            f"评价年 {year} 须晚于基准年 {config.base_year}",
            f"the year {year} must be after the base year {config.base_year}",
        )
    if ind.reported:
        value: float | str = values[key(*ind.inputs[0])]
    else:
        try:
            value = ind.formula.func(values, n)
        except NotComputable as exc:
            return Evaluation(None, None, exc.reason_zh, exc.reason_en)
        except (ZeroDivisionError, OverflowError, TypeError) as exc:
            return Evaluation(None, None, f"无法计算（{exc}）", f"cannot be computed ({exc})")
        if isinstance(value, complex) or not math.isfinite(value):
            return Evaluation(
                None, None, "结果不是有限实数", "the result is not a finite real number"
            )
    limit, why_zh, why_en, text = select_limit(ind, standard, config, values, n)
    return Evaluation(value, limit, why_zh, why_en, text)


_LIMIT_TEXTS: dict[tuple[str, float | str], str] = {}


def _limit_text(limit: Limit) -> str:
    """``limit.text``, remembered (it is asked for 32 times per park-year)."""
    k = (limit.op, limit.value)
    text = _LIMIT_TEXTS.get(k)
    if text is None:
        text = _LIMIT_TEXTS[k] = limit.text
    return text


def _requirement_text(ind: Indicator, ev: Evaluation) -> str:
    """The requirement column: the applying limit, or the requirement in words when none applies."""
    if ev.requirement:
        return ev.requirement
    if ev.limit is not None:
        return _limit_text(ev.limit)
    return ind.requirement.text_full


def display(value: float | str | None, reported: bool) -> str:
    """The value as the table prints it (see the data contract, column ``value``)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if reported:
        return format_number(value)
    return format(round_reported(value), "f")  # never scientific notation (1.0E-10)


def role_of(ind: Indicator, config: ParkConfig) -> str:
    """``must``, ``selected`` or ``optional`` for this park."""
    if ind.role == "must":
        return "must"
    return "selected" if ind.number in config.selected_optional else "optional"


def assess(park: Park, year: int) -> Assessment:
    """Assess one park-year against the park's standard.

    Parameters
    ----------
    park : Park
        From :func:`ecopark.load_park`.
    year : int
        The evaluation year T; its data file must exist.

    Returns
    -------
    Assessment
        The 32 indicator results in order, the verdict and its reasons.

    Raises
    ------
    InputError
        If the year's file (or a history file it needs) is missing or invalid.
    """
    park.file_for(year)
    values = context(park, year)
    return assess_values(park.config, park.standard, year, values)


def assess_values(
    config: ParkConfig, standard: Standard, year: int, values: Mapping[str, float | str]
) -> Assessment:
    """Assess from raw items already keyed ``"item@ref"`` (what :func:`assess` does after reading)."""
    results = []
    for ind in standard.indicators:
        ev = evaluate(ind, standard, config, values, year)
        rounded = display(ev.value, ind.reported)
        passed = None
        if ev.value is not None and ev.limit is not None:
            judged = ev.value if (ind.reported or isinstance(ev.value, str)) else float(rounded)
            passed = ev.limit.passes(judged)
        results.append(
            IndicatorResult(
                number=ind.number,
                category=ind.category,
                name_zh=ind.name_zh,
                name_en=ind.name_en,
                unit=ind.unit,
                requirement=_requirement_text(ind, ev),
                limit=ev.limit,
                role=role_of(ind, config),
                value=ev.value,
                display=rounded,
                passed=passed,
                reason_zh=ev.reason_zh,
                reason_en=ev.reason_en,
            )
        )
    compliant, reasons = judge(results, standard, config)
    return Assessment(
        config=config,
        standard=standard,
        year=year,
        results=tuple(results),
        compliant=compliant,
        reasons=tuple(reasons),
        values=dict(values),
    )
