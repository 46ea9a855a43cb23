"""The what-if panel, headless: widgets made, a slider moved, the output is the scenario's."""

from __future__ import annotations

import re
import sys

import pytest

import ecopark
from ecopark.lab.panel import INSTALL_HINT, Panel, slider_range


@pytest.fixture(autouse=True, scope="module")
def _widgets():
    """Skip without ipywidgets; imported here, not at collection (≈0.15 s of CPU a worker that
    runs none of these tests would pay)."""
    pytest.importorskip("ipywidgets")


@pytest.fixture(scope="module")
def a(nantong_dir):
    return ecopark.assess(ecopark.load_park(nantong_dir), 2021)


def shown(panel: Panel) -> tuple[str, str]:
    """(printed value, status) of the scenario as the panel's output shows it."""
    m = re.search(r"情景 <b>([^<]*)</b>.*?data-status='(\w+)'", panel.output.value)
    assert m, panel.output.value
    return m.group(1), m.group(2)


def test_moving_a_slider_shows_what_the_scenario_gives(a):
    p = ecopark.panel(a, 28)
    assert set(p.controls) == {"solid_waste_generated@T", "value_added@T"}
    assert shown(p) == ("0.14", "fail") == (a.result(28).display_marked, a.result(28).status)
    slider = p.controls["solid_waste_generated@T"]
    slider.value = 400_000.0
    want = a.scenario(solid_waste_generated=400_000.0).result(28)
    assert shown(p) == (want.display_marked, want.status) == ("0.08", "pass")
    assert p.changes == {"solid_waste_generated@T": 400_000.0}
    assert p.boxes["solid_waste_generated@T"].value == 400_000.0  # the box follows
    p.controls["value_added@T"].value = 2_000_000.0  # changes add up
    both = a.scenario(solid_waste_generated=400_000.0, value_added=2_000_000.0).result(28)
    assert shown(p) == (both.display_marked, both.status)
    assert p.scenario().values == a.scenario(p.changes).values


def test_every_indicator_with_items_follows_the_scenario_api(a):
    p = Panel(a)
    for number in [o[1] for o in p.picker.options]:
        p.picker.value = number
        assert set(p.controls) == {f"{i}@{r}" for i, r in a.standard.indicator(number).inputs}
        assert p.changes == {}
        before = a.result(number)
        assert shown(p) == (before.display_marked, before.status), number
        key, ctrl = next(iter(p.controls.items()))
        if hasattr(ctrl, "max"):
            ctrl.value = ctrl.max if ctrl.value != ctrl.max else ctrl.min
        else:
            ctrl.value = [o for o in ctrl.options if o != ctrl.value][0]
        want = a.scenario({key: p.changes[key]}).result(number)
        assert shown(p) == (want.display_marked, want.status), number


def test_a_status_item_is_a_choice_of_its_words(a):
    p = ecopark.panel(a, "工业园区重点污染源稳定排放达标情况")
    ctrl = p.controls["key_source_compliance@T"]
    assert list(ctrl.options) == ["达标", "不达标"] and ctrl.value == "达标"
    ctrl.value = "不达标"
    assert shown(p)[1] == a.scenario(key_source_compliance="不达标").result(17).status == "fail"


def test_a_typed_value_widens_the_slider_and_a_refused_one_says_why(a):
    p = ecopark.panel(a, 28)
    box, slider = p.boxes["value_added@T"], p.controls["value_added@T"]
    box.value = 3 * slider.max
    assert slider.value == box.value == slider.max
    want = a.scenario(value_added=box.value).result(28)
    assert shown(p) == (want.display_marked, want.status)
    box.value = 1e16  # beyond the catalogue's plausible range: the year files' message
    assert "工业增加值&#x27; lies between 0 and 1e15 万元" in p.output.value, p.output.value
    assert "情景" not in p.output.value


def test_slider_ranges_come_from_the_catalogue_and_the_value(a):
    items = a.standard.items
    assert slider_range(items["green_coverage"], 40.0) == (0.0, 100.0, 0.5)
    assert slider_range(items["value_added"], 4906200.0) == (0.0, 9812400.0, 49062.0)
    lo, hi, step = slider_range(items["eco_chain_projects"], 3.0)
    assert (lo, hi, step) == (0.0, 6.0, 1.0)
    assert slider_range(items["energy"], None)[:2] == (0.0, 100.0)


def test_an_unknown_indicator_names_the_ones_there_are(a):
    with pytest.raises(ValueError, match="give one of 1, 2"):
        ecopark.panel(a, 99)


def test_without_ipywidgets_the_message_says_how_to_install(a, monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    with pytest.raises(ImportError, match=re.escape("pip install 'ecopark[lab]'")):
        ecopark.panel(a, 28)
    assert "ecopark[lab]" in INSTALL_HINT
