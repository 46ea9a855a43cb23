"""The report notebooks: committed clean and thin, and executing cleanly under papermill."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import nbformat
import pytest

from ecopark.reports import narrative as nr
from reports_support import NOTEBOOKS, ROOT, batch_run, good_park_years

NB_DIR = ROOT / "notebooks"


def _load(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NB_DIR / f"{name}.ipynb", as_version=4)


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
    assert values == {"park_id": "nantong-etdz", "year": 2021, "data_dir": "../data"}
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


def test_notebooks_match_their_build_script():
    proc = subprocess.run(
        [sys.executable, "scripts/build_notebooks.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr


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
    assert "image/png" in w
    t = _text(nbformat.read(run.report("nantong-etdz", 2021, "03_trends", ".ipynb"), as_version=4))
    assert "2015、2018、2021" in t


@pytest.mark.slow
def test_example_park_sector_narrative():
    run = batch_run()
    if ("example-park", 2023) not in good_park_years():
        pytest.skip("data/example-park is not there")
    w = _text(
        nbformat.read(
            run.report("example-park", 2023, "02_why_indicators_fail", ".ipynb"), as_version=4
        )
    )
    assert "结构效应" in w and "强度效应" in w
    assert w.count("image/png") == 3  # what it would take, attribution, sectors
    t = _text(nbformat.read(run.report("example-park", 2023, "03_trends", ".ipynb"), as_version=4))
    assert "按现有速度" in t and t.count("image/png") == 1  # one figure of the trends


def test_a_year_with_nothing_failing_says_so(nantong_dir):
    report = nr.open_report("nantong-etdz", 2021, nantong_dir.parent)
    report.__dict__["gaps"] = report.gaps.assign(status="pass")  # as if everything passed
    assert report.problems().empty
    assert "没有未达标或临界" in nr.problems_summary(report)
    assert nr.whatif_sentences(report) == []
    assert nr.whatif_chart(report) is None
    assert nr.whatif_table(report) is None
    assert nr.attribution(report) == ([], None)
    assert nr.sectors(report)[1] is None and nr.sector_chart(report) is None
    assert "没有" in nr.sectors(report)[0][0]
    assert nr.attribution_chart(report) is None


def test_sentence_from_the_issue(nantong_dir):
    report = nr.open_report("nantong-etdz", 2021, nantong_dir.parent)
    sentences = nr.whatif_sentences(report)
    renewable = next(s for s in sentences if "可再生能源使用比例" in s)
    assert (
        "可再生能源使用比例**为 0.0026%，低于 ≥9% 的要求；达标需可再生能源使用量 177,690 吨标煤（现为 51.8，"
        in renewable
    )
    water = next(s for s in sentences if "新鲜水耗" in s)
    assert "满足 ≤8 立方米/万元 的要求，但余量仅 4.61%" in water
    assert "新鲜水资源消耗量 变为 3,924.96 万立方米（+4.83%）" in water


def test_open_report_messages(nantong_dir):
    with pytest.raises(nr.ParamsError, match="year must be an integer"):
        nr.open_report("nantong-etdz", "2021", nantong_dir.parent)
    with pytest.raises(nr.ParamsError, match="did you mean 'nantong-etdz'"):
        nr.open_report("nantong", 2021, nantong_dir.parent)
    with pytest.raises(nr.ParamsError, match="years there: 2015, 2018, 2021"):
        nr.open_report("nantong-etdz", 2020, nantong_dir.parent)


def test_markdown_is_escaped():
    assert (
        nr.md("注 <script>alert(1)</script> & x").data
        == "注 &lt;script&gt;alert(1)&lt;/script&gt; &amp; x"
    )


def test_number_formats():
    assert nr.fmt(177690.0) == "177,690"
    assert nr.fmt(51.8) == "51.8"
    assert nr.fmt(0.0026) == "0.0026"
    assert nr.fmt_pct(-28.951325) == "−28.95%"
    assert nr.fmt_signed(-0.0053494) == "−0.005349"
    assert nr.with_unit("0.14", "吨/万元") == "0.14 吨/万元" and nr.with_unit("9", "%") == "9%"
