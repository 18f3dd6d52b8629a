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
use crate::market::memory::{BrandsConfig, Memory, Rows};
use crate::market::needs::Needs;
use crate::market::population::Population;
use fixedbitset::FixedBitSet;

/// The stages, in order.
pub const STAGES: [&str; 7] = ["know", "like", "trust", "try", "buy", "repeat", "refer"];

/// Counts of people at each stage, per brand. Memory and attitude take one pass over
/// contiguous rows with nothing but arithmetic and comparisons; the other stages cost what
/// they count: open companies' employees (try), customers' employees (buy, repeat), and the
/// set bits of the endorsement flags (trust, refer).
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
    let cut = Cutoffs {
        know: config.know_memory as f32,
        like: config.like_attitude as f32,
        trust: config.trust_attitude as f32,
    };
    let mut counts = vec![[0u32; 7]; brands];
    let rows = memory.rows();
    let mut tallies = [[0u32; 3]; 64];
    // With the brand count known at compile time the row loop unrolls into a few vector
    // operations per person.
    match brands {
        1 => tally::<1>(&rows, cut, &mut tallies),
        2 => tally::<2>(&rows, cut, &mut tallies),
        3 => tally::<3>(&rows, cut, &mut tallies),
        4 => tally::<4>(&rows, cut, &mut tallies),
        5 => tally::<5>(&rows, cut, &mut tallies),
        6 => tally::<6>(&rows, cut, &mut tallies),
        8 => tally::<8>(&rows, cut, &mut tallies),
        _ => {
            for p in 0..memory.people() as u32 {
                for (b, t) in tallies.iter_mut().enumerate().take(brands) {
                    let (m, a) = (memory.value(p, b), memory.attitude(p, b));
                    let like = m >= cut.know && a >= cut.like;
                    t[0] += u32::from(m >= cut.know);
                    t[1] += u32::from(like);
                    t[2] += u32::from(like && a >= cut.trust);
                }
            }
        }
    }
    for (stage, t) in counts.iter_mut().zip(&tallies) {
        stage[..3].copy_from_slice(t);
    }
    // Endorsed people trust a brand they like whatever their attitude.
    for cell in endorsed.ones() {
        let (p, b) = ((cell / brands) as u32, cell % brands);
        let a = memory.attitude(p, b);
        if memory.knows(p, b) && a >= cut.like && a < cut.trust {
            counts[b][2] += 1;
        }
    }
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

/// The memory and attitudes at which people know, like and trust a brand.
#[derive(Clone, Copy)]
struct Cutoffs {
    know: f32,
    like: f32,
    trust: f32,
}

/// Know, like and trust-by-attitude counts for `B` brands in one pass over the rows; the
/// same arithmetic as [`Memory::value`] and [`Memory::attitude`].
fn tally<const B: usize>(rows: &Rows<'_>, cut: Cutoffs, out: &mut [[u32; 3]; 64]) {
    let base: [f32; B] = std::array::from_fn(|b| rows.baseline[b]);
    let (mut knows, mut likes, mut trusts) = ([0u32; B], [0u32; B], [0u32; B]);
    let mut count = |m: [f32; B], a: [f32; B]| {
        for b in 0..B {
            let know = m[b].clamp(0.0, 1.0) >= cut.know;
            let a = a[b].clamp(-1.0, 1.0);
            let like = know && a >= cut.like;
            knows[b] += u32::from(know);
            likes[b] += u32::from(like);
            trusts[b] += u32::from(like && a >= cut.trust);
        }
    };
    let attitudes = rows
        .disposition
        .chunks_exact(B)
        .zip(rows.attitude.chunks_exact(B))
        .map(|(d, x)| -> [f32; B] {
            std::array::from_fn(|b| f32::from(d[b]) * rows.spread + x[b] * rows.attitude_scale)
        });
    if rows.fast.is_empty() {
        for (f, a) in rows.familiar.chunks_exact(B).zip(attitudes) {
            count(std::array::from_fn(|b| f32::from(f[b]) * base[b]), a);
        }
    } else {
        let memories = rows
            .familiar
            .chunks_exact(B)
            .zip(rows.fast.chunks_exact(B))
            .zip(rows.slow.chunks_exact(B))
            .map(|((f, x), y)| -> [f32; B] {
                std::array::from_fn(|b| {
                    (f32::from(f[b]) * base[b] + y[b] * rows.slow_scale) + x[b] * rows.fast_scale
                })
            });
        for (m, a) in memories.zip(attitudes) {
            count(m, a);
        }
    }
    for b in 0..B {
        out[b] = [knows[b], likes[b], trusts[b]];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Subsystem, open_unit, stream};

    #[test]
    fn the_fast_pass_counts_what_memory_and_attitude_say_and_is_nested() {
        let config = BrandsConfig::default();
        let cut = Cutoffs {
            know: config.know_memory as f32,
            like: config.like_attitude as f32,
            trust: config.trust_attitude as f32,
        };
        for advertised in [false, true] {
            let mut rng = stream(7, Subsystem::Memory, 0);
            let mut memory = Memory::new(&config, 5_000, advertised, &mut rng).unwrap();
            for p in 0..5_000u32 {
                for b in 0..4 {
                    if open_unit(&mut rng) < 0.3 {
                        memory.lift(p, b, open_unit(&mut rng) as f32);
                        let a = memory.attitude(p, b);
                        memory.set_attitude(p, b, a + open_unit(&mut rng) as f32 * 0.6);
                    }
                }
                if p % 1_000 == 0 {
                    memory.forget();
                }
            }
            let mut fast = [[0u32; 3]; 64];
            tally::<4>(&memory.rows(), cut, &mut fast);
            for (b, counted) in fast.iter().enumerate().take(4) {
                let mut naive = [0u32; 3];
                for p in 0..5_000u32 {
                    let (m, a) = (memory.value(p, b), memory.attitude(p, b));
                    naive[0] += u32::from(m >= cut.know);
                    naive[1] += u32::from(m >= cut.know && a >= cut.like);
                    naive[2] += u32::from(m >= cut.know && a >= cut.like && a >= cut.trust);
                }
                assert_eq!(*counted, naive, "brand {b}, advertised {advertised}");
                assert!(naive[0] >= naive[1] && naive[1] >= naive[2] && naive[2] > 0);
            }
        }
    }
}
