#!/usr/bin/env python3
"""Before/after: the same work timed under two installed buyernet versions, interleaved.

Give two Python interpreters, each with a buyernet installed (e.g. one virtual environment
built from main and one from the change). Each measurement runs in its own process; the two
versions alternate so that a noisy machine hits both alike. Printed: medians and the ratio
after/before for

- ``cascade``: 100 cascade runs (p = 0.05, 10 random seeds) on a Barabási–Albert graph;
- ``period``: the full market with 4 advertising brands (every targeting family and timing,
  sharing and referrals on), ms per period from the difference of a long and an 8-week run,
  so building the market cancels out (``--weeks`` sets the longer run: more weeks, less
  noise from the build). Budgets are impressions (5% of people a week per brand): a version
  with money spells them ``unit="impressions"`` and, unless ``--cap``, runs without a
  frequency cap, so both versions deliver the same impressions and the ratio is the cost
  of spend accounting (prices, spend per campaign, five more metrics recorded).

    python benches/versions.py BEFORE/bin/python AFTER/bin/python --only period --people 100000

On a loaded machine, times of either version swing by tens of percent. ``--instructions``
counts instead the instructions a period executes (valgrind's callgrind, one run of 8 and
one of ``--weeks`` weeks per version, single-threaded): deterministic, so a few percent
show, though it does not see memory stalls.

    python benches/versions.py BEFORE/bin/python AFTER/bin/python --people 100000 1000000
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

CHILD = r"""
import json, sys, time
import buyernet as bn

kind, n, weeks, cap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "cap"
money = hasattr(bn, "Media")
unit = {"unit": "impressions"} if money else {}
if kind == "cascade":
    g = bn.Graph.barabasi_albert(n, 10, seed=1)
    start = time.perf_counter()
    bn.cascade_sizes(g, bn.random_seeds(10), 0.05, runs=100, seed=7, threads=1)
    print(json.dumps({"seconds": time.perf_counter() - start}))
else:
    b = n * 0.05
    m = bn.Market().replace(population={"people": n, "companies": n // 20},
                            referrals={"refer_weekly": 0.01})
    if money and not cap:
        m = m.replace(media={"frequency_cap": 0})
    s = {"us": bn.Strategy.quantum(b, **unit), "rival_1": bn.Strategy.planetary(b, **unit),
         "rival_2": bn.Strategy(b, targeting=bn.Targeting.scored(0.2),
                                timing=bn.Timing.flighted(4, 4), **unit),
         "rival_3": bn.Strategy.quantum(b, **unit).replace(brand_share=1.0)}
    times = {}
    if len(sys.argv) > 5:  # one run only, for counting its instructions
        bn.simulate(m, periods=weeks, replicates=1, seed=1, strategies=s, threads=1)
        raise SystemExit(0)
    for w in (8, weeks):
        start = time.perf_counter()
        bn.simulate(m, periods=w, replicates=1, seed=1, strategies=s, threads=1)
        times[w] = time.perf_counter() - start
    print(json.dumps({"seconds": (times[weeks] - times[8]) / (weeks - 8)}))
"""


def measure(python: str, kind: str, n: int, weeks: int, cap: bool = False) -> float:
    args = [python, "-c", CHILD, kind, str(n), str(weeks), "cap" if cap else "uncapped"]
    out = subprocess.run(args, capture_output=True, text=True, check=True)
    return float(json.loads(out.stdout.strip().splitlines()[-1])["seconds"])


def instructions(python: str, n: int, weeks: int, cap: bool) -> float:
    """Instructions per period: callgrind's count of a run of ``weeks`` weeks less one of 8."""
    counts = []
    for w in (8, weeks):
        args = [python, "-c", CHILD, "period", str(n), str(w), "cap" if cap else "uncapped", "1"]
        grind = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
        out = subprocess.run([*grind, *args], capture_output=True, text=True, check=True)
        line = next(x for x in out.stderr.splitlines() if "Collected :" in x)
        counts.append(int(line.rsplit(":", 1)[1]))
    return (counts[1] - counts[0]) / (weeks - 8)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="python of the version before")
    parser.add_argument("after", help="python of the version after")
    parser.add_argument("--people", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--weeks", type=int, default=40, help="the longer run of the period measurement"
    )
    parser.add_argument(
        "--only", choices=("cascade", "period"), help="measure only this kind of work"
    )
    parser.add_argument(
        "--cap",
        action="store_true",
        help="keep the default frequency cap in a version with money (fewer impressions)",
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count the instructions of a period under valgrind instead of timing it",
    )
    args = parser.parse_args()
    if args.instructions:
        print("instructions per period (callgrind; single-threaded, deterministic)\n")
        print(f"  {'work':<30} {'before':>14} {'after':>14} {'after/before':>13}")
        for n in args.people:
            before, after = (
                instructions(getattr(args, w), n, args.weeks, args.cap) for w in ("before", "after")
            )
            label = f"period {n:,}"
            print(f"  {label:<30} {before:>14,.0f} {after:>14,.0f} {after / before:>13.4f}")
        return 0
    print(f"{args.repeats} runs each, each in its own process, versions interleaved\n")
    print(f"  {'work':<30} {'before':>10} {'after':>10} {'after/before':>13}")
    for kind, unit in (("cascade", "s"), ("period", "ms")):
        if args.only not in (None, kind):
            continue
        for n in args.people:
            times: dict[str, list[float]] = {"before": [], "after": []}
            for _ in range(args.repeats):
                for which in ("before", "after"):
                    times[which].append(
                        measure(getattr(args, which), kind, n, args.weeks, args.cap)
                    )
            scale = 1000 if unit == "ms" else 1
            # The median, and the fastest run: on a loaded machine other work only ever
            # slows a run down, so the fastest is the least disturbed.
            for stat, pick in (("median", statistics.median), ("fastest", min)):
                before, after = (pick(times[w]) for w in ("before", "after"))
                label = f"{kind} {n:,} ({stat})"
                print(
                    f"  {label:<30} {before * scale:>9.2f}{unit:<1} "
                    f"{after * scale:>9.2f}{unit:<1} {after / before:>13.3f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
