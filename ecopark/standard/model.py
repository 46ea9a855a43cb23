"""A standard as data: indicators, requirements, raw items, footnotes, the official tables' texts.

:func:`load_standard` reads a definition file found by its code (:mod:`ecopark.standard.registry`:
the package's folder, where HJ 274-2015 is ``hj274_2015.yaml``, and the user's folders) and
compiles its formulas. Nothing here knows any single indicator.
"""

from __future__ import annotations

import csv
import functools
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from ecopark.errors import InputError
from ecopark.standard import registry, yamlload
from ecopark.standard.expr import Compiled, Inexact, NotComputable, compile_formula

DEFAULT_STANDARD = "HJ 274-2015"

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


#: The lead of the line naming the rounding and comparison rule in force (:attr:`Rules.text_zh`),
#: as verdicts and the official tables' last note print it (the importer stops a table there).
RULES_LEAD_ZH = "数值修约与判定"


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
            f"{RULES_LEAD_ZH}：{ROUNDING_RULES[self.rounding][0]}，"
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
    part_of_indicators : tuple of str
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
    part_of_indicators: tuple[str, ...] = ()
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

        A float (or an array of floats: an array of flags) is compared with the limit as a
        float (charts, trends); an exact number (Fraction, int) with the limit as written,
        exactly. The declared comparison method (rounding first or not) is
        :func:`ecopark.rounding.passes`.
        """
        if isinstance(self.value, str) or isinstance(value, str):
            return self.op == "=" and str(value) == str(self.value)
        floats = (
            isinstance(value, float) or getattr(getattr(value, "dtype", None), "kind", "") == "f"
        )
        limit = float(self.value) if floats else self.exact
        if self.op == "=":
            return value == limit
        if self.op == ">=":
            return value >= limit
        return value <= limit

    def room(self, value: float | Fraction) -> float | Fraction:
        """Signed distance of a number to the limit [the indicator's unit].

        ``value − limit`` for ``≥``, ``limit − value`` for ``≤`` (positive on the passing side);
        ``value − limit`` for ``=``. A float against the limit as a float; an exact number
        (Fraction, int) against the limit as written, exactly (a Fraction: 0 at the limit).
        """
        if isinstance(value, float):
            v, lim = value, float(self.value)
        else:
            v, lim = Fraction(value), self.exact
        return lim - v if self.op == "<=" else v - lim

    def margin_pct(self, value: float | Fraction | str | None) -> float:
        """Signed margin of ``value`` to the limit [% of the limit]; positive = passing with room.

        ``room(value) / |limit| × 100``: Nantong 2021, indicator 14 (单位工业增加值新鲜水耗),
        7.6313 m³/万元 against ≤8 gives (8 − 7.6313) / 8 × 100 = 4.61 %. An exact value is
        worked out exactly and rounded once to a float, so it is 0 exactly at the limit and its
        sign is the side of the limit. Judged by the declared comparison method:
        :func:`ecopark.status.margin_pct`.

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
        if isinstance(value, float):
            return self.room(value) / abs(float(self.value)) * 100.0
        return float(self.room(value) * 100 / abs(self.exact))


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


@dataclass(frozen=True)
class Attribute:
    """A park attribute a standard needs, read from park.yaml (``attributes:`` of a definition).

    Attributes
    ----------
    name : str
        The park.yaml key (``water_region``).
    type : str
        ``choice`` (one of ``choices``), ``number``, ``integer`` or ``boolean``.
    label_zh, label_en : str
        What the attribute is, in words (``所在区域``).
    short_zh : str
        A short Chinese name for sentences (defaults to ``label_zh``).
    choices : dict of str to str
        For a choice: value -> its Chinese label (``water_scarce: 缺水城市``), in order.
    default : object
        The value when park.yaml does not give one; None: optional, absent means "not given".
    minimum, maximum : float or None
        The allowed range of a number [``unit``].
    unit : str
        ``fraction`` (printed as a percentage) or another unit name, or empty.
    """

    name: str
    type: str
    label_zh: str
    label_en: str = ""
    short_zh: str = ""
    choices: dict[str, str] = field(default_factory=dict)
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    unit: str = ""

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not allowed for this attribute (a sentence naming it), or None.

        ``water_region 'south' is not one of water_scarce (缺水城市), jingjinji (京津冀区域),
        other (其他地区)``; ``dominant_sector_share must be a number from 0 to 1 (0.72 for 72%),
        not '80'``.
        """
        if self.type == "choice":
            if isinstance(value, str) and value in self.choices:
                return None
            return f"{self.name} '{value}' is not one of {self.allowed_text}"
        if self.type == "boolean":
            if isinstance(value, bool):
                return None
            return f"{self.name} must be true or false, not '{value}'"
        bad = (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or (self.type == "integer" and not float(value).is_integer())
            or (self.minimum is not None and value < self.minimum)
            or (self.maximum is not None and value > self.maximum)
        )
        return f"{self.name} must be {self.allowed_text}, not '{value}'" if bad else None

    @property
    def allowed_text(self) -> str:
        """The allowed values in words: ``water_scarce (缺水城市), jingjinji (京津冀区域), other (其他地区)``."""
        if self.type == "choice":
            return ", ".join(f"{k} ({v})" for k, v in self.choices.items())
        if self.type == "boolean":
            return "true or false"
        return ("a whole number" if self.type == "integer" else "a number") + self.range_text

    @property
    def range_text(self) -> str:
        """`` from 0 to 1 (0.72 for 72%)`` for a bounded number; empty otherwise."""
        lo, hi = self.minimum, self.maximum
        text = ""
        if lo is not None and hi is not None:
            text = f" from {format_number(lo)} to {format_number(hi)}"
        elif lo is not None:
            text = f" of at least {format_number(lo)}"
        elif hi is not None:
            text = f" of at most {format_number(hi)}"
        if self.unit == "fraction":
            text += " (0.72 for 72%)"
        return text

    def value_text(self, value: Any) -> str:
        """A value as a sentence prints it: ``80%`` for a fraction, ``缺水城市`` for a choice."""
        if self.type == "choice":
            return self.choices.get(str(value), str(value))
        if self.unit == "fraction" and isinstance(value, int | float):
            return f"{value:.0%}"
        return format_number(value) if isinstance(value, int | float) else str(value)


def case_key(value: Any) -> str:
    """The key of ``cases:`` a park attribute's value selects: ``"true"``/``"false"`` for booleans."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class Tier:
    """A tier of indicators and the rule the verdict applies to it (``tiers:`` of a definition).

    Attributes
    ----------
    id : str
        What indicators name in ``tier:`` (``must``).
    name_zh, name_en : str
        The tier in words (``必选``, ``must``).
    rule : str
        ``all_pass`` (every indicator must pass), ``select`` (the park selects at least
        ``min_selected`` of them, park.yaml ``selected_optional``, and every selected one must
        pass) or ``gate`` (every indicator must pass; if one does not, the park-year is
        不具备评价条件 and the other tiers are not judged).
    min_selected : int
        For ``select``: the fewest indicators a park may select.
    """

    id: str
    name_zh: str
    name_en: str
    rule: str
    min_selected: int = 0

    @property
    def counts_always(self) -> bool:
        """Whether every indicator of the tier counts (``all_pass`` and ``gate``)."""
        return self.rule != "select"


TIER_RULES = ("all_pass", "select", "gate")


#: The placeholders a text of the official tables may hold (``{park}``): name -> what it is.
TABLE_PLACEHOLDERS: dict[str, str] = {
    "park": "the park's name (park.yaml name)",
    "park_id": "the park's id (its folder)",
    "year": "the evaluation year",
    "base_year": "the data base year (park.yaml base_year)",
    "standard": "the standard's code",
    "standard_name": "the standard's Chinese title (name_zh)",
    "filled_on": "填报时间, the day the table is filled in (2022 年 8 月 4 日)",
}
#: The placeholder of a role word (``must_zh``, ``selected_zh``, ``not_selected_zh``).
ROLE_PLACEHOLDERS: dict[str, str] = {"tier": "the indicator's tier (its name_zh)"}
#: The placeholders of a count in the Word document's conclusion (``counted_*_zh``).
COUNT_PLACEHOLDERS: dict[str, str] = {
    "tier": "the tier (its name_zh)",
    "n": "how many of the tier's indicators count for the park-year",
}
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def fill(template: str, values: Mapping[str, object]) -> str:
    """A text of the official tables with its ``{name}`` placeholders replaced by ``values``.

    One pass: a value that itself holds ``{year}`` (a park's name) is not replaced again; a
    ``{name}`` not in ``values`` is left as written (the schema refuses unknown placeholders).
    """
    return PLACEHOLDER.sub(
        lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template
    )


@dataclass(frozen=True)
class DisclosureTable:
    """The texts of 附表2 (the information-disclosure table's section of the standard's
    indicators) of one standard: ``official_table: disclosure:`` of its definition.

    Attributes
    ----------
    sheet_zh : str
        The sheet's name in the workbook (at most 31 characters, none of ``[]:*?/\\``).
    title_zh : str
        The title above the table ({placeholders}: :data:`TABLE_PLACEHOLDERS`).
    section_zh : str
        The section heading between the header lines and the table (empty: none).
    columns_zh : tuple of str
        The 8 column headings: category, id, indicator, unit, requirement, role, value, passed.
    passed_zh, failed_zh : str
        The last column's word for a judged indicator that passes / fails.
    """

    sheet_zh: str = "信息公开表"
    title_zh: str = "{standard_name}达标情况（{year} 年）"
    section_zh: str = "考核指标达标情况"
    columns_zh: tuple[str, ...] = (
        "分类",
        "序号",
        "指标",
        "单位",
        "要求",
        "是否为考核指标",
        "当年现状值",
        "是否达标",
    )
    passed_zh: str = "是"
    failed_zh: str = "否"


#: What the columns of 附表1 hold, in order (``columns_zh`` names them; 附表2 adds ``passed``).
TABLE_COLUMNS = ("category", "id", "indicator", "unit", "requirement", "role", "value")


@dataclass(frozen=True)
class OfficialTable:
    """The titles and layout texts the official tables print for one standard (its definition's
    ``official_table:``): 附表1 (the assessment table, with each indicator's raw items), the Word
    document's title and conclusion counts, and :class:`DisclosureTable` (附表2).

    The defaults name no standard; a definition gives its own wording (HJ 274-2015's is in
    ``hj274_2015.yaml``).

    Attributes
    ----------
    sheet_zh : str
        附表1's sheet name in the workbook (at most 31 characters, none of ``[]:*?/\\``) and its
        section title in the Word document.
    title_zh : str
        The title above 附表1 ({placeholders}: :data:`TABLE_PLACEHOLDERS`, as every text below
        unless said otherwise).
    caption_zh : str
        The left cell of the line above the column headings.
    columns_zh : tuple of str
        The 7 column headings: category, id, indicator, unit, requirement, role, value
        (:data:`TABLE_COLUMNS`).
    park_line_zh, filled_on_line_zh, base_year_line_zh : str
        The header lines naming the park, the filling day and the data base year.
    base_prefix_zh : str
        Put before a raw item's name on its base-year row (plain text; the importer reads it).
    heading_aliases_zh : dict of str to tuple of str
        Other headings the importer accepts for a column, keyed by its heading in
        ``columns_zh`` (HJ 274-2015: 指标名称 for 指标); 附表2's headings are accepted as well.
    must_zh, selected_zh, not_selected_zh : str
        The role column's word for an indicator of a tier every indicator of which counts, a
        selected one and one not selected ({tier}: :data:`ROLE_PLACEHOLDERS`).
    notes_lead_zh : str
        Put before the first note below a table.
    notes_zh : tuple of str
        Notes printed below both tables after the rules' footnotes.
    report_title_zh : str
        The Word document's title.
    counted_must_zh, counted_selected_zh : str
        The Word conclusion's count of a tier's indicators that count (every one, or the
        selected ones), joined with 、 in tier order ({tier}, {n}: :data:`COUNT_PLACEHOLDERS`).
    disclosure : DisclosureTable
        附表2's texts.
    """

    sheet_zh: str = "对照考核表"
    title_zh: str = "{standard_name}对照考核表"
    caption_zh: str = "考核指标"
    columns_zh: tuple[str, ...] = (
        "分类",
        "序号",
        "指标",
        "单位",
        "要求",
        "是否选为考核指标",
        "数值",
    )
    park_line_zh: str = "园区名称：{park}"
    filled_on_line_zh: str = "填报时间：{filled_on}"
    base_year_line_zh: str = "数据基准年为 {base_year} 年"
    base_prefix_zh: str = "基准年"
    heading_aliases_zh: dict[str, tuple[str, ...]] = field(default_factory=dict)
    must_zh: str = "{tier}"
    selected_zh: str = "是"
    not_selected_zh: str = "否"
    notes_lead_zh: str = "注："
    notes_zh: tuple[str, ...] = ()
    report_title_zh: str = "{park} {year} 年{standard_name}达标评价"
    counted_must_zh: str = "{tier}指标 {n} 项"
    counted_selected_zh: str = "选定{tier}指标 {n} 项"
    disclosure: DisclosureTable = field(default_factory=DisclosureTable)

    def role_zh(self, tier: Tier, role: str) -> str:
        """The role column's word for an indicator of ``tier`` whose role is ``role``
        (``must``, ``selected`` or ``optional``: :attr:`IndicatorResult.role`)."""
        template = {
            "must": self.must_zh,
            "selected": self.selected_zh,
            "optional": self.not_selected_zh,
        }[role]
        return fill(template, {"tier": tier.name_zh})

    def counted_zh(self, tier: Tier, n: int) -> str:
        """The conclusion's count of ``tier``: ``必选指标 26 项``."""
        template = self.counted_selected_zh if tier.rule == "select" else self.counted_must_zh
        return fill(template, {"tier": tier.name_zh, "n": n})


#: Operators of a ``benchmark_when`` condition and their Chinese and English words.
CONDITION_OPS: dict[str, tuple[str, str]] = {
    ">": ("超过", "above"),
    ">=": ("达到或超过", "at least"),
    "<": ("低于", "below"),
    "<=": ("不超过", "at most"),
    "=": ("为", "equal to"),
}


@dataclass(frozen=True)
class BenchmarkWhen:
    """Rule kind ``benchmark_when``: the limit is a park-supplied benchmark when a condition holds.

    When the park's ``attribute`` ``op`` ``value`` (HJ 274-2015 注 a: the largest industry's
    share of output > 0.70), the limit keeps its operator and takes the value the park gives
    in park.yaml ``sector_benchmarks`` for the indicator; without it the indicator cannot be
    judged.

    Attributes
    ----------
    attribute : Attribute
        The park attribute the condition reads.
    op : str
        One of :data:`CONDITION_OPS`.
    value : float or str
        The threshold [the attribute's unit].
    benchmark_zh, benchmark_en : str
        What the benchmark is, in words (``该行业清洁生产一级水平``).
    mark : str
        The mark printed in the official table (``a``), or empty.
    text_zh : str
        The standard's own wording of the rule; generated from the parameters when empty.
    """

    attribute: Attribute
    op: str
    value: float | str
    benchmark_zh: str = "园区提供的基准值"
    benchmark_en: str = "the benchmark the park supplies"
    mark: str = ""
    text_zh: str = ""
    kind: str = "benchmark_when"

    def holds(self, attributes: Mapping[str, Any]) -> bool:
        """Whether the condition holds for a park's attributes (an attribute not given: no)."""
        got = attributes.get(self.attribute.name, self.attribute.default)
        if got is None:
            return False
        if self.op == "=":
            return case_key(got) == case_key(self.value)
        if isinstance(got, bool | str) or isinstance(self.value, str):
            return False
        return {">": got > self.value, ">=": got >= self.value, "<": got < self.value}.get(
            self.op, got <= self.value
        )

    @property
    def note(self) -> str:
        """``注 a：`` with a mark, else empty (how sentences cite the rule)."""
        return f"注 {self.mark}：" if self.mark else ""

    @property
    def requirement_zh(self) -> str:
        """The requirement when the benchmark is missing: ``该行业清洁生产一级水平（注 a）``."""
        return self.benchmark_zh + (f"（注 {self.mark}）" if self.mark else "")

    @property
    def footnote_zh(self) -> str:
        """The rule in words, as the official table's note prints it."""
        if self.text_zh:
            return self.text_zh
        attr = self.attribute
        return (
            f"{attr.label_zh}{CONDITION_OPS[self.op][0]} {attr.value_text(self.value)}，"
            f"该指标的指标值为{self.benchmark_zh}。"
        )

    def missing(self, attributes: Mapping[str, Any]) -> tuple[str, str]:
        """Why no limit applies when the benchmark is not given (Chinese, English)."""
        attr = self.attribute
        got = attr.value_text(attributes.get(attr.name, attr.default))
        word_zh, word_en = CONDITION_OPS[self.op]
        mark_en = f"footnote {self.mark}: " if self.mark else ""
        return (
            f"{self.note}{attr.short_zh or attr.label_zh} {got} {word_zh} "
            f"{attr.value_text(self.value)}，须以{self.benchmark_zh}为限值（park.yaml sector_benchmarks）",
            f"{mark_en}{attr.label_en or attr.name} is {got} ({word_en} "
            f"{attr.value_text(self.value)}), so the limit is {self.benchmark_en}; give it as "
            "sector_benchmarks in park.yaml",
        )


@dataclass(frozen=True)
class SelectableIfPasses:
    """Rule kind ``selectable_if_passes``: may be selected only if another indicator passes.

    Attributes
    ----------
    indicator : str
        The id of the indicator that must pass.
    label : str
        Its display label.
    mark, text_zh : str
        As :class:`BenchmarkWhen`; the generated text is
        ``“指标 4”无法达标的园区不能选择此项指标作为考核指标。``
    """

    indicator: str
    label: str
    mark: str = ""
    text_zh: str = ""
    kind: str = "selectable_if_passes"

    @property
    def note(self) -> str:
        """``按注 b `` with a mark, else empty."""
        return f"按注 {self.mark} " if self.mark else ""

    @property
    def footnote_zh(self) -> str:
        """The rule in words, as the official table's note prints it."""
        return self.text_zh or f"“指标 {self.label}”无法达标的园区不能选择此项指标作为考核指标。"

    @property
    def note_en(self) -> str:
        """``(footnote b)``, or ``(only if indicator 4 passes)`` without a mark."""
        if self.mark:
            return f"(footnote {self.mark})"
        return f"(only if indicator {self.label} passes)"


Condition = BenchmarkWhen | SelectableIfPasses
CONDITION_KINDS = ("benchmark_when", "selectable_if_passes")


@dataclass(frozen=True)
class Requirement:
    """A requirement: one node of a tree, of exactly one kind.

    - a plain limit (``limit``);
    - cases by a park attribute (``by_attribute``: the attribute's value -> a node; 16 of
      HJ 274-2015 by ``water_region``), any declared attribute;
    - cases by the sign of a helper (``by_sign_of``: ``positive`` / ``negative`` nodes; g_V for
      10, 13, 25).

    Nodes nest as deep as needed (park type × water region, a sign within a region...).

    Attributes
    ----------
    limit : Limit or None
        The fixed limit of a leaf.
    by_attribute : Attribute or None
        The park attribute whose value chooses among ``cases``.
    cases : dict of str to Requirement
        Value (:func:`case_key`) -> node, in the definition's order.
    by_sign_of : Helper or None
        The helper whose sign chooses between ``positive`` and ``negative``.
    unit : str
        The unit of the limit values (the indicator's).
    """

    limit: Limit | None = None
    by_attribute: Attribute | None = None
    cases: dict[str, Requirement] = field(default_factory=dict)
    by_sign_of: Helper | None = None
    positive: Requirement | None = None
    negative: Requirement | None = None
    unit: str = ""

    def __hash__(self) -> int:
        return id(self)

    def limits(self) -> Iterator[Limit]:
        """Every limit of the tree, depth first in the definition's order."""
        if self.limit is not None:
            yield self.limit
        for child in (*self.cases.values(), self.positive, self.negative):
            if child is not None:
                yield from child.limits()

    def attribute_names(self) -> set[str]:
        """The park attributes the tree reads."""
        names = {self.by_attribute.name} if self.by_attribute is not None else set()
        for child in (*self.cases.values(), self.positive, self.negative):
            if child is not None:
                names |= child.attribute_names()
        return names

    def resolved(self, attributes: Mapping[str, Any]) -> Requirement:
        """The subtree left once the park's attributes have chosen their cases.

        Stops at a helper's sign (which needs the data) or at an attribute whose value has no
        case.
        """
        node = self
        while node.by_attribute is not None:
            attr = node.by_attribute
            child = node.cases.get(case_key(attributes.get(attr.name, attr.default)))
            if child is None:
                return node
            node = child
        return node

    def applicable(
        self,
        values: Mapping[str, float | str],
        n: float,
        attributes: Mapping[str, Any] | None = None,
        *,
        exact_values: Mapping[str, Fraction | str] | None = None,
    ) -> Applied:
        """The limit that applies to a park-year, or why none does.

        Parameters
        ----------
        values : mapping
            Raw items keyed ``"item@ref"`` (for a helper's sign), floats or exact.
        n : float
            Years since the base year [years].
        attributes : mapping, optional
            The park's attributes (:attr:`ecopark.io.config.ParkConfig.attributes`); an absent
            one takes its default.
        exact_values : mapping, optional
            The same items exactly: a helper's sign is taken from them where a float
            evaluation cannot be trusted with it (growth within 0.1 % of zero).

        Returns
        -------
        Applied
            The limit (None when a helper is zero or not computable, or an attribute's value
            has no case), its text and the reason.
        """
        attributes = attributes or {}
        if self.limit is not None:
            return self._applies
        if self.by_attribute is not None:
            attr = self.by_attribute
            value = attributes.get(attr.name, attr.default)
            child = self.cases.get(case_key(value))
            if child is None:
                return Applied(
                    None,
                    self.branches,
                    f"{attr.label_zh}「{attr.value_text(value)}」无对应要求",
                    f"no requirement for {attr.label_en or attr.name} '{value}'",
                )
            return child.applicable(values, n, attributes, exact_values=exact_values)
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
            return self.positive.applicable(values, n, attributes, exact_values=exact_values)
        if sign < 0:
            return self.negative.applicable(values, n, attributes, exact_values=exact_values)
        return Applied(
            None,
            self.branches,
            f"{helper.name_zh}为 0，要求无定义",
            f"{helper.name_en} is zero, so no requirement applies",
        )

    @functools.cached_property
    def _applies(self) -> Applied:
        """A leaf's limit as it applies (made once: asked for every indicator of every year)."""
        return Applied(self.limit, self.limit.text)

    def describe(self, style: str = "official") -> str:
        """The requirement in words, every branch of the whole tree.

        Parameters
        ----------
        style : str
            ``"official"``: as the standard's table (附表1) prints it, every branch in full:
            ``≥30``; ``当园区工业增加值建设期年均增长率>0,≤0.6 当园区工业增加值建设期年均增长率<0,≥0.6``
            (10, 13, 25); ``缺水城市达到20%以上 京津冀区域达到30%以上 其他地区达到10%以上`` (16);
            a nested case prints ``化工园区：缺水城市达到…；其他…``.
            ``"branches"``: every branch compactly, as the results table prints a requirement
            when no limit applies: ``>0 时 ≤0.6；<0 时 ≥0.6``, ``water_scarce ≥20；…``, a nested
            case in brackets: ``chemical （water_scarce ≥20；other ≥10）；…``.
            The requirement as it applies to a park-year is :attr:`Applied.text`.
        """
        if style == "official":
            return self.official
        if style == "branches":
            return self.branches
        raise ValueError(f"unknown style '{style}'; use official or branches")

    @functools.cached_property
    def branches(self) -> str:
        """Every branch compactly (see :meth:`describe`)."""
        if self.limit is not None:
            return self.limit.text
        if self.by_sign_of is not None:
            return f">0 时 {self.positive._nested_branches}；<0 时 {self.negative._nested_branches}"
        return "；".join(f"{k} {v._nested_branches}" for k, v in self.cases.items())

    @property
    def _nested_branches(self) -> str:
        return self.branches if self.limit is not None else f"（{self.branches}）"

    @functools.cached_property
    def official(self) -> str:
        """Every branch as the standard's table prints it (see :meth:`describe`)."""
        if self.limit is not None:
            return self.limit.text
        if self.by_sign_of is not None:
            name = self.by_sign_of.name_zh
            return f"当{name}>0,{self.positive.official} 当{name}<0,{self.negative.official}"
        attr = self.by_attribute
        words = []
        for key, child in self.cases.items():
            label = attr.choices.get(key, key)
            if child.limit is not None:
                words.append(f"{label}{_limit_words(child.limit, self.unit)}")
            else:
                words.append(f"{label}：{child.official}")
        leaves = all(child.limit is not None for child in self.cases.values())
        return (" " if leaves else "；").join(words)


def _limit_words(limit: Limit, unit: str) -> str:
    """``达到20%以上`` (≥), ``达到0.5吨以下`` (≤), ``达到100%`` (=)."""
    if limit.op == "=":
        return f"达到{format_number(limit.value)}{unit}"
    return f"达到{format_number(limit.value)}{unit}{'以上' if limit.op == '>=' else '以下'}"


@dataclass(frozen=True)
class Indicator:
    """One indicator of a standard.

    Attributes
    ----------
    number : str
        The indicator's id, the key every table and park.yaml names it by (the data contract's
        column ``number``): ``"10"`` in HJ 274-2015, a code such as ``"A1"`` elsewhere; ids need
        not run 1..N.
    label : str
        How tables and sentences print it (defaults to the id).
    tier : str
        The id of its :class:`Tier`.
    role : str
        ``must`` (its tier's rule is ``all_pass`` or ``gate``: it always counts) or ``optional``
        (a ``select`` tier: it counts when the park selects it).
    conditions : tuple
        Its named rules (:class:`BenchmarkWhen`, :class:`SelectableIfPasses`).
    same_as : dict of str to str
        Another standard's code -> the id of its indicator this one is the same as
        (``same_as:`` of the definition; what :func:`ecopark.compare_standards` matches by).
    """

    number: str
    category: str
    name_zh: str
    name_en: str
    unit: str
    role: str
    requirement: Requirement
    formula: Compiled
    reported: bool = False
    tier: str = ""
    label: str = ""
    conditions: tuple[Condition, ...] = ()
    same_as: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def inputs(self) -> tuple[tuple[str, str], ...]:
        """The raw items (item, year reference) the formula reads."""
        return self.formula.inputs

    @property
    def marks(self) -> tuple[str, ...]:
        """The marks of its rules as the official table prints them after the name (``a``)."""
        return tuple(c.mark for c in self.conditions if c.mark)

    def condition(self, kind: str) -> Condition | None:
        """Its rule of this kind (:data:`CONDITION_KINDS`), or None."""
        return next((c for c in self.conditions if c.kind == kind), None)

    def applicable(
        self,
        values: Mapping[str, float | str],
        n: float,
        attributes: Mapping[str, Any] | None = None,
        benchmark: float | None = None,
        *,
        exact_values: Mapping[str, Fraction | str] | None = None,
    ) -> Applied:
        """The limit that applies to a park-year: a ``benchmark_when`` rule, else the requirement.

        Parameters
        ----------
        benchmark : float, optional
            The park's benchmark for this indicator (park.yaml ``sector_benchmarks``)
            [the indicator's unit].

        See :meth:`Requirement.applicable` for the others.
        """
        attributes = attributes or {}
        rule = self.condition("benchmark_when")
        if rule is not None and rule.holds(attributes):
            if benchmark is not None:
                base = next(self.requirement.resolved(attributes).limits())
                limit = Limit(base.op, benchmark)
                return Applied(limit, limit.text)
            return Applied(None, rule.requirement_zh, *rule.missing(attributes))
        return self.requirement.applicable(values, n, attributes, exact_values=exact_values)


@dataclass(frozen=True)
class Standard:
    """A whole standard: its attributes, tiers, items, indicators, helpers, rules and the texts
    of its official tables."""

    id: str
    code: str
    name_zh: str
    name_en: str
    categories: tuple[str, ...]
    items: dict[str, Item]
    indicators: tuple[Indicator, ...]
    helpers: dict[str, Helper]
    attributes: dict[str, Attribute] = field(default_factory=dict)
    tiers: tuple[Tier, ...] = ()
    rules: Rules = field(default_factory=Rules)
    official_table: OfficialTable = field(default_factory=OfficialTable)
    source: str = ""

    def indicator(self, number: str | int) -> Indicator:
        """The indicator with this id (``"10"``; an int is read as its digits: 10 is ``"10"``)."""
        found = self._by_id.get(str(number))
        if found is None:
            raise KeyError(f"{self.code} has no indicator {number}")
        return found

    @functools.cached_property
    def _by_id(self) -> dict[str, Indicator]:
        return {ind.number: ind for ind in self.indicators}

    def tier(self, tier_id: str) -> Tier:
        """The tier with this id."""
        for t in self.tiers:
            if t.id == tier_id:
                return t
        raise KeyError(f"{self.code} has no tier {tier_id}")

    def tier_of(self, ind: Indicator) -> Tier:
        """The tier an indicator belongs to."""
        return self.tier(ind.tier)

    @property
    def optional_numbers(self) -> list[str]:
        """Ids of the indicators a park may select (those of ``select`` tiers), in order."""
        return [i.number for i in self.indicators if i.role == "optional"]

    @functools.cached_property
    def footnotes(self) -> dict[str, str]:
        """Mark -> the rule's wording, for every rule with a mark (the official table's notes)."""
        out: dict[str, str] = {}
        for ind in self.indicators:
            for c in ind.conditions:
                if c.mark and c.mark not in out:
                    out[c.mark] = c.footnote_zh
        return dict(sorted(out.items()))

    @functools.cached_property
    def benchmark_ids(self) -> list[str]:
        """Ids of the indicators with a ``benchmark_when`` rule (park.yaml ``sector_benchmarks``)."""
        return [i.number for i in self.indicators if i.condition("benchmark_when") is not None]

    @functools.cached_property
    def items_by_name(self) -> dict[str, Item]:
        """Items keyed by their Chinese name."""
        return {it.name_zh: it for it in self.items.values()}


def id_value(text: str) -> int | str:
    """An indicator id or label as JSON and spreadsheets hold it: digits as a number (``"10"`` ->
    10, as the official tables number their rows), any other code as text (``"A1"``)."""
    return int(text) if text.isascii() and text.isdigit() and text == str(int(text)) else text


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
    if set(spec) - {"op", "value"}:
        raise ValueError(
            f"{where}: a limit has only op and value, not {sorted(set(spec) - {'op', 'value'})}"
        )
    return Limit(spec["op"], spec["value"])


def _requirement(
    spec: Any,
    where: str,
    helpers: Mapping[str, Helper],
    attributes: Mapping[str, Attribute],
    unit: str,
) -> Requirement:
    """One node of a requirement tree (and its children), of exactly one kind."""
    if not isinstance(spec, dict):
        raise ValueError(f"{where}: a requirement must be a mapping, not {spec!r}")
    kinds = [k for k in ("op", "by_attribute", "by_sign_of") if k in spec]
    if len(kinds) != 1:
        raise ValueError(
            f"{where}: a requirement has exactly one of op (a limit), by_attribute or by_sign_of"
        )
    if "by_sign_of" in spec:
        if spec["by_sign_of"] not in helpers:
            raise ValueError(f"{where}: by_sign_of names no helper ({spec['by_sign_of']})")
        return Requirement(
            by_sign_of=helpers[spec["by_sign_of"]],
            positive=_requirement(
                spec.get("positive"), f"{where}: positive", helpers, attributes, unit
            ),
            negative=_requirement(
                spec.get("negative"), f"{where}: negative", helpers, attributes, unit
            ),
            unit=unit,
        )
    if "by_attribute" in spec:
        attr = attributes.get(spec["by_attribute"])
        if attr is None:
            raise ValueError(
                f"{where}: by_attribute names no declared attribute ({spec['by_attribute']})"
            )
        if attr.type not in ("choice", "boolean"):
            raise ValueError(f"{where}: by_attribute needs a choice or boolean attribute")
        cases = spec.get("cases")
        if not isinstance(cases, dict) or not cases:
            raise ValueError(f"{where}: by_attribute needs cases: {{value: requirement, ...}}")
        allowed = list(attr.choices) if attr.type == "choice" else ["true", "false"]
        out = {}
        for value, child in cases.items():
            k = case_key(value)
            if k not in allowed:
                raise ValueError(
                    f"{where}: case '{k}' is not a value of {attr.name} ({', '.join(allowed)})"
                )
            out[k] = _requirement(child, f"{where}: {attr.name}={k}", helpers, attributes, unit)
        return Requirement(by_attribute=attr, cases=out, unit=unit)
    return Requirement(limit=_limit(spec, where), unit=unit)


def _attribute(name: str, spec: Mapping[str, Any], where: str) -> Attribute:
    """One ``attributes:`` entry of a definition."""
    kind = spec.get("type")
    if kind not in ("choice", "number", "integer", "boolean"):
        raise ValueError(
            f"{where}: attribute {name}: type must be choice, number, integer or boolean"
        )
    choices = {str(k): str(v) for k, v in (spec.get("choices") or {}).items()}
    if (kind == "choice") != bool(choices):
        raise ValueError(f"{where}: attribute {name}: choices are for (and needed by) a choice")
    attr = Attribute(
        name=name,
        type=kind,
        label_zh=str(spec.get("label_zh") or name),
        label_en=str(spec.get("label_en") or ""),
        short_zh=str(spec.get("short_zh") or ""),
        choices=choices,
        default=spec.get("default"),
        minimum=spec.get("min"),
        maximum=spec.get("max"),
        unit=str(spec.get("unit") or ""),
    )
    if attr.default is not None and (why := attr.problem(attr.default)):
        raise ValueError(f"{where}: attribute {name}: default {why}")
    return attr


def _tier(spec: Mapping[str, Any], where: str) -> Tier:
    """One ``tiers:`` entry of a definition."""
    rule = spec.get("rule")
    if rule not in TIER_RULES:
        raise ValueError(
            f"{where}: tier {spec.get('id')}: rule must be one of {', '.join(TIER_RULES)}"
        )
    minimum = spec.get("min_selected", 0)
    if rule == "select" and (not isinstance(minimum, int) or minimum < 0):
        raise ValueError(f"{where}: tier {spec.get('id')}: min_selected must be a whole number")
    return Tier(
        id=str(spec["id"]),
        name_zh=str(spec.get("name_zh") or spec["id"]),
        name_en=str(spec.get("name_en") or spec["id"]),
        rule=rule,
        min_selected=int(minimum or 0),
    )


def _condition(
    spec: Mapping[str, Any],
    where: str,
    attributes: Mapping[str, Attribute],
    labels: Mapping[str, str],
) -> Condition:
    """One ``conditions:`` entry of an indicator (a named rule kind)."""
    kind = spec.get("kind")
    mark, text = str(spec.get("mark") or ""), str(spec.get("text_zh") or "")
    if kind == "benchmark_when":
        attr = attributes.get(spec.get("attribute"))
        if attr is None:
            raise ValueError(
                f"{where}: benchmark_when names no declared attribute ({spec.get('attribute')})"
            )
        if spec.get("op") not in CONDITION_OPS:
            raise ValueError(
                f"{where}: benchmark_when: op must be one of {', '.join(CONDITION_OPS)}"
            )
        extra = {k: str(spec[k]) for k in ("benchmark_zh", "benchmark_en") if spec.get(k)}
        return BenchmarkWhen(attr, spec["op"], spec.get("value"), mark=mark, text_zh=text, **extra)
    if kind == "selectable_if_passes":
        other = str(spec.get("indicator"))
        if other not in labels:
            raise ValueError(f"{where}: selectable_if_passes names no indicator ({other})")
        return SelectableIfPasses(other, labels[other], mark=mark, text_zh=text)
    raise ValueError(f"{where}: condition kind must be one of {', '.join(CONDITION_KINDS)}")


def _read_items(text: str, filename: str) -> dict[str, Item]:
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
            part_of_indicators=tuple(row["part_of_indicators"].split()),
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
    return load_standard_file(registry.find(code).path)


@functools.cache
def load_standard_file(path: str | Path) -> Standard:
    """Load and compile a definition file (its items catalogue is read relative to it).

    The file is validated first (:func:`ecopark.standard.schema.validate`): every problem, with
    file and line, raises :class:`~ecopark.errors.InputError` before anything is compiled.
    """
    from ecopark.standard import schema  # schema reads this module's vocabularies

    path = Path(path)
    problems = schema.validate(path)
    if problems:
        raise InputError(problems)
    return _standard(
        path.read_text(encoding="utf-8"),
        str(path),
        lambda name: (path.parent / name).read_text(encoding="utf-8"),
    )


def _standard(text: str, where: str, read: Callable[[str], str]) -> Standard:
    """A definition's text compiled (``read(name)``: a file beside it, the items catalogue)."""
    spec = yamlload.safe_load(text)
    items = _read_items(read(spec["items"]), spec["items"])
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
    attributes = {
        name: _attribute(name, a, where) for name, a in (spec.get("attributes") or {}).items()
    }
    tiers = tuple(_tier(t, where) for t in spec.get("tiers") or ())
    rule_of = {t.id: t.rule for t in tiers}
    labels = {str(rec["id"]): str(rec.get("label", rec["id"])) for rec in spec["indicators"]}
    if len(labels) != len(spec["indicators"]):
        raise ValueError(f"{where}: an indicator id is used twice")
    indicators = []
    for rec in spec["indicators"]:
        number = str(rec["id"])
        at = f"{where}: indicator {number}"
        if rec.get("tier") not in rule_of:
            raise ValueError(f"{at}: tier must be one of {', '.join(rule_of)}")
        if rec["category"] not in spec["categories"]:
            raise ValueError(f"{at}: unknown category {rec['category']}")
        try:
            formula = compile_formula(rec["formula"], known, helper_src, zero_labels, names)
        except (ValueError, SyntaxError) as exc:
            raise ValueError(f"{at}: {exc}") from exc
        unit = rec.get("unit") or ""
        indicators.append(
            Indicator(
                number=number,
                label=labels[number],
                category=rec["category"],
                name_zh=rec["name_zh"],
                name_en=rec["name_en"],
                unit=unit,
                tier=rec["tier"],
                role="optional" if rule_of[rec["tier"]] == "select" else "must",
                requirement=_requirement(rec["requirement"], at, helpers, attributes, unit),
                formula=formula,
                reported=bool(rec.get("reported", False)),
                conditions=tuple(
                    _condition(c, at, attributes, labels) for c in rec.get("conditions") or ()
                ),
                same_as={str(k): str(v) for k, v in (rec.get("same_as") or {}).items()},
            )
        )
    return Standard(
        id=spec["id"],
        code=spec["code"],
        name_zh=spec["name_zh"],
        name_en=spec["name_en"],
        categories=tuple(spec["categories"]),
        items=items,
        indicators=tuple(indicators),
        helpers=helpers,
        attributes=attributes,
        tiers=tiers,
        rules=_rules(spec.get("rules") or {}, where),
        official_table=_official_table(spec.get("official_table") or {}),
        source=where,
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


def _official_table(spec: Mapping[str, Any]) -> OfficialTable:
    """The ``official_table:`` block of a definition (validated by the schema; absent keys:
    the defaults of :class:`OfficialTable` and :class:`DisclosureTable`)."""

    def text(value: Any) -> Any:
        if isinstance(value, list):
            return tuple(map(str, value))
        if isinstance(value, dict):
            return {str(k): text(v) for k, v in value.items()}
        return str(value)

    def texts(block: Mapping[str, Any]) -> dict[str, Any]:
        return {k: text(v) for k, v in block.items()}

    given = dict(spec)
    disclosure = DisclosureTable(**texts(given.pop("disclosure", None) or {}))
    return OfficialTable(**texts(given), disclosure=disclosure)
