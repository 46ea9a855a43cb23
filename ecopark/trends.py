"""Trends: every indicator across the years of a park, its pace, and when it would cross.

:func:`indicator_series` assesses every year of a park with :func:`ecopark.assess` and keeps the
numeric indicator values as a tidy frame. :func:`fit_trends` fits a straight line to each
indicator's values against the year (:func:`scipy.stats.linregress`) and projects the calendar
year in which, at that pace, the indicator would cross its requirement: a failing indicator
starting to pass, or a passing one starting to fail. Years at or before the base year often have
no growth rates or elasticities (3, 9, 10, 13, 25, 26 need ``n = T − B > 0`` or year ``T−3``);
such years contribute only the indicators they can compute.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd

from ecopark.engine import assess
from ecopark.io.park import Park
from ecopark.standard.model import Limit

#: Columns of :func:`indicator_series`.
SERIES_COLUMNS = [
    "park",
    "year",
    "number",
    "indicator",
    "unit",
    "role",
    "value",
    "op",
    "limit",
    "passed",
]

#: Columns of :func:`fit_trends`.
TREND_COLUMNS = [
    "number",
    "indicator",
    "unit",
    "n_years",
    "first_year",
    "last_year",
    "last_value",
    "op",
    "limit",
    "last_passed",
    "slope",
    "intercept",
    "r",
    "p",
    "outlook",
    "crossing_year",
    "exact_crossing",
    "outlook_zh",
]

#: Outlooks of :func:`fit_trends` and their Chinese wording.
OUTLOOK_ZH = {
    "will_pass": "按现有速度将于 {year} 年达标",
    "never": "按现有速度 {horizon} 年内无法达标",
    "will_fail": "按现有速度将于 {year} 年不再达标",
    "stays_passing": "按现有速度 {horizon} 年内持续达标",
    "insufficient_data": "数据年份不足（少于 {min_years} 年），不作趋势判断",
    "no_projection": "要求为定值（=），不作趋势预测",
}

#: Fewest years with a value for a fitted pace.
MIN_YEARS = 3
#: Projections further than this many years past the last year are not made: a pace that is
#: only rounding noise would otherwise "cross" in the year 753312.
HORIZON_YEARS = 30


def indicator_series(park: Park, years: list[int] | None = None) -> pd.DataFrame:
    """Every numeric indicator value of every year of a park, as a tidy frame.

    Parameters
    ----------
    park : Park
        From :func:`ecopark.load_park`.
    years : list of int, optional
        Only these years (default: every year with a data file).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SERIES_COLUMNS`, one row per (year, indicator) with a numeric value:
        ``value`` unrounded [the indicator's unit], ``op`` and ``limit`` as they apply that year
        (an elasticity's branch may change), ``passed`` as the engine judged it. Status words
        (17, 18, 22) and not-computable indicators are left out; a year with nothing computable
        contributes no row.
    """
    rows = []
    for year in years or park.years:
        a = assess(park, year)
        for r in a.results:
            if r.value is None or isinstance(r.value, str):
                continue
            numeric_limit = r.limit is not None and not isinstance(r.limit.value, str)
            rows.append(
                {
                    "park": park.id,
                    "year": year,
                    "number": r.number,
                    "indicator": r.name_zh,
                    "unit": r.unit,
                    "role": r.role,
                    "value": float(r.value),
                    "op": r.limit.op if r.limit is not None else None,
                    "limit": float(r.limit.value) if numeric_limit else math.nan,
                    "passed": r.passed,
                }
            )
    return pd.DataFrame(rows, columns=SERIES_COLUMNS)


def _crossing(
    op: str,
    limit: float,
    slope: float,
    intercept: float,
    last_year: int,
    want_pass: bool,
    horizon: int = HORIZON_YEARS,
) -> tuple[int | None, float]:
    """First whole year after ``last_year`` (within ``horizon`` years) at which the line passes (or fails)."""
    if slope == 0 or not math.isfinite(slope) or op not in (">=", "<="):
        return None, math.nan
    exact = (limit - intercept) / slope
    # The line passes for years >= exact when it rises toward a ≥ limit or falls toward a ≤ one.
    passes_after = (slope > 0) == (op == ">=")
    if want_pass != passes_after:
        return None, exact
    if exact > last_year + horizon:
        return None, exact
    year = max(last_year + 1, math.ceil(exact))
    if not want_pass and float(year) == exact:  # on the line's limit it still passes
        year += 1
    for y in range(year, year + 3):  # guard against float edge cases
        if Limit(op, limit).passes(intercept + slope * y) == want_pass:
            return y, exact
    return None, exact  # pragma: no cover


def fit_trends(
    series: pd.DataFrame, min_years: int = MIN_YEARS, horizon: int = HORIZON_YEARS
) -> pd.DataFrame:
    """A fitted pace per indicator and the projected year it would cross its requirement.

    Parameters
    ----------
    series : pandas.DataFrame
        From :func:`indicator_series` (one park).
    min_years : int
        Fewest years with a value for a fit (default 3); fewer give ``insufficient_data``.
    horizon : int
        Years past the last one within which a crossing is projected (default 30) [years];
        a crossing further out counts as none (``never`` / ``stays_passing``).

    Returns
    -------
    pandas.DataFrame
        One row per indicator, columns :data:`TREND_COLUMNS`:

        - ``slope`` [the indicator's unit per year], ``intercept``, ``r`` (Pearson), ``p``
          (two-sided, slope = 0) from :func:`scipy.stats.linregress` of value on year;
        - ``op``, ``limit``, ``last_passed``: the requirement and the judgement of the last year;
        - ``outlook``: ``will_pass`` (failing now, the line reaches the requirement),
          ``never`` (failing now, the line moves away or is flat), ``will_fail`` (passing now,
          the line leaves the requirement), ``stays_passing``, ``insufficient_data`` (fewer
          than ``min_years`` years) or ``no_projection`` (an ``=`` requirement, or no limit);
        - ``crossing_year``: for ``will_pass`` / ``will_fail``, the first whole year after the
          last one in which the fitted line is on the other side (int), else None;
          ``exact_crossing``: where the line meets the limit [year, float], NaN if flat;
        - ``outlook_zh``: the outlook in Chinese.
    """
    rows = []
    for number, g in series.groupby("number", sort=False):  # in the order of the series
        g = g.sort_values("year")
        last = g.iloc[-1]
        base = {
            "number": number,
            "indicator": last["indicator"],
            "unit": last["unit"],
            "n_years": len(g),
            "first_year": int(g["year"].iloc[0]),
            "last_year": int(last["year"]),
            "last_value": float(last["value"]),
            "op": last["op"],
            "limit": float(last["limit"]),
            "last_passed": last["passed"],
        }
        empty = {
            "slope": math.nan,
            "intercept": math.nan,
            "r": math.nan,
            "p": math.nan,
            "crossing_year": None,
            "exact_crossing": math.nan,
        }
        if len(g) < max(2, min_years):
            rows.append(
                {
                    **base,
                    **empty,
                    "outlook": "insufficient_data",
                    "outlook_zh": OUTLOOK_ZH["insufficient_data"].format(min_years=min_years),
                }
            )
            continue
        if last["op"] not in (">=", "<=") or math.isnan(base["limit"]):
            rows.append(
                {
                    **base,
                    **empty,
                    "outlook": "no_projection",
                    "outlook_zh": OUTLOOK_ZH["no_projection"],
                }
            )
            continue
        x = g["year"].to_numpy(float)
        y = g["value"].to_numpy(float)
        if np.ptp(y) == 0:
            slope, intercept, r, p = 0.0, float(y[0]), math.nan, math.nan
        else:
            from scipy import stats  # scipy loads where a line is fitted, not at import

            fit = stats.linregress(x, y)
            slope, intercept, r, p = fit.slope, fit.intercept, fit.rvalue, fit.pvalue
        passing = bool(last["passed"])
        year, exact = _crossing(
            last["op"],
            base["limit"],
            slope,
            intercept,
            base["last_year"],
            want_pass=not passing,
            horizon=horizon,
        )
        if passing:
            outlook = "stays_passing" if year is None else "will_fail"
        else:
            outlook = "never" if year is None else "will_pass"
        rows.append(
            {
                **base,
                "slope": slope,
                "intercept": intercept,
                "r": r,
                "p": p,
                "outlook": outlook,
                "crossing_year": year,
                "exact_crossing": exact,
                "outlook_zh": OUTLOOK_ZH[outlook].format(
                    year=year, min_years=min_years, horizon=horizon
                ),
            }
        )
    out = pd.DataFrame(rows, columns=TREND_COLUMNS)
    out["crossing_year"] = out["crossing_year"].astype("Int64")
    return out


class Trends(NamedTuple):
    """:func:`park_trends`' result: the tidy series and the fitted trends (unpacks as a pair)."""

    series: pd.DataFrame
    fits: pd.DataFrame

    def __repr__(self) -> str:
        from ecopark.display import trends_text

        return trends_text(self.series, self.fits)

    def _repr_html_(self) -> str:
        from ecopark.display import trends_html

        return trends_html(self.series, self.fits)


def park_trends(park: Park, min_years: int = MIN_YEARS, years: list[int] | None = None) -> Trends:
    """:func:`indicator_series` and :func:`fit_trends` of a park in one call.

    Returns
    -------
    Trends
        ``(series, fits)``: the tidy series and the fitted trends; displays as the fits table.
    """
    series = indicator_series(park, years)
    return Trends(series, fit_trends(series, min_years))
