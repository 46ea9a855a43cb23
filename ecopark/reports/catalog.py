"""The kit's report notebooks: one record each (stem, Chinese title, relative weight).

This is the one list of notebooks: the batch runner, the HTML export, the tests and the command
line read it from here. A new notebook is a new ``.ipynb`` in ``notebooks/`` and a line below.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class NotebookSpec:
    """One report notebook of the kit.

    Attributes
    ----------
    stem : str
        File name without ``.ipynb`` (``01_assessment``).
    title : str
        Chinese title shown in headings and the index.
    weight : int
        Relative run time; the batch submits heavier notebooks first (order only).
    kind : str
        ``"park_year"``: run once per park-year (parameters park_id, year, data_dir);
        ``"portfolio"``: once per data folder and year (parameters data_dir, year).
    """

    stem: str
    title: str
    weight: int
    kind: str = "park_year"


NOTEBOOKS: tuple[NotebookSpec, ...] = (
    NotebookSpec("01_assessment", "考核表", 1),
    NotebookSpec("02_why_indicators_fail", "未达标指标成因分析", 3),
    NotebookSpec("03_trends", "趋势", 2),
    NotebookSpec("04_portfolio", "园区总览", 2, kind="portfolio"),
)
BY_STEM = {spec.stem: spec for spec in NOTEBOOKS}
#: The notebooks run for every park-year (``ecopark run`` without ``--notebooks``).
DEFAULT_NOTEBOOKS: tuple[str, ...] = tuple(s.stem for s in NOTEBOOKS if s.kind == "park_year")
#: The notebooks run once per data folder and year (``ecopark run --portfolio``).
PORTFOLIO_NOTEBOOKS: tuple[str, ...] = tuple(s.stem for s in NOTEBOOKS if s.kind == "portfolio")


def notebook_title(notebook: str) -> str:
    """The Chinese title of a notebook given by stem, file name or path (else its stem)."""
    stem = Path(notebook).stem
    spec = BY_STEM.get(stem)
    return spec.title if spec else stem


def notebook_weight(notebook: str) -> int:
    """The relative run time of a notebook (0 for one not in the catalogue)."""
    spec = BY_STEM.get(Path(notebook).stem)
    return spec.weight if spec else 0
