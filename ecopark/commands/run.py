"""``ecopark run``: execute the report notebooks for park-years and write HTML reports."""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from ecopark.reports.batch.limits import (
    CONNECT_TIMEOUT,
    DEFAULT_CELL_TIMEOUT,
    DEFAULT_NOTEBOOK_TIMEOUT,
)
from ecopark.reports.catalog import DEFAULT_NOTEBOOKS, PORTFOLIO_NOTEBOOKS
from ecopark.reports.params import ParamsError, params_files, parse_years


def _seconds(text: str) -> float:
    """A time limit [s]: a positive finite decimal such as 2.5."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"give seconds such as 300 or 2.5, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"give a whole number such as 4, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="运行报告笔记本并生成 HTML 报告 / run the report notebooks for park-years (papermill) "
        "and write HTML reports",
        description=(
            "Execute every notebook for every park-year and write OUT/<park>/<year>/<notebook>.html "
            "(and .ipynb: with --keep-ipynb, or when the notebook failed; with --pdf also .pdf), "
            "the park-year's 01_assessment.docx and 01_assessment.xlsx (附表1/附表2), "
            "OUT/index.html and OUT/summary.csv. Park-years come from params files "
            "(or folders of them) and/or --park/--years. Each worker process keeps one kernel and "
            "runs its notebooks in it one after another, resetting the kernel's user namespace "
            "before each (imported modules stay loaded, which saves a kernel start and the imports "
            "per notebook); after a failure, timeout or kernel death the next notebook gets a new "
            "kernel. --fresh-kernels starts a new kernel for every notebook instead. "
            "OUT is checked before any notebook runs. Ctrl-C or SIGTERM stops the batch at once "
            "(workers and kernels ended, finished reports kept, the others marked interrupted in "
            "summary.csv and index.html; exit 130 or 143). Exits 2 on bad input (any park-year "
            "whose params or data files are invalid: the good ones still run) or an output that "
            "cannot be written, else 1 if any notebook failed."
        ),
    )
    p.add_argument(
        "params",
        nargs="*",
        metavar="PARAMS",
        help="params YAML files or folders of them (e.g. params/)",
    )
    p.add_argument("--park", metavar="ID", help="a park folder name under --data-dir")
    p.add_argument(
        "--years",
        metavar="YEARS",
        help="with --park: 2021, 2019-2023 or 2018,2021 (default: every year after the base year)",
    )
    p.add_argument(
        "--data-dir",
        metavar="DIR",
        default="data",
        help="with --park: the data folder (default: data)",
    )
    p.add_argument(
        "--notebooks",
        nargs="+",
        metavar="NB",
        help=f"notebooks to run, by name or path (default: {' '.join(DEFAULT_NOTEBOOKS)})",
    )
    p.add_argument(
        "--portfolio",
        action="store_true",
        help="also run the portfolio report (04_portfolio) once per year over the data folder: "
        "OUT/portfolio/<year>.html, linked from index.html; without params or --park, every "
        "park of --data-dir (and --years)",
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=None,
        metavar="N",
        help=f"worker processes (default: the number of CPUs, {os.cpu_count()})",
    )
    p.add_argument(
        "--out", "-o", default="reports", metavar="DIR", help="output folder (default: reports)"
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the jobs on a Dask distributed cluster (needs ecopark[dask]), e.g. tcp://host:8786",
    )
    p.add_argument(
        "--connect-timeout",
        type=_seconds,
        default=CONNECT_TIMEOUT,
        metavar="S",
        help=f"with --scheduler: time the scheduler has to answer [s] (default {CONNECT_TIMEOUT:g})",
    )
    p.add_argument(
        "--cell-timeout",
        type=_seconds,
        default=DEFAULT_CELL_TIMEOUT,
        metavar="S",
        help=f"time limit per cell [s] (default {DEFAULT_CELL_TIMEOUT:g})",
    )
    p.add_argument(
        "--notebook-timeout",
        type=_seconds,
        default=DEFAULT_NOTEBOOK_TIMEOUT,
        metavar="S",
        help=f"wall-clock limit per notebook [s] (default {DEFAULT_NOTEBOOK_TIMEOUT:g})",
    )
    p.add_argument(
        "--fresh-kernels",
        action="store_true",
        help=(
            "start a new kernel for every notebook (strict isolation: nothing a notebook did to "
            "imported modules, e.g. matplotlib settings, can reach the next; slower). Default: "
            "each worker reuses its kernel, with the user namespace reset before each notebook"
        ),
    )
    p.add_argument(
        "--pdf",
        action="store_true",
        help="also print each HTML report to A4 PDF beside it (headless Chromium; "
        "ECOPARK_CHROMIUM overrides the browser)",
    )
    p.add_argument(
        "--keep-ipynb",
        action="store_true",
        help="also write every executed notebook (.ipynb) beside its HTML (default: only the "
        "notebooks that failed, as their log)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the notebooks for the park-years asked for; 0 if all succeeded, 1 if not, 2 on usage.

    Each worker keeps one kernel and runs successive notebooks in it, after resetting its user
    namespace (``get_ipython().reset(new_session=True)``, all figures closed, the notebook's
    folder as working directory): no variable survives from one notebook to the next and the
    execution counts start at 1, while imported modules stay loaded. A notebook that fails,
    times out or kills its kernel takes its kernel with it; the next one gets a new kernel.
    ``--fresh-kernels`` starts a new kernel for every notebook (strict isolation); Dask workers
    (``--scheduler``) keep their kernels by the same rules.
    """
    alone = args.portfolio and not args.params and not args.park  # the whole data folder
    if args.years and not args.park and not alone:
        print("ecopark run: error: --years needs --park (or --portfolio)", file=sys.stderr)
        return 2
    # The batch loads here, not when the parser is built: no other command pays for it.
    from ecopark.reports.batch.kernel import skip_iri_grammars

    skip_iri_grammars()  # before nbformat is imported
    from ecopark.reports.batch import (
        BatchStopped,
        executor_for,
        resolve_notebooks,
        run_batch,
        summary_text,
        targets_for_park,
        targets_from_params,
    )
    from ecopark.reports.batch.targets import targets_for_folder

    if args.notebooks:
        # --notebooks takes several values, so it swallows params given after it: take them back.
        moved = [
            n for n in args.notebooks if n.lower().endswith((".yaml", ".yml")) or Path(n).is_dir()
        ]
        args.params = [*args.params, *moved]
        args.notebooks = [n for n in args.notebooks if n not in moved] or None
    if not args.params and not args.park and not alone:
        print(
            "ecopark run: error: give params files or folders (e.g. params/), or --park ID",
            file=sys.stderr,
        )
        return 2
    try:
        notebooks = resolve_notebooks(args.notebooks)
        targets = targets_from_params(params_files(args.params)) if args.params else []
        if args.park:
            years = parse_years(args.years) if args.years else None
            targets += targets_for_park(args.park, years, Path(args.data_dir))
        if alone:
            years = parse_years(args.years) if args.years else None
            targets += targets_for_folder(Path(args.data_dir), years)
        portfolio = resolve_notebooks(PORTFOLIO_NOTEBOOKS) if args.portfolio else None
    except ParamsError as exc:
        print(f"ecopark run: error: {exc}", file=sys.stderr)
        return 2
    if not targets:
        print(
            "ecopark run: error: no params files found in " + " ".join(args.params), file=sys.stderr
        )
        return 2
    try:
        outcomes = run_batch(
            targets,
            notebooks,
            out_dir=args.out,
            executor=executor_for(args.jobs, args.scheduler, args.connect_timeout),
            cell_timeout=args.cell_timeout,
            notebook_timeout=args.notebook_timeout,
            fresh_kernels=args.fresh_kernels,
            portfolio=portfolio,
            pdf=args.pdf,
            documents=True,
            keep_ipynb=args.keep_ipynb,
        )
    except ParamsError as exc:
        print(f"ecopark run: error: {exc}", file=sys.stderr)
        return 2
    except BatchStopped as exc:
        print(f"ecopark run: stopped: {exc.message}", file=sys.stderr)
        return exc.status
    print(summary_text(outcomes, args.out), file=sys.stderr)
    if any(o.bad_input for o in outcomes):
        return 2  # bad input, as every command: the message names file, line and item
    return 0 if all(o.ok for o in outcomes) else 1
