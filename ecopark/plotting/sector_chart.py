"""Sectors: who holds an indicator's numerator, and structure against intensity effects."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ecopark.errors import InputError
from ecopark.formatting import fmt, shorten
from ecopark.plotting.fonts import in_chart_style
from ecopark.plotting.layout import TEXT_WIDTH_IN, new_figure
from ecopark.plotting.style import (
    adopt_axes,
    footer,
    indicator_label,
    legend_below,
    wrap,
)
from ecopark.standard.model import Standard

#: Colours of the sector charts (categories, not statuses: no status colour is reused).
SHARE_COLOURS = ("#4e79a7", "#a0cbe8", "#f28e2b", "#59a14f", "#b07aa1")  # one per numerator item
VALUE_ADDED_COLOUR = "#bab0ac"
STRUCTURE_COLOUR = "#9c755f"
INTENSITY_COLOUR = "#4e79a7"
NEW_ACTIVITY_COLOUR = "#bab0ac"


def _effect_kind(factor: str) -> str:
    if factor.startswith("结构效应"):
        return "structure"
    if factor.startswith("强度效应"):
        return "intensity"
    return "new"


def _draw_shares(ax: Axes, shares: pd.DataFrame, standard: Standard) -> None:
    number, year = shares["number"].iloc[0], int(shares["year"].iloc[0])
    items = list(dict.fromkeys(shares["item"]))
    first = shares[shares["item"] == items[0]].set_index("sector")
    order = first.sort_values("share", ascending=True).index.tolist()  # largest at the top
    series = [
        (
            standard.items[i].name_zh,
            shares[shares["item"] == i].set_index("sector")["share"].reindex(order),
            SHARE_COLOURS[k % len(SHARE_COLOURS)],
        )
        for k, i in enumerate(items)
    ]
    has_va = not first["value_added_share"].isna().all()
    if has_va:
        series.append(("工业增加值", first["value_added_share"].reindex(order), VALUE_ADDED_COLOUR))
    m = len(series)
    height = 0.8 / m
    y = np.arange(len(order))
    for k, (label, values, colour) in enumerate(series):
        pos = y - 0.4 + height * (m - k - 0.5)
        bars = ax.barh(
            pos,
            values.to_numpy(float) * 100,
            height=height * 0.92,
            color=colour,
            label=f"{label}占比",
            zorder=2,
        )
        for bar, sector in zip(bars, order, strict=True):
            bar.set_gid(f"share-{label}-{sector}")
        for p, v in zip(pos, values.to_numpy(float), strict=True):
            if not np.isnan(v):
                ax.annotate(
                    fmt(v * 100, "share"),
                    (v * 100, p),
                    xytext=(3, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=8,
                    color="#333333",
                )
    labels = []
    for sector in order:
        text = shorten(str(sector), 10)
        intensity = first.at[sector, "intensity"] if "intensity" in first.columns else np.nan
        if not pd.isna(intensity):
            text += f"\n强度 {fmt(float(intensity), 'label', 3)}"
        labels.append(text)
    ax.set_yticks(y, labels, fontsize=9)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="y", visible=False)
    top = max(float(np.nanmax(v.to_numpy(float))) for _, v, _ in series) * 100
    ax.set_xlim(0, top * 1.22 + 1)
    ax.set_xlabel("占全园区合计的比例（%）")
    legend_below(ax, ncols=min(3, m))
    unit = standard.indicator(number).unit
    note = (
        f"（行业强度单位：{unit}）"
        if has_va and "intensity" in first.columns and not first["intensity"].isna().all()
        else ""
    )
    ax.set_title(wrap(f"{year} 年各行业占比{note}", 26), fontsize=11)


def _draw_effects(ax: Axes, eff: pd.DataFrame, unit: str) -> None:
    eff = eff.copy()
    eff["kind"] = [_effect_kind(str(f)) for f in eff["factor"]]
    total = eff[eff["sector"] == "合计"]
    detail = eff[eff["sector"] != "合计"]
    sectors = list(dict.fromkeys(detail["sector"]))
    wide = detail.pivot_table(
        index="sector", columns="kind", values="effect", aggfunc="sum", fill_value=0.0
    ).reindex(sectors)
    totals = total.groupby("kind")["effect"].sum()
    rows = ["合计", *sectors]
    wide.loc["合计"] = totals
    wide = wide.reindex(rows).fillna(0.0)
    # sectors by the size of their total effect, largest at the top under 合计
    size = wide.drop(index="合计").abs().sum(axis=1).sort_values()
    rows = [*size.index.tolist(), "合计"]
    wide = wide.reindex(rows)
    kinds = [k for k in ("structure", "intensity", "new") if k in wide.columns]
    names = {
        "structure": "结构效应（增加值占比变化）",
        "intensity": "强度效应（行业自身强度变化）",
        "new": "新增/退出行业",
    }
    colours = {
        "structure": STRUCTURE_COLOUR,
        "intensity": INTENSITY_COLOUR,
        "new": NEW_ACTIVITY_COLOUR,
    }
    y = np.arange(len(rows))
    h = 0.8 / len(kinds)
    for k, kind in enumerate(kinds):
        pos = y - 0.4 + h * (len(kinds) - k - 0.5)
        vals = wide[kind].to_numpy(float)
        bars = ax.barh(pos, vals, height=h * 0.92, color=colours[kind], label=names[kind], zorder=2)
        for bar, sector in zip(bars, rows, strict=True):
            bar.set_gid(f"effect-{kind}-{sector}")
        for p, v in zip(pos, vals, strict=True):
            ax.annotate(
                fmt(v, "pace", 3),
                (v, p),
                xytext=(3 if v >= 0 else -3, 0),
                textcoords="offset points",
                ha="left" if v >= 0 else "right",
                va="center",
                fontsize=8,
                color="#333333",
            )
    ax.axvline(0, color="#222222", lw=0.8)
    ax.axhline(len(rows) - 1.5, color="#bbbbbb", lw=0.8)
    ax.set_yticks(y, [shorten(str(s), 10) for s in rows], fontsize=9)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="y", visible=False)
    lo, hi = ax.get_xlim()
    span = hi - lo
    ax.set_xlim(lo - 0.18 * span, hi + 0.18 * span)
    ax.set_xlabel(f"对指标变化的贡献（{unit}）" if unit else "对指标变化的贡献")
    legend_below(ax, ncols=len(kinds))
    v0 = float(eff["from_value"].iloc[0])
    v1 = float(eff["to_value"].iloc[0])
    parts = "，".join(
        f"{names[k].split('（')[0]} {fmt(float(totals.get(k, 0.0)), 'pace', 3)}" for k in kinds
    )
    y0, y1 = eff.attrs.get("year_from"), eff.attrs.get("year_to")
    ax.set_title(f"{y0}→{y1} 年：{fmt(v0, 'label')} → {fmt(v1, 'label')}\n{parts}", fontsize=11)


@in_chart_style
def sector_contributions(
    shares: pd.DataFrame,
    effects: pd.DataFrame | None = None,
    *,
    standard: Standard,
    note: str = "",
    ax: Axes | Sequence[Axes] | None = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
) -> Figure:
    """Each sector's share of an indicator's numerator, and its structure and intensity effects.

    Above: each sector's share [%] of the indicator's numerator item(s) in the year of ``shares``
    (e.g. 工业固体废物总产生量 for 28, the four pollutants for 25) beside its share of value
    added, with its own intensity under its name for the intensities per value added (11, 14,
    27, 28). A sector whose waste share is larger than its value-added share is dirtier than the
    park's average.
    Below (when ``effects`` is given): the LMDI-I structure effect (the mix of value added) and
    intensity effect (each sector's own intensity) of each sector and in total, which add up to
    the indicator's change. Nothing is computed or read here: the chart draws the two tables.

    Parameters
    ----------
    shares : pandas.DataFrame
        :func:`ecopark.sectors.sector_shares` of one indicator and year.
    effects : pandas.DataFrame, optional
        :func:`ecopark.sectors.structure_intensity` of the indicator, ``by_sector=True`` (its
        ``attrs`` give the years). None or empty: the shares panel only.
    standard : Standard
        The park's standard: the items' Chinese names and the indicator's unit.
    note : str
        Why there is no effects panel (:func:`effects_note`), written under a chart of the
        shares alone.
    ax : Axes or pair of Axes, optional
        One axes draws the shares only; two draw both panels. Default: a new figure.
    figsize : (float, float), optional
        Size of a new figure [inches]; default a report's text width
        (:data:`~ecopark.plotting.layout.TEXT_WIDTH_IN`), the panels one above the other.
    title : str, optional
        Default the indicator's number and name.

    Returns
    -------
    matplotlib.figure.Figure
    """
    s = shares
    number = str(s["number"].iloc[0])
    e = effects
    ind = standard.indicator(number)
    n_sectors = s["sector"].nunique()
    height = max(2.6, 1.2 + 0.36 * n_sectors * (1 + 0.3 * s["item"].nunique()))  # a panel's
    if ax is None:
        nrows = 2 if e is not None and len(e) else 1
        fig, grid = new_figure(nrows, 1, figsize=figsize or (TEXT_WIDTH_IN, height * nrows))
        axes = list(grid[:, 0])
    elif isinstance(ax, Axes):
        fig, axes = adopt_axes(ax).figure, [ax]
        e = None
    else:
        axes = [adopt_axes(one) for one in ax]
        fig = axes[0].figure
    _draw_shares(axes[0], s, standard)
    if e is not None and len(e) and len(axes) > 1:
        _draw_effects(axes[1], e, ind.unit)
    if note and len(axes) == 1 and ax is None:
        footer(fig, "note", note)
    heading = title or indicator_label(ind.label, ind.name_zh, 30) + "：行业构成"
    if len(axes) > 1 or ax is None:
        fig.suptitle(heading, fontsize=13)
    else:
        axes[0].set_title(heading + "\n" + axes[0].get_title(), fontsize=11)
    return fig


def effects_note(exc: Exception, number: int, year_from: int, year_to: int) -> str:
    """Why there is no structure/intensity panel, in Chinese, from the error of
    :func:`ecopark.sectors.structure_intensity`."""
    if isinstance(exc, InputError):
        missing = "；".join(str(p.message) for p in exc.problems[:2])
        return f"无结构/强度分解：{year_from} 或 {year_to} 年的行业数据不全（{missing}）"
    return f"无结构/强度分解：指标 {number} 不是“单位工业增加值”强度指标"
