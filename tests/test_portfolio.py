"""The portfolio: counts over the results table, the batch's index.html and notebook 04.

The index is built by ``run_batch`` with a fake runner (no kernel) over Nantong 2021 and
example-park years, and checked cell by cell against the engine's statuses.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import markupsafe
import pytest

import ecopark
from browser import CHROMIUM, render
from ecopark import portfolio
from ecopark.reports import batch
from ecopark.reports.batch.index import CELL_MARK, output_path, portfolio_path, report_href
from ecopark.reports.batch.job import JobResult, Outcome
from ecopark.reports.batch.targets import portfolio_targets, targets_for_folder
from ecopark.reports.catalog import DEFAULT_NOTEBOOKS, PORTFOLIO_NOTEBOOKS
from ecopark.reports.params import ParamsError
from ecopark.status import STATUS_COLOURS
from reports_support import HOSTILE_NAME, ROOT, XSS_PARK, make_xss_park, portfolio_run
from safety_support import html_problems, text_of

DATA = ROOT / "data"
EXAMPLE = (DATA / "example-park" / "park.yaml").is_file()
needs_example = pytest.mark.skipif(not EXAMPLE, reason="data/example-park is not there")


# ---------------------------------------------------------------------------------------------
# ecopark.portfolio: counts of the engine's statuses


def test_park_years_count_the_indicators_that_decide_the_verdict():
    r = ecopark.results(DATA, years=[2018, 2021])
    t = portfolio.park_years(r).set_index(["park", "year"])
    nt = t.loc[("nantong-etdz", 2021)]
    # Nantong 2021: 23 indicators count (must + selected); 5 and 14 pass by under 10 %; the
    # failing 12 (renewables, 0.0026 % against >=9 %) is optional and not selected
    assert (nt["pass"], nt["at_risk"], nt["fail"], nt["not_computable"]) == (21, 2, 0, 0)
    assert nt["counted"] == 23 and nt["verdict"] == "符合" and not nt["synthetic"]
    history = t.loc[("nantong-etdz", 2018)]  # a year that only supplies history
    assert history["verdict"] == "不作评价" and history["compliant"] is None
    a = ecopark.assess(ecopark.load_park(DATA / "nantong-etdz"), 2021).table()
    counted = a[a["role"].isin(["must", "selected"])]
    assert nt["at_risk"] == (counted["status"] == "at_risk").sum()
    assert list(counted.loc[counted["status"] == "at_risk", "number"]) == ["5", "14"]


@needs_example
def test_most_failed_and_ranking():
    r = ecopark.results(DATA)
    most = portfolio.most_failed(r)
    # only example-park 2020 fails a counted indicator: 19 (major incidents), a must one
    assert most[["number", "fail", "counted"]].values.tolist() == [["19", 1, 10]]
    rank = portfolio.ranking(r)
    last_judged = rank[rank["verdict"] != "不作评价"].iloc[-1]
    assert (last_judged["park"], last_judged["year"], last_judged["verdict"]) == (
        "example-park",
        2020,
        "不符合",
    )
    # ties share a rank: the example park's clean years are all first
    assert rank["rank"].tolist()[0] == 1 and rank["rank"].is_monotonic_increasing
    by = portfolio.by_indicator(r).set_index("number")
    assert by.loc["12", "not_selected"] == 10 and by.loc["12", "counted"] == 0  # nobody selects 12
    assert (by["counted"] + by["not_selected"] == 10).all()
    assert r.groupby("park")["synthetic"].first().to_dict() == {
        "example-park": True,
        "nantong-etdz": False,
    }


# ---------------------------------------------------------------------------------------------
# index.html


def _ok(job):
    return JobResult(Outcome(job.park, job.year, job.notebook, "ok", 0.1), b"{}", b"<p>r</p>")


def _fails_trends(job):
    if job.notebook == "03_trends":
        return JobResult(
            Outcome(job.park, job.year, job.notebook, "failed", 0.1, "cell [2]: KeyError: 'x'"),
            b"{}",
            b"<p>log</p>",
        )
    return _ok(job)


def _index(tmp_path: Path, targets, runner=_ok, portfolio_nb=True) -> str:
    out = tmp_path / "out"
    batch.run_batch(
        targets,
        batch.resolve_notebooks(None),
        out,
        executor=batch.InProcess(),
        runner=runner,
        progress=False,
        portfolio=batch.resolve_notebooks(PORTFOLIO_NOTEBOOKS) if portfolio_nb else None,
    )
    return (out / "index.html").read_text(encoding="utf-8")


def _matrix_row(index: str, name: str, year: int) -> list[tuple[str, str]]:
    """(status class, mark) of each indicator cell in the matrix row of a park-year."""
    matrix = index.split('<table class="matrix">', 1)[1]
    row = next(r for r in matrix.split("<tr>") if name in r and f"<td>{year}</td>" in r)
    return re.findall(r'<td class="c s-([a-z_]+)" title="[^"]*">([^<]*)</td>', row)


def _runs_row(index: str, park: str, year: int) -> str:
    runs = index.split('<table class="runs">', 1)[1].split("</table>", 1)[0]
    return next(
        r for r in runs.split("<tr") if f"<small>{park}</small>" in r and f"<td>{year}</td>" in r
    )


@needs_example
def test_index_matrix_follows_the_engine(tmp_path):
    years = [2020, 2021]
    targets = batch.targets_for_park("nantong-etdz", [2021], DATA)
    targets += batch.targets_for_park("example-park", years, DATA)
    index = _index(tmp_path, targets)
    for park_id, year in [("nantong-etdz", 2021), *(("example-park", y) for y in years)]:
        a = ecopark.assess(ecopark.load_park(DATA / park_id), year)
        want = [(r.status if r.role in ("must", "selected") else "not_selected") for r in a.results]
        got = _matrix_row(index, a.config.name, year)
        assert [s for s, _ in got] == want, (park_id, year)
        assert [m for _, m in got] == [CELL_MARK[s] for s in want]
    nantong = _matrix_row(index, "南通经济技术开发区", 2021)
    assert nantong[11] == ("not_selected", "")  # 12 renewables: fails, but not selected
    assert nantong[4] == ("at_risk", "!") and nantong[13] == ("at_risk", "!")
    assert _matrix_row(index, "示例园区", 2020)[18] == ("fail", "✗")  # 19, must
    # the colours are the charts' status colours
    for status in ("pass", "at_risk", "fail", "not_computable"):
        assert f".s-{status} {{ background: {STATUS_COLOURS[status]};" in index
    # the tooltip of a cell: number, name, the value as printed, requirement and status
    assert 'title="12 可再生能源使用比例：0.0026%，要求 ≥9；未选（未达标）"' in index
    # counts per park-year (runs table and matrix) and per indicator (the matrix's last row)
    row = _runs_row(index, "example-park", 2020)
    assert '<span class="fail">不符合</span>' in row
    assert '<td class="num">1</td><td class="num">0</td><td class="num">0</td>' in row
    row = _runs_row(index, "nantong-etdz", 2021)
    assert '<td class="num">0</td><td class="num">2</td><td class="num">0</td>' in row
    assert "南通经济技术开发区（2021 年）：符合 HJ 274-2015 的要求。" in row
    last = index.split('<th colspan="2">未达标的园区年度数</th>', 1)[1].split("</tr>", 1)[0]
    counts = [int(x) for x in re.findall(r'<td class="n">(\d+)</td>', last)]
    assert len(counts) == 32 and counts[18] == 1 and sum(counts) == 1
    # links to every report, from where the batch wrote it
    out = tmp_path / "out"
    for nb in DEFAULT_NOTEBOOKS:
        path = output_path(out, "example-park", 2020, nb, ".html")
        assert path.is_file() and f'href="{report_href(out, path)}"' in index
    assert 'href="portfolio/2020.html">2020 年</a>' in index
    assert (out / "portfolio" / "2021.html").is_file()


@needs_example
def test_index_marks_synthetic_parks_only(tmp_path):
    targets = batch.targets_for_park("nantong-etdz", [2021], DATA)
    targets += batch.targets_for_park("example-park", [2021], DATA)
    index = _index(tmp_path, targets, portfolio_nb=False)
    synthetic = '<span class="synthetic">合成示例数据</span>'
    assert synthetic in _runs_row(index, "example-park", 2021)
    assert synthetic not in _runs_row(index, "nantong-etdz", 2021)
    matrix = index.split('<table class="matrix">', 1)[1].split("<tr>")
    assert synthetic in next(r for r in matrix if "示例园区" in r)
    assert synthetic not in next(r for r in matrix if "南通" in r)


def test_index_problems_are_in_chinese(tmp_path):
    (tmp_path / "p").mkdir()
    broken = tmp_path / "p" / "broken.yaml"
    broken.write_text("park_id: nantong-etdz\nyear: twenty\n", encoding="utf-8")
    targets = batch.targets_from_params([broken])
    targets += batch.targets_for_park("nantong-etdz", [2021], DATA)
    index = _index(tmp_path, targets, runner=_fails_trends, portfolio_nb=False)
    row = _runs_row(index, "nantong-etdz", 2021)
    assert '<span class="problems">「趋势」运行出错</span>' in row
    assert (
        'href="nantong-etdz/2021/03_trends.html">趋势</a> <span class="failed">（失败）</span>'
        in row
    )
    bad = next(r for r in index.split("<tr") if "<small>broken</small>" in r)
    assert '<span class="problems">未运行：参数文件有误或所指的园区、年份不存在</span>' in bad
    text = text_of(index)
    for internal in ("KeyError", "yaml", "twenty", "Error", "params", "Traceback"):
        assert internal not in text, internal
    assert "1 项失败" not in text and "2 项失败" in text


def test_index_of_a_hostile_park_is_text(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    make_xss_park(data)
    index = _index(tmp_path, batch.targets_for_park(XSS_PARK, [2021], data), portfolio_nb=False)
    assert html_problems(index) == []
    assert text_of(index).count(HOSTILE_NAME) == 3  # name and verdict in the runs table, matrix
    shown = str(markupsafe.escape(HOSTILE_NAME))  # as the template escapes it
    assert "&lt;b&gt;PWN&lt;/b&gt;" in shown and "<b>PWN</b>" not in index
    assert len(_matrix_row(index, shown, 2021)) == 32


def test_output_paths_and_links(tmp_path):
    assert portfolio_path(tmp_path, 2021, ".html") == tmp_path / "portfolio" / "2021.html"
    assert output_path(tmp_path, "全部园区", 2021, "04_portfolio", ".html") == (
        tmp_path / "portfolio" / "2021.html"
    )
    path = output_path(tmp_path, "a b", 2021, "01_assessment", ".html")
    assert report_href(tmp_path, path) == "a%20b/2021/01_assessment.html"


def test_portfolio_targets_one_per_year_and_folder(tmp_path):
    targets = targets_for_folder(DATA, [2021])
    assert sorted((t.park, t.year) for t in targets if t.runnable) == sorted(
        [("nantong-etdz", 2021)] + ([("example-park", 2021)] if EXAMPLE else [])
    )
    ports = portfolio_targets(targets)
    assert [(p.park, p.year, p.park_year.data_dir) for p in ports] == [
        ("全部园区", 2021, DATA.resolve())
    ]
    other = tmp_path / "data"
    shutil.copytree(DATA / "nantong-etdz", other / "nantong-etdz")
    with pytest.raises(ParamsError, match="come from two data folders"):
        portfolio_targets(targets + batch.targets_for_park("nantong-etdz", [2021], other))
    with pytest.raises(ParamsError, match="no park folder"):
        targets_for_folder(tmp_path, None)


# ---------------------------------------------------------------------------------------------
# notebooks/04_portfolio.ipynb


def _cells() -> list[dict]:
    nb = json.loads((ROOT / "notebooks" / "04_portfolio.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3" and "papermill" not in nb["metadata"]
    return [dict(c, source="".join(c["source"])) for c in nb["cells"]]


def test_portfolio_notebook_is_committed_clean_and_thin():
    import ast

    code = [c for c in _cells() if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert code[0]["metadata"]["tags"] == ["parameters"]
    values: dict = {}
    exec(code[0]["source"], {}, values)  # noqa: S102 - our own committed defaults
    assert values == {"data_dir": "data", "year": 2021}
    assert "portfolio = open_portfolio(data_dir, year)" in code[1]["source"]
    assert "ecopark.plotting.setup()" in code[1]["source"]
    for cell in code[1:]:
        for node in ast.walk(ast.parse(cell["source"])):
            assert not isinstance(node, ast.BinOp | ast.Compare | ast.Subscript | ast.Lambda)
            if isinstance(node, ast.Constant):
                assert not isinstance(node.value, int | float) or isinstance(node.value, bool)
    calls = [ast.parse(c["source"]).body for c in code[2:]]
    assert all(len(b) == 1 and b[0].value.func.value.id == "portfolio" for b in calls)
    assert "04_portfolio" in PORTFOLIO_NOTEBOOKS and "04_portfolio" not in DEFAULT_NOTEBOOKS


@pytest.mark.slow
@needs_example
def test_portfolio_notebook_runs_with_papermill():
    """Notebook 04 over Nantong, the example park and its hostile copy (2021), as papermill
    runs it (the run is shared with tests/test_report_print.py)."""
    import nbformat

    nb = nbformat.read(portfolio_run().notebook, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"]
    text = json.dumps(outputs, ensure_ascii=False)
    assert "2021 年共 3 个园区：符合 3 个。" in text
    # both synthetic parks are named (the hostile name escaped as Markdown text), Nantong not
    assert "示例园区、" in text and " 为合成示例数据，并非真实园区" in text
    assert "示例园区（合成示例数据）" in text
    assert "南通经济技术开发区（合成示例数据）" not in text
    assert "没有园区有计入考核的指标未达标" in text
    assert text.count("image/svg+xml") == 1  # the margin distribution, as SVG like every chart


# ---------------------------------------------------------------------------------------------
# The index in a browser


@pytest.mark.slow
@needs_example
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_index_renders_in_chromium_to_png_and_a4_landscape_pdf(tmp_path):
    from PIL import Image

    from test_chart_print import read_printed

    targets = batch.targets_for_park("nantong-etdz", [2021], DATA)
    targets += batch.targets_for_park("example-park", [2019, 2020, 2021, 2023], DATA)
    _index(tmp_path, targets)
    png, pdf = tmp_path / "index.png", tmp_path / "index.pdf"
    # one load takes the screenshot and prints the page
    render(tmp_path / "out" / "index.html", screenshot=png, window=(1400, 1000), pdf=pdf)
    img = Image.open(png).convert("RGB")
    assert img.size == (1400, 1000)
    colours = {c for _, c in img.getcolors(maxcolors=1 << 20) or []}
    assert (0x00, 0x9E, 0x73) in colours and (0xD5, 0x5E, 0x00) in colours  # 达标, 未达标 cells
    printed = read_printed(pdf)  # its pages' sizes and texts, cheaper than pypdf's extraction
    assert 1 <= len(printed.pages) <= 3
    width, height = printed.pages[0]
    assert (round(width), round(height)) == (842, 595)  # A4 landscape
    text = "".join(printed.page_texts())
    assert "评价报告索引" in text and "指标状态矩阵" in text and "合成示例数据" in text
