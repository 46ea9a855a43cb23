"""ecopark installs like a package: a wheel that runs outside the repository, --version,
python -m ecopark, a LICENSE, bilingual help, ``make lab``, and data folders found from anywhere."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import ecopark
from ecopark.cli import build_parser, main
from ecopark.reports.catalog import DEFAULT_NOTEBOOKS
from ecopark.reports.datadir import find_data_dir
from ecopark.reports.params import load_params
from reports_support import EXAMPLE_YEARS, NO_WHEEL, batch_run, wheel_env

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_version_is_the_package_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"ecopark {ecopark.__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+", ecopark.__version__)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"]  # one home: ecopark.__version__
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "ecopark.__version__"}


@pytest.mark.slow
def test_python_m_ecopark_is_the_command():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-m", "ecopark", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert proc.returncode == 0 and proc.stdout == f"ecopark {ecopark.__version__}\n"


def test_license_is_mit_and_shipped():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in text
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]


def _subcommands() -> dict[str, str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {choice.dest: choice.help for choice in sub._choices_actions}


def test_every_command_says_what_it_does_in_chinese_and_english():
    helps = _subcommands()
    assert set(helps) >= {
        "table",
        "check",
        "assess",
        "gaps",
        "attribute",
        "run",
        "template",
        "import-table",
    }
    for name, text in helps.items():
        zh, sep, en = text.partition(" / ")
        assert sep, f"{name}: help is '中文 / English': {text!r}"
        assert CJK.search(zh) and re.search(r"[a-z]{4,} [a-z]{2,}", en), (name, text)
    assert CJK.search(build_parser().description)


def test_make_lab_serves_the_repository_root_and_allows_root_only_as_root():
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    proc = subprocess.run(
        [make, "-n", "-o", "setup", "-o", ".venv/.installed", "lab"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if "jupyter lab" in x)
    assert f'--ServerApp.root_dir="{ROOT}"' in line
    assert ("--allow-root" in line) == (os.getuid() == 0)


# --- data_dir: one rule for params files, notebooks and papermill ---------------------------


def test_a_relative_data_dir_is_found_upward(tmp_path):
    park = tmp_path / "repo" / "data" / "p1"
    park.mkdir(parents=True)
    (park / "park.yaml").write_text("id: p1\n", encoding="utf-8")
    notebooks = tmp_path / "repo" / "notebooks"
    notebooks.mkdir()
    data = (tmp_path / "repo" / "data").resolve()
    assert find_data_dir("data", tmp_path / "repo", "p1") == data
    assert find_data_dir("data", notebooks, "p1") == data
    assert find_data_dir("../data", notebooks, "p1") == data
    assert find_data_dir("data", notebooks) == data  # without a park: the first folder
    assert find_data_dir(str(data), "/", "p1") == data  # absolute: as given
    # no candidate has the park: the plain reading, for the caller's message
    assert find_data_dir("data", notebooks, "p2") == notebooks.resolve() / "data"
    # a nearer data/ without the park does not hide the one that has it
    (notebooks / "data").mkdir()
    assert find_data_dir("data", notebooks, "p1") == data


def test_bundled_params_files_resolve_to_the_repository_data():
    for path in sorted((ROOT / "params").glob("*.yaml")):
        assert load_params(path).data_dir == (ROOT / "data").resolve(), path


#: Papermill's command line, run once per case in one process: the folder it runs in, then its
#: arguments (the output notebook's path comes after the input's).
PAPERMILL_CLI = """\
import json, os, sys
from papermill.cli import papermill
for cwd, notebook, out, *args in json.loads(sys.argv[1]):
    os.chdir(cwd)
    print("case", cwd, flush=True)
    papermill.main([notebook, out, *args], prog_name="papermill", standalone_mode=False)
"""


@pytest.mark.slow
def test_papermill_cli_from_the_root_and_from_notebooks(tmp_path):
    """The README's command lines: papermill with a params file from the root, or bare in notebooks/.

    Both run, one after the other, by papermill's command line in one process (its start and
    imports, ≈ 1 s of CPU, paid once), each in its own folder and with its own kernel.
    """
    cases = {
        "root": [
            str(ROOT),
            "notebooks/01_assessment.ipynb",
            str(tmp_path / "root.ipynb"),
            "-f",
            "params/nantong-etdz-2021.yaml",
        ],
        "notebooks": [
            str(ROOT / "notebooks"),
            "01_assessment.ipynb",
            str(tmp_path / "notebooks.ipynb"),
            "-p",
            "year",
            "2021",
        ],
    }
    runs = [[*case, "--cwd", case[0], "-k", "python3"] for case in cases.values()]
    # tests/shims: papermill without jsonschema's IRI grammars (≈ 2.4 s of CPU, unused)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "tests" / "shims"), str(ROOT)]))
    env.pop("MPLBACKEND", None)
    proc = subprocess.run(
        [sys.executable, "-c", PAPERMILL_CLI, json.dumps(runs)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert proc.stdout.split("\n")[:-1] == [f"case {case[0]}" for case in cases.values()]
    for where, case in cases.items():
        text = Path(case[2]).read_text(encoding="utf-8")
        assert "南通经济技术开发区" in text and "Traceback" not in text, where


# --- the wheel, installed outside the repository ----------------------------------------------


@pytest.mark.slow
def test_the_wheel_runs_ecopark_run_outside_the_repository():
    """The wheel built from this checkout (no network), installed in a fresh venv, runs
    `ecopark run` outside the repository: the shared batch run is that run
    (tests/reports_support.py, :func:`reports_support.install_wheel`)."""
    if NO_WHEEL:
        pytest.skip(NO_WHEEL)
    run = batch_run()
    venv = Path(run.venv)
    assert run.venv and venv.is_dir() and not venv.is_relative_to(ROOT), run.venv
    assert not run.out.is_relative_to(ROOT) and not run.data.is_relative_to(ROOT)
    python = venv / "bin" / "python"
    where = subprocess.run(
        [
            python,
            "-c",
            "import ecopark, ecopark.reports.batch.targets as t; "
            "print(ecopark.__file__); print(t.notebooks_dir())",
        ],
        cwd=run.out,
        capture_output=True,
        text=True,
        env=wheel_env(),
        check=True,
    ).stdout.split()
    assert all(Path(p).is_relative_to(venv) for p in where), where
    assert {p.stem for p in Path(where[1]).glob("*.ipynb")} >= {*DEFAULT_NOTEBOOKS, "00_start_here"}
    version = subprocess.run(
        [venv / "bin" / "ecopark", "--version"], capture_output=True, text=True, env=wheel_env()
    )
    assert version.stdout == f"ecopark {ecopark.__version__}\n"
    # every report of the example park written by the wheel's notebooks (the broken params
    # file of the shared run is its only failure: tests/test_batch.py)
    for notebook in DEFAULT_NOTEBOOKS:
        html = run.report("example-park", EXAMPLE_YEARS[0], notebook)
        assert html.is_file() and "示例园区" in html.read_text(encoding="utf-8"), notebook
        ipynb = json.loads(
            run.report("example-park", EXAMPLE_YEARS[0], notebook, ".ipynb").read_text(
                encoding="utf-8"
            )
        )
        assert (
            Path(ipynb["metadata"]["papermill"]["input_path"])
            == Path(where[1]) / f"{notebook}.ipynb"
        )
    assert (run.out / "summary.csv").read_bytes().startswith(b"\xef\xbb\xbf")
