#!/usr/bin/env python3
"""Benchmark fused Monte Carlo and seed selection, in one run, printing ratios.

1. Fused ``expected_spread`` (64 runs per machine word) against the one-run engine
   (``method="sequential"``), same runs, same threads, at 1M nodes (100k with ``--quick``).
2. ``select_seeds(k=50, epsilon=0.1)``: buyernet's IMM and OPIM-C on 1 and 2 threads,
   pynetim's IMM (C++ backend, one thread) and a CELF greedy over the 100 highest-degree
   nodes (CELF over all nodes costs n x runs cascades per seed). Every method's seeds are
   evaluated by the same independent Monte Carlo (the one-run engine, 1,000 runs, one seed
   for all, so they share random numbers) with 95% intervals.
3. Peak bytes of the RR sets (sets and inverted index), per node and per stored edge.

Graphs (mean degree ~20): Barabasi-Albert (m = 10), Erdos-Renyi, and a real-world-shaped
graph: a Watts-Strogatz ring (k = 10, rewiring 0.1: clustered) overlaid with a
Barabasi-Albert graph (m = 5: heavy-tailed degrees).

    pip install '.[bench]' pynetim
    python benches/seeding.py --quick     # 100k graphs, pynetim on BA and RW: ~10 min loaded
    python benches/seeding.py             # adds the 1M graphs (pynetim skipped there)
    python benches/seeding.py --pynetim-at-1m --runs 1000

Machines are noisy (the reference machine has 2 cores shared with other work): read the
ratios, each measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

import buyernet
from buyernet import Graph

K, EPSILON, EVAL_RUNS, EVAL_SEED = 50, 0.1, 1000, 2024


@dataclass(frozen=True)
class Spec:
    """A benchmark graph and the transmission probability used on it."""

    kind: str  # "BA", "ER" or "RW"
    n: int
    p: float

    @property
    def label(self) -> str:
        """Short name for tables."""
        size = f"{self.n // 1_000_000}M" if self.n >= 1_000_000 else f"{self.n // 1000}k"
        return f"{self.kind}-{size}"

    def build(self) -> Graph:
        """Generate the graph with buyernet's generators."""
        if self.kind == "BA":
            return Graph.barabasi_albert(self.n, 10, seed=1)
        if self.kind == "ER":
            return Graph.erdos_renyi(self.n, 20.0, seed=1)
        ring = Graph.watts_strogatz(self.n, 10, 0.1, seed=1)
        hubs = Graph.barabasi_albert(self.n, 5, seed=2)
        (s1, d1, _), (s2, d2, _) = ring.to_edges(), hubs.to_edges()
        return Graph.from_edges(np.concatenate([s1, s2]), np.concatenate([d1, d2]), n=self.n)


def timed(f: Any) -> tuple[float, Any]:
    """Wall seconds of one call, and its result."""
    start = time.perf_counter()
    out = f()
    return time.perf_counter() - start, out


def evaluate(g: Graph, seeds: Any, p: float) -> str:
    """The spread of ``seeds`` by the shared independent Monte Carlo, with its interval."""
    est = buyernet.expected_spread(g, np.asarray(seeds), p, runs=EVAL_RUNS, seed=EVAL_SEED)
    half = 1.96 * est.stderr
    return f"{est.mean:9.1f} [{est.mean - half:.1f}, {est.mean + half:.1f}]"


def fused_vs_sequential(spec: Spec, g: Graph, runs: int, threads: int) -> None:
    """Time both engines on the same 10 seed nodes."""
    seeds = sorted(np.random.default_rng(12345).choice(g.n_nodes, 10, replace=False).tolist())
    row = []
    for method in ("sequential", "fused"):
        secs, est = timed(
            lambda m=method: buyernet.expected_spread(
                g, seeds, spec.p, runs=runs, seed=1, threads=threads, method=m
            )
        )
        row.append((secs, est))
    (ts, es), (tf, ef) = row
    print(
        f"  {spec.label:7} p={spec.p:<5} runs={runs:5} threads={threads}  "
        f"sequential {ts:8.2f}s  fused {tf:8.2f}s  speed-up {ts / tf:5.2f}x  "
        f"means {es.mean:.0f} / {ef.mean:.0f} (se {es.stderr:.0f} / {ef.stderr:.0f})",
        flush=True,
    )


def pynetim_imm(g: Graph, p: float) -> tuple[float, list[int]] | None:
    """pynetim's IMM (C++), one thread, on the same directed edges; None if not installed."""
    try:
        import pynetim  # type: ignore[import-untyped]
    except ImportError:
        return None
    offsets, targets, _ = g.csr()
    src = np.repeat(np.arange(g.n_nodes), np.diff(offsets.astype(np.int64)))
    # Every stored (directed) edge, as buyernet stores an undirected edge both ways.
    im = pynetim.IMGraph(
        list(zip(src.tolist(), targets.tolist())), weights=p, directed=True, renumber=False
    )
    algo = pynetim.IMMAlgorithm(im, model="IC", epsilon=EPSILON, random_seed=1)
    secs, seeds = timed(lambda: algo.run(k=K))
    return secs, sorted(int(s) for s in seeds)


def seeding(spec: Spec, g: Graph, with_pynetim: bool) -> None:
    """Time every method on one graph and evaluate its seeds."""
    print(f"\n  {spec.label} (n={g.n_nodes:,}, stored edges={g.n_stored:,}, p={spec.p})")
    print(f"    {'method':18} {'threads':>7} {'seconds':>9}  {'spread [95% CI]':>30}  RR sets")
    times: dict[str, float] = {}
    methods = ("imm", "opim-c")
    if spec.kind == "ER" and spec.n >= 1_000_000:
        # IMM sizes its sample for the worst case: on ER-100k it already draws ~3.5M sets
        # (1.4 GB); at 1M it would take most of this machine's memory and many minutes.
        methods = ("opim-c",)
        print("    (IMM skipped on ER-1M: see the note in seeding())")
    for method in methods:
        for threads in (1, 2):
            try:
                secs, sel = timed(
                    lambda m=method, t=threads: buyernet.select_seeds(
                        g, K, spec.p, method=m, epsilon=EPSILON, seed=1, threads=t, runs=2
                    )
                )
            except MemoryError as err:
                print(f"    {method:18} {threads:7}  refused: {err}")
                break
            times[f"{method}/{threads}"] = secs
            per = f"{sel.rr_sets:,} sets, {sel.rr_bytes / 2**20:,.0f} MiB peak"
            per += f" ({sel.rr_bytes / g.n_nodes:.0f} B/node,"
            per += f" {sel.rr_bytes / g.n_stored:.1f} B/stored edge)"
            spread = evaluate(g, sel.seeds, spec.p) if threads == 1 else "(same seeds)"
            name = f"buyernet {method}"
            print(f"    {name:18} {threads:7} {secs:9.2f}  {spread:>30}  {per}", flush=True)
    top = np.argsort(-g.degrees(), kind="stable")[:100]
    secs, sel = timed(
        lambda: buyernet.select_seeds(
            g, K, spec.p, method="celf", seed=1, threads=2, candidates=top, celf_runs=256, runs=2
        )
    )
    times["celf/2"] = secs
    spread = evaluate(g, sel.seeds, spec.p)
    print(f"    {'CELF (top 100)':18} {2:7} {secs:9.2f}  {spread:>30}", flush=True)
    if with_pynetim:
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        out = pynetim_imm(g, spec.p)
        if out is None:
            print("    pynetim not installed: pip install pynetim")
        else:
            secs, seeds = out
            times["pynetim"] = secs
            spread = evaluate(g, seeds, spec.p)
            print(f"    {'pynetim IMM':18} {1:7} {secs:9.2f}  {spread:>30}", flush=True)
    for method in ("imm", "opim-c"):
        one, two = times.get(f"{method}/1"), times.get(f"{method}/2")
        if one and two:
            line = f"    {method}: 2 threads {one / two:.2f}x faster than 1"
            if "pynetim" in times:
                line += f"; 1 thread {times['pynetim'] / one:.1f}x faster than pynetim's IMM"
            print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k graphs only")
    parser.add_argument("--runs", type=int, default=128, help="runs of the fused/sequential timing")
    parser.add_argument("--pynetim-at-1m", action="store_true", help="pynetim on 1M graphs too")
    parser.add_argument("--pynetim-on-er", action="store_true", help="pynetim on ER too (slow)")
    args = parser.parse_args()
    print(f"buyernet {buyernet.__version__}, {os.cpu_count()} cores, load {os.getloadavg()}")
    small = [Spec("BA", 100_000, 0.01), Spec("ER", 100_000, 0.05), Spec("RW", 100_000, 0.01)]
    big = [Spec("BA", 1_000_000, 0.01), Spec("ER", 1_000_000, 0.05)]
    graphs = small if args.quick else small + big
    built = {spec: spec.build() for spec in graphs}

    print("\n1. Fused vs one-run Monte Carlo (expected_spread, same threads)")
    ba, er = (small[0], small[1]) if args.quick else (big[0], big[1])
    # BA p = 0.05 and ER p = 0.1 are benches/cascades.py's settings (p x degree = 1 and 2);
    # ER p = 0.3 (p x degree = 6) is a dense cascade; BA p = 0.01, tiny ones.
    for spec, p in ((ba, 0.01), (ba, 0.05), (er, 0.1), (er, 0.3)):
        fused_vs_sequential(Spec(spec.kind, spec.n, p), built[spec], args.runs, threads=2)

    print(f"\n2. select_seeds(k={K}, epsilon={EPSILON}); spreads by {EVAL_RUNS} shared runs")
    for spec in graphs:
        slow_peer = (spec.n >= 1_000_000 and not args.pynetim_at_1m) or (
            spec.kind == "ER" and not args.pynetim_on_er
        )
        seeding(spec, built[spec], with_pynetim=not slow_peer)
    print(f"\nload at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
