//! One enterprise's rules: the active rules run in order where their `when`
//! condition holds, their actions folded into the row's state (adjustments,
//! shifts, floors, caps, forced classes), and each class action's outcome.

use std::sync::Arc;

use std::sync::atomic::Ordering;
use std::time::Instant;

use riskgrade_rules::{Action, Dynamic, ErrorPolicy, RuleError, Spent};

use super::{Effect, Outcome, Pass, Prepared, State};

/// What the rules did to one row.
pub(super) struct RowOut {
    pub(super) row: usize,
    pub(super) effects: Vec<Effect>,
    pub(super) score: f64,
    pub(super) class: usize,
    /// The failing rule, its error, and whether it was skipped (the row still graded).
    pub(super) error: Option<(usize, RuleError, bool)>,
    /// The rules whose condition held.
    pub(super) matched: Vec<usize>,
}

/// Per-task buffers for a script's variables and helper values, reused across rows.
#[derive(Default)]
pub(super) struct Scratch {
    vars: Vec<Dynamic>,
    vals: Vec<Dynamic>,
}

impl Pass<'_> {
    /// Runs the active rules on row `r` (graded `score`, `class` so far);
    /// `None` when no rule's condition held.
    pub(super) fn row(
        &self,
        prep: &Prepared<'_>,
        r: usize,
        score: f64,
        class: u8,
        scratch: &mut Scratch,
    ) -> Option<RowOut> {
        if self.policy == ErrorPolicy::Abort && r > prep.first_failed.load(Ordering::Relaxed) {
            // A row before this one failed: the batch stops with that row's error.
            return None;
        }
        let m = self.model_of[r] as usize;
        let mut st = State {
            base: score,
            adjust: 0.0,
            shift: 0,
            floor: None,
            cap: None,
            forced: None,
            score,
            class: class as usize,
        };
        let mut effects: Vec<Effect> = Vec::new();
        let mut matched = Vec::new();
        let mut error = None;
        let mut spent = Spent::default();
        for &ri in &prep.active {
            if let Some(b) = &prep.bound[ri]
                && !self.holds(b, r, &st)
            {
                continue;
            }
            matched.push(ri);
            match self.run_rule(prep, ri, r, m, &st, spent, scratch) {
                Ok(actions) => {
                    spent = spent.with(&actions);
                    self.apply(&prep.ids[ri], r, m, actions, &mut st, &mut effects);
                }
                Err(e) if self.policy == ErrorPolicy::SkipRule => {
                    error.get_or_insert((ri, e, true));
                    continue;
                }
                Err(e) => {
                    error = Some((ri, e, false));
                    break;
                }
            }
            self.resolve(m, &mut st);
        }
        if let Some((_, _, false)) = &error {
            if self.policy == ErrorPolicy::Abort {
                prep.first_failed.fetch_min(r, Ordering::Relaxed);
            }
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
    }

    /// Runs rule `ri`'s script on row `r` with its variables and helper values,
    /// the row's earlier rules having taken `spent` of its effect limits; its
    /// actions, once their class names are checked against the row's model.
    /// Past the batch's time budget the rule does not run and fails.
    #[allow(clippy::too_many_arguments)]
    fn run_rule(
        &self,
        prep: &Prepared<'_>,
        ri: usize,
        r: usize,
        m: usize,
        st: &State,
        spent: Spent,
        scratch: &mut Scratch,
    ) -> Result<Vec<Action>, RuleError> {
        let rules = self.rules();
        let rule = &rules.rules()[ri];
        if Instant::now() >= prep.deadline {
            return Err(RuleError::runtime_in_file(
                rule.id(),
                rule.spec().file.as_deref(),
                format!(
                    "not run: the rules pass over this batch used up its time budget of {:?}",
                    rules.limits().batch()
                ),
                Some("make the rules cheaper, or raise `batch_budget_ms` under [rule_limits]"),
            ));
        }
        let Scratch { vars, vals } = scratch;
        vars.clear();
        vars.extend(prep.accesses[ri].iter().map(|a| self.value(a, r, st)));
        vals.clear();
        let mut failed = None;
        for s in &prep.sites[ri] {
            match self.site_value(s, r) {
                Ok(v) => vals.push(v),
                Err(msg) => {
                    failed = Some(RuleError::runtime_in_file(
                        rule.id(),
                        rule.spec().file.as_deref(),
                        msg,
                        None,
                    ));
                    break;
                }
            }
        }
        let result = match failed {
            Some(e) => Err(e),
            None => rules.run_after(ri, vars, vals, spent),
        };
        result.and_then(|a| {
            check_actions(&a, rule.id(), rule.spec().file.as_ref(), |c| {
                self.class_index(m, c)
            })
            .map(|()| a)
        })
    }

    /// Folds a rule's actions into the row's state and records them as effects
    /// (a label the row already has is not repeated; alerts are routed).
    fn apply(
        &self,
        rule: &Arc<str>,
        r: usize,
        m: usize,
        actions: Vec<Action>,
        st: &mut State,
        effects: &mut Vec<Effect>,
    ) {
        let nclass = self.set.models()[m].classes().names().len();
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
                    if effects
                        .iter()
                        .any(|e| matches!(&e.action, Action::Label { label: l } if l == label))
                    {
                        continue;
                    }
                }
                Action::Alert { .. } => {}
            }
            let (department, basis) = match &a {
                Action::Alert { topic, .. } => {
                    let (d, b) =
                        self.set
                            .routing()
                            .route(topic, &self.frame.industries()[r], |licence| {
                                self.issuer(r, licence)
                            });
                    (d, Some(b))
                }
                _ => (None, None),
            };
            effects.push(Effect {
                rule: Arc::clone(rule),
                action: a,
                department,
                basis,
                outcome: Outcome::Applied,
            });
        }
    }

    /// The class index of `name` in row `r`'s model.
    fn class_index(&self, m: usize, name: &str) -> Option<usize> {
        self.set.models()[m]
            .classes()
            .names()
            .iter()
            .position(|c| c == name)
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
            return Err(RuleError::runtime_in_file(
                rule,
                file.map(String::as_str),
                format!("no class `{class}` in this enterprise's model"),
                Some("name one of the classes of every model the rule runs on"),
            ));
        }
    }
    Ok(())
}
