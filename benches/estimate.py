#!/usr/bin/env python3
"""The engine's memory estimate against measured peaks, each run in its own process.

``buyernet`` estimates the peak memory of a run before it starts (and the command refuses a
run that would not fit). This prints, for a few runs, the estimate and the measured peak
resident memory above the interpreter's own (Python and numpy loaded), and their ratio.

    python benches/estimate.py
"""

from __future__ import annotations

import json
import subprocess
import sys

from measure import peak_rss_mb  # benches/ is on sys.path when run as a script

RUNS = [  # people, advertising brands, arms, replicates, threads, weeks
    (300_000, 0, 1, 1, 1, 20),
    (300_000, 4, 1, 1, 1, 20),
    (300_000, 2, 4, 2, 1, 20),
    (1_000_000, 4, 1, 1, 1, 20),
    (1_000_000, 2, 2, 2, 2, 20),
]


def run(people: int, ads: int, arms: int, replicates: int, threads: int, weeks: int) -> dict:
    import buyernet as bn
    from buyernet.simulation import estimate_bytes

    before = peak_rss_mb()
    market = bn.Market().replace(population={"people": people, "companies": people // 20})
    budget = people * 0.05
    rivals = {
        name: bn.Strategy.quantum(budget, unit="impressions") for name in market.brand_names[1:ads]
    }
    alternatives = {f"a{i}": bn.Strategy.quantum(budget, unit="impressions") for i in range(arms)}
    if ads == 0:
        alternatives = {f"a{i}": bn.Strategy.quantum(0) for i in range(arms)}
    kw = {"periods": weeks, "replicates": replicates, "seed": 1, "threads": threads}
    estimate = estimate_bytes(market, alternatives, rivals, "us", weeks, replicates, threads)
    bn.compare(market, alternatives, brand="us", rivals=rivals, **kw)
    return {"estimate_mb": estimate / 2**20, "measured_mb": peak_rss_mb() - before}


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        print(json.dumps(run(*(int(x) for x in sys.argv[2:]))))
        return 0
    print(f"  {'people':>9} {'ads':>3} {'arms':>4} {'reps':>4} {'threads':>7} "
          f"{'estimate MB':>12} {'measured MB':>12} {'ratio':>6}")  # fmt: skip
    for spec in RUNS:
        out = subprocess.run(
            [sys.executable, __file__, "--worker", *(str(x) for x in spec)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        ratio = r["estimate_mb"] / max(r["measured_mb"], 1e-9)
        people, ads, arms, reps, threads, _ = spec
        print(
            f"  {people:>9,} {ads:>3} {arms:>4} {reps:>4} {threads:>7} "
            f"{r['estimate_mb']:>12.0f} {r['measured_mb']:>12.0f} {ratio:>6.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
