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
    /// The request is too large for the engine's index types.
    #[error("{0}")]
    TooLarge(String),
    /// An array could not be allocated.
    #[error("not enough memory for {what} ({bytes} bytes)")]
    OutOfMemory { what: &'static str, bytes: u128 },
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

/// A vector of `len` copies of `value`, or `Error::OutOfMemory` instead of an abort: sizes
/// come from users, and a request for terabytes must be an exception, not a crash.
pub(crate) fn try_filled<T: Clone>(len: usize, value: T, what: &'static str) -> Result<Vec<T>> {
    let mut v = try_with_capacity(len, what)?;
    v.resize(len, value);
    Ok(v)
}

/// An empty vector with room for `capacity` elements, or `Error::OutOfMemory`.
pub(crate) fn try_with_capacity<T>(capacity: usize, what: &'static str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(capacity)
        .map_err(|_| Error::OutOfMemory {
            what,
            bytes: capacity as u128 * std::mem::size_of::<T>() as u128,
        })?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_allocations_are_errors() {
        assert!(matches!(
            try_filled(usize::MAX / 4, 0u32, "a test"),
            Err(Error::OutOfMemory { what: "a test", .. })
        ));
        assert_eq!(try_filled(3, 7u8, "a test").unwrap(), vec![7, 7, 7]);
    }
}
