"""buyernet: simulate B2B buying in professional networks.

The engine is written in Rust; this package is its typed Python API.

Example:
    >>> import buyernet
    >>> g = buyernet.Graph.barabasi_albert(10_000, 5, seed=1)
    >>> est = buyernet.expected_spread(g, buyernet.random_seeds(10), 0.05, runs=200, seed=1)
    >>> est.mean > 10
    True
"""

from buyernet._version import __version__
from buyernet.cascade import (
    CascadeTrace,
    Spread,
    cascade,
    cascade_sizes,
    expected_spread,
    random_seeds,
    replay,
)
from buyernet.comparison import (
    Comparison,
    Difference,
    Synergy,
    SynergyWarning,
    compare,
    synergy,
)
from buyernet.curves import ResponseCurve, response_curve
from buyernet.exceptions import BuyernetError, ParameterError
from buyernet.market import (
    Advertising,
    Brands,
    Careers,
    Committees,
    Customers,
    Decisions,
    Market,
    Media,
    Needs,
    Network,
    Population,
    Referrals,
    Start,
)
from buyernet.network import Graph
from buyernet.seeding import SeedSelection, select_seeds
from buyernet.simulation import STAGES, Results, market_network, simulate
from buyernet.strategy import FUNCTIONS, Creative, MediaPlan, Strategy, Targeting, Timing
from buyernet.sweeps import Sweep, sweep

__all__ = [
    "FUNCTIONS",
    "STAGES",
    "Advertising",
    "Brands",
    "BuyernetError",
    "Careers",
    "CascadeTrace",
    "Committees",
    "Comparison",
    "Creative",
    "Customers",
    "Decisions",
    "Difference",
    "Graph",
    "Market",
    "Media",
    "MediaPlan",
    "Needs",
    "Network",
    "ParameterError",
    "Population",
    "Referrals",
    "ResponseCurve",
    "Results",
    "SeedSelection",
    "Spread",
    "Start",
    "Strategy",
    "Sweep",
    "Synergy",
    "SynergyWarning",
    "Targeting",
    "Timing",
    "__version__",
    "cascade",
    "cascade_sizes",
    "compare",
    "expected_spread",
    "market_network",
    "random_seeds",
    "replay",
    "response_curve",
    "select_seeds",
    "simulate",
    "sweep",
    "synergy",
]
