"""Benchmark: CLI start-up and a report kernel's imports, two trees side by side (by hand).

Measured per tree, alternating, ``--repeat`` times (medians; the machine may be shared):

- ``ecopark table data/nantong-etdz 2021 --format csv`` as a whole process: wall seconds and
  CPU seconds (user + system of the child);
- ``python -X importtime`` totals (less noisy than wall time): ``import ecopark, ecopark.cli``
  with the parser built, and the notebooks' setup cell (``import ecopark.plotting``,
  ``from ecopark.reports.session import open_report``, ``ecopark.plotting.setup()``), with the
  heavy packages each one loads.

::

    git worktree add /tmp/ecopark-before <commit>
    .venv/bin/python benchmarks/bench_startup.py --before /tmp/ecopark-before --repeat 5
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchtools import commit_of

ROOT = Path(__file__).resolve().parent.parent
TABLE = ["-m", "ecopark", "table", "data/nantong-etdz", "2021", "--format", "csv"]
CLI = "import ecopark, ecopark.cli\necopark.cli.build_parser()\n"
KERNEL = (
    "import ecopark.plotting\nfrom ecopark.reports.session import open_report\n"
    "ecopark.plotting.setup()\n"
)
HEAVY = ("scipy", "matplotlib", "seaborn", "nbconvert", "papermill", "pandas", "numpy")


def _env(tree: Path) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(tree), MPLBACKEND="Agg")


def table_process(tree: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one ``ecopark table`` process run from ``tree``."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, *TABLE], cwd=tree, env=_env(tree), stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status:
        raise SystemExit(f"ecopark table failed in {tree}")
    return wall, usage.ru_utime + usage.ru_stime


def import_total(tree: Path, code: str) -> tuple[float, list[str]]:
    """(sum of the top-level imports' cumulative times [s], heavy packages loaded) of ``code``."""
    probe = code + f"import sys\nprint([m for m in {HEAVY!r} if m in sys.modules])\n"
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", probe],
        cwd=tree,
        env=_env(tree),
        capture_output=True,
        text=True,
        check=True,
    )
    total = 0
    for line in out.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\S.*)$", line)
        if m and not m.group(2).startswith(" "):  # top level only (no indentation)
            total += int(m.group(1))
    return total / 1e6, eval(out.stdout.strip().splitlines()[-1])  # noqa: S307 - our own print


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", type=Path, help="tree of the older commit (a git worktree)")
    p.add_argument("--repeat", type=int, default=5)
    a = p.parse_args(argv)
    trees = {"after": ROOT} if a.before is None else {"before": a.before.resolve(), "after": ROOT}
    res: dict[str, dict[str, list]] = {k: {} for k in trees}
    for _ in range(a.repeat):
        for label, tree in trees.items():
            r = res[label]
            wall, cpu = table_process(tree)
            r.setdefault("wall", []).append(wall)
            r.setdefault("cpu", []).append(cpu)
            for name, code in (("cli", CLI), ("kernel", KERNEL)):
                total, heavy = import_total(tree, code)
                r.setdefault(name, []).append(total)
                r[name + "_heavy"] = heavy

    print(f"start-up, medians of {a.repeat} runs, {os.cpu_count()} CPUs")
    for label, tree in trees.items():
        print(f"  {label}: {tree} ({commit_of(tree)})")
    print()
    rows = (
        ("`ecopark table` process, wall [s]", "wall"),
        ("`ecopark table` process, CPU [s]", "cpu"),
        ("importtime: import ecopark, ecopark.cli + parser [s]", "cli"),
        ("importtime: report setup cell [s]", "kernel"),
    )
    labels = list(trees)
    print(f"| what | {' | '.join(labels)} |" + (" after / before |" if len(labels) == 2 else ""))
    print("|---|" + "---:|" * (len(labels) + (len(labels) == 2)))
    for title, key in rows:
        meds = [statistics.median(res[lab][key]) for lab in labels]
        line = f"| {title} | " + " | ".join(f"{m:.3f}" for m in meds) + " |"
        if len(labels) == 2:
            line += f" {meds[1] / meds[0]:.2f} |"
        print(line)
    for key, title in (
        ("cli_heavy", "import + parser loads"),
        ("kernel_heavy", "setup cell loads"),
    ):
        for lab in labels:
            print(f"{title} ({lab}): {', '.join(res[lab][key]) or 'none of ' + '/'.join(HEAVY)}")


if __name__ == "__main__":
    main()
