"""The peer of the market benchmark: careers and needs as a Mesa 3 model.

Only careers and needs, with the same rules and hazards as buyernet's default market:
level-dependent weekly career events, promotions, moves mostly within the industry in
proportion to company size, need onsets and ends. Mesa does less work than buyernet here,
so the ratio understates the gap. Run by ``benches/market.py`` in its own process.
"""

from __future__ import annotations

import bisect
import math
import time
from typing import Any

from measure import peak_rss_mb

WEEKS = 208


def weekly_hazards(target: float, shares: list[float], multipliers: list[float]) -> list[float]:
    """The weekly event probability per level that meets the 4-year target (as the engine)."""

    def changed(h: float) -> float:
        return sum(s * (1 - math.exp(-h * m * WEEKS)) for s, m in zip(shares, multipliers))

    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if changed(mid) < target else (lo, mid)
    return [1 - math.exp(-lo * m) for m in multipliers]


def run_mesa(people: int, companies: int, weeks: int) -> dict:
    """Careers and needs as a Mesa 3 model, with the engine's default parameters."""
    import random

    import mesa

    import buyernet

    d = buyernet.Market()
    hazards = weekly_hazards(
        d.careers.change_within_4_years,
        list(d.population.level_shares),
        list(d.careers.level_hazard),
    )
    end = 1 / d.needs.mean_need_weeks
    onset = d.needs.in_market_share * end / (1 - d.needs.in_market_share)

    class Company(mesa.Agent):
        def __init__(self, model: Any, industry: int) -> None:
            super().__init__(model)
            self.industry = industry
            self.open = False

        def step(self) -> None:
            if self.open:
                self.open = self.random.random() >= end
            else:
                self.open = self.random.random() < onset

    class Person(mesa.Agent):
        def __init__(self, model: Any, company: Any, level: int, function: int) -> None:
            super().__init__(model)
            self.company, self.level, self.function = company, level, function
            self.changed = False

        def step(self) -> None:
            rnd = self.random
            if rnd.random() >= hazards[self.level]:
                return
            self.changed = True
            model = self.model
            c = d.careers
            if (rnd.random() < c.internal_promotion_share) and self.level < 4:
                self.level += 1
                return
            pool, cumulative = (
                model.by_industry[self.company.industry]
                if rnd.random() < c.same_industry
                else model.everyone
            )
            while True:
                dest = pool[bisect.bisect(cumulative, rnd.random() * cumulative[-1])]
                if dest is not self.company:
                    break
            self.company = dest
            if rnd.random() < c.promotion_on_move and self.level < 4:
                self.level += 1
            if rnd.random() < c.function_change:
                self.function = rnd.randrange(8)

    class MarketModel(mesa.Model):
        def __init__(self, seed: int) -> None:
            super().__init__(seed=seed)
            rng = random.Random(seed)
            weights = [rng.random() ** (-1 / d.population.size_tail) for _ in range(companies)]
            firms = [Company(self, rng.randrange(d.population.industries)) for _ in weights]
            self.firms = firms

            def cumulate(items: list[int]) -> tuple[list[Any], list[float]]:
                acc, out = 0.0, []
                for i in items:
                    acc += weights[i]
                    out.append(acc)
                return [firms[i] for i in items], out

            self.everyone = cumulate(list(range(companies)))
            self.by_industry = {
                k: cumulate([i for i, f in enumerate(firms) if f.industry == k])
                for k in {f.industry for f in firms}
            }
            for _ in range(people):
                pool, cum = self.everyone
                firm = pool[bisect.bisect(cum, rng.random() * cum[-1])]
                Person(self, firm, rng.choices(range(5), d.population.level_shares)[0], 0)

        def step(self) -> None:
            self.agents.do("step")

    start = time.perf_counter()
    model = MarketModel(seed=1)
    setup = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(weeks):
        model.step()
    seconds = time.perf_counter() - start
    persons = [a for a in model.agents if isinstance(a, Person)]
    return {
        "setup_s": setup,
        "seconds": seconds,
        "weeks": weeks,
        "person_periods_per_s": people * weeks / (seconds + setup),
        "stepping_per_s": people * weeks / seconds,
        "peak_mb": peak_rss_mb(),
        "career_changed": sum(p.changed for p in persons) / people,
        "in_market": sum(f.open for f in model.firms) / companies,
    }
