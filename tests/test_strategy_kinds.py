"""Targeting and timing are tagged kinds with only their own fields: written as the kind and
its own fields (the engine's tagged schema), and read from that or from the older flat form
with every kind's fields."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import buyernet
from buyernet import Strategy, Targeting, Timing
from buyernet.strategy import (
    AlwaysOn,
    Broad,
    Flighted,
    Narrow,
    Scored,
    Seeding,
    Triggered,
    Weights,
)

FLAT_DEFAULTS = {
    "min_influence": 0.0,
    "functions": [],
    "min_level": 0,
    "accounts": [],
    "top_share": 0.1,
    "people": False,
    "size": 1_000,
    "every": 13,
}


@pytest.mark.parametrize(
    ("built", "kind_class", "own"),
    [
        (Targeting.broad(0.5), Broad, {"kind": "broad", "min_influence": 0.5}),
        (
            Targeting.narrow(["it", 7], 2, accounts=[4, 1]),
            Narrow,
            {"kind": "narrow", "functions": [2, 7], "min_level": 2, "accounts": [4, 1]},
        ),
        (
            Targeting.scored(0.2, by="people"),
            Scored,
            {"kind": "scored", "top_share": 0.2, "people": True},
        ),
        (
            Targeting.seeding(50, Targeting.narrow(min_level=2), every=4),
            Seeding,
            {
                "kind": "seeding",
                "within": {"kind": "narrow", "functions": [], "min_level": 2, "accounts": []},
                "size": 50,
                "every": 4,
            },
        ),
        (Timing.always_on(), AlwaysOn, {"kind": "always_on"}),
        (Timing.flighted(2, 6), Flighted, {"kind": "flighted", "on": 2, "off": 6}),
        (Timing.triggered(3), Triggered, {"kind": "triggered", "window": 3}),
    ],
)
def test_each_kind_writes_its_own_fields_and_reads_the_flat_form(built, kind_class, own):
    family = Targeting if isinstance(built, Targeting) else Timing
    assert type(built) is kind_class and isinstance(built, family)
    assert built.kind == own["kind"] == kind_class.kind
    assert built.to_dict() == own and list(built.to_dict()) == list(own)
    assert family.from_dict(own) == built
    flat_defaults = FLAT_DEFAULTS if family is Targeting else {"on": 4, "off": 4, "window": 4}
    flat = {**flat_defaults, **own}
    assert family.from_dict(flat) == built, "older scenario files carry every kind's fields"
    assert hash(family.from_dict(own)) == hash(built)
    assert pickle.loads(pickle.dumps(built)) == built


def test_weights_round_trip_and_compare_by_value():
    w = Targeting.from_weights(np.arange(5.0))
    own = w.to_dict()
    assert own == {"kind": "weights", "weights": [0.0, 1.0, 2.0, 3.0, 4.0]}
    assert isinstance(w, Weights) and Targeting.from_dict(own) == w
    assert w != Targeting.from_weights(np.ones(5)) and w != Targeting.broad()
    assert not w.weights.flags.writeable
    s = Strategy(3, targeting=w)
    assert Strategy.from_dict(s.to_dict()) == s and hash(Strategy.from_dict(s.to_dict())) == hash(s)


def test_kinds_differ_and_carry_only_their_fields():
    assert Targeting.broad() != Targeting.scored(0.1)
    assert not hasattr(Targeting.broad(), "top_share")
    assert not hasattr(Timing.always_on(), "window")


def test_the_families_are_not_kinds():
    with pytest.raises(TypeError, match=r"build one with Targeting\.broad\(\)"):
        Targeting()
    with pytest.raises(TypeError, match=r"Timing\.flighted\(\)"):
        Timing(kind="flighted")


def test_flat_forms_are_checked_as_before():
    with pytest.raises(buyernet.ParameterError, match="targeting kind must be broad, narrow"):
        Targeting.from_dict({"kind": "everyone"})
    with pytest.raises(buyernet.ParameterError, match="timing kind must be always_on, flighted"):
        Timing.from_dict({"kind": ["flighted"]})
    with pytest.raises(
        buyernet.ParameterError, match=r"unknown field targeting\.wat; targeting has"
    ):
        Targeting.from_dict({"wat": 1})
    with pytest.raises(buyernet.ParameterError, match="needs weights"):
        Targeting.from_dict({"kind": "weights"})
    # Another kind's fields are still checked, then left out: the engine never read them.
    with pytest.raises(buyernet.ParameterError, match=r"top_share must be in \(0, 1\]"):
        Targeting.from_dict({"kind": "narrow", "top_share": 0.0})
    assert Targeting.from_dict({"kind": "narrow", "top_share": 0.5}) == Targeting.narrow()
    assert Timing.from_dict({}) == Timing.always_on()
    assert Targeting.from_dict({}) == Targeting.broad()
