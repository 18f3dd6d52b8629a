# Stubs for the private native module; the public, documented API is in buyernet.*.
from collections.abc import Callable
from typing import Any, final

import numpy as np
import numpy.typing as npt

_Ids = npt.NDArray[Any]

__all__ = [
    "BUILD_UNITS",
    "MAX_THREADS",
    "Graph",
    "cascade",
    "cascade_sizes",
    "check",
    "cpm",
    "defaults",
    "estimate_bytes",
    "fixed_cost",
    "fused_replay",
    "market_network",
    "metrics",
    "model_order",
    "select_seeds",
    "simulate",
]

@final
class Graph:
    @staticmethod
    def from_edges(
        src: _Ids, dst: _Ids, n: int, weights: npt.NDArray[np.float32] | None, directed: bool
    ) -> Graph: ...
    @staticmethod
    def from_csr(
        directed: bool,
        offsets: npt.NDArray[np.uint64],
        targets: npt.NDArray[np.uint32],
        weights: npt.NDArray[np.float32] | None,
    ) -> Graph: ...
    @staticmethod
    def erdos_renyi(n: int, mean_degree: float, seed: int) -> Graph: ...
    @staticmethod
    def watts_strogatz(n: int, k: int, p: float, seed: int) -> Graph: ...
    @staticmethod
    def barabasi_albert(n: int, m: int, seed: int) -> Graph: ...
    @property
    def n_nodes(self) -> int: ...
    @property
    def n_edges(self) -> int: ...
    @property
    def n_stored(self) -> int: ...
    @property
    def directed(self) -> bool: ...
    @property
    def weighted(self) -> bool: ...
    @property
    def nbytes(self) -> int: ...
    def degrees(self) -> npt.NDArray[np.uint32]: ...
    def neighbors(self, node: int) -> npt.NDArray[np.uint32]: ...
    def to_edges(
        self,
    ) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32], npt.NDArray[np.float32] | None]: ...
    def csr(
        self,
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint32], npt.NDArray[np.float32] | None]: ...
    def __eq__(self, other: object, /) -> bool: ...

def cascade(
    graph: Graph,
    seeds: int | _Ids,
    p: float | str | npt.NDArray[np.float32],
    seed: int,
    max_generations: int | None,
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]: ...
def cascade_sizes(
    graph: Graph,
    seeds: int | _Ids,
    p: float | str | npt.NDArray[np.float32],
    runs: int,
    seed: int,
    threads: int | None,
    fused: bool = False,
) -> npt.NDArray[np.int64]: ...
def fused_replay(
    graph: Graph,
    seeds: int | _Ids,
    p: float | str | npt.NDArray[np.float32],
    seed: int,
    run: int,
) -> int: ...
def select_seeds(
    graph: Graph,
    k: int,
    p: float | str | npt.NDArray[np.float32],
    method: str,
    epsilon: float,
    seed: int,
    threads: int | None,
    candidates: _Ids | None,
    cost: npt.NDArray[np.float64] | None,
    budget: float | None,
    runs: int,
    evaluation_runs: int,
    memory_limit: int | None,
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.float64], float, float, int, int]: ...
def defaults() -> dict[str, dict[str, Any]]: ...
def check(
    part: str, value: dict[str, Any], market: dict[str, dict[str, Any]] | None = None
) -> None: ...
def cpm(market: dict[str, dict[str, Any]], share: float) -> float: ...
def fixed_cost(market: dict[str, dict[str, Any]], strategy: dict[str, Any]) -> float: ...
def market_network(market: dict[str, dict[str, Any]], seed: int, replicate: int) -> Graph: ...
def estimate_bytes(
    market: dict[str, dict[str, Any]],
    arms: list[list[list[dict[str, Any]] | None]],
    network: Graph | None,
    periods: int,
    replicates: int,
    threads: int,
) -> int: ...
def metrics() -> list[tuple[str, str, str, str, str]]: ...
def model_order() -> tuple[list[str], list[str]]: ...
def simulate(
    market: dict[str, dict[str, Any]],
    arms: list[list[list[dict[str, Any]] | None]],
    network: Graph | None,
    periods: int,
    replicates: int,
    seed: int,
    threads: int | None,
    progress: Callable[[int, int], object] | None = None,
    metrics: list[str] | None = None,
    arm_metrics: list[list[str] | None] = ...,
) -> list[dict[str, Any]]: ...

BUILD_UNITS: int
MAX_THREADS: int
