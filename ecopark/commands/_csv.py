"""CSV that Excel opens correctly: UTF-8 with a byte-order mark when it goes to a file.

Excel on Chinese Windows reads a CSV without a BOM in the ANSI code page (GBK) and shows UTF-8
Chinese as mojibake. So every CSV that a command writes to a file (``-o FILE``) starts with the
UTF-8 BOM unless ``--no-bom`` is given (for programs that do not expect one). Standard output
never gets one: what is printed or piped stays plain UTF-8, byte for byte the same as before.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

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


#: How a list in a table's cell is written in a CSV cell: ids and numbers space-separated (as
#: ``assess --csv`` has always written ``failing``), Chinese names with 、, sentences with ；.
LIST_SEPARATOR = {"item": " ", "failing": " ", "item_zh": "、", "reasons": "；"}


def flat(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each list column (:data:`LIST_SEPARATOR`) joined into one CSV cell.

    Parameters
    ----------
    frame : pandas.DataFrame
        A public table whose list columns hold lists (``None``/NaN stays empty).
    """
    out = frame.copy()
    for column, sep in LIST_SEPARATOR.items():
        if column in out.columns:
            out[column] = [
                sep.join(map(str, v)) if isinstance(v, list | tuple) else v for v in out[column]
            ]
    return out
