"""The assessment overview: every indicator's distance to its requirement, coloured by status."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.transforms import ScaledTranslation, blended_transform_factory

from ecopark.assessment import Assessment
from ecopark.formatting import MISSING, fmt, shorten
from ecopark.plotting.fonts import in_chart_style
from ecopark.plotting.layout import TEXT_WIDTH_IN
from ecopark.plotting.style import (
    ROLE_COLOUR,
    ROLE_FILLED,
    ROLE_MARKERS,
    indicator_label,
    legend_below,
    new_axes,
    role_handles,
    status_colour,
    status_handles,
    status_label,
)

#: Margins beyond these limits [%] are drawn to the edge with an arrow (the table shows the value).
MARGIN_CLIP = (-100.0, 150.0)


def _requirement_shown(assessment: Assessment, number: int, text: object) -> str:
    """The requirement column of the chart: the gap table's ``requirement``, except where that
    prints every branch of a conditional requirement although one applies to the park.

    A requirement by water region shows the park's region's limit; one by the sign of a helper
    whose branch the engine could not choose (the gap table then prints
    :meth:`~ecopark.standard.model.Requirement.describe` ``"branches"``) shows both limits,
    ``≤0.6 或 ≥0.6``.
    """
    text = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    try:
        req = assessment.standard.indicator(number).requirement
    except KeyError:
        return text or MISSING
    node = req.resolved(assessment.config.attributes)
    if node is not req and node.limit is not None:  # chosen by the park's attributes
        return node.limit.text
    if node.by_sign_of is not None and text == req.describe("branches"):
        return " 或 ".join(limit.text for limit in node.limits())
    return text or MISSING


@in_chart_style
def assessment_overview(
    gaps: pd.DataFrame,
    assessment: Assessment,
    *,
    ax: Axes | None = None,
    figsize: tuple[float, float] | None = None,
    name_width: int = 18,
    title: str | None = None,
) -> Figure:
    """Every indicator's signed margin to its requirement, coloured by status (HJ 274-2015, 1–32).

    One horizontal bar per indicator of ``gaps``, in the standard's order: the margin [% of the
    limit] (positive = passing with room, negative = the shortfall), coloured by status (达标 /
    临界 / 未达标 / 无法计算, the colours of :mod:`ecopark.status`). Margins beyond −100 % or
    +150 % are cut at the edge and marked with an arrow. A table at the right gives each
    indicator's role (■ 必选, ● 已选, ○ 未选), the requirement that applies to the park and the
    margin; the values are in the report's assessment table (``report.assessment_table()``),
    so the chart does not repeat them. Indicators with a status word or an ``=`` requirement
    (no margin) get a dot at 0 and no margin; indicators that cannot be computed say so with
    the reason. Nothing is computed here: the chart draws ``gaps``.

    Parameters
    ----------
    gaps : pandas.DataFrame
        :func:`ecopark.gaps.gap_table` of ``assessment``.
    assessment : Assessment
        The park-year ``gaps`` is of (:func:`ecopark.assess`): its park name, year and standard
        label the chart, and its standard's requirements fill the requirement column (see
        :func:`_requirement_shown`).
    ax : matplotlib.axes.Axes, optional
        Draw into this axes (leave room at its right for the table); default a new figure.
    figsize : (float, float), optional
        Size of a new figure [inches]; default a report's text width
        (:data:`~ecopark.plotting.layout.TEXT_WIDTH_IN`), 0.18 per indicator tall.
    name_width : int
        Longest indicator name in characters (longer names keep head and tail around "…").
    title : str, optional
        Default ``"<园区> <年> 年各指标距考核要求的余量（<标准>）"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    g = gaps
    g = g.reset_index(drop=True)  # the gap table is in the standard's order
    n = len(g)
    fig, ax = new_axes(ax, figsize or (TEXT_WIDTH_IN, 1.4 + 0.18 * n))
    lo, hi = MARGIN_CLIP
    y = np.arange(n)
    margins = pd.to_numeric(g["margin_pct"], errors="coerce").to_numpy(dtype=float)
    shown = np.clip(np.nan_to_num(margins, nan=0.0), lo, hi)
    colours = [status_colour(s) for s in g["status"]]
    has_margin = ~np.isnan(margins)

    bars = ax.barh(
        y[has_margin],
        shown[has_margin],
        color=np.array(colours, dtype=object)[has_margin],
        height=0.7,
        zorder=2,
    )
    for bar, number in zip(bars, g["number"][has_margin], strict=True):
        bar.set_gid(f"indicator-{number}")  # an id in SVG output; lets tests find the bar
    for i in np.flatnonzero(has_margin & ((margins > hi) | (margins < lo))):
        edge, d = (hi, 1) if margins[i] > hi else (lo, -1)
        ax.annotate(
            "",
            xy=(edge + d * 6, y[i]),
            xytext=(edge - d * 1, y[i]),
            arrowprops={"arrowstyle": "-|>", "color": colours[i], "lw": 1.5},
            zorder=3,
        )
    for i in np.flatnonzero(~has_margin):
        status = g.at[i, "status"]
        if status == "not_computable":
            reason = str(g.at[i, "reason_zh"] or "").strip()
            text = status_label(status) + ("：" + shorten(reason, 30) if reason else "")
        else:
            kind = "定性要求" if isinstance(g.at[i, "limit"], str) else "定值要求"
            text = f"{kind}：{status_label(status)}"
            ax.plot(
                [0], [y[i]], marker="D", markersize=6, color=colours[i], zorder=3, linestyle="none"
            )
        ax.text(
            3 if status != "not_computable" else lo + 3,
            y[i],
            text,
            va="center",
            ha="left",
            fontsize=8,
            color=colours[i] if status != "pass" else "#333333",
            zorder=3,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5, "alpha": 0.85},
        )

    ax.axvline(0, color="#222222", lw=1, zorder=2)
    ax.set_xlim(lo - 8, hi + 8)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_yticks(
        y,
        [
            indicator_label(k, name, name_width)
            for k, name in zip(g["label"], g["indicator"], strict=True)
        ],
        fontsize=9,
    )
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("距考核要求的余量（占要求值的 %；正值为富余，负值为差距）")
    # Category bands: a thin line where the category changes.
    cats = g["category"].tolist()
    for i in range(1, n):
        if cats[i] != cats[i - 1]:
            ax.axhline(i - 0.5, color="#bbbbbb", lw=0.8, zorder=1)

    # The table at the right: role marker, requirement, margin (the values are in the report's
    # table; each text costs a layout and a draw).
    trans = blended_transform_factory(ax.transAxes, ax.transData)
    cols = {"role": 12, "requirement": 26, "margin": 134}
    head_y = -0.9
    # role markers sit cols["role"] points right of the axes
    marker_trans = trans + ScaledTranslation(cols["role"] / 72, 0, fig.dpi_scale_trans)
    for key, text, ha in (
        ("role", "角色", "center"),
        ("requirement", "要求", "left"),
        ("margin", "余量", "right"),
    ):
        ax.annotate(
            text,
            (1, head_y),
            xycoords=trans,
            xytext=(cols[key], 0),
            textcoords="offset points",
            ha=ha,
            va="center",
            fontsize=8.5,
            color="#555555",
            annotation_clip=False,
        )
    for i in range(n):
        role = g.at[i, "role"]
        ax.plot(
            [1.0],
            [y[i]],
            transform=marker_trans,
            linestyle="none",
            clip_on=False,
            marker=ROLE_MARKERS[role],
            markersize=6,
            markeredgecolor=ROLE_COLOUR,
            markerfacecolor=ROLE_COLOUR if ROLE_FILLED[role] else "white",
            gid=f"role-{g.at[i, 'number']}-{role}",
        )
        status = g.at[i, "status"]
        requirement = _requirement_shown(assessment, g.at[i, "number"], g.at[i, "requirement"])
        cells = [("requirement", requirement, "left")]
        if has_margin[i]:  # no "—" where there is no margin: the text at the bar says why
            cells.append(("margin", fmt(margins[i], "pct", 1), "right"))
        for key, text, ha in cells:
            ax.annotate(
                shorten(text, 16 if key == "requirement" else 12),
                (1, y[i]),
                xycoords=trans,
                xytext=(cols[key], 0),
                textcoords="offset points",
                ha=ha,
                va="center",
                fontsize=8.5,
                color=colours[i] if key == "margin" and status != "pass" else "#222222",
                annotation_clip=False,
            )
    legend_below(
        ax, status_handles(set(g["status"])) + role_handles(set(g["role"])), ncols=7, fontsize=9
    )
    park = assessment.config.name
    ax.set_title(
        title or f"{park} {assessment.year} 年各指标距考核要求的余量（{assessment.standard.code}）",
        fontsize=13,
        pad=22,
        y=1.0,  # at the top, as placed automatically (no top ticks, no offset text) -- fixed,
        # so the draw does not measure the 32 tick labels again to place it
    )
    return fig
