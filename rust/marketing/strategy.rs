//! Marketing strategies: who a brand's budget reaches, with what creative, and when.
//!
//! A strategy is a budget of impressions per period, split between brand (builds memory
//! that fades slowly) and demand (moves people on open committees, the more the better
//! they remember the brand), plus three choices: targeting, creative and timing. Both the
//! "planetary" (narrow, personalized, intent-triggered) and the "quantum" (broad,
//! universal, always on) views are settings of these; the market decides which works.

use crate::errors::{Error, Result};
use crate::market::population::LEVELS;
use std::sync::Arc;

/// Who may be shown the brand's ads.
#[derive(Clone, Debug, PartialEq)]
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
    Weights(Arc<[f32]>),
}

/// What the ads say and how well they land.
#[derive(Clone, Debug, PartialEq)]
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
#[derive(Clone, Debug, PartialEq)]
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

/// A brand's marketing strategy.
#[derive(Clone, Debug, PartialEq)]
pub struct Strategy {
    /// Impressions per period (on average over a flight).
    pub budget: f64,
    /// Share of impressions that are brand advertising; the rest is demand.
    pub brand_share: f64,
    pub targeting: Targeting,
    pub creative: Creative,
    pub timing: Timing,
}

fn unit(name: &'static str, x: f64) -> Result<()> {
    if (0.0..=1.0).contains(&x) {
        Ok(())
    } else {
        Err(Error::out_of_range(name, x, "in [0, 1]"))
    }
}

impl Strategy {
    /// Checks the strategy against a market of `people`, `companies` and `n_functions`.
    pub fn validate(&self, people: u32, companies: u32, n_functions: usize) -> Result<()> {
        // Each impression is held in memory for its period: 1e8 is ~0.5 GB.
        if !(self.budget >= 0.0 && self.budget <= 1e8) {
            return Err(Error::out_of_range(
                "budget",
                self.budget,
                "in [0, 1e8] impressions per period",
            ));
        }
        unit("brand_share", self.brand_share)?;
        let c = &self.creative;
        unit("resonance", c.resonance)?;
        unit("taste_dependence", c.taste_dependence)?;
        unit("shareability", c.shareability)?;
        unit("accuracy", c.accuracy)?;
        unit("aim", c.aim)?;
        match &self.targeting {
            Targeting::Broad { min_influence } => {
                if !(min_influence.is_finite() && *min_influence >= 0.0) {
                    return Err(Error::out_of_range(
                        "min_influence",
                        min_influence,
                        ">= 0 and finite",
                    ));
                }
            }
            Targeting::Narrow {
                functions,
                min_level,
                accounts,
            } => {
                if let Some(bad) = functions.iter().find(|&&f| usize::from(f) >= n_functions) {
                    return Err(Error::out_of_range(
                        "functions",
                        bad,
                        format!("function indices in [0, {n_functions})"),
                    ));
                }
                if usize::from(*min_level) >= LEVELS {
                    return Err(Error::out_of_range(
                        "min_level",
                        min_level,
                        format!("in [0, {}]", LEVELS - 1),
                    ));
                }
                if let Some(bad) = accounts.iter().find(|&&a| a >= companies) {
                    return Err(Error::out_of_range(
                        "accounts",
                        bad,
                        format!("company ids in [0, {companies})"),
                    ));
                }
            }
            Targeting::Scored { top_share, .. } => {
                if !(*top_share > 0.0 && *top_share <= 1.0) {
                    return Err(Error::out_of_range("top_share", top_share, "in (0, 1]"));
                }
            }
            Targeting::Weights(w) => {
                if w.len() != people as usize {
                    return Err(Error::Length {
                        name: "weights",
                        expected: people as usize,
                        actual: w.len(),
                        why: "one weight per person",
                    });
                }
                if let Some(bad) = w.iter().find(|x| !(x.is_finite() && **x >= 0.0)) {
                    return Err(Error::out_of_range("weights", bad, ">= 0 and finite"));
                }
            }
        }
        match self.timing {
            Timing::AlwaysOn => {}
            Timing::Flighted { on, off } => {
                if on == 0 || on > 520 || off > 520 {
                    return Err(Error::out_of_range(
                        "flight",
                        format!("on={on}, off={off}"),
                        "on in [1, 520] and off in [0, 520] periods",
                    ));
                }
            }
            Timing::Triggered { window } => {
                if !(1..=520).contains(&window) {
                    return Err(Error::out_of_range("window", window, "in [1, 520] periods"));
                }
            }
        }
        Ok(())
    }
}
