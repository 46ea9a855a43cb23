"""The engine on hand-worked cases: every expected value is worked out here, by hand.

Each case is a small park folder written to ``tmp_path`` (see ``parkfiles.py``), or the Nantong
data with one thing changed. The expected numbers come from the arithmetic in the comments,
never from the engine's own formulas.
"""

from __future__ import annotations

import csv
import math

import pytest

import ecopark
from parkfiles import nantong_copy, row, table_rows, write_park

# --- helpers -------------------------------------------------------------------------------


def assess(folder, year=2021):
    return ecopark.assess(ecopark.load_park(folder), year)


@pytest.fixture(scope="module")
def expected_rows(expected_nantong_csv):
    return list(csv.DictReader(expected_nantong_csv.open(encoding="utf-8")))


def reasons_about(a, number):
    return [r for r in a.reasons if r.number == str(number)]


# --- the elasticities 10, 13, 25 when value added falls ------------------------------------

# Base year 2015, T = 2021, n = 6. Value added falls from 729000 to 64000 万元:
#   (64000 / 729000) ** (1/6) = (64/729) ** (1/6) = 2/3, so g_V = 2/3 - 1 = -1/3.
FALLING = {
    2015: {
        "value_added": "729000",
        "energy": "409600",
        "fresh_water": "1000",
        "cod": "6400",
        "ammonia_nitrogen": "729",
        "so2": "500",
        "nox": "4096",
    },
    2021: {
        "value_added": "64000",
        "energy": "72900",
        "fresh_water": "531.441",
        "cod": "100",
        "ammonia_nitrogen": "64",
        "so2": "500",
        "nox": "729",
    },
}


def test_falling_value_added_flips_the_elasticity_requirements(tmp_path):
    a = assess(write_park(tmp_path, FALLING))
    # 10: energy (72900/409600)^(1/6) = (729/4096)^(1/6) = 3/4 -> -0.25; E = -0.25 / -1/3 = 0.75
    assert (row(a, 10)["requirement"], row(a, 10)["value"], row(a, 10)["passed"]) == (
        "≥0.6",
        "0.75",
        "true",
    )
    assert a.result(10).value == pytest.approx(0.75, rel=1e-12)
    # 13: fresh water 531.441/1000 = 0.9^6 -> -0.1; E = -0.1 / -1/3 = 0.30 < 0.55: fails
    assert (row(a, 13)["requirement"], row(a, 13)["value"], row(a, 13)["passed"]) == (
        "≥0.55",
        "0.30",
        "false",
    )
    # 25: COD (1/64)^(1/6) = 1/2 -> E 1.5; NH3-N 64/729 -> 2/3 -> E 1.0; SO2 unchanged -> E 0;
    #     NOx 729/4096 -> 3/4 -> E 0.75.  Mean (1.5 + 1 + 0 + 0.75) / 4 = 0.8125 -> 0.81 >= 0.3
    assert (row(a, 25)["requirement"], row(a, 25)["value"], row(a, 25)["passed"]) == (
        "≥0.3",
        "0.81",
        "true",
    )
    assert a.result(25).value == pytest.approx(0.8125, rel=1e-12)
    assert not a.compliant
    assert any("≥0.55" in r.zh for r in reasons_about(a, 13))


def test_falling_value_added_and_rising_energy_fails_10(tmp_path):
    years = {y: dict(items) for y, items in FALLING.items()}
    years[2021]["energy"] = "725594.3856"  # 409600 * 1.1^6 = 409600 * 1.771561 -> g_E = +0.1
    a = assess(write_park(tmp_path, years))
    # E = 0.1 / (-1/3) = -0.30, and the requirement is >= 0.6 when value added falls
    assert (row(a, 10)["requirement"], row(a, 10)["value"], row(a, 10)["passed"]) == (
        "≥0.6",
        "-0.30",
        "false",
    )
    assert reasons_about(a, 10)


def test_rising_value_added_keeps_the_upper_limits(nantong_dir):
    a = assess(nantong_dir)
    assert [row(a, n)["requirement"] for n in (10, 13, 25)] == ["≤0.6", "≤0.55", "≤0.3"]


def test_zero_growth_of_value_added_makes_elasticities_not_computable(tmp_path):
    years = {y: dict(items) for y, items in FALLING.items()}
    years[2021]["value_added"] = "729000"  # the same as in 2015: g_V = 0
    a = assess(write_park(tmp_path, years))
    for number in (10, 13, 25):
        r = a.result(number)
        assert (row(a, number)["value"], row(a, number)["passed"]) == ("", "")
        assert r.value is None and r.passed is None
        assert "为 0" in r.reason_zh and "did not grow" in r.reason_en
        assert reasons_about(a, number), f"the verdict must say why {number} cannot be judged"
    assert not a.compliant


# --- 16: the reclaimed-water limit by region -----------------------------------------------


@pytest.mark.parametrize(
    ("region", "requirement", "passed"),
    [("other", "≥10", "true"), ("water_scarce", "≥20", "true"), ("jingjinji", "≥30", "false")],
)
def test_reclaimed_water_limit_by_region(tmp_path, region, requirement, passed):
    a = assess(nantong_copy(tmp_path, {"water_region": region}))
    # 2038.15 / 6888.72 * 100 = 29.5868...: passes 10 and 20, fails the 30 of 京津冀
    assert (row(a, 16)["requirement"], row(a, 16)["value"], row(a, 16)["passed"]) == (
        requirement,
        "29.59",
        passed,
    )
    assert a.compliant  # 16 is not selected by Nantong


def test_selected_16_in_jingjinji_breaks_the_verdict(tmp_path):
    a = assess(
        nantong_copy(
            tmp_path, {"water_region": "jingjinji", "selected_optional": [2, 6, 8, 11, 14, 16, 27]}
        )
    )
    assert not a.compliant
    [reason] = a.reasons
    assert reason.number == "16" and "29.59" in reason.zh and "30" in reason.zh


# --- selection rules: footnote b, at least six, must indicators ----------------------------


def test_footnote_b_selecting_7_while_4_fails(tmp_path):
    a = assess(nantong_copy(tmp_path, {"selected_optional": [2, 6, 7, 8, 11, 14, 27]}))
    assert row(a, 7)["passed"] == "true" and row(a, 4)["passed"] == "false"  # 82.00 / 4.29
    assert not a.compliant
    [reason] = a.reasons
    assert reason.number == "7"
    assert "注 b" in reason.zh and "指标 4" in reason.zh and "footnote b" in reason.en


def test_footnote_b_allows_7_when_4_passes(tmp_path):
    # 4: 1962480 / 4906200 * 100 = 40.00 >= 30
    a = assess(
        nantong_copy(
            tmp_path,
            {"selected_optional": [2, 6, 7, 8, 11, 14, 27]},
            change={2021: {"recycling_value_added": ("1962480", "万元")}},
        )
    )
    assert (row(a, 4)["value"], row(a, 4)["passed"]) == ("40.00", "true")
    assert a.compliant and a.reasons == ()


def test_fewer_than_six_optional_selected(tmp_path):
    a = assess(nantong_copy(tmp_path, {"selected_optional": [2, 6, 8, 11, 14]}))
    assert not a.compliant
    [reason] = a.reasons
    assert "5" in reason.zh and "6" in reason.zh and "at least 6" in reason.en
    # the table itself is computed in full
    assert all(r["value"] != "" for r in table_rows(a))


def test_no_optional_selected(tmp_path):
    a = assess(nantong_copy(tmp_path, {"selected_optional": []}))
    assert not a.compliant
    assert any("0 项" in r.zh for r in a.reasons)
    assert {r["role"] for r in table_rows(a)} == {"must", "optional"}


@pytest.mark.parametrize(
    ("item", "value", "number", "shown"),
    [
        ("green_coverage", ("12", "%"), 29, "12"),  # >= 15
        ("publicity_events", ("1", "次"), 32, "1"),  # >= 2
        ("key_source_compliance", ("不达标", ""), 17, "不达标"),  # 达标
        ("major_incidents", ("1", "起"), 19, "1"),  # 0
        ("env_management", ("95", "%"), 20, "95"),  # 100
        ("eco_chain_projects", ("5", "个"), 5, "5"),  # >= 6
    ],
)
def test_a_failing_must_indicator_is_a_reason(tmp_path, item, value, number, shown):
    a = assess(nantong_copy(tmp_path, change={2021: {item: value}}))
    assert (row(a, number)["value"], row(a, number)["passed"]) == (shown, "false")
    assert not a.compliant
    [reason] = a.reasons
    assert reason.number == str(number) and a.result(number).name_zh in reason.zh
    assert "必选" in reason.zh and shown in reason.zh


def test_a_failing_selected_indicator_is_a_reason(tmp_path):
    # 27: 27554880 * 1.5 = 41332320 t / 4906200 万元 = 8.42 > 7
    a = assess(nantong_copy(tmp_path, change={2021: {"wastewater": ("41332320", "吨")}}))
    assert (row(a, 27)["value"], row(a, 27)["passed"]) == ("8.42", "false")
    [reason] = a.reasons
    assert reason.number == "27" and "所选" in reason.zh


def test_the_nantong_verdict_reasons_are_empty(nantong_dir):
    a = assess(nantong_dir)
    assert a.compliant and a.reasons == ()
    assert "符合" in a.verdict_text()


# --- missing items, zero denominators, missing history -------------------------------------


def test_a_missing_item_makes_only_its_indicators_not_computable(tmp_path, expected_rows):
    a = assess(nantong_copy(tmp_path, drop={2021: {"renewable_energy"}}))
    rows = table_rows(a)
    assert (rows[11]["value"], rows[11]["passed"]) == ("", "")
    assert "可再生能源使用量" in a.result(12).reason_zh and "2021" in a.result(12).reason_zh
    assert "renewable_energy" in a.result(12).reason_en
    assert rows[:11] + rows[12:] == expected_rows[:11] + expected_rows[12:]
    assert a.compliant  # 12 is optional and not selected


def test_a_missing_must_item_breaks_the_verdict(tmp_path):
    a = assess(nantong_copy(tmp_path, drop={2021: {"key_source_compliance"}}))
    assert (row(a, 17)["value"], row(a, 17)["passed"]) == ("", "")
    assert not a.compliant
    [reason] = a.reasons
    assert reason.number == "17" and "无法判定" in reason.zh
    assert "工业园区重点污染源稳定排放达标情况" in reason.zh


def test_a_missing_base_year_item(tmp_path):
    a = assess(nantong_copy(tmp_path, drop={2015: {"value_added"}}))
    for number in (10, 13, 25, 26):  # every indicator that reads value_added[B]
        assert row(a, number)["value"] == "", number
        assert "工业增加值（2015 年）" in a.result(number).reason_zh
    assert row(a, 2)["value"] == "47.85"
    assert {r.number for r in a.reasons} == {"10", "13", "25", "26"}


@pytest.mark.parametrize(
    ("year", "item", "not_computable"),
    [
        (2021, "industrial_output", {1}),
        (2021, "energy", {12}),  # 11 is 0.00; 10 is computable: energy fell by 100 %
        (2015, "energy", {10}),  # a growth rate from zero
        (2021, "value_added", {4, 11, 14, 26, 27, 28}),  # 2 and 8 are 0.00
        (2021, "wwtp_discharge", {16}),
        (2021, "industrial_land", {8, 9}),
        (2018, "industrial_land", {9}),
        (2018, "value_added", {3, 9}),
    ],
)
def test_zero_denominators_are_not_computable(tmp_path, year, item, not_computable):
    unit = {
        "industrial_output": "万元",
        "energy": "吨标煤",
        "value_added": "万元",
        "wwtp_discharge": "万吨",
        "industrial_land": "平方公里",
    }[item]
    a = assess(nantong_copy(tmp_path, change={year: {item: ("0", unit)}}))
    rows = table_rows(a)
    assert {int(r["number"]) for r in rows if r["value"] == ""} == not_computable
    for number in not_computable:
        r = a.result(number)
        assert r.value is None and r.passed is None and r.reason_zh and r.reason_en
    for r in rows:
        assert not any(bad in r["value"].lower() for bad in ("inf", "nan")), r
    for r in a.results:
        assert r.value is None or isinstance(r.value, str) or math.isfinite(r.value)


def test_energy_zero_in_t_gives_a_finite_elasticity(tmp_path):
    a = assess(nantong_copy(tmp_path, change={2021: {"energy": ("0", "吨标煤")}}))
    # energy growth (0/x)^(1/6) - 1 = -1; g_V = (4906200/3266100)^(1/6) - 1
    g_v = (4906200 / 3266100) ** (1 / 6) - 1
    assert a.result(10).value == pytest.approx(-1 / g_v)
    assert row(a, 10)["value"] == "-14.25"  # -14.2512 half-up


def test_another_base_year_2016(tmp_path):
    # n = 2021 - 2016 = 5. CO2 intensity 1.0 t/万元 in 2016 and 118098/200000 = 0.59049 = 0.9^5
    # in 2021: 26 = (1 - 0.59049^(1/5)) * 100 = (1 - 0.9) * 100 = 10.00 (n = 6 would give 8.41)
    years = {
        2016: {"value_added": "100000", "co2": "100000", "energy": "100000"},
        2021: {"value_added": "200000", "co2": "118098", "energy": "127628.15625"},
    }
    a = assess(write_park(tmp_path, years, {"base_year": 2016}))
    assert (row(a, 26)["value"], row(a, 26)["passed"]) == ("10.00", "true")
    assert a.result(26).value == pytest.approx(10.0, rel=1e-12)
    # 10: energy 127628.15625 / 100000 = 1.05^5 -> 0.05; value added 2^(1/5) - 1 = 0.1487
    assert a.result(10).value == pytest.approx(0.05 / (2**0.2 - 1), rel=1e-12)
    assert (row(a, 10)["value"], row(a, 10)["requirement"]) == ("0.34", "≤0.6")


def test_the_base_year_itself_has_no_growth(tmp_path):
    a = assess(nantong_copy(tmp_path), 2015)
    for number in (10, 13, 25, 26):
        assert row(a, number)["value"] == "" and "基准年" in a.result(number).reason_zh


def test_missing_t_minus_3_file(tmp_path, expected_rows):
    a = assess(nantong_copy(tmp_path, years=(2015, 2021)))
    rows = table_rows(a)
    for number in (3, 9):
        assert (rows[number - 1]["value"], rows[number - 1]["passed"]) == ("", "")
        assert "2018" in a.result(number).reason_zh
    assert "工业增加值（2018 年）" in a.result(3).reason_zh
    assert "工业用地面积（2018 年）" in a.result(9).reason_zh
    others = [r for r in rows if r["number"] not in ("3", "9")]
    assert others == [r for r in expected_rows if r["number"] not in ("3", "9")]
    assert a.compliant


# --- footnote a ----------------------------------------------------------------------------


def test_footnote_a_without_a_sector_benchmark(tmp_path):
    a = assess(nantong_copy(tmp_path, {"dominant_sector_share": 0.8}))
    r = a.result(6)
    assert r.value == pytest.approx(95.84040, abs=1e-4)  # 664537.525 / 693379.513 * 100
    assert r.passed is None and r.limit is None
    assert "注 a" in r.reason_zh and "sector_benchmarks" in r.reason_zh
    assert (
        r.requirement == "该行业清洁生产一级水平（注 a）"
    )  # not the generic ≥70, which no longer applies
    assert not a.compliant  # 6 is selected and cannot be judged
    [reason] = a.reasons
    assert reason.number == "6" and "注 a" in reason.zh


@pytest.mark.parametrize(("benchmark", "passed"), [(90, True), (96, False)])
def test_footnote_a_with_a_sector_benchmark(tmp_path, benchmark, passed):
    a = assess(
        nantong_copy(tmp_path, {"dominant_sector_share": 0.8, "sector_benchmarks": {6: benchmark}})
    )
    assert (row(a, 6)["requirement"], row(a, 6)["value"]) == (f"≥{benchmark}", "95.84")
    assert a.result(6).passed is passed and a.compliant is passed


def test_footnote_a_needs_more_than_70_percent(tmp_path):
    a = assess(nantong_copy(tmp_path, {"dominant_sector_share": 0.7, "sector_benchmarks": {6: 99}}))
    assert (row(a, 6)["requirement"], row(a, 6)["passed"]) == ("≥70", "true")
    assert a.compliant


# --- rounding in the table -----------------------------------------------------------------


def test_nantong_values_show_the_official_rounding(nantong_dir):
    a = assess(nantong_dir)
    assert a.result(12).value == pytest.approx(0.0026237, rel=1e-4)  # 51.8 / 1974333.51 * 100
    assert row(a, 12)["value"] == "0.0026"
    assert a.result(7).value == pytest.approx(82.0, abs=0.01)  # 3457067 / 4215935 * 100
    assert row(a, 7)["value"] == "82.00"
    assert row(a, 10)["value"] == "-0.03"  # -0.025412...
    assert row(a, 29)["value"] == "20.2"  # reported as given
    assert row(a, 5)["value"] == "6"


def test_pass_and_fail_follow_the_declared_comparison(tmp_path):
    # 11: 50490 / 100000 = 0.5049, printed 0.50. Under GB/T 8170's 全数值比较法 (the default)
    # the exact 0.5049 exceeds <= 0.5 and fails, shown 0.50(+); under 修约值比较法 the value
    # rounded to the limit's one decimal, 0.5, meets it (issue 9: no longer judged on the print)
    a = assess(write_park(tmp_path, {2021: {"energy": "50490", "value_added": "100000"}}))
    assert (row(a, 11)["value"], row(a, 11)["passed"]) == ("0.50", "false")
    assert a.result(11).value == pytest.approx(0.5049)
    assert a.result(11).display_marked == "0.50(+)"
    rounded = write_park(
        tmp_path / "rounded",
        {2021: {"energy": "50490", "value_added": "100000"}},
        {"rules": {"comparison": "rounded_value"}},
    )
    b = assess(rounded)
    assert (row(b, 11)["value"], row(b, 11)["passed"]) == ("0.50", "true")
    assert b.result(11).mark == ""


def test_a_nearly_empty_year_is_still_a_full_table(tmp_path):
    a = assess(write_park(tmp_path, {2021: {"green_coverage": ("18", "%")}}))
    rows = table_rows(a)
    assert [r["number"] for r in rows] == [str(n) for n in range(1, 33)]
    assert [r["number"] for r in rows if r["value"]] == ["29"]
    assert not a.compliant


def test_evaluate_is_pure_and_agrees_with_assess(nantong_dir):
    park = ecopark.load_park(nantong_dir)
    a = ecopark.assess(park, 2021)
    from ecopark.engine import context, evaluate

    values = context(park, 2021)
    ind = park.standard.indicator(11)
    ev = evaluate(ind, park.standard, park.config, values, 2021)
    assert ev.value == pytest.approx(1974333.51 / 4906200) == a.result(11).value
    changed = dict(values, **{"energy@T": 2453100.0})  # 2453100 / 4906200 = 0.5
    assert evaluate(ind, park.standard, park.config, changed, 2021).value == pytest.approx(0.5)
    assert values["energy@T"] == 1974333.51  # untouched


def test_zero_denominator_reason_names_the_item_in_chinese(tmp_path):
    a = assess(nantong_copy(tmp_path, change={2021: {"industrial_output": ("0", "万元")}}))
    assert a.result(1).reason_zh == "分母 园区工业总产值 为 0"
    assert a.result(1).reason_en == "the denominator industrial_output is zero"


# --- the requirement model: which limit applies, and its words -----------------------------


def test_requirement_applicable_chooses_the_branch_by_the_sign_of_g_v():
    std = ecopark.load_standard()
    req = std.indicator(10).requirement
    # g_V = cagr(value_added, value_added[B], n): 1000 -> 1210 over n = 2 is +10 %/a, 1210 -> 1000 is -9.1 %/a
    rising = {"value_added@T": 1210.0, "value_added@B": 1000.0}
    falling = {"value_added@T": 1000.0, "value_added@B": 1210.0}
    flat = {"value_added@T": 1000.0, "value_added@B": 1000.0}
    up = req.applicable(rising, 2)
    assert (up.limit.op, up.limit.value, up.text, up.reason_zh) == ("<=", 0.6, "≤0.6", "")
    down = req.applicable(falling, 2)
    assert (down.limit.op, down.limit.value, down.text) == (">=", 0.6, "≥0.6")
    zero = req.applicable(flat, 2)
    assert zero.limit is None and zero.text == ">0 时 ≤0.6；<0 时 ≥0.6"
    assert zero.reason_zh == "园区工业增加值建设期年均增长率为 0，要求无定义"
    missing = req.applicable({}, 2)
    assert missing.limit is None and missing.reason_en.endswith("cannot be computed")


def test_requirement_applicable_by_region_and_footnote_a():
    std = ecopark.load_standard()
    region = std.indicator(16).requirement
    assert region.applicable({}, 6, {"water_region": "jingjinji"}).text == "≥30"
    assert region.applicable({}, 6, {"water_region": "other"}).limit.value == 10
    assert region.applicable({}, 6).limit.value == 10  # the attribute's default: other
    six = std.indicator(6)
    rule = six.condition("benchmark_when")
    assert (rule.attribute.name, rule.op, rule.value, rule.mark) == (
        "dominant_sector_share",
        ">",
        pytest.approx(0.7),
        "a",
    )
    assert six.applicable({}, 6, {"dominant_sector_share": 0.7}).text == "≥70"  # not above 70 %
    bench = six.applicable({}, 6, {"dominant_sector_share": 0.8}, 92.5)
    assert (bench.limit.op, bench.limit.value, bench.text) == (">=", 92.5, "≥92.5")
    none = six.applicable({}, 6, {"dominant_sector_share": 0.8})
    assert none.limit is None and none.text == "该行业清洁生产一级水平（注 a）"
    assert none.reason_zh.startswith("注 a：最大行业产值占比 80% 超过 70%")
    assert std.indicator(1).condition("benchmark_when") is None


def test_requirement_describe_official_and_branches():
    std = ecopark.load_standard()
    assert std.indicator(1).requirement.describe() == "≥30"
    assert std.indicator(17).requirement.describe("official") == "达标"
    assert std.indicator(13).requirement.describe("official") == (
        "当园区工业增加值建设期年均增长率>0,≤0.55 当园区工业增加值建设期年均增长率<0,≥0.55"
    )
    assert std.indicator(16).requirement.describe("official") == (
        "缺水城市达到20%以上 京津冀区域达到30%以上 其他地区达到10%以上"
    )
    assert std.indicator(16).requirement.describe("branches") == (
        "water_scarce ≥20；jingjinji ≥30；other ≥10"
    )
    with pytest.raises(ValueError, match="unknown style"):
        std.indicator(1).requirement.describe("short")
