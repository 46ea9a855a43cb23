"""Attribution: a waterfall of the additive LMDI-I effects behind an indicator's change."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ecopark.formatting import fmt
from ecopark.lmdi import NEW_ACTIVITY
from ecopark.plotting.fonts import in_chart_style
from ecopark.plotting.layout import TEXT_WIDTH_IN
from ecopark.plotting.style import (
    LEVEL_COLOUR,
    REQUIREMENT_COLOUR,
    indicator_label,
    legend_below,
    new_axes,
    status_colour,
    status_label,
    wrap,
)
from ecopark.standard.model import Limit

#: Effects that move the indicator toward / away from its requirement (Okabe–Ito blue and
#: reddish purple: not status colours, an effect is not a verdict).
TOWARD_COLOUR = "#0072B2"
AWAY_COLOUR = "#CC79A7"


def factor_label(label: str, width: int = 9) -> str:
    """An attribution's ``label`` as a tick label: ``"分子：综合能耗总量"`` -> ``"分子：\\n综合能耗总量"``."""
    if label == NEW_ACTIVITY:
        return "新增/退出\n活动"
    text = str(label).strip()
    head, sep, rest = text.partition("：")
    if sep:
        return head + sep + "\n" + wrap(rest, width)
    return wrap(text, width)


def _level(gaps: pd.DataFrame, number: int) -> tuple[str, Limit | None]:
    """(status, limit) of indicator ``number`` in a gap table (the limit as the engine chose it)."""
    row = gaps.loc[gaps["number"] == number].iloc[0]
    op = row["op"]
    limit = None if not isinstance(op, str) else Limit(op, row["limit"])
    return str(row["status"]), limit


@in_chart_style
def attribution_chart(
    attribution: pd.DataFrame,
    number: int,
    gaps_from: pd.DataFrame,
    gaps_to: pd.DataFrame,
    *,
    ax: Axes | None = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
) -> Figure:
    """Waterfall of an indicator's change between two years: from_value → effects → to_value.

    The additive effects are the rows of ``attribution`` (:func:`ecopark.attribution.attribute`,
    LMDI-I, exact: they add up to ``to_value − from_value``). The first and last bars are the
    indicator's values, in the status colour of their year (达标 / 临界 / 未达标); a start value
    with no status (the neutral reference 0 of an indicator defined by the change since the base
    year) is grey. Each effect floats between them, blue when it moves the indicator toward its
    requirement, purple when away, labelled with its size and its multiplicative factor (×D). The
    requirement of the end year is a dashed line. Nothing is computed here.

    Parameters
    ----------
    attribution : pandas.DataFrame
        :func:`ecopark.attribution.attribute` between two years (any indicators); its
        ``attrs`` give the years (``year_from``, ``year_to``) and why an indicator was skipped.
    number : int
        HJ 274-2015 indicator number.
    gaps_from, gaps_to : pandas.DataFrame
        :func:`ecopark.gaps.gap_table` of the start and the end year (status and limit of each
        level; the name and the unit of the indicator).
    ax : matplotlib.axes.Axes, optional
        Draw into this axes; default a new figure.
    figsize : (float, float), optional
        Size of a new figure [inches]; default a report's text width
        (:data:`~ecopark.plotting.layout.TEXT_WIDTH_IN`) and 3.9 tall.
    title : str, optional
        Default ``"<号> <名称>：<年>→<年> 变化的分解"``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    Nantong 11 (单位工业增加值综合能耗), 2015 → 2021: 0.611 → 0.402 吨标煤/万元, energy −0.0053,
    value added −0.2032.
    """
    t = attribution
    year_from, year_to = int(t.attrs["year_from"]), int(t.attrs["year_to"])
    rows = t[t["number"] == number].reset_index(drop=True)
    ind = gaps_to.loc[gaps_to["number"] == number].iloc[0]
    name, unit = str(ind["indicator"]), ind["unit"]
    fig, ax = new_axes(ax, figsize or (TEXT_WIDTH_IN, 3.9))
    heading = title or (
        f"{indicator_label(ind['label'], name, 26, wrap_lines=True)}：{year_from}→{year_to} 年变化的分解"
    )
    if rows.empty:
        skipped = [s for s in t.attrs.get("skipped", []) if s.get("number") == number]
        reason = skipped[0]["reason"] if skipped else "没有可分解的数据"
        ax.text(
            0.5,
            0.5,
            wrap(f"无法分解：{reason}", 36),
            ha="center",
            va="center",
            transform=ax.transAxes,
            fontsize=11,
        )
        ax.set_axis_off()
        ax.set_title(heading, fontsize=12)
        return fig

    v0 = float(rows["from_value"].iloc[0])
    v1 = float(rows["to_value"].iloc[0])
    effects = rows["effect"].to_numpy(float)
    ratios = rows["factor_ratio"].to_numpy(float)
    status1, limit1 = _level(gaps_to, number)
    status0: str | None = _level(gaps_from, number)[0]
    reference = status0 == "not_computable"  # decomposed from the neutral reference 0
    if reference:
        status0 = None
    op = getattr(limit1, "op", None)
    better_up = {">=": True, "<=": False}.get(op)

    k = len(rows)
    x = np.arange(k + 2)
    starts = v0 + np.concatenate([[0.0], np.cumsum(effects)[:-1]])
    colours = []
    for e in effects:
        if better_up is None:
            colours.append(TOWARD_COLOUR if e < 0 else AWAY_COLOUR)
        else:
            colours.append(TOWARD_COLOUR if (e > 0) == better_up else AWAY_COLOUR)
    c0 = LEVEL_COLOUR if status0 is None else status_colour(status0)
    ax.bar(x[0], v0, color=c0, width=0.62, zorder=2, gid=f"level-{year_from}")
    bars = ax.bar(x[1:-1], effects, bottom=starts, color=colours, width=0.62, zorder=2)
    for bar, label in zip(bars, rows["label"], strict=True):
        bar.set_gid(f"effect-{label}")
    ax.bar(x[-1], v1, color=status_colour(status1), width=0.62, zorder=2, gid=f"level-{year_to}")
    # connectors
    levels = np.concatenate([[v0], starts + effects])
    for i in range(k + 1):
        ax.plot(
            [x[i] + 0.31, x[i + 1] - 0.31],
            [levels[i], levels[i]],
            color="#777777",
            lw=0.8,
            zorder=1,
        )
    ax.axhline(0, color="#222222", lw=0.8, zorder=1)

    def put(xi: float, y: float, text: str, above: bool) -> None:
        ax.annotate(
            text,
            (xi, y),
            xytext=(0, 3 if above else -3),
            textcoords="offset points",
            ha="center",
            va="bottom" if above else "top",
            fontsize=8.5,
            color="#222222",
            zorder=4,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
        )

    put(x[0], v0, fmt(v0, "label"), v0 >= 0)
    put(x[-1], v1, fmt(v1, "label"), v1 >= 0)
    for i, (e, r) in enumerate(zip(effects, ratios, strict=True)):
        text = fmt(e, "pace", 3)
        if not np.isnan(r):
            text += f"（×{fmt(r, 'label', 3)}）"
        put(
            x[i + 1],
            max(starts[i], starts[i] + e) if e >= 0 else min(starts[i], starts[i] + e),
            text,
            e >= 0,
        )

    if limit1 is not None and not isinstance(getattr(limit1, "value", None), str):
        ax.axhline(float(limit1.value), color=REQUIREMENT_COLOUR, ls="--", lw=1.2, zorder=3)

    first = f"{year_from} 年" + ("\n(基准年参照)" if reference else "")
    labels = [first] + [factor_label(f) for f in rows["label"]] + [f"{year_to} 年"]
    ax.set_xticks(x, labels, fontsize=9)
    ax.set_xlim(-0.6, k + 1.6)
    marks = [0.0, *levels]
    if limit1 is not None and not isinstance(getattr(limit1, "value", None), str):
        marks.append(float(limit1.value))
    lo, hi = min(marks), max(marks)
    room = (hi - lo) or abs(hi) or 1.0
    ax.set_ylim(lo - (0.14 * room if lo < 0 else 0), hi + (0.14 * room if hi > 0 else 0.02 * room))
    ax.grid(axis="x", visible=False)
    ax.set_ylabel(unit or "指标值")
    ax.set_title(heading, fontsize=12)

    handles: list = []
    if status0 is None:
        handles.append(Patch(color=LEVEL_COLOUR, label="基准年参照（0）"))
    elif status0 == status1:
        handles.append(Patch(color=c0, label=f"{year_from}、{year_to} 年：{status_label(status0)}"))
    else:
        handles.append(Patch(color=c0, label=f"{year_from} 年：{status_label(status0)}"))
    if status0 != status1:
        handles.append(
            Patch(color=status_colour(status1), label=f"{year_to} 年：{status_label(status1)}")
        )
    if TOWARD_COLOUR in colours:
        handles.append(Patch(color=TOWARD_COLOUR, label="趋向达标的影响"))
    if AWAY_COLOUR in colours:
        handles.append(Patch(color=AWAY_COLOUR, label="背离达标的影响"))
    if limit1 is not None and not isinstance(getattr(limit1, "value", None), str):
        handles.append(
            Line2D([], [], color=REQUIREMENT_COLOUR, ls="--", label=f"考核要求 {limit1.text}")
        )
    legend_below(
        ax,
        handles,
        ncols=min(4, len(handles)),
        rows_of_ticks=max(t.count("\n") + 1 for t in labels),
    )
    return fig
