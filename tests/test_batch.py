"""`ecopark run`: params files, the batch, failures, time limits, retries and the Dask path."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from ecopark.cli import main
from ecopark.reports import batch
from ecopark.reports.params import ParamsError, load_params, params_files, parse_years
from reports_support import NOTEBOOKS, ROOT, batch_run, good_park_years

DATA = ROOT / "data"


def _params(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# Params files


def test_params_file_relative_to_itself(tmp_path):
    p = load_params(ROOT / "params" / "nantong-etdz-2021.yaml")
    assert (p.park_id, p.year, p.data_dir) == ("nantong-etdz", 2021, DATA.resolve())
    assert p.parameters() == {
        "park_id": "nantong-etdz",
        "year": 2021,
        "data_dir": str(DATA.resolve()),
    }


def test_bundled_params_cover_nantong_and_the_example_park():
    files = params_files([ROOT / "params"])
    got = sorted((p.park_id, p.year) for p in map(load_params, files))
    expected = [("nantong-etdz", 2021)]
    if (DATA / "example-park" / "park.yaml").is_file():
        expected += [("example-park", y) for y in range(2016, 2024)]
    assert got == sorted(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "park_id: nantong-etdz\nyear: twenty\n",
            "year must be an integer such as 2021, got 'twenty'",
        ),
        ("park_id: nantong-etdz\n", "missing key 'year'"),
        ("park_id: nantong-etdz\nyear: 2021\nyera: 1\n", "unknown key 'yera'"),
        ("park_id: nantong\nyear: 2021\ndata_dir: DATA\n", "park 'nantong' not found in"),
        ("park_id: nantong\nyear: 2021\ndata_dir: DATA\n", "did you mean 'nantong-etdz'?"),
        ("park_id: nantong-etdz\nyear: 2020\ndata_dir: DATA\n", "no data file for 2020 in"),
        (
            "park_id: nantong-etdz\nyear: 2021\ndata_dir: /no/such/dir\n",
            "data folder /no/such/dir does not exist",
        ),
        ("park_id: [nantong\n", "not valid YAML (line 2)"),
        ("- nantong-etdz\n", "expected keys park_id, year, data_dir"),
        ("park_id: 南通\nyear: 2021\n", "park_id must be ASCII"),
    ],
)
def test_params_errors_are_clear(tmp_path, text, message):
    path = _params(tmp_path, text.replace("DATA", str(DATA)))
    with pytest.raises(ParamsError) as info:
        load_params(path)
    assert message in str(info.value)
    assert str(info.value).startswith(str(path)) or "p.yaml" in str(info.value)


def test_parse_years():
    assert parse_years("2019-2023") == [2019, 2020, 2021, 2022, 2023]
    assert parse_years("2021,2018") == [2018, 2021]
    with pytest.raises(ParamsError, match="range such as 2019-2023"):
        parse_years("2023-2019")


def test_park_and_years_targets():
    targets = batch.targets_for_park("nantong-etdz", None, DATA)
    assert [(t.park, t.year, t.error) for t in targets] == [
        ("nantong-etdz", 2018, ""),
        ("nantong-etdz", 2021, ""),
    ]
    targets = batch.targets_for_park("nantong-etdz", [2020, 2021], DATA)
    assert "no data file for 2020" in targets[0].error and not targets[1].error


def test_run_without_targets_is_a_usage_error(capsys):
    assert main(["run"]) == 2
    assert "give params files" in capsys.readouterr().err


def test_unknown_notebook_is_a_clear_error(capsys):
    assert main(["run", str(ROOT / "params"), "--notebooks", "04_nothing"]) == 2
    assert "notebook '04_nothing' not found" in capsys.readouterr().err
    # params given after --notebooks are still params, not notebooks
    assert (
        main(["run", "--notebooks", "04_nothing", str(ROOT / "params" / "nantong-etdz-2021.yaml")])
        == 2
    )
    err = capsys.readouterr().err
    assert "notebook '04_nothing' not found" in err and "yaml" not in err


# ---------------------------------------------------------------------------------------------
# The shared batch run (one broken params file among good ones)


@pytest.mark.slow
def test_batch_good_ones_succeed_broken_one_fails():
    run = batch_run()
    assert run.returncode == 1, run.stderr
    ok = {(r["park"], int(r["year"]), r["notebook"]) for r in run.summary if r["status"] == "ok"}
    assert ok == {(p, y, nb) for p, y in good_park_years() for nb in NOTEBOOKS}
    failed = [r for r in run.summary if r["status"] != "ok"]
    assert len(failed) == 1
    assert failed[0]["park"] == "zz-broken"
    assert "year must be an integer such as 2021, got 'twenty-one'" in failed[0]["error"]
    assert list(run.summary[0]) == ["park", "year", "notebook", "status", "seconds", "error"]
    # real run times: in a kept kernel (imports done) the shortest notebook still takes ~0.5 s
    assert all(float(r["seconds"]) > 0.2 for r in run.summary if r["status"] == "ok")
    assert "1 failed" in run.stderr and "zz-broken" in run.stderr


@pytest.mark.slow
def test_batch_writes_every_report():
    run = batch_run()
    for park, year in good_park_years():
        for nb in NOTEBOOKS:
            assert run.report(park, year, nb, ".ipynb").stat().st_size > 10_000
            assert run.report(park, year, nb, ".html").stat().st_size > 100_000
    leftovers = [
        p for p in run.out.rglob("*") if p.name.startswith(".") and p.name.endswith(".tmp")
    ]
    assert leftovers == []


@pytest.mark.slow
def test_index_lists_every_park_year_with_verdict_and_marks_the_failure():
    run = batch_run()
    index = (run.out / "index.html").read_text(encoding="utf-8")
    assert "<title>国家生态工业示范园区 评价报告索引</title>" in index
    assert 'href="nantong-etdz/2021/01_assessment.html"' in index
    assert 'href="nantong-etdz/2021/02_why_indicators_fail.html">未达标指标成因分析</a>' in index
    assert "南通经济技术开发区（2021 年）：符合 HJ 274-2015 的要求。" in index
    row = next(r for r in index.split("<tr") if "zz-broken" in r)
    assert "无法运行" in row and 'class="failed"' in row and "twenty-one" in row
    assert "1 项失败" in index
    assert "http" not in index


# ---------------------------------------------------------------------------------------------
# Failures inside a notebook: the partial notebook is the log


def _notebook(tmp_path: Path, name: str, *sources: str) -> Path:
    params = new_code_cell('park_id = "nantong-etdz"\nyear = 2021\ndata_dir = "../data"')
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(
        cells=[params, *map(new_code_cell, sources)],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def _nantong_target():
    return batch.targets_for_park("nantong-etdz", [2021], DATA)


@pytest.mark.slow
def test_failing_cell_and_time_limits(tmp_path):
    nbs = [
        _notebook(
            tmp_path, "fails", "print('before the error')", "raise ValueError('数据有误 <b>')"
        ),
        _notebook(tmp_path, "slow_cell", "print('started')", "import time; time.sleep(60)"),
        _notebook(
            tmp_path, "slow_notebook", "print('started')", *["import time; time.sleep(5)"] * 5
        ),
        _notebook(tmp_path, "fine", "print(park_id, year)"),
    ]
    out = tmp_path / "out"
    outcomes = batch.run_batch(
        _nantong_target(),
        nbs,
        out_dir=out,
        jobs=2,
        cell_timeout=8,
        notebook_timeout=12,
        progress=False,
    )
    got = {o.notebook: o for o in outcomes}
    assert got["fine"].ok
    assert got["fails"].status == "failed" and "ValueError: 数据有误 <b>" in got["fails"].error
    assert got["slow_cell"].status == "timeout" and "单元格执行超过 8 s" in got["slow_cell"].error
    assert got["slow_notebook"].status == "timeout" and "12 s" in got["slow_notebook"].error
    assert got["slow_notebook"].seconds < 30
    for name in ("fails", "slow_cell", "slow_notebook"):
        nb = nbformat.read(out / "nantong-etdz" / "2021" / f"{name}.ipynb", as_version=4)
        printed = [o.get("text", "") for c in nb.cells for o in c.get("outputs", [])]
        assert any("before the error" in t or "started" in t for t in printed), name
        html = (out / "nantong-etdz" / "2021" / f"{name}.html").read_text(encoding="utf-8")
        assert "本报告生成失败" in html
    assert "数据有误 &lt;b&gt;" in (out / "nantong-etdz" / "2021" / "fails.html").read_text(
        encoding="utf-8"
    )
    with (out / "summary.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["status"] for r in rows] == ["failed", "timeout", "timeout", "ok"]


@pytest.mark.slow
def test_kernel_start_failure_is_retried_once(tmp_path, monkeypatch):
    import zmq
    from jupyter_client.manager import AsyncKernelManager

    real = AsyncKernelManager.start_kernel
    calls = []

    async def flaky(self, **kw):
        calls.append(1)
        if len(calls) == 1:
            raise zmq.ZMQError(98, "Address already in use")
        return await real(self, **kw)

    monkeypatch.setattr(AsyncKernelManager, "start_kernel", flaky)
    nb = _notebook(tmp_path, "fine", "print(year)")
    outcomes = batch.run_batch(
        _nantong_target(), [nb], out_dir=tmp_path / "out", jobs=1, progress=False
    )
    assert [(o.status, o.attempts) for o in outcomes] == [("ok", 2)]
    assert len(calls) == 2


def _printed(out: Path, name: str) -> list[str]:
    nb = nbformat.read(out / "nantong-etdz" / "2021" / f"{name}.ipynb", as_version=4)
    return [o.get("text", "") for c in nb.cells for o in c.get("outputs", [])]


def _kernel_pid(out: Path, name: str) -> int:
    return int(next(t for t in _printed(out, name) if t.startswith("pid ")).split()[1])


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


PID = "import os; print('pid', os.getpid())"


@pytest.mark.slow
def test_kept_kernel_runs_the_next_notebook_in_a_clean_namespace(tmp_path):
    nbs = [
        _notebook(
            tmp_path,
            "sets",
            PID,
            "secret = 42\nimport matplotlib.pyplot as plt\nfig = plt.figure()",
            "import sys; sys.modules['json'].ecopark_mark = 1",
        ),
        _notebook(
            tmp_path,
            "checks",
            PID,
            "assert 'secret' not in globals() and 'fig' not in globals() and 'plt' not in globals()",
            "import matplotlib.pyplot as plt; assert plt.get_fignums() == [], plt.get_fignums()",
            "import json; print('module kept', json.ecopark_mark)",
            "print('history', len(In), In[1].splitlines()[0], len(Out))",
        ),
    ]
    out = tmp_path / "out"
    outcomes = batch.run_batch(_nantong_target(), nbs, out_dir=out, jobs=1, progress=False)
    assert [(o.notebook, o.status, o.error) for o in outcomes] == [
        ("sets", "ok", ""),
        ("checks", "ok", ""),
    ]
    # the same kernel process ran both: modules stay imported, the user namespace does not
    pid = _kernel_pid(out, "sets")
    assert _kernel_pid(out, "checks") == pid
    printed = _printed(out, "checks")
    assert "module kept 1\n" in printed
    # only this notebook's 7 cells in the input history (after the empty In[0]), no output kept
    assert 'history 8 park_id = "nantong-etdz" 0\n' in printed, printed
    nb = nbformat.read(out / "nantong-etdz" / "2021" / "checks.ipynb", as_version=4)
    assert [c.execution_count for c in nb.cells] == [1, 2, 3, 4, 5, 6, 7]
    # the kernel is shut down at the end of the batch
    assert batch._kept is None and _gone(pid)

    out = tmp_path / "fresh"
    outcomes = batch.run_batch(
        _nantong_target(), nbs, out_dir=out, jobs=1, progress=False, fresh_kernels=True
    )
    # --fresh-kernels: a new kernel each, so not even the module attribute survives
    assert [o.status for o in outcomes] == ["ok", "failed"]
    assert "AttributeError" in outcomes[1].error and "ecopark_mark" in outcomes[1].error
    assert _kernel_pid(out, "sets") != _kernel_pid(out, "checks")


@pytest.mark.slow
def test_failed_notebook_discards_its_kernel_and_the_next_one_succeeds(tmp_path):
    nbs = [
        _notebook(tmp_path, "good1", PID, "leftover = 1"),
        _notebook(tmp_path, "fails", PID, "raise ValueError('坏了')"),
        _notebook(tmp_path, "dies", PID, "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"),
        _notebook(tmp_path, "good2", PID, "assert 'leftover' not in globals()", "print(year)"),
    ]
    out = tmp_path / "out"
    outcomes = batch.run_batch(_nantong_target(), nbs, out_dir=out, jobs=1, progress=False)
    got = {o.notebook: o for o in outcomes}
    assert [got[n].status for n in ("good1", "fails", "dies", "good2")] == [
        "ok",
        "failed",
        "failed",
        "ok",
    ]
    assert "ValueError: 坏了" in got["fails"].error
    assert "DeadKernelError" in got["dies"].error
    assert "2021\n" in _printed(out, "good2")
    pids = [_kernel_pid(out, n) for n in ("good1", "fails", "dies", "good2")]
    assert pids[1] == pids[0]  # the good notebook's kernel was kept for the failing one
    assert pids[2] != pids[1] and pids[3] != pids[2]  # each failure discarded its kernel
    assert all(_gone(pid) for pid in pids)


@pytest.mark.slow
def test_dead_kept_kernel_and_reuse_limit_give_a_fresh_kernel(tmp_path, monkeypatch):
    nb = nbformat.read(_notebook(tmp_path, "pid", PID), as_version=4)
    params = {"park_id": "nantong-etdz", "year": 2021, "data_dir": str(DATA)}

    def run() -> int:
        got, status, error, _, cleanup = batch._run_once(nb, params, str(tmp_path), 30, 60, True)
        cleanup()
        assert (status, error) == ("ok", "")
        return int(next(o.text for c in got.cells for o in c.outputs).split()[1])

    try:
        first = run()
        assert run() == first  # kept
        batch._kill(batch._kept.km)  # dies while waiting for its next notebook
        second = run()
        assert second != first and _gone(first)
        monkeypatch.setattr(batch, "KERNEL_REUSE_LIMIT", 2)  # ran 1 notebook: kept once more
        assert run() == second
        third = run()
        assert third != second and _gone(second)
    finally:
        batch.close_kernel()
    assert batch._kept is None and _gone(third)


def test_start_failure_classification():
    import zmq

    empty = new_notebook(cells=[new_code_cell("x = 1")])
    assert batch._is_start_failure(zmq.ZMQError(98, "Address already in use"), None)
    assert batch._is_start_failure(RuntimeError("Kernel didn't respond in 60 seconds"), empty)
    assert batch._is_start_failure(
        RuntimeError("Kernel died before replying to kernel_info"), empty
    )
    ran = new_notebook(cells=[new_code_cell("x = 1", execution_count=1)])
    assert not batch._is_start_failure(RuntimeError("something else"), ran)
    assert not batch._is_start_failure(ValueError("bad"), empty)


# ---------------------------------------------------------------------------------------------
# Dask


@pytest.mark.slow
def test_dask_scheduler_path(tmp_path, capsys):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        out = tmp_path / "dask-reports"
        status = main(
            [
                "run",
                str(ROOT / "params" / "nantong-etdz-2021.yaml"),
                "--notebooks",
                "01_assessment",
                "--out",
                str(out),
                "--scheduler",
                cluster.scheduler_address,
            ]
        )
    err = capsys.readouterr().err
    assert status == 0, err
    html = (out / "nantong-etdz" / "2021" / "01_assessment.html").read_text(encoding="utf-8")
    assert "<title>南通经济技术开发区 2021 年 考核表</title>" in html
    nb = nbformat.read(out / "nantong-etdz" / "2021" / "01_assessment.ipynb", as_version=4)
    # The worker ran on its own copy of the data; the notebook records the caller's folder.
    assert nb.metadata["papermill"]["parameters"]["data_dir"] == str(DATA.resolve())
    with (out / "summary.csv").open(encoding="utf-8-sig") as f:
        assert [r["status"] for r in csv.DictReader(f)] == ["ok"]
