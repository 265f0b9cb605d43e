//! The monthly cycle: grade every enterprise of a period into the history
//! store, explain what changed since the month before, draw the month's
//! "double random" inspections and feed their outcomes back, and share the
//! results with other departments.
//!
//! | module | owns |
//! |---|---|
//! | `run` | [`run_month`]: repairs → features → grading with rules → manual overrides → change notes → one stored transaction; [`MonthReport`] |
//! | `periods` | [`compare_periods`]: two stored periods, class migration, movers with their reasons, PSI of the score and of each indicator |
//! | `inspections` | inspections from a stored period: [`draw_period`], [`verify_draw`], inspector pools and outcome files, [`evaluate_draw`] |
//! | `demo` | the demo's steps on the store: [`demo_decisions`] and [`simulate_inspections`] |
//! | `shared` | [`export_period`] and [`import_period`]: results shared in schema `riskgrade.shared/1` |
//!
//! The store itself (SQLite, migrations, decisions, the audit trail, the
//! departments' queues) is `riskgrade-store`; this crate joins it to the
//! engine.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod demo;
mod inspections;
mod notes;
mod periods;
mod run;
mod shared;

pub use demo::{SimulatedInspections, demo_decisions, simulate_inspections};
pub use inspections::{
    InspectionError, ValueProblem, candidates, draw_period, evaluate_draw, inspection_history,
    read_outcomes, read_pool, verify_draw,
};
pub use periods::{PeriodComparison, PeriodMover, Stability, compare_periods};
pub use run::{Duplicate, MonthInput, MonthReport, MonthlyError, run_month};
pub use shared::{SHARED_SCHEMA, SchemaProblem, ShareError, export_period, import_period};
