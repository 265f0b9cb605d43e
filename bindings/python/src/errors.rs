//! The exception tree and the mapping of every Rust error into it, with structured attributes.
//!
//! | Rust error | Python exception | attributes |
//! |---|---|---|
//! | `ModelError::Io` | `ModelError` | `file` |
//! | `ModelError::Syntax` | `ModelError` | `file`, `line`, `column` |
//! | `ModelError::Invalid` | `ModelError` | `model`, `path` |
//! | `ModelError::Set` | `ModelError` | — |
//! | `ModelError::Rule` | as `RuleError` | |
//! | `RuleError::Compile`, `When`, `DuplicateId`, `BadId` | `RuleCompileError` | `rule_id`, `file`, `line`, `column` |
//! | `SetProblem::{ScriptAndFile, BadRuleId, DuplicateRule, ScriptFile}` | `RuleCompileError` | `rule_id`, `file`, `line`, `column` |
//! | `RuleError::Runtime` | `EvaluationError` | `rule_id`, `file`, `line`, `column` |
//! | `EvalError::MissingColumn`, `RuleColumn` | `DataError` | `column` (the input) |
//! | `EvalError::AsOfMismatch` | `DataError` | `column = "as_of"` |
//! | `EvalError::Strict` | `DataError` | `row`, `column` |
//! | `EvalError::Insufficient` (strict, a row below its model's minimum evidence) | `DataError` | `row`, `id`, `model` |
//! | `EvalError::Rule` | `EvaluationError` | `row`, `rule_id`, `file`, `line`, `column` |
//! | `EvalError::UnknownEnterprise` | `EvaluationError` | — |
//! | `EvalError::Cancelled` | `KeyboardInterrupt` | |
//! | `IoError::*` | `DataError` | `file`, `line`, `column` (a column name) when known |
//! | `CompareError::DifferentRows`, `DifferentFrame` | `EvaluationError` | `row` |
//! | `CompareError::FrameSize` | `EvaluationError` | — |
//! | `CompareError::Grade` | as its `EvalError` | plus `side` |
//! | `CalibrateError::{NoModel, NoNode, NotALeaf, NothingBelow}` | `ValueError` | `model`, `node` |
//! | `CalibrateError::{UnknownMethod, Argument}` | `ValueError` | `argument` |
//! | `CalibrateError::BadOutcome` | `DataError` | `row`, `column`, `value`, `file`, `line` |
//! | `CalibrateError::{OutcomeColumns, NoOutcomes, Judgements, Write, Io}` | `DataError` | `file`, `line`, `column` when known |
//! | `CalibrateError::{Method, Inconsistent}` | `DataError` | `method` |
//! | `CalibrateError::Model`, `Table` | as the model or I/O error | |
//! | `CalibrateError::Store` | `DataError` | — |
//! | `RuleTestError` | `DataError` | `file`, `line`, `column` |
//! | `DateError` | `DataError` | `column = "as_of"` |
//! | `StoreError` (a `Store`'s): no such period, draw, decision or commitment | `KeyError` | `period`, `draw`, `decision` or `commitment`; `file` |
//! | `StoreError`: an outcome without an open task | `DataError` | `row`, `column = "enterprise"`, `value`, `file` |
//! | `StoreError`: any other refusal, a file that is not a store | `DataError` | `file` (the store) |
//! | `InspectionError::Value` (a pool's cell) | `DataError` | `row` (from 0), `column`, `file` |
//! | `InspectionError::{Draw, CandidatesChanged, StoredPlan, …}` | `DataError` | `file` (the store) |
//! | `PlanError` | `DataError` | `file`, `line` |
//! | `MonthlyError::Eval`, `Store`; the others | as the grading or store error; `DataError` | |
//! | a variant added later to a `#[non_exhaustive]` enum | `RiskgradeError` | — |
//!
//! Rows count from 0, as `DataFrame.iloc` does, in `row` and in the message alike
//! ([`zero_based`]); the exceptions are named `riskgrade.DataError` and so on.

use std::path::Path;

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyKeyboardInterrupt, PyValueError};
use pyo3::prelude::*;
use riskgrade::calibrate::CalibrateError;
use riskgrade::io::{ARROW_SOURCE, IoError, TEXT_SOURCE};
use riskgrade::{
    CompareError, EvalError, ModelError as SetError, ModelProblem, Position, RuleError,
    RuleTestError, SetProblem,
};

create_exception!(
    riskgrade,
    RiskgradeError,
    PyException,
    "Base class of every riskgrade error."
);
create_exception!(
    riskgrade,
    ModelError,
    RiskgradeError,
    "A model or model set that cannot be loaded; `file`, `line`, `column`, or `model` and `path`, when known."
);
create_exception!(
    riskgrade,
    RuleCompileError,
    ModelError,
    "A rule that does not compile; `rule_id`, `file`, `line`, `column`."
);
create_exception!(
    riskgrade,
    DataError,
    RiskgradeError,
    "Input data that cannot be graded; `row`, `column`, `file`, `line` and `value` when known."
);
create_exception!(
    riskgrade,
    EvaluationError,
    RiskgradeError,
    "A batch that could not be evaluated; `row`, `rule_id`, `file`, `line`, `column` when a rule stopped it."
);

/// The structured attributes of each exception class. Each is `None` on the class, so that
/// an attribute a particular error does not know reads as `None`, never raises
/// `AttributeError`; subclasses inherit their base's.
const ATTRIBUTES: [(&str, &[&str]); 4] = [
    ("ModelError", &["file", "line", "column", "model", "path"]),
    ("RuleCompileError", &["rule_id"]),
    (
        "DataError",
        &[
            "row", "column", "file", "line", "value", "id", "model", "method", "side",
        ],
    ),
    (
        "EvaluationError",
        &["row", "rule_id", "file", "line", "column", "side"],
    ),
];

/// Sets every structured attribute of every exception class to `None` on the class.
pub(crate) fn declare_attributes(py: Python<'_>) -> PyResult<()> {
    for (class, names) in ATTRIBUTES {
        let ty = match class {
            "ModelError" => py.get_type::<ModelError>(),
            "RuleCompileError" => py.get_type::<RuleCompileError>(),
            "DataError" => py.get_type::<DataError>(),
            _ => py.get_type::<EvaluationError>(),
        };
        for name in names {
            ty.setattr(*name, py.None())?;
        }
    }
    Ok(())
}

/// An attribute's value on an exception.
#[derive(Clone)]
pub(crate) enum Attr {
    /// `None` in Python.
    None,
    /// An `int`.
    Int(usize),
    /// A `str`.
    Text(String),
}

impl Attr {
    /// A text, or `None`.
    fn text(s: Option<impl Into<String>>) -> Attr {
        s.map_or(Attr::None, |s| Attr::Text(s.into()))
    }

    /// A one-based line or column, `None` when 0 (unknown).
    fn position(n: usize) -> Attr {
        if n == 0 { Attr::None } else { Attr::Int(n) }
    }

    /// A file, `None` for in-memory sources.
    fn file(f: &Path) -> Attr {
        let s = f.display().to_string();
        if s == TEXT_SOURCE || s == ARROW_SOURCE {
            Attr::None
        } else {
            Attr::Text(s)
        }
    }
}

/// Sets attributes on an exception.
pub(crate) fn with_attrs(err: PyErr, attrs: &[(&str, Attr)]) -> PyErr {
    Python::attach(|py| {
        let value = err.value(py);
        for (name, v) in attrs {
            let obj: Py<PyAny> = match v {
                Attr::None => py.None(),
                Attr::Int(n) => {
                    let Ok(n) = n.into_pyobject(py);
                    n.into_any().unbind()
                }
                Attr::Text(s) => {
                    let Ok(s) = s.into_pyobject(py);
                    s.into_any().unbind()
                }
            };
            let _ = value.setattr(*name, obj);
        }
    });
    err
}

/// A message that names `row` the way Python does: from 0, as `DataFrame.iloc` counts, so that
/// the message and the exception's `row` agree. The library's messages count rows from 1 (as a
/// file's lines and the CLI do); the first `row N` naming this row is rewritten.
pub(crate) fn zero_based(message: &str, row: usize) -> String {
    let from_one = format!("row {}", row + 1);
    let mut start = 0;
    while let Some(i) = message[start..].find(&from_one) {
        let at = start + i;
        let end = at + from_one.len();
        let before_ok = at == 0 || !message.as_bytes()[at - 1].is_ascii_alphanumeric();
        let after_ok = message
            .as_bytes()
            .get(end)
            .is_none_or(|b| !b.is_ascii_digit());
        if before_ok && after_ok {
            return format!("{}row {row}{}", &message[..at], &message[end..]);
        }
        start = end;
    }
    message.to_string()
}

/// A `DataError` with its usual attributes (`row`, `column`, `file`, `line`, `value`); a message
/// naming the row names it from 0, as `row` does.
pub(crate) fn data_error(message: String, row: Option<usize>, column: Option<&str>) -> PyErr {
    let message = match row {
        Some(r) => zero_based(&message, r),
        None => message,
    };
    with_attrs(
        DataError::new_err(message),
        &[
            ("row", row.map_or(Attr::None, Attr::Int)),
            ("column", Attr::text(column)),
            ("file", Attr::None),
            ("line", Attr::None),
            ("value", Attr::None),
        ],
    )
}

/// A `DataError` about the grading date.
pub(crate) fn date_err(e: &riskgrade::DateError) -> PyErr {
    data_error(format!("as_of: {e}"), None, Some("as_of"))
}

/// A model-set error.
pub(crate) fn model_err(e: &SetError) -> PyErr {
    let message = format!("bad model: {e}");
    let located = |file: Attr, line: Attr, column: Attr, model: Attr, path: Attr| {
        with_attrs(
            ModelError::new_err(message.clone()),
            &[
                ("file", file),
                ("line", line),
                ("column", column),
                ("model", model),
                ("path", path),
            ],
        )
    };
    match e {
        SetError::Rule(r) => rule_err(r),
        SetError::Syntax { at, .. } => located(
            at.file.as_deref().map_or(Attr::None, Attr::file),
            Attr::position(at.line),
            Attr::position(at.column),
            Attr::None,
            Attr::None,
        ),
        SetError::Io { file, .. } => located(
            Attr::file(file),
            Attr::None,
            Attr::None,
            Attr::None,
            Attr::None,
        ),
        SetError::Invalid { model, problem, at } => located(
            at.file.as_deref().map_or(Attr::None, Attr::file),
            Attr::position(at.line),
            Attr::position(at.column),
            Attr::Text(model.to_string()),
            Attr::text(problem_path(problem)),
        ),
        SetError::Set(problem) => match rule_declaration(problem) {
            Some((rule, at)) => with_attrs(
                RuleCompileError::new_err(message),
                &[
                    ("rule_id", Attr::Text(rule.to_string())),
                    ("file", at.file.as_deref().map_or(Attr::None, Attr::file)),
                    ("line", Attr::position(at.line)),
                    ("column", Attr::position(at.column)),
                    ("model", Attr::None),
                    ("path", Attr::None),
                ],
            ),
            None => located(Attr::None, Attr::None, Attr::None, Attr::None, Attr::None),
        },
        _ => RiskgradeError::new_err(message),
    }
}

/// The rule and the place of a set problem about one rule's declaration (its id, its script
/// file, or a second declaration of its id), which Python raises as `RuleCompileError`.
fn rule_declaration(problem: &SetProblem) -> Option<(&str, &Position)> {
    match problem {
        SetProblem::ScriptAndFile { rule, at }
        | SetProblem::BadRuleId { rule, at, .. }
        | SetProblem::ScriptFile { rule, at, .. } => Some((rule, at)),
        SetProblem::DuplicateRule { rule, second, .. } => Some((rule, second)),
        _ => None,
    }
}

/// The node path a model problem names, when it names one.
fn problem_path(p: &ModelProblem) -> Option<&str> {
    match p {
        ModelProblem::WeightSum { parent, .. } => Some(parent),
        ModelProblem::BadWeight { path, .. }
        | ModelProblem::NotIncreasing { path, .. }
        | ModelProblem::PointsCount { path, .. }
        | ModelProblem::PointsOutOfScale { path, .. }
        | ModelProblem::UnknownInput { path, .. }
        | ModelProblem::TypeMismatch { path, .. }
        | ModelProblem::MissingParent { path, .. }
        | ModelProblem::Shape { path, .. }
        | ModelProblem::Reason { path, .. } => Some(path),
        ModelProblem::DuplicatePath(path)
        | ModelProblem::BadPath(path)
        | ModelProblem::NoMissingPolicy(path) => Some(path),
        ModelProblem::Provenance { .. }
        | ModelProblem::Input { .. }
        | ModelProblem::EffectPeriods(_)
        | ModelProblem::Scale { .. }
        | ModelProblem::Classes(_)
        | ModelProblem::Empty => None,
        _ => None,
    }
}

/// The attributes of a rule error: `rule_id`, `file`, `line`, `column`.
fn rule_attrs(e: &RuleError) -> [(&'static str, Attr); 4] {
    let (file, line, column) = match e {
        RuleError::Compile { at, .. } | RuleError::Runtime { at, .. } => (
            at.file.as_ref().map(|f| f.display().to_string()),
            at.line,
            at.column,
        ),
        RuleError::When {
            file, line, column, ..
        } => (
            file.as_ref().map(|f| f.display().to_string()),
            *line,
            *column,
        ),
        RuleError::DuplicateId(_) => (None, 0, 0),
        _ => (None, 0, 0),
    };
    [
        ("rule_id", Attr::Text(e.rule().to_string())),
        ("file", Attr::text(file)),
        ("line", Attr::position(line)),
        ("column", Attr::position(column)),
    ]
}

/// A rule error: one that does not compile is a `RuleCompileError`, one that failed while
/// running an `EvaluationError`.
pub(crate) fn rule_err(e: &RuleError) -> PyErr {
    let attrs = rule_attrs(e);
    match e {
        RuleError::Compile { .. }
        | RuleError::When { .. }
        | RuleError::DuplicateId(_)
        | RuleError::BadId { .. } => with_attrs(RuleCompileError::new_err(e.to_string()), &attrs),
        RuleError::Runtime { .. } => with_attrs(
            with_attrs(EvaluationError::new_err(e.to_string()), &attrs),
            &[("row", Attr::None)],
        ),
        _ => with_attrs(RiskgradeError::new_err(e.to_string()), &attrs),
    }
}

/// A file that cannot be read, or Arrow data that cannot be used.
pub(crate) fn io_err(e: &IoError) -> PyErr {
    let (file, line, column) = match e {
        IoError::Io { file, .. }
        | IoError::Arrow { file, .. }
        | IoError::UnknownFormat { file, .. }
        | IoError::BadProfiles { file, .. } => (Attr::file(file), 0, None),
        IoError::Json { file, line, .. } | IoError::Csv { file, line, .. } => {
            (Attr::file(file), *line, None)
        }
        IoError::NotUtf8 { file, line, column } => (Attr::file(file), *line, column.as_deref()),
        IoError::MissingColumn { file, column, .. } | IoError::ColumnType { file, column, .. } => {
            (Attr::file(file), 0, Some(column.as_str()))
        }
        IoError::UnsupportedType { column, .. } | IoError::ColumnLength { column, .. } => {
            (Attr::None, 0, Some(column.as_str()))
        }
        // A kind of I/O error added later: still a DataError, with its message.
        _ => (Attr::None, 0, None),
    };
    with_attrs(
        data_error(e.to_string(), None, column),
        &[("file", file), ("line", Attr::position(line))],
    )
}

/// A batch that could not be graded, with `message` (the error's own, or one naming a side).
fn eval_err_as(e: &EvalError, message: String) -> PyErr {
    match e {
        EvalError::MissingColumn { input, .. } | EvalError::RuleColumn { input, .. } => {
            data_error(message, None, Some(input))
        }
        EvalError::AsOfMismatch { .. } => data_error(message, None, Some("as_of")),
        EvalError::Strict { first, .. } => {
            data_error(message, Some(first.row), Some(&first.column))
        }
        EvalError::Rule { row, error, .. } => with_attrs(
            EvaluationError::new_err(zero_based(&message, *row)),
            &[rule_attrs(error).as_slice(), &[("row", Attr::Int(*row))]].concat(),
        ),
        EvalError::Insufficient { row, id, model, .. } => with_attrs(
            data_error(message, Some(*row), None),
            &[
                ("id", Attr::Text(id.clone())),
                ("model", Attr::Text(model.clone())),
            ],
        ),
        EvalError::Cancelled => PyKeyboardInterrupt::new_err(message),
        EvalError::UnknownEnterprise(_) => with_attrs(
            EvaluationError::new_err(message),
            &[("row", Attr::None), ("rule_id", Attr::None)],
        ),
        _ => RiskgradeError::new_err(message),
    }
}

/// A batch that could not be graded.
pub(crate) fn eval_err(e: &EvalError) -> PyErr {
    eval_err_as(e, e.to_string())
}

/// Two gradings that cannot be compared.
pub(crate) fn compare_err(e: &CompareError) -> PyErr {
    let at = |row: Option<usize>| {
        let message = e.to_string();
        with_attrs(
            EvaluationError::new_err(
                row.map_or_else(|| message.clone(), |r| zero_based(&message, r)),
            ),
            &[
                ("row", row.map_or(Attr::None, Attr::Int)),
                ("rule_id", Attr::None),
            ],
        )
    };
    match e {
        CompareError::DifferentRows { row, .. } | CompareError::DifferentFrame { row, .. } => {
            at(Some(*row))
        }
        CompareError::FrameSize { .. } => at(None),
        CompareError::Grade { side, error } => with_attrs(
            eval_err_as(error, e.to_string()),
            &[("side", Attr::Text(side.to_string()))],
        ),
        _ => RiskgradeError::new_err(e.to_string()),
    }
}

/// A file position's attributes: `file`, `line`, `column` (numbers; 0 is unknown).
fn position_attrs(at: &Position) -> [(&'static str, Attr); 2] {
    [
        ("file", at.file.as_deref().map_or(Attr::None, Attr::file)),
        ("line", Attr::position(at.line)),
    ]
}

/// A calibration that could not be done. Requests that name something that does not exist or
/// a setting out of range are `ValueError`s (the caller's arguments); data the method cannot use
/// are `DataError`s.
pub(crate) fn calibrate_err(e: &CalibrateError) -> PyErr {
    let msg = e.to_string();
    let request = |model: Option<&str>, node: Option<&str>, argument: Option<&str>| {
        with_attrs(
            PyValueError::new_err(msg.clone()),
            &[
                ("model", Attr::text(model)),
                ("node", Attr::text(node)),
                ("argument", Attr::text(argument)),
            ],
        )
    };
    let data = |attrs: &[(&str, Attr)]| with_attrs(data_error(msg.clone(), None, None), attrs);
    match e {
        CalibrateError::NoModel { wanted, .. } => {
            request(wanted.as_deref(), None, Some("model_id"))
        }
        CalibrateError::NoNode { model, node, .. }
        | CalibrateError::NothingBelow { model, node } => request(Some(model), Some(node), None),
        CalibrateError::NotALeaf { model, path } => request(Some(model), Some(path), None),
        CalibrateError::UnknownMethod { .. } => request(None, None, Some("method")),
        CalibrateError::Argument { name, .. } => request(None, None, Some(name)),
        CalibrateError::BadOutcome {
            at,
            row,
            column,
            value,
            ..
        } => with_attrs(
            data_error(msg.clone(), Some(*row), Some(column)),
            &[
                position_attrs(at).as_slice(),
                &[("value", Attr::text(value.clone()))],
            ]
            .concat(),
        ),
        CalibrateError::Judgements { at, .. } => data(&position_attrs(at)),
        CalibrateError::OutcomeColumns { file, column } => data(&[
            ("file", Attr::file(file)),
            ("column", Attr::Text((*column).to_string())),
        ]),
        CalibrateError::Write { file, .. } | CalibrateError::Io { file, .. } => {
            data(&[("file", Attr::file(file))])
        }
        CalibrateError::NoOutcomes { .. } | CalibrateError::Store(_) => data(&[]),
        CalibrateError::Method { method, .. } => data(&[("method", Attr::Text((*method).into()))]),
        CalibrateError::Inconsistent { .. } => data(&[("method", Attr::Text("ahp".into()))]),
        CalibrateError::Model(m) => model_err(m),
        CalibrateError::Table(io) => io_err(io),
        _ => RiskgradeError::new_err(msg),
    }
}

/// A rule-test file that cannot be used.
pub(crate) fn rule_tests_err(e: &RuleTestError) -> PyErr {
    let at = &e.at;
    let file = at
        .file
        .as_ref()
        .map_or(Attr::None, |f| Attr::Text(f.display().to_string()));
    with_attrs(
        data_error(e.to_string(), None, None),
        &[
            ("file", file),
            ("line", Attr::position(at.line)),
            ("column", Attr::position(at.column)),
        ],
    )
}

/// A store error: a period, draw, decision or commitment that does not exist is a `KeyError`
/// (as a missing key of a mapping is); a request the store refuses (a decision missing what it
/// needs, a task closed already, ...) and a file that is not a store a `DataError` with `file`
/// (the store's).
pub(crate) fn store_err(e: &riskgrade::store::StoreError, file: &Path) -> PyErr {
    use riskgrade::store::{InvalidRequest, StoreError};
    let file_attr = ("file", Attr::Text(file.display().to_string()));
    if let StoreError::NoStore { .. } = e {
        let message = format!("{e}; riskgrade.Store(path, writable=True) creates one");
        return with_attrs(data_error(message, None, None), &[file_attr]);
    }
    if let StoreError::Invalid(request) = e {
        let missing = |what: &str, n: i64| {
            with_attrs(
                pyo3::exceptions::PyKeyError::new_err(e.to_string()),
                &[
                    (
                        what,
                        usize::try_from(n).map_or_else(|_| Attr::Text(n.to_string()), Attr::Int),
                    ),
                    file_attr.clone(),
                ],
            )
        };
        match request {
            InvalidRequest::NoDraw { draw } => return missing("draw", *draw),
            InvalidRequest::NoDecision { decision } => return missing("decision", *decision),
            InvalidRequest::NoCommitment { commitment } => {
                return missing("commitment", *commitment);
            }
            InvalidRequest::NoRun { period } => {
                return with_attrs(
                    pyo3::exceptions::PyKeyError::new_err(e.to_string()),
                    &[("period", Attr::Text(period.to_string())), file_attr],
                );
            }
            InvalidRequest::NoTask {
                outcome,
                draw,
                enterprise,
            } => {
                // `outcome` counts from 1 in the batch: the frame's row from 0.
                let row = outcome.saturating_sub(1);
                let message = format!(
                    "outcomes: row {row}, column `enterprise`: draw #{draw} has no task for enterprise {enterprise}"
                );
                return with_attrs(
                    data_error(message, Some(row), Some("enterprise")),
                    &[file_attr, ("value", Attr::Text(enterprise.clone()))],
                );
            }
            InvalidRequest::TaskClosed {
                outcome,
                draw,
                task,
                enterprise,
            } => {
                let row = outcome.saturating_sub(1);
                let message = format!(
                    "outcomes: row {row}, column `enterprise`: task {task} of draw #{draw} for {enterprise} is closed already"
                );
                return with_attrs(
                    data_error(message, Some(row), Some("enterprise")),
                    &[file_attr, ("value", Attr::Text(enterprise.clone()))],
                );
            }
            _ => {}
        }
    }
    with_attrs(data_error(e.to_string(), None, None), &[file_attr])
}

/// A plan that does not load: a `DataError` with `file` and `line` when known.
pub(crate) fn plan_err(e: &riskgrade::inspect::PlanError) -> PyErr {
    use riskgrade::inspect::PlanError;
    let (file, line) = match e {
        PlanError::Io { file, .. } => (Attr::file(file), 0),
        PlanError::Syntax { at, .. } => {
            (at.file.as_deref().map_or(Attr::None, Attr::file), at.line)
        }
        PlanError::Invalid { file, .. } => (file.as_deref().map_or(Attr::None, Attr::file), 0),
        _ => (Attr::None, 0),
    };
    with_attrs(
        data_error(e.to_string(), None, None),
        &[("file", file), ("line", Attr::position(line))],
    )
}

/// An inspection step that failed: store errors as [`store_err`], a pool file's bad value a
/// `DataError` with its `row` (from 0), `column` and `file`, a draw that cannot be made (an
/// infeasible pool, inputs that differ from the commitment) a `DataError`.
pub(crate) fn inspection_err(e: &riskgrade::InspectionError, store: &Path) -> PyErr {
    use riskgrade::InspectionError;
    match e {
        InspectionError::Store(s) => store_err(s, store),
        InspectionError::Io(io) => io_err(io),
        InspectionError::Draw(riskgrade::inspect::DrawError::Plan(p)) => plan_err(p),
        InspectionError::MissingColumn { file, column, .. } => with_attrs(
            data_error(e.to_string(), None, Some(column)),
            &[("file", Attr::file(file))],
        ),
        InspectionError::Value {
            file, row, column, ..
        } => {
            // The library's `row` counts data rows from 1.
            let row = row.saturating_sub(1);
            with_attrs(
                data_error(e.to_string(), Some(row), Some(column)),
                &[("file", Attr::file(file))],
            )
        }
        _ => with_attrs(
            data_error(e.to_string(), None, None),
            &[("file", Attr::Text(store.display().to_string()))],
        ),
    }
}
