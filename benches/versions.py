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
  noise from the build).

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

kind, n, weeks = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
if kind == "cascade":
    g = bn.Graph.barabasi_albert(n, 10, seed=1)
    start = time.perf_counter()
    bn.cascade_sizes(g, bn.random_seeds(10), 0.05, runs=100, seed=7, threads=1)
    print(json.dumps({"seconds": time.perf_counter() - start}))
else:
    b = n * 0.05
    m = bn.Market().replace(population={"people": n, "companies": n // 20},
                            referrals={"refer_weekly": 0.01})
    s = {"us": bn.Strategy.quantum(b), "rival_1": bn.Strategy.planetary(b),
         "rival_2": bn.Strategy(b, targeting=bn.Targeting.scored(0.2),
                                timing=bn.Timing.flighted(4, 4)),
         "rival_3": bn.Strategy.quantum(b).replace(brand_share=1.0)}
    times = {}
    for w in (8, weeks):
        start = time.perf_counter()
        bn.simulate(m, periods=w, replicates=1, seed=1, strategies=s, threads=1)
        times[w] = time.perf_counter() - start
    print(json.dumps({"seconds": (times[weeks] - times[8]) / (weeks - 8)}))
"""


def measure(python: str, kind: str, n: int, weeks: int) -> float:
    out = subprocess.run(
        [python, "-c", CHILD, kind, str(n), str(weeks)], capture_output=True, text=True, check=True
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1])["seconds"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="python of the version before")
    parser.add_argument("after", help="python of the version after")
    parser.add_argument("--people", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--weeks", type=int, default=40, help="the longer run of the period measurement"
    )
    args = parser.parse_args()
    print(f"median of {args.repeats}, each in its own process, versions interleaved\n")
    print(f"  {'work':<30} {'before':>10} {'after':>10} {'after/before':>13}")
    for kind, unit in (("cascade", "s"), ("period", "ms")):
        for n in args.people:
            times: dict[str, list[float]] = {"before": [], "after": []}
            for _ in range(args.repeats):
                for which in ("before", "after"):
                    times[which].append(measure(getattr(args, which), kind, n, args.weeks))
            before, after = (statistics.median(times[w]) for w in ("before", "after"))
            scale = 1000 if unit == "ms" else 1
            label = f"{kind} {n:,}"
            print(
                f"  {label:<30} {before * scale:>9.2f}{unit:<1} {after * scale:>9.2f}{unit:<1} "
                f"{after / before:>13.3f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
