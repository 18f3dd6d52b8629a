//! The market and its runs: the config schema is the engine's own (serde), read from Python
//! dicts through pythonize; every function here converts its arguments and forwards.

use crate::bindings::graph::PyGraph;
use crate::bindings::runtime::{compute, count, to_py};
use crate::errors::{Error, Segment};
use crate::market::MarketConfig;
use crate::marketing::strategy::{Creative, Strategy, Targeting, Timing};
use crate::measures::hourglass::STAGES;
use crate::sim::monte_carlo::{self, Column, event_logs};
use crate::sim::period::PHASES;
use crate::sim::plan::Plan;
use crate::sim::record::{self, METRICS, Scope};
use crate::sim::replicate::Start;
use numpy::{IntoPyArray, PyArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// Reads `value` into the engine's type `T`; a value that does not fit names its full path
/// (`at` followed by the path within `value`).
fn read<T: DeserializeOwned>(value: &Bound<'_, PyAny>, at: &[Segment]) -> PyResult<T> {
    let mut de = pythonize::Depythonizer::from_object(value);
    serde_path_to_error::deserialize(&mut de)
        .map_err(|e| to_py(Error::schema(at, e, |path| value_at(value, path))))
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
    config.validate().map_err(to_py)?;
    Ok(config)
}

/// Brand `name`'s media plan (a list of campaigns' strategies), checked against `config`;
/// errors name the brand and the campaign (`strategies["us"]["abm"].budget`).
fn media_plan(
    name: &str,
    d: &Bound<'_, PyAny>,
    config: &MarketConfig,
    periods: u32,
) -> PyResult<Vec<Strategy>> {
    let at = [
        Segment::Field("strategies".into()),
        Segment::Key(name.into()),
    ];
    let plan: Vec<Strategy> = read(d, &at)?;
    for (k, s) in plan.iter().enumerate() {
        // A lone unnamed campaign is the brand's strategy: its errors name the brand only.
        let campaign = match (plan.len(), s.name.is_empty()) {
            (1, true) => None,
            (_, true) => Some(Segment::Index(k)),
            _ => Some(Segment::Key(s.name.clone())),
        };
        let within = |e: Error| {
            let e = match &campaign {
                Some(c) => e.within(c.clone()),
                None => e,
            };
            to_py(e.within(at[1].clone()).within(at[0].clone()))
        };
        config.validate_strategy(s).map_err(within)?;
        config.validate_horizon(s, periods).map_err(within)?;
        if plan[..k].iter().any(|o| o.name == s.name) {
            return Err(within(Error::out_of_range(
                "name",
                format!("{:?}", s.name),
                "a name no other campaign of the plan has",
            )));
        }
    }
    Ok(plan)
}

/// Checks a value against one part of the engine's schema: `market`, `strategy`,
/// `targeting`, `creative` or `timing`; a strategy also against `market` if given (its
/// accounts, functions and weights must fit it).
#[pyfunction]
#[pyo3(signature = (part, value, market=None))]
pub(crate) fn check(
    part: &str,
    value: &Bound<'_, PyAny>,
    market: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let checked = match (part, market) {
        ("market", _) => return market_config(value).map(|_| ()),
        ("strategy", Some(m)) => market_config(m)?.validate_strategy(&read(value, &[])?),
        ("strategy", None) => read::<Strategy>(value, &[])?.check(),
        ("targeting", _) => read::<Targeting>(value, &[])?.check(),
        ("creative", _) => read::<Creative>(value, &[])?.check(),
        ("timing", _) => read::<Timing>(value, &[])?.check(),
        (other, _) => {
            return Err(PyValueError::new_err(format!(
                "no part of the schema is called {other:?}"
            )));
        }
    };
    checked.map_err(to_py)
}

/// What a campaign of `strategy` pays each period in `market` before buying impressions.
#[pyfunction]
pub(crate) fn fixed_cost(market: &Bound<'_, PyAny>, strategy: &Bound<'_, PyAny>) -> PyResult<f64> {
    Ok(market_config(market)?.fixed_cost(&read(strategy, &[])?))
}

/// The engine's default market, as a dict of sections.
#[pyfunction]
pub(crate) fn market_defaults(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    Ok(pythonize::pythonize(py, &MarketConfig::default())?)
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

/// The metric catalogue: per metric (name, scope, kind, unit, doc), in recording order.
#[pyfunction]
pub(crate) fn metrics() -> Vec<(
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
)> {
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

/// A brand's name and its media plan as a list of strategy dicts; None for a brand that does
/// not advertise.
type NamedPlan<'py> = (String, Bound<'py, PyAny>);

/// The metrics to record by name: for every arm (None: all), and per arm a selection that
/// replaces it (None, or an arm past the end: the first).
type Selections = (Option<Vec<String>>, Option<Vec<Option<Vec<String>>>>);

/// One engine call's plan, read and checked: per arm, one media plan or None per brand.
fn plan(
    market: &Bound<'_, PyAny>,
    arms: &[Vec<Option<NamedPlan<'_>>>],
    network: Option<&Bound<'_, PyGraph>>,
    (periods, replicates): (i64, i64),
    seed: u64,
    (metrics, arm_metrics): Selections,
) -> PyResult<Plan> {
    let config = market_config(market)?;
    let periods = count("periods", periods, 1, i64::from(u32::MAX))? as u32;
    let arms = arms
        .iter()
        .map(|arm| {
            arm.iter()
                .map(|s| match s {
                    Some((n, d)) => media_plan(n, d, &config, periods),
                    None => Ok(Vec::new()),
                })
                .collect::<PyResult<Vec<_>>>()
        })
        .collect::<PyResult<Vec<_>>>()?;
    let metrics = metrics
        .map(|names| record::select(&names))
        .transpose()
        .map_err(to_py)?;
    let arm_metrics = arm_metrics
        .unwrap_or_default()
        .iter()
        .map(|names| names.as_ref().map(|n| record::select(n)).transpose())
        .collect::<crate::Result<Vec<_>>>()
        .map_err(to_py)?;
    Ok(Plan {
        market: config,
        arms,
        periods,
        replicates: count("replicates", replicates, 1, i64::from(u32::MAX))? as u32,
        seed,
        network: network.map(|g| Arc::clone(&g.get().inner)),
        metrics,
        arm_metrics,
    })
}

/// A rough peak of the memory a run needs, in bytes (see `Plan::estimate_bytes`).
#[pyfunction]
#[pyo3(signature = (market, arms, network, periods, replicates, threads))]
pub(crate) fn estimate_bytes<'py>(
    market: &Bound<'py, PyAny>,
    arms: Vec<Vec<Option<NamedPlan<'py>>>>,
    network: Option<&Bound<'py, PyGraph>>,
    periods: i64,
    replicates: i64,
    threads: usize,
) -> PyResult<u64> {
    let plan = plan(
        market,
        &arms,
        network,
        (periods, replicates),
        0,
        (None, None),
    )?;
    Ok(plan.estimate_bytes(threads))
}

/// Runs every arm (one media plan or None per brand) on the same market draws; returns per arm
/// a dict of numpy arrays (one per recorded metric, plus the `deals` and `customers_log`
/// tables).
#[pyfunction]
#[pyo3(signature = (market, arms, network, periods, replicates, seed, threads, progress=None, metrics=None, arm_metrics=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn simulate<'py>(
    py: Python<'py>,
    market: &Bound<'py, PyAny>,
    arms: Vec<Vec<Option<NamedPlan<'py>>>>,
    network: Option<&Bound<'py, PyGraph>>,
    periods: i64,
    replicates: i64,
    seed: u64,
    threads: Option<i64>,
    progress: Option<Py<PyAny>>,
    metrics: Option<Vec<String>>,
    arm_metrics: Option<Vec<Option<Vec<String>>>>,
) -> PyResult<Bound<'py, PyList>> {
    let plan = plan(
        market,
        &arms,
        network,
        (periods, replicates),
        seed,
        (metrics, arm_metrics),
    )?;
    let outcome = compute(py, threads, progress.as_ref(), |parallel, cancel| {
        monte_carlo::run(&plan, parallel, cancel)
    })?;
    let (r, t, b) = (
        plan.replicates as usize,
        plan.periods as usize,
        plan.market.brands.count(),
    );
    let out = PyList::empty(py);
    for arm in outcome {
        let dict = PyDict::new(py);
        for (series, m) in arm.series.into_iter().zip(METRICS) {
            let Some(series) = series else { continue };
            // The buffer moves into numpy; reshaping a contiguous array is a view.
            let array = series.into_pyarray(py);
            let shaped = match m.scope {
                Scope::Market => array.reshape([r, t])?.into_any(),
                Scope::Brand => array.reshape([r, t, b])?.into_any(),
                Scope::Stage => array.reshape([r, t, b, STAGES.len()])?.into_any(),
            };
            dict.set_item(m.name, shaped)?;
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
