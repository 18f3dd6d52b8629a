"""Response curves: what a plan returns at each budget, so a marketer sees where returns
diminish and where ROI turns negative.

:func:`response_curve` runs one plan at several money budgets (each campaign keeping its
share of the money), and the same market with the brand dark, all in one engine call on
the same draws (common random numbers): each budget's incremental revenue and ROI are
paired against the dark arm per replicate, and budgets are compared on the same market, so
the curve's shape is not drowned in market noise. Meta-analyses put the short-run sales
elasticity of advertising at about 0.1 (Sethuraman, Tellis & Briesch 2011): doubling a
budget typically adds about 7% to sales in the short run, so returns per unit of money fall
as budgets grow.

Example:
    >>> import buyernet
    >>> m = buyernet.Market().replace(population={"people": 3_000, "companies": 150})
    >>> curve = buyernet.response_curve(m, buyernet.Strategy.quantum(100),
    ...                                 budgets=[50, 200], periods=8, replicates=2, seed=1)
    >>> [p.budget for p in curve.points]
    [50.0, 200.0]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from buyernet.checks import real
from buyernet.comparison import Comparison, compare
from buyernet.exceptions import ParameterError
from buyernet.market import Market
from buyernet.network import NetworkLike
from buyernet.stats import Interval
from buyernet.strategy import MediaPlan, Plan, Strategy

__all__ = ["CurvePoint", "ResponseCurve", "response_curve"]


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

    Attributes:
        points: one per budget, in the order given.
        comparison: every budget's run and the dark arm, paired (labels are the budgets).
    """

    points: tuple[CurvePoint, ...]
    comparison: Comparison

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
    if isinstance(budgets, (str, bytes)) or not isinstance(budgets, Sequence):
        raise TypeError("budgets must be a sequence of money amounts per period")
    if not budgets:
        raise ParameterError("budgets must hold at least one budget")
    if not isinstance(plan, (Strategy, MediaPlan)):
        raise TypeError(f"plan must be a buyernet.Strategy or MediaPlan; got {type(plan).__name__}")
    base = MediaPlan.of(plan)
    if base.budget <= 0:
        raise ParameterError("plan must have a money budget (unit='money') to scale")
    alternatives: dict[str, Plan] = {}
    for i, b in enumerate(budgets):
        amount = real(b, f"budgets[{i}]")
        if not amount >= 0 or amount != amount or amount == float("inf"):
            raise ParameterError(f"budgets[{i}] must be >= 0 and finite; got {b}")
        label = f"{amount:g}"
        if label in alternatives:
            raise ParameterError(f"budgets[{i}]: {amount:g} is there twice")
        scaled = base.scaled(amount)
        alternatives[label] = scaled.campaigns[0][1] if isinstance(plan, Strategy) else scaled
    comparison = compare(
        market,
        alternatives,
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
    points = tuple(
        CurvePoint(
            budget=float(label),
            spend=comparison.estimate("spend", label),
            incremental_revenue=comparison.estimate("incremental_revenue", label),
            incremental_roi=comparison.estimate("incremental_roi", label),
        )
        for label in alternatives
    )
    return ResponseCurve(points=points, comparison=comparison)
