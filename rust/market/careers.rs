//! Careers: people change jobs, get promoted and switch functions.
//!
//! Each person has a weekly career-event hazard that depends on their seniority (juniors move
//! more). An event is either an internal promotion or a move to another company (mostly
//! within the same industry, sometimes with a promotion or a change of function). Social ties
//! are not touched: they follow the person, which is how reach survives career moves.
//!
//! Users state the calibration target in the units they think in ("share of people who
//! change company, function or seniority within 4 years"). Because every event changes at
//! least one of those, the time to a person's first event is exponential with their level's
//! hazard, and the share changed after T weeks is sum_l share_l * (1 - exp(-h * m_l * T)),
//! which [`CareersConfig::weekly_hazards`] solves for the base hazard h.

use crate::check::{self, Range, UNIT};
use crate::errors::Result;
use crate::market::population::{LEVELS, Population, pick};
use crate::rng::{GeometricSkip, Stream, below, open_unit};
use fixedbitset::FixedBitSet;
use serde::{Deserialize, Serialize};

/// Weeks in the calibration window of `change_within_4_years`.
pub const FOUR_YEARS: f64 = 208.0;

/// How careers unfold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CareersConfig {
    /// Share of people whose company, function or seniority changes at least once within
    /// 208 weeks (LinkedIn: about 0.40).
    pub change_within_4_years: f64,
    /// Career-event hazard of each seniority level relative to the others, junior first.
    pub level_hazard: [f64; LEVELS],
    /// Share of career events that are promotions within the same company.
    pub internal_promotion_share: f64,
    /// Probability that a move to another company stays in the same industry.
    pub same_industry: f64,
    /// Probability that a move comes with a promotion.
    pub promotion_on_move: f64,
    /// Probability that a move changes the person's function.
    pub function_change: f64,
}

impl Default for CareersConfig {
    fn default() -> Self {
        Self {
            change_within_4_years: 0.40,
            level_hazard: [1.6, 1.2, 1.0, 0.8, 0.5],
            internal_promotion_share: 0.25,
            same_industry: 0.7,
            promotion_on_move: 0.3,
            function_change: 0.1,
        }
    }
}

impl CareersConfig {
    /// Checks every field; errors name the field and the allowed range.
    pub fn validate(&self) -> Result<()> {
        check::real(
            "change_within_4_years",
            self.change_within_4_years,
            Range::ClosedOpen(0.0, 1.0),
        )?;
        check::weights("level_hazard", &self.level_hazard)?;
        for (name, x) in [
            ("internal_promotion_share", self.internal_promotion_share),
            ("same_industry", self.same_industry),
            ("promotion_on_move", self.promotion_on_move),
            ("function_change", self.function_change),
        ] {
            check::real(name, x, UNIT)?;
        }
        Ok(())
    }

    /// The weekly event probability of each level that meets `change_within_4_years` for a
    /// population with these `level_shares`.
    pub fn weekly_hazards(&self, level_shares: &[f64; LEVELS]) -> [f64; LEVELS] {
        let share_changed = |h: f64| -> f64 {
            level_shares
                .iter()
                .zip(&self.level_hazard)
                .map(|(s, m)| s * (1.0 - (-h * m * FOUR_YEARS).exp()))
                .sum()
        };
        let target = self.change_within_4_years;
        let reachable: f64 = level_shares
            .iter()
            .zip(&self.level_hazard)
            .filter(|(_, m)| **m > 0.0)
            .map(|(s, _)| s)
            .sum();
        let target = target.min(reachable * (1.0 - 1e-12));
        // share_changed rises from 0 towards `reachable`; bisect on the base hazard.
        let (mut lo, mut hi) = (0.0f64, 1.0f64);
        while share_changed(hi) < target {
            hi *= 2.0;
        }
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if share_changed(mid) < target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let h = 0.5 * (lo + hi);
        // A continuous hazard h * m becomes the weekly probability 1 - exp(-h * m).
        self.level_hazard.map(|m| 1.0 - (-h * m).exp())
    }
}

/// What happened to careers in one period.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CareerEvents {
    /// People who moved to another company, with the company they left (they leave any
    /// committee they sat on there).
    pub movers: Vec<(u32, u32)>,
    /// Internal promotions.
    pub promotions: u32,
    /// Everyone whose company, function or seniority changed this period.
    pub changed: Vec<u32>,
    /// Movers who also changed function with the move.
    pub function_changers: u32,
}

/// Careers with their hazards derived, plus who has changed since period 0.
#[derive(Clone, Debug)]
pub struct Careers {
    config: CareersConfig,
    weekly: [f64; LEVELS],
    max_weekly: f64,
    /// People whose company, function or seniority has changed since period 0.
    pub changed: FixedBitSet,
    /// Number of set bits in `changed`.
    pub changed_count: u32,
    /// The week each person joined their current employer (negative: before the run).
    hired_at: Vec<i32>,
    /// Periods stepped so far.
    now: i32,
    /// Scratch for the median tenure.
    tenures: Vec<i32>,
}

impl Careers {
    /// Careers for `population`, calibrated with its configured level shares.
    pub fn new(config: &CareersConfig, level_shares: &[f64; LEVELS], people: usize) -> Self {
        let weekly = config.weekly_hazards(level_shares);
        Self {
            config: config.clone(),
            weekly,
            max_weekly: weekly.iter().copied().fold(0.0, f64::max),
            changed: FixedBitSet::with_capacity(people),
            changed_count: 0,
            hired_at: vec![0; people],
            now: 0,
            tenures: Vec::new(),
        }
    }

    /// Median weeks people have worked for their current employer.
    pub fn tenure_median_weeks(&mut self) -> f64 {
        let now = self.now;
        self.tenures.clear();
        self.tenures.extend(self.hired_at.iter().map(|&h| now - h));
        if self.tenures.is_empty() {
            return 0.0;
        }
        let mid = self.tenures.len() / 2;
        let (_, &mut m, _) = self.tenures.select_nth_unstable(mid);
        f64::from(m)
    }

    /// The weekly event probability of each level.
    pub fn weekly_hazards(&self) -> [f64; LEVELS] {
        self.weekly
    }

    /// One period of careers. Costs the number of events, not the number of people: it skips
    /// over people at the highest level's rate and thins by each person's own.
    pub fn step(&mut self, pop: &mut Population, rng: &mut Stream, events: &mut CareerEvents) {
        events.movers.clear();
        events.promotions = 0;
        events.changed.clear();
        events.function_changers = 0;
        self.now += 1;
        if self.max_weekly <= 0.0 {
            return;
        }
        let n = pop.len();
        let skip = GeometricSkip::new(self.max_weekly);
        let mut p = 0usize;
        loop {
            p = p.saturating_add(skip.sample(rng) as usize);
            if p >= n {
                break;
            }
            let level = usize::from(pop.people.level[p]);
            if open_unit(rng) * self.max_weekly <= self.weekly[level] {
                self.event(pop, p as u32, rng, events);
            }
            p += 1;
        }
    }

    fn event(&mut self, pop: &mut Population, p: u32, rng: &mut Stream, events: &mut CareerEvents) {
        let c = &self.config;
        let i = p as usize;
        let top = (LEVELS - 1) as u8;
        let companies = pop.companies.industry.len();
        let promote_in_place = open_unit(rng) <= c.internal_promotion_share || companies < 2;
        if promote_in_place && pop.people.level[i] < top {
            pop.people.level[i] += 1;
            events.promotions += 1;
        } else if companies >= 2 {
            let from = pop.people.company[i];
            let to = destination(pop, from, c.same_industry, rng);
            pop.transfer(p, to);
            if open_unit(rng) <= c.promotion_on_move && pop.people.level[i] < top {
                pop.people.level[i] += 1;
            }
            if open_unit(rng) <= c.function_change && change_function(pop, i, rng) {
                events.function_changers += 1;
            }
            self.hired_at[i] = self.now;
            events.movers.push((p, from));
        } else if !change_function(pop, i, rng) {
            return; // a one-company, one-function market at the top level: nothing can change
        }
        events.changed.push(p);
        if !self.changed.put(i) {
            self.changed_count += 1;
        }
    }
}

/// A company other than `from`, in proportion to size; in `from`'s industry with
/// probability `same_industry` when that industry has another company.
fn destination(pop: &Population, from: u32, same_industry: f64, rng: &mut Stream) -> u32 {
    let companies = &pop.companies;
    let (members, cumulative) =
        &companies.by_industry[usize::from(companies.industry[from as usize])];
    let within = members.len() >= 2 && open_unit(rng) <= same_industry;
    for _ in 0..64 {
        let to = if within {
            members[pick(cumulative, rng)]
        } else {
            pick(&companies.cumulative_weight, rng) as u32
        };
        if to != from {
            return to;
        }
    }
    // `from` holds nearly all the weight: any other company, uniformly.
    let n = companies.industry.len() as u64;
    let to = below(rng, n - 1) as u32;
    if to >= from { to + 1 } else { to }
}

/// Draws a different function for person `i`; false if there is only one function.
fn change_function(pop: &mut Population, i: usize, rng: &mut Stream) -> bool {
    let functions = pop.function_cumulative.len();
    if functions < 2 {
        return false;
    }
    let current = pop.people.function[i];
    for _ in 0..64 {
        let f = pick(&pop.function_cumulative, rng) as u8;
        if f != current {
            pop.people.function[i] = f;
            return true;
        }
    }
    let f = below(rng, functions as u64 - 1) as u8;
    pop.people.function[i] = if f >= current { f + 1 } else { f };
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use crate::market::population::PopulationConfig;
    use crate::rng::{Subsystem, stream};

    #[test]
    fn derived_hazards_hit_the_target_in_closed_form() {
        let config = CareersConfig::default();
        let shares = PopulationConfig::default().level_shares;
        let weekly = config.weekly_hazards(&shares);
        let share: f64 = shares
            .iter()
            .zip(&weekly)
            .map(|(s, q)| s * (1.0 - (1.0 - q).powf(FOUR_YEARS)))
            .sum();
        assert!((share - 0.40).abs() < 1e-9, "{share}");
        assert!(weekly[0] > weekly[4], "juniors move more");
    }

    #[test]
    fn simulated_share_changed_after_208_weeks_is_the_target() {
        let pop_config = PopulationConfig {
            people: 20_000,
            companies: 1_000,
            ..Default::default()
        };
        let mut rng = stream(5, Subsystem::Population, 0);
        let mut pop = Population::draw(&pop_config, &mut rng).unwrap();
        let mut careers = Careers::new(
            &CareersConfig::default(),
            &pop_config.level_shares,
            pop.len(),
        );
        let mut events = CareerEvents::default();
        let mut moves = 0;
        for week in 0..208 {
            let mut rng = stream(5, Subsystem::Careers, week);
            careers.step(&mut pop, &mut rng, &mut events);
            moves += events.movers.len();
        }
        crate::market::population::tests::assert_consistent(&pop);
        let share = f64::from(careers.changed_count) / 20_000.0;
        // Binomial s.e. at n = 20k is 0.0035; the population's level mix adds a little more.
        assert!((share - 0.40).abs() < 0.015, "{share}");
        assert_eq!(
            careers.changed_count as usize,
            careers.changed.count_ones(..)
        );
        assert!(moves > 0);
    }

    #[test]
    fn bad_configs_name_the_field() {
        let d = CareersConfig::default;
        let name = |c: CareersConfig| match c.validate() {
            Err(Error::OutOfRange { name, .. }) => name,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            name(CareersConfig {
                change_within_4_years: 1.0,
                ..d()
            }),
            "change_within_4_years"
        );
        assert_eq!(
            name(CareersConfig {
                level_hazard: [0.0; LEVELS],
                ..d()
            }),
            "level_hazard"
        );
        assert_eq!(
            name(CareersConfig {
                same_industry: -0.1,
                ..d()
            }),
            "same_industry"
        );
    }
}
