"""A park-year's folder of reports: which file is which, and the documents made without a kernel.

Everything of one park-year goes in ``<out>/<park>/<year>/``
(:func:`ecopark.reports.batch.index.report_path`):

=============================  ===========================================================
``01_assessment.html``         report 01 (考核表), and ``02_why_indicators_fail.html``,
``02_…html``, ``03_trends…``   ``03_trends.html``, each with its executed ``.ipynb`` (the log)
``<notebook>.pdf``             each HTML report printed to A4 (``--pdf``, ``--format pdf``)
``01_assessment.docx``         the assessment as a Word document (:mod:`ecopark.tables.wordtable`)
``01_assessment.xlsx``         the official 附表1 / 附表2 (:mod:`ecopark.tables.officetable`)
=============================  ===========================================================

The Word and Excel documents are the assessment's (report 01's) other forms, hence its stem.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ecopark.assessment import Assessment
from ecopark.reports.catalog import NOTEBOOKS

if TYPE_CHECKING:
    from ecopark.io.park import Park

#: The stem of the assessment's documents: report 01's.
ASSESSMENT_STEM = NOTEBOOKS[0].stem
#: The documents written without a kernel, by suffix.
DOCUMENT_SUFFIXES = {"docx": ".docx", "xlsx": ".xlsx"}
#: Their relative run time on the scale of the notebooks' weights (:mod:`ecopark.reports.catalog`):
#: the batch adds it to the job that makes them.
DOCUMENTS_WEIGHT = 2
#: How the index names them.
DOCUMENT_LABELS = {"docx": "Word 文档", "xlsx": "附表 xlsx"}


def document_path(out_dir: Path, park: str, year: int | str, kind: str) -> Path:
    """``<out>/<park>/<year>/01_assessment.docx`` (``kind`` ``"docx"``) or ``.xlsx``."""
    from ecopark.reports.batch.index import report_path  # the batch: not at the command's start

    return report_path(out_dir, park, year, ASSESSMENT_STEM, DOCUMENT_SUFFIXES[kind])


def document_bytes(
    a: Assessment,
    kind: str,
    filled_on: dt.date | None = None,
    template: Path | str | None = None,
) -> bytes:
    """The assessment as a ``"docx"`` (``template``: a consultant's .docx) or ``"xlsx"`` file.

    What is left of the document once made is freed here (:func:`_cycles_collected`).
    """
    with _cycles_collected():
        if kind == "docx":
            from ecopark.tables.wordtable import document_bytes as docx_bytes

            return docx_bytes(a, filled_on, template)
        from ecopark.tables.officetable import workbook_bytes

        return workbook_bytes(a, filled_on)


@contextlib.contextmanager
def _cycles_collected() -> Iterator[None]:
    """Collect the reference cycles made inside the block, scanning only the objects made there.

    python-docx and openpyxl leave cycles (a table and its rows, a row and the closure that
    lists its cells, a worksheet and its cells) that hold the whole document: about 3 MB per
    park-year's Word document and workbook. Only a full collection frees them, and in a process
    holding many objects (a batch worker: papermill, nbconvert, the engine) it comes rarely, so
    a worker making the documents of park-year after park-year grew by tens of MB. A full
    ``gc.collect()`` scans every object (≈ 290,000 in a worker: ≈ 0.15 s CPU, more than the
    workbook takes); with the objects older than the block frozen (:func:`gc.freeze`: not
    scanned, thawed after) it scans only the block's own (≈ 7 ms per park-year). If some are
    frozen already (a caller's ``gc.freeze()``, e.g. before forking), they stay frozen and the
    collection is the full one over the rest.
    """
    thaw = gc.get_freeze_count() == 0
    if thaw:
        gc.freeze()
    try:
        yield
    finally:
        gc.collect()
        if thaw:
            gc.unfreeze()


def warm_up_documents() -> None:
    """Import what :func:`park_year_documents` uses (python-docx, openpyxl, and the what-if
    solver of the Word document with pandas), e.g. before forking the processes that make them."""
    import ecopark.tables.officetable  # noqa: F401
    import ecopark.tables.wordtable  # noqa: F401
    import ecopark.whatif  # noqa: F401


def park_year_documents(park: Park, year: int) -> tuple[dict[str, bytes], dict[str, str]]:
    """A park-year's documents as the batch writes them (today's 填报时间, no template).

    Returns
    -------
    tuple of dict
        ``({kind: bytes}, {kind: why it failed})`` over :data:`DOCUMENT_SUFFIXES`; both empty
        when the park-year cannot be assessed (the batch's index says why, in its verdict).
    """
    from ecopark.engine import assess

    try:
        assessment = assess(park, year)
    except Exception:  # noqa: BLE001 - the batch's judge() puts why in the verdict: 无法评价…
        return {}, {}
    made, failed = {}, {}
    for kind in DOCUMENT_SUFFIXES:
        try:
            made[kind] = document_bytes(assessment, kind)
        except Exception as exc:  # noqa: BLE001 - a document that fails stops nothing else
            failed[kind] = f"{type(exc).__name__}: {exc}"
    return made, failed
