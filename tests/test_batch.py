"""`ecopark run` end to end: params files and targets, the command line, one real batch.

The orchestration with a fake runner is in test_batch_orchestration.py, the real kernels
(time limits, failures, reuse) in test_batch_kernel.py, ``ecopark run --scheduler`` (Dask) in
test_batch_dask.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

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
    assert run.returncode == 2, run.stderr  # a broken params file is bad input
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
            assert run.report(park, year, nb, ".html").stat().st_size > 30_000  # charts inside
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
    assert "无法运行" in row and 'class="failed-row"' in row
    assert '<span class="problems">未运行：参数文件有误或所指的园区、年份不存在</span>' in row
    assert "twenty-one" not in row  # the message is in summary.csv, for the one who runs it
    assert "1 项失败" in index
    assert "http" not in index
