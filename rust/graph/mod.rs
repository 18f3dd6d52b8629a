//! The social graph: an immutable CSR graph, generators of random graphs, and the
//! independent-cascade engine that spreads things over it.

pub mod cascade;
pub mod csr;
pub mod fused;
pub mod generators;
pub mod reverse;
pub mod seeding;
