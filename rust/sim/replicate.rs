//! One replicate of the market, stepped period by period in a fixed order.
//!
//! Order within a period (MODEL.md): 1. careers (movers leave their committees, audiences
//! re-check who changed jobs); 2. needs end or arise; 4.-5. each brand's campaign delivers
//! its impressions and shared creative spreads; 7. the committees of needs that came to a
//! decision decide (brought forward so a committee decides before it dissolves), and ended
//! needs dissolve their committees; 3. committees of continuing needs churn and new needs
//! form one; 6. intent signals are drawn (strategies act on them from the next period);
//! customers buy again or churn, and endorse their brand; 8. memory fades; 9. recording.
//! Each mechanism draws from its own stream (and each brand from its own), so none of them
//! sees its numbers shift when another changes: the market's own randomness is the same
//! whatever the strategies.

use crate::errors::Result;
use crate::graph::csr::Graph;
use crate::market::MarketConfig;
use crate::market::careers::{CareerEvents, Careers};
use crate::market::committees::{Committees, CommitteesConfig};
use crate::market::customers::{CustomerEvents, Customers, Relationship};
use crate::market::decisions::{Decider, DecisionsConfig};
use crate::market::memory::{BrandsConfig, Memory};
use crate::market::needs::{NeedEvents, Needs};
use crate::market::population::Population;
use crate::market::ties::professional_network;
use crate::marketing::campaign::{Campaign, Impressions};
use crate::marketing::response::{AdvertisingConfig, expose};
use crate::marketing::signals::Signals;
use crate::marketing::strategy::{Strategy, Timing};
use crate::marketing::word_of_mouth::{ReferralsConfig, Spreader, endorsers};
use crate::measures::hourglass;
use crate::measures::reach::Reach;
use crate::rng::{KeyedDraws, Subsystem, brand_stream, coin, market_stream};
use crate::sim::record::{Deal, PeriodRecord};
use fixedbitset::FixedBitSet;
use std::sync::Arc;

/// One replicate's state.
pub struct Market {
    seed: u64,
    replicate: u64,
    period: u32,
    pub population: Population,
    /// Who knows whom: drawn for this replicate, or the user's graph shared by all. Ties
    /// outlast job changes.
    pub network: Arc<Graph>,
    pub careers: Careers,
    pub needs: Needs,
    pub committees: Committees,
    pub memory: Memory,
    pub customers: Customers,
    /// Each brand's campaign, if it advertises.
    pub campaigns: Vec<Option<Campaign>>,
    pub signals: Signals,
    pub reach: Reach,
    /// Per person and brand (index p * brands + b): endorsed by a customer; has endorsed.
    pub endorsed: FixedBitSet,
    pub referred: FixedBitSet,
    /// Every decision so far.
    pub deals: Vec<Deal>,
    decisions: DecisionsConfig,
    committee_weights: CommitteesConfig,
    decider: Decider,
    customer_events: CustomerEvents,
    career_events: CareerEvents,
    need_events: NeedEvents,
    /// Scratch: companies whose committee was open before this period.
    continuing: Vec<u32>,
    brands_config: BrandsConfig,
    advertising: AdvertisingConfig,
    referrals: ReferralsConfig,
    spreader: Spreader,
    /// The longest signal window a strategy looks back.
    signal_window: u32,
    impressions: Impressions,
    people: Vec<u32>,
}

impl Market {
    /// Draws replicate `replicate` of the market named by `seed`, with `network` as the
    /// professional network if given (one node per person) or a drawn one. The config must
    /// have been validated.
    pub fn new(
        config: &MarketConfig,
        strategies: &[Option<Strategy>],
        seed: u64,
        replicate: u64,
        network: Option<&Arc<Graph>>,
    ) -> Result<Self> {
        let mut rng = market_stream(seed, Subsystem::Population, replicate, 0);
        let population = Population::draw(&config.population, &mut rng)?;
        let network = match network {
            Some(graph) => Arc::clone(graph),
            None => {
                let mut rng = market_stream(seed, Subsystem::Network, replicate, 0);
                Arc::new(professional_network(
                    &population,
                    &config.network,
                    &mut rng,
                )?)
            }
        };
        let careers = Careers::new(
            &config.careers,
            &config.population.level_shares,
            population.len(),
        );
        let mut rng = market_stream(seed, Subsystem::Needs, replicate, 0);
        let companies = population.companies.industry.len();
        let needs = Needs::new(&config.needs, companies, &mut rng);
        // Needs open at the start already have their committees.
        let mut committees = Committees::new(&config.committees, companies, population.len());
        let mut rng = market_stream(seed, Subsystem::Committees, replicate, 0);
        for &c in needs.open() {
            committees.form(&population, c, &mut rng);
        }
        let mut rng = market_stream(seed, Subsystem::Memory, replicate, 0);
        let demand = strategies.iter().flatten().any(|s| s.brand_share < 1.0);
        let memory = Memory::new(&config.brands, population.len(), demand, &mut rng)?;
        let brands = config.brands.count();
        let campaigns = strategies
            .iter()
            .map(|s| {
                s.as_ref()
                    .map(|s| Campaign::new(s, &population, &config.committees, &config.customers))
                    .transpose()
            })
            .collect::<Result<Vec<_>>>()?;
        let signal_window = strategies
            .iter()
            .flatten()
            .map(|s| match s.timing {
                Timing::Triggered { window } => window,
                _ => 1,
            })
            .max()
            .unwrap_or(1);
        let people = population.len();
        let cells = people * brands;
        let advertises: Vec<bool> = strategies.iter().map(Option::is_some).collect();
        let spreader = Spreader::new(&network);
        Ok(Self {
            seed,
            replicate,
            period: 0,
            population,
            network,
            careers,
            needs,
            committees,
            memory,
            customers: Customers::new(&config.customers, companies),
            campaigns,
            signals: Signals::new(&config.needs, companies),
            reach: Reach::new(people, &advertises)?,
            endorsed: FixedBitSet::with_capacity(cells),
            referred: FixedBitSet::with_capacity(cells),
            spreader,
            deals: Vec::new(),
            decisions: config.decisions.clone(),
            committee_weights: config.committees.clone(),
            decider: Decider::default(),
            customer_events: CustomerEvents {
                revenue: vec![0.0; brands],
                churned: Vec::new(),
            },
            career_events: CareerEvents::default(),
            need_events: NeedEvents::default(),
            continuing: Vec::new(),
            brands_config: config.brands.clone(),
            advertising: config.advertising.clone(),
            referrals: config.referrals.clone(),
            signal_window,
            impressions: Impressions::default(),
            people: Vec::new(),
        })
    }

    /// Every customer relationship so far.
    pub fn customer_log(&self) -> &[Relationship] {
        &self.customers.log
    }

    /// Step 4-5: each brand's campaign delivers its impressions, and shared creative
    /// spreads. Returns per brand: impressions, earned reach, sharers, paid reach.
    fn market(&mut self) -> (Vec<u32>, Vec<u32>, Vec<u32>, Vec<u32>) {
        let brands = self.memory.brands();
        let (seed, r, t) = (self.seed, self.replicate, self.period);
        let mut out = (
            vec![0; brands],
            vec![0; brands],
            vec![0; brands],
            vec![0; brands],
        );
        let adv = &self.advertising;
        for (b, campaign) in self.campaigns.iter_mut().enumerate() {
            let Some(campaign) = campaign else { continue };
            campaign.update(&self.population, &self.career_events.changed);
            let mut rng = brand_stream(seed, Subsystem::Campaigns, r, u64::from(t), b as u64);
            campaign.deliver(
                t,
                &self.population,
                &self.signals,
                &mut rng,
                &mut self.impressions,
            );
            let creative = &campaign.strategy.creative;
            let share = adv.share_rate * creative.shareability;
            let people = &self.population.people;
            self.people.clear();
            for (&p, &brand) in self.impressions.people.iter().zip(&self.impressions.brand) {
                let q = creative.quality(people.taste[p as usize], true, adv.taste_width, &mut rng);
                let seated = self.committees.is_seated(p);
                let weight = if brand { 1.0 } else { 0.0 };
                expose(&mut self.memory, adv, p, b, q, weight, seated);
                self.reach.expose(p, b, people.company[p as usize], t);
                if share > 0.0 && coin(&mut rng, (share * q) as f32) {
                    self.people.push(p);
                }
            }
            out.0[b] = self.impressions.people.len() as u32;
            out.3[b] = self.reach.period_reach(b);
            let pass = adv.pass_rate * creative.shareability;
            if self.people.is_empty() || pass <= 0.0 {
                out.2[b] = self.people.len() as u32;
                continue;
            }
            let mut rng = brand_stream(seed, Subsystem::Sharing, r, u64::from(t), b as u64);
            let (earned, sharers) =
                self.spreader
                    .spread(&self.network, &self.people, pass, &mut rng);
            out.1[b] = earned.len() as u32;
            out.2[b] = sharers as u32;
            // A shared copy carries the sharer's mix of brand and demand messages.
            let weight = campaign.strategy.brand_share;
            for &p in earned {
                let q =
                    creative.quality(people.taste[p as usize], false, adv.taste_width, &mut rng);
                let seated = self.committees.is_seated(p);
                expose(&mut self.memory, adv, p, b, q, weight, seated);
                self.reach.expose(p, b, people.company[p as usize], t);
            }
        }
        out
    }

    /// Customers' people endorse their brand; endorsements spread to their ties and raise
    /// trust. Returns per brand: endorsers, and people reached.
    fn refer(&mut self) -> (Vec<u32>, Vec<u32>) {
        let brands = self.memory.brands();
        let (seed, r, t) = (self.seed, self.replicate, u64::from(self.period));
        let mut out = (vec![0; brands], vec![0; brands]);
        if self.referrals.refer_weekly <= 0.0 {
            return out;
        }
        for b in 0..brands {
            let mut rng = brand_stream(seed, Subsystem::Referrals, r, t, b as u64);
            endorsers(
                &self.referrals,
                &self.customers,
                &self.population,
                b,
                &mut rng,
                &mut self.people,
            );
            for &p in &self.people {
                self.referred.insert(p as usize * brands + b);
            }
            let (reached, k) = self.spreader.spread(
                &self.network,
                &self.people,
                self.referrals.pass_rate,
                &mut rng,
            );
            out.0[b] = k as u32;
            out.1[b] = reached.len() as u32;
            let lift = self.referrals.trust_lift as f32;
            for &p in reached {
                self.endorsed.insert(p as usize * brands + b);
                let a = self.memory.attitude(p, b);
                self.memory.set_attitude(p, b, a + lift * (1.0 - a));
            }
        }
        out
    }

    /// Advances one period and returns what it recorded.
    pub fn step(&mut self) -> PeriodRecord {
        self.period += 1;
        let (seed, r, t) = (self.seed, self.replicate, u64::from(self.period));
        self.committees.set_period(self.period);
        let mut rng = market_stream(seed, Subsystem::Careers, r, t);
        self.careers
            .step(&mut self.population, &mut rng, &mut self.career_events);
        for &(p, from) in &self.career_events.movers {
            self.committees.leave(p, from);
        }
        let mut rng = market_stream(seed, Subsystem::Needs, r, t);
        self.needs
            .step(self.period, &mut rng, &mut self.need_events);
        self.reach.new_period();
        let (impressions, earned_reach, shares, paid_reach) = self.market();
        let brands = self.memory.brands();
        self.customer_events
            .revenue
            .iter_mut()
            .for_each(|r| *r = 0.0);
        let mut wins = vec![0u32; brands];
        let mut no_decisions = 0;
        // A committee whose members all moved away this period recruits before deciding; a
        // company with nobody eligible left abandons the need instead. The committees' stream
        // then goes on to churn and form committees below.
        let mut committee_rng = market_stream(seed, Subsystem::Committees, r, t);
        let (population, committees) = (&self.population, &mut self.committees);
        let events = &mut self.need_events;
        let mut unstaffed = Vec::new();
        events.decided.retain(|&c| {
            let staffed = committees.staff(population, c, &mut committee_rng);
            if !staffed {
                unstaffed.push(c);
            }
            staffed
        });
        events.abandoned.extend(unstaffed);
        let mut rng = market_stream(seed, Subsystem::Decisions, r, t);
        let mut deciders = 0u32;
        let mut before = vec![0u32; brands];
        let mut elsewhere = vec![0u32; brands];
        for &c in &self.need_events.decided {
            let members = self.committees.members(c);
            for &m in members {
                deciders += 1;
                let joined = self.committees.joined_at(m);
                for b in 0..brands {
                    before[b] += u32::from(self.reach.reached_by(m, b, joined));
                    elsewhere[b] += u32::from(self.reach.reached_elsewhere(m, b, c));
                }
            }
            let incumbent = self.customers.brand_of(c);
            let outcome = self.decider.decide(
                &self.decisions,
                &self.committee_weights,
                &self.population,
                &self.memory,
                members,
                incumbent,
                &mut rng,
            );
            let value = match outcome {
                Some(b) => {
                    wins[b] += 1;
                    let employees = self.population.companies.employees[c as usize].len();
                    self.customers
                        .win(c, b, employees, self.period, &mut self.customer_events)
                }
                None => {
                    no_decisions += 1;
                    0.0
                }
            };
            self.deals.push(Deal {
                period: self.period,
                company: c,
                committee_size: members.len() as u32,
                brand: outcome.map(|b| b as u16),
                value,
            });
        }
        let ended = &self.need_events;
        for &c in ended.decided.iter().chain(&ended.abandoned) {
            self.committees.dissolve(c);
        }
        // Committees already open churn; needs that arose this period form theirs.
        let mut rng = committee_rng;
        self.continuing.clear();
        let period = self.period;
        let needs = &self.needs;
        self.continuing.extend(
            needs
                .open()
                .iter()
                .copied()
                .filter(|&c| needs.opened_at(c) != Some(period)),
        );
        self.committees
            .churn(&self.population, &self.continuing, &mut rng);
        for &c in &self.need_events.opened {
            self.committees.form(&self.population, c, &mut rng);
        }
        let mut rng = market_stream(seed, Subsystem::Signals, r, t);
        self.signals
            .step(&self.needs, self.period, self.signal_window, &mut rng);
        let draws = KeyedDraws::new(seed, Subsystem::Customers, r, t);
        self.customers
            .step(self.period, &draws, &mut self.customer_events);
        let (endorsers, endorsed) = self.refer();
        self.memory.forget();
        let open = self.needs.open().len();
        let committees = &self.committees;
        let seated = self
            .needs
            .open()
            .iter()
            .flat_map(|&c| committees.members(c).iter().copied());
        let memory_mean = self.memory.mean_over(seated);
        let hourglass = hourglass::count(
            &self.brands_config,
            &self.population,
            &self.memory,
            &self.needs,
            &self.customers,
            &self.endorsed,
            &self.referred,
        );
        PeriodRecord {
            in_market_share: self.needs.in_market_share(),
            career_changed_share: f64::from(self.careers.changed_count)
                / self.population.len() as f64,
            movers: self.career_events.movers.len() as u32,
            needs_opened: self.need_events.opened.len() as u32,
            decisions: self.need_events.decided.len() as u32,
            abandoned: self.need_events.abandoned.len() as u32,
            committees_open: open as u32,
            committee_size_mean: if open == 0 {
                0.0
            } else {
                self.committees.seated_count() as f64 / open as f64
            },
            no_decisions,
            wins,
            revenue: self.customer_events.revenue.clone(),
            customers: self.customers.counts(brands),
            memory_mean,
            signals: self.signals.true_signals,
            false_signals: self.signals.false_signals,
            deciders,
            impressions,
            paid_reach,
            reach: (0..brands).map(|b| self.reach.period_reach(b)).collect(),
            earned_reach,
            shares,
            reached_ever: self.reach.ever.clone(),
            endorsers,
            endorsed,
            reached_before_joining: before,
            reached_elsewhere: elsewhere,
            hourglass,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::population::PopulationConfig;
    use crate::marketing::strategy::{Creative, Targeting};

    fn small() -> MarketConfig {
        MarketConfig {
            population: PopulationConfig {
                people: 10_000,
                companies: 500,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn quantum(budget: f64) -> Strategy {
        Strategy {
            budget,
            brand_share: 0.6,
            targeting: Targeting::Broad { min_influence: 0.0 },
            creative: Creative::universal(),
            timing: Timing::AlwaysOn,
        }
    }

    #[test]
    fn a_single_pulse_of_memory_decays_exactly_by_the_half_life() {
        let mut config = small();
        config.brands.baseline_memory = vec![0.0; 4];
        config.brands.memory_half_life_weeks = 4.0;
        config.advertising.share_rate = 0.0;
        let pulse = Strategy {
            brand_share: 1.0,
            timing: Timing::Flighted { on: 1, off: 520 },
            ..quantum(2_000.0)
        };
        let strategies = [Some(pulse), None, None, None];
        let mut market = Market::new(&config, &strategies, 1, 0, None).unwrap();
        market.step();
        let hit = market.reach.reached_this_period(0).to_vec();
        assert!(hit.len() > 1_000);
        let after: Vec<f32> = hit.iter().map(|&p| market.memory.value(p, 0)).collect();
        for _ in 0..4 {
            let record = market.step();
            assert_eq!(record.impressions[0], 0);
        }
        for (&p, m) in hit.iter().zip(after) {
            let now = market.memory.value(p, 0);
            assert!((now - 0.5 * m).abs() < 1e-6, "{now} vs {m}");
        }
    }

    #[test]
    fn no_shareability_earns_nothing_and_records_add_up() {
        let mut config = small();
        config.customers.repeat_weekly = 0.2;
        let closed = Strategy {
            creative: Creative {
                shareability: 0.0,
                ..Creative::universal()
            },
            ..quantum(700.0)
        };
        let strategies = [Some(closed), Some(quantum(700.0)), None, None];
        let mut market = Market::new(&config, &strategies, 2, 0, None).unwrap();
        let mut earned = 0;
        let mut ever = 0;
        for _ in 0..40 {
            let r = market.step();
            assert_eq!((r.earned_reach[0], r.shares[0]), (0, 0));
            assert_eq!(r.impressions, vec![700, 700, 0, 0]);
            assert!(r.reach[0] <= 700 && r.reach[1] <= 700 + r.earned_reach[1]);
            assert!(r.reached_ever[1] >= ever);
            ever = r.reached_ever[1];
            earned += r.earned_reach[1];
            for (b, stage) in r.hourglass.iter().enumerate() {
                assert!(stage.iter().all(|&s| s <= 10_000));
                assert!(
                    stage[3] <= stage[0] && stage[5] <= stage[4],
                    "brand {b}: {stage:?}"
                );
            }
            assert!(r.reached_before_joining.iter().all(|&x| x <= r.deciders));
            assert!(r.reached_elsewhere.iter().all(|&x| x <= r.deciders));
        }
        assert!(earned > 0, "universal creative is shared");
    }
}
