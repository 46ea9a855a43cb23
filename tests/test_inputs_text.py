"""CSV as written, encodings decided by content, values that cannot be, strict YAML (issue 10,
items 2–5; issue 9, item 7). Every file is made by the test."""

from __future__ import annotations

import csv

import pytest

import ecopark
from ecopark.cli import main
from ecopark.errors import InputError
from ecopark.io.park import check_park
from ecopark.io.rows import check_value, visible
from ecopark.io.yearfile import decode, read_year_file
from ecopark.reports.params import ParamsError, load_params
from parkfiles import nantong_copy, write_park, year_csv


@pytest.fixture
def expected_rows(expected_nantong_csv):
    return list(csv.DictReader(expected_nantong_csv.open(encoding="utf-8")))


def _table(folder, year=2021):
    from parkfiles import table_rows

    return table_rows(ecopark.assess(ecopark.load_park(folder), year))


def _problems(path):
    with pytest.raises(InputError) as exc:
        read_year_file(path)
    return exc.value.problems


# --- CSV as written ---------------------------------------------------------------------------


@pytest.mark.parametrize("separator", ["\t", ";"])
def test_tab_and_semicolon_separated_files_are_read(tmp_path, expected_rows, separator):
    folder = nantong_copy(tmp_path)
    for year in (2015, 2018, 2021):
        path = folder / f"{year}.csv"
        rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
        buf = "\n".join(separator.join(r) for r in rows) + "\n"
        assert "," not in buf.split("\n")[0]
        path.write_text(buf, encoding="utf-8")
    assert _table(folder) == expected_rows


def test_an_unclosed_quote_names_the_line_where_it_opened(tmp_path):
    path = tmp_path / "2021.csv"
    path.write_text(
        "item,value,unit,note\n"
        "value_added,4906200,万元,\n"
        'energy,1974333.51,吨标煤,"据统计公报\n'
        "co2,1528729,吨,\n"
        "cod,1000,吨,\n",
        encoding="utf-8",
    )
    [p] = _problems(path)
    assert (p.line, p.item) == (3, "energy")
    assert 'a quote (")' in p.message and "never closed" in p.message and "4–5" in p.message


def test_a_quote_that_swallows_rows_before_it_closes_is_named(tmp_path):
    path = tmp_path / "2021.csv"
    path.write_text(
        "item,value,unit,note\n"
        'value_added,4906200,万元,"来源：统计局\n'
        "energy,1974333.51,吨标煤,\n"
        'co2,1528729,吨,另见"附表"\n',
        encoding="utf-8",
    )
    [p] = _problems(path)
    assert (p.line, p.item) == (2, "value_added")
    assert "closes only on line 4" in p.message and "lines 3–4" in p.message


def test_a_note_on_two_lines_is_still_a_note(tmp_path):
    path = tmp_path / "2021.csv"
    path.write_text(
        'item,value,unit,note\nvalue_added,4906200,万元,"第一行\n第二行"\nenergy,1,吨标煤,\n',
        encoding="utf-8",
    )
    a, b = read_year_file(path)
    assert a.note == "第一行\n第二行" and (b.item, b.line) == ("energy", 4)


def test_a_quote_inside_a_cell_is_just_a_character(tmp_path):
    path = tmp_path / "2021.csv"
    path.write_text('item,value,unit,note\nvalue_added,4906200,万元,约 5" 厚\n', encoding="utf-8")
    [r] = read_year_file(path)
    assert r.note == '约 5" 厚'


def test_an_invisible_character_is_shown(tmp_path):
    path = tmp_path / "2021.csv"
    path.write_text(
        "item,value,unit\nvalue_\u200badded,4906200,万元\nenergy,5,吨标煤\u00a0x\n",
        encoding="utf-8",
    )
    a, b = _problems(path)
    assert a.item == "value_\\u200badded"
    assert "U+200B ZERO WIDTH SPACE" in a.message and "('value_added' without it)" in a.message
    assert "unit '吨标煤\\u00a0x' is unknown" in b.message
    assert "\u200b" not in str(a) and visible("a\u3000b\ufeff") == "a\\u3000b\\ufeff"


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("2021.xls", ["Excel 97-2003", "save it as 2021.xlsx"]),
        ("2021.et", ["WPS", "2021.xlsx"]),
        ("2021.tsv", ["rename it 2021.csv"]),
    ],
)
def test_a_year_file_in_a_format_not_read_says_what_to_do(tmp_path, capsys, name, words):
    folder = nantong_copy(tmp_path)
    (folder / "2021.csv").rename(folder / name)
    with pytest.raises(InputError) as exc:
        ecopark.load_park(folder)
    [p] = exc.value.problems
    assert p.file.endswith(name) and all(w in p.message for w in words)
    assert main(["table", str(folder), "2021"]) == 2
    assert name in capsys.readouterr().err
    assert [q.file for q in check_park(folder)] == [p.file]


def test_an_xls_beside_its_year_file_is_left_alone(tmp_path):
    folder = nantong_copy(tmp_path)
    (folder / "2021.xls").write_bytes(b"old")
    assert ecopark.load_park(folder).years == [2015, 2018, 2021]


def test_upper_case_year_files_are_year_files_everywhere(tmp_path, expected_rows):
    folder = nantong_copy(tmp_path)
    (folder / "2021.csv").rename(folder / "2021.CSV")
    assert _table(folder) == expected_rows
    params = tmp_path / "p.yaml"
    params.write_text(f"park_id: nantong-variant\nyear: 2021\ndata_dir: {tmp_path}\n")
    assert load_params(params).year == 2021


def test_an_xlsx_named_csv_and_a_csv_named_xlsx(tmp_path):
    path = tmp_path / "2021.xlsx"
    path.write_text("item,value,unit\nvalue_added,1,万元\n", encoding="utf-8")
    [p] = _problems(path)
    assert "not a zip archive; a CSV file must be named .csv" in p.message


def test_an_old_excel_file_named_xlsx(tmp_path):
    path = tmp_path / "2021.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    [p] = _problems(path)
    assert "Excel 97-2003" in p.message and "save it from Excel or WPS as .xlsx" in p.message


# --- encodings --------------------------------------------------------------------------------

#: Rows whose every non-ASCII character is valid UTF-8 as GB18030 bytes: 元 is D4 AA (UTF-8 'Ԫ'),
#: 亩 is C4 B6 (UTF-8 'Ķ').
AMBIGUOUS = "item,value,unit\nvalue_added,49062000000,元\nindustrial_land,28650,亩\n"


def test_ambiguous_bytes_are_decoded_as_the_encoding_that_knows_the_units(tmp_path):
    data = AMBIGUOUS.encode("gb18030")
    assert data.decode("utf-8") != AMBIGUOUS  # valid UTF-8, but 'Ԫ' and 'Ķ'
    path = tmp_path / "2021.csv"
    path.write_bytes(data)
    a, b = read_year_file(path)
    assert (a.value, a.unit_as_written) == (4906200.0, "元")
    assert (b.value, b.unit_as_written) == (19.1, "亩")
    # and the same text in UTF-8 is read as UTF-8
    path.write_bytes(AMBIGUOUS.encode("utf-8"))
    assert [r.value for r in read_year_file(path)] == [4906200.0, 19.1]


def test_ambiguous_bytes_in_names_choose_the_known_item_names(tmp_path):
    text = "item,value,unit\n工业增加值,4906200,万元\n"
    for encoding in ("utf-8", "gb18030"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        [r] = read_year_file(path)
        assert r.item == "value_added"
    # nothing known either way: the decoding that gives Chinese characters
    assert decode("元".encode("gb18030"), "x") == "元"
    assert decode("Ԫ".encode() + b" abc", "x") == "元 abc"
    assert decode("工业".encode(), "x") == "工业"
    assert decode("元,亩".encode("gb18030"), "x", frozenset({"元", "亩"})) == "元,亩"


def test_a_utf8_file_with_one_gbk_line_names_the_line(tmp_path):
    folder = nantong_copy(tmp_path)
    path = folder / "2021.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[7] = lines[7].split(",")[0] + ",1,吨,来自另一文件的备注"
    data = b"\n".join(line.encode("gb18030" if n == 7 else "utf-8") for n, line in enumerate(lines))
    path.write_bytes(data + b"\n")
    [p] = _problems(path)
    assert p.line == 8 and "mixes encodings" in p.message and "not UTF-8" in p.message


def test_a_gb18030_file_with_one_utf8_line_names_the_line(tmp_path):
    rows = ["item,value,unit,note"] + [f"cod,{n},吨,第{n}行" for n in range(1)]
    rows += ["energy,5,吨标煤,统计公报", "co2,7,吨,备注", "so2,1,吨,二氧化硫"]
    data = b"\n".join(r.encode("utf-8" if "备注" in r else "gb18030") for r in rows) + b"\n"
    path = tmp_path / "2021.csv"
    path.write_bytes(data)
    [p] = _problems(path)
    assert p.line == 4 and "mixes encodings" in p.message and "GB18030" in p.message


# --- values that cannot be --------------------------------------------------------------------


@pytest.mark.parametrize(
    "item",
    [
        "env_management",  # 20
        "cleaner_production_audit",  # 21
        "risk_prevention",  # 23
        "solid_waste_disposal",  # 24
        "green_coverage",  # 29
        "disclosure_rate",  # 30
        "info_platform",  # 31
    ],
)
def test_a_rate_above_100_is_bad_input(tmp_path, capsys, item):
    folder = nantong_copy(tmp_path, change={2021: {item: ("100.5", "%")}})
    with pytest.raises(InputError) as exc:
        ecopark.assess(ecopark.load_park(folder), 2021)
    [p] = exc.value.problems
    assert p.item == item and p.file.endswith("2021.csv")
    assert "'100.5' % is above 100 %" in p.message and "from 0 to 100" in p.message
    assert main(["table", str(folder), "2021"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and "above 100 %" in out.err
    ok = nantong_copy(tmp_path / "ok", change={2021: {item: ("100", "%")}})
    assert ecopark.assess(ecopark.load_park(ok), 2021).result(1) is not None


def test_every_percent_item_of_the_catalogue_is_bounded_by_100():
    std = ecopark.load_standard()
    rates = [i for i in std.items.values() if i.dimension == "percent"]
    assert len(rates) == 7
    assert all((i.minimum, i.maximum) == (0, 100) for i in rates)
    numbers = [i for i in std.items.values() if i.kind != "status"]
    assert all(i.minimum == 0 and i.maximum is not None for i in numbers)


@pytest.mark.parametrize(
    ("item", "text", "unit", "words"),
    [
        ("value_added", "1e308", "万元", "too large to be a real figure"),
        ("value_added", "1e999999", "亿元", "too large to be a real figure"),
        ("value_added", "9" * 5000, "", "too large to be a real figure"),
        ("energy", "2e15", "吨标煤", "between 0 and 1e15 吨标煤"),
        ("energy", "1e12", "万吨标煤", "here written in 万吨标煤"),
        ("eco_chain_projects", "1e7", "个", "between 0 and 1000000 个"),
        ("green_coverage", "1e999999", "%", "above 100 %"),
    ],
)
def test_magnitudes_are_bounded_and_never_overflow(item, text, unit, words):
    std = ecopark.load_standard()
    with pytest.raises(ValueError) as exc:
        check_value(std.items[item], text, unit)
    assert words in str(exc.value)


def test_tiny_exponents_read_as_numbers():
    std = ecopark.load_standard()
    assert check_value(std.items["energy"], "1e-999999", "万吨标煤").value == 0.0


# --- bounded work: many problems --------------------------------------------------------------


def test_more_than_50_problems_stop_with_the_count(tmp_path):
    path = tmp_path / "2021.csv"
    path.write_text(
        "item,value,unit\n" + "".join(f"nonsense{n},1,吨\n" for n in range(600)), encoding="utf-8"
    )
    problems = _problems(path)
    assert len(problems) == 51
    assert [p.line for p in problems[:50]] == list(range(2, 52))
    assert problems[-1].line == 52
    assert problems[-1].message.startswith("stopped after 50 problems; the rest of the file")


# --- park.yaml, params and sector files strict ----------------------------------------------

YAML = "id: toy-park\nname: 测试园区\nbase_year: 2015\nwater_region: other\n"


@pytest.mark.parametrize(
    ("text", "line", "item", "words"),
    [
        (YAML + "base_year: 2016\n", 5, "base_year", ["given twice (lines 3 and 5)", "keep one"]),
        (YAML + 'synthetic: "false"\n', 5, "synthetic", ["true or false", 'the text "false"']),
        (YAML + "synthetic: 0\n", 5, "synthetic", ["true or false"]),
        (YAML.replace("测试园区", "[南通, 开发区]"), 2, "name", ["must be text", "a list"]),
        (YAML + "name_en: 12\n", 5, "name_en", ["must be text"]),
        (YAML.replace("2015", "2015.0"), 3, "base_year", ["such as 2015"]),
        (YAML.replace("2015", "true"), 3, "base_year", ["such as 2015"]),
        (YAML.replace("2015", "15"), 3, "base_year", ["such as 2015"]),
        (YAML + "dominant_sector_share: .nan\n", 5, "dominant_sector_share", ["0.72 for 72%"]),
        (YAML + "sector_benchmarks: {7: 90}\n", 5, "sector_benchmarks", ["footnote a", "6"]),
        (YAML + "sector_benchmarks: {6: .inf}\n", 5, "sector_benchmarks", ["{6: 90}"]),
        (YAML + "selected_optional: [[2], 2]\n", 5, "selected_optional", ["not an optional"]),
        (YAML + "standard: [[HJ]]\n", 5, "standard", ["must be text"]),
        (YAML + "standard: [HJ]\n", 5, "standard", ["unknown standard 'HJ'"]),
        ("base: &b 2015\nbase_year: *b\n", 1, None, ["anchor &b", "not accepted"]),
        (YAML + "other: *b\n", 5, None, ["alias *b", "not accepted"]),
        ((YAML + "colour: x\n").replace("\n", "\r\n"), 5, "colour", ["unknown key"]),
        ((YAML + "colour: x\n").replace("\n", "\r"), 5, "colour", ["unknown key"]),
        (YAML.replace("测试园区", "园区 & *公司 &") + "colour: x\n", 5, "colour", ["unknown key"]),
        (
            YAML + "sector_benchmarks:\n  6: 90\n  6: 80\n",
            7,
            "6",
            ["'6' is given twice (lines 6 and 7)"],
        ),
    ],
)
def test_park_yaml_is_strict(tmp_path, text, line, item, words):
    folder = write_park(tmp_path, {2021: {"value_added": 1}})
    (folder / "park.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        ecopark.load_park(folder)
    p = exc.value.problems[0]
    assert (p.line, p.item) == (line, item), str(p)
    for word in words:
        assert word in p.message, str(p)


def test_synthetic_true_and_false_are_read(tmp_path):
    folder = write_park(tmp_path, {2021: {"value_added": 1}}, {"synthetic": False})
    assert ecopark.load_park(folder).config.synthetic is False
    (folder / "park.yaml").write_text(YAML + "synthetic: true\n", encoding="utf-8")
    assert ecopark.load_park(folder).config.synthetic is True


def test_exponential_aliases_are_refused_at_once(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [*a{n - 1}, *a{n - 1}, *a{n - 1}, *a{n - 1}]" for n in range(1, 30)]
    folder = write_park(tmp_path, {})
    (folder / "park.yaml").write_text(YAML + "\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        ecopark.load_park(folder)
    assert "anchor &a0" in exc.value.problems[0].message


def test_params_files_are_strict(tmp_path):
    write_park(tmp_path, {2021: {"value_added": 1}})
    path = tmp_path / "p.yaml"
    for text, words in [
        (f"park_id: toy-park\nyear: 2021\nyear: 2020\ndata_dir: {tmp_path}\n", "given twice"),
        (f"park_id: &p toy-park\nyear: 2021\ndata_dir: {tmp_path}\n", "anchor &p"),
        (f"park_id: toy-park\nyear: '2021'\ndata_dir: {tmp_path}\n", "must be an integer"),
        (f"park_id: toy-park\nyear: 2022\ndata_dir: {tmp_path}\n", "years there: 2021"),
    ]:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ParamsError, match=words):
            load_params(path)


def test_params_see_an_xls_year_file(tmp_path):
    folder = write_park(tmp_path, {2021: {"value_added": 1}})
    (folder / "2021.csv").rename(folder / "2021.xls")
    path = tmp_path / "p.yaml"
    path.write_text(f"park_id: toy-park\nyear: 2021\ndata_dir: {tmp_path}\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="save it as 2021.xlsx"):
        load_params(path)


def test_sector_files_get_the_row_rules(tmp_path):
    from ecopark.io.sectors import read_sector_file

    path = tmp_path / "2021.csv"
    path.write_text(
        "sector\titem\tvalue\tunit\n化工\tvalue_added\t1e308\t万元\n化工\tenergy\t5\t吨标煤\u200b\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        read_sector_file(path, ecopark.load_standard(), 2021)
    a, b = exc.value.problems
    assert (a.line, "too large") == (2, "too large") and "too large" in a.message
    assert b.line == 3 and "吨标煤\\u200b" in b.message


# --- check reports everything at once; the commands stop the same way ------------------------


def test_check_lists_every_class_of_problem_at_once(tmp_path, capsys):
    folder = nantong_copy(tmp_path)
    (folder / "park.yaml").write_text(
        (folder / "park.yaml").read_text(encoding="utf-8") + 'synthetic: "false"\n',
        encoding="utf-8",
    )
    (folder / "2018.csv").write_text(
        year_csv({"green_coverage": ("120", "%"), "value_\u200badded": "1"}), encoding="utf-8"
    )
    (folder / "2021.csv").write_text('item,value,unit\nenergy,"5,吨标煤\n', encoding="utf-8")
    (folder / "sectors").mkdir()
    (folder / "sectors" / "2021.csv").write_text(
        "sector,item,value,unit\n化工,value_added,1e308,万元\n", encoding="utf-8"
    )
    assert main(["check", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "park.yaml, line 14, item 'synthetic': synthetic must be true or false" in err
    assert "2018.csv, line 2, item 'green_coverage': '120' % is above 100 %" in err
    assert "2018.csv, line 3, item 'value_\\u200badded'" in err
    assert "2021.csv, line 2, item 'energy': a quote" in err
    assert "sectors/2021.csv, line 2, item 'value_added': '1e308' is too large" in err
    assert "5 problem(s) found" in err and "Traceback" not in err
    for command in (
        ["table", str(folder), "2021"],
        ["gaps", str(folder), "2021"],
        ["attribute", str(folder), "--from", "2015", "--to", "2021"],
    ):
        assert main(command) == 2
        out = capsys.readouterr()
        assert out.out == "" and "synthetic must be true or false" in out.err


def test_run_stops_on_bad_input_before_any_notebook(tmp_path, capsys):
    folder = nantong_copy(tmp_path, change={2021: {"green_coverage": ("120", "%")}})
    params = tmp_path / "p.yaml"
    params.write_text(f"park_id: {folder.name}\nyear: 2021\ndata_dir: {tmp_path}\n")
    with pytest.raises(ParamsError, match="'120' % is above 100 %"):
        load_params(params)
    out = tmp_path / "reports"
    argv = ["run", "--park", folder.name, "--years", "2021", "--data-dir", str(tmp_path)]
    # the batch lists the park-year as failed, with the message, and runs no notebook
    assert main([*argv, "--out", str(out)]) == 2  # bad input: exit 2, as every command
    err = capsys.readouterr().err
    assert "'120' % is above 100 %" in err and "Traceback" not in err
    assert not (out / folder.name).exists()


def test_a_long_value_is_cut_in_the_message(tmp_path):
    path = tmp_path / "2021.csv"
    path.write_text("item,value,unit\nvalue_added," + "9" * 100_000 + ",万元\n", encoding="utf-8")
    [p] = _problems(path)
    assert "… (100,000 characters)" in p.message and len(p.message) < 300
