//! Opening a store: the connection, its settings and the schema migrations.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::Connection;

use crate::schema::{self, SCHEMA_VERSION};
use crate::{Result, StoreError};

/// The history store: an SQLite file (or memory).
pub struct Store {
    pub(crate) conn: Connection,
    pub(crate) file: PathBuf,
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
        let conn = Connection::open(&path).map_err(|source| StoreError::Sqlite {
            file: path.clone(),
            context: "cannot open".into(),
            source,
        })?;
        Store::init(conn, path)
    }

    /// A store in memory, for tests and one-off comparisons.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn in_memory() -> Result<Store> {
        let file = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Sqlite {
            file: file.clone(),
            context: "cannot open".into(),
            source,
        })?;
        Store::init(conn, file)
    }

    fn init(conn: Connection, file: PathBuf) -> Result<Store> {
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

    /// A stored value that does not parse: `table`, the row's key, the column and the text.
    pub(crate) fn corrupt(
        &self,
        table: &'static str,
        row: impl std::fmt::Display,
        column: &'static str,
        value: &str,
    ) -> StoreError {
        StoreError::Corrupt {
            file: self.file.clone(),
            table,
            row: row.to_string(),
            column,
            value: value.to_string(),
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
    pub fn file(&self) -> &Path {
        &self.file
    }
}
