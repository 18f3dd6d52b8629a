#!/usr/bin/env python3
"""Time independent-cascade (IC) simulations in peer libraries.

This is a standalone worker for the buyernet benchmark driver.  Each
invocation runs ONE peer library on ONE graph (so the driver can measure peak
memory per library by running each in its own subprocess) and prints exactly
one line of JSON on stdout::

    python benches/peers/cascades.py --lib {cynetdiff,ndlib,networkx}
        --graph GRAPH.npz --p 0.05 --seeds 3,17,42 --repeats 5 [--rng-seed 1]

``GRAPH.npz`` holds a CSR adjacency: ``offsets`` (int64, length n+1),
``targets`` (uint32, length offsets[-1]) and ``directed`` (numpy bool
scalar).  An undirected graph is stored both ways (u->v and v->u).

IC semantics (identical for every peer): the seeds are active at generation
0; every newly activated node gets exactly one chance per out-edge to activate
each not-yet-active neighbour, independently with probability ``p``.  The
cascade runs to completion and its size is the number of nodes ever activated
(seeds included).  Duplicate seed ids are dropped (first occurrence kept).

Output keys: ``lib``, ``version``, ``setup_s`` (build the library's own
graph/model from the CSR arrays, plus seed/parameter configuration),
``times_s`` (wall time per cascade, reset included), ``sizes``,
``edges_examined`` (sum of CSR out-degrees of the activated nodes, computed
outside the timed region), ``peak_rss_mb`` (the process's ``VmHWM``: ``benches/measure.py``).

Peers:

* ``cynetdiff``: ``cynetdiff.models.IndependentCascadeModel`` built directly on
  the CSR arrays (zero-copy for ``targets``), single-threaded.
* ``ndlib``: ``ndlib.models.epidemics.IndependentCascadesModel`` on a networkx
  graph, with an explicit per-edge ``threshold`` equal to ``p``.
* ``networkx``: the plain hand-written BFS loop over ``G.adj`` with
  ``random.Random(seed)``.

``--selftest`` generates small graphs with numpy (random trees, where the
expected spread is exact, and Erdos-Renyi graphs), runs every installed peer
in a subprocess through the normal CLI, and checks the mean cascade sizes
against the exact value and against each other.

Exit codes: 0 success, 1 selftest failure, 2 bad arguments or bad graph,
3 a required library is not installed.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.metadata
import json
import math
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

# Run as a script from benches/peers/: the shared measuring helper sits one folder up.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from measure import peak_rss_mb

try:
    import numpy as np
    import numpy.typing as npt
except ImportError:  # pragma: no cover - depends on the environment
    sys.stderr.write("peers/cascades.py: numpy is not installed (pip install numpy)\n")
    raise SystemExit(3) from None

LIBS: tuple[str, ...] = ("cynetdiff", "ndlib", "networkx")
"""Peer libraries this worker knows how to drive."""

PIP_NAMES: dict[str, str] = {
    "cynetdiff": "cynetdiff",
    "ndlib": "ndlib",
    "networkx": "networkx",
    "numpy": "numpy",
}
"""Import name -> pip package name, for the 'not installed' message."""

EXIT_SELFTEST_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_MISSING_LIBRARY = 3

DEFAULT_REPEATS = 5
SELFTEST_REPEATS = 200
SELFTEST_MAX_ABS_Z = 4.0
"""|z| above which a selftest comparison fails (false alarm rate ~6e-5)."""

UINT32_MAX = 2**32 - 1

Int64Array = npt.NDArray[np.int64]
UInt32Array = npt.NDArray[np.uint32]

CascadeFn = Callable[[], int]
"""Runs one cascade (reset included) and returns its size."""

ActivatedFn = Callable[[], Iterable[int]]
"""Returns the nodes activated by the most recent cascade."""


class BenchError(Exception):
    """An error that ends the run with a message and a specific exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_BAD_INPUT) -> None:
        """Store the message and the process exit code to use."""
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class CsrGraph:
    """A graph in compressed-sparse-row form, as stored in GRAPH.npz."""

    offsets: Int64Array
    targets: UInt32Array
    directed: bool

    @property
    def n(self) -> int:
        """Number of nodes."""
        return int(self.offsets.shape[0] - 1)

    @property
    def num_arcs(self) -> int:
        """Number of stored arcs (an undirected edge counts twice)."""
        return int(self.targets.shape[0])

    def out_degrees(self) -> Int64Array:
        """Out-degree of every node (number of stored arcs leaving it)."""
        return np.diff(self.offsets)

    def sources(self) -> Int64Array:
        """Source node of every stored arc, aligned with ``targets``."""
        return np.repeat(np.arange(self.n, dtype=np.int64), self.out_degrees())

    def iter_arcs(self) -> Iterable[tuple[int, int]]:
        """Yield every stored arc ``(u, v)`` as Python ints, in CSR order."""
        offsets = self.offsets.tolist()
        targets = self.targets
        for u in range(self.n):
            start, end = offsets[u], offsets[u + 1]
            if start != end:
                for v in targets[start:end].tolist():
                    yield u, v


@dataclass(frozen=True)
class BenchResult:
    """Everything the worker reports for one library run."""

    lib: str
    version: str
    setup_s: float
    times_s: list[float]
    sizes: list[int]
    edges_examined: list[int | None]
    peak_rss_mb: float

    def to_json(self) -> str:
        """Serialise to a single line of JSON with the documented keys."""
        return json.dumps(
            {
                "lib": self.lib,
                "version": self.version,
                "setup_s": self.setup_s,
                "times_s": self.times_s,
                "sizes": self.sizes,
                "edges_examined": self.edges_examined,
                "peak_rss_mb": self.peak_rss_mb,
            },
            separators=(",", ":"),
        )


# --------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------


def require(module: str) -> ModuleType:
    """Import ``module`` or raise a BenchError (exit 3) naming the pip package."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".", 1)[0]
        pip_name = PIP_NAMES.get(top, top)
        raise BenchError(
            f"library {top!r} is not installed or failed to import ({exc}); "
            f"install it with: pip install {pip_name}",
            EXIT_MISSING_LIBRARY,
        ) from exc


def package_version(dist: str) -> str:
    """Installed version of distribution ``dist`` (or ``'unknown'``)."""
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def load_graph(path: Path) -> CsrGraph:
    """Load and validate a CSR graph from an ``.npz`` file."""
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = {"offsets", "targets", "directed"} - set(data.files)
            if missing:
                raise BenchError(f"{path}: missing arrays {sorted(missing)}")
            offsets = np.ascontiguousarray(data["offsets"], dtype=np.int64)
            targets = np.ascontiguousarray(data["targets"], dtype=np.uint32)
            directed_arr = np.asarray(data["directed"]).reshape(-1)
    except OSError as exc:
        raise BenchError(f"cannot read graph {path}: {exc}") from exc
    if directed_arr.size != 1:
        raise BenchError(f"{path}: 'directed' must be a scalar")
    graph = CsrGraph(offsets, targets, bool(directed_arr[0]))
    validate_graph(graph)
    return graph


def validate_graph(graph: CsrGraph) -> None:
    """Raise BenchError unless ``graph`` is a well-formed CSR adjacency."""
    off = graph.offsets
    if off.ndim != 1 or off.shape[0] < 1:
        raise BenchError("offsets must be a 1-D array of length n+1 >= 1")
    if off[0] != 0 or off[-1] != graph.num_arcs:
        raise BenchError(f"offsets must start at 0 and end at len(targets)={graph.num_arcs}")
    if np.any(np.diff(off) < 0):
        raise BenchError("offsets must be non-decreasing")
    if graph.num_arcs and int(graph.targets.max()) >= graph.n:
        raise BenchError(f"targets contain a node id >= n={graph.n}")


def parse_seeds(text: str) -> list[int]:
    """Parse ``'3,17,42'`` into a duplicate-free list of ints (order kept)."""
    try:
        raw = [int(tok) for tok in text.split(",") if tok.strip()]
    except ValueError as exc:
        raise BenchError(f"--seeds must be comma-separated ints: {exc}") from exc
    if not raw:
        raise BenchError("--seeds must name at least one node")
    seeds = list(dict.fromkeys(raw))
    if len(seeds) != len(raw):
        print(
            f"peers/cascades.py: dropped {len(raw) - len(seeds)} duplicate seed(s)",
            file=sys.stderr,
        )
    return seeds


def check_seeds(seeds: Sequence[int], n: int) -> None:
    """Raise BenchError if any seed is not a node of a graph with n nodes."""
    bad = [s for s in seeds if not 0 <= s < n]
    if bad:
        raise BenchError(f"seed node(s) {bad} out of range [0, {n})")


def edges_examined(degrees: Int64Array, activated: Iterable[int]) -> int:
    """Sum of out-degrees of the activated nodes."""
    nodes = np.fromiter(activated, dtype=np.int64)
    return int(degrees[nodes].sum())


# --------------------------------------------------------------------------
# Peers.  Each ``setup_*`` builds the library's own structures from the CSR
# arrays (this is what ``setup_s`` times) and returns two closures: one that
# runs a full cascade from a clean state and returns its size, and one that
# returns the activated node set of the last cascade (called untimed).
# --------------------------------------------------------------------------


def setup_cynetdiff(
    graph: CsrGraph, seeds: Sequence[int], p: float, rng_seed: int
) -> tuple[CascadeFn, ActivatedFn]:
    """Build a cynetdiff IC model directly on the CSR arrays.

    cynetdiff wants ``starts`` of length n (unsigned int, the last node's arc
    range ends at ``len(edges)``) and ``edges`` as unsigned int; ``targets``
    is passed zero-copy.  Its uniform probability is stored as a C float.
    """
    models = require("cynetdiff.models")
    if graph.num_arcs > UINT32_MAX:
        raise BenchError("cynetdiff indexes arcs with 32-bit unsigned ints")
    starts = np.ascontiguousarray(graph.offsets[:-1], dtype=np.uint32)
    model = models.IndependentCascadeModel(starts, graph.targets, activation_prob=p, rng=rng_seed)
    model.set_seeds([int(s) for s in seeds])

    def cascade() -> int:
        model.reset_model()
        model.advance_until_completion()
        return int(model.get_num_activated_nodes())

    def activated() -> Iterable[int]:
        return model.get_activated_nodes()

    return cascade, activated


def build_networkx_graph(graph: CsrGraph) -> Any:
    """Build an ``nx.Graph`` / ``nx.DiGraph`` holding every CSR arc.

    networkx simple graphs collapse parallel arcs; if that changes the edge
    count a warning goes to stderr because the cascade semantics then differ
    from the CSR-based libraries (one chance per distinct neighbour instead
    of one per stored arc).
    """
    nx = require("networkx")
    g = nx.DiGraph() if graph.directed else nx.Graph()
    g.add_nodes_from(range(graph.n))
    g.add_edges_from(graph.iter_arcs())
    return g


def warn_if_collapsed(graph: CsrGraph, num_edges: int) -> None:
    """Warn on stderr when networkx holds fewer/more edges than the CSR implies."""
    if graph.directed:
        expected = graph.num_arcs
    else:
        loops = int(np.count_nonzero(graph.sources() == graph.targets))
        expected = (graph.num_arcs - loops) // 2 + loops
    if num_edges != expected:
        print(
            f"peers/cascades.py: WARNING networkx graph has {num_edges} edges but "
            f"the CSR implies {expected} (parallel arcs collapsed or undirected "
            "CSR not symmetric); results are not comparable",
            file=sys.stderr,
        )


def setup_ndlib(
    graph: CsrGraph, seeds: Sequence[int], p: float, rng_seed: int
) -> tuple[CascadeFn, ActivatedFn]:
    """Build a networkx graph and a configured ndlib IndependentCascadesModel.

    Every edge gets ``threshold = p`` explicitly: without it ndlib uses
    ``1/deg(u)``.  ndlib draws from numpy's global RNG, seeded by the model.
    """
    epidemics = require("ndlib.models.epidemics")
    model_config = require("ndlib.models.ModelConfig")
    g = build_networkx_graph(graph)
    model = epidemics.IndependentCascadesModel(g, seed=rng_seed)
    config = model_config.Configuration()
    config.add_model_initial_configuration("Infected", [int(s) for s in seeds])
    for edge in g.edges():
        config.add_edge_configuration("threshold", edge, p)
    model.set_initial_status(config)
    del config
    if g.number_of_edges() and "threshold" not in model.params["edges"]:
        # ndlib silently drops edge parameters unless every edge has one and
        # would then fall back to threshold 1/deg(u).
        raise BenchError("ndlib ignored the per-edge thresholds")
    warn_if_collapsed(graph, g.number_of_edges())
    infected = model.available_statuses["Infected"]

    def cascade() -> int:
        model.reset()
        # Iteration 0 only reports the seeds; each later iteration lets the
        # nodes infected in the previous one try their edges once, then
        # removes them.  Once nobody is infected nothing can change.
        while True:
            counts = model.iteration(node_status=False)["node_count"]
            if counts[infected] == 0:
                break
        return graph.n - int(counts[model.available_statuses["Susceptible"]])

    def activated() -> Iterable[int]:
        return [u for u, status in model.status.items() if status != 0]

    return cascade, activated


def networkx_cascade(
    adj: Any, seeds: Sequence[int], p: float, rand: Callable[[], float]
) -> set[int]:
    """One IC cascade as a plain Python BFS over a networkx adjacency.

    An edge to an already-active node is skipped without drawing, which does
    not change the distribution (that attempt could not have any effect).
    """
    active = set(seeds)
    frontier = list(active)
    while frontier:
        new: list[int] = []
        for u in frontier:
            for v in adj[u]:
                if v not in active and rand() < p:
                    active.add(v)
                    new.append(v)
        frontier = new
    return active


def setup_networkx(
    graph: CsrGraph, seeds: Sequence[int], p: float, rng_seed: int
) -> tuple[CascadeFn, ActivatedFn]:
    """Build a networkx graph for the hand-written BFS loop."""
    g = build_networkx_graph(graph)
    warn_if_collapsed(graph, g.number_of_edges())
    adj = g.adj
    rand = random.Random(rng_seed).random
    seed_list = [int(s) for s in seeds]
    last: list[set[int]] = [set()]

    def cascade() -> int:
        last[0] = networkx_cascade(adj, seed_list, p, rand)
        return len(last[0])

    def activated() -> Iterable[int]:
        return last[0]

    return cascade, activated


SETUPS: dict[
    str,
    Callable[[CsrGraph, Sequence[int], float, int], tuple[CascadeFn, ActivatedFn]],
] = {
    "cynetdiff": setup_cynetdiff,
    "ndlib": setup_ndlib,
    "networkx": setup_networkx,
}


def run_benchmark(
    lib: str,
    graph: CsrGraph,
    seeds: Sequence[int],
    p: float,
    repeats: int,
    rng_seed: int,
    examine: bool = True,
) -> BenchResult:
    """Set up ``lib`` on ``graph`` and time ``repeats`` cascades.

    With ``examine=False`` the activated sets are not collected, so peak memory is the
    library's own (a Python set of a large cascade would add tens of MB).
    """
    check_seeds(seeds, graph.n)
    degrees = graph.out_degrees()
    # Import before timing so setup_s measures graph/model building only.
    require("cynetdiff.models" if lib == "cynetdiff" else "networkx")
    if lib == "ndlib":
        require("ndlib.models.epidemics")
    t0 = time.perf_counter()
    cascade, activated = SETUPS[lib](graph, seeds, p, rng_seed)
    setup_s = time.perf_counter() - t0

    times: list[float] = []
    sizes: list[int] = []
    examined: list[int | None] = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        size = cascade()
        times.append(time.perf_counter() - t0)
        sizes.append(size)
        if not examine:
            examined.append(None)
            continue
        nodes = set(activated())
        if len(nodes) != size:
            raise BenchError(f"{lib}: size {size} != {len(nodes)} activated nodes")
        examined.append(edges_examined(degrees, nodes))
    return BenchResult(
        lib=lib,
        version=package_version(PIP_NAMES[lib]),
        setup_s=setup_s,
        times_s=times,
        sizes=sizes,
        edges_examined=examined,
        peak_rss_mb=peak_rss_mb(),
    )


# --------------------------------------------------------------------------
# Self-test
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SelfTestCase:
    """A generated graph plus the cascade parameters to check on it."""

    name: str
    graph: CsrGraph
    seeds: tuple[int, ...]
    p: float
    exact: float | None
    """Exact expected cascade size, when computable (trees, single seed)."""


def csr_from_arcs(n: int, src: Int64Array, dst: Int64Array, *, directed: bool) -> CsrGraph:
    """Build a CSR graph from arc lists (mirrored when undirected)."""
    if not directed:
        src, dst = np.concatenate([src, dst]), np.concatenate([dst, src])
    order = np.lexsort((dst, src))
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=offsets[1:])
    return CsrGraph(offsets, dst[order].astype(np.uint32), directed)


def random_tree(n: int, rng: np.random.Generator, *, directed: bool) -> CsrGraph:
    """Random recursive tree: node i>0 hangs off a uniform node in [0, i)."""
    child = np.arange(1, n, dtype=np.int64)
    parent = (rng.random(n - 1) * child).astype(np.int64)
    return csr_from_arcs(n, parent, child, directed=directed)


def erdos_renyi(
    n: int, mean_out_degree: float, rng: np.random.Generator, *, directed: bool
) -> CsrGraph:
    """G(n, m) without self-loops or parallel edges, m = n*mean_out_degree(/2)."""
    m = int(n * mean_out_degree) if directed else int(n * mean_out_degree / 2)
    u = rng.integers(0, n, size=3 * m, dtype=np.int64)
    v = rng.integers(0, n, size=3 * m, dtype=np.int64)
    keep = u != v
    u, v = u[keep], v[keep]
    if not directed:
        u, v = np.minimum(u, v), np.maximum(u, v)
    keys = rng.permutation(np.unique(u * n + v))[:m]
    return csr_from_arcs(n, keys // n, keys % n, directed=directed)


def exact_tree_spread(graph: CsrGraph, seed: int, p: float) -> float:
    """Exact E[size] from one seed when paths are unique: sum of p**dist."""
    dist = np.full(graph.n, -1, dtype=np.int64)
    dist[seed] = 0
    frontier = [seed]
    off = graph.offsets
    while frontier:
        new: list[int] = []
        for u in frontier:
            for v in graph.targets[off[u] : off[u + 1]].tolist():
                if dist[v] < 0:
                    dist[v] = dist[u] + 1
                    new.append(v)
        frontier = new
    reached = dist[dist >= 0]
    return float(np.sum(p ** reached.astype(np.float64)))


def selftest_cases() -> list[SelfTestCase]:
    """Build the graphs and parameters checked by ``--selftest``."""
    rng = np.random.default_rng(20240601)
    tree = random_tree(2000, rng, directed=False)
    # Same tree shape with arcs parent->child only: seed 1 has a parent, so
    # here it must not spread upwards (undirected exact value would be ~107).
    src = tree.sources()
    dst = tree.targets.astype(np.int64)
    down = src < dst  # parent ids are smaller than child ids
    dtree = csr_from_arcs(2000, src[down], dst[down], directed=True)
    er_undirected = erdos_renyi(2000, 4.0, rng, directed=False)
    er_directed = erdos_renyi(2000, 4.0, rng, directed=True)
    many_seeds = tuple(range(0, 2000, 67))
    return [
        # Seed 50 is deep in the tree: its spread goes up and then down.
        SelfTestCase("tree-undirected", tree, (50,), 0.7, exact_tree_spread(tree, 50, 0.7)),
        SelfTestCase("tree-directed", dtree, (1,), 0.6, exact_tree_spread(dtree, 1, 0.6)),
        # Supercritical (mean excess degree 4 * 0.3 > 1): sizes are bimodal.
        SelfTestCase("er-undirected", er_undirected, (3, 17, 42), 0.3, None),
        SelfTestCase("er-directed", er_directed, (3, 17, 42), 0.3, None),
        # 30 seeds almost always ignite the giant component: tight means.
        SelfTestCase("er-undirected-30-seeds", er_undirected, many_seeds, 0.3, None),
        SelfTestCase("er-directed-30-seeds", er_directed, many_seeds, 0.3, None),
    ]


@dataclass(frozen=True)
class SampleStats:
    """Mean and standard error of a sample of cascade sizes."""

    mean: float
    se: float

    @classmethod
    def of(cls, values: Sequence[int]) -> SampleStats:
        """Compute mean and standard error of the mean."""
        arr = np.asarray(values, dtype=np.float64)
        se = float(arr.std(ddof=1) / math.sqrt(arr.size)) if arr.size > 1 else math.inf
        return cls(float(arr.mean()), se)


def z_score(a: SampleStats, b_mean: float, b_se: float = 0.0) -> float:
    """Return the z statistic of a.mean - b_mean (b is exact when b_se is 0)."""
    denom = math.sqrt(a.se**2 + b_se**2)
    if denom == 0.0:
        return 0.0 if a.mean == b_mean else math.inf
    return (a.mean - b_mean) / denom


def run_worker(
    lib: str, graph_path: Path, case: SelfTestCase, repeats: int, rng_seed: int
) -> tuple[dict[str, Any] | None, str]:
    """Run this script as a subprocess for one lib; return (json, error text)."""
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--lib",
        lib,
        "--graph",
        str(graph_path),
        "--p",
        repr(case.p),
        "--seeds",
        ",".join(map(str, case.seeds)),
        "--repeats",
        str(repeats),
        "--rng-seed",
        str(rng_seed),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode == EXIT_MISSING_LIBRARY:
        return None, "SKIPPED: " + proc.stderr.strip().splitlines()[-1]
    if proc.returncode != 0:
        return None, f"FAILED (exit {proc.returncode}): {proc.stderr.strip()}"
    lines = proc.stdout.strip().splitlines()
    if len(lines) != 1:
        return None, f"FAILED: expected one stdout line, got {len(lines)}"
    return json.loads(lines[0]), ""


def selftest(repeats: int, rng_seed: int) -> int:
    """Check every installed peer against exact values and each other."""
    ok = True
    ran_any = False
    with tempfile.TemporaryDirectory() as tmp:
        for case in selftest_cases():
            path = Path(tmp) / f"{case.name}.npz"
            np.savez(
                path,
                offsets=case.graph.offsets,
                targets=case.graph.targets,
                directed=np.bool_(case.graph.directed),
            )
            exact = "" if case.exact is None else f", exact E[size]={case.exact:.3f}"
            seeds = str(list(case.seeds)) if len(case.seeds) <= 5 else f"{len(case.seeds)}"
            print(
                f"== {case.name}: n={case.graph.n} arcs={case.graph.num_arcs} "
                f"p={case.p} seeds={seeds} cascades={repeats}{exact}"
            )
            stats: dict[str, SampleStats] = {}
            for lib in LIBS:
                result, error = run_worker(lib, path, case, repeats, rng_seed)
                if result is None:
                    print(f"  {lib:<10} {error}")
                    ok = ok and error.startswith("SKIPPED")
                    continue
                ran_any = True
                st = SampleStats.of(result["sizes"])
                stats[lib] = st
                mean_t = sum(result["times_s"]) / len(result["times_s"])
                line = (
                    f"  {lib:<10} mean={st.mean:9.3f} se={st.se:7.3f} "
                    f"t/cascade={mean_t * 1e3:8.3f} ms"
                )
                if case.exact is not None:
                    z = z_score(st, case.exact)
                    passed = abs(z) <= SELFTEST_MAX_ABS_Z
                    ok = ok and passed
                    line += f"  z_vs_exact={z:+.2f} {'ok' if passed else 'FAIL'}"
                print(line)
            names = sorted(stats)
            for i, a in enumerate(names):
                for b in names[i + 1 :]:
                    z = z_score(stats[a], stats[b].mean, stats[b].se)
                    passed = abs(z) <= SELFTEST_MAX_ABS_Z
                    ok = ok and passed
                    print(f"  {a} vs {b}: z={z:+.2f} {'ok' if passed else 'FAIL'}")
    ok = ok and ran_any
    print("selftest: " + ("PASS" if ok else "FAIL"))
    return 0 if ok else EXIT_SELFTEST_FAILED


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description="Time independent-cascade simulations in a peer library.",
    )
    parser.add_argument("--lib", choices=LIBS, help="peer library to run")
    parser.add_argument("--graph", type=Path, help="CSR graph (.npz)")
    parser.add_argument("--p", type=float, default=0.05, help="activation probability")
    parser.add_argument("--seeds", default="0", help="comma-separated seed nodes")
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help=(
            f"number of cascades (default {DEFAULT_REPEATS}; {SELFTEST_REPEATS} with --selftest)"
        ),
    )
    parser.add_argument("--rng-seed", type=int, default=1, help="RNG seed for the library")
    parser.add_argument(
        "--skip-examined",
        action="store_true",
        help="do not collect activated sets (edges_examined: null; fair peak memory)",
    )
    parser.add_argument(
        "--selftest",
        action="store_true",
        help="check all installed peers on generated graphs and print mean sizes",
    )
    args = parser.parse_args(argv)
    if not args.selftest and (args.lib is None or args.graph is None):
        parser.error("--lib and --graph are required (unless --selftest)")
    if not 0.0 <= args.p <= 1.0:
        parser.error("--p must be in [0, 1]")
    if args.repeats is not None and args.repeats < 1:
        parser.error("--repeats must be >= 1")
    if args.rng_seed < 0:
        parser.error("--rng-seed must be >= 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run one benchmark (JSON on stdout) or the self-test."""
    args = parse_args(argv)
    try:
        if args.selftest:
            return selftest(args.repeats or SELFTEST_REPEATS, args.rng_seed)
        seeds = parse_seeds(args.seeds)
        graph = load_graph(args.graph)
        # Keep stdout for the single JSON line: anything a library prints
        # while importing or running goes to stderr instead.
        with contextlib.redirect_stdout(sys.stderr):
            result = run_benchmark(
                args.lib,
                graph,
                seeds,
                args.p,
                args.repeats or DEFAULT_REPEATS,
                args.rng_seed,
                examine=not args.skip_examined,
            )
    except BenchError as exc:
        print(f"peers/cascades.py: {exc}", file=sys.stderr)
        return exc.exit_code
    print(result.to_json(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
