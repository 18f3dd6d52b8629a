//! Control of long runs: asking whether to stop (Ctrl-C) and counting work done (progress).
//!
//! The engine polls an [`Interrupt`] between units of work (cascade runs and generations,
//! periods of a replicate); the bindings implement it with Python's signal handlers and a
//! progress callback. Plain Rust callers can pass an `AtomicBool`, or [`Never`].

use std::sync::atomic::{AtomicBool, Ordering};

/// Asked between units of work (runs, generations) whether to stop early, e.g. on Ctrl-C.
pub trait Interrupt: Sync {
    /// True once the work should stop.
    fn stop(&self) -> bool;

    /// One more unit of work (a period of a replicate) is done: for progress reports.
    fn advanced(&self) {}

    /// `units` more of a replicate's market is built (people, companies, network): for
    /// progress reports while no period is done yet. Each replicate's build reports
    /// [`BUILD_UNITS`] in all.
    fn built(&self, _units: u32) {}
}

/// What one replicate's market build reports through [`Interrupt::built`] in all.
pub const BUILD_UNITS: u32 = 1000;

impl Interrupt for AtomicBool {
    #[inline]
    fn stop(&self) -> bool {
        self.load(Ordering::Relaxed)
    }
}

/// Never interrupts: for work that is short next to the unit its caller checks between
/// (a cascade within a period is short next to the period).
pub struct Never;

impl Interrupt for Never {
    fn stop(&self) -> bool {
        false
    }
}
