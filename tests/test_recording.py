"""What a run records: every series comes from the engine's catalogue, and a run may record
only some of them; the measures behind the others are skipped, never the market itself."""

from __future__ import annotations

import numpy as np
import pytest
from markets import small_market

import buyernet
from buyernet import Market, Strategy, _core, metrics


def small() -> Market:
    return small_market(3_000, 150)


PLAN = {"us": Strategy.quantum(300), "rival_1": Strategy.planetary(300)}


def test_the_catalogue_is_the_engines():
    engine = _core.metrics()
    assert [m.name for m in metrics.SERIES] == [n for n, scope, *_ in engine if scope != "stage"]
    assert all(unit and doc for _, _, _, unit, doc in engine)
    stages, phases = _core.model_order()
    assert tuple(phases) == metrics.PHASES
    assert tuple(stages) == metrics.STAGES == buyernet.STAGES
    assert metrics.PHASES[0] == "careers" and metrics.PHASES[-1] == "recording"
    r = buyernet.simulate(small(), periods=3, replicates=1, seed=1)
    assert r.metrics == metrics.SERIES_NAMES and r.has_hourglass


def test_a_run_records_only_what_it_asks_for_and_the_market_is_unchanged():
    full = buyernet.simulate(small(), periods=15, replicates=2, seed=4, strategies=PLAN)
    some = buyernet.simulate(
        small(), periods=15, replicates=2, seed=4, strategies=PLAN, metrics=["wins", "impressions"]
    )
    assert some.metrics == ("wins", "impressions")
    assert (some.replicates, some.periods) == (2, 15)
    for name in some.metrics:
        assert np.array_equal(some.series(name), full.series(name))
    outcomes = some.run_metrics()
    assert set(outcomes) == {
        "wins",
        "market_share",
        "impressions",
        "wins_per_1k_impressions",
        "impressions_per_win",
        "new_customers",
        "ltv",
    }
    for name, values in outcomes.items():
        assert np.array_equal(values, full.run_metrics()[name], equal_nan=True), name
    with pytest.raises(buyernet.ParameterError, match="'reach' was not recorded"):
        some.series("reach")
    with pytest.raises(buyernet.ParameterError, match="hourglass was not recorded"):
        _ = some.hourglass
    pd = pytest.importorskip("pandas")
    frame = some.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert {"wins", "impressions"} <= set(frame.columns) and "reach" not in frame.columns


def test_saved_subsets_load_and_comparisons_show_what_was_recorded(tmp_path):
    alternatives = {"q": Strategy.quantum(300), "p": Strategy.planetary(300)}
    c = buyernet.compare(
        small(), alternatives, periods=10, replicates=2, seed=2, metrics=["wins", "hourglass"]
    )
    assert [d.metric for d in c.table()] == ["wins", "market_share", "new_customers"]
    assert c.results["q"].hourglass.shape == (2, 10, 4, 7)
    c.results["q"].save(tmp_path / "q.npz")
    back = buyernet.Results.load(tmp_path / "q.npz")
    assert back.metrics == ("wins",) and back.periods == 10 and back.has_hourglass


def test_unknown_metrics_are_refused_by_name():
    with pytest.raises(buyernet.ParameterError, match="unknown metric 'win'"):
        buyernet.simulate(small(), periods=2, replicates=1, seed=1, metrics=["win"])
    with pytest.raises(TypeError, match="metrics must be a sequence"):
        buyernet.simulate(small(), periods=2, replicates=1, seed=1, metrics="wins")  # type: ignore[arg-type]
