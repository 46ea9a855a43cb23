"""The batch's own outputs: ``summary.csv``, ``index.html`` and the lines for the terminal.

``index.html`` is the portfolio's front page: every park-year with its verdict, the matrix of
its indicators coloured by status (from the engine's results, :func:`ecopark.comparison.result_rows`,
counted by :mod:`ecopark.portfolio`; nothing is recomputed), synthetic parks marked, the run's
problems in Chinese and the links to every report. It is rendered from
``reports/templates/batch/index.html.j2`` with autoescape on; this module only decides what each
row says. Every link is :func:`report_href` of :func:`output_path`, where the batch writes. ``summary.csv`` holds text from data files and
file names (errors, park ids): every cell goes through :func:`ecopark.textsafe.csv_cell`, so no
spreadsheet takes one for a formula.
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ecopark.errors import display_path
from ecopark.formatting import with_unit
from ecopark.io.atomic import write_text
from ecopark.portfolio import (
    NOT_SELECTED,
    NOT_SELECTED_ZH,
    SYNTHETIC_ZH,
    by_indicator,
    cell_status,
    park_years,
)
from ecopark.reports.batch.job import Outcome
from ecopark.reports.batch.targets import Target
from ecopark.reports.catalog import notebook_title
from ecopark.reports.html import TEMPLATES_DIR
from ecopark.status import STATUS_COLOURS, STATUS_ORDER
from ecopark.status import STATUS_ZH as STATUS_ZH_INDICATOR
from ecopark.textsafe import csv_cell, visible
from ecopark.verdict import VERDICT_ZH

SUMMARY_COLUMNS = ["park", "year", "notebook", "status", "seconds", "error"]
#: How the index names a notebook's status other than ok.
STATUS_ZH = {"failed": "失败", "timeout": "超时", "interrupted": "中断"}
INDEX_TEMPLATE = TEMPLATES_DIR / "batch" / "index.html.j2"
#: The park of a portfolio job (one data folder, one year): not ASCII, so never a park id.
PORTFOLIO = "全部园区"
#: A cell of the matrix: the status's word and the mark it shows (readable in black and white).
CELL_MARK = {"pass": "✓", "at_risk": "!", "fail": "✗", "not_computable": "?", NOT_SELECTED: ""}
CELL_WORD = {**STATUS_ZH_INDICATOR, NOT_SELECTED: NOT_SELECTED_ZH}
#: The longest indicator name in a column head [characters] (the whole name is its tooltip).
HEAD_WIDTH = 9
#: Cell colours: the status colours of every chart, and a pale one for 未选.
CELL_COLOURS = {**STATUS_COLOURS, NOT_SELECTED: "#f2f2f2"}


def report_path(out_dir: Path, park: str, year: int | str, notebook: str, suffix: str) -> Path:
    """``<out>/<park>/<year>/<notebook><suffix>``."""
    return out_dir / str(park) / str(year) / f"{notebook}{suffix}"


def portfolio_path(out_dir: Path, year: int | str, suffix: str) -> Path:
    """``<out>/portfolio/<year><suffix>``: the portfolio report of one year."""
    return out_dir / "portfolio" / f"{year}{suffix}"


def output_path(out_dir: Path, park: str, year: int | str, notebook: str, suffix: str) -> Path:
    """Where a job's report goes: :func:`portfolio_path` for a portfolio, else :func:`report_path`."""
    if park == PORTFOLIO:
        return portfolio_path(out_dir, year, suffix)
    return report_path(out_dir, park, year, notebook, suffix)


def report_href(out_dir: Path, path: Path) -> str:
    """The link from ``<out>/index.html`` to a report written at ``path`` (relative, quoted)."""
    return quote(path.relative_to(out_dir).as_posix())


def write_summary(path: Path, outcomes: list[Outcome]) -> None:
    """Write ``summary.csv`` (park, year, notebook, status, seconds, error), UTF-8 with BOM."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(SUMMARY_COLUMNS)
    for o in outcomes:
        row = [o.park, o.year, o.notebook, o.status, f"{o.seconds:.2f}", o.error]
        w.writerow([csv_cell(x) for x in row])
    write_text(path, "\ufeff" + buf.getvalue())


@dataclass(frozen=True)
class IndexLink:
    """One notebook of a park-year in the index: its title, and its report if there is one."""

    label: str
    href: str | None
    status: str = ""  # 失败 | 超时 | 中断 when the notebook did not succeed
    pdf: str | None = None  # the report printed to PDF (--pdf), when it was written


@dataclass(frozen=True)
class IndexCell:
    """One cell of the matrix: an indicator of a park-year."""

    status: str  # pass | at_risk | fail | not_computable | not_selected
    mark: str
    tip: str  # number, name, value and status word (no data text)


@dataclass(frozen=True)
class IndexRow:
    """One park-year in the index."""

    name: str
    park: str
    year: str
    verdict: str  # ecopark.verdict.VERDICT_ZH (符合, 不符合, 不具备评价条件, 不作评价) | 无法评价 | 无法运行
    verdict_ok: bool
    detail: str
    links: tuple[IndexLink, ...]
    failed: bool
    source: str
    synthetic: bool = False
    cells: tuple[IndexCell, ...] = ()
    counts: dict[str, int] | None = None  # counted indicators by status (ecopark.portfolio)
    problems: tuple[str, ...] = ()
    documents: tuple[IndexLink, ...] = ()  # the Word document and the official xlsx, if written


def outcome_problem(o: Outcome, title: str) -> str:
    """What went wrong with one notebook, in Chinese for the reader (details in summary.csv)."""
    if o.error.startswith("报告未写入"):
        return f"「{title}」报告未能写入"
    if o.status == "timeout":
        return f"「{title}」超时，已终止"
    if o.status == "interrupted":
        return f"「{title}」未完成：运行被中断"
    return f"「{title}」运行出错"


def target_problem(target: Target) -> str:
    """Why a park-year did not run, in Chinese (the full message is in summary.csv)."""
    if target.park_year is None:
        return "未运行：参数文件有误或所指的园区、年份不存在"
    return "未运行：园区数据文件有误（ecopark check 可列出各处问题）"


def _cells(target: Target, numbers: list[tuple[str, str]]) -> tuple[IndexCell, ...]:
    if target.results is None:
        return ()
    t = target.results.set_index("number")
    shown = cell_status(target.results).set_axis(t.index)
    out = []
    for standard, n in numbers:  # two standards may both have an indicator "1"
        if standard != target.standard or n not in t.index:
            out.append(IndexCell("", "", ""))
            continue
        status = shown[n]
        word = CELL_WORD[status]
        if status == NOT_SELECTED:
            word += f"（{STATUS_ZH_INDICATOR[t.at[n, 'status']]}）"
        unit, req = t.at[n, "unit"], t.at[n, "requirement"]
        value = with_unit(str(t.at[n, "display"] or "—"), unit if isinstance(unit, str) else None)
        need = f"，要求 {req}" if isinstance(req, str) and req else ""
        tip = f"{n} {t.at[n, 'indicator']}：{value}{need}；{word}"
        out.append(IndexCell(status, CELL_MARK[status], tip))
    return tuple(out)


def index_row(
    target: Target, out_dir: Path, numbers: list[tuple[str, str]] | None = None
) -> IndexRow:
    """What the index says about one target (after its notebooks ran).

    ``numbers`` are the indicators of the matrix, ``(standard code, id)`` (default: none).
    """
    problems: list[str] = []
    if target.error:
        verdict, verdict_ok, detail = "无法运行", False, ""
        problems.append(target_problem(target))
    elif target.outcome is None:
        verdict, verdict_ok, detail = "无法评价", False, target.verdict
    else:  # not judged: the base year or a year that only supplies history
        verdict, verdict_ok = VERDICT_ZH[target.outcome], target.outcome == "compliant"
        detail = target.verdict
    links = []
    for o in target.outcomes:
        if not o.notebook:
            continue
        path = output_path(out_dir, target.park, target.year, o.notebook, ".html")
        label = notebook_title(o.notebook)
        if o.ok:
            pdf = path.with_suffix(".pdf")
            pdf_href = report_href(out_dir, pdf) if pdf.is_file() else None
            links.append(IndexLink(label, report_href(out_dir, path), pdf=pdf_href))
        else:
            href = report_href(out_dir, path) if path.is_file() else None
            links.append(IndexLink(label, href, STATUS_ZH.get(o.status, "失败")))
            problems.append(outcome_problem(o, label))
    documents = []
    if target.park != PORTFOLIO:
        from ecopark.reports.documents import DOCUMENT_LABELS, document_path  # imports this

        for kind, label in DOCUMENT_LABELS.items():
            doc = document_path(out_dir, target.park, target.year, kind)
            if doc.is_file():
                documents.append(IndexLink(label, report_href(out_dir, doc)))
    counts = None
    if target.results is not None:
        counts = park_years(target.results).iloc[0][list(STATUS_ORDER)].astype(int).to_dict()
    return IndexRow(
        name=target.name or target.park,
        park=str(target.park),
        year=str(target.year),
        verdict=verdict,
        verdict_ok=verdict_ok,
        detail=detail,
        links=tuple(links),
        failed=bool(target.error) or any(not o.ok for o in target.outcomes),
        source=target.source,
        synthetic=target.synthetic,
        cells=_cells(target, numbers or []),
        counts=counts,
        problems=tuple(problems),
        documents=tuple(documents),
    )


@functools.cache
def index_template() -> Any:
    """The process's one index template (Jinja2, autoescaped, strict), compiled on first use:
    a batch renders the index after every park-year's notebooks, and compiling it is most of
    the rendering's cost."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(INDEX_TEMPLATE.parent),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template(INDEX_TEMPLATE.name)


def warm_up_index() -> None:
    """Compile what :func:`render_index` needs (:func:`index_template`): the batch calls it
    while its workers run, so that the index after them does not wait for it."""
    index_template()


def render_index(
    targets: list[Target],
    out_dir: Path,
    generated: str | None = None,
    portfolios: list[Target] | None = None,
) -> str:
    """The text of ``index.html`` (escaped by the template).

    Parameters
    ----------
    targets : list of Target
        Every park-year of the batch, with its outcomes and its results (:func:`judge`).
    out_dir : Path
        The batch's output folder (a failed notebook is linked only if its report exists).
    generated : str, optional
        The generation date; default: now, ``YYYY-MM-DD HH:MM``.
    portfolios : list of Target, optional
        The portfolio reports of the batch (park :data:`PORTFOLIO`), linked at the top.
    """
    import pandas as pd

    from ecopark.formatting import shorten

    frames = [t.results for t in targets if t.results is not None]
    results = pd.concat(frames, ignore_index=True) if frames else None
    indicators = by_indicator(results) if results is not None else None
    numbers = (
        []
        if indicators is None
        else list(zip(indicators["standard"], indicators["number"], strict=True))
    )
    standards = list(dict.fromkeys(t.standard for t in targets if t.standard))
    if indicators is not None:  # the column heads: short names, the whole name on hover
        indicators["short"] = [shorten(name, HEAD_WIDTH) for name in indicators["indicator"]]
    portfolio_rows = [index_row(p, out_dir) for p in portfolios or []]
    page = index_template().render(
        rows=[index_row(t, out_dir, numbers) for t in targets],
        indicators=[] if indicators is None else indicators.to_dict("records"),
        portfolios=portfolio_rows,
        total=sum(len(t.outcomes) for t in [*targets, *(portfolios or [])]),
        n_failed=sum(1 for t in [*targets, *(portfolios or [])] for o in t.outcomes if not o.ok),
        marks=CELL_MARK,
        words=CELL_WORD,
        colours=CELL_COLOURS,
        statuses=[*STATUS_ORDER, NOT_SELECTED],
        synthetic=SYNTHETIC_ZH,
        standards=standards,
        generated=generated or _dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    )
    return visible(page)  # control characters from data files shown as symbols


def write_index(
    path: Path, targets: list[Target], out_dir: Path, portfolios: list[Target] | None = None
) -> None:
    """Write ``index.html``: every park-year with its verdict, its indicators and its reports."""
    write_text(path, render_index(targets, out_dir, portfolios=portfolios))


def summary_text(outcomes: list[Outcome], out_dir: Path | str) -> str:
    """A few lines for the terminal: counts, then every failure with its error."""
    ok = sum(o.ok for o in outcomes)
    failed = [o for o in outcomes if not o.ok]
    lines = [
        f"ecopark run: {len(outcomes)} job(s), {ok} ok, {len(failed)} failed; "
        f"reports in {display_path(out_dir)}/ (index.html, summary.csv)"
    ]
    for o in failed:
        what = f"{o.park} {o.year} {o.notebook}".strip()
        lines.append(f"  FAILED {visible(what)}: {visible(o.error)}")
    return "\n".join(lines)
