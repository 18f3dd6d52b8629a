//! `buyernet.Graph` and the cascade engine: argument conversion and forwarding.

use crate::bindings::runtime::{NodeIds, compute, count, to_py};
use crate::errors::Error;
use crate::graph::cascade::{self as engine, Seeds, Transmission};
use crate::graph::csr::Graph;
use crate::graph::fused;
use crate::graph::generators;
use crate::graph::seeding::{self, Method, Request};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::sync::Arc;

/// The immutable CSR graph behind `buyernet.Graph`.
#[pyclass(name = "Graph", module = "buyernet._core", frozen)]
pub struct PyGraph {
    pub(crate) inner: Arc<Graph>,
}

fn wrap(graph: crate::Result<Graph>) -> PyResult<PyGraph> {
    graph.map(|g| PyGraph { inner: Arc::new(g) }).map_err(to_py)
}

#[pymethods]
impl PyGraph {
    #[staticmethod]
    #[pyo3(signature = (src, dst, n, weights, directed))]
    fn from_edges(
        py: Python<'_>,
        src: NodeIds<'_>,
        dst: NodeIds<'_>,
        n: i64,
        weights: Option<PyReadonlyArray1<'_, f32>>,
        directed: bool,
    ) -> PyResult<Self> {
        let n = count("n", n, 0, crate::graph::csr::MAX_NODES as i64)?;
        let (src, dst) = (src.to_vec("src", n)?, dst.to_vec("dst", n)?);
        // Copied: Python threads may write to the caller's arrays while the GIL is released.
        let weights = weights
            .map(|w| w.as_slice().map(<[f32]>::to_vec))
            .transpose()?;
        wrap(py.detach(|| Graph::from_edges(n, &src, &dst, weights.as_deref(), directed)))
    }

    #[staticmethod]
    fn from_csr(
        py: Python<'_>,
        directed: bool,
        offsets: PyReadonlyArray1<'_, u64>,
        targets: PyReadonlyArray1<'_, u32>,
        weights: Option<PyReadonlyArray1<'_, f32>>,
    ) -> PyResult<Self> {
        let offsets = offsets.as_slice()?.to_vec();
        let targets = targets.as_slice()?.to_vec();
        let weights = weights
            .map(|w| w.as_slice().map(<[f32]>::to_vec))
            .transpose()?;
        wrap(py.detach(|| Graph::from_csr(directed, offsets, targets, weights)))
    }

    #[staticmethod]
    fn erdos_renyi(py: Python<'_>, n: i64, mean_degree: f64, seed: u64) -> PyResult<Self> {
        let n = count("n", n, 0, crate::graph::csr::MAX_NODES as i64)?;
        wrap(py.detach(|| generators::erdos_renyi(n, mean_degree, seed)))
    }

    #[staticmethod]
    fn watts_strogatz(py: Python<'_>, n: i64, k: i64, p: f64, seed: u64) -> PyResult<Self> {
        let n = count("n", n, 0, crate::graph::csr::MAX_NODES as i64)?;
        let k = count("k", k, 0, i64::MAX)?;
        wrap(py.detach(|| generators::watts_strogatz(n, k, p, seed)))
    }

    #[staticmethod]
    fn barabasi_albert(py: Python<'_>, n: i64, m: i64, seed: u64) -> PyResult<Self> {
        let n = count("n", n, 0, crate::graph::csr::MAX_NODES as i64)?;
        let m = count("m", m, 0, i64::MAX)?;
        wrap(py.detach(|| generators::barabasi_albert(n, m, seed)))
    }

    #[getter]
    fn n_nodes(&self) -> u32 {
        self.inner.n_nodes()
    }

    #[getter]
    fn n_edges(&self) -> u64 {
        self.inner.n_edges()
    }

    #[getter]
    fn n_stored(&self) -> usize {
        self.inner.n_stored()
    }

    #[getter]
    fn directed(&self) -> bool {
        self.inner.is_directed()
    }

    #[getter]
    fn weighted(&self) -> bool {
        self.inner.weights().is_some()
    }

    #[getter]
    fn nbytes(&self) -> usize {
        self.inner.nbytes()
    }

    fn degrees<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u32>> {
        self.inner.degrees().into_pyarray(py)
    }

    fn neighbors<'py>(&self, py: Python<'py>, node: i64) -> PyResult<Bound<'py, PyArray1<u32>>> {
        let n = u64::from(self.inner.n_nodes());
        if node < 0 || node as u64 >= n {
            return Err(to_py(Error::out_of_range(
                "node",
                node,
                format!("a node id in [0, n) = [0, {n})"),
            )));
        }
        Ok(PyArray1::from_slice(py, self.inner.neighbors(node as u32)))
    }

    fn to_edges<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let (src, dst, weights) = py.detach(|| self.inner.to_edges()).map_err(to_py)?;
        let weights = weights.map(|w| w.into_pyarray(py));
        (src.into_pyarray(py), dst.into_pyarray(py), weights).into_pyobject(py)
    }

    fn csr<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let (offsets, targets, weights) = self.inner.csr();
        (
            PyArray1::from_slice(py, offsets),
            PyArray1::from_slice(py, targets),
            weights.map(|w| PyArray1::from_slice(py, w)),
        )
            .into_pyobject(py)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyGraph>()
            .is_ok_and(|o| *o.get().inner == *self.inner)
    }

    /// Pickles as the CSR arrays, rebuilt by `Graph.from_csr`.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let rebuild = py.get_type::<PyGraph>().getattr("from_csr")?;
        let (offsets, targets, weights) =
            slf.get()
                .csr(py)?
                .extract::<(Bound<'py, PyAny>, Bound<'py, PyAny>, Bound<'py, PyAny>)>()?;
        let args = (slf.get().inner.is_directed(), offsets, targets, weights);
        (rebuild, args).into_pyobject(py)
    }
}

/// Where cascades start: node ids, or a number of random seeds drawn anew per run.
#[derive(FromPyObject)]
pub(crate) enum SeedsArg<'py> {
    Nodes(NodeIds<'py>),
    Random(i64),
}

impl SeedsArg<'_> {
    fn resolve(&self, graph: &Graph) -> PyResult<Seeds> {
        let n = u64::from(graph.n_nodes());
        Ok(match self {
            SeedsArg::Nodes(ids) => Seeds::Nodes(ids.to_vec("seeds", n)?),
            SeedsArg::Random(k) => Seeds::Random(count("k", *k, 0, n as i64)? as u32),
        })
    }
}

/// The transmission probability: one for all edges, one per stored edge, or the weights.
#[derive(FromPyObject)]
pub(crate) enum ProbabilityArg<'py> {
    Uniform(f64),
    PerEdge(PyReadonlyArray1<'py, f32>),
    /// The string 'weights' (checked by the Python layer).
    GraphWeights(String),
}

impl ProbabilityArg<'_> {
    /// A copy of a per-edge array: Python threads may write to the caller's array while the
    /// GIL is released.
    fn per_edge(&self) -> PyResult<Option<Vec<f32>>> {
        match self {
            ProbabilityArg::PerEdge(a) => Ok(Some(a.as_slice()?.to_vec())),
            _ => Ok(None),
        }
    }
}

/// Who activated whom: (generation, parent) per node.
type Trace<'py> = (Bound<'py, PyArray1<i32>>, Bound<'py, PyArray1<i64>>);

fn transmission<'a>(
    p: &ProbabilityArg<'_>,
    edges: Option<&'a [f32]>,
    graph: &'a Graph,
) -> crate::Result<Transmission<'a>> {
    match (p, edges) {
        (ProbabilityArg::Uniform(p), _) => Transmission::uniform(*p),
        (ProbabilityArg::PerEdge(_), Some(edges)) => Transmission::per_edge(graph, edges, "p"),
        (ProbabilityArg::GraphWeights(name), _) if name != "weights" => Err(Error::out_of_range(
            "p",
            format!("{name:?}"),
            "a probability in [0, 1], an array of per-edge probabilities, or 'weights'",
        )),
        (ProbabilityArg::GraphWeights(_), _) => match graph.weights() {
            Some(w) => Transmission::per_edge(graph, w, "the graph's weights (p='weights')"),
            None => Err(Error::out_of_range(
                "p",
                "'weights'",
                "a probability or per-edge array: the graph has no weights",
            )),
        },
        (ProbabilityArg::PerEdge(_), None) => unreachable!("per-edge p always has a slice"),
    }
}

/// One cascade: (generation, parent) arrays.
#[pyfunction]
#[pyo3(signature = (graph, seeds, p, seed, max_generations))]
pub(crate) fn cascade<'py>(
    py: Python<'py>,
    graph: &Bound<'py, PyGraph>,
    seeds: SeedsArg<'py>,
    p: ProbabilityArg<'py>,
    seed: u64,
    max_generations: Option<i64>,
) -> PyResult<Trace<'py>> {
    let graph = &graph.get().inner;
    let seeds = seeds.resolve(graph)?;
    let max_generations = max_generations
        .map(|g| count("max_generations", g, 0, i64::from(u32::MAX)).map(|g| g as u32))
        .transpose()?;
    let edges = p.per_edge()?;
    let p = transmission(&p, edges.as_deref(), graph).map_err(to_py)?;
    let trace = compute(py, Some(1), None, |_, cancel| {
        engine::cascade(graph, &seeds, p, seed, max_generations, cancel)
    })?;
    Ok((
        trace.generation.into_pyarray(py),
        trace.parent.into_pyarray(py),
    ))
}

/// Sizes of many independent cascades, in parallel: one run after another, or (`fused`)
/// 64 runs per machine word.
#[pyfunction]
#[pyo3(signature = (graph, seeds, p, runs, seed, threads, fused=false))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn cascade_sizes<'py>(
    py: Python<'py>,
    graph: &Bound<'py, PyGraph>,
    seeds: SeedsArg<'py>,
    p: ProbabilityArg<'py>,
    runs: i64,
    seed: u64,
    threads: Option<i64>,
    fused: bool,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let graph = &graph.get().inner;
    let seeds = seeds.resolve(graph)?;
    let runs = count("runs", runs, 1, i64::MAX)? as usize;
    let edges = p.per_edge()?;
    let p = transmission(&p, edges.as_deref(), graph).map_err(to_py)?;
    let sizes = compute(py, threads, None, |parallel, cancel| {
        if fused {
            fused::cascade_sizes(graph, &seeds, p, runs, seed, parallel, cancel)
        } else {
            engine::cascade_sizes(graph, &seeds, p, runs, seed, parallel, cancel)
        }
    })?;
    Ok(sizes
        .into_iter()
        .map(i64::from)
        .collect::<Vec<_>>()
        .into_pyarray(py))
}

/// Run `run` of `cascade_sizes(..., fused=True)`, replayed alone.
#[pyfunction]
#[pyo3(signature = (graph, seeds, p, seed, run))]
pub(crate) fn fused_replay<'py>(
    py: Python<'py>,
    graph: &Bound<'py, PyGraph>,
    seeds: SeedsArg<'py>,
    p: ProbabilityArg<'py>,
    seed: u64,
    run: u64,
) -> PyResult<i64> {
    let graph = &graph.get().inner;
    let seeds = seeds.resolve(graph)?;
    let edges = p.per_edge()?;
    let p = transmission(&p, edges.as_deref(), graph).map_err(to_py)?;
    let size = compute(py, Some(1), None, |_, cancel| {
        fused::replay(graph, &seeds, p, seed, run, cancel)
    })?;
    Ok(i64::from(size))
}

/// Seeds, their marginal spreads, the evaluated spread and its standard error, the RR sets
/// drawn and their peak bytes.
type SelectionTuple<'py> = (
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<f64>>,
    f64,
    f64,
    usize,
    u64,
);

/// Seeds chosen by IMM, OPIM-C or CELF, evaluated by independent Monte Carlo.
#[pyfunction]
#[pyo3(signature = (graph, k, p, method, epsilon, seed, threads, candidates, cost, budget, runs, evaluation_runs, memory_limit))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn select_seeds<'py>(
    py: Python<'py>,
    graph: &Bound<'py, PyGraph>,
    k: i64,
    p: ProbabilityArg<'py>,
    method: &str,
    epsilon: f64,
    seed: u64,
    threads: Option<i64>,
    candidates: Option<NodeIds<'py>>,
    cost: Option<PyReadonlyArray1<'py, f64>>,
    budget: Option<f64>,
    runs: i64,
    evaluation_runs: i64,
    memory_limit: Option<u64>,
) -> PyResult<SelectionTuple<'py>> {
    let graph = &graph.get().inner;
    let n = u64::from(graph.n_nodes());
    let runs = count("runs", runs, 1, i64::MAX)? as usize;
    let method = match method {
        "imm" => Method::Imm,
        "opim-c" => Method::OpimC,
        "celf" => Method::Celf { runs },
        other => {
            return Err(to_py(Error::out_of_range(
                "method",
                format!("{other:?}"),
                "'imm', 'opim-c' or 'celf'",
            )));
        }
    };
    let candidates = candidates.map(|c| c.to_vec("candidates", n)).transpose()?;
    let cost = cost
        .map(|c| c.as_slice().map(<[f64]>::to_vec))
        .transpose()?;
    let cost = match (cost.as_deref(), budget) {
        (Some(c), Some(b)) => Some((c, b)),
        (None, None) => None,
        (Some(_), None) => {
            return Err(to_py(Error::out_of_range(
                "budget",
                "None",
                "a number when cost is given",
            )));
        }
        (None, Some(_)) => {
            return Err(to_py(Error::out_of_range(
                "cost",
                "None",
                "one cost per node when budget is given",
            )));
        }
    };
    let edges = p.per_edge()?;
    let p = transmission(&p, edges.as_deref(), graph).map_err(to_py)?;
    let request = Request {
        k,
        method,
        epsilon,
        seed,
        candidates: candidates.as_deref(),
        cost,
        memory_limit,
        evaluation_runs: count("evaluation_runs", evaluation_runs, 2, i64::MAX)? as usize,
    };
    let s = compute(py, threads, None, |parallel, cancel| {
        seeding::select_seeds(graph, p, &request, parallel, cancel)
    })?;
    Ok((
        s.seeds.into_pyarray(py),
        s.marginal.into_pyarray(py),
        s.spread,
        s.stderr,
        s.rr_sets,
        s.rr_bytes,
    ))
}
