//! The Python bindings (`buyernet._core`): thin wrappers that convert arguments, release the
//! GIL while the engine works, and turn engine errors into Python exceptions. The typed,
//! documented API lives in the `buyernet` Python package, which calls these.

use crate::cascade::{self as engine, Interrupt, Seeds, Transmission};
use crate::errors::Error;
use crate::network::Graph;
use crate::random_graphs;
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::exceptions::{PyKeyboardInterrupt, PyMemoryError, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

pyo3::import_exception!(buyernet.exceptions, ParameterError);

/// Engine errors become `buyernet.ParameterError` (a `ValueError`), `MemoryError` or
/// `KeyboardInterrupt`.
fn to_py(err: Error) -> PyErr {
    match err {
        Error::Interrupted => PyKeyboardInterrupt::new_err("interrupted"),
        Error::OutOfMemory { .. } => PyMemoryError::new_err(err.to_string()),
        other => ParameterError::new_err(other.to_string()),
    }
}

/// Ctrl-C for work on the calling thread: polls Python's signal handlers, at most every
/// 50 ms, and keeps the exception to re-raise.
struct SignalCheck {
    start: Instant,
    next_ms: AtomicU64,
    raised: Mutex<Option<PyErr>>,
}

impl SignalCheck {
    fn new() -> Self {
        Self {
            start: Instant::now(),
            next_ms: AtomicU64::new(CHECK_EVERY_MS),
            raised: Mutex::new(None),
        }
    }

    fn take(&self) -> Option<PyErr> {
        self.raised.lock().ok()?.take()
    }
}

const CHECK_EVERY_MS: u64 = 50;

impl Interrupt for SignalCheck {
    fn stop(&self) -> bool {
        let now = self.start.elapsed().as_millis() as u64;
        if now < self.next_ms.load(Ordering::Relaxed) {
            return false;
        }
        self.next_ms.store(now + CHECK_EVERY_MS, Ordering::Relaxed);
        match Python::attach(|py| py.check_signals()) {
            Ok(()) => false,
            Err(err) => {
                if let Ok(mut slot) = self.raised.lock() {
                    *slot = Some(err);
                }
                true
            }
        }
    }
}

/// Runs `work` with the GIL released and Ctrl-C honoured, then maps engine errors.
///
/// `threads = Some(1)` runs on the calling thread, which polls for signals itself. Otherwise
/// the work runs on a rayon pool (the global one for `None`) while the calling thread waits
/// and watches for signals; on one it raises the flag the workers poll between runs and
/// generations, waits for them to stop, and re-raises Python's exception.
fn compute<T: Send>(
    py: Python<'_>,
    threads: Option<i64>,
    work: impl FnOnce(bool, &dyn Interrupt) -> crate::Result<T> + Send,
) -> PyResult<T> {
    let pool = match threads {
        None => None,
        Some(1) => {
            let check = SignalCheck::new();
            let result = py.detach(|| work(false, &check));
            return match (result, check.take()) {
                (Err(Error::Interrupted), Some(signal)) => Err(signal),
                (result, _) => result.map_err(to_py),
            };
        }
        Some(t) if t >= 2 => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(t as usize)
                .build()
                .map_err(|e| PyRuntimeError::new_err(format!("could not start threads: {e}")))?,
        ),
        Some(t) => {
            return Err(to_py(Error::out_of_range(
                "threads",
                t,
                "at least 1, or None for all cores",
            )));
        }
    };
    let cancel = AtomicBool::new(false);
    py.detach(|| match &pool {
        Some(pool) => pool.in_place_scope(|scope| watch(scope, &cancel, work)),
        None => rayon::in_place_scope(|scope| watch(scope, &cancel, work)),
    })
}

/// Spawns `work` on the pool of `scope` and waits for it on this thread, polling Python's
/// signal handlers; on a signal, raises `cancel` and returns the signal's exception once the
/// workers have stopped.
fn watch<'s, T: Send + 's>(
    scope: &rayon::Scope<'s>,
    cancel: &'s AtomicBool,
    work: impl FnOnce(bool, &dyn Interrupt) -> crate::Result<T> + Send + 's,
) -> PyResult<T> {
    let (done, finished) = channel();
    scope.spawn(move |_| {
        let _ = done.send(work(true, cancel));
    });
    loop {
        match finished.recv_timeout(Duration::from_millis(CHECK_EVERY_MS)) {
            Ok(result) => return result.map_err(to_py),
            Err(RecvTimeoutError::Timeout) => {
                if let Err(signal) = Python::attach(|py| py.check_signals()) {
                    cancel.store(true, Ordering::Relaxed);
                    let _ = finished.recv();
                    return Err(signal);
                }
            }
            // The worker panicked; the scope re-raises its panic on exit.
            Err(RecvTimeoutError::Disconnected) => {
                return Err(PyRuntimeError::new_err("the computation failed"));
            }
        }
    }
}

/// Node ids as given: uint32 as is, or int64 checked and narrowed.
#[derive(FromPyObject)]
enum NodeIds<'py> {
    U32(PyReadonlyArray1<'py, u32>),
    I64(PyReadonlyArray1<'py, i64>),
}

impl NodeIds<'_> {
    fn to_vec(&self, name: &'static str, n: u64) -> PyResult<Vec<u32>> {
        let range = || format!("node ids in [0, n) = [0, {n})");
        match self {
            NodeIds::U32(a) => {
                let ids = a.as_slice()?;
                match ids.iter().find(|&&v| u64::from(v) >= n) {
                    Some(bad) => Err(to_py(Error::out_of_range(name, bad, range()))),
                    None => Ok(ids.to_vec()),
                }
            }
            NodeIds::I64(a) => a
                .as_slice()?
                .iter()
                .map(|&v| {
                    if v < 0 || v as u64 >= n {
                        Err(to_py(Error::out_of_range(name, v, range())))
                    } else {
                        Ok(v as u32)
                    }
                })
                .collect(),
        }
    }
}

/// A non-negative integer parameter within `[lo, hi]`.
fn count(name: &'static str, value: i64, lo: i64, hi: i64) -> PyResult<u64> {
    if value < lo || value > hi {
        let allowed = if hi == i64::MAX {
            format!("at least {lo}")
        } else {
            format!("in [{lo}, {hi}]")
        };
        return Err(to_py(Error::out_of_range(name, value, allowed)));
    }
    Ok(value as u64)
}

/// The immutable CSR graph behind `buyernet.Graph`.
#[pyclass(name = "Graph", module = "buyernet._core", frozen)]
pub struct PyGraph {
    inner: Graph,
}

fn wrap(graph: crate::Result<Graph>) -> PyResult<PyGraph> {
    graph.map(|inner| PyGraph { inner }).map_err(to_py)
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
        let n = count("n", n, 0, crate::network::MAX_NODES as i64)?;
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
        let n = count("n", n, 0, crate::network::MAX_NODES as i64)?;
        wrap(py.detach(|| random_graphs::erdos_renyi(n, mean_degree, seed)))
    }

    #[staticmethod]
    fn watts_strogatz(py: Python<'_>, n: i64, k: i64, p: f64, seed: u64) -> PyResult<Self> {
        let n = count("n", n, 0, crate::network::MAX_NODES as i64)?;
        let k = count("k", k, 0, i64::MAX)?;
        wrap(py.detach(|| random_graphs::watts_strogatz(n, k, p, seed)))
    }

    #[staticmethod]
    fn barabasi_albert(py: Python<'_>, n: i64, m: i64, seed: u64) -> PyResult<Self> {
        let n = count("n", n, 0, crate::network::MAX_NODES as i64)?;
        let m = count("m", m, 0, i64::MAX)?;
        wrap(py.detach(|| random_graphs::barabasi_albert(n, m, seed)))
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
            .is_ok_and(|o| o.get().inner == self.inner)
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
enum SeedsArg<'py> {
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
enum ProbabilityArg<'py> {
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
fn cascade<'py>(
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
    let trace = compute(py, Some(1), |_, cancel| {
        engine::cascade(graph, &seeds, p, seed, max_generations, cancel)
    })?;
    Ok((
        trace.generation.into_pyarray(py),
        trace.parent.into_pyarray(py),
    ))
}

/// Sizes of many independent cascades, in parallel.
#[pyfunction]
#[pyo3(signature = (graph, seeds, p, runs, seed, threads))]
fn cascade_sizes<'py>(
    py: Python<'py>,
    graph: &Bound<'py, PyGraph>,
    seeds: SeedsArg<'py>,
    p: ProbabilityArg<'py>,
    runs: i64,
    seed: u64,
    threads: Option<i64>,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let graph = &graph.get().inner;
    let seeds = seeds.resolve(graph)?;
    let runs = count("runs", runs, 1, i64::MAX)? as usize;
    let edges = p.per_edge()?;
    let p = transmission(&p, edges.as_deref(), graph).map_err(to_py)?;
    let sizes = compute(py, threads, |parallel, cancel| {
        engine::cascade_sizes(graph, &seeds, p, runs, seed, parallel, cancel)
    })?;
    Ok(sizes
        .into_iter()
        .map(i64::from)
        .collect::<Vec<_>>()
        .into_pyarray(py))
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyGraph>()?;
    m.add_function(wrap_pyfunction!(cascade, m)?)?;
    m.add_function(wrap_pyfunction!(cascade_sizes, m)?)?;
    Ok(())
}
