//! Named random streams.
//!
//! Every draw in buyernet comes from a stream named by `(seed, subsystem, index)`: the
//! subsystem says which stochastic process draws (a cascade, a graph generator, ...) and the
//! index which replicate, run or chunk. Streams are derived by hashing the name, so a run's
//! numbers depend only on its name — never on the thread that runs it or on what ran before —
//! and two processes that draw from different subsystems never shift each other's draws.
//!
//! The generator is Xoshiro256++ (a fixed, documented algorithm from `rand_xoshiro`), and the
//! few sampling routines the engine needs are written here rather than taken from `rand`, whose
//! algorithms may change between versions and would silently change golden results.

use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator behind every stream.
pub type Stream = Xoshiro256PlusPlus;

/// The stochastic processes that draw random numbers. The discriminant is part of every
/// stream's name: never renumber a variant, only add new ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Subsystem {
    /// Independent cascades (`index` = run).
    Cascade = 1,
    /// Random graph generators (`index` = 0).
    Graph = 2,
    /// Drawing people and companies (`index` = replicate).
    Population = 3,
    /// Career events (see [`market_stream`]).
    Careers = 4,
    /// Needs arising and ending (see [`market_stream`]).
    Needs = 5,
    /// Committees forming and changing (see [`market_stream`]).
    Committees = 6,
    /// The professional network (`index` = replicate).
    Network = 7,
    /// Committee decisions (see [`market_stream`]).
    Decisions = 8,
    /// Repeat purchases and churn (see [`market_stream`]).
    Customers = 9,
    /// Starting brand memories and attitudes (see [`market_stream`]).
    Memory = 10,
    /// Delivering a brand's impressions (see [`brand_stream`]).
    Campaigns = 11,
    /// Shared creative spreading over the network (see [`brand_stream`]).
    Sharing = 12,
    /// Intent signals (see [`market_stream`]).
    Signals = 13,
    /// Customers' endorsements spreading over the network (see [`brand_stream`]).
    Referrals = 14,
    /// Influence maximization: reverse-reachable sets (`index` = set) and the coins of the
    /// spread estimates that choose and evaluate seeds (see [`LaneCoins`]).
    Seeding = 15,
    /// Choosing a seeding campaign's seeds in the market (see [`brand_stream`]; the period
    /// is the one they are chosen in).
    Influencers = 16,
}

/// SplitMix64's finalizer: a bijective 64-bit mix with good avalanche.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream named `(seed, subsystem, index)`.
pub fn stream(seed: u64, subsystem: Subsystem, index: u64) -> Stream {
    const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;
    // Chain the name's parts through the mixer so that nearby names give unrelated states,
    // then expand the key with SplitMix64 steps into the 256-bit Xoshiro state.
    let key = mix(mix(mix(seed ^ GOLDEN) ^ subsystem as u64) ^ index);
    let mut state = [0u8; 32];
    let mut x = key;
    for chunk in state.chunks_exact_mut(8) {
        x = x.wrapping_add(GOLDEN);
        chunk.copy_from_slice(&mix(x).to_le_bytes());
    }
    Stream::from_seed(state)
}

/// The stream of one market mechanism in one period of one replicate. Each mechanism draws
/// from its own stream, so adding draws to one (or adding a mechanism) never shifts another's
/// numbers: strategies compared on the same seed face the same careers and needs.
pub fn market_stream(seed: u64, subsystem: Subsystem, replicate: u64, period: u64) -> Stream {
    stream(
        seed,
        subsystem,
        mix(replicate ^ 0xA076_1D64_78BD_642F) ^ period,
    )
}

/// The stream of one brand's share of a mechanism in one period of one replicate: a brand's
/// draws never depend on what other brands do, or on whether they advertise at all.
pub fn brand_stream(
    seed: u64,
    subsystem: Subsystem,
    replicate: u64,
    period: u64,
    brand: u64,
) -> Stream {
    stream(
        seed,
        subsystem,
        mix(mix(replicate ^ 0xE703_7ED1_A0B4_28DB) ^ period) ^ brand,
    )
}

/// Uniform draws in (0, 1] keyed by name rather than by position in a stream: the `k`-th
/// draw for `key` (a company, say) in one mechanism, period and replicate. A draw never
/// depends on how many draws others took before it, so when one strategy wins a customer
/// that another does not, every other customer still sees the same numbers.
#[derive(Clone, Copy, Debug)]
pub struct KeyedDraws {
    base: u64,
}

impl KeyedDraws {
    /// Draws for `subsystem` in `period` of `replicate` under `seed`.
    pub fn new(seed: u64, subsystem: Subsystem, replicate: u64, period: u64) -> Self {
        let base = mix(
            mix(mix(mix(seed ^ 0x5851_F42D_4C95_7F2D) ^ subsystem as u64) ^ replicate) ^ period,
        );
        Self { base }
    }

    /// The `k`-th uniform draw in (0, 1] for `key`.
    #[inline]
    pub fn unit(&self, key: u64, k: u64) -> f64 {
        let bits = mix(mix(self.base ^ key) ^ k.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        ((bits >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// Coins keyed by (edge, run) rather than by position in a stream, 64 runs to a machine word:
/// lane `l` of word `w` is run `64 w + l`. The coin of edge `e` in run `r` is heads when a
/// 53-bit uniform `U` is below the edge's threshold `t` (probability `t / 2^53`); bit `j` of
/// `U`, most significant first, is bit `l` of the `j`-th hash of `(key, e, w)`. A coin is
/// therefore a function of its name only: a run replayed alone, or in a batch of any size, on
/// any thread, sees the same coins; and comparing `U` with `t` from the top bit down settles
/// half the undecided lanes per hash, so a word of 64 coins costs a handful of hashes.
#[derive(Clone, Copy, Debug)]
pub struct LaneCoins {
    base: u64,
}

/// `t / 2^53` is the probability of heads for a coin threshold `t`.
pub const COIN_ONE: u64 = 1 << 53;

/// The threshold of a coin with probability `p` in [0, 1]: heads exactly when a 53-bit
/// uniform integer is below it, as [`coin`] decides.
#[inline]
pub fn coin_threshold(p: f64) -> u64 {
    (p * COIN_ONE as f64).ceil().clamp(0.0, COIN_ONE as f64) as u64
}

impl LaneCoins {
    /// The coins of `subsystem` under `seed`, for use `index` (an estimator, say).
    pub fn new(seed: u64, subsystem: Subsystem, index: u64) -> Self {
        let base = mix(mix(mix(seed ^ 0xD6E8_FEB8_6659_FD93) ^ subsystem as u64) ^ index);
        Self { base }
    }

    /// The lanes of `need` whose coin for `edge` in word `word` is heads at threshold `t`.
    #[inline]
    pub fn heads(&self, edge: u64, word: u64, t: u64, need: u64) -> u64 {
        if t == 0 || need == 0 {
            return 0;
        }
        if t >= COIN_ONE {
            return need;
        }
        let mut state = mix(mix(self.base ^ edge) ^ word.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let (mut undecided, mut heads) = (need, 0u64);
        for j in 0..53u64 {
            // Bit plane j: a wyrand step (one 128-bit product; passes BigCrush).
            state = state.wrapping_add(0xA076_1D64_78BD_642F);
            let m = u128::from(state) * u128::from(state ^ 0xE703_7ED1_A0B4_28DB);
            let bits = (m >> 64) as u64 ^ m as u64;
            if t >> (52 - j) & 1 == 1 {
                // U's bit is 0 where t's is 1: U < t whatever follows.
                heads |= undecided & !bits;
                undecided &= bits;
            } else {
                // U's bit is 1 where t's is 0: U > t.
                undecided &= !bits;
            }
            if undecided == 0 {
                break;
            }
        }
        // Lanes still undecided have U = t: not below it.
        heads
    }
}

/// A uniform draw from (0, 1] with 53 random bits; never 0, so its logarithm is finite.
#[inline]
pub fn open_unit(rng: &mut Stream) -> f64 {
    ((rng.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform integer in `0..n` (Lemire's multiply-and-reject; unbiased). `n` must be > 0.
#[inline]
pub fn below(rng: &mut Stream, n: u64) -> u64 {
    debug_assert!(n > 0);
    let mut m = u128::from(rng.next_u64()) * u128::from(n);
    if (m as u64) < n {
        let threshold = n.wrapping_neg() % n;
        while (m as u64) < threshold {
            m = u128::from(rng.next_u64()) * u128::from(n);
        }
    }
    (m >> 64) as u64
}

/// A Bernoulli trial with probability `p` in [0, 1], resolved to 2^-53: exact for 0 and 1,
/// and faithful for tiny probabilities.
#[inline]
pub fn coin(rng: &mut Stream, p: f32) -> bool {
    ((rng.next_u64() >> 11) as f64) < f64::from(p) * (1u64 << 53) as f64
}

/// Samplers of the number of failures before the first success in Bernoulli(p) trials, used
/// to jump straight to the next successful edge instead of flipping a coin for each one.
#[derive(Clone, Copy, Debug)]
pub struct GeometricSkip {
    /// 1 / ln(1 - p), negative; `-0.0` when p = 1 (every trial succeeds).
    inv_log_q: f64,
}

impl GeometricSkip {
    /// For a success probability `p` in (0, 1].
    pub fn new(p: f64) -> Self {
        debug_assert!(p > 0.0 && p <= 1.0);
        Self {
            inv_log_q: 1.0 / (-p).ln_1p(),
        }
    }

    /// Failures before the next success; saturates for astronomically long gaps.
    #[inline]
    pub fn sample(&self, rng: &mut Stream) -> u64 {
        // ln(U) <= 0 and inv_log_q < 0, so the product is >= 0; `as` saturates.
        (open_unit(rng).ln() * self.inv_log_q) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4)
            .map(|_| stream(7, Subsystem::Cascade, 3).next_u64())
            .collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let mut seen = std::collections::HashSet::new();
        for seed in 0..20 {
            for index in 0..20 {
                for sub in [Subsystem::Cascade, Subsystem::Graph] {
                    assert!(seen.insert(stream(seed, sub, index).next_u64()));
                }
            }
        }
    }

    #[test]
    fn keyed_draws_are_fixed_by_name_and_uniform() {
        let draws = KeyedDraws::new(1, Subsystem::Customers, 2, 3);
        assert_eq!(
            draws.unit(7, 0),
            KeyedDraws::new(1, Subsystem::Customers, 2, 3).unit(7, 0)
        );
        assert_ne!(draws.unit(7, 0), draws.unit(7, 1));
        assert_ne!(draws.unit(7, 0), draws.unit(8, 0));
        assert_ne!(
            draws.unit(7, 0),
            KeyedDraws::new(1, Subsystem::Customers, 2, 4).unit(7, 0)
        );
        let n = 100_000;
        let mean = (0..n).map(|i| draws.unit(i, 0)).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.005, "{mean}");
        assert!((0..n).all(|i| draws.unit(i, 1) > 0.0 && draws.unit(i, 1) <= 1.0));
    }

    #[test]
    fn lane_coins_have_their_probability_and_are_fixed_by_name() {
        let coins = LaneCoins::new(4, Subsystem::Cascade, 0);
        for p in [0.0, 1e-3, 0.05, 0.3, 0.5, 0.77, 1.0] {
            let t = coin_threshold(p);
            let n = 20_000u64;
            let heads: u64 = (0..n)
                .map(|e| u64::from(coins.heads(e, 3, t, u64::MAX).count_ones()))
                .sum();
            let trials = (n * 64) as f64;
            let sd = (p * (1.0 - p) / trials).sqrt();
            assert!(
                (heads as f64 / trials - p).abs() <= 5.0 * sd + 1e-12,
                "p={p}"
            );
        }
        let t = coin_threshold(0.4);
        let all = coins.heads(9, 2, t, u64::MAX);
        for lane in 0..64 {
            assert_eq!(coins.heads(9, 2, t, 1 << lane), all & 1 << lane);
        }
        assert_ne!(all, coins.heads(9, 3, t, u64::MAX));
        assert_ne!(
            all,
            LaneCoins::new(5, Subsystem::Cascade, 0).heads(9, 2, t, u64::MAX)
        );
    }

    #[test]
    fn below_is_in_range_and_roughly_uniform() {
        let mut rng = stream(1, Subsystem::Cascade, 0);
        let mut counts = [0u32; 7];
        for _ in 0..70_000 {
            counts[below(&mut rng, 7) as usize] += 1;
        }
        for c in counts {
            assert!((9_400..10_600).contains(&c), "{counts:?}");
        }
    }

    #[test]
    fn coin_is_exact_at_the_ends_and_fair_for_tiny_p() {
        let mut rng = stream(2, Subsystem::Cascade, 0);
        for _ in 0..10_000 {
            assert!(!coin(&mut rng, 0.0));
            assert!(coin(&mut rng, 1.0));
        }
        let hits = (0..2_000_000).filter(|_| coin(&mut rng, 1e-6)).count();
        assert!(hits <= 12, "{hits} hits for p = 1e-6 in 2e6 trials");
    }

    #[test]
    fn geometric_skip_has_the_right_mean() {
        // Failures before a success: mean (1 - p) / p.
        let mut rng = stream(3, Subsystem::Cascade, 0);
        for p in [0.01, 0.2, 0.9] {
            let skip = GeometricSkip::new(p);
            let n = 200_000;
            let mean = (0..n).map(|_| skip.sample(&mut rng) as f64).sum::<f64>() / n as f64;
            let want = (1.0 - p) / p;
            let sd = (1.0 - p).sqrt() / p / (n as f64).sqrt();
            assert!(
                (mean - want).abs() < 5.0 * sd,
                "p={p} mean={mean} want={want}"
            );
        }
        let always = GeometricSkip::new(1.0);
        assert!((0..1000).all(|_| always.sample(&mut rng) == 0));
    }
}
