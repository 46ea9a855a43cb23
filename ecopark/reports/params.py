"""Params files: one YAML per park-year that ``ecopark run`` executes the notebooks for.

A params file names a park-year and where its data is::

    # params/nantong-etdz-2021.yaml
    park_id: nantong-etdz
    year: 2021
    data_dir: data           # found from this file's folder upward (reports.datadir); default data
    standard: HJ 274-2015    # optional: one of the park's standards (park.yaml standard:);
                             # default the first it lists

The keys are the notebooks' parameters (ASCII only: papermill escapes non-ASCII strings). A
``standard`` is checked against the park's park.yaml and the definitions found
(:mod:`ecopark.standard.registry`: the package's, ``ECOPARK_STANDARDS``, ``--standards DIR``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from ecopark.errors import InputError, Problem, display_path
from ecopark.io.confine import data_dir_problem, park_id_problem
from ecopark.io.park import check_park
from ecopark.io.yamlfile import YamlSyntaxError, load_yaml
from ecopark.io.yearfile import year_files
from ecopark.reports.datadir import find_data_dir

KEYS = ("park_id", "year", "data_dir", "standard")
REQUIRED = ("park_id", "year")
DEFAULT_DATA_DIR = "data"


class ParamsError(Exception):
    """A params file or a requested park-year that cannot be run; the message says why."""


@dataclass(frozen=True)
class ParkYear:
    """One park-year to report on.

    Attributes
    ----------
    park_id : str
        The park folder's name under ``data_dir``.
    year : int
        The evaluation year.
    data_dir : Path
        The folder holding the park folders (absolute).
    source : str
        Where the request came from (a params file, or ``--park``).
    standard : str, optional
        The code of the standard the reports assess the park against (one of park.yaml's
        ``standard:``, checked by :func:`check_standard`); None: the first park.yaml lists.
    """

    park_id: str
    year: int
    data_dir: Path
    source: str = ""
    standard: str | None = None

    @property
    def park_dir(self) -> Path:
        """The park's data folder."""
        return self.data_dir / self.park_id

    def parameters(self) -> dict[str, object]:
        """The notebook parameters: park_id, year, data_dir, and standard when one is chosen."""
        out: dict[str, object] = {
            "park_id": self.park_id,
            "year": self.year,
            "data_dir": str(self.data_dir),
        }
        if self.standard is not None:
            out["standard"] = self.standard
        return out


def check_standard(park_dir: Path, standard: object, shown: str) -> str:
    """The code of ``standard``, one of the park's standards; raise :class:`ParamsError` if not.

    Parameters
    ----------
    park_dir : Path
        The park folder (its park.yaml lists the standards it is assessed against).
    standard : object
        A code or id as given (``HJ 274-2015``, ``hj274-2015``; case and spaces ignored).
    shown : str
        Where it was given (a params file, ``--standard``), for the message.

    Raises
    ------
    ParamsError
        If ``standard`` is not text, park.yaml is invalid, no definition has that code (the
        message lists the known codes) or park.yaml does not list it (naming those it does).
    """
    from ecopark.io.config import load_config
    from ecopark.io.park import park_standard

    if not isinstance(standard, str) or not standard.strip():
        raise ParamsError(
            f"{shown}: standard must be a standard's code such as 'HJ 274-2015' "
            f"(one of park.yaml's standard:), got {standard!r}"
        )
    try:
        return park_standard(load_config(park_dir), standard, park_dir).code
    except InputError as exc:
        raise ParamsError(f"{shown}: " + "; ".join(map(str, exc.problems))) from None


def check_park_year(
    park_id: str, year: int, data_dir: Path, shown: str, *, validate: bool = True
) -> None:
    """Raise :class:`ParamsError` unless ``data_dir/park_id`` is a valid park with a file for ``year``.

    Year files by the rule of :mod:`ecopark.io.yearfile`; with ``validate``, the park's files are
    validated as ``ecopark check`` does (:func:`ecopark.io.park.check_park`), so that ``ecopark
    run`` stops on bad input with the same messages before any notebook runs. The batch passes
    ``validate=False`` and validates each park once, when it loads it (:func:`bad_input`).
    """
    park_dir = data_dir / park_id
    if not data_dir.is_dir():
        raise ParamsError(f"{shown}: data folder {display_path(data_dir)} does not exist")
    if not (park_dir / "park.yaml").is_file():
        parks = sorted(p.name for p in data_dir.iterdir() if (p / "park.yaml").is_file())
        close = difflib.get_close_matches(park_id, parks, n=1)
        hint = (
            f" (did you mean {close[0]!r}?)"
            if close
            else f" (parks there: {', '.join(parks) or 'none'})"
        )
        raise ParamsError(f"{shown}: park {park_id!r} not found in {display_path(data_dir)}{hint}")
    try:
        years = sorted(year_files(park_dir))
    except InputError as exc:
        raise ParamsError(f"{shown}: " + "; ".join(map(str, exc.problems))) from None
    if year not in years:
        raise ParamsError(
            f"{shown}: no data file for {year} in {display_path(park_dir)} "
            f"(years there: {', '.join(map(str, years)) or 'none'})"
        )
    if validate:
        error = bad_input(shown, park_dir, check_park(park_dir))
        if error is not None:
            raise error


def bad_input(shown: str, park_dir: Path, problems: list[Problem]) -> ParamsError | None:
    """The error for a park whose files have problems (warnings aside), or None."""
    errors = [p for p in problems if not p.message.startswith("warning:")]
    if not errors:
        return None
    return ParamsError(
        f"{shown}: {display_path(park_dir)} has bad input (see `ecopark check`):\n"
        + "\n".join(f"  {p}" for p in errors)
    )


def load_params(path: Path | str, *, validate: bool = True) -> ParkYear:
    """Read and validate one params file.

    Raises
    ------
    ParamsError
        With a message naming the file and what is wrong: not YAML (or YAML with a key twice, an
        anchor or an alias: :func:`ecopark.io.yamlfile.load_yaml`), not a mapping, a missing or
        unknown key, a year that is not an integer, a park or year file that does not exist (year
        files by the rule of :mod:`ecopark.io.yearfile`), a standard the park is not assessed
        against (:func:`check_standard`).
    """
    path = Path(path)
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ParamsError(f"{shown}: params file not found") from None
    except UnicodeDecodeError:
        raise ParamsError(f"{shown}: not UTF-8 text; a params file is YAML") from None
    except OSError as exc:
        raise ParamsError(f"{shown}: cannot read ({exc.strerror})") from None
    try:
        data, _ = load_yaml(text, shown)
    except YamlSyntaxError as exc:
        where = f" (line {exc.line})" if exc.line is not None else ""
        raise ParamsError(f"{shown}: not valid YAML{where}: {exc.what}") from None
    except InputError as exc:
        raise ParamsError("; ".join(map(str, exc.problems))) from None
    if not isinstance(data, dict):
        raise ParamsError(
            f"{shown}: expected keys {', '.join(KEYS)} (e.g. 'park_id: nantong-etdz'), "
            f"got {type(data).__name__}"
        )
    problems = []
    for key in data:
        if key not in KEYS:
            close = difflib.get_close_matches(str(key), KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(f"unknown key {key!r} (allowed: {', '.join(KEYS)}){hint}")
    for key in REQUIRED:
        if key not in data:
            problems.append(f"missing key {key!r}")
    park_id = data.get("park_id")
    if "park_id" in data and (not isinstance(park_id, str) or not park_id.strip()):
        problems.append(
            f"park_id must be the park folder's name, e.g. nantong-etdz; got {park_id!r}"
        )
    elif isinstance(park_id, str) and park_id_problem(park_id):
        problems.append(park_id_problem(park_id))
    year = data.get("year")
    if "year" in data and (isinstance(year, bool) or not isinstance(year, int)):
        problems.append(f"year must be an integer such as 2021, got {year!r}")
    data_dir = data.get("data_dir", DEFAULT_DATA_DIR)
    if not isinstance(data_dir, str) or not data_dir.strip():
        problems.append(f"data_dir must be a folder path, got {data_dir!r}")
    elif data_dir_problem(data_dir):
        problems.append(data_dir_problem(data_dir))
    standard = data.get("standard")
    if standard is not None and (not isinstance(standard, str) or not standard.strip()):
        problems.append(
            f"standard must be a standard's code such as 'HJ 274-2015' (one of park.yaml's "
            f"standard:), got {standard!r}"
        )
    if problems:
        raise ParamsError(f"{shown}: " + "; ".join(problems))
    folder = find_data_dir(data_dir, path.parent, park_id)
    check_park_year(park_id, year, folder, shown, validate=validate)
    if standard is not None:
        standard = check_standard(folder / park_id, standard, shown)
    return ParkYear(park_id, year, folder, source=shown, standard=standard)


def params_files(paths: list[str] | list[Path]) -> list[Path]:
    """Expand folders to the ``*.yaml``/``*.yml`` files in them (sorted); keep files as given."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.iterdir() if q.suffix.lower() in (".yaml", ".yml"))
        else:
            out.append(p)
    return out


def parse_years(text: str) -> list[int]:
    """``"2019-2023"`` -> [2019, ..., 2023]; ``"2018,2021"`` -> [2018, 2021]; ``"2021"`` -> [2021]."""
    years: list[int] = []
    try:
        for part in text.split(","):
            part = part.strip()
            if "-" in part:
                a, b = (int(x) for x in part.split("-", 1))
                if b < a:
                    raise ValueError
                years += range(a, b + 1)
            elif part:
                years.append(int(part))
    except ValueError:
        raise ParamsError(
            f"--years {text!r}: give a year, a range such as 2019-2023, or a list 2018,2021"
        ) from None
    if not years:
        raise ParamsError(f"--years {text!r}: no year given")
    return sorted(set(years))
