"""buyernet: simulate B2B buying in professional networks.

The engine is written in Rust; this package is its typed Python API.

Example:
    >>> import buyernet
    >>> g = buyernet.Graph.barabasi_albert(10_000, 5, seed=1)
    >>> est = buyernet.expected_spread(g, buyernet.random_seeds(10), 0.05, runs=200, seed=1)
    >>> est.mean > 10
    True
"""

from importlib.metadata import version as _version

from buyernet.cascade import (
    CascadeTrace,
    Spread,
    cascade,
    cascade_sizes,
    expected_spread,
    random_seeds,
)
from buyernet.exceptions import BuyernetError, ParameterError
from buyernet.network import Graph

__version__: str = _version("buyernet")

__all__ = [
    "BuyernetError",
    "CascadeTrace",
    "Graph",
    "ParameterError",
    "Spread",
    "__version__",
    "cascade",
    "cascade_sizes",
    "expected_spread",
    "random_seeds",
]
