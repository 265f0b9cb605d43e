//! Streaming classification: batches graded and written one at a time, so
//! memory holds one batch (and one read ahead), never the whole input.

use std::path::Path;
use std::sync::Arc;

use riskgrade_core::{DataIssue, Date, Enterprise, Frame};
use riskgrade_io::{InputBatch, IoError, OutColumn, TableWriter, read_batches};
use riskgrade_model::{Cutoffs, ModelSet};

use crate::{EvalError, Grader, Grades, Options, ResultColumns, RuleStats, Summary, results_table};

/// Rows per batch [`classify_file`] reads when not told: large enough to
/// keep both cores busy, small enough that a batch's columns and results stay
/// a few tens of megabytes.
pub const DEFAULT_BATCH_ROWS: usize = 128 * 1024;

/// Why a streamed classification stopped.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// The input could not be read or the results could not be written.
    #[error(transparent)]
    Io(#[from] IoError),
    /// A batch could not be graded (rows in a strict error are the input's).
    #[error(transparent)]
    Eval(#[from] EvalError),
    /// A model cuts its classes by shares of the batch, so its classes depend
    /// on every score of the input: it needs the whole input in one batch.
    #[error(
        "model `{model}` cuts its classes by shares of the batch, which needs every score at once: grade the input whole, not streamed"
    )]
    ShareClasses {
        /// The model's id.
        model: String,
    },
}

/// What a streamed classification saw, over all its batches.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamReport {
    /// Counts per class over all rows, as [`Grades::summary`] gives for one batch.
    pub summary: Summary,
    /// Per-rule counts over all rows, in declaration order (empty when no rule ran).
    pub rule_stats: Vec<RuleStats>,
    /// Every bad value and rule failure, rows counted from the input's first row.
    pub issues: Vec<DataIssue>,
    /// Batches read from the input.
    pub batches: usize,
}

impl StreamReport {
    /// Whether every row was graded.
    pub fn all_graded(&self) -> bool {
        self.summary.failed == 0
    }
}

/// The first model of `set` whose classes are cut by shares, if any.
///
/// ```
/// let set = riskgrade_model::examples::reference()?;
/// assert_eq!(riskgrade_engine::share_model(&set), None);
/// # Ok::<(), riskgrade_model::ModelError>(())
/// ```
pub fn share_model(set: &ModelSet) -> Option<&str> {
    set.models()
        .iter()
        .find(|m| matches!(m.classes().cutoffs(), Cutoffs::Shares(_)))
        .map(|m| m.id())
}

/// Grades `batches` one at a time and hands each batch's results table to
/// `write`, in order; returns the summary, rule counts and issues over all
/// rows. Results are those of grading the whole input at once: the same rows
/// in the same order, with issue rows counted from the input's first row and
/// unreadable profiles last (as [`Frame::with_unreadable`] places them).
///
/// # Errors
/// [`StreamError::ShareClasses`] when a model of the set cuts classes by
/// shares (they need every score at once); [`StreamError::Io`] when a batch
/// cannot be read or `write` fails; [`StreamError::Eval`] when a batch cannot
/// be graded (a strict error names the input's row).
pub fn classify_batches<I, W>(
    set: &Arc<ModelSet>,
    batches: I,
    as_of: Date,
    options: &Options,
    columns: ResultColumns,
    mut write: W,
) -> Result<StreamReport, StreamError>
where
    I: IntoIterator<Item = Result<InputBatch, IoError>>,
    W: FnMut(Vec<OutColumn>) -> Result<(), IoError>,
{
    if let Some(model) = share_model(set) {
        return Err(StreamError::ShareClasses {
            model: model.to_string(),
        });
    }
    let grader = Grader::new(Arc::clone(set));
    let empty = || Frame::from_profiles(&[], set.schema(), as_of, set.effect_periods());
    // The counts start from an empty batch's: every class, at zero.
    let mut acc = Totals {
        summary: grader.grade(&empty(), as_of, options)?.summary(),
        rows: 0,
        batches: 0,
        rule_stats: Vec::new(),
        issues: Vec::new(),
    };
    let mut unreadable = Vec::new();
    let mut grade = |frame: Frame, profiles: Option<&[Enterprise]>| -> Result<(), StreamError> {
        let grades = grader
            .grade_with(&frame, profiles, as_of, options)
            .map_err(|e| {
                let offset = acc.rows;
                e.map_row(|r| r + offset)
            })?;
        write(results_table(&grades, &frame, columns))?;
        acc.add(&grades);
        Ok(())
    };
    let mut seen = 0usize;
    for batch in batches {
        seen += 1;
        match batch? {
            InputBatch::Columns(frame) => grade(frame, None)?,
            InputBatch::Profiles(p) => {
                unreadable.extend(p.unreadable());
                let frame =
                    Frame::from_profiles(&p.enterprises, set.schema(), as_of, set.effect_periods());
                grade(frame, Some(&p.enterprises))?;
            }
        }
    }
    if !unreadable.is_empty() || seen == 0 {
        // Unreadable profiles are rows too, after the others, as in a whole read.
        grade(empty().with_unreadable(unreadable), None)?;
    }
    let mut report = acc.report();
    // Batches read from the input; the unreadable profiles' rows are not one.
    report.batches = seen;
    report
        .summary
        .per_model
        .sort_by_key(|m| set.index_of(&m.model));
    Ok(report)
}

/// Grades the file `input` in batches of `batch_rows` rows (Parquet and JSON
/// Lines as they are read; CSV and JSON arrays whole) and writes the results
/// to `output` as they are graded (when given; the format by its extension).
/// The results file is put in place only when every batch was written.
///
/// ```
/// use std::sync::Arc;
/// use riskgrade_engine::{Options, ResultColumns, classify_file};
/// let set = Arc::new(riskgrade_model::examples::reference()?);
/// let dir = std::env::temp_dir().join(format!("riskgrade-stream-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let input = dir.join("in.jsonl");
/// std::fs::write(&input, "{\"id\":\"E1\",\"industry\":\"F5211\"}\n{\"id\":\"E2\",\"industry\":\n")?;
/// let out = dir.join("out.csv");
/// let report = classify_file(&set, &input, Some(&out), "2026-11-01".parse()?,
///     &Options::default(), ResultColumns::default(), 1)?;
/// assert_eq!((report.summary.total, report.summary.graded, report.batches), (2, 1, 2));
/// assert_eq!(report.issues[0].row, 1);
/// std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`classify_batches`], and [`StreamError::Io`] when `input` cannot be
/// opened or `output` created.
pub fn classify_file(
    set: &Arc<ModelSet>,
    input: &Path,
    output: Option<&Path>,
    as_of: Date,
    options: &Options,
    columns: ResultColumns,
    batch_rows: usize,
) -> Result<StreamReport, StreamError> {
    if let Some(model) = share_model(set) {
        return Err(StreamError::ShareClasses {
            model: model.to_string(),
        });
    }
    let batches = read_batches(input, set.schema(), batch_rows)?;
    let Some(output) = output else {
        return classify_batches(set, batches, as_of, options, columns, |_| Ok(()));
    };
    let mut out = TableWriter::create(output)?;
    let report = classify_batches(set, batches, as_of, options, columns, |t| out.write(&t))?;
    out.finish()?;
    Ok(report)
}

/// Running totals over the batches graded so far.
struct Totals {
    rows: usize,
    batches: usize,
    summary: Summary,
    rule_stats: Vec<RuleStats>,
    issues: Vec<DataIssue>,
}

impl Totals {
    fn add(&mut self, grades: &Grades) {
        let offset = self.rows;
        self.issues
            .extend(grades.issues().iter().map(|i| DataIssue {
                row: i.row + offset,
                ..i.clone()
            }));
        self.rows += grades.len();
        self.batches += 1;
        merge_summary(&mut self.summary, grades.summary());
        if self.rule_stats.is_empty() {
            self.rule_stats = grades.rule_stats().to_vec();
        } else {
            for (t, s) in self.rule_stats.iter_mut().zip(grades.rule_stats()) {
                t.matched += s.matched;
                t.fired += s.fired;
                t.points += s.points;
                t.forced += s.forced;
                t.decided += s.decided;
                t.labels += s.labels;
                t.alerts += s.alerts;
                t.errors += s.errors;
            }
        }
    }

    fn report(self) -> StreamReport {
        StreamReport {
            summary: self.summary,
            rule_stats: self.rule_stats,
            issues: self.issues,
            batches: self.batches,
        }
    }
}

/// Adds one batch's counts into the running summary.
fn merge_summary(total: &mut Summary, s: Summary) {
    total.total += s.total;
    total.graded += s.graded;
    total.failed += s.failed;
    total.insufficient += s.insufficient;
    for (name, count) in s.overall {
        match total.overall.iter_mut().find(|(n, _)| *n == name) {
            Some(e) => e.1 += count,
            None => total.overall.push((name, count)),
        }
    }
    for m in s.per_model {
        match total.per_model.iter_mut().find(|t| t.model == m.model) {
            Some(t) => {
                for (c, more) in t.classes.iter_mut().zip(&m.classes) {
                    c.2 += more.2;
                }
                t.insufficient += m.insufficient;
            }
            None => total.per_model.push(m),
        }
    }
}
