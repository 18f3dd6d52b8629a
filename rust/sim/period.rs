//! One period of a replicate, as a list of named phases run in a fixed order.
//!
//! The order ([`PHASES`]) is:
//! 1. `careers`: people change jobs; movers leave their committees.
//! 2. `needs`: open needs end (decided or abandoned) and dormant companies come into market.
//! 3. `marketing`: each brand's campaign re-checks its audience, delivers its impressions,
//!    and shared creative spreads over the network (earned reach).
//! 4. `decisions`: the committees of needs that came to a decision decide (before they
//!    dissolve), and a win starts a customer.
//! 5. `committees`: ended needs dissolve their committees, continuing ones churn, new needs
//!    form theirs.
//! 6. `signals`: intent signals are drawn; triggered strategies act on them from the next
//!    period.
//! 7. `customers`: customers buy again or churn.
//! 8. `referrals`: customers' people endorse their brand; endorsements spread and raise trust.
//! 9. `forgetting`: memory, attitude and the activation of open needs fade.
//! 10. `recording`: the period's metrics are written.
//!
//! During a warm-up ([`Replicate::warm_up`]) nobody advertises and nothing is recorded;
//! campaigns still follow their audiences' career moves, and signals are drawn, so a
//! triggered campaign finds the signals of the warm-up's last weeks in its first.
//!
//! Decisions come before committees churn, so that a committee decides with the members it
//! had, and committees that form this period do so after the marketing that reached their
//! members. The order is part of the golden baselines.

use crate::market::decisions;
use crate::market::needs::NeedEvents;
use crate::marketing::media::Spend;
use crate::marketing::response::{Seat, expose};
use crate::marketing::strategy::Timing;
use crate::marketing::word_of_mouth::endorsers;
use crate::measures::{Tracker, hourglass};
use crate::rng::{KeyedDraws, Subsystem, brand_stream, coin, market_stream};
use crate::sim::record::{CampaignPeriod, Deal, M, Recorder};
use crate::sim::replicate::Replicate;
use rand_core::Rng;

/// A phase of a period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Careers,
    Needs,
    Marketing,
    Decisions,
    Committees,
    Signals,
    Customers,
    Referrals,
    Forgetting,
    Recording,
}

/// The phases of every period, in the order they run.
pub const PHASES: [Phase; 10] = [
    Phase::Careers,
    Phase::Needs,
    Phase::Marketing,
    Phase::Decisions,
    Phase::Committees,
    Phase::Signals,
    Phase::Customers,
    Phase::Referrals,
    Phase::Forgetting,
    Phase::Recording,
];

impl Phase {
    /// The phase's name, as the module doc spells it.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Careers => "careers",
            Phase::Needs => "needs",
            Phase::Marketing => "marketing",
            Phase::Decisions => "decisions",
            Phase::Committees => "committees",
            Phase::Signals => "signals",
            Phase::Customers => "customers",
            Phase::Referrals => "referrals",
            Phase::Forgetting => "forgetting",
            Phase::Recording => "recording",
        }
    }
}

impl<T: Tracker> Replicate<T> {
    /// Advances one period, running every phase in order, and records it into `rec`.
    pub fn step(&mut self, rec: &mut Recorder<'_>) {
        self.advance(Some(rec));
    }

    /// Advances one period of warm-up: nothing is recorded.
    pub(crate) fn step_unrecorded(&mut self) {
        self.advance(None);
    }

    fn advance(&mut self, mut rec: Option<&mut Recorder<'_>>) {
        self.period += 1;
        self.tally.clear();
        for phase in PHASES {
            match phase {
                Phase::Careers => self.careers(),
                Phase::Needs => self.needs(),
                Phase::Marketing => self.marketing(),
                Phase::Decisions => self.decisions(),
                Phase::Committees => self.committees(),
                Phase::Signals => self.signals(),
                Phase::Customers => self.customers(),
                Phase::Referrals => self.referrals(),
                Phase::Forgetting => {
                    self.memory.forget();
                    self.opportunities.fade(self.needs.open());
                }
                Phase::Recording => {
                    if let Some(rec) = rec.as_deref_mut() {
                        self.record(rec);
                    }
                }
            }
        }
    }

    /// The period of the run (1-based; during a warm-up, of the warm-up): what campaigns,
    /// signals, decisions and customers are dated by.
    fn now(&self) -> u32 {
        self.period - self.warmup
    }

    fn stream(&self, subsystem: Subsystem) -> crate::rng::Stream {
        market_stream(self.seed, subsystem, self.replicate, u64::from(self.period))
    }

    fn careers(&mut self) {
        self.committees.set_period(self.period);
        let mut rng = self.stream(Subsystem::Careers);
        self.careers
            .step(&mut self.population, &mut rng, &mut self.career_events);
        for &(p, from) in &self.career_events.movers {
            self.committees.leave(p, from);
        }
    }

    fn needs(&mut self) {
        let mut rng = self.stream(Subsystem::Needs);
        self.needs
            .step(self.period, &mut rng, &mut self.need_events);
    }

    fn marketing(&mut self) {
        let (seed, r, t) = (self.seed, self.replicate, self.period);
        let now = self.now();
        self.trackers.period(t);
        let adv = &self.advertising;
        let (needs, committees) = (&self.needs, &self.committees);
        let seat = |p: u32, company: u32| Seat {
            need: needs.is_open(company).then_some(company),
            seated: committees.is_seated(p),
        };
        for (b, plan) in self.campaigns.iter_mut().enumerate() {
            // The brand's intent data is one subscription, paid by its first triggered
            // campaign.
            let data = plan.iter().position(|c| {
                c.strategy.budget > 0.0 && matches!(c.strategy.timing, Timing::Triggered { .. })
            });
            for (k, campaign) in plan.iter_mut().enumerate() {
                // Campaign k of brand b draws from its own stream; the first keeps the brand's.
                let key = b as u64 + ((k as u64) << 32);
                campaign.update(&self.population, &self.career_events.changed);
                if self.warming {
                    continue;
                }
                if campaign.audience.seeding_due(now) {
                    // Seeds spread the creative as shares do: each tie passes it on with
                    // the campaign's pass probability x its weight.
                    let pass = adv.pass_rate * campaign.strategy.creative.shareability;
                    let draw =
                        brand_stream(seed, Subsystem::Influencers, r, u64::from(t), key).next_u64();
                    let transmission = self.spreader.transmission(&self.network, pass);
                    campaign
                        .audience
                        .choose_seeds(&self.network, transmission, draw, now);
                }
                let mut rng = brand_stream(seed, Subsystem::Campaigns, r, u64::from(t), key);
                let spend = campaign.deliver(
                    now,
                    &self.population,
                    &self.signals,
                    &self.media,
                    data == Some(k),
                    &mut rng,
                    &mut self.impressions,
                );
                self.tally.spend[b].add(&spend);
                self.campaign_log.push(CampaignPeriod {
                    period: now,
                    brand: b as u16,
                    campaign: k as u16,
                    impressions: self.impressions.people.len() as u32,
                    spend,
                });
                let creative = &campaign.strategy.creative;
                let share = adv.share_rate * creative.shareability;
                let people = &self.population.people;
                self.people.clear();
                for (&p, &brand) in self.impressions.people.iter().zip(&self.impressions.brand) {
                    let q =
                        creative.quality(people.taste[p as usize], true, adv.taste_width, &mut rng);
                    let weight = if brand { 1.0 } else { 0.0 };
                    let at = seat(p, people.company[p as usize]);
                    expose(
                        &mut self.memory,
                        &mut self.opportunities,
                        adv,
                        p,
                        b,
                        q,
                        weight,
                        at,
                    );
                    self.trackers
                        .exposed(p, b, people.company[p as usize], t, false);
                    if share > 0.0 && coin(&mut rng, (share * q) as f32) {
                        self.people.push(p);
                        self.trackers.shared(p, b);
                    }
                }
                self.tally.impressions[b] += self.impressions.people.len() as u32;
                let pass = adv.pass_rate * creative.shareability;
                if self.people.is_empty() || pass <= 0.0 {
                    self.tally.shares[b] += self.people.len() as u32;
                    continue;
                }
                let mut rng = brand_stream(seed, Subsystem::Sharing, r, u64::from(t), key);
                let (earned, sharers) =
                    self.spreader
                        .spread(&self.network, &self.people, pass, &mut rng);
                self.tally.earned_reach[b] += earned.len() as u32;
                self.tally.shares[b] += sharers as u32;
                // A shared copy carries the sharer's mix of brand and demand messages.
                let weight = campaign.strategy.brand_share;
                for &p in earned {
                    let q = creative.quality(
                        people.taste[p as usize],
                        false,
                        adv.taste_width,
                        &mut rng,
                    );
                    let at = seat(p, people.company[p as usize]);
                    expose(
                        &mut self.memory,
                        &mut self.opportunities,
                        adv,
                        p,
                        b,
                        q,
                        weight,
                        at,
                    );
                    self.trackers
                        .exposed(p, b, people.company[p as usize], t, true);
                }
            }
        }
    }

    fn decisions(&mut self) {
        self.customer_events
            .revenue
            .iter_mut()
            .for_each(|r| *r = 0.0);
        // A committee whose members all moved away this period recruits before deciding; a
        // company with nobody eligible left abandons the need instead. The committees' stream
        // goes on to churn and form committees in the next phase.
        let mut committee_rng = self.stream(Subsystem::Committees);
        let (population, committees) = (&self.population, &mut self.committees);
        let events: &mut NeedEvents = &mut self.need_events;
        let mut unstaffed = Vec::new();
        events.decided.retain(|&c| {
            let staffed = committees.staff(population, c, &mut committee_rng);
            if !staffed {
                unstaffed.push(c);
            }
            staffed
        });
        events.abandoned.extend(unstaffed);
        self.committee_rng = Some(committee_rng);
        let mut rng = self.stream(Subsystem::Decisions);
        for &c in &self.need_events.decided {
            let members = self.committees.members(c);
            self.tally.deciders += members.len() as u32;
            let incumbent = self.customers.brand_of(c);
            let outcome = self.decider.decide(
                &self.decisions,
                &self.committee_weights,
                &self.population,
                &self.memory,
                members,
                self.opportunities.of(c),
                incumbent,
                &mut rng,
            );
            let now = self.period - self.warmup;
            let value = match outcome {
                Some(b) => {
                    self.tally.wins[b] += 1;
                    let employees = self.population.companies.employees[c as usize].len();
                    self.customers
                        .win(c, b, employees, now, &mut self.customer_events)
                }
                None => {
                    self.tally.no_decisions += 1;
                    0.0
                }
            };
            let deal = Deal {
                period: now,
                company: c,
                committee_size: members.len() as u32,
                employees: self.population.companies.employees[c as usize].len() as u32,
                brand: outcome.map(|b| b as u16),
                value,
            };
            if !self.warming {
                self.trackers.decided(&deal, members, &self.committees);
            }
            self.deals.push(deal);
        }
    }

    fn committees(&mut self) {
        let ended = &self.need_events;
        for &c in ended.decided.iter().chain(&ended.abandoned) {
            self.committees.dissolve(c);
            self.opportunities.end(c);
        }
        // Committees already open churn; needs that arose this period form theirs.
        let mut rng = self
            .committee_rng
            .take()
            .unwrap_or_else(|| self.stream(Subsystem::Committees));
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
    }

    fn signals(&mut self) {
        // Dated by the replicate's own count, warm-up included, so that the signals of the
        // warm-up's last weeks are there to act on in the first recorded ones, as in a market
        // already running.
        let mut rng = self.stream(Subsystem::Signals);
        self.signals
            .step(&self.needs, self.period, self.signal_window, &mut rng);
    }

    fn customers(&mut self) {
        let draws = KeyedDraws::new(
            self.seed,
            Subsystem::Customers,
            self.replicate,
            u64::from(self.period),
        );
        let now = self.now();
        let (config, memory, companies) =
            (&self.decisions, &self.memory, &self.population.companies);
        self.customers
            .step(now, &draws, &mut self.customer_events, |c, brand| {
                decisions::advantage(config, memory, &companies.employees[c as usize], brand)
            });
    }

    fn referrals(&mut self) {
        let brands = self.memory.brands();
        let (seed, r, t) = (self.seed, self.replicate, u64::from(self.period));
        if self.referrals.refer_weekly <= 0.0 {
            return;
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
            self.tally.endorsers[b] = k as u32;
            self.tally.endorsed[b] = reached.len() as u32;
            let lift = self.referrals.trust_lift as f32;
            for &p in reached {
                self.endorsed.insert(p as usize * brands + b);
                self.trackers.endorsed(p, b);
                let a = self.memory.attitude(p, b);
                self.memory.set_attitude(p, b, a + lift * (1.0 - a));
            }
        }
    }

    /// Writes the period's metrics; measures no recorded metric needs are not computed.
    fn record(&mut self, rec: &mut Recorder<'_>) {
        rec.next_row();
        let open = self.needs.open().len();
        let events = &self.need_events;
        rec.market(M::InMarketShare, self.needs.in_market_share());
        rec.market(
            M::CareerChangedShare,
            f64::from(self.careers.changed_count) / self.population.len() as f64,
        );
        rec.market(M::Movers, self.career_events.movers.len() as f64);
        rec.market(
            M::FunctionChangers,
            f64::from(self.career_events.function_changers),
        );
        if rec.wants(M::TenureMedian) {
            rec.market(M::TenureMedian, self.careers.tenure_median_weeks());
        }
        rec.market(M::NeedsOpened, events.opened.len() as f64);
        rec.market(M::Decisions, events.decided.len() as f64);
        rec.market(M::NoDecisions, f64::from(self.tally.no_decisions));
        rec.market(M::Abandoned, events.abandoned.len() as f64);
        rec.market(M::CommitteesOpen, open as f64);
        rec.market(
            M::CommitteeSizeMean,
            if open == 0 {
                0.0
            } else {
                self.committees.seated_count() as f64 / open as f64
            },
        );
        rec.market(M::Signals, f64::from(self.signals.true_signals));
        rec.market(M::FalseSignals, f64::from(self.signals.false_signals));
        rec.market(M::Deciders, f64::from(self.tally.deciders));
        let brands = self.memory.brands();
        rec.brands(M::Wins, &self.tally.wins);
        rec.brands(M::Revenue, &self.customer_events.revenue);
        if rec.wants(M::Customers) {
            rec.brands(M::Customers, &self.customers.counts(brands));
        }
        if rec.wants(M::MemoryMean) {
            let committees = &self.committees;
            let seated = self
                .needs
                .open()
                .iter()
                .flat_map(|&c| committees.members(c).iter().copied());
            rec.brands(M::MemoryMean, &self.memory.mean_over(seated));
        }
        rec.brands(M::Impressions, &self.tally.impressions);
        let spend = &self.tally.spend;
        for (m, part) in [
            (M::Spend, Spend::total as fn(&Spend) -> f64),
            (M::MediaSpend, |s| s.media),
            (M::DataSpend, |s| s.data),
            (M::CreativeSpend, |s| s.creative),
            (M::Unspent, |s| s.unspent),
        ] {
            if rec.wants(m) {
                rec.brands(m, &spend.iter().map(part).collect::<Vec<_>>());
            }
        }
        rec.brands(M::EarnedReach, &self.tally.earned_reach);
        rec.brands(M::Shares, &self.tally.shares);
        rec.brands(M::Endorsers, &self.tally.endorsers);
        rec.brands(M::Endorsed, &self.tally.endorsed);
        if let Some(reach) = &self.trackers.0 {
            let unique: Vec<u32> = (0..brands).map(|b| reach.period_reach(b)).collect();
            rec.brands(M::PaidReach, &reach.paid);
            rec.brands(M::Reach, &unique);
            rec.brands(M::ReachedEver, &reach.ever);
            rec.brands(M::ReachedBeforeJoining, &reach.before_joining);
            rec.brands(M::ReachedElsewhere, &reach.elsewhere);
        }
        if rec.wants(M::Hourglass) {
            let stages = hourglass::count(
                &self.brands_config,
                &self.population,
                &self.memory,
                &self.needs,
                &self.customers,
                &self.endorsed,
                &self.referred,
            );
            rec.stages(M::Hourglass, &stages);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::MarketConfig;
    use crate::market::committees::Committees;
    use crate::market::population::PopulationConfig;
    use crate::marketing::strategy::{Strategy, Unit, quantum};
    use crate::sim::record::Recording;
    use crate::sim::replicate::Start;

    /// Counts every event it is told of.
    #[derive(Default)]
    struct Counts {
        paid: u64,
        earned: u64,
        shared: u64,
        endorsed: u64,
        decided: u64,
        members: u64,
    }

    impl Tracker for Counts {
        fn exposed(&mut self, _p: u32, _b: usize, _c: u32, _t: u32, earned: bool) {
            if earned {
                self.earned += 1;
            } else {
                self.paid += 1;
            }
        }
        fn shared(&mut self, _p: u32, _b: usize) {
            self.shared += 1;
        }
        fn endorsed(&mut self, _p: u32, _b: usize) {
            self.endorsed += 1;
        }
        fn decided(&mut self, _deal: &Deal, members: &[u32], _c: &Committees) {
            self.decided += 1;
            self.members += members.len() as u64;
        }
    }

    #[test]
    fn a_tracker_sees_every_exposure_share_endorsement_and_decision() {
        let mut config = MarketConfig {
            population: PopulationConfig {
                people: 5_000,
                companies: 250,
                ..Default::default()
            },
            ..Default::default()
        };
        config.referrals.refer_weekly = 0.05;
        let plan = [vec![quantum(400.0)], vec![quantum(400.0)], vec![], vec![]];
        let start = Start::draw(&config, 3, 0, None, &crate::control::Never).unwrap();
        let mut market =
            Replicate::with_tracker(&config, &plan, 3, 0, start, true, Counts::default()).unwrap();
        let mut rec = Recording::new(30, 4, None);
        for t in 1..=30 {
            market.step(&mut rec.recorder(t));
        }
        let total = |m: M| -> f64 {
            (1..=30)
                .map(|t| {
                    let w = m.metric().width(4);
                    (0..w).map(|b| rec.get(m, t, b)).sum::<f64>()
                })
                .sum()
        };
        let counts = &market.trackers.1;
        assert_eq!(counts.paid as f64, total(M::Impressions));
        assert_eq!(counts.earned as f64, total(M::EarnedReach));
        assert_eq!(counts.endorsed as f64, total(M::Endorsed));
        assert_eq!(counts.decided as f64, total(M::Decisions));
        assert_eq!(counts.members as f64, total(M::Deciders));
        assert!(counts.earned > 0 && counts.shared > 0 && counts.endorsed > 0);
        assert!(counts.decided > 0);
    }

    #[test]
    fn the_campaign_log_adds_up_to_each_brands_recorded_spend() {
        let config = MarketConfig {
            population: PopulationConfig {
                people: 5_000,
                companies: 250,
                ..Default::default()
            },
            ..Default::default()
        };
        let money = |budget: f64, timing: Timing| Strategy {
            unit: Unit::Money,
            timing,
            ..quantum(budget)
        };
        let plan = [
            vec![
                money(200.0, Timing::AlwaysOn),
                Strategy {
                    name: "bursts".into(),
                    ..money(300.0, Timing::Flighted { on: 2, off: 1 })
                },
                Strategy {
                    name: "intent".into(),
                    ..money(400.0, Timing::Triggered { window: 3 })
                },
            ],
            vec![quantum(100.0)],
            vec![],
            vec![],
        ];
        let start = Start::draw(&config, 8, 0, None, &crate::control::Never).unwrap();
        let mut market = Replicate::new(&config, &plan, 8, 0, start, false).unwrap();
        let mut rec = Recording::new(12, 4, None);
        for t in 1..=12 {
            market.step(&mut rec.recorder(t));
        }
        assert_eq!(market.campaign_log.len(), 12 * 4);
        for t in 1..=12 {
            for b in 0..2 {
                let rows: Vec<_> = market
                    .campaign_log
                    .iter()
                    .filter(|c| c.period == t && usize::from(c.brand) == b)
                    .collect();
                let sum = |f: fn(&Spend) -> f64| rows.iter().map(|c| f(&c.spend)).sum::<f64>();
                let impressions: u32 = rows.iter().map(|c| c.impressions).sum();
                assert_eq!(f64::from(impressions), rec.get(M::Impressions, t, b));
                assert!((sum(Spend::total) - rec.get(M::Spend, t, b)).abs() < 1e-9);
                assert!((sum(|s| s.unspent) - rec.get(M::Unspent, t, b)).abs() < 1e-9);
                // The brand's intent data is paid once, by its triggered campaign.
                let data = if b == 0 {
                    config.media.intent_data
                } else {
                    0.0
                };
                assert_eq!(rec.get(M::DataSpend, t, b), data);
            }
        }
    }

    #[test]
    fn the_module_doc_lists_the_phases_in_their_order() {
        let doc = include_str!("period.rs");
        let mut at = 0;
        for (i, phase) in PHASES.iter().enumerate() {
            let item = format!("//! {}. `{}`", i + 1, phase.name());
            let found = doc[at..].find(&item).map(|k| k + at);
            assert!(found.is_some(), "{item} missing or out of order");
            at = found.unwrap_or(at);
        }
    }
}
