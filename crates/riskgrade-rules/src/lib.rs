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
//! | `spec` | [`RuleSpec`]: id, stage, priority, dates, the script |
//! | `action` | [`Action`]: what a rule can do |
//! | `error` | [`RuleError`]: file, line, column, the source line with a caret, and a hint |
//! | `engine` | [`Rules`]: the shared engine, compilation, [`Limits`], running one rule |
//!
//! This crate is the scripting core; wiring rules into model sets and batch
//! grading is the next step.
//!
//! ```
//! use riskgrade_rules::{Action, Limits, RuleSpec, Rules, Stage};
//! let spec = RuleSpec::inline(
//!     "veto_dishonest",
//!     Stage::Before,
//!     r#"if dishonest_listed { force_class("D", "on the serious dishonest list") }"#,
//! );
//! let rules = Rules::compile(vec![spec], &["dishonest_listed"], Limits::default()).unwrap();
//! let actions = rules.run(0, &[("dishonest_listed", true.into())], None).unwrap();
//! assert_eq!(actions, vec![Action::ForceClass { class: "D".into(), reason: "on the serious dishonest list".into() }]);
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod action;
mod engine;
mod error;
mod spec;

pub use action::{Action, Severity};
pub use engine::{Limits, Rules, Scored};
pub use error::RuleError;
pub use rhai::Dynamic;
pub use spec::{RuleSpec, Stage};
