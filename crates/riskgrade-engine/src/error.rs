//! Batch-level evaluation errors (row-level problems are [`riskgrade_core::DataIssue`]s instead).

use riskgrade_core::{DataIssue, Date};

/// Why a batch could not be graded at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// The batch has no column for an input that an indicator reads.
    #[error("no column `{input}` (read by indicator `{indicator}`){}", .suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    MissingColumn {
        /// The input.
        input: String,
        /// The indicator that reads it.
        indicator: String,
        /// The closest column name.
        suggestion: Option<String>,
    },
    /// Features were derived for one date and grading was asked for another.
    #[error("features were derived as of {derived} but grading was asked as of {requested}")]
    AsOfMismatch {
        /// The date the features were derived for.
        derived: Date,
        /// The date asked for.
        requested: Date,
    },
    /// Strict mode and at least one bad row.
    #[error("strict mode: {count} bad value(s); the first: {first}")]
    Strict {
        /// How many issues.
        count: usize,
        /// The first one.
        first: DataIssue,
    },
    /// A rule reads an input the batch has no column for.
    #[error("no column `{input}` (read by rule `{rule}`){}", .suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    RuleColumn {
        /// The input.
        input: String,
        /// The rule that reads it.
        rule: String,
        /// The closest column name.
        suggestion: Option<String>,
    },
    /// A rule failed on an enterprise and the policy is `abort`.
    #[error("row {} (enterprise `{id}`): {error}", row + 1)]
    Rule {
        /// The row (0-based; messages count from 1, as issues do).
        row: usize,
        /// The enterprise id.
        id: String,
        /// The rule's error.
        error: Box<riskgrade_rules::RuleError>,
    },
    /// Strict mode and at least one enterprise with insufficient information
    /// (below its model's `[insufficient]` minimum).
    #[error("row {} (enterprise `{id}`): insufficient information for model `{model}`: {}{known} of the counted inputs known, {needed} needed ({count} enterprise(s) below the minimum)", row + 1, Missing(missing))]
    Insufficient {
        /// The first such row (0-based; messages count from 1, as issues do).
        row: usize,
        /// The enterprise id.
        id: String,
        /// The model that graded it.
        model: String,
        /// Its required inputs that are missing.
        missing: Vec<String>,
        /// How many counted inputs it has.
        known: usize,
        /// How many the model needs.
        needed: usize,
        /// How many enterprises of the batch are below the minimum.
        count: usize,
    },
    /// The batch was stopped through [`crate::Options::cancel_on`].
    #[error("the batch was cancelled")]
    Cancelled,
    /// No enterprise with this id in the batch.
    #[error("no enterprise `{0}` in the batch")]
    UnknownEnterprise(String),
}

impl EvalError {
    /// The error with the row it names (a strict error's first bad row, the row a rule failed
    /// on, the first row below the minimum evidence) counted by `f`: from a stream's first row
    /// rather than its batch's, or in the input's order when the rows were graded in another.
    ///
    /// ```
    /// use riskgrade_engine::EvalError;
    /// let e = EvalError::Insufficient {
    ///     row: 2, id: "E3".into(), model: "general".into(), missing: vec![], known: 1, needed: 5, count: 1,
    /// };
    /// assert!(e.map_row(|r| r + 100).to_string().starts_with("row 103 (enterprise `E3`)"));
    /// ```
    #[must_use]
    pub fn map_row(mut self, f: impl Fn(usize) -> usize) -> EvalError {
        match &mut self {
            EvalError::Strict { first, .. } => first.row = f(first.row),
            EvalError::Rule { row, .. } | EvalError::Insufficient { row, .. } => *row = f(*row),
            _ => {}
        }
        self
    }
}

/// `` `a`, `b` missing; `` (nothing when none is missing).
struct Missing<'a>(&'a [String]);

impl std::fmt::Display for Missing<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (k, name) in self.0.iter().enumerate() {
            write!(f, "{}`{name}`", if k == 0 { "" } else { ", " })?;
        }
        if !self.0.is_empty() {
            f.write_str(" missing; ")?;
        }
        Ok(())
    }
}
