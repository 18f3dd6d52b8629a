//! Word of mouth: shared creative and customers' endorsements, spreading over the network
//! as independent cascades within a period (each tie passes it on once, with a probability
//! proportional to the tie's weight).

use crate::check::{self, UNIT};
use crate::control::Never;
use crate::errors::Result;
use crate::graph::cascade::{Seeds, Transmission, Workspace};
use crate::graph::csr::Graph;
use crate::market::customers::Customers;
use crate::market::population::Population;
use crate::rng::{GeometricSkip, Stream};
use serde::{Deserialize, Serialize};

/// How customers endorse the brands they buy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReferralsConfig {
    /// Weekly probability that someone at a customer endorses its brand to their ties.
    pub refer_weekly: f64,
    /// Probability that a tie of weight 1 passes an endorsement on.
    pub pass_rate: f64,
    /// Share of the gap to full liking that being endorsed to closes.
    pub trust_lift: f64,
}

impl Default for ReferralsConfig {
    fn default() -> Self {
        Self {
            refer_weekly: 0.005,
            // Subcritical on the default network (mean weight ~0.7, degree ~20): an
            // endorsement reaches a handful of people, not the whole market.
            pass_rate: 0.05,
            trust_lift: 0.3,
        }
    }
}

impl ReferralsConfig {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        for (name, x) in [
            ("refer_weekly", self.refer_weekly),
            ("pass_rate", self.pass_rate),
            ("trust_lift", self.trust_lift),
        ] {
            check::real(name, x, UNIT)?;
        }
        Ok(())
    }
}

/// Spreads word of mouth over one graph.
pub struct Spreader {
    workspace: Workspace,
    seeds: Vec<u32>,
    max_weight: f32,
}

impl Spreader {
    /// A spreader for `graph` (its largest weight is read once here).
    pub fn new(graph: &Graph) -> Self {
        let max_weight = graph
            .weights()
            .map_or(1.0, |w| w.iter().copied().fold(0.0f32, f32::max));
        Self {
            workspace: Workspace::new(graph.n_nodes()),
            seeds: Vec::new(),
            max_weight,
        }
    }

    /// How ties of `graph` pass something on when a tie of weight 1 does with probability
    /// `pass`.
    pub fn transmission<'g>(&self, graph: &'g Graph, pass: f64) -> Transmission<'g> {
        match graph.weights() {
            Some(weights) => Transmission::Weighted {
                weights,
                scale: pass,
                max_weight: self.max_weight,
            },
            None => Transmission::Uniform(pass.min(1.0)),
        }
    }

    /// Spreads from `seeds` (duplicates allowed) with each tie passing it on with probability
    /// `pass` x its weight; returns the people reached beyond the seeds, and the number of
    /// distinct seeds.
    pub fn spread(
        &mut self,
        graph: &Graph,
        seeds: &[u32],
        pass: f64,
        rng: &mut Stream,
    ) -> (&[u32], usize) {
        self.seeds.clear();
        self.seeds.extend_from_slice(seeds);
        self.seeds.sort_unstable();
        self.seeds.dedup();
        let k = self.seeds.len();
        if k == 0 {
            return (&[], 0);
        }
        let transmission = self.transmission(graph, pass);
        let seeds = Seeds::Nodes(std::mem::take(&mut self.seeds));
        // Cannot fail: the seeds are people of this graph and the run is never interrupted.
        let _ = self
            .workspace
            .run(graph, &seeds, transmission, rng, None, &Never);
        if let Seeds::Nodes(v) = seeds {
            self.seeds = v;
        }
        (&self.workspace.activated()[k..], k)
    }
}

/// The people at brand `brand`'s customers who endorse it this period, into `out`. Costs the
/// customers plus the endorsers (skips over each customer's employees).
pub fn endorsers(
    config: &ReferralsConfig,
    customers: &Customers,
    pop: &Population,
    brand: usize,
    rng: &mut Stream,
    out: &mut Vec<u32>,
) {
    out.clear();
    if config.refer_weekly <= 0.0 {
        return;
    }
    let skip = GeometricSkip::new(config.refer_weekly);
    let mut companies: Vec<u32> = customers
        .active()
        .iter()
        .copied()
        .filter(|&c| customers.brand_of(c) == Some(brand))
        .collect();
    // The active list's order depends on other brands' wins: sort, so this brand's draws
    // depend on its own customers only.
    companies.sort_unstable();
    for c in companies {
        let employees = &pop.companies.employees[c as usize];
        let mut i = 0usize;
        loop {
            i = i.saturating_add(skip.sample(rng) as usize);
            if i >= employees.len() {
                break;
            }
            out.push(employees[i]);
            i += 1;
        }
    }
}
