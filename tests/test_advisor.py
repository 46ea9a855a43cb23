"""Selection advisor: largest smallest margin, footnote b, trends (issue 3, item 6)."""

from __future__ import annotations

import pytest

import ecopark
from ecopark.advisor import SelectionAdvice, advise


@pytest.fixture(scope="module")
def nantong(nantong_dir):
    park = ecopark.load_park(nantong_dir)
    return park, ecopark.assess(park, 2021)


def test_nantong_weakest_selected_is_14(nantong):
    park, a = nantong
    adv = advise(a, park)
    assert isinstance(adv, SelectionAdvice)
    assert adv.current == (
        "2",
        "6",
        "8",
        "11",
        "14",
        "27",
    )
    assert adv.current_weakest == "14"
    assert adv.current_min_margin == pytest.approx((8 - 7.631298153356977) / 8 * 100)
    # the six largest margins among passing optional indicators (7 barred by footnote b):
    # 2 (219 %), 16 (196 %), 8 (185 %), 1 (55 %), 6 (37 %), 15 (28 %)
    assert adv.recommended == (
        "1",
        "2",
        "6",
        "8",
        "15",
        "16",
    )
    assert adv.recommended_weakest == "15"
    assert adv.recommended_min_margin == pytest.approx((96.01386828537866 - 75) / 75 * 100)
    assert adv.add == (
        "1",
        "15",
        "16",
    ) and adv.drop == (
        "11",
        "14",
        "27",
    )
    assert adv.feasible and adv.min_selected == 6
    assert set(adv.excluded) == {"3", "4", "7", "9", "12", "28"}
    assert "注 b" in adv.excluded["7"]
    assert "指标 14「单位工业增加值新鲜水耗」" in adv.text_zh
    assert "建议增选 1、15、16，调出 11、14、27" in adv.text_zh
    assert "indicator 14" in adv.text_en
    # Nantong has at most 2 years per indicator: the trend excludes nothing
    assert adv == advise(a)


def _modified(a, **items):
    values = dict(a.values)
    values.update({f"{k}@T": v for k, v in items.items()})
    return ecopark.assess_values(a.config, a.standard, a.year, values)


def test_footnote_b_excludes_7_unless_4_passes(nantong):
    _, a = nantong
    collected = a.values["recyclables_collected@T"]
    out = a.values["industrial_output@T"]
    gen = a.values["solid_waste_generated@T"] + a.values["solid_waste_stock_utilized@T"]
    # Make 7 strong (100 %, margin 25 %) and 1 and 6 weak, so that 7 would rank among the top 6.
    common = {
        "recyclables_recycled": collected,
        "hightech_output": 0.32 * out,
        "solid_waste_utilized": 0.75 * gen,
    }
    barred = advise(_modified(a, **common))
    assert barred.margins["7"] == pytest.approx(25.0)
    assert "7" not in barred.recommended and "注 b" in barred.excluded["7"]
    assert "指标 4" in barred.excluded["7"]
    assert barred.recommended == (
        "2",
        "8",
        "11",
        "15",
        "16",
        "27",
    )
    # With indicator 4 passing (31 %, a 3.3 % margin) 7 is allowed and chosen.
    allowed = advise(_modified(a, recycling_value_added=0.31 * a.values["value_added@T"], **common))
    assert "7" not in allowed.excluded
    assert allowed.recommended == (
        "2",
        "7",
        "8",
        "15",
        "16",
        "27",
    )
    assert allowed.recommended_min_margin == pytest.approx(allowed.margins["27"])


def _write_park(root):
    park = root / "trendpark"
    park.mkdir()
    (park / "park.yaml").write_text(
        "id: trendpark\nname: 趋势园区\nbase_year: 2015\nselected_optional: [14, 27]\n",
        encoding="utf-8",
    )
    for k, year in enumerate(range(2015, 2019)):
        # 27 = 5 + 0.6k: passes in 2018 (6.8 ≤ 7) but the line leaves ≤7 in 2019
        rows = {"value_added": 100000.0, "fresh_water": 50.0, "wastewater": 500000.0 + 60000.0 * k}
        text = "item,value,unit,note\n" + "".join(f"{i},{v!r},,\n" for i, v in rows.items())
        (park / f"{year}.csv").write_text(text, encoding="utf-8")
    return park


def test_trend_excludes_an_indicator_projected_to_fail(tmp_path):
    park = ecopark.load_park(_write_park(tmp_path))
    a = ecopark.assess(park, 2018)
    without = advise(a)
    assert "27" not in without.excluded and "27" in without.recommended
    adv = advise(a, park)
    assert "趋势" in adv.excluded["27"] and "2019" in adv.excluded["27"]
    assert "27" not in adv.recommended and "14" in adv.recommended
    assert not adv.feasible  # only 14 is left eligible
    assert "不足 6 项" in adv.text_zh
    # a horizon of 0 years keeps it
    assert "27" in advise(a, park, horizon=0).recommended


def test_advice_on_given_trends_equals_advice_that_fits_them(nantong_dir) -> None:
    """The report passes the trends it already has; the advice is the same as refitting."""
    from ecopark.trends import park_trends

    park = ecopark.load_park(nantong_dir.parent / "example-park")
    a = ecopark.assess(park, 2023)
    _, fits = park_trends(park, years=park.years)
    given = advise(a, park, trends=fits)
    assert given == advise(a, park)
    # the given trends are the ones used: one that fails next year excludes that indicator
    doomed = fits.copy()
    row = doomed["number"] == "16"
    doomed.loc[row, "outlook"] = "will_fail"
    doomed.loc[row, "crossing_year"] = 2024
    doomed.loc[row, ["first_year", "last_year"]] = [2015, 2023]
    assert "16" in given.recommended
    changed = advise(a, park, trends=doomed)
    assert "16" not in changed.recommended and "2024 年不再达标" in changed.excluded["16"]
