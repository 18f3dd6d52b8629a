//! Careers: people change jobs, get promoted and switch functions.
//!
//! Each person has a weekly career-event hazard that depends on their seniority (juniors move
//! more). An event is either an internal promotion or a move to another company (mostly
//! within the same industry, sometimes with a promotion or a change of function). Social ties
//! are not touched: they follow the person, which is how reach survives career moves.
//!
//! People differ in how often they move: each person's hazard is multiplied by their own
//! mobility M, drawn once from a Gamma(k, 1/k) distribution (mean 1, shape k =
//! `mobility_shape`), so a few people move often and most rarely. That is what lets 16% of
//! people change persona within a year (Salesforce/LinkedIn: 15-17%) while only 40% have
//! changed within four (LinkedIn): with everyone alike the first would be 12%.
//!
//! Users state the calibration target in the units they think in ("share of people who
//! change company, function or seniority within 4 years"). Because every event changes at
//! least one of those, the time to a person's first event is exponential with hazard
//! h * m_l * M, and averaging over M, the share changed after T weeks is
//! sum_l share_l * (1 - (1 + h * m_l * T / k)^-k), which [`CareersConfig::weekly_hazards`]
//! solves for the base hazard h.
//!
//! A run starts in the stationary state of tenure: everyone's time with their current
//! employer is drawn from what their own company-move rate implies (geometric), so the
//! median tenure is an output from the first week, not a clock started at zero.

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
    /// Probability that a move changes the person's function (LinkedIn: about 1 in 3).
    pub function_change: f64,
    /// Shape k of the Gamma(k, 1/k) spread of people's mobility (mean 1): smaller, a few
    /// people move often and most rarely; very large, everyone alike.
    pub mobility_shape: f64,
}

impl Default for CareersConfig {
    fn default() -> Self {
        Self {
            change_within_4_years: 0.40,
            level_hazard: [1.6, 1.2, 1.0, 0.8, 0.5],
            internal_promotion_share: 0.25,
            same_industry: 0.7,
            promotion_on_move: 0.3,
            // LinkedIn, "Why & How People Change Jobs" (2015): about a third of people who
            // changed company also changed function.
            function_change: 0.33,
            // Puts the share of people whose persona changes within a year at about 0.16
            // (Salesforce Research with LinkedIn data: 15-17%) with 0.40 within 4 years.
            mobility_shape: 0.6,
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
        check::real(
            "mobility_shape",
            self.mobility_shape,
            Range::Closed(0.05, 1e6),
        )
    }

    /// The share of people whose company, function or seniority changes within `weeks`
    /// weeks, for base hazard `h` and these `level_shares` (closed form over the mobility
    /// spread).
    fn share_changed(&self, level_shares: &[f64; LEVELS], h: f64, weeks: f64) -> f64 {
        let k = self.mobility_shape;
        level_shares
            .iter()
            .zip(&self.level_hazard)
            .map(|(s, m)| s * (1.0 - (1.0 + h * m * weeks / k).powf(-k)))
            .sum()
    }

    /// The weekly event hazard of each level (for a person of mean mobility, before the
    /// conversion to a probability) that meets `change_within_4_years` for a population
    /// with these `level_shares`.
    pub fn weekly_hazards(&self, level_shares: &[f64; LEVELS]) -> [f64; LEVELS] {
        let share_changed = |h: f64| -> f64 { self.share_changed(level_shares, h, FOUR_YEARS) };
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
        self.level_hazard.map(|m| h * m)
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
    /// Weekly hazard of each level for a person of mean mobility.
    weekly: [f64; LEVELS],
    /// Each person's mobility (mean 1).
    mobility: Vec<f32>,
    /// The largest weekly event probability anyone has.
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
    /// Careers for `pop`, calibrated with its configured `level_shares`: everyone's mobility
    /// and time with their current employer drawn from `rng`.
    pub fn new(
        config: &CareersConfig,
        level_shares: &[f64; LEVELS],
        pop: &Population,
        rng: &mut Stream,
    ) -> Self {
        let weekly = config.weekly_hazards(level_shares);
        let people = pop.len();
        let k = config.mobility_shape;
        let mobility: Vec<f32> = (0..people).map(|_| (gamma(k, rng) / k) as f32).collect();
        let top = mobility.iter().copied().fold(0.0f32, f32::max);
        let fastest = weekly.iter().copied().fold(0.0, f64::max) * f64::from(top);
        let mut careers = Self {
            config: config.clone(),
            weekly,
            mobility,
            max_weekly: 1.0 - (-fastest).exp(),
            changed: FixedBitSet::with_capacity(people),
            changed_count: 0,
            hired_at: vec![0; people],
            now: 0,
            tenures: Vec::new(),
        };
        // Stationary tenure: weeks since the last move to this employer are geometric with
        // the person's own weekly chance of moving company.
        let in_place = config.internal_promotion_share;
        for i in 0..people {
            let level = usize::from(pop.people.level[i]);
            let moves = if level + 1 < LEVELS && pop.companies.industry.len() >= 2 {
                1.0 - in_place
            } else {
                f64::from(u8::from(pop.companies.industry.len() >= 2))
            };
            let q = careers.probability(i, level) * moves;
            careers.hired_at[i] = if q <= 0.0 {
                i32::MIN / 2
            } else {
                let weeks = (open_unit(rng).ln() / (-q).ln_1p()).floor();
                -(weeks.min(f64::from(i32::MAX / 2)) as i32)
            };
        }
        careers
    }

    /// The weekly event probability of person `i` at `level`.
    fn probability(&self, i: usize, level: usize) -> f64 {
        1.0 - (-self.weekly[level] * f64::from(self.mobility[i])).exp()
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

    /// The weekly event hazard of each level for a person of mean mobility.
    pub fn weekly_hazards(&self) -> [f64; LEVELS] {
        self.weekly
    }

    /// One period of careers. Costs the number of events, not the number of people: it skips
    /// over people at the highest rate anyone has and thins by each person's own.
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
            if open_unit(rng) * self.max_weekly <= self.probability(p, level) {
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

/// A Gamma(`shape`, 1) draw (Marsaglia and Tsang; shapes below 1 boosted by U^(1/shape)).
fn gamma(shape: f64, rng: &mut Stream) -> f64 {
    if shape < 1.0 {
        return gamma(shape + 1.0, rng) * open_unit(rng).powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        // A standard normal by Box-Muller.
        let z =
            (-2.0 * open_unit(rng).ln()).sqrt() * (std::f64::consts::TAU * open_unit(rng)).cos();
        let v = (1.0 + c * z).powi(3);
        if v > 0.0 && open_unit(rng).ln() < 0.5 * z * z + d - d * v + d * v.ln() {
            return d * v;
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
        let k = config.mobility_shape;
        let share: f64 = shares
            .iter()
            .zip(&weekly)
            .map(|(s, h)| s * (1.0 - (1.0 + h * FOUR_YEARS / k).powf(-k)))
            .sum();
        assert!((share - 0.40).abs() < 1e-9, "{share}");
        assert!(weekly[0] > weekly[4], "juniors move more");
    }

    #[test]
    fn mobility_has_mean_one_and_the_configured_spread() {
        let mut rng = stream(4, Subsystem::Careers, 0);
        for k in [0.6, 3.0] {
            let draws: Vec<f64> = (0..200_000).map(|_| gamma(k, &mut rng) / k).collect();
            let mean = draws.iter().sum::<f64>() / draws.len() as f64;
            let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / draws.len() as f64;
            assert!((mean - 1.0).abs() < 0.01, "k {k}: mean {mean}");
            assert!((var - 1.0 / k).abs() < 0.03 / k, "k {k}: variance {var}");
        }
    }

    /// 208 weeks of careers for 20k people: (changed after 52 weeks, after 208, movers,
    /// movers who changed function, median tenure in weeks at the start and the end).
    fn four_years(config: &CareersConfig) -> (f64, f64, usize, u32, f64, f64) {
        let pop_config = PopulationConfig {
            people: 20_000,
            companies: 1_000,
            ..Default::default()
        };
        let mut rng = stream(5, Subsystem::Population, 0);
        let mut pop = Population::draw(&pop_config, &mut rng).unwrap();
        let mut careers = Careers::new(
            config,
            &pop_config.level_shares,
            &pop,
            &mut stream(5, Subsystem::Careers, 0),
        );
        let mut events = CareerEvents::default();
        let (mut moves, mut function_changes, mut year) = (0, 0, 0.0);
        let tenure_start = careers.tenure_median_weeks();
        for week in 1..=208 {
            let mut rng = stream(5, Subsystem::Careers, week);
            careers.step(&mut pop, &mut rng, &mut events);
            moves += events.movers.len();
            function_changes += events.function_changers;
            if week == 52 {
                year = f64::from(careers.changed_count) / 20_000.0;
            }
        }
        crate::market::population::tests::assert_consistent(&pop);
        assert_eq!(
            careers.changed_count as usize,
            careers.changed.count_ones(..)
        );
        let four = f64::from(careers.changed_count) / 20_000.0;
        let tenure_end = careers.tenure_median_weeks();
        (
            year,
            four,
            moves,
            function_changes,
            tenure_start,
            tenure_end,
        )
    }

    #[test]
    fn simulated_careers_meet_the_published_shares() {
        let (year, four, moves, function_changes, start, end) =
            four_years(&CareersConfig::default());
        // Binomial s.e. at n = 20k is 0.0035; the population's level mix adds a little more.
        assert!((four - 0.40).abs() < 0.015, "4 years: {four}");
        assert!((0.15..=0.17).contains(&year), "1 year: {year}");
        let with_function = f64::from(function_changes) / moves as f64;
        assert!((with_function - 0.33).abs() < 0.03, "{with_function}");
        // Tenure starts stationary: its median does not drift over the run.
        assert!(
            start > 52.0 && (end - start).abs() < 0.1 * start,
            "{start} -> {end}"
        );
    }

    #[test]
    fn everyone_alike_gives_the_memoryless_share_in_a_year() {
        let config = CareersConfig {
            mobility_shape: 1e6,
            ..Default::default()
        };
        let (year, four, ..) = four_years(&config);
        assert!((four - 0.40).abs() < 0.015, "4 years: {four}");
        assert!((year - 0.121).abs() < 0.01, "1 year: {year}");
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
