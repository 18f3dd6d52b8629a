//! Campaigns: a strategy at work in one replicate: its audience, and the impressions its
//! budget buys each period.
//!
//! Impressions are drawn with replacement (the same person can be hit several times:
//! frequency), up to the platform's frequency cap per person. Flights concentrate the budget
//! in their bursts; a budget in money buys impressions at the audience's price
//! ([`crate::marketing::media`]); what buys less than one impression carries over.
//! Intent-triggered campaigns draw from the employees of the accounts with a live signal who
//! are in the audience.

use crate::errors::Result;
use crate::market::committees::CommitteesConfig;
use crate::market::customers::CustomersConfig;
use crate::market::population::Population;
use crate::marketing::audience::Audience;
use crate::marketing::media::{MAX_IMPRESSIONS, MediaConfig, Spend};
use crate::marketing::signals::Signals;
use crate::marketing::strategy::{Strategy, Timing, Unit};
use crate::rng::{Stream, below};

/// One campaign of a brand's plan at work.
#[derive(Clone, Debug)]
pub struct Campaign {
    pub strategy: Strategy,
    pub audience: Audience,
    /// What the budget left over last period that buys less than one impression: money, or
    /// fractional impressions (budgets need not be integers).
    carry: f64,
    brand_carry: f64,
    /// Scratch: the audience at signalled accounts.
    triggered: Vec<u32>,
    /// Scratch, with a frequency cap: impressions each person has seen this period.
    seen: Vec<u8>,
}

/// One period's paid impressions: the people hit (with repeats) and whether each was brand
/// (true) or demand (false).
#[derive(Clone, Debug, Default)]
pub struct Impressions {
    pub people: Vec<u32>,
    pub brand: Vec<bool>,
}

/// Rejected draws allowed per impression before a capped draw gives up (a few heavy
/// weights can leave little room under the cap); what is not drawn is unspent.
const TRIES_PER_IMPRESSION: u64 = 20;

/// Draws `n` people with `pick`, none more than `cap` times (0: no cap), into `out`;
/// `seen` counts each person's draws and is left all zero.
fn capped(
    n: u64,
    cap: u32,
    seen: &mut [u8],
    rng: &mut Stream,
    out: &mut Vec<u32>,
    mut pick: impl FnMut(&mut Stream) -> u32,
) {
    if cap == 0 {
        out.extend((0..n).map(|_| pick(rng)));
        return;
    }
    let start = out.len();
    let mut tries = TRIES_PER_IMPRESSION * n + 10_000;
    while ((out.len() - start) as u64) < n && tries > 0 {
        tries -= 1;
        let p = pick(rng);
        let k = &mut seen[p as usize];
        if u32::from(*k) < cap {
            *k += 1;
            out.push(p);
        }
    }
    for &p in &out[start..] {
        seen[p as usize] = 0;
    }
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
            seen: Vec::new(),
        })
    }

    /// Re-checks the people whose job changed this period.
    pub fn update(&mut self, pop: &Population, changed: &[u32]) {
        self.audience.update(pop, changed);
    }

    /// How much of the average budget period `period` (1-based) spends: flights concentrate
    /// the budget in their bursts.
    fn factor(&self, period: u32) -> f64 {
        match self.strategy.timing {
            Timing::AlwaysOn | Timing::Triggered { .. } => 1.0,
            Timing::Flighted { on, off } => {
                if (period - 1) % (on + off) < on {
                    f64::from(on + off) / f64::from(on)
                } else {
                    0.0
                }
            }
        }
    }

    /// Draws period `period`'s impressions into `out` and says what they cost. A money
    /// budget pays the campaign's creative (and, with `pays_data`, the brand's intent data)
    /// first and buys impressions with the rest at the price of the audience drawn from now
    /// (at signalled accounts, for triggered timing). Budget the frequency cap, an empty
    /// audience or a missing signal leaves undelivered is unspent; less than one
    /// impression's worth carries over.
    #[allow(clippy::too_many_arguments)]
    pub fn deliver(
        &mut self,
        period: u32,
        pop: &Population,
        signals: &Signals,
        media: &MediaConfig,
        pays_data: bool,
        rng: &mut Stream,
        out: &mut Impressions,
    ) -> Spend {
        out.people.clear();
        out.brand.clear();
        let mut spend = Spend::default();
        if pays_data {
            spend.data = media.intent_data;
        }
        let factor = self.factor(period);
        let money = self.strategy.unit == Unit::Money;
        // The budget of the period; a money budget pays intent data first.
        let mut budget = self.strategy.budget * factor;
        if money {
            budget -= spend.data;
        }
        if factor == 0.0 || self.strategy.budget == 0.0 {
            return spend;
        }
        let triggered = if let Timing::Triggered { window } = self.strategy.timing {
            // Signals are read as of their latest step: the end of the previous period
            // (the warm-up's last weeks, in a run's first).
            let mut list = std::mem::take(&mut self.triggered);
            list.clear();
            for c in signals.actionable(signals.latest(), window) {
                list.extend(
                    pop.companies.employees[c as usize]
                        .iter()
                        .copied()
                        .filter(|&p| self.audience.contains(p)),
                );
            }
            // Employee lists change order as people move: sort so the draws below do not
            // depend on it.
            list.sort_unstable();
            self.triggered = list;
            true
        } else {
            false
        };
        let size = if triggered {
            self.triggered.len()
        } else {
            self.audience.len()
        };
        let price = media.cpm(size, pop.len()) / 1000.0;
        if size == 0 {
            // Nobody to show the ads to: the creative is not in use, the budget unspent.
            spend.unspent = if money {
                budget.max(0.0)
            } else {
                budget * price
            };
            return spend;
        }
        spend.creative = media.creative_cost(self.strategy.creative.tailored);
        // Impressions wanted (fractional), and the money they are bought with.
        let (want, funds) = if money {
            let funds = (budget - spend.creative).max(0.0) + self.carry;
            let want = if price > 0.0 {
                funds / price
            } else {
                f64::INFINITY
            };
            (want, funds)
        } else {
            let want = budget + self.carry;
            (want, want * price)
        };
        let wanted = want.floor();
        let capacity = if media.frequency_cap == 0 {
            f64::INFINITY
        } else {
            f64::from(media.frequency_cap) * size as f64
        };
        let bought = wanted.min(capacity).min(MAX_IMPRESSIONS);
        if bought == wanted {
            self.carry = if money {
                funds - bought * price
            } else {
                want - wanted
            };
        } else {
            // Under-delivery: what the cap leaves is unspent, not carried.
            spend.unspent += if money {
                funds - bought * price
            } else {
                (wanted - bought) * price
            };
            self.carry = if money { 0.0 } else { want - wanted };
        }
        let n = bought as u64;
        if media.frequency_cap > 0 && self.seen.len() != pop.len() {
            self.seen = vec![0; pop.len()];
        }
        let cap = media.frequency_cap;
        if triggered {
            let list = &self.triggered;
            capped(n, cap, &mut self.seen, rng, &mut out.people, |rng| {
                list[below(rng, list.len() as u64) as usize]
            });
        } else {
            let audience = &self.audience;
            capped(n, cap, &mut self.seen, rng, &mut out.people, |rng| {
                audience.pick(rng)
            });
        }
        let delivered = out.people.len() as f64;
        spend.unspent += (bought - delivered) * price;
        spend.media = delivered * price;
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
        spend
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
            name: String::new(),
            budget,
            unit: Unit::Impressions,
            brand_share: 0.3,
            targeting,
            creative: Creative::universal(),
            timing,
        }
    }

    /// Default prices, no frequency cap.
    fn uncapped() -> MediaConfig {
        MediaConfig {
            frequency_cap: 0,
            ..Default::default()
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
    fn seeding_chooses_far_spreaders_within_its_audience_and_follows_job_changes() {
        use crate::control::Never;
        use crate::graph::cascade::{Seeds, Transmission};
        use crate::graph::fused::cascade_sizes;
        use crate::graph::generators::barabasi_albert;
        let mut pop = population();
        let graph = barabasi_albert(pop.len() as u64, 5, 3).unwrap();
        let (committees, customers) = (CommitteesConfig::default(), CustomersConfig::default());
        let within = Targeting::Narrow {
            functions: vec![],
            min_level: 1,
            accounts: (0..300).collect(),
        };
        let seeding = Targeting::Seeding {
            within: Box::new(within.clone()),
            size: 40,
            every: 4,
        };
        let base = Campaign::new(
            &strategy(within, Timing::AlwaysOn, 10.0),
            &pop,
            &committees,
            &customers,
        )
        .unwrap();
        let mut c = Campaign::new(
            &strategy(seeding, Timing::AlwaysOn, 10.0),
            &pop,
            &committees,
            &customers,
        )
        .unwrap();
        // Nobody until the seeds are chosen; then exactly `size` people of the base audience.
        assert!(c.audience.is_empty() && c.audience.seeding_due(1));
        let p = Transmission::Uniform(0.01);
        let mut again = c.clone();
        c.audience.choose_seeds(&graph, p, 7, 1);
        again.audience.choose_seeds(&graph, p, 7, 1);
        let seeds = members(&c);
        assert_eq!(
            seeds,
            members(&again),
            "the same draw chooses the same seeds"
        );
        assert_eq!(seeds.len(), 40);
        assert!(seeds.iter().all(|&s| base.audience.contains(s)));
        assert!(!c.audience.seeding_due(4) && c.audience.seeding_due(5));
        // They spread further than as many people of the audience spread over it (the
        // generator gives low ids the most ties, so not the first ones).
        let all = base.audience.members().unwrap();
        let picked: Vec<u32> = all
            .iter()
            .step_by(all.len() / 40)
            .take(40)
            .copied()
            .collect();
        let spread = |nodes: &[u32]| {
            let sizes = cascade_sizes(
                &graph,
                &Seeds::Nodes(nodes.to_vec()),
                p,
                512,
                11,
                false,
                &Never,
            )
            .unwrap();
            sizes.iter().map(|&x| f64::from(x)).sum::<f64>() / sizes.len() as f64
        };
        let (chosen, random) = (spread(&seeds), spread(&picked));
        assert!(chosen > 1.5 * random, "{chosen} vs {random}");
        // Seeds who leave the base audience are dropped at once; nobody joins until the next
        // choice, which picks within the audience as it is then.
        let mut careers = Careers::new(
            &CareersConfig {
                change_within_4_years: 0.9,
                ..Default::default()
            },
            &PopulationConfig::default().level_shares,
            &pop,
            &mut stream(9, Subsystem::Careers, 0),
        );
        let (mut events, mut rng) = (CareerEvents::default(), stream(6, Subsystem::Careers, 0));
        let mut base = base;
        for _ in 0..30 {
            careers.step(&mut pop, &mut rng, &mut events);
            c.update(&pop, &events.changed);
            base.update(&pop, &events.changed);
        }
        let kept = members(&c);
        assert!(kept.len() < 40, "some seeds moved out of the audience");
        assert!(
            kept.iter()
                .all(|&s| seeds.contains(&s) && base.audience.contains(s))
        );
        c.audience.choose_seeds(&graph, p, 8, 31);
        assert_eq!(c.audience.len(), 40);
        assert!(members(&c).iter().all(|&s| base.audience.contains(s)));
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
            always.deliver(t, &pop, &signals, &uncapped(), false, &mut rng, &mut out);
            a += out.people.len();
            brand += out.brand.iter().filter(|&&b| b).count();
            assert!(out.people.len() == 12 || out.people.len() == 13);
            flighted.deliver(t, &pop, &signals, &uncapped(), false, &mut rng, &mut out);
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
            &uncapped(),
            false,
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
            c.deliver(t, &pop, &signals, &uncapped(), true, &mut rng, &mut out);
            assert!(out.people.is_empty());
            signals.step(&needs, t, 2, &mut rng);
        }
        config.observability = 1.0;
        let mut signals = Signals::new(&config, 1_000);
        signals.step(&needs, 1, 2, &mut rng);
        c.deliver(2, &pop, &signals, &uncapped(), true, &mut rng, &mut out);
        assert_eq!(out.people.len(), 500);
        assert!(
            out.people
                .iter()
                .all(|&p| needs.is_open(pop.people.company[p as usize]))
        );
    }

    /// Checks one period's money: what was paid adds up, to the cent, and the period's
    /// budget is paid, unspent or carried.
    fn spend_adds_up(spend: &Spend, budget: f64, carried: f64) {
        let paid = spend.media + spend.data + spend.creative;
        assert!((spend.total() - paid).abs() < 0.005);
        assert!(
            (budget - (paid + spend.unspent + carried)).abs() < 0.005,
            "{spend:?} budget {budget} carried {carried}"
        );
    }

    #[test]
    fn a_money_budget_buys_spend_over_cpm_impressions_with_carry_over() {
        let pop = population();
        let signals = Signals::new(&NeedsConfig::default(), 1_000);
        let (committees, customers) = (CommitteesConfig::default(), CustomersConfig::default());
        let media = uncapped();
        let s = Strategy {
            unit: Unit::Money,
            ..strategy(
                Targeting::Broad { min_influence: 0.0 },
                Timing::AlwaysOn,
                100.37,
            )
        };
        let mut c = Campaign::new(&s, &pop, &committees, &customers).unwrap();
        let cpm = media.cpm(c.audience.len(), pop.len());
        assert!((25.0..=45.0).contains(&cpm), "{cpm}");
        let (mut rng, mut out) = (stream(11, Subsystem::Campaigns, 0), Impressions::default());
        let (mut impressions, mut media_spend, mut carried) = (0usize, 0.0, 0.0);
        for t in 1..=30 {
            let before = c.carry;
            let spend = c.deliver(t, &pop, &signals, &media, false, &mut rng, &mut out);
            spend_adds_up(&spend, 100.37, c.carry - before);
            assert_eq!(spend.creative, media.creative);
            assert_eq!(spend.unspent, 0.0);
            impressions += out.people.len();
            media_spend += spend.media;
            carried = c.carry;
            assert!(carried >= 0.0 && carried < cpm / 1000.0);
        }
        // Every period's media money, carry-over included, bought impressions at the CPM.
        let money = 30.0 * (100.37 - media.creative);
        assert_eq!(
            impressions,
            ((money - carried) / cpm * 1000.0).round() as usize
        );
        assert_eq!(impressions, (money / cpm * 1000.0).floor() as usize);
        assert!((media_spend - impressions as f64 * cpm / 1000.0).abs() < 1e-6);
    }

    #[test]
    fn the_frequency_cap_leaves_budget_unspent_and_no_one_over_it() {
        let pop = population();
        let signals = Signals::new(&NeedsConfig::default(), 1_000);
        let (committees, customers) = (CommitteesConfig::default(), CustomersConfig::default());
        let media = MediaConfig::default();
        let small = strategy(
            Targeting::Narrow {
                functions: vec![],
                min_level: 0,
                accounts: vec![3, 10],
            },
            Timing::AlwaysOn,
            10_000.0,
        );
        for unit in [Unit::Money, Unit::Impressions] {
            let s = Strategy {
                unit,
                ..small.clone()
            };
            let mut c = Campaign::new(&s, &pop, &committees, &customers).unwrap();
            let size = c.audience.len();
            assert!(size > 0 && size < 200, "{size}");
            let (mut rng, mut out) = (stream(12, Subsystem::Campaigns, 0), Impressions::default());
            let spend = c.deliver(1, &pop, &signals, &media, false, &mut rng, &mut out);
            assert_eq!(out.people.len(), 3 * size, "everyone exactly at the cap");
            let mut counts = std::collections::HashMap::new();
            for &p in &out.people {
                *counts.entry(p).or_insert(0) += 1;
            }
            assert!(counts.values().all(|&k| k == 3));
            assert!(spend.unspent > 0.0);
            let price = media.cpm(size, pop.len()) / 1000.0;
            assert!((spend.media - 3.0 * size as f64 * price).abs() < 1e-9);
            if unit == Unit::Money {
                spend_adds_up(&spend, 10_000.0, c.carry);
            } else {
                assert!((spend.unspent - (10_000.0 - 3.0 * size as f64) * price).abs() < 1e-6);
            }
            assert!(c.seen.iter().all(|&k| k == 0), "the scratch is left clean");
        }
    }

    #[test]
    fn triggered_campaigns_pay_for_data_and_leave_the_budget_unspent_without_signals() {
        let pop = population();
        let (committees, customers) = (CommitteesConfig::default(), CustomersConfig::default());
        let config = NeedsConfig {
            observability: 0.0,
            false_signal_weekly: 0.0,
            ..Default::default()
        };
        let signals = Signals::new(&config, 1_000);
        let media = MediaConfig::default();
        let s = Strategy {
            unit: Unit::Money,
            creative: Creative::personalized(),
            ..strategy(
                Targeting::Broad { min_influence: 0.0 },
                Timing::Triggered { window: 2 },
                1_000.0,
            )
        };
        let mut c = Campaign::new(&s, &pop, &committees, &customers).unwrap();
        let (mut rng, mut out) = (stream(13, Subsystem::Campaigns, 0), Impressions::default());
        let spend = c.deliver(3, &pop, &signals, &media, true, &mut rng, &mut out);
        assert!(out.people.is_empty());
        assert_eq!(spend.data, media.intent_data);
        assert_eq!((spend.media, spend.creative), (0.0, 0.0));
        assert_eq!(spend.unspent, 1_000.0 - media.intent_data);
        spend_adds_up(&spend, 1_000.0, 0.0);
        let other = c.deliver(4, &pop, &signals, &media, false, &mut rng, &mut out);
        assert_eq!((other.data, other.unspent), (0.0, 1_000.0));
    }
}
