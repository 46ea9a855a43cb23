"""Trends: tidy series, fitted pace and the projected crossing year (issue 3, item 5)."""

from __future__ import annotations

import pandas as pd
import pytest

import ecopark
from ecopark.trends import SERIES_COLUMNS, TREND_COLUMNS, fit_trends, indicator_series, park_trends


def write_park(
    root, years: dict[int, dict[str, float]], base_year: int = 2015, name: str = "synth"
):
    """A park folder in ``root`` with one CSV of raw items (catalogue units) per year."""
    park = root / name
    park.mkdir()
    (park / "park.yaml").write_text(
        f"id: {name}\nname: 合成园区\nbase_year: {base_year}\nsynthetic: true\n"
        "selected_optional: [11, 14, 27]\n",
        encoding="utf-8",
    )
    for year, items in years.items():
        lines = ["item,value,unit,note"] + [f"{k},{v!r},," for k, v in items.items()]
        (park / f"{year}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return park


def linear_years() -> dict[int, dict[str, float]]:
    """2014 (nothing computable) and 2015–2018 with straight-line indicators.

    11 = 0.72 − 0.05k (fails ≤0.5, reaches it at k = 4.4, i.e. 2019.4 → passes in 2020);
    27 = 5 + 0.6k (passes ≤7, leaves it at k = 3.33, i.e. 2018.33 → fails in 2019);
    28 = 0.2 + 0.01k (fails ≤0.1 and moves away: never);
    14 = 5 every year (passes, flat).
    """
    years: dict[int, dict[str, float]] = {2014: {"co2": 1000.0}}
    for k, year in enumerate(range(2015, 2019)):
        years[year] = {
            "value_added": 100000.0,
            "energy": 72000.0 - 5000.0 * k,
            "wastewater": 500000.0 + 60000.0 * k,
            "solid_waste_generated": 20000.0 + 1000.0 * k,
            "fresh_water": 50.0,
        }
    return years


@pytest.fixture()
def synth(tmp_path):
    return ecopark.load_park(write_park(tmp_path, linear_years()))


def test_series_is_tidy_and_skips_years_without_values(synth):
    s = indicator_series(synth)
    assert list(s.columns) == SERIES_COLUMNS
    assert 2014 not in set(s["year"])  # nothing computable there: skipped, no error
    # 3 needs year T-3: only 2018 has it; 10 and 13 are undefined (value added does not grow)
    assert sorted(set(s["number"]), key=int) == ["3", "11", "14", "27", "28"]
    assert s.loc[s.number == "3", "year"].tolist() == [2018]
    s11 = s[s.number == "11"].sort_values("year")
    assert s11["year"].tolist() == [2015, 2016, 2017, 2018]
    assert s11["value"].tolist() == pytest.approx([0.72, 0.67, 0.62, 0.57])
    assert (s11["limit"] == 0.5).all() and (s11["op"] == "<=").all()
    assert s11["passed"].tolist() == [False] * 4
    assert s11["indicator"].iloc[0] == "单位工业增加值综合能耗" and (s["park"] == "synth").all()


def test_fitted_pace_and_crossing_years(synth):
    _, t = park_trends(synth)
    assert list(t.columns) == TREND_COLUMNS
    t = t.set_index("number")
    r11 = t.loc["11"]
    assert r11["slope"] == pytest.approx(-0.05) and r11["r"] == pytest.approx(-1.0)
    assert r11["p"] < 1e-6 and r11["n_years"] == 4
    assert r11["outlook"] == "will_pass" and r11["exact_crossing"] == pytest.approx(2019.4)
    assert r11["crossing_year"] == 2020 and "2020 年达标" in r11["outlook_zh"]
    r27 = t.loc["27"]
    assert r27["slope"] == pytest.approx(0.6) and r27["last_passed"]
    assert r27["outlook"] == "will_fail" and r27["exact_crossing"] == pytest.approx(2015 + 10 / 3)
    assert r27["crossing_year"] == 2019
    assert (
        t.loc["28", "outlook"] == "never"
        and t.loc["28", "outlook_zh"] == "按现有速度 30 年内无法达标"
    )
    assert pd.isna(t.loc["28", "crossing_year"])
    assert t.loc["14", "outlook"] == "stays_passing" and t.loc["14", "slope"] == 0
    assert t.loc["3", "outlook"] == "insufficient_data" and t.loc["3", "n_years"] == 1


def test_too_few_years_gives_no_projection(synth):
    s = indicator_series(synth, years=[2016, 2017])
    t = fit_trends(s).set_index("number")
    assert (t["outlook"] == "insufficient_data").all()
    assert t["slope"].isna().all()
    two = fit_trends(s, min_years=2).set_index("number")
    assert (
        two.loc["11", "slope"] == pytest.approx(-0.05) and two.loc["11", "outlook"] == "will_pass"
    )


def test_nantong_has_few_years_per_indicator(nantong_dir):
    series, t = park_trends(ecopark.load_park(nantong_dir))
    assert set(series["year"]) == {2015, 2018, 2021}
    # 14 has 2015 and 2021, 8 has 2018 and 2021: fewer than 3 years, no projection
    t = t.set_index("number")
    assert t.loc["14", "n_years"] == 2 and t.loc["14", "outlook"] == "insufficient_data"
    assert t.loc["20", "outlook"] == "insufficient_data"


def test_no_projection_beyond_the_horizon(tmp_path):
    # 11 = 0.52 - 0.00015k: failing ≤0.5, the line reaches 0.5 at k = 133.3 (2148.3).
    years = {2015 + k: {"value_added": 100000.0, "energy": 52000.0 - 15.0 * k} for k in range(4)}
    trends = fit_trends(indicator_series(ecopark.load_park(write_park(tmp_path, years))))
    r11 = trends.set_index("number").loc["11"]
    assert r11["slope"] == pytest.approx(-0.00015)
    assert r11["outlook"] == "never" and pd.isna(r11["crossing_year"])
    assert r11["exact_crossing"] == pytest.approx(2015 + 20 / 0.15)
    assert r11["outlook_zh"] == "按现有速度 30 年内无法达标"
    assert (
        fit_trends(indicator_series(ecopark.load_park(tmp_path / "synth")), horizon=300)
        .set_index("number")
        .loc["11", "crossing_year"]
        == 2149
    )


#: scipy.stats.linregress(x, y).rvalue and .pvalue (scipy 1.17.1), x = 2015, 2016, ...
LINREGRESS = [
    ([0.72, 0.67, 0.62, 0.57], "-1.0", "1e-20"),  # a straight line: r clipped to -1
    ([0.5, 0.55, 0.45, 0.5, 0.61], "0.44369638832609837", "0.45419424671617276"),
    ([1e6, 0.0, 3.25, 7.0], "-0.7745930544320031", "0.2254069455679969"),
    ([0.3, 0.3, 0.3000000001], "0.8660254037844386", "0.3333333333333334"),
    ([2.0, 1.0], "-1.0", "0.0"),  # two points: p is 0
]


@pytest.mark.parametrize(("y", "r", "p"), LINREGRESS)
def test_r_and_p_are_scipys_linregress_bit_for_bit(y, r, p):
    """fit_trends' r and p are worked out without importing scipy.stats (≈1 s of CPU), by the
    same operations as scipy.stats.linregress: the same floats it gives (recorded here, so
    that the test imports no scipy.stats either)."""
    import numpy as np

    from ecopark.trends import _pearson

    x = np.arange(2015.0, 2015.0 + len(y))
    got = _pearson(x, np.asarray(y))
    assert (repr(float(got[0])), repr(float(got[1]))) == (r, p)
