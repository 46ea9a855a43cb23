"""Reports a consultant hands in: the Word document, the A4 xlsx, PDFs, one folder per park-year.

The docx is read back with python-docx and compared with ``ecopark table``; LibreOffice renders
it once (page size and count); Chromium prints a real report (A4, page count, Chinese title and
verdict found by pdftotext). The tests that start a browser or LibreOffice are marked slow.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn

import ecopark
from ecopark.cli import main
from ecopark.reports import batch, documents
from ecopark.reports.batch import InProcess, Job, JobResult, Outcome
from ecopark.reports.pdf import ENV_VAR, find_browser
from ecopark.tables.officetable import FAIL_RGB, workbook_bytes
from ecopark.tables.wordtable import BLOCK_PLACEHOLDERS, TEXT_PLACEHOLDERS, document_bytes
from reports_support import ROOT

NANTONG = ROOT / "data" / "nantong-etdz"
FILLED_ON = dt.date(2022, 8, 4)
#: HJ 274-2015's column headings of 附表1 and 附表2 (its definition's official_table).
HEADER1 = ["分类", "序号", "指标", "单位", "要求", "是否选为考核指标", "数值"]
HEADER2 = ["分类", "序号", "指标", "单位", "要求", "是否为考核指标", "当年现状值", "是否达标"]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")


@pytest.fixture(scope="module")
def nantong() -> ecopark.Assessment:
    return ecopark.assess(ecopark.load_park(NANTONG), 2021)


@pytest.fixture(scope="module")
def docx_bytes(nantong) -> bytes:
    return document_bytes(nantong, FILLED_ON)


def _table_csv(capsys) -> list[dict[str, str]]:
    assert main(["table", str(NANTONG), "2021", "--format", "csv"]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def _fill(cell) -> str | None:
    shd = cell._tc.tcPr.find(qn("w:shd")) if cell._tc.tcPr is not None else None
    return None if shd is None else shd.get(qn("w:fill"))


def _row_flags(row) -> set[str]:
    tr_pr = row._tr.trPr
    return set() if tr_pr is None else {el.tag.split("}")[1] for el in tr_pr}


def _pages(pdf: Path) -> list[tuple[float, float]]:
    from pypdf import PdfReader

    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(pdf).pages]


def _a4(size: tuple[float, float]) -> bool:
    return abs(size[0] - 595) <= 1 and abs(size[1] - 842) <= 1


# --------------------------------------------------------------------------------------------
# The official xlsx prints on A4


def test_the_official_sheets_print_on_a4_fitted_to_width_with_the_header_repeated(nantong):
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(nantong, FILLED_ON)))
    for ws in wb:
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$4:$4"


# --------------------------------------------------------------------------------------------
# The Word document, read back


def test_the_docx_is_a4_with_its_margins_and_page_numbers(docx_bytes):
    doc = Document(io.BytesIO(docx_bytes))
    s = doc.sections[0]
    assert round(s.page_width.cm, 1) == 21.0 and round(s.page_height.cm, 1) == 29.7
    assert round(s.left_margin.cm, 1) == 2.0 and round(s.top_margin.cm, 1) == 2.5
    assert "南通经济技术开发区 · 2021 年 · HJ 274-2015" in s.header.paragraphs[0].text
    footer = s.footer.paragraphs[0]._p.xml
    assert " PAGE " in footer and " NUMPAGES " in footer and "第 " in s.footer.paragraphs[0].text


def test_the_docx_opens_with_the_verdict(docx_bytes, nantong):
    doc = Document(io.BytesIO(docx_bytes))
    text = [p.text for p in doc.paragraphs]
    assert text[0] == "南通经济技术开发区 2021 年国家生态工业示范园区标准达标评价"
    assert "结论：达标" in text
    assert "南通经济技术开发区（2021 年）：符合 HJ 274-2015 的要求。" in text
    # the counted indicators: 17 must, 6 selected, none failing; two at risk (5 and 14)
    counted = next(t for t in text if t.startswith("参与评价的指标"))
    assert "必选指标 17 项、选定考核指标 6 项" in counted and "未达标 0 项" in counted
    assert "临界（余量不足 10%）2 项：5 建设规划实施后新增构建生态工业链项目数量" in counted
    assert "14 单位工业增加值新鲜水耗（是，7.63）" in counted


def test_table1_in_the_docx_equals_ecopark_table(docx_bytes, capsys):
    expected = _table_csv(capsys)
    doc = Document(io.BytesIO(docx_bytes))
    t1 = doc.tables[0]
    assert [c.text for c in t1.rows[0].cells] == HEADER1
    rows = [[c.text for c in row.cells] for row in t1.rows[1:]]
    indicators = [r for r in rows if r[5] != "-"]
    assert len(indicators) == 32
    for row, want in zip(indicators, expected, strict=True):
        assert row[1] == want["number"] and row[0] == want["category"]
        assert row[2].rstrip("ab") == want["indicator"]  # footnote marks as superscript
        assert row[6].removesuffix("(+)").removesuffix("(−)") == want["value"]
        assert row[5] == {"must": "必选", "selected": "是", "optional": "否"}[want["role"]]
    # the raw items under their indicator: 6 reads three items, 10 two, 16 none of its own
    raws = [r for r in rows if r[5] == "-"]
    assert ["664537.525", "690540.672", "2838.841"] == [r[6] for r in raws if r[1] == "6"]
    assert [r[2] for r in raws if r[1] == "3"] == ["规划基准年工业增加值", "2018 年工业增加值"]
    assert [r[6] for r in raws if r[1] == "12"] == ["51.8"]
    assert len(rows) == 32 + len(raws) and len(raws) == 33


def test_table1_merges_its_category_and_number_cells(docx_bytes):
    t1 = Document(io.BytesIO(docx_bytes)).tables[0]
    col0 = [row.cells[0]._tc for row in t1.rows[1:]]
    # 经济发展 spans indicators 1-4 with their raw rows: 11 table rows, one merged cell
    first = [i for i, tc in enumerate(col0) if tc is col0[0]]
    assert first == list(range(11))
    assert col0[0].tcPr.find(qn("w:vMerge")).get(qn("w:val")) == "restart"
    assert len({id(tc) for tc in col0}) == 5  # five categories
    col1 = [row.cells[1]._tc for row in t1.rows[1:]]
    assert len({id(tc) for tc in col1}) == 32


def test_failing_rows_are_shaded_and_the_header_row_repeats(docx_bytes, capsys):
    expected = _table_csv(capsys)
    doc = Document(io.BytesIO(docx_bytes))
    for table in doc.tables:
        assert "tblHeader" in _row_flags(table.rows[0])
        assert all("tblHeader" not in _row_flags(r) for r in table.rows[1:])
        assert all("cantSplit" in _row_flags(r) for r in table.rows)
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        assert borders is not None and borders.find(qn("w:insideH")).get(qn("w:val")) == "single"
    t1, t2 = doc.tables[0], doc.tables[1]
    failing = {w["number"] for w in expected if w["passed"] == "false"}
    assert failing == {"3", "4", "9", "12", "28"}
    shaded = {row.cells[1].text for row in t1.rows[1:] if _fill(row.cells[2]) == FAIL_RGB}
    assert shaded == failing  # indicator rows only: the raw rows above them are not
    assert [c.text for c in t2.rows[0].cells] == HEADER2
    for row, want in zip(t2.rows[1:], expected, strict=True):
        assert row.cells[1].text == want["number"]
        assert row.cells[7].text == {"true": "是", "false": "否", "": ""}[want["passed"]]
        assert (_fill(row.cells[6]) == FAIL_RGB) == (want["passed"] == "false")


def test_what_it_would_take_lists_counted_indicators_first_and_marks_the_unrealistic(docx_bytes):
    t3 = Document(io.BytesIO(docx_bytes)).tables[2]
    rows = [[c.text for c in row.cells] for row in t3.rows[1:]]
    numbers = [r[0] for r in rows]
    # 5 (must) and 14 (selected) first, then the optional ones in order
    assert list(dict.fromkeys(numbers)) == ["5", "14", "3", "4", "7", "9", "12", "28"]
    by_item = {(r[0], r[4].split("（")[0]): r for r in rows}
    energy = by_item[("12", "综合能耗总量")]
    assert energy[5:] == ["1,974,334", "575.55", "−100.0%", "不现实"]  # −99.97 %: not offered
    assert by_item[("12", "可再生能源使用量")][8] == "不现实"
    assert by_item[("3", "工业增加值")][5:] == ["4,906,200", "6,864,062", "+39.9%", "是"]
    assert by_item[("14", "新鲜水资源消耗量")][8] == "（临界点）"


# --------------------------------------------------------------------------------------------
# A consultant's template


def test_a_document_leaves_no_cycle_holding_it(nantong):
    """python-docx and openpyxl leave reference cycles that hold the whole document (≈ 3 MB a
    park-year), freed only by a full collection: a batch worker making the documents of
    park-year after park-year grew by tens of MB. The documents' function collects them, and
    leaves objects a caller froze (``gc.freeze()`` before a fork) frozen."""
    gc.collect()
    for kind in documents.DOCUMENT_SUFFIXES:  # each made as no caller froze anything
        assert documents.document_bytes(nantong, kind, FILLED_ON)[:2] == b"PK"
    # one full collection finds what either left: each call collects only what it made itself
    # (the objects older than the call frozen), so the Word document's leftovers outlive the
    # workbook's call
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection would find left
    try:
        gc.collect()
        left = {type(o).__module__.split(".")[0] for o in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert not left & {"docx", "openpyxl", "lxml"}, left
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        documents.document_bytes(nantong, "xlsx", FILLED_ON)
        assert gc.get_freeze_count() >= frozen > 0
    finally:
        gc.unfreeze()


def _template(path: Path, extra: str = "") -> Path:
    doc = Document()
    doc.styles.add_style("咨询正文", 1)
    doc.sections[0].header.paragraphs[0].text = "某咨询公司 · {{park}} · {{year}} 年"
    p = doc.add_paragraph(style="咨询正文")
    for piece in ("评价结论：{{ver", "dict}}（依据 {{standard}}，基准年 {{base_year}}）"):
        p.add_run(piece)  # Word splits placeholders over runs
    doc.add_paragraph("附表1 如下：")
    doc.add_paragraph("{{table1}}")
    doc.add_paragraph("签字：________" + extra)
    doc.save(path)
    return path


def test_a_template_keeps_its_styles_and_gets_its_placeholders_filled(tmp_path, nantong):
    tpl = _template(tmp_path / "consultant.docx")
    doc = Document(io.BytesIO(document_bytes(nantong, FILLED_ON, tpl)))
    assert doc.sections[0].header.paragraphs[0].text == "某咨询公司 · 南通经济技术开发区 · 2021 年"
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "评价结论：达标（依据 HJ 274-2015，基准年 2015）"
    assert doc.paragraphs[0].style.name == "咨询正文"
    assert not any("{{" in t for t in texts)
    # 附表1 stands where {{table1}} stood: after "附表1 如下：", before the signature
    body = list(doc.element.body)
    table = doc.tables[0]._tbl
    assert len(doc.tables) == 1 and [c.text for c in doc.tables[0].rows[0].cells] == HEADER1
    sign = next(p._p for p in doc.paragraphs if p.text.startswith("签字"))
    intro = next(p._p for p in doc.paragraphs if p.text == "附表1 如下：")
    assert body.index(intro) < body.index(table) < body.index(sign)


def test_a_template_without_a_block_placeholder_gets_the_whole_report(tmp_path, nantong):
    tpl = tmp_path / "letterhead.docx"
    doc = Document()
    doc.add_paragraph("{{park}}（{{park_id}}）{{filled_on}}")
    doc.save(tpl)
    out = Document(io.BytesIO(document_bytes(nantong, FILLED_ON, tpl)))
    assert out.paragraphs[0].text == "南通经济技术开发区（nantong-etdz）2022 年 8 月 4 日"
    assert len(out.tables) == 3


def test_a_template_with_an_unknown_placeholder_is_refused(tmp_path, capsys):
    tpl = _template(tmp_path / "typo.docx", extra="{{prak}}")
    out = tmp_path / "out"
    args = ["report", str(NANTONG), "2021", "--format", "docx", "--out", str(out)]
    assert main([*args, "--template", str(tpl)]) == 2
    err = capsys.readouterr().err
    assert "typo.docx: unknown placeholder {{prak}}" in err and "{{table1}}" in err
    assert not out.exists()
    bad = tmp_path / "old.doc"
    bad.write_bytes(b"\xd0\xcf\x11\xe0 not a docx")
    assert main([*args, "--template", str(bad)]) == 2
    assert "is not a Word .docx document" in capsys.readouterr().err


def test_the_placeholders_are_documented():
    doc = (ROOT / "docs" / "reports.md").read_text(encoding="utf-8")
    for name in [*TEXT_PLACEHOLDERS, *BLOCK_PLACEHOLDERS]:
        assert "{{" + name + "}}" in doc


# --------------------------------------------------------------------------------------------
# ecopark report: docx and xlsx in the park-year's folder; the missing browser


def test_report_writes_the_docx_and_xlsx_into_the_park_year_folder(tmp_path, capsys):
    out = tmp_path / "reports"
    args = ["report", "nantong-etdz", "2021", "--format", "docx", "xlsx", "--out", str(out)]
    assert main([*args, "--data-dir", str(ROOT / "data"), "--filled-on", "2022-08-04"]) == 0
    folder = out / "nantong-etdz" / "2021"
    assert sorted(p.name for p in folder.iterdir()) == ["01_assessment.docx", "01_assessment.xlsx"]
    wb = openpyxl.load_workbook(folder / "01_assessment.xlsx")
    assert wb.sheetnames == ["附表1 对照考核表", "附表2 信息公开表"]
    assert not (out / "index.html").exists()


def test_a_missing_browser_is_named_with_what_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nowhere" / "chromium"))
    out = tmp_path / "reports"
    code = main(["report", str(NANTONG), "2021", "--format", "pdf", "docx", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert f"{ENV_VAR}={tmp_path / 'nowhere' / 'chromium'}: is not an executable browser" in err
    assert "sudo apt-get install chromium" in err
    assert not out.exists()  # nothing written, not even the docx
    monkeypatch.delenv(ENV_VAR)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ecopark.InputError, match="no Chromium found .*chromium-browser"):
        find_browser()


def test_run_pdf_without_a_browser_stops_before_any_notebook(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nowhere"))
    out = tmp_path / "reports"
    args = ["run", "--park", "nantong-etdz", "--data-dir", str(ROOT / "data"), "--pdf"]
    code = main([*args, "--out", str(out)])
    assert code == 2 and "is not an executable browser" in capsys.readouterr().err
    assert list(out.rglob("*.html")) == []


class _Runner:
    """A fake runner: a small HTML page per notebook, at once."""

    def __call__(self, job: Job) -> JobResult:
        o = Outcome(job.park, job.year, job.notebook, "ok", 0.1)
        html = f'<html lang="zh-CN"><head><title>{job.heading}</title></head><body>'
        html += f"<h1>{job.heading}</h1></body></html>"
        return JobResult(o, ipynb=b"{}", html=html.encode())


def test_the_batch_writes_the_documents_beside_the_reports(tmp_path):
    targets = batch.targets_for_park("nantong-etdz", [2021], ROOT / "data")
    out = tmp_path / "reports"
    outcomes = batch.run_batch(
        targets,
        batch.resolve_notebooks(),
        out_dir=out,
        executor=InProcess(),
        progress=False,
        runner=_Runner(),
        documents=True,
    )
    assert all(o.ok for o in outcomes)
    names = sorted(p.name for p in (out / "nantong-etdz" / "2021").iterdir())
    assert names == [
        "01_assessment.docx",
        "01_assessment.html",
        "01_assessment.ipynb",
        "01_assessment.xlsx",
        "02_why_indicators_fail.html",
        "02_why_indicators_fail.ipynb",
        "03_trends.html",
        "03_trends.ipynb",
    ]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="nantong-etdz/2021/01_assessment.html"' in index


# --------------------------------------------------------------------------------------------
# The browser and LibreOffice (slow)


@pytest.mark.slow
def test_the_batch_prints_each_report_to_an_a4_pdf(tmp_path):
    targets = batch.targets_for_park("nantong-etdz", [2021], ROOT / "data")
    out = tmp_path / "reports"
    outcomes = batch.run_batch(
        targets,
        batch.resolve_notebooks(),
        out_dir=out,
        executor=InProcess(),
        progress=False,
        runner=_Runner(),
        pdf=True,
    )
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    pdfs = sorted((out / "nantong-etdz" / "2021").glob("*.pdf"))
    assert [p.stem for p in pdfs] == ["01_assessment", "02_why_indicators_fail", "03_trends"]
    for pdf in pdfs:
        assert [_a4(s) for s in _pages(pdf)] == [True]  # a bare page: A4 by default


@pytest.mark.slow
@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
def test_a_real_report_prints_to_a4_with_its_title_and_verdict(tmp_path):
    from reports_support import report_pdf

    pdf = report_pdf(
        "nantong-etdz", 2021, "01_assessment"
    )  # print_pdf, shared with test_report_print
    pages = _pages(pdf)
    assert all(_a4(s) for s in pages), pages
    assert 1 <= len(pages) <= 12
    text = subprocess.run(
        [PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "南通经济技术开发区 2021 年" in text and "考核表" in text
    assert "符合 HJ 274-2015 的要求" in text


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_renders_the_docx_on_a4_pages(tmp_path, docx_bytes):
    docx = tmp_path / "01_assessment.docx"
    docx.write_bytes(docx_bytes)
    profile = tmp_path / "lo-profile"
    proc = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(docx),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    pdf = tmp_path / "01_assessment.pdf"
    assert pdf.is_file(), proc.stderr
    pages = _pages(pdf)
    assert all(_a4(s) for s in pages), pages
    assert 4 <= len(pages) <= 10, len(pages)
    if PDFTOTEXT:
        text = subprocess.run(
            [PDFTOTEXT, str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        flat = "".join(text.split())  # pdftotext drops the spaces between CJK characters
        assert "国家生态工业示范园区对照考核表" in flat and f"第1页/共{len(pages)}页" in flat


@pytest.mark.parametrize(
    "text",
    [
        "工业增加值",
        " 前有空格",
        "后有空格 ",
        "\u3000全角空格",
        "a\tb",
        "两行\n文字",
        "x\r\ny",
        "0.50(+)",
    ],
)
def test_table_cell_text_is_written_as_python_docx_writes_a_run(text):
    """The tables write a cell's run text directly (one ``w:t``, ``xml:space`` kept where white
    space leads or trails); the XML is python-docx's ``run.text = text``."""
    from lxml import etree

    from ecopark.tables.wordtable import _run_text

    doc = Document()
    ours, theirs = doc.add_paragraph().add_run(), doc.add_paragraph().add_run()
    _run_text(ours._r, text)
    theirs.text = text
    assert etree.tostring(ours._r) == etree.tostring(theirs._r)
    assert ours.text == theirs.text
