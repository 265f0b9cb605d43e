//! Impact analysis: two grade batches of the same enterprises side by side —
//! the class migration matrix, the enterprises that moved and the rules that
//! moved them — so that a model or rule change can be judged before it goes live.
//!
//! | module | owns |
//! |---|---|
//! | `models` | [`compare_models`]: one batch graded by two model sets, from profiles or a frame |
//! | `comparison` | [`Comparison`], [`Mover`], [`RuleDelta`]: the result, and the movers as table columns |
//! | `display` | the printed comparison |
//! | `psi` | [`psi`] and [`psi_band`] |
//!
//! This module holds [`compare`] itself and [`CompareError`].

mod comparison;
mod display;
mod models;
mod psi;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use crate::{Effect, EvalError, Grades, Outcome};

pub use comparison::{Comparison, Move, Mover, RuleDelta};
pub use models::{CompareInput, ModelComparison, Side, compare_models};
pub use psi::{psi, psi_band};

/// Compares two grade batches of the same enterprises (same ids in the same
/// order), e.g. the same data graded by two model sets, or by one set with
/// and without its rules.
///
/// Rows of the migration matrix are the classes `before`, columns the classes
/// `after`. Classes are matched by name across the two sets' models, in risk
/// order (lowest risk first); a row that is not graded on a side counts in the
/// "not graded" row or column.
///
/// # Errors
/// [`CompareError::DifferentRows`] naming the first row whose enterprise
/// differs, or that only one batch has.
///
/// ```
/// use std::sync::Arc;
/// use riskgrade_core::Enterprise;
/// use riskgrade_engine::{Grader, Options, compare};
///
/// let grader = Grader::new(Arc::new(riskgrade_model::examples::reference()?));
/// let profiles: Vec<Enterprise> = serde_json::from_str(r#"[
///   {"id": "E1", "industry": "F5211", "registered": "2012-04-01"},
///   {"id": "E2", "industry": "F5211", "registered": "2012-04-01",
///    "records": [{"kind": "dishonest_list", "date": "2026-03-01", "action": "entry"}]},
///   {"id": "E3", "industry": "F5211", "registered": "2015-06-01",
///    "records": [{"kind": "penalty", "date": "2026-09-01", "severity": "major", "amount": 50000}]}
/// ]"#)?;
/// let as_of = "2026-11-01".parse()?;
/// let without = grader.grade_profiles(&profiles, as_of, &Options::default().rules(false))?;
/// let with = grader.grade_profiles(&profiles, as_of, &Options::default())?;
///
/// let c = compare(&without, &with)?.labels("without rules", "with rules");
/// println!("{c}");
/// assert_eq!(c.total(), 3);
/// assert_eq!(c.count(Some("D"), Some("D")) + c.count(Some("D"), None), 0);
/// // The dishonest-list veto moves E2 to class D.
/// let e2 = c.movers().iter().find(|m| m.id == "E2").unwrap();
/// assert_eq!(e2.class_after.as_deref(), Some("D"));
/// assert_eq!(e2.rules_only_after, ["veto_dishonest_list"]);
/// assert_eq!(c.counts_after()[c.class_position("D").unwrap()], 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compare(before: &Grades, after: &Grades) -> Result<Comparison, CompareError> {
    same_rows(before, after)?;
    let classes = merged_classes(before, after);
    let k = classes.len();
    let positions = [
        class_positions(before, &classes),
        class_positions(after, &classes),
    ];
    let (mut rules, rule_index) = rule_deltas(before, after, k);
    let mut matrix = vec![vec![0usize; k + 1]; k + 1];
    let mut movers = Vec::new();
    let mut seen: Vec<usize> = Vec::new();
    for r in 0..before.len() {
        let (cb, ca) = (
            class_at(before, &positions[0], r, k),
            class_at(after, &positions[1], r, k),
        );
        matrix[cb][ca] += 1;
        for (side, g, class) in [(0, before, cb), (1, after, ca)] {
            seen.clear();
            for e in g.effects(r) {
                let Some(&ri) = rule_index.get(&*e.rule) else {
                    continue;
                };
                if !seen.contains(&ri) {
                    seen.push(ri);
                    rules[ri].fired[side] += 1;
                }
                if e.outcome == Outcome::Decided && class < k {
                    rules[ri].decided[side][class] += 1;
                }
            }
        }
        if cb != ca {
            let m = mover(
                (before, after),
                r,
                (cb, ca),
                &classes,
                &mut rules,
                &rule_index,
            );
            movers.push(m);
        }
    }
    Ok(Comparison {
        classes,
        matrix,
        movers,
        rules,
        labels: ("before".into(), "after".into()),
        top: 10,
    })
}

/// The first row whose enterprise differs between the batches, or that only one has, as an error.
fn same_rows(before: &Grades, after: &Grades) -> Result<(), CompareError> {
    let n = before.len();
    if let Some(row) =
        (0..n.max(after.len())).find(|&r| r >= n || r >= after.len() || before.id(r) != after.id(r))
    {
        let id = |g: &Grades| (row < g.len()).then(|| g.id(row).to_string());
        return Err(CompareError::DifferentRows {
            row,
            before: id(before),
            after: id(after),
            before_len: before.len(),
            after_len: after.len(),
        });
    }
    Ok(())
}

/// Class names of every model of both sets, merged in risk order.
fn merged_classes(before: &Grades, after: &Grades) -> Vec<String> {
    let mut classes: Vec<String> = Vec::new();
    for g in [before, after] {
        for m in g.model_set().models() {
            let mut at = 0;
            for name in m.classes().names() {
                match classes.iter().position(|c| c == name) {
                    Some(p) => at = at.max(p + 1),
                    None => {
                        classes.insert(at, name.clone());
                        at += 1;
                    }
                }
            }
        }
    }
    classes
}

/// Per model of the batch's set: the model's class index -> position in `classes`.
fn class_positions(g: &Grades, classes: &[String]) -> Vec<Vec<usize>> {
    let k = classes.len();
    g.model_set()
        .models()
        .iter()
        .map(|m| {
            m.classes()
                .names()
                .iter()
                .map(|name| classes.iter().position(|c| c == name).unwrap_or(k))
                .collect()
        })
        .collect()
}

/// Row `r`'s position in the merged classes (`k`: not graded).
fn class_at(g: &Grades, pos: &[Vec<usize>], r: usize, k: usize) -> usize {
    match (g.model_index(r), g.class_index(r)) {
        (Some(m), Some(c)) => pos[m].get(c).copied().unwrap_or(k),
        _ => k,
    }
}

/// Rules of both sides: the after batch's in their order, then the ones only before had.
fn rule_deltas(
    before: &Grades,
    after: &Grades,
    k: usize,
) -> (Vec<RuleDelta>, HashMap<String, usize>) {
    let mut rules: Vec<RuleDelta> = Vec::new();
    let mut rule_index: HashMap<String, usize> = HashMap::new();
    for g in [after, before] {
        for s in g.rule_stats() {
            rule_index.entry(s.rule.clone()).or_insert_with(|| {
                rules.push(RuleDelta::new(&s.rule, k));
                rules.len() - 1
            });
        }
    }
    (rules, rule_index)
}

/// Row `r`, in class `cb` before and `ca` after, as a mover; counts it for the rules that moved it.
fn mover(
    (before, after): (&Grades, &Grades),
    r: usize,
    (cb, ca): (usize, usize),
    classes: &[String],
    rules: &mut [RuleDelta],
    rule_index: &HashMap<String, usize>,
) -> Mover {
    let k = classes.len();
    let (only_before, only_after, changed) = rule_changes(before.effects(r), after.effects(r));
    for id in only_before.iter().chain(&only_after).chain(&changed) {
        if let Some(&ri) = rule_index.get(id) {
            rules[ri].movers += 1;
        }
    }
    let name = |c: usize| classes.get(c).cloned();
    let model = |g: &Grades| g.model(r).map(|m| m.id().to_string());
    Mover {
        row: r,
        id: before.id(r).to_string(),
        industry: None,
        class_before: name(cb),
        class_after: name(ca),
        steps: (cb < k && ca < k).then(|| ca as i64 - cb as i64),
        score_before: before.score(r),
        score_after: after.score(r),
        model_before: model(before),
        model_after: model(after),
        rules_only_after: only_after,
        rules_only_before: only_before,
        rules_changed: changed,
    }
}

/// The rules acting on score or class on one side only, and those acting on both differently.
fn rule_changes(before: &[Effect], after: &[Effect]) -> (Vec<String>, Vec<String>, Vec<String>) {
    let grading = |effects: &[Effect]| -> Vec<(String, Vec<Effect>)> {
        let mut out: Vec<(String, Vec<Effect>)> = Vec::new();
        for e in effects.iter().filter(|e| e.action.grades()) {
            match out.iter_mut().find(|(id, _)| **id == *e.rule) {
                Some((_, v)) => v.push(e.clone()),
                None => out.push((e.rule.to_string(), vec![e.clone()])),
            }
        }
        out
    };
    let (b, a) = (grading(before), grading(after));
    let only = |x: &[(String, Vec<Effect>)], y: &[(String, Vec<Effect>)]| -> Vec<String> {
        x.iter()
            .filter(|(id, _)| !y.iter().any(|(other, _)| other == id))
            .map(|(id, _)| id.clone())
            .collect()
    };
    let changed = a
        .iter()
        .filter(|(id, effects)| b.iter().any(|(o, e)| o == id && e != effects))
        .map(|(id, _)| id.clone())
        .collect();
    (only(&b, &a), only(&a, &b), changed)
}

/// Why two batches cannot be compared.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CompareError {
    /// Row `row` (0-based) holds different enterprises, or exists in one batch only.
    #[error(
        "the batches differ at row {}: {}, {}{}; a comparison needs the same enterprises in the same order",
        .row + 1,
        enterprise(.before.as_ref(), "before"),
        enterprise(.after.as_ref(), "after"),
        lengths(*.before_len, *.after_len)
    )]
    DifferentRows {
        /// The first differing row (0-based).
        row: usize,
        /// The enterprise of that row before (`None`: the batch has no such row).
        before: Option<String>,
        /// The enterprise of that row after (`None`: the batch has no such row).
        after: Option<String>,
        /// Rows before.
        before_len: usize,
        /// Rows after.
        after_len: usize,
    },
    /// The frame given for industries has another number of rows.
    #[error("the frame has {frame_rows} rows but {rows} enterprises were compared")]
    FrameSize {
        /// Rows compared.
        rows: usize,
        /// Rows in the frame.
        frame_rows: usize,
    },
    /// The frame given for industries holds another enterprise at a mover's row.
    #[error(
        "the frame differs from the compared batches at row {}: enterprise `{graded}` graded, `{frame}` in the frame",
        .row + 1
    )]
    DifferentFrame {
        /// The mover's row (0-based).
        row: usize,
        /// The mover.
        graded: String,
        /// The enterprise of that row in the frame.
        frame: String,
    },
    /// One side of [`compare_models`] could not grade the batch.
    #[error("grading with the {side} set: {error}")]
    Grade {
        /// The side.
        side: Side,
        /// Why.
        #[source]
        error: Box<EvalError>,
    },
}

fn enterprise(id: Option<&String>, side: &str) -> String {
    match id {
        Some(id) => format!("enterprise `{id}` {side}"),
        None => format!("no row {side}"),
    }
}

fn lengths(before: usize, after: usize) -> String {
    if before == after {
        String::new()
    } else {
        format!(" ({before} rows before, {after} after)")
    }
}
