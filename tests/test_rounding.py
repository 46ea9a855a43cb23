"""Rounding as the official tables print values (spec §2.10), by the declared rule: GB/T 8170-2008
ties to even (the default) or half-up; 2 decimals; 2 significant digits for a small value."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from ecopark.engine import display
from ecopark.rounding import (
    exact_text,
    mark,
    near_boundary,
    passes,
    printed,
    round_reported,
    round_to,
)
from ecopark.standard.model import Limit, Rules

HALF_UP = Rules(rounding="half_up")
ROUNDED = Rules(comparison="rounded_value")


@pytest.mark.parametrize(
    ("value", "half_even", "half_up"),
    [
        (2.675, "2.68", "2.68"),  # a float is read as written (binary 2.675 is 2.67499999...)
        (2.665, "2.66", "2.67"),  # an exact tie: to the even digit, or up
        (0.125, "0.12", "0.13"),
        (Fraction("0.505"), "0.50", "0.51"),  # Nantong-like 11 = 396305.719 / 784763.8
        (Fraction("0.515"), "0.52", "0.52"),
        (Fraction("0.5051"), "0.51", "0.51"),  # 5 followed by non-zero digits: up
        (0.002624, "0.0026", "0.0026"),  # would print 0.00: 2 significant digits instead
        (0.0026236702025079846, "0.0026", "0.0026"),  # Nantong 12
        (Fraction("0.00265"), "0.0026", "0.0027"),  # a tie of the significant-digit rule
        (Fraction("0.000125"), "0.00012", "0.00013"),
        (-0.025412, "-0.03", "-0.03"),  # Nantong 10
        (-0.025412749738829205, "-0.03", "-0.03"),
        (-2.8759703, "-2.88", "-2.88"),  # Nantong 25
        (Fraction("-0.005"), "-0.0050", "-0.01"),  # half-up rounds the magnitude away from 0
        (82, "82.00", "82.00"),
        (82.0000071, "82.00", "82.00"),  # Nantong 7
        (0.005, "0.0050", "0.01"),  # ties to even: 0.00, so 2 significant digits
        (0.0049, "0.0049", "0.0049"),
        (-0.004, "-0.0040", "-0.0040"),
        (0.00995, "0.01", "0.01"),
        (Fraction("8.005"), "8.00", "8.01"),
        (Fraction("80.015"), "80.02", "80.02"),
        (Fraction("92.245"), "92.24", "92.25"),
        (0, "0.00", "0.00"),
        (Fraction(0), "0.00", "0.00"),
        (-0.0, "0.00", "0.00"),  # never -0.00
        (-0.001, "-0.0010", "-0.0010"),
        (1e-10, "0.00000000010", "0.00000000010"),  # no scientific notation
        (123456789.125, "123456789.12", "123456789.13"),
    ],
)
def test_printed_by_the_rule(value, half_even, half_up):
    assert display(value, reported=False) == half_even == printed(value)
    assert round_reported(value) == Decimal(half_even)
    assert display(value, reported=False, rules=HALF_UP) == half_up == printed(value, HALF_UP)


def test_huge_values_do_not_break_the_rounding():
    # more digits than the default decimal precision (28)
    assert display(1e30, reported=False) == "1" + "0" * 30 + ".00"
    assert display(-1.5e300, reported=False).startswith("-15")
    assert printed(Fraction(10**40 + 5, 1000)) == "1" + "0" * 37 + ".00"  # ...000.005: to even


def test_other_places():
    assert printed(2.6751, Rules(places=3)) == "2.675"
    assert printed(0.0001234, Rules(places=3)) == "0.00012"
    assert printed(Fraction("0.0001234"), Rules(places=3, small_value_digits=3)) == "0.000123"
    assert round_to(Fraction("0.505"), 2) == Fraction(1, 2)
    assert round_to(Fraction("-0.505"), 2, "half_up") == Fraction(-51, 100)
    assert round_to(Fraction(125), -1) == 120 and round_to(Fraction(135), -1) == 140


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (100, "100"),
        (100.0, "100"),
        (20.2, "20.2"),
        (Fraction("20.2"), "20.2"),
        (Fraction("99.99999999999999999"), "99.99999999999999999"),  # exact as written
        (6, "6"),
        (0, "0"),
        ("达标", "达标"),
        (None, ""),
    ],
)
def test_reported_values_are_shown_as_given(value, shown):
    assert display(value, reported=True) == shown


@pytest.mark.parametrize(
    ("value", "op", "limit", "full", "rounded"),
    [
        # 全数值比较法: the exact value; 修约值比较法: rounded to the limit's decimals (half even)
        (Fraction("0.505"), "<=", 0.5, False, True),  # 0.505 -> 0.5 (one decimal)
        (Fraction("0.5049"), "<=", 0.5, False, True),
        (Fraction("0.55"), "<=", 0.5, False, False),  # a tie after the odd 5: up to 0.6
        (Fraction("0.45"), "<=", 0.5, True, True),
        (Fraction("0.549"), "<=", 0.5, False, True),
        (Fraction("0.56"), "<=", 0.5, False, False),
        (Fraction("8.005"), "<=", 8, False, True),  # 8.005 -> 8 (no decimals)
        (Fraction("8.5"), "<=", 8, False, True),  # a tie: to the even 8
        (Fraction("9.5"), "<=", 9, False, False),  # a tie: to the even 10
        (Fraction("29.6"), ">=", 30, False, True),
        (Fraction("29.4"), ">=", 30, False, False),
        (Fraction("92.245"), ">=", 92.25, False, False),  # footnote-a benchmark, 2 decimals
        (Fraction("92.2451"), ">=", 92.25, False, True),
        (Fraction(3), ">=", 3, True, True),
        (Fraction(100), "=", 100, True, True),
    ],
)
def test_comparison_methods(value, op, limit, full, rounded):
    lim = Limit(op, limit)
    assert passes(value, lim) is full
    assert passes(value, lim, ROUNDED) is rounded


def test_limits_are_read_as_written():
    assert Limit("<=", 0.55).exact == Fraction(11, 20) and Limit("<=", 0.55).places == 2
    assert Limit(">=", 30).places == 0 and Limit("<=", 0.5).places == 1
    assert Limit(">=", 92.25).places == 2 and Limit(">=", 60.0).places == 1
    assert passes(Fraction(11, 20), Limit("<=", 0.55))  # the binary 0.55 is above 11/20


def test_the_mark_of_gb_t_8170():
    lim = Limit("<=", 0.5)
    assert mark(Fraction("0.505"), "0.50", lim) == "(+)"  # above the printed 0.50: fails
    assert mark(Fraction("0.4951"), "0.50", lim) == "(−)"  # below: passes
    assert mark(Fraction("0.5"), "0.50", lim) == ""  # exactly the limit
    assert mark(Fraction("0.52"), "0.52", lim) == ""  # not shown at the limit
    assert mark(Fraction("0.505"), "0.50", lim, ROUNDED) == ""  # only under 全数值比较法
    assert mark(Fraction("92.245"), "92.25", Limit(">=", 92.25), HALF_UP) == "(−)"


def test_exact_text():
    assert exact_text(Fraction("0.505")) == "0.505"
    assert exact_text(Fraction(-3)) == "-3" and exact_text(0) == "0"
    assert exact_text(Fraction(1, 3)) == "0." + "3" * 40
    assert exact_text(Fraction(2, 3), digits=5) == "0.66667"
    assert exact_text(Fraction(10**45 + 1, 10**45)) == "1"  # 46 digits: rounded to 40, trimmed
    assert exact_text(Fraction(10**39 + 1, 10**39)) == "1." + "0" * 38 + "1"  # 40 digits: all


def test_near_boundary_catches_ties_limits_and_zeros():
    lim = Limit("<=", 0.5)
    assert near_boundary(0.5049999999999999, lim)  # the float of an exact 0.505 tie
    assert near_boundary(0.5000000000000001, lim)  # at the limit
    assert near_boundary(1.1e-14, None)  # an exact 0 computed in floats
    assert near_boundary(0.0049, None)  # the significant-digit rule
    assert not near_boundary(0.47, lim) and not near_boundary(46.535353, Limit(">=", 30))
    assert near_boundary(0.55000001, lim, ROUNDED)  # the edge of the rounded comparison
    assert not near_boundary(0.55000001, lim)
