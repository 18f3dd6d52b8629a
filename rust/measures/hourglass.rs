//! The marketing hourglass: how many people stand at each stage of the journey with each
//! brand. A person counts at every stage they have reached (stages are not exclusive):
//!
//! - know: memory at or above `know_memory`;
//! - like: attitude at or above `like_attitude`;
//! - trust: endorsed by a customer through their ties, or attitude at or above
//!   `trust_attitude`;
//! - try: their company is in market and they know the brand (it is being evaluated);
//! - buy: their company is the brand's customer while they work there;
//! - repeat: that customer has bought more than once;
//! - refer: they have passed an endorsement of the brand on.

use crate::market::customers::Customers;
use crate::market::memory::{BrandsConfig, Memory};
use crate::market::needs::Needs;
use crate::market::population::Population;
use fixedbitset::FixedBitSet;

/// The stages, in order.
pub const STAGES: [&str; 7] = ["know", "like", "trust", "try", "buy", "repeat", "refer"];

/// Counts of people at each stage, per brand. Memory and attitude take one pass over
/// contiguous rows with nothing but comparisons; the other stages cost what they count:
/// open companies' employees (try), customers' employees (buy, repeat), and the set bits
/// of the endorsement flags (trust, refer).
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
    let (like, trust) = (config.like_attitude as f32, config.trust_attitude as f32);
    let know: Vec<f32> = (0..brands)
        .map(|b| memory.memory_cutoff(b, config.know_memory as f32))
        .collect();
    let mut counts = vec![[0u32; 7]; brands];
    let (stored, attitudes) = memory.rows();
    let mut tallies = [[0u32; 3]; 64];
    // With the brand count known at compile time the row loop unrolls into a few vector
    // compares per person.
    match brands {
        1 => tally::<1>(stored, attitudes, &know, like, trust, &mut tallies),
        2 => tally::<2>(stored, attitudes, &know, like, trust, &mut tallies),
        3 => tally::<3>(stored, attitudes, &know, like, trust, &mut tallies),
        4 => tally::<4>(stored, attitudes, &know, like, trust, &mut tallies),
        5 => tally::<5>(stored, attitudes, &know, like, trust, &mut tallies),
        6 => tally::<6>(stored, attitudes, &know, like, trust, &mut tallies),
        8 => tally::<8>(stored, attitudes, &know, like, trust, &mut tallies),
        _ => {
            for (m, a) in stored
                .chunks_exact(brands)
                .zip(attitudes.chunks_exact(brands))
            {
                for b in 0..brands {
                    tallies[b][0] += u32::from(m[b] >= know[b]);
                    tallies[b][1] += u32::from(a[b] >= like);
                    tallies[b][2] += u32::from(a[b] >= trust);
                }
            }
        }
    }
    for (stage, t) in counts.iter_mut().zip(&tallies) {
        stage[..3].copy_from_slice(t);
    }
    // Endorsed people trust the brand whatever their attitude.
    for cell in endorsed.ones() {
        if attitudes[cell] < trust {
            counts[cell % brands][2] += 1;
        }
    }
    for cell in referred.ones() {
        counts[cell % brands][6] += 1;
    }
    for &c in needs.open() {
        for &p in &pop.companies.employees[c as usize] {
            let row = &stored[p as usize * brands..(p as usize + 1) * brands];
            for (b, stage) in counts.iter_mut().enumerate() {
                stage[3] += u32::from(row[b] >= know[b]);
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

/// Know, like and trust-by-attitude counts for `B` brands in one pass over the rows.
fn tally<const B: usize>(
    stored: &[f32],
    attitudes: &[f32],
    know: &[f32],
    like: f32,
    trust: f32,
    out: &mut [[u32; 3]; 64],
) {
    let know: [f32; B] = std::array::from_fn(|b| know[b]);
    let (mut knows, mut likes, mut trusts) = ([0u32; B], [0u32; B], [0u32; B]);
    for (m, a) in stored.chunks_exact(B).zip(attitudes.chunks_exact(B)) {
        for b in 0..B {
            knows[b] += u32::from(m[b] >= know[b]);
            likes[b] += u32::from(a[b] >= like);
            trusts[b] += u32::from(a[b] >= trust);
        }
    }
    for b in 0..B {
        out[b] = [knows[b], likes[b], trusts[b]];
    }
}
