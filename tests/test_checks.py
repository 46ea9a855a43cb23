"""Data checks: each warning triggers on a crafted case, Nantong's land area (issue 3, item 7)."""

from __future__ import annotations

import pytest

import ecopark
from ecopark.checks import DataWarning, check_data, check_series, check_year


@pytest.fixture(scope="module")
def std():
    return ecopark.load_standard()


@pytest.mark.parametrize(
    ("values", "items"),
    [
        (
            {
                "solid_waste_utilized": 120.0,
                "solid_waste_generated": 100.0,
                "solid_waste_stock_utilized": 10.0,
            },
            ("solid_waste_utilized", "solid_waste_generated", "solid_waste_stock_utilized"),
        ),
        (
            {"hightech_output": 2e6, "industrial_output": 1e6},
            ("hightech_output", "industrial_output"),
        ),
        ({"value_added": 5e6, "industrial_output": 4e6}, ("value_added", "industrial_output")),
        (
            {"recycling_value_added": 6.0, "value_added": 5.0},
            ("recycling_value_added", "value_added"),
        ),
        (
            {"recyclables_recycled": 9.0, "recyclables_collected": 8.0},
            ("recyclables_recycled", "recyclables_collected"),
        ),
        (
            {"reclaimed_water": 7000.0, "wwtp_discharge": 6888.72},
            ("reclaimed_water", "wwtp_discharge"),
        ),
        ({"renewable_energy": 2e6, "energy": 1974333.51}, ("renewable_energy", "energy")),
    ],
)
def test_part_above_whole(std, values, items):
    found = check_year(values, 2021, std)
    assert len(found) == 1
    w = found[0]
    assert isinstance(w, DataWarning)
    assert w.items == items and w.year == 2021
    assert w.severity == "warning" and w.kind == "part_exceeds_whole"
    assert std.items[items[0]].name_zh in w.message_zh and items[0] in w.message_en
    # at or below the whole: silent
    equal = dict(values)
    equal[items[0]] = sum(values[i] for i in items[1:])
    assert check_year(equal, 2021, std) == []


def test_utilised_waste_counts_stock_and_tolerates_missing_stock(std):
    # 105 > 100 generated, but ≤ 100 + 10 stock: fine
    ok = {
        "solid_waste_utilized": 105.0,
        "solid_waste_generated": 100.0,
        "solid_waste_stock_utilized": 10.0,
    }
    assert check_year(ok, 2021, std) == []
    no_stock = {"solid_waste_utilized": 105.0, "solid_waste_generated": 100.0}
    (w,) = check_year(no_stock, 2021, std)
    assert w.items == ("solid_waste_utilized", "solid_waste_generated")
    # missing whole: nothing to compare, no warning
    assert check_year({"solid_waste_utilized": 105.0}, 2021, std) == []


def test_jumps(std):
    by_year = {
        2015: {"energy": 100.0, "value_added": 100.0, "co2": 50.0, "env_management": 50.0},
        2016: {
            "energy": 250.0,
            "value_added": 190.0,
            "env_management": 100.0,
        },  # ×2.5 flagged, ×1.9 not
        2018: {"energy": 80.0, "co2": 20.0},  # ÷3.1 since 2016; co2 ÷2.5 since 2015 (skips 2016)
    }
    found = check_series(by_year, std)
    jumps = {(w.year, w.items[0]) for w in found if w.kind == "jump"}
    assert jumps == {(2016, "energy"), (2018, "energy"), (2018, "co2")}
    w = next(w for w in found if w.year == 2018 and w.items == ("co2",))
    assert "2015→2018" in w.message_zh and "二氧化碳排放量" in w.message_zh
    assert w.severity == "notice"
    # from 0 to a positive value is a jump
    assert [w.kind for w in check_series({2015: {"energy": 0.0}, 2016: {"energy": 5.0}}, std)] == [
        "jump"
    ]
    assert (
        check_series({2015: {"energy": 0.0}, 2016: {"energy": 0.0}}, std)[0].kind
        == "carried_forward"
    )


def test_carried_forward_but_not_for_rates_or_counts(std):
    by_year = {
        2018: {"industrial_land": 19.1, "env_management": 100.0, "publicity_events": 3.0},
        2021: {"industrial_land": 19.1, "env_management": 100.0, "publicity_events": 3.0},
    }
    (w,) = check_series(by_year, std)
    assert w.kind == "carried_forward" and w.items == ("industrial_land",) and w.year == 2021
    assert "2018 年与 2021 年同为 19.1 平方公里" in w.message_zh


def test_nantong_land_area_is_flagged(nantong_dir):
    found = check_data(ecopark.load_park(nantong_dir))
    carried = [w for w in found if w.kind == "carried_forward"]
    assert [(w.year, w.items) for w in carried] == [(2021, ("industrial_land",))]
    assert "工业用地面积" in carried[0].message_zh
    # every Nantong part-of-whole relation holds
    assert not [w for w in found if w.kind == "part_exceeds_whole"]
    # 2015→2021 pollutant cuts beyond ÷2 are worth a look at source (COD ÷1.98 is not)
    assert {w.items[0] for w in found if w.kind == "jump"} == {"ammonia_nitrogen", "so2", "nox"}


def test_check_data_on_a_park_folder(tmp_path):
    park = tmp_path / "checkpark"
    park.mkdir()
    (park / "park.yaml").write_text(
        "id: checkpark\nname: 检查园区\nbase_year: 2020\n", encoding="utf-8"
    )
    (park / "2020.csv").write_text(
        "item,value,unit,note\nrenewable_energy,120,吨标煤,\nenergy,100,吨标煤,\n", encoding="utf-8"
    )
    (park / "2021.csv").write_text(
        "item,value,unit,note\nrenewable_energy,10,吨标煤,\nenergy,100,吨标煤,\n", encoding="utf-8"
    )
    found = check_data(ecopark.load_park(park))
    kinds = [(w.year, w.kind, w.items) for w in found]
    assert kinds == [
        (2020, "part_exceeds_whole", ("renewable_energy", "energy")),
        (2021, "carried_forward", ("energy",)),
        (2021, "jump", ("renewable_energy",)),
    ]
    assert str(found[0]).startswith("2020 [warning] renewable_energy, energy:")


def test_a_figure_doubted_by_its_own_note_is_a_warning(nantong_dir):
    """Nantong's renewables 2021: 51.8 tce, whose note says the report's text gives 1.65万吨标煤."""
    found = check_data(ecopark.load_park(nantong_dir))
    doubted = [w for w in found if w.kind == "noted_doubt"]
    assert [(w.year, w.items, w.severity) for w in doubted] == [
        (2021, ("renewable_energy",), "warning")
    ]
    message = doubted[0].message_zh
    assert message.startswith("2021 年「可再生能源使用量」51.8 吨标煤：来源说明称「")
    assert "光伏约合1.65万吨标煤，单位或口径存疑" in message  # the note whole, not cut


def test_notes_without_doubt_words_are_not_flagged(tmp_path):
    park = tmp_path / "notepark"
    park.mkdir()
    (park / "park.yaml").write_text(
        "id: notepark\nname: 注释园区\nbase_year: 2021\n", encoding="utf-8"
    )
    (park / "2021.csv").write_text(
        "item,value,unit,note\nenergy,100,吨标煤,统计局核定\nvalue_added,50,万元,数据待确认\n",
        encoding="utf-8",
    )
    found = check_data(ecopark.load_park(park))
    assert [(w.kind, w.items) for w in found] == [("noted_doubt", ("value_added",))]
