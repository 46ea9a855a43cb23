"""ecopark installs like a package: a wheel that runs outside the repository, --version,
python -m ecopark, a LICENSE, bilingual help, ``make lab``, and data folders found from anywhere."""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

import ecopark
from ecopark.cli import build_parser, main
from ecopark.reports.catalog import DEFAULT_NOTEBOOKS
from ecopark.reports.datadir import find_data_dir
from ecopark.reports.params import load_params

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


@pytest.mark.slow
@pytest.mark.parametrize("where", ["root", "notebooks"])
def test_papermill_cli_from_the_root_and_from_notebooks(tmp_path, where):
    """The README's command lines: papermill with a params file from the root, or bare in notebooks/."""
    out = tmp_path / "out.ipynb"
    if where == "root":
        cwd = ROOT
        args = ["notebooks/01_assessment.ipynb", str(out), "-f", "params/nantong-etdz-2021.yaml"]
    else:
        cwd = ROOT / "notebooks"
        args = ["01_assessment.ipynb", str(out), "-p", "year", "2021"]
    # tests/shims: papermill without jsonschema's IRI grammars (≈ 2.4 s of CPU, unused)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "tests" / "shims"), str(ROOT)]))
    env.pop("MPLBACKEND", None)
    proc = subprocess.run(
        [sys.executable, "-m", "papermill", *args, "--cwd", str(cwd), "-k", "python3"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    assert "南通经济技术开发区" in text and "Traceback" not in text


# --- the wheel, installed outside the repository ----------------------------------------------


def _setuptools_version() -> tuple[int, ...]:
    try:
        version = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        return (0,)
    return tuple(int(x) for x in re.findall(r"\d+", version)[:2])


@pytest.mark.slow
def test_the_wheel_runs_ecopark_run_outside_the_repository(tmp_path):
    """Build the wheel (no network), install it into a fresh venv, report on a copied park."""
    if _setuptools_version() < (77,):
        pytest.skip("building the wheel offline needs setuptools>=77 (the dev extra: make setup)")
    src = tmp_path / "src"
    keep = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE")
    src.mkdir()
    for name in keep:
        shutil.copy2(ROOT / name, src / name)
    for folder in ("ecopark", "notebooks"):
        shutil.copytree(
            ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    dist = tmp_path / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    built = subprocess.run(
        [*pip, "wheel", str(src), "--no-deps", "--no-build-isolation", "--no-index", "-w", dist],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (wheel,) = dist.glob("ecopark-*.whl")

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True, timeout=120)
    python = venv / "bin" / "python"
    venv_site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # the dependencies from this environment (no network); ecopark itself only from the wheel
    (venv_site / "_deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    # without PYTHONPATH: a checkout on it (with its ecopark.egg-info) would count as installed
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MPLBACKEND")}
    installed = subprocess.run(
        [*pip, "--python", python, "install", "--no-deps", "--no-index", wheel],
        capture_output=True,
        text=True,
        timeout=300,
        env=clean,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]

    work = tmp_path / "elsewhere"
    shutil.copytree(ROOT / "data" / "example-park", work / "data" / "example-park")
    env = dict(clean)
    # nbconvert's templates are data files of this environment, as the dependencies are
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    where = subprocess.run(
        [
            python,
            "-c",
            "import ecopark, ecopark.reports.batch.targets as t; "
            "print(ecopark.__file__); print(t.notebooks_dir())",
        ],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.split()
    assert all(Path(p).is_relative_to(venv) for p in where), where
    assert {p.stem for p in Path(where[1]).glob("*.ipynb")} >= {*DEFAULT_NOTEBOOKS, "00_start_here"}

    version = subprocess.run(
        [venv / "bin" / "ecopark", "--version"], capture_output=True, text=True, env=env
    )
    assert version.stdout == f"ecopark {ecopark.__version__}\n"
    # one worker: the notebooks one after the other in one kernel (the pool is the shared
    # batch run's, tests/reports_support.py)
    run = subprocess.run(
        [venv / "bin" / "ecopark", "run", "--park", "example-park", "--years", "2021", "-j", "1"],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    for notebook in DEFAULT_NOTEBOOKS:
        html = work / "reports" / "example-park" / "2021" / f"{notebook}.html"
        assert html.is_file() and "示例园区" in html.read_text(encoding="utf-8"), notebook
    assert (work / "reports" / "summary.csv").read_bytes().startswith(b"\xef\xbb\xbf")
