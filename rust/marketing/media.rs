//! Media prices: what impressions, intent data and creative cost, and how a campaign's money
//! turns into impressions.
//!
//! The price of 1,000 impressions (CPM) is set by an auction for the audience, so it rises as
//! the audience narrows: `cpm = base_cpm x share^-narrowness`, capped at `max_cpm`, where
//! `share` is the audience's share of the market's people at the time of buying. Published
//! LinkedIn figures put typical B2B CPMs at about $25-45, the median account-based (ABM)
//! campaign at about $78, and the most contested audiences at $100-300. With the defaults
//! (base $30, narrowness 0.25, cap $300) a broad audience of most of the market costs about
//! $30-33, an account-based list of senior roles (about 2% of people) about $80: 2-3x broad.
//!
//! Intent data is a subscription paid per period while a brand runs any intent-triggered
//! campaign (default 50 a week, about 2,600 a year: an entry-level subscription scaled to the
//! default market of 100k people, an assumption rather than a published price). Creative
//! costs production per period of use (default 10 a week per creative, an assumption scaled
//! alike): one creative, or one variant per segment for tailored creative. Platforms cap how often one person sees a campaign in a
//! period, so a small audience cannot absorb a large budget: what cannot be delivered is
//! reported as unspent, never silently dropped.

use crate::check::{self, Range, UNIT};
use crate::errors::{Error, Result};
use serde::{Deserialize, Serialize};

/// Media prices, delivery limits and the margin money outputs use. All prices are in one
/// currency unit (the unit of `customers.deal_value`); zero prices are allowed (then spend is
/// zero and returns on it are undefined).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MediaConfig {
    /// Price of 1,000 impressions on the broadest audience (everyone in the market).
    pub base_cpm: f64,
    /// How fast the price rises as the audience narrows: `cpm = base_cpm x share^-narrowness`.
    pub narrowness: f64,
    /// The highest CPM any audience costs (the most contested ones).
    pub max_cpm: f64,
    /// Intent data subscription, per period, while a brand runs any triggered campaign.
    pub intent_data: f64,
    /// Production cost of one creative per period it is in use.
    pub creative: f64,
    /// Variants a tailored creative needs (the segments it personalizes for); each costs
    /// `creative` per period of use.
    pub tailored_variants: u32,
    /// Most impressions of one campaign a person may see in a period (0: no cap); default 3,
    /// the few a week platforms allow.
    pub frequency_cap: u32,
    /// Gross margin on revenue, for gross profit and returns.
    pub gross_margin: f64,
}

impl Default for MediaConfig {
    fn default() -> Self {
        Self {
            base_cpm: 30.0,
            narrowness: 0.25,
            max_cpm: 300.0,
            intent_data: 50.0,
            creative: 10.0,
            tailored_variants: 6,
            frequency_cap: 3,
            gross_margin: 0.7,
        }
    }
}

/// The most impressions one campaign may buy in a period (each is held in memory for it).
pub const MAX_IMPRESSIONS: f64 = 1e8;

impl MediaConfig {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        check::real("base_cpm", self.base_cpm, Range::AtLeast(0.0))?;
        check::real("narrowness", self.narrowness, Range::Closed(0.0, 2.0))?;
        check::real("max_cpm", self.max_cpm, Range::AtLeast(0.0))?;
        if self.max_cpm < self.base_cpm {
            return Err(Error::out_of_range(
                "max_cpm",
                self.max_cpm,
                format!(">= base_cpm ({})", self.base_cpm),
            ));
        }
        check::real("intent_data", self.intent_data, Range::AtLeast(0.0))?;
        check::real("creative", self.creative, Range::AtLeast(0.0))?;
        check::whole(
            "tailored_variants",
            u64::from(self.tailored_variants),
            1,
            10_000,
        )?;
        check::whole("frequency_cap", u64::from(self.frequency_cap), 0, 255)?;
        check::real("gross_margin", self.gross_margin, UNIT)
    }

    /// The CPM of an audience of `size` people in a market of `people`: rises as the
    /// audience narrows, never above `max_cpm`.
    pub fn cpm(&self, size: usize, people: usize) -> f64 {
        if people == 0 {
            return self.base_cpm;
        }
        self.cpm_of_share(size as f64 / people as f64)
    }

    /// The CPM of an audience holding `share` of the market's people (none or less: the
    /// base CPM).
    pub fn cpm_of_share(&self, share: f64) -> f64 {
        if share.is_nan() || share <= 0.0 {
            return self.base_cpm;
        }
        (self.base_cpm * share.min(1.0).powf(-self.narrowness)).min(self.max_cpm)
    }

    /// Creative production per period of use: one creative, or a variant per segment.
    pub fn creative_cost(&self, tailored: bool) -> f64 {
        if tailored {
            self.creative * f64::from(self.tailored_variants)
        } else {
            self.creative
        }
    }
}

/// One campaign's (or brand's) money in one period.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Spend {
    pub media: f64,
    pub data: f64,
    pub creative: f64,
    /// Budget that could not be delivered (frequency cap, no audience, no signal).
    pub unspent: f64,
}

impl Spend {
    /// Media, data and creative: what was paid.
    pub fn total(&self) -> f64 {
        self.media + self.data + self.creative
    }

    /// Adds `other` in.
    pub fn add(&mut self, other: &Spend) {
        self.media += other.media;
        self.data += other.data;
        self.creative += other.creative;
        self.unspent += other.unspent;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_price_rises_as_the_audience_narrows_within_the_published_range() {
        let media = MediaConfig::default();
        let people = 100_000;
        let mut last = 0.0;
        for size in [100_000, 60_000, 20_000, 5_000, 2_000, 500, 50, 1] {
            let cpm = media.cpm(size, people);
            assert!(cpm >= last, "{size}: {cpm} < {last}");
            last = cpm;
        }
        let broad = media.cpm(70_000, people);
        let abm = media.cpm(2_000, people);
        assert!((25.0..=45.0).contains(&broad), "{broad}");
        assert!((2.0..=3.0).contains(&(abm / broad)), "{abm} vs {broad}");
        assert_eq!(media.cpm(1, people), 300.0);
    }

    #[test]
    fn bad_prices_name_their_field() {
        for (media, field) in [
            (
                MediaConfig {
                    base_cpm: -1.0,
                    ..Default::default()
                },
                "base_cpm",
            ),
            (
                MediaConfig {
                    creative: f64::NAN,
                    ..Default::default()
                },
                "creative",
            ),
            (
                MediaConfig {
                    max_cpm: 10.0,
                    ..Default::default()
                },
                "max_cpm",
            ),
        ] {
            let err = media.validate().unwrap_err().to_string();
            assert!(err.starts_with(field), "{err}");
        }
        let free = MediaConfig {
            base_cpm: 0.0,
            max_cpm: 0.0,
            intent_data: 0.0,
            creative: 0.0,
            ..Default::default()
        };
        assert!(free.validate().is_ok());
        assert_eq!(free.cpm(10, 100), 0.0);
    }
}
