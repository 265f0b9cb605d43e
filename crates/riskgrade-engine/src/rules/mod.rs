//! The rules pass: after scoring and classing, each graded enterprise meets
//! the set's rules in their running order. A rule's `when` condition is checked
//! against the batch's columns; only where it holds does the script run, with
//! the variables it reads and the values of its helper calls. Actions are
//! resolved into the final score and class, and kept as the row's trace.
//!
//! | module | owns |
//! |---|---|
//! | `bind` | conditions and variables bound to the batch's columns, checked and read per row |
//! | `sites` | the values of helper calls: profile features, matching columns, indicator points, licence issuers |
//! | `row` | one enterprise's rules in order, actions folded into its state, class outcomes |
//! | `compiled` | rules with a plan, applied without scope or interpreter (falling back to it where it would fail) |
//! | `trace` | the batch's effects as indices into per-batch tables, made into [`Effect`]s on demand |
//! | `stats` | per-rule counts, effects and rule errors gathered for the batch |
//!
//! Rows are taken in chunks of [`CHUNK`]; each chunk writes its rows'
//! effects into flat buffers, so no row allocates for its trace.

mod bind;
mod compiled;
mod row;
mod sites;
mod stats;
pub(crate) mod trace;

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Instant;

use rayon::prelude::*;
use riskgrade_core::{Column, DataIssue, Date, Enterprise, Frame, InputType, did_you_mean};
use riskgrade_model::ModelSet;
use riskgrade_rules::{Action, ErrorPolicy, ImmutableString, Rules};

use crate::error::EvalError;
use crate::grade::inputs::LeafData;
use bind::{Access, Bound};
use compiled::Compiled;
use row::{ChunkOut, Scratch};
use sites::SiteSrc;
use trace::Trace;

/// Rows per chunk of the rules pass.
const CHUNK: usize = 1024;

/// What became of one action in the final grade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Applied (an adjustment, a class move, a label, an alert).
    Applied,
    /// This action decided the final class.
    Decided,
    /// A floor or cap the class already met.
    NoChange,
    /// A class action that lost to another rule's (named here).
    Overridden(String),
}

/// One effect of a rule on one enterprise: the action, where an alert went, and what came of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    /// The rule's id.
    pub rule: Arc<str>,
    /// What the rule did.
    pub action: Action,
    /// For alerts: the department it is routed to (`None` when no route matches).
    pub department: Option<String>,
    /// For alerts: why that department (谁审批、谁监管 / 谁主管、谁监管 / topic / default).
    pub basis: Option<String>,
    /// What came of it.
    pub outcome: Outcome,
}

impl Effect {
    /// The effect as a reason, e.g. `on the serious dishonest list -> D (veto_dishonest)`.
    pub fn text(&self) -> String {
        let mut out = String::new();
        push_text(
            &mut out,
            &self.rule,
            &self.action,
            self.department.as_deref(),
        );
        out
    }
}

/// Appends the reason text of `rule`'s `action` (an alert routed to `department`) to `out`.
pub(crate) fn push_text(out: &mut String, r: &str, action: &Action, department: Option<&str>) {
    use std::fmt::Write;
    let _ = match action {
        Action::ForceClass { class, reason } => write!(out, "{reason} -> {class} ({r})"),
        Action::AtLeast { class, reason } => write!(out, "{reason} -> at least {class} ({r})"),
        Action::AtMost { class, reason } => write!(out, "{reason} -> at most {class} ({r})"),
        Action::Adjust { points, reason } => {
            let sign = if *points >= 0.0 { "+" } else { "" };
            let p = riskgrade_core::format_number((points * 100.0).round() / 100.0);
            write!(out, "{reason}: {sign}{p} points ({r})")
        }
        Action::Shift { steps, reason } => {
            let n = steps.unsigned_abs();
            let dir = if *steps < 0 { "less" } else { "more" };
            let s = if n == 1 { "" } else { "es" };
            write!(out, "{reason}: {n} class{s} {dir} risky ({r})")
        }
        Action::Label { label } => write!(out, "label {label} ({r})"),
        Action::Alert {
            topic,
            message,
            severity,
        } => write!(
            out,
            "{} alert `{topic}` to {}: {message} ({r})",
            severity.name(),
            department.unwrap_or("nobody (no route)")
        ),
    };
}

/// Per-rule counts over a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleStats {
    /// The rule's id.
    pub rule: String,
    /// Whether it applied on the as-of date (enabled, effective, not expired).
    pub active: bool,
    /// Enterprises whose `when` condition held (the script ran).
    pub matched: usize,
    /// Enterprises it acted on.
    pub fired: usize,
    /// Points it added in total (negative: removed).
    pub points: f64,
    /// Enterprises whose class it forced.
    pub forced: usize,
    /// Enterprises whose final class it decided (forced, floored, capped).
    pub decided: usize,
    /// Labels it gave.
    pub labels: usize,
    /// Alerts it raised.
    pub alerts: usize,
    /// Enterprises it failed on.
    pub errors: usize,
}

/// What the rules pass returns for the batch.
pub(crate) struct RuleOutput {
    pub trace: Trace,
    pub stats: Vec<RuleStats>,
    pub issues: Vec<DataIssue>,
}

/// The current state of one enterprise while its rules run.
struct State {
    base: f64,
    adjust: f64,
    shift: i64,
    floor: Option<(usize, usize)>,
    cap: Option<(usize, usize)>,
    forced: Option<(usize, usize)>,
    score: f64,
    class: usize,
}

/// The rules pass over one batch: what it reads from the grading stages before it.
pub(crate) struct Pass<'a> {
    pub set: &'a ModelSet,
    pub frame: &'a Frame,
    pub profiles: Option<&'a [Enterprise]>,
    pub as_of: Date,
    pub model_of: &'a [u16],
    pub resolved: &'a [Vec<LeafData<'a>>],
    pub model_scores: &'a [Vec<f64>],
    pub thresholds: &'a [Vec<f64>],
    pub policy: ErrorPolicy,
    /// Set when the batch is to stop.
    pub cancelled: &'a (dyn Fn() -> bool + Sync),
    /// Called after each chunk with its number of rows, for progress.
    pub chunk_done: &'a (dyn Fn(usize) + Sync),
    /// Per model, the catalog's index of each of its classes ([`class_map`]).
    pub class_map: Vec<Vec<usize>>,
    /// The models' ids, shared with scripts without copying.
    pub model_ids: Vec<ImmutableString>,
    /// Whether rules with a plan run without the interpreter ([`crate::Options::compiled_rules`]).
    pub compiled: bool,
}

/// Per model of `set`, the index in the rules' catalog of each of its classes.
pub(crate) fn class_map(set: &ModelSet) -> Vec<Vec<usize>> {
    let names = set.rules().catalog().class_names();
    set.models()
        .iter()
        .map(|m| {
            m.classes()
                .names()
                .iter()
                .map(|c| names.iter().position(|x| x == c).unwrap_or(usize::MAX))
                .collect()
        })
        .collect()
}

/// Checks that `frame` has a column for every input a rule of `set` reads
/// (in its `when` condition or its script), as the rules pass would.
pub(crate) fn check_columns(set: &ModelSet, frame: &Frame) -> Result<(), EvalError> {
    for (input, rule) in set.rules().inputs_read() {
        column_of(frame, input, rule.id())?;
    }
    Ok(())
}

fn column_of<'a>(
    frame: &'a Frame,
    name: &str,
    rule: &str,
) -> Result<(InputType, &'a Column), EvalError> {
    frame.column(name).ok_or_else(|| EvalError::RuleColumn {
        input: name.to_string(),
        rule: rule.to_string(),
        suggestion: did_you_mean(name, frame.columns().map(|(n, _, _)| n)).map(str::to_string),
    })
}

/// The rules bound to the batch once, before any row.
struct Prepared<'a> {
    /// The rules in effect on the as-of date, in running order.
    active: Vec<usize>,
    /// Per rule, its `when` condition bound to the columns.
    bound: Vec<Option<Bound<'a>>>,
    /// Per rule, how each variable its script reads is read.
    accesses: Vec<Vec<Access<'a>>>,
    /// Per rule, where each of its helper calls' values comes from.
    sites: Vec<Vec<SiteSrc<'a>>>,
    /// Per rule, its id, shared by its effects.
    ids: Vec<Arc<str>>,
    /// Per rule, its plan when it runs compiled.
    compiled: Vec<Option<Compiled<'a>>>,
    /// Per rule, whether its condition is checked a chunk of rows at a time
    /// ([`Pass::load_masks`]): the rule is active, its condition reads the batch
    /// alone, and rules run compiled.
    chunked: Vec<bool>,
    /// When the rules pass over the batch must stop running scripts.
    deadline: Instant,
    /// Under the `abort` policy, the first row known to have failed (rows
    /// after it are skipped, rows before it still run, so the error reported
    /// is always the first in row order).
    first_failed: AtomicUsize,
}

impl<'a> Pass<'a> {
    fn rules(&self) -> &'a Rules {
        self.set.rules()
    }

    /// Runs the rules over the graded rows; updates `score` and `class` in place.
    pub(crate) fn run(
        &self,
        score: &mut [f64],
        class: &mut [u8],
        graded: &(dyn Fn(usize) -> bool + Sync),
    ) -> Result<RuleOutput, EvalError> {
        let n = score.len();
        let prep = self.prepare()?;
        let (base, classes) = (&*score, &*class);
        let outs: Vec<ChunkOut> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map_init(Scratch::default, |scratch, c| {
                let mut out = ChunkOut::default();
                if (self.cancelled)() {
                    return out;
                }
                let rows = c * CHUNK..n.min((c + 1) * CHUNK);
                let len = rows.len();
                self.load_masks(&prep, rows.start, len, scratch);
                for r in rows.filter(|&r| graded(r)) {
                    self.row(&prep, r, (base[r], classes[r]), scratch, &mut out);
                }
                (self.chunk_done)(len);
                out
            })
            .collect();

        if (self.cancelled)() {
            return Err(EvalError::Cancelled);
        }
        self.abort_on_error(&outs)?;
        Ok(self.tally(outs, score, class, prep.ids.clone()))
    }

    /// Binds every rule's condition, variables and helper calls to the batch.
    fn prepare(&self) -> Result<Prepared<'a>, EvalError> {
        let rules = self.rules();
        let started = Instant::now();
        let active: Vec<usize> = rules
            .order()
            .iter()
            .copied()
            .filter(|&i| rules.rules()[i].spec().applies(self.as_of))
            .collect();
        let mut bound = Vec::with_capacity(rules.len());
        let mut accesses = Vec::with_capacity(rules.len());
        let mut sites = Vec::with_capacity(rules.len());
        for rule in rules.rules() {
            let id = rule.id();
            bound.push(rule.guard().map(|g| self.bind(g, id)).transpose()?);
            accesses.push(
                rule.vars()
                    .iter()
                    .map(|v| self.access(v, id))
                    .collect::<Result<Vec<_>, _>>()?,
            );
            sites.push(
                rule.sites()
                    .iter()
                    .map(|s| self.site_src(s.helper, &s.args, s.feature.as_ref()))
                    .collect::<Vec<_>>(),
            );
        }
        let ids: Vec<Arc<str>> = rules.rules().iter().map(|r| Arc::from(r.id())).collect();
        let compiled = (0..rules.len()).map(|ri| self.compiled(ri)).collect();
        let chunked = bound
            .iter()
            .enumerate()
            .map(|(ri, b)| {
                self.compiled
                    && active.contains(&ri)
                    && b.as_ref().is_some_and(Self::reads_batch_only)
            })
            .collect();
        Ok(Prepared {
            active,
            bound,
            accesses,
            sites,
            ids,
            compiled,
            chunked,
            deadline: started + rules.limits().batch(),
            first_failed: AtomicUsize::new(usize::MAX),
        })
    }

    /// Under the `abort` policy, the first failing row, in row order, stops the batch.
    fn abort_on_error(&self, outs: &[ChunkOut]) -> Result<(), EvalError> {
        if self.policy == ErrorPolicy::Abort
            && let Some(o) = outs
                .iter()
                .flat_map(|c| &c.rows)
                .find(|o| o.error.is_some())
            && let Some((_, e, _)) = &o.error
        {
            return Err(EvalError::Rule {
                row: o.row,
                id: self.frame.ids()[o.row].clone(),
                error: Box::new(e.clone()),
            });
        }
        Ok(())
    }
}
