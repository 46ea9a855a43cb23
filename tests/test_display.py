"""Results show themselves in JupyterLab: short reprs, HTML with the status colours, escaped."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import ecopark
from ecopark.display import status_css, styled
from ecopark.status import STATUS_COLOURS
from parkfiles import ROOT, nantong_copy

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def park(nantong_dir):
    return ecopark.load_park(nantong_dir)


@pytest.fixture(scope="module")
def a(park):
    return ecopark.assess(park, 2021)


def test_park_repr_and_card(park):
    assert repr(park) == "<Park nantong-etdz 南通经济技术开发区: 2015, 2018, 2021; HJ 274-2015>"
    card = park._repr_html_()
    for text in (
        "南通经济技术开发区",
        "HJ 274-2015",
        "2015、2018、2021",
        "2021: 2021.csv",
        "2、6、8、11、14、27",
        "其他地区 (other)",
        '规划基准年</th><td style="text-align: left">2015',
    ):
        assert text in card, text


def test_park_card_escapes_the_data(tmp_path):
    folder = nantong_copy(tmp_path, config={"name": SCRIPT, "source": "<img src=x>"})
    card = ecopark.load_park(folder)._repr_html_()
    assert "<script>" not in card and "&lt;script&gt;alert(1)&lt;/script&gt;" in card
    assert "<img" not in card


def test_assessment_repr_is_one_short_line(a):
    text = repr(a)
    assert "\n" not in text and len(text) < 200
    assert text == (
        "<Assessment nantong-etdz 2021 HJ 274-2015: 符合 (compliant); "
        "pass 21, at risk 2, fail 0, not computable 0 of 23 counted indicators>"
    )


def test_assessment_html_verdict_counts_and_coloured_rows(a):
    page = a._repr_html_()
    assert "南通经济技术开发区（2021 年）· HJ 274-2015" in page and "符合要求" in page
    # Nantong 2021: of the 23 indicators that count, 14 and 5 are at risk (7 is not selected);
    # of all 32, 3, 4, 9, 12 and 28 fail and 5, 7, 14 are at risk
    assert "计入考核的 23 项指标：达标 21，临界 2，未达标 0，无法计算 0" in page
    assert "全部 32 项：达标 24，临界 3，未达标 5，无法计算 0" in page
    # the status column (the 8th) holds the Chinese labels, each cell on its status colour
    status_cells = re.findall(r'class="data row\d+ col7" >([^<]*)</td>', page)
    assert status_cells.count("未达标") == 5 and status_cells.count("临界") == 3
    assert status_cells.count("达标") == 24
    fail_css = re.search(r"([^{}]*)\{\s*background-color: #D55E0033", page)
    assert fail_css and len(re.findall(r"_row\d+_col7", fail_css.group(1))) == 5
    assert ">+4.6</td>" in page  # indicator 14's margin, one decimal with its sign


def test_an_assessment_that_fails_lists_its_reasons(tmp_path):
    folder = nantong_copy(tmp_path, config={"name": SCRIPT, "selected_optional": [2, 6, 8]})
    a = ecopark.assess(ecopark.load_park(folder), 2021)
    assert not a.compliant
    page = a._repr_html_()
    assert "不符合要求" in page and "<ol><li>" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "not compliant" in repr(a)


def test_styled_escapes_text_and_colours_statuses():
    frame = pd.DataFrame(
        {
            "number": [1, 2],
            "indicator": ["<b>bold</b>", "普通"],
            "margin_pct": [-12.345, float("nan")],
            "status": ["fail", "not_computable"],
            "from_status": ["pass", "not_computable"],
        }
    )
    page = styled(frame).to_html()
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert ">-12.3</td>" in page and ">—</td>" in page
    assert ">未达标</td>" in page and ">无法计算</td>" in page and ">达标</td>" in page
    assert "序号" in page and "状态" in page  # Chinese headers
    assert f"border-left: 4px solid {STATUS_COLOURS['fail']}" in page
    assert page.count("background-color: #999999") == 1  # one css rule, two cells


def test_status_css_knows_codes_and_chinese_labels():
    assert status_css("at_risk") == status_css("临界") != ""
    assert status_css("whatever") == ""


def test_the_reports_table_is_the_same_styler(nantong_dir):
    from ecopark.reports.session import open_report

    report = open_report("nantong-etdz", 2021, nantong_dir.parent)
    page = report.assessment_table().to_html()
    assert page.count(">未达标</td>") == 5 and "#D55E0033" in page
    assert ">序号</th>" in page  # the index is shown as a column


def test_trends_unpack_and_display(park):
    trends = ecopark.park_trends(park)
    series, fits = trends
    assert series is trends.series and fits is trends.fits
    assert repr(trends) == f"<Trends {len(fits)} indicators fitted over 2015–2021 (3 years)>"
    page = trends._repr_html_()
    assert "年均变化" in page and "展望" in page and "单位工业增加值综合能耗" in page


def test_advice_displays(a, park):
    advice = ecopark.advise(a, park)
    text = repr(advice)
    assert text.startswith("<SelectionAdvice 2021: recommended [") and "\n" not in text
    page = advice._repr_html_()
    assert advice.text_zh[:10] in page and "建议选择" in page


def test_a_year_that_is_not_judged_displays_as_such():
    park = ecopark.load_park(ROOT / "data" / "nantong-etdz")
    a = ecopark.assess(park, 2015)  # the base year
    assert "不作评价" in a._repr_html_() and "不符合" not in a._repr_html_()
    assert "not judged" in repr(a)
