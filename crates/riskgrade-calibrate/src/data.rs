//! The data the methods read: one model's indicators over graded enterprises, and outcome files.

use std::collections::HashMap;
use std::path::Path;

use riskgrade_core::{Frame, Position};
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
    /// [`CalibrateError::NoModel`] when the set has no such model.
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
        let mi = set.index_of(model).ok_or_else(|| CalibrateError::NoModel {
            wanted: Some(model.to_string()),
            known: set.models().iter().map(|m| m.id().to_string()).collect(),
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
    /// [`CalibrateError::Argument`] when the two have different models or leaves.
    pub fn append(&mut self, other: Indicators) -> Result<(), CalibrateError> {
        if self.paths.is_empty() && self.ids.is_empty() {
            *self = other;
            return Ok(());
        }
        if other.model != self.model || other.paths != self.paths {
            return Err(CalibrateError::argument(
                "data",
                format!(
                    "cannot join the indicators of model `{}` and of model `{}` (their leaves differ)",
                    self.model, other.model
                ),
            ));
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
/// [`CalibrateError::Table`] when the file cannot be read; [`CalibrateError::OutcomeColumns`]
/// for a missing column; [`CalibrateError::BadOutcome`] naming the file, row and column of a bad
/// cell.
pub fn read_outcome_labels(path: &Path) -> Result<Vec<(String, bool)>, CalibrateError> {
    let t = read_table(path)?;
    let columns = |column| CalibrateError::OutcomeColumns {
        file: path.to_path_buf(),
        column,
    };
    let e = t
        .column("enterprise")
        .ok_or_else(|| columns("enterprise"))?;
    let (result, problem) = (t.column("result"), t.column("problem"));
    let (j, kind) = match (result, problem) {
        (Some(j), _) => (j, OutcomeColumn::Result),
        (None, Some(j)) => (j, OutcomeColumn::Problem),
        (None, None) => return Err(columns("result` or `problem")),
    };
    let column_of = |j: usize| t.rows.iter().map(|r| r[j].clone()).collect::<Vec<_>>();
    outcomes_from_cells(&column_of(e), kind, &column_of(j)).map_err(|mut err| {
        if let CalibrateError::BadOutcome { at, row, .. } = &mut err {
            *at = Position::new(path).at(*row + 2, 0);
        }
        err
    })
}

/// Which column says what an inspection found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeColumn {
    /// `result`: `problem`, `no_problem`, `not_reachable` or `refused`.
    Result,
    /// `problem`: true/false, 1/0.
    Problem,
}

impl OutcomeColumn {
    /// `result` or `problem`.
    pub fn name(self) -> &'static str {
        match self {
            OutcomeColumn::Result => "result",
            OutcomeColumn::Problem => "problem",
        }
    }
}

/// Inspection outcomes as (enterprise, problem found) from two columns of cells: the enterprise
/// ids, and `results` as `column` says. Anything but `no_problem` counts as a problem.
///
/// # Errors
/// [`CalibrateError::BadOutcome`] naming the row (from 0), the column and the text of the first
/// bad cell: no id, or a result or flag that is not one.
///
/// ```
/// use riskgrade_calibrate::{OutcomeColumn, outcomes_from_cells};
/// use riskgrade_io::Cell;
/// let ids = [Cell::Text("E1".into()), Cell::Text("E2".into())];
/// let found = [Cell::Text("refused".into()), Cell::Text("no_problem".into())];
/// let got = outcomes_from_cells(&ids, OutcomeColumn::Result, &found)?;
/// assert_eq!(got, vec![("E1".to_string(), true), ("E2".to_string(), false)]);
/// let typo = [Cell::Text("problem".into()), Cell::Text("no_problme".into())];
/// let e = outcomes_from_cells(&ids, OutcomeColumn::Result, &typo).unwrap_err();
/// assert!(e.to_string().starts_with("outcomes: row 2, column `result`: `no_problme` is not a result"));
/// # Ok::<(), riskgrade_calibrate::CalibrateError>(())
/// ```
pub fn outcomes_from_cells(
    ids: &[Cell],
    column: OutcomeColumn,
    results: &[Cell],
) -> Result<Vec<(String, bool)>, CalibrateError> {
    if ids.len() != results.len() {
        return Err(CalibrateError::argument(
            "outcomes",
            format!(
                "outcomes: {} enterprise ids and {} values of `{}`",
                ids.len(),
                results.len(),
                column.name()
            ),
        ));
    }
    ids.iter()
        .zip(results)
        .enumerate()
        .map(|(row, (id, found))| {
            let id = match id {
                Cell::Text(s) if !s.trim().is_empty() => s.trim().to_string(),
                Cell::Number(x) => riskgrade_core::format_number(*x),
                _ => return Err(bad_outcome(row, "enterprise", None, "no enterprise id")),
            };
            let found = match (found, column) {
                (Cell::Text(s), OutcomeColumn::Result) => outcome_from_text(row, s)?,
                (_, OutcomeColumn::Result) => {
                    return Err(bad_outcome(row, "result", None, "no result"));
                }
                (Cell::Bool(b), OutcomeColumn::Problem) => *b,
                (Cell::Number(x), OutcomeColumn::Problem) if *x == 0.0 || *x == 1.0 => *x == 1.0,
                (Cell::Text(s), OutcomeColumn::Problem) => outcome_from_flag(row, s)?,
                (_, OutcomeColumn::Problem) => {
                    return Err(bad_outcome(row, "problem", None, "not true/false or 1/0"));
                }
            };
            Ok((id, found))
        })
        .collect()
}

/// Whether an inspection found a problem, from its result as text (`problem`, `no_problem`,
/// `not_reachable`, `refused`): anything but `no_problem` counts as a problem. `row` (from 0)
/// goes into the error.
///
/// # Errors
/// [`CalibrateError::BadOutcome`] naming the row and the text when it is not a result.
///
/// ```
/// use riskgrade_calibrate::outcome_from_text;
/// assert!(outcome_from_text(0, "refused")?);
/// assert!(!outcome_from_text(0, "no_problem")?);
/// let e = outcome_from_text(4, "probelm").unwrap_err();
/// assert_eq!(e.to_string(), "outcomes: row 5, column `result`: `probelm` is not a result; use problem, no_problem, not_reachable or refused");
/// # Ok::<(), riskgrade_calibrate::CalibrateError>(())
/// ```
pub fn outcome_from_text(row: usize, text: &str) -> Result<bool, CalibrateError> {
    text.parse::<riskgrade_core::InspectionResult>()
        .map(riskgrade_core::InspectionResult::found_problem)
        .map_err(|_| {
            bad_outcome(
                row,
                "result",
                Some(text),
                format!(
                    "`{text}` is not a result; use problem, no_problem, not_reachable or refused"
                ),
            )
        })
}

/// Whether an inspection found a problem, from a flag written as text (`true`/`false`, `1`/`0`,
/// `yes`/`no`). `row` (from 0) goes into the error.
///
/// # Errors
/// [`CalibrateError::BadOutcome`] naming the row and the text when it is not a flag.
pub fn outcome_from_flag(row: usize, text: &str) -> Result<bool, CalibrateError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        other => Err(bad_outcome(
            row,
            "problem",
            Some(text),
            format!("`{other}` is not true/false or 1/0"),
        )),
    }
}

/// A bad outcome cell at `row` of in-memory outcomes.
fn bad_outcome(
    row: usize,
    column: &str,
    value: Option<&str>,
    message: impl Into<String>,
) -> CalibrateError {
    CalibrateError::BadOutcome {
        at: Position::default(),
        row,
        column: column.to_string(),
        value: value.map(str::to_string),
        message: message.into(),
    }
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
/// [`CalibrateError::Store`], or [`CalibrateError::NoOutcomes`] when no closed task was drawn
/// from that period.
pub fn store_outcomes(
    store: &riskgrade_store::Store,
    period: riskgrade_core::Month,
) -> Result<Vec<(String, bool)>, CalibrateError> {
    let mut out = Vec::new();
    let mut draws = 0;
    for d in store.draws()?.into_iter().filter(|d| d.period == period) {
        draws += 1;
        for t in store.tasks(d.id)? {
            if let Some((_, result, _, _)) = t.outcome {
                out.push((t.task.enterprise, result.found_problem()));
            }
        }
    }
    if out.is_empty() {
        return Err(CalibrateError::NoOutcomes { period, draws });
    }
    Ok(out)
}
