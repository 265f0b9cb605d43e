//! The monthly cycle: grade every enterprise of a period into the history
//! store, explain what changed since the month before, draw the month's
//! "double random" inspections and feed their outcomes back, and share the
//! results with other departments.
//!
//! | module | owns |
//! |---|---|
//! | `run` | [`run_month`]: repairs → features → grading with rules → manual overrides → change notes → one stored transaction; [`MonthReport`] |
//! | `periods` | [`compare_periods`]: two stored periods, class migration, movers with their reasons, PSI of the score and of each indicator |
//! | `draws` | commit → seed → draw → verify from a stored period: [`commit_period`], [`draw_committed`], [`draw_period`], [`verify_draw`] |
//! | `inspections` | the candidates and history a draw sees, inspector pools and outcome files, [`evaluate_draw`] |
//! | `demo` | the demo's steps on the store: [`demo_decisions`] and [`simulate_inspections`] |
//! | `year` | [`year_view`]: a plan's year per class (inspected at least once, random against forced, minimums missed) against uniform sampling |
//! | `publish` | [`publish_draw`]: closed results in the public schema, with the plan, candidate list, commitment and seed to re-draw |
//! | `shared` | [`export_period`] and [`import_period`]: results shared in schema `riskgrade.shared/2` (import also reads `/1`) |
//!
//! The store itself (SQLite, migrations, decisions, the audit trail, the
//! departments' queues) is `riskgrade-store`; this crate joins it to the
//! engine.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod demo;
mod draws;
mod inspections;
mod notes;
mod periods;
mod publish;
mod run;
mod shared;
mod year;

pub use demo::{SimulatedInspections, demo_decisions, simulate_inspections};
pub use draws::{
    TaskDifference, Verification, commit_period, draw_committed, draw_period, verify_draw,
};
pub use inspections::{
    InspectionError, ValueProblem, candidates, evaluate_draw, graded_candidates,
    inspection_history, licence_types, pool_from_csv, read_outcomes, read_pool,
};
pub use periods::{PeriodComparison, PeriodMover, Stability, compare_periods};
pub use publish::{
    DRAW_SCHEMA, PUBLIC_SCHEMA, PublicRow, Publication, PublishOptions, publish_draw,
};
pub use run::{
    Duplicate, MonthInput, MonthOptions, MonthReport, MonthlyError, run_month, run_month_with,
};
pub use shared::{SHARED_SCHEMA, SchemaProblem, ShareError, export_period, import_period};
pub use year::{AgainstUniform, ClassYear, YearView, year_view};
