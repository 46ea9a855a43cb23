"""Result tables show themselves coloured by status in JupyterLab, and stay DataFrames."""

from __future__ import annotations

import pandas as pd

import ecopark
from ecopark.display import status_css
from ecopark.frames import STYLED_ROWS, StatusFrame
from parkfiles import NANTONG


def test_gap_and_what_if_tables_are_coloured_in_lab():
    a = ecopark.assess(ecopark.load_park(NANTONG), 2021)
    for table in (ecopark.gap_table(a), ecopark.what_it_would_take(a)):
        assert isinstance(table, StatusFrame) and isinstance(table, pd.DataFrame)
        html = table._repr_html_()
        fail_tint = status_css("fail").split(";")[0]  # background-color: <fail colour>33
        assert fail_tint in html and "未达标" in html  # Nantong 2021 fails 3, 4, 9, 12, 28
        assert '<th class="blank' not in html  # no index column
    gaps = ecopark.gap_table(a)
    failing = gaps[gaps["status"] == "fail"]  # a slice stays one, and shows only its rows
    assert isinstance(failing, StatusFrame) and list(failing["number"]) == [
        "3",
        "4",
        "9",
        "12",
        "28",
    ]
    shown = failing._repr_html_()
    assert shown.count("<tr>") == 1 + 5 and status_css("pass").split(";")[0] not in shown


def test_a_table_without_status_or_a_long_one_shows_as_pandas_does():
    plain = StatusFrame({"x": [1, 2]})
    assert plain._repr_html_() == pd.DataFrame({"x": [1, 2]})._repr_html_()
    long = StatusFrame({"status": ["fail"] * (STYLED_ROWS + 1)})
    assert long._repr_html_() == pd.DataFrame(long)._repr_html_()
