//! The store's errors: SQLite failures, a newer schema, stored data that does
//! not parse, and requests the store refuses (each with what it was about).

use std::path::PathBuf;

use riskgrade_core::{Date, Month};

use crate::{DecisionKind, DecisionStatus};

/// Errors of the history store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite failed; `context` says what the store was doing.
    #[error("history store {}: {context}: {source}", file.display())]
    Sqlite {
        /// The store's file (`:memory:` for an in-memory store).
        file: PathBuf,
        /// What the store was doing, e.g. `reading the results of 2026-03`.
        context: String,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// The file was written by a newer riskgrade.
    #[error(
        "history store {} has schema version {found}; this riskgrade reads up to version {supported}: upgrade riskgrade",
        file.display()
    )]
    NewerSchema {
        /// The store's file.
        file: PathBuf,
        /// The file's schema version.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },
    /// The file is a database, but not a riskgrade store (or an empty one
    /// opened for reading); it was left untouched.
    #[error(
        "`{}` is not a riskgrade history store (application id {application_id:#x}, user version {user_version}, {objects} schema objects); it was left untouched",
        file.display()
    )]
    NotAStore {
        /// The file.
        file: PathBuf,
        /// Its SQLite `application_id` (riskgrade's is [`crate::APPLICATION_ID`]).
        application_id: i32,
        /// Its SQLite `user_version`.
        user_version: i64,
        /// How many tables, indexes, views and triggers it holds.
        objects: i64,
    },
    /// No file to read a store from: opening for reading never creates one.
    #[error("`{}`: no history store there", file.display())]
    NoStore {
        /// The path given.
        file: PathBuf,
    },
    /// A store with an older schema opened for reading: reading never migrates.
    #[error(
        "history store {} has schema version {found} and this riskgrade reads version {current}: upgrade it with `riskgrade store upgrade --store {}` (a copy of it as it was is kept)",
        file.display(),
        file.display()
    )]
    OlderSchema {
        /// The store's file.
        file: PathBuf,
        /// The file's schema version.
        found: u32,
        /// The version this build reads.
        current: u32,
    },
    /// A request the store cannot carry out, e.g. revoking a decision that does not exist.
    #[error(transparent)]
    Invalid(#[from] InvalidRequest),
    /// Stored data that does not parse (a damaged or hand-edited file).
    #[error(
        "history store {}: table `{table}`, row {row}: unreadable {column} `{value}`",
        file.display()
    )]
    Corrupt {
        /// The store's file.
        file: PathBuf,
        /// The table, e.g. `decisions`.
        table: &'static str,
        /// The row's key, e.g. `#3` or `2026-03`.
        row: String,
        /// The column that did not parse.
        column: &'static str,
        /// The text stored there.
        value: String,
    },
}

/// A request the store refuses, and what it was about.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidRequest {
    /// The period has no stored run.
    #[error("no run of period {period} is stored; `riskgrade periods` lists them")]
    NoRun {
        /// The period asked for.
        period: Month,
    },
    /// A draw whose graded period has since been deleted.
    #[error("draw #{draw} is based on period {period}, which is no longer stored")]
    DrawWithoutRun {
        /// The draw.
        draw: i64,
        /// The period it was drawn from.
        period: Month,
    },
    /// A result whose class the run does not name.
    #[error(
        "enterprise {enterprise}: class `{class}` is not one of the run's classes ({})",
        classes.join(", ")
    )]
    UnknownClass {
        /// The period being written.
        period: Month,
        /// The enterprise.
        enterprise: String,
        /// The class it was given.
        class: String,
        /// The run's classes.
        classes: Vec<String>,
    },
    /// A run whose writer failed on an insert: a period is never stored in part.
    #[error(
        "period {period}: an enterprise could not be stored, so the period is not stored (the previous state is kept)"
    )]
    IncompleteRun {
        /// The period.
        period: Month,
    },
    /// The same enterprise twice in one run.
    #[error(
        "period {period}: enterprise {enterprise} is given twice; a run holds one result per enterprise"
    )]
    DuplicateResult {
        /// The period being written.
        period: Month,
        /// The enterprise.
        enterprise: String,
    },
    /// No decision has that number.
    #[error("there is no decision #{decision}")]
    NoDecision {
        /// The number asked for.
        decision: i64,
    },
    /// A decision (or a revocation or resolution) without a field it needs.
    #[error("a decision needs `{field}`")]
    MissingField {
        /// The field, e.g. `reason`.
        field: &'static str,
    },
    /// A decision missing what its kind needs, or with dates out of order.
    #[error("{} for {enterprise}: {problem}", kind.name())]
    Decision {
        /// The decision's kind.
        kind: DecisionKind,
        /// The enterprise.
        enterprise: String,
        /// What is wrong with it.
        problem: DecisionProblem,
    },
    /// Only an active override or repair can be revoked.
    #[error(
        "decision #{decision} is {}, only an active override or repair can be revoked",
        status.name()
    )]
    NotRevocable {
        /// The decision.
        decision: i64,
        /// Where it stands.
        status: DecisionStatus,
    },
    /// The decision changed between reading and revoking it.
    #[error("decision #{decision} changed while it was being revoked; look at it again")]
    RevokedMeanwhile {
        /// The decision.
        decision: i64,
    },
    /// Only an open objection can be resolved.
    #[error(
        "decision #{decision} is a {} that is {}; only an open objection can be resolved",
        kind.name(),
        status.name()
    )]
    NotResolvable {
        /// The decision.
        decision: i64,
        /// Its kind.
        kind: DecisionKind,
        /// Where it stands.
        status: DecisionStatus,
    },
    /// The objection was resolved by someone else between reading and resolving it.
    #[error("objection #{decision} was resolved by someone else meanwhile")]
    ResolvedMeanwhile {
        /// The objection.
        decision: i64,
    },
    /// No draw has that number.
    #[error("there is no draw #{draw}")]
    NoDraw {
        /// The number asked for.
        draw: i64,
    },
    /// An inspection outcome for an enterprise the draw has no task for.
    #[error("outcome {outcome}: draw #{draw} has no task for enterprise {enterprise}")]
    NoTask {
        /// The outcome's position in the batch (1-based).
        outcome: usize,
        /// The draw.
        draw: i64,
        /// The enterprise.
        enterprise: String,
    },
    /// An inspection outcome for a task that is closed already.
    #[error("outcome {outcome}: task {task} of draw #{draw} for {enterprise} is closed already")]
    TaskClosed {
        /// The outcome's position in the batch (1-based).
        outcome: usize,
        /// The draw.
        draw: i64,
        /// The task's number in the draw.
        task: i64,
        /// The enterprise.
        enterprise: String,
    },
    /// No unrevoked API key has that id.
    #[error("there is no unrevoked API key `{key}`")]
    NoKey {
        /// The key's public id.
        key: String,
    },
    /// The period routed no alert of the enterprise to the department.
    #[error("period {period} routed no alert of enterprise {enterprise} to {department}")]
    NoAlert {
        /// The period.
        period: Month,
        /// The enterprise.
        enterprise: String,
        /// The department.
        department: String,
    },
    /// The alert is closed already.
    #[error("the alert of enterprise {enterprise} in {period} for {department} is closed already")]
    AlertClosed {
        /// The period.
        period: Month,
        /// The enterprise.
        enterprise: String,
        /// The department.
        department: String,
    },
    /// No commitment has that number.
    #[error("there is no commitment #{commitment}; `riskgrade draw commit` makes one")]
    NoCommitment {
        /// The number asked for.
        commitment: i64,
    },
    /// A commitment already has its draw: a new draw needs a new commitment.
    #[error(
        "commitment #{commitment} was drawn already (draw #{draw}); commit again for a new draw"
    )]
    CommitmentUsed {
        /// The commitment.
        commitment: i64,
        /// Its draw.
        draw: i64,
    },
    /// An upgrade's backup would replace a file that exists.
    #[error(
        "`{}` exists already; move it away or name another backup file",
        backup.display()
    )]
    BackupExists {
        /// The backup file asked for.
        backup: PathBuf,
    },
}

/// What is wrong with a decision to record.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DecisionProblem {
    /// An override without a class.
    #[error("an override needs a class")]
    NoClass,
    /// A repair without its record.
    #[error("a repair needs the record's kind and date")]
    NoRecord,
    /// A repair dated before the record it repairs.
    #[error("the repair date {repaired} is before the record's date {record}")]
    RepairBeforeRecord {
        /// The repair date.
        repaired: Date,
        /// The record's date.
        record: Date,
    },
    /// An objection without the period it objects to.
    #[error("an objection names the period it objects to")]
    NoPeriod,
    /// `until` before `effective`.
    #[error("`until` {until} is before `effective` {effective}")]
    UntilBeforeEffective {
        /// The last day it would count.
        until: Date,
        /// The first day it would count.
        effective: Date,
    },
}

/// Result alias of the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
