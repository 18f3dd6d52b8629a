#!/usr/bin/env python3
"""Benchmark paired arms: what N alternatives cost next to one, and their peak memory.

``compare()`` runs every alternative in one engine call: per replicate the population and
the professional network are drawn once and shared by the arms. This prints, at 300k people,
each in its own process (so peak memory is each one's own):

- one arm (``simulate``);
- 4 identical arms in one ``compare()`` call;
- the same 4 arms as 4 separate ``simulate`` calls (what ``compare()`` did before: each arm
  redrew the population and network);

with the ratios against one arm, and one arm's single week with and without its warm-up, to
show what share of an arm the shared build is. Target: 4 arms cost at most 2.5x one arm, and
the peak memory holds one network per replicate in flight, not one per arm. Only the build is
shared (the warm-up and the weeks are each arm's own), so the ratio can only go below
``build + 4 x (the rest)``, which the last line prints.

    python benches/arms.py                  # 300k people, 52 weeks, 2 replicates
    python benches/arms.py --people 100000  # quicker

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


def setup(people: int) -> tuple[object, object]:
    import buyernet as bn

    market = bn.Market().replace(population={"people": people, "companies": people // 20})
    return market, bn.Strategy.quantum(people * 0.05, unit="impressions")


def run(kind: str, people: int, weeks: int, replicates: int, threads: int | None) -> dict:
    """One measurement: seconds and peak memory of ``kind``."""
    import buyernet as bn

    market, strategy = setup(people)
    kw = {"periods": weeks, "replicates": replicates, "seed": 1, "threads": threads}
    if kind in ("built", "warmed"):
        # One recorded week: the market's build (and the warm-up), next to nothing else.
        kw["periods"] = 1
        if kind == "built":
            market = market.replace(start={"warmup_weeks": 0})
    start = time.perf_counter()
    if kind in ("one", "built", "warmed"):
        bn.simulate(market, strategies={"us": strategy}, **kw)
    elif kind == "paired":
        arms = {f"arm{i}": strategy for i in range(4)}
        bn.compare(market, arms, brand="us", dark=False, **kw)
    else:
        for _ in range(4):
            bn.simulate(market, strategies={"us": strategy}, **kw)
    return {"seconds": time.perf_counter() - start, "peak_mb": peak_rss_mb()}


def worker(args: list[str]) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"worker failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=300_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--replicates", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="0: all cores")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, people, weeks, replicates, threads = args.worker
        result = run(kind, int(people), int(weeks), int(replicates), int(threads) or None)
        print(json.dumps(result))
        return 0
    shared = [str(args.people), str(args.weeks), str(args.replicates), str(args.threads)]
    kinds = {
        "one": "1 arm (simulate)",
        "paired": "4 identical arms, compare() (one engine call)",
        "looped": "4 identical arms as 4 simulate() calls (the old compare)",
        "built": "1 arm, 1 week, no warm-up (~ the market's build)",
        "warmed": "1 arm, 1 week after the warm-up",
    }
    results: dict[str, list[dict]] = {k: [] for k in kinds}
    for _ in range(args.repeats):
        for kind in kinds:  # interleaved, so drift hits every kind alike
            results[kind].append(worker([kind, *shared]))
    median = {k: statistics.median(r["seconds"] for r in v) for k, v in results.items()}
    peak = {k: max(r["peak_mb"] for r in v) for k, v in results.items()}
    threads = args.threads or "all"
    print(
        f"{args.people:,} people, {args.weeks} weeks, {args.replicates} replicates, "
        f"{threads} thread(s); median of {args.repeats}"
    )
    print(f"\n  {'run':<58} {'s':>7} {'x one arm':>10} {'peak MB':>8}")
    for kind, label in kinds.items():
        ratio = median[kind] / median["one"]
        print(f"  {label:<58} {median[kind]:>7.2f} {ratio:>10.2f} {peak[kind]:>8.0f}")
    ratio = median["paired"] / median["one"]
    print("\ntargets:")
    print(
        f"  {'PASS' if ratio <= 2.5 else 'FAIL'} 4 paired arms cost {ratio:.2f}x one arm (<= 2.5x)"
    )
    # Only the build is shared by the arms; the warm-up and every week are each arm's own.
    build, warm = median["built"], median["warmed"] - median["built"]
    floor = (build + 4 * (median["one"] - build)) / median["one"]
    print(
        f"  the market's build is {build / median['one']:.0%} of one arm and the warm-up "
        f"{warm / median['one']:.0%}: sharing the build perfectly, 4 arms cost at least "
        f"{floor:.2f}x one arm"
    )
    extra = peak["paired"] - peak["one"]
    print(
        f"  memory: 4 paired arms peak {peak['paired']:.0f} MB vs one arm {peak['one']:.0f} MB "
        f"(+{extra:.0f} MB for 3 more arms' state; the network is shared)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
