"""What it would take: the value of one raw item that brings an indicator to its requirement.

For each failing or at-risk indicator of a park-year and each raw item it reads in the evaluation
year (references ``T`` in :attr:`ecopark.standard.model.Indicator.inputs`), the value of that item
alone, every other item unchanged, at which the indicator meets its requirement, or, for an
at-risk indicator, the last value before it stops meeting it (the break-even point). The answer
is tight against the table's own rule, whatever the rule is:

1. **The engine is the oracle.** Whether a value passes is decided by the engine itself
   (:func:`ecopark.engine.evaluate` and :func:`ecopark.engine.meets`, as
   :func:`ecopark.engine.assess_values` judges a row, on the park-year with the one key
   ``"item@T"`` replaced),
   so the rounding rule and the comparison method the engine applies (GB/T 8170 全数值比较法 or
   修约值比较法) are the ones the answer meets. Nothing is inverted by hand.
2. **Exact where the formula is rational in the item.** Ratios, shares and sums (and a growth
   rate over one year) are rebuilt from the compiled formula's tree
   (:attr:`ecopark.standard.expr.Compiled.tree`) as a quotient of polynomials with
   :class:`fractions.Fraction` coefficients, and ``f(x) = limit`` is solved exactly: the boundary
   under 全数值比较法, and a seed of the search under any rule.
3. **Scan, then bisect on the item's grid.** From the current value outward (factors up to ×10⁹
   and down to 0, the exact roots among them) the first value the engine judges differently from
   today's brackets the boundary, which is bisected on multiples of the item's reported precision:
   the decimals of the value as given in the catalogue unit (:func:`reported_decimals`), whole
   units for a count, and finer where one step would be more than 0.5 % of the answer.
4. **Verified.** The answer passes, and moving it 0.5 % the wrong way (at least one unit for a
   count) fails — both asked of the engine.
5. **Possible values only.** An item stays non-negative, a percentage at most 100 and a part at
   most its whole (``part_of`` in ``items.csv``: renewable energy within total energy, utilised
   solid waste within waste generated plus stock); an indicator that would need more is reported
   unreachable, with the reason and, where the formula is rational, the value it would need.

An item that feeds several places of a formula in year T (value added in the ratio and in g_V)
is one key, so it changes everywhere at once. Nantong 2021, indicator 28 (单位工业增加值固废产生量,
≤0.1 吨/万元), under 全数值比较法: solid waste ≤ 490,620 t (−28.95 %) or value added ≥ 6,905,407
万元 (+40.75 %); under 修约值比较法 a value of 0.105 prints 0.10 (ties to even) and passes, so solid
waste ≤ 515,151 t. For an at-risk indicator the value is the break-even point: how far the item may
move before the indicator fails (Nantong 14: fresh water may rise 4.8 %, to 3,924.96 万立方米).
"""

from __future__ import annotations

import ast
import dataclasses
import heapq
import itertools
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from decimal import Context, Decimal
from fractions import Fraction

import pandas as pd

from ecopark.assessment import Assessment
from ecopark.engine import evaluate, meets, rules_of
from ecopark.frames import StatusFrame
from ecopark.gaps import gap_table
from ecopark.standard.expr import key
from ecopark.standard.model import Indicator, Item, Standard

#: Statuses the solver looks at.
SOLVED_STATUSES = ("fail", "at_risk")
#: A change of one raw item by more than this share of its value [%] is not a realistic action:
#: reports mark it 不现实 rather than offer it (:func:`realistic`).
REALISTIC_CHANGE_PCT = 50.0

#: How far the answer is moved the wrong way to check that it is tight [fraction of the answer].
WRONG_WAY = Fraction(5, 1000)

#: Significant digits an answer may carry (beyond them a float no longer holds it as written).
MAX_DIGITS = 15

#: Columns of :func:`what_it_would_take`, in order.
WHATIF_COLUMNS = [
    "number",
    "indicator",
    "status",
    "item",
    "item_zh",
    "item_unit",
    "item_value",
    "required_value",
    "required_change_pct",
    "reachable",
    "reason_zh",
    "reason_en",
]

#: Columns of ``ecopark gaps`` (:func:`gaps_report`), in order.
REPORT_COLUMNS = [
    "number",
    "indicator",
    "status",
    "value",
    "requirement",
    "margin_pct",
    "item",
    "item_value",
    "required_value",
    "required_change_pct",
    "item_zh",
    "item_unit",
    "note",
]


def _factors() -> tuple[list[Fraction], list[Fraction]]:
    """Expanding multipliers around the current value: up to ×10⁹ and down to 0."""
    up, f = [], Fraction(1)
    step = Fraction(1, 1000)
    while f < 10**9:
        f = 1 + step if not up else min(f * (1 + step), Fraction(10**9))
        up.append(f)
        step = min(step * Fraction(8, 5), Fraction(1))
    down = [1 / u for u in up] + [Fraction(0)]
    return up, down


UP_FACTORS, DOWN_FACTORS = _factors()
#: Absolute grid used when the current value is 0 (a factor cannot move it).
ZERO_GRID = [Fraction(10) ** k for k in range(-6, 13)]


@dataclass(frozen=True)
class ItemTarget:
    """What one raw item alone would have to be for one indicator to meet its requirement.

    Attributes
    ----------
    number : int
        HJ 274-2015 indicator number.
    indicator : str
        Its Chinese name as the standard prints it.
    status : str
        The indicator's status (``fail`` or ``at_risk``, see :mod:`ecopark.status`).
    item, item_zh, item_unit : str
        The raw item id, its Chinese name and catalogue unit (e.g. ``吨``, ``万元``).
    item_value : float or str
        Its current value in year T [item_unit].
    required_value : float or None
        To the item's reported precision [item_unit]: for a failing indicator the value nearest
        today's at which the engine passes it, for an at-risk one the last value before the
        engine fails it (the break-even point). None when there is none.
    required_change_pct : float or None
        ``(required_value − item_value) / item_value × 100`` [%]; None when either is missing or
        the current value is 0.
    reachable : bool
        Whether such a value exists among the item's possible values (non-negative, a percentage
        at most 100, a part at most its whole).
    reason_zh, reason_en : str
        Why not, when it does not (or a remark, e.g. a current value of 0).
    """

    number: str
    indicator: str
    status: str
    item: str
    item_zh: str
    item_unit: str
    item_value: float | str | None
    required_value: float | None
    required_change_pct: float | None
    reachable: bool
    reason_zh: str = ""
    reason_en: str = ""


# --------------------------------------------------------------------------------------------
# Exact numbers, the item's precision and its possible values


def _exact(value: object) -> Fraction:
    """A raw item or constant as the exact decimal it was written as (a float by its repr)."""
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


def reported_decimals(value: object, item: Item) -> int:
    """The decimals the item's value is given to, in its catalogue unit; 0 for a count.

    Parameters
    ----------
    value : float, Decimal, Fraction or int
        The item's value [the item's catalogue unit].
    item : Item
        The catalogue item.

    Returns
    -------
    int
        ``515150`` → 0, ``690540.672`` → 3, ``51.8`` → 1 (a float holds no trailing zeros, so
        ``515150.00`` counts as 0; a Decimal keeps them).
    """
    if item.kind == "count":
        return 0
    if isinstance(value, float):  # the repr as written, less the ".0" a float always shows
        value = Decimal(repr(value)).normalize()
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return max(0, -exponent) if isinstance(exponent, int) else 0
    q, d = Fraction(value), 0
    while (q * 10**d).denominator != 1 and d < MAX_DIGITS:
        d += 1
    return d


def _as_input(x: Fraction, like: object) -> object:
    """``x`` as the engine takes the item's values (the type of its current value)."""
    if isinstance(like, Fraction):
        return x
    if isinstance(like, Decimal):
        context = Context(prec=60)
        return context.divide(Decimal(x.numerator), Decimal(x.denominator))
    if isinstance(like, int) and not isinstance(like, bool) and x.denominator == 1:
        return int(x)
    return float(x)


@dataclass(frozen=True)
class _Bounds:
    """The item's possible values ``[lo, hi]`` [item unit] and why they end where they do."""

    lo: Fraction
    hi: Fraction | None
    lo_zh: str = "取值不能为负"
    lo_en: str = "a value cannot be negative"
    hi_zh: str = ""
    hi_en: str = ""

    def holds(self, x: Fraction) -> bool:
        return x >= self.lo and (self.hi is None or x <= self.hi)


def _bounds(item: Item, number: str, values: Mapping[str, object], standard: Standard) -> _Bounds:
    """Non-negative; a percentage at most 100; a part at most its wholes, a whole at least its parts.

    A part-of-whole bound is imposed only where it keeps indicator ``number`` itself possible
    (``part_of_indicators`` in items.csv: renewable energy within total energy for 12, not
    solid waste generated above its utilised part for 28), and not when the current value
    already breaks it (data the checks warn about).
    """

    def value(item_id: str) -> Fraction | None:
        v = values.get(key(item_id, "T"))
        if v is None or isinstance(v, str):
            return None
        return _exact(v)

    x0 = value(item.id)
    items = standard.items
    lo, hi = Fraction(0), None
    lo_zh, lo_en = _Bounds.lo_zh, _Bounds.lo_en
    hi_zh = hi_en = ""
    if item.dimension == "percent":
        hi, hi_zh, hi_en = Fraction(100), "百分比不能超过 100%", "a percentage cannot exceed 100 %"
    present = [(w, v) for w in item.part_of if (v := value(w)) is not None]
    if number in item.part_of_indicators and value(item.part_of[0]) is not None:
        whole = sum(v for _, v in present)
        if hi is None or whole < hi:
            names = "与".join(f"「{items[w].name_zh}」" for w, _ in present)
            hi = whole
            hi_zh = f"「{item.name_zh}」不能超过{names}{'之和' if len(present) > 1 else ''}"
            hi_en = f"{item.id} cannot exceed {' + '.join(w for w, _ in present)}"
    for part in items.values():
        if item.id not in part.part_of or number not in part.part_of_indicators:
            continue
        p = value(part.id)
        if p is None or (part.part_of[0] != item.id and value(part.part_of[0]) is None):
            continue  # the checks compare a part with its wholes only when the first is given
        others = sum(v for w in part.part_of if w != item.id and (v := value(w)) is not None)
        if p - others > lo:
            lo = p - others
            lo_zh = f"「{item.name_zh}」不能小于其中的「{part.name_zh}」"
            lo_en = f"{item.id} cannot be less than its part {part.id}"
    if x0 is not None and x0 < lo:
        lo, lo_zh, lo_en = Fraction(0), _Bounds.lo_zh, _Bounds.lo_en
    if x0 is not None and hi is not None and x0 > hi:
        hi, hi_zh, hi_en = None, "", ""
    return _Bounds(lo, hi, lo_zh, lo_en, hi_zh, hi_en)


# --------------------------------------------------------------------------------------------
# The formula as an exact rational function of one item

#: A polynomial in the item: its coefficients, the constant first.
Poly = tuple[Fraction, ...]


class _NotRational(Exception):
    """The formula is not a quotient of polynomials in the item (a root, a status, missing data)."""


def _trim(p: list[Fraction]) -> Poly:
    while len(p) > 1 and p[-1] == 0:
        p.pop()
    return tuple(p)


def _padd(a: Poly, b: Poly, sign: int = 1) -> Poly:
    n = max(len(a), len(b))
    return _trim(
        [(a[i] if i < len(a) else 0) + sign * (b[i] if i < len(b) else 0) for i in range(n)]
    )


def _pmul(a: Poly, b: Poly) -> Poly:
    out = [Fraction(0)] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        if x:
            for j, y in enumerate(b):
                out[i + j] += x * y
    return _trim(out)


def _peval(p: Poly, x: Fraction) -> Fraction:
    acc = Fraction(0)
    for c in reversed(p):
        acc = acc * x + c
    return acc


_ONE: Poly = (Fraction(1),)
_Rat = tuple[Poly, Poly]  # numerator, denominator


def _const(r: _Rat) -> Fraction | None:
    """The value of an item-free part, or None if it depends on the item."""
    num, den = r
    if len(num) == 1 and len(den) == 1:
        if den[0] == 0:
            raise _NotRational("a zero denominator")
        return num[0] / den[0]
    return None


def _power(r: _Rat, e: Fraction) -> _Rat:
    c = _const(r)
    if e.denominator != 1:
        if c is None or c < 0:
            raise _NotRational("a root of the item")
        return (Fraction(float(c) ** float(e)),), _ONE  # an item-free root: a seed, not exact
    num, den = (r[1], r[0]) if e < 0 else r
    out: _Rat = (_ONE, _ONE)
    for _ in range(abs(e.numerator)):
        out = (_pmul(out[0], num), _pmul(out[1], den))
    return out


def _rational(node: ast.expr, values: Mapping[str, object], x_key: str, n: int) -> _Rat:
    """``node`` (a formula's tree, helpers inlined) as ``P(x) / Q(x)`` in the item ``x_key``.

    Raises
    ------
    _NotRational
        If it is not one (a root of the item, a status word, a missing item).
    """

    def rec(nd: ast.expr) -> _Rat:
        if isinstance(nd, ast.Constant):
            return (_exact(nd.value),), _ONE
        if isinstance(nd, ast.Name | ast.Subscript):
            if isinstance(nd, ast.Name) and nd.id == "n":
                return (Fraction(n),), _ONE
            if isinstance(nd, ast.Name):
                k = key(nd.id, "T")
            else:
                k = key(nd.value.id, ast.unparse(nd.slice).replace(" ", ""))
            if k == x_key:
                return (Fraction(0), Fraction(1)), _ONE
            v = values.get(k)
            if v is None or isinstance(v, str):
                raise _NotRational(f"{k} is not a number")
            return (_exact(v),), _ONE
        if isinstance(nd, ast.UnaryOp):
            num, den = rec(nd.operand)
            return (_padd((Fraction(0),), num, -1) if isinstance(nd.op, ast.USub) else num), den
        if isinstance(nd, ast.BinOp):
            (a, b), (c, d) = rec(nd.left), rec(nd.right)
            if isinstance(nd.op, ast.Add | ast.Sub):
                sign = 1 if isinstance(nd.op, ast.Add) else -1
                if b == d:
                    return _padd(a, c, sign), b
                return _padd(_pmul(a, d), _pmul(c, b), sign), _pmul(b, d)
            if isinstance(nd.op, ast.Mult):
                return _pmul(a, c), _pmul(b, d)
            if isinstance(nd.op, ast.Div):
                return _pmul(a, d), _pmul(b, c)
            e = _const((c, d))
            if e is None:
                raise _NotRational("an exponent that depends on the item")
            return _power((a, b), e)
        if isinstance(nd, ast.Call) and getattr(nd.func, "id", "") == "mean":
            total: _Rat = ((Fraction(0),), _ONE)
            for arg in nd.args:
                (a, b), (c, d) = total, rec(arg)
                total = (_padd(_pmul(a, d), _pmul(c, b)), _pmul(b, d))
            return total[0], _pmul(total[1], (Fraction(len(nd.args)),))
        if isinstance(nd, ast.Call) and getattr(nd.func, "id", "") == "cagr":
            k = _const(rec(nd.args[2]))
            if k is None or k <= 0:
                raise _NotRational("cagr over a period that depends on the item")
            (a, b), (c, d) = rec(nd.args[0]), rec(nd.args[1])
            num, den = _power((_pmul(a, d), _pmul(b, c)), 1 / k)
            return _padd(num, den, -1), den
        raise _NotRational(f"'{ast.unparse(nd)}' is outside the rational forms")

    return rec(node)


def exact_roots(
    ind: Indicator, values: Mapping[str, object], item: str, n: int, limit: float | int
) -> list[Fraction] | None:
    """Where indicator ``ind`` equals ``limit`` as item ``item`` (year T) alone varies, exactly.

    Parameters
    ----------
    ind : Indicator
        The indicator.
    values : mapping
        Raw items keyed ``"item@ref"`` [catalogue units].
    item : str
        The item id (year T).
    n : int
        Years since the base year.
    limit : float or int
        The limit [the indicator's unit].

    Returns
    -------
    list of Fraction or None
        The real roots of ``P(x) − limit · Q(x)`` where ``Q(x) ≠ 0`` [item unit], ascending
        (exact for degree 1, the usual case; a quadratic's irrational roots to float precision);
        None when the formula is not rational in the item or of higher degree.
    """
    x_key = key(item, "T")
    try:
        num, den = _rational(ind.formula.tree, values, x_key, n)
    except (_NotRational, ZeroDivisionError, OverflowError, ValueError):
        return None
    lim = _exact(limit)
    p = _padd(num, tuple(lim * c for c in den), -1)
    if len(p) == 1:
        return []
    if len(p) == 2:
        roots = [-p[0] / p[1]]
    elif len(p) == 3:
        c, b, a = p
        disc = b * b - 4 * a * c
        if disc < 0:
            return []
        root = _sqrt(disc)
        roots = [(-b - root) / (2 * a), (-b + root) / (2 * a)]
    else:
        return None
    return sorted({r for r in roots if _peval(den, r) != 0})


def _sqrt(q: Fraction) -> Fraction:
    """``√q``, exact when ``q`` is the square of a fraction, else to float precision."""
    a, b = math.isqrt(q.numerator), math.isqrt(q.denominator)
    if a * a == q.numerator and b * b == q.denominator:
        return Fraction(a, b)
    return Fraction(math.sqrt(q))


# --------------------------------------------------------------------------------------------
# The search, judged by the engine


class _Judge:
    """The engine's decision on one indicator with one year-T item set to ``x`` (cached).

    The indicator is evaluated and judged as :func:`ecopark.engine.assess_values` evaluates and
    judges its row (:func:`ecopark.engine.evaluate`, :func:`ecopark.engine.meets`; the verdict,
    printed value and mark are not needed), on a copy of its standard holding this one indicator
    (a pass decision depends on nothing else), with no optional
    indicator selected under any standard, whichever form park.yaml's ``selected_optional``
    takes (the selection rules do not decide whether an indicator passes, and a rule naming an
    indicator the copy lacks must not be applied), on the park-year's exact values (a float
    candidate near the boundary could be judged otherwise).
    """

    def __init__(self, assessment: Assessment, ind: Indicator, name: str):
        self.config = dataclasses.replace(
            assessment.config, selected_optional=(), selected_by_standard={}
        )
        self.standard = dataclasses.replace(assessment.standard, indicators=(ind,))
        self.ind = ind
        self.rules = rules_of(self.standard, self.config)
        self.year = assessment.year
        # the exact values as written, so that each candidate is judged exactly, as the table is
        self.values = dict(assessment.exact_values or assessment.values)
        self.name = name
        self.like = self.values[name]
        # keyed by (numerator, denominator), the fraction in lowest terms: a Fraction's own hash
        # is a modular inverse of the denominator (the scan's factors have ~100 digits)
        self.seen: dict[tuple[int, int], bool] = {}

    def __call__(self, x: Fraction) -> bool:
        """Whether the engine passes the indicator with the item at ``x`` [item unit]."""
        k = (x.numerator, x.denominator)
        hit = self.seen.get(k)
        if hit is None:
            self.values[self.name] = _as_input(x, self.like)
            ev = evaluate(
                self.ind, self.standard, self.config, self.values, self.year, rules=self.rules
            )
            hit = self.seen[k] = meets(ev, self.rules) is True
        return hit


def _scan(x0: Fraction, bounds: _Bounds, up: bool, seeds: Iterable[Fraction]) -> Iterator[Fraction]:
    """Points from ``x0`` outward within the bounds, nearest first, each once: factors, seeds and
    the bound.

    Made as they are asked for (the search stops at the first point judged otherwise than
    today's value): the factors' grid is already in order (up: ``x0`` times factors above 1, or
    the absolute grid when ``x0 ≤ 0``; down: ``x0 > 0`` times factors below 1 — for ``x0 ≤ 0``
    none is below it), the few seeds are sorted and merged into it.
    """
    if up:
        end = bounds.hi

        def inside(p: Fraction) -> bool:
            return end is None or p < end

        grid: Iterable[Fraction] = (x0 * f for f in UP_FACTORS) if x0 > 0 else ZERO_GRID
        last = end if end is not None and end > x0 else None
        near = sorted(p for p in seeds if p > x0 and inside(p))
    else:

        def inside(p: Fraction) -> bool:
            return p > bounds.lo

        grid = (x0 * f for f in DOWN_FACTORS) if x0 > 0 else ()
        last = bounds.lo if bounds.lo < x0 else None
        near = sorted((p for p in seeds if bounds.lo < p < x0), reverse=True)
    prev = None
    for p in heapq.merge(itertools.takewhile(inside, grid), near, reverse=not up):
        if p != prev:
            yield p
        prev = p
    if last is not None:
        yield last


def _step(d: int) -> Fraction:
    return Fraction(1, 10**d)


def _bisect(
    judge: _Judge, inside: Fraction, outside: Fraction, d: int, bounds: _Bounds
) -> tuple[Fraction, Fraction] | None:
    """Adjacent grid points ``(a, b)`` between ``inside`` and ``outside``, judged like them.

    ``a`` is judged as ``inside`` and ``b`` as ``outside``, on multiples of ``10**-d``; None if no
    grid point within the bounds is judged as ``outside``.
    """
    s, want = _step(d), judge(inside)
    up = outside > inside
    ka = math.floor(inside / s) if up else math.ceil(inside / s)
    if judge(ka * s) != want:
        ka = math.ceil(inside / s) if up else math.floor(inside / s)
        if judge(ka * s) != want:
            return None
    kb = math.ceil(outside / s) if up else math.floor(outside / s)
    if not bounds.holds(kb * s) or judge(kb * s) == want:
        kb = math.floor(outside / s) if up else math.ceil(outside / s)
        if not bounds.holds(kb * s) or judge(kb * s) == want or kb == ka:
            return None
    while abs(kb - ka) > 1:
        mid = (ka + kb) // 2
        if judge(mid * s) == want:
            ka = mid
        else:
            kb = mid
    return ka * s, kb * s


def _finer(x: Fraction, d: int, count: bool) -> int:
    """Decimals so that one step is at most :data:`WRONG_WAY` of ``x`` (none finer for a count)."""
    if count or x == 0:
        return d
    cap = max(0, MAX_DIGITS - len(str(int(abs(x)))))
    while d < cap and _step(d) > WRONG_WAY * abs(x):
        d += 1
    return d


def wrong_way(value: Fraction, towards: Fraction, count: bool) -> Fraction:
    """``value`` moved 0.5 % towards ``towards`` (at least one whole unit for a count).

    Parameters
    ----------
    value : Fraction
        The answer [item unit].
    towards : Fraction
        A value on the failing side of it [item unit].
    count : bool
        Whether the item is a count (whole numbers).
    """
    sign = 1 if towards > value else -1
    delta = WRONG_WAY * abs(value)
    if count:
        delta = max(Fraction(math.ceil(delta)), Fraction(1))
    return value + sign * delta


@dataclass(frozen=True)
class _Found:
    """A tight answer: ``value`` passes, ``fails`` (the adjacent grid point) does not."""

    value: Fraction
    fails: Fraction
    tight: bool


def _direction(
    judge: _Judge,
    x0: Fraction,
    passing_now: bool,
    points: Iterable[Fraction],
    d: int,
    bounds: _Bounds,
    count: bool,
) -> _Found | None:
    """The boundary nearest ``x0`` along ``points``, tight and verified, or None."""
    prev = x0
    for p in points:
        if judge(p) != passing_now:
            break
        prev = p
    else:
        return None
    pair = _bisect(judge, prev, p, d, bounds)
    for _ in range(12):  # each round moves the answer nearer today's value
        if pair is None:
            return None
        a, b = pair
        fine = _finer(b if not passing_now else a, d, count)
        if fine != d:
            pair = _bisect(judge, a, b, fine, bounds) or pair
            a, b = pair
        value, fails = (b, a) if not passing_now else (a, b)
        w = wrong_way(value, fails, count)
        if value == 0 or not bounds.holds(w) or not judge(w):
            return _Found(value, fails, True)
        if passing_now:  # at risk: it fails at `fails` and passes again beyond
            return _Found(value, fails, False)
        pair = _bisect(judge, x0, w, max(d, fine), bounds)  # a nearer passing value
    return None


def _flat(ind: Indicator, assessment: Assessment, name: str, x0: Fraction) -> bool:
    """Whether the indicator does not move at all with the item (a share with a zero numerator)."""
    values = dict(assessment.values)
    like = values[name]
    seen = set()
    for f in (0, Fraction(1, 10), Fraction(1, 2), 2, 10, 1000) if x0 != 0 else (1, 1000, 10**6):
        values[name] = _as_input(x0 * f if x0 != 0 else Fraction(f), like)
        ev = evaluate(ind, assessment.standard, assessment.config, values, assessment.year)
        if ev.value is not None and not isinstance(ev.value, str):
            seen.add(round(float(ev.value), 12))
    return len(seen) <= 1


def _num(x: Fraction) -> str:
    return f"{float(x):,.6g}"


def solve_item(assessment: Assessment, number: str, item: str) -> ItemTarget:
    """The value of ``item`` (year T) alone at which indicator ``number`` meets its requirement.

    Parameters
    ----------
    assessment : Assessment
        From :func:`ecopark.assess`; its ``values`` are the raw items keyed ``"item@ref"``.
    number : int
        HJ 274-2015 indicator number.
    item : str
        A raw item id the indicator reads in the evaluation year (ref ``T``).

    Returns
    -------
    ItemTarget
        The required value [the item's catalogue unit] and change [%], or why there is none.

    Notes
    -----
    See the module notes: the engine judges every candidate, so the value is tight against the
    rule it applies; the value is a multiple of the item's reported precision, passes, and fails
    when moved 0.5 % the wrong way. Of the two directions the one nearer today's value (in
    ``|ln(x / x0)|``) is given.
    """
    std = assessment.standard
    ind = std.indicator(number)
    if (item, "T") not in ind.inputs:
        raise ValueError(f"indicator {number} does not read {item} in year T")
    res = assessment.result(number)
    status = res.status
    meta = std.items[item]
    name = key(item, "T")
    raw = assessment.values.get(name)
    base = dict(
        number=number,
        indicator=res.name_zh,
        status=status,
        item=item,
        item_zh=meta.name_zh,
        item_unit=meta.unit,
        item_value=raw,
    )

    def unreachable(zh: str, en: str) -> ItemTarget:
        return ItemTarget(
            **base,
            required_value=None,
            required_change_pct=None,
            reachable=False,
            reason_zh=zh,
            reason_en=en,
        )

    if (
        isinstance(raw, str)
        or isinstance(res.value, str)
        or (res.limit is not None and isinstance(res.limit.value, str))
    ):
        want = res.requirement
        return unreachable(
            f"状态类指标，无数值可求解：「{meta.name_zh}」须为「{want}」",
            f"a status, not a number: {item} must be '{want}'",
        )
    if raw is None or res.value is None or res.limit is None:
        return unreachable(res.reason_zh or "指标无法计算", res.reason_en or "not computable")
    x0 = _exact(raw)
    judge = _Judge(assessment, ind, name)
    passing_now = judge(x0)
    bounds = _bounds(meta, number, assessment.values, std)
    n = assessment.year - assessment.config.base_year
    roots = exact_roots(ind, assessment.values, item, n, res.limit.value) or []
    d = reported_decimals(raw, meta)
    count = meta.kind == "count"
    found = [
        f
        for up in (True, False)
        if (f := _direction(judge, x0, passing_now, _scan(x0, bounds, up, roots), d, bounds, count))
    ]
    if found:

        def distance(f: _Found) -> float:
            if x0 == 0:
                return float(f.value)
            return math.inf if f.value <= 0 else abs(math.log(f.value / x0))

        best = min(found, key=distance)
        note_zh = note_en = ""
        if x0 == 0:
            note_zh, note_en = "现值为 0，变化率无定义", "the current value is 0, so no change in %"
        if not best.tight:
            note_zh = "；".join(
                x for x in (note_zh, "再往同一方向变化时指标又会达标（指标随该项不单调）") if x
            )
            note_en = "; ".join(
                x for x in (note_en, "further on it passes again (not monotone in the item)") if x
            )
        return ItemTarget(
            **base,
            required_value=float(best.value),
            required_change_pct=float((best.value - x0) / x0 * 100) if x0 != 0 else None,
            reachable=True,
            reason_zh=note_zh,
            reason_en=note_en,
        )
    req = res.requirement
    if passing_now:
        return unreachable(
            f"仅「{meta.name_zh}」变化（取任何可能的值），指标 {number} 都不会失去达标（{req}）",
            f"no possible value of {item} alone makes indicator {number} fail ({req})",
        )
    if _flat(ind, assessment, name, x0):
        return unreachable(
            f"指标 {number} 的数值不随「{meta.name_zh}」变化，仅调整该项无法达到要求（{req}）",
            f"indicator {number} does not change with {item}, so it alone cannot meet {req}",
        )
    beyond = [r for r in roots if not bounds.holds(r)]
    if bounds.hi is not None and not beyond:
        first = next(
            (p for p in _scan(bounds.hi, _Bounds(bounds.hi, None), True, ()) if judge(p)), None
        )
        beyond = [] if first is None else [first]
    if beyond:
        need = min(beyond, key=lambda r: abs(r - x0))
        if need < 0:
            why_zh, why_en = "为负值", "negative"
        elif need < bounds.lo:
            why_zh, why_en = bounds.lo_zh, bounds.lo_en
        else:
            why_zh, why_en = bounds.hi_zh, bounds.hi_en
        return unreachable(
            f"「{meta.name_zh}」须为 {_num(need)} {meta.unit} 才能达到要求（{req}），"
            f"不可能：{why_zh}",
            f"{item} would have to be {_num(need)} {meta.unit} to meet {req}, which is "
            f"impossible: {why_en}",
        )
    return unreachable(
        f"「{meta.name_zh}」取任何可能的值，指标 {number} 都达不到要求（{req}）",
        f"no non-negative value of {item} alone makes indicator {number} meet {req}",
    )


def t_items(ind: Indicator) -> list[str]:
    """The raw items indicator ``ind`` reads in the evaluation year (ref ``T``), in formula order."""
    return [item for item, ref in ind.inputs if ref == "T"]


def what_it_would_take(
    assessment: Assessment, numbers: Iterable[str | int] | None = None
) -> pd.DataFrame:
    """Every failing or at-risk indicator against every year-T item it reads.

    Parameters
    ----------
    assessment : Assessment
        From :func:`ecopark.assess`.
    numbers : iterable of str, optional
        Only these indicators (default: every indicator whose status is ``fail`` or ``at_risk``).

    Returns
    -------
    StatusFrame
        A DataFrame coloured by status in JupyterLab (:class:`ecopark.frames.StatusFrame`).
        One row per (indicator, item), columns :data:`WHATIF_COLUMNS` (the fields of
        :class:`ItemTarget`): ``item_value`` and ``required_value`` [item_unit],
        ``required_change_pct`` [%], ``reachable`` (bool), ``reason_zh`` / ``reason_en``.
    """
    if numbers is None:
        numbers = _solved_numbers(gap_table(assessment))
    numbers = [str(n) for n in numbers]  # ids; an int is read as its digits
    rows = [
        asdict(solve_item(assessment, n, item))
        for n in numbers
        for item in t_items(assessment.standard.indicator(n))
    ]
    return StatusFrame(pd.DataFrame(rows, columns=WHATIF_COLUMNS))


def _solved_numbers(gaps: pd.DataFrame) -> list[str]:
    """The indicators of a gap table that what it would take solves (failing or at risk)."""
    return gaps.loc[gaps["status"].isin(SOLVED_STATUSES), "number"].tolist()


def gaps_report(assessment: Assessment) -> pd.DataFrame:
    """The table of ``ecopark gaps``: the gap table joined with what it would take.

    Parameters
    ----------
    assessment : Assessment
        From :func:`ecopark.assess`.

    Returns
    -------
    StatusFrame
        A DataFrame coloured by status in JupyterLab (:class:`ecopark.frames.StatusFrame`).
        Columns :data:`REPORT_COLUMNS`: one row per failing or at-risk indicator and year-T item;
        one row with empty item columns for every other indicator (passing or not computable).
        ``value`` is unrounded [the indicator's unit] (the word of a status indicator),
        ``margin_pct`` [% of the limit],
        ``item_value`` / ``required_value`` [item_unit], ``required_change_pct`` [%]; ``note``
        holds the reason when not computable or unreachable.
    """
    gaps = gap_table(assessment)
    solved = what_it_would_take(assessment, _solved_numbers(gaps))
    by_number: Mapping[int, pd.DataFrame] = (
        dict(tuple(solved.groupby("number"))) if len(solved) else {}
    )
    rows = []
    for g in gaps.itertuples(index=False):
        head = {
            "number": g.number,
            "indicator": g.indicator,
            "status": g.status,
            "value": g.display if pd.isna(g.value) and g.display else g.value,
            "requirement": g.requirement,
            "margin_pct": g.margin_pct,
        }
        sub = by_number.get(g.number)
        if sub is None or sub.empty:
            rows.append(
                {
                    **head,
                    "item": None,
                    "item_value": None,
                    "required_value": None,
                    "required_change_pct": None,
                    "item_zh": None,
                    "item_unit": None,
                    "note": g.reason_zh or None,
                }
            )
            continue
        for s in sub.itertuples(index=False):
            rows.append(
                {
                    **head,
                    "item": s.item,
                    "item_value": s.item_value,
                    "required_value": s.required_value,
                    "required_change_pct": s.required_change_pct,
                    "item_zh": s.item_zh,
                    "item_unit": s.item_unit,
                    "note": s.reason_zh or None,
                }
            )
    return StatusFrame(pd.DataFrame(rows, columns=REPORT_COLUMNS))


def realistic(change_pct: float | None, reachable: bool) -> bool | None:
    """Whether what one item would take is a realistic action.

    Parameters
    ----------
    change_pct : float or None
        ``required_change_pct`` of :func:`what_it_would_take` [%].
    reachable : bool
        Whether the value exists among the item's possible values.

    Returns
    -------
    bool or None
        False when unreachable or beyond ±:data:`REALISTIC_CHANGE_PCT`; True within it; None
        when the change has no percentage (a current value of 0, or no value).
    """
    if not reachable:
        return False
    if change_pct is None or math.isnan(change_pct):
        return None
    return abs(change_pct) <= REALISTIC_CHANGE_PCT
