"""Reports: the self-contained ``report.html`` pages, the HTML views of notebooks, and the
plain-text table of paired differences.

The HTML embeds every chart as a PNG image, so it reads offline and can be mailed as one
file. ``Comparison.__str__`` and the notebook views (``_repr_html_``) call into this module,
never the other way round.

Example:
    >>> import buyernet
    >>> m = buyernet.Market().replace(population={"people": 3_000, "companies": 150})
    >>> c = buyernet.compare(m, {"q": buyernet.Strategy.quantum(300),
    ...                          "p": buyernet.Strategy.planetary(300)},
    ...                      periods=10, replicates=2, seed=1)
    >>> rows = summary_rows(c)
    >>> rows[0]["metric"], rows[0]["alternative"]
    ('spend', 'p')
    >>> [r["metric"] for r in rows[:3]]
    ['spend', 'incremental_revenue', 'incremental_roi']
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from buyernet.charts import CAPTIONS, CHARTS, MONEY_CHARTS, chart, curves_chart, winner_chart
from buyernet.metrics import OUTCOME, reading
from buyernet.strategy import FUNCTIONS

if TYPE_CHECKING:
    # Types only: these modules call into this one, so it must not import them at runtime.
    from matplotlib.figure import Figure

    from buyernet.comparison import Comparison
    from buyernet.curves import ResponseCurve
    from buyernet.simulation import Results
    from buyernet.sweeps import Sweep


__all__ = [
    "CHARTS",
    "chart",
    "comparison_html",
    "curves_html",
    "curves_text",
    "describe_comparison",
    "differences_text",
    "html_report",
    "money_html",
    "money_rows",
    "money_text",
    "results_html",
    "scenario_html",
    "summary_rows",
    "summary_text",
    "sweep_report",
    "table_html",
    "winners_text",
]


def summary_rows(c: Comparison) -> list[dict[str, Any]]:
    """The paired differences as plain rows (JSON-ready; NaN as None), as ``summary.json``
    holds them.

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
        >>> c = buyernet.compare(m, {"q": buyernet.Strategy.quantum(200),
        ...                          "p": buyernet.Strategy.planetary(200)},
        ...                      periods=4, replicates=2, seed=1)
        >>> sorted(summary_rows(c)[0])[:4]
        ['alternative', 'alternative_mean', 'baseline', 'baseline_mean']
    """

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
            "unit": OUTCOME[d.metric].unit if d.metric in OUTCOME else "",
            "better": OUTCOME[d.metric].better if d.metric in OUTCOME else "",
        }
        for d in c.table()
    ]


#: The money every alternative is read on first: what it spent, what it earned over the
#: same market with the brand dark, and the return on the spend.
MONEY = ("spend", "incremental_revenue", "incremental_roi")


def money_rows(c: Comparison) -> list[dict[str, Any]]:
    """Each alternative's spend, incremental revenue and incremental ROI: means over
    replicates with 95% intervals (JSON-ready; NaN as None), as ``summary.json`` holds them
    under ``money``. Empty without the dark arm or where spend or revenue went unrecorded.

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
        >>> c = buyernet.compare(m, {"q": buyernet.Strategy.quantum(200)},
        ...                      periods=4, replicates=2, seed=1)
        >>> sorted(money_rows(c)[0])[:3]
        ['alternative', 'incremental_revenue', 'incremental_revenue_high']
    """
    recorded = set.intersection(*(set(c._values[name]) for name in c.alternatives))
    if c.dark is None or not set(MONEY) <= recorded:
        return []  # no dark arm, or its series were not recorded (see compare's metrics=)

    def clean(x: float) -> float | None:
        return None if math.isnan(x) else x

    rows = []
    for name in c.alternatives:
        row: dict[str, Any] = {"alternative": name}
        for metric in MONEY:
            i = c.estimate(metric, name)
            row[metric], row[f"{metric}_low"], row[f"{metric}_high"] = (
                clean(i.mean),
                clean(i.low),
                clean(i.high),
            )
        rows.append(row)
    return rows


def money_text(rows: Sequence[Mapping[str, Any]]) -> str:
    """:func:`money_rows` as text: money first, before the paired differences.

    Example:
        >>> row = {"alternative": "q", "spend": 52000.0, "spend_low": 52000.0,
        ...        "spend_high": 52000.0, "incremental_revenue": 900000.0,
        ...        "incremental_revenue_low": 800000.0, "incremental_revenue_high": 1e6,
        ...        "incremental_roi": 12.1, "incremental_roi_low": 10.7,
        ...        "incremental_roi_high": 13.5}
        >>> print(money_text([row]))  # doctest: +NORMALIZE_WHITESPACE
        money, per run (mean of the replicates; ROI: ratio of their totals; 95% interval):
        incremental = over the same market with the brand dark; ROI = incremental gross
        profit / spend
        alternative  spend   incremental revenue            incremental ROI
        q            52,000  900,000 [800,000, 1,000,000]   12.1 [10.7, 13.5]
    """
    if not rows:
        return ""
    table = [("alternative", "spend", "incremental revenue", "incremental ROI")]
    table += [(r["alternative"], *_money_cells(r)) for r in rows]
    head = (
        "money, per run (mean of the replicates; ROI: ratio of their totals; 95% interval): "
        "incremental = over the same market with the brand dark; ROI = incremental gross "
        "profit / spend"
    )
    return "\n".join([head, *_aligned(table)])


def curves_text(curves: Mapping[str, Sequence[Mapping[str, Any]]]) -> str:
    """Response curves as text, one row per alternative and budget, from
    :meth:`ResponseCurve.rows <buyernet.curves.ResponseCurve.rows>` (or a saved
    ``summary.json``'s ``curves``): budget a week, spend, incremental revenue and ROI with
    their 95% intervals. Empty without curves.

    Example:
        >>> row = {"budget": 125.0, "spend": 26000.0, "incremental_revenue": 500000.0,
        ...        "incremental_revenue_low": 400000.0, "incremental_revenue_high": 600000.0,
        ...        "incremental_roi": 13.5, "incremental_roi_low": 10.8,
        ...        "incremental_roi_high": 16.2}
        >>> print(curves_text({"q": [row]}))  # doctest: +NORMALIZE_WHITESPACE
        response curves, per run (mean of the replicates; ROI: ratio of their totals; 95%
        interval): each alternative at several budgets a week, on the same market draws and
        against the same dark arm
        alternative  budget/week  spend   incremental revenue         incremental ROI
        q            125          26,000  500,000 [400,000, 600,000]  13.5 [10.8, 16.2]
    """
    if not any(curves.values()):
        return ""
    money = _formatter("currency units")
    table = [("alternative", "budget/week", "spend", "incremental revenue", "incremental ROI")]
    table += [
        (name, money(r["budget"]), *_money_cells(r)) for name, rows in curves.items() for r in rows
    ]
    head = (
        "response curves, per run (mean of the replicates; ROI: ratio of their totals; 95% "
        "interval): each alternative at several budgets a week, on the same market draws and "
        "against the same dark arm"
    )
    return "\n".join([head, *_aligned(table)])


def summary_text(
    money: Sequence[Mapping[str, Any]],
    curves: Mapping[str, Sequence[Mapping[str, Any]]],
    differences: Sequence[Mapping[str, Any]],
    baseline: str,
) -> str:
    """What ``buyernet compare`` prints (and ``buyernet show`` reads back from
    ``summary.json``): money first (:func:`money_text`), then the response curves
    (:func:`curves_text`), then the paired differences (:func:`differences_text`).

    Example:
        >>> summary_text([], {}, [], "q")
        '(nothing compared)'
    """
    parts = (money_text(money), curves_text(curves), differences_text(differences, baseline))
    return "\n\n".join(p for p in parts if p)


def describe_comparison(c: Comparison, curves: Mapping[str, ResponseCurve] | None = None) -> str:
    """:func:`summary_text` of a comparison and its response curves.

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
        >>> c = buyernet.compare(m, {"q": buyernet.Strategy.quantum(200)},
        ...                      periods=4, replicates=2, seed=1)
        >>> describe_comparison(c).splitlines()[0][:21]
        'money, per run (mean '
    """
    rows = {name: curve.rows() for name, curve in (curves or {}).items()}
    return summary_text(money_rows(c), rows, summary_rows(c), c.baseline)


def _money_cells(r: Mapping[str, Any]) -> tuple[str, str, str]:
    """Spend, and incremental revenue and ROI with their intervals, as text."""
    money, ratio = _formatter("currency units"), _formatter("")
    return (
        money(r["spend"]),
        f"{money(r['incremental_revenue'])} [{money(r['incremental_revenue_low'])}, "
        f"{money(r['incremental_revenue_high'])}]",
        f"{ratio(r['incremental_roi'])} [{ratio(r['incremental_roi_low'])}, "
        f"{ratio(r['incremental_roi_high'])}]",
    )


def _aligned(table: Sequence[Sequence[str]]) -> list[str]:
    """Rows of cells as lines, each column padded to its widest cell."""
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table]


def money_html(c: Comparison) -> str:
    """:func:`money_rows` as an HTML table (empty without the dark arm)."""
    rows = money_rows(c)
    if not rows:
        return ""
    money, ratio = _formatter("currency units"), _formatter("")
    cells = "".join(
        f"<tr><td>{html.escape(r['alternative'])}</td><td>{money(r['spend'])}</td>"
        f"<td>{money(r['incremental_revenue'])} [{money(r['incremental_revenue_low'])}, "
        f"{money(r['incremental_revenue_high'])}]</td>"
        f"<td>{ratio(r['incremental_roi'])} [{ratio(r['incremental_roi_low'])}, "
        f"{ratio(r['incremental_roi_high'])}]</td></tr>"
        for r in rows
    )
    return (
        "<h2>Money</h2><p>Per run, mean of the replicates (ROI: the ratio of their totals) with "
        "its 95% interval. Incremental: "
        "over the same market with the brand dark, on the same draws; ROI: incremental gross "
        "profit / spend.</p><table class='summary'><tr><th>alternative</th><th>spend</th>"
        "<th>incremental revenue</th><th>incremental ROI</th></tr>" + cells + "</table>"
    )


def curves_html(curves: Mapping[str, ResponseCurve]) -> str:
    """The response curves' section of a report: one chart of every alternative's curve
    and a table of its points (empty without curves).

    Example:
        >>> curves_html({})
        ''
    """
    if not curves:
        return ""
    money, ratio = _formatter("currency units"), _formatter("")
    cells = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{money(p.budget)}</td>"
        f"<td>{money(p.spend.mean)}</td>"
        f"<td>{money(p.incremental_revenue.mean)} [{money(p.incremental_revenue.low)}, "
        f"{money(p.incremental_revenue.high)}]</td>"
        f"<td>{ratio(p.incremental_roi.mean)} [{ratio(p.incremental_roi.low)}, "
        f"{ratio(p.incremental_roi.high)}]</td></tr>"
        for name, curve in curves.items()
        for p in curve.points
    )
    left_out = "".join(
        f"<p>{html.escape(name)}: {money(budget)} a week left out ({html.escape(why)}).</p>"
        for name, curve in curves.items()
        for budget, why in curve.left_out
    )
    image = _png(curves_chart(curves))
    return (
        "<h2>Response curves</h2><figure><img alt='response curves' "
        f"src='data:image/png;base64,{image}'><figcaption>Incremental revenue and ROI of "
        "each alternative against its budget a week, on the same market draws and against "
        "the same dark arm, with 95% intervals: where the ROI line falls, returns diminish; "
        "below an ROI of 1 (the grey line: gross profit gained = spend), the money would have "
        "done better unspent.</figcaption></figure>"
        "<table class='summary curves'><tr><th>alternative</th><th>budget/week</th>"
        "<th>spend</th><th>incremental revenue</th><th>incremental ROI</th></tr>"
        + cells
        + "</table>"
        + left_out
    )


def campaigns_html(c: Comparison) -> str:
    """Each alternative's spend by campaign (every advertising brand's campaigns; a lone
    strategy's is ``main``): means over replicates of spend, impressions, the CPM paid and
    budget left unspent. Empty if nothing advertises.
    """
    money, count = _formatter("currency units"), _formatter("impressions")
    cells = []
    for name in c.alternatives:
        for (brand, campaign), t in c.results[name].campaign_outcomes().items():
            # CPM as the ratio of the totals, like every rate the report shows.
            shown = float(t["impressions"].sum())
            cpm = 1000 * float(t["media_spend"].sum()) / shown if shown > 0 else math.nan
            cells.append(
                f"<tr><td>{html.escape(name)}</td><td>{html.escape(brand)}</td>"
                f"<td>{html.escape(campaign)}</td><td>{money(float(t['spend'].mean()))}</td>"
                f"<td>{money(float(t['media_spend'].mean()))}</td>"
                f"<td>{count(float(t['impressions'].mean()))}</td><td>{money(cpm)}</td>"
                f"<td>{money(float(t['unspent'].mean()))}</td></tr>"
            )
    if not cells:
        return ""
    return (
        "<h2>Spend by campaign</h2><p>Per run, mean of the replicates; spend: media, intent "
        "data and creative; CPM: media spend per 1,000 impressions (the ratio of the "
        "totals); unspent: budget the audience or the frequency cap could not absorb.</p>"
        "<table class='summary campaigns'><tr><th>alternative</th><th>brand</th>"
        "<th>campaign</th><th>spend</th><th>media</th><th>impressions</th><th>CPM</th>"
        "<th>unspent</th></tr>" + "".join(cells) + "</table>"
    )


def differences_text(rows: Sequence[Mapping[str, Any]], baseline: str) -> str:
    """The paired differences as text a marketer can read, from :func:`summary_rows` (or a
    saved ``summary.json``): what the columns are, each metric's unit, the difference with
    its 95% interval (``*``: the interval excludes zero) and whether that is better or
    worse for the brand, then a headline per alternative. Shares print as %, money and
    counts with thousands separators.

    Example:
        >>> row = {"metric": "wins", "alternative": "p", "baseline_mean": 2.0,
        ...        "alternative_mean": 3.0, "difference": 1.0, "low": 0.5, "high": 1.5,
        ...        "significant": True, "replicates": 8, "unit": "deals", "better": "higher"}
        >>> print(differences_text([row], "q"))  # doctest: +NORMALIZE_WHITESPACE
        alternative - q, paired on the same market draws: each run's total (or end value)
        per replicate, mean of 8 replicates (rates such as ROI, ROAS and CAC: the ratio of
        their totals); * = the 95% interval excludes 0
        metric  unit   q  alternative  difference  95% interval  reading
        wins    deals  2  p: 3         +1          [+0.5, +1.5]  * better
        <BLANKLINE>
        p vs q: better on wins.
    """
    if not rows:
        return "(nothing compared)"
    n = max((r.get("replicates") or 0) for r in rows)
    lines = [
        f"alternative - {baseline}, paired on the same market draws: each run's total (or "
        f"end value) per replicate, mean of {n} replicates (rates such as ROI, ROAS and CAC: "
        f"the ratio of their totals); * = the 95% interval excludes 0"
    ]
    if n < 2:
        lines.append(
            "warning: with one replicate there is no interval; run 2 or more replicates "
            "(--replicates) to see which differences are clear"
        )
    table = [("metric", "unit", baseline, "alternative", "difference", "95% interval", "reading")]
    for d in rows:
        unit = d.get("unit", "")
        fmt = _formatter(unit)
        sign = _formatter(unit, signed=True)
        table.append(
            (
                d["metric"],
                _unit_label(unit),
                fmt(d["baseline_mean"]),
                f"{d['alternative']}: {fmt(d['alternative_mean'])}",
                sign(d["difference"]),
                f"[{sign(d['low'])}, {sign(d['high'])}]",
                ("* " if d["significant"] else "") + _reading(d),
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table]
    lines.append("")
    lines += _headlines(rows, baseline)
    return "\n".join(lines)


def _reading(d: Mapping[str, Any]) -> str:
    """``better`` or ``worse`` for a clear difference in a metric with a better direction."""
    return reading(d.get("better", ""), d.get("difference"), bool(d["significant"]))


def _headlines(rows: Sequence[Mapping[str, Any]], baseline: str) -> list[str]:
    """One line per alternative reconciling the metrics that point different ways."""
    out = []
    for alternative in dict.fromkeys(r["alternative"] for r in rows):
        mine = [r for r in rows if r["alternative"] == alternative]
        groups: dict[str, list[str]] = {"better": [], "worse": [], "": []}
        for r in mine:
            if r.get("better"):
                groups[_reading(r)].append(r["metric"].replace("_", " "))
        parts = [f"{k} on {', '.join(v)}" for k, v in groups.items() if k and v]
        if groups[""]:
            parts.append(f"no clear difference on {', '.join(groups[''])}")
        out.append(f"{alternative} vs {baseline}: {'; '.join(parts) or 'nothing to compare'}.")
    return out


def _unit_label(unit: str) -> str:
    return "currency" if unit == "currency units" else unit


def _formatter(unit: str, signed: bool = False) -> Any:
    """How to print a value of ``unit``: shares as %, money and counts with thousands
    separators, rates with 3 significant digits; NaN and None as n/a.
    """

    def show(x: float | None) -> str:
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return "n/a"
        plus = "+" if signed and x > 0 else ""
        if unit.startswith("share"):
            return f"{plus}{100 * x:.1f}%" if not signed else f"{plus}{100 * x:.1f} pts"
        if abs(x) >= 1000:
            return f"{plus}{x:,.0f}"
        if unit in ("deals", "people", "companies", "impressions") and float(x).is_integer():
            return f"{plus}{x:.0f}"
        return f"{plus}{x:.3g}"

    return show


def scenario_html(c: Comparison) -> str:
    """The scenario as tables a marketer reads: every brand's strategy under each
    alternative (brands without one do not advertise), and the market fields that differ
    from the calibrated default.

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
        >>> c = buyernet.compare(m, {"q": buyernet.Strategy.quantum(200)}, periods=2,
        ...                      replicates=2, seed=1)
        >>> "does not advertise" in scenario_html(c) and "population.people" in scenario_html(c)
        True
    """

    def strategy(st: Any) -> str:
        if st is None:
            return "does not advertise"
        if hasattr(st, "campaigns"):  # a media plan: each campaign in turn
            return " | ".join(f"{name}: {strategy(one)}" for name, one in st.campaigns)
        t, cr, ti = st.targeting.to_dict(), st.creative, st.timing.to_dict()
        if "functions" in t:  # by name, as scenario files may spell them
            t["functions"] = [FUNCTIONS[f] for f in t["functions"]]
        aim = ", ".join(f"{k}={v}" for k, v in t.items() if k not in ("kind", "weights"))
        creative = "personalized" if cr.tailored else "universal"
        timing = ", ".join(f"{k}={v}" for k, v in ti.items() if k != "kind")
        return (
            f"{st.budget:,.0f} {'a week' if st.unit == 'money' else 'impressions/week'}, "
            f"{st.brand_share:.0%} brand; "
            f"{t['kind']} targeting{f' ({aim})' if aim else ''}; {creative} creative "
            f"(shareability {cr.shareability:g}); {ti['kind']}{f' ({timing})' if timing else ''}"
        )

    market = c.results[c.baseline].market
    rows = []
    for name in c.alternatives:
        plans = c.results[name].strategies
        for brand in market.brand_names:
            role = "compared" if brand == c.brand else "rival"
            rows.append(
                f"<tr><td>{html.escape(name)}</td><td>{html.escape(brand)} ({role})</td>"
                f"<td>{html.escape(strategy(plans.get(brand)))}</td></tr>"
            )
    default = type(market)().to_dict()
    changed = [
        (f"{section}.{key}", value, default[section][key])
        for section, fields in market.to_dict().items()
        for key, value in fields.items()
        if value != default[section][key]
    ]
    market_rows = (
        "".join(
            f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v))}</td>"
            f"<td>{html.escape(str(d))}</td></tr>"
            for k, v, d in changed
        )
        or "<tr><td colspan='3'>the calibrated default market</td></tr>"
    )
    return (
        "<table class='summary'><tr><th>alternative</th><th>brand</th><th>strategy</th></tr>"
        + "".join(rows)
        + "</table><h3>Market: what differs from the calibrated default</h3>"
        + "<table class='summary'><tr><th>field</th><th>here</th><th>default</th></tr>"
        + market_rows
        + "</table>"
    )


def table_html(c: Comparison) -> str:
    """The summary table as HTML (for reports and notebooks); bold rows have an interval
    that excludes zero.

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
        >>> c = buyernet.compare(m, {"q": buyernet.Strategy.quantum(200),
        ...                          "p": buyernet.Strategy.planetary(200)},
        ...                      periods=4, replicates=2, seed=1)
        >>> table_html(c).startswith("<table class='summary'><tr><th>metric</th><th>unit</th>")
        True
    """
    head = (
        "<tr><th>metric</th><th>unit</th><th>" + html.escape(c.baseline) + "</th>"
        "<th>alternative</th><th>difference</th><th>95% interval</th><th>reading</th></tr>"
    )
    body = []
    rows = summary_rows(c)
    for d in rows:
        mark = " style='font-weight:bold'" if d["significant"] else ""
        fmt, sign = _formatter(d["unit"]), _formatter(d["unit"], signed=True)
        body.append(
            f"<tr{mark}><td>{html.escape(d['metric'])}</td>"
            f"<td>{html.escape(_unit_label(d['unit']))}</td><td>{fmt(d['baseline_mean'])}</td>"
            f"<td>{html.escape(d['alternative'])}: {fmt(d['alternative_mean'])}</td>"
            f"<td>{sign(d['difference'])}</td>"
            f"<td>[{sign(d['low'])}, {sign(d['high'])}]</td><td>{_reading(d)}</td></tr>"
        )
    lines = "".join(f"<p>{html.escape(line)}</p>" for line in _headlines(rows, c.baseline))
    return f"<table class='summary'>{head}{''.join(body)}</table>{lines}"


def comparison_html(c: Comparison) -> str:
    """A comparison in a notebook: what it is, and its summary table.

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
        >>> c = buyernet.compare(m, {"q": buyernet.Strategy.quantum(200),
        ...                          "p": buyernet.Strategy.planetary(200)},
        ...                      periods=4, replicates=2, seed=1)
        >>> comparison_html(c)[:22]
        '<p>Comparison(brand=&#'
    """
    return f"<p>{html.escape(repr(c))}</p>{table_html(c)}"


def results_html(r: Results) -> str:
    """Results in a notebook: each per-run outcome's mean over replicates, per brand.

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
        >>> "<td>wins</td>" in results_html(buyernet.simulate(m, periods=4, replicates=2, seed=1))
        True
    """
    m = r.run_metrics()

    def cell(v: Any) -> str:
        v = v[~np.isnan(v)]
        return f"<td>{v.mean():,.4g}</td>" if len(v) else "<td>–</td>"

    rows = "".join(
        f"<tr><td>{html.escape(k)}</td>"
        + "".join(cell(m[k][:, b]) for b in range(m[k].shape[1]))
        + "</tr>"
        for k in m
    )
    head = "".join(f"<th>{html.escape(n)}</th>" for n in r.market.brand_names)
    return (
        f"<p>{html.escape(repr(r))}; per-run means over replicates</p>"
        f"<table><tr><th>metric</th>{head}</tr>{rows}</table>"
    )


def winners_text(result: Sweep, metric: str = "wins") -> str:
    """Which alternative wins at each grid point of a sweep, as text.

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
        >>> s = buyernet.sweep(m, {"q": buyernet.Strategy.quantum(200),
        ...                        "p": buyernet.Strategy.planetary(200)},
        ...                    grid={"needs.observability": [0.05, 0.5]}, periods=4,
        ...                    replicates=2, seed=1)
        >>> winners_text(s).splitlines()[0].split(" (")[0]
        'winner by wins at each grid point'
    """
    better = OUTCOME[metric].better if metric in OUTCOME else ""
    head = (
        f"winner by {metric} at each grid point ({better or 'higher'} is better; a winner "
        "beats every other alternative with a paired 95% interval that excludes zero; "
        "margin: its lead over the runner-up, positive when better):"
    )
    show = _formatter(OUTCOME[metric].unit if metric in OUTCOME else "", signed=True)
    table = result.winners(metric)
    return f"{head}\n{table.to_string(formatters={k: show for k in ('margin', 'low', 'high')})}"


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def html_report(
    c: Comparison,
    scenario_toml: str,
    meta: dict[str, Any],
    curves: Mapping[str, ResponseCurve] | None = None,
) -> str:
    """The self-contained report. It leads with money: each alternative's spend,
    incremental revenue and ROI; spend over time; cumulative incremental gross profit with
    its band; ROI per alternative with its interval (:data:`~buyernet.charts.MONEY_CHARTS`);
    the response curves; spend by campaign. Then the paired differences, the market's
    charts, the scenario and the seed.

    ``meta`` is the run's record (``run.json``): at least ``replicates``, ``periods``,
    ``seed`` and ``version``. ``curves``: response curves by alternative (none: no section).

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
        >>> c = buyernet.compare(m, {"q": buyernet.Strategy.quantum(200),
        ...                          "p": buyernet.Strategy.planetary(200)},
        ...                      periods=4, replicates=2, seed=1)
        >>> meta = {"replicates": 2, "periods": 4, "seed": 1, "version": "x"}
        >>> html_report(c, "", meta).startswith("<!DOCTYPE html>")
        True
    """

    def figure(name: str) -> str:
        return (
            f"<figure><img alt='{name}' src='data:image/png;base64,{_png(chart(c, name))}'>"
            f"<figcaption>{html.escape(CAPTIONS[name])}</figcaption></figure>"
        )

    money_charts = "".join(figure(name) for name in MONEY_CHARTS)
    charts = "".join(figure(name) for name in CHARTS if name not in MONEY_CHARTS)
    curve_html = curves_html(curves or {})
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
{money_html(c)}
{money_charts}
{curve_html}
{campaigns_html(c)}
<h2>Paired differences</h2>
{table_html(c)}
{charts}
<h2>Scenario</h2>
{scenario_html(c)}
<details><summary>The full scenario file (rerun it with <code>buyernet run</code>)</summary>
<pre>{html.escape(scenario_toml)}</pre></details>
<h2>Run</h2>
<pre>{html.escape(json.dumps(meta, indent=2))}</pre>
</body></html>
"""


def sweep_report(result: Sweep, metric: str, sweep_toml: str, meta: dict[str, Any]) -> str:
    """The sweep's self-contained report: the winner chart and the paired comparisons.

    ``meta`` is the sweep's record (``run.json``): at least ``tasks``, ``from_checkpoint``
    and ``version``.

    Example:
        >>> import buyernet
        >>> m = buyernet.Market().replace(population={"people": 2_000, "companies": 100})
        >>> s = buyernet.sweep(m, {"q": buyernet.Strategy.quantum(200),
        ...                        "p": buyernet.Strategy.planetary(200)},
        ...                    grid={"needs.observability": [0.05, 0.5]}, periods=4,
        ...                    replicates=2, seed=1)
        >>> meta = {"tasks": 2, "from_checkpoint": 0, "version": "x"}
        >>> "<h2>Paired differences in wins</h2>" in sweep_report(s, "wins", "", meta)
        True
    """
    unit = OUTCOME[metric].unit if metric in OUTCOME else ""
    better = OUTCOME[metric].better if metric in OUTCOME else ""
    show, signed = _formatter(unit), _formatter(unit, signed=True)
    grid = [html.escape(k) for k in result.grid]
    comparisons = result.comparisons((metric,))
    cells = []
    for _, r in comparisons.iterrows():
        clear = r["low"] > 0 or r["high"] < 0
        verdict = reading(better, float(r["difference"]), bool(clear))
        cells.append(
            "<tr>"
            + "".join(f"<td>{html.escape(str(r[k]))}</td>" for k in result.grid)
            + f"<td>{html.escape(str(r['alternative']))}</td>"
            + f"<td>{signed(float(r['difference']))}</td><td>[{signed(float(r['low']))}, "
            + f"{signed(float(r['high']))}]</td><td>{int(r['replicates'])}</td>"
            + f"<td>{'*' if clear else ''} {verdict}</td></tr>"
        )
    table = (
        "<table class='summary'><tr>"
        + "".join(f"<th>{k}</th>" for k in grid)
        + f"<th>alternative</th><th>difference ({html.escape(unit)})</th>"
        + "<th>95% interval</th><th>replicates</th><th>reading</th></tr>"
        + "".join(cells)
        + "</table>"
    )
    winners = result.winners(metric)
    lead_rows = []
    for _, w in winners.iterrows():
        lead = (
            f"{show(abs(float(w['margin'])))} {'lower' if better == 'lower' else 'higher'}"
            if math.isfinite(float(w["margin"]))
            else "n/a"
        )
        lead_rows.append(
            "<tr>"
            + "".join(f"<td>{html.escape(str(w[k]))}</td>" for k in result.grid)
            + f"<td>{html.escape(str(w['winner']))}</td>"
            + f"<td>{html.escape(str(w['leader']))}</td><td>{lead}</td></tr>"
        )
    winners_table = (
        "<table class='summary'><tr>"
        + "".join(f"<th>{k}</th>" for k in grid)
        + "<th>winner</th><th>leader</th><th>lead over the runner-up (mean)</th></tr>"
        + "".join(lead_rows)
        + "</table>"
    )
    direction = {"lower": "lower is better", "higher": "higher is better"}.get(
        better, "the highest leads"
    )
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
<figure><img alt='winner' src='data:image/png;base64,{image}'><figcaption>The alternative
that clearly wins {html.escape(metric)} ({direction}) at each grid point: its paired 95% interval
against every other alternative excludes zero in its favour; grey where none does. The label
gives the leader's lead in the mean.</figcaption></figure>
<h2>Winners</h2>
{winners_table}
<h2>Paired differences in {html.escape(metric)}</h2>
{table}
<h2>Sweep file</h2>
<pre>{html.escape(sweep_toml)}</pre>
</body></html>
"""
