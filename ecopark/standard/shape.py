"""The structure of a formula: its constants, its factors and their powers, its items.

Read from the compiled formula's own syntax tree (:attr:`ecopark.standard.expr.Compiled.tree`,
helpers inlined), never from its text. The attribution (:mod:`ecopark.attribution`) splits an
indicator's change along this structure and the sector analyses (:mod:`ecopark.sectors`) find the
numerator of an intensity with it:

- :func:`product`: ``c · Π atom^p``, an atom being one item in a year reference or a sum of items;
- :func:`affine`: ``α + β · Π atom^p`` (growth rates: ``100·cagr(x, x0, k) = −100 + 100·(x/x0)^{1/k}``);
- :func:`items_of`: every (item, year reference) a part of a formula names;
- :func:`evaluate`: the value of a part of a formula, by the language's own compiler.
"""

from __future__ import annotations

import ast
import copy
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ecopark.standard.expr import compile_node

#: How a year reference reads in a Chinese label: ``energy[B]`` is 规划基准年综合能耗总量.
REF_ZH = {"T": "", "B": "规划基准年", "T-3": "三年前", "T-1": "上年", "T-2": "两年前"}


class ShapeMismatch(Exception):
    """The formula (or a part of it) is not of the form asked for."""


def _ref(node: ast.Subscript) -> str:
    return ast.unparse(node.slice).replace(" ", "")


@dataclass(frozen=True)
class Atom:
    """One factor of a product: an item in a year reference, or a sum of items.

    Atoms are equal when their text is: the same item in the same year is one atom wherever it
    stands in the formula.

    Attributes
    ----------
    text : str
        As the standard writes it: ``energy``, ``value_added[T-3]``, ``a + b``.
    node : ast.expr
        The part of the formula's tree.
    """

    text: str
    node: ast.expr = field(compare=False, repr=False)

    @classmethod
    def of(cls, node: ast.expr) -> Atom:
        """The atom of a part of a formula."""
        return cls(re.sub(r"\[T - (\d)\]", r"[T-\1]", ast.unparse(node)), node)

    @property
    def item(self) -> str | None:
        """The item id when the atom is one item (``value_added[T-3]`` -> ``value_added``)."""
        if isinstance(self.node, ast.Name):
            return self.node.id
        if isinstance(self.node, ast.Subscript) and isinstance(self.node.value, ast.Name):
            return self.node.value.id
        return None

    def readable(self, names: Mapping[str, str]) -> str:
        """The atom with item ids replaced by their names: ``规划基准年综合能耗总量``, ``a × b``.

        Parameters
        ----------
        names : mapping
            Item id -> Chinese name.
        """
        node = self.node
        if isinstance(node, ast.Name) and node.id in names:
            return names[node.id]
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            ref = _ref(node)
            return REF_ZH.get(ref, ref) + names[node.value.id]

        class Names(ast.NodeTransformer):
            def visit_Subscript(self, nd: ast.Subscript) -> ast.expr:
                ref = _ref(nd)
                return ast.Name(id=REF_ZH.get(ref, ref) + names[nd.value.id])

            def visit_Name(self, nd: ast.Name) -> ast.expr:
                return ast.Name(id=names[nd.id]) if nd.id in names else nd

        return ast.unparse(Names().visit(copy.deepcopy(node))).replace(" * ", " × ")

    def value(self, values: Mapping[str, object], n: float) -> float:
        """The atom's value on raw items keyed ``"item@ref"``."""
        return evaluate(self.node, values, n)


def calls(node: ast.expr, name: str) -> bool:
    """Whether ``node`` is a call of the language's function ``name`` (``mean``, ``cagr``)."""
    return isinstance(node, ast.Call) and getattr(node.func, "id", "") == name


def is_quotient(node: ast.expr) -> bool:
    """Whether ``node`` is ``a / b``."""
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)


def constant(node: ast.expr, n: float) -> float | None:
    """The value of an item-free part of a formula (``n`` given), or None if it names items.

    Raises
    ------
    ShapeMismatch
        On a division by zero or an overflow among the constants.
    """
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.Name):
        return float(n) if node.id == "n" else None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        v = constant(node.operand, n)
        return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
    if isinstance(node, ast.BinOp):
        a, b = constant(node.left, n), constant(node.right, n)
        if a is None or b is None:
            return None
        try:
            if isinstance(node.op, ast.Add):
                return a + b
            if isinstance(node.op, ast.Sub):
                return a - b
            if isinstance(node.op, ast.Mult):
                return a * b
            if isinstance(node.op, ast.Div):
                return a / b
            if isinstance(node.op, ast.Pow):
                return a**b
        except (ZeroDivisionError, OverflowError) as exc:
            raise ShapeMismatch(str(exc)) from None
    return None


def product(node: ast.expr, n: float) -> tuple[float, dict[Atom, float]]:
    """``node`` as ``c · Π atom^p``: ``(c, {atom: p})``; a sum of items is one atom.

    ``100 * renewable_energy / energy`` -> ``(100, {renewable_energy: 1, energy: -1})``.

    Raises
    ------
    ShapeMismatch
        If ``node`` is not a product of powers (a constant added, an exponent naming items).
    """
    c = constant(node, n)
    if c is not None:
        return c, {}
    if isinstance(node, ast.Name | ast.Subscript):
        return 1.0, {Atom.of(node): 1.0}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        c, atoms = product(node.operand, n)
        return -c, atoms
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Mult | ast.Div):
            c1, a1 = product(node.left, n)
            c2, a2 = product(node.right, n)
            sign = 1.0 if isinstance(node.op, ast.Mult) else -1.0
            if sign < 0 and c2 == 0:
                raise ShapeMismatch("division by a zero constant")
            atoms = dict(a1)
            for k, p in a2.items():
                atoms[k] = atoms.get(k, 0.0) + sign * p
            return (c1 * c2 if sign > 0 else c1 / c2), {k: p for k, p in atoms.items() if p != 0}
        if isinstance(node.op, ast.Pow):
            e = constant(node.right, n)
            if e is None:
                raise ShapeMismatch("an exponent that depends on items")
            c, atoms = product(node.left, n)
            return c**e, {k: p * e for k, p in atoms.items()}
        if isinstance(node.op, ast.Add | ast.Sub):
            if constant(node.left, n) is not None or constant(node.right, n) is not None:
                raise ShapeMismatch("a constant added to a product is not a product")
            return 1.0, {Atom.of(node): 1.0}
    raise ShapeMismatch(f"'{ast.unparse(node)}' is not a product of powers")


def affine(node: ast.expr, n: float) -> tuple[float, float, dict[Atom, float]]:
    """``node`` as ``α + β · Π atom^p``: ``(α, β, {atom: p})``.

    ``100 * cagr(co2, co2[B], n)`` with ``n = 6`` -> ``(−100, 100, {co2: 1/6, co2[B]: −1/6})``.

    Raises
    ------
    ShapeMismatch
        If ``node`` is not of that form.
    """
    try:
        c, atoms = product(node, n)
        return 0.0, c, atoms
    except ShapeMismatch:
        pass
    if calls(node, "cagr"):
        if len(node.args) != 3:
            raise ShapeMismatch("cagr takes three arguments")
        k = constant(node.args[2], n)
        if k is None or k == 0:
            raise ShapeMismatch("cagr over an unknown or zero period")
        c1, a1 = product(node.args[0], n)
        c0, a0 = product(node.args[1], n)
        atoms = {key: p / k for key, p in a1.items()}
        for key, p in a0.items():
            atoms[key] = atoms.get(key, 0.0) - p / k
        return -1.0, (c1 / c0) ** (1.0 / k), {key: p for key, p in atoms.items() if p != 0}
    if isinstance(node, ast.BinOp):
        left, right = constant(node.left, n), constant(node.right, n)
        if isinstance(node.op, ast.Mult) and (left is not None or right is not None):
            k, other = (left, node.right) if left is not None else (right, node.left)
            a, b, atoms = affine(other, n)
            return k * a, k * b, atoms
        if isinstance(node.op, ast.Div) and right is not None and right != 0:
            a, b, atoms = affine(node.left, n)
            return a / right, b / right, atoms
        if isinstance(node.op, ast.Add | ast.Sub) and (left is not None or right is not None):
            sign = 1.0 if isinstance(node.op, ast.Add) else -1.0
            if left is not None:
                a, b, atoms = affine(node.right, n)
                return left + sign * a, sign * b, atoms
            a, b, atoms = affine(node.left, n)
            return a + sign * right, b, atoms
    raise ShapeMismatch(f"'{ast.unparse(node)}' is not affine in a product of powers")


def items_of(node: ast.expr) -> list[tuple[str, str]]:
    """Every (item, year reference) a part of a formula names, in order (``n`` excluded)."""
    out: list[tuple[str, str]] = []

    class Visit(ast.NodeVisitor):
        def visit_Subscript(self, nd: ast.Subscript) -> None:
            if isinstance(nd.value, ast.Name):
                out.append((nd.value.id, _ref(nd)))

        def visit_Call(self, nd: ast.Call) -> None:
            for arg in nd.args:
                self.visit(arg)

        def visit_Name(self, nd: ast.Name) -> None:
            if nd.id != "n":
                out.append((nd.id, "T"))

    Visit().visit(node)
    return list(dict.fromkeys(out))


@functools.lru_cache(maxsize=4096)
def _compiled(node: ast.expr):
    return compile_node(node)


def evaluate(node: ast.expr, values: Mapping[str, object], n: float) -> float:
    """The value of a part of a formula's tree on raw items keyed ``"item@ref"`` and ``n`` [years].

    Compiled once per part (:func:`ecopark.standard.expr.compile_node`).
    """
    return float(_compiled(node)(values, n))
