//! The host side of the shared engine: the standard library rules may use (no
//! clock, no sleeping, no exit), the actions a script calls, held to the
//! effect limits, and the per-thread state of the rule that is running.

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::time::Instant;

use rhai::packages::{
    BasicArrayPackage, BasicBlobPackage, BasicMapPackage, BasicMathPackage, BitFieldPackage,
    CorePackage, LogicPackage, MoreStringPackage, Package,
};
use rhai::{Dynamic, Engine, EvalAltResult, Module, Scope};

use crate::action::{Action, Severity};
use crate::limits::{Limits, Spent};
use crate::scan::{Helper, Site};

thread_local! {
    /// Actions of the rule running on this thread.
    pub(crate) static ACTIONS: RefCell<Vec<Action>> = const { RefCell::new(Vec::new()) };
    /// What the enterprise's earlier rules took of its effect limits.
    pub(crate) static SPENT: Cell<Spent> = const { Cell::new(Spent { effects: 0, bytes: 0 }) };
    /// When the rule running on this thread must stop.
    pub(crate) static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    /// The rule running on this thread and the values of its helper calls.
    pub(crate) static CURRENT: Cell<usize> = const { Cell::new(usize::MAX) };
    pub(crate) static SITE_VALUES: RefCell<Vec<Dynamic>> = const { RefCell::new(Vec::new()) };
    /// A scope reused from run to run.
    pub(crate) static SCOPE: RefCell<Scope<'static>> = RefCell::new(Scope::new());
}

/// Records action `a` of the running rule, unless its text or the
/// enterprise's effects would pass their limits.
fn act(limits: &Limits, a: Action) -> Result<(), Box<EvalAltResult>> {
    for text in a.texts() {
        if text.len() > limits.max_text_len {
            return Err(format!(
                "a text of {} bytes passes the limit of {} bytes for one effect's text",
                text.len(),
                limits.max_text_len
            )
            .into());
        }
    }
    let spent = SPENT.with(Cell::get);
    ACTIONS.with(|v| {
        let mut v = v.borrow_mut();
        let effects = spent.effects + v.len() + 1;
        let bytes = spent.bytes + v.iter().map(Action::text_bytes).sum::<usize>() + a.text_bytes();
        if effects > limits.max_effects {
            return Err(format!(
                "more than {} effects for one enterprise (labels, alerts, adjustments and class moves of all its rules)",
                limits.max_effects
            )
            .into());
        }
        if bytes > limits.max_effect_bytes {
            return Err(format!(
                "the texts of one enterprise's effects pass {} bytes together",
                limits.max_effect_bytes
            )
            .into());
        }
        v.push(a);
        Ok(())
    })
}

/// The standard library without the clock: every standard package but the time package.
///
/// Its functions are registered into the module's function table: left in
/// the packages' manifests, rhai finds a function only by hashing every
/// manifest entry until one matches, on each script run (about 100 µs per run
/// for a rule that compares two texts or calls `max`).
fn library() -> Module {
    let mut m = Module::new();
    CorePackage::init(&mut m);
    BitFieldPackage::init(&mut m);
    LogicPackage::init(&mut m);
    BasicMathPackage::init(&mut m);
    BasicArrayPackage::init(&mut m);
    BasicBlobPackage::init(&mut m);
    BasicMapPackage::init(&mut m);
    MoreStringPackage::init(&mut m);
    m.register_lazy_functions();
    m.build_index();
    m
}

/// The engine every rule of a set is compiled and run with.
pub(crate) fn engine(limits: &Limits, sites: Arc<Vec<Vec<Site>>>) -> Engine {
    let mut e = Engine::new_raw();
    e.register_global_module(library().into());
    e.set_module_resolver(rhai::module_resolvers::DummyModuleResolver::new());
    e.disable_symbol("eval");
    e.disable_symbol("import");
    e.disable_symbol("export");
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
    forbid(&mut e);
    register_classes(&mut e, *limits);
    register_effects(&mut e, *limits);
    register_helpers(&mut e, &sites);
    e
}

/// Shadows the standard library's clock, sleep and exit (the engine's own
/// functions are found before its packages'), for calls by a computed name.
fn forbid(e: &mut Engine) {
    fn refuse(name: &str) -> Result<(), Box<EvalAltResult>> {
        Err(format!(
            "`{name}` is not available to rules: grades must not depend on when they are computed"
        )
        .into())
    }
    e.register_fn("timestamp", || refuse("timestamp"));
    e.register_fn("sleep", |_: i64| refuse("sleep"));
    e.register_fn("sleep", |_: f64| refuse("sleep"));
    e.register_fn("exit", || refuse("exit"));
    e.register_fn("exit", |_: Dynamic| refuse("exit"));
}

/// `force_class`, `at_least`, `at_most`, `promote`, `demote`.
fn register_classes(e: &mut Engine, l: Limits) {
    e.register_fn("force_class", move |class: &str, reason: &str| {
        act(
            &l,
            Action::ForceClass {
                class: class.into(),
                reason: reason.into(),
            },
        )
    });
    e.register_fn("at_least", move |class: &str, reason: &str| {
        act(
            &l,
            Action::AtLeast {
                class: class.into(),
                reason: reason.into(),
            },
        )
    });
    e.register_fn("at_most", move |class: &str, reason: &str| {
        act(
            &l,
            Action::AtMost {
                class: class.into(),
                reason: reason.into(),
            },
        )
    });
    e.register_fn("promote", move |reason: &str| {
        act(
            &l,
            Action::Shift {
                steps: -1,
                reason: reason.into(),
            },
        )
    });
    e.register_fn("demote", move |reason: &str| {
        act(
            &l,
            Action::Shift {
                steps: 1,
                reason: reason.into(),
            },
        )
    });
}

/// The most points one `adjust` may add or remove: far beyond any scale, yet
/// small enough that the sum of every adjustment an enterprise may collect
/// ([`Limits::CEILING`]) stays finite.
pub(crate) const MAX_ADJUST: f64 = 1e12;

/// Checks the points of one `adjust`.
fn points_ok(points: f64) -> Result<f64, Box<EvalAltResult>> {
    if !points.is_finite() {
        let what = if points.is_nan() {
            "is not a number"
        } else {
            "is infinite"
        };
        return Err(format!("adjust() needs a finite number of points; this one {what}").into());
    }
    if points.abs() > MAX_ADJUST {
        return Err(format!(
            "adjust() points must be between -{MAX_ADJUST:e} and {MAX_ADJUST:e}, not {points:e}"
        )
        .into());
    }
    Ok(points)
}

/// `adjust`, `label`, `alert`.
fn register_effects(e: &mut Engine, l: Limits) {
    e.register_fn("adjust", move |points: f64, reason: &str| {
        let points = points_ok(points)?;
        act(
            &l,
            Action::Adjust {
                points,
                reason: reason.into(),
            },
        )
    });
    e.register_fn("adjust", move |points: i64, reason: &str| {
        let points = points_ok(points as f64)?;
        act(
            &l,
            Action::Adjust {
                points,
                reason: reason.into(),
            },
        )
    });
    e.register_fn("label", move |label: &str| {
        act(
            &l,
            Action::Label {
                label: label.into(),
            },
        )
    });
    e.register_fn(
        "alert",
        move |topic: &str, message: &str, severity: &str| -> Result<(), Box<EvalAltResult>> {
            let severity = Severity::parse(severity).ok_or_else(|| -> Box<EvalAltResult> {
                format!("alert severity `{severity}` is not known; use \"info\", \"warning\" or \"critical\"").into()
            })?;
            act(&l, Action::Alert { topic: topic.into(), message: message.into(), severity })
        },
    );
}

/// The record, licence and indicator helpers, whose values the host computed.
fn register_helpers(e: &mut Engine, sites: &Arc<Vec<Vec<Site>>>) {
    for h in Helper::ALL {
        let s = Arc::clone(sites);
        let one = move |a: &str| helper_value(&s, h, &[a]);
        e.register_fn(h.name(), one);
        if h == Helper::Count {
            let s = Arc::clone(sites);
            e.register_fn(h.name(), move |a: &str, b: &str| {
                helper_value(&s, h, &[a, b])
            });
        }
    }
}

/// The value of a helper call, computed by the host before the rule ran.
fn helper_value(
    sites: &[Vec<Site>],
    h: Helper,
    args: &[&str],
) -> Result<Dynamic, Box<EvalAltResult>> {
    let rule = CURRENT.with(Cell::get);
    let found = sites.get(rule).and_then(|list| {
        list.iter().position(|s| {
            s.helper == h
                && s.args.len() == args.len()
                && s.args.iter().zip(args).all(|(x, y)| x == y)
        })
    });
    match found {
        Some(k) => Ok(SITE_VALUES.with(|v| v.borrow().get(k).cloned().unwrap_or(Dynamic::UNIT))),
        None => Err(format!(
            "`{}` must be called with its arguments written as text in quotes (found a computed argument)",
            h.name()
        )
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::library;

    /// A function left in a package's manifest is found only by hashing every
    /// manifest entry on each script run; every standard function must be in
    /// the library's own table instead.
    #[test]
    fn the_library_keeps_no_function_for_lookup_by_scan() {
        let m = library();
        assert!(!m.has_lazy_functions());
        assert!(!m.is_empty());
    }
}
