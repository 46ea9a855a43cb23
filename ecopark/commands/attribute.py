"""``ecopark attribute``: LMDI-I attribution of every indicator's change between two years."""

from __future__ import annotations

import argparse
import csv
import io
import json
import math

from ecopark.commands._output import emit
from ecopark.io.park import load_park


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "attribute", help="explain each indicator's change between two years (LMDI-I 分解)"
    )
    p.add_argument("park_dir", metavar="PARK_DIR")
    p.add_argument(
        "--from",
        dest="year_from",
        type=int,
        metavar="Y0",
        help="start year (default: the park's base year)",
    )
    p.add_argument(
        "--to",
        dest="year_to",
        type=int,
        metavar="Y1",
        help="end year (default: the latest year with data)",
    )
    p.add_argument(
        "--chain",
        action="store_true",
        help="chain year on year over the data years in between and add up the steps",
    )
    p.add_argument(
        "--indicator", type=int, action="append", metavar="N", help="only indicator N (repeatable)"
    )
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of standard output"
    )
    p.set_defaults(func=run_attribute)


def _number(x: object) -> object:
    if isinstance(x, float) and math.isnan(x):
        return None
    return x


def render(frame, fmt: str) -> str:
    """The attribution as CSV (columns of ATTRIBUTION_COLUMNS) or JSON (plus note, skipped)."""
    from ecopark.attribution import ATTRIBUTION_COLUMNS  # pandas loads when the command runs

    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(ATTRIBUTION_COLUMNS)
        for row in frame[ATTRIBUTION_COLUMNS].itertuples(index=False, name=None):
            writer.writerow(
                [
                    "" if _number(x) is None else (repr(x) if isinstance(x, float) else x)
                    for x in row
                ]
            )
        return buf.getvalue()
    records = [
        {k: _number(v) for k, v in rec.items()}
        for rec in frame[[*ATTRIBUTION_COLUMNS, "note"]].to_dict(orient="records")
    ]
    doc = {
        "park": frame.attrs.get("park"),
        "from": frame.attrs.get("year_from"),
        "to": frame.attrs.get("year_to"),
        "method": "LMDI-I" + (" chained year on year" if frame.attrs.get("chained") else ""),
        "rows": records,
        "skipped": frame.attrs.get("skipped", []),
    }
    return json.dumps(doc, ensure_ascii=False, indent=2, default=int) + "\n"


def run_attribute(args: argparse.Namespace) -> int:
    from ecopark.attribution import attribute, attribute_chained
    from ecopark.lmdi import chain_total

    park = load_park(args.park_dir)
    if args.chain:
        steps = attribute_chained(park, args.year_from, args.year_to, args.indicator)
        if steps.empty:
            frame = steps
        else:
            ends = steps.groupby("number").agg(
                from_value=("from_value", "first"), to_value=("to_value", "last")
            )
            frame = chain_total(steps, ("number", "indicator", "factor")).join(ends, on="number")
            frame["note"] = "逐年链式分解之和 (chained year on year)"
        frame.attrs.update(steps.attrs, chained=True)
    else:
        frame = attribute(park, args.year_from, args.year_to, args.indicator)
    text = render(frame, args.format)
    emit(text, args.output)
    return 0
