"""The result of assessing one park-year: indicator results, verdict, and their table forms."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ecopark.io.config import ParkConfig
from ecopark.standard.model import Limit, Standard
from ecopark.status import classify, margin_pct

#: Columns of ``ecopark table`` (data contract).
TABLE_COLUMNS = [
    "number",
    "category",
    "indicator",
    "unit",
    "requirement",
    "role",
    "value",
    "passed",
]
#: An indicator's role for a park (:attr:`IndicatorResult.role`) in the official table's words
#: (附表1 是否选为考核指标): 必选, 是 (selected), 否 (not selected).
ROLE_ZH = {"must": "必选", "selected": "是", "optional": "否"}


@dataclass(frozen=True)
class Reason:
    """One broken rule of the verdict, in Chinese and English."""

    zh: str
    en: str
    number: int | None = None


@dataclass(frozen=True)
class IndicatorResult:
    """One row of the assessment table.

    Attributes
    ----------
    value : float, str or None
        Unrounded value in the indicator's unit; a status word for reported statuses; None when
        not computable.
    display : str
        The value as the official table prints it (``"0.0026"``, ``"82.00"``, ``"达标"``).
    passed : bool or None
        Judged on the printed value; None when not computable or no limit applies.
    reason_zh, reason_en : str
        Why the value or its requirement is missing, when it is.
    """

    number: int
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
        """Signed margin to the limit that applies [% of the limit]; NaN where meaningless."""
        return margin_pct(self.value, self.limit)

    @property
    def status(self) -> str:
        """``pass``, ``at_risk``, ``fail`` or ``not_computable`` (see :mod:`ecopark.status`)."""
        return classify(self.passed, self.margin_pct)


@dataclass(frozen=True)
class Assessment:
    """A park-year assessed against a standard."""

    config: ParkConfig
    standard: Standard
    year: int
    results: tuple[IndicatorResult, ...]
    compliant: bool
    reasons: tuple[Reason, ...]
    values: dict[str, float | str] = field(default_factory=dict, repr=False)

    @property
    def park(self) -> str:
        """The park id."""
        return self.config.id

    def result(self, number: int) -> IndicatorResult:
        """The result of indicator ``number``."""
        for r in self.results:
            if r.number == number:
                return r
        raise KeyError(number)

    def table(self) -> pd.DataFrame:
        """The assessment table, exactly the columns of ``ecopark table`` (strings as printed)."""
        rows = [
            [
                r.number,
                r.category,
                r.name_zh,
                r.unit,
                r.requirement,
                r.role,
                r.display,
                "" if r.passed is None else ("true" if r.passed else "false"),
            ]
            for r in self.results
        ]
        return pd.DataFrame(rows, columns=TABLE_COLUMNS)

    def frame(self) -> pd.DataFrame:
        """A richer table for analysis: unrounded values, bools, English names, reasons."""
        return pd.DataFrame(
            {
                "number": [r.number for r in self.results],
                "category": [r.category for r in self.results],
                "indicator": [r.name_zh for r in self.results],
                "indicator_en": [r.name_en for r in self.results],
                "unit": [r.unit for r in self.results],
                "requirement": [r.requirement for r in self.results],
                "role": [r.role for r in self.results],
                "value": [r.display for r in self.results],
                "value_unrounded": [r.value for r in self.results],
                "passed": pd.array([r.passed for r in self.results], dtype="boolean"),
                "not_computable_reason": [r.reason_zh for r in self.results],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of ``ecopark table --format json`` (data contract)."""
        return {
            "park": self.park,
            "park_name": self.config.name,
            "year": self.year,
            "standard": self.standard.code,
            "base_year": self.config.base_year,
            "compliant": self.compliant,
            "reasons": [r.zh for r in self.reasons],
            "reasons_en": [r.en for r in self.reasons],
            "indicators": [
                {
                    "number": r.number,
                    "category": r.category,
                    "indicator": r.name_zh,
                    "indicator_en": r.name_en,
                    "unit": r.unit,
                    "requirement": r.requirement,
                    "role": r.role,
                    "value": r.display if r.computable else None,
                    "value_unrounded": r.value,
                    "passed": r.passed,
                    "not_computable_reason": r.reason_zh or None,
                    "not_computable_reason_en": r.reason_en or None,
                }
                for r in self.results
            ],
        }

    def verdict_text(self) -> str:
        """The verdict in one Chinese paragraph with its reasons."""
        head = f"{self.config.name}（{self.year} 年）"
        if self.compliant:
            return head + f"：符合 {self.standard.code} 的要求。"
        lines = [head + f"：不符合 {self.standard.code} 的要求，原因："]
        lines += [f"  {i}. {r.zh}" for i, r in enumerate(self.reasons, start=1)]
        return "\n".join(lines)
