"""Rounding as the official tables report values (spec §2.10).

Computed indicators are rounded half-up (四舍五入) to 2 decimals; a non-zero value that would
show as 0 keeps 2 significant digits instead (0.002624 → 0.0026).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

TWO_PLACES = Decimal("0.01")


def round_reported(value: float, places: int = 2) -> Decimal:
    """Round ``value`` half-up to ``places`` decimals, or to 2 significant digits if that gives 0.

    The float's shortest repr is rounded, so 2.675 rounds to 2.68 as written, not as stored.

    Parameters
    ----------
    value : float
        The unrounded indicator value.
    places : int
        Decimals to keep (default 2).

    Returns
    -------
    Decimal
        The value as the table prints it, e.g. ``Decimal("82.00")``, ``Decimal("0.0026")``.
    """
    exact = Decimal(repr(float(value)))
    quantum = TWO_PLACES if places == 2 else Decimal(1).scaleb(-places)
    # enough digits for any float (the default 28 would fail on a value above 1e26)
    context = Context(prec=max(28, exact.adjusted() + places + 2))
    rounded = exact.quantize(quantum, rounding=ROUND_HALF_UP, context=context)
    if rounded == 0 and exact != 0:
        digits = exact.adjusted() - 1  # 2 significant digits
        rounded = exact.quantize(Decimal(1).scaleb(digits), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never print -0.00
    return rounded
