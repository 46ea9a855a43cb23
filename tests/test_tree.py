"""assess_tree: every park-year of a data folder, the same in one process or several."""

from __future__ import annotations

import csv
import io
import shutil

import pandas as pd

import ecopark
from conftest import DATA
from ecopark.cli import main
from ecopark.tree import assess_tree


def test_tree_of_the_bundled_data_in_one_and_two_processes(tmp_path):
    for name in ("nantong-etdz", "example-park"):
        shutil.copytree(DATA / name, tmp_path / name)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "park.yaml").write_text("id: other\n", encoding="utf-8")
    one = assess_tree(tmp_path, jobs=1)
    two = assess_tree(tmp_path, jobs=2)
    pd.testing.assert_frame_equal(one, two)
    nantong = one[(one["park"] == "nantong-etdz") & (one["year"] == 2021)].iloc[0]
    assert bool(nantong["compliant"]) and nantong["failing"] == ["3", "4", "9", "12", "28"]
    assert nantong["not_computable"] == 0 and nantong["reasons"] == []
    example = one[(one["park"] == "example-park") & (one["year"] == 2020)].iloc[0]
    assert not example["compliant"] and any("指标 19" in r for r in example["reasons"])
    assert isinstance(example["reasons"], list) and all("；" not in r for r in example["reasons"])
    broken = one[one["park"] == "broken"].iloc[0]
    assert "differs from the folder name" in broken["error"]
    assert len(one) == 3 + 9 + 1


def test_assess_command_csv(capsys, tmp_path):
    shutil.copytree(DATA / "nantong-etdz", tmp_path / "nantong-etdz")
    assert main(["assess", str(tmp_path), "--csv", "--jobs", "1"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    # the base year and a history-only year are not judged: never 不符合 (issue 9, item 6)
    assert [(r["park"], r["year"], r["compliant"], r["judged"]) for r in rows] == [
        ("nantong-etdz", "2015", "", "False"),
        ("nantong-etdz", "2018", "", "False"),
        ("nantong-etdz", "2021", "True", "True"),
    ]
    assert rows[0]["judged_reason"] == "2015 年为基准年"
    assert rows[1]["judged_reason"].startswith("仅有历史数据") and rows[2]["judged_reason"] == ""
    assert rows[2]["failing"] == "3 4 9 12 28"


def test_assess_csv_under_a_chosen_standard(capsys, tmp_path):
    """``ecopark assess DIR --csv --standard CODE --standards DIR``: the parks naming CODE,
    each under it, in one process and two; the others skipped with a note on stderr, exit 0;
    exit 2 when no park names it."""
    from ecopark.standard import model

    standards = str(DATA.parent / "tests" / "standards")
    for name in ("two-standards",):
        shutil.copytree(DATA.parent / "tests" / "data" / name, tmp_path / name)
    shutil.copytree(DATA / "nantong-etdz", tmp_path / "nantong-etdz")
    code = "SYNTH-DEMO 0.1"
    args = ["assess", str(tmp_path), "--csv", "--standard", code, "--standards", standards]
    try:
        assert main([*args, "--jobs", "1"]) == 0
        out, err = capsys.readouterr()
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [(r["park"], r["year"], r["compliant"], r["failing"]) for r in rows] == [
            ("two-standards", "2015", "", "C1"),
            ("two-standards", "2018", "False", ""),
            ("two-standards", "2021", "False", "A3 B2"),
        ]
        assert rows[2]["reasons"].startswith(
            "必选指标 A3「可再生能源使用比例」未达标：0.0026%，要求 ≥5%；"
        )
        assert "nantong-etdz/park.yaml: skipped: its standard: names HJ 274-2015 only" in err
        assert main([*args, "--jobs", "2"]) == 0
        assert capsys.readouterr().out == out
        # the per-park text output skips it alike
        assert main(["assess", str(tmp_path), "--standard", code, "--standards", standards]) == 0
        out, err = capsys.readouterr()
        assert "必选指标 A3「可再生能源使用比例」未达标：0.0026%，要求 ≥5%" in out
        assert "nantong-etdz/park.yaml: skipped" in err
        # no park names it: an error, nothing written
        shutil.rmtree(tmp_path / "two-standards")
        assert main([*args, "--jobs", "1"]) == 2
        out, err = capsys.readouterr()
        assert out == "" and "no park here names SYNTH-DEMO 0.1" in err
    finally:
        model.load_standard.cache_clear()


def test_assess_tree_takes_a_standard(tmp_path, monkeypatch):
    from ecopark.standard import model, registry

    monkeypatch.setenv(registry.ENV_VAR, str(DATA.parent / "tests" / "standards"))
    model.load_standard.cache_clear()
    try:
        shutil.copytree(
            DATA.parent / "tests" / "data" / "two-standards", tmp_path / "two-standards"
        )
        shutil.copytree(DATA / "example-park", tmp_path / "example-park")
        got = assess_tree(tmp_path, jobs=1, standard=model.load_standard("SYNTH-DEMO 0.1"))
        assert list(got["park"]) == ["two-standards"] * 3
        assert list(got.attrs["skipped"]) == ["example-park"]
        long = ecopark.results(tmp_path, standard="SYNTH-DEMO 0.1")
        assert set(long["park"]) == {"two-standards"} and "A3" in set(long["number"])
        default = assess_tree(tmp_path, jobs=1)
        assert len(default) == 9 + 3 and default.attrs["skipped"] == {}
    finally:
        model.load_standard.cache_clear()
