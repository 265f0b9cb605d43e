//! The run writer: one period written in one transaction.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, Transaction, params};

use crate::audit::audit;
use crate::runs::RUN_COLUMNS;
use crate::{
    ChangeNote, InvalidRequest, NewRun, Result, ResultRow, RunInfo, Store, StoreError, now,
};

impl Store {
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
}

/// Writes one run inside a transaction; see [`Store::begin_run`].
pub struct RunWriter<'a> {
    tx: Transaction<'a>,
    file: std::path::PathBuf,
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

    /// The position of `class` among the run's classes.
    fn class_position(&self, enterprise: &str, class: &str) -> Result<usize> {
        let found = self.run.classes.iter().position(|k| k == class);
        found.ok_or_else(|| {
            InvalidRequest::UnknownClass {
                period: self.run.period,
                enterprise: enterprise.to_string(),
                class: class.to_string(),
                classes: self.run.classes.clone(),
            }
            .into()
        })
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
            let class_pos = match &row.class {
                Some(c) => Some(self.class_position(&row.id, c)?),
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
            return Err(InvalidRequest::IncompleteRun {
                period: self.run.period,
            }
            .into());
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
