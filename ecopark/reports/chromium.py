"""Headless Chromium driven over the DevTools protocol through a pipe, one browser per process.

:class:`Browser` starts ``chromium --headless --remote-debugging-pipe`` offline (:data:`FLAGS`:
every host name resolves to nothing, no proxy reaches out) in a fresh profile, and speaks to it
through two pipes: JSON messages ending in a NUL byte, read by the browser on fd 3 and written
on fd 4. :func:`kept_browser` is the browser this process keeps (one per executable): started on first
use, reused by every later page (:func:`open_page`), ended at exit (:func:`close_kept`). A
page goes into the tab the last page left blank (:func:`close_page` with ``reuse``), else a new
tab: a new tab costs a new renderer process.

Nothing is left running and nothing hangs:

- every wait has a time limit; a browser that dies or does not answer in time raises
  :class:`BrowserError` (:class:`BrowserTimeout` for the time limit), and :func:`using` kills it
  then, and on any interrupt (Ctrl-C, SIGTERM raised in Python), so that the next page starts a
  new browser;
- the browser ends by itself when its pipe closes, i.e. when the process that started it ends
  however it ends; on Linux a browser started by the main thread is also killed by the system
  when that process dies (``PR_SET_PDEATHSIG``);
- a process forked from the one that started the browser never uses it, nor ends it (the pid
  is checked), and does not hold its pipe open: it starts its own.

POSIX only (the pipe's fd numbers).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: Flags of every browser: headless, no first-run work, no network of any kind, no omnibox
#: popup (two WebUI pages in a renderer of their own, started with the browser and kept busy
#: by every new tab: about a fifth of the CPU of a series of prints), the pipe.
FLAGS = (
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup",
    "--remote-debugging-pipe",
)
#: Time limit of the browser's start [s].
START_TIMEOUT = 60.0
#: Time limit of the browser's answer to Browser.close, then of its exit; then it is killed [s].
CLOSE_TIMEOUT = 5.0


class BrowserError(RuntimeError):
    """The browser died, failed a command, or did not answer in time."""


class BrowserTimeout(BrowserError):
    """The browser did not answer in time."""


class Browser:
    """One headless Chromium and its DevTools pipe; :meth:`command` sends and waits.

    Parameters
    ----------
    executable : str
        The browser's executable.
    start_timeout : float
        Time limit of its start [s].
    """

    def __init__(self, executable: str, start_timeout: float = START_TIMEOUT) -> None:
        import fcntl  # POSIX, as the pipe's fd numbers

        self.executable = executable
        self.owner = os.getpid()  # the process that may use and end it
        self.profile = Path(tempfile.mkdtemp(prefix="ecopark-chromium-"))
        self.log = self.profile / "stderr.txt"
        args = [executable, *FLAGS, f"--user-data-dir={self.profile / 'profile'}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        args.append("about:blank")

        to_browser, self._write = os.pipe()
        self._read, from_browser = os.pipe()
        # the browser's ends, renumbered clear of 3 and 4 (and closed at exec)
        child_in, child_out = (
            fcntl.fcntl(end, fcntl.F_DUPFD_CLOEXEC, 10) for end in (to_browser, from_browser)
        )
        die = threading.current_thread() is threading.main_thread()
        if die:
            from ecopark.reports.batch.kernel import die_with_parent  # its one home (prctl)

        def pipe_ends() -> None:  # pragma: no cover - in the child, before exec
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)
            if die:  # killed when this process dies (the signal follows the starting thread)
                die_with_parent(signal.SIGKILL)

        try:
            with self.log.open("wb") as log:
                self.process = subprocess.Popen(
                    args,
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
        #: A blank tab (target id, session id) left for the next page by :func:`close_page`.
        self.blank_tab: tuple[str, str] | None = None
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []
        try:
            self.command("Browser.getVersion", timeout=start_timeout)
        except BrowserError:
            self.close(kill=True)  # it did not answer: it would not answer Browser.close
            raise

    # -- the pipe ------------------------------------------------------------------------------

    def _receive(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        """The next message from the browser, waiting until ``deadline`` (``time.monotonic``)."""
        end = self._buffer.find(b"\0")
        while end < 0:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserTimeout(f"Chromium did not answer {waiting_for} in time")
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
                        f" {self.last_log_line()}"
                    )
                end = chunk.find(b"\0")  # looked for in the new bytes only
                if end >= 0:
                    end += len(self._buffer)
                self._buffer += chunk
        message, self._buffer = self._buffer[:end], self._buffer[end + 1 :]
        return json.loads(message)

    def last_log_line(self) -> str:
        """The last line the browser wrote to its stderr (at most 300 characters), or ""."""
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

        Parameters
        ----------
        method : str
            The DevTools method, e.g. ``Page.navigate``.
        params : dict, optional
            Its parameters.
        session : str, optional
            The session of the target (:func:`open_page`); the browser itself without.
        timeout : float
            Time limit of the answer [s].

        Raises
        ------
        BrowserError
            If the browser has ended, ends meanwhile or answers with an error;
            :class:`BrowserTimeout` if it does not answer within ``timeout``.
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
            raise BrowserError(f"Chromium ended before {method}: {self.last_log_line()}") from None
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline, f"{method} ({timeout:.3g} s)")
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method} failed: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def event(self, method: str, session: str, *, timeout: float, **params: Any) -> dict:
        """Wait for the event ``method`` of ``session`` whose params include ``params``.

        Raises
        ------
        BrowserError
            As :meth:`command` (:class:`BrowserTimeout` after ``timeout`` [s]).
        """

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
            reply = self._receive(deadline, f"{method} ({timeout:.3g} s)")
            if "method" in reply:
                self._events.append(reply)

    def forget(self, session: str) -> None:
        """Drop the events kept for a closed ``session`` and the browser's own (none is awaited)."""
        self._events = [m for m in self._events if m.get("sessionId") not in (session, None)]

    def close(self, *, kill: bool = False) -> None:
        """End the browser (politely, then by force; at once with ``kill``) and remove its
        profile; once. In a process forked from its owner it only lets go of the pipe: the
        browser is the owner's."""
        if self.closed:
            return
        self.closed = True
        if self.owner == os.getpid():
            if self.process.poll() is None:
                try:
                    if kill:
                        raise BrowserError("killed")
                    self.command("Browser.close", timeout=CLOSE_TIMEOUT)
                    self.process.wait(timeout=CLOSE_TIMEOUT)
                except (BrowserError, subprocess.TimeoutExpired):  # dead, hung or interrupted
                    self.process.kill()
                    self.process.wait()
            shutil.rmtree(self.profile, ignore_errors=True)
        os.close(self._write)
        os.close(self._read)


#: The browsers this process keeps, by executable (one in the product: find_browser's).
_kept: dict[str, Browser] = {}
#: One page at a time on a kept browser (its pipe carries one conversation).
_lock = threading.RLock()


def kept_browser(executable: str, start_timeout: float = START_TIMEOUT) -> Browser:
    """This process's browser of ``executable``, started on first use and reused
    (:func:`close_kept` ends it).

    A browser inherited from a parent process (a fork) is let go of, never used nor ended,
    and a new one started.

    Raises
    ------
    BrowserError
        If the browser does not start and answer within ``start_timeout`` [s].
    OSError
        If the executable cannot be started.
    """
    b = _kept.get(executable)
    if b is not None and (b.closed or b.owner != os.getpid()):
        close_kept(executable)
        b = None
    if b is None:
        b = _kept[executable] = Browser(executable, start_timeout)
    return b


@atexit.register
def close_kept(executable: str | None = None, *, kill: bool = False) -> None:
    """End this process's kept browser of ``executable`` (default: every one); at exit, or
    after a failure. Those inherited from a parent process are only let go of."""
    for name in [executable] if executable is not None else list(_kept):
        b = _kept.pop(name, None)
        if b is not None:
            b.close(kill=kill)


def _forget_in_child() -> None:
    """In a forked process: let go of the parent's browsers (their pipe's fds), unused and
    running on, and of the lock a thread of the parent may have held."""
    global _lock
    _lock = threading.RLock()
    for b in _kept.values():
        b.close()  # not its owner: only the fds are closed
    _kept.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)


@contextlib.contextmanager
def using(executable: str, deadline: float | None = None) -> Iterator[Browser]:
    """The kept browser, for one page (started, if need be, before ``deadline``,
    ``time.monotonic()`` [s]): killed if the page fails or is interrupted (a
    :class:`BrowserError`, KeyboardInterrupt, SIGTERM's exception, an error of the caller), as
    it may be hung or the page still open; the next page starts a new browser.
    """
    with _lock:
        try:
            start = START_TIMEOUT if deadline is None else min(START_TIMEOUT, left(deadline))
            yield kept_browser(executable, start)
        except BaseException:
            close_kept(executable, kill=True)
            raise


def open_page(
    b: Browser, url: str, deadline: float, window: tuple[int, int] | None = None
) -> tuple[str, str]:
    """Open ``url`` in the browser's blank tab (:attr:`Browser.blank_tab`) or a new one, and
    wait for its ``load`` event, then its fonts.

    Parameters
    ----------
    b : Browser
        The browser.
    url : str
        The page.
    deadline : float
        When every step must be done (``time.monotonic()`` [s]).
    window : (int, int), optional
        Viewport width and height [CSS px] (an override :func:`close_page` clears); the
        browser's default window without.

    Returns
    -------
    (str, str)
        The tab's target id and session id (:func:`close_page` ends the page).

    Raises
    ------
    BrowserError
        If a step fails, the page cannot be loaded, or the deadline passes
        (:class:`BrowserTimeout`).
    """
    if b.blank_tab is not None:
        (target_id, session), b.blank_tab = b.blank_tab, None
        b.forget(session)
    else:
        target = {"url": "about:blank"}
        target_id = b.command("Target.createTarget", target, timeout=left(deadline))["targetId"]
        session = b.command(
            "Target.attachToTarget", {"targetId": target_id, "flatten": True},
            timeout=left(deadline),
        )["sessionId"]  # fmt: skip
        b.command("Page.enable", session=session, timeout=left(deadline))
        b.command(
            "Page.setLifecycleEventsEnabled", {"enabled": True}, session, timeout=left(deadline)
        )
    if window:  # the viewport is the window, as in the command line's screenshot
        metrics = {"width": window[0], "height": window[1], "deviceScaleFactor": 1, "mobile": False}
        b.command("Emulation.setDeviceMetricsOverride", metrics, session, timeout=left(deadline))
    navigated = b.command("Page.navigate", {"url": url}, session, timeout=left(deadline))
    if "errorText" in navigated:
        raise BrowserError(f"cannot be loaded ({navigated['errorText']})")
    # the load of this navigation (its loader), not a late one of the tab's last page; a
    # navigation within the same document has no loader of its own
    loader = {"loaderId": navigated["loaderId"]} if "loaderId" in navigated else {}
    b.event(
        "Page.lifecycleEvent", session, timeout=left(deadline), name="load",
        frameId=navigated["frameId"], **loader,
    )  # fmt: skip
    fonts = {"expression": "document.fonts.ready.then(() => true)", "awaitPromise": True}
    b.command("Runtime.evaluate", fonts, session, timeout=left(deadline))
    return target_id, session


def print_page(b: Browser, session: str, deadline: float) -> bytes:
    """The open page printed as ``--print-to-pdf --no-pdf-header-footer`` prints it: its
    ``@page`` size, backgrounds, no header or footer, tagged.

    Raises
    ------
    BrowserError
        If the print fails or the deadline passes (:class:`BrowserTimeout`).
    """
    import base64

    printed = b.command(
        "Page.printToPDF",
        {
            "displayHeaderFooter": False,
            "printBackground": True,
            "preferCSSPageSize": True,
            "generateTaggedPDF": True,
        },
        session,
        timeout=left(deadline),
    )
    return base64.b64decode(printed["data"])


def close_page(
    b: Browser, target_id: str, session: str, deadline: float, *, reuse: bool = False
) -> None:
    """End the page of :func:`open_page` and drop its events: with ``reuse`` (a page whose
    tab was changed by nothing but :func:`open_page`), its tab is left blank for the next page
    (its viewport the default again, at ``about:blank``: the page's scripts stop), if no other
    tab is; otherwise the tab is closed."""
    if reuse and b.blank_tab is None:
        b.command("Emulation.clearDeviceMetricsOverride", session=session, timeout=left(deadline))
        b.command("Page.navigate", {"url": "about:blank"}, session, timeout=left(deadline))
        b.blank_tab = (target_id, session)
    else:
        b.command("Target.closeTarget", {"targetId": target_id}, timeout=left(deadline))
    b.forget(session)


def left(deadline: float) -> float:
    """The time left until ``deadline`` (``time.monotonic()``) [s]; a passed one raises.

    Raises
    ------
    BrowserTimeout
        If the deadline has passed.
    """
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise BrowserTimeout("the time limit passed")
    return remaining
