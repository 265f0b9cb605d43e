//! criterion: setting weights on a graded batch — the indicators of every enterprise, entropy
//! and CRITIC weights over them, and the logistic calibration on a tenth of them as inspections.
//!
//! `cargo bench -p riskgrade-benches --bench calibrate` (1M enterprises; `RISKGRADE_BENCH_N`
//! to change).

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use riskgrade::calibrate::{
    self as cal, FitOptions, Indicators, ObjectiveMethod, ObjectiveOptions,
};
use riskgrade::rng::unit;
use riskgrade::{Grader, Options};

#[global_allocator]
static GLOBAL: riskgrade_alloc::MiMalloc = riskgrade_alloc::MiMalloc;
use riskgrade_benches::{bench_n, general, population};

fn calibration(c: &mut Criterion) {
    let set = Arc::new(general());
    let n = bench_n();
    let (frame, as_of) = population(&set, n);
    let grades = Grader::new(Arc::clone(&set))
        .grade(&frame, as_of, &Options::default().reasons(false))
        .expect("the general model grades the frame");
    let ind = Indicators::from_grades(&grades, &frame, "general").expect("the general model");
    // Inspections of every tenth enterprise; problems drawn from weights unlike the model's.
    let k = ind.paths.len();
    let outcomes: Vec<(String, bool)> = (0..ind.len())
        .step_by(10)
        .map(|r| {
            let s: f64 = (0..k)
                .map(|l| ind.points[l][r] * (1.0 + (l % 5) as f64) / (3.0 * k as f64))
                .sum();
            let p = 1.0 / (1.0 + (-(-3.0 + s / 50.0)).exp());
            (ind.ids[r].clone(), unit(0, r as u64) < p)
        })
        .collect();

    let mut g = c.benchmark_group("calibrate");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("indicators", |b| {
        b.iter(|| {
            black_box(
                Indicators::from_grades(&grades, &frame, "general")
                    .map(|i| i.len())
                    .ok(),
            )
        })
    });
    for method in [ObjectiveMethod::Entropy, ObjectiveMethod::Critic] {
        g.bench_function(method.name(), |b| {
            b.iter(|| {
                black_box(
                    cal::objective(&set, &ind, method, &ObjectiveOptions::default())
                        .map(|o| o.leaves.len())
                        .ok(),
                )
            })
        });
    }
    g.throughput(Throughput::Elements(outcomes.len() as u64));
    g.bench_function("logistic_on_outcomes", |b| {
        b.iter(|| {
            black_box(
                cal::fit_outcomes(&set, &ind, &outcomes, &FitOptions::default())
                    .map(|f| f.fitted_on)
                    .ok(),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, calibration);
criterion_main!(benches);
