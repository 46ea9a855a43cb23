"""Charts: Chinese renders with no glyph warning, real numbers drawn, one colour per status."""

from __future__ import annotations

import copy
import functools
import html
import io
import re
import time
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_rgba
from matplotlib.font_manager import fontManager

import ecopark
from chart_support import (
    REPORT_CHARTS,
    assert_prints_at_its_own_size,
    report_charts,
    report_session,
    svg_width_pt,
)
from ecopark import plotting as ep
from ecopark.attribution import attribute
from ecopark.errors import InputError
from ecopark.gaps import gap_table
from ecopark.plotting import TEXT_WIDTH_IN, fonts
from ecopark.sectors import sector_files, sector_shares, structure_intensity
from ecopark.status import STATUS_COLOURS
from ecopark.trends import park_trends
from ecopark.whatif import what_it_would_take as solve

pytestmark = pytest.mark.slow  # renders charts (seconds each); make test runs them

CJK = re.compile(r"[\u4e00-\u9fff]")
EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example-park"


#: What seaborn imports only for densities and clustering (``scipy.stats``: ≈ 1.7 s of CPU),
#: and falls back from when it is missing; no test here draws one.
_SEABORN_SCIPY = ("scipy.stats", "scipy.cluster")


@pytest.fixture(scope="module")
def sns():
    """seaborn, imported by the tests that use it (not by every xdist worker at collection).

    Imported as if scipy were not installed when scipy's statistics are not loaded yet: the
    themes, styles and palettes these tests compare do not depend on scipy (seaborn's own
    kernel density estimate stands in for scipy's)."""
    import sys

    loaded = "seaborn" in sys.modules
    blocked = [] if loaded else [name for name in _SEABORN_SCIPY if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # an import of it raises ImportError
    try:
        import seaborn
    finally:
        for name in blocked:
            del sys.modules[name]
    return seaborn


# Parks, assessments and the charts several tests look at are made once per process, not per
# module fixture: under xdist's worksteal a worker may run this module's tests in two stretches,
# and a module fixture would be made again for the second.


@functools.cache
def _park(folder: Path) -> ecopark.Park:
    return ecopark.load_park(folder)


@functools.cache
def _assessed(folder: Path, year: int) -> Any:
    return ecopark.assess(_park(folder), year)


@functools.cache
def _park_trends(park: ecopark.Park) -> tuple[Any, Any]:
    return park_trends(park)


@pytest.fixture
def nantong(nantong_dir):
    return _park(nantong_dir)


@pytest.fixture
def a2021(nantong_dir):
    return _assessed(nantong_dir, 2021)


# The charts draw tables; these compute them as a report session would.


def overview(a, **kw):
    return ep.assessment_overview(gap_table(a), a, **kw)


def whatif(a, numbers=None, table=None, **kw):
    numbers = None if numbers is None else [str(n) for n in numbers]
    table = solve(a, numbers) if table is None else table
    return ep.what_it_would_take(table, gap_table(a), a, numbers, **kw)


def waterfall(park, number, year_from=None, year_to=None, **kw):
    number = str(number)
    y0 = park.config.base_year if year_from is None else year_from
    y1 = park.years[-1] if year_to is None else year_to
    t = attribute(park, y0, y1, numbers=[number])
    gaps = [gap_table(ecopark.assess(park, y)) for y in (y0, y1)]
    return ep.attribution_chart(t, number, *gaps, **kw)


def trend(park, number, **kw):
    return ep.trend_chart(*_park_trends(park), str(number), **kw)


def sectors(park, number):
    y1 = max(sector_files(park))
    y0 = park.config.base_year
    try:
        effects, note = structure_intensity(park, number, y0, y1, by_sector=True), ""
    except (ValueError, InputError) as exc:
        effects, note = None, ep.effects_note(exc, number, y0, y1)
    shares = sector_shares(park, y1, number)
    return ep.sector_contributions(shares, effects, standard=park.standard, note=note)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@contextmanager
def clean():
    """Fail on a "missing from font" warning and on any warning from matplotlib or seaborn.

    The glyph warning fires at draw time, so the block must draw (:func:`render`).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    assert_clean(caught)


def assert_clean(caught: list[warnings.WarningMessage]) -> None:
    """No "missing from font" warning and no warning from matplotlib or seaborn in ``caught``."""
    glyph = [w for w in caught if "missing from font" in str(w.message)]
    assert not glyph, [str(w.message) for w in glyph[:3]]
    libs = [
        w
        for w in caught
        if re.search(r"[/\\](matplotlib|seaborn)[/\\]", w.filename or "")
        or type(w.category).__module__.startswith(("matplotlib", "seaborn"))
        or issubclass(w.category, mpl.MatplotlibDeprecationWarning)
    ]
    assert not libs, [
        f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in libs[:3]
    ]


def render(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    data = buf.getvalue()
    check_png(data)
    return data


def check_png(data: bytes) -> None:
    """A PNG of a chart (not an empty picture)."""
    assert data.startswith(b"\x89PNG") and len(data) > 10_000


@dataclass(frozen=True)
class Shown:
    """A chart made and shown once as a notebook shows it (``_repr_png_``), and what making and
    showing it did: the warnings, pyplot's figures, the analyst's rcParams before and after."""

    fig: Any
    png: bytes
    caught: list[warnings.WarningMessage]
    rc_before: dict
    rc_made: dict
    rc_shown: dict
    fignums: list[int]
    manager: Any


def show(draw: Callable[[], Any]) -> Shown:
    """Make a chart with ``draw`` and show it as JupyterLab does, recording what that did."""
    plt.close("all")
    before = _rc()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = draw()
        made, fignums, manager = _rc(), plt.get_fignums(), fig.canvas.manager
        png = fig._repr_png_()  # savefig(format="png"), as render() does
    return Shown(fig, png, caught, before, made, _rc(), fignums, manager)


def _noted_whatif(a) -> Any:
    """whatif(a, [28]) with a source note (test_source_note; source_note returns the figure)."""
    fig = whatif(a, [28])
    assert ep.source_note(fig, "南通经济技术开发区 2021 年统计数据") is fig
    return fig


@functools.cache
def _shown(folder: Path, name: str) -> Shown:
    park, a2021 = _park(folder), _assessed(folder, 2021)
    draws = {
        "overview": lambda: overview(a2021),
        "attribution": lambda: waterfall(park, 11, 2015, 2021),
        "trend": lambda: trend(park, 14),
        "source_note": lambda: _noted_whatif(a2021),
    }
    return show(draws[name])


@pytest.fixture
def shown(nantong_dir) -> Callable[[str], Shown]:
    """The charts of Nantong several tests look at, each made and drawn once per process (on
    first use): ``shown(name)``.

    The tests read the figures, none changes them."""
    return functools.partial(_shown, nantong_dir)


def shown_clean(shown: Callable[[str], Shown], name: str) -> Any:
    """The figure of ``shown(name)``, made and drawn with no warning (:func:`clean`) to a PNG."""
    made = shown(name)
    assert_clean(made.caught)
    check_png(made.png)
    return made.fig


def texts(fig) -> list[str]:
    """Every string drawn in the figure (titles, labels, ticks, annotations, legends)."""
    return [t.get_text() for t in fig.findobj(mpl.text.Text) if t.get_text()]


def artist(fig, gid: str):
    found = [a for a in fig.findobj() if getattr(a, "get_gid", lambda: None)() == gid]
    assert found, f"no artist with gid {gid!r}"
    return found[0]


def face(fig, gid: str) -> tuple[float, ...]:
    a = artist(fig, gid)
    if isinstance(a, mpl.lines.Line2D):  # a marker (the years of a trend)
        colour = to_rgba(a.get_markerfacecolor())
    else:
        colour = a.get_facecolor()
    if hasattr(colour, "ndim") and colour.ndim == 2:  # a scatter collection
        colour = colour[0]
    return tuple(round(float(c), 6) for c in colour)


def rgba(status: str) -> tuple[float, ...]:
    return tuple(round(c, 6) for c in to_rgba(STATUS_COLOURS[status]))


def chinese_title_and_labels(ax) -> None:
    assert CJK.search(ax.get_title()), ax.get_title()
    labels = [
        ax.get_xlabel(),
        ax.get_ylabel(),
        *[t.get_text() for t in ax.get_xticklabels()],
        *[t.get_text() for t in ax.get_yticklabels()],
    ]
    assert any(CJK.search(s) for s in labels), labels


# ---------------------------------------------------------------------------------------- setup


def _rc() -> dict:
    """The analyst's rcParams as they are now (a deep copy: lists and cyclers compared by value)."""
    return copy.deepcopy(dict(mpl.rcParams))


def test_setup_registers_the_simplified_chinese_face_once():
    before = _rc()
    family = ep.setup()
    assert family == "Noto Sans CJK SC"
    count = len(fontManager.ttflist)
    start = time.perf_counter()
    for _ in range(200):
        assert ep.setup() == family
    assert time.perf_counter() - start < 0.5  # cheap: no addfont after the first
    assert len(fontManager.ttflist) == count  # the .ttc's faces are not listed twice
    assert _rc() == before  # the analyst's settings are not ecopark's to change (issue 14)
    rc = fonts.chart_rc()  # what ecopark's own figures are drawn with
    assert rc["font.family"] == ["Noto Sans CJK SC", "DejaVu Sans"]
    assert rc["font.sans-serif"][:2] == ["Noto Sans CJK SC", "DejaVu Sans"]
    assert rc["axes.unicode_minus"] is True  # Noto has U+2212 (trap 4)
    assert rc["figure.dpi"] == 100
    path, fam = ep.find_cjk_font()
    assert fam == "Noto Sans CJK SC" and path.name == "NotoSansCJK-Regular.ttc"


def test_setup_and_charts_never_change_the_analysts_style(nantong, sns):
    """A user's own theme stays the user's: ecopark's style lives inside ecopark's figures (a
    chart quick to draw, trend(nantong, 14): the style is the same for every chart)."""
    with mpl.rc_context():
        sns.set_theme(style="darkgrid", font_scale=1.3)
        mpl.rcParams["lines.linewidth"] = 4.0
        theirs = _rc()
        ep.setup()
        assert _rc() == theirs
        ep.setup(style="ticks")  # ecopark's charts from now on; not the analyst's
        assert _rc() == theirs
        ep.setup(style="whitegrid")
        with clean():
            fig = trend(nantong, 14)
            render(fig)
        assert _rc() == theirs
        # the chart is ecopark's style, the analyst's figures keep theirs
        assert fig.axes[0].get_facecolor() == to_rgba("white")
        mine = plt.figure()
        assert mine.add_subplot().get_facecolor() == to_rgba("#EAEAF2")
        plt.close(mine)


def test_charts_survive_a_later_user_set_theme(nantong, sns):
    sns.set_theme(style="darkgrid")  # a user's theme resets the fonts (trap 2)
    try:
        assert mpl.rcParams["font.sans-serif"][0] != "Noto Sans CJK SC"
        with clean():  # no missing glyph: the chart is drawn with the CJK face all the same
            fig = trend(nantong, 14)  # its title, labels and note in Chinese
            render(fig)
        assert mpl.rcParams["font.sans-serif"][0] != "Noto Sans CJK SC"  # and left as it was
        assert mpl.rcParams["axes.facecolor"].upper() == "#EAEAF2"
        assert fig.axes[0].get_facecolor() == to_rgba("white")
    finally:
        mpl.rcdefaults()


def test_an_explicit_style_applies_to_ecoparks_charts(nantong):
    try:
        ep.setup(style="darkgrid")
        fig = trend(nantong, 14)  # a chart quick to make: the style is every chart's
        assert fig.axes[0].get_facecolor() == to_rgba("#EAEAF2")
        assert mpl.rcParams["axes.facecolor"] == "white"  # matplotlib's default, untouched
    finally:
        ep.setup(style="whitegrid")
    assert trend(nantong, 14).axes[0].get_facecolor() == to_rgba("white")


def test_env_font_wins_and_a_missing_one_is_an_error(monkeypatch):
    import noto_cjk_sans_otc

    monkeypatch.setattr(fonts, "_found", {})
    monkeypatch.setenv(fonts.ENV_FONT, str(noto_cjk_sans_otc.FONT_PATH))
    assert ep.find_cjk_font()[1] == "Noto Sans CJK SC"
    monkeypatch.setenv(fonts.ENV_FONT, "/nonexistent/font.ttc")
    with pytest.raises(ep.CJKFontNotFound, match="ECOPARK_CJK_FONT"):
        ep.setup()


def test_no_cjk_font_raises_unless_tofu_is_allowed(monkeypatch):
    monkeypatch.setattr(fonts, "_found", {})
    monkeypatch.delenv(fonts.ENV_FONT, raising=False)
    monkeypatch.setattr(
        fonts, "_candidates", lambda: [("fonts-noto-cjk", Path("/nonexistent/NotoSansCJK.ttc"))]
    )
    monkeypatch.delenv(fonts.ENV_ALLOW_TOFU, raising=False)
    with pytest.raises(ep.CJKFontNotFound, match="noto-cjk-sans-otc"):
        ep.setup()
    monkeypatch.setenv(fonts.ENV_ALLOW_TOFU, "1")
    with pytest.warns(RuntimeWarning, match="未找到中文字体"):
        assert ep.setup() == "DejaVu Sans"
    monkeypatch.setattr(fonts, "_found", {})
    monkeypatch.undo()
    assert ep.setup() == "Noto Sans CJK SC"


# --------------------------------------------------------------------------------------- charts


def test_overview_nantong_2021(shown):
    fig = shown_clean(shown, "overview")
    ax = fig.axes[0]
    chinese_title_and_labels(ax)
    assert "南通经济技术开发区 2021 年" in ax.get_title()
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert len(ticks) == 32
    assert ticks[27] == "28 单位工业增加值固废产生量"
    assert ticks[17].startswith("18 工业园区") and "…" in ticks[17]  # long name: head…tail
    drawn = texts(fig)
    assert "−40.7%" in drawn and "+4.6%" in drawn  # 28 fails by 40.7 %, 14 passes by 4.6 %
    for status, number in (("fail", 28), ("fail", 12), ("at_risk", 14), ("pass", 11)):
        assert face(fig, f"indicator-{number}") == rgba(status)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["达标", "临界", "未达标", "必选", "已选", "未选"]
    # role markers: ■ must (5), ● selected (2, 14), ○ optional not selected (28: hollow)
    assert artist(fig, "role-5-must").get_marker() == "s"
    assert artist(fig, "role-14-selected").get_markerfacecolor() != "white"
    assert artist(fig, "role-28-optional").get_markerfacecolor() == "white"


def nantong_2021_whatif(charts: tuple) -> None:
    """Nantong's what it would take in 2021 as its report draws it (whatif(a2021) of the
    session's tables, drawn with no warning: checked by the layout test, whose draw this is;
    formerly test_what_it_would_take_nantong_2021 on a draw to PNG of its own), and its
    colours the overview's (from test_same_status_same_colour_across_charts)."""
    shown = {made.name: made.shown for made in charts if hasattr(made.shown, "figure")}
    fig, ov = shown["whatif_chart"].figure, shown["overview_chart"].figure
    ax = fig.axes[0]
    chinese_title_and_labels(ax)
    drawn = texts(fig)
    assert "690,541 → 490,620 吨（−29.0%）" in drawn
    # drawn at A4's text width, a text longer than the column breaks before its change in %
    assert "4,906,200 → 6,905,407 万元\n（+40.7%）" in drawn
    assert "51.8 → 177,690 吨标煤\n（+342,931.1%）" in drawn  # 177,690.1: to 0.1 tce as written
    # each indicator's heading across the chart, its items' names as the y tick labels
    heads = [t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("heading-")]
    assert heads[-1] == "28 单位工业增加值固废产生量（0.14，要求 ≤0.1）"
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[-3:] == ["", "工业固体废物总产生量", "工业增加值"]
    assert face(fig, "indicator-28-solid_waste_generated") == rgba("fail")
    assert face(fig, "indicator-14-fresh_water") == rgba("at_risk")
    # the same status, the same colour in the overview and what it would take
    assert face(ov, "indicator-28") == face(fig, "indicator-28-value_added")
    assert face(ov, "indicator-14") == face(fig, "indicator-14-value_added")
    # the overview drawn at A4's text width (formerly in test_report_print's
    # test_overview_chart_is_drawn_at_the_a4_text_width, on a draw of its own)
    assert svg_width_pt(shown["overview_chart"].svg) == pytest.approx(TEXT_WIDTH_IN * 72, abs=0.5)
    # 32 rows at 0.18 in: the overview fits one A4 page below its heading (259 mm of text)
    assert ov.get_figheight() == pytest.approx(1.4 + 0.18 * 32)
    assert ov.get_figheight() * 25.4 < 259 - 30


def test_what_it_would_take_marks_unreachable(a2021):
    import pandas as pd

    table = solve(a2021, [28]).copy()
    table.loc[1, ["required_value", "required_change_pct", "reachable", "reason_zh"]] = [
        None,
        None,
        False,
        "工业增加值取任何非负值都达不到要求（≤0.1）",
    ]
    with clean():
        fig = whatif(a2021, [28], table=table)
        render(fig)
    assert any(s.startswith("无法达到：") for s in texts(fig))
    assert "仅调整该项无法达到" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert isinstance(table, pd.DataFrame)


def test_attribution_nantong_11(nantong, shown):
    # waterfall(nantong, 11): from the base year to the last year, drawn as (11, 2015, 2021)
    assert (nantong.config.base_year, nantong.years[-1]) == (2015, 2021)
    fig = shown_clean(shown, "attribution")
    ax = fig.axes[0]
    chinese_title_and_labels(ax)
    assert "2015→2021" in ax.get_title()
    drawn = texts(fig)
    assert "−0.00535（×0.989）" in drawn and "−0.203（×0.666）" in drawn
    assert "0.611" in drawn and "0.4024" in drawn
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["2015 年", "分子：\n综合能耗总量", "分母：\n工业增加值", "2021 年"]
    assert face(fig, "level-2015") == rgba("fail")  # 0.611 > 0.5
    assert face(fig, "level-2021") == rgba("pass")


def test_attribution_not_decomposable_says_why(nantong):
    with clean():
        fig = waterfall(nantong, 1)
        render(fig)
    drawn = [s.replace("\n", "") for s in texts(fig)]
    assert any(
        s.startswith("无法分解：2015 年无法计算：缺少数据：高新技术企业工业总产值") for s in drawn
    )


def test_trend_nantong_14(shown):
    fig = shown_clean(shown, "trend")
    ax = fig.axes[0]
    chinese_title_and_labels(ax)
    assert ax.get_title() == "14 单位工业增加值新鲜水耗"
    assert "数据年份不足（少于 3 年），不作趋势判断" in texts(fig)
    assert face(fig, "year-2015") == rgba("fail")  # 10.08 > 8
    assert face(fig, "year-2021") == rgba("at_risk")  # 7.63, margin 4.6 %


def test_same_status_same_colour_across_charts(shown):
    """(The overview against what it would take: nantong_2021_whatif, on the report's draws.)"""
    ov, tr, attribution = (
        shown_clean(shown, name) for name in ("overview", "trend", "attribution")
    )
    assert face(ov, "indicator-14") == face(tr, "year-2021")
    assert face(ov, "indicator-11") == face(attribution, "level-2021")
    assert face(ov, "indicator-28") != face(ov, "indicator-14")


def test_charts_draw_into_a_given_axes(nantong, a2021):
    """Charts drawn into the analyst's own (pyplot) figure: only that figure is pyplot's, and
    the analyst's rcParams stay as they were, after the draw too."""
    plt.close("all")
    before = _rc()
    fig, axes = plt.subplots(1, 2, figsize=(14, 5), layout="constrained")
    with clean():
        assert trend(nantong, 11, ax=axes[0]) is fig
        assert waterfall(nantong, 14, ax=axes[1]) is fig
        assert plt.get_fignums() == [fig.number] and _rc() == before
        render(fig)
    assert CJK.search(axes[0].get_title()) and CJK.search(axes[1].get_title())
    assert plt.get_fignums() == [fig.number] and _rc() == before


def test_source_note(shown):
    from PIL import Image

    fig = shown_clean(shown, "source_note")  # whatif(a2021, [28]) noted, drawn to a PNG
    note = fig.get_supxlabel()
    assert note == "数据来源：南通经济技术开发区 2021 年统计数据"
    # a chart's PNG is as many pixels wide as the text width at its dpi (formerly
    # test_chart_print's test_a_chart_png_is_as_many_pixels_wide_as_the_text_width_at_its_dpi,
    # on a draw of its own of the same chart without the note)
    assert fig.get_figwidth() == pytest.approx(TEXT_WIDTH_IN)
    assert fig.dpi == 100
    width, _ = Image.open(io.BytesIO(shown("source_note").png)).size
    assert width == int(TEXT_WIDTH_IN * 100) == 700  # 700.8 pixels, whole ones
    other = ep.new_figure(figsize=(3, 2))[0]  # the shared figure is left as it is
    ep.source_note(other, "南通经济技术开发区 2021 年统计数据")
    ep.source_note(other, "数据来源：园区统计")
    assert other.get_supxlabel() == "数据来源：园区统计"  # replaced; the prefix is not doubled


def test_indicator_label():
    assert ep.indicator_label("28", "单位工业增加值固废产生量") == "28 单位工业增加值固废产生量"
    long = "工业园区国家重点污染物排放总量控制指标及地方特征污染物排放总量控制指标完成情况"
    short = ep.indicator_label("18", long, 18)
    assert short == "18 工业园区国家重点污…控制指标完成情况"
    assert len(short) == len("18 ") + 18
    assert ep.indicator_label("18", long, 20, wrap_lines=True).count("\n") == 1


# ------------------------------------------------------------------ the example park (synthetic)


@pytest.fixture
def example():
    if not EXAMPLE.is_dir():
        pytest.skip("data/example-park is not there")
    return _park(EXAMPLE)


def test_trend_example_park_projects_the_crossing(example):
    s = report_session("example-park", 2023)  # its park_trends: every year, as park_trends(example)
    assert s.years == example.years
    series, trends = s.series, s.fits
    fit = trends.set_index("number").loc["12"]
    with clean():
        fig = ep.trend_chart(series, trends, "12")
        render(fig)
    ax = fig.axes[0]
    chinese_title_and_labels(ax)
    drawn = texts(fig)
    crossing = int(fit["crossing_year"])
    assert f"{crossing} 年" in drawn
    assert fit["slope"] > 0.3  # renewables grow from 1 % to about 5.6 % over 2015-2023
    pace = f"+{fit['slope']:.3g}"
    assert any(
        s.startswith(f"按现有速度将于 {crossing} 年达标（拟合速度 {pace} 个百分点/年")
        for s in drawn
    ), drawn
    assert ax.get_xlim()[1] == pytest.approx(crossing + 1.5)  # drawn on to the crossing
    for year in range(2015, 2024):
        assert face(fig, f"year-{year}") == rgba("fail")  # 12 fails every year (1 → 5.6 %)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["未达标", "考核要求", "线性拟合与外推"]


def test_trend_example_park_years_coloured_by_status(example):
    s = report_session("example-park", 2023)  # its park_trends: every year, as park_trends(example)
    assert s.years == example.years
    with clean():
        fig = ep.trend_chart(s.series, s.fits, "27")  # trend(example, 27)
        render(fig)
    assert set(s.series.attrs) == {"rules"}  # the table drawn is left as it was given
    # 27 fails until 2019 and passes from 2020 (data/example-park/README.md)
    assert face(fig, "year-2015") == rgba("fail")
    assert face(fig, "year-2023") in (rgba("pass"), rgba("at_risk"))


@functools.cache
def _sectors_28() -> Shown:
    return show(lambda: ep.source_note(sectors(_park(EXAMPLE), 28), "示例园区（合成数据）"))


@pytest.fixture
def sectors_28(example) -> Shown:
    """sectors(example, 28) with a source note, made and shown once per process (two tests
    look at it)."""
    return _sectors_28()


def test_sector_contributions_example_park_28(example, sectors_28):
    shares = sector_shares(example, 2023, 28)
    effects = structure_intensity(example, 28, by_sector=True)
    assert_clean(sectors_28.caught)  # made, noted and drawn to a PNG with no warning
    check_png(sectors_28.png)
    fig = sectors_28.fig
    left, right = fig.axes
    assert "28 单位工业增加值固废产生量" in fig.get_suptitle()
    chinese_title_and_labels(left)
    chinese_title_and_labels(right)
    top = shares.sort_values("share").iloc[-1]  # the largest share is the top bar
    assert left.get_yticklabels()[-1].get_text().startswith(top["sector"])
    drawn = texts(fig)
    assert f"{top['share'] * 100:.1f}%" in drawn
    total = effects[effects["sector"] == "合计"].set_index("factor")["effect"]
    structure = float(total[[f for f in total.index if f.startswith("结构效应")][0]])
    intensity = float(total[[f for f in total.index if f.startswith("强度效应")][0]])
    assert artist(fig, "effect-structure-合计").get_width() == pytest.approx(structure)
    assert artist(fig, "effect-intensity-合计").get_width() == pytest.approx(intensity)
    assert structure + intensity == pytest.approx(
        effects["to_value"].iloc[0] - effects["from_value"].iloc[0]
    )
    assert "数据来源：示例园区（合成数据）" in fig.get_supxlabel()


def test_sector_contributions_without_decomposition_says_why(example):
    with clean():
        fig = sectors(example, 25)  # four pollutants: shares only
        render(fig)
    assert len(fig.axes) == 1
    assert "指标 25 不是“单位工业增加值”强度指标" in fig.get_supxlabel()
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[:2] == ["COD排放量占比", "氨氮排放量占比"] and legend[-1] == "工业增加值占比"


def nantong_2015_overview(charts: tuple) -> None:
    """Nantong's overview of 2015 as its report draws it (overview(a) of the session's gap
    table, a = ecopark.assess(nantong, 2015), drawn with no warning: checked by the layout
    test, whose draw this is): what cannot be computed is said, in the chart and its legend,
    and each requirement is the one that applies (formerly test_overview_shows_not_computable
    and test_overview_requirement_that_applies, on a draw of their own)."""
    (fig,) = [made.shown.figure for made in charts if made.name == "overview_chart"]
    drawn = texts(fig)
    assert any(s.startswith("无法计算：缺少数据：年末从业人口") for s in drawn)
    assert "无法计算" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    # g_V cannot be computed: no elasticity branch chosen
    gaps = report_session("nantong-etdz", 2015).gaps  # gap_table(a)
    assert gaps.set_index("number").at["10", "requirement"] == ">0 时 ≤0.6；<0 时 ≥0.6"
    assert "≤0.6 或 ≥0.6" in drawn and "≤0.55 或 ≥0.55" in drawn  # 10 and 13: both branches
    assert "≥10" in drawn  # 16: the park's water region (other), not every region's limit
    assert not any("时" in t for t in drawn)


def example_park_overview_and_whatif(charts: tuple) -> None:
    """The example park's overview and what it would take in 2023, as its report draws them
    (overview(a) and whatif(a) of the session's tables, a = ecopark.assess(example, 2023),
    drawn with no warning: checked by the layout test, whose draws these are): its title, and
    the same colour for a status in both charts."""
    figures = {made.name: made.shown.figure for made in charts if hasattr(made.shown, "figure")}
    ov, wi = figures["overview_chart"], figures["whatif_chart"]
    assert "示例园区 2023 年" in ov.axes[0].get_title()
    assert face(ov, "indicator-28") == face(wi, "indicator-28-value_added") == rgba("fail")
    assert (
        face(ov, "indicator-7") == face(wi, "indicator-7-recyclables_collected") == rgba("at_risk")
    )


# ------------------------------------------------------------------ tables in, figures out


def test_every_chart_leaves_pyplot_and_the_rcparams_alone(shown, sectors_28):
    """Figures displayed once in Lab: none is managed by pyplot (the inline backend would show it
    again at the end of the cell); and the analyst's rcParams are as before every chart. (A
    chart drawn into the analyst's own figure: test_charts_draw_into_a_given_axes.)"""
    charts = {  # made and shown once for the process (the fixtures shown and sectors_28)
        "overview": lambda: shown("overview"),
        "attribution": lambda: shown("attribution"),  # waterfall(nantong, 11, 2015, 2021)
        "trend": lambda: shown("trend"),
        "sectors": lambda: sectors_28,  # sectors(example, 28), with a source note
        "source_note": lambda: shown("source_note"),  # what it would take (28), with a note
    }
    for name, made in charts.items():
        made = made()
        assert made.fignums == [], name
        assert made.manager is None, name
        assert made.rc_made == made.rc_before, name
        assert made.png.startswith(b"\x89PNG"), name  # how Lab shows the returned figure, once
        assert made.rc_shown == made.rc_before, name


def test_a_chart_png_is_fast_to_encode_and_the_same_picture(shown, tmp_path):
    """PNGs at zlib level 1: the same pixels as PIL's default level, for half the encoding."""
    from PIL import Image

    from ecopark.plotting.layout import PNG_COMPRESSION

    # trend(nantong, 14), drawn to a PNG: fig.savefig(fast, format="png") (the cheapest of the
    # charts shown; formerly the overview, drawn again at level 6)
    made = shown("trend")
    fig, fast, default = made.fig, io.BytesIO(made.png), io.BytesIO()
    fig.savefig(default, format="png", pil_kwargs={"compress_level": 6})
    assert PNG_COMPRESSION == 1 and fast.getvalue() != default.getvalue()
    # a file named *.png is written at the same level
    fig.savefig(tmp_path / "chart.png")
    assert (tmp_path / "chart.png").read_bytes() == made.png
    pictures = [Image.open(io.BytesIO(b.getvalue())).convert("RGBA") for b in (fast, default)]
    assert pictures[0].tobytes() == pictures[1].tobytes()
    assert len(fast.getvalue()) <= len(default.getvalue()) * 1.1


def test_charts_compute_nothing():
    """No chart module imports an analysis, the engine or a park: they draw the tables given."""
    import ast

    computing = {
        "assess",
        "attribute",
        "gap_table",
        "what_it_would_take",
        "sector_shares",
        "structure_intensity",
        "sector_files",
        "fit_trends",
        "indicator_series",
        "park_trends",
        "load_park",
        "Park",
    }
    for path in sorted(Path(ep.__file__).parent.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            module = node.module or "" if isinstance(node, ast.ImportFrom) else ""
            if module.startswith("ecopark") and not module.startswith("ecopark.plotting"):
                names = {a.name for a in node.names}
                assert not names & computing, f"{path.name} imports {names & computing}"
                assert node.module not in ("ecopark.engine", "ecopark.io.park"), path.name


def test_attribution_from_the_base_year_reference_is_grey(example):
    from ecopark.plotting.style import LEVEL_COLOUR

    base = example.config.base_year
    t = attribute(example, base, 2023, numbers=[26])
    assert (t["number"] == "26").any()  # 26 is decomposed from the neutral reference 0
    gaps0 = gap_table(ecopark.assess(example, base))
    assert gaps0.set_index("number").at["26", "status"] == "not_computable"
    with clean():
        fig = ep.attribution_chart(t, "26", gaps0, gap_table(ecopark.assess(example, 2023)))
        render(fig)
    assert face(fig, f"level-{base}") == tuple(round(c, 6) for c in to_rgba(LEVEL_COLOUR))
    assert "基准年参照（0）" in [x.get_text() for x in fig.axes[0].get_legend().get_texts()]


# ------------------------------------------------------------------ laid out once, all inside


def _svg_texts(svg: str) -> set[str]:
    """The strings of the ``<text>`` elements of a chart's SVG (one per line of a text)."""
    return {html.unescape(s) for s in re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)}


#: The report charts drawn (the others are a sentence, or nothing) of the park-years whose
#: report charts are checked: every chart is drawn for at least one of them.
DRAWN = {
    # the base year: nothing to attribute, no trend before it; Nantong has no sector files
    ("nantong-etdz", 2015): {"overview_chart", "whatif_chart"},
    ("nantong-etdz", 2021): {"overview_chart", "whatif_chart", "attribution_chart", "trend_charts"},
    ("example-park", 2016): set(REPORT_CHARTS),
    ("example-park", 2023): set(REPORT_CHARTS),
}


#: What the charts of some of these park-years show, checked on the layout test's draws.
SHOWN_BY_THE_DRAWS = {
    ("nantong-etdz", 2015): nantong_2015_overview,
    ("nantong-etdz", 2021): nantong_2021_whatif,
    ("example-park", 2023): example_park_overview_and_whatif,
}


@pytest.mark.parametrize(("park", "year"), list(DRAWN))
def test_report_charts_keep_every_text_inside_and_apart(park, year):
    """Every text of every report chart lies inside the figure after the one draw of
    ``savefig``, and no two texts outside the axes (labels, titles, legends, the overview's
    table, the footer) overlap. The boxes are measured in that draw, with its renderer at its
    dpi (the SVG's: points), as the SVG has them (:mod:`chart_support`). And each chart
    prints at its own size (drawn at A4's text width, no text under 8 pt, short enough for an
    A4 page: :func:`chart_support.assert_prints_at_its_own_size`). And what some of these
    charts show is checked on them (:data:`SHOWN_BY_THE_DRAWS`)."""
    from ecopark.plotting.layout import OnePassLayout
    from ecopark.reports.display import Chart

    assert set().union(*DRAWN.values()) == set(REPORT_CHARTS)  # each chart seen at least once
    charts = report_charts(park, year)
    assert {made.name for made in charts if isinstance(made.shown, Chart)} == DRAWN[park, year]
    drawn = 0
    for made in charts:
        name, chart = made.name, made.shown
        assert_clean(made.caught)
        if not isinstance(chart, Chart):
            continue
        assert_prints_at_its_own_size(chart, (park, year, name))
        fig = chart.figure
        assert fig.get_layout_engine() is None  # no second layout pass at save time
        assert any(isinstance(a, OnePassLayout) for a in fig.get_children())
        (one,) = made.draws  # drawn once, by savefig, and closed
        # the texts measured are the SVG's (each line a <text> of its own)
        in_svg = _svg_texts(chart.svg)
        for text, _ in one.texts:
            assert {line for line in text.split("\n") if line.strip()} <= in_svg, (name, text)
        # 0.5 pixel at the chart's own dpi (100), in the draw's units
        inside = one.figure.padded(0.5 * one.dpi / fig.dpi)
        outside = []
        for text, box in one.texts:
            assert inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1), (
                f"{park} {year} {name}: {text!r} at {box} outside {one.figure}"
            )
            if not any(box.overlaps(a) for a in one.axes):
                outside.append((text, box.shrunk(0.97, 0.9)))
        for i, (a, box_a) in enumerate(outside):
            for b, box_b in outside[i + 1 :]:
                assert not box_a.overlaps(box_b), f"{park} {year} {name}: {a!r} overlaps {b!r}"
        drawn += 1
    assert drawn >= 2
    SHOWN_BY_THE_DRAWS.get((park, year), lambda charts: None)(charts)


def test_default_theme_is_seaborn_whitegrid_without_seaborn(sns):
    """ecopark's charts use seaborn's whitegrid theme from fonts.SEABORN_WHITEGRID: the same rc."""
    theme = {**sns.plotting_context("notebook"), **sns.axes_style("whitegrid")}
    theme.pop("image.cmap")  # a seaborn colormap; not copied (no chart draws an image)
    assert fonts.SEABORN_WHITEGRID == theme
    assert list(fonts.SEABORN_DEEP) == sns.color_palette("deep").as_hex()
    try:
        ep.setup(style="darkgrid")  # another style goes through seaborn
        assert fonts.chart_rc()["axes.facecolor"].upper() == "#EAEAF2"
    finally:
        ep.setup(style="whitegrid")
    rc = fonts.chart_rc()
    assert rc["axes.facecolor"] == "white"
    assert rc["axes.prop_cycle"].by_key()["color"] == list(sns.color_palette("deep"))
    with fonts.chart_style():
        for key, value in theme.items():
            if not key.startswith("font."):  # the fonts are ecopark's (the CJK face first)
                assert mpl.rcParams[key] == mpl.rcsetup._validators[key](value), key


@pytest.mark.parametrize("case", ["plain", "two lines", "ticks on top", "offset text"])
def test_layout_places_titles_where_matplotlib_would(case):
    """The one-pass layout puts an axes' titles where matplotlib's automatic placement would
    and switches it off for the draw only when nothing can push them up; with x tick labels
    on top or an offset text by the y axis it leaves the placement to matplotlib. Either way
    the titles end where matplotlib puts them, and the placement is on again after the draw."""
    from ecopark.plotting.layout import _fix_titles

    fig, axes = ep.new_figure(figsize=(4, 3))
    ax = axes[0, 0]
    ys = [1e6 + k for k in range(4)] if case == "offset text" else [1, 3, 2, 4]
    ax.plot([0, 1, 2, 3], ys)
    ax.set_title("标题\n第二行" if case == "two lines" else "标题")
    ax.set_title("左", loc="left")
    if case == "ticks on top":
        ax.xaxis.tick_top()
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    assert ax._autotitlepos  # on again after the draw
    renderer = canvas.get_renderer()
    fixed = _fix_titles(ax, renderer)
    assert fixed == (case in ("plain", "two lines"))
    ours = [t.get_position() for t in (ax.title, ax._left_title)]
    ax._autotitlepos = True
    ax._update_title_position(renderer)  # matplotlib's own placement
    assert [t.get_position() for t in (ax.title, ax._left_title)] == ours
    if fixed:
        assert ours[0][1] == 1.0
    else:
        assert ours[0][1] > 1.0  # above the top tick labels or the offset text


def test_charts_pause_the_garbage_collector_and_switch_it_back():
    """A chart is built and drawn with the cyclic garbage collector paused; after, it is on
    again if (and only if) it was on before."""
    import gc

    from matplotlib.artist import Artist

    seen = []

    class Probe(Artist):
        def draw(self, renderer):
            seen.append(gc.isenabled())

    @fonts.in_chart_style
    def build():
        seen.append(gc.isenabled())
        return ep.new_figure(figsize=(3, 2))[0]

    assert gc.isenabled()
    fig = build()
    fig.add_artist(Probe())
    fig.savefig(io.BytesIO(), format="svg")
    assert seen == [False, False] and gc.isenabled()
    gc.disable()
    try:
        fig.savefig(io.BytesIO(), format="svg")
        assert not gc.isenabled()  # left off, as it was
    finally:
        gc.enable()
    assert seen == [False, False, False]


def test_a_chart_lays_each_text_out_once_per_draw():
    """In one draw of a chart each of its texts is laid out once (the one-pass layout, the
    axis' tick label boxes and the text's own draw share it), again only when something the
    layout depends on changes, and the texts are left as they were after the draw."""
    from unittest import mock

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    from ecopark.plotting import layout as one_pass
    from ecopark.plotting.layout import _layout_of

    one_pass._layouts.clear()  # no layout kept from a draw of an earlier test

    def chart():
        fig, axes = ep.new_figure(figsize=(4, 3))
        ax = axes[0, 0]
        ax.plot([0, 1, 2], [3, 1, 2])
        ax.set_title("标题")
        ax.set_xlabel("年份")
        ax.annotate("注：外侧", (1, 0.5), xycoords="axes fraction", xytext=(4, 0),
                    textcoords="offset points", annotation_clip=False)  # fmt: skip
        return fig, ax

    laid_out: dict[int, int] = {}
    layout = Text._get_layout

    def counted(text, renderer):
        laid_out[id(text)] = laid_out.get(id(text), 0) + 1
        return layout(text, renderer)

    svgs, same = [], {"svg.hashsalt": "ecopark"}  # no date, the same ids: comparable bytes

    def draw(fig, format="svg") -> list[int]:
        texts = fig.findobj(Text)
        laid_out.clear()
        out = io.BytesIO()
        with mock.patch.object(Text, "_get_layout", counted), mpl.rc_context(same):
            fig.savefig(out, format=format, metadata={"Date": None})
        svgs.append(out.getvalue())
        return [laid_out.get(id(t), 0) for t in texts]  # 0: not drawn (a tick out of view)

    fig, ax = chart()
    times = draw(fig)
    assert max(times) == 1 and times.count(1) >= 8  # title, label, note, tick labels: once each
    assert not any("_get_layout" in t.__dict__ for t in fig.findobj(Text))
    # the same chart again (a report's next chart with the same texts): nothing is laid out
    # again, and its SVG is the same, byte for byte (the SVG renderer is recognised inside the
    # MixedModeRenderer of matplotlib's SVG backend: layout._measured_by)
    assert max(draw(chart()[0])) == 0 and svgs[1] == svgs[0]
    assert not laid_out  # nor the layout's scratch texts that measure the tick labels
    # with a text.* rcParam changed, each text is laid out again (once)
    with mpl.rc_context({"text.hinting": "none"}):
        assert draw(chart()[0]) == times
    assert svgs[2] == svgs[0]  # hinting does not change an SVG's unhinted metrics
    # to a PDF (not a renderer whose layouts are kept): laid out in its draw, once each
    assert draw(chart()[0], "pdf") == times

    renderer = FigureCanvasAgg(fig).get_renderer()
    note, kept = ax.texts[0], {}
    with fonts.chart_style():  # the chart's fonts, as in its draw
        first = _layout_of(note, kept, renderer)
        assert _layout_of(note, kept, renderer) is first
        note.set_fontsize(20)  # a new size: laid out again, wider
        wider = _layout_of(note, kept, renderer)
        assert wider[0].width > 1.5 * first[0].width
        assert wider[0].width == Text._get_layout(note, renderer)[0].width
