"""Money: media prices, budgets in money, delivery limits, media plans, and returns against
the same market with the brand dark."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from markets import small_market

import buyernet
from buyernet import Media, MediaPlan, Strategy, Targeting, Timing
from buyernet.scenario import Scenario, ScenarioError

SPEND = ("spend", "media_spend", "data_spend", "creative_spend", "unspent")


def run(market, strategies, periods=20, replicates=2, seed=1, **kw):
    return buyernet.simulate(
        market, periods=periods, replicates=replicates, seed=seed, strategies=strategies, **kw
    )


# -- prices ----------------------------------------------------------------------------------


def test_the_price_rises_as_the_audience_narrows():
    media = Media()
    shares = [1.0, 0.7, 0.3, 0.1, 0.02, 0.005, 1e-4, 1e-7]
    prices = [media.cpm(s) for s in shares]
    assert prices == sorted(prices)
    assert 25 <= media.cpm(0.7) <= 45, "typical B2B CPM (LinkedIn: $25-45)"
    assert 2 <= media.cpm(0.02) / media.cpm(0.7) <= 3, "ABM list of senior roles: 2-3x broad"
    assert prices[-1] == media.max_cpm == 300


def test_narrow_audiences_pay_more_per_impression_in_a_run():
    m = small_market()
    broad = Strategy(500, targeting=Targeting.broad())
    narrow = Strategy(500, targeting=Targeting.narrow(functions=("it",), min_level=3))
    r = run(m, {"us": broad, "rival_1": narrow})
    cpm = r.run_metrics()["cpm"]
    assert np.all(cpm[:, 1] > 1.5 * cpm[:, 0])
    assert np.all((cpm[:, 0] >= 30) & (cpm[:, 0] <= 45))


# -- spend -----------------------------------------------------------------------------------


def test_spend_identity_per_period_and_in_total():
    m = small_market()
    strategies = {
        "us": Strategy.quantum(300),
        "rival_1": Strategy.planetary(400),
        "rival_2": MediaPlan.brand_and_demand(600),
    }
    r = run(m, strategies, periods=30)
    s = {k: r.series(k) for k in SPEND}
    parts = s["media_spend"] + s["data_spend"] + s["creative_spend"]
    assert np.all(np.abs(s["spend"] - parts) < 0.005)
    totals = r.run_metrics()
    assert np.allclose(
        totals["spend"], totals["media_spend"] + totals["data_spend"] + totals["creative_spend"]
    )
    # Triggered campaigns pay intent data every period, once per brand.
    assert np.all(s["data_spend"][:, :, 1] == m.media.intent_data)
    assert np.all(s["data_spend"][:, :, 2] == m.media.intent_data)
    assert np.all(s["data_spend"][:, :, 0] == 0)
    # Money is paid or reported unspent (up to less than one impression's worth carried).
    for b, budget in ((0, 300), (1, 400), (2, 600)):
        paid = s["spend"][:, :, b].sum(axis=1) + s["unspent"][:, :, b].sum(axis=1)
        assert np.all(paid <= 30 * budget + 1e-6)
        assert np.all(paid >= 30 * budget - m.media.max_cpm / 1000 - 1e-6)


def test_a_money_budget_buys_spend_over_cpm_impressions():
    # Everyone is in a broad audience of no minimum influence, and nobody changes jobs, so
    # the price stays put: every unit of money (carry-over included) buys 1000 / CPM.
    m = small_market(careers={"change_within_4_years": 0.0})
    r = run(m, {"us": Strategy.quantum(123.45)}, periods=25, replicates=1)
    media = r.series("media_spend")[0, :, 0]
    impressions = r.series("impressions")[0, :, 0]
    price = media.sum() / impressions.sum()
    assert np.allclose(media, impressions * price)
    money = 25 * (123.45 - m.media.creative)
    assert impressions.sum() == math.floor(money / price)
    assert r.series("unspent").sum() == 0


def test_the_frequency_cap_leaves_budget_unspent_and_frequency_is_an_output():
    m = small_market()
    tiny = Strategy(5_000, targeting=Targeting.narrow(accounts=[1, 2]))
    r = run(m, {"us": tiny}, periods=10)
    out = r.run_metrics()
    assert np.all(out["unspent"][:, 0] > 0), "a small audience cannot absorb a big budget"
    assert np.all(out["frequency"][:, 0] <= m.media.frequency_cap)
    assert np.all(out["frequency"][:, 0] > 1)
    uncapped = run(m.replace(media={"frequency_cap": 0}), {"us": tiny}, periods=10)
    assert uncapped.run_metrics()["unspent"][:, 0].sum() == 0
    assert uncapped.run_metrics()["frequency"][:, 0].min() > 3 * m.media.frequency_cap


def test_zero_prices_spend_nothing_and_leave_returns_undefined():
    free = small_market(
        media={"base_cpm": 0.0, "max_cpm": 0.0, "intent_data": 0.0, "creative": 0.0}
    )
    r = run(free, {"us": Strategy.quantum(100)}, periods=5)
    assert r.series("spend").sum() == 0
    assert r.series("impressions")[:, :, 0].sum() > 0, "up to the frequency cap"
    out = r.run_metrics()
    assert np.all(np.isnan(out["roas"][:, 0])) and np.all(np.isnan(out["cac"][:, 0]))


# -- media plans -----------------------------------------------------------------------------


def test_a_plan_of_two_campaigns_buys_what_two_brands_running_them_buy():
    m = small_market(careers={"change_within_4_years": 0.0})
    broad = Strategy.quantum(200).replace(brand_share=1.0)
    flight = Strategy(150, targeting=Targeting.scored(0.2), timing=Timing.flighted(2, 2))
    plan = MediaPlan({"brand": broad, "bursts": flight})
    together = run(m, {"us": plan}, periods=16)
    apart = run(m, {"us": broad, "rival_1": flight}, periods=16)
    for k in ("impressions", *SPEND):
        a = apart.series(k)
        assert np.array_equal(together.series(k)[:, :, 0], a[:, :, 0] + a[:, :, 1]), k


def test_plans_run_from_scenario_files_and_name_bad_campaigns(tmp_path):
    good = tmp_path / "plan.toml"
    good.write_text(
        "[run]\nperiods = 4\nreplicates = 2\n"
        "[market.population]\npeople = 3000\ncompanies = 150\n"
        "[alternatives.plan.campaigns.brand]\npreset = 'quantum'\nbudget = 100\n"
        "[alternatives.plan.campaigns.abm]\npreset = 'planetary'\nbudget = 200\n"
    )
    scenario = Scenario.from_toml(good)
    plan = scenario.alternatives["plan"]
    assert isinstance(plan, MediaPlan) and plan.names == ("brand", "abm")
    assert Scenario.from_dict(scenario.to_dict()) == scenario
    bad = tmp_path / "bad.toml"
    bad.write_text(
        "[alternatives.plan.campaigns.abm]\npreset = 'planetary'\nbudget = 50\n"
        "[alternatives.plan.campaigns.brand]\npreset = 'quantum'\nbudget = 100\n"
    )
    with pytest.raises(ScenarioError, match=r"alternatives\.plan\.campaigns\.abm\.budget"):
        Scenario.from_toml(bad)
    bad.write_text("[alternatives.plan.campaigns]\nabm = 3\n")
    with pytest.raises(ScenarioError, match=r"alternatives\.plan: campaigns\.abm"):
        Scenario.from_toml(bad)
    bad.write_text("[alternatives.plan]\nchannel = 'tv'\n[alternatives.plan.campaigns.a]\n")
    with pytest.raises(ScenarioError, match=r"alternatives\.plan: channel: unknown key"):
        Scenario.from_toml(bad)


# -- returns ---------------------------------------------------------------------------------


def test_incremental_roi_is_gross_profit_over_the_dark_arm_per_unit_of_spend():
    m = small_market()
    rivals = {"rival_1": Strategy.quantum(200)}
    c = buyernet.compare(
        m,
        {"q": Strategy.quantum(300), "p": Strategy.planetary(300)},
        rivals=rivals,
        periods=40,
        replicates=3,
        seed=4,
    )
    dark = buyernet.simulate(m, periods=40, replicates=3, seed=4, strategies=rivals)
    dark_revenue = dark.run_metrics()["revenue"][:, 0]
    assert np.array_equal(c.dark.run_metrics()["revenue"][:, 0], dark_revenue)
    margin = m.media.gross_margin
    for name in ("q", "p"):
        gain = c.values("revenue", name) - dark_revenue
        assert np.array_equal(c.values("incremental_revenue", name), gain)
        roi = c.values("incremental_roi", name)
        assert np.allclose(roi * c.values("spend", name), margin * gain)
        i = c.estimate("incremental_roi", name)
        assert i.low <= i.mean <= i.high
    assert [d.metric for d in c.table()[:4]] == [
        "spend",
        "incremental_revenue",
        "incremental_roi",
        "incremental_gross_profit",
    ]


def test_a_plan_compared_with_itself_differs_by_exactly_zero():
    m = small_market()
    plan = MediaPlan.brand_and_demand(600)
    c = buyernet.compare(m, {"a": plan, "b": plan}, periods=20, replicates=3, seed=2)
    for d in c.table():
        if not math.isnan(d.mean):
            assert (d.mean, d.low, d.high) == (0.0, 0.0, 0.0), d.metric


def test_money_outcomes_follow_their_definitions():
    m = small_market()
    r = run(m, {"us": Strategy.quantum(400)}, periods=52, replicates=2)
    out = r.run_metrics()
    spend, wins, revenue = out["spend"][:, 0], out["wins"][:, 0], out["revenue"][:, 0]
    # Acquisitions: relationships the run started (start 0: running before it). A win at
    # the brand's own customer is a repeat sale, so new customers are fewer than wins.
    log = r.customers_log
    won = [(log["brand"] == 0) & (log["replicate"] == i) & (log["start"] >= 1) for i in (0, 1)]
    new = np.array([w.sum() for w in won], dtype=float)
    assert np.array_equal(out["new_customers"][:, 0], new)
    assert np.all(new <= wins) and np.all(new > 0)
    assert np.allclose(out["ltv"][:, 0], [log["revenue"][w].mean() for w in won])
    cac = spend / new
    assert np.allclose(out["cac"][:, 0], cac)
    assert np.allclose(out["roas"][:, 0], revenue / spend)
    assert np.allclose(out["gross_profit"][:, 0], m.media.gross_margin * revenue)
    assert np.allclose(out["ltv_cac"][:, 0], m.media.gross_margin * out["ltv"][:, 0] / cac)
    customer_weeks = r.series("customers")[:, :, 0].sum(axis=1)
    weekly_profit = m.media.gross_margin * revenue / customer_weeks
    assert np.allclose(out["payback_weeks"][:, 0], cac / weekly_profit)


def test_response_curves_pair_budgets_on_the_same_draws():
    m = small_market()
    curve = buyernet.response_curve(
        m, Strategy.quantum(100), budgets=[50, 150, 400], periods=30, replicates=3, seed=3
    )
    assert [p.budget for p in curve.points] == [50.0, 150.0, 400.0]
    spends = [p.spend.mean for p in curve.points]
    assert spends == sorted(spends)
    for p in curve.points:
        assert p.incremental_roi.low <= p.incremental_roi.mean <= p.incremental_roi.high
    assert "incr. ROI" in str(curve)
    fig = curve.plot()
    assert fig.axes[1].get_ylabel() == "incremental ROI"
    plan = buyernet.response_curve(
        m, MediaPlan.brand_and_demand(600), budgets=[600], periods=6, replicates=2, seed=3
    )
    assert plan.points[0].spend.mean > 0


def test_curves_ride_on_the_comparisons_engine_call_and_reuse_its_arms():
    from buyernet.curves import CURVE_METRICS, SCALES, CurveArms, compare_with_curves, curve_arms

    m = small_market()
    alternatives = {"q": Strategy.quantum(200), "plan": MediaPlan.brand_and_demand(400)}
    rivals = {"rival_1": Strategy.planetary(200)}
    run = {"rivals": rivals, "periods": 12, "replicates": 3, "seed": 5}
    c, curves = compare_with_curves(m, alternatives, **run)
    alone = buyernet.compare(m, alternatives, **run)
    # The comparison is exactly compare()'s: more arms in the call change no arm.
    for name in alternatives:
        for metric in alone.results[name].metrics:
            a, b = c.results[name].series(metric), alone.results[name].series(metric)
            assert np.array_equal(a, b), (name, metric)
        for metric in ("spend", "incremental_revenue", "incremental_roi", "wins"):
            assert np.array_equal(c.values(metric, name), alone.values(metric, name))
    # The dark arm records what incremental returns read, and no more.
    assert c.dark is not None and set(c.dark.metrics) == set(CURVE_METRICS)
    assert list(curves) == ["q", "plan"]
    for name, plan in alternatives.items():
        curve = curves[name]
        own = MediaPlan.of(plan).budget
        wanted = [f * own for f in SCALES]
        budgets = [p.budget for p in curve.points]
        refused = [b for b, _ in curve.left_out]
        assert sorted(budgets + refused) == wanted
        # The own budget is the comparison's arm and the dark arm is shared: not run again.
        assert curve.comparison.results[f"{own:g}"] is c.results[name]
        assert curve.comparison.dark is c.dark
        for label, r in curve.comparison.results.items():
            if r is not c.results[name]:
                assert set(r.metrics) == set(CURVE_METRICS), label
        # Its table holds what every budget recorded.
        assert {d.metric for d in curve.comparison.table()} >= {"spend", "incremental_roi"}
        # Each point is what response_curve() measures alone at that budget.
        again = buyernet.response_curve(m, plan, budgets=budgets, **run)
        assert again.points == curve.points
    # Half the plan's 400 leaves its ABM campaign 80 a week: less than its fixed costs.
    assert [b for b, _ in curves["plan"].left_out] == [200.0]
    assert "fixed costs" in curves["plan"].left_out[0][1]
    assert "left out: 200 a week" in str(curves["plan"])
    # Given budgets override the scales; only those not run already are new arms.
    arms = curve_arms(m, alternatives, budgets=[100, 200, 400])
    assert arms.budgets["q"] == (100.0, 200.0, 400.0)
    assert list(arms.extra["q"]) == [100.0, 400.0] and list(arms.extra["plan"]) == [100.0, 200.0]
    assert arms.runs == 4 and not any(arms.left_out.values())
    assert compare_with_curves(m, alternatives, arms=CurveArms.none(), **run)[1] == {}
    impressions = {"q": Strategy.quantum(200, unit="impressions")}
    assert curve_arms(m, impressions).budgets == {}, "no money budget, no curve"
    with pytest.raises(buyernet.ParameterError, match=r"scales\[1\] must be >= 0"):
        curve_arms(m, alternatives, scales=[1.0, -2.0])
    with pytest.raises(buyernet.ParameterError, match=r"scales\[1\]: 200 is there twice"):
        curve_arms(m, alternatives, scales=[1.0, 1.0])


def test_the_weekly_campaign_table_adds_up_to_the_totals_and_the_brand():
    from buyernet.export import campaign_columns, campaign_series_columns

    m = small_market()
    plan = MediaPlan.brand_and_demand(600)
    r = run(m, {"us": plan, "rival_1": Strategy.quantum(200)}, periods=12, replicates=3)
    weekly = r.campaign_series()
    assert sorted(weekly) == [("rival_1", "main"), ("us", "abm"), ("us", "brand")]
    totals = r.campaign_outcomes()
    for key, weeks in weekly.items():
        assert weeks["spend"].shape == (3, 12)
        for metric in ("impressions", *SPEND):
            assert np.allclose(weeks[metric].sum(axis=1), totals[key][metric]), (key, metric)
    # Week by week, a brand's campaigns add up to its recorded series.
    for b, brand in enumerate(m.brand_names[:2]):
        for metric in ("impressions", *SPEND):
            summed = sum(w[metric] for (owner, _), w in weekly.items() if owner == brand)
            assert np.allclose(summed, r.series(metric)[:, :, b]), (brand, metric)
    # The tidy table: one row per replicate, week and campaign; its sums are the run table's.
    t, runs = campaign_series_columns(r), campaign_columns(r)
    assert len(t["spend"]) == 3 * 12 * 3 and set(t["period"]) == set(range(1, 13))
    for i in range(len(runs["spend"])):
        rows = (
            (t["replicate"] == runs["replicate"][i])
            & (t["brand"] == runs["brand"][i])
            & (t["campaign"] == runs["campaign"][i])
        )
        assert rows.sum() == 12
        assert t["spend"][rows].sum() == pytest.approx(runs["spend"][i])
        assert t["impressions"][rows].sum() == runs["impressions"][i]
    quiet = buyernet.simulate(m, periods=3, replicates=2, seed=1)
    assert quiet.campaign_series() == {} and len(campaign_series_columns(quiet)["replicate"]) == 0


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("base_cpm", -1.0, r"media\.base_cpm must be >= 0"),
        ("creative", float("nan"), r"media\.creative must be >= 0"),
        ("intent_data", float("inf"), r"media\.intent_data must be >= 0 and finite"),
        ("max_cpm", 10.0, r"media\.max_cpm must be >= base_cpm"),
        ("frequency_cap", 1_000, r"media\.frequency_cap must be in \[0, 255\]"),
        ("gross_margin", 1.5, r"media\.gross_margin must be in \[0, 1\]"),
    ],
)
def test_bad_prices_name_their_field(field, value, message):
    with pytest.raises(buyernet.ParameterError, match=message):
        buyernet.Market().replace(media={field: value})


def test_bad_budgets_and_plans_name_the_field_and_write_nothing():
    m = small_market()
    with pytest.raises(buyernet.ParameterError, match=r"budget must be in \[0, 1e12\] money"):
        Strategy(float("nan"))
    with pytest.raises(buyernet.ParameterError, match=r"budget must be in"):
        Strategy(-5.0)
    with pytest.raises(
        buyernet.ParameterError,
        match="unit: unknown variant `euros`, expected `money` or `impressions`",
    ):
        Strategy(5.0, unit="euros")
    with pytest.raises(buyernet.ParameterError, match=r"campaigns\['a'\]: a second campaign"):
        MediaPlan([("a", Strategy(100)), ("a", Strategy(200))])
    # Below the creative and data a campaign pays each period: it would buy nothing.
    with pytest.raises(
        buyernet.ParameterError, match=r'strategies\["us"\]\.budget must be above the campaign'
    ):
        run(m, {"us": Strategy.planetary(60)})
    plan = MediaPlan({"brand": Strategy.quantum(100), "abm": Strategy.planetary(60)})
    with pytest.raises(buyernet.ParameterError, match=r'strategies\["us"\]\["abm"\]\.budget'):
        run(m, {"us": plan})
    # Too little to buy one impression in the whole run, even at the lowest price.
    with pytest.raises(buyernet.ParameterError, match="buy one impression in 2 periods"):
        run(m, {"us": Strategy.quantum(10.01)}, periods=2)


def test_a_bad_budget_on_the_command_line_exits_2(tmp_path, capsys):
    from buyernet.cli import main

    out = tmp_path / "out"
    assert main(["compare", "--budget", "-3", "--quiet", "-o", str(out)]) == 2
    assert "--budget" in capsys.readouterr().err
    assert not out.exists()


# -- invariants and determinism --------------------------------------------------------------

plans = st.lists(
    st.tuples(
        st.sampled_from(["brand", "demand", "abm"]),
        st.builds(
            Strategy,
            budget=st.sampled_from([0.0, 120.0, 400.0, 1_500.0]),
            targeting=st.sampled_from(
                [
                    Targeting.broad(),
                    Targeting.scored(0.1, by="people"),
                    Targeting.narrow(min_level=3),
                ]
            ),
            timing=st.sampled_from(
                [Timing.always_on(), Timing.flighted(2, 1), Timing.triggered(3)]
            ),
            brand_share=st.floats(0, 1),
            unit=st.sampled_from(["money", "impressions"]),
        ),
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda pair: pair[0],
).map(MediaPlan)


@settings(max_examples=15, deadline=None)
@given(plans, st.integers(0, 2**32))
def test_generated_plans_keep_the_invariants(plan, seed):
    m = small_market(2_000, 120, needs={"observability": 0.5})
    for _, s in plan.campaigns:
        fixed = m.media.creative + (m.media.intent_data if s.timing.kind == "triggered" else 0)
        assume(s.unit == "impressions" or s.budget == 0 or s.budget > fixed)
    r = run(m, {"us": plan, "rival_1": Strategy.quantum(300)}, periods=10, replicates=1, seed=seed)
    s = {k: r.series(k)[0] for k in SPEND}
    assert np.all(
        np.abs(s["spend"] - s["media_spend"] - s["data_spend"] - s["creative_spend"]) < 0.005
    )
    assert np.all(s["unspent"] >= 0)
    impressions, paid, reach = (r.series(k)[0] for k in ("impressions", "paid_reach", "reach"))
    assert np.all(paid <= impressions) and np.all(paid <= reach)
    # The cap holds per campaign: a plan of k campaigns lands at most k x cap per person.
    assert np.all(impressions[:, 0] <= len(plan.campaigns) * m.media.frequency_cap * paid[:, 0])
    assert np.array_equal(
        r.series("wins")[0].sum(axis=1) + r.series("no_decisions")[0], r.series("decisions")[0]
    )
    triggered = any(s.timing.kind == "triggered" and s.budget > 0 for _, s in plan.campaigns)
    assert np.all(s["data_spend"][:, 0] == (m.media.intent_data if triggered else 0.0))


def test_money_does_not_depend_on_threads():
    m = small_market()
    strategies = {"us": MediaPlan.brand_and_demand(700), "rival_1": Strategy.planetary(400)}
    one = run(m, strategies, periods=15, replicates=3, threads=1)
    two = run(m, strategies, periods=15, replicates=3, threads=2)
    for name in (*SPEND, "impressions", "wins", "revenue"):
        assert np.array_equal(one.series(name), two.series(name)), name


def test_each_campaign_of_a_plan_reports_its_own_spend(tmp_path):
    m = small_market()
    plan = MediaPlan.brand_and_demand(600)
    r = run(m, {"us": plan, "rival_1": Strategy.quantum(200)}, periods=12, replicates=4)
    per_campaign = r.campaign_outcomes()
    assert sorted(per_campaign) == [("rival_1", "main"), ("us", "abm"), ("us", "brand")]
    brand_totals = r.run_metrics()
    for metric in ("impressions", *SPEND):
        summed = per_campaign[("us", "abm")][metric] + per_campaign[("us", "brand")][metric]
        assert np.allclose(summed, brand_totals[metric][:, 0]), metric
    # Intent data is the triggered campaign's; the broad brand campaign pays none.
    assert np.all(per_campaign[("us", "brand")]["data_spend"] == 0)
    assert np.all(per_campaign[("us", "abm")]["data_spend"] == 12 * m.media.intent_data)
    abm, brand = per_campaign[("us", "abm")]["cpm"], per_campaign[("us", "brand")]["cpm"]
    bought = ~np.isnan(abm)  # a replicate may see no intent signal in 12 weeks
    assert bought.any() and np.all(abm[bought] > brand[bought])
    r.save(tmp_path / "r.npz")
    back = buyernet.Results.load(tmp_path / "r.npz")
    assert back.strategies["us"] == plan
    assert np.array_equal(
        back.campaign_outcomes()[("us", "abm")]["spend"], per_campaign[("us", "abm")]["spend"]
    )


def test_the_campaign_table_adds_up_to_the_brand_and_leads_the_report(tmp_path):
    from buyernet.export import campaign_columns
    from buyernet.report import campaigns_html

    m = small_market()
    plan = MediaPlan.brand_and_demand(600)
    r = run(m, {"us": plan, "rival_1": Strategy.quantum(200)}, periods=12, replicates=4)
    t = campaign_columns(r)
    assert len(t["replicate"]) == 3 * 4  # two campaigns of ours, one of the rival's
    runs = r.run_metrics()
    for b, brand in enumerate(m.brand_names[:2]):
        for replicate in range(4):
            rows = (t["brand"] == brand) & (t["replicate"] == replicate)
            for metric in ("spend", "impressions", "unspent"):
                assert t[metric][rows].sum() == pytest.approx(runs[metric][replicate, b])
    c = buyernet.compare(
        m, {"plan": plan, "one": Strategy.quantum(600)}, periods=8, replicates=2, seed=3
    )
    html = campaigns_html(c)
    assert html.startswith("<h2>Spend by campaign</h2>")
    assert html.count("<tr>") == 1 + 2 + 1  # header, the plan's two campaigns, one 'main'
