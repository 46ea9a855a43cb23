"""Charts of ecopark, in Chinese, one colour per status across every chart.

Every chart draws the tables it is given (a gap table, a what-if table, an attribution, sector
shares, a trend series, a portfolio's results) and computes nothing; it returns a :class:`matplotlib.figure.Figure`
(not managed by pyplot: in JupyterLab it displays once, as the cell's value) and takes an
optional ``ax=`` to draw into an existing axes (or ``figsize=`` for a new figure). Each chart is
built and drawn in ecopark's style (seaborn whitegrid, the CJK font) inside an
``rc_context`` (:func:`ecopark.plotting.fonts.chart_style`): Chinese renders whatever the
analyst's theme, and the analyst's matplotlib and seaborn settings are never changed;
:func:`setup` registers the font and may choose another style for ecopark's charts::

    import ecopark
    from ecopark import plotting as ep
    from ecopark.gaps import gap_table

    park = ecopark.load_park("data/nantong-etdz")
    a = ecopark.assess(park, 2021)
    fig = ep.assessment_overview(gap_table(a), a)
    ep.source_note(fig, "南通经济技术开发区 2021 年数据")
    fig.savefig("overview.png")

Charts carry no layout engine: each figure lays its text out once, in the draw of ``savefig``
(:mod:`ecopark.plotting.layout`); :func:`new_figure` makes a grid of axes laid out that way.

A report computes each table once (:class:`ecopark.reports.session.ReportSession`) and feeds them.

Status colours, order and labels come from :mod:`ecopark.status` (达标 / 临界 / 未达标 / 无法计算);
role markers: ■ 必选, ● 已选, ○ 未选.
"""

from ecopark.plotting.attribution_chart import attribution_chart
from ecopark.plotting.fonts import CJKFontNotFound, find_cjk_font, setup
from ecopark.plotting.layout import TEXT_WIDTH_IN, new_figure
from ecopark.plotting.overview import assessment_overview
from ecopark.plotting.portfolio_chart import margin_distribution
from ecopark.plotting.sector_chart import effects_note, sector_contributions
from ecopark.plotting.style import (
    ROLE_MARKERS,
    indicator_label,
    source_note,
    status_colour,
)
from ecopark.plotting.trend import trend_chart
from ecopark.plotting.whatif_chart import what_it_would_take

#: Alias that does not shadow :func:`ecopark.whatif.what_it_would_take` (the table) in a notebook.
what_it_would_take_chart = what_it_would_take

__all__ = [
    "CJKFontNotFound",
    "ROLE_MARKERS",
    "TEXT_WIDTH_IN",
    "assessment_overview",
    "attribution_chart",
    "effects_note",
    "find_cjk_font",
    "indicator_label",
    "margin_distribution",
    "new_figure",
    "sector_contributions",
    "setup",
    "source_note",
    "status_colour",
    "trend_chart",
    "what_it_would_take",
    "what_it_would_take_chart",
]
