//! Brand memory (mental availability) and attitude, per person and brand.
//!
//! Memory is in [0, 1] and decays each period with a configurable half-life towards the
//! brand's baseline: the availability its mere market presence sustains (zero makes a pulse
//! decay exactly by the half-life). Attitude (like/trust) is in [-1, 1]. Both are f32, so a
//! person costs 8 bytes per brand.
//!
//! Forgetting costs O(brands) per period, not a pass over everyone: memory is stored as its
//! deviation from the baseline divided by a shared scale that shrinks by the retention factor
//! each period (memory = baseline + stored x scale). Before the scale gets small enough for
//! stored values to approach f32's range, one pass folds it back into them.

use crate::check::{self, Range, UNIT};
use crate::errors::{Error, Result, try_filled};
use crate::rng::{Stream, open_unit};
use serde::{Deserialize, Serialize};

/// Brands and what people start out remembering of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BrandsConfig {
    /// Share of people who know each brand at the start (one entry per brand).
    pub awareness: Vec<f64>,
    /// Memory each brand's market presence sustains without advertising (one per brand).
    pub baseline_memory: Vec<f64>,
    /// Weeks for memory above the baseline to halve (advertising half-lives: 2-12 weeks).
    pub memory_half_life_weeks: f64,
    /// Spread of starting attitudes around neutral.
    pub attitude_spread: f64,
    /// Weeks for demand activation (the short-lived push of demand advertising) to halve.
    pub activation_half_life_weeks: f64,
    /// Memory at or above which a person knows a brand (the hourglass's "know").
    pub know_memory: f64,
    /// Attitude at or above which a person likes a brand ("like").
    pub like_attitude: f64,
    /// Attitude at or above which a person trusts a brand without an endorsement ("trust").
    pub trust_attitude: f64,
    /// Each brand's name (empty: `us`, `rival_1`, `rival_2`, ...).
    pub names: Vec<String>,
}

impl Default for BrandsConfig {
    fn default() -> Self {
        Self {
            awareness: vec![0.45, 0.35, 0.25, 0.15],
            baseline_memory: vec![0.12, 0.09, 0.06, 0.04],
            memory_half_life_weeks: 8.0,
            attitude_spread: 0.3,
            activation_half_life_weeks: 1.0,
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
        check::real(
            "memory_half_life_weeks",
            self.memory_half_life_weeks,
            Range::Positive,
        )?;
        check::real(
            "activation_half_life_weeks",
            self.activation_half_life_weeks,
            Range::Positive,
        )?;
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

/// Values that fade towards a baseline by a fixed factor each period, for every person and
/// brand (person-major), at O(1) per period: stored as deviations in units of a shared
/// scale that shrinks by the retention factor.
#[derive(Clone, Debug)]
struct Fading {
    brands: usize,
    retain: f64,
    baseline: Vec<f32>,
    /// The shared decay scale: value = baseline + deviation x scale.
    scale: f64,
    deviation: Vec<f32>,
}

/// Fold the scale back into the stored deviations below this (f32 reaches 3e38; a
/// deviation of at most 1 divided by this stays far inside).
const RENORMALIZE_BELOW: f64 = 1e-20;

impl Fading {
    fn new(brands: usize, baseline: Vec<f32>, half_life: f64, deviation: Vec<f32>) -> Self {
        Self {
            brands,
            retain: 0.5f64.powf(1.0 / half_life),
            baseline,
            scale: 1.0,
            deviation,
        }
    }

    #[inline]
    fn get(&self, p: u32, b: usize) -> f32 {
        let i = p as usize * self.brands + b;
        match self.deviation.get(i) {
            Some(&d) => self.baseline[b] + (f64::from(d) * self.scale) as f32,
            // Not kept (nothing ever moves it): the baseline.
            None => self.baseline[b],
        }
    }

    #[inline]
    fn set(&mut self, p: u32, b: usize, value: f32) {
        let i = p as usize * self.brands + b;
        let deviation = f64::from(value.clamp(0.0, 1.0) - self.baseline[b]);
        self.deviation[i] = (deviation / self.scale) as f32;
    }

    fn fade(&mut self) {
        self.scale *= self.retain;
        if self.scale < RENORMALIZE_BELOW {
            let scale = self.scale;
            for d in &mut self.deviation {
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

/// Memory, demand activation and attitude of every person for every brand.
#[derive(Clone, Debug)]
pub struct Memory {
    brands: usize,
    /// Brand memory (mental availability), in [0, 1]: fades slowly to the baseline.
    memory: Fading,
    /// Demand activation, in [0, 1]: fades fast to zero.
    activation: Fading,
    /// attitude[p * brands + b]
    attitude: Vec<f32>,
}

impl Memory {
    /// Starting memories: a person who knows a brand remembers it with strength U(0.2, 1).
    /// Demand activation is kept only `with_activation` (some brand runs demand
    /// advertising); otherwise it is zero for everyone and costs nothing.
    pub fn new(
        config: &BrandsConfig,
        people: usize,
        with_activation: bool,
        rng: &mut Stream,
    ) -> Result<Self> {
        let brands = config.count();
        let cells = people
            .checked_mul(brands)
            .ok_or_else(|| Error::TooLarge("people x brands is too many".into()))?;
        let mut deviation = try_filled(cells, 0f32, "brand memories")?;
        let mut attitude = try_filled(cells, 0f32, "brand attitudes")?;
        let activation = if with_activation {
            try_filled(cells, 0f32, "demand activations")?
        } else {
            Vec::new()
        };
        let baseline: Vec<f32> = config.baseline_memory.iter().map(|&x| x as f32).collect();
        for (m, a) in deviation
            .chunks_exact_mut(brands)
            .zip(attitude.chunks_exact_mut(brands))
        {
            for b in 0..brands {
                let known = open_unit(rng) <= config.awareness[b];
                let strength = if known {
                    (0.2 + 0.8 * open_unit(rng)) as f32
                } else {
                    0.0
                };
                m[b] = strength - baseline[b];
                let centered = 2.0 * open_unit(rng) - 1.0;
                a[b] = (centered * config.attitude_spread) as f32;
            }
        }
        Ok(Self {
            brands,
            memory: Fading::new(brands, baseline, config.memory_half_life_weeks, deviation),
            activation: Fading::new(
                brands,
                vec![0.0; brands],
                config.activation_half_life_weeks,
                activation,
            ),
            attitude,
        })
    }

    /// Person `p`'s memory of brand `b`.
    #[inline]
    pub fn value(&self, p: u32, b: usize) -> f32 {
        self.memory.get(p, b)
    }

    /// Sets person `p`'s memory of brand `b` (clamped to [0, 1]).
    #[inline]
    pub fn set(&mut self, p: u32, b: usize, memory: f32) {
        self.memory.set(p, b, memory);
    }

    /// Person `p`'s demand activation for brand `b`.
    #[inline]
    pub fn activation(&self, p: u32, b: usize) -> f32 {
        self.activation.get(p, b)
    }

    /// Sets person `p`'s demand activation for brand `b` (clamped to [0, 1]); ignored if
    /// the memory was made without activation.
    #[inline]
    pub fn set_activation(&mut self, p: u32, b: usize, activation: f32) {
        if !self.activation.deviation.is_empty() {
            self.activation.set(p, b, activation);
        }
    }

    /// Person `p`'s attitude towards brand `b`.
    #[inline]
    pub fn attitude(&self, p: u32, b: usize) -> f32 {
        self.attitude[p as usize * self.brands + b]
    }

    /// Sets person `p`'s attitude towards brand `b` (clamped to [-1, 1]).
    #[inline]
    pub fn set_attitude(&mut self, p: u32, b: usize, attitude: f32) {
        self.attitude[p as usize * self.brands + b] = attitude.clamp(-1.0, 1.0);
    }

    /// Number of brands.
    pub fn brands(&self) -> usize {
        self.brands
    }

    /// One period of forgetting: memory above (or below) the baseline shrinks by the weekly
    /// retention factor 0.5^(1 / half-life), and activation by its own, faster one. O(1),
    /// but for a rare renormalizing pass.
    pub fn forget(&mut self) {
        self.memory.fade();
        self.activation.fade();
    }

    /// Everyone's stored memory rows (person-major, one value per brand, in the units of
    /// [`Memory::memory_cutoff`]) and attitudes, for passes over everyone.
    pub fn rows(&self) -> (&[f32], &[f32]) {
        (&self.memory.deviation, &self.attitude)
    }

    /// The stored value at or above which brand `b`'s memory is at least `level` (up to
    /// rounding): lets a pass over everyone compare raw values, with no arithmetic.
    pub fn memory_cutoff(&self, b: usize, level: f32) -> f32 {
        ((f64::from(level) - f64::from(self.memory.baseline[b])) / self.memory.scale) as f32
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
    fn memory_settles_at_the_baseline_and_awareness_is_the_known_share() {
        let config = BrandsConfig::default();
        let mut memory = Memory::new(
            &config,
            50_000,
            true,
            &mut stream(2, Subsystem::Population, 0),
        )
        .unwrap();
        let known = (0..50_000).filter(|&p| memory.value(p, 0) > 0.0).count() as f64 / 50_000.0;
        assert!((known - 0.45).abs() < 0.01);
        for _ in 0..400 {
            memory.forget();
        }
        let means = memory.mean_over(0..50_000);
        for (m, base) in means.iter().zip(&config.baseline_memory) {
            assert!((m - base).abs() < 1e-4, "{m} vs {base}");
        }
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
