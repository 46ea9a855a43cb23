"""The one validator of an ``item,value,unit`` row: year files, sector files and the importer.

A row names a catalogue item (its id, Chinese name or an alias of ``items.csv``), a value as
written and a unit. The rules, each stated once here:

- the item must be in the catalogue, names compared as :func:`name_key` writes them (NFKC: full
  width and subscripts, ``SO₂`` is ``SO2``; no spaces; any case). An unknown name gets the
  closest names as a hint, never one of another substance (:func:`suggest_items`). An item may
  appear once per file (once per sector in a sector file); in the folder of a park that names
  several standards, an item of another of them is left to that one (ignored here), and only an
  item unknown to all of them is an error (the hint drawn from every catalogue);
- an empty value is a missing item, not an error;
- a status item takes one of its words and no unit;
- any other item takes a number (thousands separators allowed: ``"4,906,200"``), finite, not
  negative, whole for a count, in a unit of the item's dimension (empty: the catalogue unit;
  spellings compared as :func:`ecopark.io.units.unit_key` writes them: ``KG``, ``m³``, ``公斤``);
- the value is converted exactly to the catalogue unit (:attr:`Record.exact`, the decimal as
  written times the unit's exact factor, is what the engine judges) and must lie in the item's plausible
  range, which the catalogue declares (``items.csv`` columns ``min``, ``max``: rates and shares
  0–100 %, counts up to a million, amounts up to 1e15 catalogue units), so that ``1e308`` or
  ``1e999999`` is bad input, never an overflow;
- a spreadsheet cell is read as the user sees it: a percent-formatted cell (0.202 shown as
  ``20.2%``) is the percentage for a % item and refused for any other; a date-formatted cell is
  refused for a number;
- a file stops after :data:`MAX_PROBLEMS` problems, saying so.

Text quoted in messages shows invisible characters as escapes (``value_\\u200badded``).

:func:`check_value` checks one value and raises :class:`RowError`; :func:`validate_rows` checks
the rows of one file and raises :class:`~ecopark.errors.InputError` with every problem at once.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from ecopark.errors import InputError, Problem
from ecopark.io.units import UNITS, convert, factor, is_unit, spelling
from ecopark.standard.model import Item, Standard

ONE = Fraction(1)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
#: A file's rows are checked until this many problems are found; then it stops, saying where.
MAX_PROBLEMS = 50
#: Numbers written with more than this many digits before the point are refused before any
#: arithmetic (no catalogue range comes near it), so no conversion can overflow.
_MAX_DIGITS = 40
#: How a spreadsheet cell was formatted, as :class:`Row` carries it.
PERCENT_CELL = "percent"
DATE_CELL = "date"


class RowError(ValueError):
    """One row's problem, as the sentence a :class:`~ecopark.errors.Problem` carries."""


@dataclass(frozen=True)
class Row:
    """One ``item,value,unit`` row as written.

    Attributes
    ----------
    line : int
        Line (or sheet row) number, 1-based.
    item : str
        The item's id or Chinese name as written.
    value, unit, note : str
        The cells as written (stripped).
    group : str
        Rows of one group may name an item once (a sector of a sector file); ``""`` for a year
        file, where an item may appear once per file.
    cell_format : str
        How the value's spreadsheet cell is formatted: ``""`` (a number or text, and every CSV
        cell), :data:`PERCENT_CELL` (``value`` is then the percentage the cell shows, 20.2 for
        0.202) or :data:`DATE_CELL`.
    error : str
        What the reader found wrong with the row's cells (an unsaved formula, an empty sector),
        reported as the row's problem; ``""`` if nothing.
    """

    line: int
    item: str
    value: str
    unit: str
    note: str = ""
    group: str = ""
    cell_format: str = ""
    error: str = ""


@dataclass(frozen=True)
class Record:
    """One raw item of one year, converted to its catalogue unit.

    ``value`` is the float (analyses, charts); :attr:`exact` the exact value the engine judges.
    """

    item: str
    value: float | str
    unit: str
    note: str
    file: str
    line: int
    value_as_written: str = ""
    unit_as_written: str = ""
    group: str = ""
    number: Decimal | None = None
    factor: Fraction = ONE

    @property
    def exact(self) -> Fraction | int | str:
        """The value in the catalogue unit, exactly (the decimal as written times the unit's
        factor: an int when that is whole); the word of a status. Worked out when asked for."""
        number = self.number
        if number is None:
            return self.value
        factor = self.factor
        if factor.denominator == 1 and number == number.to_integral_value():
            return int(number) * factor.numerator
        return Fraction(number) * factor


@dataclass(frozen=True)
class Checked:
    """A valid value: ``value`` in the item's catalogue unit, ``number`` as written (None: a status),
    ``factor`` the exact conversion from the unit as written to the catalogue unit."""

    value: float | str
    number: Decimal | None
    factor: Fraction = ONE


def parse_number(text: str) -> Decimal | None:
    """The number written in ``text`` (thousands separators allowed), or None if it is not one."""
    t = text.strip().replace("\u2212", "-")
    if _THOUSANDS.match(t):
        t = t.replace(",", "")
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def visible(text: str, limit: int = 80) -> str:
    """``text`` as a message quotes it: invisible characters as escapes (``value_\\u200badded``).

    Control and format characters (zero-width spaces, the BOM, direction marks), and every space
    but the ASCII one (no-break, ideographic), are shown as ``\\uXXXX``; text longer than
    ``limit`` characters is cut, saying how long it is.
    """
    if len(text) > limit:
        return f"{visible(text[:limit], limit)}… ({len(text):,} characters)"
    if text.isascii() and text.isprintable():
        return text
    return "".join(
        c if c == " " or (c.isprintable() and unicodedata.category(c)[0] != "Z") else _escape(c)
        for c in text
    )


def _escape(c: str) -> str:
    return f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"


def _invisible_hint(name: str) -> str | None:
    """What to say of a name that holds invisible characters, or None if it holds none."""
    hidden = [c for c in name if visible(c) != c]
    if not hidden:
        return None
    names = ", ".join(
        dict.fromkeys(f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}" for c in hidden)
    )
    return f"it contains an invisible character ({names}); delete it"


def vocabulary(standard: Standard, also: Sequence[Standard] = ()) -> frozenset[str]:
    """Every word a cell of a well-read row can be: item ids, names, aliases, status words, units
    (of ``standard`` and of ``also``, the park's other standards)."""
    words = _vocabulary(standard.code, tuple(standard.items.values()))
    for other in also:
        words |= _vocabulary(other.code, tuple(other.items.values()))
    return words


@functools.cache
def _vocabulary(code: str, items: tuple[Item, ...]) -> frozenset[str]:
    words = {w for table in UNITS.values() for w in table}
    for item in items:
        words |= {item.id, item.name_zh, *item.aliases, *item.allowed}
    return frozenset(words)


def name_key(text: str) -> str:
    """A name as compared: NFKC (full width, subscripts: ``SO₂`` is ``SO2``, ``NOₓ`` is ``NOx``),
    without whitespace, case-folded (``nox`` is ``NOx``)."""
    return _short_key(text) if len(text) <= 64 else _key(text)


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


#: :func:`name_key` of the short names, remembered: asked once per row of every file read, of a
#: few hundred spellings (a long cell is worked out each time, not kept).
_short_key = functools.lru_cache(maxsize=4096)(_key)


def item_names(standard: Standard) -> dict[str, tuple[str, Item]]:
    """Every spelling of every catalogue item: ``name_key(spelling) -> (spelling, item)``.

    The spellings are the item's id, its Chinese name and its ``aliases`` (``items.csv``).

    Raises
    ------
    ValueError
        If one spelling names two items (a catalogue error).
    """
    items = standard.items
    seen = _NAMES_OF.get(id(items))
    if seen is None or seen[0] is not items:
        seen = (items, _item_names(tuple(items.values())))
        if len(_NAMES_OF) >= 16:  # a process reads few standards; keep the last ones
            del _NAMES_OF[next(iter(_NAMES_OF))]
        _NAMES_OF[id(items)] = seen
    return seen[1]


#: :func:`item_names` of the catalogues read last, by the identity of the ``items`` mapping:
#: looked up without hashing every item (the reader asks once per row).
_NAMES_OF: dict[int, tuple[Mapping[str, Item], dict[str, tuple[str, Item]]]] = {}


@functools.cache
def _item_names(items: tuple[Item, ...]) -> dict[str, tuple[str, Item]]:
    names: dict[str, tuple[str, Item]] = {}
    for item in items:
        for written in (item.id, item.name_zh, *item.aliases):
            key = name_key(written)
            other = names.setdefault(key, (written, item))[1]
            if other.id != item.id:
                raise ValueError(f"items.csv: '{written}' names both {other.id} and {item.id}")
    return names


def find_item(name: str, standard: Standard) -> Item | None:
    """The catalogue item ``name`` spells (id, Chinese name or alias, as :func:`name_key`
    compares them), or None."""
    found = item_names(standard).get(name_key(name))
    return None if found is None else found[1]


def _foreign(key: str, item: Item, names: dict[str, tuple[str, Item]]) -> bool:
    """Whether ``key`` names another item's substance: it holds a spelling (two characters or
    more) of another item that none of ``item``'s spellings holds (``二氧化硫…`` is not CO₂)."""
    own = [k for k, (_, it) in names.items() if it.id == item.id]
    for k, (_, other) in names.items():
        if other.id != item.id and len(k) >= 2 and k in key and not any(k in o for o in own):
            return True
    return False


@functools.cache
def _distinguishing(items: tuple[Item, ...]) -> dict[str, frozenset[str]]:
    """Per item id, the characters that tell its spellings from a near spelling of another item
    (硫 of 二氧化硫排放量 against 二氧化碳排放量, s of so2 against co2): its substance."""
    names = _item_names(items)
    keys = [k for k, (spelling, it) in names.items() if spelling != it.id]  # words, not ids
    out: dict[str, set[str]] = {item.id: set() for item in items}
    for n, a in enumerate(keys):
        for b in keys[n + 1 :]:
            ia, ib = names[a][1].id, names[b][1].id
            if ia == ib:
                continue
            matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
            if matcher.real_quick_ratio() < 0.5 or matcher.ratio() < 0.5:
                continue
            for op, i1, i2, j1, j2 in matcher.get_opcodes():
                if op != "equal":
                    out[ia] |= set(a[i1:i2])
                    out[ib] |= set(b[j1:j2])
    return {k: frozenset(v) for k, v in out.items()}


def _swaps_a_substance(key: str, candidate: str, item: Item, items: tuple[Item, ...]) -> bool:
    """Whether turning ``key`` into the spelling ``candidate`` of ``item`` (of the catalogue
    ``items``) drops a mark of another item's substance and puts in a mark of this one's (硫 for
    碳, s for c, 氧化物 for 氨): a different pollutant, not a typo. Characters merely left out or
    put in (总 in 排放总量, a doubled character) are typos."""
    names = _item_names(items)
    marks = _distinguishing(items)
    own = {c for k, (_, it) in names.items() if it.id == item.id for c in k}
    theirs = set().union(*(v for k, v in marks.items() if k != item.id)) - own
    ops = difflib.SequenceMatcher(None, key, candidate, autojunk=False).get_opcodes()
    dropped = {c for op, i1, i2, _, _ in ops if op in ("replace", "delete") for c in key[i1:i2]}
    added = {c for op, _, _, j1, j2 in ops if op in ("replace", "insert") for c in candidate[j1:j2]}
    return bool(dropped & theirs and added & marks[item.id])


def suggest_items(name: str, standard: Standard, also: Sequence[Standard] = ()) -> str:
    """A hint naming the catalogue items closest to an unknown ``name`` (in ``standard``'s
    catalogue and those of ``also``, the park's other standards).

    A suggestion never crosses to another substance or quantity: an item is left out when the
    name holds a spelling of a different item (``二氧化硫排放总量`` suggests SO₂ only) or when
    reaching it means replacing a character only other items' names have (``二氧化硫`` is never
    ``二氧化碳``, ``so3`` never ``co2``).
    """
    return _suggestion(
        name, tuple((std.code, tuple(std.items.values())) for std in (standard, *also))
    )


@functools.lru_cache(maxsize=1024)
def _suggestion(name: str, catalogues: tuple[tuple[str, tuple[Item, ...]], ...]) -> str:
    """:func:`suggest_items` of the catalogues ``(code, items)`` of the standard and the others,
    remembered (a string; a file's unknown names are often asked again, and difflib is slow)."""
    key = name_key(name)
    catalogue: dict[str, tuple[Item, ...]] = {}  # every spelling, closest first whichever has it
    for _, items in catalogues:
        for written in _item_names(items):
            catalogue.setdefault(written, items)
    picked: dict[str, str] = {}
    for candidate in difflib.get_close_matches(key, list(catalogue), n=12, cutoff=0.5):
        items = catalogue[candidate]
        names = _item_names(items)
        shown, item = names[candidate]
        if item.id in picked or _foreign(key, item, names):
            continue
        if _swaps_a_substance(key, candidate, item, items):
            continue
        picked[item.id] = shown
    if not picked:
        codes = " and ".join(code for code, _ in catalogues)
        return f"`ecopark template` writes a year file with every item id and name of {codes}"
    shown = list(picked.values())[:3]
    return "did you mean " + " or ".join(f"'{c}'" for c in shown) + "?"


def resolve_item(name: str, standard: Standard, also: Sequence[Standard] = ()) -> Item:
    """The catalogue item ``name`` (an id, a Chinese name or an alias) names.

    ``also``: other standards whose catalogues the hint draws on too (the park's other standards).

    Raises
    ------
    RowError
        If ``name`` is empty or names no item (with the closest names as a hint).
    """
    if not name:
        raise RowError("the item is empty; give an item id or its Chinese name")
    item = find_item(name, standard)
    if item is None:
        hint = _invisible_hint(name)
        if hint is not None:
            cleaned = "".join(c for c in name if visible(c) == c or c == " ").strip()
            found = any(find_item(cleaned, std) for std in (standard, *also))
            without = f" ('{cleaned}' without it)" if found else ""
            raise RowError(f"unknown item '{visible(name)}': {hint}{without}")
        codes = ", ".join(std.code for std in (standard, *also))
        which = f" (known to none of the park's standards: {codes})" if also else ""
        raise RowError(f"unknown item{which}; {suggest_items(name, standard, also)}")
    return item


def check_value(item: Item, text: str, unit_text: str, cell_format: str = "") -> Checked:
    """Check one non-empty value of ``item`` written with the unit ``unit_text``.

    Parameters
    ----------
    item : Item
        The catalogue item.
    text : str
        The value as written (not empty).
    unit_text : str
        The unit as written; empty means the catalogue unit.
    cell_format : str
        How the spreadsheet cell is formatted (see :class:`Row`); ``""`` for CSV.

    Returns
    -------
    Checked
        The value in the catalogue unit [``item.unit``] and the number as written.

    Raises
    ------
    RowError
        For the first rule of the module docstring the value breaks.
    """
    if item.kind == "status":
        if text not in item.allowed:
            raise RowError(
                f"'{visible(text)}' is not allowed; write one of {' / '.join(item.allowed)}"
            )
        if unit_text:
            raise RowError(f"'{item.name_zh}' is a status and takes no unit; leave the unit empty")
        return Checked(text, None)
    if cell_format == DATE_CELL:
        raise RowError(
            f"the cell is formatted as a date (it shows a date, not '{visible(text)}'); "
            "format it as a number (数值/常规) and enter the figure"
        )
    if cell_format == PERCENT_CELL and item.dimension != "percent":
        raise RowError(
            f"the cell is percent-formatted (it shows {visible(text)}%) but '{item.name_zh}' is an amount "
            f"in {item.unit or 'no unit'}; format the cell as a number (数值/常规) and enter the figure"
        )
    number = parse_number(text)
    if number is None:
        raise RowError(
            f"'{visible(text)}' is not a number; write digits such as 4906200 or \"4,906,200\""
        )
    if not number.is_finite():
        raise RowError(f"'{visible(text)}' is not a finite number; write the actual figure")
    if number < 0:
        raise RowError(
            f"'{visible(text)}' is negative; raw items are amounts and cannot be below 0"
        )
    written = unit_text or item.unit
    unit = spelling(written, item.dimension)
    if unit is None:
        accepted = ", ".join(UNITS[item.dimension]) or "no unit"
        kind = "is unknown" if not is_unit(written) else f"is not a unit of {item.dimension}"
        raise RowError(f"unit '{visible(written)}' {kind}; '{item.name_zh}' takes {accepted}")
    if number.adjusted() >= _MAX_DIGITS:
        raise _out_of_range(item, visible(text), unit)
    converts = item.dimension not in ("count", "percent")
    value = convert(number, unit, item.unit, item.dimension) if converts else number
    if item.kind == "count" and value != value.to_integral_value():
        raise RowError(f"'{visible(text)}' is not a whole number; '{item.name_zh}' is a count")
    if not item.minimum <= value <= item.maximum:
        raise _out_of_range(item, visible(text), unit)
    exact_factor = factor(unit, item.unit, item.dimension) if converts else ONE
    return Checked(float(value), number, exact_factor)


def _out_of_range(item: Item, shown: str, unit: str) -> RowError:
    """The error for a value outside the item's plausible range (catalogue ``min``, ``max``)."""
    if item.dimension == "percent":
        return RowError(
            f"'{shown}' % is above 100 %; '{item.name_zh}' is a rate from 0 to 100 "
            "(write 20.2 for 20.2 %)"
        )
    low, high = _plain(item.minimum), _plain(item.maximum)
    written = f", here written in {unit}" if unit != item.unit else ""
    return RowError(
        f"'{shown}' is too large to be a real figure; '{item.name_zh}' lies between "
        f"{low} and {high} {item.unit}{written} — check the value and its unit"
    )


def _plain(x: Decimal) -> str:
    """A range bound as people write it: ``100``, ``1000000``, ``1e15``."""
    return (
        f"{x:f}" if x.adjusted() < 7 else f"1e{x.adjusted()}" if x == 10 ** x.adjusted() else str(x)
    )


def validate_rows(
    rows: Iterable[Row],
    standard: Standard,
    shown: str,
    accept: Callable[[Item], str | None] | None = None,
    also: Sequence[Standard] = (),
) -> list[Record]:
    """Validate the rows of one file.

    Parameters
    ----------
    rows : iterable of Row
        The file's rows below its header, read as they are checked (a generator is read only up
        to the :data:`MAX_PROBLEMS`-th problem).
    standard : Standard
        Whose item catalogue and units to use.
    shown : str
        The file as messages name it.
    accept : callable, optional
        ``accept(item)`` returns why ``item`` may not appear in this file, or None if it may
        (a sector file takes additive items only).
    also : sequence of Standard
        The park's other standards: a row naming an item of one of them but not of ``standard``
        is ignored (that standard reads it); an item none of them knows is an error.

    Returns
    -------
    list of Record
        One per row with a value, in file order; rows with an empty value, and rows of items
        only ``also`` knows, are left out.

    Raises
    ------
    InputError
        With every problem found, each naming the file, line and item as written.
    """
    problems: list[Problem] = []
    records: list[Record] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        if len(problems) >= MAX_PROBLEMS:
            problems.append(_too_many(shown, row.line))
            break
        name = row.item
        try:
            if row.error:
                raise RowError(row.error)
            if also and find_item(name, standard) is None:
                if any(find_item(name, other) for other in also):
                    continue  # another of the park's standards reads it
            item = resolve_item(name, standard, also)
            refused = accept(item) if accept is not None else None
            if refused:
                raise RowError(refused)
            first = seen.setdefault((row.group, item.id), row.line)
            if first != row.line:
                where = f"sector '{row.group}' has this item" if row.group else "the item appears"
                raise RowError(f"{where} twice (first on line {first}); keep one row")
            if row.value == "":
                continue
            checked = check_value(item, row.value, row.unit, row.cell_format)
        except RowError as exc:
            problems.append(Problem(shown, str(exc), row.line, visible(name) or None))
            continue
        unit = "" if checked.number is None else item.unit
        records.append(
            Record(
                item.id,
                checked.value,
                unit,
                row.note,
                shown,
                row.line,
                row.value,
                row.unit,
                row.group,
                checked.number,
                checked.factor,
            )
        )
    if problems:
        raise InputError(problems)
    return records


def _too_many(shown: str, line: int) -> Problem:
    """The problem that ends a list cut at :data:`MAX_PROBLEMS`, at ``line``."""
    return Problem(
        shown,
        f"stopped after {MAX_PROBLEMS} problems; the rest of the file from here on is not "
        "checked — is this the right file? Fix these and check again",
        line,
    )
