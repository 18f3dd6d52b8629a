//! The professional network: who knows whom.
//!
//! Ties form with homophily: most are between colleagues, many between people in the same
//! industry or the same function, and some are random long-range ties that bridge clusters.
//! Each tie carries the weight of its kind (a strong colleague tie passes more on than a
//! loose acquaintance), stored as the graph's edge weight. Ties are made once, at the start,
//! and persist when people change jobs: "colleague" later means whoever shares your current
//! employer, not this graph.

use crate::check::{self, UNIT};
use crate::errors::{Error, Result, try_filled};
use crate::graph::csr::{EdgeSource, Graph};
use crate::market::population::{Population, pick};
use crate::rng::{Stream, below};
use rand_core::Rng;
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
/// The ties go straight from the stream into the graph's arrays, in one pass (two in rare
/// cases), so peak memory is the graph (a few percent more before duplicates are dropped)
/// plus a few bytes per person, with no list of ties (see `TieDraws::simple_graph`).
///
/// `progress` hears the share of the work done (drawing the ties, then sorting them block by
/// block), rising to 1; an error it returns (an interrupt) stops the build.
pub fn professional_network(
    pop: &Population,
    config: &NetworkConfig,
    rng: &mut Stream,
    progress: &mut dyn FnMut(f64) -> Result<()>,
) -> Result<Graph> {
    let n = pop.len();
    let ties = TieDraws::new(pop, config, rng);
    // -0.0 and 0.0 are equal as numbers but not as bits. When two kinds have those strengths,
    // which of two parallel ties survives depends on whether `Graph::build` found every
    // adjacency already in order (and so left it unsorted), which the blocked build does not
    // reproduce: keep the original build for such configs.
    let signed_zeros = ties.strength.iter().any(|a| {
        ties.strength
            .iter()
            .any(|b| a == b && a.to_bits() != b.to_bits())
    });
    if signed_zeros {
        let mut graph = Graph::build(n as u32, false, &ties, true)?;
        graph.dedup_keep_heaviest();
        progress(1.0)?;
        return Ok(graph);
    }
    ties.simple_graph(TIES_PER_BLOCK, room, progress)
}

/// The share of [`professional_network`]'s time spent drawing the ties (the rest sorts
/// them); at 1M people each takes about a quarter of a second.
const DRAWING_SHARE: f64 = 0.5;

/// The room given to a block of rows that expects `mean` stored ties: 6 standard deviations
/// more and 64, so that drawing the ties again to count them exactly is vanishingly rare
/// (never seen from 10k to 3M people). A block's count is close to binomial, with a
/// variance at most twice its mean (at most, if both ends of every tie fell in one block).
/// About 3% more than the mean at 1M people.
fn room(mean: f64) -> usize {
    (mean + 6.0 * (2.0 * mean).sqrt() + 64.0).ceil() as usize
}

/// Stored ties per block of rows in [`TieDraws::simple_graph`]: a block's ties (8 bytes
/// each, twice) stay in a core's L2 cache (2 MB) while the block is sorted. Block sizes
/// from 2^15 to 2^18 timed the same at 1M people.
const TIES_PER_BLOCK: f64 = 131_072.0;

/// log2 of the rows per block for `stored` ties over `n` rows: about `ties_per_block` ties
/// each, and at most 2^20 rows so a row within a block and a kind's rank fit in the 24 bits
/// that an `f32` holds exactly.
fn block_shift(n: usize, stored: usize, ties_per_block: f64) -> u32 {
    let rows = ties_per_block * n as f64 / stored.max(1) as f64;
    (rows.max(1.0).log2().floor() as u32).min(20)
}

/// Bits per digit of the radix sort of a block in [`TieDraws::simple_graph`]: at most 2048
/// buckets (two passes at 1M people; 8 bits, three passes, timed a little slower).
const RADIX_BITS: u32 = 11;

/// One stable pass of a radix sort: `src` into `dst` by `digit`, given each digit's count
/// in `counts`, which ends up holding where each digit's keys end.
fn counting_sort(src: &[u64], dst: &mut [u64], counts: &mut [usize], digit: impl Fn(u64) -> usize) {
    let mut sum = 0;
    for c in counts.iter_mut() {
        (*c, sum) = (sum, sum + *c);
    }
    for &key in src {
        let c = &mut counts[digit(key)];
        dst[*c] = key;
        *c += 1;
    }
}

/// Ties drawn per batch in [`TieDraws::draw_batched`]: enough independent cache misses to
/// keep the core's miss buffers busy, few enough that a batch's arrays stay in L1.
const BATCH: usize = 64;

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

impl<'a> TieDraws<'a> {
    /// The ties of `config` among `pop`, drawn from a copy of `rng`.
    fn new(pop: &'a Population, config: &NetworkConfig, rng: &Stream) -> Self {
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
        TieDraws {
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
        }
    }
}

impl EdgeSource for TieDraws<'_> {
    fn visit(&self, mut f: impl FnMut(u32, u32, f32)) {
        self.draw(|u, v, kind| f(u, v, self.strength[kind]));
    }
}

impl TieDraws<'_> {
    /// Calls `f(u, v, kind)` for every tie between two different people, in draw order,
    /// replaying the same draws on every call.
    fn draw(&self, f: impl FnMut(u32, u32, usize)) {
        self.draw_batched(|_| false, f);
    }

    /// The people among whom `u` draws a tie of `kind` (0, 1 or 2).
    #[inline]
    fn pool(&self, u: u32, kind: usize) -> &[u32] {
        let pop = self.pop;
        let company = pop.people.company[u as usize] as usize;
        match kind {
            0 => &pop.companies.employees[company],
            1 => &self.by_industry[usize::from(pop.companies.industry[company])],
            _ => &self.by_function[usize::from(pop.people.function[u as usize])],
        }
    }

    /// The next tie `(u, v, kind)` from `rng`, perhaps with `u == v`.
    fn draw_one(&self, rng: &mut Stream) -> (u32, u32, usize) {
        let n = self.pop.len() as u64;
        let u = below(rng, n) as u32;
        let kind = pick(&self.mix_cumulative, rng);
        let v = if kind == 3 {
            below(rng, n) as u32
        } else {
            let pool = self.pool(u, kind);
            pool[below(rng, pool.len() as u64) as usize]
        };
        (u, v, kind)
    }

    /// A tie's numbers from `rng`, taking one number for its pool index: its source, its
    /// kind and, for a random tie, its target, else the number for its pool index.
    #[inline]
    fn numbers(&self, rng: &mut Stream) -> (u32, usize, u64) {
        let n = self.pop.len() as u64;
        let u = below(rng, n) as u32;
        let kind = pick(&self.mix_cumulative, rng);
        // A random tie's target needs no pool, so it is drawn in full.
        let number = match kind {
            3 => below(rng, n),
            _ => rng.next_u64(),
        };
        (u, kind, number)
    }

    /// [`TieDraws::draw`], [`BATCH`] ties at a time: the same ties as [`TieDraws::draw_one`]
    /// one after another, in about half the time (0.23 s against 0.45 s for the 10M ties
    /// of 1M people).
    ///
    /// Drawing one tie at a time, each waits on two dependent cache misses (the person's
    /// company, then the colleague in a pool of megabytes) before the next can use their
    /// results. The stream's numbers for a tie do not depend on memory, though, except
    /// when Lemire's method in `below` rejects a pool index (probability < pool size /
    /// 2^64) and takes another number. So a batch first takes every tie's numbers from the
    /// stream as if none is rejected, then looks up all the pools, then all the colleagues:
    /// loops of independent loads whose misses the core overlaps. A rejection, checked
    /// exactly, replays the batch's numbers up to that tie, redraws it one at a time and
    /// drops the rest of the batch, which the next batch redraws after it. `replay(i)`
    /// forces that for tie `i`, to test it.
    fn draw_batched(&self, replay: impl Fn(usize) -> bool, mut f: impl FnMut(u32, u32, usize)) {
        if self.pop.len() < 2 {
            return;
        }
        let mut rng = self.start.clone();
        let (mut us, mut vs) = ([0u32; BATCH], [0u32; BATCH]);
        let mut kinds = [0usize; BATCH];
        let mut numbers = [0u64; BATCH];
        let mut pools: [&[u32]; BATCH] = [&[]; BATCH];
        let mut done = 0;
        while done < self.wanted {
            let batch = (self.wanted - done).min(BATCH);
            let start = rng.clone();
            for j in 0..batch {
                (us[j], kinds[j], numbers[j]) = self.numbers(&mut rng);
            }
            for j in 0..batch {
                if kinds[j] != 3 {
                    pools[j] = self.pool(us[j], kinds[j]);
                }
            }
            let mut kept = batch;
            for j in 0..batch {
                if kinds[j] == 3 {
                    vs[j] = numbers[j] as u32;
                    continue;
                }
                let len = pools[j].len() as u64;
                let m = u128::from(numbers[j]) * u128::from(len);
                // `below`'s test, with its division only when the cheap bound fails.
                let rejected = (m as u64) < len && (m as u64) < len.wrapping_neg() % len;
                if rejected || replay(done + j) {
                    rng = start;
                    for _ in 0..j {
                        self.numbers(&mut rng);
                    }
                    let (u, v, kind) = self.draw_one(&mut rng);
                    debug_assert_eq!((u, kind), (us[j], kinds[j]));
                    vs[j] = v;
                    kept = j + 1;
                    break;
                }
                vs[j] = pools[j][(m >> 64) as usize];
            }
            for j in 0..kept {
                if us[j] != vs[j] {
                    f(us[j], vs[j], kinds[j]);
                }
            }
            done += kept;
        }
    }

    /// The graph of the ties with duplicates merged into their strongest kind: bit for bit
    /// what `Graph::build` and `Graph::dedup_keep_heaviest` make of them (given no two
    /// strengths that are equal as numbers but not as bits), without their random writes
    /// all over the graph's arrays, which cost more than drawing the ties.
    ///
    /// One pass over the draws appends each tie's two stored entries to the block of rows
    /// (consecutive people) of its source, which is a few hundred sequential streams; an
    /// entry's row within the block and its kind's rank sit in its weight slot meanwhile.
    /// Each block gets room for the entries it can be expected to get, plus a margin: every
    /// person is equally likely to be either end of a tie (a colleague, say, is drawn in
    /// proportion to company size, then uniformly among its employees), so a block's count
    /// is close to binomial, and `room` maps its mean to the room given (see [`room`]). In
    /// the unlikely case that a block overflows, a first pass counts every block's entries
    /// exactly and the draws are replayed. Then block by block, while the block is in
    /// cache: sort its entries by row, target and rank (a radix sort), keep the last of each
    /// row's entries to a target (the strongest kind) and write the rows out compacted to
    /// the left, where the final rows of the earlier blocks end.
    fn simple_graph(
        &self,
        ties_per_block: f64,
        room: impl Fn(f64) -> usize,
        progress: &mut dyn FnMut(f64) -> Result<()>,
    ) -> Result<Graph> {
        let n = self.pop.len();
        // Each kind's rank among the strengths in `f32::total_cmp` order, the order in which
        // `Graph::build` sorts weights; equal strengths (equal bits here) share a rank.
        let rank = self.strength.map(|s| {
            self.strength
                .iter()
                .filter(|t| t.total_cmp(&s).is_lt())
                .count() as u32
        });
        let mut strength_of_rank = [0f32; 4];
        for (&r, &s) in rank.iter().zip(&self.strength) {
            strength_of_rank[r as usize] = s;
        }

        // Blocks of 2^shift consecutive rows; block b's entries go to bounds[b].. (at most
        // two per tie: none for a self-tie).
        let entries = if n < 2 { 0 } else { 2 * self.wanted };
        let shift = block_shift(n, entries, ties_per_block);
        let rows = 1usize << shift;
        let mask = (rows - 1) as u32;
        let blocks = n.div_ceil(rows);
        let mut bounds = vec![0usize; blocks + 1];
        for b in 0..blocks {
            let share = (((b + 1) * rows).min(n) - b * rows) as f64 / n as f64;
            bounds[b + 1] = bounds[b] + room(entries as f64 * share).min(entries);
        }
        // Appends the entries of every tie to their blocks, block b's ending at filled[b];
        // false if one overflows.
        let append =
            |bounds: &[usize], targets: &mut [u32], weights: &mut [f32], filled: &mut [usize]| {
                filled.copy_from_slice(&bounds[..blocks]);
                let mut fits = true;
                self.draw(|u, v, kind| {
                    for (from, to) in [(u, v), (v, u)] {
                        let b = (from >> shift) as usize;
                        let c = filled[b];
                        if c == bounds[b + 1] {
                            fits = false;
                            continue;
                        }
                        targets[c] = to;
                        // Exact: below 2^22, well inside the integers that f32 holds exactly.
                        weights[c] = (((from & mask) << 2) | rank[kind]) as f32;
                        filled[b] = c + 1;
                    }
                });
                fits
            };
        let mut targets = try_filled(bounds[blocks], 0u32, "the graph's edges")?;
        let mut weights = try_filled(bounds[blocks], 0f32, "the graph's weights")?;
        let mut filled = vec![0usize; blocks];
        if !append(&bounds, &mut targets, &mut weights, &mut filled) {
            drop((targets, weights));
            bounds.fill(0);
            self.draw(|u, v, _| {
                bounds[(u >> shift) as usize + 1] += 1;
                bounds[(v >> shift) as usize + 1] += 1;
            });
            for b in 0..blocks {
                bounds[b + 1] += bounds[b];
            }
            targets = try_filled(bounds[blocks], 0u32, "the graph's edges")?;
            weights = try_filled(bounds[blocks], 0f32, "the graph's weights")?;
            let fits = append(&bounds, &mut targets, &mut weights, &mut filled);
            debug_assert!(fits, "exact counts always fit");
        }
        progress(DRAWING_SHARE)?;

        let mut offsets = try_filled(n + 1, 0u64, "the graph's offsets")?;
        // Each block's entries as keys (row << 34 | target << 2 | rank), sorted by a
        // least-significant-digit radix sort: the digits of (target << 2 | rank), then the
        // row. Sorting each row on its own instead (about 20 entries, by insertion)
        // mispredicts a branch per entry: 0.29 s for the blocks at 1M people, against 0.22 s.
        let low_bits = 2 + (usize::BITS - n.saturating_sub(1).leading_zeros());
        let passes = low_bits.div_ceil(RADIX_BITS);
        let width = low_bits.div_ceil(passes);
        let digit_mask = (1u64 << width) - 1;
        let mut counts = vec![vec![0usize; 1 << width]; passes as usize];
        let mut row_counts = vec![0usize; rows.min(n)];
        let (mut keys, mut spare): (Vec<u64>, Vec<u64>) = (Vec::new(), Vec::new());
        let mut write = 0usize;
        for b in 0..blocks {
            let (first, last) = (b * rows, ((b + 1) * rows).min(n));
            let (start, end) = (bounds[b], filled[b]);
            let row_counts = &mut row_counts[..last - first];
            row_counts.fill(0);
            counts.iter_mut().for_each(|c| c.fill(0));
            keys.clear();
            for (&target, &meta) in targets[start..end].iter().zip(&weights[start..end]) {
                let meta = meta as u32;
                let key =
                    (u64::from(meta >> 2) << 34) | (u64::from(target) << 2) | u64::from(meta & 3);
                for (d, c) in counts.iter_mut().enumerate() {
                    c[((key >> (d as u32 * width)) & digit_mask) as usize] += 1;
                }
                row_counts[(meta >> 2) as usize] += 1;
                keys.push(key);
            }
            spare.resize(keys.len(), 0);
            for (d, c) in counts.iter_mut().enumerate() {
                let shift = d as u32 * width;
                counting_sort(&keys, &mut spare, c, |k| {
                    ((k >> shift) & digit_mask) as usize
                });
                std::mem::swap(&mut keys, &mut spare);
            }
            counting_sort(&keys, &mut spare, row_counts, |k| (k >> 34) as usize);
            std::mem::swap(&mut keys, &mut spare);
            // Now row_counts holds where each row ends.
            let mut lo = 0;
            for r in first..last {
                let hi = row_counts[r - first];
                let row = &keys[lo..hi];
                for (j, &key) in row.iter().enumerate() {
                    // The last entry of each target has the highest rank: the strongest kind.
                    if row.get(j + 1).is_none_or(|&next| next >> 2 != key >> 2) {
                        targets[write] = (key >> 2) as u32;
                        weights[write] = strength_of_rank[(key & 3) as usize];
                        write += 1;
                    }
                }
                offsets[r + 1] = write as u64;
                lo = hi;
            }
            progress(DRAWING_SHARE + (1.0 - DRAWING_SHARE) * (b + 1) as f64 / blocks as f64)?;
        }
        targets.truncate(write);
        targets.shrink_to_fit();
        weights.truncate(write);
        weights.shrink_to_fit();
        // No self-ties, so every tie is stored twice.
        Ok(Graph::from_sorted_weighted_csr(
            false,
            write as u64 / 2,
            offsets,
            targets,
            weights,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::population::PopulationConfig;
    use crate::rng::{Subsystem, market_stream, stream};

    /// Progress nobody listens to.
    fn quiet(_: f64) -> Result<()> {
        Ok(())
    }

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
        let g = professional_network(
            &pop,
            &config,
            &mut stream(8, Subsystem::Network, 0),
            &mut quiet,
        )
        .unwrap();
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
            professional_network(
                &pop,
                &config,
                &mut stream(8, Subsystem::Network, 0),
                &mut quiet
            )
            .unwrap()
        );
    }

    /// FNV-1a over 64-bit words: a fixed hash (unlike std's) to pin outputs across versions.
    #[derive(Clone, Copy)]
    struct Fnv(u64);

    impl Fnv {
        fn new() -> Self {
            Self(0xCBF2_9CE4_8422_2325)
        }
        fn word(&mut self, x: u64) {
            for b in x.to_le_bytes() {
                self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3);
            }
        }
        fn words(&mut self, xs: impl IntoIterator<Item = u64>) {
            let mut len = 0u64;
            for x in xs {
                self.word(x);
                len += 1;
            }
            self.word(len);
        }
    }

    /// Every array of the graph, bit for bit.
    fn graph_hash(g: &Graph) -> u64 {
        let mut h = Fnv::new();
        let (offsets, targets, weights) = g.csr();
        h.word(u64::from(g.is_directed()));
        h.word(g.n_edges());
        h.words(offsets.iter().copied());
        h.words(targets.iter().map(|&t| u64::from(t)));
        h.words(
            weights
                .unwrap_or(&[])
                .iter()
                .map(|w| u64::from(w.to_bits())),
        );
        h.0
    }

    /// Every array of the population, bit for bit.
    fn population_hash(pop: &Population) -> u64 {
        let mut h = Fnv::new();
        let (p, c) = (&pop.people, &pop.companies);
        h.words(p.company.iter().map(|&x| u64::from(x)));
        h.words(p.slot.iter().map(|&x| u64::from(x)));
        h.words(p.function.iter().map(|&x| u64::from(x)));
        h.words(p.level.iter().map(|&x| u64::from(x)));
        h.words(p.taste.iter().map(|x| u64::from(x.to_bits())));
        h.words(c.industry.iter().map(|&x| u64::from(x)));
        for (members, cumulative) in &c.by_industry {
            h.words(members.iter().map(|&x| u64::from(x)));
            h.words(cumulative.iter().map(|x| x.to_bits()));
        }
        h.words(c.cumulative_weight.iter().map(|x| x.to_bits()));
        for list in &c.employees {
            h.words(list.iter().map(|&x| u64::from(x)));
        }
        h.words(pop.function_cumulative.iter().map(|x| x.to_bits()));
        h.0
    }

    /// The markets pinned by [`GOLDEN`]: sizes from degenerate to large, default and odd
    /// network configs (a zero share, equal weights, a signed zero weight, dense ties).
    fn golden_cases() -> Vec<(u64, PopulationConfig, NetworkConfig)> {
        let pop = |people, companies, industries| PopulationConfig {
            people,
            companies,
            industries,
            ..Default::default()
        };
        let net = NetworkConfig::default;
        let mut cases = Vec::new();
        for seed in [1u64, 2, 3] {
            cases.push((
                seed,
                pop(1, 1, 1),
                NetworkConfig {
                    mean_degree: 0.0,
                    ..net()
                },
            ));
            cases.push((
                seed,
                pop(2, 1, 1),
                NetworkConfig {
                    mean_degree: 1.0,
                    ..net()
                },
            ));
            cases.push((
                seed,
                pop(10, 3, 2),
                NetworkConfig {
                    mean_degree: 9.0,
                    ..net()
                },
            ));
            cases.push((seed, pop(1_000, 50, 12), net()));
            cases.push((seed, pop(20_000, 1_000, 12), net()));
            cases.push((seed, pop(200_000, 10_000, 12), net()));
        }
        cases.push((4, pop(5_000, 5_000, 12), net()));
        cases.push((
            5,
            pop(3_000, 40, 3),
            NetworkConfig {
                mean_degree: 150.0,
                mix: [0.0, 0.5, 0.0, 0.5],
                weights: [0.5, 0.5, -0.0, 0.0],
            },
        ));
        cases.push((
            6,
            pop(50_000, 700, 12),
            NetworkConfig {
                mean_degree: 7.5,
                mix: [0.25, 0.25, 0.25, 0.25],
                weights: [0.3, 0.3, 0.3, 0.3],
            },
        ));
        cases.push((
            7,
            pop(30_000, 2_000, 5),
            NetworkConfig {
                mean_degree: 40.0,
                mix: [1.0, 0.0, 0.0, 0.0],
                weights: [0.0, 1.0, 1.0, 1.0],
            },
        ));
        // Signed zeros: -0.0 and 0.0 are equal as numbers but not as bits, so which of two
        // such parallel ties survives depends on how the adjacency was ordered.
        for seed in 8..16u64 {
            cases.push((
                seed,
                pop(3 + seed as u32 % 4, 1, 1),
                NetworkConfig {
                    mean_degree: 2.0,
                    mix: [0.5, 0.0, 0.0, 0.5],
                    weights: [-0.0, 1.0, 1.0, 0.0],
                },
            ));
        }
        cases.push((
            16,
            pop(300, 30, 3),
            NetworkConfig {
                mean_degree: 20.0,
                mix: [0.5, 0.0, 0.0, 0.5],
                weights: [0.0, 1.0, 1.0, -0.0],
            },
        ));
        cases
    }

    /// (population hash, network hash) of each of [`golden_cases`], recorded with the
    /// original two-visit `Graph::build` implementation: any change to a draw, to the order
    /// of equal ties or to a stored bit changes them.
    const GOLDEN: &[(u64, u64)] = &[
        (0xe98586c8b680bb10, 0xd810764e72b0ba47),
        (0x24b8db76e4860257, 0xe059e8760466f286),
        (0x222f8bd6a3dd61ba, 0x0731441558a96c33),
        (0xc864c8c962905c23, 0xd1fe554cb83fa185),
        (0x755fadefddf88488, 0x6fa99ad3c4029371),
        (0xfad5359409f57671, 0x50bdf7b8911f5201),
        (0x5330bc0d3cdc42cc, 0xd810764e72b0ba47),
        (0x3e5f71d4a0c861ba, 0xceacb36c850aed25),
        (0x4fb70468c6de38d4, 0xbc746fe2239f1b8b),
        (0x99a53701fc52d43d, 0x9b328159dd5365a4),
        (0x7311ef7c1d0845e1, 0x827e8fef953cb46b),
        (0xa360dd510ce5a270, 0xcee2bf51df7327c1),
        (0xfe29445ddab41dcc, 0xd810764e72b0ba47),
        (0x5543a99bd79e6a0c, 0x7851730f89385d25),
        (0xf78e48f4da2df648, 0x515924a60c0c10f6),
        (0x72548e0caaea1b3f, 0x31566a6a08cbfe18),
        (0xe7a3bb1486a6aadc, 0xa2f274bc896edc2a),
        (0xf111a2bcc49655b8, 0x00512248887b7d4b),
        (0x698d0b03596b3396, 0x9d4e33a09a49b5c9),
        (0x725bfad174f87dc6, 0xc264892d73e158bf),
        (0x3c20f2fe39ebe0af, 0xa91e0535fd303ffb),
        (0xe9cd29c53c73f550, 0xca34415c9abba8d1),
        (0x58a181915e75a50d, 0xf23ed57cce0ddfa0),
        (0x0f6298cc7cbcf520, 0x6d055867c8283ee3),
        (0xf55faa1ae670ccc9, 0x83ad94bcc144d4c2),
        (0x28e843be4cddb69a, 0xc4fccd11a5db9128),
        (0xd58533efca5d18ea, 0x92bb9ad1f4b25200),
        (0xe9afad372e3bf849, 0x3454f50e58ae42c6),
        (0xb9660ee50a5b2a26, 0xec1dcb8411c76dcf),
        (0xc9d8478c4cda1d3d, 0xb3cd87e43d4cfa6f),
        (0x9e139a796cb0f2b6, 0x887bd2414d81a2e9),
    ];

    /// The hashes of [`golden_cases`]; `None` for a large case skipped in a debug build
    /// (seconds each there; one of them is always checked).
    fn golden_hashes() -> Vec<Option<(u64, u64)>> {
        golden_cases()
            .into_iter()
            .enumerate()
            .map(|(i, (seed, pop_config, net_config))| {
                if cfg!(debug_assertions) && pop_config.people >= 100_000 && seed != 1 {
                    return None;
                }
                pop_config.validate().unwrap();
                net_config.validate(pop_config.people).unwrap();
                let pop = Population::draw(
                    &pop_config,
                    &mut market_stream(seed, Subsystem::Population, i as u64, 0),
                )
                .unwrap();
                let g = professional_network(
                    &pop,
                    &net_config,
                    &mut market_stream(seed, Subsystem::Network, i as u64, 0),
                    &mut quiet,
                )
                .unwrap();
                Some((population_hash(&pop), graph_hash(&g)))
            })
            .collect()
    }

    #[test]
    fn populations_and_networks_are_bit_identical_to_the_recorded_ones() {
        let got = golden_hashes();
        if got.len() != GOLDEN.len() {
            let lines: Vec<String> = got
                .iter()
                .flatten()
                .map(|(p, g)| format!("    ({p:#018x}, {g:#018x}),"))
                .collect();
            panic!("record these:\n{}", lines.join("\n"));
        }
        for (i, (got, want)) in got.iter().zip(GOLDEN).enumerate() {
            if let Some(got) = got {
                assert_eq!(got, want, "case {i}: {:?}", golden_cases()[i]);
            }
        }
    }

    /// The original draws, one tie at a time (the loop before batching, verbatim).
    struct InOrder<'a, 'b>(&'b TieDraws<'a>);

    impl EdgeSource for InOrder<'_, '_> {
        fn visit(&self, mut f: impl FnMut(u32, u32, f32)) {
            let ties = self.0;
            let (pop, n) = (ties.pop, ties.pop.len());
            if n < 2 {
                return;
            }
            let mut rng = ties.start.clone();
            for _ in 0..ties.wanted {
                let u = below(&mut rng, n as u64) as u32;
                let kind = pick(&ties.mix_cumulative, &mut rng);
                let company = pop.people.company[u as usize] as usize;
                let pool: &[u32] = match kind {
                    0 => &pop.companies.employees[company],
                    1 => &ties.by_industry[usize::from(pop.companies.industry[company])],
                    2 => &ties.by_function[usize::from(pop.people.function[u as usize])],
                    _ => &[],
                };
                let v = if kind == 3 {
                    below(&mut rng, n as u64) as u32
                } else {
                    pool[below(&mut rng, pool.len() as u64) as usize]
                };
                if u != v {
                    f(u, v, ties.strength[kind]);
                }
            }
        }
    }

    /// The original build: the original draws stored through `Graph::build`, then
    /// duplicates dropped.
    fn two_visit_build(ties: &TieDraws) -> Graph {
        let mut g = Graph::build(ties.pop.len() as u32, false, &InOrder(ties), true).unwrap();
        g.dedup_keep_heaviest();
        g
    }

    #[test]
    fn batched_draws_are_the_draws_one_at_a_time() {
        let cases = [
            (1, 1, 0.0),
            (2, 1, 1.0),
            (50, 7, 9.5), // 238 ties: a partial last batch
            (3_000, 40, 20.0),
        ];
        for (people, companies, mean_degree) in cases {
            let pop_config = PopulationConfig {
                people,
                companies,
                industries: 1,
                ..Default::default()
            };
            let pop =
                Population::draw(&pop_config, &mut stream(9, Subsystem::Population, 0)).unwrap();
            let config = NetworkConfig {
                mean_degree,
                ..Default::default()
            };
            let ties = TieDraws::new(&pop, &config, &stream(9, Subsystem::Network, 0));
            let mut want = Vec::new();
            InOrder(&ties).visit(|u, v, w| want.push((u, v, w.to_bits())));
            let kinds = |replay: &dyn Fn(usize) -> bool| {
                let mut got = Vec::new();
                ties.draw_batched(replay, |u, v, k| {
                    got.push((u, v, ties.strength[k].to_bits()))
                });
                got
            };
            assert_eq!(kinds(&|_| false), want);
            // Redrawing ties one at a time (first, last, within a batch, every one) changes
            // nothing: as when a pool index is rejected.
            assert_eq!(kinds(&|i| i % 64 == 0 || i % 64 == 63 || i % 17 == 5), want);
            assert_eq!(kinds(&|_| true), want);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 300,
            rng_seed: proptest::test_runner::RngSeed::Fixed(20_260_611),
            failure_persistence: None,
            ..Default::default()
        })]
        #[test]
        fn the_blocked_build_is_the_two_visit_build(
            people in 1u32..400,
            companies in 1u32..60,
            industries in 1u16..6,
            degree in 0.0f64..=1.0,
            shares in proptest::array::uniform4(0u8..4),
            levels in proptest::array::uniform4(0usize..6),
            ties_per_block in proptest::sample::select(vec![1.0, 3.0, 50.0, 65_536.0]),
            short_room in proptest::sample::select(vec![0.0, 0.5, 0.9, 1.0]),
            seed in 0u64..1_000,
        ) {
            proptest::prop_assume!(shares.iter().any(|&s| s > 0));
            let companies = companies.min(people);
            let pop_config = PopulationConfig {
                people,
                companies,
                industries: industries.min(companies as u16),
                ..Default::default()
            };
            let total = shares.iter().map(|&s| f64::from(s)).sum::<f64>();
            // Equal strengths on purpose, and a signed zero (that takes the original build).
            let strengths = [0.0, 0.25, 0.5, 0.5, 1.0, -0.0];
            let config = NetworkConfig {
                mean_degree: (degree * f64::from(people - 1).min(60.0) * 4.0).round() / 4.0,
                mix: shares.map(|s| f64::from(s) / total),
                weights: levels.map(|l| strengths[l]),
            };
            pop_config.validate().unwrap();
            config.validate(people).unwrap();
            let pop = Population::draw(&pop_config, &mut stream(seed, Subsystem::Population, 0))
                .unwrap();
            let rng = stream(seed, Subsystem::Network, 0);
            let ties = TieDraws::new(&pop, &config, &rng);
            let want = two_visit_build(&ties);
            proptest::prop_assert_eq!(
                &professional_network(&pop, &config, &mut rng.clone(), &mut quiet).unwrap(),
                &want
            );
            let has = |z: f64| config.weights.iter().any(|w| w.to_bits() == z.to_bits());
            if !(has(0.0) && has(-0.0)) {
                let g = ties.simple_graph(ties_per_block, room, &mut quiet).unwrap();
                proptest::prop_assert_eq!(&g, &want);
                // Too little room for some or all blocks: counted exactly and drawn again.
                let short = |mean: f64| (mean * short_room) as usize;
                let g = ties.simple_graph(ties_per_block, short, &mut quiet).unwrap();
                proptest::prop_assert_eq!(&g, &want);
            }
        }
    }

    /// Hashes of the 1M-person, 50k-company market of seed 42, replicates 0.., recorded
    /// with the original implementation.
    const GOLDEN_1M: &[(u64, u64)] = &[
        (0xfc86bb9e6d63fa47, 0x70eba747fef2e198),
        (0x53c097b23606ef3b, 0x50622733148d2cf2),
        (0x9fd01b6306f245fd, 0x51e6eb30e1310dc8),
        (0xa1864b67ed340756, 0x720fb7b5fbe03180),
        (0x319b7d22dc0613bd, 0x6a75bbaa80f8cecb),
    ];

    fn env_or(name: &str, default: u64) -> u64 {
        std::env::var(name).map_or(default, |v| v.parse().unwrap())
    }

    fn median(mut xs: Vec<f64>) -> f64 {
        xs.sort_by(f64::total_cmp);
        let k = xs.len();
        if k % 2 == 1 {
            xs[k / 2]
        } else {
            (xs[k / 2 - 1] + xs[k / 2]) / 2.0
        }
    }

    /// Seconds on a CPU, summed over the process's threads (Linux's schedstat), or NaN.
    /// On a shared machine this leaves out the time spent waiting for a core.
    fn cpu_seconds() -> f64 {
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
            return f64::NAN;
        };
        let mut ns = 0u64;
        for task in tasks.flatten() {
            let stat = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
            match stat
                .split_whitespace()
                .next()
                .and_then(|x| x.parse::<u64>().ok())
            {
                Some(x) => ns += x,
                None => return f64::NAN,
            }
        }
        ns as f64 * 1e-9
    }

    /// Wall and CPU seconds of `f`.
    fn timed<T>(f: impl FnOnce() -> T) -> (T, [f64; 2]) {
        let (t, c) = (std::time::Instant::now(), cpu_seconds());
        let out = f();
        (out, [t.elapsed().as_secs_f64(), cpu_seconds() - c])
    }

    /// Times building replicates of a market: population, then professional network. For one
    /// core, as the target asks:
    ///
    ///     RAYON_NUM_THREADS=1 cargo test --release --lib market_build_timing -- --ignored --nocapture
    ///
    /// `BUYERNET_PEOPLE`, `BUYERNET_COMPANIES` and `BUYERNET_REPEATS` change the defaults
    /// (1M people, 50k companies, 5 replicates). Each replicate's network is also built the
    /// original way (`Graph::build` visiting the draws twice, then `dedup_keep_heaviest`),
    /// timed in the same run and compared in full, unless `BUYERNET_ORIGINAL=0` (to profile
    /// the new build alone); at the default size every replicate's hashes are checked
    /// against the ones recorded with the original implementation. Times are wall-clock and
    /// CPU (on a busy machine, CPU time leaves out waiting for a core).
    #[test]
    #[ignore = "timing harness; run with --release --ignored --nocapture"]
    fn market_build_timing() {
        let people = env_or("BUYERNET_PEOPLE", 1_000_000) as u32;
        let companies = env_or("BUYERNET_COMPANIES", 50_000) as u32;
        let repeats = env_or("BUYERNET_REPEATS", 5);
        let original = env_or("BUYERNET_ORIGINAL", 1) != 0;
        let pop_config = PopulationConfig {
            people,
            companies,
            ..Default::default()
        };
        let net_config = NetworkConfig::default();
        pop_config.validate().unwrap();
        net_config.validate(people).unwrap();
        let golden = (people, companies) == (1_000_000, 50_000);
        // [population, network, original network] x [wall, cpu], one row per replicate.
        let mut times: Vec<[[f64; 2]; 3]> = Vec::new();
        let mut hashes = Vec::new();
        for r in 0..repeats {
            let (pop, p) = timed(|| {
                Population::draw(
                    &pop_config,
                    &mut market_stream(42, Subsystem::Population, r, 0),
                )
                .unwrap()
            });
            let rng = market_stream(42, Subsystem::Network, r, 0);
            let new = || {
                timed(|| {
                    professional_network(&pop, &net_config, &mut rng.clone(), &mut quiet).unwrap()
                })
            };
            let old = || {
                original.then(|| timed(|| two_visit_build(&TieDraws::new(&pop, &net_config, &rng))))
            };
            // Alternate which goes first, so neither always runs on a warmer machine.
            let ((g, n), old) = if r % 2 == 0 {
                let a = new();
                (a, old())
            } else {
                let b = old();
                (new(), b)
            };
            let o = match old {
                Some((g_old, o)) => {
                    assert!(
                        g == g_old,
                        "replicate {r}: the network differs from the original's"
                    );
                    o
                }
                None => [f64::NAN; 2],
            };
            println!(
                "replicate {r}: population {:.3} s, network {:.3} s (original {:.3} s), \
                 total {:.3} s (original {:.3} s); CPU: total {:.3} s (original {:.3} s); \
                 {} ties stored",
                p[0],
                n[0],
                o[0],
                p[0] + n[0],
                p[0] + o[0],
                p[1] + n[1],
                p[1] + o[1],
                g.n_stored()
            );
            times.push([p, n, o]);
            hashes.push((population_hash(&pop), graph_hash(&g)));
        }
        for (clock, c) in [("wall", 0), ("CPU", 1)] {
            let m = |f: &dyn Fn(&[[f64; 2]; 3]) -> f64| median(times.iter().map(f).collect());
            println!(
                "median of {repeats}, {clock}: population {:.3} s, network {:.3} s \
                 (original {:.3} s), total {:.3} s (original {:.3} s)",
                m(&|t| t[0][c]),
                m(&|t| t[1][c]),
                m(&|t| t[2][c]),
                m(&|t| t[0][c] + t[1][c]),
                m(&|t| t[0][c] + t[2][c]),
            );
        }
        if golden {
            for (r, h) in hashes.iter().enumerate() {
                match GOLDEN_1M.get(r) {
                    Some(want) => assert_eq!(h, want, "replicate {r}"),
                    None => println!("unrecorded: ({:#018x}, {:#018x}),", h.0, h.1),
                }
            }
        }
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
