"""Start-up: what importing ecopark, building the command line and a report's setup cell load.

The checks read ``sys.modules`` in one fresh interpreter (nothing is timed here; the times are
in ``benchmarks/bench_startup.py``), which runs the command line's steps in order (import and
parser, ``ecopark table``, ``ecopark gaps``), then a report's setup cell and the batch's
warm-up, and records what is loaded after each step. Each step's check reads what is loaded
after it, which holds all that the steps before it loaded: the command line's steps come first
(they must load the least), and what they load is asserted, so that the setup cell's check
still says what a fresh kernel's setup cell loads (the command line loads pandas and numpy,
which the setup cell loads too; nothing before it loads matplotlib, seaborn or scipy) and the
batch's warm-up still finds jsonschema not imported (the setup cell and the command line
import none of it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow  # the checks start a fresh interpreter

HEAVY = ("scipy", "matplotlib", "seaborn", "nbconvert", "papermill", "pandas", "numpy")

#: The command line's steps, run in this order first in the fresh interpreter.
COMMAND_LINE = {
    "parser": "import ecopark, ecopark.cli\necopark.cli.build_parser()\n",
    "table": (
        "import contextlib, io, ecopark.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    assert ecopark.cli.main(['table', 'data/nantong-etdz', '2021', '--format', 'csv']) == 0\n"
        "assert out.getvalue().startswith('number,category,indicator')\n"
    ),
    "gaps": (
        "import contextlib, io, ecopark.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert ecopark.cli.main(['gaps', 'data/nantong-etdz', '2021']) == 0\n"
    ),
}

#: Then a report's setup cell, and the batch's warm-up as ``ecopark run`` does it: jsonschema (under
#: nbformat) is kept from importing rfc3987_syntax (≈ 2 s of CPU at its import) and nbformat
#: still validates.
REPORT = {
    "setup cell": (
        "import ecopark.plotting\nfrom ecopark.reports.session import open_report\n"
        "ecopark.plotting.setup()\n"
        "import matplotlib as mpl\nassert mpl.rcParams['axes.facecolor'] == 'white'\n"
    ),
    "batch": """
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
""",
}


#: Starts the line a probe prints after each step (what is loaded then, as JSON).
RECORD = "loaded after the step: "


def loaded_after(steps: dict[str, str]) -> dict[str, dict]:
    """Run ``steps`` in order in a fresh interpreter at the repository root; after each, by its
    name: ``heavy``, the top-level packages of :data:`HEAVY` imported, ``reports``, the
    ``ecopark.reports`` modules imported, and ``printed``, the lines the step printed."""
    probe = "import json, sys\n"
    for name, code in steps.items():
        probe += f"{code}\nprint({RECORD!r} + json.dumps([{name!r}, "
        probe += f"[m for m in {HEAVY!r} if m in sys.modules], "
        probe += "sorted(m for m in sys.modules if m.startswith('ecopark.reports.'))]))\n"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg"),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    got: dict[str, dict] = {}
    printed: list[str] = []
    for line in out.splitlines():
        if line.startswith(RECORD):
            name, heavy, reports = json.loads(line.removeprefix(RECORD))
            got[name] = {"heavy": set(heavy), "reports": set(reports), "printed": printed}
            printed = []
        else:
            printed.append(line)
    assert list(got) == list(steps), out
    return got


@pytest.fixture(scope="module")
def steps() -> dict[str, dict]:
    """Every step of :data:`COMMAND_LINE`, then of :data:`REPORT`, in one fresh interpreter."""
    return loaded_after({**COMMAND_LINE, **REPORT})


@pytest.fixture(scope="module")
def command_line(steps) -> dict[str, dict]:
    return steps


@pytest.fixture(scope="module")
def report(steps) -> dict[str, dict]:
    # what the command line loaded before the setup cell: only what the setup cell loads too
    # (had it imported jsonschema, the batch's check would fail: its IRI grammars not skipped)
    assert steps["gaps"]["heavy"] <= {"pandas", "numpy"}, steps["gaps"]
    return steps


def test_import_and_parser_load_no_heavy_package(command_line):
    assert command_line["parser"]["heavy"] == set()


def test_ecopark_table_runs_without_pandas_or_scipy(command_line):
    assert command_line["table"]["heavy"] == set()


def test_ecopark_table_loads_none_of_the_batch(command_line):
    """``ecopark run``'s parser reads the batch's limits only; the batch loads when it runs."""
    loaded = command_line["table"]["reports"]
    assert {m for m in loaded if m.startswith("ecopark.reports.batch")} == {
        "ecopark.reports.batch",
        "ecopark.reports.batch.limits",
    }
    assert "ecopark.reports.html" not in loaded


def test_gaps_solves_without_scipy(command_line):
    """What it would take is solved exactly and judged by the engine: no scipy."""
    loaded = command_line["gaps"]["heavy"]
    assert "pandas" in loaded and "scipy" not in loaded


def test_report_setup_cell_loads_no_seaborn_or_scipy(report):
    """The notebooks' setup cell: plotting and the session, the theme applied (no seaborn)."""
    assert report["setup cell"]["heavy"] == {"matplotlib", "pandas", "numpy"}


def test_the_batch_builds_no_iri_grammar_and_still_validates_notebooks(report):
    """``ecopark run`` (and ``report``) keep jsonschema from importing rfc3987_syntax; nbformat
    still validates (after a setup cell, which imports no jsonschema)."""
    assert report["batch"]["printed"] == ["refused", "True"]


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
