//! Choosing seeds: whom to reach first so that a cascade spreads furthest (influence
//! maximization on the independent-cascade model).
//!
//! IMM (Tang, Shi and Xiao 2015) draws enough reverse-reachable sets (`graph::reverse`)
//! that greedy maximum coverage over them is within (1 - 1/e - ε) of the best k seeds with
//! probability at least 1 - 1/n; following Chen (2018), the sets the final choice is made on
//! are drawn afresh, independent of those that sized them. OPIM-C (Tang, Tang, Xiao and Yuan
//! 2018) keeps the same guarantee but stops as soon as a second, independent collection shows
//! the choice is good enough, which usually takes far fewer sets. CELF (Leskovec et al. 2007)
//! is the reference: greedy over Monte Carlo spread estimates, re-evaluating a node's gain only
//! when it could still be the best. Every choice is then evaluated by Monte Carlo runs with
//! coins of their own ([`crate::graph::fused`]).

use crate::control::Interrupt;
use crate::errors::{Error, Result};
use crate::graph::cascade::{Seeds, Transmission};
use crate::graph::csr::Graph;
use crate::graph::fused::{Lanes, mean_in, sizes_with};
use crate::graph::reverse::{Choice, Chosen, Reverse, RrSets, check_fits, greedy};
use crate::rng::{LaneCoins, Subsystem};
use fixedbitset::FixedBitSet;
use rayon::prelude::*;

/// How seeds are chosen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Method {
    /// IMM: reverse-influence sampling sized for the guarantee in advance.
    Imm,
    /// OPIM-C: reverse-influence sampling that stops as soon as the guarantee is shown.
    OpimC,
    /// Greedy with lazy evaluation over `runs` fused Monte Carlo runs per estimate.
    Celf { runs: usize },
}

impl Method {
    /// The method called `name` (`"imm"`, `"opim-c"` or `"celf"`); CELF estimates each
    /// spread over `runs` Monte Carlo runs.
    pub fn named(name: &str, runs: usize) -> Result<Self> {
        match name {
            "imm" => Ok(Method::Imm),
            "opim-c" => Ok(Method::OpimC),
            "celf" => Ok(Method::Celf { runs }),
            _ => Err(Error::out_of_range(
                "method",
                crate::errors::quoted(name),
                "'imm', 'opim-c' or 'celf'",
            )),
        }
    }
}

/// A cost per node and a budget, given together or not at all (for [`Request::cost`]).
pub fn costed(cost: Option<&[f64]>, budget: Option<f64>) -> Result<Option<(&[f64], f64)>> {
    match (cost, budget) {
        (Some(c), Some(b)) => Ok(Some((c, b))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(Error::out_of_range("budget", "None", "given with cost")),
        (None, Some(_)) => Err(Error::out_of_range(
            "cost",
            "None",
            "given with budget (one cost per node)",
        )),
    }
}

/// What to choose and how.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    /// The number of seeds (with a budget: at most this many).
    pub k: i64,
    pub method: Method,
    /// The slack ε of the (1 - 1/e - ε) guarantee, in (0, 1).
    pub epsilon: f64,
    pub seed: u64,
    /// The only nodes that may be chosen (all if `None`).
    pub candidates: Option<&'a [u32]>,
    /// The cost of each node (one per node) and the budget the seeds' costs must fit in.
    pub cost: Option<(&'a [f64], f64)>,
    /// The most bytes the reverse-reachable sets may take (`None`: no limit).
    pub memory_limit: Option<u64>,
    /// Monte Carlo runs of the independent evaluation of the chosen seeds.
    pub evaluation_runs: usize,
}

/// The seeds chosen, in order, with what each adds and how far they spread.
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    pub seeds: Vec<u32>,
    /// The method's own estimate of the spread each seed adds to those before it.
    pub marginal: Vec<f64>,
    /// The mean spread of the seeds over the evaluation runs, and its standard error.
    pub spread: f64,
    pub stderr: f64,
    /// Reverse-reachable sets drawn (0 for CELF) and the most bytes they held at once.
    pub rr_sets: usize,
    pub rr_bytes: u64,
}

/// Checks the request against the graph; returns the eligible nodes (if restricted) and k.
fn check(graph: &Graph, req: &Request) -> Result<(Option<FixedBitSet>, usize)> {
    let n = graph.n_nodes();
    if !(req.epsilon > 0.0 && req.epsilon < 1.0) {
        return Err(Error::out_of_range("epsilon", req.epsilon, "in (0, 1)"));
    }
    if req.evaluation_runs < 2 {
        return Err(Error::out_of_range(
            "runs",
            req.evaluation_runs,
            "at least 2",
        ));
    }
    if let Method::Celf { runs } = req.method {
        if runs < 1 {
            return Err(Error::out_of_range("celf_runs", runs, "at least 1"));
        }
    }
    let eligible = match req.candidates {
        None => None,
        Some([]) => {
            return Err(Error::out_of_range(
                "candidates",
                "an empty set",
                "at least one node id",
            ));
        }
        Some(ids) => {
            let mut set = FixedBitSet::with_capacity(n as usize);
            for &v in ids {
                if v >= n {
                    return Err(Error::out_of_range(
                        "candidates",
                        v,
                        format!("node ids in [0, n) = [0, {n})"),
                    ));
                }
                set.insert(v as usize);
            }
            Some(set)
        }
    };
    let available = eligible.as_ref().map_or(n as usize, |e| e.count_ones(..));
    if req.k < 1 || req.k as u64 > available as u64 {
        let what = if req.candidates.is_some() {
            "candidates"
        } else {
            "nodes"
        };
        return Err(Error::out_of_range(
            "k",
            req.k,
            format!("in [1, {available}] (the number of {what})"),
        ));
    }
    if let Some((cost, budget)) = req.cost {
        if cost.len() != n as usize {
            return Err(Error::length(
                "cost",
                n as usize,
                cost.len(),
                "one cost per node",
            ));
        }
        if let Some(bad) = cost.iter().find(|c| !(c.is_finite() && **c >= 0.0)) {
            return Err(Error::out_of_range(
                "cost",
                bad,
                "finite and >= 0 for every node",
            ));
        }
        if !(budget.is_finite() && budget >= 0.0) {
            return Err(Error::out_of_range("budget", budget, "finite and >= 0"));
        }
        let cheapest = (0..n as usize)
            .filter(|&v| eligible.as_ref().is_none_or(|e| e[v]))
            .map(|v| cost[v])
            .fold(f64::INFINITY, f64::min);
        if cheapest > budget {
            return Err(Error::out_of_range(
                "budget",
                budget,
                format!("enough to buy at least one candidate (the cheapest costs {cheapest})"),
            ));
        }
        if req.method == Method::OpimC {
            return Err(Error::out_of_range(
                "method",
                "'opim-c'",
                "'imm' or 'celf' when seeds have costs",
            ));
        }
    }
    Ok((eligible, req.k as usize))
}

/// ln C(n, k).
fn ln_choose(n: f64, k: f64) -> f64 {
    (0..k as u64)
        .map(|i| ((n - i as f64) / (i as f64 + 1.0)).ln())
        .sum()
}

/// The memory limit: the caller's, or what the system can give now (Linux), if known.
fn limit(req: &Request) -> Option<u64> {
    req.memory_limit.or_else(available_memory)
}

fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

struct Sampled {
    chosen: Chosen,
    sets: usize,
    n_sets_final: usize,
    bytes: u64,
}

#[allow(clippy::too_many_arguments)]
fn imm(
    graph: &Graph,
    reverse: &Reverse,
    choice: &Choice,
    keep: Option<&FixedBitSet>,
    req: &Request,
    parallel: bool,
    cancel: &dyn Interrupt,
) -> Result<Sampled> {
    let nf = f64::from(graph.n_nodes()).max(2.0);
    let k = choice.k as f64;
    let eps = req.epsilon;
    let ell = 1.0 + 2f64.ln() / nf.ln();
    let lnc = ln_choose(nf, k);
    let eps1 = std::f64::consts::SQRT_2 * eps;
    let lambda1 =
        (2.0 + 2.0 / 3.0 * eps1) * (lnc + ell * nf.ln() + nf.log2().ln()) * nf / (eps1 * eps1);
    let limit = limit(req);
    let mut sets = RrSets::new(0);
    let mut lb = 1.0;
    let mut peak = 0;
    for i in 1..(nf.log2() as i32) {
        let x = nf / 2f64.powi(i);
        let theta = (lambda1 / x).ceil() as usize;
        check_fits(theta, sets.mean_size(), limit)?;
        sets.extend_to(reverse, theta, req.seed, keep, parallel, cancel)?;
        let chosen = greedy(&sets, graph.n_nodes(), choice, parallel, cancel)?;
        peak = peak.max(sets.bytes());
        let spread = nf * chosen.covered() as f64 / theta as f64;
        if spread >= (1.0 + eps1) * x {
            lb = spread / (1.0 + eps1);
            break;
        }
    }
    let e1 = 1.0 - (-1f64).exp();
    let alpha = (ell * nf.ln() + 2f64.ln()).sqrt();
    let beta = (e1 * (lnc + ell * nf.ln() + 2f64.ln())).sqrt();
    let theta = (2.0 * nf * (e1 * alpha + beta).powi(2) / (eps * eps) / lb).ceil() as usize;
    let mean = sets.mean_size();
    let drawn = sets.len();
    drop(sets);
    // Chen (2018): the final choice needs sets independent of those that sized it.
    check_fits(theta, mean, limit)?;
    let mut sets = RrSets::new(1);
    sets.extend_to(reverse, theta, req.seed, keep, parallel, cancel)?;
    let chosen = greedy(&sets, graph.n_nodes(), choice, parallel, cancel)?;
    Ok(Sampled {
        chosen,
        sets: drawn + theta,
        n_sets_final: theta,
        bytes: peak.max(sets.bytes()),
    })
}

fn opim_c(
    graph: &Graph,
    reverse: &Reverse,
    choice: &Choice,
    keep: Option<&FixedBitSet>,
    req: &Request,
    parallel: bool,
    cancel: &dyn Interrupt,
) -> Result<Sampled> {
    let (mut r1, mut r2) = (RrSets::new(2), RrSets::new(3));
    opim_c_over(
        graph,
        reverse,
        choice,
        keep,
        req,
        (&mut r1, &mut r2),
        parallel,
        cancel,
    )
}

/// OPIM-C over two collections that may already hold sets drawn with `req.seed` (and the same
/// `keep`): they are extended as the rounds need, never redrawn.
#[allow(clippy::too_many_arguments)]
fn opim_c_over(
    graph: &Graph,
    reverse: &Reverse,
    choice: &Choice,
    keep: Option<&FixedBitSet>,
    req: &Request,
    (r1, r2): (&mut RrSets, &mut RrSets),
    parallel: bool,
    cancel: &dyn Interrupt,
) -> Result<Sampled> {
    let nf = f64::from(graph.n_nodes()).max(2.0);
    let k = choice.k as f64;
    let eps = req.epsilon;
    let delta = 1.0 / nf;
    let e1 = 1.0 - (-1f64).exp();
    let lnc = ln_choose(nf, k);
    let theta_max = 2.0
        * nf
        * (e1 * (6.0 / delta).ln().sqrt() + (e1 * (lnc + (6.0 / delta).ln())).sqrt()).powi(2)
        / (eps * eps * k);
    let theta0 = (theta_max * eps * eps * k / nf).max(1.0);
    let rounds = (theta_max / theta0).log2().ceil().max(1.0);
    let a1 = (3.0 * rounds / delta).ln();
    let a2 = a1;
    let limit = limit(req);
    let mut theta = theta0.ceil() as usize;
    let mut round = 1.0;
    // Rounds the sets already drawn cover need no greedy pass of their own.
    while theta < r1.len().min(r2.len()) && round < rounds {
        theta *= 2;
        round += 1.0;
    }
    loop {
        let more = theta.saturating_sub(r1.len()) + theta.saturating_sub(r2.len());
        check_fits(r1.len() + r2.len() + more, r1.mean_size(), limit)?;
        r1.extend_to(reverse, theta, req.seed, keep, parallel, cancel)?;
        r2.extend_to(reverse, theta, req.seed, keep, parallel, cancel)?;
        let chosen = greedy(r1, graph.n_nodes(), choice, parallel, cancel)?;
        // Both bounds count sets; they compare like with like on collections of one size.
        let scale = r1.len() as f64 / r2.len() as f64;
        let covered2 = coverage(r2, &chosen.seeds) * scale;
        let lower = ((covered2 + 2.0 * a2 / 9.0).sqrt() - (a2 / 2.0).sqrt()).powi(2) - a2 / 18.0;
        let upper = ((chosen.upper as f64 + a1 / 2.0).sqrt() + (a1 / 2.0).sqrt()).powi(2);
        let bytes = r1.bytes() + r2.bytes();
        if lower / upper >= e1 - eps || round >= rounds {
            return Ok(Sampled {
                chosen,
                sets: r1.len() + r2.len(),
                n_sets_final: r1.len(),
                bytes,
            });
        }
        theta *= 2;
        round += 1.0;
    }
}

/// Reverse-reachable sets kept between choices on one graph with one law, for a caller that
/// chooses again and again as its candidates change (a seeding campaign re-choosing as people
/// change jobs): the sets keep every node, so any candidates can be chosen over them, and a
/// later choice draws new sets only if its guarantee needs more than are kept.
#[derive(Clone, Debug)]
pub(crate) struct Pool {
    seed: u64,
    r1: RrSets,
    r2: RrSets,
}

impl Pool {
    /// An empty pool whose sets will be drawn from `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            seed,
            r1: RrSets::new(2),
            r2: RrSets::new(3),
        }
    }

    /// OPIM-C's choice of `k` seeds among `candidates` (non-empty, `k` at most their number)
    /// with slack `epsilon`, over the kept sets and as many more as it needs.
    pub(crate) fn choose(
        &mut self,
        graph: &Graph,
        p: Transmission,
        k: usize,
        candidates: &[u32],
        epsilon: f64,
        cancel: &dyn Interrupt,
    ) -> Result<Vec<u32>> {
        let req = Request {
            k: k as i64,
            method: Method::OpimC,
            epsilon,
            seed: self.seed,
            candidates: Some(candidates),
            cost: None,
            memory_limit: None,
            evaluation_runs: 2,
        };
        let (eligible, k) = check(graph, &req)?;
        let choice = Choice {
            k,
            eligible: eligible.as_ref(),
            cost: None,
            upper_bound: true,
        };
        let reverse = Reverse::new(graph, p)?;
        let sampled = opim_c_over(
            graph,
            &reverse,
            &choice,
            None,
            &req,
            (&mut self.r1, &mut self.r2),
            false,
            cancel,
        )?;
        Ok(sampled.chosen.seeds)
    }
}

/// How many sets of `sets` meet `seeds`.
fn coverage(sets: &RrSets, seeds: &[u32]) -> f64 {
    let Some(&top) = seeds.iter().max() else {
        return 0.0;
    };
    let mut chosen = FixedBitSet::with_capacity(top as usize + 1);
    for &s in seeds {
        chosen.insert(s as usize);
    }
    (0..sets.len())
        .into_par_iter()
        .filter(|&i| sets.set(i).iter().any(|&v| chosen.contains(v as usize)))
        .count() as f64
}

/// The mean and standard error of the spread of `seeds` over `runs` runs with `coins`.
#[allow(clippy::too_many_arguments)]
fn estimate(
    graph: &Graph,
    seeds: &[u32],
    p: Transmission,
    coins: &LaneCoins,
    runs: usize,
    seed: u64,
    parallel: bool,
    cancel: &dyn Interrupt,
) -> Result<(f64, f64)> {
    let sizes = sizes_with(
        graph,
        &Seeds::Nodes(seeds.to_vec()),
        p,
        coins,
        runs,
        seed,
        parallel,
        cancel,
    )?;
    let r = runs as f64;
    let mean = sizes.iter().map(|&s| f64::from(s)).sum::<f64>() / r;
    let var = sizes
        .iter()
        .map(|&s| (f64::from(s) - mean).powi(2))
        .sum::<f64>()
        / (r - 1.0).max(1.0);
    Ok((mean, (var / r).sqrt()))
}

/// CELF over fused estimates that share their coins, so a node's gain is measured on the
/// same live edges as the spread it adds to.
fn celf(
    graph: &Graph,
    p: Transmission,
    choice: &Choice,
    req: &Request,
    runs: usize,
    parallel: bool,
    cancel: &dyn Interrupt,
) -> Result<(Vec<u32>, Vec<f64>)> {
    let coins = LaneCoins::new(req.seed, Subsystem::Seeding, 0);
    let n = graph.n_nodes() as usize;
    let eligible: Vec<u32> = (0..n as u32)
        .filter(|&v| choice.eligible.is_none_or(|e| e[v as usize]))
        .collect();
    let mean = |lanes: &mut Lanes, seeds: Vec<u32>| {
        let seeds = Seeds::Nodes(seeds);
        mean_in(lanes, graph, &seeds, p, &coins, runs, req.seed, cancel)
    };
    let alone = |lanes: &mut Result<Lanes>, v: u32| match lanes {
        Ok(lanes) => mean(lanes, vec![v]),
        Err(e) => Err(e.clone()),
    };
    let singles: Vec<f64> = if parallel {
        eligible
            .par_iter()
            .map_init(|| Lanes::new(graph), |lanes, &v| alone(lanes, v))
            .collect::<Result<_>>()?
    } else {
        let mut lanes = Lanes::new(graph);
        eligible
            .iter()
            .map(|&v| alone(&mut lanes, v))
            .collect::<Result<_>>()?
    };
    let score = |v: u32, gain: f64| match choice.cost {
        None => gain,
        Some((cost, _)) => gain / cost[v as usize].max(f64::MIN_POSITIVE),
    };
    // (score, lowest id first, gain, round the gain was measured in)
    let mut heap: Vec<(f64, u32, f64, usize)> = eligible
        .iter()
        .zip(&singles)
        .map(|(&v, &g)| (score(v, g), v, g, 0))
        .collect();
    let better = |a: &(f64, u32, f64, usize), b: &(f64, u32, f64, usize)| {
        a.0.total_cmp(&b.0).then(b.1.cmp(&a.1))
    };
    let (mut seeds, mut gains) = (Vec::new(), Vec::new());
    let (mut current, mut spent) = (0.0, 0.0);
    let mut lanes = Lanes::new(graph)?;
    while seeds.len() < choice.k {
        if let Some((cost, budget)) = choice.cost {
            heap.retain(|e| spent + cost[e.1 as usize] <= budget);
        }
        let Some(top) = heap
            .iter()
            .enumerate()
            .max_by(|a, b| better(a.1, b.1))
            .map(|x| x.0)
        else {
            break;
        };
        let entry = heap.swap_remove(top);
        if entry.3 == seeds.len() {
            seeds.push(entry.1);
            gains.push(entry.2);
            current += entry.2;
            if let Some((cost, _)) = choice.cost {
                spent += cost[entry.1 as usize];
            }
            continue;
        }
        let mut with = seeds.clone();
        with.push(entry.1);
        let s = mean(&mut lanes, with)?;
        let gain = s - current;
        heap.push((score(entry.1, gain), entry.1, gain, seeds.len()));
    }
    if let Some((cost, budget)) = choice.cost {
        let best = eligible
            .iter()
            .zip(&singles)
            .filter(|(v, _)| cost[**v as usize] <= budget)
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)));
        if let Some((&v, &s)) = best {
            if s > current {
                return Ok((vec![v], vec![s]));
            }
        }
    }
    Ok((seeds, gains))
}

/// Chooses seeds as `req` asks and evaluates them by independent Monte Carlo.
pub fn select_seeds(
    graph: &Graph,
    p: Transmission,
    req: &Request,
    parallel: bool,
    cancel: &dyn Interrupt,
) -> Result<Selection> {
    let (eligible, k) = check(graph, req)?;
    let choice = Choice {
        k,
        eligible: eligible.as_ref(),
        cost: req.cost,
        upper_bound: req.method == Method::OpimC,
    };
    let (seeds, marginal, rr_sets, rr_bytes) = match req.method {
        Method::Celf { runs } => {
            let (s, g) = celf(graph, p, &choice, req, runs, parallel, cancel)?;
            (s, g, 0, 0)
        }
        Method::Imm | Method::OpimC => {
            let reverse = Reverse::new(graph, p)?;
            let run = if req.method == Method::Imm {
                imm
            } else {
                opim_c
            };
            let sampled = run(
                graph,
                &reverse,
                &choice,
                eligible.as_ref(),
                req,
                parallel,
                cancel,
            )?;
            let per_set = f64::from(graph.n_nodes()) / sampled.n_sets_final as f64;
            let marginal = sampled
                .chosen
                .gains
                .iter()
                .map(|&g| g as f64 * per_set)
                .collect();
            (sampled.chosen.seeds, marginal, sampled.sets, sampled.bytes)
        }
    };
    let coins = LaneCoins::new(req.seed, Subsystem::Seeding, 1);
    let (spread, stderr) = estimate(
        graph,
        &seeds,
        p,
        &coins,
        req.evaluation_runs,
        req.seed,
        parallel,
        cancel,
    )?;
    Ok(Selection {
        seeds,
        marginal,
        spread,
        stderr,
        rr_sets,
        rr_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::generators::barabasi_albert;
    use std::sync::atomic::AtomicBool;

    fn request(method: Method) -> Request<'static> {
        Request {
            k: 5,
            method,
            epsilon: 0.2,
            seed: 3,
            candidates: None,
            cost: None,
            memory_limit: None,
            evaluation_runs: 64,
        }
    }

    #[test]
    fn the_same_seeds_for_any_threads() {
        let g = barabasi_albert(3_000, 3, 1).unwrap();
        let go = AtomicBool::new(false);
        for method in [Method::Imm, Method::OpimC, Method::Celf { runs: 64 }] {
            let req = request(method);
            let run = |threads: usize| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap()
                    .install(|| {
                        select_seeds(&g, Transmission::Uniform(0.05), &req, threads > 1, &go)
                            .unwrap()
                    })
            };
            let one = run(1);
            assert_eq!(one, run(3), "{method:?}");
            assert_eq!(one.seeds.len(), 5);
        }
    }

    #[test]
    fn bad_requests_name_their_argument() {
        let g = barabasi_albert(100, 2, 1).unwrap();
        let go = AtomicBool::new(false);
        let p = Transmission::Uniform(0.1);
        let fails = |req: Request, name: &str| {
            let err = select_seeds(&g, p, &req, false, &go).unwrap_err();
            assert!(err.to_string().starts_with(name), "{err}");
        };
        fails(
            Request {
                k: 0,
                ..request(Method::Imm)
            },
            "k must",
        );
        fails(
            Request {
                k: 101,
                ..request(Method::Imm)
            },
            "k must",
        );
        fails(
            Request {
                epsilon: 1.0,
                ..request(Method::Imm)
            },
            "epsilon must",
        );
        fails(
            Request {
                candidates: Some(&[]),
                ..request(Method::Imm)
            },
            "candidates must",
        );
        let cost = vec![2.0; 100];
        fails(
            Request {
                cost: Some((&cost, 1.0)),
                ..request(Method::Imm)
            },
            "budget must",
        );
        let nan = vec![f64::NAN; 100];
        fails(
            Request {
                cost: Some((&nan, 1.0)),
                ..request(Method::Imm)
            },
            "cost must",
        );
        fails(
            Request {
                memory_limit: Some(1_000),
                ..request(Method::Imm)
            },
            "not enough memory for the reverse-reachable sets",
        );
    }
}
