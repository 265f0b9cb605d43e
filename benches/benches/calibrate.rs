//! criterion: setting weights on a graded batch — the indicators of every enterprise, entropy
//! and CRITIC weights over them, and the logistic calibration on a tenth of them as inspections.
//!
//! `cargo bench -p riskgrade-benches --bench calibrate` (1M enterprises; `RISKGRADE_BENCH_N`
//! to change).

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use riskgrade::calibrate::{self as cal, FitOptions, Indicators, Method, ObjectiveOptions};
use riskgrade::{Grader, Options};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use riskgrade_benches::{bench_n, general, population};

/// A number in [0, 1) from a counter (SplitMix64).
fn uniform(i: u64) -> f64 {
    let mut z = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

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
            (ind.ids[r].clone(), uniform(r as u64) < p)
        })
        .collect();

    let mut g = c.benchmark_group("calibrate");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("indicators", |b| {
        b.iter(|| black_box(Indicators::from_grades(&grades, &frame, "general").map(|i| i.len())))
    });
    for method in [Method::Entropy, Method::Critic] {
        g.bench_function(method.name(), |b| {
            b.iter(|| {
                black_box(
                    cal::objective(&set, &ind, method, &ObjectiveOptions::default())
                        .map(|o| o.leaves.len()),
                )
            })
        });
    }
    g.throughput(Throughput::Elements(outcomes.len() as u64));
    g.bench_function("logistic_on_outcomes", |b| {
        b.iter(|| {
            black_box(
                cal::fit_outcomes(&set, &ind, &outcomes, &FitOptions::default())
                    .map(|f| f.fitted_on),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, calibration);
criterion_main!(benches);
