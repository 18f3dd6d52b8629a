//! buyernet's engine: the social network, the cascades that spread over it, and the B2B
//! market of people, companies, committees and competing brands' marketing.
//!
//! The engine is plain Rust and knows nothing of Python; the bindings live in [`python`]
//! behind the `python` cargo feature.

pub mod campaign;
pub mod careers;
pub mod cascade;
pub mod committee;
pub mod customers;
pub mod decision;
pub mod errors;
pub mod hourglass;
pub mod market;
pub mod memory;
pub mod monte_carlo;
pub mod needs;
pub mod network;
pub mod population;
pub mod professional_network;
pub mod random_graphs;
pub mod reach;
pub mod rng;
pub mod signals;
pub mod strategy;
pub mod word_of_mouth;

#[cfg(feature = "python")]
mod python;

pub use errors::{Error, Result};
pub use network::Graph;
