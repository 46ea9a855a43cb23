"""A standard as data: indicators, requirements, raw items, footnotes.

:func:`load_standard` reads a definition file found by its code (:mod:`ecopark.standard.registry`:
the package's folder, where HJ 274-2015 is ``hj274_2015.yaml``, and the user's folders) and
compiles its formulas. Nothing here knows any single indicator.
"""

from __future__ import annotations

import csv
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from ecopark.standard import registry
from ecopark.standard.expr import Compiled, Inexact, NotComputable, compile_formula

DEFAULT_STANDARD = "HJ 274-2015"

ROLES = ("must", "optional")
OPS = (">=", "<=", "=")
OP_SYMBOL = {">=": "≥", "<=": "≤", "=": ""}


#: Rounding rules (``rules: rounding``): name -> (Chinese, English) as every table names them.
ROUNDING_RULES: dict[str, tuple[str, str]] = {
    "half_even": ("GB/T 8170-2008 四舍六入五成双", "GB/T 8170-2008 round half to even"),
    "half_up": ("四舍五入", "round half up"),
}
#: Comparison methods (``rules: comparison``) of GB/T 8170-2008: name -> (Chinese, English).
COMPARISONS: dict[str, tuple[str, str]] = {
    "full_value": ("全数值比较法", "full-value comparison (the exact value against the limit)"),
    "rounded_value": (
        "修约值比较法",
        "rounded-value comparison (the value rounded to the limit's decimals against the limit)",
    ),
}
#: The keys a park may override in park.yaml ``rules:``.
PARK_RULE_KEYS = ("rounding", "comparison")


@dataclass(frozen=True)
class Rules:
    """How values are rounded for printing and judged against limits (spec §2.10).

    Attributes
    ----------
    rounding : str
        ``half_even`` (GB/T 8170-2008 进舍规则, 四舍六入五成双: 0.505 → 0.50, 0.515 → 0.52) or
        ``half_up`` (四舍五入: 0.505 → 0.51). Ties decide only the printed digit.
    comparison : str
        ``full_value`` (全数值比较法: the exact value is compared with the limit) or
        ``rounded_value`` (修约值比较法: the value rounded, by ``rounding``, to the decimals of
        the limit as written — 0.5 → 1, 30 → 0, 92.25 → 2 — is compared).
    places : int
        Decimals a computed value is printed with [decimals].
    small_value_digits : int
        Significant digits kept by a non-zero value that would print as 0 (0.002624 → 0.0026).
    source : str
        Where the rules come from: ``standard`` (its definition file) or ``park.yaml``.
    """

    rounding: str = "half_even"
    comparison: str = "full_value"
    places: int = 2
    small_value_digits: int = 2
    source: str = "standard"

    def __post_init__(self) -> None:
        if self.rounding not in ROUNDING_RULES:
            raise ValueError(f"rounding must be one of {', '.join(ROUNDING_RULES)}")
        if self.comparison not in COMPARISONS:
            raise ValueError(f"comparison must be one of {', '.join(COMPARISONS)}")

    def overridden(self, overrides: Mapping[str, str]) -> Rules:
        """These rules with a park's ``rules:`` (keys :data:`PARK_RULE_KEYS`) applied."""
        if not overrides:
            return self
        return replace(self, **dict(overrides), source="park.yaml")

    @property
    def text_zh(self) -> str:
        """The rule in force as every verdict names it.

        ``数值修约与判定：GB/T 8170-2008 四舍六入五成双，全数值比较法``; ``（park.yaml 规定）``
        is added when the park overrides the standard's rule.
        """
        where = "（park.yaml 规定）" if self.source == "park.yaml" else ""
        return (
            f"数值修约与判定：{ROUNDING_RULES[self.rounding][0]}，"
            f"{COMPARISONS[self.comparison][0]}{where}"
        )

    @property
    def text_en(self) -> str:
        """The rule in force in English (``rounding: ...; judged by ...``)."""
        where = " (set in park.yaml)" if self.source == "park.yaml" else ""
        return (
            f"rounding: {ROUNDING_RULES[self.rounding][1]}; "
            f"judged by {COMPARISONS[self.comparison][1]}{where}"
        )


def exact_number(value: int | float | str | Decimal | Fraction) -> Fraction:
    """A number as written, exactly: a float is read by its shortest repr (0.55 is 11/20)."""
    if isinstance(value, Fraction | int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(Decimal(str(value)))


@dataclass(frozen=True)
class Item:
    """One raw item of the catalogue (``items.csv``), with its roles.

    Attributes
    ----------
    id, name_zh : str
        The id and the Chinese name a year file may name it by.
    unit : str
        The catalogue unit every value is converted to (empty for a status).
    dimension : str
        ``money``, ``mass``, ``energy``, ``water``, ``area``, ``people``, ``percent``, ``count``
        or ``status`` (the keys of :data:`ecopark.io.units.UNITS`).
    kind : str
        ``number``, ``count`` (whole numbers) or ``status`` (one of ``allowed``).
    allowed : tuple of str
        The words of a status item.
    additive : int
        Nonzero for an amount whose sector values add up to the park's (a sector file may give
        it): its place among the additive items (1 first) in sector tables and messages.
    part_of : tuple of str
        The items whose sum the item cannot exceed (utilised solid waste is part of generated
        waste plus prior-year stock); the data checks need the first of them present.
    part_of_indicators : tuple of int
        The indicators a part above its whole makes wrong.
    aliases : tuple of str
        Other spellings seen in official tables (``SO2`` for SO2排放量), matched by the importer.
    minimum, maximum : Decimal or None
        The plausible range of a value [``unit``] (columns ``min``, ``max``): a value outside it
        cannot be a real figure (a rate or share above 100 %, a magnitude no park has). None for
        a status.
    """

    id: str
    name_zh: str
    unit: str
    dimension: str
    kind: str
    allowed: tuple[str, ...] = ()
    additive: int = 0
    part_of: tuple[str, ...] = ()
    part_of_indicators: tuple[int, ...] = ()
    aliases: tuple[str, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None


@dataclass(frozen=True)
class Limit:
    """One comparison that passes: ``value op limit``."""

    op: str
    value: float | str

    @functools.cached_property
    def text(self) -> str:
        """The requirement as the standard prints it: ``≥30``, ``≤0.5``, ``达标``, ``100``."""
        return f"{OP_SYMBOL[self.op]}{format_number(self.value)}"

    @functools.cached_property
    def exact(self) -> Fraction | None:
        """The limit as written, exactly (0.55 is 11/20); None for a word."""
        return None if isinstance(self.value, str) else exact_number(self.value)

    @functools.cached_property
    def places(self) -> int:
        """Decimals of the limit as written [decimals]: 0.5 → 1, 30 → 0, 92.25 → 2."""
        if isinstance(self.value, str) or isinstance(self.value, int):
            return 0
        return max(0, -Decimal(repr(float(self.value))).as_tuple().exponent)

    def passes(self, value: float | Fraction | str) -> bool:
        """Whether ``value`` itself meets the limit.

        A float is compared with the limit as a float (charts, trends); an exact number
        (Fraction, int) with the limit as written, exactly. The declared comparison method
        (rounding first or not) is :func:`ecopark.rounding.passes`.
        """
        if isinstance(self.value, str) or isinstance(value, str):
            return self.op == "=" and str(value) == str(self.value)
        limit = float(self.value) if isinstance(value, float) else self.exact
        if self.op == "=":
            return value == limit
        if self.op == ">=":
            return value >= limit
        return value <= limit

    def room(self, value: float) -> float:
        """Signed distance of a number to the limit [the indicator's unit].

        ``value − limit`` for ``≥``, ``limit − value`` for ``≤`` (positive on the passing side);
        ``value − limit`` for ``=``.
        """
        v, lim = float(value), float(self.value)
        return lim - v if self.op == "<=" else v - lim

    def margin_pct(self, value: float | str | None) -> float:
        """Signed margin of ``value`` to the limit [% of the limit]; positive = passing with room.

        ``room(value) / |limit| × 100``: Nantong 2021, indicator 14 (单位工业增加值新鲜水耗),
        7.6313 m³/万元 against ≤8 gives (8 − 7.6313) / 8 × 100 = 4.61 %.

        Returns
        -------
        float
            NaN when a margin has no meaning: no value, a status word (17, 18, 22), an ``=``
            requirement (met or not, no room either way) or a zero limit.
        """
        if value is None or isinstance(value, str) or isinstance(self.value, str):
            return math.nan
        if self.op == "=" or float(self.value) == 0:
            return math.nan
        return self.room(value) / abs(float(self.value)) * 100.0


@dataclass(frozen=True)
class Helper:
    """A named sub-expression, such as g_V (工业增加值建设期年均增长率)."""

    name: str
    formula: Compiled
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class Applied:
    """The limit of a requirement that applies to one park-year, or why none does.

    Attributes
    ----------
    limit : Limit or None
        The limit the value is judged against; None when none applies.
    text : str
        The requirement as the results table prints it (:meth:`Requirement.describe`,
        ``"applied"``): ``≥30``, the branch chosen (``≤0.6``), or words when no number applies.
    reason_zh, reason_en : str
        Why no limit applies, when none does.
    """

    limit: Limit | None
    text: str
    reason_zh: str = ""
    reason_en: str = ""


#: The requirement under footnote a when the park has not given its sector's benchmark.
BENCHMARK_TEXT = "该行业清洁生产一级水平（注 a）"


@dataclass(frozen=True)
class Requirement:
    """A requirement: a fixed limit, or one chosen by a helper's sign or by the water region.

    Attributes
    ----------
    limit : Limit or None
        The fixed limit.
    by_sign_of : Helper or None
        The helper whose sign chooses between ``positive`` and ``negative`` (g_V for 10, 13, 25).
    by_region : dict or None
        Water region (park.yaml ``water_region``) -> limit (16); ``region_names`` their Chinese names.
    unit : str
        The unit of the limit values (the indicator's).
    benchmark_above : float or None
        Footnote a: above this share of output in one sector [fraction], the limit is that
        sector's benchmark (park.yaml ``sector_benchmarks``).
    """

    limit: Limit | None = None
    by_sign_of: Helper | None = None
    positive: Limit | None = None
    negative: Limit | None = None
    by_region: dict[str, Limit] | None = None
    region_names: dict[str, str] = field(default_factory=dict)
    unit: str = ""
    benchmark_above: float | None = None

    def applicable(
        self,
        values: Mapping[str, float | str],
        n: float,
        *,
        water_region: str = "other",
        dominant_sector_share: float | None = None,
        sector_benchmark: float | None = None,
        exact_values: Mapping[str, Fraction | str] | None = None,
    ) -> Applied:
        """The limit that applies to a park-year, or why none does.

        Parameters
        ----------
        values : mapping
            Raw items keyed ``"item@ref"`` (for the helper's sign), floats or exact.
        exact_values : mapping, optional
            The same items exactly: the helper's sign is taken from them where a float
            evaluation cannot be trusted with it (growth within 0.1 % of zero).
        n : float
            Years since the base year [years].
        water_region : str
            The park's water region (chooses the limit of 16).
        dominant_sector_share : float, optional
            Share of output of the largest sector [fraction] (footnote a).
        sector_benchmark : float, optional
            The sector's benchmark for this indicator (footnote a) [the indicator's unit].

        Returns
        -------
        Applied
            The limit (None when the helper is zero or not computable, or footnote a applies
            without a benchmark), its text and the reason.
        """
        share = dominant_sector_share
        if self.benchmark_above is not None and share is not None and share > self.benchmark_above:
            if sector_benchmark is not None:
                base = self.limit or self.positive
                limit = Limit(base.op, sector_benchmark)
                return Applied(limit, limit.text)
            return Applied(
                None,
                BENCHMARK_TEXT,
                f"注 a：最大行业产值占比 {share:.0%} 超过 {self.benchmark_above:.0%}，须以该行业清洁生产一级水平为限值（park.yaml sector_benchmarks）",
                f"footnote a: one industry is {share:.0%} of output, so the limit is that industry's "
                "cleaner-production level I; give it as sector_benchmarks in park.yaml",
            )
        if self.limit is not None:
            return self._applies[self.limit]
        if self.by_region is not None:
            return self._applies[self.by_region[water_region]]
        helper = self.by_sign_of
        try:
            if exact_values is None:
                sign = helper.formula(values, n)
            else:  # in floats unless the growth is within 0.1 % of zero, then exactly
                try:
                    sign = helper.formula.checked(values, n)
                except (Inexact, NotComputable, ZeroDivisionError, OverflowError):
                    sign = helper.formula(exact_values, n)
        except (NotComputable, Inexact, KeyError, ZeroDivisionError, OverflowError):
            return Applied(
                None,
                self.branches,
                f"{helper.name_zh}无法计算",
                f"{helper.name_en} cannot be computed",
            )
        if sign > 0:
            return self._applies[self.positive]
        if sign < 0:
            return self._applies[self.negative]
        return Applied(
            None,
            self.branches,
            f"{helper.name_zh}为 0，要求无定义",
            f"{helper.name_en} is zero, so no requirement applies",
        )

    @functools.cached_property
    def _applies(self) -> dict[Limit, Applied]:
        """Each branch's limit as it applies (made once: asked for every indicator of every year)."""
        limits = (self.limit, self.positive, self.negative, *(self.by_region or {}).values())
        return {lim: Applied(lim, lim.text) for lim in limits if lim is not None}

    def describe(self, style: str = "official") -> str:
        """The requirement in words.

        Parameters
        ----------
        style : str
            ``"official"``: as the standard's table (附表1) prints it, every branch in full:
            ``≥30``; ``当园区工业增加值建设期年均增长率>0,≤0.6 当园区工业增加值建设期年均增长率<0,≥0.6``
            (10, 13, 25); ``缺水城市达到20%以上 京津冀区域达到30%以上 其他地区达到10%以上`` (16).
            ``"branches"``: every branch compactly, as the results table prints a requirement
            when no limit applies: ``>0 时 ≤0.6；<0 时 ≥0.6``, ``water_scarce ≥20；…``.
            The requirement as it applies to a park-year is :attr:`Applied.text`.
        """
        if style == "official":
            return self.official
        if style == "branches":
            return self.branches
        raise ValueError(f"unknown style '{style}'; use official or branches")

    @functools.cached_property
    def branches(self) -> str:
        """Every branch compactly: ``≥30``, ``>0 时 ≤0.6；<0 时 ≥0.6``, ``water_scarce ≥20；…``."""
        if self.limit is not None:
            return self.limit.text
        if self.by_sign_of is not None:
            return f">0 时 {self.positive.text}；<0 时 {self.negative.text}"
        return "；".join(f"{k} {v.text}" for k, v in (self.by_region or {}).items())

    @functools.cached_property
    def official(self) -> str:
        """Every branch as the standard's table prints it (see :meth:`describe`)."""
        if self.limit is not None:
            return self.limit.text
        if self.by_sign_of is not None:
            name = self.by_sign_of.name_zh
            return f"当{name}>0,{self.positive.text} 当{name}<0,{self.negative.text}"
        return " ".join(
            f"{self.region_names.get(region, region)}{_limit_words(limit, self.unit)}"
            for region, limit in (self.by_region or {}).items()
        )


def _limit_words(limit: Limit, unit: str) -> str:
    """``达到20%以上`` (≥), ``达到0.5吨以下`` (≤), ``达到100%`` (=)."""
    if limit.op == "=":
        return f"达到{format_number(limit.value)}{unit}"
    return f"达到{format_number(limit.value)}{unit}{'以上' if limit.op == '>=' else '以下'}"


@dataclass(frozen=True)
class Indicator:
    """One indicator of a standard."""

    number: int
    category: str
    name_zh: str
    name_en: str
    unit: str
    role: str  # must | optional
    requirement: Requirement
    formula: Compiled
    reported: bool = False
    footnotes: tuple[str, ...] = ()

    @property
    def inputs(self) -> tuple[tuple[str, str], ...]:
        """The raw items (item, year reference) the formula reads."""
        return self.formula.inputs


@dataclass(frozen=True)
class Standard:
    """A whole standard: its items, indicators, helpers, footnotes and selection rules."""

    id: str
    code: str
    name_zh: str
    name_en: str
    min_selected_optional: int
    categories: tuple[str, ...]
    water_regions: dict[str, str]
    items: dict[str, Item]
    indicators: tuple[Indicator, ...]
    helpers: dict[str, Helper]
    footnotes: dict[str, dict[str, Any]] = field(default_factory=dict)
    rules: Rules = field(default_factory=Rules)

    def indicator(self, number: int) -> Indicator:
        """The indicator with this number."""
        for ind in self.indicators:
            if ind.number == number:
                return ind
        raise KeyError(f"{self.code} has no indicator {number}")

    @property
    def optional_numbers(self) -> list[int]:
        """Numbers of the optional indicators."""
        return [i.number for i in self.indicators if i.role == "optional"]

    @functools.cached_property
    def items_by_name(self) -> dict[str, Item]:
        """Items keyed by their Chinese name."""
        return {it.name_zh: it for it in self.items.values()}


def format_number(value: float | int | str) -> str:
    """Print a number as a person would write it: ``30``, ``0.5``, ``20.2``; words unchanged."""
    if isinstance(value, str):
        return value
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def _limit(spec: dict[str, Any], where: str) -> Limit:
    if spec.get("op") not in OPS:
        raise ValueError(f"{where}: op must be one of {OPS}")
    return Limit(spec["op"], spec["value"])


def _requirement(
    spec: dict[str, Any],
    where: str,
    helpers: Mapping[str, Helper],
    region_names: Mapping[str, str],
    unit: str,
    benchmark_above: float | None,
) -> Requirement:
    common = {"unit": unit, "benchmark_above": benchmark_above}
    if "by_sign_of" in spec:
        if spec["by_sign_of"] not in helpers:
            raise ValueError(f"{where}: by_sign_of names no helper ({spec['by_sign_of']})")
        return Requirement(
            by_sign_of=helpers[spec["by_sign_of"]],
            positive=_limit(spec["positive"], where),
            negative=_limit(spec["negative"], where),
            **common,
        )
    if "by_region" in spec:
        return Requirement(
            by_region={k: _limit(v, where) for k, v in spec["by_region"].items()},
            region_names=dict(region_names),
            **common,
        )
    return Requirement(limit=_limit(spec, where), **common)


def _read_items(path: Path) -> dict[str, Item]:
    filename = path.name
    text = path.read_text(encoding="utf-8")
    items = {}
    for row in csv.DictReader(text.splitlines()):
        kind, _, words = row["kind"].partition(":")
        items[row["item"]] = Item(
            id=row["item"],
            name_zh=row["name_zh"],
            unit=row["unit"],
            dimension=row["dimension"],
            kind=kind,
            allowed=tuple(words.split("|")) if words else (),
            additive=int(row["additive"] or 0),
            part_of=tuple(row["part_of"].split()),
            part_of_indicators=tuple(int(x) for x in row["part_of_indicators"].split()),
            aliases=tuple(row["aliases"].split("|")) if row["aliases"] else (),
            minimum=Decimal(row["min"]) if row["min"] else None,
            maximum=Decimal(row["max"]) if row["max"] else None,
        )
        if (kind == "status") != (row["min"] == "" and row["max"] == ""):
            raise ValueError(f"{filename}: {row['item']}: min and max are for numbers only")
    unknown = {w for it in items.values() for w in it.part_of} - set(items)
    if unknown:
        raise ValueError(f"{filename}: part_of names unknown items {sorted(unknown)}")
    return items


@functools.cache
def load_standard(code: str = DEFAULT_STANDARD) -> Standard:
    """Load and compile a standard's definition.

    Parameters
    ----------
    code : str
        The standard as park.yaml names it, e.g. ``"HJ 274-2015"``, or its id.

    Raises
    ------
    InputError
        If no definition has that code, or two files claim it (:func:`registry.find`).
    """
    path = registry.find(code).path
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = _read_items(path.parent / spec["items"])
    known = set(items)
    names = {item.id: item.name_zh for item in items.values()}
    helper_src = {name: h["expr"] for name, h in spec.get("helpers", {}).items()}
    zero_labels = {
        name: (h.get("zero_reason_zh", f"{name} 为 0"), h.get("zero_reason_en", f"{name} is zero"))
        for name, h in spec.get("helpers", {}).items()
    }
    helpers = {
        name: Helper(
            name,
            compile_formula(h["expr"], known, helper_src, zero_labels),
            h.get("name_zh", name),
            h.get("name_en", name),
        )
        for name, h in spec.get("helpers", {}).items()
    }
    footnote_a = spec.get("footnotes", {}).get("a", {})
    trigger = float(footnote_a.get("dominant_sector_trigger", 0.7))
    indicators = []
    for rec in spec["indicators"]:
        where = f"{path.name}: indicator {rec['number']}"
        if rec["role"] not in ROLES:
            raise ValueError(f"{where}: role must be one of {ROLES}")
        if rec["category"] not in spec["categories"]:
            raise ValueError(f"{where}: unknown category {rec['category']}")
        try:
            formula = compile_formula(rec["formula"], known, helper_src, zero_labels, names)
        except (ValueError, SyntaxError) as exc:
            raise ValueError(f"{where}: {exc}") from exc
        indicators.append(
            Indicator(
                number=rec["number"],
                category=rec["category"],
                name_zh=rec["name_zh"],
                name_en=rec["name_en"],
                unit=rec.get("unit") or "",
                role=rec["role"],
                requirement=_requirement(
                    rec["requirement"],
                    where,
                    helpers,
                    spec["water_regions"],
                    rec.get("unit") or "",
                    trigger if "a" in rec.get("footnotes", ()) else None,
                ),
                formula=formula,
                reported=bool(rec.get("reported", False)),
                footnotes=tuple(rec.get("footnotes", ())),
            )
        )
    return Standard(
        id=spec["id"],
        code=spec["code"],
        name_zh=spec["name_zh"],
        name_en=spec["name_en"],
        min_selected_optional=int(spec["min_selected_optional"]),
        categories=tuple(spec["categories"]),
        water_regions=dict(spec["water_regions"]),
        items=items,
        indicators=tuple(sorted(indicators, key=lambda i: i.number)),
        helpers=helpers,
        footnotes=dict(spec.get("footnotes", {})),
        rules=_rules(spec.get("rules") or {}, path.name),
    )


def _rules(spec: Mapping[str, Any], where: str) -> Rules:
    """The ``rules:`` block of a definition file (absent keys: GB/T 8170-2008's defaults)."""
    known = {"rounding", "comparison", "places", "small_value_digits"}
    unknown = set(spec) - known
    if unknown:
        raise ValueError(f"{where}: unknown rules keys {sorted(unknown)}; known: {sorted(known)}")
    try:
        return Rules(**dict(spec))
    except ValueError as exc:
        raise ValueError(f"{where}: rules: {exc}") from exc
