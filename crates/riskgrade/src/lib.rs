//! # riskgrade
//!
//! Grade enterprises by credit risk the way market regulators do: score each
//! enterprise with a general + specialised indicator model, sort it into
//! classes A/B/C/D (low → high risk), explain why, and do it for millions of
//! enterprises a month, in parallel and deterministically.
//!
//! ## Overview
//!
//! | step | type |
//! |---|---|
//! | load a model or a set of models (TOML/JSON), validated once | [`ModelSet`] |
//! | load enterprises: nested profiles ([`Enterprise`], JSON/JSONL) or columns (CSV, Parquet, Arrow) | [`Frame`], [`io`] |
//! | grade a batch as of a date, in parallel | [`Grader`], [`Options`] |
//! | read scores, classes, reasons and bad rows; explain one enterprise | [`Grades`], [`Explanation`] |
//! | write results (CSV, Parquet, JSON Lines) | [`results_table`], [`io::write_table`] |
//! | compare two models or rule sets on one batch: class migration, movers and the rules behind them | [`compare`], [`Comparison`] |
//! | set weights and cut-offs (AHP, entropy, CRITIC, calibration on inspection outcomes) and write a new model version with its provenance | [`calibrate`] |
//! | judge a challenger model against the champion on the same inspection outcomes | [`challenge`] |
//! | make a realistic synthetic population | [`synth`] |
//! | the types a program that grades batches needs, in one import | [`prelude`] |
//!
//! ## Usage
//!
//! ```
//! use std::sync::Arc;
//! use riskgrade::prelude::*;
//!
//! // The embedded reference set: a general model with 72 indicators, a
//! // food-production model for industries C13–C15 that includes the general score,
//! // and a special-equipment model for holders of a special-equipment use licence.
//! let set = Arc::new(riskgrade::examples::reference()?);
//!
//! let profiles: Vec<Enterprise> = vec![serde_json::from_str(r#"{
//!     "id": "E1", "name": "Example Trading Co.", "industry": "F5211", "registered": "2012-04-01",
//!     "attributes": {"annual_report_on_time": false},
//!     "records": [
//!         {"kind": "abnormal_list", "date": "2026-03-01", "action": "entry"},
//!         {"kind": "penalty", "date": "2026-05-01", "severity": "major", "amount": 120000}
//!     ]}"#)?];
//! let as_of: Date = "2026-11-01".parse()?;
//! let frame = Frame::from_profiles(&profiles, set.schema(), as_of, set.effect_periods());
//! let grades = Grader::new(set).grade_with(&frame, Some(&profiles), as_of, &Options::default())?;
//!
//! assert_eq!(grades.class(0), Some("C"));
//! println!("{}", grades.summary());
//! // One row per enterprise: id, score, class, reasons, … (write it with `write_table`).
//! let table = results_table(&grades, &frame, ResultColumns::default());
//! assert_eq!(table[0].name, "id");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Bad data never stops a batch: a row with a bad value is reported in
//! [`Grades::issues`] with its row, enterprise id and column, and every other
//! row is graded. [`Options::strict`] fails the batch instead.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod prelude;

pub use riskgrade_core::{
    AttrValue, ChangeField, Column, ColumnBuilder, DataIssue, Date, DateError, EffectPeriods,
    Enterprise, EnterpriseId, FeatureDef, FeatureFn, Frame, Identity, InputSpec, InputType,
    InspectionResult, Licence, ListAction, Month, MonthError, Period, Position, Problem, RawValue,
    Record, RecordKind, RecordType, Schema, Severity, format_number,
};
pub use riskgrade_engine::{
    DimensionLine, Effect, EffectRef, EvalError, Explanation, Grader, Grades, IndicatorLine,
    ModelSummary, Options, Outcome, Reason, RuleStats, Shortage, Summary,
};
pub use riskgrade_model::{
    ClassSpec, Classes, Cutoffs, Direction, Emit, InsufficientAction, Leaf, MissingPolicy, Model,
    ModelError, ModelSet, ModelSetSpec, ModelSpec, Node, NodeSpec, Problem as ModelProblem,
    ProvenanceSpec, ProvenanceValue, RouteBy, RouteSpec, RoutingSpec, ScaleSpec, ScoreFn,
    ScoreSpec, ScriptFileProblem, SetProblem, Source, TopicRoute, examples,
};
pub use riskgrade_rules::{
    Action, Catalog, ErrorPolicy, Helper, Limits, Lint, NotCompiled, Plan, Rule, RuleError,
    RuleSpec, Rules, Severity as AlertSeverity, Stage,
};

pub use riskgrade_core::codes;
pub use riskgrade_core::display;
pub use riskgrade_core::rng;

/// Reading enterprises and writing tables: JSON/JSONL profiles, CSV, Parquet, Arrow.
pub mod io {
    pub use riskgrade_io::*;
}

/// The history store: monthly runs, results, explained changes, manual decisions and the audit trail (SQLite).
pub mod store {
    pub use riskgrade_store::*;
}

/// Inspection plans, draws, evaluation and targeting simulation ("double random, one public").
pub mod inspect {
    pub use riskgrade_inspect::*;
}

/// The synthetic population generator.
pub mod synth {
    pub use riskgrade_synth::*;
}

/// Setting weights and cut-offs (AHP, entropy, CRITIC, calibration on outcomes), champion vs challenger.
pub mod calibrate {
    pub use riskgrade_calibrate::*;
}

pub use riskgrade_calibrate::{Challenge, challenge};
pub use riskgrade_engine::{
    Case, CaseResult, CompareError, CompareInput, Comparison, Expect, ExpectAlert, ModelComparison,
    Move, Mover, ResultColumns, RuleDelta, RuleTestError, RuleTests, Side, compare, compare_models,
    psi, psi_band, results_table,
};
pub use riskgrade_monthly::{
    Duplicate, InspectionError, MonthInput, MonthReport, MonthlyError, PeriodComparison,
    PeriodMover, SHARED_SCHEMA, SchemaProblem, ShareError, Stability, ValueProblem, candidates,
    compare_periods, draw_period, evaluate_draw, export_period, import_period, inspection_history,
    read_outcomes, read_pool, run_month, verify_draw,
};
pub use riskgrade_monthly::{MonthOptions, run_month_with};

pub use riskgrade_engine::{
    DEFAULT_BATCH_ROWS, RESULTS_SCHEMA_VERSION, StreamError, StreamReport, classify_batches,
    classify_file, share_model,
};

pub use riskgrade_monthly::{
    AgainstUniform, ClassYear, DRAW_SCHEMA, PUBLIC_SCHEMA, PublicRow, Publication, PublishOptions,
    TaskDifference, Verification, YearView, commit_period, draw_committed, pool_from_csv,
    publish_draw, year_view,
};

/// The demo's simulated steps: decisions, inspections drawn and what they find.
pub mod demo {
    pub use riskgrade_monthly::{SimulatedInspections, demo_decisions, simulate_inspections};
    pub use riskgrade_synth::{inspection_finds, simulated_outcomes};
}
pub use riskgrade_store::{DepartmentQueue, QueueItem, Queues, queues};
