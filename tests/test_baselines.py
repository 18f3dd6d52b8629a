"""A golden baseline of one full-marketing comparison: every targeting kind (influencer
seeding included), every timing, personalized and universal creative, sharing, referrals and
intent signals, with every metric and event log of every arm, the dark arm included, locked
bit for bit (a SHA-256 of each array) and by readable totals.

Regenerate only on purpose, saying why in the commit:
``BUYERNET_UPDATE_BASELINES=1 python -m pytest tests/test_baselines.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest

import buyernet
from buyernet import Creative, Market, MediaPlan, Strategy, Targeting, Timing

BASELINE = Path(__file__).parent / "baselines" / "compare.json"
PEOPLE = 3_000


def full_marketing() -> buyernet.Comparison:
    """A small market with every marketing mechanism on, and five alternatives for ``us``."""
    market = Market().replace(
        population={"people": PEOPLE, "companies": 150},
        needs={"observability": 0.3, "false_signal_weekly": 0.002},
        referrals={"refer_weekly": 0.02},
    )
    weights = np.random.default_rng(7).random(PEOPLE) ** 3
    alternatives = {
        "broad": Strategy.quantum(300),
        "narrow": Strategy(
            200,
            targeting=Targeting.narrow(
                functions=("it", "finance"), min_level=1, accounts=range(40)
            ),
            creative=Creative.personalized(accuracy=0.7),
            timing=Timing.triggered(window=3),
            brand_share=0.3,
        ),
        "accounts": Strategy(
            250, targeting=Targeting.scored(0.2), timing=Timing.flighted(on=3, off=2)
        ),
        "people": Strategy(
            250,
            targeting=Targeting.scored(0.1, by="people"),
            creative=Creative(shareability=0.9),
            brand_share=1.0,
        ),
        "weights": Strategy(150.5, targeting=Targeting.from_weights(weights), brand_share=0.0),
        "plan": MediaPlan.brand_and_demand(400),
        "impressions": Strategy.quantum(5_000, unit="impressions"),
        "seeding": Strategy(
            200,
            targeting=Targeting.seeding(60, within=Targeting.narrow(min_level=1), every=10),
            creative=Creative(shareability=0.8),
        ),
    }
    return buyernet.compare(
        market,
        alternatives,
        brand="us",
        rivals={"rival_1": Strategy.quantum(200), "rival_2": Strategy.planetary(200)},
        periods=30,
        replicates=2,
        seed=20261202,
    )


def digest(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()[:16]


def observe(c: buyernet.Comparison) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    assert c.dark is not None
    for name, r in {**c.results, "(dark)": c.dark}.items():
        arm: dict[str, object] = {}
        for metric in r.metrics:
            values = r.series(metric)
            arm[metric] = {"sum": float(np.round(values.sum(), 6)), "sha": digest(values)}
        arm["hourglass"] = {"sum": float(r.hourglass.sum()), "sha": digest(r.hourglass)}
        for log in ("deals", "customers_log", "campaigns"):
            table = getattr(r, log)
            arm[log] = {k: digest(v) for k, v in sorted(table.items())}
        out[name] = arm
    return out


def test_full_marketing_comparison_is_unchanged():
    observed = observe(full_marketing())
    if os.environ.get("BUYERNET_UPDATE_BASELINES") == "1":
        BASELINE.write_text(json.dumps(observed, indent=1, sort_keys=True) + "\n")
        pytest.skip("baseline rewritten")
    expected = json.loads(BASELINE.read_text())
    assert observed.keys() == expected.keys()
    for arm in expected:
        for metric in expected[arm]:
            assert observed[arm][metric] == expected[arm][metric], (arm, metric)
    assert observed == expected


def test_the_baseline_exercises_every_mechanism():
    c = full_marketing()
    for name, r in c.results.items():
        assert r.series("impressions")[:, :, 0].sum() > 0, name
        assert r.series("endorsed").sum() > 0, name
    assert c.results["broad"].series("earned_reach")[:, :, 0].sum() > 0
    assert c.results["narrow"].series("signals").sum() > 0
    assert c.results["narrow"].series("false_signals").sum() > 0
    flight = c.results["accounts"].series("impressions")[0, :5, 0]
    assert (flight[:3] > 0).all() and (flight[3:] == 0).all()
    money = c.results["accounts"]
    paid = (money.series("spend") + money.series("unspent"))[0, :5, 0]
    assert abs(paid.sum() - 5 * 250) < 0.3, "a flight spends the dark weeks' money in its bursts"
    assert c.results["narrow"].series("data_spend")[:, :, 0].sum() > 0
    assert c.results["plan"].series("creative_spend")[:, :, 0].sum() > 0
    assert c.dark is not None and c.dark.series("impressions")[:, :, 0].sum() == 0
    seeded = c.results["seeding"]
    assert seeded.series("shares")[:, :, 0].sum() > 0, "the seeded people share"
    assert seeded.campaigns["impressions"].sum() > 0
