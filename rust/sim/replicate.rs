//! One replicate's state: the market as drawn for replicate r of a seed, and the brands'
//! campaigns running in it. [`crate::sim::period`] steps it.
//!
//! Every mechanism draws from its own stream (and each brand from its own), so none of them
//! sees its numbers shift when another changes: the market's own randomness is the same
//! whatever the strategies, and alternatives compared on one seed face the same market.

use crate::control::{BUILD_UNITS, Interrupt};
use crate::errors::Result;
use crate::graph::csr::Graph;
use crate::market::MarketConfig;
use crate::market::careers::{CareerEvents, Careers};
use crate::market::committees::{Committees, CommitteesConfig};
use crate::market::customers::{CustomerEvents, Customers, Relationship};
use crate::market::decisions::{Decider, DecisionsConfig};
use crate::market::memory::{BrandsConfig, Memory};
use crate::market::needs::{NeedEvents, Needs};
use crate::market::opportunities::Opportunities;
use crate::market::population::Population;
use crate::market::ties::professional_network;
use crate::marketing::campaign::{Campaign, Impressions};
use crate::marketing::media::{MediaConfig, Spend};
use crate::marketing::response::AdvertisingConfig;
use crate::marketing::signals::Signals;
use crate::marketing::strategy::{Strategy, Timing};
use crate::marketing::word_of_mouth::{ReferralsConfig, Spreader};
use crate::measures::Tracker;
use crate::measures::reach::Reach;
use crate::rng::{KeyedDraws, Subsystem, market_stream};
use crate::sim::record::{CampaignPeriod, Deal};
use fixedbitset::FixedBitSet;
use std::sync::Arc;

/// The market at the start of a replicate: the people and companies, and who knows whom.
/// Drawn once per replicate and shared by every alternative compared on it.
#[derive(Clone, Debug)]
pub struct Start {
    pub population: Population,
    /// Drawn for this replicate, or the user's graph shared by all. Ties outlast job changes.
    pub network: Arc<Graph>,
}

impl Start {
    /// Replicate `replicate` of the market named by `seed`, on `network` if given (one node
    /// per person) or on a professional network drawn for it. The config must be valid.
    /// `watch` hears the build's progress ([`BUILD_UNITS`] in all) and can stop it.
    pub fn draw(
        config: &MarketConfig,
        seed: u64,
        replicate: u64,
        network: Option<&Arc<Graph>>,
        watch: &dyn Interrupt,
    ) -> Result<Self> {
        let mut rng = market_stream(seed, Subsystem::Population, replicate, 0);
        let population = Population::draw(&config.population, &mut rng)?;
        // Drawing the people takes about as long as drawing their network.
        let people_units = if network.is_some() {
            BUILD_UNITS
        } else {
            BUILD_UNITS / 2
        };
        watch.built(people_units);
        let network = match network {
            Some(graph) => Arc::clone(graph),
            None => {
                let mut rng = market_stream(seed, Subsystem::Network, replicate, 0);
                let mut reported = 0;
                let mut progress = |share: f64| {
                    if watch.stop() {
                        return Err(crate::Error::Interrupted);
                    }
                    let units =
                        (share.clamp(0.0, 1.0) * f64::from(BUILD_UNITS - people_units)) as u32;
                    if units > reported {
                        watch.built(units - reported);
                        reported = units;
                    }
                    Ok(())
                };
                let graph =
                    professional_network(&population, &config.network, &mut rng, &mut progress)?;
                watch.built(BUILD_UNITS - people_units - reported);
                Arc::new(graph)
            }
        };
        Ok(Self {
            population,
            network,
        })
    }
}

/// One replicate's state, watched by the tracker `T` (none by default).
pub struct Replicate<T: Tracker = ()> {
    pub(crate) seed: u64,
    pub(crate) replicate: u64,
    /// Periods run so far, the warm-up's included.
    pub(crate) period: u32,
    /// Periods of warm-up before the first recorded one (0 while warming up): period
    /// `period - warmup` of the run is the one recorded.
    pub(crate) warmup: u32,
    /// True while warming up: nobody advertises and nothing is recorded.
    pub(crate) warming: bool,
    pub population: Population,
    pub network: Arc<Graph>,
    pub careers: Careers,
    pub needs: Needs,
    pub committees: Committees,
    pub memory: Memory,
    /// The demand activation of each open need.
    pub opportunities: Opportunities,
    pub customers: Customers,
    /// Each brand's campaigns (its media plan; none if it does not advertise).
    pub campaigns: Vec<Vec<Campaign>>,
    pub signals: Signals,
    /// Who each advertising brand has reached (None when the run records no reach metric),
    /// and the caller's tracker.
    pub trackers: (Option<Reach>, T),
    /// Per person and brand (index p * brands + b): endorsed by a customer; has endorsed.
    pub endorsed: FixedBitSet,
    pub referred: FixedBitSet,
    /// Every decision so far.
    pub deals: Vec<Deal>,
    /// Every campaign's impressions and spend, per period.
    pub campaign_log: Vec<CampaignPeriod>,
    pub(crate) decisions: DecisionsConfig,
    pub(crate) committee_weights: CommitteesConfig,
    pub(crate) decider: Decider,
    pub(crate) customer_events: CustomerEvents,
    pub(crate) career_events: CareerEvents,
    pub(crate) need_events: NeedEvents,
    /// Scratch: companies whose committee was open before this period.
    pub(crate) continuing: Vec<u32>,
    pub(crate) brands_config: BrandsConfig,
    pub(crate) advertising: AdvertisingConfig,
    pub(crate) media: MediaConfig,
    pub(crate) referrals: ReferralsConfig,
    pub(crate) spreader: Spreader,
    /// The longest signal window a strategy looks back.
    pub(crate) signal_window: u32,
    pub(crate) impressions: Impressions,
    pub(crate) people: Vec<u32>,
    /// This period's outcomes, for the record.
    pub(crate) tally: Tally,
    /// The committees' stream of this period: decisions staff committees with it, and the
    /// committees phase goes on drawing from it.
    pub(crate) committee_rng: Option<crate::rng::Stream>,
}

/// What the phases of one period counted, per brand unless said otherwise.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tally {
    pub impressions: Vec<u32>,
    pub earned_reach: Vec<u32>,
    pub shares: Vec<u32>,
    pub wins: Vec<u32>,
    /// Market-wide: decisions that ended in no decision, and the members who decided.
    pub no_decisions: u32,
    pub deciders: u32,
    pub endorsers: Vec<u32>,
    pub endorsed: Vec<u32>,
    /// Money per brand: media, data, creative and unspent budget.
    pub spend: Vec<Spend>,
}

impl Tally {
    fn new(brands: usize) -> Self {
        Self {
            impressions: vec![0; brands],
            earned_reach: vec![0; brands],
            shares: vec![0; brands],
            wins: vec![0; brands],
            endorsers: vec![0; brands],
            endorsed: vec![0; brands],
            spend: vec![Spend::default(); brands],
            ..Default::default()
        }
    }

    pub(crate) fn clear(&mut self) {
        for v in [
            &mut self.impressions,
            &mut self.earned_reach,
            &mut self.shares,
            &mut self.wins,
            &mut self.endorsers,
            &mut self.endorsed,
        ] {
            v.iter_mut().for_each(|x| *x = 0);
        }
        self.spend.iter_mut().for_each(|s| *s = Spend::default());
        self.no_decisions = 0;
        self.deciders = 0;
    }
}

impl Replicate {
    /// Replicate `replicate` of the market named by `seed`, from its `start`, with each
    /// brand's campaigns (none: dark); `reach` keeps who each brand reached (needed by the
    /// reach and future-buyer metrics). The config and strategies must be valid.
    pub fn new(
        config: &MarketConfig,
        strategies: &[Vec<Strategy>],
        seed: u64,
        replicate: u64,
        start: Start,
        reach: bool,
    ) -> Result<Self> {
        Self::with_tracker(config, strategies, seed, replicate, start, reach, ())
    }
}

impl<T: Tracker> Replicate<T> {
    /// As [`Replicate::new`], watched by `tracker`.
    #[allow(clippy::too_many_arguments)]
    pub fn with_tracker(
        config: &MarketConfig,
        strategies: &[Vec<Strategy>],
        seed: u64,
        replicate: u64,
        start: Start,
        reach: bool,
        tracker: T,
    ) -> Result<Self> {
        let Start {
            population,
            network,
        } = start;
        let mut rng = market_stream(seed, Subsystem::Careers, replicate, 0);
        let careers = Careers::new(
            &config.careers,
            &config.population.level_shares,
            &population,
            &mut rng,
        );
        let mut rng = market_stream(seed, Subsystem::Needs, replicate, 0);
        let companies = population.companies.industry.len();
        let headcounts: Vec<usize> = population
            .companies
            .employees
            .iter()
            .map(Vec::len)
            .collect();
        let needs = Needs::with_headcounts(&config.needs, &headcounts, &mut rng);
        // Needs open at the start already have their committees.
        let mut committees = Committees::new(&config.committees, companies, population.len());
        let mut rng = market_stream(seed, Subsystem::Committees, replicate, 0);
        for &c in needs.open() {
            committees.form(&population, c, &mut rng);
        }
        let mut rng = market_stream(seed, Subsystem::Memory, replicate, 0);
        let advertised = strategies.iter().flatten().next().is_some();
        let memory = Memory::new(&config.brands, population.len(), advertised, &mut rng)?;
        let brands = config.brands.count();
        let demand = strategies.iter().flatten().any(|s| s.brand_share < 1.0);
        let opportunities = Opportunities::new(
            companies,
            brands,
            config.brands.activation_half_life_weeks,
            demand,
        )?;
        // Most companies already buy from someone; period 0 of the customers' draws is
        // never used by a period.
        let mut customers = Customers::new(&config.customers, companies);
        customers.incumbents(
            config.start.incumbent_share,
            &config.brands.awareness,
            |c| population.companies.employees[c as usize].len(),
            &KeyedDraws::new(seed, Subsystem::Customers, replicate, 0),
        );
        let campaigns = strategies
            .iter()
            .map(|plan| {
                plan.iter()
                    .map(|s| Campaign::new(s, &population, &config.committees, &config.customers))
                    .collect::<Result<Vec<_>>>()
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
        let advertises: Vec<bool> = strategies.iter().map(|plan| !plan.is_empty()).collect();
        let spreader = Spreader::new(&network);
        Ok(Self {
            seed,
            replicate,
            period: 0,
            warmup: 0,
            warming: false,
            population,
            network,
            careers,
            needs,
            committees,
            memory,
            opportunities,
            customers,
            campaigns,
            signals: Signals::new(&config.needs, companies),
            trackers: (
                reach.then(|| Reach::new(people, &advertises)).transpose()?,
                tracker,
            ),
            endorsed: FixedBitSet::with_capacity(cells),
            referred: FixedBitSet::with_capacity(cells),
            spreader,
            deals: Vec::new(),
            campaign_log: Vec::new(),
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
            media: config.media.clone(),
            referrals: config.referrals.clone(),
            signal_window,
            impressions: Impressions::default(),
            people: Vec::new(),
            tally: Tally::new(brands),
            committee_rng: None,
        })
    }

    /// Every customer relationship so far.
    pub fn customer_log(&self) -> &[Relationship] {
        &self.customers.log
    }

    /// Who each advertising brand has reached, if kept.
    pub fn reach(&self) -> Option<&Reach> {
        self.trackers.0.as_ref()
    }

    /// The current period of the run (0 before the first recorded step).
    pub fn period(&self) -> u32 {
        self.period - self.warmup
    }

    /// Runs `weeks` periods before the run proper, with nobody advertising and nothing
    /// recorded, so the run starts from a market that has settled: then forgets the
    /// warm-up's decisions, keeps its running customer relationships as ones from before
    /// the run, and counts career changes from the run's start. Call it once, first.
    pub fn warm_up(&mut self, weeks: u32) {
        debug_assert_eq!(self.period, 0, "warm up before the first period");
        self.warming = true;
        for _ in 0..weeks {
            self.step_unrecorded();
        }
        self.warming = false;
        self.warmup = self.period;
        self.deals.clear();
        self.customers.restart();
        self.careers.changed.clear();
        self.careers.changed_count = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::Never;
    use crate::market::population::PopulationConfig;
    use crate::marketing::strategy::Creative;
    use crate::marketing::strategy::quantum;
    use crate::sim::record::{M, Recording};

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

    #[test]
    fn a_single_pulse_of_memory_decays_exactly_by_the_half_life() {
        // The pulse's ad-stock halves every memory half-life, its long-term share every
        // long-term half-life: after 4 more weeks, exactly a/2 + b x 0.5^(4/52).
        let mut config = small();
        config.brands.baseline_memory = vec![0.0; 4];
        config.brands.memory_half_life_weeks = 4.0;
        config.brands.long_term_half_life_weeks = 52.0;
        config.advertising.share_rate = 0.0;
        let pulse = Strategy {
            brand_share: 1.0,
            timing: Timing::Flighted { on: 1, off: 520 },
            ..quantum(2_000.0)
        };
        let strategies = [vec![pulse], vec![], vec![], vec![]];
        let start = Start::draw(&config, 1, 0, None, &Never).unwrap();
        let mut market = Replicate::new(&config, &strategies, 1, 0, start, true).unwrap();
        let mut rec = Recording::new(5, 4, None);
        market.step(&mut rec.recorder(1));
        let hit = market.reach().unwrap().reached_this_period(0).to_vec();
        assert!(hit.len() > 1_000);
        let after: Vec<f32> = hit.iter().map(|&p| market.memory.value(p, 0)).collect();
        for t in 2..=5 {
            market.step(&mut rec.recorder(t));
            assert_eq!(rec.get(M::Impressions, t, 0), 0.0);
        }
        // After the first week's fading the two parts stand in the ratio (1 - s) r : s R.
        let s = config.brands.long_term_share;
        let (r, big_r) = (0.5f64.powf(0.25), 0.5f64.powf(1.0 / 52.0));
        let fast = (1.0 - s) * r / ((1.0 - s) * r + s * big_r);
        for (&p, m) in hit.iter().zip(after) {
            let m = f64::from(m);
            let expected = 0.5 * fast * m + big_r.powi(4) * (1.0 - fast) * m;
            let now = f64::from(market.memory.value(p, 0));
            assert!((now - expected).abs() < 1e-6, "{now} vs {expected}");
        }
    }

    /// Counts the build's progress; stops once it has heard `stop_after` units.
    struct Watch {
        built: std::sync::atomic::AtomicU32,
        stop_after: u32,
    }

    impl Interrupt for Watch {
        fn stop(&self) -> bool {
            self.built.load(std::sync::atomic::Ordering::Relaxed) >= self.stop_after
        }

        fn built(&self, units: u32) {
            self.built
                .fetch_add(units, std::sync::atomic::Ordering::Relaxed);
        }
    }

    #[test]
    fn a_build_reports_its_progress_and_stops_when_asked() {
        let config = small();
        let watch = |stop_after| Watch {
            built: 0.into(),
            stop_after,
        };
        let all = watch(u32::MAX);
        let start = Start::draw(&config, 5, 0, None, &all).unwrap();
        assert_eq!(all.built.into_inner(), BUILD_UNITS);
        // The same market whoever watches.
        let quiet = Start::draw(&config, 5, 0, None, &Never).unwrap();
        assert_eq!(*start.network, *quiet.network);
        // A given network: the people are the whole build.
        let given = watch(u32::MAX);
        Start::draw(&config, 5, 0, Some(&start.network), &given).unwrap();
        assert_eq!(given.built.into_inner(), BUILD_UNITS);
        // Asked to stop once the people are drawn: the network is not built.
        let halfway = watch(1);
        assert!(matches!(
            Start::draw(&config, 5, 0, None, &halfway),
            Err(crate::Error::Interrupted)
        ));
        assert!(halfway.built.into_inner() < BUILD_UNITS);
    }

    #[test]
    fn a_warm_up_is_not_recorded_and_the_run_counts_from_its_end() {
        let config = small();
        let plan = [vec![quantum(500.0)], vec![], vec![], vec![]];
        let start = Start::draw(&config, 3, 0, None, &Never).unwrap();
        let mut market = Replicate::new(&config, &plan, 3, 0, start, true).unwrap();
        market.warm_up(30);
        assert_eq!(market.period(), 0);
        assert!(
            market.deals.is_empty(),
            "the warm-up's decisions are forgotten"
        );
        assert_eq!(market.careers.changed_count, 0);
        assert!(
            market
                .customers
                .log
                .iter()
                .all(|r| r.start == 0 && r.sales == 0)
        );
        assert!(!market.customers.active().is_empty(), "incumbents");
        assert_eq!(market.reach().unwrap().ever[0], 0, "nobody advertised");
        let mut rec = Recording::new(10, 4, None);
        for t in 1..=10 {
            market.step(&mut rec.recorder(t));
            assert_eq!(rec.get(M::Impressions, t, 0), 500.0);
        }
        assert_eq!(market.period(), 10);
        assert!(market.deals.iter().all(|d| (1..=10).contains(&d.period)));
        assert!(market.customers.log.iter().all(|r| r.start <= 10));
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
        let strategies = [vec![closed], vec![quantum(700.0)], vec![], vec![]];
        let start = Start::draw(&config, 2, 0, None, &Never).unwrap();
        let mut market = Replicate::new(&config, &strategies, 2, 0, start, true).unwrap();
        let mut rec = Recording::new(40, 4, None);
        let mut earned = 0.0;
        let mut ever = 0.0;
        for t in 1..=40 {
            market.step(&mut rec.recorder(t));
            let at = |m: M, b: usize| rec.get(m, t, b);
            assert_eq!((at(M::EarnedReach, 0), at(M::Shares, 0)), (0.0, 0.0));
            let impressions: Vec<f64> = (0..4).map(|b| at(M::Impressions, b)).collect();
            assert_eq!(impressions, vec![700.0, 700.0, 0.0, 0.0]);
            assert!(at(M::Reach, 0) <= 700.0 && at(M::Reach, 1) <= 700.0 + at(M::EarnedReach, 1));
            assert!(
                at(M::PaidReach, 1) <= at(M::Reach, 1) && at(M::PaidReach, 0) == at(M::Reach, 0)
            );
            assert!(at(M::ReachedEver, 1) >= ever);
            ever = at(M::ReachedEver, 1);
            earned += at(M::EarnedReach, 1);
            for b in 0..4 {
                let stage = rec.stages(t, b);
                assert!(stage.iter().all(|&s| s <= 10_000.0));
                assert!(
                    stage[3] <= stage[0] && stage[5] <= stage[4],
                    "brand {b}: {stage:?}"
                );
                assert!(at(M::ReachedBeforeJoining, b) <= at(M::Deciders, 0));
                assert!(at(M::ReachedElsewhere, b) <= at(M::Deciders, 0));
            }
        }
        assert!(earned > 0.0, "universal creative is shared");
    }
}
