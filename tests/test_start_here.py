"""notebooks/00_start_here.ipynb: the API taught on Nantong 2021, committed clean, and it runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecopark.reports.batch import kernel
from ecopark.reports.catalog import BY_STEM
from ecopark.standard import model, registry
from test_report_standards import notebook_01_under_the_synthetic_standard

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
def test_it_runs_from_the_root_and_from_notebooks(monkeypatch, tmp_path):
    """Run by papermill (the batch's engine, as ``ecopark run`` runs a notebook) from the root,
    then from notebooks/ in the same kernel, its namespace reset and its folder changed in
    between; the README's papermill command lines are run in test_packaging.py.

    Then, in the kernel kept from those runs (one kernel start for the three), notebook 01
    under the synthetic standard, by ``ecopark run``'s machinery: its checks are
    test_report_standards.py's (:func:`notebook_01_under_the_synthetic_standard`). The
    kernel starts with the synthetic definition registered, which notebook 00 does not name.
    """
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's backend: inline, as in Lab
    monkeypatch.setenv(registry.ENV_VAR, str(ROOT / "tests" / "standards"))
    model.load_standard.cache_clear()
    nb_in = kernel.load_notebook(NOTEBOOK.read_text(encoding="utf-8"))
    starts = []
    start = kernel._start

    async def counted(*args):
        starts.append(1)
        await start(*args)

    monkeypatch.setattr(kernel, "_start", counted)
    try:
        pids = []
        for cwd in (ROOT, ROOT / "notebooks"):
            nb, status, error, _, cleanup = kernel.run_notebook(
                nb_in, {}, str(cwd), 120, 300, reuse=True
            )
            cleanup()
            assert (status, error) == ("ok", ""), cwd
            _check_outputs(nb)
            pids += [k.km.provisioner.process.pid for k in kernel._kept]
        assert len(pids) == 2 and pids[0] == pids[1]  # kept, and kept again
        notebook_01_under_the_synthetic_standard(tmp_path)
        assert len(starts) == 1  # notebook 01 ran in the kept kernel
        assert kernel._kept == []  # and the batch shut it down at its end
    finally:
        kernel.close_kernel()
        model.load_standard.cache_clear()


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
