//! The Python bindings (`buyernet._core`): forwarding only. [`runtime`] releases the GIL,
//! answers Ctrl-C, reports progress and maps errors; [`graph`] holds `Graph` and the cascade
//! engine; [`run`] reads the market and strategies through the engine's own schema and runs
//! plans. The typed, documented API lives in the `buyernet` Python package.

mod graph;
mod run;
mod runtime;

use pyo3::prelude::*;

#[pymodule]
mod _core {
    #[pymodule_export]
    use super::graph::{PyGraph, cascade, cascade_sizes, fused_replay, select_seeds};
    #[pymodule_export]
    use super::run::{check, cpm, defaults, estimate_bytes, fixed_cost, market_network};
    #[pymodule_export]
    use super::run::{metrics, model_order, simulate};
    #[pymodule_export]
    const BUILD_UNITS: u32 = crate::control::BUILD_UNITS;
    #[pymodule_export]
    const MAX_THREADS: u64 = crate::control::MAX_THREADS;
}
