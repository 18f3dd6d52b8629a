//! The social graph: an immutable CSR graph, generators of random graphs, and the
//! independent-cascade engine that spreads things over it.
//!
//! Assumptions: ties do not change during a run (people who change jobs keep them), and
//! something spreads as an independent cascade: each newly reached person gets one chance
//! to pass it over each tie, independently of every other chance.

pub mod cascade;
pub mod csr;
pub mod fused;
pub mod generators;
pub(crate) mod reverse;
pub mod seeding;
