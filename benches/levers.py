#!/usr/bin/env python3
"""How the default market's levers respond, next to what marketing science has measured.

Prints, on the calibrated default market scaled to ``--people`` (budgets and the fixed
costs of creative and intent data scaled with it: the built-in scenario's money a week,
``buyernet.scenario.BUDGET``, is for 100k people), our
brand against the built-in scenario's rivals (a quantum and a planetary one at the same
budget), every arm paired on the same market draws:

- **timing of brand and demand**: extra wins of a demand-only and of a brand-only plan over
  staying dark, in months 0-3 and months 6-12 (Binet & Field: activation gives the larger
  effect in the first months, brand builds slowly);
- **brand share**: revenue over 4 years of a broad always-on plan at brand shares 0 .. 1
  (the revenue-maximising share should be interior);
- **elasticity**: of revenue to budget in year one and over four years, at half, once and
  twice the built-in budget (Sethuraman, Tellis & Briesch 2011: ~0.1 short run, ~0.24 long
  run; concave: falling as spend rises);
- **response curve**: extra 4-year revenue over dark at 0.5-4 times the budget for brand
  only, demand only and the 60/40 mix, with what each step adds per unit of budget
  (diminishing returns: each step adds less than the last);
- **a market with no advertising**: awareness ("know") over four years, year-1 and year-4
  metrics (a market that starts in steady state stays flat), and whether the hourglass is
  nested every week (like <= know, trust <= like, try <= know).

    python benches/levers.py                      # 20k people, 208 weeks, 4 replicates
    python benches/levers.py --people 50000 --replicates 6
"""

from __future__ import annotations

import argparse
import json
import math
import time
from typing import Any

import numpy as np

import buyernet as bn
from buyernet.scenario import BUDGET

SCENARIO_BUDGET_PER_PERSON = BUDGET / 100_000
BRAND_SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)
STAGE = {s: i for i, s in enumerate(bn.STAGES)}


# Changes to the default market (``--set section.field=value``), for calibrating.
CHANGES: dict[str, dict[str, Any]] = {}


def market(people: int) -> bn.Market:
    """The default market scaled to ``people`` (20 people per company, fixed costs scaled
    from 100k people), with ``CHANGES``.
    """
    scale, media = people / 100_000, bn.Media()
    m = bn.Market().replace(
        population={"people": people, "companies": people // 20},
        media={"creative": media.creative * scale, "intent_data": media.intent_data * scale},
    )
    return m.replace(**CHANGES) if CHANGES else m


def rivals(budget: float) -> dict[str | int, bn.Strategy]:
    """The built-in scenario's rivals at ``budget``."""
    return {"rival_1": bn.Strategy.quantum(budget), "rival_2": bn.Strategy.planetary(budget)}


def _arms(
    people: int, arms: dict[str, bn.Strategy | None], periods: int, replicates: int, seed: int
) -> dict[str, bn.Results]:
    """Every arm for our brand (None: dark) on the same market draws, with the rivals."""
    m = market(people)
    budget = people * SCENARIO_BUDGET_PER_PERSON
    out = {}
    for name, strategy in arms.items():
        plan: dict[str | int, bn.Strategy] = dict(rivals(budget))
        if strategy is not None:
            plan["us"] = strategy
        out[name] = bn.simulate(
            m,
            periods=periods,
            replicates=replicates,
            seed=seed,
            strategies=plan,
            threads=1,
            metrics=["wins", "revenue", "customers"],
        )
    return out


def _window(r: bn.Results, metric: str, start: int, stop: int) -> np.ndarray:
    """Our brand's per-replicate total of ``metric`` over weeks ``start+1 .. stop``."""
    return r.series(metric)[:, start:stop, 0].sum(axis=1)


def _lift(arm: np.ndarray, dark: np.ndarray) -> tuple[float, float]:
    """Mean relative lift over the dark arm, and the paired difference's standard error."""
    d = arm - dark
    se = d.std(ddof=1) / math.sqrt(len(d)) if len(d) > 1 else float("nan")
    base = dark.mean()
    return d.mean() / base, se / base


def timing(people: int, replicates: int, seed: int = 7) -> dict[str, Any]:
    """Extra wins of demand-only and brand-only plans over dark, months 0-3 and 6-12."""
    budget = people * SCENARIO_BUDGET_PER_PERSON
    arms = _arms(
        people,
        {
            "dark": None,
            "demand": bn.Strategy.quantum(budget).replace(brand_share=0.0),
            "brand": bn.Strategy.quantum(budget).replace(brand_share=1.0),
        },
        periods=52,
        replicates=replicates,
        seed=seed,
    )
    out: dict[str, Any] = {}
    for name in ("demand", "brand"):
        for label, (a, b) in (("months 0-3", (0, 13)), ("months 6-12", (26, 52))):
            lift, se = _lift(_window(arms[name], "wins", a, b), _window(arms["dark"], "wins", a, b))
            out[f"{name} {label}"] = (lift, se)
    return out


def brand_share(people: int, replicates: int, seed: int = 8) -> dict[float, float]:
    """Our 4-year revenue at each brand share of a broad always-on plan."""
    budget = people * SCENARIO_BUDGET_PER_PERSON
    arms = _arms(
        people,
        {str(s): bn.Strategy.quantum(budget).replace(brand_share=s) for s in BRAND_SHARES},
        periods=208,
        replicates=replicates,
        seed=seed,
    )
    return {s: float(_window(arms[str(s)], "revenue", 0, 208).mean()) for s in BRAND_SHARES}


def elasticity(people: int, replicates: int, seed: int = 9) -> dict[str, float]:
    """Elasticity of our revenue to budget, year one and four years, below and above the
    built-in budget (arc elasticities between half, once and twice it)."""
    budget = people * SCENARIO_BUDGET_PER_PERSON
    scales = (0.5, 1.0, 2.0)
    arms = _arms(
        people,
        {str(k): bn.Strategy.quantum(budget * k) for k in scales},
        periods=208,
        replicates=replicates,
        seed=seed,
    )
    out = {}
    for label, weeks in (("year 1", 52), ("4 years", 208)):
        rev = {k: _window(arms[str(k)], "revenue", 0, weeks).mean() for k in scales}
        out[f"{label}, 0.5x -> 1x"] = math.log(rev[1.0] / rev[0.5]) / math.log(2)
        out[f"{label}, 1x -> 2x"] = math.log(rev[2.0] / rev[1.0]) / math.log(2)
    return out


def response_curve(people: int, replicates: int, seed: int = 9) -> dict[str, list[float]]:
    """Our extra 4-year revenue over staying dark, in % of the dark arm's, at 0.5, 1, 2 and
    4 times the built-in budget, for a brand-only, a demand-only and the quantum (60/40)
    always-on plan: concave where each step adds less per impression than the last."""
    budget = people * SCENARIO_BUDGET_PER_PERSON
    scales = (0.5, 1.0, 2.0, 4.0)
    out = {}
    for label, share in (("brand only", 1.0), ("demand only", 0.0), ("60/40", 0.6)):
        arms = _arms(
            people,
            {
                "dark": None,
                **{
                    str(k): bn.Strategy.quantum(budget * k).replace(brand_share=share)
                    for k in scales
                },
            },
            periods=208,
            replicates=replicates,
            seed=seed,
        )
        dark = _window(arms["dark"], "revenue", 0, 208).mean()
        out[label] = [
            100 * (_window(arms[str(k)], "revenue", 0, 208).mean() / dark - 1) for k in scales
        ]
    return out


def no_advertising(people: int, replicates: int, seed: int = 10) -> dict[str, Any]:
    """A market where nobody advertises: awareness, year 1 against year 4, nesting."""
    r = bn.simulate(
        market(people),
        periods=208,
        replicates=replicates,
        seed=seed,
        threads=1,
        metrics=["wins", "revenue", "customers", "decisions", "no_decisions", "hourglass"],
    )
    h = r.hourglass  # [replicate, period, brand, stage]
    know = h[..., STAGE["know"]] / people
    out: dict[str, Any] = {
        "know, week 1": know[:, 0].mean(axis=0).round(3).tolist(),
        "know, week 52": know[:, 51].mean(axis=0).round(3).tolist(),
        "know, week 208": know[:, 207].mean(axis=0).round(3).tolist(),
    }
    for name in ("wins", "revenue", "customers", "decisions", "no_decisions"):
        s = r.series(name)
        total = s.sum(axis=-1) if s.ndim == 3 else s
        y1, y4 = total[:, :52].mean(), total[:, 156:208].mean()
        out[f"{name}: year 4 / year 1"] = y4 / y1
    out["year-4 / year-1 know"] = float(know[:, 156:].mean() / know[:, :52].mean())
    # The share of companies that are customers: start.incumbent_share should be near the
    # level the market holds (recalibrate it when the market changes).
    share = r.series("customers").sum(axis=-1) / (people // 20)
    out["customer share of companies, week 1"] = float(share[:, 0].mean())
    out["customer share of companies, year 4"] = float(share[:, 156:].mean())
    out["weeks nested (like<=know, trust<=like, try<=know)"] = nested(h)
    return out


def nested(h: np.ndarray) -> float:
    """Share of (replicate, week, brand) cells whose hourglass is nested."""
    s = {k: h[..., i] for k, i in STAGE.items()}
    ok = (s["like"] <= s["know"]) & (s["trust"] <= s["like"]) & (s["try"] <= s["know"])
    return float(ok.mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--replicates", type=int, default=4)
    parser.add_argument(
        "--only", choices=("timing", "share", "elasticity", "curve", "dark"), default=None
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.FIELD=VALUE",
        help="change the default market (repeatable), e.g. --set decisions.memory_curvature=0.7",
    )
    args = parser.parse_args()
    for change in args.set:
        key, value = change.split("=", 1)
        section, name = key.split(".", 1)
        CHANGES.setdefault(section, {})[name] = json.loads(value)
    p, n = args.people, args.replicates
    print(f"default market at {p:,} people, {n} paired replicates, budget {p * 0.05:,.0f}/week")
    start = time.perf_counter()
    if args.only in (None, "timing"):
        print("\nextra wins over dark (relative lift, +- one standard error):")
        for k, (lift, se) in timing(p, n).items():
            print(f"  {k:22s} {lift:+7.1%}  +- {se:.1%}")
    if args.only in (None, "share"):
        print("\nour 4-year revenue by brand share of a broad always-on plan:")
        revenue = brand_share(p, n)
        best = max(revenue, key=revenue.__getitem__)
        for s, v in revenue.items():
            print(f"  brand share {s:.2f}: {v:14,.0f}{'  <- best' if s == best else ''}")
    if args.only in (None, "elasticity"):
        print("\nelasticity of our revenue to budget (target ~0.1 year one, <= ~0.3 in 4 years):")
        for k, v in elasticity(p, n).items():
            print(f"  {k:20s} {v:+.3f}")
    if args.only in (None, "curve"):
        print("\nextra 4-year revenue over dark, % (budget 0.5x, 1x, 2x, 4x; per 1x of budget):")
        for label, lifts in response_curve(p, n).items():
            steps = [lifts[0] / 0.5] + [
                (b - a) / (k1 - k0)
                for a, b, k0, k1 in zip(lifts, lifts[1:], (0.5, 1, 2), (1, 2, 4))
            ]
            print(
                f"  {label:12s} "
                + " ".join(f"{x:6.1f}" for x in lifts)
                + "   per step: "
                + " ".join(f"{x:5.1f}" for x in steps)
            )
    if args.only in (None, "dark"):
        print("\nno advertising at all:")
        for k, v in no_advertising(p, n).items():
            print(f"  {k:50s} {v if isinstance(v, list) else round(v, 3)}")
    print(f"\n({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
