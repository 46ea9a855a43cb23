"""Shared fixtures. Charts render with the Agg backend; the bundled data is the real case.

Also how the suite runs in parallel (``make test`` runs ``pytest -n 2 --dist worksteal``): the
processes of one run share a folder (``reports_support.shared_dir``) where work done once per run
is kept (the batch run of the report notebooks), and the tests marked slow are handed out first.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import uuid
from collections.abc import Generator
from pathlib import Path

import pytest

from reports_support import RUN_ID, shared_dir

os.environ.setdefault("MPLBACKEND", "Agg")


#: The garbage collector's thresholds in a testing process (Python's: 700, 10, 10). Its heap
#: holds ≈ 300,000 objects once pandas, matplotlib, papermill and the parks are loaded, and a
#: run makes millions more (a collection per 700 made, at Python's thresholds): there the two
#: workers collected ≈ 4,100 times, 94 of them over the whole heap, ≈ 6.8 s of their CPU; at
#: these, ≈ 390 times, 77 of them whole (most a test's or the product's own ``gc.collect()``),
#: ≈ 4.1 s. What a test checks of collected memory, it collects itself.
GC_THRESHOLDS = (20_000, 20, 20)


def _set_up_a_testing_process() -> None:
    """Charts render with Agg; the process imports nbformat as `ecopark run` does, and skips
    what it skips (≈ 2 s of CPU per process; tests/test_startup.py checks that notebooks are
    still validated); its garbage is collected less often (:data:`GC_THRESHOLDS`). Not in the
    main process of an xdist run, which runs no test (matplotlib's import alone is ≈ 0.35 s of
    CPU there, before any worker starts)."""
    import gc

    import matplotlib

    from ecopark.reports.batch.kernel import skip_iri_grammars

    gc.set_threshold(*GC_THRESHOLDS)
    matplotlib.use("Agg")
    skip_iri_grammars()


if os.environ.get("PYTEST_XDIST_WORKER"):
    _set_up_a_testing_process()

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
        if not getattr(config.option, "numprocesses", None):  # no workers: it runs the tests
            _set_up_a_testing_process()


def pytest_unconfigure(config: pytest.Config) -> None:
    if not os.environ.get("PYTEST_XDIST_WORKER"):  # every worker has ended: remove what they shared
        shutil.rmtree(shared_dir(), ignore_errors=True)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> Generator[None, None, None]:
    """An xdist worker ends as soon as it has sent its last report (xdist's own wrapper of
    this hook, inside this one, sends ``workerfinished``; the main process then takes the
    worker for done and ignores its channel closing).

    What it skips is the last seconds of the run, which the main process waits for: a full
    garbage collection of a worker's heap (pytest's unraisable-exception check; the heap holds
    the charts, parks and modules of hundreds of tests) and the interpreter's finalisation.
    The worker's exit functions still run (the test browser is closed, shared temporary
    folders removed).
    """
    yield
    if os.environ.get("PYTEST_XDIST_WORKER"):
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


#: The costliest tests (CPU seconds of a run, measured), most first: under xdist they start
#: first, so that none of them starts last and leaves the other process idle. A name that no
#: longer matches only loses its place; the other slow tests follow, then the fast ones.
HEAVIEST = (
    "tests/test_batch.py::test_batch_good_ones_succeed_broken_one_fails",  # the shared batch run
    "tests/test_safety_soak.py::",
    "tests/test_packaging.py::test_papermill_cli_from_the_root_and_from_notebooks",
    "tests/test_safety_interrupts.py::",
    "tests/test_batch_dask.py::test_dask_gives_the_reports_the_pool_gives",
    "tests/test_columnar.py::test_a_thousand_random_parks_are_identical",
    "tests/test_portfolio.py::test_portfolio_notebook_runs_with_papermill",  # the shared 04 run
    "tests/test_plotting.py::test_report_charts_keep_every_text_inside_and_apart",
    "tests/test_start_here.py::test_it_runs_from_the_root_and_from_notebooks",
    "tests/test_batch_kernel.py::",
    "tests/test_documents.py::test_the_batch_prints_each_report_to_an_a4_pdf",
    "tests/test_documents.py::test_libreoffice_renders_the_docx_on_a4_pages",
    "tests/test_report_standards.py::test_notebook_01_under_the_synthetic_standard",
)


def _cost_rank(item: pytest.Item) -> tuple[bool, int]:
    """Where ``item`` goes: the :data:`HEAVIEST` in their order, the other slow tests, the rest."""
    for rank, prefix in enumerate(HEAVIEST):
        if item.nodeid.startswith(prefix):
            return False, rank
    return item.get_closest_marker("slow") is None, len(HEAVIEST)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist, hand out the costliest tests first, then the other slow ones (a stable
    sort), so that none starts last."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=_cost_rank)
