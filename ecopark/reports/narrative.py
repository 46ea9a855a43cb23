"""The Chinese narrative of the report notebooks, built from the data.

The notebooks in ``notebooks/`` hold no formula: every number they print comes from a function
here, which in turn only reads results of the analysis modules (:mod:`ecopark.engine`,
:mod:`ecopark.gaps`, :mod:`ecopark.whatif`, :mod:`ecopark.attribution`, :mod:`ecopark.sectors`,
:mod:`ecopark.trends`, :mod:`ecopark.advisor`, :mod:`ecopark.checks`) and words it, e.g.
「可再生能源使用比例为 0.0026%，低于 ≥9% 的要求；达标需可再生能源使用量 177,690 吨标煤（现为 51.8）」.

Text that comes from data files (notes, names, reasons) reaches the page only escaped:
:func:`md` escapes HTML before handing Markdown to the notebook, and tables are pandas
DataFrames, whose HTML pandas escapes. A ``<script>`` in a note is shown, never run.
"""

from __future__ import annotations

import functools
import html
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ecopark.assessment import Assessment
from ecopark.engine import assess
from ecopark.errors import InputError
from ecopark.io.park import Park, load_park
from ecopark.reports.params import ParamsError, check_park_year

ROLE_ZH = {"must": "必选", "selected": "已选", "optional": "未选"}
FAIL_WORD = {">=": "低于", ">": "低于", "<=": "高于", "<": "高于"}


# ---------------------------------------------------------------------------------------------
# Formatting


def fmt(value: Any) -> str:
    """A number as a report prints it: ``177,690``, ``51.8``, ``0.0026``; text as it is."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, str):
        return value
    x = float(value)
    if x == 0:
        return "0"
    if abs(x) >= 1e4:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        text = f"{x:,.2f}".rstrip("0").rstrip(".")
        return text
    return f"{x:.2g}" if abs(x) < 1e-4 else f"{x:.4f}".rstrip("0").rstrip(".")


def fmt_pct(value: float | None, signed: bool = True) -> str:
    """``+40.75%`` / ``−28.95%`` (Unicode minus), two decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{value:+,.2f}%" if signed else f"{value:,.2f}%"
    return text.replace("-", "−")


def with_unit(text: str, unit: str) -> str:
    """``0.0026%``, ``0.14 吨/万元``, ``达标`` (no unit)."""
    if not unit or unit == "-":
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def md(text: str) -> Any:
    """Markdown for a notebook output, with every HTML character of ``text`` escaped.

    ``text`` may use Markdown (``#``, ``-``, ``**``); ``<``, ``>`` and ``&`` are escaped, so text
    from data files cannot inject HTML or script.
    """
    from IPython.display import Markdown

    return Markdown(html.escape(text, quote=False))


def show(*texts: str) -> None:
    """Display each text as escaped Markdown (:func:`md`)."""
    from IPython.display import display

    for text in texts:
        if text:
            display(md(text))


# ---------------------------------------------------------------------------------------------
# The park-year a notebook reports on


@dataclass
class Report:
    """What a notebook reports on: a park, a year and the assessment (computed once)."""

    park: Park
    year: int
    assessment: Assessment

    @property
    def name(self) -> str:
        """The park's Chinese name."""
        return self.park.config.name

    @functools.cached_property
    def gaps(self) -> pd.DataFrame:
        """:func:`ecopark.gaps.gap_table` of the assessment."""
        from ecopark.gaps import gap_table

        return gap_table(self.assessment)

    @functools.cached_property
    def whatif(self) -> pd.DataFrame:
        """:func:`ecopark.whatif.what_it_would_take` of the failing and at-risk indicators."""
        from ecopark.whatif import WHATIF_COLUMNS, what_it_would_take

        numbers = [int(n) for n in self.problems()["number"]]
        if not numbers:
            return pd.DataFrame(columns=WHATIF_COLUMNS)
        return what_it_would_take(self.assessment, numbers)

    @functools.cached_property
    def trends(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(series, fitted trends) of every year of the park (:func:`ecopark.trends.park_trends`)."""
        from ecopark.trends import park_trends

        years = [y for y in self.park.years if y <= self.year]
        return park_trends(self.park, years=years)

    def problems(self) -> pd.DataFrame:
        """Gap-table rows of failing and at-risk indicators."""
        g = self.gaps
        return g[g["status"].isin(["fail", "at_risk"])]


def open_report(park_id: str, year: int, data_dir: str | Path = "../data") -> Report:
    """Load and assess a park-year from the notebook parameters, with clear messages.

    Raises
    ------
    ParamsError
        When a parameter is of the wrong type or names a park or year that does not exist.
    """
    if not isinstance(park_id, str) or not park_id:
        raise ParamsError(
            f"park_id must be a park folder name such as 'nantong-etdz', got {park_id!r}"
        )
    if isinstance(year, bool) or not isinstance(year, int):
        raise ParamsError(f"year must be an integer such as 2021, got {year!r}")
    data_dir = Path(data_dir)
    check_park_year(park_id, year, data_dir, "parameters")
    pd.set_option("display.max_rows", 1000)  # tables in a report are shown whole
    park = load_park(data_dir / park_id)
    return Report(park=park, year=year, assessment=assess(park, year))


def title(report: Report, heading: str) -> str:
    """One line naming the park, the year and the base year (and the synthetic-data mark)."""
    c = report.park.config
    text = (
        f"**{c.name}**（{c.id}）{report.year} 年 {heading}；规划基准年 {c.base_year} 年；"
        f"依据 {report.assessment.standard.code}。"
    )
    if c.synthetic:
        text += "\n\n*本园区为合成示例数据，仅用于演示，并非真实园区。*"
    return text


def source_line(report: Report) -> str:
    """The park's data source (park.yaml ``source``), or a note that none is given."""
    src = report.park.config.source or "park.yaml 未注明数据来源"
    return src


# ---------------------------------------------------------------------------------------------
# 01 考核表


def verdict(report: Report) -> str:
    """The verdict with its reasons and the failing indicators, as Markdown."""
    a = report.assessment
    word = "**符合**" if a.compliant else "**不符合**"
    lines = [f"{report.name} {report.year} 年：{word} {a.standard.code} 的要求。"]
    for i, r in enumerate(a.reasons, start=1):
        lines.append(f"{i}. {r.zh}")
    failing = [r for r in a.results if r.passed is False]
    if failing:
        counted = [r for r in failing if r.counts]
        lines.append("")
        lines.append(
            f"未达标指标 {len(failing)} 项（其中计入考核的 {len(counted)} 项）："
            + "；".join(
                f"{r.number} {r.name_zh} {with_unit(r.display, r.unit)}（要求 {with_unit(r.requirement, r.unit)}，"
                f"{ROLE_ZH.get(r.role, r.role)}）"
                for r in failing
            )
            + "。"
        )
    else:
        lines.append("")
        lines.append("所有可计算的指标均达到要求。")
    missing = [r for r in a.results if not r.computable]
    if missing:
        lines.append(
            f"无法计算的指标 {len(missing)} 项："
            + "；".join(f"{r.number} {r.name_zh}（{r.reason_zh}）" for r in missing)
            + "。"
        )
    return "\n".join(lines)


def assessment_table(report: Report) -> pd.DataFrame:
    """The 32-indicator table in Chinese: number, category, indicator, unit, requirement, role,
    value, status and margin [% of the limit]."""
    g = report.gaps
    return pd.DataFrame(
        {
            "序号": g["number"],
            "类别": g["category"],
            "指标": g["indicator"],
            "单位": g["unit"],
            "要求": g["requirement"],
            "考核": [ROLE_ZH.get(r, r) for r in g["role"]],
            "数值": g["display"],
            "状态": g["status_zh"],
            "余量(%)": [
                fmt(m) if isinstance(m, float) and not math.isnan(m) else "—"
                for m in g["margin_pct"]
            ],
        }
    ).set_index("序号")


def data_checks(report: Report) -> tuple[str, pd.DataFrame | None]:
    """(a sentence, a table) of the data checks of :func:`ecopark.checks.check_data`."""
    from ecopark.checks import check_data

    found = check_data(report.park)
    if not found:
        return "数据核查：未发现需要核对的数据。", None
    names = report.park.standard.items
    table = pd.DataFrame(
        {
            "年份": [w.year for w in found],
            "级别": ["警告" if w.severity == "warning" else "提示" for w in found],
            "数据项": [
                "、".join(names[i].name_zh if i in names else i for i in w.items) for w in found
            ],
            "说明": [w.message_zh for w in found],
        }
    )
    n_warn = sum(w.severity == "warning" for w in found)
    text = (
        f"数据核查：发现 {len(found)} 处需要核对的数据（警告 {n_warn} 处，提示 {len(found) - n_warn} 处），"
        "不影响计算，但请向数据来源核实。"
    )
    return text, table


def sources_table(report: Report, years: list[int] | None = None) -> pd.DataFrame:
    """Every figure used, with its year, Chinese item name, value, unit and source note."""
    if years is None:
        base = report.park.config.base_year
        years = sorted({y for y in (base, report.year - 3, report.year) if y in report.park.years})
    items = report.park.items(years)
    names = report.park.standard.items
    return pd.DataFrame(
        {
            "年份": items["year"],
            "数据项": [names[i].name_zh if i in names else i for i in items["item"]],
            "数值": [fmt(v) for v in items["value"]],
            "单位": items["unit"],
            "来源说明": items["note"].fillna(""),
        }
    ).set_index("年份")


def sources_summary(report: Report) -> pd.DataFrame:
    """Every item with the years it is given in and its source notes (one row per distinct note)."""
    years = [y for y in report.park.years if y <= report.year]
    items = report.park.items(years)
    names = report.park.standard.items
    items = items.assign(note=items["note"].fillna(""))
    rows = []
    for (item, note), group in items.groupby(["item", "note"], sort=False):
        rows.append(
            {
                "数据项": names[item].name_zh if item in names else item,
                "年份": "、".join(str(y) for y in sorted(group["year"])),
                "来源说明": note,
            }
        )
    return pd.DataFrame(rows, columns=["数据项", "年份", "来源说明"]).set_index("数据项")


# ---------------------------------------------------------------------------------------------
# 02 未达标指标成因分析


def problems_summary(report: Report) -> str:
    """Which indicators fail or pass by a hair, or that none does."""
    p = report.problems()
    if p.empty:
        return (
            f"{report.name} {report.year} 年没有未达标或临界（余量不足 10%）的指标，无需成因分析。"
        )
    fails = p[p["status"] == "fail"]
    risky = p[p["status"] == "at_risk"]
    parts = []
    if len(fails):
        parts.append(
            f"未达标 {len(fails)} 项："
            + "、".join(
                f"{n} {name}" for n, name in zip(fails["number"], fails["indicator"], strict=True)
            )
        )
    if len(risky):
        parts.append(
            f"临界（达标但余量不足 10%）{len(risky)} 项："
            + "、".join(
                f"{n} {name}" for n, name in zip(risky["number"], risky["indicator"], strict=True)
            )
        )
    return "；".join(parts) + "。"


def whatif_sentences(report: Report) -> list[str]:
    """One sentence per failing or at-risk indicator with what it would take, e.g.
    「可再生能源使用比例为 0.0026%，低于 ≥9% 的要求；达标需可再生能源使用量 177,690 吨标煤（现为 51.8）」."""
    out = []
    w = report.whatif
    for _, g in report.problems().iterrows():
        number = int(g["number"])
        unit = g["unit"] or ""
        value = with_unit(str(g["display"]), unit)
        req = with_unit(str(g["requirement"]), unit)
        rows = w[w["number"] == number]
        if g["status"] == "fail":
            head = f"**{number} {g['indicator']}**为 {value}，{FAIL_WORD.get(g['op'], '未达到')} {req} 的要求"
            options = []
            for _, r in rows.iterrows():
                if bool(r["reachable"]):
                    options.append(
                        f"{r['item_zh']} {fmt(r['required_value'])} {r['item_unit']}"
                        f"（现为 {fmt(r['item_value'])}，{fmt_pct(r['required_change_pct'])}）"
                    )
                else:
                    options.append(f"仅调整{r['item_zh']}无法达标（{r['reason_zh']}）")
            tail = (
                ("；达标需" + "，或".join(options)) if options else "；没有可单独调整的当年数据项"
            )
        else:
            margin = g["margin_pct"]
            head = (
                f"**{number} {g['indicator']}**为 {value}，满足 {req} 的要求，"
                f"但余量仅 {fmt(margin)}%"
            )
            options = [
                f"{r['item_zh']} 变为 {fmt(r['required_value'])} {r['item_unit']}"
                f"（{fmt_pct(r['required_change_pct'])}）"
                for _, r in rows.iterrows()
                if bool(r["reachable"])
            ]
            if not margin:
                tail = "；已恰好处于要求的边界，任何不利变化都会使其不达标"
            else:
                tail = ("；若" + "，或".join(options) + "，即不再达标") if options else ""
        out.append(f"- {head}{tail}。")
    return out


def whatif_table(report: Report) -> pd.DataFrame | None:
    """What it would take, one row per indicator and item, in Chinese (None if nothing fails)."""
    w = report.whatif
    if w.empty:
        return None
    return pd.DataFrame(
        {
            "序号": w["number"],
            "指标": w["indicator"],
            "状态": ["未达标" if s == "fail" else "临界" for s in w["status"]],
            "数据项": w["item_zh"],
            "单位": w["item_unit"],
            "现值": [fmt(v) for v in w["item_value"]],
            "达标所需值": [
                fmt(v) if bool(ok) else "无法达到"
                for v, ok in zip(w["required_value"], w["reachable"], strict=True)
            ],
            "变化": [
                fmt_pct(c) if bool(ok) else "—"
                for c, ok in zip(w["required_change_pct"], w["reachable"], strict=True)
            ],
        }
    ).set_index("序号")


def advice(report: Report) -> tuple[str, pd.DataFrame]:
    """(the selection advisor's advice, a table of every optional indicator's margin)."""
    from ecopark.advisor import advise

    a = advise(report.assessment, report.park)
    names = {i.number: i.name_zh for i in report.park.standard.indicators}
    rows = []
    for n in sorted(a.margins):
        m = a.margins[n]
        rows.append(
            {
                "序号": n,
                "指标": names.get(n, ""),
                "余量(%)": fmt(m) if not math.isnan(m) else "—",
                "现选": "是" if n in a.current else "",
                "建议": "是" if n in a.recommended else "",
                "不宜选用的原因": a.excluded.get(n, ""),
            }
        )
    return a.text_zh, pd.DataFrame(rows).set_index("序号")


def attribution(
    report: Report, numbers: list[int] | None = None
) -> tuple[list[str], pd.DataFrame | None]:
    """LMDI-I attribution from the base year (:func:`ecopark.attribution.attribute`) of the
    failing and at-risk indicators: one sentence per indicator and a table in Chinese."""
    from ecopark.attribution import attribute

    base = report.park.config.base_year
    if numbers is None:
        numbers = [int(n) for n in report.problems()["number"]]
    if not numbers:
        return [], None
    if report.year <= base or base not in report.park.years:
        return [
            f"{report.year} 年不晚于规划基准年 {base} 年或缺少基准年数据，无法做从基准年起的归因。"
        ], None
    t = attribute(report.park, base, report.year, numbers=numbers)
    units = {i.number: i.unit for i in report.park.standard.indicators}
    sentences = []
    for n in numbers:
        rows = t[t["number"] == n]
        if rows.empty:
            reason = next((s["reason"] for s in t.attrs.get("skipped", []) if s["number"] == n), "")
            name = report.assessment.result(n).name_zh
            sentences.append(f"- **{n} {name}**：不作归因分解（{reason or '无可分解的结构'}）。")
            continue
        first = rows.iloc[0]
        unit = units.get(n, "")
        effects = "；".join(f"{r['factor']} {fmt_signed(r['effect'])}" for _, r in rows.iterrows())
        sentences.append(
            f"- **{n} {first['indicator']}**：{base} 年 {with_unit(fmt(first['from_value']), unit)} → "
            f"{report.year} 年 {with_unit(fmt(first['to_value']), unit)}，变化 "
            f"{fmt_signed(first['to_value'] - first['from_value'])}；其中 {effects}。"
        )
    table = pd.DataFrame(
        {
            "序号": t["number"],
            "指标": t["indicator"],
            f"{base} 年": [fmt(v) for v in t["from_value"]],
            f"{report.year} 年": [fmt(v) for v in t["to_value"]],
            "因素": t["factor"],
            "贡献（加法）": [fmt_signed(v) for v in t["effect"]],
            "因子（乘法）": [fmt(v) for v in t["factor_ratio"]],
        }
    ).reset_index(drop=True)
    return sentences, table


def fmt_signed(value: float) -> str:
    """``+0.2032`` / ``−0.005349`` / ``+1,062``: four significant digits, no exponent, a sign
    always, Unicode minus."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    x = float(value)
    if x == 0:
        return "0"
    digits = min(10, max(0, 3 - math.floor(math.log10(abs(x)))))
    return f"{x:+,.{digits}f}".replace("-", "−")


# ---------------------------------------------------------------------------------------------
# 03 趋势


def trend_summary(report: Report) -> tuple[list[str], pd.DataFrame]:
    """Sentences on every indicator with a fitted trend, and the trend table in Chinese."""
    _, f = report.trends
    years = [y for y in report.park.years if y <= report.year]
    fitted = f[f["outlook"] != "insufficient_data"]
    sentences = [f"数据年份：{'、'.join(map(str, years))}（共 {len(years)} 年）。"]
    if fitted.empty:
        sentences.append("各指标可计算的年份均不足 3 年，不作趋势判断；下表列出各指标的最新值。")
    else:
        for _, r in fitted.iterrows():
            unit = r["unit"] or ""
            state = "达标" if bool(r["last_passed"]) else "未达标"
            pace = (
                ""
                if pd.isna(r["slope"])
                else f"{r['first_year']}–{r['last_year']} 年每年变化 "
                f"{fmt_signed(r['slope'])}{'' if unit in ('', '-') else ' ' + unit}，"
            )
            sentences.append(
                f"- **{r['number']} {r['indicator']}**：{pace}"
                f"{r['last_year']} 年为 {with_unit(fmt(r['last_value']), unit)}（{state}）；{r['outlook_zh']}。"
            )
    table = pd.DataFrame(
        {
            "序号": f["number"],
            "指标": f["indicator"],
            "单位": f["unit"],
            "年数": f["n_years"],
            "最新年份": f["last_year"],
            "最新值": [fmt(v) for v in f["last_value"]],
            "每年变化": [fmt_signed(v) for v in f["slope"]],
            "展望": f["outlook_zh"],
        }
    ).set_index("序号")
    return sentences, table


def trend_numbers(report: Report, limit: int = 4) -> list[int]:
    """The indicators worth a trend chart: failing or at-risk ones with values in at least 2 years
    (a fitted projection needs 3), then those projected to change status; at most ``limit``."""
    _, f = report.trends
    fitted = f[f["outlook"].isin(["will_pass", "never", "will_fail"])]
    problems = set(int(n) for n in report.problems()["number"])
    with_data = f[f["n_years"] >= 2]
    chosen = [int(n) for n in with_data["number"] if int(n) in problems]
    chosen += [int(n) for n in fitted["number"] if int(n) not in chosen]
    return chosen[:limit]


# ---------------------------------------------------------------------------------------------
# Charts: each returns a Figure (or None when there is nothing to draw) with its source note


def show_figure(fig: Any) -> None:
    """Display ``fig`` once in the notebook as a PNG and close it (nothing for None).

    The figure is saved at its own size (the charts use constrained layout), not with the
    inline backend's ``bbox_inches="tight"``, which draws every figure twice.
    """
    if fig is None:
        return
    import io

    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    display(Image(data=buf.getvalue(), format="png"))


def _noted(report: Report, fig: Any) -> Any:
    from ecopark.plotting import source_note

    return source_note(fig, source_line(report))


def overview_chart(report: Report) -> Any:
    """The assessment overview (:func:`ecopark.plotting.assessment_overview`) with its source."""
    from ecopark.plotting import assessment_overview

    return _noted(report, assessment_overview(report.assessment, gaps=report.gaps))


def whatif_chart(report: Report) -> Any:
    """What it would take (:func:`ecopark.plotting.what_it_would_take`), or None if nothing fails."""
    if report.problems().empty:
        return None
    from ecopark.plotting import what_it_would_take

    return _noted(report, what_it_would_take(report.assessment, table=report.whatif))


def attribution_chart(report: Report, limit: int = 2) -> Any:
    """Waterfalls from the base year of the failing/at-risk indicators that have an attribution,
    at most ``limit`` of them in one figure; None when there is none."""
    from ecopark.attribution import attribute

    base = report.park.config.base_year
    numbers = [int(n) for n in report.problems()["number"]]
    if not numbers or report.year <= base or base not in report.park.years:
        return None
    t = attribute(report.park, base, report.year, numbers=numbers)
    shown = [n for n in numbers if (t["number"] == n).any()][:limit]
    if not shown:
        return None
    import matplotlib.pyplot as plt

    from ecopark.plotting import attribution_chart as waterfall

    ncols = min(2, len(shown))
    nrows = (len(shown) + ncols - 1) // ncols
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(6.5 * ncols, 4.6 * nrows), squeeze=False, layout="constrained"
    )
    for ax, n in zip(axes.flat, shown, strict=False):
        waterfall(report.park, n, base, report.year, table=t[t["number"] == n], ax=ax)
    for ax in list(axes.flat)[len(shown) :]:
        ax.set_visible(False)
    return _noted(report, fig)


def trend_charts(report: Report) -> Any:
    """The trends of :func:`trend_numbers` (:func:`ecopark.plotting.trend_chart`), two per row in
    one figure with its source note; None when there is none."""
    numbers = trend_numbers(report)
    if not numbers:
        return None
    import matplotlib.pyplot as plt

    from ecopark.plotting import trend_chart

    series, fitted = report.trends
    ncols = min(2, len(numbers))
    nrows = (len(numbers) + ncols - 1) // ncols
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(6.5 * ncols, 3.9 * nrows), squeeze=False, layout="constrained"
    )
    for ax, n in zip(axes.flat, numbers, strict=False):
        trend_chart(report.park, n, series=series, trends=fitted, ax=ax)
    for ax in list(axes.flat)[len(numbers) :]:
        ax.set_visible(False)
    return _noted(report, fig)


def show_trend_charts(report: Report) -> None:
    """Display :func:`trend_charts`, or a sentence saying there is nothing to chart."""
    fig = trend_charts(report)
    if fig is None:
        show("没有需要绘制趋势图的指标（无未达标或临界指标，或其只有一年的数值）。")
    show_figure(fig)


# ---------------------------------------------------------------------------------------------
# By sector


def _sector_numbers(report: Report) -> list[int]:
    """Failing/at-risk indicators whose numerator a sector file can split, when the year has one."""
    from ecopark.io.sectors import sector_files
    from ecopark.sectors import numerator_items

    if report.year not in sector_files(report.park):
        return []
    out = []
    for n in report.problems()["number"]:
        try:
            items = numerator_items(report.park.standard.indicator(int(n)), report.park.standard)
        except (ValueError, KeyError):
            continue
        if "value_added" not in items:  # growth rates of value added: nothing to split by sector
            out.append(int(n))
    return out


def sectors(report: Report) -> tuple[list[str], pd.DataFrame | None]:
    """By sector: each sector's share of a failing/at-risk indicator's numerator in the year and,
    for intensities per value added, the structure and intensity effects since the base year
    (:mod:`ecopark.sectors`); or a sentence saying why there is none."""
    from ecopark.io.sectors import sector_files
    from ecopark.sectors import sector_shares, structure_intensity

    files = sector_files(report.park)
    if report.year not in files:
        return [
            f"{report.name}没有 {report.year} 年的分行业数据（sectors/{report.year}.csv），"
            "不作分行业分解。"
        ], None
    numbers = _sector_numbers(report)
    if not numbers:
        return ["未达标或临界指标中没有可按行业分解的指标（分行业数据只分解加和型数据项）。"], None
    base = report.park.config.base_year
    names = report.park.standard.items
    sentences, tables = [], []
    for n in numbers:
        shares = sector_shares(report.park, report.year, n)
        tables.append(shares)
        parts = []
        for item, rows in shares.groupby("item", sort=False):
            top = rows.sort_values("share", ascending=False).iloc[0]
            text = f"{names[item].name_zh}最大来源为{top['sector']}，占 {fmt(top['share'] * 100)}%"
            if not math.isnan(top["value_added_share"]):
                text += f"（其工业增加值仅占 {fmt(top['value_added_share'] * 100)}%）"
            parts.append(text)
        line = f"- **{n} {shares['indicator'].iloc[0]}**（{report.year} 年）：" + "；".join(parts)
        if base in files and report.year > base:
            try:
                si = structure_intensity(report.park, n, base, report.year)
            except (ValueError, InputError) as exc:
                line += f"。不作结构/强度分解（{exc}）"
            else:
                effects = "，".join(
                    f"{r['factor'].split(' (')[0]} {fmt_signed(r['effect'])}"
                    for _, r in si.iterrows()
                )
                line += (
                    f"。{base}→{report.year} 年由 {fmt(si['from_value'].iloc[0])} 变为 "
                    f"{fmt(si['to_value'].iloc[0])}：{effects}"
                )
        sentences.append(line + "。")
    t = pd.concat(tables, ignore_index=True)
    table = pd.DataFrame(
        {
            "序号": t["number"],
            "指标": t["indicator"],
            "行业": t["sector"],
            "数据项": [names[i].name_zh for i in t["item"]],
            "数值": [fmt(v) for v in t["value"]],
            "单位": t["unit"],
            "占比(%)": [fmt(v * 100) for v in t["share"]],
            "增加值占比(%)": [fmt(v * 100) for v in t["value_added_share"]],
            "行业强度": [fmt(v) for v in t.get("intensity", pd.Series([math.nan] * len(t)))],
        }
    )
    return sentences, table


def sector_chart(report: Report) -> Any:
    """Sector contributions (:func:`ecopark.plotting.sector_contributions`) of the first failing
    or at-risk indicator that a sector file splits, failing ones first; None without one."""
    from ecopark.io.sectors import sector_files

    numbers = _sector_numbers(report)
    if not numbers:
        return None
    status = dict(zip(report.gaps["number"], report.gaps["status"], strict=True))
    number = sorted(numbers, key=lambda n: status.get(n) != "fail")[0]
    from ecopark.plotting import sector_contributions

    base = report.park.config.base_year
    start = base if base in sector_files(report.park) and report.year > base else report.year
    return _noted(report, sector_contributions(report.park, number, start, report.year))
