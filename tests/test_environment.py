"""environment.yml mirrors the dependencies of pyproject.toml (the source of truth)."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import ROOT

# conda names of PyPI distributions whose names differ, and extras that conda splits.
CONDA_NAME = {"pyyaml": "pyyaml", "dask[distributed]": "dask", "matplotlib": "matplotlib-base"}
SPLIT = {"dask[distributed]": ["dask", "distributed"]}


def _split(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-\[\]]+)\s*(.*)$", req)
    return m.group(1).lower(), m.group(2).replace(" ", "")


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    out = {}
    for req in reqs:
        name, spec = _split(req)
        for conda_name in SPLIT.get(name, [CONDA_NAME.get(name, name)]):
            out[conda_name] = spec
    return out


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out = {}
    for dep in env["dependencies"]:
        entries = dep["pip"] if isinstance(dep, dict) else [dep]
        for entry in entries:
            name, spec = _split(entry.split("#")[0])
            if name in ("python", "pip", "-e"):
                continue
            out[name] = spec
    return out


def test_environment_yml_mirrors_pyproject():
    assert _environment() == _pyproject()


def test_python_versions_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert f"python{project['requires-python']}" in env["dependencies"]
