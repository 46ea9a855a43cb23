"""CSV that Excel opens correctly: UTF-8 with a byte-order mark when it goes to a file.

Excel on Chinese Windows reads a CSV without a BOM in the ANSI code page (GBK) and shows UTF-8
Chinese as mojibake. So every CSV that a command writes to a file (``-o FILE``) starts with the
UTF-8 BOM unless ``--no-bom`` is given (for programs that do not expect one). Standard output
never gets one: what is printed or piped stays plain UTF-8, byte for byte the same as before.
"""

from __future__ import annotations

import argparse

BOM = "\ufeff"


def add_bom_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--no-bom`` to a command that can write CSV to a file."""
    parser.add_argument(
        "--no-bom",
        dest="bom",
        action="store_false",
        help="CSV written with -o: leave out the UTF-8 byte-order mark that Excel needs "
        "(standard output never has one)",
    )


def for_output(data: str | bytes, fmt: str, args: argparse.Namespace) -> str | bytes:
    """``data`` as it should be written: with the BOM when it is CSV going to a file.

    Parameters
    ----------
    data : str or bytes
        The rendered output (bytes for binary formats, returned unchanged).
    fmt : str
        Its format (``csv``, ``json``, ...); only CSV gets a BOM.
    args : argparse.Namespace
        The command's arguments: ``output`` (the file, or None for standard output) and ``bom``.
    """
    if fmt == "csv" and isinstance(data, str) and args.output and args.bom:
        return BOM + data
    return data
