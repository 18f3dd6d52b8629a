//! Many replicates of a market, in parallel; replicate r depends only on (seed, r).

use crate::cascade::Interrupt;
use crate::errors::{Error, Result};
use crate::market::{Market, MarketConfig, PeriodRecord};
use rayon::prelude::*;

/// Runs `replicates` replicates for `periods` periods; returns one record per replicate and
/// period, replicate-major. With `parallel`, replicates are spread over the current rayon
/// pool; the records are identical either way.
pub fn simulate(
    config: &MarketConfig,
    periods: u32,
    replicates: u32,
    seed: u64,
    parallel: bool,
    cancel: &dyn Interrupt,
) -> Result<Vec<Vec<PeriodRecord>>> {
    config.validate()?;
    if replicates < 1 {
        return Err(Error::out_of_range("replicates", replicates, "at least 1"));
    }
    let run = |r: u32| -> Result<Vec<PeriodRecord>> {
        let mut market = Market::new(config, seed, u64::from(r))?;
        let mut records = Vec::with_capacity(periods as usize);
        for _ in 0..periods {
            if cancel.stop() {
                return Err(Error::Interrupted);
            }
            records.push(market.step());
        }
        Ok(records)
    };
    if parallel {
        (0..replicates).into_par_iter().map(run).collect()
    } else {
        (0..replicates).map(run).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::population::PopulationConfig;
    use std::sync::atomic::AtomicBool;

    fn small() -> MarketConfig {
        MarketConfig {
            population: PopulationConfig {
                people: 20_000,
                companies: 1_000,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn replicates_do_not_depend_on_threads_or_order() {
        let go = AtomicBool::new(false);
        let serial = simulate(&small(), 30, 4, 9, false, &go).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let parallel = pool.install(|| simulate(&small(), 30, 4, 9, true, &go).unwrap());
        assert_eq!(serial, parallel);
        let alone = simulate(&small(), 30, 1, 9, false, &go).unwrap();
        assert_eq!(alone[0], serial[0]);
        assert_ne!(serial[0], serial[1]);
    }

    #[test]
    fn the_default_market_meets_both_calibration_facts() {
        let go = AtomicBool::new(false);
        let runs = simulate(&small(), 208, 2, 1, true, &go).unwrap();
        for records in &runs {
            let changed = records[207].career_changed_share;
            assert!(
                (changed - 0.40).abs() < 0.02,
                "career changed after 208 weeks: {changed}"
            );
            let in_market = records.iter().map(|r| r.in_market_share).sum::<f64>() / 208.0;
            assert!(
                (in_market - 0.05).abs() < 0.01,
                "mean in-market share: {in_market}"
            );
            assert!(
                records
                    .windows(2)
                    .all(|w| w[0].career_changed_share <= w[1].career_changed_share)
            );
        }
    }

    #[test]
    fn committees_follow_needs_and_members_work_there() {
        let config = small();
        let mut market = Market::new(&config, 4, 0).unwrap();
        let mut sizes = Vec::new();
        for _ in 0..60 {
            let record = market.step();
            crate::committee::tests::assert_members_work_there(
                &market.population,
                &market.committees,
            );
            // Exactly the companies with an open need have a committee.
            for c in 0..config.population.companies {
                assert_eq!(
                    market.needs.is_open(c),
                    !market.committees.members(c).is_empty()
                );
            }
            assert_eq!(record.committees_open as usize, market.needs.open().len());
            sizes.push(record.committee_size_mean);
        }
        let mean = sizes.iter().sum::<f64>() / sizes.len() as f64;
        assert!((2.0..=12.0).contains(&mean), "mean committee size {mean}");
    }

    #[test]
    fn bad_input_and_interrupts_are_errors() {
        let go = AtomicBool::new(false);
        assert!(simulate(&small(), 1, 0, 1, false, &go).is_err());
        let mut bad = small();
        bad.needs.in_market_share = 2.0;
        assert!(matches!(
            simulate(&bad, 1, 1, 1, false, &go),
            Err(Error::OutOfRange {
                name: "in_market_share",
                ..
            })
        ));
        let stop = AtomicBool::new(true);
        assert_eq!(
            simulate(&small(), 5, 2, 1, true, &stop),
            Err(Error::Interrupted)
        );
    }
}
