//! Campaigns: a strategy at work in one replicate: its audience, and the impressions its
//! budget buys each period.
//!
//! Impressions are drawn with replacement (the same person can be hit several times:
//! frequency). Flights concentrate the budget in their bursts; fractional budgets carry over.
//! Intent-triggered campaigns draw from the employees of the accounts with a live signal who
//! are in the audience.

use crate::errors::Result;
use crate::market::committees::CommitteesConfig;
use crate::market::customers::CustomersConfig;
use crate::market::population::Population;
use crate::marketing::audience::Audience;
use crate::marketing::signals::Signals;
use crate::marketing::strategy::{Strategy, Timing};
use crate::rng::{Stream, below};

/// One brand's strategy at work.
#[derive(Clone, Debug)]
pub struct Campaign {
    pub strategy: Strategy,
    pub audience: Audience,
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
        Ok(Self {
            strategy: strategy.clone(),
            audience: Audience::new(&strategy.targeting, pop, committees, customers)?,
            carry: 0.0,
            brand_carry: 0.0,
            triggered: Vec::new(),
        })
    }

    /// Re-checks the people whose job changed this period.
    pub fn update(&mut self, pop: &Population, changed: &[u32]) {
        self.audience.update(pop, changed);
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
                        .filter(|&p| self.audience.contains(p)),
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
            self.audience.draw(n, rng, &mut out.people);
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
    use crate::market::careers::{CareerEvents, Careers, CareersConfig};
    use crate::market::needs::{Needs, NeedsConfig};
    use crate::market::population::PopulationConfig;
    use crate::marketing::strategy::{Creative, Targeting};
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
        let mut v = c.audience.members().expect("a list audience").to_vec();
        v.sort_unstable();
        v
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
            &pop,
            &mut stream(9, Subsystem::Careers, 0),
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
                .filter(|&p| c.audience.eligible(&pop, p))
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
            &strategy(
                Targeting::Weights { weights: w.into() },
                Timing::AlwaysOn,
                100_000.0,
            ),
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
