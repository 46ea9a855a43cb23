"""Trends and the advisor judge by the declared rule, exactly, as the engine does (issues 9, 12).

Margins are the margin of the number the declared comparison method puts against the limit
(全数值比较法: the exact value; 修约值比较法: the value rounded to the limit's decimals), so a
margin is ≥ 0 exactly when the engine passes the value and 0 exactly at the limit. A trend's
crossing year is the first year whose projected value the standard would judge the other way.
The hand-worked cases sit on the exact boundaries; the reference judgement below is written
here with :class:`fractions.Fraction`, independently of ecopark.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ecopark
from ecopark.advisor import advise
from ecopark.gaps import gap_table
from ecopark.rounding import passes
from ecopark.standard.model import Limit, Rules
from ecopark.status import margin_pct
from ecopark.trends import SERIES_COLUMNS, fit_trends, indicator_series, park_trends
from exact_reference import judged, ref_passes
from parkfiles import write_park
from tests.thorough import size

ROUNDED = {"comparison": "rounded_value"}
ROUNDED_UP = {"comparison": "rounded_value", "rounding": "half_up"}


# --- the reference, independent of ecopark (tests/exact_reference.py) ---------------------------


def ref_margin(x: Fraction, op: str, limit: str, rule: str, method: str) -> float:
    v, lim = judged(x, op, limit, rule, method), Fraction(Decimal(limit))
    room = lim - v if op == "<=" else v - lim
    return float(room * 100 / abs(lim))


def limit_of(op: str, text: str) -> Limit:
    """A limit as a definition file writes it (YAML: ``8`` an int, ``0.5`` a float)."""
    return Limit(op, int(text) if text.lstrip("-").isdigit() else float(text))


# --- margins: hand-worked at the exact boundary, both methods -----------------------------------

MARGIN_CASES = [
    # op, limit, value, rounding, comparison, margin [%], passes
    ("<=", "0.5", "0.5049", "half_even", "rounded_value", 0.0, True),  # judged 0.5
    ("<=", "0.5", "0.5049", "half_even", "full_value", -0.98, False),  # printed 0.50(+)
    (">=", "0.5", "0.4951", "half_even", "rounded_value", 0.0, True),  # the reverse
    (">=", "0.5", "0.4951", "half_up", "full_value", -0.98, False),
    ("<=", "0.5", "0.505", "half_even", "full_value", -1.0, False),
    ("<=", "0.5", "0.55", "half_even", "rounded_value", -20.0, False),  # 0.55 -> 0.6
    ("<=", "0.5", "0.45", "half_even", "rounded_value", 20.0, True),  # 0.45 -> 0.4
    ("<=", "0.5", "0.45", "half_up", "rounded_value", 0.0, True),  # 0.45 -> 0.5
    ("<=", "8", "8.5", "half_even", "rounded_value", 0.0, True),  # 8.5 -> 8
    ("<=", "8", "8.5", "half_up", "rounded_value", -12.5, False),  # 8.5 -> 9
    (">=", "80", "79.5", "half_even", "rounded_value", 0.0, True),  # 79.5 -> 80
    (">=", "80", "78.5", "half_even", "rounded_value", -2.5, False),  # 78.5 -> 78
    ("<=", "0.5", "0.5", "half_even", "full_value", 0.0, True),
    ("<=", "0.5", "0.5", "half_up", "rounded_value", 0.0, True),
    (">=", "30", "30", "half_even", "full_value", 0.0, True),
    ("<=", "-0.5", "-0.45", "half_up", "rounded_value", 0.0, True),  # -0.45 -> -0.5
]


@pytest.mark.parametrize("op,limit,value,rounding,comparison,margin,passed", MARGIN_CASES)
def test_margin_at_the_boundary(op, limit, value, rounding, comparison, margin, passed) -> None:
    lim, rules = limit_of(op, limit), Rules(rounding=rounding, comparison=comparison)
    x = Fraction(value)
    got = margin_pct(x, lim, rules)
    assert got == pytest.approx(margin, abs=1e-12)
    assert got == ref_margin(x, op, limit, rounding, comparison)  # exactly the reference
    assert passes(x, lim, rules) is passed
    assert (got >= 0) is passed  # the sign of the margin is the judgement
    if margin == 0:
        assert got == 0.0 and math.copysign(1, got) == 1  # 0, never -0.0


def test_margin_is_exact_and_signed_a_hair_from_the_limit() -> None:
    lim = Limit("<=", 0.1)
    hair = Fraction(1, 10) + Fraction(1, 10**30)  # the same float as 0.1
    assert float(hair) == 0.1
    assert margin_pct(hair, lim) < 0 and not passes(hair, lim)  # fails, and says so
    assert margin_pct(Fraction(1, 10), lim) == 0.0  # at the limit: exactly 0
    # a float is judged as a float, as before: Nantong 2021, 14 at 7.6313 against <=8
    assert margin_pct(7.6313, Limit("<=", 8)) == (8 - 7.6313) / 8 * 100.0
    assert lim.room(Fraction(1, 20)) == Fraction(1, 20)  # exact room for an exact value
    assert math.isnan(margin_pct(Fraction(1), Limit("=", 1))) and math.isnan(margin_pct(1, None))


# --- the engine's table and the advisor on a park at the boundary -------------------------------


def boundary_park(tmp_path, rules: dict[str, str] | None):
    """2021: 11 = 0.5049 (≤0.5), 12 = 8.9503… (≥9), 14 = 8 exactly (≤8), 27 = 0.505·10 = 5.05
    (≤7), 28 = 0.505 / 5 = 0.101 (≤0.1)."""
    items = {
        "value_added": "100000",
        "energy": "50490",
        "renewable_energy": "4519",
        "fresh_water": "80",
        "wastewater": "505000",
        "solid_waste_generated": "10100",
        "hightech_output": "40",
        "industrial_output": "100",
        "recycling_value_added": "35000",
    }
    config = {"selected_optional": [11, 12, 14, 27, 28, 1]}
    if rules is not None:
        config["rules"] = rules
    folder = write_park(tmp_path, {2015: items, 2021: items}, config)
    return ecopark.assess(ecopark.load_park(folder), 2021)


@pytest.mark.parametrize("rules", [None, ROUNDED], ids=["full_value", "rounded_value"])
def test_table_and_advisor_margins_follow_the_declared_comparison(tmp_path, rules) -> None:
    a = boundary_park(tmp_path, rules)
    rounded = rules is not None
    g = gap_table(a).set_index("number")
    # 11: 0.5049 against ≤0.5; 12: 8.95 against ≥9 (the reverse); 28: 0.101 against ≤0.1
    for n in ("11", "12", "28"):
        r = a.result(n)
        assert r.passed is rounded, n
        assert g.loc[n, "passed"] is rounded and g.loc[n, "margin_pct"] == r.margin_pct
        if rounded:
            assert r.margin_pct == 0.0 and r.status == "at_risk", n
        else:
            assert r.margin_pct < 0 and r.status == "fail", n
    assert a.result("11").mark == ("" if rounded else "(+)")
    assert a.result("12").mark == ""  # printed 8.95, not at the limit
    # 14 at its limit exactly: passes with a margin of exactly 0 under both methods
    assert a.result("14").passed and a.result("14").margin_pct == 0.0
    assert a.result("14").status == "at_risk"

    adv = advise(a)
    for n in a.standard.optional_numbers:
        r = a.result(n)
        m = adv.margins[n]
        assert m == r.margin_pct or (math.isnan(m) and math.isnan(r.margin_pct)), n
        if r.passed is False:
            assert n in adv.excluded and n not in adv.recommended and m < 0, n
        if r.passed:
            assert n not in adv.excluded and m >= 0, n
    assert all(adv.margins[n] >= 0 for n in adv.recommended)
    if rounded:  # 1, 4, 27 with room; three of 11, 12, 14, 28, each passing with 0 room
        assert adv.feasible and not {"11", "12", "14", "28"} & set(adv.excluded)
        assert adv.recommended == ("1", "4", "11", "12", "14", "27")
        assert adv.recommended_min_margin == 0.0 and "最小余量 0.0%" in adv.text_zh
        assert "-" not in f"{adv.recommended_min_margin}"
    else:
        assert adv.excluded["11"] == "未达标（0.50(+)，要求 ≤0.5）"
        assert adv.excluded["12"] == "未达标（8.95，要求 ≥9）"
        assert adv.current_min_margin < 0 and adv.recommended_min_margin >= 0


def test_an_exact_tie_under_both_methods(tmp_path) -> None:
    # 396305.719 / 784763.8 is exactly 0.505 (a float gives 0.5049999999999999)
    items = {"value_added": "784763.8", "energy": "396305.719"}
    full = ecopark.assess(
        ecopark.load_park(write_park(tmp_path, {2015: items, 2021: items}, park_id="f")), 2021
    ).result("11")
    assert (full.passed, full.margin_pct, full.display + full.mark) == (False, -1.0, "0.50(+)")
    folder = write_park(tmp_path, {2015: items, 2021: items}, {"rules": ROUNDED}, park_id="r")
    rounded = ecopark.assess(ecopark.load_park(folder), 2021).result("11")
    assert (rounded.passed, rounded.margin_pct) == (True, 0.0)  # 0.505 -> 0.5 at 1 decimal


# --- trends: the crossing year as the standard judges the projected value -----------------------


def trend_park(tmp_path, rules: dict[str, str] | None, name: str = "trend"):
    """2016–2018 on straight lines (value added 100,000 万元 every year):

    11 = 0.62, 0.59, 0.56 (≤0.5), 14 = 9.1, 8.9, 8.7 (≤8), 27 = 6.9, 7.1, 7.3 (≤7).
    """
    years = {
        2016 + k: {
            "value_added": "100000",
            "energy": str(62000 - 3000 * k),
            "fresh_water": str(91 - 2 * k),
            "wastewater": str(690000 + 20000 * k),
        }
        for k in range(3)
    }
    config = {} if rules is None else {"rules": rules}
    return ecopark.load_park(write_park(tmp_path, years, config, park_id=name))


CROSSINGS = [
    # comparison rules, indicator, outlook, crossing year, where the line meets the boundary
    (None, "11", "will_pass", 2020, 2020.0),  # reaches 0.5 in 2020 exactly: at the limit, passes
    (ROUNDED, "11", "will_pass", 2019, 2018 + 1 / 3),  # below 0.55 from 2018.33: 0.53 -> 0.5
    (None, "14", "will_pass", 2022, 2021.5),  # 8 at 2021.5
    (ROUNDED, "14", "will_pass", 2019, 2019.0),  # 8.5 in 2019 rounds to the even 8: passes
    (ROUNDED_UP, "14", "will_pass", 2020, 2019.0),  # 8.5 rounds half up to 9: passes from 2020
    (None, "27", "never", None, 2016.5),  # 7.3 fails ≤7 and rises: never
    (ROUNDED, "27", "will_fail", 2019, 2019.0),  # 7.3 -> 7 passes; 7.5 in 2019 -> 8 fails
    (ROUNDED_UP, "27", "will_fail", 2019, 2019.0),
]


@pytest.mark.parametrize("rules,number,outlook,year,where", CROSSINGS)
def test_crossing_years_by_the_declared_rule(tmp_path, rules, number, outlook, year, where):
    park = trend_park(tmp_path, rules)
    series, fits = park_trends(park)
    fit = fits.set_index("number").loc[number]
    assert fit["outlook"] == outlook
    assert pd.isna(fit["crossing_year"]) if year is None else fit["crossing_year"] == year
    assert fit["exact_crossing"] == pytest.approx(where, abs=1e-9)
    s = series[series.number == number]
    assert (
        s["exact"].tolist()
        == {
            "11": [Fraction("0.62"), Fraction("0.59"), Fraction("0.56")],
            "14": [Fraction("9.1"), Fraction("8.9"), Fraction("8.7")],
            "27": [Fraction("6.9"), Fraction("7.1"), Fraction("7.3")],
        }[number]
    )
    assert fit["last_passed"] == park_status(park, 2018, number)[0]
    if year is not None:
        assert str(year) in fit["outlook_zh"]


def park_status(park, year: int, number: str) -> tuple[bool | None, str, float]:
    r = ecopark.assess(park, year).result(number)
    return r.passed, r.status, r.margin_pct


@pytest.mark.parametrize("rules", [None, ROUNDED, ROUNDED_UP])
def test_past_years_are_the_engines_word(tmp_path, rules) -> None:
    park = trend_park(tmp_path, rules)
    series = indicator_series(park)
    assert list(series.columns) == SERIES_COLUMNS
    assert series.attrs["rules"] == ecopark.assess(park, 2018).rules
    for row in series.itertuples(index=False):
        passed, status, margin = park_status(park, row.year, row.number)
        assert (row.passed, row.status) == (passed, status)
        assert row.margin_pct == margin or (math.isnan(margin) and math.isnan(row.margin_pct))
    # 27 in 2017 (7.1 against ≤7): fails exactly, passes as rounded to 7
    r27 = series[(series.number == "27") & (series.year == 2017)].iloc[0]
    assert bool(r27.passed) is (rules is not None)
    # the fit never judges the last year again: it reports the series' word
    flipped = series.copy()
    rows27 = flipped.number == "27"
    flipped.loc[rows27, "passed"] = [not p for p in flipped.loc[rows27, "passed"]]
    fit = fit_trends(flipped).set_index("number").loc["27"]
    assert fit["last_passed"] == flipped[flipped.number == "27"]["passed"].iloc[-1]
    assert fit_trends(series).equals(fit_trends(series, rules=series.attrs["rules"]))


# --- properties over random series --------------------------------------------------------------

LIMITS = [("<=", "0.5"), (">=", "0.5"), ("<=", "8"), (">=", "80"), ("<=", "0.1"), ("<=", "-0.5")]
STEPS = [Fraction(1, 1000), Fraction(1, 200), Fraction(1, 100), Fraction(1, 20), Fraction(1, 2)]


@st.composite
def random_series(draw):
    """3–6 years of values around a limit: noise, a straight line, or a straight line that lands
    in a whole year exactly on a judged boundary (the limit, or half a unit of its last decimal
    beyond or within it: the ties of 修约值比较法)."""
    op, text = draw(st.sampled_from(LIMITS))
    lim = Fraction(Decimal(text))
    half = Fraction(1, 2 * 10 ** max(0, -Decimal(text).as_tuple().exponent))
    step = draw(st.sampled_from(STEPS))
    first = draw(st.integers(2010, 2020))
    years = sorted(draw(st.sets(st.integers(first, first + 8), min_size=3, max_size=6)))
    mode = draw(st.sampled_from(["noise", "line", "through_a_boundary"]))
    if mode == "noise":
        values = [lim + draw(st.integers(-12, 12)) * step for _ in years]
    elif mode == "line":
        a, d = draw(st.integers(-12, 12)), draw(st.integers(-4, 4))
        values = [lim + (a + d * (y - first)) * step for y in years]
    else:
        target = lim + draw(st.sampled_from([0, 1, -1])) * half
        when = years[-1] + draw(st.integers(-2, 12))
        d = draw(st.sampled_from([-3, -2, -1, 1, 2, 3])) * step
        values = [target + d * (y - when) for y in years]
    rounding = draw(st.sampled_from(["half_even", "half_up"]))
    method = draw(st.sampled_from(["full_value", "rounded_value"]))
    return op, text, years, values, rounding, method


def series_frame(op, text, years, values, rounding, method) -> pd.DataFrame:
    lim = limit_of(op, text)
    rows = [
        {
            "park": "p",
            "year": y,
            "number": "11",
            "label": "11",
            "indicator": "x",
            "unit": "",
            "role": "selected",
            "value": float(v),
            "op": op,
            "limit": float(lim.value),
            "passed": ref_passes(v, op, text, rounding, method),  # as the engine judges
            "margin_pct": ref_margin(v, op, text, rounding, method),
            "status": "",
            "exact": v,
            "applied_limit": lim,
        }
        for y, v in zip(years, values, strict=True)
    ]
    return pd.DataFrame(rows, columns=SERIES_COLUMNS)


@pytest.mark.slow  # hypothesis battery: 100 series, 300 when thorough
@settings(max_examples=size(300, 100), deadline=None, derandomize=True)
@given(case=random_series())
def test_projected_crossing_is_the_first_year_judged_the_other_way(case) -> None:
    op, text, years, values, rounding, method = case
    rules = Rules(rounding=rounding, comparison=method)
    fit = fit_trends(series_frame(*case), rules=rules).iloc[0]
    # the least-squares line, worked out here independently
    n, sx, sy = len(years), sum(years), sum(values)
    sxx, sxy = sum(x * x for x in years), sum(x * v for x, v in zip(years, values, strict=True))
    slope = Fraction(n * sxy - sx * sy, n * sxx - sx * sx)
    intercept = (sy - slope * sx) / n
    assert fit["slope"] == float(slope) and fit["intercept"] == float(intercept)
    last = years[-1]
    now = ref_passes(values[-1], op, text, rounding, method)
    assert fit["last_passed"] == now
    horizon = range(last + 1, last + 31)
    judged_years = [ref_passes(intercept + slope * y, op, text, rounding, method) for y in horizon]
    towards = slope != 0 and ((slope > 0) == (op == ">=")) != now
    expected = next(
        (y for y, ok in zip(horizon, judged_years, strict=True) if ok != now and towards), None
    )
    got = None if pd.isna(fit["crossing_year"]) else int(fit["crossing_year"])
    assert got == expected, (fit["exact_crossing"], judged_years)
    assert (
        fit["outlook"]
        == {
            (True, True): "stays_passing",
            (True, False): "will_fail",
            (False, True): "never",
            (False, False): "will_pass",
        }[(now, got is None)]
    )


def random_park_years(draw) -> dict[int, dict[str, str]]:
    """2015 and 2019–2021 with the ratio indicators drawn around their limits."""
    years = {}
    for year in (2015, 2019, 2020, 2021):
        va = 100000
        years[year] = {
            "value_added": str(va),
            # 11 = energy / VA around 0.5; 14 = fresh water · 10⁴ / VA around 8;
            # 28 = solid waste / VA around 0.1; 12 = renewable / energy · 100 around 9
            "energy": str(50000 + 10 * draw(st.integers(-600, 600))),
            "fresh_water": str(Fraction(80) + Fraction(draw(st.integers(-60, 60)), 20)),
            "solid_waste_generated": str(10000 + 10 * draw(st.integers(-100, 100))),
            "renewable_energy": str(4500 + 5 * draw(st.integers(-100, 100))),
        }
        for k, v in years[year].items():
            years[year][k] = format(Decimal(Fraction(v).numerator) / Fraction(v).denominator, "f")
    return years


@pytest.mark.slow  # hypothesis battery over park folders: 8 parks per rule, 12 when thorough
@pytest.mark.parametrize("rules", [None, ROUNDED, ROUNDED_UP])
@settings(
    max_examples=size(12, 8),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_trends_and_advisor_never_contradict_the_engine(tmp_path_factory, rules, data) -> None:
    """Under each of the three rules the default 8 parks draw every (indicator, passed, status)
    of the series and every optional indicator passing or failing that the 12 of the full run
    draw, and every (indicator, last passed, outlook) of the fits but one: indicator 12 passing
    and projected to fail is drawn under the two 修约值比较法 rules only."""
    years = random_park_years(data.draw)
    config = {"selected_optional": [11, 12, 14, 28, 2, 6]}
    if rules is not None:
        config["rules"] = rules
    park = ecopark.load_park(write_park(tmp_path_factory.mktemp("p"), years, config))
    series, fits = park_trends(park)
    by_year = {y: ecopark.assess(park, y) for y in park.years}
    for row in series.itertuples(index=False):
        r = by_year[row.year].result(row.number)
        assert (row.passed, row.status) == (r.passed, r.status), (row.year, row.number)
        if row.op in ("<=", ">=") and not math.isnan(row.margin_pct):
            assert (row.margin_pct >= 0) == bool(row.passed), (row.year, row.number)
    for fit in fits.itertuples(index=False):
        assert fit.last_passed == by_year[fit.last_year].result(fit.number).passed
    a = by_year[2021]
    adv = advise(a, trends=fits)
    for n in a.standard.optional_numbers:
        r = a.result(n)
        if r.passed is False:
            assert n in adv.excluded and adv.margins[n] < 0
        elif r.passed:
            assert adv.margins[n] >= 0 and adv.margins[n] == r.margin_pct


def test_a_pass_judged_at_the_limit_is_not_said_to_fail_at_any_change():
    """Margin 0 under 修约值比较法 (0.5049 judged 0.50 against ≤0.5): the value still has room,
    so the sentence gives the engine's what-it-would-take change, not 'any change fails'."""
    import pandas as pd

    from ecopark.reports.narrative import whatif_sentences

    problems = pd.DataFrame(
        [
            {
                "number": "7",
                "label": "7",
                "indicator": "某指标",
                "unit": "吨/万元",
                "display": "0.50",
                "mark": "",
                "requirement": "≤0.5",
                "status": "at_risk",
                "op": "<=",
                "margin_pct": 0.0,
            }
        ]
    )
    whatif = pd.DataFrame(
        [
            {
                "number": "7",
                "item_zh": "排放量",
                "item_unit": "吨",
                "required_value": 1090.0,
                "required_change_pct": 8.9,
                "reachable": True,
            }
        ]
    )
    (sentence,) = whatif_sentences(problems, whatif)
    assert "任何不利变化" not in sentence
    assert "满足 ≤0.5 吨/万元 的要求，但所比较的数值恰在要求的边界；" in sentence
    assert "若排放量 变为 1,090 吨（+8.90%），即不再达标" in sentence
