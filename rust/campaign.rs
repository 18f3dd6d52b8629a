//! Campaigns: a strategy at work in one replicate: its audience, its impressions, and what
//! each impression does to the person it lands on.
//!
//! The audience is kept up to date incrementally: it is built once, and each period only
//! the people whose job changed are re-checked, so a period costs its impressions, not a
//! pass over everyone. Impressions are drawn with replacement (the same person can be hit
//! several times: frequency). Intent-triggered campaigns draw from the employees of the
//! accounts with a live signal who are in the audience.

use crate::committee::CommitteesConfig;
use crate::customers::CustomersConfig;
use crate::errors::{Error, Result, try_filled};
use crate::population::Population;
use crate::rng::{Stream, below, open_unit};
use crate::signals::Signals;
use crate::strategy::{Creative, Strategy, Targeting, Timing};

/// How people respond to advertising, and how readily they share it.
#[derive(Clone, Debug, PartialEq)]
pub struct AdvertisingConfig {
    /// Share of the gap to full memory that one perfectly landing brand impression closes.
    pub brand_lift: f64,
    /// Share of the gap to full liking that one perfectly landing brand impression closes.
    pub attitude_lift: f64,
    /// Share of the gap to full activation that one perfectly landing demand impression
    /// closes in a committee member who fully remembers the brand (it scales with memory).
    pub demand_lift: f64,
    /// How much of that a demand impression does to someone not on an open committee.
    pub demand_off_committee: f64,
    /// Probability that someone reached by perfectly landing creative of shareability 1
    /// shares it.
    pub share_rate: f64,
    /// Probability that a tie of weight 1 passes on shared creative of shareability 1.
    pub pass_rate: f64,
    /// Taste distance at which a taste-dependent creative stops landing.
    pub taste_width: f64,
}

impl Default for AdvertisingConfig {
    fn default() -> Self {
        Self {
            brand_lift: 0.15,
            attitude_lift: 0.05,
            demand_lift: 0.3,
            demand_off_committee: 0.1,
            share_rate: 0.02,
            pass_rate: 0.1,
            taste_width: 0.2,
        }
    }
}

impl AdvertisingConfig {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        for (name, x) in [
            ("brand_lift", self.brand_lift),
            ("attitude_lift", self.attitude_lift),
            ("demand_lift", self.demand_lift),
            ("demand_off_committee", self.demand_off_committee),
            ("share_rate", self.share_rate),
            ("pass_rate", self.pass_rate),
        ] {
            if !(0.0..=1.0).contains(&x) {
                return Err(Error::out_of_range(name, x, "in [0, 1]"));
            }
        }
        if !(self.taste_width > 0.0 && self.taste_width <= 1.0) {
            return Err(Error::out_of_range(
                "taste_width",
                self.taste_width,
                "in (0, 1]",
            ));
        }
        Ok(())
    }
}

impl Creative {
    /// How well an impression lands on someone of `taste`, in [0, 1]: resonance, less what
    /// the taste mismatch costs. A personalized creative aims at its guess of the person's
    /// taste (right with probability `accuracy`, else a random taste); a shared copy was
    /// tailored to someone else (`own_copy: false`), so it aims at a random taste.
    #[inline]
    pub fn quality(&self, taste: f32, own_copy: bool, width: f64, rng: &mut Stream) -> f64 {
        if self.taste_dependence <= 0.0 {
            return self.resonance;
        }
        let aim = if self.tailored {
            if own_copy && open_unit(rng) <= self.accuracy {
                f64::from(taste)
            } else {
                open_unit(rng)
            }
        } else {
            self.aim
        };
        let miss = ((f64::from(taste) - aim).abs() / width).min(1.0);
        self.resonance * (1.0 - self.taste_dependence * miss)
    }
}

const OUT: u32 = u32::MAX;

/// Who can be shown the ads.
#[derive(Clone, Debug)]
enum Audience {
    /// Everyone who passes the targeting rule now, kept up to date as jobs change.
    Members { list: Vec<u32>, position: Vec<u32> },
    /// A fixed weight per person, sampled with an alias table.
    Weighted { alias: Alias, weights: Vec<f32> },
}

/// Walker's alias table: a draw in O(1) from a fixed discrete distribution.
#[derive(Clone, Debug)]
struct Alias {
    accept: Vec<f32>,
    other: Vec<u32>,
    total: f64,
}

impl Alias {
    fn new(weights: &[f32]) -> Result<Self> {
        let n = weights.len();
        let total: f64 = weights.iter().map(|&w| f64::from(w)).sum();
        let mut accept = try_filled(n, 1f32, "the targeting weights")?;
        let mut other: Vec<u32> = (0..n as u32).collect();
        if total > 0.0 {
            let scaled: Vec<f64> = weights
                .iter()
                .map(|&w| f64::from(w) * n as f64 / total)
                .collect();
            let (mut small, mut large): (Vec<usize>, Vec<usize>) =
                (0..n).partition(|&i| scaled[i] < 1.0);
            let mut scaled = scaled;
            while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
                small.pop();
                accept[s] = scaled[s] as f32;
                other[s] = l as u32;
                scaled[l] -= 1.0 - scaled[s];
                if scaled[l] < 1.0 {
                    large.pop();
                    small.push(l);
                }
            }
            // Leftovers are 1 up to rounding.
            for i in small.into_iter().chain(large) {
                accept[i] = 1.0;
            }
        }
        Ok(Self {
            accept,
            other,
            total,
        })
    }

    #[inline]
    fn draw(&self, rng: &mut Stream) -> u32 {
        let i = below(rng, self.accept.len() as u64) as usize;
        if (open_unit(rng) as f32) <= self.accept[i] {
            i as u32
        } else {
            self.other[i]
        }
    }
}

/// One brand's strategy at work.
#[derive(Clone, Debug)]
pub struct Campaign {
    pub strategy: Strategy,
    audience: Audience,
    /// Targeted accounts (narrow with accounts, or scored accounts).
    account: Vec<bool>,
    /// Value of each company's business (sale value at its starting size), for scoring.
    value: Vec<f64>,
    /// Scored people: the score at or above which a person is in the audience.
    threshold: f64,
    relevance: Vec<f64>,
    level_weight: Vec<f64>,
    /// Fractional impressions carried to the next period (budgets need not be integers).
    carry: f64,
    brand_carry: f64,
    /// Scratch: the audience at signalled accounts.
    triggered: Vec<u32>,
}

/// One period's paid impressions: the people hit (with repeats) and whether each was brand
/// (true) or demand (false).
#[derive(Clone, Debug, Default)]
pub struct Impressions {
    pub people: Vec<u32>,
    pub brand: Vec<bool>,
}

impl Campaign {
    /// Starts `strategy` in a market: builds its audience from everyone's current job.
    pub fn new(
        strategy: &Strategy,
        pop: &Population,
        committees: &CommitteesConfig,
        customers: &CustomersConfig,
    ) -> Result<Self> {
        let companies = pop.companies.employees.len();
        let value: Vec<f64> = pop
            .companies
            .employees
            .iter()
            .map(|e| customers.sale_value(e.len()))
            .collect();
        let mut account = vec![false; companies];
        match &strategy.targeting {
            Targeting::Narrow { accounts, .. } => {
                for &a in accounts {
                    account[a as usize] = true;
                }
            }
            Targeting::Scored {
                top_share,
                people: false,
            } => {
                let mut order: Vec<u32> = (0..companies as u32).collect();
                order.sort_by(|&a, &b| {
                    value[b as usize]
                        .total_cmp(&value[a as usize])
                        .then(a.cmp(&b))
                });
                let k = ((companies as f64 * top_share).ceil() as usize).clamp(1, companies);
                for &c in &order[..k] {
                    account[c as usize] = true;
                }
            }
            _ => {}
        }
        let mut campaign = Self {
            strategy: strategy.clone(),
            audience: Audience::Members {
                list: Vec::new(),
                position: Vec::new(),
            },
            account,
            value,
            threshold: 0.0,
            relevance: committees.function_relevance.clone(),
            level_weight: committees.level_weight.to_vec(),
            carry: 0.0,
            brand_carry: 0.0,
            triggered: Vec::new(),
        };
        if let Targeting::Scored {
            top_share,
            people: true,
        } = strategy.targeting
        {
            let mut scores: Vec<f64> = (0..pop.len() as u32)
                .map(|p| campaign.score(pop, p))
                .collect();
            let k = ((scores.len() as f64 * top_share).ceil() as usize).clamp(1, scores.len());
            scores.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
            campaign.threshold = scores[k - 1];
        }
        campaign.audience = match &strategy.targeting {
            Targeting::Weights(w) => Audience::Weighted {
                alias: Alias::new(w)?,
                weights: w.to_vec(),
            },
            _ => {
                let mut position = try_filled(pop.len(), OUT, "the audience")?;
                let mut list = Vec::new();
                for p in 0..pop.len() as u32 {
                    if campaign.eligible(pop, p) {
                        position[p as usize] = list.len() as u32;
                        list.push(p);
                    }
                }
                Audience::Members { list, position }
            }
        };
        Ok(campaign)
    }

    fn influence(&self, pop: &Population, p: u32) -> f64 {
        self.relevance[usize::from(pop.people.function[p as usize])]
            * self.level_weight[usize::from(pop.people.level[p as usize])]
    }

    fn score(&self, pop: &Population, p: u32) -> f64 {
        self.influence(pop, p) * self.value[pop.people.company[p as usize] as usize]
    }

    /// Whether person `p` passes the targeting rule in their current job.
    fn eligible(&self, pop: &Population, p: u32) -> bool {
        let i = p as usize;
        match &self.strategy.targeting {
            Targeting::Broad { min_influence } => {
                let x = self.influence(pop, p);
                x > 0.0 && x >= *min_influence
            }
            Targeting::Narrow {
                functions,
                min_level,
                accounts,
            } => {
                (functions.is_empty() || functions.contains(&pop.people.function[i]))
                    && pop.people.level[i] >= *min_level
                    && (accounts.is_empty() || self.account[pop.people.company[i] as usize])
            }
            Targeting::Scored { people: false, .. } => {
                self.account[pop.people.company[i] as usize] && self.influence(pop, p) > 0.0
            }
            Targeting::Scored { people: true, .. } => {
                let s = self.score(pop, p);
                s > 0.0 && s >= self.threshold
            }
            Targeting::Weights(w) => w[i] > 0.0,
        }
    }

    /// People in the audience now (for a weighted audience: people with weight > 0).
    pub fn audience_size(&self) -> usize {
        match &self.audience {
            Audience::Members { list, .. } => list.len(),
            Audience::Weighted { weights, .. } => weights.iter().filter(|&&w| w > 0.0).count(),
        }
    }

    /// Re-checks the people whose job changed this period.
    pub fn update(&mut self, pop: &Population, changed: &[u32]) {
        let verdicts: Vec<(u32, bool)> = match &self.audience {
            Audience::Members { .. } => changed
                .iter()
                .map(|&p| (p, self.eligible(pop, p)))
                .collect(),
            Audience::Weighted { .. } => return,
        };
        if let Audience::Members { list, position } = &mut self.audience {
            for (p, yes) in verdicts {
                let at = position[p as usize];
                if yes && at == OUT {
                    position[p as usize] = list.len() as u32;
                    list.push(p);
                } else if !yes && at != OUT {
                    list.swap_remove(at as usize);
                    if let Some(&moved) = list.get(at as usize) {
                        position[moved as usize] = at;
                    }
                    position[p as usize] = OUT;
                }
            }
        }
    }

    fn in_audience(&self, p: u32) -> bool {
        match &self.audience {
            Audience::Members { position, .. } => position[p as usize] != OUT,
            Audience::Weighted { weights, .. } => weights[p as usize] > 0.0,
        }
    }

    /// The impressions the budget buys in `period` (1-based) before timing's audience is
    /// known: flights concentrate the budget in their bursts; fractions carry over.
    fn budget_for(&mut self, period: u32) -> u64 {
        let factor = match self.strategy.timing {
            Timing::AlwaysOn | Timing::Triggered { .. } => 1.0,
            Timing::Flighted { on, off } => {
                if (period - 1) % (on + off) < on {
                    f64::from(on + off) / f64::from(on)
                } else {
                    0.0
                }
            }
        };
        let want = self.strategy.budget * factor + self.carry;
        let whole = want.floor();
        self.carry = want - whole;
        whole as u64
    }

    /// Draws period `period`'s impressions into `out`. Impressions equal the period's budget
    /// whenever the audience (at signalled accounts, for triggered timing) is not empty; an
    /// empty audience spends nothing.
    pub fn deliver(
        &mut self,
        period: u32,
        pop: &Population,
        signals: &Signals,
        rng: &mut Stream,
        out: &mut Impressions,
    ) {
        out.people.clear();
        out.brand.clear();
        let n = self.budget_for(period);
        if n == 0 {
            return;
        }
        if let Timing::Triggered { window } = self.strategy.timing {
            // Signals are read as of the end of the previous period.
            let mut triggered = std::mem::take(&mut self.triggered);
            triggered.clear();
            for c in signals.actionable(period - 1, window) {
                triggered.extend(
                    pop.companies.employees[c as usize]
                        .iter()
                        .copied()
                        .filter(|&p| self.in_audience(p)),
                );
            }
            // Employee lists change order as people move: sort so the draws below do not
            // depend on it.
            triggered.sort_unstable();
            if !triggered.is_empty() {
                for _ in 0..n {
                    out.people
                        .push(triggered[below(rng, triggered.len() as u64) as usize]);
                }
            }
            self.triggered = triggered;
        } else {
            match &self.audience {
                Audience::Members { list, .. } if !list.is_empty() => {
                    for _ in 0..n {
                        out.people
                            .push(list[below(rng, list.len() as u64) as usize]);
                    }
                }
                Audience::Weighted { alias, .. } if alias.total > 0.0 => {
                    for _ in 0..n {
                        out.people.push(alias.draw(rng));
                    }
                }
                _ => {}
            }
        }
        // In person order: the exposures that follow then walk memory forwards instead of
        // jumping about it (several times faster at a million people).
        out.people.sort_unstable();
        // Brand or demand, by a running split rather than a draw: exactly brand_share of
        // the impressions over time.
        for _ in 0..out.people.len() {
            self.brand_carry += self.strategy.brand_share;
            let brand = self.brand_carry >= 1.0 - 1e-12;
            if brand {
                self.brand_carry -= 1.0;
            }
            out.brand.push(brand);
        }
    }
}
