//! Simulation: one replicate's state, its period as a list of phases, the metric catalogue
//! and recorder, the plan of a run, and many replicates and arms run in parallel.

pub mod monte_carlo;
pub mod period;
pub mod plan;
pub mod record;
pub mod replicate;
