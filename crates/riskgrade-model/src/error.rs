//! Model errors: each names the file position or the model path at fault, and how to fix it.

use std::path::PathBuf;

/// Why a model or model set could not be loaded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The file could not be read.
    #[error("cannot read `{}`: {message}", file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// The operating system's message.
        message: String,
    },
    /// Syntax error, unknown key or wrong type in a file.
    #[error("{}: {message}", position(file.as_deref(), *line, *column))]
    Syntax {
        /// The file, when loaded from one.
        file: Option<PathBuf>,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A semantic problem at a path of the model.
    #[error("model `{model}`: {problem}")]
    Invalid {
        /// The model's id.
        model: String,
        /// What is wrong, naming the path.
        problem: Problem,
    },
    /// A problem with the set: routing, components, duplicate ids.
    #[error("model set: {0}")]
    Set(String),
    /// A rule that does not compile: its id, file, line, column and a hint.
    #[error("{0}")]
    Rule(Box<riskgrade_rules::RuleError>),
}

fn position(file: Option<&std::path::Path>, line: usize, column: usize) -> String {
    match (file, line) {
        (Some(f), 0) => f.display().to_string(),
        (Some(f), _) => format!("{}:{line}:{column}", f.display()),
        (None, 0) => "(unknown position)".to_string(),
        (None, _) => format!("line {line}, column {column}"),
    }
}

/// A semantic problem in one model.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// Sibling weights do not add up to 1.
    #[error("weights of `{parent}` sum to {sum}, expected 1")]
    WeightSum {
        /// The parent path (`(top level)` for dimensions).
        parent: String,
        /// Their sum, rounded for display.
        sum: f64,
    },
    /// A negative or non-finite weight.
    #[error("weight of `{path}` is {weight}; weights must be finite and not negative")]
    BadWeight {
        /// The node.
        path: String,
        /// The weight.
        weight: f64,
    },
    /// Bin edges or knots are not strictly increasing.
    #[error("{what} of `{path}` are not increasing at index {index}")]
    NotIncreasing {
        /// `bin edges` or `knots`.
        what: &'static str,
        /// The leaf.
        path: String,
        /// The first offending index.
        index: usize,
    },
    /// Points and edges do not fit together.
    #[error("`{path}` has {edges} {what} and {points} points; {expected}")]
    PointsCount {
        /// The leaf.
        path: String,
        /// `bin edges` or `knots`.
        what: &'static str,
        /// Number of edges.
        edges: usize,
        /// Number of points.
        points: usize,
        /// What is expected.
        expected: &'static str,
    },
    /// Points outside the scale.
    #[error("points {points} of `{path}` lie outside the scale [{min}, {max}]")]
    PointsOutOfScale {
        /// The leaf.
        path: String,
        /// The offending points.
        points: f64,
        /// Scale minimum.
        min: f64,
        /// Scale maximum.
        max: f64,
    },
    /// A leaf reads an input the model does not declare.
    #[error(
        "`{path}` reads input `{input}`, which is not declared under [inputs]{}",
        hint(suggestion)
    )]
    UnknownInput {
        /// The leaf.
        path: String,
        /// The input named.
        input: String,
        /// The closest declared input.
        suggestion: Option<String>,
    },
    /// The scoring function does not fit the input's type.
    #[error("`{path}` scores `{kind}` on input `{input}` of type `{ty}`; {fix}")]
    TypeMismatch {
        /// The leaf.
        path: String,
        /// The scoring function.
        kind: &'static str,
        /// The input.
        input: String,
        /// Its type.
        ty: &'static str,
        /// What to use instead.
        fix: &'static str,
    },
    /// A provenance entry that does not fit the model.
    #[error("provenance entry {entry} ({method}): {message}")]
    Provenance {
        /// Its position, from 1.
        entry: usize,
        /// Its method.
        method: String,
        /// What is wrong.
        message: String,
    },
    /// A node whose parent is not declared.
    #[error("`{path}` has no parent node `{parent}`; declare it with its weight")]
    MissingParent {
        /// The node.
        path: String,
        /// The missing parent.
        parent: String,
    },
    /// Two nodes with the same path.
    #[error("`{0}` is declared twice")]
    DuplicatePath(String),
    /// A malformed path.
    #[error("path `{0}` is not valid: use dot-separated ids of letters, digits and `_`")]
    BadPath(String),
    /// A leaf that lacks its input, model or score, or an inner node that has one.
    #[error("`{path}`: {message}")]
    Shape {
        /// The node.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A leaf with no missing-value policy.
    #[error(
        "`{0}` has no missing-value policy; add `missing = \"error\"` or `missing = <points>` to it or to [defaults]"
    )]
    NoMissingPolicy(String),
    /// An input declaration is wrong.
    #[error("input `{input}`: {message}")]
    Input {
        /// The input.
        input: String,
        /// What is wrong.
        message: String,
    },
    /// Effect periods are wrong.
    #[error("effect periods: {0}")]
    EffectPeriods(String),
    /// The scale is wrong.
    #[error("scale: {0}")]
    Scale(String),
    /// The classes are wrong.
    #[error("classes: {0}")]
    Classes(String),
    /// A reason template is wrong.
    #[error("reason of `{path}`: {message}")]
    Reason {
        /// The leaf.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The tree has no indicator at all.
    #[error("the model has no indicators; add [[node]] entries")]
    Empty,
}

fn hint(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

impl From<riskgrade_rules::RuleError> for ModelError {
    fn from(e: riskgrade_rules::RuleError) -> ModelError {
        ModelError::Rule(Box::new(e))
    }
}
