//! Buying committees: who at a company with an open need takes part in the decision.
//!
//! A committee forms when a need arises. Its size is drawn around a mean that grows with
//! company size (mid-size companies: 6 to 10 people), or fixed by configuration. Members are
//! drawn from the company's current employees without replacement, with weight
//! relevance(function) x weight(seniority), so it is not always the obvious person. Each
//! period members may drop out and new ones, recent hires included, may join; a person who
//! changes company leaves the committee. A committee dissolves when its need ends.

use crate::check::{self, Range, UNIT};
use crate::errors::{Error, Result};
use crate::market::population::{LEVELS, Population};
use crate::rng::{Stream, open_unit};
use fixedbitset::FixedBitSet;
use serde::{Deserialize, Serialize};

/// How committees form and change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CommitteesConfig {
    /// Mean committee size at a company of `reference_employees` (buying-group surveys: 6-10).
    pub mean_size: f64,
    /// Company size at which the mean committee size is `mean_size`.
    pub reference_employees: f64,
    /// How the mean size grows with company size: mean_size * (employees / reference)^this.
    pub size_elasticity: f64,
    /// If set, every committee has exactly this many members (or the whole company if smaller).
    pub fixed_size: Option<u32>,
    /// Relevance of each function to the purchase (weight when drawing members).
    pub function_relevance: Vec<f64>,
    /// Weight of each seniority level when drawing members, junior first.
    pub level_weight: [f64; LEVELS],
    /// Weekly probability that a member drops out. New members join at the rate that keeps
    /// the committee's expected size where it formed (dropout x target size per week).
    pub dropout_weekly: f64,
    /// If true, members are the company's most influential employees (relevance x seniority,
    /// ties broken at random) instead of a weighted draw: the "obvious" decision makers a
    /// precision marketer assumes.
    pub most_influential: bool,
}

impl Default for CommitteesConfig {
    fn default() -> Self {
        Self {
            mean_size: 8.0,
            reference_employees: 100.0,
            size_elasticity: 0.3,
            fixed_size: None,
            // Sales, marketing, IT, finance, operations, HR, product/engineering, executive.
            function_relevance: vec![0.6, 1.0, 1.5, 1.0, 0.8, 0.4, 1.2, 1.5],
            level_weight: [0.3, 0.7, 1.0, 1.5, 2.0],
            dropout_weekly: 0.02,
            most_influential: false,
        }
    }
}

impl CommitteesConfig {
    /// Checks every field against a population with `functions` functions.
    pub fn validate(&self, functions: usize) -> Result<()> {
        check::real("mean_size", self.mean_size, Range::Positive)?;
        check::real(
            "reference_employees",
            self.reference_employees,
            Range::Positive,
        )?;
        check::real(
            "size_elasticity",
            self.size_elasticity,
            Range::Closed(0.0, 2.0),
        )?;
        if self.fixed_size == Some(0) {
            return Err(Error::out_of_range("fixed_size", 0, "at least 1, or None"));
        }
        check::length(
            "function_relevance",
            functions,
            self.function_relevance.len(),
            "one relevance per function",
        )?;
        check::weights("function_relevance", &self.function_relevance)?;
        check::weights("level_weight", &self.level_weight)?;
        check::real("dropout_weekly", self.dropout_weekly, UNIT)
    }
}

/// The open committees of every company, and who sits on one.
#[derive(Clone, Debug)]
pub struct Committees {
    config: CommitteesConfig,
    /// Members of each company's committee (empty when it has no open need).
    members: Vec<Vec<u32>>,
    /// People on a committee (always at their current employer).
    seated: FixedBitSet,
    /// Scratch for drawing members: (key, person).
    keys: Vec<(f64, u32)>,
    /// The period in which each person last joined a committee.
    joined: Vec<u32>,
    /// The current period, stamped on new members.
    now: u32,
}

impl Committees {
    /// No committees yet, for `companies` companies and `people` people.
    pub fn new(config: &CommitteesConfig, companies: usize, people: usize) -> Self {
        Self {
            config: config.clone(),
            members: vec![Vec::new(); companies],
            seated: FixedBitSet::with_capacity(people),
            keys: Vec::new(),
            joined: vec![0; people],
            now: 0,
        }
    }

    /// The members of company `c`'s committee.
    pub fn members(&self, c: u32) -> &[u32] {
        &self.members[c as usize]
    }

    /// Sets the period that new members are stamped with.
    pub fn set_period(&mut self, period: u32) {
        self.now = period;
    }

    /// The period in which person `p` last joined a committee (meaningful while seated).
    pub fn joined_at(&self, p: u32) -> u32 {
        self.joined[p as usize]
    }

    /// Whether person `p` sits on a committee.
    pub fn is_seated(&self, p: u32) -> bool {
        self.seated.contains(p as usize)
    }

    /// The expected committee size at a company of `employees`.
    fn target_size(&self, employees: usize) -> f64 {
        match self.config.fixed_size {
            Some(k) => f64::from(k),
            None => {
                let scale = (employees as f64 / self.config.reference_employees)
                    .powf(self.config.size_elasticity);
                (self.config.mean_size * scale).max(1.0)
            }
        }
    }

    /// A committee for company `c`, whose need has just arisen.
    pub fn form(&mut self, pop: &Population, c: u32, rng: &mut Stream) {
        let employees = pop.companies.employees[c as usize].len();
        let size = match self.config.fixed_size {
            Some(k) => k as usize,
            None => 1 + poisson(self.target_size(employees) - 1.0, rng),
        };
        self.recruit(pop, c, size.min(employees), rng);
    }

    /// Gives company `c`'s committee a member if it has none (its members moved away), so a
    /// need that comes to a decision has someone to decide. False if nobody is eligible.
    pub fn staff(&mut self, pop: &Population, c: u32, rng: &mut Stream) -> bool {
        if self.members[c as usize].is_empty() {
            self.recruit(pop, c, 1, rng);
        }
        !self.members[c as usize].is_empty()
    }

    /// Adds up to `k` members to company `c`'s committee from employees not yet on it, by
    /// weighted sampling without replacement (Efraimidis-Spirakis: the k largest U^(1/w)).
    fn recruit(&mut self, pop: &Population, c: u32, k: usize, rng: &mut Stream) {
        if k == 0 {
            return;
        }
        let config = &self.config;
        self.keys.clear();
        for &p in &pop.companies.employees[c as usize] {
            if self.seated.contains(p as usize) {
                continue;
            }
            let w = config.function_relevance[usize::from(pop.people.function[p as usize])]
                * config.level_weight[usize::from(pop.people.level[p as usize])];
            if w > 0.0 {
                let u = open_unit(rng);
                // The most influential first, the draw only breaking ties.
                let key = if config.most_influential {
                    w + 1e-9 * u
                } else {
                    u.ln() / w
                };
                self.keys.push((key, p));
            }
        }
        let k = k.min(self.keys.len());
        if k == 0 {
            return;
        }
        // ln(U) / w is a monotone transform of U^(1/w): the k largest keys win.
        self.keys
            .select_nth_unstable_by(k - 1, |a, b| b.0.total_cmp(&a.0));
        for &(_, p) in &self.keys[..k] {
            self.seated.insert(p as usize);
            self.joined[p as usize] = self.now;
            self.members[c as usize].push(p);
        }
    }

    /// Dissolves company `c`'s committee (its need ended).
    pub fn dissolve(&mut self, c: u32) {
        for p in self.members[c as usize].drain(..) {
            self.seated.set(p as usize, false);
        }
    }

    /// Person `p` left company `from`: they leave its committee.
    pub fn leave(&mut self, p: u32, from: u32) {
        if self.seated.contains(p as usize) {
            let list = &mut self.members[from as usize];
            if let Some(i) = list.iter().position(|&m| m == p) {
                list.swap_remove(i);
            }
            self.seated.set(p as usize, false);
        }
    }

    /// One period of churn for the committees of `open` companies: dropouts, then joins at
    /// the rate that keeps the expected size stationary (a fixed-size committee replaces
    /// exactly who left); a committee that lost everyone recruits one member so the need
    /// keeps an owner.
    pub fn churn(&mut self, pop: &Population, open: &[u32], rng: &mut Stream) {
        for &c in open {
            let list = &mut self.members[c as usize];
            let mut i = 0;
            while i < list.len() {
                if open_unit(rng) <= self.config.dropout_weekly {
                    let p = list.swap_remove(i);
                    self.seated.set(p as usize, false);
                } else {
                    i += 1;
                }
            }
            let current = self.members[c as usize].len();
            let join = match self.config.fixed_size {
                // A fixed-size committee replaces whoever dropped out.
                Some(k) => (k as usize).saturating_sub(current),
                None => {
                    let employees = pop.companies.employees[c as usize].len();
                    poisson(
                        self.config.dropout_weekly * self.target_size(employees),
                        rng,
                    )
                }
            };
            self.recruit(pop, c, join.max(usize::from(current == 0)), rng);
        }
    }

    /// Number of people seated on committees.
    pub fn seated_count(&self) -> usize {
        self.seated.count_ones(..)
    }
}

/// A Poisson draw by inversion (fine for the small means of committee sizes).
fn poisson(mean: f64, rng: &mut Stream) -> usize {
    if mean <= 0.0 {
        return 0;
    }
    if mean > 500.0 {
        // Normal approximation far beyond any committee: keeps the loop bounded.
        let u1 = open_unit(rng);
        let u2 = open_unit(rng);
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        return (mean + z * mean.sqrt()).round().max(0.0) as usize;
    }
    let (mut k, mut p, mut cdf) = (0usize, (-mean).exp(), 0.0);
    let u = open_unit(rng);
    cdf += p;
    while u > cdf && k < 10_000 {
        k += 1;
        p *= mean / k as f64;
        cdf += p;
    }
    k
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::market::population::PopulationConfig;
    use crate::rng::{Subsystem, stream};

    fn population() -> Population {
        let config = PopulationConfig {
            people: 30_000,
            companies: 1_500,
            ..Default::default()
        };
        Population::draw(&config, &mut stream(3, Subsystem::Population, 0)).unwrap()
    }

    /// Every member works at the committee's company; the seated set is exactly the members.
    pub(crate) fn assert_members_work_there(pop: &Population, committees: &Committees) {
        let mut count = 0;
        for c in 0..pop.companies.industry.len() as u32 {
            for &p in committees.members(c) {
                assert_eq!(
                    pop.people.company[p as usize], c,
                    "member {p} works elsewhere"
                );
                assert!(committees.is_seated(p));
                count += 1;
            }
        }
        assert_eq!(count, committees.seated_count());
    }

    #[test]
    fn mid_size_companies_get_committees_of_six_to_ten() {
        let pop = population();
        let mut committees = Committees::new(&CommitteesConfig::default(), 1_500, 30_000);
        let mut rng = stream(3, Subsystem::Committees, 0);
        let mut sizes = Vec::new();
        for c in 0..1_500u32 {
            let employees = pop.companies.employees[c as usize].len();
            committees.form(&pop, c, &mut rng);
            if (50..=200).contains(&employees) {
                sizes.push(committees.members(c).len() as f64);
            }
        }
        assert_members_work_there(&pop, &committees);
        let mean = sizes.iter().sum::<f64>() / sizes.len() as f64;
        assert!(
            sizes.len() > 20 && (6.0..=10.0).contains(&mean),
            "{} mid-size, mean {mean}",
            sizes.len()
        );
        // Members lean towards relevant, senior people but are not only them.
        let seated: Vec<u32> = (0..30_000).filter(|&p| committees.is_seated(p)).collect();
        let senior = seated
            .iter()
            .filter(|&&p| pop.people.level[p as usize] >= 3)
            .count() as f64;
        let share = senior / seated.len() as f64;
        assert!(
            share > 0.14 && share < 0.9,
            "senior share on committees {share}"
        );
    }

    #[test]
    fn fixed_size_is_exact_and_capped_by_headcount() {
        let pop = population();
        let config = CommitteesConfig {
            fixed_size: Some(3),
            ..Default::default()
        };
        let mut committees = Committees::new(&config, 1_500, 30_000);
        let mut rng = stream(4, Subsystem::Committees, 0);
        for c in 0..1_500u32 {
            committees.form(&pop, c, &mut rng);
            let employees = pop.companies.employees[c as usize].len();
            assert_eq!(committees.members(c).len(), 3.min(employees));
        }
    }

    #[test]
    fn churn_and_dissolve_keep_membership_exact() {
        let pop = population();
        let config = CommitteesConfig {
            dropout_weekly: 0.3,
            ..Default::default()
        };
        let mut committees = Committees::new(&config, 1_500, 30_000);
        let mut rng = stream(5, Subsystem::Committees, 0);
        let open: Vec<u32> = (0..300).collect();
        for &c in &open {
            committees.form(&pop, c, &mut rng);
        }
        let before: Vec<Vec<u32>> = open
            .iter()
            .map(|&c| committees.members(c).to_vec())
            .collect();
        for _ in 0..20 {
            committees.churn(&pop, &open, &mut rng);
            assert_members_work_there(&pop, &committees);
            assert!(open.iter().all(|&c| !committees.members(c).is_empty()));
        }
        let changed = open
            .iter()
            .zip(&before)
            .filter(|(c, b)| committees.members(**c) != b.as_slice())
            .count();
        assert!(changed > 250, "membership changes during a decision");
        for &c in &open {
            committees.dissolve(c);
        }
        assert_eq!(committees.seated_count(), 0);
    }

    #[test]
    fn churn_keeps_mid_size_committees_at_their_size() {
        let pop = population();
        let mut committees = Committees::new(&CommitteesConfig::default(), 1_500, 30_000);
        let mut rng = stream(6, Subsystem::Committees, 0);
        let mid: Vec<u32> = (0..1_500u32)
            .filter(|&c| (50..=200).contains(&pop.companies.employees[c as usize].len()))
            .collect();
        for &c in &mid {
            committees.form(&pop, c, &mut rng);
        }
        for _ in 0..150 {
            committees.churn(&pop, &mid, &mut rng);
        }
        let mean = mid
            .iter()
            .map(|&c| committees.members(c).len() as f64)
            .sum::<f64>()
            / mid.len() as f64;
        assert!(
            (6.0..=10.0).contains(&mean),
            "after 150 weeks of churn: {mean}"
        );
    }

    #[test]
    fn bad_configs_name_the_field() {
        let d = CommitteesConfig::default;
        let name = |c: CommitteesConfig| match c.validate(8) {
            Err(Error::OutOfRange { name, .. } | Error::Length { name, .. }) => name,
            other => panic!("{other:?}"),
        };
        assert!(d().validate(8).is_ok());
        assert_eq!(
            name(CommitteesConfig {
                mean_size: 0.0,
                ..d()
            }),
            "mean_size"
        );
        assert_eq!(
            name(CommitteesConfig {
                fixed_size: Some(0),
                ..d()
            }),
            "fixed_size"
        );
        assert_eq!(
            name(CommitteesConfig {
                function_relevance: vec![1.0; 3],
                ..d()
            }),
            "function_relevance"
        );
        assert_eq!(
            name(CommitteesConfig {
                level_weight: [0.0; LEVELS],
                ..d()
            }),
            "level_weight"
        );
        assert_eq!(
            name(CommitteesConfig {
                dropout_weekly: 1.5,
                ..d()
            }),
            "dropout_weekly"
        );
    }
}
