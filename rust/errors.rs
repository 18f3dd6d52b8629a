//! The engine's typed errors. The bindings map them to Python exceptions; the engine never
//! panics on bad input.

/// Everything that can go wrong in the engine.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A parameter is outside its allowed range.
    #[error("{name} must be {allowed}; got {value}")]
    OutOfRange {
        name: &'static str,
        value: String,
        allowed: String,
    },
    /// Two arrays that must have the same length do not.
    #[error("{name} must have length {expected} ({why}); got {actual}")]
    Length {
        name: &'static str,
        expected: usize,
        actual: usize,
        why: &'static str,
    },
    /// The graph is too large for the engine's id types.
    #[error("{0}")]
    TooLarge(String),
    /// The caller asked the computation to stop (Ctrl-C).
    #[error("interrupted")]
    Interrupted,
}

/// The engine's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A parameter outside its allowed range.
    pub fn out_of_range(
        name: &'static str,
        value: impl std::fmt::Display,
        allowed: impl Into<String>,
    ) -> Self {
        Error::OutOfRange {
            name,
            value: value.to_string(),
            allowed: allowed.into(),
        }
    }
}
