"""The official tables in the words of the standard assessed (a definition's ``official_table:``).

The synthetic standard (tests/standards/synthetic_demo.yaml, SYNTH-DEMO 0.1) declares texts of
its own, unlike HJ 274-2015's; its xlsx and Word tables for tests/data/two-standards 2021 must
carry them, its tiers and its string ids, with the values worked by hand from the park's data.
HJ 274-2015's own tables are pinned by test_officetable, test_documents and test_golden.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from docx import Document

import ecopark
from ecopark.cli import main
from ecopark.standard import model, registry
from ecopark.standard.model import TABLE_PLACEHOLDERS, OfficialTable, fill, load_standard_file
from ecopark.standard.schema import validate
from ecopark.tables.officetable import table_values
from ecopark.tables.wordtable import document_bytes

HERE = Path(__file__).parent
TWO = HERE / "data" / "two-standards"
SYNTH = "SYNTH-DEMO 0.1"
SCHEMA = HERE / "standards_schema"
FILLED_ON = dt.date(2022, 8, 4)
SYNTH_NAME = "合成示例标准（测试用，非真实标准）"
NOTES = [
    f"说明：本表依据 SYNTH-DEMO 0.1《{SYNTH_NAME}》生成，仅供测试。",
    "层级：基本要求须全部满足，必选须全部达标，特色至少选定 1 项。",
]
A1_REQUIREMENT = (
    "化工园区：缺水地区达到0.6吨标煤/万元以下 其他地区达到0.8吨标煤/万元以下；"
    "综合类园区达到0.5吨标煤/万元以下"
)

# Hand-worked from tests/data/two-standards/2021.csv (park_type chemical, water_region other,
# selected C1 only), rounded half to even at 2 places (a small value to 2 significant digits):
#   A1 = energy / value_added = 1974333.51 / 4906200 = 0.40241… -> 0.40 (limit ≤0.8: passes)
#   A3 = 100 * renewable_energy / energy = 5180 / 1974333.51 = 0.0026236… -> 0.0026 (≥5: fails)
#   B2 = 100 * recycling_value_added / value_added = 21049740 / 4906200 = 4.2904… -> 4.29 (fails)
#   C1 = fresh_water * 10000 / value_added = 37440675 / 4906200 = 7.6312… -> 7.63 (≤10: passes)
#: 附表1 rows 5-15, columns 类别 … 当年数值 (None: a merged cell below its first).
SHEET1_ROWS = [
    ["基本要求", "G1", "近三年重大环境事件数量", "起", "0", "基本要求", 0],
    [None, "G2", "稳定达标排放", "—", "达标", "基本要求", "达标"],
    ["降碳减污", "A1", "工业增加值", "万元", "-", "-", 4906200],
    [None, None, "综合能耗总量", "吨标煤", "-", "-", 1974333.51],
    [None, None, "单位工业增加值综合能耗", "吨标煤/万元", A1_REQUIREMENT, "必选", 0.4],
    [None, "A3", "可再生能源使用量", "吨标煤", "-", "-", 51.8],
    [None, None, "可再生能源使用比例", "%", "≥5", "必选", 0.0026],
    ["发展质效", "B2", "资源再生利用产业增加值", "万元", "-", "-", 210497.4],
    [None, None, "资源再生利用产业增加值占比", "%", "≥20", "特色·未选", 4.29],
    [None, "C-1", "新鲜水资源消耗量", "万立方米", "-", "-", 3744.0675],
    [None, None, "单位工业增加值新鲜水耗", "立方米/万元", "≤10", "特色·已选", 7.63],
]
#: 附表2: id, role word, printed value, passed word.
SHEET2_ROWS = [
    ("G1", "基本要求", "0", "达标"),
    ("G2", "基本要求", "达标", "达标"),
    ("A1", "必选", "0.40", "达标"),
    ("A3", "必选", "0.0026", "未达标"),
    ("B2", "特色·未选", "4.29", "未达标"),
    ("C-1", "特色·已选", "7.63", "达标"),
]


@pytest.fixture(scope="module")
def registered():
    """SYNTH-DEMO 0.1 found by its code for this module, as a user's folder (then forgotten)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(registry.ENV_VAR, str((HERE / "standards").resolve()))
        model.load_standard.cache_clear()
        yield
    model.load_standard.cache_clear()


@pytest.fixture(scope="module")
def synth(registered) -> ecopark.Assessment:
    return ecopark.assess(ecopark.load_park(TWO, SYNTH), 2021)


@pytest.fixture(scope="module")
def synth_xlsx(registered, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "table.xlsx"
    args = ["table", str(TWO), "2021", "--standard", SYNTH, "--format", "xlsx", "-o", str(out)]
    assert main(args) == 0
    return out


def test_the_xlsx_table_is_in_the_synthetic_standards_words(synth_xlsx):
    wb = openpyxl.load_workbook(synth_xlsx)
    assert wb.sheetnames == ["表A 合成考核表", "表B 合成公开表"]
    ws = wb["表A 合成考核表"]
    assert ws["A1"].value == "合成示例标准考核表（双标准测试园区，2021 年）"
    assert ws["A2"].value == "受评园区：双标准测试园区（two-standards）"
    assert ws["E2"].value.startswith("制表日期：") and ws["E2"].value.endswith(" 日")
    assert (ws["A3"].value, ws["E3"].value) == (
        "合成考核指标一览（SYNTH-DEMO 0.1）",
        "基准年份：2015",
    )
    assert [c.value for c in ws[4]] == [
        "类别",
        "编号",
        "合成指标",
        "计量单位",
        "合成要求",
        "指标层级",
        "当年数值",
    ]
    got = [[c.value for c in row] for row in ws.iter_rows(min_row=5, max_row=15, max_col=7)]
    assert got == SHEET1_ROWS
    # the printed precision is the number format; the row of a failing indicator is shaded
    assert [ws[f"G{r}"].number_format for r in (9, 11, 13, 15)] == [
        "0.00",
        "0.0000",
        "0.00",
        "0.00",
    ]
    assert ws["G9"].value == round(1974333.51 / 4906200, 2)
    assert ws["C11"].fill.fgColor.rgb.endswith("FFC7CE") and ws["C15"].fill.fill_type is None
    assert {"A5:A6", "A7:A11", "A12:A15", "B7:B9", "B10:B11", "B12:B13", "B14:B15"} <= {
        str(r) for r in ws.merged_cells.ranges
    }
    # below the table: its notes (no footnote marks in this standard), then the rule's note
    assert ws["A16"].value is None
    assert [ws["A17"].value, ws["A18"].value] == NOTES
    assert ws["A19"].value.startswith("数值修约与判定：GB/T 8170-2008 四舍六入五成双，全数值比较法")


def test_the_xlsx_disclosure_sheet_is_in_the_synthetic_standards_words(synth_xlsx):
    ws = openpyxl.load_workbook(synth_xlsx)["表B 合成公开表"]
    assert ws["A1"].value == "合成示例信息公开表（2021 年，基准 2015 年）"
    assert (ws["A2"].value, ws["F2"].value) == (
        "受评园区：双标准测试园区（two-standards）",
        "基准年份：2015",
    )
    assert ws["A3"].value == "甲、合成指标达标情况"
    assert [c.value for c in ws[4]][5:] == ["指标层级", "现值", "达标与否"]
    rows = list(ws.iter_rows(min_row=5, max_row=10, max_col=8, values_only=True))
    got = [(r[1], r[5], r[7]) for r in rows]
    assert got == [(n, role, passed) for n, role, _, passed in SHEET2_ROWS]
    assert [r[6] for r in rows] == [0, "达标", 0.4, 0.0026, 4.29, 7.63]
    assert [ws["A12"].value, ws["A13"].value] == NOTES


def test_the_word_tables_are_in_the_synthetic_standards_words(synth):
    doc = Document(io.BytesIO(document_bytes(synth, FILLED_ON)))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "双标准测试园区：SYNTH-DEMO 0.1 合成评价（2021 年）"
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == [
        "一、评价结论",
        "二、表A 合成考核表",
        "三、表B 合成公开表",
        "四、达标所需",
    ]
    # the conclusion counts the indicators that count, tier by tier, in the standard's words
    [counted] = [t for t in texts if t.startswith("参与评价的指标：")]
    assert counted.startswith(
        "参与评价的指标：基本要求类 2 项、必选类 2 项、特色类选定 1 项；"
        "其中未达标 1 项：A3 可再生能源使用比例（必选，0.0026）"
    )
    at = texts.index("二、表A 合成考核表")
    assert texts[at + 1 : at + 3] == [
        "合成示例标准考核表（双标准测试园区，2021 年）",
        "受评园区：双标准测试园区（two-standards）　　制表日期：2022 年 8 月 4 日　　基准年份：2015",
    ]
    assert texts[at + 3 : at + 5] == NOTES
    at = texts.index("三、表B 合成公开表")
    assert texts[at + 1 : at + 4] == [
        "合成示例信息公开表（2021 年，基准 2015 年）",
        "受评园区：双标准测试园区（two-standards）　　基准年份：2015",
        "甲、合成指标达标情况",
    ]
    t1, t2, whatif = doc.tables
    assert [c.text for c in t1.rows[0].cells] == [
        "类别",
        "编号",
        "合成指标",
        "计量单位",
        "合成要求",
        "指标层级",
        "当年数值",
    ]
    # a merged cell reads as its text in every row it spans; values as printed
    categories = ["基本要求"] * 2 + ["降碳减污"] * 5 + ["发展质效"] * 4
    ids = ["G1", "G2", "A1", "A1", "A1", "A3", "A3", "B2", "B2", "C-1", "C-1"]
    printed = ["0", "达标", "4906200", "1974333.51", "0.40", "51.8", "0.0026"]
    printed += ["210497.4", "4.29", "3744.0675", "7.63"]
    want = [
        [cat, n, *row[2:6], value]
        for cat, n, row, value in zip(categories, ids, SHEET1_ROWS, printed, strict=True)
    ]
    assert [[c.text for c in row.cells] for row in t1.rows[1:]] == want
    rows2 = [[c.text for c in row.cells] for row in t2.rows[1:]]
    assert [(r[1], r[5], r[6], r[7]) for r in rows2] == SHEET2_ROWS
    assert [c.text for c in t2.rows[0].cells][5:] == ["指标层级", "现值", "达标与否"]
    # what it would take names the role in the standard's words too
    assert {row.cells[0].text: row.cells[3].text for row in whatif.rows[1:]} == {
        "A3": "必选",
        "B2": "特色·未选",
    }


def test_the_placeholders_are_filled_once_and_all_known(synth):
    values = table_values(synth, FILLED_ON)
    assert values.keys() == TABLE_PLACEHOLDERS.keys()
    assert values["filled_on"] == "2022 年 8 月 4 日" and values["park_id"] == "two-standards"
    # a value holding a placeholder is not read again; an unknown name stays as written
    assert fill("{park}：{year}{x}", {"park": "{year}园", "year": 2021}) == "{year}园：2021{x}"


def test_a_definition_without_texts_takes_the_defaults():
    """valid.yaml gives only title_zh: every other text is the default, naming no standard."""
    texts = load_standard_file(SCHEMA / "valid.yaml").official_table
    default = OfficialTable()
    assert texts.title_zh == "附表1 合成指标" and default.title_zh == "{standard_name}对照考核表"
    assert texts.sheet_zh == default.sheet_zh == "对照考核表"
    assert texts.disclosure == default.disclosure
    assert texts.disclosure.sheet_zh == "信息公开表"
    assert (texts.must_zh, texts.selected_zh, texts.not_selected_zh) == ("{tier}", "是", "否")
    assert texts.notes_zh == ()


def _definition(tmp_path: Path, block: str) -> Path:
    """valid.yaml with its official_table block (lines 8-9) replaced by ``block``."""
    text = (SCHEMA / "valid.yaml").read_text(encoding="utf-8")
    old = "official_table:\n  title_zh: 附表1 合成指标\n"
    assert old in text
    shutil.copy(SCHEMA / "items.csv", tmp_path / "items.csv")
    path = tmp_path / "d.yaml"
    path.write_text(text.replace(old, block), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("block", "line", "message"),
    [
        (
            "official_table:\n  title_zh: 表\n  colour: red\n",
            10,
            "official_table: unknown key 'colour'; an official table has sheet_zh, title_zh,",
        ),
        (
            "official_table:\n  disclosure:\n    sheet: 表二\n",
            10,
            "official_table › disclosure: unknown key 'sheet'; a disclosure table has sheet_zh",
        ),
        (
            "official_table:\n  columns_zh: 分类\n",
            9,
            "official_table › columns_zh must be a list ('分类' given)",
        ),
        (
            "official_table:\n  columns_zh: [分类, 序号]\n",
            9,
            "official_table › columns_zh must list 7 values, not 2",
        ),
        (
            "official_table:\n  disclosure: {columns_zh: [a, b, c, d, e, f, g]}\n",
            9,
            "official_table › disclosure › columns_zh must list 8 values, not 7",
        ),
        (
            "official_table:\n  title_zh: [表]\n",
            9,
            "official_table › title_zh must be text, not a list",
        ),
        (
            "official_table:\n  notes_lead_zh: 3\n",
            9,
            "official_table › notes_lead_zh must be text, not 3",
        ),
        ("official_table: 附表\n", 8, "official_table must be a mapping of key: value"),
        (
            'official_table:\n  title_zh: "{parc}对照表"\n',
            9,
            "official_table › title_zh: unknown placeholder {parc}; it may hold {park}, "
            "{park_id}, {year}, {base_year}, {standard}, {standard_name}, {filled_on}",
        ),
        (
            'official_table:\n  must_zh: "{park}"\n',
            9,
            "official_table › must_zh: unknown placeholder {park}; it may hold {tier}",
        ),
        (
            'official_table:\n  notes_zh: ["见 {yaer} 年"]\n',
            9,
            "official_table › notes_zh[1]: unknown placeholder {yaer}",
        ),
        (
            "official_table:\n  sheet_zh: 附表1/对照考核表\n",
            9,
            "official_table › sheet_zh: '附表1/对照考核表' holds /, which a sheet's name cannot",
        ),
        (
            "official_table:\n  disclosure:\n    sheet_zh: " + "表" * 32 + "\n",
            10,
            "official_table › disclosure › sheet_zh: '" + "表" * 32 + "' has 32 characters; "
            "a sheet's name has at most 31",
        ),
        (
            "official_table:\n  sheet_zh: 信息公开表\n",
            9,
            "official_table: 附表1 and 附表2 would have the same sheet name '信息公开表'",
        ),
    ],
)
def test_a_bad_official_table_is_refused_with_file_and_line(tmp_path, block, line, message):
    path = _definition(tmp_path, block)
    problems = validate(path)
    assert [p.line for p in problems] == [line], problems
    assert problems[0].file.endswith("d.yaml")
    assert message in problems[0].message, problems[0].message
    with pytest.raises(ecopark.InputError) as exc:
        load_standard_file(path)
    assert exc.value.problems == problems


def test_standards_check_refuses_an_unknown_key(tmp_path, capsys):
    path = _definition(tmp_path, "official_table:\n  title_zh: 表\n  sheet_name: 表一\n")
    assert main(["standards", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "d.yaml, line 10" in err and "unknown key 'sheet_name'" in err
    assert "Traceback" not in err
