//! The market: people and the companies they work for, the ties between them, careers that
//! move people between companies, needs that arise and vanish, buying committees, brand
//! memory, decisions and customers. None of it knows about marketing strategies: a market's
//! own randomness is the same whatever the brands do.

pub(crate) mod careers;
pub(crate) mod committees;
pub(crate) mod customers;
pub(crate) mod decisions;
pub(crate) mod memory;
pub(crate) mod needs;
pub(crate) mod opportunities;
pub(crate) mod population;
pub mod ties;

use crate::check;
use crate::errors::{Error, Result, Segment, Within};
use crate::marketing::strategy::{Strategy, Timing, Unit};

// The sections of a market's config are public; the mechanics behind them are the crate's.
pub use crate::market::careers::CareersConfig;
pub use crate::market::committees::CommitteesConfig;
pub use crate::market::customers::CustomersConfig;
pub use crate::market::decisions::DecisionsConfig;
pub use crate::market::memory::BrandsConfig;
pub use crate::market::needs::NeedsConfig;
pub use crate::market::population::PopulationConfig;
pub use crate::market::ties::NetworkConfig;
pub use crate::marketing::media::MediaConfig;
pub use crate::marketing::response::AdvertisingConfig;
pub use crate::marketing::word_of_mouth::ReferralsConfig;
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
    pub start: StartConfig,
    pub media: MediaConfig,
}

/// How the market stands when a run starts: in its steady state, not empty. Most B2B buyers
/// already have a supplier (the 95-5 rule: companies come back to market about every 5
/// years and may change provider then; Dawes, Ehrenberg-Bass Institute), and memory starts
/// at its stationary distribution (see `memory`). A warm-up then lets committees, customers
/// and relationships settle before anything is recorded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StartConfig {
    /// Share of companies that buy from one of the brands at the start, each brand's share
    /// of them in proportion to its size (`brands.awareness`). The default is near the
    /// share the default market settles at.
    pub incumbent_share: f64,
    /// Weeks the market runs before the first recorded week, with nobody advertising (the
    /// same for every alternative compared): simulated, not recorded.
    pub warmup_weeks: u32,
}

impl Default for StartConfig {
    fn default() -> Self {
        Self {
            incumbent_share: 0.53,
            warmup_weeks: 52,
        }
    }
}

impl StartConfig {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        check::real("incumbent_share", self.incumbent_share, check::UNIT)?;
        check::whole("warmup_weeks", u64::from(self.warmup_weeks), 0, 5_200)
    }
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
        self.referrals.validate().in_field("referrals")?;
        self.start.validate().in_field("start")?;
        self.media.validate().in_field("media")
    }

    /// Checks one strategy against this market and its prices.
    pub fn validate_strategy(&self, s: &Strategy) -> Result<()> {
        let p = &self.population;
        s.validate(p.people, p.companies, p.function_shares.len())?;
        let media = &self.media;
        if s.unit == Unit::Money && s.budget > 0.0 {
            if media.base_cpm == 0.0 && media.frequency_cap == 0 {
                return Err(Error::out_of_range(
                    "budget",
                    s.budget,
                    "an impression budget: money buys unlimited free impressions when \
                     media.base_cpm is 0 and media.frequency_cap is 0 (no cap)",
                ));
            }
            let fixed = self.fixed_cost(s);
            if s.budget <= fixed {
                return Err(Error::out_of_range(
                    "budget",
                    s.budget,
                    format!(
                        "above the campaign's fixed costs per period ({fixed}: creative and \
                         intent data), or 0; it would buy no impressions"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// What a campaign of strategy `s` pays each period before it buys impressions: its
    /// creative, and intent data if it is triggered by signals.
    pub fn fixed_cost(&self, s: &Strategy) -> f64 {
        let media = &self.media;
        let data = if matches!(s.timing, Timing::Triggered { .. }) {
            media.intent_data
        } else {
            0.0
        };
        data + media.creative_cost(s.creative.tailored)
    }

    /// Checks that a money budget buys at least one impression in `periods` periods, at the
    /// cheapest price there is.
    pub fn validate_horizon(&self, s: &Strategy, periods: u32) -> Result<()> {
        let media = &self.media;
        if s.unit != Unit::Money || s.budget == 0.0 || media.base_cpm == 0.0 {
            return Ok(());
        }
        let left = s.budget - self.fixed_cost(s);
        if left * f64::from(periods) * 1000.0 / media.base_cpm < 1.0 {
            return Err(Error::out_of_range(
                "budget",
                s.budget,
                format!(
                    "enough to buy one impression in {periods} periods at the lowest CPM \
                     ({}) after creative and data",
                    media.base_cpm
                ),
            ));
        }
        Ok(())
    }

    /// Where brand `b`'s media plan sits in what a user wrote: `strategies["us"]` where the
    /// brands are named, `strategies[0]` where not.
    pub fn strategies_at(&self, b: usize) -> [Segment; 2] {
        let brand = match self.brands.names.get(b) {
            Some(name) => Segment::Key(name.clone()),
            None => Segment::Index(b),
        };
        [Segment::Field("strategies".into()), brand]
    }

    /// Checks each brand's campaigns (its media plan; none: dark) against this market and a
    /// run of `periods` periods: every campaign's strategy, its budget over the run, and
    /// names unique within a plan. Errors name the brand and the campaign
    /// (`strategies["us"]["abm"].budget`); a lone unnamed campaign is the brand's strategy,
    /// and its errors name the brand only.
    pub fn validate_strategies(&self, strategies: &[Vec<Strategy>], periods: u32) -> Result<()> {
        check::length(
            "strategies",
            self.brands.count(),
            strategies.len(),
            "one plan (maybe empty) per brand",
        )?;
        for (b, plan) in strategies.iter().enumerate() {
            for (k, s) in plan.iter().enumerate() {
                let campaign = match (plan.len(), s.name.is_empty()) {
                    (1, true) => None,
                    (_, true) => Some(Segment::Index(k)),
                    _ => Some(Segment::Key(s.name.clone())),
                };
                let at = |e: Error| {
                    let e = campaign.iter().fold(e, |e, c| e.within(c.clone()));
                    let [field, brand] = self.strategies_at(b);
                    e.within(brand).within(field)
                };
                self.validate_strategy(s).map_err(at)?;
                self.validate_horizon(s, periods).map_err(at)?;
                if plan[..k].iter().any(|o| o.name == s.name) {
                    return Err(at(Error::out_of_range(
                        "name",
                        crate::errors::quoted(&s.name),
                        "a name no other campaign of the plan has",
                    )));
                }
            }
        }
        Ok(())
    }
}
