"""A portfolio of park-years: verdicts, failing counts and a ranking, from the long results table.

Everything here reads the tidy table of :func:`ecopark.comparison.results` (one row per park,
year and indicator, as the engine judged it) and only counts and sorts it: no value is
recomputed, no requirement re-judged. The batch's ``index.html`` and the portfolio notebook
(``04_portfolio``) both use these, so that they count alike.

A park-year's verdict is its outcome (:data:`ecopark.verdict.OUTCOMES`), worded by
:data:`ecopark.verdict.VERDICT_ZH`: 符合, 不符合, 不具备评价条件 (a gate tier of the standard, such as
基本要求, failed) or 不作评价.

An indicator *counts* for a park-year when it decides the verdict: a must indicator or an
optional one the park selected (role ``must`` or ``selected``); unselected optional indicators
are shown (未选) but never counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecopark.assessment import ROLE_WORDS
from ecopark.status import STATUS_ORDER
from ecopark.verdict import OUTCOMES, VERDICT_ZH

if TYPE_CHECKING:  # pandas is imported by the functions (the command line starts without it)
    import pandas as pd

#: The roles whose indicators decide a verdict.
COUNTED_ROLES: tuple[str, ...] = ("must", "selected")
#: The word for an indicator that does not count (an optional one not selected): 未选.
NOT_SELECTED = "not_selected"
NOT_SELECTED_ZH = ROLE_WORDS["label"]["optional"]
#: How a portfolio marks a park whose data are made up (park.yaml ``synthetic: true``).
SYNTHETIC_ZH = "合成示例数据"
#: Columns of :func:`park_years`.
PARK_YEAR_COLUMNS = [
    "park",
    "park_name",
    "synthetic",
    "standard",
    "year",
    "compliant",
    "outcome",
    "verdict",
    *STATUS_ORDER,
    "counted",
]
#: Columns of :func:`by_indicator`.
INDICATOR_COLUMNS = ["standard", "number", "indicator", *STATUS_ORDER, "counted", "not_selected"]
#: What names an indicator across a portfolio: two standards may both have an indicator "1".
_INDICATOR = ["standard", "number"]
_KEYS = ["park", "year"]


def cell_status(results: pd.DataFrame) -> pd.Series:
    """Each row's status as a portfolio shows it: the engine's status, or ``not_selected``.

    Parameters
    ----------
    results : pandas.DataFrame
        :func:`ecopark.comparison.results` (or rows of it).

    Returns
    -------
    pandas.Series
        ``pass`` / ``at_risk`` / ``fail`` / ``not_computable`` for an indicator that counts,
        ``not_selected`` for one that does not.
    """
    counted = results["role"].isin(COUNTED_ROLES)
    return results["status"].where(counted, NOT_SELECTED)


def _status_counts(results: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    import pandas as pd

    counted = results[results["role"].isin(COUNTED_ROLES)]
    counts = pd.crosstab([counted[k] for k in by], counted["status"]) if len(counted) else None
    index = results.groupby(by, sort=False).size().index
    out = pd.DataFrame(index=index)
    for status in STATUS_ORDER:
        out[status] = 0 if counts is None or status not in counts else counts[status]
    out = out.fillna(0).astype(int)
    out["counted"] = out[list(STATUS_ORDER)].sum(axis=1)
    return out


def park_years(results: pd.DataFrame) -> pd.DataFrame:
    """One row per park-year: its verdict and how many of its counted indicators have each status.

    Parameters
    ----------
    results : pandas.DataFrame
        :func:`ecopark.comparison.results`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PARK_YEAR_COLUMNS`, in the order of ``results``: ``outcome`` is one of
        :data:`ecopark.verdict.OUTCOMES`, ``verdict`` its word, 符合 / 不符合 / 不具备评价条件 /
        不作评价 (:data:`ecopark.verdict.VERDICT_ZH`); ``pass``, ``at_risk``, ``fail`` and
        ``not_computable`` count the indicators that decide the verdict (must and selected
        ones), ``counted`` is their number.
    """
    import pandas as pd

    if results.empty:
        return pd.DataFrame(columns=PARK_YEAR_COLUMNS)
    head = results.drop_duplicates(_KEYS).set_index(_KEYS)
    out = _status_counts(results, _KEYS).join(
        head[["park_name", "synthetic", "standard", "compliant", "outcome"]]
    )
    out["compliant"] = [None if pd.isna(c) else bool(c) for c in out["compliant"]]
    out["verdict"] = [VERDICT_ZH[o] for o in out["outcome"]]
    return out.reset_index()[PARK_YEAR_COLUMNS]


def by_indicator(results: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator of each standard: across the park-years, how often it had each status.

    Parameters
    ----------
    results : pandas.DataFrame
        :func:`ecopark.comparison.results`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`INDICATOR_COLUMNS`, by standard and indicator id (the first seen first,
        each standard's indicators in its order): the number of park-years for
        which the indicator counts and has each status, ``counted`` (park-years where it
        counts) and ``not_selected`` (park-years where it is an optional one not selected).
    """
    import pandas as pd

    if results.empty:
        return pd.DataFrame(columns=INDICATOR_COLUMNS)
    out = _status_counts(results, _INDICATOR)  # first seen first: the standard's order
    names = results.drop_duplicates(_INDICATOR).set_index(_INDICATOR)["indicator"]
    out["indicator"] = names.reindex(out.index)
    n = results.groupby(_INDICATOR).size().reindex(out.index)
    out["not_selected"] = n - out["counted"]
    return out.reset_index()[INDICATOR_COLUMNS]


def most_failed(results: pd.DataFrame) -> pd.DataFrame:
    """The indicators that fail in at least one park-year where they count, most failures first.

    Ties by the number at risk (more first), then in the standard's order. Columns as
    :func:`by_indicator`.
    """
    t = by_indicator(results)  # in the standard's order: the stable sort keeps it for ties
    t = t[t["fail"] > 0]
    return t.sort_values(["fail", "at_risk"], ascending=[False, False], kind="stable").reset_index(
        drop=True
    )


def ranking(results: pd.DataFrame) -> pd.DataFrame:
    """The park-years ranked: compliant first, then fewer failing, at-risk and unknown indicators.

    By outcome in the order of :data:`ecopark.verdict.OUTCOMES`: 符合, 不符合, 不具备评价条件 (a
    gate tier failed), and years that are not judged (不作评价) last. Park-years equal on all
    four keys share a rank (1, 2, 2, 4).

    Returns
    -------
    pandas.DataFrame
        :func:`park_years` sorted, with a ``rank`` column in front.
    """
    import pandas as pd

    t = park_years(results)
    if t.empty:
        return t.assign(rank=pd.Series(dtype=int))[["rank", *PARK_YEAR_COLUMNS]]
    order = {o: i for i, o in enumerate(OUTCOMES)}
    keys = list(
        zip(t["outcome"].map(order), t["fail"], t["at_risk"], t["not_computable"], strict=True)
    )
    t = t.assign(_k=keys).sort_values("_k", kind="stable").reset_index(drop=True)
    ranks: list[int] = []
    for i, k in enumerate(t["_k"]):
        ranks.append(ranks[-1] if i and k == t["_k"][i - 1] else i + 1)
    t.insert(0, "rank", ranks)
    return t.drop(columns="_k")
