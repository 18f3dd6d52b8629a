//! Simulation: one replicate's state, its period as a list of phases, the metric catalogue
//! and recorder, the plan of a run, and many replicates and arms run in parallel.
//!
//! Assumptions: time moves in weeks, and within a week the phases run in one fixed order;
//! replicates are independent draws of the same market, each from its own random streams;
//! the arms of a replicate share its market's draws, so they differ only by what marketing
//! did.

pub mod monte_carlo;
pub mod period;
pub mod plan;
pub mod record;
pub mod replicate;
