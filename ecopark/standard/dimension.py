"""Units as dimensions and scale factors, so a definition's units can be checked against its formulas.

A unit as a standard writes it (``立方米/万元``, ``亿元/平方公里``, ``%``) is read as a
:class:`Quantity`: a scale factor to base units (元, 吨, 吨标煤, 立方米, 平方公里, 人) and the
powers of the dimensions. A formula over catalogue items has a quantity too (each item's from its
catalogue unit and dimension), worked out by :func:`of_formula`; the definition's check
(:mod:`ecopark.standard.schema`) reports a unit whose quantity is certainly not the formula's,
scale factors included (``fresh_water / value_added`` is 万立方米/万元, not 立方米/万元).

Counts (个, 起, 次, 项) and ``/年`` are dimensionless here: a count per year is a count.
Anything not read with certainty (an unknown unit word, a power with a non-constant exponent of
something with a dimension, a status) is ``None``: never flagged.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

#: Base unit words: word -> (scale to the base unit, dimension or None). ``吨`` is a mass, or a
#: volume of water (1 吨 = 1 立方米), as the catalogue's dimension says.
BASE_UNITS: dict[str, tuple[Fraction, tuple[str, ...]]] = {
    "元": (Fraction(1), ("money",)),
    "吨": (Fraction(1), ("mass", "water")),
    "t": (Fraction(1), ("mass", "water")),
    "千克": (Fraction(1, 1000), ("mass",)),
    "kg": (Fraction(1, 1000), ("mass",)),
    "克": (Fraction(1, 1000000), ("mass",)),
    "吨标煤": (Fraction(1), ("energy",)),
    "吨标准煤": (Fraction(1), ("energy",)),
    "tce": (Fraction(1), ("energy",)),
    "立方米": (Fraction(1), ("water",)),
    "m3": (Fraction(1), ("water",)),
    "m³": (Fraction(1), ("water",)),
    "平方公里": (Fraction(1), ("area",)),
    "km2": (Fraction(1), ("area",)),
    "km²": (Fraction(1), ("area",)),
    "公顷": (Fraction(1, 100), ("area",)),
    "亩": (Fraction(1, 1500), ("area",)),
    "人": (Fraction(1), ("people",)),
    "%": (Fraction(1, 100), ()),
    "个": (Fraction(1), ()),
    "起": (Fraction(1), ()),
    "次": (Fraction(1), ()),
    "项": (Fraction(1), ()),
    "家": (Fraction(1), ()),
    "件": (Fraction(1), ()),
    "年": (Fraction(1), ()),
}
#: Prefixes of a unit word: 万元 is 10⁴ 元, 亿元 10⁸ 元.
PREFIXES: dict[str, Fraction] = {"万": Fraction(10**4), "亿": Fraction(10**8)}
#: The catalogue's dimensions (items.csv ``dimension``) as dimensions here; None: not a number.
CATALOGUE_DIMENSIONS: dict[str, str | None] = {
    "money": "money",
    "mass": "mass",
    "energy": "energy",
    "water": "water",
    "area": "area",
    "people": "people",
    "percent": "",
    "count": "",
    "status": None,
}


@dataclass(frozen=True)
class Quantity:
    """A scale factor and dimensions: the formula's value times ``scale`` is in base units.

    Attributes
    ----------
    scale : Fraction
        Base units per unit (万元: 10000, %: 1/100).
    dims : tuple of (str, int)
        Dimension -> power, sorted, no zero powers (万元/人: money¹ people⁻¹).
    """

    scale: Fraction = Fraction(1)
    dims: tuple[tuple[str, int], ...] = field(default=())

    @classmethod
    def of(cls, scale: Fraction, dims: Mapping[str, int]) -> Quantity:
        """A quantity with the zero powers dropped."""
        return cls(Fraction(scale), tuple(sorted((d, p) for d, p in dims.items() if p)))

    def times(self, other: Quantity, power: int = 1) -> Quantity:
        """``self · other^power``."""
        dims = dict(self.dims)
        for d, p in other.dims:
            dims[d] = dims.get(d, 0) + power * p
        return Quantity.of(self.scale * other.scale**power, dims)

    def power(self, k: int) -> Quantity:
        """``self^k`` for a whole ``k``."""
        return Quantity.of(self.scale**k, {d: p * k for d, p in self.dims})

    @property
    def dimensionless(self) -> bool:
        """No dimension (the scale may still be a percent's 1/100)."""
        return not self.dims

    def text(self) -> str:
        """The quantity in base units, as a message shows it: ``立方米/万元``, ``%``, ``10 × 吨``."""
        up = [_power(BASE_WORDS[d], p) for d, p in self.dims if p > 0]
        down = [_power(BASE_WORDS[d], -p) for d, p in self.dims if p < 0]
        scale = self.scale
        for prefix, factor in PREFIXES.items():
            if up and scale == factor:
                up[0], scale = prefix + up[0], Fraction(1)
            elif down and scale == 1 / factor:
                down[0], scale = prefix + down[0], Fraction(1)
        if not up and not down and scale == Fraction(1, 100):
            return "%"
        words = "/".join([" · ".join(up) or "1", *down])
        return words if scale == 1 else f"{scale} × {words}"


def _power(word: str, p: int) -> str:
    return word if p == 1 else f"{word}^{p}"


#: The base unit of each dimension, as messages write quantities.
BASE_WORDS = {
    "money": "元",
    "mass": "吨",
    "energy": "吨标煤",
    "water": "立方米",
    "area": "平方公里",
    "people": "人",
}
ONE = Quantity()


def parse_unit(unit: str) -> tuple[Quantity, ...] | None:
    """Every reading of a unit as a standard writes it, or None when a word is not known.

    ``立方米/万元`` -> (1/10000 water/money,); ``吨/万元`` -> mass or water per money;
    ``""`` -> dimensionless; ``次/年`` -> dimensionless.
    """
    text = unit.strip().replace(" ", "")
    if not text:
        return (ONE,)
    readings = [ONE]
    for i, word in enumerate(text.split("/")):
        choices = _word(word)
        if choices is None:
            return None
        power = 1 if i == 0 else -1
        readings = [r.times(c, power) for r in readings for c in choices]
    return tuple(dict.fromkeys(readings))


def _word(word: str) -> tuple[Quantity, ...] | None:
    """The readings of one unit word (``万立方米``), or None."""
    if word in BASE_UNITS:
        scale, dims = BASE_UNITS[word]
        return tuple(Quantity.of(scale, {d: 1}) for d in dims) or (Quantity.of(scale, {}),)
    if word[:1] in PREFIXES and word[1:] in BASE_UNITS:
        return tuple(
            Quantity.of(q.scale * PREFIXES[word[0]], dict(q.dims)) for q in _word(word[1:]) or ()
        )
    return None


def of_item(unit: str, dimension: str) -> Quantity | None:
    """The quantity of a catalogue item: its unit read in its catalogue dimension (None: a status)."""
    dim = CATALOGUE_DIMENSIONS.get(dimension)
    readings = parse_unit(unit)
    if dim is None or readings is None:
        return None
    wanted = () if dim == "" else ((dim, 1),)
    fitting = [q for q in readings if q.dims == wanted]
    return fitting[0] if len(fitting) == 1 else None


class Mismatch(Exception):
    """A formula adds or compares quantities that certainly differ."""


def of_formula(
    tree: ast.expr, item: Callable[[str], Quantity | None], functions: Mapping[str, str]
) -> Quantity | None:
    """The quantity of a formula's value, or None when it cannot be told with certainty.

    Parameters
    ----------
    tree : ast.expr
        The formula, helpers inlined (names are items, ``n`` and functions).
    item : callable
        Item id -> its quantity (None: unknown).
    functions : mapping
        Function name -> ``"growth"`` (``cagr``: a dimensionless rate of two like quantities)
        or ``"same"`` (``mean``: the quantity of its arguments).

    Raises
    ------
    Mismatch
        If the formula adds, subtracts, averages or compares the growth of quantities that
        certainly differ (立方米 + 万立方米).
    """

    def walk(node: ast.expr) -> Quantity | None:
        if isinstance(node, ast.Constant):
            return None if isinstance(node.value, bool) else ONE
        if isinstance(node, ast.Name):
            return None if node.id == "n" else item(node.id)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            return item(node.value.id)
        if isinstance(node, ast.UnaryOp):
            return walk(node.operand)
        if isinstance(node, ast.BinOp):
            return binop(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            kind = functions.get(node.func.id)
            args = [walk(a) for a in node.args]
            if kind == "growth" and len(args) >= 2:
                same(args[0], args[1], node)
                return ONE
            if kind == "same" and args:
                for other in args[1:]:
                    same(args[0], other, node)
                return args[0] if all(a is not None for a in args) else None
        return None

    def binop(node: ast.BinOp) -> Quantity | None:
        op = node.op
        if isinstance(op, ast.Add | ast.Sub):
            # a constant added is taken in the other side's unit (1 - ratio, x + 5)
            if _constant(node.left) is not None:
                return walk(node.right)
            if _constant(node.right) is not None:
                return walk(node.left)
            left, right = walk(node.left), walk(node.right)
            same(left, right, node)
            return left if left is not None and right is not None else None
        if isinstance(op, ast.Mult | ast.Div):
            left, right = _constant(node.left), _constant(node.right)
            if left == 0 or right == 0:
                return None
            ql = Quantity.of(1 / left, {}) if left is not None else walk(node.left)
            qr = Quantity.of(1 / right, {}) if right is not None else walk(node.right)
            if ql is None or qr is None:
                return None
            return ql.times(qr, 1 if isinstance(op, ast.Mult) else -1)
        if isinstance(op, ast.Pow):
            base = walk(node.left)
            exponent = _constant(node.right)
            if base is None:
                return None
            if exponent is not None and exponent.denominator == 1:
                return base.power(int(exponent))
            return ONE if base == ONE else None
        return None

    def same(a: Quantity | None, b: Quantity | None, node: ast.expr) -> None:
        if a is not None and b is not None and a != b:
            raise Mismatch(f"'{ast.unparse(node)}' combines {a.text()} with {b.text()}")

    return walk(tree)


def _constant(node: ast.expr) -> Fraction | None:
    """A numeric constant (``10000``, ``-1``, ``1 / 3``) as written, or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        if isinstance(node.value, bool):
            return None
        return Fraction(repr(node.value)) if isinstance(node.value, float) else Fraction(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _constant(node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Div):
        left, right = _constant(node.left), _constant(node.right)
        if left is None or right is None or (isinstance(node.op, ast.Div) and right == 0):
            return None
        return left * right if isinstance(node.op, ast.Mult) else left / right
    return None
