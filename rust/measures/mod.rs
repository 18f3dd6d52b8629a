//! Measures of a replicate that no mechanism reads back: who each brand has reached (and so
//! future-buyer reach), and the marketing hourglass.

pub mod hourglass;
pub mod reach;
