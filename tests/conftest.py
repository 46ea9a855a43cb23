"""Shared fixtures. Charts render with the Agg backend; the bundled data is the real case."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
NANTONG = DATA / "nantong-etdz"


def _find_shared() -> Path | None:
    for base in (ROOT, *ROOT.parents):
        candidate = base / "shared" / "spec"
        if candidate.is_dir():
            return candidate
    return None


SPEC = _find_shared()


@pytest.fixture(scope="session")
def nantong_dir() -> Path:
    """The real Nantong ETDZ park folder."""
    return NANTONG


@pytest.fixture(scope="session")
def expected_nantong_csv() -> Path:
    """The official table for Nantong 2021: shared/spec/expected, or the copy in tests/data."""
    if SPEC is not None and (SPEC / "expected" / "nantong-etdz-2021.csv").is_file():
        return SPEC / "expected" / "nantong-etdz-2021.csv"
    return ROOT / "tests" / "data" / "nantong-etdz-2021-expected.csv"
