"""The batch's own outputs: ``summary.csv``, ``index.html`` and the lines for the terminal.

``index.html`` is rendered from ``reports/templates/batch/index.html.j2`` with autoescape on;
this module only decides what each row says. ``summary.csv`` holds text from data files and
file names (errors, park ids): every cell goes through :func:`ecopark.textsafe.csv_cell`, so no
spreadsheet takes one for a formula.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ecopark.errors import display_path
from ecopark.io.atomic import write_text
from ecopark.reports.batch.job import Outcome
from ecopark.reports.batch.targets import Target
from ecopark.reports.catalog import notebook_title
from ecopark.reports.html import TEMPLATES_DIR
from ecopark.textsafe import csv_cell, visible

SUMMARY_COLUMNS = ["park", "year", "notebook", "status", "seconds", "error"]
#: How the index names a notebook's status other than ok.
STATUS_ZH = {"failed": "失败", "timeout": "超时", "interrupted": "中断"}
INDEX_TEMPLATE = TEMPLATES_DIR / "batch" / "index.html.j2"


def report_path(out_dir: Path, park: str, year: int | str, notebook: str, suffix: str) -> Path:
    """``<out>/<park>/<year>/<notebook><suffix>``."""
    return out_dir / str(park) / str(year) / f"{notebook}{suffix}"


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
    error: str = ""


@dataclass(frozen=True)
class IndexRow:
    """One park-year in the index."""

    name: str
    park: str
    year: str
    verdict: str  # 符合 | 不符合 | 不作评价 | 无法评价 | 无法运行
    verdict_ok: bool
    detail: str
    links: tuple[IndexLink, ...]
    failed: bool
    source: str


def index_row(target: Target, out_dir: Path) -> IndexRow:
    """What the index says about one target (after its notebooks ran)."""
    if target.error:
        verdict, verdict_ok, detail = "无法运行", False, target.error
    elif target.judged is False:  # the base year or a year that only supplies history
        verdict, verdict_ok, detail = "不作评价", False, target.verdict
    elif target.compliant is None:
        verdict, verdict_ok, detail = "无法评价", False, target.verdict
    else:
        verdict = "符合" if target.compliant else "不符合"
        verdict_ok, detail = target.compliant, target.verdict
    links = []
    for o in target.outcomes:
        if not o.notebook:
            continue
        href = quote(f"{target.park}/{target.year}/{o.notebook}.html")
        label = notebook_title(o.notebook)
        if o.ok:
            links.append(IndexLink(label, href))
        else:
            exists = report_path(out_dir, target.park, target.year, o.notebook, ".html").is_file()
            status = STATUS_ZH.get(o.status, "失败")
            links.append(IndexLink(label, href if exists else None, status, o.error))
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
    )


def render_index(targets: list[Target], out_dir: Path, generated: str | None = None) -> str:
    """The text of ``index.html`` (escaped by the template).

    Parameters
    ----------
    targets : list of Target
        Every park-year of the batch, with its outcomes.
    out_dir : Path
        The batch's output folder (a failed notebook is linked only if its report exists).
    generated : str, optional
        The generation date; default: now, ``YYYY-MM-DD HH:MM``.
    """
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(INDEX_TEMPLATE.parent),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    page = env.get_template(INDEX_TEMPLATE.name).render(
        rows=[index_row(t, out_dir) for t in targets],
        total=sum(len(t.outcomes) for t in targets),
        n_failed=sum(1 for t in targets for o in t.outcomes if not o.ok),
        generated=generated or _dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    )
    return visible(page)  # control characters from data files shown as symbols


def write_index(path: Path, targets: list[Target], out_dir: Path) -> None:
    """Write ``index.html``: every park-year with its verdict and links to its reports."""
    write_text(path, render_index(targets, out_dir))


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
