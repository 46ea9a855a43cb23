"""The import direction of docs/architecture.md, enforced over every ``import`` in ``ecopark/``.

Layers, lowest first; a module may import from its own layer and the layers below, never above:

0. ``ecopark.errors``                                   problems and the input error
1. ``ecopark.standard``                                 the standard as data
2. ``ecopark.io``                                       data in (park folders, units, atomic writes)
3. the package root (engine and analyses)               what computes: the public API
4. ``ecopark.tables``, ``ecopark.plotting``             results out (siblings: neither imports the other)
5. ``ecopark.reports``, ``ecopark.lab``                 notebooks' narrative, HTML, the batch;
                                                        the interactive what-if panel
6. ``ecopark.cli``, ``ecopark.commands``, ``ecopark.__main__``   the command line
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ecopark"

SUBPACKAGE_LAYER = {
    "standard": 1,
    "io": 2,
    "tables": 4,
    "plotting": 4,
    "reports": 5,
    "lab": 5,
    "commands": 6,
}
ROOT_LAYER = {"errors": 0, "cli": 6, "__main__": 6}
CORE = 3


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> tuple[int, str]:
    """(layer, group) of a dotted ``ecopark...`` module name."""
    parts = module.split(".")
    if len(parts) == 1:  # the package's __init__: the public API, part of the core
        return CORE, "core"
    head = parts[1]
    if head in SUBPACKAGE_LAYER:
        return SUBPACKAGE_LAYER[head], head
    return ROOT_LAYER.get(head, CORE), "core" if head not in ROOT_LAYER else head


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every ecopark import in a file, also inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("ecopark")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if name == "ecopark":
                # ``from ecopark import x``: x is a submodule or a public name of the core
                out += [(node.lineno, f"ecopark.{a.name}") for a in node.names]
            elif name.startswith("ecopark"):
                out.append((node.lineno, name))
    return out


FILES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    assert len(FILES) > 30
    heads = {p.relative_to(PACKAGE).parts[0] for p in FILES}
    dirs = {h for h in heads if not h.endswith(".py")}
    assert dirs <= set(SUBPACKAGE_LAYER), dirs - set(SUBPACKAGE_LAYER)


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(PACKAGE)) for p in FILES])
def test_imports_run_downwards(path: Path) -> None:
    here = module_name(path)
    layer, group = layer_of(here)
    wrong = []
    for line, target in imports_of(path):
        if target.split(".")[1:2] == ["__init__"]:
            continue
        their_layer, their_group = layer_of(target)
        if their_layer > layer:
            wrong.append(f"{path.name}:{line} imports {target} (layer {their_layer} > {layer})")
        elif their_layer == layer == 4 and their_group != group:
            wrong.append(f"{path.name}:{line} imports sibling {target}")
    assert not wrong, "\n".join(wrong)


def test_the_checker_sees_a_wrong_import(tmp_path: Path) -> None:
    """The rule above is not vacuous: an engine importing the plotting layer is caught."""
    assert layer_of("ecopark.engine") == (CORE, "core")
    assert layer_of("ecopark.plotting.overview")[0] > layer_of("ecopark.engine")[0]
    assert layer_of("ecopark.io.park")[0] < layer_of("ecopark.gaps")[0]
    assert layer_of("ecopark.standard.model")[0] < layer_of("ecopark.io.config")[0]
