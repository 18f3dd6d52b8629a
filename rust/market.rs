//! One replicate of the market, stepped period by period in a fixed order.
//!
//! Order within a period (MODEL.md): 1. careers (movers leave their committees), 2. needs
//! (ended needs dissolve their committees), 3. committees (new needs form one, open ones
//! churn). Marketing, sharing, signals, decisions and forgetting slot in as they are built,
//! each drawing from its own stream so the mechanisms here never see their numbers shift.

use crate::careers::{CareerEvents, Careers, CareersConfig};
use crate::committee::{Committees, CommitteesConfig};
use crate::errors::Result;
use crate::needs::{NeedEvents, Needs, NeedsConfig};
use crate::population::{Population, PopulationConfig};
use crate::rng::{Subsystem, market_stream};

/// Everything that defines a market.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MarketConfig {
    pub population: PopulationConfig,
    pub careers: CareersConfig,
    pub needs: NeedsConfig,
    pub committees: CommitteesConfig,
}

impl MarketConfig {
    /// Checks every section; errors name the field and the allowed range.
    pub fn validate(&self) -> Result<()> {
        self.population.validate()?;
        self.careers.validate()?;
        self.needs.validate()?;
        self.committees
            .validate(self.population.function_shares.len())
    }
}

/// What one period recorded.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
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
}

/// One replicate's state.
pub struct Market {
    seed: u64,
    replicate: u64,
    period: u32,
    pub population: Population,
    pub careers: Careers,
    pub needs: Needs,
    pub committees: Committees,
    career_events: CareerEvents,
    need_events: NeedEvents,
    /// Scratch: companies whose committee was open before this period.
    continuing: Vec<u32>,
}

impl Market {
    /// Draws replicate `replicate` of the market named by `seed`. The config must have been
    /// validated.
    pub fn new(config: &MarketConfig, seed: u64, replicate: u64) -> Result<Self> {
        let mut rng = market_stream(seed, Subsystem::Population, replicate, 0);
        let population = Population::draw(&config.population, &mut rng)?;
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
        Ok(Self {
            seed,
            replicate,
            period: 0,
            population,
            careers,
            needs,
            committees,
            career_events: CareerEvents::default(),
            need_events: NeedEvents::default(),
            continuing: Vec::new(),
        })
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
        let ended = &self.need_events;
        for &c in ended.decided.iter().chain(&ended.abandoned) {
            self.committees.dissolve(c);
        }
        // Committees already open churn; needs that arose this period form theirs.
        let mut rng = market_stream(seed, Subsystem::Committees, r, t);
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
        let open = self.needs.open().len();
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
        }
    }
}
