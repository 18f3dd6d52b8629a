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

use crate::errors::{Error, Result, try_filled};
use crate::rng::{Stream, open_unit};

/// Brands and what people start out remembering of them.
#[derive(Clone, Debug, PartialEq)]
pub struct BrandsConfig {
    /// Share of people who know each brand at the start (one entry per brand).
    pub awareness: Vec<f64>,
    /// Memory each brand's market presence sustains without advertising (one per brand).
    pub baseline_memory: Vec<f64>,
    /// Weeks for memory above the baseline to halve (advertising half-lives: 2-12 weeks).
    pub memory_half_life_weeks: f64,
    /// Spread of starting attitudes around neutral.
    pub attitude_spread: f64,
}

impl Default for BrandsConfig {
    fn default() -> Self {
        Self {
            awareness: vec![0.45, 0.35, 0.25, 0.15],
            baseline_memory: vec![0.12, 0.09, 0.06, 0.04],
            memory_half_life_weeks: 8.0,
            attitude_spread: 0.3,
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
        if self.baseline_memory.len() != self.awareness.len() {
            return Err(Error::Length {
                name: "baseline_memory",
                expected: self.awareness.len(),
                actual: self.baseline_memory.len(),
                why: "one per brand, like awareness",
            });
        }
        for (name, values) in [
            ("awareness", &self.awareness),
            ("baseline_memory", &self.baseline_memory),
        ] {
            if let Some(bad) = values.iter().find(|x| !(0.0..=1.0).contains(*x)) {
                return Err(Error::out_of_range(name, bad, "each in [0, 1]"));
            }
        }
        if !(self.memory_half_life_weeks > 0.0 && self.memory_half_life_weeks.is_finite()) {
            return Err(Error::out_of_range(
                "memory_half_life_weeks",
                self.memory_half_life_weeks,
                "> 0",
            ));
        }
        if !(0.0..=1.0).contains(&self.attitude_spread) {
            return Err(Error::out_of_range(
                "attitude_spread",
                self.attitude_spread,
                "in [0, 1]",
            ));
        }
        Ok(())
    }
}

/// Memory and attitude of every person for every brand, person-major.
#[derive(Clone, Debug)]
pub struct Memory {
    brands: usize,
    retain: f64,
    baseline: Vec<f32>,
    /// The shared decay scale: memory = baseline + deviation x scale.
    scale: f64,
    /// deviation[p * brands + b], in units of `scale`.
    deviation: Vec<f32>,
    /// attitude[p * brands + b]
    attitude: Vec<f32>,
}

/// Fold the scale back into the stored deviations below this (f32 reaches 3e38; a
/// deviation of at most 1 divided by this stays far inside).
const RENORMALIZE_BELOW: f64 = 1e-20;

impl Memory {
    /// Starting memories: a person who knows a brand remembers it with strength U(0.2, 1).
    pub fn new(config: &BrandsConfig, people: usize, rng: &mut Stream) -> Result<Self> {
        let brands = config.count();
        let cells = people
            .checked_mul(brands)
            .ok_or_else(|| Error::TooLarge("people x brands is too many".into()))?;
        let mut deviation = try_filled(cells, 0f32, "brand memories")?;
        let mut attitude = try_filled(cells, 0f32, "brand attitudes")?;
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
            retain: 0.5f64.powf(1.0 / config.memory_half_life_weeks),
            baseline,
            scale: 1.0,
            deviation,
            attitude,
        })
    }

    /// Person `p`'s memory of brand `b`.
    #[inline]
    pub fn value(&self, p: u32, b: usize) -> f32 {
        let i = p as usize * self.brands + b;
        self.baseline[b] + (f64::from(self.deviation[i]) * self.scale) as f32
    }

    /// Sets person `p`'s memory of brand `b` (clamped to [0, 1]).
    pub fn set(&mut self, p: u32, b: usize, memory: f32) {
        let i = p as usize * self.brands + b;
        let deviation = f64::from(memory.clamp(0.0, 1.0) - self.baseline[b]);
        self.deviation[i] = (deviation / self.scale) as f32;
    }

    /// Person `p`'s attitude towards brand `b`.
    #[inline]
    pub fn attitude(&self, p: u32, b: usize) -> f32 {
        self.attitude[p as usize * self.brands + b]
    }

    /// Sets person `p`'s attitude towards brand `b` (clamped to [-1, 1]).
    pub fn set_attitude(&mut self, p: u32, b: usize, attitude: f32) {
        self.attitude[p as usize * self.brands + b] = attitude.clamp(-1.0, 1.0);
    }

    /// Number of brands.
    pub fn brands(&self) -> usize {
        self.brands
    }

    /// One period of forgetting: memory above (or below) the baseline shrinks by the weekly
    /// retention factor 0.5^(1 / half-life). O(1), but for a rare renormalizing pass.
    pub fn forget(&mut self) {
        self.scale *= self.retain;
        if self.scale < RENORMALIZE_BELOW {
            let scale = self.scale;
            for d in &mut self.deviation {
                *d = (f64::from(*d) * scale) as f32;
            }
            self.scale = 1.0;
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
        };
        let mut memory = Memory::new(&config, 1, &mut stream(1, Subsystem::Population, 0)).unwrap();
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
        let mut memory =
            Memory::new(&config, 50_000, &mut stream(2, Subsystem::Population, 0)).unwrap();
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
