//! Many replicates of a market, in parallel; replicate r depends only on (seed, r).

use crate::control::Interrupt;
use crate::errors::{Error, Result, try_with_capacity};
use crate::graph::csr::Graph;
use crate::market::MarketConfig;
use crate::market::customers::Relationship;
use crate::marketing::strategy::Strategy;
use crate::sim::record::{Deal, PeriodRecord};
use crate::sim::replicate::Market;
use rayon::prelude::*;
use std::sync::Arc;

/// What one replicate produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Replicate {
    /// One record per period.
    pub records: Vec<PeriodRecord>,
    /// Every committee decision.
    pub deals: Vec<Deal>,
    /// Every customer relationship.
    pub customers: Vec<Relationship>,
    /// Needs open at the start and at the end.
    pub open_at_start: u32,
    pub open_at_end: u32,
}

/// Runs `replicates` replicates for `periods` periods, with one optional strategy per brand,
/// on `network` if given (shared by
/// every replicate; one node per person) or on a professional network drawn for each. With
/// `parallel`, replicates are spread over the current rayon pool; the results are identical
/// either way.
#[allow(clippy::too_many_arguments)]
pub fn simulate(
    config: &MarketConfig,
    strategies: &[Option<Strategy>],
    network: Option<&Arc<Graph>>,
    periods: u32,
    replicates: u32,
    seed: u64,
    parallel: bool,
    cancel: &dyn Interrupt,
) -> Result<Vec<Replicate>> {
    config.validate()?;
    config.validate_strategies(strategies)?;
    if let Some(graph) = network {
        if graph.n_nodes() != config.population.people {
            return Err(Error::out_of_range(
                "network",
                format!("a graph of {} nodes", graph.n_nodes()),
                format!("one node per person ({} people)", config.population.people),
            ));
        }
    }
    if replicates < 1 {
        return Err(Error::out_of_range("replicates", replicates, "at least 1"));
    }
    let run = |r: u32| -> Result<Replicate> {
        let mut market = Market::new(config, strategies, seed, u64::from(r), network)?;
        let open_at_start = market.needs.open().len() as u32;
        let mut records = try_with_capacity(periods as usize, "the period records")?;
        for _ in 0..periods {
            if cancel.stop() {
                return Err(Error::Interrupted);
            }
            records.push(market.step());
            cancel.advanced();
        }
        Ok(Replicate {
            records,
            open_at_end: market.needs.open().len() as u32,
            open_at_start,
            deals: std::mem::take(&mut market.deals),
            customers: market.customer_log().to_vec(),
        })
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
    use crate::market::population::PopulationConfig;
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
        let serial = simulate(
            &small(),
            &[None, None, None, None],
            None,
            30,
            4,
            9,
            false,
            &go,
        )
        .unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let parallel = pool.install(|| {
            simulate(
                &small(),
                &[None, None, None, None],
                None,
                30,
                4,
                9,
                true,
                &go,
            )
            .unwrap()
        });
        assert_eq!(serial, parallel);
        let alone = simulate(
            &small(),
            &[None, None, None, None],
            None,
            30,
            1,
            9,
            false,
            &go,
        )
        .unwrap();
        assert_eq!(alone[0], serial[0]);
        assert_ne!(serial[0].records, serial[1].records);
    }

    #[test]
    fn the_default_market_meets_both_calibration_facts() {
        let go = AtomicBool::new(false);
        let runs = simulate(
            &small(),
            &[None, None, None, None],
            None,
            208,
            2,
            1,
            true,
            &go,
        )
        .unwrap();
        for run in &runs {
            let records = &run.records;
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
        let mut market = Market::new(&config, &[None, None, None, None], 4, 0, None).unwrap();
        let mut sizes = Vec::new();
        for _ in 0..60 {
            let record = market.step();
            crate::market::committees::tests::assert_members_work_there(
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
    fn every_need_ends_exactly_once_and_money_adds_up() {
        let go = AtomicBool::new(false);
        for run in simulate(
            &small(),
            &[None, None, None, None],
            None,
            156,
            2,
            3,
            true,
            &go,
        )
        .unwrap()
        {
            let sum = |f: fn(&PeriodRecord) -> u32| run.records.iter().map(f).sum::<u32>();
            let opened = run.open_at_start + sum(|r| r.needs_opened);
            let closed = sum(|r| r.decisions) + sum(|r| r.abandoned);
            assert_eq!(opened, closed + run.open_at_end, "needs are conserved");
            let wins: u32 = run.records.iter().flat_map(|r| r.wins.iter()).sum();
            assert_eq!(sum(|r| r.decisions), wins + sum(|r| r.no_decisions));
            assert_eq!(run.deals.len() as u32, sum(|r| r.decisions));
            assert_eq!(
                run.deals.iter().filter(|d| d.brand.is_some()).count() as u32,
                wins
            );
            assert!(wins > 0 && sum(|r| r.no_decisions) > 0);
            assert!(
                run.deals.iter().all(|d| d.committee_size > 0),
                "nobody decides alone-less"
            );
            let revenue: f64 = run.records.iter().flat_map(|r| r.revenue.iter()).sum();
            let logged: f64 = run.customers.iter().map(|c| c.revenue()).sum();
            assert!(
                revenue > 0.0
                    && run
                        .records
                        .iter()
                        .flat_map(|r| r.revenue.iter())
                        .all(|&x| x >= 0.0)
            );
            assert!(
                (revenue - logged).abs() <= 1e-6 * revenue,
                "{revenue} vs {logged}"
            );
            // LTV = average sale x transactions per customer, on the simulated averages.
            let n = run.customers.len() as f64;
            let mean_sale = run.customers.iter().map(|c| c.sale_value).sum::<f64>() / n;
            let mean_sales = run
                .customers
                .iter()
                .map(|c| f64::from(c.sales))
                .sum::<f64>()
                / n;
            let ltv = logged / n;
            assert!(
                (ltv / (mean_sale * mean_sales) - 1.0).abs() < 0.15,
                "LTV {ltv} vs {}",
                mean_sale * mean_sales
            );
        }
    }

    #[test]
    fn bad_input_and_interrupts_are_errors() {
        let go = AtomicBool::new(false);
        assert!(
            simulate(
                &small(),
                &[None, None, None, None],
                None,
                1,
                0,
                1,
                false,
                &go
            )
            .is_err()
        );
        let mut bad = small();
        bad.needs.in_market_share = 2.0;
        assert!(matches!(
            simulate(&bad, &[None, None, None, None], None, 1, 1, 1, false, &go),
            Err(Error::OutOfRange {
                name: "in_market_share",
                ..
            })
        ));
        let stop = AtomicBool::new(true);
        assert_eq!(
            simulate(
                &small(),
                &[None, None, None, None],
                None,
                5,
                2,
                1,
                true,
                &stop
            ),
            Err(Error::Interrupted)
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 24,
            rng_seed: proptest::test_runner::RngSeed::Fixed(3),
            failure_persistence: None,
            ..Default::default()
        })]
        /// Nobody is created or lost: everyone works for exactly one company, every committee
        /// member works at the committee's company, and seated people are exactly the members.
        #[test]
        fn people_and_committees_stay_consistent(
            people in 20u32..600,
            companies_share in 0.02f64..0.5,
            fixed in proptest::option::of(1u32..9),
            in_market in 0.0f64..0.3,
            seed in 0u64..1_000,
        ) {
            let companies = ((f64::from(people) * companies_share) as u32).max(1);
            let mut config = MarketConfig::default();
            config.population.people = people;
            config.population.companies = companies;
            config.population.industries = companies.min(12) as u16;
            config.network.mean_degree = 4.0;
            config.committees.fixed_size = fixed;
            config.needs.in_market_share = in_market;
            proptest::prop_assume!(config.validate().is_ok());
            let mut market = Market::new(&config, &[None, None, None, None], seed, 0, None).unwrap();
            for _ in 0..40 {
                market.step();
                crate::market::population::tests::assert_consistent(&market.population);
                crate::market::committees::tests::assert_members_work_there(&market.population, &market.committees);
                for c in 0..companies {
                    let size = market.committees.members(c).len();
                    proptest::prop_assert!(size == 0 || market.needs.is_open(c));
                    if let Some(k) = fixed {
                        proptest::prop_assert!(size <= k as usize);
                    }
                }
            }
            proptest::prop_assert_eq!(market.network.n_nodes(), people);
        }
    }
}
