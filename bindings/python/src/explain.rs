//! `explain_many`: several enterprises of one batch explained from one grading, not one
//! grading per enterprise.

use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;

use crate::describe::explanation_json;
use crate::grade::PyModel;
use crate::input::{Ask, Batch, Settings, detached};

/// Explains the enterprises `ids` of a batch, graded once; returns one explanation as JSON per
/// id, in the order of `ids`. Ids the batch does not hold are one `KeyError` naming them all
/// (its `ids` attribute lists them).
#[pyfunction]
#[pyo3(signature = (model, data, as_of, ids, *, rules=true, on_rule_error="fail-row"))]
pub(crate) fn explain_many(
    py: Python<'_>,
    model: &PyModel,
    data: Batch,
    as_of: &str,
    ids: Vec<String>,
    rules: bool,
    on_rule_error: &str,
) -> PyResult<Vec<String>> {
    let settings = Settings {
        reasons: true,
        max_reasons: None,
        contributions: false,
        dimensions: true,
        strict: false,
        rules,
        on_rule_error,
    };
    let ask = Ask::new(as_of, settings)?;
    let loaded = data.load()?;
    detached(py, |cancel| {
        let (grades, frame) = model.grade(&loaded.parse()?, &ask, cancel)?;
        let rows: Vec<Option<usize>> = ids.iter().map(|id| grades.row_of(id)).collect();
        let unknown: Vec<&String> = ids
            .iter()
            .zip(&rows)
            .filter(|(_, r)| r.is_none())
            .map(|(id, _)| id)
            .collect();
        if !unknown.is_empty() {
            let shown: Vec<String> = unknown.iter().take(10).map(|s| format!("`{s}`")).collect();
            let more = unknown.len().saturating_sub(shown.len());
            let tail = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            let err = PyKeyError::new_err(format!(
                "{} of the {} ids are not in the batch: {}{tail}",
                unknown.len(),
                ids.len(),
                shown.join(", ")
            ));
            let names: Vec<String> = unknown.into_iter().cloned().collect();
            Python::attach(|py| {
                let _ = err.value(py).setattr("ids", names);
            });
            return Err(err);
        }
        Ok(rows
            .into_iter()
            .flatten()
            .map(|row| explanation_json(&grades, &frame, row))
            .collect())
    })
}
