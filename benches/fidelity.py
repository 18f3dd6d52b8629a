#!/usr/bin/env python3
"""The fidelity table: each published fact about B2B buying and advertising, what the
default market measures (with a 95% interval over replicates), the published value and its
source, and whether the measure meets its target.

    python benches/fidelity.py                         # 50k people, 16 replicates, 208 weeks
    python benches/fidelity.py --people 20000 --replicates 8 --json

Everything comes from one :func:`buyernet.compare` of the calibrated default market
(scaled to ``--people``, companies = people / 20) with the built-in scenario's rivals (a
quantum and a planetary rival at 5% of the people a week) and our brand playing eleven
arms on the same market draws: no budget, the quantum preset at half, one and two times the
default budget, its brand share from 0 to 1, its brand and demand parts alone, and a brand
burst that stops after 26 weeks. Market facts are read from the quantum arm (the default
plan); an unadvertised brand's memory from the arm with no budget.

Intervals are 95% Student-t intervals over replicates: ratios of totals use the delta method
on per-replicate totals, paired differences the per-replicate differences, the best brand
share a bootstrap over replicates. ``tests/test_fidelity.py`` checks the same rows at a size
CI affords.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

import buyernet
from buyernet import Media, Strategy, Timing
from buyernet.comparison import synergy_arms
from buyernet.scenario import BUDGET
from buyernet.stats import interval, paired_difference, ratio_interval

#: Brand shares of the broad always-on plan searched for the revenue-maximising one.
BRAND_SHARES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
#: Weeks the stopped brand burst runs before going dark.
BURST_WEEKS = 26


@dataclass(frozen=True)
class Row:
    """One fact: the measured value with its 95% interval, the published value, its source
    and the range counted as meeting it (``None``: shown, not judged).

    ``whole_interval``: the whole interval must lie above the target's low end (strictly:
    a significant effect) and at or below its high end, not only the value.
    """

    fact: str
    value: float
    low: float
    high: float
    published: str
    source: str
    target: tuple[float, float] | None = None
    whole_interval: bool = False
    digits: int = 2

    @property
    def meets(self) -> bool | None:
        """Whether the measure meets the target (None without a target or a value)."""
        if self.target is None or math.isnan(self.value):
            return None
        lo, hi = self.target
        if self.whole_interval:
            return bool(lo < self.low and self.high <= hi)
        return bool(lo <= self.value <= hi)

    def measured(self) -> str:
        """The value and its interval as text."""
        if math.isnan(self.value):
            return "n/a"
        f = f"{{:.{self.digits}f}}"
        if math.isnan(self.low) or math.isnan(self.high):
            return f.format(self.value)
        return f"{f.format(self.value)} [{f.format(self.low)}, {f.format(self.high)}]"


def ratio_of_totals(num: Any, den: Any) -> tuple[float, float, float]:
    """sum(num) / sum(den) over replicates with its delta-method 95% interval."""
    i = ratio_interval(num, den)
    return i.mean, i.low, i.high


def elasticity(doubled: Any, base: Any) -> tuple[float, float, float]:
    """The elasticity of a total to a doubling of budget, log2(sum(doubled) / sum(base)),
    with the 95% interval of the ratio carried through the logarithm.
    """
    r, low, high = ratio_of_totals(doubled, base)
    return math.log2(r), math.log2(low), math.log2(high)


def ratio_of_elasticities(half: Any, base: Any, doubled: Any) -> tuple[float, float, float]:
    """The elasticity from 1x to 2x over the one from 1/2x to 1x, with a 95% bootstrap
    interval over replicates (1,000 resamples, a fixed generator).
    """

    def value(i: Any) -> float:
        low = math.log2(base[i].sum() / half[i].sum())
        return math.log2(doubled[i].sum() / base[i].sum()) / low if low > 0 else math.nan

    n = len(base)
    rng = np.random.default_rng(0)
    boot = [value(rng.integers(0, n, n)) for _ in range(1_000)]
    return (
        value(np.arange(n)),
        float(np.nanquantile(boot, 0.025)),
        float(np.nanquantile(boot, 0.975)),
    )


def mean_of(values: Any) -> tuple[float, float, float]:
    """The mean over replicates with its Student-t 95% interval."""
    i = interval(values)
    return i.mean, i.low, i.high


def plans(market: buyernet.Market, budget: float) -> dict[str, Strategy]:
    """Our brand's arms (see the module doc)."""
    quantum = Strategy.quantum(budget)
    share = quantum.brand_share
    parts = synergy_arms(market, quantum)
    arms = {
        "neither": parts["neither"],
        "quantum": quantum,
        "half": quantum.replace(budget=budget / 2),
        "double": quantum.replace(budget=budget * 2),
        "brand": parts["brand"],
        "demand": parts["demand"],
        # A flighted plan spends the always-on total in its bursts: scale it so the burst
        # weeks get what the quantum plan buys (in impressions: the burst measures memory,
        # not prices).
        "burst": quantum.replace(
            budget=budget * BURST_WEEKS / 520 * 1000 / Media().base_cpm,
            unit="impressions",
            brand_share=1.0,
            timing=Timing.flighted(BURST_WEEKS, 520 - BURST_WEEKS),
        ),
    }
    for s in BRAND_SHARES:
        if s != share:
            arms[f"share {s:.1f}"] = quantum.replace(brand_share=s)
    return arms


def run(people: int, replicates: int, periods: int, seed: int, threads: int | None) -> Any:
    """The comparison every row is read from."""
    # The built-in scenario (money a week for 100k people) scaled to `people`, its fixed
    # costs (creative, intent data) with it.
    scale = people / 100_000
    media = Media()
    market = buyernet.Market().replace(
        population={"people": people, "companies": people // 20},
        media={"creative": media.creative * scale, "intent_data": media.intent_data * scale},
    )
    budget = BUDGET * scale
    rivals = {"rival_1": Strategy.quantum(budget), "rival_2": Strategy.planetary(budget)}
    return buyernet.compare(
        market,
        plans(market, budget),
        brand="us",
        rivals=rivals,
        baseline="neither",
        periods=periods,
        replicates=replicates,
        seed=seed,
        threads=threads,
        dark=False,  # "neither" is our brand dark
    )


def per_replicate(deals: dict[str, Any], replicates: int, where: Any) -> Any:
    """The number of deals per replicate among those ``where`` marks."""
    return np.bincount(deals["replicate"][where], minlength=replicates).astype(float)


def rows(c: Any) -> list[Row]:
    """Every row of the fidelity table, from the comparison :func:`run` made."""
    quantum = c.results["quantum"]
    market = quantum.market
    n, periods = quantum.replicates, quantum.periods
    people, companies = market.population.people, market.population.companies
    deals = quantum.deals
    everyone = np.ones(len(deals["replicate"]), dtype=bool)
    bought = deals["brand"] >= 0
    out: list[Row] = []

    # -- group decisions --------------------------------------------------------------------
    ceb = {1: 0.81, 2: 0.55, 3: 0.60, 6: 0.31}
    for k, published in ceb.items():
        size = deals["committee_size"] == k
        out.append(
            Row(
                f"purchase chance, buying group of {k}",
                *ratio_of_totals(
                    per_replicate(deals, n, size & bought), per_replicate(deals, n, size)
                ),
                published=f"{published:.2f}",
                source="CEB/Challenger buyer research",
                target=(published - 0.07, published + 0.07),
            )
        )
    out.append(
        Row(
            "no decision, share of needs that reach a decision",
            *ratio_of_totals(per_replicate(deals, n, ~bought), per_replicate(deals, n, everyone)),
            published="0.40-0.60 of qualified pipeline",
            source="Dixon & McKenna, HBR 2022",
            target=(0.40, 0.60),
        )
    )
    # -- where deals happen -----------------------------------------------------------------
    out.append(
        Row(
            "decisions at companies under 50 people, share",
            *ratio_of_totals(
                per_replicate(deals, n, deals["employees"] < 50), per_replicate(deals, n, everyone)
            ),
            published="deals come from firms that buy in the category",
            source="(shown, not judged)",
        )
    )
    sizes = np.bincount(
        deals["replicate"], weights=deals["committee_size"].astype(float), minlength=n
    )
    out.append(
        Row(
            "mean buying group at decision, people",
            *ratio_of_totals(sizes, per_replicate(deals, n, everyone)),
            published="6-10 (Gartner); 5.4-6.8 (CEB)",
            source="Gartner B2B buying survey; CEB/Challenger",
            target=(5.4, 10.0),
            digits=1,
        )
    )
    # -- demand, budget and brand share -----------------------------------------------------
    wins = {k: c.values("wins", k) for k in c.results}
    revenue = {k: c.values("revenue", k) for k in c.results}
    d = paired_difference(wins["demand"], wins["neither"])
    out.append(
        Row(
            "demand-only campaign, extra wins over no campaign",
            d.mean,
            d.low,
            d.high,
            published="activation gives the larger effect in the first months",
            source="Binet & Field, The Long and the Short of It (2013)",
            target=(0.0, math.inf),
            whole_interval=True,
            digits=1,
        )
    )
    share_arms = [("quantum" if s == 0.6 else f"share {s:.1f}") for s in BRAND_SHARES]
    by_share = np.stack([revenue[a] for a in share_arms], axis=1)  # [replicate, share]
    best = BRAND_SHARES[int(np.argmax(by_share.mean(axis=0)))]
    rng = np.random.default_rng(0)
    boot = [
        BRAND_SHARES[int(np.argmax(by_share[rng.integers(0, n, n)].mean(axis=0)))]
        for _ in range(1_000)
    ]
    out.append(
        Row(
            "revenue-maximising brand share, broad always-on plan",
            best,
            float(np.quantile(boot, 0.025)),
            float(np.quantile(boot, 0.975)),
            published="interior (neither all brand nor all demand)",
            source="Binet & Field, B2B Institute 2019 (46:54 in B2B)",
            target=(0.01, 0.99),
            digits=1,
        )
    )
    # Elasticity of revenue to budget from one doubling: log2(revenue at 2x / at 1x), in the
    # first year (short run) and over the whole run (long run), and whether it falls as
    # spend rises (the doubling from 1x to 2x against the one from 1/2x to 1x).
    weekly = {k: c.results[k].series("revenue")[:, :, 0] for k in ("half", "quantum", "double")}
    first_year = {k: v[:, : min(52, periods)].sum(axis=1) for k, v in weekly.items()}
    out.append(
        Row(
            "elasticity of revenue to budget, year one (1x to 2x)",
            *elasticity(first_year["double"], first_year["quantum"]),
            published="~0.1 short run (0.05-0.15)",
            source="Sethuraman, Tellis & Briesch 2011",
            target=(0.05, 0.15),
        )
    )
    out.append(
        Row(
            f"elasticity of revenue to budget, {periods} weeks (1x to 2x)",
            *elasticity(revenue["double"], revenue["quantum"]),
            published="~0.24 long run; at most ~0.3 over four years",
            source="Sethuraman, Tellis & Briesch 2011",
            target=(0.05, 0.3),
        )
    )
    out.append(
        Row(
            "elasticity at 1x to 2x / at 1/2x to 1x (falls as spend rises)",
            *ratio_of_elasticities(revenue["half"], revenue["quantum"], revenue["double"]),
            published="below 1 (elasticity falls as spend rises)",
            source="Sethuraman, Tellis & Briesch 2011; Hanssens, Parsons & Schultz 2001",
            target=(0.0, 1.0),
        )
    )
    # Concave: the second doubling adds less per impression than the first.
    first = revenue["quantum"] - revenue["half"]
    second = (revenue["double"] - revenue["quantum"]) / 2
    out.append(
        Row(
            "revenue per extra impression, 2nd doubling / 1st",
            *ratio_of_totals(second, first),
            published="below 1 (diminishing returns)",
            source="Sethuraman, Tellis & Briesch 2011",
            target=(0.0, 1.0),
        )
    )
    # -- memory and the hourglass -----------------------------------------------------------
    stages = list(buyernet.STAGES)
    know, like = stages.index("know"), stages.index("like")
    dark = c.results["neither"].hourglass[:, :, 0, :]  # our brand, never advertised
    year = min(52, periods) - 1
    out.append(
        Row(
            f"awareness with no advertising, week {year + 1} / week 1",
            *ratio_of_totals(dark[:, year, know], dark[:, 0, know]),
            published="awareness persists for years",
            source="Ehrenberg-Bass; Binet & Field",
            target=(0.8, 1.25),
        )
    )
    h = quantum.hourglass
    nested = (h[..., like] <= h[..., know]).mean(axis=(1, 2))
    out.append(
        Row(
            "hourglass nested: share of brand-weeks with like <= know",
            *mean_of(nested),
            published="nested stages",
            source="the hourglass (know, like, trust, try, buy, repeat, refer)",
            target=(0.99, 1.0),
        )
    )
    out.append(half_life_row(c))
    # -- the start of a run -----------------------------------------------------------------
    total_revenue = quantum.series("revenue").sum(axis=2)  # [replicate, period]
    if periods >= 104:
        out.append(
            Row(
                "revenue, last year / first year (all brands)",
                *ratio_of_totals(total_revenue[:, -52:].sum(1), total_revenue[:, :52].sum(1)),
                published="steady: most B2B buyers have an incumbent",
                source="Dawes, Ehrenberg-Bass 95-5 rule",
                target=(0.8, 1.25),
            )
        )
    customers = quantum.series("customers").sum(axis=2)
    out.append(
        Row(
            "companies with an incumbent supplier, week 1",
            *mean_of(customers[:, 0] / companies),
            published="most",
            source="Dawes, Ehrenberg-Bass 95-5 rule",
            target=(0.5, 1.0),
        )
    )
    out.append(
        Row(
            "companies in market",
            *mean_of(quantum.series("in_market_share").mean(axis=1)),
            published="0.05",
            source="Ehrenberg-Bass / B2B Institute 95-5 rule",
            target=(0.04, 0.06),
            digits=3,
        )
    )
    # -- careers ----------------------------------------------------------------------------
    changed = quantum.series("career_changed_share")
    if periods >= 52:
        out.append(
            Row(
                "persona churn in a year (company, function or seniority)",
                *mean_of(changed[:, 51]),
                published="0.15-0.17",
                source="Salesforce Research with LinkedIn data, 2017",
                target=(0.15, 0.17),
                digits=3,
            )
        )
    if periods >= 208:
        out.append(
            Row(
                "changed company, function or seniority in 4 years",
                *mean_of(changed[:, 207]),
                published="0.40",
                source="LinkedIn member data",
                target=(0.38, 0.42),
                digits=3,
            )
        )
    movers = quantum.series("movers").sum(axis=1)
    out.append(
        Row(
            "company changers who also change function",
            *ratio_of_totals(quantum.series("function_changers").sum(axis=1), movers),
            published="about 1 in 3",
            source="LinkedIn, Why & How People Change Jobs, 2015",
            target=(0.28, 0.38),
        )
    )
    out.append(
        Row(
            "employer changes per person a month",
            *mean_of(movers / people / periods * 52 / 12),
            published="0.026 (all US workers)",
            source="Fallick & Fleischman 2004",
            target=(0.02, 0.032),
            digits=4,
        )
    )
    tenure = quantum.series("tenure_median_weeks")
    for week in (0, periods - 1):
        out.append(
            Row(
                f"median tenure with the current employer, week {week + 1}, years",
                *mean_of(tenure[:, week] / 52),
                published="~4 years (4.1 in 2022, 3.9 in 2024)",
                source="US BLS Employee Tenure",
                target=(3.5, 5.0),
                digits=1,
            )
        )
    out.append(synergy_row(c))
    return out


def half_life_row(c: Any) -> Row:
    """Weeks for the memory a brand burst added to halve once it stops: the excess memory
    over the no-campaign arm among people on open committees (paired), fitted on the
    16 weeks after the burst.
    """
    burst = c.results["burst"].series("memory_mean")[:, :, 0]
    neither = c.results["neither"].series("memory_mean")[:, :, 0]
    weeks = np.arange(BURST_WEEKS, min(BURST_WEEKS + 16, burst.shape[1]))
    excess = burst[:, weeks] - neither[:, weeks]
    nan = (math.nan, math.nan, math.nan)

    def half_life(x: Any) -> float:
        if len(weeks) < 4 or np.any(x <= 0):
            return math.nan
        slope = np.polyfit(weeks, np.log(x), 1)[0]
        return math.log(0.5) / slope if slope < 0 else math.inf

    value = half_life(excess.mean(axis=0))
    per_replicate = [half_life(x) for x in excess]
    spread = mean_of([x for x in per_replicate if math.isfinite(x)]) if per_replicate else nan
    configured = c.results["burst"].market.brands.memory_half_life_weeks
    return Row(
        "memory half-life after a brand burst stops, weeks",
        value,
        spread[1],
        spread[2],
        published=f"2-12 weeks (configured {configured:g})",
        source="advertising half-lives (brands.memory_half_life_weeks)",
        target=(2.0, 12.0),
        digits=1,
    )


def synergy_row(c: Any) -> Row:
    """The brand-demand interaction on our wins, relative to no campaign (paired): what
    :func:`buyernet.synergy` reports as ``relative`` for the quantum plan.
    """
    w = {k: c.values("wins", k) for k in ("quantum", "brand", "demand", "neither")}
    interaction = w["quantum"] - w["brand"] - w["demand"] + w["neither"]
    r, lo, hi = ratio_of_totals(interaction, w["neither"])
    return Row(
        "synergy: (both - brand - demand + neither) / neither, wins",
        r,
        lo,
        hi,
        published="well defined, finite interval",
        source="-",
        digits=3,
    )


def table(measured: Sequence[Row]) -> str:
    """The rows as a Markdown table."""
    head = (
        "| fact | buyernet (95% interval) | published | source | meets |\n"
        "| --- | --- | --- | --- | --- |"
    )
    verdict = {True: "yes", False: "**no**", None: "-"}
    lines = [head]
    for r in measured:
        lines.append(
            f"| {r.fact} | {r.measured()} | {r.published} | {r.source} | {verdict[r.meets]} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None, out: Callable[[str], object] = print) -> int:
    """Run the comparison and print the table (or JSON)."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--people", type=int, default=50_000)
    p.add_argument("--replicates", type=int, default=16)
    p.add_argument("--periods", type=int, default=208)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = p.parse_args(argv)
    c = run(args.people, args.replicates, args.periods, args.seed, args.threads)
    measured = rows(c)
    if args.json:
        out(json.dumps([{**asdict(r), "meets": r.meets} for r in measured], indent=1))
    else:
        out(
            f"buyernet {buyernet.__version__}: default market at {args.people:,} people, "
            f"{args.periods} weeks, {args.replicates} paired replicates, seed {args.seed}\n"
        )
        out(table(measured))
        met = sum(r.meets is True for r in measured)
        judged = sum(r.meets is not None for r in measured)
        out(f"\n{met} of {judged} judged facts met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
