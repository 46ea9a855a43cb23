"""Rounding, judging and marking a value by the declared rule (spec §2.10, GB/T 8170-2008).

The one place where a value becomes the digits a table prints and a pass or a fail. The rule in
force is a :class:`~ecopark.standard.model.Rules` (the standard's ``rules:``, a park's
``park.yaml`` ``rules:`` over it): by default GB/T 8170-2008, ties to even (四舍六入五成双) and
全数值比较法 (the exact value against the limit).

Every function takes the value exactly (:class:`~fractions.Fraction` or ``int``) or as a float,
read as its shortest repr (2.675 is 2.675). The engine hands a float over only when no rounding
tie, limit or zero lies near it (:func:`near_boundary`), so the float decides as the exact value
would.

- :func:`round_reported`: the printed number, 2 decimals (``rules.places``), or 2 significant
  digits (``rules.small_value_digits``) for a non-zero value that would print as 0
  (0.002624 → 0.0026); an exact 0 prints 0.00, never -0.00.
- :func:`passes`: the declared comparison; :func:`mark`: GB/T 8170's ``(+)``/``(−)`` on a printed
  value equal to the limit whose exact value differs from it (全数值比较法).
- :func:`exact_text`: an exact value as decimal digits (JSON ``value_exact``).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

from ecopark.standard.model import Limit, Rules

#: The rules when nothing else is declared (GB/T 8170-2008: half_even, full_value).
DEFAULT_RULES = Rules()

#: A float result within this fraction of its own size of a rounding tie, a limit or zero is
#: worked out exactly before it is printed or judged. The float evaluation is within 10⁻⁸ of
#: the exact value (relative; :data:`ecopark.standard.expr.CANCELLATION`), a 100× margin.
REL_TOL = 1e-6

#: Marks of GB/T 8170-2008 for a rounded value shown at the limit: the exact value is above
#: (``(+)``, rounded down) or below (``(−)``, rounded up) the printed one.
MARK_ABOVE, MARK_BELOW = "(+)", "(−)"

Number = Fraction | int | float


def _ratio(x: Number) -> tuple[int, int, int]:
    """``x`` as (sign, numerator, denominator) with a non-negative numerator; a float as its
    shortest repr (2.675 is 2.675, not the binary 2.67499…)."""
    if isinstance(x, float):
        if not math.isfinite(x):
            raise ValueError(f"{x!r} is not a finite number")
        n, d = Decimal(repr(float(x))).as_integer_ratio()
    elif isinstance(x, int):
        n, d = x, 1
    else:
        n, d = x.as_integer_ratio()
    return (-1 if n < 0 else 1), abs(n), d


def _round_int(n: int, d: int, places: int, rounding: str) -> int:
    """``n / d`` (≥ 0) times 10**places, rounded to an integer by ``rounding``."""
    if places >= 0:
        n *= 10**places
    else:
        d *= 10**-places
    q, r = divmod(n, d)
    twice = 2 * r
    if twice > d or (twice == d and (rounding == "half_up" or q % 2 == 1)):
        q += 1
    return q


def _exponent10(n: int, d: int) -> int:
    """``e`` with 10**e ≤ n / d < 10**(e + 1), for n, d > 0."""
    e = len(str(n)) - len(str(d))
    below = n < d * 10**e if e >= 0 else n * 10**-e < d
    return e - 1 if below else e


def _text(sign: int, q: int, places: int) -> str:
    """``sign · q / 10**places`` as digits with exactly ``places`` decimals."""
    digits = str(q).rjust(places + 1, "0") if places > 0 else str(q * 10**-places)
    body = f"{digits[:-places]}.{digits[-places:]}" if places > 0 else digits
    return ("-" if sign < 0 and q else "") + body


def round_to(x: Number, places: int, rounding: str = "half_even") -> Fraction:
    """``x`` rounded to ``places`` decimals by ``rounding`` (``half_even`` or ``half_up``).

    >>> round_to(Fraction("0.505"), 2), round_to(Fraction("0.515"), 2)
    (Fraction(1, 2), Fraction(13, 25))
    >>> round_to(Fraction("0.505"), 2, "half_up")
    Fraction(51, 100)
    """
    sign, n, d = _ratio(x)
    q = sign * _round_int(n, d, places, rounding)
    return Fraction(q, 10**places) if places >= 0 else Fraction(q * 10**-places)


def printed(x: Number, rules: Rules = DEFAULT_RULES) -> str:
    """A computed value as the table prints it [the indicator's unit].

    ``rules.places`` decimals (``"82.00"``, ``"0.50"`` for an exact 0.505 under half_even);
    a non-zero value that would print as 0 keeps ``rules.small_value_digits`` significant
    digits (``"0.0026"``, ``"-0.0050"``); 0 prints ``"0.00"``, never ``"-0.00"``; never
    scientific notation.
    """
    if isinstance(x, float):
        return _printed_float(x, rules)
    sign, n, d = _ratio(x)
    places = rules.places
    q = _round_int(n, d, places, rules.rounding)
    if q == 0 and n != 0:
        places = rules.small_value_digits - 1 - _exponent10(n, d)
        q = _round_int(n, d, places, rules.rounding)
    return _text(sign, q, places)


_DECIMAL_ROUNDING = {"half_even": ROUND_HALF_EVEN, "half_up": ROUND_HALF_UP}


def _printed_float(x: float, rules: Rules) -> str:
    """:func:`printed` of a float read as its shortest repr, in the decimal module (faster)."""
    if not math.isfinite(x):
        raise ValueError(f"{x!r} is not a finite number")
    d = Decimal(repr(float(x)))
    rounding = _DECIMAL_ROUNDING[rules.rounding]
    context = Context(prec=max(28, d.adjusted() + rules.places + 2))
    quantum = _QUANTA.get(rules.places) or Decimal(1).scaleb(-rules.places)
    q = d.quantize(quantum, rounding=rounding, context=context)
    if q == 0 and d != 0:
        small = Decimal(1).scaleb(d.adjusted() - rules.small_value_digits + 1)
        q = d.quantize(small, rounding=rounding, context=context)
    return format(abs(q) if q == 0 else q, "f")


#: Enough digits for any float printed with up to 50 decimals (the default 28 fails above 1e26).
_WIDE = Context(prec=400)
#: Quanta of 0 to 10 decimals (0.01 for 2).
_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(11)}


def round_reported(x: Number, rules: Rules = DEFAULT_RULES) -> Decimal:
    """The printed value (:func:`printed`) as a Decimal: ``Decimal("0.0026")``, ``Decimal("82.00")``."""
    return Decimal(printed(x, rules))


def compared(x: Number, limit: Limit, rules: Rules = DEFAULT_RULES) -> Number:
    """The number the declared comparison puts against ``limit``.

    全数值比较法 (``full_value``): ``x`` itself. 修约值比较法 (``rounded_value``): ``x`` rounded by
    ``rules.rounding`` to the decimals of the limit as written (:attr:`Limit.places`: 0.5 → 1,
    30 → 0, 92.25 → 2).
    """
    if rules.comparison == "rounded_value" and not isinstance(limit.value, str):
        return round_to(x, limit.places, rules.rounding)
    return x


def passes(x: Number | str, limit: Limit, rules: Rules = DEFAULT_RULES) -> bool:
    """Whether ``x`` meets ``limit`` under the declared comparison method.

    >>> lim = Limit("<=", 0.5)
    >>> passes(Fraction("0.505"), lim), passes(Fraction("0.5049"), lim)
    (False, False)
    >>> passes(Fraction("0.5049"), lim, Rules(comparison="rounded_value"))
    True
    """
    if isinstance(x, str):
        return limit.passes(x)
    return limit.passes(compared(x, limit, rules))


def mark(x: Number, shown: str, limit: Limit | None, rules: Rules = DEFAULT_RULES) -> str:
    """GB/T 8170-2008's mark for a printed value shown at the limit, under 全数值比较法.

    Parameters
    ----------
    x : Fraction or float
        The value [the indicator's unit].
    shown : str
        The value as printed (:func:`printed`).
    limit : Limit or None
        The limit that applies.

    Returns
    -------
    str
        ``"(+)"`` when ``shown`` equals the limit and ``x`` is above it (0.505 printed 0.50
        against ≤0.5: ``0.50(+)``, fails), ``"(−)"`` when ``x`` is below it, else ``""``
        (also under 修约值比较法, where the printed digits and the judgement cannot disagree).
    """
    if rules.comparison != "full_value" or limit is None or isinstance(limit.value, str):
        return ""
    if not shown or abs(float(x) - float(limit.value)) > 10.0**-rules.places:
        return ""  # not printed at the limit
    value = Fraction(shown)
    if value != limit.exact or x == value:
        return ""
    return MARK_ABOVE if x > value else MARK_BELOW


def near_boundary(x: float, limit: Limit | None, rules: Rules = DEFAULT_RULES) -> bool:
    """Whether a float lies so near a rounding tie, the limit or zero that only the exact value
    may decide its digits, its judgement or its mark.

    Near means within :data:`REL_TOL` × |x| of: a tie at ``rules.places`` decimals, the limit,
    the limit ± half a unit of its last decimal (修约值比较法), or anything below half a unit of
    the last printed decimal (zeros and the significant-digit rule).
    """
    size = abs(x)
    tol = REL_TOL * size
    unit = 10.0**-rules.places
    if size <= 0.5 * unit + tol:
        return True
    frac = (size / unit) % 1.0
    if abs(frac - 0.5) * unit <= tol:
        return True
    return near_limit(x, limit, rules)


def near_limit(x: float, limit: Limit | None, rules: Rules = DEFAULT_RULES) -> bool:
    """The part of :func:`near_boundary` that can change the judgement: whether a float lies
    within :data:`REL_TOL` × |x| of the limit, or (修约值比较法) of the limit ± half a unit of its
    last decimal. A float that is not decides :func:`passes` as the exact value does."""
    if limit is None or isinstance(limit.value, str):
        return False
    tol = REL_TOL * abs(x)
    gap = abs(x - float(limit.value))
    if gap <= tol:
        return True
    return rules.comparison == "rounded_value" and abs(gap - 0.5 * 10.0**-limit.places) <= tol


def exact_text(x: Fraction | int, digits: int = 40) -> str:
    """An exact value as plain decimal digits: all of them when it is a finite decimal of at
    most ``digits`` significant digits (``"0.505"``), else rounded (half even) to ``digits``
    significant digits (``"0.3333333333333333333333333333333333333333"``)."""
    if isinstance(x, int):
        return str(x)
    sign, n, d = _ratio(x)
    if n == 0:
        return "0"
    twos = (d & -d).bit_length() - 1
    rest, fives = d >> twos, 0
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    e = _exponent10(n, d)
    if rest == 1:
        places = max(twos, fives)
        q = n * 10**places // d
        if len(str(q).rstrip("0")) <= digits:
            return _trim(_text(sign, q, places))
    places = digits - 1 - e
    return _trim(_text(sign, _round_int(n, d, places, "half_even"), places))


def _trim(text: str) -> str:
    """Digits without trailing zeros after the point (``"0.50"`` → ``"0.5"``, ``"3.0"`` → ``"3"``)."""
    return text.rstrip("0").rstrip(".") if "." in text else text
