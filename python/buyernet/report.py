"""Reports: charts of a comparison (matplotlib) and the self-contained ``report.html``.

Every chart has a title, labelled axes with units, and a legend. The HTML embeds them as
PNG images, so it reads offline and can be mailed as one file.

Example:
    >>> import buyernet
    >>> m = buyernet.Market().replace(population={"people": 3_000, "companies": 150})
    >>> c = buyernet.compare(m, {"q": buyernet.Strategy.quantum(300),
    ...                          "p": buyernet.Strategy.planetary(300)},
    ...                      periods=10, replicates=2, seed=1)
    >>> sorted(CHARTS)[:2]
    ['cascades', 'differences']
    >>> fig = c.plot("wins")
    >>> fig.axes[0].get_title()
    'Wins over time: us'
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from buyernet.metrics import STAGES
from buyernet.stats import interval

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from buyernet.comparison import Comparison

__all__ = ["CHARTS", "chart", "html_report", "summary_rows"]


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
    ax.legend(title="strategy (mean, 5-95% band)")
    return fig


def _wins(c: Comparison) -> Figure:
    return _over_time(c, "wins", "Wins over time", "deals won, cumulative")


def _revenue(c: Comparison) -> Figure:
    return _over_time(c, "revenue", "Revenue over time", "revenue, cumulative (currency units)")


def _hourglass(c: Comparison) -> Figure:
    names = c.alternatives
    fig = _figure(7.5, 2.6 * len(names) + 0.6)
    axes = fig.subplots(len(names), 1, squeeze=False)[:, 0]
    for ax, name in zip(axes, names):
        r = c.results[name]
        final = r.hourglass[:, -1].mean(axis=0)  # [brand, stage]
        width = 0.8 / final.shape[0]
        for b, brand in enumerate(r.market.brand_names):
            ax.bar(np.arange(len(STAGES)) + b * width, final[b], width, label=brand)
        ax.set_xticks(np.arange(len(STAGES)) + 0.4 - width / 2, STAGES)
        ax.set_yscale("symlog")
        ax.set_ylabel("people (log scale)")
        ax.set_title(f"Hourglass in the last week, {c.brand} playing {name}")
        ax.set_xlabel("stage of the journey (people at or past it; mean over replicates)")
    axes[0].legend(title="brand", ncols=min(4, c.results[names[0]].market.n_brands))
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
        intervals = [interval(c.values(metric, n)) for n in names]
        means = [i.mean if i.n else 0.0 for i in intervals]
        errors = [i.half_width if i.n >= 2 else 0.0 for i in intervals]
        ax.bar(x + i * 0.4, means, 0.4, yerr=errors, capsize=3, label=label)
    ax.set_xticks(x + 0.2, names)
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of people on deciding committees")
    ax.set_xlabel("strategy")
    ax.set_title(f"Future-buyer reach: {c.brand} (mean, 95% interval)")
    ax.legend()
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
    ax.legend()
    return fig


def _cascades(c: Comparison) -> Figure:
    fig = _figure()
    ax = fig.add_subplot()
    b = c.results[c.baseline].market.brand_index(c.brand)
    plotted = False
    for name in c.alternatives:
        r = c.results[name]
        shares = r.series("shares")[:, :, b].ravel()
        earned = r.series("earned_reach")[:, :, b].ravel()
        sizes = earned[shares > 0] / shares[shares > 0]
        if len(sizes):
            ax.hist(sizes, bins=30, alpha=0.6, label=f"{name} ({len(sizes)} weeks with shares)")
            plotted = True
    if not plotted:
        ax.text(0.5, 0.5, "no creative was shared", ha="center", transform=ax.transAxes)
    ax.set_title(f"Sharing cascades: {c.brand}")
    ax.set_xlabel("people reached per sharer in a week's cascade (earned reach / sharers)")
    ax.set_ylabel("weeks (replicates pooled)")
    if plotted:
        ax.legend()
    return fig


def _differences(c: Comparison) -> Figure:
    rows = [d for d in c.table() if d.baseline_mean and not math.isnan(d.mean)]
    fig = _figure(7.5, 0.35 * len(rows) + 1.4)
    ax = fig.add_subplot()
    labels, mid, lo, hi = [], [], [], []
    for d in rows:
        base = abs(d.baseline_mean)
        labels.append(f"{d.metric} ({d.alternative})")
        mid.append(100 * d.mean / base)
        lo.append(100 * (d.mean - d.low) / base if not math.isnan(d.low) else 0.0)
        hi.append(100 * (d.high - d.mean) / base if not math.isnan(d.high) else 0.0)
    y = np.arange(len(rows))
    ax.errorbar(mid, y, xerr=[lo, hi], fmt="o", capsize=3, label="mean, 95% interval")
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel(f"paired difference, % of {c.baseline}'s mean")
    ax.set_ylabel("metric (alternative)")
    ax.set_title(f"Paired differences vs {c.baseline}: {c.brand}")
    ax.legend(loc="lower right")
    return fig


#: The charts of a report, by name.
CHARTS: dict[str, Callable[[Comparison], Figure]] = {
    "wins": _wins,
    "revenue": _revenue,
    "hourglass": _hourglass,
    "future_buyers": _future_buyers,
    "reach": _reach,
    "cascades": _cascades,
    "differences": _differences,
}


def chart(c: Comparison, name: str) -> Figure:
    """One chart of a comparison, as a matplotlib figure (names: :data:`CHARTS`)."""
    if name not in CHARTS:
        from buyernet.exceptions import ParameterError

        raise ParameterError(f"unknown chart {name!r}; charts: {', '.join(CHARTS)}")
    return CHARTS[name](c)


def summary_rows(c: Comparison) -> list[dict[str, Any]]:
    """The paired differences as plain rows (JSON-ready; NaN as None)."""

    def clean(x: float) -> float | None:
        return None if math.isnan(x) else x

    return [
        {
            "metric": d.metric,
            "baseline": d.baseline,
            "alternative": d.alternative,
            "baseline_mean": clean(d.baseline_mean),
            "alternative_mean": clean(d.alternative_mean),
            "difference": clean(d.mean),
            "low": clean(d.low),
            "high": clean(d.high),
            "significant": d.significant,
            "replicates": d.replicates,
        }
        for d in c.table()
    ]


def table_html(c: Comparison) -> str:
    """The summary table as HTML (for reports and notebooks)."""
    head = (
        "<tr><th>metric</th><th>" + html.escape(c.baseline) + "</th><th>alternative</th>"
        "<th>difference</th><th>95% interval</th></tr>"
    )
    body = []
    for d in c.table():
        mark = " style='font-weight:bold'" if d.significant else ""
        body.append(
            f"<tr{mark}><td>{html.escape(d.metric)}</td><td>{_fmt(d.baseline_mean)}</td>"
            f"<td>{html.escape(d.alternative)}: {_fmt(d.alternative_mean)}</td>"
            f"<td>{_fmt(d.mean)}</td><td>[{_fmt(d.low)}, {_fmt(d.high)}]</td></tr>"
        )
    return f"<table class='summary'>{head}{''.join(body)}</table>"


def _fmt(x: float) -> str:
    if math.isnan(x):
        return "–"
    return f"{x:,.0f}" if abs(x) >= 1e4 else f"{x:.4g}"


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def html_report(c: Comparison, scenario_toml: str, meta: dict[str, Any]) -> str:
    """The self-contained report: summary table, every chart, the scenario and the seed."""
    charts = "".join(
        f"<figure><img alt='{name}' src='data:image/png;base64,{_png(chart(c, name))}'>"
        f"<figcaption>{name}</figcaption></figure>"
        for name in CHARTS
    )
    title = f"buyernet: {html.escape(c.brand)} — {' vs '.join(map(html.escape, c.alternatives))}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; }}
table.summary {{ border-collapse: collapse; }}
table.summary td, table.summary th {{ padding: .25rem .6rem; border-bottom: 1px solid #ddd;
  text-align: right; }}
table.summary td:first-child, table.summary th:first-child {{ text-align: left; }}
figure {{ margin: 1.5rem 0; }} img {{ max-width: 100%; }}
figcaption {{ color: #777; font-size: .8rem; }}
pre {{ background: #f6f6f6; padding: 1rem; overflow-x: auto; font-size: .8rem; }}
</style></head><body>
<h1>{title}</h1>
<p>{meta["replicates"]} paired replicates of {meta["periods"]} weeks, seed {meta["seed"]},
buyernet {html.escape(str(meta["version"]))}. Differences are alternative minus
{html.escape(c.baseline)} on the same market draws; bold rows have a 95% interval that
excludes zero.</p>
{table_html(c)}
{charts}
<h2>Scenario</h2>
<pre>{html.escape(scenario_toml)}</pre>
<h2>Run</h2>
<pre>{html.escape(json.dumps(meta, indent=2))}</pre>
</body></html>
"""


def winner_chart(result: Any, metric: str = "wins") -> Figure:
    """Which alternative wins (highest mean ``metric``) at each point of a sweep: the first
    grid parameter across, the second (if any) down, further ones pooled by point.
    """
    winners = result.winners(metric)
    names = sorted(set(result.table["alternative"]))
    fig = _figure(7.5, 4.6)
    ax = fig.add_subplot()
    grid = result.grid
    xs = sorted(set(winners[grid[0]])) if grid else [0]
    ys = sorted(set(winners[grid[1]])) if len(grid) > 1 else [0]
    counts = np.zeros((len(ys), len(xs), len(names)))
    for _, row in winners.iterrows():
        x = xs.index(row[grid[0]]) if grid else 0
        y = ys.index(row[grid[1]]) if len(grid) > 1 else 0
        counts[y, x, names.index(row["winner"])] += 1
    best = counts.argmax(axis=2)
    share = counts.max(axis=2) / np.maximum(counts.sum(axis=2), 1)
    from matplotlib.colors import ListedColormap

    colors = ListedColormap([f"C{i}" for i in range(len(names))])
    ax.imshow(best, cmap=colors, vmin=-0.5, vmax=len(names) - 0.5, origin="lower", aspect="auto")
    for y in range(len(ys)):
        for x in range(len(xs)):
            label = names[best[y, x]] + ("" if share[y, x] == 1 else f" ({share[y, x]:.0%})")
            ax.text(x, y, label, ha="center", va="center", color="white", fontsize=9)
    ax.set_xticks(range(len(xs)), [str(v) for v in xs])
    ax.set_yticks(range(len(ys)), [str(v) for v in ys])
    ax.set_xlabel(grid[0] if grid else "(no grid)")
    ax.set_ylabel(grid[1] if len(grid) > 1 else "(one row)")
    ax.set_title(f"Winner by mean {metric} across the grid")
    from matplotlib.patches import Patch

    ax.legend(
        handles=[Patch(color=f"C{i}", label=n) for i, n in enumerate(names)],
        title="alternative",
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
    )
    return fig


def sweep_report(result: Any, metric: str, sweep_toml: str, meta: dict[str, Any]) -> str:
    """The sweep's self-contained report: the winner chart and the paired comparisons."""
    comparisons = result.comparisons()
    rows = comparisons[comparisons["metric"] == metric]
    table = rows.to_html(index=False, float_format=lambda x: f"{x:.4g}", classes="summary")
    image = _png(winner_chart(result, metric))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>buyernet sweep</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; }}
table.summary {{ border-collapse: collapse; font-size: .85rem; }}
table.summary td, table.summary th {{ padding: .2rem .5rem; border-bottom: 1px solid #ddd; }}
img {{ max-width: 100%; }} pre {{ background: #f6f6f6; padding: 1rem; font-size: .8rem; }}
</style></head><body>
<h1>buyernet sweep over {html.escape(", ".join(result.grid))}</h1>
<p>{meta["tasks"]} tasks ({meta["from_checkpoint"]} from the checkpoint), buyernet
{html.escape(str(meta["version"]))}. Differences are alternative minus
{html.escape(result.baseline)} on the same market draws, per grid point.</p>
<figure><img alt='winner' src='data:image/png;base64,{image}'></figure>
<h2>Paired differences in {html.escape(metric)}</h2>
{table}
<h2>Sweep file</h2>
<pre>{html.escape(sweep_toml)}</pre>
</body></html>
"""
