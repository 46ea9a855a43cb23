"""Text from data files as literal text in every output: Markdown, HTML, CSV and xlsx cells.

A park's name, description, source, notes and sector names are data: whatever they hold (a
``<script>``, a Markdown link ``[x](javascript:...)``, ``=HYPERLINK(...)``, a control character)
must reach the reader as the characters written, never as markup, a link, an image or a formula.
Each output escapes them with the one function for its kind:

- :func:`md_escape`: Markdown punctuation backslash-escaped (for Markdown that is HTML-escaped
  as a whole afterwards, as :class:`ecopark.reports.display.Text` does);
- :func:`md_text`: text in a Markdown document (also HTML-escaped, since Markdown viewers render
  inline HTML);
- :func:`csv_cell`: a CSV cell that a spreadsheet would take for a formula gets a leading ``'``;
- :func:`visible`: control characters replaced by visible symbols (used by all of the above, and
  for xlsx cells, which may not hold them).
"""

from __future__ import annotations

import html
import re

#: C0 controls but tab, line feed and carriage return; DEL; C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

#: ASCII punctuation that Markdown (CommonMark, GFM, Jupyter's math) gives a meaning to, and
#: ``:`` and ``@``, which would make a URL or an address a link. ``<``, ``>`` and ``&`` are left
#: to HTML escaping.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~^:@=$])")

#: A cell a spreadsheet reads as a formula (OWASP "CSV injection"): these first characters.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟
    return "\u2421" if code == 0x7F else "\ufffd"  # ␡, or � for a C1 control


def visible(text: object) -> str:
    """``text`` with every control character (but tab and line breaks) shown as a symbol.

    ``"a\\x07b"`` -> ``"a␇b"``; DEL -> ``␡``; C1 controls -> ``�``.
    """
    return _CONTROL.sub(_picture, str(text))


def md_escape(text: object) -> str:
    """``text`` with Markdown punctuation backslash-escaped, so that Markdown shows it as it is.

    HTML is not escaped: the caller escapes the whole Markdown (:class:`~ecopark.reports.display.Text`).
    """
    return _MARKDOWN.sub(r"\\\1", visible(text))


def md_text(text: object) -> str:
    """``text`` for a Markdown document: Markdown-escaped, then HTML-escaped (``<`` -> ``&lt;``)."""
    return html.escape(md_escape(text), quote=False)


def csv_cell(value: object) -> object:
    """A CSV cell that no spreadsheet runs: text starting like a formula gets a leading ``'``.

    Numbers, and text that is a number (``-12.5``), are kept as they are; other text has its
    control characters made visible.
    """
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value.strip()):
        return "'" + visible(value)
    return visible(value)
