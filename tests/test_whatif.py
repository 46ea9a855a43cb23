"""What it would take: the solver against the Nantong numbers and closed forms (issue 3, item 2)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from fractions import Fraction

import pytest

import ecopark
from ecopark.cli import main
from ecopark.io.config import ParkConfig
from ecopark.whatif import (
    DOWN_FACTORS,
    REPORT_COLUMNS,
    UP_FACTORS,
    WHATIF_COLUMNS,
    ZERO_GRID,
    _Bounds,
    _scan,
    gaps_report,
    solve_item,
    what_it_would_take,
)
from parkfiles import nantong_copy
from rules_probe import METHODS, judges_exact_value, ties_to_even


@pytest.fixture(scope="module")
def nantong_2021(nantong_dir):
    return ecopark.assess(ecopark.load_park(nantong_dir), 2021)


@pytest.fixture(scope="module")
def table(nantong_2021):
    return what_it_would_take(nantong_2021).set_index(["number", "item"])


def rule(config) -> str:
    """The rule the engine applies to this park: ``exact`` (全数值比较法), or the printed value
    (修约值比较法) rounded ``half_up`` or ties to ``even``."""
    if judges_exact_value(config):
        return "exact"
    return "even" if ties_to_even(config) else "half_up"


def boundary(config, limit: float, op: str) -> float:
    """The indicator value where passing ends under the park's rule [the indicator's unit].

    全数值比较法: the limit itself; 修约值比较法: the limit ∓ half a unit of the limit's last
    decimal as written (GB/T 8170: the value is rounded to the limit's decimals; ≥30 → 29.5).
    """
    if rule(config) == "exact":
        return limit
    half = float(Decimal(1).scaleb(Decimal(str(limit)).normalize().as_tuple().exponent) / 2)
    return limit - half if op == ">=" else limit + half


#: Nantong 2021, worked by hand: the tight value of each item under each rule, to the item's
#: precision as written (value added 4906200: whole 万元; solid waste 690540.672: 0.001 t).
#: 28 (≤0.1): exactly 0.1 × 4,906,200 = 490,620 t. Value added ≥ 690,540.672 / 0.1 =
#: 6,905,406.72 → 6,905,407. 12 (≥9): renewable ≥ 0.09 × 1,974,333.51 = 177,690.0159 → 177,690.1.
#: 14 (≤8, at risk): fresh water ≤ 8 × 4,906,200 / 10⁴ = 3,924.96.
NANTONG_TIGHT = {
    "exact": {
        ("28", "solid_waste_generated"): 490620,
        ("28", "value_added"): 6905407,
        ("12", "renewable_energy"): 177690.1,
        ("14", "fresh_water"): 3924.96,
    },
    # 修约值比较法 rounds the value to the limit's decimals (GB/T 8170): 28 ≤0.1 passes below
    # 0.15 (0.15 itself rounds to 0.2 either way), 12 ≥9 from above 8.5 (8.5 → 8 to even, 9
    # half-up: 167,818.35 either way, up to 0.1 tce), 14 ≤8 up to 8.5 with ties to even (8.5 →
    # 8: 4,170.27 万m³) and below it half-up (8.5 → 9: 4,170.2699, to the item's 4 decimals)
    "half_up": {
        ("28", "solid_waste_generated"): 735929.999,
        ("28", "value_added"): 4603605,
        ("12", "renewable_energy"): 167818.4,
        ("14", "fresh_water"): 4170.2699,
    },
    "even": {
        ("28", "solid_waste_generated"): 735929.999,
        ("28", "value_added"): 4603605,
        ("12", "renewable_energy"): 167818.4,
        ("14", "fresh_water"): 4170.27,
    },
}


@pytest.mark.parametrize("rules", METHODS)
def test_nantong_values_tight_under_the_rule(rules, tmp_path):
    folder = nantong_copy(tmp_path, config={} if rules is None else {"rules": rules})
    a = ecopark.assess(ecopark.load_park(folder), 2021)
    got = what_it_would_take(a).set_index(["number", "item"])
    for (number, item), want in NANTONG_TIGHT[rule(a.config)].items():
        assert got.loc[(number, item), "required_value"] == want, (number, item)
    sw = got.loc[("28", "solid_waste_generated")]
    assert sw["required_change_pct"] == pytest.approx(
        (sw["required_value"] - 690540.672) / 690540.672 * 100, rel=1e-12
    )


def test_nantong_28_solid_waste_and_value_added(table):
    sw = table.loc[("28", "solid_waste_generated")]
    assert sw["required_value"] == 490620  # 0.1 t/万元 × 4,906,200 万元
    assert round(sw["required_change_pct"], 2) == -28.95
    va = table.loc[("28", "value_added")]
    assert va["required_value"] == 6905407  # 690,540.672 t / 0.1, up to whole 万元
    assert round(va["required_change_pct"], 2) == 40.75
    assert va["reachable"] and va["item_zh"] == "工业增加值" and va["item_unit"] == "万元"


def test_nantong_12_renewable_with_total_energy_unchanged(nantong_2021, table):
    r = table.loc[("12", "renewable_energy")]
    target = boundary(nantong_2021.config, 9.0, ">=")
    assert r["required_value"] == pytest.approx(target / 100 * 1974333.51, abs=0.1)
    # only that item changes: the engine passes it there, and not one step (0.1 tce) below
    for x, passed in ((r["required_value"], True), (r["required_value"] - 0.1, False)):
        values = dict(nantong_2021.values, **{"renewable_energy@T": float(x)})
        again = ecopark.assess_values(nantong_2021.config, nantong_2021.standard, 2021, values)
        assert again.result(12).passed is passed
        assert again.values["energy@T"] == 1974333.51
    # the other item alone: total energy down to 51.8 / 9 % = 575.56 tce, to 0.01 tce
    e = table.loc[("12", "energy"), "required_value"]
    assert e == pytest.approx(51.8 / (target / 100), abs=0.01) and round(e, 2) == e


def test_solver_matches_closed_forms(nantong_2021, table):
    v = nantong_2021.values
    cfg = nantong_2021.config
    va, va3 = v["value_added@T"], v["value_added@T-3"]
    # 4, a share: recycling = 30 % × value added; value added = recycling / 30 %
    s4 = boundary(cfg, 30, ">=") / 100
    assert table.loc[("4", "recycling_value_added"), "required_value"] == pytest.approx(
        s4 * va, abs=0.1
    )
    assert table.loc[("4", "value_added"), "required_value"] == pytest.approx(
        v["recycling_value_added@T"] / s4, abs=1
    )
    # 3, a three-year growth rate: value added = V(T-3) × 1.15³, to whole 万元
    g3 = 1 + boundary(cfg, 15, ">=") / 100
    assert table.loc[("3", "value_added"), "required_value"] == pytest.approx(va3 * g3**3, abs=1)
    # 9, growth of value added per land: land = V / (1.06³ × V(T-3) / land(T-3)), to 0.01 km²
    land3 = v["industrial_land@T-3"]
    g9 = 1 + boundary(cfg, 6, ">=") / 100
    assert table.loc[("9", "industrial_land"), "required_value"] == pytest.approx(
        va / (g9**3 * va3 / land3), abs=0.01
    )
    # 14 (at risk): the break-even fresh water is 8 m³/万元 × V / 10⁴ 万m³, +4.83 %
    fw = table.loc[("14", "fresh_water")]
    b14 = boundary(cfg, 8, "<=")
    assert fw["status"] == "at_risk"
    assert fw["required_value"] == pytest.approx(b14 * va / 1e4, abs=1.01e-4)
    assert table.loc[("14", "value_added"), "required_value"] == pytest.approx(
        v["fresh_water@T"] * 1e4 / b14, abs=1
    )
    # 7 (at risk): recycled down to 80 % of collected, to whole tonnes
    assert table.loc[("7", "recyclables_recycled"), "required_value"] == pytest.approx(
        boundary(cfg, 80, ">=") / 100 * v["recyclables_collected@T"], abs=1
    )


def test_rows_cover_failing_and_at_risk_items(nantong_2021):
    df = what_it_would_take(nantong_2021)
    assert list(df.columns) == WHATIF_COLUMNS
    assert sorted(set(df["number"]), key=int) == ["3", "4", "5", "7", "9", "12", "14", "28"]
    # only items of year T: indicator 3 reads value_added[T-3] too, which is not solved for
    assert df.loc[df.number == "3", "item"].tolist() == ["value_added"]
    assert df["reachable"].all()


def _synthetic(values: dict[str, float], year: int = 2020, base: int = 2015):
    config = ParkConfig(id="synthetic", name="合成园区", base_year=base)
    return ecopark.assess_values(config, ecopark.load_standard(), year, values)


def test_elasticity_solved_by_hand():
    # Indicator 13, n = 5: value added +10 %/yr, fresh water +8 %/yr → E = 0.8 > 0.55, fails.
    a = _synthetic(
        {
            "value_added@T": 100 * 1.1**5,
            "value_added@B": 100.0,
            "fresh_water@T": 1000 * 1.08**5,
            "fresh_water@B": 1000.0,
        }
    )
    assert a.result(13).passed is False and a.result(13).value == pytest.approx(0.8)
    fw = solve_item(a, 13, "fresh_water")
    # E = 0.55 (under 全数值比较法) → g_W = 0.55 × 0.10 → W = 1000 × 1.055⁵
    e = boundary(a.config, 0.55, "<=")
    w = 1000 * (1 + 0.1 * e) ** 5
    assert fw.required_value == pytest.approx(w, rel=1e-9)
    assert fw.required_change_pct == pytest.approx((w / (1000 * 1.08**5) - 1) * 100, rel=1e-7)
    va = solve_item(a, 13, "value_added")
    # value added appears only through g_V: g_V = 0.08 / 0.55 → V = 100 × (1 + 0.08/0.55)⁵
    assert va.required_value == pytest.approx(100 * (1 + 0.08 / e) ** 5, rel=1e-9)


def test_intensity_reduction_closed_form():
    # Indicator 26: r = 1 − ((C/V)/(C_B/V_B))^(1/n) ≥ 3 %; value added is in the ratio of year T.
    a = _synthetic(
        {"co2@T": 1000.0, "co2@B": 1000.0, "value_added@T": 105.0, "value_added@B": 100.0}
    )
    assert a.result(26).passed is False
    keep = 1 - boundary(a.config, 3, ">=") / 100  # 0.97 under 全数值比较法
    va = solve_item(a, 26, "value_added")
    assert va.required_value == pytest.approx(1000 / (10 * keep**5), abs=1.0)  # whole 万元
    co2 = solve_item(a, 26, "co2")
    assert co2.required_value == pytest.approx(105.0 * 10 * keep**5, abs=1.0)  # whole t


def test_unreachable_share_and_pollutant_mean():
    # 12 with no renewable energy at all: total energy alone cannot lift the share.
    a = _synthetic({"renewable_energy@T": 0.0, "energy@T": 1000.0})
    r = solve_item(a, 12, "energy")
    assert not r.reachable and r.required_value is None and r.required_change_pct is None
    assert "不随" in r.reason_zh and "综合能耗总量" in r.reason_zh
    ok = solve_item(a, 12, "renewable_energy")  # from 0: 90 tce, change in % undefined
    assert ok.reachable and ok.required_value == 90.0  # 0.1 tce: 0.5 % of the answer
    assert ok.required_change_pct is None and "为 0" in ok.reason_zh
    # 25, the mean of four elasticities: value added +1 %/yr, three pollutants +50 %/yr
    # (elasticity 50 each). COD's elasticity cannot go below −1/0.01 = −100, so the mean stays
    # ≥ (150 − 100) / 4 = 12.5 > 0.3 whatever COD does.
    values = {"value_added@T": 100 * 1.01**5, "value_added@B": 100.0}
    for p in ("cod", "ammonia_nitrogen", "so2", "nox"):
        values[f"{p}@B"] = 10.0
        values[f"{p}@T"] = 10.0 * 1.5**5
    a = _synthetic(values)
    assert a.result(25).passed is False
    cod = solve_item(a, 25, "cod")
    assert not cod.reachable and "达不到" in cod.reason_zh and "COD排放量" in cod.reason_zh
    assert "cannot" not in cod.reason_zh and cod.reason_en.startswith(
        "no non-negative value of cod"
    )
    # value added, which enters all four through g_V, can reach it
    assert solve_item(a, 25, "value_added").reachable


def test_solve_item_rejects_an_item_outside_year_t(nantong_2021):
    with pytest.raises(ValueError):
        solve_item(nantong_2021, 3, "energy")


def test_gaps_report_rows(nantong_2021):
    rep = gaps_report(nantong_2021)
    assert list(rep.columns) == REPORT_COLUMNS
    # passing indicators: one row, empty item columns
    one = rep[rep.number == "1"]
    assert len(one) == 1 and one["item"].isna().all() and one["required_value"].isna().all()
    assert rep[rep.number == "28"]["item"].tolist() == ["solid_waste_generated", "value_added"]
    assert set(rep["number"]) == {str(n) for n in range(1, 33)}


def test_gaps_command_csv_and_json(nantong_dir, nantong_2021, tmp_path, capsys):
    tight = NANTONG_TIGHT[rule(nantong_2021.config)]
    out = tmp_path / "gaps.csv"
    assert main(["gaps", str(nantong_dir), "2021", "--format", "csv", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfnumber,")  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert list(rows[0].keys()) == REPORT_COLUMNS
    r28 = [r for r in rows if r["number"] == "28"]
    assert [r["item"] for r in r28] == ["solid_waste_generated", "value_added"]
    # printed exactly as solved (not cut to 12 significant digits)
    assert float(r28[0]["required_value"]) == tight[("28", "solid_waste_generated")]
    assert float(r28[1]["required_value"]) == tight[("28", "value_added")]
    assert r28[0]["status"] == "fail" and r28[0]["requirement"] == "≤0.1"
    passing = [r for r in rows if r["number"] == "2"]
    assert len(passing) == 1 and passing[0]["item"] == "" and passing[0]["status"] == "pass"
    assert not list(tmp_path.glob(".*.tmp"))  # written atomically, nothing left behind
    capsys.readouterr()
    assert main(["gaps", str(nantong_dir), "2021", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["park"] == "nantong-etdz" and doc["year"] == 2021
    r12 = [r for r in doc["rows"] if r["number"] == 12 and r["item"] == "renewable_energy"][0]
    assert r12["required_value"] == tight[("12", "renewable_energy")]
    assert [r for r in doc["rows"] if r["number"] == 2][0]["item"] is None


def _scan_by_definition(x0, bounds, up, seeds):
    """The scan's points as defined: every factor point and seed strictly between ``x0`` and the
    bound, and the bound, each once, nearest ``x0`` first."""
    if up:
        grid = [x0 * f for f in UP_FACTORS] if x0 > 0 else list(ZERO_GRID)
        end = bounds.hi
        pts = {p for p in (*grid, *seeds) if p > x0 and (end is None or p < end)}
        if end is not None and end > x0:
            pts.add(end)
        return sorted(pts)
    pts = {p for p in (*(x0 * f for f in DOWN_FACTORS), *seeds) if bounds.lo < p < x0}
    if bounds.lo < x0:
        pts.add(bounds.lo)
    return sorted(pts, reverse=True)


@pytest.mark.parametrize("x0", [Fraction(0), Fraction(5), Fraction(-3), Fraction(123457, 1000)])
@pytest.mark.parametrize(
    "lo, hi", [(0, None), (0, 100), (Fraction(2), Fraction(7)), (Fraction(10), Fraction(10))]
)
def test_scan_is_made_lazily_in_the_order_defined(x0, lo, hi):
    """The scan (made point by point, the factor grid merged with the sorted seeds) gives the
    points of its definition in its order: seeds on a grid point, at ``x0``, repeated, beyond
    the bounds and negative are kept once or left out as the definition does."""
    bounds = _Bounds(Fraction(lo), None if hi is None else Fraction(hi))
    on_grid = [x0 * UP_FACTORS[3], x0 * DOWN_FACTORS[5]] if x0 > 0 else [ZERO_GRID[8]]
    seeds = [x0, x0 * 2, x0 / 2, x0 + 1, x0 - 1, Fraction(10**12), Fraction(-1), *on_grid]
    seeds += [seeds[1], Fraction(3), Fraction(7), Fraction(2)]
    for up in (True, False):
        want = _scan_by_definition(x0, bounds, up, seeds)
        assert list(_scan(x0, bounds, up, seeds)) == want
        assert list(_scan(x0, bounds, up, ())) == _scan_by_definition(x0, bounds, up, ())
