"""notebooks/00_start_here.ipynb: the API taught on Nantong 2021, committed clean, and it runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecopark.reports.batch import kernel
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
def test_it_runs_from_the_root_and_from_notebooks(monkeypatch):
    """Run by papermill (the batch's engine, as ``ecopark run`` runs a notebook) from the root,
    then from notebooks/ in the same kernel, its namespace reset and its folder changed in
    between; the README's papermill command lines are run in test_packaging.py."""
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's backend: inline, as in Lab
    nb_in = kernel.load_notebook(NOTEBOOK.read_text(encoding="utf-8"))
    try:
        for cwd in (ROOT, ROOT / "notebooks"):
            nb, status, error, _, cleanup = kernel.run_notebook(
                nb_in, {}, str(cwd), 120, 300, reuse=True
            )
            cleanup()
            assert (status, error) == ("ok", ""), cwd
            _check_outputs(nb)
    finally:
        kernel.close_kernel()


def _check_outputs(nb) -> None:
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
