//! Decisions: a buying committee picks a brand, or ends in no decision.
//!
//! Each member weighs every brand by memory, demand activation, attitude and (for the
//! incumbent) familiarity, against "no decision", with a logit choice: their chance of
//! voting to buy is one minus the logit share of "no decision".
//!
//! The group then votes. A purchase needs a strict majority for buying: a tie stalls (two
//! members who disagree deadlock; a third can break the tie), and every member beyond the
//! first adds a coordination cost, an independent chance `coordination_cost` that the
//! purchase derails anyway (meetings, consensus, sign-offs). So the chance of a purchase is
//! P(more than half vote to buy) x (1 - coordination_cost)^(members - 1), which has the shape
//! CEB/Challenger measured: 81% with one buyer, 55% with two, 60% with three (the third
//! breaks ties), 31% with six. If the committee buys, the brand is drawn from the members'
//! brand preferences weighted by influence (relevance of their function x their seniority).

use crate::check::{self, Range, UNIT};
use crate::errors::Result;
use crate::market::committees::CommitteesConfig;
use crate::market::memory::Memory;
use crate::market::population::Population;
use crate::rng::{Stream, open_unit};
use serde::{Deserialize, Serialize};

/// How members weigh brands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DecisionsConfig {
    /// Weight of brand memory in a member's utility.
    pub memory_weight: f64,
    /// Weight of attitude in a member's utility.
    pub attitude_weight: f64,
    /// Weight of demand activation (recent demand advertising) in a member's utility.
    pub activation_weight: f64,
    /// Utility bonus of the brand the company already buys from.
    pub incumbent_advantage: f64,
    /// Utility of "no decision" (higher: more stalled purchases).
    pub no_decision_utility: f64,
    /// Chance that each member beyond the first derails a purchase the majority wants.
    pub coordination_cost: f64,
}

impl Default for DecisionsConfig {
    fn default() -> Self {
        Self {
            memory_weight: 3.0,
            attitude_weight: 1.0,
            activation_weight: 2.0,
            incumbent_advantage: 1.5,
            no_decision_utility: 0.2,
            // With the majority vote, puts the purchase chance of groups of 1, 2, 3 and 6
            // near CEB/Challenger's 0.81, 0.55, 0.60 and 0.31.
            coordination_cost: 0.185,
        }
    }
}

impl DecisionsConfig {
    /// Checks every field.
    pub fn validate(&self) -> Result<()> {
        for (name, x) in [
            ("memory_weight", self.memory_weight),
            ("attitude_weight", self.attitude_weight),
            ("activation_weight", self.activation_weight),
            ("incumbent_advantage", self.incumbent_advantage),
            ("no_decision_utility", self.no_decision_utility),
        ] {
            check::real(name, x, Range::Closed(-50.0, 50.0))?;
        }
        check::real("coordination_cost", self.coordination_cost, UNIT)
    }
}

/// Scratch space, reused across decisions.
#[derive(Default)]
pub struct Decider {
    utilities: Vec<f64>,
    preference: Vec<f64>,
    /// Each member's chance of voting to buy.
    yes: Vec<f64>,
    /// Distribution of the number of votes to buy.
    votes: Vec<f64>,
}

impl Decider {
    /// The committee's outcome: `Some(brand)` or `None` (no decision). An empty committee
    /// cannot decide.
    #[allow(clippy::too_many_arguments)]
    pub fn decide(
        &mut self,
        config: &DecisionsConfig,
        weights: &CommitteesConfig,
        pop: &Population,
        memory: &Memory,
        members: &[u32],
        incumbent: Option<usize>,
        rng: &mut Stream,
    ) -> Option<usize> {
        let brands = memory.brands();
        self.preference.clear();
        self.preference.resize(brands, 0.0);
        self.yes.clear();
        for &p in members {
            self.utilities.clear();
            let mut top = config.no_decision_utility;
            for b in 0..brands {
                let mut u = config.memory_weight * f64::from(memory.value(p, b))
                    + config.attitude_weight * f64::from(memory.attitude(p, b))
                    + config.activation_weight * f64::from(memory.activation(p, b));
                if incumbent == Some(b) {
                    u += config.incumbent_advantage;
                }
                top = top.max(u);
                self.utilities.push(u);
            }
            // Logit shares, shifted by the largest utility for numerical safety.
            let none = (config.no_decision_utility - top).exp();
            let total = none + self.utilities.iter().map(|u| (u - top).exp()).sum::<f64>();
            self.yes.push(1.0 - none / total);
            let influence = weights.function_relevance
                [usize::from(pop.people.function[p as usize])]
                * weights.level_weight[usize::from(pop.people.level[p as usize])];
            let brand_total = total - none;
            for (pref, u) in self.preference.iter_mut().zip(&self.utilities) {
                *pref += influence * (u - top).exp() / brand_total;
            }
        }
        // Always two draws per decision, so one outcome changing (another strategy) never
        // shifts the draws of the decisions after it.
        let (u_buy, u_brand) = (open_unit(rng), open_unit(rng));
        if members.is_empty() || u_buy > self.purchase_chance(config.coordination_cost) {
            return None;
        }
        let sum: f64 = self.preference.iter().sum();
        if sum.is_nan() || sum <= 0.0 {
            return None;
        }
        let mut x = u_brand * sum;
        for (b, pref) in self.preference.iter().enumerate() {
            x -= pref;
            if x <= 0.0 {
                return Some(b);
            }
        }
        Some(brands - 1)
    }

    /// The chance that the members whose votes are in `yes` buy: a strict majority votes
    /// to buy (the number of votes is Poisson-binomial), and no member beyond the first
    /// derails it.
    fn purchase_chance(&mut self, coordination_cost: f64) -> f64 {
        let k = self.yes.len();
        self.votes.clear();
        self.votes.resize(k + 1, 0.0);
        self.votes[0] = 1.0;
        for (i, &p) in self.yes.iter().enumerate() {
            for j in (0..=i + 1).rev() {
                let stay = self.votes[j] * (1.0 - p);
                let gain = if j > 0 { self.votes[j - 1] * p } else { 0.0 };
                self.votes[j] = stay + gain;
            }
        }
        let majority: f64 = self.votes[k / 2 + 1..].iter().sum();
        let derailed = k.saturating_sub(1).min(i32::MAX as usize) as i32;
        majority * (1.0 - coordination_cost).powi(derailed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::memory::BrandsConfig;
    use crate::market::population::PopulationConfig;
    use crate::rng::{Subsystem, stream};

    fn world() -> (Population, Memory) {
        let config = PopulationConfig {
            people: 2_000,
            companies: 10,
            ..Default::default()
        };
        let pop = Population::draw(&config, &mut stream(1, Subsystem::Population, 0)).unwrap();
        let memory = Memory::new(
            &BrandsConfig::default(),
            2_000,
            true,
            &mut stream(1, Subsystem::Population, 1),
        )
        .unwrap();
        (pop, memory)
    }

    fn purchase_rate(size: usize) -> f64 {
        let (pop, memory) = world();
        let (config, weights) = (DecisionsConfig::default(), CommitteesConfig::default());
        let mut decider = Decider::default();
        let mut rng = stream(2, Subsystem::Committees, size as u64);
        let trials = 4_000;
        let bought = (0..trials)
            .filter(|t| {
                let members: Vec<u32> = (0..size)
                    .map(|i| ((t * 7 + i * 131) % 2_000) as u32)
                    .collect();
                decider
                    .decide(&config, &weights, &pop, &memory, &members, None, &mut rng)
                    .is_some()
            })
            .count();
        bought as f64 / trials as f64
    }

    #[test]
    fn bigger_committees_end_in_no_decision_more_often() {
        let (one, six) = (purchase_rate(1), purchase_rate(6));
        assert!(
            one > 0.6 && six < 0.45 && six < one * 0.6,
            "one {one}, six {six}"
        );
    }

    #[test]
    fn a_majority_buys_ties_stall_and_each_extra_member_costs() {
        let mut decider = Decider::default();
        let kappa = 0.2;
        let mut chance = |yes: &[f64]| {
            decider.yes = yes.to_vec();
            decider.purchase_chance(kappa)
        };
        let p = 0.8;
        assert!((chance(&[p]) - p).abs() < 1e-12);
        // Two must agree (1-1 is a tie); one of three may dissent.
        assert!((chance(&[p, p]) - p * p * (1.0 - kappa)).abs() < 1e-12);
        let three = (3.0 * p * p * (1.0 - p) + p.powi(3)) * (1.0 - kappa).powi(2);
        assert!((chance(&[p, p, p]) - three).abs() < 1e-12);
        assert!(
            chance(&[p, p, p]) > chance(&[p, p]),
            "the third breaks ties"
        );
        // Six: 4, 5 or 6 votes to buy; 3-3 stalls.
        let q = 1.0 - p;
        let six =
            (15.0 * p.powi(4) * q * q + 6.0 * p.powi(5) * q + p.powi(6)) * (1.0 - kappa).powi(5);
        assert!((chance(&[p; 6]) - six).abs() < 1e-12);
        // Members who differ: exactly one of two certain buyers and a certain staller.
        assert!((chance(&[1.0, 1.0, 0.0]) - (1.0 - kappa).powi(2)).abs() < 1e-12);
        assert_eq!(chance(&[1.0, 0.0]), 0.0);
        assert_eq!(chance(&[]), 0.0);
    }

    #[test]
    fn memory_and_incumbency_win_deals() {
        let (pop, mut memory) = world();
        let (config, weights) = (DecisionsConfig::default(), CommitteesConfig::default());
        let members: Vec<u32> = (0..3).collect();
        for &p in &members {
            for b in 0..4 {
                memory.set(p, b, if b == 2 { 0.9 } else { 0.1 });
                memory.set_attitude(p, b, 0.0);
            }
        }
        let mut decider = Decider::default();
        let mut rng = stream(3, Subsystem::Committees, 0);
        let mut wins = [0usize; 4];
        let mut incumbent_wins = [0usize; 4];
        for _ in 0..5_000 {
            if let Some(b) =
                decider.decide(&config, &weights, &pop, &memory, &members, None, &mut rng)
            {
                wins[b] += 1;
            }
            if let Some(b) = decider.decide(
                &config,
                &weights,
                &pop,
                &memory,
                &members,
                Some(0),
                &mut rng,
            ) {
                incumbent_wins[b] += 1;
            }
        }
        assert!(wins[2] > wins[0] * 3, "{wins:?}");
        assert!(
            incumbent_wins[0] > wins[0] * 2,
            "incumbent advantage: {incumbent_wins:?} vs {wins:?}"
        );
        assert_eq!(
            decider.decide(&config, &weights, &pop, &memory, &[], None, &mut rng),
            None
        );
    }
}
