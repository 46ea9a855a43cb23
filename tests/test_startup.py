"""Start-up: what importing ecopark, building the command line and a report's setup cell load.

Each check runs in a fresh interpreter and reads ``sys.modules`` (nothing is timed here; the
times are in ``benchmarks/bench_startup.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow  # each check starts a fresh interpreter

HEAVY = ("scipy", "matplotlib", "seaborn", "nbconvert", "papermill", "pandas", "numpy")


def run_fresh(code: str) -> str:
    """What ``code`` printed, run in a fresh interpreter at the repository root."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg"),
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def loaded_after(code: str) -> set[str]:
    """The top-level packages of :data:`HEAVY` imported once ``code`` has run."""
    probe = (
        code + f"\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    return set(json.loads(run_fresh(probe).strip().splitlines()[-1]))


def test_import_and_parser_load_no_heavy_package():
    assert loaded_after("import ecopark, ecopark.cli\necopark.cli.build_parser()") == set()


def test_ecopark_table_runs_without_pandas_or_scipy():
    code = (
        "import contextlib, io, ecopark.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    assert ecopark.cli.main(['table', 'data/nantong-etdz', '2021', '--format', 'csv']) == 0\n"
        "assert out.getvalue().startswith('number,category,indicator')\n"
    )
    assert loaded_after(code) == set()


def test_ecopark_table_loads_none_of_the_batch():
    """``ecopark run``'s parser reads the batch's limits only; the batch loads when it runs."""
    code = (
        "import contextlib, io, json, sys, ecopark.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert ecopark.cli.main(['table', 'data/nantong-etdz', '2021', '--format', 'csv']) == 0\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('ecopark.reports.'))))\n"
    )
    loaded = set(json.loads(run_fresh(code).strip().splitlines()[-1]))
    assert {m for m in loaded if m.startswith("ecopark.reports.batch")} == {
        "ecopark.reports.batch",
        "ecopark.reports.batch.limits",
    }
    assert "ecopark.reports.html" not in loaded


def test_gaps_solves_without_scipy():
    """What it would take is solved exactly and judged by the engine: no scipy."""
    code = (
        "import contextlib, io, ecopark.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert ecopark.cli.main(['gaps', 'data/nantong-etdz', '2021']) == 0\n"
    )
    loaded = loaded_after(code)
    assert "pandas" in loaded and "scipy" not in loaded


def test_report_setup_cell_loads_no_seaborn_or_scipy():
    """The notebooks' setup cell: plotting and the session, the theme applied (no seaborn)."""
    code = (
        "import ecopark.plotting\nfrom ecopark.reports.session import open_report\n"
        "ecopark.plotting.setup()\n"
        "import matplotlib as mpl\nassert mpl.rcParams['axes.facecolor'] == 'white'\n"
    )
    assert loaded_after(code) == {"matplotlib", "pandas", "numpy"}


def test_the_batch_builds_no_iri_grammar_and_still_validates_notebooks():
    """``ecopark run`` (and ``report``) keep jsonschema from importing rfc3987_syntax (≈ 2 s of
    CPU at its import); nbformat still validates."""
    probe = """
import sys
from ecopark.reports.batch.kernel import skip_iri_grammars
skip_iri_grammars()
from ecopark.reports.batch.job import warm_up
warm_up()
import nbformat
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
nbformat.validate(nb)
nb.cells[0]["outputs"] = [{"output_type": "nonsense"}]
try:
    nbformat.validate(nb)
except nbformat.ValidationError:
    print("refused")
print(sys.modules["rfc3987_syntax"] is None)
"""
    assert run_fresh(probe).split() == ["refused", "True"]


def test_a_process_jsonschema_already_serves_is_left_alone(monkeypatch):
    """A user's kernel that imported jsonschema before calling the batch keeps its formats."""
    from ecopark.reports.batch.kernel import skip_iri_grammars

    monkeypatch.delitem(sys.modules, "rfc3987_syntax", raising=False)
    monkeypatch.setitem(sys.modules, "jsonschema", sys.modules.get("jsonschema", object()))
    skip_iri_grammars()
    assert "rfc3987_syntax" not in sys.modules
    monkeypatch.delitem(sys.modules, "jsonschema")
    skip_iri_grammars()
    assert sys.modules["rfc3987_syntax"] is None
