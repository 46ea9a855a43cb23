"""Trends: an indicator's values over the years, its requirement and the fitted projection."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from ecopark.formatting import fmt
from ecopark.plotting.fonts import in_chart_style
from ecopark.plotting.layout import PAD, TEXT_WIDTH_IN, cell_width
from ecopark.plotting.style import (
    REQUIREMENT_COLOUR,
    indicator_label,
    legend_below,
    new_axes,
    status_colour,
    status_handles,
    text_width,
    wrap,
)

#: Years the projection runs past the last data year when the line never crosses the requirement.
DEFAULT_HORIZON = 5
#: The projection is drawn to the crossing year at most this many years past the last data year.
MAX_HORIZON = 15

PROJECTION_COLOUR = "#555555"
#: Size of the tick labels, the outlook under the title [pt] and of the values at the points.
LABEL_SIZE = 9.0
VALUE_SIZE = 8.0


def _point_status(row: pd.Series) -> str:
    """达标 / 临界 / 未达标 of one year's value: the engine's status, which the series carries
    (:func:`ecopark.trends.park_trends`; judged by the standard's declared rules, never again here)."""
    return str(row["status"])


@in_chart_style
def trend_chart(
    series: pd.DataFrame,
    trends: pd.DataFrame,
    number: int,
    *,
    horizon: int | None = None,
    ax: Axes | None = None,
    figsize: tuple[float, float] = (TEXT_WIDTH_IN, 4.2),
    title: str | None = None,
) -> Figure:
    """An indicator's values over the years with its requirement and the projection at its pace.

    Each year's value is a point in its status colour (达标 / 临界 / 未达标, as in every chart),
    joined by a line; the requirement is a dashed line (a step where it changes between years,
    e.g. an elasticity's branch); the straight line fitted by :func:`ecopark.trends.fit_trends`
    is drawn dotted through the data years and on to the projected crossing year (marked, with
    the outlook in words) or ``horizon`` years ahead. With too few years there is no projection
    and the chart says so. Nothing is computed here: the chart draws the two tables.

    Parameters
    ----------
    series : pandas.DataFrame
        :func:`ecopark.trends.indicator_series` of the park (any indicators).
    trends : pandas.DataFrame
        :func:`ecopark.trends.fit_trends` of ``series`` (:func:`ecopark.trends.park_trends`
        gives both).
    number : int
        HJ 274-2015 indicator number.
    horizon : int, optional
        Years to project past the last data year when there is no crossing (default 5).
    ax : matplotlib.axes.Axes, optional
        Draw into this axes; default a new figure of ``figsize`` [inches].
    title : str, optional
        Default the indicator's number and name.

    Returns
    -------
    matplotlib.figure.Figure
    """
    # their columns only: pandas deep-copies a frame's attrs (the series' rules) into every
    # column, row and frame taken from it
    series, trends = pd.DataFrame(series), pd.DataFrame(trends)
    s = series[series["number"] == number].sort_values("year").reset_index(drop=True)
    fig, ax = new_axes(ax, figsize)
    if s.empty:
        ax.text(
            0.5,
            0.5,
            f"指标 {number} 没有可计算的年份",
            ha="center",
            va="center",
            transform=ax.transAxes,
            fontsize=12,
        )
        ax.set_axis_off()
        return fig
    t = trends[trends["number"] == number]
    fit = t.iloc[0] if len(t) else None
    label, name, unit = (
        s["label"].iloc[0],
        str(s["indicator"].iloc[0]),
        str(s["unit"].iloc[0] or ""),
    )
    years = s["year"].to_numpy(int)
    values = s["value"].to_numpy(float)
    last_year = int(years.max())

    # widths [pt]: of the axes' cell (titles, legend), and about what the axes get of it
    cell = cell_width(ax) - 2 * PAD
    width = cell - 60

    # Projection span.
    end = last_year + (horizon if horizon is not None else DEFAULT_HORIZON)
    crossing = None
    if fit is not None and not pd.isna(fit["crossing_year"]):
        crossing = int(fit["crossing_year"])
        if crossing <= last_year + MAX_HORIZON:
            end = max(end, crossing + 1)
    has_fit = fit is not None and not pd.isna(fit["slope"])

    # Requirement: per data year, carried on into the projection.
    limits = s[["year", "op", "limit"]].dropna(subset=["limit"])
    if len(limits):
        ly = limits["year"].to_numpy(int)
        lv = limits["limit"].to_numpy(float)
        if has_fit or len(ly) == 1:
            ly = np.append(ly, end)
            lv = np.append(lv, lv[-1])
        ax.step(ly, lv, where="post", color=REQUIREMENT_COLOUR, ls="--", lw=1.3, zorder=2)

    ax.plot(years, values, color="#444444", lw=1.4, zorder=3)
    for y, v, (_, row) in zip(years, values, s.iterrows(), strict=True):
        # one marker per year (a Line2D: a third of the cost of a one-point scatter)
        ax.plot(
            [y],
            [v],
            linestyle="none",
            marker="o",
            markersize=math.sqrt(55),
            markerfacecolor=status_colour(_point_status(row)),
            markeredgecolor="white",
            markeredgewidth=0.8,
            zorder=4,
            gid=f"year-{int(y)}",
        )
    shown = (end if has_fit else last_year) - int(years.min()) + 1  # years on the x axis
    texts = [fmt(v, "label", 3) for v in values]
    # every year's value when they fit side by side, else every step-th back from the last
    room = max(text_width(t) for t in texts) * VALUE_SIZE + 4
    step = max(1, math.ceil(room / (width / shown)))
    for k, (y, v, text) in enumerate(zip(years, values, texts, strict=True)):
        if (len(years) - 1 - k) % step == 0:
            ax.annotate(
                text,
                (y, v),
                xytext=(0, 7),
                textcoords="offset points",
                ha="center",
                fontsize=VALUE_SIZE,
                color="#333333",
            )

    outlook = "" if fit is None else str(fit["outlook_zh"])
    if has_fit:
        xs = np.linspace(float(years.min()), float(end), 100)
        ax.plot(
            xs,
            fit["intercept"] + fit["slope"] * xs,
            color=PROJECTION_COLOUR,
            ls=":",
            lw=1.6,
            zorder=2,
        )
        if crossing is not None and crossing <= end:
            ax.axvline(crossing, color=PROJECTION_COLOUR, lw=0.8, ls="-.", zorder=1)
            ax.annotate(
                f"{crossing} 年",
                (crossing, 0.02),
                xycoords=("data", "axes fraction"),
                xytext=(-4, 0),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize=8.5,
                color=PROJECTION_COLOUR,
            )
        ax.axvspan(last_year, end, color="#f2f2f2", zorder=0)
        per_year = fmt(float(fit["slope"]), "pace", 3)
        if crossing is not None and crossing > end:
            outlook += "，超出图示范围"
        r = fit["r"]
        rate_unit = "个百分点" if unit == "%" else unit
        pace = f"（拟合速度 {per_year} {rate_unit}/年" + (
            f"，r = {fmt(float(r), 'fixed', 2)}）" if not pd.isna(r) else "）"
        )
        # on one line when it fits the axes, else the pace on a line of its own
        chars = max(10, int(cell / LABEL_SIZE))
        if text_width(outlook + pace) <= chars:
            outlook += pace
        else:
            outlook = "\n".join(wrap(part, chars) for part in (outlook, pace) if part)
    ax.set_xlim(years.min() - 0.5, (end if has_fit else last_year) + 0.5)
    # a year label (4 digits) and the space after it take about 36 pt: as many as the axes hold
    ax.xaxis.set_major_locator(MaxNLocator(nbins=max(3, int(width / 36)), integer=True))
    ax.tick_params(labelsize=LABEL_SIZE)
    ax.set_xlabel("年份")
    ax.set_ylabel(unit or "指标值")
    lines = outlook.count("\n") + 1 if outlook else 0
    ax.set_title(
        title or indicator_label(label, name, max(8, int(cell / 12) - 2), wrap_lines=True),
        fontsize=12,
        pad=6 + lines * LABEL_SIZE * 1.25,
    )
    if outlook:
        ax.text(
            0.5,
            1.015,
            outlook,
            transform=ax.transAxes,
            ha="center",
            va="bottom",
            fontsize=LABEL_SIZE,
            color="#444444",
        )

    present = {_point_status(row) for _, row in s.iterrows()}
    handles = status_handles(present)
    handles.append(Line2D([], [], color=REQUIREMENT_COLOUR, ls="--", label="考核要求"))
    if has_fit:
        handles.append(
            Line2D([], [], color=PROJECTION_COLOUR, ls=":", lw=1.6, label="线性拟合与外推")
        )
    legend_below(ax, handles, ncols=3)
    if math.isfinite(float(values.min())):
        ax.margins(y=0.15)
    return fig
