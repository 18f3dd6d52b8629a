//! Needs: companies come into market at random and leave it by deciding or giving up.
//!
//! A dormant company opens a need with a weekly probability that grows with its headcount,
//! a_c = a * (employees_c / mean)^`headcount_elasticity` (capped at 1): bigger companies
//! buy more (more people, more concurrent projects), so deals come from the firms that buy
//! in the category rather than from the many small ones. A company's rate is set by its
//! headcount at the start of the run.
//!
//! An open need is not memoryless: it goes through `need_stages` successive phases (the
//! buying jobs of a B2B purchase: problem, exploration, requirements, selection), each
//! ending with probability `need_stages / mean_need_weeks` a week, so its length has a
//! discrete Erlang shape with mean `mean_need_weeks`: few needs end in their first weeks and
//! the hazard of ending rises with age. At the end it is decided, or abandoned/postponed
//! with probability `abandon_share`.
//!
//! Each company alternates dormant spells (mean 1 / a_c) and open ones (mean L), so its
//! stationary chance of being in market is a_c L / (1 + a_c L). Users state the mean share
//! over companies (the 95-5 rule: 0.05); the engine solves for a. Runs start from the
//! stationary state: each company in market with its own stationary chance, in a uniformly
//! drawn phase (each phase has the same mean length).
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
    /// Need onset grows as (headcount / mean headcount)^this: 0, every company alike; 1,
    /// in proportion to headcount.
    pub headcount_elasticity: f64,
    /// Phases an open need goes through, each of mean length `mean_need_weeks / need_stages`;
    /// 1 makes need length memoryless (geometric). A phase lasts at least a week, so needs
    /// shorter than `need_stages` weeks on average use fewer phases.
    pub need_stages: u32,
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
            headcount_elasticity: 1.0,
            need_stages: 4,
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
        check::real(
            "headcount_elasticity",
            self.headcount_elasticity,
            Range::Closed(0.0, 2.0),
        )?;
        check::whole("need_stages", u64::from(self.need_stages), 1, 52)?;
        check::real("abandon_share", self.abandon_share, UNIT)
    }

    /// Per-period probabilities (onset for a dormant company of mean headcount, end for an
    /// open need, as if it had one phase).
    pub fn weekly(&self) -> (f64, f64) {
        let (onset, end) = self.weekly_unclamped();
        (onset.min(1.0), end)
    }

    /// The phases an open need goes through: `need_stages`, at most the mean length in
    /// whole weeks (a phase lasts at least a week).
    pub fn stages(&self) -> u8 {
        let most = self.mean_need_weeks.floor().clamp(1.0, 52.0) as u32;
        self.need_stages.clamp(1, most) as u8
    }

    /// Each company's weekly onset probability, for companies of these `headcounts`, so
    /// that the mean stationary share in market is `in_market_share`.
    pub fn onsets(&self, headcounts: &[usize]) -> Vec<f64> {
        let n = headcounts.len().max(1) as f64;
        let mean = headcounts.iter().sum::<usize>() as f64 / n;
        let weights: Vec<f64> = headcounts
            .iter()
            .map(|&e| (e as f64 / mean.max(1e-12)).powf(self.headcount_elasticity))
            .collect();
        let length = self.mean_need_weeks;
        let share = |a: f64| -> f64 {
            weights
                .iter()
                .map(|w| {
                    let x = (a * w).min(1.0) * length;
                    x / (1.0 + x)
                })
                .sum::<f64>()
                / n
        };
        let target = self.in_market_share;
        if target <= 0.0 {
            return vec![0.0; headcounts.len()];
        }
        // share() rises from 0 towards length / (1 + length) >= target (validated): bisect.
        let (mut lo, mut hi) = (0.0f64, 1.0f64);
        while share(hi) < target && hi < 1e12 {
            hi *= 2.0;
        }
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if share(mid) < target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let a = 0.5 * (lo + hi);
        weights.iter().map(|w| (a * w).min(1.0)).collect()
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
    /// Each company's weekly onset probability, and the largest.
    onset: Vec<f64>,
    max_onset: f64,
    /// Weekly probability that an open need leaves its phase.
    advance: f64,
    stages: u8,
    abandon_share: f64,
    /// Phase of each company's open need.
    stage: Vec<u8>,
    /// Period in which each company's open need arose, or `DORMANT`.
    opened_at: Vec<u32>,
    /// Companies with an open need, and each one's position in this list.
    open: Vec<u32>,
    position: Vec<u32>,
}

impl Needs {
    /// Needs for `companies` companies of equal headcount, starting from the stationary
    /// state.
    pub fn new(config: &NeedsConfig, companies: usize, rng: &mut Stream) -> Self {
        Self::with_headcounts(config, &vec![1; companies], rng)
    }

    /// Needs for companies of these `headcounts`, starting from the stationary state so
    /// that period 0 already looks like any other.
    pub fn with_headcounts(config: &NeedsConfig, headcounts: &[usize], rng: &mut Stream) -> Self {
        let companies = headcounts.len();
        let onset = config.onsets(headcounts);
        let stages = config.stages();
        let mut needs = Self {
            max_onset: onset.iter().copied().fold(0.0, f64::max),
            onset,
            advance: f64::from(stages) / config.mean_need_weeks,
            stages,
            abandon_share: config.abandon_share,
            stage: vec![0; companies],
            opened_at: vec![DORMANT; companies],
            open: Vec::new(),
            position: vec![DORMANT; companies],
        };
        let length = config.mean_need_weeks;
        for c in 0..companies as u32 {
            let x = needs.onset[c as usize] * length;
            if open_unit(rng) <= x / (1.0 + x) {
                needs.open_need(c, 0);
                needs.stage[c as usize] =
                    ((open_unit(rng) * f64::from(stages)).ceil() as u8).clamp(1, stages) - 1;
            }
        }
        needs
    }

    fn open_need(&mut self, c: u32, period: u32) {
        self.opened_at[c as usize] = period;
        self.stage[c as usize] = 0;
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

    /// One period: open needs move on a phase and those past their last end, then dormant
    /// companies may open one. Costs the number of open needs plus the number of onsets (at
    /// the largest company's rate), not the number of companies.
    pub fn step(&mut self, period: u32, rng: &mut Stream, events: &mut NeedEvents) {
        events.opened.clear();
        events.decided.clear();
        events.abandoned.clear();
        // Ends, among needs open at the start of the period (walk a snapshot: closing
        // reorders the list).
        let mut i = 0;
        while i < self.open.len() {
            let c = self.open[i];
            let ends = open_unit(rng) <= self.advance && {
                self.stage[c as usize] += 1;
                self.stage[c as usize] >= self.stages
            };
            if ends {
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

    /// Onsets, among companies dormant at the start of the period: skip at the largest
    /// onset rate over all companies, thin by each one's own, and pass over those open now
    /// or ended this period.
    fn onsets(&mut self, period: u32, rng: &mut Stream, events: &mut NeedEvents) {
        if self.max_onset <= 0.0 {
            return;
        }
        let n = self.opened_at.len();
        let skip = GeometricSkip::new(self.max_onset);
        let mut c = 0usize;
        loop {
            c = c.saturating_add(skip.sample(rng) as usize);
            if c >= n {
                break;
            }
            let own = self.onset[c];
            let thinned = own >= self.max_onset || open_unit(rng) * self.max_onset <= own;
            if thinned && self.opened_at[c] == DORMANT {
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
    fn big_companies_are_in_market_more_and_the_mean_share_holds() {
        let config = NeedsConfig::default();
        // Half the companies have 2 people, half 200.
        let headcounts: Vec<usize> = (0..10_000)
            .map(|c| if c % 2 == 0 { 2 } else { 200 })
            .collect();
        let onset = config.onsets(&headcounts);
        assert!(
            (onset[1] / onset[0] - 100.0).abs() < 1e-9,
            "in proportion to headcount"
        );
        let mut needs =
            Needs::with_headcounts(&config, &headcounts, &mut stream(3, Subsystem::Needs, 0));
        let mut events = NeedEvents::default();
        let (mut share, mut big, mut opened_big, mut opened) = (0.0, 0.0, 0, 0);
        for t in 1..=260 {
            needs.step(
                t,
                &mut stream(3, Subsystem::Needs, u64::from(t)),
                &mut events,
            );
            share += needs.in_market_share();
            big += needs.open().iter().filter(|&&c| c % 2 == 1).count() as f64
                / needs.open().len().max(1) as f64;
            opened += events.opened.len();
            opened_big += events.opened.iter().filter(|&&c| c % 2 == 1).count();
        }
        let share = share / 260.0;
        assert!((share - 0.05).abs() < 0.003, "{share}");
        assert!(
            big / 260.0 > 0.9,
            "open needs at big companies: {}",
            big / 260.0
        );
        assert!(opened_big as f64 > 0.9 * opened as f64);
    }

    #[test]
    fn need_length_has_the_erlang_shape() {
        let config = NeedsConfig {
            in_market_share: 0.2,
            ..Default::default()
        };
        let mut needs = Needs::new(&config, 20_000, &mut stream(4, Subsystem::Needs, 0));
        let mut events = NeedEvents::default();
        let mut lengths = Vec::new();
        for t in 1..=600u32 {
            let opened: Vec<(u32, u32)> = needs
                .open()
                .iter()
                .map(|&c| (c, needs.opened_at(c).unwrap_or(0)))
                .collect();
            needs.step(
                t,
                &mut stream(4, Subsystem::Needs, u64::from(t)),
                &mut events,
            );
            for (c, at) in opened {
                let ended = events.decided.contains(&c) || events.abandoned.contains(&c);
                if ended && at >= 1 && t < 500 {
                    lengths.push(f64::from(t - at));
                }
            }
        }
        let n = lengths.len() as f64;
        let mean = lengths.iter().sum::<f64>() / n;
        let var = lengths.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
        // Four geometric phases of mean 13 / 4 weeks: mean 13, variance 4 * (1 - q) / q^2.
        let q = 4.0 / 13.0;
        assert!((mean - 13.0).abs() < 0.3, "mean {mean}");
        assert!(
            (var - 4.0 * (1.0 - q) / (q * q)).abs() < 4.0,
            "variance {var}"
        );
        // Not memoryless: hardly any need ends within two weeks (geometric: 15%).
        let early = lengths.iter().filter(|&&x| x <= 2.0).count() as f64 / n;
        assert!(early < 0.02, "{early}");
        let short = NeedsConfig {
            mean_need_weeks: 2.5,
            ..Default::default()
        };
        assert_eq!((short.stages(), config.stages()), (2, 4));
        assert!(
            NeedsConfig {
                need_stages: 0,
                ..Default::default()
            }
            .validate()
            .is_err()
        );
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
