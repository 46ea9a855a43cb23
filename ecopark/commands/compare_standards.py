"""``ecopark compare-standards``: one park-year under two of its standards, side by side."""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
from typing import TYPE_CHECKING

from ecopark.commands._csv import add_bom_option, for_output
from ecopark.commands._output import check_output, emit, park_inputs
from ecopark.io.park import load_park
from ecopark.standard.model import id_value
from ecopark.status import STATUS_ZH
from ecopark.textsafe import csv_cell, md_text

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("csv", "markdown", "json")
#: The columns printed (of :data:`ecopark.comparison.COMPARE_STANDARDS_COLUMNS`).
COLUMNS = (
    "number_a",
    "number_b",
    "indicator_a",
    "indicator_b",
    "in",
    "unit_a",
    "unit_b",
    "requirement_a",
    "requirement_b",
    "display_a",
    "display_b",
    "status_a",
    "status_b",
    "counts_a",
    "counts_b",
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare-standards",
        help="同一园区年度按两项标准对照评价 / one park-year assessed under two of its standards, "
        "side by side",
        description="One row per indicator of either standard: its value (as printed) and status "
        "under each. Indicators are matched only where a definition says so (same_as:); the "
        "others are listed as present in one standard only. Both verdicts are given in words "
        "(JSON: verdict_a/verdict_b; CSV: on standard error; Markdown: above the table).",
    )
    p.add_argument("park_dir", metavar="PARK_DIR")
    p.add_argument("year", metavar="YEAR", type=int)
    p.add_argument(
        "--standards",
        nargs=2,
        metavar=("A", "B"),
        dest="pair",
        default=None,
        help="the two standards (codes or ids; default the first two park.yaml lists); a folder "
        "of definitions goes before the command here: ecopark --standards DIR compare-standards",
    )
    p.add_argument("--format", choices=FORMATS, default="csv")
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of standard output"
    )
    add_bom_option(p)
    p.set_defaults(func=run_compare_standards)


def _cell(value: object) -> object:
    """A cell as CSV/JSON want it: None for missing (NaN), ids as numbers where digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def rows(frame: pd.DataFrame) -> list[dict[str, object]]:
    """The printed columns of :func:`ecopark.compare_standards` as plain dicts."""
    out = []
    for row in frame[list(COLUMNS)].itertuples(index=False, name=None):
        rec = {c: _cell(v) for c, v in zip(COLUMNS, row, strict=True)}
        for c in ("number_a", "number_b"):
            rec[c] = id_value(rec[c]) if rec[c] else None
        for side in ("a", "b"):  # a side without the indicator: nothing there
            if rec["in"] not in ("both", side):
                for c in ("indicator", "unit", "counts"):
                    rec[f"{c}_{side}"] = None
        out.append(rec)
    return out


def render(frame: pd.DataFrame, fmt: str) -> str:
    """The comparison as CSV (:data:`COLUMNS`), Markdown (both verdicts, then the table) or
    JSON (``{"park", "year", "a", "b", "compliant_a", "compliant_b", "verdict_a", "verdict_b",
    "rows"}``)."""
    attrs = frame.attrs
    recs = rows(frame)
    if fmt == "json":
        doc = {
            k: attrs[k]
            for k in ("park", "year", "a", "b", "compliant_a", "compliant_b")
            + ("verdict_a", "verdict_b")
        }
        doc["rows"] = recs
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if fmt == "markdown":
        a, b = md_text(attrs["a"]), md_text(attrs["b"])
        lines = [f"# {md_text(attrs['park'])} {attrs['year']} 年：{a} 与 {b} 对照", ""]
        for side in ("a", "b"):
            text = attrs[f"verdict_{side}"].splitlines()
            lines += [f"- **{md_text(attrs[side])}**：{md_text(text[0])}"]
            lines += [f"  {md_text(t.strip())}" for t in text[1:]]
        lines += ["", f"| {a} | {b} | 指标（{a}） | 指标（{b}） | {a} 值 | {b} 值 | "]
        lines[-1] += f"{a} 状态 | {b} 状态 |"
        lines += ["|---|---|---|---|---|---|---|---|"]
        for r in recs:
            cells = [
                r["number_a"],
                r["number_b"],
                r["indicator_a"],
                r["indicator_b"],
                _with_unit(r["display_a"], r["unit_a"]),
                _with_unit(r["display_b"], r["unit_b"]),
                STATUS_ZH.get(r["status_a"], "—" if r["in"] == "b" else ""),
                STATUS_ZH.get(r["status_b"], "—" if r["in"] == "a" else ""),
            ]
            cells = ["—" if c in (None, "") else c for c in cells]
            lines.append("| " + " | ".join(md_text(c).replace("|", "\\|") for c in cells) + " |")
        return "\n".join(lines) + "\n"
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in recs:
        writer.writerow(["" if r[c] is None else _csv_value(r[c]) for c in COLUMNS])
    return buf.getvalue()


def _with_unit(display: object, unit: object) -> object:
    if display in (None, ""):
        return display
    return f"{display} {unit}" if unit else display


def _csv_value(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    return csv_cell(value)


def run_compare_standards(args: argparse.Namespace) -> int:
    import sys

    from ecopark.comparison import compare_standards  # pandas loads when the command runs

    park = load_park(args.park_dir)
    inputs = park_inputs(park)
    check_output(args.output, inputs)
    code_a, code_b = args.pair or (None, None)
    frame = compare_standards(park, args.year, code_a, code_b)
    emit(for_output(render(frame, args.format), args.format, args), args.output, inputs)
    if args.format == "csv":
        for side in ("a", "b"):
            print(frame.attrs[f"verdict_{side}"], file=sys.stderr)
    return 0
