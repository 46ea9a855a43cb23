"""The GB/T 8170-2008 reference the exactness tests check ecopark against, written apart from it.

Fractions only: rounding to a number of decimals (an exact tie to even, or away from 0), the
number the comparison method puts against a limit, and whether it passes.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction


def round_fraction(x: Fraction, places: int, rule: str) -> Fraction:
    """``x`` rounded to ``places`` decimals; an exact tie goes to even (GB/T 8170) or away from 0."""
    scale = Fraction(10) ** places
    y = abs(x) * scale
    whole = y.numerator // y.denominator
    rest = y - whole
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and (rule == "half_up" or whole % 2 == 1)):
        whole += 1
    out = Fraction(whole) / scale
    return -out if x < 0 else out


def judged(x: Fraction, op: str, limit: str, rule: str, method: str) -> Fraction:
    """The number GB/T 8170's comparison method puts against ``limit`` (written as text)."""
    if method == "rounded_value":
        return round_fraction(x, max(0, -Decimal(limit).as_tuple().exponent), rule)
    return x


def ref_passes(x: Fraction, op: str, limit: str, rule: str, method: str) -> bool:
    """Whether ``x`` meets ``op limit`` (``<=`` or ``>=``) judged by ``method``."""
    v, lim = judged(x, op, limit, rule, method), Fraction(Decimal(limit))
    return v <= lim if op == "<=" else v >= lim
