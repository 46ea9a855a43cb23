"""What the commands share: print to standard output or write a file atomically (``-o FILE``).

A command never writes its output onto a file it read: :func:`emit` is given the inputs
(:func:`park_inputs` for a park folder) and refuses an output that is one of them, also through
a symbolic or hard link.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

from ecopark.errors import InputError, Problem
from ecopark.io.atomic import refuse_inputs, write_output
from ecopark.io.park import Park


def add_standard_option(parser: argparse.ArgumentParser) -> None:
    """``--standard CODE``: which of the park's standards (park.yaml ``standard:``) to assess
    against; default the first listed (:func:`ecopark.load_park`)."""
    parser.add_argument(
        "--standard",
        metavar="CODE",
        default=None,
        help="assess against this one of the park's standards (park.yaml standard:, "
        "default the first listed), e.g. --standard 'HJ 274-2015'",
    )


def park_inputs(park: Park) -> list[Path]:
    """Every data file of a park: park.yaml, the year files and the sector files."""
    from ecopark.io.sectors import sector_files

    return [park.path / "park.yaml", *park.files.values(), *sector_files(park).values()]


def check_output(output: str | None, inputs: Iterable[Path | str]) -> None:
    """Refuse ``output`` (``-o FILE``; None: standard output) before any work is done: a folder,
    or one of the files the command reads (:func:`emit` checks again when it writes).

    Raises
    ------
    InputError
        If ``output`` is a folder or one of ``inputs``, also through a link.
    """
    if not output:
        return
    if Path(output).is_dir():
        raise InputError(Problem(output, "is a folder; give a file name, e.g. -o table.csv"))
    refuse_inputs(output, inputs, "Give another file, e.g. -o table.csv")


def emit(data: str | bytes, output: str | None, inputs: Iterable[Path | str] = ()) -> None:
    """Write ``data`` to ``output`` atomically, or to standard output when ``output`` is None.

    Parameters
    ----------
    data : str or bytes
        The output (text is written as UTF-8).
    output : str, optional
        The file to write (``-o FILE``); None: standard output.
    inputs : iterable of path-like
        The files the command read: ``output`` may be none of them.

    Raises
    ------
    InputError
        If ``output`` is a folder, is one of ``inputs``, or cannot be written, or binary data has
        no ``output``; nothing is written then.
    """
    if not output:
        if isinstance(data, bytes):
            raise InputError(
                Problem(
                    "-", "this format is binary and cannot go to the terminal; give -o FILE.xlsx"
                )
            )
        sys.stdout.write(data)
        return
    check_output(output, inputs)
    binary = data if isinstance(data, bytes) else data.encode("utf-8")
    write_output(output, binary, shown=output, hint="give a file in a writable folder")
    print(f"wrote {output}", file=sys.stderr)
