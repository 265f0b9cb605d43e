//! Rule tests kept next to the rules: a few input values (or a whole profile)
//! → the expected class, score change, labels, alerts and fired rules. Run
//! by `riskgrade rules test`, reported per case with a diff, as `opa test`
//! or Drools test scenarios do.
//!
//! ```toml
//! as_of = "2026-11-01"          # the default for every case
//!
//! [[case]]
//! name = "the serious dishonest list forces D"
//! industry = "F5211"
//! inputs = { dishonest_listed = true }
//! expect = { class = "D", labels = ["重点监管"], fired = ["veto_dishonest_list"] }
//!
//! [[case]]
//! name = "a recent major penalty, from the records"
//! profile = { id = "P1", industry = "F5211", records = [
//!   { kind = "penalty", date = "2026-09-01", severity = "major", amount = 50000 },
//! ] }
//! expect = { class_at_least = "C", alerts = [{ topic = "major_penalty", department = "Commerce Bureau (商务局)" }] }
//! ```
//!
//! Inputs a case does not give are missing, and score as the model says
//! missing values score.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::{Grader, Grades, Options, Outcome};
use riskgrade_core::{
    ColumnBuilder, Date, Enterprise, Frame, Identity, InputColumn, Position, RawValue, did_you_mean,
};
use riskgrade_model::ModelSet;
use riskgrade_rules::Action;
use serde::Deserialize;

/// A file of rule tests.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleTests {
    /// The as-of date of cases that do not give their own.
    #[serde(default)]
    pub as_of: Option<Date>,
    /// The cases.
    #[serde(default, rename = "case")]
    pub cases: Vec<Case>,
}

/// One test case.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// What the case shows, for people.
    pub name: String,
    /// The industry code (default `F5211`, retail; required to reach a specialised model).
    #[serde(default)]
    pub industry: Option<String>,
    /// The as-of date (default: the file's).
    #[serde(default)]
    pub as_of: Option<Date>,
    /// Input values by name; every other input is missing.
    #[serde(default)]
    pub inputs: BTreeMap<String, toml::Value>,
    /// A whole profile instead of input values: features are derived from its records.
    #[serde(default)]
    pub profile: Option<toml::Value>,
    /// What must come out.
    pub expect: Expect,
}

/// What a case expects; every field is optional and only given fields are checked.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The final class.
    #[serde(default)]
    pub class: Option<String>,
    /// The final class is at least this risky.
    #[serde(default)]
    pub class_at_least: Option<String>,
    /// The final class is at most this risky.
    #[serde(default)]
    pub class_at_most: Option<String>,
    /// Points the rules added to the indicators' score (final − indicators).
    #[serde(default)]
    pub score_change: Option<f64>,
    /// Exactly these labels, in any order.
    #[serde(default)]
    pub labels: Option<Vec<String>>,
    /// Alerts that must be raised (topic, and when given, department and severity).
    #[serde(default)]
    pub alerts: Option<Vec<ExpectAlert>>,
    /// No alert at all.
    #[serde(default)]
    pub no_alerts: bool,
    /// Rules that must have acted.
    #[serde(default)]
    pub fired: Vec<String>,
    /// Rules that must not have acted.
    #[serde(default)]
    pub not_fired: Vec<String>,
    /// The rule whose action decided the final class.
    #[serde(default)]
    pub decided_by: Option<String>,
    /// The enterprise is not graded and its error contains this text.
    #[serde(default)]
    pub error: Option<String>,
    /// Whether the enterprise is below its model's `[insufficient]` minimum
    /// evidence (`true`: its shortage must be its first reason).
    #[serde(default)]
    pub insufficient: Option<bool>,
}

/// An alert a case expects.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectAlert {
    /// The topic.
    pub topic: String,
    /// The department it is routed to.
    #[serde(default)]
    pub department: Option<String>,
    /// `info`, `warning` or `critical`.
    #[serde(default)]
    pub severity: Option<String>,
}

/// Why a test file cannot be used: where, and the parser's message.
///
/// ```
/// use riskgrade_engine::RuleTests;
/// let e = RuleTests::from_toml_str("[[case]]\nname = \"x\"\nexpct = {}\n", "r.tests.toml").unwrap_err();
/// assert_eq!((e.at.line, e.at.column), (3, 1));
/// assert!(e.to_string().starts_with("r.tests.toml: line 3, column 1: unknown field `expct`"));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}: {}{message}", at.file.as_deref().unwrap_or(std::path::Path::new("")).display(), Place(at))]
#[non_exhaustive]
pub struct RuleTestError {
    /// The file, and the line and column when known (0 when not).
    pub at: Position,
    /// What is wrong.
    pub message: String,
}

/// `line L, column C: ` when the line is known.
struct Place<'a>(&'a Position);

impl fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.line > 0 {
            write!(f, "line {}, column {}: ", self.0.line, self.0.column)?;
        }
        Ok(())
    }
}

/// The outcome of one case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// What differed from the expectation (empty: the case passed).
    pub failures: Vec<String>,
    /// What the rules did, for the report.
    pub effects: Vec<String>,
    /// The final class and score, when graded.
    pub graded: Option<(String, f64)>,
}

impl CaseResult {
    /// Whether the case passed.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

impl fmt::Display for CaseResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.passed() {
            return write!(f, "  ok    {}", self.name);
        }
        write!(f, "  FAIL  {}", self.name)?;
        for d in &self.failures {
            write!(f, "\n        {d}")?;
        }
        if let Some((class, score)) = &self.graded {
            write!(
                f,
                "\n        got class {class}, score {}",
                riskgrade_core::format_number((score * 100.0).round() / 100.0)
            )?;
        }
        for e in &self.effects {
            write!(f, "\n        rule effect: {e}")?;
        }
        Ok(())
    }
}

impl RuleTests {
    /// Parses a test file; `file` names it in errors.
    ///
    /// # Errors
    /// [`RuleTestError`] with the line and column of a syntax error or unknown key.
    pub fn from_toml_str(text: &str, file: &str) -> Result<RuleTests, RuleTestError> {
        toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|s| Position::of_offset(text, s.start))
                .unwrap_or_default();
            RuleTestError {
                at: at.in_file(file),
                message: e.message().trim().to_string(),
            }
        })
    }

    /// Runs every case against `set` (with its rules).
    pub fn run(&self, set: &Arc<ModelSet>) -> Vec<CaseResult> {
        self.cases.iter().map(|c| self.run_case(set, c)).collect()
    }

    fn run_case(&self, set: &Arc<ModelSet>, case: &Case) -> CaseResult {
        let fail = |m: String| CaseResult {
            name: case.name.clone(),
            failures: vec![m],
            effects: Vec::new(),
            graded: None,
        };
        let Some(as_of) = case.as_of.or(self.as_of) else {
            return fail(
                "no as-of date: give `as_of` at the top of the file or in the case".into(),
            );
        };
        let grader = Grader::new(Arc::clone(set));
        let options = Options::default();
        let graded = match &case.profile {
            Some(p) => {
                if !case.inputs.is_empty() {
                    return fail("give either `inputs` or `profile`, not both".into());
                }
                let e: Enterprise = match p.clone().try_into() {
                    Ok(e) => e,
                    Err(err) => return fail(format!("the profile cannot be read: {err}")),
                };
                grader
                    .grade_profiles(std::slice::from_ref(&e), as_of, &options)
                    .map(|g| {
                        let frame = Frame::from_profiles(
                            std::slice::from_ref(&e),
                            set.schema(),
                            as_of,
                            set.effect_periods(),
                        );
                        (g, frame)
                    })
            }
            None => match self.frame(set, case) {
                Ok(frame) => grader.grade(&frame, as_of, &options).map(|g| (g, frame)),
                Err(m) => return fail(m),
            },
        };
        let (g, frame) = match graded {
            Ok(x) => x,
            Err(e) => return fail(format!("the batch failed: {e}")),
        };
        check(case, &g, &frame)
    }

    /// A one-row frame from the case's input values.
    fn frame(&self, set: &ModelSet, case: &Case) -> Result<Frame, String> {
        let schema = set.schema();
        for name in case.inputs.keys() {
            if schema.get(name).is_none() {
                let hint = did_you_mean(name, schema.inputs().iter().map(|(n, _)| n.as_str()))
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                return Err(format!("the model has no input `{name}`{hint}"));
            }
        }
        let mut cols: Vec<InputColumn> = Vec::new();
        for (name, spec) in schema.inputs() {
            let mut b = ColumnBuilder::new(name, spec.ty);
            let text;
            let raw = match case.inputs.get(name) {
                None => RawValue::Missing,
                Some(toml::Value::Boolean(v)) => RawValue::Bool(*v),
                Some(toml::Value::Integer(v)) => RawValue::Integer(*v),
                Some(toml::Value::Float(v)) => RawValue::Number(*v),
                Some(toml::Value::String(s)) => {
                    text = s.clone();
                    RawValue::Text(&text)
                }
                Some(toml::Value::Datetime(d)) => {
                    text = d.to_string();
                    RawValue::Text(&text)
                }
                Some(other) => {
                    return Err(format!(
                        "input `{name}`: {} is not a value; write a number, true/false or text",
                        other.type_str()
                    ));
                }
            };
            b.push(raw);
            let (col, problems) = b.finish();
            if let Some((_, p)) = problems.first() {
                return Err(format!("input `{name}`: {p}"));
            }
            cols.push((name.clone(), spec.ty, col, Vec::new()));
        }
        let identity = Identity {
            ids: vec![case.name.clone()],
            names: vec![String::new()],
            industries: vec![case.industry.clone().unwrap_or_else(|| "F5211".into())],
            districts: vec![String::new()],
        };
        Ok(Frame::from_parts(identity, cols, Vec::new(), None))
    }
}

fn check(case: &Case, g: &Grades, frame: &Frame) -> CaseResult {
    let x = &case.expect;
    let mut failures = Vec::new();
    let effects: Vec<String> = g
        .effects(0)
        .iter()
        .map(|e| {
            let o = match &e.outcome {
                Outcome::Decided => " [decides the class]".to_string(),
                Outcome::Overridden(by) => format!(" [overridden by {by}]"),
                Outcome::NoChange => " [no change]".into(),
                Outcome::Applied => String::new(),
            };
            format!("{}{o}", e.text())
        })
        .collect();
    let issues: Vec<String> = g.issues_of(0).map(ToString::to_string).collect();
    if let Some(want) = &x.error {
        if !issues.iter().any(|i| i.contains(want.as_str())) {
            failures.push(format!(
                "error: expected one containing `{want}`, got {}",
                if issues.is_empty() {
                    "none".into()
                } else {
                    issues.join("; ")
                }
            ));
        }
    } else if !g.is_graded(0) {
        failures.push(format!("not graded: {}", issues.join("; ")));
    }
    let class = g.class(0).map(str::to_string);
    let model = g.model(0);
    let idx = |c: &str| model.and_then(|m| m.classes().names().iter().position(|n| n == c));
    let got = g.class_index(0);
    if let Some(want) = &x.class
        && class.as_deref() != Some(want.as_str())
    {
        failures.push(format!(
            "class: expected {want}, got {}",
            class.as_deref().unwrap_or("none")
        ));
    }
    for (want, at_least) in [(&x.class_at_least, true), (&x.class_at_most, false)] {
        let Some(want) = want else { continue };
        match (idx(want), got) {
            (None, _) => failures.push(format!("class `{want}` is not a class of the model")),
            (Some(w), Some(c)) if (at_least && c >= w) || (!at_least && c <= w) => {}
            _ => failures.push(format!(
                "class: expected {} {want}, got {}",
                if at_least { "at least" } else { "at most" },
                class.as_deref().unwrap_or("none")
            )),
        }
    }
    if let Some(want) = x.score_change {
        let change = match (g.score(0), g.base_score(0)) {
            (Some(s), Some(b)) => s - b,
            _ => f64::NAN,
        };
        if (change - want).abs() > 1e-6 || change.is_nan() {
            failures.push(format!("score change: expected {want}, got {change}"));
        }
    }
    if let Some(want) = &x.labels {
        let mut got: Vec<&str> = g.labels(0).collect();
        let mut w: Vec<&str> = want.iter().map(String::as_str).collect();
        got.sort_unstable();
        w.sort_unstable();
        if got != w {
            failures.push(format!("labels: expected {w:?}, got {got:?}"));
        }
    }
    let alerts: Vec<(String, Option<String>, String)> = g
        .alerts(0)
        .filter_map(|e| match &e.action {
            Action::Alert {
                topic, severity, ..
            } => Some((
                topic.clone(),
                e.department.clone(),
                severity.name().to_string(),
            )),
            _ => None,
        })
        .collect();
    if x.no_alerts && !alerts.is_empty() {
        failures.push(format!("alerts: expected none, got {alerts:?}"));
    }
    for want in x.alerts.iter().flatten() {
        let found = alerts.iter().any(|(t, d, s)| {
            *t == want.topic
                && want
                    .department
                    .as_ref()
                    .is_none_or(|w| d.as_ref() == Some(w))
                && want.severity.as_ref().is_none_or(|w| s == w)
        });
        if !found {
            failures.push(format!(
                "alerts: expected topic `{}`{}{}, got {}",
                want.topic,
                want.department
                    .as_ref()
                    .map(|d| format!(" to {d}"))
                    .unwrap_or_default(),
                want.severity
                    .as_ref()
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default(),
                if alerts.is_empty() {
                    "none".into()
                } else {
                    alerts
                        .iter()
                        .map(|(t, d, s)| {
                            format!("`{t}` to {} ({s})", d.as_deref().unwrap_or("nobody"))
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ));
        }
    }
    check_insufficient(x, g, frame, &mut failures);
    let fired: Vec<&str> = g.effects(0).iter().map(|e| &*e.rule).collect();
    for want in &x.fired {
        if !fired.contains(&want.as_str()) {
            failures.push(format!("fired: expected `{want}` to act; it did not"));
        }
    }
    for not in &x.not_fired {
        if fired.contains(&not.as_str()) {
            failures.push(format!("not fired: expected `{not}` not to act; it did"));
        }
    }
    if let Some(want) = &x.decided_by {
        let by = g
            .effects(0)
            .iter()
            .find(|e| e.outcome == Outcome::Decided)
            .map(|e| e.rule.to_string());
        if by.as_deref() != Some(want.as_str()) {
            failures.push(format!(
                "decided by: expected `{want}`, got {}",
                by.map_or("the score alone".into(), |b| format!("`{b}`"))
            ));
        }
    }
    if !failures.is_empty()
        && x.insufficient.is_none()
        && let Some(short) = g.insufficient(0)
    {
        // Often why a case about something else fails: give it more inputs.
        failures.push(format!("note: {short}"));
    }
    CaseResult {
        name: case.name.clone(),
        failures,
        effects,
        graded: class.zip(g.score(0)),
    }
}

/// `insufficient`: whether row 0 is below its model's minimum evidence, with
/// its shortage as its first reason.
fn check_insufficient(x: &Expect, g: &Grades, frame: &Frame, failures: &mut Vec<String>) {
    let Some(want) = x.insufficient else { return };
    let got = g.insufficient(0).map(|s| s.to_string());
    match (want, &got) {
        (true, Some(text)) => {
            if g.reason_texts(frame, 0).first() != Some(text) {
                failures.push(format!("insufficient: `{text}` is not the first reason"));
            }
        }
        (false, None) => {}
        (true, None) => failures.push(
            "insufficient: expected the enterprise below its model's minimum evidence; it meets it"
                .into(),
        ),
        (false, Some(text)) => failures.push(format!("insufficient: expected none, got `{text}`")),
    }
}
