"""``buyernet tour``: a tour of the network and cascade engine on a generated market.

Builds a 200k-person professional-network stand-in (Barabási–Albert), then asks how far a
shared piece of creative travels from 10 people as its shareability rises, and who passed it
to whom in one cascade.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import buyernet


def main(argv: list[str] | None = None) -> None:
    """Run the tour; ``--nodes`` and ``--runs`` change its size."""
    # The module doc without its reST markup, for the terminal.
    parser = argparse.ArgumentParser(
        prog="buyernet tour", description=(__doc__ or "").replace("``", "")
    )
    parser.add_argument("--nodes", type=int, default=200_000, help="people (at least 11)")
    parser.add_argument("--runs", type=int, default=200, help="cascades per estimate (>= 2)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed in [0, 2**64)")
    args = parser.parse_args(argv)
    # Refused here, naming the option, rather than as a traceback from the engine.
    for option, value, low, high in (
        ("--nodes", args.nodes, 11, 2**32 - 1),
        ("--runs", args.runs, 2, 2**63 - 1),
        ("--seed", args.seed, 0, 2**64 - 1),
    ):
        if not low <= value <= high:
            parser.error(f"{option} must be in [{low}, {high}]; got {value}")

    start = time.perf_counter()
    graph = buyernet.Graph.barabasi_albert(args.nodes, 10, seed=args.seed)
    print(
        f"network: {graph.n_nodes:,} people, {graph.n_edges:,} ties, "
        f"{graph.nbytes / 2**20:.0f} MiB, built in {time.perf_counter() - start:.2f} s"
    )
    seeds = buyernet.random_seeds(10)
    print(f"\nshared creative from 10 random people, {args.runs} cascades each:")
    print(f"{'p (share per tie)':>18} {'mean reach':>12} {'± s.e.':>9} {'ms/cascade':>11}")
    for p in (0.005, 0.01, 0.02, 0.05, 0.1):
        start = time.perf_counter()
        est = buyernet.expected_spread(graph, seeds, p, runs=args.runs, seed=args.seed)
        ms = (time.perf_counter() - start) * 1e3 / args.runs
        print(f"{p:>18} {est.mean:>12,.1f} {est.stderr:>9,.1f} {ms:>11.3f}")

    trace = buyernet.cascade(graph, seeds, 0.05, seed=args.seed)
    reached = trace.generation >= 0
    counts = np.bincount(trace.generation[reached])
    spreaders = np.bincount(trace.parent[trace.parent >= 0], minlength=graph.n_nodes)
    print(f"\none cascade at p = 0.05 reached {trace.size:,} people over {len(counts) - 1} hops")
    print("people reached per hop:", ", ".join(f"{c:,}" for c in counts))
    top = int(spreaders.argmax())
    print(
        f"top spreader: person {top} (degree {graph.degrees()[top]:,}) "
        f"passed it to {spreaders[top]:,} people"
    )


if __name__ == "__main__":
    main()
