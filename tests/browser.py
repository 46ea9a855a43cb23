"""Headless Chromium for the tests that look at reports: the product's browser, kept per process.

:func:`render` does what one ``chromium --headless --dump-dom / --print-to-pdf
--no-pdf-header-footer / --screenshot --window-size=w,h page`` launch does, in a tab of the
browser this process keeps (:func:`ecopark.reports.chromium.kept_browser`, the one
:func:`ecopark.reports.pdf.print_pdf` prints with: started the first time either needs it,
ended at exit; under pytest-xdist each worker has its own), offline with the product's flags.

Each page is rendered as the command line renders it: a viewport of the given (window) size,
loaded until its ``load`` event (then its fonts; :func:`ecopark.reports.chromium.open_page`),
a virtual time budget if asked (timers up to it fire), then the DOM (doctype + ``outerHTML``),
the PDF (:func:`ecopark.reports.chromium.print_page`: the page's ``@page`` size wins, no header
or footer) and the screenshot (the viewport, clipped at scale 1), in that order; the tab is
left blank for the next page, or closed if it ran on virtual time. The whole render
has a time limit; a browser that dies or does not answer in time fails the test with
:class:`~ecopark.reports.chromium.BrowserError` (the browser is ended and the next page starts a
new one), never a hang.
"""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

from ecopark.errors import InputError
from ecopark.reports import chromium
from ecopark.reports.chromium import Browser, BrowserError
from ecopark.reports.pdf import find_browser


def _product_browser() -> str | None:
    """The browser the product prints with (:func:`ecopark.reports.pdf.find_browser`), or None."""
    try:
        return find_browser()
    except InputError:
        return None


#: The browser, or None (the tests that need it are skipped).
CHROMIUM = _product_browser()


def render(
    page: Path | str,
    *,
    window: tuple[int, int] | None = None,
    dump_dom: bool = False,
    pdf: Path | None = None,
    screenshot: Path | None = None,
    virtual_time_budget: int | None = None,
    timeout: float = 120,
) -> str:
    """Load ``page`` (a path or URL) and take from it what the command line would take.

    Parameters
    ----------
    page : path or str
        The page; a path is turned into its ``file://`` URL.
    window : (int, int), optional
        Window width and height [CSS px] (``--window-size``); the browser's default without.
    dump_dom : bool
        Return the DOM after the page's scripts ran (``--dump-dom``).
    pdf : path, optional
        Print the page there (``--print-to-pdf --no-pdf-header-footer``).
    screenshot : path, optional
        Save a PNG of the window there (``--screenshot``).
    virtual_time_budget : int, optional
        After the load, let the page's timers run this far [ms] (``--virtual-time-budget``).
    timeout : float
        Time limit of the whole render [s].

    Returns
    -------
    str
        The DOM if ``dump_dom``, else "".

    Raises
    ------
    BrowserError
        If the browser dies, fails a command or the render takes longer than ``timeout``; the
        browser is ended then (the next page starts a new one).
    """
    url = page if isinstance(page, str) else Path(page).resolve().as_uri()
    deadline = time.monotonic() + timeout
    try:
        with chromium.using(CHROMIUM, deadline) as b:
            return _render(b, url, window, dump_dom, pdf, screenshot, virtual_time_budget, deadline)
    except BrowserError as exc:
        raise BrowserError(f"{url}: {exc}") from None


def _render(
    b: Browser,
    url: str,
    window: tuple[int, int] | None,
    dump_dom: bool,
    pdf: Path | None,
    screenshot: Path | None,
    budget: int | None,
    deadline: float,
) -> str:
    target_id, session = chromium.open_page(b, url, deadline, window)
    left = chromium.left
    if budget is not None:
        b.command(
            "Emulation.setVirtualTimePolicy",
            {
                "policy": "pauseIfNetworkFetchesPending",
                "budget": budget,
                "maxVirtualTimeTaskStarvationCount": 9999,
            },
            session,
            timeout=left(deadline),
        )
        b.event("Emulation.virtualTimeBudgetExpired", session, timeout=left(deadline))
    dom = ""
    if dump_dom:
        serialise = (
            "(document.doctype ? new XMLSerializer().serializeToString(document.doctype)"
            " + '\\n' : '') + document.documentElement.outerHTML"
        )
        dom = b.command(
            "Runtime.evaluate", {"expression": serialise, "returnByValue": True}, session,
            timeout=left(deadline),
        )["result"]["value"]  # fmt: skip
    if pdf is not None:
        Path(pdf).write_bytes(chromium.print_page(b, session, deadline))
    if screenshot is not None:
        shot: dict[str, Any] = {"format": "png"}
        if window:
            shot["clip"] = {"x": 0, "y": 0, "width": window[0], "height": window[1], "scale": 1}
        data = b.command("Page.captureScreenshot", shot, session, timeout=left(deadline))["data"]
        Path(screenshot).write_bytes(base64.b64decode(data))
    # a tab on virtual time is not one for the next page
    chromium.close_page(b, target_id, session, deadline, reuse=budget is None)
    return dom


#: A fake Chromium for the tests of the client: speaks the DevTools pipe (NUL-terminated JSON
#: read on fd 3, written on fd 4), appends its pid to ``$FAKE_BROWSER_LOG`` if set and each
#: method it is sent (and its params' JSON) to ``$FAKE_BROWSER_CALLS`` if set, and does what
#: ``$FAKE_BROWSER`` says (default ``ok``: loads and "prints" any page, a tiny PDF; each
#: navigation has a loader of its own, ``stale-load`` sends only the previous one's load).
FAKE = r"""
import base64, json, os, sys, time
mode = os.environ.get("FAKE_BROWSER", "ok")
if os.environ.get("FAKE_BROWSER_LOG"):
    with open(os.environ["FAKE_BROWSER_LOG"], "a") as log:
        print(os.getpid(), file=log)
loaders = 0
def send(message):
    os.write(4, json.dumps(message).encode() + b"\0")
OK = {
    "Target.createTarget": {"targetId": "T"},
    "Target.attachToTarget": {"sessionId": "A"},
    "Runtime.evaluate": {"result": {"type": "boolean", "value": True}},
    "Page.printToPDF": {"data": base64.b64encode(b"%PDF-1.4 fake").decode()},
    "Page.captureScreenshot": {"data": base64.b64encode(b"PNG fake").decode()},
}
buffer = b""
while True:
    chunk = os.read(3, 65536)
    if not chunk:  # the pipe closed: the process that started it is gone
        if mode == "stay":
            time.sleep(60)  # only the system's parent-death signal ends it
        sys.exit(0)
    buffer += chunk
    while b"\0" in buffer:
        raw, buffer = buffer.split(b"\0", 1)
        message = json.loads(raw)
        method = message["method"]
        if os.environ.get("FAKE_BROWSER_CALLS"):
            with open(os.environ["FAKE_BROWSER_CALLS"], "a") as calls:
                print(method, json.dumps(message["params"]), file=calls)
        if mode == "mute":  # started, never answers
            continue
        if method == "Browser.getVersion":
            send({"id": message["id"], "result": {"product": "Fake/1"}})
        elif method == "Browser.close":
            send({"id": message["id"], "result": {}})
            sys.exit(0)
        elif mode == "exit" or (mode == "exit-print" and method == "Page.printToPDF"):
            print("the renderer crashed", file=sys.stderr, flush=True)
            sys.exit(3)
        elif mode == "silent" or (mode == "hang-print" and method == "Page.printToPDF"):
            time.sleep(60)
        elif mode == "error":
            send({"id": message["id"], "error": {"code": -32000, "message": "no such page"}})
        elif mode == "events":  # an event of another session, one of ours, then the reply
            send({"method": "Page.lifecycleEvent", "sessionId": "B", "params": {"name": "load"}})
            send({"method": "Page.lifecycleEvent", "sessionId": "A", "params": {"name": "init"}})
            send({"method": "Page.lifecycleEvent", "sessionId": "A", "params": {"name": "load"}})
            send({"id": message["id"], "result": {"frameId": "F"}})
        else:  # ok, stay, and the others until their method
            reply = OK.get(method, {"frameId": "F"})
            if method == "Page.navigate":
                loaders += 1
                loader = f"L{loaders - 1 if mode == 'stale-load' else loaders}"
                event = {"name": "load", "frameId": "F", "loaderId": loader}
                send({"method": "Page.lifecycleEvent", "sessionId": "A", "params": event})
                reply = {"frameId": "F", "loaderId": f"L{loaders}"}
            if method == "Emulation.setVirtualTimePolicy":
                send({"method": "Emulation.virtualTimeBudgetExpired", "sessionId": "A", "params": {}})
            send({"id": message["id"], "result": reply})
"""


def fake_chromium(folder: Path) -> Path:
    """Write the executable :data:`FAKE` into ``folder`` and return its path."""
    import sys

    script = folder / "fake-chromium"
    script.write_text(f"#!{sys.executable}\n{FAKE}", encoding="utf-8")
    script.chmod(0o755)
    return script
