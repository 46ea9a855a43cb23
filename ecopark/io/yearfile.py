"""Year files: which files are ones, and reading one (csv in UTF-8 or GB18030, or xlsx).

The rule, stated once: a **year file** is a file named ``<year>.csv`` or ``<year>.xlsx``, the year
four digits and the extension in any letter case (``2021.csv``, ``2021.CSV``, ``2021.xlsx``,
``2021.XLSX``). A park folder holds one per year; so does its ``sectors/`` folder. Everything that
lists the years of a folder (loading, ``ecopark check``, ``ecopark run``, the importer, the
template writer) asks :func:`year_files` or :func:`year_file_list`.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import re
from pathlib import Path

from ecopark.errors import InputError, Problem, display_path
from ecopark.io.confine import confined
from ecopark.io.rows import Record, Row, validate_rows
from ecopark.standard.model import Standard, load_standard

#: The extensions of a year file (compared in lower case).
YEAR_FILE_SUFFIXES = (".csv", ".xlsx")
_YEAR_NAME = re.compile(r"^(\d{4})\.(csv|xlsx)$", re.IGNORECASE | re.ASCII)
#: The columns of a year file: required, then optional.
YEAR_COLUMNS = ("item", "value", "unit")
NOTE_COLUMN = "note"


def year_of(path: Path | str) -> int | None:
    """The year a year file's name gives (``2021.CSV`` → 2021), or None if it is not one's name."""
    m = _YEAR_NAME.match(Path(path).name)
    return int(m.group(1)) if m else None


def is_year_file(path: Path | str) -> bool:
    """Whether ``path`` is a year file: an existing file named ``<year>.csv|xlsx`` (any case)."""
    return year_of(path) is not None and Path(path).is_file()


def year_file_list(folder: Path | str) -> list[tuple[int, Path]]:
    """Every ``(year, path)`` of the year files in ``folder``, by file name; a year may repeat.

    Empty if ``folder`` is not a folder.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return [(year_of(p), p) for p in sorted(folder.iterdir()) if is_year_file(p)]


def year_files(folder: Path | str) -> dict[int, Path]:
    """``{year: path}`` of the year files in ``folder``, ascending.

    Raises
    ------
    InputError
        If a year has two files (``2021.csv`` and ``2021.xlsx``): which one holds the data is
        not for ecopark to guess.
    """
    files: dict[int, Path] = {}
    problems = []
    for year, entry in year_file_list(folder):
        if year in files:
            problems.append(
                Problem(
                    display_path(entry),
                    f"{year} has both {files[year].name} and {entry.name}; keep one",
                )
            )
        files[year] = entry
    if problems:
        raise InputError(problems)
    return files


# --------------------------------------------------------------------------------------------
# Reading the cells


def _decode(data: bytes, shown: str) -> str:
    if data[:4] == b"PK\x03\x04":
        raise InputError(
            Problem(
                shown, "is a zip file (an .xlsx renamed to .csv?); save it as CSV, or name it .xlsx"
            )
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise InputError(
        Problem(
            shown,
            "is neither UTF-8 nor GB18030 text; save it from Excel as 'CSV UTF-8' or as CSV (GB18030/GBK)",
        )
    )


def read_csv_rows(path: Path, shown: str) -> list[tuple[int, list[str]]]:
    """``(line number, cells)`` of a UTF-8 or GB18030 CSV; ``shown`` names the file in messages."""
    return csv_rows(_decode(path.read_bytes(), shown), shown)


def csv_rows(text: str, shown: str) -> list[tuple[int, list[str]]]:
    """``(line number, cells)`` of CSV text; ``shown`` names the file in messages."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise InputError(Problem(shown, f"is not valid CSV ({exc})", reader.line_num)) from None
    return rows


def read_xlsx_rows(path: Path, shown: str) -> list[tuple[int, list[str]]]:
    """``(row number, cells as text)`` of the first sheet of an .xlsx workbook."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(
            Problem(
                shown,
                f"is not a readable .xlsx workbook ({type(exc).__name__}); save it again from Excel",
            )
        ) from None
    try:
        ws = wb.worksheets[0]
        rows = []
        for number, cells in enumerate(ws.iter_rows(values_only=True), start=1):
            rows.append(
                (
                    number,
                    [
                        "" if c is None else (repr(c) if isinstance(c, float) else str(c))
                        for c in cells
                    ],
                )
            )
    finally:
        wb.close()
    return rows


def read_table(
    path: Path, shown: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> list[tuple[int, dict[str, str]]]:
    """The non-empty rows below the header of a csv or xlsx file, as ``{column: stripped cell}``.

    Parameters
    ----------
    path : Path
        The file (``.xlsx`` in any case: a workbook; anything else: CSV text).
    shown : str
        The file as messages name it.
    required, optional : tuple of str
        Column names the header must have and may have (compared in lower case).

    Returns
    -------
    list of (int, dict)
        ``(line number, {column: cell})`` with every required and optional column (``""`` when
        the row is short or the optional column absent).

    Raises
    ------
    InputError
        If the file is missing, unreadable, empty, or lacks a required column.
    """
    if not path.is_file():
        raise InputError(Problem(shown, "does not exist"))
    rows = (
        read_xlsx_rows(path, shown)
        if path.suffix.lower() == ".xlsx"
        else read_csv_rows(path, shown)
    )
    return table_cells(rows, shown, required, optional)


def table_cells(
    rows: list[tuple[int, list[str]]],
    shown: str,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
) -> list[tuple[int, dict[str, str]]]:
    """:func:`read_table` of rows already read: the header found and every row keyed by it."""
    rows = [(n, r) for n, r in rows if "".join(r).strip()]
    full = ",".join(required + optional)
    if not rows:
        raise InputError(Problem(shown, f"is empty; the first line must be the header {full}"))
    header_line, header = rows[0]
    columns = [c.strip().lower() for c in header]
    if not set(required) <= set(columns):
        raise InputError(
            Problem(
                shown,
                f"lacks the header '{','.join(required)}' (found '{','.join(header)}'); "
                f"the first line must be {full}",
                header_line,
            )
        )
    index = {c: columns.index(c) for c in required + optional if c in columns}
    return [
        (
            line,
            {
                c: row[index[c]].strip() if c in index and index[c] < len(row) else ""
                for c in required + optional
            },
        )
        for line, row in rows[1:]
    ]


# --------------------------------------------------------------------------------------------
# A year file


def _shown(path: Path) -> str:
    """:func:`display_path` of a file, resolving its folder once (resolving costs system calls)."""
    return str(Path(_shown_dir(str(path.parent), os.getcwd())) / path.name)


@functools.lru_cache(maxsize=1024)
def _shown_dir(folder: str, cwd: str) -> str:
    return display_path(folder)


def read_year_file(path: Path | str, standard: Standard | None = None) -> list[Record]:
    """Read and validate one year file (csv or xlsx) of raw items.

    Parameters
    ----------
    path : path-like
        ``<year>.csv`` or ``<year>.xlsx`` with the header ``item,value,unit[,note]``.
    standard : Standard, optional
        Whose item catalogue to use (default HJ 274-2015).

    Returns
    -------
    list of Record
        One per non-empty row, values converted to the catalogue unit. A row with an empty
        value is a missing item, not an error.

    Raises
    ------
    InputError
        With every problem found in the file (the rules are :mod:`ecopark.io.rows`).
    """
    path = Path(path)
    standard = standard or load_standard()
    shown = _shown(path)
    confined(path, path.parent, shown)  # a link out of the park folder is never read
    return _year_records(read_table(path, shown, YEAR_COLUMNS, (NOTE_COLUMN,)), standard, shown)


def read_year_text(text: str, shown: str, standard: Standard) -> list[Record]:
    """:func:`read_year_file` of CSV text not yet written (``shown`` names the file it is for)."""
    cells = table_cells(csv_rows(text, shown), shown, YEAR_COLUMNS, (NOTE_COLUMN,))
    return _year_records(cells, standard, shown)


def _year_records(
    cells: list[tuple[int, dict[str, str]]], standard: Standard, shown: str
) -> list[Record]:
    rows = [Row(line, c["item"], c["value"], c["unit"], c["note"]) for line, c in cells]
    return validate_rows(rows, standard, shown)
