//! Control of long runs: asking whether to stop (Ctrl-C) and counting work done (progress).
//!
//! The engine polls an [`Interrupt`] between units of work (cascade runs and generations,
//! periods of a replicate). [`Watch`] runs work on the calling thread or a thread pool while
//! asking a caller's poll, every 50 ms, whether to stop and telling it the work done: the
//! bindings poll Python's signal handlers and a progress callback. Plain Rust callers can
//! pass an `AtomicBool`, or [`Never`].

use crate::errors::{Error, Result};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

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

/// The most worker threads a run may ask for.
pub const MAX_THREADS: u64 = 4096;

/// How often a [`Watch`] polls: often enough that Ctrl-C feels immediate.
const POLL_EVERY: Duration = Duration::from_millis(50);

/// A run's progress and its request to stop, shared by the workers and whoever watches them.
/// `poll(done, built)` is told the periods done and the build units done (see
/// [`Interrupt::built`]) and answers whether to stop; [`Watch::run`] asks it at most every
/// 50 ms.
pub struct Watch<P> {
    cancel: AtomicBool,
    done: AtomicU64,
    built: AtomicU64,
    /// Work on the calling thread polls itself: when next to (ms since `start`), if so.
    inline: Option<(Instant, AtomicU64)>,
    poll: P,
}

impl<P: Fn(u64, u64) -> bool + Sync> Watch<P> {
    /// A watch that asks `poll`.
    pub fn new(poll: P) -> Self {
        Self {
            cancel: AtomicBool::new(false),
            done: AtomicU64::new(0),
            built: AtomicU64::new(0),
            inline: None,
            poll,
        }
    }

    /// The periods done and the build units done so far.
    pub fn progress(&self) -> (u64, u64) {
        let load = |x: &AtomicU64| x.load(Ordering::Relaxed);
        (load(&self.done), load(&self.built))
    }

    /// Asks `poll` now; on stop, raises the flag the work checks.
    fn poll(&self) -> bool {
        let (done, built) = self.progress();
        if (self.poll)(done, built) {
            self.cancel.store(true, Ordering::Relaxed);
        }
        self.cancel.load(Ordering::Relaxed)
    }

    /// Runs `work(parallel, interrupt)`: on this thread for `threads = Some(1)`, where the work
    /// polls between its units; otherwise on a rayon pool of `threads` (the global one for
    /// `None`) while this thread waits and polls. A poll that says stop ends the run with
    /// [`Error::Interrupted`] once the workers have stopped.
    pub fn run<T: Send>(
        mut self,
        threads: Option<usize>,
        work: impl FnOnce(bool, &dyn Interrupt) -> Result<T> + Send,
    ) -> (Result<T>, Self) {
        let result = match threads {
            Some(1) => {
                self.inline = Some((
                    Instant::now(),
                    AtomicU64::new(POLL_EVERY.as_millis() as u64),
                ));
                work(false, &self)
            }
            None => rayon::in_place_scope(|scope| self.wait(scope, work)),
            Some(t) => match crate::check::whole("threads", t as u64, 1, MAX_THREADS)
                .and_then(|()| Self::pool(t))
            {
                Ok(pool) => pool.in_place_scope(|scope| self.wait(scope, work)),
                Err(err) => Err(err),
            },
        };
        (result, self)
    }

    fn pool(threads: usize) -> Result<rayon::ThreadPool> {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| Error::Runtime(format!("could not start {threads} threads: {e}")))
    }

    /// Spawns `work` on the pool of `scope` and waits for it, polling.
    fn wait<'s, T: Send + 's>(
        &'s self,
        scope: &rayon::Scope<'s>,
        work: impl FnOnce(bool, &dyn Interrupt) -> Result<T> + Send + 's,
    ) -> Result<T> {
        let (done, finished) = channel();
        scope.spawn(move |_| {
            let _ = done.send(work(true, self));
        });
        loop {
            match finished.recv_timeout(POLL_EVERY) {
                Ok(result) => return result,
                Err(RecvTimeoutError::Timeout) if self.poll() => {
                    let _ = finished.recv();
                    return Err(Error::Interrupted);
                }
                Err(RecvTimeoutError::Timeout) => {}
                // The worker panicked; the scope re-raises its panic on exit.
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(Error::Runtime("a worker failed".into()));
                }
            }
        }
    }
}

impl<P: Fn(u64, u64) -> bool + Sync> Interrupt for Watch<P> {
    fn stop(&self) -> bool {
        if let Some((start, next_ms)) = &self.inline {
            let now = start.elapsed().as_millis() as u64;
            if now >= next_ms.load(Ordering::Relaxed) {
                next_ms.store(now + POLL_EVERY.as_millis() as u64, Ordering::Relaxed);
                return self.poll();
            }
        }
        self.cancel.load(Ordering::Relaxed)
    }

    fn advanced(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    fn built(&self, units: u32) {
        self.built.fetch_add(u64::from(units), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Work of `units` periods that checks the interrupt after each, taking 1 ms each.
    fn periods(units: u64) -> impl FnOnce(bool, &dyn Interrupt) -> Result<u64> + Send {
        move |_, interrupt| {
            for done in 0..units {
                if interrupt.stop() {
                    return Err(Error::Interrupted);
                }
                std::thread::sleep(Duration::from_millis(1));
                interrupt.advanced();
                if done == 0 {
                    interrupt.built(BUILD_UNITS);
                }
            }
            Ok(units)
        }
    }

    #[test]
    fn a_watch_runs_work_and_counts_it_on_every_path() {
        for threads in [Some(1), Some(2), None] {
            let (result, watch) = Watch::new(|_, _| false).run(threads, periods(120));
            assert_eq!(result, Ok(120));
            assert_eq!(watch.progress(), (120, u64::from(BUILD_UNITS)));
        }
    }

    #[test]
    fn a_poll_that_says_stop_interrupts_the_work_and_sees_its_progress() {
        for threads in [Some(1), Some(2)] {
            let seen = AtomicU64::new(0);
            let poll = |done, _| {
                seen.fetch_max(done, Ordering::Relaxed);
                done >= 20
            };
            let (result, watch) = Watch::new(poll).run(threads, periods(100_000));
            assert_eq!(result, Err(Error::Interrupted));
            let (done, _) = watch.progress();
            assert!(seen.load(Ordering::Relaxed) >= 20 && done < 100_000);
        }
    }

    #[test]
    fn zero_threads_is_refused_by_name() {
        let (result, _) = Watch::new(|_, _| false).run(Some(0), periods(1));
        let err = result.unwrap_err().to_string();
        assert_eq!(err, "threads must be in [1, 4096]; got 0");
    }
}
