"""Reading a filled 附表1 对照考核表 (.xlsx) back into a park folder, in four steps.

1. **Reading the workbook** (:func:`read_sheet`): the sheet laid out as
   :mod:`ecopark.tables.officetable` writes it (and as the annual reports print it), read by the
   words of the standard's ``official_table`` (:class:`Layout`): the sheet by its ``sheet_zh``,
   the header lines by ``park_line_zh`` and ``base_year_line_zh`` (templates turned into
   regexes), the header row and columns by ``columns_zh`` (and 附表2's headings and
   ``heading_aliases_zh``), the role column by ``must_zh``/``selected_zh``/``not_selected_zh``
   of each tier, the end of the table by ``notes_lead_zh``. HJ 274-2015: 园区名称,
   数据基准年为 XXXX 年, then rows of 分类, 序号, 指标, 单位, 要求, 是否选为考核指标, 数值.
2. **Mapping rows to items** (:func:`read_office_table`): each row is either an indicator (matched
   by its name, or a close variant under its 序号) or a raw item (matched by its catalogue name or
   one of its ``aliases`` in the item catalogue, with the prefix ``规划基准年`` for the base year or
   ``2018 年`` for a calendar year). Names are compared after NFKC normalisation (full-width
   characters, ``SO ₂`` = ``SO2``), without spaces and without a trailing footnote mark of the
   standard's named rules (``^a``); a 序号 is an indicator's label or id (``12``, ``C-1``).
   Each value is checked where it stands, by the rules of every ``item,value,unit`` row
   (:func:`ecopark.io.rows.check_value`), after the sheet's lenient spellings (``-``, ``/``, ``无``
   for empty; full-width digits) are read.
3. **Validating in memory** (:func:`import_office_table`): the year files and park.yaml the import
   would write are built as text and validated by the loader's own readers
   (:func:`ecopark.io.yearfile.read_year_text`, :func:`ecopark.io.config.parse_config`), with the
   existing year files they sit beside; nothing is written if anything is wrong.
4. **Writing the folder**: only then are the year files and park.yaml written, each atomically.
   Existing year files are overwritten only with ``force=True``, and then copied to
   ``<file>.bak-<timestamp>`` first.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from ecopark.errors import InputError, Problem, display_path
from ecopark.io.atomic import keep_copy, refuse_inputs, write_text
from ecopark.io.config import ParkConfig, load_config, parse_config
from ecopark.io.park import Park, park_standard
from ecopark.io.rows import Record, RowError, check_value, find_item, parse_number
from ecopark.io.units import spelling
from ecopark.io.yearfile import (
    cell_problem,
    read_xlsx_rows,
    read_year_file,
    read_year_text,
    year_files,
)
from ecopark.standard.model import (
    DEFAULT_STANDARD,
    PLACEHOLDER,
    RULES_LEAD_ZH,
    TABLE_COLUMNS,
    Attribute,
    Indicator,
    Item,
    OfficialTable,
    Standard,
    Tier,
    fill,
    id_value,
    load_standard,
)

EMPTY_WORDS = {"", "-", "—", "–", "－", "/", "无"}
#: How close (difflib ratio) a row's name must be to its 序号's indicator name to count as it.
NAME_MATCH_RATIO = 0.85
_YEAR_PREFIX = re.compile(r"^(\d{4})年")


# --------------------------------------------------------------------------------------------
# 1. Reading the workbook


def normalize(text: object) -> str:
    """A name as compared: NFKC (full width, subscripts), no whitespace, no trailing ``^a``."""
    t = unicodedata.normalize("NFKC", "" if text is None else str(text))
    return re.sub(r"\s+", "", t)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def cell_number(text: str) -> Decimal | None:
    """A number as written in a cell (``4906200``, ``"4,906,200"``, full-width digits) or None."""
    return parse_number(_number_text(text))


def _number_text(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "")


#: What a placeholder of a header line captures (normalised text); any other: some text.
_CAPTURES = {"year": r"\d{4}", "base_year": r"\d{4}"}


def line_pattern(template: str, stops: Sequence[str] = ()) -> re.Pattern[str]:
    """A header line's template (``园区名称：{park}``) as a regex over a normalised cell: the
    literal text as written (after :func:`normalize`), each placeholder a named group
    (``{year}``, ``{base_year}``: four digits; another: text, up to the last occurrence of the
    literal after it, or if none follows up to where one of ``stops``, the other header lines'
    leads, begins). A line with a text placeholder ends at a stop or at the cell's end."""
    text = normalize(template)
    found = list(PLACEHOLDER.finditer(text))
    parts, named = [], set()
    for i, m in enumerate(found):
        name = m.group(1)
        after = text[m.end() : found[i + 1].start() if i + 1 < len(found) else len(text)]
        group = _CAPTURES.get(name, ".+" if after else ".+?")
        parts.append(re.escape(text[found[i - 1].end() if i else 0 : m.start()]))
        parts.append(f"(?:{group})" if name in named else f"(?P<{name}>{group})")
        named.add(name)
    parts.append(re.escape(text[found[-1].end() if found else 0 :]))
    if any(name not in _CAPTURES for name in named):
        parts.append("(?:" + "".join(f"{re.escape(s)}|" for s in stops if s) + "$)")
    return re.compile("".join(parts))


def _lead(template: str) -> str:
    """A template's literal text before its first placeholder, without a trailing colon
    (``填报时间：{filled_on}`` -> ``填报时间``)."""
    text = normalize(template)
    m = PLACEHOLDER.search(text)
    return (text[: m.start()] if m else text).rstrip(":")


@dataclass(frozen=True)
class Layout:
    """How the importer reads one standard's 附表1: every word from its definition's
    ``official_table`` (:class:`~ecopark.standard.model.OfficialTable`), normalised.

    Attributes
    ----------
    standard : Standard
        Whose table it is.
    sheet_words : tuple of str
        The parts of ``sheet_zh`` (split at spaces) not in 附表2's sheet name: a sheet whose
        name holds one is the table (HJ 274-2015: 附表1, 对照考核表).
    headings : dict of str to tuple of str
        Column (:data:`~ecopark.standard.model.TABLE_COLUMNS`) -> the headings accepted for it,
        first match wins: ``columns_zh``, then 附表2's, then ``heading_aliases_zh``.
    park_line, base_year_line : re.Pattern
        ``park_line_zh`` and ``base_year_line_zh`` as regexes (:func:`line_pattern`).
    roles : dict of str to tuple of (str or None, str)
        A role word (``必选``; ``特色·已选``) -> ``(tier name or None, role)`` for each tier
        and role it is the word of (None: the template holds no ``{tier}``, any tier).
    note_leads : tuple of str
        A row whose first cell starts so ends the table: ``notes_lead_zh`` (without its colon)
        and the rounding rule's line (:data:`~ecopark.standard.model.RULES_LEAD_ZH`).
    notes : tuple of re.Pattern
        The definition's ``notes_zh``, as printed without a lead.
    """

    standard: Standard
    sheet_words: tuple[str, ...]
    headings: dict[str, tuple[str, ...]]
    park_line: re.Pattern[str]
    base_year_line: re.Pattern[str]
    roles: dict[str, tuple[tuple[str | None, str], ...]]
    note_leads: tuple[str, ...]
    notes: tuple[re.Pattern[str], ...]

    @classmethod
    def of(cls, standard: Standard) -> Layout:
        """The layout of ``standard``'s 附表1."""
        texts = standard.official_table
        other_sheet = normalize(texts.disclosure.sheet_zh)
        parts = [normalize(p) for p in unicodedata.normalize("NFKC", texts.sheet_zh).split()]
        words = tuple(p for p in parts if p and p not in other_sheet) or (
            normalize(texts.sheet_zh),
        )
        own = [normalize(c) for c in texts.columns_zh]
        headings: dict[str, tuple[str, ...]] = {}
        for i, column in enumerate(TABLE_COLUMNS):
            aliases = texts.heading_aliases_zh.get(texts.columns_zh[i], ())
            accepted = [normalize(texts.disclosure.columns_zh[i]), *map(normalize, aliases)]
            kept = [own[i]] + [w for w in accepted if w and w not in own]
            headings[column] = tuple(dict.fromkeys(kept))
        leads = [_lead(t) for t in (texts.park_line_zh, texts.filled_on_line_zh)]
        leads.append(_lead(texts.base_year_line_zh))
        roles: dict[str, list[tuple[str | None, str]]] = {}
        for template, role in (
            (texts.must_zh, "must"),
            (texts.selected_zh, "selected"),
            (texts.not_selected_zh, "optional"),
        ):
            for tier in standard.tiers:
                tier_name = tier.name_zh if "{tier}" in template else None
                word = normalize(fill(template, {"tier": tier.name_zh}))
                if (tier_name, role) not in roles.setdefault(word, []):
                    roles[word].append((tier_name, role))
        lead = normalize(texts.notes_lead_zh).rstrip(":")
        return cls(
            standard,
            words,
            headings,
            line_pattern(texts.park_line_zh, [w for w in leads if w != leads[0]]),
            line_pattern(texts.base_year_line_zh, leads[:2]),
            {w: tuple(r) for w, r in roles.items()},
            tuple(dict.fromkeys(x for x in (lead, RULES_LEAD_ZH) if x)),
            tuple(line_pattern(n) for n in texts.notes_zh if _lead(n)),
        )

    @property
    def texts(self) -> OfficialTable:
        """The standard's ``official_table`` texts."""
        return self.standard.official_table

    def heading(self, column: str) -> str:
        """The standard's own heading of ``column`` (``id`` -> ``序号``)."""
        return self.texts.columns_zh[TABLE_COLUMNS.index(column)]

    def names_sheet(self, title: str) -> bool:
        """Whether a sheet's name says it is this standard's 附表1."""
        name = normalize(title)
        return any(word in name for word in self.sheet_words)

    def find_header(
        self, rows: list[tuple[int, list[object]]]
    ) -> tuple[int, dict[str, int]] | None:
        """``(index in rows, column -> cell index)`` of the first row holding the id and the
        indicator headings, or None."""
        for index, (_, cells) in enumerate(rows):
            names = [normalize(c) for c in cells]
            if self.headings["id"][0] in names and any(
                n in names for n in self.headings["indicator"]
            ):
                cols: dict[str, int] = {}
                for column, words in self.headings.items():
                    for word in words:
                        if word in names:
                            cols[column] = names.index(word)
                            break
                return index, cols
        return None

    def missing(self, rows: list[tuple[int, list[object]]]) -> tuple[int, list[str]] | None:
        """The sheet row that holds most of the headings (at least two) and the standard's
        headings of the columns it lacks, or None."""
        best: tuple[int, int, list[str]] | None = None
        for line, cells in rows:
            names = {normalize(c) for c in cells}
            lacking = [
                self.heading(column)
                for column, words in self.headings.items()
                if not names.intersection(words)
            ]
            found = len(TABLE_COLUMNS) - len(lacking)
            if found >= 2 and (best is None or found > best[0]):
                best = (found, line, lacking)
        return None if best is None else (best[1], best[2])

    def header_values(self, rows: list[tuple[int, list[object]]]) -> tuple[str | None, int | None]:
        """The park's name and the base year the header lines above the table give."""
        park, base = None, None
        for _, cells in rows:
            for cell in cells:
                text = normalize(cell)
                m = self.park_line.search(text)
                if m and "park" in m.groupdict():
                    park = m.group("park")
                m = self.base_year_line.search(text)
                if m and "base_year" in m.groupdict():
                    base = int(m.group("base_year"))
        return park, base

    @staticmethod
    def _fits(entry: tuple[str | None, str], tier: Tier) -> bool:
        """Whether a role word's ``(tier name, role)`` is one of ``tier``: a word whose template
        names no tier fits every tier (HJ 274-2015's 必选, 是, 否); one that does fits its own
        tier in the role that tier has (必选 for all_pass and gate, 已选/未选 for select)."""
        name, role = entry
        return name is None or (name == tier.name_zh and (role == "must") == tier.counts_always)

    def role(self, text: str, tier: Tier) -> str | None:
        """The role (``must``, ``selected``, ``optional``) the word ``text`` gives an indicator
        of ``tier`` (the tier's own kind first where a word is of several), or None if it is no
        role word of that tier."""
        roles = [e[1] for e in self.roles.get(text, ()) if self._fits(e, tier)]
        fitting = [r for r in roles if (r == "must") == tier.counts_always]
        return (fitting or roles or [None])[0]

    def role_words(self, tier: Tier) -> list[str]:
        """The role words of ``tier`` (HJ 274-2015: 必选, 是, 否)."""
        return [w for w, entries in self.roles.items() if any(self._fits(e, tier) for e in entries)]

    def base_year_wanted(self) -> str:
        """The base-year line as it should read (``数据基准年为 XXXX 年``)."""
        return fill(self.texts.base_year_line_zh, {"base_year": "XXXX"})


@dataclass(frozen=True)
class Sheet:
    """The 附表1 sheet of a workbook, as read.

    Attributes
    ----------
    title : str
        The sheet's name.
    where : str
        File and sheet as messages name them: ``path [title]``.
    rows : list of (int, list of str)
        ``(sheet row, cells as the user sees them)`` of every row with a value.
    header : int
        Index in ``rows`` of the header row.
    columns : dict
        Column (``id``, ``indicator``, ``value``, ...;
        :data:`~ecopark.standard.model.TABLE_COLUMNS`) -> cell index.
    marks : dict
        ``(sheet row, column index) -> (kind, detail)`` of cells that are percent- or
        date-formatted, unsaved formulas or errors (:attr:`ecopark.io.yearfile.SheetRows.marks`).
    note : str
        Which sheet was read and why.
    layout : Layout or None
        The layout the sheet was read by (the target standard's, or another standard's whose
        table it is).
    """

    title: str
    where: str
    rows: list[tuple[int, list[str]]]
    header: int
    columns: dict[str, int]
    marks: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)
    note: str = ""
    layout: Layout | None = None

    def mark(self, line: int, field_name: str) -> tuple[str, str] | None:
        """The mark of the cell of ``field_name`` in sheet row ``line``, if any."""
        column = self.columns.get(field_name)
        return None if column is None else self.marks.get((line, column))


def read_sheet(
    path: Path, standard: Standard | None = None, others: Sequence[Standard] = ()
) -> Sheet:
    """The sheet of a workbook that holds ``standard``'s 附表1, read as the user sees it.

    The sheet whose name holds a part of the standard's ``sheet_zh`` (:attr:`Layout.sheet_words`:
    HJ 274-2015, 附表1 or 对照考核表), else the active sheet, never a hidden one; cells by the
    rules of every workbook ecopark reads (:func:`ecopark.io.yearfile.read_xlsx_rows`: number
    formats, merged cells, unsaved formulas, bounded size). The header row is found by the
    standard's headings (:attr:`Layout.headings`); a sheet laid out as one of ``others``' table
    is read by that layout instead (its rows are then mapped to ``standard``'s indicators).

    Raises
    ------
    InputError
        If the file is missing or unreadable, or the sheet has no header row with the id and
        indicator headings (naming the row that comes closest and the headings it lacks) or
        none for the value.
    """
    standard = standard or load_standard()
    layout = Layout.of(standard)
    texts = standard.official_table
    shown = display_path(path)
    if not path.is_file():
        raise InputError(Problem(shown, "does not exist"))
    sheet = read_xlsx_rows(path, shown, layout.names_sheet, f"named {texts.sheet_zh}")
    where = f"{shown} [{sheet.sheet}]"
    rows = sheet.rows
    used, found, note = layout, layout.find_header(rows), sheet.note
    for other in others if found is None else ():
        if (found := Layout.of(other).find_header(rows)) is not None:
            used = Layout.of(other)
            note += f"; laid out as {other.code}'s {other.official_table.sheet_zh}"
            break
    if found is None:
        columns = ", ".join(texts.columns_zh)
        named = "" if layout.names_sheet(sheet.sheet) else f"no sheet is named {texts.sheet_zh}; "
        close = layout.missing(rows)
        if close is not None:
            raise InputError(
                Problem(
                    where,
                    f"the header lacks the column {' and '.join(close[1])}; "
                    f"{standard.code}'s {texts.sheet_zh} has the columns {columns} "
                    f"({named}{sheet.note})",
                    close[0],
                )
            )
        raise InputError(
            Problem(
                where,
                f"has no header row with {layout.heading('id')} and "
                f"{layout.heading('indicator')}; {named}the table must have the "
                f"columns {columns} ({sheet.note})",
            )
        )
    header_index, cols = found
    if "value" not in cols:
        alternatives = used.headings["value"]
        also = f" (or {', '.join(alternatives[1:])})" if len(alternatives) > 1 else ""
        raise InputError(
            Problem(
                where,
                f"the header has no column {alternatives[0]}{also}",
                rows[header_index][0],
            )
        )
    return Sheet(sheet.sheet, where, rows, header_index, cols, sheet.marks, note, used)


# --------------------------------------------------------------------------------------------
# 2. Mapping rows to items


@dataclass(frozen=True)
class SheetValue:
    """One value read from the sheet, bound for a year file.

    Attributes
    ----------
    item : str
        Catalogue id.
    year : int
        Calendar year of the value (the file it goes to).
    value : str
        The value as text for the CSV (``"4906200"``, ``"达标"``).
    unit : str
        Unit as written in the sheet (empty: the catalogue unit).
    row : int
        Sheet row (1-based).
    label : str
        The row's 指标 text as written.
    """

    item: str
    year: int
    value: str
    unit: str
    row: int
    label: str


@dataclass
class OfficeTable:
    """What a filled 附表1 holds.

    Attributes
    ----------
    park_name : str or None
        From ``园区名称：…``.
    base_year : int or None
        From ``数据基准年为 2015 年``.
    values : list of SheetValue
        Every raw value (raw-item rows and directly reported indicators).
    roles : dict
        Indicator number -> ``must``/``selected``/``optional`` from 是否选为考核指标.
    printed : dict
        Indicator number -> (row, value as printed) for computed indicators (checked after import).
    sheet : str
        The sheet read.
    sheet_note : str
        Which sheet was read and why (``read sheet '附表1 对照考核表' (named 附表1 对照考核表)``).
    layout : Layout or None
        The layout the sheet was read by (:attr:`Sheet.layout`): its words name its cells.
    """

    park_name: str | None = None
    base_year: int | None = None
    values: list[SheetValue] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)
    printed: dict[str, tuple[int, str]] = field(default_factory=dict)
    sheet: str = ""
    sheet_note: str = ""
    layout: Layout | None = None


class _Matcher:
    """Maps row names to indicators and catalogue items."""

    def __init__(self, standard: Standard, layout: Layout | None = None):
        self.standard = standard
        self.layout = layout or Layout.of(standard)
        self.indicators = {normalize(i.name_zh): i for i in standard.indicators}
        #: The footnote marks of the standard's named rules (HJ 274-2015: a, b), as the official
        #: table prints them after a name (``^a``, ``ᵃ``: NFKC ``a``) and before a note.
        self.marks = sorted(
            {c.mark for i in standard.indicators for c in i.conditions if c.mark}, key=len
        )[::-1]
        #: 序号 as the official table prints it (an indicator's label, else its id) -> indicator.
        self.numbers = {normalize(i.label or i.number): i for i in standard.indicators}
        for i in standard.indicators:
            self.numbers.setdefault(normalize(i.number), i)

    def numbered(self, text: str) -> Indicator | None:
        """The indicator whose 序号 (label or id) ``text`` is (``"12"``, ``"12.0"``, ``"C-1"``)."""
        found = self.numbers.get(normalize(text))
        if found is None and (n := cell_number(text)) is not None and n.is_finite():
            if n == n.to_integral_value():
                found = self.numbers.get(str(int(n)))
        return found

    def strip_mark(self, name: str) -> str:
        """``name`` without a trailing footnote mark (``…利用率^a`` -> ``…利用率``)."""
        for mark in self.marks:
            for tail in (f"^{mark}", mark):
                if name.endswith(tail) and len(name) > len(tail):
                    return name[: -len(tail)]
        return name

    def is_note(self, text: str) -> bool:
        """Whether a row starting with ``text`` is a note under the table (led by the layout's
        ``notes_lead_zh``, a footnote ``a．…``, one of its ``notes_zh``, the rounding rule's
        line)."""
        if normalize(text).startswith(self.layout.note_leads):
            return True
        if any(p.match(normalize(text)) for p in self.layout.notes):
            return True
        return any(re.match(rf"^{re.escape(m)}[.．、]", text) for m in self.marks)

    def indicator(self, name: str) -> Indicator | None:
        """The indicator named exactly (after normalisation, footnote mark dropped)."""
        for candidate in (name, self.strip_mark(name)):
            if candidate in self.indicators:
                return self.indicators[candidate]
        return None

    def near_indicator(self, name: str, ind: Indicator | None) -> Indicator | None:
        """The indicator of the row's 序号 if ``name`` is a close variant of its name (附表1 vs
        附表2 wording)."""
        if ind is not None:
            ratio = difflib.SequenceMatcher(
                None, self.strip_mark(name), normalize(ind.name_zh)
            ).ratio()
            if ratio >= NAME_MATCH_RATIO:
                return ind
        return None

    def item(self, name: str) -> Item | None:
        """The item a row's name spells (:func:`ecopark.io.rows.find_item`), footnote mark or not."""
        for candidate in (name, self.strip_mark(name)):
            if (item := find_item(candidate, self.standard)) is not None:
                return item
        return None

    def suggest(self, name: str) -> str:
        names = [normalize(i.name_zh) for i in self.standard.items.values()]
        names += [normalize(i.name_zh) for i in self.standard.indicators]
        close = difflib.get_close_matches(name, names, n=2, cutoff=0.5)
        hint = ("; did you mean " + " or ".join(f"'{c}'" for c in close) + "?") if close else ""
        return (
            f"'{name}' is neither an indicator of {self.standard.code} nor a raw item of the catalogue"
            f"{hint} (raw items may carry the prefix {self.layout.texts.base_prefix_zh} or "
            "'2018 年')"
        )


def _either(words: Sequence[str]) -> str:
    """``a, b or c``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _numbers_text(standard: Standard) -> str:
    """An indicator's 序号 in words: ``1 … 32``, or the labels when there are few."""
    labels = [i.label or i.number for i in standard.indicators]
    return ", ".join(labels) if len(labels) <= 8 else f"{labels[0]} … {labels[-1]}"


def read_office_table(
    path: Path | str,
    year: int,
    base_year: int | None = None,
    standard: Standard | None = None,
    others: Sequence[Standard] = (),
) -> OfficeTable:
    """Read a filled 附表1 (HJ 274-2015: 对照考核表) workbook, by the words of ``standard``'s
    ``official_table`` (:class:`Layout`).

    Parameters
    ----------
    path : path-like
        The .xlsx file (the sheet named by the standard's ``sheet_zh``, HJ 274-2015's
        附表1…/…对照考核表, else the active sheet).
    year : int
        The evaluation year T: rows without a year prefix belong to it.
    base_year : int, optional
        The base year if the sheet's header lacks ``数据基准年为 XXXX 年`` (the header wins if both
        are given and agree; disagreement is a problem).
    standard : Standard, optional
        Default HJ 274-2015.
    others : sequence of Standard
        Standards whose layout is tried when the sheet lacks ``standard``'s headings: a sheet
        laid out as one of theirs is read by it, its rows mapped to ``standard``'s indicators,
        and a problem says which layout it has.

    Returns
    -------
    OfficeTable

    Raises
    ------
    InputError
        Listing every row that cannot be mapped and every bad value, each with its row number.
    """
    path = Path(path)
    standard = standard or load_standard()
    sheet = read_sheet(path, standard, others)
    where, rows, header_index, cols = sheet.where, sheet.rows, sheet.header, sheet.columns
    layout = sheet.layout or Layout.of(standard)
    words = layout.texts
    table = OfficeTable(sheet=sheet.title, sheet_note=sheet.note, layout=layout)
    problems: list[Problem] = []
    if layout.standard is not standard:
        problems.append(
            Problem(
                where,
                f"the sheet is laid out as {layout.standard.code}'s {words.sheet_zh} "
                f"({', '.join(words.columns_zh)}), not as {standard.code}'s "
                f"{standard.official_table.sheet_zh} "
                f"({', '.join(standard.official_table.columns_zh)}); if it is "
                f"{layout.standard.code}'s table, give --standard {layout.standard.code}",
                rows[header_index][0],
            )
        )
    table.park_name, table.base_year = layout.header_values(rows[:header_index])
    if base_year is not None and table.base_year is not None and base_year != table.base_year:
        problems.append(
            Problem(
                where,
                f"the header says {fill(words.base_year_line_zh, {'base_year': table.base_year})} "
                f"but the park's base year is {base_year} (park.yaml base_year or --base-year); "
                "make them agree",
            )
        )
    base = table.base_year if table.base_year is not None else base_year
    matcher = _Matcher(standard, layout)
    base_prefix = normalize(words.base_prefix_zh)  # 规划基准年 in HJ 274-2015
    heading = layout.heading

    def get(cells: list[object], name: str) -> object:
        i = cols.get(name)
        return cells[i] if i is not None and i < len(cells) else None

    numbered: Indicator | None = None  # the indicator of the last 序号 seen
    seen: dict[tuple[str, int], SheetValue] = {}
    for line, cells in rows[header_index + 1 :]:
        texts = [_cell_text(c) for c in cells]
        if not any(texts):
            continue
        first = next(t for t in texts if t)
        if matcher.is_note(first):
            break
        raw_number = _cell_text(get(cells, "id"))
        if raw_number:
            numbered = matcher.numbered(raw_number)
            if numbered is None:
                problems.append(
                    Problem(
                        where,
                        f"{heading('id')} '{raw_number}' is not an indicator of {standard.code} "
                        f"(its {heading('id')} run {_numbers_text(standard)})",
                        line,
                    )
                )
                continue
        label = _cell_text(get(cells, "indicator"))
        name = normalize(label)
        if not name:
            problems.append(
                Problem(
                    where,
                    f"the {heading('indicator')} cell is empty; every row needs an indicator "
                    "or item name",
                    line,
                )
            )
            continue
        value_text = _cell_text(get(cells, "value"))
        unit_text = _cell_text(get(cells, "unit"))
        unreadable = [
            p
            for f in ("value", "unit", "role")
            if (p := cell_problem(sheet.mark(line, f), where, line, label)) is not None
        ]
        if unreadable:
            problems += unreadable
            continue
        value_format = (sheet.mark(line, "value") or ("", ""))[0]
        ind = matcher.indicator(name)
        raw: tuple[Item, int] | None = None
        if ind is None:
            rest, target = name, year
            if rest.startswith(base_prefix):
                rest, target = rest[len(base_prefix) :], base
            elif m := _YEAR_PREFIX.match(rest):
                rest, target = rest[m.end() :], int(m.group(1))
            found_item = matcher.item(rest)
            if found_item is not None:
                if target is None:
                    problems.append(
                        Problem(
                            where,
                            f"a {words.base_prefix_zh} row, but the base year is unknown: the "
                            f"header needs {layout.base_year_wanted()} (or give --base-year)",
                            line,
                            label,
                        )
                    )
                    continue
                raw = (found_item, target)
            else:
                ind = matcher.near_indicator(name, numbered)
        if ind is not None:
            role_text = normalize(get(cells, "role"))
            tier = standard.tier_of(ind)
            role = layout.role(role_text, tier)
            if role is not None:
                table.roles[ind.number] = role
            elif role_text not in EMPTY_WORDS:
                allowed = layout.role_words(tier)
                of_tier = (
                    ""
                    if allowed == list(layout.roles)
                    else f" (indicator {ind.label or ind.number} is of the tier {tier.name_zh})"
                )
                problems.append(
                    Problem(
                        where,
                        f"{heading('role')} '{role_text}' must be {_either(allowed)}{of_tier}",
                        line,
                        label,
                    )
                )
            if not ind.reported:
                if value_text:
                    table.printed[ind.number] = (line, value_text)
                continue
            item_id, target, unit_text = ind.inputs[0][0], year, ""
        elif raw is not None:
            item_id, target = raw[0].id, raw[1]
        else:
            problems.append(Problem(where, matcher.suggest(name), line, label))
            continue
        item = standard.items[item_id]
        try:
            checked = sheet_value(item, value_text, unit_text, value_format)
        except RowError as exc:
            problems.append(Problem(where, str(exc), line, label))
            continue
        if checked is None:
            continue
        value, unit = checked
        sv = SheetValue(item_id, target, value, unit, line, label)
        previous = seen.get((item_id, target))
        if previous is not None:
            if (previous.value, previous.unit) != (sv.value, sv.unit):
                problems.append(
                    Problem(
                        where,
                        f"gives {value} {unit} but row {previous.row} gave "
                        f"{previous.value} {previous.unit} for the same item and year "
                        f"({item.name_zh}, {target}); keep one value",
                        line,
                        label,
                    )
                )
            continue
        seen[(item_id, target)] = sv
        table.values.append(sv)
    if problems:
        raise InputError(problems)
    return table


def sheet_value(
    item: Item, text: str, unit_text: str, cell_format: str = ""
) -> tuple[str, str] | None:
    """``(value as CSV text, unit)`` of a sheet's 数值 and 单位 cells, or None for an empty value.

    The sheet's spellings are read first: ``-``, ``—``, ``/``, ``无`` mean empty; numbers and
    words are NFKC-normalised (full-width digits), spaces dropped; an empty unit cell means the
    catalogue unit, and a status takes none whatever the cell says. Then the value is checked by
    the rules of every row (:func:`ecopark.io.rows.check_value`), with the cell's number format
    (``cell_format``: a percent-formatted cell holds the percentage it shows).

    Raises
    ------
    RowError
        If the value breaks a rule.
    """
    if normalize(text) in EMPTY_WORDS:
        return None
    if item.kind == "status":
        word = normalize(text)
        check_value(item, word, "")
        return word, ""
    unit = _unit_spelling(item, unit_text)
    checked = check_value(item, _number_text(text), unit, cell_format)
    return format(checked.number, "f"), unit


def _unit_spelling(item: Item, unit_text: str) -> str:
    """The unit cell as the catalogue spells it: the catalogue unit if empty, else as written."""
    if normalize(unit_text) in EMPTY_WORDS:
        return item.unit
    return spelling(unit_text, item.dimension) or unit_text.strip()


# --------------------------------------------------------------------------------------------
# 3. The folder the import would write, validated in memory


@dataclass
class ImportResult:
    """What :func:`import_office_table` wrote.

    Attributes
    ----------
    written : list of Path
        Year files and park.yaml written.
    backups : list of Path
        Copies of the files overwritten (``--force``).
    selected_optional : list of str or None
        The selection written to park.yaml (None: the sheet had none).
    warnings : list of str
        Sheet values that differ from what ecopark computes from the imported data, and the like.
    sheet_note : str
        Which sheet of the workbook was read and why.
    """

    written: list[Path] = field(default_factory=list)
    backups: list[Path] = field(default_factory=list)
    selected_optional: list[str] | None = None
    warnings: list[str] = field(default_factory=list)
    sheet_note: str = ""


def _csv_text(rows: list[tuple[str, str, str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["item", "value", "unit", "note"])
    writer.writerows(rows)
    return buf.getvalue()


def _year_rows(
    values: list[SheetValue],
    existing: Path | None,
    source: str,
    standards: Sequence[Standard],
    sheet: str,
) -> list[tuple[str, str, str, str]]:
    """The rows of a year file: the sheet's values over the existing file's rows of every one of
    the park's ``standards`` (the first the imported one), in their catalogues' order."""
    order: dict[str, int] = {}
    for std in standards:
        for item in std.items:
            order.setdefault(item, len(order))
    rows: dict[str, tuple[str, str, str, str]] = {}
    for std in standards if existing is not None else ():
        others = [o for o in standards if o is not std]
        for rec in read_year_file(existing, std, others):
            rows.setdefault(
                rec.item, (rec.item, rec.value_as_written, rec.unit_as_written, rec.note)
            )
    for v in values:
        rows[v.item] = (v.item, v.value, v.unit, f"{source} {sheet} 第 {v.row} 行 {v.label}")
    return [rows[k] for k in sorted(rows, key=lambda i: order.get(i, len(order)))]


def _park_yaml_text(
    existing: str | None,
    *,
    park_id: str,
    name: str,
    standard: str,
    base_year: int,
    attributes: Mapping[str, Any],
    selected: list[str] | dict[str, list[str]] | None,
    source: str,
) -> str:
    """park.yaml: a new one, or the existing text with ``selected_optional`` replaced and the
    attributes it lacks added (other keys and comments kept).

    ``selected`` is the list of ids, or (a park of several standards) the mapping standard code
    -> ids; ``attributes`` the park attributes to write (a new park.yaml: every one with a value;
    an existing one: those it does not set yet).
    """
    if existing is None:
        data = {
            "id": park_id,
            "name": name,
            "standard": standard,
            "base_year": base_year,
            **attributes,
            "selected_optional": _ids(selected or []),
            "source": source,
        }
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None)
        return "# Written by `ecopark import-table`.\n" + text
    text = existing
    if attributes:
        added = yaml.safe_dump(dict(attributes), allow_unicode=True, sort_keys=False)
        text = text.rstrip("\n") + "\n" + added
    return text if selected is None else _with_selection(text, selected)


def _ids(selected: list[str] | dict[str, list[str]]) -> list[Any] | dict[str, list[Any]]:
    """The ids as park.yaml writes them (HJ 274-2015's as numbers)."""
    if isinstance(selected, dict):
        return {code: [id_value(n) for n in ids] for code, ids in selected.items()}
    return [id_value(n) for n in selected]


def _with_selection(text: str, selected: list[str] | dict[str, list[str]]) -> str:
    """``text`` with its ``selected_optional`` (a flow or block list or mapping) replaced by
    ``selected``; the comment on its line kept."""
    block = yaml.safe_dump(
        {"selected_optional": _ids(selected)},
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=None,
    ).splitlines()
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^selected_optional\s*:(.*)$", line)
        if not m:
            continue
        rest = m.group(1)
        if "#" in rest:
            block[0] += "   " + rest[rest.index("#") :]
        end = i + 1
        if rest.split("#")[0].strip() == "":  # a block list or mapping below
            while end < len(lines) and re.match(r"^(\s+\S|-\s)", lines[end]):
                end += 1
        lines[i:end] = block
        return "\n".join(lines) + "\n"
    return text.rstrip("\n") + "\n" + "\n".join(block) + "\n"


def attribute_values(given: Mapping[str, object], standard: Standard) -> dict[str, Any]:
    """Park attributes given on the command line (``--attribute KEY=VALUE``), checked against
    the attributes ``standard`` declares and read as their type.

    Parameters
    ----------
    given : mapping of str to object
        Attribute name -> value; text is read as the attribute's type (``0.72`` a number,
        ``true``/``false`` a boolean, a choice as written).
    standard : Standard
        Whose ``attributes:`` declare them.

    Returns
    -------
    dict
        Name -> value, in ``given``'s order.

    Raises
    ------
    InputError
        Every unknown name (with the attributes the standard declares and their allowed values)
        and every value not allowed (with the choices), each named ``--attribute NAME``.
    """
    declared = standard.attributes
    problems: list[Problem] = []
    out: dict[str, Any] = {}
    for name, raw in given.items():
        attr = declared.get(name)
        if attr is None:
            close = difflib.get_close_matches(name, list(declared), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            listed = "; ".join(
                f"{a.name} ({a.label_zh}): {a.allowed_text}" for a in declared.values()
            )
            known = f"it declares {listed}" if declared else "it declares no park attributes"
            problems.append(
                Problem(
                    f"--attribute {name}",
                    f"{standard.code} declares no park attribute '{name}'; {hint}{known}",
                )
            )
            continue
        value = _typed(attr, raw)
        why = attr.problem(value)
        if why is not None:
            problems.append(Problem(f"--attribute {name}", why))
            continue
        out[name] = value
    if problems:
        raise InputError(problems)
    return out


def _typed(attr: Attribute, raw: object) -> object:
    """A value given as text read as ``attr``'s type (left as text when it is not one, so that
    :meth:`Attribute.problem` says what is allowed)."""
    if not isinstance(raw, str) or attr.type == "choice":
        return raw
    text = raw.strip()
    if attr.type == "boolean":
        return {"true": True, "false": False}.get(text.casefold(), raw)
    number = parse_number(text)
    if number is None or not number.is_finite():
        return raw
    if attr.type == "integer" and number == number.to_integral_value():
        return int(number)
    return float(number)


def _yaml_attributes(
    attributes: Mapping[str, Any],
    standard: Standard,
    config: ParkConfig | None,
    existing: str | None,
    shown: str,
) -> dict[str, Any]:
    """The attributes to write into park.yaml: for a new one every attribute ``standard``
    declares with a value (given, else its default), in the definition's order; for an existing
    one those given that it does not set yet.

    Raises
    ------
    InputError
        If an existing park.yaml sets an attribute to another value than the one given.
    """
    if config is None or existing is None:
        return {
            name: attributes.get(name, attr.default)
            for name, attr in standard.attributes.items()
            if attributes.get(name, attr.default) is not None
        }
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, value in attributes.items():
        if re.search(rf"^{re.escape(name)}\s*:", existing, re.M) is None:
            out[name] = value
        elif config.attributes.get(name) != value:
            problems.append(
                Problem(
                    shown,
                    f"{name} is {config.attributes.get(name)} in park.yaml but --attribute "
                    f"{name}={value} was given; change park.yaml or drop the option",
                    item=name,
                )
            )
    if problems:
        raise InputError(problems)
    return out


def _selection_to_write(
    selected: list[str] | None, standard: Standard, config: ParkConfig | None
) -> list[str] | dict[str, list[str]] | None:
    """The ``selected_optional`` to write: the list, or for a park of several standards (or one
    whose park.yaml maps standards to ids) the mapping with the imported standard's ids
    replaced and the other standards' kept."""
    if selected is None or config is None:
        return selected
    if len(config.standards) == 1 and not config.selected_by_standard:
        return selected
    out: dict[str, list[str]] = {}
    for code in config.standards:
        if code == standard.code:
            out[code] = selected
            continue
        optional = set(load_standard(code).optional_numbers)
        out[code] = [n for n in config.selected_for(code) if n in optional]
    return out


def import_office_table(
    path: Path | str,
    park_dir: Path | str,
    year: int,
    *,
    force: bool = False,
    base_year: int | None = None,
    standard: str | None = None,
    attributes: Mapping[str, object] | None = None,
    now: dt.datetime | None = None,
) -> ImportResult:
    """Import a filled 附表1 对照考核表 into a park folder.

    Writes ``<year>.csv`` (the evaluation year), the files of the other years the sheet gives
    values for (规划基准年… -> the base year, ``2018 年…`` -> 2018), and park.yaml (created if
    missing; otherwise only ``selected_optional`` is replaced and attributes it lacks added,
    other keys and comments kept). Items of an existing year file that the sheet does not give
    are kept, those of the park's other standards too.

    Parameters
    ----------
    path : path-like
        The workbook.
    park_dir : path-like
        The park folder (created if missing; its name is the park id).
    year : int
        The evaluation year T.
    force : bool
        Overwrite existing year files, keeping a copy ``<file>.bak-<YYYYmmdd-HHMMSS>`` of each.
    base_year : int, optional
        For a new park.yaml when the sheet's header lacks 数据基准年.
    standard : str, optional
        The code of the standard the sheet is read against: for a new park.yaml, its
        ``standard:`` (default HJ 274-2015); for an existing one, one of the standards it names
        (default its first).
    attributes : mapping of str to object, optional
        Park attributes the standard declares (``water_region``, ``park_type``, ...), each
        checked against its declaration (:func:`attribute_values`; text is read as the
        attribute's type). A new park.yaml gets them (the others at their defaults); an
        existing one gets those it does not set, and one it sets otherwise is a problem.
    now : datetime, optional
        Timestamp of backups (default: now).

    Returns
    -------
    ImportResult

    Raises
    ------
    InputError
        Unmapped rows, bad values (each with its row), an unknown standard or attribute or a
        value it does not allow, existing files without ``force``, a year with two files, or a
        folder that would not load. Nothing is written then.
    """
    path, park_dir = Path(path), Path(park_dir)
    where = display_path(path)
    yaml_path = park_dir / "park.yaml"
    config = load_config(park_dir) if yaml_path.is_file() else None  # bad park.yaml: InputError
    existing_yaml = yaml_path.read_text(encoding="utf-8-sig") if config is not None else None
    if config is not None:
        std = park_standard(config, standard or config.standard, park_dir)
    else:
        try:
            std = load_standard(standard or DEFAULT_STANDARD)
        except InputError as exc:
            raise InputError([Problem("--standard", p.message) for p in exc.problems]) from None
    given = attribute_values(attributes or {}, std)
    to_write = _yaml_attributes(given, std, config, existing_yaml, display_path(yaml_path))
    if config is not None and base_year is not None and base_year != config.base_year:
        raise InputError(
            Problem(
                display_path(yaml_path),
                f"base_year is {config.base_year} but --base-year {base_year} was given; drop one",
                item="base_year",
            )
        )
    others = [
        load_standard(c)
        for c in dict.fromkeys([*(config.standards if config else ()), DEFAULT_STANDARD])
        if c != std.code
    ]
    table = read_office_table(path, year, config.base_year if config else base_year, std, others)
    words = (table.layout or Layout.of(std)).texts
    where = f"{where} [{table.sheet}]"
    eff_base = config.base_year if config else (table.base_year or base_year)
    selected = _selection(table, std, eff_base, where)

    by_year: dict[int, list[SheetValue]] = {}
    for v in table.values:
        by_year.setdefault(v.year, []).append(v)
    existing_files = year_files(park_dir)
    clash = [existing_files[y] for y in sorted(by_year) if y in existing_files]
    if clash and not force:
        raise InputError(
            [
                Problem(
                    display_path(p),
                    "exists; the import would overwrite it. Give --force to "
                    "overwrite (a copy is kept as .bak-<timestamp>), or import into another folder",
                )
                for p in clash
            ]
        )
    source = path.name
    standards = [
        std,
        *(load_standard(c) for c in (config.standards if config else ()) if c != std.code),
    ]
    texts = {
        y: _csv_text(_year_rows(values, existing_files.get(y), source, standards, table.sheet))
        for y, values in sorted(by_year.items())
    }
    park_id = park_dir.resolve().name
    yaml_text = _park_yaml_text(
        existing_yaml,
        park_id=park_id,
        name=table.park_name or park_id,
        standard=std.code,
        base_year=int(eff_base),
        attributes=to_write,
        selected=_selection_to_write(selected, std, config),
        source=f"imported from {source} ({table.sheet})",
    )
    result = ImportResult(selected_optional=selected, sheet_note=table.sheet_note)
    if table.park_name is None and existing_yaml is None:
        result.warnings.append(
            f"the sheet has no {_lead(words.park_line_zh)}; park.yaml name set to '{park_id}'"
        )
    park = _validated_park(park_dir, yaml_text, texts, existing_files, std.code)
    result.warnings += _printed_differences(park, year, table)
    refuse_inputs([park_dir / f"{y}.csv" for y in texts] + [yaml_path], [path], "import elsewhere")
    _write(park_dir, texts, yaml_text, existing_yaml, existing_files, now, result)
    return result


def _selection(
    table: OfficeTable, standard: Standard, base_year: int | None, where: str
) -> list[str] | None:
    """The optional indicators the sheet selects (None: it marks none), or every problem raised."""
    problems: list[Problem] = []
    layout = table.layout or Layout.of(standard)
    if base_year is None:
        problems.append(
            Problem(
                where,
                f"the header lacks {layout.base_year_wanted()} and the folder "
                "has no park.yaml; give --base-year",
            )
        )
    if not table.values:
        problems.append(
            Problem(
                where,
                f"no values found under the header; fill the {layout.heading('value')} column",
            )
        )
    selected = None
    optional = standard.optional_numbers
    if any(n in optional for n in table.roles):
        selected = [n for n in optional if table.roles.get(n) == "selected"]
    for n, role in sorted(table.roles.items()):
        if role == "must" and n in optional:
            tier = standard.tier_of(standard.indicator(n))
            problems.append(
                Problem(
                    where,
                    f"indicator {n} is optional in {standard.code}, not "
                    f"{layout.texts.role_zh(tier, 'must')}; write "
                    f"{layout.texts.role_zh(tier, 'selected')} or "
                    f"{layout.texts.role_zh(tier, 'optional')}",
                )
            )
    if problems:
        raise InputError(problems)
    return selected


def _validated_park(
    park_dir: Path, yaml_text: str, texts: dict[int, str], existing: dict[int, Path], code: str
) -> Park:
    """The park the import would produce, validated in memory by the loader's own readers, as
    assessed against the standard ``code`` (one of those its park.yaml names).

    ``texts`` are the year files to write (``{year: csv text}``); the other ``existing`` year
    files stay and are validated as they are.

    Raises
    ------
    InputError
        With every problem of park.yaml and of each year file, named as the written files.
    """
    problems: list[Problem] = []
    config = None
    try:
        config = parse_config(yaml_text, park_dir, display_path(park_dir / "park.yaml"))
    except InputError as exc:
        problems += exc.problems
    standard = load_standard(code)
    also = tuple(load_standard(c) for c in (config.standards if config else ()) if c != code)
    files = {**existing, **{y: park_dir / f"{y}.csv" for y in texts}}
    records: dict[int, list[Record]] = {}
    for y, target in sorted(files.items()):
        try:
            records[y] = (
                read_year_text(texts[y], display_path(target), standard, also)
                if y in texts
                else read_year_file(target, standard, also)
            )
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return Park(park_dir, config, standard, files, records)


def _printed_differences(park: Park, year: int, table: OfficeTable) -> list[str]:
    """Warnings for computed indicators the sheet prints otherwise than ecopark computes them."""
    if year not in park.files:
        return []
    from ecopark.engine import assess

    a = assess(park, year)
    out = []
    for number, (row, printed) in sorted(table.printed.items()):
        got = a.result(number).display
        want = cell_number(printed)
        if got == "" or want is None or Decimal(got) != want:
            out.append(
                f"row {row}: indicator {number} is printed as {printed} in the sheet but ecopark "
                f"computes {got or 'nothing (' + a.result(number).reason_zh + ')'} from the imported data"
            )
    return out


# --------------------------------------------------------------------------------------------
# 4. Writing the folder


def _write(
    park_dir: Path,
    texts: dict[int, str],
    yaml_text: str,
    existing_yaml: str | None,
    existing: dict[int, Path],
    now: dt.datetime | None,
    result: ImportResult,
) -> None:
    """Write the validated year files and park.yaml, each atomically, keeping copies of old files.

    An old year file of another name (``2021.xlsx``, ``2021.CSV``) is moved aside, so that the
    year keeps one file.
    """
    for y, text in texts.items():
        target = park_dir / f"{y}.csv"
        old = existing.get(y)
        if old is not None:
            result.backups.append(keep_copy(old, move=old.name != target.name, now=now))
        write_text(target, text, encoding="utf-8-sig")  # a year file opens in Excel
        result.written.append(target)
    if yaml_text != existing_yaml:
        write_text(park_dir / "park.yaml", yaml_text)
        result.written.append(park_dir / "park.yaml")
