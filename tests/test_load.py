"""Loading a park folder: formats, encodings, names, units, and every bad input of the contract.

The Nantong data written in other forms must give exactly the official table; each bad input of
data-format.md ("What bad input gets") must stop with an InputError naming file, line and item
and saying what would be right.
"""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

import ecopark
from ecopark.errors import InputError
from ecopark.io.park import check_park, read_year_file
from parkfiles import (
    NANTONG_CONFIG,
    nantong_copy,
    nantong_years,
    table_rows,
    write_park,
    write_xlsx,
)

STANDARD = ecopark.load_standard()


@pytest.fixture(scope="module")
def expected_rows(expected_nantong_csv):
    return list(csv.DictReader(expected_nantong_csv.open(encoding="utf-8")))


def table(folder, year=2021):
    return table_rows(ecopark.assess(ecopark.load_park(folder), year))


def nantong_written(transform, **kwargs):
    """Nantong's years with every (item, (value, unit)) passed through ``transform``."""
    out = {}
    for year, items in nantong_years().items():
        out[year] = dict(
            transform(year, item, value, unit) for item, (value, unit) in items.items()
        )
    return out


# --- formats, encodings, names -------------------------------------------------------------


def test_the_helper_copy_reproduces_the_official_table(tmp_path, expected_rows):
    assert table(nantong_copy(tmp_path)) == expected_rows


def test_xlsx_year_files(tmp_path, expected_rows):
    years = nantong_written(lambda y, i, v, u: (i, (v, u)))
    folder = write_park(tmp_path, years, NANTONG_CONFIG, xlsx_years=(2015, 2018, 2021))
    assert sorted(p.name for p in folder.iterdir()) == [
        "2015.xlsx",
        "2018.xlsx",
        "2021.xlsx",
        "park.yaml",
    ]
    assert table(folder) == expected_rows


def test_xlsx_and_csv_mixed_with_chinese_names(tmp_path, expected_rows):
    years = nantong_written(lambda y, i, v, u: (STANDARD.items[i].name_zh, (v, u)))
    folder = write_park(tmp_path, years, NANTONG_CONFIG, xlsx_years=(2021,))
    assert table(folder) == expected_rows


def test_chinese_item_names(tmp_path, expected_rows):
    years = nantong_written(lambda y, i, v, u: (STANDARD.items[i].name_zh, (v, u)))
    assert "工业增加值" in years[2021] and "园区再生水（中水）回用量" in years[2021]
    assert table(write_park(tmp_path, years, NANTONG_CONFIG)) == expected_rows


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8-sig", "utf-8"])
def test_encodings(tmp_path, expected_rows, encoding):
    years = nantong_written(lambda y, i, v, u: (STANDARD.items[i].name_zh, (v, u)))
    folder = write_park(tmp_path, years, NANTONG_CONFIG, encoding=encoding)
    raw = (folder / "2021.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    if encoding in ("gb18030", "gbk"):
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
    assert table(folder) == expected_rows


def test_empty_unit_means_the_catalogue_unit_and_empty_lines_are_skipped(tmp_path, expected_rows):
    years = nantong_written(lambda y, i, v, u: (i, (v, "" if i != "major_incidents" else u)))
    folder = write_park(tmp_path, years, NANTONG_CONFIG)
    path = folder / "2021.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("\n", "\n,,,\n\n", 3), encoding="utf-8"
    )
    assert table(folder) == expected_rows


def test_thousands_separators(tmp_path, expected_rows):
    changed = {
        "value_added": "4,906,200",
        "water_reused": "901,832,727.9",
        "industrial_output": "15,878,012",
        "co2": "3,131,579",
    }
    years = nantong_written(lambda y, i, v, u: (i, (changed.get(i, v) if y == 2021 else v, u)))
    folder = write_park(tmp_path, years, NANTONG_CONFIG)
    assert '"4,906,200"' in (folder / "2021.csv").read_text(encoding="utf-8")
    assert table(folder) == expected_rows
    [record] = [r for r in read_year_file(folder / "2021.csv") if r.item == "value_added"]
    assert record.value == 4906200.0 and record.value_as_written == "4,906,200"


# Every figure rewritten in another unit: (unit, factor) with value_new = value * factor.
OTHER_UNITS = {
    "value_added": ("亿元", Decimal("0.0001")),
    "hightech_output": ("元", Decimal(10000)),
    "industrial_output": ("亿元", Decimal("0.0001")),
    "recycling_value_added": ("元", Decimal(10000)),
    "employees": ("万人", Decimal("0.0001")),
    "solid_waste_utilized": ("千克", Decimal(1000)),
    "solid_waste_generated": ("万吨", Decimal("0.0001")),
    "solid_waste_stock_utilized": ("千克", Decimal(1000)),
    "recyclables_recycled": ("万吨", Decimal("0.0001")),
    "recyclables_collected": ("千克", Decimal(1000)),
    "energy": ("万吨标煤", Decimal("0.0001")),
    "renewable_energy": ("万吨标煤", Decimal("0.0001")),
    "fresh_water": ("立方米", Decimal(10000)),
    "water_reused": ("万立方米", Decimal("0.0001")),
    "reclaimed_water": ("吨", Decimal(10000)),
    "wwtp_discharge": ("立方米", Decimal(10000)),
    "wastewater": ("万吨", Decimal("0.0001")),
    "cod": ("千克", Decimal(1000)),
    "ammonia_nitrogen": ("千克", Decimal(1000)),
    "so2": ("万吨", Decimal("0.0001")),
    "nox": ("千克", Decimal(1000)),
    "co2": ("万吨", Decimal("0.0001")),
}
# Other spellings and units for some years.
YEAR_UNITS = {
    (2018, "industrial_land"): ("亩", Decimal(1500)),
    (2021, "industrial_land"): ("公顷", Decimal(100)),
    (2015, "fresh_water"): ("吨", Decimal(10000)),
    (2015, "energy"): ("tce", Decimal(1)),
    (2015, "value_added"): ("元", Decimal(10000)),
    (2021, "wastewater"): ("m³", Decimal(1)),
}


def in_other_unit(year, item, value, unit):
    new_unit, factor = YEAR_UNITS.get((year, item)) or OTHER_UNITS.get(item, (unit, None))
    if factor is None:
        return item, (value, unit)
    return item, (format(Decimal(value) * factor, "f"), new_unit)


def test_other_units_give_the_same_table(tmp_path, expected_rows):
    years = nantong_written(in_other_unit)
    assert years[2021]["value_added"] == ("490.6200", "亿元")
    assert years[2021]["industrial_land"] == ("1910.0", "公顷")
    assert years[2018]["industrial_land"] == ("28650.0", "亩")
    assert years[2021]["employees"] == ("10.2534", "万人")
    assert years[2021]["energy"] == ("197.433351", "万吨标煤")
    folder = write_park(tmp_path, years, NANTONG_CONFIG)
    assert table(folder) == expected_rows
    park = ecopark.load_park(folder)
    assert park.values(2021)["industrial_land"] == 19.1
    assert park.values(2021)["fresh_water"] == 3744.0675


def test_records_keep_the_value_and_unit_as_written(tmp_path):
    folder = write_park(tmp_path, {2021: {"value_added": ("490.62", "亿元", "统计公报")}})
    [r] = read_year_file(folder / "2021.csv")
    assert (r.item, r.value, r.unit, r.note, r.line) == (
        "value_added",
        4906200.0,
        "万元",
        "统计公报",
        2,
    )
    assert (r.value_as_written, r.unit_as_written) == ("490.62", "亿元")


def test_the_tidy_items_table(nantong_dir):
    items = ecopark.load_park(nantong_dir).items()
    assert list(items.columns) == ["park", "year", "item", "value", "unit", "note"]
    assert len(items) == 8 + 2 + 36
    v = items[(items.year == 2021) & (items.item == "value_added")]
    assert v.value.tolist() == [4906200.0] and v.unit.tolist() == ["万元"]


# --- bad input: each gives an InputError naming file, line and item --------------------------

GOOD_2021 = {"value_added": ("4906200", "万元"), "energy": ("1974333.51", "吨标煤")}


def csv_bytes(*lines):
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_bytes(tmp_path):
    path = tmp_path / "book.xlsx"
    write_xlsx(path, GOOD_2021)
    return path.read_bytes()


# (id, file contents of 2021.csv, line, item, substrings of the message)
BAD_YEAR_FILES = [
    (
        "utf16",
        "item,value,unit\nvalue_added,1,万元\n".encode("utf-16"),
        None,
        None,
        ["neither UTF-8 nor GB18030", "CSV UTF-8"],
    ),
    ("latin1-binary", bytes(range(128, 256)) * 4, None, None, ["neither UTF-8 nor GB18030"]),
    ("xlsx-renamed", "XLSX", None, None, ["zip file", ".xlsx"]),
    (
        "no-header",
        csv_bytes("value_added,4906200,万元"),
        1,
        None,
        ["lacks the header", "item,value,unit"],
    ),
    (
        "wrong-header",
        csv_bytes("name,amount,unit", "value_added,1,万元"),
        1,
        None,
        ["lacks the header", "found 'name,amount,unit'"],
    ),
    ("empty", b"", None, None, ["is empty", "header"]),
    (
        "unknown-item",
        csv_bytes("item,value,unit", "value_add,4906200,万元"),
        2,
        "value_add",
        ["unknown item", "value_added"],
    ),
    (
        "unknown-chinese-name",
        csv_bytes("item,value,unit", "工业增加", "energy,1,吨标煤"),
        2,
        "工业增加",
        ["unknown item", "工业增加值"],
    ),
    (
        "twice",
        csv_bytes("item,value,unit", "value_added,1,万元", "energy,1,吨标煤", "工业增加值,2,万元"),
        4,
        "工业增加值",
        ["twice", "first on line 2"],
    ),
    (
        "not-a-number",
        csv_bytes("item,value,unit", "energy,about 2 million,吨标煤"),
        2,
        "energy",
        ["not a number", "4906200"],
    ),
    (
        "percent-sign",
        csv_bytes("item,value,unit", "green_coverage,20.2%,%"),
        2,
        "green_coverage",
        ["not a number"],
    ),
    (
        "bad-status-word",
        csv_bytes("item,value,unit", "key_source_compliance,合格,"),
        2,
        "key_source_compliance",
        ["'合格' is not allowed", "达标 / 不达标"],
    ),
    (
        "status-number",
        csv_bytes("item,value,unit", "wastewater_facility,1,"),
        2,
        "wastewater_facility",
        ["具备 / 不具备"],
    ),
    (
        "negative",
        csv_bytes("item,value,unit", "energy,-5,吨标煤"),
        2,
        "energy",
        ["negative", "below 0"],
    ),
    (
        "nan",
        csv_bytes("item,value,unit", "value_added,4906200,万元", "energy,NaN,吨标煤"),
        3,
        "energy",
        ["not a finite number"],
    ),
    (
        "inf",
        csv_bytes("item,value,unit", "energy,inf,吨标煤"),
        2,
        "energy",
        ["not a finite number"],
    ),
    (
        "minus-infinity",
        csv_bytes("item,value,unit", "energy,-Infinity,吨标煤"),
        2,
        "energy",
        ["not a finite number"],
    ),
    ("overflow", csv_bytes("item,value,unit", "energy,1e400,吨标煤"), 2, "energy", ["too large"]),
    (
        "unknown-unit",
        csv_bytes("item,value,unit", "energy,5,桶"),
        2,
        "energy",
        ["unit '桶' is unknown", "吨标煤"],
    ),
    (
        "wrong-kind-of-unit",
        csv_bytes("item,value,unit", "industrial_land,19.1,亿元"),
        2,
        "industrial_land",
        ["'亿元' is not a unit of area", "平方公里", "公顷", "亩"],
    ),
    (
        "mass-unit-for-money",
        csv_bytes("item,value,unit", "value_added,1,吨"),
        2,
        "value_added",
        ["not a unit of money", "万元"],
    ),
    (
        "fraction-of-a-count",
        csv_bytes("item,value,unit", "eco_chain_projects,6.5,个"),
        2,
        "eco_chain_projects",
        ["whole number"],
    ),
    (
        "unit-on-status",
        csv_bytes("item,value,unit", "emission_caps,全部完成,%"),
        2,
        "emission_caps",
        ["takes no unit"],
    ),
    ("empty-item", csv_bytes("item,value,unit", ",5,吨"), 2, None, ["item is empty"]),
    (
        "open-quote",
        csv_bytes("item,value,unit", 'energy,"5,吨标煤'),
        2,
        "energy",
        ['a quote (")', "never closed", "the rest of the line"],
    ),
]


def _write_bad(tmp_path, contents):
    folder = nantong_copy(tmp_path)
    data = xlsx_bytes(tmp_path) if contents == "XLSX" else contents
    (folder / "2021.csv").write_bytes(data)
    return folder


@pytest.mark.parametrize(
    ("contents", "line", "item", "words"),
    [c[1:] for c in BAD_YEAR_FILES],
    ids=[c[0] for c in BAD_YEAR_FILES],
)
def test_bad_year_file(tmp_path, contents, line, item, words):
    folder = _write_bad(tmp_path, contents)
    with pytest.raises(InputError) as exc:
        read_year_file(folder / "2021.csv")
    problem = exc.value.problems[0]
    assert problem.file.endswith("2021.csv")
    assert problem.line == line and problem.item == item
    for word in words:
        assert word in problem.message
    text = str(exc.value)
    assert "2021.csv" in text and (line is None or f"line {line}" in text)
    assert item is None or f"item '{item}'" in text
    # assessing any year that reads the file stops the same way
    park = ecopark.load_park(folder)
    with pytest.raises(InputError):
        ecopark.assess(park, 2021)
    assert check_park(folder) == exc.value.problems


def test_every_bad_row_of_a_file_is_reported(tmp_path):
    folder = _write_bad(
        tmp_path,
        csv_bytes(
            "item,value,unit,note",
            "value_added,abc,万元,",
            "energy,-1,吨标煤,",
            "cod,5,桶,",
            "coddd,1,吨,",
            "cod,6,吨,",
            "green_coverage,20.2,%,",
        ),
    )
    with pytest.raises(InputError) as exc:
        read_year_file(folder / "2021.csv")
    assert [(p.line, p.item) for p in exc.value.problems] == [
        (2, "value_added"),
        (3, "energy"),
        (4, "cod"),
        (5, "coddd"),
        (6, "cod"),
    ]


def test_a_bad_history_file_stops_the_assessment(tmp_path):
    folder = nantong_copy(tmp_path)
    (folder / "2018.csv").write_bytes(csv_bytes("item,value,unit", "industrial_land,19.1,亿元"))
    with pytest.raises(InputError) as exc:
        ecopark.assess(ecopark.load_park(folder), 2021)
    assert exc.value.problems[0].file.endswith("2018.csv")


def test_a_bad_xlsx_file(tmp_path):
    folder = nantong_copy(tmp_path)
    (folder / "2021.csv").unlink()
    (folder / "2021.xlsx").write_bytes(csv_bytes("item,value,unit", "energy,1,吨标煤"))
    with pytest.raises(InputError) as exc:
        ecopark.assess(ecopark.load_park(folder), 2021)
    assert exc.value.problems[0].file.endswith("2021.xlsx")
    assert "not a readable .xlsx" in exc.value.problems[0].message


def test_an_xlsx_with_bad_rows_names_the_row(tmp_path):
    path = tmp_path / "2021.xlsx"
    write_xlsx(path, {"value_added": ("4906200", "万元"), "energy": ("-3", "吨标煤")})
    with pytest.raises(InputError) as exc:
        read_year_file(path)
    [p] = exc.value.problems
    assert (p.line, p.item) == (3, "energy") and "negative" in p.message
    assert ", row 3, item 'energy'" in str(p)  # a spreadsheet has rows, not lines


def test_both_csv_and_xlsx_for_a_year(tmp_path):
    folder = nantong_copy(tmp_path)
    write_xlsx(folder / "2021.xlsx", GOOD_2021)
    with pytest.raises(InputError) as exc:
        ecopark.load_park(folder)
    assert "keep one" in str(exc.value) and "2021" in str(exc.value)


def test_a_year_file_that_does_not_exist(tmp_path):
    park = ecopark.load_park(nantong_copy(tmp_path))
    with pytest.raises(InputError) as exc:
        ecopark.assess(park, 2030)
    [p] = exc.value.problems
    assert p.file.endswith("2030.csv") and "does not exist" in p.message
    assert "2015, 2018, 2021" in p.message
    with pytest.raises(InputError):
        read_year_file(tmp_path / "nowhere.csv")


# --- bad park.yaml -------------------------------------------------------------------------

NANTONG_YAML = (
    "id: nantong-variant\n"
    "name: 南通经济技术开发区\n"
    "base_year: 2015\n"
    "water_region: other\n"
    "selected_optional: [2, 6, 8, 11, 14, 27]\n"
)

# (id, park.yaml text or None for missing, line, item, substrings of the message)
BAD_YAML = [
    ("missing", None, None, None, ["park.yaml is missing", "id, name and base_year"]),
    (
        "not-yaml",
        "id: nantong-variant\nname: [南通\nbase_year: 2015\n",
        3,
        None,
        ["not valid YAML", "key: value"],
    ),
    ("tab-indented", "id: x\n\tname: y\n", 2, None, ["not valid YAML"]),
    ("a-list", "- id\n- name\n", None, None, ["mapping"]),
    (
        "unknown-key",
        NANTONG_YAML + "water_regoin: other\n",
        6,
        "water_regoin",
        ["unknown key", "did you mean 'water_region'"],
    ),
    (
        "id-differs",
        NANTONG_YAML.replace("id: nantong-variant", "id: nantong-etdz"),
        1,
        "id",
        ["differs from the folder name 'nantong-variant'", "must be equal"],
    ),
    (
        "water-region",
        NANTONG_YAML.replace("water_region: other", "water_region: south"),
        4,
        "water_region",
        ["'south' is not one of", "water_scarce", "jingjinji", "other"],
    ),
    (
        "must-selected",
        NANTONG_YAML.replace("[2, 6, 8, 11, 14, 27]", "[2, 5, 8, 11, 14, 27]"),
        5,
        "selected_optional",
        ["indicator 5 is not an optional indicator", "choose among 1, 2, 3, 4, 6"],
    ),
    (
        "no-such-indicator",
        NANTONG_YAML.replace("27]", "27, 33]"),
        5,
        "selected_optional",
        ["indicator 33 is not an optional"],
    ),
    ("selected-twice", NANTONG_YAML.replace("27]", "27, 2]"), 5, "selected_optional", ["twice"]),
    (
        "no-base-year",
        NANTONG_YAML.replace("base_year: 2015\n", ""),
        None,
        "base_year",
        ["'base_year' is missing"],
    ),
    ("base-year-text", NANTONG_YAML.replace("2015", "二〇一五"), 3, "base_year", ["such as 2015"]),
    (
        "share-above-1",
        NANTONG_YAML + "dominant_sector_share: 80\n",
        6,
        "dominant_sector_share",
        ["0.72 for 72%"],
    ),
    (
        "unknown-standard",
        NANTONG_YAML + "standard: HJ 274-2009\n",
        6,
        "standard",
        ["unknown standard", "HJ 274-2015"],
    ),
    ("benchmarks", NANTONG_YAML + "sector_benchmarks: [90]\n", 6, "sector_benchmarks", ["{6: 90}"]),
]


@pytest.mark.parametrize(
    ("text", "line", "item", "words"), [c[1:] for c in BAD_YAML], ids=[c[0] for c in BAD_YAML]
)
def test_bad_park_yaml(tmp_path, text, line, item, words):
    folder = nantong_copy(tmp_path)
    if text is None:
        (folder / "park.yaml").unlink()
    else:
        (folder / "park.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        ecopark.load_park(folder)
    problem = exc.value.problems[0]
    assert problem.file.endswith("park.yaml")
    assert (problem.line, problem.item) == (line, item)
    for word in words:
        assert word in problem.message
    assert check_park(folder)[0] == problem


def test_every_problem_of_park_yaml_at_once(tmp_path):
    folder = nantong_copy(tmp_path)
    (folder / "park.yaml").write_text(
        "id: other-name\nname: x\nbase_year: 2015\nwater_region: south\nselected_optional: [5]\n"
        "colour: green\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        ecopark.load_park(folder)
    assert sorted(p.item for p in exc.value.problems) == [
        "colour",
        "id",
        "selected_optional",
        "water_region",
    ]


def test_not_a_folder(tmp_path):
    with pytest.raises(InputError) as exc:
        ecopark.load_park(tmp_path / "no-such-park")
    assert "is not a folder" in str(exc.value)


def test_the_id_is_the_name_of_the_folder_a_link_or_dot_leads_to(tmp_path, monkeypatch):
    folder = nantong_copy(tmp_path)
    (tmp_path / "other-name").symlink_to(folder)
    assert ecopark.load_park(tmp_path / "other-name").id == "nantong-variant"
    monkeypatch.chdir(folder)
    assert ecopark.load_park(".").id == "nantong-variant"
    (folder / "park.yaml").write_text(
        NANTONG_YAML.replace("nantong-variant", "x"), encoding="utf-8"
    )
    with pytest.raises(InputError) as exc:
        ecopark.load_park(".")
    assert str(exc.value) == (
        "park.yaml, line 1, item 'id': id 'x' differs from the folder name 'nantong-variant'; "
        "they must be equal"
    )


def test_fewer_than_six_selected_is_not_an_input_error(tmp_path):
    folder = nantong_copy(tmp_path, {"selected_optional": [2]})
    assert check_park(folder) == []
    assert not ecopark.assess(ecopark.load_park(folder), 2021).compliant


# --- check_park lists everything -----------------------------------------------------------


def test_check_park_lists_the_problems_of_every_file(tmp_path):
    folder = nantong_copy(tmp_path)
    (folder / "2015.csv").write_bytes(csv_bytes("item,value,unit", "energy,-1,吨标煤", "cod,x,吨"))
    (folder / "2018.csv").write_bytes(csv_bytes("item,value,unit", "industrial_land,19.1,亿元"))
    (folder / "2021.csv").write_bytes("item,value,unit\n".encode("utf-16"))
    found = [(p.file.rsplit("/", 1)[-1], p.line, p.item) for p in check_park(folder)]
    assert found == [
        ("2015.csv", 2, "energy"),
        ("2015.csv", 3, "cod"),
        ("2018.csv", 2, "industrial_land"),
        ("2021.csv", None, None),
    ]


def test_check_park_with_a_bad_park_yaml_still_checks_the_year_files(tmp_path):
    folder = nantong_copy(tmp_path)
    (folder / "park.yaml").write_text(NANTONG_YAML + "colour: green\n", encoding="utf-8")
    (folder / "2018.csv").write_bytes(
        csv_bytes("item,value,unit", "industrial_land,-19.1,平方公里")
    )
    found = [(p.file.rsplit("/", 1)[-1], p.item) for p in check_park(folder)]
    assert found == [("park.yaml", "colour"), ("2018.csv", "industrial_land")]


def test_check_park_warns_about_a_missing_base_year_file(tmp_path):
    folder = nantong_copy(tmp_path, years=(2018, 2021))
    [p] = check_park(folder)
    assert p.message.startswith("warning:") and "2015" in p.message


def test_check_park_on_nantong(nantong_dir):
    assert check_park(nantong_dir) == []
