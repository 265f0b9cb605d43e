//! Rule scripts for riskgrade, written by rule authors in [Rhai](https://rhai.rs).
//!
//! A rule is a short script that reads an enterprise's inputs (and, after
//! scoring, its score and class) and acts: force a class (a veto), cap or
//! floor the class, adjust the score, add a label, raise an alert. Scripts are
//! untrusted: they are compiled once by one shared engine with only the
//! standard packages, strict variables and hard limits (operations, call
//! depth, expression depth, string/array/map sizes, a wall-clock budget), and
//! with no file, network or module access. A rule that fails or exceeds a limit
//! on one enterprise becomes that enterprise's [`RuleError`]; the others go on.
//!
//! | module | owns |
//! |---|---|
//! | `spec` | [`RuleSpec`]: id, stage, priority, dates, `when`, the script; [`ErrorPolicy`] |
//! | `catalog` | [`Catalog`]: the inputs, indicators and classes rules may name; [`Var`] |
//! | `guard` | [`Guard`]: `when` conditions, checked by the engine over whole columns |
//! | `scan` | [`Helper`] calls and the variables a script reads, found before Rhai compiles it |
//! | `check` | load-time checks of a script: calls against known functions (name, arity), numbers compared with text |
//! | `action` | [`Action`]: what a rule can do |
//! | `error` | [`RuleError`]: file, line, column, the source line with a caret, and a hint |
//! | `limits` | [`Limits`] and their ceilings |
//! | `host` | the standard library without the clock, the actions scripts call (held to the effect limits) |
//! | `syntax` | positions for syntax errors: a missing `;` or `}` |
//! | `plan` | [`Plan`]: a script that is a straight sequence of actions, applied by the engine without the interpreter; [`NotCompiled`] says why another is not |
//! | `engine` | [`Rules`]: the shared engine, compilation, [`Lint`]s, running one rule |
//!
//! The batch engine (`riskgrade-engine`) checks each rule's `when` over the
//! batch, computes the helper values and variables for the enterprises that
//! meet it, runs the script, and resolves the actions into the grade.
//!
//! ```
//! use riskgrade_core::InputType;
//! use riskgrade_rules::{Action, Catalog, Limits, RuleSpec, Rules, Stage};
//! let spec = RuleSpec::inline(
//!     "veto_dishonest",
//!     Stage::Before,
//!     r#"force_class("D", "on the serious dishonest list")"#,
//! )
//! .when("dishonest_listed");
//! let catalog = Catalog::new(vec![("dishonest_listed".into(), InputType::Bool)]).classes(["A", "B", "C", "D"]);
//! let rules = Rules::compile(vec![spec], catalog, Limits::default()).unwrap();
//! let actions = rules.run_with(0, &[]).unwrap();
//! assert_eq!(actions, vec![Action::ForceClass { class: "D".into(), reason: "on the serious dishonest list".into() }]);
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod action;
mod catalog;
mod check;
mod engine;
mod error;
mod guard;
mod host;
mod limits;
mod plan;
mod scan;
mod spec;
mod syntax;

pub use action::{Action, Severity};
pub use catalog::{Catalog, FIXED, Var};
pub use engine::{Lint, MAX_SCRIPT_LEN, Rule, Rules};
pub use error::RuleError;
pub use guard::{CmpOp, Guard, Lit, Test};
pub use limits::{Limits, Spent};
pub use plan::{NotCompiled, Piece, Plan, Points, Step, Text, Value};
pub use rhai::{Dynamic, ImmutableString};
pub use scan::{Helper, Site};
pub use spec::{ErrorPolicy, IdProblem, MAX_ID_LEN, RuleSpec, Stage, check_id};
