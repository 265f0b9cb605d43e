//! The Rust side of `benches/python_overhead.py`: the work `Model.classify`
//! does for a pyarrow Table, done from Rust on the same Arrow batches.
//!
//! `rust_batch MODEL DATA AS_OF [REPEATS] [--no-rules] [--no-reasons]` reads the Parquet file into Arrow
//! record batches once (not timed), then times, per repeat: Arrow batches →
//! frame, grading with the default options (rules, top reasons), the results
//! table, and the results as one Arrow record batch. Prints one JSON object
//! with the medians, in all and per stage.
#![forbid(unsafe_code)]

use std::fs::File;
use std::sync::Arc;
use std::time::Instant;

use arrow_array::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use riskgrade::{Grader, ModelSet, Options, ResultColumns};

#[global_allocator]
static GLOBAL: riskgrade_alloc::MiMalloc = riskgrade_alloc::MiMalloc;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    riskgrade_alloc::hold_freed_memory();
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        return Err("usage: rust_batch MODEL DATA AS_OF [REPEATS]".into());
    }
    let set = Arc::new(ModelSet::from_file(&args[1])?);
    let as_of = args[3].parse()?;
    let repeats: usize = args.get(4).map_or(Ok(5), |s| s.parse())?;
    let batches: Vec<RecordBatch> =
        ParquetRecordBatchReaderBuilder::try_new(File::open(&args[2])?)?
            .with_batch_size(64 * 1024)
            .build()?
            .collect::<Result<_, _>>()?;
    let grader = Grader::new(Arc::clone(&set));
    let flag = |name: &str| args.iter().skip(5).any(|a| a == name);
    let options = Options::default()
        .rules(!flag("--no-rules"))
        .reasons(!flag("--no-reasons"));
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
    let (mut total, mut frame_ms, mut grade, mut table_ms, mut batch_ms, mut rows) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        0,
    );
    for _ in 0..repeats {
        let t = Instant::now();
        let frame = riskgrade::io::frame_from_batches(&batches, set.schema())?;
        frame_ms.push(ms(t));
        let g0 = Instant::now();
        let grades = grader.grade(&frame, as_of, &options)?;
        grade.push(ms(g0));
        let t0 = Instant::now();
        let cols = riskgrade::results_table(&grades, &frame, ResultColumns::default());
        table_ms.push(ms(t0));
        let b0 = Instant::now();
        let out = riskgrade::io::table_to_batch(&cols)?;
        batch_ms.push(ms(b0));
        total.push(ms(t));
        rows = out.num_rows();
    }
    println!(
        "{}",
        serde_json::json!({
            "rows": rows,
            "threads": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            "end_to_end_ms": median(total),
            "frame_ms": median(frame_ms),
            "grade_ms": median(grade),
            "table_ms": median(table_ms),
            "batch_ms": median(batch_ms),
        })
    );
    Ok(())
}
