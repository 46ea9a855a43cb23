"""What if: an assessment with some raw items changed, validated like a year file, with its diff.

::

    s = a.scenario(value_added="+5%", solid_waste_generated=500_000)
    s = a.scenario({"工业固体废物产生量": "50 万吨", "value_added@B": "-2%"})
    s.compliant, s.table(), s.diff, s.changes, s.base

Items are named by id or Chinese name, for the evaluation year T unless suffixed ``@B`` (the base
year) or ``@T-3`` (three years back). A change is

- a number (``500_000``): the new value in the item's catalogue unit;
- a text with a unit (``"50 万吨"``, ``"4,906,200"``, ``"12 %"``): the new value as a year file
  would hold it, converted exactly;
- a signed percentage (``"+5%"``, ``"-12.5%"``): a relative change of the current value (for a
  percent item too: ``"+5%"`` is ×1.05, never 5 points);
- a pair ``(50, "万吨")``; a status word (``"达标"``) for a status item; ``None``: not reported.

Every new value goes through the year files' own rule (:func:`ecopark.io.rows.check_value`:
known item, number or allowed word, finite, not negative, whole for counts, a unit of the item's
dimension); all problems are reported at once as an :class:`~ecopark.errors.InputError` naming
the item and what would be right. The scenario is assessed by the one engine
(:func:`ecopark.engine.assess_values`); nothing is recomputed by hand.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from ecopark.assessment import Assessment
from ecopark.engine import assess_values
from ecopark.errors import InputError, Problem
from ecopark.io.rows import RowError, check_value, parse_number, resolve_item
from ecopark.standard.model import Item, Standard

#: Which year an item refers to: the evaluation year, the base year, three years back.
REFS = ("T", "B", "T-3")
#: Columns of :attr:`ScenarioAssessment.changes`.
CHANGE_COLUMNS = ["item", "item_zh", "ref", "unit", "before", "after", "change_pct", "given"]

_RELATIVE = re.compile(r"^\s*([+\-−])\s*(\d+(?:\.\d+)?)\s*%\s*$")
_WITH_UNIT = re.compile(r"^\s*([+]?[\d.,]+(?:[eE][+-]?\d+)?)\s*(.*?)\s*$")
#: Where a scenario's problems say they come from.
SHOWN = "scenario"


@dataclass(frozen=True)
class Change:
    """One raw item changed by a scenario (values in the item's catalogue unit)."""

    item: str
    item_zh: str
    ref: str
    unit: str
    before: float | str | None
    after: float | str | None
    given: str

    @property
    def change_pct(self) -> float:
        """The relative change [%]; NaN for words, missing values or a zero before."""
        if not isinstance(self.before, float | int) or not isinstance(self.after, float | int):
            return math.nan
        if self.before == 0:
            return math.nan
        return (self.after - self.before) / self.before * 100


@dataclass(frozen=True)
class ScenarioAssessment(Assessment):
    """An :class:`~ecopark.assessment.Assessment` of changed raw items, knowing what changed.

    Attributes
    ----------
    base : Assessment
        The assessment the changes were applied to.
    changes : tuple of Change
        The raw items changed, in the order given.
    """

    base: Assessment | None = field(default=None, repr=False)
    changes_made: tuple[Change, ...] = ()

    @property
    def changes(self) -> pd.DataFrame:
        """The changed raw items: columns :data:`CHANGE_COLUMNS` (values in catalogue units)."""
        return pd.DataFrame(
            [
                (c.item, c.item_zh, c.ref, c.unit, c.before, c.after, c.change_pct, c.given)
                for c in self.changes_made
            ],
            columns=CHANGE_COLUMNS,
        )

    @property
    def diff(self) -> pd.DataFrame:
        """The indicators whose value or status changed (:func:`ecopark.comparison.compare`)."""
        from ecopark.comparison import compare

        assert self.base is not None
        return compare(self.base, self, changed_only=True)

    def __repr__(self) -> str:
        from ecopark.display import assessment_text

        given = ", ".join(f"{c.item}@{c.ref}={c.given}" for c in self.changes_made)
        return assessment_text(self)[:-1] + f"; scenario {given}>"

    def _repr_html_(self) -> str:
        from ecopark.display import scenario_html

        return scenario_html(self)


def _item_and_ref(key: str, standard: Standard) -> tuple[Item, str]:
    name, _, ref = str(key).partition("@")
    ref = ref or "T"
    if ref not in REFS:
        raise RowError(f"'@{ref}' is not a year reference; write @T, @B or @T-3 (default @T)")
    return resolve_item(name.strip(), standard), ref


def _new_value(item: Item, change: object, before: float | str | None) -> float | str | None:
    """The checked new value of ``item`` (catalogue unit) for one requested change."""
    if change is None:
        return None
    if isinstance(change, bool):
        raise RowError(f"{change!r} is not a value; give a number, '+5%' or '50 万吨'")
    if isinstance(change, int | float | Decimal):
        if isinstance(change, float) and not math.isfinite(change):
            raise RowError(f"{change!r} is not a finite number; give the actual figure")
        return check_value(item, str(change), "").value
    if isinstance(change, tuple) and len(change) == 2 and isinstance(change[1], str):
        number, unit = change
        if isinstance(number, bool) or not isinstance(number, int | float | Decimal | str):
            raise RowError(f"{number!r} is not a number; give (50, '万吨')")
        return check_value(item, str(number).strip(), unit.strip()).value
    if not isinstance(change, str):
        raise RowError(
            f"a {type(change).__name__} is not a value; give a number, '+5%', '50 万吨' "
            "or (50, '万吨')"
        )
    text = change.strip()
    if item.kind == "status":
        return check_value(item, text, "").value
    relative = _RELATIVE.match(text)
    if relative:
        if not isinstance(before, float | int):
            raise RowError(
                f"'{text}' changes the current value, but '{item.name_zh}' has none in this "
                "assessment; give the value itself"
            )
        sign = -1 if relative.group(1) in "-−" else 1
        pct = parse_number(relative.group(2))
        assert pct is not None
        new = Decimal(repr(float(before))) * (1 + sign * pct / 100)
        if new < 0:
            raise RowError(f"'{text}' would make '{item.name_zh}' negative; it is an amount")
        return check_value(item, format(new, "f"), "").value
    with_unit = _WITH_UNIT.match(text)
    if with_unit and parse_number(with_unit.group(1)) is not None:
        return check_value(item, with_unit.group(1), with_unit.group(2)).value
    return check_value(item, text, "").value  # the year files' message for what it is


def scenario(
    assessment: Assessment, changes: Mapping[str, object] | None = None, **items: object
) -> ScenarioAssessment:
    """``assessment`` with raw items changed, re-assessed by the engine.

    Parameters
    ----------
    assessment : Assessment
        From :func:`ecopark.assess` (or another scenario: changes add up).
    changes : mapping, optional
        ``{item: change}``; for Chinese names and ``@B`` / ``@T-3`` keys.
    **items
        ``item_id=change``, as the module docstring describes.

    Returns
    -------
    ScenarioAssessment
        The new assessment; ``.diff`` the indicators that changed, ``.changes`` the raw items.

    Raises
    ------
    InputError
        With one problem per bad change (unknown item with the closest names, wrong type,
        negative, not a number, a unit of another dimension, ...); nothing is assessed.
    """
    requested = {**dict(changes or {}), **items}
    if not requested:
        raise InputError(Problem(SHOWN, "no change given; e.g. a.scenario(value_added='+5%')"))
    standard = assessment.standard
    values = dict(assessment.values)
    # the exact values as read, so that the scenario is judged exactly, as the table is
    exact = dict(assessment.exact_values) if assessment.exact_values else None
    made: list[Change] = []
    problems: list[Problem] = []
    for key, change in requested.items():
        try:
            item, ref = _item_and_ref(key, standard)
            slot = f"{item.id}@{ref}"
            before = values.get(slot)
            after = _new_value(item, change, before)
        except RowError as exc:
            problems.append(Problem(SHOWN, str(exc), item=str(key)))
            continue
        if after is None:
            values.pop(slot, None)
            if exact is not None:
                exact.pop(slot, None)
        else:
            values[slot] = after
            if exact is not None:  # a value given as decimals: its float's shortest repr
                exact[slot] = after if isinstance(after, str) else Fraction(Decimal(repr(after)))
        given = change if isinstance(change, str) else repr(change)
        unit = "" if item.kind == "status" else item.unit
        made.append(Change(item.id, item.name_zh, ref, unit, before, after, given))
    if problems:
        raise InputError(problems)
    new = assess_values(assessment.config, standard, assessment.year, values, exact)
    base = assessment.base if isinstance(assessment, ScenarioAssessment) else assessment
    earlier = assessment.changes_made if isinstance(assessment, ScenarioAssessment) else ()
    return ScenarioAssessment(
        **{f.name: getattr(new, f.name) for f in dataclasses.fields(Assessment)},
        base=base,
        changes_made=(*earlier, *made),
    )
