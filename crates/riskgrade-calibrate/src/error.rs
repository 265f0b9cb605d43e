//! [`CalibrateError`]: why a calibration could not be done, with the names and positions at fault.

use std::fmt;
use std::path::PathBuf;

use riskgrade_core::{Month, Position};
use riskgrade_model::ModelError;

/// Why a calibration could not be done.
///
/// Names (models, nodes, leaves), positions in judgement and outcome files and file paths are
/// fields, so that callers (the CLI, the Python binding) can point at the culprit; the message
/// reads as one sentence.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CalibrateError {
    /// The set has no model `wanted`, or has several and no default and none was named.
    #[error("{}", NoModelText { wanted: wanted.as_deref(), known })]
    NoModel {
        /// The model asked for (`None`: the set's default, and it has none).
        wanted: Option<String>,
        /// The models the set has.
        known: Vec<String>,
    },
    /// The model has no node at this path.
    #[error("model `{model}` has no node `{node}`{}", hint(suggestion.as_deref()))]
    NoNode {
        /// The model.
        model: String,
        /// The path asked for.
        node: String,
        /// The closest path the model has.
        suggestion: Option<String>,
    },
    /// A leaf was expected (e.g. a direction was given) at a path that is not a leaf.
    #[error("a direction is given for `{path}`, which is not a leaf of model `{model}`")]
    NotALeaf {
        /// The model.
        model: String,
        /// The path given.
        path: String,
    },
    /// No leaf lies below the node that limits the method.
    #[error("no leaf of model `{model}` lies below `{node}`")]
    NothingBelow {
        /// The model.
        model: String,
        /// The node.
        node: String,
    },
    /// A method name that is not known.
    #[error("method `{given}` is not known; use {}", Method::known())]
    UnknownMethod {
        /// The name given.
        given: String,
    },
    /// A setting that does not fit: a share out of range, shares or rates that do not fit the
    /// classes, data of another model, a missing input of the method.
    #[error("{message}")]
    Argument {
        /// The setting at fault (`holdout`, `expert_share`, `shares`, `rates`, `outcomes`, …).
        name: &'static str,
        /// What is wrong, and what to change.
        message: String,
    },
    /// A judgement file is malformed, or names children that do not fit the model.
    #[error("{at}: {message}")]
    Judgements {
        /// Where: the file and the line (and column) of the matrix or the syntax error.
        at: Position,
        /// What is wrong.
        message: String,
    },
    /// AHP judgements whose consistency ratio reaches the threshold.
    #[error("{}", Refused(refused))]
    Inconsistent {
        /// The refused matrices, in file order.
        refused: Vec<RefusedMatrix>,
    },
    /// An inspection outcome that cannot be read: no enterprise id, or a result that is not one.
    #[error("{}", OutcomeText { at, row: *row, column, message })]
    BadOutcome {
        /// The outcome file and its line, when the outcomes came from a file.
        at: Position,
        /// The outcome's row, from 0 (a file's line is `row + 2`, after the header).
        row: usize,
        /// The column: `enterprise`, `result` or `problem`.
        column: String,
        /// The text found, when there was one.
        value: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// An outcome table without the columns it needs.
    #[error("{}: no column `{column}`; an outcome file has the columns `enterprise` and `result` (problem, no_problem, not_reachable, refused) or `problem` (true/false)", file.display())]
    OutcomeColumns {
        /// The file.
        file: PathBuf,
        /// The column looked for (`enterprise`, or `result` or `problem`).
        column: &'static str,
    },
    /// No recorded outcome in a history store for the period.
    #[error("{}", if *draws == 0 {
        format!("no draw was made from period {period} in the store")
    } else {
        format!("the {draws} draw(s) from period {period} have no recorded outcome yet (`riskgrade outcomes`)")
    })]
    NoOutcomes {
        /// The period.
        period: Month,
        /// Draws made from it.
        draws: usize,
    },
    /// The method could not produce weights or cut-offs (too few rows, nothing varies, a rate
    /// out of reach, …).
    #[error("{message}")]
    Method {
        /// The method (`entropy`, `critic`, `logistic`, `ahp`, `cutoffs-shares`, `cutoffs-rates`).
        method: &'static str,
        /// Why.
        message: String,
    },
    /// The new version does not validate (a bug if it happens: the change is checked first).
    #[error("the new version does not validate: {0}")]
    Model(#[from] ModelError),
    /// An outcome table could not be read.
    #[error(transparent)]
    Table(#[from] riskgrade_io::IoError),
    /// The history store could not be read.
    #[error(transparent)]
    Store(#[from] riskgrade_store::StoreError),
    /// A new version cannot be written there (the folder holds the set already, a file lies
    /// outside the set's folder, the model is in a JSON file, …).
    #[error("{}: {message}", file.display())]
    Write {
        /// The file at fault.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Reading or writing files.
    #[error("{}: {message}", file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// What went wrong.
        message: String,
    },
}

use crate::Method;

/// One AHP matrix refused for its consistency ratio.
#[derive(Debug, Clone, PartialEq)]
pub struct RefusedMatrix {
    /// The judgement file and the line of the matrix.
    pub at: Position,
    /// The node whose children it compares (`None`: the top level).
    pub node: Option<String>,
    /// Its consistency ratio.
    pub cr: f64,
    /// The report: CR, λmax, the most inconsistent judgements and what would agree.
    pub message: String,
}

struct Refused<'a>(&'a [RefusedMatrix]);

impl fmt::Display for Refused<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            f.write_str(&r.message)?;
        }
        Ok(())
    }
}

fn hint(s: Option<&str>) -> String {
    s.map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

struct NoModelText<'a> {
    wanted: Option<&'a str>,
    known: &'a [String],
}

impl fmt::Display for NoModelText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids = self
            .known
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", ");
        match self.wanted {
            Some(w) => write!(f, "the set has no model `{w}`; it has {ids}"),
            None => write!(
                f,
                "the set has several models ({ids}) and no default: say which one"
            ),
        }
    }
}

struct OutcomeText<'a> {
    at: &'a Position,
    row: usize,
    column: &'a str,
    message: &'a str,
}

impl fmt::Display for OutcomeText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at.file {
            Some(file) => write!(f, "{}: row {}", file.display(), self.at.line)?,
            None => write!(f, "outcomes: row {}", self.row + 1)?,
        }
        write!(f, ", column `{}`: {}", self.column, self.message)
    }
}

impl CalibrateError {
    /// A setting that does not fit.
    pub(crate) fn argument(name: &'static str, message: impl Into<String>) -> CalibrateError {
        CalibrateError::Argument {
            name,
            message: message.into(),
        }
    }

    /// A method that could not produce weights or cut-offs.
    pub(crate) fn method(method: &'static str, message: impl Into<String>) -> CalibrateError {
        CalibrateError::Method {
            method,
            message: message.into(),
        }
    }

    /// A malformed judgement file at `at`.
    pub(crate) fn judgements(at: Position, message: impl Into<String>) -> CalibrateError {
        CalibrateError::Judgements {
            at,
            message: message.into(),
        }
    }
}
