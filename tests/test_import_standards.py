"""Issue 12: ``ecopark import-table`` reads a standard's 附表1 by the words of its own
``official_table`` (sheet name, headings, header lines, role words, notes): the round trip
table -> xlsx -> import -> table for HJ 274-2015 and for the synthetic SYNTH-DEMO 0.1, and bad
synthetic tables answered in that standard's words.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

import ecopark
from ecopark.cli import main
from ecopark.standard import model, registry
from ecopark.tables.importer import Layout, line_pattern, normalize

HERE = Path(__file__).parent
ROOT = HERE.parent
TWO = HERE / "data" / "two-standards"
NANTONG = ROOT / "data" / "nantong-etdz"
SYNTH = "SYNTH-DEMO 0.1"
HJ = "HJ 274-2015"


@pytest.fixture()
def synth(monkeypatch):
    monkeypatch.setenv(registry.ENV_VAR, str((HERE / "standards").resolve()))
    model.load_standard.cache_clear()
    yield model.load_standard(SYNTH)
    model.load_standard.cache_clear()


def _cli(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _sheet(capsys, tmp_path: Path, park: Path, code: str, name: str) -> Path:
    path = tmp_path / name
    args = ["table", str(park), "2021", "--standard", code, "--format", "xlsx", "-o", str(path)]
    assert _cli(capsys, *args, "--filled-on", "2022-08-04")[0] == 0
    return path


@pytest.fixture()
def synth_sheet(synth, tmp_path, capsys) -> Path:
    return _sheet(capsys, tmp_path, TWO, SYNTH, "synth-2021.xlsx")


def _import(capsys, sheet: Path, park: Path, *extra: str) -> tuple[int, str]:
    code, _, err = _cli(
        capsys, "import-table", str(sheet), "--park-dir", str(park), "--year", "2021", *extra
    )
    return code, err


SYNTH_ARGS = ("--standard", SYNTH, "--attribute", "park_type=chemical")


def test_the_synthetic_table_round_trips_to_the_same_values(synth_sheet, tmp_path, capsys):
    park = tmp_path / "synth-new"
    code, err = _import(capsys, synth_sheet, park, *SYNTH_ARGS, "--water-region", "other")
    assert code == 0, err
    assert "read sheet '表A 合成考核表' (named 表A 合成考核表)" in err
    config = ecopark.load_config(park)
    # 受评园区：{park}（{park_id}） and 基准年份：{base_year}, read by their templates
    assert config.name == "双标准测试园区" and config.base_year == 2015
    assert config.standards == (SYNTH,)
    assert config.selected_for(SYNTH) == ("C1",)  # 特色·已选; B2 is 特色·未选
    want = _cli(capsys, "table", str(TWO), "2021", "--standard", SYNTH, "--format", "csv")
    got = _cli(capsys, "table", str(park), "2021", "--format", "csv")
    assert got[0] == want[0] == 0
    assert got[1] == want[1]
    assert "C1,发展质效,单位工业增加值新鲜水耗,立方米/万元,≤10,selected,7.63,true" in got[1]


def test_hj274_table_round_trips_to_the_expected_csv(tmp_path, capsys):
    sheet = _sheet(capsys, tmp_path, NANTONG, HJ, "nantong-2021.xlsx")
    park = tmp_path / "nantong-new"
    source = ecopark.load_config(NANTONG)
    attrs = [f"--attribute={k}={v}" for k, v in source.attributes.items() if v is not None]
    code, err = _import(capsys, sheet, park, *attrs)
    assert code == 0, err
    assert ecopark.load_config(park).name == source.name
    assert ecopark.load_config(park).selected_for(HJ) == source.selected_for(HJ)
    code, out, _ = _cli(capsys, "table", str(park), "2021", "--format", "csv")
    expected = (HERE / "data" / "nantong-etdz-2021-expected.csv").read_text(encoding="utf-8")
    assert code == 0 and out == expected.lstrip("\ufeff")


def test_hj274_layout_is_what_its_definition_says():
    layout = Layout.of(model.load_standard(HJ))
    assert layout.sheet_words == ("附表1", "对照考核表")
    assert layout.headings["indicator"] == ("指标", "指标名称", "考核指标")
    assert layout.headings["role"] == ("是否选为考核指标", "是否为考核指标")
    assert layout.headings["value"] == ("数值", "当年现状值", "现状值")
    assert layout.headings["requirement"] == ("要求", "指标值", "标准值")
    assert layout.roles == {
        "必选": ((None, "must"),),
        "是": ((None, "selected"),),
        "否": ((None, "optional"),),
    }
    assert layout.note_leads == ("注", "数值修约与判定")
    assert layout.header_values([(2, ["园区名称：南通 开发区   填报时间：2022 年 8 月 4 日"])]) == (
        "南通开发区",
        None,
    )
    assert layout.header_values([(3, ["考核指标", "数据基准年为 ２０１５ 年"])]) == (None, 2015)


def test_a_template_becomes_a_regex_with_its_placeholders_as_groups():
    m = line_pattern("受评园区：{park}（{park_id}）", ["制表日期"]).search(
        normalize("受评园区：某(新)园区（p-1）制表日期：x")
    )
    assert m is not None and (m.group("park"), m.group("park_id")) == ("某(新)园区", "p-1")
    assert line_pattern("基准年份：{base_year}").search("基准年份:20x5") is None


def test_synthetic_role_words_are_tier_words(synth):
    layout = Layout.of(synth)
    must, _, featured = (synth.tier("must"), None, synth.tier_of(synth.indicator("C1")))
    assert layout.role("必选", must) == "must"
    assert layout.role("特色·已选", featured) == "selected"
    assert layout.role("特色·未选", featured) == "optional"
    assert layout.role("特色·已选", must) is None  # another tier's word
    assert layout.role("是", featured) is None  # HJ 274-2015's word is not this standard's
    assert layout.role_words(featured) == ["特色·已选", "特色·未选"]


def _edit(src: Path, dst: Path, change) -> Path:
    wb = openpyxl.load_workbook(src)
    change(wb)
    wb.save(dst)
    return dst


def _cell(ws, row: int, col: int, value) -> None:
    for rng in list(ws.merged_cells.ranges):
        if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
            ws.unmerge_cells(str(rng))
    ws.cell(row, col).value = value


def _row_of(ws, text: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 3).value == text)


def test_a_missing_column_is_named_in_the_standards_words(synth_sheet, tmp_path, capsys):
    bad = _edit(synth_sheet, tmp_path / "no-id.xlsx", lambda wb: _cell(wb.worksheets[0], 4, 2, ""))
    park = tmp_path / "p"
    code, err = _import(capsys, bad, park, *SYNTH_ARGS)
    assert code == 2 and not park.exists() and "Traceback" not in err
    assert (
        "no-id.xlsx [表A 合成考核表], line 4: the header lacks the column 编号; SYNTH-DEMO 0.1's "
        "表A 合成考核表 has the columns 类别, 编号, 合成指标, 计量单位, 合成要求, 指标层级, 当年数值"
    ) in err
    bad = _edit(
        synth_sheet, tmp_path / "no-value.xlsx", lambda wb: _cell(wb.worksheets[0], 4, 7, "")
    )
    code, err = _import(capsys, bad, park, *SYNTH_ARGS)
    assert (
        code == 2
        and "no-value.xlsx [表A 合成考核表], line 4: the header has no column 当年数值 (or 现值)"
        in err
    )


def test_a_wrong_sheet_is_named_with_the_sheet_it_should_be(tmp_path, synth, capsys):
    wb = openpyxl.Workbook()
    wb.active.title = "2021"
    wb.active.append(["item", "value", "unit"])
    wb.active.append(["value_added", 4906200, "万元"])
    bad = tmp_path / "wrong.xlsx"
    wb.save(bad)
    code, err = _import(capsys, bad, tmp_path / "p", *SYNTH_ARGS)
    assert code == 2 and "Traceback" not in err and not (tmp_path / "p").exists()
    assert (
        "wrong.xlsx [2021]: has no header row with 编号 and 合成指标; no sheet is named "
        "表A 合成考核表; the table must have the columns 类别, 编号, 合成指标, 计量单位, 合成要求, "
        "指标层级, 当年数值 (read sheet '2021' (the active sheet))"
    ) in err


def test_another_standards_table_is_said_to_be_so(synth, tmp_path, capsys):
    sheet = _sheet(capsys, tmp_path, NANTONG, HJ, "nantong-2021.xlsx")
    code, err = _import(capsys, sheet, tmp_path / "p", *SYNTH_ARGS)
    assert code == 2 and not (tmp_path / "p").exists()
    assert (
        "the sheet is laid out as HJ 274-2015's 附表1 对照考核表 (分类, 序号, 指标, 单位, 要求, "
        "是否选为考核指标, 数值), not as SYNTH-DEMO 0.1's 表A 合成考核表"
    ) in err
    assert "give --standard HJ 274-2015" in err


def test_a_role_word_of_another_tier_is_refused(synth_sheet, tmp_path, capsys):
    def role(wb):
        ws = wb.worksheets[0]
        _cell(ws, _row_of(ws, "单位工业增加值综合能耗"), 6, "特色·已选")

    bad = _edit(synth_sheet, tmp_path / "role.xlsx", role)
    code, err = _import(capsys, bad, tmp_path / "p", *SYNTH_ARGS)
    assert code == 2
    assert "指标层级 '特色·已选' must be 必选 (indicator A1 is of the tier 必选)" in err


def test_a_missing_base_year_line_is_named_in_the_standards_words(synth_sheet, tmp_path, capsys):
    def drop(wb):
        ws = wb.worksheets[0]
        for row in ws.iter_rows(min_row=1, max_row=3):
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("基准年份："):
                    _cell(ws, c.row, c.column, "")

    bad = _edit(synth_sheet, tmp_path / "nobase.xlsx", drop)
    code, err = _import(capsys, bad, tmp_path / "p", *SYNTH_ARGS)
    assert code == 2
    assert (
        "the header lacks 基准年份：XXXX and the folder has no park.yaml; give --base-year" in err
    )


def test_a_park_of_both_standards_takes_the_synthetic_table(synth_sheet, tmp_path, capsys):
    park = tmp_path / "two-standards"
    shutil.copytree(TWO, park)
    code, err = _import(capsys, synth_sheet, park, "--standard", SYNTH, "--force")
    assert code == 0, err
    assert ecopark.load_config(park).selected_for(HJ) == ("2", "6", "8", "11", "14", "27")
    want = _cli(capsys, "table", str(TWO), "2021", "--standard", HJ, "--format", "csv")[1]
    assert _cli(capsys, "table", str(park), "2021", "--standard", HJ, "--format", "csv")[1] == want


def test_a_heading_alias_of_no_column_is_a_definition_problem(tmp_path):
    from ecopark.standard import schema

    shutil.copytree(HERE / "standards", tmp_path / "s")
    path = tmp_path / "s" / "synthetic_demo.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "  base_prefix_zh: 基准年份的\n",
        "  base_prefix_zh: 基准年份的\n  heading_aliases_zh: {当年数值: [数值], 序号: [号]}\n",
    )
    path.write_text(text, encoding="utf-8")
    problems = [str(p) for p in schema.validate(path)]
    assert len(problems) == 1
    assert "'序号' is not a heading of columns_zh (类别, 编号, 合成指标" in problems[0]
    assert "synthetic_demo.yaml, line 21: official_table › heading_aliases_zh" in problems[0]
