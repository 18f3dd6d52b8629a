//! Simulation: one replicate's state stepped period by period, what it records, and many
//! replicates run in parallel.

pub mod monte_carlo;
pub mod record;
pub mod replicate;
