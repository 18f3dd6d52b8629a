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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::careers::{CareerEvents, Careers, CareersConfig};
    use crate::needs::{Needs, NeedsConfig};
    use crate::population::PopulationConfig;
    use crate::rng::{Subsystem, stream};

    fn population() -> Population {
        let config = PopulationConfig {
            people: 20_000,
            companies: 1_000,
            ..Default::default()
        };
        Population::draw(&config, &mut stream(5, Subsystem::Population, 0)).unwrap()
    }

    fn strategy(targeting: Targeting, timing: Timing, budget: f64) -> Strategy {
        Strategy {
            budget,
            brand_share: 0.3,
            targeting,
            creative: Creative::universal(),
            timing,
        }
    }

    fn members(c: &Campaign) -> Vec<u32> {
        match &c.audience {
            Audience::Members { list, .. } => {
                let mut v = list.clone();
                v.sort_unstable();
                v
            }
            Audience::Weighted { .. } => unreachable!(),
        }
    }

    #[test]
    fn audiences_follow_people_through_job_changes() {
        let mut pop = population();
        let (committees, customers) = (CommitteesConfig::default(), CustomersConfig::default());
        let targetings = [
            Targeting::Broad { min_influence: 1.0 },
            Targeting::Narrow {
                functions: vec![2, 7],
                min_level: 2,
                accounts: vec![],
            },
            Targeting::Narrow {
                functions: vec![],
                min_level: 0,
                accounts: vec![3, 10, 400],
            },
            Targeting::Scored {
                top_share: 0.05,
                people: false,
            },
            Targeting::Scored {
                top_share: 0.1,
                people: true,
            },
        ];
        let mut campaigns: Vec<Campaign> = targetings
            .iter()
            .map(|t| {
                Campaign::new(
                    &strategy(t.clone(), Timing::AlwaysOn, 10.0),
                    &pop,
                    &committees,
                    &customers,
                )
                .unwrap()
            })
            .collect();
        let mut careers = Careers::new(
            &CareersConfig {
                change_within_4_years: 0.9,
                ..Default::default()
            },
            &PopulationConfig::default().level_shares,
            pop.len(),
        );
        let mut events = CareerEvents::default();
        let mut rng = stream(6, Subsystem::Careers, 0);
        for _ in 0..30 {
            careers.step(&mut pop, &mut rng, &mut events);
            for c in &mut campaigns {
                c.update(&pop, &events.changed);
            }
        }
        assert!(careers.changed_count > 1_000);
        for c in &campaigns {
            let expected: Vec<u32> = (0..pop.len() as u32)
                .filter(|&p| c.eligible(&pop, p))
                .collect();
            assert!(!expected.is_empty());
            assert_eq!(members(c), expected, "{:?}", c.strategy.targeting);
        }
        // Account lists hold exactly the employees of the accounts.
        let accounts = &campaigns[2];
        assert!(
            members(accounts)
                .iter()
                .all(|&p| [3, 10, 400].contains(&pop.people.company[p as usize]))
        );
    }

    #[test]
    fn impressions_equal_the_budget_and_flights_keep_the_total() {
        let pop = population();
        let signals = Signals::new(&NeedsConfig::default(), 1_000);
        let (committees, customers) = (CommitteesConfig::default(), CustomersConfig::default());
        let mut rng = stream(7, Subsystem::Campaigns, 0);
        let mut out = Impressions::default();
        let broad = Targeting::Broad { min_influence: 0.0 };
        let mut always = Campaign::new(
            &strategy(broad.clone(), Timing::AlwaysOn, 12.5),
            &pop,
            &committees,
            &customers,
        )
        .unwrap();
        let mut flighted = Campaign::new(
            &strategy(broad, Timing::Flighted { on: 2, off: 3 }, 10.0),
            &pop,
            &committees,
            &customers,
        )
        .unwrap();
        let (mut a, mut f, mut brand) = (0, 0, 0);
        for t in 1..=20 {
            always.deliver(t, &pop, &signals, &mut rng, &mut out);
            a += out.people.len();
            brand += out.brand.iter().filter(|&&b| b).count();
            assert!(out.people.len() == 12 || out.people.len() == 13);
            flighted.deliver(t, &pop, &signals, &mut rng, &mut out);
            f += out.people.len();
            let on = (t - 1) % 5 < 2;
            assert_eq!(out.people.len(), if on { 25 } else { 0 }, "period {t}");
        }
        assert_eq!((a, f), (250, 200));
        assert_eq!(brand, 75, "30% of 250 impressions are brand");
    }

    #[test]
    fn weights_place_impressions_in_proportion() {
        let pop = population();
        let mut w = vec![0f32; pop.len()];
        (w[1], w[2], w[3]) = (1.0, 2.0, 7.0);
        let signals = Signals::new(&NeedsConfig::default(), 1_000);
        let mut c = Campaign::new(
            &strategy(Targeting::Weights(w.into()), Timing::AlwaysOn, 100_000.0),
            &pop,
            &CommitteesConfig::default(),
            &CustomersConfig::default(),
        )
        .unwrap();
        let mut out = Impressions::default();
        c.deliver(
            1,
            &pop,
            &signals,
            &mut stream(8, Subsystem::Campaigns, 0),
            &mut out,
        );
        let share = |p: u32| out.people.iter().filter(|&&x| x == p).count() as f64 / 1e5;
        assert_eq!(out.people.len(), 100_000);
        assert!((share(1) - 0.1).abs() < 0.005 && (share(3) - 0.7).abs() < 0.005);
        assert_eq!(share(0), 0.0);
    }

    #[test]
    fn triggered_campaigns_spend_only_at_signalled_accounts() {
        let pop = population();
        let (committees, customers) = (CommitteesConfig::default(), CustomersConfig::default());
        let mut config = NeedsConfig {
            observability: 0.0,
            false_signal_weekly: 0.0,
            ..Default::default()
        };
        let needs = Needs::new(&config, 1_000, &mut stream(9, Subsystem::Needs, 0));
        let triggered = strategy(
            Targeting::Broad { min_influence: 0.0 },
            Timing::Triggered { window: 2 },
            500.0,
        );
        let mut c = Campaign::new(&triggered, &pop, &committees, &customers).unwrap();
        let mut signals = Signals::new(&config, 1_000);
        let mut rng = stream(10, Subsystem::Signals, 0);
        let mut out = Impressions::default();
        for t in 1..10 {
            c.deliver(t, &pop, &signals, &mut rng, &mut out);
            assert!(out.people.is_empty());
            signals.step(&needs, t, 2, &mut rng);
        }
        config.observability = 1.0;
        let mut signals = Signals::new(&config, 1_000);
        signals.step(&needs, 1, 2, &mut rng);
        c.deliver(2, &pop, &signals, &mut rng, &mut out);
        assert_eq!(out.people.len(), 500);
        assert!(
            out.people
                .iter()
                .all(|&p| needs.is_open(pop.people.company[p as usize]))
        );
    }
}
