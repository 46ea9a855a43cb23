"""Reports as a consultant prints and forwards them: the page-break policy, charts at A4's text
width, the index linking every file of a park-year, the portfolio page, the summary's wording,
and (issue 11) data text staying text in the Word document, the PDF and the portfolio page, and
no report written onto an input.
"""

from __future__ import annotations

import html
import io
import re
import shutil
from pathlib import Path

import pytest

from browser import CHROMIUM, fake_chromium, render
from chart_support import report_session
from ecopark.engine import assess
from ecopark.io.park import load_park
from ecopark.plotting import TEXT_WIDTH_IN
from ecopark.reports import batch
from ecopark.reports.batch.job import JobResult, Outcome
from ecopark.reports.documents import document_bytes
from ecopark.reports.html import REPORT_CSS
from reports_support import (
    DATA,
    HOSTILE_NAME,
    XSS_PARK,
    batch_run,
    make_xss_park,
    portfolio_run,
    report_pdf,
)
from safety_support import html_problems, text_of
from test_chart_print import read_printed

ROOT = Path(__file__).resolve().parent.parent
needs_example = pytest.mark.skipif(
    not (DATA / "example-park" / "park.yaml").is_file(), reason="example park not generated"
)
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")


# --------------------------------------------------------------------------------------------
# The summary and the charts


@needs_example
def test_summary_marks_the_deciding_must_indicator_cut_to_zero():
    text = str(report_session("example-park", 2020).summary())  # open_report's, shared
    actions = text.split("**可行的措施**", 1)[1].split("**数据存疑**", 1)[0]
    line = next(x for x in actions.splitlines() if x.startswith("- 19 "))
    assert line == (
        "- 19 工业园区内企事业单位发生特别重大、重大突发环境事件数量：当年没有现实的措施。"
        "不现实：工业园区内企事业单位发生特别重大、重大突发环境事件数量由 1 变为 0 起"
        "（−100.0%，需降至零）。"
    )
    assert "需多项数据共同改善" not in actions  # one item only: nothing to combine


def test_overview_chart_is_drawn_at_the_a4_text_width():
    """The text width is A4's less the page's margins. (Nantong 2021's overview drawn at it,
    32 rows fitting one A4 page: test_plotting.nantong_2021_whatif, on the layout test's draw
    of the report's charts, which checks every report chart's SVG width.)"""
    assert TEXT_WIDTH_IN * 25.4 == pytest.approx(178.0)  # A4 less two 16 mm margins
    assert "margin: 20mm 16mm 18mm 16mm" in REPORT_CSS.read_text(encoding="utf-8")


def test_report_css_breaks_no_page_before_a_section_and_no_header_on_page_one():
    css = REPORT_CSS.read_text(encoding="utf-8")
    assert "break-before: page" not in css
    assert re.search(r"@page :first \{ @top-center \{ content: none; \} \}", css)
    assert re.search(r"figure[^{]*\{[^}]*break-inside: avoid", css)
    assert re.search(r"\.report-footer \{[^}]*break-before: avoid", css)


# --------------------------------------------------------------------------------------------
# The index links every file of a park-year


def _ok(job):
    return JobResult(Outcome(job.park, job.year, job.notebook, "ok", 0.1), b"{}", b"<p>r</p>")


@pytest.fixture
def fake_browser(tmp_path, monkeypatch):
    """$ECOPARK_CHROMIUM set to a fake that "prints" every page (a tiny PDF) through the
    DevTools pipe; the browser kept for it is ended after the test."""
    from ecopark.reports import chromium

    fake = str(fake_chromium(tmp_path))
    monkeypatch.setenv("ECOPARK_CHROMIUM", fake)
    yield
    chromium.close_kept(fake)


def test_index_links_pdfs_word_xlsx_and_the_portfolio_pages(tmp_path, fake_browser):
    targets = batch.targets_for_park("nantong-etdz", [2021], DATA)
    out = tmp_path / "out"
    batch.run_batch(
        targets,
        batch.resolve_notebooks(None),
        out,
        executor=batch.InProcess(),
        runner=_ok,
        progress=False,
        pdf=True,
        documents=True,
        portfolio=batch.resolve_notebooks(["04_portfolio"]),
    )
    index = (out / "index.html").read_text(encoding="utf-8")
    folder = out / "nantong-etdz" / "2021"
    for stem, title in (("01_assessment", "考核表"), ("03_trends", "趋势")):
        assert (folder / f"{stem}.pdf").read_bytes().startswith(b"%PDF")
        assert (
            f'<a href="nantong-etdz/2021/{stem}.html">{title}</a> '
            f'<a class="pdf" href="nantong-etdz/2021/{stem}.pdf">PDF</a>'
        ) in index
    assert '<a href="nantong-etdz/2021/01_assessment.docx">Word 文档</a>' in index
    assert '<a href="nantong-etdz/2021/01_assessment.xlsx">附表 xlsx</a>' in index
    assert (folder / "01_assessment.docx").is_file() and (folder / "01_assessment.xlsx").is_file()
    assert '<a href="portfolio/2021.html">2021 年</a>' in index
    assert '（<a class="pdf" href="portfolio/2021.pdf">PDF</a>）' in index


def test_index_links_no_pdf_that_was_not_written(tmp_path):
    targets = batch.targets_for_park("nantong-etdz", [2021], DATA)
    out = tmp_path / "out"
    batch.run_batch(
        targets, batch.resolve_notebooks(None), out, executor=batch.InProcess(), runner=_ok,
        progress=False,
    )  # fmt: skip
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="nantong-etdz/2021/01_assessment.html"' in index
    assert not re.search(r'href="[^"]*\.(pdf|docx|xlsx)"', index)


# --------------------------------------------------------------------------------------------
# Issue 11: no report onto an input, even when --out points into the park folder


def test_run_with_pdf_writes_no_report_onto_an_input(tmp_path, fake_browser):
    """--out is the park folder itself, and the report paths there are links to its own data
    files: the html, pdf, docx and xlsx are refused, every input is unchanged."""
    data = tmp_path / "data"
    shutil.copytree(DATA / "nantong-etdz", data / "nantong-etdz")
    park = data / "nantong-etdz"
    before = {p: p.read_bytes() for p in park.rglob("*") if p.is_file()}
    folder = park / "nantong-etdz" / "2021"  # <out>/<park>/<year> with --out = the park folder
    folder.mkdir(parents=True)
    links = {
        "01_assessment.html": park / "2021.csv",
        "02_why_indicators_fail.pdf": park / "park.yaml",
        "01_assessment.docx": park / "2015.csv",
        "01_assessment.xlsx": park / "2018.csv",
    }
    for name, target in links.items():
        (folder / name).symlink_to(target)
    outcomes = batch.run_batch(
        batch.targets_for_park("nantong-etdz", [2021], data),
        batch.resolve_notebooks(None),
        park,
        executor=batch.InProcess(),
        runner=_ok,
        progress=False,
        pdf=True,
        documents=True,
        index=False,
    )
    assert {p: p.read_bytes() for p in before} == before
    failed = {o.notebook: o.error for o in outcomes if not o.ok}
    assert "读" in failed["01_assessment"] or "reads" in failed["01_assessment"]
    assert "PDF 未生成" in failed["02_why_indicators_fail"]
    assert set(failed) >= {"01_assessment.docx", "01_assessment.xlsx"}
    assert (folder / "03_trends.pdf").is_file()  # what is not an input is written


def test_report_command_refuses_a_template_that_is_its_own_output(tmp_path, capsys):
    from ecopark import cli

    data = tmp_path / "data"
    shutil.copytree(DATA / "nantong-etdz", data / "nantong-etdz")
    out = tmp_path / "out"
    assert cli.main(["report", str(data / "nantong-etdz"), "2021", "--format", "docx",
                     "--out", str(out)]) == 0  # fmt: skip
    docx = out / "nantong-etdz" / "2021" / "01_assessment.docx"
    first = docx.read_bytes()
    argv = ["report", str(data / "nantong-etdz"), "2021", "--format", "docx", "--out", str(out),
            "--template", str(docx)]  # fmt: skip
    assert cli.main(argv) == 2
    assert docx.read_bytes() == first
    assert "Give another --out" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# Issue 11: data text is text in the Word document


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    return make_xss_park(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def hostile_docx(hostile) -> bytes:
    """The Word document of the hostile park in 2021, made once (two tests read it)."""
    return document_bytes(assess(load_park(hostile), 2021), "docx")


def test_word_document_of_a_hostile_park_holds_its_text_literally(hostile_docx):
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    doc = docx.Document(io.BytesIO(hostile_docx))
    texts = [p.text for p in doc.paragraphs]
    for section in doc.sections:
        texts += [p.text for p in section.header.paragraphs]
    for table in doc.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    body = "\n".join(texts)
    assert HOSTILE_NAME in body  # the name exactly as written: no link, no bold, no image
    assert "[示例](javascript:" in body
    # nothing made from it: no hyperlink, no image, no field, no external relationship
    rels = [r for part in (doc.part, *(s.header.part for s in doc.sections)) for r in part.rels.values()]  # fmt: skip
    assert not [r for r in rels if r.reltype in (RT.HYPERLINK, RT.IMAGE)]
    assert not [r for r in rels if r.is_external]
    xml = doc.element.xml
    assert "<w:hyperlink" not in xml and "<w:fldSimple" not in xml and "<w:instrText" not in xml
    assert "javascript:" not in "".join(
        v for el in doc.element.iter() for k, v in el.attrib.items() if not k.endswith("}val")
    )


def test_word_document_keeps_control_characters_out(hostile_docx):
    import docx

    doc = docx.Document(io.BytesIO(hostile_docx))  # the file opens: no raw control character
    assert doc.paragraphs


# --------------------------------------------------------------------------------------------
# Slow: a browser prints the reports; the portfolio notebook runs


@pytest.mark.slow
@needs_chromium
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_nantong_assessment_prints_without_near_empty_pages():
    pdf = report_pdf("nantong-etdz", 2021, "01_assessment")  # print_pdf, shared with test_documents
    pages = read_printed(pdf).page_texts()  # not pypdf's text extraction: ≈ 4 times the CPU
    assert 4 <= len(pages) <= 7, len(pages)  # 8 with a page break before every section
    running = "南通经济技术开发区 · 2021 年 · HJ 274-2015"
    first = re.sub(r"\s+", " ", pages[0])
    assert running not in first  # page 1 opens with the title itself
    assert all(running in re.sub(r"\s+", " ", p) for p in pages[1:])
    # the last page holds report content with the footer, not the footer's file list alone
    last = re.sub(r"\s+", "", pages[-1])
    assert "校验值sha256" in last
    assert len(last.split("由ecopark", 1)[0]) > 200  # table rows above the footer
    for page in pages[1:]:  # no page nearly empty: each holds more than its header and number
        assert len(re.sub(r"\s+", "", page)) > 300, page[:200]


@pytest.mark.slow
@needs_chromium
def test_pdf_of_a_hostile_report_has_its_text_and_no_link_that_runs(tmp_path):
    from pypdf import PdfReader

    from ecopark.reports.pdf import print_pdf

    pdf = tmp_path / "xss.pdf"
    print_pdf(batch_run().report(XSS_PARK, 2021, "01_assessment"), pdf)
    reader = PdfReader(str(pdf))
    flat = re.sub(r"\s+", "", "".join(read_printed(pdf).page_texts()))
    assert re.sub(r"\s+", "", HOSTILE_NAME)[:40] in flat
    raw = pdf.read_bytes()
    assert b"/JavaScript" not in raw and b"/JS " not in raw and b"/JS(" not in raw
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A") or {}
            uri = str(action.get("/URI", ""))
            assert not uri.lower().startswith(("javascript:", "data:", "file:")), uri


@pytest.fixture(scope="module")
def portfolio_page(tmp_path_factory) -> Path:
    """Notebook 04 run by papermill over Nantong, the example park and the hostile park (2021;
    :func:`reports_support.portfolio_run`), and exported as the batch exports it."""
    import nbformat

    from ecopark.reports.html import to_html

    run = portfolio_run()
    page = tmp_path_factory.mktemp("portfolio") / "portfolio" / "2021.html"
    page.parent.mkdir()
    nb = nbformat.read(run.notebook, as_version=4)
    page.write_text(to_html(nb, "2021 年 园区总览", notebook="04_portfolio"), encoding="utf-8")
    return page


@pytest.mark.slow
def test_portfolio_page_is_small_print_ready_and_text(portfolio_page):
    page = portfolio_page.read_text(encoding="utf-8")
    assert len(page.encode("utf-8")) <= 250_000
    assert '<html lang="zh-CN">' in page and "@page" in page and "jp-" not in page
    assert '<table class="eco-table">' in page and 'id="T_' not in page  # no pandas Styler
    assert 'class="error"' not in page
    assert html_problems(page) == []
    text = text_of(page)
    assert HOSTILE_NAME in text and "示例园区（合成示例数据）" in text
    assert "由 ecopark 0." in text and "依据 HJ 274-2015" in text
    assert page.count("<svg") == 1  # the margin distribution


@pytest.mark.slow
@needs_chromium
def test_portfolio_page_runs_no_script_and_prints_to_a4(portfolio_page, tmp_path):
    from ecopark.reports.pdf import print_pdf

    dom = render(portfolio_page, dump_dom=True, virtual_time_budget=3000)  # the shared browser
    title = dom.split("<title>", 1)[1].split("</title>", 1)[0]
    assert html.unescape(title) == "2021 年 园区总览"  # no hostile script set it
    assert html_problems(dom) == []
    pdf = tmp_path / "portfolio.pdf"
    print_pdf(portfolio_page, pdf)
    pages = read_printed(pdf).page_texts()  # not pypdf's text extraction: ≈ 4 times the CPU
    assert 1 <= len(pages) <= 5
    flat = re.sub(r"\s+", "", "".join(pages))
    assert "园区总览" in flat and "合成示例数据" in flat and "第1页/共" in flat


def test_a_failed_report_says_in_chinese_where_it_stopped_and_what_did_not_run():
    import nbformat

    from ecopark.reports.html import NOT_RUN_ZH, PAPERMILL_ERROR_TAG, STOPPED_ZH, to_html

    v4 = nbformat.v4
    banner = v4.new_markdown_cell(
        "<span style='color:red'>An Exception was encountered at 'In [2]'.</span>",
        metadata={"tags": [PAPERMILL_ERROR_TAG]},
    )
    ran = v4.new_code_cell("report.summary()")
    ran.outputs = [v4.new_output("display_data", data={"text/markdown": "**结论：符合**"})]
    broke = v4.new_code_cell("report.verdict()")
    broke.outputs = [v4.new_output("error", ename="ValueError", evalue="坏", traceback=["ValueError: 坏"])]  # fmt: skip
    later = v4.new_code_cell("report.assessment_table()")
    nb = v4.new_notebook(
        cells=[banner, ran, v4.new_markdown_cell("## 评价结论"), broke,
               v4.new_markdown_cell("## 对照考核表"), later, v4.new_code_cell("x = 1")]
    )  # fmt: skip
    page = to_html(nb, "园区 2021 年 考核表", failed="ValueError: 坏", notebook="01_assessment")
    assert "Exception was encountered" not in page and "papermill" not in page
    assert page.count(STOPPED_ZH) == 1
    assert page.index(STOPPED_ZH) < page.index('<pre class="error">ValueError: 坏</pre>')
    assert page.count(NOT_RUN_ZH) == 2  # the two cells after the error, not those before
    assert page.index("<h2>对照考核表</h2>") < page.index(NOT_RUN_ZH)
    assert "<strong>结论：符合</strong>" in page


@pytest.mark.slow
def test_portfolio_page_has_one_title(portfolio_page):
    page = portfolio_page.read_text(encoding="utf-8")
    assert page.count("<h1>") == 1 and "<h1>2021 年 园区总览</h1>" in page
    assert "<strong>园区总览</strong>：2021 年，3 个园区" in page


@needs_example
def test_whatif_chart_keeps_the_standards_order_with_string_ids():
    chart = report_session("example-park", 2020).whatif_chart()  # open_report's, shared
    # each indicator's heading is a text across the chart above its items (the y tick labels)
    texts = chart.figure.axes[0].texts
    heads = [t.get_text() for t in texts if (t.get_gid() or "").startswith("heading-")]
    numbers = [int(h.split()[0]) for h in heads]
    assert numbers == [3, 4, 7, 9, 11, 12, 19, 27, 28]  # not "11" before "3"
