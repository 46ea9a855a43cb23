"""A small, safe formula language for indicator definitions.

Formulas are Python expressions over raw-item ids, parsed once with :mod:`ast`, checked
against a whitelist and compiled to a Python function. The compiled function reads its inputs
from a mapping keyed ``"item@T"``, ``"item@B"`` or ``"item@T-3"``; see
``ecopark/standards/hj274_2015.yaml`` for the syntax.

Division and the growth rate never produce infinities: a zero denominator or a zero base value
raises :class:`NotComputable` with the reason, which the engine reports in the table.

Exact arithmetic: on exact inputs (:class:`~fractions.Fraction` or ``int``, as the engine reads
them) a formula evaluates exactly. Constants are rationals as written (``0.5`` is 1/2), ``+ - * /``
are rational arithmetic, ``mean`` is exact, and a power (``**``, ``cagr``) with an integer
exponent is exact; an exponent ``p/q`` (``** (1 / n)``, ``cagr`` over ``k`` years) takes the exact
rational ``q``-th root when numerator and denominator are perfect ``q``-th powers (growth of
exactly 15 % over 3 years: 1.520875 → 1.15), otherwise the root to :data:`ROOT_DIGITS` significant
digits, as a Fraction. On float inputs (what-if grids, charts) the same formula evaluates in
floats, and raises :class:`Inexact` where cancellation would leave too few correct digits.
"""

from __future__ import annotations

import ast
import functools
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

#: Year references allowed inside ``item[...]``.
YEAR_REFS = ("T", "B", "T-3", "T-1", "T-2")


class NotComputable(Exception):
    """The formula cannot be evaluated for this data (zero denominator, zero base ...)."""

    def __init__(self, reason_zh: str, reason_en: str):
        self.reason_zh = reason_zh
        self.reason_en = reason_en
        super().__init__(reason_en)


#: Significant digits of a root that is not rational (far beyond any rounding tie).
ROOT_DIGITS = 50

#: A float evaluation refuses (:class:`Inexact`) a sum, difference, mean or growth rate whose
#: result is smaller than its operands by more than this factor: cancellation would leave too
#: few correct digits. With the formulas' other operations (×, ÷, roots: each within 1 ulp),
#: two such steps in a row keep a float result within 10⁻⁸ of the exact one (relative).
CANCELLATION = 1e3


class Inexact(Exception):
    """A float evaluation would cancel too many digits to be trusted: evaluate exactly instead."""


Number = Fraction | int | float


def _iroot(n: int, k: int) -> int:
    """``floor(n ** (1 / k))`` for an integer ``n >= 0`` and ``k >= 1`` (Newton, in integers)."""
    if n < 2 or k == 1:
        return n
    try:  # start just above the root from a float estimate, else from a power of two
        x = int(math.exp(math.log(n) / k) * (1 + 2.0**-40)) + 2
        if x**k <= n:
            raise OverflowError
    except OverflowError:
        x = 1 << -(-n.bit_length() // k)
    while True:
        y = ((k - 1) * x + n // x ** (k - 1)) // k
        if y >= x:
            return x
        x = y


@functools.lru_cache(maxsize=4096)
def _root_parts(a: int, b: int, k: int) -> Fraction:
    """The ``k``-th root of ``a / b`` (lowest terms, positive): exact, or to ROOT_DIGITS digits."""
    ra = _iroot(a, k)
    if ra**k == a:
        rb = _iroot(b, k)
        if rb**k == b:
            return Fraction(ra, rb)
    # scale so that the root has about ROOT_DIGITS digits before the point, then truncate
    digits = (a.bit_length() - b.bit_length()) * math.log10(2) / k
    s = ROOT_DIGITS - int(digits)
    big = a * 10 ** (s * k) // b if s >= 0 else a // (b * 10 ** (-s * k))
    q = _iroot(big, k)
    return Fraction(q, 10**s) if s >= 0 else Fraction(q * 10**-s)


def root(x: Fraction | int, k: int) -> Fraction:
    """The real ``k``-th root of ``x >= 0`` [same unit as x**(1/k)].

    Exact when numerator and denominator are perfect ``k``-th powers
    (``root(Fraction(1520875, 1000000), 3) == Fraction(23, 20)``), else truncated to
    :data:`ROOT_DIGITS` significant digits.
    """
    x = Fraction(x)
    if x < 0:
        raise ValueError("root of a negative number")
    if x == 0:
        return x
    return _root_parts(x.numerator, x.denominator, k)


def _is_float(*values: object) -> bool:
    return any(isinstance(v, float | complex) for v in values)


def _cancelled(result: float, size: float) -> float:
    """``result``, or :class:`Inexact` if it lost more than :data:`CANCELLATION` to cancellation."""
    if abs(result) * CANCELLATION < size:
        raise Inexact(f"{result!r} is {size!r} cancelled")
    return result


def _checked_add(a: float, b: float) -> float:
    """``a + b`` in floats, :class:`Inexact` on heavy cancellation."""
    return _cancelled(a + b, abs(a) + abs(b))


def _checked_sub(a: float, b: float) -> float:
    """``a - b`` in floats, :class:`Inexact` on heavy cancellation."""
    return _cancelled(a - b, abs(a) + abs(b))


def _pow(base: Number, exponent: Number) -> Number:
    """``base ** exponent``: exact on rationals (see the module docstring), else in floats."""
    if _is_float(base, exponent):
        return base**exponent
    exponent = Fraction(exponent)
    if exponent.denominator == 1:
        return Fraction(base) ** exponent.numerator
    if base < 0:
        raise NotComputable("结果不是有限实数", "the result is not a finite real number")
    return root(base, exponent.denominator) ** exponent.numerator


def _div(a: Number, b: Number, reason_zh: str, reason_en: str) -> Number:
    """``a / b``, exact on rationals; a zero ``b`` raises :class:`NotComputable` with the reason."""
    if b == 0:
        raise NotComputable(reason_zh, reason_en)
    if isinstance(a, int) and isinstance(b, int):
        return Fraction(a, b)
    return a / b


def cagr(x_t: Number, x_0: Number, k: Number) -> Number:
    """Compound annual growth rate ``(x_t / x_0) ** (1 / k) - 1`` [fraction].

    Exact on rationals (see the module docstring), in floats on floats.

    Parameters
    ----------
    x_t : Fraction or float
        Value at the end of the period.
    x_0 : Fraction or float
        Value at the start of the period; must be positive.
    k : int or float
        Length of the period [years]; must be positive.
    """
    if k <= 0:
        raise NotComputable("评价年须晚于基准年", "the evaluation year must be after the base year")
    if x_0 == 0:
        raise NotComputable(
            "基期值为 0，无法计算增长率", "the starting value is zero, so no growth rate"
        )
    ratio = _div(x_t, x_0, "", "")
    if ratio < 0:
        raise NotComputable("数值为负，无法计算增长率", "negative values, so no growth rate")
    if _is_float(ratio, k):
        return ratio ** (1.0 / k) - 1.0
    return _pow(ratio, _div(1, k, "", "")) - 1


def mean(*values: Number) -> Number:
    """Arithmetic mean of the arguments (exact on rationals)."""
    if _is_float(*values):
        return math.fsum(values) / len(values)
    return sum(values, Fraction(0)) / len(values)


def _checked_cagr(x_t: float, x_0: float, k: float) -> float:
    """:func:`cagr` in floats, :class:`Inexact` when the growth is within 0.1 % of zero."""
    return _cancelled(cagr(x_t, x_0, k), 1.0)


def _checked_mean(*values: float) -> float:
    """:func:`mean` in floats, :class:`Inexact` when the terms cancel."""
    total = math.fsum(values)
    _cancelled(total, math.fsum(map(abs, values)))
    return total / len(values)


FUNCTIONS: dict[str, Callable[..., Number]] = {"cagr": cagr, "mean": mean}


@dataclass(frozen=True)
class Compiled:
    """A compiled formula.

    Attributes
    ----------
    source : str
        The expression as written.
    inputs : tuple of (item, year_ref)
        Every raw item the formula reads, in order of first use; ``year_ref`` is ``"T"``,
        ``"B"`` or ``"T-3"``.
    uses_n : bool
        Whether the formula uses ``n`` (years from the base year).
    func : callable
        ``func(values, n)``: the value, exact on exact values, in floats on floats.
    checked : callable
        ``checked(values, n)`` on float values: the same in floats, but raising
        :class:`Inexact` where a sum, difference, mean or growth rate cancels by more than
        :data:`CANCELLATION` (the engine then evaluates exactly).
    tree : ast.expr
        The formula's syntax tree with its helpers inlined, items as names (``energy``) and
        subscripts (``energy[B]``): its structure, read by :mod:`ecopark.standard.shape`.
    """

    source: str
    inputs: tuple[tuple[str, str], ...]
    uses_n: bool
    func: Callable[[Mapping[str, Number], Number], Number] = field(repr=False, compare=False)
    tree: ast.expr = field(repr=False, compare=False)
    checked: Callable[[Mapping[str, float], float], float] = field(repr=False, compare=False)

    @functools.cached_property
    def keys(self) -> tuple[str, ...]:
        """The mapping key ``"item@ref"`` of every input, in the order of :attr:`inputs`."""
        return tuple(key(item, ref) for item, ref in self.inputs)

    def __call__(self, values: Mapping[str, Number], n: Number = math.nan) -> Number:
        """Evaluate with ``values["item@ref"]`` and ``n`` [years]: exact on exact values."""
        return self.func(values, n)


def names(source: str) -> tuple[str, ...]:
    """The names a formula reads (items and helpers; not ``n``, not functions), in order of use.

    ``names("cagr(energy, energy[B], n) / g_V") == ("energy", "g_V")``.

    Raises
    ------
    SyntaxError
        If the formula is not an expression.
    """
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Name) and node.id != "n":
            found.append(node.id)
        elif isinstance(node, ast.Call):
            for arg in (*node.args, *(k.value for k in node.keywords)):
                visit(arg)
        elif isinstance(node, ast.Subscript):  # item[B]: the year reference is not a name
            visit(node.value)
        else:
            for child in ast.iter_child_nodes(node):
                visit(child)

    visit(ast.parse(source.strip(), mode="eval"))
    return tuple(dict.fromkeys(found))


def key(item: str, ref: str = "T") -> str:
    """The mapping key of an item in a year reference: ``key("energy", "B") == "energy@B"``."""
    return f"{item}@{ref}"


#: Operators evaluated by a function (exact powers; cancellation-checked sums in floats).
_OPERATORS = {ast.Pow: "_pow", ast.Add: "_add", ast.Sub: "_sub"}


class _Rewriter(ast.NodeTransformer):
    def __init__(self, known_items: set[str], helpers: Mapping[str, ast.expr], labels, names):
        self.known_items = known_items
        self.names = names
        self.helpers = helpers
        self.labels = labels
        self.inputs: list[tuple[str, str]] = []
        self.uses_n = False
        self.constants: dict[str, Fraction] = {}

    def _item(self, name: str, ref: str, node: ast.AST) -> ast.expr:
        if name not in self.known_items:
            raise ValueError(f"unknown item '{name}'")
        if (name, ref) not in self.inputs:
            self.inputs.append((name, ref))
        sub = ast.Subscript(
            value=ast.Name(id="_v", ctx=ast.Load()),
            slice=ast.Constant(value=key(name, ref)),
            ctx=ast.Load(),
        )
        return ast.copy_location(sub, node)

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id == "n":
            self.uses_n = True
            return ast.copy_location(ast.Name(id="_n", ctx=ast.Load()), node)
        if node.id in self.helpers:
            return self.visit(_tree(self.helpers[node.id]))
        return self._item(node.id, "T", node)

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        if not isinstance(node.value, ast.Name):
            raise ValueError("only item[T], item[B] or item[T-3] may be subscripted")
        ref = ast.unparse(node.slice).replace(" ", "")
        if ref not in YEAR_REFS:
            raise ValueError(f"unknown year reference '{ref}' (use one of {', '.join(YEAR_REFS)})")
        return self._item(node.value.id, ref, node)

    def visit_Call(self, node: ast.Call) -> ast.expr:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise ValueError(f"unknown function in '{ast.unparse(node)}'")
        if node.keywords:
            raise ValueError("keyword arguments are not allowed")
        node.args = [self.visit(a) for a in node.args]
        node.func = ast.copy_location(ast.Name(id="_f_" + node.func.id, ctx=ast.Load()), node)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        if not isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div | ast.Pow):
            raise ValueError(f"operator not allowed in '{ast.unparse(node)}'")
        label = self._label(node.right) if isinstance(node.op, ast.Div) else None
        node.left = self.visit(node.left)
        node.right = self.visit(node.right)
        function = _OPERATORS.get(type(node.op))
        if function is not None:
            call = ast.Call(
                func=ast.Name(id=function, ctx=ast.Load()),
                args=[node.left, node.right],
                keywords=[],
            )
            return ast.copy_location(call, node)
        if label is None:
            return node
        call = ast.Call(
            func=ast.Name(id="_div", ctx=ast.Load()),
            args=[node.left, node.right, ast.Constant(label[0]), ast.Constant(label[1])],
            keywords=[],
        )
        return ast.copy_location(call, node)

    def _label(self, denominator: ast.expr) -> tuple[str, str]:
        text = ast.unparse(denominator)
        if isinstance(denominator, ast.Name) and denominator.id in self.labels:
            return self.labels[denominator.id]
        return (f"分母 {_named(text, self.names)} 为 0", f"the denominator {text} is zero")

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise ValueError("only unary minus and plus are allowed")
        node.operand = self.visit(node.operand)
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.expr:
        if not isinstance(node.value, int | float) or isinstance(node.value, bool):
            raise ValueError(f"only numeric constants are allowed, not {node.value!r}")
        if isinstance(node.value, int):
            return node
        # a decimal constant is the rational it writes (0.5 is 1/2), bound by name
        name = f"_c{len(self.constants)}"
        self.constants[name] = Fraction(repr(node.value))
        return ast.copy_location(ast.Name(id=name, ctx=ast.Load()), node)

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if isinstance(node, ast.Expression):
            return super().generic_visit(node)
        raise ValueError(f"'{type(node).__name__}' is not allowed in a formula")


class _Inline(ast.NodeTransformer):
    """Replace every helper name by (a new tree of) its expression, helpers within helpers too."""

    def __init__(self, helpers: Mapping[str, str]):
        self.helpers = helpers

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in self.helpers:
            return self.visit(_tree(self.helpers[node.id]))
        return node


class _Namer(ast.NodeTransformer):
    def __init__(self, names: Mapping[str, str]):
        self.names = names

    def visit_Name(self, node: ast.Name) -> ast.Name:
        return ast.Name(id=self.names.get(node.id, node.id), ctx=node.ctx)


def _named(text: str, names: Mapping[str, str]) -> str:
    """The expression ``text`` with item ids replaced by their (Chinese) names."""
    return ast.unparse(_Namer(names).visit(_tree(text))) if names else text


def compile_formula(
    source: str,
    known_items: set[str],
    helpers: Mapping[str, str] | None = None,
    zero_labels: Mapping[str, tuple[str, str]] | None = None,
    item_names: Mapping[str, str] | None = None,
) -> Compiled:
    """Compile a formula.

    Parameters
    ----------
    source : str
        The expression, e.g. ``"100 * renewable_energy / energy"``.
    known_items : set of str
        Item ids the formula may name.
    helpers : mapping of str to str, optional
        Named sub-expressions (``g_V``) that the formula may use; they are inlined.
    zero_labels : mapping of str to (str, str), optional
        For a helper used as a denominator, the (Chinese, English) reason when it is zero.
    item_names : mapping of str to str, optional
        Chinese names of the items, used in the reason when a denominator is zero.

    Raises
    ------
    ValueError
        If the formula uses anything outside the language (names, operators, functions).
    """
    helpers = _helpers(helpers)
    rewriter = _Rewriter(known_items, helpers, dict(zero_labels or {}), dict(item_names or {}))
    body = rewriter.visit(_tree(source.strip()))
    func, checked = _functions(body, source, rewriter.constants)
    structure = _Inline(helpers).visit(_tree(source.strip()))
    return Compiled(
        source.strip(), tuple(rewriter.inputs), rewriter.uses_n, func, structure, checked
    )


def formula_tree(
    source: str, known_items: set[str], helpers: Mapping[str, str] | None = None
) -> ast.expr:
    """A formula checked as :func:`compile_formula` checks it, not compiled: its structure
    (:attr:`Compiled.tree`, helpers inlined), for a definition's validation.

    Raises
    ------
    ValueError
        If the formula uses anything outside the language (names, operators, functions).
    """
    helpers = _helpers(helpers)
    _Rewriter(known_items, helpers, {}, {}).visit(_tree(source.strip()))
    return _Inline(helpers).visit(_tree(source.strip()))


def _tree(source: str) -> ast.expr:
    """A new syntax tree of an expression (parsing is the cheap way to a fresh copy: the
    rewriters change the trees they visit)."""
    return ast.parse(source, mode="eval").body


def _helpers(helpers: Mapping[str, str] | None) -> dict[str, str]:
    """The helpers' sources, each checked to parse (a syntax error is raised here, before use)."""
    helpers = dict(helpers or {})
    for expr in helpers.values():
        _tree(expr)
    return helpers


def compile_node(node: ast.expr) -> Compiled:
    """Compile a part of a formula's structure (:attr:`Compiled.tree`: helpers inlined, names checked).

    The attribution evaluates the factors and terms of a formula with it, in the same language
    and with the same zero-denominator rule as the whole formula.
    """
    items = {
        nd.id
        for nd in ast.walk(node)
        if isinstance(nd, ast.Name) and nd.id != "n" and nd.id not in FUNCTIONS
    }
    rewriter = _Rewriter(items, {}, {}, {})
    source = ast.unparse(node)
    func, checked = _functions(rewriter.visit(_tree(source)), source, rewriter.constants)
    return Compiled(source, tuple(rewriter.inputs), rewriter.uses_n, func, node, checked)


#: The language's operators and functions: as they are, and checked for cancellation.
_PLAIN = {"_div": _div, "_pow": _pow, "_add": operator.add, "_sub": operator.sub}
_PLAIN.update({"_f_" + name: f for name, f in FUNCTIONS.items()})
_CHECKED = {**_PLAIN, "_add": _checked_add, "_sub": _checked_sub}
_CHECKED.update({"_f_cagr": _checked_cagr, "_f_mean": _checked_mean})


def _functions(
    body: ast.expr, source: str, constants: Mapping[str, Fraction]
) -> tuple[Callable[[Mapping[str, Number], Number], Number], Callable[..., float]]:
    """``lambda _v, _n: body`` compiled twice: as it is, and checked for cancellation.

    The namespace holds the language's functions, safe division, exact powers and the
    formula's decimal constants (``constants``, name -> Fraction).
    """
    lam = ast.Expression(
        body=ast.Lambda(
            args=ast.arguments(
                posonlyargs=[],
                args=[ast.arg(arg="_v"), ast.arg(arg="_n")],
                kwonlyargs=[],
                kw_defaults=[],
                defaults=[],
            ),
            body=body,
        )
    )
    ast.fix_missing_locations(lam)
    code = compile(lam, f"<formula {source.strip()[:40]}>", "eval")
    made = []
    for functions in (_PLAIN, _CHECKED):
        namespace = {"__builtins__": {}, **functions, **constants}
        made.append(eval(code, namespace))  # noqa: S307
    return made[0], made[1]
