"""``ecopark attribute``: LMDI-I attribution of every indicator's change between two years."""

from __future__ import annotations

import argparse
import csv
import io
import json
import math

from ecopark.commands._csv import add_bom_option, flat, for_output
from ecopark.commands._output import add_standard_option, check_output, emit, park_inputs
from ecopark.errors import InputError, Problem
from ecopark.io.park import load_park
from ecopark.standard.model import id_value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "attribute",
        help="两年间各指标变化的归因分解 (LMDI-I) / explain each indicator's change between two years",
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
        "--indicator",
        type=str,
        action="append",
        metavar="N",
        help="only indicator N (repeatable); one that cannot be decomposed is an error (exit 2)",
    )
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of standard output"
    )
    add_bom_option(p)
    add_standard_option(p)
    p.set_defaults(func=run_attribute)


def _number(x: object) -> object:
    """None for a number that is not one (NaN, ±inf): never printed as digits."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def render(frame, fmt: str) -> str:
    """The attribution as CSV (columns of ATTRIBUTION_COLUMNS) or JSON (plus note, skipped)."""
    from ecopark.attribution import ATTRIBUTION_COLUMNS  # pandas loads when the command runs

    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(ATTRIBUTION_COLUMNS)
        for row in flat(frame)[ATTRIBUTION_COLUMNS].itertuples(index=False, name=None):
            writer.writerow(
                [
                    "" if _number(x) is None else (repr(x) if isinstance(x, float) else x)
                    for x in row
                ]
            )
        return buf.getvalue()
    records = [
        {k: id_value(v) if k == "number" else _number(v) for k, v in rec.items()}
        for rec in frame[[*ATTRIBUTION_COLUMNS, "note"]].to_dict(orient="records")
    ]
    doc = {
        "park": frame.attrs.get("park"),
        "from": frame.attrs.get("year_from"),
        "to": frame.attrs.get("year_to"),
        "method": "LMDI-I" + (" chained year on year" if frame.attrs.get("chained") else ""),
        "rows": records,
        "skipped": [{**k, "number": id_value(k["number"])} for k in frame.attrs.get("skipped", [])],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2, default=int) + "\n"


def _asked_for(park, numbers: list[str] | None) -> list[str] | None:
    """The ``--indicator`` numbers, each one the attribution can decompose.

    Raises
    ------
    InputError
        Naming the unknown or reported indicator and those that can be decomposed.
    """
    from ecopark.attribution import check_numbers

    try:
        return check_numbers(park.standard, numbers)
    except ValueError as exc:
        raise InputError(Problem("--indicator", str(exc))) from None


def _refuse_missing(frame, numbers: list[str] | None) -> None:
    """An indicator asked for by ``--indicator`` and not decomposed is an error, with its reason."""
    if not numbers:
        return
    done = set(frame["number"].astype(str)) if len(frame) else set()
    reasons = {s["number"]: s["reason"] for s in frame.attrs.get("skipped", [])}
    missing = [k for k in dict.fromkeys(numbers) if k not in done]
    if missing:
        years = f"{frame.attrs.get('year_from')}→{frame.attrs.get('year_to')}"
        raise InputError(
            [
                Problem(
                    "--indicator",
                    f"indicator {k} cannot be decomposed {years}: "
                    f"{reasons.get(k, 'no value in one of the years')}",
                )
                for k in missing
            ]
        )


def _chain_notes(frame) -> list[str]:
    """The note of each chained row: the method, and why a ratio is undefined when it is."""
    base = "逐年链式分解之和 (chained year on year)"
    return [
        base
        if math.isfinite(r)
        else f"{base}；某一步乘法分解无定义，见各步 (a step's ratio is undefined)"
        for r in frame["factor_ratio"]
    ]


def run_attribute(args: argparse.Namespace) -> int:
    from ecopark.attribution import attribute, attribute_chained
    from ecopark.lmdi import chain_total  # pandas loads when the command runs

    park = load_park(args.park_dir, args.standard)
    inputs = park_inputs(park)
    check_output(args.output, inputs)
    numbers = _asked_for(park, args.indicator)
    if args.chain:
        steps = attribute_chained(park, args.year_from, args.year_to, numbers)
        if steps.empty:
            frame = steps
        else:
            ends = steps.groupby("number").agg(
                from_value=("from_value", "first"), to_value=("to_value", "last")
            )
            keys = ["number", "label"]
            items = steps.drop_duplicates(keys).set_index(keys)[["item", "item_zh"]]
            frame = (
                chain_total(steps, ("number", "indicator", "role", "label"))
                .join(ends, on="number")
                .join(items, on=keys)
            )
            frame["note"] = _chain_notes(frame)
        frame.attrs.update(steps.attrs, chained=True)
    else:
        frame = attribute(park, args.year_from, args.year_to, numbers)
    _refuse_missing(frame, numbers)  # nothing written
    text = render(frame, args.format)
    emit(for_output(text, args.format, args), args.output, inputs)
    return 0
