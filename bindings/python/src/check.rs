//! A dry run that reports every column problem of a batch at once: the columns a batch must
//! carry are those of [`crate::routed`].

use std::collections::BTreeSet;
use std::sync::Arc;

use arrow_array::{ArrayRef, NullArray, RecordBatch};
use arrow_schema::{DataType, Field, Schema as ArrowSchema};
use pyo3::prelude::*;
use riskgrade::{ModelSet, Schema};
use serde_json::{Value, json};

use crate::errors::data_error;
use crate::grade::PyModel;
use crate::input::{Batch, Loaded, detached};
use crate::routed::{needed_inputs, routed_models};

/// The identity columns a batch may carry beside the inputs.
const IDENTITY: [&str; 4] = ["id", "industry", "name", "district"];

/// The column problems of `batches` for `set`, as JSON: the models routed to, the missing,
/// extra and mistyped columns.
fn report(set: &ModelSet, batches: &[RecordBatch]) -> Value {
    let routed = routed_models(set, batches);
    let needed = needed_inputs(set, &routed);
    let present: Vec<String> = batches
        .first()
        .map(|b| {
            b.schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect()
        })
        .unwrap_or_default();
    let has = |c: &str| present.iter().any(|p| p == c);
    let mut missing: Vec<Value> = IDENTITY[..2]
        .iter()
        .filter(|c| !has(c))
        .map(|c| json!({"column": c, "type": "text"}))
        .collect();
    let mut mistyped = Vec::new();
    for (name, spec) in set.schema().inputs() {
        let column = spec.column_name(name);
        if !has(column) {
            if needed.contains(name) {
                missing.push(json!({"column": column, "type": spec.ty.name()}));
            }
            continue;
        }
        let one = Schema::new([(name.clone(), spec.clone())]);
        if let Some(e) = mistype(batches, column, &one) {
            mistyped.push(json!({"column": column, "type": spec.ty.name(), "problem": e}));
        }
    }
    let known: BTreeSet<&str> = set
        .schema()
        .inputs()
        .iter()
        .map(|(n, s)| s.column_name(n))
        .chain(IDENTITY)
        .collect();
    let extra: Vec<&String> = present
        .iter()
        .filter(|p| !known.contains(p.as_str()))
        .collect();
    let routed: Vec<&str> = routed.iter().map(|&m| set.models()[m].id()).collect();
    json!({"routed": routed, "missing": missing, "extra": extra, "mistyped": mistyped})
}

/// Why `column` cannot feed its input, read alone with the identity columns (all-null
/// stand-ins for those the batch lacks, which are reported as missing).
fn mistype(batches: &[RecordBatch], column: &str, one: &Schema) -> Option<String> {
    let alone: Vec<RecordBatch> = batches
        .iter()
        .filter_map(|b| {
            let pick = |c: &str| -> (Field, ArrayRef) {
                match b.schema().index_of(c) {
                    Ok(i) => (b.schema().field(i).clone(), Arc::clone(b.column(i))),
                    Err(_) => (
                        Field::new(c, DataType::Null, true),
                        Arc::new(NullArray::new(b.num_rows())) as ArrayRef,
                    ),
                }
            };
            let (fields, cols): (Vec<Field>, Vec<ArrayRef>) =
                ["id", "industry", column].into_iter().map(pick).unzip();
            RecordBatch::try_new(Arc::new(ArrowSchema::new(fields)), cols).ok()
        })
        .collect();
    match riskgrade::io::frame_from_batches(&alone, one) {
        Err(riskgrade::io::IoError::MissingColumn { .. }) | Ok(_) => None,
        Err(e) => Some(e.to_string()),
    }
}

/// Checks a batch's columns against a model set without grading it: the models its rows are
/// routed to, and every missing, extra and mistyped column at once, as JSON.
#[pyfunction]
pub(crate) fn check(py: Python<'_>, model: &PyModel, data: Batch) -> PyResult<String> {
    let Loaded::Arrow(batches) = data.load()? else {
        return Err(data_error(
            "check reads columns: pass a frame, not profiles".to_string(),
            None,
            None,
        ));
    };
    let set = Arc::clone(&model.set);
    detached(py, move |_| Ok(report(&set, &batches).to_string()))
}
