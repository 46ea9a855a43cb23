"""Every official and common spelling of an item and a unit is accepted; a suggestion for an
unknown name never crosses to another pollutant or quantity (issue 14, item 6)."""

from __future__ import annotations

import itertools
import re
import shutil
from decimal import Decimal
from fractions import Fraction

import pytest

import ecopark
from conftest import DATA
from ecopark.io.rows import RowError, check_value, find_item, item_names, name_key, resolve_item
from ecopark.io.units import UNITS, spelling
from ecopark.standard.model import load_standard
from ecopark.tables.importer import _Matcher

STANDARD = load_standard()
ITEMS = STANDARD.items

SPELLINGS = {
    "so2": ["二氧化硫排放量", "二氧化硫", "SO₂", "SO2", "so2", "ＳＯ２", "SO2排放量", " SO 2 "],
    "nox": ["氮氧化物排放量", "氮氧化物", "NOx", "NOₓ", "NOX", "nox", "NOx排放量"],
    "cod": ["化学需氧量", "化学需氧量排放量", "COD", "cod", "COD排放量", "CODcr", "CODCr排放量"],
    "ammonia_nitrogen": ["氨氮", "氨氮排放量", "NH3-N", "NH₃-N", "nh3-n"],
    "co2": ["二氧化碳", "二氧化碳排放量", "CO₂", "CO2", "co2"],
    "energy": ["综合能耗", "综合能耗总量", "综合能源消费量"],
    "fresh_water": ["新鲜水", "新鲜水用量", "新鲜水资源消耗量"],
    "reclaimed_water": ["园区再生水（中水）回用量", "园区再生水(中水)回用量", "中水回用量"],
}


@pytest.mark.parametrize(("item", "written"), [(i, w) for i, ws in SPELLINGS.items() for w in ws])
def test_official_and_common_spellings_name_their_item(item, written):
    assert resolve_item(written, STANDARD).id == item
    assert _Matcher(STANDARD).item(name_key(written)).id == item  # the importer too


def test_no_spelling_names_two_items():
    names = item_names(STANDARD)  # raises on a spelling of two items
    for item in ITEMS.values():
        for written in (item.id, item.name_zh, *item.aliases):
            assert names[name_key(written)][1].id == item.id


UNIT_SPELLINGS = [
    ("mass", ["公斤", "kg", "KG", "Kg", "千克"], "千克"),
    ("mass", ["吨", "t", "T"], "吨"),
    ("mass", ["万吨", "万 吨", "万t"], "万吨"),
    ("water", ["立方米", "m3", "m³", "M3", "ｍ３", "方"], "立方米"),
    ("water", ["万立方米", "万m3", "万m³", "万方"], "万立方米"),
    ("energy", ["吨标煤", "吨标准煤", "tce", "TCE"], "吨标煤"),
    ("energy", ["万吨标煤", "万tce"], "万吨标煤"),
    ("money", ["万元"], "万元"),
    ("money", ["亿元", " 亿元 "], "亿元"),
    ("percent", ["%", "％"], "%"),
    ("area", ["平方公里", "平方千米", "km2", "km²", "KM2"], "平方公里"),
]


@pytest.mark.parametrize(("dimension", "spellings", "same_as"), UNIT_SPELLINGS)
def test_unit_spellings(dimension, spellings, same_as):
    for written in spellings:
        found = spelling(written, dimension)
        assert found is not None, written
        assert UNITS[dimension][found] == UNITS[dimension][same_as], written


def test_a_value_in_kilograms_is_exact_in_tonnes():
    so2 = ITEMS["so2"]
    for unit in ("公斤", "kg", "KG", "千克"):
        checked = check_value(so2, "1234567", unit)
        assert Fraction(checked.number) * checked.factor == Fraction("1234.567")
        assert checked.value == 1234.567
    assert check_value(ITEMS["fresh_water"], "25000", "m³").value == 2.5
    assert check_value(ITEMS["value_added"], "490.62", "亿元").value == 4906200.0
    with pytest.raises(RowError, match="is not a unit of money"):
        check_value(ITEMS["value_added"], "1", "公斤")


def test_a_year_file_in_official_names_and_other_units(tmp_path):
    """Nantong 2021 written with 二氧化硫排放量 in 公斤, NOₓ, 化学需氧量, 氨氮 in kg, SO₂-style
    subscripts: the same values and the same table as the bundled file."""
    target = tmp_path / "nantong-etdz"
    shutil.copytree(DATA / "nantong-etdz", target)
    path = target / "2021.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    renamed = {
        "so2": "二氧化硫排放量",
        "nox": "NOₓ",
        "cod": "化学需氧量",
        "ammonia_nitrogen": "NH₃-N",
    }
    out = []
    for line in lines:
        item, value, unit, *rest = line.split(",")
        if item in renamed:
            kg = format(Decimal(value) * 1000, "f")
            line = ",".join([renamed[item], kg, "公斤" if item == "so2" else "kg", *rest])
        out.append(line)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    before = ecopark.assess(ecopark.load_park(DATA / "nantong-etdz"), 2021)
    after = ecopark.assess(ecopark.load_park(target), 2021)
    for item in renamed:
        assert after.values[f"{item}@T"] == before.values[f"{item}@T"]
    assert [r.display for r in after.results] == [r.display for r in before.results]


def test_a_scenario_names_items_by_any_spelling(nantong_dir):
    a = ecopark.assess(ecopark.load_park(nantong_dir), 2021)
    by_id = a.scenario(so2=(500_000, "kg"))
    by_name = a.scenario({"二氧化硫排放量": "500 公斤"}).scenario({"SO₂": (500, "吨")})
    assert by_id.values["so2@T"] == 500.0 == by_name.values["so2@T"]


# ------------------------------------------------------------------------- near misses

#: How an item's names end when they differ from another item's only in the pollutant.
SUFFIXES = ("排放总量", "排放量")


def _pollutants() -> dict[str, set[str]]:
    """item id -> the pollutant words of its spellings ``<pollutant>排放量`` (and the bare
    formula or name spellings of the same words)."""
    out: dict[str, set[str]] = {}
    for item in ITEMS.values():
        for written in (item.name_zh, *item.aliases):
            for suffix in SUFFIXES:
                if written.endswith(suffix) and len(written) > len(suffix):
                    out.setdefault(item.id, set()).add(written[: -len(suffix)])
                    break
    return out


POLLUTANTS = _pollutants()
#: Every pair of items whose names differ only in the pollutant.
PAIRS = list(itertools.combinations(sorted(POLLUTANTS), 2))
#: A near miss keeps the pollutant word and garbles the rest (or the word's own letters).
TAILS = (
    "排放",
    "排量",
    "排放量量",
    "的排放量",
    "年排放量",
    "总排放量",
    "排放数量",
    "排 放 量",
    "排放总",
)


def _near_misses(item: str) -> list[str]:
    out = []
    for word in POLLUTANTS[item]:
        out += [word + tail for tail in TAILS]
        out += [word[:k] + word[k] + word[k:] + "排放量" for k in range(len(word))]  # doubled
    return out


def _suggested(written: str) -> list[str]:
    """The items an unknown name's message suggests (empty when it names one)."""
    try:
        return [resolve_item(written, STANDARD).id]
    except RowError as exc:
        return [
            find_item(s, STANDARD).id for s in re.findall(r"'([^']+)'", str(exc).split(";")[-1])
        ]


def test_the_battery_covers_every_pollutant_pair():
    assert {"so2", "co2", "nox", "ammonia_nitrogen", "cod", "wastewater"} <= set(POLLUTANTS)
    assert len(PAIRS) >= 15


@pytest.mark.parametrize(("one", "other"), PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_a_near_miss_never_crosses_to_the_other_pollutant(one, other):
    for item, wrong in ((one, other), (other, one)):
        for written in _near_misses(item):
            got = _suggested(written)
            assert wrong not in got, (written, got)
            assert got == [item], (written, got)  # and the right one is offered


@pytest.mark.parametrize(
    ("written", "never"),
    [
        ("二氧化硫排放总数", "co2"),
        ("二氧化碳排放总数", "so2"),
        ("S02排放量", "co2"),  # a zero for an O
        ("so3", "co2"),
        ("氨氮排放里", "nox"),
        ("氮氧化物排放里", "ammonia_nitrogen"),
        ("化学需氧排放量", "nox"),
    ],
)
def test_named_near_misses(written, never):
    assert never not in _suggested(written)


def test_typos_of_ids_still_get_their_suggestion():
    assert _suggested("value_add")[0] == "value_added"
    assert _suggested("vahue_added")[0] == "value_added"
    assert "energy" in _suggested("energi")
    # ambiguous: either pollutant may be meant, both are offered
    assert set(_suggested("二氧化排放量")) == {"so2", "co2"}
