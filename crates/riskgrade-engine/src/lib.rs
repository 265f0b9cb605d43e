//! Parallel, deterministic batch grading and explanations.
//!
//! | module | owns |
//! |---|---|
//! | `grade` | [`Grader`] and [`Options`]; grading in stages: `route` → `inputs` (resolve, check required values) → `score` (chunked, rayon) → `classes` → rules → `insufficient` (the model's minimum evidence, [`Shortage`]) → `reasons` |
//! | `grades` | [`Grades`]: per-row score, class, dimension points, [`Reason`]s, issues; [`Summary`] |
//! | `rules` | the rules pass: `bind` (`when` conditions over columns), `sites` (helper values), `row` (scripts where conditions hold, [`Effect`]s resolved into the class), `stats` ([`RuleStats`]) |
//! | `compare` | [`compare`]: two gradings of one batch: class migration, movers and the rules behind them; `models` ([`compare_models`]: one batch graded by two model sets); `comparison`, `display`, `psi` |
//! | `results` | [`results_table`]: the results table layout written by the CLI and handed to Python |
//! | `stream` | [`classify_file`], [`classify_batches`]: grading and writing batch by batch, memory bounded by a batch |
//! | `rule_tests` | [`RuleTests`]: rule authors' example cases (`<rules>.tests.toml`) and their diffs |
//! | `explain` | [`Explanation`]: one enterprise's breakdown for people |
//! | `error` | [`EvalError`]: why a whole batch could not be graded |
//! | `progress` | the optional progress callback of [`Options::progress`], told between chunks of the scoring and rules stages |
//!
//! Scoring runs over chunks of 1024 rows: for each leaf the input slice is
//! scored by a vectorised kernel and added into its dimension's accumulator.
//! Each row's arithmetic is the same whatever the chunking, so results are
//! bit-identical across thread counts and row orders.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod compare;
mod error;
mod explain;
mod grade;
mod grades;
mod progress;
mod results;
mod rule_tests;
mod rules;
mod stream;

pub use compare::{
    CompareError, CompareInput, Comparison, ModelComparison, Move, Mover, RuleDelta, Side, compare,
    compare_models, psi, psi_band,
};
pub use error::EvalError;
pub use explain::{DimensionLine, Explanation, IndicatorLine};
pub use grade::insufficient::Shortage;
pub use grade::{Grader, Options};
pub use grades::{EffectRef, Grades, ManualClass, ModelSummary, Reason, ReasonWriter, Summary};
pub use results::{RESULTS_SCHEMA_VERSION, ResultColumns, results_table};
pub use riskgrade_rules::ErrorPolicy;
pub use rule_tests::{Case, CaseResult, Expect, ExpectAlert, RuleTestError, RuleTests};
pub use rules::{Effect, Outcome, RuleStats};
pub use stream::{
    DEFAULT_BATCH_ROWS, StreamError, StreamReport, classify_batches, classify_file, share_model,
};
