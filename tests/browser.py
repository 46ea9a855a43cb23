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


def chromium(*args: str) -> None:
    """Run headless Chromium with ``args`` (``--screenshot=…``, ``--print-to-pdf=…``, the page)
    in a fresh profile, offline-minded, and remove the profile."""
    profile = tempfile.mkdtemp(prefix="ecopark-chromium-")
    try:
        subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                *args,
            ],
            capture_output=True,
            timeout=120,
            check=False,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
