"""Benchmark: the batch parent's memory over 1,000 park-years, with a fake runner (run by hand).

``run_batch`` over 1,000 synthetic park-years × the 3 report notebooks (3,000 jobs) on a local
pool of 2 workers, with a runner that returns at once what a real job returns: about 650 kB of
HTML and 450 kB of executed notebook (both are written, ``keep_ipynb``), so that only the
batch's own machinery is measured. Prints the parent's resident memory after every tenth of
the jobs and its peak (``ru_maxrss``); with ``--before TREE`` an earlier checkout runs the same
batch first, in its own process. Target: the parent's peak ≤ 300 MB, and flat. About 3 GB are
written to a temporary folder and removed.

With ``--real N`` it runs instead ``N`` real park-years (the bundled parks' park-years, repeated
under copies of the park folders named ``<park>-rNN``) with the real runner, its documents and
its index, as ``ecopark run --jobs 2`` does, and samples every 0.5 s the resident memory of the
parent, of each worker and of each kernel (psutil): it prints each role's largest process in
the first and in the last quartile of the notebooks, to show that none of them grows. Run from
the repository root::

    .venv/bin/python benchmarks/bench_batch_memory.py [--park-years 1000] [--before /tmp/before]
    .venv/bin/python benchmarks/bench_batch_memory.py --real 72
    .venv/bin/python benchmarks/bench_batch_memory.py --documents 40 [--before /tmp/before]
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HTML_BYTES = 650_000
IPYNB_BYTES = 450_000


def fake_runner(job):  # the job's real result has these sizes
    from ecopark.reports.batch import JobResult, Outcome

    outcome = Outcome(job.park, job.year, job.notebook, "ok", 0.001)
    return JobResult(outcome, ipynb=b"{" * IPYNB_BYTES, html=b"<" * HTML_BYTES)


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(data: Path, park_years: int, out: Path) -> dict:
    """Run the batch in this process (``PYTHONPATH`` chooses the tree) and report its memory."""
    from ecopark.reports import batch

    parks = sorted(p.name for p in data.iterdir() if (p / "park.yaml").is_file())
    targets = [t for park in parks for t in batch.targets_for_park(park, None, data)]
    targets = targets[:park_years]
    notebooks = batch.resolve_notebooks(None)
    n = len(targets) * len(notebooks)
    samples: list[tuple[int, float]] = [(0, _rss_mb())]
    done = [0]

    def on_result(outcome) -> None:
        done[0] += 1
        if done[0] % max(1, n // 10) == 0:
            samples.append((done[0], _rss_mb()))

    peak_sampled = [0.0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.05):
            peak_sampled[0] = max(peak_sampled[0], _rss_mb())

    threading.Thread(target=sample, daemon=True).start()
    kw = (
        {"keep_ipynb": True}
        if "keep_ipynb" in inspect.signature(batch.run_batch).parameters
        else {}
    )
    start = time.perf_counter()
    outcomes = batch.run_batch(
        targets,
        notebooks,
        out_dir=out,
        executor=batch.LocalPool(2, prepare=None),
        progress=False,
        on_result=on_result,
        runner=fake_runner,
        **kw,
    )
    seconds = time.perf_counter() - start
    stop.set()
    assert sum(o.ok for o in outcomes) == n, "every fake job succeeds"
    return {
        "park_years": len(targets),
        "jobs": n,
        "seconds": round(seconds, 1),
        "samples": samples,
        "peak_sampled_mb": round(peak_sampled[0], 1),
        "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def real_data(data: Path, park_years: int) -> list[tuple[str, int]]:
    """Copies of the bundled parks under ``data`` (``<park>-rNN``, park.yaml's id changed),
    enough for ``park_years`` of their park-years; returns the park-years, in order."""
    import shutil

    from ecopark.io.park import load_park

    bundled = [load_park(ROOT / "data" / name) for name in ("example-park", "nantong-etdz")]
    out: list[tuple[str, int]] = []
    copy = 0
    while len(out) < park_years:
        copy += 1
        for park in bundled:
            name = f"{park.id}-r{copy:02d}"
            shutil.copytree(park.path, data / name)
            yaml = data / name / "park.yaml"
            lines = yaml.read_text(encoding="utf-8").splitlines()
            lines = [f"id: {name}" if line.startswith("id:") else line for line in lines]
            yaml.write_text("\n".join(lines) + "\n", encoding="utf-8")
            out += [(name, y) for y in park.years if y > park.config.base_year]
    return out[:park_years]


def _roles(parent) -> dict[str, list[tuple[int, float]]]:
    """(pid, RSS [MB]) of the parent, its workers (its children) and their kernels."""
    import psutil

    mb = 1024 * 1024
    roles: dict[str, list[tuple[int, float]]] = {"parent": [], "workers": [], "kernels": []}
    try:
        roles["parent"].append((parent.pid, parent.memory_info().rss / mb))
        for worker in parent.children():
            roles["workers"].append((worker.pid, worker.memory_info().rss / mb))
            for kernel in worker.children(recursive=True):
                roles["kernels"].append((kernel.pid, kernel.memory_info().rss / mb))
    except psutil.Error:  # a process that ended while it was read
        pass
    return roles


def real_child(data: Path, park_years: int, out: Path) -> dict:
    """Run ``park_years`` real park-years in this process's batch, sampling every process."""
    import psutil

    from ecopark.reports import batch
    from ecopark.reports.params import ParkYear

    wanted = real_data(data, park_years)
    targets = [
        batch.Target(park, year, "bench", park_year=ParkYear(park, year, data, "bench"))
        for park, year in wanted
    ]
    notebooks = batch.resolve_notebooks(None)
    n = len(targets) * len(notebooks)
    done = [0]
    samples: list[tuple[int, dict]] = []
    stop = threading.Event()
    me = psutil.Process()

    def sample() -> None:
        while not stop.wait(0.5):
            samples.append((done[0], _roles(me)))

    def on_result(outcome) -> None:
        done[0] += 1

    threading.Thread(target=sample, daemon=True).start()
    start = time.perf_counter()
    outcomes = batch.run_batch(
        targets,
        notebooks,
        out_dir=out,
        executor=batch.LocalPool(2),
        progress=False,
        on_result=on_result,
        documents=True,
    )
    seconds = time.perf_counter() - start
    stop.set()
    failed = [(o.park, o.year, o.notebook, o.error[:200]) for o in outcomes if not o.ok]
    quartiles = {}
    for name, (lo, hi) in {"first": (0, n // 4), "last": (n - n // 4, n)}.items():
        within = [r for d, r in samples if lo <= d < hi or (name == "last" and d == n)]
        quartiles[name] = {
            role: {
                "largest_mb": round(max((m for r in within for _, m in r[role]), default=0), 1),
                "processes": len({pid for r in within for pid, _ in r[role]}),
            }
            for role in ("parent", "workers", "kernels")
        }
    return {
        "park_years": len(targets),
        "jobs": n,
        "seconds": round(seconds, 1),
        "failed": failed,
        "samples": len(samples),
        "quartiles": quartiles,
        "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def documents_child(data: Path, park_years: int) -> dict:
    """Make the documents of ``park_years`` real park-years in this process (``PYTHONPATH``
    chooses the tree), with the process's RSS [MB] every fifth park-year."""
    import psutil

    from ecopark.io.park import load_park
    from ecopark.reports.documents import park_year_documents

    me = psutil.Process()
    samples: list[tuple[int, float]] = [(0, me.memory_info().rss / 2**20)]
    start = time.process_time()
    for done, (park, year) in enumerate(real_data(data, park_years), start=1):
        made, failed = park_year_documents(load_park(data / park), year)
        if failed or len(made) != 2:
            raise SystemExit(f"{park} {year}: the documents failed: {failed}")
        if done % 5 == 0 or done == 1:
            samples.append((done, me.memory_info().rss / 2**20))
    return {
        "park_years": park_years,
        "cpu_per_park_year": round((time.process_time() - start) / park_years, 3),
        "samples": samples,
    }


def documents(park_years: int, before: Path | None) -> int:
    """``--documents``: the documents of many park-years in one process, memory and CPU."""
    sys.path.insert(0, str(HERE))
    from benchtools import commit_of

    load = os.getloadavg()
    for tree in ([before] if before else []) + [ROOT]:
        with tempfile.TemporaryDirectory(prefix="ecopark-bench-documents-") as tmp:
            proc = subprocess.run(
                [sys.executable, __file__, "--documents-child", tmp, str(park_years)],
                env=dict(os.environ, PYTHONPATH=str(tree.resolve())),
                capture_output=True,
                text=True,
                check=False,
            )
        if proc.returncode:
            raise SystemExit(f"{tree}: the documents failed:\n{proc.stderr[-3000:]}")
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            f"{commit_of(tree)}: documents of {r['park_years']} park-years in one process, "
            f"{r['cpu_per_park_year']} s CPU per park-year"
        )
        print(
            "  park-years done → RSS [MB]: " + ", ".join(f"{d}: {m:.0f}" for d, m in r["samples"])
        )
    print(
        f"load average before: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; after: {os.getloadavg()[0]:.1f}"
    )
    return 0


def _run_tree(tree: Path, data: Path, park_years: int, tmp: Path) -> dict:
    out = tmp / f"out-{tree.name}"
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(data), str(park_years), str(out)],
        env=dict(os.environ, PYTHONPATH=str(tree)),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        raise SystemExit(f"{tree}: the batch failed:\n{proc.stderr[-3000:]}")
    subprocess.run(["rm", "-rf", str(out)], check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--park-years", type=int, default=1000)
    p.add_argument("--before", type=Path, help="an earlier checkout, run first for comparison")
    p.add_argument("--real", type=int, metavar="N", help="N real park-years instead (e.g. 72)")
    p.add_argument(
        "--documents", type=int, metavar="N", help="the documents of N park-years instead"
    )
    p.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    p.add_argument("--documents-child", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.documents_child:
        data, n = args.documents_child
        print(json.dumps(documents_child(Path(data), int(n))))
        return 0
    if args.documents:
        return documents(args.documents, args.before)
    if args.child:
        data, n, out = args.child
        print(json.dumps(child(Path(data), int(n), Path(out))))
        return 0
    if args.real:
        return real(args.real)
    sys.path.insert(0, str(HERE))
    from bench_engine import generate
    from benchtools import commit_of

    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="ecopark-bench-memory-") as tmp:
        data = Path(tmp) / "data"
        generate(data, -(-args.park_years // 9))  # 9 evaluation years per park
        trees = ([args.before] if args.before else []) + [ROOT]
        for tree in trees:
            r = _run_tree(tree.resolve(), data, args.park_years, Path(tmp))
            print(
                f"{commit_of(tree)}: {r['jobs']} jobs ({r['park_years']} park-years × 3 notebooks) "
                f"in {r['seconds']} s; parent peak RSS {r['maxrss_mb']} MB "
                f"(sampled every 50 ms: {r['peak_sampled_mb']} MB)"
            )
            print(
                "  jobs done → parent RSS [MB]: "
                + ", ".join(f"{d}: {m:.0f}" for d, m in r["samples"])
            )
    print(
        f"load average before: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; after: {os.getloadavg()[0]:.1f}"
    )
    return 0


def real(park_years: int) -> int:
    """``--real``: the batch of real park-years in this process; what every role held."""
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT))
    from benchtools import commit_of

    os.environ.setdefault("MPLBACKEND", "Agg")
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="ecopark-bench-memory-real-") as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        r = real_child(data, park_years, Path(tmp) / "out")
    print(
        f"{commit_of(ROOT)}: {r['jobs']} real notebooks ({r['park_years']} park-years × 3, with "
        f"their documents) on 2 workers in {r['seconds']} s, {len(r['failed'])} failed; "
        f"{r['samples']} samples; parent peak RSS {r['maxrss_mb']} MB"
    )
    for f in r["failed"][:5]:
        print("  failed:", *f)
    for role in ("parent", "workers", "kernels"):
        first, last = r["quartiles"]["first"][role], r["quartiles"]["last"][role]
        print(
            f"  {role}: largest RSS {first['largest_mb']} MB in the first quartile of the "
            f"notebooks ({first['processes']} process(es)), {last['largest_mb']} MB in the last "
            f"({last['processes']})"
        )
    print(
        f"load average before: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; after: {os.getloadavg()[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
