"""What the batch runs: park-years (from params files or ``--park``) and notebooks.

A :class:`Target` is one requested park-year, valid or not: a broken params file or a missing
year becomes a target with its error (a failed row in the summary), never a crash. The parent
reads each target's park once (:func:`read_parks`) for the report headers (:func:`describe`)
and the index's verdict (:func:`judge`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ecopark.errors import InputError, Problem, display_path
from ecopark.io.confine import park_id_problem
from ecopark.io.yearfile import year_file_list
from ecopark.reports.batch.job import Outcome
from ecopark.reports.catalog import DEFAULT_NOTEBOOKS
from ecopark.reports.params import ParamsError, ParkYear

if TYPE_CHECKING:
    import pandas as pd

    from ecopark.io.park import Park


@dataclass
class Target:
    """A park-year requested, valid or not, with what the parent learnt about it."""

    park: str
    year: int | str
    source: str
    park_year: ParkYear | None = None
    error: str = ""
    name: str = ""
    verdict: str = ""
    compliant: bool | None = None
    judged: bool | None = None  # False: a year that is not judged (base year, history only)
    outcome: str | None = None  # one of ecopark.verdict.OUTCOMES, once judged
    standard: str = ""  # the code of the standard it was judged by
    synthetic: bool = False  # park.yaml says the data are made up
    results: pd.DataFrame | None = None  # the assessment as rows of ecopark.results
    sources: list[str] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def runnable(self) -> bool:
        """Whether the target's notebooks can run (no error so far)."""
        return not self.error and self.park_year is not None


def notebooks_dir() -> Path:
    """Where the kit's notebooks are: ``./notebooks`` if it has them, else the checkout's, else
    the installed package's (a wheel ships them as ``ecopark/reports/notebooks``, see setup.py)."""
    here = Path("notebooks")
    checkout = Path(__file__).resolve().parents[3] / "notebooks"
    for folder in (here, checkout):
        if (folder / f"{DEFAULT_NOTEBOOKS[0]}.ipynb").is_file():
            return folder.resolve()
    return Path(__file__).resolve().parents[1] / "notebooks"


def resolve_notebooks(names: Iterable[str] | None = None) -> list[Path]:
    """Notebook paths from names (``01_assessment``), file names or paths; default: the catalogue's.

    Raises
    ------
    ParamsError
        If a notebook does not exist.
    """
    folder = notebooks_dir()
    out = []
    for name in names or DEFAULT_NOTEBOOKS:
        p = Path(name)
        candidates = [p, p.with_suffix(".ipynb"), folder / p.name, folder / f"{p.name}.ipynb"]
        found = next((c for c in candidates if c.suffix == ".ipynb" and c.is_file()), None)
        if found is None:
            have = ", ".join(sorted(q.stem for q in folder.glob("*.ipynb"))) or "none"
            raise ParamsError(
                f"notebook {name!r} not found (notebooks in {display_path(folder)}: {have})"
            )
        out.append(found.resolve())
    return out


def targets_from_params(files: Iterable[Path | str]) -> list[Target]:
    """One target per params file; a broken file becomes a target with its error, not a crash."""
    from ecopark.reports.params import load_params

    out = []
    for f in files:
        f = Path(f)
        try:
            py = load_params(f, validate=False)
        except ParamsError as exc:
            out.append(Target(park=f.stem, year="", source=display_path(f), error=str(exc)))
            continue
        out.append(Target(park=py.park_id, year=py.year, source=py.source, park_year=py))
    return out


def targets_for_park(park_id: str, years: list[int] | None, data_dir: Path | str) -> list[Target]:
    """Targets for ``--park ID [--years ...]``; default years: every year after the base year."""
    from ecopark.reports.params import check_park_year

    shown = f"--park {park_id}"
    problem = park_id_problem(park_id)
    if problem:
        raise ParamsError(f"{shown}: {problem.replace('park_id', '--park')}")
    data_dir = Path(data_dir).resolve()
    if years is None:
        from ecopark.io.config import load_config

        try:
            check_park_year(park_id, -1, data_dir, shown, validate=False)
        except ParamsError as exc:
            if "not found" in str(exc) or "does not exist" in str(exc):
                raise
        base = load_config(data_dir / park_id).base_year
        years = sorted({y for y, _ in year_file_list(data_dir / park_id) if y > base})
        if not years:
            raise ParamsError(
                f"{shown}: no year after the base year {base} in {display_path(data_dir / park_id)}"
            )
    out = []
    for year in years:
        try:
            check_park_year(park_id, year, data_dir, shown, validate=False)
        except ParamsError as exc:
            out.append(Target(park=park_id, year=year, source=shown, error=str(exc)))
            continue
        out.append(
            Target(
                park=park_id,
                year=year,
                source=shown,
                park_year=ParkYear(park_id, year, data_dir, source=shown),
            )
        )
    return out


def targets_for_folder(data_dir: Path | str, years: list[int] | None) -> list[Target]:
    """Targets for every park of a data folder (:func:`targets_for_park` for each, by name).

    Raises
    ------
    ParamsError
        If ``data_dir`` is not a folder or holds no park folder.
    """
    from ecopark.tree import park_folders

    folder = Path(data_dir)
    if not folder.is_dir():
        raise ParamsError(f"--data-dir: data folder {display_path(folder)} does not exist")
    parks = park_folders(folder)
    if not parks:
        raise ParamsError(
            f"--data-dir: no park folder (with a park.yaml) in {display_path(folder)}"
        )
    out = []
    for park in parks:
        try:
            out += targets_for_park(park.name, years, folder)
        except ParamsError as exc:
            out.append(
                Target(park=park.name, year="", source=f"--park {park.name}", error=str(exc))
            )
    return out


def read_parks(targets: Iterable[Target]) -> dict[Path, Park]:
    """Load the park of every runnable target, once per park folder, and validate it once.

    Targets of the same park share one :class:`~ecopark.io.park.Park` (and its cached year
    files). Its files are validated here, as ``ecopark check`` does. A park that cannot be loaded
    gives each of its targets the error; a bad year file stops only the targets that read it —
    the park-years from that year on (a report of year T reads the years up to T) — while a
    problem in any other file (park.yaml, a sector file without a year) stops them all.

    Returns
    -------
    dict
        ``{park folder: Park}`` for the parks that loaded.
    """
    from ecopark.io.park import check_loaded, load_park
    from ecopark.io.yearfile import year_of
    from ecopark.reports.params import bad_input

    parks: dict[Path, Park] = {}
    failed: dict[Path, str] = {}
    problems: dict[Path, list[Problem]] = {}
    for t in targets:
        if not t.runnable:
            continue
        assert t.park_year is not None
        folder = t.park_year.park_dir
        if folder not in parks and folder not in failed:
            try:
                parks[folder] = load_park(folder)
            except InputError as exc:
                failed[folder] = "; ".join(str(p) for p in exc.problems)
            else:
                problems[folder] = check_loaded(parks[folder])
        if folder in failed:
            t.error = failed[folder]
            continue
        year = t.park_year.year
        read = [p for p in problems[folder] if (year_of(Path(p.file).name) or 0) <= year]
        error = bad_input(t.source, folder, read)
        if error is not None:
            t.error = str(error)
    return parks


def describe(target: Target, park: Park) -> None:
    """Set the target's park name and data sources (for the report headers)."""
    target.name = park.config.name
    target.synthetic = park.config.synthetic
    sources = []
    if park.config.source:
        sources.append(park.config.source)
    if park.config.synthetic:
        sources.append("合成数据（示例），并非真实园区")
    files = [f"{park.id}/{park.file_for(y).name}" for y in park.years]  # no machine paths
    sources.append("数据文件：" + "，".join(files))
    target.sources = sources


def judge(target: Target, park: Park) -> None:
    """Set the target's verdict and results for the index (:func:`ecopark.engine.assess`, here)."""
    from ecopark.comparison import result_rows
    from ecopark.engine import assess
    from ecopark.verdict import outcome

    py = target.park_year
    assert py is not None
    try:
        result = assess(park.under(py.standard) if py.standard else park, py.year)
    except InputError as exc:
        target.verdict = "无法评价：" + "; ".join(str(p) for p in exc.problems)
        return
    except Exception:  # noqa: BLE001 - the index says so in Chinese; the log has the traceback
        logging.getLogger("ecopark.reports.batch").exception("assessing %s", target.source)
        target.verdict = "无法评价：评价时出错（ecopark 的缺陷，请报告）"
        return
    target.compliant = result.compliant
    target.judged = result.judged
    target.outcome = outcome(result)
    target.standard = result.standard.code
    target.verdict = result.verdict_text()
    target.results = result_rows(result)


def portfolio_targets(targets: Iterable[Target]) -> list[Target]:
    """One portfolio target per year of the runnable targets (park ``PORTFOLIO``, the data folder).

    Raises
    ------
    ParamsError
        If the park-years of one year come from two data folders (one portfolio per year).
    """
    from ecopark.reports.batch.index import PORTFOLIO

    folders: dict[int, Path] = {}
    for t in targets:
        if not t.runnable:
            continue
        assert t.park_year is not None
        year, folder = t.park_year.year, t.park_year.data_dir
        if folders.setdefault(year, folder) != folder:
            raise ParamsError(
                f"--portfolio: the park-years of {year} come from two data folders "
                f"({display_path(folders[year])}, {display_path(folder)}); run one folder at a time"
            )
    return [
        Target(
            park=PORTFOLIO,
            year=year,
            source="--portfolio",
            park_year=ParkYear(PORTFOLIO, year, folder, source="--portfolio"),
            name=PORTFOLIO,
        )
        for year, folder in sorted(folders.items())
    ]
