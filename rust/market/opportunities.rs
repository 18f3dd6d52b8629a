//! Opportunities: the demand activation of each company's open need, per brand.
//!
//! Demand advertising works on the opportunity, not on a person's memory (Binet & Field,
//! *The Long and the Short of It*, 2013: activation is the short-term sales response of
//! people in market). A demand impression that reaches someone at a company with an open
//! need raises that need's activation for the brand, and the whole buying group, present and
//! future members, carries it: it lasts the buying cycle (fading by
//! `activation_half_life_weeks`) and ends with the need. Members weigh it only for brands
//! they know (consideration), so brand and demand work together.

use crate::errors::{Error, Result, try_filled};

/// Demand activation of every company's open need for every brand, in [0, 1].
#[derive(Clone, Debug)]
pub struct Opportunities {
    brands: usize,
    retain: f32,
    /// activation[c * brands + b]
    activation: Vec<f32>,
}

impl Opportunities {
    /// No activation anywhere, for `companies` companies and `brands` brands; `kept` false
    /// when no brand runs demand advertising (then it costs nothing and stays zero).
    pub fn new(companies: usize, brands: usize, half_life: f64, kept: bool) -> Result<Self> {
        let cells = if kept {
            companies
                .checked_mul(brands)
                .ok_or_else(|| Error::TooLarge("companies x brands is too many".into()))?
        } else {
            0
        };
        Ok(Self {
            brands,
            retain: 0.5f64.powf(1.0 / half_life) as f32,
            activation: try_filled(cells, 0f32, "demand activations")?,
        })
    }

    /// The activation of company `c`'s need for each brand (all zero if not kept).
    pub fn of(&self, c: u32) -> &[f32] {
        let at = c as usize * self.brands;
        self.activation.get(at..at + self.brands).unwrap_or(&[])
    }

    /// Closes a share `lift` of the gap to full activation of company `c`'s need for brand
    /// `b`.
    #[inline]
    pub fn lift(&mut self, c: u32, b: usize, lift: f64) {
        if let Some(a) = self.activation.get_mut(c as usize * self.brands + b) {
            *a += (lift.clamp(0.0, 1.0) * f64::from(1.0 - *a)) as f32;
        }
    }

    /// Company `c`'s need has ended: its activation goes with it.
    pub fn end(&mut self, c: u32) {
        let at = c as usize * self.brands;
        if let Some(row) = self.activation.get_mut(at..at + self.brands) {
            row.fill(0.0);
        }
    }

    /// One period of fading for the needs of `open` companies (the others are zero).
    pub fn fade(&mut self, open: &[u32]) {
        if self.activation.is_empty() {
            return;
        }
        for &c in open {
            let at = c as usize * self.brands;
            for a in &mut self.activation[at..at + self.brands] {
                *a *= self.retain;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activation_lasts_the_need_fades_by_its_half_life_and_ends_with_it() {
        let mut o = Opportunities::new(3, 2, 4.0, true).unwrap();
        o.lift(1, 0, 0.5);
        o.lift(1, 0, 0.5);
        assert!((o.of(1)[0] - 0.75).abs() < 1e-6);
        assert_eq!(o.of(1)[1], 0.0);
        for _ in 0..4 {
            o.fade(&[1]);
        }
        assert!((o.of(1)[0] - 0.375).abs() < 1e-6);
        o.end(1);
        assert_eq!(o.of(1), &[0.0, 0.0]);
        let mut none = Opportunities::new(3, 2, 4.0, false).unwrap();
        none.lift(1, 0, 1.0);
        none.fade(&[1]);
        assert!(none.of(1).is_empty());
    }
}
