"""A small, safe formula language for indicator definitions.

Formulas are Python expressions over raw-item ids, parsed once with :mod:`ast`, checked
against a whitelist and compiled to a Python function. The compiled function reads its inputs
from a mapping keyed ``"item@T"``, ``"item@B"`` or ``"item@T-3"``; see
``ecopark/standards/hj274_2015.yaml`` for the syntax.

Division and the growth rate never produce infinities: a zero denominator or a zero base value
raises :class:`NotComputable` with the reason, which the engine reports in the table.
"""

from __future__ import annotations

import ast
import copy
import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

#: Year references allowed inside ``item[...]``.
YEAR_REFS = ("T", "B", "T-3", "T-1", "T-2")


class NotComputable(Exception):
    """The formula cannot be evaluated for this data (zero denominator, zero base ...)."""

    def __init__(self, reason_zh: str, reason_en: str):
        self.reason_zh = reason_zh
        self.reason_en = reason_en
        super().__init__(reason_en)


def cagr(x_t: float, x_0: float, k: float) -> float:
    """Compound annual growth rate ``(x_t / x_0) ** (1 / k) - 1`` [fraction].

    Parameters
    ----------
    x_t : float
        Value at the end of the period.
    x_0 : float
        Value at the start of the period; must be positive.
    k : float
        Length of the period [years]; must be positive.
    """
    if k <= 0:
        raise NotComputable("评价年须晚于基准年", "the evaluation year must be after the base year")
    if x_0 == 0:
        raise NotComputable(
            "基期值为 0，无法计算增长率", "the starting value is zero, so no growth rate"
        )
    ratio = x_t / x_0
    if ratio < 0:
        raise NotComputable("数值为负，无法计算增长率", "negative values, so no growth rate")
    return ratio ** (1.0 / k) - 1.0


def mean(*values: float) -> float:
    """Arithmetic mean of the arguments."""
    return math.fsum(values) / len(values)


FUNCTIONS: dict[str, Callable[..., float]] = {"cagr": cagr, "mean": mean}


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
    tree : ast.expr
        The formula's syntax tree with its helpers inlined, items as names (``energy``) and
        subscripts (``energy[B]``): its structure, read by :mod:`ecopark.standard.shape`.
    """

    source: str
    inputs: tuple[tuple[str, str], ...]
    uses_n: bool
    func: Callable[[Mapping[str, float], float], float] = field(repr=False, compare=False)
    tree: ast.expr = field(repr=False, compare=False)

    @functools.cached_property
    def keys(self) -> tuple[str, ...]:
        """The mapping key ``"item@ref"`` of every input, in the order of :attr:`inputs`."""
        return tuple(key(item, ref) for item, ref in self.inputs)

    def __call__(self, values: Mapping[str, float], n: float = math.nan) -> float:
        """Evaluate with ``values["item@ref"]`` and ``n`` [years]."""
        return self.func(values, n)


def key(item: str, ref: str = "T") -> str:
    """The mapping key of an item in a year reference: ``key("energy", "B") == "energy@B"``."""
    return f"{item}@{ref}"


class _Rewriter(ast.NodeTransformer):
    def __init__(self, known_items: set[str], helpers: Mapping[str, ast.expr], labels, names):
        self.known_items = known_items
        self.names = names
        self.helpers = helpers
        self.labels = labels
        self.inputs: list[tuple[str, str]] = []
        self.uses_n = False

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
            return self.visit(copy.deepcopy(self.helpers[node.id]))
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
        return (f"分母 {_named(denominator, self.names)} 为 0", f"the denominator {text} is zero")

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise ValueError("only unary minus and plus are allowed")
        node.operand = self.visit(node.operand)
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.expr:
        if not isinstance(node.value, int | float) or isinstance(node.value, bool):
            raise ValueError(f"only numeric constants are allowed, not {node.value!r}")
        return node

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if isinstance(node, ast.Expression):
            return super().generic_visit(node)
        raise ValueError(f"'{type(node).__name__}' is not allowed in a formula")


class _Inline(ast.NodeTransformer):
    """Replace every helper name by (a copy of) its expression, helpers within helpers too."""

    def __init__(self, helpers: Mapping[str, ast.expr]):
        self.helpers = helpers

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in self.helpers:
            return self.visit(copy.deepcopy(self.helpers[node.id]))
        return node


class _Namer(ast.NodeTransformer):
    def __init__(self, names: Mapping[str, str]):
        self.names = names

    def visit_Name(self, node: ast.Name) -> ast.Name:
        return ast.Name(id=self.names.get(node.id, node.id), ctx=node.ctx)


def _named(node: ast.expr, names: Mapping[str, str]) -> str:
    """The expression as text with item ids replaced by their (Chinese) names."""
    return ast.unparse(_Namer(names).visit(copy.deepcopy(node))) if names else ast.unparse(node)


def _div(a: float, b: float, reason_zh: str, reason_en: str) -> float:
    if b == 0:
        raise NotComputable(reason_zh, reason_en)
    return a / b


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
    helper_nodes = {
        name: ast.parse(expr, mode="eval").body for name, expr in (helpers or {}).items()
    }
    tree = ast.parse(source.strip(), mode="eval").body
    rewriter = _Rewriter(known_items, helper_nodes, dict(zero_labels or {}), dict(item_names or {}))
    func = _function(rewriter.visit(copy.deepcopy(tree)), source)
    structure = _Inline(helper_nodes).visit(tree)
    return Compiled(source.strip(), tuple(rewriter.inputs), rewriter.uses_n, func, structure)


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
    func = _function(rewriter.visit(copy.deepcopy(node)), source)
    return Compiled(source, tuple(rewriter.inputs), rewriter.uses_n, func, node)


def _function(body: ast.expr, source: str) -> Callable[[Mapping[str, float], float], float]:
    """``lambda _v, _n: body`` compiled, with the language's functions and safe division."""
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
    namespace = {"_div": _div, "__builtins__": {}}
    namespace.update({"_f_" + name: f for name, f in FUNCTIONS.items()})
    return eval(compile(lam, f"<formula {source.strip()[:40]}>", "eval"), namespace)  # noqa: S307
