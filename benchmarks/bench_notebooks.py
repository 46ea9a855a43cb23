"""Benchmark: report notebooks for many park-years, several ways side by side (run by hand).

Cases (``--cases``, run in turn in each of ``--repeat`` rounds; medians printed):

(a) a shell loop of ``papermill`` and ``jupyter nbconvert`` commands, one per notebook;
(b) ``ecopark run --jobs 1``;
(c) ``ecopark run --jobs 2`` (each worker reuses its kernel); (cf) the same with
    ``--fresh-kernels`` (one kernel per notebook); (cb) (c) from the checkout ``--before``;
(d) as many bare kernel starts (one at a time) running the notebooks' setup cell;
(f) the floor: the same notebooks' cells run in 2 plain processes (``exec``, no kernel, no
    papermill, no nbconvert), each output written straight to HTML (Markdown with mistune,
    tables as their own HTML, charts as inline PNG), and with each park-year's first notebook
    its Word document and xlsx, as ``ecopark run`` writes them
    (:func:`ecopark.reports.documents.park_year_documents`); (fn) the same without the documents;
(e) ``ecopark run --scheduler`` on a local Dask cluster of 2 workers (``dask scheduler`` and two
    ``dask worker --nthreads 1`` processes, started before the first round and stopped at the
    end; one untimed batch first does the workers' one-time imports).

Prints each case's wall time, the CPU time of the processes it started and waited for (user +
system; for (e) not the Dask workers'), and the ratios c/f (target ≤ 1.2), e/c (target ≤ 1.3), a/c, c/fn.
Run from the repository root::

    .venv/bin/python benchmarks/bench_notebooks.py [--cases f,c,e] [--repeat 3] [--params params]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "benchmarks" / "out"
NOTEBOOKS = ("01_assessment", "02_why_indicators_fail", "03_trends")
IMPORTS = "import ecopark.plotting\nfrom ecopark.reports.session import open_report\necopark.plotting.setup()\n"
#: This tree first, then the environment's; for every process the benchmark starts.
ENV = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")


def park_years(params: list[str]) -> list[dict]:
    """The notebooks' parameters (park_id, year, absolute data_dir) of every params file."""
    sys.path.insert(0, str(ROOT))
    from ecopark.reports.batch.targets import targets_from_params
    from ecopark.reports.params import params_files

    return [t.park_year.parameters() for t in targets_from_params(params_files(params))]


def shell_loop(params: list[str]) -> float:
    """(a): papermill then nbconvert, one command each, as a consultant's shell script would."""
    out = OUT / "a"
    shutil.rmtree(out, ignore_errors=True)
    lines = ["set -e"]
    for p in park_years(params):
        for nb in NOTEBOOKS:
            target = out / p["park_id"] / str(p["year"]) / f"{nb}.ipynb"
            lines.append(f"mkdir -p {shlex.quote(str(target.parent))}")
            lines.append(
                f"{BIN}/papermill {ROOT}/notebooks/{nb}.ipynb {shlex.quote(str(target))} "
                f"-k python3 --cwd {ROOT}/notebooks --no-progress-bar "
                f"-p park_id {p['park_id']} -p year {p['year']} -p data_dir {p['data_dir']} "
                "2>/dev/null"
            )
            lines.append(
                f"{BIN}/jupyter nbconvert --to html --no-input --log-level WARN "
                f"--TemplateExporter.extra_template_basedirs={ROOT}/ecopark/reports/templates "
                f"--template offline {shlex.quote(str(target))}"
            )
    start = time.perf_counter()
    subprocess.run(["bash", "-c", "\n".join(lines)], check=True, cwd=ROOT, env=ENV)
    return time.perf_counter() - start


def ecopark_run(params: list[str], name: str, *extra: str, tree: Path = ROOT) -> float:
    """(b), (c), (e): ``ecopark run`` as a process; (cb) the same as (c) from another checkout."""
    out = OUT / name
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "ecopark", "run", *params, "--out", str(out), *extra]
    env = dict(ENV, PYTHONPATH=str(tree))
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=tree, env=env, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def bare_kernels(n: int) -> float:
    """(d): ``n`` kernel starts, each running the notebooks' imports, one after the other."""
    from jupyter_client.manager import start_new_kernel

    start = time.perf_counter()
    for _ in range(n):
        km, kc = start_new_kernel(
            kernel_name="python3",
            cwd=str(ROOT / "notebooks"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=ENV,
        )
        try:
            reply = kc.execute_interactive(IMPORTS, timeout=120, output_hook=lambda msg: None)
            assert reply["content"]["status"] == "ok", reply["content"]
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    return time.perf_counter() - start


def _as_html(value: object) -> list[str]:
    """What a cell's value shows, as HTML, the least way (the floor's renderer)."""
    import base64
    import html

    import mistune

    if value is None:
        return []
    if hasattr(value, "parts"):  # reports.display.Section
        return [h for part in value.parts for h in _as_html(part)]
    if hasattr(value, "_repr_html_"):
        return [value._repr_html_()]
    if hasattr(value, "_repr_png_"):
        return [
            f'<img src="data:image/png;base64,{base64.b64encode(value._repr_png_()).decode()}">'
        ]
    if hasattr(value, "_repr_markdown_"):
        return [mistune.html(value._repr_markdown_())]
    return [f"<pre>{html.escape(repr(value))}</pre>"]


def floor_notebook(notebook: str, parameters: dict, out: str, documents: bool = False) -> None:
    """(f), in a plain process: the notebook's cells by ``exec``, every output straight to HTML;
    with ``documents`` then the park-year's documents beside it."""
    import mistune

    nb = json.loads((ROOT / "notebooks" / f"{notebook}.ipynb").read_text(encoding="utf-8"))
    os.chdir(ROOT / "notebooks")
    ns: dict = {"__name__": "__main__"}
    page = []
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            page.append(mistune.html(source))
            continue
        tree = ast.parse(source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, notebook, "exec"), ns)
        if "parameters" in cell["metadata"].get("tags", []):
            ns.update(parameters)
        if last is not None:
            page += _as_html(eval(compile(ast.Expression(last.value), notebook, "eval"), ns))
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("<!DOCTYPE html><html><body>" + "\n".join(page) + "</body></html>", "utf-8")
    if documents:
        from ecopark.io.park import load_park
        from ecopark.reports.documents import DOCUMENT_SUFFIXES, park_year_documents

        park = load_park(Path(parameters["data_dir"]) / parameters["park_id"])
        made, failed = park_year_documents(park, parameters["year"])
        assert not failed, failed
        for kind, data in made.items():
            target.with_suffix(DOCUMENT_SUFFIXES[kind]).write_bytes(data)


def floor(params: list[str], documents: bool, workers: int = 2) -> float:
    """(f), (fn): every notebook of every park-year in ``workers`` plain processes, heaviest
    first (the documents weighed as ``ecopark run`` weighs them)."""
    from ecopark.reports.catalog import notebook_weight
    from ecopark.reports.documents import DOCUMENTS_WEIGHT

    out = OUT / ("f" if documents else "fn")
    shutil.rmtree(out, ignore_errors=True)
    jobs = [
        (nb, p, documents and nb == NOTEBOOKS[0]) for p in park_years(params) for nb in NOTEBOOKS
    ]
    jobs.sort(key=lambda j: -notebook_weight(j[0]) - DOCUMENTS_WEIGHT * j[2])
    os.environ.update(MPLBACKEND="Agg")
    start = time.perf_counter()
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        futures = [
            pool.submit(
                floor_notebook, nb, p, str(out / p["park_id"] / str(p["year"]) / f"{nb}.html"), docs
            )
            for nb, p, docs in jobs
        ]
        for f in futures:
            f.result()
    return time.perf_counter() - start


class DaskCluster:
    """``dask scheduler`` and ``workers`` × ``dask worker --nthreads 1``, as processes."""

    def __init__(self, workers: int = 2) -> None:
        OUT.mkdir(parents=True, exist_ok=True)
        self.file = OUT / "dask-scheduler.json"
        self.file.unlink(missing_ok=True)
        self.workers = workers
        self.procs: list[subprocess.Popen] = []

    def __enter__(self) -> str:
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": ENV}
        common = ["--scheduler-file", str(self.file)]
        self.procs.append(
            subprocess.Popen(
                [BIN / "dask", "scheduler", *common, "--port", "0", "--no-dashboard"], **quiet
            )
        )
        for _ in range(self.workers):
            self.procs.append(
                subprocess.Popen(
                    [BIN / "dask", "worker", *common, "--nthreads", "1", "--no-dashboard"], **quiet
                )
            )
        from dask.distributed import Client

        deadline = time.monotonic() + 120
        while not self.file.is_file():
            if time.monotonic() > deadline:
                raise RuntimeError("the Dask scheduler did not start")
            time.sleep(0.2)
        with Client(scheduler_file=str(self.file), timeout=60) as client:
            client.wait_for_workers(self.workers, timeout=120)
            return client.scheduler.address

    def __exit__(self, *exc: object) -> None:
        for p in reversed(self.procs):
            p.terminate()
        for p in reversed(self.procs):
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--params", nargs="+", default=[str(ROOT / "params")], help="params files/folders"
    )
    p.add_argument(
        "--cases", default="f,c,e", help="comma-separated: a,b,c,cb,cf,d,f,fn,e (default f,c,e)"
    )
    p.add_argument("--repeat", type=int, default=1, help="rounds; medians are printed")
    p.add_argument(
        "--before", type=Path, help="case cb: (c) run from this checkout (an earlier commit)"
    )
    args = p.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from benchtools import commit_of

    cases = args.cases.split(",")
    n = len(park_years(args.params)) * len(NOTEBOOKS)
    cpus = os.cpu_count() or 1
    print(
        f"commit {commit_of(ROOT)}: {n} notebook runs, {cpus} CPUs, cases {cases}, {args.repeat} round(s)"
    )
    runs = {
        "a": lambda: shell_loop(args.params),
        "b": lambda: ecopark_run(args.params, "b", "--jobs", "1"),
        "c": lambda: ecopark_run(args.params, "c", "--jobs", "2"),
        "cf": lambda: ecopark_run(args.params, "cf", "--jobs", "2", "--fresh-kernels"),
        "d": lambda: bare_kernels(n),
        "cb": lambda: ecopark_run(args.params, "cb", "--jobs", "2", tree=args.before.resolve()),
        "f": lambda: floor(args.params, documents=True),
        "fn": lambda: floor(args.params, documents=False),
    }
    t: dict[str, list[float]] = {c: [] for c in cases}
    cpu: dict[str, list[float]] = {c: [] for c in cases}  # of the processes the case started
    loads = []
    cluster = DaskCluster(2) if "e" in cases else None
    try:
        if cluster is not None:
            address = cluster.__enter__()
            first = ecopark_run(
                [str(ROOT / "params" / "nantong-etdz-2021.yaml")], "e0", "--scheduler", address
            )
            print(
                f"    Dask cluster up; untimed first batch (3 notebooks, the workers' imports): {first:.1f} s"
            )
            runs["e"] = lambda: ecopark_run(args.params, "e", "--scheduler", address)
        for r in range(args.repeat):
            for c in cases:
                loads.append(os.getloadavg()[0])
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t[c].append(runs[c]())
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[c].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
                print(
                    f"    round {r + 1} ({c}): {t[c][-1]:.1f} s, CPU {cpu[c][-1]:.1f} s"
                    f"  (load {loads[-1]:.1f})",
                    flush=True,
                )
    finally:
        if cluster is not None:
            cluster.__exit__(None, None, None)
    med = {c: statistics.median(v) for c, v in t.items()}
    print(
        f"\nmedians [s] (load average 1 min at each start: {min(loads):.1f} to {max(loads):.1f}):"
    )
    for c in cases:
        print(
            f"  ({c}) {med[c]:.1f}   runs: {', '.join(f'{x:.1f}' for x in t[c])}"
            f"   CPU [s]: {', '.join(f'{x:.1f}' for x in cpu[c])}"
            + ("  (not the Dask workers')" if c == "e" else "")
        )
    ratios = [
        ("c", "f", "≤ 1.2"),
        ("e", "c", "≤ 1.3"),
        ("a", "c", "≥ 4"),
        ("b", "c", ""),
        ("cf", "f", ""),
        ("c", "fn", ""),
        ("cb", "f", ""),
        ("cb", "c", ""),
        ("f", "fn", ""),
    ]
    for x, y, goal in ratios:
        if x in med and y in med:
            per_round = [a / b for a, b in zip(t[x], t[y], strict=True)]
            print(
                f"  {x} / {y} = {med[x] / med[y]:.2f}  (per round: {', '.join(f'{q:.2f}' for q in per_round)})"
                + (f"  target {goal}" if goal else "")
            )
            if "e" not in (x, y):
                cpu_ratio = statistics.median(cpu[x]) / statistics.median(cpu[y])
                print(f"      CPU {x} / {y} = {cpu_ratio:.2f}")
    if "d" in med and "c" in med:
        print(f"  c / (d / CPUs) = {med['c'] / (med['d'] / cpus):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
