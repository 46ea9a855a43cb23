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
    """The unrounded value of one indicator and the limit that applies, or why there is none.

    ``requirement`` is the requirement as it applies (:attr:`~ecopark.standard.model.Applied.text`);
    empty when the value could not be computed, and the limit was not looked for.
    """

    value: float | str | None
    limit: Limit | None
    reason_zh: str = ""
    reason_en: str = ""
    requirement: str = ""  # as it applies (Applied.text); empty when evaluation stopped early


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
    applied = ind.requirement.applicable(
        values,
        n,
        water_region=config.water_region,
        dominant_sector_share=config.dominant_sector_share,
        sector_benchmark=config.sector_benchmarks.get(ind.number),
    )
    return Evaluation(value, applied.limit, applied.reason_zh, applied.reason_en, applied.text)


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
                requirement=ev.requirement or ind.requirement.branches,
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
