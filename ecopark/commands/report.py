"""``ecopark report``: one park-year's reports as HTML, PDF, Word or the official xlsx."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ecopark.commands._output import add_standard_option, park_inputs
from ecopark.commands.table import _date
from ecopark.errors import InputError, Problem, display_path
from ecopark.io.atomic import refuse_inputs, write_output
from ecopark.textsafe import visible

FORMATS = ("html", "pdf", "docx", "xlsx")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="生成园区某年的报告：HTML、PDF、Word、附表 xlsx / write one park-year's reports (HTML, "
        "PDF, Word, the official xlsx)",
        description=(
            "Write one park-year's reports into OUT/<park>/<year>/: html runs the three report "
            "notebooks (01_assessment, 02_why_indicators_fail, 03_trends) with the batch "
            "machinery in one worker; pdf writes the HTML and prints each to A4 PDF with "
            "headless Chromium (ECOPARK_CHROMIUM overrides the browser); docx writes "
            "01_assessment.docx (verdict, 附表1, 附表2 section 三, what it would take) and xlsx "
            "01_assessment.xlsx (附表1/附表2), both without a kernel. --standard CODE assesses "
            "every format against that one of the park's standards (default the first park.yaml "
            "lists); the HTML and PDF also compare it with the others park.yaml lists. "
            "OUT/index.html is left as it is. Exits 2 on bad input or a missing browser, 1 if a "
            "notebook failed."
        ),
    )
    p.add_argument("park", metavar="PARK", help="a park folder (data/nantong-etdz) or its id")
    p.add_argument("year", metavar="YEAR", type=int)
    p.add_argument(
        "--format",
        nargs="+",
        choices=FORMATS,
        default=["html"],
        metavar="FORMAT",
        help="one or more of html, pdf, docx, xlsx (default: html)",
    )
    p.add_argument(
        "--out", "-o", default="reports", metavar="DIR", help="output folder (default: reports)"
    )
    p.add_argument(
        "--data-dir",
        metavar="DIR",
        default="data",
        help="where PARK is looked for when it is an id (default: data)",
    )
    p.add_argument(
        "--template",
        metavar="FILE.docx",
        help="with docx: a Word template with placeholders such as {{park}} and {{table1}} "
        "(docs/reports.md)",
    )
    p.add_argument(
        "--filled-on",
        metavar="YYYY-MM-DD",
        type=_date,
        help="填报时间 printed in the docx and xlsx (default: today)",
    )
    add_standard_option(p)
    p.set_defaults(func=run_report)


def _park(args: argparse.Namespace) -> tuple[str, Path]:
    """(park id, data folder) of PARK: a folder path, or an id under --data-dir."""
    given = Path(args.park)
    if (given / "park.yaml").is_file() or (given.is_dir() and len(given.parts) > 1):
        folder = given.resolve()
        return folder.name, folder.parent
    return args.park, Path(args.data_dir)


def run_report(args: argparse.Namespace) -> int:
    formats = list(dict.fromkeys(args.format))
    if args.template and "docx" not in formats:
        raise InputError(Problem(args.template, "--template is for --format docx; add docx"))
    park_id, data_dir = _park(args)
    out_dir = Path(args.out)
    if "pdf" in formats:
        from ecopark.reports.pdf import find_browser

        find_browser()  # before anything runs: what to install
    from ecopark.reports.documents import DOCUMENT_SUFFIXES  # the batch's paths: loaded here only

    status = 0
    documents = [f for f in formats if f in DOCUMENT_SUFFIXES]
    if documents:
        _write_documents(park_id, data_dir, out_dir, args.year, documents, args)
    if "html" in formats or "pdf" in formats:
        status = _run_notebooks(
            park_id, data_dir, out_dir, args.year, pdf="pdf" in formats, standard=args.standard
        )
    return status


def _write_documents(
    park_id: str,
    data_dir: Path,
    out_dir: Path,
    year: int,
    kinds: list[str],
    args: argparse.Namespace,
) -> None:
    from ecopark.engine import assess
    from ecopark.io.confine import park_id_problem
    from ecopark.io.park import load_park
    from ecopark.reports.documents import document_bytes, document_path

    problem = park_id_problem(park_id)
    if problem:
        raise InputError(Problem(park_id, problem))
    park = load_park(data_dir / park_id, args.standard)
    inputs = park_inputs(park) + ([Path(args.template)] if args.template else [])
    for kind in kinds:  # every path checked before any work, so that none is written
        refuse_inputs(document_path(out_dir, park_id, year, kind), inputs, "Give another --out")
    a = assess(park, year)
    for kind in kinds:
        data = document_bytes(a, kind, args.filled_on, args.template if kind == "docx" else None)
        path = document_path(out_dir, park_id, year, kind)
        write_output(path, data)
        print(f"wrote {display_path(path)}", file=sys.stderr)


def _run_notebooks(
    park_id: str, data_dir: Path, out_dir: Path, year: int, pdf: bool, standard: str | None
) -> int:
    """Run the report notebooks of one park-year (under ``standard``, one of the park's; None:
    the first park.yaml lists) into ``out_dir``; the exit status."""
    import dataclasses

    from ecopark.reports.batch.kernel import skip_iri_grammars

    skip_iri_grammars()  # before nbformat is imported
    from ecopark.reports.batch import (
        BatchStopped,
        LocalPool,
        resolve_notebooks,
        run_batch,
        targets_for_park,
    )
    from ecopark.reports.batch.index import report_path
    from ecopark.reports.params import ParamsError, check_standard

    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment] # see commands/run
    try:
        targets = targets_for_park(park_id, [year], data_dir)
        if standard is not None:
            for t in targets:
                if t.park_year is not None:
                    code = check_standard(t.park_year.park_dir, standard, "--standard")
                    t.park_year = dataclasses.replace(t.park_year, standard=code)
        outcomes = run_batch(
            targets,
            resolve_notebooks(None),
            out_dir=out_dir,
            executor=LocalPool(1),
            pdf=pdf,
            index=False,
        )
    except ParamsError as exc:
        print(f"ecopark report: error: {exc}", file=sys.stderr)
        return 2
    except BatchStopped as exc:
        print(f"ecopark report: stopped: {exc.message}", file=sys.stderr)
        return exc.status
    for o in outcomes:
        if o.ok:
            for suffix in (".html", ".pdf") if pdf else (".html",):
                path = report_path(out_dir, park_id, year, o.notebook, suffix)
                print(f"wrote {display_path(path)}", file=sys.stderr)
        else:
            what = visible(f"{o.notebook or park_id} {year}")
            print(f"ecopark report: FAILED {what}: {visible(o.error)}", file=sys.stderr)
    failed = [o for o in outcomes if not o.ok]
    if any(o.bad_input for o in outcomes):
        return 2
    return 0 if not failed else 1
