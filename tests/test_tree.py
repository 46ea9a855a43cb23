"""assess_tree: every park-year of a data folder, the same in one process or several."""

from __future__ import annotations

import csv
import io
import shutil

import pandas as pd

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
