//! Stage 4 of a monthly run: the comparison with the previous stored period —
//! who became riskier or less risky, who is new or gone — the change notes
//! that explain each mover, and the PSI of the score per model.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use riskgrade_core::{Date, EffectPeriods, Enterprise, Frame};
use riskgrade_engine::{Grades, ReasonWriter};
use riskgrade_model::ModelSet;
use riskgrade_store::{ChangeKind, ChangeNote, ResultRow, RunInfo, Store, StoreError};

use crate::Stability;
use crate::notes::{record_changes, result_row, row_changes};

/// How this period's classes moved against the previous period's.
#[derive(Default)]
pub(super) struct Movement {
    /// Rows whose class changed or that are new, with the previous period's row (default when new).
    pub movers: Vec<(usize, ResultRow)>,
    /// Became riskier.
    pub riskier: u64,
    /// Became less risky.
    pub less_risky: u64,
    /// Graded now, not graded (or absent) before.
    pub new: u64,
    /// In the previous period, absent now.
    pub gone: u64,
    /// Graded before, not graded now.
    pub no_longer_graded: u64,
    /// The previous period's graded scores, per model.
    pub prev_scores: Vec<(String, Vec<f64>)>,
}

/// Scans the previous period's classes (in id order, no texts rendered) alongside this
/// period's rows in id order (`order`), counting the moves; then reads the movers'
/// previous rows, which their change notes compare with.
pub(super) fn movement(
    store: &Store,
    previous: &RunInfo,
    grades: &Grades,
    order: &[usize],
    classes: &[String],
) -> Result<Movement, StoreError> {
    let mut m = Movement::default();
    let rank =
        |classes: &[String], c: Option<&str>| c.and_then(|c| classes.iter().position(|k| k == c));
    // Movers in id order: the row, and whether the previous period holds the enterprise.
    let mut movers: Vec<(usize, bool)> = Vec::new();
    let mut i = 0usize;
    let mut seen_prev = |id: &str,
                         model: Option<&str>,
                         score: Option<f64>,
                         class: Option<&str>|
     -> Result<(), StoreError> {
        if let (Some(model), Some(score), Some(_)) = (model, score, class) {
            match m.prev_scores.iter_mut().find(|(k, _)| k == model) {
                Some((_, v)) => v.push(score),
                None => m.prev_scores.push((model.to_string(), vec![score])),
            }
        }
        while i < order.len() && grades.id(order[i]) < id {
            if grades.is_graded(order[i]) {
                m.new += 1;
                movers.push((order[i], false));
            }
            i += 1;
        }
        if i < order.len() && grades.id(order[i]) == id {
            let r = order[i];
            i += 1;
            match (
                rank(&previous.classes, class),
                rank(classes, grades.class(r)),
            ) {
                (Some(a), Some(b)) if a != b => {
                    if b > a {
                        m.riskier += 1;
                    } else {
                        m.less_risky += 1;
                    }
                    movers.push((r, true));
                }
                (None, Some(_)) => {
                    m.new += 1;
                    movers.push((r, true));
                }
                (Some(_), None) => m.no_longer_graded += 1,
                _ => {}
            }
        } else {
            m.gone += 1;
        }
        Ok(())
    };
    store.scan_classes(previous.period, &mut seen_prev)?;
    for &r in &order[i..] {
        if grades.is_graded(r) {
            m.new += 1;
            movers.push((r, false));
        }
    }
    let ids: Vec<&str> = movers
        .iter()
        .filter(|(_, before)| *before)
        .map(|&(r, _)| grades.id(r))
        .collect();
    let mut before = store.results_of(previous.period, &ids)?.into_iter();
    m.movers = movers
        .into_iter()
        .map(|(r, was)| {
            let row = if was { before.next().flatten() } else { None };
            (r, row.unwrap_or_default())
        })
        .collect();
    Ok(m)
}

/// What the change notes of a run are written from.
pub(super) struct NoteInputs<'a> {
    /// This run's grades.
    pub grades: &'a Grades,
    /// The frame graded.
    pub frame: &'a Frame,
    /// The profiles graded, when the input had records.
    pub profiles: Option<&'a [Enterprise]>,
    /// The decision that set each overridden row's class.
    pub manual_of: &'a HashMap<usize, i64>,
    /// The previous period.
    pub previous: &'a RunInfo,
    /// This run's grading date.
    pub as_of: Date,
    /// The set's effect periods.
    pub periods: &'a EffectPeriods,
    /// Each model's indicator paths now.
    pub indicators: &'a BTreeMap<String, Vec<String>>,
}

/// The change notes of every mover, built in parallel.
pub(super) fn change_notes(at: &NoteInputs<'_>, movers: &[(usize, ResultRow)]) -> Vec<ChangeNote> {
    movers
        .par_iter()
        .map_init(
            || at.grades.reason_writer(at.frame),
            |w, (r, prev_row)| notes_of(at, w, *r, prev_row),
        )
        .flat_map_iter(|notes| notes)
        .collect()
}

/// The notes of row `r` against its previous row (default when the enterprise is new).
fn notes_of(
    at: &NoteInputs<'_>,
    reasons: &mut ReasonWriter<'_>,
    r: usize,
    prev_row: &ResultRow,
) -> Vec<ChangeNote> {
    let now = result_row(
        at.grades,
        at.frame,
        reasons,
        r,
        None,
        at.manual_of.get(&r).copied(),
    );
    let mut out = Vec::new();
    let prev_ok = !prev_row.id.is_empty();
    let mut push = |kind: ChangeKind, detail: String| {
        out.push(ChangeNote {
            id: now.id.clone(),
            from_class: prev_row.class.clone(),
            to_class: now.class.clone(),
            kind,
            detail,
        });
    };
    if !prev_ok || prev_row.class.is_none() {
        push(
            ChangeKind::New,
            if prev_ok {
                "not graded in the previous period".into()
            } else {
                "not in the previous period".into()
            },
        );
    }
    if let Some(e) = at.profiles.and_then(|p| p.get(r)) {
        for (kind, detail) in record_changes(e, at.previous.as_of, at.as_of, at.periods) {
            push(kind, detail);
        }
    }
    if prev_ok {
        if at.previous.version_id != at.grades.version_id() {
            push(
                ChangeKind::Model,
                format!(
                    "model set {} -> {}",
                    at.previous.version_id,
                    at.grades.version_id()
                ),
            );
        }
        let changes = row_changes(
            prev_row,
            &now,
            &at.previous.indicators,
            at.indicators,
            at.grades.effects(r),
        );
        for (kind, detail) in changes {
            push(kind, detail);
        }
    }
    out
}

/// PSI of each model's score against the previous period's.
pub(super) fn score_psi(
    set: &ModelSet,
    grades: &Grades,
    prev_scores: &[(String, Vec<f64>)],
) -> Vec<Stability> {
    prev_scores
        .iter()
        .filter_map(|(model, before)| {
            let m = set.index_of(model)?;
            let now: Vec<f64> = (0..grades.len())
                .filter(|&r| grades.is_graded(r) && grades.model_index(r) == Some(m))
                .filter_map(|r| grades.score(r))
                .collect();
            (!now.is_empty()).then(|| Stability {
                what: "score".into(),
                model: model.clone(),
                psi: riskgrade_engine::psi(before, &now),
            })
        })
        .collect()
}
