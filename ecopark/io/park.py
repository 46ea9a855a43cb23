"""Reading a park folder: ``park.yaml`` and one file of raw items per year.

The result is a :class:`Park` whose raw items form a tidy long table
(park, year, item, value, unit, note), every value in its catalogue unit. Every bad input of the
data contract stops with an :class:`~ecopark.errors.InputError` naming file, line and item.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import math
import os
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from ecopark.errors import InputError, Problem, display_path
from ecopark.io.config import ParkConfig, load_config
from ecopark.io.units import UNITS, convert
from ecopark.standard.model import Item, Standard, load_standard

YEAR_FILE = re.compile(r"^(\d{4})\.(csv|xlsx)$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
TIDY_COLUMNS = ["park", "year", "item", "value", "unit", "note"]


@dataclass(frozen=True)
class Record:
    """One raw item of one year, converted to its catalogue unit."""

    item: str
    value: float | str
    unit: str
    note: str
    file: str
    line: int
    value_as_written: str = ""
    unit_as_written: str = ""


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
    text = _decode(path.read_bytes(), shown)
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


def parse_number(text: str) -> Decimal | None:
    """The number written in ``text`` (thousands separators allowed), or None if it is not one."""
    t = text.strip().replace("\u2212", "-")
    if _THOUSANDS.match(t):
        t = t.replace(",", "")
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def find_item(name: str, standard: Standard) -> Item | None:
    """The catalogue item named by its id or its Chinese name, or None."""
    return standard.items.get(name) or standard.items_by_name.get(name)


def suggest_items(name: str, standard: Standard) -> str:
    """A hint naming the catalogue items closest to an unknown ``name``."""
    names = list(standard.items) + list(standard.items_by_name)
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    if not close:
        return "see ecopark/standards/items.csv (or `ecopark template`) for the item ids and names"
    return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"


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
        With every problem found in the file.
    """
    path = Path(path)
    standard = standard or load_standard()
    shown = _shown(path)
    if not path.is_file():
        raise InputError(Problem(shown, "does not exist"))
    rows = (
        read_xlsx_rows(path, shown)
        if path.suffix.lower() == ".xlsx"
        else read_csv_rows(path, shown)
    )
    rows = [(n, r) for n, r in rows if "".join(r).strip()]
    if not rows:
        raise InputError(
            Problem(shown, "is empty; the first line must be the header item,value,unit,note")
        )
    header_line, header = rows[0]
    columns = [c.strip().lower() for c in header]
    if not {"item", "value", "unit"} <= set(columns):
        raise InputError(
            Problem(
                shown,
                f"lacks the header 'item,value,unit' (found '{','.join(header)}'); "
                "the first line must be item,value,unit,note",
                header_line,
            )
        )
    i_item, i_value, i_unit = (columns.index(name) for name in ("item", "value", "unit"))
    i_note = columns.index("note") if "note" in columns else None
    width = max(i_item, i_value, i_unit, -1 if i_note is None else i_note) + 1
    problems: list[Problem] = []
    records: list[Record] = []
    seen: dict[str, int] = {}

    for line, row in rows[1:]:
        if len(row) < width:
            row = row + [""] * (width - len(row))
        name = row[i_item].strip()
        if not name:
            problems.append(
                Problem(shown, "the item is empty; give an item id or its Chinese name", line)
            )
            continue
        item = find_item(name, standard)
        if item is None:
            problems.append(
                Problem(shown, f"unknown item; {suggest_items(name, standard)}", line, name)
            )
            continue
        if item.id in seen:
            problems.append(
                Problem(
                    shown,
                    f"the item appears twice (first on line {seen[item.id]}); keep one row",
                    line,
                    name,
                )
            )
            continue
        seen[item.id] = line
        text, unit_text = row[i_value].strip(), row[i_unit].strip()
        note = "" if i_note is None else row[i_note].strip()
        if text == "":
            continue
        if item.kind == "status":
            if text not in item.allowed:
                problems.append(
                    Problem(
                        shown,
                        f"'{text}' is not allowed; write one of {' / '.join(item.allowed)}",
                        line,
                        name,
                    )
                )
                continue
            if unit_text:
                problems.append(
                    Problem(
                        shown,
                        f"'{item.name_zh}' is a status and takes no unit; leave the unit empty",
                        line,
                        name,
                    )
                )
                continue
            records.append(Record(item.id, text, "", note, shown, line, text, unit_text))
            continue
        number = parse_number(text)
        if number is None:
            problems.append(
                Problem(
                    shown,
                    f"'{text}' is not a number; write digits such as 4906200 or \"4,906,200\"",
                    line,
                    name,
                )
            )
            continue
        if not number.is_finite():
            problems.append(
                Problem(
                    shown, f"'{text}' is not a finite number; write the actual figure", line, name
                )
            )
            continue
        if number < 0:
            problems.append(
                Problem(
                    shown,
                    f"'{text}' is negative; raw items are amounts and cannot be below 0",
                    line,
                    name,
                )
            )
            continue
        unit = unit_text or item.unit
        table = UNITS[item.dimension]
        if unit not in table:
            accepted = ", ".join(table) or "no unit"
            kind = (
                "is unknown"
                if not any(unit in t for t in UNITS.values())
                else f"is not a unit of {item.dimension}"
            )
            problems.append(
                Problem(
                    shown, f"unit '{unit}' {kind}; '{item.name_zh}' takes {accepted}", line, name
                )
            )
            continue
        value = (
            convert(number, unit, item.unit, item.dimension)
            if item.dimension not in ("count", "percent")
            else number
        )
        if item.kind == "count" and value != value.to_integral_value():
            problems.append(
                Problem(
                    shown,
                    f"'{text}' is not a whole number; '{item.name_zh}' is a count",
                    line,
                    name,
                )
            )
            continue
        if not math.isfinite(float(value)):
            problems.append(
                Problem(
                    shown,
                    f"'{text}' is too large to be a real figure; check the value and its unit",
                    line,
                    name,
                )
            )
            continue
        records.append(Record(item.id, float(value), item.unit, note, shown, line, text, unit_text))
    if problems:
        raise InputError(problems)
    return records


class Park:
    """A park folder: its configuration and its raw items by year.

    Year files are read on first use and cached. Use :func:`load_park` to make one.
    """

    def __init__(
        self, path: Path | str, config: ParkConfig, standard: Standard, files: dict[int, Path]
    ):
        self.path = Path(path)
        self.config = config
        self.standard = standard
        self.files = dict(sorted(files.items()))
        self._records: dict[int, list[Record]] = {}

    @property
    def id(self) -> str:
        """The park id (its folder name)."""
        return self.config.id

    @property
    def years(self) -> list[int]:
        """Every year with a data file, ascending."""
        return list(self.files)

    def file_for(self, year: int) -> Path:
        """The data file of ``year``.

        Raises
        ------
        InputError
            If the folder has no file for that year.
        """
        if year not in self.files:
            have = ", ".join(map(str, self.years)) or "none"
            raise InputError(
                Problem(
                    display_path(self.path / f"{year}.csv"),
                    f"does not exist; years with data in {display_path(self.path)}: {have}",
                )
            )
        return self.files[year]

    def records(self, year: int) -> list[Record]:
        """The validated raw items of ``year`` (reads the file on first use)."""
        if year not in self._records:
            self._records[year] = read_year_file(self.file_for(year), self.standard)
        return self._records[year]

    def values(self, year: int) -> dict[str, float | str]:
        """``{item id: value}`` for ``year`` in catalogue units; empty if the year has no file."""
        if year not in self.files:
            return {}
        return {r.item: r.value for r in self.records(year)}

    def items(self, years: list[int] | None = None) -> pd.DataFrame:
        """The raw items as a tidy long table: park, year, item, value, unit, note."""
        rows = [
            (self.id, year, r.item, r.value, r.unit, r.note)
            for year in (years or self.years)
            for r in self.records(year)
        ]
        return pd.DataFrame(rows, columns=TIDY_COLUMNS)


def load_park(park_dir: Path | str) -> Park:
    """Open a park folder: validate ``park.yaml`` and list its year files.

    Year files are validated when first read (:meth:`Park.records`); use :func:`check_park`
    to validate everything at once.

    Raises
    ------
    InputError
        If park.yaml is missing or invalid, or a year has both a .csv and an .xlsx file.
    """
    park_dir = Path(park_dir)
    config = load_config(park_dir)
    standard = load_standard(config.standard)
    files: dict[int, Path] = {}
    problems = []
    for entry in sorted(park_dir.iterdir()):
        m = YEAR_FILE.match(entry.name)
        if not m or not entry.is_file():
            continue
        year = int(m.group(1))
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
    return Park(park_dir, config, standard, files)


def check_park(park_dir: Path | str) -> list[Problem]:
    """Validate park.yaml and every year file of a park; return every problem found."""
    try:
        park = load_park(park_dir)
    except InputError as exc:
        # park.yaml (or the folder listing) is bad; still check the year files, so that every
        # problem is listed at once
        problems = list(exc.problems)
        folder = Path(park_dir)
        if folder.is_dir():
            for entry in sorted(folder.iterdir()):
                if YEAR_FILE.match(entry.name) and entry.is_file():
                    try:
                        read_year_file(entry)
                    except InputError as err:
                        problems.extend(err.problems)
        return problems
    problems: list[Problem] = []
    for year in park.years:
        try:
            park.records(year)
        except InputError as exc:
            problems.extend(exc.problems)
    if park.config.base_year not in park.files:
        problems.append(
            Problem(
                display_path(park.path / "park.yaml"),
                f"warning: no data file for the base year {park.config.base_year}; "
                "growth rates and elasticities will not be computable",
                item="base_year",
            )
        )
    return problems


def is_finite_number(value: object) -> bool:
    """Whether ``value`` is a finite real number (not a status word)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
