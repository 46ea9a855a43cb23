"""Chinese text in matplotlib charts: find a CJK font, register it, keep it through seaborn themes.

Lookup order (first that exists wins):

1. the file named by the environment variable ``ECOPARK_CJK_FONT``;
2. ``noto_cjk_sans_otc.FONT_PATH`` (PyPI ``noto-cjk-sans-otc``, a dependency of ecopark);
3. Debian ``fonts-noto-cjk``: ``/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc``;
4. Debian ``fonts-wqy-microhei``: ``/usr/share/fonts/truetype/wqy/wqy-microhei.ttc``.

If none is found, :func:`setup` raises :class:`CJKFontNotFound`; with ``ECOPARK_ALLOW_TOFU=1`` it
warns instead and charts draw Chinese as empty boxes. Background: ``shared/notes/chinese-fonts.md``.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ParamSpec, TypeVar

import matplotlib as mpl
from matplotlib import font_manager

P = ParamSpec("P")
R = TypeVar("R")

ENV_FONT = "ECOPARK_CJK_FONT"
ENV_ALLOW_TOFU = "ECOPARK_ALLOW_TOFU"
DEBIAN_NOTO = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
DEBIAN_WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
#: Family names preferred inside a font file, Simplified Chinese first (a .ttc holds several faces).
PREFERRED_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Noto Sans SC",
)
LATIN_FALLBACK = "DejaVu Sans"
#: seaborn style used the first time :func:`setup` runs in a process.
DEFAULT_STYLE = "whitegrid"
#: What ``seaborn.set_theme(style="whitegrid")`` sets (seaborn 0.13.2, pinned: its "notebook"
#: context, "whitegrid" style and "deep" palette), so the charts' default theme needs no seaborn
#: import (seaborn imports scipy.stats: a second of a report kernel's start). Not copied:
#: ``image.cmap`` ("rocket" exists only once seaborn is imported; no chart draws an image) and
#: the colour codes ("b", "g", ... as the palette's colours; no chart uses them).
#: ``tests/test_plotting.py`` checks this against seaborn's own dictionaries.
SEABORN_WHITEGRID: dict[str, object] = {
    "axes.axisbelow": True,
    "axes.edgecolor": ".8",
    "axes.facecolor": "white",
    "axes.grid": True,
    "axes.labelcolor": ".15",
    "axes.labelsize": 12,
    "axes.linewidth": 1.25,
    "axes.spines.bottom": True,
    "axes.spines.left": True,
    "axes.spines.right": True,
    "axes.spines.top": True,
    "axes.titlesize": 12,
    "figure.facecolor": "white",
    "font.family": ["sans-serif"],
    "font.sans-serif": [
        "Arial",
        "DejaVu Sans",
        "Liberation Sans",
        "Bitstream Vera Sans",
        "sans-serif",
    ],
    "font.size": 12,
    "grid.color": ".8",
    "grid.linestyle": "-",
    "grid.linewidth": 1,
    "legend.fontsize": 11,
    "legend.title_fontsize": 12,
    "lines.linewidth": 1.5,
    "lines.markersize": 6,
    "lines.solid_capstyle": "round",
    "patch.edgecolor": "w",
    "patch.force_edgecolor": True,
    "patch.linewidth": 1,
    "text.color": ".15",
    "xtick.bottom": False,
    "xtick.color": ".15",
    "xtick.direction": "out",
    "xtick.labelsize": 11,
    "xtick.major.size": 6,
    "xtick.major.width": 1.25,
    "xtick.minor.size": 4,
    "xtick.minor.width": 1,
    "xtick.top": False,
    "ytick.color": ".15",
    "ytick.direction": "out",
    "ytick.labelsize": 11,
    "ytick.left": False,
    "ytick.major.size": 6,
    "ytick.major.width": 1.25,
    "ytick.minor.size": 4,
    "ytick.minor.width": 1,
    "ytick.right": False,
}
#: seaborn's "deep" palette, the colour cycle of :data:`SEABORN_WHITEGRID`.
SEABORN_DEEP = (
    "#4c72b0",
    "#dd8452",
    "#55a868",
    "#c44e52",
    "#8172b3",
    "#937860",
    "#da8bc3",
    "#8c8c8c",
    "#ccb974",
    "#64b5cd",
)


class CJKFontNotFound(RuntimeError):
    """No font with Chinese glyphs could be found."""


# path -> family registered in this process (addfont twice would list the faces twice)
_registered: dict[str, str] = {}
# value of $ECOPARK_CJK_FONT -> what find_cjk_font found for it (so setup() stays cheap)
_found: dict[str, tuple[Path, str] | None] = {}
#: The seaborn style of ecopark's own charts (:func:`setup` chooses it).
_style = DEFAULT_STYLE


def _candidates() -> list[tuple[str, Path]]:
    out: list[tuple[str, Path]] = []
    env = os.environ.get(ENV_FONT, "").strip()
    if env:
        out.append((f"${ENV_FONT}", Path(env).expanduser()))
    try:
        import noto_cjk_sans_otc

        out.append(("noto-cjk-sans-otc", Path(noto_cjk_sans_otc.FONT_PATH)))
    except ImportError:  # pragma: no cover - it is a dependency; a broken install falls through
        pass
    out.append(("fonts-noto-cjk", DEBIAN_NOTO))
    out.append(("fonts-wqy-microhei", DEBIAN_WQY))
    return out


def _register(path: Path) -> str:
    """Add the font file to matplotlib's font manager once and return the family to use."""
    key = str(path.resolve())
    if key in _registered:
        return _registered[key]
    font_manager.fontManager.addfont(key)
    names = [
        e.name for e in font_manager.fontManager.ttflist if str(Path(e.fname).resolve()) == key
    ]
    family = next((f for f in PREFERRED_FAMILIES if f in names), None)
    if family is None:
        plain = [n for n in names if "Mono" not in n]
        family = next((n for n in plain if n.endswith(" SC")), (plain or names or [None])[0])
    if family is None:
        raise CJKFontNotFound(f"{key}: matplotlib found no usable font face in this file")
    _registered[key] = family
    return family


def find_cjk_font() -> tuple[Path, str] | None:
    """The CJK font file to use and its family name, or None if there is none.

    Returns
    -------
    (path, family) or None
        ``family`` is the face registered with matplotlib (``"Noto Sans CJK SC"`` for the Noto
        collection, ``"WenQuanYi Micro Hei"`` for WenQuanYi).

    Raises
    ------
    CJKFontNotFound
        ``ECOPARK_CJK_FONT`` names a file that does not exist (a typo should not pass silently).
    """
    env = os.environ.get(ENV_FONT, "").strip()
    if env in _found:
        return _found[env]
    result = None
    for origin, path in _candidates():
        if path.is_file():
            result = path, _register(path)
            break
        if origin.startswith("$"):
            raise CJKFontNotFound(f"{ENV_FONT}={path}: no such font file")
    _found[env] = result
    return result


def _not_found_message() -> str:
    tried = "\n".join(f"  - {origin}: {path}" for origin, path in _candidates())
    return (
        "未找到中文字体，图中的中文将显示为方框。No font with Chinese glyphs was found; tried:\n"
        f"{tried}\n"
        "Fix: `pip install noto-cjk-sans-otc==0.0.1` (an ecopark dependency), or "
        "`apt-get install fonts-noto-cjk` (or fonts-wqy-microhei), or set "
        f"{ENV_FONT}=/path/to/a/cjk-font.ttc. Set {ENV_ALLOW_TOFU}=1 to draw anyway."
    )


@functools.cache
def _theme(style: str) -> dict[str, object]:
    """The rcParams of a seaborn ``style`` (its "notebook" context), without applying them."""
    if style == DEFAULT_STYLE:
        from cycler import cycler
        from matplotlib.colors import to_rgb

        return {
            **SEABORN_WHITEGRID,
            "axes.prop_cycle": cycler(color=[to_rgb(c) for c in SEABORN_DEEP]),
        }
    import seaborn as sns
    from cycler import cycler

    theme = {**sns.plotting_context("notebook"), **sns.axes_style(style)}
    theme["axes.prop_cycle"] = cycler(color=sns.color_palette("deep"))
    return theme


def chart_rc() -> dict[str, object]:
    """The rcParams of an ecopark chart: the chosen seaborn style, the CJK font (then DejaVu Sans
    for what it lacks), the true minus sign (U+2212: Noto Sans CJK and WenQuanYi have
    it) and 100 dpi. Applied only inside ecopark's figures (:func:`chart_style`)."""
    family = setup()
    rc = dict(_theme(_style))
    # the faces by name, not "sans-serif": a text keeps them when drawn in an analyst's axes,
    # where the generic family would be looked up in the analyst's rcParams
    rc["font.family"] = [family, LATIN_FALLBACK]
    rest = [f for f in rc.get("font.sans-serif", []) if f not in (family, LATIN_FALLBACK)]
    rc["font.sans-serif"] = [family, LATIN_FALLBACK, *rest]
    rc["axes.unicode_minus"] = True
    rc["figure.dpi"] = 100
    return rc


def chart_style() -> contextlib.AbstractContextManager:
    """A context in which matplotlib draws as an ecopark chart (:func:`chart_rc`); the
    analyst's rcParams are back as they were when it ends."""
    return mpl.rc_context(chart_rc())


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """A context in which Python's cyclic garbage collector does not run (it is switched back
    on after, if it was on). Building and drawing a chart makes thousands of artists and
    transforms, which set off a collection every few hundred, each of them walking every
    object alive (a report kernel's data and figures): some 7 % of the report charts' CPU. Paused,
    the garbage is collected once, at the next collection after; nothing drawn changes."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def in_chart_style(chart: Callable[P, R]) -> Callable[P, R]:
    """Decorator: the chart function builds its figure inside :func:`chart_style`, with the
    garbage collector paused (:func:`collection_paused`)."""

    @functools.wraps(chart)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with chart_style(), collection_paused():
            return chart(*args, **kwargs)

    return wrapper


def setup(style: str | None = None) -> str:
    """Find and register the CJK font, and choose the style of ecopark's charts.

    Never changes the analyst's matplotlib or seaborn settings: every ecopark chart is built and
    drawn inside :func:`chart_style`, so a user's ``sns.set_theme()`` or ``plt.rcParams`` change
    neither ecopark's charts nor is changed by them. The first call registers the CJK font with
    ``fontManager.addfont`` (no font-cache rebuild); later calls cost microseconds.

    Parameters
    ----------
    style : str, optional
        The seaborn style of ecopark's charts from now on (default ``"whitegrid"``, applied from
        :data:`SEABORN_WHITEGRID` without importing seaborn; any other through seaborn).

    Returns
    -------
    str
        The font family in use (``"Noto Sans CJK SC"``), or ``"DejaVu Sans"`` when no CJK font was
        found and ``ECOPARK_ALLOW_TOFU=1`` allows drawing anyway.

    Raises
    ------
    CJKFontNotFound
        No CJK font was found and ``ECOPARK_ALLOW_TOFU`` is not set.
    """
    global _style
    found = find_cjk_font()
    if found is None:
        if os.environ.get(ENV_ALLOW_TOFU, "").strip() not in ("", "0"):
            warnings.warn(_not_found_message(), RuntimeWarning, stacklevel=2)
            family = LATIN_FALLBACK
        else:
            raise CJKFontNotFound(_not_found_message())
    else:
        family = found[1]
    if style is not None:
        _theme(style)  # an unknown style is an error now, not at the next chart
        _style = style
    return family
