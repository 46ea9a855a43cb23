"""The gap table: how far each indicator of a park-year is from its requirement.

One row per indicator of the standard (HJ 274-2015: 1–32) with its unrounded value, the limit
that applies, the signed margin to that limit and a status from :mod:`ecopark.status`. This is the first question
of every analysis ("which indicators fail, and which pass only by a hair?"); the what-if solver
(:mod:`ecopark.whatif`) and the selection advisor (:mod:`ecopark.advisor`) build on it.
"""

from __future__ import annotations

import pandas as pd

from ecopark.assessment import Assessment
from ecopark.frames import StatusFrame
from ecopark.status import STATUS_ZH

#: Columns of :func:`gap_table`, in order.
GAP_COLUMNS = [
    "number",
    "label",
    "category",
    "indicator",
    "indicator_en",
    "unit",
    "role",
    "value",
    "display",
    "mark",
    "requirement",
    "op",
    "limit",
    "margin_pct",
    "passed",
    "status",
    "status_zh",
    "reason_zh",
    "reason_en",
]


def gap_table(assessment: Assessment) -> pd.DataFrame:
    """Every indicator of a park-year with its value, requirement, margin and status.

    The results table (:meth:`~ecopark.assessment.Assessment.table`) with the Chinese status.

    Parameters
    ----------
    assessment : Assessment
        From :func:`ecopark.assess`.

    Returns
    -------
    StatusFrame
        A DataFrame coloured by status in JupyterLab (:class:`ecopark.frames.StatusFrame`).
        One row per indicator in the standard's order, columns :data:`GAP_COLUMNS`:

        - ``number`` (the indicator's id, str), ``label`` (as the standard prints it, e.g.
          ``C-1`` for the id ``C1``; HJ 274-2015's are its ids), ``category``, ``indicator``
          (the standard's Chinese name),
          ``indicator_en``, ``unit``;
        - ``role``: ``must`` / ``selected`` / ``optional``;
        - ``value``: the unrounded value [unit] (float; NaN when not computable or a status
          word); ``display``: as the official table prints it (the word of a status);
          ``mark``: GB/T 8170's ``(+)``/``(−)`` for a printed value at its limit, or ``""``;
        - ``requirement`` (text, e.g. ``≤8``), ``op`` (``>=``, ``<=``, ``=`` or None) and
          ``limit`` (float, or the word; None when no limit applies);
        - ``margin_pct`` [% of the limit], NaN where meaningless (see
          :meth:`~ecopark.standard.model.Limit.margin_pct`);
        - ``passed`` (True/False/None, judged by the declared comparison method);
        - ``status``: ``pass``, ``at_risk`` (passing with a margin under 10 %), ``fail`` or
          ``not_computable`` (see :mod:`ecopark.status`), ``status_zh`` its Chinese label;
        - ``reason_zh`` / ``reason_en``: why the value or its limit is missing, when it is.

        Nantong 2021: 14 is ``at_risk`` (7.63 against ≤8, margin 4.6 %), 3, 4, 9, 12 and 28
        ``fail``; 5 (6 projects against ≥6) and 7 (82.00 against ≥80) are ``at_risk`` too.
    """
    table = assessment.table()
    table["status_zh"] = table["status"].map(STATUS_ZH)
    labels = {r.number: r.label for r in assessment.results}
    table["label"] = table["number"].map(labels)
    return StatusFrame(table[GAP_COLUMNS])
