"""Benchmark: the CPU the report's charts cost per park-year, two trees side by side (by hand).

Every park-year of the bundled parks (``data/``) is opened with
:func:`ecopark.reports.session.open_report` and its analyses computed (untimed); then its five
charts are drawn and rendered to PNG exactly as a report does (each session method returns a
:class:`ecopark.reports.display.Chart`, which saves the figure once to PNG and closes it):
the overview, what it would take, the attribution waterfalls, the sector contributions and the
trends. The CPU seconds of the process (``time.process_time``) spent in those five calls are
summed per park-year.

Each tree runs in its own process (``PYTHONPATH=<tree>``), alternately, ``--repeat`` times; the
figure of a tree is its best run (the machine may be shared). Compare the tree of an older
commit by checking it out first::

    git worktree add /tmp/ecopark-before <commit>
    .venv/bin/python benchmarks/bench_charts.py --before /tmp/ecopark-before --repeat 5
    .venv/bin/python benchmarks/bench_charts.py --before /tmp/ecopark-before --repeat 1 \
        --dump /tmp/charts

``--dump`` also writes every chart, after the timed rounds, as the report has it (its SVG) and
drawn once more to PNG, to ``<DUMP>-before/`` and ``<DUMP>-after/``, and compares the two
trees' files byte for byte.

Without ``--before`` only this tree is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchtools import commit_of

ROOT = Path(__file__).resolve().parent.parent
CHARTS = ("overview_chart", "whatif_chart", "attribution_chart", "sector_chart", "trend_charts")


def park_years(data: Path) -> list[tuple[str, int]]:
    """(park folder name, year) of every year file of every park under ``data``."""
    out = []
    for park in sorted(p for p in data.iterdir() if (p / "park.yaml").is_file()):
        for f in sorted(park.glob("[0-9][0-9][0-9][0-9].csv")):
            out.append((park.name, int(f.stem)))
    return out


def worker(data: Path, dump: str | None, rounds: int) -> dict:
    """Time the five charts of every park-year in this process (``ecopark`` from PYTHONPATH)."""
    import matplotlib

    matplotlib.use("Agg")
    from ecopark.reports.display import Chart
    from ecopark.reports.session import open_report

    sessions = []
    for park, year in park_years(data):
        s = open_report(park, year, data)
        # the analyses every chart draws, computed before timing (a report computes them once)
        _ = (s.gaps, s.whatif, s.attribution, s.series, s.fits, s.sector_numbers)
        for n in s.sector_numbers:
            s.shares(n), s.effects(n)
        if s.can_attribute:
            s.gaps_of(s.base_year)
        sessions.append((park, year, s))
    for _, _, s in sessions[:2]:  # warm-up: fonts loaded, glyph caches filled
        for name in CHARTS:
            getattr(s, name)()
    per: dict[str, dict[str, float]] = {}
    for _ in range(rounds):
        for park, year, s in sessions:
            key = f"{park}-{year}"
            times = per.setdefault(key, {})
            for name in CHARTS:
                t0 = time.process_time()
                chart = getattr(s, name)()
                dt = time.process_time() - t0
                times[name] = min(times.get(name, dt), dt)
    if dump:  # untimed: each chart's SVG, and its figure drawn once more to PNG
        out = Path(dump)
        out.mkdir(parents=True, exist_ok=True)
        for park, year, s in sessions:
            for name in CHARTS:
                chart = getattr(s, name)()
                if isinstance(chart, Chart):
                    (out / f"{park}-{year}-{name}.svg").write_text(chart.svg, encoding="utf-8")
                    chart.figure.savefig(out / f"{park}-{year}-{name}.png")
    return per


def run_tree(tree: Path, data: Path, dump: str | None, rounds: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree), MPLBACKEND="Agg")
    cmd = [sys.executable, __file__, "--worker", "--data", str(data), "--rounds", str(rounds)]
    if dump:
        cmd += ["--dump-dir", dump]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, cwd=tree)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", type=Path, help="tree of the older commit (a git worktree)")
    p.add_argument("--data", type=Path, default=ROOT / "data")
    p.add_argument("--repeat", type=int, default=3, help="processes per tree, alternating")
    p.add_argument("--rounds", type=int, default=1, help="passes over the park-years per process")
    p.add_argument("--dump", help="write the charts to <DUMP>-before/ and <DUMP>-after/, compare")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--dump-dir", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    data = a.data.resolve()
    if a.worker:
        print(json.dumps(worker(data, a.dump_dir, a.rounds)))
        return

    trees = {"after": ROOT}
    if a.before:
        trees = {"before": a.before.resolve(), "after": ROOT}
    best: dict[str, dict[str, dict[str, float]]] = {}
    for i in range(a.repeat):
        for label, tree in trees.items():
            dump = f"{a.dump}-{label}" if a.dump and i == 0 else None
            per = run_tree(tree, data, dump, a.rounds)
            mine = best.setdefault(label, {})
            for key, times in per.items():
                b = mine.setdefault(key, {})
                for name, dt in times.items():
                    b[name] = min(b.get(name, dt), dt)

    labels = list(trees)
    print(f"chart CPU per park-year [s], best of {a.repeat} processes × {a.rounds} round(s)")
    for label, tree in trees.items():
        print(f"  {label}: {tree} ({commit_of(tree)})")
    print()
    header = f"{'park-year':<20}" + "".join(f"{lab:>10}" for lab in labels)
    if len(labels) == 2:
        header += f"{'ratio':>8}"
    print(header)
    totals = {lab: [] for lab in labels}
    for key in best[labels[-1]]:
        row = f"{key:<20}"
        for lab in labels:
            t = sum(best[lab][key].values())
            totals[lab].append(t)
            row += f"{t:>10.3f}"
        if len(labels) == 2:
            row += f"{totals['after'][-1] / totals['before'][-1]:>8.2f}"
        print(row)
    print()
    print(f"{'per chart (sum)':<20}")
    for name in CHARTS:
        row = f"  {name:<18}"
        for lab in labels:
            row += f"{sum(best[lab][k].get(name, 0.0) for k in best[lab]):>10.3f}"
        if len(labels) == 2:
            b = sum(best["before"][k].get(name, 0.0) for k in best["before"])
            f = sum(best["after"][k].get(name, 0.0) for k in best["after"])
            row += f"{f / b:>8.2f}" if b else ""
        print(row)
    row = f"{'mean per park-year':<20}"
    for lab in labels:
        row += f"{statistics.fmean(totals[lab]):>10.3f}"
    if len(labels) == 2:
        row += f"{sum(totals['after']) / sum(totals['before']):>8.2f}"
    print(row)
    if a.dump and len(labels) == 2:
        print()
        print(compare(Path(f"{a.dump}-before"), Path(f"{a.dump}-after")))


def compare(before: Path, after: Path) -> str:
    """How the charts written to ``before`` and ``after`` compare, byte for byte."""
    names = sorted({f.name for f in before.iterdir()} | {f.name for f in after.iterdir()})
    differ = [
        n
        for n in names
        if not (before / n).is_file()
        or not (after / n).is_file()
        or (before / n).read_bytes() != (after / n).read_bytes()
    ]
    charts = len({n.rsplit(".", 1)[0] for n in names})
    if not differ:
        return f"{charts} charts: SVG and PNG bytes identical ({len(names)} files)"
    return f"{charts} charts, {len(differ)} of {len(names)} files differ: " + ", ".join(differ)


if __name__ == "__main__":
    main()
