//! People and the companies they work for.
//!
//! Company sizes are heavy-tailed (Pareto weights): most companies are small, a few employ
//! thousands. Every company belongs to one industry. Every person works for exactly one
//! company and has a function, a seniority level and a latent creative taste that marketers
//! cannot see. Arrays are laid out per attribute (struct of arrays) so each mechanism touches
//! only what it reads.

use crate::check::{self, Range};
use crate::errors::{Error, Result, try_filled};
use crate::rng::{Stream, open_unit};
use serde::{Deserialize, Serialize};

/// Seniority levels, junior (0) to executive (`LEVELS - 1`).
pub const LEVELS: usize = 5;

/// How to draw a population.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PopulationConfig {
    /// Number of people.
    pub people: u32,
    /// Number of companies (at most `people`: every company employs someone at the start).
    pub companies: u32,
    /// Number of industries.
    pub industries: u16,
    /// Share of people in each function (sums to 1).
    pub function_shares: Vec<f64>,
    /// Share of people at each seniority level, junior first (sums to 1).
    pub level_shares: [f64; LEVELS],
    /// Pareto tail index of company size weights; smaller is more unequal (1.0–3.0 typical).
    pub size_tail: f64,
}

impl Default for PopulationConfig {
    fn default() -> Self {
        Self {
            people: 100_000,
            companies: 5_000,
            industries: 12,
            // Sales, marketing, IT, finance, operations, HR, product/engineering, executive office.
            function_shares: vec![0.18, 0.10, 0.14, 0.10, 0.20, 0.06, 0.17, 0.05],
            level_shares: [0.38, 0.30, 0.18, 0.10, 0.04],
            size_tail: 1.2,
        }
    }
}

impl PopulationConfig {
    /// Checks every field; errors name the field and the allowed range.
    pub fn validate(&self) -> Result<()> {
        if self.people < 1 {
            return Err(Error::out_of_range("people", self.people, "at least 1"));
        }
        if self.companies < 1 || self.companies > self.people {
            return Err(Error::out_of_range(
                "companies",
                self.companies,
                format!("in [1, people] = [1, {}]", self.people),
            ));
        }
        if self.industries < 1 || u32::from(self.industries) > self.companies {
            return Err(Error::out_of_range(
                "industries",
                self.industries,
                format!("in [1, companies] = [1, {}]", self.companies),
            ));
        }
        check::shares("function_shares", &self.function_shares)?;
        if self.function_shares.len() > usize::from(u8::MAX) {
            return Err(Error::out_of_range(
                "function_shares",
                self.function_shares.len(),
                "at most 255 functions",
            ));
        }
        check::shares("level_shares", &self.level_shares)?;
        // Below ~0.2 Pareto weights overflow to infinity and one company takes every hire.
        check::real("size_tail", self.size_tail, Range::AtLeast(0.2))
    }
}

/// Draws an index with probability proportional to `cumulative` increments.
#[inline]
pub(crate) fn pick(cumulative: &[f64], rng: &mut Stream) -> usize {
    let total = cumulative[cumulative.len() - 1];
    let x = open_unit(rng) * total;
    cumulative
        .partition_point(|&c| c < x)
        .min(cumulative.len() - 1)
}

fn cumulate(weights: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    weights
        .into_iter()
        .map(|w| {
            acc += w;
            acc
        })
        .collect()
}

/// Companies: industry and the weight that sets their share of hires (their size).
#[derive(Clone, Debug)]
pub struct Companies {
    /// Industry of each company.
    pub industry: Vec<u16>,
    /// The companies of each industry, and cumulative size weights over them, so a hire
    /// within an industry lands in proportion to company size.
    pub by_industry: Vec<(Vec<u32>, Vec<f64>)>,
    /// Cumulative size weights over all companies.
    pub cumulative_weight: Vec<f64>,
    /// Current employees of each company (unordered).
    pub employees: Vec<Vec<u32>>,
}

/// People: where they work and what they do.
#[derive(Clone, Debug)]
pub struct People {
    /// Current employer.
    pub company: Vec<u32>,
    /// Position of the person in their employer's `employees` list.
    pub slot: Vec<u32>,
    /// Function (index into the configured functions).
    pub function: Vec<u8>,
    /// Seniority level, 0 = junior.
    pub level: Vec<u8>,
    /// Latent creative taste in [0, 1): unknown to marketers.
    pub taste: Vec<f32>,
}

/// Everyone in the market.
#[derive(Clone, Debug)]
pub struct Population {
    pub people: People,
    pub companies: Companies,
    /// Cumulative function shares, for drawing a new function.
    pub function_cumulative: Vec<f64>,
}

impl Population {
    /// Draws a population from `rng`. The config must have been validated.
    pub fn draw(config: &PopulationConfig, rng: &mut Stream) -> Result<Self> {
        let (n, m) = (config.people as usize, config.companies as usize);
        // Pareto(tail) weights: inverse CDF of U in (0, 1].
        let weights: Vec<f64> = (0..m)
            .map(|_| open_unit(rng).powf(-1.0 / config.size_tail))
            .collect();
        let industry: Vec<u16> = (0..m)
            .map(|c| {
                // Every industry gets at least one company, the rest are uniform.
                if c < usize::from(config.industries) {
                    c as u16
                } else {
                    (open_unit(rng) * f64::from(config.industries)).ceil() as u16 - 1
                }
            })
            .collect();
        let cumulative_weight = cumulate(weights.iter().copied());
        let mut by_industry: Vec<(Vec<u32>, Vec<f64>)> =
            vec![(Vec::new(), Vec::new()); usize::from(config.industries)];
        for (c, &ind) in industry.iter().enumerate() {
            by_industry[usize::from(ind)].0.push(c as u32);
        }
        for (members, cumulative) in &mut by_industry {
            *cumulative = cumulate(members.iter().map(|&c| weights[c as usize]));
        }
        let function_cumulative = cumulate(config.function_shares.iter().copied());
        let level_cumulative = cumulate(config.level_shares.iter().copied());

        let mut company = try_filled(n, 0u32, "people's employers")?;
        let mut slot = try_filled(n, 0u32, "people's slots")?;
        let mut employees: Vec<Vec<u32>> = vec![Vec::new(); m];
        for (p, (c, s)) in company.iter_mut().zip(slot.iter_mut()).enumerate() {
            // The first m people found one company each, so none starts empty.
            let chosen = if p < m {
                p
            } else {
                pick(&cumulative_weight, rng)
            };
            *c = chosen as u32;
            *s = employees[chosen].len() as u32;
            employees[chosen].push(p as u32);
        }
        let function = (0..n)
            .map(|_| pick(&function_cumulative, rng) as u8)
            .collect();
        let level = (0..n).map(|_| pick(&level_cumulative, rng) as u8).collect();
        let taste = (0..n)
            .map(|_| (open_unit(rng) as f32).min(0.999_999))
            .collect();
        Ok(Self {
            people: People {
                company,
                slot,
                function,
                level,
                taste,
            },
            companies: Companies {
                industry,
                by_industry,
                cumulative_weight,
                employees,
            },
            function_cumulative,
        })
    }

    /// Moves person `p` to company `to`, keeping every employee list exact.
    pub fn transfer(&mut self, p: u32, to: u32) {
        let people = &mut self.people;
        let from = people.company[p as usize] as usize;
        let slot = people.slot[p as usize] as usize;
        let list = &mut self.companies.employees[from];
        list.swap_remove(slot);
        if let Some(&moved) = list.get(slot) {
            people.slot[moved as usize] = slot as u32;
        }
        let dest = &mut self.companies.employees[to as usize];
        people.slot[p as usize] = dest.len() as u32;
        people.company[p as usize] = to;
        dest.push(p);
    }

    /// Number of people.
    pub fn len(&self) -> usize {
        self.people.company.len()
    }

    /// Whether there is nobody (never, for a validated config).
    pub fn is_empty(&self) -> bool {
        self.people.company.is_empty()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::rng::{Subsystem, stream};

    /// Every person is listed exactly once, by their own employer, at their own slot.
    pub(crate) fn assert_consistent(pop: &Population) {
        let mut seen = vec![false; pop.len()];
        for (c, list) in pop.companies.employees.iter().enumerate() {
            for (s, &p) in list.iter().enumerate() {
                assert!(!seen[p as usize], "person {p} listed twice");
                seen[p as usize] = true;
                assert_eq!(pop.people.company[p as usize] as usize, c);
                assert_eq!(pop.people.slot[p as usize] as usize, s);
            }
        }
        assert!(seen.iter().all(|&s| s), "someone works nowhere");
    }

    #[test]
    fn populations_are_consistent_and_heavy_tailed() {
        let config = PopulationConfig::default();
        config.validate().unwrap();
        let pop = Population::draw(&config, &mut stream(1, Subsystem::Graph, 0)).unwrap();
        assert_eq!(pop.len(), 100_000);
        assert_consistent(&pop);
        let mut sizes: Vec<usize> = pop.companies.employees.iter().map(Vec::len).collect();
        sizes.sort_unstable();
        assert!(sizes[0] >= 1);
        let median = sizes[sizes.len() / 2];
        assert!(
            *sizes.last().unwrap() > 50 * median,
            "heavy tail: max {} median {median}",
            sizes.last().unwrap()
        );
        let juniors = pop.people.level.iter().filter(|&&l| l == 0).count() as f64 / 1e5;
        assert!((juniors - 0.38).abs() < 0.01);
    }

    #[test]
    fn transfers_keep_the_lists_exact() {
        let config = PopulationConfig {
            people: 500,
            companies: 20,
            industries: 3,
            ..Default::default()
        };
        let mut rng = stream(2, Subsystem::Graph, 0);
        let mut pop = Population::draw(&config, &mut rng).unwrap();
        for i in 0..5_000u32 {
            let p = crate::rng::below(&mut rng, 500) as u32;
            pop.transfer(p, i % 20);
        }
        assert_consistent(&pop);
    }

    #[test]
    fn bad_configs_name_the_field() {
        let bad = |c: PopulationConfig| match c.validate() {
            Err(Error::OutOfRange { name, .. }) => name,
            other => panic!("{other:?}"),
        };
        let d = PopulationConfig::default;
        assert_eq!(bad(PopulationConfig { people: 0, ..d() }), "people");
        assert_eq!(
            bad(PopulationConfig {
                companies: 200_000,
                ..d()
            }),
            "companies"
        );
        assert_eq!(
            bad(PopulationConfig {
                industries: 0,
                ..d()
            }),
            "industries"
        );
        assert_eq!(
            bad(PopulationConfig {
                function_shares: vec![0.5, 0.6],
                ..d()
            }),
            "function_shares"
        );
        assert_eq!(
            bad(PopulationConfig {
                level_shares: [1.0, 0.0, 0.0, 0.0, f64::NAN],
                ..d()
            }),
            "level_shares"
        );
        assert_eq!(
            bad(PopulationConfig {
                size_tail: 0.0,
                ..d()
            }),
            "size_tail"
        );
    }
}
