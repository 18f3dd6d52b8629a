//! buyernet's engine: the social network and the cascades that spread over it.
//!
//! The engine is plain Rust and knows nothing of Python; the bindings live in [`python`]
//! behind the `python` cargo feature.

pub mod careers;
pub mod cascade;
pub mod committee;
pub mod customers;
pub mod decision;
pub mod errors;
pub mod market;
pub mod memory;
pub mod monte_carlo;
pub mod needs;
pub mod network;
pub mod population;
pub mod professional_network;
pub mod random_graphs;
pub mod rng;

#[cfg(feature = "python")]
mod python;

pub use errors::{Error, Result};
pub use network::Graph;
