"""Benchmark: the example park's years × 3 notebooks, four ways (run by hand, not a test).

(a) a shell loop of ``papermill`` and ``jupyter nbconvert`` commands, one per notebook;
(b) ``ecopark run --jobs 1``;
(c) ``ecopark run`` with all CPUs (each worker reuses its kernel), and the same with
    ``--fresh-kernels`` (one kernel per notebook);
(d) the floor: as many bare kernel starts (one at a time) running the notebooks' imports and
    ``ecopark.plotting.setup()``, then shut down.

Prints the times and the ratios a/c (target ≥ 4 on 2 cores) and c / (d / CPUs) (target ≤ 1.3).
Run from the repository root::

    .venv/bin/python benchmarks/bench_notebooks.py [--repeat 1] [--years 2016-2023]
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "benchmarks" / "out"
PARK = "example-park"
NOTEBOOKS = ("01_assessment", "02_why_indicators_fail", "03_trends")
IMPORTS = "import ecopark.plotting\nfrom ecopark.reports.session import open_report\necopark.plotting.setup()\n"


def years_of(text: str) -> list[int]:
    a, _, b = text.partition("-")
    return list(range(int(a), int(b or a) + 1))


def params(years: list[int]) -> list[str]:
    return [str(ROOT / "params" / f"{PARK}-{y}.yaml") for y in years]


def shell_loop(years: list[int]) -> float:
    """(a): papermill then nbconvert, one command each, as a consultant's shell script would."""
    out = OUT / "a"
    shutil.rmtree(out, ignore_errors=True)
    lines = ["set -e"]
    for y in years:
        for nb in NOTEBOOKS:
            target = out / PARK / str(y) / f"{nb}.ipynb"
            lines.append(f"mkdir -p {shlex.quote(str(target.parent))}")
            lines.append(
                f"{BIN}/papermill {ROOT}/notebooks/{nb}.ipynb {shlex.quote(str(target))} "
                f"-k python3 --cwd {ROOT}/notebooks --no-progress-bar "
                f"-p park_id {PARK} -p year {y} -p data_dir {ROOT}/data 2>/dev/null"
            )
            lines.append(
                f"{BIN}/jupyter nbconvert --to html --no-input --log-level WARN "
                f"--TemplateExporter.extra_template_basedirs={ROOT}/ecopark/templates "
                f"--template offline {shlex.quote(str(target))}"
            )
    start = time.perf_counter()
    subprocess.run(["bash", "-c", "\n".join(lines)], check=True, cwd=ROOT)
    return time.perf_counter() - start


def ecopark_run(years: list[int], jobs: int | None, name: str, *extra: str) -> float:
    """(b) and (c): ``ecopark run``."""
    out = OUT / name
    shutil.rmtree(out, ignore_errors=True)
    cmd = [str(BIN / "ecopark"), "run", *params(years), "--out", str(out), *extra]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, stderr=subprocess.DEVNULL)
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
        )
        try:
            reply = kc.execute_interactive(IMPORTS, timeout=120, output_hook=lambda msg: None)
            assert reply["content"]["status"] == "ok", reply["content"]
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    return time.perf_counter() - start


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--years", default="2016-2023", help="example-park years (default 2016-2023)")
    p.add_argument("--skip-a", action="store_true", help="skip the slow shell loop")
    args = p.parse_args()
    years = years_of(args.years)
    n = len(years) * len(NOTEBOOKS)
    cpus = os.cpu_count() or 1
    print(f"{n} notebook runs ({len(years)} years × {len(NOTEBOOKS)} notebooks), {cpus} CPUs")
    t: dict[str, float] = {}
    t["d"] = bare_kernels(n)
    print(
        f"(d) {n} bare kernel starts with the imports, sequential: {t['d']:.1f} s "
        f"({t['d'] / n:.2f} s each); floor on {cpus} CPUs: {t['d'] / cpus:.1f} s"
    )
    t["c"] = ecopark_run(years, None, "c")
    print(f"(c) ecopark run (all {cpus} CPUs): {t['c']:.1f} s")
    t["cf"] = ecopark_run(years, None, "cf", "--fresh-kernels")
    print(f"(c) ecopark run --fresh-kernels (all {cpus} CPUs): {t['cf']:.1f} s")
    t["b"] = ecopark_run(years, 1, "b")
    print(f"(b) ecopark run --jobs 1: {t['b']:.1f} s")
    if not args.skip_a:
        t["a"] = shell_loop(years)
        print(f"(a) shell loop of papermill + jupyter nbconvert: {t['a']:.1f} s")
    print()
    if "a" in t:
        print(f"a / c = {t['a'] / t['c']:.2f}  (target ≥ 4)")
        print(f"a / b = {t['a'] / t['b']:.2f}")
    print(f"b / c = {t['b'] / t['c']:.2f}")
    print(f"c / (d / CPUs) = {t['c'] / (t['d'] / cpus):.2f}  (target ≤ 1.3)")
    print(f"c-fresh / (d / CPUs) = {t['cf'] / (t['d'] / cpus):.2f}")
    if "a" in t:
        print(f"a / c-fresh = {t['a'] / t['cf']:.2f}")
    print(f"b / d = {t['b'] / t['d']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
