"""How big the random batteries are: the default for ``make test``, or in full when asked.

``ECOPARK_THOROUGH=1 make test`` (or ``pytest --thorough``) runs every battery at its full size;
each test that uses :func:`size` says what its default still covers.
"""

from __future__ import annotations

import os


def thorough() -> bool:
    """Whether the batteries run in full (``ECOPARK_THOROUGH`` set and not ``0``)."""
    return os.environ.get("ECOPARK_THOROUGH", "0") not in ("", "0")


def size(full: int, default: int) -> int:
    """``full`` when :func:`thorough`, else ``default``."""
    return full if thorough() else default
