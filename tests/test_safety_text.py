"""Data text is text: hostile names, notes and sources reach every output as literal text.

The hostile park (:func:`reports_support.make_xss_park`) holds scripts, event attributes,
``javascript:`` and ``data:`` links, Markdown links and images, Jinja syntax, formulas, control
characters and a very long string in its name, description, source, notes and sector names.
Each output is checked: table markdown/json/xlsx/csv, gaps, the batch's index and summary.csv,
and (slow: the session's batch run) the reports, also in headless Chromium.
"""

from __future__ import annotations

import csv
import html
import io
import json
import shutil
from pathlib import Path

import pytest

from browser import CHROMIUM, render
from ecopark import cli
from ecopark.reports import batch
from ecopark.reports.batch.job import JobResult, Outcome
from ecopark.reports.html import report_heading
from ecopark.textsafe import csv_cell, md_escape, md_text, visible
from reports_support import HOSTILE, HOSTILE_NAME, SCRIPT, XSS_PARK, batch_run, make_xss_park
from safety_support import html_problems, text_of


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("hostile")
    return make_xss_park(data)


def _markdown_html(text: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(text)


# --------------------------------------------------------------------------------------------
# The escaping functions


@pytest.mark.parametrize("text", HOSTILE + (HOSTILE_NAME,))
def test_escaped_markdown_renders_as_the_text_itself(text):
    page = _markdown_html(f"**名称**：{md_text(text)}")
    assert html_problems(page) == []
    assert visible(text) in text_of(page)
    # escaped for a Markdown cell that is HTML-escaped as a whole afterwards (display.Text)
    page = _markdown_html(html.escape(f"- {md_escape(text)}", quote=False))
    assert html_problems(page) == [] and visible(text) in text_of(page)


def test_visible_and_csv_cell():
    assert visible("a\x07b\x00c\x1b\x7f\x85d\te\nf") == "a␇b␀c␛␡\ufffdd\te\nf"
    assert csv_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert csv_cell("+cmd") == "'+cmd" and csv_cell("@SUM(1)") == "'@SUM(1)"
    assert csv_cell("-2+3+cmd|x") == "'-2+3+cmd|x" and csv_cell("\tx") == "'\tx"
    assert csv_cell("-12.5") == "-12.5" and csv_cell("+3") == "+3" and csv_cell("-1e-3") == "-1e-3"
    assert csv_cell("南通 = 好") == "南通 = 好" and csv_cell(2021) == 2021


# --------------------------------------------------------------------------------------------
# ecopark table, gaps


def _run(argv: list[str]) -> int:
    return cli.main(argv)


def test_table_markdown_is_text(hostile, tmp_path):
    out = tmp_path / "t.md"
    assert _run(["table", str(hostile), "2021", "--format", "markdown", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    title = text.splitlines()[0]
    assert title.startswith("# " + md_text(HOSTILE_NAME) + " 2021 年")
    page = _markdown_html(text)
    assert html_problems(page) == []
    assert HOSTILE_NAME in text_of(page)
    assert "<b>" not in text and "](javascript" not in text


def test_table_json_and_gaps_json_keep_the_name_exactly(hostile, tmp_path):
    out = tmp_path / "t.json"
    assert _run(["table", str(hostile), "2021", "--format", "json", "-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["park_name"] == HOSTILE_NAME
    out = tmp_path / "g.json"
    assert _run(["gaps", str(hostile), "2021", "--format", "json", "-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["park_name"] == HOSTILE_NAME


def test_table_csv_holds_no_data_text_and_no_formula(hostile, tmp_path, nantong_dir):
    out = tmp_path / "t.csv"
    assert _run(["table", str(hostile), "2021", "--format", "csv", "-o", str(out)]) == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) > 20
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    assert "PWN" not in out.read_text(encoding="utf-8")


def test_table_xlsx_shows_the_name_as_text_and_has_no_formula(hostile, tmp_path):
    from openpyxl import load_workbook

    name = HOSTILE_NAME + " " + HOSTILE[-2]  # control characters too
    yaml_path = hostile.parent / "ctl" / "park.yaml"
    shutil.copytree(hostile, yaml_path.parent)
    text = yaml_path.read_text(encoding="utf-8").replace(f"id: {XSS_PARK}", "id: ctl")
    lines = [
        f"name: {json.dumps(name, ensure_ascii=False)}" if line.startswith("name:") else line
        for line in text.splitlines()
    ]
    yaml_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "t.xlsx"
    assert _run(["table", str(yaml_path.parent), "2021", "--format", "xlsx", "-o", str(out)]) == 0
    wb = load_workbook(out)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    names = [
        c.value for c in cells if isinstance(c.value, str) and c.value.startswith("园区名称：")
    ]
    assert names == ["园区名称：" + visible(name)] * 2  # 附表1 and 附表2


# --------------------------------------------------------------------------------------------
# The batch's index and summary.csv (a fake runner: no kernel)


def _ok(job):
    return JobResult(Outcome(job.park, job.year, job.notebook, "ok", 0.1), b"{}", b"<p>r</p>")


def test_index_and_summary_of_a_hostile_park(hostile, tmp_path):
    params = tmp_path / "params"
    params.mkdir()
    bad_names = ['=HYPERLINK("x")', "+cmd|' calc'!A0", "@SUM(1)", "-2+3"]
    for n in bad_names:
        (params / f"{n}.yaml").write_text(f"park_id: {n}\nyear: 2021\n", encoding="utf-8")
    targets = batch.targets_from_params(sorted(params.iterdir()))
    targets += batch.targets_for_park(XSS_PARK, [2021], hostile.parent)
    out = tmp_path / "out"
    batch.run_batch(
        targets,
        batch.resolve_notebooks(None),
        out,
        executor=batch.InProcess(),
        runner=_ok,
        progress=False,
    )
    index = (out / "index.html").read_text(encoding="utf-8")
    assert html_problems(index) == []
    assert HOSTILE_NAME in text_of(index)
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "@", "-"))]
    assert sorted(r[0] for r in rows[1:5]) == sorted("'" + n for n in bad_names)


# --------------------------------------------------------------------------------------------
# The reports of the session's batch run (real notebooks)


@pytest.mark.slow
def test_reports_of_the_hostile_park_are_text():
    from reports_support import NOTEBOOKS

    shown = [h for h in HOSTILE if len(h) < 50]  # longer notes are cut by the tables ("...")
    for notebook in NOTEBOOKS:
        page = batch_run().report(XSS_PARK, 2021, notebook).read_text(encoding="utf-8")
        assert html_problems(page) == [], notebook
        text = text_of(page)
        assert HOSTILE_NAME in text, notebook
        assert not any(c in page for c in "\x07\x1b\x08"), notebook
        if notebook == "01_assessment":  # the sources table shows every note
            missing = [h for h in shown if visible(h) not in text]
            assert missing == [], missing
            assert f"注释 {SCRIPT} 结束" in text
    index = (batch_run().out / "index.html").read_text(encoding="utf-8")
    assert html_problems(index) == [] and HOSTILE_NAME in text_of(index)


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_headless_chromium_runs_no_script_of_the_hostile_report(tmp_path):
    report = batch_run().report(XSS_PARK, 2021, "01_assessment")
    # the page, and a canary that proves scripts do run in this browser
    canary = tmp_path / "canary.html"
    canary.write_text("<title>before</title><script>document.title='RAN'</script>", "utf-8")
    dom = render(report, dump_dom=True, virtual_time_budget=3000, timeout=90)
    assert "<body" in dom and "数据来源" in dom
    title = dom.split("<title>", 1)[1].split("</title>", 1)[0]
    # every hostile script would set the title to its PWN-… name
    assert html.unescape(title) == report_heading(HOSTILE_NAME, 2021, "01_assessment")
    assert html_problems(dom) == []
    assert "RAN" in render(canary, dump_dom=True, virtual_time_budget=3000, timeout=90)
