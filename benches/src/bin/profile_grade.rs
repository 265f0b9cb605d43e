//! Grades the same 1M-row frame many times, for a profiler: `perf record --delay MS`.
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::time::Instant;

use riskgrade::{Grader, Options};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let reasons = std::env::args().any(|a| a == "--reasons");
    let set = Arc::new(riskgrade_benches::general());
    let (frame, as_of) = riskgrade_benches::population(&set, riskgrade_benches::bench_n());
    let grader = Grader::new(set);
    eprintln!("ready");
    let mut times = Vec::new();
    for _ in 0..80 {
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
