//! Stage 4 of grading: class thresholds per model (fixed bands, or quantiles
//! of the batch), each graded row's final score and class, and the dimension
//! points of each row's own model.

use rayon::prelude::*;
use riskgrade_model::{Cutoffs, ModelSet};

use super::route::{Routed, RowSet};

/// Class thresholds per model: fixed bands, or quantiles of this batch's graded rows.
pub(super) fn thresholds(
    set: &ModelSet,
    scores: &[Vec<f64>],
    model_of: &[u16],
    graded: &(impl Fn(usize) -> bool + Sync),
) -> Vec<Vec<f64>> {
    let n = model_of.len();
    set.models()
        .iter()
        .enumerate()
        .map(|(m, model)| {
            let classes = model.classes();
            match classes.cutoffs() {
                Cutoffs::Bands(t) => t.clone(),
                Cutoffs::Shares(_) => {
                    let risk: Vec<f64> = (0..n)
                        .into_par_iter()
                        .filter(|&r| graded(r) && model_of[r] as usize == m)
                        .map(|r| classes.risk_value(scores[m][r]))
                        .collect();
                    classes.thresholds(&risk)
                }
            }
        })
        .collect()
}

/// Final score and class per row: its own model's score, classed by that model's thresholds.
pub(super) fn final_classes(
    set: &ModelSet,
    scores: &[Vec<f64>],
    thresholds: &[Vec<f64>],
    model_of: &[u16],
    graded: &(impl Fn(usize) -> bool + Sync),
) -> (Vec<f64>, Vec<u8>) {
    let n = model_of.len();
    let mut score = vec![f64::NAN; n];
    let mut class = vec![u8::MAX; n];
    score
        .par_iter_mut()
        .zip(class.par_iter_mut())
        .enumerate()
        .for_each(|(r, (s, c))| {
            if graded(r) {
                let m = model_of[r] as usize;
                let classes = set.models()[m].classes();
                *s = scores[m][r];
                *c = classes.class_of(classes.risk_value(*s), &thresholds[m]) as u8;
            }
        });
    (score, class)
}

/// Dimension points of each row's own model, row-major (`max_dims` per row);
/// moved in place when one model grades all rows.
pub(super) fn dimension_points(
    set: &ModelSet,
    routed: &Routed,
    dims: &mut [Vec<f64>],
    graded: &(impl Fn(usize) -> bool + Sync),
) -> (usize, Vec<f64>) {
    let n = routed.model_of.len();
    let max_dims = set
        .models()
        .iter()
        .map(|m| m.dimensions().len())
        .max()
        .unwrap_or(0);
    let only = routed.only();
    let points = match only.as_slice() {
        [m] if set.models()[*m].dimensions().len() == max_dims
            && matches!(routed.rows_of[*m], RowSet::All(_)) =>
        {
            let mut d = std::mem::take(&mut dims[*m]);
            d.par_chunks_mut(max_dims.max(1))
                .enumerate()
                .for_each(|(r, row)| {
                    if !graded(r) {
                        row.fill(f64::NAN);
                    }
                });
            d
        }
        _ => {
            let mut d = vec![f64::NAN; n * max_dims];
            d.par_chunks_mut(max_dims.max(1))
                .enumerate()
                .for_each(|(r, row)| {
                    if graded(r) {
                        let m = routed.model_of[r] as usize;
                        let nd = set.models()[m].dimensions().len();
                        row[..nd].copy_from_slice(&dims[m][r * nd..(r + 1) * nd]);
                    }
                });
            d
        }
    };
    (max_dims, points)
}
