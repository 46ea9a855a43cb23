"""HTML reports for consultants: executed notebooks rendered without code, print-ready, offline.

A report is one executed notebook rendered with ecopark's own template
(``templates/report/report.html.j2`` and its stylesheet ``report.css``, a few KB instead of
JupyterLab's CSS): the code cells' outputs only, the notebook's first heading replaced by one
header (park, year, report title, generation date, data sources), a table of contents of its
``##`` sections, links to the park-year's other reports (same folder) and back to the
portfolio index (``../../index.html``), and a footer with ecopark's version, the standard, the
generation date and a checksum of the data files the report read. Printed (Chromium), pages
are A4 with margins, a running header (park, year, standard), 第 X 页 / 共 Y 页, a page break
before each section, and tables that repeat their header and never split a row.

What the report is about comes from the notebook itself (:class:`ecopark.reports.display.Meta`,
shown by ``report.title(...)``), so a notebook node in memory is all :func:`to_html` needs.
Every text from data files is escaped: the template autoescapes, tables and Markdown outputs
are escaped when made (:mod:`ecopark.reports.display`), the running header goes into CSS as an
escaped string; control characters are shown as symbols (:func:`ecopark.textsafe.visible`).
Nothing is loaded from the network and no script is included.
"""

from __future__ import annotations

import datetime as _dt
import html as _html
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ecopark.reports.catalog import NOTEBOOKS, notebook_title
from ecopark.textsafe import visible

TEMPLATES_DIR = Path(__file__).parent / "templates"
REPORT_TEMPLATE = TEMPLATES_DIR / "report" / "report.html.j2"
REPORT_CSS = TEMPLATES_DIR / "report" / "report.css"
#: The portfolio index, from a report in ``<out>/<park>/<year>/``.
INDEX_HREF = "../../index.html"

_EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_ANCHOR = re.compile(r'<a class="anchor-link" href="#[^"]*">[^<]*</a>')
_HEADING = re.compile(r"^(#{1,2})\s+(.+?)\s*#*\s*$")

#: The tag of the cells papermill adds to a failed notebook (English banners, left out).
PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"
#: Said above the error of a failed notebook, and where a later section's content is missing.
STOPPED_ZH = "执行在此处出错并停止，出错信息如下："
NOT_RUN_ZH = "（此处内容未生成：报告在前面出错后停止执行。）"

_TEMPLATE: Any = None


class ReportError(Exception):
    """A rendered report breaks one of the offline rules."""


def exporter() -> Any:
    """The process's one report template (Jinja2, autoescaped), loaded on first use, with the
    Markdown renderer's module (nbconvert's, ≈ 500 modules)."""
    global _TEMPLATE
    if _TEMPLATE is None:
        import jinja2
        import nbconvert.filters.markdown_mistune  # noqa: F401 - for _markdown

        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(REPORT_TEMPLATE.parent)),
            autoescape=True,
            keep_trailing_newline=True,
        )
        _TEMPLATE = env.get_template(REPORT_TEMPLATE.name)
    return _TEMPLATE


def report_heading(park_name: str, year: int | str, notebook: str) -> str:
    """The report's title: ``"南通经济技术开发区 2021 年 考核表"``."""
    return f"{park_name} {year} 年 {notebook_title(notebook)}"


def external_references(html: str) -> list[str]:
    """Every ``src=``/``href=`` in ``html`` that points at the network (``http(s)://`` or ``//``)."""
    return [m.group(0) for m in _EXTERNAL.finditer(html)]


def css_string(text: str) -> str:
    """``text`` as a CSS string literal (quotes, backslashes, line breaks and ``<`` escaped), for
    the running header's ``content:``."""
    out = []
    for ch in visible(text):
        if ch in '"\\<>&' or ord(ch) < 0x20:
            out.append(f"\\{ord(ch):X} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _markdown(text: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return _ANCHOR.sub("", markdown2html_mistune(text))


def _blocks(nb: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The notebook as sections (``{"title", "id", "parts"}``: HTML strings) and its report
    metadata; the text before the first ``##`` is the untitled first section (its ``#`` title
    is the page header's)."""
    sections: list[dict[str, Any]] = [{"title": "", "id": "", "parts": []}]
    meta: dict[str, Any] = {}

    def add(part: str) -> None:
        if part.strip():
            sections[-1]["parts"].append(part)

    stopped = False  # an earlier cell raised: the cells after it did not run
    for cell in nb.cells:
        if PAPERMILL_ERROR_TAG in cell.get("metadata", {}).get("tags", ()):
            continue  # papermill's English banners; the header says why the run failed
        if cell.cell_type == "markdown":
            lines: list[str] = []
            for line in cell.source.splitlines():
                m = _HEADING.match(line)
                if m is None:
                    lines.append(line)
                    continue
                add(_markdown("\n".join(lines)))
                lines = []
                if len(m.group(1)) == 2:
                    n = len(sections)
                    sections.append({"title": m.group(2), "id": f"s{n}", "parts": []})
            add(_markdown("\n".join(lines)))
        elif cell.cell_type == "code":
            raw = cell.get("outputs", [])
            outputs = [o for o in (_output(o, meta) for o in raw) if o]
            if outputs:
                add('<div class="cell-output">' + "".join(outputs) + "</div>")
            elif stopped:
                add(f'<p class="not-run">{NOT_RUN_ZH}</p>')
            stopped = stopped or any(o.get("output_type") == "error" for o in raw)
    return [s for s in sections if s["parts"] or s["title"]], meta


def _output(o: Any, meta: dict[str, Any]) -> str:
    """One output as HTML ('' when it shows nothing); the report's
    :data:`~ecopark.reports.display.META_MIME` goes into ``meta``."""
    from ecopark.reports.display import META_MIME  # pandas: not when the command line starts

    kind = o.get("output_type")
    if kind == "stream":
        return f'<pre class="stream">{_html.escape(_ANSI.sub("", o.get("text", "")))}</pre>'
    if kind == "error":
        trace = _ANSI.sub("", "\n".join(o.get("traceback", [])))
        return f'<p class="failed">{STOPPED_ZH}</p><pre class="error">{_html.escape(trace)}</pre>'
    data = o.get("data", {})
    if META_MIME in data:
        meta.update(data[META_MIME])
        return ""
    if "text/html" in data:
        return _joined(data["text/html"])
    if "image/svg+xml" in data:
        return f'<figure class="chart">{_joined(data["image/svg+xml"])}</figure>'
    if "image/png" in data:
        alt = _html.escape(o.get("metadata", {}).get("alt", "图表"))
        png = _joined(data["image/png"]).replace("\n", "")
        return f'<figure class="chart"><img src="data:image/png;base64,{png}" alt="{alt}"></figure>'
    if "text/markdown" in data:
        return _markdown(_joined(data["text/markdown"]))
    if "text/plain" in data:
        return f'<pre class="text">{_html.escape(_joined(data["text/plain"]))}</pre>'
    return ""


def _joined(value: str | Sequence[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def to_html(
    nb: Any,
    heading: str,
    sources: list[str] | tuple[str, ...] = (),
    generated: str | None = None,
    failed: str | None = None,
    notebook: str | None = None,
) -> str:
    """Render an executed notebook as a print-ready, offline Chinese HTML report.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook, in memory (a failed one too: the report is then its log).
    heading : str
        The Chinese title, used for ``<title>`` and the page heading (escaped).
    sources : sequence of str
        Data sources listed under the heading (escaped).
    generated : str, optional
        The generation date; default: now, ``YYYY-MM-DD HH:MM``.
    failed : str, optional
        Why the run failed; shown in red under the heading.
    notebook : str, optional
        The report's stem (``01_assessment``), to mark it in the links between the
        park-year's reports; default: the catalogue notebook whose title ends ``heading``.

    Raises
    ------
    ReportError
        If the HTML would load anything from the network.
    """
    sections, meta = _blocks(nb)
    generated = generated or _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    if notebook is None:
        notebook = next((s.stem for s in NOTEBOOKS if heading.endswith(" " + s.title)), "")
    running = (
        " · ".join(str(x) for x in (meta.get("park"), _year(meta), meta.get("standard")) if x)
        or heading
    )
    html = exporter().render(
        heading=heading,
        sources=list(sources),
        generated=generated,
        failed=failed or "",
        sections=sections,
        meta=meta,
        running=css_string(visible(running)),
        links=[
            {"href": f"{s.stem}.html", "title": s.title, "current": s.stem == notebook}
            for s in NOTEBOOKS
        ],
        index_href=INDEX_HREF,
        css=REPORT_CSS.read_text(encoding="utf-8"),
    )
    html = visible(html)  # a control character from a data file is shown
    bad = external_references(html)
    if bad:
        raise ReportError(f"report would load from the network: {bad[:3]}")
    return html


def _year(meta: Mapping[str, Any]) -> str:
    return f"{meta['year']} 年" if meta.get("year") else ""
