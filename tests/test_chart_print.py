"""Charts print at their own size: drawn at the report's text width on A4, so that the 9 pt of
their labels are 9 pt on paper (not scaled down by the page), and headings keep with what
follows them in print."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from chart_support import assert_prints_at_its_own_size, report_session
from ecopark.plotting import TEXT_WIDTH_IN
from ecopark.reports.html import REPORT_CSS
from reports_support import DATA

CSS = REPORT_CSS.read_text(encoding="utf-8")

needs_example = pytest.mark.skipif(
    not (DATA / "example-park" / "park.yaml").is_file(), reason="example park not generated"
)


def _mm(rule: str, prop: str) -> list[float]:
    """The lengths [mm] of ``prop`` in the first CSS block ``rule { ... }`` that sets it."""
    for body in re.findall(re.escape(rule) + r"\s*\{([^{}]*)", CSS):
        m = re.search(rf"(?:^|[;\s]){prop}\s*:\s*([^;]+);", body)
        if m:
            return [float(v.removesuffix("mm")) for v in m.group(1).split()]
    raise AssertionError(f"{rule} sets no {prop}")


def test_text_width_is_a4_less_the_css_margins_and_the_screen_body():
    top, right, bottom, left = _mm("@page", "margin")
    assert TEXT_WIDTH_IN * 25.4 == pytest.approx(210 - left - right)  # 178 mm
    (body,) = _mm("body", "max-width")
    _, side = _mm("body", "padding")
    assert TEXT_WIDTH_IN * 25.4 == pytest.approx(body - 2 * side)  # the same on screen
    # printed, the body spans the page's text box: no padding, no max-width of its own
    print_rules = CSS.split("@media print", 1)[1]
    assert re.search(r"body \{[^}]*max-width: none;[^}]*padding: 0;", print_rules)
    # a chart is never widened or narrowed by the page, only kept within it
    assert re.search(r"figure\.chart svg, figure\.chart img \{ max-width: 100%; height: auto;", CSS)
    assert re.search(r"figure\.chart \{ margin: 6pt 0;", CSS)  # no side margin


@pytest.mark.slow
@needs_example
def test_the_tallest_report_chart_prints_on_an_a4_page_at_its_own_size():
    """Every report chart of four park-years is checked for its printed size where their
    layout is (tests/test_plotting.py::test_report_charts_keep_every_text_inside_and_apart,
    the same draws); here the tallest of the bundled parks' report charts: the example
    park's what it would take in 2021 (9.42 in: 239 mm)."""
    chart = report_session("example-park", 2021).whatif_chart()
    assert chart.figure.get_figheight() == pytest.approx(9.42, abs=0.01)
    assert_prints_at_its_own_size(chart, "example-park 2021 whatif_chart")


def test_a_chart_png_is_as_many_pixels_wide_as_the_text_width_at_its_dpi():
    from PIL import Image

    from ecopark.gaps import gap_table
    from ecopark.plotting import what_it_would_take
    from ecopark.whatif import what_it_would_take as solve

    a = report_session("nantong-etdz", 2021).assessment  # open_report's, shared (chart_support)
    fig = what_it_would_take(solve(a, [28]), gap_table(a), a)
    assert fig.get_figwidth() == pytest.approx(TEXT_WIDTH_IN)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")  # at the chart's dpi
    assert fig.dpi == 100
    width, _ = Image.open(io.BytesIO(buf.getvalue())).size
    assert width == int(TEXT_WIDTH_IN * 100) == 700  # 700.8 pixels, whole ones


# --------------------------------------------------------------------------------------------
# Printed sizes in a PDF (pypdf): the text matrix times the page's, applied to the font size


def _mult(m: list[float], n: list[float]) -> list[float]:
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return [a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u]  # fmt: skip


def printed_sizes(pdf: Path) -> Iterator[tuple[int, float, str]]:
    """(page, size [pt], text) of every text a PDF prints, its size as it is on paper."""
    from pypdf import PdfReader

    for number, page in enumerate(PdfReader(str(pdf)).pages, 1):
        found: list[tuple[int, float, str]] = []

        def visit(text, cm, tm, font, size, found=found, number=number):
            if text.strip():
                m = _mult(list(tm), list(cm))
                found.append((number, size * math.hypot(m[2], m[3]), text.strip()))

        page.extract_text(visitor_text=visit)
        yield from found


def smallest_printed(pdf: Path) -> tuple[float, str]:
    """The smallest printed size [pt] of a PDF and a text printed at it."""
    page, size, text = min(printed_sizes(pdf), key=lambda x: x[1])
    return round(size, 2), f"page {page}: {text[:30]}"


# --------------------------------------------------------------------------------------------
# Headings keep with what follows them in print


def test_headings_keep_with_what_follows_and_tables_and_figures_do_not_split():
    rules = re.sub(r"/\*.*?\*/", "", CSS, flags=re.S)
    # a heading never ends a page; the block after it never starts one
    assert re.search(r"(^|\n)h2, h3, caption \{ break-after: avoid; \}", rules)
    assert re.search(r"h2 \+ \*, h3 \+ \* \{ break-before: avoid; \}", rules)
    # a note right under a heading (a Markdown cell: 对照考核表's “考核”一栏…) is not split and
    # stays with the table after it
    assert re.search(r"h2 \+ p, h3 \+ p \{ break-inside: avoid; break-after: avoid; \}", rules)
    # a heading's first output is a cell's <div>: its first paragraph (资料出处…) is not split
    # and stays with the table after it, and a one-paragraph output with the chart of the next
    # output (checked in Chromium 156: without these, 数据来源 and its first sentence, or 对照考核表
    # and the first line of its note, end a page, the table or the chart starting the next)
    assert re.search(
        r"h2 \+ \.cell-output > p:first-child, h3 \+ \.cell-output > p:first-child"
        r" \{ break-inside: avoid; break-after: avoid; \}",
        rules,
    )
    assert re.search(r"h2 \+ \.cell-output:has\(> p:only-child\) \{ break-after: avoid; \}", rules)
    # table heads repeat on every page; rows and figures are never split
    assert re.search(r"thead \{ display: table-header-group;", rules)
    assert re.search(r"tr, figure[^{]*\{ break-inside: avoid;", rules)
