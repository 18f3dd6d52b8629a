"""Response curves: what a plan returns at each budget, so a marketer sees where returns
diminish and where the incremental ROI (gross profit gained per unit of spend) falls below
1: there the money spent no longer pays for itself.

:func:`response_curve` runs one plan at several money budgets (each campaign keeping its
share of the money), and the same market with the brand dark, all in one engine call on
the same draws (common random numbers): each budget's incremental revenue and ROI are
paired against the dark arm per replicate, and budgets are compared on the same market, so
the curve's shape is not drowned in market noise. Meta-analyses put the short-run sales
elasticity of advertising at about 0.1 (Sethuraman, Tellis & Briesch 2011): doubling a
budget typically adds about 7% to sales in the short run, so returns per unit of money fall
as budgets grow.

:func:`compare_with_curves` runs a comparison and every alternative's curve at once: the
extra budgets join the comparison's engine call as more arms, so each replicate's people,
companies and network are drawn once for all of them, the budget an alternative already
runs at is that alternative's own arm, and the dark arm is the comparison's. By default an
alternative budgeted in money gets a curve at :data:`SCALES` times its own budget (half,
the budget itself and double); ``buyernet compare`` draws these unless ``--no-curves``.

Example:
    >>> import buyernet
    >>> m = buyernet.Market().replace(population={"people": 3_000, "companies": 150})
    >>> curve = buyernet.response_curve(m, buyernet.Strategy.quantum(100),
    ...                                 budgets=[50, 200], periods=8, replicates=2, seed=1)
    >>> [p.budget for p in curve.points]
    [50.0, 200.0]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from buyernet import _core
from buyernet.checks import real
from buyernet.comparison import Comparison, _compare, compare
from buyernet.exceptions import ParameterError
from buyernet.market import Market
from buyernet.network import NetworkLike
from buyernet.simulation import Results
from buyernet.stats import Interval
from buyernet.strategy import MediaPlan, Plan, Strategy

__all__ = [
    "CURVE_METRICS",
    "SCALES",
    "CurveArms",
    "CurvePoint",
    "ResponseCurve",
    "compare_with_curves",
    "curve_arms",
    "response_curve",
]

#: The budgets of a default response curve, as multiples of the alternative's own money
#: budget: half, the budget itself (the comparison's own arm, not run again) and double.
#: Three points show which way returns bend at two extra arms per alternative.
SCALES = (0.5, 1.0, 2.0)

#: What the extra budgets and the dark arm of :func:`compare_with_curves` record: the
#: money and what it bought and won, all that incremental returns read. The engine skips
#: the measures behind the rest (the hourglass pass, the per-person reach history), so such
#: an arm costs about 40% of a full one.
CURVE_METRICS = (
    "spend",
    "media_spend",
    "data_spend",
    "creative_spend",
    "unspent",
    "impressions",
    "wins",
    "revenue",
)


@dataclass(frozen=True)
class CurvePoint:
    """One budget of a response curve: means over replicates with 95% intervals.

    Attributes:
        budget: money per period.
        spend: money spent over the run (less than budget x periods where the frequency
            cap, an empty audience or missing intent signals left budget unspent).
        incremental_revenue: revenue over the same market with the brand dark.
        incremental_roi: (gross profit - gross profit dark) / spend.
    """

    budget: float
    spend: Interval
    incremental_revenue: Interval
    incremental_roi: Interval


@dataclass(frozen=True)
class ResponseCurve:
    """A plan's returns against budget (see :func:`response_curve`).

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 3_000, "companies": 150})
        >>> c = buyernet.response_curve(m, buyernet.Strategy.quantum(100), budgets=[60, 120],
        ...                             periods=4, replicates=2, seed=1)
        >>> [p.budget for p in c.points]
        [60.0, 120.0]

    Attributes:
        points: one per budget, in the order given.
        comparison: every budget's run and the dark arm, paired (labels are the budgets;
            from :func:`compare_with_curves`, the extra budgets and the dark arm record
            only :data:`CURVE_METRICS`).
        left_out: budgets of a default curve (:data:`SCALES`) that the market refuses for
            the plan, each with the reason (a budget that cannot pay a campaign's creative
            and intent data buys nothing): ``(budget, reason)``.
    """

    points: tuple[CurvePoint, ...]
    comparison: Comparison
    left_out: tuple[tuple[float, str], ...] = ()

    def rows(self) -> list[dict[str, float]]:
        """One row per budget: means and interval bounds, for tables and frames.

        Example:
            >>> import buyernet
            >>> m = buyernet.Market().replace(population={"people": 3_000, "companies": 150})
            >>> c = buyernet.response_curve(m, buyernet.Strategy.quantum(100), budgets=[60],
            ...                             periods=4, replicates=2, seed=1)
            >>> sorted(c.rows()[0])[:3]
            ['budget', 'incremental_revenue', 'incremental_revenue_high']
        """
        out = []
        for p in self.points:
            row: dict[str, float] = {"budget": p.budget}
            for name in ("spend", "incremental_revenue", "incremental_roi"):
                i: Interval = getattr(p, name)
                row[name], row[f"{name}_low"], row[f"{name}_high"] = i.mean, i.low, i.high
            out.append(row)
        return out

    def __str__(self) -> str:
        head = (
            f"{'budget/week':>12} {'spend':>12} {'incr. revenue':>14} "
            f"{'95% interval':>26} {'incr. ROI':>10} {'95% interval':>16}"
        )
        lines = [head]
        for p in self.points:
            r, roi = p.incremental_revenue, p.incremental_roi
            lines.append(
                f"{p.budget:>12,.0f} {p.spend.mean:>12,.0f} {r.mean:>14,.0f} "
                f"{f'[{r.low:,.0f}, {r.high:,.0f}]':>26} {roi.mean:>10.2f} "
                f"{f'[{roi.low:.2f}, {roi.high:.2f}]':>16}"
            )
        lines += [f"left out: {b:,.6g} a week ({why})" for b, why in self.left_out]
        return "\n".join(lines)

    def plot(self) -> Any:
        """Incremental revenue and ROI against budget, with 95% intervals (a matplotlib
        figure).
        """
        # A presentation hook: charts sit above this module and never import it back.
        from buyernet.charts import response_chart

        return response_chart(self)


def response_curve(
    market: Market | None,
    plan: Plan,
    *,
    budgets: Sequence[float],
    brand: str | int = 0,
    rivals: Mapping[str | int, Plan] | None = None,
    periods: int,
    replicates: int,
    seed: int,
    threads: int | None = None,
    network: NetworkLike | None = None,
    progress: Callable[[int], object] | None = None,
) -> ResponseCurve:
    """Incremental revenue and ROI of ``plan`` for ``brand`` at each money budget per
    period in ``budgets``, against the same market with the brand dark, on common random
    numbers. Each campaign of a plan keeps its share of the money.

    Args:
        market: the market (default: ``Market()``).
        plan: a :class:`~buyernet.Strategy` or :class:`~buyernet.MediaPlan` budgeted in
            money (its budgets are replaced).
        budgets: money per period, each >= 0, at least one; a budget too small to pay a
            campaign's creative and data, or to buy one impression in the run, is an error.
        brand: the brand whose budget varies, as for :func:`~buyernet.compare`.
        rivals: the other brands' plans, the same at every budget.
        periods: weekly periods per run.
        replicates: Monte Carlo replicates per budget.
        seed: the seed every budget runs on (pairing needs the same one).
        threads: worker threads (default: all cores); results do not depend on it.
        network: your own network, as for :func:`~buyernet.simulate`.
        progress: called with the periods done so far, as for :func:`~buyernet.compare`.

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 3_000, "companies": 150})
        >>> buyernet.response_curve(m, buyernet.Strategy.quantum(100), budgets=[],
        ...                         periods=4, replicates=2, seed=1)
        Traceback (most recent call last):
        ...
        buyernet.exceptions.ParameterError: budgets must hold at least one budget
    """
    if not isinstance(plan, (Strategy, MediaPlan)):
        raise TypeError(f"plan must be a buyernet.Strategy or MediaPlan; got {type(plan).__name__}")
    if MediaPlan.of(plan).budget <= 0:
        raise ParameterError("plan must have a money budget (unit='money') to scale")
    amounts = _amounts(budgets, "budgets")
    comparison = compare(
        market,
        {label: p for label, (_, p) in _at_budgets(plan, amounts).items()},
        brand=brand,
        rivals=rivals,
        periods=periods,
        replicates=replicates,
        seed=seed,
        threads=threads,
        network=network,
        progress=progress,
        dark=True,
    )
    return _curve(comparison, amounts)


def _amounts(values: Sequence[float], name: str) -> list[float]:
    """Money amounts: a sequence of at least one real number, each >= 0 and finite."""
    if isinstance(values, np.ndarray) and values.ndim == 1:
        values = values.tolist()
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a sequence of money amounts per period")
    if not values:
        raise ParameterError(f"{name} must hold at least one budget")
    out = []
    for i, b in enumerate(values):
        amount = real(b, f"{name}[{i}]")
        if not (amount >= 0 and math.isfinite(amount)):
            raise ParameterError(f"{name}[{i}] must be >= 0 and finite; got {b}")
        out.append(amount)
    return out


def _label(amount: float) -> str:
    """A budget's name among a curve's arms."""
    return f"{amount:.12g}"


def _at_budgets(
    plan: Plan, amounts: Sequence[float], name: str = "budgets"
) -> dict[str, tuple[float, Plan]]:
    """``plan`` at each money budget, each campaign keeping its share: (budget, plan) by
    the budget's label. ``name``: the parameter the budgets came from, for errors.
    """
    base = MediaPlan.of(plan)
    out: dict[str, tuple[float, Plan]] = {}
    for i, amount in enumerate(amounts):
        label = _label(amount)
        if label in out:
            raise ParameterError(f"{name}[{i}]: {amount:g} is there twice")
        scaled = base.scaled(amount)
        out[label] = (amount, scaled.campaigns[0][1] if isinstance(plan, Strategy) else scaled)
    return out


def _curve(
    comparison: Comparison,
    budgets: Sequence[float],
    left_out: tuple[tuple[float, str], ...] = (),
) -> ResponseCurve:
    """The curve read from a comparison whose arms are ``budgets``, in order, with a dark
    arm.
    """
    points = tuple(
        CurvePoint(
            budget=budget,
            spend=comparison.estimate("spend", label),
            incremental_revenue=comparison.estimate("incremental_revenue", label),
            incremental_roi=comparison.estimate("incremental_roi", label),
        )
        for label, budget in zip(comparison.results, budgets)
    )
    return ResponseCurve(points=points, comparison=comparison, left_out=left_out)


@dataclass(frozen=True)
class CurveArms:
    """What response curves add to a comparison (see :func:`curve_arms`).

    Attributes:
        budgets: per alternative budgeted in money, its curve's budgets a week, in order
            (alternatives budgeted only in impressions have no curve).
        extra: per alternative, the budgets not already run by the comparison, each with
            the plan at that budget: the arms the curves add.
        left_out: per alternative, default budgets the market refuses for its plan, with
            the reason.
    """

    budgets: Mapping[str, tuple[float, ...]]
    extra: Mapping[str, Mapping[float, Plan]]
    left_out: Mapping[str, tuple[tuple[float, str], ...]]

    @classmethod
    def none(cls) -> CurveArms:
        """No curves: a comparison alone.

        Example:
            >>> CurveArms.none().runs
            0
        """
        return cls(budgets={}, extra={}, left_out={})

    @property
    def runs(self) -> int:
        """The arms the curves add to the comparison's engine call."""
        return sum(len(plans) for plans in self.extra.values())

    def plans(self) -> dict[str, Plan]:
        """Every added arm's plan, named ``<alternative>@<budget>``."""
        return {
            f"{name}@{_label(budget)}": p
            for name, ps in self.extra.items()
            for budget, p in ps.items()
        }


def curve_arms(
    market: Market | None,
    alternatives: Mapping[str, Plan],
    *,
    scales: Sequence[float] = SCALES,
    budgets: Sequence[float] | None = None,
) -> CurveArms:
    """The budgets of each money-budgeted alternative's response curve and the arms they
    add to its comparison: ``budgets`` a week if given (the same for every alternative),
    else ``scales`` times the alternative's own budget. A budget equal to the alternative's
    own is its comparison arm, not a new one. Of default (scaled) budgets, those the market
    refuses for the plan (too little to pay a campaign's creative and intent data) are left
    out and said; given ``budgets`` are the user's word and refused like any budget.

    Example:
        >>> import buyernet
        >>> arms = curve_arms(None, {"q": buyernet.Strategy.quantum(250)})
        >>> arms.budgets["q"], list(arms.extra["q"]), arms.runs
        ((125.0, 250.0, 500.0), [125.0, 500.0], 2)
    """
    market = Market() if market is None else market
    amounts = None if budgets is None else _amounts(budgets, "budgets")
    factors = _amounts(scales, "scales") if amounts is None else []
    market_dict = market.to_dict()
    curves: dict[str, tuple[float, ...]] = {}
    extra: dict[str, dict[float, Plan]] = {}
    left_out: dict[str, tuple[tuple[float, str], ...]] = {}
    for name, plan in alternatives.items():
        if not isinstance(plan, (Strategy, MediaPlan)):
            raise TypeError(f"alternatives[{name!r}] must be a buyernet.Strategy or MediaPlan")
        own = MediaPlan.of(plan).budget
        if own <= 0:
            continue
        wanted = amounts if amounts is not None else [f * own for f in factors]
        plans = list(
            _at_budgets(plan, wanted, "budgets" if amounts is not None else "scales").values()
        )
        refused: list[tuple[float, str]] = []
        if amounts is None:
            kept = []
            for amount, p in plans:
                try:
                    for _, campaign in MediaPlan.of(p).campaigns:
                        _core.check("strategy", campaign.to_dict(), market_dict)
                except ParameterError as err:
                    refused.append((amount, str(err)))
                else:
                    kept.append((amount, p))
            plans = kept
        curves[name] = tuple(amount for amount, _ in plans)
        extra[name] = {amount: p for amount, p in plans if amount != own}
        left_out[name] = tuple(refused)
    return CurveArms(budgets=curves, extra=extra, left_out=left_out)


def compare_with_curves(
    market: Market | None,
    alternatives: Mapping[str, Plan],
    *,
    scales: Sequence[float] = SCALES,
    budgets: Sequence[float] | None = None,
    arms: CurveArms | None = None,
    brand: str | int = 0,
    rivals: Mapping[str | int, Plan] | None = None,
    baseline: str | None = None,
    periods: int,
    replicates: int,
    seed: int,
    threads: int | None = None,
    network: NetworkLike | None = None,
    progress: Callable[[int], object] | None = None,
) -> tuple[Comparison, dict[str, ResponseCurve]]:
    """:func:`~buyernet.compare` (with the dark arm) and a response curve of each
    alternative budgeted in money (at the budgets of :func:`curve_arms`), in one engine
    call: the curves' extra budgets are more arms on the same draws, each replicate's
    market is drawn once for all, an alternative's own budget is its comparison arm and the
    dark arm is shared. The alternatives' results and every outcome of the comparison are
    exactly what :func:`~buyernet.compare` returns, and each curve's points what
    :func:`response_curve` returns at the same budgets; the extra budgets and the dark arm
    record only :data:`CURVE_METRICS`.

    Args:
        market: the market (default: ``Market()``).
        alternatives: named strategies or media plans for ``brand``, as for
            :func:`~buyernet.compare`.
        scales: the curves' budgets as multiples of each alternative's own (default
            :data:`SCALES`), as for :func:`curve_arms`.
        budgets: the curves' budgets a week instead, the same for every alternative.
        arms: the curves' budgets as :func:`curve_arms` gave them for these alternatives
            (then ``scales`` and ``budgets`` are not read); :meth:`CurveArms.none` for the
            comparison alone.
        brand: the brand whose strategy varies (name or index; default the first brand).
        rivals: the other brands' plans, the same in every arm.
        baseline: the alternative the others are compared with (default: the first).
        periods: weekly periods per run.
        replicates: Monte Carlo replicates per arm.
        seed: the seed every arm runs on.
        threads: worker threads (default: all cores); results do not depend on it.
        network: your own network, as for :func:`~buyernet.simulate`.
        progress: called with the periods done over every arm, out of ``(alternatives +
            curve_arms(...).runs + 1) * periods * replicates``.

    Returns:
        the comparison, and the curves by alternative (in the alternatives' order).

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 3_000, "companies": 150})
        >>> c, curves = compare_with_curves(m, {"q": buyernet.Strategy.quantum(200)},
        ...                                 periods=6, replicates=2, seed=1)
        >>> [p.budget for p in curves["q"].points]
        [100.0, 200.0, 400.0]
        >>> curves["q"].comparison.results["200"] is c.results["q"]
        True
    """
    if arms is None:
        arms = curve_arms(market, alternatives, scales=scales, budgets=budgets)
    elif set(arms.budgets) - set(alternatives):
        raise ParameterError("arms must be curve_arms(...) of these alternatives")
    extra = [p for plans in arms.extra.values() for p in plans.values()]
    comparison, more = _compare(
        market,
        alternatives,
        extra,
        brand=brand,
        rivals=rivals,
        baseline=baseline,
        periods=periods,
        replicates=replicates,
        seed=seed,
        threads=threads,
        network=network,
        progress=progress,
        metrics=None,
        dark=True,
        extra_metrics=CURVE_METRICS,
        dark_metrics=CURVE_METRICS,
    )
    runs = iter(more)
    added = {(name, budget): next(runs) for name, ps in arms.extra.items() for budget in ps}
    curves: dict[str, ResponseCurve] = {}
    for name, amounts in arms.budgets.items():
        if not amounts:
            continue
        results: dict[str, Results] = {
            _label(amount): added[(name, amount)]
            if (name, amount) in added
            else comparison.results[name]
            for amount in amounts
        }
        curve = Comparison(comparison.brand, _label(amounts[0]), results, comparison.dark)
        curves[name] = _curve(curve, amounts, arms.left_out[name])
    return comparison, curves
