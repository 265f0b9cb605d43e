//! `riskgrade._riskgrade`: the native module behind the `riskgrade` Python package.
//!
//! The Python package (`python/riskgrade/__init__.py`) is the public, typed
//! API; this module is private. Batches arrive as Arrow streams (the Arrow
//! PyCapsule interface, through pyo3-arrow, without copying) or as profile
//! JSON — one entry per operation takes either ([`input::Batch`]) — are graded
//! on a worker thread with the GIL released, and come back as a
//! `pyarrow.Table`. Ctrl-C stops a long batch. Every Rust error becomes an
//! exception of the `RiskgradeError` tree with its structured attributes
//! ([`errors`]), and a panic becomes an `EvaluationError`, never a crash.
//!
//! Modules: `input` (batches, settings, outcomes, the worker thread), `grade`
//! (the `Model` class: load, describe, classify, explain, rule tests), `check` (the columns a
//! batch must carry, and a dry run of them),
//! `describe` (the JSON the package reads), `explain` (several enterprises from one grading),
//! `progress` (the worker thread, Ctrl-C and progress callbacks), `compare`, `calibrate`, `store` (the history store as Arrow tables, and the cycle's writing
//! calls), `cycle` (draws, tasks, outcomes and verification for `store`), `errors`.
// pyo3's macros expand to FFI glue that uses `unsafe`; this crate has no unsafe code of its own.
#![allow(unsafe_code)]

/// Rust's allocations (frames, grades, the results' Arrow buffers, freed by their release
/// callbacks here) come from mimalloc, which holds freed memory for ten seconds
/// ([`riskgrade_alloc::hold_freed_memory`], called when the module loads): a batch's buffers
/// of millions of rows are reused by the next call rather than mapped and zeroed afresh.
/// Python's own objects keep its allocator.
#[global_allocator]
static GLOBAL: riskgrade_alloc::MiMalloc = riskgrade_alloc::MiMalloc;

mod calibrate;
mod check;
mod compare;
mod cycle;
mod describe;
mod errors;
mod explain;
mod grade;
mod input;
mod progress;
mod routed;
mod store;
mod stream;

use std::sync::Arc;

use pyo3::prelude::*;
use riskgrade::io::{OutColumn, OutData};
use riskgrade::synth::{SynthConfig, generate};

use errors::{
    DataError, EvaluationError, ModelError, RiskgradeError, RuleCompileError, io_err, model_err,
};
use grade::PyModel;
use input::{detached, parse_date, to_pyarrow};

/// A synthetic population as of a date: the model's input columns (with the
/// hidden true propensity and segment), or profiles as JSON Lines.
#[pyfunction]
#[pyo3(signature = (n, *, seed=42, as_of="2026-11-01", model=None, profiles=false))]
fn synthesize(
    py: Python<'_>,
    n: usize,
    seed: u64,
    as_of: &str,
    model: Option<&PyModel>,
    profiles: bool,
) -> PyResult<Py<PyAny>> {
    let as_of = parse_date(as_of)?;
    let set = match model {
        Some(m) => Arc::clone(&m.set),
        None => Arc::new(riskgrade::examples::reference().map_err(|e| model_err(&e))?),
    };
    if profiles {
        let text = detached(py, |_| {
            let synth = generate(&SynthConfig::new(n, seed, as_of));
            let mut out = String::new();
            for e in &synth.enterprises {
                out.push_str(&serde_json::to_string(e).unwrap_or_default());
                out.push('\n');
            }
            Ok(out)
        })?;
        return Ok(text.into_pyobject(py)?.into_any().unbind());
    }
    let batch = detached(py, |_| {
        let synth = generate(&SynthConfig::new(n, seed, as_of));
        let frame = set.frame_of(&synth.enterprises, as_of);
        let mut cols = riskgrade::io::frame_to_columns(&frame);
        cols.push(OutColumn::new(
            "true_propensity",
            OutData::Number(synth.truth.iter().map(|t| Some(t.propensity)).collect()),
        ));
        cols.push(OutColumn::new(
            "true_segment",
            OutData::Text(
                synth
                    .truth
                    .iter()
                    .map(|t| Some(t.segment.to_string()))
                    .collect(),
            ),
        ));
        riskgrade::io::table_to_batch(&cols).map_err(|e| io_err(&e))
    })?;
    to_pyarrow(py, batch)
}

/// The native module.
#[pymodule]
fn _riskgrade(m: &Bound<'_, PyModule>) -> PyResult<()> {
    riskgrade_alloc::hold_freed_memory();
    let py = m.py();
    m.add_class::<PyModel>()?;
    m.add_class::<store::PyStore>()?;
    m.add_class::<stream::GradedStream>()?;
    m.add_function(wrap_pyfunction!(check::check, m)?)?;
    m.add_function(wrap_pyfunction!(compare::compare, m)?)?;
    m.add_function(wrap_pyfunction!(explain::explain_many, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate::calibrate, m)?)?;
    m.add_function(wrap_pyfunction!(synthesize, m)?)?;
    m.add("RiskgradeError", py.get_type::<RiskgradeError>())?;
    m.add("ModelError", py.get_type::<ModelError>())?;
    m.add("RuleCompileError", py.get_type::<RuleCompileError>())?;
    m.add("DataError", py.get_type::<DataError>())?;
    m.add("EvaluationError", py.get_type::<EvaluationError>())?;
    errors::declare_attributes(py)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
