"""附表1 / 附表2 in Excel: export, import (round trip), bad sheets, templates."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import openpyxl
import pytest

import ecopark
from ecopark.cli import main
from ecopark.tables.importer import import_office_table, normalize, read_office_table
from ecopark.tables.officetable import FAIL_FILL, raw_item_rows, workbook_bytes
from ecopark.tables.output import to_csv
from ecopark.tables.template import template_csv, template_workbook_bytes, write_template

FILLED_ON = dt.date(2022, 8, 4)
#: HJ 274-2015's sheet names (its definition's official_table).
SHEET1, SHEET2 = "附表1 对照考核表", "附表2 信息公开表"

# 附表1 of the seed report (seed/nantong-etdz-2021-annual-report.txt), as printed: 序号, 指标, 单位,
# 要求 ('' = as the standard), 是否选为考核指标, 数值. Spellings kept: "SO ₂", "^a", "2018年…",
# 18's "工业园区内…", 26's space, 28's repeated "固废产生量".
SEED = [
    (1, "高新技术企业工业总产值", "万元", "-", 7388889),
    (None, "园区工业总产值", "万元", "-", 15878012),
    (None, "高新技术企业工业总产值占园区工业总产值比例", "%", "否", 46.54),
    (2, "年末从业人口", "人", "-", 102534),
    (None, "工业增加值", "万元", "-", 4906200),
    (None, "人均工业增加值", "万元/人", "是", 47.85),
    (3, "规划基准年工业增加值", "万元", "-", 3266100),
    (None, "2018 年工业增加值", "万元", "-", 4513232),
    (None, "园区工业增加值三年年均增长率", "%", "否", 2.82),
    (4, "资源再生利用产业增加值", "万元", "-", 210497.4),
    (None, "资源再生利用产业增加值占园区工业增加值比例", "%", "否", 4.29),
    (5, "建设规划实施后新增构建生态工业链项目数量", "个", "必选", 6),
    (6, "工业固体废物综合利用量", "吨", "-", 664537.525),
    (None, "工业固体废物总产生量", "吨", "-", 690540.672),
    (None, "综合利用往年贮存量", "吨", "-", 2838.841),
    (None, "工业固体废物综合利用率 ^a", "%", "是", 95.84),
    (7, "再生产业再生资源循环利用量", "吨", "-", 3457067),
    (None, "再生资源收集量", "吨", "-", 4215935),
    (None, "再生资源循环利用率 ^b", "%", "否", "82.00"),
    (8, "工业用地面积", "平方公里", "-", 19.1),
    (None, "单位工业用地面积工业增加值", "亿元/平方公里", "是", 25.69),
    (9, "2018年工业用地面积", "平方公里", "-", 19.1),
    (None, "单位工业用地面积工业增加值三年年均增长率", "%", "否", 2.82),
    (10, "综合能耗总量", "吨标煤", "-", 1974333.51),
    (None, "规划基准年综合能耗总量", "吨标煤", "-", 1995589.81),
    (None, "综合能耗弹性系数", "—", "必选", -0.03),
    (11, "单位工业增加值综合能耗", "吨标煤/万元", "是", 0.40),
    (12, "可再生能源使用量", "吨标煤", "-", 51.8),
    (None, "可再生能源使用比例", "%", "否", 0.0026),
    (13, "新鲜水资源消耗量", "万立方米", "-", 3744.0675),
    (None, "规划基准年新鲜水资源消耗量", "万立方米", "-", 3292.48485),
    (None, "新鲜水耗弹性系数", "—", "必选", 0.31),
    (14, "单位工业增加值新鲜水耗", "立方米/万元", "是", 7.63),
    (15, "工业重复用水量", "立方米", "-", 901832727.9),
    (None, "工业用水重复利用率", "%", "否", 96.01),
    (16, "园区再生水（中水）回用量", "万吨", "-", 2038.15),
    (None, "园区污水处理厂排放总量", "万吨", "-", 6888.72),
    (None, "再生水（中水）回用率", "%", "否", 29.59),
    (17, "工业园区重点污染源稳定排放达标情况", "%", "必选", "达标"),
    (
        18,
        "工业园区内国家重点污染物排放总量控制指标及地方特征污染物排放总量控制指标完成情况",
        "—",
        "必选",
        "全部完成",
    ),
    (19, "工业园区内企事业单位发生特别重大、重大突发环境事件数量", "—", "必选", 0),
    (20, "环境管理能力完善度", "%", "必选", 100),
    (21, "工业园区重点企业清洁生产审核实施率", "%", "必选", 100),
    (22, "污水集中处理设施", "—", "必选", "具备"),
    (23, "园区环境风险防控体系建设完善度", "%", "必选", 100),
    (24, "工业固体废物（含危险废物）处置利用率", "—", "必选", 100),
    (25, "COD 排放量", "吨", "-", 916.003),
    (None, "氨氮排放量", "吨", "-", 52.223),
    (None, "SO ₂", "吨", "-", 235.086),
    (None, "氮氧化物排放量", "吨", "-", 1452.095),
    (None, "规划基准年 COD 排放量", "吨", "-", 1811.3117),
    (None, "规划基准年氨氮排放量", "吨", "-", 127.7401),
    (None, "规划基准年 SO ₂ 排放量", "吨", "-", 4348.014),
    (None, "规划基准年氮氧化物排放量", "吨", "-", 4647.117),
    (None, "主要污染物排放弹性系数", "—", "必选", -2.88),
    (26, "二氧化碳排放量", "吨", "-", 3131579),
    (None, "规划基准年二氧化碳排放量", "吨", "-", 3488381.6),
    (None, "单位工业增加值二氧化碳排放量 年均削减率", "%", "必选", 8.22),
    (27, "废水排放量", "吨", "-", 27554880),
    (None, "单位工业增加值废水排放量", "吨/万元", "是", 5.62),
    (28, "固废产生量", "吨", "-", 690540.672),
    (None, "单位工业增加值固废产生量", "吨/万元", "否", 0.14),
    (29, "绿化覆盖率", "%", "必选", 20.2),
    (30, "重点企业环境信息公开率", "%", "必选", 100),
    (31, "生态工业信息平台完善程度", "%", "必选", 100),
    (32, "生态工业主题宣传活动", "次/年", "必选", 3),
]


def expected_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


def table_rows(park_dir: Path, year: int = 2021) -> list[dict[str, str]]:
    return list(
        csv.DictReader(io.StringIO(to_csv(ecopark.assess(ecopark.load_park(park_dir), year))))
    )


@pytest.fixture(scope="module")
def nantong_xlsx(tmp_path_factory, nantong_dir) -> Path:
    path = tmp_path_factory.mktemp("export") / "nantong-2021.xlsx"
    path.write_bytes(
        workbook_bytes(ecopark.assess(ecopark.load_park(nantong_dir), 2021), FILLED_ON)
    )
    return path


@pytest.fixture(scope="module")
def nantong_book(nantong_xlsx):
    """The exported workbook opened once, for the tests that only read it (opening it ≈80 ms)."""
    return openpyxl.load_workbook(nantong_xlsx)


def sheet_rows(ws) -> list[tuple]:
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def indicator_rows(ws, first_data_row: int = 5) -> dict[int, int]:
    """Indicator number -> sheet row of the indicator (the last row of its 序号 block)."""
    blocks = {}
    for rng in ws.merged_cells.ranges:
        if rng.min_col == 2 and rng.max_col == 2:
            blocks[ws.cell(rng.min_row, 2).value] = rng.max_row
    for row in range(first_data_row, ws.max_row + 1):
        v = ws.cell(row, 2).value
        if isinstance(v, int) and v not in blocks:
            blocks[v] = row
    return blocks


# ---------------------------------------------------------------- export


def test_workbook_has_the_two_official_sheets_and_headers(nantong_book):
    wb = nantong_book
    assert wb.sheetnames == [SHEET1, SHEET2]
    ws = wb[SHEET1]
    assert ws["A1"].value == "国家生态工业示范园区对照考核表"
    assert ws["A2"].value == "园区名称：南通经济技术开发区"
    assert ws["E2"].value == "填报时间：2022 年 8 月 4 日"
    assert ws["E3"].value == "数据基准年为 2015 年"
    assert [c.value for c in ws[4]] == [
        "分类",
        "序号",
        "指标",
        "单位",
        "要求",
        "是否选为考核指标",
        "数值",
    ]
    ws2 = wb[SHEET2]
    assert ws2["A1"].value == "国家生态工业园区建设年度评价报告信息公开表（2021 年）"
    assert [c.value for c in ws2[4]] == [
        "分类",
        "序号",
        "指标",
        "单位",
        "要求",
        "是否为考核指标",
        "当年现状值",
        "是否达标",
    ]


def test_sheet1_rows_follow_the_seed_table(nantong_book):
    ws = nantong_book[SHEET1]
    rows = [r for r in sheet_rows(ws)[4:] if r[2] is not None]
    got = [(normalize(r[2]), r[3], r[5], r[6]) for r in rows]
    # The seed's rows, except 28's repeat of 工业固体废物总产生量 (printed under 6 already), with the
    # standard's spelling where the seed abbreviates (SO ₂) or words 18 as in 附表2.
    spelling = {
        "SO2": "SO2排放量",
        normalize(SEED[39][1]): ecopark.load_standard().indicator(18).name_zh,
    }
    seed = [
        (spelling.get(normalize(n), normalize(n).replace("^", "")), u, s, v)
        for _, n, u, s, v in SEED
        if n != "固废产生量"
    ]
    assert [g[0] for g in got] == [s[0] for s in seed]
    seed_units_differ = {normalize(SEED[38][1]), normalize(SEED[45][1])}  # 17, 24: % and — swapped
    for (name, unit, sel, value), (_, seed_unit, seed_sel, seed_value) in zip(
        got, seed, strict=True
    ):
        assert sel == seed_sel, name
        if seed_value == "82.00":
            seed_value = 82.0
        assert value == seed_value, name
        if name not in seed_units_differ:
            assert unit == seed_unit, name


def test_number_formats_match_the_reported_precision(nantong_book):
    ws = nantong_book[SHEET1]
    rows = indicator_rows(ws)
    cell = ws.cell(rows[12], 7)
    assert (cell.value, cell.number_format) == (0.0026, "0.0000")
    cell = ws.cell(rows[7], 7)
    assert (cell.value, cell.number_format) == (82.0, "0.00")
    cell = ws.cell(rows[11], 7)
    assert (cell.value, cell.number_format) == (0.4, "0.00")
    cell = ws.cell(rows[29], 7)
    assert (cell.value, cell.number_format) == (20.2, "0.0")
    assert ws.cell(rows[17], 7).value == "达标"
    raw = ws.cell(rows[13] - 1, 7)  # 规划基准年新鲜水资源消耗量, as given
    assert (ws.cell(rows[13] - 1, 3).value, raw.value, raw.number_format) == (
        "规划基准年新鲜水资源消耗量",
        3292.48485,
        "General",
    )


def test_conditional_requirements_are_printed_in_full(nantong_book):
    ws = nantong_book[SHEET1]
    rows = indicator_rows(ws)
    assert ws.cell(rows[10], 5).value == (
        "当园区工业增加值建设期年均增长率>0,≤0.6 当园区工业增加值建设期年均增长率<0,≥0.6"
    )
    assert ws.cell(rows[13], 5).value == (
        "当园区工业增加值建设期年均增长率>0,≤0.55 当园区工业增加值建设期年均增长率<0,≥0.55"
    )
    assert (
        ws.cell(rows[16], 5).value
        == "缺水城市达到20%以上 京津冀区域达到30%以上 其他地区达到10%以上"
    )
    assert ws.cell(rows[1], 5).value == "≥30" and ws.cell(rows[17], 5).value == "达标"
    std = ecopark.load_standard()
    assert std.indicator(25).requirement.describe("official").endswith("<0,≥0.3")


def test_category_cells_are_merged(nantong_book):
    wb = nantong_book
    for name, first in ((SHEET1, 5), (SHEET2, 5)):
        ws = wb[name]
        cats = sorted(
            (r.min_row, r.max_row, ws.cell(r.min_row, 1).value)
            for r in ws.merged_cells.ranges
            if r.min_col == r.max_col == 1
        )
        assert [c[2] for c in cats] == ["经济发展", "产业共生", "资源节约", "环境保护", "信息公开"]
        assert cats[0][0] == first
        assert all(a[1] + 1 == b[0] for a, b in zip(cats, cats[1:], strict=False))
    ws2 = wb[SHEET2]
    cats = sorted(
        (r.min_row, r.max_row) for r in ws2.merged_cells.ranges if r.min_col == r.max_col == 1
    )
    assert [b - a + 1 for a, b in cats] == [4, 3, 9, 13, 3]


def test_failing_rows_are_highlighted(nantong_book):
    wb = nantong_book
    ws = wb[SHEET1]
    rows = indicator_rows(ws)
    red = [
        n
        for n, r in sorted(rows.items())
        if ws.cell(r, 7).fill.fgColor.rgb.endswith(FAIL_FILL.fgColor.rgb[-6:])
    ]
    assert red == [3, 4, 9, 12, 28]
    raw_red = [
        r
        for r in range(5, max(rows.values()))
        if r not in rows.values() and ws.cell(r, 7).fill.fgColor.rgb.endswith("FFC7CE")
    ]
    assert raw_red == []
    ws2 = wb[SHEET2]
    red2 = [
        ws2.cell(r, 2).value
        for r in range(5, 37)
        if ws2.cell(r, 8).fill.fgColor.rgb.endswith("FFC7CE")
    ]
    assert red2 == [3, 4, 9, 12, 28]
    assert [ws2.cell(r, 8).value for r in range(5, 37)].count("否") == 5
    assert ws2.cell(5 + 11, 7).value == 0.0026 and ws2.cell(5 + 11, 8).value == "否"


def test_footnotes_under_both_tables(nantong_book):
    # footnotes a and b, then the note naming the rule in force (issue 9)
    wb = nantong_book
    for ws in wb:
        texts = [ws.cell(r, 1).value for r in range(ws.max_row - 2, ws.max_row + 1)]
        assert texts[0].startswith("注：a.园区中某一工业行业产值占园区工业总产值比例大于 70%")
        assert texts[1] == "b.“指标 4”无法达标的园区不能选择此项指标作为考核指标。"
        assert texts[2].startswith("数值修约与判定：GB/T 8170-2008 四舍六入五成双，全数值比较法；")


def test_raw_rows_come_from_the_formulas():
    std = ecopark.load_standard()
    rows = {int(k): v for k, v in raw_item_rows(std, 2021, 2015).items()}
    assert [r.label for r in rows[3]] == ["规划基准年工业增加值", "2018 年工业增加值"]
    assert [r.label for r in rows[10]] == ["综合能耗总量", "规划基准年综合能耗总量"]
    assert [r.year for r in rows[9]] == [2018]
    assert rows[11] == [] and rows[17] == []
    # every input of every computed indicator is shown at or before it, exactly once overall
    shown: list[tuple[str, str]] = []
    for ind in std.indicators:
        shown += [(r.item, r.ref) for r in rows[int(ind.number)]]
        if not ind.reported:
            assert set(ind.inputs) <= set(shown), ind.number
    assert len(shown) == len(set(shown))
    assert [r.label for r in raw_item_rows(std, 2024, 2019)["3"]] == [
        "规划基准年工业增加值",
        "2021 年工业增加值",
    ]


def test_cli_table_xlsx(tmp_path, nantong_dir):
    out = tmp_path / "t.xlsx"
    assert main(["table", str(nantong_dir), "2021", "--format", "xlsx", "-o", str(out)]) == 0
    assert openpyxl.load_workbook(out).sheetnames == [SHEET1, SHEET2]


# ---------------------------------------------------------------- import


def test_round_trip_export_import_assess(tmp_path, nantong_xlsx, expected_nantong_csv):
    park = tmp_path / "roundtrip"
    assert main(["import-table", str(nantong_xlsx), "--park-dir", str(park), "--year", "2021"]) == 0
    assert sorted(p.name for p in park.iterdir()) == [
        "2015.csv",
        "2018.csv",
        "2021.csv",
        "park.yaml",
    ]
    assert table_rows(park) == expected_rows(expected_nantong_csv)
    config = ecopark.load_config(park)
    assert (config.id, config.name, config.base_year, config.attributes["water_region"]) == (
        "roundtrip",
        "南通经济技术开发区",
        2015,
        "other",
    )
    assert config.selected_optional == (
        "2",
        "6",
        "8",
        "11",
        "14",
        "27",
    )
    assert (park / "2018.csv").read_bytes().startswith(b"\xef\xbb\xbfitem,")  # opens in Excel
    rows = list(csv.DictReader((park / "2018.csv").open(encoding="utf-8-sig")))
    assert [(r["item"], r["value"], r["unit"]) for r in rows] == [
        ("value_added", "4513232", "万元"),
        ("industrial_land", "19.1", "平方公里"),
    ]
    assert rows[0]["note"] == "nantong-2021.xlsx 附表1 对照考核表 第 12 行 2018 年工业增加值"
    base = {
        r["item"]: r["value"]
        for r in csv.DictReader((park / "2015.csv").open(encoding="utf-8-sig"))
    }
    assert base == {
        "value_added": "3266100",
        "energy": "1995589.81",
        "fresh_water": "3292.48485",
        "cod": "1811.3117",
        "ammonia_nitrogen": "127.7401",
        "so2": "4348.014",
        "nox": "4647.117",
        "co2": "3488381.6",
    }


def write_seed_workbook(path: Path, extra: list[tuple] | None = None, header: bool = True) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "附表1"
    ws.append(["国家生态工业示范园区对照考核表"])
    ws.append(["园区名称：南通经济技术开发区", None, None, None, "填报时间：2022 年 8 月 4 日"])
    ws.append(["考核指标", None, None, None, "数据基准年为 2015 年" if header else ""])
    ws.append(["分类", "序号", "指标", "单位", "要求", "是否选为考核指标", "数值"])
    for number, name, unit, sel, value in SEED + (extra or []):
        ws.append([None, number, name, unit, "-", sel, value])
    ws.append(["注：a.园区中某一工业行业产值占园区工业总产值比例大于 70%……"])
    ws.append(["b.“指标 4”无法达标的园区不能选择此项指标作为考核指标。"])
    wb.save(path)


def test_import_the_seed_table_as_printed(tmp_path, expected_nantong_csv):
    """The report's own spellings: SO ₂, ^a, 2018年…, 固废产生量 repeated, 18 worded 工业园区内…"""
    path = tmp_path / "seed.xlsx"
    write_seed_workbook(path)
    table = read_office_table(path, 2021)
    assert table.park_name == "南通经济技术开发区" and table.base_year == 2015
    assert (
        table.roles["18"] == "must"
        and table.roles["1"] == "optional"
        and table.roles["2"] == "selected"
    )
    so2 = [(v.year, v.value) for v in table.values if v.item == "so2"]
    assert so2 == [(2021, "235.086"), (2015, "4348.014")]
    park = tmp_path / "nantong-etdz"
    result = import_office_table(path, park, 2021)
    assert result.warnings == []  # every printed indicator value is what ecopark computes
    assert table_rows(park) == expected_rows(expected_nantong_csv)


def test_unmapped_row_and_bad_number_are_reported_with_rows(tmp_path, nantong_xlsx, capsys):
    wb = openpyxl.load_workbook(nantong_xlsx)
    ws = wb[SHEET1]
    assert ws["C9"].value == "工业增加值"
    ws["G9"] = "4,9O6,200"  # letter O, not zero
    ws.insert_rows(13)
    ws["C13"], ws["G13"] = "工业增加值增长量", 12345
    ws["E14"] = None  # and one 要求 emptied: not a problem
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    park = tmp_path / "nothing"
    assert main(["import-table", str(bad), "--park-dir", str(park), "--year", "2021"]) == 2
    err = capsys.readouterr().err
    assert "line 9, item '工业增加值': '4,9O6,200' is not a number" in err
    assert "line 13, item '工业增加值增长量': '工业增加值增长量' is neither an indicator" in err
    assert "Traceback" not in err
    assert not park.exists()


def test_bad_status_and_negative_values(tmp_path):
    path = tmp_path / "s.xlsx"
    write_seed_workbook(path, extra=[(None, "2018 年园区工业总产值", "万元", "-", -5)])
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    for row in ws.iter_rows(min_row=5):
        if row[2].value == "工业园区重点污染源稳定排放达标情况":
            row[6].value = "基本达标"
    wb.save(path)
    with pytest.raises(ecopark.InputError) as err:
        read_office_table(path, 2021)
    messages = [(p.line, p.message) for p in err.value.problems]
    assert (
        messages[0][0] == 5 + SEED.index(SEED[38]) and "'基本达标' is not allowed" in messages[0][1]
    )
    assert messages[1][0] == 5 + len(SEED) and "is negative" in messages[1][1]


def test_existing_year_files_need_force_and_keep_a_backup(
    tmp_path, nantong_xlsx, nantong_dir, capsys
):
    park = tmp_path / "nantong-etdz"
    shutil.copytree(nantong_dir, park)
    before = {p.name: p.read_bytes() for p in park.iterdir()}
    args = ["import-table", str(nantong_xlsx), "--park-dir", str(park), "--year", "2021"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert all(f"{y}.csv: exists" in err for y in (2015, 2018, 2021))
    assert {p.name: p.read_bytes() for p in park.iterdir()} == before
    # the park chooses indicator 15 too: the selection goes to park.yaml, comments kept
    wb = openpyxl.load_workbook(nantong_xlsx)
    ws = wb[SHEET1]
    ws.cell(indicator_rows(ws)[15], 6).value = "是"
    changed = tmp_path / "changed.xlsx"
    wb.save(changed)
    args[1] = str(changed)
    now = dt.datetime(2026, 11, 28, 21, 0, 0)
    result = import_office_table(changed, park, 2021, force=True, now=now)
    assert sorted(p.name for p in result.backups) == [
        "2015.csv.bak-20261128-210000",
        "2018.csv.bak-20261128-210000",
        "2021.csv.bak-20261128-210000",
    ]
    assert (park / "2021.csv.bak-20261128-210000").read_bytes() == before["2021.csv"]
    yaml_text = (park / "park.yaml").read_text(encoding="utf-8")
    assert "selected_optional: [2, 6, 8, 11, 14, 15, 27]   # 附表1 column" in yaml_text
    assert (
        yaml_text.startswith("# Nantong ETDZ, the real case")
        and "dominant_sector_share: null" in yaml_text
    )
    assert ecopark.load_config(park).selected_optional == (
        "2",
        "6",
        "8",
        "11",
        "14",
        "15",
        "27",
    )
    # the notes in the existing 2018 file for items the sheet does not give are kept; values agree
    a = ecopark.assess(ecopark.load_park(park), 2021)
    assert a.result(15).role == "selected" and a.compliant


def test_base_year_conflict_is_an_error(tmp_path, nantong_xlsx, nantong_dir):
    park = tmp_path / "nantong-etdz"
    park.mkdir()
    text = (
        (nantong_dir / "park.yaml")
        .read_text(encoding="utf-8")
        .replace("base_year: 2015", "base_year: 2016")
    )
    (park / "park.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(
        ecopark.InputError, match="数据基准年为 2015 年 but the park's base year is 2016"
    ):
        import_office_table(nantong_xlsx, park, 2021)
    assert [p.name for p in park.iterdir()] == ["park.yaml"]


def test_normalize_spellings():
    assert normalize("SO ₂") == "SO2"
    assert normalize("ＣＯＤ 排放量") == "COD排放量"
    assert normalize("再生水（中水）回用率") == normalize("再生水(中水)回用率")


# ---------------------------------------------------------------- templates


def fill_csv(template: str, source: Path) -> str:
    given = {r["item"]: r for r in csv.DictReader(source.open(encoding="utf-8"))}
    rows = list(csv.DictReader(template.lstrip("\ufeff").splitlines()))
    for row in rows:
        if row["item"] in given:
            row.update({k: given[row["item"]][k] for k in ("value", "unit", "note")})
    out = [",".join(rows[0].keys())]
    for row in rows:
        out.append(",".join(f'"{v}"' if "," in v else v for v in row.values()))
    return "\n".join(out) + "\n"


def test_template_csv_has_every_item_and_loads_empty(tmp_path):
    std = ecopark.load_standard()
    text = template_csv()
    rows = list(csv.DictReader(text.splitlines()))
    assert list(rows[0]) == ["item", "value", "unit", "note", "name_zh"]
    assert [r["item"] for r in rows] == list(std.items)
    assert rows[0] == {
        "item": "hightech_output",
        "value": "",
        "unit": "万元",
        "note": "",
        "name_zh": "高新技术企业工业总产值",
    }
    path, _ = write_template(tmp_path, 2021)
    assert path == tmp_path / "2021.csv" and path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert ecopark.read_year_file(path) == []


def test_template_filled_with_nantong_assesses_to_the_official_table(
    tmp_path, nantong_dir, expected_nantong_csv
):
    park = tmp_path / "nantong-etdz"
    park.mkdir()
    shutil.copy(nantong_dir / "park.yaml", park / "park.yaml")
    for year in (2015, 2018, 2021):
        assert main(["template", str(park), str(year)]) == 0
        path = park / f"{year}.csv"
        path.write_text(
            fill_csv(path.read_text(encoding="utf-8-sig"), nantong_dir / f"{year}.csv"),
            encoding="utf-8",
        )
    assert table_rows(park) == expected_rows(expected_nantong_csv)


def test_template_xlsx_validation_and_filled_nantong(tmp_path, nantong_dir, expected_nantong_csv):
    park = tmp_path / "nantong-etdz"
    park.mkdir()
    for name in ("park.yaml", "2015.csv", "2018.csv"):
        shutil.copy(nantong_dir / name, park / name)
    assert main(["template", str(park), "2021", "--format", "xlsx"]) == 0
    path = park / "2021.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == ["item", "value", "unit", "note", "name_zh"]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    lists = {
        dv.formula1: str(dv.sqref) for dv in ws.data_validations.dataValidation if dv.type == "list"
    }
    assert f"B{rows['key_source_compliance']}" in lists['"达标,不达标"']
    assert f"B{rows['emission_caps']}" in lists['"全部完成,未全部完成"']
    assert f"B{rows['wastewater_facility']}" in lists['"具备,不具备"']
    whole = [str(dv.sqref) for dv in ws.data_validations.dataValidation if dv.type == "whole"]
    assert f"B{rows['eco_chain_projects']}" in whole[0]
    assert ws.cell(rows["so2"], 5).value == "SO2排放量" and ws.column_dimensions["E"].width == 60
    given = {
        r["item"]: r for r in csv.DictReader((nantong_dir / "2021.csv").open(encoding="utf-8"))
    }
    for item, r in rows.items():
        if item in given:
            text = given[item]["value"]
            try:
                value: object = float(text) if "." in text else int(text)
            except ValueError:
                value = text
            ws.cell(r, 2).value = value
            ws.cell(r, 4).value = given[item]["note"]
    wb.save(path)
    assert table_rows(park) == expected_rows(expected_nantong_csv)


def test_template_refuses_to_overwrite_without_force(tmp_path, nantong_dir, capsys):
    park = tmp_path / "nantong-etdz"
    shutil.copytree(nantong_dir, park)
    old = (park / "2021.csv").read_bytes()
    assert main(["template", str(park), "2021"]) == 2
    assert "2021.csv: exists; give --force" in capsys.readouterr().err
    assert main(["template", str(park), "2021", "--format", "xlsx"]) == 2
    assert (park / "2021.csv").read_bytes() == old and not (park / "2021.xlsx").exists()
    out = tmp_path / "blank.xlsx"
    assert main(["template", str(park), "2021", "-o", str(out)]) == 0
    assert openpyxl.load_workbook(out).worksheets[0]["A2"].value == "hightech_output"
    path, backups = write_template(park, 2021, force=True, now=dt.datetime(2026, 1, 2, 3, 4, 5))
    assert [b.name for b in backups] == ["2021.csv.bak-20260102-030405"]
    assert backups[0].read_bytes() == old
    assert template_workbook_bytes(2021)[:2] == b"PK"


def test_missing_history_exports_empty_cells_and_imports_back(tmp_path, nantong_dir):
    park = tmp_path / "only2021"
    park.mkdir()
    (park / "park.yaml").write_text(
        (nantong_dir / "park.yaml")
        .read_text(encoding="utf-8")
        .replace("id: nantong-etdz", "id: only2021"),
        encoding="utf-8",
    )
    shutil.copy(nantong_dir / "2021.csv", park / "2021.csv")
    a = ecopark.assess(ecopark.load_park(park), 2021)
    path = tmp_path / "only.xlsx"
    path.write_bytes(workbook_bytes(a, FILLED_ON))
    ws = openpyxl.load_workbook(path)[SHEET1]
    rows = indicator_rows(ws)
    assert ws.cell(rows[10], 7).value is None and ws.cell(rows[10] - 1, 7).value is None
    assert ws.cell(rows[10], 7).comment.text.startswith("缺少数据：综合能耗总量（2015 年）")
    assert ws.cell(rows[10], 7).fill.fgColor.rgb.endswith("FFEB9C")
    again = tmp_path / "again"
    import_office_table(path, again, 2021)
    assert sorted(p.name for p in again.iterdir()) == ["2021.csv", "park.yaml"]
    b = ecopark.assess(ecopark.load_park(again), 2021)
    assert [r.display for r in b.results] == [r.display for r in a.results]
    assert b.result(3).value is None and b.result(2).display == "47.85"


def test_printed_values_that_differ_from_the_computation_are_warned(tmp_path, nantong_xlsx):
    wb = openpyxl.load_workbook(nantong_xlsx)
    ws = wb[SHEET1]
    row = indicator_rows(ws)[3]
    ws.cell(row, 7).value = 2.83
    path = tmp_path / "w.xlsx"
    wb.save(path)
    result = import_office_table(path, tmp_path / "w", 2021)
    assert result.warnings == [
        f"row {row}: indicator 3 is printed as 2.83 in the sheet but ecopark computes 2.82 from the imported data"
    ]
