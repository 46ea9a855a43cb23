"""Shared fixtures. Charts render with the Agg backend; the bundled data is the real case.

Also how the suite runs in parallel (``make test`` runs ``pytest -n 2 --dist worksteal``): the
processes of one run share a folder (``reports_support.shared_dir``) where work done once per run
is kept (the batch run of the report notebooks), and the tests marked slow are handed out first.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402

from reports_support import RUN_ID, shared_dir  # noqa: E402

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


# ---------------------------------------------------------------------------------------------
# Parallel runs (pytest-xdist)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--thorough",
        action="store_true",
        help="run the random batteries at full size (as ECOPARK_THOROUGH=1; tests/thorough.py)",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("thorough"):
        os.environ["ECOPARK_THOROUGH"] = "1"  # the whole run, its workers and subprocesses
    if not os.environ.get("PYTEST_XDIST_WORKER"):  # the main process: one id for the run
        os.environ[RUN_ID] = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"


def pytest_unconfigure(config: pytest.Config) -> None:
    if not os.environ.get("PYTEST_XDIST_WORKER"):  # every worker has ended: remove what they shared
        shutil.rmtree(shared_dir(), ignore_errors=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist, hand out the slow tests first (a stable sort), so that none starts last."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)
