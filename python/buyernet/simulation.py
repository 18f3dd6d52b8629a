"""Running the market: :func:`simulate` and its :class:`Results`.

Replicates run in parallel with the GIL released. Every mechanism of every replicate draws
from its own random stream named by (seed, mechanism, replicate, period), so results never
depend on the number of threads, and a replicate re-run alone gives the same numbers.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from buyernet import _core, checks
from buyernet._version import __version__
from buyernet.exceptions import ParameterError
from buyernet.market import Market
from buyernet.metrics import BRAND_SERIES, FLOWS, SERIES_NAMES, STAGES
from buyernet.network import Graph, NetworkLike, as_network
from buyernet.storage import atomic_file
from buyernet.strategy import MediaPlan, Plan, Strategy, plan_from_dict, plan_list

__all__ = ["STAGES", "Results", "market_network", "simulate"]


def simulate(
    market: Market | None = None,
    *,
    periods: int,
    replicates: int,
    seed: int | None = None,
    strategies: Mapping[str | int, Plan] | None = None,
    threads: int | None = None,
    network: NetworkLike | None = None,
    progress: Callable[[int], object] | None = None,
    metrics: Sequence[str] | None = None,
) -> Results:
    """Simulate ``replicates`` independent runs of ``market`` for ``periods`` weeks.

    Args:
        market: the market (default: the calibrated ``Market()``).
        strategies: each advertising brand's strategy or :class:`~buyernet.MediaPlan`,
            keyed by brand name (or index); brands without one do not advertise.
        periods: number of weekly periods (at least 1).
        replicates: number of Monte Carlo replicates (at least 1).
        seed: random seed in [0, 2**64); drawn from the OS and recorded if None.
        threads: worker threads (default: all cores). Results do not depend on it.
        network: your own network, one node per person (node i is person i), shared by
            every replicate: a :class:`Graph`, a networkx graph with nodes ``0 .. people-1``
            or a SciPy sparse adjacency matrix. Default: a professional network drawn for
            each replicate from ``market.network`` (see :func:`market_network`).
        progress: called with the number of periods done (over all replicates, out of
            ``periods * replicates``) about every 50 ms while the engine runs; an
            exception it raises stops the run. If it also has a ``building`` method, that
            is called with the share (0 to 1) of the replicates' markets built (people,
            companies and network) whenever it grows: what a long run does before its
            first period.
        metrics: the series to record (names from :data:`buyernet.metrics.SERIES`, and
            ``"hourglass"``); default all. The engine skips the measures behind the others:
            without ``hourglass`` no per-period pass over everyone, without the reach
            metrics no per-person exposure history (8 bytes per person and advertising
            brand). Outcomes of :meth:`Results.run_metrics` need their inputs recorded.

    Ctrl-C stops a run cleanly (KeyboardInterrupt).

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 5_000, "companies": 300})
        >>> r = buyernet.simulate(m, periods=52, replicates=2, seed=1)
        >>> r.series("in_market_share").shape, r.series("wins").shape
        ((2, 52), (2, 52, 4))
        >>> ads = buyernet.simulate(m, periods=8, replicates=1, seed=1,
        ...                         strategies={"us": buyernet.Strategy.quantum(500)})
        >>> bool(ads.series("spend")[0, :, 0].sum() <= 8 * 500)
        True
    """
    market = Market() if market is None else market
    if not isinstance(market, Market):
        raise TypeError(f"market must be a buyernet.Market; got {type(market).__name__}")
    periods, replicates = checks.horizon(periods, replicates)
    seed = secrets.randbits(64) if seed is None else checks.seed(seed)
    threads = checks.threads(threads)
    if network is not None:
        network = as_network(network, market.population.people)
    plan = _strategies(market, strategies)
    (results,) = _run(
        market, [plan], periods, replicates, seed, threads, network, progress, metrics
    )
    return results


# The columns of the engine's per-campaign log that add up over weeks.
_CAMPAIGN_COLUMNS = (
    "impressions",
    "spend",
    "media_spend",
    "data_spend",
    "creative_spend",
    "unspent",
)


def _cpm(media: npt.NDArray[np.float64], impressions: npt.NDArray[np.float64]) -> Any:
    """Media spend per 1,000 impressions; NaN without impressions."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(impressions > 0, 1000 * media / np.maximum(impressions, 1), np.nan)


# The engine's event logs, returned beside the series.
_LOGS = ("deals", "customers_log", "campaigns")


def _reporter(progress: Callable[[int], object], replicates: int) -> Callable[[int, int], object]:
    """The engine's report, (periods done, build units done), as the user's callback and
    its optional ``building`` method hear it.
    """
    building = getattr(progress, "building", None)
    if not callable(building):
        return lambda done, built: progress(done)
    total = _core.BUILD_UNITS * replicates
    heard = [-1]

    def report(done: int, built: int) -> None:
        if built != heard[0]:
            heard[0] = built
            building(min(built / total, 1.0))
        progress(done)

    return report


def _run(
    market: Market,
    arms: list[list[Plan | None]],
    periods: int,
    replicates: int,
    seed: int,
    threads: int | None,
    network: Graph | None,
    progress: Callable[[int], object] | None,
    metrics: Sequence[str] | None = None,
    arm_metrics: Sequence[Sequence[str] | None] = (),
) -> list[Results]:
    """One engine call: every arm (one strategy or None per brand) on the same market draws,
    each replicate's population and network drawn once and shared by the arms. ``metrics``
    are recorded by every arm, except that arm ``i`` records ``arm_metrics[i]`` where that
    is given and not None.
    """
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be callable or None; got {type(progress).__name__}")
    recorded = None if metrics is None else _recorded(metrics)
    per_arm = [None if m is None else _recorded(m) for m in arm_metrics]
    core_network = None if network is None else network._native
    raw = _core.simulate(
        _named(market),
        _core_arms(arms),
        core_network,
        periods,
        replicates,
        seed,
        threads,
        None if progress is None else _reporter(progress, replicates),
        recorded,
        per_arm,
    )
    return [
        Results(
            market=market,
            seed=seed,
            strategies={market.brand_names[b]: st for b, st in enumerate(plan) if st is not None},
            arrays={k: v for k, v in out.items() if k not in _LOGS},
            deals=dict(out["deals"]),
            customers_log=dict(out["customers_log"]),
            campaigns=dict(out["campaigns"]),
            shape=(replicates, periods),
        )
        for plan, out in zip(arms, raw)
    ]


def _core_arms(arms: list[list[Plan | None]]) -> list[list[list[dict[str, Any]] | None]]:
    """Each arm as the engine reads it: per brand, its campaigns as dicts, or None."""
    return [[None if st is None else plan_list(st) for st in plan] for plan in arms]


def _named(market: Market) -> dict[str, dict[str, Any]]:
    """The market as the engine reads it, its brands named (``us``, ... by default), so that
    an error names the brand whose plan is at fault.
    """
    out = market.to_dict()
    out["brands"]["names"] = list(market.brand_names)
    return out


def estimate_bytes(
    market: Market,
    alternatives: Mapping[str, Plan],
    rivals: Mapping[str, Plan] | Mapping[str | int, Plan],
    brand: str | int,
    periods: int,
    replicates: int,
    threads: int | None,
    network: Graph | None = None,
    dark: bool = True,
) -> int:
    """A rough peak of the memory a comparison of ``alternatives`` needs, in bytes, from
    the engine's data structures (``benches/estimate.py`` holds it against measured peaks);
    ``dark`` counts the arm with the brand dark that ``compare`` runs by default.

    Example:
        >>> import buyernet
        >>> m = buyernet.Market()
        >>> alternatives = {"q": buyernet.Strategy.quantum(5_000)}
        >>> 10 * 2**20 < estimate_bytes(m, alternatives, {}, "us", 208, 8, 2) < 2**30
        True
    """
    import os

    threads = threads or os.cpu_count() or 1
    name = market.brand_names[market.brand_index(brand)]
    others: dict[str | int, Plan] = dict(rivals.items())
    arms = [_strategies(market, {**others, name: s}) for s in alternatives.values()]
    if dark:
        arms.append(_strategies(market, others))
    native = None if network is None else network._native
    return _core.estimate_bytes(
        _named(market), _core_arms(arms), native, periods, replicates, threads
    )


def _recorded(metrics: Sequence[str]) -> list[str]:
    """The names of ``metrics``, each a series or ``hourglass``."""
    if isinstance(metrics, str) or not isinstance(metrics, Sequence):
        raise TypeError(f"metrics must be a sequence of names; got {type(metrics).__name__}")
    known = (*SERIES_NAMES, "hourglass")
    for name in metrics:
        if name not in known:
            raise ParameterError(f"unknown metric {name!r}; metrics: {', '.join(known)}")
    return list(metrics)


def _strategies(market: Market, strategies: Mapping[str | int, Plan] | None) -> list[Plan | None]:
    """One strategy or media plan (or None) per brand, from a mapping keyed by brand name or
    index.
    """
    plan: list[Plan | None] = [None] * market.n_brands
    if strategies is None:
        return plan
    if not isinstance(strategies, Mapping):
        raise TypeError(
            f"strategies must map brand names to buyernet.Strategy; got {type(strategies).__name__}"
        )
    for brand, strategy in strategies.items():
        b = market.brand_index(brand)
        if not isinstance(strategy, (Strategy, MediaPlan)):
            raise TypeError(
                f"strategies[{brand!r}] must be a buyernet.Strategy or MediaPlan; "
                f"got {type(strategy).__name__}"
            )
        if plan[b] is not None:
            raise ParameterError(f"brand {market.brand_names[b]!r} has two strategies")
        plan[b] = strategy
    return plan


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
    replicate = checks.integer(replicate, "replicate", 0, 2**64 - 1)
    return Graph(_core.market_network(market.to_dict(), checks.seed(seed), replicate))


class Results:
    """What :func:`simulate` produced: per-period series, event logs and the setup.

    Attributes:
        market: the simulated market.
        strategies: the strategy of each advertising brand, by brand name.
        seed: the seed (recorded even when drawn from the OS).
        version: the buyernet version that produced the results.
        deals: one row per committee decision, as columns ``replicate``, ``period``,
            ``company``, ``committee_size``, ``employees`` (the company's headcount then),
            ``brand`` (-1: no decision) and ``value``.
        customers_log: one row per customer relationship: ``replicate``, ``company``,
            ``brand``, ``start``, ``end`` (-1: still a customer), ``sales``,
            ``sale_value`` and ``revenue``.
        campaigns: one row per campaign and period: ``replicate``, ``period``, ``brand``,
            ``campaign`` (its place in the brand's plan), ``impressions``, ``spend``,
            ``media_spend``, ``data_spend``, ``creative_spend`` and ``unspent``.

    The logs count periods from 1 (``start`` 0 in ``customers_log``: before the run), as
    the tidy tables do; a series' period axis is an array index, from 0.

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
        >>> r = buyernet.simulate(m, periods=5, replicates=2, seed=1)
        >>> r.series("wins").shape, r.market.brand_names[0]
        ((2, 5, 4), 'us')
    """

    def __init__(
        self,
        *,
        market: Market,
        seed: int,
        strategies: dict[str, Plan] | None = None,
        arrays: dict[str, npt.NDArray[Any]],
        deals: dict[str, npt.NDArray[Any]],
        customers_log: dict[str, npt.NDArray[Any]],
        campaigns: dict[str, npt.NDArray[Any]] | None = None,
        version: str | None = None,
        shape: tuple[int, int] | None = None,
    ) -> None:
        self.market = market
        self.strategies = dict(strategies or {})
        self.seed = seed
        self.version = version or __version__
        self._arrays = arrays
        self.deals = deals
        self.customers_log = customers_log
        self.campaigns = dict(campaigns or {})
        if shape is None:
            shape = next(iter(arrays.values())).shape[:2] if arrays else (0, 0)
        self._shape = (int(shape[0]), int(shape[1]))

    @property
    def metrics(self) -> tuple[str, ...]:
        """The series recorded, accepted by :meth:`series` (all of
        :data:`buyernet.metrics.SERIES` unless the run chose fewer).
        """
        return tuple(name for name in SERIES_NAMES if name in self._arrays)

    @property
    def replicates(self) -> int:
        """Number of replicates."""
        return self._shape[0]

    @property
    def periods(self) -> int:
        """Number of periods."""
        return self._shape[1]

    @property
    def brand_metrics(self) -> tuple[str, ...]:
        """The metrics with one value per brand: :meth:`series` gives [replicate, period,
        brand] for these.
        """
        return BRAND_SERIES

    @property
    def hourglass(self) -> npt.NDArray[np.float64]:
        """People at each stage of the marketing hourglass: [replicate, period, brand,
        stage], stages in the order of :data:`STAGES` (know, like, trust, try, buy,
        repeat, refer). Stages are not exclusive: a buyer who likes a brand counts at both.
        """
        if "hourglass" not in self._arrays:
            raise ParameterError("the hourglass was not recorded in this run (see metrics=)")
        return self._arrays["hourglass"]

    @property
    def has_hourglass(self) -> bool:
        """Whether the run recorded the hourglass."""
        return "hourglass" in self._arrays

    def series(self, name: str) -> npt.NDArray[np.float64]:
        """A metric per period: [replicate, period], or [replicate, period, brand] for the
        :attr:`brand_metrics` (impressions, reach, earned reach, wins, revenue, ...).
        """
        stage = name.removeprefix("hourglass_")
        if name.startswith("hourglass_") and stage in STAGES:
            # The tidy tables' hourglass columns: [replicate, period, brand].
            return self.hourglass[..., STAGES.index(stage)]
        if name not in self.metrics:
            if name in SERIES_NAMES:
                raise ParameterError(f"{name!r} was not recorded in this run (see metrics=)")
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
            per_run = values.sum(axis=1) if name in FLOWS else values.mean(axis=1)
            out[name] = {
                "mean": per_run.mean(axis=0),
                "q05": np.quantile(per_run, 0.05, axis=0),
                "q95": np.quantile(per_run, 0.95, axis=0),
            }
        return out

    def run_metrics(self) -> dict[str, npt.NDArray[np.float64]]:
        """Per-run outcomes, each an array [replicate, brand].

        - ``wins``, ``revenue``, ``impressions``, ``earned_reach``, ``shares``: totals;
        - ``market_share``: share of all wins in the run;
        - ``wins_per_1k_impressions`` and ``impressions_per_win`` (cost per win in
          impressions; NaN without impressions or wins);
        - ``customers`` and ``reached_ever``: at the end of the run; ``new_customers``:
          customer relationships won in the run (a win at the brand's own customer is a
          repeat sale, not a new customer);
        - money: ``spend`` (``media_spend`` + ``data_spend`` + ``creative_spend``) and
          ``unspent`` budget, totals; ``cpm`` paid; ``frequency`` (impressions per person
          reached in a period); ``gross_profit`` (revenue x ``media.gross_margin``); ``cac``
          (spend per new customer); ``roas`` (revenue per unit of spend); ``ltv_cac`` (gross profit
          per customer relationship / CAC); ``payback_weeks`` (CAC / weekly gross profit
          per customer). Ratios on spend are NaN when nothing was spent (zero prices or
          budget): returns on no spend are undefined;
        - ``ltv``: mean revenue per customer relationship won in the run;
        - ``future_buyer_reach``: share of the people on committees that came to a
          decision whom the brand had reached before they joined the committee;
          ``reached_elsewhere``: share it had reached while they worked at another company.

        Example:
            >>> import buyernet
            >>> m = buyernet.Market().replace(population={"people": 3_000, "companies": 150})
            >>> r = buyernet.simulate(m, periods=20, replicates=3, seed=2)
            >>> r.run_metrics()["wins"].shape
            (3, 4)
        """
        a = self._arrays
        n = (self.replicates, self.market.n_brands)

        def total(name: str) -> npt.NDArray[np.float64]:
            values: npt.NDArray[np.float64] = a[name].sum(axis=1)
            return values

        def per_decider(name: str) -> npt.NDArray[np.float64]:
            deciders = total("deciders")[:, None]
            return np.where(deciders > 0, total(name) / np.maximum(deciders, 1), np.nan)

        def ratio(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> Any:
            return np.where(y > 0, x / np.where(y > 0, y, 1), np.nan)

        def money(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> Any:
            # Spend per unit: undefined (NaN) when nothing was spent, even with wins.
            return np.where(x > 0, ratio(x, y), np.nan)

        margin = self.market.media.gross_margin

        # Each outcome with the series it needs; outcomes whose series were not recorded
        # (see simulate's metrics=) are left out.
        outcomes: dict[str, tuple[tuple[str, ...], Callable[[], Any]]] = {
            "wins": (("wins",), lambda: total("wins")),
            "revenue": (("revenue",), lambda: total("revenue")),
            "market_share": (
                ("wins",),
                lambda: ratio(total("wins"), total("wins").sum(axis=1, keepdims=True)),
            ),
            "impressions": (("impressions",), lambda: total("impressions")),
            "wins_per_1k_impressions": (
                ("wins", "impressions"),
                lambda: ratio(1000 * total("wins"), total("impressions")),
            ),
            "impressions_per_win": (
                ("wins", "impressions"),
                lambda: np.where(
                    total("impressions") > 0, ratio(total("impressions"), total("wins")), np.nan
                ),
            ),
            "earned_reach": (("earned_reach",), lambda: total("earned_reach")),
            "shares": (("shares",), lambda: total("shares")),
            "customers": (("customers",), lambda: a["customers"][:, -1, :]),
            "reached_ever": (("reached_ever",), lambda: a["reached_ever"][:, -1, :]),
            "new_customers": ((), lambda: self._won()[0]),
            "ltv": ((), lambda: self._won()[1]),
            "spend": (("spend",), lambda: total("spend")),
            "media_spend": (("media_spend",), lambda: total("media_spend")),
            "data_spend": (("data_spend",), lambda: total("data_spend")),
            "creative_spend": (("creative_spend",), lambda: total("creative_spend")),
            "unspent": (("unspent",), lambda: total("unspent")),
            "cpm": (
                ("media_spend", "impressions"),
                lambda: ratio(1000 * total("media_spend"), total("impressions")),
            ),
            "frequency": (
                ("impressions", "paid_reach"),
                lambda: ratio(total("impressions"), total("paid_reach")),
            ),
            "gross_profit": (("revenue",), lambda: margin * total("revenue")),
            "cac": (("spend",), lambda: money(total("spend"), self._won()[0])),
            "roas": (("revenue", "spend"), lambda: ratio(total("revenue"), total("spend"))),
            "ltv_cac": (
                ("spend",),
                lambda: ratio(margin * self._won()[1], money(total("spend"), self._won()[0])),
            ),
            "payback_weeks": (
                ("spend", "revenue", "customers"),
                lambda: ratio(
                    money(total("spend"), self._won()[0]),
                    ratio(margin * total("revenue"), total("customers")),
                ),
            ),
            "future_buyer_reach": (
                ("reached_before_joining", "deciders"),
                lambda: per_decider("reached_before_joining"),
            ),
            "reached_elsewhere": (
                ("reached_elsewhere", "deciders"),
                lambda: per_decider("reached_elsewhere"),
            ),
        }
        out = {}
        with np.errstate(divide="ignore", invalid="ignore"):
            for name, (inputs, compute) in outcomes.items():
                if all(k in a for k in inputs):
                    out[name] = np.broadcast_to(compute(), n).astype(np.float64)
        return out

    def campaign_series(self) -> dict[tuple[str, str], dict[str, npt.NDArray[np.float64]]]:
        """Per (brand, campaign name), each an array [replicate, period] of what the campaign
        bought and paid that week: impressions, spend, media, data and creative spend,
        unspent budget, and the CPM paid (NaN in a week without impressions). A lone
        strategy's campaign is called ``main``. A brand's campaigns add up to its ``spend``
        (and ``impressions``, ``unspent``, ...) series, week by week.

        Example:
            >>> import buyernet
            >>> m = buyernet.Market().replace(population={"people": 3_000, "companies": 150})
            >>> plan = buyernet.MediaPlan.brand_and_demand(600)
            >>> r = buyernet.simulate(m, periods=6, replicates=2, seed=1, strategies={"us": plan})
            >>> r.campaign_series()[("us", "brand")]["spend"].shape
            (2, 6)
        """
        log = self.campaigns
        out: dict[tuple[str, str], dict[str, npt.NDArray[np.float64]]] = {}
        if not log or len(log["replicate"]) == 0:
            return out
        names = self.market.brand_names
        shape = (self.replicates, self.periods)
        for brand, plan in self.strategies.items():
            b = names.index(brand)
            campaign_names = MediaPlan.of(plan).names if isinstance(plan, MediaPlan) else ("main",)
            for k, name in enumerate(campaign_names):
                rows = (log["brand"] == b) & (log["campaign"] == k)
                # Recorded periods count from 1.
                cell = log["replicate"][rows].astype(np.int64) * self.periods + (
                    log["period"][rows].astype(np.int64) - 1
                )
                weeks: dict[str, npt.NDArray[np.float64]] = {
                    c: np.bincount(cell, weights=log[c][rows], minlength=shape[0] * shape[1])
                    .astype(np.float64)
                    .reshape(shape)
                    for c in _CAMPAIGN_COLUMNS
                }
                weeks["cpm"] = _cpm(weeks["media_spend"], weeks["impressions"])
                out[(brand, name)] = weeks
        return out

    def campaign_outcomes(self) -> dict[tuple[str, str], dict[str, npt.NDArray[np.float64]]]:
        """Per (brand, campaign name), each an array [replicate] of run totals: impressions,
        spend, media, data and creative spend, unspent budget, and the CPM paid (NaN without
        impressions): :meth:`campaign_series` summed over the weeks. A lone strategy's
        campaign is called ``main``.

        Example:
            >>> import buyernet
            >>> m = buyernet.Market().replace(population={"people": 3_000, "companies": 150})
            >>> plan = buyernet.MediaPlan.brand_and_demand(600)
            >>> r = buyernet.simulate(m, periods=6, replicates=2, seed=1, strategies={"us": plan})
            >>> sorted(r.campaign_outcomes())
            [('us', 'abm'), ('us', 'brand')]
        """
        out: dict[tuple[str, str], dict[str, npt.NDArray[np.float64]]] = {}
        for key, weeks in self.campaign_series().items():
            totals = {c: weeks[c].sum(axis=1) for c in _CAMPAIGN_COLUMNS}
            totals["cpm"] = _cpm(totals["media_spend"], totals["impressions"])
            out[key] = totals
        return out

    def _won(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Per [replicate, brand]: the customer relationships won in the run, and their mean
        revenue in the run (NaN where none was won). Relationships running when the run
        started (``start`` 0) were not acquired by it; a win at a brand's own customer is a
        repeat sale of its relationship, not a new one.
        """
        shape = (self.replicates, self.market.n_brands)
        log = self.customers_log
        if len(log["replicate"]) == 0:
            return np.zeros(shape), np.full(shape, np.nan)
        won = log["start"] >= 1
        key = log["replicate"][won].astype(np.int64) * shape[1] + log["brand"][won].astype(np.int64)
        counts = np.bincount(key, minlength=shape[0] * shape[1]).astype(np.float64)
        sums = np.bincount(key, weights=log["revenue"][won], minlength=shape[0] * shape[1])
        with np.errstate(divide="ignore", invalid="ignore"):
            ltv = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
        return counts.reshape(shape), ltv.reshape(shape)

    def to_pandas(self) -> Any:
        """A tidy DataFrame: one row per (replicate, period, brand), one column per metric
        (market-wide metrics repeated on each brand's row). Needs pandas.
        """
        # An export hook: the one tidy-table builder lives in export.py, above this module.
        from buyernet.export import series_frame

        return series_frame(self)

    def save(self, path: str | Path) -> None:
        """Write everything, with the seed, version and full market, to one ``.npz`` file."""
        meta = {
            "shape": list(self._shape),
            "seed": self.seed,
            "version": self.version,
            "market": self.market.to_dict(),
            "strategies": {k: _jsonable(v.to_dict()) for k, v in self.strategies.items()},
        }
        # Any: numpy's stub types **kwargs against its own keyword (allow_pickle: bool).
        arrays: dict[str, Any] = {"__meta__": np.array(json.dumps(meta))}
        arrays.update({f"series/{k}": v for k, v in self._arrays.items()})
        arrays.update({f"deals/{k}": v for k, v in self.deals.items()})
        arrays.update({f"customers_log/{k}": v for k, v in self.customers_log.items()})
        arrays.update({f"campaigns/{k}": v for k, v in self.campaigns.items()})
        with atomic_file(path) as file:
            np.savez_compressed(file, **arrays)

    @classmethod
    def load(cls, path: str | Path) -> Results:
        """Read results written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as data:
            if "__meta__" not in data.files:
                raise ParameterError(f"{path} holds no buyernet results (no __meta__ entry)")
            meta = json.loads(str(data["__meta__"]))
            groups: dict[str, dict[str, npt.NDArray[Any]]] = {
                "series": {},
                "deals": {},
                "customers_log": {},
                "campaigns": {},
            }
            for key in data.files:
                if "/" in key:
                    group, name = key.split("/", 1)
                    groups[group][name] = data[key]
        return cls(
            market=Market.from_dict(meta["market"]),
            seed=int(meta["seed"]),
            strategies={k: plan_from_dict(v) for k, v in meta.get("strategies", {}).items()},
            arrays=groups["series"],
            deals=groups["deals"],
            customers_log=groups["customers_log"],
            campaigns=groups["campaigns"],
            version=meta["version"],
            shape=tuple(meta["shape"]) if "shape" in meta else None,
        )

    def plot(self, metric: str = "wins", *, cumulative: bool | None = None) -> Any:
        """A metric over time for every brand (mean and 5-95% band over replicates), as a
        matplotlib figure. Flows (wins, revenue, impressions, ...) are cumulative unless
        ``cumulative=False``.

        Example:
            >>> import buyernet
            >>> m = buyernet.Market().replace(population={"people": 3_000, "companies": 150})
            >>> fig = buyernet.simulate(m, periods=10, replicates=2, seed=1).plot("revenue")
            >>> fig.axes[0].get_ylabel()
            'revenue, cumulative'
        """
        # A presentation hook: charts sit above this module and never import it back.
        from buyernet.charts import series_chart

        return series_chart(self, metric, cumulative=cumulative)

    def _repr_html_(self) -> str:
        # A presentation hook, like plot().
        from buyernet.report import results_html

        return results_html(self)

    def __repr__(self) -> str:
        return (
            f"Results(replicates={self.replicates}, periods={self.periods}, "
            f"brands={self.market.n_brands}, seed={self.seed})"
        )


def _jsonable(value: Any) -> Any:
    """Arrays as lists, so a strategy's dict can go into JSON."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value
