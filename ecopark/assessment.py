"""The result of assessing one park-year: indicator results, verdict, and their table forms."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

from ecopark.io.config import ParkConfig
from ecopark.standard.model import Limit, Rules, Standard
from ecopark.status import classify, margin_pct

#: Columns of :meth:`Assessment.table`, in order.
RESULT_COLUMNS = [
    "number",
    "category",
    "indicator",
    "indicator_en",
    "unit",
    "requirement",
    "role",
    "value",
    "display",
    "mark",
    "passed",
    "op",
    "limit",
    "margin_pct",
    "status",
    "reason_zh",
    "reason_en",
]
#: Columns of :meth:`Assessment.table` whose dtype is set (the others are inferred).
_RESULT_DTYPES = {
    "value": float,
    "passed": object,
    "op": object,
    "limit": object,
    "margin_pct": float,
}
#: The words for an indicator's role for a park (:attr:`IndicatorResult.role`), in one place:
#: ``"table"``, the official table's column 是否选为考核指标 (附表1): 必选, 是 (selected), 否 (not
#: selected); ``"label"``, charts and narrative: 必选 counts always, 已选 is an optional indicator
#: the park selected (counts), 未选 is optional and not selected (shown only).
ROLE_WORDS = {
    "table": {"must": "必选", "selected": "是", "optional": "否"},
    "label": {"must": "必选", "selected": "已选", "optional": "未选"},
}
#: The official table's role words (:data:`ROLE_WORDS` ``"table"``).
ROLE_ZH = ROLE_WORDS["table"]


@dataclass(frozen=True)
class Reason:
    """One broken rule of the verdict, in Chinese and English.

    Attributes
    ----------
    number : str or None
        The indicator's id, when the rule concerns one.
    rule : str
        The rule broken: a tier rule (``gate``, ``all_pass``, ``select``), ``min_selected``, a
        rule kind (``selectable_if_passes``), ``not_assessable`` (a gate failed: 不具备评价条件),
        or empty (why a year is not judged).
    """

    zh: str
    en: str
    number: str | None = None
    rule: str = ""


@dataclass(frozen=True)
class IndicatorResult:
    """One row of the assessment table.

    Attributes
    ----------
    number : str
        The indicator's id (``"10"``, ``"A1"``); ``label`` how it prints; ``tier`` its tier's id.
    role : str
        ``must`` (its tier counts every indicator), ``selected`` or ``optional``.
    value : float, str or None
        Unrounded value in the indicator's unit as a float (analyses, charts); a status word for
        reported statuses; None when not computable.
    display : str
        The value as the official table prints it, rounded by the rule in force from the exact
        value (``"0.0026"``, ``"82.00"``, ``"0.50"``, ``"达标"``); plain digits.
    passed : bool or None
        Judged by the declared comparison method (default 全数值比较法: the exact value against
        the limit); None when not computable, no limit applies or the year is not judged.
    reason_zh, reason_en : str
        Why the value or its requirement is missing (or the year is not judged), when it is.
    mark : str
        GB/T 8170-2008's ``"(+)"`` / ``"(−)"`` when the printed value equals the limit and the
        exact value lies above / below it (全数值比较法); ``""`` otherwise.
        :attr:`display_marked` is what human-facing tables print.
    exact_value, exact_later :
        The exact value when the engine worked it out, else how to work it out on demand; read
        :attr:`exact`.
    rules : Rules
        The rule in force, by which :attr:`margin_pct` is judged (the engine's).
    """

    number: str
    category: str
    name_zh: str
    name_en: str
    unit: str
    requirement: str
    limit: Limit | None
    role: str
    value: float | str | None
    display: str
    passed: bool | None
    reason_zh: str = ""
    reason_en: str = ""
    mark: str = ""
    tier: str = ""
    label: str = ""
    exact_value: Fraction | str | None = field(default=None, repr=False, compare=False)
    exact_later: Callable[[], Fraction | str] | None = field(
        default=None, repr=False, compare=False
    )
    rules: Rules = field(default_factory=Rules, repr=False, compare=False)

    @functools.cached_property
    def exact(self) -> Fraction | int | str | None:
        """The exact value [the indicator's unit] (a Fraction or int; the word of a status);
        None when not computable, or not known (an assessment of float values only). Worked out
        on first use where the floats decided the table."""
        if self.exact_value is not None or self.value is None:
            return self.exact_value
        if self.exact_later is not None:
            return self.exact_later()
        return self.value if isinstance(self.value, str) else None

    @property
    def display_marked(self) -> str:
        """The printed value with GB/T 8170's mark, as human-facing tables show it: ``0.50(+)``."""
        return self.display + self.mark

    @property
    def computable(self) -> bool:
        """Whether a value was computed."""
        return self.value is not None

    @property
    def counts(self) -> bool:
        """Whether the indicator counts toward the verdict (must or selected)."""
        return self.role in ("must", "selected")

    @property
    def margin_pct(self) -> float:
        """Signed margin to the limit that applies, as the declared comparison judges it [% of
        the limit]; NaN where meaningless (:func:`ecopark.status.margin_pct`).

        From the exact value wherever the engine has it (every value near the limit, a tie or
        zero), so it is 0 exactly at the limit and ≥ 0 exactly when :attr:`passed`; under
        修约值比较法 always from the exact value (the rounding to the limit's decimals may turn
        on any digit); otherwise from the float, which lies on the same side of the limit.
        """
        number = self.exact_value
        if number is None and self.rules.comparison == "rounded_value":
            number = self.exact
        return margin_pct(self.value if number is None else number, self.limit, self.rules)

    @property
    def status(self) -> str:
        """``pass``, ``at_risk``, ``fail`` or ``not_computable`` (see :mod:`ecopark.status`)."""
        return classify(self.passed, self.margin_pct)


@dataclass(frozen=True)
class Assessment:
    """A park-year assessed against a standard.

    Attributes
    ----------
    compliant : bool or None
        The verdict; None when the year is not judged (:attr:`judged`).
    reasons : tuple of Reason
        Every broken rule of the verdict (empty when compliant or not judged).
    values : dict
        The raw items keyed ``"item@ref"`` as floats; :attr:`exact_values` the same exactly.
    rules : Rules
        The rule in force: rounding and comparison method (GB/T 8170-2008 by default).
    judged_reason : Reason or None
        Why the year is not judged, 不作评价 (the base year, a year before it, a year that only
        supplies history: ``"2015 年为基准年"``); None when it is.
    """

    config: ParkConfig
    standard: Standard
    year: int
    results: tuple[IndicatorResult, ...]
    compliant: bool | None
    reasons: tuple[Reason, ...]
    values: dict[str, float | str] = field(default_factory=dict, repr=False)
    rules: Rules = field(default_factory=Rules)
    judged_reason: Reason | None = None
    exact_values: Mapping[str, Fraction | str] = field(default_factory=dict, repr=False)

    @property
    def park(self) -> str:
        """The park id."""
        return self.config.id

    @property
    def judged(self) -> bool:
        """Whether the park-year is judged at all (see :attr:`judged_reason`)."""
        return self.judged_reason is None

    @property
    def assessable(self) -> bool:
        """False when a ``gate`` tier (基本要求) failed: 不具备评价条件, the rest not judged."""
        return not any(r.rule == "not_assessable" for r in self.reasons)

    def result(self, number: str | int) -> IndicatorResult:
        """The result of the indicator with this id (an int is read as its digits)."""
        key = str(number)
        for r in self.results:
            if r.number == key:
                return r
        raise KeyError(number)

    def table(self) -> pd.DataFrame:
        """The results table: one row per indicator, each column with one meaning.

        Returns
        -------
        pandas.DataFrame
            Columns :data:`RESULT_COLUMNS`, indicators in the standard's order:

            - ``number`` (the indicator's id, str), ``category``, ``indicator`` (Chinese name), ``indicator_en``,
              ``unit``;
            - ``requirement``: the requirement as it applies (``≥30``, the branch chosen,
              ``≥10`` for the park's water region, the footnote-a benchmark), also when the
              value is not computable; every branch when g_V's sign is unknown;
            - ``role``: ``must``, ``selected`` or ``optional``;
            - ``value``: the unrounded number [unit] (float; NaN when not computable or a status
              word; the exact value is :attr:`IndicatorResult.exact`); ``display``: as the
              official table prints it (``"0.0026"``, ``"达标"``), plain digits; ``mark``:
              GB/T 8170's ``(+)``/``(−)`` (``""`` mostly);
            - ``passed``: True, False or None (by the declared comparison method; None when
              not computable, no limit applies or the year is not judged);
            - ``op`` and ``limit``: the limit that applies (``limit`` a float, or the word of a
              status requirement; None when no limit applies);
            - ``margin_pct`` [% of the limit], NaN where meaningless; ``status``: ``pass``,
              ``at_risk``, ``fail`` or ``not_computable`` (:mod:`ecopark.status`);
            - ``reason_zh`` / ``reason_en``: why the value or its limit is missing, when it is.

            ``ecopark table`` prints the columns of its data contract from the same cells,
            :meth:`records` (:mod:`ecopark.tables.output`, no pandas);
            :func:`ecopark.gaps.gap_table` adds the Chinese status.
        """
        import pandas as pd  # not at import: `ecopark table` needs no pandas (records())

        rows = self.records()
        return pd.DataFrame(
            {
                c: pd.Series([r[c] for r in rows], dtype=_RESULT_DTYPES.get(c))
                for c in RESULT_COLUMNS
            },
            columns=RESULT_COLUMNS,
        )

    def records(self) -> list[dict[str, object]]:
        """The rows of :meth:`table` as plain dicts (the same cells, without pandas).

        ``value`` and ``margin_pct`` are floats, NaN where :meth:`table` has NaN; ``passed``
        True, False or None; what ``ecopark table`` prints is read from here.
        """
        return [
            {
                "number": r.number,
                "category": r.category,
                "indicator": r.name_zh,
                "indicator_en": r.name_en,
                "unit": r.unit,
                "requirement": r.requirement,
                "role": r.role,
                "value": math.nan
                if r.value is None or isinstance(r.value, str)
                else float(r.value),
                "display": r.display,
                "mark": r.mark,
                "passed": r.passed,
                "op": None if r.limit is None else r.limit.op,
                "limit": _limit_value(r.limit),
                "margin_pct": math.nan if r.margin_pct is None else float(r.margin_pct),
                "status": r.status,
                "reason_zh": r.reason_zh,
                "reason_en": r.reason_en,
            }
            for r in self.results
        ]

    def verdict_text(self, lang: str = "zh") -> str:
        """The verdict in one paragraph with its reasons, in Chinese (``"zh"``) or English."""
        code = self.standard.code
        if lang == "en":
            head = f"{self.config.name_en or self.config.name} ({self.year})"
            if self.judged_reason is not None:
                return head + f": {self.judged_reason.en}; not judged."
            if self.compliant:
                return head + f": meets {code}."
            what = "is not assessable under" if not self.assessable else "does not meet"
            lines = [head + f": {what} {code}, because:"]
            lines += [f"  {i}. {r.en}" for i, r in enumerate(self.reasons, start=1)]
            return "\n".join(lines)
        if lang != "zh":
            raise ValueError(f"unknown language '{lang}'; use zh or en")
        head = f"{self.config.name}（{self.year} 年）"
        if self.judged_reason is not None:
            return head + f"：{self.judged_reason.zh}，不作评价。"
        if self.compliant:
            return head + f"：符合 {code} 的要求。"
        what = f"不具备 {code} 的评价条件" if not self.assessable else f"不符合 {code} 的要求"
        lines = [head + f"：{what}，原因："]
        lines += [f"  {i}. {r.zh}" for i, r in enumerate(self.reasons, start=1)]
        return "\n".join(lines)

    def __repr__(self) -> str:
        from ecopark.display import assessment_text

        return assessment_text(self)

    def _repr_html_(self) -> str:
        from ecopark.display import assessment_html

        return assessment_html(self)

    def scenario(self, changes: dict[str, object] | None = None, **items: object) -> Assessment:
        """This assessment with raw items changed (:func:`ecopark.scenarios.scenario`)."""
        from ecopark.scenarios import scenario

        return scenario(self, changes, **items)


def _limit_value(limit: Limit | None) -> float | str | None:
    """A limit's value as the results table holds it: a float, the word, or None."""
    if limit is None:
        return None
    return limit.value if isinstance(limit.value, str) else float(limit.value)
