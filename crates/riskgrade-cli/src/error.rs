//! Failures and their exit codes: one table, applied by every command.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | input/output error: a file that cannot be opened, read or written |
//! | 2 | bad command line, including an output extension no writer knows, a request the store refuses and a store of another schema version (`riskgrade store upgrade` upgrades an older one) |
//! | 3 | bad model or definition file: a model set, rules, plan, rule-tests or AHP judgement file that does not parse (text that is not UTF-8 included) or does not validate |
//! | 4 | bad data: a data file (batch, outcomes, pool, shared results) that does not parse or lacks a column, any bad row with `--strict`, or no enterprise at all graded (an empty batch included) |
//! | 5 | partial success: some enterprises could not be graded, all the others were |
//! | 6 | rule tests failed |
//! | 7 | no draw |
//!
//! The README's table says the same; a test runs the binary for each row.

use std::path::Path;

use riskgrade::inspect::PlanError;
use riskgrade::store::StoreError;
use riskgrade::{EvalError, Grades, InspectionError, ModelError, MonthlyError, ShareError};

/// The exit codes, by name.
pub(crate) mod code {
    /// A file cannot be opened, read or written.
    pub(crate) const IO: u8 = 1;
    /// A bad command line.
    pub(crate) const USAGE: u8 = 2;
    /// A bad model or definition file.
    pub(crate) const DEFINITION: u8 = 3;
    /// Bad data, or nothing graded.
    pub(crate) const DATA: u8 = 4;
    /// Some enterprises could not be graded.
    pub(crate) const PARTIAL: u8 = 5;
    /// Rule tests failed.
    pub(crate) const TESTS_FAILED: u8 = 6;
    /// No draw.
    pub(crate) const NO_DRAW: u8 = 7;
}

/// A failure with its exit code.
pub(crate) struct Failure {
    /// The process exit code.
    pub(crate) code: u8,
    /// What is printed after `error: `.
    pub(crate) message: String,
}

impl Failure {
    /// A bad command line (exit 2).
    pub(crate) fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: code::USAGE,
            message: message.into(),
        }
    }
    /// A bad model (exit 3).
    pub(crate) fn model(e: impl std::fmt::Display) -> Failure {
        Failure::definition("model", e)
    }
    /// A bad definition file of the given kind (`model`, `plan`, `rule tests`, …; exit 3).
    pub(crate) fn definition(kind: &str, e: impl std::fmt::Display) -> Failure {
        Failure {
            code: code::DEFINITION,
            message: format!("bad {kind}: {e}"),
        }
    }
    /// Bad data (exit 4).
    pub(crate) fn data(e: impl std::fmt::Display) -> Failure {
        Failure {
            code: code::DATA,
            message: format!("bad data: {e}"),
        }
    }
    /// An input/output error (exit 1).
    pub(crate) fn io(e: impl std::fmt::Display) -> Failure {
        Failure {
            code: code::IO,
            message: e.to_string(),
        }
    }
}

/// 0 when every enterprise was graded, 5 when some were, 4 when none was — an empty batch
/// included: no enterprise at all could be graded.
pub(crate) fn exit_code(grades: &Grades) -> u8 {
    let graded = (0..grades.len()).filter(|&r| grades.is_graded(r)).count();
    if graded == 0 {
        code::DATA
    } else if graded == grades.len() {
        0
    } else {
        code::PARTIAL
    }
}

/// The text of a definition file (rule tests, AHP judgements): a file that cannot be read is
/// an input/output error (1), text that is not UTF-8 a bad definition (3), with its line.
pub(crate) fn read_definition(kind: &str, path: &Path) -> Result<String, Failure> {
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::io(format!("cannot read `{}`: {e}", path.display())))?;
    String::from_utf8(bytes).map_err(|e| Failure::definition(kind, not_utf8(path, e.as_bytes())))
}

/// Where a file's text stops being UTF-8, as `` `file` line N: … ``.
fn not_utf8(path: &Path, bytes: &[u8]) -> String {
    let good = std::str::from_utf8(bytes).map_or_else(|e| e.valid_up_to(), |_| bytes.len());
    let line = 1 + bytes[..good].iter().filter(|&&b| b == b'\n').count();
    format!(
        "`{}` line {line}: text is not valid UTF-8, save the file as UTF-8",
        path.display()
    )
}

/// A file a loader could not read: when it can be read but is not UTF-8, a bad definition
/// (3); otherwise an input/output error (1) with the loader's message.
pub(crate) fn unreadable_file(kind: &str, path: &Path, e: impl std::fmt::Display) -> Failure {
    match std::fs::read(path) {
        Ok(bytes) if std::str::from_utf8(&bytes).is_err() => {
            Failure::definition(kind, not_utf8(path, &bytes))
        }
        _ => Failure::io(e),
    }
}

/// A model set that could not be loaded: unreadable (1) or bad (3).
pub(crate) fn model_failure(e: ModelError) -> Failure {
    match &e {
        ModelError::Io { file, .. } => unreadable_file("model", &file.clone(), e),
        _ => Failure::model(e),
    }
}

/// A plan that could not be loaded: unreadable (1) or bad (3).
pub(crate) fn plan_failure(e: PlanError) -> Failure {
    match &e {
        PlanError::Io { file, .. } => unreadable_file("plan", &file.clone(), e),
        _ => Failure::definition("plan", e),
    }
}

/// A data file's reading error: unreadable (1) or bad data (4).
pub(crate) fn read_failure(e: riskgrade::io::IoError) -> Failure {
    match e {
        riskgrade::io::IoError::Io { .. } => Failure::io(e),
        other => Failure::data(other),
    }
}

/// A grading error: the data's fault (4) or the machine's (1).
pub(crate) fn eval_failure(e: EvalError) -> Failure {
    match e {
        EvalError::MissingColumn { .. }
        | EvalError::RuleColumn { .. }
        | EvalError::Rule { .. }
        | EvalError::Strict { .. }
        | EvalError::AsOfMismatch { .. } => Failure::data(e),
        other => Failure::io(other),
    }
}

/// A store error: a refused request or a store of another schema version, which the command
/// cannot use as it is (2), or an input/output error (1).
pub(crate) fn store_failure(e: StoreError) -> Failure {
    match e {
        StoreError::Invalid(request) => Failure::usage(request.to_string()),
        StoreError::NoStore { ref file } => Failure::usage(format!(
            "{e}; `riskgrade run --store {}` creates one",
            file.display()
        )),
        e @ (StoreError::OlderSchema { .. } | StoreError::NewerSchema { .. }) => {
            Failure::usage(e.to_string())
        }
        other => Failure::io(other),
    }
}

/// A monthly run's error.
pub(crate) fn monthly_failure(e: MonthlyError) -> Failure {
    match e {
        MonthlyError::Eval(e) => eval_failure(e),
        MonthlyError::Store(e) => store_failure(e),
        e @ (MonthlyError::DuplicateIds { .. } | MonthlyError::NothingGraded { .. }) => {
            Failure::data(e)
        }
        e @ MonthlyError::DrawnPeriod { .. } => Failure::usage(e.to_string()),
        e => Failure::io(e),
    }
}

/// An inspection error; a draw that cannot be made exits 7.
pub(crate) fn inspection_failure(e: InspectionError) -> Failure {
    match e {
        InspectionError::Store(e) => store_failure(e),
        InspectionError::Io(e) => read_failure(e),
        e @ (InspectionError::MissingColumn { .. }
        | InspectionError::Value { .. }
        | InspectionError::StoredPlan { .. }
        | InspectionError::CommitmentPlan { .. }) => Failure::data(e),
        e @ (InspectionError::Draw(_)
        | InspectionError::NoDrawsInYear { .. }
        | InspectionError::CandidatesChanged { .. }) => Failure {
            code: code::NO_DRAW,
            message: format!("no draw: {e}"),
        },
        e => Failure::io(e),
    }
}

/// An export or import error: a shared file that does not parse and one that breaks the
/// schema are both bad data (4).
pub(crate) fn share_failure(e: ShareError) -> Failure {
    match e {
        ShareError::Io(e) => read_failure(e),
        ShareError::Store(e) => store_failure(e),
        e @ (ShareError::NoSuchPeriod { .. } | ShareError::PeriodExists { .. }) => {
            Failure::usage(e.to_string())
        }
        e => Failure::data(e),
    }
}
