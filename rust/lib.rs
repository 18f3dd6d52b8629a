//! buyernet's engine: the social network, the cascades that spread over it, and the B2B
//! market of people, companies, committees and competing brands' marketing.
//!
//! Folders by domain: [`graph`] (CSR graph, generators, cascades), [`market`] (people,
//! ties, careers, needs, committees, memory, opportunities, decisions, customers), [`marketing`]
//! (strategies, audiences, campaigns, response, signals, word of mouth), [`measures`] (reach,
//! hourglass) and [`sim`] (a replicate's period, its record, Monte Carlo), beside
//! [`control`] (interrupts and progress), `rng` (named random streams) and [`errors`].
//!
//! The engine is plain Rust and knows nothing of Python; the bindings live in `bindings`
//! behind the `python` cargo feature.

pub mod check;
pub mod control;
pub mod errors;
pub mod graph;
pub mod market;
pub mod marketing;
pub mod measures;
pub(crate) mod rng;
pub mod sim;

#[cfg(feature = "python")]
mod bindings;

pub use errors::{Error, Result};
pub use graph::csr::Graph;
