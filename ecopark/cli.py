"""The ``ecopark`` command.

Each subcommand lives in its own module under :mod:`ecopark.commands` and exposes
``register(subparsers)``; this module finds them, parses the arguments and turns every
:class:`~ecopark.errors.InputError` into a clear message and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import pkgutil
import sys

from ecopark import __version__
from ecopark.errors import InputError

EXIT_INPUT_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand of :mod:`ecopark.commands`."""
    import ecopark.commands as commands

    parser = argparse.ArgumentParser(
        prog="ecopark",
        description="HJ 274-2015 国家生态工业示范园区 assessment: tables, gaps, attribution, reports.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    standards = {"metavar": "DIR", "action": "append", "default": []}
    standards["help"] = "a folder of standards' definitions, searched besides ECOPARK_STANDARDS"
    parser.add_argument("--standards", dest="standards_dirs", **standards)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):  # shared helpers, not commands
            continue
        module = importlib.import_module(f"ecopark.commands.{info.name}")
        module.register(sub)
    for command in sub.choices.values():  # --standards DIR after the command too
        if "--standards" not in command._option_string_actions:  # compare-standards: A B
            command.add_argument("--standards", dest="standards_here", **standards)
    return parser


@functools.cache
def _parser() -> argparse.ArgumentParser:
    """:func:`build_parser`, built once per process: building it imports and registers every
    command (≈7 ms), and parsing leaves a parser as it was."""
    return build_parser()


def report_problems(exc: InputError) -> None:
    """Print every problem of ``exc`` to stderr, one per line."""
    for problem in exc.problems:
        print(f"ecopark: error: {problem}", file=sys.stderr)


def _standards_folders(args: argparse.Namespace) -> contextlib.AbstractContextManager:
    """The folders of ``--standards DIR`` searched while the command runs (none: nothing)."""
    folders = args.standards_dirs + getattr(args, "standards_here", [])
    if not folders:
        return contextlib.nullcontext()
    from ecopark.standard.registry import added_folders

    return added_folders(folders)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        with _standards_folders(args):
            return int(args.func(args) or 0)
    except InputError as exc:
        report_problems(exc)
        return EXIT_INPUT_ERROR
    except KeyboardInterrupt:
        print("ecopark: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
