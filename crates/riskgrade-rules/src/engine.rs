//! The shared, locked-down Rhai engine: compile every rule once, run one rule on one enterprise.

use std::sync::Arc;
use std::time::Instant;

use rhai::{AST, Dynamic, Engine, EvalAltResult, ParseErrorType, Position, Scope};
use riskgrade_core::did_you_mean;

use crate::action::Action;
use crate::catalog::{Catalog, Var};
use crate::check::{Known, check_calls, check_comparisons};
use crate::error::RuleError;
use crate::guard::Guard;
use crate::host::{ACTIONS, CURRENT, DEADLINE, SCOPE, SITE_VALUES, SPENT, engine};
use crate::limits::{Limits, Spent};
use crate::plan::{self, NotCompiled, Plan};
use crate::scan::{Site, scan, tokens};
use crate::spec::{RuleSpec, Stage, check_id};
use crate::syntax;
use riskgrade_core::InputType;

/// One compiled rule: its declaration, its parsed condition, the variables its
/// script reads and the helper calls it makes.
#[derive(Clone)]
pub struct Rule {
    spec: RuleSpec,
    ast: AST,
    guard: Option<Guard>,
    vars: Vec<Var>,
    sites: Vec<Site>,
    acts: bool,
    plan: Result<Plan, NotCompiled>,
}

impl Rule {
    /// The declaration.
    pub fn spec(&self) -> &RuleSpec {
        &self.spec
    }
    /// The id.
    pub fn id(&self) -> &str {
        &self.spec.id
    }
    /// The parsed `when` condition.
    pub fn guard(&self) -> Option<&Guard> {
        self.guard.as_ref()
    }
    /// The variables the script reads, in the order [`Rules::run`] takes their values.
    pub fn vars(&self) -> &[Var] {
        &self.vars
    }
    /// The helper calls the script makes, in the order [`Rules::run`] takes their values.
    pub fn sites(&self) -> &[Site] {
        &self.sites
    }
    /// The rule compiled to a straight sequence of actions, which the batch
    /// engine applies without the interpreter; or why it runs with the interpreter.
    ///
    /// ```
    /// use riskgrade_core::InputType;
    /// use riskgrade_rules::{Catalog, Limits, NotCompiled, RuleSpec, Rules, Stage};
    /// let catalog = Catalog::new(vec![("staff".into(), InputType::Count)]).classes(["A", "B"]);
    /// let specs = vec![
    ///     RuleSpec::inline("plain", Stage::After, "promote(`${staff} insured staff`); label(\"good\");"),
    ///     RuleSpec::inline("branchy", Stage::After, "if staff > 5 { label(\"big\") }"),
    /// ];
    /// let rules = Rules::compile(specs, catalog, Limits::default()).unwrap();
    /// assert_eq!(rules.rules()[0].plan().unwrap().steps().len(), 2);
    /// assert!(matches!(rules.rules()[1].plan(), Err(NotCompiled::NotAStep { line: 1, .. })));
    /// ```
    ///
    /// # Errors
    /// [`NotCompiled`]: why the script needs the interpreter.
    pub fn plan(&self) -> Result<&Plan, &NotCompiled> {
        self.plan.as_ref()
    }
    /// Whether the script reads records or licences through helpers.
    pub fn reads_records(&self) -> bool {
        self.sites.iter().any(|s| s.helper.reads_records())
    }
}

/// A warning about a rule that compiles: something its author probably wants to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lint {
    /// The rule's id.
    pub rule: String,
    /// What to look at.
    pub message: String,
}

/// Compiled rules sharing one engine. `Send + Sync`: share it across threads.
pub struct Rules {
    engine: Engine,
    rules: Vec<Rule>,
    order: Vec<usize>,
    catalog: Catalog,
    limits: Limits,
}

impl std::fmt::Debug for Rules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rules")
            .field(
                "rules",
                &self.rules.iter().map(Rule::id).collect::<Vec<_>>(),
            )
            .field("limits", &self.limits)
            .finish()
    }
}

/// Rhai's type names in the words rule authors use.
fn type_name(t: &str) -> &'static str {
    match t.trim() {
        "i64" | "INT" => "integer",
        "f64" | "FLOAT" => "number",
        "bool" => "bool",
        "()" => "no value `()`",
        "char" => "character",
        t if t.contains("String") || t.contains("str") => "text",
        t if t.contains("Array") => "array",
        t if t.contains("Map") => "map",
        _ => "value",
    }
}

/// A Rhai syntax error as the rule author needs it: the source line and a
/// caret always (at the script's end when Rhai points past it), a missing `;`
/// at the end of the line that lacks it, and a missing `}` with where its
/// block opened.
fn parse_error(spec: &RuleSpec, e: &rhai::ParseError, catalog: &Catalog, after: bool) -> RuleError {
    let (mut line, mut column) = at(e.1);
    let mut hint = None;
    let message = match &*e.0 {
        ParseErrorType::VariableUndefined(name) => {
            hint = if !after && (name == "score" || name == "class") {
                Some(format!(
                    "`{name}` is only known after scoring; set the rule's stage to \"after\""
                ))
            } else {
                did_you_mean(name, catalog.names(after))
                    .map(|s| format!("did you mean `{s}`?"))
                    .or_else(|| Some("rules can read the model's inputs, `industry`, `district`, `model`, `id`, `as_of`, and after scoring `score` and `class`; declare other inputs under [inputs]".into()))
            };
            format!("unknown variable `{name}`")
        }
        other => other.to_string(),
    };
    match &*e.0 {
        ParseErrorType::MissingToken(t, _) if t == ";" => {
            (line, column) = syntax::end_before(&spec.script, line, column);
        }
        ParseErrorType::MissingToken(t, _) if t == "}" => {
            if let Some((l, c)) = syntax::unclosed_brace(&spec.script) {
                hint = Some(format!(
                    "the block opened at line {}, column {c} is never closed",
                    file_line(spec, l)
                ));
            }
        }
        _ => {}
    }
    if line_of(&spec.script, line as usize).is_none() {
        (line, column) = syntax::end_of(&spec.script);
    }
    compile_error(spec, line, column, message, hint)
}

/// The load-time checks of a script's text: its calls and its comparisons.
fn check_text(spec: &RuleSpec, known: &Known, catalog: &Catalog) -> Result<(), RuleError> {
    let Ok(toks) = tokens(&spec.script) else {
        return Ok(()); // refused by the scan already
    };
    let after = spec.stage == Stage::After;
    check_calls(&toks, known)
        .and_then(|()| check_comparisons(&toks, catalog, after))
        .map_err(|e| compile_error(spec, e.line, e.column, e.message, e.hint))
}

/// The longest script, in bytes.
pub const MAX_SCRIPT_LEN: usize = 64 * 1024;

/// A script longer than [`MAX_SCRIPT_LEN`] is refused before it is read.
fn check_size(spec: &RuleSpec) -> Result<(), RuleError> {
    if spec.script.len() <= MAX_SCRIPT_LEN {
        return Ok(());
    }
    let line = spec.script[..MAX_SCRIPT_LEN].matches('\n').count() + 1;
    Err(RuleError::Compile {
        rule: spec.id.clone(),
        at: position(spec, file_line(spec, line as u32), 1),
        message: format!(
            "the script is {} bytes long; a rule's script has at most {MAX_SCRIPT_LEN}",
            spec.script.len()
        ),
        source_line: None,
        hint: Some("split it into several rules".into()),
    })
}

fn file_line(spec: &RuleSpec, line: u32) -> u32 {
    if spec.line > 0 && line > 0 {
        spec.line + line - 1
    } else {
        line
    }
}

fn compile_error(
    spec: &RuleSpec,
    line: u32,
    column: u32,
    message: String,
    hint: Option<String>,
) -> RuleError {
    RuleError::Compile {
        rule: spec.id.clone(),
        at: position(spec, file_line(spec, line), column),
        message,
        source_line: line_of(&spec.script, line as usize),
        hint: hint.map(String::into_boxed_str),
    }
}

/// The position in the rule's file (or its inline script) of `line` and `column`.
fn position(spec: &RuleSpec, line: u32, column: u32) -> Box<riskgrade_core::Position> {
    let at = riskgrade_core::Position::line_col(line as usize, column as usize);
    Box::new(match &spec.file {
        Some(file) => at.in_file(file),
        None => at,
    })
}

fn line_of(script: &str, line: usize) -> Option<Box<str>> {
    line.checked_sub(1)
        .and_then(|i| script.lines().nth(i))
        .map(Into::into)
}

fn at(p: Position) -> (u32, u32) {
    let n = |x: Option<usize>| x.map_or(0, |v| u32::try_from(v).unwrap_or(u32::MAX));
    (n(p.line()), n(p.position()))
}

impl Rules {
    /// Compiles every rule with one shared engine, against the names in `catalog`.
    /// A misspelled variable, helper argument or class is a compile error with
    /// a suggestion. After-stage rules may also read `score` and `class`.
    ///
    /// # Errors
    /// [`RuleError::Compile`] or [`RuleError::When`] for the first rule that
    /// does not compile, with its position, source line and a hint;
    /// [`RuleError::DuplicateId`].
    pub fn compile(
        specs: Vec<RuleSpec>,
        catalog: Catalog,
        limits: Limits,
    ) -> Result<Rules, RuleError> {
        let mut scanned = Vec::with_capacity(specs.len());
        for (k, spec) in specs.iter().enumerate() {
            check_id(&spec.id).map_err(|problem| RuleError::BadId {
                rule: spec.id.clone(),
                problem,
            })?;
            check_size(spec)?;
            if specs[..k].iter().any(|s| s.id == spec.id) {
                return Err(RuleError::DuplicateId(spec.id.clone()));
            }
            let after = spec.stage == Stage::After;
            let guard = match spec.when.as_deref() {
                Some(text) => {
                    Some(
                        Guard::parse(text, &catalog, after).map_err(|g| RuleError::When {
                            rule: spec.id.clone(),
                            file: spec.file.as_deref().map(std::path::PathBuf::from),
                            line: 0,
                            column: g.column + 1,
                            message: g.message,
                            text: text.into(),
                            hint: g.hint.map(String::into_boxed_str),
                        })?,
                    )
                }
                None => None,
            };
            let found = scan(&spec.script, &catalog, after)
                .map_err(|e| compile_error(spec, e.line, e.column, e.message, e.hint))?;
            scanned.push((guard, found));
        }
        let sites = Arc::new(scanned.iter().map(|(_, f)| f.sites.clone()).collect());
        let engine = engine(&limits, sites);
        let known = Known::of(&engine);
        let mut rules: Vec<Rule> = Vec::with_capacity(specs.len());
        for (spec, (guard, found)) in specs.into_iter().zip(scanned) {
            check_text(&spec, &known, &catalog)?;
            // Plain variables at compile time (constants would be folded into the
            // AST by the optimiser); constants when the rule runs.
            let after = spec.stage == Stage::After;
            let mut scope = Scope::new();
            for name in catalog.names(after) {
                scope.push_dynamic(name, Dynamic::UNIT);
            }
            match engine.compile_with_scope(&scope, &spec.script) {
                Ok(ast) => rules.push(Rule {
                    spec,
                    ast,
                    guard,
                    vars: found.vars,
                    sites: found.sites,
                    acts: found.acts,
                    plan: Err(NotCompiled::Empty),
                }),
                Err(e) => return Err(parse_error(&spec, &e, &catalog, after)),
            }
        }
        let mut order: Vec<usize> = (0..rules.len()).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (&rules[a].spec, &rules[b].spec);
            x.stage
                .cmp(&y.stage)
                .then(y.priority.cmp(&x.priority))
                .then_with(|| x.id.cmp(&y.id))
        });
        let mut out = Rules {
            engine,
            rules,
            order,
            catalog,
            limits,
        };
        for k in 0..out.rules.len() {
            out.rules[k].plan = out.plan_of(k);
        }
        Ok(out)
    }

    /// Rule `k`'s plan, checked against the interpreter with sample values.
    fn plan_of(&self, k: usize) -> Result<Plan, NotCompiled> {
        let r = &self.rules[k];
        let plan = plan::classify(&r.spec.script, &r.vars, &self.catalog)?;
        if !r.sites.is_empty() {
            return Err(NotCompiled::Differs);
        }
        for sample in 0..2i64 {
            let value = |v: &Var| match v {
                Var::Input(i) => match self.catalog.inputs()[*i].1 {
                    InputType::Number => plan::Value::Float(2.5 - 7.25 * sample as f64),
                    InputType::Count | InputType::Integer => plan::Value::Int(3 - 40 * sample),
                    _ => plan::Value::Text(format!("t{sample}-{i}")),
                },
                other => plan::Value::Text(format!("{}{sample}", other.name(&self.catalog))),
            };
            let values: Vec<plan::Value> = r.vars.iter().map(value).collect();
            let vars: Vec<Dynamic> = values
                .iter()
                .map(|v| match v {
                    plan::Value::Float(x) => Dynamic::from(*x),
                    plan::Value::Int(i) => Dynamic::from(*i),
                    plan::Value::Text(s) => Dynamic::from(s.clone()),
                })
                .collect();
            let ran = self.run(k, &vars, &[]).ok();
            if ran.is_none() || ran != plan.actions(|j| values.get(j).cloned()) {
                return Err(NotCompiled::Differs);
            }
        }
        Ok(plan)
    }

    /// No rules.
    pub fn none(catalog: Catalog) -> Rules {
        Rules {
            engine: Engine::new_raw(),
            rules: Vec::new(),
            order: Vec::new(),
            catalog,
            limits: Limits::default(),
        }
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rules, in declaration order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The name of every input the rules read (in a `when` condition or a script), with the
    /// first rule that reads it, in rule order.
    pub fn inputs_read(&self) -> Vec<(&str, &Rule)> {
        let inputs = self.catalog.inputs();
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        let mut vars = Vec::new();
        for rule in &self.rules {
            vars.clear();
            if let Some(g) = rule.guard() {
                g.vars(&mut vars);
            }
            vars.extend_from_slice(rule.vars());
            for v in &vars {
                if let Var::Input(i) = v
                    && let Some((name, _)) = inputs.get(*i)
                    && seen.insert(name.as_str())
                {
                    out.push((name.as_str(), rule));
                }
            }
        }
        out
    }

    /// The rules' declarations, in declaration order.
    pub fn specs(&self) -> impl Iterator<Item = &RuleSpec> {
        self.rules.iter().map(|r| &r.spec)
    }

    /// What the rules were checked against.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The limits every run is held to.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Rule indices in running order: stage, then priority (higher first), then id.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// Warnings about rules that compile but may not do what their author wants.
    pub fn lints(&self) -> Vec<Lint> {
        let mut out = Vec::new();
        for r in &self.rules {
            let mut say = |m: &str| {
                out.push(Lint {
                    rule: r.spec.id.clone(),
                    message: m.to_string(),
                })
            };
            if !r.spec.enabled {
                say("disabled: compiled and checked, but never run");
            }
            if r.guard.is_none() {
                say(
                    "no `when` condition: the script runs for every enterprise; a condition lets the engine skip the rest",
                );
            }
            if !r.acts {
                say(
                    "calls no action (force_class, at_least, at_most, adjust, promote, demote, label, alert), so it can have no effect",
                );
            }
            if let (Some(a), Some(b)) = (r.spec.effective, r.spec.expires)
                && b <= a
            {
                say("expires on or before the day it takes effect, so it never applies");
            }
        }
        out
    }

    /// Runs rule `rule` on one enterprise. `vars` holds the values of
    /// [`Rule::vars`] (`()` for a missing value) and `sites` the values of
    /// [`Rule::sites`], in their order; returns the rule's actions.
    ///
    /// # Errors
    /// [`RuleError::Runtime`] when the script fails or exceeds a limit; the
    /// message says which limit and what to change.
    pub fn run(
        &self,
        rule: usize,
        vars: &[Dynamic],
        sites: &[Dynamic],
    ) -> Result<Vec<Action>, RuleError> {
        self.run_after(rule, vars, sites, Spent::default())
    }

    /// As [`Rules::run`], for an enterprise whose earlier rules already took
    /// `spent` of its effect limits ([`Limits::max_effects`],
    /// [`Limits::max_effect_bytes`]).
    ///
    /// # Errors
    /// As [`Rules::run`]; also when the rule's effects would pass the
    /// enterprise's effect limits or one text its length limit.
    pub fn run_after(
        &self,
        rule: usize,
        vars: &[Dynamic],
        sites: &[Dynamic],
        spent: Spent,
    ) -> Result<Vec<Action>, RuleError> {
        let r = &self.rules[rule];
        SPENT.with(|s| s.set(spent));
        let result = SCOPE.with(|cell| {
            let mut scope = cell.borrow_mut();
            scope.clear();
            for (var, v) in r.vars.iter().zip(vars) {
                scope.push_constant_dynamic(var.name(&self.catalog).to_string(), v.clone());
            }
            ACTIONS.with(|a| a.borrow_mut().clear());
            SITE_VALUES.with(|s| {
                let mut s = s.borrow_mut();
                s.clear();
                s.extend_from_slice(sites);
            });
            CURRENT.with(|c| c.set(rule));
            DEADLINE.with(|d| d.set(Some(Instant::now() + self.limits.time_budget)));
            let result = self.engine.run_ast_with_scope(&mut scope, &r.ast);
            DEADLINE.with(|d| d.set(None));
            CURRENT.with(|c| c.set(usize::MAX));
            scope.clear();
            result
        });
        let actions = ACTIONS.with(|a| std::mem::take(&mut *a.borrow_mut()));
        result
            .map(|()| actions)
            .map_err(|e| self.runtime_error(&r.spec, &e))
    }

    /// Runs rule `rule` with values given by name (missing names are `()`);
    /// helper calls return `()`. For tests and examples.
    ///
    /// # Errors
    /// As [`Rules::run`].
    pub fn run_with(
        &self,
        rule: usize,
        values: &[(&str, Dynamic)],
    ) -> Result<Vec<Action>, RuleError> {
        let r = &self.rules[rule];
        let vars: Vec<Dynamic> = r
            .vars
            .iter()
            .map(|v| {
                let name = v.name(&self.catalog);
                values
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map_or(Dynamic::UNIT, |(_, d)| d.clone())
            })
            .collect();
        let sites = vec![Dynamic::UNIT; r.sites.len()];
        self.run(rule, &vars, &sites)
    }

    /// The index of the rule with this id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.spec.id == id)
    }

    fn runtime_error(&self, spec: &RuleSpec, e: &EvalAltResult) -> RuleError {
        let (script_line, column) = at(e.position());
        let line = file_line(spec, script_line);
        let l = &self.limits;
        let mut hint = None;
        let message = match e {
            EvalAltResult::ErrorTooManyOperations(_) => format!(
                "stopped after {} operations (a loop that never ends?); simplify the rule or raise the limit",
                l.max_operations
            ),
            EvalAltResult::ErrorTerminated(..) => {
                format!("stopped after its time budget of {:?}", l.time_budget)
            }
            EvalAltResult::ErrorStackOverflow(_) => {
                format!(
                    "calls nest deeper than {} levels (runaway recursion?)",
                    l.max_call_levels
                )
            }
            EvalAltResult::ErrorDataTooLarge(what, _) => format!(
                "{what} exceeds its limit (strings {} bytes, arrays {} items, maps {} entries)",
                l.max_string_size, l.max_array_size, l.max_map_size
            ),
            EvalAltResult::ErrorFunctionNotFound(sig, _) => {
                let (name, args) = sig.split_once(" (").unwrap_or((sig.as_str(), ""));
                let args = args.strip_suffix(')').unwrap_or(args);
                let types: Vec<&str> = args
                    .split(", ")
                    .filter(|a| !a.is_empty())
                    .map(type_name)
                    .collect();
                hint = Some(if types.contains(&"no value `()`") {
                    "an input without a value is `()`: write `(x ?? 0)`, or test `x == ()` first, or add a `when` condition on it".to_string()
                } else {
                    "convert with to_int(), to_float() or to_string(), or check the function's name"
                        .to_string()
                });
                format!(
                    "no function or operator `{name}` for ({})",
                    types.join(", ")
                )
            }
            other => {
                let text = other.to_string();
                text.split(" (line ").next().unwrap_or(&text).to_string()
            }
        };
        RuleError::Runtime {
            rule: spec.id.clone(),
            at: position(spec, line, column),
            message,
            source_line: line_of(&spec.script, script_line as usize),
            hint: hint.map(String::into_boxed_str),
        }
    }
}
