"""What the commands share: print to standard output or write a file atomically (``-o FILE``)."""

from __future__ import annotations

import sys
from pathlib import Path

from ecopark.errors import InputError, Problem
from ecopark.io.atomic import write_bytes


def emit(data: str | bytes, output: str | None) -> None:
    """Write ``data`` to ``output`` atomically, or to standard output when ``output`` is None.

    Raises
    ------
    InputError
        If ``output`` is a folder or cannot be written, or binary data has no ``output``.
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
    if Path(output).is_dir():
        raise InputError(Problem(output, "is a folder; give a file name, e.g. -o table.csv"))
    try:
        write_bytes(output, data if isinstance(data, bytes) else data.encode("utf-8"))
    except OSError as exc:
        raise InputError(
            Problem(
                output,
                f"cannot be written ({exc.strerror or exc}); give a file in a writable folder",
            )
        ) from None
    print(f"wrote {output}", file=sys.stderr)
