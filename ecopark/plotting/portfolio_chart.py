"""The portfolio's margin chart: each indicator's margins across park-years, coloured by status
(and by the verdict where a gate tier failed: 不具备评价条件)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ecopark.plotting.overview import MARGIN_CLIP
from ecopark.plotting.style import (
    indicator_label,
    legend_below,
    new_axes,
    status_colour,
    status_handles,
)
from ecopark.portfolio import COUNTED_ROLES
from ecopark.verdict import VERDICT_COLOURS, VERDICT_ZH

#: The legend's word for the dots of a park-year whose gate tier failed.
NOT_ASSESSABLE_LABEL = f"{VERDICT_ZH['not_assessable']}（其余指标不作评价）"


def margin_distribution(
    results: pd.DataFrame,
    *,
    ax: Axes | None = None,
    figsize: tuple[float, float] | None = None,
    name_width: int = 18,
    title: str | None = None,
) -> Figure:
    """Each indicator's margin to its requirement in every park-year where it counts.

    One row per indicator that counts (a must indicator, or an optional one the park selected)
    in at least one park-year and has a margin there; one dot per such park-year at its margin
    [% of the limit] (positive = room, negative = the shortfall), coloured by the engine's status
    (达标 / 临界 / 未达标); the dots of a park-year whose gate tier (基本要求) failed, where the
    other indicators are not judged (``outcome`` ``not_assessable``), in the colour of that
    verdict (:data:`ecopark.verdict.VERDICT_COLOURS`), with its own legend entry. Margins
    beyond −100 % or +150 % are drawn at the edge (as in
    :func:`~ecopark.plotting.assessment_overview`). Indicators judged by a word or an ``=``
    requirement have no margin and are left out. Nothing is computed: the chart draws the
    ``margin_pct``, ``status`` and ``outcome`` columns it is given.

    Parameters
    ----------
    results : pandas.DataFrame
        :func:`ecopark.comparison.results` (any subset of its rows).
    ax : matplotlib.axes.Axes, optional
        Draw into this axes; default a new figure.
    figsize : (float, float), optional
        Size of a new figure [inches]; default 10 wide, 0.3 per indicator tall.
    name_width : int
        Longest indicator name in characters (longer names keep head and tail around "…").
    title : str, optional
        Default ``"各指标距考核要求的余量分布（<n> 个园区年度）"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    r = results[results["role"].isin(COUNTED_ROLES)]
    r = r[pd.to_numeric(r["margin_pct"], errors="coerce").notna()]
    # an indicator is its standard's code and id (two standards may both have a "1"), in each
    # standard's order, as results are
    keys = list(zip(r["standard"], r["number"], strict=True))
    shown_ids = set(keys)
    every = zip(results["standard"], results["number"], strict=True)
    numbers = [k for k in dict.fromkeys(every) if k in shown_ids]
    names = dict(zip(keys, r["indicator"], strict=True))
    n = len(numbers)
    fig, ax = new_axes(ax, figsize or (10.0, 1.9 + 0.3 * max(n, 1)))
    lo, hi = MARGIN_CLIP
    row_of = {k: i for i, k in enumerate(numbers)}
    y = np.array([row_of[k] for k in keys], dtype=float)
    margins = r["margin_pct"].astype(float).to_numpy()
    shown = np.clip(margins, lo, hi)
    beyond = (margins > hi) | (margins < lo)
    gate = (r["outcome"] == "not_assessable").to_numpy()
    gate_colour = VERDICT_COLOURS["not_assessable"]
    colours = [
        gate_colour if g else status_colour(s) for s, g in zip(r["status"], gate, strict=True)
    ]
    ax.scatter(shown, y, c=colours, s=30, alpha=0.8, edgecolors="white", linewidths=0.5, zorder=3)
    if beyond.any():
        ax.scatter(
            shown[beyond],
            y[beyond],
            marker="|",
            s=90,
            c=np.array(colours, dtype=object)[beyond],
            zorder=4,
        )
    ax.axvline(0, color="#222222", lw=1, zorder=2)
    ax.set_xlim(lo - 8, hi + 8)
    ax.set_ylim(max(n, 1) - 0.5, -0.5)
    ax.set_yticks(
        range(n),
        [indicator_label(k[1], str(names[k]), name_width) for k in numbers],
        fontsize=9,
    )
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel(
        "距考核要求的余量（占要求值的 %；正值为富余，负值为差距；超出 −100～150 的画在边缘）"
    )
    handles = status_handles(set(r["status"][~gate]))
    if gate.any():
        handles.append(Patch(facecolor=gate_colour, edgecolor="none", label=NOT_ASSESSABLE_LABEL))
    legend_below(ax, handles, ncols=4, fontsize=9)
    count = len(r.drop_duplicates(["park", "year"])) if len(r) else 0
    ax.set_title(title or f"各指标距考核要求的余量分布（{count} 个园区年度）", fontsize=13, pad=12)
    return fig
