#!/usr/bin/env python3
"""Benchmark buyernet's independent cascades against peer libraries, in one run.

For each graph below, buyernet builds it once (and saves its CSR for the peers). Then every
library runs in its own subprocess, so each one's peak memory is its own: buyernet
(building the same graph from the same seed and timing cascades), cynetdiff (on the saved CSR),
NDlib and a plain networkx BFS loop (on a networkx graph built from it). All run the same IC
model from the same 10 seed nodes. Printed: median time per cascade, edges examined per
second (edges out of activated nodes: the work a per-edge-coin implementation does), peak
memory, ratios against buyernet, a threads sweep of ``cascade_sizes``, and the targets.

    pip install '.[bench]'
    python benches/cascades.py            # 100k and 1M graphs; NDlib/networkx at 100k only
    python benches/cascades.py --quick    # 100k only, a minute or two
    python benches/cascades.py --slow-peers-at-1m   # NDlib and networkx at 1M too (minutes, GBs)

Machines are noisy: read the medians and the ratios, not absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from measure import peak_rss_mb  # benches/ is on sys.path when run as a script

HERE = Path(__file__).resolve().parent
PEERS = HERE / "peers" / "cascades.py"


@dataclass(frozen=True)
class GraphSpec:
    """A benchmark graph, built by buyernet's generator from a fixed seed."""

    kind: str  # "barabasi_albert" or "erdos_renyi"
    n: int
    degree_param: float  # m for Barabasi-Albert, mean degree for Erdos-Renyi
    seed: int = 1

    @property
    def label(self) -> str:
        """Short name for tables."""
        short = {"barabasi_albert": "BA", "erdos_renyi": "ER"}[self.kind]
        size = f"{self.n // 1_000_000}M" if self.n >= 1_000_000 else f"{self.n // 1000}k"
        return f"{short}-{size}"

    def build(self) -> Any:
        """Generate the graph with buyernet."""
        import buyernet

        if self.kind == "barabasi_albert":
            return buyernet.Graph.barabasi_albert(self.n, int(self.degree_param), seed=self.seed)
        return buyernet.Graph.erdos_renyi(self.n, self.degree_param, seed=self.seed)


@dataclass(frozen=True)
class Case:
    """A graph and a transmission probability, timed for every library."""

    graph: GraphSpec
    p: float
    repeats: int
    peers: tuple[str, ...]


# Mean degree 20 everywhere: BA with m = 10, ER with mean degree 20. BA at p = 0.05 and ER at
# p = 0.1 (R = 2; p = 0.05 would be exactly critical, with wildly varying sizes) make cascades
# reach a large share of the network from 10 seeds; p = 0.01 keeps BA cascades to tens of nodes,
# where per-run overhead (not the graph) is what is measured.
BA_100K = GraphSpec("barabasi_albert", 100_000, 10)
ER_100K = GraphSpec("erdos_renyi", 100_000, 20.0)
BA_1M = GraphSpec("barabasi_albert", 1_000_000, 10)
ER_1M = GraphSpec("erdos_renyi", 1_000_000, 20.0)
ALL_PEERS = ("cynetdiff", "networkx", "ndlib")


def cases(quick: bool, slow_peers_at_1m: bool) -> list[Case]:
    """The benchmark matrix."""
    small = [Case(BA_100K, 0.05, 7, ALL_PEERS), Case(ER_100K, 0.1, 7, ALL_PEERS)]
    if quick:
        return small
    big_peers = ALL_PEERS if slow_peers_at_1m else ("cynetdiff",)
    return [
        *small,
        Case(BA_1M, 0.05, 9, big_peers),
        Case(ER_1M, 0.1, 9, big_peers),
        Case(BA_1M, 0.01, 3000, ("cynetdiff",)),
    ]


SEED_COUNT = 10


def seed_nodes(n: int) -> list[int]:
    """The same 10 seed nodes for every library."""
    return sorted(np.random.default_rng(12345).choice(n, SEED_COUNT, replace=False).tolist())


# -- the buyernet worker (runs in its own process) ------------------------------------------


def buyernet_worker(spec: GraphSpec, p: float, repeats: int, seeds: list[int]) -> dict[str, Any]:
    """Build the graph and time cascades, like the peers' worker, single-threaded."""
    import buyernet

    start = time.perf_counter()
    graph = spec.build()
    setup = time.perf_counter() - start
    times, sizes = [], []
    if p >= 0.02:
        # One cascade per call, as a user running one at a time would.
        for r in range(repeats):
            start = time.perf_counter()
            size = buyernet.cascade_sizes(graph, seeds, p, runs=1, seed=r, threads=1)[0]
            times.append(time.perf_counter() - start)
            sizes.append(int(size))
    else:
        # Tiny cascades: the batched call, per run; 7 batches for a median.
        for b in range(7):
            start = time.perf_counter()
            batch = buyernet.cascade_sizes(graph, seeds, p, runs=repeats, seed=b, threads=1)
            times.append((time.perf_counter() - start) / repeats)
            sizes.extend(int(s) for s in batch[:3])
    return {
        "lib": "buyernet",
        "version": buyernet.__version__,
        "setup_s": setup,
        "times_s": times,
        "sizes": sizes,
        "nbytes": graph.nbytes,
        "n_stored": graph.n_stored,
        "peak_rss_mb": peak_rss_mb(),
    }


def threads_worker(spec: GraphSpec, p: float, runs: int, seeds: list[int]) -> dict[str, Any]:
    """Time cascade_sizes at 1, 2, ... cores; check the sizes never change."""
    import buyernet

    graph = spec.build()
    counts = sorted({1, 2, *(t for t in (4, 8, 16) if t <= (os.cpu_count() or 1))})
    out: dict[str, Any] = {"threads": [], "seconds": []}
    reference: np.ndarray | None = None
    for threads in counts:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            sizes = buyernet.cascade_sizes(graph, seeds, p, runs=runs, seed=7, threads=threads)
            best = min(best, time.perf_counter() - start)
        if reference is None:
            reference = sizes
        elif not np.array_equal(sizes, reference):
            raise SystemExit(f"sizes changed with threads={threads}: determinism broken")
        out["threads"].append(threads)
        out["seconds"].append(best)
    return out


# -- the driver ---------------------------------------------------------------------------


def run_json(cmd: list[str], timeout: float) -> dict[str, Any] | None:
    """Run a worker; its last stdout line is JSON. None (with a note) if it failed."""
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        reason = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        print(f"    skipped {cmd[3] if len(cmd) > 3 else cmd}: {reason[0]}", file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def save_csr(graph: Any, path: Path) -> None:
    """The CSR arrays in the peers' format."""
    offsets, targets, _ = graph.csr()
    np.savez(path, offsets=offsets.astype(np.int64), targets=targets, directed=graph.directed)


def examined_per_cascade(graph: Any, seeds: list[int], p: float, repeats: int) -> float:
    """Mean edges out of activated nodes per cascade (the same for every correct library)."""
    import buyernet

    degrees = graph.degrees().astype(np.int64)
    total = 0
    for r in range(repeats):
        trace = buyernet.cascade(graph, seeds, p, seed=r)
        total += int(degrees[trace.generation >= 0].sum())
    return total / repeats


def main() -> int:
    """Run the benchmark matrix and print tables and target checks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k graphs only")
    parser.add_argument("--slow-peers-at-1m", action="store_true", help="NDlib, networkx at 1M")
    parser.add_argument("--json", type=Path, help="also write all results here")
    parser.add_argument("--worker", choices=["buyernet", "threads"], help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    parser.add_argument("--p", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        kind, n, param = args.spec.split(":")
        spec = GraphSpec(kind, int(n), float(param))
        worker = buyernet_worker if args.worker == "buyernet" else threads_worker
        print(json.dumps(worker(spec, args.p, args.repeats, seed_nodes(spec.n))))
        return 0

    import buyernet

    python = sys.version.split()[0]
    print(f"buyernet {buyernet.__version__}, {os.cpu_count()} cores, python {python}")
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases(args.quick, args.slow_peers_at_1m):
            spec, seeds = case.graph, seed_nodes(case.graph.n)
            graph = spec.build()
            csr_path = Path(tmp) / f"{spec.label}.npz"
            if not csr_path.exists():
                save_csr(graph, csr_path)
            examined = examined_per_cascade(graph, seeds, case.p, 5)
            del graph
            print(f"\n{spec.label} (mean degree 20), p = {case.p}, 10 seeds:", flush=True)
            key = f"{spec.kind}:{spec.n}:{spec.degree_param}"
            rows = [
                run_json(
                    [
                        sys.executable,
                        __file__,
                        "--worker",
                        "buyernet",
                        "--spec",
                        key,
                        "--p",
                        str(case.p),
                        "--repeats",
                        str(case.repeats),
                    ],
                    timeout=1800,
                )
            ]
            for lib in case.peers:
                slow = lib != "cynetdiff"
                repeats = 1 if slow and spec.n >= 1_000_000 else (3 if slow else case.repeats)
                rows.append(
                    run_json(
                        [
                            sys.executable,
                            str(PEERS),
                            "--lib",
                            lib,
                            "--graph",
                            str(csr_path),
                            "--p",
                            str(case.p),
                            "--seeds",
                            ",".join(map(str, seeds)),
                            "--repeats",
                            str(repeats),
                            "--skip-examined",
                        ],
                        timeout=3600,
                    )
                )
            ours = rows[0]
            print(
                f"  {'library':<10} {'setup s':>8} {'median/cascade':>15} {'edges/s':>10} "
                f"{'mean size':>10} {'peak MB':>8} {'slower than buyernet':>21}"
            )
            for row in rows:
                if row is None:
                    continue
                median = statistics.median(row["times_s"])
                row.update(case=spec.label, p=case.p, median_s=median, examined=examined)
                ratio = median / ours["median_s"] if ours else float("nan")
                shown = f"{median * 1e3:.2f} ms" if median >= 1e-3 else f"{median * 1e6:.1f} µs"
                print(
                    f"  {row['lib']:<10} {row['setup_s']:>8.2f} {shown:>15} "
                    f"{examined / median:>10.3g} {statistics.mean(row['sizes']):>10.1f} "
                    f"{row['peak_rss_mb']:>8.0f} {ratio:>20.1f}x"
                )
                results.append(row)

        sweep_spec, sweep_runs = (BA_100K, 200) if args.quick else (BA_1M, 40)
        print(f"\nthreads sweep: cascade_sizes on {sweep_spec.label}, p = 0.05, {sweep_runs} runs")
        sweep = run_json(
            [
                sys.executable,
                __file__,
                "--worker",
                "threads",
                "--spec",
                f"{sweep_spec.kind}:{sweep_spec.n}:{sweep_spec.degree_param}",
                "--p",
                "0.05",
                "--repeats",
                str(sweep_runs),
            ],
            timeout=1800,
        )
        if sweep:
            base = sweep["seconds"][0]
            for t, s in zip(sweep["threads"], sweep["seconds"]):
                print(f"  threads={t:<3} {s:7.3f} s   speedup {base / s:5.2f}x")

    print("\ntargets (BA 1M, m = 10, 10 seeds):")
    check_targets(results, sweep)
    if args.json:
        args.json.write_text(json.dumps({"cases": results, "threads": sweep}, indent=1))
    return 0


def check_targets(results: list[dict[str, Any]], sweep: dict[str, Any] | None) -> None:
    """Print each speed and memory target of the cascade engine with the measured figure."""

    def find(case: str, p: float, lib: str) -> dict[str, Any] | None:
        return next(
            (r for r in results if r["case"] == case and r["p"] == p and r["lib"] == lib), None
        )

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    ours, theirs = find("BA-1M", 0.05, "buyernet"), find("BA-1M", 0.05, "cynetdiff")
    if ours and theirs:
        speed = theirs["median_s"] / ours["median_s"]
        print(f"  {verdict(speed >= 4)} per cascade vs cynetdiff: {speed:.1f}x faster (>= 4x)")
        per_edge = (ours["nbytes"] - 8 * 1_000_001) / ours["n_stored"]
        bound = 4 * ours["n_stored"] + 16 * 1_000_000
        print(
            f"  {verdict(ours['nbytes'] <= bound)} graph memory {ours['nbytes'] / 1e6:.1f} MB "
            f"= {per_edge:.2f} B/stored edge + 8 B/node (<= 4 B/edge + 16 B/node)"
        )
        mem = ours["peak_rss_mb"] / theirs["peak_rss_mb"]
        print(
            f"  {verdict(mem <= 0.5)} peak memory {ours['peak_rss_mb']:.0f} MB vs cynetdiff "
            f"{theirs['peak_rss_mb']:.0f} MB = {mem:.2f} (<= 0.5)"
        )
    else:
        print("  (1M cases not run: use the full benchmark)")
    ours, theirs = find("BA-1M", 0.01, "buyernet"), find("BA-1M", 0.01, "cynetdiff")
    if ours and theirs:
        ratio = ours["median_s"] / theirs["median_s"]
        print(
            f"  {verdict(ratio <= 1)} tiny cascades (p = 0.01): {ours['median_s'] * 1e6:.1f} µs "
            f"vs cynetdiff {theirs['median_s'] * 1e6:.1f} µs per run ({ratio:.2f}, <= 1)"
        )
    if sweep and len(sweep["threads"]) > 1:
        speedup = sweep["seconds"][0] / sweep["seconds"][1]
        print(f"  {verdict(speedup >= 1.8)} cascade_sizes 2 threads vs 1: {speedup:.2f}x (>= 1.8)")


if __name__ == "__main__":
    sys.exit(main())
