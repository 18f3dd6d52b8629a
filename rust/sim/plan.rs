//! A plan: everything one engine call runs. A market, one set of strategies per arm
//! (alternative), periods, replicates, a seed, optionally the user's network, and which
//! metrics to record. Every arm of replicate r runs on the same draws of the market.

use crate::errors::{Error, Result, Segment};
use crate::graph::csr::Graph;
use crate::market::MarketConfig;
use crate::marketing::strategy::{Strategy, Targeting};
use crate::sim::record::{self, METRICS};
use std::sync::Arc;

/// What to run.
#[derive(Clone, Debug)]
pub struct Plan {
    pub market: MarketConfig,
    /// Per arm, each brand's campaigns (its media plan; empty: the brand is dark).
    pub arms: Vec<Vec<Vec<Strategy>>>,
    pub periods: u32,
    pub replicates: u32,
    pub seed: u64,
    /// The user's network (one node per person), shared by every replicate; None draws a
    /// professional network per replicate.
    pub network: Option<Arc<Graph>>,
    /// Which metrics of the catalogue to record, one flag each in catalogue order (None:
    /// all). Measures behind metrics not recorded are not computed.
    pub metrics: Option<Vec<bool>>,
    /// Per arm, a selection like `metrics` that replaces it for that arm (None, or an arm
    /// past the end: `metrics`). A response curve's extra budgets record only what the
    /// curve reads, and skip the measures behind the rest.
    pub arm_metrics: Vec<Option<Vec<bool>>>,
}

impl Plan {
    /// One arm of `strategies`, every metric (what the tests run).
    #[cfg(test)]
    pub fn single(
        market: MarketConfig,
        strategies: Vec<Vec<Strategy>>,
        periods: u32,
        replicates: u32,
        seed: u64,
    ) -> Self {
        Self::new(market, vec![strategies], periods, replicates, seed)
    }

    /// Whether arm `arm` records metric `i` of the catalogue.
    pub fn records(&self, arm: usize, i: usize) -> bool {
        match self.arm_metrics.get(arm) {
            Some(Some(w)) => w[i],
            _ => self.metrics.as_ref().is_none_or(|w| w[i]),
        }
    }

    /// A rough peak of the memory this plan needs on `threads` threads, in bytes: the
    /// network and people of each replicate in flight, each arm's state in flight (memory
    /// and attitude per person and brand, audiences and reach per advertising brand), and
    /// the metric buffers. Sized from the engine's data structures; `benches/estimate.py`
    /// holds it against measured peaks.
    pub fn estimate_bytes(&self, threads: usize) -> u64 {
        let people = f64::from(self.market.population.people);
        let brands = self.market.brands.count();
        // Offsets per person, then a target and a weight per stored tie end.
        let network = if self.network.is_some() {
            0.0
        } else {
            people * (8.0 + 8.0 * self.market.network.mean_degree)
        };
        // Company, function, level, taste, place among the employees, employee lists.
        let population = people * 24.0;
        let arm_state = |arm: &[Vec<Strategy>]| {
            let advertising = arm.iter().flatten().count() as f64;
            let seeding = arm
                .iter()
                .flatten()
                .filter(|s| matches!(s.targeting, Targeting::Seeding { .. }))
                .count() as f64;
            // Careers, committee seats, spreading workspace; ad-stock, long-term memory,
            // familiarity, attitude and disposition per brand; audience and reach history per
            // advertising brand; the reverse-reachable sets a seeding campaign keeps (measured
            // 420-540 B per person on the default network and pass rate, for 100 to 1,000
            // seeds; a more contagious creative or network needs more).
            population
                + people * (24.0 + 14.0 * brands as f64 + 24.0 * advertising + 600.0 * seeding)
        };
        let largest_arm = self.arms.iter().map(|a| arm_state(a)).fold(0.0, f64::max);
        let replicates = self.replicates as usize;
        let starts = threads.min(replicates).max(1) as f64;
        let arms_in_flight = threads.min(replicates * self.arms.len()).max(1) as f64;
        let width: usize = METRICS.iter().map(|m| m.width(brands)).sum();
        let buffers = (replicates * self.periods as usize * width * 8 * self.arms.len()) as f64;
        (starts * (network + population) + arms_in_flight * largest_arm + buffers) as u64
    }

    /// A plan of `arms` (per arm, each brand's media plan) recording every metric, on a
    /// professional network drawn per replicate; not yet checked ([`Plan::validate`]).
    pub fn new(
        market: MarketConfig,
        arms: Vec<Vec<Vec<Strategy>>>,
        periods: u32,
        replicates: u32,
        seed: u64,
    ) -> Self {
        Self {
            market,
            arms,
            periods,
            replicates,
            seed,
            network: None,
            metrics: None,
            arm_metrics: Vec::new(),
        }
    }

    /// Records the metrics named in `all` by every arm (None: every metric), except that arm
    /// `i` records those named in `per_arm[i]` where that is given.
    pub fn recording<S: AsRef<str>>(
        mut self,
        all: Option<&[S]>,
        per_arm: &[Option<Vec<S>>],
    ) -> Result<Self> {
        self.metrics = all.map(record::select).transpose()?;
        self.arm_metrics = per_arm
            .iter()
            .map(|names| names.as_deref().map(record::select).transpose())
            .collect::<Result<_>>()?;
        Ok(self)
    }

    /// Checks the market, every arm's strategies, the network and the counts.
    pub fn validate(&self) -> Result<()> {
        self.market.validate()?;
        if self.arms.is_empty() {
            return Err(Error::out_of_range("arms", 0, "at least one arm"));
        }
        if self.periods < 1 {
            return Err(Error::out_of_range("periods", self.periods, "at least 1"));
        }
        for strategies in &self.arms {
            self.market.validate_strategies(strategies, self.periods)?;
        }
        if let Some(graph) = &self.network {
            if graph.n_nodes() != self.market.population.people {
                return Err(Error::out_of_range(
                    "network",
                    format!("a graph of {} nodes", graph.n_nodes()),
                    format!(
                        "one node per person ({} people)",
                        self.market.population.people
                    ),
                ));
            }
            // A tie's weight is its strength, a share of what passes over it.
            if let Some(bad) = graph
                .weights()
                .and_then(|w| w.iter().find(|&&x| !(0.0..=1.0).contains(&x)))
            {
                return Err(Error::out_of_range(
                    "network",
                    format!("a tie of weight {bad}"),
                    "tie weights in [0, 1]: each is the strength of a tie",
                ));
            }
        }
        if self.replicates < 1 {
            return Err(Error::out_of_range(
                "replicates",
                self.replicates,
                "at least 1",
            ));
        }
        if let Some(w) = &self.metrics {
            check_selection(w)?;
        }
        if self.arm_metrics.len() > self.arms.len() {
            return Err(Error::length(
                "arm_metrics",
                self.arms.len(),
                self.arm_metrics.len(),
                "at most one selection per arm",
            ));
        }
        for (a, w) in self.arm_metrics.iter().enumerate() {
            if let Some(w) = w {
                check_selection(w)
                    .map_err(|e| e.within(Segment::Index(a)).in_field("arm_metrics"))?;
            }
        }
        Ok(())
    }
}

/// A metric selection holds one flag per metric of the catalogue.
fn check_selection(flags: &[bool]) -> Result<()> {
    if flags.len() != METRICS.len() {
        return Err(Error::length(
            "metrics",
            METRICS.len(),
            flags.len(),
            "one flag per metric of the catalogue",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marketing::strategy::quantum;

    /// The error of a plan where brand 0 runs `campaigns` and the brands are `names`.
    fn error(names: &[&str], campaigns: Vec<Strategy>, periods: u32) -> String {
        let mut market = MarketConfig::default();
        market.brands.names = names.iter().map(|n| n.to_string()).collect();
        let mut arm = vec![Vec::new(); market.brands.count()];
        arm[0] = campaigns;
        let plan = Plan::new(market, vec![arm], periods, 1, 0);
        plan.validate().unwrap_err().to_string()
    }

    #[test]
    fn plan_errors_name_the_brand_and_the_campaign() {
        let named = ["us", "a", "b", "c"];
        let (mut abm, mut wide) = (quantum(-1.0), quantum(5_000.0));
        (abm.name, wide.name) = ("abm".into(), "wide".into());
        let lone = error(&named, vec![quantum(-1.0)], 10);
        assert!(
            lone.starts_with("strategies[\"us\"].budget must be"),
            "{lone}"
        );
        let two = error(&named, vec![wide.clone(), abm], 10);
        assert!(
            two.starts_with("strategies[\"us\"][\"abm\"].budget"),
            "{two}"
        );
        let unnamed = error(&[], vec![quantum(5_000.0), quantum(-1.0)], 10);
        assert!(unnamed.starts_with("strategies[0][1].budget"), "{unnamed}");
        let twice = error(&named, vec![wide.clone(), wide], 10);
        assert!(twice.starts_with("strategies[\"us\"][\"wide\"].name must be a name no other"));
        // A budget that buys no impression over the run is refused at the run's length.
        let money = Strategy {
            unit: crate::marketing::strategy::Unit::Money,
            ..quantum(10.001)
        };
        let short = error(&named, vec![money], 1);
        assert!(short.contains("one impression in 1 periods"), "{short}");
    }

    #[test]
    fn metrics_are_selected_by_name() {
        let plan = Plan::new(
            MarketConfig::default(),
            vec![vec![Vec::new(); 4]; 2],
            1,
            1,
            0,
        );
        let names = [METRICS[0].name];
        let plan = plan.recording(Some(&names[..]), &[None, Some(vec![METRICS[1].name])]);
        let plan = plan.unwrap();
        assert!(plan.records(0, 0) && !plan.records(0, 1));
        assert!(plan.records(1, 1) && !plan.records(1, 0));
        let unknown = Plan::new(MarketConfig::default(), vec![], 1, 1, 0)
            .recording(Some(&["no such metric"][..]), &[])
            .unwrap_err();
        assert!(
            unknown
                .to_string()
                .starts_with("metrics must be names from the catalogue")
        );
    }
}
