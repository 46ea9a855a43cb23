"""The batch on Dask: the same reports as the local pool, in warm kernels kept by the same rules,
and ``ecopark run --scheduler``: the jobs ship the park's data."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from ecopark.cli import main
from ecopark.io.park import load_park
from ecopark.reports import batch
from ecopark.reports.batch import kernel
from reports_support import ROOT, batch_run
from safety_support import tiny_notebook

pytestmark = pytest.mark.slow  # starts a cluster and kernels

DATA = ROOT / "data"
#: What differs between any two runs: the generation time, the id papermill gives the cell it
#: injects, and the id pandas gives a styled table.
RUN_SPECIFIC = re.compile(
    r"生成日期[：\s]*[\d :-]+|cell-id=[0-9a-f]{8}\b|T_[0-9a-f]{5}(?![0-9a-f])"
)


def _cluster(workers: int):
    # imported here, not at collection: every xdist worker collects this module
    distributed = pytest.importorskip("dask.distributed")
    return distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=False, dashboard_address=None
    )


def _reports(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): RUN_SPECIFIC.sub("", p.read_text(encoding="utf-8"))
        for p in sorted(out.rglob("0*.html"))
    }


def test_dask_gives_the_reports_the_pool_gives(tmp_path):
    """Nantong 2021 on two Dask workers: the reports of the shared batch run (`ecopark run` on
    the local pool of two workers, tests/reports_support.py) over the same data folder.

    Two of the three notebooks (01 and 03): the Dask path does the same for every notebook (each
    job, with the park's data shipped in it, goes through the same runner as on the pool; the
    notebook is only its text), so the two show a report made in a fresh kernel and one made in
    the kernel kept and reset after a job, and the pool run shows every notebook's report. The
    reset after a job whose data copy is gone is checked in the test below.
    """
    pool = batch_run()
    targets = batch.targets_for_park("nantong-etdz", [2021], pool.data)
    every = batch.resolve_notebooks(None)
    notebooks = [nb for nb in every if nb.stem.startswith(("01_", "03_"))]
    assert len(notebooks) == 2 and len(every) == 3
    with _cluster(2) as cluster:
        dask = batch.run_batch(
            targets, notebooks, tmp_path / "dask", batch.Dask(cluster.scheduler_address)
        )
    ran = [r["status"] for r in pool.summary if (r["park"], r["year"]) == ("nantong-etdz", "2021")]
    assert ran == ["ok"] * 3 and [o.status for o in dask] == ["ok"] * 2
    got = _reports(tmp_path / "dask")
    names = [f"nantong-etdz/2021/{nb.stem}.html" for nb in notebooks]
    want = {k: v for k, v in _reports(pool.out).items() if k in names}
    assert sorted(got) == sorted(want) == names
    assert got == want
    assert not list((tmp_path / "dask").rglob("*.ipynb"))  # written only when asked or failed


def _notebook(folder: Path, name: str, *cells: str) -> Path:
    """A tiny notebook: a parameters cell, then ``cells``."""
    code = [("# parameters\npark_id = ''\nyear = 0\ndata_dir = 'data'", ["parameters"])]
    code += [(c, []) for c in cells]
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"c{i}",
                "metadata": {"tags": tags},
                "outputs": [],
                "source": src,
            }
            for i, (src, tags) in enumerate(code)
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = folder / f"{name}.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


PID = "import os; print('pid', os.getpid())"


def _pid(out: Path, name: str) -> int:
    nb = json.loads((out / "nantong-etdz" / "2021" / f"{name}.ipynb").read_text(encoding="utf-8"))
    # per cell: a busy kernel may flush one print in several stream outputs ("pid", " 123\n")
    printed = ["".join(o.get("text", "") for o in c.get("outputs", [])) for c in nb["cells"]]
    return int(next(t for t in printed if t.startswith("pid ")).split()[1])


def test_scheduler_path_and_a_dask_worker_keeps_its_kernel_resets_it_and_replaces_it(
    tmp_path, capsys
):
    """``ecopark run --scheduler`` on one Dask worker: the job ships the park's data, the
    worker reads its copy; the worker keeps its kernel between notebooks, resets its
    namespace, and replaces it after a failure.

    A tiny notebook under the report's name (the heading comes from it; the reports' content on
    Dask is compared with the pool's above) runs first (its catalogue weight), then four more,
    one at a time on the worker's one kernel thread, in the order given (equal weights).
    """
    code = "from ecopark.io.park import load_park\nimport json\n"
    code += "values = load_park(f'{data_dir}/{park_id}').values(year)\n"
    code += "print(json.dumps([data_dir, values['industrial_output']]))"
    report = tiny_notebook(tmp_path / "01_assessment.ipynb", code)
    names = ("sets", "checks", "fails", "after")
    nbs = [
        _notebook(tmp_path, "sets", PID, "secret = 42"),
        _notebook(tmp_path, "checks", PID, "assert 'secret' not in globals()", "print(In[1][:9])"),
        _notebook(tmp_path, "fails", PID, "raise ValueError('坏了')"),
        _notebook(tmp_path, "after", PID, "print(year)"),
    ]
    out = tmp_path / "out"
    with _cluster(1) as cluster:
        status = main(
            [
                "run",
                str(ROOT / "params" / "nantong-etdz-2021.yaml"),
                "--notebooks",
                *map(str, [report, *nbs]),
                "--out",
                str(out),
                "--scheduler",
                cluster.scheduler_address,
                "--keep-ipynb",
            ]
        )
    err = capsys.readouterr().err
    assert status == 1, err  # "fails" failed
    with (out / "summary.csv").open(encoding="utf-8-sig") as f:
        got = {r["notebook"]: r["status"] for r in csv.DictReader(f)}
    want = {"01_assessment": "ok", "sets": "ok", "checks": "ok", "fails": "failed", "after": "ok"}
    assert got == want
    html = (out / "nantong-etdz" / "2021" / "01_assessment.html").read_text(encoding="utf-8")
    assert "<title>南通经济技术开发区 2021 年 考核表</title>" in html
    nb = json.loads((out / "nantong-etdz" / "2021" / "01_assessment.ipynb").read_text("utf-8"))
    # The worker ran on its own copy of the data; the notebook records the caller's folder.
    assert nb["metadata"]["papermill"]["parameters"]["data_dir"] == str(DATA.resolve())
    printed = "".join("".join(o.get("text", "")) for c in nb["cells"] for o in c["outputs"])
    worker_dir, output = json.loads(printed)
    assert worker_dir != str(DATA.resolve())
    assert output == load_park(DATA / "nantong-etdz").values(2021)["industrial_output"]
    pids = [_pid(out, n) for n in names]
    assert pids[0] == pids[1] == pids[2]  # one warm kernel, its namespace reset in between
    assert pids[3] != pids[2]  # the failure took its kernel with it
    checks = (out / "nantong-etdz" / "2021" / "checks.ipynb").read_text(encoding="utf-8")
    assert "# paramet" in checks  # In[1] is this notebook's first cell: a new session
    assert kernel._kept == []  # the cluster's end shut the kept kernel down
