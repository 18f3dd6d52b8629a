//! Decisions: a buying committee picks a brand, or ends in no decision.
//!
//! Each member weighs every brand by memory (concave: the first steps of mental
//! availability matter most), attitude, the demand activation of their company's need (for
//! brands they know: only those are considered) and (for the incumbent) familiarity, against
//! "no decision", with a nested logit ([`utility`]): their chance of voting to buy weighs
//! the brands' combined appeal (the log-sum of their utilities) by `category_weight` against
//! the utility of "no decision", so advertising mostly moves which brand is bought and less
//! whether anything is; at weight 1 it is a plain logit over the brands and "no decision".
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
    /// Curvature of memory in a member's utility, in [0, 1] (`memory_term`): 1 linear, 0
    /// logarithmic, so that a brand's odds of being chosen grow as a power of memory below
    /// 1 and advertising has diminishing returns (Sethuraman, Tellis & Briesch 2011: sales
    /// respond to advertising with an elasticity of ~0.1, concavely).
    pub memory_curvature: f64,
    /// Weight of attitude in a member's utility.
    pub attitude_weight: f64,
    /// Weight of the demand activation of the member's company's need (what demand
    /// advertising did to the opportunity) in their utility for a brand they know.
    pub activation_weight: f64,
    /// Utility bonus of the brand the company already buys from.
    pub incumbent_advantage: f64,
    /// Utility of "no decision" (higher: more stalled purchases).
    pub no_decision_utility: f64,
    /// Weight of the brands' combined appeal (the log-sum of their utilities) in a
    /// member's choice between buying and "no decision", in (0, 1]: the nesting parameter
    /// of a nested logit. At 1 it is a plain logit, where a brand's appeal adds to the
    /// category's; below 1, what moves brand utilities (advertising) mostly moves which
    /// brand is bought and less whether anything is.
    pub category_weight: f64,
    /// Chance that each member beyond the first derails a purchase the majority wants.
    pub coordination_cost: f64,
}

impl Default for DecisionsConfig {
    fn default() -> Self {
        Self {
            memory_weight: 0.5,
            memory_curvature: 0.0,
            attitude_weight: 1.0,
            activation_weight: 3.0,
            incumbent_advantage: 1.5,
            no_decision_utility: -0.1,
            category_weight: 0.35,
            // With the majority vote, puts the purchase chance of groups of 1, 2, 3 and 6
            // near CEB/Challenger's 0.81, 0.55, 0.60 and 0.31 where every brand advertises
            // at the built-in scenario's budget (benches/fidelity.py).
            coordination_cost: 0.19,
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
        check::real(
            "category_weight",
            self.category_weight,
            Range::OpenClosed(0.0, 1.0),
        )?;
        check::real(
            "memory_curvature",
            self.memory_curvature,
            Range::Closed(0.0, 1.0),
        )?;
        check::real("coordination_cost", self.coordination_cost, UNIT)
    }
}

/// Memory's part of a utility, before its weight: the Box-Cox transform of memory above a
/// small floor, ((m + floor)^c - floor^c) / c, zero for a brand nobody remembers. At
/// curvature c = 0 it is ln(1 + m / floor), so a brand's odds of being chosen grow as
/// (1 + m / floor)^weight (the attraction model of market-share analysis); at c = 1 it is
/// linear.
#[inline]
pub fn memory_term(curvature: f64, memory: f32) -> f64 {
    let m = f64::from(memory);
    if curvature == 0.0 {
        (m / MEMORY_FLOOR).ln_1p()
    } else {
        ((m + MEMORY_FLOOR).powf(curvature) - MEMORY_FLOOR.powf(curvature)) / curvature
    }
}

/// The memory below which [`memory_term`] is about linear, and above which it bends.
pub const MEMORY_FLOOR: f64 = 0.01;

/// Person `p`'s standing utility for brand `b`: memory (concave) and attitude, before any
/// demand activation or incumbency.
#[inline]
pub fn standing(config: &DecisionsConfig, memory: &Memory, p: u32, b: usize) -> f64 {
    config.memory_weight * memory_term(config.memory_curvature, memory.value(p, b))
        + config.attitude_weight * f64::from(memory.attitude(p, b))
}

/// Member `p`'s utility for brand `b` on a need with demand activation `activation` for it:
/// standing, plus activation if they know the brand (consideration gates demand), plus the
/// incumbent's advantage.
#[inline]
pub fn utility(
    config: &DecisionsConfig,
    memory: &Memory,
    p: u32,
    b: usize,
    activation: f32,
    incumbent: bool,
) -> f64 {
    let mut u = standing(config, memory, p, b);
    if activation > 0.0 && memory.knows(p, b) {
        u += config.activation_weight * f64::from(activation);
    }
    if incumbent {
        u += config.incumbent_advantage;
    }
    u
}

/// How far `people` (a customer's employees; the first [`LOYALTY_SAMPLE`] of them) prefer
/// their supplier `brand` to its best rival, on average, in standing utility: what their
/// loyalty rests on. Zero with one brand or nobody to ask.
pub fn advantage(config: &DecisionsConfig, memory: &Memory, people: &[u32], brand: usize) -> f64 {
    let brands = memory.brands();
    if brands < 2 || people.is_empty() {
        return 0.0;
    }
    let asked = &people[..people.len().min(LOYALTY_SAMPLE)];
    let total: f64 = asked
        .iter()
        .map(|&p| {
            let rival = (0..brands)
                .filter(|&b| b != brand)
                .map(|b| standing(config, memory, p, b))
                .fold(f64::NEG_INFINITY, f64::max);
            standing(config, memory, p, brand) - rival
        })
        .sum();
    total / asked.len() as f64
}

/// How many of a customer's employees [`advantage`] asks: enough for a stable mean, few
/// enough that a large customer costs no more than a small one.
pub const LOYALTY_SAMPLE: usize = 16;

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
    /// The committee's outcome: `Some(brand)` or `None` (no decision). `activation` is the
    /// need's demand activation per brand (empty: none). An empty committee cannot decide.
    #[allow(clippy::too_many_arguments)]
    pub fn decide(
        &mut self,
        config: &DecisionsConfig,
        weights: &CommitteesConfig,
        pop: &Population,
        memory: &Memory,
        members: &[u32],
        activation: &[f32],
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
                let a = activation.get(b).copied().unwrap_or(0.0);
                let u = utility(config, memory, p, b, a, incumbent == Some(b));
                top = top.max(u);
                self.utilities.push(u);
            }
            // Logit shares, shifted by the largest utility for numerical safety; the
            // choice to buy weighs the brands' log-sum by `category_weight` (nested logit).
            let brand_total = self.utilities.iter().map(|u| (u - top).exp()).sum::<f64>();
            let appeal = config.category_weight * (top + brand_total.ln());
            self.yes
                .push(1.0 / (1.0 + (config.no_decision_utility - appeal).exp()));
            let influence = weights.function_relevance
                [usize::from(pop.people.function[p as usize])]
                * weights.level_weight[usize::from(pop.people.level[p as usize])];
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
                    .decide(
                        &config,
                        &weights,
                        &pop,
                        &memory,
                        &members,
                        &[],
                        None,
                        &mut rng,
                    )
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
    fn the_category_weight_sets_how_much_brand_appeal_moves_the_choice_to_buy() {
        let (pop, mut memory) = world();
        // Member 7 knows brand 0, so demand activation counts for it.
        memory.set(7, 0, 0.9);
        let weights = CommitteesConfig::default();
        let mut decider = Decider::default();
        let mut rng = stream(4, Subsystem::Committees, 0);
        // One member's chance of voting to buy, with demand activation `a` for brand 0.
        let mut yes = |category_weight: f64, a: f32| {
            let config = DecisionsConfig {
                category_weight,
                ..DecisionsConfig::default()
            };
            decider.decide(&config, &weights, &pop, &memory, &[7], &[a], None, &mut rng);
            let u: Vec<f64> = (0..memory.brands())
                .map(|b| utility(&config, &memory, 7, b, if b == 0 { a } else { 0.0 }, false))
                .collect();
            let sum: f64 = u.iter().map(|u| u.exp()).sum();
            let none = config.no_decision_utility.exp();
            // The known answers: a nested logit, and at weight 1 the plain logit.
            let nested = 1.0 / (1.0 + none / sum.powf(category_weight));
            assert!((decider.yes[0] - nested).abs() < 1e-12);
            if category_weight == 1.0 {
                assert!((decider.yes[0] - sum / (sum + none)).abs() < 1e-12);
            }
            decider.yes[0]
        };
        // What activation does to the log-odds of buying scales with the weight.
        let logit = |p: f64| (p / (1.0 - p)).ln();
        let plain = logit(yes(1.0, 1.0)) - logit(yes(1.0, 0.0));
        let nested = logit(yes(0.35, 1.0)) - logit(yes(0.35, 0.0));
        assert!(plain > 0.0, "{plain}");
        assert!((nested / plain - 0.35).abs() < 1e-6, "{plain} {nested}");
    }

    #[test]
    fn memory_and_incumbency_win_deals() {
        let (pop, mut memory) = world();
        let (config, weights) = (DecisionsConfig::default(), CommitteesConfig::default());
        let members: Vec<u32> = (0..3).collect();
        for &p in &members {
            for b in 0..4 {
                // Memory counts most where it starts: brand 2 is well remembered, brand 1 barely,
                // the others not at all.
                memory.set(p, b, [0.0, 0.1, 0.9, 0.0][b]);
                memory.set_attitude(p, b, 0.0);
            }
        }
        let mut decider = Decider::default();
        let mut rng = stream(3, Subsystem::Committees, 0);
        let mut wins = [0usize; 4];
        let mut incumbent_wins = [0usize; 4];
        for _ in 0..5_000 {
            if let Some(b) = decider.decide(
                &config,
                &weights,
                &pop,
                &memory,
                &members,
                &[],
                None,
                &mut rng,
            ) {
                wins[b] += 1;
            }
            if let Some(b) = decider.decide(
                &config,
                &weights,
                &pop,
                &memory,
                &members,
                &[],
                Some(0),
                &mut rng,
            ) {
                incumbent_wins[b] += 1;
            }
        }
        assert!(wins[2] > wins[0] * 3 && wins[2] > wins[1], "{wins:?}");
        assert!(
            wins[1] > wins[0] * 2,
            "the first steps of memory matter most: {wins:?}"
        );
        assert!(
            incumbent_wins[0] > wins[0] * 2,
            "incumbent advantage: {incumbent_wins:?} vs {wins:?}"
        );
        assert_eq!(
            decider.decide(&config, &weights, &pop, &memory, &[], &[], None, &mut rng),
            None
        );
    }
}
