"""The definition format (ecopark/standard/schema.py): every problem of a file, with its line.

Fixtures: tests/standards_schema/valid.yaml (a small synthetic definition using every key) and
one copy of it per problem; hj274-2015.yaml is HJ 274-2015 converted by hand to the format.
"""

from __future__ import annotations

import ast
import re
from fractions import Fraction
from pathlib import Path

import pytest

from ecopark.standard import dimension
from ecopark.standard.expr import names
from ecopark.standard.schema import DEFINITION, RECORDS, validate

HERE = Path(__file__).parent / "standards_schema"


@pytest.mark.parametrize("name", ["valid.yaml", "hj274-2015.yaml"])
def test_sound_definitions_validate_clean(name):
    assert validate(HERE / name) == []


#: fixture -> every problem it must give: (line, part of the message, item or None)
CASES = {
    "missing-key": [(82, "indicator F1: 'name_en' is missing; add name_en:", None)],
    "unknown-key": [(6, "unknown key 'colour'; a definition has id, code,", None)],
    "unknown-key-nested": [(31, "tier must: unknown key 'weight'; a tier has id,", None)],
    "wrong-type": [(33, 'rules › places must be a whole number, not the text "two"', None)],
    "duplicate-id": [(92, "indicators: id 'A3' is given twice (lines 72 and 92)", None)],
    "duplicate-helper": [(37, "helpers: 'g_V' is given twice (lines 35 and 37); keep one", None)],
    "unknown-tier": [
        (
            76,
            "indicator A3: tier 'musts' is not a tier of the definition (basic, must, feature)",
            None,
        )
    ],
    "unknown-attribute": [
        (
            61,
            "indicator A1: by_attribute names no attribute 'park_kind' "
            "(attributes: park_type, water_region, sector_share)",
            None,
        )
    ],
    "unknown-item": [
        (
            99,
            "indicator F2: 'employes' is neither an item of the catalogue nor a helper",
            "employes",
        )
    ],
    "unknown-category": [(47, "indicator B2: category '减污降碳' is not in categories", None)],
    "helper-self": [(35, "helper g_V refers to itself", None)],
    "helper-cycle": [
        (35, "helper g_V refers to itself through g_V → g_E → g_V", None),
        (36, "helper g_E refers to itself through g_E → g_V → g_E", None),
    ],
    "two-kinds": [
        (
            98,
            "indicator F2 › requirement: a requirement node has one kind, not limit "
            "(op, value) and by_sign_of (by_sign_of)",
            None,
        )
    ],
    "no-kind": [
        (
            98,
            "indicator F2 › requirement: a requirement node needs one kind: limit (op, value); "
            "by_attribute (by_attribute, cases); by_sign_of",
            None,
        ),
        (98, "indicator F2 › requirement: unknown key 'limit'", None),
    ],
    "cases-not-choices": [
        (
            62,
            "indicator A1: cases by park_type lack sector; give a node for every choice",
            None,
        ),
        (
            68,
            "indicator A1: case 'industry' is not a choice of park_type (general, sector)",
            None,
        ),
    ],
    "unit-scale": [
        (
            58,
            "indicator A1: unit '立方米/万元' does not fit the formula, whose value is "
            "in 立方米/元: it must be multiplied by 10000 (is '* 10000' missing?)",
            None,
        )
    ],
    "unit-dimension": [
        (96, "indicator F2: unit '吨/人' is not what the formula gives (万元/人)", None)
    ],
    "sum-mismatch": [
        (
            89,
            "indicator F1: the formula 'water_reused + fresh_water' combines 立方米 with 万立方米",
            None,
        )
    ],
    "select-too-many": [(32, "tier feature: min_selected 3 is more than its 2 indicators", None)],
    "select-without-count": [(32, "tier feature: rule select needs min_selected", None)],
    "selectable-unknown": [
        (91, "indicator F1: selectable_if_passes names no indicator 'A9'", None)
    ],
    "status-word": [
        (
            43,
            "indicator B1: the formula is a status (达标, 不达标); the limit must be "
            'one of these words, not the text "合格"',
            None,
        )
    ],
    "condition-param": [
        (
            71,
            "indicator A1 › conditions[1]: 'value' is missing; a "
            "benchmark_when needs attribute, op, value",
            None,
        )
    ],
    "default-not-choice": [
        (
            14,
            'attribute park_type: default: the text "mixed" is not one of '
            "its choices general, sector",
            None,
        )
    ],
    "no-catalogue": [(6, "items: the catalogue", None)],
    "not-yaml": [(93, "is not valid YAML", None)],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_problem_with_file_and_line(name):
    problems = validate(HERE / f"{name}.yaml")
    got = [(p.line, p.message, p.item) for p in problems]
    assert len(got) == len(CASES[name]), got
    for (line, message, item), (want_line, want, want_item) in zip(got, CASES[name], strict=True):
        assert (line, item) == (want_line, want_item), got
        assert want in message, got
    assert all(p.file.endswith(f"{name}.yaml") for p in problems)
    assert str(problems[0]).startswith(f"{problems[0].file}, line {CASES[name][0][0]}")


def test_missing_catalogue_names_the_file(tmp_path):
    (tmp_path / "d.yaml").write_text(
        (HERE / "valid.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    [problem] = validate(tmp_path / "d.yaml")
    assert problem.line == 6
    assert "items.csv does not exist" in problem.message


def test_every_problem_of_a_file_at_once(tmp_path):
    """Problems of every kind in one file are all reported, in line order."""
    text = (HERE / "valid.yaml").read_text(encoding="utf-8")
    for a, b in [
        ("formula: fresh_water * 10000 / value_added", "formula: fresh_water / value_added"),
        ("value_added / employees", "value_added / employes"),
        ("rule: all_pass}", "rule: all_pass, weight: 2}"),
    ]:
        text = text.replace(a, b)
    (tmp_path / "items.csv").write_bytes((HERE / "items.csv").read_bytes())
    (tmp_path / "d.yaml").write_text(text, encoding="utf-8")
    assert [p.line for p in validate(tmp_path / "d.yaml")] == [31, 58, 99]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "is empty"),
        ("- a list\n", "definition must be a mapping"),
        ("id: [x\n", "is not valid YAML"),
    ],
)
def test_not_a_definition(tmp_path, text, problem):
    (tmp_path / "d.yaml").write_text(text, encoding="utf-8")
    [got] = validate(tmp_path / "d.yaml")
    assert problem in got.message


def test_missing_file():
    [got] = validate(HERE / "no-such-file.yaml")
    assert "cannot be read" in got.message


def test_required_keys_of_the_top_level_all_reported(tmp_path):
    (tmp_path / "d.yaml").write_text("id: x\n", encoding="utf-8")
    problems = validate(tmp_path / "d.yaml")
    missing = sorted(re.search(r"'(\w+)' is missing", p.message).group(1) for p in problems)
    required = sorted(k for k, key in DEFINITION.keys.items() if key.required and k != "id")
    assert missing == required


def test_schema_records_declare_meanings():
    for record in RECORDS.values():
        assert record.meaning
        for key in record.keys.values():
            assert key.meaning, record.title


# --- units as dimensions --------------------------------------------------------------------


def _quantity(formula: str, items: dict[str, tuple[str, str]]) -> dimension.Quantity | None:
    def item(name: str) -> dimension.Quantity | None:
        return dimension.of_item(*items[name])

    tree = ast.parse(formula, mode="eval").body
    return dimension.of_formula(tree, item, {"cagr": "growth", "mean": "same"})


ITEMS = {
    "fresh_water": ("万立方米", "water"),
    "value_added": ("万元", "money"),
    "industrial_land": ("平方公里", "area"),
    "energy": ("吨标煤", "energy"),
    "wastewater": ("吨", "water"),
    "solid": ("吨", "mass"),
    "co2": ("吨", "mass"),
    "renewable": ("吨标煤", "energy"),
}


@pytest.mark.parametrize(
    ("formula", "unit"),
    [
        ("fresh_water * 10000 / value_added", "立方米/万元"),
        ("fresh_water / value_added", "万立方米/万元"),
        ("(value_added / 10000) / industrial_land", "亿元/平方公里"),
        ("energy / value_added", "吨标煤/万元"),
        ("wastewater / value_added", "吨/万元"),
        ("solid / value_added", "吨/万元"),
        ("100 * renewable / energy", "%"),
        ("cagr(energy, energy[B], n) / cagr(value_added, value_added[B], n)", ""),
        ("100 * (1 - ((co2 / value_added) / (co2[B] / value_added[B])) ** (1 / n))", "%"),
        ("mean(energy / value_added, energy[B] / value_added[B])", "吨标煤/万元"),
    ],
)
def test_formula_units_that_fit(formula, unit):
    assert _quantity(formula, ITEMS) in dimension.parse_unit(unit)


@pytest.mark.parametrize(
    ("formula", "unit"),
    [
        ("fresh_water / value_added", "立方米/万元"),
        ("value_added / industrial_land", "亿元/平方公里"),
        ("renewable / energy", "%"),
        ("energy / value_added", "吨/万元"),
    ],
)
def test_formula_units_that_do_not_fit(formula, unit):
    assert _quantity(formula, ITEMS) not in dimension.parse_unit(unit)


def test_scale_of_units():
    [q] = dimension.parse_unit("立方米/万元")
    assert q == dimension.Quantity.of(Fraction(1, 10000), {"water": 1, "money": -1})
    assert q.text() == "立方米/万元"
    assert dimension.parse_unit("亿元")[0].scale == 10**8
    assert dimension.parse_unit("次/年") == (dimension.ONE,)
    assert dimension.parse_unit("%")[0].text() == "%"
    assert dimension.parse_unit("吨/万元") is not None and len(dimension.parse_unit("吨/万元")) == 2
    assert dimension.parse_unit("furlongs") is None


def test_uncertain_formulas_are_not_judged():
    """A power with a non-constant exponent of a dimensioned value, or an unknown unit: None."""
    assert _quantity("energy ** (1 / n)", ITEMS) is None
    assert dimension.of_item("furlongs", "area") is None
    assert dimension.of_item("", "status") is None


def test_adding_unlike_quantities_is_a_mismatch():
    with pytest.raises(dimension.Mismatch, match="立方米 with 万立方米"):
        _quantity("wastewater + fresh_water", ITEMS)
    with pytest.raises(dimension.Mismatch):
        _quantity("cagr(energy, value_added, n)", ITEMS)
    assert _quantity("wastewater + fresh_water * 10000", ITEMS).text() == "立方米"


def test_names_a_formula_reads():
    assert names("cagr(energy, energy[B], n) / g_V") == ("energy", "g_V")
    assert names("mean(a[T-3], b, a)") == ("a", "b")
    with pytest.raises(SyntaxError):
        names("a +")


def test_docs_reference_is_generated_from_the_schema():
    """docs/standard-format.md is what the schema writes (python scripts/standard_format.py)."""
    from ecopark.standard.schema import reference

    doc = Path(__file__).parents[1] / "docs" / "standard-format.md"
    assert doc.read_text(encoding="utf-8") == reference()
    for record in RECORDS.values():
        assert f"## {record.title}\n" in reference()
        for key in record.keys:
            assert f"| `{key}` |" in reference()
