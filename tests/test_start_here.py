"""notebooks/00_start_here.ipynb: the API taught on Nantong 2021, committed clean, and it runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ecopark.reports.catalog import BY_STEM

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "00_start_here.ipynb"


def _cells(nb: dict) -> list[tuple[str, str]]:
    return [(c["cell_type"], "".join(c["source"])) for c in nb["cells"]]


def test_committed_without_outputs_and_not_a_report():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3" and "papermill" not in nb["metadata"]
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    assert "00_start_here" not in BY_STEM  # it teaches; `ecopark run` does not report with it
    code = "\n".join(src for kind, src in _cells(nb) if kind == "code")
    calls = (
        "load_park(",
        "assess(park, year)",
        "a.result(28)",
        "a.scenario(",
        "compare(",
        "panel(",
    )
    for call in calls:
        assert call in code, call
    assert "value_added@T" not in code  # no internal keys


@pytest.mark.slow
@pytest.mark.parametrize("where", ["root", "notebooks"])
def test_it_runs_from_the_root_and_from_notebooks(tmp_path, where):
    out = tmp_path / "out.ipynb"
    cwd = ROOT if where == "root" else ROOT / "notebooks"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("MPLBACKEND", None)
    proc = subprocess.run(
        [sys.executable, "-m", "papermill", str(NOTEBOOK), str(out), "-k", "python3"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    nb = json.loads(out.read_text(encoding="utf-8"))
    shown = []
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            assert o["output_type"] != "error", o
            shown.append("".join(o.get("text", "")))
            shown += ["".join(v) for v in o.get("data", {}).values() if isinstance(v, str | list)]
    text = "\n".join(shown)
    assert "<Park nantong-etdz 南通经济技术开发区: 2015, 2018, 2021; HJ 274-2015>" in text
    assert "('单位工业增加值固废产生量', '0.14', '≤0.1', 'fail')" in text
    assert "did you mean 'value_added'" in text  # the scenario's error for a typo
    assert "原状态" in text and "新状态" in text  # the scenario displays its diff
    views = [
        o["data"]["application/vnd.jupyter.widget-view+json"]
        for cell in nb["cells"]
        for o in cell.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert len(views) == 1  # the what-if panel, as a live widget
