"""Trends: every indicator across the years of a park, its pace, and when it would cross.

:func:`indicator_series` assesses every year of a park with :func:`ecopark.assess` and keeps the
numeric indicator values as a tidy frame, with the engine's judgement of each year (``passed``,
``status``: taken from the results table, never judged again here). :func:`fit_trends` fits a
straight line to each indicator's exact values against the year (least squares in rational
arithmetic) and projects the calendar year in which, at that pace, the indicator would cross
its requirement *as the standard judges it* (the declared rounding and comparison method,
GB/T 8170-2008): a failing indicator starting to pass, or a passing one starting to fail.
Years at or before the base year often have no growth rates or elasticities (3, 9, 10, 13, 25,
26 need ``n = T − B > 0`` or year ``T−3``); such years contribute only the indicators they can
compute.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import NamedTuple

import numpy as np
import pandas as pd

from ecopark.engine import assess, rules_of
from ecopark.io.park import Park
from ecopark.rounding import passes
from ecopark.standard.model import Limit, Rules

#: Columns of :func:`indicator_series`.
SERIES_COLUMNS = [
    "park",
    "year",
    "number",
    "label",
    "indicator",
    "unit",
    "role",
    "value",
    "op",
    "limit",
    "passed",
    "margin_pct",
    "status",
    "exact",
    "applied_limit",
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
        ``number`` the id and ``label`` as the standard prints it; ``value`` unrounded [the
        indicator's unit] (float, for charts); ``op`` and ``limit`` as they apply that year
        (an elasticity's branch may change); ``passed``, ``margin_pct`` [% of the limit] and
        ``status`` as the engine judged that year (the
        results table's cells, by the declared comparison method); ``exact`` the exact value
        (Fraction or int) and ``applied_limit`` the engine's
        :class:`~ecopark.standard.model.Limit` (its value and decimals as written; None when
        no limit applies), from which :func:`fit_trends` judges projections. Status words
        (17, 18, 22) and not-computable indicators are left out; a year with nothing computable
        contributes no row. ``attrs["rules"]`` is the park's rule in force
        (:class:`~ecopark.standard.model.Rules`).
    """
    rows = []
    for year in years or park.years:
        a = assess(park, year)
        for r in a.results:
            if r.value is None or isinstance(r.value, str):
                continue
            numeric_limit = r.limit is not None and not isinstance(r.limit.value, str)
            exact = r.exact
            rows.append(
                {
                    "park": park.id,
                    "year": year,
                    "number": r.number,
                    "label": r.label,
                    "indicator": r.name_zh,
                    "unit": r.unit,
                    "role": r.role,
                    "value": float(r.value),
                    "op": r.limit.op if r.limit is not None else None,
                    "limit": float(r.limit.value) if numeric_limit else math.nan,
                    "passed": r.passed,
                    "margin_pct": r.margin_pct,
                    "status": r.status,
                    "exact": Fraction(r.value) if exact is None else Fraction(exact),
                    "applied_limit": r.limit if numeric_limit else None,
                }
            )
    out = pd.DataFrame(rows, columns=SERIES_COLUMNS)
    out.attrs["rules"] = rules_of(park.standard, park.config)
    return out


def judged_boundary(limit: Limit, rules: Rules) -> tuple[Fraction, bool]:
    """The value at which the declared judgement against ``limit`` turns, and its side.

    Under 全数值比较法 a value passes when it meets the limit itself: the boundary is the limit,
    which passes. Under 修约值比较法 the value rounded to the limit's decimals (``p``) is
    compared, and rounding is monotone, so a value passes ``≤ L`` when it lies below
    ``L + ½·10⁻ᵖ`` and ``≥ L`` when above ``L − ½·10⁻ᵖ``; the boundary itself is a tie, which
    passes when the declared rounding sends it onto the limit. half_even sends it to the even
    digit: against ≤0.4, 0.45 rounds to 0.4 and passes; against ≤0.5, 0.55 rounds to 0.6 and
    fails. half_up sends it away from zero: against ≤0.5, 0.55 fails; against ≤−0.5, −0.45
    rounds to −0.5 and passes.

    Returns
    -------
    (Fraction, bool)
        The boundary ``t`` [the indicator's unit] and whether ``t`` itself passes: a value
        ``v`` passes exactly when it is on the limit's passing side of ``t`` (``v < t`` for
        ``≤``, ``v > t`` for ``≥``), or ``v = t`` and the flag is True.
    """
    lim = limit.exact
    if rules.comparison == "rounded_value":
        half = Fraction(1, 2 * 10**limit.places)
        t = lim + half if limit.op == "<=" else lim - half
    else:
        t = lim
    return t, passes(t, limit, rules)


def _line(years: Sequence[int], values: Sequence[Fraction]) -> tuple[Fraction, Fraction]:
    """The least-squares line ``value = intercept + slope · year``, exactly."""
    n = len(years)
    mx = Fraction(sum(years), n)
    my = sum(values, Fraction(0)) / n
    sxx = sum((x - mx) ** 2 for x in years)
    sxy = sum((x - mx) * (v - my) for x, v in zip(years, values, strict=True))
    slope = sxy / sxx
    return slope, my - slope * mx


def _pearson(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Pearson's ``r`` of ``y`` on ``x`` and the two-sided p-value of slope = 0, as
    :func:`scipy.stats.linregress` works them out (scipy 1.17, the same operations), without
    importing :mod:`scipy.stats` (≈1 s of CPU in each process that fits a line).

    ``x`` [year] and ``y`` [the indicator's unit] are float arrays of at least two points, ``x``
    not all equal.
    """
    from scipy import special  # the t distribution's tail; loads where a line is fitted

    n = len(x)
    ssxm, ssxym, _, ssym = np.cov(x, y, bias=1).flat
    if ssxm == 0.0 or ssym == 0.0:
        r = np.asarray(np.nan if ssxym == 0 else 0.0)[()]
    else:
        r = min(max(ssxym / np.sqrt(ssxm * ssym), -1.0), 1.0)
    if n == 2:
        return r, 1.0 if y[0] == y[1] else 0.0
    df = n - 2
    tiny = 1.0e-20
    t = r * np.sqrt(df / ((1.0 - r + tiny) * (1.0 + r + tiny)))
    return r, 2 * special.stdtr(df, -np.abs(t))


def _crossing(
    limit: Limit,
    rules: Rules,
    slope: Fraction,
    intercept: Fraction,
    last_year: int,
    want_pass: bool,
    horizon: int = HORIZON_YEARS,
) -> tuple[int | None, float]:
    """First whole year after ``last_year`` (within ``horizon`` years) at which the line, as
    the standard judges its value, passes (``want_pass``) or fails; and where it crosses.

    The line's value ``v(y) = intercept + slope · y`` crosses the judged boundary ``t``
    (:func:`judged_boundary`) at ``y* = (t − intercept) / slope``, exactly. When the line moves
    toward the wanted side, the wanted judgement holds for every ``y > y*``, and at ``y = y*``
    exactly when ``t``'s own judgement is the wanted one; the year is the first whole year so,
    and not before ``last_year + 1``. A line moving the other way, or flat, never crosses.

    Returns
    -------
    (int or None, float)
        The year, None if there is none within the horizon; ``y*`` [year] as a float (NaN when
        the line is flat).
    """
    if slope == 0 or limit.op not in (">=", "<="):
        return None, math.nan
    t, t_passes = judged_boundary(limit, rules)
    exact = (t - intercept) / slope
    # The line passes for years after y* when it rises toward a ≥ limit or falls toward a ≤ one.
    passes_after = (slope > 0) == (limit.op == ">=")
    if want_pass != passes_after:
        return None, float(exact)
    year = math.ceil(exact)
    if year == exact and t_passes != want_pass:
        year += 1
    year = max(last_year + 1, year)
    return (year if year <= last_year + horizon else None), float(exact)


def fit_trends(
    series: pd.DataFrame,
    min_years: int = MIN_YEARS,
    horizon: int = HORIZON_YEARS,
    rules: Rules | None = None,
) -> pd.DataFrame:
    """A fitted pace per indicator and the projected year it would cross its requirement.

    The line is the least-squares fit of the exact values (``exact``) on the year, worked out
    in rational arithmetic, so that a series on a straight line lands on the limit in the year
    it does, not a year off by float noise. A projected value is judged as the standard judges
    a value: by the declared comparison method, after the declared rounding
    (:func:`ecopark.rounding.passes`). Under 全数值比较法 the line's value itself meets the
    limit; under 修约值比较法 it meets it once rounded to the limit's decimals, so a line falling
    toward ≤0.5 passes from the year its value drops below 0.55 (0.55 itself rounds to the even
    0.6 and fails), and one rising toward ≥0.5 from the year it exceeds 0.45 (0.45 rounds to
    0.4). The crossing year is the first whole year after the last observed one whose projected
    value is judged the other way (:func:`judged_boundary`, worked out exactly). The last
    year's judgement is the engine's (``passed`` of the series), never judged again here.

    Parameters
    ----------
    series : pandas.DataFrame
        From :func:`indicator_series` (one park).
    min_years : int
        Fewest years with a value for a fit (default 3); fewer give ``insufficient_data``.
    horizon : int
        Years past the last one within which a crossing is projected (default 30) [years];
        a crossing further out counts as none (``never`` / ``stays_passing``).
    rules : Rules, optional
        The rule in force; default the series' ``attrs["rules"]`` (the park's), else
        GB/T 8170-2008's defaults.

    Returns
    -------
    pandas.DataFrame
        One row per indicator, columns :data:`TREND_COLUMNS`:

        - ``slope`` [the indicator's unit per year] and ``intercept`` of the exact fit (as
          floats), ``r`` (Pearson) and ``p`` (two-sided, slope = 0) of value on year, as
          :func:`scipy.stats.linregress` gives them;
        - ``op``, ``limit``, ``last_passed``: the requirement and the engine's judgement of the
          last year;
        - ``outlook``: ``will_pass`` (failing now, the line reaches the requirement),
          ``never`` (failing now, the line moves away or is flat), ``will_fail`` (passing now,
          the line leaves the requirement), ``stays_passing``, ``insufficient_data`` (fewer
          than ``min_years`` years) or ``no_projection`` (an ``=`` requirement, or no limit);
        - ``crossing_year``: for ``will_pass`` / ``will_fail``, the first whole year after the
          last one in which the line's value is judged the other way (int), else None;
          ``exact_crossing``: where the line meets the judged boundary — the limit under
          全数值比较法, the limit ± half a unit of its last decimal under 修约值比较法 — [year,
          float], NaN if flat;
        - ``outlook_zh``: the outlook in Chinese.
    """
    rules = rules or series.attrs.get("rules") or Rules()
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
        limit = last["applied_limit"]
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
        if limit is None or limit.op not in (">=", "<="):
            rows.append(
                {
                    **base,
                    **empty,
                    "outlook": "no_projection",
                    "outlook_zh": OUTLOOK_ZH["no_projection"],
                }
            )
            continue
        years = [int(y) for y in g["year"]]
        slope, intercept = _line(years, list(g["exact"]))
        y = g["value"].to_numpy(float)
        r = p = math.nan
        if np.ptp(y) > 0:
            r, p = _pearson(np.asarray(years, float), y)
        passing = bool(last["passed"])
        year, exact = _crossing(
            limit,
            rules,
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
                "slope": float(slope),
                "intercept": float(intercept),
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
    return Trends(series, fit_trends(series, min_years, rules=series.attrs["rules"]))
