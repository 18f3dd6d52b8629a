"""Bad input raises ParameterError (a ValueError) or TypeError naming the argument; never a
Rust panic (pyo3_runtime.PanicException derives from BaseException, so ``except Exception``
would not catch it) and never a crash."""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

import buyernet
from buyernet import BuyernetError, Graph, ParameterError


def raised(fn, *args, **kwargs) -> BaseException:
    """The exception ``fn`` raises, asserting that it is not a panic."""
    try:
        fn(*args, **kwargs)
    except BaseException as err:  # a panic must be caught to be reported
        assert type(err).__name__ != "PanicException", f"Rust panic: {err}"
        assert isinstance(err, Exception), f"{type(err).__name__} is not an Exception"
        return err
    pytest.fail(f"{fn} raised nothing")


def expect(kind, name, fn, *args, **kwargs) -> BaseException:
    err = raised(fn, *args, **kwargs)
    assert isinstance(err, kind), f"{type(err).__name__}: {err}"
    if kind is ParameterError:
        assert isinstance(err, ValueError) and isinstance(err, BuyernetError)
    assert re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", str(err)), (
        f"message does not name {name!r}: {err}"
    )
    return err


def test_exception_hierarchy():
    assert issubclass(ParameterError, BuyernetError)
    assert issubclass(ParameterError, ValueError)
    assert issubclass(BuyernetError, Exception)
    assert buyernet.exceptions.ParameterError is ParameterError


G = Graph.from_edges([0, 1, 2], [1, 2, 3])  # a path on 4 nodes: 6 stored edges
GW = Graph.from_edges([0, 1, 2], [1, 2, 3], weights=[0.5, 0.5, 2.0])


def sizes(**kw):
    return buyernet.cascade_sizes(
        **{"graph": G, "seeds": [0], "p": 0.5, "runs": 3, "seed": 1, **kw}
    )


def trace(**kw):
    return buyernet.cascade(**{"graph": G, "seeds": [0], "p": 0.5, "seed": 1, **kw})


def spread(**kw):
    return buyernet.expected_spread(
        **{"graph": G, "seeds": [0], "p": 0.5, "runs": 3, "seed": 1, **kw}
    )


PE, TE = ParameterError, TypeError

# (expected exception, name the message must contain, call)
CASCADE_CASES = {
    # p
    "p > 1": (PE, "p", lambda: sizes(p=1.5)),
    "p < 0": (PE, "p", lambda: sizes(p=-0.1)),
    "p NaN": (PE, "p", lambda: sizes(p=float("nan"))),
    "p inf": (PE, "p", lambda: sizes(p=float("inf"))),
    "p 0-d NaN array": (PE, "p", lambda: sizes(p=np.array(np.nan))),
    "p per-edge too short": (PE, "p", lambda: sizes(p=np.full(3, 0.5))),
    "p per-edge too long": (PE, "p", lambda: sizes(p=[0.5] * 7)),
    "p per-edge one edge of the undirected pair": (PE, "p", lambda: sizes(p=[0.5] * 3)),
    "p per-edge > 1": (PE, "p", lambda: sizes(p=np.array([0.5] * 5 + [1.5]))),
    "p per-edge < 0": (PE, "p", lambda: sizes(p=[0.5] * 5 + [-0.5])),
    "p per-edge NaN": (PE, "p", lambda: sizes(p=np.array([0.5] * 5 + [np.nan]))),
    "p per-edge 2-D": (PE, "p", lambda: sizes(p=np.full((2, 3), 0.5))),
    "p per-edge strings": (TE, "p", lambda: sizes(p=np.array(["a"] * 6))),
    "p 'foo'": (PE, "p", lambda: sizes(p="foo")),
    "p 'weights' on an unweighted graph": (PE, "p", lambda: sizes(p="weights")),
    "p 'weights' outside [0, 1]": (PE, "weights", lambda: sizes(graph=GW, p="weights")),
    "p bool": (TE, "p", lambda: sizes(p=True)),
    "p None": (TE, "p", lambda: sizes(p=None)),
    "p complex": (TE, "p", lambda: sizes(p=0.5 + 1j)),
    "cascade p > 1": (PE, "p", lambda: trace(p=2.0)),
    "cascade p per-edge NaN": (PE, "p", lambda: trace(p=np.full(6, np.nan))),
    # seeds
    "seeds = n": (PE, "seeds", lambda: sizes(seeds=[4])),
    "seeds int = n": (PE, "seeds", lambda: sizes(seeds=4)),
    "seeds negative": (PE, "seeds", lambda: sizes(seeds=[-1])),
    "seeds huge uint64": (PE, "seeds", lambda: sizes(seeds=np.array([2**63], np.uint64))),
    "seeds float dtype": (TE, "seeds", lambda: sizes(seeds=np.array([0.0]))),
    "seeds float list": (TE, "seeds", lambda: sizes(seeds=[0.0, 1.0])),
    "seeds bool": (TE, "seeds", lambda: sizes(seeds=np.array([True]))),
    "seeds 2-D": (PE, "seeds", lambda: sizes(seeds=[[0, 1]])),
    "seeds None": (TE, "seeds", lambda: sizes(seeds=None)),
    "seeds str": (TE, "seeds", lambda: sizes(seeds="0")),
    "seeds beyond int64": (PE, "seeds", lambda: sizes(seeds=2**70)),
    "cascade seeds = n": (PE, "seeds", lambda: trace(seeds=[0, 4])),
    # random seeds
    "random_seeds k > n": (PE, "k", lambda: sizes(seeds=buyernet.random_seeds(5))),
    "cascade random_seeds k > n": (PE, "k", lambda: trace(seeds=buyernet.random_seeds(5))),
    "random_seeds k < 0": (PE, "k", lambda: buyernet.random_seeds(-1)),
    "random_seeds k float": (TE, "k", lambda: buyernet.random_seeds(1.0)),
    # runs
    "runs 0": (PE, "runs", lambda: sizes(runs=0)),
    "runs negative": (PE, "runs", lambda: sizes(runs=-5)),
    "runs float": (TE, "runs", lambda: sizes(runs=2.0)),
    "runs bool": (TE, "runs", lambda: sizes(runs=True)),
    "runs str": (TE, "runs", lambda: sizes(runs="3")),
    "expected_spread runs 1": (PE, "runs", lambda: spread(runs=1)),
    "expected_spread runs 0": (PE, "runs", lambda: spread(runs=0)),
    # seed
    "seed negative": (PE, "seed", lambda: sizes(seed=-1)),
    "seed 2**64": (PE, "seed", lambda: sizes(seed=2**64)),
    "seed float": (TE, "seed", lambda: sizes(seed=1.0)),
    "seed None": (TE, "seed", lambda: sizes(seed=None)),
    "cascade seed negative": (PE, "seed", lambda: trace(seed=-1)),
    "cascade seed 2**64": (PE, "seed", lambda: trace(seed=2**64)),
    "expected_spread seed float": (TE, "seed", lambda: spread(seed=0.5)),
    # threads
    "threads 0": (PE, "threads", lambda: sizes(threads=0)),
    "threads negative": (PE, "threads", lambda: sizes(threads=-1)),
    "threads float": (TE, "threads", lambda: sizes(threads=1.5)),
    "expected_spread threads 0": (PE, "threads", lambda: spread(threads=0)),
    # max_generations
    "max_generations negative": (PE, "max_generations", lambda: trace(max_generations=-1)),
    "max_generations float": (TE, "max_generations", lambda: trace(max_generations=1.0)),
    # graph
    "graph networkx": (TE, "graph", lambda: sizes(graph=nx.path_graph(3))),
    "graph None": (TE, "graph", lambda: trace(graph=None)),
}

GRAPH_CASES = {
    # from_edges
    "src/dst lengths differ": (PE, "dst", lambda: Graph.from_edges([0, 1], [1])),
    "weights too short": (PE, "weights", lambda: Graph.from_edges([0, 1], [1, 0], weights=[1.0])),
    "weights too long": (PE, "weights", lambda: Graph.from_edges([0], [1], weights=[1.0, 1.0])),
    "weights NaN": (PE, "weights", lambda: Graph.from_edges([0, 1], [1, 0], weights=[1, np.nan])),
    "weights inf": (PE, "weights", lambda: Graph.from_edges([0], [1], weights=[-np.inf])),
    "weights strings": (TE, "weights", lambda: Graph.from_edges([0], [1], weights=["a"])),
    "weights 2-D": (PE, "weights", lambda: Graph.from_edges([0], [1], weights=[[1.0]])),
    "n negative": (PE, "n", lambda: Graph.from_edges([0], [1], n=-1)),
    "n too small for src": (PE, "src", lambda: Graph.from_edges([5], [0], n=3)),
    "n too small for dst": (PE, "dst", lambda: Graph.from_edges([0], [5], n=3)),
    "n above 2**32 - 1": (PE, "n", lambda: Graph.from_edges([0], [1], n=2**32)),
    "n float": (TE, "n", lambda: Graph.from_edges([0], [1], n=3.0)),
    "src negative": (PE, "src", lambda: Graph.from_edges([-1], [1])),
    "dst negative": (PE, "dst", lambda: Graph.from_edges([0], [-1], n=3)),
    "src float": (TE, "src", lambda: Graph.from_edges([0.5], [1])),
    "dst float": (TE, "dst", lambda: Graph.from_edges([0], np.array([1.0]))),
    "src 2-D": (PE, "src", lambda: Graph.from_edges([[0]], [1])),
    "src huge uint64": (
        PE,
        "src",
        lambda: Graph.from_edges(np.array([2**63], np.uint64), np.array([0], np.uint64)),
    ),
    # from_scipy / from_networkx
    "from_scipy asymmetric undirected": (
        PE,
        "symmetric",
        lambda: Graph.from_scipy(sp.csr_array(np.array([[0, 1], [0, 0]])), directed=False),
    ),
    "from_scipy non-square": (
        PE,
        "square",
        lambda: Graph.from_scipy(sp.csr_array(np.ones((2, 3)))),
    ),
    "from_scipy dense": (TE, "matrix", lambda: Graph.from_scipy(np.eye(2))),
    "from_scipy NaN entry": (
        PE,
        "weights",
        lambda: Graph.from_scipy(sp.csr_array(np.array([[0, np.nan], [0, 0]]))),
    ),
    # generators
    "erdos_renyi mean_degree > n - 1": (
        PE,
        "mean_degree",
        lambda: Graph.erdos_renyi(10, 9.5, seed=1),
    ),
    "erdos_renyi mean_degree < 0": (PE, "mean_degree", lambda: Graph.erdos_renyi(10, -1, seed=1)),
    "erdos_renyi mean_degree NaN": (
        PE,
        "mean_degree",
        lambda: Graph.erdos_renyi(10, float("nan"), seed=1),
    ),
    "erdos_renyi mean_degree str": (TE, "mean_degree", lambda: Graph.erdos_renyi(10, "1", seed=1)),
    "erdos_renyi n negative": (PE, "n", lambda: Graph.erdos_renyi(-5, 1, seed=1)),
    "erdos_renyi n > 2**32 - 1": (PE, "n", lambda: Graph.erdos_renyi(2**32, 0, seed=1)),
    "erdos_renyi seed negative": (PE, "seed", lambda: Graph.erdos_renyi(10, 1, seed=-1)),
    "erdos_renyi seed float": (TE, "seed", lambda: Graph.erdos_renyi(10, 1, seed=1.5)),
    "watts_strogatz k = n": (PE, "k", lambda: Graph.watts_strogatz(10, 10, 0.1, seed=1)),
    "watts_strogatz k > n": (PE, "k", lambda: Graph.watts_strogatz(10, 12, 0.1, seed=1)),
    "watts_strogatz k negative": (PE, "k", lambda: Graph.watts_strogatz(10, -2, 0.1, seed=1)),
    "watts_strogatz k float": (TE, "k", lambda: Graph.watts_strogatz(10, 4.0, 0.1, seed=1)),
    "watts_strogatz p > 1": (PE, "p", lambda: Graph.watts_strogatz(10, 4, 1.5, seed=1)),
    "watts_strogatz p < 0": (PE, "p", lambda: Graph.watts_strogatz(10, 4, -0.1, seed=1)),
    "watts_strogatz p NaN": (PE, "p", lambda: Graph.watts_strogatz(10, 4, float("nan"), seed=1)),
    "watts_strogatz seed 2**64": (PE, "seed", lambda: Graph.watts_strogatz(10, 4, 0.1, seed=2**64)),
    "barabasi_albert m = n": (PE, "m", lambda: Graph.barabasi_albert(5, 5, seed=1)),
    "barabasi_albert m > n": (PE, "m", lambda: Graph.barabasi_albert(5, 9, seed=1)),
    "barabasi_albert m = 0": (PE, "m", lambda: Graph.barabasi_albert(5, 0, seed=1)),
    "barabasi_albert m negative": (PE, "m", lambda: Graph.barabasi_albert(5, -1, seed=1)),
    "barabasi_albert n = 0": (PE, "m", lambda: Graph.barabasi_albert(0, 1, seed=1)),
    "barabasi_albert n negative": (PE, "n", lambda: Graph.barabasi_albert(-3, 1, seed=1)),
    # direct construction and accessors
    "Graph()": (TE, "core", lambda: Graph()),
    "Graph(object)": (TE, "Graph", lambda: Graph(object())),
    "Graph(networkx graph)": (TE, "Graph", lambda: Graph(nx.path_graph(3))),
    "neighbors(-1)": (PE, "node", lambda: G.neighbors(-1)),
    "neighbors(n)": (PE, "node", lambda: G.neighbors(4)),
    "neighbors(2**40)": (PE, "node", lambda: G.neighbors(2**40)),
    "neighbors(float)": (TE, "node", lambda: G.neighbors(1.0)),
}


@pytest.mark.parametrize("case", sorted(CASCADE_CASES))
def test_cascade_bad_input(case):
    kind, name, call = CASCADE_CASES[case]
    expect(kind, name, call)


@pytest.mark.parametrize("case", sorted(GRAPH_CASES))
def test_graph_bad_input(case):
    kind, name, call = GRAPH_CASES[case]
    expect(kind, name, call)


def test_messages_give_the_allowed_range_and_the_value():
    err = expect(PE, "p", sizes, p=1.5)
    assert "[0, 1]" in str(err) and "1.5" in str(err)
    err = expect(PE, "seeds", sizes, seeds=[7])
    assert "[0, 4)" in str(err) and "7" in str(err)
    err = expect(PE, "mean_degree", Graph.erdos_renyi, 10, mean_degree=20, seed=1)
    assert str(err) == "mean_degree must be in [0, n - 1] = [0, 9]; got 20"
    err = expect(PE, "p", sizes, p=np.full(3, 0.5))
    assert "6" in str(err) and "3" in str(err)  # expected and actual lengths


def test_failed_calls_leave_no_trace():
    # After an error the same objects keep working and give the usual results.
    before = buyernet.cascade_sizes(G, [0], 0.5, runs=50, seed=3)
    for _, _, call in list(CASCADE_CASES.values())[:20]:
        raised(call)
    np.testing.assert_array_equal(buyernet.cascade_sizes(G, [0], 0.5, runs=50, seed=3), before)


def test_boundary_values_are_accepted():
    # The edges of every allowed range work.
    assert sizes(p=0.0).tolist() == [1, 1, 1]
    assert sizes(p=1.0).tolist() == [4, 4, 4]
    assert sizes(p=np.int64(1)).tolist() == [4, 4, 4]
    assert sizes(p=np.float32(0.0)).tolist() == [1, 1, 1]
    assert sizes(seed=0).shape == sizes(seed=2**64 - 1).shape == (3,)
    assert sizes(seed=np.uint64(2**64 - 1), runs=np.int64(2)).shape == (2,)
    assert sizes(seeds=buyernet.random_seeds(4), p=0.0).tolist() == [4, 4, 4]
    assert sizes(seeds=buyernet.random_seeds(0)).tolist() == [0, 0, 0]
    assert sizes(seeds=np.array([3], np.uint32), p=0.0).tolist() == [1, 1, 1]
    assert sizes(threads=1, runs=1).shape == (1,)
    assert trace(max_generations=0).size == 1
    assert spread(runs=2).runs == 2
    assert Graph.erdos_renyi(10, 9, seed=1).n_edges == 45
    assert Graph.watts_strogatz(10, 9, 1.0, seed=1).n_edges == 40
    assert Graph.barabasi_albert(2, 1, seed=1).n_edges == 1
    assert Graph.from_edges([0], [2], n=3).n_nodes == 3
    assert G.neighbors(3).tolist() == [2]


def test_ids_up_to_n_minus_1_near_the_uint32_limit_are_checked_not_wrapped():
    # 2**32 + 1 would wrap to node 1 if narrowed blindly to uint32.
    expect(PE, "src", Graph.from_edges, np.array([2**32 + 1], np.int64), [0], n=3)
    expect(PE, "seeds", sizes, seeds=np.array([2**32 + 1], np.int64))


# -- fuzzing: odd but well-typed input never panics -----------------------------------------

ALLOWED = (ParameterError, TypeError)


def call_or_reject(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except BaseException as err:
        assert isinstance(err, ALLOWED), f"{type(err).__name__}: {err}"
        return None


@given(
    st.integers(1, 8).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=10),
        )
    ),
    st.booleans(),
    st.one_of(
        st.lists(st.integers(-(2**63), 2**64 - 1), max_size=4),
        st.integers(0, 10).map(buyernet.random_seeds),
    ),
    st.one_of(st.floats(), st.lists(st.floats(width=32), max_size=20), st.just("weights")),
    st.integers(-2, 5),
    st.integers(-1, 2**64),
    st.one_of(st.none(), st.integers(-1, 8)),
)
def test_fuzz_cascades_never_panic(graph, directed, seeds, p, runs, seed, extra):
    n, pairs = graph
    g = Graph.from_edges([u for u, _ in pairs], [v for _, v in pairs], n=n, directed=directed)
    out = call_or_reject(buyernet.cascade_sizes, g, seeds, p, runs=runs, seed=seed, threads=extra)
    if out is not None:
        assert out.shape == (runs,) and np.all((out >= 0) & (out <= n))
    t = call_or_reject(buyernet.cascade, g, seeds, p, seed=seed, max_generations=extra)
    if t is not None:
        assert t.generation.shape == (n,)
    call_or_reject(buyernet.expected_spread, g, seeds, p, runs=runs, seed=seed)


@given(st.integers(0, 30), st.integers(-3, 40), st.floats(), st.integers(0, 2**64 - 1))
def test_fuzz_generators_never_panic(n, k, x, seed):
    for make in (
        lambda: Graph.erdos_renyi(n, x, seed=seed),
        lambda: Graph.watts_strogatz(n, k, x, seed=seed),
        lambda: Graph.barabasi_albert(n, k, seed=seed),
    ):
        g = call_or_reject(make)
        if g is not None:
            assert g.n_nodes == n


@given(
    st.booleans(),
    st.lists(st.integers(0, 12), max_size=8),
    st.lists(st.integers(0, 2**32 - 1) | st.integers(0, 6), max_size=10),
    st.one_of(st.none(), st.lists(st.floats(width=32), max_size=12)),
)
def test_fuzz_unpickling_corrupt_csr_never_panics(directed, offsets, targets, weights):
    # Unpickling calls the engine's from_csr with whatever the pickle holds.
    args = (
        directed,
        np.array(offsets, np.uint64),
        np.array(targets, np.uint32),
        None if weights is None else np.array(weights, np.float32),
    )
    core = call_or_reject(buyernet._core.Graph.from_csr, *args)
    if core is None:
        return
    g = Graph(core)
    g.to_edges()
    assert len(g.degrees()) == g.n_nodes
    for u in range(g.n_nodes):
        g.neighbors(u)
    assert pickle.loads(pickle.dumps(g)) == g
    call_or_reject(buyernet.cascade_sizes, g, [0] if g.n_nodes else [], 0.5, runs=2, seed=1)
    call_or_reject(buyernet.cascade_sizes, g, [], "weights", runs=2, seed=1)


# -- sizes too large to allocate: an exception, not a panic or an abort ----------------------


def run_isolated(code: str) -> subprocess.CompletedProcess:
    """Runs ``code`` in a fresh interpreter: a failed allocation aborts the whole process."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "RUST_BACKTRACE": "0"},
    )


HUGE = {
    # runs = 2**62: Vec<u32> of 2**64 bytes -> "capacity overflow" panic.
    "cascade_sizes runs=2**62": "buyernet.cascade_sizes(g, [0], 0.5, runs=2**62, seed=1)",
    # n * (k // 2) = 2**62 owned ties -> "capacity overflow" panic.
    "watts_strogatz n=2**32-1 k=2**31": "Graph.watts_strogatz(2**32 - 1, 2**31, 0.0, seed=1)",
    # m * (n - m) ~ 2**62 edges -> "capacity overflow" panic.
    "barabasi_albert n=2**32-1 m=2**31": "Graph.barabasi_albert(2**32 - 1, 2**31, seed=1)",
}


@pytest.mark.parametrize("case", sorted(HUGE))
def test_impossible_sizes_raise_instead_of_panicking(case):
    result = run_isolated(
        f"""
        import buyernet
        from buyernet import Graph
        g = Graph.from_edges([0], [1])
        try:
            {HUGE[case]}
        except (buyernet.ParameterError, MemoryError) as err:
            print("raised", type(err).__name__, err)
        """
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("raised"), result.stdout + result.stderr[-2000:]


def heuristic_overcommit() -> bool:
    path = Path("/proc/sys/vm/overcommit_memory")
    return path.exists() and path.read_text().strip() in ("0", "2")


@pytest.mark.skipif(
    not heuristic_overcommit(),
    reason="needs Linux with heuristic or strict overcommit, so a 4 TiB allocation fails",
)
def test_runs_too_large_to_allocate_raise_instead_of_aborting():
    result = run_isolated(
        """
        import buyernet
        g = buyernet.Graph.from_edges([0], [1])
        try:
            buyernet.cascade_sizes(g, [0], 0.5, runs=2**40, seed=1)
        except (buyernet.ParameterError, MemoryError) as err:
            print("raised", type(err).__name__)
        """
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("raised")


def test_config_values_of_the_wrong_type_are_refused_not_reinterpreted():
    m = buyernet.Market()
    for update, match in (
        ({"committees": {"most_influential": "false"}}, "most_influential must be true or"),
        ({"population": {"people": True}}, "population.people must be a number; got bool"),
        ({"media": {"frequency_cap": True}}, "media.frequency_cap must be a number"),
        ({"brands": {"names": "abcd"}}, "brands.names must be a list; got str"),
    ):  # fmt: skip
        with pytest.raises(TypeError, match=re.escape(match)):
            m.replace(**update)
    from buyernet.strategy import Scored

    with pytest.raises(TypeError, match="people must be true or false"):
        Scored(top_share=0.1, people=1)


def test_numpy_scalars_are_numbers_everywhere_and_save_as_plain_ones(tmp_path):
    m = buyernet.Market().replace(
        population={"people": np.int64(1_000), "companies": 50},
        needs={"observability": np.float64(0.2), "signal_lag_weeks": np.int64(2)},
        committees={"most_influential": np.bool_(True)},
    )
    assert type(m.needs.observability) is float and type(m.population.people) is int
    m.to_toml(tmp_path / "m.toml")
    assert buyernet.Market.from_toml(tmp_path / "m.toml") == m
    strategy = buyernet.Strategy(
        100,
        targeting=buyernet.Targeting.scored(np.float32(0.5)),
        creative=buyernet.Creative(resonance=np.float32(0.5), tailored=np.bool_(False)),
        timing=buyernet.Timing.flighted(np.int64(2), np.int64(1)),
    )
    assert buyernet.Targeting.narrow(min_level=np.int64(2)).min_level == 2
    assert buyernet.Timing.triggered(np.int32(2)).window == 2
    r = buyernet.simulate(m, periods=2, replicates=1, seed=1, strategies={np.int64(0): strategy})
    r.save(tmp_path / "r.npz")
    assert buyernet.Results.load(tmp_path / "r.npz").market == m


def test_misuses_of_the_comparison_api_name_what_is_wrong():
    m = buyernet.Market().replace(population={"people": 1_000, "companies": 50})
    kw = {"periods": 2, "replicates": 2, "seed": 1}
    with pytest.raises(TypeError, match="synergy splits one Strategy"):
        buyernet.synergy(m, buyernet.MediaPlan.brand_and_demand(300), **kw)
    with pytest.raises(ParameterError, match="brand_share must be in"):
        buyernet.MediaPlan.brand_and_demand(100, brand_share=2)
    with pytest.raises(ParameterError, match="two are named '1'"):
        buyernet.compare(m, {1: buyernet.Strategy(100), "1": buyernet.Strategy(500)}, **kw)
    grid = {"needs.in_market_share": [0.0], "market.needs.in_market_share": [0.5]}
    with pytest.raises(ParameterError, match="name the same field"):
        buyernet.sweep(m, {"q": buyernet.Strategy(100)}, grid=grid, **kw)
    # A comparison that did not record spend prints what it did record.
    c = buyernet.compare(m, {"a": buyernet.Strategy(300), "b": buyernet.Strategy(400)},
                         metrics=["wins", "revenue"], **kw)  # fmt: skip
    assert "wins" in str(c) and "spend" not in str(c)


def test_a_users_network_needs_tie_weights_in_0_1():
    m = buyernet.Market().replace(population={"people": 1_000, "companies": 50})
    src, dst, w = buyernet.market_network(m, seed=1).to_edges()
    strong = Graph.from_edges(src, dst, n=1_000, weights=w * 100)
    with pytest.raises(ParameterError, match=r"network.*tie weights in \[0, 1\]"):
        buyernet.simulate(m, periods=2, replicates=1, seed=1, network=strong)


def test_a_negative_whole_number_is_told_the_engines_range():
    cases = {
        "on must be in [1, 520]; got -1": lambda: buyernet.Timing.flighted(-1, 2),
        "size must be in [1, 1000000]; got -1": lambda: buyernet.Targeting.seeding(-1),
        "population.people must be at least 1; got -1": lambda: buyernet.Market().replace(
            population={"people": -1}
        ),
        "needs.signal_lag_weeks must be at least 0; got -2": lambda: buyernet.Market().replace(
            needs={"signal_lag_weeks": -2}
        ),
    }
    for message, make in cases.items():
        with pytest.raises(ParameterError, match=re.escape(message)):
            make()
    # A real field may be negative where the engine allows it.
    assert buyernet.Market().replace(decisions={"no_decision_utility": -1}).decisions


def test_small_misuses_get_named_errors(tmp_path):
    m = buyernet.Market().replace(population={"people": 1_000, "companies": 50})
    with pytest.raises(TypeError, match="progress must be callable"):
        buyernet.simulate(m, periods=2, replicates=1, seed=1, progress=5)
    np.savez(tmp_path / "plain.npz", a=np.zeros(2))
    with pytest.raises(ParameterError, match="holds no buyernet results"):
        buyernet.Results.load(tmp_path / "plain.npz")
    (tmp_path / "latin1.toml").write_bytes(b'x = "\xff"\n')
    from buyernet.scenario import ScenarioError, load_toml

    with pytest.raises(ScenarioError, match=r"latin1\.toml: not UTF-8"):
        load_toml(tmp_path / "latin1.toml")


def test_huge_integers_strings_and_non_graphs_are_refused_by_name():
    for make, match in (
        (lambda: buyernet.Strategy(10**400), "budget must be a finite number"),
        (lambda: buyernet.Targeting.scored(10**400), "top_share must be a finite number"),
        (lambda: buyernet.Market().replace(customers={"deal_value": 10**400}),
         "customers.deal_value must be a finite number"),
    ):  # fmt: skip
        with pytest.raises(ParameterError, match=match):
            make()
    with pytest.raises(TypeError, match="weights must hold real numbers"):
        buyernet.Targeting.from_weights(["a"])
    with pytest.raises(TypeError, match="cost must hold real numbers"):
        buyernet.select_seeds(Graph.from_edges([0], [1]), 1, 0.5, seed=1, cost=["a", "b"],
                              budget=1.0)  # fmt: skip
    with pytest.raises(TypeError, match="graph must be a networkx graph"):
        Graph.from_networkx([1, 2])


def test_second_review_edge_cases(tmp_path):
    import networkx as nx

    from buyernet.scenario import Scenario
    from buyernet.storage import OutputError, write_atomically
    from buyernet.strategy import Narrow

    # numpy numbers inside a list field become plain numbers too, so the market saves.
    m = buyernet.Market().replace(brands={"awareness": np.array([0.45, 0.35, 0.25, 0.15])})
    assert all(type(a) is float for a in m.brands.awareness)
    m.to_toml(tmp_path / "m.toml")
    assert buyernet.Market.from_toml(tmp_path / "m.toml") == m
    # The engine's range for numbers too wide to send, and for an optional whole number.
    with pytest.raises(ParameterError, match=re.escape("min_level must be in [0, 4]; got 300")):
        Narrow(min_level=300)
    with pytest.raises(
        ParameterError, match=re.escape("on must be in [1, 520]; got " + str(2**70))
    ):
        buyernet.Timing.flighted(2**70, 1)
    with pytest.raises(ParameterError, match=re.escape("industries must be in [1, companies]")):
        buyernet.Market().replace(population={"industries": 70_000})
    with pytest.raises(ParameterError, match=r"committees\.fixed_size must be at least 1"):
        buyernet.Market().replace(committees={"fixed_size": -1})
    with pytest.raises(ParameterError, match="budget must be a finite number"):
        buyernet.Strategy(10**5000)
    # Whole-number floats are account ids; object arrays of small ints are node ids.
    assert buyernet.Targeting.narrow(accounts=np.array([3.0, 5.0])).accounts == (3, 5)
    g = Graph.from_edges(np.array([0, 1], dtype=object), np.array([1, 2], dtype=object))
    assert g.n_edges == 2

    class Sub(nx.Graph):
        pass

    assert Graph.from_networkx(Sub(nx.path_graph(3))).n_edges == 2
    # Names beyond the Basic Multilingual Plane read back from a scenario file.
    s = Scenario.default().replace(alternatives={"rocket 🚀": buyernet.Strategy.quantum(300)})
    s.to_toml(tmp_path / "s.toml")
    assert Scenario.from_toml(tmp_path / "s.toml") == s
    with pytest.raises(OutputError, match=r"the folder .*nope does not exist"):
        write_atomically(tmp_path / "nope" / "x.toml", "x")


def test_a_difference_needs_the_metric_on_both_sides():
    m = buyernet.Market().replace(population={"people": 1_000, "companies": 50})
    kw = {"periods": 2, "replicates": 2, "seed": 1}
    few = buyernet.simulate(m, metrics=["wins"], **kw)
    full = buyernet.simulate(m, **kw)
    c = buyernet.Comparison("us", "few", {"few": few, "full": full})
    with pytest.raises(ParameterError, match="unknown metric 'spend'"):
        c.difference("spend", "full")


def test_a_compare_error_names_the_alternative_and_campaign():
    m = buyernet.Market().replace(population={"people": 5_000, "companies": 250})
    kw = {"periods": 3, "replicates": 2, "seed": 1}
    q = buyernet.Strategy.quantum(100)
    with pytest.raises(ParameterError, match=re.escape("alternatives['p'].budget must be above")):
        buyernet.compare(m, {"q": q, "p": buyernet.Strategy.planetary(100)}, **kw)
    with pytest.raises(ParameterError) as err:
        buyernet.compare(m, {"q": q, "plan": buyernet.MediaPlan.brand_and_demand(100)}, **kw)
    assert err.value.path == ("alternatives", "plan", "abm", "budget")
