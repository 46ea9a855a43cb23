"""Input problems: what is wrong, where, and what would be right.

Every bad input is reported as a :class:`Problem` naming the file, the line (where there is
one) and the item. Loading functions collect all problems of what they read and raise one
:class:`InputError` holding them, so ``ecopark check`` can list everything at once and the
command line can print them without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    Parameters
    ----------
    file : str
        The file, as given (relative paths stay relative).
    message : str
        What is wrong and what would be right.
    line : int or None
        1-based line (csv) or row (xlsx) number, where there is one.
    item : str or None
        The raw item concerned, where there is one.
    """

    file: str
    message: str
    line: int | None = None
    item: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", {'row' if self.file.lower().endswith('.xlsx') else 'line'} {self.line}"
        if self.item:
            where += f", item '{self.item}'"
        return f"{where}: {self.message}"


class InputError(Exception):
    """Bad input: one or more :class:`Problem` found while reading a park."""

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def display_path(path: Path | str) -> str:
    """Return ``path`` relative to the working directory when it lies below it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
