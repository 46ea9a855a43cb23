"""Rounding as the official tables print values (spec §2.10): half-up, 2 decimals, 0.0026."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ecopark.engine import display
from ecopark.rounding import round_reported


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (2.675, "2.68"),  # half-up on the value as written (binary 2.675 is 2.67499999...)
        (2.665, "2.67"),
        (0.125, "0.13"),  # half-up, not half-even
        (0.002624, "0.0026"),  # would print 0.00: 2 significant digits instead
        (0.0026236702025079846, "0.0026"),  # Nantong 12
        (-0.025412, "-0.03"),  # Nantong 10
        (-0.025412749738829205, "-0.03"),
        (-2.8759703, "-2.88"),  # Nantong 25
        (82, "82.00"),
        (82.0000071, "82.00"),  # Nantong 7
        (0.005, "0.01"),
        (0.0049, "0.0049"),
        (-0.004, "-0.0040"),
        (0.00995, "0.01"),
        (0, "0.00"),
        (-0.0, "0.00"),  # never -0.00
        (-0.001, "-0.0010"),
        (1e-10, "0.00000000010"),  # no scientific notation
        (123456789.125, "123456789.13"),
    ],
)
def test_round_reported(value, shown):
    assert display(value, reported=False) == shown
    assert round_reported(value) == Decimal(shown)


def test_huge_values_do_not_break_the_rounding():
    # more digits than the default decimal precision (28)
    assert display(1e30, reported=False) == "1" + "0" * 30 + ".00"
    assert display(-1.5e300, reported=False).startswith("-15")


def test_other_places():
    assert round_reported(2.6751, places=3) == Decimal("2.675")
    assert round_reported(0.0001234, places=3) == Decimal("0.00012")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (100, "100"),
        (100.0, "100"),
        (20.2, "20.2"),
        (6, "6"),
        (0, "0"),
        ("达标", "达标"),
        (None, ""),
    ],
)
def test_reported_values_are_shown_as_given(value, shown):
    assert display(value, reported=True) == shown
