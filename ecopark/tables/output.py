"""The assessment table in the output formats of ``ecopark table``: csv, json, markdown, xlsx."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from ecopark.assessment import TABLE_COLUMNS, Assessment

FORMATS = ("csv", "json", "markdown", "xlsx")


def to_csv(a: Assessment) -> str:
    """The table as CSV, exactly the columns and strings of ``expected/*.csv``."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(TABLE_COLUMNS)
    writer.writerows(a.table().itertuples(index=False, name=None))
    return buf.getvalue()


def to_json(a: Assessment) -> str:
    """The JSON form: park, year, compliant, reasons and the indicators with unrounded values."""
    return json.dumps(a.to_dict(), ensure_ascii=False, indent=2) + "\n"


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
    for row in a.table().itertuples(index=False, name=None):
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
