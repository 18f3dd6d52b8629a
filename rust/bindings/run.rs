//! The market and its runs: the config schema is the engine's own (serde), read from Python
//! dicts through pythonize; every function here converts its arguments and forwards.

use crate::bindings::graph::PyGraph;
use crate::bindings::runtime::{compute, count, to_py};
use crate::errors::{Error, Path, Segment};
use crate::market::MarketConfig;
use crate::marketing::strategy::{Creative, Strategy, Targeting, Timing, Unit};
use crate::measures::hourglass::STAGES;
use crate::sim::monte_carlo::{self, Column, event_logs};
use crate::sim::period::PHASES;
use crate::sim::plan::Plan;
use crate::sim::record::{self, Kind, METRICS, Scope};
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
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let mut path = at.to_vec();
        for s in e.path().iter() {
            path.push(match s {
                serde_path_to_error::Segment::Seq { index } => Segment::Index(*index),
                serde_path_to_error::Segment::Map { key } => Segment::Field(key.clone()),
                serde_path_to_error::Segment::Enum { variant } => Segment::Field(variant.clone()),
                serde_path_to_error::Segment::Unknown => Segment::Field("?".into()),
            });
        }
        let mut message = e.into_inner().to_string();
        if message.starts_with("OverflowError") {
            let found = value_at(value, &path[at.len()..]).unwrap_or_default();
            message = format!("out of range for its integer type; got {found}");
        }
        // serde says "invalid type: ..."; a failed Python extraction "TypeError: ...".
        let wrong_type = ["invalid type: ", "TypeError: "]
            .iter()
            .find_map(|p| message.strip_prefix(p));
        let message = wrong_type.unwrap_or(&message);
        to_py(Error::Schema {
            at: Path(path),
            wrong_type: wrong_type.is_some(),
            message: in_words(message),
        })
    })
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

/// serde's names of integer types as the ranges users read.
fn in_words(message: &str) -> String {
    [
        ("expected u8", "expected an integer in [0, 255]"),
        ("expected u16", "expected an integer in [0, 65535]"),
        ("expected u32", "expected an integer in [0, 4294967295]"),
        (
            "expected u64",
            "expected an integer in [0, 18446744073709551615]",
        ),
    ]
    .iter()
    .fold(message.to_owned(), |m, (from, to)| m.replace(from, to))
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
    let start = py
        .detach(|| Start::draw(&config, seed, replicate, None))
        .map_err(to_py)?;
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
    let scope = |s| match s {
        Scope::Market => "market",
        Scope::Brand => "brand",
        Scope::Stage => "stage",
    };
    let kind = |k| match k {
        Kind::Flow => "flow",
        Kind::Stock => "stock",
    };
    METRICS
        .iter()
        .map(|m| (m.name, scope(m.scope), kind(m.kind), m.unit, m.doc))
        .collect()
}

/// The hourglass stages and the phases of a period, in order.
#[pyfunction]
pub(crate) fn model_order() -> (Vec<&'static str>, Vec<&'static str>) {
    (STAGES.to_vec(), PHASES.iter().map(|p| p.name()).collect())
}

/// A rough peak of the memory a run needs, in bytes (see `Plan::estimate_bytes`).
#[pyfunction]
#[pyo3(signature = (market, arms, network, periods, replicates, threads))]
pub(crate) fn estimate_bytes(
    market: &Bound<'_, PyAny>,
    arms: Vec<Vec<bool>>,
    network: Option<&Bound<'_, PyGraph>>,
    periods: u32,
    replicates: u32,
    threads: usize,
) -> PyResult<u64> {
    let config = market_config(market)?;
    // Only whether each brand advertises matters here.
    let any = Strategy {
        name: String::new(),
        budget: 0.0,
        unit: Unit::Money,
        brand_share: 1.0,
        targeting: Targeting::Broad { min_influence: 0.0 },
        creative: Creative::universal(),
        timing: Timing::AlwaysOn,
    };
    let plan = Plan {
        market: config,
        arms: arms
            .iter()
            .map(|a| {
                a.iter()
                    .map(|&ads| if ads { vec![any.clone()] } else { vec![] })
                    .collect()
            })
            .collect(),
        periods,
        replicates,
        seed: 0,
        network: network.map(|g| Arc::clone(&g.get().inner)),
        metrics: None,
    };
    Ok(plan.estimate_bytes(threads))
}

/// A brand's name and its media plan as a list of strategy dicts; None for a brand that does
/// not advertise.
type NamedPlan<'py> = (String, Bound<'py, PyAny>);

/// Runs every arm (one media plan or None per brand) on the same market draws; returns per arm
/// a dict of numpy arrays (one per recorded metric, plus the `deals` and `customers_log`
/// tables).
#[pyfunction]
#[pyo3(signature = (market, arms, network, periods, replicates, seed, threads, progress=None, metrics=None))]
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
) -> PyResult<Bound<'py, PyList>> {
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
        .map(|names| {
            let mut wanted = vec![false; METRICS.len()];
            for name in names {
                let i = record::find(&name).ok_or_else(|| {
                    let known: Vec<_> = METRICS.iter().map(|m| m.name).collect();
                    to_py(Error::out_of_range(
                        "metrics",
                        format!("{name:?}"),
                        format!("names from the catalogue: {}", known.join(", ")),
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
        periods,
        replicates: count("replicates", replicates, 1, i64::from(u32::MAX))? as u32,
        seed,
        network: network.map(|g| Arc::clone(&g.get().inner)),
        metrics,
    };
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
