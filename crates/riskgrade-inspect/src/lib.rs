//! # riskgrade-inspect
//!
//! "Double random, one public" (双随机、一公开): the grades decide whom to inspect.
//!
//! | module | owns |
//! |---|---|
//! | `candidate` | [`Candidate`]: one graded enterprise as a draw sees it |
//! | `plan` | sampling plans (TOML): ratios or yearly frequencies per class, floors, strata, mandatory inclusions, exclusions, inspector rules; [`PlanError`] with the plan file's [`riskgrade_core::Position`] |
//! | `draw` | a reproducible draw of enterprises and inspectors: a pure function of the plan, the candidates, the pool, the history, the date and a published seed; [`DrawError`] and its [`Shortfall`] |
//! | `examples` | the reference plans and inspector pool, embedded |
//! | `evaluate` | how well classes and scores target problems: detection rate per class, lift, AUC, KS |
//! | `simulate` | inspections against problems found, risk-based against uniform random sampling, on a population whose true risk is known |
//!
//! Dates are [`riskgrade_core::Date`] (written `YYYY-MM-DD` in JSON); calendar arithmetic is
//! core's. Enterprise and inspector ids are plain strings, as the store and the graded tables
//! hold them.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod candidate;
pub mod draw;
pub mod examples;
pub mod plan;

pub use candidate::Candidate;
pub use draw::{
    Digests, Draw, DrawError, DrawInput, History, Inspector, LastInspection, Row, Shortfall,
    StratumReport, Task, Why, draw,
};
pub use plan::{ClassProblem, Plan, PlanError, PlanProblem};

mod evaluate;
mod simulate;

pub use evaluate::{ClassRate, Evaluation, Outcome, evaluate, lift_over_uniform};
pub use simulate::{
    ClassPlan, Curves, PlanComparison, Truthful, plan_vs_uniform, simulate_draws, targeting_curves,
};
