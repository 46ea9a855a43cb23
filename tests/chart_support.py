"""The report's charts of a park-year, drawn once per test process, and what their one draw did.

A report chart is a :class:`ecopark.reports.display.Chart`: its figure is laid out and drawn
once, to SVG, when the chart is made. :func:`report_charts` makes the charts of a park-year as
a report session does and, while each is drawn, measures every text it draws with the renderer
of that draw, at that draw's dpi: the boxes the SVG has, without drawing the figure again.
The tests of the charts' layout and of their printed size share them (one test checks both,
:func:`assert_prints_at_its_own_size`), and the report session (:func:`report_session`) whose
tables they draw (``functools.cache``).
"""

from __future__ import annotations

import functools
import re
import warnings
from dataclasses import dataclass
from typing import Any
from unittest import mock

import matplotlib as mpl
import pytest
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from ecopark.plotting.layout import TEXT_WIDTH_IN, ChartFigure
from reports_support import DATA

#: The report charts a session draws (each a ReportSession method returning a Chart or a Text).
REPORT_CHARTS = (
    "overview_chart",
    "whatif_chart",
    "attribution_chart",
    "sector_chart",
    "trend_charts",
)
#: Smallest text a report prints [pt]: the charts' value labels (8 pt) and the page footer (8.5).
SMALLEST_PT = 8.0


@dataclass(frozen=True)
class Drawn:
    """What one draw of a figure drew, measured in that draw (display units of its renderer).

    Attributes
    ----------
    dpi : float
        The figure's dpi in the draw [dots per inch] (72 for SVG: the units are points).
    figure : Bbox
        The figure's box.
    axes : list of Bbox
        The boxes of the visible axes.
    texts : list of (str, Bbox)
        Every visible text with something to show that was drawn, and its box (tick labels
        of ticks beyond the view limits are kept by matplotlib but not drawn: left out).
    """

    dpi: float
    figure: Bbox
    axes: list[Bbox]
    texts: list[tuple[str, Bbox]]


def measure(fig: Any, renderer: Any) -> Drawn:
    """Every drawn text of ``fig`` and its box, as ``renderer`` (the draw's) lays them out."""
    undrawn = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            slack = (hi - lo) * 1e-9
            for tick in axis.get_major_ticks():
                if not lo - slack <= tick.get_loc() <= hi + slack:
                    undrawn |= {tick.label1, tick.label2}
    texts = [
        (t.get_text(), t.get_window_extent(renderer).frozen())
        for t in fig.findobj(mpl.text.Text)
        if t.get_visible() and t.get_text().strip() and t not in undrawn
    ]
    axes = [ax.get_window_extent(renderer).frozen() for ax in fig.axes if ax.get_visible()]
    return Drawn(fig.dpi, fig.bbox.frozen(), axes, texts)


@dataclass(frozen=True)
class ReportChart:
    """A report chart (or the Text said instead), the warnings made while making it, and what
    each draw of its figure drew (one, the SVG's, for a Chart)."""

    name: str
    shown: Any
    caught: list[warnings.WarningMessage]
    draws: list[Drawn]


@functools.cache
def report_session(park: str, year: int) -> Any:
    """The report session of ``park`` in ``year`` (bundled data): each analysis computed once
    per process, for the report's charts and for the tests that draw a chart of its tables."""
    from ecopark.reports.session import open_report

    return open_report(park, year, str(DATA))


@functools.cache
def report_charts(park: str, year: int) -> tuple[ReportChart, ...]:
    """The :data:`REPORT_CHARTS` of ``park`` in ``year`` (bundled data), each made once."""
    report = report_session(park, year)
    draws: dict[int, list[Drawn]] = {}
    draw = Figure.draw

    def draw_and_measure(fig: Figure, renderer: Any) -> None:
        # inside ChartFigure.draw (its super().draw): measured in its style, with the layouts
        # its draw made (no text laid out again; the boxes are the same as after the draw)
        draw(fig, renderer)
        if isinstance(fig, ChartFigure):
            draws.setdefault(id(fig), []).append(measure(fig, renderer))

    out = []
    with mock.patch.object(Figure, "draw", draw_and_measure):
        for name in REPORT_CHARTS:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                shown = getattr(report, name)()
            fig = getattr(shown, "figure", None)
            out.append(ReportChart(name, shown, caught, draws.get(id(fig), [])))
    return tuple(out)


def svg_width_pt(svg: str) -> float:
    """The width [pt] an SVG of matplotlib declares."""
    return float(re.search(r'<svg[^>]*\bwidth="([\d.]+)pt"', svg).group(1))


def _svg_font_sizes(svg: str) -> list[float]:
    """Every font size [pt] of the chart's texts (matplotlib writes them as ``font: 9px``
    in the SVG's user units, which are points)."""
    return [float(v) for v in re.findall(r"font(?:-size)?:\s*(?:[a-z-]+\s+)*([\d.]+)px", svg)]


def assert_prints_at_its_own_size(chart: Any, where: object) -> None:
    """A report chart (a :class:`ecopark.reports.display.Chart`) is drawn at the text width
    of A4 and shown at that width (scale 1: its 9 pt labels print at 9 pt), prints no text
    smaller than :data:`SMALLEST_PT`, and is short enough to print with its heading on an A4
    page (259 mm of text). ``where`` names the chart in a failure."""
    assert chart.figure.get_figwidth() == pytest.approx(TEXT_WIDTH_IN), where
    # shown at its own width: the page neither narrows nor widens it (scale 1)
    assert svg_width_pt(chart.svg) == pytest.approx(TEXT_WIDTH_IN * 72, abs=0.01), where
    sizes = _svg_font_sizes(chart.svg)
    assert sizes and min(sizes) >= SMALLEST_PT, (where, sorted(set(sizes)))
    # and short enough to print with its heading on an A4 page (259 mm of text)
    assert chart.figure.get_figheight() * 25.4 < 259 - 15, where
