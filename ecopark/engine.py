"""The one engine: a standard's definitions applied to a park-year.

:func:`assess` turns a :class:`~ecopark.io.park.Park` and a year into an
:class:`~ecopark.assessment.Assessment`. It knows no indicator by number: the formulas, units,
requirements and named rules all come from the standard's definition file. :func:`evaluate` is the
pure function underneath, also used by the what-if solver and the attribution.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction

from ecopark.assessment import Assessment, IndicatorResult, Reason
from ecopark.io.config import ParkConfig
from ecopark.io.park import Park
from ecopark.io.rows import Record
from ecopark.rounding import DEFAULT_RULES, exact_text, mark, near_boundary, passes, printed
from ecopark.standard.expr import Inexact, NotComputable, key
from ecopark.standard.model import Indicator, Limit, Rules, Standard, format_number
from ecopark.verdict import judge

#: Offsets of the year references, relative to the evaluation year T; "B" is the base year.
REF_OFFSETS = {"T": 0, "T-1": -1, "T-2": -2, "T-3": -3}


def ref_year(ref: str, year: int, base_year: int) -> int:
    """The calendar year a reference names: ``ref_year("T-3", 2021, 2015) == 2018``."""
    return base_year if ref == "B" else year + REF_OFFSETS[ref]


def context(park: Park, year: int) -> dict[str, float | str]:
    """Every raw item the standard may read for ``year``, keyed ``"item@ref"``, as floats.

    Missing items are absent from the mapping. Files of other years are read as needed. The
    same items exactly: :func:`exact_context`.
    """
    base = park.config.base_year
    out: dict[str, float | str] = {}
    for ref in _refs(park.standard):
        suffix = key("", ref)
        out.update(
            {item + suffix: value for item, value in park.values(ref_year(ref, year, base)).items()}
        )
    return out


class ExactValues(Mapping):
    """Raw items keyed ``"item@ref"``, exactly (Fraction; the word of a status).

    Each value is made from its record on first use (:attr:`ecopark.io.rows.Record.exact`), so a
    park-year whose floats decide everything never pays for the exact numbers.
    """

    def __init__(self, records: Mapping[str, Record]):
        self._records = records

    def __getitem__(self, name: str) -> Fraction | str:
        return self._records[name].exact

    def __contains__(self, name: object) -> bool:
        return name in self._records

    def __iter__(self) -> Iterator[str]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)


def exact_context(park: Park, year: int) -> ExactValues:
    """The items of :func:`context`, exactly (the decimals as written, units converted exactly)."""
    base = park.config.base_year
    out: dict[str, Record] = {}
    for ref in _refs(park.standard):
        y = ref_year(ref, year, base)
        if y in park.files:
            suffix = key("", ref)
            out.update({r.item + suffix: r for r in park.records(y)})
    return ExactValues(out)


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
    """The value of one indicator and the limit that applies, or why there is none.

    Attributes
    ----------
    value : float, str or None
        The value [the indicator's unit] as a float (analyses, charts); a status word; None when
        not computable.
    limit : Limit or None
        The limit that applies (also when the value is not computable); None when none does.
    reason_zh, reason_en : str
        Why the value (first) or the limit is missing, when one is.
    requirement : str
        The requirement as it applies to the park-year (:attr:`~ecopark.standard.model.Applied.text`):
        the case of the park's attributes, the branch chosen by a helper's sign, a
        ``benchmark_when`` benchmark.
    exact : Fraction, str or None
        The exact value, when it was worked out (always with ``exactly=True``); None when the
        float decided (no tie, limit or zero near it) or the value is not computable.
    """

    value: float | str | None
    limit: Limit | None
    reason_zh: str = ""
    reason_en: str = ""
    requirement: str = ""
    exact: Fraction | str | None = None


def _complete(ind: Indicator, values: Mapping[str, object]) -> bool:
    """Whether every raw item the indicator reads is among ``values``."""
    return all(k in values for k in ind.formula.keys)


def _missing(
    ind: Indicator, values: Mapping[str, object], year: int, base_year: int, standard: Standard
) -> tuple[str, str] | None:
    if _complete(ind, values):
        return None
    items = standard.items
    keys = ind.formula.keys
    missing = [inp for inp, k in zip(ind.inputs, keys, strict=True) if k not in values]
    zh = "、".join(f"{items[i].name_zh}（{ref_year(r, year, base_year)} 年）" for i, r in missing)
    en = ", ".join(f"{i} ({ref_year(r, year, base_year)})" for i, r in missing)
    return f"缺少数据：{zh}", f"missing data: {en}"


class _NotComputed(Exception):
    """Why a value could not be computed, in Chinese and English."""

    def __init__(self, reason_zh: str, reason_en: str):
        super().__init__(reason_en)
        self.reason_zh, self.reason_en = reason_zh, reason_en


def _exactly(ind: Indicator, values: Mapping[str, object], n: int) -> tuple[float, Fraction]:
    """The indicator's formula on exact values: (the float for analyses, the exact value)."""
    try:
        exact = ind.formula.func(values, n)
        if isinstance(exact, float | complex):  # a float crept in (a float given as exact)
            raise TypeError("a float among the exact values")
        return float(exact), exact
    except NotComputable as exc:
        raise _NotComputed(exc.reason_zh, exc.reason_en) from None
    except OverflowError:
        raise _NotComputed("结果不是有限实数", "the result is not a finite real number") from None
    except (ZeroDivisionError, TypeError) as exc:
        raise _NotComputed(f"无法计算（{exc}）", f"cannot be computed ({exc})") from None


def _in_floats(ind: Indicator, values: Mapping[str, object], n: int) -> float | None:
    """The formula in floats, or None where only the exact values may decide (cancellation,
    a zero, an error, a result that is not a finite real number)."""
    try:
        value = ind.formula.checked(values, n)
    except (Inexact, NotComputable, ZeroDivisionError, OverflowError, TypeError):
        return None
    if not isinstance(value, float | int) or not math.isfinite(value):
        return None
    return float(value)


def evaluate(
    ind: Indicator,
    standard: Standard,
    config: ParkConfig,
    values: Mapping[str, float | str],
    year: int,
    *,
    exact_values: Mapping[str, Fraction | str] | None = None,
    rules: Rules | None = None,
    exactly: bool = False,
) -> Evaluation:
    """Evaluate one indicator on raw items.

    Parameters
    ----------
    ind : Indicator
        From ``standard.indicators``.
    standard : Standard
        The standard the indicator belongs to.
    config : ParkConfig
        The park (base year, attributes, benchmarks).
    values : mapping
        Raw items keyed ``"item@ref"`` in catalogue units (see :func:`context`): floats, or exact
        numbers (then the value is exact too).
    year : int
        The evaluation year T.
    exact_values : mapping, optional
        The same items exactly (:func:`exact_context`). Given, the formula runs in floats and
        again exactly wherever the float could decide otherwise than the exact value: a result
        within :data:`ecopark.rounding.REL_TOL` of a rounding tie, the limit or zero, or a
        float evaluation that cancels (:class:`~ecopark.standard.expr.Inexact`) or fails.
    rules : Rules, optional
        The rule in force (which ties and limits matter); default the standard's.
    exactly : bool
        With ``exact_values``: always evaluate exactly.

    Returns
    -------
    Evaluation
        The value (``None`` when not computable, with the reason), the limit and the requirement
        as they apply to the park-year.
    """
    n = year - config.base_year
    rules = rules or standard.rules
    applied = ind.applicable(
        values,
        n,
        config.attributes,
        config.sector_benchmarks.get(ind.number),
        exact_values=exact_values,
    )
    limit, text = applied.limit, applied.text
    missing = _missing(ind, values, year, config.base_year, standard)
    if missing is not None:
        return Evaluation(None, limit, *missing, text)
    if ind.formula.uses_n and n <= 0:
        return Evaluation(
            None,
            limit,
            f"评价年 {year} 须晚于基准年 {config.base_year}",
            f"the year {year} must be after the base year {config.base_year}",
            text,
        )
    exact: Fraction | str | None = None
    try:
        if ind.reported:
            name = key(*ind.inputs[0])
            value = values[name]
            if exact_values is not None and not isinstance(value, str):
                exact = exact_values[name]
            elif not isinstance(value, float | str):
                value, exact = float(value), value
        elif exact_values is None:
            if _is_exact(values, ind):
                value, exact = _exactly(ind, values, n)
            else:  # floats all the way, as they come (what-if grids, attribution)
                value = ind.formula.func(values, n)
                if isinstance(value, complex) or not math.isfinite(value):
                    raise _NotComputed("结果不是有限实数", "the result is not a finite real number")
        else:
            value = None if exactly else _in_floats(ind, values, n)
            if value is None or near_boundary(value, limit, rules):
                value, exact = _exactly(ind, exact_values, n)
    except NotComputable as exc:
        return Evaluation(None, limit, exc.reason_zh, exc.reason_en, text)
    except _NotComputed as exc:
        return Evaluation(None, limit, exc.reason_zh, exc.reason_en, text)
    except (ZeroDivisionError, OverflowError, TypeError) as exc:
        return Evaluation(None, limit, f"无法计算（{exc}）", f"cannot be computed ({exc})", text)
    return Evaluation(value, limit, applied.reason_zh, applied.reason_en, text, exact)


def _is_exact(values: Mapping[str, object], ind: Indicator) -> bool:
    """Whether the indicator's inputs are given exactly (no float among them)."""
    return not any(isinstance(values[k], float) for k in ind.formula.keys)


def display(
    value: Fraction | float | str | None, reported: bool, rules: Rules | None = None
) -> str:
    """The value as the table prints it (see the data contract, column ``value``).

    A computed value is rounded by the rule in force (:func:`ecopark.rounding.printed`); a
    reported one is shown as given (exactly: ``20.2``, ``100``); a word as it is.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if reported:
        return format_number(value) if isinstance(value, float) else exact_text(value)
    return printed(value, rules or DEFAULT_RULES)


def role_of(ind: Indicator, config: ParkConfig, standard: Standard) -> str:
    """``must`` (its tier counts every indicator), ``selected`` or ``optional`` for this park."""
    if ind.role == "must":
        return "must"
    return "selected" if ind.number in config.selected_for(standard.code) else "optional"


def rules_of(standard: Standard, config: ParkConfig) -> Rules:
    """The rule in force for a park: the standard's ``rules:`` with the park's over them."""
    return standard.rules.overridden(config.rules)


def judged(
    standard: Standard,
    config: ParkConfig,
    year: int,
    results: list[IndicatorResult],
    values: Mapping[str, object],
) -> Reason | None:
    """Why a park-year cannot be judged (不作评价), or None when it can.

    A year up to the base year cannot (the base year supplies the starting values of growth
    rates and elasticities), nor a year that only supplies history: one in which not one of the
    standard's must indicators has all its data (Nantong 2018 holds value added and land area,
    for the three-year rates of 2021). A must indicator with its data but no value (value added
    that did not grow) leaves the year judged, and not compliant.
    """
    base = config.base_year
    if year == base:
        return Reason(f"{year} 年为基准年", f"{year} is the base year")
    if year < base:
        return Reason(f"{year} 年早于基准年 {base} 年", f"{year} is before the base year {base}")
    must = [ind for ind in standard.indicators if ind.role == "must"]
    if must and not any(_complete(ind, values) for ind in must):
        computable = sum(r.computable for r in results)
        return Reason(
            f"仅有历史数据（{computable}/{len(results)} 项指标可计算）",
            f"history only ({computable} of {len(results)} indicators computable, no must "
            "indicator among them)",
        )
    return None


def assess(park: Park, year: int, *, exactly: bool = False) -> Assessment:
    """Assess one park-year against the park's standard.

    Parameters
    ----------
    park : Park
        From :func:`ecopark.load_park`.
    year : int
        The evaluation year T; its data file must exist.
    exactly : bool
        Evaluate every indicator exactly, not only where a float could mislead (the results
        are the same; the property tests check it).

    Returns
    -------
    Assessment
        The standard's indicator results in order (32 for HJ 274-2015), the verdict and its reasons, the rule in force.

    Raises
    ------
    InputError
        If the year's file (or a history file it needs) is missing or invalid.
    """
    park.file_for(year)
    values = context(park, year)
    exact = exact_context(park, year)
    return assess_values(park.config, park.standard, year, values, exact, exactly=exactly)


def assess_values(
    config: ParkConfig,
    standard: Standard,
    year: int,
    values: Mapping[str, float | str],
    exact_values: Mapping[str, Fraction | str] | None = None,
    *,
    exactly: bool = False,
) -> Assessment:
    """Assess from raw items already keyed ``"item@ref"`` (what :func:`assess` does after reading).

    ``values`` are floats or exact numbers; ``exact_values`` the same exactly (see
    :func:`evaluate`). Without ``exact_values``, exact ``values`` are judged exactly and float
    ones as floats.
    """
    rules = rules_of(standard, config)
    results = []
    for ind in standard.indicators:
        ev = evaluate(
            ind,
            standard,
            config,
            values,
            year,
            exact_values=exact_values,
            rules=rules,
            exactly=exactly,
        )
        results.append(
            indicator_result(ind, ev, config, standard, rules, values, exact_values, year)
        )
    not_judged = judged(standard, config, year, results, values)
    if not_judged is not None:  # each indicator still meets its limit or not; no verdict
        compliant, reasons = None, []
    else:
        compliant, reasons = judge(results, standard, config)
    return Assessment(
        config=config,
        standard=standard,
        year=year,
        results=tuple(results),
        compliant=compliant,
        reasons=tuple(reasons),
        values=dict(values),
        rules=rules,
        judged_reason=not_judged,
        exact_values=exact_values if exact_values is not None else {},
    )


def indicator_result(
    ind: Indicator,
    ev: Evaluation,
    config: ParkConfig,
    standard: Standard,
    rules: Rules,
    values: Mapping[str, object],
    exact_values: Mapping[str, object] | None,
    year: int,
) -> IndicatorResult:
    """One row of the table: the printed value, the judgement and the mark by the rule in force.

    The one place an :class:`IndicatorResult` is made from an :class:`Evaluation` (the per-park
    engine and :mod:`ecopark.columnar` both call it).
    """
    shown, passed, marked = "", meets(ev, rules), ""
    if ev.value is not None:
        number = ev.exact if ev.exact is not None else ev.value
        shown = display(number, ind.reported, rules)
        if ev.limit is not None and not ind.reported and not isinstance(number, str):
            marked = mark(number, shown, ev.limit, rules)
    later = None
    if ev.exact is None and ev.value is not None and exact_values is not None:
        later = functools.partial(_exact_later, ind, exact_values, year - config.base_year)
    return IndicatorResult(
        number=ind.number,
        category=ind.category,
        name_zh=ind.name_zh,
        name_en=ind.name_en,
        unit=ind.unit,
        requirement=ev.requirement or ind.requirement.branches,
        limit=ev.limit,
        role=role_of(ind, config, standard),
        tier=ind.tier,
        label=ind.label,
        value=ev.value,
        display=shown,
        passed=passed,
        reason_zh=ev.reason_zh,
        reason_en=ev.reason_en,
        mark=marked,
        exact_value=ev.exact,
        exact_later=later,
        rules=rules,
    )


def meets(ev: Evaluation, rules: Rules) -> bool | None:
    """Whether an evaluated indicator meets its limit by ``rules``, as its table row says
    (:attr:`IndicatorResult.passed`); None without a value or without a limit.

    The exact value decides where there is one (:func:`ecopark.rounding.passes`).
    """
    if ev.value is None or ev.limit is None:
        return None
    return passes(ev.exact if ev.exact is not None else ev.value, ev.limit, rules)


def _exact_later(ind: Indicator, exact_values: Mapping[str, object], n: int) -> Fraction | str:
    """The exact value of a result the floats decided, worked out when asked for (JSON)."""
    if ind.reported:
        return exact_values[key(*ind.inputs[0])]
    return _exactly(ind, exact_values, n)[1]
