//! One replicate of the market, stepped period by period in a fixed order.
//!
//! Order within a period (MODEL.md): 1. careers (movers leave their committees); 2. needs
//! end or arise; the committees of needs that came to a decision decide (7. in MODEL.md,
//! brought forward so a committee decides before it dissolves), and ended needs dissolve
//! their committees; 3. committees of continuing needs churn and new needs form one;
//! customers buy again or churn; 8. memory fades. Marketing, sharing and signals (steps 4-6)
//! slot in as they are built. Each mechanism draws from its own stream, so none of them sees
//! its numbers shift when another changes.

use crate::careers::{CareerEvents, Careers, CareersConfig};
use crate::committee::{Committees, CommitteesConfig};
use crate::customers::{CustomerEvents, Customers, CustomersConfig, Relationship};
use crate::decision::{Decider, DecisionsConfig};
use crate::errors::Result;
use crate::memory::{BrandsConfig, Memory};
use crate::needs::{NeedEvents, Needs, NeedsConfig};
use crate::network::Graph;
use crate::population::{Population, PopulationConfig};
use crate::professional_network::{NetworkConfig, professional_network};
use crate::rng::{KeyedDraws, Subsystem, market_stream};
use std::sync::Arc;

/// Everything that defines a market.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MarketConfig {
    pub population: PopulationConfig,
    pub network: NetworkConfig,
    pub careers: CareersConfig,
    pub needs: NeedsConfig,
    pub committees: CommitteesConfig,
    pub brands: BrandsConfig,
    pub decisions: DecisionsConfig,
    pub customers: CustomersConfig,
}

impl MarketConfig {
    /// Checks every section; errors name the field and the allowed range.
    pub fn validate(&self) -> Result<()> {
        self.population.validate()?;
        self.network.validate(self.population.people)?;
        self.careers.validate()?;
        self.needs.validate()?;
        self.committees
            .validate(self.population.function_shares.len())?;
        self.brands.validate()?;
        self.decisions.validate()?;
        self.customers.validate()
    }
}

/// One decision of a buying committee.
#[derive(Clone, Debug, PartialEq)]
pub struct Deal {
    pub period: u32,
    pub company: u32,
    pub committee_size: u32,
    /// The brand that won, or `None` for no decision.
    pub brand: Option<u16>,
    /// Value of the sale (0 for no decision).
    pub value: f64,
}

/// What one period recorded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PeriodRecord {
    /// Share of companies with an open need at the end of the period.
    pub in_market_share: f64,
    /// Share of people whose company, function or seniority has changed since period 0.
    pub career_changed_share: f64,
    /// People who moved to another company this period.
    pub movers: u32,
    /// Needs that opened, were decided, and were abandoned this period.
    pub needs_opened: u32,
    pub decisions: u32,
    pub abandoned: u32,
    /// Open committees (one per open need) and their mean size at the end of the period.
    pub committees_open: u32,
    pub committee_size_mean: f64,
    /// Needs that ended in no decision.
    pub no_decisions: u32,
    /// Per brand: deals won, revenue, customers at the end of the period, and mean memory
    /// among people on open committees.
    pub wins: Vec<u32>,
    pub revenue: Vec<f64>,
    pub customers: Vec<u32>,
    pub memory_mean: Vec<f64>,
}

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
}

impl Market {
    /// Draws replicate `replicate` of the market named by `seed`, with `network` as the
    /// professional network if given (one node per person) or a drawn one. The config must
    /// have been validated.
    pub fn new(
        config: &MarketConfig,
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
        let memory = Memory::new(&config.brands, population.len(), &mut rng)?;
        let brands = config.brands.count();
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
        })
    }

    /// Every customer relationship so far.
    pub fn customer_log(&self) -> &[Relationship] {
        &self.customers.log
    }

    /// Advances one period and returns what it recorded.
    pub fn step(&mut self) -> PeriodRecord {
        self.period += 1;
        let (seed, r, t) = (self.seed, self.replicate, u64::from(self.period));
        let mut rng = market_stream(seed, Subsystem::Careers, r, t);
        self.careers
            .step(&mut self.population, &mut rng, &mut self.career_events);
        for &(p, from) in &self.career_events.movers {
            self.committees.leave(p, from);
        }
        let mut rng = market_stream(seed, Subsystem::Needs, r, t);
        self.needs
            .step(self.period, &mut rng, &mut self.need_events);
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
        for &c in &self.need_events.decided {
            let members = self.committees.members(c);
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
        let draws = KeyedDraws::new(seed, Subsystem::Customers, r, t);
        self.customers
            .step(self.period, &draws, &mut self.customer_events);
        self.memory.forget();
        let open = self.needs.open().len();
        let committees = &self.committees;
        let seated = self
            .needs
            .open()
            .iter()
            .flat_map(|&c| committees.members(c).iter().copied());
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
            memory_mean: self.memory.mean_over(seated),
        }
    }
}
