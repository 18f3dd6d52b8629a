//! Random graph generators: Erdős–Rényi, Watts–Strogatz and Barabási–Albert.
//!
//! Each one draws from the stream `(seed, Graph, 0)` and builds its CSR without an
//! intermediate edge list where it can, so peak memory stays close to the graph's own size.
//! All three are undirected and follow networkx's definitions (same distribution, not the
//! same draws).

use crate::errors::{Error, Result, try_filled, try_with_capacity};
use crate::graph::csr::{EdgeSource, Graph, check_node_count};
use crate::rng::{GeometricSkip, Stream, Subsystem, below, stream};

/// G(n, p) with p = mean_degree / (n - 1): every pair of distinct nodes is joined
/// independently. Runs in O(n + m) by skipping over absent pairs (Batagelj and Brandes 2005).
pub fn erdos_renyi(n: u64, mean_degree: f64, seed: u64) -> Result<Graph> {
    check_node_count(n)?;
    let max_degree = n.saturating_sub(1) as f64;
    if !(0.0..=max_degree).contains(&mean_degree) {
        return Err(Error::out_of_range(
            "mean_degree",
            mean_degree,
            format!("in [0, n - 1] = [0, {max_degree}]"),
        ));
    }
    let p = if n > 1 { mean_degree / max_degree } else { 0.0 };
    // Fail fast, before walking the pairs, if the expected edges cannot fit in memory.
    let expected = n as f64 * mean_degree * 1.01 + 1024.0;
    if expected >= usize::MAX as f64 / 4.0 {
        return Err(Error::TooLarge(format!(
            "n * mean_degree = {} stored edges is too many",
            n as f64 * mean_degree
        )));
    }
    drop(try_with_capacity::<u32>(
        expected as usize,
        "the graph's edges",
    )?);
    Graph::build(
        n as u32,
        false,
        &ErdosRenyiEdges {
            n: n as u32,
            p,
            seed,
        },
        false,
    )
}

/// The edges of G(n, p), replayed from the same stream on every visit.
struct ErdosRenyiEdges {
    n: u32,
    p: f64,
    seed: u64,
}

impl EdgeSource for ErdosRenyiEdges {
    fn visit(&self, mut f: impl FnMut(u32, u32, f32)) {
        if self.p <= 0.0 || self.n < 2 {
            return;
        }
        let mut rng = stream(self.seed, Subsystem::Graph, 0);
        let skip = GeometricSkip::new(self.p);
        let n = u64::from(self.n);
        // Walk the pairs (v, w) with w < v in order, jumping over the absent ones.
        let (mut v, mut w) = (1u64, 0u64);
        loop {
            w = w.saturating_add(skip.sample(&mut rng));
            while w >= v && v < n {
                w -= v;
                v += 1;
            }
            if v >= n {
                break;
            }
            f(v as u32, w as u32, 1.0);
            w += 1;
        }
    }
}

/// Watts–Strogatz small world: a ring where each node is tied to its `k / 2` nearest
/// neighbours on each side, then each tie is rewired with probability `p` to a uniformly
/// chosen node, avoiding self-loops and duplicate ties (as networkx does).
pub fn watts_strogatz(n: u64, k: u64, p: f64, seed: u64) -> Result<Graph> {
    check_node_count(n)?;
    if k >= n.max(1) && k > 0 {
        return Err(Error::out_of_range("k", k, format!("in [0, n) = [0, {n})")));
    }
    if !(0.0..=1.0).contains(&p) {
        return Err(Error::out_of_range("p", p, "in [0, 1]"));
    }
    let n32 = n as u32;
    let h = (k / 2) as usize;
    // Each tie is owned by the node it started from in the ring: owned[u * h + j - 1] is the
    // other end of u's j-th tie. A tie {u, w} exists iff w is in u's block or u in w's, so
    // looking it up costs O(k) with no adjacency sets.
    let ties = (n as usize)
        .checked_mul(h)
        .ok_or_else(|| Error::TooLarge(format!("n * k / 2 = {n} * {h} ties is too many")))?;
    let mut owned: Vec<u32> = try_with_capacity(ties, "the ring's ties")?;
    for u in 0..n {
        for j in 1..=h as u64 {
            owned.push(((u + j) % n) as u32);
        }
    }
    let mut degree = try_filled(n as usize, 2 * h as u32, "the degrees")?;
    let has_tie = |owned: &[u32], a: u32, b: u32| {
        owned[a as usize * h..(a as usize + 1) * h].contains(&b)
            || owned[b as usize * h..(b as usize + 1) * h].contains(&a)
    };
    let mut rng = stream(seed, Subsystem::Graph, 0);
    if p > 0.0 {
        for j in 0..h {
            for u in 0..n32 {
                if crate::rng::open_unit(&mut rng) > p {
                    continue;
                }
                if degree[u as usize] as u64 >= n - 1 {
                    continue; // u is tied to everyone: nothing to rewire to
                }
                let mut w = below(&mut rng, n) as u32;
                while w == u || has_tie(&owned, u, w) {
                    w = below(&mut rng, n) as u32;
                }
                let slot = u as usize * h + j;
                degree[owned[slot] as usize] -= 1;
                degree[w as usize] += 1;
                owned[slot] = w;
            }
        }
    }
    drop(degree);
    Graph::build(n32, false, &OwnedTies { owned: &owned, h }, false)
}

/// Ties listed in per-node blocks of `h`.
struct OwnedTies<'a> {
    owned: &'a [u32],
    h: usize,
}

impl EdgeSource for OwnedTies<'_> {
    fn visit(&self, mut f: impl FnMut(u32, u32, f32)) {
        if self.h == 0 {
            return;
        }
        for (i, block) in self.owned.chunks_exact(self.h).enumerate() {
            for &w in block {
                f(i as u32, w, 1.0);
            }
        }
    }
}

/// Barabási–Albert preferential attachment: starting from a star on `m + 1` nodes, each new
/// node ties to `m` distinct earlier nodes chosen with probability proportional to degree.
pub fn barabasi_albert(n: u64, m: u64, seed: u64) -> Result<Graph> {
    check_node_count(n)?;
    if m < 1 || m >= n {
        return Err(Error::out_of_range("m", m, format!("in [1, n) = [1, {n})")));
    }
    let (n_us, m_us) = (n as usize, m as usize);
    let too_many = || Error::TooLarge(format!("m * (n - m) = {m} * {} ties is too many", n - m));
    let n_edges = m_us.checked_mul(n_us - m_us).ok_or_else(too_many)?;
    let stored = n_edges.checked_mul(2).ok_or_else(too_many)?;
    // Every node but 0 "owns" the ties to the earlier nodes it chose; the star's node i
    // (1..=m) owns its tie to 0. Owned ties are listed in node order at the front of the
    // buffer that becomes the CSR's targets, so the owner of entry e is implicit.
    let own = |v: usize| match v {
        0 => 0,
        v if v <= m_us => 1,
        _ => m_us,
    };
    let own_start = |v: usize| {
        if v <= m_us {
            v.saturating_sub(1)
        } else {
            m_us + (v - m_us - 1) * m_us
        }
    };
    let owner = |e: usize| {
        if e < m_us {
            e + 1
        } else {
            m_us + 1 + (e - m_us) / m_us
        }
    };

    let mut targets: Vec<u32> = try_with_capacity(stored, "the graph's edges")?;
    targets.resize(m_us, 0);
    let mut rng: Stream = stream(seed, Subsystem::Graph, 0);
    let mut chosen: Vec<u32> = Vec::with_capacity(m_us);
    for v in m_us + 1..n_us {
        // A uniform entry of the list of both ends of every tie so far is a node drawn with
        // probability proportional to its degree.
        let ends = 2 * targets.len() as u64;
        chosen.clear();
        while chosen.len() < m_us {
            let x = below(&mut rng, ends) as usize;
            let (e, end) = (x / 2, x % 2);
            let t = if end == 0 {
                targets[e]
            } else {
                owner(e) as u32
            };
            if !chosen.contains(&t) {
                chosen.push(t);
            }
        }
        targets.extend_from_slice(&chosen);
        let _ = v;
    }
    debug_assert_eq!(targets.len(), n_edges);

    // Degrees: own ties plus the later nodes that chose this one.
    let mut offsets = try_filled(n_us + 1, 0u64, "the graph's offsets")?;
    for &t in &targets {
        offsets[t as usize + 1] += 1;
    }
    for v in 0..n_us {
        offsets[v + 1] += offsets[v] + own(v) as u64;
    }
    // Move each node's own block to the start of its CSR range, last node first: a block's
    // destination is never before its source (offsets[v] >= own_start(v)), so no block that
    // is still to be moved is overwritten.
    targets.resize(stored, 0);
    for v in (1..n_us).rev() {
        let (src, len, dst) = (own_start(v), own(v), offsets[v] as usize);
        targets.copy_within(src..src + len, dst);
        targets[dst..dst + len].sort_unstable();
    }
    // Then the reverse entries, in node order, after each chosen node's own block; they
    // arrive ascending, so every adjacency list ends up sorted.
    let mut filled = try_filled(n_us, m_us as u32, "the fill cursors")?;
    filled[0] = 0;
    for (v, f) in filled.iter_mut().enumerate().take(m_us + 1).skip(1) {
        *f = own(v) as u32;
    }
    for v in 1..n_us {
        let start = offsets[v] as usize;
        for k in 0..own(v) {
            let t = targets[start + k] as usize;
            targets[offsets[t] as usize + filled[t] as usize] = v as u32;
            filled[t] += 1;
        }
    }
    Ok(Graph::from_sorted_csr(
        false,
        n_edges as u64,
        offsets,
        targets,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_simple(g: &Graph) -> bool {
        (0..g.n_nodes()).all(|u| {
            let adj = g.neighbors(u);
            adj.windows(2).all(|w| w[0] < w[1]) && !adj.contains(&u)
        })
    }

    fn is_symmetric(g: &Graph) -> bool {
        (0..g.n_nodes()).all(|u| {
            g.neighbors(u)
                .iter()
                .all(|&v| g.neighbors(v).binary_search(&u).is_ok())
        })
    }

    #[test]
    fn erdos_renyi_has_the_mean_degree_and_is_simple() {
        let g = erdos_renyi(20_000, 8.0, 1).unwrap();
        let mean = g.n_stored() as f64 / 20_000.0;
        assert!((mean - 8.0).abs() < 0.1, "{mean}");
        assert!(is_simple(&g) && is_symmetric(&g));
        assert_eq!(g, erdos_renyi(20_000, 8.0, 1).unwrap());
        assert_ne!(g, erdos_renyi(20_000, 8.0, 2).unwrap());
        // Complete graph at the top of the range.
        let k = erdos_renyi(30, 29.0, 1).unwrap();
        assert_eq!(k.n_edges(), 30 * 29 / 2);
    }

    #[test]
    fn watts_strogatz_is_a_ring_at_p0_and_keeps_the_edge_count() {
        let ring = watts_strogatz(10, 4, 0.0, 1).unwrap();
        assert_eq!(ring.neighbors(0), &[1, 2, 8, 9]);
        assert_eq!(ring.n_edges(), 20);
        for p in [0.1, 0.5, 1.0] {
            let g = watts_strogatz(2_000, 10, p, 3).unwrap();
            assert_eq!(g.n_edges(), 10_000);
            assert!(is_simple(&g) && is_symmetric(&g));
        }
        // Dense enough that some nodes are tied to everyone.
        let dense = watts_strogatz(6, 4, 1.0, 5).unwrap();
        assert!(is_simple(&dense));
        assert!(watts_strogatz(5, 5, 0.1, 1).is_err());
        assert!(watts_strogatz(5, 2, 1.5, 1).is_err());
    }

    #[test]
    fn barabasi_albert_has_m_ties_per_new_node_and_a_heavy_tail() {
        let (n, m) = (50_000u64, 5u64);
        let g = barabasi_albert(n, m, 9).unwrap();
        assert_eq!(g.n_edges(), m * (n - m));
        assert!(is_simple(&g) && is_symmetric(&g));
        let deg = g.degrees();
        assert!(deg.iter().all(|&d| d >= 1));
        assert!(*deg.iter().max().unwrap() > 300, "hubs expected");
        assert!(barabasi_albert(10, 0, 1).is_err());
        assert!(barabasi_albert(10, 10, 1).is_err());
        let small = barabasi_albert(2, 1, 1).unwrap();
        assert_eq!(small.n_edges(), 1);
    }
}
