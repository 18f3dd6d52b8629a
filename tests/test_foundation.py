"""The bottom layer: the metric catalogue matches what a run records, and the one paired
interval agrees with a hand-computed Student-t interval."""

from __future__ import annotations

import math

import numpy as np
import pytest
from markets import small_market

import buyernet
from buyernet import metrics, stats


@pytest.fixture(scope="module")
def run() -> buyernet.Results:
    m = small_market(2_000, 100)
    return buyernet.simulate(
        m, periods=6, replicates=2, seed=3, strategies={"us": buyernet.Strategy.quantum(200)}
    )


def test_every_catalogued_series_is_recorded_with_its_shape(run):
    assert run.metrics == metrics.SERIES_NAMES
    assert run.brand_metrics == metrics.BRAND_SERIES
    assert set(metrics.MARKET_SERIES) | set(metrics.BRAND_SERIES) == set(metrics.SERIES_NAMES)
    for m in metrics.SERIES:
        assert run.series(m.name).shape == ((2, 6, 4) if m.per_brand else (2, 6)), m.name
        assert m.unit and m.doc, m.name
    assert metrics.FLOWS <= set(metrics.SERIES_NAMES)
    assert run.hourglass.shape[-1] == len(metrics.STAGES) == len(buyernet.STAGES)


def test_every_catalogued_name_is_a_column_of_the_tidy_table(run):
    pytest.importorskip("pandas")
    frame = run.to_pandas()
    stages = [f"hourglass_{s}" for s in metrics.STAGES]
    assert list(frame.columns) == ["replicate", "period", "brand", *metrics.SERIES_NAMES, *stages]


def test_outcomes_are_the_run_metrics_and_compared_ones_exist(run):
    assert tuple(run.run_metrics()) == metrics.OUTCOME_NAMES
    assert set(metrics.COMPARED) <= set(metrics.OUTCOME_NAMES)
    assert set(metrics.SWEPT) <= set(metrics.OUTCOME_NAMES)
    assert len(set(metrics.OUTCOME_NAMES)) == len(metrics.OUTCOME_NAMES)
    assert len(set(metrics.SERIES_NAMES)) == len(metrics.SERIES_NAMES)


def test_summaries_total_flows_and_average_stocks(run):
    summary = run.summary()
    for name in metrics.SERIES_NAMES:
        values = run.series(name)
        per_run = values.sum(axis=1) if name in metrics.FLOWS else values.mean(axis=1)
        assert np.array_equal(summary[name]["mean"], per_run.mean(axis=0)), name


def test_paired_difference_is_the_hand_computed_student_t_interval():
    alternative = [10.0, 12.0, 9.0, 14.0, float("nan")]
    baseline = [8.0, 11.0, 9.0, 10.0, 3.0]
    d = stats.paired_difference(alternative, baseline)
    # Differences 2, 1, 0, 4 (the NaN replicate is left out): mean 1.75, sample variance
    # (0.0625 + 0.5625 + 3.0625 + 5.0625) / 3 = 2.916..., t(0.975, 3 df) = 3.182.
    half = 3.182 * math.sqrt(8.75 / 3) / math.sqrt(4)
    assert d.n == 4 and d.mean == 1.75
    assert d.low == pytest.approx(1.75 - half, rel=1e-12)
    assert d.high == pytest.approx(1.75 + half, rel=1e-12)
    assert (d.alternative_mean, d.baseline_mean) == (11.25, 9.5)


def test_paired_difference_edge_cases():
    one = stats.paired_difference([2.0], [1.0])
    assert one.mean == 1.0 and one.n == 1 and math.isnan(one.low) and math.isnan(one.high)
    none = stats.paired_difference([float("nan")], [1.0])
    assert none.n == 0 and math.isnan(none.mean) and math.isnan(none.baseline_mean)
    same = stats.paired_difference([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert (same.mean, same.low, same.high) == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="one value per replicate"):
        stats.paired_difference([1.0, 2.0], [1.0])


def test_the_t_quantiles_approach_the_normal_one():
    assert stats.t95(1) == 12.706 and stats.t95(30) == 2.042
    assert stats.t95(31) < 2.042 and stats.t95(10**6) == pytest.approx(1.959964, abs=1e-5)
    with pytest.raises(ValueError, match="at least 1 degree"):
        stats.t95(0)
    # Never the normal 1.96 for a handful of replicates.
    assert stats.interval([1.0, 2.0, 3.0, 4.0]).half_width > 1.96 * np.std([1, 2, 3, 4], ddof=1) / 2


def test_a_comparison_reports_the_same_interval(run):
    m = small_market(2_000, 100)
    c = buyernet.compare(
        m,
        {"a": buyernet.Strategy.quantum(200), "b": buyernet.Strategy.planetary(200)},
        periods=6,
        replicates=3,
        seed=2,
    )
    d = c.difference("impressions", "b")
    p = stats.paired_difference(c.values("impressions", "b"), c.values("impressions", "a"))
    assert (d.mean, d.low, d.high, d.replicates) == (p.mean, p.low, p.high, p.n)


def test_a_paired_difference_of_rates_is_of_ratios_of_totals_with_the_delta_method():
    x, y = np.array([3.0, 5.0, 0.0, 4.0]), np.array([1.0, 2.0, 1.0, 2.0])
    xb, yb = np.array([1.0, 2.0, 2.0, 1.0]), np.array([1.0, 1.0, 2.0, 1.0])
    d = stats.paired_ratio_difference(x, y, xb, yb)
    r, rb = 12 / 6, 6 / 5
    assert (d.alternative_mean, d.baseline_mean, d.n) == (r, rb, 4)
    assert d.mean == pytest.approx(r - rb)
    # By hand: each replicate's linearised difference, its standard error, Student t (3 df).
    z = (x - r * y) / 1.5 - (xb - rb * yb) / 1.25
    half = 3.182 * math.sqrt((z**2).sum() / 12)
    assert (d.low, d.high) == pytest.approx((r - rb - half, r - rb + half))
    # A replicate with a NaN anywhere is left out; equal arms differ by exactly zero.
    assert stats.paired_ratio_difference([1.0, np.nan], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0]).n == 1
    same = stats.paired_ratio_difference(x, y, x, y)
    assert (same.mean, same.low, same.high) == (0.0, 0.0, 0.0)
    assert math.isnan(stats.paired_ratio_difference([1.0], [0.0], [1.0], [1.0]).mean)


def test_rates_are_compared_as_ratios_of_totals_and_runs_without_a_denominator_count():
    from buyernet.comparison import estimate, paired

    # A run that won no customer has no CAC of its own, but its spend still bought nothing:
    # leaving it out (the mean of the runs' CACs) would flatter the plan.
    a = {
        "spend": np.array([100.0, 100.0, 100.0]),
        "new_customers": np.array([0.0, 2.0, 4.0]),
        "cac": np.array([np.nan, 50.0, 25.0]),
    }
    b = {
        "spend": np.array([100.0, 100.0, 100.0]),
        "new_customers": np.array([1.0, 1.0, 2.0]),
        "cac": np.array([100.0, 100.0, 50.0]),
    }
    assert estimate("cac", a).mean == 50.0 and estimate("cac", a).n == 3
    d = paired("cac", a, b)
    assert (d.mean, d.n) == (50.0 - 75.0, 3)
    # A rate with no value in any run (no spend at all) stays undefined.
    dark = {**b, "spend": np.zeros(3), "cac": np.full(3, np.nan)}
    assert math.isnan(estimate("cac", dark).mean)
    # Not a rate: the mean over the runs.
    assert estimate("new_customers", a).mean == 2.0
    assert set(metrics.RATIOS) >= {"cac", "roas", "incremental_roi", "wins_per_1k_impressions"}
