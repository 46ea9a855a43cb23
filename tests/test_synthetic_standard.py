"""A second, synthetic standard (tests/standards/synthetic_demo.yaml, 合成示例标准: made up, not
shipped) assessed end to end with no standard-specific code (issue 12, item 4).

Park ``synth-park``: base year 2020, year 2021, park_type chemical, water_region water_scarce.
Hand-worked values for 2021 (value added 100,000 万元):

- A1 energy / value added = 45,000 / 100,000 = 0.45 吨标煤/万元; the limit for chemical ×
  water_scarce is ≤0.6 (general would be ≤0.5, chemical × other ≤0.8);
- A3 100 × 6,000 / 45,000 = 13.33 % ≥5;
- B2 100 × 25,000 / 100,000 = 25.00 % ≥20;
- C1 8 万m³ × 10,000 / 100,000 = 0.80 m³/万元 ≤10 (selectable only if B2 passes);
- G1 0 incidents (=0), G2 达标.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import ecopark
from ecopark.standard import model, registry
from ecopark.tables.output import to_csv, verdict_word

HERE = Path(__file__).parent
DEFINITION = HERE / "standards" / "synthetic_demo.yaml"
CODE = "SYNTH-DEMO 0.1"

YEAR_2021 = {
    "value_added": ("100000", "万元"),
    "energy": ("45000", "吨标煤"),
    "renewable_energy": ("6000", "吨标煤"),
    "recycling_value_added": ("25000", "万元"),
    "fresh_water": ("8", "万立方米"),
    "incidents_3y": ("0", "起"),
    "key_source_compliance": ("达标", ""),
}


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    """The synthetic definition found by its code for the test, as a user's folder (then forgotten)."""
    monkeypatch.setenv(registry.ENV_VAR, str(DEFINITION.parent.resolve()))
    model.load_standard.cache_clear()
    yield
    model.load_standard.cache_clear()


def write_park(tmp_path: Path, extra: str = "", change: dict | None = None) -> Path:
    folder = tmp_path / "synth-park"
    folder.mkdir(parents=True)
    (folder / "park.yaml").write_text(
        "id: synth-park\nname: 合成园区\nbase_year: 2020\n"
        f"standard: {CODE}\npark_type: chemical\nwater_region: water_scarce\n"
        f"selected_optional: [B2, C1]\n{extra}",
        encoding="utf-8",
    )
    values = {**YEAR_2021, **(change or {})}
    for year in (2020, 2021):
        lines = ["item,value,unit"] + [f"{k},{v},{u}" for k, (v, u) in values.items()]
        (folder / f"{year}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def assess(folder: Path) -> ecopark.Assessment:
    return ecopark.assess(ecopark.load_park(folder), 2021)


def test_the_definition_loads_with_string_ids_tiers_and_rules():
    std = ecopark.load_standard(CODE)
    assert [i.number for i in std.indicators] == ["G1", "G2", "A1", "A3", "B2", "C1"]
    assert std.indicator("C1").label == "C-1"
    assert [(t.id, t.rule, t.min_selected) for t in std.tiers] == [
        ("basic", "gate", 0),
        ("must", "all_pass", 0),
        ("feature", "select", 1),
    ]
    assert std.optional_numbers == ["B2", "C1"]
    req = std.indicator("A1").requirement
    assert req.describe("official") == (
        "化工园区：缺水地区达到0.6吨标煤/万元以下 其他地区达到0.8吨标煤/万元以下；"
        "综合类园区达到0.5吨标煤/万元以下"
    )
    assert req.describe("branches") == "chemical （water_scarce ≤0.6；other ≤0.8）；general ≤0.5"
    for attrs, text in [
        ({"park_type": "chemical", "water_region": "water_scarce"}, "≤0.6"),
        ({"park_type": "chemical"}, "≤0.8"),  # water_region's default: other
        ({}, "≤0.5"),  # park_type's default: general
    ]:
        assert req.applicable({}, 1, attrs).text == text
    # rule texts generated from their parameters (no mark, no text_zh)
    assert std.footnotes == {}
    rule = std.indicator("A1").condition("benchmark_when")
    assert rule.footnote_zh == "主导行业产值占比超过 60%，该指标的指标值为园区提供的基准值。"
    assert std.indicator("C1").condition("selectable_if_passes").footnote_zh == (
        "“指标 B2”无法达标的园区不能选择此项指标作为考核指标。"
    )


def test_table_and_verdict(tmp_path):
    a = assess(write_park(tmp_path))
    rows = {r.number: r for r in a.results}
    assert {n: (r.display, r.requirement, r.passed, r.role) for n, r in rows.items()} == {
        "G1": ("0", "0", True, "must"),
        "G2": ("达标", "达标", True, "must"),
        "A1": ("0.45", "≤0.6", True, "must"),
        "A3": ("13.33", "≥5", True, "must"),
        "B2": ("25.00", "≥20", True, "selected"),
        "C1": ("0.80", "≤10", True, "selected"),
    }
    assert a.compliant and a.assessable and verdict_word(a) == "达标"
    assert a.verdict_text() == f"合成园区（2021 年）：符合 {CODE} 的要求。"
    lines = to_csv(a).splitlines()
    assert lines[0] == "number,category,indicator,unit,requirement,role,value,passed"
    assert lines[3] == "A1,降碳减污,单位工业增加值综合能耗,吨标煤/万元,≤0.6,must,0.45,true"


def test_park_type_and_region_choose_the_limit(tmp_path):
    # 0.55 吨标煤/万元: passes ≤0.6 (chemical × water_scarce), fails ≤0.5 (general)
    change = {"energy": ("55000", "吨标煤")}
    a = assess(write_park(tmp_path, change=change))
    assert (a.result("A1").display, a.result("A1").passed) == ("0.55", True)
    folder = write_park(tmp_path / "g", change=change)
    text = (folder / "park.yaml").read_text(encoding="utf-8").replace("chemical", "general")
    (folder / "park.yaml").write_text(text, encoding="utf-8")
    b = assess(folder)
    assert (b.result("A1").requirement, b.result("A1").passed) == ("≤0.5", False)
    [reason] = b.reasons
    assert (
        reason.zh
        == "必选指标 A1「单位工业增加值综合能耗」未达标：0.55吨标煤/万元，要求 ≤0.5吨标煤/万元"
    )


def test_a_gate_failure_is_not_assessable_and_the_rest_not_judged(tmp_path):
    # G1 fails (1 incident); A3 fails too (100 × 1,000 / 45,000 = 2.22 < 5) but is not judged
    change = {"incidents_3y": ("1", "起"), "renewable_energy": ("1000", "吨标煤")}
    a = assess(write_park(tmp_path, change=change))
    assert a.compliant is False and not a.assessable
    assert verdict_word(a) == "不具备评价条件"
    assert [(r.number, r.rule) for r in a.reasons] == [("G1", "gate"), (None, "not_assessable")]
    assert a.reasons[0].zh == "基本要求指标 G1「近三年重大环境事件数量」未达标：1起，要求 0"
    assert a.reasons[1].zh == "基本要求未全部满足，不具备评价条件，其余指标不作评价"
    assert a.verdict_text().startswith(f"合成园区（2021 年）：不具备 {CODE} 的评价条件，原因：")
    assert a.verdict_text("en").startswith("合成园区 (2021): is not assessable under SYNTH-DEMO")
    assert a.result("A3").display == "2.22"  # still computed, only not judged
    # the report's sentences say the same, never 不符合
    from ecopark.reports import narrative

    assert f"**不具备** {CODE} 的评价条件。" in narrative.verdict(a)
    assert f"**结论：不具备 {CODE} 的评价条件。**" in narrative.summary(
        a, pd.DataFrame(columns=["number"]), []
    )
    assert "不符合" not in narrative.verdict(a) + narrative.summary(
        a, pd.DataFrame(columns=["number"]), []
    )


def test_select_tier_counts_and_selectable_if_passes(tmp_path):
    # B2 fails (100 × 15,000 / 100,000 = 15.00 < 20): selecting C1 breaks its rule
    a = assess(write_park(tmp_path, change={"recycling_value_added": ("15000", "万元")}))
    assert [(r.number, r.rule) for r in a.reasons] == [
        ("B2", "select"),
        ("C1", "selectable_if_passes"),
    ]
    assert (
        a.reasons[1].zh
        == "指标 C-1「单位工业增加值新鲜水耗」不能选为考核指标：指标 B2「资源再生利用产业增加值占比」未达标"
    )
    assert (
        a.reasons[1].en
        == "indicator C-1 may not be selected (only if indicator B2 passes): indicator B2 does not pass"
    )
    folder = write_park(tmp_path / "none")
    text = (folder / "park.yaml").read_text(encoding="utf-8").replace("[B2, C1]", "[]")
    (folder / "park.yaml").write_text(text, encoding="utf-8")
    [reason] = assess(folder).reasons
    assert reason.zh == "只选择了 0 项特色指标作为考核指标，至少应选择 1 项"


def test_benchmark_when_the_dominant_sector_is_large(tmp_path):
    # share 0.7 > 0.6: the limit is the park's benchmark, keeping ≤
    a = assess(write_park(tmp_path, "dominant_sector_share: 0.7\n"))
    r = a.result("A1")
    assert (r.passed, r.requirement) == (None, "园区提供的基准值")
    assert (
        r.reason_zh
        == "主导行业产值占比 70% 超过 60%，须以园区提供的基准值为限值（park.yaml sector_benchmarks）"
    )
    b = assess(
        write_park(tmp_path / "b", "dominant_sector_share: 0.7\nsector_benchmarks: {A1: 0.4}\n")
    )
    assert (b.result("A1").requirement, b.result("A1").passed) == ("≤0.4", False)


def test_park_yaml_is_validated_from_the_definition(tmp_path):
    folder = write_park(tmp_path)
    text = (folder / "park.yaml").read_text(encoding="utf-8").replace("chemical", "steel")
    (folder / "park.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ecopark.InputError) as exc:
        ecopark.load_park(folder)
    [problem] = exc.value.problems
    assert problem.file.endswith("park.yaml") and (problem.line, problem.item) == (5, "park_type")
    assert (
        problem.message
        == "park_type 'steel' is not one of chemical (化工园区), general (综合类园区)"
    )


def test_gaps_advice_and_whatif(tmp_path):
    from ecopark.advisor import advise
    from ecopark.gaps import gap_table
    from ecopark.whatif import what_it_would_take

    a = assess(write_park(tmp_path, change={"energy": ("70000", "吨标煤")}))
    # A1 = 0.70 > 0.6 fails; A3 = 100 × 6,000 / 70,000 = 8.57 passes
    g = gap_table(a).set_index("number")
    assert g.loc["A1", "status"] == "fail" and g.loc["A3", "display"] == "8.57"
    w = what_it_would_take(a)
    energy = w[(w["number"] == "A1") & (w["item"] == "energy")]
    assert float(energy["required_value"].iloc[0]) == 60000  # 0.6 × 100,000 万元
    adv = advise(a)
    # margins: B2 (25 − 20) / 20 = 25 %, C1 (10 − 0.8) / 10 = 92 %: the one to pick is C1
    assert adv.margins == pytest.approx({"B2": 25.0, "C1": 92.0})
    assert adv.recommended == ("C1",) and adv.min_selected == 1


# --------------------------------------------------------------------------------------------
# Two standards on one park: tests/data/two-standards is Nantong ETDZ's raw items (2015, 2018,
# 2021) plus incidents_3y, the one item only SYNTH-DEMO 0.1 reads; park_type chemical,
# water_region other, selected {HJ 274-2015: [2, 6, 8, 11, 14, 27], SYNTH-DEMO 0.1: [C1]}.

TWO = HERE / "data" / "two-standards"


def copy_two(tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(TWO, tmp_path / "two-standards"))


def test_a_park_folder_carries_the_items_of_both_standards():
    park = ecopark.load_park(TWO)
    assert (park.standard.code, [s.code for s in park.also]) == ("HJ 274-2015", [CODE])
    # HJ 274-2015 ignores incidents_3y, SYNTH-DEMO 0.1 ignores the 29 items it does not know
    assert "incidents_3y" not in park.values(2021)
    synth = park.under(CODE).values(2021)
    assert synth["incidents_3y"] == 0 and "hightech_output" not in synth
    assert sorted(synth) == sorted(model.load_standard(CODE).items)
    assert ecopark.check_park(TWO) == []


def test_an_item_unknown_to_all_the_parks_standards_is_an_error(tmp_path):
    folder = copy_two(tmp_path)
    path = folder / "2021.csv"
    path.write_text(path.read_text(encoding="utf-8") + "incidents_3yr,0,起\n", encoding="utf-8")
    message = (
        "unknown item (known to none of the park's standards: HJ 274-2015, SYNTH-DEMO 0.1); "
        "did you mean 'incidents_3y' or 'major_incidents'?"
    )
    for park in (ecopark.load_park(folder), ecopark.load_park(folder, standard=CODE)):
        with pytest.raises(ecopark.InputError) as exc:
            park.records(2021)
        [problem] = exc.value.problems
        assert (problem.line, problem.item) == (39, "incidents_3yr")
        assert problem.message == message.replace(
            "HJ 274-2015, SYNTH-DEMO 0.1",
            ", ".join([park.standard.code, *(s.code for s in park.also)]),
        )
    # `check` reports it once, not once per standard
    [problem] = ecopark.check_park(folder)
    assert problem.file.endswith("2021.csv") and problem.line == 39
    # the columnar engine leaves the file to the per-park loader, which says why
    from ecopark.columnar import load_table

    table = load_table([folder])
    assert (0, 2021) in table.bad and (0, 2018) not in table.bad


def test_a_park_of_one_standard_still_refuses_the_others_items(tmp_path):
    folder = write_park(tmp_path, change={"hightech_output": ("1", "万元")})
    with pytest.raises(ecopark.InputError) as exc:
        ecopark.load_park(folder).records(2021)
    [problem] = exc.value.problems
    assert problem.item == "hightech_output" and problem.message.startswith("unknown item; ")


# Side by side on Nantong's 2021 items (hand-worked; value added 4,906,200 万元, energy
# 1,974,333.51 吨标煤, renewable 51.8 吨标煤, recycling 210,497.4 万元, fresh water 3,744.0675 万m³):
# HJ 4 / B2 100 × 210,497.4 / 4,906,200 = 4.29 % (≥30 fails; ≥20 fails);
# HJ 11 / A1 1,974,333.51 / 4,906,200 = 0.40 (≤0.5 passes; chemical × other ≤0.8 passes);
# HJ 12 / A3 100 × 51.8 / 1,974,333.51 = 0.0026 % (≥9 fails, not selected; ≥5 fails, must);
# HJ 14 / C1 3,744.0675 × 10,000 / 4,906,200 = 7.63 (≤8 within 5 %: at risk; ≤10 passes);
# HJ 17 / G2 达标 both; G1 (incidents_3y = 0) only in SYNTH-DEMO 0.1; 27 indicators only in HJ.
SIDE_BY_SIDE = {
    # HJ id: (synthetic id, HJ display, synthetic display, HJ status, synthetic status)
    "4": ("B2", "4.29", "4.29", "fail", "fail"),
    "11": ("A1", "0.40", "0.40", "pass", "pass"),
    "12": ("A3", "0.0026", "0.0026", "fail", "fail"),
    "14": ("C-1", "7.63", "7.63", "at_risk", "pass"),
    "17": ("G2", "达标", "达标", "pass", "pass"),
}
HJ_VERDICT = "双标准测试园区（2021 年）：符合 HJ 274-2015 的要求。"
SYNTH_VERDICT = (
    f"双标准测试园区（2021 年）：不符合 {CODE} 的要求，原因：\n"
    "  1. 必选指标 A3「可再生能源使用比例」未达标：0.0026%，要求 ≥5%\n"
    "  2. 指标 C-1「单位工业增加值新鲜水耗」不能选为考核指标："
    "指标 B2「资源再生利用产业增加值占比」未达标"
)


def test_compare_standards_side_by_side():
    t = ecopark.compare_standards(ecopark.load_park(TWO), 2021)
    assert len(t) == 33 and list(t["in"]).count("both") == 5
    both = t[t["in"] == "both"].set_index("number_a")
    got = {
        n: (r.number_b, r.display_a, r.display_b, r.status_a, r.status_b)
        for n, r in both.iterrows()
    }
    assert got == SIDE_BY_SIDE
    assert both.loc["12", "counts_a"] == False and both.loc["12", "counts_b"] == True  # noqa: E712
    assert both.loc["11", "change"] == 0 and both.loc["11", "requirement_b"] == "≤0.8"
    [g1] = t[t["in"] == "b"].itertuples()
    assert (g1.number_a, g1.number_b, g1.display_b, g1.status_b) == ("", "G1", "0", "pass")
    only_hj = t[t["in"] == "a"]
    assert len(only_hj) == 27 and set(only_hj["display_b"].isna()) == {True}
    assert only_hj.set_index("number_a").loc["3", "display_a"] == "2.82"
    assert t.attrs["verdict_a"] == HJ_VERDICT and t.attrs["verdict_b"] == SYNTH_VERDICT
    assert (t.attrs["compliant_a"], t.attrs["compliant_b"]) == (True, False)
    # the other way round: SYNTH-DEMO 0.1's order first, HJ's unmatched after
    r = ecopark.compare_standards(ecopark.load_park(TWO), 2021, CODE, "hj274-2015")
    assert list(r["number_a"][:7]) == ["G1", "G2", "A1", "A3", "B2", "C-1", ""]
    assert list(r["number_b"][:7]) == ["", "17", "11", "12", "4", "14", "1"]


def test_compare_standards_needs_two_of_the_parks_standards():
    with pytest.raises(ecopark.InputError, match="names one standard"):
        ecopark.compare_standards(ecopark.load_park(HERE.parent / "data" / "nantong-etdz"), 2021)
    with pytest.raises(ecopark.InputError, match="give two different standards"):
        ecopark.compare_standards(ecopark.load_park(TWO), 2021, CODE, CODE)


def test_same_as_naming_a_missing_indicator_is_an_error(tmp_path):
    import shutil

    folder = tmp_path / "defs"
    shutil.copytree(DEFINITION.parent, folder)
    path = folder / DEFINITION.name
    text = path.read_text(encoding="utf-8").replace('"HJ 274-2015": "11"', '"HJ 274-2015": "99"')
    path.write_text(text, encoding="utf-8")
    from ecopark.comparison import matched_pairs

    with pytest.raises(ecopark.InputError) as exc:
        matched_pairs(ecopark.load_standard(), model.load_standard_file(path))
    [problem] = exc.value.problems
    assert problem.message.startswith(
        "indicator A1: same_as names HJ 274-2015 indicator 99, which it does not have (1, 2,"
    )


def test_the_cli_compares_standards_and_chooses_one(tmp_path, capsys):
    from ecopark.cli import main

    out = tmp_path / "cmp.csv"
    assert main(["compare-standards", str(TWO), "2021", "-o", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "number_a,number_b,indicator_a,indicator_b,in,unit_a,unit_b,requirement_a,"
        "requirement_b,display_a,display_b,status_a,status_b,counts_a,counts_b"
    )
    assert lines[12] == (
        "12,A3,可再生能源使用比例,可再生能源使用比例,both,%,%,≥9,≥5,0.0026,0.0026,"
        "fail,fail,false,true"
    )
    assert lines[33] == ",G1,,近三年重大环境事件数量,b,,起,,0,,0,,pass,,true"
    assert SYNTH_VERDICT in capsys.readouterr().err
    # JSON: both verdicts, ids as the tables number them
    assert main(["compare-standards", str(TWO), "2021", "--format", "json"]) == 0
    import json

    doc = json.loads(capsys.readouterr().out)
    assert (doc["a"], doc["b"], doc["verdict_b"]) == ("HJ 274-2015", CODE, SYNTH_VERDICT)
    assert doc["rows"][13]["number_a"] == 14 and doc["rows"][13]["number_b"] == "C-1"
    # Markdown: the verdicts above the table
    assert main(["compare-standards", str(TWO), "2021", "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert "| 14 | C\\-1 | 单位工业增加值新鲜水耗 | 单位工业增加值新鲜水耗 |" in md
    # the output may not overwrite an input
    target = TWO / "2021.csv"
    before = target.read_bytes()
    assert main(["compare-standards", str(TWO), "2021", "-o", str(target)]) == 2
    assert target.read_bytes() == before
    # --standard: the table against the second of the park's standards
    assert main(["table", str(TWO), "2021", "--standard", CODE]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[1] == "G1,基本要求,近三年重大环境事件数量,起,0,must,0,true"
    assert table[4] == "A3,降碳减污,可再生能源使用比例,%,≥5,must,0.0026,false"
    # a standard the park does not name: exit 2, naming the park's standards
    nantong = str(HERE.parent / "data" / "nantong-etdz")
    assert main(["table", nantong, "2021", "--standard", CODE]) == 2
    err = capsys.readouterr().err
    assert "the park is not assessed against SYNTH-DEMO 0.1: its standard: names HJ 274-2015" in err


def test_attribution_of_a_synthetic_indicator_over_two_years(tmp_path):
    # A1 2020: 48,000 / 80,000 = 0.60; 2021: 45,000 / 100,000 = 0.45. LMDI-I with
    # L(0.45, 0.60) = −0.15 / ln 0.75 = 0.521414: energy L × ln(45/48) = −0.033651,
    # value added L × ln(0.8) = −0.116349; together −0.15
    folder = write_park(tmp_path)
    path = folder / "2020.csv"
    text = path.read_text(encoding="utf-8").replace("100000", "80000").replace("45000,", "48000,")
    path.write_text(text, encoding="utf-8")
    t = ecopark.attribute(ecopark.load_park(folder), 2020, 2021, ["A1"])
    assert list(t["number"]) == ["A1", "A1"]
    assert (t["from_value"].iloc[0], t["to_value"].iloc[0]) == pytest.approx((0.6, 0.45))
    assert list(t["effect"]) == pytest.approx([-0.033651, -0.116349], abs=1e-6)
    assert list(t["factor_ratio"]) == pytest.approx([0.9375, 0.8])
    assert t["effect"].sum() == pytest.approx(-0.15)
