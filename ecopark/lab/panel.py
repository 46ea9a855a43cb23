"""The what-if panel: pick an indicator, move its raw items, see its value and status live.

::

    import ecopark
    a = ecopark.assess(ecopark.load_park("data/nantong-etdz"), 2021)
    ecopark.panel(a, 28)        # 单位工业增加值固体废物产生量: its two items as sliders

Every change goes through the public scenario API (:meth:`ecopark.Assessment.scenario`): the
panel holds no formula and no rule, so what it shows is what ``a.scenario(...)`` gives, value,
printed digits and status, judged exactly as the table is. A slider spans the item's plausible
range from the catalogue (``items.csv`` ``min``, ``max``), cut to twice the current value (0–100
for a percentage) so that it can be moved; the box beside it takes any value (the slider widens
to it; a value the year files would refuse is refused with their message). A status item
(达标/不达标 ...) is a drop-down of its words.

Needs the optional extra ``ecopark[lab]`` (ipywidgets); without it :func:`panel` says how to
install it.
"""

from __future__ import annotations

import html
import math
from typing import Any

from ecopark.assessment import Assessment
from ecopark.errors import InputError
from ecopark.standard.model import Indicator, Item
from ecopark.status import STATUS_COLOURS, STATUS_ZH

#: What :func:`panel` says when ipywidgets is missing.
INSTALL_HINT = (
    "the what-if panel needs ipywidgets, the optional extra ecopark[lab]: "
    "pip install 'ecopark[lab]'"
)
#: Steps of a slider over its range.
STEPS = 200
#: The upper end of a slider whose item has no current value [catalogue unit].
NO_VALUE_SPAN = 100.0
#: Year references as the panel labels them.
REF_ZH = {"T": "", "B": "（基准年）", "T-3": "（三年前）", "T-1": "（上年）", "T-2": "（两年前）"}


def _ipywidgets() -> Any:
    try:
        import ipywidgets
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return ipywidgets


def slider_range(item: Item, current: float | None) -> tuple[float, float, float]:
    """(min, max, step) of an item's slider [catalogue unit].

    From the catalogue's plausible range (``item.minimum``, ``item.maximum``), cut to 0–100 for
    a percentage and to twice the current value otherwise (:data:`NO_VALUE_SPAN` without one),
    never below the current value; whole steps for a count.
    """
    lo = float(item.minimum)
    if item.dimension == "percent":
        hi = min(float(item.maximum), 100.0)
    elif current is not None and current > 0:
        hi = min(float(item.maximum), 2.0 * current)
    else:
        hi = min(float(item.maximum), lo + NO_VALUE_SPAN)
    if current is not None:
        hi = max(hi, current)
    step = (hi - lo) / STEPS if hi > lo else 1.0
    if item.kind == "count":
        step = max(1.0, math.floor(step))
    return lo, hi, step


def _label(ind: Indicator) -> str:
    return f"{ind.number} {ind.name_zh}"


class Panel:
    """An interactive what-if panel of one assessment (displays itself in JupyterLab).

    Attributes
    ----------
    assessment : Assessment
        The assessment the changes apply to (never modified).
    picker : ipywidgets.Dropdown
        The indicator (its number); choosing another rebuilds the controls.
    controls : dict
        ``"item@ref"`` -> the slider (or drop-down) of each raw item of the indicator.
    boxes : dict
        ``"item@ref"`` -> the number box beside each slider (linked to it).
    output : ipywidgets.HTML
        The indicator's value and status in the scenario, beside the assessment's.
    widget : ipywidgets.VBox
        The whole panel.
    """

    def __init__(self, assessment: Assessment, indicator: int | str | None = None) -> None:
        w = _ipywidgets()
        self._w = w
        self.assessment = assessment
        standard = assessment.standard
        choices = [ind for ind in standard.indicators if ind.inputs]
        number = self._number(indicator, choices)
        self.picker = w.Dropdown(
            options=[(_label(ind), ind.number) for ind in choices],
            value=number,
            description="指标",
            layout=w.Layout(width="min(46em, 100%)"),
        )
        self.controls: dict[str, Any] = {}
        self.boxes: dict[str, Any] = {}
        self._touched: set[str] = set()
        self._rows = w.VBox()
        self.output = w.HTML()
        self.widget = w.VBox([self.picker, self._rows, self.output])
        self.picker.observe(lambda change: self.show(change["new"]), names="value")
        self.show(number)

    @staticmethod
    def _number(indicator: int | str | None, choices: list[Indicator]) -> str:
        if indicator is None:
            return choices[0].number
        for ind in choices:  # its id, its label (11 or "11" for HJ 274-2015) or its name
            if str(indicator) in (ind.number, ind.label) or indicator == ind.name_zh:
                return ind.number
        known = ", ".join(str(ind.number) for ind in choices)
        raise ValueError(
            f"no indicator {indicator!r} with raw items to change; give one of {known} "
            "(its number or Chinese name)"
        )

    @property
    def number(self) -> int:
        """The indicator shown."""
        return int(self.picker.value)

    def show(self, number: int) -> None:
        """Show indicator ``number``: one control per raw item, at the assessment's values."""
        w = self._w
        a = self.assessment
        standard = a.standard
        self.controls, self.boxes, self._touched = {}, {}, set()
        rows = []
        for item_id, ref in standard.indicator(number).inputs:
            item = standard.items[item_id]
            key = f"{item_id}@{ref}"
            current = a.values.get(key)
            name = f"{item.name_zh}{REF_ZH.get(ref, '@' + ref)}"
            style = {"description_width": "18em"}
            if item.kind == "status":
                ctrl = w.Dropdown(options=list(item.allowed), description=name, style=style)
                if current in item.allowed:
                    ctrl.value = current
                parts = [ctrl]
            else:
                lo, hi, step = slider_range(item, current)
                start = lo if current is None else float(current)
                kind = w.IntSlider if item.kind == "count" else w.FloatSlider
                ctrl = kind(
                    value=start,
                    min=lo,
                    max=hi,
                    step=step,
                    description=name,
                    continuous_update=False,
                    readout=False,
                    style=style,
                    layout=w.Layout(width="34em"),
                )
                box = (w.IntText if item.kind == "count" else w.FloatText)(
                    value=start, layout=w.Layout(width="11em")
                )
                # a value typed beyond the slider widens it (the scenario judges the value)
                box.observe(lambda change, ctrl=ctrl: _widen(ctrl, change["new"]), names="value")
                w.link((ctrl, "value"), (box, "value"))
                self.boxes[key] = box
                parts = [ctrl, box, w.Label(item.unit)]
            ctrl.observe(lambda change, key=key: self._moved(key), names="value")
            self.controls[key] = ctrl
            rows.append(w.HBox(parts))
        self._rows.children = rows
        self.update()

    def _moved(self, key: str) -> None:
        self._touched.add(key)
        self.update()

    @property
    def changes(self) -> dict[str, object]:
        """The raw items moved so far, ``{"item@ref": value}`` [catalogue units]."""
        out: dict[str, object] = {}
        for key in self._touched:
            box = self.boxes.get(key)
            out[key] = (box if box is not None else self.controls[key]).value
        return out

    def scenario(self) -> Assessment:
        """The assessment with the panel's changes (:meth:`Assessment.scenario`); itself when
        nothing was moved.

        Raises
        ------
        InputError
            When a change is refused (a value beyond the catalogue's range, ...).
        """
        changes = self.changes
        return self.assessment.scenario(changes) if changes else self.assessment

    def update(self) -> None:
        """Recompute the scenario and show the indicator's value and status."""
        number = self.number
        before = self.assessment.result(number)
        try:
            after = self.scenario().result(number)
        except InputError as exc:
            text = "；".join(p.message for p in exc.problems)
            self.output.value = f"<p style='color:#D55E00'>{html.escape(text)}</p>"
            return
        self.output.value = f"<p>{_cell(before, '当前')} → {_cell(after, '情景')}</p>" + (
            f"<p>{html.escape(after.reason_zh)}</p>" if after.reason_zh else ""
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def _widen(slider: Any, value: float) -> None:
    """Extend ``slider``'s range to take ``value``."""
    if value > slider.max:
        slider.max = value
    if value < slider.min:
        slider.min = value


def _cell(result: Any, heading: str) -> str:
    """``当前 0.14 未达标`` as HTML, the status in its colour."""
    status = result.status
    unit = f" {result.unit}" if result.unit and result.unit not in ("-", "—") else ""
    return (
        f"{heading} <b>{html.escape(result.display_marked)}</b>{html.escape(unit)} "
        f"<span style='color:{STATUS_COLOURS[status]};font-weight:bold' "
        f"data-status='{status}'>{STATUS_ZH[status]}</span>"
    )


def panel(assessment: Assessment, indicator: int | str | None = None) -> Panel:
    """An interactive what-if panel of ``assessment`` in JupyterLab.

    Parameters
    ----------
    assessment : Assessment
        From :func:`ecopark.assess` (or a scenario).
    indicator : int or str, optional
        The indicator to start with, by number or Chinese name (default: the first with raw
        items); the panel's drop-down picks another.

    Returns
    -------
    Panel
        Displays itself; ``.controls``, ``.changes``, ``.scenario()`` for scripts and tests.

    Raises
    ------
    ImportError
        Without ipywidgets, naming ``pip install 'ecopark[lab]'``.
    ValueError
        For an unknown indicator or one without raw items.
    """
    return Panel(assessment, indicator)
