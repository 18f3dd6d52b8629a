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

use crate::check;
use crate::errors::{Result, Segment, Within};
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
use serde::{Deserialize, Serialize};

/// Everything that defines a market.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
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
    /// Checks every section; errors name the section, the field and the allowed range.
    pub fn validate(&self) -> Result<()> {
        let people = self.population.people;
        let functions = self.population.function_shares.len();
        self.population.validate().in_field("population")?;
        self.network.validate(people).in_field("network")?;
        self.careers.validate().in_field("careers")?;
        self.needs.validate().in_field("needs")?;
        self.committees.validate(functions).in_field("committees")?;
        self.brands.validate().in_field("brands")?;
        self.decisions.validate().in_field("decisions")?;
        self.customers.validate().in_field("customers")?;
        self.advertising.validate().in_field("advertising")?;
        self.referrals.validate().in_field("referrals")
    }

    /// Checks one strategy against this market.
    pub fn validate_strategy(&self, s: &Strategy) -> Result<()> {
        let p = &self.population;
        s.validate(p.people, p.companies, p.function_shares.len())
    }

    /// Checks one (optional) strategy per brand against this market.
    pub fn validate_strategies(&self, strategies: &[Option<Strategy>]) -> Result<()> {
        check::length(
            "strategies",
            self.brands.count(),
            strategies.len(),
            "one (or none) per brand",
        )?;
        for (b, s) in strategies.iter().enumerate() {
            if let Some(s) = s {
                self.validate_strategy(s)
                    .map_err(|e| e.within(Segment::Index(b)).in_field("strategies"))?;
            }
        }
        Ok(())
    }
}
