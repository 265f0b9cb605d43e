//! One month at regional scale: Parquet in, graded with the reference set's
//! models and rules, stored in the SQLite history store, changes explained.
//!
//! `month_store [N]` (default 2,000,000, Beijing's count of enterprises) times
//! two consecutive months, 2026-10 and 2026-11, each read from its own Parquet
//! file of derived columns into a fresh store file, and prints one JSON object
//! per month: milliseconds to read the file, to grade (rules and reasons
//! included), to store (result rows, the comparison with the previous month
//! and the change notes), the total, and the process's peak memory; then the
//! store's size on disk.
//!
//! The two files come from one synthetic population evolved by a month; they
//! are made once (in a child process, so their memory does not count) and
//! kept in `target/bench-data/`.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use riskgrade::Month;
use riskgrade::store::Store;
use riskgrade::synth::{SynthConfig, evolve, generate};
use riskgrade::{Frame, MonthInput, Options, run_month};
use riskgrade_benches::peak_rss;

#[global_allocator]
static GLOBAL: riskgrade_alloc::MiMalloc = riskgrade_alloc::MiMalloc;

fn data_dir() -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target").to_string());
    Path::new(&target).join("bench-data")
}

fn file(n: usize, period: Month) -> PathBuf {
    data_dir().join(format!("month-{n}-{period}.parquet"))
}

fn months() -> [Month; 2] {
    [
        "2026-10".parse().expect("month"),
        "2026-11".parse().expect("month"),
    ]
}

/// Writes the two months' derived columns.
fn prepare(n: usize) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(data_dir())?;
    let set = riskgrade::examples::reference()?;
    let [a, b] = months();
    let mut synth = generate(&SynthConfig::new(n, 42, a.last_day()));
    for (k, p) in [a, b].into_iter().enumerate() {
        if k == 1 {
            evolve(&mut synth, a.last_day(), b.last_day(), 42);
        }
        let frame = Frame::from_profiles(
            &synth.enterprises,
            set.schema(),
            p.last_day(),
            set.effect_periods(),
        );
        riskgrade::io::write_table(&file(n, p), &riskgrade::io::frame_to_columns(&frame))?;
        eprintln!("wrote {}", file(n, p).display());
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("prepare") {
        let n = args.get(2).map_or(Ok(2_000_000), |s| s.parse())?;
        return prepare(n);
    }
    let n: usize = args.get(1).map_or(Ok(2_000_000), |s| s.parse())?;
    if months().iter().any(|&p| !file(n, p).exists()) {
        let status = std::process::Command::new(std::env::current_exe()?)
            .args(["prepare", &n.to_string()])
            .status()?;
        if !status.success() {
            return Err("preparing the data failed".into());
        }
    }
    let set = Arc::new(riskgrade::examples::reference()?);
    let db = data_dir().join(format!("month-{n}.db"));
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
    let mut store = Store::open(&db)?;
    for p in months() {
        let t = Instant::now();
        let frame = riskgrade::io::read_frame(&file(n, p), set.schema())?;
        let read_ms = t.elapsed().as_secs_f64() * 1e3;
        let report = run_month(
            &mut store,
            &set,
            MonthInput::Frame(&frame),
            p,
            p.last_day(),
            &Options::default(),
        )?;
        let total_ms = t.elapsed().as_secs_f64() * 1e3;
        println!(
            "{}",
            serde_json::json!({
                "period": p.to_string(),
                "enterprises": report.run.enterprises,
                "graded": report.run.graded,
                "read_ms": read_ms.round(),
                "grade_ms": (report.timings.0.as_secs_f64() * 1e3).round(),
                "store_ms": (report.timings.1.as_secs_f64() * 1e3).round(),
                "total_ms": total_ms.round(),
                "riskier": report.riskier,
                "less_risky": report.less_risky,
                "notes": report.notes,
                "peak_rss_mb": peak_rss().map(|b| b / (1 << 20)),
            })
        );
    }
    drop(store);
    let size: u64 = ["", "-wal"]
        .iter()
        .filter_map(|ext| std::fs::metadata(format!("{}{ext}", db.display())).ok())
        .map(|m| m.len())
        .sum();
    println!(
        "{}",
        serde_json::json!({ "store_file": db.display().to_string(), "store_mb": size / (1 << 20) })
    );
    Ok(())
}
