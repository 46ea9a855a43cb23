"""Headless Chromium for the tests that look at reports: where it is, and one way to run it."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

#: The browser, or None (the tests that need it are skipped).
CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)


def chromium(*args: str, timeout: float = 120) -> str:
    """Run headless Chromium with ``args`` (``--screenshot=…``, ``--print-to-pdf=…``,
    ``--dump-dom``, the page) in a fresh profile, offline-minded, remove the profile and return
    what it printed (the DOM for ``--dump-dom``)."""
    profile = tempfile.mkdtemp(prefix="ecopark-chromium-")
    try:
        proc = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                f"--user-data-dir={profile}",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return proc.stdout
