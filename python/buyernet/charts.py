"""Charts (matplotlib figures) of results, comparisons and sweeps.

Every chart has a title, labelled axes with units, and a legend. The functions take the
objects they draw and import nothing that imports them back: ``Results.plot`` and
``Comparison.plot`` call into this module, never the other way round.

Example:
    >>> import buyernet
    >>> from buyernet import charts
    >>> m = buyernet.Market().replace(population={"people": 3_000, "companies": 150})
    >>> c = buyernet.compare(m, {"q": buyernet.Strategy.quantum(300),
    ...                          "p": buyernet.Strategy.planetary(300)},
    ...                      periods=10, replicates=2, seed=1)
    >>> sorted(charts.CHARTS)[:2]
    ['cascades', 'differences']
    >>> charts.chart(c, "wins").axes[0].get_title()
    'Wins over time: us'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from buyernet.exceptions import ParameterError
from buyernet.metrics import FLOWS, OUTCOME, STAGES, reading
from buyernet.stats import NO_CLEAR_WINNER, interval, t95

if TYPE_CHECKING:
    # Types only: these modules call into this one, so it must not import them at runtime.
    from matplotlib.figure import Figure

    from buyernet.comparison import Comparison
    from buyernet.simulation import Results
    from buyernet.sweeps import Sweep

__all__ = [
    "CAPTIONS",
    "CHARTS",
    "MONEY_CHARTS",
    "chart",
    "curves_chart",
    "response_chart",
    "series_chart",
    "winner_chart",
]


def _figure(width: float = 7.5, height: float = 4.2) -> Figure:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("charts need matplotlib: pip install matplotlib") from None
    return Figure(figsize=(width, height), layout="constrained")


def _band(ax: Any, x: Any, runs: Any, label: str) -> None:
    """The mean over replicates, with the 5-95% band."""
    mean = runs.mean(axis=0)
    ax.plot(x, mean, label=label)
    if runs.shape[0] > 1:
        lo, hi = np.quantile(runs, [0.05, 0.95], axis=0)
        ax.fill_between(x, lo, hi, alpha=0.2)


def _over_time(c: Comparison, metric: str, title: str, ylabel: str) -> Figure:
    fig = _figure()
    ax = fig.add_subplot()
    b = c.results[c.baseline].market.brand_index(c.brand)
    for name in c.alternatives:
        r = c.results[name]
        runs = np.cumsum(r.series(metric)[:, :, b], axis=1)
        _band(ax, np.arange(1, r.periods + 1), runs, name)
    ax.set_title(f"{title}: {c.brand}")
    ax.set_xlabel("week")
    ax.set_ylabel(ylabel)
    # Below the plot, so it never covers a line.
    fig.legend(
        *ax.get_legend_handles_labels(),
        title="strategy (mean, 5-95% band)",
        loc="outside lower center",
        ncols=4,
    )
    return fig


def _wins(c: Comparison) -> Figure:
    return _over_time(c, "wins", "Wins over time", "deals won, cumulative")


def _revenue(c: Comparison) -> Figure:
    fig = _over_time(c, "revenue", "Revenue over time", "revenue, cumulative (currency units)")
    _plain(fig.axes[0])
    return fig


def _hourglass(c: Comparison) -> Figure:
    names = c.alternatives
    fig = _figure(7.5, 2.6 * len(names) + 0.6)
    axes = fig.subplots(len(names), 1, squeeze=False)[:, 0]
    for ax, name in zip(axes, names):
        r = c.results[name]
        final = r.hourglass[:, -1].mean(axis=0)  # [brand, stage]
        width = 0.8 / final.shape[0]
        for b, brand in enumerate(r.market.brand_names):
            label = brand if brand in r.strategies else f"{brand} (does not advertise)"
            ax.bar(np.arange(len(STAGES)) + b * width, final[b], width, label=label)
        ax.set_xticks(np.arange(len(STAGES)) + 0.4 - width / 2, STAGES)
        ax.set_yscale("symlog")
        ax.set_ylim(0, max(float(final.max()) * 2.5, 10.0))  # headroom: no bar is clipped
        ax.set_ylabel("people (log scale)")
        ax.set_title(f"Hourglass in the last week, {c.brand} playing {name}")
        ax.set_xlabel(
            "stage (people at each, mean over replicates; the stages overlap: not a funnel)"
        )
    fig.legend(
        *axes[0].get_legend_handles_labels(), title="brand", loc="outside lower center", ncols=2
    )
    return fig


def _future_buyers(c: Comparison) -> Figure:
    fig = _figure()
    ax = fig.add_subplot()
    names = c.alternatives
    x = np.arange(len(names))
    for i, (metric, label) in enumerate(
        (
            ("future_buyer_reach", "reached before joining the committee"),
            ("reached_elsewhere", "reached while working at another company"),
        )
    ):
        intervals = [c.estimate(metric, n) for n in names]
        means = [i.mean if i.n else 0.0 for i in intervals]
        errors = [i.half_width if i.n >= 2 else 0.0 for i in intervals]
        ax.bar(x + i * 0.4, means, 0.4, yerr=errors, capsize=3, label=label)
    ax.set_xticks(x + 0.2, names)
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of people on deciding committees")
    ax.set_xlabel("strategy")
    ax.set_title(f"Future-buyer reach: {c.brand} (mean, 95% interval)")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=3)
    return fig


def _reach(c: Comparison) -> Figure:
    fig = _figure()
    ax = fig.add_subplot()
    b = c.results[c.baseline].market.brand_index(c.brand)
    for name in c.alternatives:
        r = c.results[name]
        x = np.arange(1, r.periods + 1)
        (line,) = ax.plot(x, r.series("paid_reach")[:, :, b].mean(axis=0), label=f"{name}: paid")
        ax.plot(
            x,
            r.series("earned_reach")[:, :, b].mean(axis=0),
            linestyle="--",
            color=line.get_color(),
            label=f"{name}: earned (shared)",
        )
    ax.set_yscale("symlog")
    ax.set_title(f"Paid vs earned reach per week: {c.brand}")
    ax.set_xlabel("week")
    ax.set_ylabel("unique people reached per week (log scale)")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=3)
    return fig


def _cascades(c: Comparison) -> Figure:
    fig = _figure()
    ax = fig.add_subplot()
    b = c.results[c.baseline].market.brand_index(c.brand)
    plotted = False
    per_name = {}
    for name in c.alternatives:
        r = c.results[name]
        shares = r.series("shares")[:, :, b].ravel()
        earned = r.series("earned_reach")[:, :, b].ravel()
        per_name[name] = earned[shares > 0] / shares[shares > 0]
    pooled = np.concatenate(list(per_name.values()))
    # One set of bins for every alternative, so their counts compare.
    bins: Any = np.histogram_bin_edges(pooled, bins=30).tolist() if len(pooled) else 30
    for name, sizes in per_name.items():
        if len(sizes):
            ax.hist(sizes, bins=bins, alpha=0.6, label=f"{name} ({len(sizes)} weeks with shares)")
            plotted = True
    if not plotted:
        ax.text(0.5, 0.5, "no creative was shared", ha="center", transform=ax.transAxes)
    ax.set_title(f"Sharing cascades: {c.brand}")
    ax.set_xlabel("people reached per sharer in a week's cascade (earned reach / sharers)")
    ax.set_ylabel("weeks (replicates pooled)")
    if plotted:
        fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2)
    return fig


def _differences(c: Comparison) -> Figure:
    table = c.table()
    rows = [d for d in table if d.baseline_mean and not math.isnan(d.mean)]
    # No percentage of a zero (or undefined) baseline: named under the chart instead.
    omitted = sorted({d.metric for d in table if d not in rows})
    fig = _figure(7.5, 0.35 * len(rows) + 1.6)
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    for verdict, color in (("better", "C2"), ("worse", "C3"), ("", "C0")):
        picked = [(i, d) for i, d in enumerate(rows) if _verdict(d) == verdict]
        if not picked:
            continue
        mid, lo, hi = [], [], []
        for _, d in picked:
            base = abs(d.baseline_mean)
            mid.append(100 * d.mean / base)
            lo.append(100 * (d.mean - d.low) / base if not math.isnan(d.low) else 0.0)
            hi.append(100 * (d.high - d.mean) / base if not math.isnan(d.high) else 0.0)
        label = {"better": "clearly better", "worse": "clearly worse", "": "not clear, or neither"}
        ax.errorbar(mid, [i for i, _ in picked], xerr=[lo, hi], fmt="o", capsize=3,
                    color=color, label=label[verdict])  # fmt: skip
    labels = [f"{d.metric} ({d.alternative})" for d in rows]
    ax.axvline(0, color="grey", linewidth=0.8)
    if omitted:
        fig.text(0.01, 0.01, "not shown (baseline mean 0): " + ", ".join(omitted), fontsize=7)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel(f"paired difference, % of {c.baseline}'s mean")
    ax.set_ylabel("metric (alternative)")
    ax.set_title(f"Paired differences vs {c.baseline}: {c.brand}")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center")
    return fig


def _plain(ax: Any) -> None:
    """Numbers on the y axis as they are, with thousands separators: no 1e7 offsets."""
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 100 else f"{v:g}")
    )


def _payoff(c: Comparison) -> Figure:
    """Each alternative minus the baseline, cumulative wins and revenue by week, paired per
    replicate: the mean difference and its 95% interval.
    """
    fig = _figure(7.5, 4.6)
    axes = fig.subplots(1, 2)
    b = c.results[c.baseline].market.brand_index(c.brand)
    others = [n for n in c.alternatives if n != c.baseline] or [c.baseline]
    pairs = (("wins", "deals won"), ("revenue", "revenue (currency units)"))
    for ax, (metric, label) in zip(axes, pairs):
        base = np.cumsum(c.results[c.baseline].series(metric)[:, :, b], axis=1)
        for name in others:
            diff = np.cumsum(c.results[name].series(metric)[:, :, b], axis=1) - base
            n = diff.shape[0]
            x = np.arange(1, diff.shape[1] + 1)
            mean = diff.mean(axis=0)
            (line,) = ax.plot(x, mean, label=f"{name} - {c.baseline}")
            if n >= 2:
                half = t95(n - 1) * diff.std(axis=0, ddof=1) / math.sqrt(n)
                ax.fill_between(x, mean - half, mean + half, alpha=0.2, color=line.get_color())
        ax.axhline(0, color="grey", linewidth=0.8)
        ax.set_xlabel("week")
        ax.set_ylabel(f"{label}, cumulative difference")
        _plain(ax)
    axes[0].set_title("Wins")
    axes[1].set_title("Revenue")
    fig.suptitle(f"When does it win more? {c.brand}, paired on the same market draws")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=3)
    return fig


def _share_by_brand(c: Comparison) -> Figure:
    """Each brand's share of all wins so far, by week, under each alternative."""
    names = c.alternatives
    fig = _figure(7.5, 2.4 * len(names) + 0.8)
    axes = fig.subplots(len(names), 1, squeeze=False)[:, 0]
    for ax, name in zip(axes, names):
        r = c.results[name]
        wins = np.cumsum(r.series("wins").mean(axis=0), axis=0)  # [week, brand]
        total = np.maximum(wins.sum(axis=1, keepdims=True), 1e-12)
        x = np.arange(1, r.periods + 1)
        advertising = set(r.strategies)
        labels = [
            n if n in advertising else f"{n} (does not advertise)" for n in r.market.brand_names
        ]
        ax.stackplot(x, (wins / total).T, labels=labels, alpha=0.85)
        ax.set_ylim(0, 1)
        ax.set_ylabel("share of wins so far")
        ax.set_title(f"Where the wins came from, {c.brand} playing {name}")
        ax.set_xlabel("week")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2)
    return fig


def _pipeline(c: Comparison) -> Figure:
    """Open opportunities (needs with a committee) and the no-decision rate by week."""
    fig = _figure()
    ax = fig.add_subplot()
    r = c.results[c.baseline]
    x = np.arange(1, r.periods + 1)
    _band(ax, x, r.series("committees_open"), "open opportunities (mean, 5-95% band)")
    ax.set_xlabel("week")
    ax.set_ylabel("open opportunities (needs)")
    _plain(ax)
    right = ax.twinx()
    # Over the last 13 weeks (a quarter): a week holds too few decisions for a steady share.
    window = np.ones(13)
    decided = np.convolve(r.series("decisions").sum(axis=0), window)[: r.periods]
    stalled = np.convolve(r.series("no_decisions").sum(axis=0), window)[: r.periods]
    rate = np.where(decided > 0, stalled / np.maximum(decided, 1), np.nan)
    right.plot(
        x,
        rate,
        color="C3",
        linewidth=0.8,
        label=f"no-decision share, last 13 weeks, under {c.baseline} (right)",
    )
    right.set_ylim(0, 1)
    right.set_ylabel("share of decisions with no vendor chosen")
    ax.set_title(f"Pipeline: open opportunities and decisions with no vendor ({c.brand})")
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    fig.legend(handles=handles, loc="outside lower center", ncols=1)
    return fig


def _hourglass_over_time(c: Comparison) -> Figure:
    """The brand's hourglass stages by week under each alternative."""
    names = c.alternatives
    fig = _figure(7.5, 2.4 * len(names) + 0.8)
    axes = fig.subplots(len(names), 1, squeeze=False)[:, 0]
    b = c.results[c.baseline].market.brand_index(c.brand)
    for ax, name in zip(axes, names):
        r = c.results[name]
        stages = r.hourglass[:, :, b, :].mean(axis=0)  # [week, stage]
        x = np.arange(1, r.periods + 1)
        for i, stage in enumerate(STAGES):
            ax.plot(x, stages[:, i], label=stage)
        ax.set_yscale("symlog")
        ax.set_ylabel("people (log scale)")
        ax.set_title(f"Hourglass over time, {c.brand} playing {name}")
        ax.set_xlabel("week")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=7)
    return fig


def _frequency(c: Comparison) -> Figure:
    """Paid impressions per person reached, by week: how often the same people see it."""
    fig = _figure()
    ax = fig.add_subplot()
    b = c.results[c.baseline].market.brand_index(c.brand)
    for name in c.alternatives:
        r = c.results[name]
        shown = r.series("impressions")[:, :, b].sum(axis=0)
        reached = r.series("paid_reach")[:, :, b].sum(axis=0)
        x = np.arange(1, r.periods + 1)
        ax.plot(x, np.where(reached > 0, shown / np.maximum(reached, 1), np.nan), label=name)
    cap = c.results[c.baseline].market.media.frequency_cap
    if cap:
        ax.axhline(cap, color="grey", linestyle="--", linewidth=0.8, label="frequency cap")
    ax.set_ylim(bottom=0)
    ax.set_xlabel("week")
    ax.set_ylabel("paid impressions per person reached, per week")
    ax.set_title(f"Frequency: {c.brand}")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=3)
    return fig


def _spend(c: Comparison) -> Figure:
    """Money spent per week by each alternative (media, data and creative)."""
    fig = _figure()
    ax = fig.add_subplot()
    b = c.results[c.baseline].market.brand_index(c.brand)
    for i, name in enumerate(c.alternatives):
        r = c.results[name]
        _band(ax, np.arange(1, r.periods + 1), r.series("spend")[:, :, b], name)
        plan = r.strategies.get(c.brand)
        budget = getattr(plan, "budget", None) if plan is not None else None
        if budget and getattr(plan, "unit", "money") == "money":
            ax.axhline(budget, color=f"C{i}", linestyle="--", linewidth=0.8)
    ax.set_title(f"Spend per week: {c.brand} (dashed: each budget a week)")
    ax.set_xlabel("week")
    ax.set_ylabel("spend per week (currency units)")
    ax.set_ylim(bottom=0)
    _plain(ax)
    fig.legend(
        *ax.get_legend_handles_labels(),
        title="strategy (mean, 5-95% band)",
        loc="outside lower center",
        ncols=4,
    )
    return fig


def _incremental_profit(c: Comparison) -> Figure:
    """Cumulative gross profit over the same market with the brand dark, paired per
    replicate: the mean and its 95% interval, and cumulative spend for scale.
    """
    fig = _figure(7.5, 4.6)
    ax = fig.add_subplot()
    market = c.results[c.baseline].market
    b = market.brand_index(c.brand)
    margin = market.media.gross_margin
    if c.dark is None:
        ax.set_title("Incremental gross profit needs the dark arm (compare(..., dark=True))")
        return fig
    dark = np.cumsum(c.dark.series("revenue")[:, :, b], axis=1)
    for name in c.alternatives:
        r = c.results[name]
        gain = margin * (np.cumsum(r.series("revenue")[:, :, b], axis=1) - dark)
        n, x = gain.shape[0], np.arange(1, gain.shape[1] + 1)
        mean = gain.mean(axis=0)
        (line,) = ax.plot(x, mean, label=f"{name}: incremental gross profit")
        if n >= 2:
            half = t95(n - 1) * gain.std(axis=0, ddof=1) / math.sqrt(n)
            ax.fill_between(x, mean - half, mean + half, alpha=0.2, color=line.get_color())
        spend = np.cumsum(r.series("spend")[:, :, b], axis=1).mean(axis=0)
        ax.plot(x, spend, linestyle="--", color=line.get_color(), label=f"{name}: spend")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_title(f"Does it pay? {c.brand}: gross profit over the brand dark, and spend")
    ax.set_xlabel("week")
    ax.set_ylabel("cumulative (currency units)")
    _plain(ax)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2)
    return fig


def _roi(c: Comparison) -> Figure:
    """Each alternative's incremental ROI with its 95% interval."""
    fig = _figure(7.5, 0.45 * len(c.alternatives) + 1.6)
    ax = fig.add_subplot()
    names = list(c.alternatives)
    mid, lo, hi = [], [], []
    for name in names:
        try:
            i = c.estimate("incremental_roi", name)
        except ParameterError:
            i = interval([])
        mid.append(i.mean)
        lo.append(i.mean - i.low if not math.isnan(i.low) else 0.0)
        hi.append(i.high - i.mean if not math.isnan(i.high) else 0.0)
    y = np.arange(len(names))
    ax.errorbar(mid, y, xerr=[lo, hi], fmt="o", capsize=3, label="mean, 95% interval")
    # Break-even: the gross profit gained pays back the spend.
    ax.axvline(1, color="grey", linewidth=0.8, label="break-even (1): gain = spend")
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlabel("incremental ROI: (gross profit - gross profit dark) / spend")
    ax.set_ylabel("strategy")
    ax.set_title(f"Return on spend: {c.brand}")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center")
    return fig


def response_chart(curve: Any) -> Figure:
    """A response curve (:func:`buyernet.response_curve`): incremental revenue and
    incremental ROI against budget, each with its 95% interval.

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 3_000, "companies": 150})
        >>> c = buyernet.response_curve(m, buyernet.Strategy.quantum(100), budgets=[60, 120],
        ...                             periods=4, replicates=2, seed=1)
        >>> response_chart(c).axes[1].get_ylabel()
        'incremental ROI'
    """
    return curves_chart({"mean, 95% interval": curve})


def curves_chart(curves: Mapping[str, Any]) -> Figure:
    """Response curves of several alternatives on one pair of axes (a line each, named by
    the keys of ``curves``): incremental revenue and incremental ROI against budget, each
    with its 95% interval.

    Example:
        >>> import buyernet
        >>> from buyernet.curves import compare_with_curves
        >>> m = buyernet.Market().replace(population={"people": 3_000, "companies": 150})
        >>> _, curves = compare_with_curves(
        ...     m, {"q": buyernet.Strategy.quantum(100), "b": buyernet.Strategy.quantum(150)},
        ...     periods=4, replicates=2, seed=1)
        >>> [t.get_text() for t in curves_chart(curves).legends[0].get_texts()]
        ['q', 'b']
    """
    fig = _figure(7.5, 4.4)
    axes = fig.subplots(1, 2)
    for k, (name, curve) in enumerate(curves.items()):
        # Side by side at each budget, so one's interval does not hide another's.
        shift = 1 + 0.02 * (k - (len(curves) - 1) / 2)
        x = [p.budget * shift for p in curve.points]
        for ax, field in ((axes[0], "incremental_revenue"), (axes[1], "incremental_roi")):
            values = [getattr(p, field) for p in curve.points]
            mid = [v.mean for v in values]
            err = [
                [v.mean - v.low if not math.isnan(v.low) else 0.0 for v in values],
                [v.high - v.mean if not math.isnan(v.high) else 0.0 for v in values],
            ]
            ax.errorbar(x, mid, yerr=err, fmt="o-", capsize=3, label=name)
    # Zero incremental revenue; an ROI of 1 is break-even (gross profit gained = spend).
    for ax, label, line in (
        (axes[0], "incremental revenue (currency units)", 0.0),
        (axes[1], "incremental ROI", 1.0),
    ):
        ax.axhline(line, color="grey", linewidth=0.8)
        ax.set_xlabel("budget per week (currency units)")
        ax.set_ylabel(label)
        _plain(ax)
    axes[0].set_title("Incremental revenue")
    axes[1].set_title("Incremental ROI")
    fig.suptitle("Response curve: returns against budget, on the same market draws")
    fig.legend(
        *axes[0].get_legend_handles_labels(),
        loc="outside lower center",
        ncols=min(len(curves), 4) or 1,
    )
    return fig


#: What to read from each chart, shown under it in reports.
CAPTIONS: dict[str, str] = {
    "spend": "Money spent each week (media, intent data, creative) against each budget "
    "(dashed). Below the budget where the frequency cap, an empty audience or missing "
    "intent signals left it unspent.",
    "incremental_profit": "Gross profit over the same market with the brand dark (solid, "
    "95% interval), against cumulative spend (dashed): where the solid line is above the "
    "dashed one, the strategy has paid for itself.",
    "roi": "Incremental ROI: gross profit over the brand dark per unit of spend, with its "
    "95% interval. At 1 (the grey line) the gross profit gained pays back the spend; "
    "below 1, the money would have done better unspent.",
    "payoff": "Above zero, the alternative has won more (deals, revenue) than the baseline by "
    "that week; the band is the 95% interval of the paired difference. Where the band "
    "leaves zero for good, it has clearly won more; whether that paid for its spend, the "
    "incremental profit and ROI charts say.",
    "wins": "Deals won so far by each strategy (mean, 5-95% of replicates). Bands of two "
    "strategies can overlap while their paired difference (above) is clear.",
    "revenue": "Revenue so far by each strategy (mean, 5-95% of replicates).",
    "share_by_brand": "Each brand's share of all wins so far: whom the wins came from.",
    "pipeline": "Open opportunities (needs with a committee: the market's own, the same under "
    "every alternative) and, on the right, the share of the last 13 weeks' decisions that "
    "ended with no vendor chosen, under the baseline.",
    "hourglass": "People at each stage with each brand in the last week (log scale). The "
    "stages overlap rather than form a funnel: like and trust need know, but a buyer need "
    "not trust the brand it buys.",
    "hourglass_over_time": "The brand's stages week by week (log scale). 'repeat' counts "
    "customers who bought more than once within the run, so it starts near zero and builds "
    "as the run's second purchases come in.",
    "future_buyers": "Of the people on committees that decided, the share the brand had "
    "reached before they joined, and while they worked elsewhere: reach that pays later.",
    "reach": "Unique people reached each week, by paid impressions and by sharing.",
    "frequency": "How often the same people see the ads each week: paid impressions per "
    "person reached, against the frequency cap (dashed).",
    "cascades": "How far shared creative travels: people reached per sharer in a week (the "
    "same bins for every alternative).",
    "differences": "Each metric's paired difference as % of the baseline's mean, with its 95% "
    "interval: right of zero is more; green where that is clearly better for the brand, red "
    "where clearly worse. Metrics whose baseline mean is zero are named below the chart.",
}

#: The charts of money a report leads with, in order (then the response curves).
MONEY_CHARTS = ("spend", "incremental_profit", "roi")

#: The charts of a report, by name, in the order it shows them (:data:`MONEY_CHARTS` first).
CHARTS: dict[str, Callable[[Comparison], Figure]] = {
    "spend": _spend,
    "incremental_profit": _incremental_profit,
    "roi": _roi,
    "payoff": _payoff,
    "wins": _wins,
    "revenue": _revenue,
    "share_by_brand": _share_by_brand,
    "pipeline": _pipeline,
    "hourglass": _hourglass,
    "hourglass_over_time": _hourglass_over_time,
    "future_buyers": _future_buyers,
    "reach": _reach,
    "frequency": _frequency,
    "cascades": _cascades,
    "differences": _differences,
}


def chart(c: Comparison, name: str) -> Figure:
    """One chart of a comparison, as a matplotlib figure (names: :data:`CHARTS`).

    Example:
        >>> chart(None, "pie")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        buyernet.exceptions.ParameterError: unknown chart 'pie'; charts: spend, ...
    """
    if name not in CHARTS:
        raise ParameterError(f"unknown chart {name!r}; charts: {', '.join(CHARTS)}")
    return CHARTS[name](c)


def series_chart(
    results: Results, metric: str = "wins", *, cumulative: bool | None = None
) -> Figure:
    """A metric over time for every brand (mean and 5-95% band over replicates). Flows
    (wins, revenue, impressions, ...) are cumulative unless ``cumulative=False``.

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 3_000, "companies": 150})
        >>> r = buyernet.simulate(m, periods=10, replicates=2, seed=1)
        >>> series_chart(r, "in_market_share").axes[0].get_ylabel()
        'in_market_share'
    """
    values = results.series(metric)
    cumulative = metric in FLOWS if cumulative is None else cumulative
    fig = _figure()
    ax = fig.add_subplot()
    x = np.arange(1, results.periods + 1)
    columns = (
        [(name, values[:, :, b]) for b, name in enumerate(results.market.brand_names)]
        if values.ndim == 3
        else [("market", values)]
    )
    for name, runs in columns:
        _band(ax, x, np.cumsum(runs, axis=1) if cumulative else runs, name)
    ax.set_title(f"{metric} per week" if not cumulative else f"{metric}, cumulative")
    ax.set_xlabel("week")
    ax.set_ylabel(f"{metric}, cumulative" if cumulative else metric)
    ax.legend(title="mean, 5-95% band")
    return fig


def winner_chart(result: Sweep, metric: str = "wins") -> Figure:
    """Which alternative clearly wins ``metric`` at each point of a sweep (see
    :meth:`buyernet.Sweep.winners`; grey: no clear winner), with the leader's margin: the
    first grid parameter across, the second (if any) down, further ones pooled by point.

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
        >>> s = buyernet.sweep(m, {"q": buyernet.Strategy.quantum(200)},
        ...                    grid={"needs.observability": [0.05, 0.5]}, periods=4,
        ...                    replicates=2, seed=1)
        >>> winner_chart(s).axes[0].get_xlabel()
        'needs.observability'
    """
    winners = result.winners(metric)
    # The compare charts' colours: the baseline first, then the others in their order.
    order = list(dict.fromkeys(result.table["alternative"]))
    names = [result.baseline, *(n for n in order if n != result.baseline), NO_CLEAR_WINNER]
    lower = metric in OUTCOME and OUTCOME[metric].better == "lower"
    fig = _figure(7.5, 4.6)
    ax = fig.add_subplot()
    grid = result.grid
    xs = sorted(set(winners[grid[0]])) if grid else [0]
    ys = sorted(set(winners[grid[1]])) if len(grid) > 1 else [0]
    counts = np.zeros((len(ys), len(xs), len(names)))
    margins: dict[tuple[int, int], list[str]] = {}
    for _, row in winners.iterrows():
        x = xs.index(row[grid[0]]) if grid else 0
        y = ys.index(row[grid[1]]) if len(grid) > 1 else 0
        counts[y, x, names.index(row["winner"])] += 1
        lead = abs(row["margin"])
        amount = f"{lead:,.0f}" if lead >= 100 else f"{lead:.3g}"
        margin = (
            f"{row['leader']} {amount} {'lower' if lower else 'higher'}"
            if np.isfinite(row["margin"])
            else ""
        )
        margins.setdefault((y, x), []).append(margin)
    best = counts.argmax(axis=2)
    share = counts.max(axis=2) / np.maximum(counts.sum(axis=2), 1)
    from matplotlib.colors import ListedColormap

    # Each alternative its colour; "no clear winner" grey.
    colors = ListedColormap([*(f"C{i}" for i in range(len(names) - 1)), "0.6"])
    ax.imshow(best, cmap=colors, vmin=-0.5, vmax=len(names) - 0.5, origin="lower", aspect="auto")
    for y in range(len(ys)):
        for x in range(len(xs)):
            label = names[best[y, x]] + ("" if share[y, x] == 1 else f" ({share[y, x]:.0%})")
            cell = margins.get((y, x), [])
            if len(cell) == 1 and cell[0]:
                label += f"\n{cell[0]}"
            ax.text(x, y, label, ha="center", va="center", color="white", fontsize=8)
    ax.set_xticks(range(len(xs)), [str(v) for v in xs])
    if len(grid) > 1:
        ax.set_yticks(range(len(ys)), [str(v) for v in ys])
    else:
        ax.set_yticks([])
    ax.set_xlabel(grid[0] if grid else "(no grid)")
    ax.set_ylabel(grid[1] if len(grid) > 1 else "")
    ax.set_title(
        f"Winner by {metric} ({'lower' if lower else 'higher'} is better)\nclear: its paired "
        "95% interval beats all others; label: its lead in the mean",
        fontsize=10,
    )
    from matplotlib.patches import Patch

    ax.legend(
        handles=[
            Patch(color=f"C{i}" if n != NO_CLEAR_WINNER else "0.6", label=n)
            for i, n in enumerate(names)
        ],
        title="alternative",
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
    )
    return fig


def _verdict(d: Any) -> str:
    """:func:`buyernet.metrics.reading` of a :class:`~buyernet.Difference`."""
    better = OUTCOME[d.metric].better if d.metric in OUTCOME else ""
    return reading(better, d.mean, d.significant)
