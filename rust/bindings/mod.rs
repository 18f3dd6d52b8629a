//! The Python bindings (`buyernet._core`): thin wrappers that convert arguments, release the
//! GIL while the engine works, and turn engine errors into Python exceptions. The typed,
//! documented API lives in the `buyernet` Python package, which calls these.

use crate::control::Interrupt;
use crate::errors::Error;
use crate::graph::cascade::{self as engine, Seeds, Transmission};
use crate::graph::csr::Graph;
use crate::graph::generators;
use numpy::{IntoPyArray, PyArray1, PyArrayMethods, PyReadonlyArray1};
use pyo3::IntoPyObjectExt;
use pyo3::exceptions::{PyKeyboardInterrupt, PyMemoryError, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
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
struct SignalCheck<'a> {
    start: Instant,
    next_ms: AtomicU64,
    raised: Mutex<Option<PyErr>>,
    progress: Progress<'a>,
}

/// Units of work done, and the Python callable told of them (with the GIL) whenever the
/// caller polls for signals: at most every 50 ms.
struct Progress<'a> {
    done: AtomicU64,
    report: Option<&'a Py<PyAny>>,
}

impl Progress<'_> {
    /// Calls the callback with the work done so far; its exception stops the work.
    fn report(&self, py: Python<'_>) -> PyResult<()> {
        match self.report {
            Some(f) => f
                .call1(py, (self.done.load(Ordering::Relaxed),))
                .map(|_| ()),
            None => Ok(()),
        }
    }
}

/// The pool path's interrupt: a flag the watcher raises, and the work done.
struct Flag<'a> {
    cancel: AtomicBool,
    progress: Progress<'a>,
}

impl Interrupt for Flag<'_> {
    fn stop(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    fn advanced(&self) {
        self.progress.done.fetch_add(1, Ordering::Relaxed);
    }
}

impl<'a> SignalCheck<'a> {
    fn new(progress: Progress<'a>) -> Self {
        Self {
            start: Instant::now(),
            next_ms: AtomicU64::new(CHECK_EVERY_MS),
            raised: Mutex::new(None),
            progress,
        }
    }

    fn take(&self) -> Option<PyErr> {
        self.raised.lock().ok()?.take()
    }
}

const CHECK_EVERY_MS: u64 = 50;

impl Interrupt for SignalCheck<'_> {
    fn advanced(&self) {
        self.progress.done.fetch_add(1, Ordering::Relaxed);
    }

    fn stop(&self) -> bool {
        let now = self.start.elapsed().as_millis() as u64;
        if now < self.next_ms.load(Ordering::Relaxed) {
            return false;
        }
        self.next_ms.store(now + CHECK_EVERY_MS, Ordering::Relaxed);
        match Python::attach(|py| {
            py.check_signals()?;
            self.progress.report(py)
        }) {
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
    progress: Option<&Py<PyAny>>,
    work: impl FnOnce(bool, &dyn Interrupt) -> crate::Result<T> + Send,
) -> PyResult<T> {
    let progress = Progress {
        done: AtomicU64::new(0),
        report: progress,
    };
    let pool = match threads {
        None => None,
        Some(1) => {
            let check = SignalCheck::new(progress);
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
    let flag = Flag {
        cancel: AtomicBool::new(false),
        progress,
    };
    py.detach(|| match &pool {
        Some(pool) => pool.in_place_scope(|scope| watch(scope, &flag, work)),
        None => rayon::in_place_scope(|scope| watch(scope, &flag, work)),
    })
}

/// Spawns `work` on the pool of `scope` and waits for it on this thread, polling Python's
/// signal handlers; on a signal, raises `cancel` and returns the signal's exception once the
/// workers have stopped.
fn watch<'s, T: Send + 's>(
    scope: &rayon::Scope<'s>,
    flag: &'s Flag<'s>,
    work: impl FnOnce(bool, &dyn Interrupt) -> crate::Result<T> + Send + 's,
) -> PyResult<T> {
    let (done, finished) = channel();
    scope.spawn(move |_| {
        let _ = done.send(work(true, flag));
    });
    loop {
        match finished.recv_timeout(Duration::from_millis(CHECK_EVERY_MS)) {
            Ok(result) => return result.map_err(to_py),
            Err(RecvTimeoutError::Timeout) => {
                if let Err(signal) = Python::attach(|py| {
                    py.check_signals()?;
                    flag.progress.report(py)
                }) {
                    flag.cancel.store(true, Ordering::Relaxed);
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
    inner: Arc<Graph>,
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
    let trace = compute(py, Some(1), None, |_, cancel| {
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
    let sizes = compute(py, threads, None, |parallel, cancel| {
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
    m.add_function(wrap_pyfunction!(market_defaults, m)?)?;
    m.add_function(wrap_pyfunction!(check_market, m)?)?;
    m.add_function(wrap_pyfunction!(market_network, m)?)?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(metrics, m)?)?;
    m.add_function(wrap_pyfunction!(model_order, m)?)?;
    Ok(())
}

// ---- the market ---------------------------------------------------------------------------

use crate::market::MarketConfig;
use crate::market::careers::CareersConfig;
use crate::market::committees::CommitteesConfig;
use crate::market::customers::CustomersConfig;
use crate::market::customers::Relationship;
use crate::market::decisions::DecisionsConfig;
use crate::market::memory::BrandsConfig;
use crate::market::needs::NeedsConfig;
use crate::market::population::{LEVELS, PopulationConfig};
use crate::market::ties::NetworkConfig;
use crate::marketing::response::AdvertisingConfig;
use crate::marketing::strategy::{Creative, Strategy, Targeting, Timing};
use crate::marketing::word_of_mouth::ReferralsConfig;
use crate::measures::hourglass::STAGES;
use crate::sim::monte_carlo;
use crate::sim::monte_carlo::Run;
use crate::sim::period::PHASES;
use crate::sim::plan::Plan;
use crate::sim::record::{self, Deal, Kind, METRICS, Scope};
use crate::sim::replicate::Start;
use pyo3::types::PyDict;
use pyo3::types::PyList;

/// A configuration field's value as it crosses the boundary.
trait Field: Sized {
    fn read(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Self>;
    fn write<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;
}

macro_rules! plain_field {
    ($($t:ty),*) => {$(
        impl Field for $t {
            fn read(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
                value.extract::<$t>().map_err(|_| {
                    let found = value.get_type().name().map(|n| n.to_string()).unwrap_or_default();
                    pyo3::exceptions::PyTypeError::new_err(format!(
                        "{name} has the wrong type: {found}"
                    ))
                })
            }
            fn write<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                self.clone().into_bound_py_any(py)
            }
        }
    )*};
}
plain_field!(f64, u32, u16, bool, Option<u32>, Vec<f64>, [f64; 4]);

/// Per-level values: exactly one per seniority level.
impl Field for [f64; LEVELS] {
    fn read(value: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        Vec::<f64>::read(value, name)?
            .try_into()
            .map_err(|v: Vec<f64>| {
                ParameterError::new_err(format!(
                    "{name} must have {LEVELS} entries (one per seniority level); got {}",
                    v.len()
                ))
            })
    }
    fn write<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.to_vec().write(py)
    }
}

/// A configuration section read from and written to a dict of its fields.
trait Section: Sized {
    fn read(section: &Bound<'_, PyDict>, name: &str) -> PyResult<Self>;
    fn write<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>>;
}

/// One list of a section's fields serves reading, writing and error messages.
macro_rules! section {
    ($t:ty { $($f:ident),* $(,)? }) => {
        impl Section for $t {
            fn read(section: &Bound<'_, PyDict>, name: &str) -> PyResult<Self> {
                Ok(Self {$(
                    $f: {
                        let key = concat!(stringify!($f));
                        let value = section.get_item(key)?.ok_or_else(|| {
                            ParameterError::new_err(format!("{name}.{key} is missing"))
                        })?;
                        Field::read(&value, &format!("{name}.{key}"))?
                    },
                )*})
            }
            fn write<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
                let out = PyDict::new(py);
                $(out.set_item(stringify!($f), self.$f.write(py)?)?;)*
                Ok(out)
            }
        }
    };
}

section!(PopulationConfig {
    people,
    companies,
    industries,
    function_shares,
    level_shares,
    size_tail
});
section!(NetworkConfig {
    mean_degree,
    mix,
    weights
});
section!(CareersConfig {
    change_within_4_years,
    level_hazard,
    internal_promotion_share,
    same_industry,
    promotion_on_move,
    function_change,
});
section!(NeedsConfig {
    in_market_share,
    mean_need_weeks,
    abandon_share,
    observability,
    false_signal_weekly,
    signal_lag_weeks,
});
section!(CommitteesConfig {
    mean_size,
    reference_employees,
    size_elasticity,
    fixed_size,
    function_relevance,
    level_weight,
    dropout_weekly,
    most_influential,
});
section!(BrandsConfig {
    awareness,
    baseline_memory,
    memory_half_life_weeks,
    attitude_spread,
    activation_half_life_weeks,
    know_memory,
    like_attitude,
    trust_attitude,
});
section!(DecisionsConfig {
    memory_weight,
    attitude_weight,
    activation_weight,
    incumbent_advantage,
    no_decision_utility
});
section!(CustomersConfig {
    deal_value,
    reference_employees,
    deal_elasticity,
    repeat_weekly,
    churn_weekly
});
section!(AdvertisingConfig {
    brand_lift,
    attitude_lift,
    demand_lift,
    demand_off_committee,
    share_rate,
    pass_rate,
    taste_width,
});
section!(ReferralsConfig {
    refer_weekly,
    pass_rate,
    trust_lift
});

/// The market's sections, in order, as (name, field of MarketConfig).
macro_rules! market_sections {
    ($m:ident) => {
        [
            ("population", &mut $m.population as &mut dyn SectionSlot),
            ("network", &mut $m.network),
            ("careers", &mut $m.careers),
            ("needs", &mut $m.needs),
            ("committees", &mut $m.committees),
            ("brands", &mut $m.brands),
            ("decisions", &mut $m.decisions),
            ("customers", &mut $m.customers),
            ("advertising", &mut $m.advertising),
            ("referrals", &mut $m.referrals),
        ]
    };
}

/// A section of a `MarketConfig` that can be filled from, and written to, Python.
trait SectionSlot {
    fn fill(&mut self, section: &Bound<'_, PyDict>, name: &str) -> PyResult<()>;
    fn dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>>;
}

impl<T: Section> SectionSlot for T {
    fn fill(&mut self, section: &Bound<'_, PyDict>, name: &str) -> PyResult<()> {
        *self = T::read(section, name)?;
        Ok(())
    }
    fn dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.write(py)
    }
}

/// Validation errors name the field; prefix its section so users find it.
fn in_section(name: &str, result: crate::Result<()>) -> PyResult<()> {
    result.map_err(|e| match e {
        Error::OutOfRange { .. } | Error::Length { .. } => {
            ParameterError::new_err(format!("{name}.{e}"))
        }
        other => to_py(other),
    })
}

/// Reads and validates a market given as a dict of sections.
fn market_config(market: &Bound<'_, PyDict>) -> PyResult<MarketConfig> {
    let mut config = MarketConfig::default();
    for (name, slot) in market_sections!(config) {
        let section = market
            .get_item(name)?
            .ok_or_else(|| ParameterError::new_err(format!("the market has no {name} section")))?
            .cast_into::<PyDict>()
            .map_err(|_| {
                pyo3::exceptions::PyTypeError::new_err(format!("{name} must be a mapping"))
            })?;
        slot.fill(&section, name)?;
    }
    let c = &config;
    in_section("population", c.population.validate())?;
    in_section("network", c.network.validate(c.population.people))?;
    in_section("careers", c.careers.validate())?;
    in_section("needs", c.needs.validate())?;
    in_section(
        "committees",
        c.committees.validate(c.population.function_shares.len()),
    )?;
    in_section("brands", c.brands.validate())?;
    in_section("decisions", c.decisions.validate())?;
    in_section("customers", c.customers.validate())?;
    in_section("advertising", c.advertising.validate())?;
    in_section("referrals", c.referrals.validate())?;
    Ok(config)
}

fn item<'py>(d: &Bound<'py, PyDict>, key: &str, whose: &str) -> PyResult<Bound<'py, PyAny>> {
    d.get_item(key)?
        .ok_or_else(|| ParameterError::new_err(format!("{whose}.{key} is missing")))
}

fn field<T: Field>(d: &Bound<'_, PyDict>, key: &str, whose: &str) -> PyResult<T> {
    T::read(&item(d, key, whose)?, &format!("{whose}.{key}"))
}

fn mapping<'py>(d: &Bound<'py, PyDict>, key: &str, whose: &str) -> PyResult<Bound<'py, PyDict>> {
    item(d, key, whose)?.cast_into::<PyDict>().map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err(format!("{whose}.{key} must be a mapping"))
    })
}

fn ints<T: for<'a, 'py> FromPyObject<'a, 'py>>(
    d: &Bound<'_, PyDict>,
    key: &str,
    whose: &str,
) -> PyResult<Vec<T>> {
    item(d, key, whose)?.extract::<Vec<T>>().map_err(|_| {
        ParameterError::new_err(format!(
            "{whose}.{key} must be a list of non-negative integers in range"
        ))
    })
}

/// Reads brand `name`'s strategy (a dict written by `buyernet.Strategy`); validation against
/// the market happens in the engine.
fn strategy(config: &MarketConfig, name: &str, d: &Bound<'_, PyDict>) -> PyResult<Strategy> {
    let whose = format!("strategies[{name:?}]");
    let t = mapping(d, "targeting", &whose)?;
    let tw = format!("{whose}.targeting");
    let kind: String = field_str(&t, "kind", &tw)?;
    let targeting = match kind.as_str() {
        "broad" => Targeting::Broad {
            min_influence: field(&t, "min_influence", &tw)?,
        },
        "narrow" => Targeting::Narrow {
            functions: ints(&t, "functions", &tw)?,
            // Out-of-range levels saturate here and are refused by validation.
            min_level: field::<u32>(&t, "min_level", &tw)?.min(255) as u8,
            accounts: ints(&t, "accounts", &tw)?,
        },
        "scored" => Targeting::Scored {
            top_share: field(&t, "top_share", &tw)?,
            people: field(&t, "people", &tw)?,
        },
        "weights" => {
            let w: PyReadonlyArray1<f64> = item(&t, "weights", &tw)?.extract().map_err(|_| {
                pyo3::exceptions::PyTypeError::new_err(format!(
                    "{tw}.weights must be a 1-d float64 numpy array"
                ))
            })?;
            let w: Vec<f32> = w.as_slice()?.iter().map(|&x| x as f32).collect();
            Targeting::Weights(w.into())
        }
        other => {
            return Err(ParameterError::new_err(format!(
                "{tw}.kind is {other:?}; allowed: broad, narrow, scored, weights"
            )));
        }
    };
    let c = mapping(d, "creative", &whose)?;
    let cw = format!("{whose}.creative");
    let creative = Creative {
        resonance: field(&c, "resonance", &cw)?,
        taste_dependence: field(&c, "taste_dependence", &cw)?,
        shareability: field(&c, "shareability", &cw)?,
        tailored: field(&c, "tailored", &cw)?,
        accuracy: field(&c, "accuracy", &cw)?,
        aim: field(&c, "aim", &cw)?,
    };
    let m = mapping(d, "timing", &whose)?;
    let mw = format!("{whose}.timing");
    let timing = match field_str(&m, "kind", &mw)?.as_str() {
        "always_on" => Timing::AlwaysOn,
        "flighted" => Timing::Flighted {
            on: field(&m, "on", &mw)?,
            off: field(&m, "off", &mw)?,
        },
        "triggered" => Timing::Triggered {
            window: field(&m, "window", &mw)?,
        },
        other => {
            return Err(ParameterError::new_err(format!(
                "{mw}.kind is {other:?}; allowed: always_on, flighted, triggered"
            )));
        }
    };
    let strategy = Strategy {
        budget: field(d, "budget", &whose)?,
        brand_share: field(d, "brand_share", &whose)?,
        targeting,
        creative,
        timing,
    };
    let p = &config.population;
    in_section(
        &whose,
        strategy.validate(p.people, p.companies, p.function_shares.len()),
    )?;
    Ok(strategy)
}

fn field_str(d: &Bound<'_, PyDict>, key: &str, whose: &str) -> PyResult<String> {
    item(d, key, whose)?
        .extract::<String>()
        .map_err(|_| pyo3::exceptions::PyTypeError::new_err(format!("{whose}.{key} must be a str")))
}

/// Validates a market (a dict of sections); errors name `section.field`.
#[pyfunction]
fn check_market(market: &Bound<'_, PyDict>) -> PyResult<()> {
    market_config(market).map(|_| ())
}

/// The engine's default market, as a dict of sections (the Python defaults are tested
/// against it).
#[pyfunction]
fn market_defaults(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let mut config = MarketConfig::default();
    let out = PyDict::new(py);
    for (name, slot) in market_sections!(config) {
        out.set_item(name, slot.dict(py)?)?;
    }
    Ok(out)
}

/// The professional network of replicate `replicate` of a simulation with `seed`.
#[pyfunction]
fn market_network(
    py: Python<'_>,
    market: &Bound<'_, PyDict>,
    seed: u64,
    replicate: u64,
) -> PyResult<PyGraph> {
    let config = market_config(market)?;
    let start = py
        .detach(|| Start::draw(&config, seed, replicate, None))
        .map_err(to_py)?;
    Ok(PyGraph {
        inner: start.network,
    })
}

/// The metric catalogue: per metric (name, scope, kind, unit, doc), in recording order.
#[pyfunction]
fn metrics() -> Vec<(
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
)> {
    METRICS
        .iter()
        .map(|m| {
            let scope = match m.scope {
                Scope::Market => "market",
                Scope::Brand => "brand",
                Scope::Stage => "stage",
            };
            let kind = match m.kind {
                Kind::Flow => "flow",
                Kind::Stock => "stock",
            };
            (m.name, scope, kind, m.unit, m.doc)
        })
        .collect()
}

/// The hourglass stages and the phases of a period, in order.
#[pyfunction]
fn model_order() -> (Vec<&'static str>, Vec<&'static str>) {
    (STAGES.to_vec(), PHASES.iter().map(|p| p.name()).collect())
}

/// A brand's name and its strategy as a dict, or None for a brand that does not advertise.
type NamedStrategy<'py> = (String, Bound<'py, PyDict>);

/// Runs every arm (one strategy set each) on the same market draws; returns per arm a dict
/// of numpy arrays (one per recorded metric, plus the deals and customers tables).
#[pyfunction]
#[pyo3(signature = (market, arms, network, periods, replicates, seed, threads, progress=None, metrics=None))]
#[allow(clippy::too_many_arguments)]
fn simulate<'py>(
    py: Python<'py>,
    market: &Bound<'py, PyDict>,
    arms: Vec<Vec<Option<NamedStrategy<'py>>>>,
    network: Option<&Bound<'py, PyGraph>>,
    periods: i64,
    replicates: i64,
    seed: u64,
    threads: Option<i64>,
    progress: Option<Py<PyAny>>,
    metrics: Option<Vec<String>>,
) -> PyResult<Bound<'py, PyList>> {
    let config = market_config(market)?;
    let arms = arms
        .iter()
        .map(|strategies| {
            let strategies = strategies
                .iter()
                .map(|s| {
                    s.as_ref()
                        .map(|(name, d)| strategy(&config, name, d))
                        .transpose()
                })
                .collect::<PyResult<Vec<_>>>()?;
            in_section("strategies", config.validate_strategies(&strategies))?;
            Ok(strategies)
        })
        .collect::<PyResult<Vec<_>>>()?;
    let metrics = metrics
        .map(|names| {
            let mut wanted = vec![false; METRICS.len()];
            for name in names {
                let i = record::find(&name).ok_or_else(|| {
                    let all: Vec<_> = METRICS.iter().map(|m| m.name).collect();
                    ParameterError::new_err(format!(
                        "metrics: unknown metric {name:?}; metrics: {}",
                        all.join(", ")
                    ))
                })?;
                wanted[i] = true;
            }
            Ok::<_, PyErr>(wanted)
        })
        .transpose()?;
    let plan = Plan {
        market: config,
        arms,
        periods: count("periods", periods, 1, i64::from(u32::MAX))? as u32,
        replicates: count("replicates", replicates, 1, i64::from(u32::MAX))? as u32,
        seed,
        network: network.map(|g| Arc::clone(&g.get().inner)),
        metrics,
    };
    let outcome = compute(py, threads, progress.as_ref(), |parallel, cancel| {
        monte_carlo::run(&plan, parallel, cancel)
    })?;
    let brands = plan.market.brands.count();
    let (r, t) = (plan.replicates as usize, plan.periods as usize);
    let out = PyList::empty(py);
    for arm in outcome {
        let dict = PyDict::new(py);
        for (series, m) in arm.series.into_iter().zip(METRICS) {
            let Some(series) = series else { continue };
            let array = series.into_pyarray(py);
            let shaped = match m.scope {
                Scope::Market => array.reshape([r, t])?.into_any(),
                Scope::Brand => array.reshape([r, t, brands])?.into_any(),
                Scope::Stage => array.reshape([r, t, brands, STAGES.len()])?.into_any(),
            };
            dict.set_item(m.name, shaped)?;
        }
        tables(py, &arm.runs, &dict)?;
        out.append(dict)?;
    }
    Ok(out)
}

/// The event logs of every replicate into `out`: one row per deal or customer relationship,
/// tagged with the replicate.
fn tables(py: Python<'_>, runs: &[Run], out: &Bound<'_, PyDict>) -> PyResult<()> {
    let deals: Vec<(usize, &Deal)> = runs
        .iter()
        .enumerate()
        .flat_map(|(i, run)| run.deals.iter().map(move |d| (i, d)))
        .collect();
    let deal_columns: [Column<Deal>; 5] = [
        ("period", |d| f64::from(d.period)),
        ("company", |d| f64::from(d.company)),
        ("committee_size", |d| f64::from(d.committee_size)),
        ("brand", |d| d.brand.map_or(-1.0, f64::from)),
        ("value", |d| d.value),
    ];
    out.set_item("deals", table(py, &deals, &deal_columns, &["value"])?)?;
    let customers: Vec<(usize, &Relationship)> = runs
        .iter()
        .enumerate()
        .flat_map(|(i, run)| run.customers.iter().map(move |c| (i, c)))
        .collect();
    let customer_columns: [Column<Relationship>; 7] = [
        ("company", |c| f64::from(c.company)),
        ("brand", |c| f64::from(c.brand)),
        ("start", |c| f64::from(c.start)),
        ("end", |c| c.end.map_or(-1.0, f64::from)),
        ("sales", |c| f64::from(c.sales)),
        ("sale_value", |c| c.sale_value),
        ("revenue", Relationship::revenue),
    ];
    let floats = ["sale_value", "revenue"];
    out.set_item(
        "customers_log",
        table(py, &customers, &customer_columns, &floats)?,
    )
}

/// A named column of a table or series: its name and how to read it off a row.
type Column<T, V = f64> = (&'static str, fn(&T) -> V);

/// A table as a dict of numpy columns: `replicate`, then one column per (name, accessor);
/// columns named in `floats` are float64, the others int64.
fn table<'py, T>(
    py: Python<'py>,
    rows: &[(usize, &T)],
    columns: &[Column<T>],
    floats: &[&str],
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    let replicate: Vec<i64> = rows.iter().map(|(r, _)| *r as i64).collect();
    out.set_item("replicate", replicate.into_pyarray(py))?;
    for (name, f) in columns {
        let values = rows.iter().map(|(_, row)| f(row));
        if floats.contains(name) {
            out.set_item(*name, values.collect::<Vec<f64>>().into_pyarray(py))?;
        } else {
            let ints: Vec<i64> = values.map(|v| v as i64).collect();
            out.set_item(*name, ints.into_pyarray(py))?;
        }
    }
    Ok(out)
}
