"""Sector breakdowns: the file format, shares, structure/intensity effects, the 1 % check."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ecopark
from ecopark.errors import InputError
from ecopark.io.sectors import additive_items, load_sectors, read_sector_file, sector_table
from ecopark.lmdi import NEW_ACTIVITY
from ecopark.sectors import (
    activity_structure_intensity,
    check_sector_totals,
    intensity_decomposition,
    intensity_structure,
    numerator_items,
    sector_shares,
    structure_intensity,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example-park"
SECTORS = ["化工", "装备制造", "电子信息", "新材料", "再生资源"]


@pytest.fixture(scope="module")
def park():
    return ecopark.load_park(EXAMPLE)


@pytest.fixture()
def park_copy(tmp_path):
    target = tmp_path / "example-park"
    shutil.copytree(EXAMPLE, target)
    return target


def test_example_park_has_a_breakdown_every_year(park):
    for year in range(2015, 2024):
        table = sector_table(park, year)
        assert list(table.index) == SECTORS
        assert list(table.columns) == list(additive_items(ecopark.load_standard()))
    assert (
        load_sectors(
            ecopark.load_park(Path(__file__).parent.parent / "data" / "nantong-etdz"), 2021
        )
        is None
    )


def test_sector_totals_of_the_example_agree_with_the_park(park):
    assert check_sector_totals(park) == []
    long = load_sectors(park, 2021)
    for item in ("value_added", "energy", "solid_waste_generated"):
        total = long[long["item"] == item]["value"].sum()
        assert total == pytest.approx(park.values(2021)[item], rel=1e-12)


@pytest.mark.parametrize("number", [11, 14, 27, 28])
@pytest.mark.parametrize("years", [(2015, 2023), (2018, 2020), (2022, 2016)])
def test_structure_plus_intensity_is_the_change(park, number, years):
    res = structure_intensity(park, number, *years)
    v0, v1 = res["from_value"].iloc[0], res["to_value"].iloc[0]
    assert res["effect"].sum() == pytest.approx(v1 - v0, rel=1e-12)
    assert res["factor_ratio"].prod() == pytest.approx(v1 / v0, rel=1e-12)
    # the link ΔI_k = L(I^T, I^0) · ln D_k
    lm = (v1 - v0) / np.log(v1 / v0)
    np.testing.assert_allclose(res["effect"], lm * np.log(res["factor_ratio"]), rtol=1e-10)
    # sector totals equal the park file, so the intensities equal the engine's values
    for year, value in zip(years, (v0, v1), strict=True):
        assert value == pytest.approx(
            ecopark.assess(park, year).result(number).value
            if year > 2015
            else _base_value(park, number),
            rel=1e-9,
        )


def _base_value(park, number):
    ind = park.standard.indicator(number)
    item, scale = intensity_structure(ind, park.standard)
    v = park.values(2015)
    return scale * v[item] / v["value_added"]


def test_the_example_stories(park):
    # 11 fails through a structure shift toward 化工 while every sector gets more efficient
    e11 = structure_intensity(park, 11).set_index("factor")["effect"]
    assert e11.iloc[0] > 0.05 and e11.iloc[1] < -0.2
    # 28 fails because 新材料's intensity rises
    e28 = structure_intensity(park, 28, 2018, 2023, by_sector=True)
    intensity = e28[e28["factor"].str.startswith("强度效应") & (e28["sector"] != "合计")]
    top = intensity.set_index("sector")["effect"]
    assert top.idxmax() == "新材料" and top["新材料"] > 0.9 * top.sum()


def test_by_sector_rows_add_up_to_the_totals(park):
    res = structure_intensity(park, 14, 2015, 2023, by_sector=True)
    totals = res[res["sector"] == "合计"].set_index("factor")["effect"]
    detail = res[res["sector"] != "合计"].groupby("factor")["effect"].sum()
    np.testing.assert_allclose(detail[totals.index], totals, rtol=1e-12)
    assert set(res["sector"]) == {"合计", *SECTORS}


def test_sector_shares(park):
    s = sector_shares(park, 2023, 11)
    assert list(s["sector"]) == SECTORS
    assert s["share"].sum() == pytest.approx(1.0, rel=1e-12)
    assert s["value_added_share"].sum() == pytest.approx(1.0, rel=1e-12)
    assert s["contribution"].sum() == pytest.approx(
        ecopark.assess(park, 2023).result(11).value, rel=1e-9
    )
    chem = s.set_index("sector").loc["化工"]
    assert chem["intensity"] == pytest.approx(chem["value"] / chem["value_added"], rel=1e-12)
    s25 = sector_shares(park, 2023, 25)
    assert list(dict.fromkeys(s25["item"])) == ["cod", "ammonia_nitrogen", "so2", "nox"]
    assert s25["intensity"].isna().all()
    np.testing.assert_allclose(s25.groupby("item")["share"].sum(), 1.0, rtol=1e-12)


def test_sector_shares_when_value_added_is_the_numerator(park):
    # indicator 3 (value added growth): the numerator item is value added itself
    s = sector_shares(park, 2023, 3)
    assert list(s["item"].unique()) == ["value_added"] and list(s["sector"]) == SECTORS
    np.testing.assert_allclose(s["share"], s["value_added_share"], rtol=1e-12)


def test_numerator_items_from_the_formulas(park):
    std = park.standard
    assert numerator_items(std.indicator(11), std) == ["energy"]
    assert numerator_items(std.indicator(25), std) == ["cod", "ammonia_nitrogen", "so2", "nox"]
    assert numerator_items(std.indicator(26), std) == ["co2"]
    assert numerator_items(std.indicator(10), std) == ["energy"]
    assert intensity_structure(std.indicator(14), std) == ("fresh_water", 10000.0)
    with pytest.raises(ValueError, match="not an intensity"):
        intensity_structure(std.indicator(12), std)
    with pytest.raises(ValueError, match="not an intensity"):
        structure_intensity(park, 26)


def test_activity_structure_intensity(park):
    res = activity_structure_intensity(park, "solid_waste_generated", 2015, 2023)
    v0, v1 = park.values(2015)["solid_waste_generated"], park.values(2023)["solid_waste_generated"]
    assert res["effect"].sum() == pytest.approx(v1 - v0, rel=1e-12)
    assert res["factor_ratio"].prod() == pytest.approx(v1 / v0, rel=1e-12)
    activity = res.set_index("factor")["factor_ratio"].iloc[0]
    y0, y1 = park.values(2015)["value_added"], park.values(2023)["value_added"]
    # the activity factor of W is exp(ln(Y^T/Y^0) · Σ L(W_i)/L(W)), close to Y^T/Y^0
    assert activity == pytest.approx(y1 / y0, rel=0.05)


def test_new_sector_is_reported_as_new_activity():
    s0 = pd.DataFrame({"energy": [100.0, 50.0], "value_added": [200.0, 400.0]}, index=["a", "b"])
    s1 = pd.DataFrame(
        {"energy": [90.0, 55.0, 30.0], "value_added": [220.0, 420.0, 60.0]}, index=["a", "b", "c"]
    )
    res = intensity_decomposition(s0, s1, "energy").set_index("factor")
    i0, i1 = 150 / 600, 175 / 700
    assert res["effect"].sum() == pytest.approx(i1 - i0, rel=1e-12, abs=1e-15)
    assert res.loc[NEW_ACTIVITY, "effect"] == pytest.approx(30 / 700, rel=1e-12)
    assert res["factor_ratio"].prod() == pytest.approx(i1 / i0, rel=1e-12)


def test_one_zero_intensity_goes_to_the_intensity_effect():
    # sector b emits nothing in year 0: its whole contribution is an intensity effect (Ang & Liu)
    s0 = pd.DataFrame({"co2": [100.0, 0.0], "value_added": [200.0, 100.0]}, index=["a", "b"])
    s1 = pd.DataFrame({"co2": [100.0, 10.0], "value_added": [200.0, 100.0]}, index=["a", "b"])
    res = intensity_decomposition(s0, s1, "co2", by_sector=True)
    b = res[res["sector"] == "b"].set_index("factor")["effect"]
    assert b.iloc[0] == 0.0 and b.iloc[1] == pytest.approx(10 / 300, rel=1e-12)


# ---------------------------------------------------------------------------------- the 1 % check


def _edit(path: Path, sector: str, item: str, factor: float) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    mask = (frame["sector"] == sector) & (frame["item"] == item)
    frame.loc[mask, "value"] = repr(float(frame.loc[mask, "value"].iloc[0]) * float(factor))
    frame.to_csv(path, index=False)


def test_totals_more_than_one_percent_off_are_reported(park_copy):
    energy_2021 = ecopark.load_park(park_copy).values(2021)["energy"]
    chem = load_sectors(ecopark.load_park(park_copy), 2021).set_index(["sector", "item"])
    chem_energy = chem.loc[("化工", "energy"), "value"]
    # 化工 energy up by 2 % of the park total: reported
    _edit(
        park_copy / "sectors" / "2021.csv", "化工", "energy", 1 + 0.02 * energy_2021 / chem_energy
    )
    # 化工 value added up by 0.5 % of the park total: within tolerance
    va = ecopark.load_park(park_copy).values(2022)["value_added"]
    chem_va = (
        load_sectors(ecopark.load_park(park_copy), 2022)
        .set_index(["sector", "item"])
        .loc[("化工", "value_added"), "value"]
    )
    _edit(park_copy / "sectors" / "2022.csv", "化工", "value_added", 1 + 0.005 * va / chem_va)
    warnings = check_sector_totals(ecopark.load_park(park_copy))
    assert len(warnings) == 1
    w = warnings[0]
    assert w.item == "energy" and w.message.startswith("warning: 2021")
    assert "+2.0%" in w.message and w.file.endswith("2021.csv")
    assert check_sector_totals(ecopark.load_park(park_copy), tolerance=0.03) == []


def test_missing_park_item_is_reported(park_copy):
    lines = (park_copy / "2019.csv").read_text(encoding="utf-8").splitlines()
    (park_copy / "2019.csv").write_text(
        "\n".join(x for x in lines if not x.startswith("nox,")) + "\n", encoding="utf-8"
    )
    warnings = check_sector_totals(ecopark.load_park(park_copy), years=[2019])
    assert [w.item for w in warnings] == ["nox"]


# ---------------------------------------------------------------------------------- the format


def test_units_are_converted(tmp_path, park):
    f = tmp_path / "2021.csv"
    f.write_text(
        "sector,item,value,unit,note\n化工,value_added,1.5,亿元,\n"
        '化工,solid_waste_generated,"2,000",千克,\n化工,综合能耗总量,1,万吨标煤,\n'
        "化工,fresh_water,30000,吨,\n",
        encoding="gb18030",
    )
    frame = read_sector_file(f, park.standard).set_index("item")["value"]
    assert frame["value_added"] == 15000.0
    assert frame["solid_waste_generated"] == 2.0
    assert frame["energy"] == 10000.0
    assert frame["fresh_water"] == 3.0


def test_bad_sector_file_lists_every_problem(tmp_path, park):
    f = tmp_path / "2021.csv"
    f.write_text(
        "sector,item,value,unit,note\n"
        "化工,enrgy,1,,\n"  # 2 unknown item
        "化工,renewable_energy,1,,\n"  # 3 not additive here
        "化工,energy,-5,,\n"  # 4 negative
        "化工,value_added,10,吨,\n"  # 5 wrong unit
        ",cod,1,,\n"  # 6 no sector
        "化工,co2,1,,\n"
        "化工,co2,2,,\n",  # 8 twice
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        read_sector_file(f, park.standard)
    problems = exc.value.problems
    assert [p.line for p in problems] == [2, 3, 4, 5, 6, 8]
    assert "did you mean 'energy'" in problems[0].message
    assert "not an additive item" in problems[1].message
    assert "twice" in problems[5].message
    bad_header = tmp_path / "2020.csv"
    bad_header.write_text("item,value,unit\nenergy,1,\n", encoding="utf-8")
    with pytest.raises(InputError, match="sector,item,value,unit"):
        read_sector_file(bad_header, park.standard)


def test_missing_item_for_a_sector_is_named(park_copy):
    path = park_copy / "sectors" / "2020.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join(x for x in lines if not x.startswith("新材料,energy,")) + "\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="新材料"):
        structure_intensity(ecopark.load_park(park_copy), 11, 2015, 2020)
    with pytest.raises(InputError, match="does not exist"):
        structure_intensity(ecopark.load_park(park_copy), 11, 2015, 2030)


def test_xlsx_sector_file(park_copy):
    import openpyxl

    src = load_sectors(ecopark.load_park(park_copy), 2021)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["sector", "item", "value", "unit", "note"])
    for r in src.itertuples(index=False):
        ws.append([r.sector, r.item, r.value, r.unit, r.note])
    (park_copy / "sectors" / "2021.csv").unlink()
    wb.save(park_copy / "sectors" / "2021.xlsx")
    park = ecopark.load_park(park_copy)
    got = load_sectors(park, 2021)
    pd.testing.assert_frame_equal(got, src)
    assert check_sector_totals(park, years=[2021]) == []
