"""The graph: constructors, canonical form, accessors, memory, pickling and generators."""

from __future__ import annotations

import copy
import pickle
from collections import Counter

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

import buyernet
from buyernet import Graph, ParameterError

# -- strategies ---------------------------------------------------------------------------

# Weights exactly representable in float32, so comparisons after the float32 round trip are
# exact. Never 0: SciPy drops explicit zeros, which would change the edge set.
weights_st = st.floats(0.0625, 8.0, width=32)


@st.composite
def edge_lists(draw, max_nodes=10, max_edges=25, weighted=None, simple=False):
    """(n, src, dst, weights or None, directed): self-loops, parallel edges and isolated
    nodes (n may exceed the largest id) included unless ``simple``."""
    n = draw(st.integers(0, max_nodes))
    directed = draw(st.booleans())
    if n == 0:
        pairs = []
    else:
        pair = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
        if simple:
            key = (lambda e: e) if directed else (lambda e: (min(e), max(e)))
            pairs = draw(st.lists(pair, max_size=max_edges, unique_by=key))
        else:
            pairs = draw(st.lists(pair, max_size=max_edges))
    if weighted is None:
        weighted = draw(st.booleans())
    weights = draw(st.lists(weights_st, min_size=len(pairs), max_size=len(pairs)))
    src = [u for u, _ in pairs]
    dst = [v for _, v in pairs]
    return n, src, dst, (weights if weighted else None), directed


def canonical_edges(src, dst, weights, directed):
    """The multiset of edges as a sorted list; undirected edges as (min, max)."""
    w = weights if weights is not None else [None] * len(src)
    out = []
    for u, v, x in zip(src, dst, w):
        u, v = int(u), int(v)
        if not directed and u > v:
            u, v = v, u
        out.append((u, v, None if x is None else float(np.float32(x))))
    return sorted(out, key=lambda e: (e[0], e[1], -1.0 if e[2] is None else e[2]))


def build(n, src, dst, weights, directed):
    return Graph.from_edges(
        np.asarray(src, dtype=np.int64),
        np.asarray(dst, dtype=np.int64),
        n=n,
        weights=weights,
        directed=directed,
    )


def multigraph(n, src, dst, weights, directed):
    g = nx.MultiDiGraph() if directed else nx.MultiGraph()
    g.add_nodes_from(range(n))
    w = weights if weights is not None else [1.0] * len(src)
    for u, v, x in zip(src, dst, w):
        g.add_edge(u, v, w=x)
    return g


def stored_count(src, dst, directed):
    return len(src) if directed else sum(1 if u == v else 2 for u, v in zip(src, dst))


def assert_simple(g: Graph) -> None:
    """No self-loops and no parallel edges; every adjacency list strictly ascending."""
    offsets, targets, _ = g.csr()
    owner = np.repeat(np.arange(g.n_nodes, dtype=np.int64), np.diff(offsets).astype(np.int64))
    assert not np.any(owner == targets), "self-loop"
    same_row = owner[1:] == owner[:-1]
    assert np.all(np.diff(targets.astype(np.int64))[same_row] > 0), "parallel edge or unsorted"


# -- from_edges, to_edges, canonical form -------------------------------------------------


@given(edge_lists())
def test_from_edges_counts_and_to_edges_round_trip(case):
    n, src, dst, weights, directed = case
    g = build(n, src, dst, weights, directed)
    assert g.n_nodes == n
    assert g.n_edges == len(src)
    assert g.n_stored == stored_count(src, dst, directed)
    assert g.directed is directed
    assert g.weighted is (weights is not None)

    s, d, w = g.to_edges()
    assert s.dtype == np.uint32 and d.dtype == np.uint32
    assert len(s) == len(d) == g.n_edges
    if weights is None:
        assert w is None
    else:
        assert w is not None and w.dtype == np.float32 and len(w) == len(s)
    if not directed:
        assert np.all(s <= d)
    got = canonical_edges(s, d, None if w is None else w.tolist(), directed)
    assert got == canonical_edges(src, dst, weights, directed)
    assert Graph.from_edges(s, d, n=g.n_nodes, weights=w, directed=g.directed) == g


@given(edge_lists(), st.randoms(use_true_random=False))
def test_edge_order_and_orientation_do_not_matter(case, rnd):
    n, src, dst, weights, directed = case
    order = list(range(len(src)))
    rnd.shuffle(order)
    s2, d2 = [src[i] for i in order], [dst[i] for i in order]
    w2 = None if weights is None else [weights[i] for i in order]
    if not directed:  # an undirected edge may be given either way round
        for i in range(len(s2)):
            if rnd.random() < 0.5:
                s2[i], d2[i] = d2[i], s2[i]
    g, h = build(n, src, dst, weights, directed), build(n, s2, d2, w2, directed)
    assert g == h
    for a, b in zip(g.csr(), h.csr()):
        if a is None:
            assert b is None
        else:
            np.testing.assert_array_equal(a, b)


@given(edge_lists())
def test_degrees_and_neighbors_match_networkx(case):
    n, src, dst, weights, directed = case
    g = build(n, src, dst, weights, directed)
    ref = multigraph(n, src, dst, weights, directed)
    degrees = g.degrees()
    assert degrees.dtype == np.uint32 and degrees.shape == (n,)
    offsets, targets, stored_w = g.csr()
    assert offsets.dtype == np.uint64 and targets.dtype == np.uint32
    assert offsets.shape == (n + 1,) and offsets[0] == 0 and offsets[-1] == g.n_stored
    np.testing.assert_array_equal(np.diff(offsets), degrees)
    for u in range(n):
        # MultiGraph.edges(u) lists a self-loop once, as buyernet stores it.
        expected = sorted(v for _, v in ref.edges(u))
        nbrs = g.neighbors(u)
        assert nbrs.dtype == np.uint32
        assert nbrs.tolist() == expected
        assert degrees[u] == len(expected)
        assert targets[offsets[u] : offsets[u + 1]].tolist() == expected
        if stored_w is not None:
            # Weights align with targets: the weights on u's edges to each v, as a multiset.
            got = Counter(
                zip(
                    targets[offsets[u] : offsets[u + 1]].tolist(),
                    stored_w[offsets[u] : offsets[u + 1]].tolist(),
                )
            )
            want = Counter((v, float(np.float32(x))) for _, v, x in ref.edges(u, data="w"))
            assert got == want
    if directed:
        assert degrees.tolist() == [ref.out_degree(u) for u in range(n)]


def test_node_id_dtypes_and_lists_give_equal_graphs():
    src, dst = [0, 1, 2, 2], [1, 2, 0, 3]
    ref = Graph.from_edges(src, dst)
    for dtype in (np.int8, np.uint8, np.int16, np.uint16, np.int32, np.int64, np.uint64):
        assert Graph.from_edges(np.array(src, dtype), np.array(dst, dtype)) == ref
        assert Graph.from_edges(np.array(src, dtype), np.array(dst, dtype), n=4) == ref
    assert Graph.from_edges(np.array(src, np.uint32), np.array(dst, np.uint32), n=4) == ref
    assert Graph.from_edges(tuple(src), tuple(dst)) == ref


def test_from_edges_uint32_ids_or_no_edges_without_n():
    assert Graph.from_edges([], []).n_nodes == 0
    g = Graph.barabasi_albert(50, 2, seed=1)
    s, d, _ = g.to_edges()
    assert Graph.from_edges(s, d) == g
    assert Graph.from_edges(np.array([], np.uint32), np.array([], np.uint32)).n_nodes == 0


def test_isolated_nodes_and_empty_graphs():
    g = Graph.from_edges([0], [1], n=5)
    assert g.n_nodes == 5 and g.degrees().tolist() == [1, 1, 0, 0, 0]
    assert g.neighbors(4).tolist() == []
    empty = Graph.from_edges([], [], n=0)
    assert (empty.n_nodes, empty.n_edges, empty.n_stored) == (0, 0, 0)
    assert empty.degrees().tolist() == []
    assert Graph.from_edges([], [], n=3).degrees().tolist() == [0, 0, 0]


def test_self_loop_is_stored_once_and_parallel_edges_are_kept():
    g = Graph.from_edges([0, 0, 0], [0, 1, 1])
    assert g.n_edges == 3 and g.n_stored == 5
    assert g.neighbors(0).tolist() == [0, 1, 1]
    assert g.neighbors(1).tolist() == [0, 0]
    d = Graph.from_edges([0, 0, 0], [0, 1, 1], directed=True)
    assert d.n_edges == 3 and d.n_stored == 3 and d.neighbors(1).tolist() == []


def test_equality():
    g = Graph.from_edges([0, 1], [1, 2])
    assert g == Graph.from_edges([1, 2], [0, 1])
    assert g != Graph.from_edges([0, 1], [1, 2], directed=True)
    assert g != Graph.from_edges([0, 1], [1, 2], n=4)
    assert g != Graph.from_edges([0, 1], [1, 2], weights=[1.0, 1.0])
    assert Graph.from_edges([0, 1], [1, 2], weights=[1.0, 2.0]) != Graph.from_edges(
        [0, 1], [1, 2], weights=[2.0, 1.0]
    )
    assert g != "not a graph"
    assert g != g._native  # the public wrapper is not equal to the private engine object
    with pytest.raises(TypeError):
        hash(g)


def test_repr():
    g = Graph.from_edges([0, 0], [1, 2], weights=[0.5, 0.1], directed=True)
    assert repr(g) == "Graph(n_nodes=3, n_edges=2, directed=True, weighted=True)"


# -- other constructors agree with from_edges ---------------------------------------------


@given(edge_lists())
def test_from_networkx_agrees_with_from_edges(case):
    n, src, dst, weights, directed = case
    ref = multigraph(n, src, dst, weights, directed)
    assert Graph.from_networkx(ref) == build(n, src, dst, None, directed)
    assert Graph.from_networkx(ref, weight="w") == build(
        n, src, dst, weights if weights is not None else [1.0] * len(src), directed
    )


def test_from_networkx_plain_graphs_labels_and_missing_weights():
    g = nx.Graph()
    g.add_nodes_from(["carol", "alice", "bob", "dave"])  # node i is the i-th of g.nodes
    g.add_edge("alice", "bob", strength=0.5)
    g.add_edge("carol", "bob")  # no attribute: weight 1.0
    got = Graph.from_networkx(g, weight="strength")
    assert got == Graph.from_edges([1, 0], [2, 2], n=4, weights=[0.5, 1.0])
    assert Graph.from_networkx(nx.DiGraph([(0, 1), (1, 0)])) == Graph.from_edges(
        [0, 1], [1, 0], directed=True
    )
    assert Graph.from_networkx(nx.path_graph(5)) == Graph.from_edges([0, 1, 2, 3], [1, 2, 3, 4])


@given(edge_lists(simple=True, weighted=False))
def test_from_scipy_unweighted_agrees_with_from_edges(case):
    n, src, dst, _, directed = case
    a = sp.lil_array((n, n), dtype=np.int64)
    for u, v in zip(src, dst):
        a[u, v] = 1
        if not directed:
            a[v, u] = 1
    expected = build(n, src, dst, None, directed)
    for fmt in ("csr", "csc", "coo"):
        m = a.asformat(fmt)
        assert Graph.from_scipy(m, directed=directed) == expected
    # Old-style spmatrix works too.
    assert Graph.from_scipy(sp.csr_matrix(a.toarray()), directed=directed) == expected
    # Default direction: undirected exactly when the matrix is symmetric.
    dense = a.toarray()
    auto = Graph.from_scipy(sp.csr_array(dense))
    symmetric = bool(np.array_equal(dense, dense.T))
    assert auto.directed is not symmetric
    assert not auto.weighted
    if not directed:
        assert auto == expected
    # A symmetric matrix read as directed stores every nonzero entry as an edge.
    both = Graph.from_scipy(sp.csr_array(dense), directed=True)
    rows, cols = np.nonzero(dense)
    assert both == Graph.from_edges(rows, cols, n=n, directed=True)


@given(edge_lists(simple=True, weighted=True))
def test_from_scipy_weighted_agrees_with_from_edges(case):
    n, src, dst, weights, directed = case
    a = np.zeros((n, n), dtype=np.float64)
    for u, v, w in zip(src, dst, weights):
        a[u, v] = w
        if not directed:
            a[v, u] = w
    got = Graph.from_scipy(sp.coo_array(a), directed=directed, weighted=True)
    assert got == build(n, src, dst, weights, directed)
    if any(w != 1.0 for w in weights):  # default: weighted iff some entry is not 1
        assert Graph.from_scipy(sp.coo_array(a), directed=directed).weighted
    unweighted = Graph.from_scipy(sp.coo_array(a), directed=directed, weighted=False)
    assert unweighted == build(n, src, dst, None, directed)


def test_from_scipy_sums_duplicates_and_drops_explicit_zeros():
    m = sp.coo_array(([1.0, 1.0, 0.0], ([0, 0, 1], [1, 1, 2])), shape=(3, 3))
    g = Graph.from_scipy(m, directed=True)
    assert g == Graph.from_edges([0], [1], n=3, weights=[2.0], directed=True)


def test_from_scipy_rejects_asymmetric_undirected_and_non_square():
    asym = sp.csr_array(np.array([[0, 1], [0, 0]]))
    with pytest.raises(ParameterError, match="symmetric"):
        Graph.from_scipy(asym, directed=False)
    assert Graph.from_scipy(asym).directed  # the default accepts it as directed
    with pytest.raises(ParameterError, match="square"):
        Graph.from_scipy(sp.csr_array(np.ones((2, 3))))
    with pytest.raises(TypeError, match="matrix"):
        Graph.from_scipy(np.eye(3))


# -- memory ---------------------------------------------------------------------------------


def nbytes_bound(g: Graph) -> int:
    """8 bytes per offset (n + 1 of them), 4 per stored target, 4 per stored weight."""
    return 8 * (g.n_nodes + 1) + 4 * g.n_stored + (4 * g.n_stored if g.weighted else 0)


@given(edge_lists())
def test_nbytes_formula_on_hypothesis_graphs(case):
    g = build(*case)
    assert g.nbytes == nbytes_bound(g)
    offsets, targets, w = g.csr()
    assert g.nbytes == offsets.nbytes + targets.nbytes + (0 if w is None else w.nbytes)


def test_nbytes_memory_bound_on_generated_graphs():
    for g in (
        Graph.barabasi_albert(20_000, 5, seed=1),
        Graph.erdos_renyi(20_000, 6, seed=1),
        Graph.watts_strogatz(20_000, 8, 0.1, seed=1),
    ):
        assert g.nbytes == nbytes_bound(g)
        # The documented bound: <= 4 bytes per stored edge + 16 per node.
        assert g.nbytes <= 4 * g.n_stored + 16 * g.n_nodes


# -- pickling and immutability --------------------------------------------------------------


@given(edge_lists())
def test_pickle_round_trip_on_hypothesis_graphs(case):
    g = build(*case)
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        h = pickle.loads(pickle.dumps(g, protocol=protocol))
        assert isinstance(h, Graph)
        assert h == g
        assert (h.n_nodes, h.n_edges, h.n_stored, h.directed, h.weighted) == (
            g.n_nodes,
            g.n_edges,
            g.n_stored,
            g.directed,
            g.weighted,
        )
    assert copy.deepcopy(g) == g
    assert copy.copy(g) == g


@pytest.mark.parametrize(
    "make",
    [
        lambda: Graph.barabasi_albert(30_000, 4, seed=3),
        lambda: Graph.from_edges(
            np.arange(50_000) % 977,
            (np.arange(50_000) * 31) % 1009,
            weights=np.linspace(0, 1, 50_000),
            directed=True,
        ),
    ],
    ids=["ba", "weighted-directed"],
)
def test_pickled_size_is_about_nbytes(make):
    g = make()
    data = pickle.dumps(g, protocol=pickle.HIGHEST_PROTOCOL)
    # The pickle is the raw CSR arrays plus a little framing: no blow-up, no loss.
    assert g.nbytes <= len(data) <= 1.02 * g.nbytes + 4096
    h = pickle.loads(data)
    assert h == g and h.n_edges == g.n_edges


def test_graph_is_immutable():
    g = Graph.from_edges([0, 1], [1, 2])
    before = pickle.loads(pickle.dumps(g))
    for name, value in [("n_nodes", 10), ("directed", True), ("foo", 1), ("_native", None)]:
        with pytest.raises(AttributeError):
            setattr(g, name, value)
    with pytest.raises(AttributeError):
        del g.n_nodes
    with pytest.raises(AttributeError):
        del g._native
    with pytest.raises(AttributeError):
        g._native.foo = 1  # the engine object is frozen too
    # Arrays handed out are copies: writing to them leaves the graph unchanged.
    offsets, targets, _ = g.csr()
    offsets[:] = 0
    targets[:] = 0
    nbrs = g.neighbors(1)
    nbrs[:] = 0
    deg = g.degrees()
    deg[:] = 7
    s, _, _ = g.to_edges()
    s[:] = 2
    assert g == before
    assert g.neighbors(1).tolist() == [0, 2]
    assert g.degrees().tolist() == [1, 2, 1]


# -- generators -----------------------------------------------------------------------------

GENERATORS = {
    "er": lambda seed: Graph.erdos_renyi(3000, 6.0, seed=seed),
    "ws": lambda seed: Graph.watts_strogatz(3000, 6, 0.2, seed=seed),
    "ba": lambda seed: Graph.barabasi_albert(3000, 3, seed=seed),
}


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generators_same_seed_same_graph_different_seed_different(name):
    make = GENERATORS[name]
    a, b, c = make(1), make(1), make(2)
    assert a == b
    assert a != c
    assert not a.directed and not a.weighted
    assert_simple(a)
    assert_simple(c)
    assert a.nbytes == nbytes_bound(a)


@pytest.mark.parametrize(
    ("n", "mean_degree", "seed"),
    [(100_000, 8.0, 1), (100_000, 0.5, 2), (10_000, 30.0, 3), (1, 0.0, 4), (0, 0.0, 5)],
)
def test_erdos_renyi_mean_degree(n, mean_degree, seed):
    g = Graph.erdos_renyi(n, mean_degree, seed=seed)
    assert g.n_nodes == n
    assert_simple(g)
    if n < 2:
        assert g.n_edges == 0
        return
    # n_edges ~ Binomial(N, p) with N = n(n-1)/2 pairs and p = mean_degree / (n - 1).
    pairs = n * (n - 1) / 2
    p = mean_degree / (n - 1)
    sd = np.sqrt(pairs * p * (1 - p))
    assert abs(g.n_edges - pairs * p) <= 5 * sd
    degrees = g.degrees().astype(np.float64)
    assert degrees.sum() == 2 * g.n_edges
    # Degrees ~ Binomial(n - 1, p): the variance is the mean times (1 - p), to a few percent.
    assert degrees.var() == pytest.approx(mean_degree * (1 - p), rel=0.06)


def test_erdos_renyi_extremes():
    assert Graph.erdos_renyi(1000, 0.0, seed=1).n_edges == 0
    complete = Graph.erdos_renyi(60, 59.0, seed=1)  # p = 1: the complete graph
    assert complete == Graph.from_networkx(nx.complete_graph(60))


@pytest.mark.parametrize(("n", "k", "p"), [(1000, 6, 0.0), (1000, 6, 0.3), (999, 7, 1.0)])
def test_watts_strogatz_structure(n, k, p):
    g = Graph.watts_strogatz(n, k, p, seed=11)
    assert g.n_nodes == n
    assert g.n_edges == n * (k // 2)
    assert int(g.degrees().sum()) == 2 * g.n_edges
    assert_simple(g)
    if p == 0.0:
        assert g == Graph.from_networkx(nx.watts_strogatz_graph(n, k, 0.0))
        assert set(g.degrees().tolist()) == {2 * (k // 2)}
    else:
        assert g != Graph.from_networkx(nx.watts_strogatz_graph(n, k, 0.0))


@given(
    st.integers(0, 40).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.integers(0, max(n - 1, 0)),
            st.sampled_from([0.0, 0.1, 0.5, 1.0]),
            st.integers(0, 2**64 - 1),
        )
    )
)
def test_watts_strogatz_small_cases(args):
    n, k, p, seed = args
    g = Graph.watts_strogatz(n, k, p, seed=seed)
    assert g.n_nodes == n
    assert g.n_edges == n * (k // 2)
    assert_simple(g)


@pytest.mark.parametrize(("n", "m"), [(5000, 1), (5000, 3), (300, 10), (2, 1), (11, 10)])
def test_barabasi_albert_structure(n, m):
    g = Graph.barabasi_albert(n, m, seed=5)
    assert g.n_nodes == n
    assert g.n_edges == m * (n - m)
    assert_simple(g)
    degrees = g.degrees()
    assert int(degrees.sum()) == 2 * g.n_edges
    assert degrees.min() >= 1
    assert np.all(degrees[m + 1 :] >= m)  # every later node ties to m earlier ones
    # Each node after the initial star ties to exactly m earlier nodes.
    for v in range(m + 1, min(n, m + 200)):
        assert int(np.count_nonzero(g.neighbors(v) < v)) == m
    # The initial star on m + 1 nodes: node 0 is tied to nodes 1..m.
    assert set(range(1, m + 1)) <= set(g.neighbors(0).tolist())


def test_barabasi_albert_degree_distribution_resembles_networkx():
    n, m = 20_000, 3
    ours = Graph.barabasi_albert(n, m, seed=9).degrees()
    theirs = np.array([d for _, d in nx.barabasi_albert_graph(n, m, seed=9).degree()])
    # Same model, so the same share of nodes at the minimum degree (about 2 / (m + 2) = 0.4)
    # and at degree >= 10, up to sampling noise (binomial s.e. ~ 0.005).
    for share in (lambda d: np.mean(d == m), lambda d: np.mean(d >= 10)):
        assert share(ours) == pytest.approx(share(theirs), abs=0.03)
    # A heavy tail: hubs far above the mean degree 2m, as in networkx.
    assert ours.max() > 10 * 2 * m
    assert 0.3 < ours.max() / theirs.max() < 3


def test_random_graphs_are_ordinary_graphs():
    g = Graph.barabasi_albert(500, 2, seed=1)
    s, d, w = g.to_edges()
    assert w is None
    assert Graph.from_edges(s, d, n=g.n_nodes) == g
    assert Graph.from_networkx(nx.Graph(list(zip(s.tolist(), d.tolist())))).n_edges == g.n_edges
    assert isinstance(g, buyernet.Graph)
