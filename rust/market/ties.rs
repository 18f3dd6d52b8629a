//! The professional network: who knows whom.
//!
//! Ties form with homophily: most are between colleagues, many between people in the same
//! industry or the same function, and some are random long-range ties that bridge clusters.
//! Each tie carries the weight of its kind (a strong colleague tie passes more on than a
//! loose acquaintance), stored as the graph's edge weight. Ties are made once, at the start,
//! and persist when people change jobs: "colleague" later means whoever shares your current
//! employer, not this graph.

use crate::check::{self, UNIT};
use crate::errors::{Error, Result};
use crate::graph::csr::{EdgeSource, Graph};
use crate::market::population::{Population, pick};
use crate::rng::{Stream, below};
use serde::{Deserialize, Serialize};

/// The kinds of tie, in the order of [`NetworkConfig::mix`] and [`NetworkConfig::weights`].
pub const TIE_KINDS: [&str; 4] = ["colleague", "industry", "function", "random"];

/// How the professional network is generated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkConfig {
    /// Mean number of ties per person.
    pub mean_degree: f64,
    /// Share of ties of each kind: colleague, same industry, same function, random.
    pub mix: [f64; 4],
    /// Weight (tie strength) of each kind, in [0, 1].
    pub weights: [f64; 4],
}

impl Default for NetworkConfig {
    fn default() -> Self {
        Self {
            mean_degree: 20.0,
            mix: [0.45, 0.25, 0.15, 0.15],
            weights: [1.0, 0.6, 0.5, 0.3],
        }
    }
}

impl NetworkConfig {
    /// Checks every field for a population of `people`.
    pub fn validate(&self, people: u32) -> Result<()> {
        let max = f64::from(people.saturating_sub(1));
        if !(0.0..=max.min(1e4)).contains(&self.mean_degree) {
            return Err(Error::out_of_range(
                "mean_degree",
                self.mean_degree,
                format!("in [0, min(people - 1, 10000)] = [0, {}]", max.min(1e4)),
            ));
        }
        check::shares("mix", &self.mix)?;
        check::each("weights", &self.weights, UNIT)
    }
}

/// Draws the network for `pop`: about `mean_degree * people / 2` distinct ties (duplicates
/// and self-ties are dropped, so the realized mean degree is a little lower in small
/// companies). A tie drawn twice keeps its strongest kind.
///
/// The ties are drawn twice from the same stream (count, then fill the CSR directly), so
/// peak memory is the graph plus a few bytes per person, with no list of ties.
pub fn professional_network(
    pop: &Population,
    config: &NetworkConfig,
    rng: &mut Stream,
) -> Result<Graph> {
    let n = pop.len();
    let industries = pop.companies.by_industry.len();
    let functions = pop.function_cumulative.len();
    // Per-industry and per-function people, to draw a same-industry or same-function tie.
    let mut by_industry: Vec<Vec<u32>> = vec![Vec::new(); industries];
    let mut by_function: Vec<Vec<u32>> = vec![Vec::new(); functions];
    for p in 0..n {
        let c = pop.people.company[p] as usize;
        by_industry[usize::from(pop.companies.industry[c])].push(p as u32);
        by_function[usize::from(pop.people.function[p])].push(p as u32);
    }
    let ties = TieDraws {
        pop,
        by_industry,
        by_function,
        mix_cumulative: config
            .mix
            .iter()
            .scan(0.0, |acc, m| {
                *acc += m;
                Some(*acc)
            })
            .collect(),
        strength: config.weights.map(|w| w as f32), // stored as f32, like every edge weight
        wanted: (config.mean_degree * n as f64 / 2.0).round() as usize,
        start: rng.clone(),
    };
    let mut graph = Graph::build(n as u32, false, &ties, true)?;
    graph.dedup_keep_heaviest();
    Ok(graph)
}

/// Ties drawn by kind, replayed identically from `start` on every visit.
struct TieDraws<'a> {
    pop: &'a Population,
    by_industry: Vec<Vec<u32>>,
    by_function: Vec<Vec<u32>>,
    mix_cumulative: Vec<f64>,
    strength: [f32; 4],
    wanted: usize,
    start: Stream,
}

impl EdgeSource for TieDraws<'_> {
    fn visit(&self, mut f: impl FnMut(u32, u32, f32)) {
        let (pop, n) = (self.pop, self.pop.len());
        if n < 2 {
            return;
        }
        let mut rng = self.start.clone();
        for _ in 0..self.wanted {
            let u = below(&mut rng, n as u64) as u32;
            let kind = pick(&self.mix_cumulative, &mut rng);
            let company = pop.people.company[u as usize] as usize;
            let pool: &[u32] = match kind {
                0 => &pop.companies.employees[company],
                1 => &self.by_industry[usize::from(pop.companies.industry[company])],
                2 => &self.by_function[usize::from(pop.people.function[u as usize])],
                _ => &[],
            };
            let v = if kind == 3 {
                below(&mut rng, n as u64) as u32
            } else {
                pool[below(&mut rng, pool.len() as u64) as usize]
            };
            if u != v {
                f(u, v, self.strength[kind]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::population::PopulationConfig;
    use crate::rng::{Subsystem, stream};

    fn market() -> Population {
        let config = PopulationConfig {
            people: 20_000,
            companies: 1_000,
            ..Default::default()
        };
        Population::draw(&config, &mut stream(8, Subsystem::Population, 0)).unwrap()
    }

    #[test]
    fn ties_are_homophilous_simple_and_weighted_by_kind() {
        let pop = market();
        let config = NetworkConfig::default();
        let g = professional_network(&pop, &config, &mut stream(8, Subsystem::Network, 0)).unwrap();
        let mean = g.n_stored() as f64 / 20_000.0;
        assert!((17.0..=20.0).contains(&mean), "mean degree {mean}");
        let (mut colleague, mut same_industry) = (0usize, 0usize);
        for u in 0..g.n_nodes() {
            let adj = g.neighbors(u);
            assert!(
                adj.windows(2).all(|w| w[0] < w[1]) && !adj.contains(&u),
                "simple graph"
            );
            let cu = pop.people.company[u as usize];
            for &v in adj {
                let cv = pop.people.company[v as usize];
                colleague += usize::from(cu == cv);
                same_industry += usize::from(
                    pop.companies.industry[cu as usize] == pop.companies.industry[cv as usize],
                );
            }
        }
        let stored = g.n_stored() as f64;
        // Random ties alone would make colleagues ~0.3% of ties; the mix asks for 45%.
        assert!(
            colleague as f64 / stored > 0.35,
            "colleague share {}",
            colleague as f64 / stored
        );
        assert!(same_industry as f64 / stored > 0.6);
        let w = g.weights().unwrap();
        assert!(
            w.iter()
                .all(|x| config.weights.iter().any(|&k| k as f32 == *x))
        );
        assert_eq!(
            g,
            professional_network(&pop, &config, &mut stream(8, Subsystem::Network, 0)).unwrap()
        );
    }

    #[test]
    fn bad_configs_name_the_field() {
        let d = NetworkConfig::default;
        let name = |c: NetworkConfig| match c.validate(100) {
            Err(Error::OutOfRange { name, .. }) => name,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            name(NetworkConfig {
                mean_degree: 200.0,
                ..d()
            }),
            "mean_degree"
        );
        assert_eq!(
            name(NetworkConfig {
                mix: [0.5, 0.5, 0.5, 0.0],
                ..d()
            }),
            "mix"
        );
        assert_eq!(
            name(NetworkConfig {
                weights: [1.5, 0.0, 0.0, 0.0],
                ..d()
            }),
            "weights"
        );
    }
}
