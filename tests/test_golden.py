"""``table``, ``gaps``, ``attribute``, ``check`` and ``assess`` on the bundled parks are byte-identical
to the outputs recorded in ``tests/golden/out`` (see ``tests/golden/cases.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "golden"))
from cases import OUT, XLSX, cases, run, xlsx_cells  # noqa: E402


@pytest.mark.parametrize(("name", "argv"), cases(), ids=[name for name, _ in cases()])
def test_output_unchanged(name: str, argv: list[str]) -> None:
    expected = (OUT / name).read_text(encoding="utf-8")
    assert run(argv) == expected


@pytest.mark.parametrize(("park", "year"), XLSX)
def test_xlsx_cells_unchanged(park: str, year: int) -> None:
    expected = (OUT / f"{park}.{year}.table.xlsx.txt").read_text(encoding="utf-8")
    assert xlsx_cells(park, year) == expected
