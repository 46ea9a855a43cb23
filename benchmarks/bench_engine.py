"""Benchmark: load and assess every park-year of a tree of synthetic parks.

Run by hand (not a test)::

    .venv/bin/python benchmarks/bench_engine.py            # 100, 300 and 1000 parks x 10 years
    .venv/bin/python benchmarks/bench_engine.py --parks 50 200 --profile
    .venv/bin/python benchmarks/bench_engine.py --parks 1000 --against /tmp/before  # side by side
    .venv/bin/python benchmarks/bench_engine.py --columnar --parks 10 100 1000  # per-park vs columnar
    .venv/bin/python benchmarks/bench_engine.py --columnar --parks 10 100 1000 --against /tmp/before

The parks are written once (1000 parks x 10 years, realistic values scaled from the Nantong
ETDZ figures, random growth per park) into a temporary folder, or ``--out DIR``. Each timing
opens every park of the first N folders with :func:`ecopark.load_park` and assesses every one
of its 10 years with :func:`ecopark.assess`, reading every CSV from disk, in one process.
Target: 1,000 parks x 10 years in under 5 s on a 2-core machine, and linear in the park count.

``--columnar`` times, for 10 x N park-years, the per-park engine (every year file read and
assessed park by park, as :func:`run`) and the columnar engine (:mod:`ecopark.columnar`: loading
into one table timed apart from assessing it) side by side in this one run, and checks that both
count the same compliant park-years.

``--against TREE`` times the same parks with the ecopark of another source tree (say the commit
before a change, ``git archive COMMIT | tar -x -C TREE``) and with this one, alternating, each in
a fresh process, and prints both and their ratio. With ``--columnar``, it times the columnar
engine of both trees instead: loading (:func:`~ecopark.columnar.load_table`) and the engine
(:func:`~ecopark.columnar.assess_table` and the :func:`~ecopark.columnar.summary_row` of every
park-year, what :func:`ecopark.tree.assess_tree` does) apart, at each ``--parks`` size.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import math
import os
import pstats
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ecopark

YEARS = 10
FIRST_YEAR = 2013

#: Nantong ETDZ 2021 figures (data/nantong-etdz/2021.csv), the scale of a synthetic park.
NANTONG = {
    "hightech_output": 7388889,
    "industrial_output": 15878012,
    "employees": 102534,
    "value_added": 4906200,
    "recycling_value_added": 210497.4,
    "solid_waste_utilized": 664537.525,
    "solid_waste_generated": 690540.672,
    "solid_waste_stock_utilized": 2838.841,
    "recyclables_recycled": 3457067,
    "recyclables_collected": 4215935,
    "industrial_land": 19.1,
    "energy": 1974333.51,
    "renewable_energy": 51.8,
    "fresh_water": 3744.0675,
    "water_reused": 901832727.9,
    "reclaimed_water": 2038.15,
    "wwtp_discharge": 6888.72,
    "cod": 916.003,
    "ammonia_nitrogen": 52.223,
    "so2": 235.086,
    "nox": 1452.095,
    "co2": 3131579,
    "wastewater": 27554880,
}
#: Items that grow with the economy (the rest scale with the park's size only).
GROWING = {"hightech_output", "industrial_output", "value_added", "recycling_value_added"}
STATUS = {
    "key_source_compliance": ("达标", "不达标"),
    "emission_caps": ("全部完成", "未全部完成"),
    "wastewater_facility": ("具备", "不具备"),
}
UNITS = {
    "employees": "人",
    "industrial_land": "平方公里",
    "energy": "吨标煤",
    "renewable_energy": "吨标煤",
    "fresh_water": "万立方米",
    "water_reused": "立方米",
    "reclaimed_water": "万吨",
    "wwtp_discharge": "万吨",
    "wastewater": "吨",
}


def _year_rows(
    rng: random.Random, size: float, growth: float, intensity: float, t: int
) -> list[str]:
    """The CSV lines of one synthetic park-year (t = years since the first year)."""
    rows = ["item,value,unit,note"]
    for item, base in NANTONG.items():
        if item in GROWING:
            v = base * size * (1 + growth) ** t
        elif item == "industrial_land":
            v = base * size * (1 + 0.01 * t)
        elif item == "employees":
            v = base * size * (1 + 0.02 * t)
        else:
            v = base * size * (1 + growth) ** t * (1 - intensity) ** t
        v *= 1 + rng.uniform(-0.03, 0.03)
        value = f"{round(v)}" if item == "employees" else f"{v:.4f}"
        unit = UNITS.get(item, "吨" if item not in GROWING else "万元")
        rows.append(f"{item},{value},{unit},synthetic")
    for item, words in STATUS.items():
        rows.append(f"{item},{words[0] if rng.random() < 0.98 else words[1]},,")
    rows.append(f"eco_chain_projects,{rng.randint(5, 12)},个,")
    rows.append(f"major_incidents,{0 if rng.random() < 0.99 else 1},起,")
    for item in (
        "env_management",
        "cleaner_production_audit",
        "risk_prevention",
        "solid_waste_disposal",
        "disclosure_rate",
        "info_platform",
    ):
        rows.append(f"{item},{100 if rng.random() < 0.98 else rng.randint(80, 99)},%,")
    rows.append(f"green_coverage,{rng.uniform(10, 35):.1f},%,")
    rows.append(f"publicity_events,{rng.randint(1, 6)},次,")
    return rows


def generate(root: Path, parks: int, seed: int = 274) -> list[Path]:
    """Write ``parks`` synthetic park folders of ``YEARS`` years each under ``root``."""
    rng = random.Random(seed)
    # parks select optional indicators they expect to meet (Nantong: 2, 6, 8, 11, 14, 27)
    optional = [1, 2, 6, 8, 11, 14, 15, 16, 27]
    assert {str(o) for o in optional} <= set(ecopark.load_standard().optional_numbers)
    folders = []
    for i in range(parks):
        pid = f"synthetic-{i:04d}"
        folder = root / pid
        folder.mkdir(parents=True, exist_ok=True)
        selected = sorted(rng.sample(optional, rng.randint(6, 8)))
        (folder / "park.yaml").write_text(
            f"id: {pid}\nname: 合成园区 {i}\nbase_year: {FIRST_YEAR}\n"
            f"water_region: {rng.choice(['other', 'water_scarce', 'jingjinji'])}\n"
            f"selected_optional: {selected}\nsynthetic: true\n",
            encoding="utf-8",
        )
        size = rng.lognormvariate(0, 0.8)
        growth = rng.uniform(-0.03, 0.15)
        intensity = rng.uniform(-0.02, 0.08)
        for t in range(YEARS):
            rows = _year_rows(rng, size, growth, intensity, t)
            (folder / f"{FIRST_YEAR + t}.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        folders.append(folder)
    return folders


def run(folders: list[Path]) -> tuple[float, float, int, int]:
    """Load and assess every park-year.

    Returns
    -------
    (wall seconds, CPU seconds of this process, park-years, compliant park-years)
    """
    start, cpu = time.perf_counter(), time.process_time()
    count = compliant = 0
    for folder in folders:
        park = ecopark.load_park(folder)
        for year in park.years:
            a = ecopark.assess(park, year)
            count += 1
            compliant += a.compliant is True  # None: the year is not judged
    return time.perf_counter() - start, time.process_time() - cpu, count, compliant


def columnar_side_by_side(folders: list[Path], sizes: list[int], repeat: int) -> None:
    """Per-park and columnar engine on the first N parks, side by side (best of ``repeat``)."""
    from ecopark.columnar import assess_table, load_table

    print(
        f"{'park-years':>10} {'per-park s':>10} {'load s':>7} {'columnar s':>10} "
        f"{'per-park/columnar (engine)':>27} {'compliant':>9}"
    )
    for n in sizes:
        per, load, engine = math.inf, math.inf, math.inf
        for _ in range(repeat):
            seconds, _, count, compliant = run(folders[:n])
            per = min(per, seconds)
            t0 = time.perf_counter()
            table = load_table(folders[:n])
            t1 = time.perf_counter()
            got = assess_table(table)
            t2 = time.perf_counter()
            load, engine = min(load, t1 - t0), min(engine, t2 - t1)
        same = sum(e.compliant is True for e in got)
        assert same == compliant, (same, compliant)
        print(
            f"{count:>10} {per:>10.2f} {load:>7.2f} {engine:>10.2f} {per / engine:>27.1f} "
            f"{compliant:>9}"
        )


def _timed(func, *args) -> float:
    start = time.perf_counter()
    func(*args)
    return time.perf_counter() - start


def _one_run(root: Path, parks: int) -> dict[str, float]:
    """Time one run over the first ``parks`` folders already under ``root`` (a child process)."""
    folders = sorted(p for p in root.iterdir() if (p / "park.yaml").is_file())[:parks]
    ecopark.load_standard()
    run(folders[:5])
    seconds, cpu, count, compliant = run(folders)
    return {"seconds": seconds, "cpu": cpu, "count": count, "compliant": compliant}


def _one_columnar(root: Path, parks: int) -> dict[str, float]:
    """Time the columnar engine over the first ``parks`` folders under ``root`` (a child)."""
    from ecopark.columnar import assess_table, load_table, summary_row

    folders = sorted(p for p in root.iterdir() if (p / "park.yaml").is_file())[:parks]
    ecopark.load_standard()
    assess_table(load_table(folders[:5]))  # warm-up: imports, compiled formulas
    t0, c0 = time.perf_counter(), time.process_time()
    table = load_table(folders)
    t1, c1 = time.perf_counter(), time.process_time()
    rows = [summary_row(e) for e in assess_table(table) if not isinstance(e, str)]
    t2, c2 = time.perf_counter(), time.process_time()
    return {
        "load": t1 - t0,
        "load_cpu": c1 - c0,
        "engine": t2 - t1,
        "engine_cpu": c2 - c1,
        "count": len(rows),
        "compliant": sum(r.get("compliant") is True for r in rows),
        "failing": sum(len(r.get("failing") or ()) for r in rows),
    }


def _columnar_against(root: Path, sizes: list[int], tree: Path, repeat: int) -> None:
    """The columnar engine of ``tree`` and of this tree, alternating fresh processes, per size
    (best of ``repeat`` by CPU seconds, loading and engine apart)."""
    here = Path(__file__).resolve().parents[1]
    print(f"columnar engine side by side, best of {repeat} (wall [CPU] seconds):")
    print(
        f"{'park-years':>10} {'load before':>14} {'load after':>14} {'engine before':>14} "
        f"{'engine after':>14} {'load b/a':>8} {'engine b/a':>10} {'compliant':>9}"
    )
    for n in sizes:
        best: dict[str, dict[str, float]] = {}
        for _ in range(repeat):
            for label, source in (("before", tree), ("after", here)):
                got = _child(source, "--child-columnar", root, n)
                old = best.setdefault(label, got)
                for part in ("load", "engine"):
                    if got[f"{part}_cpu"] < old[f"{part}_cpu"]:
                        old[part], old[f"{part}_cpu"] = got[part], got[f"{part}_cpu"]
        b, a = best["before"], best["after"]
        assert (b["count"], b["compliant"], b["failing"]) == (
            a["count"],
            a["compliant"],
            a["failing"],
        ), (b, a)

        def cell(x: dict, part: str) -> str:
            return f"{x[part]:.2f} [{x[part + '_cpu']:.2f}]"

        print(
            f"{a['count']:>10} {cell(b, 'load'):>14} {cell(a, 'load'):>14} "
            f"{cell(b, 'engine'):>14} {cell(a, 'engine'):>14} "
            f"{b['load_cpu'] / a['load_cpu']:>8.2f} {b['engine_cpu'] / a['engine_cpu']:>10.2f} "
            f"{a['compliant']:>9}"
        )
    print(f"load average after the runs: {os.getloadavg()}")


def _child(source: Path, mode: str, root: Path, parks: int) -> dict[str, float]:
    """One timed run (``mode``: ``--child`` or ``--child-columnar``) in a fresh process with the
    ecopark of ``source``; what it printed (JSON)."""
    out = subprocess.run(
        [sys.executable, __file__, mode, str(root), "--parks", str(parks)],
        env=dict(os.environ, PYTHONPATH=str(source)),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _side_by_side(root: Path, parks: int, tree: Path, repeat: int) -> None:
    """The same parks timed with the ecopark of ``tree`` and of this tree, alternating."""
    here = Path(__file__).resolve().parents[1]
    best: dict[str, dict[str, float]] = {}
    for _ in range(repeat):
        for label, source in (("before", tree), ("after", here)):
            got = _child(source, "--child", root, parks)
            if label not in best or got["cpu"] < best[label]["cpu"]:
                best[label] = got
    print(f"side by side, {parks} parks x {YEARS} years, best of {repeat} (by CPU seconds):")
    for label, source in (("before", tree), ("after", here)):
        b = best[label]
        print(
            f"  {label:>6} ({source}): {b['seconds']:.2f} s wall, {b['cpu']:.2f} s CPU, "
            f"{1000 * b['cpu'] / b['count']:.3f} ms CPU/park-year, {b['compliant']} compliant"
        )
    print(f"  ratio after/before: {best['after']['cpu'] / best['before']['cpu']:.2f} (CPU)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--parks", type=int, nargs="+", default=[100, 300, 1000])
    p.add_argument("--out", type=Path, help="write the parks here (default: a temporary folder)")
    p.add_argument("--repeat", type=int, default=3, help="runs per size; the fastest is shown")
    p.add_argument("--profile", action="store_true", help="cProfile the largest run")
    p.add_argument("--against", type=Path, help="also time the ecopark of this source tree")
    p.add_argument("--columnar", action="store_true", help="per-park vs columnar engine only")
    p.add_argument("--child", type=Path, help=argparse.SUPPRESS)  # one timed run, as JSON
    p.add_argument("--child-columnar", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    sizes = sorted(args.parks)
    if args.child is not None:
        print(json.dumps(_one_run(args.child, sizes[-1])))
        return 0
    if args.child_columnar is not None:
        print(json.dumps(_one_columnar(args.child_columnar, sizes[-1])))
        return 0
    root = args.out or Path(tempfile.mkdtemp(prefix="ecopark-bench-"))
    try:
        t0 = time.perf_counter()
        folders = generate(root, sizes[-1])
        print(
            f"generated {sizes[-1]} parks x {YEARS} years in {time.perf_counter() - t0:.1f} s "
            f"under {root}"
        )
        ecopark.load_standard()  # compiled once per process, as in any real run
        run(folders[:5])  # warm-up: imports and the first file reads
        print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
        print(
            f"best of {args.repeat} runs; the machine may be shared, so CPU seconds are shown too"
        )
        if args.columnar and args.against is not None:
            print(f"load average before the runs: {os.getloadavg()}")
            _columnar_against(root, sizes, args.against, args.repeat)
            return 0
        if args.columnar:
            columnar_side_by_side(folders, sizes, args.repeat)
            return 0
        print(
            f"{'parks':>6} {'park-years':>10} {'seconds':>8} {'cpu s':>7} {'ms/park-year':>13} "
            f"{'compliant':>9}"
        )
        timings = {}
        for n in sizes:
            best = None
            for _ in range(args.repeat):
                if args.profile and n == sizes[-1]:
                    prof = cProfile.Profile()
                    prof.enable()
                got = run(folders[:n])
                if args.profile and n == sizes[-1]:
                    prof.disable()
                best = got if best is None or got[0] < best[0] else best
            seconds, cpu, count, compliant = best
            timings[n] = seconds
            print(
                f"{n:>6} {count:>10} {seconds:>8.2f} {cpu:>7.2f} {1000 * seconds / count:>13.3f} "
                f"{compliant:>9}"
            )
        if len(sizes) > 1:
            lo, hi = sizes[0], sizes[-1]
            print(
                f"ratio {hi}/{lo}: {timings[hi] / timings[lo]:.1f} (linear would be {hi / lo:.1f})"
            )
        # the same work through ecopark.tree.assess_tree, in one process and on every CPU,
        # side by side in this run
        from ecopark.tree import assess_tree

        n = sizes[-1]
        for jobs in (1, os.cpu_count() or 1):
            best = min(_timed(assess_tree, folders[:n], jobs) for _ in range(args.repeat))
            print(
                f"assess_tree({n} parks, jobs={jobs}): {best:.2f} s "
                f"({timings[n] / best:.2f}x the single-process loop above)"
            )
        if args.profile:
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        if args.against is not None:
            _side_by_side(root, sizes[-1], args.against, args.repeat)
    finally:
        if args.out is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
