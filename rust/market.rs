//! One replicate of the market, stepped period by period in a fixed order.
//!
//! Order within a period (MODEL.md): 1. careers, 2. needs. Committees, marketing, sharing,
//! signals, decisions and forgetting slot in between as they are built, each drawing from its
//! own stream so the mechanisms here never see their numbers shift.

use crate::careers::{CareerEvents, Careers, CareersConfig};
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
}

impl MarketConfig {
    /// Checks every section; errors name the field and the allowed range.
    pub fn validate(&self) -> Result<()> {
        self.population.validate()?;
        self.careers.validate()?;
        self.needs.validate()
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
}

/// One replicate's state.
pub struct Market {
    seed: u64,
    replicate: u64,
    period: u32,
    pub population: Population,
    pub careers: Careers,
    pub needs: Needs,
    career_events: CareerEvents,
    need_events: NeedEvents,
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
        let needs = Needs::new(&config.needs, population.companies.industry.len(), &mut rng);
        Ok(Self {
            seed,
            replicate,
            period: 0,
            population,
            careers,
            needs,
            career_events: CareerEvents::default(),
            need_events: NeedEvents::default(),
        })
    }

    /// Advances one period and returns what it recorded.
    pub fn step(&mut self) -> PeriodRecord {
        self.period += 1;
        let (seed, r, t) = (self.seed, self.replicate, u64::from(self.period));
        let mut rng = market_stream(seed, Subsystem::Careers, r, t);
        self.careers
            .step(&mut self.population, &mut rng, &mut self.career_events);
        let mut rng = market_stream(seed, Subsystem::Needs, r, t);
        self.needs
            .step(self.period, &mut rng, &mut self.need_events);
        PeriodRecord {
            in_market_share: self.needs.in_market_share(),
            career_changed_share: f64::from(self.careers.changed_count)
                / self.population.len() as f64,
            movers: self.career_events.movers.len() as u32,
            needs_opened: self.need_events.opened.len() as u32,
            decisions: self.need_events.decided.len() as u32,
            abandoned: self.need_events.abandoned.len() as u32,
        }
    }
}
