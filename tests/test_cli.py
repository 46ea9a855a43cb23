"""The ``ecopark table`` and ``ecopark check`` commands: formats, exit codes, bad input."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from ecopark.cli import main
from parkfiles import ROOT, nantong_copy


def _installed_command() -> list[str]:
    """The ``ecopark`` script beside this Python (or on PATH), else ``python -m ecopark``."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    found = shutil.which("ecopark", path=path)
    return [found] if found else [sys.executable, "-m", "ecopark"]


ECOPARK = _installed_command()


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def expected_rows(expected_nantong_csv):
    return list(csv.DictReader(expected_nantong_csv.open(encoding="utf-8")))


# --- formats -------------------------------------------------------------------------------


def test_csv_equals_the_official_table_byte_for_byte(capsys, nantong_dir, expected_nantong_csv):
    code, out, err = run(capsys, "table", nantong_dir, 2021, "--format", "csv")
    assert code == 0 and err == ""
    assert out.encode("utf-8") == expected_nantong_csv.read_bytes()


def test_csv_is_the_default_format(capsys, nantong_dir, expected_nantong_csv):
    code, out, _ = run(capsys, "table", nantong_dir, 2021)
    assert code == 0 and out.encode("utf-8") == expected_nantong_csv.read_bytes()


@pytest.mark.slow
def test_the_installed_command_prints_the_official_table(expected_nantong_csv):
    proc = subprocess.run(
        [*ECOPARK, "table", "data/nantong-etdz", "2021", "--format", "csv"],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == expected_nantong_csv.read_bytes()


def test_json(capsys, nantong_dir, expected_rows):
    code, out, _ = run(capsys, "table", nantong_dir, 2021, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["park"] == "nantong-etdz" and data["year"] == 2021
    assert data["compliant"] is True and data["reasons"] == []
    indicators = data["indicators"]
    assert [i["number"] for i in indicators] == list(range(1, 33))
    for got, want in zip(indicators, expected_rows, strict=True):
        assert got["indicator"] == want["indicator"] and got["requirement"] == want["requirement"]
        assert got["role"] == want["role"] and (got["value"] or "") == want["value"]
        assert {True: "true", False: "false", None: ""}[got["passed"]] == want["passed"]
    assert indicators[11]["value_unrounded"] == pytest.approx(51.8 / 1974333.51 * 100)
    assert indicators[9]["value_unrounded"] == pytest.approx(-0.0254127, abs=1e-7)
    assert indicators[16]["value_unrounded"] == "达标"
    assert indicators[28]["value_unrounded"] == 20.2


def test_json_of_a_non_compliant_park_gives_the_reasons(capsys, tmp_path):
    folder = nantong_copy(
        tmp_path, {"selected_optional": [2, 6, 7, 8, 11, 14, 27]}, drop={2021: {"renewable_energy"}}
    )
    code, out, _ = run(capsys, "table", folder, 2021, "--format", "json")
    assert code == 0  # a non-compliant park is a result, not an error
    data = json.loads(out)
    assert data["compliant"] is False
    assert len(data["reasons"]) == 1 and "注 b" in data["reasons"][0]
    twelve = data["indicators"][11]
    assert (
        twelve["value"] is None and twelve["value_unrounded"] is None and twelve["passed"] is None
    )
    assert "可再生能源使用量" in twelve["not_computable_reason"]


def test_markdown(capsys, nantong_dir):
    code, out, _ = run(capsys, "table", nantong_dir, 2021, "--format", "markdown")
    assert code == 0
    assert "南通经济技术开发区" in out and "**达标**" in out
    assert "| number | category | indicator | unit | requirement | role | value | passed |" in out
    assert "| 12 | 资源节约 | 可再生能源使用比例 | % | ≥9 | optional | 0.0026 | false |" in out
    assert "| 10 | 资源节约 | 综合能耗弹性系数 |  | ≤0.6 | must | -0.03 | true |" in out
    assert sum(line.startswith("| ") for line in out.splitlines()) == 33


def test_xlsx_with_output_file(capsys, tmp_path, nantong_dir, expected_rows):
    target = tmp_path / "out" / "nantong-2021.xlsx"
    code, out, err = run(capsys, "table", nantong_dir, 2021, "--format", "xlsx", "-o", target)
    assert code == 0 and out == "" and "wrote" in err
    wb = openpyxl.load_workbook(target)  # the layout is officetable's; check the content
    cells = [
        c
        for ws in wb.worksheets
        for r in ws.iter_rows(values_only=True)
        for c in r
        if c is not None
    ]
    texts = " ".join(map(str, cells))
    assert "南通经济技术开发区" in texts
    for r in expected_rows:
        assert r["indicator"] in texts
    numbers = {c for c in cells if isinstance(c, int | float)}
    assert {46.54, 0.0026, 95.84, -2.88, 8.22} <= numbers or {"46.54", "0.0026"} <= set(cells)
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary file left


def test_xlsx_to_standard_output_is_refused(capsys, nantong_dir):
    code, out, err = run(capsys, "table", nantong_dir, 2021, "--format", "xlsx")
    assert code == 2 and out == "" and "-o FILE.xlsx" in err


@pytest.mark.parametrize("fmt", ["csv", "json", "markdown"])
def test_output_file_has_what_standard_output_has(capsys, tmp_path, nantong_dir, fmt):
    _, printed, _ = run(capsys, "table", nantong_dir, 2021, "--format", fmt)
    target = tmp_path / f"t.{fmt}"
    code, out, _ = run(capsys, "table", nantong_dir, 2021, "--format", fmt, "-o", target)
    assert code == 0 and out == ""
    bom = "\ufeff" if fmt == "csv" else ""  # a CSV file opens in Excel; printed CSV has none
    assert not printed.startswith("\ufeff")
    assert target.read_text(encoding="utf-8") == bom + printed


@pytest.mark.parametrize(
    "argv",
    [
        ["table", ROOT / "data" / "nantong-etdz", "2021"],
        ["gaps", ROOT / "data" / "nantong-etdz", "2021"],
        ["attribute", ROOT / "data" / "nantong-etdz"],
        ["assess", ROOT / "data", "--csv"],
    ],
    ids=["table", "gaps", "attribute", "assess"],
)
def test_csv_files_have_a_bom_unless_no_bom(capsys, tmp_path, argv):
    _, printed, _ = run(capsys, *argv)
    with_bom, without = tmp_path / "a.csv", tmp_path / "b.csv"
    assert run(capsys, *argv, "-o", with_bom)[0] == 0
    assert run(capsys, *argv, "-o", without, "--no-bom")[0] == 0
    assert with_bom.read_bytes() == b"\xef\xbb\xbf" + printed.encode("utf-8")
    assert without.read_bytes() == printed.encode("utf-8")


def test_assess_output_needs_csv(capsys, tmp_path):
    code, _, err = run(capsys, "assess", ROOT / "data", "-o", tmp_path / "a.csv")
    assert code == 2 and "--csv" in err and not (tmp_path / "a.csv").exists()


def test_output_to_a_folder_is_an_input_error(capsys, tmp_path, nantong_dir):
    code, _, err = run(capsys, "table", nantong_dir, 2021, "-o", tmp_path)
    assert code == 2 and "is a folder" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


# --- bad input through the command line ----------------------------------------------------


def _bad_csv(folder: Path, text: str, year: int = 2021) -> None:
    (folder / f"{year}.csv").write_text(text, encoding="utf-8")


# (id, how to break a Nantong copy, words the error must hold)
BAD = [
    (
        "unknown-item",
        lambda f: _bad_csv(f, "item,value,unit\nvalue_add,1,万元\n"),
        ["2021.csv, line 2, item 'value_add'", "did you mean 'value_added'"],
    ),
    (
        "duplicate",
        lambda f: _bad_csv(f, "item,value,unit\nenergy,1,吨标煤\nenergy,2,吨标煤\n"),
        ["2021.csv, line 3, item 'energy'", "twice"],
    ),
    (
        "not-a-number",
        lambda f: _bad_csv(f, "item,value,unit\nenergy,x,吨标煤\n"),
        ["line 2, item 'energy'", "not a number"],
    ),
    ("negative", lambda f: _bad_csv(f, "item,value,unit\nenergy,-2,吨标煤\n"), ["negative"]),
    ("nan", lambda f: _bad_csv(f, "item,value,unit\nenergy,nan,吨标煤\n"), ["not a finite number"]),
    (
        "wrong-unit",
        lambda f: _bad_csv(f, "item,value,unit\nindustrial_land,19.1,亿元\n"),
        ["item 'industrial_land'", "not a unit of area"],
    ),
    (
        "no-header",
        lambda f: _bad_csv(f, "energy,1,吨标煤\n"),
        ["2021.csv, line 1", "item,value,unit"],
    ),
    ("binary", lambda f: (f / "2021.csv").write_bytes(b"PK\x03\x04" + bytes(200)), ["zip file"]),
    (
        "utf16",
        lambda f: (f / "2021.csv").write_bytes("item,value,unit\n".encode("utf-16")),
        ["neither UTF-8 nor GB18030"],
    ),
    (
        "history-file",
        lambda f: _bad_csv(f, "item,value,unit\nvalue_added,-1,万元\n", 2018),
        ["2018.csv, line 2, item 'value_added'"],
    ),
    ("no-park-yaml", lambda f: (f / "park.yaml").unlink(), ["park.yaml", "missing"]),
    (
        "not-yaml",
        lambda f: (f / "park.yaml").write_text("id: [x\n", encoding="utf-8"),
        ["park.yaml", "not valid YAML"],
    ),
    (
        "unknown-key",
        lambda f: (f / "park.yaml").open("a", encoding="utf-8").write("colour: red\n"),
        ["park.yaml", "item 'colour'", "unknown key"],
    ),
    (
        "id-differs",
        lambda f: (f / "park.yaml").write_text(
            (f / "park.yaml")
            .read_text(encoding="utf-8")
            .replace("id: nantong-variant", "id: nantong"),
            encoding="utf-8",
        ),
        ["park.yaml, line", "differs from the folder name"],
    ),
    (
        "water-region",
        lambda f: (f / "park.yaml").write_text(
            (f / "park.yaml")
            .read_text(encoding="utf-8")
            .replace("water_region: other", "water_region: 北方"),
            encoding="utf-8",
        ),
        ["item 'water_region'", "water_scarce"],
    ),
    (
        "must-selected",
        lambda f: (f / "park.yaml").write_text(
            (f / "park.yaml").read_text(encoding="utf-8").replace("- 27", "- 10"), encoding="utf-8"
        ),
        ["item 'selected_optional'", "indicator 10 is not an optional"],
    ),
    ("no-year-file", lambda f: (f / "2021.csv").unlink(), ["2021.csv", "does not exist"]),
]


@pytest.mark.parametrize(("breaker", "words"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_bad_input_exits_2_without_a_traceback_or_an_output_file(
    capsys, tmp_path, breaker, words, fmt
):
    folder = nantong_copy(tmp_path / "parks")
    breaker(folder)
    target = tmp_path / "out" / f"table.{fmt}"
    code, out, err = run(capsys, "table", folder, 2021, "--format", fmt, "-o", target)
    assert code == 2
    assert out == "" and "Traceback" not in err
    assert err.startswith("ecopark: error: ")
    for word in words:
        assert word in err
    assert not target.exists()
    assert not target.parent.exists() or list(target.parent.iterdir()) == []


@pytest.mark.parametrize(("breaker", "words"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_check_reports_the_same_problem(capsys, tmp_path, breaker, words):
    folder = nantong_copy(tmp_path)
    breaker(folder)
    code, out, err = run(capsys, "check", folder)
    if "does not exist" in words:  # a missing year is not a problem of the folder
        assert code == 0
        return
    assert code == 2 and "Traceback" not in err
    for word in words:
        assert word in err


@pytest.mark.slow
def test_the_installed_command_on_bad_input(capsys, tmp_path):
    """The installed command's exit status and stderr on bad input (one process: main's status
    is the process's, as for every command); ``check`` on the same folder runs in this process."""
    folder = nantong_copy(tmp_path)
    _bad_csv(folder, "item,value,unit\nvalue_added,4906200,万元\nenergy,lots,吨标煤\n")
    target = tmp_path / "table.csv"
    proc = subprocess.run(
        [*ECOPARK, "table", str(folder), "2021", "-o", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert "2021.csv, line 3, item 'energy'" in proc.stderr and "not a number" in proc.stderr
    assert not target.exists()
    code, _, err = run(capsys, "check", folder)
    assert code == 2 and "Traceback" not in err
    assert "2021.csv, line 3, item 'energy'" in err


def test_an_existing_output_file_is_kept_when_the_input_is_bad(capsys, tmp_path):
    folder = nantong_copy(tmp_path)
    target = tmp_path / "table.csv"
    target.write_text("old\n", encoding="utf-8")
    _bad_csv(folder, "item,value,unit\nenergy,-1,吨标煤\n")
    code, _, _ = run(capsys, "table", folder, 2021, "-o", target)
    assert code == 2 and target.read_text(encoding="utf-8") == "old\n"


def test_check_lists_all_problems_across_files(capsys, tmp_path):
    folder = nantong_copy(tmp_path)
    _bad_csv(folder, "item,value,unit\nenergy,-1,吨标煤\nvalue_add,1,万元\n", 2015)
    _bad_csv(folder, "item,value,unit\nindustrial_land,19.1,亿元\n", 2018)
    (folder / "2021.csv").write_bytes(b"PK\x03\x04" + bytes(100))
    code, out, err = run(capsys, "check", folder)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 5
    assert "2015.csv, line 2, item 'energy'" in lines[0]
    assert "2015.csv, line 3, item 'value_add'" in lines[1]
    assert "2018.csv, line 2, item 'industrial_land'" in lines[2]
    assert "2021.csv" in lines[3] and "zip file" in lines[3]
    assert "4 problem(s) found" in lines[4]


def test_check_with_bad_park_yaml_and_bad_year_files(capsys, tmp_path):
    folder = nantong_copy(tmp_path)
    with (folder / "park.yaml").open("a", encoding="utf-8") as f:
        f.write("colour: red\n")
    _bad_csv(folder, "item,value,unit\nenergy,-1,吨标煤\n", 2015)
    code, _, err = run(capsys, "check", folder)
    assert code == 2
    assert "item 'colour'" in err and "2015.csv, line 2, item 'energy'" in err
    assert "2 problem(s) found" in err


def test_check_passes_on_nantong(capsys, nantong_dir):
    code, out, err = run(capsys, "check", nantong_dir)
    assert code == 0 and "error" not in err
    assert "valid" in out and "2015, 2018, 2021" in out
    # the data checks are listed as findings, not errors: the land area carried from 2018, and
    # the renewables whose own note doubts them
    assert "5 data-check finding(s)" in out
    assert "data check:" in err and "industrial_land" in err and "19.1" in err
    assert "[warning] renewable_energy" in err and "单位或口径存疑" in err


def test_check_lists_bad_sector_files(capsys, tmp_path):
    folder = nantong_copy(tmp_path)
    (folder / "sectors").mkdir()
    (folder / "sectors" / "2021.csv").write_text(
        "sector,item,value,unit,note\n化工,energy,-5,吨标煤,\n化工,employees,3,人,\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "check", folder)
    assert code == 2 and "sectors/2021.csv" in err and "energy" in err and "employees" in err


def test_xlsx_header_carries_the_filled_on_date(capsys, tmp_path, nantong_dir):
    out_file = tmp_path / "t.xlsx"
    code, _, _ = run(
        capsys,
        "table",
        nantong_dir,
        "2021",
        "--format",
        "xlsx",
        "-o",
        out_file,
        "--filled-on",
        "2022-08-04",
    )
    assert code == 0
    cells = [
        c
        for row in openpyxl.load_workbook(out_file)
        .worksheets[0]
        .iter_rows(max_row=3, values_only=True)
        for c in row
        if c
    ]
    assert "填报时间：2022 年 8 月 4 日" in cells


def test_check_warns_but_passes_without_a_base_year_file(capsys, tmp_path):
    folder = nantong_copy(tmp_path, years=(2018, 2021))
    code, out, err = run(capsys, "check", folder)
    assert code == 0 and "warning" in err and "2015" in err and "valid" in out


def test_a_year_that_is_not_a_number(capsys, nantong_dir):
    with pytest.raises(SystemExit) as exc:
        main(["table", str(nantong_dir), "twenty"])
    assert exc.value.code == 2


def test_assess_command_on_a_data_folder(capsys, tmp_path):
    nantong_copy(tmp_path, park_id="a-park")
    nantong_copy(tmp_path, {"selected_optional": [2]}, park_id="b-park")
    code, out, _ = run(capsys, "assess", tmp_path)
    assert code == 0
    assert out.count("南通经济技术开发区（2018 年）") == 2
    assert out.count("南通经济技术开发区（2021 年）") == 2
    assert "符合 HJ 274-2015 的要求。" in out and "至少应选择 6 项" in out


@pytest.mark.slow
def test_python_dash_m_ecopark_is_the_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ecopark", "table", "data/nantong-etdz", "2021", "--format", "csv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    expected = (ROOT / "tests" / "data" / "nantong-etdz-2021-expected.csv").read_text(
        encoding="utf-8"
    )
    assert done.stdout == expected


def test_one_run_leaves_nothing_for_the_next(capsys):
    """main() parses with one parser per process: a run's options are not the next run's."""
    standards = str(ROOT / "tests" / "standards")
    for argv, synthetic in (
        (["--standards", standards, "standards"], True),
        (["standards"], False),
        (["standards", "--standards", standards], True),
        (["standards"], False),
    ):
        assert main(argv) == 0
        assert ("SYNTH-DEMO" in capsys.readouterr().out) is synthetic, argv
