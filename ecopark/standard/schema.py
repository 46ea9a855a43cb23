"""The schema of a standard's definition file, declared once as data, and its validator.

:data:`DEFINITION` says every key a definition may hold: its type, whether it is required, its
allowed values and its meaning in one line. :func:`validate` checks a file against it and against
itself (cross-references, formulas, units) and reports every problem with file and line;
:func:`reference` writes ``docs/standard-format.md`` from the same data, so the reference and the
check cannot drift apart.

What :func:`validate` reports, beyond the keys and types of the schema:

- ids given twice (indicators, labels, tiers, categories) and keys given twice in a mapping
  (helpers, attributes);
- a category, tier or attribute the definition does not declare;
- names in formulas that are neither catalogue items (``items:``) nor helpers, and anything the
  formula language refuses (:mod:`ecopark.standard.expr`);
- helpers that refer to themselves, directly or through each other;
- a requirement node of two kinds (``op`` and ``by_sign_of``) or of none, ``by_attribute`` cases
  that are not the attribute's choices, a ``by_sign_of`` naming no helper;
- a unit whose dimension or scale is certainly not the formula's (``立方米/万元`` for
  ``fresh_water / value_added``, whose value is in 万立方米/万元: a ``* 10000`` is missing),
  read with :mod:`ecopark.standard.dimension`.
"""

from __future__ import annotations

import ast
import csv
import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ecopark.errors import Problem, display_path
from ecopark.standard import dimension, yamlload
from ecopark.standard.expr import FUNCTIONS, YEAR_REFS, formula_tree, names
from ecopark.standard.model import (
    COMPARISONS,
    COUNT_PLACEHOLDERS,
    OPS,
    PLACEHOLDER,
    ROLE_PLACEHOLDERS,
    ROUNDING_RULES,
    TABLE_PLACEHOLDERS,
    DisclosureTable,
    OfficialTable,
)

# --------------------------------------------------------------------------------------------
# The schema, as data


@dataclass(frozen=True)
class Scalar:
    """A single value.

    Attributes
    ----------
    type : str
        ``text``, ``integer``, ``number``, ``boolean``, ``number or text`` or ``any`` (a number,
        text, boolean or null).
    choices : tuple of str
        The allowed values, when only some are.
    placeholders : tuple of str
        For a text: the ``{name}`` placeholders it may hold (any other is an error).
    """

    type: str
    choices: tuple[str, ...] = ()
    placeholders: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ref:
    """A record declared elsewhere in :data:`RECORDS` (the requirement tree nests itself)."""

    name: str


@dataclass(frozen=True)
class ListOf:
    """A list of values of one shape; ``unique``: the values (or their key ``unique``) differ;
    ``length``: exactly that many values."""

    item: Shape
    unique: str | None = None
    length: int | None = None


@dataclass(frozen=True)
class Table:
    """A mapping from names the standard chooses (``name``, meaning ``key_meaning``) to values."""

    name: str
    key_meaning: str
    value: Shape


@dataclass(frozen=True)
class Key:
    """One key of a record: its shape, whether it must be given, its meaning in one line and
    the value taken when it is not given (as the reference shows it; None: no default)."""

    shape: Shape
    meaning: str
    required: bool = False
    default: str | None = None


@dataclass(frozen=True)
class Record:
    """A mapping with known keys.

    Attributes
    ----------
    title : str
        What the record is, as the reference heads its section.
    meaning : str
        One line on what it is for.
    keys : dict of str to Key
        Every key it may hold.
    kinds : dict of str to tuple of str
        For a record of several kinds (a requirement node): kind -> the keys that make it that
        kind (the first one tells it). Exactly one kind per record.
    tag : str or None
        For a record whose kind is the value of one key (a condition's ``kind``): that key;
        ``kinds`` then maps each value to the keys it takes besides the common ones.
    """

    title: str
    meaning: str
    keys: dict[str, Key]
    kinds: dict[str, tuple[str, ...]] = field(default_factory=dict)
    tag: str | None = None


Shape = Scalar | Ref | ListOf | Table | Record

TEXT = Scalar("text")
INTEGER = Scalar("integer")
NUMBER = Scalar("number")
BOOLEAN = Scalar("boolean")
#: Comparison operators of a limit (as :data:`ecopark.standard.model.OPS`).
LIMIT_OPS = tuple(OPS)
#: Comparison operators of a condition on a park attribute.
CONDITION_OPS = (">", ">=", "<", "<=", "=")
ATTRIBUTE_TYPES = ("choice", "number", "integer", "boolean")
TIER_RULES = ("all_pass", "select", "gate")
CONDITION_KINDS = ("benchmark_when", "selectable_if_passes")
#: How the formula language's functions carry units (:func:`ecopark.standard.dimension.of_formula`).
FUNCTION_UNITS = {"cagr": "growth", "mean": "same"}

RECORDS: dict[str, Record] = {}


def _record(name: str, record: Record) -> Record:
    RECORDS[name] = record
    return record


ATTRIBUTE = _record(
    "attribute",
    Record(
        "attribute",
        "A park attribute the standard needs, read from park.yaml under its name.",
        {
            "type": Key(Scalar("text", ATTRIBUTE_TYPES), "what values it takes", True),
            "choices": Key(
                Table("value", "the value as park.yaml writes it", TEXT),
                "for type choice: each allowed value and its Chinese label",
            ),
            "default": Key(
                Scalar("any"), "the value when park.yaml does not give it; null: not given"
            ),
            "min": Key(NUMBER, "for a number or integer: the smallest value allowed"),
            "max": Key(NUMBER, "for a number or integer: the largest value allowed"),
            "unit": Key(TEXT, "the unit of a number (fraction, %, 万元, …)"),
            "label_zh": Key(TEXT, "its Chinese label, as tables and messages show it", True),
            "label_en": Key(TEXT, "its English label"),
            "short_zh": Key(
                TEXT, "a short Chinese name for generated sentences (default: label_zh)"
            ),
        },
    ),
)

TIER = _record(
    "tier",
    Record(
        "tier",
        "A group of indicators judged by one rule (基本要求, 必选, 可选, 特色 …), in the order the "
        "verdict reads them.",
        {
            "id": Key(TEXT, "the tier's id, as indicators name it in `tier:`", True),
            "name_zh": Key(TEXT, "its Chinese name (必选)", True),
            "name_en": Key(TEXT, "its English name"),
            "rule": Key(
                Scalar("text", TIER_RULES),
                "all_pass: every indicator must pass; select: at least min_selected are "
                "selected and every selected one must pass; gate: all must pass, else the "
                "park-year is not assessable further (不具备评价条件)",
                True,
            ),
            "min_selected": Key(INTEGER, "for rule select: how many must be selected at least"),
        },
    ),
)

HELPER = _record(
    "helper",
    Record(
        "helper",
        "A named sub-expression that formulas and `by_sign_of` may use (g_V).",
        {
            "expr": Key(TEXT, "the expression, in the formula language", True),
            "name_zh": Key(TEXT, "its Chinese name, as requirements print it"),
            "name_en": Key(TEXT, "its English name"),
            "zero_reason_zh": Key(TEXT, "why a formula dividing by it is not computable when zero"),
            "zero_reason_en": Key(TEXT, "the same in English"),
        },
    ),
)

REQUIREMENT = _record(
    "requirement",
    Record(
        "requirement node",
        "What passes: a plain limit, or cases by a park attribute or by the sign of a helper, "
        "each case itself a node, nested as deep as needed. Exactly one kind per node.",
        {
            "op": Key(Scalar("text", LIMIT_OPS), "limit: the comparison that passes"),
            "value": Key(Scalar("number or text"), "limit: the limit (a number, or a word for =)"),
            "by_attribute": Key(TEXT, "cases by this attribute (one of `attributes:`)"),
            "cases": Key(
                Table("choice", "one of the attribute's choices", Ref("requirement")),
                "by_attribute: one node for each of the attribute's choices",
            ),
            "by_sign_of": Key(TEXT, "cases by the sign of this helper (one of `helpers:`)"),
            "positive": Key(Ref("requirement"), "by_sign_of: the node when the helper is > 0"),
            "negative": Key(Ref("requirement"), "by_sign_of: the node when the helper is < 0"),
        },
        kinds={
            "limit": ("op", "value"),
            "by_attribute": ("by_attribute", "cases"),
            "by_sign_of": ("by_sign_of", "positive", "negative"),
        },
    ),
)

CONDITION = _record(
    "condition",
    Record(
        "condition",
        "A named rule kind on an indicator; its Chinese text is generated from its parameters "
        "unless `text_zh` gives the standard's own wording.",
        {
            "kind": Key(
                Scalar("text", CONDITION_KINDS),
                "benchmark_when: the limit is replaced by a park-supplied benchmark when a "
                "condition on a park attribute holds; selectable_if_passes: the indicator may "
                "be selected only if another indicator passes",
                True,
            ),
            "attribute": Key(TEXT, "benchmark_when: the park attribute the condition reads"),
            "op": Key(Scalar("text", CONDITION_OPS), "benchmark_when: how it is compared"),
            "value": Key(Scalar("number or text"), "benchmark_when: what it is compared with"),
            "indicator": Key(TEXT, "selectable_if_passes: the id of the indicator that must pass"),
            "mark": Key(TEXT, "the mark the official table prints beside the indicator (a, b)"),
            "text_zh": Key(TEXT, "the standard's own wording of the rule"),
            "benchmark_zh": Key(
                TEXT,
                "benchmark_when: what the benchmark is, in Chinese (default 园区提供的基准值); "
                "park.yaml sector_benchmarks gives its value",
            ),
            "benchmark_en": Key(TEXT, "benchmark_when: what the benchmark is, in English"),
        },
        kinds={
            "benchmark_when": ("attribute", "op", "value"),
            "selectable_if_passes": ("indicator",),
        },
        tag="kind",
    ),
)

INDICATOR = _record(
    "indicator",
    Record(
        "indicator",
        "One indicator: its names, unit, tier, requirement and formula.",
        {
            "id": Key(TEXT, 'its id, a string ("10", "A1"); unique, gaps allowed', True),
            "label": Key(TEXT, "its label in tables (default: the id)"),
            "category": Key(TEXT, "one of `categories:`", True),
            "name_zh": Key(TEXT, "its Chinese name, as the standard writes it", True),
            "name_en": Key(TEXT, "its English name", True),
            "unit": Key(TEXT, "the unit of its value (empty: none); checked against the formula"),
            "tier": Key(TEXT, "one of the tiers' ids", True),
            "requirement": Key(Ref("requirement"), "what passes", True),
            "formula": Key(TEXT, "its value, in the formula language over items and helpers", True),
            "reported": Key(BOOLEAN, "true: the park reports the value directly"),
            "conditions": Key(ListOf(Ref("condition")), "named rule kinds that apply to it"),
            "same_as": Key(
                Table("standard code", "another standard's code (HJ 274-2015)", TEXT),
                "the indicator of another standard it is the same as (its id), for "
                "`ecopark compare-standards`; indicators without it are compared with none",
            ),
        },
    ),
)

RULES = _record(
    "rules",
    Record(
        "rules",
        "How computed values are rounded and judged (GB/T 8170-2008 by default).",
        {
            "rounding": Key(Scalar("text", tuple(ROUNDING_RULES)), "the rounding rule"),
            "comparison": Key(Scalar("text", tuple(COMPARISONS)), "the comparison method"),
            "places": Key(INTEGER, "decimals a computed value is printed with"),
            "small_value_digits": Key(
                INTEGER, "significant digits of a non-zero value that would print as 0"
            ),
        },
    ),
)

#: Characters a worksheet's name cannot hold (Excel), and its longest length.
SHEET_NAME_FORBIDDEN = "[]:*?/\\"
SHEET_NAME_MAX = 31
TABLE_TEXT = Scalar("text", placeholders=tuple(TABLE_PLACEHOLDERS))
ROLE_TEXT = Scalar("text", placeholders=tuple(ROLE_PLACEHOLDERS))
COUNT_TEXT = Scalar("text", placeholders=tuple(COUNT_PLACEHOLDERS))


def _defaults(cls: type) -> dict[str, str]:
    """The defaults of a dataclass's text fields as the reference shows them."""
    out = {}
    for f in dataclasses.fields(cls):
        value = f.default
        if isinstance(value, str):
            out[f.name] = value
        elif isinstance(value, tuple):
            out[f.name] = ", ".join(value)
    return out


_DISCLOSURE_DEFAULTS = _defaults(DisclosureTable)
_TABLE_DEFAULTS = _defaults(OfficialTable)


def _text_keys(defaults: dict[str, str], keys: dict[str, tuple[Shape, str]]) -> dict[str, Key]:
    return {
        name: Key(shape, meaning, default=defaults[name]) for name, (shape, meaning) in keys.items()
    }


DISCLOSURE = _record(
    "disclosure",
    Record(
        "disclosure table",
        "The texts of 附表2, the information-disclosure table's section of the standard's "
        "indicators: one row per indicator with its value and whether it passes.",
        _text_keys(
            _DISCLOSURE_DEFAULTS,
            {
                "sheet_zh": (
                    TEXT,
                    "its sheet's name in the workbook (as 附表1's, and not the same as it)",
                ),
                "title_zh": (TABLE_TEXT, "the title above the table"),
                "section_zh": (TABLE_TEXT, "the section heading above the table (empty: none)"),
                "columns_zh": (
                    ListOf(TEXT, length=8),
                    "the column headings: category, id, indicator, unit, requirement, role, "
                    "value, passed",
                ),
                "passed_zh": (TEXT, "the last column's word for a judged indicator that passes"),
                "failed_zh": (TEXT, "the last column's word for a judged indicator that fails"),
            },
        ),
    ),
)

OFFICIAL_TABLE = _record(
    "official_table",
    Record(
        "official table",
        "The titles and layout texts the official tables print (附表1 with each indicator's raw "
        "items, the Word document, and `disclosure`: 附表2). A text *with placeholders* may "
        "hold those of [placeholders](#placeholders); a placeholder it may not hold is an "
        "error. A key not given takes its default, which names no standard.",
        {
            **_text_keys(
                _TABLE_DEFAULTS,
                {
                    "sheet_zh": (
                        TEXT,
                        "附表1's sheet name in the workbook (at most 31 characters, none of "
                        "`[]:*?/\\`) and its section title in the Word document",
                    ),
                    "title_zh": (TABLE_TEXT, "the title above 附表1"),
                    "caption_zh": (
                        TABLE_TEXT,
                        "the left cell of the line above the column headings",
                    ),
                    "columns_zh": (
                        ListOf(TEXT, length=7),
                        "附表1's column headings: category, id, indicator, unit, requirement, "
                        "role, value",
                    ),
                    "park_line_zh": (TABLE_TEXT, "the header line naming the park"),
                    "filled_on_line_zh": (TABLE_TEXT, "the header line naming the filling day"),
                    "base_year_line_zh": (TABLE_TEXT, "the header line naming the data base year"),
                    "base_prefix_zh": (
                        TEXT,
                        "put before a raw item's name on its base-year row (the importer reads it)",
                    ),
                    "must_zh": (
                        ROLE_TEXT,
                        "the role column's word for an indicator of a tier all of which count "
                        "(all_pass, gate)",
                    ),
                    "selected_zh": (ROLE_TEXT, "the role column's word for a selected indicator"),
                    "not_selected_zh": (
                        ROLE_TEXT,
                        "the role column's word for a selectable indicator not selected",
                    ),
                    "notes_lead_zh": (TEXT, "put before the first note below a table"),
                    "notes_zh": (
                        ListOf(TABLE_TEXT),
                        "notes printed below both tables, after the rules' footnotes",
                    ),
                    "report_title_zh": (TABLE_TEXT, "the Word document's title"),
                    "counted_must_zh": (
                        COUNT_TEXT,
                        "the Word conclusion's count of a tier all of whose indicators count",
                    ),
                    "counted_selected_zh": (
                        COUNT_TEXT,
                        "the Word conclusion's count of a select tier's selected indicators "
                        "(the counts are joined with 、 in tier order)",
                    ),
                },
            ),
            "heading_aliases_zh": Key(
                Table("heading", "one of `columns_zh`", ListOf(TEXT)),
                "other headings the importer accepts for a column of 附表1 (besides 附表2's)",
                default="",
            ),
            "disclosure": Key(Ref("disclosure"), "附表2's texts"),
        },
    ),
)

DEFINITION = _record(
    "definition",
    Record(
        "definition",
        "A standard's definition file (YAML): the top level.",
        {
            "id": Key(TEXT, "a file-safe id (hj274-2015); also accepted by --standard", True),
            "code": Key(TEXT, "the code users write: standard: / --standard (HJ 274-2015)", True),
            "name_zh": Key(TEXT, "the standard's Chinese title", True),
            "name_en": Key(TEXT, "its English title", True),
            "items": Key(
                TEXT,
                "the item catalogue (CSV: item, name_zh, unit, dimension, kind, …), "
                "relative to this file",
                True,
            ),
            "categories": Key(ListOf(TEXT, unique=""), "the indicator categories, in order", True),
            "official_table": Key(
                Ref("official_table"),
                "titles, column headings and notes of the official tables (附表1, 附表2, Word)",
            ),
            "attributes": Key(
                Table("attribute", "the attribute's name in park.yaml", Ref("attribute")),
                "the park attributes this standard needs",
            ),
            "tiers": Key(ListOf(Ref("tier"), unique="id"), "the tiers, in verdict order", True),
            "rules": Key(Ref("rules"), "rounding and judging"),
            "helpers": Key(
                Table("helper", "the helper's name in formulas", Ref("helper")),
                "named sub-expressions",
            ),
            "indicators": Key(ListOf(Ref("indicator"), unique="id"), "the indicators", True),
        },
    ),
)

# --------------------------------------------------------------------------------------------
# Reading a file with its lines


@dataclass
class Value:
    """A value read from the file, with where it is: its line, and for a mapping entry its key's."""

    data: Any
    line: int
    key_line: int | None = None

    def get(self, key: str) -> Value | None:
        """The entry ``key`` of a mapping (None if absent or this is not a mapping)."""
        return self.data.get(key) if isinstance(self.data, dict) else None

    def text(self, key: str) -> str | None:
        """The entry ``key`` when it is text."""
        v = self.get(key)
        return v.data if v is not None and isinstance(v.data, str) else None

    def plain(self) -> Any:
        """The value as plain Python data."""
        if isinstance(self.data, dict):
            return {k: v.plain() for k, v in self.data.items()}
        if isinstance(self.data, list):
            return [v.plain() for v in self.data]
        return self.data


class _Reader:
    """Turns composed YAML nodes into :class:`Value` trees, checking them against the schema."""

    def __init__(self, shown: str, loader: yaml.SafeLoader):
        self.shown = shown
        self.loader = loader
        self.problems: list[Problem] = []

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.shown, message, line))

    def read(self, node: yaml.Node, shape: Shape, where: str) -> Value:
        line = node.start_mark.line + 1
        if isinstance(shape, Ref):
            shape = RECORDS[shape.name]
        if isinstance(shape, Scalar):
            return self.scalar(node, shape, where, line)
        if isinstance(shape, ListOf):
            if not isinstance(node, yaml.SequenceNode):
                self.problem(line, f"{where} must be a list ({_shown_node(node)} given)")
                return Value(None, line)
            items = [
                self.read(n, shape.item, self.entry_name(n, shape, where, i))
                for i, n in enumerate(node.value)
            ]
            self.unique(items, shape.unique, where)
            if shape.length is not None and len(items) != shape.length:
                self.problem(line, f"{where} must list {shape.length} values, not {len(items)}")
            return Value(items, line)
        if not isinstance(node, yaml.MappingNode):
            self.problem(
                line, f"{where} must be a mapping of key: value ({_shown_node(node)} given)"
            )
            return Value(None, line)
        entries: dict[str, Value] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            key = (
                self.loader.construct_object(key_node)
                if isinstance(key_node, yaml.ScalarNode)
                else None
            )
            if not isinstance(key, str | int) or isinstance(key, bool):
                self.problem(
                    key_line, f"{where}: a key must be a name, not {_shown_node(key_node)}"
                )
                continue
            key = str(key)
            if key in entries:
                self.problem(
                    key_line,
                    f"{where}: '{key}' is given twice (lines {entries[key].key_line} and "
                    f"{key_line}); keep one",
                )
                continue
            if isinstance(shape, Table):
                sub = self.read(value_node, shape.value, _within(where, key))
            elif key in shape.keys:
                sub = self.read(value_node, shape.keys[key].shape, _within(where, key))
            else:
                known = ", ".join(shape.keys)
                self.problem(
                    key_line, f"{where}: unknown key '{key}'; {_a(shape.title)} has {known}"
                )
                continue
            sub.key_line = key_line
            entries[key] = sub
        value = Value(entries, line)
        if isinstance(shape, Record):
            self.complete(value, shape, where)
        return value

    def entry_name(self, node: yaml.Node, shape: ListOf, where: str, index: int) -> str:
        """How messages name a list entry: ``indicator 10`` by its id, else ``tiers[2]``."""
        item = RECORDS[shape.item.name] if isinstance(shape.item, Ref) else shape.item
        if shape.unique and isinstance(node, yaml.MappingNode) and isinstance(item, Record):
            for key, value in node.value:
                if getattr(key, "value", None) == shape.unique and isinstance(
                    value, yaml.ScalarNode
                ):
                    return f"{item.title} {value.value}"
        return f"{where}[{index + 1}]"

    def scalar(self, node: yaml.Node, shape: Scalar, where: str, line: int) -> Value:
        if not isinstance(node, yaml.ScalarNode):
            self.problem(line, f"{where} must be {_type_words(shape)}, not {_shown_node(node)}")
            return Value(None, line)
        data = self.loader.construct_object(node)
        wrong = _type_problem(data, shape)
        if wrong:
            self.problem(line, f"{where} must be {wrong}, not {_shown(data)}")
            return Value(None, line)
        if shape.placeholders and isinstance(data, str):
            for m in PLACEHOLDER.finditer(data):
                if m.group(1) not in shape.placeholders:
                    known = ", ".join(f"{{{p}}}" for p in shape.placeholders)
                    self.problem(
                        line, f"{where}: unknown placeholder {m.group(0)}; it may hold {known}"
                    )
        return Value(data, line)

    def complete(self, value: Value, shape: Record, where: str) -> None:
        """Required keys present, and (for a record of kinds) exactly one kind with its keys."""
        given = value.data
        kinds = shape.kinds
        if shape.tag is not None:
            kind = value.text(shape.tag)
            allowed = {
                k for k, key in shape.keys.items() if key.required or k not in _kind_keys(shape)
            }
            if kind in kinds:
                allowed |= set(kinds[kind])
                for k in kinds[kind]:
                    if k not in given:
                        self.problem(
                            value.line,
                            f"{where}: '{k}' is missing; a {kind} needs {', '.join(kinds[kind])}",
                        )
            for k, v in given.items():
                if kind in kinds and k not in allowed:
                    self.problem(
                        v.key_line,
                        f"{where}: '{k}' is not a key of a {kind} (it takes {', '.join(sorted(allowed - {shape.tag}))})",
                    )
        elif kinds:
            present = [
                (kind, keys) for kind, keys in kinds.items() if any(k in given for k in keys)
            ]
            if not present:
                self.problem(
                    value.line,
                    f"{where}: {_a(shape.title)} needs one kind: "
                    + "; ".join(f"{k} ({', '.join(keys)})" for k, keys in kinds.items()),
                )
            elif len(present) > 1:
                lines = [min(given[k].key_line for k in keys if k in given) for _, keys in present]
                self.problem(
                    max(lines),
                    f"{where}: {_a(shape.title)} has one kind, not "
                    + " and ".join(
                        f"{kind} ({', '.join(k for k in keys if k in given)})"
                        for kind, keys in present
                    ),
                )
            else:
                kind, keys = present[0]
                for k in keys:
                    if k not in given:
                        self.problem(
                            value.line,
                            f"{where}: '{k}' is missing; a {kind} node needs {', '.join(keys)}",
                        )
        for k, key in shape.keys.items():
            if key.required and k not in given:
                self.problem(value.line, f"{where}: '{k}' is missing; add {k}: ({key.meaning})")

    def unique(self, items: list[Value], key: str | None, where: str) -> None:
        if key is None:
            return
        seen: dict[Any, int] = {}
        for v in items:
            k = v if key == "" else v.get(key)
            if k is None or not isinstance(k.data, str | int):
                continue
            if k.data in seen:
                what = f"{key} " if key else ""
                self.problem(
                    k.line,
                    f"{where}: {what}'{k.data}' is given twice (lines {seen[k.data]} and {k.line})",
                )
            else:
                seen[k.data] = k.line


def _names_or_none(expr: str | None) -> tuple[str, ...]:
    return () if expr is None else names(expr)


def _within(where: str, key: str) -> str:
    """The path of ``key`` inside ``where``: ``indicator 10 › requirement``; top keys by name."""
    return key if where == "definition" else f"{where} › {key}"


def _a(title: str) -> str:
    return f"{'an' if title[0] in 'aeiou' else 'a'} {title}"


def _kind_keys(shape: Record) -> set[str]:
    return {k for keys in shape.kinds.values() for k in keys}


def _type_problem(data: Any, shape: Scalar) -> str | None:
    """What ``data`` should be, when it is not of ``shape``; None when it is."""
    t = shape.type
    is_number = isinstance(data, int | float) and not isinstance(data, bool)
    if is_number and isinstance(data, float) and not math.isfinite(data):
        is_number = False
    ok = {
        "text": isinstance(data, str),
        "integer": isinstance(data, int) and not isinstance(data, bool),
        "number": is_number,
        "boolean": isinstance(data, bool),
        "number or text": is_number or isinstance(data, str),
        "any": data is None or is_number or isinstance(data, str | bool),
    }[t]
    if not ok:
        return _type_words(shape)
    if shape.choices and data not in shape.choices:
        return _type_words(shape)
    return None


def _type_words(shape: Scalar) -> str:
    if shape.choices:
        return "one of " + ", ".join(shape.choices)
    return {
        "text": "text",
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true or false",
        "number or text": "a number or text",
        "any": "a number, text, true/false or null",
    }[shape.type]


def _shown(data: Any) -> str:
    if isinstance(data, str):
        return f'the text "{data}"'
    if isinstance(data, bool):
        return f"the boolean {str(data).lower()}"
    if data is None:
        return "null (nothing)"
    return repr(data)


def _shown_node(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"'{node.value}'" if node.value else "nothing"


# --------------------------------------------------------------------------------------------
# Validating a definition file

#: A definition file is a few hundred lines; larger ones are refused unread [B].
MAX_BYTES = 4 * 1024 * 1024
#: The columns an item catalogue must have.
CATALOGUE_COLUMNS = ("item", "name_zh", "unit", "dimension", "kind")


@dataclass(frozen=True)
class CatalogueItem:
    """What the check needs of a catalogue item: its unit, dimension and allowed words."""

    unit: str
    dimension: str
    words: tuple[str, ...]


def validate(path: Path | str) -> list[Problem]:
    """Every problem of a definition file, each with its file and line.

    Parameters
    ----------
    path : path
        The definition (YAML); its ``items:`` catalogue is read relative to it.

    Returns
    -------
    list of Problem
        Sorted by line; empty when the definition is sound.
    """
    path = Path(path)
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(shown, f"cannot be read as UTF-8 text ({exc.__class__.__name__}: {exc})")]
    if len(text) > MAX_BYTES:
        return [Problem(shown, f"is {len(text):,} characters; a definition is far smaller")]
    loader = yamlload.LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return [Problem(shown, "is empty; a definition starts with id:, code:, name_zh: …", 1)]
        reader = _Reader(shown, loader)
        top = reader.read(node, DEFINITION, "definition")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return [
            Problem(shown, f"is not valid YAML ({what})", None if mark is None else mark.line + 1)
        ]
    finally:
        loader.dispose()
    problems = reader.problems
    if top.data is not None:
        problems += _Checker(shown, path, top).problems
    return sorted(problems, key=lambda p: (p.line or 0, p.message))


def read_catalogue(
    path: Path, shown: str, line: int | None
) -> tuple[dict[str, CatalogueItem], list[Problem]]:
    """The items of a catalogue CSV, and its problems (the definition's ``items:`` line if absent)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError:
        return {}, [
            Problem(
                shown,
                f"items: the catalogue {display_path(path)} does not exist; "
                "give a CSV file relative to the definition",
                line,
            )
        ]
    except UnicodeDecodeError:
        return {}, [Problem(display_path(path), "is not UTF-8 text; save the catalogue as UTF-8")]
    where = display_path(path)
    rows = csv.DictReader(text.splitlines())
    missing = [c for c in CATALOGUE_COLUMNS if c not in (rows.fieldnames or ())]
    if missing:
        return {}, [
            Problem(
                where,
                f"lacks the column(s) {', '.join(missing)}; "
                f"a catalogue has {', '.join(CATALOGUE_COLUMNS)}",
                1,
            )
        ]
    items: dict[str, CatalogueItem] = {}
    problems = []
    for number, row in enumerate(rows, start=2):
        item = (row["item"] or "").strip()
        if not item:
            problems.append(Problem(where, "has a row without an item id", number))
            continue
        if item in items:
            problems.append(Problem(where, f"gives item '{item}' twice", number, item))
            continue
        kind, _, words = (row["kind"] or "").partition(":")
        dim = (row["dimension"] or "").strip()
        if dim not in dimension.CATALOGUE_DIMENSIONS:
            problems.append(
                Problem(
                    where,
                    f"dimension '{dim}' is not one of {', '.join(dimension.CATALOGUE_DIMENSIONS)}",
                    number,
                    item,
                )
            )
        items[item] = CatalogueItem(
            (row["unit"] or "").strip(), dim, tuple(w for w in words.split("|") if w)
        )
    return items, problems


class _Checker:
    """The checks across the definition: references, formulas, the requirement tree, units."""

    def __init__(self, shown: str, path: Path, top: Value):
        self.shown = shown
        self.problems: list[Problem] = []
        self.top = top
        items = top.get("items")
        self.items: dict[str, CatalogueItem] | None = None
        if items is not None and isinstance(items.data, str):
            catalogue, found = read_catalogue(path.parent / items.data, shown, items.line)
            self.items = catalogue if catalogue or not found else None
            self.problems += found
        self.categories = {v.data for v in self.entries("categories") if isinstance(v.data, str)}
        self.tiers = {t.text("id"): t for t in self.entries("tiers") if t.text("id")}
        attrs = top.get("attributes")
        self.attributes: dict[str, Value] = (
            attrs.data if attrs and isinstance(attrs.data, dict) else {}
        )
        helpers = top.get("helpers")
        self.helpers: dict[str, Value] = (
            helpers.data if helpers and isinstance(helpers.data, dict) else {}
        )
        self.indicators = [i for i in self.entries("indicators") if isinstance(i.data, dict)]
        self.ids = {i.text("id") for i in self.indicators if i.text("id")}
        self.helper_cycle: set[str] = set()
        for name, attr in self.attributes.items():
            self.attribute(name, attr)
        self.tier_rules()
        self.sheet_names()
        self.heading_aliases()
        self.helper_checks()
        self.labels()
        for ind in self.indicators:
            self.indicator(ind)

    def entries(self, key: str) -> list[Value]:
        v = self.top.get(key)
        return v.data if v is not None and isinstance(v.data, list) else []

    def problem(self, line: int | None, message: str, item: str | None = None) -> None:
        """A problem at ``line``; ``item``: the catalogue item concerned, if one is."""
        self.problems.append(Problem(self.shown, message, line, item))

    # attributes and tiers ------------------------------------------------------------------

    def attribute(self, name: str, attr: Value) -> None:
        if not isinstance(attr.data, dict):
            return
        where = f"attribute {name}"
        kind = attr.text("type")
        choices = attr.get("choices")
        if kind == "choice" and (choices is None or not choices.data):
            self.problem(attr.line, f"{where}: a choice needs choices: {{value: 中文名, …}}")
        if kind not in (None, "choice") and choices is not None:
            self.problem(choices.key_line, f"{where}: choices are for type choice, not {kind}")
        for bound in ("min", "max"):
            b = attr.get(bound)
            if b is not None and kind not in ("number", "integer"):
                self.problem(b.key_line, f"{where}: {bound} is for a number or integer, not {kind}")
        low, high = attr.get("min"), attr.get("max")
        if (
            low
            and high
            and isinstance(low.data, int | float)
            and isinstance(high.data, int | float)
            and low.data > high.data
        ):
            self.problem(high.line, f"{where}: min {low.data} is above max {high.data}")
        default = attr.get("default")
        if default is not None and default.data is not None:
            why = self.attribute_value_problem(name, default.data)
            if why:
                self.problem(default.line, f"{where}: default: {why}")

    def attribute_value_problem(self, name: str, data: Any) -> str | None:
        """Why ``data`` is not a value of the attribute, or None."""
        attr = self.attributes[name]
        kind = attr.text("type")
        if kind == "choice":
            choices = attr.get("choices")
            known = list(choices.data) if choices and isinstance(choices.data, dict) else []
            if known and data not in known:
                return f"{_shown(data)} is not one of its choices {', '.join(known)}"
            return None
        if kind == "boolean":
            return None if isinstance(data, bool) else f"must be true or false, not {_shown(data)}"
        if kind in ("number", "integer"):
            wrong = _type_problem(data, NUMBER if kind == "number" else INTEGER)
            if wrong:
                return f"must be {wrong}, not {_shown(data)}"
            low, high = attr.get("min"), attr.get("max")
            if low is not None and isinstance(low.data, int | float) and data < low.data:
                return f"{data} is below its min {low.data}"
            if high is not None and isinstance(high.data, int | float) and data > high.data:
                return f"{data} is above its max {high.data}"
        return None

    def tier_rules(self) -> None:
        counts = {tid: 0 for tid in self.tiers}
        for ind in self.indicators:
            tier = ind.text("tier")
            if tier in counts:
                counts[tier] += 1
        for tid, tier in self.tiers.items():
            rule = tier.text("rule")
            k = tier.get("min_selected")
            if rule == "select" and k is None:
                self.problem(tier.line, f"tier {tid}: rule select needs min_selected: <how many>")
            if rule not in (None, "select") and k is not None:
                self.problem(k.key_line, f"tier {tid}: min_selected is for rule select, not {rule}")
            if rule == "select" and k is not None and isinstance(k.data, int):
                if k.data < 0:
                    self.problem(
                        k.line, f"tier {tid}: min_selected must be 0 or more, not {k.data}"
                    )
                elif k.data > counts[tid]:
                    self.problem(
                        k.line,
                        f"tier {tid}: min_selected {k.data} is more than its {counts[tid]} "
                        "indicators; no park could meet it",
                    )

    # the official tables -------------------------------------------------------------------

    def sheet_names(self) -> None:
        """The workbook's sheet names are ones Excel accepts, and differ from each other."""
        table = self.top.get("official_table")
        disclosure = table.get("disclosure") if table is not None else None
        sheets: list[tuple[str, int | None]] = []
        for block, where, default in (
            (table, "official_table", _TABLE_DEFAULTS["sheet_zh"]),
            (disclosure, "official_table › disclosure", _DISCLOSURE_DEFAULTS["sheet_zh"]),
        ):
            sheet = block.get("sheet_zh") if block is not None else None
            if sheet is None or not isinstance(sheet.data, str):
                sheets.append((default, None))
                continue
            why = _sheet_name_problem(sheet.data)
            if why:
                self.problem(sheet.line, f"{where} › sheet_zh: {why}")
            sheets.append((sheet.data, sheet.line))
        (one, line1), (two, line2) = sheets
        if one.casefold() == two.casefold():
            self.problem(
                line2 or line1,
                f"official_table: 附表1 and 附表2 would have the same sheet name '{one}'; "
                "give them different sheet_zh",
            )

    def heading_aliases(self) -> None:
        """Each ``heading_aliases_zh`` key is one of 附表1's ``columns_zh``."""
        table = self.top.get("official_table")
        aliases = table.get("heading_aliases_zh") if table is not None else None
        if aliases is None or not isinstance(aliases.data, dict):
            return
        columns = table.get("columns_zh")
        if columns is not None and isinstance(columns.data, list):
            headings = [c.data for c in columns.data]
        else:
            headings = list(OfficialTable().columns_zh)
        for name, value in aliases.data.items():
            if name not in headings:
                self.problem(
                    value.key_line or value.line,
                    f"official_table › heading_aliases_zh: '{name}' is not a heading of "
                    f"columns_zh ({', '.join(map(str, headings))})",
                )

    # helpers and formulas ------------------------------------------------------------------

    def helper_checks(self) -> None:
        uses: dict[str, tuple[str, ...]] = {}
        for name, helper in self.helpers.items():
            if self.items is not None and name in self.items:
                self.problem(
                    helper.key_line, f"helper {name} has the name of a catalogue item; rename it"
                )
            if name == "n" or name in FUNCTIONS:
                self.problem(
                    helper.key_line,
                    f"helper {name} has the name of a word of the formula language; rename it",
                )
            expr = helper.get("expr")
            if expr is None or not isinstance(expr.data, str):
                continue
            used = self.formula_names(expr, f"helper {name}")
            if used is not None:
                uses[name] = tuple(u for u in used if u in self.helpers)
        # a helper that reaches itself through the helpers it uses
        for name in uses:
            path = _cycle(name, uses)
            if path:
                self.helper_cycle.add(name)
                helper = self.helpers[name]
                line = helper.get("expr").line
                if len(path) == 2:
                    self.problem(line, f"helper {name} refers to itself")
                else:
                    self.problem(line, f"helper {name} refers to itself through {' → '.join(path)}")

    def formula_names(self, formula: Value, where: str) -> tuple[str, ...] | None:
        """The names a formula reads, each unknown one reported (None: not an expression)."""
        try:
            used = names(formula.data)
        except SyntaxError as exc:
            self.problem(formula.line, f"{where}: the formula is not an expression ({exc.msg})")
            return None
        if self.items is None:
            return used
        for name in used:
            if name not in self.items and name not in self.helpers:
                self.problem(
                    formula.line,
                    f"{where}: '{name}' is neither an item of the catalogue nor a helper",
                    name,
                )
        return used

    def formula(self, ind: Value, where: str) -> ast.expr | None:
        """Check an indicator's formula; its tree with helpers inlined when it compiles."""
        formula = ind.get("formula")
        if formula is None or not isinstance(formula.data, str):
            return None
        used = self.formula_names(formula, where)
        if used is None or self.items is None:
            return None
        if any(u not in self.items and u not in self.helpers for u in used):
            return None
        helpers = self.helper_sources()
        reached, todo = set(), [u for u in used if u in self.helpers]
        while todo:  # the helpers it uses, through each other
            name = todo.pop()
            if name not in reached:
                reached.add(name)
                todo.extend(u for u in _names_or_none(helpers.get(name)) if u in self.helpers)
        if any(h in self.helper_cycle or h not in helpers for h in reached):
            return None
        try:
            return formula_tree(formula.data, set(self.items), helpers)
        except (ValueError, SyntaxError, RecursionError) as exc:
            self.problem(formula.line, f"{where}: {exc}")
            return None

    def helper_sources(self) -> dict[str, str]:
        """The expression of every helper that is sound (given, an expression, not circular)."""
        out = {}
        for name, helper in self.helpers.items():
            expr = helper.text("expr")
            if expr is None or name in self.helper_cycle:
                continue
            try:
                used = names(expr)
            except SyntaxError:
                continue
            if self.items is not None and all(u in self.items or u in self.helpers for u in used):
                out[name] = expr
        return out

    # indicators ----------------------------------------------------------------------------

    def labels(self) -> None:
        seen: dict[str, int] = {}
        for ind in self.indicators:
            label = ind.get("label") or ind.get("id")
            if label is None or not isinstance(label.data, str):
                continue
            if label.data in seen and ind.get("label") is not None:
                self.problem(
                    label.line,
                    f"indicator {ind.text('id')}: label '{label.data}' is given twice "
                    f"(lines {seen[label.data]} and {label.line}); tables could not tell them apart",
                )
            seen.setdefault(label.data, label.line)

    def indicator(self, ind: Value) -> None:
        ident = ind.get("id")
        where = f"indicator {ident.data if ident is not None else '?'}"
        category, tier = ind.get("category"), ind.get("tier")
        if (
            category is not None
            and isinstance(category.data, str)
            and category.data not in self.categories
        ):
            known = ", ".join(sorted(self.categories)) or "none declared"
            self.problem(
                category.line, f"{where}: category '{category.data}' is not in categories ({known})"
            )
        if tier is not None and isinstance(tier.data, str) and tier.data not in self.tiers:
            known = ", ".join(self.tiers) or "none declared"
            self.problem(
                tier.line, f"{where}: tier '{tier.data}' is not a tier of the definition ({known})"
            )
        tree = self.formula(ind, where)
        if tree is not None:
            self.units(ind, tree, where)
        requirement = ind.get("requirement")
        if requirement is not None and isinstance(requirement.data, dict) and tree is not None:
            self.requirement(requirement, where, self.status_words(tree))
        elif requirement is not None and isinstance(requirement.data, dict):
            self.requirement(requirement, where, None, checked_words=False)
        for condition in (ind.get("conditions").data or []) if ind.get("conditions") else []:
            if isinstance(condition.data, dict):
                self.condition(condition, ind, where)

    def status_words(self, tree: ast.expr | None) -> tuple[str, ...] | None:
        """The words of a formula that is one status item, else None."""
        if isinstance(tree, ast.Name) and self.items and tree.id in self.items:
            item = self.items[tree.id]
            if item.dimension == "status":
                return item.words
        return None

    def units(self, ind: Value, tree: ast.expr, where: str) -> None:
        """Report a unit that certainly does not fit the formula's value (dimension or scale)."""
        unit = ind.get("unit")
        text = unit.data if unit is not None and isinstance(unit.data, str) else ""
        line = unit.line if unit is not None else ind.get("formula").line

        def item(name: str) -> dimension.Quantity | None:
            it = self.items[name]
            return dimension.of_item(it.unit, it.dimension)

        try:
            got = dimension.of_formula(tree, item, FUNCTION_UNITS)
        except dimension.Mismatch as exc:
            self.problem(ind.get("formula").line, f"{where}: the formula {exc}")
            return
        readings = dimension.parse_unit(text)
        if got is None or readings is None or got in readings:
            return
        same_dims = [r for r in readings if r.dims == got.dims]
        if same_dims:
            factor = got.scale / same_dims[0].scale
            fix = (
                f"multiplied by {factor} (is '* {factor}' missing?)"
                if factor.denominator == 1
                else f"divided by {1 / factor} (is '/ {1 / factor}' missing?)"
            )
            self.problem(
                line,
                f"{where}: unit '{text}' does not fit the formula, whose value is in "
                f"{got.text()}: it must be {fix}, or the unit corrected",
            )
        else:
            self.problem(
                line,
                f"{where}: unit '{text}' is not what the formula gives ({got.text()}); "
                "the dimensions differ",
            )

    def requirement(
        self,
        node: Value,
        where: str,
        words: tuple[str, ...] | None,
        checked_words: bool = True,
    ) -> None:
        """Check a requirement node and the nodes below it.

        ``words``: the words of a status formula (the limits must be among them), None for a
        number; ``checked_words`` False when the formula's kind is not known (not checked).
        """
        data = node.data
        if "by_attribute" in data:
            self.by_attribute(node, where, words, checked_words)
        elif "by_sign_of" in data:
            helper = node.text("by_sign_of")
            if helper is not None and helper not in self.helpers:
                known = ", ".join(self.helpers) or "none declared"
                self.problem(
                    node.get("by_sign_of").line,
                    f"{where}: by_sign_of names no helper '{helper}' (helpers: {known})",
                )
            for branch in ("positive", "negative"):
                sub = node.get(branch)
                if sub is not None and isinstance(sub.data, dict):
                    self.requirement(sub, f"{where} › {branch}", words, checked_words)
        elif "op" in data or "value" in data:
            op, value = node.text("op"), node.get("value")
            if value is None or value.data is None:
                return
            if isinstance(value.data, str) and op in (">=", "<="):
                self.problem(
                    value.line,
                    f"{where}: the word '{value.data}' cannot be compared with {op}; use = or a number",
                )
            if not checked_words:
                return
            if words is not None and (not isinstance(value.data, str) or value.data not in words):
                self.problem(
                    value.line,
                    f"{where}: the formula is a status ({', '.join(words)}); the limit must be one of these words, not {_shown(value.data)}",
                )
            if words is None and isinstance(value.data, str):
                self.problem(
                    value.line,
                    f"{where}: the formula gives a number; the limit must be a number, not {_shown(value.data)}",
                )

    def by_attribute(
        self, node: Value, where: str, words: tuple[str, ...] | None, checked_words: bool
    ) -> None:
        name = node.text("by_attribute")
        cases = node.get("cases")
        if name is None:
            return
        attr = self.attributes.get(name)
        if attr is None:
            known = ", ".join(self.attributes) or "none declared"
            self.problem(
                node.get("by_attribute").line,
                f"{where}: by_attribute names no attribute '{name}' (attributes: {known})",
            )
            return
        if attr.text("type") != "choice":
            self.problem(
                node.get("by_attribute").line,
                f"{where}: by_attribute {name} is a {attr.text('type')}; cases need an attribute of type choice",
            )
            return
        choices = attr.get("choices")
        allowed = list(choices.data) if choices and isinstance(choices.data, dict) else []
        if cases is None or not isinstance(cases.data, dict):
            return
        for case, sub in cases.data.items():
            if allowed and case not in allowed:
                self.problem(
                    sub.key_line,
                    f"{where}: case '{case}' is not a choice of {name} ({', '.join(allowed)})",
                )
            if isinstance(sub.data, dict):
                self.requirement(sub, f"{where} › {name}={case}", words, checked_words)
        missing = [c for c in allowed if c not in cases.data]
        if missing:
            self.problem(
                cases.key_line or cases.line,
                f"{where}: cases by {name} lack {', '.join(missing)}; give a node for every choice",
            )

    def condition(self, cond: Value, ind: Value, where: str) -> None:
        kind = cond.text("kind")
        if kind == "benchmark_when":
            name = cond.text("attribute")
            if name is None:
                return
            if name not in self.attributes:
                known = ", ".join(self.attributes) or "none declared"
                self.problem(
                    cond.get("attribute").line,
                    f"{where}: benchmark_when names no attribute '{name}' (attributes: {known})",
                )
                return
            value, op = cond.get("value"), cond.text("op")
            attr_type = self.attributes[name].text("type")
            if op not in (None, "=") and attr_type not in ("number", "integer"):
                self.problem(
                    cond.get("op").line,
                    f"{where}: {op} compares numbers; attribute {name} is a {attr_type}",
                )
            if value is not None and value.data is not None:
                why = self.attribute_value_problem(name, value.data)
                if why:
                    self.problem(value.line, f"{where}: benchmark_when value {why}")
        elif kind == "selectable_if_passes":
            other = cond.get("indicator")
            if other is None or not isinstance(other.data, str):
                return
            if other.data == ind.text("id"):
                self.problem(
                    other.line, f"{where}: selectable_if_passes names the indicator itself"
                )
            elif other.data not in self.ids:
                self.problem(
                    other.line, f"{where}: selectable_if_passes names no indicator '{other.data}'"
                )


def _sheet_name_problem(name: str) -> str | None:
    """Why Excel would refuse ``name`` as a worksheet's name, or None."""
    bad = sorted({c for c in name if c in SHEET_NAME_FORBIDDEN})
    if not name.strip():
        return "a sheet needs a name"
    if len(name) > SHEET_NAME_MAX:
        return f"'{name}' has {len(name)} characters; a sheet's name has at most {SHEET_NAME_MAX}"
    if bad:
        return f"'{name}' holds {' '.join(bad)}, which a sheet's name cannot"
    if name.startswith("'") or name.endswith("'"):
        return f"'{name}' starts or ends with ', which a sheet's name cannot"
    return None


def _cycle(start: str, uses: Mapping[str, tuple[str, ...]]) -> list[str] | None:
    """The path ``start → … → start`` through ``uses`` (shortest first found), or None."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        name, path = stack.pop()
        for nxt in uses.get(name, ()):
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


# --------------------------------------------------------------------------------------------
# The reference, generated from the schema

#: The walk-through that follows the generated key reference in docs/standard-format.md.
WALKTHROUGH = """\
## Adding a standard from a folder of one's own

1. Make a folder, e.g. `~/standards`, and put in it the definition, e.g. `my-standard.yaml`
   (start from a copy of `ecopark/standard/hj274_2015.yaml` and change `id:` and `code:`), and
   its item catalogue, e.g. `items.csv` (named by `items:`, relative to the definition).
   Give the official tables' wording under `official_table:` (titles, column headings, role
   words, notes, sheet names); a text not given takes its default.
2. Check it: `ecopark standards check ~/standards/my-standard.yaml` prints `OK` (exit 0), or
   every problem with its file and line (exit 2): missing and unknown keys, wrong types, ids
   given twice, unknown tiers, attributes and items, circular helpers, requirement nodes of two
   kinds, units that do not fit their formulas (a forgotten `* 10000`).
3. Make ecopark find it: `export ECOPARK_STANDARDS=~/standards` (several folders separated by
   `:`, `;` on Windows), or give `--standards ~/standards` to any command. `ecopark standards`
   lists every definition found: code, name, file, number of indicators, tiers. Two files
   claiming one code are an error naming both.
4. Use it: `ecopark table --standard "MY 1-2026" data/<park> 2025`, or name it in a park's
   `park.yaml` (`standard:`). A code or an id is accepted; case and spaces do not matter.
"""


def reference() -> str:
    """``docs/standard-format.md``: every key of a definition, from :data:`RECORDS`."""
    out = [
        "# The definition format of a standard",
        "",
        "<!-- Generated from ecopark/standard/schema.py by `python scripts/standard_format.py`;",
        "     tests/test_standard_schema.py checks this file equals what the schema generates. -->",
        "",
        "A standard is one YAML file (its *definition*) and an item catalogue (CSV). Every key",
        "below is checked by `ecopark standards check FILE` and when the standard is loaded;",
        "a key not listed is an error. *required*: the key must be given.",
        "",
    ]
    order = ["definition", "attribute", "tier", "rules", "official_table", "disclosure"]
    order += ["helper", "indicator", "requirement"]
    order += [name for name in RECORDS if name not in order]
    for name in order:
        record = RECORDS[name]
        out += [f"## {record.title}", "", record.meaning, ""]
        if record.kinds:
            tag = f"the value of `{record.tag}`" if record.tag else "the keys it has"
            out.append(f"Its kind is told by {tag}:")
            out.append("")
            for kind, keys in record.kinds.items():
                out.append(f"- **{kind}**: {', '.join(f'`{k}`' for k in keys)}")
            out.append("")
        out += ["| key | type | required | meaning |", "|---|---|---|---|"]
        for key, spec in record.keys.items():
            need = "required" if spec.required else ""
            meaning = spec.meaning
            if spec.default is not None:
                meaning += f" (default: {_md_code(spec.default) if spec.default else 'none'})"
            out.append(f"| `{key}` | {_shape_words(spec.shape)} | {need} | {meaning} |")
        out.append("")
    out += [
        "## placeholders",
        "",
        "What the placeholders of the official tables' texts stand for (a text *with "
        "placeholders*); the park's name is put in as written, not read for placeholders again.",
        "",
        "| placeholder | stands for |",
        "|---|---|",
        *(f"| `{{{k}}}` | {v} |" for k, v in TABLE_PLACEHOLDERS.items()),
        "",
        "## formulas and units",
        "",
        "A formula (`formula:`, a helper's `expr:`) is an expression over catalogue item ids and",
        "helper names with `+ - * / **`, numbers, `n` (years since the base year) and the",
        f"functions {', '.join(f'`{f}`' for f in FUNCTIONS)}; `item[R]` reads the item in year",
        f"R, one of {', '.join(f'`{r}`' for r in YEAR_REFS)}. An indicator's `unit:` is checked",
        "against the formula: each item counts in its catalogue unit, the prefixes",
        f"{', '.join(dimension.PREFIXES)} scale a unit word, and the unit words known are",
        f"{', '.join(dimension.BASE_UNITS)}. A unit that certainly does not fit",
        "(another dimension, or another scale: `立方米/万元` for `fresh_water / value_added` with",
        "fresh_water in 万立方米) is an error; a unit word not known is not judged.",
        "",
        WALKTHROUGH,
    ]
    return "\n".join(out)


def _shape_words(shape: Shape) -> str:
    if isinstance(shape, Ref):
        record = RECORDS[shape.name]
        return f"[{record.title}](#{record.title.replace(' ', '-')})"
    if isinstance(shape, Record):
        return f"[{shape.title}](#{shape.title.replace(' ', '-')})"
    if isinstance(shape, Scalar):
        if shape.choices:
            return " \\| ".join(f"`{c}`" for c in shape.choices)
        if shape.placeholders == tuple(TABLE_PLACEHOLDERS):
            return f"{shape.type} with [placeholders](#placeholders)"
        if shape.placeholders:
            held = ", ".join(f"`{{{p}}}`" for p in shape.placeholders)
            return f"{shape.type} with {held}"
        return shape.type
    if isinstance(shape, ListOf):
        unique = f" (each {shape.unique or 'one'} once)" if shape.unique is not None else ""
        count = f"{shape.length} " if shape.length is not None else ""
        return f"list of {count}{_shape_words(shape.item)}{unique}"
    return f"mapping: {shape.name} → {_shape_words(shape.value)}"


def _md_code(text: str) -> str:
    """``text`` as inline Markdown code in a table cell (pipes escaped)."""
    return "`" + text.replace("|", "\\|") + "`"
