"""The Chinese narrative of the report notebooks: sentences and tables built from results.

Every function here takes results (an :class:`~ecopark.assessment.Assessment`, the gap table,
the what-if table, an attribution, sector shares, fitted trends, advice, data checks) and words
them, e.g. 「可再生能源使用比例为 0.0026%，低于 ≥9% 的要求；达标需可再生能源使用量 177,690 吨标煤
（现为 51.8）」. Nothing is computed or loaded here: :class:`ecopark.reports.session.ReportSession`
computes each result once and hands it over. Sentences are Markdown; text from data files (park
names, sources, sector names) goes in through :func:`ecopark.reports.display.esc`, and the whole
text is HTML-escaped when shown (:class:`ecopark.reports.display.Text`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ecopark.advisor import SelectionAdvice
from ecopark.assessment import Assessment
from ecopark.checks import DataWarning
from ecopark.formatting import MISSING, ROLE_ZH, fmt, with_unit
from ecopark.io.config import ParkConfig
from ecopark.reports.display import esc
from ecopark.standard.model import Item, Standard
from ecopark.status import STATUS_ZH
from ecopark.verdict import VERDICT_ZH

FAIL_WORD = {">=": "低于", ">": "低于", "<=": "高于", "<": "高于"}


def _name(items: Mapping[str, Item], item: str) -> str:
    return items[item].name_zh if item in items else item


#: An item id in parentheses after its Chinese name, as factor names carry it: ``(fresh_water)``.
_ITEM_ID = re.compile(r"\s*\([a-z][a-z0-9_]*\)")


def chinese_only(text: str) -> str:
    """``text`` without the item ids in parentheses: 「分子：新鲜水资源消耗量 (fresh_water)」 →
    「分子：新鲜水资源消耗量」."""
    return _ITEM_ID.sub("", text)


def as_written(value: object) -> str:
    """A figure of a data file at the precision it was given: 4,906,200 · 51.8 · 0.000123."""
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    text = f"{float(value):,.12g}"
    if "e" in text:
        text = f"{float(value):.15f}".rstrip("0").rstrip(".")
    return text.replace("-", "−")


def pace(slope: float, unit: str, places: int) -> str:
    """A fitted pace per year as the trend charts write it (``+0.359 个百分点/年`` for a share),
    or 基本持平 when it rounds to 0 at the indicator's reported precision (``places``
    decimals: below 0.005 per year at 2)."""
    if abs(slope) < 0.5 * 10.0**-places:
        return "基本持平"
    rate_unit = "个百分点" if unit == "%" else ("" if unit in ("", "-") else unit)
    return f"拟合速度 {fmt(slope, 'pace', 3)} {rate_unit}/年".replace(" /年", "/年")


# ---------------------------------------------------------------------------------------------
# Every report


def title(config: ParkConfig, year: int, heading: str, standard_code: str) -> str:
    """One line naming the park, the year and the base year (and the synthetic-data mark)."""
    text = (
        f"**{esc(config.name)}**（{esc(config.id)}）{year} 年 {heading}；"
        f"规划基准年 {config.base_year} 年；依据 {standard_code}。"
    )
    if config.synthetic:
        text += "\n\n*本园区为合成示例数据，仅用于演示，并非真实园区。*"
    return text


def source_line(config: ParkConfig) -> str:
    """The park's data source (park.yaml ``source``), or a note that none is given."""
    return config.source or "park.yaml 未注明数据来源"


def sources_table(items: pd.DataFrame, names: Mapping[str, Item]) -> pd.DataFrame:
    """Every figure used (``Park.items`` of some years), with its year, Chinese item name, value,
    unit and source note."""
    return pd.DataFrame(
        {
            "年份": items["year"],
            "数据项": [_name(names, i) for i in items["item"]],
            "数值": [as_written(v) for v in items["value"]],
            "单位": items["unit"],
            "来源说明": items["note"].fillna(""),
        }
    ).set_index("年份")


def sources_summary(items: pd.DataFrame, names: Mapping[str, Item]) -> pd.DataFrame:
    """Every item of ``items`` with the years it is given in and its source notes (one row per
    distinct note)."""
    items = items.assign(note=items["note"].fillna(""))
    rows = []
    for (item, note), group in items.groupby(["item", "note"], sort=False):
        rows.append(
            {
                "数据项": _name(names, item),
                "年份": "、".join(str(y) for y in sorted(group["year"])),
                "来源说明": note,
            }
        )
    return pd.DataFrame(rows, columns=["数据项", "年份", "来源说明"]).set_index("数据项")


# ---------------------------------------------------------------------------------------------
# 01 考核表


def verdict(assessment: Assessment) -> str:
    """The verdict with its reasons and the failing indicators, as Markdown, and the rule in
    force (数值修约与判定：…); a year that is not judged says 不作评价 and why."""
    a = assessment
    if not a.judged:
        why = esc(a.judged_reason.zh)
        return f"{esc(a.config.name)} {a.year} 年：**不作评价**（{why}）。\n\n{a.rules.text_zh}。"
    if a.assessable:
        word = "**符合**" if a.compliant else "**不符合**"
        lines = [f"{esc(a.config.name)} {a.year} 年：{word} {a.standard.code} 的要求。"]
    else:  # a gate tier (基本要求) failed: the other tiers are not judged
        lines = [f"{esc(a.config.name)} {a.year} 年：**不具备** {a.standard.code} 的评价条件。"]
    for i, r in enumerate(a.reasons, start=1):
        lines.append(f"{i}. {r.zh}")
    failing = _ordered([r for r in a.results if r.passed is False])
    if failing:
        counted = [r for r in failing if r.counts]
        lines.append("")
        lines.append(
            f"未达标指标 {len(failing)} 项（其中计入考核的 {len(counted)} 项）："
            + "；".join(
                f"{r.label} {r.name_zh} {with_unit(r.display_marked, r.unit)}（要求 {with_unit(r.requirement, r.unit)}，"
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
            + "；".join(f"{r.label} {r.name_zh}（{r.reason_zh}）" for r in missing)
            + "。"
        )
    lines += ["", f"{a.rules.text_zh}。"]
    return "\n".join(lines)


def assessment_table(gaps: pd.DataFrame, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The indicators' table in Chinese: number, category, indicator, unit, requirement, role,
    value, status and margin [% of the limit].

    ``labels`` maps an indicator's id to its label as the standard prints it (``C1`` ->
    ``C-1``; HJ 274-2015: the same); default: the ids."""
    g = gaps
    labels = labels or {}
    return pd.DataFrame(
        {
            "序号": [labels.get(n, n) for n in g["number"]],
            "类别": g["category"],
            "指标": g["indicator"],
            "单位": g["unit"],
            "要求": g["requirement"],
            "考核": [ROLE_ZH.get(r, r) for r in g["role"]],
            "数值": g["display"] + g["mark"],
            "状态": g["status_zh"],
            "余量": [fmt(m, "pct", 1) for m in g["margin_pct"]],
        }
    ).set_index("序号")


#: The two standards of a comparison in its table's headings (甲: the report's own).
SIDES_ZH = {"a": "甲", "b": "乙"}
#: The status columns of :func:`standards_comparison`' indicator table.
COMPARISON_STATUS = tuple(f"状态\n（{s}）" for s in SIDES_ZH.values())


def comparison_heading(code_a: str, code_b: str) -> str:
    """The heading of the side-by-side comparison of two standards (Markdown)."""
    return f"### 标准对照：{esc(code_a)} 与 {esc(code_b)}"


def standards_comparison(table: pd.DataFrame) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """:func:`ecopark.compare_standards` in Chinese: a sentence, the two verdicts and the
    indicators side by side.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`ecopark.compare_standards`' table (its ``attrs`` name the standards ``a`` and
        ``b`` and hold their verdicts).

    Returns
    -------
    sentence : str
        Markdown: each standard's verdict in one word, how many indicators both have (and
        those whose status differs), how many only one has.
    verdicts : pandas.DataFrame
        One row per standard: 标准, 结论 (one word), 评价结论 (the verdict in words).
    indicators : pandas.DataFrame
        One row per indicator of either standard: its id in each (``—`` where it has none),
        name, unit, and under each standard the requirement, the value as printed and the
        status; 说明 says when only one standard has it, when the statuses differ and when it
        does not count toward a verdict. The columns of ``a`` are marked 甲, those of ``b`` 乙
        (:data:`SIDES_ZH`; the sentence says which is which), so that the table fits an A4
        page whatever the codes; the status columns are :data:`COMPARISON_STATUS`.
    """
    a, b = table.attrs["a"], table.attrs["b"]
    table = table.rename(columns={"in": "where"})  # "in" is not a name itertuples can give
    words = {
        code: VERDICT_ZH[table.attrs[f"outcome_{side}"]] for code, side in ((a, "a"), (b, "b"))
    }
    both = table[table["where"] == "both"]
    differ = both[both["status_changed"]]
    only_a, only_b = int((table["where"] == "a").sum()), int((table["where"] == "b").sum())
    listed = "；".join(
        f"{esc(_pair_label(r))} {esc(r.indicator_a)}（{STATUS_ZH[r.status_a]} → "
        f"{STATUS_ZH[r.status_b]}）"
        for r in differ.itertuples()
    )
    sentence = (
        f"按 {esc(a)}：**{words[a]}**；按 {esc(b)}：**{words[b]}**。"
        f"两项标准均有的指标 {len(both)} 项"
        + (f"，其中状态不同的 {len(differ)} 项：{listed}" if listed else "，状态均相同")
        + f"；仅 {esc(a)} 有的 {only_a} 项，仅 {esc(b)} 有的 {only_b} 项。"
        "两项标准的指标只在其定义声明为同一指标（same_as）时并列；"
        f"下表中甲为 {esc(a)}，乙为 {esc(b)}。"
    )
    verdicts = pd.DataFrame(
        {
            "标准": [a, b],
            "结论": [words[a], words[b]],
            "评价结论": [table.attrs["verdict_a"], table.attrs["verdict_b"]],
        }
    ).set_index("标准")
    notes = []
    for r in table.itertuples():
        if r.where != "both":
            counts = r.counts_a if r.where == "a" else r.counts_b
            note = [f"仅{SIDES_ZH[r.where]}有" + ("" if counts else "，不计入考核")]
        else:
            note = ["状态不同"] if r.status_changed else []
            if not r.counts_a and not r.counts_b:
                note.append("均不计入考核")
            elif not r.counts_a or not r.counts_b:
                note.append(f"不计入{SIDES_ZH['a' if not r.counts_a else 'b']}的考核")
        notes.append("；".join(note))
    first, second = SIDES_ZH["a"], SIDES_ZH["b"]
    indicators = pd.DataFrame(
        {
            f"序号\n（{first}）": table["number_a"].replace("", None),
            f"序号\n（{second}）": table["number_b"].replace("", None),
            "指标": [_names(r) for r in table.itertuples()],
            "单位": [_unit(r) for r in table.itertuples()],
            f"要求\n（{first}）": _side(table, "requirement_a", "a"),
            f"数值\n（{first}）": _side(table, "display_a", "a"),
            COMPARISON_STATUS[0]: [STATUS_ZH.get(s) for s in _side(table, "status_a", "a")],
            f"要求\n（{second}）": _side(table, "requirement_b", "b"),
            f"数值\n（{second}）": _side(table, "display_b", "b"),
            COMPARISON_STATUS[1]: [STATUS_ZH.get(s) for s in _side(table, "status_b", "b")],
            "说明": notes,
        }
    )
    return sentence, verdicts, indicators


def _pair_label(r: Any) -> str:
    """``14 / C-1``: an indicator's ids in both standards (one when they are the same)."""
    na, nb = r.number_a, r.number_b
    return na if na == nb else f"{na} / {nb}"


def _names(r: Any) -> str:
    """An indicator's name, and the other standard's name for it when it differs."""
    ia, ib = r.indicator_a, r.indicator_b
    if not ia or not ib or ia == ib:
        return ia or ib
    return f"{ia}\n（{SIDES_ZH['b']}：{ib}）"


def _unit(r: Any) -> str:
    """An indicator's unit, both standards' when they differ."""
    ua, ub, where = r.unit_a, r.unit_b, r.where
    if where != "both":
        return ua if where == "a" else ub
    return ua if ua == ub else f"{ua} / {ub}"


def _side(table: pd.DataFrame, column: str, side: str) -> list[object]:
    """``column`` where the indicator exists in standard ``side``, None (shown ``—``) elsewhere."""
    has = table["where"].isin(["both", side])
    return [v if h else None for v, h in zip(table[column], has, strict=True)]


def data_checks(
    found: Sequence[DataWarning], names: Mapping[str, Item]
) -> tuple[str, pd.DataFrame | None]:
    """(a sentence, a table) of the data checks of :func:`ecopark.checks.check_data`."""
    if not found:
        return "数据核查：未发现需要核对的数据。", None
    table = pd.DataFrame(
        {
            "年份": [w.year for w in found],
            "级别": ["警告" if w.severity == "warning" else "提示" for w in found],
            "数据项": ["、".join(_name(names, i) for i in w.items) for w in found],
            "说明": [w.message_zh for w in found],
        }
    )
    n_warn = sum(w.severity == "warning" for w in found)
    text = (
        f"数据核查：发现 {len(found)} 处需要核对的数据（警告 {n_warn} 处，提示 {len(found) - n_warn} 处），"
        "不影响计算，但请向数据来源核实。"
    )
    return text, table


# ---------------------------------------------------------------------------------------------
# 02 未达标指标成因分析


def problems_summary(problems: pd.DataFrame, park_name: str, year: int) -> str:
    """Which indicators fail or pass by a hair (gap-table rows), or that none does."""
    p = problems
    if p.empty:
        return f"{esc(park_name)} {year} 年没有未达标或临界（余量不足 10%）的指标，无需成因分析。"
    fails = p[p["status"] == "fail"]
    risky = p[p["status"] == "at_risk"]
    parts = []
    if len(fails):
        parts.append(
            f"未达标 {len(fails)} 项："
            + "、".join(
                f"{n} {name}" for n, name in zip(fails["label"], fails["indicator"], strict=True)
            )
        )
    if len(risky):
        parts.append(
            f"临界（达标但余量不足 10%）{len(risky)} 项："
            + "、".join(
                f"{n} {name}" for n, name in zip(risky["label"], risky["indicator"], strict=True)
            )
        )
    return "；".join(parts) + "。"


def whatif_sentences(problems: pd.DataFrame, whatif: pd.DataFrame) -> list[str]:
    """One sentence per failing or at-risk indicator with what it would take, e.g.
    「可再生能源使用比例为 0.0026%，低于 ≥9% 的要求；达标需可再生能源使用量 177,690 吨标煤（现为 51.8）」."""
    out = []
    w = whatif
    for _, g in problems.iterrows():
        number, label = g["number"], g["label"]
        unit = g["unit"] or ""
        value = with_unit(str(g["display"]) + str(g.get("mark", "")), unit)  # 0.50(+) at a limit
        req = with_unit(str(g["requirement"]), unit)
        rows = w[w["number"] == number]
        if g["status"] == "fail":
            head = f"**{label} {g['indicator']}**为 {value}，{FAIL_WORD.get(g['op'], '未达到')} {req} 的要求"
            options = []
            for _, r in rows.iterrows():
                if bool(r["reachable"]):
                    why = unrealistic(r)
                    options.append(
                        f"{r['item_zh']} {fmt(r['required_value'])} {r['item_unit']}"
                        f"（现为 {fmt(r['item_value'])}，{fmt(r['required_change_pct'], 'pct')}"
                        + (f"，不现实：{why}）" if why else "）")
                    )
                else:
                    options.append(f"仅调整{r['item_zh']}无法达标（{r['reason_zh']}）")
            tail = (
                ("；达标需" + "，或".join(options)) if options else "；没有可单独调整的当年数据项"
            )
        else:
            margin = g["margin_pct"]
            # A margin of 0 is the compared value at the limit; under 修约值比较法 the value
            # itself may still have room (0.5049 against ≤0.5 passes down to 0.55), which the
            # what-it-would-take rows, worked out by the engine, give exactly.
            head = f"**{label} {g['indicator']}**为 {value}，满足 {req} 的要求，" + (
                f"但余量仅 {fmt(margin)}%" if margin else "但所比较的数值恰在要求的边界"
            )
            options = [
                f"{r['item_zh']} 变为 {fmt(r['required_value'])} {r['item_unit']}"
                f"（{fmt(r['required_change_pct'], 'pct')}）"
                for _, r in rows.iterrows()
                if bool(r["reachable"])
            ]
            tail = ("；若" + "，或".join(options) + "，即不再达标") if options else ""
        out.append(f"- {head}{tail}。")
    return out


def whatif_table(whatif: pd.DataFrame) -> pd.DataFrame | None:
    """What it would take, one row per indicator and item, in Chinese (None if nothing fails)."""
    w = whatif
    if w.empty:
        return None
    return pd.DataFrame(
        {
            "序号": w["number"],
            "指标": w["indicator"],
            "状态": ["未达标" if s == "fail" else "临界" for s in w["status"]],
            "数据项": w["item_zh"],
            "单位": w["item_unit"],
            "现值": [as_written(v) for v in w["item_value"]],
            "达标所需值": [
                fmt(v, "label") if bool(ok) else "无法达到"
                for v, ok in zip(w["required_value"], w["reachable"], strict=True)
            ],
            "变化": [
                fmt(c, "pct", 1) if bool(ok) else MISSING
                for c, ok in zip(w["required_change_pct"], w["reachable"], strict=True)
            ],
            "现实性": [
                ("不现实：" + unrealistic(r)) if unrealistic(r) else "可行" for _, r in w.iterrows()
            ],
        }
    ).set_index("序号")


def advice(advice: SelectionAdvice, standard: Standard) -> tuple[str, pd.DataFrame]:
    """(the selection advisor's advice, a table of every optional indicator's margin)."""
    names = {i.number: i.name_zh for i in standard.indicators}
    rows = []
    for n in sorted(advice.margins):
        m = advice.margins[n]
        rows.append(
            {
                "序号": n,
                "指标": names.get(n, ""),
                "余量": fmt(m, "pct", 1),
                "现选": "是" if n in advice.current else "",
                "建议": "是" if n in advice.recommended else "",
                "不宜选用的原因": advice.excluded.get(n, ""),
            }
        )
    return advice.text_zh, pd.DataFrame(rows).set_index("序号")


def no_attribution(year: int, base_year: int) -> str:
    """Why there is no attribution from the base year."""
    return f"{year} 年不晚于规划基准年 {base_year} 年或缺少基准年数据，无法做从基准年起的归因。"


def attribution_sentences(
    attribution: pd.DataFrame, numbers: Sequence[int], standard: Standard
) -> list[str]:
    """One sentence per indicator of ``numbers`` on its LMDI-I attribution
    (:func:`ecopark.attribution.attribute`, whose ``attrs`` give the years), or why there is none."""
    t = attribution
    base, year = int(t.attrs["year_from"]), int(t.attrs["year_to"])
    sentences = []
    for n in numbers:
        rows = t[t["number"] == n]
        if rows.empty:
            reason = next((s["reason"] for s in t.attrs.get("skipped", []) if s["number"] == n), "")
            name = standard.indicator(n).name_zh
            sentences.append(f"- **{n} {name}**：不作归因分解（{reason or '无可分解的结构'}）。")
            continue
        first = rows.iloc[0]
        unit = standard.indicator(n).unit
        effects = "；".join(
            f"{r['label']} {fmt(r['effect'], 'signed')}" for _, r in rows.iterrows()
        )
        sentences.append(
            f"- **{n} {first['indicator']}**：{base} 年 {with_unit(fmt(first['from_value']), unit)} → "
            f"{year} 年 {with_unit(fmt(first['to_value']), unit)}，变化 "
            f"{fmt(first['to_value'] - first['from_value'], 'signed')}；其中 {effects}。"
        )
    return sentences


def attribution_table(attribution: pd.DataFrame) -> pd.DataFrame:
    """An attribution (:func:`ecopark.attribution.attribute`) in Chinese."""
    t = attribution
    base, year = int(t.attrs["year_from"]), int(t.attrs["year_to"])
    return pd.DataFrame(
        {
            "序号": t["number"],
            "指标": t["indicator"],
            f"{base} 年": [fmt(v) for v in t["from_value"]],
            f"{year} 年": [fmt(v) for v in t["to_value"]],
            "因素": t["label"],
            "贡献（加法）": [fmt(v, "signed") for v in t["effect"]],
            "因子（乘法）": [fmt(v) for v in t["factor_ratio"]],
        }
    ).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# 03 趋势


def trend_summary(
    fits: pd.DataFrame, years: Sequence[int], places: int = 2
) -> tuple[list[str], pd.DataFrame]:
    """Sentences on every indicator with a fitted trend (:func:`ecopark.trends.fit_trends` over
    ``years``), and the trend table in Chinese; paces by :func:`pace` at ``places`` decimals
    (the rules' reported precision)."""
    f = fits
    fitted = f[f["outlook"] != "insufficient_data"]
    sentences = [f"数据年份：{'、'.join(map(str, years))}（共 {len(years)} 年）。"]
    if fitted.empty:
        sentences.append("各指标可计算的年份均不足 3 年，不作趋势判断；下表列出各指标的最新值。")
    else:
        for _, r in fitted.iterrows():
            unit = r["unit"] or ""
            state = "达标" if bool(r["last_passed"]) else "未达标"
            change = (
                ""
                if pd.isna(r["slope"])
                else f"{r['first_year']}–{r['last_year']} 年{pace(float(r['slope']), unit, places)}，"
            )
            sentences.append(
                f"- **{r['number']} {r['indicator']}**：{change}"
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
            "每年变化": [
                MISSING if pd.isna(v) else pace(float(v), u or "", places).removeprefix("拟合速度 ")
                for v, u in zip(f["slope"], f["unit"], strict=True)
            ],
            "展望": f["outlook_zh"],
        }
    ).set_index("序号")
    return sentences, table


def trend_numbers(fits: pd.DataFrame, problems: Sequence[int], limit: int = 4) -> list[int]:
    """The indicators worth a trend chart: failing or at-risk ones (``problems``) with values in
    at least 2 years (a fitted projection needs 3), then those projected to change status; at
    most ``limit``."""
    f = fits
    fitted = f[f["outlook"].isin(["will_pass", "never", "will_fail"])]
    wanted = set(problems)
    with_data = f[f["n_years"] >= 2]
    chosen = [n for n in with_data["number"] if n in wanted]
    chosen += [n for n in fitted["number"] if n not in chosen]
    return chosen[:limit]


# ---------------------------------------------------------------------------------------------
# By sector


def no_sector_file(park_name: str, year: int) -> str:
    """Why there is no sector analysis: no sector file for the year."""
    return f"{esc(park_name)}没有 {year} 年的分行业数据（sectors/{year}.csv），不作分行业分解。"


NO_SECTOR_INDICATOR = "未达标或临界指标中没有可按行业分解的指标（分行业数据只分解加和型数据项）。"


def sector_sentence(
    shares: pd.DataFrame,
    names: Mapping[str, Item],
    effects: pd.DataFrame | None = None,
    why_no_effects: Exception | None = None,
) -> str:
    """One indicator by sector: each numerator item's largest source (``shares``:
    :func:`ecopark.sectors.sector_shares`) and, when given, the structure and intensity effects
    (the ``合计`` rows of :func:`ecopark.sectors.structure_intensity`) or why there are none."""
    n, year = shares["number"].iloc[0], int(shares["year"].iloc[0])
    parts = []
    for item, rows in shares.groupby("item", sort=False):
        top = rows.sort_values("share", ascending=False).iloc[0]
        text = f"{names[item].name_zh}最大来源为{esc(top['sector'])}，占 {fmt(top['share'] * 100)}%"
        if not math.isnan(top["value_added_share"]):
            text += f"（其工业增加值仅占 {fmt(top['value_added_share'] * 100)}%）"
        parts.append(text)
    line = f"- **{n} {shares['indicator'].iloc[0]}**（{year} 年）：" + "；".join(parts)
    if why_no_effects is not None:
        line += f"。不作结构/强度分解（{why_no_effects}）"
    elif effects is not None:
        total = effects[effects["sector"] == "合计"]
        joined = "，".join(
            f"{r['factor'].split(' (')[0]} {fmt(r['effect'], 'signed')}"
            for _, r in total.iterrows()
        )
        line += (
            f"。{effects.attrs['year_from']}→{effects.attrs['year_to']} 年由 "
            f"{fmt(total['from_value'].iloc[0])} 变为 {fmt(total['to_value'].iloc[0])}：{joined}"
        )
    return line + "。"


def sector_table(shares: Sequence[pd.DataFrame], names: Mapping[str, Item]) -> pd.DataFrame:
    """The sector shares of several indicators in one Chinese table."""
    t = pd.concat(shares, ignore_index=True)
    return pd.DataFrame(
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


# ---------------------------------------------------------------------------------------------
# 01 摘要

#: A change of one item beyond this share of its value [%] is not offered as an action.
REALISTIC_CHANGE_PCT = 50.0


def unrealistic(row: Mapping[str, object]) -> str:
    """Why a what-if row (:func:`ecopark.whatif.what_it_would_take`) is not a realistic action,
    or ``""``: unreachable, a negative quantity, a share above 100 %, the item cut to nothing
    (−100 %, e.g. the year's major incidents) or a change beyond ±:data:`REALISTIC_CHANGE_PCT` %."""
    if not bool(row["reachable"]):
        return str(row["reason_zh"]) or "无法达到"
    required, change = float(row["required_value"]), float(row["required_change_pct"])
    if required < 0:
        return "需为负值"
    if row["item_unit"] == "%" and required > 100:
        return "需超过 100%"
    if change <= -100:
        return "需降至零"
    if abs(change) > REALISTIC_CHANGE_PCT:
        return f"变化超过 ±{fmt(REALISTIC_CHANGE_PCT)}%"
    return ""


def _ordered(results: Sequence[object]) -> list:
    """Indicator results with the verdict's deciders first: must, then selected, then the rest
    (in the standard's order within each)."""
    rank = {"must": 0, "selected": 1}
    return sorted(results, key=lambda r: (rank.get(r.role, 2), r.number))


def summary(
    assessment: Assessment,
    whatif: pd.DataFrame,
    found: Sequence[DataWarning],
    doubts: Sequence[DataWarning] = (),
) -> str:
    """The one-screen summary of report 01, as Markdown: the verdict and its reasons; the
    indicators that decide it or are at risk (must ones first); the realistic actions of what it
    would take (the others marked 不现实 with why, :func:`unrealistic`); and the data doubts of the
    year (warnings of the data checks and source notes that question a figure)."""
    a = assessment
    lines = []
    if not a.judged:
        lines.append(f"**结论：不作评价**（{esc(a.judged_reason.zh)}）。")
    else:
        if a.assessable:
            word = "符合" if a.compliant else "不符合"
            lines.append(f"**结论：{word} {a.standard.code} 的要求。**")
        else:
            lines.append(f"**结论：不具备 {a.standard.code} 的评价条件。**")
        lines += [f"{i}. {r.zh}" for i, r in enumerate(a.reasons, start=1)]
    counted = _ordered([r for r in a.results if r.counts and r.status in ("fail", "at_risk")])
    lines.append("")
    lines.append("**决定结论或有风险的指标**")
    lines.append("")
    if counted:
        for r in counted:
            state = "未达标" if r.status == "fail" else f"临界，余量 {fmt(r.margin_pct, 'share')}"
            lines.append(
                f"- {r.label} {r.name_zh}（{ROLE_ZH.get(r.role, r.role)}）："
                f"{with_unit(r.display_marked, r.unit)}，要求 {with_unit(r.requirement, r.unit)}，{state}"
            )
    else:
        lines.append("- 计入考核的指标均稳定达标（无未达标或余量不足 10% 的指标）。")
    others = [r for r in a.results if not r.counts and r.status == "fail"]
    if others:
        lines.append(
            f"- 另有未选的可选指标 {len(others)} 项未达标（"
            + "、".join(r.label for r in others)
            + "），不影响结论。"
        )
    lines += ["", "**可行的措施**（单项数据单独变化；变化超过 ±50% 或不可能的标为不现实）", ""]
    deciding = {r.number for r in counted if r.status == "fail"}
    rows = whatif[whatif["number"].isin(deciding)] if len(whatif) else whatif
    if not deciding:
        lines.append("- 计入考核的指标均已达标，无需措施；临界指标宜保持现状并留出余量。")
    for n in [r.number for r in counted if r.number in deciding]:
        options, not_real = [], []
        for _, w in rows[rows["number"] == n].iterrows():
            why = unrealistic(w)
            text = f"{w['item_zh']}由 {fmt(w['item_value'])} 变为 {fmt(w['required_value'], 'label')} {w['item_unit']}"
            if why:
                not_real.append(f"{text}（{fmt(w['required_change_pct'], 'pct', 1)}，{why}）")
            else:
                options.append(f"{text}（{fmt(w['required_change_pct'], 'pct', 1)}）")
        name, n = a.result(n).name_zh, a.result(n).label
        if options:
            line = f"- {n} {name}：" + "，或".join(options) + "。"
        elif len(not_real) > 1:
            line = f"- {n} {name}：没有现实的单项措施，需多项数据共同改善。"
        else:  # one item only (e.g. the year's major incidents): nothing to combine
            line = f"- {n} {name}：当年没有现实的措施。"
        lines.append(line + (f"不现实：{'；'.join(not_real)}。" if not_real else ""))
    year_doubts = [w for w in (*doubts, *found) if w.year == a.year]
    seen: set[str] = set()
    shown = [w for w in year_doubts if not (w.message_zh in seen or seen.add(w.message_zh))]
    lines += ["", "**数据存疑**", ""]
    if shown:
        lines += [f"- {esc(w.message_zh)}" for w in shown]
    else:
        lines.append(f"- {a.year} 年的数据未发现需要核对之处。")
    other = len({w.message_zh for w in found if w.year != a.year})
    if other:
        lines.append(f"- 其他年份另有 {other} 处需要核对，见「数据核查」。")
    return "\n".join(lines)
