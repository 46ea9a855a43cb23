"""A standard as data: indicators, requirements, raw items, footnotes.

:func:`load_standard` reads a definition file from ``ecopark/standards/`` (HJ 274-2015 is
``hj274_2015.yaml``) and compiles its formulas. Nothing here knows any single indicator;
the revision of HJ 274 will be a second YAML file registered in :data:`STANDARDS`.
"""

from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from ecopark.standard.expr import Compiled, compile_formula

#: Standard code (as written in park.yaml ``standard:``) -> definition file in ecopark/standards.
STANDARDS: dict[str, str] = {"HJ 274-2015": "hj274_2015.yaml"}
DEFAULT_STANDARD = "HJ 274-2015"

ROLES = ("must", "optional")
OPS = (">=", "<=", "=")
OP_SYMBOL = {">=": "≥", "<=": "≤", "=": ""}


@dataclass(frozen=True)
class Item:
    """One raw item of the catalogue (``items.csv``)."""

    id: str
    name_zh: str
    unit: str
    dimension: str
    kind: str  # number | count | status
    allowed: tuple[str, ...] = ()  # the words of a status item
    indicators: tuple[int, ...] = ()


@dataclass(frozen=True)
class Limit:
    """One comparison that passes: ``value op limit``."""

    op: str
    value: float | str

    @property
    def text(self) -> str:
        """The requirement as the standard prints it: ``≥30``, ``≤0.5``, ``达标``, ``100``."""
        return f"{OP_SYMBOL[self.op]}{format_number(self.value)}"

    def passes(self, value: float | str) -> bool:
        """Whether ``value`` meets the limit."""
        if self.op == "=":
            if isinstance(self.value, str) or isinstance(value, str):
                return str(value) == str(self.value)
            return float(value) == float(self.value)
        if isinstance(value, str):
            return False
        if self.op == ">=":
            return value >= self.value
        return value <= self.value

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
class Requirement:
    """A requirement: a fixed limit, or one chosen by a helper's sign or by the water region."""

    limit: Limit | None = None
    by_sign_of: str | None = None
    positive: Limit | None = None
    negative: Limit | None = None
    by_region: dict[str, Limit] | None = None

    @property
    def text_full(self) -> str:
        """Every branch in words, as the standard prints a conditional requirement."""
        if self.limit is not None:
            return self.limit.text
        if self.by_sign_of is not None:
            return f">0 时 {self.positive.text}；<0 时 {self.negative.text}"
        return "；".join(f"{k} {v.text}" for k, v in (self.by_region or {}).items())


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
class Helper:
    """A named sub-expression, such as g_V (工业增加值建设期年均增长率)."""

    name: str
    formula: Compiled
    name_zh: str
    name_en: str


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


def _requirement(spec: dict[str, Any], where: str) -> Requirement:
    if "by_sign_of" in spec:
        return Requirement(
            by_sign_of=spec["by_sign_of"],
            positive=_limit(spec["positive"], where),
            negative=_limit(spec["negative"], where),
        )
    if "by_region" in spec:
        return Requirement(by_region={k: _limit(v, where) for k, v in spec["by_region"].items()})
    return Requirement(limit=_limit(spec, where))


def _read_items(filename: str) -> dict[str, Item]:
    text = resources.files("ecopark.standard").joinpath(filename).read_text(encoding="utf-8")
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
            indicators=tuple(int(x) for x in row["indicators"].split()),
        )
    return items


@functools.cache
def load_standard(code: str = DEFAULT_STANDARD) -> Standard:
    """Load and compile a standard's definition.

    Parameters
    ----------
    code : str
        The standard as park.yaml names it, e.g. ``"HJ 274-2015"``.

    Raises
    ------
    KeyError
        If no definition is registered for ``code``.
    """
    if code not in STANDARDS:
        raise KeyError(f"unknown standard '{code}' (known: {', '.join(STANDARDS)})")
    text = resources.files("ecopark.standard").joinpath(STANDARDS[code]).read_text(encoding="utf-8")
    spec = yaml.safe_load(text)
    items = _read_items(spec["items"])
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
    indicators = []
    for rec in spec["indicators"]:
        where = f"{STANDARDS[code]}: indicator {rec['number']}"
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
                requirement=_requirement(rec["requirement"], where),
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
    )
