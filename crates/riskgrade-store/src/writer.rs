//! The run writer: one period written in one transaction.

use std::collections::BTreeMap;

use rayon::prelude::*;
use riskgrade_core::Month;
use rusqlite::params;

use crate::audit::audit;
use crate::blocks::{BLOCK_ROWS, BlockBuilder, BlockReader, write_block};
use crate::changes::encode_note;
use crate::codec::period_key;
use crate::results::RawRow;
use crate::runs::RUN_COLUMNS;
use crate::texts::{Interner, Keys, Known, keys_of};
use crate::{
    ChangeNote, InvalidRequest, NewRun, Result, ResultRow, RunInfo, Store, StoreError, now,
};

impl Store {
    /// Starts writing `run`. Nothing is visible to readers until [`RunWriter::commit`];
    /// dropping the writer (or the process dying) leaves the store as it was.
    /// An earlier run of the same period is replaced by the commit
    /// ([`RunWriter::replaced`] tells what it was).
    ///
    /// The writer holds the store's write lock from here to the commit, and
    /// [`RunWriter::store`] reads inside that transaction: what a run reads
    /// through it (the period before, with [`RunWriter::previous_run`]) is
    /// still so when it commits, whatever other processes try meanwhile.
    ///
    /// # Errors
    /// SQLite errors, e.g. another process holding the write lock for more
    /// than 30 s, or a store opened read-only.
    pub fn begin_run(&mut self, run: NewRun) -> Result<RunWriter<'_>> {
        let period = run.period.to_string();
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.sql("starting a run", e))?;
        let mut writer = RunWriter {
            store: self,
            open: true,
            period,
            run,
            started_at: now(),
            counts: Vec::new(),
            enterprises: 0,
            graded: 0,
            errors: 0,
            note_seq: BTreeMap::new(),
            replaced: None,
            failed: false,
            keys: Keys::default(),
            block: BlockBuilder::default(),
            block_rows: BLOCK_ROWS,
            blocks: 0,
            late: Vec::new(),
        };
        writer.keys = keys_of(&writer.store.conn).map_err(|e| writer.sql("reading texts", e))?;
        writer.counts = vec![0; writer.run.classes.len()];
        writer.replaced = writer.clear_period()?;
        Ok(writer)
    }
}

/// The stored run a [`RunWriter`] replaces, and the inspection draws made from it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplacedRun {
    /// The run stored until now.
    pub run: RunInfo,
    /// The inspection draws based on it, by number: once it is replaced they
    /// no longer verify against the stored period.
    pub draws: Vec<i64>,
}

/// Writes one run inside a transaction; see [`Store::begin_run`].
pub struct RunWriter<'a> {
    store: &'a mut Store,
    open: bool,
    period: String,
    run: NewRun,
    started_at: i64,
    counts: Vec<u64>,
    enterprises: u64,
    graded: u64,
    errors: u64,
    note_seq: BTreeMap<String, i64>,
    replaced: Option<ReplacedRun>,
    failed: bool,
    /// The store's texts by text, with those this run added.
    keys: Keys,
    /// The block being filled: rows arrive in id order, as a rule.
    block: BlockBuilder,
    /// Rows per block.
    block_rows: usize,
    /// Blocks written so far.
    blocks: i64,
    /// Rows that came after a greater id: sorted in at the commit.
    late: Vec<RawRow>,
}

impl std::fmt::Debug for RunWriter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunWriter")
            .field("file", &self.store.file)
            .field("period", &self.period)
            .finish_non_exhaustive()
    }
}

impl Drop for RunWriter<'_> {
    fn drop(&mut self) {
        if self.open {
            // Nothing to report to: a failed rollback leaves SQLite to roll back on close.
            let _ = self.store.conn.execute_batch("ROLLBACK");
        }
        self.store.forget_texts();
    }
}

impl RunWriter<'_> {
    /// Reads the stored run of the period and its draws, then deletes the period's rows.
    fn clear_period(&mut self) -> Result<Option<ReplacedRun>> {
        let existing = self.store.run(self.run.period)?;
        let replaced = match existing {
            Some(run) => {
                let draws = self
                    .draws_of_period()
                    .map_err(|e| self.sql("reading its draws", e))?;
                Some(ReplacedRun { run, draws })
            }
            None => None,
        };
        let key = period_key(self.run.period);
        for table in ["result_blocks", "change_notes"] {
            self.store
                .conn
                .execute(&format!("DELETE FROM {table} WHERE period = ?1"), [key])
                .map_err(|e| self.sql("clearing the period", e))?;
        }
        self.store
            .conn
            .execute("DELETE FROM runs WHERE period = ?1", [&self.period])
            .map_err(|e| self.sql("clearing the period", e))?;
        Ok(replaced)
    }

    fn draws_of_period(&self) -> rusqlite::Result<Vec<i64>> {
        let mut stmt = self
            .store
            .conn
            .prepare("SELECT id FROM draws WHERE period = ?1 ORDER BY id")?;
        let ids = stmt.query_map([&self.period], |r| r.get(0))?;
        ids.collect()
    }

    /// The store as it is inside this run's transaction (this period's
    /// earlier rows are gone already); nobody else can write until the commit.
    pub fn store(&self) -> &Store {
        self.store
    }

    /// The latest stored run before this period, read under the write lock.
    ///
    /// # Errors
    /// SQLite errors or an unreadable row.
    pub fn previous_run(&self) -> Result<Option<RunInfo>> {
        self.store.previous_run(self.run.period)
    }

    /// The stored run this one replaces, if the period was stored already.
    pub fn replaced(&self) -> Option<&ReplacedRun> {
        self.replaced.as_ref()
    }

    /// Records which stored period the change notes were computed against.
    pub fn compared_with(&mut self, period: Option<Month>) {
        self.run.compared_with = period;
    }

    fn sql(&self, context: &str, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            file: self.store.file.clone(),
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
    /// Results are kept in blocks of rows in id order: rows given in id order go
    /// straight into blocks; a row given after a greater id is sorted in at the
    /// [commit](RunWriter::commit).
    ///
    /// # Errors
    /// [`InvalidRequest::DuplicateResult`] for the same id right after itself (the
    /// same id given apart is refused by the commit), a class the run does not name,
    /// SQLite errors.
    pub fn insert(&mut self, row: &ResultRow) -> Result<()> {
        self.insert_all(std::slice::from_ref(row))
    }

    /// Adds many results at once (texts already stored are encoded on every core).
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
        // Rows whose texts are all known are encoded on every core; the rest, in order, here.
        let known: Vec<Option<RawRow>> = rows
            .par_iter()
            .map(|row| RawRow::encode(row, &mut Known(&self.keys)).ok())
            .collect();
        for (row, known) in rows.iter().zip(known) {
            let class_pos = match &row.class {
                Some(c) => Some(self.class_position(&row.id, c)?),
                None => None,
            };
            let raw = match known {
                Some(raw) => raw,
                None => {
                    let mut intern = Interner {
                        conn: &self.store.conn,
                        keys: &mut self.keys,
                    };
                    RawRow::encode(row, &mut intern).map_err(|source| StoreError::Sqlite {
                        file: self.store.file.clone(),
                        context: format!("writing period {}: enterprise {}", self.period, row.id),
                        source,
                    })?
                }
            };
            self.place(raw)?;
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

    /// Puts `raw` in the block being filled (a full block is written), or keeps it for the
    /// commit when it comes after a greater id.
    fn place(&mut self, raw: RawRow) -> Result<()> {
        match self.block.last() {
            Some(last) if raw.id.as_str() == last => return Err(self.twice(&raw.id)),
            Some(last) if raw.id.as_str() < last => {
                self.late.push(raw);
                return Ok(());
            }
            _ => {}
        }
        self.block.push(&raw);
        if self.block.len() >= self.block_rows {
            self.write_block()?;
        }
        Ok(())
    }

    fn twice(&self, id: &str) -> StoreError {
        InvalidRequest::DuplicateResult {
            period: self.run.period,
            enterprise: id.to_string(),
        }
        .into()
    }

    /// Writes the block being filled, if it holds any row.
    fn write_block(&mut self) -> Result<()> {
        if let Some(block) = self.block.finish() {
            let period = period_key(self.run.period);
            write_block(&self.store.conn, period, self.blocks, &block)
                .map_err(|e| self.sql(&format!("block {} of its results", self.blocks), e))?;
            self.blocks += 1;
        }
        Ok(())
    }

    /// Sorts the rows that came out of order in with those written: the period's blocks
    /// are read back and written again in id order.
    fn sort_in_late(&mut self) -> Result<()> {
        let period = period_key(self.run.period);
        let mut rows = std::mem::take(&mut self.late);
        let (store, month) = (&*self.store, self.run.period);
        store.scan_blocks(month, |blob| {
            let written = BlockReader::new(blob).and_then(BlockReader::all);
            rows.extend(written.map_err(|d| store.block_damaged(month, d))?);
            Ok::<(), StoreError>(())
        })?;
        rows.sort_by(|a, b| a.id.cmp(&b.id));
        if let Some(w) = rows.windows(2).find(|w| w[0].id == w[1].id) {
            return Err(self.twice(&w[0].id));
        }
        self.store
            .conn
            .execute("DELETE FROM result_blocks WHERE period = ?1", [period])
            .map_err(|e| self.sql("rewriting its blocks", e))?;
        self.blocks = 0;
        self.block = BlockBuilder::default();
        for raw in &rows {
            self.block.push(raw);
            if self.block.len() >= self.block_rows {
                self.write_block()?;
            }
        }
        self.write_block()
    }

    /// Cuts blocks of `rows` rows (a test sees many blocks in a small period).
    #[cfg(test)]
    pub(crate) fn set_block_rows(&mut self, rows: usize) {
        self.block_rows = rows.max(1);
    }

    /// Adds one reason an enterprise's class changed from the previous period.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn note(&mut self, note: &ChangeNote) -> Result<()> {
        let seq = self.note_seq.entry(note.id.clone()).or_insert(0);
        *seq += 1;
        let seq = *seq;
        let period = period_key(self.run.period);
        let conn = &self.store.conn;
        let mut intern = Interner {
            conn,
            keys: &mut self.keys,
        };
        let result = encode_note(note, &mut intern).and_then(|(from, to, kind, detail)| {
            conn.prepare_cached(
                "INSERT INTO change_notes (period, id, seq, from_class, to_class, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![period, note.id, seq, from, to, kind, detail])
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
    /// SQLite errors, an insert of this writer that failed (a period is
    /// never stored in part), or [`InvalidRequest::DuplicateResult`]; the store
    /// is then unchanged.
    pub fn commit(mut self) -> Result<RunInfo> {
        if self.failed {
            return Err(InvalidRequest::IncompleteRun {
                period: self.run.period,
            }
            .into());
        }
        self.write_block()?;
        if !self.late.is_empty() {
            self.sort_in_late()?;
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
        let inserted = self.store.conn.execute(
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
        let what = if self.replaced.is_some() {
            "replace_run"
        } else {
            "run"
        };
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
        if let Err(e) = audit(&self.store.conn, "riskgrade", what, None, None, &detail) {
            return Err(self.sql("auditing the run", e));
        }
        self.store
            .conn
            .execute_batch("COMMIT")
            .map_err(|e| self.sql("committing", e))?;
        self.open = false;
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
