//! Reverse-reachable (RR) sets: the nodes that would have reached a random root.
//!
//! Pick a root uniformly, keep each edge live with its probability, and walk the live edges
//! backwards from the root: the nodes met form an RR set. A seed set reaches the root in a
//! cascade exactly when it meets the RR set, so n times the share of RR sets a seed set meets
//! is an unbiased estimate of its expected spread; choosing seeds becomes maximum coverage.
//! RR set `i` of collection `c` draws only from the stream `(seed, Seeding, c·2^48 + i)`, so
//! a collection is the same whatever the number of threads that draw it.

use crate::control::Interrupt;
use crate::errors::{Error, Result, try_filled};
use crate::graph::cascade::{Every, Fire, PerEdgeCoins, ThinnedSkip, Transmission};
use crate::graph::csr::Graph;
use crate::rng::{GeometricSkip, Stream, Subsystem, below, stream};
use fixedbitset::FixedBitSet;
use rayon::prelude::*;
use std::borrow::Cow;
use std::sync::atomic::{AtomicU32, Ordering};

/// The probability of each reversed edge, aligned with [`Reverse`]'s sources.
#[derive(Clone, Debug)]
enum Law<'a> {
    Uniform(f64),
    PerEdge(Cow<'a, [f32]>),
    Weighted {
        weights: Cow<'a, [f32]>,
        scale: f64,
        max_weight: f32,
    },
}

/// The graph with every edge turned around, each keeping its probability: in-neighbours of
/// `v` are `sources[offsets[v]..offsets[v + 1]]`. An undirected graph is its own reverse
/// unless per-edge probabilities may differ between an edge's two directions.
pub(crate) struct Reverse<'a> {
    offsets: Cow<'a, [u64]>,
    sources: Cow<'a, [u32]>,
    law: Law<'a>,
}

impl<'a> Reverse<'a> {
    pub(crate) fn new(graph: &'a Graph, p: Transmission<'a>) -> Result<Self> {
        let (offsets, targets, _) = graph.csr();
        if !graph.is_directed() && !matches!(p, Transmission::PerEdge(_)) {
            let law = match p {
                Transmission::Uniform(p) => Law::Uniform(p),
                Transmission::Weighted {
                    weights,
                    scale,
                    max_weight,
                } => Law::Weighted {
                    weights: Cow::Borrowed(weights),
                    scale,
                    max_weight,
                },
                Transmission::PerEdge(_) => unreachable!(),
            };
            return Ok(Self {
                offsets: Cow::Borrowed(offsets),
                sources: Cow::Borrowed(targets),
                law,
            });
        }
        // Counting sort of the edges by target; each keeps its own probability.
        let n = graph.n_nodes() as usize;
        let mut rev_offsets = try_filled(n + 1, 0u64, "the reversed graph's offsets")?;
        for &v in targets {
            rev_offsets[v as usize + 1] += 1;
        }
        for i in 0..n {
            rev_offsets[i + 1] += rev_offsets[i];
        }
        let mut cursor = rev_offsets.clone();
        let mut sources = try_filled(targets.len(), 0u32, "the reversed graph's edges")?;
        let per_edge = match p {
            Transmission::Uniform(_) => None,
            Transmission::PerEdge(w) | Transmission::Weighted { weights: w, .. } => Some(w),
        };
        let mut probs = match per_edge {
            Some(_) => try_filled(targets.len(), 0f32, "the reversed graph's probabilities")?,
            None => Vec::new(),
        };
        for u in 0..graph.n_nodes() {
            for e in graph.edge_range(u) {
                let v = targets[e] as usize;
                let slot = cursor[v] as usize;
                cursor[v] += 1;
                sources[slot] = u;
                if let Some(w) = per_edge {
                    probs[slot] = w[e];
                }
            }
        }
        let law = match p {
            Transmission::Uniform(p) => Law::Uniform(p),
            Transmission::PerEdge(_) => Law::PerEdge(Cow::Owned(probs)),
            Transmission::Weighted {
                scale, max_weight, ..
            } => Law::Weighted {
                weights: Cow::Owned(probs),
                scale,
                max_weight,
            },
        };
        Ok(Self {
            offsets: Cow::Owned(rev_offsets),
            sources: Cow::Owned(sources),
            law,
        })
    }

    fn n_nodes(&self) -> u32 {
        (self.offsets.len() - 1) as u32
    }

    /// Walks live reversed edges from `root`; leaves the nodes met in `ws.queue`.
    fn walk(&self, ws: &mut Walk, rng: &mut Stream, root: u32) {
        match &self.law {
            Law::Uniform(p) if *p <= 0.0 => self.bfs(ws, rng, root, None::<&Every>),
            Law::Uniform(p) if *p >= 1.0 => self.bfs(ws, rng, root, Some(&Every)),
            Law::Uniform(p) => self.bfs(ws, rng, root, Some(&GeometricSkip::new(*p))),
            Law::PerEdge(w) => self.bfs(ws, rng, root, Some(&PerEdgeCoins(w))),
            Law::Weighted {
                weights,
                scale,
                max_weight,
            } => {
                let top = (scale * f64::from(*max_weight)).min(1.0);
                if top <= 0.0 {
                    self.bfs(ws, rng, root, None::<&Every>)
                } else {
                    let thinned = ThinnedSkip {
                        skip: GeometricSkip::new(top),
                        weights,
                        scale: (scale / top) as f32,
                    };
                    self.bfs(ws, rng, root, Some(&thinned))
                }
            }
        }
    }

    fn bfs(&self, ws: &mut Walk, rng: &mut Stream, root: u32, fire: Option<&impl Fire>) {
        let Walk { seen, queue } = ws;
        for &v in queue.iter() {
            seen.set(v as usize, false);
        }
        queue.clear();
        queue.push(root);
        seen.insert(root as usize);
        let Some(fire) = fire else { return };
        let mut head = 0;
        while head < queue.len() {
            let v = queue[head] as usize;
            head += 1;
            let range = self.offsets[v] as usize..self.offsets[v + 1] as usize;
            fire.fire(rng, range, |e| {
                let u = self.sources[e];
                if !seen.put(u as usize) {
                    queue.push(u);
                }
            });
        }
    }
}

/// Per-thread state of the backward walks.
struct Walk {
    seen: FixedBitSet,
    queue: Vec<u32>,
}

/// A collection of RR sets, stored in the blocks they were drawn in (so that drawing in
/// parallel needs no copy into one array afterwards): set `i` is found in the block that
/// holds it. Only nodes that may be chosen are stored; a set with none of them still counts
/// (no choice covers it).
#[derive(Clone, Debug)]
pub(crate) struct RrSets {
    collection: u64,
    blocks: Vec<Block>,
    /// The index of each block's first set.
    firsts: Vec<usize>,
    sets: usize,
    entries: usize,
}

/// Consecutive sets, flat: set `j` of the block is `nodes[ends[j - 1]..ends[j]]`.
#[derive(Clone, Debug, Default)]
struct Block {
    nodes: Vec<u32>,
    ends: Vec<u64>,
}

impl Block {
    fn set(&self, j: usize) -> &[u32] {
        let start = if j == 0 { 0 } else { self.ends[j - 1] as usize };
        &self.nodes[start..self.ends[j] as usize]
    }
}

/// Bytes one stored node costs: the set's entry and the inverted index's entry.
pub(crate) const BYTES_PER_ENTRY: u64 = 8;
/// Bytes one set costs beyond its nodes: its end and its covered bit (rounded up).
pub(crate) const BYTES_PER_SET: u64 = 9;

impl RrSets {
    pub(crate) fn new(collection: u64) -> Self {
        Self {
            collection,
            blocks: Vec::new(),
            firsts: Vec::new(),
            sets: 0,
            entries: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.sets
    }

    /// Stored nodes over all sets.
    pub(crate) fn entries(&self) -> usize {
        self.entries
    }

    pub(crate) fn set(&self, i: usize) -> &[u32] {
        let b = self.firsts.partition_point(|&f| f <= i) - 1;
        self.blocks[b].set(i - self.firsts[b])
    }

    /// Calls `f(i, set i)` for the sets of `range`, in order.
    pub(crate) fn each(&self, range: std::ops::Range<usize>, mut f: impl FnMut(usize, &[u32])) {
        if range.is_empty() {
            return;
        }
        let mut b = self.firsts.partition_point(|&f| f <= range.start) - 1;
        let mut i = range.start;
        while i < range.end {
            let block = &self.blocks[b];
            let first = self.firsts[b];
            let stop = (first + block.ends.len()).min(range.end);
            for j in i - first..stop - first {
                f(first + j, block.set(j));
            }
            i = stop;
            b += 1;
        }
    }

    /// Appends one set (for tests that build collections by hand).
    #[cfg(test)]
    pub(crate) fn push(&mut self, set: &[u32]) {
        if self.blocks.is_empty() {
            self.blocks.push(Block::default());
            self.firsts.push(0);
        }
        let block = self.blocks.last_mut().expect("a block");
        block.nodes.extend_from_slice(set);
        block.ends.push(block.nodes.len() as u64);
        self.sets += 1;
        self.entries += set.len();
    }

    /// Mean stored nodes per set so far (1 before any is drawn).
    pub(crate) fn mean_size(&self) -> f64 {
        if self.sets == 0 {
            1.0
        } else {
            self.entries as f64 / self.sets as f64
        }
    }

    /// Draws sets until there are `count`, keeping only nodes in `keep` (all if `None`).
    pub(crate) fn extend_to(
        &mut self,
        reverse: &Reverse,
        count: usize,
        seed: u64,
        keep: Option<&FixedBitSet>,
        parallel: bool,
        cancel: &dyn Interrupt,
    ) -> Result<()> {
        let first = self.len();
        if count <= first {
            return Ok(());
        }
        let n = reverse.n_nodes();
        let draw = |range: std::ops::Range<usize>| -> Result<Block> {
            let mut ws = Walk {
                seen: FixedBitSet::with_capacity(n as usize),
                queue: Vec::new(),
            };
            let mut block = Block {
                nodes: Vec::new(),
                ends: Vec::with_capacity(range.len()),
            };
            for i in range {
                if i % 256 == 0 && cancel.stop() {
                    return Err(Error::Interrupted);
                }
                let index = self.collection << 48 | i as u64;
                let mut rng = stream(seed, Subsystem::Seeding, index);
                let root = below(&mut rng, u64::from(n)) as u32;
                reverse.walk(&mut ws, &mut rng, root);
                match keep {
                    Some(keep) => block
                        .nodes
                        .extend(ws.queue.iter().filter(|&&v| keep[v as usize])),
                    None => block.nodes.extend_from_slice(&ws.queue),
                }
                block.ends.push(block.nodes.len() as u64);
            }
            Ok(block)
        };
        let todo = count - first;
        let chunk = if parallel {
            todo.div_ceil(rayon::current_num_threads() * 8).max(512)
        } else {
            todo
        };
        let ranges: Vec<_> = (first..count)
            .step_by(chunk)
            .map(|a| a..(a + chunk).min(count))
            .collect();
        let blocks: Vec<Block> = if parallel {
            ranges.into_par_iter().map(draw).collect::<Result<_>>()?
        } else {
            ranges.into_iter().map(draw).collect::<Result<_>>()?
        };
        for block in blocks {
            self.firsts.push(self.sets);
            self.sets += block.ends.len();
            self.entries += block.nodes.len();
            self.blocks.push(block);
        }
        Ok(())
    }

    /// Bytes held: the sets and the inverted index a selection builds over them.
    pub(crate) fn bytes(&self) -> u64 {
        self.entries as u64 * BYTES_PER_ENTRY + self.sets as u64 * BYTES_PER_SET
    }
}

/// What a greedy maximum-coverage pass chose.
pub(crate) struct Chosen {
    pub(crate) seeds: Vec<u32>,
    /// Sets newly covered by each seed, in order.
    pub(crate) gains: Vec<u64>,
    /// An upper bound on the sets any `k` eligible nodes cover (Tang et al. 2018, the
    /// minimum over the greedy steps of covered + the `k` largest marginal counts).
    pub(crate) upper: u64,
}

impl Chosen {
    pub(crate) fn covered(&self) -> u64 {
        self.gains.iter().sum()
    }
}

/// Which nodes may be chosen, at what cost, with how much to spend.
pub(crate) struct Choice<'a> {
    pub(crate) k: usize,
    pub(crate) eligible: Option<&'a FixedBitSet>,
    pub(crate) cost: Option<(&'a [f64], f64)>,
    /// Compute [`Chosen::upper`] (without costs only; `u64::MAX` otherwise).
    pub(crate) upper_bound: bool,
}

/// Greedy maximum coverage: `k` times, the eligible node covering most uncovered sets (per
/// unit of cost, among those the budget left still buys; ties to the lowest id). With costs,
/// the better of that and the best single affordable node (Khuller et al.'s budgeted rule).
pub(crate) fn greedy(
    sets: &RrSets,
    n: u32,
    choice: &Choice,
    parallel: bool,
    cancel: &dyn Interrupt,
) -> Result<Chosen> {
    let n = n as usize;
    // The sets are split into one range per thread. Each range counts its nodes, so it knows
    // where its entries go in each node's list of the inverted index, and fills them; a
    // node's list holds its sets in ascending order, whatever the number of threads.
    let parts = if parallel {
        rayon::current_num_threads().max(1)
    } else {
        1
    };
    let bounds: Vec<usize> = (0..=parts).map(|r| sets.len() * r / parts).collect();
    let count_range = |r: usize| -> Result<Vec<u64>> {
        let mut c = try_filled(n, 0u64, "the coverage counts")?;
        sets.each(bounds[r]..bounds[r + 1], |_, set| {
            for &v in set {
                c[v as usize] += 1;
            }
        });
        Ok(c)
    };
    let mut cursors: Vec<Vec<u64>> = if parallel {
        (0..parts)
            .into_par_iter()
            .map(count_range)
            .collect::<Result<_>>()?
    } else {
        vec![count_range(0)?]
    };
    let mut counts = try_filled(n, 0u32, "the coverage counts")?;
    let mut next = 0u64;
    for v in 0..n {
        // Turn each range's count into where its entries for v start.
        for cursor in cursors.iter_mut() {
            let c = cursor[v];
            cursor[v] = next;
            next += c;
        }
        counts[v] = u32::try_from(next - cursors[0][v]).unwrap_or(u32::MAX);
    }
    let starts: Vec<u64> = (0..=n)
        .map(|v| if v == n { next } else { cursors[0][v] })
        .collect();
    let index: Vec<AtomicU32> = if parallel {
        // Filled in place by the pool: first touches of a large index are page faults.
        (0..sets.entries())
            .into_par_iter()
            .map(|_| AtomicU32::new(0))
            .collect()
    } else {
        (0..sets.entries()).map(|_| AtomicU32::new(0)).collect()
    };
    let fill = |(r, mut cursor): (usize, Vec<u64>)| {
        sets.each(bounds[r]..bounds[r + 1], |i, set| {
            for &v in set {
                // Ranges own disjoint slots: relaxed stores, read after the join.
                index[cursor[v as usize] as usize].store(i as u32, Ordering::Relaxed);
                cursor[v as usize] += 1;
            }
        });
    };
    if parallel {
        cursors.into_par_iter().enumerate().for_each(fill);
    } else {
        cursors.into_iter().enumerate().for_each(fill);
    }
    if cancel.stop() {
        return Err(Error::Interrupted);
    }
    let eligible = |v: usize| choice.eligible.is_none_or(|e| e[v]);
    let initial = counts.clone();
    let mut covered = FixedBitSet::with_capacity(sets.len());
    let mut chosen = vec![false; n];
    let (mut seeds, mut gains) = (Vec::new(), Vec::new());
    let mut spent = 0.0;
    let mut upper = u64::MAX;
    let mut total = 0u64;
    // Without costs the best node is found lazily (counts only fall) and the bound's k
    // largest counts are read off a histogram: the same choice and bound as a scan of every
    // node per pick, at a fraction of its cost when k is large.
    let mut lazy = choice
        .cost
        .is_none()
        .then(|| Lazy::new(&counts, &eligible, choice.upper_bound));
    let mut top: std::collections::BinaryHeap<std::cmp::Reverse<u32>> = Default::default();
    for _ in 0..choice.k {
        let best = if let Some(lazy) = &mut lazy {
            if choice.upper_bound {
                upper = upper.min(total + lazy.top_sum(choice.k));
            }
            lazy.pop_best(&counts)
        } else {
            let mut best: Option<(usize, f64)> = None;
            top.clear();
            for v in 0..n {
                if chosen[v] || !eligible(v) {
                    continue;
                }
                let score = match choice.cost {
                    None => f64::from(counts[v]),
                    Some((cost, budget)) => {
                        if spent + cost[v] > budget {
                            continue;
                        }
                        f64::from(counts[v]) / cost[v].max(f64::MIN_POSITIVE)
                    }
                };
                if best.is_none_or(|(_, s)| score > s) {
                    best = Some((v, score));
                }
                if choice.upper_bound {
                    if top.len() < choice.k {
                        top.push(std::cmp::Reverse(counts[v]));
                    } else if top.peek().is_some_and(|m| counts[v] > m.0) {
                        top.pop();
                        top.push(std::cmp::Reverse(counts[v]));
                    }
                }
            }
            if choice.upper_bound {
                upper = upper.min(total + top.iter().map(|c| u64::from(c.0)).sum::<u64>());
            }
            best.map(|(v, _)| v)
        };
        let Some(v) = best else { break };
        chosen[v] = true;
        if let Some((cost, _)) = choice.cost {
            spent += cost[v];
        }
        let mut gain = 0u64;
        for s in &index[starts[v] as usize..starts[v + 1] as usize] {
            let s = s.load(Ordering::Relaxed);
            if !covered.put(s as usize) {
                gain += 1;
                for &w in sets.set(s as usize) {
                    let w = w as usize;
                    if let Some(lazy) = &mut lazy {
                        if !chosen[w] && eligible(w) {
                            lazy.fall(counts[w]);
                        }
                    }
                    counts[w] -= 1;
                }
            }
        }
        total += gain;
        seeds.push(v as u32);
        gains.push(gain);
    }
    if let Some((cost, budget)) = choice.cost {
        let single = (0..n)
            .filter(|&v| eligible(v) && cost[v] <= budget)
            .max_by_key(|&v| (initial[v], std::cmp::Reverse(v)));
        if let Some(v) = single {
            if u64::from(initial[v]) > total {
                return Ok(Chosen {
                    seeds: vec![v as u32],
                    gains: vec![u64::from(initial[v])],
                    upper,
                });
            }
        }
    }
    Ok(Chosen {
        seeds,
        gains,
        upper,
    })
}

/// Greedy's picks without costs: a max-heap of (count, lowest id first) whose keys may be
/// stale (counts only fall: a popped key that is no longer the count goes back with the
/// count), and, for the upper bound, how many eligible unchosen nodes hold each count.
struct Lazy {
    heap: std::collections::BinaryHeap<(u32, std::cmp::Reverse<u32>)>,
    /// Eligible nodes not yet chosen, per count (empty when no bound is asked for).
    per_count: Vec<u32>,
    /// No eligible unchosen node has a count above this.
    highest: usize,
}

impl Lazy {
    fn new(counts: &[u32], eligible: &impl Fn(usize) -> bool, bound: bool) -> Self {
        let heap = (0..counts.len())
            .filter(|&v| eligible(v))
            .map(|v| (counts[v], std::cmp::Reverse(v as u32)))
            .collect::<Vec<_>>()
            .into();
        let (mut per_count, mut highest) = (Vec::new(), 0);
        if bound {
            highest = (0..counts.len())
                .filter(|&v| eligible(v))
                .map(|v| counts[v] as usize)
                .max()
                .unwrap_or(0);
            per_count = vec![0u32; highest + 1];
            for v in (0..counts.len()).filter(|&v| eligible(v)) {
                per_count[counts[v] as usize] += 1;
            }
        }
        Self {
            heap,
            per_count,
            highest,
        }
    }

    /// The eligible unchosen node with the largest count (the lowest id among equals),
    /// taken out; `None` when none is left.
    fn pop_best(&mut self, counts: &[u32]) -> Option<usize> {
        while let Some((key, std::cmp::Reverse(v))) = self.heap.pop() {
            let count = counts[v as usize];
            if key != count {
                self.heap.push((count, std::cmp::Reverse(v)));
                continue;
            }
            if let Some(held) = self.per_count.get_mut(count as usize) {
                *held -= 1;
            }
            return Some(v as usize);
        }
        None
    }

    /// An eligible unchosen node's count falls by one from `count`.
    fn fall(&mut self, count: u32) {
        if !self.per_count.is_empty() {
            self.per_count[count as usize] -= 1;
            self.per_count[count as usize - 1] += 1;
        }
    }

    /// The sum of the `k` largest counts of eligible unchosen nodes (all, if fewer).
    fn top_sum(&mut self, k: usize) -> u64 {
        while self.highest > 0 && self.per_count[self.highest] == 0 {
            self.highest -= 1;
        }
        let (mut left, mut sum) = (k as u64, 0u64);
        for count in (0..=self.highest).rev() {
            let take = u64::from(self.per_count[count]).min(left);
            sum += take * count as u64;
            left -= take;
            if left == 0 {
                break;
            }
        }
        sum
    }
}

/// Bytes the sets and their index would take for `count` sets of `mean` stored nodes.
pub(crate) fn estimate_bytes(count: usize, mean: f64) -> u64 {
    (count as f64 * (mean * BYTES_PER_ENTRY as f64 + BYTES_PER_SET as f64)) as u64
}

/// Refuses, before drawing them, `count` sets of `mean` stored nodes that need more than
/// `limit` bytes.
pub(crate) fn check_fits(count: usize, mean: f64, limit: Option<u64>) -> Result<()> {
    let need = estimate_bytes(count, mean);
    match limit {
        Some(limit) if need > limit => Err(Error::OutOfMemory {
            what: "the reverse-reachable sets (estimated from those drawn so far; over the memory limit)",
            bytes: u128::from(need),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::Never;
    use crate::rng::stream;

    /// `count` random sets of up to 6 distinct nodes of `n`, a few nodes much more common.
    fn random_sets(n: u32, count: usize, seed: u64) -> RrSets {
        let mut rng = stream(seed, Subsystem::Seeding, 0);
        let mut sets = RrSets::new(0);
        for _ in 0..count {
            let mut set: Vec<u32> = (0..1 + below(&mut rng, 6))
                .map(|_| {
                    let hub = below(&mut rng, 4) == 0;
                    below(&mut rng, u64::from(if hub { n / 20 } else { n })) as u32
                })
                .collect();
            set.sort_unstable();
            set.dedup();
            sets.push(&set);
        }
        sets
    }

    #[test]
    fn lazy_picks_equal_a_scan_of_every_node() {
        // Unit costs under an unlimited budget go through the scan, with the same scores.
        for seed in 0..6 {
            let n = 400;
            let sets = random_sets(n, 3_000, seed);
            let ones = vec![1.0; n as usize];
            let mut eligible = FixedBitSet::with_capacity(n as usize);
            (0..n as usize)
                .filter(|v| v % 3 != 1)
                .for_each(|v| eligible.insert(v));
            for k in [1, 7, 60, 400] {
                for only in [None, Some(&eligible)] {
                    let choose = |cost| {
                        let choice = Choice {
                            k,
                            eligible: only,
                            cost,
                            upper_bound: true,
                        };
                        greedy(&sets, n, &choice, false, &Never).unwrap()
                    };
                    let (lazy, scan) = (choose(None), choose(Some((&ones[..], f64::INFINITY))));
                    assert_eq!(lazy.seeds, scan.seeds, "seed {seed}, k {k}");
                    assert_eq!(lazy.gains, scan.gains);
                    assert_eq!(lazy.upper, scan.upper);
                }
            }
        }
    }
}
