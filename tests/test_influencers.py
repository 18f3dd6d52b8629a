"""Influencer seeding in the market: a campaign aimed at the people whose shares would spread
its creative furthest through the professional network, chosen within an audience and
re-chosen as people change jobs."""

from __future__ import annotations

import numpy as np
import pytest
from markets import small_market

import buyernet
from buyernet import ParameterError, Strategy, Targeting
from buyernet.scenario import Scenario, ScenarioError
from buyernet.strategy import Seeding

WEEKS = 26


def paired(market, alternatives, replicates=6, seed=3):
    return buyernet.compare(
        market, alternatives, periods=WEEKS, replicates=replicates, seed=seed, dark=False
    )


def test_seeds_earn_more_reach_per_impression_than_broad_targeting():
    # Equal impressions and the same shareable creative: only who is reached differs.
    m = small_market(8_000, 500)
    broad = Strategy(1_500, targeting=Targeting.broad(), unit="impressions")
    seeded = broad.replace(targeting=Targeting.seeding(500, every=8))
    c = paired(m, {"broad": broad, "seeding": seeded})
    impressions = {n: r.series("impressions")[:, :, 0].sum(1) for n, r in c.results.items()}
    earned = {n: r.series("earned_reach")[:, :, 0].sum(1) for n, r in c.results.items()}
    assert np.array_equal(impressions["broad"], impressions["seeding"]), "500 seeds x cap 3"
    # A few hundred people earned a replicate: judged over all of them, not one by one.
    lift = earned["seeding"].sum() / earned["broad"].sum()
    assert lift > 1.15, earned
    # Paid reach is capped by the seeds: at most `size` people a week.
    paid = c.results["seeding"].series("paid_reach")[:, :, 0]
    assert paid.max() <= 500


def test_the_seeds_follow_the_audience_and_their_price_is_a_small_audience_s():
    m = small_market(6_000, 400)
    narrow = Targeting.narrow(functions=("it",), min_level=2)
    seeded = Strategy(400, targeting=Targeting.seeding(100, within=narrow, every=4))
    r = buyernet.simulate(m, strategies={"us": seeded}, periods=12, replicates=2, seed=5)
    paid = r.series("paid_reach")[:, :, 0]
    assert 0 < paid.max() <= 100
    # A 100-person audience of 6,000 is bid up well above a broad one's price.
    cpm = r.run_metrics()["cpm"][:, 0]
    assert np.all(cpm > 2 * m.media.cpm(1.0))
    # What the cap leaves undelivered is reported, not dropped.
    assert r.series("unspent")[:, :, 0].sum() > 0


def test_seeding_does_not_depend_on_threads():
    m = small_market()
    s = Strategy.quantum(300).replace(targeting=Targeting.seeding(200, every=3))
    strategies = {"us": s, "rival_1": Strategy.planetary(300)}
    one = buyernet.simulate(m, strategies=strategies, periods=10, replicates=3, seed=2, threads=1)
    two = buyernet.simulate(m, strategies=strategies, periods=10, replicates=3, seed=2, threads=2)
    for name in one.metrics:
        assert np.array_equal(one.series(name), two.series(name)), name


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"size": 0}, r"size must be in \[1, 1000000\]; got 0"),
        ({"every": 0}, r"every must be in \[1, 520\]; got 0"),
        ({"within": Targeting.seeding(3)}, "within must be broad, narrow or scored targeting"),
        ({"within": Targeting.from_weights([1.0])}, "within must be broad, narrow or scored"),
        ({"within": {"kind": "scored", "top_share": 2}}, r"within\.top_share must be in \(0, 1\]"),
        ({"within": "broad"}, "within must be a Targeting"),
    ],
)
def test_bad_seeding_names_the_field(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        Seeding(**kwargs)


def test_seeding_runs_from_scenario_files_and_names_bad_fields(tmp_path):
    good = tmp_path / "seeding.toml"
    good.write_text(
        "[run]\nperiods = 4\nreplicates = 2\n"
        "[market.population]\npeople = 3000\ncompanies = 150\n"
        "[alternatives.influencers]\npreset = 'quantum'\nbudget = 200\n"
        "[alternatives.influencers.targeting]\nkind = 'seeding'\nsize = 300\n"
        "[alternatives.influencers.targeting.within]\nkind = 'narrow'\nmin_level = 2\n"
    )
    scenario = Scenario.from_toml(good)
    targeting = scenario.alternatives["influencers"].targeting
    assert targeting == Targeting.seeding(300, within=Targeting.narrow(min_level=2))
    assert Scenario.from_dict(scenario.to_dict()) == scenario
    bad = tmp_path / "bad.toml"
    bad.write_text(
        good.read_text().replace("min_level = 2", "min_level = 2\nfunctions = ['astrology']")
    )
    with pytest.raises(ScenarioError, match="astrology"):
        Scenario.from_toml(bad)
    bad.write_text(good.read_text().replace("size = 300", "size = 0"))
    with pytest.raises(ScenarioError, match=r"alternatives\.influencers\.targeting\.size"):
        Scenario.from_toml(bad)
