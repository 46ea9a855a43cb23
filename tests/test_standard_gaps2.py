"""Issue 12, the remaining gaps: a park of several standards in sector files, park attributes of
any standard set by the importer, what-it-would-take under every form of ``selected_optional``,
and the portfolio's verdicts including a gate tier's 不具备评价条件 (no standard-specific code).

The second standard is the synthetic SYNTH-DEMO 0.1 (tests/standards, made up) or, where an
item only one standard adds up is needed, a copy of it with its own catalogue
(``SYNTH-SECTORS 0.1``: the same definition, ``renewable_energy`` and a made-up
``synthetic_output`` additive).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import ecopark
from ecopark.errors import InputError
from ecopark.io.sectors import read_sector_file, sector_table
from ecopark.standard import model, registry

HERE = Path(__file__).parent
STANDARDS = HERE / "standards"
SYNTH = "SYNTH-DEMO 0.1"
HJ = "HJ 274-2015"
TWO = HERE / "data" / "two-standards"


@pytest.fixture()
def user_standards(tmp_path, monkeypatch):
    """A user folder with SYNTH-DEMO 0.1 and SYNTH-SECTORS 0.1, found by their codes."""
    folder = tmp_path / "standards"
    shutil.copytree(STANDARDS, folder)
    text = (STANDARDS / "synthetic_demo.yaml").read_text(encoding="utf-8")
    text = text.replace("id: synth-demo-0.1", "id: synth-sectors-0.1")
    text = text.replace("code: SYNTH-DEMO 0.1", "code: SYNTH-SECTORS 0.1")
    text = text.replace("items: synthetic_demo_items.csv", "items: synthetic_sectors_items.csv")
    (folder / "synthetic_sectors.yaml").write_text(text, encoding="utf-8")
    items = (STANDARDS / "synthetic_demo_items.csv").read_text(encoding="utf-8").splitlines()
    items = [
        line.replace(
            "renewable_energy,可再生能源使用量,吨标煤,energy,number,,",
            "renewable_energy,可再生能源使用量,吨标煤,energy,number,4,",
        )
        for line in items
    ]
    items.append("synthetic_output,合成产出量,万元,money,number,5,,,,0,1e15")
    (folder / "synthetic_sectors_items.csv").write_text("\n".join(items) + "\n", encoding="utf-8")
    numbered = text.replace("synth-sectors-0.1", "synth-numbered-0.1")
    numbered = numbered.replace("code: SYNTH-SECTORS 0.1", "code: SYNTH-NUMBERED 0.1")
    numbered = numbered.replace("  - id: A3\n", '  - id: "10"\n')  # HJ 274-2015 has a "10" too
    (folder / "synthetic_numbered.yaml").write_text(numbered, encoding="utf-8")
    monkeypatch.setenv(registry.ENV_VAR, str(folder))
    model.load_standard.cache_clear()
    yield folder
    model.load_standard.cache_clear()


def sector_park(tmp_path: Path, rows: list[str], standards: str) -> Path:
    """The two-standards park (its 2021 items) naming ``standards``, with ``rows`` as the sector
    file of 2021."""
    folder = tmp_path / "two-standards"
    shutil.copytree(TWO, folder)
    yaml = (folder / "park.yaml").read_text(encoding="utf-8")
    yaml = yaml.replace(f"standard: [{HJ}, {SYNTH}]", f"standard: {standards}")
    yaml = yaml.replace(f"  {SYNTH}: [C1]", "")
    (folder / "park.yaml").write_text(yaml, encoding="utf-8")
    (folder / "sectors").mkdir()
    text = "sector,item,value,unit\n" + "\n".join(rows) + "\n"
    (folder / "sectors" / "2021.csv").write_text(text, encoding="utf-8")
    return folder


BOTH_ROWS = [
    "化工,value_added,3000000,万元",  # additive in both
    "化工,co2,100,吨",  # additive in HJ 274-2015 only (unknown to the synthetic one)
    "化工,synthetic_output,50,万元",  # additive in SYNTH-SECTORS only (unknown to HJ)
    "化工,renewable_energy,20,吨标煤",  # HJ: a non-additive item; SYNTH-SECTORS: additive
    "机械,value_added,1906200,万元",
    "机械,synthetic_output,7,万元",
]


def test_a_sector_file_carries_the_additive_items_of_each_of_the_parks_standards(
    tmp_path, user_standards
):
    folder = sector_park(tmp_path, BOTH_ROWS, "[HJ 274-2015, SYNTH-SECTORS 0.1]")
    hj = ecopark.load_park(folder)
    synth = ecopark.load_park(folder, "SYNTH-SECTORS 0.1")
    assert hj.standard.code == HJ and synth.standard.code == "SYNTH-SECTORS 0.1"
    t = sector_table(hj, 2021)
    assert list(t.columns) == ["value_added", "co2"]
    assert t.loc["化工", "co2"] == 100 and t.loc["机械", "value_added"] == 1906200
    s = sector_table(synth, 2021)
    assert list(s.columns) == ["value_added", "renewable_energy", "synthetic_output"]
    assert s.loc["化工", "renewable_energy"] == 20 and s.loc["机械", "synthetic_output"] == 7
    assert s.loc["化工", "value_added"] == 3000000
    # the same file read under one standard alone refuses the other's items
    path = folder / "sectors" / "2021.csv"
    with pytest.raises(InputError) as exc:
        read_sector_file(path, hj.standard, 2021)
    got = {(p.line, p.item): p.message for p in exc.value.problems}
    assert set(got) == {(4, "synthetic_output"), (5, "renewable_energy"), (7, "synthetic_output")}
    assert got[(5, "renewable_energy")].startswith("'可再生能源使用量' is not an additive item")


def test_an_item_additive_in_none_of_the_parks_standards_is_an_error_under_each(
    tmp_path, user_standards
):
    rows = [
        "化工,value_added,3000000,万元",
        "化工,incidents_3y,0,起",  # known to the synthetic standard only, additive in none
        "化工,employees,10,人",  # known to HJ only, not additive
        "化工,synthetic_outptu,5,万元",  # known to none: a hint from every catalogue
        "化工,co2_emitted,5,吨",  # known to none
    ]
    folder = sector_park(tmp_path, rows, "[HJ 274-2015, SYNTH-SECTORS 0.1]")
    path = folder / "sectors" / "2021.csv"
    for code in (HJ, "SYNTH-SECTORS 0.1"):
        park = ecopark.load_park(folder, code)
        with pytest.raises(InputError) as exc:
            read_sector_file(path, park.standard, 2021, park.also)
        problems = exc.value.problems
        assert all(p.file.endswith("two-standards/sectors/2021.csv") for p in problems)
        assert [(p.line, p.item) for p in problems] == [
            (3, "incidents_3y"),
            (4, "employees"),
            (5, "synthetic_outptu"),
            (6, "co2_emitted"),
        ]
        by_item = {p.item: p.message for p in problems}
        assert by_item["incidents_3y"].startswith(
            "'近三年发生重大及以上突发环境事件数量' is not an additive item; a sector file takes"
        )
        assert by_item["employees"].startswith("'年末从业人口' is not an additive item")
        assert "(and for " in by_item["employees"]  # the other standard's additive items named
        assert by_item["synthetic_outptu"].startswith(
            "unknown item (known to none of the park's standards: "
            f"{park.standard.code}, {park.also[0].code}); did you mean 'synthetic_output'"
        )
        assert by_item["co2_emitted"].startswith("unknown item (known to none")
        assert by_item["co2_emitted"].endswith(
            "; `ecopark template` writes a year file with every item id and name of "
            f"{park.standard.code} and {park.also[0].code}"
        )


def test_ecopark_check_reads_sector_files_with_the_parks_other_standards(
    tmp_path, user_standards, capsys
):
    from ecopark.cli import main

    good = sector_park(tmp_path / "a", BOTH_ROWS, "[HJ 274-2015, SYNTH-SECTORS 0.1]")
    assert main(["check", str(good)]) == 0
    bad = sector_park(
        tmp_path / "b", [*BOTH_ROWS, "机械,incidents_3y,0,起"], "[HJ 274-2015, SYNTH-SECTORS 0.1]"
    )
    capsys.readouterr()
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "sectors/2021.csv" in err and "line 8" in err and "is not an additive item" in err


# --------------------------------------------------------------------------------------------
# What it would take, whatever form park.yaml's selected_optional takes

NANTONG = HERE.parent / "data" / "nantong-etdz"
SELECTION_FORMS = {
    "list": "selected_optional: [{ids}]\n",
    "mapping": "selected_optional:\n  {code}: [{ids}]\n",
    "flow mapping": "selected_optional: {{{code}: [{ids}]}}\n",
}


def _with_selection(folder: Path, form: str, code: str, ids: str) -> Path:
    path = folder / "park.yaml"
    lines = [
        line
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
        if not line.startswith("selected_optional")
    ]
    path.write_text("".join(lines) + SELECTION_FORMS[form].format(code=code, ids=ids), "utf-8")
    return folder


def _take(folder: Path) -> list[tuple]:
    from ecopark.whatif import what_it_would_take

    t = what_it_would_take(ecopark.assess(ecopark.load_park(folder), 2021))
    return list(t[["number", "item", "required_value", "reachable"]].itertuples(index=False))


@pytest.mark.parametrize("form", list(SELECTION_FORMS))
def test_what_it_would_take_under_hj274_whatever_the_selections_form(tmp_path, form):
    # 7 (selectable only if 4 passes, 注 b) selected, at risk at 82.00; 4 fails
    folder = tmp_path / form.replace(" ", "-") / "nantong-etdz"
    shutil.copytree(NANTONG, folder)
    got = _take(_with_selection(folder, form, HJ, "2, 6, 7, 8, 11, 14, 27"))
    rows = {(n, item): (round(v, 2), ok) for n, item, v, ok in got}
    assert rows[("7", "recyclables_recycled")] == (3372748.0, True)
    assert rows[("7", "recyclables_collected")] == (4321333.0, True)
    assert rows[("14", "fresh_water")] == (3924.96, True)
    assert rows[("4", "recycling_value_added")] == (1471860.0, True)
    assert [n for n, *_ in got] == [
        "3",
        "4",
        "4",
        "5",
        "7",
        "7",
        "9",
        "9",
        "12",
        "12",
        "14",
        "14",
        "28",
        "28",
    ]


@pytest.mark.parametrize("form", list(SELECTION_FORMS))
def test_what_it_would_take_under_the_synthetic_standard_whatever_the_selections_form(
    tmp_path, user_standards, form
):
    # C1 (selectable only if B2 passes) selected and failing: 8,000,000 m³ / 100,000 万元 = 80.00
    # against ≤10: fresh water at most 100 万m³, or value added at least 800,000 万元
    folder = tmp_path / "synth-park"
    folder.mkdir()
    (folder / "park.yaml").write_text(
        f"id: synth-park\nname: 合成园区\nbase_year: 2020\nstandard: {SYNTH}\n"
        "park_type: chemical\nwater_region: water_scarce\n",
        encoding="utf-8",
    )
    rows = [
        "item,value,unit",
        "value_added,100000,万元",
        "energy,45000,吨标煤",
        "renewable_energy,6000,吨标煤",
        "recycling_value_added,25000,万元",
        "fresh_water,800,万立方米",
        "incidents_3y,0,起",
        "key_source_compliance,达标,",
    ]
    for year in (2020, 2021):
        (folder / f"{year}.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert _take(_with_selection(folder, form, SYNTH, "B2, C1")) == [
        ("C1", "fresh_water", 100.0, True),
        ("C1", "value_added", 800000.0, True),
    ]


# --------------------------------------------------------------------------------------------
# The portfolio: every verdict a standard's tiers can produce, 不具备评价条件 included

SYNTH_2021 = {
    "value_added": "100000",
    "energy": "45000",
    "renewable_energy": "6000",
    "recycling_value_added": "25000",
    "fresh_water": "8",
    "incidents_3y": "0",
    "key_source_compliance": "达标",
}


def synth_park(data: Path, park_id: str, code: str = SYNTH, **change: str) -> Path:
    """A SYNTH-DEMO 0.1 park (test_synthetic_standard's hand-worked values) in ``data``: base
    year 2020, 2021 compliant unless ``change`` says otherwise."""
    folder = data / park_id
    folder.mkdir(parents=True)
    (folder / "park.yaml").write_text(
        f"id: {park_id}\nname: {park_id} 园区\nbase_year: 2020\nstandard: {code}\n"
        "park_type: chemical\nwater_region: water_scarce\nselected_optional: [B2, C1]\n"
        "synthetic: true\n",
        encoding="utf-8",
    )
    for year in (2020, 2021):
        values = {**SYNTH_2021, **(change if year == 2021 else {})}
        lines = ["item,value,unit"] + [f"{k},{v}," for k, v in values.items()]
        (folder / f"{year}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture()
def portfolio_data(tmp_path, user_standards):
    data = tmp_path / "data"
    synth_park(data, "a-gate", incidents_3y="1")  # G1 fails: 不具备评价条件
    synth_park(data, "b-ok")  # every tier holds: 符合
    synth_park(data, "c-fail", renewable_energy="1000")  # A3 2.22 < 5: 不符合
    shutil.copytree(NANTONG, data / "nantong-etdz")  # HJ 274-2015, 2021: 符合
    return data


def test_results_carry_the_outcome_of_every_verdict(portfolio_data):
    from ecopark.verdict import OUTCOMES

    r = ecopark.results(portfolio_data)
    heads = r.drop_duplicates(["park", "year"]).set_index(["park", "year"])
    assert heads["outcome"].to_dict() == {
        ("a-gate", 2021): "not_assessable",
        ("b-ok", 2021): "compliant",
        ("c-fail", 2021): "not_compliant",
        ("nantong-etdz", 2018): "not_judged",  # only history for 2021
        ("nantong-etdz", 2021): "compliant",
    }
    assert set(r["outcome"]) <= set(OUTCOMES)
    assert not heads.loc[("a-gate", 2021), "compliant"]  # not compliant, as the engine says


def test_the_portfolio_counts_ranks_and_words_a_failed_gate(portfolio_data):
    from ecopark import portfolio

    r = ecopark.results(portfolio_data, years=[2021])
    t = portfolio.park_years(r).set_index("park")
    assert t["verdict"].to_dict() == {
        "a-gate": "不具备评价条件",
        "b-ok": "符合",
        "c-fail": "不符合",
        "nantong-etdz": "符合",
    }
    assert t.loc["a-gate", "outcome"] == "not_assessable" and t.loc["a-gate", "fail"] == 1
    rank = portfolio.ranking(r)
    # 符合 first (b-ok all pass; nantong has indicators at risk), then 不符合, then 不具备评价条件
    assert list(rank["park"]) == ["b-ok", "nantong-etdz", "c-fail", "a-gate"]
    assert list(rank["rank"]) == [1, 2, 3, 4]


def test_the_portfolio_report_says_and_colours_a_failed_gate(portfolio_data):
    from matplotlib.colors import to_hex

    from ecopark.plotting import margin_distribution
    from ecopark.plotting.portfolio_chart import NOT_ASSESSABLE_LABEL
    from ecopark.reports.portfolio import PortfolioSession
    from ecopark.verdict import VERDICT_COLOURS

    session = PortfolioSession(portfolio_data, 2021)
    text = session.compliance().parts[0].text
    assert text.startswith("2021 年共 4 个园区：符合 2 个，不符合 1 个，不具备评价条件 1 个。")
    ranking = session.ranking().parts[0].text
    assert ranking.startswith(
        "排名规则：符合要求的园区在前，不符合的其次，不具备评价条件的再次，不作评价的在后；"
    )
    fig = margin_distribution(session.results)
    ax = fig.axes[0]
    dots = ax.collections[0]
    colours = [to_hex(c) for c in dots.get_facecolors()]
    r = session.results
    counted = r[r["role"].isin(["must", "selected"]) & r["margin_pct"].notna()]
    gate = counted["park"] == "a-gate"
    assert (
        colours.count(VERDICT_COLOURS["not_assessable"].lower()) == gate.sum() == 4
    )  # A1 A3 B2 C1
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[-1] == NOT_ASSESSABLE_LABEL == "不具备评价条件（其余指标不作评价）"
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_an_hj274_portfolio_says_what_it_said(tmp_path):
    from ecopark.reports.portfolio import PortfolioSession

    data = tmp_path / "data"
    shutil.copytree(NANTONG, data / "nantong-etdz")
    ranking = PortfolioSession(data, 2021).ranking().parts[0].text
    assert ranking == (
        "排名规则：符合要求的园区在前，不符合的其次，不作评价的在后；同一结论下依次按未达标、"
        "临界、无法计算的考核指标个数从少到多排列，各项相同者名次并列。"
    )


# --------------------------------------------------------------------------------------------
# The importer: any attribute the standard declares, and --standard

FILLED_ON = __import__("datetime").date(2022, 8, 4)


def _workbook(tmp_path: Path, a: ecopark.Assessment, name: str) -> Path:
    from ecopark.tables.officetable import workbook_bytes

    path = tmp_path / name
    path.write_bytes(workbook_bytes(a, FILLED_ON))
    return path


@pytest.fixture(scope="module")
def nantong_sheet(tmp_path_factory) -> Path:
    a = ecopark.assess(ecopark.load_park(NANTONG), 2021)
    return _workbook(tmp_path_factory.mktemp("sheet"), a, "nantong-2021.xlsx")


def _import(capsys, *args: str) -> tuple[int, str]:
    from ecopark.cli import main

    capsys.readouterr()
    code = main(["import-table", *args])
    return code, capsys.readouterr().err


def test_import_sets_any_attribute_the_standard_declares(tmp_path, nantong_sheet, capsys):
    park = tmp_path / "p1"
    code, _ = _import(
        capsys,
        str(nantong_sheet),
        "--park-dir",
        str(park),
        "--year",
        "2021",
        "--attribute",
        "water_region=water_scarce",
        "--attribute",
        "dominant_sector_share=0.72",
    )
    assert code == 0
    config = ecopark.load_config(park)
    assert config.attributes == {"water_region": "water_scarce", "dominant_sector_share": 0.72}
    text = (park / "park.yaml").read_text(encoding="utf-8")
    assert "water_region: water_scarce\ndominant_sector_share: 0.72\nselected_optional:" in text
    # indicator 16's limit follows the region: ≥20 where water is scarce (≥10 elsewhere)
    assert ecopark.assess(ecopark.load_park(park), 2021).result(16).requirement == "≥20"


def test_water_region_is_the_shorthand_of_its_attribute(tmp_path, nantong_sheet, capsys):
    park = tmp_path / "p2"
    args = [str(nantong_sheet), "--park-dir", str(park), "--year", "2021"]
    assert _import(capsys, *args, "--water-region", "jingjinji")[0] == 0
    assert ecopark.load_config(park).attributes["water_region"] == "jingjinji"
    code, err = _import(
        capsys, *args, "--force", "--water-region", "other", "--attribute", "water_region=other"
    )
    assert code == 2 and "--attribute water_region: water_region is given twice" in err


def test_a_new_park_yaml_of_hj274_is_written_as_before(tmp_path, nantong_sheet, capsys):
    park = tmp_path / "p3"
    assert _import(capsys, str(nantong_sheet), "--park-dir", str(park), "--year", "2021")[0] == 0
    assert (park / "park.yaml").read_text(encoding="utf-8") == (
        "# Written by `ecopark import-table`.\n"
        "id: p3\n"
        "name: 南通经济技术开发区\n"
        "standard: HJ 274-2015\n"
        "base_year: 2015\n"
        "water_region: other\n"
        "selected_optional: [2, 6, 8, 11, 14, 27]\n"
        "source: imported from nantong-2021.xlsx (附表1 对照考核表)\n"
    )


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            "water_region=south",
            "--attribute water_region: water_region 'south' is not one of water_scarce (缺水城市), "
            "jingjinji (京津冀区域), other (其他地区)",
        ),
        (
            "dominant_sector_share=72%",
            "--attribute dominant_sector_share: dominant_sector_share must be a number from 0 to 1 "
            "(0.72 for 72%), not '72%'",
        ),
        ("dominant_sector_share=1.5", "not '1.5'"),
        (
            "park_type=chemical",
            "--attribute park_type: HJ 274-2015 declares no park attribute 'park_type'; it "
            "declares water_region (",
        ),
        ("water_regoin=other", "did you mean 'water_region'?"),
        ("water_region", "--attribute: 'water_region' is not KEY=VALUE"),
    ],
)
def test_a_bad_attribute_is_refused_with_the_choices(
    tmp_path, nantong_sheet, capsys, option, message
):
    park = tmp_path / "p4"
    args = [str(nantong_sheet), "--park-dir", str(park), "--year", "2021", "--attribute", option]
    code, err = _import(capsys, *args)
    assert code == 2 and message in err and "Traceback" not in err
    assert not park.exists()  # nothing written


def test_an_existing_park_yaml_gets_the_attributes_it_lacks_and_refuses_a_clash(
    tmp_path, nantong_sheet, capsys
):
    park = tmp_path / "p5"
    args = [str(nantong_sheet), "--park-dir", str(park), "--year", "2021", "--force"]
    assert _import(capsys, *args)[0] == 0
    before = (park / "park.yaml").read_text(encoding="utf-8")
    code, err = _import(capsys, *args, "--attribute", "water_region=water_scarce")
    assert code == 2
    assert "water_region is other in park.yaml but --attribute water_region=water_scarce" in err
    assert (park / "park.yaml").read_text(encoding="utf-8") == before
    assert _import(capsys, *args, "--attribute", "dominant_sector_share=0.5")[0] == 0
    assert ecopark.load_config(park).attributes["dominant_sector_share"] == 0.5
    assert _import(capsys, *args, "--attribute", "water_region=other")[0] == 0  # the same: fine


def test_import_into_a_park_of_two_standards_keeps_the_others_items_and_selection(
    tmp_path, nantong_sheet, user_standards, capsys
):
    park = tmp_path / "two-standards"
    shutil.copytree(TWO, park)
    args = [str(nantong_sheet), "--park-dir", str(park), "--year", "2021", "--force"]
    code, err = _import(capsys, *args, "--standard", HJ)
    assert code == 0, err
    config = ecopark.load_config(park)
    assert config.selected_for(HJ) == ("2", "6", "8", "11", "14", "27")
    assert config.selected_for(SYNTH) == ("C1",)  # the other standard's selection kept
    rows = (park / "2021.csv").read_text(encoding="utf-8-sig")
    assert "\nincidents_3y,0,起," in rows  # the synthetic standard's item kept
    both = ecopark.compare_standards(ecopark.load_park(park), 2021)
    assert both is not None
    code, err = _import(capsys, *args, "--standard", "SYNTH-SECTORS 0.1")
    assert code == 2 and "the park is not assessed against SYNTH-SECTORS 0.1" in err


def test_import_a_sheet_of_the_synthetic_standard_into_a_new_park(tmp_path, user_standards, capsys):
    data = tmp_path / "src"
    source = synth_park(data, "synth-src")
    a = ecopark.assess(ecopark.load_park(source), 2021)
    sheet = _workbook(tmp_path, a, "synth-2021.xlsx")
    park = tmp_path / "synth-new"
    code, err = _import(
        capsys,
        str(sheet),
        "--park-dir",
        str(park),
        "--year",
        "2021",
        "--base-year",
        "2020",
        "--standard",
        SYNTH,
        "--attribute",
        "park_type=chemical",
        "--water-region",
        "water_scarce",
    )
    assert code == 0, err
    config = ecopark.load_config(park)
    assert config.standards == (SYNTH,)
    assert config.attributes == {
        "park_type": "chemical",
        "water_region": "water_scarce",
        "dominant_sector_share": None,
    }
    b = ecopark.assess(ecopark.load_park(park), 2021)
    assert [(r.number, r.display, r.passed) for r in b.results] == [
        (r.number, r.display, r.passed) for r in a.results
    ]
    assert b.result("A1").requirement == a.result("A1").requirement == "≤0.6"


def test_an_unknown_standard_or_serial_number_is_named(
    tmp_path, nantong_sheet, capsys, user_standards
):
    park = tmp_path / "p6"
    args = [str(nantong_sheet), "--park-dir", str(park), "--year", "2021"]
    code, err = _import(capsys, *args, "--standard", "HJ 275-2030")
    assert code == 2 and err.startswith("ecopark: error: --standard: ") and "HJ 275-2030" in err
    # the HJ 274-2015 sheet read against the synthetic standard: its 序号 are not the standard's
    code, err = _import(capsys, *args, "--standard", SYNTH, "--attribute", "park_type=general")
    assert code == 2 and not park.exists()
    assert (
        "序号 '1' is not an indicator of SYNTH-DEMO 0.1 (its 序号 run G1, G2, A1, A3, B2, C-1)"
        in err
    )


def test_two_standards_with_the_same_indicator_id_are_two_indicators_of_a_portfolio(
    tmp_path, user_standards
):
    from ecopark import portfolio
    from ecopark.plotting import margin_distribution

    data = tmp_path / "data"
    synth_park(data, "numbered", "SYNTH-NUMBERED 0.1", renewable_energy="1000")  # "10" fails
    shutil.copytree(NANTONG, data / "nantong-etdz")
    r = ecopark.results(data, years=[2021])
    t = portfolio.by_indicator(r).set_index(["standard", "number"])
    assert t.loc[(HJ, "10"), "indicator"] == "综合能耗弹性系数"
    assert t.loc[("SYNTH-NUMBERED 0.1", "10"), "indicator"] == "可再生能源使用比例"
    assert t.loc[("SYNTH-NUMBERED 0.1", "10"), "fail"] == 1 and t.loc[(HJ, "10"), "fail"] == 0
    assert len(t) == 32 + 6
    top = portfolio.most_failed(r)
    assert ("SYNTH-NUMBERED 0.1", "10") in set(zip(top["standard"], top["number"], strict=True))
    fig = margin_distribution(r)
    labels = [x.get_text() for x in fig.axes[0].get_yticklabels()]
    assert sum(label.startswith("10 ") for label in labels) == 2
    import matplotlib.pyplot as plt

    plt.close(fig)
