"""``table``, ``gaps``, ``attribute``, ``check`` and ``assess`` on the bundled parks are byte-identical
to the outputs recorded in ``tests/golden/out`` (see ``tests/golden/cases.py``).

Every case runs its command line through ``ecopark.cli.main`` in this process, as recorded. The
csv and json cases of one ``gaps`` table or one ``attribute --chain`` table share its frame: the
first of the two to run computes it (``gaps_report`` of the assessment, ``attribute_chained`` of
the park); the other runs the same command line (arguments, park loading and checks, the
assessment, rendering, output) with that frame, keyed by the park folder, standard, years and
indicators it was asked for (for ``gaps``: the park, standard, year, rules, every raw value and
every result of the assessment).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import ecopark.attribution
import ecopark.whatif

sys.path.insert(0, str(Path(__file__).resolve().parent / "golden"))
from cases import OUT, XLSX, cases, run, xlsx_cells  # noqa: E402


def _shared(compute: Callable, key: Callable) -> Callable:
    """``compute`` computed once per ``key(*args)``; each call gets its own copy of the frame."""
    frames: dict = {}

    def shared(*args):
        k = key(*args)
        if k not in frames:
            frames[k] = compute(*args)
        frame = frames[k].copy(deep=True)
        frame.attrs = dict(frames[k].attrs)
        return frame

    return shared


@pytest.fixture(scope="module", autouse=True)
def _frames_shared_by_format() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            ecopark.whatif,
            "gaps_report",
            _shared(
                ecopark.whatif.gaps_report,
                lambda a: (
                    a.park,
                    a.standard.code,
                    a.year,
                    repr(a.rules),
                    repr(sorted(a.values.items())),
                    tuple((r.number, repr(r.value), r.display, r.status) for r in a.results),
                ),
            ),
        )
        mp.setattr(
            ecopark.attribution,
            "attribute_chained",
            _shared(
                ecopark.attribution.attribute_chained,
                lambda park, y0=None, y1=None, numbers=None: (
                    str(park.path),
                    park.standard.code,
                    y0,
                    y1,
                    None if numbers is None else tuple(numbers),
                ),
            ),
        )
        yield


@pytest.mark.parametrize(("name", "argv"), cases(), ids=[name for name, _ in cases()])
def test_output_unchanged(name: str, argv: list[str]) -> None:
    expected = (OUT / name).read_text(encoding="utf-8")
    assert run(argv) == expected


@pytest.mark.parametrize(("park", "year"), XLSX)
def test_xlsx_cells_unchanged(park: str, year: int) -> None:
    expected = (OUT / f"{park}.{year}.table.xlsx.txt").read_text(encoding="utf-8")
    assert xlsx_cells(park, year) == expected
