"""Year files: which files are ones, and reading one (csv or xlsx) as the user wrote it.

The rule, stated once: a **year file** is a file named ``<year>.csv`` or ``<year>.xlsx``, the year
four digits and the extension in any letter case (``2021.csv``, ``2021.CSV``, ``2021.xlsx``,
``2021.XLSX``). A park folder holds one per year; so does its ``sectors/`` folder. Everything that
lists the years of a folder (loading, ``ecopark check``, ``ecopark run``, the importer, the
template writer) asks :func:`year_files` or :func:`year_file_list`. A ``<year>.xls`` (or WPS
``.et``, ``.ods`` ...) for a year without a year file is bad input that says to save it as .xlsx.

Reading, each rule stated once here for year files, sector files and the importer:

- **CSV**: UTF-8 (with or without BOM) or GB18030/GBK. When the bytes decode both ways (元 is
  D4 AA in GB18030, which is also valid UTF-8), the decoding under which the file's cells are
  known item names, units and header words wins; a file that mixes the two names the first line
  that does not decode. Comma-, tab- or semicolon-separated (the header line tells). A quote that
  opens a cell and never closes, or that swallows later rows, is an error naming the line where
  it opened.
- **xlsx**: the sheet named for the year, else the active sheet, else the first visible one,
  never a hidden one; cells as the user sees them (a percent-formatted 0.202 is 20.2 %, a merged
  cell gives its value to every row it spans, a formula without a saved value is an error naming
  the cell). The workbook is streamed with caps on its unpacked size and on its rows, whatever
  its dimensions claim.
- **bounded work**: a file over :data:`MAX_FILE_BYTES` is refused unread.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ecopark.errors import InputError, Problem, display_path
from ecopark.io.confine import confined
from ecopark.io.rows import (
    DATE_CELL,
    PERCENT_CELL,
    Record,
    Row,
    validate_rows,
    visible,
    vocabulary,
)
from ecopark.standard.model import Standard, load_standard

#: The extensions of a year file (compared in lower case).
YEAR_FILE_SUFFIXES = (".csv", ".xlsx")
_YEAR_NAME = re.compile(r"^(\d{4})\.(csv|xlsx)$", re.IGNORECASE | re.ASCII)
#: Spreadsheet formats a year file is sometimes saved in that ecopark does not read.
UNREAD_FORMATS = {
    ".xls": "an Excel 97-2003 workbook",
    ".et": "a WPS 表格 workbook",
    ".ett": "a WPS 表格 template",
    ".xlsm": "a macro-enabled Excel workbook",
    ".xlsb": "a binary Excel workbook",
    ".ods": "an OpenDocument spreadsheet",
    ".numbers": "a Numbers spreadsheet",
    ".tsv": "a tab-separated file",
    ".txt": "a text file",
}
_UNREAD_NAME = re.compile(
    r"^(\d{4})(" + "|".join(re.escape(s) for s in UNREAD_FORMATS) + r")$",
    re.IGNORECASE | re.ASCII,
)
#: The columns of a year file: required, then optional.
YEAR_COLUMNS = ("item", "value", "unit")
NOTE_COLUMN = "note"

#: A year file holds a few dozen rows; anything above this many bytes is refused unread [B].
MAX_FILE_BYTES = 20 * 1024 * 1024
#: A workbook whose parts unpack to more than this is refused before it is opened [B].
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
#: Rows with a value read from a sheet before the file is refused as not a year file.
MAX_ROWS = 10_000
#: Columns read from a sheet; cells to the right are ignored.
MAX_COLUMNS = 64

#: Kinds of cell a sheet can mark beyond the value formats of :mod:`ecopark.io.rows`.
FORMULA_CELL = "formula"
ERROR_CELL = "error"

_HEADER_WORDS = frozenset({"item", "value", "unit", "note", "sector"})


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
    return _year_entries(folder, _entries(folder))


def _entries(folder: Path) -> list[os.DirEntry]:
    """The entries of ``folder`` by name, listed once (empty if it is not a folder)."""
    if not folder.is_dir():
        return []
    with os.scandir(folder) as listing:
        return sorted(listing, key=lambda e: e.name)


def _year_entries(folder: Path, entries: list[os.DirEntry]) -> list[tuple[int, Path]]:
    """The year files among a folder's entries (:func:`is_year_file`), as ``(year, path)``."""
    out = []
    for e in entries:
        m = _YEAR_NAME.match(e.name)
        if m and e.is_file():
            out.append((int(m.group(1)), folder / e.name))
    return out


def unread_year_files(folder: Path | str) -> list[Problem]:
    """A problem for each ``<year>.xls`` (``.et``, ``.ods``, ...) of a year without a year file."""
    folder = Path(folder)
    entries = _entries(folder)
    return _unread(folder, entries, {year for year, _ in _year_entries(folder, entries)})


def _unread(folder: Path, entries: list[os.DirEntry], have: set[int]) -> list[Problem]:
    problems = []
    for e in entries:
        m = _UNREAD_NAME.match(e.name)
        if m and int(m.group(1)) not in have and e.is_file():
            problems.append(
                Problem(display_path(folder / e.name), _unread_message(folder / e.name))
            )
    return problems


def _unread_message(path: Path) -> str:
    suffix = path.suffix.lower()
    year = path.stem
    if suffix in (".tsv", ".txt"):
        return (
            f"is {UNREAD_FORMATS[suffix]}; a year file is named {year}.csv "
            f"(tab-separated is fine): rename it {year}.csv"
        )
    return (
        f"is {UNREAD_FORMATS[suffix]}, which ecopark does not read; open it in Excel or WPS and "
        f"save it as {year}.xlsx (Excel 工作簿) or as {year}.csv"
    )


def year_files(folder: Path | str) -> dict[int, Path]:
    """``{year: path}`` of the year files in ``folder``, ascending.

    Raises
    ------
    InputError
        If a year has two files (``2021.csv`` and ``2021.xlsx``): which one holds the data is
        not for ecopark to guess; or if a year's only file is one ecopark does not read
        (``2021.xls``).
    """
    folder = Path(folder)
    entries = _entries(folder)
    files: dict[int, Path] = {}
    problems = []
    for year, entry in _year_entries(folder, entries):
        if year in files:
            problems.append(
                Problem(
                    display_path(entry),
                    f"{year} has both {files[year].name} and {entry.name}; keep one",
                )
            )
        files[year] = entry
    problems += _unread(folder, entries, set(files))
    if problems:
        raise InputError(problems)
    return files


# --------------------------------------------------------------------------------------------
# What a file's cells are


@dataclass(frozen=True)
class SheetRows:
    """The cells of a file as text, with how spreadsheet cells were formatted.

    Attributes
    ----------
    rows : iterable of (int, list of str)
        ``(line or sheet row, cells)`` of every row (a CSV file's are read as they are used).
    marks : dict
        ``(row, column index) -> (kind, detail)`` for spreadsheet cells that are not plain:
        :data:`~ecopark.io.rows.PERCENT_CELL` (the text is then the percentage shown),
        :data:`~ecopark.io.rows.DATE_CELL`, :data:`FORMULA_CELL` (no saved value; the detail
        is the formula), :data:`ERROR_CELL` (the detail is the error shown, ``#DIV/0!``).
    sheet : str
        The sheet read ("" for CSV).
    note : str
        Which sheet was read and why (``read sheet '2021' (named for the year)``).
    """

    rows: Iterable[tuple[int, list[str]]]
    marks: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)
    sheet: str = ""
    note: str = ""


def _refuse_large(path: Path, shown: str) -> None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError(
            Problem(
                shown,
                f"is {size / 1e6:,.0f} MB; a year file holds one row per item (a few kB), "
                f"ecopark reads files up to {MAX_FILE_BYTES // 2**20} MB — is this the right file?",
            )
        )


# --------------------------------------------------------------------------------------------
# CSV

_ENCODING_NAMES = {"utf-8": "UTF-8", "gb18030": "GB18030/GBK"}
#: Characters of a file that decide its encoding (the first ones; a year file is far shorter).
_SAMPLE = 100_000

#: Non-ASCII characters a Chinese park file holds when it is read in the right encoding: CJK
#: ideographs and punctuation, full-width forms, general punctuation (“ ” — … and the zero-width
#: space), letter-like symbols and super/subscripts (m³ is ASCII m and U+00B3 in Latin-1, so
#: known unit spellings are counted as known cells instead).
_PLAUSIBLE = re.compile("[\u3400-\u9fff\u3000-\u303f\uff00-\uffef\u2000-\u214f]")
_CELL_SPLIT = re.compile(r"[,\t;\r\n]")


def _known(text: str, words: frozenset[str]) -> int:
    """How many distinct cells of a decoding's sample are known words."""
    return sum(1 for cell in set(_CELL_SPLIT.split(text[:_SAMPLE])) if cell.strip(' "') in words)


def _plausible(text: str) -> float:
    """The share of a decoding's non-ASCII characters that are plausible in a Chinese file
    (GB18030 bytes read as UTF-8 give Armenian, Cyrillic, Latin letters: 元 D4 AA is 'Ԫ')."""
    text = text[:_SAMPLE]
    wide = len(text) - len(text.encode("ascii", "ignore"))
    return len(_PLAUSIBLE.findall(text)) / wide if wide else 0.0


def _best(texts: dict[str, str], words: frozenset[str]) -> str:
    """The encoding whose decoding knows the most cells; on a tie the most plausible; then UTF-8."""
    known = {enc: _known(t, words) for enc, t in texts.items()}
    top = [enc for enc in texts if known[enc] == max(known.values())]
    return top[0] if len(top) == 1 else max(top, key=lambda enc: _plausible(texts[enc]))


def decode(data: bytes, shown: str, words: frozenset[str] = frozenset()) -> str:
    """The text of a CSV file's bytes: UTF-8 or GB18030, decided by content.

    Parameters
    ----------
    data : bytes
        The file.
    shown : str
        The file as messages name it.
    words : frozenset of str
        Cells a right decoding produces (item ids and names, units, header words): when the
        bytes decode both ways, the decoding with more of them wins (ties: UTF-8).

    Raises
    ------
    InputError
        If the bytes are a zip (an .xlsx renamed), neither encoding, or a mix of both (naming
        the first line that does not decode).
    """
    if data[:4] == b"PK\x03\x04":
        raise InputError(
            Problem(
                shown, "is a zip file (an .xlsx renamed to .csv?); save it as CSV, or name it .xlsx"
            )
        )
    bom = data.startswith(codecs.BOM_UTF8)
    if bom:
        data = data[len(codecs.BOM_UTF8) :]
    neither = Problem(
        shown,
        "is neither UTF-8 nor GB18030 text; save it from Excel as 'CSV UTF-8' or as CSV (GB18030/GBK)",
    )
    if b"\x00" in data:
        raise InputError(neither)
    if data.isascii():
        return data.decode("ascii")
    words = words | _HEADER_WORDS
    encodings = ("utf-8",) if bom else ("utf-8", "gb18030")
    whole: dict[str, str] = {}
    first_bad: dict[str, int] = {}
    for encoding in encodings:
        try:
            whole[encoding] = data.decode(encoding)
        except UnicodeDecodeError as exc:
            first_bad[encoding] = exc.start
    if len(whole) == 2:
        return whole[_best(whole, words)]
    # at most one decodes the whole file: which one do its lines speak, bad bytes left out?
    sample = data[: _SAMPLE * 4]
    texts = {enc: sample.decode(enc, "replace") for enc in encodings}
    best = _best(texts, words)
    if best in whole:
        return whole[best]
    if _known(texts[best], words) == 0:
        raise InputError(neither)
    raise InputError(
        Problem(
            shown,
            f"mixes encodings: this line is not {_ENCODING_NAMES[best]} like the rest of the "
            "file (pasted from another file?); save the whole file again from Excel as "
            "'CSV UTF-8'",
            data.count(b"\n", 0, first_bad[best]) + 1,
        )
    )


def read_csv_rows(path: Path, shown: str, words: frozenset[str] = frozenset()) -> SheetRows:
    """The rows of a UTF-8 or GB18030 CSV file (``words``: see :func:`decode`)."""
    _refuse_large(path, shown)
    return csv_rows(decode(path.read_bytes(), shown, words), shown)


def _delimiter(text: str) -> str:
    """The separator the header line uses: a comma, else a tab, else a semicolon."""
    header = next((line for line in text[:_SAMPLE].splitlines() if line.strip()), "")
    if "," in header:
        return ","
    return next((d for d in ("\t", ";") if d in header), ",")


def _ends_in_quote(text: str, delimiter: str) -> bool:
    """Whether CSV ``text`` ends inside a quoted cell (as :mod:`csv` reads quotes)."""
    start, plain, quoted, closing = range(4)
    state = start
    for c in text:
        if state == start:
            state = quoted if c == '"' else start if c in (delimiter, "\r", "\n") else plain
        elif state == plain:
            if c in (delimiter, "\r", "\n"):
                state = start
        elif state == quoted:
            if c == '"':
                state = closing
        elif c == '"':
            state = quoted
        else:
            state = start if c in (delimiter, "\r", "\n") else plain
    return state == quoted


class _Lines:
    """The lines of a text, remembering those read since :meth:`take` was last called."""

    def __init__(self, text: str):
        self.source = io.StringIO(text, newline="")
        self.read: list[str] = []

    def __iter__(self) -> Iterator[str]:
        for line in self.source:
            self.read.append(line)
            yield line

    def take(self) -> list[str]:
        lines, self.read = self.read, []
        return lines


def csv_rows(text: str, shown: str) -> SheetRows:
    """The rows of CSV text, read as they are used; ``shown`` names the file in messages.

    The separator is the header line's (comma, else tab, else semicolon).

    Raises
    ------
    InputError
        (while the rows are read) if a quote opens a cell and never closes, naming the line where
        it opened, or a quoted cell runs over later lines that hold separators (rows swallowed
        into one cell).
    """
    return SheetRows(_csv_rows(text, shown, _delimiter(text)))


def _csv_rows(text: str, shown: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter)
    start = 1
    try:
        for row in reader:
            segment = lines.take()
            if len(segment) > 1 or '"' in segment[0] or not segment[0].endswith(("\n", "\r")):
                problem = _quote_problem(segment, start, row, delimiter, shown)
                if problem is not None:
                    raise InputError(problem)
            yield start, row
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(Problem(shown, f"is not valid CSV ({exc})", reader.line_num)) from None


def _quote_problem(
    lines: list[str], start: int, row: list[str], delimiter: str, shown: str
) -> Problem | None:
    """The problem of a row read from ``lines`` (from line ``start``) if a quote swallowed lines."""
    end = start + len(lines) - 1
    first = visible(row[0].strip()) if row and "\n" not in row[0] else None
    if _ends_in_quote("".join(lines), delimiter):
        rest = "the rest of the line" if end == start else f"every later line ({start + 1}–{end})"
        return Problem(
            shown,
            f'a quote (") opens a cell here and is never closed, so {rest} is read into that '
            "one cell; close the quote or delete it",
            start,
            first or None,
        )
    if any(delimiter in line for line in lines[1:]):
        return Problem(
            shown,
            f'a quote (") opens a cell here and closes only on line {end}, so lines '
            f"{start + 1}–{end} are read into that one cell; close the quote on line {start} "
            "or delete it",
            start,
            first or None,
        )
    return None


# --------------------------------------------------------------------------------------------
# xlsx

_SHEET_NAME = re.compile(r"^(\d{4})年?$")
_CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?([1-9]\d{0,6})$")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _number_text(text: str) -> str:
    """A numeric cell as the user typed it: ``4906200``, ``1974333.51`` (not ``4906200.0``)."""
    try:
        number = float(text)
    except ValueError:
        return text
    if number != number or number in (float("inf"), float("-inf")):
        return text  # not a figure any real workbook holds; the row validator says so
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def _percent_text(text: str) -> str:
    """The percentage a percent-formatted cell holding ``text`` shows: ``0.202`` -> ``20.2``."""
    number = _number_text(text)
    try:
        shown = Decimal(number) * 100
    except ArithmeticError:
        return number
    if not shown.is_finite() or shown.adjusted() > 40:
        return number
    return f"{shown.normalize():f}"


def _is_percent_format(fmt: str) -> bool:
    """Whether an Excel number format shows a percentage (``0.0%``, not ``0.0"%"``)."""
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", fmt)
    return "%" in bare


def _unpacked_size(path: Path, shown: str) -> None:
    """Refuse a workbook that is no zip, or whose parts unpack to more than the cap."""
    import zipfile  # only for workbooks: a command reading CSV year files does not pay for it

    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            Problem(
                shown,
                "is an Excel 97-2003 workbook (.xls) or a password-protected one; save it from "
                "Excel or WPS as .xlsx (Excel 工作簿) without a password",
            )
        )
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError(
            Problem(
                shown,
                "is not a readable .xlsx workbook (not a zip archive; a CSV file must be named "
                ".csv); save it again from Excel",
            )
        ) from None
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED_BYTES or len(infos) > 10_000:
        raise InputError(
            Problem(
                shown,
                f"unpacks to {total / 1e6:,.0f} MB in {len(infos)} parts; a year file's workbook "
                "unpacks to well under a MB — copy the data into a new workbook",
            )
        )


def _choose_sheet(wb, shown: str, prefer: Callable[[str], bool], why: str):
    """The sheet to read: the first visible one ``prefer`` names, else the active, else the first
    visible; never a hidden one. Returns ``(sheet, note)``."""
    sheets = list(wb.worksheets)
    shown_sheets = [ws for ws in sheets if ws.sheet_state == "visible"]
    hidden = [ws.title for ws in sheets if ws.sheet_state != "visible"]
    if not shown_sheets:
        raise InputError(
            Problem(shown, "has no visible sheet; unhide the sheet that holds the data")
        )
    named = [ws for ws in shown_sheets if prefer(ws.title)]
    try:
        active = wb.active
    except (IndexError, AttributeError):
        active = None
    if named:
        ws, reason = named[0], why
    elif active is not None and any(active is ws for ws in shown_sheets):
        ws, reason = active, "the active sheet"
    else:
        ws, reason = shown_sheets[0], "the first visible sheet"
    note = f"read sheet '{ws.title}' ({reason})"
    others = [s.title for s in shown_sheets if s is not ws]
    if others:
        note += "; not read: " + ", ".join(f"'{t}'" for t in others)
    if hidden:
        note += "; hidden, not read: " + ", ".join(f"'{t}'" for t in hidden)
    return ws, note


def year_sheet(year: int | None) -> Callable[[str], bool]:
    """Whether a sheet's name is the year's (``2021``, ``2021年``, full-width digits too)."""

    def prefer(title: str) -> bool:
        m = _SHEET_NAME.match(re.sub(r"\s+", "", unicodedata.normalize("NFKC", title)))
        return year is not None and m is not None and int(m.group(1)) == year

    return prefer


def read_xlsx_rows(
    path: Path,
    shown: str,
    prefer: Callable[[str], bool] = lambda title: False,
    why: str = "named for the year",
) -> SheetRows:
    """The rows of one sheet of an .xlsx workbook, as the user sees them.

    Parameters
    ----------
    path : Path
        The workbook.
    shown : str
        The file as messages name it.
    prefer : callable
        ``prefer(title)``: whether a sheet is the one to read (see :func:`year_sheet`); if none
        is, the active sheet (or the first visible one) is read. Hidden sheets never are.
    why : str
        Why a preferred sheet was read, for :attr:`SheetRows.note`.

    Raises
    ------
    InputError
        If the file is too large, no workbook, unpacks to too much, has no visible sheet or more
        than :data:`MAX_ROWS` rows with values.
    """
    import openpyxl

    _refuse_large(path, shown)
    _unpacked_size(path, shown)
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
        ws, note = _choose_sheet(wb, shown, prefer, why)
        rows, marks = _stream_sheet(ws, f"{shown} [{ws.title}]")
    finally:
        wb.close()
    return SheetRows(rows, marks, ws.title, note)


def sheet_note(path: Path | str) -> str:
    """Which sheet of a year file's workbook is read, and why (``""`` for a CSV or a bad file)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        return ""
    import openpyxl

    shown = display_path(path)
    try:
        _refuse_large(path, shown)
        _unpacked_size(path, shown)
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # the reading reports it
        return ""
    try:
        return _choose_sheet(wb, shown, year_sheet(year_of(path)), "named for the year")[1]
    except InputError:
        return ""
    finally:
        wb.close()


class _Styles:
    """Number formats of a read-only workbook's cell styles, by style id."""

    def __init__(self, ws):
        self.ws = ws
        self.kinds: dict[int, str] = {}

    def kind(self, style_id: int) -> str:
        if style_id not in self.kinds:
            from openpyxl.cell.read_only import ReadOnlyCell
            from openpyxl.styles.numbers import is_date_format

            try:
                fmt = ReadOnlyCell(self.ws, 1, 1, None, "n", style_id).number_format or ""
            except (IndexError, KeyError, TypeError):
                fmt = ""
            self.kinds[style_id] = (
                PERCENT_CELL
                if _is_percent_format(fmt)
                else DATE_CELL
                if is_date_format(fmt)
                else ""
            )
        return self.kinds[style_id]


def _coordinate(ref: str | None) -> tuple[int, int] | None:
    """``(row, column)`` of a cell reference such as ``B3``, or None if it is none."""
    m = _CELL_REF.match(ref or "")
    if m is None:
        return None
    column = 0
    for letter in m.group(1):
        column = column * 26 + ord(letter) - 64
    return int(m.group(2)), column


def _stream_sheet(ws, where: str):
    """Cells of a read-only sheet streamed from its XML: ``(rows, marks)`` of :class:`SheetRows`.

    Merged ranges give their top-left cell to every row they span (in their first column);
    rows and columns are capped whatever the sheet's dimension claims.
    """
    from xml.etree.ElementTree import ParseError, iterparse  # only for workbooks

    shared = ws._shared_strings
    styles = _Styles(ws)
    cells: dict[int, dict[int, str]] = {}
    marks: dict[tuple[int, int], tuple[str, str]] = {}
    merges: list[str] = []
    row_number = 0
    column = 0
    sheet_data = None
    try:
        with ws._get_source() as src:
            for event, el in iterparse(src, events=("start", "end")):
                tag = _local(el.tag)
                if event == "start":
                    if tag == "sheetData":
                        sheet_data = el
                    elif tag == "row":
                        r = el.get("r")
                        row_number = int(r) if r and r.isdigit() else row_number + 1
                        column = 0
                    continue
                if tag == "c":
                    at = _coordinate(el.get("r"))
                    row, column = at if at else (row_number, column + 1)
                    if column <= MAX_COLUMNS:
                        text, mark = _cell(el, shared, styles)
                        if text or mark:
                            if row not in cells and len(cells) >= MAX_ROWS:
                                raise InputError(
                                    Problem(
                                        where,
                                        f"has more than {MAX_ROWS:,} rows with values; a year "
                                        "file holds one row per item (a few dozen) — is this "
                                        "the right sheet?",
                                    )
                                )
                            cells.setdefault(row, {})[column] = text
                            if mark:
                                marks[(row, column - 1)] = mark
                    el.clear()
                elif tag == "row":
                    if sheet_data is not None:
                        sheet_data.clear()
                elif tag == "mergeCell" and len(merges) < MAX_ROWS:
                    merges.append(el.get("ref", ""))
    except (ParseError, ValueError, KeyError) as exc:
        raise InputError(
            Problem(
                where,
                f"is not a readable sheet ({type(exc).__name__}); save the workbook again from Excel",
            )
        ) from None
    _fill_merges(cells, marks, merges)
    rows = []
    for row in sorted(cells):
        by_column = cells[row]
        width = max(by_column)
        rows.append((row, [by_column.get(c, "") for c in range(1, width + 1)]))
    return rows, marks


def _cell(el, shared: list, styles: _Styles) -> tuple[str, tuple[str, str] | None]:
    """The text of one ``<c>`` element and its mark (see :attr:`SheetRows.marks`)."""
    kind = el.get("t", "n")
    value = formula = None
    inline: list[str] = []
    for child in el:
        name = _local(child.tag)
        if name == "v":
            value = child.text or ""
        elif name == "f":
            formula = child.text or ""
        elif name == "is":
            for part in child.iter():
                if _local(part.tag) == "t" and part.text:
                    inline.append(part.text)
    ref = el.get("r", "")
    if formula is not None and (value is None or (value == "" and kind != "str")):
        return "", (FORMULA_CELL, f"{ref}\t={formula}")
    if kind == "inlineStr":
        return "".join(inline).strip(), None
    if value is None:
        return "", None
    if kind == "s":
        try:
            return str(shared[int(value)]).strip(), None
        except (ValueError, IndexError):
            return "", None
    if kind in ("str", "d"):
        return value.strip(), ((DATE_CELL, ref) if kind == "d" else None)
    if kind == "b":
        return ("TRUE" if value.strip() == "1" else "FALSE"), None
    if kind == "e":
        return value, (ERROR_CELL, f"{ref}\t{value}")
    style = el.get("s")
    fmt = styles.kind(int(style)) if style and style.isdigit() else ""
    if fmt == PERCENT_CELL:
        return _percent_text(value), (PERCENT_CELL, ref)
    return _number_text(value), ((DATE_CELL, ref) if fmt == DATE_CELL else None)


def _fill_merges(
    cells: dict[int, dict[int, str]],
    marks: dict[tuple[int, int], tuple[str, str]],
    merges: list[str],
) -> None:
    """Give each merged range's top-left cell to the empty cells below it in its first column,
    down to the last row with a value (a range claiming a million rows costs nothing)."""
    last = max(cells, default=0)
    for ref in merges:
        first, _, end = ref.partition(":")
        top, bottom = _coordinate(first), _coordinate(end)
        if top is None or bottom is None or top[1] > MAX_COLUMNS:
            continue
        (min_row, min_col), max_row = top, bottom[0]
        text = cells.get(min_row, {}).get(min_col)
        mark = marks.get((min_row, min_col - 1))
        if text is None and mark is None:
            continue
        for row in range(min_row + 1, min(max_row, last) + 1):
            spanned = cells.setdefault(row, {})
            if spanned.get(min_col, "") == "" and (row, min_col - 1) not in marks:
                spanned[min_col] = text or ""
                if mark is not None:
                    marks[(row, min_col - 1)] = mark


# --------------------------------------------------------------------------------------------
# A table of named columns


@dataclass(frozen=True)
class TableRow:
    """One row below a file's header.

    Attributes
    ----------
    line : int
        Line (csv) or sheet row (xlsx), 1-based.
    cells : dict of str to str
        ``{column: stripped cell}`` for every required and optional column (``""`` if absent).
    marks : dict of str to (str, str)
        ``{column: (kind, detail)}`` of the row's marked cells (see :attr:`SheetRows.marks`).
    """

    line: int
    cells: dict[str, str]
    marks: dict[str, tuple[str, str]] = field(default_factory=dict)


def read_rows(
    path: Path,
    shown: str,
    words: frozenset[str] = frozenset(),
    prefer: Callable[[str], bool] | None = None,
) -> SheetRows:
    """The rows of a csv or xlsx file (``.xlsx`` in any case: a workbook; else CSV text).

    ``words`` helps decode CSV (:func:`decode`); ``prefer`` picks the sheet of a workbook
    (default: the sheet named for the year in the file's name, :func:`year_sheet`).

    Raises
    ------
    InputError
        If the file is missing or cannot be read.
    """
    if not path.is_file():
        raise InputError(Problem(shown, "does not exist"))
    if path.suffix.lower() == ".xlsx":
        return read_xlsx_rows(path, shown, prefer or year_sheet(year_of(path)))
    return read_csv_rows(path, shown, words)


def table_cells(
    sheet: SheetRows,
    shown: str,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
) -> Iterator[TableRow]:
    """The non-empty rows below the header, keyed by the header's column names, as they are read.

    Parameters
    ----------
    sheet : SheetRows
        The file's rows.
    shown : str
        The file as messages name it.
    required, optional : tuple of str
        Column names the header must have and may have (compared in lower case).

    Raises
    ------
    InputError
        If the file is empty or its header lacks a required column (naming the sheet read).
    """
    rows = ((n, r) for n, r in sheet.rows if "".join(r).strip())
    full = ",".join(required + optional)
    where = f"; {sheet.note}" if sheet.note else ""
    first = next(rows, None)
    if first is None:
        raise InputError(
            Problem(shown, f"is empty; the first line must be the header {full}{where}")
        )
    header_line, header = first
    columns = [c.strip().lower() for c in header]
    if not set(required) <= set(columns):
        found = ",".join(visible(c) for c in header)
        raise InputError(
            Problem(
                shown,
                f"lacks the header '{','.join(required)}' (found '{found}'); "
                f"the first line must be {full}{where}",
                header_line,
            )
        )
    return _keyed(
        rows,
        sheet.marks,
        {c: columns.index(c) for c in columns if c in required + optional},
        required + optional,
    )


def _keyed(
    rows: Iterator[tuple[int, list[str]]],
    marks: dict[tuple[int, int], tuple[str, str]],
    index: dict[str, int],
    names: tuple[str, ...],
) -> Iterator[TableRow]:
    columns = [(c, index.get(c, -1)) for c in names]  # -1: a column the file lacks
    for line, row in rows:
        n = len(row)
        cells = {c: row[i].strip() if 0 <= i < n else "" for c, i in columns}
        marked = (
            {c: marks[(line, i)] for c, i in index.items() if (line, i) in marks} if marks else {}
        )
        yield TableRow(line, cells, marked)


def read_table(
    path: Path,
    shown: str,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    words: frozenset[str] = frozenset(),
) -> Iterator[TableRow]:
    """The rows below the header of a csv or xlsx file: :func:`read_rows` then :func:`table_cells`."""
    return table_cells(read_rows(path, shown, words), shown, required, optional)


def cell_problem(
    mark: tuple[str, str] | None, shown: str, line: int, item: str | None
) -> Problem | None:
    """The problem of a marked cell that holds no value to read (an unsaved formula, an error).

    ``mark`` is the cell's entry in :attr:`SheetRows.marks` (None: a plain cell).
    """
    if mark is None or mark[0] not in (FORMULA_CELL, ERROR_CELL):
        return None
    ref, _, detail = mark[1].partition("\t")
    if mark[0] == FORMULA_CELL:
        message = (
            f"cell {ref} holds the formula {detail} with no saved value — 公式未计算：open and save "
            "the workbook in Excel or WPS, or type the figure"
        )
    else:
        message = f"cell {ref} shows the error {detail}; fix its formula or type the figure"
    return Problem(shown, message, line, item)


def item_rows(table: Iterable[TableRow], shown: str, group: str | None = None) -> Iterator[Row]:
    """The ``item,value,unit[,note]`` rows of a table, as they are read.

    A row whose cells hold no value to read (an unsaved formula, an error) carries the problem
    as its ``error``; ``group`` names the column whose cell groups rows (``sector`` in a sector
    file), which must not be empty.
    """
    for r in table:
        found = [
            p.message
            for mark in r.marks.values()
            if (p := cell_problem(mark, shown, r.line, None)) is not None
        ]
        if group and not r.cells[group]:
            found.append(f"the {group} is empty; name the {group} (e.g. 化工)")
        fmt = r.marks.get("value", ("", ""))[0]
        yield Row(
            r.line,
            r.cells["item"],
            r.cells["value"],
            r.cells["unit"],
            r.cells.get("note", ""),
            r.cells[group] if group else "",
            fmt if fmt in (PERCENT_CELL, DATE_CELL) else "",
            "; ".join(found),
        )


# --------------------------------------------------------------------------------------------
# A year file


def _shown(path: Path) -> str:
    """:func:`display_path` of a file, resolving its folder once (resolving costs system calls)."""
    return str(Path(_shown_dir(str(path.parent), os.getcwd())) / path.name)


@functools.lru_cache(maxsize=1024)
def _shown_dir(folder: str, cwd: str) -> str:
    return display_path(folder)


def read_year_file(
    path: Path | str, standard: Standard | None = None, also: Sequence[Standard] = ()
) -> list[Record]:
    """Read and validate one year file (csv or xlsx) of raw items.

    Parameters
    ----------
    path : path-like
        ``<year>.csv`` or ``<year>.xlsx`` with the header ``item,value,unit[,note]``.
    standard : Standard, optional
        Whose item catalogue to use (default HJ 274-2015).
    also : sequence of Standard
        The park's other standards: their items are ignored here, not errors
        (:func:`~ecopark.io.rows.validate_rows`).

    Returns
    -------
    list of Record
        One per non-empty row of ``standard``'s items, values converted to the catalogue unit.
        A row with an empty value is a missing item, not an error.

    Raises
    ------
    InputError
        With every problem found in the file (the rules are :mod:`ecopark.io.rows` and this
        module's).
    """
    path = Path(path)
    standard = standard or load_standard()
    shown = _shown(path)
    confined(path, path.parent, shown)  # a link out of the park folder is never read
    words = vocabulary(standard, also)
    cells = read_table(path, shown, YEAR_COLUMNS, (NOTE_COLUMN,), words)
    return _year_records(cells, standard, shown, also)


def read_year_text(
    text: str, shown: str, standard: Standard, also: Sequence[Standard] = ()
) -> list[Record]:
    """:func:`read_year_file` of CSV text not yet written (``shown`` names the file it is for)."""
    cells = table_cells(csv_rows(text, shown), shown, YEAR_COLUMNS, (NOTE_COLUMN,))
    return _year_records(cells, standard, shown, also)


def _year_records(
    cells: Iterable[TableRow], standard: Standard, shown: str, also: Sequence[Standard] = ()
) -> list[Record]:
    return validate_rows(item_rows(cells, shown), standard, shown, also=also)
