"""Headless Chromium for the tests that look at reports: one browser per test process.

:func:`render` does what one ``chromium --headless --dump-dom / --print-to-pdf
--no-pdf-header-footer / --screenshot --window-size=w,h page`` launch does, on a browser that
the process starts the first time it is needed and ends at exit (:func:`close`): under
pytest-xdist each worker has its own. The browser is driven over the DevTools protocol through
a pipe (``--remote-debugging-pipe``: JSON messages ending in a NUL byte, read by the browser on
fd 3, written on fd 4), and each page opens in a tab of its own (in the browser's one fresh
profile: a browser context per page would cost ≈ 0.4 s of CPU more each), offline with the
product's flags (:data:`ecopark.reports.pdf.FLAGS`: every host name resolves to nothing, no
proxy reaches out).

Each page is rendered as the command line renders it: a window (and viewport) of the given
size, loaded until its ``load`` event (then its fonts), a virtual time budget if asked (timers
up to it fire), then the DOM (doctype + ``outerHTML``), the PDF (``printBackground``,
``preferCSSPageSize``: the page's ``@page`` size wins, no header or footer) and the screenshot
(the window, clipped at scale 1), in that order. Every wait has a time limit; a browser that
dies or does not answer in time fails the test with :class:`BrowserError` (the browser is ended
and the next page starts a new one), never a hang. Chromium ends by itself when the pipe closes,
so a test process that is killed leaves none behind. POSIX only (the pipe's fd numbers).
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from ecopark.reports.pdf import FLAGS

#: The browser, or None (the tests that need it are skipped).
CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
#: The product's flags but the print switch (here ``displayHeaderFooter: false`` of each print).
OFFLINE = tuple(flag for flag in FLAGS if flag != "--no-pdf-header-footer")
#: Time limit of starting the browser and of its ending once asked to close [s].
START_TIMEOUT = 60.0
#: Time limit of the browser's answer to Browser.close; then it is killed [s].
CLOSE_TIMEOUT = 5.0


class BrowserError(RuntimeError):
    """The browser died, failed a command, or did not answer in time."""


class Browser:
    """One headless Chromium and its DevTools pipe; :meth:`command` sends and waits."""

    def __init__(self, executable: str) -> None:
        import fcntl  # POSIX, as the pipe's fd numbers

        self.profile = Path(tempfile.mkdtemp(prefix="ecopark-chromium-"))
        self.log = self.profile / "stderr.txt"

        to_browser, self._write = os.pipe()
        self._read, from_browser = os.pipe()
        # the browser's ends, renumbered clear of 3 and 4 (and closed at exec)
        child_in, child_out = (
            fcntl.fcntl(end, fcntl.F_DUPFD_CLOEXEC, 10) for end in (to_browser, from_browser)
        )

        def pipe_ends() -> None:  # in the child, before exec: its fds 3 and 4
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        try:
            with self.log.open("wb") as log:
                self.process = subprocess.Popen(
                    [
                        executable,
                        *OFFLINE,
                        "--no-sandbox",
                        "--remote-debugging-pipe",
                        f"--user-data-dir={self.profile / 'profile'}",
                        "about:blank",
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                    preexec_fn=pipe_ends,
                    # every other fd is closed; 3 and 4 are open here (the two pipes took the
                    # lowest free fds), which pass_fds needs
                    pass_fds=(3, 4),
                )
        except OSError:  # not started: nothing left behind
            os.close(self._write)
            os.close(self._read)
            shutil.rmtree(self.profile, ignore_errors=True)
            raise
        finally:
            for end in (to_browser, from_browser, child_in, child_out):
                os.close(end)
        self.closed = False
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []
        try:
            self.command("Browser.getVersion", timeout=START_TIMEOUT)
        except BrowserError:
            self.close()
            raise

    # -- the pipe ------------------------------------------------------------------------------

    def _receive(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        """The next message from the browser, waiting until ``deadline`` (``time.monotonic``)."""
        end = self._buffer.find(b"\0")
        while end < 0:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"Chromium did not answer {waiting_for} in time")
            ready, _, _ = select.select([self._read], [], [], left)
            if ready:
                chunk = os.read(self._read, 1 << 20)
                if not chunk:
                    try:
                        self.process.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        pass  # exit None: still ending
                    raise BrowserError(
                        f"Chromium ended (exit {self.process.returncode}) while {waiting_for}:"
                        f" {self._last_log_line()}"
                    )
                end = chunk.find(b"\0")  # looked for in the new bytes only
                if end >= 0:
                    end += len(self._buffer)
                self._buffer += chunk
        message, self._buffer = self._buffer[:end], self._buffer[end + 1 :]
        return json.loads(message)

    def _last_log_line(self) -> str:
        try:
            lines = self.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        except OSError:
            return ""
        return (lines or [""])[-1][:300]

    def command(
        self, method: str, params: dict | None = None, session: str | None = None, *, timeout: float
    ) -> dict[str, Any]:
        """Send ``method`` (to ``session``'s target, else to the browser) and return its result.

        Events that arrive meanwhile are kept for :meth:`event`.
        """
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self._write, data) :]
        except BrokenPipeError:
            raise BrowserError(f"Chromium ended before {method}: {self._last_log_line()}") from None
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline, f"{method} ({timeout:g} s)")
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method} failed: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def event(self, method: str, session: str, *, timeout: float, **params: Any) -> dict:
        """Wait for the event ``method`` of ``session`` whose params include ``params``."""

        def matches(message: dict) -> bool:
            got = message.get("params", {})
            return (
                message.get("method") == method
                and message.get("sessionId") == session
                and all(got.get(k) == v for k, v in params.items())
            )

        deadline = time.monotonic() + timeout
        while True:
            for i, message in enumerate(self._events):
                if matches(message):
                    del self._events[i]
                    return message["params"]
            reply = self._receive(deadline, f"{method} ({timeout:g} s)")
            if "method" in reply:
                self._events.append(reply)

    def forget(self, session: str) -> None:
        """Drop the events kept for a closed ``session`` and the browser's own (none is awaited)."""
        self._events = [m for m in self._events if m.get("sessionId") not in (session, None)]

    def close(self) -> None:
        """End the browser (politely, then by force) and remove its profile; once."""
        if self.closed:
            return
        self.closed = True
        if self.process.poll() is None:
            try:
                self.command("Browser.close", timeout=CLOSE_TIMEOUT)
                self.process.wait(timeout=START_TIMEOUT)
            except (BrowserError, subprocess.TimeoutExpired):  # dead or hung
                self.process.kill()
                self.process.wait()
        os.close(self._write)
        os.close(self._read)
        shutil.rmtree(self.profile, ignore_errors=True)


_browser: Browser | None = None


def browser() -> Browser:
    """This process's browser, started the first time (:func:`close` ends it at exit)."""
    global _browser
    if _browser is None:
        _browser = Browser(CHROMIUM)
    return _browser


@atexit.register
def close() -> None:
    """End this process's browser, if it started one."""
    global _browser
    if _browser is not None:
        _browser, done = None, _browser
        done.close()


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
        Time limit of each step [s]: the load, the budget, each output.

    Returns
    -------
    str
        The DOM if ``dump_dom``, else "".

    Raises
    ------
    BrowserError
        If the browser dies, fails a command or a step takes longer than ``timeout``; the
        browser is ended then (the next page starts a new one).
    """
    url = page if isinstance(page, str) else Path(page).resolve().as_uri()
    try:
        return _render(
            browser(), url, window, dump_dom, pdf, screenshot, virtual_time_budget, timeout
        )
    except BrowserError as exc:
        close()
        raise BrowserError(f"{url}: {exc}") from None
    except BaseException:
        close()  # the page may still be open: the next one starts a new browser
        raise


def _render(
    b: Browser,
    url: str,
    window: tuple[int, int] | None,
    dump_dom: bool,
    pdf: Path | None,
    screenshot: Path | None,
    budget: int | None,
    timeout: float,
) -> str:
    target: dict[str, Any] = {"url": "about:blank"}
    if window:
        target |= {"width": window[0], "height": window[1], "newWindow": True}
    target_id = b.command("Target.createTarget", target, timeout=timeout)["targetId"]
    session = b.command(
        "Target.attachToTarget", {"targetId": target_id, "flatten": True}, timeout=timeout
    )["sessionId"]
    if window:  # the viewport is the whole window, as in the command line's screenshot
        metrics = {"width": window[0], "height": window[1], "deviceScaleFactor": 1, "mobile": False}
        b.command("Emulation.setDeviceMetricsOverride", metrics, session, timeout=timeout)
    b.command("Page.enable", session=session, timeout=timeout)
    b.command("Page.setLifecycleEventsEnabled", {"enabled": True}, session, timeout=timeout)
    navigated = b.command("Page.navigate", {"url": url}, session, timeout=timeout)
    if "errorText" in navigated:
        raise BrowserError(f"cannot be loaded ({navigated['errorText']})")
    b.event(
        "Page.lifecycleEvent", session, timeout=timeout, name="load",
        frameId=navigated["frameId"],
    )  # fmt: skip
    fonts = {"expression": "document.fonts.ready.then(() => true)", "awaitPromise": True}
    b.command("Runtime.evaluate", fonts, session, timeout=timeout)
    if budget is not None:
        b.command(
            "Emulation.setVirtualTimePolicy",
            {
                "policy": "pauseIfNetworkFetchesPending",
                "budget": budget,
                "maxVirtualTimeTaskStarvationCount": 9999,
            },
            session,
            timeout=timeout,
        )
        b.event("Emulation.virtualTimeBudgetExpired", session, timeout=timeout)
    dom = ""
    if dump_dom:
        serialise = (
            "(document.doctype ? new XMLSerializer().serializeToString(document.doctype)"
            " + '\\n' : '') + document.documentElement.outerHTML"
        )
        dom = b.command(
            "Runtime.evaluate", {"expression": serialise, "returnByValue": True}, session,
            timeout=timeout,
        )["result"]["value"]  # fmt: skip
    if pdf is not None:
        printed = b.command(
            "Page.printToPDF",
            {
                "displayHeaderFooter": False,
                "printBackground": True,
                "preferCSSPageSize": True,
                "generateTaggedPDF": True,
            },
            session,
            timeout=timeout,
        )
        Path(pdf).write_bytes(base64.b64decode(printed["data"]))
    if screenshot is not None:
        shot: dict[str, Any] = {"format": "png"}
        if window:
            shot["clip"] = {"x": 0, "y": 0, "width": window[0], "height": window[1], "scale": 1}
        data = b.command("Page.captureScreenshot", shot, session, timeout=timeout)["data"]
        Path(screenshot).write_bytes(base64.b64decode(data))
    b.command("Target.closeTarget", {"targetId": target_id}, timeout=timeout)
    b.forget(session)
    return dom
