"""Intervals over replicates: the one Student-t 95% interval every comparison, sweep and
chart reports.

Replicates are few (often 4 to 30), so intervals use Student's t, not the normal 1.96:
with 4 replicates the normal interval would be about 40% too narrow. NaN values (a rate
with no denominator in a run) are left out, pairwise for paired differences.

Example:
    >>> d = paired_difference([3.0, 5.0, 4.0], [1.0, 2.0, 2.0])
    >>> d.mean, d.n, round(d.high - d.mean, 3)
    (2.3333333333333335, 3, 1.434)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "NO_CLEAR_WINNER",
    "Interval",
    "PairedDifference",
    "interval",
    "paired_difference",
    "paired_ratio_difference",
    "ratio_interval",
    "t95",
]

# Student t quantiles for a two-sided 95% interval, df = 1..30; beyond, a series in 1/df.
_T95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t95(df: int) -> float:
    """The two-sided 95% quantile of Student's t with ``df`` degrees of freedom (>= 1).

    Example:
        >>> t95(1), t95(30), round(t95(10_000), 3)
        (12.706, 2.042, 1.96)
    """
    if df < 1:
        raise ValueError(f"Student's t needs at least 1 degree of freedom; got {df}")
    if df <= 30:
        return _T95[df - 1]
    z = 1.959964
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


@dataclass(frozen=True)
class Interval:
    """A mean over ``n`` values with its Student-t 95% interval [low, high].

    The mean is NaN without values; low and high are NaN with fewer than two.

    Example:
        >>> Interval(1.0, 0.5, 1.5, 4).half_width
        0.5
    """

    mean: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        """Half the interval's width (NaN where the interval is)."""
        return (self.high - self.low) / 2


@dataclass(frozen=True)
class PairedDifference(Interval):
    """The mean of per-replicate differences (alternative - baseline) with its interval,
    and the two means over the same replicates.

    Example:
        >>> paired_difference([2.0], [1.0]).alternative_mean
        2.0
    """

    alternative_mean: float
    baseline_mean: float


def _interval(values: npt.NDArray[np.float64]) -> Interval:
    """The interval of values without NaN."""
    n = len(values)
    mean = float(values.mean()) if n else math.nan
    half = t95(n - 1) * float(values.std(ddof=1)) / math.sqrt(n) if n >= 2 else math.nan
    return Interval(mean=mean, low=mean - half, high=mean + half, n=n)


def interval(values: npt.ArrayLike) -> Interval:
    """The mean of ``values`` and its Student-t 95% interval, NaN values left out.

    Example:
        >>> i = interval([1.0, 3.0, float("nan")])
        >>> i.mean, i.n, round(i.half_width, 2)
        (2.0, 2, 12.71)
    """
    v = np.asarray(values, dtype=np.float64)
    return _interval(v[~np.isnan(v)])


def ratio_interval(numerator: npt.ArrayLike, denominator: npt.ArrayLike) -> Interval:
    """The ratio of totals ``sum(numerator) / sum(denominator)`` over replicates (one value
    of each per replicate, pairs with a NaN left out) with its 95% interval: Student t on
    the delta-method standard error, ``sqrt(sum((x - r y)^2) / (n (n - 1))) / mean(y)``.
    NaN where the denominators do not sum to a positive number.

    Example:
        >>> i = ratio_interval([1.0, 2.0, 3.0], [2.0, 4.0, 6.0])
        >>> i.mean, i.half_width
        (0.5, 0.0)
    """
    x = np.asarray(numerator, dtype=np.float64)
    y = np.asarray(denominator, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"one value per replicate on both sides; got {x.shape} and {y.shape}")
    ok = ~(np.isnan(x) | np.isnan(y))
    x, y = x[ok], y[ok]
    n = len(x)
    if n == 0 or y.sum() <= 0:
        return Interval(mean=math.nan, low=math.nan, high=math.nan, n=n)
    r = float(x.sum() / y.sum())
    if n < 2:
        return Interval(mean=r, low=math.nan, high=math.nan, n=n)
    se = math.sqrt(float(((x - r * y) ** 2).sum()) / (n * (n - 1))) / float(y.mean())
    half = t95(n - 1) * se
    return Interval(mean=r, low=r - half, high=r + half, n=n)


def paired_ratio_difference(
    numerator: npt.ArrayLike,
    denominator: npt.ArrayLike,
    baseline_numerator: npt.ArrayLike,
    baseline_denominator: npt.ArrayLike,
) -> PairedDifference:
    """The paired difference of two ratios of totals over replicates, ``sum(x) / sum(y)``
    of the alternative minus that of the baseline (one value of each per replicate, a
    replicate with a NaN anywhere left out), with its 95% interval: Student t on the
    delta-method standard error of the per-replicate linearisation
    ``(x - r y) / mean(y) - (x' - r' y') / mean(y')``. NaN where a side's denominators do
    not sum to a positive number.

    Example:
        >>> d = paired_ratio_difference([2.0, 4.0], [1.0, 2.0], [1.0, 3.0], [1.0, 3.0])
        >>> d.mean, d.alternative_mean, d.baseline_mean, d.high - d.low
        (1.0, 2.0, 1.0, 0.0)
    """
    sides = [np.asarray(v, dtype=np.float64) for v in
             (numerator, denominator, baseline_numerator, baseline_denominator)]  # fmt: skip
    if any(v.ndim != 1 or v.shape != sides[0].shape for v in sides):
        raise ValueError(f"one value per replicate on every side; got {[v.shape for v in sides]}")
    ok = ~np.any([np.isnan(v) for v in sides], axis=0)
    x, y, xb, yb = (v[ok] for v in sides)
    n = len(x)
    if n == 0 or y.sum() <= 0 or yb.sum() <= 0:
        nan = math.nan
        return PairedDifference(nan, nan, nan, n, nan, nan)
    r, rb = float(x.sum() / y.sum()), float(xb.sum() / yb.sum())
    low = high = math.nan
    if n >= 2:
        z = (x - r * y) / y.mean() - (xb - rb * yb) / yb.mean()
        half = t95(n - 1) * math.sqrt(float((z**2).sum()) / (n * (n - 1)))
        low, high = r - rb - half, r - rb + half
    return PairedDifference(
        mean=r - rb, low=low, high=high, n=n, alternative_mean=r, baseline_mean=rb
    )


#: The verdict where no alternative leads every other with an interval above zero.
NO_CLEAR_WINNER = "no clear winner"


def paired_difference(alternative: npt.ArrayLike, baseline: npt.ArrayLike) -> PairedDifference:
    """The paired difference ``alternative - baseline`` over replicates (same length, one
    value per replicate): mean, Student-t 95% interval and ``n``, counting only replicates
    where both have a value.

    Example:
        >>> d = paired_difference([1.0, 2.0, float("nan")], [1.0, 1.0, 5.0])
        >>> d.mean, d.n, d.baseline_mean
        (0.5, 2, 1.0)
    """
    a = np.asarray(alternative, dtype=np.float64)
    b = np.asarray(baseline, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(
            f"paired values need one value per replicate on both sides; got {a.shape} and {b.shape}"
        )
    ok = ~(np.isnan(a) | np.isnan(b))
    d = _interval(a[ok] - b[ok])
    return PairedDifference(
        mean=d.mean,
        low=d.low,
        high=d.high,
        n=d.n,
        alternative_mean=float(a[ok].mean()) if d.n else math.nan,
        baseline_mean=float(b[ok].mean()) if d.n else math.nan,
    )
