//! The ad response: how well an impression lands, and what it does to the person it reaches.
//!
//! An impression lands with the creative's resonance, less what a mismatch with the person's
//! (latent) taste costs. Brand impressions close part of the gap to full memory and liking:
//! most of it is ad-stock that fades in weeks, some long-term memory that fades over years
//! ([`crate::market::memory`]). Each further impression closes a share of a smaller gap, so
//! frequency wears out. Demand impressions work on the opportunity: one that reaches someone
//! at a company with an open need raises that need's activation for the brand, fully through
//! a committee member and partly through a colleague
//! ([`crate::market::opportunities`]); elsewhere there is nothing for it to activate.

use crate::check::{self, Range, UNIT};
use crate::errors::Result;
use crate::market::memory::Memory;
use crate::market::opportunities::Opportunities;
use crate::marketing::strategy::Creative;
use crate::rng::{Stream, open_unit};
use serde::{Deserialize, Serialize};

/// How people respond to advertising, and how readily they share it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdvertisingConfig {
    /// Share of the gap to full memory that one perfectly landing brand impression closes.
    pub brand_lift: f64,
    /// Share of the gap to full liking that one perfectly landing brand impression closes.
    pub attitude_lift: f64,
    /// Share of the gap to full activation of a company's open need that one perfectly
    /// landing demand impression on a member of its buying committee closes.
    pub demand_lift: f64,
    /// How much of that a demand impression on a colleague who is not on the committee
    /// does (they pass it on, or join later).
    pub demand_off_committee: f64,
    /// Probability that someone reached by perfectly landing creative of shareability 1
    /// shares it.
    pub share_rate: f64,
    /// Probability that a tie of weight 1 passes on shared creative of shareability 1.
    pub pass_rate: f64,
    /// Taste distance at which a taste-dependent creative stops landing.
    pub taste_width: f64,
}

impl Default for AdvertisingConfig {
    fn default() -> Self {
        Self {
            brand_lift: 0.2,
            attitude_lift: 0.05,
            demand_lift: 0.3,
            demand_off_committee: 0.3,
            share_rate: 0.02,
            pass_rate: 0.1,
            taste_width: 0.2,
        }
    }
}

impl AdvertisingConfig {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        for (name, x) in [
            ("brand_lift", self.brand_lift),
            ("attitude_lift", self.attitude_lift),
            ("demand_lift", self.demand_lift),
            ("demand_off_committee", self.demand_off_committee),
            ("share_rate", self.share_rate),
            ("pass_rate", self.pass_rate),
        ] {
            check::real(name, x, UNIT)?;
        }
        check::real("taste_width", self.taste_width, Range::OpenClosed(0.0, 1.0))
    }
}

impl Creative {
    /// How well an impression lands on someone of `taste`, in [0, 1]: resonance, less what
    /// the taste mismatch costs. A personalized creative aims at its guess of the person's
    /// taste (right with probability `accuracy`, else a random taste); a shared copy was
    /// tailored to someone else (`own_copy: false`), so it aims at a random taste.
    #[inline]
    pub fn quality(&self, taste: f32, own_copy: bool, width: f64, rng: &mut Stream) -> f64 {
        if self.taste_dependence <= 0.0 {
            return self.resonance;
        }
        let aim = if self.tailored {
            if own_copy && open_unit(rng) <= self.accuracy {
                f64::from(taste)
            } else {
                open_unit(rng)
            }
        } else {
            self.aim
        };
        let miss = ((f64::from(taste) - aim).abs() / width).min(1.0);
        self.resonance * (1.0 - self.taste_dependence * miss)
    }
}

/// Where the person reached stands: the company whose open need they work at (if any) and
/// whether they sit on its committee.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Seat {
    pub need: Option<u32>,
    pub seated: bool,
}

/// What one exposure with landing quality `q` does to person `p` and brand `b`: the brand
/// part (weight `brand`) closes part of the gap to full memory and liking; the demand part
/// raises the activation of the open need at the person's company, fully through a
/// committee member and by `demand_off_committee` through a colleague.
#[allow(clippy::too_many_arguments)]
pub fn expose(
    memory: &mut Memory,
    opportunities: &mut Opportunities,
    adv: &AdvertisingConfig,
    p: u32,
    b: usize,
    q: f64,
    brand: f64,
    seat: Seat,
) {
    if brand > 0.0 {
        let m = f64::from(memory.value(p, b));
        memory.lift(p, b, (brand * adv.brand_lift * q * (1.0 - m)) as f32);
        let a = f64::from(memory.attitude(p, b));
        let lift = brand * adv.attitude_lift * q;
        memory.set_attitude(p, b, (a + lift * (1.0 - a)) as f32);
    }
    if let (true, Some(c)) = (brand < 1.0, seat.need) {
        let reach = if seat.seated {
            1.0
        } else {
            adv.demand_off_committee
        };
        opportunities.lift(c, b, (1.0 - brand) * adv.demand_lift * q * reach);
    }
}
