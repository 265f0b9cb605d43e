//! Batch grading, stage by stage: route ([`route`]) → resolve the inputs and
//! check required values ([`inputs`]) → score ([`score`]) → classes
//! ([`classes`]) → rules ([`crate::rules`]) → insufficient information
//! ([`insufficient`]) → dimension points and reasons ([`reasons`]). This
//! module holds [`Options`], [`Grader`] and the order of the stages.

mod classes;
pub(crate) mod inputs;
pub(crate) mod insufficient;
mod reasons;
mod route;
mod score;

use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use riskgrade_core::{DataIssue, Date, Enterprise, Frame, Problem};
use riskgrade_model::{Model, ModelSet, Source};
use riskgrade_rules::ErrorPolicy;

use crate::error::EvalError;
use crate::grades::Grades;
use crate::progress::{Progress, Reporter};
use crate::rules::RuleOutput;
use inputs::{LeafData, missing_column};
use route::Routed;

/// Options of a batch.
///
/// ```
/// use riskgrade_engine::Options;
/// let o = Options::default().strict(true).max_reasons(5).contributions(true);
/// assert!(o.is_strict());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    strict: bool,
    reasons: bool,
    contributions: bool,
    max_reasons: Option<usize>,
    rules: bool,
    compiled_rules: bool,
    on_rule_error: ErrorPolicy,
    cancel: Option<CancelFlag>,
    progress: Option<Progress>,
}

/// A flag another thread sets to stop a batch (e.g. on Ctrl-C); see [`Options::cancel_on`].
#[derive(Debug, Clone)]
struct CancelFlag(Arc<AtomicBool>);

impl PartialEq for CancelFlag {
    fn eq(&self, other: &CancelFlag) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for CancelFlag {}

impl Default for Options {
    fn default() -> Self {
        Options {
            strict: false,
            reasons: true,
            contributions: false,
            max_reasons: None,
            rules: true,
            compiled_rules: true,
            on_rule_error: ErrorPolicy::FailRow,
            cancel: None,
            progress: None,
        }
    }
}

impl Options {
    /// Fail the whole batch on the first bad row instead of reporting it and grading the others.
    pub fn strict(mut self, yes: bool) -> Self {
        self.strict = yes;
        self
    }
    /// Compute the top reasons per enterprise (default on).
    pub fn reasons(mut self, yes: bool) -> Self {
        self.reasons = yes;
        self
    }
    /// Keep every indicator's contribution per enterprise (default off; costs memory).
    pub fn contributions(mut self, yes: bool) -> Self {
        self.contributions = yes;
        self
    }
    /// At most `n` reasons per enterprise, overriding each model's `max_reasons`.
    pub fn max_reasons(mut self, n: usize) -> Self {
        self.max_reasons = Some(n);
        self
    }
    /// Run the model set's rules (default on); off grades by the indicators alone.
    pub fn rules(mut self, yes: bool) -> Self {
        self.rules = yes;
        self
    }
    /// Apply rules whose script compiled to a plan ([`riskgrade_rules::Rule::plan`])
    /// without the interpreter, and check the `when` conditions that read the batch
    /// alone a chunk of rows at a time (default on). Off runs every rule's script with
    /// the interpreter and checks every condition row by row: the grades, traces and
    /// statistics are the same, only slower; for tests that hold the two equal and for
    /// measurements.
    ///
    /// ```
    /// use riskgrade_engine::Options;
    /// assert_ne!(Options::default().compiled_rules(false), Options::default());
    /// ```
    pub fn compiled_rules(mut self, yes: bool) -> Self {
        self.compiled_rules = yes;
        self
    }
    /// What happens when a rule fails on an enterprise (default: that enterprise
    /// is not graded and its error is reported; the others go on).
    pub fn on_rule_error(mut self, policy: ErrorPolicy) -> Self {
        self.on_rule_error = policy;
        self
    }
    /// Stop the batch with [`EvalError::Cancelled`] soon after `flag` is set
    /// (it is checked between stages and between enterprises in the rules pass).
    ///
    /// ```
    /// use std::sync::{Arc, atomic::AtomicBool};
    /// use riskgrade_engine::{EvalError, Grader, Options};
    /// let flag = Arc::new(AtomicBool::new(true)); // already set
    /// let set = Arc::new(riskgrade_model::examples::reference().unwrap());
    /// let e = Grader::new(set).grade_profiles(&[], "2026-11-01".parse().unwrap(), &Options::default().cancel_on(flag));
    /// assert!(matches!(e, Err(EvalError::Cancelled)));
    /// ```
    pub fn cancel_on(mut self, flag: Arc<AtomicBool>) -> Self {
        self.cancel = Some(CancelFlag(flag));
        self
    }
    /// Calls `f(done, total)` as the batch goes: `(0, total)` first, then after
    /// each chunk of enterprises through its stages (scoring the indicators, the
    /// rules pass, the reasons; each counted as a third of the way), and
    /// `(total, total)` once the batch is graded. Counts never decrease; calls come from the grading
    /// threads one at a time. [`ControlFlow::Break`] stops the batch with
    /// [`EvalError::Cancelled`] within a chunk's time. The grades do not depend
    /// on the callback; without one, nothing is counted.
    ///
    /// ```
    /// use std::ops::ControlFlow;
    /// use std::sync::{Arc, Mutex};
    /// use riskgrade_engine::{EvalError, Grader, Options};
    /// let set = Arc::new(riskgrade_model::examples::reference().unwrap());
    /// let as_of = "2026-11-01".parse().unwrap();
    /// let seen = Arc::new(Mutex::new(Vec::new()));
    /// let s = Arc::clone(&seen);
    /// let o = Options::default().progress(move |done, total| {
    ///     s.lock().unwrap().push((done, total));
    ///     ControlFlow::Continue(())
    /// });
    /// Grader::new(Arc::clone(&set)).grade_profiles(&[], as_of, &o).unwrap();
    /// assert_eq!(*seen.lock().unwrap(), [(0, 0)]);
    /// // Breaking stops the batch.
    /// let o = Options::default().progress(|_, _| ControlFlow::Break(()));
    /// let e = Grader::new(set).grade_profiles(&[], as_of, &o);
    /// assert!(matches!(e, Err(EvalError::Cancelled)));
    /// ```
    pub fn progress(
        mut self,
        f: impl Fn(usize, usize) -> ControlFlow<()> + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(Progress::new(f));
        self
    }
    /// Whether strict mode is on.
    pub fn is_strict(&self) -> bool {
        self.strict
    }
    fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|c| c.0.load(Ordering::Relaxed))
    }
}
/// Grades batches with one compiled model set. Cheap to clone; `Send + Sync`.
///
/// ```
/// use std::sync::Arc;
/// use riskgrade_engine::{Grader, Options};
/// use riskgrade_core::Enterprise;
/// let set = Arc::new(riskgrade_model::examples::reference().unwrap());
/// let grader = Grader::new(set);
/// let e: Enterprise = serde_json::from_str(r#"{"id":"E1","industry":"F5211","registered":"2010-01-01",
///   "records":[{"kind":"penalty","date":"2026-06-01","severity":"major","amount":200000}]}"#).unwrap();
/// let as_of = "2026-11-01".parse().unwrap();
/// let grades = grader.grade_profiles(&[e], as_of, &Options::default()).unwrap();
/// assert!(grades.score(0).unwrap() > 0.0);
/// assert!(grades.reasons(0).len() <= 3);
/// ```
#[derive(Debug, Clone)]
pub struct Grader {
    set: Arc<ModelSet>,
}
impl Grader {
    /// A grader for `set`.
    pub fn new(set: Arc<ModelSet>) -> Grader {
        Grader { set }
    }

    /// The model set.
    pub fn model_set(&self) -> &Arc<ModelSet> {
        &self.set
    }

    /// Derives features from nested profiles as of `as_of` and grades them.
    ///
    /// # Errors
    /// As [`Grader::grade`].
    pub fn grade_profiles(
        &self,
        profiles: &[Enterprise],
        as_of: Date,
        options: &Options,
    ) -> Result<Grades, EvalError> {
        let frame = Frame::from_profiles(
            profiles,
            self.set.schema(),
            as_of,
            self.set.effect_periods(),
        );
        self.grade_with(&frame, Some(profiles), as_of, options)
    }

    /// Grades a columnar batch as of `as_of`.
    ///
    /// Rows with bad data (from loading, an unknown industry, a missing value
    /// whose policy is `error`, an unknown category) are reported in
    /// [`Grades::issues`] and left ungraded; every other row is graded.
    /// Results do not depend on row order or on the number of threads.
    ///
    /// # Errors
    /// [`EvalError::MissingColumn`] when the frame lacks an input column,
    /// [`EvalError::AsOfMismatch`] when the frame's features were derived for
    /// another date, and [`EvalError::Strict`] on any bad row in strict mode.
    pub fn grade(
        &self,
        frame: &Frame,
        as_of: Date,
        options: &Options,
    ) -> Result<Grades, EvalError> {
        self.grade_with(frame, None, as_of, options)
    }

    /// Checks that `frame` has a column for every input the set's indicators
    /// read and, when `options` run the rules, every input a rule reads: the
    /// errors [`Grader::grade_with`] would return for them, without grading.
    pub(crate) fn check_columns(&self, frame: &Frame, options: &Options) -> Result<(), EvalError> {
        for leaf in self.set.models().iter().flat_map(Model::leaves) {
            if let Source::Input { name, .. } = &leaf.source
                && frame.column(name).is_none()
            {
                return Err(missing_column(frame, name, leaf));
            }
        }
        if options.rules {
            crate::rules::check_columns(&self.set, frame)?;
        }
        Ok(())
    }

    /// Grades `frame`; `profiles`, when given, are the profiles its rows were
    /// derived from (in the same order), for rules that read records.
    ///
    /// # Errors
    /// As [`Grader::grade`], and [`EvalError::Rule`] when a rule fails under
    /// the `abort` policy, [`EvalError::RuleColumn`] when a rule reads an input the frame lacks.
    pub fn grade_with(
        &self,
        frame: &Frame,
        profiles: Option<&[Enterprise]>,
        as_of: Date,
        options: &Options,
    ) -> Result<Grades, EvalError> {
        let progress = Reporter::start(options.progress.as_ref(), frame.len());
        let stop = || -> Result<(), EvalError> {
            if options.cancelled() || progress.stopped() {
                Err(EvalError::Cancelled)
            } else {
                Ok(())
            }
        };
        stop()?;
        if let Some(d) = frame.as_of()
            && d != as_of
        {
            return Err(EvalError::AsOfMismatch {
                derived: d,
                requested: as_of,
            });
        }
        let batch = Batch {
            set: &self.set,
            as_of,
            options,
            progress: &progress,
        };
        let set = batch.set;
        let mut issues: Vec<DataIssue> = frame.issues().to_vec();
        let routed = route::route(set, frame, &mut issues);
        let resolved = inputs::resolve_inputs(set, frame, &routed, &mut issues)?;
        let bad = settle_issues(&mut issues, frame.len(), options.strict)?;
        let (scores, mut dims) =
            score::score_models(set, &resolved, &routed, as_of, frame.len(), &|rows| {
                progress.advance(rows)
            });
        progress.next_stage();
        stop()?;
        let model_of = &routed.model_of;
        let graded = |r: usize| model_of[r] != u16::MAX && !bad[r];
        let thresholds = classes::thresholds(set, &scores, model_of, &graded);
        let (score, class) = classes::final_classes(set, &scores, &thresholds, model_of, &graded);
        let mut row = RowGrades {
            score,
            class,
            bad,
            issues,
        };
        let scored = Scored {
            routed: &routed,
            resolved: &resolved,
            scores: &scores,
            thresholds: &thresholds,
        };
        let before_rules = needs_classes_before(set).then(|| row.class.clone());
        let (base_score, rule_out) = batch.apply_rules(frame, profiles, &scored, &mut row)?;
        progress.next_stage();
        stop()?;
        let shortages = {
            let bad = &row.bad;
            let graded = |r: usize| model_of[r] != u16::MAX && !bad[r];
            let before = before_rules.as_deref();
            insufficient::apply(set, frame, model_of, &graded, before, &mut row.class)
        };
        if options.strict
            && let Some(first) = shortages.rows().first()
        {
            return Err(strict_insufficient(set, frame, model_of, &shortages, first));
        }
        let bad = &row.bad;
        let graded = |r: usize| model_of[r] != u16::MAX && !bad[r];
        let (max_dims, dim_points) = classes::dimension_points(set, &routed, &mut dims, &graded);
        let explained = reasons::explain(
            &batch,
            &routed,
            &resolved,
            &scores,
            &graded,
            row.issues.is_empty(),
        );
        stop()?;
        progress.finish();
        stop()?;
        let (trace, rule_stats) = match rule_out {
            Some(o) => (o.trace, o.stats),
            None => (Default::default(), Vec::new()),
        };
        Ok(Grades {
            set: Arc::clone(&self.set),
            as_of,
            ids: frame.shared_ids(),
            model_of: routed.model_of,
            score: row.score,
            class: row.class,
            max_dims,
            dim_points,
            reason_stride: explained.stride,
            reasons: explained.reasons,
            reason_counts: explained.counts,
            max_leaves: explained.max_leaves,
            contributions: explained.contributions,
            issues: row.issues,
            thresholds,
            model_scores: scores,
            base_score,
            trace,
            rule_stats,
            shortages,
        })
    }
}

/// Whether a model's insufficient-information action needs the classes the
/// scores gave before the rules (`class`: a rule that raised the class keeps it).
fn needs_classes_before(set: &ModelSet) -> bool {
    set.models().iter().any(|m| {
        m.insufficient()
            .is_some_and(|p| p.action == riskgrade_model::InsufficientAction::Class)
    })
}

/// Strict mode's error for the first row with insufficient information.
fn strict_insufficient(
    set: &ModelSet,
    frame: &Frame,
    model_of: &[u16],
    shortages: &insufficient::Shortages,
    first: &insufficient::Short,
) -> EvalError {
    let r = first.row as usize;
    let model = &set.models()[usize::from(model_of[r])];
    let policy = model.insufficient();
    let view = policy.map(|p| shortages.view(first, p, model.classes().names()));
    EvalError::Insufficient {
        row: r,
        id: frame.ids().get(r).cloned().unwrap_or_default(),
        model: model.id().to_string(),
        missing: view
            .map(|v| v.missing_required().map(str::to_string).collect())
            .unwrap_or_default(),
        known: view.map_or(0, |v| v.known()),
        needed: policy.map_or(0, |p| p.min_known),
        count: shortages.rows().len(),
    }
}

/// What every stage of one batch reads.
struct Batch<'a> {
    set: &'a ModelSet,
    as_of: Date,
    options: &'a Options,
    progress: &'a Reporter<'a>,
}

/// The scoring stages' results that the rules pass reads.
struct Scored<'s, 'a> {
    routed: &'s Routed,
    resolved: &'s [Vec<LeafData<'a>>],
    scores: &'s [Vec<f64>],
    thresholds: &'s [Vec<f64>],
}

/// Each row's grade while the later stages refine it: final score and class,
/// whether it is left ungraded, and the batch's issues sorted by row.
struct RowGrades {
    score: Vec<f64>,
    class: Vec<u8>,
    bad: Vec<bool>,
    issues: Vec<DataIssue>,
}

/// Sorts and deduplicates the issues found so far; in strict mode the first
/// one fails the batch. Returns which rows have an issue (and are not graded).
fn settle_issues(
    issues: &mut Vec<DataIssue>,
    n: usize,
    strict: bool,
) -> Result<Vec<bool>, EvalError> {
    issues.sort_by(|a, b| a.row.cmp(&b.row).then_with(|| a.column.cmp(&b.column)));
    issues.dedup_by(|a, b| a.row == b.row && a.column == b.column && a.problem == b.problem);
    if strict && let Some(first) = issues.first() {
        return Err(EvalError::Strict {
            count: issues.len(),
            first: first.clone(),
        });
    }
    let mut bad = vec![false; n];
    for is in issues.iter().filter(|is| !is.problem.is_flag()) {
        bad[is.row] = true;
    }
    Ok(bad)
}

impl Batch<'_> {
    /// Stage 5: the rules (vetoes, floors and caps, adjustments, labels and
    /// alerts) over the graded rows, updating their score and class; a row a
    /// rule failed on is no longer graded. Returns the scores before the rules
    /// (empty when no rule ran) and the pass's output.
    fn apply_rules(
        &self,
        frame: &Frame,
        profiles: Option<&[Enterprise]>,
        scored: &Scored<'_, '_>,
        row: &mut RowGrades,
    ) -> Result<(Vec<f64>, Option<RuleOutput>), EvalError> {
        let set = self.set;
        if !self.options.rules || set.rules().is_empty() {
            return Ok((Vec::new(), None));
        }
        let base_score = row.score.clone();
        let model_of = &scored.routed.model_of;
        let pass = crate::rules::Pass {
            set,
            frame,
            profiles: profiles.filter(|p| p.len() <= frame.len()),
            as_of: self.as_of,
            model_of,
            resolved: scored.resolved,
            model_scores: scored.scores,
            thresholds: scored.thresholds,
            policy: self.options.on_rule_error,
            cancelled: &|| self.options.cancelled() || self.progress.stopped(),
            chunk_done: &|rows| self.progress.advance(rows),
            class_map: crate::rules::class_map(set),
            model_ids: set.models().iter().map(|m| m.id().into()).collect(),
            compiled: self.options.compiled_rules,
        };
        let bad = &row.bad;
        let graded = |r: usize| model_of[r] != u16::MAX && !bad[r];
        let mut out = pass.run(&mut row.score, &mut row.class, &graded)?;
        if !out.issues.is_empty() {
            for is in &out.issues {
                if !matches!(is.problem, Problem::Rule { skipped: true, .. }) {
                    row.bad[is.row] = true;
                }
            }
            row.issues.append(&mut out.issues);
            row.issues
                .sort_by(|a, b| a.row.cmp(&b.row).then_with(|| a.column.cmp(&b.column)));
        }
        Ok((base_score, Some(out)))
    }
}
