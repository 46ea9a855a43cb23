"""The official tables as an Excel workbook: 附表1 (the assessment table) and 附表2 (the
information-disclosure table's section of the standard's indicators).

:func:`workbook_bytes` lays an :class:`~ecopark.assessment.Assessment` out as the annual
evaluation report prints it, in the words of the standard assessed: every title, heading, column
name, role word and note comes from its definition's ``official_table:``
(:class:`~ecopark.standard.model.OfficialTable`; HJ 274-2015's are the 环发〔2015〕167号 appendix
tables'):

* sheet 1 (``sheet_zh``) — the title, the header lines naming the park, the filling day and the
  data base year, then for every indicator its raw items (one row each, 要求 "-") followed by the
  indicator row (要求, role, 数值), the category cells merged, the rules' footnotes and the
  definition's notes below and a note naming the rounding and comparison rule in force (a value
  shown at its limit carries GB/T 8170's (+)/(−) in its number format);
* sheet 2 (``disclosure: sheet_zh``) — one row per indicator with its value and whether it passes.

Which raw items sit under which indicator is derived from the standard (``Indicator.inputs``
and the item catalogue), never listed per indicator: see :func:`raw_item_rows`. The importer
(:mod:`ecopark.tables.importer`) reads the same layout back.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ecopark.assessment import Assessment, IndicatorResult
from ecopark.engine import REF_OFFSETS, ref_year
from ecopark.standard.expr import key
from ecopark.standard.model import Indicator, Standard, fill, id_value
from ecopark.textsafe import visible

#: What the unit column shows for a dimensionless value, and the requirement and role columns
#: on a raw item's row (layout marks, the same for every standard).
NO_UNIT = "—"
NOT_APPLICABLE = "-"

_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
#: Fill and text colours (hex RGB) of the header, a failing row and a row not computable, the
#: same in the workbook and the Word document.
HEADER_RGB, FAIL_RGB, FAIL_TEXT_RGB, MISSING_RGB = "D9D9D9", "FFC7CE", "9C0006", "FFEB9C"
HEADER_FILL = PatternFill("solid", fgColor=HEADER_RGB)
FAIL_FILL = PatternFill("solid", fgColor=FAIL_RGB)
FAIL_FONT = Font(color=FAIL_TEXT_RGB)
MISSING_FILL = PatternFill("solid", fgColor=MISSING_RGB)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
BOLD = Font(bold=True)
WIDTHS1 = [10, 6, 46, 14, 40, 12, 16]
WIDTHS2 = [10, 6, 46, 14, 40, 12, 14, 10]


@dataclass(frozen=True)
class RawRow:
    """One raw-item row of 附表1: the item, its year reference and its label.

    Attributes
    ----------
    item : str
        Catalogue id.
    ref : str
        ``"T"``, ``"B"`` or ``"T-3"`` (see ``hj274_2015.yaml``).
    label : str
        As the table prints it: ``工业增加值``, ``规划基准年工业增加值``, ``2018 年工业增加值``.
    year : int
        The calendar year the value belongs to.
    """

    item: str
    ref: str
    label: str
    year: int


def raw_label(name_zh: str, ref: str, year: int, base_year: int, base_prefix: str) -> str:
    """The row label of a raw item: ``name`` (T), ``base_prefix`` + ``name`` (B, HJ 274-2015:
    ``规划基准年name``), ``2018 年name`` (T-3)."""
    if ref == "T":
        return name_zh
    if ref == "B":
        return base_prefix + name_zh
    return f"{ref_year(ref, year, base_year)} 年{name_zh}"


def _ref_order(ref: str) -> int:
    return -1 if ref == "B" else -REF_OFFSETS[ref]


def raw_item_rows(standard: Standard, year: int, base_year: int) -> dict[str, list[RawRow]]:
    """The raw-item rows printed above each indicator of 附表1, derived from the formulas.

    Each (item, year reference) an indicator reads is shown once, under the first indicator that
    needs it: first the evaluation-year items in catalogue order, then the history rows. When an
    item's history first appears, all of that item's history rows any indicator needs are shown
    together (base year before T-3), as the seed report does (indicator 3 shows 规划基准年工业增加值
    and 2018 年工业增加值). Indicators reported directly (5, 17-24, 29-32) have no raw rows: the
    indicator row carries the value.

    Parameters
    ----------
    standard : Standard
        The standard (its ``official_table: base_prefix_zh`` labels the base-year rows).
    year, base_year : int
        The evaluation year T and the base year B, for the labels.

    Returns
    -------
    dict
        Indicator number -> its raw rows, in print order (empty lists included).
    """
    order = {item: i for i, item in enumerate(standard.items)}
    history: dict[str, set[str]] = {}
    for ind in standard.indicators:
        if not ind.reported:
            for item, ref in ind.inputs:
                if ref != "T":
                    history.setdefault(item, set()).add(ref)
    shown: set[tuple[str, str]] = set()
    out: dict[str, list[RawRow]] = {}
    for ind in standard.indicators:
        rows: list[tuple[str, str]] = []
        if not ind.reported:
            needed = [(i, r) for i, r in dict.fromkeys(ind.inputs) if (i, r) not in shown]
            rows += sorted(((i, r) for i, r in needed if r == "T"), key=lambda x: order[x[0]])
            for item in sorted({i for i, r in needed if r != "T"}, key=order.__getitem__):
                for ref in sorted(history[item], key=_ref_order):
                    if (item, ref) not in shown and (item, ref) not in rows:
                        rows.append((item, ref))
        shown.update(rows)
        out[ind.number] = [
            RawRow(
                i,
                r,
                raw_label(
                    standard.items[i].name_zh,
                    r,
                    year,
                    base_year,
                    standard.official_table.base_prefix_zh,
                ),
                ref_year(r, year, base_year),
            )
            for i, r in rows
        ]
    return out


@dataclass(frozen=True)
class TableRow:
    """One printed row of 附表1 or 附表2: a raw item or an indicator, columns 分类 … 数值.

    The one description of what the official tables hold; the workbook (:func:`build_workbook`)
    and the Word document (:mod:`ecopark.tables.wordtable`) lay these rows out.

    Attributes
    ----------
    category : str
        分类 (merged over an indicator's rows and consecutive indicators of one category).
    number : int or str
        序号: the indicator's label as printed (a number for HJ 274-2015; merged over its raw
        rows in 附表1).
    label : str
        指标: the raw item's label (:func:`raw_label`) or the indicator's name.
    footnotes : str
        The indicator's footnote marks, printed as superscript after its name (``"a"``).
    unit : str
        单位, ``"—"`` when dimensionless.
    requirement, role : str
        要求 and the role (the standard's word: ``official_table: must_zh``, ``selected_zh``,
        ``not_selected_zh``); ``"-"`` on a raw-item row.
    value : float, str or None
        数值: a raw item as read [unit]; for an indicator its printed value (``display``).
    result : IndicatorResult or None
        The indicator's result; None on a raw-item row.
    """

    category: str
    number: int | str
    label: str
    footnotes: str
    unit: str
    requirement: str
    role: str
    value: float | str | None
    result: IndicatorResult | None = None

    @property
    def text(self) -> str:
        """数值 as text: an indicator's printed value with GB/T 8170's mark (``0.50(+)``), a raw
        item's value as read (``664537.525``), ``""`` when missing."""
        if self.result is not None:
            return self.result.display_marked
        if self.value is None or isinstance(self.value, str):
            return self.value or ""
        return repr(_raw_value(self.value))


def role_text(standard: Standard, r: IndicatorResult) -> str:
    """The role column's word for an indicator's result, in the standard's words (HJ 274-2015:
    必选, 是 selected, 否 not selected)."""
    ind = standard.indicator(r.number)
    return standard.official_table.role_zh(standard.tier_of(ind), r.role)


def indicator_row(standard: Standard, ind: Indicator, r: IndicatorResult) -> TableRow:
    """The row of an indicator, the same in 附表1 and 附表2."""
    return TableRow(
        category=ind.category,
        number=id_value(ind.label),
        label=ind.name_zh,
        footnotes="".join(ind.marks),
        unit=ind.unit or NO_UNIT,
        requirement=ind.requirement.describe("official"),
        role=role_text(standard, r),
        value=r.display,
        result=r,
    )


def table1_rows(a: Assessment) -> list[TableRow]:
    """Every row of 附表1 in print order: each indicator's raw items, then the indicator."""
    std = a.standard
    raws = raw_item_rows(std, a.year, a.config.base_year)
    rows = []
    for ind in std.indicators:
        for raw in raws[ind.number]:
            item = std.items[raw.item]
            rows.append(
                TableRow(
                    category=ind.category,
                    number=id_value(ind.label),
                    label=raw.label,
                    footnotes="",
                    unit=item.unit or NO_UNIT,
                    requirement=NOT_APPLICABLE,
                    role=NOT_APPLICABLE,
                    value=a.values.get(key(raw.item, raw.ref)),
                )
            )
        rows.append(indicator_row(std, ind, a.result(ind.number)))
    return rows


def table2_rows(a: Assessment) -> list[TableRow]:
    """The rows of 附表2 section 三: one per indicator."""
    std = a.standard
    return [indicator_row(std, ind, a.result(ind.number)) for ind in std.indicators]


def passed_word(standard: Standard, r: IndicatorResult) -> str:
    """附表2's last column: the standard's word for passed or failed (HJ 274-2015: 是, 否), or
    ``""`` when not judged."""
    words = standard.official_table.disclosure
    return "" if r.passed is None else (words.passed_zh if r.passed else words.failed_zh)


def table_values(a: Assessment, filled_on: dt.date) -> dict[str, str]:
    """What each placeholder of the official tables' texts
    (:data:`~ecopark.standard.model.TABLE_PLACEHOLDERS`) stands for in this park-year."""
    return {
        "park": visible(a.config.name),
        "park_id": a.config.id,
        "year": str(a.year),
        "base_year": str(a.config.base_year),
        "standard": a.standard.code,
        "standard_name": a.standard.name_zh,
        "filled_on": filled_on_text(filled_on),
    }


def rules_note(a: Assessment) -> str:
    """The note below the tables naming the rule in force (and why the year is not judged)."""
    text = a.rules.text_zh
    if a.rules.comparison == "full_value":
        text += "；数值后 (+)/(−) 表示修约后等于限值而实际值大于/小于该值（GB/T 8170-2008）"
    if a.judged_reason is not None:
        text += f"。{a.judged_reason.zh}，不作评价"
    return text


def footnote_lines(standard: Standard, values: dict[str, str]) -> list[str]:
    """The notes printed below 附表1 and 附表2: the rules' footnotes, then the definition's
    ``notes_zh`` (their placeholders replaced by ``values``, :func:`table_values`), the first
    led by ``notes_lead_zh`` (HJ 274-2015: ``注：a.…``, ``b.…``)."""
    texts = standard.official_table
    lines = [f"{mark}.{note}" for mark, note in standard.footnotes.items()]
    lines += [fill(note, values) for note in texts.notes_zh]
    return [(texts.notes_lead_zh if i == 0 else "") + line for i, line in enumerate(lines)]


def _display_format(display: str) -> str:
    """Excel number format showing exactly the decimals of the printed value."""
    if "." not in display:
        return "0"
    return "0." + "0" * len(display.split(".", 1)[1])


def _number_or_text(display: str) -> tuple[object, str | None]:
    """The cell value and number format for a printed value (``"82.00"`` -> 82.0, ``0.00``)."""
    if display == "":
        return None, None
    try:
        number = float(display)
    except ValueError:
        return display, None
    value: object = int(number) if "." not in display and number.is_integer() else number
    return value, _display_format(display)


def _raw_value(value: float | str | None) -> object:
    if value is None or isinstance(value, str):
        return value
    return int(value) if float(value).is_integer() else float(value)


class _Styler:
    """Sets a cell's font, fill, border and alignment by their index in the workbook's lists.

    openpyxl's ``cell.font = f`` hashes ``f`` (every field, recursively) twice to find its index
    in the workbook's font list, on every assignment; a workbook of the tables sets a few
    thousand styles from a handful of style objects. This remembers each object's index the first
    time it is added (in the same order as plain assignments, so the workbook's lists and the
    file written are the same) and writes the index into the cell's style array.
    """

    _FIELDS = {
        "font": ("_fonts", "fontId"),
        "fill": ("_fills", "fillId"),
        "border": ("_borders", "borderId"),
        "alignment": ("_alignments", "alignmentId"),
    }

    def __init__(self, wb: Workbook) -> None:
        self._wb = wb
        # (attribute, id(style)) -> (style, index); the style is kept so that its id stays unique
        self._ids: dict[tuple[str, int], tuple[object, int]] = {}

    def __call__(self, cell: Cell | MergedCell, **styles: object) -> None:
        for attr, style in styles.items():
            hit = self._ids.get((attr, id(style)))
            if hit is None:
                collection, _ = self._FIELDS[attr]
                hit = self._ids[(attr, id(style))] = (
                    style,
                    getattr(self._wb, collection).add(style),
                )
            if cell._style is None:
                cell._style = StyleArray()
            setattr(cell._style, self._FIELDS[attr][1], hit[1])

    def wraps(self, cell: Cell | MergedCell) -> bool:
        """Whether the cell's alignment wraps its text (``cell.alignment.wrap_text``, read without
        building openpyxl's style proxy)."""
        if cell._style is None:
            return False
        return bool(self._wb._alignments[cell._style.alignmentId].wrap_text)


def _name_cell(row: TableRow) -> str | CellRichText:
    if not row.footnotes:
        return row.label
    sup = InlineFont(vertAlign="superscript")
    return CellRichText([row.label, TextBlock(sup, row.footnotes)])


def _title(ws: Worksheet, row: int, text: str, ncols: int, size: int = 14) -> None:
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
    cell = ws.cell(row, 1, text)
    cell.font = Font(bold=True, size=size)
    cell.alignment = Alignment(horizontal="center", vertical="center")


def _split_line(ws: Worksheet, row: int, left: str, right: str, ncols: int) -> None:
    split = ncols - 3
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=split)
    ws.merge_cells(start_row=row, start_column=split + 1, end_row=row, end_column=ncols)
    ws.cell(row, 1, left).alignment = Alignment(horizontal="left", vertical="center")
    ws.cell(row, split + 1, right).alignment = Alignment(horizontal="left", vertical="center")


def _header(ws: Worksheet, st: _Styler, row: int, names: list[str]) -> None:
    for col, name in enumerate(names, start=1):
        st(ws.cell(row, col, name), font=BOLD, fill=HEADER_FILL, alignment=CENTER, border=BORDER)


def _extend_span(
    spans: list[tuple[int, int, object]], first: int, last: int, value: object
) -> None:
    """Add rows ``first``..``last`` to ``spans``, joining the last span when it has ``value`` too."""
    if spans and spans[-1][2] == value:
        spans[-1] = (spans[-1][0], last, value)
    else:
        spans.append((first, last, value))


def _merge_column(
    ws: Worksheet, st: _Styler, col: int, spans: list[tuple[int, int, object]]
) -> None:
    for first, last, value in spans:
        if last > first:
            ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)
        st(ws.cell(first, col, value), alignment=CENTER)


def _mark_result(ws: Worksheet, st: _Styler, row: int, ncols: int, r: IndicatorResult) -> None:
    if r.passed is False:
        for col in range(3, ncols + 1):
            st(ws.cell(row, col), fill=FAIL_FILL, font=FAIL_FONT)
    elif r.value is None:
        for col in range(3, ncols + 1):
            st(ws.cell(row, col), fill=MISSING_FILL)
        if r.reason_zh:
            ws.cell(row, ncols).comment = Comment(r.reason_zh, "ecopark")


def _footnotes(ws: Worksheet, row: int, a: Assessment, values: dict[str, str], ncols: int) -> int:
    row += 1
    for text in footnote_lines(a.standard, values):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        ws.cell(row, 1, text).alignment = LEFT
        ws.row_dimensions[row].height = 30
        row += 1
    return row


def _finish(ws: Worksheet, st: _Styler, widths: list[int], header_row: int, last_row: int) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for row in ws.iter_rows(min_row=header_row, max_row=last_row, max_col=len(widths)):
        for cell in row:
            st(cell, border=BORDER)
            if not st.wraps(cell):
                st(cell, alignment=CENTER if cell.column != 3 else LEFT)
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"


def filled_on_text(day: dt.date) -> str:
    """填报时间 as the report writes it: ``2022 年 8 月 4 日``."""
    return f"{day.year} 年 {day.month} 月 {day.day} 日"


def _sheet1(ws: Worksheet, st: _Styler, a: Assessment, filled_on: dt.date) -> None:
    texts = a.standard.official_table
    values = table_values(a, filled_on)
    ncols = len(texts.columns_zh)
    _title(ws, 1, fill(texts.title_zh, values), ncols)
    _split_line(
        ws,
        2,
        fill(texts.park_line_zh, values),
        fill(texts.filled_on_line_zh, values),
        ncols,
    )
    _split_line(ws, 3, fill(texts.caption_zh, values), fill(texts.base_year_line_zh, values), ncols)
    header_row = 4
    _header(ws, st, header_row, list(texts.columns_zh))
    row = header_row + 1
    cat_spans: list[tuple[int, int, object]] = []
    num_spans: list[tuple[int, int, object]] = []
    for line in table1_rows(a):
        _extend_span(num_spans, row, row, line.number)
        _extend_span(cat_spans, row, row, line.category)
        if line.result is None:
            for col, text in ((3, line.label), (4, line.unit), (5, line.requirement)):
                ws.cell(row, col, text)
            ws.cell(row, 6, line.role)
            ws.cell(row, 7, _raw_value(line.value)).number_format = "General"
        else:
            _indicator_cells(ws, row, line)
            _mark_result(ws, st, row, ncols, line.result)
        row += 1
    _merge_column(ws, st, 1, cat_spans)
    _merge_column(ws, st, 2, num_spans)
    _finish(ws, st, WIDTHS1, header_row, row - 1)
    _rules_note(ws, _footnotes(ws, row, a, values, ncols), a, ncols)


def _indicator_cells(ws: Worksheet, row: int, line: TableRow) -> None:
    """Columns 3-7 of an indicator row, the same in 附表1 and 附表2: name, unit, requirement,
    role and the value at its reported precision."""
    assert line.result is not None
    ws.cell(row, 3, _name_cell(line))
    ws.cell(row, 4, line.unit)
    ws.cell(row, 5, line.requirement)
    ws.cell(row, 6, line.role)
    value, fmt = _number_or_text(line.result.display)
    cell = ws.cell(row, 7, value)
    if fmt:
        # GB/T 8170's mark shown by the number format: the cell keeps the printed number
        mark = line.result.mark
        cell.number_format = fmt + (f'"{mark}"' if mark else "")


def _rules_note(ws: Worksheet, row: int, a: Assessment, ncols: int) -> int:
    """A note row naming the rule in force (and the verdict when the year is not judged)."""
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
    ws.cell(row, 1, rules_note(a)).alignment = LEFT
    ws.row_dimensions[row].height = 30
    return row + 1


def _sheet2(ws: Worksheet, st: _Styler, a: Assessment, filled_on: dt.date) -> None:
    texts = a.standard.official_table
    values = table_values(a, filled_on)
    ncols = len(texts.disclosure.columns_zh)
    _title(ws, 1, fill(texts.disclosure.title_zh, values), ncols)
    _split_line(
        ws, 2, fill(texts.park_line_zh, values), fill(texts.base_year_line_zh, values), ncols
    )
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=ncols)
    section = fill(texts.disclosure.section_zh, values)
    if section:
        st(ws.cell(3, 1, section), font=BOLD)
    header_row = 4
    _header(ws, st, header_row, list(texts.disclosure.columns_zh))
    row = header_row + 1
    cat_spans: list[tuple[int, int, object]] = []
    for line in table2_rows(a):
        assert line.result is not None
        ws.cell(row, 2, line.number)
        _indicator_cells(ws, row, line)
        ws.cell(row, 8, passed_word(a.standard, line.result))
        _mark_result(ws, st, row, ncols, line.result)
        _extend_span(cat_spans, row, row, line.category)
        row += 1
    _merge_column(ws, st, 1, cat_spans)
    _finish(ws, st, WIDTHS2, header_row, row - 1)
    _rules_note(ws, _footnotes(ws, row, a, values, ncols), a, ncols)


def build_workbook(a: Assessment, filled_on: dt.date | None = None) -> Workbook:
    """The two official sheets as an openpyxl :class:`~openpyxl.Workbook`.

    Parameters
    ----------
    a : Assessment
        A park-year assessed (:func:`ecopark.assess`); its ``values`` give the raw-item rows.
    filled_on : datetime.date, optional
        填报时间 in the header (default: today).

    Returns
    -------
    openpyxl.Workbook
        Two sheets, named by the standard (HJ 274-2015: ``附表1 对照考核表`` and
        ``附表2 信息公开表``).
    """
    texts = a.standard.official_table
    filled_on = filled_on or dt.date.today()
    wb = Workbook()
    st = _Styler(wb)
    ws1 = wb.active
    ws1.title = texts.sheet_zh
    _sheet1(ws1, st, a, filled_on)
    _sheet2(wb.create_sheet(texts.disclosure.sheet_zh), st, a, filled_on)
    return wb


def workbook_bytes(a: Assessment, filled_on: dt.date | None = None) -> bytes:
    """The assessment as an .xlsx workbook laid out as 附表1 and 附表2 (section 三).

    Parameters
    ----------
    a : Assessment
        The park-year assessed.
    filled_on : datetime.date, optional
        填报时间 printed in the header (default: today).

    Returns
    -------
    bytes
        The .xlsx file; ``ecopark table PARK_DIR YEAR --format xlsx -o FILE`` writes these.
    """
    buf = io.BytesIO()
    build_workbook(a, filled_on).save(buf)
    return buf.getvalue()
