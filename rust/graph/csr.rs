//! The social network: an immutable graph in compressed sparse row (CSR) form.
//!
//! Node ids are `u32`; the out-neighbours of node `u` are `targets[offsets[u]..offsets[u + 1]]`,
//! sorted ascending, with an optional `f32` weight per stored edge. An undirected edge is stored
//! both ways (a self-loop once), so every algorithm can treat the graph as directed. Sorting
//! makes the layout canonical: the same edges in any input order give the same graph, and so
//! the same cascades for a seed.

use crate::errors::{Error, Result, try_filled, try_with_capacity};
use rayon::prelude::*;

/// Edge endpoint arrays and optional weights, as [`Graph::to_edges`] returns them.
pub type EdgeArrays = (Vec<u32>, Vec<u32>, Option<Vec<f32>>);

/// An immutable graph in CSR form.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    directed: bool,
    n_edges: u64,
    offsets: Vec<u64>,
    targets: Vec<u32>,
    weights: Option<Vec<f32>>,
}

/// The largest number of nodes: ids must fit in `u32` with one value to spare.
pub const MAX_NODES: u64 = u32::MAX as u64;

/// A source of edges that can be walked more than once, so a CSR can be built in two passes
/// (count, then fill) without holding an edge list.
pub(crate) trait EdgeSource {
    /// Calls `f(u, v, weight)` for every edge, in the same order on every call (the weight
    /// is ignored when the graph is unweighted).
    fn visit(&self, f: impl FnMut(u32, u32, f32));
}

/// Edges given as two arrays of endpoints and optional weights.
struct ArrayEdges<'a> {
    src: &'a [u32],
    dst: &'a [u32],
    weights: Option<&'a [f32]>,
}

impl EdgeSource for ArrayEdges<'_> {
    fn visit(&self, mut f: impl FnMut(u32, u32, f32)) {
        for (i, (&u, &v)) in self.src.iter().zip(self.dst).enumerate() {
            f(u, v, self.weights.map_or(1.0, |w| w[i]));
        }
    }
}

impl Graph {
    /// A graph on `n` nodes from edge endpoint arrays, with an optional weight per edge.
    ///
    /// Undirected edges are stored both ways. Parallel edges are kept (each is a separate
    /// chance to pass a cascade on); self-loops are kept and stored once.
    pub fn from_edges(
        n: u64,
        src: &[u32],
        dst: &[u32],
        weights: Option<&[f32]>,
        directed: bool,
    ) -> Result<Self> {
        check_node_count(n)?;
        if dst.len() != src.len() {
            return Err(Error::length(
                "dst",
                src.len(),
                dst.len(),
                "one entry per edge, like src",
            ));
        }
        if let Some(w) = weights {
            if w.len() != src.len() {
                return Err(Error::length(
                    "weights",
                    src.len(),
                    w.len(),
                    "one weight per edge",
                ));
            }
            if let Some(bad) = w.iter().find(|x| !x.is_finite()) {
                return Err(Error::out_of_range("weights", bad, "finite"));
            }
        }
        for (name, ids) in [("src", src), ("dst", dst)] {
            if let Some(&bad) = ids.par_iter().find_any(|&&id| u64::from(id) >= n) {
                return Err(Error::out_of_range(
                    name,
                    bad,
                    format!("a node id in [0, n) = [0, {n})"),
                ));
            }
        }
        let edges = ArrayEdges { src, dst, weights };
        Self::build(n as u32, directed, &edges, weights.is_some())
    }

    /// Builds the CSR in two passes over `edges`: count out-degrees, then fill.
    pub(crate) fn build(
        n: u32,
        directed: bool,
        edges: &impl EdgeSource,
        weighted: bool,
    ) -> Result<Self> {
        let n_us = n as usize;
        let mut offsets = try_filled(n_us + 1, 0u64, "the graph's offsets")?;
        let mut n_edges = 0u64;
        edges.visit(|u, v, _| {
            n_edges += 1;
            offsets[u as usize + 1] += 1;
            if !directed && u != v {
                offsets[v as usize + 1] += 1;
            }
        });
        for i in 0..n_us {
            offsets[i + 1] += offsets[i];
        }
        let stored = offsets[n_us] as usize;
        let mut targets = try_filled(stored, 0u32, "the graph's edges")?;
        let mut stored_weights = match weighted {
            true => Some(try_filled(stored, 0f32, "the graph's weights")?),
            false => None,
        };
        // Fill cursors, relative to each node's offset, so they fit in u32.
        let mut fill = try_filled(n_us, 0u32, "the graph's fill cursors")?;
        let mut put = |u: u32, v: u32, w: f32| {
            let slot = (offsets[u as usize] + u64::from(fill[u as usize])) as usize;
            fill[u as usize] += 1;
            targets[slot] = v;
            if let Some(sw) = stored_weights.as_mut() {
                sw[slot] = w;
            }
        };
        edges.visit(|u, v, w| {
            put(u, v, w);
            if !directed && u != v {
                put(v, u, w);
            }
        });
        drop(fill);
        let mut graph = Graph {
            directed,
            n_edges,
            offsets,
            targets,
            weights: stored_weights,
        };
        graph.sort_adjacency();
        Ok(graph)
    }

    /// Assembles a graph from CSR parts that are already valid (sorted adjacency included).
    pub(crate) fn from_sorted_csr(
        directed: bool,
        n_edges: u64,
        offsets: Vec<u64>,
        targets: Vec<u32>,
    ) -> Self {
        let graph = Graph {
            directed,
            n_edges,
            offsets,
            targets,
            weights: None,
        };
        debug_assert!(graph.validate_csr().is_ok());
        graph
    }

    /// Assembles a weighted graph from CSR parts that are already valid: sorted adjacency,
    /// finite weights and, when undirected, symmetric storage.
    pub(crate) fn from_sorted_weighted_csr(
        directed: bool,
        n_edges: u64,
        offsets: Vec<u64>,
        targets: Vec<u32>,
        weights: Vec<f32>,
    ) -> Self {
        let graph = Graph {
            directed,
            n_edges,
            offsets,
            targets,
            weights: Some(weights),
        };
        debug_assert!(graph.validate_csr().is_ok());
        debug_assert!(directed || graph.is_symmetric());
        graph
    }

    /// Rebuilds a graph from the arrays of [`Graph::csr`] (for unpickling), checking them.
    pub fn from_csr(
        directed: bool,
        offsets: Vec<u64>,
        targets: Vec<u32>,
        weights: Option<Vec<f32>>,
    ) -> Result<Self> {
        let n = offsets.len().checked_sub(1).ok_or_else(|| {
            Error::out_of_range("offsets", "an empty array", "of length n + 1 >= 1")
        })?;
        check_node_count(n as u64)?;
        let mut graph = Graph {
            directed,
            n_edges: 0,
            offsets,
            targets,
            weights,
        };
        graph.validate_csr()?;
        graph.sort_adjacency();
        if let Some(bad) = graph
            .weights()
            .and_then(|w| w.iter().find(|x| !x.is_finite()))
        {
            return Err(Error::out_of_range("weights", bad, "finite"));
        }
        if !directed && !graph.is_symmetric() {
            return Err(Error::out_of_range(
                "targets",
                "an edge stored one way only",
                "symmetric for an undirected graph (every u->v stored with v->u)",
            ));
        }
        graph.n_edges = if directed {
            graph.targets.len() as u64
        } else {
            let loops = (0..n as u32)
                .into_par_iter()
                .map(|u| graph.neighbors(u).iter().filter(|&&v| v == u).count() as u64)
                .sum::<u64>();
            (graph.targets.len() as u64 + loops) / 2
        };
        Ok(graph)
    }

    /// Whether every stored u->v (u != v) has as many v->u entries, as an undirected graph's
    /// storage must. Needs sorted adjacency.
    fn is_symmetric(&self) -> bool {
        let count = |adj: &[u32], v: u32| {
            adj.partition_point(|&x| x <= v) - adj.partition_point(|&x| x < v)
        };
        (0..self.n_nodes()).into_par_iter().all(|u| {
            let adj = self.neighbors(u);
            adj.iter()
                .all(|&v| v == u || count(adj, v) == count(self.neighbors(v), u))
        })
    }

    fn validate_csr(&self) -> Result<()> {
        let o = &self.offsets;
        if o[0] != 0 || o.windows(2).any(|w| w[0] > w[1]) {
            return Err(Error::out_of_range(
                "offsets",
                "a decreasing sequence",
                "non-decreasing from 0",
            ));
        }
        let stored = self.targets.len();
        if *o.last().unwrap_or(&0) != stored as u64 {
            return Err(Error::length(
                "targets",
                *o.last().unwrap_or(&0) as usize,
                stored,
                "offsets[-1]",
            ));
        }
        let n = self.n_nodes();
        if let Some(&bad) = self.targets.par_iter().find_any(|&&v| v >= n) {
            return Err(Error::out_of_range(
                "targets",
                bad,
                format!("a node id in [0, {n})"),
            ));
        }
        if let Some(w) = &self.weights {
            if w.len() != stored {
                return Err(Error::length(
                    "weights",
                    stored,
                    w.len(),
                    "one weight per stored edge",
                ));
            }
        }
        Ok(())
    }

    /// Sorts each adjacency list (by target, then weight) so the layout is canonical.
    fn sort_adjacency(&mut self) {
        let in_order = |u: u32| match self.weights.as_deref() {
            None => self.neighbors(u).is_sorted(),
            Some(w) => {
                let range = self.edge_range(u);
                let (t, w) = (&self.targets[range.clone()], &w[range]);
                (1..t.len()).all(|i| (t[i - 1], w[i - 1]) <= (t[i], w[i]))
            }
        };
        if (0..self.n_nodes()).into_par_iter().all(in_order) {
            return;
        }
        let ranges = node_chunks(&self.offsets);
        for_each_node_mut(
            &mut self.targets,
            self.weights.as_deref_mut(),
            &self.offsets,
            &ranges,
            |targets, weights| match weights {
                None => targets.sort_unstable(),
                Some(weights) => {
                    // Sort (target, weight) pairs together, then write them back.
                    let mut pairs: Vec<(u32, f32)> = targets
                        .iter()
                        .copied()
                        .zip(weights.iter().copied())
                        .collect();
                    pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
                    for (k, (v, x)) in pairs.into_iter().enumerate() {
                        targets[k] = v;
                        weights[k] = x;
                    }
                }
            },
        );
    }

    /// Drops parallel edges, keeping the heaviest of each (adjacency must be sorted by
    /// target, then weight). Undirected duplicates sit in both endpoints' lists, so both keep
    /// the same one. Compacts in place: every entry moves left, never right.
    pub(crate) fn dedup_keep_heaviest(&mut self) {
        let n = self.n_nodes() as usize;
        let mut write = 0usize;
        let mut start = 0usize;
        for u in 0..n {
            let end = self.offsets[u + 1] as usize;
            let mut e = start;
            while e < end {
                let v = self.targets[e];
                // The last of a run of equal targets is the heaviest.
                let mut last = e;
                while last + 1 < end && self.targets[last + 1] == v {
                    last += 1;
                }
                self.targets[write] = v;
                if let Some(w) = self.weights.as_mut() {
                    w[write] = w[last];
                }
                write += 1;
                e = last + 1;
            }
            start = end;
            self.offsets[u + 1] = write as u64;
        }
        self.targets.truncate(write);
        self.targets.shrink_to_fit();
        if let Some(w) = self.weights.as_mut() {
            w.truncate(write);
            w.shrink_to_fit();
        }
        let loops: u64 = (0..n as u32)
            .map(|u| self.neighbors(u).iter().filter(|&&v| v == u).count() as u64)
            .sum();
        self.n_edges = if self.directed {
            write as u64
        } else {
            (write as u64 + loops) / 2
        };
    }

    /// Number of nodes.
    #[inline]
    pub fn n_nodes(&self) -> u32 {
        (self.offsets.len() - 1) as u32
    }

    /// Number of edges as the user counts them: an undirected edge once.
    pub fn n_edges(&self) -> u64 {
        self.n_edges
    }

    /// Number of stored (directed) adjacency entries.
    #[inline]
    pub fn n_stored(&self) -> usize {
        self.targets.len()
    }

    /// Whether edges have a direction.
    pub fn is_directed(&self) -> bool {
        self.directed
    }

    /// The weight of every stored edge, aligned with the adjacency entries.
    pub fn weights(&self) -> Option<&[f32]> {
        self.weights.as_deref()
    }

    /// The out-neighbours of `u`, ascending. Panics if `u` is out of range.
    #[inline]
    pub fn neighbors(&self, u: u32) -> &[u32] {
        &self.targets[self.edge_range(u)]
    }

    /// The positions of `u`'s out-edges in the stored arrays. Panics if `u` is out of range.
    #[inline]
    pub fn edge_range(&self, u: u32) -> std::ops::Range<usize> {
        let u = u as usize;
        self.offsets[u] as usize..self.offsets[u + 1] as usize
    }

    /// The target of stored edge `e`.
    #[inline]
    pub fn target(&self, e: usize) -> u32 {
        self.targets[e]
    }

    /// Out-degree of every node.
    pub fn degrees(&self) -> Vec<u32> {
        self.offsets
            .windows(2)
            .map(|w| (w[1] - w[0]) as u32)
            .collect()
    }

    /// The CSR arrays: offsets (n + 1), targets and weights (one per stored edge).
    pub fn csr(&self) -> (&[u64], &[u32], Option<&[f32]>) {
        (&self.offsets, &self.targets, self.weights.as_deref())
    }

    /// The edges as endpoint arrays (and weights), each undirected edge once with `src <= dst`.
    /// `from_edges` on the result gives back an equal graph.
    pub fn to_edges(&self) -> Result<EdgeArrays> {
        let cap = self.n_edges as usize;
        let mut src = try_with_capacity(cap, "the edge sources")?;
        let mut dst = try_with_capacity(cap, "the edge targets")?;
        let mut w = match self.weights {
            Some(_) => Some(try_with_capacity(cap, "the edge weights")?),
            None => None,
        };
        for u in 0..self.n_nodes() {
            for e in self.edge_range(u) {
                let v = self.targets[e];
                if self.directed || u <= v {
                    src.push(u);
                    dst.push(v);
                    if let (Some(w), Some(sw)) = (w.as_mut(), self.weights.as_ref()) {
                        w.push(sw[e]);
                    }
                }
            }
        }
        Ok((src, dst, w))
    }

    /// Bytes held by the graph's arrays.
    pub fn nbytes(&self) -> usize {
        self.offsets.len() * 8
            + self.targets.len() * 4
            + self.weights.as_ref().map_or(0, |w| w.len() * 4)
    }
}

pub(crate) fn check_node_count(n: u64) -> Result<()> {
    if n > MAX_NODES {
        return Err(Error::out_of_range(
            "n",
            n,
            format!("at most {MAX_NODES} (node ids are 32-bit)"),
        ));
    }
    Ok(())
}

/// Splits the nodes into contiguous ranges of about 64k stored edges each, for parallel work.
fn node_chunks(offsets: &[u64]) -> Vec<std::ops::Range<u32>> {
    const EDGES_PER_CHUNK: u64 = 1 << 16;
    let n = offsets.len() - 1;
    let mut ranges = Vec::new();
    let mut start = 0usize;
    while start < n {
        let mut end = start + 1;
        while end < n && offsets[end] - offsets[start] < EDGES_PER_CHUNK && end - start < 4096 {
            end += 1;
        }
        ranges.push(start as u32..end as u32);
        start = end;
    }
    ranges
}

/// Splits a per-stored-edge array into the pieces that belong to each node range.
fn split_by_chunks<'a, T>(
    mut data: &'a mut [T],
    offsets: &[u64],
    ranges: &[std::ops::Range<u32>],
) -> Vec<&'a mut [T]> {
    let mut pieces = Vec::with_capacity(ranges.len());
    for r in ranges {
        let len = (offsets[r.end as usize] - offsets[r.start as usize]) as usize;
        let (head, tail) = std::mem::take(&mut data).split_at_mut(len);
        pieces.push(head);
        data = tail;
    }
    pieces
}

/// Runs `f(targets of u, weights of u)` for every node u, in parallel over node ranges.
fn for_each_node_mut(
    targets: &mut [u32],
    weights: Option<&mut [f32]>,
    offsets: &[u64],
    ranges: &[std::ops::Range<u32>],
    f: impl Fn(&mut [u32], Option<&mut [f32]>) + Sync,
) {
    let target_pieces = split_by_chunks(targets, offsets, ranges);
    let mut weight_pieces: Vec<Option<&mut [f32]>> = match weights {
        Some(w) => split_by_chunks(w, offsets, ranges)
            .into_iter()
            .map(Some)
            .collect(),
        None => ranges.iter().map(|_| None).collect(),
    };
    target_pieces
        .into_par_iter()
        .zip(weight_pieces.par_iter_mut())
        .zip(ranges.par_iter())
        .for_each(|((t, w), range)| {
            let base = offsets[range.start as usize];
            for u in range.clone() {
                let lo = (offsets[u as usize] - base) as usize;
                let hi = (offsets[u as usize + 1] - base) as usize;
                f(&mut t[lo..hi], w.as_deref_mut().map(|w| &mut w[lo..hi]));
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undirected_edges_are_stored_both_ways_and_sorted() {
        let g = Graph::from_edges(4, &[2, 0, 1, 3], &[0, 1, 2, 3], None, false).unwrap();
        assert_eq!(g.n_nodes(), 4);
        assert_eq!(g.n_edges(), 4);
        assert_eq!(g.n_stored(), 7); // the self-loop 3-3 is stored once
        assert_eq!(g.neighbors(0), &[1, 2]);
        assert_eq!(g.neighbors(1), &[0, 2]);
        assert_eq!(g.neighbors(2), &[0, 1]);
        assert_eq!(g.neighbors(3), &[3]);
        assert_eq!(g.degrees(), vec![2, 2, 2, 1]);
    }

    #[test]
    fn directed_edges_keep_their_direction_and_weights_follow_sorting() {
        let g =
            Graph::from_edges(3, &[0, 0, 2], &[2, 1, 0], Some(&[0.5, 0.25, 1.0]), true).unwrap();
        assert_eq!(g.neighbors(0), &[1, 2]);
        assert_eq!(g.weights().unwrap()[..2], [0.25, 0.5]);
        assert_eq!(g.neighbors(1), &[] as &[u32]);
        assert_eq!(g.n_edges(), 3);
    }

    #[test]
    fn to_edges_round_trips() {
        let src = [0, 1, 2, 2, 4, 0];
        let dst = [1, 2, 0, 2, 3, 1];
        let w = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
        for directed in [false, true] {
            let g = Graph::from_edges(5, &src, &dst, Some(&w), directed).unwrap();
            let (s, d, ww) = g.to_edges().unwrap();
            let h = Graph::from_edges(5, &s, &d, ww.as_deref(), directed).unwrap();
            assert_eq!(g, h);
            let (o, t, w2) = g.csr();
            let k =
                Graph::from_csr(directed, o.to_vec(), t.to_vec(), w2.map(<[f32]>::to_vec)).unwrap();
            assert_eq!(g, k);
        }
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        assert!(matches!(
            Graph::from_edges(3, &[0, 1], &[1], None, false),
            Err(Error::Length { name: "dst", .. })
        ));
        assert!(matches!(
            Graph::from_edges(3, &[0, 3], &[1, 1], None, false),
            Err(Error::OutOfRange { name: "src", .. })
        ));
        assert!(matches!(
            Graph::from_edges(3, &[0], &[1], Some(&[f32::NAN]), false),
            Err(Error::OutOfRange {
                name: "weights",
                ..
            })
        ));
        assert!(Graph::from_csr(false, vec![0, 2, 1], vec![0, 1], None).is_err());
        assert!(Graph::from_csr(false, vec![0, 1], vec![5], None).is_err());
        assert!(Graph::from_csr(false, vec![], vec![], None).is_err());
        // Stored one way only, but marked undirected.
        assert!(Graph::from_csr(false, vec![0, 1, 1], vec![1], None).is_err());
        assert!(Graph::from_csr(true, vec![0, 1, 1], vec![1], None).is_ok());
        assert!(
            Graph::from_csr(false, vec![0, 1, 2], vec![1, 0], Some(vec![f32::NAN, 1.0])).is_err()
        );
    }

    #[test]
    fn dedup_keeps_the_heaviest_parallel_edge_on_both_sides() {
        let mut g = Graph::from_edges(
            3,
            &[0, 1, 0, 2],
            &[1, 0, 2, 2],
            Some(&[0.2, 0.9, 0.5, 0.7]),
            false,
        )
        .unwrap();
        g.dedup_keep_heaviest();
        assert_eq!(g.neighbors(0), &[1, 2]);
        assert_eq!(g.neighbors(1), &[0]);
        assert_eq!(g.neighbors(2), &[0, 2]);
        let w = g.weights().unwrap();
        assert_eq!(w, &[0.9, 0.5, 0.9, 0.5, 0.7]);
        assert_eq!(g.n_edges(), 3);
        let (o, t, w) = g.csr();
        let again = Graph::from_csr(false, o.to_vec(), t.to_vec(), w.map(<[f32]>::to_vec)).unwrap();
        assert_eq!(again, g);
    }

    #[test]
    fn empty_graphs_are_fine() {
        let g = Graph::from_edges(0, &[], &[], None, false).unwrap();
        assert_eq!((g.n_nodes(), g.n_edges()), (0, 0));
        let g = Graph::from_edges(3, &[], &[], None, true).unwrap();
        assert_eq!(g.degrees(), vec![0, 0, 0]);
    }
}
