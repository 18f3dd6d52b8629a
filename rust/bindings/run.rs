//! The market and its runs: the config schema is the engine's own (serde), read from Python
//! dicts through pythonize; every function here converts its arguments and forwards.

use crate::bindings::graph::PyGraph;
use crate::bindings::runtime::compute;
use crate::check::Part;
use crate::errors::{Error, Segment};
use crate::market::MarketConfig;
use crate::marketing::strategy::{Creative, Strategy, Targeting, Timing};
use crate::measures::hourglass::STAGES;
use crate::sim::monte_carlo::{self, Column, event_logs};
use crate::sim::period::PHASES;
use crate::sim::plan::Plan;
use crate::sim::record::METRICS;
use crate::sim::replicate::Start;
use numpy::{IntoPyArray, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// Reads `value` into the engine's type `T`; a value that does not fit names its full path
/// (`at` followed by the path within `value`).
fn read<T: DeserializeOwned>(value: &Bound<'_, PyAny>, at: &[Segment]) -> crate::Result<T> {
    let mut de = pythonize::Depythonizer::from_object(value);
    serde_path_to_error::deserialize(&mut de)
        .map_err(|e| Error::schema(at, e, |path| value_at(value, path)))
}

/// The repr of the value at `path` inside `value`, for messages.
fn value_at(value: &Bound<'_, PyAny>, path: &[Segment]) -> Option<String> {
    let mut v = value.clone();
    for s in path {
        v = match s {
            Segment::Field(k) | Segment::Key(k) => v.get_item(k.as_str()).ok()?,
            Segment::Index(i) => v.get_item(*i).ok()?,
        };
    }
    Some(v.repr().ok()?.to_string())
}

/// A market from a dict of sections, checked.
fn market_config(market: &Bound<'_, PyAny>) -> PyResult<MarketConfig> {
    let config: MarketConfig = read(market, &[])?;
    config.validate()?;
    Ok(config)
}

/// Checks a value against one part of the engine's schema (`check::Part`); a strategy also
/// against `market` if given (its accounts, functions and weights must fit it).
#[pyfunction]
#[pyo3(signature = (part, value, market=None))]
pub(crate) fn check(
    part: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
    market: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    Ok(
        match (read(part, &[Segment::Field("part".into())])?, market) {
            (Part::Market, _) => return market_config(value).map(drop),
            (Part::Strategy, Some(m)) => market_config(m)?.validate_strategy(&read(value, &[])?),
            (Part::Strategy, None) => read::<Strategy>(value, &[])?.check(),
            (Part::Targeting, _) => read::<Targeting>(value, &[])?.check(),
            (Part::Creative, _) => read::<Creative>(value, &[])?.check(),
            (Part::Timing, _) => read::<Timing>(value, &[])?.check(),
        }?,
    )
}

/// What a campaign of `strategy` pays each period in `market` before buying impressions.
#[pyfunction]
pub(crate) fn fixed_cost(market: &Bound<'_, PyAny>, strategy: &Bound<'_, PyAny>) -> PyResult<f64> {
    Ok(market_config(market)?.fixed_cost(&read(strategy, &[])?))
}

/// The CPM in `market` of an audience holding `share` of its people.
#[pyfunction]
pub(crate) fn cpm(market: &Bound<'_, PyAny>, share: f64) -> PyResult<f64> {
    Ok(market_config(market)?.media.cpm_of_share(share))
}

/// The engine's defaults: the market (a dict of sections) and the creative presets.
#[pyfunction]
pub(crate) fn defaults(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let out = PyDict::new(py);
    out.set_item(
        "market",
        pythonize::pythonize(py, &MarketConfig::default())?,
    )?;
    out.set_item(
        "universal",
        pythonize::pythonize(py, &Creative::universal())?,
    )?;
    out.set_item(
        "personalized",
        pythonize::pythonize(py, &Creative::personalized())?,
    )?;
    Ok(out)
}

/// The professional network of replicate `replicate` of a simulation with `seed`.
#[pyfunction]
pub(crate) fn market_network(
    py: Python<'_>,
    market: &Bound<'_, PyAny>,
    seed: u64,
    replicate: u64,
) -> PyResult<PyGraph> {
    let config = market_config(market)?;
    // On this thread, so that Ctrl-C stops a long build.
    let start = compute(py, Some(1), None, |_, watch| {
        Start::draw(&config, seed, replicate, None, watch)
    })?;
    Ok(PyGraph {
        inner: start.network,
    })
}

/// A metric of the catalogue: name, scope, kind, unit, doc.
type Entry = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// The metric catalogue, in recording order.
#[pyfunction]
pub(crate) fn metrics() -> Vec<Entry> {
    METRICS
        .iter()
        .map(|m| (m.name, m.scope.name(), m.kind.name(), m.unit, m.doc))
        .collect()
}

/// The hourglass stages and the phases of a period, in order.
#[pyfunction]
pub(crate) fn model_order() -> (Vec<&'static str>, Vec<&'static str>) {
    (STAGES.to_vec(), PHASES.iter().map(|p| p.name()).collect())
}

/// Per arm, each brand's media plan as a list of strategy dicts (None: dark).
type Arms<'py> = Vec<Vec<Option<Bound<'py, PyAny>>>>;

/// One engine call's plan, read and checked; `market` names its brands.
fn plan(
    market: &Bound<'_, PyAny>,
    arms: &Arms<'_>,
    network: Option<&Bound<'_, PyGraph>>,
    (periods, replicates, seed): (u32, u32, u64),
) -> PyResult<Plan> {
    let config = market_config(market)?;
    let read_arm = |arm: &Vec<Option<Bound<'_, PyAny>>>| {
        let plans = arm.iter().enumerate();
        plans
            .map(|(b, d)| {
                d.as_ref()
                    .map_or(Ok(Vec::new()), |d| read(d, &config.strategies_at(b)))
            })
            .collect::<crate::Result<Vec<_>>>()
    };
    let arms = arms.iter().map(read_arm).collect::<crate::Result<_>>()?;
    let mut plan = Plan::new(config, arms, periods, replicates, seed);
    plan.network = network.map(|g| Arc::clone(&g.get().inner));
    Ok(plan)
}

/// A rough peak of the memory a run needs, in bytes (see `Plan::estimate_bytes`).
#[pyfunction]
pub(crate) fn estimate_bytes<'py>(
    market: &Bound<'py, PyAny>,
    arms: Arms<'py>,
    network: Option<&Bound<'py, PyGraph>>,
    periods: u32,
    replicates: u32,
    threads: usize,
) -> PyResult<u64> {
    let plan = plan(market, &arms, network, (periods, replicates, 0))?;
    plan.validate()?;
    Ok(plan.estimate_bytes(threads))
}

/// Runs every arm (one media plan or None per brand) on the same market draws; returns per arm
/// a dict of numpy arrays (one per recorded metric, plus the `deals` and `customers_log`
/// tables).
#[pyfunction]
#[pyo3(signature = (market, arms, network, periods, replicates, seed, threads, progress=None, metrics=None, arm_metrics=Vec::new()))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn simulate<'py>(
    py: Python<'py>,
    market: &Bound<'py, PyAny>,
    arms: Arms<'py>,
    network: Option<&Bound<'py, PyGraph>>,
    periods: u32,
    replicates: u32,
    seed: u64,
    threads: Option<usize>,
    progress: Option<Py<PyAny>>,
    metrics: Option<Vec<String>>,
    arm_metrics: Vec<Option<Vec<String>>>,
) -> PyResult<Bound<'py, PyList>> {
    let plan = plan(market, &arms, network, (periods, replicates, seed))?
        .recording(metrics.as_deref(), &arm_metrics)?;
    let outcome = compute(py, threads, progress.as_ref(), |parallel, cancel| {
        monte_carlo::run(&plan, parallel, cancel)
    })?;
    let (r, t, b) = (
        replicates as usize,
        periods as usize,
        plan.market.brands.count(),
    );
    let out = PyList::empty(py);
    for arm in outcome {
        let dict = PyDict::new(py);
        for (series, m) in arm.series.into_iter().zip(METRICS) {
            // The buffer moves into numpy; reshaping a contiguous array is a view.
            if let Some(series) = series {
                dict.set_item(
                    m.name,
                    series.into_pyarray(py).reshape(m.scope.shape(r, t, b))?,
                )?;
            }
        }
        for (name, columns) in event_logs(&arm.runs) {
            let table = PyDict::new(py);
            for (column, values) in columns {
                match values {
                    Column::Whole(v) => table.set_item(column, v.into_pyarray(py))?,
                    Column::Real(v) => table.set_item(column, v.into_pyarray(py))?,
                }
            }
            dict.set_item(name, table)?;
        }
        out.append(dict)?;
    }
    Ok(out)
}
