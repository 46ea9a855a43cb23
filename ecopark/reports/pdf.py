"""An HTML report printed to an A4 PDF with headless Chromium, offline.

:func:`print_pdf` prints, in a tab of the browser this process keeps
(:func:`ecopark.reports.chromium.kept_browser`: started on the first print, reused, ended at
exit), a copy of the page that starts with a default ``@page { size: A4 }`` and asks for
backgrounds to be printed (the status colours), so that a page without print rules still comes
out A4; the report's own ``@page`` rules come later and win. No header or footer is added. The
browser has a fresh profile and no network (every host name resolves to nothing, no proxy
reaches out); each print has a time limit, and a browser that dies, hangs or is interrupted is
ended (the next print starts a new one). The PDF is written atomically
(:mod:`ecopark.io.atomic`), never half.

The browser is ``$ECOPARK_CHROMIUM`` when set, else the first of :data:`BROWSERS` on ``PATH``;
without one, :func:`find_browser` raises an :class:`~ecopark.errors.InputError` saying what to
install (the command line exits 2).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from ecopark.errors import InputError, Problem, display_path
from ecopark.io.atomic import write_output
from ecopark.reports import chromium

ENV_VAR = "ECOPARK_CHROMIUM"
#: Browser commands looked for on PATH, in order (Debian's package is ``chromium``).
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Time limit of one print [s].
DEFAULT_TIMEOUT = 120.0
INSTALL_HINT = (
    "install Chromium (Debian/Ubuntu: sudo apt-get install chromium; Fedora: sudo dnf install "
    "chromium; macOS: brew install --cask chromium) or Google Chrome, or set ECOPARK_CHROMIUM "
    "to the browser's executable"
)
#: Put first in the page: A4 unless the report says otherwise, backgrounds printed.
PRINT_DEFAULTS = (
    "<style>@page { size: A4; }"
    " html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }</style>"
)
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)


def find_browser() -> str:
    """The browser that prints: ``$ECOPARK_CHROMIUM``, else chromium, chromium-browser or Chrome.

    Raises
    ------
    InputError
        If ``$ECOPARK_CHROMIUM`` names no executable, or none of :data:`BROWSERS` is on PATH;
        the message says what to install.
    """
    chosen = os.environ.get(ENV_VAR)
    if chosen:
        found = shutil.which(chosen)
        if found is None:
            raise InputError(
                Problem(
                    f"{ENV_VAR}={chosen}",
                    f"is not an executable browser; {INSTALL_HINT}, to print PDF reports",
                )
            )
        return found
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise InputError(
        Problem(
            "PDF",
            f"no Chromium found to print PDF reports (looked for {', '.join(BROWSERS)}); "
            + INSTALL_HINT,
        )
    )


def printable(html: str, folder: Path) -> str:
    """The page with :data:`PRINT_DEFAULTS` first and relative links resolved from ``folder``."""
    base = f'<base href="{folder.resolve().as_uri()}/">'
    m = _HEAD.search(html)
    if m is None:
        return base + PRINT_DEFAULTS + html
    return html[: m.end()] + base + PRINT_DEFAULTS + html[m.end() :]


def print_pdf(
    html_path: Path | str,
    pdf_path: Path | str,
    browser: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> None:
    """Print an HTML file to an A4 PDF.

    Parameters
    ----------
    html_path : path
        The page (a report written by ``ecopark run`` or ``ecopark report``).
    pdf_path : path
        Where the PDF goes; written atomically.
    browser : str, optional
        The browser executable (default: :func:`find_browser`).
    timeout : float
        Time limit of the print [s]; the browser is ended when it is reached.

    Raises
    ------
    InputError
        If no browser is found, the page cannot be read, or the browser cannot be started,
        fails, dies or times out (nothing is written then; the message is one line).
    """
    html_path, pdf_path = Path(html_path), Path(pdf_path)
    browser = browser or find_browser()
    shown = display_path(html_path)
    try:
        html = html_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Problem(shown, f"cannot be read to print it ({exc})")) from None
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryDirectory(prefix="ecopark-pdf-") as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(printable(html, html_path.parent), encoding="utf-8")
        try:
            with chromium.using(browser, deadline) as b:
                target, session = chromium.open_page(b, page.as_uri(), deadline)
                data = chromium.print_page(b, session, deadline)
                chromium.close_page(b, target, session, deadline, reuse=True)
        except chromium.BrowserTimeout:
            raise InputError(
                Problem(shown, f"printing to PDF took more than {timeout:g} s; nothing written")
            ) from None
        except chromium.BrowserError as exc:
            raise InputError(
                Problem(shown, f"{Path(browser).name} did not print it: {exc}")
            ) from None
        except OSError as exc:
            raise InputError(
                Problem(browser, f"cannot be started ({exc.strerror or exc}); {INSTALL_HINT}")
            ) from None
    if not data.startswith(b"%PDF"):
        raise InputError(Problem(shown, f"{Path(browser).name} did not print it (no PDF)"))
    write_output(pdf_path, data)
