//! Model errors: each names the file position or the model path at fault, and how to fix it.

use std::path::PathBuf;

use riskgrade_core::Position;

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
    #[error("{}: {message}", position(at))]
    Syntax {
        /// Where: the file when loaded from one, 1-based line and column (0 when unknown).
        at: Position,
        /// What is wrong.
        message: String,
    },
    /// A semantic problem at a path of the model.
    #[error("{}model `{model}`: {problem}", located(at))]
    Invalid {
        /// The model's id.
        model: Box<str>,
        /// What is wrong, naming the path.
        problem: Problem,
        /// Where the key at fault stands in the model's file (line 0 when unknown: a model
        /// built in code, or from JSON).
        at: Box<Position>,
    },
    /// A problem with the set: routing, components, duplicate ids.
    #[error("model set: {0}")]
    Set(SetProblem),
    /// A rule that does not compile: its id, file, line, column and a hint.
    #[error("{0}")]
    Rule(Box<riskgrade_rules::RuleError>),
}

/// `position: ` when the line is known, else nothing.
fn located(at: &Position) -> String {
    if at.line == 0 {
        String::new()
    } else {
        format!("{}: ", position(at))
    }
}

/// `file:line:column`, the file alone, `line L, column C` or `(unknown position)`.
fn position(at: &Position) -> String {
    let (line, column) = (at.line, at.column);
    match (&at.file, line) {
        (Some(f), 0) => f.display().to_string(),
        (Some(f), _) => format!("{}:{line}:{column}", f.display()),
        (None, 0) => "(unknown position)".to_string(),
        (None, _) => format!("line {line}, column {column}"),
    }
}

/// A problem with a model set as a whole: its models, routes, components, shared inputs,
/// routing topics and rule files.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SetProblem {
    /// The set has no model.
    #[error("no models; add [[model]] entries or `include = [\"model.toml\"]`")]
    NoModels,
    /// Two models share an id.
    #[error("model `{model}` is declared twice")]
    DuplicateModel {
        /// The id.
        model: String,
    },
    /// A reference to a model the set does not have.
    #[error(
        "{by} names model `{model}`, which is not in the set{}",
        hint(suggestion)
    )]
    UnknownModel {
        /// What names it.
        by: ModelReference,
        /// The id named.
        model: String,
        /// The closest id in the set.
        suggestion: Option<String>,
    },
    /// A `[[route]]` entry that cannot be used: which one, where, and why.
    #[error("{}route {route} to `{model}` {problem}", route_at(at))]
    Route {
        /// Its place among the set's `[[route]]` entries, from 1.
        route: usize,
        /// The model it names.
        model: String,
        /// Its `[[route]]` header in the set file, when loaded from text.
        at: Option<Box<Position>>,
        /// What is wrong.
        problem: Box<RouteProblem>,
    },
    /// A route or `[routing.industry]` entry whose code is not a GB/T 4754 code.
    #[error("{} routes `{code}`: {error}", match model { Some(m) => format!("the route to `{m}`"), None => "[routing.industry]".to_string() })]
    BadIndustryCode {
        /// The model routed to (`None` for the alert routing table).
        model: Option<String>,
        /// The code as written.
        code: String,
        /// What is wrong with it.
        error: riskgrade_core::codes::CodeError,
    },
    /// A department that the `[routing.departments]` registry does not know.
    #[error(
        "{place} names department `{department}`, which is not in [routing.departments]{}",
        hint(suggestion)
    )]
    UnknownDepartment {
        /// Where it is named (`default`, `topic.food_safety`, `licence.food_production`, `industry.C14`).
        place: String,
        /// The name written.
        department: String,
        /// The closest id, name or alias in the registry.
        suggestion: Option<String>,
    },
    /// Two departments of the registry share an id, name or alias.
    #[error("`{alias}` names both department `{first}` and department `{second}`")]
    DepartmentAliasTwice {
        /// The shared id, name or alias.
        alias: String,
        /// The first department's id.
        first: String,
        /// The second department's id.
        second: String,
    },
    /// A model that takes its own score as a component.
    #[error("model `{model}` takes its own score")]
    OwnScore {
        /// The model.
        model: String,
    },
    /// Models that take each other's scores in a cycle.
    #[error(
        "models take each other's scores in a cycle; a specialised model may include the general one, not the reverse"
    )]
    ComponentCycle,
    /// An input declared differently by two models.
    #[error(
        "input `{input}` is declared differently by models `{first}` and `{second}`; declare it the same way in each"
    )]
    InputDiffers {
        /// The input.
        input: String,
        /// The first model declaring it.
        first: String,
        /// The model declaring it differently.
        second: String,
    },
    /// A model whose effect periods differ from the default model's.
    #[error(
        "model `{model}` sets other effect periods than `{first}`; records must age the same way in one set"
    )]
    EffectPeriodsDiffer {
        /// The model that differs.
        model: String,
        /// The model whose effect periods the set uses.
        first: String,
    },
    /// A routing topic that does not say how it routes.
    #[error("routing topic `{topic}`: {}", topic_fix(*needs_licence))]
    RoutingTopic {
        /// The topic.
        topic: String,
        /// Whether it routes by licence but names no licence type.
        needs_licence: bool,
    },
    /// A rule with neither a script nor a script file.
    #[error(
        "rule `{rule}` ({}) has no script; write `script = '''...'''` or `file = \"rules/{rule}.rhai\"`",
        file.display()
    )]
    NoScript {
        /// The rule's id.
        rule: String,
        /// The file that declares it.
        file: PathBuf,
    },
    /// A `[rule_limits]` key above its hard ceiling.
    #[error("[rule_limits] `{key}` = {value} is above its ceiling of {ceiling}")]
    RuleLimit {
        /// The key.
        key: &'static str,
        /// The value asked for.
        value: u64,
        /// The highest value allowed.
        ceiling: u64,
    },
    /// A rule declared with both an inline script and a script file.
    #[error(
        "rule `{rule}` ({}) has both `script` and `file`; keep one",
        position(at)
    )]
    ScriptAndFile {
        /// The rule's id.
        rule: String,
        /// Where it is declared.
        at: Position,
    },
    /// A rule id that is not an identifier.
    #[error("rule id {rule:?} ({}): {problem}", position(at))]
    BadRuleId {
        /// The id as written.
        rule: String,
        /// Where it is declared.
        at: Position,
        /// What is wrong with it.
        problem: riskgrade_rules::IdProblem,
    },
    /// Two rules declared with one id.
    #[error(
        "rule `{rule}` is declared twice: at {} and at {}",
        position(first),
        position(second)
    )]
    DuplicateRule {
        /// The id.
        rule: String,
        /// The first declaration.
        first: Position,
        /// The second declaration.
        second: Position,
    },
    /// A rule's script file that cannot be used.
    #[error("rule `{rule}` ({}): script file `{}` {problem}", position(at), file.display())]
    ScriptFile {
        /// The rule's id.
        rule: String,
        /// Where the rule is declared.
        at: Position,
        /// The file as written in `file = "..."`.
        file: PathBuf,
        /// What is wrong with it.
        problem: ScriptFileProblem,
    },
    /// The set could not be written as TOML.
    #[error("{message}")]
    Serialise {
        /// The serialiser's message.
        message: String,
    },
}

fn topic_fix(needs_licence: bool) -> &'static str {
    if needs_licence {
        "`by = \"licence\"` needs `licence = \"<licence type>\"`"
    } else {
        "write either `by = \"licence\"` with `licence = \"...\"`, `by = \"industry\"`, or `department = \"...\"`"
    }
}

/// `file:line:column: ` before a route's message, or nothing when unknown.
fn route_at(at: &Option<Box<Position>>) -> String {
    at.as_ref()
        .map(|a| format!("{}: ", position(a)))
        .unwrap_or_default()
}

/// What is wrong with a `[[route]]` entry (see [`SetProblem::Route`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RouteProblem {
    /// The model it names is not in the set.
    #[error("names a model that is not in the set{}", hint(suggestion))]
    UnknownModel {
        /// The closest id in the set.
        suggestion: Option<String>,
    },
    /// Neither `industries` nor `licences` (or both empty).
    #[error(
        "names no industry and no licence type; write `industries = [\"C14\"]`, `licences = [\"special_equipment_use\"]` or both"
    )]
    Empty,
    /// An empty string in `industries` or `licences`.
    #[error("has an empty entry in `{key}`")]
    EmptyEntry {
        /// `industries` or `licences`.
        key: &'static str,
    },
    /// A licence type that is not a plain name.
    #[error("names licence type `{licence}`; a licence type is ASCII letters, digits and `_`")]
    BadLicence {
        /// The licence type as written.
        licence: String,
    },
    /// A licence type (in an industry) that an earlier route already sends elsewhere.
    #[error(
        "routes licence type `{licence}`{} already routed to `{first}`",
        industry.as_ref().map(|i| format!(" in industry `{i}`")).unwrap_or_default()
    )]
    RoutedTwice {
        /// The licence type.
        licence: String,
        /// The industry prefix, for routes naming both.
        industry: Option<String>,
        /// The model of the earlier route.
        first: String,
    },
    /// An industry prefix that an earlier industry route already sends elsewhere.
    #[error("routes industry `{industry}`, already routed to `{first}`")]
    IndustryTwice {
        /// The industry code in normal form.
        industry: String,
        /// The model of the earlier route.
        first: String,
    },
    /// A model declares the input routing adds for a licence type, differently.
    #[error(
        "needs input `{input}` (valid licences of that type), which model `{declared_by}` declares differently"
    )]
    InputTaken {
        /// The input's name, `licence_<type>`.
        input: String,
        /// The model declaring it.
        declared_by: String,
    },
}

/// What names a model in a set.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModelReference {
    /// The set's `default`.
    Default,
    /// A route.
    Route,
    /// A component leaf of another model.
    Leaf {
        /// The model with the leaf.
        model: String,
        /// The leaf's path.
        path: String,
    },
}

impl std::fmt::Display for ModelReference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelReference::Default => f.write_str("`default`"),
            ModelReference::Route => f.write_str("a route"),
            ModelReference::Leaf { model, path } => write!(f, "`{path}` in model `{model}`"),
        }
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
    /// `[insufficient]` names an input the model does not declare.
    #[error(
        "[insufficient] names input `{input}`, which is not declared under [inputs]{}",
        hint(suggestion)
    )]
    InsufficientInput {
        /// The input named.
        input: String,
        /// The closest declared input.
        suggestion: Option<String>,
    },
    /// `[insufficient]` asks for more known inputs than it counts.
    #[error(
        "[insufficient] asks for min_known = {min_known} but counts only {counted} input(s); lower it or list the inputs under `count`"
    )]
    InsufficientCount {
        /// The minimum asked for.
        min_known: usize,
        /// How many inputs are counted.
        counted: usize,
    },
    /// `[insufficient]`'s class does not fit its action, or is not a class of the model.
    #[error("[insufficient] action `{action}` {}", match class {
        Some(c) if *action == "flag" => format!("takes no class (found `{c}`)"),
        Some(c) => format!("names class `{c}`, which the model does not have"),
        None => "needs `class = \"…\"`, one of the model's classes".to_string(),
    })]
    InsufficientClass {
        /// `flag`, `class` or `at_least`.
        action: &'static str,
        /// The class given.
        class: Option<String>,
    },
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
    /// The scale's bounds are not finite or not in order.
    #[error("scale: need finite `min` < `max`, found [{min}, {max}]")]
    Scale {
        /// The lower bound given.
        min: f64,
        /// The upper bound given.
        max: f64,
    },
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

/// Why a rule's script file cannot be used. Script files are confined to the
/// folder of the file that declares the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScriptFileProblem {
    /// An absolute path.
    #[error("is an absolute path; name a file inside the rules' folder, e.g. `rules/veto.rhai`")]
    Absolute,
    /// A path that leaves the rules' folder.
    #[error("leaves the rules' folder; name a file inside it")]
    Escapes,
    /// Not a regular file (a device, a folder, a pipe).
    #[error("is not a regular file")]
    NotAFile,
    /// A name that does not end in `.rhai`: the file is not read, so its content is never shown.
    #[error("is not a rule script; script files end in `.rhai`")]
    NotRhai,
    /// Larger than a script may be.
    #[error("has {size} bytes; a script file has at most {limit}")]
    TooLarge {
        /// Its size in bytes.
        size: u64,
        /// The largest size allowed.
        limit: u64,
    },
    /// The file does not exist.
    #[error("does not exist")]
    Missing,
    /// The file cannot be read.
    #[error("cannot be read: {message}")]
    Unreadable {
        /// The operating system's message.
        message: String,
    },
    /// The file is not UTF-8 text (its content is not shown).
    #[error("is not UTF-8 text, so it is not a rule script")]
    NotText,
}
