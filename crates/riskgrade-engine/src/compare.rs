//! Impact analysis: two grade batches of the same enterprises side by side —
//! the class migration matrix, the enterprises that moved and the rules that
//! moved them — so that a model or rule change can be judged before it goes live.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use crate::{Effect, EvalError, Grader, Grades, Options, Outcome};
use riskgrade_core::{Date, Enterprise, Frame, format_number};
use riskgrade_io::{OutColumn, OutData};

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

    // Class names of every model of both sets, merged in risk order.
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
    let k = classes.len();
    // Per batch and model: the model's class index -> position in `classes`.
    let positions = |g: &Grades| -> Vec<Vec<usize>> {
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
    };
    let (pos_before, pos_after) = (positions(before), positions(after));
    let class_at = |g: &Grades, pos: &[Vec<usize>], r: usize| -> usize {
        match (g.model_index(r), g.class_index(r)) {
            (Some(m), Some(c)) => pos[m].get(c).copied().unwrap_or(k),
            _ => k,
        }
    };

    // Rules of both sides: the after batch's in their order, then the ones only before had.
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

    let mut matrix = vec![vec![0usize; k + 1]; k + 1];
    let mut movers = Vec::new();
    let mut seen: Vec<usize> = Vec::new();
    for r in 0..n {
        let (cb, ca) = (
            class_at(before, &pos_before, r),
            class_at(after, &pos_after, r),
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
        if cb == ca {
            continue;
        }
        let (only_before, only_after, changed) = rule_changes(before.effects(r), after.effects(r));
        for id in only_before.iter().chain(&only_after).chain(&changed) {
            if let Some(&ri) = rule_index.get(id) {
                rules[ri].movers += 1;
            }
        }
        let name = |c: usize| classes.get(c).cloned();
        let model = |g: &Grades| g.model(r).map(|m| m.id().to_string());
        movers.push(Mover {
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
        });
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

/// The batch [`compare_models`] grades with both sets.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum CompareInput<'a> {
    /// Nested profiles: each set derives its own frame from them (its own
    /// inputs and effect periods; one frame when the two sets agree), and
    /// rules can read the records.
    Profiles {
        /// The enterprises.
        profiles: &'a [Enterprise],
        /// Profiles that could not be read, as (id, message): appended to each
        /// frame as rows that are reported, not graded ([`Frame::with_unreadable`]).
        unreadable: &'a [(String, String)],
    },
    /// A columnar batch holding every input both sets read, e.g. read with the
    /// inputs of both: `Schema::new(a.schema().inputs().iter().chain(b.schema().inputs()).cloned())`.
    Frame(&'a Frame),
}

impl<'a> CompareInput<'a> {
    /// Profiles, all readable.
    pub fn profiles(profiles: &'a [Enterprise]) -> CompareInput<'a> {
        CompareInput::Profiles {
            profiles,
            unreadable: &[],
        }
    }
}

/// One side of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The baseline (the migration matrix's rows).
    Before,
    /// The candidate (the migration matrix's columns).
    After,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Before => "before",
            Side::After => "after",
        })
    }
}

/// The same batch graded by two model sets, and their comparison: see [`compare_models`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ModelComparison {
    /// The grades of the `before` set (the matrix's rows).
    pub before: Grades,
    /// The grades of the `after` set (the matrix's columns).
    pub after: Grades,
    /// The comparison, the movers' industries filled in.
    pub comparison: Comparison,
}

/// Grades one batch with two model sets (or one set with and without its
/// rules) and compares the grades: the one way the CLI, Rust programs and
/// Python compare models.
///
/// `options` are `(before, after)`: e.g. `Options::default().rules(false)` on
/// one side compares a set without its rules against itself with them.
///
/// With [`CompareInput::Profiles`] each set grades the frame derived for its
/// own inputs, so sets with different inputs compare on the same enterprises.
/// With [`CompareInput::Frame`] both sets grade the one frame, which must hold
/// every input both read: its columns are checked for both sides before
/// anything is graded.
///
/// # Errors
/// [`CompareError::Grade`] when a side cannot grade the batch, naming the side
/// and the [`EvalError`]: with a frame, [`EvalError::MissingColumn`] (or
/// [`EvalError::RuleColumn`]) names the first input the frame lacks and the
/// indicator (or rule) that reads it; [`EvalError::AsOfMismatch`] when the
/// frame was derived for another date; [`EvalError::Cancelled`] and the
/// rest as [`Grader::grade_with`].
///
/// ```
/// use std::sync::Arc;
/// use riskgrade_core::Enterprise;
/// use riskgrade_engine::{CompareInput, Grader, Options, compare_models};
///
/// let grader = Grader::new(Arc::new(riskgrade_model::examples::reference()?));
/// let profiles: Vec<Enterprise> = serde_json::from_str(r#"[
///   {"id": "E1", "industry": "F5211", "registered": "2012-04-01"},
///   {"id": "E2", "industry": "F5211", "registered": "2012-04-01",
///    "records": [{"kind": "dishonest_list", "date": "2026-03-01", "action": "entry"}]}
/// ]"#)?;
/// let without_rules = Options::default().rules(false);
/// let c = compare_models(
///     &grader,
///     &grader,
///     CompareInput::profiles(&profiles),
///     "2026-11-01".parse()?,
///     (&without_rules, &Options::default()),
/// )?;
/// assert_eq!(c.after.class(1), Some("D"));
/// let moved = &c.comparison.movers()[0];
/// assert_eq!((moved.id.as_str(), moved.industry.as_deref()), ("E2", Some("F5211")));
/// println!("{}", c.comparison.labels("without rules", "with rules").top(5));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compare_models(
    before: &Grader,
    after: &Grader,
    input: CompareInput<'_>,
    as_of: Date,
    options: (&Options, &Options),
) -> Result<ModelComparison, CompareError> {
    let (before, after, frame) = match input {
        CompareInput::Frame(frame) => {
            let (b, a) = grade_frame((before, after), frame, as_of, options)?;
            (b, a, Cow::Borrowed(frame))
        }
        CompareInput::Profiles {
            profiles,
            unreadable,
        } => {
            let (b, a, frame) =
                grade_profiles((before, after), profiles, unreadable, as_of, options)?;
            (b, a, Cow::Owned(frame))
        }
    };
    let comparison = compare(&before, &after)?.with_industries(&frame)?;
    Ok(ModelComparison {
        before,
        after,
        comparison,
    })
}

/// Wraps a side's grading error.
fn failed(side: Side) -> impl Fn(EvalError) -> CompareError {
    move |e| CompareError::Grade {
        side,
        error: Box::new(e),
    }
}

/// Both sides grade the one frame, once each has found every column it reads.
fn grade_frame(
    (before, after): (&Grader, &Grader),
    frame: &Frame,
    as_of: Date,
    options: (&Options, &Options),
) -> Result<(Grades, Grades), CompareError> {
    before
        .check_columns(frame, options.0)
        .map_err(failed(Side::Before))?;
    after
        .check_columns(frame, options.1)
        .map_err(failed(Side::After))?;
    let b = before
        .grade_with(frame, None, as_of, options.0)
        .map_err(failed(Side::Before))?;
    let a = after
        .grade_with(frame, None, as_of, options.1)
        .map_err(failed(Side::After))?;
    Ok((b, a))
}

/// Each side grades the frame derived for its inputs (one frame when the sets
/// agree on inputs and effect periods); returns the after side's frame.
fn grade_profiles(
    (before, after): (&Grader, &Grader),
    profiles: &[Enterprise],
    unreadable: &[(String, String)],
    as_of: Date,
    options: (&Options, &Options),
) -> Result<(Grades, Grades, Frame), CompareError> {
    let frame_of = |g: &Grader| {
        let set = g.model_set();
        Frame::from_profiles(profiles, set.schema(), as_of, set.effect_periods())
            .with_unreadable(unreadable.to_vec())
    };
    let after_frame = frame_of(after);
    let (bs, as_) = (before.model_set(), after.model_set());
    let before_frame = (bs.schema() != as_.schema() || bs.effect_periods() != as_.effect_periods())
        .then(|| frame_of(before));
    let b = before
        .grade_with(
            before_frame.as_ref().unwrap_or(&after_frame),
            Some(profiles),
            as_of,
            options.0,
        )
        .map_err(failed(Side::Before))?;
    let a = after
        .grade_with(&after_frame, Some(profiles), as_of, options.1)
        .map_err(failed(Side::After))?;
    Ok((b, a, after_frame))
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
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CompareError {
    /// Row `row` (0-based) holds different enterprises, or exists in one batch only.
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
    FrameSize {
        /// Rows compared.
        rows: usize,
        /// Rows in the frame.
        frame_rows: usize,
    },
    /// The frame given for industries holds another enterprise at a mover's row.
    DifferentFrame {
        /// The mover's row (0-based).
        row: usize,
        /// The mover.
        graded: String,
        /// The enterprise of that row in the frame.
        frame: String,
    },
    /// One side of [`compare_models`] could not grade the batch.
    Grade {
        /// The side.
        side: Side,
        /// Why.
        error: Box<EvalError>,
    },
}

fn enterprise(id: Option<&String>, side: &str) -> String {
    match id {
        Some(id) => format!("enterprise `{id}` {side}"),
        None => format!("no row {side}"),
    }
}

impl fmt::Display for CompareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompareError::DifferentRows {
                row,
                before,
                after,
                before_len,
                after_len,
            } => {
                write!(
                    f,
                    "the batches differ at row {}: {}, {}",
                    row + 1,
                    enterprise(before.as_ref(), "before"),
                    enterprise(after.as_ref(), "after")
                )?;
                if before_len != after_len {
                    write!(f, " ({before_len} rows before, {after_len} after)")?;
                }
                f.write_str("; a comparison needs the same enterprises in the same order")
            }
            CompareError::FrameSize { rows, frame_rows } => write!(
                f,
                "the frame has {frame_rows} rows but {rows} enterprises were compared"
            ),
            CompareError::DifferentFrame { row, graded, frame } => write!(
                f,
                "the frame differs from the compared batches at row {}: enterprise `{graded}` graded, `{frame}` in the frame",
                row + 1
            ),
            CompareError::Grade { side, error } => {
                write!(f, "grading with the {side} set: {error}")
            }
        }
    }
}

impl std::error::Error for CompareError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CompareError::Grade { error, .. } => Some(&**error),
            _ => None,
        }
    }
}

/// Which way an enterprise moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// To a riskier class.
    Riskier,
    /// To a less risky class.
    Safer,
    /// Graded before, not after.
    NoLongerGraded,
    /// Graded after, not before.
    NowGraded,
}

impl Move {
    /// `riskier`, `safer`, `no longer graded` or `now graded`.
    pub fn name(self) -> &'static str {
        match self {
            Move::Riskier => "riskier",
            Move::Safer => "safer",
            Move::NoLongerGraded => "no longer graded",
            Move::NowGraded => "now graded",
        }
    }
}

/// An enterprise whose class differs between the two batches.
#[derive(Debug, Clone, PartialEq)]
pub struct Mover {
    /// Its row in the batches (0-based).
    pub row: usize,
    /// The enterprise id.
    pub id: String,
    /// Its industry, when the comparison was given the frame ([`Comparison::with_industries`]).
    pub industry: Option<String>,
    /// Its class before (`None`: not graded).
    pub class_before: Option<String>,
    /// Its class after (`None`: not graded).
    pub class_after: Option<String>,
    /// Classes moved, positive towards risk (`None` when graded on one side only).
    pub steps: Option<i64>,
    /// Its score before.
    pub score_before: Option<f64>,
    /// Its score after.
    pub score_after: Option<f64>,
    /// The model that graded it before.
    pub model_before: Option<String>,
    /// The model that graded it after.
    pub model_after: Option<String>,
    /// Rules that acted on its score or class only after.
    pub rules_only_after: Vec<String>,
    /// Rules that acted on its score or class only before.
    pub rules_only_before: Vec<String>,
    /// Rules that acted on its score or class on both sides, differently
    /// (another action, or another outcome such as deciding the class or not).
    pub rules_changed: Vec<String>,
}

impl Mover {
    /// Which way it moved.
    pub fn movement(&self) -> Move {
        match self.steps {
            Some(s) if s > 0 => Move::Riskier,
            Some(_) => Move::Safer,
            None if self.class_after.is_none() => Move::NoLongerGraded,
            None => Move::NowGraded,
        }
    }

    /// Score after minus score before (`None` unless graded on both sides).
    pub fn score_change(&self) -> Option<f64> {
        Some(self.score_after? - self.score_before?)
    }

    /// The rules, marked `+` (only after), `-` (only before) and `~` (changed).
    fn rules_text(&self) -> String {
        let marked =
            |mark: &str, v: &[String]| v.iter().map(|r| format!("{mark}{r}")).collect::<Vec<_>>();
        let all: Vec<String> = [
            marked("+", &self.rules_only_after),
            marked("-", &self.rules_only_before),
            marked("~", &self.rules_changed),
        ]
        .concat();
        all.join(" ")
    }
}

/// How one rule's reach changed between the two batches.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDelta {
    /// The rule's id.
    pub rule: String,
    /// Enterprises it acted on (any effect, labels and alerts included): `[before, after]`.
    pub fired: [usize; 2],
    /// Per class of [`Comparison::classes`]: enterprises whose final class it decided, `[before, after]`.
    pub decided: [Vec<usize>; 2],
    /// Movers it acted on differently (only one side, or other effects).
    pub movers: usize,
}

impl RuleDelta {
    fn new(rule: &str, k: usize) -> RuleDelta {
        RuleDelta {
            rule: rule.to_string(),
            fired: [0, 0],
            decided: [vec![0; k], vec![0; k]],
            movers: 0,
        }
    }
    /// Enterprises whose final class it decided: `[before, after]`.
    pub fn decided_total(&self) -> [usize; 2] {
        [self.decided[0].iter().sum(), self.decided[1].iter().sum()]
    }
}

/// Two grade batches of the same enterprises compared: see [`compare`].
///
/// `Display` prints the migration matrix as an aligned table, the number of
/// movers each way, the biggest moves with their rules (`+rule` acted only
/// after, `-rule` only before, `~rule` differently; `model x -> y` when another
/// model graded it) and the rules whose reach changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    classes: Vec<String>,
    matrix: Vec<Vec<usize>>,
    movers: Vec<Mover>,
    rules: Vec<RuleDelta>,
    labels: (String, String),
    top: usize,
}

impl Comparison {
    /// Names the two sides in the printed comparison (default `before` and `after`).
    pub fn labels(mut self, before: impl Into<String>, after: impl Into<String>) -> Self {
        self.labels = (before.into(), after.into());
        self
    }

    /// How many of the biggest moves are printed (default 10).
    pub fn top(mut self, n: usize) -> Self {
        self.top = n;
        self
    }

    /// Fills the movers' industries from the frame the batches were graded from.
    ///
    /// # Errors
    /// [`CompareError::FrameSize`] when the frame has another number of rows,
    /// [`CompareError::DifferentFrame`] when it holds another enterprise at a
    /// mover's row (the rows that did not move are not kept, so not checked).
    pub fn with_industries(mut self, frame: &Frame) -> Result<Self, CompareError> {
        let ids = frame.ids();
        if ids.len() != self.total() {
            return Err(CompareError::FrameSize {
                rows: self.total(),
                frame_rows: ids.len(),
            });
        }
        if let Some(m) = self.movers.iter().find(|m| ids[m.row] != m.id) {
            return Err(CompareError::DifferentFrame {
                row: m.row,
                graded: m.id.clone(),
                frame: ids[m.row].clone(),
            });
        }
        for m in &mut self.movers {
            m.industry = Some(frame.industries()[m.row].clone());
        }
        Ok(self)
    }

    /// The class names, lowest risk first (the "not graded" row and column come after them).
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// The position of a class in [`Comparison::classes`].
    pub fn class_position(&self, class: &str) -> Option<usize> {
        self.classes.iter().position(|c| c == class)
    }

    /// The migration matrix: `matrix()[from][to]` counts enterprises in class
    /// `from` before and `to` after, indexed like [`Comparison::classes`] with
    /// one more row and column for "not graded".
    pub fn matrix(&self) -> &[Vec<usize>] {
        &self.matrix
    }

    /// Enterprises in class `from` before and `to` after (`None`: not graded).
    pub fn count(&self, from: Option<&str>, to: Option<&str>) -> usize {
        let k = self.classes.len();
        let at = |c: Option<&str>| match c {
            Some(c) => self.class_position(c),
            None => Some(k),
        };
        match (at(from), at(to)) {
            (Some(i), Some(j)) => self.matrix[i][j],
            _ => 0,
        }
    }

    /// Enterprises compared.
    pub fn total(&self) -> usize {
        self.matrix.iter().flatten().sum()
    }

    /// Enterprises per class before, the last entry "not graded".
    pub fn counts_before(&self) -> Vec<usize> {
        self.matrix.iter().map(|row| row.iter().sum()).collect()
    }

    /// Enterprises per class after, the last entry "not graded".
    pub fn counts_after(&self) -> Vec<usize> {
        (0..self.matrix.len())
            .map(|j| self.matrix.iter().map(|row| row[j]).sum())
            .collect()
    }

    /// The enterprises whose class differs, in row order.
    pub fn movers(&self) -> &[Mover] {
        &self.movers
    }

    /// Movers that went `which` way.
    pub fn moved(&self, which: Move) -> usize {
        self.movers.iter().filter(|m| m.movement() == which).count()
    }

    /// Every rule of either side, the after side's first in their running order.
    pub fn rules(&self) -> &[RuleDelta] {
        &self.rules
    }

    /// The movers, biggest move first: most classes moved, then largest score change, then row.
    pub fn biggest_moves(&self) -> Vec<&Mover> {
        let mut v: Vec<&Mover> = self.movers.iter().collect();
        v.sort_by(|a, b| {
            let steps = |m: &Mover| m.steps.map_or(0, i64::unsigned_abs);
            let change = |m: &Mover| m.score_change().map_or(0.0, f64::abs);
            steps(b)
                .cmp(&steps(a))
                .then(change(b).total_cmp(&change(a)))
                .then(a.row.cmp(&b.row))
        });
        v
    }

    /// The movers as table columns for [`riskgrade_io::write_table`]: `id`,
    /// `industry` (when known), `class_before`, `class_after`, `move`
    /// (`riskier`, `safer`, `no longer graded`, `now graded`), `steps`,
    /// `score_before`, `score_after`, `score_change`, `model_before`,
    /// `model_after`, `rules_only_after`, `rules_only_before`, `rules_changed`
    /// (rule ids joined with ` | `).
    pub fn movers_table(&self) -> Vec<OutColumn> {
        let m = &self.movers;
        let text = |name: &str, f: &dyn Fn(&Mover) -> Option<String>| OutColumn {
            name: name.into(),
            data: OutData::Text(m.iter().map(f).collect()),
        };
        let number = |name: &str, f: &dyn Fn(&Mover) -> Option<f64>| OutColumn {
            name: name.into(),
            data: OutData::Number(m.iter().map(f).collect()),
        };
        let rules = |v: &[String]| Some(v.join(" | "));
        let mut out = vec![text("id", &|m| Some(m.id.clone()))];
        if m.iter().any(|m| m.industry.is_some()) {
            out.push(text("industry", &|m| m.industry.clone()));
        }
        out.extend([
            text("class_before", &|m| m.class_before.clone()),
            text("class_after", &|m| m.class_after.clone()),
            text("move", &|m| Some(m.movement().name().to_string())),
            OutColumn {
                name: "steps".into(),
                data: OutData::Integer(m.iter().map(|m| m.steps).collect()),
            },
            number("score_before", &|m| m.score_before),
            number("score_after", &|m| m.score_after),
            number("score_change", &Mover::score_change),
            text("model_before", &|m| m.model_before.clone()),
            text("model_after", &|m| m.model_after.clone()),
            text("rules_only_after", &|m| rules(&m.rules_only_after)),
            text("rules_only_before", &|m| rules(&m.rules_only_before)),
            text("rules_changed", &|m| rules(&m.rules_changed)),
        ]);
        out
    }
}

/// Left-aligned first column, right-aligned others, two spaces apart.
fn table(f: &mut fmt::Formatter<'_>, rows: &[Vec<String>]) -> fmt::Result {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width: Vec<usize> = (0..cols)
        .map(|j| {
            rows.iter()
                .filter_map(|r| r.get(j))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = String::new();
        for (j, cell) in row.iter().enumerate() {
            if j == 0 {
                line.push_str(&format!("{cell:<w$}", w = width[0]));
            } else {
                line.push_str(&format!("  {cell:>w$}", w = width[j]));
            }
        }
        writeln!(f, "{}", line.trim_end())?;
    }
    Ok(())
}

fn score_text(s: Option<f64>) -> String {
    s.map_or_else(
        || "-".into(),
        |s| format_number((s * 100.0).round() / 100.0),
    )
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let k = self.classes.len();
        let total = self.total();
        let (before, after) = (self.counts_before(), self.counts_after());
        // The "not graded" row and column only when some row was not graded.
        let shown: Vec<usize> = (0..=k)
            .filter(|&i| i < k || before[k] > 0 || after[k] > 0)
            .collect();
        let name = |i: usize| {
            self.classes
                .get(i)
                .cloned()
                .unwrap_or_else(|| "not graded".into())
        };
        writeln!(
            f,
            "class migration of {total} enterprises: rows {}, columns {}",
            self.labels.0, self.labels.1
        )?;
        let mut rows = vec![
            std::iter::once(String::new())
                .chain(shown.iter().map(|&j| name(j)))
                .chain(["total".to_string()])
                .collect::<Vec<_>>(),
        ];
        for &i in &shown {
            rows.push(
                std::iter::once(name(i))
                    .chain(shown.iter().map(|&j| self.matrix[i][j].to_string()))
                    .chain([before[i].to_string()])
                    .collect(),
            );
        }
        rows.push(
            std::iter::once("total".to_string())
                .chain(shown.iter().map(|&j| after[j].to_string()))
                .chain([total.to_string()])
                .collect(),
        );
        table(f, &rows)?;

        let moved = self.movers.len();
        let share = if total == 0 {
            0.0
        } else {
            100.0 * moved as f64 / total as f64
        };
        write!(
            f,
            "\nmoved: {moved} of {total} enterprises ({share:.2}%): {} to a riskier class, {} to a safer class",
            self.moved(Move::Riskier),
            self.moved(Move::Safer)
        )?;
        let (lost, gained) = (
            self.moved(Move::NoLongerGraded),
            self.moved(Move::NowGraded),
        );
        if lost + gained > 0 {
            write!(f, ", {lost} no longer graded, {gained} now graded")?;
        }
        writeln!(f)?;
        if moved == 0 || self.top == 0 {
            return Ok(());
        }
        let top = self.biggest_moves();
        let shown = top.len().min(self.top);
        writeln!(
            f,
            "\nbiggest moves ({shown} of {moved}; rules: +acted only {}, -only {}, ~differently):",
            self.labels.1, self.labels.0
        )?;
        let class = |c: &Option<String>| c.clone().unwrap_or_else(|| "not graded".into());
        let rows: Vec<Vec<String>> = top[..shown]
            .iter()
            .map(|m| {
                vec![
                    format!("  {}", m.id),
                    m.industry.clone().unwrap_or_default(),
                    format!("{} -> {}", class(&m.class_before), class(&m.class_after)),
                    format!(
                        "score {} -> {}",
                        score_text(m.score_before),
                        score_text(m.score_after)
                    ),
                    match (&m.model_before, &m.model_after) {
                        // Routed to another model: its score is on that model's scale.
                        (Some(b), Some(a)) if b != a => {
                            format!("model {b} -> {a}  {}", m.rules_text())
                        }
                        _ => m.rules_text(),
                    },
                ]
            })
            .collect();
        // Left-align the free-text columns (widths computed once: `--top` may be large).
        let widths: Vec<usize> = (0..5)
            .map(|j| rows.iter().map(|x| x[j].chars().count()).max().unwrap_or(0))
            .collect();
        for r in &rows {
            let line: Vec<String> = r
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            writeln!(f, "{}", line.join("  ").trim_end())?;
        }

        let changed: Vec<&RuleDelta> = self
            .rules
            .iter()
            .filter(|r| r.movers > 0 || r.fired[0] != r.fired[1] || r.decided[0] != r.decided[1])
            .collect();
        if !changed.is_empty() {
            writeln!(
                f,
                "\nrules whose reach changed (enterprises, {} -> {}):",
                self.labels.0, self.labels.1
            )?;
            let mut rows = vec![
                ["  rule", "acted on", "decided the class of", "movers"]
                    .map(str::to_string)
                    .to_vec(),
            ];
            for r in changed {
                let [db, da] = r.decided_total();
                rows.push(vec![
                    format!("  {}", r.rule),
                    format!("{} -> {}", r.fired[0], r.fired[1]),
                    format!("{db} -> {da}"),
                    r.movers.to_string(),
                ]);
            }
            table(f, &rows)?;
        }
        Ok(())
    }
}

/// The conventional reading of a PSI: `stable` (< 0.10), `watch` (< 0.25) or `shifted`.
///
/// ```
/// assert_eq!(riskgrade_engine::psi_band(0.05), "stable");
/// assert_eq!(riskgrade_engine::psi_band(0.1), "watch");
/// assert_eq!(riskgrade_engine::psi_band(0.3), "shifted");
/// ```
pub fn psi_band(psi: f64) -> &'static str {
    if psi < 0.10 {
        "stable"
    } else if psi < 0.25 {
        "watch"
    } else {
        "shifted"
    }
}

/// The population stability index between a baseline sample `a` and a sample `b`.
///
/// Bins are the baseline's deciles (ties merged, so a indicator with few
/// values gets one bin per value); empty bins count as 0.01% so the index stays finite.
///
/// ```
/// let a: Vec<f64> = (0..1000).map(|i| i as f64).collect();
/// assert!(riskgrade_engine::psi(&a, &a) < 1e-12);
/// let b: Vec<f64> = (0..1000).map(|i| (i as f64) * 1.5).collect();
/// assert!(riskgrade_engine::psi(&a, &b) > 0.25);
/// ```
pub fn psi(a: &[f64], b: &[f64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let mut sorted: Vec<f64> = a.iter().copied().filter(|x| !x.is_nan()).collect();
    if sorted.is_empty() {
        return 0.0;
    }
    sorted.sort_by(f64::total_cmp);
    let mut edges: Vec<f64> = (1..10)
        .map(|k| sorted[(k * sorted.len() / 10).min(sorted.len() - 1)])
        .collect();
    edges.dedup();
    let bin = |x: f64| edges.partition_point(|&e| e < x);
    let mut ca = vec![0f64; edges.len() + 1];
    let mut cb = vec![0f64; edges.len() + 1];
    for &x in a.iter().filter(|x| !x.is_nan()) {
        ca[bin(x)] += 1.0;
    }
    for &x in b.iter().filter(|x| !x.is_nan()) {
        cb[bin(x)] += 1.0;
    }
    let (na, nb) = (ca.iter().sum::<f64>(), cb.iter().sum::<f64>());
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    ca.iter()
        .zip(&cb)
        .map(|(x, y)| {
            let p = (x / na).max(1e-4);
            let q = (y / nb).max(1e-4);
            (q - p) * (q / p).ln()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;

    use super::*;
    use crate::{Grader, Options};
    use riskgrade_core::Enterprise;

    fn profiles() -> Vec<Enterprise> {
        serde_json::from_str(
            r#"[
  {"id": "E1", "industry": "F5211", "registered": "2012-04-01"},
  {"id": "E2", "industry": "F5211", "registered": "2012-04-01",
   "records": [{"kind": "dishonest_list", "date": "2026-03-01", "action": "entry"}]},
  {"id": "E3", "industry": "F5211", "registered": "2015-06-01",
   "records": [{"kind": "penalty", "date": "2026-09-01", "severity": "major", "amount": 50000}]},
  {"id": "E4", "industry": "C1391", "registered": "2010-01-01",
   "records": [{"kind": "judgment_defaulter", "date": "2025-12-01", "action": "entry"}]},
  {"id": "E5", "industry": "F5211", "registered": "2011-01-01"}
]"#,
        )
        .unwrap()
    }

    fn grade(rules: bool) -> Grades {
        let grader = Grader::new(Arc::new(riskgrade_model::examples::reference().unwrap()));
        grader
            .grade_profiles(
                &profiles(),
                "2026-11-01".parse().unwrap(),
                &Options::default().rules(rules),
            )
            .unwrap()
    }

    #[test]
    fn matrix_counts_match_the_two_batches() {
        let (before, after) = (grade(false), grade(true));
        let c = compare(&before, &after).unwrap();
        assert_eq!(c.classes(), ["A", "B", "C", "D"]);
        assert_eq!(c.total(), 5);
        assert_eq!(c.matrix().len(), 5);
        for r in 0..5 {
            let from = before.class(r);
            let to = after.class(r);
            assert!(c.count(from, to) >= 1, "row {r}: {from:?} -> {to:?}");
        }
        // Row sums are the classes before, column sums the classes after.
        for (i, name) in c.classes().iter().enumerate() {
            let b = (0..5).filter(|&r| before.class(r) == Some(name)).count();
            let a = (0..5).filter(|&r| after.class(r) == Some(name)).count();
            assert_eq!(
                (c.counts_before()[i], c.counts_after()[i]),
                (b, a),
                "{name}"
            );
        }
        assert_eq!(c.counts_before()[4], 0);
        // The two vetoes move E2 and E4 to D; the diagonal holds everyone else.
        assert_eq!(c.counts_after()[3], 2);
        let diagonal: usize = (0..5).map(|i| c.matrix()[i][i]).sum();
        assert_eq!(diagonal + c.movers().len(), 5);
        assert_eq!(c.moved(Move::Riskier), c.movers().len());
        assert_eq!(c.moved(Move::Safer), 0);

        // The same batch against itself: everything on the diagonal.
        let same = compare(&after, &after).unwrap();
        assert!(same.movers().is_empty());
        assert_eq!(same.count(Some("D"), Some("D")), 2);
    }

    #[test]
    fn a_mover_names_the_rules_that_moved_it() {
        let (before, after) = (grade(false), grade(true));
        let c = compare(&before, &after).unwrap();
        let e2 = c.movers().iter().find(|m| m.id == "E2").unwrap();
        assert_eq!(e2.row, 1);
        assert_eq!(e2.class_after.as_deref(), Some("D"));
        assert_eq!(e2.rules_only_after, ["veto_dishonest_list"]);
        assert!(e2.rules_only_before.is_empty() && e2.rules_changed.is_empty());
        assert_eq!(e2.movement(), Move::Riskier);
        assert!(e2.steps.unwrap() > 0);
        let e4 = c.movers().iter().find(|m| m.id == "E4").unwrap();
        assert_eq!(e4.rules_only_after, ["veto_judgment_defaulter"]);
        assert_eq!(e4.model_after.as_deref(), Some("food"));

        // The other way round, the same rules fired only before.
        let back = compare(&after, &before).unwrap();
        let e2 = back.movers().iter().find(|m| m.id == "E2").unwrap();
        assert_eq!(e2.rules_only_before, ["veto_dishonest_list"]);
        assert_eq!(e2.movement(), Move::Safer);

        // Per rule: fired and decided counts on each side.
        let veto = c
            .rules()
            .iter()
            .find(|r| r.rule == "veto_dishonest_list")
            .unwrap();
        assert_eq!(veto.fired, [0, 1]);
        assert_eq!(veto.decided_total(), [0, 1]);
        assert_eq!(veto.decided[1][c.class_position("D").unwrap()], 1);
        assert_eq!(veto.movers, 1);

        // Industries from the frame, and the movers as columns.
        let set = after.model_set();
        let frame = Frame::from_profiles(
            &profiles(),
            set.schema(),
            after.as_of(),
            set.effect_periods(),
        );
        let c = c.with_industries(&frame).unwrap();
        let e4 = c.movers().iter().find(|m| m.id == "E4").unwrap();
        assert_eq!(e4.industry.as_deref(), Some("C1391"));
        let cols = c.movers_table();
        let col = |name: &str| cols.iter().find(|c| c.name == name).unwrap();
        assert_eq!(col("id").data.len(), c.movers().len());
        match &col("rules_only_after").data {
            OutData::Text(v) => assert!(v.contains(&Some("veto_dishonest_list".into()))),
            _ => panic!("text expected"),
        }

        let text = c.labels("without rules", "with rules").to_string();
        assert!(
            text.contains(
                "class migration of 5 enterprises: rows without rules, columns with rules"
            ),
            "{text}"
        );
        assert!(text.contains("+veto_dishonest_list"), "{text}");
        assert!(!text.contains("not graded"), "{text}");
        println!("{text}");
    }

    #[test]
    fn mismatched_batches_name_the_first_differing_row() {
        let grader = Grader::new(Arc::new(riskgrade_model::examples::reference().unwrap()));
        let as_of = "2026-11-01".parse().unwrap();
        let all = profiles();
        let before = grade(true);
        let mut swapped = all.clone();
        swapped.swap(2, 3);
        let after = grader
            .grade_profiles(&swapped, as_of, &Options::default())
            .unwrap();
        let e = compare(&before, &after).unwrap_err();
        assert_eq!(
            e,
            CompareError::DifferentRows {
                row: 2,
                before: Some("E3".into()),
                after: Some("E4".into()),
                before_len: 5,
                after_len: 5,
            }
        );
        assert_eq!(
            e.to_string(),
            "the batches differ at row 3: enterprise `E3` before, enterprise `E4` after; \
             a comparison needs the same enterprises in the same order"
        );

        let shorter = grader
            .grade_profiles(&all[..4], as_of, &Options::default())
            .unwrap();
        let e = compare(&before, &shorter).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the batches differ at row 5: enterprise `E5` before, no row after \
             (5 rows before, 4 after); a comparison needs the same enterprises in the same order"
        );

        // A frame of other enterprises cannot give the industries.
        let set = before.model_set();
        let frame = Frame::from_profiles(&swapped, set.schema(), as_of, set.effect_periods());
        let c = compare(&grade(false), &before).unwrap();
        assert_eq!(
            c.with_industries(&frame).unwrap_err().to_string(),
            "the frame differs from the compared batches at row 3: enterprise `E3` graded, `E4` in the frame"
        );
    }
}
