"""Independent cascades against exact answers.

The oracle: an independent cascade is equivalent to a *live-edge* graph in which every
stored edge is live independently with its probability, and the activated set is what is
reachable from the seeds over live edges. On graphs with at most 12 stored edges we
enumerate all 2**12 live-edge subgraphs, which gives the exact distribution of the cascade
size, and compare the engine's Monte Carlo estimate with it.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import buyernet
from buyernet import Graph

MAX_STORED = 12
P_VALUES = [0.0, 0.1, 0.25, 0.5, 0.9, 1.0]

# -- strategies ---------------------------------------------------------------------------


def stored(pairs, directed):
    return len(pairs) if directed else sum(1 if u == v else 2 for u, v in pairs)


@st.composite
def small_graphs(draw, max_nodes=7, max_stored=MAX_STORED, weighted=False):
    """(graph, src, dst): at most ``max_stored`` stored edges; loops and parallels allowed."""
    n = draw(st.integers(1, max_nodes))
    directed = draw(st.booleans())
    pair = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
    pairs = draw(st.lists(pair, max_size=max_stored))
    while stored(pairs, directed) > max_stored:
        pairs.pop()
    src = [u for u, _ in pairs]
    dst = [v for _, v in pairs]
    weights = None
    if weighted:
        weights = draw(st.lists(st.sampled_from(P_VALUES), min_size=len(src), max_size=len(src)))
    return Graph.from_edges(src, dst, n=n, weights=weights, directed=directed), src, dst


@st.composite
def seed_sets(draw, n):
    """Explicit seed ids (duplicates allowed) or ``random_seeds(k)``."""
    if draw(st.booleans()):
        return buyernet.random_seeds(draw(st.integers(0, n)))
    return draw(st.lists(st.integers(0, n - 1), max_size=4))


# -- the oracle -----------------------------------------------------------------------------


def stored_edges(graph: Graph):
    """(src, dst) of every stored edge, in CSR order."""
    offsets, targets, _ = graph.csr()
    owner = np.repeat(np.arange(graph.n_nodes), np.diff(offsets).astype(np.int64))
    return owner.astype(np.int64), targets.astype(np.int64)


def exact_size_distribution(n, src, dst, probs, seed_masks):
    """Exact mean and variance of the number of nodes reachable from the seeds when stored
    edge e is live independently with probability probs[e]; seeds are drawn uniformly from
    ``seed_masks`` (bitmasks of seed sets)."""
    src, dst = np.asarray(src, np.int64), np.asarray(dst, np.int64)
    probs = np.asarray(probs, np.float64)
    m = len(src)
    live = ((np.arange(2**m)[:, None] >> np.arange(m)[None, :]) & 1).astype(bool)
    weight = np.prod(np.where(live, probs[None, :], 1.0 - probs[None, :]), axis=1)
    # reach[i, j]: bitmask of the nodes reached from seed set i in live-edge subgraph j.
    reach = np.repeat(np.asarray(seed_masks, np.int64)[:, None], 2**m, axis=1)
    while True:  # relax until nothing changes: then every live path has been followed
        before = reach
        for e in range(m):
            hit = live[None, :, e] & (((reach >> src[e]) & 1) == 1)
            reach = np.where(hit, reach | (1 << dst[e]), reach)
        if np.array_equal(reach, before):
            break
    size = sum(((reach >> v) & 1) for v in range(n)).astype(np.float64)
    mean = float((size @ weight).mean())  # seed sets are equally likely
    second = float((size**2 @ weight).mean())
    return mean, max(second - mean**2, 0.0)


def masks_for(seeds, n):
    if isinstance(seeds, buyernet.random_seeds):
        return [sum(1 << s for s in c) for c in itertools.combinations(range(n), seeds.k)]
    return [sum(1 << s for s in set(seeds))]


# -- exact expected spread ------------------------------------------------------------------


@given(data=st.data())
def test_expected_spread_matches_live_edge_enumeration(data):
    graph, src, dst = data.draw(small_graphs(weighted=data.draw(st.booleans())))
    n = graph.n_nodes
    seeds = data.draw(seed_sets(n))
    mode = data.draw(st.sampled_from(["scalar", "per-edge", "weights"]))
    if mode == "weights" and not graph.weighted:
        mode = "per-edge"
    if mode == "scalar":
        p = data.draw(st.sampled_from(P_VALUES))
        # Independent of the CSR: the input edges, an undirected one as two directed chances.
        e_src = src + ([] if graph.directed else [v for u, v in zip(src, dst) if u != v])
        e_dst = dst + ([] if graph.directed else [u for u, v in zip(src, dst) if u != v])
        probs = [p] * len(e_src)
    else:
        e_src, e_dst = stored_edges(graph)
        if mode == "weights":
            p = "weights"
            probs = graph.csr()[2]
        else:
            p = np.array(
                data.draw(
                    st.lists(
                        st.sampled_from(P_VALUES),
                        min_size=graph.n_stored,
                        max_size=graph.n_stored,
                    )
                ),
                dtype=np.float32,
            )
            probs = p
        probs = np.asarray(probs, dtype=np.float32).astype(np.float64)  # as the engine sees
    assert len(e_src) == graph.n_stored

    mean, var = exact_size_distribution(n, e_src, e_dst, probs, masks_for(seeds, n))
    runs = 20_000
    est = buyernet.expected_spread(graph, seeds, p, runs=runs, seed=data.draw(st.integers(0, 9)))
    assert est.runs == runs
    exact_se = math.sqrt(var / runs)
    if var < 1e-12:  # zero up to rounding: the size is certain, so exactly right every run
        assert abs(mean - round(mean)) < 1e-9
        assert est.mean == round(mean)
        assert est.stderr == 0.0
    else:
        # Four standard errors of the exact distribution (the estimate's own stderr can be
        # 0 when a rare outcome never shows up in the sample).
        assert abs(est.mean - mean) <= 4 * exact_se + 1e-9, (est, mean, exact_se)


def test_oracle_on_a_hand_worked_case():
    # 0 -> 1 -> 2 with p = 1/2 each, seed 0: sizes 1, 2, 3 with probability 1/2, 1/4, 1/4.
    mean, var = exact_size_distribution(3, [0, 1], [1, 2], [0.5, 0.5], [1])
    assert mean == pytest.approx(1.75)
    assert var == pytest.approx(0.5 * 1 + 0.25 * 4 + 0.25 * 9 - 1.75**2)
    g = Graph.from_edges([0, 1], [1, 2], directed=True)
    sizes = buyernet.cascade_sizes(g, [0], 0.5, runs=40_000, seed=3)
    counts = np.bincount(sizes, minlength=4)[1:] / len(sizes)
    np.testing.assert_allclose(counts, [0.5, 0.25, 0.25], atol=0.01)


# -- p = 0 and p = 1 ------------------------------------------------------------------------


@st.composite
def medium_graphs(draw, max_nodes=30, max_edges=60):
    n = draw(st.integers(1, max_nodes))
    directed = draw(st.booleans())
    pairs = draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=max_edges)
    )
    src = [u for u, _ in pairs]
    dst = [v for _, v in pairs]
    return Graph.from_edges(src, dst, n=n, directed=directed), src, dst


@given(medium_graphs(), st.data())
def test_p0_activates_exactly_the_distinct_seeds(case, data):
    graph, _, _ = case
    n = graph.n_nodes
    seeds = data.draw(st.lists(st.integers(0, n - 1), max_size=8))
    p = data.draw(st.sampled_from([0.0, "zeros"]))
    if p == "zeros":
        p = np.zeros(graph.n_stored, dtype=np.float32)
    sizes = buyernet.cascade_sizes(graph, seeds, p, runs=20, seed=1)
    assert sizes.dtype == np.int64
    assert sizes.tolist() == [len(set(seeds))] * 20
    trace = buyernet.cascade(graph, seeds, p, seed=1)
    assert sorted(np.flatnonzero(trace.generation == 0).tolist()) == sorted(set(seeds))
    assert np.all(trace.generation[trace.generation != 0] == -1)
    assert np.all(trace.parent == -1)


def reference_reach(graph, src, dst, seeds):
    """BFS distance from the seed set to every reachable node, by networkx."""
    g = nx.MultiDiGraph() if graph.directed else nx.MultiGraph()
    g.add_nodes_from(range(graph.n_nodes))
    g.add_edges_from(zip(src, dst))
    reachable = set(seeds)
    for s in set(seeds):
        if graph.directed:
            reachable |= nx.descendants(g, s)
        else:
            reachable |= nx.node_connected_component(g, s)
    dist = nx.multi_source_dijkstra_path_length(g, set(seeds)) if seeds else {}
    assert set(dist) == reachable
    return dist


@given(medium_graphs(), st.data())
def test_p1_activates_the_reachable_set_at_bfs_distance(case, data):
    graph, src, dst = case
    n = graph.n_nodes
    seeds = data.draw(st.lists(st.integers(0, n - 1), max_size=4))
    p = data.draw(st.sampled_from([1.0, "ones", "weights"]))
    if p == "ones":
        p = np.ones(graph.n_stored, dtype=np.float32)
    elif p == "weights":
        graph = Graph.from_edges(src, dst, n=n, weights=[1.0] * len(src), directed=graph.directed)
    dist = reference_reach(graph, src, dst, seeds)
    trace = buyernet.cascade(graph, seeds, p, seed=data.draw(st.integers(0, 2**64 - 1)))
    assert trace.generation.dtype == np.int32 and trace.parent.dtype == np.int64
    assert trace.generation.shape == trace.parent.shape == (n,)
    expected_gen = [dist.get(v, -1) for v in range(n)]
    assert trace.generation.tolist() == expected_gen
    assert trace.size == len(dist)
    assert_parents_valid(graph, trace, seeds)
    sizes = buyernet.cascade_sizes(graph, seeds, p, runs=5, seed=2)
    assert sizes.tolist() == [len(dist)] * 5


# -- the trace's structure ------------------------------------------------------------------


def assert_parents_valid(graph, trace, seeds):
    gen, parent = trace.generation, trace.parent
    seeds = set(seeds) if not isinstance(seeds, buyernet.random_seeds) else None
    for v in range(graph.n_nodes):
        if gen[v] == -1:
            assert parent[v] == -1
        elif gen[v] == 0:
            assert parent[v] == -1
            if seeds is not None:
                assert v in seeds
        else:
            u = int(parent[v])
            assert 0 <= u < graph.n_nodes
            assert gen[u] == gen[v] - 1, "a parent is one generation earlier"
            assert v in graph.neighbors(u), "a parent is an in-neighbour"
    if seeds is not None:
        assert all(gen[s] == 0 for s in seeds)


@given(medium_graphs(), st.data())
def test_parents_are_in_neighbours_one_generation_earlier(case, data):
    graph, src, dst = case
    n = graph.n_nodes
    seeds = data.draw(seed_sets(n))
    p = data.draw(st.sampled_from([0.2, 0.5, 0.8]))
    trace = buyernet.cascade(graph, seeds, p, seed=data.draw(st.integers(0, 1000)))
    assert_parents_valid(graph, trace, seeds)
    # Nobody is activated before a path could reach them.
    start = np.flatnonzero(trace.generation == 0).tolist()
    if isinstance(seeds, buyernet.random_seeds):
        assert len(start) == seeds.k
    dist = reference_reach(graph, src, dst, start)
    for v in range(n):
        if trace.generation[v] >= 0:
            assert trace.generation[v] >= dist[v]


def test_parents_on_a_large_random_graph():
    g = Graph.erdos_renyi(20_000, 5, seed=4)
    # R = 1.5: most cascades from 5 seeds take off; use the first that does.
    traces = (buyernet.cascade(g, buyernet.random_seeds(5), 0.3, seed=s) for s in range(20))
    trace = next(t for t in traces if t.size > 1000)
    gen, parent = trace.generation, trace.parent
    offsets, targets, _ = g.csr()
    kids = np.flatnonzero(gen > 0)
    par = parent[kids]
    assert np.all(gen[par] == gen[kids] - 1)
    for v, u in zip(kids.tolist(), par.tolist()):
        assert v in targets[offsets[u] : offsets[u + 1]]
    assert np.all(parent[gen <= 0] == -1)
    assert np.count_nonzero(gen == 0) == 5


@pytest.mark.parametrize("p", [0.3, "per-edge"])
def test_max_generations_truncates_exactly(p):
    g = Graph.erdos_renyi(5_000, 4, seed=6)
    if p == "per-edge":
        p = np.linspace(0.1, 0.5, g.n_stored, dtype=np.float32)  # mean 0.3
    seeds = [1, 2, 3]
    # A realization that runs for a while (R = 1.2 here): the first of a few seeds.
    seed = next(s for s in range(50) if buyernet.cascade(g, seeds, p, seed=s).size > 100)
    full = buyernet.cascade(g, seeds, p, seed=seed)
    deepest = int(full.generation.max())
    assert deepest >= 5
    for limit in [0, 1, 2, deepest - 1, deepest, deepest + 3]:
        cut = buyernet.cascade(g, seeds, p, seed=seed, max_generations=limit)
        assert cut.generation.max() <= limit
        # The same realization, cut off: generations <= limit unchanged, the rest never.
        keep = full.generation <= limit
        np.testing.assert_array_equal(cut.generation, np.where(keep, full.generation, -1))
        np.testing.assert_array_equal(cut.parent, np.where(keep, full.parent, -1))
    again = buyernet.cascade(g, seeds, p, seed=seed, max_generations=None)
    np.testing.assert_array_equal(again.generation, full.generation)
    np.testing.assert_array_equal(again.parent, full.parent)


def test_max_generations_on_a_path():
    g = Graph.from_edges(range(9), range(1, 10))
    for limit in range(12):
        t = buyernet.cascade(g, [4], 1.0, seed=0, max_generations=limit)
        expected = [abs(v - 4) if abs(v - 4) <= limit else -1 for v in range(10)]
        assert t.generation.tolist() == expected


# -- trace and sizes agree ------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 7, 12345, 2**64 - 1])
@pytest.mark.parametrize("p", [0.15, 0.3, "per-edge", "weights"])
@pytest.mark.parametrize("seeds", [[0, 10, 20], "random"])
def test_trace_is_run_0_of_cascade_sizes(seed, p, seeds):
    g = Graph.erdos_renyi(3_000, 6, seed=2)
    if p == "weights":
        s, d, _ = g.to_edges()
        g = Graph.from_edges(s, d, n=g.n_nodes, weights=np.full(len(s), 0.25))
    elif p == "per-edge":
        p = (np.arange(g.n_stored) % 5 / 10).astype(np.float32)
    if seeds == "random":
        seeds = buyernet.random_seeds(3)
    trace = buyernet.cascade(g, seeds, p, seed=seed)
    sizes = buyernet.cascade_sizes(g, seeds, p, runs=4, seed=seed, method="sequential")
    assert trace.size == sizes[0]


# -- seeds ----------------------------------------------------------------------------------


def test_duplicate_seeds_count_once():
    g = Graph.erdos_renyi(2_000, 3, seed=1)
    assert buyernet.cascade_sizes(g, [3, 3, 3], 0.0, runs=5, seed=1).tolist() == [1] * 5
    assert buyernet.cascade(g, [3, 3, 5, 3], 0.0, seed=1).size == 2
    full = buyernet.cascade(g, [3, 5], 1.0, seed=1)
    dup = buyernet.cascade(g, [3, 3, 5, 5, 3], 1.0, seed=1)
    np.testing.assert_array_equal(full.generation, dup.generation)
    # In between, the same distribution (compared by Monte Carlo).
    a = buyernet.expected_spread(g, [3, 5], 0.3, runs=20_000, seed=1)
    b = buyernet.expected_spread(g, [3, 5, 3, 5, 5], 0.3, runs=20_000, seed=2)
    assert abs(a.mean - b.mean) <= 4 * math.hypot(a.stderr, b.stderr)


def test_empty_seeds_give_empty_cascades():
    g = Graph.erdos_renyi(100, 3, seed=1)
    assert buyernet.cascade_sizes(g, [], 0.5, runs=3, seed=1).tolist() == [0, 0, 0]
    assert buyernet.cascade(g, np.array([], dtype=np.int64), 0.5, seed=1).size == 0


@pytest.mark.parametrize("k", [0, 1, 7, 50, 100])
def test_random_seeds_are_k_distinct_nodes(k):
    g = Graph.erdos_renyi(100, 3, seed=1)
    sizes = buyernet.cascade_sizes(g, buyernet.random_seeds(k), 0.0, runs=200, seed=k)
    assert sizes.tolist() == [k] * 200
    for seed in range(20):
        t = buyernet.cascade(g, buyernet.random_seeds(k), 0.0, seed=seed)
        assert np.count_nonzero(t.generation == 0) == k
        assert t.size == k


def test_random_seeds_are_uniform():
    # On the directed path 0 -> 1 -> ... -> 9 with p = 1, a cascade from seed i has size
    # 10 - i, so the sizes reveal the seeds; with k = 2 the size is 10 - min(i, j).
    n = 10
    g = Graph.from_edges(range(n - 1), range(1, n), directed=True)
    runs = 90_000
    for k in (1, 2):
        sizes = buyernet.cascade_sizes(g, buyernet.random_seeds(k), 1.0, runs=runs, seed=5)
        counts = np.bincount(n - sizes, minlength=n)
        pairs = list(itertools.combinations(range(n), k))
        expected = np.bincount([min(c) for c in pairs], minlength=n) / len(pairs) * runs
        sd = np.sqrt(expected * (1 - expected / runs))
        assert np.all(counts[expected == 0] == 0)
        ok = expected > 0
        assert np.all(np.abs(counts[ok] - expected[ok]) <= 5 * sd[ok]), (counts, expected)
    # Which seeds are drawn varies from run to run, and from seed to seed.
    picks = {
        int(
            np.flatnonzero(
                buyernet.cascade(g, buyernet.random_seeds(1), 0.0, seed=s).generation == 0
            )[0]
        )
        for s in range(100)
    }
    assert picks == set(range(n))
