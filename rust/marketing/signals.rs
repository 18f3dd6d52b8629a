//! Intent signals: what marketers can see of needs.
//!
//! Most buying is dark. Each period an open need is observed with probability
//! `observability`, and a dormant company gives a false signal with probability
//! `false_signal_weekly`. A signal becomes actionable `signal_lag_weeks` after it is drawn and
//! stays actionable for a strategy's window. Strategies see only these signals, never the
//! need states; the signals depend only on the market's draws, so every strategy compared on
//! a seed sees the same ones.

use crate::market::needs::{Needs, NeedsConfig};
use crate::rng::{GeometricSkip, Stream, coin};
use std::collections::VecDeque;

const NEVER: u32 = u32::MAX;

/// Signals drawn so far and the companies they make actionable.
#[derive(Clone, Debug)]
pub struct Signals {
    observability: f32,
    false_rate: f64,
    lag: usize,
    /// Signals drawn but not yet visible, oldest first.
    pending: VecDeque<Vec<u32>>,
    /// The last period in which each company's signal became visible.
    visible_at: Vec<u32>,
    /// Companies with a visible signal, most recent visibility not yet expired for the
    /// longest window any strategy uses (pruned lazily).
    visible: Vec<u32>,
    listed: Vec<bool>,
    /// Signals of the last period: true and false.
    pub true_signals: u32,
    pub false_signals: u32,
    /// The period of the latest step (0 before the first).
    latest: u32,
}

impl Signals {
    /// No signals yet, for `companies` companies.
    pub fn new(config: &NeedsConfig, companies: usize) -> Self {
        Self {
            observability: config.observability as f32,
            false_rate: config.false_signal_weekly,
            lag: config.signal_lag_weeks as usize,
            pending: VecDeque::new(),
            visible_at: vec![NEVER; companies],
            visible: Vec::new(),
            listed: vec![false; companies],
            true_signals: 0,
            false_signals: 0,
            latest: 0,
        }
    }

    /// Draws period `period`'s signals from the need states and makes those drawn `lag`
    /// periods ago visible. Costs the open needs plus the false signals, via skips over
    /// the dormant companies. `keep` is the longest window a strategy looks back.
    pub fn step(&mut self, needs: &Needs, period: u32, keep: u32, rng: &mut Stream) {
        self.latest = period;
        let mut drawn = Vec::new();
        for &c in needs.open() {
            if coin(rng, self.observability) {
                drawn.push(c);
            }
        }
        self.true_signals = drawn.len() as u32;
        if self.false_rate > 0.0 {
            let skip = GeometricSkip::new(self.false_rate);
            let n = self.visible_at.len();
            let mut c = 0usize;
            loop {
                c = c.saturating_add(skip.sample(rng) as usize);
                if c >= n {
                    break;
                }
                if !needs.is_open(c as u32) {
                    drawn.push(c as u32);
                }
                c += 1;
            }
        }
        self.false_signals = drawn.len() as u32 - self.true_signals;
        self.pending.push_back(drawn);
        while self.pending.len() > self.lag {
            let ready = self.pending.pop_front().unwrap_or_default();
            for c in ready {
                self.visible_at[c as usize] = period;
                if !self.listed[c as usize] {
                    self.listed[c as usize] = true;
                    self.visible.push(c);
                }
            }
        }
        let (visible_at, listed) = (&self.visible_at, &mut self.listed);
        self.visible.retain(|&c| {
            let fresh = period - visible_at[c as usize] < keep.max(1);
            if !fresh {
                listed[c as usize] = false;
            }
            fresh
        });
    }

    /// The period of the latest step: what [`Self::actionable`] is read as of by a campaign
    /// delivering in the period after it.
    pub fn latest(&self) -> u32 {
        self.latest
    }

    /// Companies whose latest visible signal is less than `window` periods old at the end of
    /// period `period`, in no particular order.
    pub fn actionable(&self, period: u32, window: u32) -> impl Iterator<Item = u32> + '_ {
        self.visible
            .iter()
            .copied()
            .filter(move |&c| period - self.visible_at[c as usize] < window)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Subsystem, stream};

    fn needs(share: f64) -> (NeedsConfig, Needs) {
        let config = NeedsConfig {
            in_market_share: share,
            ..Default::default()
        };
        let needs = Needs::new(&config, 20_000, &mut stream(1, Subsystem::Needs, 0));
        (config, needs)
    }

    #[test]
    fn signals_observe_open_needs_at_the_observability_rate() {
        let (config, needs) = needs(0.05);
        let mut signals = Signals::new(&config, 20_000);
        let mut rng = stream(2, Subsystem::Signals, 0);
        let (mut seen, mut false_seen) = (0.0, 0.0);
        for t in 1..=200 {
            signals.step(&needs, t, 1, &mut rng);
            seen += f64::from(signals.true_signals);
            false_seen += f64::from(signals.false_signals);
        }
        let open = needs.open().len() as f64 * 200.0;
        assert!((seen / open - 0.05).abs() < 0.005, "{}", seen / open);
        let dormant = (20_000.0 - needs.open().len() as f64) * 200.0;
        assert!((false_seen / dormant - 0.002).abs() < 0.0003);
    }

    #[test]
    fn nothing_is_seen_without_observability_and_lags_delay_signals() {
        let (mut config, needs) = needs(0.05);
        config.observability = 0.0;
        config.false_signal_weekly = 0.0;
        let mut signals = Signals::new(&config, 20_000);
        let mut rng = stream(3, Subsystem::Signals, 0);
        for t in 1..50 {
            signals.step(&needs, t, 4, &mut rng);
            assert_eq!(signals.actionable(t, 4).count(), 0);
        }
        config.observability = 1.0;
        config.signal_lag_weeks = 2;
        let mut signals = Signals::new(&config, 20_000);
        let open = needs.open().len();
        signals.step(&needs, 1, 4, &mut rng);
        signals.step(&needs, 2, 4, &mut rng);
        assert_eq!(signals.actionable(2, 4).count(), 0);
        signals.step(&needs, 3, 4, &mut rng);
        assert_eq!(signals.actionable(3, 4).count(), open);
        assert_eq!(signals.actionable(3, 1).count(), open);
    }
}
