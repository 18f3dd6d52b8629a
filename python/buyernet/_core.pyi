# Stubs for the private native module; the public, documented API is in buyernet.*.
from typing import Any, Optional, Union

import numpy as np
import numpy.typing as npt

_Ids = npt.NDArray[Any]

class Graph:
    @staticmethod
    def from_edges(
        src: _Ids, dst: _Ids, n: int, weights: Optional[npt.NDArray[np.float32]], directed: bool
    ) -> Graph: ...
    @staticmethod
    def from_csr(
        directed: bool,
        offsets: npt.NDArray[np.uint64],
        targets: npt.NDArray[np.uint32],
        weights: Optional[npt.NDArray[np.float32]],
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
    ) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32], Optional[npt.NDArray[np.float32]]]: ...
    def csr(
        self,
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint32], Optional[npt.NDArray[np.float32]]]: ...
    def __eq__(self, other: object) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

def cascade(
    graph: Graph,
    seeds: Union[int, _Ids],
    p: Union[float, str, npt.NDArray[np.float32]],
    seed: int,
    max_generations: Optional[int],
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]: ...
def cascade_sizes(
    graph: Graph,
    seeds: Union[int, _Ids],
    p: Union[float, str, npt.NDArray[np.float32]],
    runs: int,
    seed: int,
    threads: Optional[int],
) -> npt.NDArray[np.int64]: ...
