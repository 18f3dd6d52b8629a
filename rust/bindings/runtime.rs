//! The runtime every entry point goes through: [`compute`] releases the GIL and runs the work
//! under the engine's [`Watch`], which polls Python's signal handlers and the progress
//! callback; engine errors become Python exceptions here, at this one edge.

use crate::control::{Interrupt, Watch};
use crate::errors::{Error, Segment};
use numpy::PyReadonlyArray1;
use pyo3::IntoPyObjectExt;
use pyo3::exceptions::{PyKeyboardInterrupt, PyMemoryError, PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::sync::Mutex;

pyo3::import_exception!(buyernet.exceptions, ParameterError);

/// Engine errors become `buyernet.ParameterError` (a `ValueError`; `TypeError` for a value
/// of the wrong type), `MemoryError` or `KeyboardInterrupt`. Parameter errors carry the
/// parameter's location as the exception's `path`, a tuple of names, keys and indices.
impl From<Error> for PyErr {
    fn from(err: Error) -> PyErr {
        let exception = match &err {
            Error::Interrupted => return PyKeyboardInterrupt::new_err("interrupted"),
            Error::OutOfMemory { .. } => return PyMemoryError::new_err(err.to_string()),
            Error::Runtime(_) => return PyRuntimeError::new_err(err.to_string()),
            Error::Schema {
                wrong_type: true, ..
            } => PyTypeError::new_err(err.to_string()),
            _ => ParameterError::new_err(err.to_string()),
        };
        Python::attach(|py| {
            let path = err.path().into_iter().filter_map(|s| match s {
                Segment::Field(name) | Segment::Key(name) => name.into_bound_py_any(py).ok(),
                Segment::Index(i) => i.into_bound_py_any(py).ok(),
            });
            let path: Vec<_> = path.collect();
            if let Ok(path) = PyTuple::new(py, path) {
                let _ = exception.value(py).setattr("path", path);
            }
        });
        exception
    }
}

/// Runs `work` with the GIL released (see [`Watch::run`] for `threads`), answering Ctrl-C
/// and telling `progress` the work done, `(periods, build units)`, every 50 ms and at the end;
/// an exception from either stops the work and is raised.
pub(crate) fn compute<T: Send>(
    py: Python<'_>,
    threads: Option<usize>,
    progress: Option<&Py<PyAny>>,
    work: impl FnOnce(bool, &dyn Interrupt) -> crate::Result<T> + Send,
) -> PyResult<T> {
    let report = |py: Python<'_>, done: (u64, u64)| match progress {
        Some(f) => f.call1(py, done).map(drop),
        None => Ok(()),
    };
    let raised = Mutex::new(None);
    let poll = |done, built| {
        let polled =
            Python::attach(|py| py.check_signals().and_then(|()| report(py, (done, built))));
        polled
            .map_err(|err| *raised.lock().unwrap_or_else(|e| e.into_inner()) = Some(err))
            .is_err()
    };
    let (result, watch) = py.detach(|| Watch::new(poll).run(threads, work));
    match (result, raised.lock().ok().and_then(|mut e| e.take())) {
        (Err(Error::Interrupted), Some(err)) => Err(err),
        (result, _) => {
            let value = result?;
            report(py, watch.progress()).map(|()| value)
        }
    }
}

/// Node ids as given: uint32 or int64, checked against `n` nodes by the engine.
#[derive(FromPyObject)]
pub(crate) enum NodeIds<'py> {
    U32(PyReadonlyArray1<'py, u32>),
    I64(PyReadonlyArray1<'py, i64>),
}

impl NodeIds<'_> {
    pub(crate) fn to_vec(&self, name: &'static str, n: u64) -> PyResult<Vec<u32>> {
        Ok(match self {
            NodeIds::U32(a) => crate::check::node_ids(name, a.as_slice()?, n)?,
            NodeIds::I64(a) => crate::check::node_ids(name, a.as_slice()?, n)?,
        })
    }
}
