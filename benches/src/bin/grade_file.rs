//! Times riskgrade on a columnar file, for the peer scripts in `benches/`.
//!
//! `grade_file MODEL DATA AS_OF [REPEATS]` prints one JSON object: the median
//! milliseconds of the indicator stage and of grading with reasons, the peak
//! memory, the input columns' size, and the score of every row (for the
//! peer's equivalence check, when `RISKGRADE_SCORES_OUT` names a file).
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::time::Instant;

use riskgrade::{Grader, ModelSet, Options};
use riskgrade_benches::{input_bytes, peak_rss};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        return Err("usage: grade_file MODEL DATA AS_OF [REPEATS]".into());
    }
    let set = Arc::new(ModelSet::from_file(&args[1])?);
    let as_of = args[3].parse()?;
    let repeats: usize = args.get(4).map_or(Ok(7), |s| s.parse())?;
    let t = Instant::now();
    let frame = riskgrade::io::read_frame(std::path::Path::new(&args[2]), set.schema())?;
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    let rss_after_load = peak_rss();
    let grader = Grader::new(Arc::clone(&set));
    let mut stage = Vec::new();
    let mut full = Vec::new();
    let mut last = None;
    for _ in 0..repeats {
        let t = Instant::now();
        let g = grader.grade(&frame, as_of, &Options::default().reasons(false))?;
        stage.push(t.elapsed().as_secs_f64() * 1e3);
        drop(g);
        let t = Instant::now();
        let g = grader.grade(&frame, as_of, &Options::default())?;
        full.push(t.elapsed().as_secs_f64() * 1e3);
        last = Some(g);
    }
    if let (Some(g), Ok(path)) = (&last, std::env::var("RISKGRADE_SCORES_OUT")) {
        let text: String = g.scores().iter().map(|s| format!("{s}\n")).collect();
        std::fs::write(path, text)?;
    }
    let out = serde_json::json!({
        "rows": frame.len(),
        "threads": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "load_ms": load_ms,
        "indicator_stage_ms": median(stage),
        "with_reasons_ms": median(full),
        "input_bytes": input_bytes(&frame),
        "peak_rss_after_load": rss_after_load,
        "peak_rss": peak_rss(),
    });
    println!("{out}");
    Ok(())
}
