//! Opening a store: the connection, its settings and the schema migrations.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OpenFlags};

use crate::schema::{self, SCHEMA_VERSION};
use crate::{Result, StoreError};

/// The history store: an SQLite file (or memory).
pub struct Store {
    pub(crate) conn: Connection,
    pub(crate) file: PathBuf,
    pub(crate) read_only: bool,
    /// The store's texts, cached for reading rows (see `texts.rs`).
    pub(crate) texts: std::sync::Mutex<Option<std::sync::Arc<crate::texts::TextTable>>>,
}

/// SQLite's `application_id` of a riskgrade store: `rgrd` in ASCII
/// (`0x72677264`). `file(1)` and other programs can tell the file by it, and
/// riskgrade refuses to open a database that carries another.
pub const APPLICATION_ID: i32 = 0x7267_7264;

/// How long an open waits for another process's write lock.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

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
    /// Opens the store at `path` for writing, creating it if needed and
    /// migrating an older schema. The file is checked before anything is
    /// written to it: an existing database that is not a riskgrade store is
    /// refused and left untouched.
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let store = riskgrade_store::Store::open(dir.path().join("history.db"))?;
    /// assert_eq!(store.schema_version()?, riskgrade_store::SCHEMA_VERSION);
    /// assert!(!store.is_read_only());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`StoreError::NotAStore`] for a database of another program,
    /// [`StoreError::NewerSchema`] for a file from a newer riskgrade, SQLite
    /// errors (unreadable file, not a database).
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path: PathBuf = path.as_ref().to_path_buf();
        let conn = Connection::open(&path).map_err(|source| StoreError::Sqlite {
            file: path.clone(),
            context: "cannot open".into(),
            source,
        })?;
        Store::init(conn, path)
    }

    /// Opens an existing store for reading only: nothing is written to the
    /// file or its folder (no migration, no change of journal mode), so a
    /// store on read-only media can be listed. A store with an older schema
    /// is refused: [`Store::upgrade`] upgrades it, keeping a copy.
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("history.db");
    /// drop(riskgrade_store::Store::open(&path)?);
    /// let store = riskgrade_store::Store::open_read_only(&path)?;
    /// assert!(store.is_read_only() && store.runs()?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`StoreError::NoStore`] when there is no file at `path`,
    /// [`StoreError::NotAStore`] for a database of another program (or an
    /// empty one), [`StoreError::NewerSchema`] / [`StoreError::OlderSchema`]
    /// when the schema is not this build's, SQLite errors (not
    /// a database).
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Store> {
        let path: PathBuf = path.as_ref().to_path_buf();
        existing(&path)?;
        let found = match read_only_connection(&path, false).and_then(|c| identified(c, &path)) {
            Ok(found) => found,
            // A WAL store in a folder where SQLite cannot create its shared-memory
            // file: nobody can write there, so the file can be read as immutable.
            Err(StoreError::Sqlite { source, .. }) if cannot_open_shared(&source) => {
                read_only_connection(&path, true).and_then(|c| identified(c, &path))?
            }
            Err(e) => return Err(e),
        };
        let (conn, identity) = found;
        let version = match identity {
            Identity::Riskgrade(v) | Identity::Unmarked(v) => v,
            Identity::Empty | Identity::Foreign { .. } => {
                return Err(not_a_store(&path, identity));
            }
        };
        check_version(&path, version)?;
        if version < SCHEMA_VERSION {
            return Err(StoreError::OlderSchema {
                file: path,
                found: version,
                current: SCHEMA_VERSION,
            });
        }
        let store = Store {
            conn,
            file: path,
            read_only: true,
            texts: std::sync::Mutex::new(None),
        };
        store
            .conn
            .execute_batch("PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;")
            .map_err(|e| store.sql("setting up", e))?;
        Ok(store)
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

    /// Whether the store was opened with [`Store::open_read_only`].
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn init(conn: Connection, file: PathBuf) -> Result<Store> {
        let wrap = |source| StoreError::Sqlite {
            file: file.clone(),
            context: "setting up".into(),
            source,
        };
        conn.busy_timeout(BUSY_TIMEOUT).map_err(wrap)?;
        let identity = identify(&conn).map_err(|source| StoreError::Sqlite {
            file: file.clone(),
            context: "cannot read the file as a database".into(),
            source,
        })?;
        match identity {
            Identity::Riskgrade(v) | Identity::Unmarked(v) => check_version(&file, v)?,
            Identity::Empty => {}
            Identity::Foreign { .. } => return Err(not_a_store(&file, identity)),
        }
        write_ahead_log(&conn).map_err(wrap)?;
        let setup = "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                     PRAGMA cache_size = -65536;";
        conn.execute_batch(setup).map_err(wrap)?;
        let mut store = Store {
            conn,
            file,
            read_only: false,
            texts: std::sync::Mutex::new(None),
        };
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

    /// Brings the schema to [`SCHEMA_VERSION`], one migration per transaction.
    /// Each step re-reads the version under the write lock, so two processes
    /// opening the same new file do not both migrate it. The first step marks
    /// the file with riskgrade's `application_id`.
    fn migrate(&mut self) -> Result<()> {
        let current =
            identify(&self.conn).map_err(|e| self.sql("reading the schema version", e))?;
        if current == Identity::Riskgrade(SCHEMA_VERSION) {
            // Nothing to do: no need to wait for another writer's lock.
            return Ok(());
        }
        loop {
            let file = self.file.clone();
            let wrap = |context: String| {
                let file = file.clone();
                move |source| StoreError::Sqlite {
                    file,
                    context,
                    source,
                }
            };
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(wrap("migrating the schema".into()))?;
            let found = tx
                .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
                .map_err(wrap("reading the schema version".into()))?;
            let found = u32::try_from(found).unwrap_or(u32::MAX);
            check_version(&self.file, found)?;
            let marked = tx
                .query_row("PRAGMA application_id", [], |r| r.get::<_, i32>(0))
                .map_err(wrap("reading the application id".into()))?
                == APPLICATION_ID;
            if found == SCHEMA_VERSION && marked {
                return Ok(());
            }
            let version = (found + 1).min(SCHEMA_VERSION);
            let context = format!("migrating to schema version {version}");
            if found < SCHEMA_VERSION {
                tx.execute_batch(schema::MIGRATIONS[found as usize])
                    .map_err(wrap(context.clone()))?;
                if version == schema::LEAN_RESULTS {
                    crate::upgrade::lean_results(&tx).map_err(wrap(context.clone()))?;
                }
                if version == schema::RESULT_BLOCKS {
                    crate::upgrade::result_blocks(&tx).map_err(wrap(context.clone()))?;
                }
                tx.pragma_update(None, "user_version", i64::from(version))
                    .map_err(wrap(context.clone()))?;
            }
            tx.pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(wrap(context.clone()))?;
            tx.commit().map_err(wrap(context))?;
        }
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

/// What [`Store::upgrade`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Upgrade {
    /// The schema version the file had.
    pub from: u32,
    /// The schema version it has now.
    pub to: u32,
    /// The copy of the file as it was, made before the first change (`None`: the file had
    /// this build's schema already, nothing was changed).
    pub backup: Option<PathBuf>,
}

impl Store {
    /// Upgrades the store at `path`, written by an earlier riskgrade, to this build's schema
    /// ([`SCHEMA_VERSION`]). First a consistent copy of the file as it was is written to
    /// `backup` (default: `<file>.schema-<version>.bak` beside it; an existing file is never
    /// replaced), then each migration runs in its own transaction. If a migration fails, the
    /// file stays at the last version reached and the copy keeps the original.
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("history.db");
    /// drop(riskgrade_store::Store::open(&path)?);
    /// let done = riskgrade_store::Store::upgrade(&path, None)?;
    /// assert_eq!((done.from, done.to, done.backup), (riskgrade_store::SCHEMA_VERSION, riskgrade_store::SCHEMA_VERSION, None));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`StoreError::NotAStore`] for a database of another program (left untouched),
    /// [`StoreError::NewerSchema`] for a file from a newer riskgrade,
    /// [`InvalidRequest::BackupExists`](crate::InvalidRequest::BackupExists) when the backup
    /// file exists, [`StoreError::NoStore`] when there is no file at `path`, SQLite errors
    /// (not a database, a failed copy or migration).
    pub fn upgrade(path: impl AsRef<Path>, backup: Option<&Path>) -> Result<Upgrade> {
        let path = path.as_ref();
        existing(path)?;
        let (conn, identity) =
            read_only_connection(path, false).and_then(|c| identified(c, path))?;
        let from = match identity {
            Identity::Riskgrade(v) | Identity::Unmarked(v) => v,
            Identity::Empty | Identity::Foreign { .. } => return Err(not_a_store(path, identity)),
        };
        check_version(path, from)?;
        if identity == Identity::Riskgrade(SCHEMA_VERSION) {
            return Ok(Upgrade {
                from,
                to: from,
                backup: None,
            });
        }
        let backup = backup.map_or_else(
            || {
                let mut name = path.as_os_str().to_owned();
                name.push(format!(".schema-{from}.bak"));
                PathBuf::from(name)
            },
            Path::to_path_buf,
        );
        if backup.exists() {
            return Err(crate::InvalidRequest::BackupExists { backup }.into());
        }
        // VACUUM INTO writes a consistent copy (the write-ahead log included) from a reader.
        conn.execute("VACUUM INTO ?1", [backup.to_string_lossy()])
            .map_err(|source| StoreError::Sqlite {
                file: path.to_path_buf(),
                context: format!(
                    "copying the store to `{}` before upgrading it",
                    backup.display()
                ),
                source,
            })?;
        drop(conn);
        let store = Store::open(path)?;
        Ok(Upgrade {
            from,
            to: store.schema_version()?,
            backup: Some(backup),
        })
    }
}

/// What an opened database is, read from its header and catalogue without writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Identity {
    /// Marked with riskgrade's `application_id`; the schema version.
    Riskgrade(u32),
    /// A riskgrade store written before stores were marked: no
    /// `application_id`, a schema version, and riskgrade's tables.
    Unmarked(u32),
    /// A new, empty database (no tables, no marks).
    Empty,
    /// A database of another program.
    Foreign {
        /// Its `application_id`.
        application_id: i32,
        /// Its `user_version`.
        user_version: i64,
        /// How many tables, indexes, views and triggers it has.
        objects: i64,
    },
}

/// Reads what `conn`'s database is, without writing anything.
pub(crate) fn identify(conn: &Connection) -> rusqlite::Result<Identity> {
    // One statement, so one snapshot: another process may be creating the store.
    let (application_id, user_version, objects, ours): (i32, i64, i64, i64) = conn.query_row(
        "SELECT (SELECT application_id FROM pragma_application_id), \
                (SELECT user_version FROM pragma_user_version), \
                (SELECT count(*) FROM sqlite_master), \
                (SELECT count(*) FROM sqlite_master WHERE type = 'table' \
                 AND name IN ('runs', 'results', 'changes', 'decisions', 'audit'))",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    let version = u32::try_from(user_version).unwrap_or(u32::MAX);
    Ok(match application_id {
        APPLICATION_ID => Identity::Riskgrade(version),
        0 if user_version == 0 && objects == 0 => Identity::Empty,
        0 if user_version > 0 && ours == 5 => Identity::Unmarked(version),
        _ => Identity::Foreign {
            application_id,
            user_version,
            objects,
        },
    })
}

/// Turns the file to write-ahead logging, once for all (the mode is kept in
/// the file). SQLite needs the file to itself for the change and does not
/// wait for it through the busy handler, so a connection that finds another
/// opening the same new file retries, for up to [`BUSY_TIMEOUT`], until the
/// change is made (by it or by the other).
fn write_ahead_log(conn: &Connection) -> rusqlite::Result<()> {
    let mode = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, String>(0));
    let start = std::time::Instant::now();
    let mut pause = std::time::Duration::from_millis(1);
    loop {
        if mode("PRAGMA journal_mode")?.eq_ignore_ascii_case("wal") {
            return Ok(());
        }
        match mode("PRAGMA journal_mode = WAL") {
            // In memory the mode stays `memory`: nothing to wait for.
            Ok(_) => return Ok(()),
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && start.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(std::time::Duration::from_millis(50));
            }
            Err(e) => return Err(e),
        }
    }
}

/// A read-only connection to `path`; `immutable` tells SQLite that nobody can change the file.
pub(crate) fn read_only_connection(path: &Path, immutable: bool) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let uri = format!(
        "file:{}?mode=ro{}",
        uri_path(path),
        if immutable { "&immutable=1" } else { "" }
    );
    let conn = Connection::open_with_flags(uri, flags).map_err(|source| StoreError::Sqlite {
        file: path.to_path_buf(),
        context: "cannot open for reading".into(),
        source,
    })?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|source| StoreError::Sqlite {
            file: path.to_path_buf(),
            context: "setting up".into(),
            source,
        })?;
    Ok(conn)
}

/// The connection and what its database is.
fn identified(conn: Connection, path: &Path) -> Result<(Connection, Identity)> {
    match identify(&conn) {
        Ok(identity) => Ok((conn, identity)),
        Err(source) => Err(StoreError::Sqlite {
            file: path.to_path_buf(),
            context: "cannot read the file as a database".into(),
            source,
        }),
    }
}

/// SQLite could not open or create a WAL file's shared memory (a read-only folder).
fn cannot_open_shared(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly)
    )
}

/// `path` as the path of an SQLite `file:` URI (`%`, `?` and `#` escaped).
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out
}

fn check_version(file: &Path, found: u32) -> Result<()> {
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            file: file.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}

fn not_a_store(file: &Path, identity: Identity) -> StoreError {
    let (application_id, user_version, objects) = match identity {
        Identity::Foreign {
            application_id,
            user_version,
            objects,
        } => (application_id, user_version, objects),
        _ => (0, 0, 0),
    };
    StoreError::NotAStore {
        file: file.to_path_buf(),
        application_id,
        user_version,
        objects,
    }
}

/// Refuses a path with no file: reading and upgrading never create a store.
fn existing(path: &Path) -> Result<()> {
    if path.exists() {
        Ok(())
    } else {
        Err(StoreError::NoStore {
            file: path.to_path_buf(),
        })
    }
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    /// The number of runs, read through an immutable connection.
    pub(crate) fn immutable_runs(path: &Path) -> Result<usize> {
        let conn = read_only_connection(path, true)?;
        conn.query_row("SELECT count(*) FROM runs", [], |r| r.get::<_, i64>(0))
            .map(|n| usize::try_from(n).unwrap_or(0))
            .map_err(|source| StoreError::Sqlite {
                file: path.to_path_buf(),
                context: "counting runs".into(),
                source,
            })
    }
}
