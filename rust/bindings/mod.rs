//! The Python bindings (`buyernet._core`): forwarding only. [`runtime`] releases the GIL,
//! answers Ctrl-C, reports progress and maps errors; [`graph`] holds `Graph` and the cascade
//! engine; [`run`] reads the market and strategies through the engine's own schema and runs
//! plans. The typed, documented API lives in the `buyernet` Python package.

mod graph;
mod run;
mod runtime;

use pyo3::prelude::*;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<graph::PyGraph>()?;
    m.add_function(wrap_pyfunction!(graph::cascade, m)?)?;
    m.add_function(wrap_pyfunction!(graph::cascade_sizes, m)?)?;
    m.add_function(wrap_pyfunction!(graph::fused_replay, m)?)?;
    m.add_function(wrap_pyfunction!(graph::select_seeds, m)?)?;
    m.add_function(wrap_pyfunction!(run::market_defaults, m)?)?;
    m.add_function(wrap_pyfunction!(run::check, m)?)?;
    m.add_function(wrap_pyfunction!(run::fixed_cost, m)?)?;
    m.add_function(wrap_pyfunction!(run::market_network, m)?)?;
    m.add_function(wrap_pyfunction!(run::simulate, m)?)?;
    m.add_function(wrap_pyfunction!(run::estimate_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(run::metrics, m)?)?;
    m.add_function(wrap_pyfunction!(run::model_order, m)?)?;
    m.add("BUILD_UNITS", crate::control::BUILD_UNITS)?;
    Ok(())
}
