//! The runtime every entry point goes through: [`compute`] releases the GIL, runs the work
//! on the calling thread or a rayon pool, answers Ctrl-C, reports progress and maps engine
//! errors to Python exceptions ([`to_py`]) at this one edge.

use crate::control::Interrupt;
use crate::errors::{Error, Segment};
use numpy::PyReadonlyArray1;
use pyo3::IntoPyObjectExt;
use pyo3::exceptions::{PyKeyboardInterrupt, PyMemoryError, PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

pyo3::import_exception!(buyernet.exceptions, ParameterError);

/// Engine errors become `buyernet.ParameterError` (a `ValueError`; `TypeError` for a value
/// of the wrong type), `MemoryError` or `KeyboardInterrupt`. Parameter errors carry the
/// parameter's location as the exception's `path`, a tuple of names, keys and indices.
pub(crate) fn to_py(err: Error) -> PyErr {
    let exception = match &err {
        Error::Interrupted => return PyKeyboardInterrupt::new_err("interrupted"),
        Error::OutOfMemory { .. } => return PyMemoryError::new_err(err.to_string()),
        Error::Schema {
            wrong_type: true, ..
        } => PyTypeError::new_err(err.to_string()),
        _ => ParameterError::new_err(err.to_string()),
    };
    Python::attach(|py| {
        let path: Vec<Bound<'_, PyAny>> = err
            .path()
            .into_iter()
            .filter_map(|s| match s {
                Segment::Field(name) | Segment::Key(name) => name.into_bound_py_any(py).ok(),
                Segment::Index(i) => i.into_bound_py_any(py).ok(),
            })
            .collect();
        if let Ok(path) = PyTuple::new(py, path) {
            let _ = exception.value(py).setattr("path", path);
        }
    });
    exception
}

/// Ctrl-C for work on the calling thread: polls Python's signal handlers, at most every
/// 50 ms, and keeps the exception to re-raise.
pub(crate) struct SignalCheck<'a> {
    start: Instant,
    next_ms: AtomicU64,
    raised: Mutex<Option<PyErr>>,
    progress: Progress<'a>,
}

/// Units of work done, and the Python callable told of them (with the GIL) whenever the
/// caller polls for signals: at most every 50 ms.
struct Progress<'a> {
    done: AtomicU64,
    /// Units of the markets' builds done ([`crate::control::BUILD_UNITS`] per replicate).
    built: AtomicU64,
    report: Option<&'a Py<PyAny>>,
}

impl Progress<'_> {
    /// Calls the callback with the work done so far, `(done, built)`; its exception stops
    /// the work.
    fn report(&self, py: Python<'_>) -> PyResult<()> {
        match self.report {
            Some(f) => f
                .call1(
                    py,
                    (
                        self.done.load(Ordering::Relaxed),
                        self.built.load(Ordering::Relaxed),
                    ),
                )
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

    fn built(&self, units: u32) {
        self.progress
            .built
            .fetch_add(u64::from(units), Ordering::Relaxed);
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

    fn built(&self, units: u32) {
        self.progress
            .built
            .fetch_add(u64::from(units), Ordering::Relaxed);
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
pub(crate) fn compute<T: Send>(
    py: Python<'_>,
    threads: Option<i64>,
    progress: Option<&Py<PyAny>>,
    work: impl FnOnce(bool, &dyn Interrupt) -> crate::Result<T> + Send,
) -> PyResult<T> {
    let progress = Progress {
        done: AtomicU64::new(0),
        built: AtomicU64::new(0),
        report: progress,
    };
    let pool = match threads {
        None => None,
        Some(1) => {
            let check = SignalCheck::new(progress);
            let result = py.detach(|| work(false, &check));
            return match (result, check.take()) {
                (Err(Error::Interrupted), Some(signal)) => Err(signal),
                (Ok(value), _) => check.progress.report(py).map(|()| value),
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
            // The last report: all the work, done.
            Ok(Ok(value)) => return Python::attach(|py| flag.progress.report(py)).map(|()| value),
            Ok(Err(err)) => return Err(to_py(err)),
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
pub(crate) enum NodeIds<'py> {
    U32(PyReadonlyArray1<'py, u32>),
    I64(PyReadonlyArray1<'py, i64>),
}

impl NodeIds<'_> {
    pub(crate) fn to_vec(&self, name: &'static str, n: u64) -> PyResult<Vec<u32>> {
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
pub(crate) fn count(name: &'static str, value: i64, lo: i64, hi: i64) -> PyResult<u64> {
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
