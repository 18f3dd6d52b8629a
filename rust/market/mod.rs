//! The market: people and the companies they work for, the ties between them, careers that
//! move people between companies, needs that arise and vanish, buying committees, brand
//! memory, decisions and customers. None of it knows about marketing strategies: a market's
//! own randomness is the same whatever the brands do.

pub mod careers;
pub mod committees;
pub mod customers;
pub mod decisions;
pub mod memory;
pub mod needs;
pub mod population;
pub mod ties;

use crate::errors::{Error, Result};
use crate::market::careers::CareersConfig;
use crate::market::committees::CommitteesConfig;
use crate::market::customers::CustomersConfig;
use crate::market::decisions::DecisionsConfig;
use crate::market::memory::BrandsConfig;
use crate::market::needs::NeedsConfig;
use crate::market::population::PopulationConfig;
use crate::market::ties::NetworkConfig;
use crate::marketing::response::AdvertisingConfig;
use crate::marketing::strategy::Strategy;
use crate::marketing::word_of_mouth::ReferralsConfig;

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
    pub advertising: AdvertisingConfig,
    pub referrals: ReferralsConfig,
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
        self.customers.validate()?;
        self.advertising.validate()?;
        self.referrals.validate()
    }

    /// Checks one (optional) strategy per brand against this market.
    pub fn validate_strategies(&self, strategies: &[Option<Strategy>]) -> Result<()> {
        if strategies.len() != self.brands.count() {
            return Err(Error::Length {
                name: "strategies",
                expected: self.brands.count(),
                actual: strategies.len(),
                why: "one (or none) per brand",
            });
        }
        let p = &self.population;
        for s in strategies.iter().flatten() {
            s.validate(p.people, p.companies, p.function_shares.len())?;
        }
        Ok(())
    }
}
