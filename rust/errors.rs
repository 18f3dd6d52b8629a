//! The engine's typed errors. The bindings map them to Python exceptions; the engine never
//! panics on bad input. A parameter error carries where the parameter sits ([`Path`]), so a
//! user reads `strategies["us"].targeting.top_share`, not a bare field name.

use std::fmt;

/// One step of a parameter's location: a field, a key of a mapping, or an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Field(String),
    Key(String),
    Index(usize),
}

/// Where a parameter sits, outermost first: e.g. `strategies["us"].targeting`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Path(pub Vec<Segment>);

impl Path {
    /// The path followed by `name`, as users read it.
    pub fn with(&self, name: &str) -> String {
        let mut out = self.to_string();
        if !name.is_empty() {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(name);
        }
        out
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Segment::Field(name) if i == 0 => write!(f, "{name}")?,
                Segment::Field(name) => write!(f, ".{name}")?,
                Segment::Key(key) => write!(f, "[{key:?}]")?,
                Segment::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

/// Everything that can go wrong in the engine.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A parameter is outside its allowed range.
    #[error("{} must be {allowed}; got {value}", .at.with(.name))]
    OutOfRange {
        at: Path,
        name: &'static str,
        value: String,
        allowed: String,
    },
    /// Two arrays that must have the same length do not.
    #[error("{} must have length {expected} ({why}); got {actual}", .at.with(.name))]
    Length {
        at: Path,
        name: &'static str,
        expected: usize,
        actual: usize,
        why: &'static str,
    },
    /// A value that does not fit the schema: an unknown or missing field, a wrong type.
    #[error("{}", schema_message(.at, *.wrong_type, .message))]
    Schema {
        at: Path,
        message: String,
        /// The value has the wrong type (rather than a wrong key or shape).
        wrong_type: bool,
    },
    /// The request is too large for the engine's index types.
    #[error("{0}")]
    TooLarge(String),
    /// An array could not be allocated.
    #[error("not enough memory for {what} ({bytes} bytes)")]
    OutOfMemory { what: &'static str, bytes: u128 },
    /// The computation could not run: threads could not start, or a worker failed.
    #[error("{0}")]
    Runtime(String),
    /// The caller asked the computation to stop (Ctrl-C).
    #[error("interrupted")]
    Interrupted,
}

/// A schema error as users read it: where, then what (a value given without a path is "the
/// value").
fn schema_message(at: &Path, wrong_type: bool, message: &str) -> String {
    match (at.0.is_empty(), wrong_type) {
        (true, true) => format!("the value has the wrong type: {message}"),
        (true, false) => message.to_owned(),
        (false, true) => format!("{at} has the wrong type: {message}"),
        (false, false) => format!("{at}: {message}"),
    }
}

/// A string value as messages quote it, the way Python shows it: `'us'`.
pub fn quoted(s: &str) -> String {
    format!("'{}'", s.escape_debug())
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
            at: Path::default(),
            name,
            value: value.to_string(),
            allowed: allowed.into(),
        }
    }

    /// An array of `actual` values where `expected` are needed.
    pub fn length(name: &'static str, expected: usize, actual: usize, why: &'static str) -> Self {
        Error::Length {
            at: Path::default(),
            name,
            expected,
            actual,
            why,
        }
    }

    /// A value that does not fit the schema, from serde's error at its path within the value
    /// read at `at`. `found` gives the value at a path within it (for messages about an
    /// integer too large for its field).
    pub fn schema<E: std::fmt::Display>(
        at: &[Segment],
        error: serde_path_to_error::Error<E>,
        found: impl FnOnce(&[Segment]) -> Option<String>,
    ) -> Self {
        use serde_path_to_error::Segment as S;
        let mut path = at.to_vec();
        path.extend(error.path().iter().map(|s| match s {
            S::Seq { index } => Segment::Index(*index),
            S::Map { key } => Segment::Field(key.clone()),
            S::Enum { variant } => Segment::Field(variant.clone()),
            S::Unknown => Segment::Field("?".into()),
        }));
        let mut message = error.into_inner().to_string();
        if message.starts_with("OverflowError") {
            let value = found(&path[at.len()..]).unwrap_or_default();
            message = format!("out of range for its integer type; got {value}");
        }
        // serde says "invalid type: ..."; a failed Python extraction "TypeError: ..."; and
        // pythonize, for a name (an enum's variant) given as something else than a string,
        // "expected either a str or dict for enum".
        if message.starts_with("expected either a str or dict for enum") {
            message = "TypeError: expected a name (a string)".into();
        }
        let wrong_type = ["invalid type: ", "TypeError: "]
            .iter()
            .find_map(|p| message.strip_prefix(p));
        // serde's names of integer types as the ranges users read.
        let message = [
            ("expected u8", "expected an integer in [0, 255]"),
            ("expected u16", "expected an integer in [0, 65535]"),
            ("expected u32", "expected an integer in [0, 4294967295]"),
            (
                "expected u64",
                "expected an integer in [0, 18446744073709551615]",
            ),
        ]
        .iter()
        .fold(
            wrong_type.unwrap_or(&message).to_owned(),
            |m, (from, to)| m.replace(from, to),
        );
        Error::Schema {
            at: Path(path),
            wrong_type: wrong_type.is_some(),
            message,
        }
    }

    /// The same error, for a parameter inside `segment` (prepended to its path).
    pub fn within(mut self, segment: Segment) -> Self {
        if let Error::OutOfRange { at, .. } | Error::Length { at, .. } | Error::Schema { at, .. } =
            &mut self
        {
            at.0.insert(0, segment);
        }
        self
    }

    /// The same error inside the field `name`.
    pub fn in_field(self, name: &str) -> Self {
        self.within(Segment::Field(name.to_owned()))
    }

    /// The parameter's full location, leaf included (empty for other errors).
    pub fn path(&self) -> Vec<Segment> {
        match self {
            Error::OutOfRange { at, name, .. } | Error::Length { at, name, .. } => {
                let mut p = at.0.clone();
                p.push(Segment::Field((*name).to_owned()));
                p
            }
            Error::Schema { at, .. } => at.0.clone(),
            _ => Vec::new(),
        }
    }
}

/// Adds the section or field a fallible check belongs to.
pub trait Within<T> {
    /// On error, place it inside field `name`.
    fn in_field(self, name: &str) -> Result<T>;
}

impl<T> Within<T> for Result<T> {
    fn in_field(self, name: &str) -> Result<T> {
        self.map_err(|e| e.in_field(name))
    }
}

/// A vector of `len` copies of `value`, or `Error::OutOfMemory` instead of an abort: sizes
/// come from users, and a request for terabytes must be an exception, not a crash.
pub(crate) fn try_filled<T: Clone>(len: usize, value: T, what: &'static str) -> Result<Vec<T>> {
    let mut v = try_with_capacity(len, what)?;
    v.resize(len, value);
    Ok(v)
}

/// `len` zeros, or `Error::OutOfMemory`. The zeros come from the allocator as they are
/// (calloc: fresh zero pages), not written one by one: the pages are committed only as they
/// are written, so a long run's metric buffers take memory as the run records into them,
/// rather than all of it, and all the time to write it, before the first period.
pub(crate) fn try_zeroed(len: usize, what: &'static str) -> Result<Vec<f64>> {
    // Reserving first (untouched) turns a size the allocator cannot give into OutOfMemory;
    // `vec!` would abort the process.
    drop(try_with_capacity::<f64>(len, what)?);
    Ok(vec![0.0; len])
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
        assert!(matches!(
            try_zeroed(usize::MAX / 4, "a test"),
            Err(Error::OutOfMemory { what: "a test", .. })
        ));
        assert_eq!(try_zeroed(2, "a test").unwrap(), vec![0.0, 0.0]);
    }

    #[test]
    fn errors_carry_where_the_parameter_sits() {
        let e = Error::out_of_range("top_share", 2, "in (0, 1]")
            .in_field("targeting")
            .within(Segment::Key("us".into()))
            .in_field("strategies");
        assert_eq!(
            e.to_string(),
            "strategies[\"us\"].targeting.top_share must be in (0, 1]; got 2"
        );
        assert_eq!(
            e.path(),
            vec![
                Segment::Field("strategies".into()),
                Segment::Key("us".into()),
                Segment::Field("targeting".into()),
                Segment::Field("top_share".into()),
            ]
        );
    }
}
