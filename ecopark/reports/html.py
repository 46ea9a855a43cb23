"""HTML reports for consultants: executed notebooks rendered without code, for offline reading.

A report is one executed notebook rendered with the ``offline`` template in
``ecopark/templates/``: no code cells (``exclude_input``), plots inlined as ``data:`` PNGs, no
script or style loaded from the network (require.js, MathJax, Mermaid and widget managers are
dropped), a Chinese font stack, and a header with a Chinese title (park name and year), the
generation date and the data sources. Every text from data files is escaped: the template
escapes the header, and notebooks show data-derived text only through pandas HTML or escaped
Markdown (:class:`ecopark.reports.display.Text`); control characters are shown as symbols
(:func:`ecopark.textsafe.visible`).
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Any

from ecopark.reports.catalog import notebook_title
from ecopark.textsafe import visible

TEMPLATES_DIR = Path(__file__).parent / "templates"


_EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)

_EXPORTER: Any = None


class ReportError(Exception):
    """A rendered report breaks one of the offline rules."""


def exporter() -> Any:
    """The process's one ``HTMLExporter`` (offline template, no input cells), created on first use.

    Creating an exporter loads the template and the lab CSS (about 0.15 s); reusing it makes an
    export about 0.05 s.
    """
    global _EXPORTER
    if _EXPORTER is None:
        from nbconvert import HTMLExporter
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        class OfflineExporter(HTMLExporter):
            """``HTMLExporter`` without its second pass, a BeautifulSoup parse and re-serialisation
            of the whole page (≈ 60 % of an export) that only adds ``alt`` to images and
            ``tabindex`` to input and output areas."""

            def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:
                info = nb.metadata.get("language_info", {})
                lexer = info.get("pygments_lexer", info.get("name"))
                self.register_filter(
                    "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
                )
                resources = self._init_resources(resources)
                data_filter = WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources
                )
                self.register_filter("filter_data_type", data_filter)
                return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

        _EXPORTER = OfflineExporter(
            template_name="offline",
            extra_template_basedirs=[str(TEMPLATES_DIR)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
            optimistic_validation=True,  # validated once, not after each preprocessor
        )
    return _EXPORTER


def report_heading(park_name: str, year: int | str, notebook: str) -> str:
    """The report's title: ``"南通经济技术开发区 2021 年 考核表"``."""
    return f"{park_name} {year} 年 {notebook_title(notebook)}"


def external_references(html: str) -> list[str]:
    """Every ``src=``/``href=`` in ``html`` that points at the network (``http(s)://`` or ``//``)."""
    return [m.group(0) for m in _EXTERNAL.finditer(html)]


def to_html(
    nb: Any,
    heading: str,
    sources: list[str] | tuple[str, ...] = (),
    generated: str | None = None,
    failed: str | None = None,
) -> str:
    """Render an executed notebook as an offline Chinese HTML report.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook (a failed one too: the report is then its log).
    heading : str
        The Chinese title, used for ``<title>`` and the page heading (escaped).
    sources : sequence of str
        Data sources listed under the heading (escaped).
    generated : str, optional
        The generation date; default: now, ``YYYY-MM-DD HH:MM``.
    failed : str, optional
        Why the run failed; shown in red under the heading.

    Raises
    ------
    ReportError
        If the HTML would load anything from the network.
    """
    if "title" in nb.metadata:  # the lab template prefers it over resources' name
        import copy

        nb = copy.deepcopy(nb)
        nb.metadata.pop("title")
    resources = {
        "metadata": {"name": heading},
        "ecopark": {
            "heading": heading,
            "sources": list(sources),
            "generated": generated or _dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
            "failed": failed or "",
        },
    }
    html, _ = exporter().from_notebook_node(nb, resources=resources)
    html = visible(html)  # a control character from a data file (pandas leaves them) is shown
    bad = external_references(html)
    if bad:
        raise ReportError(f"report would load from the network: {bad[:3]}")
    return html
