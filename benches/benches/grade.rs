//! criterion: grade synthetic enterprises from columns, with the general
//! reference model alone and with the reference set (general + food models and
//! the reference rules).
//!
//! `cargo bench -p riskgrade-benches` (1M enterprises; `RISKGRADE_BENCH_N` to change).

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use riskgrade::{Grader, Options};

#[global_allocator]
static GLOBAL: riskgrade_alloc::MiMalloc = riskgrade_alloc::MiMalloc;
use riskgrade_benches::{bench_n, general, population};

fn grading(c: &mut Criterion) {
    let set = Arc::new(general());
    let reference =
        Arc::new(riskgrade::examples::reference().expect("the embedded reference set loads"));
    let n = bench_n();
    // One frame for every benchmark, with the reference set's inputs (the
    // general model's and the food model's): the general model reads its own.
    let (frame, as_of) = population(&reference, n);
    let grader = Grader::new(Arc::clone(&set));
    let with_set = Grader::new(Arc::clone(&reference));
    // The rules must run cleanly on this frame, or `with_rules` would time failures.
    let check = with_set
        .grade(&frame, as_of, &Options::default())
        .expect("the reference set grades the frame");
    assert!(
        !check.rule_stats().is_empty() && check.rule_stats().iter().all(|s| s.errors == 0),
        "the reference rules ran without errors"
    );
    drop(check);
    let mut g = c.benchmark_group("grade");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(20);
    // The indicator stage: the general model's 72 indicators scored, weighted, summed and classed; no reasons.
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
    // The reference set end to end on columns: routing (general, or food for
    // C13–C15 with the general score as a component), scores, classes, the
    // top 3 reasons, and the reference rules (vetoes, floors and caps,
    // adjustments, promotions, labels, routed alerts).
    g.bench_function("with_rules", |b| {
        b.iter(|| {
            black_box(
                with_set
                    .grade(&frame, as_of, &Options::default().rules(true))
                    .map(|r| r.len()),
            )
        })
    });
    // The same with every rule's script run by the interpreter, none compiled
    // (as every rule ran before plans): the cost the compiled rules save.
    g.bench_function("with_rules_interpreted", |b| {
        b.iter(|| {
            black_box(
                with_set
                    .grade(&frame, as_of, &Options::default().compiled_rules(false))
                    .map(|r| r.len()),
            )
        })
    });
    // The same without the rules, for comparison.
    g.bench_function("reference_no_rules", |b| {
        b.iter(|| {
            black_box(
                with_set
                    .grade(&frame, as_of, &Options::default().rules(false))
                    .map(|r| r.len()),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, grading);
criterion_main!(benches);
