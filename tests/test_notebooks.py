"""The report notebooks: committed clean and thin, and executing cleanly under papermill."""

from __future__ import annotations

import ast
import json
from typing import TYPE_CHECKING

import pytest

from ecopark.reports.display import Chart, Section, Text, esc
from ecopark.reports.params import ParamsError
from ecopark.reports.session import open_report
from reports_support import DATA, NOTEBOOKS, ROOT, batch_run, good_park_years

if TYPE_CHECKING:  # nbformat's import costs seconds (jsonschema); the fast tests do not need it
    import nbformat

NB_DIR = ROOT / "notebooks"


class _Node(dict):
    """A notebook's JSON object with attribute access (``cell.cell_type``), like nbformat's."""

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _node(d: dict) -> _Node:
    node = _Node(d)
    if isinstance(node.get("source"), list):  # the file format may split the source in lines
        node["source"] = "".join(node["source"])
    return node


def _load(name: str) -> _Node:
    """A committed notebook as plain JSON (nbformat's import costs seconds; not needed here)."""
    text = (NB_DIR / f"{name}.ipynb").read_text(encoding="utf-8")
    nb = json.loads(text, object_hook=_node)
    assert nb["nbformat"] == 4
    return nb


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_without_outputs_with_python3_kernel(name):
    nb = _load(name)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["kernelspec"]["language"] == "python"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name}: outputs committed"
            assert cell.execution_count is None, f"{name}: execution count committed"
    assert "papermill" not in nb.metadata


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_parameters_cell_then_font_setup(name):
    nb = _load(name)
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [i for i, c in enumerate(code) if "parameters" in c.metadata.get("tags", [])]
    assert tagged == [0], "exactly one parameters cell, the first code cell"
    values: dict = {}
    exec(code[0].source, {}, values)  # noqa: S102 - our own committed defaults
    assert values == {"park_id": "nantong-etdz", "year": 2021, "data_dir": "data", "standard": None}
    assert code[0].source.isascii()
    assert "ecopark.plotting.setup()" in code[1].source


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_formula_in_notebooks(name):
    """Code cells only call ecopark: no arithmetic except joining text, no numbers, no pandas work."""
    for cell in _load(name).cells:
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            if isinstance(node, ast.BinOp):
                sides = (node.left, node.right)
                assert any(
                    isinstance(s, ast.Constant) and isinstance(s.value, str) for s in sides
                ), f"{name}: arithmetic in a notebook: {ast.unparse(node)}"
            assert not isinstance(node, ast.AugAssign | ast.Compare | ast.Subscript | ast.Lambda), (
                f"{name}: {ast.unparse(node)}"
            )
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, int | float)
                and not isinstance(node.value, bool)
            ):
                pytest.fail(f"{name}: a number in a notebook: {node.value}")
        assert "import pandas" not in cell.source and "import numpy" not in cell.source


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_cells_call_report_sections(name):
    """Each cell after the setup is one call of a report section, which displays itself."""
    code = [c for c in _load(name).cells if c.cell_type == "code"]
    assert "report = open_report(park_id, year, data_dir, standard)" in code[1].source
    for cell in code[2:]:
        call = ast.parse(cell.source).body
        assert len(call) == 1 and isinstance(call[0], ast.Expr), cell.source
        func = call[0].value.func
        assert isinstance(func, ast.Attribute) and func.value.id == "report", cell.source


def _streams(nb: nbformat.NotebookNode) -> list[str]:
    return [
        o.get("text", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "stream"
    ]


def _text(nb: nbformat.NotebookNode) -> str:
    return json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)


@pytest.mark.slow
@pytest.mark.parametrize("park_year", good_park_years(), ids=lambda py: f"{py[0]}-{py[1]}")
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_notebook_executes_cleanly(name, park_year):
    import nbformat

    run = batch_run()
    park, year = park_year
    nb = nbformat.read(run.report(park, year, name, ".ipynb"), as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors[0].get("evalue")
    bad = [t for t in _streams(nb) if "missing from font" in t]
    assert not bad, bad[:3]
    stderr = [t for t in _streams(nb) if "Warning" in t or "Error" in t]
    assert not stderr, stderr[:3]
    assert nb.metadata["papermill"]["parameters"] == {
        "park_id": park,
        "year": year,
        "data_dir": str(run.data.resolve()),
    }
    assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code")


@pytest.mark.slow
def test_nantong_narrative_numbers():
    import nbformat

    run = batch_run()
    a = _text(
        nbformat.read(run.report("nantong-etdz", 2021, "01_assessment", ".ipynb"), as_version=4)
    )
    assert "符合" in a and "不符合" not in a.split("评价结论")[0]
    assert "12 可再生能源使用比例 0.0026%（要求 ≥9%" in a
    assert "新鲜水资源消耗量" in a  # the sources table
    assert "南通经济技术开发区国家生态工业示范园区建设2021年度评价报告" in a
    w = _text(
        nbformat.read(
            run.report("nantong-etdz", 2021, "02_why_indicators_fail", ".ipynb"), as_version=4
        )
    )
    assert (
        "可再生能源使用比例**为 0.0026%，低于 ≥9% 的要求；达标需可再生能源使用量 177,690 吨标煤（现为 51.8"
        in w
    )
    assert "工业固体废物总产生量 490,620 吨（现为 690,541，−28.95%）" in w
    assert "工业增加值 6,905,407 万元（现为 4,906,200，+40.75%）" in w
    assert "image/svg+xml" in w
    t = _text(nbformat.read(run.report("nantong-etdz", 2021, "03_trends", ".ipynb"), as_version=4))
    assert "2015、2018、2021" in t


@pytest.mark.slow
def test_example_park_sector_narrative():
    import nbformat

    run = batch_run()
    if ("example-park", 2023) not in good_park_years():
        pytest.skip("data/example-park is not there")
    w = _text(
        nbformat.read(
            run.report("example-park", 2023, "02_why_indicators_fail", ".ipynb"), as_version=4
        )
    )
    assert "结构效应" in w and "强度效应" in w
    assert w.count("image/svg+xml") == 3  # what it would take, attribution, sectors
    t = _text(nbformat.read(run.report("example-park", 2023, "03_trends", ".ipynb"), as_version=4))
    assert "按现有速度" in t and t.count("image/svg+xml") == 1  # one figure of the trends


def test_a_year_with_nothing_failing_says_so(nantong_dir):
    report = open_report("nantong-etdz", 2021, nantong_dir.parent)
    report.__dict__["problems"] = report.gaps.iloc[0:0]  # as if everything passed
    assert report.problem_numbers == []
    assert "没有未达标或临界" in str(report.problems_summary())
    assert report.whatif_sentences() == []
    assert report.whatif_chart() is None
    assert report.whatif_table() is None
    assert report.attribution_sentences() == [] and report.attribution_table() is None
    assert report.sector_table() is None and report.sector_chart() is None
    assert "没有" in report.sector_sentences()[0]
    assert report.attribution_chart() is None
    assert [str(p) for p in report.what_it_would_take().parts] == ["没有需要分析的指标。"]


def test_sentence_from_the_issue(nantong_dir):
    report = open_report("nantong-etdz", 2021, nantong_dir.parent)
    sentences = report.whatif_sentences()
    renewable = next(s for s in sentences if "可再生能源使用比例" in s)
    assert (
        "可再生能源使用比例**为 0.0026%，低于 ≥9% 的要求；达标需可再生能源使用量 177,690 吨标煤（现为 51.8，"
        in renewable
    )
    water = next(s for s in sentences if "新鲜水耗" in s)
    assert "满足 ≤8 立方米/万元 的要求，但余量仅 4.61%" in water
    assert "新鲜水资源消耗量 变为 3,924.96 万立方米（+4.83%）" in water


def test_open_report_messages(nantong_dir):
    with pytest.raises(ParamsError, match="year must be an integer"):
        open_report("nantong-etdz", "2021", nantong_dir.parent)
    with pytest.raises(ParamsError, match="did you mean 'nantong-etdz'"):
        open_report("nantong", 2021, nantong_dir.parent)
    with pytest.raises(ParamsError, match="years there: 2015, 2018, 2021"):
        open_report("nantong-etdz", 2020, nantong_dir.parent)


def test_markdown_is_escaped():
    text = Text("注 <script>alert(1)</script> & x")
    assert text._repr_markdown_() == "注 &lt;script&gt;alert(1)&lt;/script&gt; &amp; x"


def test_data_text_is_never_markdown():
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    data = "**粗** [链接](http://x) _斜_ # 1. a-b"
    rendered = markdown2html_mistune(Text("- **12 名称**：" + esc(data))._repr_markdown_())
    assert "<strong>12 名称</strong>" in rendered  # the sentence's own Markdown
    assert "**粗** [链接](http://x) _斜_ # 1. a-b" in rendered  # the data, as it is
    assert "<a " not in rendered and "<em>" not in rendered


@pytest.mark.slow  # runs every section of the three notebooks (charts included)
def test_each_analysis_is_computed_once(monkeypatch):
    """Every section of notebooks 01-03 together: each analysis runs once per report."""
    from ecopark.reports import session

    calls: dict[str, int] = {}

    def counted(name):
        real = getattr(session, name)

        def wrapper(*args, **kwargs):
            calls[name] = calls.get(name, 0) + 1
            return real(*args, **kwargs)

        monkeypatch.setattr(session, name, wrapper)

    # the charts are built from the session's tables but not drawn: drawing computes nothing
    # (test_plotting's test_charts_compute_nothing) and is the layout tests' subject
    def undrawn(chart, figure, alt=""):
        import matplotlib.pyplot as plt

        chart.figure, chart.alt, chart.svg = figure, alt, ""
        plt.close(figure)

    monkeypatch.setattr(Chart, "__init__", undrawn)
    for name in (
        "assess",
        "gap_table",
        "what_it_would_take",
        "attribute",
        "park_trends",
        "advise",
        "check_data",
        "sector_shares",
        "structure_intensity",
    ):
        counted(name)
    if not (DATA / "example-park").is_dir():
        pytest.skip("data/example-park is not there")
    report = open_report("example-park", 2023, DATA)
    sections = [
        report.title("x"),
        report.verdict(),
        report.assessment_table(),
        report.overview_chart(),
        report.data_checks(),
        report.sources_table(),
        report.problems_summary(),
        report.what_it_would_take(),
        report.why_it_changed(),
        report.by_sector(),
        report.selection_advice(),
        report.trend_summary(),
        report.trend_charts(),
        report.sources_summary(),
    ]
    assert isinstance(sections[3], Chart) and isinstance(sections[7], Section)
    shown = report.sector_numbers
    assert shown  # example-park 2023 has failing indicators a sector file splits
    assert calls == {
        "assess": 2,  # 2023, and the base year for the waterfalls' start level
        "gap_table": 2,
        "what_it_would_take": 1,
        "attribute": 1,
        "park_trends": 1,
        "advise": 1,
        "check_data": 1,
        "sector_shares": len(shown),
        "structure_intensity": len(shown),
    }


def test_attribution_leaves_out_what_cannot_be_decomposed():
    """Nantong 2021's at-risk 5 is a reported count: the report decomposes the others."""
    report = open_report("nantong-etdz", 2021, str(DATA))
    assert "5" in report.problem_numbers
    numbers = set(report.attribution["number"])
    assert "5" not in numbers and "14" in numbers  # at risk, and 2015 has its data
