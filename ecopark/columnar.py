"""The engine over many park-years at once: one tidy table, the formulas as array arithmetic.

:func:`load_table` reads every year file of a data folder into one tidy table (park, year, item,
value); :func:`assess_table` evaluates the standard's formulas over all its park-years at once,
numpy arrays per item and year reference. The results are those of the per-park engine
(:func:`ecopark.engine.assess`), value for value, printed digit for digit and pass flag for pass
flag, because the columnar engine decides nothing the per-park engine decides otherwise:

- the formulas are the standard's own compiled syntax trees (:attr:`Compiled.tree`, helpers
  inlined), walked once over arrays with the float semantics of ``Compiled.checked``: constants
  and ``n`` stay exact where they meet only each other, an array meets a constant as a float;
- every element the float evaluation of the per-park engine would hand to the exact path (an
  input missing, a zero denominator, cancellation, a result not finite, or a float near the
  limit: :func:`ecopark.rounding.near_limit`) is evaluated by :func:`ecopark.engine.evaluate`
  itself, exactly, with the park-year's values; one near a rounding tie or zero but not the
  limit (the rest of :func:`ecopark.rounding.near_boundary`) is judged by its float, which
  decides the comparison as the exact value does, and its result (digits, mark, value) is
  :func:`~ecopark.engine.evaluate`'s, made when asked for;
- a float the arrays decide is printed and judged by :mod:`ecopark.rounding`; the printed digits
  are the float's ``%.{places}f``, which is the rounding of its shortest repr because no tie
  lies within :data:`~ecopark.rounding.REL_TOL` of it;
- the results are arrays per indicator (value, pass flag, computable): an
  :class:`~ecopark.assessment.IndicatorResult` is made by :func:`ecopark.engine.indicator_result`
  when asked for; the pass flags of the floats are :func:`ecopark.rounding.passes` over the
  array (per limit; element by element where it takes no array);
- what is the same for many park-years is evaluated once, by the engine: a not-computable
  result per missing inputs, year, base year, limit and role; a reported value per cell as
  written; a limit per distinct park attributes and benchmark (per park and sign of a
  ``by_sign_of`` helper);
- the verdict is :func:`ecopark.verdict.judge` and :func:`ecopark.engine.judged`; judge reads
  probes (:class:`_Probe`: id, tier, role, pass flag; one per indicator, role and flag), a
  verdict that read nothing else is kept for every park-year of the park with the same flags,
  and the results it read of a park are given as they are in the park's other years.

Reading: a year file the fast reader can prove clean (decoded as
:func:`~ecopark.io.yearfile.decode` decodes it, ``\r\n`` read as ``\n``, no quote, no other
carriage return and no other line end, a plain header, each row a known item once) is read as
text. Its item and unit cells are resolved once per skeleton (:class:`_Layout`: the lines but
their value and note cells); a file the layout of the previous plain file matches whole (one
regular expression, with its value cells: plain decimals in the catalogue unit within the
item's range, status words) is taken as it is, and its values are made column by column for
all such files at once (:func:`_columns`); another is split line by line and its value cells
checked. Every other value goes through :func:`ecopark.io.rows.check_value` and every other
file through :func:`~ecopark.io.yearfile.read_year_file`, so the messages are the per-park
loader's. Decode's choice of encoding is kept per multiset of non-ASCII cells
(:func:`_decoded`), or per layout and the cells that are not numbers (:func:`_read_fast`). A
park-year whose files are bad is assessed by the per-park engine (which raises its error).

The one place that knows indicators by number is :func:`_indicator_key`.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import gc
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from itertools import repeat
from pathlib import Path

import numpy as np

from ecopark.assessment import Assessment, IndicatorResult
from ecopark.engine import (
    REF_OFFSETS,
    Evaluation,
    assess,
    evaluate,
    indicator_result,
    judged,
    role_of,
    rules_of,
)
from ecopark.errors import InputError
from ecopark.io.config import load_config
from ecopark.io.park import Park, load_park
from ecopark.io.rows import Record, RowError, check_value, find_item, vocabulary
from ecopark.io.yearfile import (
    _SAMPLE,
    NOTE_COLUMN,
    YEAR_COLUMNS,
    decode,
    read_year_file,
)
from ecopark.rounding import REL_TOL, near_boundary, near_limit, passes
from ecopark.standard.expr import CANCELLATION, FUNCTIONS, key
from ecopark.standard.model import Indicator, Limit, Requirement, Rules, Standard, load_standard
from ecopark.verdict import judge

TIDY_COLUMNS = ["park", "year", "item", "value"]

#: A value the fast reader takes as written: plain digits, at most 15 before the point and 12
#: after (so ``float`` of the text is the float of the exact decimal).
_PLAIN = re.compile(r"^\d{1,15}(\.\d{1,12})?$")


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """The cyclic garbage collector paused: loading and assessing make millions of objects and
    no cycles, and each collection would walk the whole table (time growing with its square)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _indicator_key(ind: Indicator) -> int:
    """What identifies an indicator for the park (selected_optional, sector_benchmarks)."""
    return ind.number


# --------------------------------------------------------------------------------------------
# The tidy table


@dataclass
class Table:
    """Every year file of a set of parks as one tidy table.

    Attributes
    ----------
    parks : list of Park
        The parks (each from :func:`ecopark.load_park`), in order.
    problems : dict of str to InputError
        Park folders whose ``park.yaml`` (or listing) is bad, by folder name.
    park, year : numpy.ndarray
        Per file row: the park's index in ``parks`` and the year.
    values : dict of str to list
        Per item, per file row: the value in the catalogue unit (float, a status word, or None
        when the file has no value for it).
    sources : dict of str to list
        Per item, per file row: where its exact value comes from (a Record, or the text and
        unit as written).
    bad : dict of (int, int) to bool
        ``(park, year)`` of year files that cannot be read (the per-park loader says why).
    order : list
        The folders in order: an int (index in ``parks``) or a str (a folder in ``problems``).
    rows : dict of (int, int) to int
        The file row of each ``(park, year)``.
    skipped : dict of str to str
        Park folders left out because their ``park.yaml`` does not name the standard asked
        for (:func:`load_table`), by folder name: why, as a note to print.
    """

    parks: list[Park]
    problems: dict[str, InputError]
    park: np.ndarray
    year: np.ndarray
    values: dict[str, list]
    sources: dict[str, list]
    bad: set[tuple[int, int]]
    order: list[int | str]
    rows: dict[tuple[int, int], int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    exact_memo: dict[tuple[str, str, str], object] = field(default_factory=dict)

    def tidy(self):
        """The table as a pandas DataFrame: park, year, item, value (catalogue units)."""
        import pandas as pd

        out = []
        for item, vals in self.values.items():
            for r, v in enumerate(vals):
                if v is not None:
                    out.append((self.parks[self.park[r]].id, int(self.year[r]), item, v))
        out.sort(key=lambda t: (t[0], t[1]))
        return pd.DataFrame(out, columns=TIDY_COLUMNS)

    @functools.cached_property
    def arrays(self) -> dict[str, np.ndarray]:
        """Per numeric item: float values per file row, NaN where absent or a word."""
        out = {}
        for item, vals in self.values.items():
            out[item] = np.array(
                [v if isinstance(v, float) else math.nan for v in vals], dtype=float
            )
        return out

    @functools.cached_property
    def present(self) -> dict[str, np.ndarray]:
        """Per item: whether each file row has a value for it (a number or a word)."""
        return {item: np.array([v is not None for v in vals]) for item, vals in self.values.items()}


#: What a clean text does not hold (after ``\r\n`` is read as ``\n``): a quote, a carriage
#: return, a character :meth:`str.splitlines` ends a line at besides ``\n`` (the per-park reader
#: picks the separator from the first line so split), NUL.
_ODD = '"\r\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029'
_NOT_PLAIN = re.compile(f"[{_ODD}]")
#: A cell of a clean text that :class:`_Layout` does not spell out.
_ANY_CELL = f"([^,\n{_ODD}]*+)"
#: A cell in ASCII of a clean text (printable, tab), not captured.
_ASCII_CELL = "[\t !#-+\\--~]*+"


@dataclass
class _Catalogue:
    """What the fast reader needs of a park's standards: the words that help decode, each name
    cell as written resolved once (:func:`~ecopark.io.rows.find_item`), the layouts seen (by
    skeleton, :func:`_fast_rows`) and the last one a file had, and decode's choices
    (:func:`_read_fast`)."""

    standard: Standard
    also: tuple[Standard, ...]
    words: frozenset[str]
    names: dict[str, object] = field(default_factory=dict)
    layouts: dict[tuple, object] = field(default_factory=dict)
    last: _Layout | None = None
    chosen: dict[tuple, bool] = field(default_factory=dict)

    def item(self, name: str):
        """The catalogue item the name cell spells (stripped), :data:`_OTHER` for an item of
        only the park's other standards (a row the per-park reader skips), or None."""
        hit = self.names.get(name, _UNSEEN)
        if hit is _UNSEEN:
            hit = find_item(name, self.standard)
            if hit is None and any(find_item(name, other) for other in self.also):
                hit = _OTHER
            self.names[name] = hit
        return hit


_UNSEEN, _OTHER = object(), object()


@dataclass(frozen=True, eq=False)
class _Layout:
    """The rows of a clean year file whose lines but the value and note cells are these, worked
    out once.

    Per row taken: the item id, the unit as written (stripped), how its value is read (``1``:
    a number in the catalogue unit, ``0``: a status word, ``2``: by :func:`_fast_value` then
    :func:`~ecopark.io.rows.check_value`). ``pattern`` matches the value cells (stripped, joined
    by ``\\n``) when each is empty or plainly valid for its row (a plain decimal below the
    item's maximum, a status word), so that no cell of a file it matches needs a closer look.
    Each of ``wholes`` is ``(whole, at, keyed)``: ``whole`` matches the whole text of a clean
    file of this layout whose value cells are so and written without spaces (and in ASCII
    digits), capturing the cells but the item and unit cells (the first: but the notes too,
    which must be ASCII; the second: every one); ``at`` are the numbers of the groups of the
    rows' values, ``keyed`` those of the cells that are not a number (:func:`_read_fast`
    keeps decode's choice per layout and these cells).

    The expressions are compiled when first used (≈ 10 ms each for a file of 80 rows): a
    layout seen in one file only (parks whose files differ) never compiles its ``wholes``.
    """

    rows: tuple[int, ...]
    ids: tuple[str, ...]
    units: tuple[str, ...]
    modes: tuple[int, ...]
    pattern_text: str
    wholes_text: tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...]

    @functools.cached_property
    def pattern(self) -> re.Pattern:
        """The expression of the value cells (compiled once)."""
        return re.compile(self.pattern_text)

    @functools.cached_property
    def wholes(self) -> tuple[tuple[re.Pattern, tuple[int, ...], tuple[int, ...]], ...]:
        """The expressions of the whole file (compiled once)."""
        return tuple((re.compile(w), at, keyed) for w, at, keyed in self.wholes_text)

    def match(self, text: str) -> tuple[re.Match, tuple[int, ...], tuple[int, ...]] | None:
        """``(match, at, keyed)`` of the first of :attr:`wholes` that matches ``text``."""
        for whole, at, keyed in self.wholes:
            m = whole.fullmatch(text)
            if m is not None:
                return m, at, keyed
        return None


def _plain_pattern(item) -> str | None:
    """A regular expression of the values ``item`` takes as written in its catalogue unit that
    are plainly valid (:func:`_fast_value`), or None where each value must be checked."""
    if item.kind == "status":
        return "|".join(re.escape(w) for w in sorted(item.allowed, key=len, reverse=True))
    top = item.maximum
    if item.minimum or top is None or top != 10 ** top.adjusted() or not 0 < top.adjusted() <= 15:
        return None  # the range is checked value by value
    k = top.adjusted()
    point = "" if item.kind == "count" else r"(?:\.[0-9]{1,12})?"
    zeros = "" if item.kind == "count" else r"(?:\.0{1,12})?"
    return rf"[0-9]{{1,{k}}}{point}|10{{{k}}}{zeros}"  # below 10**k, or 10**k itself


def _layout(catalogue: _Catalogue, skeleton: tuple) -> _Layout | None:
    """The :class:`_Layout` of a file's skeleton (:func:`_fast_rows`), or None if a name is
    unknown or an item appears twice (the per-park reader says why)."""
    before, lines = skeleton
    columns = [c.strip().lower() for c in before[-1].split(",")]
    at_name, at_value, at_unit = (columns.index(c) for c in YEAR_COLUMNS)
    rows, ids, shown, modes, parts = [], [], [], [], []
    rows_taken: list[tuple[object, int, str | None]] = []  # (item, mode, plain) per row line
    seen: set[str] = set()
    for line in lines:
        if isinstance(line, str):  # a blank line
            continue
        name, unit = line
        item = catalogue.item(name.strip())
        if item is _OTHER:
            rows_taken.append((item, 2, None))
            continue
        if item is None or item.id in seen:
            return None
        seen.add(item.id)
        plain = _plain_pattern(item)
        if item.kind == "status":
            mode = 0 if not unit.strip() else 2
        else:
            mode = 1 if plain is not None and unit.strip() in ("", item.unit) else 2
        rows.append(len(rows_taken))
        rows_taken.append((item, mode, plain))
        ids.append(item.id)
        shown.append(unit.strip())
        modes.append(mode)
        parts.append(f"(?:{plain})?" if mode != 2 else "[^\n]*")
    wholes = []
    for notes in (_ASCII_CELL, _ANY_CELL):  # the first for notes in ASCII, the second for any
        whole = [re.escape(line) for line in before]
        at, keyed = [], []
        group = 1
        taken_rows = iter(rows_taken)
        for line in lines:
            if isinstance(line, str):
                whole.append(re.escape(line))
                continue
            item, mode, plain = next(taken_rows)
            cells = []
            for c in range(len(columns)):
                if c in (at_name, at_unit):
                    cells.append(re.escape(line[0] if c == at_name else line[1]))
                    continue
                taken = c == at_value and item is not _OTHER
                if not taken and item is not _OTHER and notes is _ASCII_CELL:
                    cells.append(notes)  # a note in ASCII decodes alike both ways
                    continue
                cells.append(f"((?:{plain})?)" if taken and mode != 2 else _ANY_CELL)
                if taken:
                    at.append(group)
                if not taken or mode != 1:
                    keyed.append(group)
                group += 1
            whole.append(",".join(cells))
        wholes.append(("\n".join(whole), tuple(at), tuple(keyed)))
    return _Layout(
        tuple(rows), tuple(ids), tuple(shown), tuple(modes), "\n".join(parts), tuple(wholes)
    )


def _fast_rows(text: str, catalogue: _Catalogue) -> tuple[_Layout, list[str], bool] | None:
    """The layout, the value cells (stripped) and whether the layout was seen before, of a CSV
    text with no :data:`_NOT_PLAIN` character that is plainly clean, else None.

    The layout is kept per skeleton: the lines up to the header, and per line below it the
    item and unit cells (a row) or the line itself (a blank line, which the per-park reader
    leaves out).
    """
    lines = text.split("\n")
    head = 0
    while head < len(lines) and not lines[head].strip():
        head += 1
    if head == len(lines):
        return None
    columns = [c.strip().lower() for c in lines[head].split(",")]
    if len(set(columns)) != len(columns) or not set(YEAR_COLUMNS) <= set(columns):
        return None
    if set(columns) - {*YEAR_COLUMNS, NOTE_COLUMN}:
        return None
    at_name, at_value, at_unit = (columns.index(c) for c in YEAR_COLUMNS)
    width = len(columns)
    kept, skeleton = [], []
    for line in lines[head + 1 :]:
        cells = line.split(",")
        if len(cells) == width:
            kept.append(cells)
            skeleton.append((cells[at_name], cells[at_unit]))
        elif "".join(cells).strip():  # blank lines are left out, others not plain
            return None
        else:
            skeleton.append(line)
    k = (tuple(lines[: head + 1]), tuple(skeleton))
    layout = catalogue.layouts.get(k, _UNSEEN)
    seen = layout is not _UNSEEN
    if not seen:
        layout = catalogue.layouts[k] = _layout(catalogue, k)
    if layout is None:
        return None
    return layout, [kept[r][at_value].strip() for r in layout.rows], seen


def _fast_value(item, value: str, unit: str) -> float | str | None:
    """The value of a plainly clean cell, or None where the row validator must look."""
    if item.kind == "status":
        return value if value in item.allowed and not unit else None
    if (unit and unit != item.unit) or not _PLAIN.match(value):
        return None
    if item.kind == "count" and "." in value:
        return None
    if item.minimum and Decimal(value) < item.minimum:
        return None
    x = float(value)
    if x < float(item.maximum) * (1 - 1e-9) or Decimal(value) <= item.maximum:  # 100 %
        return x
    return None


#: The bytes that separate cells (``yearfile._CELL_SPLIT``): no byte of a multi-byte UTF-8 or
#: GB18030 character is one of them, so each cell decodes on its own in both encodings.
_CELL_BYTES = re.compile(rb"[,\t;\r\n]")


def _decoded(data: bytes, words: frozenset[str], memo: dict) -> str:
    """:func:`~ecopark.io.yearfile.decode` of a year file, its choice kept for the next file.

    For a file shorter than decode's sample, decode's choice between UTF-8 and GB18030 reads
    each encoding's decoding (strict, or with replacement characters) cell by cell: the known
    words among the distinct cells, the plausible share of the non-ASCII characters, whether
    every cell decodes. A separator byte is never part of a character in either encoding,
    also not of a replaced one (``test_columnar`` checks every lead byte), so each cell decodes
    on its own, and ASCII cells decode alike both ways: the choice depends on the non-ASCII
    cells, with their counts, alone. It is kept per that multiset (and ``words``), and a file
    with the same non-ASCII cells is decoded the same way without choosing again. Anything
    else (a BOM, a NUL, a zip, a long file, a file decode refuses) is decode's.
    """
    if (
        data.isascii()
        or len(data) >= _SAMPLE
        or data.startswith((b"PK\x03\x04", b"\xef\xbb\xbf"))
        or b"\x00" in data
    ):
        return decode(data, "", words)
    cells: dict[bytes, int] = {}
    for cell in _CELL_BYTES.split(data):
        if not cell.isascii():
            cells[cell] = cells.get(cell, 0) + 1
    k = (words, tuple(sorted(cells.items())))
    encoding = memo.get(k)
    if encoding is not None:
        return data.decode(encoding)
    text = decode(data, "", words)
    for encoding in ("utf-8", "gb18030"):
        try:
            if data.decode(encoding) == text:
                memo[k] = encoding
                break
        except UnicodeDecodeError:
            continue
    return text


def _text(data: bytes) -> tuple[str, str] | None:
    """``(encoding, text)`` of a year file's bytes as decode may decode them: ``"bom"`` or
    ``"ascii"`` where that is decode's text, else the first of UTF-8 and GB18030 that decodes
    them (None: neither, or a zip); ``\\r\\n`` read as ``\\n``."""
    if data.startswith(b"PK\x03\x04"):
        return None
    if data.startswith(b"\xef\xbb\xbf"):  # decode: UTF-8, nothing else
        try:
            text = data[3:].decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "bom", text.replace("\r\n", "\n") if "\r" in text else text
    encoding = "ascii" if data.isascii() else "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        try:
            encoding, text = "gb18030", data.decode("gb18030")
        except UnicodeDecodeError:
            return None
    return encoding, text.replace("\r\n", "\n") if "\r" in text else text


def _read_fast(path: Path, catalogue: _Catalogue, memo: dict) -> tuple | None:
    """What :func:`_load` keeps of a year file that reads plainly, else None.

    ``(layout, value texts, values)`` of a file its layout's ``whole`` pattern matches (the
    value cells of its rows as written; the values of the rows read by
    :func:`~ecopark.io.rows.check_value`, by row, the others are made for all such files at
    once), else ``({item: value}, {item: exact source})`` (the source: the value and unit
    cells as written).

    The file is read unless it is a link (the per-park reader says whether it may be) or not
    shorter than decode's sample. Decode's choice (:func:`~ecopark.io.yearfile.decode`) is
    kept per encoding, layout and cells of a file the layout matches but its numbers: these
    fix every byte of the file but the numbers' ASCII digits and points, and ASCII decodes
    alike both ways (as :func:`_decoded` says).
    """
    if not path.name.lower().endswith(".csv"):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        data = os.read(fd, _SAMPLE)
        if len(data) >= _SAMPLE or (data and os.read(fd, 1)):
            return None
    finally:
        os.close(fd)
    got = _text(data)
    if got is None:
        return None
    encoding, text = got
    layout = catalogue.last
    hit = layout.match(text) if layout is not None else None
    if hit is not None and encoding in ("utf-8", "gb18030"):
        k = (encoding, layout, hit[1], _cells(hit[0], hit[2]))
        chosen = catalogue.chosen.get(k)
        if chosen is None:
            try:
                chosen = decode(data, "", catalogue.words).replace("\r\n", "\n") == text
            except InputError:
                chosen = False
            catalogue.chosen[k] = chosen
        if not chosen:
            hit = None
    if hit is None:  # decode's text, split line by line
        if encoding in ("utf-8", "gb18030"):
            try:
                text = _decoded(data, catalogue.words, memo)
            except InputError:  # the per-park reader says why
                return None
            text = text.replace("\r\n", "\n") if "\r" in text else text
        parsed = _fast_rows(text, catalogue) if _NOT_PLAIN.search(text) is None else None
        if parsed is None:
            return None
        layout, texts, seen = parsed
        if not seen:  # its first file: split, its expressions not compiled yet
            return _read_values(layout, texts, catalogue, quick=False)
        hit = layout.match(text)
        if hit is None:
            return _read_values(layout, texts, catalogue)
        catalogue.last = layout
    texts = _cells(hit[0], hit[1])
    values = {}
    if 2 in layout.modes:
        stripped = list(texts)
        for k, mode in enumerate(layout.modes):
            value = stripped[k] = texts[k].strip() if mode == 2 else texts[k]
            if mode == 2 and value:
                item = catalogue.standard.items[layout.ids[k]]
                fast = _fast_value(item, value, layout.units[k])
                if fast is None:
                    try:
                        fast = check_value(item, value, layout.units[k]).value
                    except RowError:
                        return None
                values[k] = fast
        texts = tuple(stripped)
    return layout, texts, values


def _cells(m: re.Match, groups: tuple[int, ...]) -> tuple[str, ...]:
    """The text of these groups of a match."""
    return m.group(*groups) if len(groups) > 1 else tuple(map(m.group, groups))


def _read_values(
    layout: _Layout, texts: list[str], catalogue: _Catalogue, quick: bool = True
) -> tuple | None:
    """``({item: value}, {item: (value, unit as written)})`` of a clean file's value cells, or
    None if one is bad (the per-park reader says why). ``quick``: the cells tried at once by
    the layout's :attr:`~_Layout.pattern` first (else each by :func:`_fast_value`)."""
    values: dict[str, object] = {}
    sources: dict[str, object] = {}
    plain = quick and layout.pattern.fullmatch("\n".join(texts)) is not None
    for item_id, value, unit, mode in zip(
        layout.ids, texts, layout.units, layout.modes, strict=True
    ):
        if value == "":
            continue
        if plain and mode == 1:
            fast: object = float(value)
        elif plain and mode == 0:
            fast = value
        else:
            item = catalogue.standard.items[item_id]
            fast = _fast_value(item, value, unit)
            if fast is None:
                try:
                    fast = check_value(item, value, unit).value
                except RowError:
                    return None
        values[item_id] = fast
        sources[item_id] = (value, unit)
    return values, sources


def load_table(
    folders: Path | str | Iterable[Path | str], standard: str | Standard | None = None
) -> Table:
    """Read every year file of the parks into one tidy table.

    Parameters
    ----------
    folders : path or iterable of paths
        A data folder (its park folders are taken) or the park folders themselves.
    standard : str or Standard, optional
        The standard to assess against (its code or id, or the definition): each park is
        opened under it (:func:`ecopark.load_park`); a park whose ``park.yaml`` does not name
        it is skipped (``table.skipped`` says why). Default: each park's first standard.

    Returns
    -------
    Table
        The raw items of every park-year (bad files marked, bad ``park.yaml`` kept as problems).

    Raises
    ------
    InputError
        If ``standard`` names no known standard.
    """
    from ecopark.tree import park_folders

    code = None if standard is None else standard_code(standard)
    if isinstance(folders, str | Path):
        folders = park_folders(folders)
    with _no_gc():
        return _load(list(map(Path, folders)), code)


def standard_code(standard: str | Standard) -> str:
    """The code of a standard given by its code or id (:func:`ecopark.load_standard`), or as
    the definition.

    Raises
    ------
    InputError
        If no known definition has that code or id.
    """
    return (load_standard(standard) if isinstance(standard, str) else standard).code


def open_park(folder: Path, code: str | None) -> Park | str:
    """The park of ``folder`` under the standard ``code`` (default its first), or why it is
    skipped: its ``park.yaml`` does not name ``code``."""
    try:
        return load_park(folder, code)
    except InputError:
        if code is not None:
            with contextlib.suppress(InputError):
                named = load_config(folder).standards
                if code not in named:
                    return (
                        f"skipped: its standard: names {', '.join(named)} only, not {code} "
                        f"(add {code} there to assess the park against it)"
                    )
        raise


def _load(folders: list[Path], code: str | None = None) -> Table:
    parks: list[Park] = []
    problems: dict[str, InputError] = {}
    skipped: dict[str, str] = {}
    order: list[int | str] = []
    park_idx: list[int] = []
    years: list[int] = []
    got_rows: list[tuple] = []  # per file row: what _read_fast keeps of it
    bad: set[tuple[int, int]] = set()
    rows: dict[tuple[int, int], int] = {}
    decoded: dict = {}  # decode's choices (_decoded)
    catalogues: dict[tuple[int, ...], _Catalogue] = {}  # per standards (parks hold them)
    for folder in folders:
        try:
            park = open_park(folder, code)
        except InputError as exc:
            problems[folder.name] = exc
            order.append(folder.name)
            continue
        if isinstance(park, str):
            skipped[folder.name] = park
            continue
        p = len(parks)
        parks.append(park)
        order.append(p)
        also = park.also
        k = (id(park.standard), *map(id, also))
        catalogue = catalogues.get(k)
        if catalogue is None:
            words = vocabulary(park.standard, also)
            catalogue = catalogues[k] = _Catalogue(park.standard, also, words)
        for year, path in park.files.items():
            got = _read_fast(path, catalogue, decoded)
            if got is None:
                try:
                    records = read_year_file(path, park.standard, park.also)
                except InputError:
                    bad.add((p, year))
                    continue
                got = ({r.item: r.value for r in records}, {r.item: r for r in records})
            rows[(p, year)] = len(years)
            park_idx.append(p)
            years.append(year)
            got_rows.append(got)
    columns, sources = _columns(got_rows)
    return Table(
        parks,
        problems,
        np.array(park_idx, dtype=np.int64),
        np.array(years, dtype=np.int64),
        columns,
        sources,
        bad,
        order,
        rows,
        skipped=skipped,
    )


def _columns(got_rows: list[tuple]) -> tuple[dict[str, list], dict[str, list]]:
    """:attr:`Table.values` and :attr:`Table.sources` of the file rows as :func:`_read_fast`
    (or the per-park reader) gave them: items in the order they first appear, the rows of a
    layout read column by column."""
    n = len(got_rows)
    order: dict[str, None] = {}
    merged: set[tuple] = set()
    by_layout: dict[_Layout, list[int]] = {}
    for r, got in enumerate(got_rows):
        if len(got) == 3:
            layout, texts, _ = got
            by_layout.setdefault(layout, []).append(r)
            present = layout.ids
            if "" in texts:
                present = tuple(i for i, t in zip(layout.ids, texts, strict=True) if t)
        else:
            present = tuple(got[0])
        if present not in merged:
            merged.add(present)
            order.update(dict.fromkeys(present))
    values: dict[str, list] = dict.fromkeys(order)  # a column made when first needed
    sources: dict[str, list] = dict.fromkeys(order)

    def column(item: str) -> tuple[list, list]:
        if values[item] is None:
            values[item], sources[item] = [None] * n, [None] * n
        return values[item], sources[item]

    for r, got in enumerate(got_rows):
        if len(got) == 2:
            for item, value in got[0].items():
                into, into_cells = column(item)
                into[r], into_cells[r] = value, got[1][item]
    for layout, where in by_layout.items():
        files = [got_rows[r] for r in where]
        by_row = list(zip(*[f[1] for f in files], strict=True))
        for k, (item, unit, mode) in enumerate(
            zip(layout.ids, layout.units, layout.modes, strict=True)
        ):
            if item not in order:  # empty in every file
                continue
            texts = by_row[k]
            full = "" not in texts
            if mode == 2:
                made = [f[2].get(k) for f in files]
            elif mode == 1:
                made = list(map(float, texts)) if full else [float(t) if t else None for t in texts]
            else:
                made = list(texts) if full else [t or None for t in texts]
            cells = (
                list(zip(texts, repeat(unit)))
                if full
                else [(t, unit) if t else None for t in texts]
            )
            if len(where) == n:
                values[item], sources[item] = made, cells
                continue
            into, into_cells = column(item)
            for r, value, cell in zip(where, made, cells, strict=True):
                into[r], into_cells[r] = value, cell
    return values, sources


# --------------------------------------------------------------------------------------------
# The formulas over arrays


class _Bad(Exception):
    """An expression the arrays cannot evaluate at all (leave it to the per-park engine)."""


@dataclass
class _Frame:
    """The park-years of one evaluation: per year reference, the file row (−1: no file)."""

    table: Table
    ref_rows: dict[str, np.ndarray]
    n: np.ndarray

    @functools.cached_property
    def cache(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        return {}

    def item(self, name: str, ref: str) -> tuple[np.ndarray, np.ndarray]:
        """(float values, present) of ``item@ref`` over the park-years."""
        k = key(name, ref)
        hit = self.cache.get(k)
        if hit is not None:
            return hit
        rows = self.ref_rows[ref]
        arr = self.table.arrays.get(name)
        size = len(rows)
        if arr is None:
            out = (np.full(size, math.nan), np.zeros(size, dtype=bool))
        else:
            vals = np.where(rows >= 0, arr[np.maximum(rows, 0)], math.nan)
            out = (vals, ~np.isnan(vals))
        self.cache[k] = out
        return out


def _exact_scalar(x: object) -> bool:
    return isinstance(x, int | Fraction) and not isinstance(x, bool)


class _Vector:
    """One walk of a formula's syntax tree over arrays: values, and where they are not trusted.

    A node's value is an exact scalar (int, Fraction: constants), an int array (``n`` and what
    is made of it and constants alone: evaluated exactly per distinct value) or a float array.
    ``bad`` collects the elements the per-park float evaluation would not trust or could not
    compute (then the per-park engine evaluates them).
    """

    def __init__(self, frame: _Frame):
        self.frame = frame
        self.bad = np.zeros(len(frame.n), dtype=bool)

    def run(self, tree: ast.expr) -> np.ndarray:
        out = self.visit(tree)
        if not isinstance(out, np.ndarray) or out.dtype != float:
            raise _Bad("not a float array")
        with np.errstate(invalid="ignore"):
            self.bad |= ~np.isfinite(out)
        return out

    def visit(self, node: ast.expr):
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise _Bad("constant")
            return v if isinstance(v, int) else Fraction(repr(v))
        if isinstance(node, ast.Name):
            if node.id == "n":
                return self.frame.n
            return self._item(node.id, "T")
        if isinstance(node, ast.Subscript):
            ref = ast.unparse(node.slice).replace(" ", "")
            if not isinstance(node.value, ast.Name) or ref not in REF_OFFSETS and ref != "B":
                raise _Bad("subscript")
            return self._item(node.value.id, ref)
        if isinstance(node, ast.UnaryOp):
            v = self.visit(node.operand)
            if isinstance(node.op, ast.USub):
                return -v
            if isinstance(node.op, ast.UAdd):
                return +v
            raise _Bad("unary")
        if isinstance(node, ast.BinOp):
            return self._binop(node.op, self.visit(node.left), self.visit(node.right))
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                raise _Bad("call")
            if node.keywords:
                raise _Bad("keywords")
            args = [self.visit(a) for a in node.args]
            return self._call(node.func.id, args)
        raise _Bad(type(node).__name__)

    def _item(self, name: str, ref: str) -> np.ndarray:
        vals, present = self.frame.item(name, ref)
        self.bad |= ~present
        return vals

    @staticmethod
    def _is_exact(v) -> bool:
        return _exact_scalar(v) or (isinstance(v, np.ndarray) and v.dtype != float)

    def _exactly(self, func, *args):
        """``func`` on exact operands: per element, as the per-park engine does on ints."""
        arrays = [a for a in args if isinstance(a, np.ndarray)]
        if not arrays:
            return func(*args)
        size = len(arrays[0])
        # as Python numbers (tolist: an int array's elements as int, an object array's as held)
        columns = [a.tolist() if isinstance(a, np.ndarray) else [a] * size for a in args]
        keys = list(zip(*columns, strict=True))
        memo: dict[tuple, object] = {}
        for here in set(keys):
            try:
                memo[here] = func(*here)
            except Exception:  # 1 / n of the base year: those elements go to the engine
                memo[here] = None
        if not arrays[0].shape == self.bad.shape:
            raise _Bad("exact part of another shape")
        failed = np.array([memo[k] is None for k in keys], dtype=bool)
        self.bad |= failed
        out = np.empty(len(keys), dtype=object)
        out[:] = [1 if memo[k] is None else memo[k] for k in keys]  # 1: any number (bad)
        return out

    @staticmethod
    def _float(v) -> np.ndarray | float:
        """An operand as it meets a float: exact numbers by ``float`` (as Python mixes them)."""
        if isinstance(v, np.ndarray):
            if v.dtype == float:
                return v
            return np.array([float(x) for x in v.tolist()], dtype=float)
        return float(v)

    def _binop(self, op: ast.operator, a, b):
        from ecopark.standard import expr

        plain = {
            ast.Add: expr.operator.add,
            ast.Sub: expr.operator.sub,
            ast.Mult: expr.operator.mul,
            ast.Div: lambda x, y: expr._div(x, y, "", ""),
            ast.Pow: expr._pow,
        }
        if type(op) not in plain:
            raise _Bad("operator")
        if self._is_exact(a) and self._is_exact(b):
            return self._exactly(plain[type(op)], a, b)
        x, y = self._float(a), self._float(b)
        with np.errstate(all="ignore"):
            if isinstance(op, ast.Add | ast.Sub):
                out = x + y if isinstance(op, ast.Add) else x - y
                self.bad |= np.abs(out) * CANCELLATION < np.abs(x) + np.abs(y)
            elif isinstance(op, ast.Mult):
                out = x * y
            elif isinstance(op, ast.Div):
                self.bad |= np.asarray(y == 0) & np.ones(len(self.bad), dtype=bool)
                out = x / y
            else:
                out = np.power(x, y)
        out = np.broadcast_to(np.asarray(out, dtype=float), self.bad.shape).copy()
        self.bad |= ~np.isfinite(out)
        return out

    def _call(self, name: str, args: list):
        if all(self._is_exact(a) for a in args):
            return self._exactly(FUNCTIONS[name], *args)
        size = self.bad.shape
        with np.errstate(all="ignore"):
            if name == "cagr":
                if len(args) != 3:
                    raise _Bad("cagr")
                x_t, x_0, k = args
                if self._is_exact(k):
                    k_le0 = np.asarray(self._exactly(lambda v: v <= 0, k), dtype=bool)
                else:
                    k_le0 = np.asarray(k <= 0)
                xt, x0, kf = self._float(x_t), self._float(x_0), self._float(k)
                ratio = np.broadcast_to(np.asarray(xt / x0, dtype=float), size)
                self.bad |= np.broadcast_to(k_le0, size) | np.broadcast_to(x0 == 0, size)
                self.bad |= ~np.isfinite(ratio) | (ratio < 0)
                out = np.power(ratio, 1.0 / np.asarray(kf, dtype=float)) - 1.0
                self.bad |= np.abs(out) * CANCELLATION < 1.0
            elif name == "mean":
                parts = [
                    np.broadcast_to(np.asarray(self._float(a), dtype=float), size) for a in args
                ]
                for part in parts:
                    self.bad |= ~np.isfinite(part)
                parts = [np.where(self.bad, 0.0, part) for part in parts]
                total = np.array([math.fsum(t) for t in zip(*parts, strict=True)], dtype=float)
                size_ = np.array(
                    [math.fsum(map(abs, t)) for t in zip(*parts, strict=True)], dtype=float
                )
                self.bad |= np.abs(total) * CANCELLATION < size_
                out = total / len(args)
            else:
                raise _Bad(name)
        out = np.broadcast_to(np.asarray(out, dtype=float), size).copy()
        self.bad |= ~np.isfinite(out)
        return out


# --------------------------------------------------------------------------------------------
# Values of one park-year for the per-park engine


class _RowValues(Mapping):
    """The raw items of one park-year keyed ``"item@ref"``, read from the table (floats)."""

    def __init__(self, table: Table, rows: Mapping[str, int], exact: bool = False):
        self.table, self.rows, self.exact = table, rows, exact

    def _source(self, name: str):
        item, _, ref = name.partition("@")
        r = self.rows.get(ref, -1)
        col = self.table.values.get(item)
        if r < 0 or col is None or col[r] is None:
            raise KeyError(name)
        return item, r, col[r]

    def source(self, item: str, ref: str) -> tuple | None:
        """The cell ``item@ref`` as written (text, unit), or None (missing, or from a Record)."""
        r = self.rows.get(ref, -1)
        col = self.table.sources.get(item)
        if r < 0 or col is None or col[r] is None or isinstance(col[r], Record):
            return None
        return col[r]

    def __getitem__(self, name: str):
        item, r, value = self._source(name)
        if not self.exact or isinstance(value, str):
            return value
        source = self.table.sources[item][r]
        if isinstance(source, Record):
            return source.exact
        memo = self.table.exact_memo
        hit = memo.get((item, *source))
        if hit is None:
            standard = self.table.parks[self.table.park[r]].standard
            hit = memo[(item, *source)] = _exact_of(standard, item, *source)
        return hit

    def __contains__(self, name: object) -> bool:
        try:
            self._source(name)  # type: ignore[arg-type]
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        for item, col in self.table.values.items():
            for ref, r in self.rows.items():
                if r >= 0 and col[r] is not None:
                    yield key(item, ref)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _exact_of(standard: Standard, item_id: str, text: str, unit: str) -> Fraction | int | str:
    """The exact value of a cell as written (:attr:`Record.exact` of the row validator's record)."""
    item = standard.items[item_id]
    checked = check_value(item, text, unit)
    record = Record(
        item_id, checked.value, item.unit, "", "", 0, text, unit, "", checked.number, checked.factor
    )
    return record.exact


# --------------------------------------------------------------------------------------------
# The assessment of many park-years


@dataclass
class ParkYear:
    """One park-year assessed: its verdict and results, or the per-park engine's error.

    :attr:`results` are made when first asked for (the verdict and :func:`summary_row` read the
    group's arrays of pass flags instead).
    """

    park: Park
    year: int
    compliant: bool | None = None
    reasons: tuple = ()
    judged_reason: object = None
    error: InputError | None = None
    made: tuple[IndicatorResult, ...] | None = field(default=None, repr=False)
    group: _Group | None = field(default=None, repr=False)
    index: int = -1

    @property
    def results(self) -> tuple[IndicatorResult, ...]:
        """The indicator results in the standard's order (:func:`ecopark.engine.indicator_result`)."""
        if self.made is None:
            self.made = self.group.results(self.index) if self.group is not None else ()
        return self.made

    @property
    def numbers(self) -> tuple[str, ...]:
        """The indicators' ids, in the order of :attr:`results`."""
        if self.made is None and self.group is not None:
            return tuple(ind.number for ind in self.group.inds)
        return tuple(r.number for r in self.results)

    @property
    def passed(self) -> tuple[bool | None, ...]:
        """:attr:`IndicatorResult.passed` of each result."""
        if self.made is None and self.group is not None:
            return self.group.passed_of(self.index)
        return tuple(r.passed for r in self.results)

    @property
    def computable(self) -> tuple[bool, ...]:
        """:attr:`IndicatorResult.computable` of each result."""
        if self.made is None and self.group is not None:
            return tuple(bool(c) for c in self.group.computable[:, self.index])
        return tuple(r.computable for r in self.results)

    @property
    def failing(self) -> list[str]:
        """The ids of the indicators that do not pass (:attr:`passed` False), in order."""
        if self.made is None and self.group is not None:
            return self.group.failing[self.index]
        return [n for n, ok in zip(self.numbers, self.passed, strict=True) if ok is False]

    @property
    def not_computable(self) -> int:
        """How many results are not computable."""
        if self.made is None and self.group is not None:
            return self.group.not_computable[self.index]
        return sum(not c for c in self.computable)


def _ref_rows(table: Table, parks: np.ndarray, years: np.ndarray, standard: Standard):
    """Per year reference the formulas use: the file row of each park-year (−1: none)."""
    base = np.array([table.parks[p].config.base_year for p in parks], dtype=np.int64)
    refs = {ref for ind in standard.indicators for _, ref in ind.inputs}
    refs |= {ref for h in standard.helpers.values() for _, ref in h.formula.inputs}
    out = {}
    for ref in sorted(refs):
        ys = base if ref == "B" else years + REF_OFFSETS[ref]
        out[ref] = np.array(
            [table.rows.get((int(p), int(y)), -1) for p, y in zip(parks, ys, strict=True)],
            dtype=np.int64,
        )
    return out, years - base


def _prefilter(
    x: np.ndarray, limits: list[Limit | None], codes: np.ndarray, rules: Rules
) -> np.ndarray:
    """A superset of the elements :func:`near_boundary` calls near (then asked one by one);
    element ``i``'s limit is ``limits[codes[i]]``."""
    size = np.abs(x)
    tol = 4 * REL_TOL * size
    unit = 10.0**-rules.places
    numeric = [lm is not None and not isinstance(lm.value, str) for lm in limits]
    with np.errstate(all="ignore"):
        near = size <= 0.5 * unit + tol
        frac = np.mod(size / unit, 1.0)
        near |= np.abs(frac - 0.5) * unit <= tol + 1e-12 * unit
        lim = np.array(
            [float(lm.value) if ok else math.nan for lm, ok in zip(limits, numeric, strict=True)]
        )[codes]
        gap = np.abs(x - lim)
        near |= gap <= tol
        half = np.array(
            [0.5 * 10.0**-lm.places if ok else 0.0 for lm, ok in zip(limits, numeric, strict=True)]
        )[codes]
        near |= np.abs(gap - half) <= tol
        near |= ~np.isfinite(size) | (size >= 1e12)
    return near


def assess_table(table: Table, years: dict[int, list[int]] | None = None) -> list[ParkYear | str]:
    """Assess park-years of a table, all at once.

    Parameters
    ----------
    table : Table
        From :func:`load_table`.
    years : dict of int to list of int, optional
        Per park index, the years to assess (default: every year with a file).

    Returns
    -------
    list
        In folder order: a :class:`ParkYear` per park-year (the per-park engine's result for
        each, with ``error`` set where it raises), or the folder name of a park whose
        ``park.yaml`` is bad (see ``table.problems``).
    """
    with _no_gc():
        return _assess(table, years)


def _assess(table: Table, years: dict[int, list[int]] | None) -> list[ParkYear | str]:
    wanted: list[tuple[int, int]] = []
    for p, park in enumerate(table.parks):
        for y in years.get(p, []) if years is not None else park.years:
            wanted.append((p, y))
    out: dict[tuple[int, int], ParkYear] = {}
    groups: dict[tuple, list[tuple[int, int]]] = {}
    needed: dict[int, set[int]] = {}
    rules_memo: dict[int, Rules] = {}
    for p, y in wanted:
        park = table.parks[p]
        refs = _needed_years(park, y, needed)
        if y not in park.files or any((p, ry) in table.bad for ry in refs):
            out[(p, y)] = _per_park(park, y)
            continue
        rules = rules_memo.get(p)
        if rules is None:
            rules = rules_memo[p] = rules_of(park.standard, park.config)
        groups.setdefault((id(park.standard), rules), []).append((p, y))
    for (_, rules), members in groups.items():
        standard = table.parks[members[0][0]].standard
        group = _Group(table, standard, rules, members)
        for i, (p, y) in enumerate(members):
            out[(p, y)] = group.park_year(i)
    ordered: list[ParkYear | str] = []
    for entry in table.order:
        if isinstance(entry, str):
            ordered.append(entry)
            continue
        park = table.parks[entry]
        for y in years.get(entry, []) if years is not None else park.years:
            ordered.append(out[(entry, y)])
    return ordered


def _needed_years(park: Park, year: int, memo: dict[int, set[int]]) -> set[int]:
    """The years whose files the per-park engine reads for ``year`` (those that exist)."""
    standard = park.standard
    offsets = memo.get(id(standard))
    if offsets is None:
        refs = {ref for ind in standard.indicators for _, ref in ind.inputs}
        refs |= {ref for h in standard.helpers.values() for _, ref in h.formula.inputs}
        offsets = memo[id(standard)] = refs
    base = park.config.base_year
    ys = {base if r == "B" else year + REF_OFFSETS[r] for r in offsets}
    return {y for y in ys if y in park.files}


def _per_park(park: Park, year: int) -> ParkYear:
    try:
        a = assess(park, year)
    except InputError as exc:
        return ParkYear(park, year, error=exc)
    return _from_assessment(a, park)


def summary_row(py: ParkYear) -> dict:
    """The :func:`ecopark.tree.assess_tree` row of a park-year."""
    park = py.park
    if py.error is not None:
        return {"park": park.id, "name": park.config.name, "year": py.year, "error": str(py.error)}
    return {
        "park": park.id,
        "name": park.config.name,
        "year": py.year,
        "compliant": py.compliant,
        "judged": py.judged_reason is None,
        "judged_reason": py.judged_reason.zh if py.judged_reason else "",
        "failing": list(py.failing),
        "not_computable": py.not_computable,
        "reasons": [r.zh for r in py.reasons],
        "error": "",
    }


def as_assessment(py: ParkYear) -> Assessment:
    """The park-year as an :class:`~ecopark.assessment.Assessment` (its table; no raw items)."""
    park = py.park
    return Assessment(
        config=park.config,
        standard=park.standard,
        year=py.year,
        results=py.results,
        compliant=py.compliant,
        reasons=py.reasons,
        values={},
        rules=rules_of(park.standard, park.config),
        judged_reason=py.judged_reason,
        exact_values={},
    )


def _from_assessment(a: Assessment, park: Park) -> ParkYear:
    return ParkYear(park, a.year, a.compliant, a.reasons, a.judged_reason, made=a.results)


#: Pass flags in the group's arrays: True, False, None (not computable or no limit).
_PASS, _FAIL, _NONE = 1, 0, -1
#: A flag + 1 → its value (None, False, True).
_FLAG_VALUES = np.array([None, False, True], dtype=object)


class _Probe:
    """What :func:`ecopark.verdict.judge` reads of a result first: id, tier, role, pass flag.

    One probe per indicator, role and flag serves every park-year of a group: any other
    attribute is read from the real result (:meth:`_Group.result`) of the park-year being
    judged (:attr:`_Group.judging`), and its indicator logged. A verdict that read nothing
    else depends on these four fields alone and is kept for every park-year with the same ones.
    """

    __slots__ = ("number", "tier", "role", "passed", "_group", "_j")

    def __init__(self, group: _Group, j: int, role: str, passed: bool | None):
        ind = group.inds[j]
        self.number, self.tier, self.role, self.passed = ind.number, ind.tier, role, passed
        self._group, self._j = group, j

    def __getattr__(self, name: str):
        group = self._group
        group.log.append(self._j)
        return getattr(group.result(self._j, group.judging), name)


class _Results(Sequence):
    """The results of one park-year, each made when read (:func:`ecopark.engine.judged`)."""

    def __init__(self, group: _Group, i: int):
        self.group, self.i = group, i

    def __len__(self) -> int:
        return len(self.group.inds)

    def __getitem__(self, j):  # type: ignore[override]
        if not isinstance(j, int) or not 0 <= j < len(self):
            raise IndexError(j)
        return self.group.result(j, self.i)


class _Group:
    """The park-years of one standard and rule in force, evaluated together.

    Per indicator ``j`` and park-year ``i``: the float value ``x`` the arrays decided, the limit
    that applies, the pass flag and whether a value was computed. Results the arrays did not
    decide (reported values, elements the per-park engine evaluated) are made at once and kept
    in ``made``; the others are made from ``x`` by :func:`ecopark.engine.indicator_result` when
    asked for.
    """

    def __init__(
        self, table: Table, standard: Standard, rules: Rules, members: list[tuple[int, int]]
    ):
        self.table, self.standard, self.rules, self.members = table, standard, rules, members
        self.inds = list(standard.indicators)
        parks = np.array([p for p, _ in members], dtype=np.int64)
        self.years = np.array([y for _, y in members], dtype=np.int64)
        self.ref_rows, n = _ref_rows(table, parks, self.years, standard)
        self.frame = _Frame(table, self.ref_rows, n)
        size, count = len(members), len(self.inds)
        # the parks of the group: what is the same for all their years is worked out once
        first: dict[int, int] = {}
        self.park_of = np.array([first.setdefault(int(p), len(first)) for p in parks])
        self.configs = [table.parks[p].config for p in first]
        self.roles = [[role_of(ind, c, standard) for ind in self.inds] for c in self.configs]
        self._values: dict[tuple[int, bool], _RowValues] = {}
        self.x = np.full((count, size), math.nan)
        self.passed = np.full((count, size), _NONE, dtype=np.int8)
        self.computable = np.zeros((count, size), dtype=bool)
        self.applied: list[list] = []
        # per indicator, the results made at once (None: none of it), and those made when asked
        self.kept: list[list[IndicatorResult | None] | None] = [None] * count
        # per indicator, the park-years whose float is near a rounding tie or zero but not the
        # limit: the float decides the pass flag, the per-park engine the result when asked
        self.later: list[set[int]] = [set() for _ in range(count)]
        self.made: dict[tuple[int, int], IndicatorResult] = {}
        for j in range(count):
            self._indicator(j)
        self._verdicts: dict[tuple, tuple[bool, tuple]] = {}
        # per park, the indicators whose results judge read beyond the probes' four fields
        self._read: dict[int, frozenset[int]] = {}
        # the probes of each park: per indicator, one per flag (indexed by flag + 1)
        self._probes: dict[int, list[tuple[_Probe, ...]]] = {}
        self._probes_of: dict[tuple[int, str], tuple[_Probe, ...]] = {}
        # the park-year judge is judging, and the indicators whose results it read
        self.judging, self.log = -1, []

    # -- per park-year -------------------------------------------------------------------------

    def values(self, i: int, exact: bool = False) -> _RowValues:
        """The raw items of park-year ``i`` (floats, or exactly)."""
        hit = self._values.get((i, exact))
        if hit is None:
            rows = {ref: int(r[i]) for ref, r in self.ref_rows.items()}
            hit = self._values[(i, exact)] = _RowValues(self.table, rows, exact)
        return hit

    def config(self, i: int):
        return self.configs[self.park_of[i]]

    def result(self, j: int, i: int) -> IndicatorResult:
        """The result of indicator ``j`` for park-year ``i``."""
        kept = self.kept[j]
        hit = kept[i] if kept is not None else None
        if hit is None:
            hit = self.made.get((j, i))
        if hit is None:
            if i in self.later[j]:
                hit = self._evaluated(j, i)
            else:
                a = self.applied[j][i]
                ev = Evaluation(float(self.x[j, i]), a.limit, a.reason_zh, a.reason_en, a.text)
                hit = self._result(j, i, ev)
            self.made[(j, i)] = hit
        return hit

    def _evaluated(self, j: int, i: int) -> IndicatorResult:
        """The result of indicator ``j`` for park-year ``i`` by the per-park engine
        (:func:`ecopark.engine.evaluate`, exactly where the floats could mislead)."""
        ev = evaluate(
            self.inds[j],
            self.standard,
            self.config(i),
            self.values(i),
            int(self.years[i]),
            exact_values=self.values(i, exact=True),
            rules=self.rules,
        )
        return self._result(j, i, ev)

    def _result(self, j: int, i: int, ev: Evaluation) -> IndicatorResult:
        return indicator_result(
            self.inds[j],
            ev,
            self.config(i),
            self.standard,
            self.rules,
            self.values(i),
            self.values(i, exact=True),
            int(self.years[i]),
        )

    def results(self, i: int) -> tuple[IndicatorResult, ...]:
        return tuple(self.result(j, i) for j in range(len(self.inds)))

    def passed_of(self, i: int) -> tuple[bool | None, ...]:
        """The pass flags of park-year ``i`` (True, False or None per indicator)."""
        return tuple(self._flags[i])

    @functools.cached_property
    def _flags(self) -> list[list[bool | None]]:
        """Per park-year, the pass flags as Python values (made for all at once)."""
        return _FLAG_VALUES[self.passed.T + 1].tolist()

    @functools.cached_property
    def _flag_codes(self) -> list[list[int]]:
        """Per park-year, each indicator's flag + 1 (0: None, 1: False, 2: True)."""
        return (self.passed.T + 1).tolist()

    def _park_probes(self, i: int) -> list[tuple[_Probe, ...]]:
        """The probes of park-year ``i``'s park: per indicator, for flag None, False, True."""
        p = int(self.park_of[i])
        hit = self._probes.get(p)
        if hit is None:
            hit = self._probes[p] = []
            for j, role in enumerate(self.roles[p]):
                triple = self._probes_of.get((j, role))
                if triple is None:
                    triple = self._probes_of[(j, role)] = tuple(
                        _Probe(self, j, role, flag) for flag in (None, False, True)
                    )
                hit.append(triple)
        return hit

    @functools.cached_property
    def failing(self) -> list[list[str]]:
        """Per park-year, the ids of the indicators that do not pass (made for all at once)."""
        numbers = np.array([ind.number for ind in self.inds], dtype=object)
        return [numbers[row].tolist() for row in self.passed.T == _FAIL]

    @functools.cached_property
    def not_computable(self) -> list[int]:
        """Per park-year, how many results are not computable."""
        return (~self.computable).sum(axis=0).tolist()

    def park_year(self, i: int) -> ParkYear:
        """Park-year ``i`` judged (:func:`ecopark.engine.judged`, :func:`ecopark.verdict.judge`)."""
        p, y = self.members[i]
        config = self.config(i)
        not_judged = judged(self.standard, config, y, _Results(self, i), self.values(i))
        py = ParkYear(self.table.parks[p], y, judged_reason=not_judged, group=self, index=i)
        if not_judged is not None:
            py.compliant, py.reasons = None, ()
            return py
        k = (int(self.park_of[i]), self.passed[:, i].tobytes())
        hit = self._verdicts.get(k)
        if hit is None:
            # the results judge read more of in this park's other years, where they do not
            # pass, are given as they are (the others as probes)
            codes = self._flag_codes[i]
            given: list = [probes[f] for probes, f in zip(self._park_probes(i), codes, strict=True)]
            real = [j for j in self._read.get(int(self.park_of[i]), ()) if codes[j] != 2]
            for j in real:
                given[j] = self.result(j, i)
            self.judging, self.log = i, []
            compliant, reasons = judge(given, self.standard, config)
            log, self.judging = self.log, -1
            hit = (compliant, tuple(reasons))
            if not log and not real:  # the verdict read only the four fields of the key
                self._verdicts[k] = hit
            elif log:
                p = int(self.park_of[i])
                self._read[p] = self._read.get(p, frozenset()) | frozenset(log)
        py.compliant, py.reasons = hit
        return py

    # -- per indicator -------------------------------------------------------------------------

    def _applied(self, j: int) -> tuple[list, list, np.ndarray]:
        """The limit that applies to each park-year: once per park's attributes and benchmark
        where the requirement reads no values, else per park-year (:meth:`Indicator.applicable`).

        Returns
        -------
        (list, list, ndarray)
            Per park-year its :class:`~ecopark.standard.model.Applied`; the distinct ones (by
            identity); per park-year the index of its own among them.
        """
        ind = self.inds[j]
        distinct: list = []
        index: dict[int, int] = {}

        def code(a) -> int:
            c = index.get(id(a))
            if c is None:
                c = index[id(a)] = len(distinct)
                distinct.append(a)
            return c

        if not _reads_values(ind.requirement):
            memo: dict[tuple, object] = {}
            per_park = []
            for c in self.configs:
                bench = c.sector_benchmarks.get(_indicator_key(ind))
                k = _as_key(c.attributes, bench)
                hit = memo.get(k) if k is not None else None
                if hit is None:
                    hit = ind.applicable({}, 0, c.attributes, bench)
                    if k is not None:
                        memo[k] = hit
                per_park.append(hit)
            park_codes = np.array([code(a) for a in per_park], dtype=np.int64)
            return [per_park[k] for k in self.park_of], distinct, park_codes[self.park_of]
        signs = self._signs(ind.requirement)
        out = []
        kept: dict[tuple[int, int], object] = {}
        for i in range(len(self.members)):
            k = (int(self.park_of[i]), int(signs[i]))
            hit = kept.get(k) if signs[i] else None
            if hit is None:
                c = self.config(i)
                hit = ind.applicable(
                    self.values(i),
                    int(self.frame.n[i]),
                    c.attributes,
                    c.sector_benchmarks.get(_indicator_key(ind)),
                    exact_values=self.values(i, exact=True),
                )
                if signs[i]:
                    kept[k] = hit
            out.append(hit)
        return out, distinct, np.array([code(a) for a in out], dtype=np.int64)

    def _signs(self, req: Requirement) -> np.ndarray:
        """Per park-year, the sign of the helper a ``by_sign_of`` requirement reads (±1) where
        its float is trusted and far from 0, else 0 (then :meth:`Indicator.applicable` is asked).

        Such a requirement reads the values only through that sign when neither branch reads
        values: the limit is the same for every year of a park with the same sign.
        """
        size = len(self.members)
        if (
            req is None
            or req.by_sign_of is None
            or _reads_values(req.positive)
            or _reads_values(req.negative)
        ):
            return np.zeros(size, dtype=np.int8)
        vec = _Vector(self.frame)
        try:
            g = vec.run(req.by_sign_of.formula.tree)
        except _Bad:
            return np.zeros(size, dtype=np.int8)
        with np.errstate(invalid="ignore"):
            clear = ~vec.bad & (np.abs(g) > 1e-9)
        return np.where(clear, np.sign(np.where(clear, g, 0.0)), 0).astype(np.int8)

    def _keep(self, j: int, where: list[int], results: list[IndicatorResult]) -> None:
        """Results made at once, with their pass flags and whether they were computed."""
        if not where:
            return
        kept = self.kept[j]
        if kept is None:
            kept = self.kept[j] = [None] * len(self.members)
        for i, r in zip(where, results, strict=True):
            kept[i] = r
        flags = {_NONE if r.passed is None else _PASS if r.passed else _FAIL for r in results}
        self.computable[j, where] = [r.computable for r in results]
        if flags == {_NONE}:
            self.passed[j, where] = _NONE
        else:
            self.passed[j, where] = [
                _NONE if r.passed is None else _PASS if r.passed else _FAIL for r in results
            ]

    def _indicator(self, j: int) -> None:
        ind = self.inds[j]
        applied, distinct, codes = self._applied(j)
        self.applied.append(applied)
        if ind.reported:
            self._reported(j, applied)
            return
        size = len(self.members)
        limits = [a.limit for a in applied]
        distinct_limits = [a.limit for a in distinct]
        vec = _Vector(self.frame)
        try:
            x = vec.run(ind.formula.tree)
            slow = vec.bad.copy()
            if ind.formula.uses_n:
                slow |= self.frame.n <= 0
        except _Bad:
            x, slow = np.full(size, math.nan), np.ones(size, dtype=bool)
        cand = ~slow & _prefilter(np.where(slow, 1.0, x), distinct_limits, codes, self.rules)
        later = self.later[j]
        for i in np.flatnonzero(cand).tolist():
            xi = float(x[i])
            if near_limit(xi, limits[i], self.rules):
                slow[i] = True
            elif near_boundary(xi, limits[i], self.rules):
                later.add(i)  # judged by the float, printed from the exact value when made
        self.x[j] = x
        self._slow(j, np.flatnonzero(slow), applied)
        fast = ~slow
        self.computable[j] = fast | self.computable[j]
        self._pass_flags(j, fast, x, distinct_limits, codes)

    def _pass_flags(
        self, j: int, fast: np.ndarray, x: np.ndarray, limits: list, codes: np.ndarray
    ) -> None:
        """Pass flags of the elements the floats decided, per limit (``limits[codes[i]]``):
        :func:`ecopark.rounding.passes` over the array where it takes one (全数值比较法), else
        element by element."""
        where_fast = np.flatnonzero(fast)
        fast_codes = codes[where_fast]
        order = np.argsort(fast_codes, kind="stable")
        sorted_codes = fast_codes[order]
        starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
        for where in np.split(where_fast[order], starts[1:]):
            if not len(where):
                continue
            lm = limits[codes[where[0]]]
            if lm is None:
                continue
            vals = x[where]
            try:
                flags = passes(vals, lm, self.rules)
            except (AttributeError, TypeError, ValueError):
                flags = None
            if not (isinstance(flags, np.ndarray) and flags.dtype == bool):
                flags = np.array([passes(float(v), lm, self.rules) for v in vals], dtype=bool)
            self.passed[j, where] = np.where(flags, _PASS, _FAIL)

    def _slow(self, j: int, where: np.ndarray, applied: list) -> None:
        """Elements the per-park engine evaluates (:func:`ecopark.engine.evaluate`).

        One whose inputs are not all there (or whose year is not after the base year, for a
        formula of ``n``) is not computable for a reason that depends on which inputs are
        missing, the year, the base year and the limit alone: evaluated once per such key.
        """
        if not len(where):
            return
        ind, table = self.inds[j], self.table
        absent = np.zeros(len(self.members), dtype=np.int64)
        for k, (item, ref) in enumerate(ind.inputs):
            rows = self.ref_rows[ref]
            col = table.present.get(item)
            there = np.zeros(len(rows), dtype=bool) if col is None else col[np.maximum(rows, 0)]
            absent |= (~(there & (rows >= 0))).astype(np.int64) << k
        if ind.formula.uses_n:
            absent |= (self.frame.n <= 0).astype(np.int64) << len(ind.inputs)
        memo: dict[tuple, IndicatorResult] = {}
        done: list[IndicatorResult] = []
        where = where.tolist()
        for i in where:
            a = applied[i]
            role = self.roles[self.park_of[i]][j]
            k = (int(absent[i]), int(self.years[i]), self.config(i).base_year, id(a.limit), a.text)
            hit = memo.get((*k, role)) if absent[i] else None
            if hit is None:
                hit = self._evaluated(j, i)
                if absent[i]:
                    memo[(*k, role)] = hit
            done.append(hit)
        self._keep(j, where, done)

    def _reported(self, j: int, applied: list) -> None:
        """A reported indicator: the engine's own evaluation (no formula), once per cell as
        written, limit and role."""
        ind = self.inds[j]
        item, ref = ind.inputs[0]
        col = self.table.sources.get(item)
        rows = self.ref_rows[ref]
        shared: dict[tuple, IndicatorResult] = {}
        done: list[IndicatorResult] = []
        roles, park_of = self.roles, self.park_of.tolist()
        for i, r in enumerate(rows.tolist()):
            source = col[r] if col is not None and r >= 0 else None
            plain = isinstance(source, tuple)
            k = (source, id(applied[i]), roles[park_of[i]][j]) if plain else None
            hit = shared.get(k) if plain else None
            if hit is None:
                hit = self._evaluated(j, i)
                if plain:
                    shared[k] = hit
            done.append(hit)
        self._keep(j, list(range(len(self.members))), done)


def _as_key(attributes: Mapping, benchmark: object) -> tuple | None:
    """A park's attributes and benchmark as a key (types kept: 60 and 60.0 print apart), or
    None when a value is not hashable."""
    k = (
        tuple((name, type(v), v) for name, v in sorted(attributes.items())),
        type(benchmark),
        benchmark,
    )
    try:
        hash(k)
    except TypeError:
        return None
    return k


def _reads_values(req: Requirement | None) -> bool:
    """Whether the requirement tree has a node that reads the park-year's values (the sign of a
    helper); one without such a node gives the same limit for every year of a park."""
    if req is None:
        return False
    if req.by_sign_of is not None:
        return True
    return any(_reads_values(child) for child in (*req.cases.values(), req.positive, req.negative))
