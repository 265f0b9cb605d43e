//! A dry run that reports every column problem of a batch at once: the columns a batch must
//! carry are those of [`crate::routed`].

use std::collections::BTreeSet;
use std::sync::Arc;

use arrow_array::{ArrayRef, NullArray, RecordBatch};
use arrow_schema::{DataType, Field, Schema as ArrowSchema};
use pyo3::prelude::*;
use riskgrade::{
    Column, Date, Frame, Grader, InputType, ModelSet, Options, Problem, Schema, ScoreFn, Source,
};
use serde_json::{Value, json};

use crate::errors::data_error;
use crate::grade::PyModel;
use crate::input::{Batch, Loaded, detached, parse_date};
use crate::routed::{needed_inputs, routed_models};

/// The identity columns a batch may carry beside the inputs.
const IDENTITY: [&str; 5] = ["id", "industry", "name", "district", "credit_code"];

/// The column problems of `batches` for `set`, as JSON: the models routed to, the missing,
/// extra and mistyped columns.
fn report(set: &Arc<ModelSet>, batches: &[RecordBatch], as_of: Date) -> Value {
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
        if let Some(e) = mistype(batches, column, &one, as_of) {
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
    let cautions = cautions(set, &routed, batches);
    let routed: Vec<&str> = routed.iter().map(|&m| set.models()[m].id()).collect();
    let unusable: BTreeSet<String> = mistyped
        .iter()
        .filter_map(|m| m["column"].as_str().map(str::to_string))
        .collect();
    let values = values(set, batches, &unusable, as_of);
    json!({"routed": routed, "missing": missing, "extra": extra, "mistyped": mistyped, "values": values, "cautions": cautions})
}

/// The flags of the routed models that the batch leaves missing somewhere while their model
/// grades a missing value, silently, as `true` or `false` (or beyond both): the model, the
/// column, how many values are missing, and what the model should say instead.
fn cautions(set: &ModelSet, routed: &BTreeSet<usize>, batches: &[RecordBatch]) -> Vec<Value> {
    let mut out = Vec::new();
    for &m in routed {
        let model = &set.models()[m];
        for s in model.silent_missing_flags() {
            let column = set
                .schema()
                .inputs()
                .iter()
                .find(|(n, _)| *n == s.input)
                .map_or(s.input.as_str(), |(n, spec)| spec.column_name(n));
            let nulls: usize = batches
                .iter()
                .filter_map(|b| b.column_by_name(column))
                .map(|c| c.logical_null_count())
                .sum();
            if nulls > 0 {
                out.push(json!({
                    "model": model.id(), "column": column, "missing": nulls,
                    "caution": format!("model `{}`: {s}", model.id()),
                }));
            }
        }
    }
    out
}

/// Every bad value of the batch's usable columns, one per row and column, as `classify` would
/// report them (unreadable, negative or fractional counts, unparsable dates, duplicate or missing
/// ids) and the codes the set checks (credit code, industry, district, by its `[codes]` policy):
/// `row` (from 0), `id`, `column`, `problem`, and `flagged` for a code graded anyway. Columns
/// that are missing or mistyped (reported above) are read as empty.
fn values(
    set: &Arc<ModelSet>,
    batches: &[RecordBatch],
    unusable: &BTreeSet<String>,
    as_of: Date,
) -> Vec<Value> {
    let Some(first) = batches.first() else {
        return Vec::new();
    };
    let schema = first.schema();
    let inputs: Vec<&str> = set
        .schema()
        .inputs()
        .iter()
        .map(|(n, s)| s.column_name(n))
        .collect();
    let keep = |name: &str| !unusable.contains(name) && schema.field_with_name(name).is_ok();
    let mut names: Vec<&str> = IDENTITY
        .into_iter()
        .filter(|c| *c != "credit_code" && keep(c))
        .collect();
    let filled: Vec<&str> = inputs.iter().copied().filter(|c| !keep(c)).collect();
    names.extend(inputs.iter().copied().filter(|c| keep(c)));
    let narrowed: Vec<RecordBatch> = batches
        .iter()
        .filter_map(|b| {
            let mut fields: Vec<Field> = Vec::new();
            let mut cols: Vec<ArrayRef> = Vec::new();
            for n in &names {
                if let Ok(i) = b.schema().index_of(n) {
                    fields.push(b.schema().field(i).clone());
                    cols.push(Arc::clone(b.column(i)));
                }
            }
            for n in ["id", "industry"].iter().chain(&filled) {
                if !names.contains(n) {
                    fields.push(Field::new(*n, DataType::Null, true));
                    cols.push(Arc::new(NullArray::new(b.num_rows())) as ArrayRef);
                }
            }
            RecordBatch::try_new(Arc::new(ArrowSchema::new(fields)), cols).ok()
        })
        .collect();
    let Ok(mut frame) = crate::input::arrow_frame(&narrowed, set.schema(), as_of) else {
        return Vec::new();
    };
    if let Some(codes) = texts(batches, "credit_code") {
        frame = frame.with_credit_codes(codes);
    }
    let lacking = |c: &str| !names.contains(&c) && c != "credit_code";
    // A grading without rules finds what classify finds: the frame's bad values, the codes by
    // the set's policy, unknown categories and industries no model grades.
    let options = Options::default().reasons(false).rules(false);
    let issues: Vec<riskgrade::DataIssue> =
        match Grader::new(Arc::clone(set)).grade_with(&frame, None, as_of, &options) {
            Ok(g) => g.issues().to_vec(),
            Err(_) => frame
                .issues()
                .iter()
                .cloned()
                .chain(set.codes().check(&frame))
                .collect(),
        };
    let mut out: Vec<(usize, String, Value)> = issues
        .iter()
        .filter(|i| !lacking(&i.column))
        .map(|i| {
            let problem = match &i.problem {
                // The library names the first row from 1; Python counts from 0.
                Problem::DuplicateId(first) => format!(
                    "duplicate enterprise id (first seen at row {})",
                    first.saturating_sub(1)
                ),
                p => p.to_string(),
            };
            let v = json!({
                "row": i.row, "id": i.id, "column": i.column,
                "problem": problem, "flagged": i.problem.is_flag(),
            });
            (i.row, i.column.clone(), v)
        })
        .collect();
    out.extend(fractional_counts(set, &frame, &names));
    out.extend(unknown_categories(set, &frame, &names));
    out.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    out.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    out.into_iter().map(|(_, _, v)| v).collect()
}

/// Counts with a fraction (`1.5` complaints): graded as they are, so reported as flagged.
fn fractional_counts(set: &ModelSet, frame: &Frame, names: &[&str]) -> Vec<(usize, String, Value)> {
    let mut out = Vec::new();
    for (name, spec) in set.schema().inputs() {
        let column = spec.column_name(name);
        if spec.ty != InputType::Count || !names.contains(&column) {
            continue;
        }
        let Some((_, Column::Number(values))) = frame.column(name) else {
            continue;
        };
        for (row, &x) in values.iter().enumerate() {
            if x.is_finite() && x.fract() != 0.0 {
                let v = json!({
                    "row": row, "id": frame.ids()[row], "column": column,
                    "problem": format!("count {x} is not a whole number (graded as it is)"),
                    "flagged": true,
                });
                out.push((row, column.to_string(), v));
            }
        }
    }
    out
}

/// Category labels that no indicator reading the input names (`LLC` where the map has `llc`):
/// graded with the indicator's `other` points, so reported as flagged, with the label meant
/// when one is close. Labels without `other` points are errors the grading reports already.
fn unknown_categories(
    set: &ModelSet,
    frame: &Frame,
    names: &[&str],
) -> Vec<(usize, String, Value)> {
    let mut out = Vec::new();
    for (name, spec) in set.schema().inputs() {
        let column = spec.column_name(name);
        if spec.ty != InputType::Category || !names.contains(&column) {
            continue;
        }
        let Some((_, Column::Category { codes, dict })) = frame.column(name) else {
            continue;
        };
        // Every category indicator reading the input, with its labels and `other` points.
        let leaves: Vec<(&str, Vec<&str>, f64)> = set
            .models()
            .iter()
            .flat_map(|m| m.leaves())
            .filter_map(|l| match (&l.source, &l.func) {
                (
                    Source::Input { name: n, .. },
                    ScoreFn::Category {
                        map,
                        other: Some(o),
                    },
                ) if n == name => Some((
                    l.path.as_str(),
                    map.keys().map(String::as_str).collect(),
                    *o,
                )),
                _ => None,
            })
            .collect();
        let Some((path, labels, other)) = leaves.first() else {
            continue;
        };
        let unknown: Vec<Option<String>> = dict
            .iter()
            .map(|label| {
                let known = leaves.iter().any(|(_, ls, _)| ls.contains(&label.as_str()));
                (!known).then(|| {
                    let close = labels
                        .iter()
                        .find(|l| l.eq_ignore_ascii_case(label.trim()));
                    let hint = close.map(|c| format!("; did you mean `{c}`?")).unwrap_or_default();
                    format!(
                        "category `{label}` is not one indicator `{path}` names (graded with its other points, {}){hint}",
                        riskgrade::format_number(*other)
                    )
                })
            })
            .collect();
        for (row, &c) in codes.iter().enumerate() {
            if let Some(Some(problem)) = unknown.get(c as usize) {
                let v = json!({
                    "row": row, "id": frame.ids()[row], "column": column,
                    "problem": problem, "flagged": true,
                });
                out.push((row, column.to_string(), v));
            }
        }
    }
    out
}

/// The cells of a text column of every batch (missing as empty), or `None` without one.
fn texts(batches: &[RecordBatch], column: &str) -> Option<Vec<String>> {
    use arrow_array::cast::AsArray;
    let mut out = Vec::new();
    for b in batches {
        let col = b.column_by_name(column)?;
        let cells: Vec<Option<&str>> = match col.data_type() {
            DataType::Utf8 => col.as_string::<i32>().iter().collect(),
            DataType::LargeUtf8 => col.as_string::<i64>().iter().collect(),
            DataType::Utf8View => col.as_string_view().iter().collect(),
            _ => return None,
        };
        out.extend(cells.into_iter().map(|c| c.unwrap_or_default().to_string()));
    }
    Some(out)
}

/// Why `column` cannot feed its input, read alone with the identity columns (all-null
/// stand-ins for those the batch lacks, which are reported as missing).
fn mistype(batches: &[RecordBatch], column: &str, one: &Schema, as_of: Date) -> Option<String> {
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
    match crate::input::arrow_frame(&alone, one, as_of) {
        Err(riskgrade::io::IoError::MissingColumn { .. }) | Ok(_) => None,
        Err(e) => Some(e.to_string()),
    }
}

/// Checks a batch's columns against a model set without grading it: the models its rows are
/// routed to, and every missing, extra and mistyped column at once, as JSON.
#[pyfunction]
#[pyo3(signature = (model, data, as_of))]
pub(crate) fn check(py: Python<'_>, model: &PyModel, data: Batch, as_of: &str) -> PyResult<String> {
    let Loaded::Arrow(batches) = data.load()? else {
        return Err(data_error(
            "check reads columns: pass a frame, not profiles".to_string(),
            None,
            None,
        ));
    };
    let set = Arc::clone(&model.set);
    let as_of = parse_date(as_of)?;
    detached(py, move |_| Ok(report(&set, &batches, as_of).to_string()))
}
