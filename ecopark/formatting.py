"""How a result is printed in the charts and the report narrative: one number formatter, role words.

:func:`fmt` writes a number in one of the named :data:`STYLES` (``"value"`` for report prose and
tables, ``"label"`` for a number on a chart, ``"pct"`` for a change in percent, ...); every style
writes a missing value (None, NaN) as ``"—"`` and a negative one with the Unicode minus ``−``
(except ``"value"``, which keeps the official table's ASCII hyphen). The official 对照考核表 prints
its own way (:func:`ecopark.standard.model.format_number`, the engine's display rule); this module
is for what ecopark adds around it.
"""

from __future__ import annotations

import math
from typing import Any

from ecopark.assessment import ROLE_WORDS

#: The word for an indicator's role in the charts and the narrative (已选/未选; the official
#: table's 是/否 are the other style of :data:`ecopark.assessment.ROLE_WORDS`).
ROLE_ZH = ROLE_WORDS["label"]

MISSING = "—"
MINUS = "−"
ELLIPSIS = "…"

#: The named styles of :func:`fmt`, with what ``digits`` means and its default.
STYLES = {
    "value": "a number in report prose or a table: 177,690 · 51.8 · 0.0026 (text is kept as is)",
    "signed": "a change in prose: 4 significant digits, always signed: +0.2032 · −0.005349 · +1,062",
    "pct": "a signed percentage, `digits` decimals (default 2): +40.75% · −28.95%",
    "share": "an unsigned percentage, `digits` decimals (default 1): 35.2%",
    "label": "a number on a chart, `digits` significant (default 4): 690,541 · 0.4024 · −0.00535",
    "pace": "a change on a chart: `label` with a sign: +0.359 · −0.203 · 0 (zero unsigned)",
    "fixed": "`digits` decimals (default 2): −0.93",
}


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt(value: Any, style: str = "value", digits: int | None = None) -> str:
    """``value`` as text in the named ``style`` (see :data:`STYLES`); ``"—"`` when missing.

    Parameters
    ----------
    value : float, int, str or None
        The number (a str passes through in style ``"value"``).
    style : str
        One of :data:`STYLES`.
    digits : int, optional
        Significant digits (``"label"``, ``"pace"``) or decimals (``"pct"``, ``"share"``,
        ``"fixed"``); ignored by ``"value"`` and ``"signed"``.

    Examples
    --------
    >>> fmt(177690.0), fmt(-28.951325, "pct"), fmt(-0.0053494, "signed")
    ('177,690', '−28.95%', '−0.005349')
    >>> fmt(0.40243, "label"), fmt(-0.2032, "pace", 3), fmt(40.75, "pct", 1)
    ('0.4024', '−0.203', '+40.8%')
    """
    if style not in STYLES:
        raise ValueError(f"unknown number style {style!r}; one of {', '.join(STYLES)}")
    if _missing(value):
        return MISSING
    if style == "value":
        return value if isinstance(value, str) else _value(float(value))
    x = float(value)
    if style == "signed":
        return _signed(x)
    if style == "pct":
        return f"{x:+,.{2 if digits is None else digits}f}%".replace("-", MINUS)
    if style == "share":
        return f"{x:,.{1 if digits is None else digits}f}%".replace("-", MINUS)
    if style == "fixed":
        return f"{x:.{2 if digits is None else digits}f}".replace("-", MINUS)
    text = _label(x, 4 if digits is None else digits)
    if style == "pace" and x > 0:
        return "+" + text
    return text


def _value(x: float) -> str:
    if x == 0:
        return "0"
    if abs(x) >= 1e4:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:,.2f}".rstrip("0").rstrip(".")
    return f"{x:.2g}" if abs(x) < 1e-4 else f"{x:.4f}".rstrip("0").rstrip(".")


def _signed(x: float) -> str:
    if x == 0:
        return "0"
    decimals = min(10, max(0, 3 - math.floor(math.log10(abs(x)))))
    return f"{x:+,.{decimals}f}".replace("-", MINUS)


def _label(x: float, digits: int) -> str:
    if x == 0:
        return "0"
    if abs(x) >= 10_000:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:,.1f}".rstrip("0").rstrip(".")
    out = f"{x:.{digits}g}"
    if "e" in out:
        out = f"{x:.{digits + 4}f}".rstrip("0").rstrip(".")
    return out.replace("-", MINUS)


def with_unit(text: str, unit: str | None) -> str:
    """``0.0026%``, ``0.14 吨/万元``, ``达标`` (no unit, or ``-``)."""
    if not unit or unit == "-":
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, keeping its head and its tail around an ellipsis.

    The tail carries the meaning of long HJ 274 names (…完成情况, …事件数量), so both ends stay.
    """
    if width <= 0 or len(text) <= width:
        return text
    tail = (width - 1) // 2
    head = width - 1 - tail
    return text[:head] + ELLIPSIS + text[len(text) - tail :]
