"""Gap table: margins, statuses, the status vocabulary (issue 3, item 1)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import ecopark
from ecopark.gaps import GAP_COLUMNS, gap_table
from ecopark.standard.model import Limit
from ecopark.status import (
    AT_RISK_MARGIN_PCT,
    STATUS_COLOURS,
    STATUS_EN,
    STATUS_ORDER,
    STATUS_ZH,
    classify,
    margin_pct,
)


@pytest.fixture(scope="module")
def nantong_2021(nantong_dir):
    return ecopark.assess(ecopark.load_park(nantong_dir), 2021)


def test_status_vocabulary_is_in_one_place():
    assert STATUS_ORDER == ("pass", "at_risk", "fail", "not_computable")
    assert STATUS_ZH == {
        "pass": "达标",
        "at_risk": "临界",
        "fail": "未达标",
        "not_computable": "无法计算",
    }
    assert set(STATUS_EN) == set(STATUS_COLOURS) == set(STATUS_ORDER)
    colours = list(STATUS_COLOURS.values())
    assert len(set(colours)) == 4 and all(c.startswith("#") and len(c) == 7 for c in colours)
    assert AT_RISK_MARGIN_PCT == 10.0


def test_margin_closed_forms():
    assert margin_pct(33.0, Limit(">=", 30)) == pytest.approx(10.0)
    assert margin_pct(27.0, Limit(">=", 30)) == pytest.approx(-10.0)
    assert margin_pct(0.4, Limit("<=", 0.5)) == pytest.approx(20.0)
    assert margin_pct(0.6, Limit("<=", 0.5)) == pytest.approx(-20.0)
    # an elasticity: negative value against ≤0.6 passes with more than 100 % room
    assert margin_pct(-0.3, Limit("<=", 0.6)) == pytest.approx(150.0)
    for value, limit in [
        ("达标", Limit("=", "达标")),
        (100.0, Limit("=", 100)),
        (None, Limit(">=", 1)),
        (1.0, None),
        (1.0, Limit(">=", 0)),
    ]:
        assert math.isnan(margin_pct(value, limit))


def test_limit_room_and_margin_are_signed_by_direction():
    assert Limit(">=", 30).room(33.0) == pytest.approx(3.0)
    assert Limit("<=", 8).room(7.5) == pytest.approx(0.5)
    assert Limit("<=", 8).room(9.0) == pytest.approx(-1.0)
    assert Limit("=", 100).room(98.0) == pytest.approx(-2.0)
    assert Limit("<=", 8).margin_pct(7.631298153356977) == pytest.approx(4.6087730830378, rel=1e-9)
    assert math.isnan(Limit("=", 100).margin_pct(100.0))
    assert math.isnan(margin_pct(1.0, None))


def test_result_status_is_the_gap_tables(nantong_2021):
    g = gap_table(nantong_2021).set_index("number")
    for r in nantong_2021.results:
        assert r.status == g.loc[r.number, "status"]
        m = g.loc[r.number, "margin_pct"]
        assert (math.isnan(r.margin_pct) and math.isnan(m)) or r.margin_pct == m
    assert nantong_2021.result(14).status == "at_risk"
    assert nantong_2021.result(28).status == "fail"
    assert nantong_2021.result(17).status == "pass"


def test_classify():
    assert classify(None, math.nan) == "not_computable"
    assert classify(False, -5.0) == "fail"
    assert classify(True, 9.99) == "at_risk"
    assert classify(True, 0.0) == "at_risk"
    assert classify(True, 10.0) == "pass"
    assert classify(True, math.nan) == "pass"  # "=" requirements: met, no margin


def test_nantong_2021_statuses(nantong_2021):
    g = gap_table(nantong_2021)
    assert list(g.columns) == GAP_COLUMNS
    assert g["number"].tolist() == [str(n) for n in range(1, 33)]
    by = g.set_index("number")
    assert sorted(g.loc[g.status == "fail", "number"], key=int) == ["3", "4", "9", "12", "28"]
    # 14 is the selected indicator that passes by a hair; 5 (6 projects, ≥6) and 7 (82.00, ≥80)
    # are at their limits too.
    assert sorted(g.loc[g.status == "at_risk", "number"], key=int) == ["5", "7", "14"]
    assert by.loc["14", "status_zh"] == "临界"
    assert by.loc["14", "margin_pct"] == pytest.approx((8 - 7.631298153356977) / 8 * 100, rel=1e-12)
    assert round(by.loc["14", "margin_pct"], 1) == 4.6
    assert (
        by.loc["14", "requirement"] == "≤8"
        and by.loc["14", "op"] == "<="
        and by.loc["14", "limit"] == 8
    )
    assert (
        by.loc["14", "role"] == "selected" and by.loc["14", "indicator"] == "单位工业增加值新鲜水耗"
    )
    # 28: 0.1407 against ≤0.1, signed margin -40.75 %
    assert by.loc["28", "margin_pct"] == pytest.approx(-40.7485777, abs=1e-6)
    assert by.loc["28", "status_zh"] == "未达标"
    # status words and "=" requirements pass without a margin
    assert by.loc["17", "status"] == "pass" and math.isnan(by.loc["17", "margin_pct"])
    assert by.loc["20", "status"] == "pass" and math.isnan(by.loc["20", "margin_pct"])
    assert by.loc["16", "margin_pct"] == pytest.approx((29.58677374025944 - 10) / 10 * 100)
    assert (g.status != "not_computable").all()


def test_not_computable_rows_keep_their_reason(nantong_dir):
    a = ecopark.assess(ecopark.load_park(nantong_dir), 2018)
    g = gap_table(a).set_index("number")
    assert len(g) == 32
    assert g.loc["8", "status"] == "pass"  # 2018 has value added and land
    nc = g[g.status == "not_computable"]
    assert len(nc) == 30
    assert nc.loc["1", "status_zh"] == "无法计算"
    assert (
        "缺少数据" in nc.loc["1", "reason_zh"]
        and "高新技术企业工业总产值" in nc.loc["1", "reason_zh"]
    )
    assert pd.isna(nc.loc["1", "value"]) and math.isnan(nc.loc["1", "margin_pct"])


def test_results_table_columns_mean_one_thing_each(nantong_2021):
    from ecopark.assessment import RESULT_COLUMNS

    t = nantong_2021.table().set_index("number")
    assert list(nantong_2021.table().columns) == RESULT_COLUMNS
    assert t["value"].dtype == float
    assert t.loc["12", "value"] == pytest.approx(0.0026236702025079846, rel=1e-12)
    assert t.loc["12", "display"] == "0.0026" and t.loc["7", "display"] == "82.00"
    # a status word is printed, not a number
    assert math.isnan(t.loc["17", "value"]) and t.loc["17", "display"] == "达标"
    assert t.loc["17", "limit"] == "达标" and t.loc["17", "op"] == "="
    assert t.loc["12", "passed"] is False and t.loc["11", "passed"] is True
    assert t.loc["14", "status"] == "at_risk" and t.loc["14", "limit"] == 8.0
    assert t.loc["14", "margin_pct"] == pytest.approx((8 - 7.631298153356977) / 8 * 100, rel=1e-12)
    g = gap_table(nantong_2021)
    added = ["status_zh", "label"]  # the gap table adds the Chinese status and the label
    assert g.drop(columns=added).equals(nantong_2021.table()[g.columns.drop(added)])
    assert g["label"].equals(g["number"])  # HJ 274-2015 prints its ids


def test_results_table_of_a_not_computable_indicator(nantong_dir):
    a = ecopark.assess(ecopark.load_park(nantong_dir), 2015)
    t = a.table().set_index("number")
    assert math.isnan(t.loc["3", "value"]) and t.loc["3", "display"] == ""
    assert t.loc["3", "passed"] is None and t.loc["3", "status"] == "not_computable"
    assert t.loc["3", "reason_zh"]
