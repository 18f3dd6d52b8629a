"""The catalogue of metrics: the one place in Python that names what a run records.

Every per-period series the engine returns is one :class:`Metric` record in :data:`SERIES`,
in the engine's order; every per-run outcome of :meth:`buyernet.Results.run_metrics` is one
in :data:`OUTCOMES`. Every other list (market-wide and per-brand series, flows, the columns
of the tidy tables, the metrics compared by default) is derived from these records, so a
metric added here reaches summaries, tables, comparisons and sweeps without another edit.

Example:
    >>> from buyernet import metrics
    >>> metrics.MARKET_SERIES[:2]
    ('in_market_share', 'career_changed_share')
    >>> "wins" in metrics.BRAND_SERIES and "wins" in metrics.FLOWS
    True
    >>> [m.unit for m in metrics.SERIES if m.name == "revenue"]
    ['currency']
"""

from __future__ import annotations

from dataclasses import dataclass

from buyernet import _core

__all__ = [
    "BRAND_SERIES",
    "COMPARED",
    "FLOWS",
    "INCREMENTAL",
    "MARKET_SERIES",
    "OUTCOME",
    "OUTCOMES",
    "OUTCOME_NAMES",
    "PHASES",
    "RATIOS",
    "SERIES",
    "SERIES_NAMES",
    "STAGES",
    "SWEPT",
    "Metric",
    "reading",
]


@dataclass(frozen=True)
class Metric:
    """One recorded metric.

    Attributes:
        name: its key in :meth:`buyernet.Results.series` (or ``run_metrics``) and its
            column in the tidy tables.
        per_brand: one value per brand (else one for the whole market).
        flow: counted per period, so a run's value is the sum over periods (else a stock
            or a share, whose run value is its mean over periods or its last value).
        unit: what one unit of it is, for labels.
        doc: what it counts, in a phrase.
        better: ``"higher"`` or ``"lower"`` where one direction is better for the brand;
            empty where neither is (an input such as impressions bought).
        ratio: for a rate, its ``(numerator, denominator, scale)`` outcomes: the rate is
            ``scale x numerator / denominator``. Over replicates a rate is estimated as
            the ratio of the totals (a run whose denominator is zero still counts), not
            as the mean of each run's rate.

    Example:
        >>> Metric("wins", True, True, "deals", "deals won").flow
        True
    """

    name: str
    per_brand: bool
    flow: bool
    unit: str
    doc: str
    better: str = ""
    ratio: tuple[str, str, float] | None = None


# The engine's per-period records, in the order it returns them (market-wide first): read
# from the engine's own catalogue, where each metric is declared once. The hourglass (one
# value per brand and stage) is Results.hourglass, not a series.
SERIES: tuple[Metric, ...] = tuple(
    Metric(name, scope == "brand", kind == "flow", unit, doc)
    for name, scope, kind, unit, doc in _core.metrics()
    if scope != "stage"
)

#: The stages of the marketing hourglass, in the order of ``Results.hourglass``'s last axis.
STAGES: tuple[str, ...] = tuple(_core.model_order()[0])
#: The phases of a period, in the order the engine runs them.
PHASES: tuple[str, ...] = tuple(_core.model_order()[1])

# Per-run outcomes, computed in Python from the series (see Results.run_metrics), in the
# order run_metrics returns them; one value per replicate and brand.
OUTCOMES: tuple[Metric, ...] = (
    Metric("wins", True, True, "deals", "deals won in the run", "higher"),
    Metric("revenue", True, True, "currency units", "revenue in the run", "higher"),
    Metric("market_share", True, False, "share of wins", "share of all wins in the run", "higher"),
    Metric("impressions", True, True, "impressions", "paid impressions in the run"),
    Metric("wins_per_1k_impressions", True, False, "wins per 1,000 impressions",
           "wins per 1,000 impressions (NaN without impressions)", "higher",
           ("wins", "impressions", 1000.0)),
    Metric("impressions_per_win", True, False, "impressions per win",
           "cost per win in impressions (NaN without impressions or wins)", "lower",
           ("impressions", "wins", 1.0)),
    Metric("earned_reach", True, True, "person-weeks",
           "people reached through sharing, summed over the run's weeks", "higher"),
    Metric("shares", True, True, "people", "shares in the run"),
    Metric("customers", True, False, "companies", "customers at the end of the run", "higher"),
    Metric("reached_ever", True, False, "people", "people reached by the end of the run", "higher"),
    Metric("new_customers", True, True, "companies",
           "customer relationships won in the run (not repeat sales)", "higher"),
    Metric("ltv", True, False, "currency units",
           "mean revenue per customer relationship won in the run", "higher"),
    Metric("spend", True, True, "currency units", "media, data and creative spend in the run"),
    Metric("media_spend", True, True, "currency units", "spend on impressions in the run"),
    Metric("data_spend", True, True, "currency units", "spend on intent data in the run"),
    Metric("creative_spend", True, True, "currency units", "spend on creative in the run"),
    Metric("unspent", True, True, "currency units",
           "budget that could not be delivered (frequency cap, no audience or signal)", "lower"),
    Metric("cpm", True, False, "currency per 1,000 impressions", "average CPM paid", "",
           ("media_spend", "impressions", 1000.0)),
    Metric("frequency", True, False, "impressions per person",
           "impressions per person reached in a period"),
    Metric("gross_profit", True, True, "currency units", "revenue x gross margin", "higher"),
    Metric("cac", True, False, "currency units",
           "customer acquisition cost: spend per new customer (NaN without spend or new customers)",
           "lower", ("spend", "new_customers", 1.0)),
    Metric("roas", True, False, "revenue per currency unit",
           "return on ad spend: revenue / spend (NaN without spend)", "higher",
           ("revenue", "spend", 1.0)),
    Metric("ltv_cac", True, False, "ratio",
           "gross profit per customer relationship / CAC", "higher"),
    Metric("payback_weeks", True, False, "weeks",
           "weeks of a customer's gross profit that pay back its CAC", "lower"),
    Metric("future_buyer_reach", True, False, "share of deciders",
           "deciders the brand had reached before they joined the committee", "higher"),
    Metric("reached_elsewhere", True, False, "share of deciders",
           "deciders the brand had reached while they worked at another company", "higher"),
)  # fmt: skip

# Outcomes of a comparison against the same market with the brand dark (a paired arm on
# the same draws): see buyernet.Comparison. One value per replicate.
INCREMENTAL: tuple[Metric, ...] = (
    Metric("incremental_revenue", True, True, "currency units",
           "revenue over the same market with the brand dark", "higher"),
    Metric("incremental_gross_profit", True, True, "currency units",
           "gross profit over the same market with the brand dark", "higher"),
    Metric("incremental_roi", True, False, "return per currency unit",
           "(gross profit - gross profit with the brand dark) / spend (NaN without spend)",
           "higher", ("incremental_gross_profit", "spend", 1.0)),
)  # fmt: skip

#: Every series name, market-wide first: the names :meth:`buyernet.Results.series` accepts.
SERIES_NAMES: tuple[str, ...] = tuple(m.name for m in SERIES)
#: Series with one value for the whole market: shape [replicate, period].
MARKET_SERIES: tuple[str, ...] = tuple(m.name for m in SERIES if not m.per_brand)
#: Series with one value per brand: shape [replicate, period, brand].
BRAND_SERIES: tuple[str, ...] = tuple(m.name for m in SERIES if m.per_brand)
#: Series that add up over a run (summaries total them; stocks and shares are averaged).
FLOWS: frozenset[str] = frozenset(m.name for m in SERIES if m.flow)
#: The keys of :meth:`buyernet.Results.run_metrics`, in order.
OUTCOME_NAMES: tuple[str, ...] = tuple(m.name for m in OUTCOMES)
#: Every per-run outcome by name, incremental ones included.
OUTCOME: dict[str, Metric] = {m.name: m for m in (*OUTCOMES, *INCREMENTAL)}


def reading(better: str, difference: float | None, clear: bool) -> str:
    """``"better"`` or ``"worse"`` for the brand, for a ``clear`` difference (its interval
    excludes zero) in a metric whose ``better`` direction is ``"higher"`` or ``"lower"``;
    empty otherwise.

    Example:
        >>> reading("lower", 25.0, True), reading("higher", 25.0, False)
        ('worse', '')
    """
    if not clear or not better or difference is None or difference == 0:
        return ""
    return "better" if (difference > 0) == (better == "higher") else "worse"


#: The rates among the outcomes: name -> (numerator, denominator, scale) (see Metric.ratio).
RATIOS: dict[str, tuple[str, str, float]] = {
    m.name: m.ratio for m in (*OUTCOMES, *INCREMENTAL) if m.ratio is not None
}
#: The outcomes a comparison shows by default, in the order of its table.
COMPARED: tuple[str, ...] = (
    "spend",
    "unspent",
    "roas",
    "cac",
    "wins",
    "revenue",
    "market_share",
    "wins_per_1k_impressions",
    "impressions",
    "earned_reach",
    "reached_ever",
    "future_buyer_reach",
    "reached_elsewhere",
    "customers",
    "new_customers",
)
#: The outcomes a sweep records per run: the compared ones and lifetime value.
SWEPT: tuple[str, ...] = (*COMPARED, "ltv")
