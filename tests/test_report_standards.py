"""The reports under a chosen standard, and the side-by-side comparison when a park names two
(issue 12, items 3 and 4).

The park ``tests/data/two-standards`` (Nantong ETDZ's raw items plus ``incidents_3y``) is
assessed against HJ 274-2015 and the synthetic SYNTH-DEMO 0.1 (tests/standards). In 2021:
HJ 274-2015 符合; SYNTH-DEMO 0.1 不符合 (必选 A3 0.0026 % < 5 %; C-1 may not be selected while
B2 4.29 % fails ≥20 %). The two share five indicators by ``same_as`` (HJ 4/B2, 11/A1, 12/A3,
14/C-1, 17/G2); HJ 14 is 临界 (7.63 ≤8, less than 10 % margin), SYNTH C-1 达标 (≤10).
"""

from __future__ import annotations

import argparse
import json
from html import unescape
from pathlib import Path

import pytest

from ecopark.reports import narrative
from ecopark.reports.display import Table
from ecopark.reports.params import ParamsError, ParkYear, check_standard, load_params
from ecopark.reports.session import open_report
from ecopark.standard import model, registry

ROOT = Path(__file__).resolve().parent.parent
TESTS_DATA = ROOT / "tests" / "data"
STANDARDS = ROOT / "tests" / "standards"
HJ, SYNTH = "HJ 274-2015", "SYNTH-DEMO 0.1"


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    """The synthetic definition found by its code, as a user's folder (then forgotten)."""
    monkeypatch.setenv(registry.ENV_VAR, str(STANDARDS))
    model.load_standard.cache_clear()
    yield
    model.load_standard.cache_clear()


def _params(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "two-standards-2021.yaml"
    path.write_text(f"park_id: two-standards\nyear: 2021\ndata_dir: {TESTS_DATA}\n{text}", "utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# Params: standard (optional, a code or id, one of the park's)


def test_params_standard_by_code_or_id_becomes_the_code_and_a_parameter(tmp_path):
    for given in (SYNTH, "synth-demo-0.1", "synth-demo 0.1"):
        py = load_params(_params(tmp_path, f"standard: {given}\n"))
        assert py.standard == SYNTH
        assert py.parameters() == {
            "park_id": "two-standards",
            "year": 2021,
            "data_dir": str(TESTS_DATA),
            "standard": SYNTH,
        }


def test_params_without_standard_pass_none_to_the_notebooks(tmp_path):
    for text in ("", "standard:\n"):
        py = load_params(_params(tmp_path, text))
        assert py.standard is None
        assert "standard" not in py.parameters()  # the notebooks' default: the first listed


def test_params_unknown_standard_lists_the_known_codes(tmp_path):
    with pytest.raises(ParamsError) as exc:
        load_params(_params(tmp_path, "standard: HJ 999-2030\n"))
    message = str(exc.value)
    assert "two-standards-2021.yaml" in message
    assert "unknown standard 'HJ 999-2030'" in message
    assert f"known: {HJ}, {SYNTH}" in message
    assert f"this park is assessed against {HJ}, {SYNTH}" in message


def test_params_standard_the_park_does_not_list(tmp_path):
    path = tmp_path / "nantong.yaml"
    path.write_text(
        f"park_id: nantong-etdz\nyear: 2021\ndata_dir: {ROOT / 'data'}\nstandard: {SYNTH}\n",
        "utf-8",
    )
    with pytest.raises(ParamsError) as exc:
        load_params(path)
    assert f"the park is not assessed against {SYNTH}: its standard: names {HJ} only" in str(
        exc.value
    )


@pytest.mark.parametrize("bad", ["5", "[HJ 274-2015]", "''", "{a: 1}"])
def test_params_standard_must_be_text(tmp_path, bad):
    with pytest.raises(ParamsError) as exc:
        load_params(_params(tmp_path, f"standard: {bad}\n"))
    assert "standard must be a standard's code such as 'HJ 274-2015'" in str(exc.value)


def test_a_typo_in_the_key_is_named(tmp_path):
    with pytest.raises(ParamsError) as exc:
        load_params(_params(tmp_path, f"standrd: {SYNTH}\n"))
    assert "unknown key 'standrd'" in str(exc.value) and "did you mean 'standard'?" in str(
        exc.value
    )


def test_open_report_checks_the_standard():
    with pytest.raises(ParamsError, match="parameters: .*unknown standard 'nope'"):
        open_report("two-standards", 2021, TESTS_DATA, "nope")
    with pytest.raises(ParamsError, match="standard must be a standard's code"):
        open_report("two-standards", 2021, TESTS_DATA, 2021)  # type: ignore[arg-type]
    assert open_report("two-standards", 2021, TESTS_DATA, "synth-demo-0.1").park.standard.code == (
        SYNTH
    )
    assert check_standard(TESTS_DATA / "two-standards", "hj274-2015", "x") == HJ


def test_report_command_passes_the_standard_to_the_notebooks(monkeypatch, tmp_path):
    """``ecopark report --standard`` for html: every target's notebooks get it (no kernel)."""
    import ecopark.reports.batch as batch
    from ecopark.commands.report import run_report

    seen: list[ParkYear] = []

    def fake_run_batch(targets, notebooks, **kw):
        seen.extend(t.park_year for t in targets)
        return []

    monkeypatch.setattr(batch, "run_batch", fake_run_batch)
    args = argparse.Namespace(
        park=str(TESTS_DATA / "two-standards"),
        year=2021,
        format=["html"],
        out=str(tmp_path / "out"),
        data_dir="data",
        template=None,
        filled_on=None,
        standard="synth-demo-0.1",
    )
    assert run_report(args) == 0
    assert [py.parameters()["standard"] for py in seen] == [SYNTH]
    args.standard = "nope"
    assert run_report(args) == 2


# ---------------------------------------------------------------------------------------------
# The session's comparison (no kernel)


@pytest.fixture(scope="module")
def comparison_parts():
    import os

    os.environ[registry.ENV_VAR] = str(STANDARDS)  # the module fixture runs before autouse's
    model.load_standard.cache_clear()
    try:
        hj = open_report("two-standards", 2021, TESTS_DATA).standards_comparison().parts
        synth = open_report("two-standards", 2021, TESTS_DATA, SYNTH).standards_comparison().parts
    finally:
        del os.environ[registry.ENV_VAR]
        model.load_standard.cache_clear()
    return hj, synth


def _rows(table: Table) -> dict[tuple[str, str], dict]:
    frame = table.frame.astype(object).where(table.frame.notna(), None)
    a, b = "序号\n（甲）", "序号\n（乙）"
    return {(r[a] or "", r[b] or ""): r for r in frame.to_dict("records")}


def test_session_comparison_heading_sentence_and_verdicts(comparison_parts):
    heading, sentence, verdicts, indicators = comparison_parts[0]
    assert heading.text == r"### 标准对照：HJ 274\-2015 与 SYNTH\-DEMO 0\.1"
    assert sentence.text.startswith(r"按 HJ 274\-2015：**符合**；按 SYNTH\-DEMO 0\.1：**不符合**。")
    assert (
        "两项标准均有的指标 5 项，其中状态不同的 1 项：14 / C\\-1 单位工业增加值新鲜水耗（临界 → 达标）"
        in (sentence.text)
    )
    assert r"仅 HJ 274\-2015 有的 27 项，仅 SYNTH\-DEMO 0\.1 有的 1 项" in sentence.text
    v = verdicts.frame.set_index("标准")
    assert v.loc[HJ, "结论"] == "符合" and v.loc[SYNTH, "结论"] == "不符合"
    assert v.loc[HJ, "评价结论"] == "双标准测试园区（2021 年）：符合 HJ 274-2015 的要求。"
    assert "必选指标 A3「可再生能源使用比例」未达标：0.0026%，要求 ≥5%" in v.loc[SYNTH, "评价结论"]
    assert "指标 C-1「单位工业增加值新鲜水耗」不能选为考核指标" in v.loc[SYNTH, "评价结论"]


def test_session_comparison_indicator_rows(comparison_parts):
    table = comparison_parts[0][3]
    assert table.status == ["状态\n（甲）", "状态\n（乙）"]
    rows = _rows(table)
    assert len(rows) == 33  # HJ's 32, SYNTH's G1 alone
    c1 = rows[("14", "C-1")]
    assert (c1["要求\n（甲）"], c1["数值\n（甲）"], c1["状态\n（甲）"]) == ("≤8", "7.63", "临界")
    assert (c1["要求\n（乙）"], c1["数值\n（乙）"], c1["状态\n（乙）"]) == (
        "≤10",
        "7.63",
        "达标",
    )
    assert c1["单位"] == "立方米/万元" and c1["说明"] == "状态不同"
    a3 = rows[("12", "A3")]
    assert (a3["要求\n（甲）"], a3["要求\n（乙）"], a3["状态\n（乙）"]) == ("≥9", "≥5", "未达标")
    assert a3["说明"] == "不计入甲的考核"  # 12 is not one HJ's selected optional ones
    b2 = rows[("4", "B2")]
    assert (
        b2["指标"]
        == "资源再生利用产业增加值占园区工业增加值比例\n（乙：资源再生利用产业增加值占比）"
    )
    assert b2["数值\n（甲）"] == b2["数值\n（乙）"] == "4.29" and b2["说明"] == "均不计入考核"
    g1 = rows[("", "G1")]
    assert g1["数值\n（甲）"] is None and g1["状态\n（甲）"] is None
    assert (g1["要求\n（乙）"], g1["数值\n（乙）"], g1["单位"]) == ("0", "0", "起")
    assert g1["说明"] == "仅乙有"
    assert rows[("3", "")]["说明"] == "仅甲有，不计入考核"  # 3 fails, not selected
    html = table.to_html()
    assert html.count('class="st fail"') == 7  # HJ 3, 4, 9, 12, 28; SYNTH B2, A3
    assert html.count('<tr class="fail">') == 5  # rows 3, 4, 9, 12, 28 (4/B2 and 12/A3 once)
    assert "<th>状态<br>（甲）</th>" in html and '<td class="num">—</td>' in html


def test_session_comparison_under_the_other_standard_puts_it_first(comparison_parts):
    heading, sentence, verdicts, indicators = comparison_parts[1]
    assert heading.text == r"### 标准对照：SYNTH\-DEMO 0\.1 与 HJ 274\-2015"
    assert sentence.text.startswith(r"按 SYNTH\-DEMO 0\.1：**不符合**；按 HJ 274\-2015：**符合**。")
    rows = _rows(indicators)
    assert list(rows)[:6] == [
        ("G1", ""),
        ("G2", "17"),
        ("A1", "11"),
        ("A3", "12"),
        ("B2", "4"),
        ("C-1", "14"),
    ]
    assert rows[("G1", "")]["说明"] == "仅甲有"


def test_one_standard_park_has_no_comparison(nantong_dir):
    report = open_report("nantong-etdz", 2021, nantong_dir.parent)
    assert report.other_standards == []
    assert report.standards_comparison().parts == []
    assert report.meta().fields["standard_name"] == "国家生态工业示范园区标准"


def test_comparison_text_from_a_definition_is_escaped(comparison_parts):
    """Codes and names come from users' definition files: never markup in the report."""
    from ecopark.comparison import compare_standards
    from ecopark.io.park import load_park

    table = compare_standards(load_park(TESTS_DATA / "two-standards"), 2021)
    table.attrs["a"] = "<script>alert(1)</script>**A**"
    table["indicator_a"] = table["indicator_a"].replace("人均工业增加值", "<img src=x onerror=1>")
    sentence, verdicts, indicators = narrative.standards_comparison(table)
    from ecopark.reports.display import Text

    md = Text(sentence)._repr_markdown_()
    assert "<script>" not in md and "&lt;script&gt;" in md and r"\*\*A\*\*" in md
    html = Table(indicators).to_html() + Table(verdicts).to_html()
    assert "<img" not in html and "<script>" not in html
    assert "&lt;img src=x onerror=1&gt;" in html


# ---------------------------------------------------------------------------------------------
# Notebook 01 on the two-standards park under the synthetic standard (one papermill run)
#
# The run is made by tests/test_start_here.py, in the kernel kept from its runs of notebook 00
# (one kernel start for the three): the kernel starts with the synthetic definition registered.


def notebook_01_under_the_synthetic_standard(tmp_path: Path) -> None:
    """``ecopark run``'s machinery: the params' standard reaches the notebook; its indicators'
    values and verdict, then the comparison with HJ 274-2015 and both verdicts, in the HTML.

    Run with :data:`registry.ENV_VAR` naming tests/standards, as :func:`registered` does, in
    this process and in the kernel (set before it starts).
    """
    from ecopark.reports import batch
    from ecopark.reports.batch import InProcess

    py = load_params(_params(tmp_path, "standard: synth-demo-0.1\n"))
    targets = [batch.Target(py.park_id, py.year, py.source, park_year=py)]
    out = tmp_path / "out"
    outcomes = batch.run_batch(
        targets,
        batch.resolve_notebooks(["01_assessment"]),
        out_dir=out,
        executor=InProcess(),
        progress=False,
        keep_ipynb=True,
        index=False,
    )
    assert [o.ok for o in outcomes] == [True], [o.error for o in outcomes]
    folder = out / "two-standards" / "2021"
    nb = json.loads((folder / "01_assessment.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["papermill"]["parameters"]["standard"] == SYNTH
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors
    # Markdown headings come with their Chinese as character references: read them as text
    html = unescape((folder / "01_assessment.html").read_text(encoding="utf-8"))
    assert "依据 SYNTH-DEMO 0.1" in html and "《合成示例标准（测试用，非真实标准）》" in html
    verdict, comparison = html.split("标准对照：SYNTH-DEMO 0.1 与 HJ 274-2015")  # once
    assert "不符合 SYNTH-DEMO 0.1 的要求" in verdict
    assert "必选指标 A3「可再生能源使用比例」未达标：0.0026%，要求 ≥5%" in verdict
    for cells in (  # the assessment table: id, value, status
        ("G1", "近三年重大环境事件数量", "0", "达标"),
        ("A1", "单位工业增加值综合能耗", "0.40", "达标"),
        ("A3", "可再生能源使用比例", "0.0026", "未达标"),
        ("B2", "资源再生利用产业增加值占比", "4.29", "未达标"),
        ("C-1", "单位工业增加值新鲜水耗", "7.63", "达标"),
    ):
        number, name, value, status = cells
        row = next(r for r in verdict.split("<tr") if f">{number}</td>" in r and name in r)
        assert f">{value}</td>" in row and f">{status}</td>" in row, row
    assert "按 SYNTH-DEMO 0.1：<strong>不符合</strong>；按 HJ 274-2015：<strong>符合</strong>" in (
        comparison
    )
    assert "双标准测试园区（2021 年）：符合 HJ 274-2015 的要求。" in comparison
    assert "下表中甲为 SYNTH-DEMO 0.1，乙为 HJ 274-2015" in comparison
    assert "<th>状态<br>（乙）</th>" in comparison and "仅乙有" in comparison


def test_the_batch_index_judges_under_the_params_standard(tmp_path):
    """summary.csv and index.html give the verdict of the standard the reports use."""
    from ecopark.io.park import load_park
    from ecopark.reports.batch.targets import Target, judge

    park = load_park(TESTS_DATA / "two-standards")
    verdicts, targets = {}, []
    for text in ("", "standard: synth-demo-0.1\n"):
        py = load_params(_params(tmp_path, text))
        t = Target(py.park_id, py.year, py.source, park_year=py)
        judge(t, park)
        targets.append(t)
        verdicts[py.standard] = (t.compliant, t.verdict, set(t.results["standard"]))
    # one index over both: each row's verdict in its standard's words, the matrix's columns
    # keyed by standard and id (two standards may both have an indicator "1")
    from ecopark.reports.batch.index import render_index

    html = render_index(targets, tmp_path, generated="2026-01-02 03:04")
    assert "生成日期：2026-01-02 03:04；依据 HJ 274-2015、SYNTH-DEMO 0.1；" in html
    assert '<span class="ok">符合</span>' in html and '<span class="fail">不符合</span>' in html
    heads = html.count('<th class="ind" title=')
    assert heads == len(model.load_standard().indicators) + len(
        model.load_standard(SYNTH).indicators
    )
    assert 'title="SYNTH-DEMO 0.1 C1 ' in html and 'title="HJ 274-2015 1 ' in html
    assert verdicts[None] == (True, "双标准测试园区（2021 年）：符合 HJ 274-2015 的要求。", {HJ})
    compliant, verdict, standards = verdicts[SYNTH]
    assert compliant is False and standards == {SYNTH}
    assert verdict.startswith("双标准测试园区（2021 年）：不符合 SYNTH-DEMO 0.1 的要求，原因：")


def test_charts_and_sentences_name_indicators_by_their_labels():
    """SYNTH-DEMO 0.1 prints its indicator C1 as C-1: the gap table carries the label, and the
    overview chart and the sentences use it (the what-it-would-take chart reads the same column)."""
    report = open_report("two-standards", 2021, TESTS_DATA, standard=SYNTH)
    gaps = report.gaps.set_index("number")
    assert gaps.at["C1", "label"] == "C-1" and gaps.at["A1", "label"] == "A1"
    import matplotlib.pyplot as plt

    from ecopark.plotting import assessment_overview

    fig = assessment_overview(report.gaps, report.assessment)
    ticks = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    plt.close(fig)
    assert any(t.startswith("C-1 ") for t in ticks) and not any(t.startswith("C1 ") for t in ticks)
    failing = report.problems[report.problems["status"] == "fail"]
    assert set(failing["number"]) == {"A3", "B2"}  # labels equal to the ids here
    assert "未达标 2 项：A3 " in narrative.problems_summary(report.problems, "园区", 2021)
    from ecopark.plotting import trend_chart

    assert set(report.series.loc[report.series["number"] == "C1", "label"]) == {"C-1"}
    fig = trend_chart(report.series, report.fits, "C1")
    assert fig.axes[0].get_title() == "C-1 单位工业增加值新鲜水耗"
    plt.close(fig)
