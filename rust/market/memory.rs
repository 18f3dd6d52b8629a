//! Brand memory (mental availability) and attitude, per person and brand.
//!
//! Memory is in [0, 1] and works at two speeds (Binet & Field, *The Long and the Short of
//! It*, 2013: advertising's short-term effects fade in weeks, its long-term ones over years):
//!
//! - a fast **ad-stock**: what recent advertising added, halving every
//!   `memory_half_life_weeks` (published advertising half-lives: 2-12 weeks);
//! - a slow **long-term memory**: each person who knows a brand from the category's
//!   ordinary life (a share `awareness` of people, drawn once) keeps it at the brand's
//!   `baseline_memory`, the level its market presence sustains; advertising adds a share
//!   `long_term_share` of each lift on top, which halves only every
//!   `long_term_half_life_weeks`.
//!
//! With no advertising, memory sits at its stationary distribution from the first week, so
//! each brand's awareness persists for years. Attitude (like/trust) is in [-1, 1]: each
//! person has a disposition towards each brand (spread `attitude_spread` around neutral), and
//! what advertising and endorsements add to it fades every `attitude_half_life_weeks`.
//!
//! Forgetting costs O(brands) per period, not a pass over everyone: each fading part is
//! stored divided by a shared scale that shrinks by the retention factor each period (value
//! = stored x scale). Before the scale gets small enough for stored values to approach f32's
//! range, one pass folds it back into them.

use crate::check::{self, Range, UNIT};
use crate::errors::{Error, Result, try_filled};
use crate::rng::{Stream, open_unit};
use serde::{Deserialize, Serialize};

/// Brands and what people remember of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BrandsConfig {
    /// Share of people who know each brand from the category's ordinary life, without
    /// advertising (one entry per brand): its long-run awareness.
    pub awareness: Vec<f64>,
    /// Long-term memory of each brand in the people who know it: the level its market
    /// presence sustains without advertising (one per brand). At or above `know_memory`,
    /// they go on knowing it for ever.
    pub baseline_memory: Vec<f64>,
    /// Weeks for the ad-stock (what recent advertising added to memory) to halve
    /// (advertising half-lives: 2-12 weeks).
    pub memory_half_life_weeks: f64,
    /// Weeks for what advertising added to long-term memory to halve (years).
    pub long_term_half_life_weeks: f64,
    /// Share of each lift of memory by advertising that goes to long-term memory.
    pub long_term_share: f64,
    /// Spread of people's dispositions towards each brand around neutral.
    pub attitude_spread: f64,
    /// Weeks for what advertising and endorsements added to attitude to halve.
    pub attitude_half_life_weeks: f64,
    /// Weeks for the demand activation of an open need (what demand advertising did to the
    /// buying company's opportunity) to halve; it ends with the need.
    pub activation_half_life_weeks: f64,
    /// Memory at or above which a person knows a brand (the hourglass's "know"; only brands
    /// a person knows are considered, so demand advertising moves only them).
    pub know_memory: f64,
    /// Attitude at or above which a person who knows a brand likes it ("like").
    pub like_attitude: f64,
    /// Attitude at or above which a person who likes a brand trusts it without an
    /// endorsement ("trust").
    pub trust_attitude: f64,
    /// Each brand's name (empty: `us`, `rival_1`, `rival_2`, ...).
    pub names: Vec<String>,
}

impl Default for BrandsConfig {
    fn default() -> Self {
        Self {
            awareness: vec![0.45, 0.35, 0.25, 0.15],
            baseline_memory: vec![0.4, 0.35, 0.3, 0.25],
            memory_half_life_weeks: 7.0,
            long_term_half_life_weeks: 156.0,
            long_term_share: 0.1,
            attitude_spread: 0.3,
            attitude_half_life_weeks: 52.0,
            activation_half_life_weeks: 13.0,
            know_memory: 0.2,
            like_attitude: 0.2,
            trust_attitude: 0.5,
            names: Vec::new(),
        }
    }
}

impl BrandsConfig {
    /// Number of brands.
    pub fn count(&self) -> usize {
        self.awareness.len()
    }

    /// Checks every field; errors name the field and the allowed range.
    pub fn validate(&self) -> Result<()> {
        if self.awareness.is_empty() || self.awareness.len() > 64 {
            return Err(Error::out_of_range(
                "awareness",
                self.awareness.len(),
                "1 to 64 brands",
            ));
        }
        check::length(
            "baseline_memory",
            self.awareness.len(),
            self.baseline_memory.len(),
            "one per brand, like awareness",
        )?;
        check::each("awareness", &self.awareness, UNIT)?;
        check::each("baseline_memory", &self.baseline_memory, UNIT)?;
        for (name, x) in [
            ("memory_half_life_weeks", self.memory_half_life_weeks),
            ("long_term_half_life_weeks", self.long_term_half_life_weeks),
            ("attitude_half_life_weeks", self.attitude_half_life_weeks),
            (
                "activation_half_life_weeks",
                self.activation_half_life_weeks,
            ),
        ] {
            check::real(name, x, Range::Positive)?;
        }
        check::real("long_term_share", self.long_term_share, UNIT)?;
        check::real("know_memory", self.know_memory, UNIT)?;
        check::real(
            "like_attitude",
            self.like_attitude,
            Range::Closed(-1.0, 1.0),
        )?;
        check::real(
            "trust_attitude",
            self.trust_attitude,
            Range::Closed(-1.0, 1.0),
        )?;
        check::real("attitude_spread", self.attitude_spread, UNIT)?;
        if !self.names.is_empty() {
            check::length(
                "names",
                self.count(),
                self.names.len(),
                "one name per brand, or none",
            )?;
            let mut seen = std::collections::HashSet::new();
            if let Some(bad) = self.names.iter().find(|n| n.is_empty() || !seen.insert(*n)) {
                return Err(Error::out_of_range(
                    "names",
                    format!("{bad:?}"),
                    "distinct, non-empty names",
                ));
            }
        }
        Ok(())
    }
}

/// Values that fade to zero by a fixed factor each period, one per cell (person-major for
/// people and brands), at O(1) per period: stored in units of a shared scale that shrinks by
/// the retention factor. Empty when nothing ever moves them: then every value is zero.
#[derive(Clone, Debug)]
pub(crate) struct Fading {
    retain: f64,
    /// The shared decay scale: value = stored x scale.
    scale: f64,
    stored: Vec<f32>,
}

/// Fold the scale back into the stored values below this (f32 reaches 3e38; a value of at
/// most 2 divided by this stays far inside).
const RENORMALIZE_BELOW: f64 = 1e-20;

impl Fading {
    pub(crate) fn new(half_life: f64, stored: Vec<f32>) -> Self {
        Self {
            retain: 0.5f64.powf(1.0 / half_life),
            scale: 1.0,
            stored,
        }
    }

    #[inline]
    pub(crate) fn get(&self, i: usize) -> f32 {
        // In f32, exactly as passes over everyone compute it ([`Rows`]).
        self.stored.get(i).map_or(0.0, |&d| d * self.scale as f32)
    }

    /// Sets cell `i` (ignored if nothing is kept).
    #[inline]
    pub(crate) fn set(&mut self, i: usize, value: f64) {
        if let Some(d) = self.stored.get_mut(i) {
            *d = (value / self.scale) as f32;
        }
    }

    /// One period of fading.
    pub(crate) fn fade(&mut self) {
        self.scale *= self.retain;
        if self.scale < RENORMALIZE_BELOW {
            let scale = self.scale;
            for d in &mut self.stored {
                let folded = (f64::from(*d) * scale) as f32;
                // Flush what has faded below f32's normal range to zero: subnormal values
                // are meaningless here and make every later read of them many times slower.
                *d = if folded.abs() < f32::MIN_POSITIVE {
                    0.0
                } else {
                    folded
                };
            }
            self.scale = 1.0;
        }
    }
}

/// Everyone's stored memory and attitude, person-major (one value per brand in each row):
/// memory = familiar x baseline + fast x fast_scale + slow x slow_scale (fast and slow are
/// empty when nothing advertises: zero), attitude = disposition x spread + attitude x
/// attitude_scale; both clamped to their ranges ([`Memory::value`], [`Memory::attitude`]).
pub struct Rows<'a> {
    pub baseline: &'a [f32],
    pub familiar: &'a [u8],
    pub fast: &'a [f32],
    pub fast_scale: f32,
    pub slow: &'a [f32],
    pub slow_scale: f32,
    pub disposition: &'a [i8],
    pub spread: f32,
    pub attitude: &'a [f32],
    pub attitude_scale: f32,
}

/// Memory and attitude of every person for every brand.
#[derive(Clone, Debug)]
pub struct Memory {
    brands: usize,
    /// Memory at or above which a person knows a brand.
    know: f32,
    /// Long-term memory of each brand in the people who know it without advertising.
    baseline: Vec<f32>,
    /// Whether each person knows each brand without advertising (1) or not (0), person-major:
    /// a byte each, so that a pass over everyone reads it like the other rows.
    familiar: Vec<u8>,
    /// What recent advertising added (fades in weeks).
    fast: Fading,
    /// What advertising added to long-term memory (fades over years).
    slow: Fading,
    long_term_share: f64,
    /// Each person's disposition towards each brand, in units of `spread / 127`.
    disposition: Vec<i8>,
    spread: f32,
    /// What advertising and endorsements added to attitude.
    attitude: Fading,
}

impl Memory {
    /// Everyone at the stationary state of a market without advertising: a person knows
    /// brand b (at its baseline memory) with probability `awareness[b]`, and has a
    /// disposition drawn uniformly within `attitude_spread` of neutral. Memory that
    /// advertising moves is kept only `with_advertising` (some brand advertises); otherwise
    /// it costs nothing.
    pub fn new(
        config: &BrandsConfig,
        people: usize,
        with_advertising: bool,
        rng: &mut Stream,
    ) -> Result<Self> {
        let brands = config.count();
        let cells = people
            .checked_mul(brands)
            .ok_or_else(|| Error::TooLarge("people x brands is too many".into()))?;
        let mut disposition = try_filled(cells, 0i8, "brand attitudes")?;
        let (fast, slow) = if with_advertising {
            (
                try_filled(cells, 0f32, "brand memories")?,
                try_filled(cells, 0f32, "long-term brand memories")?,
            )
        } else {
            (Vec::new(), Vec::new())
        };
        let attitude = try_filled(cells, 0f32, "brand attitudes")?;
        let mut familiar = try_filled(cells, 0u8, "brand familiarity")?;
        for (d, f) in disposition
            .chunks_exact_mut(brands)
            .zip(familiar.chunks_exact_mut(brands))
        {
            for b in 0..brands {
                f[b] = u8::from(open_unit(rng) <= config.awareness[b]);
                d[b] = ((2.0 * open_unit(rng) - 1.0) * 127.0).round() as i8;
            }
        }
        Ok(Self {
            brands,
            know: config.know_memory as f32,
            baseline: config.baseline_memory.iter().map(|&x| x as f32).collect(),
            familiar,
            fast: Fading::new(config.memory_half_life_weeks, fast),
            slow: Fading::new(config.long_term_half_life_weeks, slow),
            long_term_share: config.long_term_share,
            disposition,
            spread: config.attitude_spread as f32 / 127.0,
            attitude: Fading::new(config.attitude_half_life_weeks, attitude),
        })
    }

    #[inline]
    fn cell(&self, p: u32, b: usize) -> usize {
        p as usize * self.brands + b
    }

    /// Person `p`'s long-term memory of brand `b`: its baseline if they know it without
    /// advertising, plus what advertising added that has not yet faded.
    #[inline]
    pub fn long_term(&self, p: u32, b: usize) -> f32 {
        let i = self.cell(p, b);
        f32::from(self.familiar[i]) * self.baseline[b] + self.slow.get(i)
    }

    /// Person `p`'s memory of brand `b`: long-term memory plus ad-stock, in [0, 1].
    #[inline]
    pub fn value(&self, p: u32, b: usize) -> f32 {
        (self.long_term(p, b) + self.fast.get(self.cell(p, b))).clamp(0.0, 1.0)
    }

    /// Whether person `p` knows brand `b` (memory at or above `know_memory`): only known
    /// brands are considered.
    #[inline]
    pub fn knows(&self, p: u32, b: usize) -> bool {
        self.value(p, b) >= self.know
    }

    /// Raises person `p`'s memory of brand `b` by `lift` (at most the gap to 1): a share
    /// `long_term_share` goes to long-term memory, the rest to the ad-stock. Ignored if the
    /// memory was made without advertising.
    #[inline]
    pub fn lift(&mut self, p: u32, b: usize, lift: f32) {
        let i = self.cell(p, b);
        let lift = f64::from(lift.clamp(0.0, 1.0 - self.value(p, b)));
        let slow = f64::from(self.slow.get(i)) + self.long_term_share * lift;
        self.slow.set(i, slow);
        let fast = f64::from(self.fast.get(i)) + (1.0 - self.long_term_share) * lift;
        self.fast.set(i, fast);
    }

    /// Sets person `p`'s memory of brand `b` (clamped to [0, 1]) through its ad-stock, so it
    /// fades back to the long-term memory by `memory_half_life_weeks`. Ignored if the memory
    /// was made without advertising.
    #[inline]
    pub fn set(&mut self, p: u32, b: usize, memory: f32) {
        let i = self.cell(p, b);
        let fast = memory.clamp(0.0, 1.0) - self.long_term(p, b);
        self.fast.set(i, f64::from(fast));
    }

    /// Person `p`'s attitude towards brand `b`, in [-1, 1].
    #[inline]
    pub fn attitude(&self, p: u32, b: usize) -> f32 {
        let i = self.cell(p, b);
        (f32::from(self.disposition[i]) * self.spread + self.attitude.get(i)).clamp(-1.0, 1.0)
    }

    /// Sets person `p`'s attitude towards brand `b` (clamped to [-1, 1]); what it moved
    /// away from their disposition fades by `attitude_half_life_weeks`.
    #[inline]
    pub fn set_attitude(&mut self, p: u32, b: usize, attitude: f32) {
        let i = self.cell(p, b);
        let moved = attitude.clamp(-1.0, 1.0) - f32::from(self.disposition[i]) * self.spread;
        self.attitude.set(i, f64::from(moved));
    }

    /// Number of brands.
    pub fn brands(&self) -> usize {
        self.brands
    }

    /// Number of people.
    pub fn people(&self) -> usize {
        self.disposition.len() / self.brands
    }

    /// One period of forgetting: the ad-stock, long-term memory and attitude each fade by
    /// their weekly retention factor 0.5^(1 / half-life) towards where a market without
    /// advertising holds them. O(1), but for a rare renormalizing pass.
    pub fn forget(&mut self) {
        self.fast.fade();
        self.slow.fade();
        self.attitude.fade();
    }

    /// Everyone's stored rows, for passes over everyone ([`Rows`]).
    pub fn rows(&self) -> Rows<'_> {
        Rows {
            baseline: &self.baseline,
            familiar: &self.familiar,
            fast: &self.fast.stored,
            fast_scale: self.fast.scale as f32,
            slow: &self.slow.stored,
            slow_scale: self.slow.scale as f32,
            disposition: &self.disposition,
            spread: self.spread,
            attitude: &self.attitude.stored,
            attitude_scale: self.attitude.scale as f32,
        }
    }

    /// Mean memory of each brand over `people`.
    pub fn mean_over(&self, people: impl Iterator<Item = u32>) -> Vec<f64> {
        let mut sums = vec![0.0; self.brands];
        let mut count = 0usize;
        for p in people {
            for (b, s) in sums.iter_mut().enumerate() {
                *s += f64::from(self.value(p, b));
            }
            count += 1;
        }
        sums.iter()
            .map(|s| if count == 0 { 0.0 } else { s / count as f64 })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Subsystem, stream};

    #[test]
    fn a_pulse_decays_exactly_by_the_half_life() {
        let config = BrandsConfig {
            awareness: vec![1.0],
            baseline_memory: vec![0.0],
            memory_half_life_weeks: 4.0,
            attitude_spread: 0.0,
            ..Default::default()
        };
        let mut memory =
            Memory::new(&config, 1, true, &mut stream(1, Subsystem::Population, 0)).unwrap();
        memory.set(0, 0, 1.0);
        for _ in 0..4 {
            memory.forget();
        }
        assert!(
            (memory.value(0, 0) - 0.5).abs() < 1e-6,
            "{}",
            memory.value(0, 0)
        );
        for _ in 0..4 {
            memory.forget();
        }
        assert!((memory.value(0, 0) - 0.25).abs() < 1e-6);
        // Far past the renormalization point, values stay exact and finite.
        for _ in 0..4 * 400 {
            memory.forget();
        }
        memory.set(0, 0, 0.8);
        for _ in 0..4 {
            memory.forget();
        }
        assert!(
            (memory.value(0, 0) - 0.4).abs() < 1e-6,
            "{}",
            memory.value(0, 0)
        );
    }

    #[test]
    fn awareness_is_stationary_without_advertising_and_lifts_fade_at_two_speeds() {
        let config = BrandsConfig::default();
        let people = 50_000u32;
        let mut memory = Memory::new(
            &config,
            people as usize,
            true,
            &mut stream(2, Subsystem::Population, 0),
        )
        .unwrap();
        let known = |m: &Memory, b: usize| {
            (0..people).filter(|&p| m.knows(p, b)).count() as f64 / f64::from(people)
        };
        let liked = |m: &Memory| (0..people).map(|p| m.attitude(p, 0)).sum::<f32>();
        for (b, &share) in config.awareness.iter().enumerate() {
            assert!((known(&memory, b) - share).abs() < 0.01);
        }
        let before = liked(&memory);
        // Lift everyone's memory of brand 3 and attitude to brand 0.
        for p in 0..people {
            memory.lift(p, 3, 0.6);
            memory.set_attitude(p, 0, 1.0);
        }
        assert!(known(&memory, 3) > 0.99);
        let fast = config.memory_half_life_weeks as usize;
        for _ in 0..fast {
            memory.forget();
        }
        // After one ad-stock half-life the fast part has halved, the slow part barely moved.
        let p = (0..people).find(|&p| memory.familiar[p as usize * 4 + 3] == 0);
        let p = p.unwrap();
        let slow = 0.6 * config.long_term_share;
        let expected = 0.3 * (1.0 - config.long_term_share)
            + slow * 0.5f64.powf(fast as f64 / config.long_term_half_life_weeks);
        assert!((f64::from(memory.value(p, 3)) - expected).abs() < 1e-5);
        for _ in 0..2_000 {
            memory.forget();
        }
        for (b, &share) in config.awareness.iter().enumerate() {
            assert!((known(&memory, b) - share).abs() < 0.01, "brand {b}");
        }
        assert!(
            (liked(&memory) - before).abs() < 1e-3 * people as f32,
            "attitude fades back to each person's disposition"
        );
    }

    #[test]
    fn bad_configs_name_the_field() {
        let d = BrandsConfig::default;
        assert!(d().validate().is_ok());
        assert!(matches!(
            BrandsConfig {
                awareness: vec![],
                ..d()
            }
            .validate(),
            Err(Error::OutOfRange {
                name: "awareness",
                ..
            })
        ));
        assert!(matches!(
            BrandsConfig {
                baseline_memory: vec![0.1],
                ..d()
            }
            .validate(),
            Err(Error::Length {
                name: "baseline_memory",
                ..
            })
        ));
        assert!(matches!(
            BrandsConfig {
                memory_half_life_weeks: 0.0,
                ..d()
            }
            .validate(),
            Err(Error::OutOfRange {
                name: "memory_half_life_weeks",
                ..
            })
        ));
    }
}
