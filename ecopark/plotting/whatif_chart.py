"""What it would take: per failing or at-risk indicator, the change of one item that decides it."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, NullLocator
from matplotlib.transforms import blended_transform_factory

from ecopark.assessment import Assessment
from ecopark.formatting import fmt, shorten
from ecopark.plotting.fonts import in_chart_style
from ecopark.plotting.layout import TEXT_WIDTH_IN, cell_width
from ecopark.plotting.style import (
    indicator_label,
    legend_below,
    new_axes,
    status_colour,
    text_width,
    wrap,
)

#: Widest line of the right-hand column [Chinese characters]: a longer text takes two lines.
TEXT_CHARS = 17
#: Size of the item names, the indicators' headings [pt] and of the right-hand column.
LABEL_SIZE = 9.0
TEXT_SIZE = 8.5

#: Changes [%] are drawn on a symmetric-log axis, linear within ±LINTHRESH: the solver can ask for
#: −29 % and for +342,931 % (Nantong 12: renewable energy) in one chart.
LINTHRESH = 10.0


def _pct_tick(x: float, _pos: object = None) -> str:
    if x == 0:
        return "0"
    return fmt(x, "pct", 0)


def _ticks(left: float, right: float) -> list[float]:
    """0, ±100 %, and ±10 % with 1,000 % on a short axis, or every other decade from 10,000 %
    up to ``right`` on a long one: labels that do not collide at a report's text width."""
    top = right * 1.5
    ticks = [0.0, -100.0, 100.0]
    if top < 1e4:
        ticks += [LINTHRESH, -LINTHRESH] + ([1000.0] if top >= 1000 else [])
    decade = 1e4
    while decade <= top:
        ticks.append(decade)
        decade *= 100.0
    return sorted(t for t in ticks if left * 1.05 <= t <= max(right * 2.5, 100.0))


def _change_text(row: pd.Series) -> str:
    """``690,541 → 490,620 吨（−29.0%）`` or the reason it cannot be reached, in at most two
    lines of :data:`TEXT_CHARS` (the change in % on the second line of a long text)."""
    unit = row["item_unit"] or ""
    if not bool(row["reachable"]):
        reason = shorten(str(row["reason_zh"] or ""), 2 * TEXT_CHARS - 6)
        return wrap("无法达到：" + reason, TEXT_CHARS)
    now = fmt(row["item_value"], "label")
    need = fmt(row["required_value"], "label")
    change = row["required_change_pct"]
    pct = "" if change is None or pd.isna(change) else f"（{fmt(float(change), 'pct', 1)}）"
    text = f"{now} → {need} {unit}"
    return text + ("\n" if pct and text_width(text + pct) > TEXT_CHARS else "") + pct


@in_chart_style
def what_it_would_take(
    whatif: pd.DataFrame,
    gaps: pd.DataFrame,
    assessment: Assessment,
    numbers: Iterable[int] | None = None,
    *,
    ax: Axes | None = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
) -> Figure:
    """The change of each single raw item that would make an indicator meet (or lose) its limit.

    For every failing or at-risk indicator (or ``numbers``), one bar per raw item the indicator
    reads in the evaluation year: the change [%] of that item alone, every other item unchanged,
    from :func:`ecopark.whatif.what_it_would_take` (solved on the engine's own formula; the chart
    draws the table it is given and computes nothing). Bars take
    the indicator's status colour; a failing indicator's bar is what it takes to pass, an at-risk
    indicator's bar is how far the item may move before the indicator fails. Items that cannot
    reach the requirement are marked ✕ with the reason. The right-hand column gives current →
    required value with the unit. The axis is symmetric-log beyond ±10 %.

    Parameters
    ----------
    whatif : pandas.DataFrame
        :func:`ecopark.whatif.what_it_would_take` of ``assessment``.
    gaps : pandas.DataFrame
        :func:`ecopark.gaps.gap_table` of ``assessment`` (each indicator's heading: name, value,
        requirement, status).
    assessment : Assessment
        The park-year both tables are of: its park name and year title the chart.
    numbers : iterable of int, optional
        Only these indicators of ``whatif`` (default: all of its rows).
    ax : matplotlib.axes.Axes, optional
        Draw into this axes; default a new figure.
    figsize : (float, float), optional
        Size of a new figure [inches].
    title : str, optional
        Default ``"<园区> <年> 年：单项数据需变化多少才能达标"``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    Nantong 2021, indicator 28: solid waste 690,541 → 490,620 吨 (−29.0 %) or value added
    4,906,200 → 6,905,407 万元 (+40.7 %).
    """
    w = whatif
    if numbers is not None:
        wanted = list(numbers)
        w = w[w["number"].isin(wanted)]
    order = {n: i for i, n in enumerate(gaps["number"])}  # the standard's order
    w = w.sort_values("number", kind="stable", key=lambda s: s.map(order)).reset_index(drop=True)
    g = gaps.set_index("number")

    # Rows: a heading per indicator (across the chart, from the items' left), then its items.
    labels: list[str] = []  # the y tick labels: the items' names, "" on a heading's row
    heads: list[tuple[int, str, str]] = []  # (y, heading, status)
    rows: list[tuple[int, pd.Series]] = []  # (y, row)
    for number, sub in w.groupby("number", sort=False):  # w is in the standard's order
        head = indicator_label(g.at[number, "label"], str(g.at[number, "indicator"]), 20)
        head += f"（{g.at[number, 'display']}，要求 {g.at[number, 'requirement']}）"
        heads.append((len(labels), head, str(g.at[number, "status"])))
        labels.append("")
        for _, row in sub.iterrows():
            rows.append((len(labels), row))
            labels.append(shorten(str(row["item_zh"]), 16))
    n = len(labels)
    fig, ax = new_axes(ax, figsize or (TEXT_WIDTH_IN, 1.6 + 0.34 * max(n, 3)))
    if n == 0:
        ax.text(
            0.5,
            0.5,
            "没有未达标或临界的指标",
            ha="center",
            va="center",
            transform=ax.transAxes,
            fontsize=12,
        )
        ax.set_axis_off()
        ax.set_title(title or f"{assessment.config.name} {assessment.year} 年：无需求解的指标")
        return fig

    changes = np.array(
        [
            float(r["required_change_pct"])
            if r["required_change_pct"] is not None and not pd.isna(r["required_change_pct"])
            else np.nan
            for _, r in rows
        ]
    )
    ys = np.array([y for y, _ in rows])
    colours = [status_colour(str(r["status"])) for _, r in rows]
    ok = ~np.isnan(changes)
    bars = ax.barh(
        ys[ok], changes[ok], color=np.array(colours, dtype=object)[ok], height=0.62, zorder=2
    )
    for bar, (_, r) in zip(bars, [rows[i] for i in np.flatnonzero(ok)], strict=True):
        bar.set_gid(f"indicator-{r['number']}-{r['item']}")
    for (y, r), ch in zip(rows, changes, strict=True):
        if ch == 0:
            ax.plot(
                [0],
                [y],
                marker="D",
                markersize=5,
                color=status_colour(str(r["status"])),
                linestyle="none",
                zorder=3,
            )
        if math.isnan(ch):
            unreachable = not bool(r["reachable"])
            ax.plot(
                [0],
                [y],
                marker="X" if unreachable else "D",
                markersize=8,
                color=status_colour("fail") if unreachable else "#666666",
                linestyle="none",
                zorder=3,
            )
    ax.axvline(0, color="#222222", lw=1, zorder=2)
    ax.set_xscale("symlog", linthresh=LINTHRESH, linscale=1.2)
    finite = changes[ok]
    right = max(100.0, float(finite.max()) if finite.size else 0.0)
    left = min(-100.0, float(finite.min()) if finite.size else 0.0)
    ax.set_xlim(left * 1.05, right * 2.5 if right > LINTHRESH else right * 1.15)
    ax.set_xticks(_ticks(left, right))
    ax.tick_params(axis="x", labelsize=LABEL_SIZE)
    ax.xaxis.set_major_formatter(FuncFormatter(_pct_tick))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_ylim(n - 0.5, -0.6)
    ax.set_yticks(range(n), labels, fontsize=LABEL_SIZE)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="y", visible=False)
    # a heading starts where the widest item name does (the tick labels are right-aligned)
    pad = ax.yaxis.majorTicks[0].get_pad() if n else 0.0
    indent = max([text_width(t) for t in labels] + [4.0]) * LABEL_SIZE + pad
    for y, head, status in heads:
        if y > 0:
            ax.axhline(y - 0.5, color="#bbbbbb", lw=0.8, zorder=1)
        ax.annotate(
            head,
            (0, y),
            xycoords=blended_transform_factory(ax.transAxes, ax.transData),
            xytext=(-indent, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=LABEL_SIZE,
            color=status_colour(status),
            annotation_clip=False,
            zorder=4,
            gid=f"heading-{status}",
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},  # over the zero line
        )
    ax.set_xlabel("该项数据单独变化的幅度（%，其余数据不变）\n±10% 以外按对数刻度", fontsize=10)

    trans = blended_transform_factory(ax.transAxes, ax.transData)
    ax.annotate(
        "现值 → 所需值",
        (1, 0),  # on the first heading's row, the column empty there (the title is above)
        xycoords=trans,
        xytext=(10, 0),
        textcoords="offset points",
        ha="left",
        va="center",
        fontsize=TEXT_SIZE,
        color="#555555",
        annotation_clip=False,
    )
    for y, r in rows:
        text = _change_text(r)
        ax.annotate(
            text,
            (1, y),
            xycoords=trans,
            xytext=(10, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=TEXT_SIZE,
            linespacing=1.1,
            annotation_clip=False,
            color=status_colour("fail") if not bool(r["reachable"]) else "#222222",
        )

    legend_text = {"fail": "未达标：达到要求所需的变化", "at_risk": "临界：失去达标前可容许的变化"}
    handles = [
        Patch(facecolor=status_colour(s), edgecolor="none", label=legend_text[s])
        for s in ("fail", "at_risk")
        if s in set(w["status"])
    ]
    if not bool(w["reachable"].all()):
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="X",
                markersize=8,
                color=status_colour("fail"),
                label="仅调整该项无法达到",
            )
        )
    legend_below(ax, handles, ncols=len(handles), fontsize=9)
    heading = title or f"{assessment.config.name} {assessment.year} 年：单项数据需变化多少才能达标"
    ax.set_title(
        wrap(heading, int(cell_width(ax) / 13 * 0.8)),  # a long park name: two lines
        fontsize=13,
        y=1.0,  # where it would be placed (categorical ticks: no offset text), fixed
    )
    return fig
