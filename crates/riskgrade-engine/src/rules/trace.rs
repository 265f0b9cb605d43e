//! The batch's rule effects kept as indices: per effect its rule, its action
//! (one of the rule's constant actions, or an entry of the batch's table of
//! actions made per row), its alert route and its outcome. Texts are shared,
//! not copied per row; [`Effect`]s are made only when asked for.

use std::sync::{Arc, OnceLock};

use riskgrade_rules::{Action, Rules};

use super::{Effect, Outcome};

/// Where an effect's action is kept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Act {
    /// The rule's plan's constant action at this step.
    Plan(u32),
    /// This entry of the table of actions made per row.
    Owned(u32),
}

/// What came of an effect, with the overriding rule as an index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Out {
    Applied,
    Decided,
    NoChange,
    /// Overridden by the effect of this rule ([`NONE`]: by nothing named).
    Overridden(u32),
}

/// No entry.
pub(crate) const NONE: u32 = u32::MAX;

/// One effect as indices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Fx {
    /// Index into [`Trace::ids`].
    pub rule: u32,
    pub act: Act,
    /// Index into the routes, or [`NONE`].
    pub route: u32,
    pub outcome: Out,
}

/// An alert's department (if a route matched) and why.
pub(crate) type Route = (Option<String>, String);

/// The effects of a batch.
#[derive(Debug, Clone, Default)]
pub(crate) struct Trace {
    /// Row `r`'s effects are `fx[start[r]..start[r + 1]]` (empty when no rule ran).
    pub start: Vec<u32>,
    pub fx: Vec<Fx>,
    /// Actions made per row (by scripts, templates, manual decisions).
    pub owned: Vec<Action>,
    pub routes: Vec<Route>,
    /// The rules' ids, in declaration order, then the manual decisions'.
    pub ids: Vec<Arc<str>>,
    /// Every effect as an [`Effect`], made on first use.
    all: OnceLock<Vec<Effect>>,
}

/// An action no effect holds (never returned for a well-formed trace).
static NO_ACTION: Action = Action::Label {
    label: String::new(),
};

/// The action of `f`, kept in `owned` or in its rule's plan.
pub(crate) fn action_of<'a>(rules: &'a Rules, owned: &'a [Action], f: &Fx) -> &'a Action {
    let found = match f.act {
        Act::Owned(k) => owned.get(k as usize),
        Act::Plan(k) => rules
            .rules()
            .get(f.rule as usize)
            .and_then(|r| r.plan().ok())
            .and_then(|p| p.constants().get(k as usize))
            .and_then(Option::as_ref),
    };
    found.unwrap_or(&NO_ACTION)
}

impl Trace {
    /// A trace of effects gathered by the rules pass.
    pub(crate) fn new(
        start: Vec<u32>,
        fx: Vec<Fx>,
        owned: Vec<Action>,
        routes: Vec<Route>,
        ids: Vec<Arc<str>>,
    ) -> Trace {
        Trace {
            start,
            fx,
            owned,
            routes,
            ids,
            all: OnceLock::new(),
        }
    }

    /// The range of row `r`'s effects.
    pub(crate) fn range(&self, r: usize) -> std::ops::Range<usize> {
        match (self.start.get(r), self.start.get(r + 1)) {
            (Some(&a), Some(&b)) => a as usize..b as usize,
            _ => 0..0,
        }
    }

    /// Row `r`'s effects as indices.
    pub(crate) fn row(&self, r: usize) -> &[Fx] {
        &self.fx[self.range(r)]
    }

    /// The action of `f`.
    pub(crate) fn action<'a>(&'a self, rules: &'a Rules, f: &Fx) -> &'a Action {
        action_of(rules, &self.owned, f)
    }

    /// The id of rule (or manual decision) `k`.
    pub(crate) fn id(&self, k: u32) -> &str {
        self.ids.get(k as usize).map_or("", |s| s)
    }

    /// The route of `f`, if it is an alert.
    pub(crate) fn route(&self, f: &Fx) -> Option<&Route> {
        self.routes.get(f.route as usize)
    }

    /// The outcome of `f` as the public [`Outcome`].
    pub(crate) fn outcome(&self, f: &Fx) -> Outcome {
        match f.outcome {
            Out::Applied => Outcome::Applied,
            Out::Decided => Outcome::Decided,
            Out::NoChange => Outcome::NoChange,
            Out::Overridden(k) => Outcome::Overridden(self.id(k).to_string()),
        }
    }

    /// Row `r`'s effects as [`Effect`]s (every row's are made on first use).
    pub(crate) fn effects(&self, rules: &Rules, r: usize) -> &[Effect] {
        let all = self.all.get_or_init(|| {
            self.fx
                .iter()
                .map(|f| {
                    let route = self.route(f);
                    Effect {
                        rule: self
                            .ids
                            .get(f.rule as usize)
                            .map_or_else(|| Arc::from(""), Arc::clone),
                        action: self.action(rules, f).clone(),
                        department: route.and_then(|r| r.0.clone()),
                        basis: route.map(|r| r.1.clone()),
                        outcome: self.outcome(f),
                    }
                })
                .collect()
        });
        &all[self.range(r)]
    }
}
