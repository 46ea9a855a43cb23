"""Property: the same figures written in other units (or in Excel) never change the table.

A random valid park is written twice: once in catalogue units, once with every money figure in
亿元 instead of 万元, every mass (and water in 吨) in 万吨 and the land in 公顷 instead of 平方公里.
The figures are decimal strings, converted exactly (``Decimal(value) / 10000`` as text), so both
parks hold the same numbers and must give the identical table, unrounded values included.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ecopark
from parkfiles import table_rows, write_park
from tests.thorough import size, thorough

STANDARD = ecopark.load_standard()
YEARS = (2015, 2018, 2021)

#: catalogue unit -> (other unit, factor): value in the other unit = value * factor
OTHER = {
    "万元": ("亿元", Decimal("0.0001")),
    "吨": ("万吨", Decimal("0.0001")),
    "平方公里": ("公顷", Decimal(100)),
}

amounts = st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False)
positive = st.decimals(min_value=Decimal("0.01"), max_value=10**7, places=2)
percent = st.decimals(min_value=0, max_value=100, places=1)


@st.composite
def year_items(draw):
    items: dict[str, tuple[str, str]] = {}
    for item in STANDARD.items.values():
        if draw(st.integers(0, 19)) == 0:  # now and then an item is missing
            continue
        if item.kind == "status":
            items[item.id] = (draw(st.sampled_from(item.allowed)), "")
        elif item.kind == "count":
            items[item.id] = (str(draw(st.integers(0, 20))), item.unit)
        elif item.dimension == "percent":
            items[item.id] = (str(draw(percent)), item.unit)
        else:
            value = draw(st.one_of(amounts, positive))
            items[item.id] = (format(value, "f"), item.unit)
    return items


@st.composite
def parks(draw):
    config = {
        "water_region": draw(st.sampled_from(["other", "water_scarce", "jingjinji"])),
        "selected_optional": sorted(
            draw(st.sets(st.sampled_from(STANDARD.optional_numbers), min_size=0, max_size=9))
        ),
    }
    return config, {year: draw(year_items()) for year in YEARS}


def in_other_units(years):
    out = {}
    for year, items in years.items():
        converted = {}
        for item, (value, unit) in items.items():
            if unit in OTHER and STANDARD.items[item].kind == "number":
                other, factor = OTHER[unit]
                converted[item] = (format(Decimal(value) * factor, "f"), other)
            else:
                converted[item] = (value, unit)
        out[year] = converted
    return out


def assessed(folder):
    park = ecopark.load_park(folder)
    return [ecopark.assess(park, year) for year in YEARS]


def same_tables(left, right):
    for a, b in zip(left, right, strict=True):
        assert table_rows(a) == table_rows(b)
        assert [r.value for r in a.results] == [r.value for r in b.results]
        assert (a.compliant, a.reasons) == (b.compliant, b.reasons)


# 8 random parks, the same in every run (derandomized); 40 new ones each run when thorough. The 8
# reach every water region, a selection empty and not, items missing and all present in each
# year, every status value, counts and amounts 0 and not, percentages 0, 100 and between, and
# 亿元, 万吨 and 公顷 each in use: the 27 kinds that 21 random parks of the 15 + 6 before reached
@pytest.mark.slow
@settings(
    max_examples=size(40, 8),
    derandomize=not thorough(),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(parks())
def test_other_units_never_change_the_table(park):
    config, years = park
    other = in_other_units(years)
    assert any(unit == "亿元" for items in other.values() for _, unit in items.values()) or not any(
        unit == "万元" for items in years.values() for _, unit in items.values()
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        a = assessed(write_park(root / "a", years, config))
        b = assessed(write_park(root / "b", other, config))
    same_tables(a, b)
    # every table is complete and never shows an infinity
    for assessment in a:
        rows = table_rows(assessment)
        assert [r["number"] for r in rows] == [str(n) for n in range(1, 33)]
        assert not any("inf" in r["value"].lower() or "nan" in r["value"].lower() for r in rows)


@pytest.mark.slow  # 6 random parks written to workbooks, 15 when thorough
@settings(max_examples=size(15, 6), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parks())
def test_excel_year_files_give_the_same_table(park):
    config, years = park
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        a = assessed(write_park(root / "a", years, config))
        b = assessed(write_park(root / "b", in_other_units(years), config, xlsx_years=YEARS))
    same_tables(a, b)
