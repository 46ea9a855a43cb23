"""Definitions found by their code (ecopark/standard/registry.py) and `ecopark standards`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ecopark.cli import main
from ecopark.errors import InputError
from ecopark.standard import load_standard, registry

FIXTURES = Path(__file__).parent / "standards_schema"


@pytest.fixture(autouse=True)
def _no_user_folders(monkeypatch):
    monkeypatch.delenv(registry.ENV_VAR, raising=False)


def user_folder(tmp_path: Path, name: str = "mine", code: str = "SYN 1-2026") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    shutil.copy(FIXTURES / "items.csv", folder / "items.csv")
    text = (FIXTURES / "valid.yaml").read_text(encoding="utf-8")
    (folder / "syn.yaml").write_text(text.replace("SYN 1-2026", code), encoding="utf-8")
    return folder


def test_the_package_standard_by_code_and_id():
    entry = registry.find("HJ 274-2015")
    assert entry.path == registry.PACKAGE_FOLDER / "hj274_2015.yaml"
    assert entry.indicators == 32
    assert registry.find("hj274-2015") == entry
    assert registry.find("hj 274-2015") == entry
    assert load_standard("hj274-2015").code == "HJ 274-2015"


def test_a_user_folder_from_the_environment(tmp_path, monkeypatch):
    folder = user_folder(tmp_path)
    monkeypatch.setenv(registry.ENV_VAR, os.pathsep.join([str(tmp_path / "nowhere"), str(folder)]))
    entry = registry.find("SYN 1-2026")
    assert (entry.path, entry.id, entry.indicators) == (folder / "syn.yaml", "synthetic-1", 6)
    assert entry.tiers == ("basic", "must", "feature")
    assert registry.find("synthetic-1") == entry
    found = registry.scan()
    assert found.codes == ["HJ 274-2015", "SYN 1-2026"]
    assert any("nowhere" in p.file and "is not a folder" in p.message for p in found.skipped)


def test_a_folder_given_to_the_call(tmp_path):
    folder = user_folder(tmp_path)
    assert registry.find("SYN 1-2026", [folder]).path == folder / "syn.yaml"
    with pytest.raises(InputError, match="unknown standard 'SYN 1-2026'; known: HJ 274-2015"):
        registry.find("SYN 1-2026")


def test_two_files_claiming_one_code(tmp_path):
    one, two = user_folder(tmp_path, "one"), user_folder(tmp_path, "two")
    with pytest.raises(InputError) as caught:
        registry.find("SYN 1-2026", [one, two])
    files = sorted(p.file for p in caught.value.problems)
    assert files == sorted(str(f / "syn.yaml") for f in (one, two))
    assert "and so does" in caught.value.problems[0].message
    # the other standards are still found
    assert registry.find("HJ 274-2015", [one, two]).indicators == 32


def test_a_copy_of_the_shipped_standard_clashes(tmp_path):
    folder = tmp_path / "copy"
    folder.mkdir()
    shutil.copy(registry.PACKAGE_FOLDER / "hj274_2015.yaml", folder / "hj.yaml")
    with pytest.raises(InputError, match="claims the standard 'HJ 274-2015'"):
        registry.find("HJ 274-2015", [folder])


def test_files_that_are_not_definitions_are_skipped(tmp_path):
    folder = tmp_path / "misc"
    folder.mkdir()
    (folder / "notes.yaml").write_text("title: my notes\n", encoding="utf-8")
    (folder / "broken.yml").write_text("code: [x\n", encoding="utf-8")
    (folder / "readme.txt").write_text("code: X\n", encoding="utf-8")
    found = registry.scan([folder])
    assert found.codes == ["HJ 274-2015"]
    skipped = {Path(p.file).name: p.message for p in found.skipped}
    assert set(skipped) == {"notes.yaml", "broken.yml"}
    assert "no code:" in skipped["notes.yaml"]


def test_added_folders_restores_the_environment(tmp_path):
    folder = user_folder(tmp_path)
    with registry.added_folders([folder]):
        assert os.environ[registry.ENV_VAR] == str(folder.resolve())
        assert registry.find("SYN 1-2026").path == folder / "syn.yaml"
    assert registry.ENV_VAR not in os.environ
    with pytest.raises(InputError, match="is not a folder"):
        with registry.added_folders([tmp_path / "nowhere"]):
            pass


def test_park_yaml_naming_an_unknown_standard_lists_the_known(tmp_path):
    from ecopark.io.config import load_config

    park = tmp_path / "p"
    park.mkdir()
    (park / "park.yaml").write_text(
        "id: p\nname: 测试园区\nbase_year: 2015\nstandard: XX 1-2000\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="unknown standard 'XX 1-2000'; known: HJ 274-2015"):
        load_config(park)


# --- the command line -------------------------------------------------------------------------


def test_cli_lists_the_standards(tmp_path, capsys):
    folder = user_folder(tmp_path)
    assert main(["standards", "--standards", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "HJ 274-2015  (id hj274-2015)  国家生态工业示范园区标准" in out
    assert "SYN 1-2026  (id synthetic-1)  合成测试标准" in out
    assert "6 indicators; tiers: basic, must, feature" in out
    assert str(folder / "syn.yaml") in out
    assert main(["--standards", str(folder), "standards"]) == 0
    assert "SYN 1-2026" in capsys.readouterr().out
    assert registry.ENV_VAR not in os.environ


def test_cli_reports_a_clash_with_exit_2(tmp_path, capsys):
    one, two = user_folder(tmp_path, "one"), user_folder(tmp_path, "two")
    assert main(["standards", "--standards", str(one), "--standards", str(two)]) == 2
    err = capsys.readouterr().err
    assert err.count("claims the standard 'SYN 1-2026'") == 2


def test_cli_standards_folder_must_exist(tmp_path, capsys):
    assert main(["standards", "--standards", str(tmp_path / "nowhere")]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_cli_check_ok(capsys):
    assert main(["standards", "check", str(FIXTURES / "valid.yaml")]) == 0
    assert capsys.readouterr().out.startswith("OK: ")


def test_cli_check_reports_every_problem_with_its_line(capsys):
    assert main(["standards", "check", str(FIXTURES / "cases-not-choices.yaml")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2
    assert err[0].startswith("ecopark: error: ") and ", line 62: indicator A1: cases by" in err[0]
    assert ", line 68: indicator A1: case 'industry'" in err[1]
    assert "Traceback" not in "\n".join(err)


def test_cli_check_a_missing_file(tmp_path, capsys):
    assert main(["standards", "check", str(tmp_path / "none.yaml")]) == 2
    assert "cannot be read" in capsys.readouterr().err
