//! Audiences: who a strategy's targeting lets a brand show its ads to.
//!
//! Targeting is a rule on people's current jobs (function, seniority, account) or a fixed
//! weight per person. The audience is built once and then kept up to date incrementally:
//! each period only the people whose job changed are re-checked, so narrow lists follow
//! roles and accounts as people move, at the cost of the moves, not of a pass over everyone.
//!
//! Influencer seeding is an audience within an audience: the people of a base audience whose
//! shares would spread furthest through the professional network, chosen by influence
//! maximization (OPIM-C, [`crate::graph::seeding`]) and re-chosen on a schedule. Between
//! choices the base audience follows jobs as above and a seed who leaves it is dropped.

use crate::control::Never;
use crate::errors::{Result, try_filled};
use crate::graph::cascade::Transmission;
use crate::graph::csr::Graph;
use crate::graph::seeding::Pool;
use crate::market::committees::CommitteesConfig;
use crate::market::customers::CustomersConfig;
use crate::market::population::Population;
use crate::marketing::strategy::Targeting;
use crate::rng::{Stream, below, open_unit};

/// The people a targeting rule lets a brand reach now.
#[derive(Clone, Debug)]
pub struct Audience {
    targeting: Targeting,
    members: Members,
    /// Targeted accounts (narrow with accounts, or scored accounts).
    account: Vec<bool>,
    /// Value of each company's business (sale value at its starting size), for scoring.
    value: Vec<f64>,
    /// Scored people: the score at or above which a person is in the audience.
    threshold: f64,
    relevance: Vec<f64>,
    level_weight: Vec<f64>,
    /// Seeding: the base audience the seeds are chosen within, and the period they were
    /// last chosen in.
    within: Option<Box<Audience>>,
    chosen: Option<u32>,
    /// Seeding: the reverse-reachable sets every choice is made over (the network and the
    /// creative do not change, so the sets of one choice serve the next).
    pool: Option<Box<Pool>>,
}

/// The slack of the seeding guarantee: the seeds reach at least (1 - 1/e - ε) of the best
/// spread of `size` people within the audience, with probability 1 - 1/people.
pub const SEEDING_EPSILON: f64 = 0.1;

const OUT: u32 = u32::MAX;

/// Who is in the audience.
#[derive(Clone, Debug)]
enum Members {
    /// Everyone who passes the targeting rule now, kept up to date as jobs change.
    Members { list: Vec<u32>, position: Vec<u32> },
    /// A fixed weight per person, sampled with an alias table; `size` people have weight.
    Weighted {
        alias: Alias,
        weights: Vec<f32>,
        size: usize,
    },
}

/// Walker's alias table: a draw in O(1) from a fixed discrete distribution.
#[derive(Clone, Debug)]
struct Alias {
    accept: Vec<f32>,
    other: Vec<u32>,
    total: f64,
}

impl Alias {
    fn new(weights: &[f32]) -> Result<Self> {
        let n = weights.len();
        let total: f64 = weights.iter().map(|&w| f64::from(w)).sum();
        let mut accept = try_filled(n, 1f32, "the targeting weights")?;
        let mut other: Vec<u32> = (0..n as u32).collect();
        if total > 0.0 {
            let scaled: Vec<f64> = weights
                .iter()
                .map(|&w| f64::from(w) * n as f64 / total)
                .collect();
            let (mut small, mut large): (Vec<usize>, Vec<usize>) =
                (0..n).partition(|&i| scaled[i] < 1.0);
            let mut scaled = scaled;
            while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
                small.pop();
                accept[s] = scaled[s] as f32;
                other[s] = l as u32;
                scaled[l] -= 1.0 - scaled[s];
                if scaled[l] < 1.0 {
                    large.pop();
                    small.push(l);
                }
            }
            // Leftovers are 1 up to rounding.
            for i in small.into_iter().chain(large) {
                accept[i] = 1.0;
            }
        }
        Ok(Self {
            accept,
            other,
            total,
        })
    }

    #[inline]
    fn draw(&self, rng: &mut Stream) -> u32 {
        let i = below(rng, self.accept.len() as u64) as usize;
        if (open_unit(rng) as f32) <= self.accept[i] {
            i as u32
        } else {
            self.other[i]
        }
    }
}

impl Audience {
    /// The audience of `targeting` in a market, from everyone's current job.
    pub fn new(
        targeting: &Targeting,
        pop: &Population,
        committees: &CommitteesConfig,
        customers: &CustomersConfig,
    ) -> Result<Self> {
        let companies = pop.companies.employees.len();
        let value: Vec<f64> = pop
            .companies
            .employees
            .iter()
            .map(|e| customers.sale_value(e.len()))
            .collect();
        let mut account = vec![false; companies];
        match targeting {
            Targeting::Narrow { accounts, .. } => {
                for &a in accounts {
                    account[a as usize] = true;
                }
            }
            Targeting::Scored {
                top_share,
                people: false,
            } => {
                let mut order: Vec<u32> = (0..companies as u32).collect();
                order.sort_by(|&a, &b| {
                    value[b as usize]
                        .total_cmp(&value[a as usize])
                        .then(a.cmp(&b))
                });
                let k = ((companies as f64 * top_share).ceil() as usize).clamp(1, companies);
                for &c in &order[..k] {
                    account[c as usize] = true;
                }
            }
            _ => {}
        }
        let mut audience = Self {
            targeting: targeting.clone(),
            members: Members::Members {
                list: Vec::new(),
                position: Vec::new(),
            },
            account,
            value,
            threshold: 0.0,
            relevance: committees.function_relevance.clone(),
            level_weight: committees.level_weight.to_vec(),
            within: None,
            chosen: None,
            pool: None,
        };
        if let Targeting::Scored {
            top_share,
            people: true,
        } = *targeting
        {
            let mut scores: Vec<f64> = (0..pop.len() as u32)
                .map(|p| audience.score(pop, p))
                .collect();
            let k = ((scores.len() as f64 * top_share).ceil() as usize).clamp(1, scores.len());
            scores.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
            audience.threshold = scores[k - 1];
        }
        audience.members = match targeting {
            Targeting::Weights { weights: w } => Members::Weighted {
                alias: Alias::new(w)?,
                weights: w.to_vec(),
                size: w.iter().filter(|&&x| x > 0.0).count(),
            },
            // No seeds until they are chosen on the network (see `choose_seeds`).
            Targeting::Seeding { within, .. } => {
                audience.within = Some(Box::new(Self::new(within, pop, committees, customers)?));
                Members::Members {
                    list: Vec::new(),
                    position: try_filled(pop.len(), OUT, "the audience")?,
                }
            }
            _ => {
                let mut position = try_filled(pop.len(), OUT, "the audience")?;
                let mut list = Vec::new();
                for p in 0..pop.len() as u32 {
                    if audience.eligible(pop, p) {
                        position[p as usize] = list.len() as u32;
                        list.push(p);
                    }
                }
                Members::Members { list, position }
            }
        };
        Ok(audience)
    }

    fn influence(&self, pop: &Population, p: u32) -> f64 {
        self.relevance[usize::from(pop.people.function[p as usize])]
            * self.level_weight[usize::from(pop.people.level[p as usize])]
    }

    fn score(&self, pop: &Population, p: u32) -> f64 {
        self.influence(pop, p) * self.value[pop.people.company[p as usize] as usize]
    }

    /// Whether person `p` passes the targeting rule in their current job.
    pub(crate) fn eligible(&self, pop: &Population, p: u32) -> bool {
        let i = p as usize;
        match &self.targeting {
            Targeting::Broad { min_influence } => {
                let x = self.influence(pop, p);
                x > 0.0 && x >= *min_influence
            }
            Targeting::Narrow {
                functions,
                min_level,
                accounts,
            } => {
                (functions.is_empty() || functions.contains(&pop.people.function[i]))
                    && pop.people.level[i] >= *min_level
                    && (accounts.is_empty() || self.account[pop.people.company[i] as usize])
            }
            Targeting::Scored { people: false, .. } => {
                self.account[pop.people.company[i] as usize] && self.influence(pop, p) > 0.0
            }
            Targeting::Scored { people: true, .. } => {
                let s = self.score(pop, p);
                s > 0.0 && s >= self.threshold
            }
            Targeting::Weights { weights: w } => w[i] > 0.0,
            // A seed stays one while in the base audience; others join only when chosen.
            Targeting::Seeding { .. } => {
                self.contains(p) && self.within.as_ref().is_some_and(|w| w.eligible(pop, p))
            }
        }
    }

    /// People in the audience now (for a weighted audience: people with weight > 0).
    pub fn len(&self) -> usize {
        match &self.members {
            Members::Members { list, .. } => list.len(),
            Members::Weighted { size, .. } => *size,
        }
    }

    /// Re-checks the people whose job changed this period.
    pub fn update(&mut self, pop: &Population, changed: &[u32]) {
        if let Some(within) = &mut self.within {
            within.update(pop, changed);
        }
        let verdicts: Vec<(u32, bool)> = match &self.members {
            Members::Members { .. } => changed
                .iter()
                .map(|&p| (p, self.eligible(pop, p)))
                .collect(),
            Members::Weighted { .. } => return,
        };
        if let Members::Members { list, position } = &mut self.members {
            for (p, yes) in verdicts {
                let at = position[p as usize];
                if yes && at == OUT {
                    position[p as usize] = list.len() as u32;
                    list.push(p);
                } else if !yes && at != OUT {
                    list.swap_remove(at as usize);
                    if let Some(&moved) = list.get(at as usize) {
                        position[moved as usize] = at;
                    }
                    position[p as usize] = OUT;
                }
            }
        }
    }

    /// Whether person `p` is in the audience now.
    pub fn contains(&self, p: u32) -> bool {
        match &self.members {
            Members::Members { position, .. } => position[p as usize] != OUT,
            Members::Weighted { weights, .. } => weights[p as usize] > 0.0,
        }
    }

    /// Whether nobody is in the audience now (for a weighted audience: all weights 0).
    pub fn is_empty(&self) -> bool {
        match &self.members {
            Members::Members { list, .. } => list.is_empty(),
            Members::Weighted { alias, .. } => alias.total <= 0.0,
        }
    }

    /// One person from a non-empty audience (uniformly, or in proportion to the weights).
    #[inline]
    pub fn pick(&self, rng: &mut Stream) -> u32 {
        match &self.members {
            Members::Members { list, .. } => list[below(rng, list.len() as u64) as usize],
            Members::Weighted { alias, .. } => alias.draw(rng),
        }
    }

    /// Whether the seeds of a seeding audience are due to be (re-)chosen in period `now`
    /// (1-based): in the first period the campaign runs and every `every` periods after.
    pub fn seeding_due(&self, now: u32) -> bool {
        match (&self.targeting, self.chosen) {
            (Targeting::Seeding { .. }, None) => true,
            (Targeting::Seeding { every, .. }, Some(at)) => now >= at + every,
            _ => false,
        }
    }

    /// Chooses the seeds of a seeding audience in period `now`: the `size` people of the base
    /// audience (all of them if it holds fewer) whose shares spread furthest over `graph`
    /// when each tie passes the creative on with probability `pass`, by OPIM-C. The
    /// reverse-reachable sets are drawn from `seed` at the first choice and kept for the
    /// next (the seeds of later periods are not used). An empty base audience leaves no seeds
    /// (the budget is then unspent); so does a choice that cannot get the memory it needs.
    pub fn choose_seeds(&mut self, graph: &Graph, pass: Transmission, seed: u64, now: u32) {
        let Targeting::Seeding { size, .. } = self.targeting else {
            return;
        };
        self.chosen = Some(now);
        let candidates = self
            .within
            .as_ref()
            .and_then(|w| w.members())
            .unwrap_or(&[]);
        let seeds = if candidates.is_empty() {
            Vec::new()
        } else {
            let k = (size as usize).min(candidates.len());
            self.pool
                .get_or_insert_with(|| Box::new(Pool::new(seed)))
                .choose(graph, pass, k, candidates, SEEDING_EPSILON, &Never)
                .unwrap_or_default()
        };
        if let Members::Members { list, position } = &mut self.members {
            for &p in list.iter() {
                position[p as usize] = OUT;
            }
            list.clear();
            for p in seeds {
                position[p as usize] = list.len() as u32;
                list.push(p);
            }
        }
    }

    /// The people in a list audience, in list order (None for a weighted one).
    pub fn members(&self) -> Option<&[u32]> {
        match &self.members {
            Members::Members { list, .. } => Some(list),
            Members::Weighted { .. } => None,
        }
    }
}
