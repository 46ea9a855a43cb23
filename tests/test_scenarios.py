"""What if: scenarios validated like year files, comparisons, and the long results table."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import ecopark
from ecopark.comparison import COMPARE_COLUMNS, RESULTS_COLUMNS
from ecopark.scenarios import CHANGE_COLUMNS, ScenarioAssessment

# Nantong 2021 as reported (data/nantong-etdz/2021.csv, catalogue units)
VALUE_ADDED = 4_906_200.0  # 万元
SOLID_WASTE = 690_540.672  # 吨
ENERGY = 1_974_333.51  # 吨标煤


@pytest.fixture(scope="module")
def park(nantong_dir):
    return ecopark.load_park(nantong_dir)


@pytest.fixture(scope="module")
def a(park):
    return ecopark.assess(park, 2021)


def test_relative_and_absolute_changes(a):
    s = a.scenario(value_added="+5%", solid_waste_generated=400_000)
    assert isinstance(s, ScenarioAssessment) and isinstance(s, ecopark.Assessment)
    assert s.base is a and s.year == 2021 and s.config == a.config
    assert list(s.changes.columns) == CHANGE_COLUMNS
    rows = s.changes.set_index("item")
    assert rows.loc["value_added", "before"] == VALUE_ADDED
    assert rows.loc["value_added", "after"] == 5_151_510.0  # 4,906,200 × 1.05 exactly
    assert rows.loc["value_added", "change_pct"] == pytest.approx(5.0)
    assert rows.loc["solid_waste_generated", "after"] == 400_000.0
    assert rows.loc["solid_waste_generated", "item_zh"] == "工业固体废物总产生量"
    # the engine recomputes every indicator that reads them
    assert s.result(11).value == pytest.approx(ENERGY / 5_151_510.0, rel=1e-12)
    assert s.result(28).value == pytest.approx(400_000 / 5_151_510.0, rel=1e-12)
    assert a.result(28).passed is False and s.result(28).passed is True
    # the original is untouched
    assert a.values["value_added@T"] == VALUE_ADDED and a.result(28).passed is False


def test_values_with_units_chinese_names_and_years(a):
    s = a.scenario({"工业固体废物总产生量": "50 万吨", "value_added@B": (326.61, "亿元")})
    rows = s.changes.set_index("item")
    assert rows.loc["solid_waste_generated", "after"] == 500_000.0  # 50 万吨 exactly
    assert rows.loc["value_added", "ref"] == "B"
    assert rows.loc["value_added", "after"] == 3_266_100.0  # 326.61 亿元 = 3,266,100 万元
    assert s.values["solid_waste_generated@T"] == 500_000.0
    assert s.result(28).value == pytest.approx(500_000 / VALUE_ADDED, rel=1e-12)


def test_status_words_and_not_reported(a):
    s = a.scenario(key_source_compliance="不达标")
    assert s.result(17).display == "不达标" and s.result(17).passed is False
    assert not s.compliant  # 17 is a must indicator
    gone = a.scenario(renewable_energy=None)
    assert "renewable_energy@T" not in gone.values and gone.result(12).value is None


def test_the_diff_lists_what_changed_and_what_flipped(a):
    s = a.scenario(solid_waste_generated=400_000)
    diff = s.diff
    assert list(diff.columns) == COMPARE_COLUMNS
    assert diff["number"].tolist() == ["6", "28"]  # the indicators that read solid waste at T
    r28 = diff.set_index("number").loc["28"]
    assert (r28["status_a"], r28["status_b"], bool(r28["flipped"])) == ("fail", "pass", True)
    assert r28["display_a"] == "0.14" and r28["value_a"] == pytest.approx(SOLID_WASTE / VALUE_ADDED)
    assert r28["change"] == pytest.approx(400_000 / VALUE_ADDED - SOLID_WASTE / VALUE_ADDED)


def test_no_change_is_an_identity(a):
    s = a.scenario(value_added=VALUE_ADDED)
    assert s.diff.empty
    pd.testing.assert_frame_equal(s.table(), a.table())
    assert s.compliant == a.compliant and s.reasons == a.reasons


def test_scenarios_chain_and_keep_the_original_base(a):
    s = a.scenario(value_added="+5%").scenario(value_added="-5%")
    assert s.base is a and len(s.changes) == 2
    assert s.values["value_added@T"] == pytest.approx(VALUE_ADDED * 1.05 * 0.95, rel=1e-15)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"value_add": 1}, ["unknown item", "'value_added'"]),
        ({"工业增加": 1}, ["unknown item", "工业增加值"]),
        ({"value_added": "lots"}, ["'lots' is not a number"]),
        ({"value_added": -1}, ["negative"]),
        ({"value_added": "-150%"}, ["negative"]),
        ({"value_added": True}, ["True is not a value"]),
        ({"value_added": [1]}, ["a list is not a value"]),
        ({"value_added": float("nan")}, ["not a finite number"]),
        ({"value_added": "5 吨"}, ["unit '吨' is not a unit of money", "万元"]),
        ({"value_added": "5 furlongs"}, ["unit 'furlongs' is unknown"]),
        ({"value_added@X": 1}, ["'@X' is not a year reference"]),
        ({"key_source_compliance": "ok"}, ["'ok' is not allowed", "达标 / 不达标"]),
        ({"key_source_compliance": 1}, ["not allowed"]),
        ({"eco_chain_projects": 6.5}, ["not a whole number"]),
    ],
)
def test_every_bad_change_is_refused_with_what_would_be_right(a, changes, words):
    with pytest.raises(ecopark.InputError) as exc:
        a.scenario(changes)
    (problem,) = exc.value.problems
    assert problem.file == "scenario" and problem.item == next(iter(changes))
    for word in words:
        assert word in problem.message, (word, problem.message)


def test_all_problems_at_once_and_a_relative_change_needs_a_value(a, park):
    with pytest.raises(ecopark.InputError) as exc:
        a.scenario(value_add=1, energy="x", so2=-3)
    assert [p.item for p in exc.value.problems] == ["value_add", "energy", "so2"]
    history = ecopark.assess(park, 2018)  # 2018 has only value added and land
    with pytest.raises(ecopark.InputError, match="has none in this assessment"):
        history.scenario(energy="+5%")
    with pytest.raises(ecopark.InputError, match="no change given"):
        a.scenario()


def test_compare_two_years(park, a):
    base = ecopark.assess(park, 2015)
    c = ecopark.compare(base, a)
    assert list(c.columns) == COMPARE_COLUMNS and c["number"].tolist() == [
        str(n) for n in range(1, 33)
    ]
    assert c.attrs == {
        "a": "nantong-etdz 2015",
        "b": "nantong-etdz 2021",
        "compliant_a": base.compliant,
        "compliant_b": True,
        "outcome_a": "not_judged",  # 2015 is the base year
        "outcome_b": "compliant",
    }
    r11 = c.set_index("number").loc["11"]  # energy per value added: 0.61 → 0.40 吨标煤/万元
    assert (r11["display_a"], r11["display_b"]) == ("0.61", "0.40")
    assert (r11["status_a"], r11["status_b"], bool(r11["flipped"])) == ("fail", "pass", True)
    assert r11["change"] == pytest.approx(r11["value_b"] - r11["value_a"])
    assert r11["change_pct"] == pytest.approx((r11["value_b"] / r11["value_a"] - 1) * 100)
    r14 = c.set_index("number").loc["14"]
    assert (r14["status_a"], r14["status_b"], bool(r14["flipped"])) == ("fail", "at_risk", True)
    # 2015 computes few indicators: the others changed from not computable, none flipped
    r1 = c.set_index("number").loc["1"]
    assert r1["status_a"] == "not_computable" and not r1["flipped"] and r1["changed"]
    assert math.isnan(r1["change"])


def test_compare_with_itself_and_two_parks(a, tmp_path):
    same = ecopark.compare(a, a)
    assert not same["changed"].any() and not same["flipped"].any()
    assert ecopark.compare(a, a, changed_only=True).empty
    from parkfiles import nantong_copy

    other = ecopark.assess(
        ecopark.load_park(nantong_copy(tmp_path, change={2021: {"energy": ("2500000", "吨标煤")}})),
        2021,
    )
    c = ecopark.compare(a, other, changed_only=True)
    assert c.attrs["b"] == "nantong-variant 2021"
    assert set(c["number"]) >= {"11"} and c.set_index("number").loc[
        "11", "value_b"
    ] == pytest.approx(2_500_000 / VALUE_ADDED)


def test_results_is_long_and_tidy(nantong_dir):
    r = ecopark.results(nantong_dir.parent)
    assert list(r.columns) == RESULTS_COLUMNS
    assert set(r["park"]) >= {"nantong-etdz"}
    nt = r[(r["park"] == "nantong-etdz") & (r["year"] == 2021)]
    assert nt["number"].tolist() == [str(n) for n in range(1, 33)] and nt["compliant"].all()
    row = nt.set_index("number").loc["12"]
    assert row["display"] == "0.0026" and row["status"] == "fail"
    assert row["value"] == pytest.approx(0.002623, abs=1e-6)
    assert not (r["year"] <= 2015).any()  # years after each base year
    assert r.groupby(["park", "year"]).size().eq(32).all()
    only = ecopark.results(nantong_dir.parent, years=[2021])
    assert set(only["year"]) == {2021}


def test_results_reports_bad_input(tmp_path):
    with pytest.raises(ecopark.InputError, match="is not a folder"):
        ecopark.results(tmp_path / "missing")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "park.yaml").write_text("id: bad\n", encoding="utf-8")
    with pytest.raises(ecopark.InputError):
        ecopark.results(tmp_path)
    assert ecopark.results(tmp_path / "bad").empty  # a folder with no park folders in it


def test_scenario_displays(a):
    s = a.scenario(solid_waste_generated=400_000)
    page = s._repr_html_()
    assert "原状态" in page and "新状态" in page and "工业固体废物总产生量" in page
    assert "400000" in page and "0.14" in page
    assert repr(s).endswith("scenario solid_waste_generated@T=400000>")


def test_a_scenario_is_judged_exactly_by_the_rule_in_force(park, a):
    """Energy set to exactly 0.505 × value added: 11 prints 0.50(+) and fails ≤0.5 (GB/T 8170)."""
    s = a.scenario(energy="2477631")  # 0.505 × 4,906,200 万元, exactly
    r = s.result(11)
    assert (r.display, r.mark, r.passed) == ("0.50", "(+)", False)
    assert s.rules == a.rules


def test_a_scenario_of_a_year_that_is_not_judged_stays_not_judged(park):
    s = ecopark.assess(park, 2015).scenario(value_added="+5%")
    assert not s.judged and s.compliant is None and s.judged_reason is not None
