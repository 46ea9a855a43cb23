"""``ecopark table``, ``ecopark check`` and ``ecopark assess``."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from ecopark.commands._csv import add_bom_option, flat, for_output
from ecopark.commands._output import add_standard_option, check_output, emit, park_inputs
from ecopark.engine import assess
from ecopark.errors import InputError, Problem, display_path
from ecopark.io.park import check_park, load_park
from ecopark.io.yearfile import sheet_note
from ecopark.tables.output import FORMATS, render


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "table", help="打印园区某年的对照考核表 / print a park-year's assessment table"
    )
    p.add_argument("park_dir", metavar="PARK_DIR")
    p.add_argument("year", metavar="YEAR", type=int)
    p.add_argument("--format", choices=FORMATS, default="csv")
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of standard output"
    )
    p.add_argument(
        "--filled-on",
        metavar="YYYY-MM-DD",
        type=_date,
        help="填报时间 printed in the xlsx header (default: today)",
    )
    add_bom_option(p)
    add_standard_option(p)
    p.set_defaults(func=run_table)

    c = sub.add_parser(
        "check",
        help="核查园区文件夹的每个文件并列出全部问题 / validate every file of a park folder and "
        "list all problems",
    )
    c.add_argument("park_dir", metavar="PARK_DIR")
    add_standard_option(c)
    c.set_defaults(func=run_check)

    a = sub.add_parser(
        "assess",
        help="评价数据文件夹下的每个园区年度 / print the verdict of every park-year under a "
        "data folder",
    )
    a.add_argument("data_dir", metavar="DATA_DIR", nargs="?", default="data")
    a.add_argument("--table", action="store_true", help="also print each table as Markdown")
    a.add_argument(
        "--csv",
        action="store_true",
        help="print one CSV row per park-year (park, year, compliant, failing, ...) instead",
    )
    a.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=None,
        help="with --csv: worker processes (default: the number of CPUs)",
    )
    a.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="with --csv: write to FILE instead of standard output",
    )
    add_bom_option(a)
    add_standard_option(a)
    a.set_defaults(func=run_assess)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date such as 2022-08-04") from None


def run_table(args: argparse.Namespace) -> int:
    park = load_park(args.park_dir, args.standard)
    inputs = park_inputs(park)
    check_output(args.output, inputs)
    result = assess(park, args.year)
    emit(
        for_output(render(result, args.format, args.filled_on), args.format, args),
        args.output,
        inputs,
    )
    return 0


def _sector_problems(park_dir: str, code: str | None = None) -> list[Problem]:
    """Every problem of the park's sector files (read against HJ 274-2015 if park.yaml is bad)."""
    from ecopark.io.sectors import SECTOR_DIR, read_sector_file
    from ecopark.io.yearfile import year_file_list
    from ecopark.standard.model import load_standard

    try:
        park = load_park(park_dir, code)
        standard, also = park.standard, park.also
    except InputError:
        standard, also = load_standard(), ()
    problems: list[Problem] = []
    for year, path in year_file_list(Path(park_dir) / SECTOR_DIR):
        try:
            read_sector_file(path, standard, year, also)
        except InputError as exc:
            problems.extend(exc.problems)
    return problems


def _data_findings(park_dir: str, code: str | None = None) -> list[str]:
    """Sector-total and data-check warnings of a valid park (under its standard ``code``)."""
    from ecopark.checks import check_data
    from ecopark.sectors import check_sector_totals

    park = load_park(park_dir, code)
    warnings = [str(p) for p in check_sector_totals(park)]
    warnings += [f"{display_path(park.path)}: {w}" for w in check_data(park)]
    return warnings


def run_check(args: argparse.Namespace) -> int:
    if args.standard:
        load_park(args.park_dir, args.standard)  # one of the park's standards, or say which
    problems: list[Problem] = check_park(args.park_dir) + _sector_problems(
        args.park_dir, args.standard
    )
    errors = [p for p in problems if not p.message.startswith("warning:")]
    data_warnings = [] if errors else _data_findings(args.park_dir, args.standard)
    for p in problems:
        print(f"ecopark: {'error: ' if p in errors else ''}{p}", file=sys.stderr)
    for w in data_warnings:
        print(f"ecopark: data check: {w}", file=sys.stderr)
    if errors:
        print(f"{display_path(args.park_dir)}: {len(errors)} problem(s) found", file=sys.stderr)
        return 2
    park = load_park(args.park_dir)
    for path in park.files.values():
        if note := sheet_note(path):
            print(f"ecopark: {display_path(path)}: {note}", file=sys.stderr)
    print(
        f"{display_path(args.park_dir)}: park.yaml and {len(park.years)} year file(s) are valid "
        f"({', '.join(map(str, park.years))}); {len(data_warnings)} data-check finding(s)"
    )
    return 0


def _skipped(args: argparse.Namespace, skipped: dict[str, str], assessed: int) -> None:
    """A note per park left out under ``--standard`` (its park.yaml does not name it); an error
    when every park was (a wrong code or folder, most likely)."""
    from ecopark.columnar import standard_code

    for name, why in skipped.items():
        shown = display_path(Path(args.data_dir) / name / "park.yaml")
        print(f"ecopark: note: {shown}: {why}", file=sys.stderr)
    if skipped and not assessed:
        raise InputError(
            Problem(
                display_path(args.data_dir),
                f"no park here names {standard_code(args.standard)} in park.yaml standard:; "
                "nothing to assess",
            )
        )


def run_assess(args: argparse.Namespace) -> int:
    from ecopark.columnar import open_park, standard_code
    from ecopark.tables.output import to_markdown
    from ecopark.tree import assess_tree, park_folders

    if not Path(args.data_dir).is_dir():
        raise InputError(Problem(args.data_dir, "is not a folder; give the data folder, e.g. data"))
    if args.output and not args.csv:
        raise InputError(Problem(args.output, "-o writes the --csv summary; add --csv"))
    if args.csv:
        summary = assess_tree(args.data_dir, args.jobs, args.standard)
        _skipped(args, summary.attrs["skipped"], assessed=len(summary))
        emit(for_output(flat(summary).to_csv(index=False), "csv", args), args.output)
        return 2 if summary["error"].fillna("").astype(bool).any() else 0
    code = standard_code(args.standard) if args.standard else None
    status = 0
    skipped: dict[str, str] = {}
    opened = 0
    for folder in park_folders(args.data_dir):
        try:
            park = open_park(folder, code)
        except InputError as exc:
            if code is None:
                raise
            for p in exc.problems:  # under --standard: say so, go on
                print(f"ecopark: error: {p}", file=sys.stderr)
            status = 2
            continue
        if isinstance(park, str):  # its park.yaml does not name --standard
            skipped[folder.name] = park
            continue
        opened += 1
        for year in park.years:
            try:
                result = assess(park, year)
            except InputError as exc:
                for p in exc.problems:
                    print(f"ecopark: error: {p}", file=sys.stderr)
                status = 2
                continue
            if not result.judged:  # the base year, a year before it, history only
                print(result.verdict_text() + "\n")
                continue
            if args.table:
                print(to_markdown(result))
            else:
                print(result.verdict_text())
                failing = [r for r in result.results if r.passed is False]
                if failing:
                    print(
                        "  未达标指标："
                        + "，".join(f"{r.number} {r.name_zh} {r.display_marked}" for r in failing)
                    )
                print(f"  {result.rules.text_zh}")
                print()
    _skipped(args, skipped, assessed=opened)
    return status
