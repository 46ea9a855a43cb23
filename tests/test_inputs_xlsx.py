"""Workbooks read as the user sees them (issue 10, item 1): number formats, merged cells, the sheet
chosen, formulas without a saved value; the same rules for year files, sector files and the
importer. Every workbook is made here with openpyxl (no committed binaries)."""

from __future__ import annotations

import csv
import datetime as dt

import openpyxl
import pytest

import ecopark
from ecopark.cli import main
from ecopark.errors import InputError
from ecopark.io.sectors import read_sector_file
from ecopark.io.yearfile import read_xlsx_rows, sheet_note, year_sheet
from ecopark.tables.officetable import workbook_bytes
from parkfiles import nantong_copy, nantong_years, patch_sheet, row, table_rows


@pytest.fixture
def expected_rows(expected_nantong_csv):
    return list(csv.DictReader(expected_nantong_csv.open(encoding="utf-8")))


@pytest.fixture(scope="module")
def nantong_xlsx(tmp_path_factory, nantong_dir):
    """Nantong 2021's 对照考核表 as ecopark writes it."""
    path = tmp_path_factory.mktemp("export") / "nantong-2021.xlsx"
    assessment = ecopark.assess(ecopark.load_park(nantong_dir), 2021)
    path.write_bytes(workbook_bytes(assessment, dt.date(2022, 8, 4)))
    return path


def _book(path, rows, *, title="Sheet", formats=None, merges=(), extra=()):
    """A workbook whose sheet ``title`` holds ``rows``; ``formats`` maps a cell to its format."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(list(r))
    for ref, fmt in (formats or {}).items():
        ws[ref].number_format = fmt
    for ref in merges:
        ws.merge_cells(ref)
    for name, state, sheet_rows in extra:
        other = wb.create_sheet(name)
        other.sheet_state = state
        for r in sheet_rows:
            other.append(list(r))
    wb.save(path)
    return path


def _nantong_2021_xlsx(folder, edit=None):
    """Nantong's 2021 year file as a workbook (``edit(ws)`` changes it), replacing 2021.csv."""
    (folder / "2021.csv").unlink()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["item", "value", "unit", "note"])
    for item, (value, unit) in nantong_years()[2021].items():
        try:
            cell = int(value) if value.isdigit() else float(value)
        except ValueError:
            cell = value
        ws.append([item, cell, unit or None, None])
    if edit is not None:
        edit(wb, ws)
    wb.save(folder / "2021.xlsx")
    return folder


def _line_of(ws, item):
    return next(c.row for c in ws["A"] if c.value == item)


# --- percent-formatted cells ------------------------------------------------------------------


def test_a_percent_formatted_cell_is_the_percentage_it_shows(tmp_path, expected_rows):
    def edit(wb, ws):
        for item in ("green_coverage", "disclosure_rate"):
            cell = ws.cell(_line_of(ws, item), 2)
            cell.value = float(cell.value) / 100  # 20.2 → 0.202, as Excel stores 20.2%
            cell.number_format = "0.0%"

    folder = _nantong_2021_xlsx(nantong_copy(tmp_path), edit)
    got = table_rows(ecopark.assess(ecopark.load_park(folder), 2021))
    assert got == expected_rows  # indicators 29 and 30 as the official table, not 0.202 %
    assert row(ecopark.assess(ecopark.load_park(folder), 2021), 29)["value"] == "20.2"


def test_a_percent_formatted_amount_is_refused(tmp_path):
    def edit(wb, ws):
        cell = ws.cell(_line_of(ws, "value_added"), 2)
        cell.number_format = "0.00%"

    folder = _nantong_2021_xlsx(nantong_copy(tmp_path), edit)
    with pytest.raises(InputError) as exc:
        ecopark.assess(ecopark.load_park(folder), 2021)
    [p] = exc.value.problems
    assert p.item == "value_added" and p.file.endswith("2021.xlsx")
    assert "percent-formatted" in p.message and "490620000%" in p.message
    assert "format the cell as a number" in p.message


def test_a_date_formatted_amount_is_refused(tmp_path):
    def edit(wb, ws):
        ws.cell(_line_of(ws, "energy"), 2).number_format = "yyyy-mm-dd"

    folder = _nantong_2021_xlsx(nantong_copy(tmp_path), edit)
    with pytest.raises(InputError) as exc:
        ecopark.assess(ecopark.load_park(folder), 2021)
    [p] = exc.value.problems
    assert p.item == "energy" and "formatted as a date" in p.message


def test_percent_text_keeps_every_digit(tmp_path):
    path = _book(
        tmp_path / "2021.xlsx",
        [("item", "value", "unit"), ("green_coverage", 0.2025, "%"), ("info_platform", 1, "%")],
        formats={"B2": "0.0%", "B3": "0%"},
    )
    [a, b] = ecopark.read_year_file(path)
    assert (a.value, a.value_as_written) == (20.25, "20.25")  # not the 20.3 the format rounds to
    assert (b.value, b.value_as_written) == (100.0, "100")


def test_a_quoted_percent_sign_in_a_format_is_not_a_percentage(tmp_path):
    path = _book(
        tmp_path / "2021.xlsx",
        [("item", "value", "unit"), ("green_coverage", 20.2, None)],
        formats={"B2": '0.0"%"'},
    )
    [r] = ecopark.read_year_file(path)
    assert r.value == 20.2


# --- merged cells -----------------------------------------------------------------------------


def test_a_merged_unit_cell_gives_its_unit_to_every_row(tmp_path, expected_rows):
    def edit(wb, ws):
        # solid waste in 万吨, the unit cell merged over the three solid-waste rows
        rows = [
            _line_of(ws, i)
            for i in ("solid_waste_utilized", "solid_waste_generated", "solid_waste_stock_utilized")
        ]
        assert rows == list(range(rows[0], rows[0] + 3))
        for r in rows:
            cell = ws.cell(r, 2)
            cell.value = float(cell.value) / 10000
        ws.cell(rows[0], 3).value = "万吨"
        ws.merge_cells(start_row=rows[0], start_column=3, end_row=rows[-1], end_column=3)

    folder = _nantong_2021_xlsx(nantong_copy(tmp_path), edit)
    got = table_rows(ecopark.assess(ecopark.load_park(folder), 2021))
    assert got == expected_rows  # indicator 6 and 28 as with 吨 in every row


def test_a_merged_value_spans_rows_and_a_merge_past_the_data_costs_nothing(tmp_path):
    path = _book(
        tmp_path / "2021.xlsx",
        [
            ("item", "value", "unit"),
            ("key_source_compliance", "达标", None),
            ("wastewater_facility", "具备", None),
            ("env_management", 100, "%"),
            ("cleaner_production_audit", None, None),
        ],
        merges=["C4:C5"],
    )
    # a merge down to the sheet's last row (openpyxl would build a million cells to write it)
    patch_sheet(
        path,
        lambda xml: xml.replace(
            '<mergeCell ref="C4:C5"/>', '<mergeCell ref="C4:C5"/><mergeCell ref="D1:D1048576"/>'
        ).replace('mergeCells count="1"', 'mergeCells count="2"'),
    )
    assert "D1:D1048576" in _sheet_xml(path)
    records = {r.item: r for r in ecopark.read_year_file(path)}
    assert records["env_management"].value == 100.0
    assert "cleaner_production_audit" not in records  # the merge gives the unit, not a value


# --- which sheet ------------------------------------------------------------------------------


def test_a_hidden_sheet_is_never_read(tmp_path):
    old = [("item", "value", "unit"), ("value_added", 1, "万元")]
    new = [("item", "value", "unit"), ("value_added", 4906200, "万元")]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2020年数据"
    for r in old:
        ws.append(r)
    ws.sheet_state = "hidden"
    visible = wb.create_sheet("填报")
    for r in new:
        visible.append(r)
    wb.active = 1
    wb.save(tmp_path / "2021.xlsx")
    [r] = ecopark.read_year_file(tmp_path / "2021.xlsx")
    assert r.value == 4906200.0
    note = sheet_note(tmp_path / "2021.xlsx")
    assert (
        "read sheet '填报' (the active sheet)" in note and "hidden, not read: '2020年数据'" in note
    )


def test_the_active_sheet_is_hidden_then_the_first_visible_is_read(tmp_path):
    wb = openpyxl.Workbook()
    a = wb.active
    a.title = "旧"
    a.append(["item", "value", "unit"])
    a.append(["value_added", 1, ""])
    b = wb.create_sheet("新")
    b.append(["item", "value", "unit"])
    b.append(["value_added", 2, ""])
    a.sheet_state = "hidden"  # still the active tab in the file
    wb.save(tmp_path / "2021.xlsx")
    [r] = ecopark.read_year_file(tmp_path / "2021.xlsx")
    assert r.value == 2.0


def test_the_sheet_named_for_the_year_wins(tmp_path):
    path = _book(
        tmp_path / "2021.xlsx",
        [("说明",), ("本表为填报说明",)],
        title="说明",
        extra=[
            ("2020", "visible", [("item", "value", "unit"), ("value_added", 1, "")]),
            ("２０２１年", "visible", [("item", "value", "unit"), ("value_added", 3, "")]),
        ],
    )
    [r] = ecopark.read_year_file(path)
    assert r.value == 3.0
    assert sheet_note(path).startswith("read sheet '２０２１年' (named for the year)")
    assert year_sheet(2021)("2021") and year_sheet(2021)("2021 年") and not year_sheet(2021)("2020")


def test_data_on_another_sheet_names_the_sheet_read(tmp_path):
    path = _book(
        tmp_path / "2021.xlsx",
        [("封面",)],
        title="封面",
        extra=[("数据", "visible", [("item", "value", "unit"), ("value_added", 3, "")])],
    )
    with pytest.raises(InputError) as exc:
        ecopark.read_year_file(path)
    [p] = exc.value.problems
    assert "lacks the header" in p.message
    assert "read sheet '封面' (the active sheet); not read: '数据'" in p.message


def test_check_says_which_sheet_was_read(tmp_path, capsys):
    folder = _nantong_2021_xlsx(nantong_copy(tmp_path))
    assert main(["check", str(folder)]) == 0
    err = capsys.readouterr().err
    assert "2021.xlsx: read sheet 'Sheet1' (the active sheet)" in err


# --- formulas ---------------------------------------------------------------------------------


def test_a_formula_without_a_saved_value_names_the_cell(tmp_path, capsys):
    def edit(wb, ws):
        r = _line_of(ws, "solid_waste_utilized")
        ws.cell(r, 2).value = "=B20*0.95"  # openpyxl saves no value for a formula

    folder = _nantong_2021_xlsx(nantong_copy(tmp_path), edit)
    line = _line_of(openpyxl.load_workbook(folder / "2021.xlsx").active, "solid_waste_utilized")
    with pytest.raises(InputError) as exc:
        ecopark.assess(ecopark.load_park(folder), 2021)
    [p] = exc.value.problems
    assert (p.line, p.item) == (line, "solid_waste_utilized")
    assert f"cell B{line}" in p.message and "=B20*0.95" in p.message
    assert "公式未计算：open and save the workbook in Excel or WPS" in p.message
    assert main(["table", str(folder), "2021"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and "公式未计算" in out.err and "Traceback" not in out.err


def _sheet_xml(path):
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return zf.read("xl/worksheets/sheet1.xml").decode()


def test_a_formula_with_a_saved_value_is_read_and_an_error_value_is_named(tmp_path):
    path = _book(
        tmp_path / "2021.xlsx",
        [("item", "value", "unit"), ("value_added", 0, "万元"), ("energy", 0, "吨标煤")],
    )
    patch_sheet(
        path,
        lambda xml: xml.replace(
            '<c r="B2" t="n"><v>0</v></c>', '<c r="B2"><f>1+1</f><v>4906200</v></c>'
        ).replace('<c r="B3" t="n"><v>0</v></c>', '<c r="B3" t="e"><f>1/0</f><v>#DIV/0!</v></c>'),
    )
    with pytest.raises(InputError) as exc:
        ecopark.read_year_file(path)
    [p] = exc.value.problems
    assert p.line == 3 and "cell B3 shows the error #DIV/0!" in p.message
    rows = read_xlsx_rows(path, "x").rows
    assert rows[1] == (2, ["value_added", "4906200", "万元"])


# --- sector files and the importer take the same rules --------------------------------------


def test_a_sector_workbook_gets_the_same_rules(tmp_path):
    path = _book(
        tmp_path / "2021.xlsx",
        [
            ("sector", "item", "value", "unit"),
            ("化工", "value_added", 100, "万元"),
            ("化工", "energy", 0.5, "吨标煤"),
            ("机械", "value_added", "=1+1", None),
        ],
        formats={"C3": "0%"},
        merges=["D2:D3"],
    )
    with pytest.raises(InputError) as exc:
        read_sector_file(path, ecopark.load_standard(), 2021)
    assert [(p.line, p.item) for p in exc.value.problems] == [(3, "energy"), (4, "value_added")]
    assert "percent-formatted" in exc.value.problems[0].message
    assert "公式未计算" in exc.value.problems[1].message


def test_the_importer_reads_percent_cells_and_merged_units(tmp_path, nantong_xlsx, capsys):
    SHEET1 = "附表1 对照考核表"  # HJ 274-2015's sheet name
    wb = openpyxl.load_workbook(nantong_xlsx)
    ws = wb[SHEET1]
    r29 = next(r for r in ws.iter_rows() if r[1].value == 29)
    r29[6].value = 0.202
    r29[6].number_format = "0.0%"
    hidden = wb.create_sheet("旧表", 0)
    hidden.append(["序号", "指标", "数值"])
    hidden.sheet_state = "hidden"
    wb.active = wb.sheetnames.index(SHEET1)
    book = tmp_path / "filled.xlsx"
    wb.save(book)
    folder = tmp_path / "imported"
    assert main(["import-table", str(book), "--park-dir", str(folder), "--year", "2021"]) == 0
    text = (folder / "2021.csv").read_text(encoding="utf-8")
    assert "green_coverage,20.2," in text
    err = capsys.readouterr().err
    assert "filled.xlsx: read sheet '附表1 对照考核表' (named 附表1 对照考核表)" in err
    assert "hidden, not read: '旧表'" in err


def test_the_importer_refuses_an_unsaved_formula(tmp_path, nantong_xlsx, capsys):
    SHEET1 = "附表1 对照考核表"  # HJ 274-2015's sheet name
    wb = openpyxl.load_workbook(nantong_xlsx)
    ws = wb[SHEET1]
    r = next(r for r in ws.iter_rows() if r[2].value == "工业增加值")
    r[6].value = "=G10*2"
    book = tmp_path / "filled.xlsx"
    wb.save(book)
    folder = tmp_path / "imported"
    assert main(["import-table", str(book), "--park-dir", str(folder), "--year", "2021"]) == 2
    err = capsys.readouterr().err
    assert f"cell G{r[0].row} holds the formula =G10*2" in err and "公式未计算" in err
    assert not folder.exists()


def test_hostile_cell_references_do_not_reach_a_traceback(tmp_path):
    path = _book(tmp_path / "2021.xlsx", [("item", "value", "unit"), ("value_added", 5, "万元")])
    patch_sheet(path, lambda xml: xml.replace('r="B2"', 'r="??"'))
    [r] = ecopark.read_year_file(path)  # a cell without a usable reference follows the one before
    assert r.value == 5.0


def test_one_row_element_holding_a_million_rows_stops_at_the_cap(tmp_path):
    path = _book(tmp_path / "2021.xlsx", [("item", "value", "unit")])
    cells = "".join(f'<c r="A{n}"><v>1</v></c>' for n in range(2, 20_002))
    patch_sheet(path, lambda xml: xml.replace("</row>", cells + "</row>", 1))
    [p] = _problems_of(path)
    assert "more than 10,000 rows with values" in p.message


def _problems_of(path):
    with pytest.raises(InputError) as exc:
        ecopark.read_year_file(path)
    return exc.value.problems
