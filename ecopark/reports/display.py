"""What a report section returns: objects that display themselves in JupyterLab and in papermill.

- :class:`Text`: a sentence or a list in Markdown. Its Markdown is HTML-escaped as a whole, so no
  text can inject HTML or script (a ``<script>`` in a note is shown, never run); text from data
  files is put in with :func:`esc` (:func:`ecopark.textsafe.md_escape`), which also escapes
  Markdown and shows control characters, so it is never formatted.
- :class:`Chart`: a figure, rendered once to PNG at its own size and closed.
- :class:`Section`: texts, charts and tables (pandas DataFrames, whose HTML pandas escapes) shown
  one after another; ``None`` parts are skipped.
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterable
from typing import Any

from ecopark.textsafe import md_escape as esc

__all__ = ["Chart", "Section", "Text", "esc", "texts"]


class Text:
    """Markdown that displays itself, HTML-escaped (``text`` is the Markdown source)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_markdown_(self) -> str:
        return html.escape(self.text, quote=False)

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


class Chart:
    """A figure that displays itself once as a PNG (saved at its own size, then closed).

    The charts lay themselves out in the one draw of ``savefig``
    (:mod:`ecopark.plotting.layout`); the inline backend's ``bbox_inches="tight"`` would draw
    every figure twice.
    """

    def __init__(self, figure: Any) -> None:
        import matplotlib.pyplot as plt

        self.figure = figure
        buf = io.BytesIO()
        figure.savefig(buf, format="png")
        plt.close(figure)
        self.png = buf.getvalue()

    def _repr_png_(self) -> bytes:
        return self.png

    def __repr__(self) -> str:
        return f"<Chart {self.figure.get_figwidth():g}×{self.figure.get_figheight():g} in>"


class Section:
    """Texts, charts and tables shown in order (``None`` and empty texts are skipped)."""

    def __init__(self, *parts: Text | Chart | Any | None) -> None:
        self.parts = [p for p in parts if p is not None and not (isinstance(p, Text) and not p)]

    def _ipython_display_(self) -> None:
        from IPython.display import display

        for part in self.parts:
            display(part)

    def __repr__(self) -> str:
        return "\n\n".join(repr(p) for p in self.parts)


def texts(lines: Iterable[str]) -> list[Text]:
    """One :class:`Text` per line (each its own paragraph or list item, as the notebooks show them)."""
    return [Text(line) for line in lines]
