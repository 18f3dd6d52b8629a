#!/usr/bin/env python3
"""Influencer seeding against broad and account-based targeting, at equal spend.

One paired ``compare()`` on the default market (100k people): the quantum preset (broad,
universal, always on), the same with influencer seeding (its ``--seeds`` people whose shares
spread furthest, chosen within the broad audience and re-chosen every 13 weeks), and the
planetary preset (account-based, personalized, intent-triggered), each at the built-in
scenario's money budget, against the brand dark. Prints the comparison, earned reach per
impression (what seeding is for) and the run time of each arm alone.

    python benches/influencers.py                       # 100k people, 104 weeks, 8 replicates
    python benches/influencers.py --people 20000 --weeks 52 --replicates 4   # quicker
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import buyernet as bn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--replicates", type=int, default=8)
    parser.add_argument("--seeds", type=int, default=1_000)
    parser.add_argument("--budget", type=float, default=250.0)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    scale = args.people / 100_000
    media = bn.Market().media
    # A smaller market is a slice of the default one: its budget and fixed costs scale too.
    market = bn.Market().replace(
        population={"people": args.people, "companies": max(1, args.people // 20)},
        media={"creative": media.creative * scale, "intent_data": media.intent_data * scale},
    )
    broad = bn.Strategy.quantum(args.budget * scale)
    alternatives = {
        "broad": broad,
        "influencers": broad.replace(targeting=bn.Targeting.seeding(args.seeds)),
        "account_based": bn.Strategy.planetary(args.budget * scale),
    }
    run = {"periods": args.weeks, "replicates": args.replicates, "seed": 1}
    started = time.perf_counter()
    comparison = bn.compare(market, alternatives, threads=args.threads, **run)
    print(comparison)
    print(f"\n(all arms in one call: {time.perf_counter() - started:.1f} s)\n")
    print(f"{'alternative':<14} {'impressions':>12} {'earned reach':>13} {'per 1k impr.':>13}")
    for name, results in comparison.results.items():
        impressions = results.series("impressions")[:, :, 0].sum()
        earned = results.series("earned_reach")[:, :, 0].sum()
        per = 1000 * earned / impressions if impressions else float("nan")
        print(f"{name:<14} {impressions:>12,.0f} {earned:>13,.0f} {per:>13.1f}")
    print(f"\none replicate of {args.weeks} weeks, one thread, each alternative alone:")
    for name, strategy in alternatives.items():
        times = []
        for _ in range(3):
            started = time.perf_counter()
            bn.simulate(
                market,
                strategies={"us": strategy},
                periods=args.weeks,
                replicates=1,
                seed=2,
                threads=1,
            )
            times.append(time.perf_counter() - started)
        print(f"  {name:<14} {float(np.median(times)):.2f} s (median of 3)")


if __name__ == "__main__":
    main()
