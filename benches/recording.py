#!/usr/bin/env python3
"""What recording fewer metrics saves: the full model with 4 advertising brands, recording
every series and the hourglass vs only wins and revenue, each in its own process.

    python benches/recording.py --people 1000000 --weeks 20

Machines are noisy: read the ratios (medians of --repeats runs), not the absolute times.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

from measure import peak_rss_mb  # benches/ is on sys.path when run as a script


def run(people: int, weeks: int, few: bool) -> dict:
    import buyernet as bn

    b = people * 0.05
    market = bn.Market().replace(population={"people": people, "companies": people // 20})
    plan = {
        "us": bn.Strategy.quantum(b, unit="impressions"),
        "rival_1": bn.Strategy.planetary(b, unit="impressions"),
        "rival_2": bn.Strategy(b, targeting=bn.Targeting.scored(0.2), unit="impressions"),
        "rival_3": bn.Strategy.quantum(b, unit="impressions").replace(brand_share=1.0),
    }
    wanted = ["wins", "revenue"] if few else None
    start = time.perf_counter()
    bn.simulate(market, periods=weeks, replicates=1, seed=1, strategies=plan, threads=1,
                metrics=wanted)  # fmt: skip
    return {"seconds": time.perf_counter() - start, "peak_mb": peak_rss_mb()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--weeks", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        people, weeks, few = args.worker
        print(json.dumps(run(int(people), int(weeks), few == "1")))
        return 0
    results: dict[str, list[dict]] = {"all": [], "few": []}
    for _ in range(args.repeats):
        for label, few in (("all", "0"), ("few", "1")):
            out = subprocess.run(
                [sys.executable, __file__, "--worker", str(args.people), str(args.weeks), few],
                capture_output=True,
                text=True,
                check=True,
            )
            results[label].append(json.loads(out.stdout.strip().splitlines()[-1]))
    s = {k: statistics.median(r["seconds"] for r in v) for k, v in results.items()}
    m = {k: max(r["peak_mb"] for r in v) for k, v in results.items()}
    print(f"{args.people:,} people, {args.weeks} weeks, 4 advertising brands, 1 thread")
    print(f"  every series and the hourglass: {s['all']:.2f} s, peak {m['all']:.0f} MB")
    print(f"  wins and revenue only:          {s['few']:.2f} s, peak {m['few']:.0f} MB")
    print(f"  saved: {1 - s['few'] / s['all']:.0%} of the time, {m['all'] - m['few']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
