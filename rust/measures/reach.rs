//! Reach: who each brand's advertising has touched, when and where they worked then.
//!
//! Per person and advertising brand it keeps the period of the first exposure and the
//! company of the last one (plus whether exposures happened at more than one company), which
//! is enough to answer the future-buyer question: of the people on a committee that decided,
//! how many had the brand reached before they joined it, and how many while they worked
//! elsewhere. Per period it counts unique reach with a bitset cleared by walking the people
//! reached. Brands that do not advertise reach nobody and cost nothing. It is a
//! [`Tracker`]: the replicate tells it of exposures and decisions.

use crate::errors::{Result, try_filled};
use crate::market::committees::Committees;
use crate::measures::Tracker;
use crate::sim::record::Deal;
use fixedbitset::FixedBitSet;

/// `first` of someone never reached: every bit but SEVERAL.
const NEVER: u32 = !SEVERAL;
/// High bit of `first`: reached at more than one company.
const SEVERAL: u32 = 1 << 31;
const NO_COMPANY: u32 = u32::MAX;

/// Exposure history of every person for every advertising brand.
#[derive(Clone, Debug)]
pub struct Reach {
    /// Number of brands kept (those that advertise), and each brand's place among them.
    kept: usize,
    slot: Vec<Option<usize>>,
    /// Period of the first exposure (NEVER: not reached) | SEVERAL.
    first: Vec<u32>,
    /// Company of the last exposure.
    company: Vec<u32>,
    /// People reached this period, per kept brand, and who they are (to clear the set).
    this_period: Vec<FixedBitSet>,
    reached: Vec<Vec<u32>>,
    /// People ever reached, per brand.
    pub ever: Vec<u32>,
    /// This period, per brand: unique people reached by paid impressions; deciders reached
    /// before they joined their committee, and while they worked at another company.
    pub paid: Vec<u32>,
    pub before_joining: Vec<u32>,
    pub elsewhere: Vec<u32>,
}

impl Reach {
    /// Nobody reached yet among `people` people; history is kept for the brands marked in
    /// `advertises` only.
    pub fn new(people: usize, advertises: &[bool]) -> Result<Self> {
        let mut kept = 0;
        let mut slot = Vec::with_capacity(advertises.len());
        for &a in advertises {
            slot.push(a.then_some(kept));
            kept += usize::from(a);
        }
        let cells = people * kept;
        Ok(Self {
            kept,
            slot,
            first: try_filled(cells, NEVER, "reach history")?,
            company: try_filled(cells, NO_COMPANY, "reach history")?,
            this_period: (0..kept)
                .map(|_| FixedBitSet::with_capacity(people))
                .collect(),
            reached: vec![Vec::new(); kept],
            ever: vec![0; advertises.len()],
            paid: vec![0; advertises.len()],
            before_joining: vec![0; advertises.len()],
            elsewhere: vec![0; advertises.len()],
        })
    }

    #[inline]
    fn cell(&self, p: u32, b: usize) -> Option<usize> {
        self.slot[b].map(|k| p as usize * self.kept + k)
    }

    /// Person `p`, working at `company`, is exposed to brand `b` (which advertises) in
    /// `period`. Returns whether this is their first exposure to `b` this period.
    #[inline]
    pub fn expose(&mut self, p: u32, b: usize, company: u32, period: u32) -> bool {
        let (Some(i), Some(k)) = (self.cell(p, b), self.slot[b]) else {
            debug_assert!(false, "brand {b} does not advertise");
            return false;
        };
        if self.first[i] & !SEVERAL == NEVER {
            self.first[i] = period;
            self.ever[b] += 1;
        } else if self.company[i] != company {
            self.first[i] |= SEVERAL;
        }
        self.company[i] = company;
        let first = !self.this_period[k].put(p as usize);
        if first {
            self.reached[k].push(p);
        }
        first
    }

    /// The people brand `b` reached this period, in order of first exposure.
    pub fn reached_this_period(&self, b: usize) -> &[u32] {
        self.slot[b].map_or(&[], |k| &self.reached[k])
    }

    /// Unique people brand `b` reached this period.
    pub fn period_reach(&self, b: usize) -> u32 {
        self.reached_this_period(b).len() as u32
    }

    /// Starts a new period's counts.
    pub fn new_period(&mut self) {
        for (set, list) in self.this_period.iter_mut().zip(&mut self.reached) {
            for p in list.drain(..) {
                set.set(p as usize, false);
            }
        }
        for count in [
            &mut self.paid,
            &mut self.before_joining,
            &mut self.elsewhere,
        ] {
            count.iter_mut().for_each(|x| *x = 0);
        }
    }

    /// Whether brand `b` reached person `p` in or before `period`.
    #[inline]
    pub fn reached_by(&self, p: u32, b: usize, period: u32) -> bool {
        self.cell(p, b).is_some_and(|i| {
            let first = self.first[i] & !SEVERAL;
            first != NEVER && first <= period
        })
    }

    /// Whether brand `b` reached person `p` while they worked somewhere other than
    /// `company`.
    #[inline]
    pub fn reached_elsewhere(&self, p: u32, b: usize, company: u32) -> bool {
        self.cell(p, b).is_some_and(|i| {
            let first = self.first[i];
            first & !SEVERAL != NEVER && (first & SEVERAL != 0 || self.company[i] != company)
        })
    }
}

impl Tracker for Reach {
    #[inline]
    fn period(&mut self, _period: u32) {
        self.new_period();
    }

    #[inline]
    fn exposed(&mut self, p: u32, b: usize, company: u32, period: u32, earned: bool) {
        // A brand's paid impressions land before anything it earns in a period, so its
        // paid reach is its unique reach when its first earned exposure arrives.
        if self.expose(p, b, company, period) && !earned {
            self.paid[b] += 1;
        }
    }

    fn decided(&mut self, deal: &Deal, members: &[u32], committees: &Committees) {
        for &m in members {
            let joined = committees.joined_at(m);
            for b in 0..self.slot.len() {
                self.before_joining[b] += u32::from(self.reached_by(m, b, joined));
                self.elsewhere[b] += u32::from(self.reached_elsewhere(m, b, deal.company));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reach_remembers_when_and_where() {
        let mut reach = Reach::new(4, &[true, true]).unwrap();
        assert!(!reach.reached_by(0, 0, 100));
        reach.expose(0, 0, 7, 3);
        reach.expose(0, 0, 7, 5);
        assert!(reach.reached_by(0, 0, 3) && !reach.reached_by(0, 0, 2));
        assert!(!reach.reached_elsewhere(0, 0, 7));
        assert!(reach.reached_elsewhere(0, 0, 8));
        assert!(!reach.reached_by(0, 1, 10));
        // Reached at 7, then at 8: reached elsewhere than 8 (and than 7).
        reach.expose(0, 0, 8, 9);
        assert!(reach.reached_elsewhere(0, 0, 8) && reach.reached_elsewhere(0, 0, 7));
        assert_eq!(reach.period_reach(0), 1);
        assert_eq!(reach.ever, vec![1, 0]);
        reach.new_period();
        assert_eq!(reach.period_reach(0), 0);
        reach.expose(1, 1, 2, 10);
        reach.expose(1, 1, 2, 10);
        assert_eq!((reach.period_reach(1), reach.ever[1]), (1, 1));
    }

    #[test]
    fn brands_that_do_not_advertise_cost_nothing() {
        let mut reach = Reach::new(1_000, &[false, true, false]).unwrap();
        assert_eq!(reach.first.len(), 1_000);
        reach.expose(5, 1, 3, 2);
        assert!(reach.reached_by(5, 1, 2));
        assert!(!reach.reached_by(5, 0, 2) && !reach.reached_elsewhere(5, 2, 9));
        assert_eq!(reach.period_reach(2), 0);
        assert_eq!(reach.ever, vec![0, 1, 0]);
    }
}
