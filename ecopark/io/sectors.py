"""Sector files: ``<park>/sectors/<year>.csv|xlsx``, each splitting additive items by sector.

The format is in ``docs/data-format-sectors.md``: the header ``sector,item,value,unit[,note]``,
one row per sector and item. Which items a sector file may give is declared in the item
catalogue (``items.csv``, column ``additive``); each row is checked by the validator of every
``item,value,unit`` row (:mod:`ecopark.io.rows`). What sector files explain is computed in
:mod:`ecopark.sectors`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ecopark.errors import display_path
from ecopark.io.confine import confined
from ecopark.io.park import Park
from ecopark.io.rows import validate_rows, vocabulary
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


def read_sector_file(path: Path | str, standard: Standard, year: int | None = None) -> pd.DataFrame:
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

    Returns
    -------
    pandas.DataFrame
        Columns ``year, sector, item, value, unit, note``: one row per sector and item, value
        [catalogue unit of the item, e.g. 万元, 吨标煤, 万立方米, 吨].

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
    cells = read_table(path, shown, ("sector", *YEAR_COLUMNS), (NOTE_COLUMN,), vocabulary(standard))
    additive = additive_items(standard)

    def accept(item: Item) -> str | None:
        if item.additive:
            return None
        return (
            f"'{item.name_zh}' is not an additive item; a sector file takes {', '.join(additive)}"
        )

    records = validate_rows(item_rows(cells, shown, group="sector"), standard, shown, accept)
    import pandas as pd

    return pd.DataFrame(
        [(year, r.group, r.item, r.value, r.unit, r.note) for r in records],
        columns=SECTOR_COLUMNS,
    )


def load_sectors(park: Park, year: int) -> pd.DataFrame | None:
    """The park's sector breakdown for ``year``, or None when it has no sector file.

    Returns
    -------
    pandas.DataFrame or None
        See :func:`read_sector_file` (columns ``year, sector, item, value, unit, note``).
    """
    path = sector_files(park).get(year)
    return None if path is None else read_sector_file(path, park.standard, year)


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
