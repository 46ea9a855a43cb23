"""Sector files: ``<park>/sectors/<year>.csv|xlsx``, each splitting additive items by sector.

The format is in ``docs/data-format-sectors.md``: the header ``sector,item,value,unit[,note]``,
one row per sector and item. Which items a sector file may give is declared in the item
catalogue (``items.csv``, column ``additive``); each row is checked by the validator of every
``item,value,unit`` row (:mod:`ecopark.io.rows`). What sector files explain is computed in
:mod:`ecopark.sectors`.

In the folder of a park that names several standards, a sector file may give the additive items
of any of them: a row whose item is additive in another of the park's standards but not in the
one read is left to that one (ignored here); an item additive in none of them is an error (an
item none of the catalogues knows, with the closest names of every catalogue as a hint).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ecopark.errors import display_path
from ecopark.io.confine import confined
from ecopark.io.park import Park
from ecopark.io.rows import Row, find_item, validate_rows, vocabulary
from ecopark.io.yearfile import (
    NOTE_COLUMN,
    YEAR_COLUMNS,
    item_rows,
    read_table,
    year_file_list,
    year_of,
)
from ecopark.standard.model import Item, Standard

if TYPE_CHECKING:  # pandas loads when a sector file is read (`ecopark table` needs none)
    import pandas as pd

#: The folder under the park folder that holds the sector files.
SECTOR_DIR = "sectors"
#: The columns of :func:`read_sector_file`'s table.
SECTOR_COLUMNS = ["year", "sector", "item", "value", "unit", "note"]


def additive_items(standard: Standard) -> tuple[str, ...]:
    """The ids of the items a sector file may give, in their catalogue order of ``additive``.

    HJ 274-2015: ``value_added, industrial_output, energy, fresh_water, solid_waste_generated,
    wastewater, co2, cod, ammonia_nitrogen, so2, nox``.
    """
    ranked = [it for it in standard.items.values() if it.additive]
    return tuple(it.id for it in sorted(ranked, key=lambda it: it.additive))


def sector_files(park: Park) -> dict[int, Path]:
    """``{year: path}`` of the park's sector files (``<park>/sectors/<year>.csv|xlsx``).

    Year files by the rule of :mod:`ecopark.io.yearfile`; of two files of one year, the first by
    name counts.
    """
    out: dict[int, Path] = {}
    for year, path in year_file_list(park.path / SECTOR_DIR):
        out.setdefault(year, path)
    return out


def read_sector_file(
    path: Path | str,
    standard: Standard,
    year: int | None = None,
    also: Sequence[Standard] = (),
) -> pd.DataFrame:
    """Read and validate one sector file.

    Parameters
    ----------
    path : path-like
        ``sectors/<year>.csv`` (UTF-8 or GB18030) or ``.xlsx`` with the header
        ``sector,item,value,unit[,note]``.
    standard : Standard
        Whose item catalogue and units to use.
    year : int, optional
        Stored in the ``year`` column (default: from the file name, else 0).
    also : sequence of Standard
        The park's other standards (:attr:`Park.also`): a row of an item additive in one of them
        but not in ``standard`` is left to that one; the hint for an unknown item draws on their
        catalogues too.

    Returns
    -------
    pandas.DataFrame
        Columns ``year, sector, item, value, unit, note``: one row per sector and item of
        ``standard``, value [catalogue unit of the item, e.g. 万元, 吨标煤, 万立方米, 吨].

    Raises
    ------
    InputError
        With every problem found (an empty sector, an unknown or non-additive item, a sector and
        item twice, a bad value or unit, a missing header), in line order.
    """
    path = Path(path)
    if year is None:
        year = year_of(path) or 0
    shown = display_path(path)
    confined(path, path.parent.parent, shown)  # <park>/sectors/<year>.csv stays in <park>
    words = vocabulary(standard, also)
    cells = read_table(path, shown, ("sector", *YEAR_COLUMNS), (NOTE_COLUMN,), words)
    takes = _additive_text(standard, also)

    def accept(item: Item) -> str | None:
        if item.additive:
            return None
        return f"'{item.name_zh}' is not an additive item; a sector file takes {takes}"

    rows = _own_rows(item_rows(cells, shown, group="sector"), standard, also, takes)
    records = validate_rows(rows, standard, shown, accept, also)
    import pandas as pd

    return pd.DataFrame(
        [(year, r.group, r.item, r.value, r.unit, r.note) for r in records],
        columns=SECTOR_COLUMNS,
    )


def _additive_text(standard: Standard, also: Sequence[Standard]) -> str:
    """The additive items a sector file takes, in words: ``standard``'s, then (with their code)
    those only another of the park's standards adds."""
    own = additive_items(standard)
    text = ", ".join(own)
    for other in also:
        extra = [i for i in additive_items(other) if i not in own]
        if extra:
            text += f" (and for {other.code}: {', '.join(extra)})"
    return text


def _own_rows(
    rows: Iterable[Row], standard: Standard, also: Sequence[Standard], takes: str
) -> Iterator[Row]:
    """The rows ``standard`` reads: a row whose item another of the park's standards adds up (and
    ``standard`` does not) is left out; one whose item only another standard knows, and adds up
    in none, carries why (it is not additive)."""
    for row in rows:
        if not also or row.error:
            yield row
            continue
        own = find_item(row.item, standard)
        if own is not None and own.additive:
            yield row
            continue
        others = [it for std in also if (it := find_item(row.item, std)) is not None]
        if any(it.additive for it in others):
            continue  # another of the park's standards reads it
        if own is None and others:
            why = f"'{others[0].name_zh}' is not an additive item; a sector file takes {takes}"
            yield dataclasses.replace(row, error=why)
            continue
        yield row


def load_sectors(park: Park, year: int) -> pd.DataFrame | None:
    """The park's sector breakdown for ``year``, or None when it has no sector file.

    Returns
    -------
    pandas.DataFrame or None
        See :func:`read_sector_file` (columns ``year, sector, item, value, unit, note``).
    """
    path = sector_files(park).get(year)
    return None if path is None else read_sector_file(path, park.standard, year, park.also)


def sector_table(park: Park, year: int) -> pd.DataFrame | None:
    """The breakdown as a wide table: one row per sector, one column per item [catalogue units]."""
    long = load_sectors(park, year)
    if long is None:
        return None
    wide = long.pivot(index="sector", columns="item", values="value")
    present = set(long["item"])
    return wide.reindex(
        index=list(dict.fromkeys(long["sector"])),
        columns=[i for i in additive_items(park.standard) if i in present],
    )
