"""Paired comparisons of strategies on the same market draws.

Every alternative runs on the same seed, so each replicate of each alternative faces the
same careers, needs, committees, intent signals and decision draws (common random
numbers): differences between alternatives are paired per replicate, which removes the
market's own noise from the comparison. Comparing a strategy with itself gives differences
of exactly zero.

A comparison also runs the same market with the brand dark (no advertising, rivals as
they are), paired on the same draws: each alternative's incremental revenue, incremental
gross profit and incremental ROI, ``(gross profit - gross profit dark) / spend``, are read
against it, per replicate.

Example:
    >>> import buyernet
    >>> m = buyernet.Market().replace(population={"people": 4_000, "companies": 200})
    >>> c = buyernet.compare(
    ...     m,
    ...     {"a": buyernet.Strategy.quantum(400), "b": buyernet.Strategy.quantum(400)},
    ...     periods=12, replicates=3, seed=1,
    ... )
    >>> c.difference("wins").mean, c.difference("wins").low, c.difference("wins").high
    (0.0, 0.0, 0.0)
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from buyernet import _core, checks
from buyernet.exceptions import ParameterError
from buyernet.market import Market
from buyernet.metrics import COMPARED, INCREMENTAL, RATIOS
from buyernet.network import NetworkLike, as_network
from buyernet.simulation import Results, _run, _strategies
from buyernet.stats import (
    Interval,
    PairedDifference,
    interval,
    paired_difference,
    paired_ratio_difference,
    ratio_interval,
)
from buyernet.storage import check_output, results_directory
from buyernet.strategy import Flighted, MediaPlan, Plan, Strategy

__all__ = [
    "Comparison",
    "Difference",
    "Synergy",
    "SynergyWarning",
    "compare",
    "estimate",
    "paired",
    "synergy",
    "synergy_arms",
]

#: Metrics compared by default (see :data:`buyernet.metrics.COMPARED`).
METRICS = COMPARED
#: Outcomes against the dark arm, shown first when it ran.
INCREMENTAL_NAMES = tuple(m.name for m in INCREMENTAL)


@dataclass(frozen=True)
class Difference:
    """A paired difference (alternative minus baseline) over replicates.

    Attributes:
        metric: the metric compared.
        alternative: the alternative's name; baseline: the baseline's name.
        mean: mean difference over replicates (for a rate, the difference of the ratios of
            totals); low, high: its 95% confidence interval (Student t on the per-replicate
            differences, or for a rate on the delta method's; NaN with one replicate).
        baseline_mean, alternative_mean: the two means (for a rate, the ratios of totals).
        replicates: replicates with a value for both (NaN values are left out).

    Example:
        >>> d = Difference("wins", "b", "a", 2.0, 0.5, 3.5, 10.0, 12.0, 8)
        >>> d.significant
        True
    """

    metric: str
    alternative: str
    baseline: str
    mean: float
    low: float
    high: float
    baseline_mean: float
    alternative_mean: float
    replicates: int

    @property
    def significant(self) -> bool:
        """Whether the interval excludes zero."""
        return bool(self.low > 0 or self.high < 0)


class Comparison:
    """Alternatives run on the same market draws, with paired differences per metric.

    Attributes:
        brand: the brand whose strategy varies.
        baseline: the alternative the others are compared with (the first by default).
        results: each alternative's full :class:`Results`.
        dark: the same market with the brand dark, on the same draws (None if not run).

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
        >>> c = buyernet.compare(m, {"a": buyernet.Strategy.quantum(150),
        ...                          "b": buyernet.Strategy.quantum(150)},
        ...                      periods=4, replicates=2, seed=1)
        >>> d = c.difference("wins", "b")  # the same plan twice: exactly no difference
        >>> d.mean, d.low, d.high
        (0.0, 0.0, 0.0)
    """

    def __init__(
        self,
        brand: str,
        baseline: str,
        results: dict[str, Results],
        dark: Results | None = None,
    ) -> None:
        self.brand = brand
        self.baseline = baseline
        self.results = results
        self.dark = dark
        market = next(iter(results.values())).market
        b = market.brand_index(brand)
        self._values = {
            name: {k: v[:, b] for k, v in r.run_metrics().items()} for name, r in results.items()
        }
        if dark is not None:
            dark_revenue = dark.run_metrics().get("revenue")
            margin = market.media.gross_margin
            for values in self._values.values():
                if dark_revenue is None or "revenue" not in values:
                    continue
                gain = values["revenue"] - dark_revenue[:, b]
                values["incremental_revenue"] = gain
                values["incremental_gross_profit"] = margin * gain
                if "spend" in values:
                    spend = values["spend"]
                    with np.errstate(divide="ignore", invalid="ignore"):
                        values["incremental_roi"] = np.where(
                            spend > 0, margin * gain / np.where(spend > 0, spend, 1), np.nan
                        )

    @property
    def alternatives(self) -> tuple[str, ...]:
        """The alternatives' names, baseline first."""
        return (self.baseline, *(k for k in self.results if k != self.baseline))

    def save(self, path: str | Path, *, force: bool = False) -> None:
        """Write the comparison to a results directory: each alternative's full results
        (:meth:`Results.save`) and which is the baseline. Written atomically; ``force``
        replaces only a results directory buyernet wrote (see :mod:`buyernet.storage`).

        Example:
            >>> import buyernet, tempfile, pathlib
            >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
            >>> c = buyernet.compare(m, {"q": buyernet.Strategy.quantum(200)},
            ...                      periods=3, replicates=2, seed=1)
            >>> folder = pathlib.Path(tempfile.mkdtemp()) / "c"
            >>> c.save(folder)
            >>> Comparison.load(folder).alternatives
            ('q',)
        """
        check_output(path, force=force)
        with results_directory(path) as tmp:
            names = list(self.results)
            for i, name in enumerate(names):
                self.results[name].save(tmp / f"arm-{i}.npz")
            if self.dark is not None:
                self.dark.save(tmp / "dark.npz")
            meta = {
                "brand": self.brand,
                "baseline": self.baseline,
                "alternatives": names,
                "dark": self.dark is not None,
            }
            (tmp / "comparison.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Comparison:
        """Read a comparison written by :meth:`save`."""
        folder = Path(path)
        try:
            meta = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ParameterError(
                f"{folder} holds no saved comparison (no comparison.json)"
            ) from None
        results = {
            name: Results.load(folder / f"arm-{i}.npz")
            for i, name in enumerate(meta["alternatives"])
        }
        dark = Results.load(folder / "dark.npz") if meta.get("dark") else None
        return cls(meta["brand"], meta["baseline"], results, dark)

    def values(self, metric: str, alternative: str) -> npt.NDArray[np.float64]:
        """One alternative's per-replicate values of a metric, for the brand compared."""
        if alternative not in self._values:
            raise ParameterError(
                f"unknown alternative {alternative!r}; alternatives: {', '.join(self.results)}"
            )
        values = self._values[alternative]
        if metric not in values:
            raise ParameterError(f"unknown metric {metric!r}; metrics: {', '.join(values)}")
        return values[metric]

    def difference(self, metric: str, alternative: str | None = None) -> Difference:
        """The paired difference ``alternative - baseline`` of a metric (default
        alternative: the first that is not the baseline).
        """
        if alternative is None:
            others = [k for k in self.results if k != self.baseline]
            alternative = others[0] if others else self.baseline
        self.values(metric, alternative)  # checks the names
        self.values(metric, self.baseline)
        d = paired(metric, self._values[alternative], self._values[self.baseline])
        return Difference(
            metric=metric,
            alternative=alternative,
            baseline=self.baseline,
            mean=d.mean,
            low=d.low,
            high=d.high,
            baseline_mean=d.baseline_mean,
            alternative_mean=d.alternative_mean,
            replicates=d.n,
        )

    def estimate(self, metric: str, alternative: str) -> Interval:
        """One alternative's mean of a metric over replicates with its 95% confidence
        interval: its incremental ROI, say. A rate (:data:`buyernet.metrics.RATIOS`) is
        the ratio of its totals over replicates.

        Example:
            >>> import buyernet
            >>> m = buyernet.Market().replace(population={"people": 3_000, "companies": 150})
            >>> c = buyernet.compare(m, {"q": buyernet.Strategy.quantum(300)},
            ...                      periods=8, replicates=3, seed=1)
            >>> roi = c.estimate("incremental_roi", "q")
            >>> roi.low <= roi.mean <= roi.high
            True
        """
        self.values(metric, alternative)  # checks the names
        return estimate(metric, self._values[alternative])

    def table(self, metrics: tuple[str, ...] | None = None) -> list[Difference]:
        """Every alternative against the baseline on each metric (default: spend, then the
        incremental outcomes against the dark arm, then the compared outcomes the run
        recorded, :data:`buyernet.metrics.COMPARED`).
        """
        if metrics is None:
            # What every alternative recorded (a curve's extra budgets record fewer).
            recorded = set.intersection(*(set(v) for v in self._values.values()))
            # Money first: spend, then what it earned over the brand dark.
            first = ("spend", "incremental_revenue", "incremental_roi", "incremental_gross_profit")
            order = dict.fromkeys((*first, *INCREMENTAL_NAMES, *METRICS))
            metrics = tuple(m for m in order if m in recorded)
        others = [k for k in self.results if k != self.baseline] or [self.baseline]
        return [self.difference(m, alt) for alt in others for m in metrics]

    def to_pandas(self, metrics: tuple[str, ...] | None = None) -> Any:
        """:meth:`table` as a DataFrame (needs pandas)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("Comparison.to_pandas needs pandas: pip install pandas") from None
        return pd.DataFrame([d.__dict__ for d in self.table(metrics)])

    def plot(self, chart: str = "differences") -> Any:
        """A chart of the comparison as a matplotlib figure, by name: any of
        :data:`buyernet.charts.CHARTS` (``differences``, ``wins``, ``revenue``, ``spend``,
        ``roi``, ``payoff``, ...; each report chart has one).
        """
        # Presentation hooks: charts and report sit above this module and never import it.
        from buyernet.charts import chart as make

        return make(self, chart)

    def _repr_html_(self) -> str:
        from buyernet.report import comparison_html

        return comparison_html(self)

    def __str__(self) -> str:
        from buyernet.report import differences_text, money_rows, money_text, summary_rows

        money = money_text(money_rows(self))
        differences = differences_text(summary_rows(self), self.baseline)
        return f"{money}\n\n{differences}" if money else differences

    def __repr__(self) -> str:
        return (
            f"Comparison(brand={self.brand!r}, baseline={self.baseline!r}, "
            f"alternatives={list(self.results)})"
        )


def compare(
    market: Market | None,
    alternatives: Mapping[str, Plan],
    *,
    brand: str | int = 0,
    rivals: Mapping[str | int, Plan] | None = None,
    baseline: str | None = None,
    periods: int,
    replicates: int,
    seed: int,
    threads: int | None = None,
    network: NetworkLike | None = None,
    progress: Callable[[int], object] | None = None,
    metrics: Sequence[str] | None = None,
    dark: bool = True,
) -> Comparison:
    """Run each alternative strategy (or media plan) for ``brand`` (rivals fixed) on the
    same market draws, and the same market with ``brand`` dark.

    Args:
        market: the market (default: ``Market()``).
        alternatives: named strategies or :class:`~buyernet.MediaPlan` s for ``brand``, at
            least one. Compare them at equal money to ask which spends it best.
        brand: the brand whose strategy varies (name or index; default the first brand).
        rivals: the other brands' strategies, the same in every alternative.
        baseline: the alternative the others are compared with (default: the first).
        periods: weekly periods per run.
        replicates: Monte Carlo replicates per alternative.
        seed: the seed every alternative runs on (required: pairing needs the same one).
        threads: worker threads (default: all cores); results do not depend on it.
        network: your own network, as for :func:`~buyernet.simulate`.
        progress: called with the periods done so far over every arm (out of
            ``(len(alternatives) + dark) * periods * replicates``) about every 50 ms, as for
            :func:`~buyernet.simulate` (a ``building`` method hears the markets' build).
        metrics: the series to record, as for :func:`~buyernet.simulate` (default all);
            the comparison's outcomes are those their series allow.
        dark: also run the market with ``brand`` dark (one more arm on the same draws) for
            incremental revenue, gross profit and ROI.

    One engine call runs every alternative: each replicate's people, companies and network
    are drawn once and shared by all alternatives, and alternatives x replicates spread over
    the threads.

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 4_000, "companies": 200})
        >>> c = buyernet.compare(m, {"quantum": buyernet.Strategy.quantum(300),
        ...                          "planetary": buyernet.Strategy.planetary(300)},
        ...                      brand="us", periods=10, replicates=2, seed=3)
        >>> c.alternatives
        ('quantum', 'planetary')
    """
    comparison, _ = _compare(
        market,
        alternatives,
        (),
        brand=brand,
        rivals=rivals,
        baseline=baseline,
        periods=periods,
        replicates=replicates,
        seed=seed,
        threads=threads,
        network=network,
        progress=progress,
        metrics=metrics,
        dark=dark,
    )
    return comparison


def _compare(
    market: Market | None,
    alternatives: Mapping[str, Plan],
    extra: Sequence[Plan],
    *,
    brand: str | int,
    rivals: Mapping[str | int, Plan] | None,
    baseline: str | None,
    periods: int,
    replicates: int,
    seed: int,
    threads: int | None,
    network: NetworkLike | None,
    progress: Callable[[int], object] | None,
    metrics: Sequence[str] | None,
    dark: bool,
    extra_metrics: Sequence[str] | None = None,
    dark_metrics: Sequence[str] | None = None,
) -> tuple[Comparison, list[Results]]:
    """:func:`compare`, with ``extra`` plans for ``brand`` run in the same engine call (on
    the same draws, after the alternatives and before the dark arm): the comparison, and
    the extra arms' results in the order given, each recording ``extra_metrics`` (None:
    ``metrics``); the dark arm records ``dark_metrics`` (None: ``metrics``). Response curves
    read their budgets from these without drawing the market again.
    """
    market = Market() if market is None else market
    if not isinstance(market, Market):
        raise TypeError(f"market must be a buyernet.Market; got {type(market).__name__}")
    if not isinstance(alternatives, Mapping) or not alternatives:
        raise ParameterError("alternatives must map at least one name to a buyernet.Strategy")
    labels = [str(k) for k in alternatives]
    if len(set(labels)) < len(labels):
        twice = next(k for k in labels if labels.count(k) > 1)
        raise ParameterError(f"alternatives: two are named {twice!r}; give each its own name")
    seed = checks.seed(seed)
    b = market.brand_index(brand)
    name = market.brand_names[b]
    rivals = dict(rivals or {})
    for rival in rivals:
        if market.brand_index(rival) == b:
            raise ParameterError(f"rivals must not include the compared brand {name!r}")
    if baseline is None:
        baseline = next(iter(alternatives))
    if baseline not in alternatives:
        raise ParameterError(
            f"baseline {baseline!r} is not an alternative; alternatives: {', '.join(alternatives)}"
        )
    plans = []
    for label, strategy in alternatives.items():
        if not isinstance(strategy, (Strategy, MediaPlan)):
            raise TypeError(f"alternatives[{label!r}] must be a buyernet.Strategy or MediaPlan")
        plans.append(_strategies(market, {**rivals, name: strategy}))
    for i, strategy in enumerate(extra):
        if not isinstance(strategy, (Strategy, MediaPlan)):
            raise TypeError(f"extra[{i}] must be a buyernet.Strategy or MediaPlan")
        plans.append(_strategies(market, {**rivals, name: strategy}))
    if dark:
        plans.append(_strategies(market, rivals))
    periods, replicates = checks.horizon(periods, replicates)
    threads = checks.threads(threads)
    if network is not None:
        network = as_network(network, market.population.people)
    arm_metrics = [None] * len(alternatives) + [extra_metrics] * len(extra)
    if dark:
        arm_metrics.append(dark_metrics)
    try:
        arms = _run(
            market, plans, periods, replicates, seed, threads, network, progress, metrics,
            arm_metrics,
        )  # fmt: skip
    except ParameterError:
        _name_the_alternative(market, alternatives)
        raise
    results = {str(label): r for label, r in zip(alternatives, arms)}
    more = arms[len(alternatives) : len(alternatives) + len(extra)]
    return Comparison(name, str(baseline), results, arms[-1] if dark else None), more


def _name_the_alternative(market: Market, alternatives: Mapping[str, Plan]) -> None:
    """Raises the engine's error for the first alternative (and campaign) the market
    refuses, naming it: the engine's path names only the brand, which every alternative
    shares. Checked only once a run was refused, so a good run pays nothing for it.
    """
    market_dict = market.to_dict()
    for label, strategy in alternatives.items():
        campaigns = strategy.campaigns if isinstance(strategy, MediaPlan) else [("", strategy)]
        for campaign, part in campaigns:
            try:
                _core.check("strategy", part.to_dict(), market_dict)
            except ParameterError as err:
                where = f"alternatives[{str(label)!r}]" + (f"[{campaign!r}]" if campaign else "")
                out = ParameterError(f"{where}.{err}")
                at = ("alternatives", str(label), *([campaign] if campaign else []))
                out.path = (*at, *(getattr(err, "path", None) or ()))  # type: ignore[attr-defined]
                raise out from None


def estimate(metric: str, values: Mapping[str, npt.NDArray[np.float64]]) -> Interval:
    """The estimate of ``metric`` over replicates, from one arm's per-replicate outcomes
    ``values`` (name -> array): the mean with its Student-t interval, or for a rate whose
    parts are in ``values`` the ratio of their totals with its delta-method interval. NaN
    where no replicate has a value (a rate on no spend, say).

    Example:
        >>> import numpy as np
        >>> v = {"spend": np.array([100.0, 100.0]), "new_customers": np.array([0.0, 2.0]),
        ...      "cac": np.array([np.nan, 50.0])}
        >>> estimate("cac", v).mean  # 200 spent for 2 customers, not the one run's 50
        100.0
    """
    own = values[metric]
    parts = RATIOS.get(metric)
    if parts is None or parts[0] not in values or parts[1] not in values:
        return interval(own)
    if np.isnan(own).all():
        return interval(own)
    i = ratio_interval(values[parts[0]], values[parts[1]])
    s = parts[2]
    return Interval(mean=s * i.mean, low=s * i.low, high=s * i.high, n=i.n)


def paired(
    metric: str,
    alternative: Mapping[str, npt.NDArray[np.float64]],
    baseline: Mapping[str, npt.NDArray[np.float64]],
) -> PairedDifference:
    """The paired difference ``alternative - baseline`` of ``metric`` over replicates,
    from each arm's per-replicate outcomes: of the means, or for a rate whose parts both
    arms have, of the ratios of totals (see :func:`estimate`).

    Example:
        >>> import numpy as np
        >>> a = {"roas": np.array([2.0, 4.0]), "revenue": np.array([2.0, 8.0]),
        ...      "spend": np.array([1.0, 2.0])}
        >>> b = {"roas": np.array([1.0, 1.0]), "revenue": np.array([1.0, 2.0]),
        ...      "spend": np.array([1.0, 2.0])}
        >>> round(paired("roas", a, b).mean, 4)  # 10 / 3 - 3 / 3, not 3 - 1
        2.3333
    """
    parts = RATIOS.get(metric)
    have = parts is not None and all(p in v for p in parts[:2] for v in (alternative, baseline))
    if (
        parts is None
        or not have
        or np.isnan(alternative[metric]).all()
        or np.isnan(baseline[metric]).all()
    ):
        return paired_difference(alternative[metric], baseline[metric])
    num, den, s = parts
    d = paired_ratio_difference(alternative[num], alternative[den], baseline[num], baseline[den])
    return PairedDifference(
        mean=s * d.mean,
        low=s * d.low,
        high=s * d.high,
        n=d.n,
        alternative_mean=s * d.alternative_mean,
        baseline_mean=s * d.baseline_mean,
    )


class SynergyWarning(UserWarning):
    """A component of a synergy measurement (brand alone or demand alone) changed wins by
    no more than noise, so the interaction is measured against noise.

    Example:
        >>> import warnings
        >>> warnings.simplefilter("error", SynergyWarning)  # make it an error in a pipeline
        >>> warnings.resetwarnings()
    """


@dataclass(frozen=True)
class Synergy:
    """Whether brand and demand advertising do more together than apart, on wins.

    The interaction is defined on the four arms' paired wins, never as a ratio of small
    differences: per replicate, ``both - brand - demand + neither``, the wins the two
    parts win together beyond the sum of what each wins alone (positive: they reinforce
    each other; negative: they cannibalise; zero: they add up). ``relative`` expresses it
    as a share of the wins with no campaign, a stable basis (it never nears zero while
    the brand has customers or memory).

    Attributes:
        interaction: mean over replicates of ``both - brand - demand + neither`` wins.
        low, high: its 95% interval (Student t over the paired replicates).
        relative: ``interaction`` / mean wins with ``neither``.
        relative_low, relative_high: its 95% interval (delta method on the replicates).
        wins: mean wins of each arm: ``both``, ``brand``, ``demand`` and ``neither``.
        effects: each arm against ``neither`` (paired differences of wins): ``brand``,
            ``demand`` and ``both``.
        comparison: the four arms, paired.

    Example:
        >>> import buyernet, warnings
        >>> m = buyernet.Market().replace(population={"people": 3_000, "companies": 150})
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", buyernet.SynergyWarning)
        ...     s = buyernet.synergy(m, buyernet.Strategy.quantum(150), periods=6,
        ...                          replicates=2, seed=1)
        >>> s.comparison.alternatives, s.significant in (True, False)
        (('neither', 'both', 'brand', 'demand'), True)
    """

    interaction: float
    low: float
    high: float
    relative: float
    relative_low: float
    relative_high: float
    wins: dict[str, float]
    effects: dict[str, Difference]
    comparison: Comparison

    @property
    def significant(self) -> bool:
        """Whether the interaction's interval excludes zero."""
        return bool(self.low > 0 or self.high < 0)


def synergy_arms(market: Market | None, strategy: Strategy) -> dict[str, Strategy]:
    """The four arms :func:`synergy` runs: ``both`` (``strategy``), ``brand`` (its brand
    impressions alone), ``demand`` (its demand impressions alone) and ``neither`` (no
    budget). Each part pays the whole campaign's fixed costs (creative, intent data) and
    buys with its share of the media money ``strategy`` buys with, so the parts buy the
    impressions of each kind the whole does; a part with no impressions gets no budget.

    Example:
        >>> import buyernet
        >>> arms = buyernet.comparison.synergy_arms(None, buyernet.Strategy.quantum(1_000))
        >>> arms["brand"].brand_share, round(arms["brand"].budget + arms["demand"].budget, 2)
        (1.0, 1010.0)
    """
    if not isinstance(strategy, Strategy):
        raise TypeError(
            "synergy splits one Strategy into its brand and demand impressions; got "
            f"{type(strategy).__name__} (for a media plan, compare its campaigns with compare())"
        )
    market = market or Market()
    share, budget = strategy.brand_share, strategy.budget
    fixed = 0.0
    if strategy.unit == "money" and budget > 0:
        fixed = _core.fixed_cost(market.to_dict(), strategy.to_dict())
        if isinstance(strategy.timing, Flighted):
            # A burst period spends budget x (on + off) / on, then pays its fixed costs.
            fixed *= strategy.timing.on / (strategy.timing.on + strategy.timing.off)
    brand = share * budget + (1 - share) * fixed if share > 0 else 0.0
    demand = (1 - share) * budget + share * fixed if share < 1 else 0.0
    return {
        "both": strategy,
        "brand": strategy.replace(budget=brand, brand_share=1.0),
        "demand": strategy.replace(budget=demand, brand_share=0.0),
        "neither": strategy.replace(budget=0.0),
    }


def synergy(
    market: Market | None,
    strategy: Strategy,
    *,
    brand: str | int = 0,
    rivals: Mapping[str | int, Strategy] | None = None,
    periods: int,
    replicates: int,
    seed: int,
    threads: int | None = None,
    network: NetworkLike | None = None,
) -> Synergy:
    """Brand-demand synergy of ``strategy``, measured, never assumed: runs it whole, with
    only its brand impressions, with only its demand impressions, and with no budget, on
    the same market draws, and returns the interaction with its interval (see
    :class:`Synergy`). Each part pays the whole campaign's creative (and intent data) and
    buys with its share of the media money, so the parts together buy what the whole does;
    where the whole hits the frequency cap, a part alone is capped less (see
    :func:`synergy_arms`). Warns (:class:`SynergyWarning`) when brand alone or demand
    alone changes wins by no more than noise: the interaction then means little.

    Example:
        >>> import buyernet, warnings
        >>> m = buyernet.Market().replace(population={"people": 4_000, "companies": 200})
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     s = buyernet.synergy(m, buyernet.Strategy.quantum(400), periods=10,
        ...                          replicates=3, seed=1)
        >>> sorted(s.wins), s.low <= s.interaction <= s.high
        (['both', 'brand', 'demand', 'neither'], True)
    """
    arms = synergy_arms(market, strategy)
    market_dict = (market or Market()).to_dict()
    for part in ("brand", "demand"):
        try:
            _core.check("strategy", arms[part].to_dict(), market_dict)
        except ParameterError as err:
            raise ParameterError(
                f"the strategy's {part} part alone (budget {arms[part].budget:g} a week: its "
                f"share of the media money plus the campaign's fixed costs) is refused: {err}"
            ) from None
    comparison = compare(
        market,
        arms,
        brand=brand,
        rivals=rivals,
        baseline="neither",
        periods=periods,
        replicates=replicates,
        seed=seed,
        threads=threads,
        network=network,
        dark=False,  # "neither" is the dark arm
    )
    w = {k: comparison.values("wins", k) for k in arms}
    wins = {k: float(v.mean()) for k, v in w.items()}
    per_replicate = w["both"] - w["brand"] - w["demand"] + w["neither"]
    i = interval(per_replicate)
    relative = ratio_interval(per_replicate, w["neither"])
    effects = {k: comparison.difference("wins", k) for k in ("brand", "demand", "both")}
    for part in ("brand", "demand"):
        e = effects[part]
        if not e.significant:
            warnings.warn(
                f"{part} alone changes wins by {e.mean:+.3g} [{e.low:+.3g}, {e.high:+.3g}] "
                "(95% interval, paired): no more than noise, so the interaction is measured "
                "against noise; run more replicates or a bigger budget",
                SynergyWarning,
                stacklevel=2,
            )
    return Synergy(
        interaction=i.mean,
        low=i.low,
        high=i.high,
        relative=relative.mean,
        relative_low=relative.low,
        relative_high=relative.high,
        wins=wins,
        effects=effects,
        comparison=comparison,
    )
