"""``ecopark standards``: the standards' definitions found, and ``standards check FILE``."""

from __future__ import annotations

import argparse
import sys

from ecopark.errors import InputError, display_path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "standards",
        help="列出可用的标准定义 / list the standards' definitions found; "
        "'standards check FILE' validates one",
        description="List the definitions found by their code: in the package, in the folders of "
        "ECOPARK_STANDARDS (separated by the path separator) and in --standards DIR. "
        "'ecopark standards check FILE' validates a definition file and reports every problem "
        "with its line.",
    )
    p.set_defaults(func=run_list)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    check = actions.add_parser(
        "check",
        help="validate a definition file: every problem with file and line",
        description="Validate a definition file against the definition format "
        "(docs/standard-format.md): keys, types, references, formulas and units. "
        "Exit 0 when it is sound, 2 with every problem otherwise.",
    )
    check.add_argument("file", metavar="FILE")
    check.set_defaults(func=run_check)


def run_list(args: argparse.Namespace) -> int:
    from ecopark.standard import registry

    found = registry.scan()
    for entry in found.entries:
        tiers = ", ".join(entry.tiers) or "—"
        print(f"{entry.code}  (id {entry.id or '—'})  {entry.name_zh}")
        print(f"    {entry.indicators} indicators; tiers: {tiers}")
        print(f"    {display_path(entry.path)}")
    for problem in found.skipped:
        print(f"ecopark: note: {problem}", file=sys.stderr)
    clashes = [
        problem
        for code in found.codes
        if len(found.claimants(code)) > 1
        for problem in _clash(code)
    ]
    if clashes:
        raise InputError(clashes)
    return 0


def _clash(code: str) -> list:
    from ecopark.standard import registry

    try:
        registry.find(code)
    except InputError as exc:
        return exc.problems
    return []


def run_check(args: argparse.Namespace) -> int:
    from ecopark.standard.schema import validate

    problems = validate(args.file)
    if problems:
        raise InputError(problems)
    print(f"OK: {display_path(args.file)} is a sound definition")
    return 0
