"""What every ecopark chart shares: status colours, role markers, Chinese labels, source note."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ecopark.formatting import ROLE_ZH, shorten
from ecopark.plotting.fonts import LATIN_FALLBACK, in_chart_style, setup
from ecopark.plotting.layout import new_figure
from ecopark.status import STATUS_COLOURS, STATUS_ORDER, STATUS_ZH

#: Role of an indicator in the verdict -> marker and fill (its word: ecopark.formatting.ROLE_ZH).
ROLE_ORDER = ("must", "selected", "optional")
ROLE_MARKERS = {"must": "s", "selected": "o", "optional": "o"}
ROLE_FILLED = {"must": True, "selected": True, "optional": False}
ROLE_COLOUR = "#333333"

#: Neutral colours in attribution charts (not statuses: an effect is not a verdict).
LEVEL_COLOUR = "#8c8c8c"  # start / end levels of a waterfall
REQUIREMENT_COLOUR = "#222222"


def status_colour(status: str) -> str:
    """The colour of a status (``ecopark.status.STATUS_COLOURS``), the same in every chart."""
    return STATUS_COLOURS[status]


def status_label(status: str) -> str:
    """The Chinese word for a status (``ecopark.status.STATUS_ZH``)."""
    return STATUS_ZH.get(status, status)


_TOKEN = re.compile(r"[A-Za-z0-9_.,:%+\-−/()\[\]]+| |.", re.S)
#: Characters that must not start a line (Chinese line-breaking rule, 避头点).
_NO_LINE_START = set("，。、；：？！）》」』】%,.;:!?)")


def text_width(text: str) -> float:
    """Width of a one-line text [Chinese characters]: a Latin character, digit or sign counts
    0.55 of a Chinese one (the width :func:`wrap` breaks at)."""
    return sum(1.0 if ord(ch) > 0x2E7F else 0.55 for ch in text)


def wrap(text: str, width: int) -> str:
    """Mixed Chinese/Latin text broken into lines about ``width`` Chinese characters wide.

    Breaks between any two Chinese characters, never inside a Latin word or number
    (``2015``, ``CO2``), drops a space at a break, and keeps closing punctuation (，）。) on the
    line before. Latin characters count as half a Chinese character.
    """
    if width <= 0 or text_width(text) <= width:
        return text
    lines = _greedy(text, width)
    # Balance the lines: no orphan character on the last one (工业固体废物总产生 / 量).
    balanced = _greedy(text, math.ceil(text_width(text) / len(lines) + 0.5))
    return "\n".join(balanced if len(balanced) == len(lines) else lines)


def _greedy(text: str, width: float) -> list[str]:
    lines: list[str] = []
    line, used = "", 0.0
    for token in _TOKEN.findall(text):
        w = text_width(token)
        if (
            line
            and used + w > width
            and token not in _NO_LINE_START
            and token[0] not in _NO_LINE_START
        ):
            lines.append(line.rstrip())
            line, used = "", 0.0
            if token == " ":
                continue
        line += token
        used += w
    if line.strip():
        lines.append(line.rstrip())
    return lines


def indicator_label(
    number: str, name_zh: str, width: int | None = 18, *, wrap_lines: bool = False
) -> str:
    """``"28 单位工业增加值固废产生量"``: the number and the name as the standard prints it.

    Parameters
    ----------
    number : str
        The indicator's id (HJ 274: ``"28"``).
    name_zh : str
        ``IndicatorResult.name_zh``.
    width : int or None
        Longest name in characters; longer names are wrapped (``wrap_lines``) or shortened with
        an ellipsis in the middle. None keeps the name whole.
    """
    if width is None:
        return f"{number} {name_zh}"
    if wrap_lines:
        return f"{number} " + wrap(name_zh, width)
    return f"{number} {shorten(name_zh, width)}"


def status_handles(statuses: Iterable[str] | None = None) -> list[Patch]:
    """Legend patches for the statuses in ``STATUS_ORDER`` order (all, or those given)."""
    wanted = set(STATUS_ORDER if statuses is None else statuses)
    return [
        Patch(facecolor=STATUS_COLOURS[s], edgecolor="none", label=STATUS_ZH[s])
        for s in STATUS_ORDER
        if s in wanted
    ]


def role_handles(roles: Iterable[str] | None = None) -> list[Line2D]:
    """Legend markers for 必选 / 已选 / 未选."""
    wanted = set(ROLE_ORDER if roles is None else roles)
    return [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=ROLE_MARKERS[r],
            markersize=7,
            markeredgecolor=ROLE_COLOUR,
            markerfacecolor=ROLE_COLOUR if ROLE_FILLED[r] else "white",
            label=ROLE_ZH[r],
        )
        for r in ROLE_ORDER
        if r in wanted
    ]


def legend_below(
    ax: Axes,
    handles: list | None = None,
    *,
    ncols: int = 4,
    fontsize: float = 8.5,
    rows_of_ticks: int = 1,
) -> None:
    """A frameless legend under the x-axis label, placed in points so any axes height works."""
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties

    # the first tick's label as set (set_xticks(..., fontsize=)); asking for the tick labels
    # would place every tick now, at the axes' provisional size
    tick = ax.xaxis.majorTicks[0].label1.get_fontsize()
    label = FontProperties(size=mpl.rcParams["axes.labelsize"]).get_size_in_points()
    gap = (
        tick * 1.25 * rows_of_ticks
        + (label * 1.3 if ax.get_xlabel() else 0)
        + mpl.rcParams["xtick.major.pad"]
        + mpl.rcParams["axes.labelpad"]
        + 10
    )
    kwargs = {} if handles is None else {"handles": handles}
    ax.legend(
        **kwargs,
        loc="upper center",
        bbox_to_anchor=(0.5, 0),
        ncols=ncols,
        frameon=False,
        fontsize=fontsize,
        borderaxespad=gap / fontsize,
    )


def new_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """(figure, axes): ``ax``'s figure when given (:func:`adopt_axes`), else a new figure laid
    out in one pass (:func:`ecopark.plotting.layout.new_figure`)."""
    if ax is not None:
        return adopt_axes(ax).figure, ax
    fig, axes = new_figure(figsize=figsize)
    return fig, axes[0, 0]


def adopt_axes(ax: Axes) -> Axes:
    """An analyst's axes a chart draws into, with the CJK face named for its titles, axis labels
    and tick labels: they exist already or are made in the draw, in the analyst's fonts."""
    faces = [setup(), LATIN_FALLBACK]
    ax.tick_params(labelfontfamily=faces)
    titles = [getattr(ax, name) for name in ("_left_title", "_right_title")]
    for text in (ax.title, *titles, ax.xaxis.label, ax.yaxis.label):
        text.set_fontfamily(faces)
    return ax


@in_chart_style
def source_note(
    fig: Figure, text: str, *, prefix: str = "数据来源：", fontsize: float = 8
) -> Figure:
    """Write a small 数据来源 note under a figure, left-aligned, and return the figure.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The chart.
    text : str
        Where the figures come from (``"南通经济技术开发区 2021 年生态工业园区建设报告"``).
        Empty text writes nothing.
    prefix : str
        Put before ``text`` unless ``text`` already starts with it (``""`` to omit).
    """
    text = (text or "").strip()
    if not text:
        return fig
    if prefix and not text.startswith(prefix.rstrip("：:")):
        text = prefix + text
    return footer(fig, "source", text, fontsize=fontsize)


def footer(fig: Figure, key: str, text: str, *, fontsize: float = 8) -> Figure:
    """Set one line of a figure's footer (``"note"`` above ``"source"``); others are kept.

    The footer is the figure's ``supxlabel``: below every axes, kept by the one-pass layout
    (:mod:`ecopark.plotting.layout`) and by ``savefig(bbox_inches="tight")``.
    """
    parts: dict[str, str] = dict(getattr(fig, "_ecopark_footer", {}))
    parts[key] = text
    fig._ecopark_footer = parts  # type: ignore[attr-defined]
    chars = max(20, int(fig.get_figwidth() * 72 / fontsize * 0.95))
    lines = [wrap(parts[k], chars) for k in ("note", "source") if parts.get(k)]
    lines += [wrap(v, chars) for k, v in parts.items() if k not in ("note", "source") and v]
    fig.supxlabel("\n".join(lines), x=0.01, ha="left", fontsize=fontsize, color="#555555")
    return fig
