//! Stage 2 of grading: each leaf's input resolved against the frame, and the
//! values the models require checked (missing where the policy is `error`,
//! unknown categories), as row issues.

use riskgrade_core::{
    Column, DataIssue, Date, Frame, InputType, MISSING_CODE, Problem, did_you_mean,
};
use riskgrade_model::{Leaf, MissingPolicy, ModelSet, ScoreFn, Source};

use super::route::{Routed, RowSet};
use crate::error::EvalError;

/// A leaf's input, resolved against a frame.
pub(crate) enum LeafData<'a> {
    Numbers(&'a [f64], bool),
    Codes(&'a [u32], Vec<f64>),
    Score(usize),
}

impl LeafData<'_> {
    /// The value the leaf reads for row `r`: the input (a date as days before
    /// `as_of`), a component model's score (from `scores`), or for a category
    /// the points of its label; `NaN` when missing.
    pub(crate) fn value(&self, r: usize, as_of: Date, scores: &[Vec<f64>]) -> f64 {
        match self {
            LeafData::Numbers(v, true) => f64::from(as_of.days()) - v[r],
            LeafData::Numbers(v, false) => v[r],
            LeafData::Score(m) => scores
                .get(*m)
                .and_then(|s| s.get(r))
                .copied()
                .unwrap_or(f64::NAN),
            LeafData::Codes(codes, table) => match codes[r] {
                MISSING_CODE => f64::NAN,
                c => table.get(c as usize).copied().unwrap_or(f64::NAN),
            },
        }
    }

    /// The points `leaf` gives the value `x` this data read ([`LeafData::value`]),
    /// before weighting: the missing-value points when `x` is `NaN`.
    pub(crate) fn points_of(&self, leaf: &Leaf, x: f64) -> f64 {
        match (self, &leaf.func, x.is_nan()) {
            (_, _, true) => leaf.missing_points(),
            (LeafData::Codes(..), _, false) | (_, ScoreFn::Category { .. }, false) => x,
            (_, f, false) => f.points(x),
        }
    }

    /// The points `leaf` gives row `r`, before weighting.
    pub(crate) fn points(&self, leaf: &Leaf, r: usize, as_of: Date, scores: &[Vec<f64>]) -> f64 {
        self.points_of(leaf, self.value(r, as_of, scores))
    }
}

/// `leaf`'s input in `frame`, or `None` when `frame` has no column for it (or the
/// set no component model of that id).
pub(crate) fn bind<'a>(frame: &'a Frame, leaf: &Leaf, set: &ModelSet) -> Option<LeafData<'a>> {
    match &leaf.source {
        Source::Model(id) => set.index_of(id).map(LeafData::Score),
        Source::Input { .. } => resolve(frame, leaf, set).ok(),
    }
}

/// Resolves every model's leaves against `frame` and reports the rows whose
/// required values are missing or whose categories are unknown.
pub(super) fn resolve_inputs<'a>(
    set: &ModelSet,
    frame: &'a Frame,
    routed: &Routed,
    issues: &mut Vec<DataIssue>,
) -> Result<Vec<Vec<LeafData<'a>>>, EvalError> {
    let mut resolved: Vec<Vec<LeafData<'_>>> = Vec::with_capacity(set.models().len());
    for (mi, model) in set.models().iter().enumerate() {
        let mut data = Vec::with_capacity(model.leaves().len());
        for leaf in model.leaves() {
            let d = resolve(frame, leaf, set)?;
            check_leaf(
                frame,
                leaf,
                &d,
                &routed.rows_of[mi],
                &routed.model_of,
                issues,
            );
            data.push(d);
        }
        resolved.push(data);
    }
    Ok(resolved)
}

fn resolve<'a>(frame: &'a Frame, leaf: &Leaf, set: &ModelSet) -> Result<LeafData<'a>, EvalError> {
    match &leaf.source {
        Source::Model(id) => Ok(LeafData::Score(set.index_of(id).unwrap_or(0))),
        Source::Input { name, ty } => match frame.column(name) {
            Some((_, Column::Number(v))) => Ok(LeafData::Numbers(v, *ty == InputType::Date)),
            Some((_, Column::Category { codes, dict })) => {
                Ok(LeafData::Codes(codes, leaf.func.category_table(dict)))
            }
            None => Err(missing_column(frame, name, leaf)),
        },
    }
}

/// The error for an indicator's input that `frame` has no column for.
pub(super) fn missing_column(frame: &Frame, name: &str, leaf: &Leaf) -> EvalError {
    EvalError::MissingColumn {
        input: name.to_string(),
        indicator: leaf.path.clone(),
        suggestion: did_you_mean(name, frame.columns().map(|(n, _, _)| n)).map(str::to_string),
    }
}

fn check_leaf(
    frame: &Frame,
    leaf: &Leaf,
    data: &LeafData<'_>,
    rows: &RowSet,
    model_of: &[u16],
    issues: &mut Vec<DataIssue>,
) {
    let column = match &leaf.source {
        Source::Input { name, .. } => name,
        Source::Model(_) => return,
    };
    let must = leaf.missing == MissingPolicy::Error;
    let row_list: Box<dyn Iterator<Item = usize> + '_> = match rows {
        RowSet::All(n) => Box::new((0..*n).filter(|&r| model_of[r] != u16::MAX)),
        RowSet::Some(v) => Box::new(v.iter().map(|&r| r as usize)),
    };
    let mut push = |r: usize, problem: Problem| {
        issues.push(DataIssue {
            row: r,
            id: frame.ids()[r].clone(),
            column: column.clone(),
            problem,
        });
    };
    match data {
        LeafData::Numbers(v, _) if must => {
            for r in row_list {
                if v[r].is_nan() {
                    push(r, Problem::Missing);
                }
            }
        }
        LeafData::Codes(codes, table) => {
            let unknown: Vec<bool> = table.iter().map(|p| p.is_nan()).collect();
            if !must && !unknown.contains(&true) {
                return;
            }
            let dict = match frame.column(column) {
                Some((_, Column::Category { dict, .. })) => dict.clone(),
                _ => Vec::new(),
            };
            for r in row_list {
                let c = codes[r];
                if c == MISSING_CODE {
                    if must {
                        push(r, Problem::Missing);
                    }
                } else if unknown.get(c as usize).copied().unwrap_or(true) {
                    let label = dict.get(c as usize).cloned().unwrap_or_default();
                    push(
                        r,
                        Problem::UnknownCategory {
                            label,
                            indicator: leaf.path.clone(),
                        },
                    );
                }
            }
        }
        _ => {}
    }
}
