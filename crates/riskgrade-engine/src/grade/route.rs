//! Stage 1 of grading: every row routed to its model by industry and the
//! licence types it holds (the precedence of `RouteSpec`), and the
//! rows each model must score (its own, and those of models that take its score).

use rayon::prelude::*;
use riskgrade_core::{DataIssue, Frame, Problem};
use riskgrade_model::ModelSet;

/// The rows a model must score.
pub(super) enum RowSet {
    /// Every row of the batch.
    All(usize),
    /// These rows, ascending.
    Some(Vec<u32>),
}

/// Where the rows of a batch go.
pub(super) struct Routed {
    /// Each row's model (`u16::MAX`: none).
    pub(super) model_of: Vec<u16>,
    /// Whether any row was routed to each model.
    pub(super) present: Vec<bool>,
    /// Per model, the rows it must score.
    pub(super) rows_of: Vec<RowSet>,
}

impl Routed {
    /// The models that have rows.
    pub(super) fn only(&self) -> Vec<usize> {
        (0..self.present.len())
            .filter(|&m| self.present[m])
            .collect()
    }
}

/// Routes every row (in parallel), reports the rows with no model, and lists the rows each model scores.
pub(super) fn route(set: &ModelSet, frame: &Frame, issues: &mut Vec<DataIssue>) -> Routed {
    let n = frame.len();
    let nm = set.models().len();
    let mut model_of = vec![u16::MAX; n];
    // The licence types routes name, each with its column (missing: not held).
    let licences: Vec<(&str, Option<&[f64]>)> = set
        .licence_inputs()
        .map(|(l, input)| (l, frame.number(input)))
        .collect();
    model_of
        .par_iter_mut()
        .zip(frame.industries().par_iter())
        .enumerate()
        .for_each(|(r, (m, ind))| {
            let holds = |l: &str| {
                licences
                    .iter()
                    .any(|(k, col)| *k == l && col.is_some_and(|c| c[r] >= 1.0))
            };
            if let Ok(k) = set.route_with(ind, holds) {
                *m = k as u16;
            }
        });
    let mut present = vec![false; nm];
    let mut unreadable = vec![false; n];
    for is in frame.issues() {
        if matches!(is.problem, Problem::Unreadable(_)) {
            unreadable[is.row] = true;
        }
    }
    // Bad credit, industry and district codes, by the set's `[codes]` policies;
    // a row whose bad industry code is reported here is not reported again below.
    for is in set.check_codes(frame) {
        if is.column == "industry" && !is.problem.is_flag() {
            unreadable[is.row] = true;
        }
        issues.push(is);
    }
    for (r, &m) in model_of.iter().enumerate() {
        if m == u16::MAX && unreadable[r] {
            // Already reported as unreadable; its industry says nothing more.
        } else if m == u16::MAX {
            let code = frame.industries()[r].clone();
            issues.push(DataIssue {
                row: r,
                id: frame.ids()[r].clone(),
                column: "industry".into(),
                problem: if code.trim().is_empty() {
                    Problem::Missing
                } else {
                    Problem::UnknownIndustry(code)
                },
            });
        } else {
            present[m as usize] = true;
        }
    }
    let rows_of = rows_to_score(set, &model_of, &present);
    Routed {
        model_of,
        present,
        rows_of,
    }
}

/// Which rows each model must score: those routed to it, and to models that take its score.
/// When every routed row needs a model, it scores all rows in place (no index lists).
fn rows_to_score(set: &ModelSet, model_of: &[u16], present: &[bool]) -> Vec<RowSet> {
    let n = model_of.len();
    let nm = set.models().len();
    let mut closure: Vec<Vec<bool>> = vec![vec![false; nm]; nm];
    for &m in set.evaluation_order() {
        closure[m][m] = true;
        for c in set.models()[m].components() {
            if let Some(ci) = set.index_of(c) {
                let inner = closure[ci].clone();
                for (k, v) in inner.into_iter().enumerate() {
                    closure[m][k] |= v;
                }
            }
        }
    }
    (0..nm)
        .map(|k| {
            let needing: Vec<usize> = (0..nm).filter(|&m| present[m] && closure[m][k]).collect();
            if needing.is_empty() {
                RowSet::Some(Vec::new())
            } else if (0..nm).all(|m| !present[m] || closure[m][k]) {
                RowSet::All(n)
            } else {
                RowSet::Some(
                    (0..n as u32)
                        .filter(|&r| {
                            model_of[r as usize] != u16::MAX
                                && closure[model_of[r as usize] as usize][k]
                        })
                        .collect(),
                )
            }
        })
        .collect()
}
