"""How results show themselves in JupyterLab: one status Styler, and short texts and HTML.

- :func:`styled`: any ecopark table with a ``status`` column as a pandas Styler: the status in
  Chinese (达标 / 临界 / 未达标 / 无法计算) on its colour (:data:`ecopark.status.STATUS_COLOURS`),
  numbers without float noise, no index, every text HTML-escaped. The one status table of Lab and
  of the reports.
- :func:`assessment_html`, :func:`assessment_text`: an :class:`~ecopark.assessment.Assessment`
  (verdict, counts by status, the coloured table); :func:`park_html`, :func:`park_text` live in
  :mod:`ecopark.io.parkview` (a park is data in, below this layer).
- :func:`advice_html`, :func:`trends_html`: the advisor's and the trends' results.

Everything that comes from a data file (names, notes, reasons) is escaped; nothing here computes.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

import pandas as pd

from ecopark.status import STATUS_COLOURS, STATUS_EN, STATUS_ORDER, STATUS_ZH

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

    from ecopark.advisor import SelectionAdvice
    from ecopark.assessment import Assessment
    from ecopark.scenarios import ScenarioAssessment

#: Chinese headers of the columns the status tables show (others keep their names).
COLUMN_ZH = {
    "park": "园区",
    "year": "年份",
    "number": "序号",
    "category": "类别",
    "indicator": "指标",
    "unit": "单位",
    "role": "考核",
    "requirement": "要求",
    "display": "指标值",
    "value": "指标值（未修约）",
    "margin_pct": "余量 %",
    "status": "状态",
    "reason_zh": "说明",
    "value_a": "指标值 a（未修约）",
    "value_b": "指标值 b（未修约）",
    "display_a": "指标值 a",
    "display_b": "指标值 b",
    "status_a": "状态 a",
    "status_b": "状态 b",
    "change": "变化",
    "change_pct": "变化 %",
    "flipped": "达标翻转",
    "item_zh": "数据项",
}
#: The columns of an assessment's table in Lab, in order.
ASSESSMENT_COLUMNS = ["number", "indicator", "unit", "role", "requirement", "display", "margin_pct"]


#: A status by its code or its Chinese label (tables in Chinese carry the label).
_STATUS_OF = {**{s: s for s in STATUS_ORDER}, **{zh: s for s, zh in STATUS_ZH.items()}}


def status_css(status: str) -> str:
    """The CSS of a status cell (code or Chinese label): a tint of its colour and a bar of it."""
    colour = STATUS_COLOURS.get(_STATUS_OF.get(status, ""))
    if colour is None:
        return ""
    return f"background-color: {colour}33; border-left: 4px solid {colour}; font-weight: 600"


def _number(x: object) -> str:
    """A float without float noise (12 significant digits), '—' for NaN and None."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if isinstance(x, float):
        return f"{x:.12g}"
    return str(x)


def styled(
    frame: pd.DataFrame,
    status: str = "status",
    chinese_headers: bool = True,
    headers: dict[str, str] | None = None,
) -> Styler:
    """The status Styler of an ecopark table.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table with a status column (gap table, what-if, results, scenario and comparison
        diffs, the reports' Chinese tables); a table without one is shown plainly, escaped. A
        named index (``序号``) is shown as a column.
    status : str
        The column holding ``pass`` / ``at_risk`` / ``fail`` / ``not_computable`` (or their
        Chinese labels); shown as the Chinese label on the status colour. ``status_a``,
        ``status_b`` (a comparison) and columns ending in ``_status`` are coloured too.
    chinese_headers : bool
        Show the Chinese headers of :data:`COLUMN_ZH`.
    headers : dict, optional
        Headers that replace those (``{"status_a": "原状态"}``).

    Returns
    -------
    pandas.io.formats.style.Styler
        Without the index; ``margin_pct`` with a sign and one decimal; every text escaped.
    """
    named = any(name is not None for name in frame.index.names)
    shown = frame.reset_index(drop=not named)
    status_cols = [
        c
        for c in shown.columns
        if c == status or str(c).endswith("_status") or str(c) in (f"{status}_a", f"{status}_b")
    ]
    css = {
        c: shown[c].map(lambda s: status_css(s) if isinstance(s, str) else "") for c in status_cols
    }
    for c in status_cols:
        shown[c] = shown[c].map(lambda s: STATUS_ZH.get(s, s) if isinstance(s, str) else s)
    if "role" in shown.columns:
        from ecopark.assessment import ROLE_WORDS

        shown["role"] = shown["role"].map(lambda r: ROLE_WORDS["label"].get(r, r))
    formats = {
        c: (lambda x: "—" if pd.isna(x) else f"{x:+.1f}")
        for c in shown.columns
        if str(c).endswith("margin_pct")
    }
    styler = shown.style.format(_number, escape="html").format(formats, escape="html")
    for c, cells in css.items():
        styler = styler.apply(lambda _col, cells=cells: cells.tolist(), subset=[c])
    names = {c: COLUMN_ZH.get(c, c) for c in shown.columns} if chinese_headers else {}
    names.update(headers or {})
    styler = styler.format_index(lambda c: names.get(c, c), axis=1, escape="html")
    return styler.hide(axis="index")


def counts(statuses: pd.Series) -> dict[str, int]:
    """``{status: how many}`` in :data:`~ecopark.status.STATUS_ORDER` (zeros kept)."""
    got = statuses.value_counts()
    return {s: int(got.get(s, 0)) for s in STATUS_ORDER}


def _counts_text(c: dict[str, int], zh: bool = True) -> str:
    words = STATUS_ZH if zh else STATUS_EN
    return ("，" if zh else ", ").join(f"{words[s]} {n}" for s, n in c.items())


def _counted(a: Assessment) -> pd.DataFrame:
    table = a.table()
    return table[table["role"].isin(["must", "selected"])]


def assessment_text(a: Assessment) -> str:
    """One line: park, year, standard, verdict and the counts of the indicators that count."""
    verdict = (
        "不作评价 (not judged)"
        if not a.judged
        else "符合 (compliant)"
        if a.compliant
        else "不符合 (not compliant)"
    )
    c = counts(_counted(a)["status"])
    return (
        f"<Assessment {a.park} {a.year} {a.standard.code}: {verdict}; "
        f"{_counts_text(c, zh=False)} of {sum(c.values())} counted indicators>"
    )


def _verdict_html(a: Assessment) -> str:
    head = html.escape(f"{a.config.name}（{a.year} 年）· {a.standard.code}")
    if not a.judged:
        why = f"（{a.judged_reason.zh}）" if a.judged_reason else ""
        return f"<h4>{head}</h4><p><b>不作评价</b>{html.escape(why)}</p>"
    colour = STATUS_COLOURS["pass" if a.compliant else "fail"]
    word = "符合要求" if a.compliant else "不符合要求"
    reasons = "".join(f"<li>{html.escape(r.zh)}</li>" for r in a.reasons)
    return f'<h4>{head}</h4><p><b style="color: {colour}">{word}</b></p>' + (
        f"<ol>{reasons}</ol>" if reasons else ""
    )


def assessment_html(a: Assessment) -> str:
    """The verdict with its reasons, the counts by status, and the coloured table."""
    table = a.table()
    counted = counts(_counted(a)["status"])
    every = counts(table["status"])
    lines = (
        f"<p>计入考核的 {sum(counted.values())} 项指标：{html.escape(_counts_text(counted))}；"
        f"全部 {len(table)} 项：{html.escape(_counts_text(every))}</p>"
    )
    shown = table[[*ASSESSMENT_COLUMNS, "status", "reason_zh"]]
    return _verdict_html(a) + lines + styled(shown).to_html()


def advice_text(advice: SelectionAdvice) -> str:
    """One line: the recommended selection against the current one."""
    return (
        f"<SelectionAdvice {advice.year}: recommended "
        f"{list(advice.recommended)} (smallest margin {advice.recommended_min_margin:.1f} %), "
        f"current {list(advice.current)}; add {list(advice.add)}, drop {list(advice.drop)}>"
    )


def advice_html(advice: SelectionAdvice) -> str:
    """The advice in words and the margin of every optional indicator considered."""
    rows = [
        {
            "number": n,
            "margin_pct": m,
            "当前选择": "是" if n in advice.current else "",
            "建议选择": "是" if n in advice.recommended else "",
        }
        for n, m in sorted(advice.margins.items())
    ]
    excluded = "".join(
        f"<li>{n}：{html.escape(why)}</li>" for n, why in sorted(advice.excluded.items())
    )
    body = f"<p>{html.escape(advice.text_zh)}</p>"
    if rows:
        body += styled(pd.DataFrame(rows)).to_html()
    if excluded:
        body += f"<p>不宜选择：</p><ul>{excluded}</ul>"
    return body


def trends_text(series: pd.DataFrame, fits: pd.DataFrame) -> str:
    """One line: how many indicators were fitted over which years."""
    years = sorted(series["year"].unique()) if len(series) else []
    span = f"{years[0]}–{years[-1]}" if years else "no years"
    return f"<Trends {len(fits)} indicators fitted over {span} ({len(years)} years)>"


def trends_html(series: pd.DataFrame, fits: pd.DataFrame) -> str:
    """The fitted trends: last value, pace per year and outlook, one row per indicator."""
    cols = ["number", "indicator", "unit", "last_year", "last_value", "slope", "outlook_zh"]
    shown = fits[[c for c in cols if c in fits.columns]].rename(
        columns={
            "last_year": "最近年份",
            "last_value": "最近值",
            "slope": "年均变化",
            "outlook_zh": "展望",
        }
    )
    return f"<p>{html.escape(trends_text(series, fits))}</p>" + styled(shown).to_html()


def scenario_html(s: ScenarioAssessment) -> str:
    """A scenario: the raw items changed, the verdict before and after, what changed."""
    changes = s.changes.drop(columns=["item"])
    changed = {"ref": "年份", "before": "原值", "after": "新值", "given": "输入"}

    def word(x: Assessment | None) -> str:
        if x is None:
            return "—"
        return "不作评价" if not x.judged else "符合" if x.compliant else "不符合"

    before, after = word(s.base), word(s)
    diff = s.diff[["number", "indicator", "unit", "display_a", "display_b", "status_a", "status_b"]]
    before_after = {
        "display_a": "原指标值",
        "display_b": "新指标值",
        "status_a": "原状态",
        "status_b": "新状态",
    }
    return (
        _verdict_html(s)
        + f"<p>情景：{html.escape(before)} → {html.escape(after)}</p>"
        + styled(changes, headers=changed).to_html()
        + (
            styled(diff, headers=before_after).to_html()
            if len(diff)
            else "<p>没有指标的数值或状态改变。</p>"
        )
    )
