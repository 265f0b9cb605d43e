//! Runs: what a period's run is, reading stored runs, and deleting one.

use std::collections::BTreeMap;

use riskgrade_core::{Date, Month};
use rusqlite::OptionalExtension;

use crate::audit::audit;
use crate::{InvalidRequest, Result, Store, StoreError};

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

impl Store {
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
        let bad = |column: &'static str, value: &str| self.corrupt("runs", &raw.0, column, value);
        Ok(RunInfo {
            period: raw.0.parse().map_err(|_| bad("period", &raw.0))?,
            as_of: raw.1.parse().map_err(|_| bad("as_of", &raw.1))?,
            version_id: raw.2,
            input_digest: raw.3,
            source: raw.4,
            started_at: raw.5,
            finished_at: raw.6,
            enterprises: u64::try_from(raw.7).unwrap_or(0),
            graded: u64::try_from(raw.8).unwrap_or(0),
            errors: u64::try_from(raw.9).unwrap_or(0),
            classes: serde_json::from_str(&raw.10).map_err(|_| bad("classes", &raw.10))?,
            class_counts: serde_json::from_str(&raw.11)
                .map_err(|_| bad("class_counts", &raw.11))?,
            indicators: serde_json::from_str(&raw.12).map_err(|_| bad("indicators", &raw.12))?,
            compared_with: raw
                .13
                .as_deref()
                .map(|p| p.parse().map_err(|_| bad("compared_with", p)))
                .transpose()?,
        })
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
            return Err(InvalidRequest::NoRun { period }.into());
        }
        let key = crate::codec::period_key(period);
        tx.execute("DELETE FROM result_blocks WHERE period = ?1", [key])
            .map_err(wrap)?;
        tx.execute("DELETE FROM change_notes WHERE period = ?1", [key])
            .map_err(wrap)?;
        audit(&tx, actor, "delete_run", None, None, &format!("period {p}")).map_err(wrap)?;
        tx.commit().map_err(wrap)
    }
}

pub(crate) const RUN_COLUMNS: &str = "period, as_of, version_id, input_digest, source, started_at, finished_at, \
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
