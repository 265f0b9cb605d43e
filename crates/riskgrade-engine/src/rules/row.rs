//! One enterprise's rules: the active rules run in order where their `when`
//! condition holds, their actions folded into the row's state (adjustments,
//! shifts, floors, caps, forced classes), and each class action's outcome.

use std::sync::atomic::Ordering;
use std::time::Instant;

use riskgrade_rules::{Action, Dynamic, ErrorPolicy, RuleError, Spent};

use super::trace::{Act, Fx, NONE, Out, Route, action_of};
use super::{Pass, Prepared, State};

/// What the rules did to one row; its effects and matched rules are ranges of its chunk's.
pub(super) struct RowOut {
    pub(super) row: usize,
    pub(super) fx: (u32, u32),
    pub(super) matched: (u32, u32),
    pub(super) score: f64,
    pub(super) class: usize,
    /// The failing rule, its error, and whether it was skipped (the row still graded).
    pub(super) error: Option<(usize, RuleError, bool)>,
}

/// What the rules did to the rows of one chunk, in row order: rows where a
/// rule's condition held, their effects as indices, the actions made per row
/// and the alerts' routes.
#[derive(Default)]
pub(super) struct ChunkOut {
    pub(super) rows: Vec<RowOut>,
    pub(super) fx: Vec<Fx>,
    pub(super) owned: Vec<Action>,
    pub(super) routes: Vec<Route>,
    /// The rules whose condition held, row after row.
    pub(super) matched: Vec<u32>,
}

/// Per-task buffers for a script's variables and helper values, reused across rows.
#[derive(Default)]
pub(super) struct Scratch {
    vars: Vec<Dynamic>,
    vals: Vec<Dynamic>,
    pub(super) acts: Vec<Act>,
    /// Per rule, whether its condition holds for each row of the chunk from `mask_start`,
    /// when the condition reads the batch only ([`Pass::load_masks`]).
    masks: Vec<Option<Vec<bool>>>,
    mask_start: usize,
}

fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Pass<'_> {
    /// Runs the active rules on row `r` (graded `score`, `class` so far) and
    /// records what they did in `out`; nothing when no rule's condition held.
    pub(super) fn row(
        &self,
        prep: &Prepared<'_>,
        r: usize,
        (score, class): (f64, u8),
        scratch: &mut Scratch,
        out: &mut ChunkOut,
    ) {
        if self.policy == ErrorPolicy::Abort && r > prep.first_failed.load(Ordering::Relaxed) {
            // A row before this one failed: the batch stops with that row's error.
            return;
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
        let (fx0, matched0) = (out.fx.len(), out.matched.len());
        let (owned0, routes0) = (out.owned.len(), out.routes.len());
        let mut error = None;
        let mut spent = Spent::default();
        for &ri in &prep.active {
            if let Some(b) = &prep.bound[ri] {
                let masked = scratch
                    .masks
                    .get(ri)
                    .and_then(Option::as_ref)
                    .and_then(|m| m.get(r.checked_sub(scratch.mask_start)?).copied());
                if !masked.unwrap_or_else(|| self.holds(b, r, &st)) {
                    continue;
                }
            }
            out.matched.push(len32(ri));
            let result = match self.run_plan(prep, ri, (r, m), &mut st, spent, scratch, out, fx0) {
                Some(result) => result,
                None => self
                    .run_rule(prep, ri, r, m, &st, spent, scratch)
                    .map(|actions| {
                        let now = spent.with(&actions);
                        for a in actions {
                            out.owned.push(a);
                            let k = len32(out.owned.len() - 1);
                            self.apply(ri, Act::Owned(k), (r, m), &mut st, out, fx0);
                        }
                        now
                    }),
            };
            match result {
                Ok(now) => spent = now,
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
        if out.matched.len() == matched0 {
            return;
        }
        let failed = matches!(&error, Some((_, _, false)));
        if failed {
            if self.policy == ErrorPolicy::Abort {
                prep.first_failed.fetch_min(r, Ordering::Relaxed);
            }
            // No partial grade: the row is reported with the rule's error.
            out.fx.truncate(fx0);
            out.owned.truncate(owned0);
            out.routes.truncate(routes0);
        } else {
            self.outcomes(m, &st, out, fx0);
        }
        out.rows.push(RowOut {
            row: r,
            fx: (len32(fx0), len32(out.fx.len())),
            matched: (len32(matched0), len32(out.matched.len())),
            score: if failed { f64::NAN } else { st.score },
            class: if failed { usize::MAX } else { st.class },
            error,
        });
    }

    /// Checks, for the rows `start..start + len`, every active rule's condition that reads
    /// the batch only, one test at a time over all the rows (the conditions on a row's score
    /// or class are checked row by row, after the rules before them). Not with
    /// [`crate::Options::compiled_rules`] off, which checks every condition row by row.
    pub(super) fn load_masks(
        &self,
        prep: &Prepared<'_>,
        start: usize,
        len: usize,
        scratch: &mut Scratch,
    ) {
        scratch.mask_start = start;
        scratch.masks.resize_with(prep.bound.len(), || None);
        for (ri, mask) in scratch.masks.iter_mut().enumerate() {
            let Some(b) = prep.bound[ri].as_ref().filter(|_| prep.chunked[ri]) else {
                *mask = None;
                continue;
            };
            let m = mask.get_or_insert_with(Vec::new);
            m.clear();
            m.resize(len, false);
            if self.holds_many(b, start, m).is_none() {
                *mask = None;
            }
        }
    }

    /// The error of a rule that cannot run because the batch's time budget is used up.
    pub(super) fn past_deadline(&self, prep: &Prepared<'_>, ri: usize) -> Option<RuleError> {
        if Instant::now() < prep.deadline {
            return None;
        }
        let rules = self.rules();
        let rule = &rules.rules()[ri];
        Some(RuleError::runtime_in_file(
            rule.id(),
            rule.spec().file.as_deref(),
            format!(
                "not run: the rules pass over this batch used up its time budget of {:?}",
                rules.limits().batch()
            ),
            Some("make the rules cheaper, or raise `batch_budget_ms` under [rule_limits]"),
        ))
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
        if let Some(e) = self.past_deadline(prep, ri) {
            return Err(e);
        }
        let Scratch { vars, vals, .. } = scratch;
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

    /// Folds one action of rule `ri` into the row's state and records it as
    /// an effect (a label the row already has is not repeated; alerts are routed).
    pub(super) fn apply(
        &self,
        ri: usize,
        act: Act,
        (r, m): (usize, usize),
        st: &mut State,
        out: &mut ChunkOut,
        fx0: usize,
    ) {
        let rules = self.rules();
        let rule = len32(ri);
        let a = action_of(
            rules,
            &out.owned,
            &Fx {
                rule,
                act,
                route: NONE,
                outcome: Out::Applied,
            },
        );
        let here = out.fx.len() - fx0;
        let nclass = self.set.models()[m].classes().names().len();
        match a {
            Action::Adjust { points, .. } => st.adjust += points,
            Action::Shift { steps, .. } => st.shift += steps,
            Action::ForceClass { class: c, .. } => {
                let c = self.class_index(m, c).unwrap_or(0);
                if st.forced.is_none_or(|(f, _)| c > f) {
                    st.forced = Some((c, here));
                }
            }
            Action::AtLeast { class: c, .. } => {
                let c = self.class_index(m, c).unwrap_or(0);
                if st.floor.is_none_or(|(f, _)| c > f) {
                    st.floor = Some((c, here));
                }
            }
            Action::AtMost { class: c, .. } => {
                let c = self.class_index(m, c).unwrap_or(nclass - 1);
                if st.cap.is_none_or(|(f, _)| c < f) {
                    st.cap = Some((c, here));
                }
            }
            Action::Label { label } => {
                let seen = out.fx[fx0..].iter().any(|f| {
                    matches!(action_of(rules, &out.owned, f), Action::Label { label: l } if l == label)
                });
                if seen {
                    return;
                }
            }
            Action::Alert { .. } => {}
        }
        let route = match a {
            Action::Alert { topic, .. } => {
                let (d, b) =
                    self.set
                        .routing()
                        .route(topic, &self.frame.industries()[r], |licence| {
                            self.issuer(r, licence)
                        });
                out.routes.push((d, b));
                len32(out.routes.len() - 1)
            }
            _ => NONE,
        };
        out.fx.push(Fx {
            rule,
            act,
            route,
            outcome: Out::Applied,
        });
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

    /// Marks which class actions of the row's effects (from `fx0` on) decided
    /// the class, which made no change and which lost.
    fn outcomes(&self, m: usize, st: &State, out: &mut ChunkOut, fx0: usize) {
        let rules = self.rules();
        let classes = self.set.models()[m].classes();
        let idx = |c: &str| self.class_index(m, c).unwrap_or(0);
        let ChunkOut { fx, owned, .. } = out;
        let fx = &mut fx[fx0..];
        let rule_of = |k: usize| fx[k].rule;
        let forced = st.forced.map(|(_, k)| (k, rule_of(k)));
        let floor = st.floor.map(|(_, k)| (k, rule_of(k)));
        let cap = st.cap.map(|(_, k)| (k, rule_of(k)));
        // The class before floors and caps.
        let mut pre = classes.class_of(classes.risk_value(st.score), &self.thresholds[m]) as i64;
        pre = (pre + st.shift).clamp(0, classes.names().len() as i64 - 1);
        let pre = pre as usize;
        let capped = cap
            .as_ref()
            .map_or(pre, |_| pre.min(st.cap.map_or(pre, |c| c.0)));
        for (k, f) in fx.iter_mut().enumerate() {
            let outcome = match action_of(rules, owned, f) {
                Action::ForceClass { .. } => match &forced {
                    Some((fk, _)) if *fk == k => Out::Decided,
                    Some((_, by)) => Out::Overridden(*by),
                    None => Out::Applied,
                },
                Action::AtLeast { class, .. } => {
                    if let Some((_, by)) = &forced {
                        Out::Overridden(*by)
                    } else if floor.as_ref().is_some_and(|(fk, _)| *fk == k) && idx(class) > capped
                    {
                        Out::Decided
                    } else {
                        Out::NoChange
                    }
                }
                Action::AtMost { class, .. } => {
                    let c = idx(class);
                    if let Some((_, by)) = &forced {
                        Out::Overridden(*by)
                    } else if st.class > c {
                        // Only a floor can lift the class above a cap.
                        Out::Overridden(floor.as_ref().map_or(NONE, |f| f.1))
                    } else if cap.as_ref().is_some_and(|(ck, _)| *ck == k) && c < pre {
                        Out::Decided
                    } else {
                        Out::NoChange
                    }
                }
                _ => Out::Applied,
            };
            f.outcome = outcome;
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
