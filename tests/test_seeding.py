"""Seed selection and fused cascades against exact answers on tiny graphs.

The exact spread of a seed set enumerates every live-edge subgraph (each stored edge live
independently with its probability) and counts what the seeds reach; the optimum is a brute
force over every k-subset. Graphs have at most 12 stored edges, so 4,096 subgraphs at most.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import buyernet
from buyernet import Graph, ParameterError, stats

LEVELS = [0.0, 0.2, 0.5, 0.8, 1.0]


@st.composite
def tiny_graphs(draw):
    """A directed or undirected graph of at most 12 stored edges, with per-edge p."""
    n = draw(st.integers(2, 7))
    directed = draw(st.booleans())
    m = draw(st.integers(1, 12 if directed else 6))
    edges = draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), min_size=m, max_size=m)
    )
    src, dst = zip(*edges)
    g = Graph.from_edges(list(src), list(dst), n=n, directed=directed)
    p = np.array(
        draw(st.lists(st.sampled_from(LEVELS), min_size=g.n_stored, max_size=g.n_stored)),
        dtype=np.float32,
    )
    return g, p


def reach_masks(g, live):
    """For each node, the bitmask of nodes it reaches over the live edges."""
    offsets, targets, _ = g.csr()
    n = g.n_nodes
    masks = []
    for s in range(n):
        seen, stack = 1 << s, [s]
        while stack:
            u = stack.pop()
            for e in range(int(offsets[u]), int(offsets[u + 1])):
                v = int(targets[e])
                if live >> e & 1 and not seen >> v & 1:
                    seen |= 1 << v
                    stack.append(v)
        masks.append(seen)
    return masks


def exact_spreads(g, p, subsets):
    """The exact expected spread of each seed set in ``subsets``."""
    m = g.n_stored
    totals = [0.0] * len(subsets)
    for live in range(1 << m):
        weight = 1.0
        for e in range(m):
            pe = float(p[e])
            weight *= pe if live >> e & 1 else 1.0 - pe
        if weight == 0.0:
            continue
        masks = reach_masks(g, live)
        for i, seeds in enumerate(subsets):
            reached = 0
            for s in seeds:
                reached |= masks[s]
            totals[i] += weight * bin(reached).count("1")
    return totals


@settings(max_examples=25, deadline=None)
@given(tiny_graphs(), st.integers(1, 3), st.sampled_from(["imm", "opim-c", "celf"]))
def test_select_seeds_reaches_the_guarantee_of_the_brute_force_optimum(case, k, method):
    g, p = case
    k = min(k, g.n_nodes)
    eps = 0.1
    subsets = list(itertools.combinations(range(g.n_nodes), k))
    exact = exact_spreads(g, p, subsets)
    best = max(exact)
    chosen = buyernet.select_seeds(g, k, p, method=method, epsilon=eps, seed=3, runs=2000)
    assert len(chosen.seeds) == k == len(set(chosen.seeds.tolist()))
    got = exact[subsets.index(tuple(sorted(chosen.seeds.tolist())))]
    assert got >= (1 - 1 / math.e - eps) * best - 1e-9
    # The independent evaluation estimates the exact spread of the seeds it evaluates.
    assert abs(chosen.spread - got) <= 4 * chosen.stderr + 1e-9
    if k == 1:
        ranked = sorted(exact, reverse=True)
        if len(ranked) == 1 or ranked[0] - ranked[1] > 0.3:
            assert got == best, "a clear single best node is found"


@settings(max_examples=25, deadline=None)
@given(tiny_graphs(), st.integers(0, 2**32))
def test_fused_and_one_run_engines_agree_with_the_exact_spread(case, seed):
    g, p = case
    (exact,) = exact_spreads(g, p, [(0,)])
    for method in ("fused", "sequential"):
        est = buyernet.expected_spread(g, [0], p, runs=6000, seed=seed, method=method)
        assert abs(est.mean - exact) <= 4 * est.stderr + 1e-9, method


def test_fused_agrees_with_the_one_run_engine_on_a_larger_graph():
    g = Graph.barabasi_albert(3_000, 3, seed=4)
    a = buyernet.expected_spread(
        g, buyernet.random_seeds(3), 0.1, runs=3000, seed=1, method="fused"
    )
    b = buyernet.expected_spread(g, buyernet.random_seeds(3), 0.1, runs=3000, seed=2)
    assert abs(a.mean - b.mean) <= 4 * math.hypot(a.stderr, b.stderr)


def test_fused_sizes_do_not_depend_on_threads_or_batch_and_replay_alone():
    g = Graph.erdos_renyi(4_000, 5, seed=2)
    sizes = {
        t: buyernet.cascade_sizes(g, [0, 5], 0.25, runs=200, seed=9, threads=t, method="fused")
        for t in (1, 2, 3)
    }
    assert sizes[1].tolist() == sizes[2].tolist() == sizes[3].tolist()
    short = buyernet.cascade_sizes(g, [0, 5], 0.25, runs=70, seed=9, threads=2, method="fused")
    assert short.tolist() == sizes[1][:70].tolist()
    for r in (0, 63, 64, 130, 199):
        assert buyernet.replay(g, [0, 5], 0.25, seed=9, run=r) == sizes[1][r]


def test_select_seeds_is_the_same_for_any_threads():
    g = Graph.barabasi_albert(3_000, 3, seed=5)
    for method in ("imm", "opim-c"):
        a = buyernet.select_seeds(g, 5, 0.05, method=method, seed=2, threads=1, runs=200)
        b = buyernet.select_seeds(g, 5, 0.05, method=method, seed=2, threads=3, runs=200)
        assert a.seeds.tolist() == b.seeds.tolist()
        assert a.spread == b.spread and a.rr_sets == b.rr_sets > 0 and a.rr_bytes > 0


def test_candidates_and_budget_are_respected():
    g = Graph.barabasi_albert(2_000, 3, seed=6)
    audience = np.arange(1_000, 2_000)
    chosen = buyernet.select_seeds(g, 4, 0.1, seed=1, candidates=audience, runs=200)
    assert set(chosen.seeds.tolist()) <= set(audience.tolist())
    cost = np.ones(g.n_nodes)
    cost[:50] = 100.0  # the hubs are dear
    for method in ("imm", "celf"):
        chosen = buyernet.select_seeds(
            g,
            10,
            0.1,
            method=method,
            seed=1,
            cost=cost,
            budget=5.0,
            runs=200,
            celf_runs=64,
            candidates=np.arange(0, 300),
        )
        assert cost[chosen.seeds].sum() <= 5.0
        assert len(chosen.seeds) == 5
    # The marginal spreads are in order of choice and add up to about the spread.
    chosen = buyernet.select_seeds(g, 5, 0.1, seed=2, runs=2000)
    assert abs(chosen.marginal.sum() - chosen.spread) < 0.1 * chosen.spread
    lo, hi = chosen.interval
    assert lo < chosen.spread < hi
    assert chosen.runs == 2000
    assert hi - chosen.spread == pytest.approx(stats.t95(1999) * chosen.stderr)


def test_imm_and_celf_find_the_hubs_of_a_star_forest():
    # Three stars with 30, 20 and 10 leaves: the best 2 seeds are the two largest hubs.
    src, dst = [], []
    start = 3
    for hub, leaves in enumerate((30, 20, 10)):
        src += [hub] * leaves
        dst += list(range(start, start + leaves))
        start += leaves
    g = Graph.from_edges(src, dst, directed=True)
    for method in ("imm", "opim-c", "celf"):
        chosen = buyernet.select_seeds(g, 2, 0.5, method=method, seed=4, runs=500)
        assert chosen.seeds.tolist() == [0, 1], method


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"k": 0}, "k must be in"),
        ({"k": -1}, "k must be in"),
        ({"k": 11}, "k must be in"),
        ({"k": 3, "candidates": [1, 2]}, r"k must be in \[1, 2\] \(the number of candidates\)"),
        ({"epsilon": 0.0}, "epsilon must be in"),
        ({"epsilon": 1.0}, "epsilon must be in"),
        ({"p": 1.5}, "p must be in"),
        ({"p": -0.1}, "p must be in"),
        ({"candidates": []}, "candidates must"),
        ({"candidates": [10]}, "candidates must be node ids"),
        ({"cost": [1.0] * 9 + [-1.0], "budget": 5.0}, "cost must be finite and >= 0"),
        ({"cost": [1.0] * 9 + [float("nan")], "budget": 5.0}, "cost must be finite and >= 0"),
        ({"cost": [1.0] * 3, "budget": 5.0}, "cost must have length 10"),
        ({"cost": [2.0] * 10, "budget": 1.0}, "budget must be enough to buy"),
        ({"cost": [1.0] * 10}, "budget must be given"),
        ({"budget": 1.0}, "cost must be given"),
        ({"method": "magic"}, "method must be"),
        ({"runs": 1}, "runs must be"),
    ],
)
def test_bad_input_names_the_argument(kwargs, match):
    g = Graph.erdos_renyi(10, 3, seed=1)
    args = {"k": 2, "p": 0.1, "seed": 1, **kwargs}
    k, p = args.pop("k"), args.pop("p")
    with pytest.raises(ParameterError, match=match):
        buyernet.select_seeds(g, k, p, **args)


def test_rr_sets_that_would_not_fit_are_refused_before_drawing():
    g = Graph.erdos_renyi(20_000, 10, seed=1)
    with pytest.raises(MemoryError, match="reverse-reachable sets"):
        buyernet.select_seeds(g, 10, 0.2, epsilon=0.05, seed=1, memory_limit=10_000)
