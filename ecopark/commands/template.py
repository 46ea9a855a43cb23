"""``ecopark template``: a blank year file with every catalogue item, for an analyst to fill in."""

from __future__ import annotations

import argparse
import sys

from ecopark.commands._output import add_standard_option
from ecopark.errors import display_path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "template",
        help="生成待填写的空白年度数据文件 / write a blank year file (every raw item, Chinese name, "
        "unit) to fill in",
        description="Write PARK_DIR/<YEAR>.csv (or .xlsx) with every catalogue item, its unit and "
        "Chinese name and an empty value. Refuses to replace an existing year file unless --force "
        "(a copy is kept as .bak-<timestamp>).",
    )
    p.add_argument("park_dir", metavar="PARK_DIR")
    p.add_argument("year", metavar="YEAR", type=int)
    p.add_argument(
        "--format",
        choices=("csv", "xlsx"),
        default=None,
        help="csv (default) or xlsx (drop-down lists for status items and units)",
    )
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of PARK_DIR/<YEAR>.<format>"
    )
    p.add_argument(
        "--force", action="store_true", help="replace an existing file, keeping a backup"
    )
    add_standard_option(p)
    p.set_defaults(func=run_template)


def run_template(args: argparse.Namespace) -> int:
    from ecopark.tables.template import write_template

    path, backups = write_template(
        args.park_dir,
        args.year,
        args.format,
        args.output,
        force=args.force,
        standard=args.standard,
    )
    for backup in backups:
        print(f"kept a copy: {display_path(backup)}", file=sys.stderr)
    print(f"wrote {display_path(path)}", file=sys.stderr)
    return 0
