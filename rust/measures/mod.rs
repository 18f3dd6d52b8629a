//! Measures of a replicate that no mechanism reads back: who each brand has reached (and so
//! future-buyer reach), and the marketing hourglass.
//!
//! Measures that follow events implement [`Tracker`]: the replicate calls it at every
//! exposure, share, endorsement and decision. Each hook does nothing by default, so a
//! tracker pays only for the events it watches, and `()` (no tracker) costs nothing.

pub mod hourglass;
pub(crate) mod reach;

use crate::market::committees::Committees;
use crate::sim::record::Deal;

/// Watches a replicate's marketing and buying events.
pub trait Tracker {
    /// Period `period` (1-based) begins; called before its marketing.
    #[inline]
    fn period(&mut self, _period: u32) {}

    /// Person `p`, working at `company`, is exposed to brand `b`'s advertising in `period`:
    /// a paid impression, or (`earned`) creative someone shared.
    #[inline]
    fn exposed(&mut self, _p: u32, _b: usize, _company: u32, _period: u32, _earned: bool) {}

    /// Person `p` shares brand `b`'s creative with their ties.
    #[inline]
    fn shared(&mut self, _p: u32, _b: usize) {}

    /// Person `p` is reached by an endorsement of brand `b`.
    #[inline]
    fn endorsed(&mut self, _p: u32, _b: usize) {}

    /// The committee of `deal.company` came to a decision; `members` sat on it.
    #[inline]
    fn decided(&mut self, _deal: &Deal, _members: &[u32], _committees: &Committees) {}
}

impl Tracker for () {}

impl<T: Tracker> Tracker for Option<T> {
    #[inline]
    fn period(&mut self, period: u32) {
        if let Some(t) = self {
            t.period(period);
        }
    }
    #[inline]
    fn exposed(&mut self, p: u32, b: usize, company: u32, period: u32, earned: bool) {
        if let Some(t) = self {
            t.exposed(p, b, company, period, earned);
        }
    }
    #[inline]
    fn shared(&mut self, p: u32, b: usize) {
        if let Some(t) = self {
            t.shared(p, b);
        }
    }
    #[inline]
    fn endorsed(&mut self, p: u32, b: usize) {
        if let Some(t) = self {
            t.endorsed(p, b);
        }
    }
    #[inline]
    fn decided(&mut self, deal: &Deal, members: &[u32], committees: &Committees) {
        if let Some(t) = self {
            t.decided(deal, members, committees);
        }
    }
}

impl<A: Tracker, B: Tracker> Tracker for (A, B) {
    #[inline]
    fn period(&mut self, period: u32) {
        self.0.period(period);
        self.1.period(period);
    }
    #[inline]
    fn exposed(&mut self, p: u32, b: usize, company: u32, period: u32, earned: bool) {
        self.0.exposed(p, b, company, period, earned);
        self.1.exposed(p, b, company, period, earned);
    }
    #[inline]
    fn shared(&mut self, p: u32, b: usize) {
        self.0.shared(p, b);
        self.1.shared(p, b);
    }
    #[inline]
    fn endorsed(&mut self, p: u32, b: usize) {
        self.0.endorsed(p, b);
        self.1.endorsed(p, b);
    }
    #[inline]
    fn decided(&mut self, deal: &Deal, members: &[u32], committees: &Committees) {
        self.0.decided(deal, members, committees);
        self.1.decided(deal, members, committees);
    }
}
