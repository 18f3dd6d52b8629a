//! Needs: companies come into market at random and leave it by deciding or giving up.
//!
//! Each period, every open need ends with probability 1 / `mean_need_weeks` (decided, or
//! abandoned/postponed with probability `abandon_share`), then every company that was
//! dormant at the start of the period opens a need with probability a. The company's state is
//! a two-state Markov chain whose stationary in-market share is a / (a + e), so users state
//! the share (the 95-5 rule: 0.05) and the engine derives a = share * e / (1 - share).
//!
//! Who decides and for whom is settled by buying committees; this module only times needs.

use crate::check::{self, Range, UNIT};
use crate::errors::{Error, Result};
use crate::rng::{GeometricSkip, Stream, open_unit};
use serde::{Deserialize, Serialize};

/// How needs arise and end.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NeedsConfig {
    /// Mean share of companies with an open need (Ehrenberg-Bass's 95-5 rule: 0.05).
    pub in_market_share: f64,
    /// Mean length of an open need in weeks, until it is decided or abandoned.
    pub mean_need_weeks: f64,
    /// Share of needs that are abandoned or postponed rather than decided.
    pub abandon_share: f64,
    /// Weekly probability that an intent signal observes an open need (dark funnel: 0.05).
    pub observability: f64,
    /// Weekly probability that a dormant company gives a false intent signal.
    pub false_signal_weekly: f64,
    /// Weeks between a signal and the moment marketers can act on it.
    pub signal_lag_weeks: u32,
}

impl Default for NeedsConfig {
    fn default() -> Self {
        Self {
            in_market_share: 0.05,
            // With 5% in market, 13-week needs put each company in market about every 5
            // years (260 weeks): the B2B Institute's "switch providers every ~5 years".
            mean_need_weeks: 13.0,
            abandon_share: 0.4,
            observability: 0.05,
            false_signal_weekly: 0.002,
            signal_lag_weeks: 0,
        }
    }
}

impl NeedsConfig {
    /// Checks every field; errors name the field and the allowed range.
    pub fn validate(&self) -> Result<()> {
        check::real(
            "in_market_share",
            self.in_market_share,
            Range::ClosedOpen(0.0, 1.0),
        )?;
        check::real("mean_need_weeks", self.mean_need_weeks, Range::AtLeast(1.0))?;
        let (onset, _) = self.weekly_unclamped();
        if onset > 1.0 {
            return Err(Error::out_of_range(
                "in_market_share",
                self.in_market_share,
                format!(
                    "at most 1 / (1 + 1 / mean_need_weeks) = {:.4} for needs this short",
                    1.0 / (1.0 + 1.0 / self.mean_need_weeks)
                ),
            ));
        }
        check::real("observability", self.observability, UNIT)?;
        check::real("false_signal_weekly", self.false_signal_weekly, UNIT)?;
        check::whole("signal_lag_weeks", u64::from(self.signal_lag_weeks), 0, 520)?;
        check::real("abandon_share", self.abandon_share, UNIT)
    }

    /// Per-period probabilities (onset for a dormant company, end for an open need).
    pub fn weekly(&self) -> (f64, f64) {
        let (onset, end) = self.weekly_unclamped();
        (onset.min(1.0), end)
    }

    fn weekly_unclamped(&self) -> (f64, f64) {
        let end = 1.0 / self.mean_need_weeks;
        (
            self.in_market_share * end / (1.0 - self.in_market_share),
            end,
        )
    }
}

/// Sentinel for "no open need".
const DORMANT: u32 = u32::MAX;
/// Sentinel for "need ended this period": dormant, but may not reopen until the next period.
const JUST_ENDED: u32 = u32::MAX - 1;

/// What happened to needs in one period.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NeedEvents {
    /// Companies whose need opened this period.
    pub opened: Vec<u32>,
    /// Companies whose need was decided this period.
    pub decided: Vec<u32>,
    /// Companies whose need was abandoned or postponed this period.
    pub abandoned: Vec<u32>,
}

/// The need state of every company.
#[derive(Clone, Debug)]
pub struct Needs {
    onset: f64,
    end: f64,
    abandon_share: f64,
    /// Period in which each company's open need arose, or `DORMANT`.
    opened_at: Vec<u32>,
    /// Companies with an open need, and each one's position in this list.
    open: Vec<u32>,
    position: Vec<u32>,
}

impl Needs {
    /// Needs for `companies` companies, starting from the stationary share in market so that
    /// period 0 already looks like any other.
    pub fn new(config: &NeedsConfig, companies: usize, rng: &mut Stream) -> Self {
        let (onset, end) = config.weekly();
        let mut needs = Self {
            onset,
            end,
            abandon_share: config.abandon_share,
            opened_at: vec![DORMANT; companies],
            open: Vec::new(),
            position: vec![DORMANT; companies],
        };
        for c in 0..companies as u32 {
            if open_unit(rng) <= config.in_market_share {
                needs.open_need(c, 0);
            }
        }
        needs
    }

    fn open_need(&mut self, c: u32, period: u32) {
        self.opened_at[c as usize] = period;
        self.position[c as usize] = self.open.len() as u32;
        self.open.push(c);
    }

    fn close_need(&mut self, c: u32) {
        let pos = self.position[c as usize] as usize;
        self.open.swap_remove(pos);
        if let Some(&moved) = self.open.get(pos) {
            self.position[moved as usize] = pos as u32;
        }
        self.opened_at[c as usize] = DORMANT;
        self.position[c as usize] = DORMANT;
    }

    /// Whether company `c` has an open need.
    pub fn is_open(&self, c: u32) -> bool {
        self.opened_at[c as usize] < JUST_ENDED
    }

    /// The period in which company `c`'s open need arose, if it has one.
    pub fn opened_at(&self, c: u32) -> Option<u32> {
        self.is_open(c).then(|| self.opened_at[c as usize])
    }

    /// Companies with an open need (unordered).
    pub fn open(&self) -> &[u32] {
        &self.open
    }

    /// Share of companies with an open need.
    pub fn in_market_share(&self) -> f64 {
        self.open.len() as f64 / self.opened_at.len() as f64
    }

    /// One period: open needs end, then dormant companies may open one. Costs the number of
    /// open needs plus the number of onsets, not the number of companies.
    pub fn step(&mut self, period: u32, rng: &mut Stream, events: &mut NeedEvents) {
        events.opened.clear();
        events.decided.clear();
        events.abandoned.clear();
        // Ends, among needs open at the start of the period (walk a snapshot: closing
        // reorders the list).
        let mut i = 0;
        while i < self.open.len() {
            let c = self.open[i];
            if open_unit(rng) <= self.end {
                if open_unit(rng) <= self.abandon_share {
                    events.abandoned.push(c);
                } else {
                    events.decided.push(c);
                }
                self.close_need(c);
                self.opened_at[c as usize] = JUST_ENDED;
                // The last entry moved into slot i: look at it next.
            } else {
                i += 1;
            }
        }
        self.onsets(period, rng, events);
        for &c in events.decided.iter().chain(&events.abandoned) {
            self.opened_at[c as usize] = DORMANT;
        }
    }

    /// Onsets, among companies dormant at the start of the period: skip at the onset rate
    /// over all companies and pass over those open now or ended this period.
    fn onsets(&mut self, period: u32, rng: &mut Stream, events: &mut NeedEvents) {
        if self.onset <= 0.0 {
            return;
        }
        let n = self.opened_at.len();
        let skip = GeometricSkip::new(self.onset);
        let mut c = 0usize;
        loop {
            c = c.saturating_add(skip.sample(rng) as usize);
            if c >= n {
                break;
            }
            if self.opened_at[c] == DORMANT {
                self.open_need(c as u32, period);
                events.opened.push(c as u32);
            }
            c += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Subsystem, stream};

    #[test]
    fn the_in_market_share_is_the_target_on_average() {
        let config = NeedsConfig::default();
        let mut needs = Needs::new(&config, 20_000, &mut stream(1, Subsystem::Needs, 0));
        let mut events = NeedEvents::default();
        let (mut share_sum, mut opened, mut ended) = (0.0, 0usize, 0usize);
        let periods = 520;
        for t in 1..=periods {
            needs.step(
                t,
                &mut stream(1, Subsystem::Needs, u64::from(t)),
                &mut events,
            );
            share_sum += needs.in_market_share();
            opened += events.opened.len();
            ended += events.decided.len() + events.abandoned.len();
            for &c in &events.opened {
                assert!(needs.is_open(c));
            }
        }
        let mean = share_sum / f64::from(periods);
        assert!((mean - 0.05).abs() < 0.002, "{mean}");
        // Every need that opened has ended or is still open.
        let initially_open = needs.open().len() + ended - opened;
        assert!((initially_open as f64 / 20_000.0 - 0.05).abs() < 0.01);
        // Abandonment share.
        assert!(ended > 0);
    }

    #[test]
    fn the_open_list_matches_the_states() {
        let mut needs = Needs::new(
            &NeedsConfig {
                in_market_share: 0.3,
                mean_need_weeks: 3.0,
                abandon_share: 0.5,
                ..Default::default()
            },
            500,
            &mut stream(2, Subsystem::Needs, 0),
        );
        let mut events = NeedEvents::default();
        for t in 1..200 {
            needs.step(
                t,
                &mut stream(2, Subsystem::Needs, u64::from(t)),
                &mut events,
            );
            let open: Vec<u32> = (0..500).filter(|&c| needs.is_open(c)).collect();
            let mut listed = needs.open().to_vec();
            listed.sort_unstable();
            assert_eq!(open, listed);
        }
    }

    #[test]
    fn derived_onset_gives_the_stationary_share() {
        let c = NeedsConfig::default();
        let (a, e) = c.weekly();
        assert!((a / (a + e) - c.in_market_share).abs() < 1e-12);
        assert!(
            NeedsConfig {
                in_market_share: 1.0,
                ..c.clone()
            }
            .validate()
            .is_err()
        );
        assert!(
            NeedsConfig {
                mean_need_weeks: 0.5,
                ..c.clone()
            }
            .validate()
            .is_err()
        );
        assert!(
            NeedsConfig {
                abandon_share: 2.0,
                ..c
            }
            .validate()
            .is_err()
        );
    }
}
