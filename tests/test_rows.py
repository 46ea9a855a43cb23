"""One year-file rule, one row validator, item roles in the catalogue, the importer in memory."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest

import ecopark
from ecopark.checks import check_year
from ecopark.errors import InputError
from ecopark.io.rows import Row, RowError, check_value, validate_rows
from ecopark.io.sectors import additive_items, read_sector_file
from ecopark.io.yearfile import is_year_file, read_year_text, year_file_list, year_files, year_of
from ecopark.tables.importer import import_office_table
from ecopark.tables.officetable import workbook_bytes
from ecopark.tables.template import write_template
from parkfiles import nantong_copy, table_rows

STANDARD = ecopark.load_standard()
ITEMS = STANDARD.items


# --- the year-file rule ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "year"),
    [
        ("2021.csv", 2021),
        ("2021.CSV", 2021),
        ("2021.xlsx", 2021),
        ("2021.XLSX", 2021),
        ("2021.Xlsx", 2021),
        ("21.csv", None),
        ("20210.csv", None),
        ("２０２１.csv", None),
        ("2021.csv.bak-20260101-000000", None),
        ("2021.xls", None),
        ("2021.txt", None),
        ("park.yaml", None),
    ],
)
def test_year_of_a_file_name(name, year):
    assert year_of(name) == year


def test_upper_case_extension_loads_and_a_folder_is_not_a_year_file(tmp_path, nantong_dir):
    folder = nantong_copy(tmp_path)
    (folder / "2021.csv").rename(folder / "2021.CSV")
    (folder / "2019.csv").mkdir()  # a folder named like a year file is not one
    assert not is_year_file(folder / "2019.csv")
    assert [y for y, _ in year_file_list(folder)] == [2015, 2018, 2021]
    park = ecopark.load_park(folder)
    assert park.years == [2015, 2018, 2021] and park.files[2021].name == "2021.CSV"
    official = ecopark.assess(ecopark.load_park(nantong_dir), 2021)
    assert table_rows(ecopark.assess(park, 2021)) == table_rows(official)
    assert ecopark.check_park(folder) == []


def test_two_files_of_one_year_in_different_case_are_refused(tmp_path):
    folder = nantong_copy(tmp_path)
    shutil.copy(folder / "2021.csv", folder / "2021.XLSX")
    with pytest.raises(InputError, match="2021 has both 2021.XLSX and 2021.csv; keep one"):
        year_files(folder)
    problems = ecopark.check_park(folder)
    assert "2021 has both 2021.XLSX and 2021.csv" in problems[0].message
    assert year_files(tmp_path / "no-such-folder") == {}


def test_template_sees_an_upper_case_year_file(tmp_path):
    folder = nantong_copy(tmp_path)
    (folder / "2021.csv").rename(folder / "2021.CSV")
    with pytest.raises(InputError, match="2021.CSV: exists"):
        write_template(folder, 2021)


# --- the row validator -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "text", "unit", "value"),
    [
        ("value_added", "4,906,200", "", 4906200.0),
        ("value_added", "490.62", "亿元", 4906200.0),
        ("value_added", "\u22120", "", 0.0),
        ("energy", "1", "万吨标煤", 10000.0),
        ("major_incidents", "0", "起", 0.0),
        ("key_source_compliance", "达标", "", "达标"),
    ],
)
def test_check_value_accepts(item, text, unit, value):
    assert check_value(ITEMS[item], text, unit).value == value


@pytest.mark.parametrize(
    ("item", "text", "unit", "message"),
    [
        ("value_added", "4.906.200", "", "'4.906.200' is not a number"),
        ("value_added", "NaN", "", "'NaN' is not a finite number"),
        ("value_added", "inf", "", "'inf' is not a finite number"),
        ("value_added", "-1", "", "'-1' is negative"),
        (
            "value_added",
            "1",
            "吨",
            "unit '吨' is not a unit of money; '工业增加值' takes 元, 千元, 万元, 百万元, 亿元",
        ),
        ("value_added", "1", "桶", "unit '桶' is unknown"),
        ("major_incidents", "1.5", "", "'1.5' is not a whole number; '工业园区内企事业单位"),
        ("energy", "1e400", "", "'1e400' is too large to be a real figure"),
        ("key_source_compliance", "合格", "", "'合格' is not allowed; write one of 达标 / 不达标"),
        (
            "key_source_compliance",
            "达标",
            "%",
            "'工业园区重点污染源稳定排放达标情况' is a status and takes no unit",
        ),
    ],
)
def test_check_value_refuses(item, text, unit, message):
    with pytest.raises(RowError) as exc:
        check_value(ITEMS[item], text, unit)
    assert str(exc.value).startswith(message)


def test_validate_rows_names_every_problem_and_keeps_the_values():
    rows = [
        Row(2, "工业增加值", "4,906,200", ""),
        Row(3, "value_addd", "1", ""),
        Row(4, "value_added", "5", ""),
        Row(5, "", "1", ""),
        Row(6, "energy", "", ""),
        Row(7, "energy", "1", "", group="化工"),
    ]
    with pytest.raises(InputError) as exc:
        validate_rows(rows, STANDARD, "x.csv")
    got = [(p.line, p.item, p.message) for p in exc.value.problems]
    assert got[0][:2] == (3, "value_addd") and "did you mean 'value_added'" in got[0][2]
    assert got[1] == (4, "value_added", "the item appears twice (first on line 2); keep one row")
    assert got[2] == (5, None, "the item is empty; give an item id or its Chinese name")
    assert len(got) == 3  # energy in another group is not a repeat; an empty value is missing
    ok = validate_rows([rows[0], rows[4], rows[5]], STANDARD, "x.csv")
    assert [(r.item, r.value, r.unit, r.group) for r in ok] == [
        ("value_added", 4906200.0, "万元", ""),
        ("energy", 1.0, "吨标煤", "化工"),
    ]


def test_year_text_is_read_like_a_year_file():
    text = "item,value,unit,note\nvalue_added,490.62,亿元,附表1\nenergy,-1,,\n"
    with pytest.raises(InputError) as exc:
        read_year_text(text, "p/2021.csv", STANDARD)
    assert [str(p) for p in exc.value.problems] == [
        "p/2021.csv, line 3, item 'energy': '-1' is negative; raw items are amounts and cannot be below 0"
    ]
    (rec,) = read_year_text(text.splitlines(True)[0] + text.splitlines(True)[1], "p", STANDARD)
    assert (rec.value, rec.value_as_written, rec.note) == (4906200.0, "490.62", "附表1")


def test_sector_rows_get_the_year_file_rules(tmp_path):
    f = tmp_path / "2021.csv"
    f.write_text(
        "sector,item,value,unit\n化工,energy,-5,,\n化工,value_added,NaN,,\n"
        "化工,co2,1e400,万吨,\n化工,,1,,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        read_sector_file(f, STANDARD)
    assert [(p.line, p.message.split(";")[0]) for p in exc.value.problems] == [
        (2, "'-5' is negative"),
        (3, "'NaN' is not a finite number"),
        (4, "'1e400' is too large to be a real figure"),
        (5, "the item is empty"),
    ]


# --- item roles in the catalogue -------------------------------------------------------------


def test_additive_items_keep_their_order():
    assert additive_items(STANDARD) == (
        "value_added",
        "industrial_output",
        "energy",
        "fresh_water",
        "solid_waste_generated",
        "wastewater",
        "co2",
        "cod",
        "ammonia_nitrogen",
        "so2",
        "nox",
    )
    assert all(ITEMS[i].kind == "number" for i in additive_items(STANDARD))


def test_part_of_whole_rules_are_declared_by_the_catalogue():
    rules = {(i.id, i.part_of, i.part_of_indicators) for i in ITEMS.values() if i.part_of}
    assert rules == {
        ("solid_waste_utilized", ("solid_waste_generated", "solid_waste_stock_utilized"), ("6",)),
        ("hightech_output", ("industrial_output",), ("1",)),
        (
            "value_added",
            ("industrial_output",),
            (
                "1",
                "2",
            ),
        ),
        ("recycling_value_added", ("value_added",), ("4",)),
        ("recyclables_recycled", ("recyclables_collected",), ("7",)),
        ("reclaimed_water", ("wwtp_discharge",), ("16",)),
        ("renewable_energy", ("energy",), ("12",)),
    }
    (w,) = check_year({"value_added": 120.0, "industrial_output": 100.0}, 2021, STANDARD)
    assert w.items == ("value_added", "industrial_output") and "indicators 1, 2" in w.message_en


def test_aliases_are_declared_by_the_catalogue():
    aliases = {i.id: list(i.aliases) for i in ITEMS.values() if i.aliases}
    assert aliases == {
        "hightech_output": ["高新技术企业产值", "高新技术企业总产值"],
        "industrial_output": ["工业总产值"],
        "employees": ["从业人口", "年末从业人员", "从业人员数"],
        "value_added": ["园区工业增加值"],
        "recycling_value_added": ["资源再生利用产业工业增加值"],
        "solid_waste_utilized": ["固废综合利用量"],
        "solid_waste_generated": ["固废产生量", "工业固废产生量", "工业固体废物产生量"],
        "solid_waste_stock_utilized": ["往年贮存量综合利用量"],
        "recyclables_recycled": ["再生资源循环利用量"],
        "recyclables_collected": ["再生资源回收量"],
        "industrial_land": ["工业用地"],
        "energy": ["综合能耗", "综合能源消费量", "能源消费总量", "综合能耗量"],
        "renewable_energy": ["可再生能源", "可再生能源消费量", "可再生能源使用总量"],
        "fresh_water": [
            "新鲜水",
            "新鲜水用量",
            "新鲜水量",
            "新鲜水消耗量",
            "新鲜水取用量",
            "新鲜水资源消耗总量",
        ],
        "water_reused": ["重复用水量", "工业用水重复利用量"],
        "reclaimed_water": ["再生水回用量", "中水回用量", "园区再生水回用量", "园区中水回用量"],
        "wwtp_discharge": ["污水处理厂排放总量", "污水处理厂排放量", "园区污水处理厂排放量"],
        "cod": [
            "COD",
            "化学需氧量",
            "化学需氧量排放量",
            "化学需氧量排放总量",
            "COD排放总量",
            "CODcr",
            "CODcr排放量",
        ],
        "ammonia_nitrogen": ["氨氮", "NH3-N", "NH3-N排放量", "氨氮排放总量"],
        "so2": ["SO2", "二氧化硫", "二氧化硫排放量", "二氧化硫排放总量", "SO2排放总量"],
        "nox": ["氮氧化物", "NOx", "NOx排放量", "氮氧化物排放总量", "NOx排放总量"],
        "co2": ["二氧化碳", "CO2", "CO2排放量", "二氧化碳排放总量", "CO2排放总量"],
        "wastewater": ["废水", "废水排放总量", "工业废水排放量"],
    }


# --- the importer validates in memory --------------------------------------------------------


@pytest.fixture
def nantong_xlsx(tmp_path, nantong_dir):
    path = tmp_path / "nantong-2021.xlsx"
    path.write_bytes(workbook_bytes(ecopark.assess(ecopark.load_park(nantong_dir), 2021)))
    return path


def test_import_makes_no_temporary_folder(tmp_path, nantong_xlsx, monkeypatch):
    import tempfile

    def refuse(*args, **kwargs):
        raise AssertionError("the importer should validate in memory")

    monkeypatch.setattr(tempfile, "TemporaryDirectory", refuse)
    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    park = tmp_path / "new-park"
    result = import_office_table(nantong_xlsx, park, 2021, base_year=2015)
    assert sorted(p.name for p in result.written) == [
        "2015.csv",
        "2018.csv",
        "2021.csv",
        "park.yaml",
    ]
    assert ecopark.check_park(park) == []


def test_a_bad_untouched_year_file_stops_the_import_and_nothing_is_written(
    tmp_path, nantong_xlsx, nantong_dir
):
    park = tmp_path / "nantong-etdz"
    park.mkdir()
    shutil.copy(nantong_dir / "park.yaml", park / "park.yaml")
    (park / "2019.csv").write_text("item,value,unit\nenergy,-1,\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in park.iterdir()}
    with pytest.raises(InputError) as exc:
        import_office_table(nantong_xlsx, park, 2021)
    (problem,) = exc.value.problems
    assert problem.file.endswith("nantong-etdz/2019.csv") and problem.line == 2
    assert "'-1' is negative" in problem.message
    assert {p.name: p.read_bytes() for p in park.iterdir()} == before


def test_import_over_an_upper_case_year_file_leaves_one_file_per_year(
    tmp_path, nantong_xlsx, nantong_dir
):
    park = tmp_path / "nantong-etdz"
    shutil.copytree(nantong_dir, park)
    (park / "2021.csv").rename(park / "2021.CSV")
    with pytest.raises(InputError, match="2021.CSV: exists"):
        import_office_table(nantong_xlsx, park, 2021)
    result = import_office_table(nantong_xlsx, park, 2021, force=True)
    assert "2021.CSV.bak-" in " ".join(p.name for p in result.backups)
    assert [p.name for _, p in year_file_list(park)] == ["2015.csv", "2018.csv", "2021.csv"]
    a = ecopark.assess(ecopark.load_park(park), 2021)
    assert table_rows(a) == table_rows(ecopark.assess(ecopark.load_park(nantong_dir), 2021))


def test_sheet_values_use_the_shared_rules(tmp_path, nantong_xlsx):
    import openpyxl

    SHEET1 = "附表1 对照考核表"  # HJ 274-2015's sheet name
    wb = openpyxl.load_workbook(nantong_xlsx)
    ws = wb[SHEET1]
    row = next(r for r in ws.iter_rows() if r[2].value == "工业增加值")
    row[6].value = "1e400"
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    with pytest.raises(InputError) as exc:
        import_office_table(bad, tmp_path / "p", 2021, base_year=2015)
    (problem,) = exc.value.problems
    assert problem.line == row[0].row and problem.item == "工业增加值"
    assert problem.message.startswith("'1e400' is too large to be a real figure")
    assert not (tmp_path / "p").exists()
    assert Decimal("4906200") == check_value(ITEMS["value_added"], "4906200", "").number


def test_suggestions_are_remembered_per_catalogue_and_code():
    """The hint for an unknown name is remembered; another catalogue, another standard's code or
    other standards alongside give their own hint, never the one remembered for the first."""
    import dataclasses

    from ecopark.io.rows import suggest_items
    from ecopark.standard.model import load_standard

    std = load_standard()
    assert (
        suggest_items("value_add", std) == "did you mean 'value_added' or 'recycling_value_added'?"
    )
    fewer = dataclasses.replace(
        std,
        code="FEWER 1",
        items={
            k: v for k, v in std.items.items() if k not in ("value_added", "recycling_value_added")
        },
    )
    assert "value_added" not in suggest_items("value_add", fewer)
    assert suggest_items("value_add", fewer, (std,)) == suggest_items("value_add", std)
    assert (
        suggest_items("value_add", std) == "did you mean 'value_added' or 'recycling_value_added'?"
    )
    nothing = "`ecopark template` writes a year file with every item id and name of"
    assert suggest_items("zzzz", std) == f"{nothing} HJ 274-2015"
    assert suggest_items("zzzz", fewer) == f"{nothing} FEWER 1"
    assert suggest_items("zzzz", fewer, (std,)) == f"{nothing} FEWER 1 and HJ 274-2015"
    renamed = dataclasses.replace(std, code="RENAMED 2")
    assert suggest_items("zzzz", renamed) == f"{nothing} RENAMED 2"
