"""Units of raw items and their conversion to the catalogue unit.

Conversions use exact arithmetic on the value as written, so 490.62 亿元 becomes exactly
4906200 万元 and a table never changes because the same figure was typed in another unit: the
exact value is the decimal as written times :func:`factor` (a Fraction; 1 亩 is 1/1500 平方公里),
and :func:`convert` gives the Decimal the floats are made from. Each dimension has a base unit; a factor says how many base units one unit is.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import Decimal
from fractions import Fraction

#: dimension -> {unit spelling: factor to the dimension's base unit}. Spellings are compared as
#: :func:`unit_key` writes them (NFKC, no spaces, case-folded): ``m³``, ``M3`` and ``ｍ３`` are
#: ``m3``; ``KG`` is ``kg``; ``万 吨`` is ``万吨``.
UNITS: dict[str, dict[str, Fraction]] = {
    "money": {
        "元": Fraction(1, 10000),
        "千元": Fraction(1, 10),
        "万元": Fraction(1),
        "百万元": Fraction(100),
        "亿元": Fraction(10000),
    },
    "mass": {
        "千克": Fraction(1, 1000),
        "公斤": Fraction(1, 1000),
        "kg": Fraction(1, 1000),
        "吨": Fraction(1),
        "t": Fraction(1),
        "千吨": Fraction(1000),
        "万吨": Fraction(10000),
        "万t": Fraction(10000),
    },
    "energy": {
        "千克标准煤": Fraction(1, 1000),
        "kgce": Fraction(1, 1000),
        "吨标煤": Fraction(1),
        "tce": Fraction(1),
        "吨标准煤": Fraction(1),
        "万吨标煤": Fraction(10000),
        "万吨标准煤": Fraction(10000),
        "万tce": Fraction(10000),
    },
    # 1 吨 of water = 1 立方米
    "water": {
        "立方米": Fraction(1),
        "m3": Fraction(1),
        "m³": Fraction(1),
        "方": Fraction(1),
        "吨": Fraction(1),
        "t": Fraction(1),
        "万立方米": Fraction(10000),
        "万m3": Fraction(10000),
        "万m³": Fraction(10000),
        "万方": Fraction(10000),
        "万吨": Fraction(10000),
        "万t": Fraction(10000),
    },
    "area": {
        "平方公里": Fraction(1),
        "平方千米": Fraction(1),
        "km2": Fraction(1),
        "km²": Fraction(1),
        "公顷": Fraction(1, 100),
        "ha": Fraction(1, 100),
        "hm2": Fraction(1, 100),
        "亩": Fraction(1, 1500),
    },
    "people": {"人": Fraction(1), "万人": Fraction(10000)},
    "percent": {"%": Fraction(1)},
    "count": {
        "个": Fraction(1),
        "起": Fraction(1),
        "次": Fraction(1),
        "项": Fraction(1),
        "次/年": Fraction(1),
    },
    "status": {},
}


def unit_key(text: str) -> str:
    """A unit as compared: NFKC (full width, superscripts), without whitespace, case-folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


@functools.cache
def _spellings(dimension: str) -> dict[str, str]:
    return {unit_key(u): u for u in UNITS[dimension]}


def spelling(unit: str, dimension: str) -> str | None:
    """The :data:`UNITS` spelling of ``unit`` as written (``"KG"`` -> ``"kg"``, ``"m ³"`` ->
    ``"m3"``) in ``dimension``, or None if it is no unit of that dimension."""
    if unit in UNITS[dimension]:
        return unit
    return _spellings(dimension).get(unit_key(unit))


def is_unit(unit: str) -> bool:
    """Whether ``unit`` spells a unit of any dimension."""
    return any(spelling(unit, d) is not None for d in UNITS)


def convert(value: Decimal, unit: str, to_unit: str, dimension: str) -> Decimal:
    """Convert ``value`` from ``unit`` to ``to_unit`` within ``dimension``.

    Parameters
    ----------
    value : Decimal
        The value as written.
    unit, to_unit : str
        Spellings from :data:`UNITS` of the same dimension.
    dimension : str
        The item's dimension (``money``, ``mass``, ``water`` ...).

    Returns
    -------
    Decimal
        The value in ``to_unit``; exact for powers of ten, correct to 28 digits otherwise.

    Raises
    ------
    KeyError
        If either unit is not a spelling of ``dimension``.
    """
    numerator, denominator = _pair(unit, to_unit, dimension)
    if numerator == denominator:
        return value
    return value * numerator / denominator


@functools.cache
def _pair(unit: str, to_unit: str, dimension: str) -> tuple[int, int]:
    exact = factor(unit, to_unit, dimension)
    return exact.numerator, exact.denominator


@functools.cache
def factor(unit: str, to_unit: str, dimension: str) -> Fraction:
    """How many ``to_unit`` one ``unit`` is, exactly: ``factor("亿元", "万元", "money") == 10000``.

    Raises
    ------
    KeyError
        If either unit is not a spelling of ``dimension``.
    """
    table = UNITS[dimension]
    return table[unit] / table[to_unit]
