"""The fidelity table at a size CI affords: the default market meets what is published
about B2B buying (``benches/fidelity.py`` prints the full-size table).

One comparison (50k people, 208 weeks, 8 paired replicates, a fixed seed) feeds every row.
Rows the default market does not meet yet (see ``PENDING``) are expected to fail.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from typing import Any

import pytest

_BENCH = Path(__file__).resolve().parent.parent / "benches" / "fidelity.py"


def _fidelity() -> Any:
    spec = importlib.util.spec_from_file_location("fidelity", _BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fidelity"] = module
    spec.loader.exec_module(module)
    return module


fidelity = _fidelity()

#: Facts the default market does not meet yet, shown in the table and expected to fail:
#: - two careers facts that cannot hold together with 40% changing in 4 years: in a
#:   stationary market the share with more than 4 years' tenure equals the share who will
#:   not move company in the next 4, which is above 0.60 (0.40 change anything), so the
#:   median tenure is above 4 years (BLS: 4.1, all US workers); and a mean of 2.6% employer
#:   changes a month (Fallick & Fleischman, all US workers) would need movers so
#:   concentrated that far more than 17% would change persona in a year.
PENDING = {
    "employer changes per person a month",
    "median tenure with the current employer, week 1, years",
    "median tenure with the current employer, week 208, years",
}


@pytest.fixture(scope="module")
def rows() -> dict[str, Any]:
    c = fidelity.run(people=50_000, replicates=8, periods=208, seed=1, threads=None)
    return {r.fact: r for r in fidelity.rows(c)}


def test_the_table_has_every_fact_with_an_interval(rows):
    assert len(rows) >= 20
    for r in rows.values():
        assert r.published and r.source
        if not math.isnan(r.value) and math.isfinite(r.value):
            assert r.low <= r.value <= r.high or math.isnan(r.low), r.fact
    table = fidelity.table(list(rows.values()))
    assert table.count("\n") == len(rows) + 1


MET = [
    "purchase chance, buying group of 1",
    "purchase chance, buying group of 2",
    "purchase chance, buying group of 3",
    "purchase chance, buying group of 6",
    "no decision, share of needs that reach a decision",
    "mean buying group at decision, people",
    "companies in market",
    "persona churn in a year (company, function or seniority)",
    "changed company, function or seniority in 4 years",
    "company changers who also change function",
    "memory half-life after a brand burst stops, weeks",
    "demand-only campaign, extra wins over no campaign",
    "revenue-maximising brand share, broad always-on plan",
    "elasticity of revenue to budget, year one (1x to 2x)",
    "elasticity of revenue to budget, 208 weeks (1x to 2x)",
    "elasticity at 1x to 2x / at 1/2x to 1x (falls as spend rises)",
    "companies with an incumbent supplier, week 1",
    "revenue per extra impression, 2nd doubling / 1st",
    "awareness with no advertising, week 52 / week 1",
    "hourglass nested: share of brand-weeks with like <= know",
    "revenue, last year / first year (all brands)",
]


@pytest.mark.parametrize("fact", MET)
def test_the_default_market_meets_the_published_fact(rows, fact):
    r = rows[fact]
    assert r.meets, f"{fact}: {r.measured()} against {r.published} ({r.source})"


@pytest.mark.parametrize("fact", sorted(PENDING))
def test_facts_not_met_yet(rows, fact):
    if fact not in rows:
        pytest.skip("not measured at this size")
    if not rows[fact].meets:
        pytest.xfail(f"{fact}: {rows[fact].measured()} against {rows[fact].published}")


def test_a_third_member_breaks_ties(rows):
    # The published curve's shape: three buy more often than two.
    two, three = (rows[f"purchase chance, buying group of {k}"] for k in (2, 3))
    assert three.value > two.value


def test_deals_come_from_the_firms_that_buy(rows):
    # Before needs scaled with headcount, 95% of decisions were at firms under 50 people.
    assert rows["decisions at companies under 50 people, share"].value < 0.85


def test_the_synergy_row_is_well_conditioned(rows):
    r = rows["synergy: (both - brand - demand + neither) / neither, wins"]
    # Finite, and narrow for its size: before the interaction was measured against "neither"
    # it divided by about zero (11x, with an interval of 5 to 49).
    assert math.isfinite(r.low) and math.isfinite(r.high)
    assert r.high - r.low < 0.5 * max(1.0, abs(r.value))
