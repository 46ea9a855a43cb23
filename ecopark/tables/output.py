"""The assessment table in the output formats of ``ecopark table``: csv, json, markdown, xlsx."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math

from ecopark.assessment import Assessment

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


def contract_rows(a: Assessment) -> list[list[object]]:
    """The rows of ``ecopark table`` (csv, markdown): the :data:`TABLE_COLUMNS` as printed."""
    rows = [[r[c] for c in TABLE_COLUMNS.values()] for r in a.records()]
    passed = list(TABLE_COLUMNS).index("passed")
    for row in rows:
        row[passed] = PASSED_TEXT[row[passed]]
    return rows


def _unrounded(value: float, display: str) -> float | str | None:
    """``value_unrounded`` of the JSON: the number, the word of a status, or None."""
    if math.isnan(value):
        return display or None
    return value


def to_dict(a: Assessment) -> dict[str, object]:
    """The JSON form of ``ecopark table --format json`` (data contract)."""
    records = a.records()
    return {
        "park": a.park,
        "park_name": a.config.name,
        "year": a.year,
        "standard": a.standard.code,
        "base_year": a.config.base_year,
        "compliant": a.compliant,
        "reasons": [r.zh for r in a.reasons],
        "reasons_en": [r.en for r in a.reasons],
        "indicators": [
            {
                "number": r["number"],
                "category": r["category"],
                "indicator": r["indicator"],
                "indicator_en": r["indicator_en"],
                "unit": r["unit"],
                "requirement": r["requirement"],
                "role": r["role"],
                "value": r["display"] or None,
                "value_unrounded": _unrounded(r["value"], r["display"]),
                "passed": r["passed"],
                "not_computable_reason": r["reason_zh"] or None,
                "not_computable_reason_en": r["reason_en"] or None,
            }
            for r in records
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
    lines = [f"# {c.name} {a.year} 年 {a.standard.code} 对照考核表", ""]
    lines.append(f"数据基准年：{c.base_year} 年。结论：**{'达标' if a.compliant else '未达标'}**。")
    if a.reasons:
        lines += ["", "未满足的规则："] + [f"- {_md_cell(r.zh)}" for r in a.reasons]
    lines += ["", "| " + " | ".join(TABLE_COLUMNS) + " |", "|" + "---|" * len(TABLE_COLUMNS)]
    for row in contract_rows(a):
        lines.append("| " + " | ".join(_md_cell(x) for x in row) + " |")
    return "\n".join(lines) + "\n"


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
