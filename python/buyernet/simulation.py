"""Running the market: :func:`simulate` and its :class:`Results`.

Replicates run in parallel with the GIL released. Every mechanism of every replicate draws
from its own random stream named by (seed, mechanism, replicate, period), so results never
depend on the number of threads, and a replicate re-run alone gives the same numbers.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from buyernet import _core
from buyernet.exceptions import ParameterError
from buyernet.market import Market
from buyernet.network import Graph, _integer, _seed

__all__ = ["Results", "market_network", "simulate"]

# Per-period metrics: shape [replicate, period] or [replicate, period, brand].
_MARKET_METRICS = (
    "in_market_share",
    "career_changed_share",
    "movers",
    "needs_opened",
    "decisions",
    "no_decisions",
    "abandoned",
    "committees_open",
    "committee_size_mean",
)
_BRAND_METRICS = ("wins", "revenue", "customers", "memory_mean")
# How a metric is summed up over a run in summary(): flows add up, stocks and shares average.
_FLOWS = {"movers", "needs_opened", "decisions", "no_decisions", "abandoned", "wins", "revenue"}


def simulate(
    market: Market | None = None,
    *,
    periods: int,
    replicates: int,
    seed: int | None = None,
    threads: int | None = None,
    network: Graph | None = None,
) -> Results:
    """Simulate ``replicates`` independent runs of ``market`` for ``periods`` weeks.

    Args:
        market: the market (default: the calibrated ``Market()``).
        periods: number of weekly periods (at least 1).
        replicates: number of Monte Carlo replicates (at least 1).
        seed: random seed in [0, 2**64); drawn from the OS and recorded if None.
        threads: worker threads (default: all cores). Results do not depend on it.
        network: your own network, one node per person (node i is person i), shared by
            every replicate; default: a professional network drawn for each replicate
            from ``market.network`` (see :func:`market_network`).

    Ctrl-C stops a run cleanly (KeyboardInterrupt).

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 5_000, "companies": 300})
        >>> r = buyernet.simulate(m, periods=52, replicates=2, seed=1)
        >>> r.series("in_market_share").shape, r.series("wins").shape
        ((2, 52), (2, 52, 4))
    """
    market = Market() if market is None else market
    if not isinstance(market, Market):
        raise TypeError(f"market must be a buyernet.Market; got {type(market).__name__}")
    periods = _integer(periods, "periods", 1, 2**32 - 1)
    replicates = _integer(replicates, "replicates", 1, 2**32 - 1)
    seed = secrets.randbits(64) if seed is None else _seed(seed)
    if threads is not None:
        threads = _integer(threads, "threads", 1, 4096)
    if network is not None and not isinstance(network, Graph):
        raise TypeError(f"network must be a buyernet.Graph; got {type(network).__name__}")
    core_network = None if network is None else network._native
    raw = _core.simulate(market.to_dict(), core_network, periods, replicates, seed, threads)
    return Results(
        market=market,
        seed=seed,
        arrays={name: raw[name] for name in (*_MARKET_METRICS, *_BRAND_METRICS)},
        deals=dict(raw["deals"]),
        customers_log=dict(raw["customers_log"]),
    )


def market_network(market: Market | None = None, *, seed: int, replicate: int = 0) -> Graph:
    """The professional network that replicate ``replicate`` of ``simulate(market,
    seed=seed)`` runs on (node i is person i).

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
        >>> g = buyernet.market_network(m, seed=1)
        >>> g.n_nodes, g.weighted
        (2000, True)
    """
    market = Market() if market is None else market
    if not isinstance(market, Market):
        raise TypeError(f"market must be a buyernet.Market; got {type(market).__name__}")
    replicate = _integer(replicate, "replicate", 0, 2**64 - 1)
    return Graph(_core.market_network(market.to_dict(), _seed(seed), replicate))


class Results:
    """What :func:`simulate` produced: per-period series, event logs and the setup.

    Attributes:
        market: the simulated market.
        seed: the seed (recorded even when drawn from the OS).
        version: the buyernet version that produced the results.
        deals: one row per committee decision, as columns ``replicate``, ``period``,
            ``company``, ``committee_size``, ``brand`` (-1: no decision) and ``value``.
        customers_log: one row per customer relationship: ``replicate``, ``company``,
            ``brand``, ``start``, ``end`` (-1: still a customer), ``sales``,
            ``sale_value`` and ``revenue``.
    """

    def __init__(
        self,
        *,
        market: Market,
        seed: int,
        arrays: dict[str, npt.NDArray[Any]],
        deals: dict[str, npt.NDArray[Any]],
        customers_log: dict[str, npt.NDArray[Any]],
        version: str | None = None,
    ) -> None:
        from buyernet import __version__

        self.market = market
        self.seed = seed
        self.version = version or __version__
        self._arrays = arrays
        self.deals = deals
        self.customers_log = customers_log

    @property
    def metrics(self) -> tuple[str, ...]:
        """Names accepted by :meth:`series`."""
        return (*_MARKET_METRICS, *_BRAND_METRICS)

    @property
    def replicates(self) -> int:
        """Number of replicates."""
        return int(self._arrays["in_market_share"].shape[0])

    @property
    def periods(self) -> int:
        """Number of periods."""
        return int(self._arrays["in_market_share"].shape[1])

    def series(self, name: str) -> npt.NDArray[np.float64]:
        """A metric per period: [replicate, period], or [replicate, period, brand] for
        ``wins``, ``revenue``, ``customers`` and ``memory_mean``.
        """
        if name not in self._arrays:
            raise ParameterError(f"unknown metric {name!r}; metrics: {', '.join(self.metrics)}")
        return self._arrays[name]

    def summary(self) -> dict[str, dict[str, Any]]:
        """Per metric, its per-run value (total over periods for flows, mean for stocks and
        shares) summarized across replicates: ``mean``, ``q05`` and ``q95`` (arrays over
        brands for brand metrics).
        """
        out: dict[str, dict[str, Any]] = {}
        for name in self.metrics:
            values = self._arrays[name]
            per_run = values.sum(axis=1) if name in _FLOWS else values.mean(axis=1)
            out[name] = {
                "mean": per_run.mean(axis=0),
                "q05": np.quantile(per_run, 0.05, axis=0),
                "q95": np.quantile(per_run, 0.95, axis=0),
            }
        return out

    def to_pandas(self) -> Any:
        """A tidy DataFrame: one row per (replicate, period, brand), one column per metric
        (market-wide metrics repeated on each brand's row). Needs pandas.
        """
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("Results.to_pandas needs pandas: pip install pandas") from None
        r, t, b = self.replicates, self.periods, self.market.n_brands
        index = np.indices((r, t, b)).reshape(3, -1)
        columns: dict[str, Any] = {"replicate": index[0], "period": index[1] + 1, "brand": index[2]}
        for name in _MARKET_METRICS:
            columns[name] = np.repeat(self._arrays[name].reshape(-1), b)
        for name in _BRAND_METRICS:
            columns[name] = self._arrays[name].reshape(-1)
        return pd.DataFrame(columns)

    def save(self, path: str | Path) -> None:
        """Write everything, with the seed, version and full market, to one ``.npz`` file."""
        meta = {"seed": self.seed, "version": self.version, "market": self.market.to_dict()}
        # Any: numpy's stub types **kwargs against its own keyword (allow_pickle: bool).
        arrays: dict[str, Any] = {"__meta__": np.array(json.dumps(meta))}
        arrays.update({f"series/{k}": v for k, v in self._arrays.items()})
        arrays.update({f"deals/{k}": v for k, v in self.deals.items()})
        arrays.update({f"customers_log/{k}": v for k, v in self.customers_log.items()})
        with open(path, "wb") as file:
            np.savez_compressed(file, **arrays)

    @classmethod
    def load(cls, path: str | Path) -> Results:
        """Read results written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["__meta__"]))
            groups: dict[str, dict[str, npt.NDArray[Any]]] = {
                "series": {},
                "deals": {},
                "customers_log": {},
            }
            for key in data.files:
                if "/" in key:
                    group, name = key.split("/", 1)
                    groups[group][name] = data[key]
        return cls(
            market=Market.from_dict(meta["market"]),
            seed=int(meta["seed"]),
            arrays=groups["series"],
            deals=groups["deals"],
            customers_log=groups["customers_log"],
            version=meta["version"],
        )

    def __repr__(self) -> str:
        return (
            f"Results(replicates={self.replicates}, periods={self.periods}, "
            f"brands={self.market.n_brands}, seed={self.seed})"
        )
