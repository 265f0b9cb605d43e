//! The data the methods read: one model's indicators over graded enterprises, and outcome files.

use std::collections::HashMap;
use std::path::Path;

use riskgrade_core::Frame;
use riskgrade_engine::Grades;
use riskgrade_io::{Cell, read_table};

use super::CalibrateError;

/// One model's leaf indicators over the enterprises it graded in one or more batches.
///
/// Columns follow the order of the model's leaves ([`riskgrade_model::Model::leaves`]).
#[derive(Debug, Clone, Default)]
pub struct Indicators {
    /// The model's id.
    pub model: String,
    /// Leaf paths, in the model's order.
    pub paths: Vec<String>,
    /// Enterprise ids, one per row.
    pub ids: Vec<String>,
    /// Points per leaf (as scored, missing policy applied), one column per leaf.
    pub points: Vec<Vec<f64>>,
    /// Values per leaf (see [`Grades::leaf_values`]; `NaN` when missing), one column per leaf.
    pub values: Vec<Vec<f64>>,
}

impl Indicators {
    /// The indicators of every row of `grades` that model `model` graded; `frame` is the batch
    /// that was graded. Rows that were not graded are left out.
    ///
    /// # Errors
    /// [`CalibrateError::NotFound`] when the set has no such model.
    pub fn from_grades(
        grades: &Grades,
        frame: &Frame,
        model: &str,
    ) -> Result<Indicators, CalibrateError> {
        Indicators::from_grades_where(grades, frame, model, |_| true)
    }

    /// As [`Indicators::from_grades`], for the enterprises whose id `keep` accepts (e.g. the
    /// inspected ones of a large batch).
    ///
    /// # Errors
    /// As [`Indicators::from_grades`].
    pub fn from_grades_where(
        grades: &Grades,
        frame: &Frame,
        model: &str,
        keep: impl Fn(&str) -> bool,
    ) -> Result<Indicators, CalibrateError> {
        let set = grades.model_set();
        let mi = set.index_of(model).ok_or_else(|| {
            CalibrateError::NotFound(format!("the graded set has no model `{model}`"))
        })?;
        let m = &set.models()[mi];
        let (rows, values, points) = grades.leaf_table(frame, mi, |r| keep(grades.id(r)));
        Ok(Indicators {
            model: model.to_string(),
            paths: m.leaves().iter().map(|l| l.path.clone()).collect(),
            ids: rows.iter().map(|&r| grades.id(r).to_string()).collect(),
            points,
            values,
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Adds the rows of another batch of the same model (e.g. another month's inspections).
    ///
    /// # Errors
    /// [`CalibrateError::Input`] when the two have different models or leaves.
    pub fn append(&mut self, other: Indicators) -> Result<(), CalibrateError> {
        if self.paths.is_empty() && self.ids.is_empty() {
            *self = other;
            return Ok(());
        }
        if other.model != self.model || other.paths != self.paths {
            return Err(CalibrateError::Input(format!(
                "cannot join the indicators of model `{}` and of model `{}` (their leaves differ)",
                self.model, other.model
            )));
        }
        self.ids.extend(other.ids);
        for (a, b) in self.points.iter_mut().zip(other.points) {
            a.extend(b);
        }
        for (a, b) in self.values.iter_mut().zip(other.values) {
            a.extend(b);
        }
        Ok(())
    }
}

/// Reads inspection outcomes for calibration: a table (CSV, Parquet, JSON Lines, JSON) with the
/// columns `enterprise` and either `result` (`problem`, `no_problem`, `not_reachable`,
/// `refused`, as `riskgrade outcomes` reads them; anything but `no_problem` counts as a problem)
/// or `problem` (true/false, 1/0). An enterprise inspected several times counts once per row.
///
/// # Errors
/// [`CalibrateError::Input`] naming the file, row and column of a bad cell, or the missing column.
pub fn read_outcome_labels(path: &Path) -> Result<Vec<(String, bool)>, CalibrateError> {
    let file = path.display().to_string();
    let t = read_table(path).map_err(|e| CalibrateError::Input(e.to_string()))?;
    let need = "an outcome file has the columns `enterprise` and `result` (problem, no_problem, not_reachable, refused) or `problem` (true/false)";
    let e = t
        .column("enterprise")
        .ok_or_else(|| CalibrateError::Input(format!("{file}: no column `enterprise`; {need}")))?;
    let (result, problem) = (t.column("result"), t.column("problem"));
    if result.is_none() && problem.is_none() {
        return Err(CalibrateError::Input(format!(
            "{file}: no column `result` or `problem`; {need}"
        )));
    }
    let mut out = Vec::with_capacity(t.rows.len());
    for (i, row) in t.rows.iter().enumerate() {
        let line = i + 2;
        let bad = |col: &str, what: String| {
            CalibrateError::Input(format!("{file}: row {line}, column `{col}`: {what}"))
        };
        let id = match &row[e] {
            Cell::Text(s) if !s.trim().is_empty() => s.trim().to_string(),
            Cell::Number(x) => riskgrade_core::format_number(*x),
            _ => return Err(bad("enterprise", "no enterprise id".into())),
        };
        let found = if let Some(j) = result {
            match &row[j] {
                Cell::Text(s) => s
                    .parse::<riskgrade_core::InspectionResult>()
                    .ok()
                    .map(riskgrade_core::InspectionResult::found_problem)
                    .ok_or_else(|| {
                        bad(
                            "result",
                            format!(
                                "`{s}` is not a result; use problem, no_problem, not_reachable or refused"
                            ),
                        )
                    })?,
                _ => return Err(bad("result", "no result".into())),
            }
        } else {
            let j = problem.unwrap_or_default();
            match &row[j] {
                Cell::Bool(b) => *b,
                Cell::Number(x) if *x == 0.0 || *x == 1.0 => *x == 1.0,
                Cell::Text(s) => match s.trim().to_ascii_lowercase().as_str() {
                    "true" | "1" | "yes" => true,
                    "false" | "0" | "no" => false,
                    other => {
                        return Err(bad(
                            "problem",
                            format!("`{other}` is not true/false or 1/0"),
                        ));
                    }
                },
                _ => return Err(bad("problem", "not true/false or 1/0".into())),
            }
        };
        out.push((id, found));
    }
    Ok(out)
}

/// Joins indicators with outcomes: for each outcome whose enterprise has indicators, the row index.
/// Returns the rows (one per outcome, so an enterprise inspected twice counts twice) and the
/// number of outcomes without indicators.
pub(crate) fn join(ind: &Indicators, outcomes: &[(String, bool)]) -> (Vec<(usize, bool)>, usize) {
    let at: HashMap<&str, usize> = ind
        .ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut rows = Vec::with_capacity(outcomes.len());
    let mut unmatched = 0;
    for (id, p) in outcomes {
        match at.get(id.as_str()) {
            Some(&r) => rows.push((r, *p)),
            None => unmatched += 1,
        }
    }
    (rows, unmatched)
}

/// The closed inspections of the draws made from `period` in a history store, as (enterprise,
/// problem found): the outcomes to calibrate that period's grades on. Anything but "no problem"
/// counts as a problem, as in [`read_outcome_labels`]; tasks without an outcome are left out.
///
/// # Errors
/// Store errors, or [`CalibrateError::Input`] when no closed task was drawn from that period.
pub fn store_outcomes(
    store: &riskgrade_store::Store,
    period: riskgrade_core::Month,
) -> Result<Vec<(String, bool)>, CalibrateError> {
    let err = |e: riskgrade_store::StoreError| CalibrateError::Input(e.to_string());
    let mut out = Vec::new();
    let mut draws = 0;
    for d in store
        .draws()
        .map_err(err)?
        .into_iter()
        .filter(|d| d.period == period)
    {
        draws += 1;
        for t in store.tasks(d.id).map_err(err)? {
            if let Some((_, result, _, _)) = t.outcome {
                out.push((t.task.enterprise, result.found_problem()));
            }
        }
    }
    if out.is_empty() {
        return Err(CalibrateError::Input(if draws == 0 {
            format!("no draw was made from period {period} in the store")
        } else {
            format!(
                "the {draws} draw(s) from period {period} have no recorded outcome yet (`riskgrade outcomes`)"
            )
        }));
    }
    Ok(out)
}
