"""The batch's parent keeps no finished result: each job's bytes are written and dropped.

Not timed; the peak memory of 1,000 park-years is in ``benchmarks/bench_batch_memory.py``.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from ecopark.reports import batch
from ecopark.reports.batch import Job, JobResult, LocalPool, Outcome
from reports_support import ROOT

DATA = ROOT / "data"
HTML = b"<p>" + b"x" * 200_000 + b"</p>"


def _big(job: Job) -> JobResult:
    """A fake runner: 200 kB of HTML and a notebook, as a real report has."""
    outcome = Outcome(job.park, job.year, job.notebook, "ok", 0.01)
    return JobResult(outcome, ipynb=b"{}\n" * 10_000, html=HTML)


@dataclass(frozen=True)
class Watched:
    """An executor that passes another's results on and counts, as each new one arrives, how
    many of the results handed on before the previous one are still alive anywhere."""

    inner: batch.Executor
    alive: list[int] = field(default_factory=list)
    remote: bool = False

    def __call__(self, runner, jobs: list[Job]) -> Iterator[JobResult]:
        refs: list[weakref.ref] = []
        for res in self.inner(runner, jobs):
            gc.collect()
            # the previous result may still be held by the caller's loop variable
            self.alive.append(sum(r() is not None for r in refs[:-1]))
            ref = weakref.ref(res)
            refs.append(ref)
            del res
            yield ref()
        gc.collect()
        self.alive.append(sum(r() is not None for r in refs[:-1]))


@pytest.fixture(autouse=True)
def _frozen_heap() -> Iterator[None]:
    """What existed before the test is out of ``gc.collect``'s sight (``gc.freeze``): each
    collection scans only what the test made, in milliseconds instead of a quarter second. A
    result kept by a frozen object stays alive and is counted, so nothing is missed."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def test_the_local_pool_keeps_no_finished_result():
    jobs = [
        Job("p", 2021, f"nb{i}", "{}", {"park_id": "p", "year": 2021, "data_dir": "."})
        for i in range(12)
    ]
    watched = Watched(LocalPool(2, prepare=None))
    got = [r.outcome.notebook for r in watched(_big, jobs)]  # each result dropped at once
    assert sorted(got) == sorted(j.notebook for j in jobs)
    assert watched.alive == [0] * 13


def test_run_batch_keeps_no_finished_result(tmp_path):
    targets = batch.targets_for_park("example-park", None, DATA)  # 8 park-years, 24 jobs
    watched = Watched(LocalPool(2, prepare=None))
    outcomes = batch.run_batch(
        targets,
        batch.resolve_notebooks(None),
        out_dir=tmp_path / "out",
        executor=watched,
        progress=False,
        runner=_big,
        keep_ipynb=True,
    )
    assert len(outcomes) == 24 and all(o.ok for o in outcomes)
    assert watched.alive == [0] * 25
    report = tmp_path / "out" / "example-park" / "2021" / "01_assessment"
    assert report.with_suffix(".html").read_bytes() == HTML
    assert report.with_suffix(".ipynb").read_bytes() == b"{}\n" * 10_000
