"""The one number formatter of the charts and the narrative, and its named styles."""

from __future__ import annotations

import math

import pytest

from ecopark.formatting import MISSING, ROLE_ZH, STYLES, fmt, with_unit


def test_value_as_a_report_prints_it():
    assert fmt(177690.0) == "177,690"
    assert fmt(51.8) == "51.8"
    assert fmt(0.0026) == "0.0026"
    assert fmt(3924.9612) == "3,924.96"
    assert fmt(0.00001234) == "1.2e-05"
    assert fmt(-40.7) == "-40.7"  # the table's margins keep the ASCII hyphen
    assert fmt("达标") == "达标"
    assert fmt(0) == "0"


def test_signed_and_pct():
    assert fmt(-0.0053494, "signed") == "−0.005349"
    assert fmt(0.20321, "signed") == "+0.2032"
    assert fmt(1062.4, "signed") == "+1,062"
    assert fmt(0.0, "signed") == "0"
    assert fmt(-28.951325, "pct") == "−28.95%"
    assert fmt(40.75, "pct", 1) == "+40.8%"  # one decimal on a chart
    assert fmt(342930.9, "pct", 1) == "+342,930.9%"
    assert fmt(-10, "pct", 0) == "−10%"


def test_chart_labels():
    assert fmt(690541.0, "label") == "690,541"
    assert fmt(0.40243, "label") == "0.4024"
    assert fmt(-0.0053494, "label", 3) == "−0.00535"
    assert fmt(123.45, "label") == "123.5"
    assert fmt(0.66643, "label", 3) == "0.666"
    assert fmt(-0.2032, "pace", 3) == "−0.203"
    assert fmt(0.359, "pace", 3) == "+0.359"
    assert fmt(0.0, "pace", 3) == "0"  # a zero has no sign
    assert fmt(35.24, "share") == "35.2%"
    assert fmt(-0.931, "fixed", 2) == "−0.93"


@pytest.mark.parametrize("style", list(STYLES))
def test_missing_is_a_dash_in_every_style(style):
    assert fmt(None, style) == MISSING == fmt(math.nan, style)


def test_unknown_style_is_an_error():
    with pytest.raises(ValueError, match="unknown number style 'percent'"):
        fmt(1.0, "percent")


def test_with_unit_and_role_words():
    assert with_unit("0.14", "吨/万元") == "0.14 吨/万元" and with_unit("9", "%") == "9%"
    assert with_unit("达标", "-") == "达标" and with_unit("达标", None) == "达标"
    assert ROLE_ZH == {"must": "必选", "selected": "已选", "optional": "未选"}
