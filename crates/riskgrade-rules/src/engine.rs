//! The shared, locked-down Rhai engine: compile every rule once, run one rule on one enterprise.

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

use rhai::packages::{Package, StandardPackage};
use rhai::{AST, Dynamic, Engine, EvalAltResult, ParseErrorType, Position, Scope};

use crate::action::{Action, Severity};
use crate::error::RuleError;
use crate::spec::{RuleSpec, Stage};

/// Hard limits on what one rule may do on one enterprise.
///
/// ```
/// use std::time::Duration;
/// let l = riskgrade_rules::Limits::default().max_operations(10_000).time_budget(Duration::from_millis(5));
/// assert_eq!(l.operations(), 10_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    max_operations: u64,
    max_call_levels: usize,
    max_expr_depth: usize,
    max_string_size: usize,
    max_array_size: usize,
    max_map_size: usize,
    time_budget: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 100_000,
            max_call_levels: 16,
            max_expr_depth: 64,
            max_string_size: 4096,
            max_array_size: 1024,
            max_map_size: 256,
            time_budget: Duration::from_millis(50),
        }
    }
}

impl Limits {
    /// Operations (roughly: expression nodes, loop iterations, calls) per run.
    pub fn max_operations(mut self, n: u64) -> Self {
        self.max_operations = n.max(1);
        self
    }
    /// Nesting of function calls (stops runaway recursion).
    pub fn max_call_levels(mut self, n: usize) -> Self {
        self.max_call_levels = n;
        self
    }
    /// Nesting of expressions in the script.
    pub fn max_expr_depth(mut self, n: usize) -> Self {
        self.max_expr_depth = n.max(1);
        self
    }
    /// Length of any string a script builds.
    pub fn max_string_size(mut self, n: usize) -> Self {
        self.max_string_size = n.max(1);
        self
    }
    /// Length of any array a script builds.
    pub fn max_array_size(mut self, n: usize) -> Self {
        self.max_array_size = n.max(1);
        self
    }
    /// Size of any object map a script builds.
    pub fn max_map_size(mut self, n: usize) -> Self {
        self.max_map_size = n.max(1);
        self
    }
    /// Wall-clock time per run.
    pub fn time_budget(mut self, d: Duration) -> Self {
        self.time_budget = d;
        self
    }
    /// The operations limit.
    pub fn operations(&self) -> u64 {
        self.max_operations
    }
}

/// What a rule after scoring can read besides the inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// The score so far.
    pub score: f64,
    /// The class so far.
    pub class: String,
}

thread_local! {
    /// Actions of the rule running on this thread.
    static ACTIONS: RefCell<Vec<Action>> = const { RefCell::new(Vec::new()) };
    /// When the rule running on this thread must stop.
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

fn act(a: Action) {
    ACTIONS.with(|v| v.borrow_mut().push(a));
}

/// Compiled rules sharing one engine. `Send + Sync`: share it across threads.
pub struct Rules {
    engine: Engine,
    rules: Vec<(RuleSpec, AST)>,
    inputs: Vec<String>,
    limits: Limits,
}

impl std::fmt::Debug for Rules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rules")
            .field(
                "rules",
                &self.rules.iter().map(|(s, _)| &s.id).collect::<Vec<_>>(),
            )
            .field("inputs", &self.inputs)
            .field("limits", &self.limits)
            .finish()
    }
}

fn engine(limits: &Limits) -> Engine {
    let mut e = Engine::new_raw();
    e.register_global_module(StandardPackage::new().as_shared_module());
    e.set_module_resolver(rhai::module_resolvers::DummyModuleResolver::new());
    e.disable_symbol("eval");
    e.set_strict_variables(true);
    e.set_fail_on_invalid_map_property(true);
    e.set_max_operations(limits.max_operations);
    e.set_max_call_levels(limits.max_call_levels);
    e.set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth);
    e.set_max_string_size(limits.max_string_size);
    e.set_max_array_size(limits.max_array_size);
    e.set_max_map_size(limits.max_map_size);
    e.on_progress(|ops| {
        if ops % 256 == 0 && DEADLINE.with(|d| d.get().is_some_and(|t| Instant::now() >= t)) {
            Some(Dynamic::from("time budget"))
        } else {
            None
        }
    });
    e.register_fn("force_class", |class: &str, reason: &str| {
        act(Action::ForceClass {
            class: class.into(),
            reason: reason.into(),
        })
    });
    e.register_fn("at_least", |class: &str, reason: &str| {
        act(Action::AtLeast {
            class: class.into(),
            reason: reason.into(),
        })
    });
    e.register_fn("at_most", |class: &str, reason: &str| {
        act(Action::AtMost {
            class: class.into(),
            reason: reason.into(),
        })
    });
    e.register_fn("adjust", |points: f64, reason: &str| {
        act(Action::Adjust {
            points,
            reason: reason.into(),
        })
    });
    e.register_fn("adjust", |points: i64, reason: &str| {
        act(Action::Adjust {
            points: points as f64,
            reason: reason.into(),
        })
    });
    e.register_fn("label", |label: &str| {
        act(Action::Label {
            label: label.into(),
        })
    });
    e.register_fn("alert", |topic: &str, message: &str, severity: &str| -> Result<(), Box<EvalAltResult>> {
        let severity = Severity::parse(severity).ok_or_else(|| -> Box<EvalAltResult> {
            format!("alert severity `{severity}` is not known; use \"info\", \"warning\" or \"critical\"").into()
        })?;
        act(Action::Alert { topic: topic.into(), message: message.into(), severity });
        Ok(())
    });
    e
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
    /// Compiles every rule with one shared engine. `inputs` are the names a
    /// script may read; a misspelled name is a compile error with a suggestion.
    /// After-stage rules may also read `score` and `class`.
    ///
    /// # Errors
    /// [`RuleError::Compile`] for the first rule that does not compile, with
    /// its line, column, source line and a hint; [`RuleError::DuplicateId`].
    pub fn compile(
        specs: Vec<RuleSpec>,
        inputs: &[&str],
        limits: Limits,
    ) -> Result<Rules, RuleError> {
        let engine = engine(&limits);
        let mut rules: Vec<(RuleSpec, AST)> = Vec::with_capacity(specs.len());
        for spec in specs {
            if rules.iter().any(|(s, _)| s.id == spec.id) {
                return Err(RuleError::DuplicateId(spec.id));
            }
            // Plain variables at compile time (constants would be folded into the
            // AST by the optimiser); constants when the rule runs.
            let mut scope = Scope::new();
            for name in inputs {
                scope.push_dynamic(*name, Dynamic::UNIT);
            }
            if spec.stage == Stage::After {
                scope.push("score", 0.0_f64);
                scope.push("class", String::new());
            }
            match engine.compile_with_scope(&scope, &spec.script) {
                Ok(ast) => rules.push((spec, ast)),
                Err(e) => {
                    let (line, column) = at(e.1);
                    let (message, hint) = match &*e.0 {
                        ParseErrorType::VariableUndefined(name) => {
                            let hint = if spec.stage == Stage::Before
                                && (name == "score" || name == "class")
                            {
                                Some(format!(
                                    "`{name}` is only known after scoring; set the rule's stage to \"after\""
                                ))
                            } else {
                                let mut known: Vec<&str> = inputs.to_vec();
                                if spec.stage == Stage::After {
                                    known.extend(["score", "class"]);
                                }
                                riskgrade_core::did_you_mean(name, known)
                                    .map(|s| format!("did you mean `{s}`?"))
                                    .or_else(|| Some("rules can read the model's inputs; declare it under [inputs]".into()))
                            };
                            (format!("unknown variable `{name}`"), hint)
                        }
                        other => (other.to_string(), None),
                    };
                    return Err(RuleError::Compile {
                        rule: spec.id.clone(),
                        file: spec.file.clone(),
                        line,
                        column,
                        message,
                        source_line: line_of(&spec.script, line as usize),
                        hint: hint.map(String::into_boxed_str),
                    });
                }
            }
        }
        Ok(Rules {
            engine,
            rules,
            inputs: inputs.iter().map(|s| s.to_string()).collect(),
            limits,
        })
    }

    /// The rules, in declaration order.
    pub fn specs(&self) -> impl Iterator<Item = &RuleSpec> {
        self.rules.iter().map(|(s, _)| s)
    }

    /// Rule indices in running order: stage, then priority (higher first), then id.
    pub fn order(&self) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.rules.len()).collect();
        idx.sort_by(|&a, &b| {
            let (x, y) = (&self.rules[a].0, &self.rules[b].0);
            x.stage
                .cmp(&y.stage)
                .then(y.priority.cmp(&x.priority))
                .then_with(|| x.id.cmp(&y.id))
        });
        idx
    }

    /// Runs rule `rule` on one enterprise whose inputs are `values`; returns its actions.
    ///
    /// # Errors
    /// [`RuleError::Runtime`] when the script fails or exceeds a limit; the
    /// message says which limit and what to change.
    pub fn run(
        &self,
        rule: usize,
        values: &[(&str, Dynamic)],
        scored: Option<&Scored>,
    ) -> Result<Vec<Action>, RuleError> {
        let (spec, ast) = &self.rules[rule];
        let mut scope = Scope::new();
        for (name, v) in values {
            scope.push_constant_dynamic(*name, v.clone());
        }
        if let Some(s) = scored {
            scope.push_constant("score", s.score);
            scope.push_constant("class", s.class.clone());
        }
        ACTIONS.with(|a| a.borrow_mut().clear());
        DEADLINE.with(|d| d.set(Some(Instant::now() + self.limits.time_budget)));
        let result = self.engine.run_ast_with_scope(&mut scope, ast);
        DEADLINE.with(|d| d.set(None));
        let actions = ACTIONS.with(|a| std::mem::take(&mut *a.borrow_mut()));
        result
            .map(|()| actions)
            .map_err(|e| self.runtime_error(spec, &e))
    }

    fn runtime_error(&self, spec: &RuleSpec, e: &EvalAltResult) -> RuleError {
        let (line, column) = at(e.position());
        let l = &self.limits;
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
            other => {
                let text = other.to_string();
                text.split(" (line ").next().unwrap_or(&text).to_string()
            }
        };
        RuleError::Runtime {
            rule: spec.id.clone(),
            file: spec.file.clone(),
            line,
            column,
            message,
        }
    }
}
