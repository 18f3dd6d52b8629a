//! Marketing: brands' strategies, the audiences they target, campaigns that turn budgets into
//! impressions, how an impression lands (the response), intent signals, and word of mouth
//! (shared creative and customers' endorsements spreading over the network).

pub(crate) mod audience;
pub(crate) mod campaign;
pub(crate) mod media;
pub(crate) mod response;
pub(crate) mod signals;
pub mod strategy;
pub(crate) mod word_of_mouth;
