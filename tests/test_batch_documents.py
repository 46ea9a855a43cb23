"""The batch's Word documents and xlsx: made in the worker with the park-year's first notebook.

The jobs say which one makes them, the parent writes what the job made (and makes them itself
only for a runner that did not), a failed document is a failed row of its own; the documents of
the shared `ecopark run` (made in its workers) are those this process makes.
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from ecopark.io.park import load_park
from ecopark.reports import batch
from ecopark.reports.batch import InProcess, Job, JobResult, Outcome
from ecopark.reports.batch.job import _documents
from ecopark.reports.batch.run import job_weight, make_jobs
from ecopark.reports.documents import DOCUMENTS_WEIGHT, park_year_documents
from ecopark.reports.params import ParkYear
from reports_support import ROOT, good_park_years

DATA = ROOT / "data"
NOTEBOOKS = batch.resolve_notebooks()


def _targets(years, park="nantong-etdz"):
    return batch.targets_for_park(park, years, DATA)


def test_one_job_per_park_year_makes_its_documents_the_first_notebooks():
    targets = _targets([2021]) + _targets([2020, 2021], "example-park") + _targets([2021])
    assert all(t.runnable for t in targets)  # Nantong 2021 asked for twice
    jobs = make_jobs(targets, NOTEBOOKS, None, None, documents=True)
    carriers = [(j.park, j.year, j.notebook) for j in jobs if j.documents]
    assert sorted(carriers) == [
        ("example-park", 2020, NOTEBOOKS[0].stem),
        ("example-park", 2021, NOTEBOOKS[0].stem),
        ("nantong-etdz", 2021, NOTEBOOKS[0].stem),
    ]
    assert [job_weight(j) for j in jobs] == sorted((job_weight(j) for j in jobs), reverse=True)
    first = next(j for j in jobs if j.documents)
    assert job_weight(first) == job_weight(Job(**{**vars(first), "documents": False})) + (
        DOCUMENTS_WEIGHT
    )
    assert not any(j.documents for j in make_jobs(targets, NOTEBOOKS, None, None))


class _Runner:
    """A fake runner that hands back canned documents (or none) with the carrying job."""

    def __init__(self, documents=None, errors=None):
        self.documents, self.errors = documents, errors or {}

    def __call__(self, job: Job) -> JobResult:
        res = JobResult(Outcome(job.park, job.year, job.notebook, "ok", 0.1), None, b"<p>r</p>")
        if job.documents:
            res.documents, res.document_errors = self.documents, self.errors
        return res


def _run(tmp_path, runner):
    out = tmp_path / "out"
    outcomes = batch.run_batch(
        _targets([2021]), NOTEBOOKS, out, executor=InProcess(), runner=runner,
        progress=False, documents=True, index=False,
    )  # fmt: skip
    return outcomes, out / "nantong-etdz" / "2021"


def test_the_parent_writes_the_documents_the_job_made(tmp_path):
    outcomes, folder = _run(tmp_path, _Runner({"docx": b"WORD", "xlsx": b"XLSX"}))
    assert all(o.ok for o in outcomes)
    assert (folder / "01_assessment.docx").read_bytes() == b"WORD"
    assert (folder / "01_assessment.xlsx").read_bytes() == b"XLSX"


def test_a_document_the_job_failed_to_make_is_a_failed_row(tmp_path):
    runner = _Runner({"xlsx": b"XLSX"}, {"docx": "ValueError: no table"})
    outcomes, folder = _run(tmp_path, runner)
    failed = [(o.notebook, o.status, o.error) for o in outcomes if not o.ok]
    assert failed == [("01_assessment.docx", "failed", "ValueError: no table")]
    assert not (folder / "01_assessment.docx").exists()
    assert (folder / "01_assessment.xlsx").read_bytes() == b"XLSX"


def test_a_worker_reads_the_park_it_was_given_or_fails_each_document(tmp_path):
    py = ParkYear("nantong-etdz", 2021, DATA)
    job = Job("nantong-etdz", 2021, NOTEBOOKS[0].stem, "{}", py.parameters(), documents=True)
    made, errors = _documents(job, DATA)
    assert set(made) == {"docx", "xlsx"} and errors == {}
    assert _document_xml(made["docx"]) == _document_xml(
        park_year_documents(load_park(DATA / "nantong-etdz"), 2021)[0]["docx"]
    )
    made, errors = _documents(job, tmp_path)  # no park there
    assert made == {} and set(errors) == {"docx", "xlsx"}
    assert "nantong-etdz" in errors["docx"]


def _document_xml(docx: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml")


def _cells(xlsx: bytes) -> dict[str, list[list[object]]]:
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    return {s: [[c.value for c in row] for row in wb[s].iter_rows()] for s in wb.sheetnames}


def _on_the_day_of(path, monkeypatch):
    """Make the documents here as on the day ``path`` was written (their 填报时间 is the day
    they are made): a run that crosses midnight compares like with like."""
    import datetime as dt
    import types

    from ecopark.tables import officetable, wordtable

    day = dt.date.fromtimestamp(path.stat().st_mtime)

    class _Date(dt.date):
        @classmethod
        def today(cls):
            return day

    for module in (officetable, wordtable):
        monkeypatch.setattr(module, "dt", types.SimpleNamespace(**{**vars(dt), "date": _Date}))


@pytest.mark.slow
def test_the_workers_documents_are_those_made_here(monkeypatch):
    """The shared `ecopark run` (2 workers) made each park-year's documents in a worker."""
    from reports_support import batch_run

    run = batch_run()
    assert not [r for r in run.summary if r["notebook"].endswith((".docx", ".xlsx"))]
    good = good_park_years()
    for park, year in (good[0], good[-1]):  # Nantong 2021 and the park of hostile text
        _on_the_day_of(run.report(park, year, "01_assessment", ".docx"), monkeypatch)
        made, errors = park_year_documents(load_park(run.data / park), year)
        assert errors == {}
        written = run.report(park, year, "01_assessment", ".docx").read_bytes()
        assert _document_xml(written) == _document_xml(made["docx"]), (park, year)
        written = run.report(park, year, "01_assessment", ".xlsx").read_bytes()
        assert _cells(written) == _cells(made["xlsx"]), (park, year)
