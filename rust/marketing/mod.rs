//! Marketing: brands' strategies, the audiences they target, campaigns that turn budgets into
//! impressions, how an impression lands (the response), intent signals, and word of mouth
//! (shared creative and customers' endorsements spreading over the network).

pub mod audience;
pub mod campaign;
pub mod media;
pub mod response;
pub mod signals;
pub mod strategy;
pub mod word_of_mouth;
