"""The social network: an immutable graph stored in compressed sparse row (CSR) form.

Node ids are ``0 .. n_nodes - 1`` (32-bit). An undirected edge is stored both ways (a
self-loop once). Adjacency lists are sorted, so the same edges given in any order make an
equal graph, and the same cascades for a seed. Memory is 8 bytes per node plus 4 per stored
edge (plus 4 per stored edge for weights).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Union

import numpy as np
import numpy.typing as npt

from buyernet import _core, checks
from buyernet.exceptions import ParameterError

if TYPE_CHECKING:
    import networkx
    import scipy.sparse

#: What ``network=`` accepts: a :class:`Graph`, a networkx graph, or a SciPy sparse matrix.
NetworkLike = Union["Graph", "networkx.Graph", "scipy.sparse.sparray", "scipy.sparse.spmatrix"]

__all__ = ["Graph"]

_MAX_NODES = 2**32 - 1


class Graph:
    """An immutable social network in CSR form, built by the constructors below.

    Example:
        >>> import buyernet
        >>> g = buyernet.Graph.from_edges([0, 1, 2], [1, 2, 0])
        >>> g
        Graph(n_nodes=3, n_edges=3, directed=False, weighted=False)
        >>> g.neighbors(0)
        array([1, 2], dtype=uint32)
    """

    __slots__ = ("_native",)

    _native: _core.Graph

    def __init__(self, core: _core.Graph) -> None:
        if not isinstance(core, _core.Graph):
            raise TypeError(
                "build a Graph with Graph.from_edges, from_networkx, from_scipy or a generator"
            )
        object.__setattr__(self, "_native", core)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Graph is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Graph is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickles as its CSR arrays, rebuilt (and checked) by the engine's from_csr.
        return (_from_csr, (self.directed, *self._native.csr()))

    # -- constructors -------------------------------------------------------------------

    @classmethod
    def from_edges(
        cls,
        src: npt.ArrayLike,
        dst: npt.ArrayLike,
        *,
        n: int | None = None,
        weights: npt.ArrayLike | None = None,
        directed: bool = False,
    ) -> Graph:
        """A graph from arrays of edge endpoints.

        Args:
            src: source node of each edge (integers in ``[0, n)``).
            dst: target node of each edge, same length as ``src``.
            n: number of nodes; default ``max(src, dst) + 1`` (0 with no edges).
            weights: optional weight per edge (stored as float32), e.g. a tie strength or
                a transmission probability for ``cascade(..., p="weights")``.
            directed: if False, each edge is stored both ways.

        Parallel edges are kept (each is a separate chance to pass a cascade on).

        Example:
            >>> g = Graph.from_edges([0, 0], [1, 2], weights=[0.5, 0.1], directed=True)
            >>> g.n_edges, g.weighted, g.degrees().tolist()
            (2, True, [2, 0, 0])
        """
        s, d = checks.node_ids(src, "src"), checks.node_ids(dst, "dst")
        if n is None:
            # The ids decide n; ids beyond the largest allowed are reported by name below.
            largest = max((int(a.max()) for a in (s, d) if a.size), default=-1)
            n = min(max(largest + 1, 0), _MAX_NODES)
        n = checks.integer(n, "n", 0, _MAX_NODES)
        w = None if weights is None else checks.float_array(weights, "weights", s.size)
        return cls(_core.Graph.from_edges(s, d, n, w, bool(directed)))

    @classmethod
    def from_networkx(cls, graph: networkx.Graph, weight: str | None = None) -> Graph:
        """A graph from a networkx graph; node ``i`` is the i-th node of ``graph.nodes``.

        Args:
            graph: a ``networkx`` Graph, DiGraph, MultiGraph or MultiDiGraph.
            weight: edge attribute to store as the weight (missing values count as 1.0).

        Example:
            >>> import networkx as nx
            >>> Graph.from_networkx(nx.path_graph(4)).n_edges
            3
        """
        if not any(c.__module__.split(".")[0] == "networkx" for c in type(graph).__mro__):
            raise TypeError(f"graph must be a networkx graph; got {type(graph).__name__}")
        index = {node: i for i, node in enumerate(graph.nodes)}
        m = graph.number_of_edges()
        src = np.empty(m, dtype=np.uint32)
        dst = np.empty(m, dtype=np.uint32)
        w = np.empty(m, dtype=np.float32) if weight is not None else None
        edges = graph.edges(data=weight, default=1.0) if weight is not None else graph.edges()
        for i, edge in enumerate(edges):
            src[i] = index[edge[0]]
            dst[i] = index[edge[1]]
            if w is not None:
                w[i] = edge[2]
        return cls.from_edges(src, dst, n=len(index), weights=w, directed=bool(graph.is_directed()))

    @classmethod
    def from_scipy(
        cls,
        matrix: scipy.sparse.sparray | scipy.sparse.spmatrix,
        *,
        directed: bool | None = None,
        weighted: bool | None = None,
    ) -> Graph:
        """A graph from a square SciPy sparse adjacency matrix (entry ``[i, j]``: edge i→j).

        Args:
            matrix: any SciPy sparse matrix or array; explicit zeros are dropped.
            directed: default: directed unless the matrix is symmetric. An undirected graph
                needs a symmetric matrix and is read from its upper triangle.
            weighted: store the entries as weights; default: only if some entry is not 1.

        Example:
            >>> import scipy.sparse as sp
            >>> Graph.from_scipy(sp.csr_array([[0, 1], [1, 0]]))
            Graph(n_nodes=2, n_edges=1, directed=False, weighted=False)
        """
        import scipy.sparse as sp

        if not sp.issparse(matrix):
            raise TypeError(f"matrix must be a SciPy sparse matrix; got {type(matrix).__name__}")
        rows, cols = matrix.shape
        if rows != cols:
            raise ParameterError(f"matrix must be square; got shape {matrix.shape}")
        coo = sp.coo_array(matrix)
        coo.sum_duplicates()
        coo.eliminate_zeros()
        symmetric = (abs(coo - coo.T) > 0).nnz == 0
        if directed is None:
            directed = not symmetric
        if not directed:
            if not symmetric:
                raise ParameterError(
                    "matrix must be symmetric for an undirected graph; pass directed=True"
                )
            upper = coo.row <= coo.col
            row, col, data = coo.row[upper], coo.col[upper], coo.data[upper]
        else:
            row, col, data = coo.row, coo.col, coo.data
        if weighted is None:
            weighted = bool(np.any(data != 1))
        return cls.from_edges(
            row, col, n=rows, weights=data if weighted else None, directed=bool(directed)
        )

    @classmethod
    def erdos_renyi(cls, n: int, mean_degree: float, *, seed: int) -> Graph:
        """An undirected Erdős–Rényi G(n, p) graph with p = mean_degree / (n - 1).

        Built in O(n + m) time and memory (a 1M-node, mean-degree-20 graph in about a second).

        Example:
            >>> g = Graph.erdos_renyi(1000, 10, seed=1)
            >>> round(g.degrees().mean())
            10
        """
        n = checks.integer(n, "n", 0, _MAX_NODES)
        return cls(
            _core.Graph.erdos_renyi(n, checks.real(mean_degree, "mean_degree"), checks.seed(seed))
        )

    @classmethod
    def watts_strogatz(cls, n: int, k: int, p: float, *, seed: int) -> Graph:
        """A Watts–Strogatz small world: a ring with ``k // 2`` neighbours per side, each tie
        rewired with probability ``p`` (no self-loops or duplicate ties), as networkx does.

        Example:
            >>> Graph.watts_strogatz(100, 4, 0.1, seed=1).n_edges
            200
        """
        n = checks.integer(n, "n", 0, _MAX_NODES)
        k = checks.integer(k, "k", 0, _MAX_NODES)  # the engine checks k < n
        return cls(_core.Graph.watts_strogatz(n, k, checks.real(p, "p"), checks.seed(seed)))

    @classmethod
    def barabasi_albert(cls, n: int, m: int, *, seed: int) -> Graph:
        """A Barabási–Albert preferential-attachment graph: from a star on ``m + 1`` nodes,
        each new node ties to ``m`` distinct earlier nodes chosen in proportion to degree.

        Example:
            >>> g = Graph.barabasi_albert(1000, 3, seed=1)
            >>> g.n_edges == 3 * (1000 - 3)
            True
        """
        n = checks.integer(n, "n", 0, _MAX_NODES)
        m = checks.integer(m, "m", 1, _MAX_NODES)  # the engine checks m < n
        return cls(_core.Graph.barabasi_albert(n, m, checks.seed(seed)))

    # -- accessors ----------------------------------------------------------------------

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return self._native.n_nodes

    @property
    def n_edges(self) -> int:
        """Number of edges; an undirected edge counts once."""
        return self._native.n_edges

    @property
    def n_stored(self) -> int:
        """Number of stored adjacency entries (an undirected edge is stored twice)."""
        return self._native.n_stored

    @property
    def directed(self) -> bool:
        """Whether edges have a direction."""
        return self._native.directed

    @property
    def weighted(self) -> bool:
        """Whether the graph has a weight per edge."""
        return self._native.weighted

    @property
    def nbytes(self) -> int:
        """Bytes held by the graph's arrays."""
        return self._native.nbytes

    def degrees(self) -> npt.NDArray[np.uint32]:
        """Out-degree of every node (for undirected graphs, the degree)."""
        return self._native.degrees()

    def neighbors(self, node: int) -> npt.NDArray[np.uint32]:
        """The out-neighbours of ``node``, ascending."""
        # The engine checks the range; here only that it is a whole number it can receive.
        return self._native.neighbors(checks.integer(node, "node", -(2**63), 2**63 - 1))

    def to_edges(
        self,
    ) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32], npt.NDArray[np.float32] | None]:
        """The edges as ``(src, dst, weights)`` arrays; undirected edges once, ``src <= dst``.

        ``Graph.from_edges(*edges[:2], weights=edges[2], n=g.n_nodes, directed=g.directed)``
        gives back an equal graph.
        """
        return self._native.to_edges()

    def csr(
        self,
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint32], npt.NDArray[np.float32] | None]:
        """Copies of the CSR arrays ``(offsets, targets, weights)``: the out-neighbours of
        ``u`` are ``targets[offsets[u]:offsets[u + 1]]``, and weights align with targets.
        """
        return self._native.csr()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Graph) and self._native == other._native

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Graph(n_nodes={self.n_nodes}, n_edges={self.n_edges}, "
            f"directed={self.directed}, weighted={self.weighted})"
        )


def as_network(value: NetworkLike, people: int) -> Graph:
    """A users' network for a market of ``people`` people, node ``i`` being person ``i``: a
    :class:`Graph` as is, a networkx graph whose nodes are the integers ``0 .. people - 1``
    (its ``weight`` attribute, where edges have one, becomes the tie weight), or a SciPy
    sparse adjacency matrix (see :meth:`Graph.from_scipy`).

    Example:
        >>> import networkx as nx
        >>> as_network(nx.cycle_graph(5), 5).n_edges
        5
    """
    if isinstance(value, Graph):
        return value
    kind = type(value).__module__.split(".")[0]
    if kind == "networkx":
        nodes = set(value.nodes)
        if nodes != set(range(people)):
            raise ParameterError(
                f"network: a networkx graph's nodes must be the people 0 .. {people - 1} "
                f"(node i is person i); got {len(nodes)} nodes. Relabel them with "
                "networkx.convert_node_labels_to_integers(graph), or pass "
                "buyernet.Graph.from_networkx(graph)"
            )
        weighted = any("weight" in d for _, _, d in value.edges(data=True))
        src, dst, w = [], [], []
        for u, v, d in value.edges(data=True):
            src.append(u)
            dst.append(v)
            w.append(d.get("weight", 1.0))
        return Graph.from_edges(
            np.asarray(src, dtype=np.int64),
            np.asarray(dst, dtype=np.int64),
            n=people,
            weights=np.asarray(w, dtype=np.float32) if weighted else None,
            directed=bool(value.is_directed()),
        )
    if kind == "scipy":
        return Graph.from_scipy(value)
    raise TypeError(
        "network must be a buyernet.Graph, a networkx graph or a SciPy sparse matrix, one "
        f"node per person; got {type(value).__name__} (build one with buyernet.Graph.from_edges)"
    )


def _from_csr(
    directed: bool,
    offsets: npt.NDArray[np.uint64],
    targets: npt.NDArray[np.uint32],
    weights: npt.NDArray[np.float32] | None,
) -> Graph:
    """A graph from its CSR arrays: how a pickled graph is rebuilt."""
    return Graph(_core.Graph.from_csr(directed, offsets, targets, weights))
