"""Exact values, rounded and judged by the declared rule (GB/T 8170-2008 by default), issue 9.

Random park-years are built so that indicators land exactly on rounding ties (x.xx5, and
two-significant-digit ties such as 0.00265), just beyond a limit (limit ± 0.001, ± 0.005, ...) and
on exact zeros. The printed value and the pass flag are worked out here, independently of ecopark,
with :class:`fractions.Fraction`, under each rounding rule and each comparison method.
"""

from __future__ import annotations

import contextlib
import csv
import io
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecopark.cli import main

# indicator: (numerator item, denominator item, factor, op, limit as written)
RATIOS = {
    11: ("energy", "value_added", 1, "<=", "0.5"),
    28: ("solid_waste_generated", "value_added", 1, "<=", "0.1"),
    27: ("wastewater", "value_added", 1, "<=", "7"),
    14: ("fresh_water", "value_added", 10000, "<=", "8"),
    4: ("recycling_value_added", "value_added", 100, ">=", "30"),
    12: ("renewable_energy", "energy", 100, ">=", "9"),
    1: ("hightech_output", "industrial_output", 100, ">=", "30"),
}
RULES = ["half_even", "half_up"]
METHODS = ["full_value", "rounded_value"]


# --- the reference, independent of ecopark ------------------------------------------------------


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


def exponent10(x: Fraction) -> int:
    """e with 10**e <= |x| < 10**(e+1)."""
    x = abs(x)
    e = 0
    while Fraction(10) ** e > x:
        e -= 1
    while Fraction(10) ** (e + 1) <= x:
        e += 1
    return e


def printed(x: Fraction, rule: str) -> str:
    """The table's digits: 2 decimals, or 2 significant digits when 2 decimals would show 0."""
    places = 2
    r = round_fraction(x, places, rule)
    if r == 0 and x != 0:
        places = 1 - exponent10(x)
        r = round_fraction(x, places, rule)
    text = format(Decimal(r.numerator) / Decimal(r.denominator), f".{places}f")
    return "0.00" if text.lstrip("-") == "0.00" else text


def passes(x: Fraction, op: str, limit: str, rule: str, method: str) -> bool:
    lim = Fraction(Decimal(limit))
    if method == "rounded_value":
        places = max(0, -Decimal(limit).as_tuple().exponent)
        x = round_fraction(x, places, rule)
    return x <= lim if op == "<=" else x >= lim


# --- building park folders ----------------------------------------------------------------------


def dec(x: Fraction) -> str:
    """A finite decimal Fraction as plain digits."""
    d = Decimal(x.numerator) / Decimal(x.denominator)
    assert Fraction(d) == x, x  # the strategies only build finite decimals
    return format(d, "f")


def write_park(folder: Path, items: dict[str, Fraction], rule: str, method: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "park.yaml").write_text(
        "\n".join(
            [
                f"id: {folder.name}",
                "name: 测试园区",
                "standard: HJ 274-2015",
                "base_year: 2015",
                "water_region: other",
                "selected_optional: [1, 4, 11, 12, 14, 27]",
                "dominant_sector_share: null",
                "rules:",
                f"  rounding: {rule}",
                f"  comparison: {method}",
                "synthetic: true",
                "",
            ]
        ),
        encoding="utf-8",
    )
    rows = ["item,value,unit"] + [f"{k},{dec(v)}," for k, v in items.items()]
    (folder / "2021.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def table(folder: Path) -> dict[int, dict[str, str]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["table", str(folder), "2021", "--format", "csv"])
    assert code == 0
    return {int(r["number"]): r for r in csv.DictReader(io.StringIO(out.getvalue()))}


# --- strategies: exact targets on ties, at and beyond limits, and zeros -------------------------


def near(limit: str) -> st.SearchStrategy[Fraction]:
    lim = Fraction(Decimal(limit))
    steps = st.sampled_from([0, 1, 5, 10, 50, 100, 499, 500, 501])
    scale = st.sampled_from([Fraction(1, 1000), Fraction(1, 10000), Fraction(1, 100000)])
    sign = st.sampled_from([-1, 1])
    return st.builds(lambda k, s, g: max(Fraction(0), lim + g * k * s), steps, scale, sign)


def tie() -> st.SearchStrategy[Fraction]:
    # x.xx5 and, for small values, 0.00d5 ties of the two-significant-digit rule
    return st.one_of(
        st.builds(lambda m: Fraction(2 * m + 1, 2000), st.integers(0, 99_999)),
        st.builds(lambda m: Fraction(2 * m + 1, 200_000), st.integers(10, 99)),
        st.just(Fraction(0)),
    )


def target(limit: str) -> st.SearchStrategy[Fraction]:
    return st.one_of(near(limit), tie())


@st.composite
def park_items(draw) -> tuple[dict[str, Fraction], dict[int, Fraction]]:
    va = Fraction(draw(st.integers(10_000, 9_999_999)), draw(st.sampled_from([1, 10])))
    io_ = Fraction(draw(st.integers(10_000, 99_999_999)))
    items = {"value_added": va, "industrial_output": io_}
    exact: dict[int, Fraction] = {}
    for number in (11, 28, 27, 14, 4, 1):
        num, den, factor, _, limit = RATIOS[number]
        t = draw(target(limit))
        if factor == 100:
            t = min(t, Fraction(100))
        items[num] = t * items[den] / factor
        exact[number] = t
    t12 = min(draw(target("9")), Fraction(100))
    items["renewable_energy"] = t12 * items["energy"] / 100
    exact[12] = t12 if items["energy"] else None
    return items, exact


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("method", METHODS)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=park_items())
def test_printed_values_and_pass_flags_follow_the_declared_rule(
    tmp_path_factory, case, rule: str, method: str
) -> None:
    items, exact = case
    folder = tmp_path_factory.mktemp("park") / "p"
    write_park(folder, items, rule, method)
    rows = table(folder)
    for number, x in exact.items():
        if x is None:
            continue
        _, _, _, op, limit = RATIOS[number]
        row = rows[number]
        assert row["value"] == printed(x, rule), (number, x, rule)
        assert row["passed"] == str(passes(x, op, limit, rule, method)).lower(), (
            number,
            x,
            rule,
            method,
        )


def test_reference_knows_the_national_rule() -> None:
    """The reference itself, on the issue's hand-worked cases."""
    assert printed(Fraction("0.505"), "half_even") == "0.50"
    assert printed(Fraction("0.515"), "half_even") == "0.52"
    assert printed(Fraction("0.505"), "half_up") == "0.51"
    assert printed(Fraction("0.00265"), "half_even") == "0.0026"
    assert printed(Fraction("0.002624"), "half_even") == "0.0026"
    assert printed(Fraction(0), "half_even") == "0.00"
    assert printed(Fraction("-0.005"), "half_even") == "-0.0050"  # non-zero: 2 significant digits
    assert not passes(Fraction("0.505"), "<=", "0.5", "half_even", "full_value")
    assert not passes(Fraction("0.5049"), "<=", "0.5", "half_even", "full_value")
    assert passes(Fraction("0.5049"), "<=", "0.5", "half_even", "rounded_value")
    assert not passes(Fraction("0.55"), "<=", "0.5", "half_even", "rounded_value")
    assert passes(Fraction("0.55"), "<=", "0.5", "half_up", "rounded_value") is False
