"""Exact values, rounded and judged by the declared rule (GB/T 8170-2008 by default), issue 9.

Random park-years are built so that indicators land exactly on rounding ties (x.xx5, and
two-significant-digit ties such as 0.00265), just beyond a limit (limit ± 0.001, ± 0.005, ...) and
on exact zeros. The printed value and the pass flag are worked out here, independently of ecopark,
with :class:`fractions.Fraction`, under each rounding rule and each comparison method.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecopark.cli import main
from exact_reference import ref_passes as passes
from exact_reference import round_fraction
from tests.thorough import size

# indicator: (numerator item, denominator item, factor, op, limit as written)
RATIOS = {
    11: ("energy", "value_added", 1, "<=", "0.5"),
    28: ("solid_waste_generated", "value_added", 1, "<=", "0.1"),
    27: ("wastewater", "value_added", 1, "<=", "7"),
    14: ("fresh_water", "value_added", 10000, "<=", "8"),
    4: ("recycling_value_added", "value_added", 100, ">=", "30"),
    12: ("renewable_energy", "energy", 100, ">=", "9"),
    1: ("hightech_output", "industrial_output", 100, ">=", "30"),
}
RULES = ["half_even", "half_up"]
METHODS = ["full_value", "rounded_value"]


# --- the reference, independent of ecopark ------------------------------------------------------


def exponent10(x: Fraction) -> int:
    """e with 10**e <= |x| < 10**(e+1)."""
    x = abs(x)
    e = 0
    while Fraction(10) ** e > x:
        e -= 1
    while Fraction(10) ** (e + 1) <= x:
        e += 1
    return e


def printed(x: Fraction, rule: str) -> str:
    """The table's digits: 2 decimals, or 2 significant digits when 2 decimals would show 0."""
    places = 2
    r = round_fraction(x, places, rule)
    if r == 0 and x != 0:
        places = 1 - exponent10(x)
        r = round_fraction(x, places, rule)
    text = format(Decimal(r.numerator) / Decimal(r.denominator), f".{places}f")
    return "0.00" if text.lstrip("-") == "0.00" else text


# --- building park folders ----------------------------------------------------------------------


def dec(x: Fraction) -> str:
    """A finite decimal Fraction as plain digits."""
    d = Decimal(x.numerator) / Decimal(x.denominator)
    assert Fraction(d) == x, x  # the strategies only build finite decimals
    return format(d, "f")


def write_park(folder: Path, items: dict[str, Fraction], rule: str, method: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "park.yaml").write_text(
        "\n".join(
            [
                f"id: {folder.name}",
                "name: 测试园区",
                "standard: HJ 274-2015",
                "base_year: 2015",
                "water_region: other",
                "selected_optional: [1, 4, 11, 12, 14, 27]",
                "dominant_sector_share: null",
                "rules:",
                f"  rounding: {rule}",
                f"  comparison: {method}",
                "synthetic: true",
                "",
            ]
        ),
        encoding="utf-8",
    )
    rows = ["item,value,unit"] + [f"{k},{dec(v)}," for k, v in items.items()]
    (folder / "2021.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def table(folder: Path) -> dict[int, dict[str, str]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["table", str(folder), "2021", "--format", "csv"])
    assert code == 0
    return {int(r["number"]): r for r in csv.DictReader(io.StringIO(out.getvalue()))}


# --- strategies: exact targets on ties, at and beyond limits, and zeros -------------------------


def near(limit: str) -> st.SearchStrategy[Fraction]:
    lim = Fraction(Decimal(limit))
    steps = st.sampled_from([0, 1, 5, 10, 50, 100, 499, 500, 501])
    scale = st.sampled_from([Fraction(1, 1000), Fraction(1, 10000), Fraction(1, 100000)])
    sign = st.sampled_from([-1, 1])
    return st.builds(lambda k, s, g: max(Fraction(0), lim + g * k * s), steps, scale, sign)


def tie() -> st.SearchStrategy[Fraction]:
    # x.xx5 and, for small values, 0.00d5 ties of the two-significant-digit rule
    return st.one_of(
        st.builds(lambda m: Fraction(2 * m + 1, 2000), st.integers(0, 99_999)),
        st.builds(lambda m: Fraction(2 * m + 1, 200_000), st.integers(10, 99)),
        st.just(Fraction(0)),
    )


@functools.cache  # one strategy per limit: building and validating one per draw is most of the cost
def target(limit: str) -> st.SearchStrategy[Fraction]:
    return st.one_of(near(limit), tie())


@st.composite
def park_items(draw) -> tuple[dict[str, Fraction], dict[int, Fraction]]:
    va = Fraction(draw(st.integers(10_000, 9_999_999)), draw(st.sampled_from([1, 10])))
    io_ = Fraction(draw(st.integers(10_000, 99_999_999)))
    items = {"value_added": va, "industrial_output": io_}
    exact: dict[int, Fraction] = {}
    for number in (11, 28, 27, 14, 4, 1):
        num, den, factor, _, limit = RATIOS[number]
        t = draw(target(limit))
        if factor == 100:
            t = min(t, Fraction(100))
        items[num] = t * items[den] / factor
        exact[number] = t
    t12 = min(draw(target("9")), Fraction(100))
    items["renewable_energy"] = t12 * items["energy"] / 100
    exact[12] = t12 if items["energy"] else None
    return items, exact


@pytest.mark.slow  # hypothesis battery: 20 parks per rule and method, 60 when thorough
@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("method", METHODS)
@settings(
    max_examples=size(60, 20),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(case=park_items())
def test_printed_values_and_pass_flags_follow_the_declared_rule(
    tmp_path_factory, case, rule: str, method: str
) -> None:
    items, exact = case
    folder = tmp_path_factory.mktemp("park") / "p"
    write_park(folder, items, rule, method)
    rows = table(folder)
    for number, x in exact.items():
        if x is None:
            continue
        _, _, _, op, limit = RATIOS[number]
        row = rows[number]
        assert row["value"] == printed(x, rule), (number, x, rule)
        assert row["passed"] == str(passes(x, op, limit, rule, method)).lower(), (
            number,
            x,
            rule,
            method,
        )


def test_reference_knows_the_national_rule() -> None:
    """The reference itself, on the issue's hand-worked cases."""
    assert printed(Fraction("0.505"), "half_even") == "0.50"
    assert printed(Fraction("0.515"), "half_even") == "0.52"
    assert printed(Fraction("0.505"), "half_up") == "0.51"
    assert printed(Fraction("0.00265"), "half_even") == "0.0026"
    assert printed(Fraction("0.002624"), "half_even") == "0.0026"
    assert printed(Fraction(0), "half_even") == "0.00"
    assert printed(Fraction("-0.005"), "half_even") == "-0.0050"  # non-zero: 2 significant digits
    assert not passes(Fraction("0.505"), "<=", "0.5", "half_even", "full_value")
    assert not passes(Fraction("0.5049"), "<=", "0.5", "half_even", "full_value")
    assert passes(Fraction("0.5049"), "<=", "0.5", "half_even", "rounded_value")
    assert not passes(Fraction("0.55"), "<=", "0.5", "half_even", "rounded_value")
    assert passes(Fraction("0.55"), "<=", "0.5", "half_up", "rounded_value") is False


# --- growth rates and elasticities: exact roots, branches, the mean -----------------------------


def write_years(
    folder: Path, years: dict[int, dict[str, str]], extra: str = "", base_year: int = 2015
) -> Path:
    """A park folder with the given raw items as written (strings), base year ``base_year``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "park.yaml").write_text(
        f"id: {folder.name}\nname: 测试园区\nbase_year: {base_year}\n"
        f"selected_optional: [1, 2, 4, 6, 8, 11]\n{extra}",
        encoding="utf-8",
    )
    for year, items in years.items():
        rows = ["item,value,unit"] + [f"{k},{v}," for k, v in items.items()]
        (folder / f"{year}.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def cagr_park(folder: Path, ratio: Fraction, k: int) -> dict[int, dict[str, str]]:
    """Value added and land growing by ``ratio`` over ``k`` years (T = 2021, T-k = 2021 - k)."""
    start = Fraction(1_000_000)
    return {
        2021 - k: {"value_added": dec(start), "industrial_land": "10"},
        2021: {"value_added": dec(start * ratio), "industrial_land": "10"},
    }


@pytest.mark.parametrize("rule", RULES)
@settings(  # 20 growth rates around the three limits, 40 when thorough
    max_examples=size(40, 20),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    growth=st.sampled_from([15, 6, 3]).flatmap(
        lambda lim: st.builds(lambda d: Fraction(lim) + Fraction(d, 1000), st.integers(-10, 10))
    )
)
def test_three_year_growth_is_an_exact_root(tmp_path_factory, growth: Fraction, rule: str) -> None:
    """3 and 9: growth of exactly g % a year over 3 years is g, not 14.999…; ± 0.001 % decides."""
    ratio = (1 + growth / 100) ** 3
    folder = tmp_path_factory.mktemp("cagr") / "p"
    write_years(folder, cagr_park(folder, ratio, 3), f"rules: {{rounding: {rule}}}\n")
    rows = table(folder)
    for number, limit in ((3, "15"), (9, "6")):
        row = rows[number]
        assert row["value"] == printed(growth, rule), (number, growth)
        assert row["passed"] == str(growth >= Fraction(limit)).lower(), (number, growth)


def test_growth_of_exactly_fifteen_percent_passes(tmp_path) -> None:
    # 1,520,875 = 1,000,000 × 1.15³: indicator 3 is exactly 15 and meets ≥15
    folder = write_years(
        tmp_path / "p", {2018: {"value_added": "1000000"}, 2021: {"value_added": "1520875"}}
    )
    row = table(folder)[3]
    assert (row["value"], row["passed"]) == ("15.00", "true")


def test_co2_intensity_falling_exactly_three_percent_a_year(tmp_path) -> None:
    # 26 = 100 (1 - (I_T / I_B) ** (1/2)) with I_T / I_B = 0.9409 = 0.97²: exactly 3, meets ≥3
    folder = write_years(
        tmp_path / "p",
        {
            2019: {"value_added": "1000000", "co2": "500000"},
            2021: {"value_added": "1000000", "co2": "470450"},
        },
        base_year=2019,
    )
    row = table(folder)[26]
    assert (row["value"], row["passed"]) == ("3.00", "true")


def test_co2_intensity_unchanged_gives_an_exact_zero(tmp_path) -> None:
    """The issue's case: value added exactly 1.4 × CO₂ in both years, so 26 = 0 exactly."""
    folder = write_years(
        tmp_path / "p",
        {
            2015: {"value_added": "2140220.6", "co2": "1528729"},
            2021: {"value_added": "2204427.218", "co2": "1574590.87"},
        },
    )
    rows = table(folder)
    assert (rows[26]["value"], rows[26]["passed"]) == ("0.00", "false")
    data = table_json(folder)
    assert data[26]["value_exact"] == "0" and data[26]["value_unrounded"] == 0.0


def elasticity_years(g_v: Fraction, growths: dict[str, Fraction]) -> dict[int, dict[str, str]]:
    """Base 2019, T 2021 (n = 2): value added and each item growing by the given yearly rate."""
    base = Fraction(1_000_000)
    years = {2019: {"value_added": dec(base)}, 2021: {"value_added": dec(base * (1 + g_v) ** 2)}}
    for item, g in growths.items():
        years[2019][item] = dec(base)
        years[2021][item] = dec(base * (1 + g) ** 2)
    return years


POLLUTANTS = ("cod", "ammonia_nitrogen", "so2", "nox")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sign=st.sampled_from([1, -1]),
    e=st.sampled_from([Fraction(x) for x in ("0.6", "0.599", "0.601", "0.55", "0.551", "0.3")]),
    terms=st.lists(st.integers(-400, 400), min_size=4, max_size=4),
)
def test_elasticities_choose_the_branch_and_average_exactly(tmp_path_factory, sign, e, terms):
    """10, 13, 25: E = cagr(x) / g_V exactly; g_V's sign chooses ≤ or ≥; 25 is the exact mean."""
    g_v = sign * Fraction(1, 10)
    e25 = [Fraction(t, 1000) for t in terms]  # per-pollutant elasticities
    growths = {"energy": e * g_v, "fresh_water": e * g_v}
    growths.update({p: x * g_v for p, x in zip(POLLUTANTS, e25, strict=True)})
    folder = tmp_path_factory.mktemp("el") / "p"
    write_years(folder, elasticity_years(g_v, growths), base_year=2019)
    rows = table(folder)
    mean = sum(e25, Fraction(0)) / 4
    for number, value, limit in ((10, e, "0.6"), (13, e, "0.55"), (25, mean, "0.3")):
        op = "<=" if sign > 0 else ">="
        assert rows[number]["requirement"] == ("≤" if sign > 0 else "≥") + limit
        assert rows[number]["value"] == printed(value, "half_even"), (number, value)
        assert (
            rows[number]["passed"]
            == str(passes(value, op, limit, "half_even", "full_value")).lower()
        )


def test_a_mean_of_minus_0_005_keeps_two_significant_digits(tmp_path) -> None:
    # elasticities -0.02, 0, 0, 0 (COD falls 0.2 % a year while value added grows 10 %): mean -0.005
    g = {"cod": Fraction("-0.002"), "ammonia_nitrogen": 0, "so2": 0, "nox": 0}
    folder = write_years(tmp_path / "p", elasticity_years(Fraction(1, 10), g), base_year=2019)
    row = table(folder)[25]
    assert (row["value"], row["passed"]) == ("-0.0050", "true")


# --- the hand-worked cases --------------------------------------------------------------


def table_json(folder: Path, year: int = 2021) -> dict[int, dict]:
    import json

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["table", str(folder), str(year), "--format", "json"]) == 0
    return {r["number"]: r for r in json.loads(out.getvalue())["indicators"]}


def markdown(folder: Path, year: int = 2021) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["table", str(folder), str(year), "--format", "markdown"]) == 0
    return out.getvalue()


def test_energy_intensity_0_505_fails_and_is_marked(tmp_path) -> None:
    # 396,305.719 tce / 784,763.8 万元 = 0.505 exactly (a float gives 0.5049999999999999)
    # (eco_chain_projects: a must indicator with its data, so the year is judged)
    items = {"value_added": "784763.8", "energy": "396305.719", "eco_chain_projects": "6"}
    folder = write_years(tmp_path / "p", {2021: items})
    row = table(folder)[11]
    assert (row["value"], row["passed"]) == ("0.50", "false")  # ties to even; 0.505 > 0.5
    data = table_json(folder)[11]
    assert (data["value"], data["value_exact"], data["mark"]) == ("0.50", "0.505", "(+)")
    text = markdown(folder)
    assert "| 0.50(+) | false |" in text
    assert "数值修约与判定：GB/T 8170-2008 四舍六入五成双，全数值比较法" in text
    assert "所选指标 11「单位工业增加值综合能耗」未达标：0.50(+)吨标煤/万元" in text
    # 修约值比较法: 0.505 to the limit's one decimal is 0.5, which meets ≤0.5; no mark
    (folder / "park.yaml").write_text(
        (folder / "park.yaml").read_text(encoding="utf-8") + "rules: {comparison: rounded_value}\n",
        encoding="utf-8",
    )
    assert table(folder)[11]["passed"] == "true"
    assert table_json(folder)[11]["mark"] is None
    assert "修约值比较法（park.yaml 规定）" in markdown(folder)


@pytest.mark.parametrize(
    ("items", "number", "shown", "passed", "mark"),
    [
        # 14 = 80.05 万m³ × 10⁴ / 100,000 万元 = 8.005 against ≤8: 8.00(+), fails
        ({"value_added": "100000", "fresh_water": "80.05"}, 14, "8.00", "false", "(+)"),
        # 7 = 100 × 80.015 / 100 = 80.015 against ≥80: 80.02 (ties to even: 1 is odd), passes
        (
            {"recyclables_recycled": "80.015", "recyclables_collected": "100"},
            7,
            "80.02",
            "true",
            None,
        ),
        # 12 = 100 × 0.125 / 1,000,000 = 0.0000125... no: 0.000125 % against ≥9
        ({"energy": "1000000", "renewable_energy": "1.25"}, 12, "0.00012", "false", None),
        # 28 = 10,005 t / 100,000 万元 = 0.10005 against ≤0.1: 0.10(+), fails
        ({"value_added": "100000", "solid_waste_generated": "10005"}, 28, "0.10", "false", "(+)"),
        # 27 = 699,950 t / 100,000 万元 = 6.9995 against ≤7: 7.00(−), passes
        ({"value_added": "100000", "wastewater": "699950"}, 27, "7.00", "true", "(−)"),
    ],
)
def test_hand_worked_cases(tmp_path, items, number, shown, passed, mark) -> None:
    folder = write_years(tmp_path / "p", {2021: items})
    row = table(folder)[number]
    assert (row["value"], row["passed"]) == (shown, passed)
    assert table_json(folder)[number]["mark"] == mark


@pytest.mark.parametrize(
    ("rule", "method", "shown", "passed", "mark"),
    [
        ("half_even", "full_value", "92.24", "false", None),
        ("half_even", "rounded_value", "92.24", "false", None),
        ("half_up", "full_value", "92.25", "false", "(−)"),
        ("half_up", "rounded_value", "92.25", "true", None),
    ],
)
def test_footnote_a_benchmark_tie(tmp_path, rule, method, shown, passed, mark) -> None:
    # 6 = 100 × 92,245 / 100,000 = 92.245 against the sector's benchmark ≥92.25 (footnote a)
    extra = (
        "dominant_sector_share: 0.8\nsector_benchmarks: {6: 92.25}\n"
        f"rules: {{rounding: {rule}, comparison: {method}}}\n"
    )
    items = {
        "solid_waste_utilized": "92245",
        "solid_waste_generated": "100000",
        "solid_waste_stock_utilized": "0",
    }
    folder = write_years(tmp_path / "p", {2021: items}, extra)
    row = table(folder)[6]
    assert (row["requirement"], row["value"], row["passed"]) == ("≥92.25", shown, passed)
    assert table_json(folder)[6]["mark"] == mark


# --- the requirement as it applies, also when the value is not computable (item 6) --------------


def test_requirement_as_it_applies_without_a_value(tmp_path) -> None:
    extra = "water_region: jingjinji\ndominant_sector_share: 0.8\nsector_benchmarks: {6: 60}\n"
    years = {2015: {"value_added": "100"}, 2021: {"value_added": "121"}}  # g_V > 0; no energy
    rows = table(write_years(tmp_path / "p", years, extra))
    assert rows[16]["requirement"] == "≥30" and rows[16]["value"] == ""  # 京津冀
    assert rows[6]["requirement"] == "≥60" and rows[6]["value"] == ""  # the benchmark, not ≥70
    assert [rows[n]["requirement"] for n in (10, 13, 25)] == ["≤0.6", "≤0.55", "≤0.3"]
    falling = {2015: {"value_added": "121"}, 2021: {"value_added": "100"}}
    rows = table(write_years(tmp_path / "q", falling))
    assert [rows[n]["requirement"] for n in (10, 13, 25)] == ["≥0.6", "≥0.55", "≥0.3"]


# --- one status for every park-year (item 6) ----------------------------------------------------


def test_a_year_that_is_not_judged_says_so_everywhere(tmp_path) -> None:
    import json

    import ecopark

    years = {
        2015: {"value_added": "100", "energy": "60"},
        2018: {"value_added": "110"},
        2021: {"value_added": "121", "energy": "50", "eco_chain_projects": "6"},
    }
    folder = write_years(tmp_path / "p", years)
    park = ecopark.load_park(folder)
    for year, why in ((2015, "2015 年为基准年"), (2018, "仅有历史数据")):
        a = ecopark.assess(park, year)
        assert not a.judged and a.compliant is None and a.reasons == ()
        assert a.judged_reason.zh.startswith(why)
        assert a.verdict_text().endswith("不作评价。")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            main(["table", str(folder), str(year), "--format", "json"])
        data = json.loads(out.getvalue())
        assert (data["compliant"], data["judged"]) == (None, False)
        assert data["judged_reason"].startswith(why)
        assert "结论：**不作评价**" in markdown(folder, year)
    a = ecopark.assess(park, 2021)
    assert a.judged and a.compliant is False  # judged, and fails (most must indicators missing)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["assess", str(tmp_path)])
    text = out.getvalue()
    assert "测试园区（2015 年）：2015 年为基准年，不作评价。" in text
    assert "测试园区（2018 年）：仅有历史数据" in text and "不符合" in text.split("2021")[1]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["assess", str(tmp_path), "--csv", "--jobs", "1"])
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["year"], r["compliant"], r["judged"]) for r in rows] == [
        ("2015", "", "False"),
        ("2018", "", "False"),
        ("2021", "False", "True"),
    ]


# --- park.yaml rules: bad input ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ("{rounding: half_down}", "'rules': rounding 'half_down' is not one of half_even"),
        ("{comparison: exact}", "'rules': comparison 'exact' is not one of full_value"),
        ("{places: 3}", "unknown rules key 'places'; a park may set rounding and comparison"),
        ("half_up", "rules must be a mapping"),
    ],
)
def test_bad_rules_in_park_yaml(tmp_path, capsys, rules, message) -> None:
    folder = write_years(tmp_path / "p", {2021: {"value_added": "1"}}, f"rules: {rules}\n")
    assert main(["table", str(folder), "2021"]) == 2
    err = capsys.readouterr().err
    assert message in err and "park.yaml, line 5" in err  # the file and the line
    assert "Traceback" not in err


# --- the fast path decides as the exact evaluation would -----------------------------------------


def decimal_text(draw, lo: int, hi: int) -> str:
    digits = draw(st.integers(lo, hi))
    places = draw(st.integers(0, 4))
    return dec(Fraction(digits, 10**places))


@st.composite
def random_park(draw) -> dict[int, dict[str, str]]:
    items = [
        "value_added",
        "energy",
        "renewable_energy",
        "fresh_water",
        "cod",
        "nox",
        "ammonia_nitrogen",
        "so2",
        "co2",
        "wastewater",
        "solid_waste_generated",
        "industrial_land",
        "hightech_output",
        "industrial_output",
        "employees",
    ]
    years = {}
    for year in (2015, 2018, 2021):
        row = {}
        for item in items:
            if draw(st.integers(0, 9)) == 0:
                continue  # now and then missing
            row[item] = (
                str(draw(st.integers(1, 10**6)))
                if item == "employees"
                else decimal_text(draw, 0, 10**8)
            )
        years[year] = row
    if draw(st.booleans()):  # growth exactly zero now and then
        years[2021]["value_added"] = years[2015].get("value_added", "1")
    return years


@pytest.mark.slow  # hypothesis battery: 25 parks per rule, 60 when thorough
@pytest.mark.parametrize("rules", ["", "rules: {rounding: half_up, comparison: rounded_value}\n"])
@settings(
    max_examples=size(60, 25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(years=random_park())
def test_the_float_path_agrees_with_exact_evaluation(tmp_path_factory, years, rules) -> None:
    import ecopark

    folder = write_years(tmp_path_factory.mktemp("r") / "p", years, rules)
    park = ecopark.load_park(folder)
    fast, slow = ecopark.assess(park, 2021), ecopark.assess(park, 2021, exactly=True)
    for f, s in zip(fast.results, slow.results, strict=True):
        assert (f.display, f.passed, f.mark, f.requirement, f.reason_zh) == (
            s.display,
            s.passed,
            s.mark,
            s.requirement,
            s.reason_zh,
        ), f.number
        assert f.exact == s.exact, f.number
    assert (fast.compliant, fast.reasons) == (slow.compliant, slow.reasons)


def test_growth_too_small_for_floats_keeps_its_sign(tmp_path) -> None:
    # value added 100,000,000 -> 100,000,000.000000001 万元: the same float, so g_V is 0 in floats,
    # but exactly it is positive: the elasticities are computable and judged by the ≤ branch
    years = {
        2015: {"value_added": "100000000", "energy": "100"},
        2021: {"value_added": "100000000.000000001", "energy": "100"},
    }
    rows = table(write_years(tmp_path / "p", years))
    assert (rows[10]["requirement"], rows[10]["value"], rows[10]["passed"]) == (
        "≤0.6",
        "0.00",
        "true",
    )
