"""The YAML loader every definition, park.yaml and params file is read with."""

from __future__ import annotations

from typing import Any

import yaml

#: libyaml's safe loader when PyYAML was built with it (about 10x faster than the pure-Python
#: one, and the same documents, nodes and marks), else the pure-Python one.
LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` with :data:`LOADER`."""
    return yaml.load(text, Loader=LOADER)  # noqa: S506 - LOADER is a safe loader
