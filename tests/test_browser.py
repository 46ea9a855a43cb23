"""The product's headless Chromium (ecopark/reports/chromium.py, kept per process, printing
the PDFs) fails clearly, never hangs, and leaves nothing running.

A fake browser (:data:`browser.FAKE`) speaks the DevTools pipe (NUL-terminated JSON read on
fd 3, written on fd 4) and misbehaves on purpose; no Chromium is started.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import browser
from browser import fake_chromium
from ecopark.errors import InputError
from ecopark.reports import chromium
from ecopark.reports.chromium import Browser, BrowserError
from ecopark.reports.pdf import print_pdf


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """Start the fake browser in ``mode``; every one started is closed after the test."""
    script = fake_chromium(tmp_path)
    started = []

    def start(mode: str) -> Browser:
        monkeypatch.setenv("FAKE_BROWSER", mode)
        started.append(Browser(str(script)))
        return started[-1]

    yield start
    for b in started:
        b.close()
        assert b.process.poll() is not None and not b.profile.exists()


@pytest.mark.slow
def test_a_browser_that_dies_fails_at_once_saying_how(fake):
    b = fake("exit")
    t0 = time.monotonic()
    with pytest.raises(BrowserError, match=r"ended \(exit 3\) while Page.navigate .*crashed"):
        b.command("Page.navigate", {"url": "about:blank"}, "A", timeout=60)
    assert time.monotonic() - t0 < 10  # not the time limit
    with pytest.raises(BrowserError, match="ended before Page.enable"):
        b.command("Page.enable", session="A", timeout=60)


@pytest.mark.slow
def test_a_browser_that_does_not_answer_fails_at_its_time_limit(fake, monkeypatch):
    b = fake("silent")
    t0 = time.monotonic()
    with pytest.raises(BrowserError, match=r"did not answer Page.printToPDF \(0.5 s\) in time"):
        b.command("Page.printToPDF", session="A", timeout=0.5)
    assert 0.5 <= time.monotonic() - t0 < 5
    # nor does it answer Browser.close: it is killed
    monkeypatch.setattr(chromium, "CLOSE_TIMEOUT", 0.2)
    t0 = time.monotonic()
    b.close()
    assert b.process.returncode == -9 and time.monotonic() - t0 < 5


@pytest.mark.slow
def test_an_error_reply_and_the_events_of_each_session(fake):
    with pytest.raises(BrowserError, match="Page.navigate failed: .*no such page"):
        fake("error").command("Page.navigate", session="A", timeout=10)
    b = fake("events")
    assert b.command("Page.navigate", session="A", timeout=10) == {"frameId": "F"}
    # kept while the reply was awaited; matched on session and params, taken once
    assert b.event("Page.lifecycleEvent", "A", timeout=1, name="load") == {"name": "load"}
    with pytest.raises(BrowserError, match="did not answer Page.lifecycleEvent"):
        b.event("Page.lifecycleEvent", "A", timeout=0.2, name="load")
    b.forget("B")
    assert [m["sessionId"] for m in b._events] == ["A"]  # the init event of A


@pytest.mark.slow
def test_render_ends_a_failed_browser_and_names_the_page(fake, monkeypatch, tmp_path):
    b = fake("exit")
    monkeypatch.setattr(browser, "CHROMIUM", b.executable)
    monkeypatch.setattr(chromium, "_kept", {b.executable: b})
    with pytest.raises(BrowserError, match=r"^file://.*/page\.html: Chromium ended \(exit 3\)"):
        browser.render(tmp_path / "page.html", dump_dom=True)
    assert chromium._kept == {}  # the next page starts a new browser
    assert b.process.poll() is not None and not b.profile.exists()


# --------------------------------------------------------------------------------------------
# print_pdf on the browser the process keeps


@pytest.fixture
def kept(tmp_path, monkeypatch):
    """A fake browser's path for print_pdf, a fresh set of kept browsers (all ended after the
    test), and the pids of the fakes started, read from their log."""
    monkeypatch.setattr(chromium, "_kept", {})
    log = tmp_path / "started.txt"
    monkeypatch.setenv("FAKE_BROWSER_LOG", str(log))
    page = tmp_path / "report.html"
    page.write_text("<html><head><title>报告</title></head><body>正文</body></html>", "utf-8")

    def started() -> list[int]:
        return [int(pid) for pid in log.read_text().split()] if log.is_file() else []

    yield str(fake_chromium(tmp_path)), page, started
    chromium.close_kept()


def _gone(pid: int) -> bool:
    """The process ``pid`` has ended (reaped or a zombie of another parent)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


@pytest.mark.slow
def test_print_pdf_keeps_one_browser_and_a_dead_or_hung_one_fails_that_pdf_only(
    kept, tmp_path, monkeypatch
):
    exe, page, started = kept
    for name in ("a.pdf", "b.pdf"):
        print_pdf(page, tmp_path / name, exe)
        assert (tmp_path / name).read_bytes() == b"%PDF-1.4 fake"
    assert len(started()) == 1  # the second print reused the browser
    first = chromium._kept[exe].process
    # the browser dies while printing: that PDF fails in one line, nothing written
    monkeypatch.setenv("FAKE_BROWSER", "exit-print")
    chromium.close_kept()
    with pytest.raises(InputError) as failed:
        print_pdf(page, tmp_path / "c.pdf", exe)
    message = str(failed.value)
    assert "\n" not in message and "report.html" in message
    assert "did not print it: Chromium ended (exit 3) while Page.printToPDF" in message
    assert "the renderer crashed" in message and not (tmp_path / "c.pdf").exists()
    assert first.poll() is not None and chromium._kept == {}
    # it hangs: the print's time limit ends it, and the next print starts a new browser
    monkeypatch.setenv("FAKE_BROWSER", "hang-print")
    t0 = time.monotonic()
    with pytest.raises(InputError, match=r"report\.html: printing to PDF took more than 0\.5 s"):
        print_pdf(page, tmp_path / "d.pdf", exe, timeout=0.5)
    assert time.monotonic() - t0 < 5 and not (tmp_path / "d.pdf").exists()
    assert chromium._kept == {} and all(_gone(pid) for pid in started())
    monkeypatch.setenv("FAKE_BROWSER", "ok")
    print_pdf(page, tmp_path / "e.pdf", exe)
    assert (tmp_path / "e.pdf").is_file() and len(started()) == 4


@pytest.mark.slow
def test_pages_take_turns_in_one_blank_tab_and_a_timed_one_is_closed(kept, tmp_path, monkeypatch):
    exe, page, started = kept
    log = tmp_path / "calls.txt"
    monkeypatch.setenv("FAKE_BROWSER_CALLS", str(log))
    monkeypatch.setattr(browser, "CHROMIUM", exe)

    def calls() -> list[tuple[str, dict]]:
        """The methods the fake was sent since the last call, with their params."""
        sent = [line.split(" ", 1) for line in log.read_text().splitlines()]
        log.write_text("")
        return [(method, json.loads(params)) for method, params in sent]

    for name in ("a.pdf", "b.pdf"):
        print_pdf(page, tmp_path / name, exe)
    browser.render(page, dump_dom=True)
    # one tab, opened once; each page left it blank (its scripts stopped) for the next
    sent = calls()
    assert [(m, p) for m, p in sent if m.startswith("Target.")] == [
        ("Target.createTarget", {"url": "about:blank"}),
        ("Target.attachToTarget", {"targetId": "T", "flatten": True}),
    ]
    navigated = [p["url"] for m, p in sent if m == "Page.navigate"]
    assert navigated[1::2] == ["about:blank"] * 3 and navigated[4] == page.resolve().as_uri()
    assert all(u.startswith("file://") and u.endswith("/page.html") for u in navigated[:4:2])
    assert chromium._kept[exe].blank_tab == ("T", "A") and len(started()) == 1
    # a page in a window of its own size: that viewport in the same tab, cleared after it
    browser.render(page, window=(300, 200), screenshot=tmp_path / "a.png")
    sent = [m for m, p in calls() if not m.startswith("Runtime.")]
    assert sent == [
        "Emulation.setDeviceMetricsOverride", "Page.navigate", "Page.captureScreenshot",
        "Emulation.clearDeviceMetricsOverride", "Page.navigate",
    ]  # fmt: skip
    # a page on virtual time takes the tab and closes it: the next page opens a new one
    browser.render(page, virtual_time_budget=100)
    assert calls()[-1] == ("Target.closeTarget", {"targetId": "T"})
    assert chromium._kept[exe].blank_tab is None
    print_pdf(page, tmp_path / "c.pdf", exe)
    assert [m for m, p in calls() if m.startswith("Target.")] == [
        "Target.createTarget", "Target.attachToTarget"
    ]  # fmt: skip


@pytest.mark.slow
def test_a_page_is_loaded_only_by_the_load_of_its_own_navigation(kept, tmp_path, monkeypatch):
    """The blank tab's own late ``load`` (another loader of the same frame) is not the page's."""
    exe, page, started = kept
    monkeypatch.setenv("FAKE_BROWSER", "stale-load")
    with pytest.raises(InputError, match=r"report\.html: printing to PDF took more than 0\.5 s"):
        print_pdf(page, tmp_path / "a.pdf", exe, timeout=0.5)
    assert not (tmp_path / "a.pdf").exists() and chromium._kept == {}


@pytest.mark.slow
def test_the_time_limit_of_a_print_covers_the_browsers_start(kept, tmp_path, monkeypatch):
    exe, page, started = kept
    monkeypatch.setenv("FAKE_BROWSER", "mute")
    t0 = time.monotonic()
    with pytest.raises(InputError, match=r"report\.html: printing to PDF took more than 0\.5 s"):
        print_pdf(page, tmp_path / "a.pdf", exe, timeout=0.5)
    assert time.monotonic() - t0 < 3 and chromium._kept == {}
    assert [_gone(pid) for pid in started()] == [True] and not (tmp_path / "a.pdf").exists()


@pytest.mark.slow
def test_an_interrupted_print_kills_the_browser_at_once(kept, tmp_path, monkeypatch):
    exe, page, started = kept
    monkeypatch.setenv("FAKE_BROWSER", "hang-print")

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.5)
    try:
        t0 = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            print_pdf(page, tmp_path / "a.pdf", exe)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert time.monotonic() - t0 < 3  # killed, not asked to close (it would not answer)
    assert chromium._kept == {} and [_gone(pid) for pid in started()] == [True]
    assert not (tmp_path / "a.pdf").exists()


@pytest.mark.slow
def test_a_forked_process_starts_its_own_browser_and_leaves_its_parents(kept, tmp_path):
    exe, page, started = kept
    print_pdf(page, tmp_path / "parent.pdf", exe)
    parent_browser = chromium._kept[exe]
    pid = os.fork()
    if pid == 0:  # the child: prints with a browser of its own, ends it, and leaves
        code = 1
        try:
            with contextlib.suppress(OSError):  # the parent's pipe is not held open here
                os.fstat(parent_browser._write)
                os._exit(3)
            print_pdf(page, tmp_path / "child.pdf", exe)
            mine = chromium._kept[exe]
            code = 0 if mine is not parent_browser and mine.owner == os.getpid() else 2
            chromium.close_kept()
        finally:
            os._exit(code)
    assert os.waitpid(pid, 0)[1] == 0
    assert (tmp_path / "child.pdf").is_file() and len(started()) == 2
    # the parent's browser was neither used nor ended by the child
    assert chromium._kept[exe] is parent_browser and parent_browser.process.poll() is None
    print_pdf(page, tmp_path / "again.pdf", exe)
    assert len(started()) == 2


@pytest.mark.slow
def test_a_browser_dies_with_the_process_that_started_it_even_by_sigkill(tmp_path):
    """The fake "stay" outlives its pipe's end: only the parent-death signal ends it."""
    exe = fake_chromium(tmp_path)
    code = (
        "import sys, time\nfrom ecopark.reports.chromium import kept_browser\n"
        f"print(kept_browser({str(exe)!r}).process.pid, flush=True)\ntime.sleep(60)"
    )
    env = dict(
        os.environ, FAKE_BROWSER="stay", PYTHONPATH=str(Path(__file__).resolve().parent.parent)
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, env=env)
    try:
        pid = int(proc.stdout.readline())
        assert not _gone(pid)
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 5
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(pid)


@pytest.mark.slow
@pytest.mark.skipif(browser.CHROMIUM is None, reason="chromium is not installed")
def test_the_real_browser_keeps_one_blank_tab_and_no_omnibox_popup(tmp_path):
    """The worker's kept Chromium: pages in turn in one tab, a window size not left behind for
    the next page, no browser UI page running."""
    page = tmp_path / "page.html"
    page.write_text("<p id=x>1</p><script>x.textContent = innerWidth</script>", "utf-8")
    doms, tabs = [], []
    for window in (None, (300, 200), None):
        doms.append(browser.render(page, dump_dom=True, window=window))
        tabs.append(chromium.kept_browser(browser.CHROMIUM).blank_tab)
    assert '<p id="x">300</p>' in doms[1] and doms[0] == doms[2] and doms[0] != doms[1]
    assert tabs[0] is not None and tabs[0] == tabs[1] == tabs[2]
    b = chromium.kept_browser(browser.CHROMIUM)
    targets = b.command("Target.getTargets", timeout=10)["targetInfos"]
    assert tabs[0][0] in [t["targetId"] for t in targets]
    assert {t["type"] for t in targets} == {"page"}, targets  # no omnibox popup WebUI
