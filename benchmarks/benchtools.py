"""What the benchmark scripts share (run from this folder: ``python benchmarks/bench_*.py``)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def commit_of(tree: Path) -> str:
    """The short commit of the checkout ``tree``, ``+changes`` when ``ecopark/`` is modified."""
    try:
        rev = subprocess.run(
            ["git", "-C", str(tree), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(tree), "status", "--porcelain", "--", "ecopark"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return rev + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"
