//! Many independent cascades at once: 64 runs advance together, one per bit of a machine word.
//!
//! Each node holds a word whose bit `l` says whether it is active in lane `l`; a frontier node
//! passes its newly active lanes to each out-neighbour through the edge's 64 coins at once.
//! Coins are keyed by (seed, edge, run) (`rng::LaneCoins`), not drawn from a stream in order, so
//! an edge is live or not in a run whatever else runs beside it: a run replayed alone, in a
//! batch of any size or on any thread gives the same size. With an edge live independently
//! with its probability, the set a cascade reaches is what the seeds reach over live edges,
//! so the law is the one-run engine's ([`crate::graph::cascade`]), which stays the oracle and
//! the source of traces. Random seeds of run `r` are drawn like the one-run engine's, from the
//! stream `(seed, Cascade, r)`, so with p = 0 or 1 the two give the very same sizes.
//!
//! A node is handed on when lanes reach it; one handed on before waits until the queue runs
//! dry, gathering lanes. Where nodes are handed on many times (sparse cascades: 5-6 passes
//! on average), later passes reuse their edges' coins for every lane, cached from the second
//! pass (8 bytes per stored edge per thread); where they are handed on about twice (dense
//! cascades), the cache costs more memory traffic than it saves and passes draw the coins of
//! the lanes they need. Each word sets this from the last; sizes do not depend on it. Where
//! cascades are small each node is handed on once, in few lanes, and fusing gains little;
//! where they are large, lanes share the passes over a node's edges.

use crate::control::Interrupt;
use crate::errors::{Error, Result, try_filled};
use crate::graph::cascade::{Seeds, Transmission};
use crate::graph::csr::Graph;
use crate::rng::{LaneCoins, Subsystem, below, coin_threshold, stream};
use rayon::prelude::*;

/// Runs per word.
pub const LANES: usize = 64;

/// Stamps of [`Lanes::visits`]: a word's values are `VISITS w + j`, `j` in 1..=`CACHED`.
const VISITS: u32 = 8;
const CACHED: u32 = VISITS - 1;

/// The coin threshold of each edge (see `rng::LaneCoins::heads`).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Thresholds<'a> {
    Uniform(u64),
    PerEdge(&'a [f32]),
    Weighted { weights: &'a [f32], scale: f64 },
}

impl<'a> Thresholds<'a> {
    pub(crate) fn new(p: Transmission<'a>) -> Self {
        match p {
            Transmission::Uniform(p) => Thresholds::Uniform(coin_threshold(p)),
            Transmission::PerEdge(p) => Thresholds::PerEdge(p),
            Transmission::Weighted { weights, scale, .. } => {
                Thresholds::Weighted { weights, scale }
            }
        }
    }

    #[inline]
    fn of(&self, e: usize) -> u64 {
        match *self {
            Thresholds::Uniform(t) => t,
            Thresholds::PerEdge(p) => coin_threshold(f64::from(p[e])),
            Thresholds::Weighted { weights, scale } => {
                coin_threshold((scale * f64::from(weights[e])).min(1.0))
            }
        }
    }
}

/// Per-thread state for running words of 64 cascades on a graph of `n` nodes.
pub(crate) struct Lanes {
    /// The lanes in which each node is active.
    active: Vec<u64>,
    /// The lanes in which each node became active and has not yet handed on.
    fresh: Vec<u64>,
    /// Nodes active in some lane, each once: what to clear and count.
    touched: Vec<u32>,
    /// Nodes with lanes to hand on, each once while it waits.
    upcoming: Vec<u32>,
    /// Nodes with lanes to hand on that were handed on before, waiting to gather more.
    later: Vec<u32>,
    /// The coins of every lane of the current word on each edge out of a node handed on
    /// `cache_from` times or more, so later passes reuse them (valid where `visits` says
    /// so); allocated the first time one is.
    coins: Vec<u64>,
    /// Per node, `VISITS w + j` once handed on `j` times (up to `CACHED - 1`) in word stamp
    /// `w`, `VISITS w + CACHED` once its edges' coins are in `coins`; older values mean
    /// neither.
    visits: Vec<u32>,
    /// The current word's stamp.
    stamp: u32,
    /// The pass from which a node's coins are cached for every lane, set from the last word:
    /// where cascades are dense, lanes reach a node in few passes and caching costs more
    /// memory traffic than it saves; where they are sparse, nodes are handed on many times.
    cache_from: u32,
}

impl Lanes {
    pub(crate) fn new(graph: &Graph) -> Result<Self> {
        let n = graph.n_nodes();
        Ok(Self {
            active: try_filled(n as usize, 0, "the fused cascades' active lanes")?,
            fresh: try_filled(n as usize, 0, "the fused cascades' frontier")?,
            touched: Vec::new(),
            upcoming: Vec::new(),
            later: Vec::new(),
            coins: Vec::new(),
            visits: try_filled(n as usize, 0, "the fused cascades' visits")?,
            stamp: 0,
            cache_from: 2,
        })
    }

    /// Runs the lanes `mask` of word `word` (runs `64 word + lane`); adds each lane's final
    /// size to `sizes[lane]`. `seeds` and the thresholds must have been checked.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn run_word(
        &mut self,
        graph: &Graph,
        seeds: &Seeds,
        t: Thresholds,
        coins: &LaneCoins,
        seed: u64,
        word: u64,
        mask: u64,
        sizes: &mut [u32; LANES],
        cancel: &dyn Interrupt,
    ) -> Result<()> {
        if self.stamp >= u32::MAX / VISITS - 1 {
            self.visits.fill(0);
            self.stamp = 0;
        }
        self.stamp += 1;
        self.plant(graph.n_nodes(), seeds, seed, word, mask);
        let result = self.spread(graph, t, coins, word, mask, cancel);
        for &v in &self.touched {
            let mut a = std::mem::take(&mut self.active[v as usize]);
            self.fresh[v as usize] = 0;
            while a != 0 {
                sizes[a.trailing_zeros() as usize] += 1;
                a &= a - 1;
            }
        }
        self.touched.clear();
        self.upcoming.clear();
        self.later.clear();
        result
    }

    fn activate(&mut self, v: u32, lanes: u64) {
        let (a, f) = (&mut self.active[v as usize], &mut self.fresh[v as usize]);
        if *a == 0 {
            self.touched.push(v);
        }
        if *f == 0 {
            self.upcoming.push(v);
        }
        *a |= lanes;
        *f |= lanes;
    }

    fn plant(&mut self, n: u32, seeds: &Seeds, seed: u64, word: u64, mask: u64) {
        match seeds {
            Seeds::Nodes(ids) => {
                for &s in ids {
                    let new = mask & !self.active[s as usize];
                    if new != 0 {
                        self.activate(s, new);
                    }
                }
            }
            Seeds::Random(k) => {
                let mut lanes = mask;
                while lanes != 0 {
                    let lane = lanes.trailing_zeros() as u64;
                    lanes &= lanes - 1;
                    let bit = 1u64 << lane;
                    // The one-run engine's draws: Floyd's algorithm on the run's own stream.
                    let mut rng = stream(seed, Subsystem::Cascade, word * LANES as u64 + lane);
                    for j in (n - k)..n {
                        let t = below(&mut rng, u64::from(j) + 1) as u32;
                        let s = if self.active[t as usize] & bit != 0 {
                            j
                        } else {
                            t
                        };
                        self.activate(s, bit);
                    }
                }
            }
        }
    }

    /// Hands newly active lanes on until no lane changes. The set a lane reaches is fixed by
    /// its coins, whatever the order nodes are handled in, so a node waiting in the queue
    /// gathers the lanes that reach it meanwhile and hands them all on in one pass over its
    /// edges, instead of one pass per generation.
    fn spread(
        &mut self,
        graph: &Graph,
        t: Thresholds,
        coins: &LaneCoins,
        word: u64,
        mask: u64,
        cancel: &dyn Interrupt,
    ) -> Result<()> {
        let base = VISITS * self.stamp;
        let (once, cached) = (base + 1, base + CACHED);
        let cache_at = base + self.cache_from;
        let (mut first, mut passes) = (0u64, 0u64);
        // Nodes already handed on once wait in `later` until the queue runs dry, gathering
        // the lanes that reach them meanwhile; those that waited are then handed on
        // without waiting again (up to `forced`).
        let (mut head, mut forced) = (0, 0);
        loop {
            if head == self.upcoming.len() {
                if self.later.is_empty() {
                    break;
                }
                self.upcoming.clear();
                std::mem::swap(&mut self.upcoming, &mut self.later);
                (head, forced) = (0, self.upcoming.len());
            }
            if head % 4096 == 4095 && cancel.stop() {
                return Err(Error::Interrupted);
            }
            let u = self.upcoming[head];
            head += 1;
            if head > forced && self.visits[u as usize] >= once {
                self.later.push(u);
                continue;
            }
            let f = std::mem::take(&mut self.fresh[u as usize]);
            let range = graph.edge_range(u);
            let visits = &mut self.visits[u as usize];
            passes += 1;
            if *visits < cache_at - 1 {
                // Early passes: only the coins of the lanes that need them (a small cascade
                // hands each node on once, often in one lane).
                if *visits < once {
                    first += 1;
                    *visits = once;
                } else {
                    *visits += 1;
                }
                for e in range {
                    let v = graph.target(e);
                    let need = f & !self.active[v as usize];
                    if need != 0 {
                        let heads = coins.heads(e as u64, word, t.of(e), need);
                        if heads != 0 {
                            self.activate(v, heads);
                        }
                    }
                }
            } else {
                // Handed on again: every lane's coins, once, then reused.
                if *visits != cached {
                    *visits = cached;
                    if self.coins.is_empty() {
                        self.coins = try_filled(graph.n_stored(), 0, "the fused cascades' coins")?;
                    }
                    for e in range.clone() {
                        self.coins[e] = coins.heads(e as u64, word, t.of(e), mask);
                    }
                }
                for e in range {
                    let live = f & self.coins[e];
                    if live == 0 {
                        continue;
                    }
                    let v = graph.target(e);
                    let heads = live & !self.active[v as usize];
                    if heads != 0 {
                        self.activate(v, heads);
                    }
                }
            }
        }
        if cancel.stop() {
            return Err(Error::Interrupted);
        }
        // Cache from the second pass where nodes are handed on more than 3.5 times on
        // average (measured: sparse cascades, 5-6), from the fourth where fewer (dense ones,
        // about 2). Only speed depends on it: the coins are the same either way.
        if first > 0 {
            self.cache_from = if passes * 2 > first * 7 { 2 } else { CACHED };
        }
        Ok(())
    }
}

/// The lanes in use in word `w` of `runs` runs.
fn lane_mask(runs: usize, w: usize) -> u64 {
    let left = runs - w * LANES;
    if left >= LANES {
        u64::MAX
    } else {
        (1u64 << left) - 1
    }
}

/// Final sizes of `runs` cascades, 64 at a time, with the coins `coins` (random seeds of run
/// `r` from the stream `(seed, Cascade, r)`). The same for any thread count.
#[allow(clippy::too_many_arguments)]
pub(crate) fn sizes_with(
    graph: &Graph,
    seeds: &Seeds,
    p: Transmission,
    coins: &LaneCoins,
    runs: usize,
    seed: u64,
    parallel: bool,
    cancel: &dyn Interrupt,
) -> Result<Vec<u32>> {
    seeds.check(graph)?;
    if runs < 1 {
        return Err(Error::out_of_range("runs", runs, "at least 1"));
    }
    let t = Thresholds::new(p);
    let mut sizes = try_filled(runs, 0u32, "the cascade sizes")?;
    let word = |lanes: &mut Lanes, w: usize, out: &mut [u32]| -> Result<()> {
        if cancel.stop() {
            return Err(Error::Interrupted);
        }
        let mut word_sizes = [0u32; LANES];
        lanes.run_word(
            graph,
            seeds,
            t,
            coins,
            seed,
            w as u64,
            lane_mask(runs, w),
            &mut word_sizes,
            cancel,
        )?;
        out.copy_from_slice(&word_sizes[..out.len()]);
        Ok(())
    };
    if parallel && runs > LANES {
        // One word per task for balance; a workspace per worker, reused across its words.
        sizes.par_chunks_mut(LANES).enumerate().try_for_each_init(
            || Lanes::new(graph),
            |lanes, (w, out)| match lanes {
                Ok(lanes) => word(lanes, w, out),
                Err(e) => Err(e.clone()),
            },
        )?;
    } else {
        let mut lanes = Lanes::new(graph)?;
        for (w, out) in sizes.chunks_mut(LANES).enumerate() {
            word(&mut lanes, w, out)?;
        }
    }
    Ok(sizes)
}

/// The mean size of `runs` cascades from `seeds` on this thread, in the workspace `lanes`
/// (reused from call to call: a workspace costs 20 bytes per node to clear).
#[allow(clippy::too_many_arguments)]
pub(crate) fn mean_in(
    lanes: &mut Lanes,
    graph: &Graph,
    seeds: &Seeds,
    p: Transmission,
    coins: &LaneCoins,
    runs: usize,
    seed: u64,
    cancel: &dyn Interrupt,
) -> Result<f64> {
    let t = Thresholds::new(p);
    let mut total = 0u64;
    for w in 0..runs.div_ceil(LANES) {
        let mut sizes = [0u32; LANES];
        let mask = lane_mask(runs, w);
        lanes.run_word(
            graph, seeds, t, coins, seed, w as u64, mask, &mut sizes, cancel,
        )?;
        total += sizes.iter().map(|&s| u64::from(s)).sum::<u64>();
    }
    Ok(total as f64 / runs as f64)
}

/// The coins of [`cascade_sizes`] for `seed`.
pub fn cascade_coins(seed: u64) -> LaneCoins {
    LaneCoins::new(seed, Subsystem::Cascade, 0)
}

/// Final sizes of `runs` independent cascades, run 64 at a time. Run `r` is a function of
/// `(seed, r)` alone (see [`replay`]); the sizes do not depend on threads. Same arguments as
/// [`crate::graph::cascade::cascade_sizes`], the same law.
pub fn cascade_sizes(
    graph: &Graph,
    seeds: &Seeds,
    p: Transmission,
    runs: usize,
    seed: u64,
    parallel: bool,
    cancel: &dyn Interrupt,
) -> Result<Vec<u32>> {
    let coins = cascade_coins(seed);
    sizes_with(graph, seeds, p, &coins, runs, seed, parallel, cancel)
}

/// The size of run `run` of [`cascade_sizes`] with `seed`, run alone.
pub fn replay(
    graph: &Graph,
    seeds: &Seeds,
    p: Transmission,
    seed: u64,
    run: u64,
    cancel: &dyn Interrupt,
) -> Result<u32> {
    seeds.check(graph)?;
    let mut lanes = Lanes::new(graph)?;
    let mut sizes = [0u32; LANES];
    let (word, lane) = (run / LANES as u64, run % LANES as u64);
    lanes.run_word(
        graph,
        seeds,
        Thresholds::new(p),
        &cascade_coins(seed),
        seed,
        word,
        1 << lane,
        &mut sizes,
        cancel,
    )?;
    Ok(sizes[lane as usize])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::cascade::cascade_sizes as one_at_a_time;
    use crate::graph::generators::{barabasi_albert, erdos_renyi};
    use std::sync::atomic::AtomicBool;

    fn go() -> AtomicBool {
        AtomicBool::new(false)
    }

    fn mean_se(sizes: &[u32]) -> (f64, f64) {
        let n = sizes.len() as f64;
        let mean = sizes.iter().map(|&s| f64::from(s)).sum::<f64>() / n;
        let var = sizes
            .iter()
            .map(|&s| (f64::from(s) - mean).powi(2))
            .sum::<f64>()
            / (n - 1.0);
        (mean, (var / n).sqrt())
    }

    #[test]
    fn p0_and_p1_give_the_one_run_engines_sizes_exactly() {
        let g = erdos_renyi(3_000, 1.5, 3).unwrap();
        for p in [0.0, 1.0] {
            let p = Transmission::Uniform(p);
            for seeds in [Seeds::Random(4), Seeds::Nodes(vec![1, 7, 7, 100])] {
                let fused = cascade_sizes(&g, &seeds, p, 150, 9, true, &go()).unwrap();
                let one = one_at_a_time(&g, &seeds, p, 150, 9, true, &go()).unwrap();
                assert_eq!(fused, one);
            }
        }
    }

    #[test]
    fn the_same_for_any_threads_batch_and_replayed_alone() {
        let g = barabasi_albert(5_000, 3, 2).unwrap();
        let seeds = Seeds::Random(2);
        let p = Transmission::Uniform(0.15);
        let run = |threads: usize, runs: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| cascade_sizes(&g, &seeds, p, runs, 4, threads > 1, &go()).unwrap())
        };
        let all = run(1, 300);
        assert_eq!(all, run(3, 300));
        assert_eq!(all[..100], run(2, 100)[..]);
        for r in [0u64, 63, 64, 65, 199, 299] {
            assert_eq!(replay(&g, &seeds, p, 4, r, &go()).unwrap(), all[r as usize]);
        }
        assert!(all.iter().any(|&s| s > 50));
    }

    #[test]
    fn sizes_do_not_depend_on_when_coins_are_cached() {
        // Sparse (many passes per node) and dense (about two) cascades, each word run with
        // every lane's coins cached from the second pass, the fourth, or (almost) never.
        for (g, p) in [
            (barabasi_albert(3_000, 3, 5).unwrap(), 0.08),
            (erdos_renyi(3_000, 12.0, 5).unwrap(), 0.4),
        ] {
            let (t, coins) = (Thresholds::new(Transmission::Uniform(p)), cascade_coins(9));
            let sizes = |cache_from: u32| {
                let mut lanes = Lanes::new(&g).unwrap();
                let mut all = Vec::new();
                for w in 0..3u64 {
                    let mut sizes = [0u32; LANES];
                    lanes.cache_from = cache_from;
                    lanes
                        .run_word(
                            &g,
                            &Seeds::Random(3),
                            t,
                            &coins,
                            9,
                            w,
                            u64::MAX,
                            &mut sizes,
                            &go(),
                        )
                        .unwrap();
                    all.extend(sizes);
                }
                all
            };
            let early = sizes(2);
            assert_eq!(early, sizes(4));
            assert_eq!(early, sizes(CACHED));
            assert!(early.iter().any(|&s| s > 100), "{p}");
        }
    }

    #[test]
    fn agrees_with_the_one_run_engine_in_law() {
        let g = erdos_renyi(2_000, 4.0, 6).unwrap();
        let w: Vec<f32> = (0..g.n_stored()).map(|e| (e % 7) as f32 / 20.0).collect();
        for p in [
            Transmission::Uniform(0.2),
            Transmission::Uniform(0.4),
            Transmission::PerEdge(&w),
            Transmission::Weighted {
                weights: &w,
                scale: 1.5,
                max_weight: 0.3,
            },
        ] {
            let seeds = Seeds::Nodes(vec![0, 1]);
            let (a, sa) = mean_se(&cascade_sizes(&g, &seeds, p, 4_000, 1, true, &go()).unwrap());
            let (b, sb) = mean_se(&one_at_a_time(&g, &seeds, p, 4_000, 2, true, &go()).unwrap());
            assert!(
                (a - b).abs() <= 4.0 * (sa * sa + sb * sb).sqrt(),
                "{p:?}: {a} vs {b}"
            );
        }
    }

    #[test]
    fn subcritical_mean_size_matches_its_closed_form() {
        // On a large sparse ER graph with transmissibility T = p c < 1, a cascade from one
        // random node is a branching process with Poisson(T) offspring: mean size 1 / (1 - T).
        let (c, p) = (4.0, 0.125);
        let g = erdos_renyi(200_000, c, 8).unwrap();
        let sizes = cascade_sizes(
            &g,
            &Seeds::Random(1),
            Transmission::Uniform(p),
            20_000,
            3,
            true,
            &go(),
        )
        .unwrap();
        let (mean, se) = mean_se(&sizes);
        let want = 1.0 / (1.0 - c * p);
        assert!((mean - want).abs() <= 4.0 * se + 0.01, "{mean} vs {want}");
    }

    #[test]
    fn supercritical_giant_share_matches_its_closed_form() {
        // With T = p c > 1 the share s of the graph reached by a giant cascade solves
        // s = 1 - exp(-T s) (bond percolation on ER); the chance to start one is also s.
        let (c, p) = (10.0, 0.2);
        let g = erdos_renyi(100_000, c, 9).unwrap();
        let sizes = cascade_sizes(
            &g,
            &Seeds::Random(1),
            Transmission::Uniform(p),
            640,
            5,
            true,
            &go(),
        )
        .unwrap();
        let mut s = 0.5f64;
        for _ in 0..200 {
            s = 1.0 - (-c * p * s).exp();
        }
        let giants: Vec<f64> = sizes
            .iter()
            .filter(|&&x| x > 1_000)
            .map(|&x| f64::from(x) / 1e5)
            .collect();
        let share = giants.len() as f64 / sizes.len() as f64;
        let se = (s * (1.0 - s) / sizes.len() as f64).sqrt();
        assert!((share - s).abs() < 4.0 * se, "{share} vs {s}");
        let mean = giants.iter().sum::<f64>() / giants.len() as f64;
        assert!((mean - s).abs() < 0.01, "giant size {mean} vs {s}");
    }

    #[test]
    fn bad_input_and_interrupts() {
        let g = erdos_renyi(100, 3.0, 1).unwrap();
        let p = Transmission::Uniform(0.5);
        assert!(cascade_sizes(&g, &Seeds::Nodes(vec![100]), p, 5, 0, true, &go()).is_err());
        assert!(cascade_sizes(&g, &Seeds::Nodes(vec![1]), p, 0, 0, true, &go()).is_err());
        let stop = AtomicBool::new(true);
        assert_eq!(
            cascade_sizes(&g, &Seeds::Random(1), p, 500, 0, true, &stop),
            Err(Error::Interrupted)
        );
    }
}
