//! Failures and their exit codes.
//!
//! 0 success, 1 input/output error, 2 bad command line, 3 bad model, 4 bad
//! data, 5 partial success, 6 rule tests failed, 7 no draw.

use riskgrade::store::StoreError;
use riskgrade::{EvalError, Grades, InspectionError, MonthlyError, ShareError};

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
            code: 2,
            message: message.into(),
        }
    }
    /// A bad model (exit 3).
    pub(crate) fn model(e: impl std::fmt::Display) -> Failure {
        Failure {
            code: 3,
            message: format!("bad model: {e}"),
        }
    }
    /// Bad data (exit 4).
    pub(crate) fn data(e: impl std::fmt::Display) -> Failure {
        Failure {
            code: 4,
            message: format!("bad data: {e}"),
        }
    }
    /// An input/output error (exit 1).
    pub(crate) fn io(e: impl std::fmt::Display) -> Failure {
        Failure {
            code: 1,
            message: e.to_string(),
        }
    }
}

/// 0 when every enterprise was graded, 5 when some were, 4 when none of a non-empty batch was.
pub(crate) fn exit_code(grades: &Grades) -> u8 {
    let graded = (0..grades.len()).filter(|&r| grades.is_graded(r)).count();
    if graded == grades.len() {
        0
    } else if graded == 0 {
        4
    } else {
        5
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

/// A store error: a refused request (2) or an input/output error (1).
pub(crate) fn store_failure(e: StoreError) -> Failure {
    match e {
        StoreError::Invalid(request) => Failure::usage(request.to_string()),
        other => Failure::io(other),
    }
}

/// A monthly run's error.
pub(crate) fn monthly_failure(e: MonthlyError) -> Failure {
    match e {
        MonthlyError::Eval(e) => eval_failure(e),
        MonthlyError::Store(e) => store_failure(e),
        e @ MonthlyError::DuplicateIds { .. } => Failure::data(e),
        e => Failure::io(e),
    }
}

/// An inspection error; a draw that cannot be made exits 7.
pub(crate) fn inspection_failure(e: InspectionError) -> Failure {
    match e {
        InspectionError::Store(e) => store_failure(e),
        InspectionError::Io(e) => Failure::io(e),
        e @ (InspectionError::MissingColumn { .. }
        | InspectionError::Value { .. }
        | InspectionError::StoredPlan { .. }) => Failure::data(e),
        e @ InspectionError::Draw(_) => Failure {
            code: 7,
            message: format!("no draw: {e}"),
        },
        e => Failure::io(e),
    }
}

/// An export or import error.
pub(crate) fn share_failure(e: ShareError) -> Failure {
    match e {
        ShareError::Io(e) => Failure::io(e),
        ShareError::Store(e) => store_failure(e),
        e @ ShareError::Schema { .. } => Failure::data(e),
        e @ (ShareError::NoSuchPeriod { .. } | ShareError::PeriodExists { .. }) => {
            Failure::usage(e.to_string())
        }
        e => Failure::io(e),
    }
}
