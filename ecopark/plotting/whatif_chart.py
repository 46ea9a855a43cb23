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
from ecopark.formatting import fmt
from ecopark.plotting.fonts import in_chart_style
from ecopark.plotting.style import (
    indicator_label,
    legend_below,
    new_axes,
    shorten,
    status_colour,
)

#: Changes [%] are drawn on a symmetric-log axis, linear within ±LINTHRESH: the solver can ask for
#: −29 % and for +342,931 % (Nantong 12: renewable energy) in one chart.
LINTHRESH = 10.0


def _pct_tick(x: float, _pos: object = None) -> str:
    if x == 0:
        return "0"
    return fmt(x, "pct", 0)


def _ticks(left: float, right: float) -> list[float]:
    """0, ±10 %, ±100 %, then every other decade up to ``right`` (labels do not collide)."""
    ticks = [0.0, LINTHRESH, -LINTHRESH, -100.0, 100.0]
    decade = 1000.0
    while decade <= right * 1.5:
        ticks.append(decade)
        decade *= 100.0
    return sorted(t for t in ticks if left * 1.05 <= t <= max(right * 2.5, 100.0))


def _change_text(row: pd.Series) -> str:
    """``690,541 → 490,620 吨（−29.0%）`` or the reason it cannot be reached."""
    unit = row["item_unit"] or ""
    if not bool(row["reachable"]):
        return "无法达到：" + shorten(str(row["reason_zh"] or ""), 34)
    now = fmt(row["item_value"], "label")
    need = fmt(row["required_value"], "label")
    change = row["required_change_pct"]
    pct = "" if change is None or pd.isna(change) else f"（{fmt(float(change), 'pct', 1)}）"
    return f"{now} → {need} {unit}{pct}"


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

    # Rows: a heading per indicator, then its items.
    labels: list[str] = []
    label_colours: list[str] = []
    rows: list[tuple[int, pd.Series]] = []  # (y, row)
    for number, sub in w.groupby("number", sort=False):  # w is in the standard's order
        status = str(g.at[number, "status"])
        head = indicator_label(number, str(g.at[number, "indicator"]), 20)
        head += f"（{g.at[number, 'display']}，要求 {g.at[number, 'requirement']}）"
        labels.append(head)
        label_colours.append(status_colour(status))
        for _, row in sub.iterrows():
            rows.append((len(labels), row))
            labels.append("    " + shorten(str(row["item_zh"]), 16))
            label_colours.append("#222222")
    n = len(labels)
    fig, ax = new_axes(ax, figsize or (11.5, 1.8 + 0.34 * max(n, 3)))
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
    ax.xaxis.set_major_formatter(FuncFormatter(_pct_tick))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_ylim(n - 0.5, -0.7)
    ax.set_yticks(range(n), labels, fontsize=9)
    for tick, colour in zip(ax.get_yticklabels(), label_colours, strict=True):
        tick.set_color(colour)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="y", visible=False)
    for y, label in enumerate(labels):
        if not label.startswith(" ") and y > 0:
            ax.axhline(y - 0.5, color="#bbbbbb", lw=0.8, zorder=1)
    ax.set_xlabel("该项数据单独变化的幅度（%，其余数据不变；±10% 以外按对数刻度）")

    trans = blended_transform_factory(ax.transAxes, ax.transData)
    ax.annotate(
        "现值 → 所需值",
        (1, -0.7),
        xycoords=trans,
        xytext=(10, 0),
        textcoords="offset points",
        ha="left",
        va="center",
        fontsize=8.5,
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
            fontsize=8.5,
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
    ax.set_title(
        title or f"{assessment.config.name} {assessment.year} 年：单项数据需变化多少才能达标",
        fontsize=13,
        y=1.0,  # where it would be placed (categorical ticks: no offset text), fixed
    )
    return fig
