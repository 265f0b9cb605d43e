//! Opening files: riskgrade's mark, foreign databases left untouched, reading without writing.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::*;
use crate::open::{Identity, identify};

/// Every file in `dir` with its bytes: what a read must leave as it was.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            let p = e.expect("entry").path();
            let bytes = std::fs::read(&p).expect("read");
            (p, bytes)
        })
        .collect();
    out.sort();
    out
}

/// The files of `dir` a reader of a WAL store may leave beside it: SQLite's
/// shared-memory index and an empty write-ahead log. Everything else must be as it was.
fn without_wal_side_files(files: Vec<(PathBuf, Vec<u8>)>) -> Vec<(PathBuf, Vec<u8>)> {
    files
        .into_iter()
        .filter(|(p, bytes)| {
            let name = p.to_string_lossy();
            !(name.ends_with("-shm") || name.ends_with("-wal") && bytes.is_empty())
        })
        .collect()
}

/// Databases of other programs, each in its own file.
fn foreign_databases(dir: &Path) -> Vec<PathBuf> {
    let cases: [(&str, &str); 5] = [
        (
            "plain.db",
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'a');",
        ),
        (
            "versioned.db",
            "CREATE TABLE t (x); PRAGMA user_version = 1;",
        ),
        (
            "marked.db",
            "PRAGMA application_id = 1196444237; CREATE TABLE features (x);",
        ),
        // Tables named like riskgrade's, but not all of them.
        (
            "lookalike.db",
            "CREATE TABLE runs (period TEXT); CREATE TABLE results (id TEXT); PRAGMA user_version = 2;",
        ),
        ("only_version.db", "PRAGMA user_version = 7;"),
    ];
    cases
        .iter()
        .map(|(name, sql)| {
            let path = dir.join(name);
            let conn = Connection::open(&path).expect("sqlite");
            conn.execute_batch(sql).expect("foreign schema");
            path
        })
        .collect()
}

#[test]
fn a_foreign_database_is_refused_and_left_byte_identical() {
    let dir = tempfile::tempdir().expect("tempdir");
    for path in foreign_databases(dir.path()) {
        let before = snapshot(dir.path());
        let err = Store::open_read_only(&path).expect_err("read-only open refuses");
        assert!(
            matches!(&err, StoreError::NotAStore { file, .. } if file == &path),
            "{}: {err}",
            path.display()
        );
        assert!(err.to_string().contains(&*path.to_string_lossy()), "{err}");
        let err = Store::open(&path).expect_err("write open refuses");
        assert!(matches!(err, StoreError::NotAStore { .. }), "{err}");
        assert!(
            snapshot(dir.path()) == before,
            "{} was changed",
            path.display()
        );
    }
}

#[test]
fn a_new_store_is_marked_with_the_application_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("h.db");
    drop(Store::open(&path).expect("open"));
    let conn = Connection::open(&path).expect("sqlite");
    let id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .expect("pragma");
    assert_eq!(id, APPLICATION_ID);
    assert_eq!(
        identify(&conn).expect("identify"),
        Identity::Riskgrade(SCHEMA_VERSION)
    );
}

#[test]
fn an_unmarked_store_of_an_earlier_riskgrade_is_read_then_marked_on_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.db");
    {
        let conn = Connection::open(&path).expect("sqlite");
        for (i, sql) in schema::MIGRATIONS.iter().enumerate() {
            conn.execute_batch(sql).expect("schema");
            conn.pragma_update(None, "user_version", i as i64 + 1)
                .expect("version");
        }
    }
    let before = snapshot(dir.path());
    let s = Store::open_read_only(&path).expect("an unmarked store reads");
    assert!(s.runs().expect("runs").is_empty());
    drop(s);
    assert!(
        snapshot(dir.path()) == before,
        "reading wrote to the folder"
    );
    drop(Store::open(&path).expect("write open"));
    let conn = Connection::open(&path).expect("sqlite");
    assert_eq!(
        identify(&conn).expect("identify"),
        Identity::Riskgrade(SCHEMA_VERSION)
    );
}

fn store_with_a_run(dir: &Path) -> PathBuf {
    let path = dir.join("h.db");
    let mut s = Store::open(&path).expect("open");
    let p: riskgrade_core::Month = "2026-03".parse().expect("month");
    let mut w = s
        .begin_run(NewRun::new(p, p.last_day(), "v1", ["A", "B"]))
        .expect("begin");
    w.insert(&ResultRow::graded("E1", "general", 10.0, "A"))
        .expect("insert");
    w.commit().expect("commit");
    path
}

#[test]
fn reading_a_store_writes_nothing_to_the_file_or_its_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = store_with_a_run(dir.path());
    let before = snapshot(dir.path());
    let s = Store::open_read_only(&path).expect("read-only");
    assert!(s.is_read_only());
    assert_eq!(s.runs().expect("runs").len(), 1);
    let p = "2026-03".parse().expect("month");
    assert!(s.result(p, "E1").expect("result").is_some());
    drop(s);
    assert!(
        without_wal_side_files(snapshot(dir.path())) == before,
        "reading wrote to the store"
    );
}

#[test]
fn a_store_in_a_read_only_folder_is_listed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = store_with_a_run(dir.path());
    let set_mode = |p: &Path, mode| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
    };
    set_mode(&path, 0o444);
    set_mode(dir.path(), 0o555);
    let listed = Store::open_read_only(&path).and_then(|s| s.runs());
    // Immutable reading is what a folder SQLite cannot write to falls back to.
    let immutable = crate::open::tests_support::immutable_runs(&path);
    set_mode(dir.path(), 0o755);
    set_mode(&path, 0o644);
    assert_eq!(listed.expect("listed").len(), 1);
    assert_eq!(immutable.expect("immutable read"), 1);
}

#[test]
fn a_read_only_store_refuses_to_write_and_stays_unchanged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = store_with_a_run(dir.path());
    let before = snapshot(dir.path());
    let mut s = Store::open_read_only(&path).expect("read-only");
    let p: riskgrade_core::Month = "2026-04".parse().expect("month");
    assert!(
        s.begin_run(NewRun::new(p, p.last_day(), "v1", ["A"]))
            .is_err()
    );
    assert!(s.note_audit("x", "y", "z").is_err());
    drop(s);
    assert!(without_wal_side_files(snapshot(dir.path())) == before);
}

#[test]
fn an_older_schema_is_not_migrated_by_reading() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("v1.db");
    {
        let conn = Connection::open(&path).expect("sqlite");
        conn.execute_batch(schema::MIGRATIONS[0]).expect("v1");
        conn.pragma_update(None, "user_version", 1)
            .expect("version");
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .expect("mark");
    }
    let before = snapshot(dir.path());
    let err = Store::open_read_only(&path).expect_err("older");
    assert!(
        matches!(err, StoreError::OlderSchema { found: 1, .. }),
        "{err}"
    );
    assert!(snapshot(dir.path()) == before);
    let s = Store::open(&path).expect("a write open migrates");
    assert_eq!(s.schema_version().expect("version"), SCHEMA_VERSION);
}

#[test]
fn an_empty_or_missing_file_is_not_read_as_a_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").expect("write");
    let err = Store::open_read_only(&empty).expect_err("empty");
    assert!(matches!(err, StoreError::NotAStore { .. }), "{err}");
    let missing = dir.path().join("missing.db");
    let err = Store::open_read_only(&missing).expect_err("missing");
    assert!(
        matches!(&err, StoreError::NoStore { file } if *file == missing),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!("`{}`: no history store there", missing.display())
    );
    let err = Store::upgrade(&missing, None).expect_err("missing");
    assert!(matches!(err, StoreError::NoStore { .. }), "{err}");
    assert!(!missing.exists(), "reading or upgrading created the file");
}

/// Opening a new file from several connections at once: each waits for the
/// others (turning the file to WAL takes a lock SQLite does not wait for by
/// itself), and the store is set up once.
#[test]
fn two_processes_creating_one_store_both_succeed() {
    let dir = tempfile::tempdir().expect("tempdir");
    for round in 0..40 {
        let path = dir.path().join(format!("h{round}.db"));
        let start = std::sync::Arc::new(std::sync::Barrier::new(12));
        let handles: Vec<_> = (0..12)
            .map(|_| {
                let (path, start) = (path.clone(), std::sync::Arc::clone(&start));
                std::thread::spawn(move || {
                    start.wait();
                    Store::open(&path).map(|s| s.schema_version())
                })
            })
            .collect();
        for h in handles {
            let version = h.join().expect("thread").expect("open").expect("version");
            assert_eq!(version, SCHEMA_VERSION);
        }
        let conn = Connection::open(&path).expect("sqlite");
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("mode");
        assert_eq!(mode, "wal");
    }
}

/// A store as riskgrade wrote it at schema 6 (before lean results): one run of 2026-03 with
/// a graded row carrying labels, alerts and rules, and a row not graded.
fn store_at_schema_6(path: &Path) {
    let conn = Connection::open(path).expect("sqlite");
    for (i, sql) in schema::MIGRATIONS[..6].iter().enumerate() {
        conn.execute_batch(sql).expect("schema");
        conn.pragma_update(None, "user_version", i as i64 + 1)
            .expect("version");
    }
    conn.pragma_update(None, "application_id", APPLICATION_ID)
        .expect("mark");
    conn.execute_batch(
        "INSERT INTO runs VALUES ('2026-03', '2026-03-31', 'v1', 'sha', 'local', 1, 2, 2, 1, 1, \
         '[\"A\",\"B\"]', '[0,1]', '{}', NULL);
         INSERT INTO results VALUES ('2026-03', 'E1', 'general', 310.5, 300.5, 'B', \
         'young enterprise (1.5 years)', '', '重点监管; 食品安全', 'food_safety -> Food Division', \
         'veto_dishonest_list recent_major_penalty', NULL, NULL, '110108', 'C1411');
         INSERT INTO results VALUES ('2026-03', 'E2', NULL, NULL, NULL, NULL, '', '', '', '', '', \
         NULL, 'column `industry`: `ZZ99` is not an industry code', '', '');",
    )
    .expect("rows");
}

#[test]
fn an_upgrade_keeps_a_copy_of_the_old_store_and_converts_its_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.db");
    store_at_schema_6(&path);
    let err = Store::open_read_only(&path).expect_err("older");
    assert!(
        err.to_string()
            .contains("`riskgrade store upgrade --store "),
        "{err}"
    );
    let done = Store::upgrade(&path, None).expect("upgrade");
    let backup = dir.path().join("old.db.schema-6.bak");
    assert_eq!((done.from, done.to), (6, SCHEMA_VERSION));
    assert_eq!(done.backup.as_deref(), Some(backup.as_path()));
    // The copy is the store as it was; the store reads with its rows converted.
    let copy = Connection::open(&backup).expect("copy");
    let version: i64 = copy
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    let rows: i64 = copy
        .query_row("SELECT count(*) FROM results", [], |r| r.get(0))
        .expect("rows");
    assert_eq!((version, rows), (6, 2));
    let s = Store::open_read_only(&path).expect("upgraded store reads");
    let p: riskgrade_core::Month = "2026-03".parse().expect("month");
    let got = s.results_of(p, &["E1", "E2"]).expect("results");
    let e1 = got[0].as_ref().expect("E1");
    assert_eq!((e1.class.as_deref(), e1.score), (Some("B"), Some(310.5)));
    assert_eq!(e1.labels, ["重点监管", "食品安全"]);
    assert_eq!(e1.rules, ["veto_dishonest_list", "recent_major_penalty"]);
    let e2 = got[1].as_ref().expect("E2");
    assert!(e2.class.is_none() && e2.error.as_deref().is_some_and(|e| e.contains("ZZ99")));
    drop(s);
    // Again: nothing to do, no copy.
    let again = Store::upgrade(&path, None).expect("again");
    assert_eq!((again.from, again.backup), (SCHEMA_VERSION, None));
}

#[test]
fn an_upgrade_never_replaces_a_file_and_leaves_foreign_databases_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.db");
    store_at_schema_6(&path);
    let taken = dir.path().join("taken.bak");
    std::fs::write(&taken, b"keep me").expect("write");
    let err = Store::upgrade(&path, Some(&taken)).expect_err("taken");
    assert!(
        matches!(&err, StoreError::Invalid(InvalidRequest::BackupExists { backup }) if *backup == taken),
        "{err}"
    );
    assert_eq!(std::fs::read(&taken).expect("read"), b"keep me");
    assert!(matches!(
        Store::open_read_only(&path),
        Err(StoreError::OlderSchema { found: 6, .. })
    ));
    for foreign in foreign_databases(dir.path()) {
        let before = std::fs::read(&foreign).expect("read");
        let err = Store::upgrade(&foreign, None).expect_err("foreign");
        assert!(matches!(err, StoreError::NotAStore { .. }), "{err}");
        assert_eq!(std::fs::read(&foreign).expect("read"), before);
    }
}
