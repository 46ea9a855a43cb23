"""One-pass layout: a chart's margins computed from its text when it is drawn, once per draw.

Matplotlib's constrained layout lays every text out two or three times per ``savefig`` (a
rendering-disabled draw, two layout iterations, then the real draw). An ecopark figure instead
carries a :class:`OnePassLayout`, an invisible artist drawn before the axes: it measures each
axes' decorations (tick labels, axis labels, title, legend, the texts and markers outside the
axes) once with the renderer that then draws them, so the text metrics are computed once and
cached for the draw, and places the axes on their grid so that everything fits inside the
figure. Footer (``supxlabel``) and ``suptitle`` get their own rows. Margins do not depend on
the axes' size (text sizes are in points), so one measurement suffices. Within a draw, a text
is laid out once for the layout, its axis and its own draw (:func:`_laid_out_once`), and
not again in a later draw to SVG or PNG while nothing its layout depends on changes.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backend_bases import RendererBase
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text
from matplotlib.ticker import NullLocator
from matplotlib.transforms import Bbox

from ecopark.plotting.fonts import chart_rc, collection_paused

#: The width of a report's text [in]: an A4 page (210 mm) less the 16 mm left and right margins
#: of report.css's ``@page`` (on screen, its body's 190 mm less two 6 mm paddings). A chart of a
#: report is drawn this wide, so that it is shown and printed at its own size: its 9 pt labels
#: print at 9 pt, like the report's own small text.
TEXT_WIDTH_IN = (210 - 2 * 16) / 25.4
#: Space around the figure's edge and between neighbouring axes' decorations [points]
#: (constrained layout's default ``w_pad`` / ``h_pad``).
PAD = 3.0
#: zlib level of a chart's PNG (PIL's default 6 costs twice the time for no smaller file).
PNG_COMPRESSION = 1
#: Extra space between the decorations of neighbouring axes [fraction of the figure]
#: (constrained layout's default ``wspace`` / ``hspace``).
SPACE = 0.02


class OnePassLayout(Artist):
    """Lays its figure out at the start of every draw, in one measuring pass (draws nothing)."""

    zorder = -1e9  # drawn before anything else of the figure

    def __init__(self) -> None:
        super().__init__()
        self.set_in_layout(False)

    def get_window_extent(self, renderer: RendererBase | None = None) -> Bbox:
        return Bbox.null()

    def draw(self, renderer: RendererBase) -> None:
        fig = self.figure
        if isinstance(fig, Figure):
            fixed = lay_out(fig, renderer)
            if isinstance(fig, ChartFigure):
                fig._fixed_titles = fixed
        self.stale = False


class ChartFigure(Figure):
    """A figure drawn in ecopark's chart style whatever the analyst's rcParams are when it is
    drawn (tick labels and fonts are resolved in the draw), and not managed by pyplot: a chart
    returned to JupyterLab displays once, as the cell's value, and is never shown again by the
    inline backend at the end of the cell."""

    def __init__(self, *args: Any, rc: dict[str, Any], **kwargs: Any) -> None:
        self._chart_rc = rc
        with mpl.rc_context(rc):
            super().__init__(*args, **kwargs)

    def draw(self, renderer: RendererBase) -> None:
        self._fixed_titles: list[Axes] = []
        try:
            with (
                mpl.rc_context(self._chart_rc),
                collection_paused(),
                _laid_out_once(self, renderer),
            ):
                super().draw(renderer)
        finally:
            # titles placed by the layout for this draw only (:func:`_fix_titles`)
            for ax in self._fixed_titles:
                ax._autotitlepos = True
            self._fixed_titles = []

    def savefig(self, fname: Any, *args: Any, **kwargs: Any) -> None:
        """:meth:`Figure.savefig`; a PNG is compressed at zlib level 1 unless ``pil_kwargs``
        says otherwise: the same pixels for about half the encoding time (and a file no
        larger: the charts are large flat areas)."""
        png = kwargs.get("format") == "png" or (
            kwargs.get("format") is None and str(fname).lower().endswith(".png")
        )
        if png and "pil_kwargs" not in kwargs:
            kwargs["pil_kwargs"] = {"compress_level": PNG_COMPRESSION}
        super().savefig(fname, *args, **kwargs)

    def _repr_png_(self) -> bytes:
        """The chart as PNG, at its own size: how JupyterLab shows it, once."""
        buf = io.BytesIO()
        self.savefig(buf, format="png")
        return buf.getvalue()


#: Layouts of the texts drawn by charts, kept across draws (:func:`_shared_layout_key` ->
#: :meth:`Text._get_layout`): a report's charts and a test process's draw the same tick labels,
#: legends and headings in figure after figure. Emptied when it holds :data:`KEPT_LAYOUTS`.
_layouts: dict[tuple, Any] = {}
KEPT_LAYOUTS = 4096
#: Renderers whose text metrics depend on nothing but the font files, the text's properties,
#: the dpi and rcParams (``text.*``, ``font.*``): SVG measures with the font's unhinted outlines
#: (``TextToPath``), Agg with the hinting of ``text.hinting``. Texts drawn by any other
#: renderer are laid out once per draw only.
_SHARED_RENDERERS = ("RendererSVG", "RendererAgg")


def _draw_key() -> tuple:
    """What every text's layout in a draw depends on beyond the text's own properties and the
    renderer: the font files matplotlib knows and the ``text.*`` and ``font.*`` rcParams (the
    fonts a family name stands for, hinting)."""
    rc = tuple(
        (k, tuple(v) if isinstance(v, list) else v)
        for k, v in mpl.rcParams.items()
        if k.startswith(("text.", "font."))
    )
    fonts = font_manager.fontManager
    return (id(fonts), len(fonts.ttflist), rc)


def _measured_by(renderer: RendererBase) -> type | None:
    """The kind of renderer that measures texts for ``renderer`` (a vector backend's
    ``MixedModeRenderer`` measures with the renderer it draws with at the moment, its
    ``_renderer``), if it is one of :data:`_SHARED_RENDERERS`; else None."""
    kind = type(getattr(renderer, "_renderer", renderer))
    if kind.__name__ in _SHARED_RENDERERS and kind.__module__.startswith("matplotlib."):
        return kind
    return None


def _layout_key(text: Text, renderer: RendererBase) -> tuple | None:
    """What :meth:`Text._get_layout` depends on of ``text`` (None for a wrapped text: its lines
    depend on where it is; for TeX and math text, whose metrics depend on more)."""
    content = text.get_text()
    if text.get_wrap() or text.get_usetex() or (text._parse_math and "$" in content):
        return None
    font = text.get_fontproperties()
    return (
        text.get_figure(root=True).dpi,
        content,
        (
            tuple(font.get_family()),
            font.get_style(),
            font.get_variant(),
            font.get_weight(),
            font.get_stretch(),
            font.get_size_in_points(),
            font.get_file(),
            font.get_math_fontfamily(),
        ),
        text.get_rotation(),
        text.get_rotation_mode(),
        text.get_horizontalalignment(),
        text.get_verticalalignment(),
        text._multialignment,
        text._linespacing,
        text._parse_math,
        text.get_fontfeatures(),
        text.get_language(),
    )


@contextmanager
def _laid_out_once(fig: Figure, renderer: RendererBase) -> Iterator[None]:
    """Within one draw of ``fig`` by ``renderer``, each of its texts is laid out
    (:meth:`Text._get_layout`: its lines, their metrics and its box around its anchor) once
    for as long as nothing the layout depends on changes (:func:`_layout_key`), not again by
    every caller: the one-pass layout, the axis's tick label boxes and the text's own draw;
    and a text laid out the same way in an earlier draw (:data:`_layouts`, for the renderers
    of :data:`_SHARED_RENDERERS`) is not laid out again. Matplotlib caches the metrics of a
    line for one renderer, not the layout, whose font look-ups cost as much as measuring."""
    texts = fig.findobj(Text)
    layout = functools.partial(_layout_of, shared=_draw_key(), drawn_by=renderer)
    for text in texts:
        text._get_layout = functools.partial(layout, text, {})
    fig._ecopark_layout_of = layout  # type: ignore[attr-defined]  # for the layout's probes
    try:
        yield
    finally:
        for text in texts:
            text.__dict__.pop("_get_layout", None)
        del fig._ecopark_layout_of


def _layout_of(
    text: Text,
    kept: dict,
    renderer: RendererBase,
    *,
    shared: tuple | None = None,
    drawn_by: RendererBase | None = None,
) -> Any:
    """``text``'s layout for ``renderer``, computed once per :func:`_layout_key`: kept in
    :data:`_layouts` when ``renderer`` is the draw's (``drawn_by``, whose rcParams and fonts are
    ``shared``: :func:`_draw_key`) and measures as one of :data:`_SHARED_RENDERERS`
    (:func:`_measured_by`), else in ``kept`` (the text's own, for one renderer)."""
    key = _layout_key(text, renderer)
    if key is None:
        return type(text)._get_layout(text, renderer)
    kind = _measured_by(renderer) if shared is not None and renderer is drawn_by else None
    if kind is not None:
        key = (kind, shared, *key)
        if key not in _layouts:
            if len(_layouts) >= KEPT_LAYOUTS:
                _layouts.clear()
            _layouts[key] = type(text)._get_layout(text, renderer)
        return _layouts[key]
    key = (id(renderer), *key)
    if key not in kept:
        kept.clear()
        kept[key] = type(text)._get_layout(text, renderer)
    return kept[key]


def new_figure(
    nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float]
) -> tuple[Figure, np.ndarray]:
    """A figure in ecopark's chart style with an ``nrows`` × ``ncols`` grid of axes, laid out in
    one pass (a :class:`ChartFigure`, not managed by pyplot).

    Parameters
    ----------
    nrows, ncols : int
        Rows and columns of axes.
    figsize : (float, float)
        Size of the figure [inches].

    Returns
    -------
    (Figure, numpy.ndarray of Axes)
        The axes as a 2-D array (``squeeze=False``).
    """
    rc = chart_rc()
    fig = ChartFigure(figsize=figsize, rc=rc)
    with mpl.rc_context(rc), collection_paused():
        axes = fig.subplots(nrows, ncols, squeeze=False)
    fig.add_artist(OnePassLayout())
    return fig, axes


def cell_width(ax: Axes) -> float:
    """Width [pt] of the grid cell ``ax`` is laid out in: its columns' share of the figure
    (the figure's width for an axes on no grid). A title or a legend as wide stays within it."""
    fig = ax.get_figure(root=True)
    width = fig.get_figwidth() * 72
    spec = ax.get_subplotspec()
    if spec is None:
        return width
    return width * len(spec.colspan) / spec.get_gridspec().ncols


def _extent(artist: Artist | None, renderer: RendererBase) -> float:
    """Height [pixels] of a figure-level text, 0 when there is none."""
    if artist is None or not artist.get_visible() or not artist.get_text():
        return 0.0
    return artist.get_window_extent(renderer).height


def _rough_width(text: str) -> float:
    """Width of the widest line [em], counting a Chinese character 1 and any other 0.6."""
    return max(sum(1.0 if ord(ch) > 0x2E7F else 0.6 for ch in line) for line in text.split("\n"))


#: Sizes [pixels] of texts measured in one layout: (font, rotation, line spacing) -> text ->
#: (width, height). The layout measures an axis' tick labels in every pass; each distinct label
#: is measured once.
Sizes = dict[tuple[FontProperties, float, float], dict[str, tuple[float, float]]]


def _tick_labels(
    axis: Axis, renderer: RendererBase, measured: Sizes
) -> tuple[float, float, list[Bbox]]:
    """(widest, tallest [pixels], the x-extents of the first and last label as flat boxes on
    the axis) of ``axis``'s major tick labels, or zeros when they are not drawn.

    The labels are the locator's and formatter's, as the draw will make them; only the few
    widest (by a character count) and the one with most lines are measured, with one scratch
    text of the labels' font, so their metrics are cached for the draw; a label measured
    earlier in the same layout (``measured``) is not measured again.
    """
    tick = axis.majorTicks[0]
    if not (axis.get_visible() and tick.label1.get_visible()):
        return 0.0, 0.0, []
    if isinstance(axis.get_major_locator(), NullLocator):
        return 0.0, 0.0, []
    lo, hi = sorted(axis.get_view_interval())
    span = (hi - lo) * 1e-9
    locs = [x for x in axis.get_majorticklocs() if lo - span <= x <= hi + span]
    labels = axis.get_major_formatter().format_ticks(locs)
    shown = [(x, t) for x, t in zip(locs, labels, strict=True) if t]
    if not shown:
        return 0.0, 0.0, []
    label = tick.label1
    font = label.get_fontproperties()
    key = (font, label.get_rotation(), label.get_linespacing())
    sizes = measured.setdefault(key, {})
    probe: Text | None = None

    def size(text: str) -> tuple[float, float]:
        nonlocal probe
        if text not in sizes:
            if probe is None:
                probe = _probe(label)
            probe.set_text(text)
            box = probe.get_window_extent(renderer)
            sizes[text] = box.width, box.height
        return sizes[text]

    rough = sorted({t for _, t in shown}, key=_rough_width, reverse=True)
    widest = max(size(t)[0] for t in rough if _rough_width(t) >= 0.7 * _rough_width(rough[0]))
    most = max(t.count("\n") for t in rough)
    tallest = max(size(t)[1] for t in rough if t.count("\n") == most)
    # the end labels, centred on their ticks, may reach past the axes' ends (x only)
    ends = []
    if axis.axis_name == "x":
        transform = axis.axes.get_xaxis_transform()
        for x, t in (shown[0], shown[-1]):
            w = size(t)[0]
            cx, cy = transform.transform((x, 0))
            ends.append(Bbox.from_extents(cx - w / 2, cy, cx + w / 2, cy))
    return widest, tallest, ends


def _probe(label: Text) -> Text:
    """A scratch text of the tick label ``label``'s font, rotation and line spacing (left and
    baseline aligned at the origin: its box is its size, to the last bit), laid out in the
    draw's layouts (:func:`_laid_out_once`): a label measured in an earlier draw, or for
    another axis, is not laid out again."""
    probe = Text(
        fontproperties=label.get_fontproperties(),
        rotation=label.get_rotation(),
        linespacing=label.get_linespacing(),
    )
    fig = label.get_figure(root=True)
    probe.set_figure(fig)
    layout = getattr(fig, "_ecopark_layout_of", None)
    if layout is not None:
        probe._get_layout = functools.partial(layout, probe, {})
    return probe


def _axis_reach(
    ax: Axes, renderer: RendererBase, measured: Sizes
) -> tuple[np.ndarray, list[Bbox], dict[Axis, float]]:
    """(left, right, bottom, top) [pixels] that ``ax``'s tick and axis labels reach past its
    box, the x-extents of the end x tick labels (:func:`_tick_labels`), and for each axis the
    distance [pixels] from the axes' edge to where its label goes (beyond the tick labels)."""
    reach = np.zeros(4)
    ends: list[Bbox] = []
    anchors: dict[Axis, float] = {}
    if not ax.axison:
        return reach, ends, anchors
    px = ax.get_figure(root=True).dpi / 72
    for axis in (ax.xaxis, ax.yaxis):
        widest, tallest, far = _tick_labels(axis, renderer, measured)
        tick = axis.majorTicks[0]
        offset = (tick.get_pad() + tick.get_tick_padding()) * px
        label = axis.label
        named = axis.get_visible() and label.get_visible() and label.get_text()
        if axis.axis_name == "x":
            size = tallest
            extra = label.get_window_extent(renderer).height if named else 0.0
        else:
            size = widest
            extra = label.get_window_extent(renderer).width if named else 0.0
        anchors[axis] = (offset + size if size else 0.0) + axis.labelpad * px
        reach[2 if axis.axis_name == "x" else 0] = (
            anchors[axis] + extra if named else (offset + size if size else 0.0)
        )
        ends += far
    return reach, ends, anchors


def _reach(ax: Axes, boxes: list[Bbox]) -> np.ndarray:
    """(left, right, bottom, top) [pixels] that ``boxes`` reach past ``ax``'s box."""
    box = ax.get_position(original=True).transformed(ax.get_figure(root=True).transFigure)
    boxes = [b for b in boxes if np.isfinite(b.extents).all() and b.width >= 0]
    if not boxes:
        return np.zeros(4)
    u = Bbox.union(boxes)
    return np.maximum([box.x0 - u.x0, u.x1 - box.x1, box.y0 - u.y0, u.y1 - box.y1], 0.0)


def _artists_reach(ax: Axes, renderer: RendererBase) -> np.ndarray:
    """(left, right, bottom, top) [pixels] that the titles, the legend, every text and
    annotation of ``ax`` and every line drawn unclipped (markers beside it) reach past its box."""
    extras: list[Artist] = [ax.title, ax._left_title, ax._right_title]
    legend = ax.get_legend()
    extras += [legend] if legend is not None else []
    extras += list(ax.texts)
    extras += [line for line in ax.lines if not line.get_clip_on()]
    boxes = []
    for artist in extras:
        if not artist.get_visible() or not artist.get_in_layout():
            continue
        if isinstance(artist, Text) and not artist.get_text():
            continue
        boxes.append(artist.get_window_extent(renderer))
    return _reach(ax, boxes)


def lay_out(fig: Figure, renderer: RendererBase) -> list[Axes]:
    """Place ``fig``'s grid axes so that every decoration fits inside the figure.

    Each axes keeps its cell of the grid it was created on; all axes of a column get the same
    width and all axes of a row the same height, as with constrained layout. Texts, titles
    and legends are measured once; the tick labels, which the locator may change with the
    axes' size, are measured again where the axes were placed (and the axes placed again if
    they grew).

    Returns
    -------
    list of Axes
        The axes whose titles were placed here, where matplotlib's automatic placement would
        put them (:func:`_fix_titles`): their automatic placement is to be switched back on
        after the draw.
    """
    cells = []
    for ax in fig.axes:
        spec = ax.get_subplotspec() if isinstance(ax, Axes) else None
        if spec is not None and ax.get_visible():
            cells.append((ax, spec))
    if not cells:
        return []
    texts = {ax: _artists_reach(ax, renderer) for ax, _ in cells}
    measured: Sizes = {}

    def reach(ax: Axes) -> tuple[np.ndarray, dict[Axis, float]]:
        axis, ends, anchors = _axis_reach(ax, renderer, measured)
        return np.maximum(np.maximum(texts[ax], axis), _reach(ax, ends)), anchors

    margins = {ax: reach(ax)[0] for ax, _ in cells}
    _place(fig, cells, margins, renderer)
    again = {ax: reach(ax)[0] for ax, _ in cells}  # ticks at the axes' size
    _place(fig, cells, again, renderer)
    last = {ax: reach(ax) for ax, _ in cells}
    grown = {ax: np.maximum(again[ax], last[ax][0]) for ax, _ in cells}
    if any((grown[ax] > again[ax] + 0.5).any() for ax in grown):
        _place(fig, cells, grown, renderer)
        last = {ax: reach(ax) for ax, _ in cells}
    for ax, _ in cells:
        _place_axis_labels(ax, last[ax][1])
    return [ax for ax, _ in cells if _fix_titles(ax, renderer)]


def _fix_titles(ax: Axes, renderer: RendererBase) -> bool:
    """Put ``ax``'s titles where matplotlib's automatic placement would, and switch that
    placement off for the draw, when nothing can push them up: the titles clear the top of
    the axes, nothing of the x axis is above it (its tick labels, offset text and label at
    the bottom), there is no offset text by the y axis and no twin or child axes. The
    automatic placement measures every x and y tick label again in the draw to find that
    out. True when it was switched off."""
    titles = (ax.title, ax._left_title, ax._right_title)
    if not ax._autotitlepos or not any(t.get_text() for t in titles):
        return False
    fig = ax.get_figure(root=False)
    alone = (
        not ax.child_axes
        and list(ax._twinned_axes.get_siblings(ax)) == [ax]
        and list(fig._align_label_groups["title"].get_siblings(ax)) == [ax]
    )
    xaxis, yaxis = ax.xaxis, ax.yaxis
    if not alone or xaxis.get_label_position() != "bottom":
        return False
    ticks = [xaxis.majorTicks[0]] if xaxis.majorTicks else []
    if xaxis.minorTicks and not isinstance(xaxis.get_minor_locator(), NullLocator):
        ticks.append(xaxis.minorTicks[0])
    if any(t.label2.get_visible() or t.get_pad() < 0 for t in ticks):
        return False
    if yaxis.offsetText.get_visible():
        formatter = yaxis.get_major_formatter()
        formatter.set_locs(yaxis.get_majorticklocs())  # as the draw's tick update does
        if formatter.get_offset():
            return False
    top = ax.spines.get("outline", ax).get_window_extent().ymax
    if top < 0:
        return False
    for title in titles:
        title.set_position((title.get_position()[0], 1.0))
    if any(t.get_text() and t.get_window_extent(renderer).ymin < top for t in titles):
        return False
    ax._autotitlepos = False
    return True


def _place_axis_labels(ax: Axes, anchors: dict[Axis, float]) -> None:
    """Put the axis labels beyond the tick labels as measured (``anchors``, of
    :func:`_axis_reach`), where matplotlib would put them; fixed coordinates spare the draw
    measuring every tick label again for that."""
    box = ax.get_position().transformed(ax.get_figure(root=True).transFigure)
    for axis, distance in anchors.items():
        if axis.axis_name == "x":
            axis.set_label_coords(0.5, -distance / box.height)
        else:
            axis.set_label_coords(-distance / box.width, 0.5)


def _place(fig: Figure, cells: list, margins: dict, renderer: RendererBase) -> None:
    """Set the axes' positions for their (left, right, bottom, top) ``margins`` [pixels]."""
    grid = cells[0][1].get_gridspec()
    nrows, ncols = grid.get_geometry()
    width, height = fig.bbox.width, fig.bbox.height
    pad = PAD * fig.dpi / 72
    left, right = np.zeros(ncols), np.zeros(ncols)
    top, bottom = np.zeros(nrows), np.zeros(nrows)
    for ax, spec in cells:
        lft, rgt, btm, tp = margins[ax]
        rows, cols = spec.rowspan, spec.colspan
        left[cols.start] = max(left[cols.start], lft)
        right[cols.stop - 1] = max(right[cols.stop - 1], rgt)
        top[rows.start] = max(top[rows.start], tp)
        bottom[rows.stop - 1] = max(bottom[rows.stop - 1], btm)

    head = _extent(fig._suptitle, renderer)
    foot = _extent(fig._supxlabel, renderer)
    if fig._suptitle is not None:
        fig._suptitle.set(y=1 - pad / height, va="top")
    if fig._supxlabel is not None:
        fig._supxlabel.set(y=pad / height, va="bottom")
    top_edge = height - pad - (head + pad if head else 0.0)
    bottom_edge = pad + (foot + pad if foot else 0.0)
    gap_x = 2 * pad + SPACE * width
    gap_y = 2 * pad + SPACE * height
    cell_w = (width - 2 * pad - left.sum() - right.sum() - gap_x * (ncols - 1)) / ncols
    cell_h = (top_edge - bottom_edge - top.sum() - bottom.sum() - gap_y * (nrows - 1)) / nrows
    cell_w, cell_h = max(cell_w, 0.05 * width / ncols), max(cell_h, 0.05 * height / nrows)
    x0 = pad + np.concatenate([[0.0], np.cumsum(left + cell_w + right + gap_x)[:-1]]) + left
    y1 = top_edge - np.concatenate([[0.0], np.cumsum(top + cell_h + bottom + gap_y)[:-1]]) - top
    for ax, spec in cells:
        rows, cols = spec.rowspan, spec.colspan
        a, b = x0[cols.start], x0[cols.stop - 1] + cell_w
        t, u = y1[rows.start], y1[rows.stop - 1] - cell_h
        ax.set_position([a / width, u / height, (b - a) / width, (t - u) / height])
