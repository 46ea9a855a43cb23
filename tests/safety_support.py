"""Checks the safety tests share: hostile text stayed text in HTML, and a batch's processes."""

from __future__ import annotations

import os
import time
from html.parser import HTMLParser

#: URL schemes that run code or embed a document when followed.
BAD_SCHEMES = ("javascript:", "data:", "vbscript:", "file:")


#: The marker each hostile Markdown or HTML string puts inside the element it would make (the
#: report's own formatting around a whole text, such as a bold park name, is not counted).
FORMATTING = {
    "a": "PWN",
    "b": "PWN",
    "strong": "PWN-bold",
    "em": "PWN-em",
    "i": "PWN-em",
    "code": "PWN-code",
    "del": "PWN-del",
    "s": "PWN-del",
    **{f"h{n}": "PWN-heading" for n in range(1, 7)},
}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.marked: list[tuple[str, str]] = []  # (tag, text) of every text with the marker

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag not in ("br", "img", "meta", "link", "input", "hr"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if "PWN" in data and self.stack:
            self.marked.append((self.stack[-1], data))


#: The attributes of a report's chart (matplotlib's inline SVG, :class:`ecopark.reports.display.Chart`);
#: its elements and attributes are checked like every other.
CHART_SVG_ATTRS = {
    "role",
    "aria-label",
    "xmlns",
    "xmlns:xlink",
    "width",
    "height",
    "viewbox",
    "version",
}


def html_problems(html: str, marker: str = "PWN") -> list[str]:
    """Every way hostile text (carrying ``marker``) became markup in ``html`` rather than text.

    A tag or attribute made from data, a ``<script>``, a link or image to a scheme that runs
    code, an image other than an inline PNG, or the marker inside formatting (bold, a heading,
    code, a link) made from Markdown. A chart's inline ``<svg role="img">`` is the report's own.
    """
    page = _Page()
    page.feed(html)
    out = []
    for tag, attrs in page.tags:
        if tag == "script":
            out.append(f"a <script> element: {attrs}")
        for name, value in attrs.items():
            local = name == "id" or (name == "href" and value.startswith("#"))  # heading anchors
            # an inline PNG's base64 may spell the marker by chance: that is not data text
            png = tag == "img" and name == "src" and value.startswith("data:image/png;base64,")
            if (marker in value and not local and not png) or marker in name:
                out.append(f"<{tag} {name}={value[:80]!r}>: data text in an attribute")
            if name.startswith("on"):
                out.append(f"<{tag} {name}=...>: an event attribute")
            if name in ("href", "src", "action", "formaction") and value.strip().lower().startswith(
                BAD_SCHEMES
            ):
                if not (tag == "img" and value.startswith("data:image/png;base64,")):
                    out.append(f"<{tag} {name}={value[:60]!r}>: a link that runs or embeds")
        chart = tag == "svg" and attrs.get("role") == "img" and set(attrs) <= CHART_SVG_ATTRS
        if tag in ("img", "svg", "iframe", "object", "embed") and not (
            (tag == "img" and attrs.get("src", "").startswith("data:image/png;base64,")) or chart
        ):
            out.append(f"<{tag} {attrs}>: an element made from data")
    for tag, data in page.marked:
        made = FORMATTING.get(tag)
        if made is not None and made in data:
            out.append(f"data text made <{tag}>: {data[:60]!r}")
    return out


def text_of(html: str) -> str:
    """The text of an HTML page, as a reader sees it (entities decoded, tags dropped)."""
    page = _Page()
    page.feed(html)
    return "".join(page.text)


# --------------------------------------------------------------------------------------------
# Processes


def _parents() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="utf-8", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        kids.setdefault(int(fields[1]), []).append(int(name))
    return kids


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (children, their children, …), from /proc."""
    kids = _parents()
    out: set[int] = set()
    todo = [pid]
    while todo:
        for child in kids.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def alive(pids: set[int]) -> set[int]:
    """The processes of ``pids`` still running (not gone, not zombies)."""
    out = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        if stat[stat.rindex(")") + 2] != "Z":
            out.add(pid)
    return out


def wait_gone(pids: set[int], seconds: float) -> set[int]:
    """Wait up to ``seconds`` for ``pids`` to end; return those still alive."""
    deadline = time.monotonic() + seconds
    while (left := alive(pids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


# --------------------------------------------------------------------------------------------
# Notebooks


def tiny_notebook(path, code: str):
    """Write a notebook with the batch's parameters cell (park_id, year, data_dir) and ``code``."""
    import json

    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "parameters",
            "metadata": {"tags": ["parameters"]},
            "outputs": [],
            "source": "park_id = ''\nyear = 0\ndata_dir = ''",
        },
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "work",
            "metadata": {},
            "outputs": [],
            "source": code,
        },
    ]
    nb = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def partial_files(folder) -> list:
    """Files a write left behind half-done: temporaries, reports not ending as they should."""
    from pathlib import Path

    out = []
    for p in Path(folder).rglob("*"):
        if p.name.endswith(".tmp") or p.name.startswith(".ecopark-probe-"):
            out.append(p)
        elif p.suffix == ".html" and not p.read_text(encoding="utf-8").rstrip().endswith("</html>"):
            out.append(p)
        elif p.suffix == ".ipynb":
            import json

            try:
                json.loads(p.read_text(encoding="utf-8"))
            except ValueError:
                out.append(p)
    return out
