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
        1 => tally::<1>(&rows, endorsed.as_slice(), cut, &mut tallies),
        2 => tally::<2>(&rows, endorsed.as_slice(), cut, &mut tallies),
        3 => tally::<3>(&rows, endorsed.as_slice(), cut, &mut tallies),
        4 => tally::<4>(&rows, endorsed.as_slice(), cut, &mut tallies),
        5 => tally::<5>(&rows, endorsed.as_slice(), cut, &mut tallies),
        6 => tally::<6>(&rows, endorsed.as_slice(), cut, &mut tallies),
        8 => tally::<8>(&rows, endorsed.as_slice(), cut, &mut tallies),
        _ => {
            for p in 0..memory.people() as u32 {
                for (b, t) in tallies.iter_mut().enumerate().take(brands) {
                    let (m, a) = (memory.value(p, b), memory.attitude(p, b));
                    let like = m >= cut.know && a >= cut.like;
                    let vouched = endorsed.contains(p as usize * brands + b);
                    t[0] += u32::from(m >= cut.know);
                    t[1] += u32::from(like);
                    t[2] += u32::from(like && (a >= cut.trust || vouched));
                }
            }
        }
    }
    for (stage, t) in counts.iter_mut().zip(&tallies) {
        stage[..3].copy_from_slice(t);
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

/// Know, like and trust counts for `B` brands in one pass over the rows (the same
/// arithmetic as [`Memory::value`] and [`Memory::attitude`]) and over the blocks of the
/// endorsement flags (people endorsed to trust a brand they like, whatever their attitude).
fn tally<const B: usize>(
    rows: &Rows<'_>,
    endorsed: &[usize],
    cut: Cutoffs,
    out: &mut [[u32; 3]; 64],
) {
    let base: [f32; B] = std::array::from_fn(|b| rows.baseline[b]);
    let (mut knows, mut likes, mut trusts) = ([0u32; B], [0u32; B], [0u32; B]);
    // Compare unclamped values against cutoffs that say the same: a value clamped to
    // [lo, hi] is at or above a cutoff c in (lo, hi] exactly when the raw value is, and
    // always when c <= lo.
    let above = |c: f32, lo: f32| if c <= lo { f32::NEG_INFINITY } else { c };
    let (know, like, trust) = (
        above(cut.know, 0.0),
        above(cut.like, -1.0),
        above(cut.trust, -1.0),
    );
    let mut person = 0usize;
    let mut count = |m: [f32; B], a: [f32; B]| {
        // The person's B endorsement bits (B divides the block size but for B = 3, 5, 6:
        // then a person's bits may straddle two blocks).
        let first = person * B;
        let bits = |i: usize| -> bool {
            let block = endorsed.get(i / usize::BITS as usize).copied().unwrap_or(0);
            (block >> (i % usize::BITS as usize)) & 1 == 1
        };
        for b in 0..B {
            let k = m[b] >= know;
            let l = k && a[b] >= like;
            knows[b] += u32::from(k);
            likes[b] += u32::from(l);
            trusts[b] += u32::from(l && (a[b] >= trust || bits(first + b)));
        }
        person += 1;
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
            let mut endorsed = FixedBitSet::with_capacity(20_000);
            for cell in (0..20_000).step_by(7) {
                endorsed.insert(cell);
            }
            tally::<4>(&memory.rows(), endorsed.as_slice(), cut, &mut fast);
            for (b, counted) in fast.iter().enumerate().take(4) {
                let mut naive = [0u32; 3];
                for p in 0..5_000u32 {
                    let (m, a) = (memory.value(p, b), memory.attitude(p, b));
                    naive[0] += u32::from(m >= cut.know);
                    naive[1] += u32::from(m >= cut.know && a >= cut.like);
                    let vouched = endorsed.contains(p as usize * 4 + b);
                    naive[2] +=
                        u32::from(m >= cut.know && a >= cut.like && (a >= cut.trust || vouched));
                }
                assert_eq!(*counted, naive, "brand {b}, advertised {advertised}");
                assert!(naive[0] >= naive[1] && naive[1] >= naive[2] && naive[2] > 0);
            }
        }
    }
}
