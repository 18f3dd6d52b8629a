//! Marketing: brands' strategies, the audiences they target, campaigns that turn budgets into
//! impressions, how an impression lands (the response), intent signals, and word of mouth
//! (shared creative and customers' endorsements spreading over the network).
//!
//! Assumption: marketing acts only on people's memory of and attitude to brands and on how
//! active a company's need is; it never changes the market's own draws (careers, needs that
//! arise, who sits on a committee), so alternatives run with the same seed face the same
//! market.

pub(crate) mod audience;
pub(crate) mod campaign;
pub(crate) mod media;
pub(crate) mod response;
pub(crate) mod signals;
pub mod strategy;
pub(crate) mod word_of_mouth;
