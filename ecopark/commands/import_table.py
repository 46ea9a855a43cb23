"""``ecopark import-table``: a filled official table (.xlsx; HJ 274-2015: 附表1 对照考核表) into a
park folder, read by the words of the standard's ``official_table``."""

from __future__ import annotations

import argparse
import sys

from ecopark.errors import display_path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import-table",
        help="把填好的对照考核表 (.xlsx) 读入园区文件夹 / read a filled 对照考核表 into a park folder "
        "(year files and park.yaml)",
        description="Read a filled official table (HJ 274-2015: 附表1 国家生态工业示范园区对照考核表), "
        "in the words of the standard's official_table (sheet name, headings, header lines, role "
        "words), and write the evaluation year's file, the base-year and three-years-back files "
        "from the rows that carry those values (HJ 274-2015: 规划基准年…, 2018 年…), and the "
        "selection (HJ 274-2015: 是/否/必选) into park.yaml. Nothing is written unless the whole "
        "sheet is valid; existing year files are kept unless --force.",
    )
    p.add_argument("file", metavar="FILE.xlsx")
    p.add_argument(
        "--park-dir", required=True, metavar="DIR", help="the park folder (created if missing)"
    )
    p.add_argument("--year", required=True, type=int, metavar="YEAR", help="the evaluation year T")
    p.add_argument(
        "--force",
        action="store_true",
        help="overwrite existing year files, keeping a copy <file>.bak-<timestamp>",
    )
    p.add_argument(
        "--base-year",
        type=int,
        metavar="YEAR",
        help="base year for a new park.yaml if the sheet lacks its base-year line "
        "(HJ 274-2015: 数据基准年为 XXXX 年)",
    )
    p.add_argument(
        "--standard",
        metavar="CODE",
        help="the standard the sheet is read against: a new park.yaml's standard (default "
        "HJ 274-2015), or one of those an existing park.yaml names (default its first); "
        "`ecopark standards` lists them",
    )
    p.add_argument(
        "--attribute",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a park attribute the standard declares, e.g. --attribute park_type=chemical "
        "(repeatable; an unknown KEY is answered with the attributes the standard declares and "
        "their values): written into a new park.yaml, or added to an existing one that lacks it",
    )
    p.add_argument(
        "--water-region",
        metavar="VALUE",
        help="shorthand for --attribute water_region=VALUE (for a standard that declares "
        "water_region, such as HJ 274-2015)",
    )
    p.set_defaults(func=run_import)


def attribute_args(pairs: list[str], water_region: str | None = None) -> dict[str, str]:
    """``--attribute KEY=VALUE`` options (and the ``--water-region`` shorthand) as a mapping.

    Raises
    ------
    InputError
        If an option is not ``KEY=VALUE`` or one key is given twice.
    """
    from ecopark.errors import InputError, Problem

    given = [*pairs, *([f"water_region={water_region}"] if water_region is not None else [])]
    out: dict[str, str] = {}
    problems: list[Problem] = []
    for pair in given:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            problems.append(
                Problem(
                    "--attribute",
                    f"'{pair}' is not KEY=VALUE; write e.g. --attribute park_type=chemical",
                )
            )
        elif key in out:
            problems.append(Problem(f"--attribute {key}", f"{key} is given twice; give it once"))
        else:
            out[key] = value.strip()
    if problems:
        raise InputError(problems)
    return out


def run_import(args: argparse.Namespace) -> int:
    from ecopark.tables.importer import import_office_table

    result = import_office_table(
        args.file,
        args.park_dir,
        args.year,
        force=args.force,
        base_year=args.base_year,
        standard=args.standard,
        attributes=attribute_args(args.attribute, args.water_region),
    )
    print(f"{display_path(args.file)}: {result.sheet_note}", file=sys.stderr)
    for backup in result.backups:
        print(f"kept a copy: {display_path(backup)}", file=sys.stderr)
    for path in result.written:
        print(f"wrote {display_path(path)}", file=sys.stderr)
    if result.selected_optional is not None:
        print(f"selected_optional: {result.selected_optional}", file=sys.stderr)
    for warning in result.warnings:
        print(f"ecopark: warning: {warning}", file=sys.stderr)
    return 0
