//! Shared set-up for the benchmarks: a synthetic population in columns.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use riskgrade::synth::{SynthConfig, generate};
use riskgrade::{Date, Frame, ModelSet};

/// The as-of date every benchmark grades at.
pub const AS_OF: &str = "2026-11-01";

/// Number of enterprises: `RISKGRADE_BENCH_N`, default 1,000,000.
pub fn bench_n() -> usize {
    std::env::var("RISKGRADE_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}

/// The general reference model alone (every enterprise graded by it).
///
/// # Panics
/// If the embedded model were invalid, which the tests rule out.
pub fn general() -> ModelSet {
    ModelSet::from_toml_str(riskgrade::examples::GENERAL).expect("the embedded general model loads")
}

/// `n` synthetic enterprises with their features derived as columns for `set`.
///
/// # Panics
/// Never for the constant date.
pub fn population(set: &ModelSet, n: usize) -> (Frame, Date) {
    let as_of: Date = AS_OF.parse().expect("a valid date");
    let synth = generate(&SynthConfig::new(n, 42, as_of));
    let frame = Frame::from_profiles(
        &synth.enterprises,
        set.schema(),
        as_of,
        set.effect_periods(),
    );
    // Columnar input, as from Parquet: no derivation date attached.
    let columns = frame
        .columns()
        .map(|(n, t, c)| (n.to_string(), t, c.clone(), Vec::new()))
        .collect();
    let identity = riskgrade::Identity {
        ids: frame.ids().to_vec(),
        names: frame.names().to_vec(),
        industries: frame.industries().to_vec(),
        districts: frame.districts().to_vec(),
    };
    (
        Frame::from_parts(identity, columns, Vec::new(), None),
        as_of,
    )
}

/// Bytes held by the frame's columns (the "input size" of the memory target):
/// the identity columns (ids, names, industries, districts: text plus a
/// 24-byte string header each) and every input column.
pub fn input_bytes(frame: &Frame) -> usize {
    let text = |v: &[String]| v.iter().map(|s| s.len() + 24).sum::<usize>();
    text(frame.ids())
        + text(frame.names())
        + text(frame.industries())
        + text(frame.districts())
        + frame
            .columns()
            .map(|(_, _, c)| match c {
                riskgrade::Column::Number(v) => v.len() * 8,
                riskgrade::Column::Category { codes, dict } => {
                    codes.len() * 4 + dict.iter().map(String::len).sum::<usize>()
                }
            })
            .sum::<usize>()
}

/// Peak resident memory of this process in bytes (Linux `VmHWM`), if known.
pub fn peak_rss() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
