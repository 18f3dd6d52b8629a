//! Criterion benchmarks of the engine's hot paths, for before/after comparisons of a change:
//! independent cascades on a Barabási–Albert graph, and one period of the full market (four
//! advertising brands, sharing and referrals on) at 100k and 1M people.
//!
//! `cargo bench --bench engine` (add `-- period` or `-- cascade` to pick one group). Building
//! a 1M-person market takes seconds and is done once, outside the timed loop.

use buyernet::control::Never;
use buyernet::graph::cascade::{Seeds, Transmission, cascade_sizes};
use buyernet::graph::generators::barabasi_albert;
use buyernet::market::MarketConfig;
use buyernet::marketing::strategy::{Creative, Strategy, Targeting, Timing, Unit};
use buyernet::sim::record::Recording;
use buyernet::sim::replicate::{Replicate, Start};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::time::{Duration, Instant};

fn cascades(c: &mut Criterion) {
    let mut group = c.benchmark_group("cascade");
    group.sample_size(10);
    for n in [100_000u64, 1_000_000] {
        let graph = barabasi_albert(n, 10, 1).expect("graph");
        let p = Transmission::uniform(0.05).expect("p");
        group.bench_with_input(BenchmarkId::new("sizes_100_runs", n), &n, |b, _| {
            b.iter(|| {
                cascade_sizes(&graph, &Seeds::Random(10), p, 100, 7, false, &Never).expect("run")
            })
        });
    }
    group.finish();
}

/// Four brands, every targeting family and timing, each buying 5% of people a week.
fn strategies(people: u32) -> Vec<Vec<Strategy>> {
    let budget = f64::from(people) * 0.05;
    let quantum = Strategy {
        name: String::new(),
        budget,
        unit: Unit::Impressions,
        brand_share: 0.6,
        targeting: Targeting::Broad { min_influence: 0.0 },
        creative: Creative::universal(),
        timing: Timing::AlwaysOn,
    };
    let planetary = Strategy {
        brand_share: 0.2,
        targeting: Targeting::Narrow {
            functions: vec![2, 3, 6, 7],
            min_level: 2,
            accounts: vec![],
        },
        creative: Creative::personalized(),
        timing: Timing::Triggered { window: 4 },
        ..quantum.clone()
    };
    let scored = Strategy {
        targeting: Targeting::Scored {
            top_share: 0.2,
            people: false,
        },
        timing: Timing::Flighted { on: 4, off: 4 },
        ..quantum.clone()
    };
    let brand = Strategy {
        brand_share: 1.0,
        ..quantum.clone()
    };
    vec![vec![quantum], vec![planetary], vec![scored], vec![brand]]
}

fn period(c: &mut Criterion) {
    let mut group = c.benchmark_group("period");
    group.sample_size(10);
    for people in [100_000u32, 1_000_000] {
        let mut config = MarketConfig::default();
        config.population.people = people;
        config.population.companies = people / 20;
        config.referrals.refer_weekly = 0.01;
        let plan = strategies(people);
        let start = Start::draw(&config, 1, 0, None, &Never).expect("start");
        let mut market = Replicate::new(&config, &plan, 1, 0, start, true).expect("market");
        // Past the first weeks, so audiences, memory and customers are in their working state.
        let mut warm = Recording::new(8, 4, None);
        for t in 1..=8 {
            market.step(&mut warm.recorder(t));
        }
        group.bench_with_input(BenchmarkId::new("step", people), &people, |b, _| {
            b.iter_custom(|iters| {
                let mut rec = Recording::new(iters as usize, 4, None);
                let mut recorder = rec.recorder(1);
                let start = Instant::now();
                for _ in 0..iters {
                    market.step(&mut recorder);
                }
                start.elapsed()
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = engine;
    config = Criterion::default().warm_up_time(Duration::from_secs(1));
    targets = cascades, period
}
criterion_main!(engine);
