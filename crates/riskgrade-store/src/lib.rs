//! # riskgrade-store
//!
//! The history store of monthly grading: one SQLite file, nothing to install.
//!
//! | table | holds |
//! |---|---|
//! | `runs` | one row per period: as-of date, model version id, input digest, timestamps, counts per class |
//! | `results` | per period and enterprise: score, class, reasons, indicator drivers, labels, alerts, rules, manual decision, error |
//! | `changes` | per period, for each enterprise whose class changed: why (records, repairs, indicators, rules, manual decisions) |
//! | `decisions` | manual class overrides, credit repairs of records, objections and their outcome |
//! | `audit` | every decision, revocation, resolution, run and import, append-only |
//!
//! Writing a period is one transaction ([`Store::begin_run`] … [`RunWriter::commit`]):
//! re-running a period replaces it atomically, and a process killed mid-write
//! leaves the previous state intact. The schema is versioned
//! ([`SCHEMA_VERSION`]); opening an older file migrates it, opening a newer one
//! is an error.
//!
//! ```
//! use riskgrade_store::{NewRun, ResultRow, Store};
//! let mut store = Store::in_memory()?;
//! let mut run = store.begin_run(NewRun::new("2026-10".parse()?, "2026-10-31".parse()?, "v1", ["A", "B", "C", "D"]))?;
//! run.insert(&ResultRow::graded("E1", "general", 120.0, "A"))?;
//! run.insert(&ResultRow::failed("E2", "row 2, column `debt_ratio`: not a number"))?;
//! let info = run.commit()?;
//! assert_eq!((info.enterprises, info.graded, info.errors), (2, 1, 1));
//! assert_eq!(info.class_counts, vec![1, 0, 0, 0]);
//! assert_eq!(store.result("2026-10".parse()?, "E1")?.unwrap().class.as_deref(), Some("A"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod decisions;
mod inspections;
mod queue;
mod schema;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use riskgrade_core::Date;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

pub use decisions::{
    AuditEntry, Decision, DecisionKind, DecisionStatus, NewDecision, RecordRef, Resolution,
};
pub use inspections::{DrawInfo, NewDraw, StoredTask, TaskOutcome, TaskRow};
pub use queue::{DepartmentQueue, QueueItem, Queues, queues};
use riskgrade_core::Month;
pub use schema::SCHEMA_VERSION;

/// Errors of the history store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed; `context` says what the store was doing.
    #[error("history store {file}: {context}: {source}")]
    Sqlite {
        /// The store's file (`:memory:` for an in-memory store).
        file: String,
        /// What the store was doing.
        context: String,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// The file was written by a newer riskgrade.
    #[error(
        "history store {file} has schema version {found}; this riskgrade reads up to version {supported}: upgrade riskgrade"
    )]
    NewerSchema {
        /// The store's file.
        file: String,
        /// The file's schema version.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },
    /// A request the store cannot carry out, e.g. revoking a decision that does not exist.
    #[error("{0}")]
    Invalid(String),
    /// Stored data that does not parse (a damaged or hand-edited file).
    #[error("history store {file}: {what}")]
    Corrupt {
        /// The store's file.
        file: String,
        /// What did not parse.
        what: String,
    },
}

/// Result alias of the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A run about to be written: which period, as of which date, with which model.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRun {
    /// The period.
    pub period: Month,
    /// The grading date.
    pub as_of: Date,
    /// The model set's version id.
    pub version_id: String,
    /// Digest of the input that was graded.
    pub input_digest: String,
    /// `local` for a run made here; otherwise the department a shared result set came from.
    pub source: String,
    /// Class names, least risky first.
    pub classes: Vec<String>,
    /// Per model id, its indicator paths: `drivers` refer to them by position.
    pub indicators: BTreeMap<String, Vec<String>>,
    /// The stored period the change notes were computed against.
    pub compared_with: Option<Month>,
}

impl NewRun {
    /// A local run of `period` as of `as_of` with model version `version_id` and these classes.
    pub fn new<S: Into<String>>(
        period: Month,
        as_of: Date,
        version_id: &str,
        classes: impl IntoIterator<Item = S>,
    ) -> NewRun {
        NewRun {
            period,
            as_of,
            version_id: version_id.to_string(),
            input_digest: String::new(),
            source: "local".to_string(),
            classes: classes.into_iter().map(Into::into).collect(),
            indicators: BTreeMap::new(),
            compared_with: None,
        }
    }
}

/// A stored run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    /// The period.
    pub period: Month,
    /// The grading date.
    pub as_of: Date,
    /// The model set's version id.
    pub version_id: String,
    /// Digest of the input that was graded.
    pub input_digest: String,
    /// `local`, or the department a shared result set came from.
    pub source: String,
    /// When writing started (unix seconds).
    pub started_at: i64,
    /// When it was committed (unix seconds).
    pub finished_at: i64,
    /// Enterprises in the run, graded or not.
    pub enterprises: u64,
    /// Enterprises graded.
    pub graded: u64,
    /// Enterprises that could not be graded (their `error` says why).
    pub errors: u64,
    /// Class names, least risky first.
    pub classes: Vec<String>,
    /// Enterprises per class, in the order of `classes`.
    pub class_counts: Vec<u64>,
    /// Per model id, its indicator paths.
    pub indicators: BTreeMap<String, Vec<String>>,
    /// The period the change notes were computed against (the latest before
    /// this one when it ran).
    pub compared_with: Option<Month>,
}

/// One enterprise's result in one period.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResultRow {
    /// Enterprise id.
    pub id: String,
    /// The model that graded it.
    pub model: Option<String>,
    /// Final score.
    pub score: Option<f64>,
    /// Score before rules.
    pub base_score: Option<f64>,
    /// Class; `None` when it could not be graded.
    pub class: Option<String>,
    /// Top reasons, as text, `; `-separated.
    pub reasons: String,
    /// Indicators above their least risky points, as `index:points` separated by spaces
    /// (indexes into the run's indicator list for the model).
    pub drivers: String,
    /// Labels, `; `-separated.
    pub labels: String,
    /// Alerts (`topic -> department`), `; `-separated.
    pub alerts: String,
    /// Ids of the rules that acted, space-separated.
    pub rules: String,
    /// The manual decision that set the class, if any.
    pub manual: Option<i64>,
    /// Why the enterprise was not graded.
    pub error: Option<String>,
    /// Administrative district (for the strata of inspection draws).
    pub district: String,
    /// Industry code.
    pub industry: String,
}

impl ResultRow {
    /// A graded row with no reasons, drivers or rules.
    pub fn graded(id: &str, model: &str, score: f64, class: &str) -> ResultRow {
        ResultRow {
            id: id.to_string(),
            model: Some(model.to_string()),
            score: Some(score),
            base_score: Some(score),
            class: Some(class.to_string()),
            ..ResultRow::default()
        }
    }

    /// A row that could not be graded, and why.
    pub fn failed(id: &str, error: &str) -> ResultRow {
        ResultRow {
            id: id.to_string(),
            error: Some(error.to_string()),
            ..ResultRow::default()
        }
    }

    /// The drivers as `(indicator index, points)` pairs; unreadable entries are skipped.
    ///
    /// ```
    /// let mut row = riskgrade_store::ResultRow::default();
    /// row.drivers = "3:40 17:12.5".into();
    /// assert_eq!(row.driver_points(), vec![(3, 40.0), (17, 12.5)]);
    /// ```
    pub fn driver_points(&self) -> Vec<(usize, f64)> {
        self.drivers
            .split_ascii_whitespace()
            .filter_map(|d| {
                let (i, p) = d.split_once(':')?;
                Some((i.parse().ok()?, p.parse().ok()?))
            })
            .collect()
    }
}

/// What kind of change a [`ChangeNote`] explains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeKind {
    /// The enterprise was not in the previous period.
    New,
    /// A record entered or left its effect period.
    Record,
    /// A record was credit-repaired.
    Repair,
    /// An indicator's points moved.
    Indicator,
    /// A rule started or stopped acting.
    Rule,
    /// A manual decision started or ended.
    Manual,
    /// The model set changed between the periods.
    Model,
}

impl ChangeKind {
    /// The name stored and shown.
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::New => "new",
            ChangeKind::Record => "record",
            ChangeKind::Repair => "repair",
            ChangeKind::Indicator => "indicator",
            ChangeKind::Rule => "rule",
            ChangeKind::Manual => "manual",
            ChangeKind::Model => "model",
        }
    }

    fn parse(s: &str) -> Option<ChangeKind> {
        [
            ChangeKind::New,
            ChangeKind::Record,
            ChangeKind::Repair,
            ChangeKind::Indicator,
            ChangeKind::Rule,
            ChangeKind::Manual,
            ChangeKind::Model,
        ]
        .into_iter()
        .find(|k| k.name() == s)
    }
}

/// One reason an enterprise's class changed from the previous period.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeNote {
    /// Enterprise id.
    pub id: String,
    /// Class in the previous period (`None`: not there, or not graded).
    pub from_class: Option<String>,
    /// Class in this period (`None`: not graded).
    pub to_class: Option<String>,
    /// What kind of change.
    pub kind: ChangeKind,
    /// The change, for people.
    pub detail: String,
}

/// One period of one enterprise's history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// The period.
    pub period: Month,
    /// The grading date.
    pub as_of: Date,
    /// The model set's version id.
    pub version_id: String,
    /// The enterprise's result, if it was in that run.
    pub result: Option<ResultRow>,
    /// Why its class changed from the period before.
    pub changes: Vec<ChangeNote>,
}

/// The history store: an SQLite file (or memory).
pub struct Store {
    conn: Connection,
    file: String,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("file", &self.file).finish()
    }
}

pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl Store {
    /// Opens the store at `path`, creating it if needed and migrating an older schema.
    ///
    /// # Errors
    /// SQLite errors (unreadable file, not a database), or a file from a newer riskgrade.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path: PathBuf = path.as_ref().to_path_buf();
        let file = path.display().to_string();
        let conn = Connection::open(&path).map_err(|source| StoreError::Sqlite {
            file: file.clone(),
            context: "cannot open".into(),
            source,
        })?;
        Store::init(conn, file)
    }

    /// A store in memory, for tests and one-off comparisons.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn in_memory() -> Result<Store> {
        let file = ":memory:".to_string();
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Sqlite {
            file: file.clone(),
            context: "cannot open".into(),
            source,
        })?;
        Store::init(conn, file)
    }

    fn init(conn: Connection, file: String) -> Result<Store> {
        let mut store = Store { conn, file };
        let setup = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;";
        store
            .conn
            .execute_batch(setup)
            .map_err(|e| store.sql("setting up", e))?;
        store
            .conn
            .busy_timeout(std::time::Duration::from_secs(30))
            .map_err(|e| store.sql("setting up", e))?;
        store.migrate()?;
        Ok(store)
    }

    pub(crate) fn sql(&self, context: &str, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            file: self.file.clone(),
            context: context.to_string(),
            source,
        }
    }

    pub(crate) fn corrupt(&self, what: String) -> StoreError {
        StoreError::Corrupt {
            file: self.file.clone(),
            what,
        }
    }

    fn migrate(&mut self) -> Result<()> {
        let found = self.schema_version()?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                file: self.file.clone(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(found as usize) {
            let version = i + 1;
            let file = self.file.clone();
            let wrap = |source| StoreError::Sqlite {
                file: file.clone(),
                context: format!("migrating to schema version {version}"),
                source,
            };
            let tx = self.conn.transaction().map_err(wrap)?;
            tx.execute_batch(sql).map_err(wrap)?;
            tx.pragma_update(None, "user_version", version as i64)
                .map_err(wrap)?;
            tx.commit().map_err(wrap)?;
        }
        Ok(())
    }

    /// The schema version of the open file.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn schema_version(&self) -> Result<u32> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
            .map(|v| u32::try_from(v).unwrap_or(u32::MAX))
            .map_err(|e| self.sql("reading the schema version", e))
    }

    /// SQLite's `PRAGMA integrity_check`: `ok`, or the problems found.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn integrity_check(&self) -> Result<String> {
        let mut stmt = self
            .conn
            .prepare("PRAGMA integrity_check")
            .map_err(|e| self.sql("checking integrity", e))?;
        let lines = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.sql("checking integrity", e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.sql("checking integrity", e))?;
        Ok(lines.join("\n"))
    }

    /// The store's file (`:memory:` for an in-memory store).
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Starts writing `run`. Nothing is visible to readers until [`RunWriter::commit`];
    /// dropping the writer (or the process dying) leaves the store as it was.
    /// An earlier run of the same period is replaced by the commit.
    ///
    /// # Errors
    /// SQLite errors, e.g. another process holding the write lock for more than 30 s.
    pub fn begin_run(&mut self, run: NewRun) -> Result<RunWriter<'_>> {
        let file = self.file.clone();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|source| StoreError::Sqlite {
                file: file.clone(),
                context: "starting a run".into(),
                source,
            })?;
        let period = run.period.to_string();
        let replaced = tx
            .query_row(
                "SELECT input_digest FROM runs WHERE period = ?1",
                [&period],
                |r| r.get::<_, String>(0),
            )
            .optional()
            .map_err(|source| StoreError::Sqlite {
                file: file.clone(),
                context: format!("looking up period {period}"),
                source,
            })?;
        for table in ["results", "changes", "runs"] {
            tx.execute(&format!("DELETE FROM {table} WHERE period = ?1"), [&period])
                .map_err(|source| StoreError::Sqlite {
                    file: file.clone(),
                    context: format!("clearing period {period}"),
                    source,
                })?;
        }
        let n_classes = run.classes.len();
        Ok(RunWriter {
            tx,
            file,
            period,
            run,
            started_at: now(),
            counts: vec![0; n_classes],
            enterprises: 0,
            graded: 0,
            errors: 0,
            note_seq: BTreeMap::new(),
            replaced: replaced.is_some(),
            failed: false,
        })
    }

    /// Every stored run, oldest period first.
    ///
    /// # Errors
    /// SQLite errors or unreadable rows.
    pub fn runs(&self) -> Result<Vec<RunInfo>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY period"))
            .map_err(|e| self.sql("listing runs", e))?;
        let rows = stmt
            .query_map([], raw_run)
            .map_err(|e| self.sql("listing runs", e))?;
        let mut out = Vec::new();
        for r in rows {
            let raw = r.map_err(|e| self.sql("listing runs", e))?;
            out.push(self.run_info(raw)?);
        }
        Ok(out)
    }

    /// The run of `period`, if stored.
    ///
    /// # Errors
    /// SQLite errors or an unreadable row.
    pub fn run(&self, period: Month) -> Result<Option<RunInfo>> {
        let raw = self
            .conn
            .query_row(
                &format!("SELECT {RUN_COLUMNS} FROM runs WHERE period = ?1"),
                [period.to_string()],
                raw_run,
            )
            .optional()
            .map_err(|e| self.sql(&format!("reading run {period}"), e))?;
        raw.map(|r| self.run_info(r)).transpose()
    }

    /// The latest stored run before `period`.
    ///
    /// # Errors
    /// SQLite errors or an unreadable row.
    pub fn previous_run(&self, period: Month) -> Result<Option<RunInfo>> {
        let raw = self
            .conn
            .query_row(
                &format!(
                    "SELECT {RUN_COLUMNS} FROM runs WHERE period < ?1 ORDER BY period DESC LIMIT 1"
                ),
                [period.to_string()],
                raw_run,
            )
            .optional()
            .map_err(|e| self.sql(&format!("finding the run before {period}"), e))?;
        raw.map(|r| self.run_info(r)).transpose()
    }

    fn run_info(&self, raw: RawRun) -> Result<RunInfo> {
        let bad = |what: &str| self.corrupt(format!("run {}: unreadable {what}", raw.0));
        Ok(RunInfo {
            period: raw.0.parse().map_err(|_| bad("period"))?,
            as_of: raw.1.parse().map_err(|_| bad("as_of"))?,
            version_id: raw.2,
            input_digest: raw.3,
            source: raw.4,
            started_at: raw.5,
            finished_at: raw.6,
            enterprises: u64::try_from(raw.7).unwrap_or(0),
            graded: u64::try_from(raw.8).unwrap_or(0),
            errors: u64::try_from(raw.9).unwrap_or(0),
            classes: serde_json::from_str(&raw.10).map_err(|_| bad("classes"))?,
            class_counts: serde_json::from_str(&raw.11).map_err(|_| bad("class_counts"))?,
            indicators: serde_json::from_str(&raw.12).map_err(|_| bad("indicators"))?,
            compared_with: raw
                .13
                .as_deref()
                .map(|p| p.parse().map_err(|_| bad("compared_with")))
                .transpose()?,
        })
    }

    /// One enterprise's result in `period`.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn result(&self, period: Month, id: &str) -> Result<Option<ResultRow>> {
        self.conn
            .query_row(
                &format!("SELECT {RESULT_COLUMNS} FROM results WHERE period = ?1 AND id = ?2"),
                params![period.to_string(), id],
                read_result,
            )
            .optional()
            .map_err(|e| self.sql(&format!("reading {id} in {period}"), e))
    }

    /// Calls `f` with every result of `period`, in id order, without loading them all.
    ///
    /// # Errors
    /// SQLite errors, or the first error `f` returns.
    pub fn scan_results<E: From<StoreError>>(
        &self,
        period: Month,
        mut f: impl FnMut(ResultRow) -> Result<(), E>,
    ) -> Result<(), E> {
        let p = period.to_string();
        let ctx = format!("reading the results of {period}");
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {RESULT_COLUMNS} FROM results WHERE period = ?1 ORDER BY id"
            ))
            .map_err(|e| self.sql(&ctx, e))?;
        let mut rows = stmt.query([&p]).map_err(|e| self.sql(&ctx, e))?;
        while let Some(row) = rows.next().map_err(|e| self.sql(&ctx, e))? {
            f(read_result(row).map_err(|e| self.sql(&ctx, e))?)?;
        }
        Ok(())
    }

    /// Walks the results of two periods side by side, joined on the enterprise id
    /// (in id order): `f(id, in a, in b)`.
    ///
    /// # Errors
    /// SQLite errors, or the first error `f` returns.
    pub fn scan_pair<E: From<StoreError>>(
        &self,
        a: Month,
        b: Month,
        mut f: impl FnMut(Option<&ResultRow>, Option<&ResultRow>) -> Result<(), E>,
    ) -> Result<(), E> {
        let ctx = format!("reading the results of {a} and {b}");
        let sql = format!("SELECT {RESULT_COLUMNS} FROM results WHERE period = ?1 ORDER BY id");
        let mut sa = self.conn.prepare(&sql).map_err(|e| self.sql(&ctx, e))?;
        let mut sb = self.conn.prepare(&sql).map_err(|e| self.sql(&ctx, e))?;
        let mut ra = sa.query([a.to_string()]).map_err(|e| self.sql(&ctx, e))?;
        let mut rb = sb.query([b.to_string()]).map_err(|e| self.sql(&ctx, e))?;
        let next = |rows: &mut rusqlite::Rows<'_>| -> Result<Option<ResultRow>> {
            match rows.next().map_err(|e| self.sql(&ctx, e))? {
                Some(r) => Ok(Some(read_result(r).map_err(|e| self.sql(&ctx, e))?)),
                None => Ok(None),
            }
        };
        let mut x = next(&mut ra)?;
        let mut y = next(&mut rb)?;
        loop {
            match (&x, &y) {
                (None, None) => return Ok(()),
                (Some(p), Some(q)) if p.id == q.id => {
                    f(Some(p), Some(q))?;
                    x = next(&mut ra)?;
                    y = next(&mut rb)?;
                }
                (Some(p), Some(q)) if p.id < q.id => {
                    f(Some(p), None)?;
                    x = next(&mut ra)?;
                }
                (Some(p), None) => {
                    f(Some(p), None)?;
                    x = next(&mut ra)?;
                }
                (_, Some(q)) => {
                    f(None, Some(q))?;
                    y = next(&mut rb)?;
                }
            }
        }
    }

    /// The explained changes stored with `period`, for one enterprise or all.
    ///
    /// # Errors
    /// SQLite errors or an unreadable row.
    pub fn changes(&self, period: Month, id: Option<&str>) -> Result<Vec<ChangeNote>> {
        let ctx = format!("reading the changes of {period}");
        let sql = "SELECT id, from_class, to_class, kind, detail FROM changes \
                   WHERE period = ?1 AND (?2 IS NULL OR id = ?2) ORDER BY id, seq";
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.sql(&ctx, e))?;
        let rows = stmt
            .query_map(params![period.to_string(), id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })
            .map_err(|e| self.sql(&ctx, e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, from_class, to_class, kind, detail) = row.map_err(|e| self.sql(&ctx, e))?;
            let kind = ChangeKind::parse(&kind)
                .ok_or_else(|| self.corrupt(format!("unknown change kind `{kind}`")))?;
            out.push(ChangeNote {
                id,
                from_class,
                to_class,
                kind,
                detail,
            });
        }
        Ok(out)
    }

    /// One enterprise's history: every stored period, oldest first, with its
    /// result (if it was in that run) and why its class changed.
    ///
    /// # Errors
    /// SQLite errors or unreadable rows.
    pub fn history(&self, id: &str) -> Result<Vec<HistoryEntry>> {
        let mut out = Vec::new();
        for run in self.runs()? {
            let result = self.result(run.period, id)?;
            let changes = self.changes(run.period, Some(id))?;
            out.push(HistoryEntry {
                period: run.period,
                as_of: run.as_of,
                version_id: run.version_id,
                result,
                changes,
            });
        }
        Ok(out)
    }

    /// Deletes a period's run, results and changes (the audit trail keeps a note).
    ///
    /// # Errors
    /// SQLite errors, or no such period.
    pub fn delete_run(&mut self, period: Month, actor: &str) -> Result<()> {
        let p = period.to_string();
        let file = self.file.clone();
        let wrap = |source| StoreError::Sqlite {
            file: file.clone(),
            context: format!("deleting period {p}"),
            source,
        };
        let tx = self.conn.transaction().map_err(wrap)?;
        let n = tx
            .execute("DELETE FROM runs WHERE period = ?1", [&p])
            .map_err(wrap)?;
        if n == 0 {
            return Err(StoreError::Invalid(format!(
                "no run of period {p} is stored"
            )));
        }
        tx.execute("DELETE FROM results WHERE period = ?1", [&p])
            .map_err(wrap)?;
        tx.execute("DELETE FROM changes WHERE period = ?1", [&p])
            .map_err(wrap)?;
        audit(&tx, actor, "delete_run", None, None, &format!("period {p}")).map_err(wrap)?;
        tx.commit().map_err(wrap)
    }
}

const RUN_COLUMNS: &str = "period, as_of, version_id, input_digest, source, started_at, finished_at, \
                           enterprises, graded, errors, classes, class_counts, indicators, compared_with";

type RawRun = (
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
);

fn raw_run(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRun> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
        r.get(13)?,
    ))
}

const RESULT_COLUMNS: &str = "id, model, score, base_score, class, reasons, drivers, labels, alerts, rules, manual, error, district, industry";

fn read_result(r: &rusqlite::Row<'_>) -> rusqlite::Result<ResultRow> {
    Ok(ResultRow {
        id: r.get(0)?,
        model: r.get(1)?,
        score: r.get(2)?,
        base_score: r.get(3)?,
        class: r.get(4)?,
        reasons: r.get(5)?,
        drivers: r.get(6)?,
        labels: r.get(7)?,
        alerts: r.get(8)?,
        rules: r.get(9)?,
        manual: r.get(10)?,
        error: r.get(11)?,
        district: r.get(12)?,
        industry: r.get(13)?,
    })
}

pub(crate) fn audit(
    tx: &Connection,
    actor: &str,
    action: &str,
    decision: Option<i64>,
    enterprise: Option<&str>,
    detail: &str,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO audit (at, actor, action, decision, enterprise, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![now(), actor, action, decision, enterprise, detail])?;
    Ok(())
}

/// Writes one run inside a transaction; see [`Store::begin_run`].
pub struct RunWriter<'a> {
    tx: Transaction<'a>,
    file: String,
    period: String,
    run: NewRun,
    started_at: i64,
    counts: Vec<u64>,
    enterprises: u64,
    graded: u64,
    errors: u64,
    note_seq: BTreeMap<String, i64>,
    replaced: bool,
    failed: bool,
}

impl RunWriter<'_> {
    fn sql(&self, context: &str, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            file: self.file.clone(),
            context: format!("writing period {}: {context}", self.period),
            source,
        }
    }

    /// Adds one enterprise's result.
    ///
    /// # Errors
    /// SQLite errors, e.g. the same id twice in a run, or a class the run does not name.
    pub fn insert(&mut self, row: &ResultRow) -> Result<()> {
        self.insert_all(std::slice::from_ref(row))
    }

    /// Adds many results at once (one prepared statement for the batch).
    ///
    /// # Errors
    /// As [`RunWriter::insert`]; after a failure the writer refuses to commit.
    pub fn insert_all(&mut self, rows: &[ResultRow]) -> Result<()> {
        let result = self.insert_rows(rows);
        if result.is_err() {
            self.failed = true;
        }
        result
    }

    fn insert_rows(&mut self, rows: &[ResultRow]) -> Result<()> {
        let mut stmt = match self.tx.prepare_cached(
            "INSERT INTO results (period, id, model, score, base_score, class, reasons, drivers, labels, alerts, rules, manual, error, district, industry) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        ) {
            Ok(s) => s,
            Err(e) => {
                return Err(StoreError::Sqlite {
                    file: self.file.clone(),
                    context: format!("writing period {}", self.period),
                    source: e,
                });
            }
        };
        for row in rows {
            let class_pos =
                match &row.class {
                    Some(c) => Some(self.run.classes.iter().position(|k| k == c).ok_or_else(
                        || {
                            StoreError::Invalid(format!(
                                "enterprise {}: class `{c}` is not one of the run's classes ({})",
                                row.id,
                                self.run.classes.join(", ")
                            ))
                        },
                    )?),
                    None => None,
                };
            let result = stmt.execute(params![
                self.period,
                row.id,
                row.model,
                row.score,
                row.base_score,
                row.class,
                row.reasons,
                row.drivers,
                row.labels,
                row.alerts,
                row.rules,
                row.manual,
                row.error,
                row.district,
                row.industry
            ]);
            if let Err(source) = result {
                return Err(StoreError::Sqlite {
                    file: self.file.clone(),
                    context: format!("writing period {}: enterprise {}", self.period, row.id),
                    source,
                });
            }
            self.enterprises += 1;
            match class_pos {
                Some(k) => {
                    self.graded += 1;
                    self.counts[k] += 1;
                }
                None => self.errors += 1,
            }
        }
        Ok(())
    }

    /// Adds one reason an enterprise's class changed from the previous period.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn note(&mut self, note: &ChangeNote) -> Result<()> {
        let seq = self.note_seq.entry(note.id.clone()).or_insert(0);
        *seq += 1;
        let seq = *seq;
        let result = self
            .tx
            .prepare_cached(
                "INSERT INTO changes (period, id, seq, from_class, to_class, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    self.period,
                    note.id,
                    seq,
                    note.from_class,
                    note.to_class,
                    note.kind.name(),
                    note.detail
                ])
            });
        result
            .map(|_| ())
            .map_err(|e| self.sql(&format!("change note for {}", note.id), e))
    }

    /// Counts so far: (enterprises, graded, errors).
    pub fn counts(&self) -> (u64, u64, u64) {
        (self.enterprises, self.graded, self.errors)
    }

    /// Records the run and commits everything at once.
    ///
    /// # Errors
    /// SQLite errors, or an insert of this writer that failed (a period is
    /// never stored in part); the store is then unchanged.
    pub fn commit(self) -> Result<RunInfo> {
        if self.failed {
            return Err(StoreError::Invalid(format!(
                "period {}: an enterprise could not be stored, so the period is not stored (the previous state is kept)",
                self.period
            )));
        }
        let finished_at = now();
        let json = |v: &dyn erased::Json| v.json();
        let info = RunInfo {
            period: self.run.period,
            as_of: self.run.as_of,
            version_id: self.run.version_id.clone(),
            input_digest: self.run.input_digest.clone(),
            source: self.run.source.clone(),
            started_at: self.started_at,
            finished_at,
            enterprises: self.enterprises,
            graded: self.graded,
            errors: self.errors,
            classes: self.run.classes.clone(),
            class_counts: self.counts.clone(),
            indicators: self.run.indicators.clone(),
            compared_with: self.run.compared_with,
        };
        let inserted = self.tx.execute(
            &format!("INSERT INTO runs ({RUN_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"),
            params![
                self.period,
                info.as_of.to_string(),
                info.version_id,
                info.input_digest,
                info.source,
                info.started_at,
                info.finished_at,
                info.enterprises as i64,
                info.graded as i64,
                info.errors as i64,
                json(&info.classes),
                json(&info.class_counts),
                json(&info.indicators),
                info.compared_with.map(|p| p.to_string()),
            ],
        );
        if let Err(e) = inserted {
            return Err(self.sql("recording the run", e));
        }
        let what = if self.replaced { "replace_run" } else { "run" };
        let detail = format!(
            "period {} as of {}, model {}, {} enterprises ({} graded, {} errors), input {}, source {}",
            self.period,
            info.as_of,
            info.version_id,
            info.enterprises,
            info.graded,
            info.errors,
            info.input_digest,
            info.source
        );
        if let Err(e) = audit(&self.tx, "riskgrade", what, None, None, &detail) {
            return Err(self.sql("auditing the run", e));
        }
        let file = self.file.clone();
        let period = self.period.clone();
        self.tx.commit().map_err(|source| StoreError::Sqlite {
            file,
            context: format!("committing period {period}"),
            source,
        })?;
        Ok(info)
    }
}

mod erased {
    /// Serialises the run's small JSON fields.
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap_or_else(|_| "null".into())
        }
    }
}

#[cfg(test)]
mod tests;
