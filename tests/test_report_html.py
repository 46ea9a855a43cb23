"""HTML reports for consultants: offline, no code, Chinese, escaped, and rendered by a browser."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from browser import CHROMIUM
from chart_support import SMALLEST_PT
from ecopark.reports.html import external_references, report_heading
from reports_support import NOTEBOOKS, SCRIPT, XSS_PARK, batch_run, report_render
from test_chart_print import read_printed


def _html(park: str, year: int, notebook: str) -> str:
    return batch_run().report(park, year, notebook).read_text(encoding="utf-8")


def test_external_reference_detection():
    assert external_references('<script src="https://cdn/x.js"></script>') == ['src="https://']
    assert external_references("<link href='//cdn/x.css'>") == ["href='//"]
    assert external_references('<img src="data:image/png;base64,AAA">') == []
    assert external_references("src=&quot;http://x") == []


def test_report_heading():
    assert (
        report_heading("南通经济技术开发区", 2021, "02_why_indicators_fail")
        == "南通经济技术开发区 2021 年 未达标指标成因分析"
    )


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_no_code_no_network_inline_images_chinese_title(notebook):
    html = _html("nantong-etdz", 2021, notebook)
    title = report_heading("南通经济技术开发区", 2021, notebook)
    assert f"<title>{title}</title>" in html
    assert f"<h1>{title}</h1>" in html
    # no code cells: no input areas, no source text of the notebook
    body = html.split("<body", 1)[1]
    assert (
        "jp-InputPrompt" not in body
        and "jp-Editor" not in body
        and "jp-CodeMirrorEditor" not in body
    )
    assert 'class="highlight' not in body
    # code cells are there, with their outputs only: one block per code cell that shows something
    import nbformat

    nb = nbformat.read(batch_run().report("nantong-etdz", 2021, notebook, ".ipynb"), as_version=4)
    shown = [c for c in nb.cells if c.cell_type == "code" and c.outputs]
    assert len(shown) >= 4 and body.count('<div class="cell-output">') == len(shown)
    for code in ("nr.open_report", "ecopark.plotting.setup()", "park_id = ", "import "):
        assert code not in html, code
    # nothing from the network
    assert 'src="http' not in html and 'href="http' not in html
    assert external_references(html) == []
    assert not re.search(r"<script\b", html, re.IGNORECASE)
    assert "require.min.js" not in html and "MathJax" not in html and "mermaid" not in html.lower()
    # charts inside the file, as SVG with a Chinese alt text; no image loaded from anywhere
    charts = re.findall(r'<figure class="chart"><svg role="img" aria-label="([^"]*)"', html)
    assert charts, "a chart is expected"
    assert all(re.search(r"[\u4e00-\u9fff]", alt) for alt in charts), charts
    assert all(f"<title>{alt}</title>" in html for alt in charts)
    assert "<img" not in html
    # date, sources, Chinese font stack
    assert re.search(r"生成日期：\d{4}-\d\d-\d\d \d\d:\d\d", html)
    assert "数据来源：南通经济技术开发区国家生态工业示范园区建设2021年度评价报告" in html
    assert "数据文件：" in html and "2021.csv" in html
    assert re.search(r'--eco-font:\s*"Noto Sans CJK SC"[^;]*"Microsoft YaHei"', html)
    assert "font-family: var(--eco-font)" in html


@pytest.mark.slow
def test_script_in_a_note_is_shown_never_run():
    for notebook in NOTEBOOKS:
        html = _html(XSS_PARK, 2021, notebook)
        assert SCRIPT not in html, notebook
        assert not re.search(r"<script\b", html, re.IGNORECASE), notebook
    html = _html(XSS_PARK, 2021, "01_assessment")
    shown = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert f"注释 {shown} 结束" in html  # the note, in the sources table
    assert html.count(shown) >= 3  # the header, the sources line and the note
    index = (batch_run().out / "index.html").read_text(encoding="utf-8")
    assert SCRIPT not in index


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_headless_chromium_renders_a_report():
    from PIL import Image

    png = report_render("nantong-etdz", 2021, "01_assessment")[1]  # shared with the prints below
    assert png.is_file() and png.stat().st_size > 10_000
    img = Image.open(png).convert("RGB")
    assert img.size == (1280, 1600)
    colours = img.getcolors(maxcolors=1 << 20)
    assert colours is None or len(colours) > 50, "the page is blank"
    grey = img.convert("L")
    dark = sum(grey.histogram()[:96])
    assert dark > 2000, f"only {dark} dark pixels: no text drawn"


#: The bound every report keeps, its charts included [bytes].
MAX_REPORT_BYTES = 250_000


@pytest.mark.slow
def test_every_report_is_small_chinese_whole_and_linked():
    """Every report of the session run: ≤ 250 KB, lang zh-CN, one header, no index column, no
    text cut with "…", a table of contents, links to the park-year's other reports and the
    index, and a footer with version, standard, date and checksum."""
    import ecopark
    from reports_support import good_park_years

    for park, year in good_park_years():
        for notebook in NOTEBOOKS:
            path = batch_run().report(park, year, notebook)
            size = path.stat().st_size
            assert size <= MAX_REPORT_BYTES, (path, size)
            html = path.read_text(encoding="utf-8")
            assert '<html lang="zh-CN">' in html
            assert html.count("<h1>") == 1 and html.count("<header") == 1, path
            text = re.sub(r"<svg\b.*?</svg>", "", html, flags=re.DOTALL)  # charts shorten labels
            assert "…" not in text, path
            assert "<th></th>" not in html and "Unnamed" not in html  # no index column
            assert "jp-" not in html.split("</style>", 1)[0]  # no JupyterLab CSS
            assert '<nav class="toc"' in html and 'href="#s1"' in html
            assert 'href="../../index.html"' in html
            for other in NOTEBOOKS:
                if other != notebook:
                    assert f'href="{other}.html"' in html, (path, other)
            footer = html.split('<footer class="report-footer">', 1)[1]
            assert f"ecopark {ecopark.__version__}" in footer and "HJ 274-2015" in footer
            assert re.search(r"生成日期 \d{4}-\d\d-\d\d", footer)
            assert re.search(r"sha256:[0-9a-f]{12}", footer), path


@pytest.mark.slow
def test_nantong_summary_comes_first_and_reaches_the_doubt():
    html = _html("nantong-etdz", 2021, "01_assessment")
    main = html.split("<main>", 1)[1]
    first = main.split('<section id="s2"', 1)[0]
    assert "<h2>摘要</h2>" in first and "结论：符合 HJ 274-2015 的要求。" in first
    assert "5 建设规划实施后新增构建生态工业链项目数量（必选）" in first  # the must one first
    assert first.index("5 建设规划") < first.index("14 单位工业增加值新鲜水耗（已选）")
    assert "光伏约合1.65万吨标煤，单位或口径存疑" in first
    # the table: failing rows marked, status on its colour, text left, numbers right
    assert html.count('<tr class="fail">') >= 5
    assert '<td class="num">+219.0%</td>' in html and '<td class="num">+2.5%</td>' in html
    assert '<td class="nw">经济发展</td>' in html  # a short word, on one line


@pytest.mark.slow
def test_example_park_unrealistic_actions_are_marked():
    """example-park 2023's indicator 12 needs renewables +59.6 %: marked 不现实, not offered."""
    html = _html("example-park", 2023, "02_why_indicators_fail")
    assert "不现实：变化超过 ±50%" in html
    html = _html("example-park", 2023, "03_trends")
    assert "(fresh_water)" not in html and "(value_added)" not in html
    assert "个百分点/年" in html and "基本持平" in html  # indicator 7: −0.000005 a year


#: Page counts each report prints to on the bundled parks (A4).
PAGES = {"01_assessment": (3, 10), "02_why_indicators_fail": (2, 10), "03_trends": (2, 8)}


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_chromium_prints_each_report_to_a4(notebook):
    for park, name, verdict in (
        ("nantong-etdz", "南通经济技术开发区", "符合"),
        ("example-park", None, None),
    ):
        year = 2021 if park == "nantong-etdz" else 2023
        report = batch_run().report(park, year, notebook)
        # printed and seen once for the test run (Nantong's assessment: as ecopark run --pdf
        # prints it, the PDF test_report_print and test_documents read)
        pdf, png = report_render(park, year, notebook)
        assert pdf.is_file(), pdf
        printed = read_printed(pdf)  # the pages' sizes and texts (test_chart_print)
        pages = printed.pages
        low, high = PAGES[notebook]
        assert low <= len(pages) <= high, (pdf, len(pages))
        for w, h in pages:
            assert abs(w - 595.3) <= 1 and abs(h - 841.9) <= 1, (w, h)
        # charts at the text width: their text prints at its size, none below 8 pt
        size, where = printed.smallest()
        assert size >= SMALLEST_PT - 0.05, (pdf.name, size, where)
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        flat = re.sub(r"\s+", "", text)
        html = report.read_text(encoding="utf-8")
        title = re.search(r"<h1>(.*?)</h1>", html).group(1)
        assert re.sub(r"\s+", "", title) in flat
        assert "第1页/共" in flat and f"共{len(pages)}页" in flat
        assert "HJ274-2015" in flat.split("第1页", 1)[0]  # the running header
        if notebook == "01_assessment" and verdict:
            assert f"结论：{verdict}HJ274-2015的要求" in flat
            assert name in flat and "单位或口径存疑" in flat
        assert png.is_file() and png.stat().st_size > 10_000
