//! Independent cascades (IC): how shared creative and referrals spread over the network.
//!
//! Seeds are active at generation 0. Every node activated at generation g gets exactly one
//! chance per out-edge to activate that neighbour at generation g + 1, independently with the
//! edge's probability. Nodes are processed first-in first-out, which is breadth-first and
//! fixes the order of draws, so a seed gives one realization whatever the caller asks for
//! (sizes, or who activated whom).
//!
//! With one probability for every edge the engine does not flip a coin per edge: it draws the
//! gap to the next successful edge from the geometric distribution, so the cost of a node is
//! the number of neighbours it activates, not its degree. Work is proportional to the cascade:
//! the active set is a bitset cleared by walking the activated nodes, never by a pass over n.

use crate::control::Interrupt;
use crate::errors::{Error, Result, try_filled};
use crate::graph::csr::Graph;
use crate::rng::{GeometricSkip, Stream, Subsystem, below, coin, stream};
use fixedbitset::FixedBitSet;
use rayon::prelude::*;

/// The probability that an edge passes the cascade on.
#[derive(Clone, Copy, Debug)]
pub enum Transmission<'a> {
    /// The same probability for every edge.
    Uniform(f64),
    /// One probability per stored edge, aligned with the graph's adjacency.
    PerEdge(&'a [f32]),
    /// `scale` times the edge's weight (capped at 1), where `max_weight` bounds the weights:
    /// how shared creative and endorsements pass along ties of different strength without a
    /// probability array per campaign.
    Weighted {
        weights: &'a [f32],
        scale: f64,
        max_weight: f32,
    },
}

impl<'a> Transmission<'a> {
    /// A single probability for every edge, in [0, 1].
    pub fn uniform(p: f64) -> Result<Self> {
        if !(0.0..=1.0).contains(&p) {
            return Err(Error::out_of_range("p", p, "in [0, 1]"));
        }
        Ok(Transmission::Uniform(p))
    }

    /// One probability per stored edge of `graph`, each in [0, 1].
    pub fn per_edge(graph: &Graph, p: &'a [f32], name: &'static str) -> Result<Self> {
        if p.len() != graph.n_stored() {
            return Err(Error::length(
                name,
                graph.n_stored(),
                p.len(),
                "one probability per stored edge (an undirected edge is stored twice)",
            ));
        }
        if let Some(bad) = p.par_iter().find_any(|x| !(0.0..=1.0).contains(*x)) {
            return Err(Error::out_of_range(name, bad, "in [0, 1] for every edge"));
        }
        Ok(Transmission::PerEdge(p))
    }
}

/// The transmission probability as a caller gives it: one for every edge, one per stored
/// edge (in CSR order), or the graph's own tie weights.
#[derive(Clone, Debug)]
pub enum Probability {
    Uniform(f64),
    PerEdge(Vec<f32>),
    Weights,
}

impl Probability {
    /// A probability given by name: only `"weights"` names one.
    pub fn named(name: &str) -> Result<Self> {
        match name {
            "weights" => Ok(Probability::Weights),
            _ => Err(Error::out_of_range(
                "p",
                crate::errors::quoted(name),
                "a probability in [0, 1], an array of per-edge probabilities, or 'weights'",
            )),
        }
    }

    /// The transmission this gives on `graph`, checked against it.
    pub fn on<'a>(&'a self, graph: &'a Graph) -> Result<Transmission<'a>> {
        match self {
            Probability::Uniform(p) => Transmission::uniform(*p),
            Probability::PerEdge(p) => Transmission::per_edge(graph, p, "p"),
            Probability::Weights => match graph.weights() {
                Some(w) => Transmission::per_edge(graph, w, "the graph's weights (p='weights')"),
                None => Err(Error::out_of_range(
                    "p",
                    "'weights'",
                    "a probability or per-edge array: the graph has no weights",
                )),
            },
        }
    }
}

/// Where a cascade starts.
#[derive(Clone, Debug)]
pub enum Seeds {
    /// These nodes (duplicates count once).
    Nodes(Vec<u32>),
    /// `k` distinct nodes drawn uniformly at random, anew for every run.
    Random(u32),
}

impl Seeds {
    /// Checks the seeds against `graph`.
    pub fn check(&self, graph: &Graph) -> Result<()> {
        let n = graph.n_nodes();
        match self {
            Seeds::Nodes(ids) => match ids.iter().find(|&&s| s >= n) {
                Some(bad) => Err(Error::out_of_range(
                    "seeds",
                    bad,
                    format!("node ids in [0, n) = [0, {n})"),
                )),
                None => Ok(()),
            },
            Seeds::Random(k) if *k > n => Err(Error::out_of_range(
                "k",
                k,
                format!("in [0, n] = [0, {n}] (the number of random seeds)"),
            )),
            Seeds::Random(_) => Ok(()),
        }
    }
}

/// Receives activations as a cascade unfolds; the sizes-only path uses `()` and costs nothing.
trait Observer {
    fn activated(&mut self, node: u32, parent: Option<u32>, generation: u32);
}

impl Observer for () {
    #[inline(always)]
    fn activated(&mut self, _: u32, _: Option<u32>, _: u32) {}
}

/// Who activated whom: the generation and parent of every node.
struct Lineage {
    generation: Vec<i32>,
    parent: Vec<i64>,
}

impl Observer for Lineage {
    #[inline]
    fn activated(&mut self, node: u32, parent: Option<u32>, generation: u32) {
        self.generation[node as usize] = generation as i32;
        self.parent[node as usize] = parent.map_or(-1, i64::from);
    }
}

/// How a transmitting node picks which of its out-edges fire.
pub(crate) trait Fire {
    /// Calls `hit(e)` for each edge in `edges` that transmits, in ascending order.
    fn fire(&self, rng: &mut Stream, edges: std::ops::Range<usize>, hit: impl FnMut(usize));
}

/// p = 1: every edge fires, no draws.
pub(crate) struct Every;

impl Fire for Every {
    #[inline]
    fn fire(&self, _: &mut Stream, edges: std::ops::Range<usize>, hit: impl FnMut(usize)) {
        edges.for_each(hit);
    }
}

impl Fire for GeometricSkip {
    #[inline]
    fn fire(&self, rng: &mut Stream, edges: std::ops::Range<usize>, mut hit: impl FnMut(usize)) {
        let mut e = edges.start;
        loop {
            e = e.saturating_add(self.sample(rng) as usize);
            if e >= edges.end {
                return;
            }
            hit(e);
            e += 1;
        }
    }
}

/// One coin per edge with the edge's own probability.
pub(crate) struct PerEdgeCoins<'a>(pub(crate) &'a [f32]);

impl Fire for PerEdgeCoins<'_> {
    #[inline]
    fn fire(&self, rng: &mut Stream, edges: std::ops::Range<usize>, mut hit: impl FnMut(usize)) {
        for e in edges {
            if coin(rng, self.0[e]) {
                hit(e);
            }
        }
    }
}

/// Edge e fires with probability min(1, scale x weight[e]): skip to candidates at the
/// largest such probability, then keep each with its own share of it (thinning), so a node
/// costs its candidates, not its degree, and the law is exactly the per-edge coins'.
pub(crate) struct ThinnedSkip<'a> {
    pub(crate) skip: GeometricSkip,
    pub(crate) weights: &'a [f32],
    /// scale / (largest probability): the acceptance per unit of weight.
    pub(crate) scale: f32,
}

impl Fire for ThinnedSkip<'_> {
    #[inline]
    fn fire(&self, rng: &mut Stream, edges: std::ops::Range<usize>, mut hit: impl FnMut(usize)) {
        let mut e = edges.start;
        loop {
            e = e.saturating_add(self.skip.sample(rng) as usize);
            if e >= edges.end {
                return;
            }
            if coin(rng, self.weights[e] * self.scale) {
                hit(e);
            }
            e += 1;
        }
    }
}

/// Reusable per-thread state for running cascades on graphs of up to `n` nodes.
pub struct Workspace {
    active: FixedBitSet,
    /// Activated nodes in activation order; doubles as the FIFO queue.
    queue: Vec<u32>,
    /// The edges fired by the block being handled (edge, then its target) and the position
    /// in the block of the node that fired each.
    fired: Vec<(usize, u32)>,
}

impl Workspace {
    /// A workspace for graphs of `n` nodes.
    pub fn new(n: u32) -> Self {
        Self {
            active: FixedBitSet::with_capacity(n as usize),
            queue: Vec::new(),
            fired: Vec::new(),
        }
    }

    /// The nodes activated by the last run, in activation order.
    pub fn activated(&self) -> &[u32] {
        &self.queue
    }

    /// Runs one cascade with draws from `rng`; returns the number of nodes activated.
    ///
    /// Stops after `max_generations` generations if given, and early (returning
    /// `Error::Interrupted`) when `cancel` is raised between generations. `seeds` and `p`
    /// must have been checked against `graph`.
    pub fn run(
        &mut self,
        graph: &Graph,
        seeds: &Seeds,
        p: Transmission,
        rng: &mut Stream,
        max_generations: Option<u32>,
        cancel: &dyn Interrupt,
    ) -> Result<usize> {
        self.run_observed(graph, seeds, p, rng, max_generations, cancel, &mut ())
    }

    #[allow(clippy::too_many_arguments)]
    fn run_observed(
        &mut self,
        graph: &Graph,
        seeds: &Seeds,
        p: Transmission,
        rng: &mut Stream,
        max_generations: Option<u32>,
        cancel: &dyn Interrupt,
        obs: &mut impl Observer,
    ) -> Result<usize> {
        debug_assert!(self.active.len() >= graph.n_nodes() as usize);
        self.clear();
        self.plant(graph.n_nodes(), seeds, rng, obs);
        let limit = max_generations.unwrap_or(u32::MAX);
        match p {
            Transmission::Uniform(p) if p <= 0.0 => Ok(()),
            Transmission::Uniform(p) if p >= 1.0 => {
                self.spread(graph, &Every, rng, limit, cancel, obs)
            }
            Transmission::Uniform(p) => {
                self.spread(graph, &GeometricSkip::new(p), rng, limit, cancel, obs)
            }
            Transmission::PerEdge(probs) => {
                self.spread(graph, &PerEdgeCoins(probs), rng, limit, cancel, obs)
            }
            Transmission::Weighted {
                weights,
                scale,
                max_weight,
            } => {
                let top = (scale * f64::from(max_weight)).min(1.0);
                if top <= 0.0 {
                    Ok(())
                } else {
                    let thinned = ThinnedSkip {
                        skip: GeometricSkip::new(top),
                        weights,
                        scale: (scale / top) as f32,
                    };
                    self.spread(graph, &thinned, rng, limit, cancel, obs)
                }
            }
        }?;
        Ok(self.queue.len())
    }

    /// Forgets the last run: O(nodes it activated), not O(n).
    fn clear(&mut self) {
        for &v in &self.queue {
            self.active.set(v as usize, false);
        }
        self.queue.clear();
    }

    /// Activates the seeds (generation 0).
    fn plant(&mut self, n: u32, seeds: &Seeds, rng: &mut Stream, obs: &mut impl Observer) {
        match seeds {
            Seeds::Nodes(ids) => {
                for &s in ids {
                    if !self.active.put(s as usize) {
                        self.queue.push(s);
                        obs.activated(s, None, 0);
                    }
                }
            }
            Seeds::Random(k) => {
                // Floyd's algorithm: a uniform k-subset in k draws, using the active set.
                for j in (n - k)..n {
                    let t = below(rng, u64::from(j) + 1) as u32;
                    let s = if self.active.contains(t as usize) {
                        j
                    } else {
                        t
                    };
                    self.active.insert(s as usize);
                    self.queue.push(s);
                    obs.activated(s, None, 0);
                }
            }
        }
    }

    /// The breadth-first loop over the queue, one generation after another.
    ///
    /// Nodes are handled in blocks, in stages: read the block's edge ranges, draw which edges
    /// fire, load those edges' targets, then activate. Each stage's memory reads are
    /// independent of each other, so the CPU overlaps their cache misses instead of waiting
    /// for one at a time; the order of draws and of activations is exactly that of handling
    /// the nodes one by one.
    fn spread(
        &mut self,
        graph: &Graph,
        fire: &impl Fire,
        rng: &mut Stream,
        max_generations: u32,
        cancel: &dyn Interrupt,
        obs: &mut impl Observer,
    ) -> Result<()> {
        const BLOCK: usize = 64;
        let Workspace {
            active,
            queue,
            fired,
        } = self;
        let mut ranges: [std::ops::Range<usize>; BLOCK] = std::array::from_fn(|_| 0..0);
        let (mut head, mut generation, mut generation_end) = (0, 0u32, queue.len());
        while head < queue.len() {
            if head == generation_end {
                generation += 1;
                generation_end = queue.len();
                if cancel.stop() {
                    return Err(Error::Interrupted);
                }
            }
            if generation >= max_generations {
                break;
            }
            // A block never crosses into the next generation, so all of its nodes' children
            // belong to generation + 1.
            let block = head..generation_end.min(head + BLOCK);
            for (range, &u) in ranges.iter_mut().zip(&queue[block.clone()]) {
                *range = graph.edge_range(u);
            }
            fired.clear();
            for (i, range) in ranges[..block.len()].iter().enumerate() {
                fire.fire(rng, range.clone(), |e| fired.push((e, i as u32)));
            }
            for (e, _) in fired.iter_mut() {
                *e = graph.target(*e) as usize;
            }
            for &(v, i) in fired.iter() {
                if !active.put(v) {
                    queue.push(v as u32);
                    obs.activated(
                        v as u32,
                        Some(queue[block.start + i as usize]),
                        generation + 1,
                    );
                }
            }
            head = block.end;
        }
        Ok(())
    }
}

/// The generation at which every node was activated (-1: never) and the node that activated
/// it (-1: a seed, or never activated).
#[derive(Clone, Debug, PartialEq)]
pub struct CascadeTrace {
    pub generation: Vec<i32>,
    pub parent: Vec<i64>,
}

/// One cascade from the stream `(seed, Cascade, 0)`, with who activated whom. It is the same
/// realization as run 0 of [`cascade_sizes`] with the same seed.
pub fn cascade(
    graph: &Graph,
    seeds: &Seeds,
    p: Transmission,
    seed: u64,
    max_generations: Option<u32>,
    cancel: &dyn Interrupt,
) -> Result<CascadeTrace> {
    seeds.check(graph)?;
    let n = graph.n_nodes() as usize;
    let mut lineage = Lineage {
        generation: try_filled(n, -1, "the generations")?,
        parent: try_filled(n, -1, "the parents")?,
    };
    let mut ws = Workspace::new(graph.n_nodes());
    let mut rng = stream(seed, Subsystem::Cascade, 0);
    ws.run_observed(
        graph,
        seeds,
        p,
        &mut rng,
        max_generations,
        cancel,
        &mut lineage,
    )?;
    Ok(CascadeTrace {
        generation: lineage.generation,
        parent: lineage.parent,
    })
}

/// Final sizes of `runs` independent cascades; run r draws from the stream
/// `(seed, Cascade, r)`, so the output does not depend on how many threads run them or in
/// which order. With `parallel`, runs are spread over the current rayon pool; without, they
/// run on the calling thread.
pub fn cascade_sizes(
    graph: &Graph,
    seeds: &Seeds,
    p: Transmission,
    runs: usize,
    seed: u64,
    parallel: bool,
    cancel: &dyn Interrupt,
) -> Result<Vec<u32>> {
    seeds.check(graph)?;
    if runs < 1 {
        return Err(Error::out_of_range("runs", runs, "at least 1"));
    }
    let mut sizes = try_filled(runs, 0u32, "the cascade sizes")?;
    let fill = |first_run: usize, out: &mut [u32]| {
        let mut ws = Workspace::new(graph.n_nodes());
        for (i, size) in out.iter_mut().enumerate() {
            if cancel.stop() {
                return Err(Error::Interrupted);
            }
            let mut rng = stream(seed, Subsystem::Cascade, (first_run + i) as u64);
            *size = ws.run(graph, seeds, p, &mut rng, None, cancel)? as u32;
        }
        Ok(())
    };
    if parallel {
        // A few chunks per thread balance the load; each chunk reuses one workspace.
        let chunk = runs
            .div_ceil(rayon::current_num_threads() * 8)
            .clamp(1, 4096);
        sizes
            .par_chunks_mut(chunk)
            .enumerate()
            .try_for_each(|(c, out)| fill(c * chunk, out))?;
    } else {
        fill(0, &mut sizes)?;
    }
    Ok(sizes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::generators::erdos_renyi;
    use std::sync::atomic::AtomicBool;

    fn path(n: u32) -> Graph {
        let src: Vec<u32> = (0..n - 1).collect();
        let dst: Vec<u32> = (1..n).collect();
        Graph::from_edges(u64::from(n), &src, &dst, None, false).unwrap()
    }

    fn go() -> AtomicBool {
        AtomicBool::new(false)
    }

    #[test]
    fn p1_reaches_everything_reachable_in_bfs_order() {
        let g = path(6);
        let t = cascade(
            &g,
            &Seeds::Nodes(vec![2]),
            Transmission::Uniform(1.0),
            0,
            None,
            &go(),
        )
        .unwrap();
        assert_eq!(t.generation, vec![2, 1, 0, 1, 2, 3]);
        assert_eq!(t.parent, vec![1, 2, -1, 2, 3, 4]);
        let t = cascade(
            &g,
            &Seeds::Nodes(vec![2]),
            Transmission::Uniform(1.0),
            0,
            Some(1),
            &go(),
        )
        .unwrap();
        assert_eq!(t.generation, vec![-1, 1, 0, 1, -1, -1]);
    }

    #[test]
    fn p0_activates_only_the_seeds() {
        let g = erdos_renyi(1000, 10.0, 1).unwrap();
        let sizes = cascade_sizes(
            &g,
            &Seeds::Nodes(vec![1, 5, 5, 9]),
            Transmission::Uniform(0.0),
            50,
            3,
            true,
            &go(),
        )
        .unwrap();
        assert!(sizes.iter().all(|&s| s == 3));
        let sizes = cascade_sizes(
            &g,
            &Seeds::Random(17),
            Transmission::Uniform(0.0),
            50,
            3,
            true,
            &go(),
        )
        .unwrap();
        assert!(sizes.iter().all(|&s| s == 17));
    }

    #[test]
    fn sizes_and_trace_are_the_same_realization() {
        let g = erdos_renyi(5_000, 6.0, 2).unwrap();
        let seeds = Seeds::Nodes(vec![0, 10, 20]);
        for p in [Transmission::Uniform(0.2), Transmission::Uniform(1.0)] {
            let t = cascade(&g, &seeds, p, 11, None, &go()).unwrap();
            let reached = t.generation.iter().filter(|&&x| x >= 0).count();
            let sizes = cascade_sizes(&g, &seeds, p, 3, 11, true, &go()).unwrap();
            assert_eq!(sizes[0] as usize, reached);
        }
    }

    #[test]
    fn parents_are_neighbours_one_generation_earlier() {
        let g = erdos_renyi(3_000, 5.0, 4).unwrap();
        let t = cascade(
            &g,
            &Seeds::Random(5),
            Transmission::Uniform(0.3),
            8,
            None,
            &go(),
        )
        .unwrap();
        for v in 0..g.n_nodes() as usize {
            let (generation, par) = (t.generation[v], t.parent[v]);
            if generation > 0 {
                let u = par as u32;
                assert_eq!(t.generation[u as usize], generation - 1);
                assert!(g.neighbors(u).contains(&(v as u32)));
            } else {
                assert_eq!(par, -1);
            }
        }
    }

    #[test]
    fn results_do_not_depend_on_threads() {
        let g = erdos_renyi(20_000, 4.0, 5).unwrap();
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                cascade_sizes(
                    &g,
                    &Seeds::Random(3),
                    Transmission::Uniform(0.3),
                    500,
                    77,
                    threads > 1,
                    &go(),
                )
                .unwrap()
            })
        };
        let one = run(1);
        assert_eq!(one, run(2));
        assert_eq!(one, run(3));
        assert!(
            one.iter().any(|&s| s > 100),
            "supercritical: some cascades go giant"
        );
    }

    #[test]
    fn bad_input_is_rejected() {
        let g = path(4);
        assert!(Transmission::uniform(1.5).is_err());
        assert!(Transmission::uniform(f64::NAN).is_err());
        assert!(Transmission::per_edge(&g, &[0.5; 3], "p").is_err());
        assert!(Transmission::per_edge(&g, &[0.5, 0.5, 0.5, 0.5, 0.5, -0.1], "p").is_err());
        let p = Transmission::Uniform(0.5);
        assert!(cascade_sizes(&g, &Seeds::Nodes(vec![4]), p, 1, 0, true, &go()).is_err());
        assert!(cascade_sizes(&g, &Seeds::Random(5), p, 1, 0, true, &go()).is_err());
        assert!(cascade_sizes(&g, &Seeds::Random(4), p, 0, 0, true, &go()).is_err());
        let stop = AtomicBool::new(true);
        assert_eq!(
            cascade_sizes(&g, &Seeds::Random(1), p, 10, 0, true, &stop),
            Err(Error::Interrupted)
        );
    }

    /// The exact expected spread by enumerating every live-edge subgraph: each stored edge is
    /// live independently with its probability, and the spread is what the seeds reach.
    fn exact_spread(g: &Graph, seeds: &[u32], p: &[f32]) -> f64 {
        let m = g.n_stored();
        let mut total = 0.0;
        for live in 0u32..(1 << m) {
            let mut weight = 1.0f64;
            for (e, &pe) in p.iter().enumerate() {
                let pe = f64::from(pe);
                weight *= if live >> e & 1 == 1 { pe } else { 1.0 - pe };
            }
            if weight == 0.0 {
                continue;
            }
            let mut reached = vec![false; g.n_nodes() as usize];
            let mut stack: Vec<u32> = seeds.to_vec();
            for &s in seeds {
                reached[s as usize] = true;
            }
            while let Some(u) = stack.pop() {
                for e in g.edge_range(u) {
                    let v = g.target(e);
                    if live >> e & 1 == 1 && !reached[v as usize] {
                        reached[v as usize] = true;
                        stack.push(v);
                    }
                }
            }
            total += weight * reached.iter().filter(|&&r| r).count() as f64;
        }
        total
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 40,
            rng_seed: proptest::test_runner::RngSeed::Fixed(20_261_122),
            failure_persistence: None,
            ..Default::default()
        })]
        #[test]
        fn monte_carlo_matches_the_exact_spread(
            n in 2u32..7,
            edges in proptest::collection::vec((0u32..7, 0u32..7, 0usize..4), 1..7),
            directed in proptest::bool::ANY,
            seed in 0u64..1000,
        ) {
            let levels = [0.0f32, 0.3, 0.7, 1.0];
            let (src, dst): (Vec<u32>, Vec<u32>) =
                edges.iter().map(|&(u, v, _)| (u % n, v % n)).unzip();
            let w: Vec<f32> = edges.iter().map(|&(_, _, l)| levels[l]).collect();
            let g = Graph::from_edges(u64::from(n), &src, &dst, Some(&w), directed).unwrap();
            proptest::prop_assume!(g.n_stored() <= 12);
            let p = g.weights().unwrap().to_vec();
            let seeds = vec![0];
            let exact = exact_spread(&g, &seeds, &p);
            let runs = 20_000;
            let t = Transmission::per_edge(&g, &p, "p").unwrap();
            let sizes = cascade_sizes(&g, &Seeds::Nodes(seeds), t, runs, seed, false, &go()).unwrap();
            let mean = sizes.iter().map(|&s| f64::from(s)).sum::<f64>() / runs as f64;
            let var = sizes.iter().map(|&s| (f64::from(s) - mean).powi(2)).sum::<f64>() / (runs - 1) as f64;
            let se = (var / runs as f64).sqrt();
            proptest::prop_assert!((mean - exact).abs() <= 4.0 * se + 1e-9, "mean {} exact {} se {}", mean, exact, se);
            // Weighted transmission (scale x weight, thinned skips) has the same law as coins
            // with those probabilities.
            let scale = 0.8;
            let scaled: Vec<f32> = p.iter().map(|w| (w * scale as f32).min(1.0)).collect();
            let exact = exact_spread(&g, &[0], &scaled);
            let t = Transmission::Weighted { weights: &p, scale, max_weight: 1.0 };
            let sizes = cascade_sizes(&g, &Seeds::Nodes(vec![0]), t, runs, seed, false, &go()).unwrap();
            let mean = sizes.iter().map(|&s| f64::from(s)).sum::<f64>() / runs as f64;
            let var = sizes.iter().map(|&s| (f64::from(s) - mean).powi(2)).sum::<f64>() / (runs - 1) as f64;
            let se = (var / runs as f64).sqrt();
            proptest::prop_assert!((mean - exact).abs() <= 4.0 * se + 1e-9, "weighted: mean {} exact {} se {}", mean, exact, se);
        }
    }
}
