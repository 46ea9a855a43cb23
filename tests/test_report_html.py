"""HTML reports for consultants: offline, no code, Chinese, escaped, and rendered by a browser."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from ecopark.reports.html import external_references, report_heading
from reports_support import NOTEBOOKS, SCRIPT, XSS_PARK, batch_run

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)


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
    assert body.count("jp-CodeCell") > 5  # code cells are there, with their outputs only
    for code in ("nr.open_report", "ecopark.plotting.setup()", "park_id = ", "import "):
        assert code not in html, code
    # nothing from the network
    assert 'src="http' not in html and 'href="http' not in html
    assert external_references(html) == []
    assert not re.search(r"<script\b", html, re.IGNORECASE)
    assert "require.min.js" not in html and "MathJax" not in html and "mermaid" not in html.lower()
    # images inside the file
    images = re.findall(r'<img\s[^>]*src="([^"]*)"', html)
    assert images, "a chart is expected"
    assert all(src.startswith("data:image/png;base64,") for src in images)
    # date, sources, Chinese font stack
    assert re.search(r"生成日期：\d{4}-\d\d-\d\d \d\d:\d\d", html)
    assert "数据来源：南通经济技术开发区国家生态工业示范园区建设2021年度评价报告" in html
    assert "数据文件：" in html and "2021.csv" in html
    assert re.search(r'--jp-ui-font-family:\s*"Noto Sans CJK SC"[^;]*"Microsoft YaHei"', html)
    assert "--jp-content-font-family: var(--jp-ui-font-family)" in html


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
def test_headless_chromium_renders_a_report(tmp_path):
    from PIL import Image

    report = batch_run().report("nantong-etdz", 2021, "01_assessment")
    png = tmp_path / "report.png"
    profile = tempfile.mkdtemp(prefix="ecopark-chromium-")
    try:
        subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                f"--screenshot={png}",
                "--window-size=1280,1600",
                report.resolve().as_uri(),
            ],
            capture_output=True,
            timeout=120,
            check=False,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert png.is_file() and png.stat().st_size > 10_000
    img = Image.open(png).convert("RGB")
    assert img.size == (1280, 1600)
    colours = img.getcolors(maxcolors=1 << 20)
    assert colours is None or len(colours) > 50, "the page is blank"
    grey = img.convert("L")
    dark = sum(grey.histogram()[:96])
    assert dark > 2000, f"only {dark} dark pixels: no text drawn"
