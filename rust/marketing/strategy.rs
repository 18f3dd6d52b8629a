//! Marketing strategies: who a brand's budget reaches, with what creative, and when.
//!
//! A strategy is a budget per period (money by default, or impressions spelled explicitly),
//! split between brand (builds memory
//! that fades slowly) and demand (moves people on open committees, the more the better
//! they remember the brand), plus three choices: targeting, creative and timing. Both the
//! "planetary" (narrow, personalized, intent-triggered) and the "quantum" (broad,
//! universal, always on) views are settings of these; the market decides which works.

use crate::check::{self, Range, UNIT};
use crate::errors::{Error, Result, Within};
use crate::market::population::LEVELS;
use crate::marketing::media::MAX_IMPRESSIONS;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Who may be shown the brand's ads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Targeting {
    /// Everyone whose influence on a purchase (relevance of their function x weight of their
    /// seniority) is above `min_influence`: anyone who could ever sit on a committee.
    Broad { min_influence: f64 },
    /// People in `functions` (all if empty) at `min_level` or above, working at one of
    /// `accounts` (anywhere if empty): a role- and account-based list, re-evaluated as
    /// people change jobs.
    Narrow {
        functions: Vec<u8>,
        min_level: u8,
        accounts: Vec<u32>,
    },
    /// The top `top_share` of accounts by value (sale value at their size), everyone there
    /// with any influence; or, with `people`, the top share of people by influence x the
    /// value of their employer.
    Scored { top_share: f64, people: bool },
    /// A weight per person (index = person): impressions land in proportion to it.
    Weights { weights: Arc<[f32]> },
    /// Influencer seeding: the `size` people within the audience of `within` whose shares
    /// would spread the campaign's creative furthest through the professional network
    /// (influence maximization on the network, with the creative's pass probability), chosen
    /// when the campaign starts and re-chosen every `every` periods: ties persist as people
    /// change jobs, but who is in `within` does not, and a seed who leaves it is dropped at
    /// once.
    Seeding {
        within: Box<Targeting>,
        size: u32,
        every: u32,
    },
}

/// The most seeds a seeding audience may hold.
pub const MAX_SEEDS: u32 = 1_000_000;

/// What the ads say and how well they land.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Creative {
    /// How strongly an impression works on someone it fits perfectly, in [0, 1].
    pub resonance: f64,
    /// How much landing depends on matching the person's taste, in [0, 1] (0: works on all).
    pub taste_dependence: f64,
    /// How likely people are to share it and ties to pass it on, in [0, 1].
    pub shareability: f64,
    /// Tailored to each person's guessed taste (else aimed at the taste `aim`).
    pub tailored: bool,
    /// Probability that personalization guesses a person's taste right, in [0, 1].
    pub accuracy: f64,
    /// The taste an unpersonalized creative is made for, in [0, 1].
    pub aim: f64,
}

impl Default for Creative {
    fn default() -> Self {
        Self::universal()
    }
}

impl Creative {
    /// Made for everyone and easy to share.
    pub fn universal() -> Self {
        Self {
            resonance: 0.6,
            taste_dependence: 0.1,
            shareability: 0.6,
            tailored: false,
            accuracy: 0.0,
            aim: 0.5,
        }
    }

    /// Tailored to each person's guessed taste: lands well when the guess is right, poorly
    /// otherwise (and on anyone it is shared with), and is barely shareable.
    pub fn personalized() -> Self {
        Self {
            resonance: 0.8,
            taste_dependence: 0.9,
            shareability: 0.05,
            tailored: true,
            accuracy: 0.6,
            aim: 0.5,
        }
    }
}

/// When the budget is spent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Timing {
    /// Every period.
    AlwaysOn,
    /// `on` periods of bursts, then `off` periods dark; the budget of the dark periods is
    /// spent in the bursts, so the total matches always-on.
    Flighted { on: u32, off: u32 },
    /// Only at accounts with an intent signal seen in the last `window` periods; periods
    /// without one leave the budget unspent.
    Triggered { window: u32 },
}

/// What a budget counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Money per period: creative and intent data are paid first, the rest buys impressions
    /// at the price of the audience at the time (see [`MediaConfig`](crate::market::MediaConfig)).
    #[default]
    Money,
    /// Impressions per period; creative and intent data are paid on top.
    Impressions,
}

/// A brand's marketing strategy: one campaign of its media plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Strategy {
    /// The campaign's name (its channel) within the brand's plan.
    #[serde(default)]
    pub name: String,
    /// Money (or impressions, per `unit`) per period, on average over a flight.
    pub budget: f64,
    /// What `budget` counts.
    #[serde(default)]
    pub unit: Unit,
    /// Share of impressions that are brand advertising; the rest is demand.
    pub brand_share: f64,
    pub targeting: Targeting,
    pub creative: Creative,
    pub timing: Timing,
}

impl Strategy {
    /// Checks every field that does not depend on the market; errors name the field's
    /// path within the strategy (`targeting.top_share`).
    pub fn check(&self) -> Result<()> {
        // Each impression is held in memory for its period: 1e8 is ~0.5 GB.
        let (most, unit) = match self.unit {
            Unit::Money => (1e12, "money"),
            Unit::Impressions => (MAX_IMPRESSIONS, "impressions"),
        };
        if !(self.budget >= 0.0 && self.budget <= most) {
            return Err(Error::out_of_range(
                "budget",
                self.budget,
                format!("in [0, {most:e}] {unit} per period"),
            ));
        }
        check::real("brand_share", self.brand_share, UNIT)?;
        self.creative.check().in_field("creative")?;
        self.targeting.check().in_field("targeting")?;
        self.timing.check().in_field("timing")
    }

    /// Checks the strategy for a market of `people` people, `companies` companies and
    /// `n_functions` job functions.
    pub fn validate(&self, people: u32, companies: u32, n_functions: usize) -> Result<()> {
        self.check()?;
        self.targeting
            .fit(people, companies, n_functions)
            .in_field("targeting")
    }
}

impl Creative {
    /// Checks every field.
    pub fn check(&self) -> Result<()> {
        for (name, x) in [
            ("resonance", self.resonance),
            ("taste_dependence", self.taste_dependence),
            ("shareability", self.shareability),
            ("accuracy", self.accuracy),
            ("aim", self.aim),
        ] {
            check::real(name, x, UNIT)?;
        }
        Ok(())
    }
}

impl Targeting {
    /// Checks the fields that do not depend on a market.
    pub fn check(&self) -> Result<()> {
        match self {
            Targeting::Broad { min_influence } => {
                check::real("min_influence", *min_influence, Range::AtLeast(0.0))
            }
            Targeting::Narrow { min_level, .. } => {
                check::whole("min_level", u64::from(*min_level), 0, LEVELS as u64 - 1)
            }
            Targeting::Scored { top_share, .. } => {
                check::real("top_share", *top_share, Range::OpenClosed(0.0, 1.0))
            }
            Targeting::Weights { weights } => {
                match weights.iter().find(|x| !(x.is_finite() && **x >= 0.0)) {
                    Some(bad) => Err(Error::out_of_range("weights", bad, "finite and >= 0")),
                    None => Ok(()),
                }
            }
            Targeting::Seeding {
                within,
                size,
                every,
            } => {
                check::whole("size", u64::from(*size), 1, u64::from(MAX_SEEDS))?;
                check::whole("every", u64::from(*every), 1, 520)?;
                match **within {
                    Targeting::Seeding { .. } | Targeting::Weights { .. } => {
                        Err(Error::out_of_range(
                            "within",
                            within.kind(),
                            "broad, narrow or scored targeting",
                        ))
                    }
                    _ => within.check().in_field("within"),
                }
            }
        }
    }

    /// The kind's tag, as scenario files spell it.
    pub fn kind(&self) -> &'static str {
        match self {
            Targeting::Broad { .. } => "broad",
            Targeting::Narrow { .. } => "narrow",
            Targeting::Scored { .. } => "scored",
            Targeting::Weights { .. } => "weights",
            Targeting::Seeding { .. } => "seeding",
        }
    }

    fn fit(&self, people: u32, companies: u32, n_functions: usize) -> Result<()> {
        match self {
            Targeting::Narrow {
                functions,
                accounts,
                ..
            } => {
                if let Some(bad) = functions.iter().find(|&&f| usize::from(f) >= n_functions) {
                    return Err(Error::out_of_range(
                        "functions",
                        bad,
                        format!("function indices in [0, {n_functions})"),
                    ));
                }
                if let Some(bad) = accounts.iter().find(|&&a| a >= companies) {
                    return Err(Error::out_of_range(
                        "accounts",
                        bad,
                        format!("company ids in [0, {companies})"),
                    ));
                }
                Ok(())
            }
            Targeting::Weights { weights } => check::length(
                "weights",
                people as usize,
                weights.len(),
                "one weight per person",
            ),
            Targeting::Seeding { within, .. } => within
                .fit(people, companies, n_functions)
                .in_field("within"),
            _ => Ok(()),
        }
    }
}

impl Timing {
    /// Checks every field.
    pub fn check(&self) -> Result<()> {
        match *self {
            Timing::AlwaysOn => Ok(()),
            Timing::Flighted { on, off } => {
                check::whole("on", u64::from(on), 1, 520)?;
                check::whole("off", u64::from(off), 0, 520)
            }
            Timing::Triggered { window } => check::whole("window", u64::from(window), 1, 520),
        }
    }
}

/// The quantum preset's shape (broad, universal, always on, 60% brand) at `budget`
/// impressions a period: the strategy the engine's tests share.
#[cfg(test)]
pub(crate) fn quantum(budget: f64) -> Strategy {
    Strategy {
        name: String::new(),
        budget,
        unit: Unit::Impressions,
        brand_share: 0.6,
        targeting: Targeting::Broad { min_influence: 0.0 },
        creative: Creative::universal(),
        timing: Timing::AlwaysOn,
    }
}
