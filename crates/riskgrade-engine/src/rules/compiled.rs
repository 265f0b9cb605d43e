//! Rules compiled to a plan ([`riskgrade_rules::Plan`]) run without scope or
//! interpreter: their constant actions are referenced by index, their
//! templates rendered from the row's values. Wherever the interpreter would
//! fail or act differently (a missing value, a class the row's model lacks,
//! an effect limit passed, points out of range) the row falls back to the
//! interpreter, which gives the same result and the same error as always.

use riskgrade_core::{Date, InputType, MISSING_CODE};
use riskgrade_rules::{Plan, RuleError, Spent, Step, Value};

use super::bind::{Access, TextSrc};
use super::row::{ChunkOut, Scratch};
use super::trace::Act;
use super::{Pass, Prepared, State};

/// Per rule, its plan when it runs compiled, and what the engine checks once per batch.
pub(super) struct Compiled<'a> {
    pub plan: &'a Plan,
    /// Per model of the set, whether every class the plan names is one of its classes.
    pub classes_ok: Vec<bool>,
    /// The effects and text bytes of the constant actions (for the effect limits).
    pub cost: Spent,
}

impl<'a> Pass<'a> {
    /// Rule `ri`'s plan, when rules run compiled and it has one.
    pub(super) fn compiled(&self, ri: usize) -> Option<Compiled<'a>> {
        if !self.compiled {
            return None;
        }
        let plan = self.rules().rules()[ri].plan().ok()?;
        let classes_ok = self
            .set
            .models()
            .iter()
            .map(|m| {
                plan.steps().iter().all(|s| match s {
                    Step::ForceClass { class, .. }
                    | Step::AtLeast { class, .. }
                    | Step::AtMost { class, .. } => m.classes().names().contains(class),
                    _ => true,
                })
            })
            .collect();
        let consts: Vec<_> = plan.constants().iter().flatten().cloned().collect();
        Some(Compiled {
            plan,
            classes_ok,
            cost: Spent::default().with(&consts),
        })
    }

    /// Runs rule `ri` from its plan on row `r` of model `m`: `None` when it
    /// has none or the row needs the interpreter; else what the row's effects
    /// then took of its limits, or the error of a rule past the batch's budget.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn run_plan(
        &self,
        prep: &Prepared<'_>,
        ri: usize,
        (r, m): (usize, usize),
        st: &mut State,
        spent: Spent,
        scratch: &mut Scratch,
        out: &mut ChunkOut,
        fx0: usize,
    ) -> Option<Result<Spent, RuleError>> {
        let c = prep.compiled[ri].as_ref()?;
        if !c.classes_ok.get(m).copied().unwrap_or(false) {
            return None;
        }
        if let Some(e) = self.past_deadline(prep, ri) {
            return Some(Err(e));
        }
        let limits = self.rules().limits();
        let within = |s: Spent| s.effects <= limits.effects() && s.bytes <= limits.effect_bytes();
        let owned0 = out.owned.len();
        let acts = &mut scratch.acts;
        acts.clear();
        let now = if c.plan.is_constant() {
            acts.extend((0..c.plan.steps().len()).map(|k| Act::Plan(k as u32)));
            Spent {
                effects: spent.effects + c.cost.effects,
                bytes: spent.bytes + c.cost.bytes,
            }
        } else {
            let accesses = &prep.accesses[ri];
            let value = |j: usize| self.plan_value(accesses.get(j)?, r, st);
            let mut now = spent;
            for (k, (step, konst)) in c.plan.steps().iter().zip(c.plan.constants()).enumerate() {
                let a = match konst {
                    Some(a) => {
                        acts.push(Act::Plan(k as u32));
                        a
                    }
                    None => {
                        let made = step
                            .render(&value)
                            .filter(|a| a.texts().iter().all(|t| t.len() <= limits.text_len()));
                        let Some(a) = made else {
                            out.owned.truncate(owned0);
                            return None;
                        };
                        out.owned.push(a);
                        acts.push(Act::Owned((out.owned.len() - 1) as u32));
                        &out.owned[out.owned.len() - 1]
                    }
                };
                now = Spent {
                    effects: now.effects + 1,
                    bytes: now.bytes + a.text_bytes(),
                };
            }
            now
        };
        if !within(now) {
            out.owned.truncate(owned0);
            return None;
        }
        for &act in acts.iter() {
            self.apply(ri, act, (r, m), st, out, fx0);
        }
        Some(Ok(now))
    }

    /// A variable's value for row `r` as a plan reads it (`None` when missing,
    /// or of a type a plan does not render).
    fn plan_value(&self, a: &Access<'_>, r: usize, st: &State) -> Option<Value> {
        Some(match a {
            Access::Number(v, ty) => {
                let x = v[r];
                if x.is_nan() {
                    return None;
                }
                match ty {
                    InputType::Count | InputType::Integer => Value::Int(x as i64),
                    InputType::Bool => return None,
                    InputType::Date => Value::Text(Date::from_days(x as i32).to_string()),
                    _ => Value::Float(x),
                }
            }
            Access::Codes(codes, dict) => {
                let c = codes[r];
                if c == MISSING_CODE {
                    return None;
                }
                Value::Text(dict.get(c as usize)?.to_string())
            }
            Access::Ids => Value::Text(self.text(TextSrc::Id, r).to_string()),
            Access::Industry => Value::Text(self.text(TextSrc::Industry, r).to_string()),
            Access::District => Value::Text(self.text(TextSrc::District, r).to_string()),
            Access::Model => Value::Text(self.model_ids[self.model_of[r] as usize].to_string()),
            Access::AsOf => Value::Text(self.as_of.to_string()),
            Access::Score => Value::Float(st.score),
            Access::Class => {
                let m = self.model_of[r] as usize;
                Value::Text(self.set.models()[m].classes().names()[st.class].clone())
            }
        })
    }
}
