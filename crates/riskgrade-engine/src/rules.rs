//! The rules pass: after scoring and classing, each graded enterprise meets
//! the set's rules in their running order. A rule's `when` condition is checked
//! against the batch's columns; only where it holds does the script run, with
//! the variables it reads and the values of its helper calls. Actions are
//! resolved into the final score and class, and kept as the row's trace.

use std::sync::Arc;

use rayon::prelude::*;
use riskgrade_core::{
    Column, DataIssue, Date, Enterprise, FeatureDef, Frame, InputType, MISSING_CODE, Problem,
    did_you_mean,
};
use riskgrade_model::{Emit, Leaf, ModelSet, ScoreFn};
use riskgrade_rules::{
    Action, CmpOp, Dynamic, ErrorPolicy, Guard, Helper, ImmutableString, Lit, RuleError, Rules,
    Test, Var,
};

use crate::error::EvalError;
use crate::grade::LeafData;

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
        let r = &self.rule;
        match &self.action {
            Action::ForceClass { class, reason } => format!("{reason} -> {class} ({r})"),
            Action::AtLeast { class, reason } => format!("{reason} -> at least {class} ({r})"),
            Action::AtMost { class, reason } => format!("{reason} -> at most {class} ({r})"),
            Action::Adjust { points, reason } => {
                let sign = if *points >= 0.0 { "+" } else { "" };
                let p = riskgrade_core::format_number((points * 100.0).round() / 100.0);
                format!("{reason}: {sign}{p} points ({r})")
            }
            Action::Shift { steps, reason } => {
                let n = steps.unsigned_abs();
                let dir = if *steps < 0 { "less" } else { "more" };
                let s = if n == 1 { "" } else { "es" };
                format!("{reason}: {n} class{s} {dir} risky ({r})")
            }
            Action::Label { label } => format!("label {label} ({r})"),
            Action::Alert {
                topic,
                message,
                severity,
            } => format!(
                "{} alert `{topic}` to {}: {message} ({r})",
                severity.name(),
                self.department.as_deref().unwrap_or("nobody (no route)")
            ),
        }
    }
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
    pub effect_start: Vec<u32>,
    pub effects: Vec<Effect>,
    pub stats: Vec<RuleStats>,
    pub issues: Vec<DataIssue>,
}

/// How one variable is read for a row.
enum Access<'a> {
    Number(&'a [f64], InputType),
    Codes(&'a [u32], Vec<ImmutableString>),
    Ids,
    Industry,
    District,
    Model,
    AsOf,
    Score,
    Class,
}

/// A condition bound to the batch's columns.
enum Bound<'a> {
    Any(Vec<Bound<'a>>),
    All(Vec<Bound<'a>>),
    Not(Box<Bound<'a>>),
    Num(&'a [f64], NumTest),
    Score(NumTest),
    Code(&'a [u32], CodeTest),
    Text(TextSrc, TextTest),
    Class(CmpOp, usize),
    ClassIn(Vec<usize>),
    ModelIs(Vec<bool>),
}

enum NumTest {
    True,
    Cmp(CmpOp, f64),
    In(Vec<f64>),
}

enum CodeTest {
    Cmp(CmpOp, Option<u32>),
    In(Vec<u32>),
}

#[derive(Clone, Copy)]
enum TextSrc {
    Id,
    Industry,
    District,
    Model,
}

enum TextTest {
    Cmp(CmpOp, String),
    In(Vec<String>, bool),
}

/// Where a helper call's value comes from.
enum SiteSrc<'a> {
    Profile(FeatureDef, Helper),
    Column(&'a [f64], Helper),
    Unavailable(String),
    /// Per model: the leaf, and whether the weight applies.
    Leaf(Vec<Option<usize>>, bool),
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
    /// Per model, the catalog's index of each of its classes ([`class_map`]).
    pub class_map: Vec<Vec<usize>>,
    /// The models' ids, shared with scripts without copying.
    pub model_ids: Vec<ImmutableString>,
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
    let inputs = set.rules().catalog().inputs();
    let mut vars = Vec::new();
    for rule in set.rules().rules() {
        vars.clear();
        if let Some(g) = rule.guard() {
            g.vars(&mut vars);
        }
        vars.extend_from_slice(rule.vars());
        for v in &vars {
            if let Var::Input(i) = v {
                column_of(frame, &inputs[*i].0, rule.id())?;
            }
        }
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

impl<'a> Pass<'a> {
    fn rules(&self) -> &'a Rules {
        self.set.rules()
    }

    fn access(&self, var: &Var, rule: &str) -> Result<Access<'a>, EvalError> {
        Ok(match var {
            Var::Input(i) => {
                let (name, ty) = &self.rules().catalog().inputs()[*i];
                match column_of(self.frame, name, rule)?.1 {
                    Column::Number(v) => Access::Number(v, *ty),
                    Column::Category { codes, dict } => Access::Codes(
                        codes,
                        dict.iter()
                            .map(|s| ImmutableString::from(s.as_str()))
                            .collect(),
                    ),
                }
            }
            Var::Id => Access::Ids,
            Var::Industry => Access::Industry,
            Var::District => Access::District,
            Var::Model => Access::Model,
            Var::AsOf => Access::AsOf,
            Var::Score => Access::Score,
            Var::Class => Access::Class,
        })
    }

    fn bind(&self, g: &Guard, rule: &str) -> Result<Bound<'a>, EvalError> {
        let num_test = |t: &Test| match t {
            Test::True => NumTest::True,
            Test::Cmp(op, Lit::Number(x)) => NumTest::Cmp(*op, *x),
            Test::Cmp(op, Lit::Bool(b)) => NumTest::Cmp(*op, f64::from(u8::from(*b))),
            Test::In(v) => NumTest::In(
                v.iter()
                    .filter_map(|l| match l {
                        Lit::Number(x) => Some(*x),
                        Lit::Bool(b) => Some(f64::from(u8::from(*b))),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => NumTest::In(Vec::new()),
        };
        let text_of = |l: &Lit| match l {
            Lit::Text(s) => s.clone(),
            _ => String::new(),
        };
        Ok(match g {
            Guard::Any(v) => Bound::Any(
                v.iter()
                    .map(|g| self.bind(g, rule))
                    .collect::<Result<_, _>>()?,
            ),
            Guard::All(v) => Bound::All(
                v.iter()
                    .map(|g| self.bind(g, rule))
                    .collect::<Result<_, _>>()?,
            ),
            Guard::Not(g) => Bound::Not(Box::new(self.bind(g, rule)?)),
            Guard::Test(var, t) => match self.access(var, rule)? {
                Access::Number(v, _) => Bound::Num(v, num_test(t)),
                Access::Codes(codes, dict) => {
                    let code = |l: &Lit| {
                        let s = text_of(l);
                        dict.iter().position(|d| d.as_str() == s).map(|c| c as u32)
                    };
                    match t {
                        Test::Cmp(op, l) => Bound::Code(codes, CodeTest::Cmp(*op, code(l))),
                        Test::In(v) => {
                            Bound::Code(codes, CodeTest::In(v.iter().filter_map(code).collect()))
                        }
                        Test::True => Bound::Code(codes, CodeTest::In(Vec::new())),
                    }
                }
                Access::Score => Bound::Score(num_test(t)),
                Access::AsOf => {
                    // The same for every row: fold it.
                    let d = f64::from(self.as_of.days());
                    let holds = match t {
                        Test::Cmp(op, Lit::Number(x)) => op.holds(d.total_cmp(x)),
                        Test::In(v) => v.contains(&Lit::Number(d)),
                        _ => false,
                    };
                    if holds {
                        Bound::All(Vec::new())
                    } else {
                        Bound::Any(Vec::new())
                    }
                }
                Access::Class => match t {
                    Test::Cmp(op, Lit::Class(c)) => Bound::Class(*op, *c),
                    Test::In(v) => Bound::ClassIn(
                        v.iter()
                            .filter_map(|l| match l {
                                Lit::Class(c) => Some(*c),
                                _ => None,
                            })
                            .collect(),
                    ),
                    _ => Bound::Any(Vec::new()),
                },
                Access::Model => {
                    // The same for every row of a model: one answer per model.
                    let per_model = self
                        .set
                        .models()
                        .iter()
                        .map(|m| {
                            let id = m.id();
                            match t {
                                Test::Cmp(op, l) => op.holds(id.cmp(text_of(l).as_str())),
                                Test::In(v) => v.iter().any(|l| text_of(l) == id),
                                Test::True => false,
                            }
                        })
                        .collect();
                    Bound::ModelIs(per_model)
                }
                a => {
                    let src = match a {
                        Access::Ids => TextSrc::Id,
                        Access::Industry => TextSrc::Industry,
                        Access::District => TextSrc::District,
                        _ => TextSrc::Model,
                    };
                    let prefix = matches!(src, TextSrc::Industry);
                    match t {
                        Test::Cmp(op, l) => Bound::Text(src, TextTest::Cmp(*op, text_of(l))),
                        Test::In(v) => {
                            Bound::Text(src, TextTest::In(v.iter().map(text_of).collect(), prefix))
                        }
                        Test::True => Bound::Any(Vec::new()),
                    }
                }
            },
        })
    }

    /// The class index of `name` in row `r`'s model.
    fn class_index(&self, m: usize, name: &str) -> Option<usize> {
        self.set.models()[m]
            .classes()
            .names()
            .iter()
            .position(|c| c == name)
    }

    /// The catalog's index of model `m`'s class `c` (for `class` conditions).
    fn catalog_class(&self, m: usize, c: usize) -> usize {
        self.class_map
            .get(m)
            .and_then(|v| v.get(c))
            .copied()
            .unwrap_or(usize::MAX)
    }

    fn text(&self, src: TextSrc, r: usize) -> &str {
        match src {
            TextSrc::Id => &self.frame.ids()[r],
            TextSrc::Industry => self.frame.industries()[r].trim(),
            TextSrc::District => self.frame.districts().get(r).map_or("", String::as_str),
            TextSrc::Model => self.set.models()[self.model_of[r] as usize].id(),
        }
    }

    fn holds(&self, b: &Bound<'_>, r: usize, st: &State) -> bool {
        let num = |x: f64, t: &NumTest| {
            !x.is_nan()
                && match t {
                    NumTest::True => x != 0.0,
                    NumTest::Cmp(op, y) => op.holds(x.total_cmp(y)),
                    NumTest::In(v) => v.contains(&x),
                }
        };
        match b {
            Bound::Any(v) => v.iter().any(|b| self.holds(b, r, st)),
            Bound::All(v) => v.iter().all(|b| self.holds(b, r, st)),
            Bound::Not(b) => !self.holds(b, r, st),
            Bound::Num(v, t) => num(v[r], t),
            Bound::Score(t) => num(st.score, t),
            Bound::Code(codes, t) => {
                let c = codes[r];
                c != MISSING_CODE
                    && match t {
                        CodeTest::Cmp(CmpOp::Eq, lit) => Some(c) == *lit,
                        CodeTest::Cmp(_, lit) => Some(c) != *lit,
                        CodeTest::In(v) => v.contains(&c),
                    }
            }
            Bound::Text(src, t) => {
                let s = self.text(*src, r);
                !s.is_empty()
                    && match t {
                        TextTest::Cmp(op, lit) => op.holds(s.cmp(lit.as_str())),
                        TextTest::In(v, true) => v.iter().any(|p| s.starts_with(p.as_str())),
                        TextTest::In(v, false) => v.iter().any(|p| s == p),
                    }
            }
            Bound::Class(op, c) => {
                let m = self.model_of[r] as usize;
                let mine = self.catalog_class(m, st.class);
                op.holds(mine.cmp(c))
            }
            Bound::ClassIn(v) => {
                let m = self.model_of[r] as usize;
                v.contains(&self.catalog_class(m, st.class))
            }
            Bound::ModelIs(v) => v[self.model_of[r] as usize],
        }
    }

    fn value(&self, a: &Access<'_>, r: usize, st: &State) -> Dynamic {
        match a {
            Access::Number(v, ty) => {
                let x = v[r];
                if x.is_nan() {
                    Dynamic::UNIT
                } else {
                    match ty {
                        InputType::Count | InputType::Integer => Dynamic::from(x as i64),
                        InputType::Bool => Dynamic::from(x != 0.0),
                        InputType::Date => Dynamic::from(Date::from_days(x as i32).to_string()),
                        _ => Dynamic::from(x),
                    }
                }
            }
            Access::Codes(codes, dict) => {
                let c = codes[r];
                dict.get(c as usize)
                    .filter(|_| c != MISSING_CODE)
                    .map_or(Dynamic::UNIT, |s| Dynamic::from(s.clone()))
            }
            Access::Ids => Dynamic::from(self.text(TextSrc::Id, r).to_string()),
            Access::Industry => Dynamic::from(self.text(TextSrc::Industry, r).to_string()),
            Access::District => Dynamic::from(self.text(TextSrc::District, r).to_string()),
            Access::Model => Dynamic::from(self.model_ids[self.model_of[r] as usize].clone()),
            Access::AsOf => Dynamic::from(self.as_of.to_string()),
            Access::Score => Dynamic::from(st.score),
            Access::Class => {
                let m = self.model_of[r] as usize;
                Dynamic::from(self.set.models()[m].classes().names()[st.class].clone())
            }
        }
    }

    fn site_src(
        &self,
        helper: Helper,
        args: &[String],
        feature: Option<&FeatureDef>,
    ) -> SiteSrc<'a> {
        if let Some(def) = feature {
            if self.profiles.is_some() {
                return SiteSrc::Profile(def.clone(), helper);
            }
            // A columnar batch: a declared input with the same definition carries the value.
            let same = self
                .set
                .schema()
                .inputs()
                .iter()
                .find(|(_, s)| s.derive.as_ref() == Some(def));
            return match same.and_then(|(n, _)| self.frame.number(n)) {
                Some(v) => SiteSrc::Column(v, helper),
                None => SiteSrc::Unavailable(format!(
                    "`{}({})` reads the enterprise's records, which a columnar batch does not carry; grade profiles, or declare an input with `derive = {}` so the batch has it as a column",
                    helper.name(),
                    args.iter()
                        .map(|a| format!("\"{a}\""))
                        .collect::<Vec<_>>()
                        .join(", "),
                    derive_text(def)
                )),
            };
        }
        let path = &args[0];
        let leaves = self
            .set
            .models()
            .iter()
            .map(|m| m.leaves().iter().position(|l| l.path == *path))
            .collect();
        SiteSrc::Leaf(leaves, helper == Helper::Contribution)
    }

    fn site_value(&self, src: &SiteSrc<'_>, r: usize) -> Result<Dynamic, String> {
        let convert = |h: Helper, x: f64| match h {
            Helper::Count => {
                if x.is_nan() {
                    Dynamic::UNIT
                } else {
                    Dynamic::from(x as i64)
                }
            }
            Helper::DaysSince => Dynamic::from(if x.is_nan() { i64::MAX } else { x as i64 }),
            Helper::Listed | Helper::HasLicence => Dynamic::from(x > 0.0),
            _ => Dynamic::from(x),
        };
        match src {
            SiteSrc::Profile(def, h) => {
                let e = self
                    .profiles
                    .and_then(|p| p.get(r))
                    .ok_or_else(|| "the enterprise's profile is not readable".to_string())?;
                Ok(convert(
                    *h,
                    def.eval(e, self.as_of, self.set.effect_periods()),
                ))
            }
            SiteSrc::Column(v, h) => Ok(convert(*h, v[r])),
            SiteSrc::Unavailable(msg) => Err(msg.clone()),
            SiteSrc::Leaf(leaves, weighted) => {
                let m = self.model_of[r] as usize;
                let Some(l) = leaves[m] else {
                    return Ok(Dynamic::UNIT);
                };
                let leaf = &self.set.models()[m].leaves()[l];
                let p = leaf_points(leaf, &self.resolved[m][l], r, self.as_of, self.model_scores);
                Ok(Dynamic::from(if *weighted { p * leaf.weight } else { p }))
            }
        }
    }

    /// Runs the rules over the graded rows; updates `score` and `class` in place.
    pub(crate) fn run(
        &self,
        score: &mut [f64],
        class: &mut [u8],
        graded: &(dyn Fn(usize) -> bool + Sync),
    ) -> Result<RuleOutput, EvalError> {
        let rules = self.rules();
        let n = score.len();
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

        struct RowOut {
            row: usize,
            effects: Vec<Effect>,
            score: f64,
            class: usize,
            error: Option<(usize, RuleError, bool)>,
            matched: Vec<usize>,
        }

        let process =
            |r: usize, vars: &mut Vec<Dynamic>, vals: &mut Vec<Dynamic>| -> Option<RowOut> {
                let m = self.model_of[r] as usize;
                let model = &self.set.models()[m];
                let classes = model.classes();
                let nclass = classes.names().len();
                let mut st = State {
                    base: score[r],
                    adjust: 0.0,
                    shift: 0,
                    floor: None,
                    cap: None,
                    forced: None,
                    score: score[r],
                    class: class[r] as usize,
                };
                let mut effects: Vec<Effect> = Vec::new();
                let mut matched = Vec::new();
                let mut error = None;
                for &ri in &active {
                    let rule = &rules.rules()[ri];
                    if let Some(b) = &bound[ri]
                        && !self.holds(b, r, &st)
                    {
                        continue;
                    }
                    matched.push(ri);
                    vars.clear();
                    vars.extend(accesses[ri].iter().map(|a| self.value(a, r, &st)));
                    vals.clear();
                    let mut failed = None;
                    for s in &sites[ri] {
                        match self.site_value(s, r) {
                            Ok(v) => vals.push(v),
                            Err(msg) => {
                                failed = Some(RuleError::Runtime {
                                    rule: rule.id().to_string(),
                                    file: rule.spec().file.clone(),
                                    line: 0,
                                    column: 0,
                                    message: msg,
                                    source_line: None,
                                    hint: None,
                                });
                                break;
                            }
                        }
                    }
                    let result = match failed {
                        Some(e) => Err(e),
                        None => rules.run(ri, vars, vals),
                    };
                    let actions = match result.and_then(|a| {
                        check_actions(&a, rule.id(), rule.spec().file.as_ref(), |c| {
                            self.class_index(m, c)
                        })
                        .map(|()| a)
                    }) {
                        Ok(a) => a,
                        Err(e) => {
                            let skip = self.policy == ErrorPolicy::SkipRule;
                            if skip {
                                error.get_or_insert((ri, e, true));
                                continue;
                            }
                            error = Some((ri, e, false));
                            break;
                        }
                    };
                    for a in actions {
                        match &a {
                            Action::Adjust { points, .. } => st.adjust += points,
                            Action::Shift { steps, .. } => st.shift += steps,
                            Action::ForceClass { class: c, .. } => {
                                let c = self.class_index(m, c).unwrap_or(0);
                                if st.forced.is_none_or(|(f, _)| c > f) {
                                    st.forced = Some((c, effects.len()));
                                }
                            }
                            Action::AtLeast { class: c, .. } => {
                                let c = self.class_index(m, c).unwrap_or(0);
                                if st.floor.is_none_or(|(f, _)| c > f) {
                                    st.floor = Some((c, effects.len()));
                                }
                            }
                            Action::AtMost { class: c, .. } => {
                                let c = self.class_index(m, c).unwrap_or(nclass - 1);
                                if st.cap.is_none_or(|(f, _)| c < f) {
                                    st.cap = Some((c, effects.len()));
                                }
                            }
                            Action::Label { label } => {
                                if effects.iter().any(
                                |e| matches!(&e.action, Action::Label { label: l } if l == label),
                            ) {
                                continue;
                            }
                            }
                            Action::Alert { .. } => {}
                        }
                        let (department, basis) = match &a {
                            Action::Alert { topic, .. } => {
                                let (d, b) = self.set.routing().route(
                                    topic,
                                    &self.frame.industries()[r],
                                    |licence| self.issuer(r, licence),
                                );
                                (d, Some(b))
                            }
                            _ => (None, None),
                        };
                        effects.push(Effect {
                            rule: Arc::clone(&ids[ri]),
                            action: a,
                            department,
                            basis,
                            outcome: Outcome::Applied,
                        });
                    }
                    self.resolve(m, &mut st);
                }
                if let Some((_, _, false)) = &error {
                    // No partial grade: the row is reported with the rule's error.
                    return Some(RowOut {
                        row: r,
                        effects: Vec::new(),
                        score: f64::NAN,
                        class: usize::MAX,
                        error,
                        matched,
                    });
                }
                if effects.is_empty() && error.is_none() && matched.is_empty() {
                    return None;
                }
                self.outcomes(m, &st, &mut effects);
                Some(RowOut {
                    row: r,
                    score: st.score,
                    class: st.class,
                    effects,
                    error,
                    matched,
                })
            };

        let outs: Vec<RowOut> = (0..n)
            .into_par_iter()
            .with_min_len(1024)
            .filter(|&r| graded(r))
            .map_init(
                || (Vec::new(), Vec::new()),
                |(vars, vals), r| process(r, vars, vals),
            )
            .flatten()
            .collect();

        if (self.cancelled)() {
            return Err(EvalError::Cancelled);
        }
        // Abort: the first failing row, in row order, stops the batch.
        if self.policy == ErrorPolicy::Abort
            && let Some(o) = outs.iter().find(|o| o.error.is_some())
            && let Some((_, e, _)) = &o.error
        {
            return Err(EvalError::Rule {
                row: o.row,
                id: self.frame.ids()[o.row].clone(),
                error: Box::new(e.clone()),
            });
        }

        let mut stats: Vec<RuleStats> = rules
            .rules()
            .iter()
            .map(|rule| RuleStats {
                rule: rule.id().to_string(),
                active: rule.spec().applies(self.as_of),
                matched: 0,
                fired: 0,
                points: 0.0,
                forced: 0,
                decided: 0,
                labels: 0,
                alerts: 0,
                errors: 0,
            })
            .collect();
        let mut counts = vec![0u32; n];
        let mut effects = Vec::new();
        let mut issues = Vec::new();
        for o in outs {
            for &ri in &o.matched {
                stats[ri].matched += 1;
            }
            let mut fired: Vec<usize> = Vec::new();
            for e in &o.effects {
                let ri = rules.index_of(&e.rule).unwrap_or(0);
                let s = &mut stats[ri];
                if !fired.contains(&ri) {
                    fired.push(ri);
                    s.fired += 1;
                }
                match &e.action {
                    Action::Adjust { points, .. } => s.points += points,
                    Action::ForceClass { .. } => s.forced += 1,
                    Action::Label { .. } => s.labels += 1,
                    Action::Alert { .. } => s.alerts += 1,
                    _ => {}
                }
                if e.outcome == Outcome::Decided {
                    s.decided += 1;
                }
            }
            if let Some((ri, e, skipped)) = &o.error {
                stats[*ri].errors += 1;
                issues.push(DataIssue {
                    row: o.row,
                    id: self.frame.ids()[o.row].clone(),
                    column: format!("rule:{}", rules.rules()[*ri].id()),
                    problem: Problem::Rule {
                        message: e.one_line(),
                        skipped: *skipped,
                    },
                });
            }
            score[o.row] = o.score;
            class[o.row] = if o.class == usize::MAX {
                u8::MAX
            } else {
                o.class as u8
            };
            counts[o.row] = o.effects.len() as u32;
            effects.extend(o.effects);
        }
        let mut effect_start = Vec::with_capacity(n + 1);
        effect_start.push(0u32);
        let mut total = 0u32;
        for c in counts {
            total += c;
            effect_start.push(total);
        }
        Ok(RuleOutput {
            effect_start,
            effects,
            stats,
            issues,
        })
    }

    /// The department named on the enterprise's valid licence of this type, from its profile.
    fn issuer(&self, r: usize, licence: &str) -> Option<String> {
        let e = self.profiles?.get(r)?;
        e.licences
            .iter()
            .filter(|l| l.kind == licence && !l.department.is_empty())
            .find(|l| l.valid_until.is_none_or(|d| d >= self.as_of))
            .map(|l| l.department.clone())
    }

    /// Recomputes the score and class from the state's parts.
    fn resolve(&self, m: usize, st: &mut State) {
        let model = &self.set.models()[m];
        let classes = model.classes();
        let n = classes.names().len();
        let (lo, hi) = (model.scale().min, model.scale().max);
        st.score = (st.base + st.adjust).clamp(lo.min(hi), hi.max(lo));
        let mut c = classes.class_of(classes.risk_value(st.score), &self.thresholds[m]) as i64;
        c = (c + st.shift).clamp(0, n as i64 - 1);
        let mut c = c as usize;
        if let Some((cap, _)) = st.cap {
            c = c.min(cap);
        }
        if let Some((floor, _)) = st.floor {
            c = c.max(floor);
        }
        if let Some((f, _)) = st.forced {
            c = f;
        }
        st.class = c;
    }

    /// Marks which class actions decided the class, which made no change and which lost.
    fn outcomes(&self, m: usize, st: &State, effects: &mut [Effect]) {
        let classes = self.set.models()[m].classes();
        let idx = |c: &str| self.class_index(m, c).unwrap_or(0);
        let rule_of = |k: usize, effects: &[Effect]| effects[k].rule.to_string();
        let forced = st.forced.map(|(_, k)| (k, rule_of(k, effects)));
        let floor = st.floor.map(|(_, k)| (k, rule_of(k, effects)));
        let cap = st.cap.map(|(_, k)| (k, rule_of(k, effects)));
        // The class before floors and caps.
        let mut pre = classes.class_of(classes.risk_value(st.score), &self.thresholds[m]) as i64;
        pre = (pre + st.shift).clamp(0, classes.names().len() as i64 - 1);
        let pre = pre as usize;
        let capped = cap
            .as_ref()
            .map_or(pre, |_| pre.min(st.cap.map_or(pre, |c| c.0)));
        for (k, effect) in effects.iter_mut().enumerate() {
            let outcome = match &effect.action {
                Action::ForceClass { .. } => match &forced {
                    Some((fk, _)) if *fk == k => Outcome::Decided,
                    Some((_, by)) => Outcome::Overridden(by.clone()),
                    None => Outcome::Applied,
                },
                Action::AtLeast { class, .. } => {
                    if let Some((_, by)) = &forced {
                        Outcome::Overridden(by.clone())
                    } else if floor.as_ref().is_some_and(|(fk, _)| *fk == k) && idx(class) > capped
                    {
                        Outcome::Decided
                    } else {
                        Outcome::NoChange
                    }
                }
                Action::AtMost { class, .. } => {
                    let c = idx(class);
                    if let Some((_, by)) = &forced {
                        Outcome::Overridden(by.clone())
                    } else if st.class > c {
                        // Only a floor can lift the class above a cap.
                        Outcome::Overridden(
                            floor.as_ref().map_or_else(String::new, |f| f.1.clone()),
                        )
                    } else if cap.as_ref().is_some_and(|(ck, _)| *ck == k) && c < pre {
                        Outcome::Decided
                    } else {
                        Outcome::NoChange
                    }
                }
                _ => Outcome::Applied,
            };
            effect.outcome = outcome;
        }
    }
}

/// Class names in actions must exist in the row's model.
fn check_actions(
    actions: &[Action],
    rule: &str,
    file: Option<&String>,
    class_index: impl Fn(&str) -> Option<usize>,
) -> Result<(), RuleError> {
    for a in actions {
        if let Action::ForceClass { class, .. }
        | Action::AtLeast { class, .. }
        | Action::AtMost { class, .. } = a
            && class_index(class).is_none()
        {
            return Err(RuleError::Runtime {
                rule: rule.to_string(),
                file: file.cloned(),
                line: 0,
                column: 0,
                message: format!("no class `{class}` in this enterprise's model"),
                source_line: None,
                hint: Some("name one of the classes of every model the rule runs on".into()),
            });
        }
    }
    Ok(())
}

/// A feature definition as a TOML inline table, for messages.
fn derive_text(def: &FeatureDef) -> String {
    let parts: Vec<String> = match serde_json::to_value(def) {
        Ok(serde_json::Value::Object(map)) => {
            map.iter().map(|(k, v)| format!("{k} = {v}")).collect()
        }
        _ => Vec::new(),
    };
    format!("{{ {} }}", parts.join(", "))
}

/// One leaf's points for one row (before weighting).
pub(crate) fn leaf_points(
    leaf: &Leaf,
    data: &LeafData<'_>,
    r: usize,
    as_of: Date,
    scores: &[Vec<f64>],
) -> f64 {
    let mut out = [0.0];
    match data {
        LeafData::Numbers(v, date) => {
            let x = if *date {
                f64::from(as_of.days()) - v[r]
            } else {
                v[r]
            };
            leaf.score_numbers(&[x], 1.0, &mut out, Emit::Set);
        }
        LeafData::Score(m) => {
            let x = scores[*m].get(r).copied().unwrap_or(f64::NAN);
            leaf.score_numbers(&[x], 1.0, &mut out, Emit::Set);
        }
        LeafData::Codes(codes, table) => {
            ScoreFn::score_codes(
                table,
                &[codes[r]],
                1.0,
                leaf.missing_points(),
                &mut out,
                Emit::Set,
            );
        }
    }
    out[0]
}
