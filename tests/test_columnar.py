"""The columnar engine gives what the per-park engine gives, field for field, on every park-year.

Random parks (:func:`random_parks`) put values on and next to the limits, exact decimal ties
(0.505 against ≤0.5; x.xx5 printed half to even), zeros, missing items, other units, Chinese item
names, GB18030 files, workbooks and bad files; every field of every result, the verdict and its
reasons, and every error message must be the per-park engine's.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

import ecopark
from ecopark.columnar import assess_table, load_table
from ecopark.engine import assess
from ecopark.io.park import load_park
from ecopark.tree import park_folders
from tests.parkfiles import NANTONG, nantong_years, write_park
from tests.thorough import size

ROOT = Path(__file__).resolve().parent.parent

#: Where a value of the random parks may land: a tie, the limit, next to it, zero, missing.
_CHOICES = ("scaled", "scaled", "tie", "limit", "zero", "missing")


def _value(rng: random.Random, text: str, percent: bool) -> str | None:
    """A value near Nantong's ``text``: scaled, a decimal tie, a round number, zero or missing."""
    kind = rng.choice(_CHOICES)
    if kind == "missing":
        return None
    if kind == "zero":
        return "0"
    x = float(text.replace(",", ""))
    if kind == "tie":  # few significant digits: ratios land on exact decimals and ties
        return f"{round(x, -max(0, len(str(int(x))) - 2)):.0f}" if x >= 100 else f"{x:.1f}"
    y = x * (rng.choice([0.5, 1, 2, 1.01, 0.99]) if kind == "limit" else rng.uniform(0.7, 1.4))
    if percent:
        y = min(y, 100.0)
    return str(round(y)) if "." not in text else f"{y:.{3 if kind == 'limit' else 4}f}"


def random_parks(root: Path, count: int, seed: int = 15) -> None:
    """``count`` park folders of 3 to 5 years under ``root``, built from Nantong's raw items."""
    rng = random.Random(seed)
    base = nantong_years()
    optional = ecopark.load_standard().optional_numbers
    for i in range(count):
        years = {}
        first = rng.choice([2015, 2016, 2017])
        for year in range(first, first + rng.randint(3, 5)):
            written = base[rng.choice(sorted(base))]
            items: dict[str, object] = {}
            for item, (text, unit) in written.items():
                if text == "" or not any(c.isdigit() for c in text):
                    if text and rng.random() < 0.9:
                        items[item] = (text, unit)
                    continue
                value = _value(rng, text, unit == "%")
                if value is not None:
                    items[item] = (value, unit)
            if i % 7 == 0 and "energy" in items:  # energy exactly 0.505 t/万元 of value added
                items["value_added"] = ("10000", "万元")
                items["energy"] = (rng.choice(["5050", "5000", "5049.99", "5050.01"]), "吨标煤")
            if i % 11 == 0 and "fresh_water" in items:
                items["fresh_water"] = (items["fresh_water"][0], "万吨")  # another unit
            years[year] = items
        config = {
            "base_year": first,
            "water_region": rng.choice(["other", "water_scarce", "jingjinji"]),
            "selected_optional": sorted(rng.sample(optional, rng.randint(4, 8))),
        }
        if i % 5 == 0:
            config["rules"] = {
                "rounding": rng.choice(["half_even", "half_up"]),
                "comparison": rng.choice(["full_value", "rounded_value"]),
            }
        folder = write_park(
            root,
            years,
            config,
            park_id=f"random-{i:04d}",
            encoding="gb18030" if i % 13 == 0 else "utf-8",
            xlsx_years=(first + 1,) if i % 17 == 0 else (),
        )
        if (
            i % 19 == 0 and i % 13 != 0
        ):  # a bad value: the park-years that read this file report the error
            path = folder / f"{first + 1}.csv"
            if path.exists():
                path.write_text(path.read_text(encoding="utf-8") + "cod,-1,吨,\n", encoding="utf-8")


def _fields(r) -> tuple:
    value = r.value
    return (
        r.number,
        r.requirement,
        r.limit,
        r.role,
        "nan" if isinstance(value, float) and math.isnan(value) else (type(value), value),
        r.display,
        r.passed,
        r.mark,
        r.reason_zh,
        r.reason_en,
        r.status,
        r.exact,
    )


def assert_identical(
    folders: list[Path],
    standard: str | None = None,
    *,
    table=None,
    parks: dict | None = None,
    errors: list | None = None,
    marks: set | None = None,
) -> int:
    """Every park-year of ``folders`` assessed both ways (under ``standard``, default each
    park's first): the same; returns how many.

    ``table`` is ``load_table(folders, standard)`` if the caller has it already, ``parks`` the
    per-park parks already opened, by folder; the columnar park-years that end in an error
    are appended to ``errors``, the marks of the results judged the same added to ``marks``.
    """
    table = load_table(folders, standard) if table is None else table
    got = [e for e in assess_table(table) if not isinstance(e, str)]
    if errors is not None:
        errors.extend(e for e in got if e.error is not None)
    count = 0
    parks = {} if parks is None else parks  # each park opened once, as a user would
    for py in got:
        if py.park.path not in parks:
            parks[py.park.path] = load_park(py.park.path, standard)
        park = parks[py.park.path]
        try:
            a = assess(park, py.year)
        except ecopark.InputError as exc:
            assert py.error is not None, (py.park.id, py.year)
            assert str(py.error) == str(exc)
            continue
        where = (py.park.id, py.year)
        assert py.error is None, where
        assert py.compliant == a.compliant, where
        assert [r.zh for r in py.reasons] == [r.zh for r in a.reasons], where
        assert py.judged_reason == a.judged_reason, where
        # from the group's arrays (the results are not made yet)
        assert py.failing == [r.number for r in a.results if r.passed is False], where
        assert py.not_computable == sum(not r.computable for r in a.results), where
        assert [_fields(r) for r in py.results] == [_fields(r) for r in a.results], where
        if marks is not None:
            marks.update(r.mark for r in py.results)
        count += 1
    return count


def test_bundled_parks_are_identical() -> None:
    assert assert_identical(park_folders(ROOT / "data")) == 12


def test_random_parks_are_identical(tmp_path) -> None:
    marks: set = set()
    random_parks(tmp_path, 40)
    assert assert_identical(park_folders(tmp_path), marks=marks) > 100
    assert marks == {"", "(+)", "(−)"}  # both marks (the 100 parks of the default battery lack (−))


@pytest.mark.slow  # 100 random parks (≈400 park-years, ≈2.5 s), 1,000 with ECOPARK_THOROUGH=1
def test_a_thousand_random_parks_are_identical(tmp_path) -> None:
    """Every kind of park of :func:`random_parks` (every 5th with rules, 7th a tie on energy,
    11th another unit, 13th GB18030, 17th a workbook, 19th a bad value) 5 or more times.

    The default 100 parks still draw each of the four rules (rounding × comparison) 3 or more
    times, each water region, 6 park-years that end in an error and 15 results marked (+); the
    (−) mark they miss is drawn by :func:`test_random_parks_are_identical` (indicator 11), and
    the full 1,000 parks draw it on 11 and 28.
    """
    count = size(1000, 100)
    random_parks(tmp_path, count, seed=274)
    assert assert_identical(park_folders(tmp_path)) > 3 * count


def test_the_tidy_table_holds_every_value(tmp_path) -> None:
    table = load_table([NANTONG])
    tidy = table.tidy()
    assert list(tidy.columns) == ["park", "year", "item", "value"]
    row = tidy[(tidy.year == 2021) & (tidy.item == "value_added")]
    assert row.value.tolist() == [4906200.0]
    park = load_park(NANTONG)
    assert len(tidy) == sum(len(park.records(y)) for y in park.years)


def test_an_exact_tie_is_judged_exactly(tmp_path) -> None:
    """Energy 0.505 t/万元 exactly against ≤0.5: printed 0.50 (half even), marked (+), fails."""
    years = {y: dict(nantong_years()[2021]) for y in (2015, 2021)}
    years[2021]["value_added"] = ("10000", "万元")
    years[2021]["energy"] = ("5050", "吨标煤")
    folder = write_park(tmp_path, years)
    (py,) = [e for e in assess_table(load_table([folder])) if e.year == 2021]
    r = next(r for r in py.results if r.number == "11")
    assert (r.display, r.mark, r.passed) == ("0.50", "(+)", False)


def test_a_bad_file_gives_the_per_park_message(tmp_path) -> None:
    years = {2015: {"value_added": "100"}, 2021: {"value_added": "-5"}}
    folder = write_park(tmp_path, years)
    entries = assess_table(load_table([folder]))
    bad = next(e for e in entries if e.year == 2021)
    with pytest.raises(ecopark.InputError) as exc:
        assess(load_park(folder), 2021)
    assert str(bad.error) == str(exc.value)
    assert "negative" in str(bad.error)


def _only(folder: Path, year: int):
    (py,) = [e for e in assess_table(load_table([folder])) if e.year == year]
    return py


def test_missing_inputs_are_reported_per_year_and_per_park(tmp_path) -> None:
    """Not-computable results are made once per missing inputs, year, base year and limit: each
    year still names its own missing years, and each park its own base year."""
    years = {y: dict(nantong_years()[2021]) for y in range(2015, 2022)}
    for y in (2018, 2019, 2020, 2021):
        del years[y]["energy"]
    a = write_park(tmp_path, years, park_id="park-a")
    b = write_park(tmp_path, years, {"base_year": 2016}, park_id="park-b")
    c = write_park(tmp_path, years, park_id="park-c")  # the same keys as park-a: shared
    assert assert_identical([a, b, c]) == 21
    entries = [e for e in assess_table(load_table([a, b])) if not isinstance(e, str)]
    reasons = {(e.park.id, e.year): e.results[10].reason_zh for e in entries}  # indicator 11
    assert reasons[("park-a", 2020)] == "缺少数据：综合能耗总量（2020 年）"
    assert reasons[("park-a", 2021)] == "缺少数据：综合能耗总量（2021 年）"
    assert reasons[("park-b", 2021)] == "缺少数据：综合能耗总量（2021 年）"
    assert entries[0].results[9].reason_zh == "评价年 2015 须晚于基准年 2015"  # indicator 10
    assert entries[7].results[9].reason_zh == "评价年 2015 须晚于基准年 2016"


def test_a_tie_under_a_park_rule_override(tmp_path) -> None:
    """0.505 against ≤0.5: half_up prints 0.51 (fails, no mark); 修约值比较法 rounds to the
    limit's one decimal, 0.5, and passes; the arrays leave ties to the exact path."""
    years = {y: dict(nantong_years()[2021]) for y in (2015, 2021)}
    years[2021]["value_added"] = ("10000", "万元")
    years[2021]["energy"] = ("5050", "吨标煤")
    up = write_park(tmp_path, years, {"rules": {"rounding": "half_up"}}, park_id="up")
    rounded = write_park(
        tmp_path, years, {"rules": {"comparison": "rounded_value"}}, park_id="rounded"
    )
    assert assert_identical([up, rounded]) == 4
    r = _only(up, 2021).results[10]
    assert (r.display, r.mark, r.passed) == ("0.51", "", False)
    r = _only(rounded, 2021).results[10]
    assert (r.display, r.mark, r.passed) == ("0.50", "", True)


def test_failing_years_keep_their_own_reasons(tmp_path) -> None:
    """Park-years with the same pass flags share a verdict only when it reads nothing but the
    flags: two failing years print their own values in the reasons."""
    years = {y: dict(nantong_years()[2021]) for y in (2015, 2020, 2021)}
    years[2020]["energy"] = ("6000000", "吨标煤")
    years[2021]["energy"] = ("7000000", "吨标煤")
    folder = write_park(tmp_path, years)
    assert assert_identical([folder]) == 3
    by_year = {e.year: e for e in assess_table(load_table([folder]))}
    assert by_year[2020].passed == by_year[2021].passed
    texts = {y: [r.zh for r in by_year[y].reasons if r.number == "11"] for y in (2020, 2021)}
    assert texts[2020] == [
        "所选指标 11「单位工业增加值综合能耗」未达标：1.22吨标煤/万元，要求 ≤0.5吨标煤/万元"
    ]
    assert texts[2021] == [
        "所选指标 11「单位工业增加值综合能耗」未达标：1.43吨标煤/万元，要求 ≤0.5吨标煤/万元"
    ]


def test_a_compliant_verdict_is_shared_and_equal(tmp_path) -> None:
    """Every year of a park that passes the same indicators has the per-park engine's verdict."""
    base = nantong_years()
    years = {y: dict(base[2021]) for y in range(2015, 2022)}
    folder = write_park(tmp_path, years)
    assert assert_identical([folder]) == 7
    entries = assess_table(load_table([folder]))
    assert [e.compliant for e in entries] == [
        assess(load_park(folder), y).compliant for y in range(2015, 2022)
    ]


def test_a_second_standard_is_identical(tmp_path, monkeypatch) -> None:
    """tests/standards/synthetic_demo.yaml: limits by park_type × water_region, a gate tier, a
    select tier, a selectable_if_passes rule, string ids; values on and across the limits."""
    from ecopark.standard import model, registry

    monkeypatch.setenv(registry.ENV_VAR, str((ROOT / "tests" / "standards").resolve()))
    model.load_standard.cache_clear()
    try:
        rng = random.Random(12)
        folders = []
        for i in range(12):
            folder = tmp_path / f"synth-{i}"
            folder.mkdir()
            (folder / "park.yaml").write_text(
                f"id: synth-{i}\nname: 合成园区\nbase_year: 2020\nstandard: SYNTH-DEMO 0.1\n"
                f"park_type: {rng.choice(['chemical', 'general'])}\n"
                f"water_region: {rng.choice(['water_scarce', 'other'])}\n"
                f"selected_optional: {rng.choice(['[B2, C1]', '[C1]', '[B2]'])}\n",
                encoding="utf-8",
            )
            for year in (2020, 2021, 2022):
                values = {
                    "value_added": "100000",
                    "energy": rng.choice(["45000", "50000", "60000", "80000", "50500"]),
                    "renewable_energy": rng.choice(["6000", "2250", "0", ""]),
                    "recycling_value_added": rng.choice(["25000", "20000", "19999", ""]),
                    "fresh_water": rng.choice(["8", "10", "12"]),
                    "incidents_3y": rng.choice(["0", "0", "1"]),
                    "key_source_compliance": rng.choice(["达标", "达标", "不达标"]),
                }
                units = {
                    "value_added": "万元",
                    "energy": "吨标煤",
                    "renewable_energy": "吨标煤",
                    "recycling_value_added": "万元",
                    "fresh_water": "万立方米",
                    "incidents_3y": "起",
                    "key_source_compliance": "",
                }
                lines = ["item,value,unit"] + [
                    f"{k},{v},{units[k]}" for k, v in values.items() if v != ""
                ]
                (folder / f"{year}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
            folders.append(folder)
        assert assert_identical(folders) == 36
        entries = assess_table(load_table(folders))
        assert {e.park.standard.code for e in entries} == {"SYNTH-DEMO 0.1"}
        assert {e.compliant for e in entries} >= {True, False, None}
    finally:
        model.load_standard.cache_clear()


def test_a_chosen_standard_is_the_per_park_engine_under_it(monkeypatch) -> None:
    """load_table(..., standard): tests/data/two-standards under SYNTH-DEMO 0.1, field for field
    as ecopark.assess(load_park(folder, code), year); a park not naming it is skipped, saying
    why; by default each park is assessed under its first standard (HJ 274-2015 here)."""
    from ecopark.standard import model, registry

    monkeypatch.setenv(registry.ENV_VAR, str((ROOT / "tests" / "standards").resolve()))
    model.load_standard.cache_clear()
    try:
        two, code = ROOT / "tests" / "data" / "two-standards", "SYNTH-DEMO 0.1"
        assert assert_identical([two, NANTONG], code) == 3
        table = load_table([two, NANTONG], code)
        assert [p.standard.code for p in table.parks] == [code]
        assert table.skipped == {
            "nantong-etdz": "skipped: its standard: names HJ 274-2015 only, not SYNTH-DEMO 0.1 "
            "(add SYNTH-DEMO 0.1 there to assess the park against it)"
        }
        by_year = {e.year: e for e in assess_table(table)}
        a3 = next(r for r in by_year[2021].results if r.number == "A3")
        assert (a3.display, a3.passed, a3.limit.value) == ("0.0026", False, 5)
        assert by_year[2021].compliant is False and by_year[2015].judged_reason is not None
        assert assert_identical([two]) == 3  # its first standard
        assert {e.park.standard.code for e in assess_table(load_table([two]))} == {"HJ 274-2015"}
        with pytest.raises(ecopark.InputError, match="unknown standard 'NOPE'"):
            load_table([two], "NOPE")
    finally:
        model.load_standard.cache_clear()


#: Year-file texts the fast reader must read as the per-park reader does, or leave to it:
#: each replaces Nantong's 2021 file of one park (``{rows}``: its rows, ``{head}``: the header).
_HOSTILE = [
    "{head}\n\n{rows}\n\n",  # blank lines
    "\ufeff{head}\n{rows}",  # a BOM
    "{head}\n{rows}\n,,,\n , ,\n",  # rows of empty cells
    "{head}\n{rows}\nenergy,1,吨标煤,\n",  # an item twice
    "{head}\n{rows}\nincidents_3y,0,起,\n",  # an item of another standard only
    "{head}\n{rows}\nnot_an_item,1,吨,\n",
    "Item , VALUE,Unit,note\n{rows}",  # the header's spelling
    "item,value,unit\n{rows}",  # no note column: rows one cell too long
    "{head},extra\n{rows}",
    "{head}\n{rows}".replace(",", "\t"),  # tab-separated
    "{head}\n{rows}".replace("\n", "\r\n"),
    "{head}\n{rows}".replace("\n", "\x0b", 1),  # a line end only str.splitlines sees
]
#: Values written for one item: (item, value, unit) replacing Nantong's.
_CELLS = [
    ("env_management", "100", "%"),
    ("env_management", "100.000", "%"),
    ("env_management", "0100", "%"),
    ("env_management", "100.0001", "%"),
    ("env_management", "20%", "%"),
    ("env_management", "20%", ""),
    ("env_management", "1e2", "%"),
    ("eco_chain_projects", "7.0", "个"),
    ("eco_chain_projects", "7.5", "个"),
    ("eco_chain_projects", "1000000", "个"),
    ("eco_chain_projects", "1000001", "个"),
    ("value_added", "999999999999999.9999", "万元"),
    ("value_added", "1000000000000000", "万元"),
    ("value_added", "1000000000000000.1", "万元"),
    ("value_added", "4,906,200", "万元"),
    ("value_added", " 4906200 ", " 万元 "),
    ("value_added", "4906200", "亿元"),
    ("value_added", "4906200", "元"),
    ("value_added", "-1", "万元"),
    ("value_added", "abc", "万元"),
    ("value_added", "", "万元"),
    ("value_added", "", "吨"),
    ("key_source_compliance", "达标", "%"),
    ("key_source_compliance", "达 标", ""),
    ("key_source_compliance", " 不达标 ", ""),
    ("工业增加值", "4906200", "万元"),
    ("SO₂", "235", "吨"),
]


def test_hostile_year_files_read_as_the_per_park_reader_reads_them(tmp_path) -> None:
    """The fast reader takes a file only when it can prove it clean, and then reads every cell
    as the row validator does: values, errors and messages the per-park engine's."""
    base = nantong_years()
    folders = []
    for k, template in enumerate(_HOSTILE):
        folder = write_park(tmp_path, {y: base[y] for y in (2015, 2021)}, park_id=f"h-{k:02d}")
        rows = (folder / "2021.csv").read_text(encoding="utf-8").split("\n", 1)[1].strip("\n")
        text = template.format(head="item,value,unit,note", rows=rows)
        (folder / "2021.csv").write_bytes(text.encode("utf-8"))
        folders.append(folder)
    for k, (item, value, unit) in enumerate(_CELLS):
        years = {y: dict(base[y]) for y in (2015, 2021)}
        known = {"工业增加值": "value_added", "SO₂": "so2"}.get(item, item)
        del years[2021][known]
        years[2021][item] = (value, unit)
        folders.append(write_park(tmp_path, years, park_id=f"c-{k:02d}"))
    errors: list = []
    count = assert_identical(folders, errors=errors)
    assert count + len(errors) == 2 * len(folders)
    assert 10 < len(errors) < len(folders)  # bad files among them, each with its message


def test_decode_choices_are_kept_only_where_they_are_the_same() -> None:
    """_decoded keeps decode's choice per multiset of non-ASCII cells: every file decodes as
    decode decodes it, in any order, UTF-8 and GB18030 alike (and bytes valid both ways)."""
    from ecopark.columnar import _decoded
    from ecopark.io.rows import vocabulary
    from ecopark.io.yearfile import decode
    from tests.parkfiles import year_csv

    words = vocabulary(ecopark.load_standard())
    texts = [year_csv(items) for items in nantong_years().values()]
    texts += ["item,value,unit\n综合能耗,5,吨标煤\n", "item,value,unit\n鍏ㄩ儴,5,吨\n"]
    blobs = [t.encode(enc) for t in texts for enc in ("utf-8", "gb18030")]
    blobs += ["综合能耗".encode().decode("gb18030", "ignore").encode("gb18030") + b",1,\n"]
    blobs += ["item,value\n綜合".encode("gb18030") + b"\n", "\ufeffitem\n元".encode()]
    memo: dict = {}
    for blob in blobs + blobs[::-1] + blobs:
        try:
            want = decode(blob, "f.csv", words)
        except ecopark.InputError:
            with pytest.raises(ecopark.InputError):
                _decoded(blob, words, memo)
            continue
        assert _decoded(blob, words, memo) == want
    assert memo  # choices were kept


def test_no_separator_is_part_of_a_character() -> None:
    """What _decoded relies on: a cell separator after any lead or partial sequence stays a
    separator, in UTF-8 and GB18030, strict or with replacement characters."""
    heads = [bytes([a]) for a in range(0x80, 0x100)]
    heads += [
        bytes([a, b])
        for a in (0x81, 0x84, 0xA1, 0xFE)
        for b in (0x30, 0x39, 0x40, 0x7F, 0x80, 0xFE, 0xFF)
    ]
    heads += [bytes([0x81, 0x30, c]) for c in (0x30, 0x7F, 0x81, 0xFE)]
    for head in heads:
        for sep in ",\t;\r\n":
            for enc in ("utf-8", "gb18030"):
                text = (head + sep.encode() + b"x").decode(enc, "replace")
                assert text.endswith(sep + "x") and text.count(sep) == 1, (head, sep, enc)


#: Changes to one year file of a park whose other years share its layout (so the fast reader
#: tries the layout it has already seen on it first): (what is replaced, by what) in the text,
#: or a function of the text giving its bytes.
_SAME_LAYOUT = [
    ("\n", "\r\n"),  # CRLF throughout
    ("\n", "\r\n", 3),  # CRLF on some lines only
    (",吨标煤,", ",吨标煤,\r"),  # a lone CR in a cell
    (",吨标煤,", ",吨标煤,来自统计局"),  # a Chinese note
    (",吨标煤,", ',吨标煤,"a"'),  # a quoted note
    (",吨标煤,", ",吨标煤,a\x0bb"),  # a line end only str.splitlines sees
    (",吨标煤,", ",吨标煤,a\u2028b"),
    (",吨标煤,", ",吨标煤,a\x00b"),
    (",吨标煤,", ",吨标煤,,"),  # a cell too many
    ("item,value,unit,note\n", "item,value,unit,note\n\n"),  # a blank line
    ("item,value,unit,note\n", "\ufeffitem,value,unit,note\n"),  # a BOM
    ("item,value,unit,note\n", " item,value,unit,note\n"),  # the header spelt otherwise
    ("item,value,unit,note", "item,value,unit"),  # rows one cell too long
    ("item,value,unit,note\n", ""),  # no header
    ("达标", " 达标"),
    ("达标", "达 标"),
    ("达标", "不达标"),
    ("达标", ""),
    ("1974333.51", "１974333.51"),  # full-width digits
    ("1974333.51", "٣"),
    ("1974333.51", " 1974333.51"),
    ("1974333.51", "01974333.51"),
    ("1974333.51", "1974333.5100000000001"),
    ("1974333.51", "1e6"),
    ("1974333.51", "1,974,333.51"),
    ("1974333.51", "-1"),
    ("1974333.51", ""),
    ("1974333.51", "1000000000000000"),
    ("1974333.51", "1000000000000000.0"),
    ("1974333.51", "1000000000000000.01"),
    ("1974333.51", "1974333.51,"),
    (",吨标煤,", ",万吨标煤,"),  # another unit
    (",吨标煤,", ",吨,"),  # a unit of another dimension
    (",吨标煤,", ",吨标煤 ,"),
    ("energy,", "综合能耗,"),  # the item's Chinese name
    ("energy,", "Energy,"),
    ("energy,", "energy ,"),
    ("energy,", "cod,"),  # an item twice
    (lambda text: text.encode("gb18030")),
    (lambda text: text.replace("统计局", "").encode("gb18030")),
    (lambda text: text.encode("utf-8")[:-9]),  # cut inside the last line
    (lambda text: text.encode("utf-8").rstrip(b"\n")),  # no line end at the end
    (lambda text: text.encode("utf-8") + b"\n\n"),
    (lambda text: b""),  # empty
    (lambda text: "\ufeff".encode() + text.encode("gb18030")),  # a BOM on GB18030 bytes
    (lambda text: text.encode("latin-1", "replace")),
    (lambda text: b"PK\x03\x04" + text.encode()),
    (lambda text: text.encode("utf-16")),
]


def test_files_of_a_layout_already_seen_read_as_the_per_park_reader_reads_them(tmp_path) -> None:
    """The fast reader matches a file against the layout of the park's previous file: every
    change to such a file is read as the per-park reader reads it (values, exact sources, bad
    files), in either encoding and under either name case."""

    base = nantong_years()[2021]
    base = {**base, "energy": ("1974333.51", "吨标煤", "统计局")}
    folders = []
    for k, change in enumerate(_SAME_LAYOUT):
        years = {2019: base, 2020: base, 2021: base}
        folder = write_park(
            tmp_path, years, park_id=f"l-{k:02d}", encoding="gb18030" if k % 2 else "utf-8"
        )
        text = (folder / "2020.csv").read_bytes().decode("gb18030" if k % 2 else "utf-8")
        if callable(change):
            data = change(text)
        else:
            old, new, *count = change
            data = text.replace(old, new, *count).encode("gb18030" if k % 2 else "utf-8")
        (folder / "2020.csv").write_bytes(data)
        if k % 3 == 0:
            (folder / "2021.csv").rename(folder / "2021.CSV")
        folders.append(folder)
    table = load_table(folders)
    read = 0
    opened = {}
    for p, park in enumerate(table.parks):
        per_park = opened[park.path] = load_park(park.path)
        for year in per_park.years:
            try:
                records = per_park.records(year)
            except ecopark.InputError:
                assert (p, year) in table.bad, (park.id, year)
                continue
            r = table.rows[(p, year)]
            got = {item: col[r] for item, col in table.values.items() if col[r] is not None}
            assert got == {rec.item: rec.value for rec in records}, (park.id, year)
            for rec in records:
                source = table.sources[rec.item][r]
                if isinstance(source, tuple):
                    assert source == (rec.value_as_written, rec.unit_as_written), (park.id, year)
            read += 1
    assert len(table.bad) > 10 and read > 2 * len(folders)
    assert assert_identical(folders, table=table, parks=opened) > 2 * len(folders)


def test_limits_are_worked_out_once_per_attributes_and_benchmark_as_written(tmp_path) -> None:
    """Parks with the same attributes and benchmark share a limit; another benchmark (90.0 is
    kept apart from 90 too) or attribute (16: ≥10, 京津冀 ≥30) gets its own, as the per-park
    engine works it out."""
    years = {y: dict(nantong_years()[2021]) for y in (2015, 2021)}
    parks = [
        write_park(tmp_path, years, config, park_id=f"p{k}")
        for k, config in enumerate(
            [
                {"dominant_sector_share": 0.8, "sector_benchmarks": {6: 90}},
                {"dominant_sector_share": 0.8, "sector_benchmarks": {6: 92.25}},
                {"dominant_sector_share": 0.8, "sector_benchmarks": {6: 90}},
                {"dominant_sector_share": 0.8, "sector_benchmarks": {6: 90.0}},
                {"dominant_sector_share": 0.5, "sector_benchmarks": {6: 90}},
                {"water_region": "jingjinji"},
            ]
        )
    ]
    assert assert_identical(parks) == 12
    got = [_only(p, 2021).results for p in parks]
    assert [r[5].requirement for r in got[:5]] == ["≥90", "≥92.25", "≥90", "≥90", "≥70"]
    assert (got[0][15].requirement, got[5][15].requirement) == ("≥10", "≥30")


def test_a_layout_seen_once_compiles_no_whole_file_expression(tmp_path, monkeypatch) -> None:
    """Parks whose files all differ (rows in another order each year) are split file by file:
    the whole-file expressions of a layout are compiled only when a second file has it (each
    costs ≈ 10 ms; 250 random parks took 6 s to load when every layout compiled them)."""
    import re

    base = nantong_years()
    rng = random.Random(8)
    years = {}
    for year, items in base.items():
        keys = list(items)
        rng.shuffle(keys)
        years[year] = {k: items[k] for k in keys}
    differ = write_park(tmp_path, years, park_id="differ")
    same = write_park(tmp_path, {y: base[2021] for y in (2019, 2020, 2021)}, park_id="same")
    compiled = []
    plain_compile = re.compile

    def counting(pattern, flags=0):
        if isinstance(pattern, str) and pattern.count("\n") > 20:  # a whole year file's
            compiled.append(pattern)
        return plain_compile(pattern, flags)

    monkeypatch.setattr(re, "compile", counting)
    load_table([differ])
    assert compiled == []
    load_table([same])
    assert compiled  # the second and third file of one layout: matched whole
    monkeypatch.undo()
    assert assert_identical([differ, same]) == len(years) + 3
