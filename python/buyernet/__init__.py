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
from buyernet.market import (
    Brands,
    Careers,
    Committees,
    Customers,
    Decisions,
    Market,
    Needs,
    Network,
    Population,
)
from buyernet.network import Graph
from buyernet.simulation import Results, market_network, simulate

__version__: str = _version("buyernet")

__all__ = [
    "Brands",
    "BuyernetError",
    "Careers",
    "CascadeTrace",
    "Committees",
    "Customers",
    "Decisions",
    "Graph",
    "Market",
    "Needs",
    "Network",
    "ParameterError",
    "Population",
    "Results",
    "Spread",
    "__version__",
    "cascade",
    "cascade_sizes",
    "expected_spread",
    "market_network",
    "random_seeds",
    "simulate",
]
