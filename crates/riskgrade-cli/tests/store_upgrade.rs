//! `store upgrade`: a history store written at schema 6 (tests/fixtures/store-schema-6.sql)
//! is refused by reading commands, which point to `store upgrade` and leave the file as it
//! was; `store upgrade` copies it first (never over an existing file) and then the store reads
//! with every period, row, change note and name; a foreign database is left alone.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn riskgrade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_riskgrade"))
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The schema-6 store of the fixture, as a file in `dir`.
fn old_store(dir: &Path) -> PathBuf {
    let path = dir.join("history.db");
    let sql = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-schema-6.sql"),
    )
    .unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&sql).unwrap();
    path
}

fn user_version(path: &Path) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn an_old_store_is_refused_for_reading_then_upgraded_with_a_copy() {
    let dir = tempfile::tempdir().unwrap();
    let db = old_store(dir.path());
    let s = db.to_str().unwrap();
    let before = std::fs::read(&db).unwrap();
    for args in [
        vec!["periods", "-s", s],
        vec!["history", "-s", s, "--id", "E2"],
        vec!["changes", "-s", s],
    ] {
        let o = riskgrade(&args);
        let (_, err) = text(&o);
        // Not an input/output error: the file reads, the command needs `store upgrade` first.
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("schema version 6")
                && err.contains(&format!("`riskgrade store upgrade --store {s}`")),
            "{args:?}: {err}"
        );
        assert_eq!(
            std::fs::read(&db).unwrap(),
            before,
            "{args:?} changed the file"
        );
    }
    let o = riskgrade(&["store", "upgrade", "-s", s]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let backup = dir.path().join("history.db.schema-6.bak");
    assert!(out.contains("upgraded from schema version 6 to"), "{out}");
    assert!(out.contains(backup.to_str().unwrap()), "{out}");
    assert_eq!(user_version(&backup), 6);
    let o = riskgrade(&["periods", "-s", s]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        out.contains("2026-09") && out.contains("A 1 B 0 C 1 D 0"),
        "{out}"
    );
    let o = riskgrade(&["history", "-s", s, "--id", "E2"]);
    let (out, _) = text(&o);
    assert!(
        out.contains("(was B)") && out.contains("a major penalty on 2026-10-02"),
        "{out}"
    );
    let shared = dir.path().join("shared.jsonl");
    let o = riskgrade(&[
        "export",
        "-s",
        s,
        "-p",
        "2026-10",
        "--out",
        shared.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o).1);
    let rows: Vec<serde_json::Value> = std::fs::read_to_string(&shared)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[1]["labels"],
        serde_json::json!(["重点监管", "食品安全"])
    );
    assert_eq!(
        rows[1]["rules"],
        serde_json::json!(["veto_dishonest_list", "recent_major_penalty"])
    );
    assert_eq!(rows[1]["name"], "某某食品有限公司");
    assert!(rows[2]["error"].as_str().unwrap().contains("ZZ99"));
    // Once more: nothing to do, no second copy.
    let o = riskgrade(&["store", "upgrade", "-s", s]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(0));
    assert!(out.contains("nothing to upgrade"), "{out}");
}

#[test]
fn an_upgrade_never_replaces_a_file_nor_touches_a_foreign_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = old_store(dir.path());
    let s = db.to_str().unwrap();
    let taken = dir.path().join("copy.bak");
    std::fs::write(&taken, b"keep me").unwrap();
    let o = riskgrade(&[
        "store",
        "upgrade",
        "-s",
        s,
        "--backup",
        taken.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o).1);
    assert!(text(&o).1.contains("exists already"));
    assert_eq!(std::fs::read(&taken).unwrap(), b"keep me");
    assert_eq!(user_version(&db), 6);
    let foreign = dir.path().join("other.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); PRAGMA user_version = 3;")
        .unwrap();
    let before = std::fs::read(&foreign).unwrap();
    let o = riskgrade(&["store", "upgrade", "-s", foreign.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o).1);
    assert!(text(&o).1.contains("is not a riskgrade history store"));
    assert_eq!(std::fs::read(&foreign).unwrap(), before);
    let missing = dir.path().join("missing.db");
    let o = riskgrade(&["store", "upgrade", "-s", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!missing.exists());
}
