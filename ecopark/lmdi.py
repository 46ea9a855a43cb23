"""LMDI-I: the logarithmic mean Divisia index, knowing no park.

The logarithmic mean Divisia index (LMDI-I, Ang 2005, 2015) splits the change of an aggregate
``V = Σ_i Π_k x_{k,i}`` into one effect per factor ``k``:

- additive: ``ΔV_k = Σ_i L(V_i^T, V_i^0) · ln(x_{k,i}^T / x_{k,i}^0)``, ``Σ_k ΔV_k = V^T − V^0``;
- multiplicative: ``D_k = exp(ΔV_k / L(V^T, V^0))``, ``Π_k D_k = V^T / V^0``.

Both are exact (no residual). Zeros are handled by the analytical limits of Ang & Liu (2007),
never by replacing 0 with a small number; negative inputs are a data error for HJ 274 items and
raise :class:`ValueError`. Formulas and worked numbers: ``shared/notes/attribution-lmdi.md``.
The park's indicators are attributed with these in :mod:`ecopark.attribution`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

#: Pseudo-factor for a sub-category whose change cannot be split between factors because several
#: factors are zero at once (a new or a closed sector): Ang & Liu (2007).
NEW_ACTIVITY = "新增/退出活动 (new/removed activity)"


def logmean(a: float | np.ndarray, b: float | np.ndarray) -> float | np.ndarray:
    """Logarithmic mean ``L(a, b) = (a − b) / (ln a − ln b)``, with its analytical limits.

    Parameters
    ----------
    a, b : float or array_like
        Non-negative values (broadcast together) [any unit, the same for both].

    Returns
    -------
    float or numpy.ndarray
        ``L(a, b)`` [the unit of a]; ``L(a, a) = a``, ``L(a, 0) = L(0, b) = L(0, 0) = 0``.
        A float when both inputs are scalars.

    Raises
    ------
    ValueError
        If any input is negative or NaN: LMDI is undefined there, and for HJ 274 amounts (energy,
        waste, water, value added) a negative value is a data error.

    Notes
    -----
    When ``a`` and ``b`` are close the plain formula loses digits (``ln a − ln b`` cancels);
    ``log1p((a − b) / b)`` keeps machine precision there.
    """
    scalar = np.ndim(a) == 0 and np.ndim(b) == 0
    x, y = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    if np.isnan(x).any() or np.isnan(y).any():
        raise ValueError("NaN input: the logarithmic mean is undefined (missing data?)")
    if (x < 0).any() or (y < 0).any():
        raise ValueError("negative input: LMDI is undefined for negative values (data error)")
    out = np.zeros(x.shape)
    same = (x > 0) & (x == y)
    diff = (x > 0) & (y > 0) & (x != y)
    xd, yd = x[diff], y[diff]
    lg = np.log(xd) - np.log(yd)
    near = np.abs(xd - yd) < 0.5 * yd
    lg[near] = np.log1p((xd[near] - yd[near]) / yd[near])
    out[same] = x[same]
    out[diff] = (xd - yd) / lg
    return float(out) if scalar else out


#: ``exp`` of more than this overflows a float: a factor ratio that large is not a number.
_MAX_LOG = math.log(np.finfo(float).max)

#: Why a factor ratio is undefined, by cause (the note of the row).
RATIO_UNDEFINED = {
    "nonpositive": "乘法分解无定义：起止值含 0 或负值 (multiplicative form undefined: a value is 0 "
    "or negative)",
    "overflow": "乘法分解无定义：起止值接近 0 而效应不为 0，因子比值超出数值范围 (multiplicative "
    "form undefined: the values are near 0 and the effect is not, so the ratio is beyond any number)",
}


def factor_ratio(effect: float, v0: float, v1: float) -> tuple[float, str]:
    """Multiplicative factor ``exp(effect / L(v1, v0))`` of an additive effect, or why there is none.

    Parameters
    ----------
    effect : float
        The factor's additive effect [unit of V].
    v0, v1 : float
        The aggregate at the start and the end [unit of V].

    Returns
    -------
    (float, str)
        The ratio [-] and an empty note; or NaN and the reason (:data:`RATIO_UNDEFINED`): a value is 0 or negative, or the ratio overflows (values
        near 0 with a non-zero effect). Equal values use ``L(v, v) = v``; a zero effect is 1.
    """
    if not (v0 > 0 and v1 > 0):
        return math.nan, RATIO_UNDEFINED["nonpositive"]
    if effect == 0:
        return 1.0, ""
    log_ratio = effect / logmean(v1, v0)
    if not math.isfinite(log_ratio) or abs(log_ratio) > _MAX_LOG:
        return math.nan, RATIO_UNDEFINED["overflow"]
    return math.exp(log_ratio), ""


def _log_ratio(x1: np.ndarray, x0: np.ndarray) -> np.ndarray:
    """``ln(x1 / x0)`` for positive values: of the quotient (exact for close values), or the
    difference of the logarithms where the quotient would overflow or underflow."""
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        q = x1 / x0
        out = np.log(q)
    bad = ~np.isfinite(out) | (q == 0)
    if bad.any():
        out = np.where(bad, np.log(x1) - np.log(x0), out)
    return out


def _two_periods(frame: pd.DataFrame, period: str, start, end) -> tuple[object, object]:
    if start is not None and end is not None:
        return start, end
    labels = sorted(frame[period].unique())
    if len(labels) != 2:
        raise ValueError(
            f"expected exactly two periods in column '{period}', found {labels}; "
            "give start= and end="
        )
    return labels[0], labels[1]


def _matrices(frame: pd.DataFrame, by: str, period: str, factor: str, value: str, start, end):
    start, end = _two_periods(frame, period, start, end)
    sub = frame[frame[period].isin([start, end])]
    if sub.duplicated([by, factor, period]).any():
        raise ValueError(f"a ({by}, {factor}, {period}) combination appears twice")
    factors = list(dict.fromkeys(sub[factor]))
    groups = list(dict.fromkeys(sub[by]))
    # a dict, not set_index/unstack: the pandas pivot cost most of an attribution's time
    keys = zip(sub[by], sub[factor], sub[period], strict=True)
    cell = dict(zip(keys, sub[value].astype(float).tolist(), strict=True))
    present = set(sub[period])
    pairs = [(g, f) for g in groups for f in factors]
    out = []
    for label in (start, end):
        x = np.array([cell.get((g, f, label), np.nan) for g, f in pairs], dtype=float)
        if label not in present and not pairs:
            raise ValueError(
                f"every {by} needs every factor in both periods; missing in {label}: []"
            )
        out.append(x.reshape(len(groups), len(factors)))
    x0, x1 = out
    _check(x0, x1, by, groups, factors, (start, end))
    return groups, factors, x0, x1


def _check(x0: np.ndarray, x1: np.ndarray, by: str, groups, factors, labels) -> None:
    """Raise ValueError if a factor value (rows ``groups``, columns ``factors``) is missing (NaN),
    negative or not finite in either period (``labels``)."""
    pairs = [(g, f) for g in groups for f in factors]
    for label, x in zip(labels, (x0, x1), strict=True):
        gaps = np.isnan(x).ravel()
        if gaps.any():
            missing = [pair for pair, gap in zip(pairs, gaps, strict=True) if gap]
            raise ValueError(
                f"every {by} needs every factor in both periods; missing in {label}: {missing[:5]}"
            )
    if (x0 < 0).any() or (x1 < 0).any():
        raise ValueError(
            "negative factor value: LMDI is undefined for negative values (data error)"
        )
    if not (np.isfinite(x0).all() and np.isfinite(x1).all()):
        raise ValueError("non-finite factor value: LMDI needs finite values")


def _terms(x0: np.ndarray, x1: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per sub-category additive effects (rows i, columns k), new-activity effects, V^0_i, V^T_i."""
    v0 = np.prod(x0, axis=1)
    v1 = np.prod(x1, axis=1)
    w = np.atleast_1d(logmean(v1, v0))
    effects = np.zeros(x0.shape)
    new = np.zeros(len(v0))
    both = (v0 > 0) & (v1 > 0)
    if both.any():
        effects[both] = w[both, None] * _log_ratio(x1[both], x0[both])
    for i in np.flatnonzero(~both):
        if v0[i] == 0 and v1[i] > 0:  # factor(s) zero at the start
            zeros = np.flatnonzero(x0[i] == 0)
            if len(zeros) == 1:
                effects[i, zeros[0]] = v1[i]
            else:
                new[i] = v1[i]
        elif v1[i] == 0 and v0[i] > 0:  # factor(s) zero at the end
            zeros = np.flatnonzero(x1[i] == 0)
            if len(zeros) == 1:
                effects[i, zeros[0]] = -v0[i]
            else:
                new[i] = -v0[i]
        # both zero: every effect 0
    return effects, new, v0, v1


def lmdi_terms(
    frame: pd.DataFrame,
    *,
    by: str = "i",
    period: str = "period",
    factor: str = "factor",
    value: str = "value",
    start: object = None,
    end: object = None,
) -> pd.DataFrame:
    """Additive LMDI-I effects of every factor in every sub-category.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long frame with one row per sub-category (column ``by``), period and factor, and the
        factor's value (non-negative). Every sub-category must have every factor in both periods;
        the product of its factors is its contribution ``V_i`` to the aggregate ``V = Σ_i V_i``.
    by, period, factor, value : str
        Column names.
    start, end : optional
        The two period labels; default the two labels of ``period`` in sorted order.

    Returns
    -------
    pandas.DataFrame
        Columns ``by``, ``factor`` and ``effect`` [unit of V]: ``L(V_i^T, V_i^0)·ln(x^T/x^0)`` with
        the analytical zero limits. A sub-category whose change cannot be split (several factors
        zero at once) gets one row with factor :data:`NEW_ACTIVITY`.

    Raises
    ------
    ValueError
        On negative, NaN or missing values.
    """
    groups, factors, x0, x1 = _matrices(frame, by, period, factor, value, start, end)
    effects, new, _, _ = _terms(x0, x1)
    out = pd.DataFrame(
        {
            by: np.repeat(groups, len(factors)),
            factor: np.tile(factors, len(groups)),
            "effect": effects.ravel(),
        }
    )
    if (new != 0).any():
        extra = pd.DataFrame(
            {
                by: [g for g, e in zip(groups, new, strict=True) if e != 0],
                factor: NEW_ACTIVITY,
                "effect": new[new != 0],
            }
        )
        out = pd.concat([out, extra], ignore_index=True)
    return out


def _totals(effects: pd.Series, v0: float, v1: float) -> pd.DataFrame:
    out = pd.DataFrame({"factor": effects.index, "effect": effects.to_numpy(dtype=float)})
    if v0 > 0 and v1 > 0:
        ratios = [factor_ratio(float(e), v0, v1) for e in out["effect"]]
        out["factor_ratio"] = [r for r, _ in ratios]
        out["note"] = [note for _, note in ratios]
    else:
        out["factor_ratio"] = np.nan
        out["note"] = f"乘法分解无定义：总量为 0（V0={v0:g}, VT={v1:g}），见加法分解"
    return out


def lmdi(
    frame: pd.DataFrame,
    *,
    by: str = "i",
    period: str = "period",
    factor: str = "factor",
    value: str = "value",
    start: object = None,
    end: object = None,
) -> pd.DataFrame:
    """Additive and multiplicative LMDI-I of ``V = Σ_i Π_k x_{k,i}`` between two periods.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long frame ``(by, period, factor, value)``; see :func:`lmdi_terms`.
    by, period, factor, value : str
        Column names.
    start, end : optional
        Period labels (default: the two labels in sorted order).

    Returns
    -------
    pandas.DataFrame
        One row per factor (in order of first appearance, then :data:`NEW_ACTIVITY` if used):
        ``factor``; ``effect`` [unit of V], additive, summing to ``V^T − V^0``; ``factor_ratio``
        [-], multiplicative, multiplying to ``V^T / V^0`` (NaN when ``V^0`` or ``V^T`` is 0);
        ``note`` (why ``factor_ratio`` is NaN, see :func:`factor_ratio`, else empty). ``attrs``
        holds ``V0`` and ``VT``.

    Notes
    -----
    ``factor_ratio = exp(effect / L(V^T, V^0))`` — the LMDI-I multiplicative formula, so the link
    ``ΔV_k = L(V^T, V^0) · ln D_k`` holds by construction.
    """
    _, factors, x0, x1 = _matrices(frame, by, period, factor, value, start, end)
    totals, v0, v1 = _summed(factors, x0, x1)
    out = _totals(pd.Series(list(totals.values()), index=list(totals), dtype=float), v0, v1)
    out.attrs.update(V0=v0, VT=v1)
    return out


def _summed(factors: list, x0: np.ndarray, x1: np.ndarray) -> tuple[dict, float, float]:
    effects, new, v0, v1 = _terms(x0, x1)
    totals = dict(zip(factors, effects.sum(axis=0).tolist(), strict=True))
    if (new != 0).any():
        totals[NEW_ACTIVITY] = float(new.sum())
    return totals, float(v0.sum()), float(v1.sum())


def lmdi_totals(
    factors: Sequence[str], x0: Sequence[float], x1: Sequence[float]
) -> tuple[dict[str, float], float, float]:
    """The additive effects of :func:`lmdi` for one sub-category, without a frame.

    Parameters
    ----------
    factors : sequence of str
        The factors' names, in order.
    x0, x1 : sequence of float
        Each factor's value at the start and the end (non-negative) [its unit].

    Returns
    -------
    (dict, float, float)
        ``{factor: effect}`` [unit of V] in order (then :data:`NEW_ACTIVITY` if used), ``V^0`` and
        ``V^T``: the ``factor``, ``effect`` and ``attrs`` of :func:`lmdi` of the frame
        ``(i=0, period 0 and 1, factor, value)`` holding these values, exactly.

    Raises
    ------
    ValueError
        On negative, NaN or non-finite values, as :func:`lmdi`.
    """
    factors = list(factors)
    a0 = np.array([x0], dtype=float)
    a1 = np.array([x1], dtype=float)
    _check(a0, a1, "i", [0], factors, (0, 1))
    return _summed(factors, a0, a1)


def lmdi_additive(frame: pd.DataFrame, **columns) -> pd.Series:
    """Additive LMDI-I effects [unit of V] by factor; they sum to ``V^T − V^0``. See :func:`lmdi`."""
    res = lmdi(frame, **columns)
    return pd.Series(res["effect"].to_numpy(), index=res["factor"], name="effect")


def lmdi_multiplicative(frame: pd.DataFrame, **columns) -> pd.Series:
    """Multiplicative LMDI-I factors [-] by factor; they multiply to ``V^T / V^0``. See :func:`lmdi`.

    NaN when the aggregate is 0 in either period (the ratio is then 0 or infinite).
    """
    res = lmdi(frame, **columns)
    return pd.Series(res["factor_ratio"].to_numpy(), index=res["factor"], name="factor_ratio")


def lmdi_chained(
    frame: pd.DataFrame,
    *,
    by: str = "i",
    period: str = "period",
    factor: str = "factor",
    value: str = "value",
) -> pd.DataFrame:
    """LMDI-I chained year on year over every period of ``frame`` (Ang 2015).

    Parameters
    ----------
    frame : pandas.DataFrame
        Long frame ``(by, period, factor, value)`` with two or more periods.

    Returns
    -------
    pandas.DataFrame
        One row per step and factor: ``from``, ``to``, ``factor``, ``effect``, ``factor_ratio``,
        ``note``. Sum ``effect`` and multiply ``factor_ratio`` over the steps (:func:`chain_total`)
        for the whole period.
    """
    labels = sorted(frame[period].unique())
    steps = []
    for a, b in zip(labels[:-1], labels[1:], strict=True):
        res = lmdi(frame, by=by, period=period, factor=factor, value=value, start=a, end=b)
        res.insert(0, "to", b)
        res.insert(0, "from", a)
        steps.append(res)
    return pd.concat(steps, ignore_index=True)


def chain_total(steps: pd.DataFrame, keys: Sequence[str] = ("factor",)) -> pd.DataFrame:
    """Add the additive effects and multiply the multiplicative factors of chained steps.

    Parameters
    ----------
    steps : pandas.DataFrame
        From :func:`lmdi_chained` or :func:`attribute_chained` (columns ``effect`` and
        ``factor_ratio`` plus ``keys``).
    keys : sequence of str
        The columns identifying a factor (``("number", "indicator", "factor")`` for indicators).

    Returns
    -------
    pandas.DataFrame
        ``keys``, ``effect`` (sum over steps) and ``factor_ratio`` (product; NaN if any step's is).
    """
    keys = list(keys)
    grouped = steps.groupby(keys, sort=False)
    eff = grouped["effect"].sum()
    ratio = grouped["factor_ratio"].apply(lambda s: float(np.prod(s.to_numpy())))
    return pd.DataFrame({"effect": eff, "factor_ratio": ratio}).reset_index()


def ratio_decomposition(
    N0: float,
    NT: float,
    D0: float,
    DT: float,
    *,
    scale: float = 1.0,
    labels: tuple[str, str] = ("numerator", "denominator"),
) -> pd.DataFrame:
    """Numerator effect against denominator effect of a ratio ``R = scale · N / D``.

    The two factors are ``N`` and ``1/D`` (LMDI-I with one sub-category)::

        ΔR_N = L(R^T, R^0) · ln(N^T / N^0)      ΔR_D = −L(R^T, R^0) · ln(D^T / D^0)
        D_N = N^T / N^0                         D_D = D^0 / D^T

    Parameters
    ----------
    N0, NT : float
        Numerator at the start and the end (non-negative) [any unit].
    D0, DT : float
        Denominator at the start and the end (positive) [any unit].
    scale : float
        Constant factor (100 for a percentage, 10⁴ for HJ 274 no. 14).
    labels : (str, str)
        Names of the two factors in the result.

    Returns
    -------
    pandas.DataFrame
        Two rows (numerator, denominator): ``factor``; ``effect`` [unit of R], summing to
        ``R^T − R^0``; ``factor_ratio`` [-], multiplying to ``R^T / R^0`` (NaN with a ``note`` when
        ``R^0`` or ``R^T`` is 0); ``log_share`` [-], the share of ``ln(R^T / R^0)`` due to the
        factor (NaN when R does not change or a value is 0, with a ``note``). ``attrs`` holds
        ``R0`` and ``RT``.

    Raises
    ------
    ValueError
        If a denominator is 0 (the ratio is undefined) or any input is negative.

    Examples
    --------
    Nantong ETDZ CO₂ per value added, 2015 → 2021 [t/万元]: numerator (CO₂) −0.0901,
    denominator (value added) −0.3397.

    >>> r = ratio_decomposition(3488381.6, 3131579, 3266100, 4906200)
    >>> [round(x, 4) for x in r["effect"]]
    [-0.0901, -0.3397]
    """
    if D0 == 0 or DT == 0:
        raise ValueError("the denominator is 0, so the ratio is undefined")
    if min(N0, NT, D0, DT) < 0 or scale <= 0:
        raise ValueError("negative input: LMDI is undefined for negative values (data error)")
    frame = pd.DataFrame(
        {
            "i": 0,
            "period": [0, 1, 0, 1],
            "factor": [labels[0], labels[0], labels[1], labels[1]],
            "value": [scale * N0, scale * NT, 1.0 / D0, 1.0 / DT],
        }
    )
    out = lmdi(frame)
    r0, rt = out.attrs["V0"], out.attrs["VT"]
    if r0 > 0 and rt > 0 and r0 != rt:
        out["log_share"] = np.log(out["factor_ratio"]) / _log_ratio(np.array(rt), np.array(r0))
    else:
        out["log_share"] = np.nan
        if r0 == rt and r0 > 0:  # the limit: no log change to share
            out["note"] = [
                "；".join(x for x in (note, "比值未变，对数份额无定义") if x)
                for note in out["note"]
            ]
    out.attrs.update(R0=r0, RT=rt)
    return out
