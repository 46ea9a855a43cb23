"""``ecopark gaps``: how far each indicator is from its requirement, and what it would take."""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
from typing import TYPE_CHECKING

from ecopark.commands._csv import add_bom_option, for_output
from ecopark.commands._output import add_standard_option, check_output, emit, park_inputs
from ecopark.engine import assess
from ecopark.io.park import load_park
from ecopark.standard.model import id_value

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("csv", "json")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "gaps",
        help="各指标距要求的差距与达标所需的数据值 / gap to each requirement and the value of each raw "
        "item that would meet it",
        description="One row per indicator and raw item: status (pass, at_risk, fail, "
        "not_computable), margin to the limit [percent], and for failing or at-risk indicators the "
        "value of each year-T raw item alone that meets the requirement by the table's own rule, "
        "to the item's precision.",
    )
    p.add_argument("park_dir", metavar="PARK_DIR")
    p.add_argument("year", metavar="YEAR", type=int)
    p.add_argument("--format", choices=FORMATS, default="csv")
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of standard output"
    )
    add_bom_option(p)
    add_standard_option(p)
    p.set_defaults(func=run_gaps)


#: Columns printed as they are: an item's value as given and the value it would take (a
#: multiple of its precision, which writing back into the year file must reproduce exactly).
EXACT_COLUMNS = ("item_value", "required_value")


def _plain(value: object, exact: bool = False) -> object:
    """A cell as JSON/CSV wants it: None for missing, 12 significant digits for other floats."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return value if exact else float(f"{value:.12g}")
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item(), exact)
    return value


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """The report rows as plain dicts (None for empty cells)."""
    from ecopark.whatif import REPORT_COLUMNS  # pandas loads when the command runs

    return [
        {
            col: id_value(v) if col == "number" else _plain(v, col in EXACT_COLUMNS)
            for col, v in zip(REPORT_COLUMNS, row, strict=True)
        }
        for row in frame[REPORT_COLUMNS].itertuples(index=False, name=None)
    ]


def render(park_id: str, park_name: str, year: int, frame: pd.DataFrame, fmt: str) -> str:
    """The report as CSV (columns :data:`~ecopark.whatif.REPORT_COLUMNS`) or JSON.

    JSON is ``{"park", "park_name", "year", "rows": [records]}``.
    """
    from ecopark.whatif import REPORT_COLUMNS

    rows = records(frame)
    if fmt == "json":
        doc = {"park": park_id, "park_name": park_name, "year": year, "rows": rows}
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    for r in rows:
        writer.writerow(["" if r[c] is None else r[c] for c in REPORT_COLUMNS])
    return buf.getvalue()


def run_gaps(args: argparse.Namespace) -> int:
    from ecopark.whatif import gaps_report

    park = load_park(args.park_dir, args.standard)
    inputs = park_inputs(park)
    check_output(args.output, inputs)
    assessment = assess(park, args.year)
    text = render(park.id, park.config.name, args.year, gaps_report(assessment), args.format)
    emit(for_output(text, args.format, args), args.output, inputs)
    return 0
