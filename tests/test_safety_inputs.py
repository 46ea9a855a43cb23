"""Never overwrite what was read, keep every backup, and read nothing outside the park folder.

- every command refuses to write its output onto a file it read (a year file, park.yaml, a
  sector file, the workbook being imported), also through a symbolic or a hard link: exit 2,
  a message naming both, the file untouched;
- backups get names no file has (two within one second are two files), and ``--force`` says
  where they are;
- a year file, sector file or park.yaml that is a link leading out of the park folder is bad
  input, and nothing of the file it leads to is shown; a params ``park_id`` or ``--park`` that
  climbs out (``..``, ``/``) is bad input; reports are written only inside ``--out``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from ecopark import cli
from ecopark.errors import InputError
from ecopark.io.atomic import keep_copy, refuse_inputs, same_file
from ecopark.io.confine import data_dir_problem, inside
from ecopark.reports import batch
from ecopark.reports.batch.job import JobResult, Outcome
from ecopark.reports.params import ParamsError, load_params

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data" / "example-park"
SECRET = "SECRET-LINE-never-shown"


@pytest.fixture()
def park(tmp_path) -> Path:
    folder = tmp_path / "example-park"
    shutil.copytree(EXAMPLE, folder)
    return folder


def _digest(folder: Path) -> dict[str, bytes]:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {str(p.relative_to(folder)): p.read_bytes() for p in files}


# --------------------------------------------------------------------------------------------
# Outputs onto inputs


def _outputs_onto_inputs(park: Path, tmp_path: Path) -> list[Path]:
    (tmp_path / "soft.yaml").symlink_to(park / "park.yaml")
    os.link(park / "2020.csv", tmp_path / "hard.csv")
    (tmp_path / "soft-sector.csv").symlink_to(park / "sectors" / "2021.csv")
    return [
        park / "2021.csv",
        park / "2015.csv",
        park / "park.yaml",
        park / "sectors" / "2021.csv",
        tmp_path / "soft.yaml",
        tmp_path / "hard.csv",
        tmp_path / "soft-sector.csv",
    ]


@pytest.mark.parametrize(
    "command",
    [
        ["table", "{park}", "2021", "--format", "csv"],
        ["table", "{park}", "2021", "--format", "xlsx"],
        ["gaps", "{park}", "2021"],
        ["attribute", "{park}", "--format", "json"],
    ],
)
def test_no_command_writes_onto_a_file_it_read(park, tmp_path, capsys, command):
    before = _digest(park)
    for target in _outputs_onto_inputs(park, tmp_path):
        argv = [a.format(park=park) for a in command] + ["-o", str(target)]
        assert cli.main(argv) == 2, target
        err = capsys.readouterr().err
        assert "is a file this command reads" in err and "Traceback" not in err
        assert err.count("\n") == 1, err  # one line
        if target.parent == tmp_path:  # a link: the message names the file it leads to
            assert "the same file as" in err
    assert _digest(park) == before
    assert (tmp_path / "hard.csv").read_bytes() == before["2020.csv"]
    # an ordinary output next to the park is written
    assert cli.main([a.format(park=park) for a in command] + ["-o", str(tmp_path / "x.out")]) == 0


@pytest.mark.parametrize("command", [["table", "{park}", "2099"], ["gaps", "{park}", "2099"]])
def test_an_output_onto_an_input_is_refused_before_any_work(park, capsys, command):
    """The park has no 2099: the refusal of the output comes first, before the assessment
    (which would fail on the year), so the command fails fast and writes nothing."""
    before = _digest(park)
    argv = [a.format(park=park) for a in command]
    assert cli.main([*argv, "-o", str(park / "park.yaml")]) == 2
    err = capsys.readouterr().err
    assert "is a file this command reads" in err and "2099" not in err, err
    assert _digest(park) == before
    assert cli.main([*argv, "-o", str(park.parent / "x.out")]) == 2  # now the year is the problem
    assert "2099" in capsys.readouterr().err
    assert not (park.parent / "x.out").exists()


def test_template_never_writes_onto_park_yaml(park, capsys):
    before = (park / "park.yaml").read_bytes()
    for force in ([], ["--force"]):
        argv = ["template", str(park), "2024", "--format", "csv", "-o", str(park / "park.yaml")]
        argv += force
        assert cli.main(argv) == 2
        assert "is a file this command reads" in capsys.readouterr().err
    assert (park / "park.yaml").read_bytes() == before
    assert not list(park.glob("park.yaml.bak-*"))


def test_import_never_writes_onto_the_workbook(park, tmp_path, capsys):
    book = tmp_path / "filled.xlsx"
    assert cli.main(["table", str(park), "2021", "--format", "xlsx", "-o", str(book)]) == 0
    capsys.readouterr()
    data = book.read_bytes()
    new = tmp_path / "new-park"
    new.mkdir()
    argv = ["import-table", str(book), "--park-dir", str(new), "--year", "2021", "--force"]
    argv += ["--base-year", "2015"]
    for name in ("2021.csv", "2015.csv", "park.yaml"):  # a file the import writes is the workbook
        os.link(book, new / name)
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("ecopark: error: ") and "Traceback" not in err
        assert book.read_bytes() == data and [p.name for p in new.iterdir()] == [name]
        (new / name).unlink()
    # the check itself, for targets the importer would not read first
    from ecopark.io.atomic import refuse_inputs

    os.link(book, new / "2021.csv")
    with pytest.raises(InputError, match="2021.csv: is a file this command reads"):
        refuse_inputs([new / "2022.csv", new / "2021.csv"], [book], "import elsewhere")


def test_same_file_and_refuse_inputs(tmp_path):
    a = tmp_path / "a.csv"
    a.write_text("x", encoding="utf-8")
    (tmp_path / "l.csv").symlink_to(a)
    os.link(a, tmp_path / "h.csv")
    (tmp_path / "other.csv").write_text("x", encoding="utf-8")
    assert same_file(a, tmp_path / "l.csv") and same_file(tmp_path / "h.csv", tmp_path / "l.csv")
    assert not same_file(a, tmp_path / "other.csv") and not same_file(a, tmp_path / "none")
    refuse_inputs([tmp_path / "other.csv", tmp_path / "new.csv"], [a])
    with pytest.raises(InputError) as info:
        refuse_inputs([tmp_path / "h.csv", tmp_path / "l.csv"], [a, tmp_path / "missing"])
    assert len(info.value.problems) == 2


# --------------------------------------------------------------------------------------------
# Backups


def test_backups_within_one_second_are_all_kept(tmp_path):
    f = tmp_path / "2021.csv"
    now = dt.datetime(2026, 1, 2, 3, 4, 5)
    kept = []
    for n in range(3):
        f.write_text(f"version {n}", encoding="utf-8")
        kept.append(keep_copy(f, now=now))
    assert [p.name for p in kept] == [
        "2021.csv.bak-20260102-030405",
        "2021.csv.bak-20260102-030405-2",
        "2021.csv.bak-20260102-030405-3",
    ]
    assert [p.read_text(encoding="utf-8") for p in kept] == [f"version {n}" for n in range(3)]
    moved = keep_copy(f, move=True, now=now)
    assert not f.exists() and moved.read_text(encoding="utf-8") == "version 2"
    assert moved.name.endswith("-4")


def test_two_template_force_runs_in_one_second_keep_both_originals(park, capsys):
    from ecopark.tables.template import write_template

    target = park / "2021.csv"
    original = target.read_bytes()
    now = dt.datetime(2026, 1, 2, 3, 4, 5)
    _, first = write_template(park, 2021, force=True, now=now)
    template = target.read_bytes()
    _, second = write_template(park, 2021, force=True, now=now)
    assert first[0] != second[0]
    assert first[0].read_bytes() == original and second[0].read_bytes() == template
    # and the command says where each backup is
    assert cli.main(["template", str(park), "2021", "--force"]) == 0
    err = capsys.readouterr().err
    backups = sorted(park.glob("2021.csv.bak-*"))
    assert len(backups) == 3
    assert "kept a copy: " in err and any(b.name in err for b in backups)


def test_two_import_force_runs_in_one_second_keep_both_originals(park, tmp_path):
    from ecopark.tables.importer import import_office_table

    book = tmp_path / "filled.xlsx"
    assert cli.main(["table", str(park), "2021", "--format", "xlsx", "-o", str(book)]) == 0
    original = (park / "2021.csv").read_bytes()
    now = dt.datetime(2026, 1, 2, 3, 4, 5)
    one = import_office_table(book, park, 2021, force=True, now=now)
    two = import_office_table(book, park, 2021, force=True, now=now)
    names = [p.name for p in one.backups + two.backups if p.name.startswith("2021.csv")]
    assert len(names) == len(set(names)) == 2
    assert (park / names[0]).read_bytes() == original


# --------------------------------------------------------------------------------------------
# Links out of the park folder


@pytest.fixture()
def secret(tmp_path) -> Path:
    path = tmp_path / "outside" / "2021.csv"
    path.parent.mkdir()
    path.write_text(f"{SECRET}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("which", ["2021.csv", "sectors/2021.csv", "park.yaml", "sectors"])
def test_a_link_out_of_the_park_is_bad_input_and_never_shown(park, secret, capsys, which):
    link = park / which
    if which == "sectors":
        shutil.copytree(link, secret.parent / "sectors")
        (secret.parent / "sectors" / "2021.csv").write_text(f"{SECRET}\n", encoding="utf-8")
        shutil.rmtree(link)
        link.symlink_to(secret.parent / "sectors")
    else:
        link.unlink()
        link.symlink_to(secret)
    outputs = []
    for argv in (["check", str(park)], ["table", str(park), "2021"]):
        status = cli.main(argv)
        captured = capsys.readouterr()
        outputs.append(captured.out + captured.err)
        if which.startswith("sectors") and argv[0] == "table":
            assert status == 0  # the table does not read sector files
            continue
        assert status == 2, (argv, captured)
        assert "symbolic link leading outside the park folder" in captured.err
    assert not any(SECRET in text for text in outputs)


def test_links_inside_the_park_folder_are_fine(park):
    (park / "2021.csv").rename(park / "data-2021.csv")
    (park / "2021.csv").symlink_to("data-2021.csv")
    assert cli.main(["check", str(park)]) == 0
    linked = park.parent / "linked-park"
    linked.symlink_to(park)  # the park folder itself may be a link
    assert cli.main(["table", str(linked), "2021", "-o", str(park.parent / "t.csv")]) == 0


def test_inside():
    assert inside("a/b.csv", "a") and inside("a/./b.csv", "a")
    assert not inside("a/../b.csv", "a") and not inside("/etc/passwd", "a")


@pytest.mark.parametrize(
    "park_id",
    ["../elsewhere/evil", "..", "/tmp/evil", "a/b", "a\\b", ".hidden", "x\x00y", "  "],
)
def test_params_park_id_that_climbs_out_is_bad_input(tmp_path, park_id):
    params = tmp_path / "params" / "p.yaml"
    params.parent.mkdir()
    (tmp_path / "data").mkdir()
    params.write_text(f"park_id: {park_id!r}\nyear: 2021\n".replace("'", '"'), encoding="utf-8")
    with pytest.raises(ParamsError, match="park_id"):
        load_params(params)
    with pytest.raises(ParamsError, match="--park"):
        batch.targets_for_park(park_id, [2021], tmp_path / "data")


def test_params_data_dir_with_control_characters_is_bad_input(tmp_path):
    params = tmp_path / "p.yaml"
    params.write_text('park_id: x\nyear: 2021\ndata_dir: "a\\0b"\n', encoding="utf-8")
    with pytest.raises(ParamsError, match="data_dir must be a folder path without control"):
        load_params(params)


@pytest.mark.parametrize("data_dir", ["../data", "..", "data/../../etc", "..\\data", " ../x "])
def test_params_data_dir_that_climbs_out_is_bad_input(tmp_path, data_dir):
    params = tmp_path / "params" / "p.yaml"
    params.parent.mkdir()
    (tmp_path / "data" / "x").mkdir(parents=True)  # ../data would exist: the climb is refused
    params.write_text(f"park_id: x\nyear: 2021\ndata_dir: {data_dir!r}\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=r"data_dir must not climb out with '\.\.'"):
        load_params(params)


def test_params_data_dir_by_name_or_absolute_is_accepted(tmp_path):
    data = tmp_path / "data"
    (data / "x").mkdir(parents=True)
    (data / "x" / "park.yaml").write_text("name: x\n", encoding="utf-8")
    (tmp_path / "params").mkdir()
    for data_dir in ("data", str(data)):
        params = tmp_path / "params" / "p.yaml"
        params.write_text(f"park_id: x\nyear: 2021\ndata_dir: {data_dir!r}\n", encoding="utf-8")
        with pytest.raises(ParamsError, match="no data file for 2021 in .*data/x"):
            load_params(params)  # the folder is accepted and found: only the year is missing
    assert data_dir_problem("data..old") is None  # '..' inside a name is not a step


def _ok(job):
    return JobResult(Outcome(job.park, job.year, job.notebook, "ok", 0.1), b"{}", b"<p>r</p>")


def test_reports_are_written_only_inside_out(park, tmp_path):
    out = tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out.mkdir()
    (out / "example-park").symlink_to(elsewhere)  # a link left in --out leads outside it
    targets = batch.targets_for_park("example-park", [2020, 2021], park.parent)
    outcomes = batch.run_batch(
        targets,
        batch.resolve_notebooks(["01_assessment"]),
        out,
        executor=batch.InProcess(),
        runner=_ok,
        progress=False,
    )
    assert [o.status for o in outcomes] == ["failed", "failed"]
    assert all("the path leads outside --out" in o.error for o in outcomes)
    assert list(elsewhere.iterdir()) == []
    assert (out / "summary.csv").is_file() and (out / "index.html").is_file()
