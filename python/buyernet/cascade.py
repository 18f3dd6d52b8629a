"""Independent cascades: how shared creative and referrals spread over the network.

Seeds are active at generation 0. Every node activated at generation g gets exactly one
chance per out-edge to activate that neighbour at generation g + 1, independently with the
edge's probability ``p``. Run ``r`` of a call with ``seed=s`` draws only from its own random
stream, named by ``(s, r)``, so results are identical for any number of threads.

Runs go one after another by default (``method="sequential"``); :func:`cascade` traces run 0.
``method="fused"`` advances 64 runs together, one per bit of a machine word, with the coin of
every (edge, run) a hash of ``(seed, edge, run)``: a run gives the same size alone
(:func:`replay`), in any batch and on any thread. Same law, different draws. Fused wins where
cascades are large and dense (p times the mean degree well above 1, e.g. 3-9x at 6-12 on
Erdos-Renyi graphs); where they are small or thin, one at a time is faster, because it
skips straight to the edges that fire instead of passing over every edge of a node.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, Union

import numpy as np
import numpy.typing as npt

from buyernet import _core, checks
from buyernet.exceptions import ParameterError
from buyernet.network import Graph

__all__ = [
    "CascadeTrace",
    "Spread",
    "cascade",
    "cascade_sizes",
    "expected_spread",
    "random_seeds",
    "replay",
]

_MAX_INT = 2**63 - 1


@dataclass(frozen=True)
class random_seeds:  # noqa: N801 - reads as a function at the call site
    """``k`` distinct seed nodes drawn uniformly at random, anew for every run.

    Example:
        >>> import buyernet
        >>> g = buyernet.Graph.erdos_renyi(1000, 5, seed=1)
        >>> buyernet.cascade_sizes(g, buyernet.random_seeds(3), 0.0, runs=2, seed=1)
        array([3, 3])
    """

    k: int

    def __post_init__(self) -> None:
        checks.integer(self.k, "k", 0, 2**32 - 1)


Seeds = Union[npt.ArrayLike, random_seeds]
"""Seed nodes: node ids (an int or an array of ints) or :class:`random_seeds`."""

Probability = Union[float, npt.ArrayLike, str]
"""Transmission probability: one for every edge, an array with one per stored edge, or
``"weights"`` to use the graph's weights."""


class CascadeTrace(NamedTuple):
    """Who activated whom in one cascade.

    Example:
        >>> import buyernet
        >>> t = buyernet.cascade(buyernet.Graph.from_edges([0, 1], [1, 2]), [0], 1.0, seed=1)
        >>> t.generation.tolist(), t.parent.tolist(), t.size
        ([0, 1, 2], [-1, 0, 1], 3)
    """

    generation: npt.NDArray[np.int32]
    """Generation at which each node was activated: 0 for seeds, -1 if never."""
    parent: npt.NDArray[np.int64]
    """The node that activated each node: -1 for seeds and for nodes never activated."""

    @property
    def size(self) -> int:
        """Number of nodes activated, seeds included."""
        return int(np.count_nonzero(self.generation >= 0))


class Spread(NamedTuple):
    """A Monte Carlo estimate of the expected cascade size.

    Example:
        >>> import buyernet
        >>> g = buyernet.Graph.from_edges([0], [1])
        >>> buyernet.expected_spread(g, [0], 1.0, runs=10, seed=1)
        Spread(mean=2.0, stderr=0.0, runs=10)
    """

    mean: float
    """Mean final size over the runs, seeds included."""
    stderr: float
    """Standard error of the mean."""
    runs: int
    """Number of cascades run."""


def _seeds_arg(seeds: Seeds) -> int | npt.NDArray[Any]:
    if isinstance(seeds, random_seeds):
        return seeds.k
    return checks.node_ids(seeds, "seeds")


def _p_arg(p: Probability, graph: Graph) -> float | str | npt.NDArray[Any]:
    if isinstance(p, str):
        return p  # the engine knows the names ('weights')
    if isinstance(p, bool):
        raise TypeError("p must be a probability, not a bool")
    if isinstance(p, (int, float, np.integer, np.floating)):
        return float(p)
    arr = np.asarray(p)
    if arr.ndim == 0:
        if arr.dtype.kind not in "fiu":
            raise TypeError(f"p must be a real number; got dtype {arr.dtype}")
        return float(arr)
    return checks.float_array(arr, "p")


def _check_graph(graph: object) -> Graph:
    if not isinstance(graph, Graph):
        raise TypeError(f"graph must be a buyernet.Graph; got {type(graph).__name__}")
    return graph


Method = Literal["fused", "sequential"]
"""How many cascades run: 64 at a time (``"fused"``) or one after another."""


def _fused(method: str) -> bool:
    """Whether ``method`` names the fused engine (checked)."""
    if method not in ("fused", "sequential"):
        raise ParameterError(f"method must be 'fused' or 'sequential'; got {method!r}")
    return method == "fused"


def cascade(
    graph: Graph,
    seeds: Seeds,
    p: Probability,
    *,
    seed: int,
    max_generations: int | None = None,
) -> CascadeTrace:
    """Run one independent cascade and return who activated whom.

    Args:
        graph: the network.
        seeds: node ids active at generation 0, or :class:`random_seeds`.
        p: probability that an edge passes the cascade on: a number in [0, 1], an array with
            one per stored edge (in CSR order, see :meth:`Graph.csr`), or ``"weights"``.
        seed: random seed, an integer in [0, 2**64). The realization is run 0 of
            :func:`cascade_sizes` with the same arguments and ``method="sequential"``.
        max_generations: stop after this many generations (None: run to completion).

    Example:
        >>> import buyernet
        >>> g = buyernet.Graph.from_edges([0, 1, 2], [1, 2, 3])
        >>> t = buyernet.cascade(g, [1], 1.0, seed=7)
        >>> t.generation.tolist(), t.parent.tolist(), t.size
        ([1, 0, 1, 2], [1, -1, 1, 2], 4)
    """
    graph = _check_graph(graph)
    generations = (
        None
        if max_generations is None
        else checks.integer(max_generations, "max_generations", 0, 2**32 - 1)
    )
    generation, parent = _core.cascade(
        graph._native, _seeds_arg(seeds), _p_arg(p, graph), checks.seed(seed), generations
    )
    return CascadeTrace(generation, parent)


def cascade_sizes(
    graph: Graph,
    seeds: Seeds,
    p: Probability,
    *,
    runs: int,
    seed: int,
    threads: int | None = None,
    method: Method = "sequential",
) -> npt.NDArray[np.int64]:
    """Run many independent cascades in parallel and return their final sizes.

    The GIL is released while they run, and Ctrl-C stops them within a fraction of a
    second. The sizes are the same for any ``threads``.

    Args:
        graph: the network.
        seeds: node ids active at generation 0 in every run, or :class:`random_seeds`.
        p: as in :func:`cascade`.
        runs: number of cascades (at least 1).
        seed: random seed, an integer in [0, 2**64).
        threads: worker threads (default: all cores).
        method: ``"sequential"`` (one at a time; run 0 is :func:`cascade`) or ``"fused"``
            (64 at a time; run ``r`` is :func:`replay` of ``r``). Same law.

    Example:
        >>> import buyernet
        >>> g = buyernet.Graph.barabasi_albert(10_000, 3, seed=1)
        >>> sizes = buyernet.cascade_sizes(g, buyernet.random_seeds(5), 0.1, runs=100, seed=2)
        >>> sizes.shape, bool(sizes.min() >= 5)
        ((100,), True)
    """
    graph = _check_graph(graph)
    return _core.cascade_sizes(
        graph._native,
        _seeds_arg(seeds),
        _p_arg(p, graph),
        checks.integer(runs, "runs", 1, _MAX_INT),
        checks.seed(seed),
        checks.threads(threads),
        _fused(method),
    )


def expected_spread(
    graph: Graph,
    seeds: Seeds,
    p: Probability,
    *,
    runs: int,
    seed: int,
    threads: int | None = None,
    method: Method = "sequential",
) -> Spread:
    """Estimate the expected final cascade size (the "spread") by Monte Carlo.

    Takes the arguments of :func:`cascade_sizes`; ``runs`` must be at least 2.

    Example:
        >>> import buyernet
        >>> g = buyernet.Graph.from_edges([0], [1])
        >>> est = buyernet.expected_spread(g, [0], 0.5, runs=20_000, seed=1)
        >>> abs(est.mean - 1.5) < 4 * est.stderr
        True
    """
    runs = checks.integer(runs, "runs", 2, _MAX_INT)
    sizes = cascade_sizes(graph, seeds, p, runs=runs, seed=seed, threads=threads, method=method)
    return Spread(float(sizes.mean()), float(sizes.std(ddof=1)) / math.sqrt(runs), runs)


def replay(graph: Graph, seeds: Seeds, p: Probability, *, seed: int, run: int) -> int:
    """The size of run ``run`` of :func:`cascade_sizes` with ``method="fused"``, run alone.

    Example:
        >>> import buyernet
        >>> g = buyernet.Graph.barabasi_albert(2_000, 3, seed=1)
        >>> sizes = buyernet.cascade_sizes(g, [0, 1], 0.2, runs=100, seed=4, method="fused")
        >>> buyernet.replay(g, [0, 1], 0.2, seed=4, run=70) == int(sizes[70])
        True
    """
    graph = _check_graph(graph)
    return _core.fused_replay(
        graph._native,
        _seeds_arg(seeds),
        _p_arg(p, graph),
        checks.seed(seed),
        checks.integer(run, "run", 0, 2**64 - 1),
    )
