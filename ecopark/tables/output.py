"""The assessment table in the output formats of ``ecopark table``: csv, json, markdown, xlsx."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math

from ecopark.assessment import Assessment
from ecopark.rounding import exact_text
from ecopark.standard.model import id_value
from ecopark.textsafe import md_text

FORMATS = ("csv", "json", "markdown", "xlsx")

#: Columns of ``ecopark table`` (data contract) and the column of the results table
#: (:meth:`~ecopark.assessment.Assessment.table`) each one prints: ``value`` is the printed value.
TABLE_COLUMNS = {
    "number": "number",
    "category": "category",
    "indicator": "indicator",
    "unit": "unit",
    "requirement": "requirement",
    "role": "role",
    "value": "display",
    "passed": "passed",
}
PASSED_TEXT = {True: "true", False: "false", None: ""}


def contract_rows(a: Assessment, marked: bool = False) -> list[list[object]]:
    """The rows of ``ecopark table`` (csv, markdown): the :data:`TABLE_COLUMNS` as printed.

    ``marked``: the value with GB/T 8170's ``(+)``/``(−)`` (human-facing tables: markdown); the
    CSV contract keeps plain digits.
    """
    records = a.records()  # no pandas: `ecopark table` stays quick
    rows = [[r[c] for c in TABLE_COLUMNS.values()] for r in records]
    passed = list(TABLE_COLUMNS).index("passed")
    value = list(TABLE_COLUMNS).index("value")
    for row, mark in zip(rows, (r["mark"] for r in records), strict=True):
        row[passed] = PASSED_TEXT[row[passed]]
        if marked:
            row[value] = f"{row[value]}{mark}"
    return rows


def verdict_word(a: Assessment) -> str:
    """The verdict in words: 达标, 未达标, 不作评价 (the year is not judged) or 不具备评价条件
    (a gate tier, 基本要求, failed)."""
    if not a.judged:
        return "不作评价"
    if not a.assessable:
        return "不具备评价条件"
    return "达标" if a.compliant else "未达标"


def rules_dict(a: Assessment) -> dict[str, str]:
    """The rule in force as the JSON gives it."""
    r = a.rules
    return {
        "rounding": r.rounding,
        "comparison": r.comparison,
        "places": r.places,
        "small_value_digits": r.small_value_digits,
        "source": r.source,
        "text_zh": r.text_zh,
        "text_en": r.text_en,
    }


def _exact(value: object) -> str | None:
    """``value_exact`` of the JSON: the exact value as decimal digits, the word, or None."""
    if value is None or isinstance(value, str):
        return value
    return exact_text(value)


def _unrounded(value: float, display: str) -> float | str | None:
    """``value_unrounded`` of the JSON: the number, the word of a status, or None."""
    if math.isnan(value):
        return display or None
    return value


def to_dict(a: Assessment) -> dict[str, object]:
    """The JSON form of ``ecopark table --format json`` (data contract).

    Beside the contract's fields: ``judged`` / ``judged_reason`` (a year that is not judged has
    ``compliant`` null), ``rules`` (the rule in force), and per indicator ``value_exact`` (the
    exact value as decimal digits: all of them when finite, else 40 significant digits) and
    ``mark`` (GB/T 8170's ``(+)``/``(−)``, or null).
    """
    records = a.records()
    why = a.judged_reason
    return {
        "park": a.park,
        "park_name": a.config.name,
        "year": a.year,
        "standard": a.standard.code,
        "base_year": a.config.base_year,
        "compliant": a.compliant,
        "judged": a.judged,
        "judged_reason": why.zh if why else None,
        "judged_reason_en": why.en if why else None,
        "rules": rules_dict(a),
        "reasons": [r.zh for r in a.reasons],
        "reasons_en": [r.en for r in a.reasons],
        "indicators": [
            {
                "number": id_value(r["number"]),
                "category": r["category"],
                "indicator": r["indicator"],
                "indicator_en": r["indicator_en"],
                "unit": r["unit"],
                "requirement": r["requirement"],
                "role": r["role"],
                "value": r["display"] or None,
                "value_unrounded": _unrounded(r["value"], r["display"]),
                "value_exact": _exact(result.exact),
                "mark": r["mark"] or None,
                "passed": r["passed"],
                "not_computable_reason": r["reason_zh"] or None,
                "not_computable_reason_en": r["reason_en"] or None,
            }
            for r, result in zip(records, a.results, strict=True)
        ],
    }


def to_csv(a: Assessment) -> str:
    """The table as CSV, exactly the columns and strings of ``expected/*.csv``."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(TABLE_COLUMNS)
    writer.writerows(contract_rows(a))
    return buf.getvalue()


def to_json(a: Assessment) -> str:
    """The JSON form: park, year, compliant, reasons and the indicators with unrounded values."""
    return json.dumps(to_dict(a), ensure_ascii=False, indent=2) + "\n"


def _md_cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(a: Assessment) -> str:
    """A Markdown page: title, verdict with reasons, and the table."""
    c = a.config
    lines = [f"# {md_text(c.name)} {a.year} 年 {a.standard.code} 对照考核表", ""]
    why = f"（{a.judged_reason.zh}）" if a.judged_reason else ""  # 不作评价（2015 年为基准年）
    lines.append(f"数据基准年：{c.base_year} 年。结论：**{verdict_word(a)}**{why}。")
    if a.reasons:
        lines += ["", "未满足的规则："] + [f"- {_md_cell(r.zh)}" for r in a.reasons]
    lines += ["", "| " + " | ".join(TABLE_COLUMNS) + " |", "|" + "---|" * len(TABLE_COLUMNS)]
    for row in contract_rows(a, marked=True):
        lines.append("| " + " | ".join(_md_cell(x) for x in row) + " |")
    note = _MARK_NOTE if a.rules.comparison == "full_value" else "。"
    lines += ["", _md_cell(a.rules.text_zh) + note]
    return "\n".join(lines) + "\n"


#: What the marks mean, after the rule under a table.
_MARK_NOTE = "；(+)/(−)：修约后等于限值，实际值大于/小于该值（GB/T 8170-2008）。"


def render(a: Assessment, fmt: str, filled_on: dt.date | None = None) -> str | bytes:
    """Render an assessment in ``fmt`` (one of :data:`FORMATS`); xlsx gives bytes.

    ``filled_on`` is the 填报时间 of the xlsx header (default: today); other formats ignore it.
    """
    if fmt == "csv":
        return to_csv(a)
    if fmt == "json":
        return to_json(a)
    if fmt == "markdown":
        return to_markdown(a)
    if fmt == "xlsx":
        from ecopark.tables.officetable import workbook_bytes

        return workbook_bytes(a, filled_on)
    raise ValueError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
