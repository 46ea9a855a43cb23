"""A park folder: ``park.yaml`` and one year file of raw items per year.

The result is a :class:`Park` whose raw items form a tidy long table
(park, year, item, value, unit, note), every value in its catalogue unit. Every bad input of the
data contract stops with an :class:`~ecopark.errors.InputError` naming file, line and item. What a
year file is and how one is read: :mod:`ecopark.io.yearfile`; the rules of a row:
:mod:`ecopark.io.rows`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

from ecopark.errors import InputError, Problem, display_path
from ecopark.io.config import ParkConfig, load_config
from ecopark.io.parkview import park_html, park_text
from ecopark.io.rows import Record
from ecopark.io.yearfile import read_year_file, year_file_list, year_files
from ecopark.standard.model import Standard, load_standard

TIDY_COLUMNS = ["park", "year", "item", "value", "unit", "note"]


class Park:
    """A park folder: its configuration and its raw items by year.

    Year files are read on first use and cached. Use :func:`load_park` to make one.

    Parameters
    ----------
    path : path-like
        The park folder.
    config : ParkConfig
        Its park.yaml.
    standard : Standard
        The standard it is assessed against (one of ``config.standards``).
    files : dict of int to Path
        ``{year: year file}``.
    records : dict of int to list of Record, optional
        Raw items already validated, by year (a park not yet written, as the importer checks
        it); years given here are not read from ``files``.
    """

    def __init__(
        self,
        path: Path | str,
        config: ParkConfig,
        standard: Standard,
        files: dict[int, Path],
        records: dict[int, list[Record]] | None = None,
    ):
        self.path = Path(path)
        self.config = config
        self.standard = standard
        self.files = dict(sorted(files.items()))
        self._records: dict[int, list[Record]] = dict(records or {})

    @property
    def also(self) -> tuple[Standard, ...]:
        """The park's other standards (park.yaml ``standard:`` lists several): their items in the
        year files are ignored by this park's standard, not errors."""
        return tuple(load_standard(c) for c in self.config.standards if c != self.standard.code)

    def under(self, code: str) -> Park:
        """The same park assessed against ``code``, another of its standards (itself if it is
        this one's).

        Raises
        ------
        InputError
            If park.yaml does not name that standard (the message lists those it names).
        """
        standard = park_standard(self.config, code, self.path)
        if standard is self.standard:
            return self
        return Park(self.path, self.config, standard, self.files)

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
                    f"does not exist (nor {year}.xlsx, in any letter case); years with data in "
                    f"{display_path(self.path)}: {have}",
                )
            )
        return self.files[year]

    def records(self, year: int) -> list[Record]:
        """The validated raw items of ``year`` (reads the file on first use)."""
        if year not in self._records:
            self._records[year] = read_year_file(self.file_for(year), self.standard, self.also)
        return self._records[year]

    def values(self, year: int) -> dict[str, float | str]:
        """``{item id: value}`` for ``year`` in catalogue units; empty if the year has no file."""
        if year not in self.files:
            return {}
        return {r.item: r.value for r in self.records(year)}

    def items(self, years: list[int] | None = None) -> pd.DataFrame:
        """The raw items as a tidy long table: park, year, item, value, unit, note."""
        import pandas as pd  # not at import: `ecopark table` needs no pandas

        rows = [
            (self.id, year, r.item, r.value, r.unit, r.note)
            for year in (years or self.years)
            for r in self.records(year)
        ]
        return pd.DataFrame(rows, columns=TIDY_COLUMNS)

    def __repr__(self) -> str:
        return park_text(self)

    def _repr_html_(self) -> str:
        return park_html(self)


def load_park(park_dir: Path | str, standard: str | None = None) -> Park:
    """Open a park folder: validate ``park.yaml`` and list its year files.

    Year files are validated when first read (:meth:`Park.records`); use :func:`check_park`
    to validate everything at once.

    Parameters
    ----------
    park_dir : path-like
        The park folder.
    standard : str, optional
        The code (or id) of the standard to assess it against: one of those park.yaml's
        ``standard:`` names; default the first of them. Everything computed from the park
        (:func:`ecopark.assess` and every analysis) uses it; :meth:`Park.under` gives the park
        under another of its standards.

    Raises
    ------
    InputError
        If park.yaml is missing or invalid, a year has both a .csv and an .xlsx file, or
        ``standard`` is not one of the park's standards.
    """
    park_dir = Path(park_dir)
    config = load_config(park_dir)
    chosen = park_standard(config, standard or config.standard, park_dir)
    return Park(park_dir, config, chosen, year_files(park_dir))


def park_standard(config: ParkConfig, code: str, park_dir: Path | str) -> Standard:
    """The one of the park's standards whose code or id is ``code``.

    Raises
    ------
    InputError
        If ``code`` names no standard, or one park.yaml does not list (naming those it does).
    """
    try:
        standard = load_standard(code)
    except InputError as exc:
        raise InputError(
            Problem(
                display_path(Path(park_dir) / "park.yaml"),
                f"{'; '.join(p.message for p in exc.problems)}; this park is assessed against "
                f"{', '.join(config.standards)}",
                item="standard",
            )
        ) from None
    if standard.code not in config.standards:
        raise InputError(
            Problem(
                display_path(Path(park_dir) / "park.yaml"),
                f"the park is not assessed against {standard.code}: its standard: names "
                f"{', '.join(config.standards)} only; choose one of them, or add "
                f"{standard.code} to standard: in park.yaml",
                item="standard",
            )
        )
    return standard


def check_park(park_dir: Path | str) -> list[Problem]:
    """Validate park.yaml and every year file of a park; return every problem found."""
    try:
        park = load_park(park_dir)
    except InputError as exc:
        # park.yaml (or the folder listing) is bad; still check the year files, so that every
        # problem is listed at once
        problems = list(exc.problems)
        for _, entry in year_file_list(park_dir):
            try:
                read_year_file(entry)
            except InputError as err:
                problems.extend(p for p in err.problems if p not in problems)
        return problems
    return check_loaded(park)


def check_loaded(park: Park) -> list[Problem]:
    """Every problem of a park already loaded: each year file read and validated (then cached),
    under each of the park's standards (an item unknown to all of them reported once)."""
    problems: list[Problem] = []
    for year in park.years:
        try:
            park.records(year)
        except InputError as exc:
            problems.extend(exc.problems)
        for other in park.also:
            try:
                read_year_file(park.files[year], other, park.under(other.code).also)
            except InputError as exc:
                seen = {(p.file, p.line, p.item) for p in problems}
                problems.extend(p for p in exc.problems if (p.file, p.line, p.item) not in seen)
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
