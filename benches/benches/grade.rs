//! criterion: grade synthetic enterprises with the general reference model from columns.
//!
//! `cargo bench -p riskgrade-benches` (1M enterprises; `RISKGRADE_BENCH_N` to change).

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use riskgrade::{Grader, Options};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use riskgrade_benches::{bench_n, general, population};

fn grading(c: &mut Criterion) {
    let set = Arc::new(general());
    let n = bench_n();
    let (frame, as_of) = population(&set, n);
    let grader = Grader::new(Arc::clone(&set));
    let mut g = c.benchmark_group("grade");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(20);
    // The indicator stage: 40 indicators scored, weighted, summed and classed; no reasons.
    g.bench_function("indicator_stage", |b| {
        b.iter(|| {
            black_box(
                grader
                    .grade(&frame, as_of, &Options::default().reasons(false))
                    .map(|r| r.len()),
            )
        })
    });
    // End to end on columns: scores, classes, dimension points and the top 3 reasons.
    g.bench_function("with_reasons", |b| {
        b.iter(|| {
            black_box(
                grader
                    .grade(&frame, as_of, &Options::default())
                    .map(|r| r.len()),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, grading);
criterion_main!(benches);
