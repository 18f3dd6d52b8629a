//! The marketing hourglass: how many people stand at each stage of the journey with each
//! brand. A person counts at every stage they have reached (stages are not exclusive):
//!
//! - know: memory at or above `know_memory`;
//! - like: knows the brand, and attitude at or above `like_attitude`;
//! - trust: likes the brand, and was endorsed by a customer through their ties or has an
//!   attitude at or above `trust_attitude`;
//! - try: their company is in market and they know the brand (it is being evaluated);
//! - buy: their company is the brand's customer while they work there;
//! - repeat: that customer has bought more than once in the run;
//! - refer: they have passed an endorsement of the brand on.
//!
//! So the journey is nested: like <= know, trust <= like and try <= know every week.

use crate::market::customers::Customers;
use crate::market::memory::{BrandsConfig, Memory};
use crate::market::needs::Needs;
use crate::market::population::Population;
use fixedbitset::FixedBitSet;

/// The stages, in order.
pub const STAGES: [&str; 7] = ["know", "like", "trust", "try", "buy", "repeat", "refer"];

/// Counts of people at each stage, per brand. Memory and attitude take one pass over
/// contiguous rows; the other stages cost what they count: open companies' employees (try),
/// customers' employees (buy, repeat), and the set bits of the endorsement flags (trust,
/// refer).
#[allow(clippy::too_many_arguments)]
pub fn count(
    config: &BrandsConfig,
    pop: &Population,
    memory: &Memory,
    needs: &Needs,
    customers: &Customers,
    endorsed: &FixedBitSet,
    referred: &FixedBitSet,
) -> Vec<[u32; 7]> {
    let brands = memory.brands();
    let know = config.know_memory as f32;
    let (like, trust) = (config.like_attitude as f32, config.trust_attitude as f32);
    let mut counts = vec![[0u32; 7]; brands];
    let mut cell = 0usize;
    memory.for_each(|b, m, a| {
        if m >= know {
            let stage = &mut counts[b];
            stage[0] += 1;
            if a >= like {
                stage[1] += 1;
                // Endorsed people trust a brand they like whatever their attitude.
                stage[2] += u32::from(a >= trust || endorsed.contains(cell));
            }
        }
        cell += 1;
    });
    for cell in referred.ones() {
        counts[cell % brands][6] += 1;
    }
    for &c in needs.open() {
        for &p in &pop.companies.employees[c as usize] {
            for (b, stage) in counts.iter_mut().enumerate() {
                stage[3] += u32::from(memory.knows(p, b));
            }
        }
    }
    for &c in customers.active() {
        if let Some(r) = customers.relationship(c) {
            let employees = pop.companies.employees[c as usize].len() as u32;
            let stage = &mut counts[usize::from(r.brand)];
            stage[4] += employees;
            if r.sales > 1 {
                stage[5] += employees;
            }
        }
    }
    counts
}
