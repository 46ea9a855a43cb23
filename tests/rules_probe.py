"""Which rounding rule and comparison method the engine applies, asked of the engine itself.

The what-if tests are tight against the rule in force (GB/T 8170: 全数值比较法 by default, 修约值比较法
when park.yaml says ``rules: {comparison: rounded_value}``). These probes tell the tests which one
that is, from two hand-worked cases of indicator 11 (单位工业增加值综合能耗, ≤0.5):

- 50.49 tce / 100 万元 = 0.5049 exactly, printed 0.50: it passes only when the printed value is
  judged (修约值比较法);
- 50.5 / 100 = 0.505 exactly, a tie: printed 0.50 with ties to even, 0.51 half-up.
"""

from __future__ import annotations

import pytest

import ecopark
from ecopark.io.config import ParkConfig


def _eleven(config: ParkConfig, energy: str):
    values = {"energy@T": float(energy), "value_added@T": 100.0}
    return ecopark.assess_values(config, ecopark.load_standard(), 2021, values).result(11)


def judges_exact_value(config: ParkConfig) -> bool:
    """Whether the engine compares the exact value with the limit (全数值比较法) for this park."""
    return _eleven(config, "50.49").passed is False


def ties_to_even(config: ParkConfig) -> bool:
    """Whether the engine rounds a tie to the even digit (0.505 → 0.50) for this park."""
    return _eleven(config, "50.5").display == "0.50"


#: The comparison methods the tightness tests run under: the default (全数值比较法), and
#: 修约值比较法 set in park.yaml.
METHODS = [
    pytest.param(None, id="default"),
    pytest.param({"comparison": "rounded_value"}, id="rounded_value"),
]
