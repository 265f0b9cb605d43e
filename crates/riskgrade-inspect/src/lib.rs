//! # riskgrade-inspect
//!
//! "Double random, one public" (双随机、一公开): the grades decide whom to inspect.
//!
//! | module | owns |
//! |---|---|
//! | `candidate` | [`Candidate`]: one graded enterprise as a draw sees it |
//! | `plan` | sampling plans (TOML): ratios or yearly minimum and maximum frequencies per class, floors, strata, exclusions, inspector rules; [`PlanError`] with the plan file's [`riskgrade_core::Position`] |
//! | `scope` | what a plan covers (industries, licence types, districts, labels) and its forced inclusions (alerts, labels) with their caps per enterprise |
//! | `draw` | the draw in two stages keyed separately, and the commitment published before the seed: [`commit`], [`draw()`], [`Commitment`]; [`DrawError`] and its [`Shortfall`] |
//! | `lottery` | the enterprise stage: the candidate list ([`CandidateList`], [`Entry`]) and the lottery over it by SHA-256 tickets ([`ticket`]) |
//! | `assign` | the inspector stage: a ChaCha20 stream keyed by the seed, the tasks and the pool |
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
mod scope;

pub use candidate::Candidate;
pub use draw::lottery::{CandidateList, Entry, ticket};
pub use draw::{
    Commitment, Digests, Draw, DrawError, DrawInput, History, Inspector, LastInspection, Row,
    Shortfall, StratumReport, Tally, Task, Why, commit, draw,
};
pub use plan::{ClassProblem, Plan, PlanError, PlanProblem};

mod evaluate;
mod simulate;

pub use evaluate::{ClassRate, Evaluation, Outcome, evaluate, lift_over_uniform};
pub use simulate::{
    ClassPlan, Curves, PlanComparison, Truthful, plan_vs_uniform, simulate_draws, targeting_curves,
};
