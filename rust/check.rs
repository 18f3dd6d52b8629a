//! One vocabulary for checking parameters: each config section states its ranges with these,
//! and every error names the field, the allowed range and the value found.

use crate::errors::{Error, Result};
use std::fmt;

/// An allowed range of a real parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Range {
    /// `[lo, hi]`.
    Closed(f64, f64),
    /// `[lo, hi)`.
    ClosedOpen(f64, f64),
    /// `(lo, hi]`.
    OpenClosed(f64, f64),
    /// `> 0` and finite.
    Positive,
    /// `>= lo` and finite.
    AtLeast(f64),
}

/// `[0, 1]`: probabilities and shares.
pub const UNIT: Range = Range::Closed(0.0, 1.0);

impl Range {
    /// Whether `x` is allowed (NaN never is).
    pub fn contains(self, x: f64) -> bool {
        match self {
            Range::Closed(lo, hi) => x >= lo && x <= hi,
            Range::ClosedOpen(lo, hi) => x >= lo && x < hi,
            Range::OpenClosed(lo, hi) => x > lo && x <= hi,
            Range::Positive => x > 0.0 && x.is_finite(),
            Range::AtLeast(lo) => x >= lo && x.is_finite(),
        }
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Range::Closed(lo, hi) => write!(f, "in [{lo}, {hi}]"),
            Range::ClosedOpen(lo, hi) => write!(f, "in [{lo}, {hi})"),
            Range::OpenClosed(lo, hi) => write!(f, "in ({lo}, {hi}]"),
            Range::Positive => write!(f, "> 0 and finite"),
            Range::AtLeast(lo) => write!(f, ">= {lo} and finite"),
        }
    }
}

/// `x` must lie in `range`.
pub fn real(name: &'static str, x: f64, range: Range) -> Result<()> {
    if range.contains(x) {
        Ok(())
    } else {
        Err(Error::out_of_range(name, x, range.to_string()))
    }
}

/// Every value of `xs` must lie in `range`; the error shows the first that does not.
pub fn each(name: &'static str, xs: &[f64], range: Range) -> Result<()> {
    match xs.iter().find(|&&x| !range.contains(x)) {
        Some(bad) => Err(Error::out_of_range(name, bad, format!("each {range}"))),
        None => Ok(()),
    }
}

/// An integer parameter in `[lo, hi]`.
pub fn whole(name: &'static str, x: u64, lo: u64, hi: u64) -> Result<()> {
    if (lo..=hi).contains(&x) {
        Ok(())
    } else {
        Err(Error::out_of_range(name, x, format!("in [{lo}, {hi}]")))
    }
}

/// Shares: non-negative, summing to 1 (within rounding).
pub fn shares(name: &'static str, shares: &[f64]) -> Result<()> {
    let sum: f64 = shares.iter().sum();
    if shares.is_empty()
        || shares.iter().any(|s| s.is_nan() || *s < 0.0)
        || (sum - 1.0).abs() > 1e-6
    {
        return Err(Error::out_of_range(
            name,
            format!("{shares:?}"),
            "non-negative shares that sum to 1",
        ));
    }
    Ok(())
}

/// Relative weights: finite, non-negative, not all zero.
pub fn weights(name: &'static str, weights: &[f64]) -> Result<()> {
    if weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) || weights.iter().all(|w| *w == 0.0) {
        return Err(Error::out_of_range(
            name,
            format!("{weights:?}"),
            "finite, >= 0, not all 0",
        ));
    }
    Ok(())
}

/// Node ids as given (of any integer width), each in `[0, n)`, as the engine's 32-bit ids.
pub fn node_ids<T: Copy + Into<i64>>(name: &'static str, ids: &[T], n: u64) -> Result<Vec<u32>> {
    ids.iter()
        .map(|&id| within_nodes(name, id.into(), n, "node ids"))
        .collect()
}

/// One node id as given, in `[0, n)`.
pub fn node_id(name: &'static str, id: i64, n: u64) -> Result<u32> {
    within_nodes(name, id, n, "a node id")
}

fn within_nodes(name: &'static str, id: i64, n: u64, what: &str) -> Result<u32> {
    u32::try_from(id)
        .ok()
        .filter(|&v| u64::from(v) < n)
        .ok_or_else(|| Error::out_of_range(name, id, format!("{what} in [0, n) = [0, {n})")))
}

/// A part of the config schema that a value can be checked against on its own, as the
/// bindings name it (`"market"`, `"strategy"`, `"targeting"`, `"creative"`, `"timing"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    Market,
    Strategy,
    Targeting,
    Creative,
    Timing,
}

/// `actual` values where `expected` are needed.
pub fn length(name: &'static str, expected: usize, actual: usize, why: &'static str) -> Result<()> {
    if expected == actual {
        Ok(())
    } else {
        Err(Error::length(name, expected, actual, why))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_say_what_they_allow() {
        assert!(Range::ClosedOpen(0.0, 1.0).contains(0.0));
        assert!(!Range::ClosedOpen(0.0, 1.0).contains(1.0));
        assert!(!UNIT.contains(f64::NAN) && !Range::Positive.contains(f64::INFINITY));
        let err = real("rate", 2.0, UNIT).unwrap_err();
        assert_eq!(err.to_string(), "rate must be in [0, 1]; got 2");
        let err = each("xs", &[0.5, -1.0], UNIT).unwrap_err();
        assert_eq!(err.to_string(), "xs must be each in [0, 1]; got -1");
        assert!(shares("s", &[0.5, 0.5]).is_ok() && shares("s", &[0.5]).is_err());
        assert!(weights("w", &[0.0, 0.0]).is_err() && weights("w", &[0.0, 1.0]).is_ok());
        assert_eq!(
            whole("on", 0, 1, 520).unwrap_err().to_string(),
            "on must be in [1, 520]; got 0"
        );
        assert_eq!(node_ids("s", &[0u32, 2], 3).unwrap(), vec![0, 2]);
        assert_eq!(
            node_ids("s", &[-1i64], 3).unwrap_err().to_string(),
            "s must be node ids in [0, n) = [0, 3); got -1"
        );
        assert!(node_ids("s", &[3i64], 3).is_err() && node_ids("s", &[1i64 << 40], 3).is_err());
    }
}
