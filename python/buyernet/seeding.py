"""Choosing seeds: whom to reach first so that shared content spreads furthest.

This is influence maximization on the independent-cascade model of :mod:`buyernet.cascade`.
``method="imm"`` (IMM, Tang et al. 2015, with Chen's 2018 fix) and ``method="opim-c"``
(OPIM-C, Tang et al. 2018, which stops as soon as the guarantee is shown) sample
reverse-reachable sets and choose greedily over them: the seeds spread at least
(1 - 1/e - epsilon) times as far as the best ``k``, with probability at least 1 - 1/n.
``method="celf"`` is the reference: greedy with lazy evaluation over fused Monte Carlo
estimates. Whatever the method, the chosen seeds are then evaluated by ``runs`` independent
Monte Carlo cascades, so methods compare on the same footing.

With ``cost`` and ``budget`` (budgeted influence maximization), the greedy picks the best
spread per unit of cost among the nodes the budget still buys, and returns that or the best
single affordable node, whichever spreads further (Khuller, Moss and Naor's rule).
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from buyernet import _core, checks
from buyernet.cascade import Probability, _check_graph, _p_arg
from buyernet.exceptions import ParameterError
from buyernet.network import Graph
from buyernet.stats import t95

__all__ = ["SeedSelection", "select_seeds"]

SeedingMethod = Literal["imm", "opim-c", "celf"]
"""How :func:`select_seeds` chooses."""

_MAX_INT = 2**63 - 1


class SeedSelection(NamedTuple):
    """The seeds chosen, in order, and how far they spread.

    Example:
        >>> import buyernet
        >>> g = buyernet.Graph.from_edges([0, 0, 0, 1], [1, 2, 3, 4])
        >>> s = buyernet.select_seeds(g, 1, 1.0, seed=1)
        >>> s.seeds.tolist(), s.spread
        ([0], 5.0)
    """

    seeds: npt.NDArray[np.uint32]
    """The seeds, in the order they were chosen."""
    marginal: npt.NDArray[np.float64]
    """The method's own estimate of the spread each seed adds to those before it."""
    spread: float
    """Mean spread of the seeds over ``runs`` independent Monte Carlo cascades."""
    stderr: float
    """Standard error of ``spread``."""
    method: str
    """The method that chose them."""
    rr_sets: int
    """Reverse-reachable sets drawn (0 for CELF)."""
    rr_bytes: int
    """The most bytes the reverse-reachable sets and their index held at once."""
    runs: int = 0
    """The independent Monte Carlo cascades ``spread`` is the mean of (0: not known)."""

    @property
    def interval(self) -> tuple[float, float]:
        """The 95% confidence interval of the spread: Student t on ``runs - 1`` degrees of
        freedom (the normal 1.96 where ``runs`` is not known).
        """
        half = (t95(self.runs - 1) if self.runs >= 2 else 1.96) * self.stderr
        return (self.spread - half, self.spread + half)


def select_seeds(
    graph: Graph,
    k: int,
    p: Probability,
    *,
    method: SeedingMethod = "imm",
    epsilon: float = 0.1,
    seed: int,
    threads: int | None = None,
    candidates: npt.ArrayLike | None = None,
    cost: npt.ArrayLike | None = None,
    budget: float | None = None,
    runs: int = 1000,
    celf_runs: int = 256,
    memory_limit: int | None = None,
) -> SeedSelection:
    """Choose ``k`` seeds whose cascades spread furthest, and evaluate them.

    The GIL is released while they are chosen, Ctrl-C stops the work, and the result is the
    same for any ``threads``.

    Args:
        graph: the network.
        k: the number of seeds (with a budget: at most this many), in [1, candidates].
        p: as in :func:`buyernet.cascade`: one probability, one per stored edge, or
            ``"weights"``.
        method: ``"imm"``, ``"opim-c"`` or ``"celf"`` (see the module's docs).
        epsilon: the slack of the (1 - 1/e - epsilon) guarantee, in (0, 1); smaller needs
            more reverse-reachable sets (about 1 / epsilon**2).
        seed: random seed, an integer in [0, 2**64).
        threads: worker threads (default: all cores).
        candidates: the only nodes that may be chosen (an audience); default all.
        cost: one non-negative cost per node; needs ``budget``.
        budget: what the seeds' costs may add up to; needs ``cost``.
        runs: Monte Carlo cascades evaluating the chosen seeds (at least 2).
        celf_runs: Monte Carlo cascades per spread estimate of ``method="celf"``.
        memory_limit: the most bytes the reverse-reachable sets may take; default what the
            system has available. A request that would need more is refused before the
            sets are drawn, with a ``MemoryError`` saying how much it needs.

    Example:
        >>> import buyernet
        >>> g = buyernet.Graph.barabasi_albert(2_000, 2, seed=1)
        >>> chosen = buyernet.select_seeds(g, 3, 0.1, seed=1)
        >>> len(chosen.seeds), chosen.spread > 3
        (3, True)
    """
    graph = _check_graph(graph)
    # Types, shapes and integer widths here; the engine checks the method, epsilon, the
    # audience, that cost and budget come together, and the rest of the ranges.
    k = checks.integer(k, "k", -_MAX_INT, _MAX_INT)
    if not isinstance(method, str):
        raise TypeError(f"method must be a string; got {type(method).__name__}")
    epsilon = checks.real(epsilon, "epsilon")
    ids = None if candidates is None else checks.node_ids(candidates, "candidates")
    costs = None
    if cost is not None:
        costs = np.ascontiguousarray(checks.numbers(cost, "cost"), dtype=np.float64)
        if costs.ndim != 1:
            raise ParameterError(f"cost must be one-dimensional; got shape {costs.shape}")
    if budget is not None:
        budget = checks.real(budget, "budget")
    limit = None
    if memory_limit is not None:
        limit = checks.integer(memory_limit, "memory_limit", 1, _MAX_INT)
    runs = checks.integer(runs, "runs", 2, _MAX_INT)
    seeds, marginal, spread, stderr, rr_sets, rr_bytes = _core.select_seeds(
        graph._native,
        k,
        _p_arg(p, graph),
        method,
        epsilon,
        checks.seed(seed),
        checks.threads(threads),
        ids,
        costs,
        budget,
        checks.integer(celf_runs, "celf_runs", 1, _MAX_INT),
        runs,
        limit,
    )
    return SeedSelection(seeds, marginal, spread, stderr, method, rr_sets, rr_bytes, runs)
