"""The tests' shared headless Chromium (tests/browser.py) fails clearly, never hangs.

A fake browser speaks the DevTools pipe (NUL-terminated JSON read on fd 3, written on fd 4)
and misbehaves on purpose; no Chromium is started.
"""

from __future__ import annotations

import sys
import time

import pytest

import browser
from browser import Browser, BrowserError

#: The fake: answers Browser.getVersion, then does what FAKE_BROWSER says.
FAKE = r"""
import json, os, sys, time
mode = os.environ["FAKE_BROWSER"]
def send(message):
    os.write(4, json.dumps(message).encode() + b"\0")
buffer = b""
while True:
    chunk = os.read(3, 65536)
    if not chunk:
        sys.exit(0)  # the pipe closed: the test process is gone, so is the browser
    buffer += chunk
    while b"\0" in buffer:
        raw, buffer = buffer.split(b"\0", 1)
        message = json.loads(raw)
        if message["method"] == "Browser.getVersion":
            send({"id": message["id"], "result": {"product": "Fake/1"}})
        elif message["method"] == "Browser.close":
            send({"id": message["id"], "result": {}})
            sys.exit(0)
        elif mode == "exit":
            print("the renderer crashed", file=sys.stderr, flush=True)
            sys.exit(3)
        elif mode == "silent":
            time.sleep(60)
        elif mode == "error":
            send({"id": message["id"], "error": {"code": -32000, "message": "no such page"}})
        elif mode == "events":  # an event of another session, one of ours, then the reply
            send({"method": "Page.lifecycleEvent", "sessionId": "B", "params": {"name": "load"}})
            send({"method": "Page.lifecycleEvent", "sessionId": "A", "params": {"name": "init"}})
            send({"method": "Page.lifecycleEvent", "sessionId": "A", "params": {"name": "load"}})
            send({"id": message["id"], "result": {"frameId": "F"}})
"""


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """Start the fake browser in ``mode``; every one started is closed after the test."""
    script = tmp_path / "fake-chromium"
    script.write_text(f"#!{sys.executable}\n{FAKE}", encoding="utf-8")
    script.chmod(0o755)
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
    monkeypatch.setattr(browser, "CLOSE_TIMEOUT", 0.2)
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
    monkeypatch.setattr(browser, "_browser", b)
    with pytest.raises(BrowserError, match=r"^file://.*/page\.html: Chromium ended \(exit 3\)"):
        browser.render(tmp_path / "page.html", dump_dom=True)
    assert browser._browser is None  # the next page starts a new browser
    assert b.process.poll() is not None and not b.profile.exists()
