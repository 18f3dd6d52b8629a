//! Many replicates of a plan, in parallel; replicate r of every arm depends only on
//! (seed, r).
//!
//! Per replicate, the people, companies and network are drawn once ([`Start`]) and shared by
//! every arm of the plan, so N alternatives cost one network, not N, and face the same
//! market. Arms x replicates spread over the thread pool; each writes its own slice of the
//! run's metric buffers, so results never depend on the thread count or the order of work.

use crate::control::Interrupt;
use crate::errors::{Result, try_zeroed};
use crate::market::customers::Relationship;
use crate::sim::plan::Plan;
use crate::sim::record::{CampaignPeriod, Deal, M, METRICS, Recorder};
use crate::sim::replicate::{Replicate, Start};
use rayon::prelude::*;

/// What one replicate of one arm produced besides its metrics.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// Every committee decision.
    pub deals: Vec<Deal>,
    /// Every customer relationship.
    pub customers: Vec<Relationship>,
    /// Every campaign's impressions and spend, per period.
    pub campaigns: Vec<CampaignPeriod>,
    /// Needs open at the start and at the end.
    pub open_at_start: u32,
    pub open_at_end: u32,
}

/// What one arm of a plan produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Arm {
    /// Per metric of the catalogue (None if not recorded): `[replicate, period, width]`.
    pub series: Vec<Option<Vec<f64>>>,
    /// Per replicate, its decisions and customers.
    pub runs: Vec<Run>,
    periods: usize,
    brands: usize,
}

impl Arm {
    /// Metric `m` of replicate `r` in period `t` (1-based), for brand `b` (ignored for
    /// market-wide metrics). Panics if `m` was not recorded. (The tests' reader; the
    /// bindings hand the buffers over whole.)
    #[cfg(test)]
    pub fn at(&self, m: M, r: usize, t: usize, b: usize) -> f64 {
        let w = m.metric().width(self.brands);
        let col = self.series[m as usize].as_ref().expect("metric recorded");
        col[(r * self.periods + t - 1) * w + b.min(w - 1)]
    }
}

/// A column of an event log: whole numbers or reals.
#[derive(Clone, Debug, PartialEq)]
pub enum Column {
    Whole(Vec<i64>),
    Real(Vec<f64>),
}

/// The event logs of every replicate of an arm, as named columns: one row per decision
/// (`deals`), customer relationship (`customers`) or campaign and period (`campaigns`),
/// tagged with the replicate. Absent values (no winner, not ended) are -1.
pub fn event_logs(runs: &[Run]) -> [(&'static str, Vec<(&'static str, Column)>); 3] {
    fn whole<T>(rows: &[(usize, &T)], f: impl Fn(&T) -> i64) -> Column {
        Column::Whole(rows.iter().map(|(_, row)| f(row)).collect())
    }
    fn real<T>(rows: &[(usize, &T)], f: impl Fn(&T) -> f64) -> Column {
        Column::Real(rows.iter().map(|(_, row)| f(row)).collect())
    }
    fn replicate<T>(rows: &[(usize, &T)]) -> Column {
        Column::Whole(rows.iter().map(|(r, _)| *r as i64).collect())
    }
    let deals: Vec<(usize, &Deal)> = runs
        .iter()
        .enumerate()
        .flat_map(|(r, run)| run.deals.iter().map(move |d| (r, d)))
        .collect();
    let campaigns: Vec<(usize, &CampaignPeriod)> = runs
        .iter()
        .enumerate()
        .flat_map(|(r, run)| run.campaigns.iter().map(move |c| (r, c)))
        .collect();
    let customers: Vec<(usize, &Relationship)> = runs
        .iter()
        .enumerate()
        .flat_map(|(r, run)| run.customers.iter().map(move |c| (r, c)))
        .collect();
    [
        (
            "deals",
            vec![
                ("replicate", replicate(&deals)),
                ("period", whole(&deals, |d| i64::from(d.period))),
                ("company", whole(&deals, |d| i64::from(d.company))),
                (
                    "committee_size",
                    whole(&deals, |d| i64::from(d.committee_size)),
                ),
                ("employees", whole(&deals, |d| i64::from(d.employees))),
                ("brand", whole(&deals, |d| d.brand.map_or(-1, i64::from))),
                ("value", real(&deals, |d| d.value)),
            ],
        ),
        (
            "customers_log",
            vec![
                ("replicate", replicate(&customers)),
                ("company", whole(&customers, |c| i64::from(c.company))),
                ("brand", whole(&customers, |c| i64::from(c.brand))),
                ("start", whole(&customers, |c| i64::from(c.start))),
                ("end", whole(&customers, |c| c.end.map_or(-1, i64::from))),
                ("sales", whole(&customers, |c| i64::from(c.sales))),
                ("sale_value", real(&customers, |c| c.sale_value)),
                ("revenue", real(&customers, Relationship::revenue)),
            ],
        ),
        (
            "campaigns",
            vec![
                ("replicate", replicate(&campaigns)),
                ("period", whole(&campaigns, |c| i64::from(c.period))),
                ("brand", whole(&campaigns, |c| i64::from(c.brand))),
                ("campaign", whole(&campaigns, |c| i64::from(c.campaign))),
                (
                    "impressions",
                    whole(&campaigns, |c| i64::from(c.impressions)),
                ),
                ("spend", real(&campaigns, |c| c.spend.total())),
                ("media_spend", real(&campaigns, |c| c.spend.media)),
                ("data_spend", real(&campaigns, |c| c.spend.data)),
                ("creative_spend", real(&campaigns, |c| c.spend.creative)),
                ("unspent", real(&campaigns, |c| c.spend.unspent)),
            ],
        ),
    ]
}

/// Runs `plan`. With `parallel`, arms and replicates spread over the current rayon pool;
/// the results are identical either way. `cancel` is polled between periods.
pub fn run(plan: &Plan, parallel: bool, cancel: &dyn Interrupt) -> Result<Vec<Arm>> {
    plan.validate()?;
    let (periods, replicates) = (plan.periods as usize, plan.replicates as usize);
    let brands = plan.market.brands.count();
    // Per arm: whether it keeps the per-person exposure history behind the reach metrics.
    let reach: Vec<bool> = (0..plan.arms.len())
        .map(|a| {
            [
                M::PaidReach,
                M::Reach,
                M::ReachedEver,
                M::ReachedBeforeJoining,
                M::ReachedElsewhere,
            ]
            .iter()
            .any(|&m| plan.records(a, m as usize))
        })
        .collect();
    // One buffer per arm and recorded metric, [replicate, period, width].
    let mut buffers = (0..plan.arms.len())
        .map(|a| {
            METRICS
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    plan.records(a, i)
                        .then(|| try_zeroed(replicates * periods * m.width(brands), "metrics"))
                        .transpose()
                })
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    // Each replicate's slices of every arm's buffers: [replicate][arm] -> recorder.
    let mut slices: Vec<Vec<Recorder<'_>>> = (0..replicates).map(|_| Vec::new()).collect();
    for arm in &mut buffers {
        let mut chunks: Vec<_> = arm
            .iter_mut()
            .zip(METRICS)
            .map(|(b, m)| b.as_mut().map(|v| v.chunks_mut(periods * m.width(brands))))
            .collect();
        for per_replicate in &mut slices {
            let columns = chunks
                .iter_mut()
                .map(|c| c.as_mut().and_then(Iterator::next))
                .collect();
            per_replicate.push(Recorder::new(columns, brands));
        }
    }
    let one = |r: usize, arm: usize, start: Start, rec: &mut Recorder<'_>| -> Result<Run> {
        let strategies = &plan.arms[arm];
        let mut market = Replicate::new(
            &plan.market,
            strategies,
            plan.seed,
            r as u64,
            start,
            reach[arm],
        )?;
        market.warm_up(plan.market.start.warmup_weeks);
        let open_at_start = market.needs.open().len() as u32;
        for _ in 0..periods {
            if cancel.stop() {
                return Err(crate::Error::Interrupted);
            }
            market.step(rec);
            cancel.advanced();
        }
        Ok(Run {
            open_at_end: market.needs.open().len() as u32,
            open_at_start,
            deals: std::mem::take(&mut market.deals),
            campaigns: std::mem::take(&mut market.campaign_log),
            customers: market.customer_log().to_vec(),
        })
    };
    let replicate = |(r, mut recorders): (usize, Vec<Recorder<'_>>)| -> Result<Vec<Run>> {
        let start = Start::draw(
            &plan.market,
            plan.seed,
            r as u64,
            plan.network.as_ref(),
            cancel,
        )?;
        if parallel && recorders.len() > 1 {
            recorders
                .par_iter_mut()
                .enumerate()
                .map(|(a, rec)| one(r, a, start.clone(), rec))
                .collect()
        } else {
            let last = recorders.len() - 1;
            let mut start = Some(start);
            recorders
                .iter_mut()
                .enumerate()
                .map(|(a, rec)| {
                    // The last arm takes the start instead of a copy.
                    let s = if a == last {
                        start.take().expect("start")
                    } else {
                        start.as_ref().expect("start").clone()
                    };
                    one(r, a, s, rec)
                })
                .collect()
        }
    };
    let runs: Vec<Vec<Run>> = if parallel {
        slices
            .into_par_iter()
            .enumerate()
            .map(replicate)
            .collect::<Result<Vec<_>>>()
    } else {
        slices
            .into_iter()
            .enumerate()
            .map(replicate)
            .collect::<Result<Vec<_>>>()
    }?;
    // [replicate][arm] -> per arm.
    let mut per_arm: Vec<Vec<Run>> = plan.arms.iter().map(|_| Vec::new()).collect();
    for runs in runs {
        for (a, run) in runs.into_iter().enumerate() {
            per_arm[a].push(run);
        }
    }
    Ok(buffers
        .into_iter()
        .zip(per_arm)
        .map(|(series, runs)| Arm {
            series,
            runs,
            periods,
            brands,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use crate::market::MarketConfig;
    use crate::market::population::PopulationConfig;
    use crate::marketing::strategy::quantum;
    use crate::sim::record::Recording;
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

    fn dark(config: &MarketConfig, periods: u32, replicates: u32, seed: u64) -> Plan {
        Plan::single(config.clone(), vec![vec![]; 4], periods, replicates, seed)
    }

    #[test]
    fn replicates_do_not_depend_on_threads_or_order() {
        let go = AtomicBool::new(false);
        let mut plan = dark(&small(), 30, 4, 9);
        plan.arms = vec![
            vec![vec![quantum(500.0)], vec![], vec![], vec![]],
            vec![vec![]; 4],
        ];
        let serial = run(&plan, false, &go).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let parallel = pool.install(|| run(&plan, true, &go).unwrap());
        assert_eq!(serial, parallel);
        plan.replicates = 1;
        let alone = run(&plan, false, &go).unwrap();
        for m in [M::Movers, M::Wins, M::Hourglass] {
            let w = m.metric().width(4) * 30;
            let first = &serial[0].series[m as usize].as_ref().unwrap()[..w];
            assert_eq!(alone[0].series[m as usize].as_ref().unwrap(), first);
            let second = &serial[0].series[m as usize].as_ref().unwrap()[w..2 * w];
            assert_ne!(first, second);
        }
        assert_eq!(alone[0].runs[0], serial[0].runs[0]);
    }

    #[test]
    fn arms_face_the_same_market_and_equal_their_runs_alone() {
        let go = AtomicBool::new(false);
        let config = small();
        let a = vec![vec![quantum(800.0)], vec![], vec![], vec![]];
        let b = vec![vec![], vec![quantum(300.0)], vec![], vec![]];
        let mut both = dark(&config, 25, 2, 4);
        both.arms = vec![a.clone(), b.clone()];
        let both = run(&both, true, &go).unwrap();
        let alone_a = run(&Plan::single(config.clone(), a, 25, 2, 4), true, &go).unwrap();
        let alone_b = run(&Plan::single(config, b, 25, 2, 4), true, &go).unwrap();
        assert_eq!(both[0], alone_a[0]);
        assert_eq!(both[1], alone_b[0]);
        for m in [M::Movers, M::NeedsOpened, M::CareerChangedShare] {
            assert_eq!(both[0].series[m as usize], both[1].series[m as usize]);
        }
    }

    #[test]
    fn a_run_records_only_the_metrics_asked_for() {
        let go = AtomicBool::new(false);
        let mut plan = dark(&small(), 10, 1, 2);
        plan.arms = vec![vec![vec![quantum(500.0)], vec![], vec![], vec![]]];
        let all = run(&plan, false, &go).unwrap();
        let mut wanted = vec![false; METRICS.len()];
        wanted[M::Wins as usize] = true;
        wanted[M::Impressions as usize] = true;
        plan.metrics = Some(wanted);
        let some = run(&plan, false, &go).unwrap();
        assert_eq!(
            some[0].series[M::Wins as usize],
            all[0].series[M::Wins as usize]
        );
        assert!(some[0].series[M::Hourglass as usize].is_none());
        assert!(some[0].series[M::Reach as usize].is_none());
        assert_eq!(
            some[0].runs, all[0].runs,
            "measures do not change the market"
        );
    }

    #[test]
    fn an_arm_may_record_fewer_metrics_than_the_others() {
        let go = AtomicBool::new(false);
        let mut plan = dark(&small(), 10, 2, 2);
        plan.arms = vec![
            vec![vec![quantum(500.0)], vec![], vec![], vec![]],
            vec![vec![quantum(900.0)], vec![], vec![], vec![]],
        ];
        let all = run(&plan, true, &go).unwrap();
        let mut wanted = vec![false; METRICS.len()];
        wanted[M::Spend as usize] = true;
        wanted[M::Revenue as usize] = true;
        plan.arm_metrics = vec![None, Some(wanted)];
        let some = run(&plan, true, &go).unwrap();
        assert_eq!(
            some[0], all[0],
            "the other arm records everything, as before"
        );
        for m in [M::Spend, M::Revenue] {
            assert_eq!(some[1].series[m as usize], all[1].series[m as usize]);
        }
        assert!(some[1].series[M::Hourglass as usize].is_none());
        assert!(some[1].series[M::Reach as usize].is_none());
        assert_eq!(
            some[1].runs, all[1].runs,
            "measures do not change the market"
        );
        plan.arm_metrics = vec![None, None, None];
        assert!(run(&plan, true, &go).is_err(), "more selections than arms");
    }

    #[test]
    fn the_default_market_meets_both_calibration_facts() {
        let go = AtomicBool::new(false);
        let arm = &run(&dark(&small(), 208, 2, 1), true, &go).unwrap()[0];
        for r in 0..2 {
            let changed = arm.at(M::CareerChangedShare, r, 208, 0);
            assert!(
                (changed - 0.40).abs() < 0.02,
                "career changed after 208 weeks: {changed}"
            );
            let in_market = (1..=208)
                .map(|t| arm.at(M::InMarketShare, r, t, 0))
                .sum::<f64>()
                / 208.0;
            assert!(
                (in_market - 0.05).abs() < 0.01,
                "mean in-market share: {in_market}"
            );
            assert!((1..208).all(|t| arm.at(M::CareerChangedShare, r, t, 0)
                <= arm.at(M::CareerChangedShare, r, t + 1, 0)));
        }
    }

    #[test]
    fn committees_follow_needs_and_members_work_there() {
        let config = small();
        let start = Start::draw(&config, 4, 0, None, &crate::control::Never).unwrap();
        let mut market = Replicate::new(
            &config,
            &[vec![], vec![], vec![], vec![]],
            4,
            0,
            start,
            true,
        )
        .unwrap();
        let mut rec = Recording::new(60, 4, None);
        let mut sizes = Vec::new();
        for t in 1..=60 {
            market.step(&mut rec.recorder(t));
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
            assert_eq!(
                rec.get(M::CommitteesOpen, t, 0) as usize,
                market.needs.open().len()
            );
            sizes.push(rec.get(M::CommitteeSizeMean, t, 0));
        }
        let mean = sizes.iter().sum::<f64>() / sizes.len() as f64;
        assert!((2.0..=12.0).contains(&mean), "mean committee size {mean}");
    }

    #[test]
    fn every_need_ends_exactly_once_and_money_adds_up() {
        let go = AtomicBool::new(false);
        let arm = &run(&dark(&small(), 156, 2, 3), true, &go).unwrap()[0];
        for (r, run) in arm.runs.iter().enumerate() {
            let sum = |m: M| (1..=156).map(|t| arm.at(m, r, t, 0)).sum::<f64>() as u32;
            let brand_sum = |m: M| {
                (1..=156)
                    .flat_map(|t| (0..4).map(move |b| (t, b)))
                    .map(|(t, b)| arm.at(m, r, t, b))
                    .sum::<f64>()
            };
            let opened = run.open_at_start + sum(M::NeedsOpened);
            let closed = sum(M::Decisions) + sum(M::Abandoned);
            assert_eq!(opened, closed + run.open_at_end, "needs are conserved");
            let wins = brand_sum(M::Wins) as u32;
            assert_eq!(sum(M::Decisions), wins + sum(M::NoDecisions));
            assert_eq!(run.deals.len() as u32, sum(M::Decisions));
            assert_eq!(
                run.deals.iter().filter(|d| d.brand.is_some()).count() as u32,
                wins
            );
            assert!(wins > 0 && sum(M::NoDecisions) > 0);
            assert!(
                run.deals.iter().all(|d| d.committee_size > 0),
                "nobody decides alone-less"
            );
            let revenue = brand_sum(M::Revenue);
            let logged: f64 = run.customers.iter().map(|c| c.revenue()).sum();
            assert!(revenue > 0.0);
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
        assert!(run(&dark(&small(), 1, 0, 1), false, &go).is_err());
        let mut bad = small();
        bad.needs.in_market_share = 2.0;
        assert!(matches!(
            run(&dark(&bad, 1, 1, 1), false, &go),
            Err(Error::OutOfRange {
                name: "in_market_share",
                ..
            })
        ));
        let mut none = dark(&small(), 1, 1, 1);
        none.arms.clear();
        assert!(run(&none, false, &go).is_err());
        let stop = AtomicBool::new(true);
        assert_eq!(
            run(&dark(&small(), 5, 2, 1), true, &stop),
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
            let start = Start::draw(&config, seed, 0, None, &crate::control::Never).unwrap();
            let mut market = Replicate::new(&config, &[vec![], vec![], vec![], vec![]], seed, 0, start, true).unwrap();
            let mut rec = Recording::new(40, 4, None);
            for t in 1..=40 {
                market.step(&mut rec.recorder(t));
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
