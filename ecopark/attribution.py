"""Why an indicator changed between two years: LMDI-I attribution.

The logarithmic mean Divisia index (LMDI-I, Ang 2005, 2015) splits the change of an aggregate
``V = Σ_i Π_k x_{k,i}`` into one effect per factor ``k``:

- additive: ``ΔV_k = Σ_i L(V_i^T, V_i^0) · ln(x_{k,i}^T / x_{k,i}^0)``, ``Σ_k ΔV_k = V^T − V^0``;
- multiplicative: ``D_k = exp(ΔV_k / L(V^T, V^0))``, ``Π_k D_k = V^T / V^0``.

Both are exact (no residual). Zeros are handled by the analytical limits of Ang & Liu (2007),
never by replacing 0 with a small number; negative inputs are a data error for HJ 274 items and
raise :class:`ValueError`. Formulas and worked numbers: ``shared/notes/attribution-lmdi.md``.

On top of the general functions, :func:`attribute` explains every computable indicator of a park
between two years, reading each indicator's structure from the standard's own formula:

- **ratios and products** (HJ 274 nos. 1, 2, 4, 6, 7, 8, 11, 12, 14, 15, 16, 27, 28): the formula
  is ``k · Π g_j^{p_j}``; each ``g_j`` (an item, or a sum such as 6's denominator) is one factor,
  named ``分子：…`` (p > 0) or ``分母：…`` (p < 0). This is LMDI-I with one sub-category.
- **growth rates and the CO₂-intensity reduction** (3, 9, 26): the formula is affine in a product
  of powers, ``α + β · Π g_j^{p_j}`` (``100·cagr(x, x0, k) = −100 + 100·(x/x0)^{1/k}``); the
  product is decomposed by LMDI-I and the effects scaled by β (log-linear attribution). When the
  exponents change between the years (``1/n``), the inputs are grouped per item so that the effects
  do not depend on the units.
- **means of terms** (25, 主要污染物排放弹性系数): each term's change divided by the number of
  terms is its additive contribution to the mean (each pollutant's elasticity / 4).
- **quotients of growth rates** (elasticities 10, 13): the two-factor Shapley/Sun split
  ``ΔE_N = ½ ΔN (1/D^0 + 1/D^T)``, ``ΔE_D = ½ Δ(1/D) (N^0 + N^T)``, exact and valid for negative
  growth rates.

Indicators defined by the change since the base year (10, 13, 25, 26) have no value in the base
year itself. When ``year_from`` is the base year, 25 and 26 are decomposed from the neutral
reference 0 (no change since the base year): 26's effects split its value by the log shares of
CO₂ and value added, 25's are each pollutant's elasticity / 4. 10 and 13 are skipped there (a
single quotient has nothing to split from a reference of 0); choose a later ``year_from``.

The multiplicative ``factor_ratio`` of every indicator row is ``exp(effect / L(to, from))``, so
factors multiply to ``to_value / from_value`` exactly; it is NaN, with a note, when either value is
0 or negative (a ratio of the two is then meaningless).
"""

from __future__ import annotations

import ast
import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ecopark.engine import context, evaluate
from ecopark.io.park import Park
from ecopark.standard.expr import compile_formula
from ecopark.standard.model import Indicator, Standard

#: Pseudo-factor for a sub-category whose change cannot be split between factors because several
#: factors are zero at once (a new or a closed sector): Ang & Liu (2007).
NEW_ACTIVITY = "新增/退出活动 (new/removed activity)"

#: Columns of :func:`attribute` and ``ecopark attribute``.
ATTRIBUTION_COLUMNS = [
    "number",
    "indicator",
    "from_value",
    "to_value",
    "factor",
    "effect",
    "factor_ratio",
]

NOTE_UNDEFINED_RATIO = (
    "乘法分解无定义：起止值含 0 或负值 (multiplicative form undefined: a value is 0 or negative)"
)


# --------------------------------------------------------------------------------------------
# The logarithmic mean and the general LMDI-I


def logmean(a: float | np.ndarray, b: float | np.ndarray) -> float | np.ndarray:
    """Logarithmic mean ``L(a, b) = (a − b) / (ln a − ln b)``, with its analytical limits.

    Parameters
    ----------
    a, b : float or array_like
        Non-negative values (broadcast together) [any unit, the same for both].

    Returns
    -------
    float or numpy.ndarray
        ``L(a, b)`` [the unit of a]; ``L(a, a) = a``, ``L(a, 0) = L(0, b) = L(0, 0) = 0``.
        A float when both inputs are scalars.

    Raises
    ------
    ValueError
        If any input is negative or NaN: LMDI is undefined there, and for HJ 274 amounts (energy,
        waste, water, value added) a negative value is a data error.

    Notes
    -----
    When ``a`` and ``b`` are close the plain formula loses digits (``ln a − ln b`` cancels);
    ``log1p((a − b) / b)`` keeps machine precision there.
    """
    scalar = np.ndim(a) == 0 and np.ndim(b) == 0
    x, y = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    if np.isnan(x).any() or np.isnan(y).any():
        raise ValueError("NaN input: the logarithmic mean is undefined (missing data?)")
    if (x < 0).any() or (y < 0).any():
        raise ValueError("negative input: LMDI is undefined for negative values (data error)")
    out = np.zeros(x.shape)
    same = (x > 0) & (x == y)
    diff = (x > 0) & (y > 0) & (x != y)
    xd, yd = x[diff], y[diff]
    lg = np.log(xd) - np.log(yd)
    near = np.abs(xd - yd) < 0.5 * yd
    lg[near] = np.log1p((xd[near] - yd[near]) / yd[near])
    out[same] = x[same]
    out[diff] = (xd - yd) / lg
    return float(out) if scalar else out


def _two_periods(frame: pd.DataFrame, period: str, start, end) -> tuple[object, object]:
    if start is not None and end is not None:
        return start, end
    labels = sorted(frame[period].unique())
    if len(labels) != 2:
        raise ValueError(
            f"expected exactly two periods in column '{period}', found {labels}; "
            "give start= and end="
        )
    return labels[0], labels[1]


def _matrices(frame: pd.DataFrame, by: str, period: str, factor: str, value: str, start, end):
    start, end = _two_periods(frame, period, start, end)
    sub = frame[frame[period].isin([start, end])]
    if sub.duplicated([by, factor, period]).any():
        raise ValueError(f"a ({by}, {factor}, {period}) combination appears twice")
    factors = list(dict.fromkeys(sub[factor]))
    groups = list(dict.fromkeys(sub[by]))
    wide = sub.set_index([by, factor, period])[value].astype(float).unstack(period)
    full = pd.MultiIndex.from_product([groups, factors], names=[by, factor])
    wide = wide.reindex(full)
    for label in (start, end):
        if label not in wide.columns or wide[label].isna().any():
            missing = wide.index[wide.get(label, pd.Series(np.nan, index=wide.index)).isna()]
            raise ValueError(
                f"every {by} needs every factor in both periods; missing in "
                f"{label}: {list(missing)[:5]}"
            )
    x0 = wide[start].to_numpy().reshape(len(groups), len(factors))
    x1 = wide[end].to_numpy().reshape(len(groups), len(factors))
    if (x0 < 0).any() or (x1 < 0).any():
        raise ValueError(
            "negative factor value: LMDI is undefined for negative values (data error)"
        )
    if not (np.isfinite(x0).all() and np.isfinite(x1).all()):
        raise ValueError("non-finite factor value: LMDI needs finite values")
    return groups, factors, x0, x1


def _terms(x0: np.ndarray, x1: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per sub-category additive effects (rows i, columns k), new-activity effects, V^0_i, V^T_i."""
    v0 = np.prod(x0, axis=1)
    v1 = np.prod(x1, axis=1)
    w = np.atleast_1d(logmean(v1, v0))
    effects = np.zeros(x0.shape)
    new = np.zeros(len(v0))
    both = (v0 > 0) & (v1 > 0)
    if both.any():
        effects[both] = w[both, None] * np.log(x1[both] / x0[both])
    for i in np.flatnonzero(~both):
        if v0[i] == 0 and v1[i] > 0:  # factor(s) zero at the start
            zeros = np.flatnonzero(x0[i] == 0)
            if len(zeros) == 1:
                effects[i, zeros[0]] = v1[i]
            else:
                new[i] = v1[i]
        elif v1[i] == 0 and v0[i] > 0:  # factor(s) zero at the end
            zeros = np.flatnonzero(x1[i] == 0)
            if len(zeros) == 1:
                effects[i, zeros[0]] = -v0[i]
            else:
                new[i] = -v0[i]
        # both zero: every effect 0
    return effects, new, v0, v1


def lmdi_terms(
    frame: pd.DataFrame,
    *,
    by: str = "i",
    period: str = "period",
    factor: str = "factor",
    value: str = "value",
    start: object = None,
    end: object = None,
) -> pd.DataFrame:
    """Additive LMDI-I effects of every factor in every sub-category.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long frame with one row per sub-category (column ``by``), period and factor, and the
        factor's value (non-negative). Every sub-category must have every factor in both periods;
        the product of its factors is its contribution ``V_i`` to the aggregate ``V = Σ_i V_i``.
    by, period, factor, value : str
        Column names.
    start, end : optional
        The two period labels; default the two labels of ``period`` in sorted order.

    Returns
    -------
    pandas.DataFrame
        Columns ``by``, ``factor`` and ``effect`` [unit of V]: ``L(V_i^T, V_i^0)·ln(x^T/x^0)`` with
        the analytical zero limits. A sub-category whose change cannot be split (several factors
        zero at once) gets one row with factor :data:`NEW_ACTIVITY`.

    Raises
    ------
    ValueError
        On negative, NaN or missing values.
    """
    groups, factors, x0, x1 = _matrices(frame, by, period, factor, value, start, end)
    effects, new, _, _ = _terms(x0, x1)
    out = pd.DataFrame(
        {
            by: np.repeat(groups, len(factors)),
            factor: np.tile(factors, len(groups)),
            "effect": effects.ravel(),
        }
    )
    if (new != 0).any():
        extra = pd.DataFrame(
            {
                by: [g for g, e in zip(groups, new, strict=True) if e != 0],
                factor: NEW_ACTIVITY,
                "effect": new[new != 0],
            }
        )
        out = pd.concat([out, extra], ignore_index=True)
    return out


def _totals(effects: pd.Series, v0: float, v1: float) -> pd.DataFrame:
    out = pd.DataFrame({"factor": effects.index, "effect": effects.to_numpy(dtype=float)})
    if v0 > 0 and v1 > 0:
        out["factor_ratio"] = np.exp(out["effect"] / logmean(v1, v0))
        out["note"] = ""
    else:
        out["factor_ratio"] = np.nan
        out["note"] = f"乘法分解无定义：总量为 0（V0={v0:g}, VT={v1:g}），见加法分解"
    return out


def lmdi(
    frame: pd.DataFrame,
    *,
    by: str = "i",
    period: str = "period",
    factor: str = "factor",
    value: str = "value",
    start: object = None,
    end: object = None,
) -> pd.DataFrame:
    """Additive and multiplicative LMDI-I of ``V = Σ_i Π_k x_{k,i}`` between two periods.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long frame ``(by, period, factor, value)``; see :func:`lmdi_terms`.
    by, period, factor, value : str
        Column names.
    start, end : optional
        Period labels (default: the two labels in sorted order).

    Returns
    -------
    pandas.DataFrame
        One row per factor (in order of first appearance, then :data:`NEW_ACTIVITY` if used):
        ``factor``; ``effect`` [unit of V], additive, summing to ``V^T − V^0``; ``factor_ratio``
        [-], multiplicative, multiplying to ``V^T / V^0`` (NaN when ``V^0`` or ``V^T`` is 0);
        ``note`` (why ``factor_ratio`` is NaN, else empty). ``attrs`` holds ``V0`` and ``VT``.

    Notes
    -----
    ``factor_ratio = exp(effect / L(V^T, V^0))`` — the LMDI-I multiplicative formula, so the link
    ``ΔV_k = L(V^T, V^0) · ln D_k`` holds by construction.
    """
    groups, factors, x0, x1 = _matrices(frame, by, period, factor, value, start, end)
    effects, new, v0, v1 = _terms(x0, x1)
    totals = pd.Series(effects.sum(axis=0), index=factors)
    if (new != 0).any():
        totals[NEW_ACTIVITY] = new.sum()
    out = _totals(totals, float(v0.sum()), float(v1.sum()))
    out.attrs.update(V0=float(v0.sum()), VT=float(v1.sum()))
    return out


def lmdi_additive(frame: pd.DataFrame, **columns) -> pd.Series:
    """Additive LMDI-I effects [unit of V] by factor; they sum to ``V^T − V^0``. See :func:`lmdi`."""
    res = lmdi(frame, **columns)
    return pd.Series(res["effect"].to_numpy(), index=res["factor"], name="effect")


def lmdi_multiplicative(frame: pd.DataFrame, **columns) -> pd.Series:
    """Multiplicative LMDI-I factors [-] by factor; they multiply to ``V^T / V^0``. See :func:`lmdi`.

    NaN when the aggregate is 0 in either period (the ratio is then 0 or infinite).
    """
    res = lmdi(frame, **columns)
    return pd.Series(res["factor_ratio"].to_numpy(), index=res["factor"], name="factor_ratio")


def lmdi_chained(
    frame: pd.DataFrame,
    *,
    by: str = "i",
    period: str = "period",
    factor: str = "factor",
    value: str = "value",
) -> pd.DataFrame:
    """LMDI-I chained year on year over every period of ``frame`` (Ang 2015).

    Parameters
    ----------
    frame : pandas.DataFrame
        Long frame ``(by, period, factor, value)`` with two or more periods.

    Returns
    -------
    pandas.DataFrame
        One row per step and factor: ``from``, ``to``, ``factor``, ``effect``, ``factor_ratio``,
        ``note``. Sum ``effect`` and multiply ``factor_ratio`` over the steps (:func:`chain_total`)
        for the whole period.
    """
    labels = sorted(frame[period].unique())
    steps = []
    for a, b in zip(labels[:-1], labels[1:], strict=True):
        res = lmdi(frame, by=by, period=period, factor=factor, value=value, start=a, end=b)
        res.insert(0, "to", b)
        res.insert(0, "from", a)
        steps.append(res)
    return pd.concat(steps, ignore_index=True)


def chain_total(steps: pd.DataFrame, keys: Sequence[str] = ("factor",)) -> pd.DataFrame:
    """Add the additive effects and multiply the multiplicative factors of chained steps.

    Parameters
    ----------
    steps : pandas.DataFrame
        From :func:`lmdi_chained` or :func:`attribute_chained` (columns ``effect`` and
        ``factor_ratio`` plus ``keys``).
    keys : sequence of str
        The columns identifying a factor (``("number", "indicator", "factor")`` for indicators).

    Returns
    -------
    pandas.DataFrame
        ``keys``, ``effect`` (sum over steps) and ``factor_ratio`` (product; NaN if any step's is).
    """
    keys = list(keys)
    grouped = steps.groupby(keys, sort=False)
    eff = grouped["effect"].sum()
    ratio = grouped["factor_ratio"].apply(lambda s: float(np.prod(s.to_numpy())))
    return pd.DataFrame({"effect": eff, "factor_ratio": ratio}).reset_index()


def ratio_decomposition(
    N0: float,
    NT: float,
    D0: float,
    DT: float,
    *,
    scale: float = 1.0,
    labels: tuple[str, str] = ("numerator", "denominator"),
) -> pd.DataFrame:
    """Numerator effect against denominator effect of a ratio ``R = scale · N / D``.

    The two factors are ``N`` and ``1/D`` (LMDI-I with one sub-category)::

        ΔR_N = L(R^T, R^0) · ln(N^T / N^0)      ΔR_D = −L(R^T, R^0) · ln(D^T / D^0)
        D_N = N^T / N^0                         D_D = D^0 / D^T

    Parameters
    ----------
    N0, NT : float
        Numerator at the start and the end (non-negative) [any unit].
    D0, DT : float
        Denominator at the start and the end (positive) [any unit].
    scale : float
        Constant factor (100 for a percentage, 10⁴ for HJ 274 no. 14).
    labels : (str, str)
        Names of the two factors in the result.

    Returns
    -------
    pandas.DataFrame
        Two rows (numerator, denominator): ``factor``; ``effect`` [unit of R], summing to
        ``R^T − R^0``; ``factor_ratio`` [-], multiplying to ``R^T / R^0`` (NaN with a ``note`` when
        ``R^0`` or ``R^T`` is 0); ``log_share`` [-], the share of ``ln(R^T / R^0)`` due to the
        factor (NaN when R does not change or a value is 0). ``attrs`` holds ``R0`` and ``RT``.

    Raises
    ------
    ValueError
        If a denominator is 0 (the ratio is undefined) or any input is negative.

    Examples
    --------
    Nantong ETDZ CO₂ per value added, 2015 → 2021 [t/万元]: numerator (CO₂) −0.0901,
    denominator (value added) −0.3397.

    >>> r = ratio_decomposition(3488381.6, 3131579, 3266100, 4906200)
    >>> [round(x, 4) for x in r["effect"]]
    [-0.0901, -0.3397]
    """
    if D0 == 0 or DT == 0:
        raise ValueError("the denominator is 0, so the ratio is undefined")
    if min(N0, NT, D0, DT) < 0 or scale <= 0:
        raise ValueError("negative input: LMDI is undefined for negative values (data error)")
    frame = pd.DataFrame(
        {
            "i": 0,
            "period": [0, 1, 0, 1],
            "factor": [labels[0], labels[0], labels[1], labels[1]],
            "value": [scale * N0, scale * NT, 1.0 / D0, 1.0 / DT],
        }
    )
    out = lmdi(frame)
    r0, rt = out.attrs["V0"], out.attrs["VT"]
    if r0 > 0 and rt > 0 and r0 != rt:
        out["log_share"] = np.log(out["factor_ratio"]) / math.log(rt / r0)
    else:
        out["log_share"] = np.nan
    out.attrs.update(R0=r0, RT=rt)
    return out


# --------------------------------------------------------------------------------------------
# Reading an indicator's structure from its formula


class _Unsupported(Exception):
    """The formula is not of the form being tried."""


def _const(node: ast.expr, n: float) -> float | None:
    """The value of an item-free sub-expression, or None if it names items."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.Name):
        return float(n) if node.id == "n" else None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        v = _const(node.operand, n)
        return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
    if isinstance(node, ast.BinOp):
        a, b = _const(node.left, n), _const(node.right, n)
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
            raise _Unsupported(str(exc)) from None
    return None


class _Shape:
    """A parsed formula with helpers inlined."""

    def __init__(self, source: str, helpers: Mapping[str, str]):
        self.helpers = {k: ast.parse(v, mode="eval").body for k, v in helpers.items()}
        self.tree = self._inline(ast.parse(source.strip(), mode="eval").body)

    def _inline(self, node: ast.expr) -> ast.expr:
        helpers = self.helpers

        class Inline(ast.NodeTransformer):
            def visit_Name(self, nd: ast.Name) -> ast.expr:
                if nd.id in helpers:
                    return self.visit(ast.parse(ast.unparse(helpers[nd.id]), mode="eval").body)
                return nd

        return Inline().visit(ast.parse(ast.unparse(node), mode="eval").body)


def _product(node: ast.expr, n: float) -> tuple[float, dict[str, float]]:
    """``node`` as ``c · Π atom^p``: (c, {atom source: p}). Sums of items are atoms."""
    c = _const(node, n)
    if c is not None:
        return c, {}
    if isinstance(node, ast.Name | ast.Subscript):
        return 1.0, {ast.unparse(node): 1.0}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        c, atoms = _product(node.operand, n)
        return -c, atoms
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Mult | ast.Div):
            c1, a1 = _product(node.left, n)
            c2, a2 = _product(node.right, n)
            sign = 1.0 if isinstance(node.op, ast.Mult) else -1.0
            if sign < 0 and c2 == 0:
                raise _Unsupported("division by a zero constant")
            atoms = dict(a1)
            for k, p in a2.items():
                atoms[k] = atoms.get(k, 0.0) + sign * p
            return (c1 * c2 if sign > 0 else c1 / c2), {k: p for k, p in atoms.items() if p != 0}
        if isinstance(node.op, ast.Pow):
            e = _const(node.right, n)
            if e is None:
                raise _Unsupported("an exponent that depends on items")
            c, atoms = _product(node.left, n)
            return c**e, {k: p * e for k, p in atoms.items()}
        if isinstance(node.op, ast.Add | ast.Sub):
            if _const(node.left, n) is not None or _const(node.right, n) is not None:
                raise _Unsupported("a constant added to a product is not a product")
            return 1.0, {ast.unparse(node): 1.0}
    raise _Unsupported(f"'{ast.unparse(node)}' is not a product of powers")


def _affine(node: ast.expr, n: float) -> tuple[float, float, dict[str, float]]:
    """``node`` as ``α + β · Π atom^p``: (α, β, {atom: p})."""
    try:
        c, atoms = _product(node, n)
        return 0.0, c, atoms
    except _Unsupported:
        pass
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "cagr":
        if len(node.args) != 3:
            raise _Unsupported("cagr takes three arguments")
        k = _const(node.args[2], n)
        if k is None or k == 0:
            raise _Unsupported("cagr over an unknown or zero period")
        c1, a1 = _product(node.args[0], n)
        c0, a0 = _product(node.args[1], n)
        atoms = {key: p / k for key, p in a1.items()}
        for key, p in a0.items():
            atoms[key] = atoms.get(key, 0.0) - p / k
        return -1.0, (c1 / c0) ** (1.0 / k), {key: p for key, p in atoms.items() if p != 0}
    if isinstance(node, ast.BinOp):
        left, right = _const(node.left, n), _const(node.right, n)
        if isinstance(node.op, ast.Mult) and (left is not None or right is not None):
            k, other = (left, node.right) if left is not None else (right, node.left)
            a, b, atoms = _affine(other, n)
            return k * a, k * b, atoms
        if isinstance(node.op, ast.Div) and right is not None and right != 0:
            a, b, atoms = _affine(node.left, n)
            return a / right, b / right, atoms
        if isinstance(node.op, ast.Add | ast.Sub) and (left is not None or right is not None):
            sign = 1.0 if isinstance(node.op, ast.Add) else -1.0
            if left is not None:
                a, b, atoms = _affine(node.right, n)
                return left + sign * a, sign * b, atoms
            a, b, atoms = _affine(node.left, n)
            return a + sign * right, b, atoms
    raise _Unsupported(f"'{ast.unparse(node)}' is not affine in a product of powers")


def _items_of(node: ast.expr) -> list[tuple[str, str]]:
    """Every (item, ref) a sub-expression names, in order (``n`` and function names excluded)."""
    out: list[tuple[str, str]] = []

    class Visit(ast.NodeVisitor):
        def visit_Subscript(self, nd: ast.Subscript) -> None:
            if isinstance(nd.value, ast.Name):
                out.append((nd.value.id, ast.unparse(nd.slice).replace(" ", "")))

        def visit_Call(self, nd: ast.Call) -> None:
            for arg in nd.args:
                self.visit(arg)

        def visit_Name(self, nd: ast.Name) -> None:
            if nd.id != "n":
                out.append((nd.id, "T"))

    Visit().visit(node)
    return list(dict.fromkeys(out))


def _ref_text(source: str) -> str:
    """``value_added[T - 3]`` as the standard writes it: ``value_added[T-3]``."""
    return re.sub(r"\[T - (\d)\]", r"[T-\1]", source)


REF_ZH = {"T": "", "B": "规划基准年", "T-3": "三年前", "T-1": "上年", "T-2": "两年前"}


def _readable(source: str, standard: Standard) -> str:
    """An atom's source with item ids replaced by their Chinese names."""
    node = ast.parse(source, mode="eval").body
    if isinstance(node, ast.Name) and node.id in standard.items:
        return standard.items[node.id].name_zh
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        ref = ast.unparse(node.slice).replace(" ", "")
        return REF_ZH.get(ref, ref) + standard.items[node.value.id].name_zh

    class Names(ast.NodeTransformer):
        def visit_Subscript(self, nd: ast.Subscript) -> ast.expr:
            ref = ast.unparse(nd.slice).replace(" ", "")
            return ast.Name(id=REF_ZH.get(ref, ref) + standard.items[nd.value.id].name_zh)

        def visit_Name(self, nd: ast.Name) -> ast.expr:
            return ast.Name(id=standard.items[nd.id].name_zh) if nd.id in standard.items else nd

    text = ast.unparse(Names().visit(node))
    return text.replace(" * ", " × ")


# --------------------------------------------------------------------------------------------
# Attribution of a park's indicators


@functools.cache
def _compiled(source: str, standard_code: str):
    from ecopark.standard.model import load_standard

    std = load_standard(standard_code)
    helpers = {k: h.formula.source for k, h in std.helpers.items()}
    return compile_formula(source, set(std.items), helpers)


def _eval(source: str, standard: Standard, values: Mapping[str, object], n: float) -> float:
    return float(_compiled(source, standard.code)(values, n))


def _row(ind: Indicator, v0: float, v1: float, factor: str, effect: float, note: str = "") -> dict:
    return {
        "number": ind.number,
        "indicator": ind.name_zh,
        "from_value": v0,
        "to_value": v1,
        "factor": factor,
        "effect": effect,
        "factor_ratio": np.nan,
        "note": note,
    }


def _with_ratios(rows: list[dict]) -> list[dict]:
    """factor_ratio = exp(effect / L(to, from)) where both values are positive."""
    for r in rows:
        v0, v1 = r["from_value"], r["to_value"]
        if v0 > 0 and v1 > 0:
            r["factor_ratio"] = math.exp(r["effect"] / logmean(v1, v0))
        else:
            r["note"] = "；".join(x for x in (r["note"], NOTE_UNDEFINED_RATIO) if x)
    return rows


def _decompose_affine(ind, standard, tree, ctx0, n0, ctx1, n1, reference: bool, v0, v1):
    a1, b1, atoms1 = _affine(tree, n1)
    if reference:
        a0, b0, atoms0 = a1, b1, dict(atoms1)
    else:
        a0, b0, atoms0 = _affine(tree, n0)
    if not (math.isclose(a0, a1) and math.isclose(b0, b1)) or set(atoms0) != set(atoms1):
        raise _Unsupported("the formula's constants change between the two years")
    # At the neutral reference the exponents (1/n) are undefined: group per item there too.
    same_powers = not reference and all(math.isclose(atoms0[k], atoms1[k]) for k in atoms1)
    nodes = {k: ast.parse(k, mode="eval").body for k in atoms1}

    def group_of(atom: str) -> str:
        node = nodes[atom]
        if same_powers or not isinstance(node, ast.Name | ast.Subscript):
            return atom
        return node.id if isinstance(node, ast.Name) else node.value.id

    groups: dict[str, list[str]] = {}
    for atom in atoms1:
        groups.setdefault(group_of(atom), []).append(atom)
    rows = []
    frame = []
    for g, members in groups.items():
        x = []
        for ctx, n, atoms, is_ref in ((ctx0, n0, atoms0, reference), (ctx1, n1, atoms1, False)):
            if is_ref:
                x.append(1.0)
                continue
            prod = 1.0
            for m in members:
                val = _eval(m, standard, ctx, n)
                if val == 0 and atoms[m] < 0:
                    raise _Unsupported("a zero denominator")
                prod *= val ** atoms[m] if val != 0 else 0.0
            x.append(prod)
        frame += [(g, 0, x[0]), (g, 1, x[1])]
    lm = lmdi(pd.DataFrame(frame, columns=["factor", "period", "value"]).assign(i=0))
    f0 = a0 + b0 * lm.attrs["V0"]
    f1 = a1 + b1 * lm.attrs["VT"]
    if not (
        math.isclose(f1, v1, rel_tol=1e-9, abs_tol=1e-12)
        and (reference or math.isclose(f0, v0, rel_tol=1e-9, abs_tol=1e-12))
    ):
        raise _Unsupported("the parsed formula does not reproduce the engine's value")
    for g, eff in zip(lm["factor"], lm["effect"], strict=True):
        if g == NEW_ACTIVITY:
            label = NEW_ACTIVITY
        else:
            node = nodes.get(g)
            members = groups[g]
            tref = next((m for m in members if "[" not in m), members[0])
            sign = atoms1[tref]
            prefix = "分子：" if sign > 0 else "分母："
            readable = _readable(g, standard) if node is not None else standard.items[g].name_zh
            label = f"{prefix}{readable} ({_ref_text(g)})"
        rows.append(_row(ind, f0 if reference else v0, v1, label, b1 * eff))
    if reference:
        note = "起始年为规划基准年：以“较基准年无变化”（指标值 0）为参照，按对数份额分解"
        for r in rows:
            r["note"] = note
    return rows


def _term_label(
    node: ast.expr, others: list[ast.expr], standard: Standard, prefix: str = ""
) -> str:
    own = [i for i, _ in _items_of(node)]
    common = set(own)
    for o in others:
        common &= {i for i, _ in _items_of(o)}
    distinct = [i for i in dict.fromkeys(own) if i not in common] or list(dict.fromkeys(own))
    growth = isinstance(node, ast.Call) and getattr(node.func, "id", "") == "cagr"
    names = "、".join(standard.items[i].name_zh for i in distinct)
    return f"{prefix}{names}{'年均增长率' if growth else ''} ({', '.join(distinct)})"


def _decompose_mean(ind, standard, tree, ctx0, n0, ctx1, n1, reference: bool, v0, v1):
    terms = tree.args
    m = len(terms)
    rows = []
    total0 = total1 = 0.0
    for t in terms:
        src = ast.unparse(t)
        t1 = _eval(src, standard, ctx1, n1)
        t0 = 0.0 if reference else _eval(src, standard, ctx0, n0)
        total0 += t0 / m
        total1 += t1 / m
        label = _term_label(t, [o for o in terms if o is not t], standard)
        rows.append(_row(ind, 0.0 if reference else v0, v1, label, (t1 - t0) / m))
    if not math.isclose(total1, v1, rel_tol=1e-9, abs_tol=1e-12):
        raise _Unsupported("the parsed mean does not reproduce the engine's value")
    note = "各项贡献 = 该项变化 / 项数（第 25 项：各污染物弹性系数 / 4）"
    if reference:
        note += "；起始年为规划基准年：以 0 为参照，各项贡献即该项值 / 项数"
    for r in rows:
        r["note"] = note
    return rows


def _decompose_quotient(ind, standard, tree, ctx0, n0, ctx1, n1, reference: bool, v0, v1):
    if reference:
        raise _Unsupported(
            "弹性系数在规划基准年无定义，单个商无从以 0 为参照分解；请选择晚于基准年的起始年"
        )
    num, den = ast.unparse(tree.left), ast.unparse(tree.right)
    N0, N1 = _eval(num, standard, ctx0, n0), _eval(num, standard, ctx1, n1)
    D0, D1 = _eval(den, standard, ctx0, n0), _eval(den, standard, ctx1, n1)
    if D0 == 0 or D1 == 0:
        raise _Unsupported("a zero denominator")
    eff_n = 0.5 * (N1 - N0) * (1 / D0 + 1 / D1)
    eff_d = 0.5 * (1 / D1 - 1 / D0) * (N0 + N1)
    if not math.isclose(N1 / D1, v1, rel_tol=1e-9, abs_tol=1e-12):
        raise _Unsupported("the parsed quotient does not reproduce the engine's value")
    note = "两因素 Shapley 分解（分子、分母可为负的增长率）"
    return [
        _row(ind, v0, v1, _term_label(tree.left, [], standard, "分子："), eff_n, note),
        _row(ind, v0, v1, _term_label(tree.right, [], standard, "分母："), eff_d, note),
    ]


def attribute_indicator(
    ind: Indicator,
    standard: Standard,
    ctx0: Mapping[str, object],
    n0: float,
    ctx1: Mapping[str, object],
    n1: float,
    v0: float | None,
    v1: float,
) -> list[dict]:
    """Rows of :func:`attribute` for one indicator, from two contexts (``"item@ref"`` mappings).

    ``v0 is None`` asks for the neutral reference (the start year is the base year); see the
    module notes. Raises ``ValueError`` with the reason when the indicator cannot be decomposed.
    """
    reference = v0 is None
    shape = _Shape(ind.formula.source, {k: h.formula.source for k, h in standard.helpers.items()})
    tree = shape.tree
    try:
        try:
            rows = _decompose_affine(
                ind,
                standard,
                tree,
                ctx0,
                n0,
                ctx1,
                n1,
                reference,
                v0 if v0 is not None else 0.0,
                v1,
            )
        except _Unsupported as first:
            if isinstance(tree, ast.Call) and getattr(tree.func, "id", "") == "mean":
                rows = _decompose_mean(
                    ind,
                    standard,
                    tree,
                    ctx0,
                    n0,
                    ctx1,
                    n1,
                    reference,
                    v0 if v0 is not None else 0.0,
                    v1,
                )
            elif isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Div):
                rows = _decompose_quotient(
                    ind,
                    standard,
                    tree,
                    ctx0,
                    n0,
                    ctx1,
                    n1,
                    reference,
                    v0 if v0 is not None else 0.0,
                    v1,
                )
            else:
                raise ValueError(f"公式结构无法分解：{first}") from None
    except _Unsupported as exc:
        raise ValueError(str(exc)) from None
    return _with_ratios(rows)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=[*ATTRIBUTION_COLUMNS, "note"]).astype(
        {
            "number": int,
            "from_value": float,
            "to_value": float,
            "effect": float,
            "factor_ratio": float,
        }
    )


def attribute(
    park: Park,
    year_from: int | None = None,
    year_to: int | None = None,
    numbers: Iterable[int] | None = None,
) -> pd.DataFrame:
    """LMDI-I attribution of every indicator's change between two years.

    Parameters
    ----------
    park : Park
        From :func:`ecopark.load_park`.
    year_from : int, optional
        Start year (default: the park's base year, 规划基准年).
    year_to : int, optional
        End year (default: the latest year with a data file).
    numbers : iterable of int, optional
        Only these indicators (default: all).

    Returns
    -------
    pandas.DataFrame
        One row per indicator and factor, columns :data:`ATTRIBUTION_COLUMNS` plus ``note``:

        - ``number`` (HJ 274 indicator number) and ``indicator`` (its Chinese name);
        - ``from_value``, ``to_value`` [the indicator's unit], unrounded;
        - ``factor``: readable Chinese label with the item id, e.g.
          ``分子：综合能耗总量 (energy)``;
        - ``effect`` [the indicator's unit]: additive; an indicator's effects sum to
          ``to_value − from_value`` exactly;
        - ``factor_ratio`` [-]: multiplicative; an indicator's factors multiply to
          ``to_value / from_value`` (NaN when either is 0 or negative);
        - ``note``: method remarks and why a ratio is NaN.

        ``attrs["skipped"]`` lists ``{"number", "indicator", "reason"}`` for every indicator
        left out (not computable in a year, reported directly, no decomposable structure).

    Examples
    --------
    Nantong ETDZ, 单位工业增加值综合能耗 (no. 11), 2015 → 2021 [吨标煤/万元]: energy −0.0053,
    value added −0.2032.
    """
    standard = park.standard
    base = park.config.base_year
    year_from = base if year_from is None else int(year_from)
    year_to = park.years[-1] if year_to is None else int(year_to)
    park.file_for(year_from), park.file_for(year_to)  # InputError naming the missing year file
    ctx0, ctx1 = context(park, year_from), context(park, year_to)
    n0, n1 = year_from - base, year_to - base
    wanted = None if numbers is None else set(numbers)
    rows: list[dict] = []
    skipped: list[dict] = []
    for ind in standard.indicators:
        if wanted is not None and ind.number not in wanted:
            continue

        def skip(reason: str, ind: Indicator = ind) -> None:
            skipped.append({"number": ind.number, "indicator": ind.name_zh, "reason": reason})

        if ind.reported:
            skip("直接填报的指标，没有可分解的输入")
            continue
        ev1 = evaluate(ind, standard, park.config, ctx1, year_to)
        if ev1.value is None:
            skip(f"{year_to} 年无法计算：{ev1.reason_zh}")
            continue
        ev0 = evaluate(ind, standard, park.config, ctx0, year_from)
        v0: float | None
        if ev0.value is not None:
            v0 = float(ev0.value)
        elif year_from == base and ind.formula.uses_n:
            v0 = None  # neutral reference: no change since the base year
        else:
            skip(f"{year_from} 年无法计算：{ev0.reason_zh}")
            continue
        try:
            rows += attribute_indicator(ind, standard, ctx0, n0, ctx1, n1, v0, float(ev1.value))
        except ValueError as exc:
            skip(str(exc))
    out = pd.DataFrame(rows) if rows else _empty()
    out = out[[*ATTRIBUTION_COLUMNS, "note"]].reset_index(drop=True)
    out.attrs.update(park=park.id, year_from=year_from, year_to=year_to, skipped=skipped)
    return out


def attribute_chained(
    park: Park,
    year_from: int | None = None,
    year_to: int | None = None,
    numbers: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Year-on-year attribution over every data year between ``year_from`` and ``year_to``.

    For each indicator the steps run between consecutive years in which it is computable (the
    start year may be the base year's neutral reference, as in :func:`attribute`).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`attribute` plus ``step_from`` and ``step_to`` (first). Sum
        ``effect`` and multiply ``factor_ratio`` per indicator and factor with
        ``chain_total(steps, ("number", "indicator", "factor"))`` for the whole period; the sum
        equals ``to_value − from_value`` of the whole period exactly.
    """
    base = park.config.base_year
    year_from = base if year_from is None else int(year_from)
    year_to = park.years[-1] if year_to is None else int(year_to)
    park.file_for(year_from), park.file_for(year_to)
    years = [y for y in park.years if year_from <= y <= year_to]
    if year_from not in years:
        years.insert(0, year_from)
    only = None if numbers is None else set(numbers)
    wanted = [
        i.number
        for i in park.standard.indicators
        if not i.reported and (only is None or i.number in only)
    ]
    computable: dict[int, list[int]] = {k: [] for k in wanted}
    for y in years:
        ctx = context(park, y)
        for number in wanted:
            ind = park.standard.indicator(number)
            ok = evaluate(ind, park.standard, park.config, ctx, y).value is not None
            if ok or (y == year_from == base and ind.formula.uses_n):
                computable[number].append(y)
    steps = []
    skipped = []
    for number, ys in computable.items():
        if len(ys) < 2 or ys[0] != year_from or ys[-1] != year_to:
            ind = park.standard.indicator(number)
            skipped.append(
                {
                    "number": number,
                    "indicator": ind.name_zh,
                    "reason": f"{year_from} 或 {year_to} 年无法计算",
                }
            )
            continue
        for a, b in zip(ys[:-1], ys[1:], strict=True):
            res = attribute(park, a, b, numbers=[number])
            if res.empty:
                skipped.extend(res.attrs["skipped"])
                continue
            res.insert(0, "step_to", b)
            res.insert(0, "step_from", a)
            steps.append(res)
    out = pd.concat(steps, ignore_index=True) if steps else _empty()
    out.attrs.update(park=park.id, year_from=year_from, year_to=year_to, skipped=skipped)
    return out


def attribute_ratio(
    park: Park,
    numerator: str,
    denominator: str,
    year_from: int | None = None,
    year_to: int | None = None,
    *,
    scale: float = 1.0,
) -> pd.DataFrame:
    """Numerator against denominator effect of any ratio of two raw items between two years.

    For ratios that are not an indicator themselves, e.g. CO₂ per value added behind HJ 274
    no. 26 (单位工业增加值二氧化碳排放量年均削减率).

    Parameters
    ----------
    park : Park
        The park.
    numerator, denominator : str
        Item ids (``"co2"``, ``"value_added"``).
    year_from, year_to : int, optional
        Default: the base year and the latest year.
    scale : float
        Constant factor of the ratio.

    Returns
    -------
    pandas.DataFrame
        Columns ``from_value``, ``to_value`` [item units, numerator/denominator], ``factor``
        (``分子：<name> (<id>)``, ``分母：…``), ``effect``, ``factor_ratio``, ``log_share``, ``note``.

    Raises
    ------
    InputError
        If either year has no data file.
    KeyError
        If an item is missing in either year.
    ValueError
        If a denominator is 0.
    """
    base = park.config.base_year
    year_from = base if year_from is None else int(year_from)
    year_to = park.years[-1] if year_to is None else int(year_to)
    park.file_for(year_from), park.file_for(year_to)
    v0, v1 = park.values(year_from), park.values(year_to)
    for item in (numerator, denominator):
        for y, v in ((year_from, v0), (year_to, v1)):
            if item not in v:
                raise KeyError(f"{item} is missing in {y}")
    items = park.standard.items
    labels = (
        f"分子：{items[numerator].name_zh} ({numerator})",
        f"分母：{items[denominator].name_zh} ({denominator})",
    )
    res = ratio_decomposition(
        float(v0[numerator]),
        float(v1[numerator]),
        float(v0[denominator]),
        float(v1[denominator]),
        scale=scale,
        labels=labels,
    )
    res.insert(0, "to_value", res.attrs["RT"])
    res.insert(0, "from_value", res.attrs["R0"])
    return res
