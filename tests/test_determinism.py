"""Determinism: results depend on the seed only, never on threads, call order or history,
and stay the same across versions (golden baselines in tests/baselines/cascades.json).

To regenerate the baselines after an intended change to the random streams or generators:

    BUYERNET_UPDATE_BASELINES=1 python -m pytest tests/test_determinism.py
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path

import numpy as np
import pytest

import buyernet
from buyernet import Graph

BASELINES = Path(__file__).parent / "baselines" / "cascades.json"
UPDATE = os.environ.get("BUYERNET_UPDATE_BASELINES") == "1"


@pytest.fixture(scope="module")
def ba() -> Graph:
    return Graph.barabasi_albert(10_000, 3, seed=1)


def p_variants(g: Graph):
    """Scalar, per-stored-edge and graph-weight transmission on (a weighted copy of) g."""
    s, d, _ = g.to_edges()
    w = (np.arange(len(s)) % 7 + 1) / 20  # 0.05 .. 0.35
    weighted = Graph.from_edges(s, d, n=g.n_nodes, weights=w, directed=g.directed)
    per_edge = ((np.arange(g.n_stored) * 13) % 10 / 25).astype(np.float32)  # 0 .. 0.36
    return [(g, 0.12), (g, per_edge), (weighted, "weights")]


@pytest.mark.parametrize("variant", [0, 1, 2], ids=["scalar", "per-edge", "weights"])
@pytest.mark.parametrize("seeds", ["random", "fixed"])
def test_sizes_do_not_depend_on_threads(ba, variant, seeds):
    g, p = p_variants(ba)[variant]
    seeds = buyernet.random_seeds(5) if seeds == "random" else [0, 17, 4242]
    sizes = {
        t: buyernet.cascade_sizes(g, seeds, p, runs=600, seed=99, threads=t)
        for t in (1, 2, 4, None)
    }
    for t, s in sizes.items():
        np.testing.assert_array_equal(s, sizes[1], err_msg=f"threads={t}")
    assert len(set(sizes[1].tolist())) > 10  # the runs really differ from each other
    again = buyernet.cascade_sizes(g, seeds, p, runs=600, seed=99, threads=3)
    np.testing.assert_array_equal(again, sizes[1])


def test_expected_spread_does_not_depend_on_threads(ba):
    a = buyernet.expected_spread(ba, buyernet.random_seeds(3), 0.1, runs=500, seed=4, threads=1)
    b = buyernet.expected_spread(ba, buyernet.random_seeds(3), 0.1, runs=500, seed=4, threads=4)
    assert a == b


def test_different_seeds_give_different_results(ba):
    results = [
        buyernet.cascade_sizes(ba, buyernet.random_seeds(5), 0.1, runs=200, seed=s).tolist()
        for s in (0, 1, 2, 2**63, 2**64 - 1)
    ]
    assert len({tuple(r) for r in results}) == len(results)
    traces = [buyernet.cascade(ba, [0], 0.2, seed=s).generation.tobytes() for s in range(5)]
    assert len(set(traces)) == 5


def test_run_r_has_its_own_stream(ba):
    # Run r of a call depends only on (seed, r): shorter calls are prefixes of longer ones.
    long = buyernet.cascade_sizes(ba, buyernet.random_seeds(2), 0.1, runs=1000, seed=8)
    for runs in (1, 2, 7, 500):
        short = buyernet.cascade_sizes(ba, buyernet.random_seeds(2), 0.1, runs=runs, seed=8)
        np.testing.assert_array_equal(short, long[:runs])


def test_history_does_not_matter(ba):
    first = buyernet.cascade(ba, [5, 6], 0.2, seed=3)
    buyernet.cascade_sizes(ba, buyernet.random_seeds(50), 0.3, runs=50, seed=1)
    buyernet.cascade(ba, [1], 0.9, seed=3)
    second = buyernet.cascade(ba, [5, 6], 0.2, seed=3)
    np.testing.assert_array_equal(first.generation, second.generation)
    np.testing.assert_array_equal(first.parent, second.parent)


def test_equal_graphs_give_equal_cascades(ba):
    # A graph rebuilt from shuffled edges, or unpickled, is the same graph: same cascades.
    s, d, _ = ba.to_edges()
    order = np.random.default_rng(0).permutation(len(s))
    shuffled = Graph.from_edges(d[order], s[order], n=ba.n_nodes)
    clone = pickle.loads(pickle.dumps(ba))
    ref = buyernet.cascade_sizes(ba, buyernet.random_seeds(4), 0.15, runs=300, seed=6)
    for g in (shuffled, clone):
        assert g == ba
        got = buyernet.cascade_sizes(g, buyernet.random_seeds(4), 0.15, runs=300, seed=6)
        np.testing.assert_array_equal(got, ref)


# -- golden baselines ---------------------------------------------------------------------


def weighted_graph() -> Graph:
    """A weighted undirected graph from arithmetic, independent of any random generator."""
    i = np.arange(6000)
    src = (i * 7 + 3) % 1500
    dst = (i * 7919 + 11) % 1500
    weights = ((i * 37) % 100 + 1) / 400  # 0.0025 .. 0.25
    return Graph.from_edges(src, dst, n=1500, weights=weights)


def configurations():
    """name -> (graph builder, seeds, p builder, seed)."""
    return {
        "ba_n2000_m3_seed7": (
            lambda: Graph.barabasi_albert(2000, 3, seed=7),
            [0, 100, 1999],
            lambda g: 0.15,
            11,
        ),
        "er_n3000_d4_seed3_random_seeds": (
            lambda: Graph.erdos_renyi(3000, 4.0, seed=3),
            buyernet.random_seeds(3),
            lambda g: 0.3,
            12,
        ),
        "ws_n2000_k6_p0.1_seed5": (
            lambda: Graph.watts_strogatz(2000, 6, 0.1, seed=5),
            [10],
            lambda g: 0.4,
            13,
        ),
        "weighted_from_edges_p_weights": (weighted_graph, [1, 2, 3], lambda g: "weights", 14),
        "er_per_edge_p_random_seeds": (
            lambda: Graph.erdos_renyi(2500, 6.0, seed=9),
            buyernet.random_seeds(10),
            lambda g: ((np.arange(g.n_stored) * 31) % 17 / 50).astype(np.float32),
            2**64 - 1,
        ),
    }


def sha256(*arrays) -> str:
    h = hashlib.sha256()
    for a in arrays:
        if a is not None:
            h.update(np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes())
        h.update(b"|")
    return h.hexdigest()


def observe(make, seeds, p_of, seed) -> dict:
    g = make()
    p = p_of(g)
    offsets, targets, weights = g.csr()
    trace = buyernet.cascade(g, seeds, p, seed=seed)
    return {
        "n_nodes": g.n_nodes,
        "n_edges": g.n_edges,
        "csr_sha256": sha256(offsets, targets, weights),
        "sizes": buyernet.cascade_sizes(
            g, seeds, p, runs=12, seed=seed, method="sequential"
        ).tolist(),
        "fused_sizes": buyernet.cascade_sizes(
            g, seeds, p, runs=12, seed=seed, method="fused"
        ).tolist(),
        "trace_sha256": sha256(trace.generation, trace.parent),
        "trace_size": trace.size,
    }


def test_golden_baselines():
    observed = {name: observe(*cfg) for name, cfg in configurations().items()}
    if UPDATE:
        BASELINES.parent.mkdir(exist_ok=True)
        BASELINES.write_text(json.dumps(observed, indent=1, sort_keys=True) + "\n")
        pytest.skip(f"baselines rewritten to {BASELINES}; rerun without BUYERNET_UPDATE_BASELINES")
    if not BASELINES.exists():
        pytest.fail(f"{BASELINES} is missing; create it with BUYERNET_UPDATE_BASELINES=1")
    expected = json.loads(BASELINES.read_text())
    assert sorted(observed) == sorted(expected), "the set of configurations changed"
    for name in expected:
        assert observed[name] == expected[name], (
            f"{name} changed; if intended, regenerate with BUYERNET_UPDATE_BASELINES=1"
        )
    # The baselines are not degenerate: the cascades vary and reach beyond the seeds.
    for name, obs in observed.items():
        assert len(set(obs["sizes"])) > 1, name
        assert obs["trace_size"] == obs["sizes"][0], name
