//! `buyernet.Graph` and the cascade engine: argument conversion and forwarding.

use crate::bindings::runtime::{NodeIds, compute};
use crate::graph::cascade::{self as engine, Probability, Seeds};
use crate::graph::csr::Graph;
use crate::graph::fused;
use crate::graph::generators;
use crate::graph::seeding::{self, Method, Request};
use numpy::{Element, IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::sync::Arc;

/// The immutable CSR graph behind `buyernet.Graph`.
#[pyclass(name = "Graph", module = "buyernet._core", frozen)]
pub struct PyGraph {
    pub(crate) inner: Arc<Graph>,
}

/// A copy of an array: Python threads may write to the caller's array while the GIL is
/// released.
fn copied<T: Element + Copy>(a: Option<&PyReadonlyArray1<'_, T>>) -> PyResult<Option<Vec<T>>> {
    Ok(a.map(|a| a.as_slice()).transpose()?.map(<[T]>::to_vec))
}

fn wrap(graph: crate::Result<Graph>) -> PyResult<PyGraph> {
    Ok(PyGraph {
        inner: Arc::new(graph?),
    })
}

#[pymethods]
impl PyGraph {
    #[staticmethod]
    #[pyo3(signature = (src, dst, n, weights, directed))]
    fn from_edges(
        py: Python<'_>,
        src: NodeIds<'_>,
        dst: NodeIds<'_>,
        n: u64,
        weights: Option<PyReadonlyArray1<'_, f32>>,
        directed: bool,
    ) -> PyResult<Self> {
        let (src, dst) = (src.to_vec("src", n)?, dst.to_vec("dst", n)?);
        let weights = copied(weights.as_ref())?;
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
        let (offsets, targets) = (offsets.as_slice()?.to_vec(), targets.as_slice()?.to_vec());
        let weights = copied(weights.as_ref())?;
        wrap(py.detach(|| Graph::from_csr(directed, offsets, targets, weights)))
    }

    #[staticmethod]
    fn erdos_renyi(py: Python<'_>, n: u64, mean_degree: f64, seed: u64) -> PyResult<Self> {
        wrap(py.detach(|| generators::erdos_renyi(n, mean_degree, seed)))
    }

    #[staticmethod]
    fn watts_strogatz(py: Python<'_>, n: u64, k: u64, p: f64, seed: u64) -> PyResult<Self> {
        wrap(py.detach(|| generators::watts_strogatz(n, k, p, seed)))
    }

    #[staticmethod]
    fn barabasi_albert(py: Python<'_>, n: u64, m: u64, seed: u64) -> PyResult<Self> {
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
        let node = crate::check::node_id("node", node, n)?;
        Ok(PyArray1::from_slice(py, self.inner.neighbors(node)))
    }

    fn to_edges<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let (src, dst, weights) = py.detach(|| self.inner.to_edges())?;
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
}

/// Where cascades start: node ids, or a number of random seeds drawn anew per run.
#[derive(FromPyObject)]
pub(crate) enum SeedsArg<'py> {
    Nodes(NodeIds<'py>),
    Random(u32),
}

/// The transmission probability: one for all edges, one per stored edge, or by name.
#[derive(FromPyObject)]
pub(crate) enum ProbabilityArg<'py> {
    Uniform(f64),
    PerEdge(PyReadonlyArray1<'py, f32>),
    Named(String),
}

impl SeedsArg<'_> {
    fn resolve(&self, graph: &Graph) -> PyResult<Seeds> {
        Ok(match self {
            SeedsArg::Nodes(ids) => Seeds::Nodes(ids.to_vec("seeds", u64::from(graph.n_nodes()))?),
            SeedsArg::Random(k) => Seeds::Random(*k),
        })
    }
}

impl ProbabilityArg<'_> {
    fn resolve(&self) -> PyResult<Probability> {
        Ok(match self {
            ProbabilityArg::Uniform(p) => Probability::Uniform(*p),
            ProbabilityArg::PerEdge(a) => Probability::PerEdge(a.as_slice()?.to_vec()),
            ProbabilityArg::Named(name) => Probability::named(name)?,
        })
    }
}

/// Who activated whom: (generation, parent) per node.
type Trace<'py> = (Bound<'py, PyArray1<i32>>, Bound<'py, PyArray1<i64>>);

/// One cascade: (generation, parent) arrays.
#[pyfunction]
#[pyo3(signature = (graph, seeds, p, seed, max_generations))]
pub(crate) fn cascade<'py>(
    py: Python<'py>,
    graph: &Bound<'py, PyGraph>,
    seeds: SeedsArg<'py>,
    p: ProbabilityArg<'py>,
    seed: u64,
    max_generations: Option<u32>,
) -> PyResult<Trace<'py>> {
    let graph = &graph.get().inner;
    let (seeds, p) = (seeds.resolve(graph)?, p.resolve()?);
    let trace = compute(py, Some(1), None, |_, cancel| {
        engine::cascade(graph, &seeds, p.on(graph)?, seed, max_generations, cancel)
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
    runs: usize,
    seed: u64,
    threads: Option<usize>,
    fused: bool,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let graph = &graph.get().inner;
    let (seeds, p) = (seeds.resolve(graph)?, p.resolve()?);
    let sizes = compute(py, threads, None, |parallel, cancel| {
        let run = if fused {
            fused::cascade_sizes
        } else {
            engine::cascade_sizes
        };
        run(graph, &seeds, p.on(graph)?, runs, seed, parallel, cancel)
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
) -> PyResult<u32> {
    let graph = &graph.get().inner;
    let (seeds, p) = (seeds.resolve(graph)?, p.resolve()?);
    compute(py, Some(1), None, |_, cancel| {
        fused::replay(graph, &seeds, p.on(graph)?, seed, run, cancel)
    })
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
    threads: Option<usize>,
    candidates: Option<NodeIds<'py>>,
    cost: Option<PyReadonlyArray1<'py, f64>>,
    budget: Option<f64>,
    runs: usize,
    evaluation_runs: usize,
    memory_limit: Option<u64>,
) -> PyResult<SelectionTuple<'py>> {
    let graph = &graph.get().inner;
    let p = p.resolve()?;
    let n = u64::from(graph.n_nodes());
    let candidates = candidates.map(|c| c.to_vec("candidates", n)).transpose()?;
    let cost = copied(cost.as_ref())?;
    let request = Request {
        k,
        method: Method::named(method, runs)?,
        epsilon,
        seed,
        candidates: candidates.as_deref(),
        cost: seeding::costed(cost.as_deref(), budget)?,
        memory_limit,
        evaluation_runs,
    };
    let s = compute(py, threads, None, |parallel, cancel| {
        seeding::select_seeds(graph, p.on(graph)?, &request, parallel, cancel)
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
