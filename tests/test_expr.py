"""The formula language of the standard files: what it computes and what it refuses."""

from __future__ import annotations

import pytest

from ecopark.standard.expr import NotComputable, cagr, compile_formula, key, mean
from ecopark.standard.model import load_standard

ITEMS = {"value_added", "energy", "employees", "industrial_land"}
HELPERS = {"g_V": "cagr(value_added, value_added[B], n)"}


def compiled(source):
    return compile_formula(source, ITEMS, HELPERS, {"g_V": ("g_V 为 0", "g_V is zero")})


def test_a_formula_reads_items_by_year_reference():
    f = compiled("energy / value_added[B] + employees[T-3]")
    assert f.inputs == (("energy", "T"), ("value_added", "B"), ("employees", "T-3"))
    assert not f.uses_n
    assert f({"energy@T": 6.0, "value_added@B": 3.0, "employees@T-3": 1.0}) == 3.0


def test_helpers_are_inlined_and_n_is_passed():
    f = compiled("cagr(energy, energy[B], n) / g_V")
    assert f.uses_n
    assert set(f.inputs) == {
        ("energy", "T"),
        ("energy", "B"),
        ("value_added", "T"),
        ("value_added", "B"),
    }
    # energy 1.21 = 1.1^2 -> 0.1; value added 1.44 = 1.2^2 -> 0.2; 0.1 / 0.2 = 0.5
    v = {"energy@T": 121.0, "energy@B": 100.0, "value_added@T": 144.0, "value_added@B": 100.0}
    assert f(v, 2) == pytest.approx(0.5)


def test_key():
    assert key("energy", "B") == "energy@B" and key("energy") == "energy@T"


@pytest.mark.parametrize(
    "source",
    [
        "value_added.real",  # attribute access
        "value_added.__class__",
        "().__class__",
        "__import__('os')",  # unknown function
        "open('x')",
        "eval('1')",
        "max(energy, 1)",
        "unknown_item / 2",  # unknown name
        "value_added / foo",
        "'abc'",  # strings
        "energy + 'x'",
        "b'x'",
        "True",
        "None",
        "lambda: 1",
        "[energy]",
        "[x for x in ()]",
        "energy if energy else 1",
        "energy > 1",
        "energy % 2",
        "energy // 2",
        "not energy",
        "energy[T-5]",  # unknown year reference
        "energy[B][T]",
        "cagr(x_t=energy, x_0=energy[B], k=n)",  # keyword arguments
        "mean(*[energy])",
    ],
)
def test_the_language_rejects(source):
    with pytest.raises((ValueError, SyntaxError)):
        compiled(source)


def test_syntax_errors_are_rejected():
    with pytest.raises(SyntaxError):
        compiled("energy +")
    with pytest.raises(SyntaxError):
        compiled("import os")


def test_compiled_functions_have_no_builtins():
    f = compiled("energy")
    assert f.func.__globals__["__builtins__"] == {}


def test_division_by_zero_is_not_computable():
    f = compiled("energy / value_added")
    with pytest.raises(NotComputable) as exc:
        f({"energy@T": 1.0, "value_added@T": 0.0})
    assert "value_added" in exc.value.reason_en and "为 0" in exc.value.reason_zh


def test_a_zero_helper_denominator_gives_its_own_reason():
    f = compiled("cagr(energy, energy[B], n) / g_V")
    v = {"energy@T": 121.0, "energy@B": 100.0, "value_added@T": 100.0, "value_added@B": 100.0}
    with pytest.raises(NotComputable) as exc:
        f(v, 2)
    assert exc.value.reason_zh == "g_V 为 0"


def test_cagr():
    assert cagr(121.0, 100.0, 2) == pytest.approx(0.1)
    assert cagr(0.0, 100.0, 3) == -1.0
    for args in ((1.0, 0.0, 3), (1.0, 1.0, 0), (-1.0, 1.0, 2)):
        with pytest.raises(NotComputable):
            cagr(*args)


def test_mean():
    assert mean(1.5, 1.0, 0.0, 0.75) == 0.8125


def test_every_formula_of_hj274_compiles_over_catalogue_items():
    std = load_standard()
    for ind in std.indicators:
        assert ind.inputs, ind.number
        assert {item for item, _ in ind.inputs} <= set(std.items)
        assert {ref for _, ref in ind.inputs} <= {"T", "B", "T-3"}


# --- the formula's structure (ecopark.standard.shape), read from the compiled tree -----------


def test_the_compiled_tree_has_the_helpers_inlined_and_is_not_rewritten():
    import ast

    f = compiled("cagr(energy, energy[B], n) / g_V")
    assert ast.unparse(f.tree) == (
        "cagr(energy, energy[B], n) / cagr(value_added, value_added[B], n)"
    )
    assert compiled("energy / value_added").tree is not compiled("energy / value_added").tree


def test_product_and_affine_powers_of_the_standards_formulas():
    from ecopark.standard.shape import Atom, ShapeMismatch, affine, product

    std = load_standard()
    c, atoms = product(std.indicator(14).formula.tree, 6)
    assert c == 10000.0
    assert {a.text: p for a, p in atoms.items()} == {"fresh_water": 1.0, "value_added": -1.0}
    # 3: 100 * cagr(value_added, value_added[T-3], 3) = -100 + 100 * (VA / VA[T-3]) ** (1/3)
    alpha, beta, atoms = affine(std.indicator(3).formula.tree, 6)
    assert (alpha, beta) == (-100.0, 100.0)
    assert {a.text: p for a, p in atoms.items()} == pytest.approx(
        {"value_added": 1 / 3, "value_added[T-3]": -1 / 3}
    )
    # the sum in 6's denominator is one atom
    _, _, atoms = affine(std.indicator(6).formula.tree, 6)
    sums = [a for a in atoms if a.item is None]
    assert [a.text for a in sums] == ["solid_waste_generated + solid_waste_stock_utilized"]
    assert atoms[sums[0]] == -1.0
    assert Atom.of(sums[0].node) == sums[0]
    with pytest.raises(ShapeMismatch):
        affine(std.indicator(25).formula.tree, 6)  # a mean of elasticities


def test_atoms_read_in_chinese_and_evaluate_on_the_engines_values():
    from ecopark.standard.shape import affine, evaluate, items_of

    std = load_standard()
    names = {i.id: i.name_zh for i in std.items.values()}
    _, _, atoms = affine(std.indicator(3).formula.tree, 6)
    by_text = {a.text: a for a in atoms}
    assert by_text["value_added[T-3]"].readable(names) == "三年前工业增加值"
    assert by_text["value_added[T-3]"].item == "value_added"
    assert by_text["value_added"].value({"value_added@T": 4906200.0}, 6) == 4906200.0
    tree = std.indicator(10).formula.tree
    values = {"energy@T": 121.0, "energy@B": 100.0, "value_added@T": 144.0, "value_added@B": 100.0}
    # numerator cagr(121/100, n = 2) = 0.1, denominator cagr(144/100, 2) = 0.2
    assert evaluate(tree.left, values, 2) == pytest.approx(0.1)
    assert evaluate(tree.right, values, 2) == pytest.approx(0.2)
    assert evaluate(tree, values, 2) == std.indicator(10).formula(values, 2)
    assert items_of(tree.right) == [("value_added", "T"), ("value_added", "B")]
    with pytest.raises(NotComputable):
        evaluate(std.indicator(11).formula.tree, {"energy@T": 1.0, "value_added@T": 0.0}, 6)
