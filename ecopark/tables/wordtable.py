"""The assessment as a Word document: verdict, 附表1, 附表2 and what it would take.

:func:`document_bytes` writes a ``.docx`` (python-docx) a consultant can hand in or edit: A4
portrait, 2.5 cm / 2.0 cm margins, a running header (park, year, standard) and 第 X 页 / 共 Y 页
in the footer. Its title, the tables' titles, headings, role words and notes and the counts of
the conclusion are the standard's (its definition's ``official_table:``,
:class:`~ecopark.standard.model.OfficialTable`). Its sections:

一、评价结论   the verdict (:func:`ecopark.tables.output.verdict_word`) and every reason, the
              indicators that decide it (counted per tier) that fail or are at risk, the rule in
              force;
二、附表1      (``sheet_zh``) as the annual report prints it: each indicator's raw items above
              it, 分类 and 序号 merged, footnote marks superscript, failing rows shaded as in the
              workbook, the header row repeated on every page and no row split over two pages,
              the footnotes, notes and the rule's note below;
三、附表2      (``disclosure: sheet_zh``), one row per indicator with whether it passes;
四、达标所需    for every failing or at-risk indicator, what each year-T raw item alone would have
              to be (:func:`ecopark.what_it_would_take`), indicators that count first; a change
              beyond ±:data:`ecopark.whatif.REALISTIC_CHANGE_PCT` or an unreachable value is
              marked 不现实, not offered.

The rows are those of the workbook (:func:`ecopark.tables.officetable.table1_rows`): one
description of what 附表1 holds.

A consultant's own template (``template=``, ``ecopark report --template FILE.docx``) keeps its
styles, page setup, header and footer; :data:`TEXT_PLACEHOLDERS` are replaced wherever they
appear (body, tables, headers, footers), and a paragraph holding only one of
:data:`BLOCK_PLACEHOLDERS` is replaced by that part of the report. A template without any block
placeholder gets the whole report appended. See ``docs/reports.md``.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from ecopark.assessment import Assessment
from ecopark.errors import InputError, Problem, display_path
from ecopark.formatting import fmt
from ecopark.standard.model import fill
from ecopark.status import STATUS_COLOURS, STATUS_ZH
from ecopark.tables.officetable import (
    FAIL_RGB,
    FAIL_TEXT_RGB,
    HEADER_RGB,
    MISSING_RGB,
    TableRow,
    filled_on_text,
    footnote_lines,
    passed_word,
    role_text,
    rules_note,
    table1_rows,
    table2_rows,
    table_values,
)
from ecopark.tables.output import verdict_word
from ecopark.textsafe import visible

#: A4 portrait [cm] and the margins [cm]: top, bottom, left, right.
PAGE_CM = (21.0, 29.7)
MARGINS_CM = (2.5, 2.5, 2.0, 2.0)
#: Column widths [cm] of 附表1 and 附表2 (they fill the 17 cm between the margins).
WIDTHS1_CM = (1.3, 0.9, 5.4, 1.9, 3.4, 1.5, 2.6)
WIDTHS2_CM = (1.3, 0.9, 4.8, 1.8, 3.2, 1.4, 2.2, 1.4)
WHATIF_HEADER = [
    "序号",
    "指标",
    "状态",
    "是否考核",
    "数据项",
    "当前值",
    "需达到",
    "变化",
    "是否现实",
]
WIDTHS3_CM = (0.8, 3.0, 1.3, 1.1, 2.8, 2.0, 2.0, 2.2, 1.8)
TABLE_PT = 9
#: CJK fonts named in a document made without a template (Word has them; LibreOffice falls back).
EAST_ASIAN_FONT = "宋体"

#: Text placeholders of a template: replaced wherever they stand, also inside a sentence.
TEXT_PLACEHOLDERS = {
    "park": "园区名称（park.yaml name）",
    "park_id": "园区编号（文件夹名）",
    "year": "评价年度",
    "base_year": "数据基准年",
    "standard": "标准编号（HJ 274-2015）",
    "standard_name": "标准名称（国家生态工业示范园区标准）",
    "verdict": "结论一词：达标 / 未达标 / 不作评价",
    "filled_on": "填报时间（2022 年 8 月 4 日）",
}
#: Block placeholders: a paragraph holding only one of them becomes that part of the report.
BLOCK_PLACEHOLDERS = {
    "report": "整份报告（一至四节，含标题）",
    "conclusion": "评价结论：结论、原因、决定结论的指标、判定规则",
    "table1": "附表1 对照考核表（含表头、脚注）",
    "table2": "附表2 信息公开表第三节",
    "whatif": "达标所需：每个未达标或临界指标的各数据项需达到的数值",
}
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
#: The numbers of the report's four sections and the titles of the first and the last (the
#: second and third are named by the standard's tables: ``sheet_zh``).
SECTION_NUMBERS = ("一、", "二、", "三、", "四、")
CONCLUSION_TITLE, WHATIF_TITLE = "评价结论", "达标所需"


# --------------------------------------------------------------------------------------------
# Low-level: borders, table cells, fields


#: Children that must follow ``w:tblBorders`` in ``w:tblPr`` (the schema's order, which Word
#: checks).
SUCCESSORS = {"w:tblBorders": ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")}


def _set(parent: object, tag: str, **attrs: str) -> OxmlElement:
    """The child ``tag`` of an oxml element (made if missing, in the schema's order) with
    ``attrs`` set."""
    el = parent.find(qn(tag))  # type: ignore[attr-defined]
    if el is None:
        el = OxmlElement(tag)
        after = [parent.find(qn(t)) for t in SUCCESSORS.get(tag, ())]  # type: ignore[attr-defined]
        nxt = next((x for x in after if x is not None), None)
        if nxt is not None:
            nxt.addprevious(el)
        else:
            parent.append(el)  # type: ignore[attr-defined]
    for name, value in attrs.items():
        el.set(qn(name), value)
    return el


def _borders(table: Table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = _set(tbl_pr, "w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        _set(borders, f"w:{edge}", **{"w:val": "single", "w:sz": "4", "w:color": "000000"})


class CellText(NamedTuple):
    """What one table cell holds: one paragraph (9 pt, no space before or after), the text
    optionally followed by superscript ``sup`` (footnote marks)."""

    text: str = ""
    align: str = "left"  # the paragraph's (``w:jc``): "left", "center" or "right"
    bold: bool = False
    colour: str | None = None  # the text's (hex, ``9C0006``)
    sup: str = ""
    fill: str | None = None  # the cell's shading (hex, ``FFC7CE``)
    merge: str = ""  # "restart": the first cell of a vertical merge; "continue": merged above
    middle: bool = False  # vertically centred


#: A cell merged into the one above it (empty: its text stands in the merge's first cell).
CONTINUED = CellText(merge="continue")


#: :func:`docx.oxml.ns.qn` remembered: the tables ask for a handful of names tens of thousands
#: of times.
_qn = functools.cache(qn)


def _sub(parent: object, tag: str, attrs: dict[str, str] | None = None) -> OxmlElement:
    """A new last child ``tag`` of an oxml element, with ``attrs`` (in their order)."""
    return etree.SubElement(parent, _qn(tag), {_qn(k): v for k, v in (attrs or {}).items()})  # type: ignore[arg-type]


def _run_text(r: object, text: str) -> None:
    """``text`` as the content of the new run ``r``, as python-docx's ``run.text = text`` writes
    it: one ``w:t`` (``xml:space="preserve"`` when it starts or ends with white space); a tab or
    line break through python-docx, which writes them as ``w:tab`` and ``w:br``."""
    if "\t" in text or "\r" in text or "\n" in text:
        r.text = text  # type: ignore[attr-defined]
        return
    t = _sub(r, "w:t")
    t.text = text
    if len(text.strip()) < len(text):
        t.set(_qn("xml:space"), "preserve")


def _cell(tr: object, cell: CellText, width: str) -> None:
    """Append a ``w:tc`` of width ``width`` [twips] holding ``cell`` to the row ``tr``.

    The elements are written directly, in the schema's order: python-docx's object API
    (``row.cells``, ``cell.merge``, a run's and a paragraph's properties) re-walks the table at
    every step, ≈ 0.45 s CPU of a 附表1, 附表2 and 达标所需 that now take ≈ 0.1 s.
    """
    tc = _sub(tr, "w:tc")
    tc_pr = _sub(tc, "w:tcPr")
    _sub(tc_pr, "w:tcW", {"w:type": "dxa", "w:w": width})
    if cell.merge:
        _sub(tc_pr, "w:vMerge", {"w:val": "restart"} if cell.merge == "restart" else None)
    if cell.fill:
        _sub(tc_pr, "w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": cell.fill})
    if cell.middle:
        _sub(tc_pr, "w:vAlign", {"w:val": "center"})
    p = _sub(tc, "w:p")
    if cell.merge == "continue":
        return
    p_pr = _sub(p, "w:pPr")
    _sub(p_pr, "w:spacing", {"w:before": "0", "w:after": "0"})
    _sub(p_pr, "w:jc", {"w:val": cell.align})
    for text, sup in [(cell.text, False), *([(cell.sup, True)] if cell.sup else [])]:
        r = _sub(p, "w:r")
        r_pr = _sub(r, "w:rPr")
        _sub(r_pr, "w:b", None if cell.bold else {"w:val": "0"})
        if cell.colour:
            _sub(r_pr, "w:color", {"w:val": str(RGBColor.from_string(cell.colour))})
        _sub(r_pr, "w:sz", {"w:val": str(round(TABLE_PT * 2))})  # half-points
        if sup:
            _sub(r_pr, "w:vertAlign", {"w:val": "superscript"})
        if text:
            _run_text(r, text)


def _field(paragraph: Paragraph, code: str) -> None:
    """A Word field (``PAGE``, ``NUMPAGES``) at the end of ``paragraph``."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    text = OxmlElement("w:t")
    text.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for el in (begin, instr, sep, text, end):
        run._r.append(el)


def _east_asian(style: object, name: str) -> None:
    r_pr = style.element.get_or_add_rPr()  # type: ignore[attr-defined]
    r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), name)


# --------------------------------------------------------------------------------------------
# Writing into a document


class _Writer:
    """Paragraphs and tables appended to a document, in the template's styles where it has them."""

    def __init__(self, doc: DocumentObject) -> None:
        self.doc = doc
        self.styles = {s.name for s in doc.styles}

    def heading(self, text: str, level: int) -> Paragraph:
        name = "Title" if level == 0 else f"Heading {level}"
        if name in self.styles:
            return self.doc.add_paragraph(text, style=name)
        p = self.doc.add_paragraph()
        run = p.add_run(text)
        run.bold = True
        run.font.size = Pt(18 if level == 0 else 14)
        return p

    def para(self, text: str = "", bold: bool = False, size: float | None = None) -> Paragraph:
        p = self.doc.add_paragraph()
        if text:
            run = p.add_run(text)
            run.bold = bold
            if size:
                run.font.size = Pt(size)
        return p

    def centered(self, text: str, size: float = 12) -> Paragraph:
        p = self.para(text, bold=True, size=size)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        return p

    def table(
        self, header: list[str], widths_cm: tuple[float, ...], rows: list[list[CellText]]
    ) -> Table:
        """A table: the header row (bold, shaded, repeated on every page), then ``rows``; no
        row split over two pages."""
        t = self.doc.add_table(rows=0, cols=len(header))
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        _borders(t)
        t.autofit = False
        for col, width in zip(t.columns, widths_cm, strict=True):
            col.width = Cm(width)
        twips = [str(Cm(width).twips) for width in widths_cm]
        head = [CellText(name, "center", bold=True, fill=HEADER_RGB) for name in header]
        for i, cells in enumerate([head, *rows]):
            tr = _sub(t._tbl, "w:tr")
            tr_pr = _sub(tr, "w:trPr")
            _sub(tr_pr, "w:cantSplit")
            if i == 0:
                _sub(tr_pr, "w:tblHeader")
            for cell, width in zip(cells, twips, strict=True):
                _cell(tr, cell, width)
        return t


def _merge(rows: list[list[CellText]], col: int, keys: list[object], align: str = "center") -> None:
    """Merge column ``col`` down each run of rows with equal ``keys``: the run's first cell,
    vertically centred, holds its text for all."""
    for first, last in _spans(keys):
        merge = "restart" if last > first else ""
        rows[first][col] = rows[first][col]._replace(align=align, merge=merge, middle=True)
        for i in range(first + 1, last + 1):
            rows[i][col] = CONTINUED


def _spans(keys: list[object]) -> list[tuple[int, int]]:
    """Runs of equal consecutive keys (compared as text) as (first, last) indices."""
    out: list[tuple[int, int]] = []
    for i, key in enumerate(keys):
        if out and str(keys[out[-1][0]]) == str(key):
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


def _marked(cells: list[CellText], line: TableRow) -> list[CellText]:
    """A failing row shaded (dark red text) or a row not computable, as the workbook does."""
    r = line.result
    if r is not None and r.passed is False:
        return [c._replace(fill=FAIL_RGB, colour=FAIL_TEXT_RGB) for c in cells]
    if r is not None and r.value is None:
        return [c._replace(fill=MISSING_RGB) for c in cells]
    return cells


def _official_rows(
    lines: list[TableRow], extra: Callable[[TableRow], list[str]]
) -> list[list[CellText]]:
    """附表1/附表2 rows: 分类, 序号, 指标 … 数值 (and ``extra`` columns)."""
    rows = []
    for line in lines:
        cells = [
            CellText(line.label, sup=line.footnotes),
            CellText(line.unit, "center"),
            CellText(line.requirement, "center"),
            CellText(line.role, "center"),
            CellText(line.text, "right"),
            *(CellText(text, "center") for text in extra(line)),
        ]
        rows.append(
            [CellText(str(line.category)), CellText(str(line.number)), *_marked(cells, line)]
        )
    return rows


def _notes(w: _Writer, a: Assessment, values: dict[str, str]) -> None:
    for text in [*footnote_lines(a.standard, values), rules_note(a)]:
        w.para(text, size=TABLE_PT)


# --------------------------------------------------------------------------------------------
# The report's parts


def _conclusion(w: _Writer, a: Assessment) -> None:
    word = verdict_word(a)
    p = w.para()
    p.add_run("结论：").bold = True
    run = p.add_run(word)
    run.bold = True
    run.font.size = Pt(16)
    status = {"达标": "pass", "未达标": "fail"}.get(word, "not_computable")
    run.font.color.rgb = RGBColor.from_string(STATUS_COLOURS[status].lstrip("#"))
    lines = a.verdict_text().splitlines()
    w.para(visible(lines[0].strip()))
    for line in lines[1:]:
        w.para(line.strip())
    if a.judged:
        std = a.standard
        counted = [r for r in a.results if r.counts]
        failing = [r for r in counted if r.status == "fail"]
        at_risk = [r for r in counted if r.status == "at_risk"]
        counts = [
            std.official_table.counted_zh(tier, sum(r.tier == tier.id for r in counted))
            for tier in std.tiers
        ]
        text = "参与评价的指标：" + "、".join(counts)
        text += f"；其中未达标 {len(failing)} 项" + _listed(a, failing)
        text += f"，临界（余量不足 10%）{len(at_risk)} 项" + _listed(a, at_risk) + "。"
        w.para(text)
    if a.config.synthetic:
        w.para("注意：本园区为合成数据（示例），并非真实园区。", bold=True)
    w.para(rules_note(a) + "。", size=TABLE_PT)


def _listed(a: Assessment, results: list) -> str:
    names = [
        f"{r.number} {r.name_zh}（{role_text(a.standard, r)}，{r.display_marked}）" for r in results
    ]
    return ("：" + "；".join(names)) if names else ""


#: What separates the header lines when they share one paragraph (an ideographic space twice).
LINE_GAP = "　　"


def _table1(w: _Writer, a: Assessment, filled_on: dt.date) -> Table:
    texts = a.standard.official_table
    values = table_values(a, filled_on)
    w.centered(fill(texts.title_zh, values), size=14)
    header = (texts.park_line_zh, texts.filled_on_line_zh, texts.base_year_line_zh)
    w.para(LINE_GAP.join(fill(t, values) for t in header), size=TABLE_PT + 1)
    lines = table1_rows(a)
    rows = _official_rows(lines, lambda line: [])
    _merge(rows, 0, [line.category for line in lines])
    _merge(rows, 1, [line.number for line in lines])
    t = w.table(list(texts.columns_zh), WIDTHS1_CM, rows)
    _notes(w, a, values)
    return t


def _table2(w: _Writer, a: Assessment, filled_on: dt.date) -> Table:
    texts = a.standard.official_table
    values = table_values(a, filled_on)
    w.centered(fill(texts.disclosure.title_zh, values), size=12)
    w.para(LINE_GAP.join(fill(t, values) for t in (texts.park_line_zh, texts.base_year_line_zh)))
    section = fill(texts.disclosure.section_zh, values)
    if section:
        w.para(section, bold=True, size=TABLE_PT + 1)
    lines = table2_rows(a)
    rows = _official_rows(lines, lambda line: [passed_word(a.standard, line.result)])  # type: ignore[arg-type]
    for cells in rows:
        cells[1] = cells[1]._replace(align="center")
    _merge(rows, 0, [line.category for line in lines])
    t = w.table(list(texts.disclosure.columns_zh), WIDTHS2_CM, rows)
    _notes(w, a, values)
    return t


def _whatif(w: _Writer, a: Assessment) -> Table | None:
    from ecopark.whatif import REALISTIC_CHANGE_PCT, realistic, what_it_would_take

    solved = what_it_would_take(a)
    if solved.empty:
        w.para("没有未达标或临界（余量不足 10%）的指标。")
        return None
    roles = {r.number: r.role for r in a.results}
    role_words = {r.number: role_text(a.standard, r) for r in a.results}
    rank = {"must": 0, "selected": 1, "optional": 2}
    place = {ind.number: i for i, ind in enumerate(a.standard.indicators)}  # the standard's order
    solved = solved.assign(
        _rank=[rank[roles[n]] for n in solved["number"]],
        _place=[place[n] for n in solved["number"]],
    )
    solved = solved.sort_values(["_rank", "_place"], kind="stable")
    limit = f"{REALISTIC_CHANGE_PCT:g}%"
    w.para(
        "下表列出每个未达标或临界指标读取的当年数据项：其他数据不变时，该项单独需达到的数值"
        "（未达标：最接近现值的达标值；临界：由达标转为未达标之前的最后一个值）。先列参与评价"
        f"（必选、选定）的指标。变化超过 ±{limit} 或无法达到的，标为不现实，不作为可行措施。"
    )
    rows = []
    for s in solved.itertuples(index=False):
        ok = realistic(s.required_change_pct, bool(s.reachable))
        if s.status == "at_risk":
            verdict = "（临界点）"
        elif ok is False:
            verdict = "不现实" if s.reachable else f"无法达到：{s.reason_zh}".rstrip("：")
        else:
            verdict = "是" if ok else "—"
        unit = f"{s.item_unit}" if s.item_unit else ""
        grey = "7F7F7F" if ok is False and s.status != "at_risk" else None
        item = [
            (f"{s.item_zh}（{unit}）" if unit else s.item_zh, "left"),
            (fmt(s.item_value), "right"),
            (fmt(s.required_value), "right"),
            (fmt(s.required_change_pct, "pct", 1), "right"),
            (verdict, "center"),
        ]
        rows.append(
            [
                CellText(str(s.number)),
                CellText(s.indicator),
                CellText(STATUS_ZH[s.status]),
                CellText(role_words[s.number]),
                *(CellText(text, align, colour=grey) for text, align in item),
            ]
        )
    numbers = list(solved["number"])  # 序号 … 是否考核 are merged, once per indicator
    for col in range(4):
        _merge(rows, col, numbers, align="left" if col == 1 else "center")
    return w.table(WHATIF_HEADER, WIDTHS3_CM, rows)


def section_titles(a: Assessment) -> tuple[str, str, str, str]:
    """The titles of the report's four sections; the tables' are the standard's sheet names
    (HJ 274-2015: 二、附表1 对照考核表, 三、附表2 信息公开表)."""
    texts = a.standard.official_table
    names = (CONCLUSION_TITLE, texts.sheet_zh, texts.disclosure.sheet_zh, WHATIF_TITLE)
    one, two, three, four = (n + name for n, name in zip(SECTION_NUMBERS, names, strict=True))
    return one, two, three, four


def _report(w: _Writer, a: Assessment, filled_on: dt.date, title: bool = True) -> None:
    if title:
        w.heading(fill(a.standard.official_table.report_title_zh, table_values(a, filled_on)), 0)
        w.para(
            f"依据 {a.standard.code}《{a.standard.name_zh}》　填报时间：{filled_on_text(filled_on)}"
            f"　数据基准年：{a.config.base_year} 年"
        )
    parts: list[Callable[[], object]] = [
        lambda: _conclusion(w, a),
        lambda: _table1(w, a, filled_on),
        lambda: _table2(w, a, filled_on),
        lambda: _whatif(w, a),
    ]
    for i, (name, part) in enumerate(zip(section_titles(a), parts, strict=True)):
        heading = w.heading(name, 1)
        if i > 1:  # 附表1 follows the conclusion on its page; 附表2 and 四 start a page
            heading.paragraph_format.page_break_before = True
        part()


# --------------------------------------------------------------------------------------------
# Page setup (no template) and templates


def _page(doc: DocumentObject, a: Assessment) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
    top, bottom, left, right = MARGINS_CM
    section.top_margin, section.bottom_margin = Cm(top), Cm(bottom)
    section.left_margin, section.right_margin = Cm(left), Cm(right)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    for name in ("Normal", "Title", "Heading 1"):
        _east_asian(doc.styles[name], EAST_ASIAN_FONT)
    head = section.header.paragraphs[0]
    head.text = f"{visible(a.config.name)} · {a.year} 年 · {a.standard.code}"
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot.add_run("第 ")
    _field(foot, "PAGE")
    foot.add_run(" 页 / 共 ")
    _field(foot, "NUMPAGES")
    foot.add_run(" 页")


def _paragraphs(container: object) -> Iterator[Paragraph]:
    """Every paragraph of a body, header, footer or cell, tables included (recursively)."""
    yield from container.paragraphs  # type: ignore[attr-defined]
    for table in container.tables:  # type: ignore[attr-defined]
        for row in table.rows:
            for cell in row.cells:
                yield from _paragraphs(cell)


def _all_paragraphs(doc: DocumentObject) -> Iterator[tuple[Paragraph, bool]]:
    """(paragraph, in the body) for the body and every header and footer."""
    for p in _paragraphs(doc):
        yield p, True
    for section in doc.sections:
        for part in (
            section.header,
            section.footer,
            section.first_page_header,
            section.first_page_footer,
            section.even_page_header,
            section.even_page_footer,
        ):
            if not part.is_linked_to_previous:
                for p in _paragraphs(part):
                    yield p, False


def _replace_text(p: Paragraph, values: dict[str, str]) -> None:
    """Replace text placeholders in ``p``, also when Word split one over several runs; the
    replacement takes the format of the run the placeholder begins in."""
    runs = p.runs
    texts = [r.text for r in runs]
    matches = [m for m in PLACEHOLDER.finditer("".join(texts)) if m.group(1) in values]
    for m in reversed(matches):
        start, end = m.span()
        bounds, pos = [], 0
        for t in texts:
            bounds.append((pos, pos + len(t)))
            pos += len(t)
        first = next(i for i, (a, b) in enumerate(bounds) if a <= start < b)
        last = next(i for i, (a, b) in enumerate(bounds) if a < end <= b)
        value = values[m.group(1)]
        head = texts[first][: start - bounds[first][0]]
        if first == last:
            texts[first] = head + value + texts[first][end - bounds[first][0] :]
        else:
            texts[first] = head + value
            for i in range(first + 1, last):
                texts[i] = ""
            texts[last] = texts[last][end - bounds[last][0] :]
    if matches:
        for run, text in zip(runs, texts, strict=True):
            if run.text != text:
                run.text = text


def text_values(a: Assessment, filled_on: dt.date) -> dict[str, str]:
    """What each text placeholder (:data:`TEXT_PLACEHOLDERS`) is replaced by: the official
    tables' placeholders (:func:`~ecopark.tables.officetable.table_values`) and the verdict."""
    return {**table_values(a, filled_on), "verdict": verdict_word(a)}


def _open_template(path: Path) -> DocumentObject:
    shown = display_path(path)
    if not path.is_file():
        raise InputError(Problem(shown, "template not found; give a .docx file"))
    try:
        return Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds for a bad file
        raise InputError(
            Problem(
                shown,
                f"is not a Word .docx document ({type(exc).__name__}); save the template as "
                "Word 文档 (*.docx), not .doc or .dotx",
            )
        ) from None


def _check_placeholders(doc: DocumentObject, shown: str) -> list[tuple[Paragraph, str]]:
    """The block placeholders' paragraphs, after checking every placeholder of the template.

    Raises
    ------
    InputError
        For an unknown placeholder, or a block placeholder that shares its paragraph with other
        text or stands in a header, footer or table.
    """
    known = {**TEXT_PLACEHOLDERS, **BLOCK_PLACEHOLDERS}
    problems, blocks = [], []
    for p, in_body in _all_paragraphs(doc):
        for m in PLACEHOLDER.finditer(p.text):
            name = m.group(1)
            if name not in known:
                problems.append(
                    Problem(
                        shown,
                        f"unknown placeholder {m.group(0)} in “{p.text.strip()[:60]}”; known: "
                        + ", ".join("{{" + k + "}}" for k in known),
                    )
                )
            elif name in BLOCK_PLACEHOLDERS:
                if (
                    p.text.strip() != m.group(0)
                    or not in_body
                    or p._p.getparent().tag != qn("w:body")
                ):
                    problems.append(
                        Problem(
                            shown,
                            f"{m.group(0)} must stand alone in a paragraph of the body (not in "
                            "a table, header or footer, nor beside other text)",
                        )
                    )
                else:
                    blocks.append((p, name))
    if problems:
        raise InputError(problems)
    return blocks


def _insert(doc: DocumentObject, at: Paragraph, write: Callable[[], object]) -> None:
    """Write a part at the end of the body, then move it to where paragraph ``at`` stands."""
    body = doc.element.body
    before = len(body)
    sect = body.sectPr
    write()
    new = [el for el in list(body)[before - (1 if sect is not None else 0) :] if el is not sect]
    for el in new:
        at._p.addprevious(el)
    at._p.getparent().remove(at._p)


def build_document(
    a: Assessment, filled_on: dt.date | None = None, template: Path | str | None = None
) -> DocumentObject:
    """The assessment as a python-docx :class:`~docx.document.Document`.

    Parameters
    ----------
    a : Assessment
        A park-year assessed (:func:`ecopark.assess`).
    filled_on : datetime.date, optional
        填报时间 (default: today).
    template : path, optional
        A consultant's .docx: its styles, page setup, header and footer are kept, its
        placeholders filled (:data:`TEXT_PLACEHOLDERS`, :data:`BLOCK_PLACEHOLDERS`).

    Raises
    ------
    InputError
        If the template cannot be read or holds an unknown or misplaced placeholder.
    """
    filled_on = filled_on or dt.date.today()
    if template is None:
        doc = Document()
        _page(doc, a)
        _report(_Writer(doc), a, filled_on)
        return doc
    path = Path(template)
    doc = _open_template(path)
    blocks = _check_placeholders(doc, display_path(path))
    values = text_values(a, filled_on)
    for p, _ in _all_paragraphs(doc):
        _replace_text(p, values)
    w = _Writer(doc)
    parts: dict[str, Callable[[], object]] = {
        "report": lambda: _report(w, a, filled_on, title=False),
        "conclusion": lambda: _conclusion(w, a),
        "table1": lambda: _table1(w, a, filled_on),
        "table2": lambda: _table2(w, a, filled_on),
        "whatif": lambda: _whatif(w, a),
    }
    for p, name in blocks:
        _insert(doc, p, parts[name])
    if not blocks:
        _report(w, a, filled_on, title=False)
    return doc


def document_bytes(
    a: Assessment, filled_on: dt.date | None = None, template: Path | str | None = None
) -> bytes:
    """The assessment as a .docx file (see :func:`build_document`).

    Returns
    -------
    bytes
        The .docx; ``ecopark report PARK YEAR --format docx`` writes these.
    """
    buf = io.BytesIO()
    build_document(a, filled_on, template).save(buf)
    return buf.getvalue()
