"""What a report section returns: objects that display themselves in JupyterLab and in papermill.

- :class:`Text`: a sentence or a list in Markdown. Its Markdown is HTML-escaped as a whole, so no
  text can inject HTML or script (a ``<script>`` in a note is shown, never run); text from data
  files is put in with :func:`esc` (:func:`ecopark.textsafe.md_escape`), which also escapes
  Markdown and shows control characters, so it is never formatted.
- :class:`Chart`: a figure, rendered once to SVG at its own size (text kept as text in the
  chart's Chinese font, coordinates rounded to 0.01 pt), with a Chinese alt text, and closed.
- :class:`Table`: a report table as plain semantic HTML (``<thead>``, no index column): text left,
  numbers right, status words on their colour, failing rows marked; every cell escaped, never
  shortened. The report stylesheet (``templates/report``) draws its borders.
- :class:`Meta`: what the report is about (park, year, standard, data files and their
  checksum), shown as one line and read back by the HTML export for the running header and the
  footer.
- :class:`Section`: texts, charts and tables shown one after another; ``None`` parts are skipped
  and a pandas DataFrame is shown as a :class:`Table`.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from ecopark.display import status_css
from ecopark.status import STATUS_ZH
from ecopark.textsafe import md_escape as esc
from ecopark.textsafe import visible

__all__ = ["META_MIME", "Chart", "Meta", "Section", "Table", "Text", "esc", "texts"]

#: The MIME type of a report's :class:`Meta` in a notebook's outputs.
META_MIME = "application/vnd.ecopark.report+json"

#: The status labels a table cell may hold, by their code.
_STATUS_CODE = {zh: code for code, zh in STATUS_ZH.items()} | {c: c for c in STATUS_ZH}

#: A cell that is a number as the reports write it: 1,058.66 · −2.5% · +0.2032 · 0.50(+) · —.
_NUMERIC = re.compile(r"[+\-−]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?(%|\([+−-]\))?|—")

#: Numbers inside SVG path data and positions: kept to 2 decimals (0.01 pt).
_SVG_COORD = re.compile(r"(\d+\.\d\d)\d+")
_SVG_NUMERIC_ATTR = re.compile(r'\b(d|x|y|transform|points)="([^"]*)"')


class Text:
    """Markdown that displays itself, HTML-escaped (``text`` is the Markdown source)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_markdown_(self) -> str:
        return html.escape(self.text, quote=False)

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


class Chart:
    """A figure that displays itself once as SVG (saved at its own size, then closed).

    Text stays text (``svg.fonttype: none``) in the font the chart was laid out with, followed
    by the report's Chinese font stack, so the chart is small and its Chinese is selectable
    and found by ``pdftotext``. The charts lay themselves out in the one draw of ``savefig``
    (:mod:`ecopark.plotting.layout`); the inline backend's ``bbox_inches="tight"`` would draw
    every figure twice.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The chart; closed once rendered.
    alt : str
        What the chart shows, in Chinese (the SVG's ``<title>`` and ``aria-label``); default:
        the titles of its axes.
    """

    def __init__(self, figure: Any, alt: str = "") -> None:
        import matplotlib as mpl
        import matplotlib.pyplot as plt

        self.figure = figure
        self.alt = alt or "；".join(t for ax in figure.axes if (t := ax.get_title())) or "图表"
        buf = io.BytesIO()
        with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "ecopark"}):
            figure.savefig(buf, format="svg", metadata={"Date": None})
        plt.close(figure)
        self.svg = _compact_svg(buf.getvalue().decode("utf-8"), self.alt, _font_stack())

    def _repr_svg_(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        return f"<Chart {self.figure.get_figwidth():g}×{self.figure.get_figheight():g} in>"


#: The Chinese fonts a reader's browser is likely to have, after the chart's own.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "PingFang SC",
    "Microsoft YaHei",
    "SimHei",
)


def _font_stack() -> str:
    """The chart's font family (the CJK font matplotlib laid it out with) and the fallbacks."""
    from ecopark.plotting import find_cjk_font

    found = find_cjk_font()
    families = ([found[1]] if found else []) + [f for f in CJK_FONTS if not found or f != found[1]]
    return ", ".join(f"'{f}'" for f in families) + ", sans-serif"


def _compact_svg(svg: str, alt: str, fonts: str) -> str:
    """matplotlib's SVG as an inline ``<svg>``: no XML prolog or metadata, coordinates to 0.01,
    one font stack, and ``alt`` as its ``<title>`` and ``aria-label`` (escaped)."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.DOTALL)
    svg = _SVG_NUMERIC_ATTR.sub(_rounded, svg)
    svg = re.sub(r"font-family: [^;\"]*", "font-family: " + fonts, svg)
    svg = re.sub(r"\n\s*", "\n", svg)
    label = html.escape(alt)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1).replace(
        ">", f"><title>{label}</title>", 1
    )


def _rounded(m: re.Match[str]) -> str:
    return m.group(1) + '="' + _SVG_COORD.sub(r"\1", m.group(2)) + '"'


class Table:
    """A report table as plain HTML: no index, text left, numbers right, status on its colour.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as it is to be read: cells already worded and formatted (one precision rule
        per column, :mod:`ecopark.reports.narrative`); a named index is shown as the first
        column, an unnamed one not at all.
    status : str or sequence of str, optional
        The column (or columns, e.g. one per standard side by side) of status labels (达标 /
        临界 / 未达标 / 无法计算, or their codes); default ``状态`` when there is one. Their
        cells get their colour and a row the class ``fail`` when one of them is 未达标
        (else ``at_risk`` when one is 临界).
    numeric : sequence of str, optional
        Columns aligned right; default: every column whose cells all read as numbers.
    caption : str, optional
        A caption above the table.

    Every cell is escaped and shown whole (no ``…``).
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        status: str | Sequence[str] | None = None,
        numeric: Sequence[str] | None = None,
        caption: str = "",
    ) -> None:
        named = any(name is not None for name in frame.index.names)
        self.frame = frame.reset_index() if named else frame.reset_index(drop=True)
        columns = [str(c) for c in self.frame.columns]
        if status is None:
            status = ["状态"] if "状态" in columns else []
        #: The columns of status labels.
        self.status = [status] if isinstance(status, str) else list(status)
        if numeric is None:
            numeric = [c for c in columns if _all_numeric(self.frame[c])]
        self.numeric = set(numeric)
        #: Columns of short words (类别, 单位), kept on one line.
        self.short = {c for c in columns if self.frame[c].map(lambda v: len(str(v))).max() <= 6}
        self.caption = caption

    def to_html(self) -> str:
        """The table's HTML: ``<table class="eco-table">`` with a ``<thead>`` (repeated on every
        printed page) and one ``<tr>`` per row."""
        columns = [str(c) for c in self.frame.columns]
        num = [c in self.numeric for c in columns]
        head = "".join(
            ("<th class='num'>" if n else "<th>") + _cell(c) + "</th>"
            for c, n in zip(columns, num, strict=True)
        )
        rows = []
        for values in self.frame.itertuples(index=False, name=None):
            cells = []
            row_status = ""
            for c, n, v in zip(columns, num, values, strict=True):
                if c in self.status and isinstance(v, str):
                    code = _STATUS_CODE.get(v, "")
                    if row_status != "fail" and code in ("fail", "at_risk"):
                        row_status = code
                    label = STATUS_ZH.get(v, v)
                    cells.append(
                        f'<td class="st {code}" style="{status_css(code)}">{_cell(label)}</td>'
                    )
                else:
                    cls = _cell_class(v, n, c in self.short)
                    cells.append(f"<td{cls}>{_cell(v)}</td>")
            cls = f' class="{row_status}"' if row_status in ("fail", "at_risk") else ""
            rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
        caption = f"<caption>{_cell(self.caption)}</caption>" if self.caption else ""
        return (
            f'<table class="eco-table">{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return f"<Table {len(self.frame)}×{len(self.frame.columns)}: {', '.join(map(str, self.frame.columns))}>"


def _cell_class(value: object, numeric_column: bool, short: bool) -> str:
    """A cell's class: ``num`` (right) for a number, ``nw`` (one line) for a short word."""
    number = numeric_column or (isinstance(value, str) and bool(_NUMERIC.fullmatch(value)))
    number = number or (isinstance(value, (int, float)) and not isinstance(value, bool))
    names = [n for n, on in (("num", number), ("nw", short and not number)) if on]
    return f' class="{" ".join(names)}"' if names else ""


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return html.escape(visible(value), quote=False).replace("\n", "<br>")


def _all_numeric(column: pd.Series) -> bool:
    cells = [c for c in column if c is not None and str(c) != ""]
    if not cells:
        return False
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
        return True
    return all(isinstance(c, str) and _NUMERIC.fullmatch(c) for c in cells) and any(
        c != "—" for c in cells
    )


class Meta:
    """What a report is about, shown as one line and carried as :data:`META_MIME` JSON.

    Parameters
    ----------
    fields : mapping
        ``park`` (Chinese name), ``park_id``, ``year``, ``standard`` (its code),
        ``version`` (ecopark's), ``files`` (the data files read, relative to the data folder)
        and ``sha256`` (of their names and bytes, 12 hex digits).
    """

    def __init__(self, fields: Mapping[str, Any]) -> None:
        self.fields = dict(fields)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {META_MIME: self.fields, "text/plain": repr(self)}

    def __repr__(self) -> str:
        f = self.fields
        return f"<Report {f.get('park_id')} {f.get('year')} {f.get('standard')}: sha256 {f.get('sha256')}>"


class Section:
    """Texts, charts and tables shown in order (``None`` and empty texts are skipped; a
    DataFrame is shown as a :class:`Table`)."""

    def __init__(self, *parts: Text | Chart | Table | pd.DataFrame | None) -> None:
        self.parts = [
            Table(p) if isinstance(p, pd.DataFrame) else p
            for p in parts
            if p is not None and not (isinstance(p, Text) and not p)
        ]

    def _ipython_display_(self) -> None:
        from IPython.display import display

        for part in self.parts:
            display(part)

    def __repr__(self) -> str:
        return "\n\n".join(repr(p) for p in self.parts)


def texts(lines: Iterable[str]) -> list[Text]:
    """One :class:`Text` per line (each its own paragraph or list item, as the notebooks show them)."""
    return [Text(line) for line in lines]
