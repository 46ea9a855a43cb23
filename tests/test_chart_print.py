"""Charts print at their own size: drawn at the report's text width on A4, so that the 9 pt of
their labels are 9 pt on paper (not scaled down by the page), and headings keep with what
follows them in print."""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from browser import CHROMIUM
from chart_support import assert_prints_at_its_own_size, report_session
from ecopark.plotting import TEXT_WIDTH_IN
from ecopark.reports.html import REPORT_CSS
from reports_support import DATA, report_render

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


# --------------------------------------------------------------------------------------------
# Printed sizes in a PDF: the text matrix times the page's, applied to the font size. The content
# streams are read here (a tokenizer and the few operators that place text), not through pypdf's
# text extraction, which decodes every glyph of the CJK text (≈ 5 times the CPU); a run's text is
# decoded (its font's ToUnicode) only when it is asked for: the smallest runs, by smallest_printed.

#: A content stream's tokens: (1) space or comment, (2) hex string, (3) << or [, (4) >> or ],
#: (5) name, (6) number, (7) the ( of a literal string, (8) an operator.
_TOKEN = re.compile(
    rb"(\s+|%[^\r\n]*)|<([0-9A-Fa-f\s]*)>|(<<|\[)|(>>|\])|/([^\s/\[\]()<>{}%]*)"
    rb"|([-+]?(?:\d+\.?\d*|\.\d+))(?![^\s/\[\]()<>{}%])|(\()|([^\s/\[\]()<>{}%]+)"
)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _literal(data: bytes, i: int) -> tuple[bytes, int]:
    """The literal string whose ``(`` ends at ``data[i]``, and the index after its ``)``."""
    out, depth = bytearray(), 1
    while i < len(data):
        c = data[i : i + 1]
        i += 1
        if c == b"\\":
            octal = re.match(rb"[0-7]{1,3}", data[i : i + 3])
            if octal:
                out.append(int(octal.group(), 8) & 0xFF)
                i += len(octal.group())
                continue
            e, i = data[i : i + 1], i + 1
            if e == b"\r" and data[i : i + 1] == b"\n":
                i += 1
            elif e not in b"\r\n":
                out += _ESCAPES.get(e, e)
            continue
        depth += (c == b"(") - (c == b")")
        if not depth:
            return bytes(out), i
        out += c
    raise AssertionError("a literal string without its )")


def _operations(data: bytes) -> Iterator[tuple[list, bytes]]:
    """(operands, operator) of a content stream: numbers as float, strings as bytes, names as
    str with their /, arrays (and dictionaries) as lists."""
    stack: list[list] = [[]]
    i, match = 0, _TOKEN.match
    while i < len(data):
        m = match(data, i)
        i, kind = m.end(), m.lastindex
        if kind == 8:
            assert m.group(8) != b"BI", "an inline image: not read"
            yield stack[-1], m.group(8)
            stack[-1] = []
        elif kind == 6:
            stack[-1].append(float(m.group(6)))
        elif kind == 2:
            digits = re.sub(rb"\s", b"", m.group(2))
            stack[-1].append(bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode()))
        elif kind == 5:
            stack[-1].append("/" + m.group(5).decode("latin-1"))
        elif kind == 3:
            stack.append([])
        elif kind == 4:
            items = stack.pop()
            stack[-1].append(items)
        elif kind == 7:
            text, i = _literal(data, i)
            stack[-1].append(text)


def _mult(m: Sequence[float], n: Sequence[float]) -> list[float]:
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return [a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u]  # fmt: skip


@functools.cache
def _to_unicode(font: Any) -> tuple[int, dict[bytes, str]]:
    """The code length [bytes] of a font (2 for a Type0 font) and its ToUnicode map."""
    font = font.get_object()
    width = 2 if font.get("/Subtype") == "/Type0" else 1
    cmap = font.get("/ToUnicode")
    codes: dict[bytes, str] = {}
    if cmap is None:
        return width, codes
    data = cmap.get_object().get_data()

    def text(hexes: bytes) -> str:
        return bytes.fromhex(hexes.decode()).decode("utf-16-be", "replace")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            codes[bytes.fromhex(src.decode())] = text(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[^>]*>|\[[^\]]*\])", block):  # fmt: skip
            first, last, size = int(lo, 16), int(hi, 16), len(lo) // 2
            if dst.startswith(b"["):
                targets = [text(t) for t in re.findall(rb"<([0-9A-Fa-f]*)>", dst)]
            else:
                start = bytes.fromhex(dst[1:-1].decode())
                head, tail = start[:-2], int.from_bytes(start[-2:], "big")
                targets = [text((head + (tail + k).to_bytes(2, "big")).hex().encode()) for k in range(last - first + 1)]  # fmt: skip
            for k, target in zip(range(first, last + 1), targets, strict=False):
                codes[k.to_bytes(size, "big")] = target
    return width, codes


@dataclass(frozen=True)
class PrintedRun:
    """Text shown in one font at one size, in one text object of a page (its glyph codes)."""

    page: int
    size: float  # as printed on paper [pt]
    font: Any  # the font's (indirect) object
    codes: bytes

    @property
    def text(self) -> str:
        """The run's text, through its font's ToUnicode (U+FFFD for a code it lacks)."""
        width, codes = _to_unicode(self.font)
        step = range(0, len(self.codes), width)
        return "".join(codes.get(self.codes[i : i + width], "\ufffd") for i in step)


def _runs(content: bytes, resources: Any, page: int, cm: Sequence[float]) -> Iterator[PrintedRun]:
    """The runs of a content stream drawn with the matrix ``cm`` (a form's: its own times the
    matrix of the page where it is drawn)."""
    fonts = resources.get("/Font") or {}
    tm, font, size, saved, run = _IDENTITY, None, 12.0, [], None
    for operands, op in _operations(content):
        if op in (b"Tj", b"'", b'"', b"TJ"):
            shown = operands[-1] if operands else b""
            codes = b"".join(s for s in shown if isinstance(s, bytes)) if op == b"TJ" else shown
            if run is None:
                m = _mult(tm, cm)
                run = PrintedRun(page, size * math.hypot(m[2], m[3]), font, b"")
            run = dataclasses.replace(run, codes=run.codes + codes)
            continue
        if op in (b"Td", b"TD", b"T*", b"TL", b"Tc", b"Tw", b"Tz", b"gs", b"rg", b"RG"):
            continue  # moves along the line, spacing or colour: the run goes on at its size
        if run is not None:
            yield run
            run = None
        if op == b"Tf":
            font, size = dict.get(fonts, operands[0]), operands[1]  # unresolved (lazily read)
        elif op == b"Tm":
            tm = operands[:6]
        elif op == b"BT":
            tm = _IDENTITY
        elif op == b"cm":
            cm = _mult(operands[:6], cm)
        elif op == b"q":
            saved.append((cm, font, size))
        elif op == b"Q" and saved:
            cm, font, size = saved.pop()
        elif op == b"Do":
            xobject = resources["/XObject"][operands[0]].get_object()
            if xobject.get("/Subtype") == "/Form":
                matrix = [float(v) for v in xobject.get("/Matrix", _IDENTITY)]
                inner = xobject.get("/Resources") or resources
                yield from _runs(xobject.get_data(), inner, page, _mult(matrix, cm))
    if run is not None:
        yield run


@dataclass(frozen=True)
class PrintedPdf:
    """A printed PDF as the tests read it: the size of each page and every text run."""

    pages: list[tuple[float, float]]  # each page's media box: width, height [pt]
    runs: list[PrintedRun]

    def page_texts(self) -> list[str]:
        """The text of each page: its runs one after the other (with the spaces they print;
        no line break between them)."""
        texts = [""] * len(self.pages)
        for run in self.runs:
            texts[run.page - 1] += run.text
        return texts

    def smallest(self) -> tuple[float, str]:
        """The smallest printed size [pt] and a text printed at it (a run of spaces prints
        nothing: not counted)."""
        for run in sorted(self.runs, key=lambda r: r.size):
            if run.text.strip():
                return round(run.size, 2), f"page {run.page}: {run.text.strip()[:30]}"
        raise AssertionError("no text printed")


def read_printed(pdf: Path) -> PrintedPdf:
    """The pages and every text run of a PDF, each run's size as it is on paper [pt]."""
    from pypdf import PdfReader

    pages = PdfReader(str(pdf)).pages
    return PrintedPdf(
        [(float(page.mediabox.width), float(page.mediabox.height)) for page in pages],
        [
            run
            for number, page in enumerate(pages, 1)
            for run in _runs(page.get_contents().get_data(), page["/Resources"], number, _IDENTITY)
        ],
    )


def test_a_content_stream_is_read_with_its_matrices_strings_and_arrays():
    """The scanner's tokens (numbers, names, hex and literal strings with escapes and nested
    parentheses, arrays and dictionaries) and the size of each run: the font size times the
    text matrix times the page's, as q/Q save and restore them and a form's matrix adds."""
    stream = (
        b"q 2 0 0 2 0 0 cm /P <</MCID 3>> BDC BT /F1 9 Tf 1 0 0 -1 5 5 Tm"
        b" [(a\\(b\\) \\101(c)) -20 <41 42>] TJ 3 0 Td (d) Tj ET EMC Q"
        b" BT /F1 8 Tf 0 1.5 -1.5 0 0 0 Tm (e) ' ET % a comment\n q .5 0 0 .5 0 0 cm /X1 Do Q"
    )
    assert list(_operations(b"/P <</MCID 3>> BDC [(a\\(b\\)) -20 <4142>] TJ")) == [
        (["/P", ["/MCID", 3.0]], b"BDC"),
        ([[b"a(b)", -20.0, b"AB"]], b"TJ"),
    ]

    class Form(dict):
        def get_object(self):
            return self

        def get_data(self):
            return b"BT /F1 10 Tf (f) Tj ET"

    form = Form({"/Subtype": "/Form", "/Matrix": [3, 0, 0, 3, 0, 0]})
    resources = {"/Font": {"/F1": "font 1"}, "/XObject": {"/X1": form}}
    runs = [(r.size, r.codes) for r in _runs(stream, resources, 1, _IDENTITY)]
    assert runs == [(18.0, b"a(b) A(c)AB" + b"d"), (12.0, b"e"), (15.0, b"f")]


@pytest.mark.slow
@needs_example
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_printed_runs_are_the_sizes_and_text_pypdf_reads():
    """On the page of a printed report whose text is the smallest (a chart's labels), the
    scanner finds the sizes pypdf's text extraction gives (its visitor: the font size times
    the text and page matrices) and the same text (the PDF test_report_html reads)."""
    from pypdf import PdfReader

    pdf = report_render("nantong-etdz", 2021, "03_trends")[0]
    runs = [r for r in read_printed(pdf).runs if r.text.strip()]
    smallest = min(runs, key=lambda r: r.size)
    theirs: list[tuple[float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            m = _mult(list(tm), list(cm))
            theirs.append((size * math.hypot(m[2], m[3]), text))

    PdfReader(str(pdf)).pages[smallest.page - 1].extract_text(visitor_text=visit)
    ours = [r for r in runs if r.page == smallest.page]
    assert {size for size, _ in theirs} == {r.size for r in ours}
    assert min(size for size, _ in theirs) == smallest.size < 8.5  # a chart's 8 pt labels
    flat = [re.sub(r"\s", "", "".join(t)) for t in ([t for _, t in theirs], [r.text for r in ours])]
    assert flat[0] == flat[1] and len(flat[0]) > 200


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
