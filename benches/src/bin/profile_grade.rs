//! Grades the same 1M-row frame many times, for a profiler: `perf record --delay MS`.
//! `--reasons` adds the top reasons; `--rules` grades with the reference set and its rules.
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::time::Instant;

use riskgrade::{Grader, Options};

#[global_allocator]
static GLOBAL: riskgrade_alloc::MiMalloc = riskgrade_alloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    riskgrade_alloc::hold_freed_memory();
    let reasons = std::env::args().any(|a| a == "--reasons");
    let rules = std::env::args().any(|a| a == "--rules");
    let set = Arc::new(if rules {
        riskgrade::examples::reference()?
    } else {
        riskgrade_benches::general()
    });
    let (frame, as_of) = riskgrade_benches::population(&set, riskgrade_benches::bench_n());
    let grader = Grader::new(set);
    eprintln!("ready");
    let mut times = Vec::new();
    let runs = if rules { 12 } else { 80 };
    for _ in 0..runs {
        let t = Instant::now();
        let g = grader.grade(&frame, as_of, &Options::default().reasons(reasons))?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        drop(g);
    }
    times.sort_by(f64::total_cmp);
    eprintln!(
        "median {:.1} ms, min {:.1} ms",
        times[times.len() / 2],
        times[0]
    );
    Ok(())
}
