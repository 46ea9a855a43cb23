"""Write notebooks/01_assessment.ipynb, 02_why_indicators_fail.ipynb and 03_trends.ipynb.

The notebooks are thin: a parameters cell (ASCII defaults that run from ``notebooks/``), then
calls into :mod:`ecopark.reports.narrative` and :mod:`ecopark.plotting`. No formula lives here. The files
are written without outputs, kernelspec ``python3``. Run from the repository root::

    .venv/bin/python scripts/build_notebooks.py          # write
    .venv/bin/python scripts/build_notebooks.py --check  # exit 1 if a committed notebook differs
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "notebooks"

PARAMETERS = '''# parameters: papermill injects the run's values after this cell (ASCII only)
park_id = "nantong-etdz"
year = 2021
data_dir = "../data"'''


def setup_cell(heading: str) -> str:
    return f'''import ecopark.plotting
from ecopark.reports import narrative as nr

ecopark.plotting.setup()
report = nr.open_report(park_id, year, data_dir)
nr.show(nr.title(report, "{heading}"))'''


INTRO = {
    "01_assessment": (
        "# 考核表\n\n"
        "按 HJ 274-2015《国家生态工业示范园区标准》对一个园区年度进行评价：32 项指标的对照考核表、"
        "评价结论及其原因、总览图、数据核查与每个数据的来源。园区与年份由参数 `park_id`、`year` 指定。"
    ),
    "02_why_indicators_fail": (
        "# 未达标指标成因分析\n\n"
        "对每个未达标或临界（达标但余量不足 10%）的指标：单项数据需要变到多少才能达标、"
        "自规划基准年以来的变化由哪些因素造成（LMDI 分解，有分行业数据时按行业分解），"
        "以及可选考核指标的选择建议。"
    ),
    "03_trends": (
        "# 趋势\n\n"
        "园区数据文件中每一年的指标值，与标准要求对照，按拟合的年均变化速度推算何时达标或不再达标。"
    ),
}


def nb_01() -> list:
    return [
        new_markdown_cell(INTRO["01_assessment"]),
        _parameters(),
        new_code_cell(setup_cell("考核表")),
        new_markdown_cell("## 评价结论"),
        new_code_cell("nr.show(nr.verdict(report))"),
        new_markdown_cell(
            "## 对照考核表\n\n"
            "“考核”一栏：必选 = 必选指标，已选 = 园区选作考核指标的可选指标，未选 = 未选的可选指标。"
            "“余量”为距要求的相对距离（占限值的百分比，正值为达标余量，负值为差距）。"
        ),
        new_code_cell("nr.assessment_table(report)"),
        new_markdown_cell(
            "## 总览图\n\n每项指标距要求的余量，颜色表示状态（达标 / 临界 / 未达标 / 无法计算）。"
        ),
        new_code_cell("nr.show_figure(nr.overview_chart(report))"),
        new_markdown_cell("## 数据核查"),
        new_code_cell("checks_text, checks = nr.data_checks(report)\nnr.show(checks_text)\nchecks"),
        new_markdown_cell("## 数据来源\n\n评价所用的每个数据及其来源说明（数据文件的 note 列）。"),
        new_code_cell('nr.show("数据来源：" + nr.source_line(report))\nnr.sources_table(report)'),
    ]


def nb_02() -> list:
    return [
        new_markdown_cell(INTRO["02_why_indicators_fail"]),
        _parameters(),
        new_code_cell(setup_cell("未达标指标成因分析")),
        new_markdown_cell("## 未达标与临界指标"),
        new_code_cell("nr.show(nr.problems_summary(report))"),
        new_markdown_cell(
            "## 达标需要什么\n\n"
            "每个数据项单独变化（其他数据不变）时，使指标恰好达到要求的数值；"
            "对临界指标则是指标不再达标的临界值。"
        ),
        new_code_cell(
            'nr.show(*nr.whatif_sentences(report) or ["没有需要分析的指标。"])\n'
            "nr.show_figure(nr.whatif_chart(report))\n"
            "nr.whatif_table(report)"
        ),
        new_markdown_cell(
            "## 自规划基准年以来的变化归因\n\nLMDI-I 分解：各因素对指标变化的加法贡献（单位同指标）与乘法因子。"
        ),
        new_code_cell(
            "attribution_text, attribution = nr.attribution(report)\n"
            'nr.show(*attribution_text or ["没有需要归因的指标。"])\n'
            "nr.show_figure(nr.attribution_chart(report))\n"
            "attribution"
        ),
        new_markdown_cell("## 分行业分解"),
        new_code_cell(
            "sector_text, sectors = nr.sectors(report)\n"
            "nr.show(*sector_text)\n"
            "nr.show_figure(nr.sector_chart(report))\n"
            "sectors"
        ),
        new_markdown_cell("## 考核指标选择建议"),
        new_code_cell("advice_text, margins = nr.advice(report)\nnr.show(advice_text)\nmargins"),
    ]


def nb_03() -> list:
    return [
        new_markdown_cell(INTRO["03_trends"]),
        _parameters(),
        new_code_cell(setup_cell("趋势")),
        new_markdown_cell("## 各指标的趋势与展望"),
        new_code_cell(
            "trend_text, trends = nr.trend_summary(report)\nnr.show(*trend_text)\ntrends"
        ),
        new_markdown_cell(
            "## 趋势图\n\n未达标、临界或按现有速度将改变状态的指标；虚线为要求，点线为拟合趋势及其延伸。"
        ),
        new_code_cell("nr.show_trend_charts(report)"),
        new_markdown_cell("## 数据来源"),
        new_code_cell('nr.show("数据来源：" + nr.source_line(report))\nnr.sources_summary(report)'),
    ]


def _parameters():
    cell = new_code_cell(PARAMETERS)
    cell.metadata["tags"] = ["parameters"]
    return cell


NOTEBOOKS = {"01_assessment": nb_01, "02_why_indicators_fail": nb_02, "03_trends": nb_03}


def build(name: str) -> nbformat.NotebookNode:
    """The notebook ``name``, without outputs."""
    nb = new_notebook(cells=NOTEBOOKS[name]())
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{name[:2]}-{i:02d}"
    return nb


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--check", action="store_true", help="only check that the committed notebooks are current"
    )
    args = p.parse_args(argv)
    stale = []
    for name in NOTEBOOKS:
        text = nbformat.writes(build(name)) + "\n"
        path = OUT / f"{name}.ipynb"
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print("out of date (run scripts/build_notebooks.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
