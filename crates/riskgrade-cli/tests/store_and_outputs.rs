//! The history store as the commands open it, what `run` may replace, and
//! what result files hold.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use riskgrade::store::{NewDraw, Store};

fn riskgrade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_riskgrade"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn profiles(dir: &Path, name: &str, n: usize, as_of: &str) -> PathBuf {
    let path = dir.join(name);
    let o = riskgrade(&[
        "synth",
        "-n",
        &n.to_string(),
        "--as-of",
        as_of,
        "--out",
        path.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    path
}

/// Every file of `dir` with its bytes.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let bytes = std::fs::read(&p).unwrap_or_default();
            (p, bytes)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn reading_commands_leave_a_foreign_database_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crm.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'a');")
            .unwrap();
    }
    let before = files(dir.path());
    let db = db.to_str().unwrap();
    for args in [
        vec!["periods", "-s", db],
        vec!["history", "-s", db, "--id", "E1"],
        vec!["changes", "-s", db],
        vec!["decide", "list", "-s", db],
    ] {
        let o = riskgrade(&args);
        assert!(!o.status.success(), "{args:?}");
        assert!(
            stderr(&o).contains("is not a riskgrade history store"),
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(files(dir.path()) == before, "{args:?} changed the folder");
    }
    // A writing command refuses it too, before writing anything.
    let data = profiles(dir.path(), "oct.jsonl", 20, "2026-10-31");
    let before = files(dir.path());
    let o = riskgrade(&[
        "run",
        "-s",
        db,
        "-p",
        "2026-10",
        "-d",
        data.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(files(dir.path()) == before);
}

/// Every command that needs a store says there is none at the path given, with how to
/// make one, and creates nothing.
#[test]
fn a_missing_store_is_named_with_how_to_make_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.db");
    let db = db.to_str().unwrap();
    let expected =
        format!("`{db}`: no history store there; `riskgrade run --store {db}` creates one");
    for args in [
        vec!["periods", "-s", db],
        vec!["history", "-s", db, "--id", "E1"],
        vec!["changes", "-s", db],
        vec!["decide", "list", "-s", db],
        vec!["keys", "list", "--store", db],
        vec!["store", "upgrade", "--store", db],
        vec!["serve", "--store", db],
    ] {
        let o = riskgrade(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(&expected), "{args:?}: {}", stderr(&o));
        assert!(files(dir.path()).is_empty(), "{args:?} created a file");
    }
}

#[test]
fn a_store_in_a_read_only_folder_is_listed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = profiles(dir.path(), "oct.jsonl", 30, "2026-10-31");
    let store_dir = dir.path().join("archive");
    std::fs::create_dir(&store_dir).unwrap();
    let db = store_dir.join("history.db");
    let db = db.to_str().unwrap();
    let o = riskgrade(&[
        "run",
        "-s",
        db,
        "-p",
        "2026-10",
        "-d",
        data.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = files(&store_dir);
    let mode =
        |p: &Path, m| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    mode(Path::new(db), 0o444);
    mode(&store_dir, 0o555);
    let o = riskgrade(&["periods", "-s", db]);
    mode(&store_dir, 0o755);
    mode(Path::new(db), 0o644);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("2026-10"));
    let store_file =
        |v: Vec<(PathBuf, Vec<u8>)>| v.into_iter().find(|(p, _)| p.ends_with("history.db"));
    assert!(store_file(files(&store_dir)) == store_file(before));
}

#[test]
fn run_keeps_a_stored_period_when_nothing_is_graded() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let db = db.to_str().unwrap();
    let good = profiles(dir.path(), "oct.jsonl", 40, "2026-10-31");
    let o = riskgrade(&[
        "run",
        "-s",
        db,
        "-p",
        "2026-10",
        "-d",
        good.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = Store::open_read_only(db).unwrap().runs().unwrap();
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "not json\n{\"id\": 5}\n").unwrap();
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    // Every column the set reads, and no row.
    let columns = dir.path().join("columns.csv");
    let o = riskgrade(&["synth", "-n", "3", "--out", columns.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let header = std::fs::read_to_string(&columns).unwrap();
    let header_only = dir.path().join("header.csv");
    std::fs::write(
        &header_only,
        format!("{}\n", header.lines().next().unwrap()),
    )
    .unwrap();
    for input in [&bad, &empty, &header_only] {
        let o = riskgrade(&[
            "run",
            "-s",
            db,
            "-p",
            "2026-10",
            "-d",
            input.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("its stored run is kept"),
            "{}",
            stderr(&o)
        );
        assert_eq!(Store::open_read_only(db).unwrap().runs().unwrap(), before);
    }
}

#[test]
fn run_replaces_a_drawn_period_only_with_replace() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let data = profiles(dir.path(), "oct.jsonl", 40, "2026-10-31");
    let (db, data) = (db.to_str().unwrap(), data.to_str().unwrap());
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "-s", db, "-p", "2026-10", "-d", data];
        args.extend_from_slice(extra);
        riskgrade(&args)
    };
    assert!(run(&[]).status.success());
    let p = "2026-10".parse().unwrap();
    let draw = Store::open(db)
        .unwrap()
        .record_draw(
            &NewDraw {
                period: p,
                drawn_on: "2026-11-02".parse().unwrap(),
                plan_id: "henan-2021".into(),
                plan_digest: "p".into(),
                plan: "{}".into(),
                seed: "seed".into(),
                candidates_digest: "c".into(),
                pool_digest: "i".into(),
                history_digest: "h".into(),
                tasks: vec![],
            },
            "planner",
        )
        .unwrap();
    let before = Store::open_read_only(db).unwrap().run(p).unwrap();
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("#{draw}")), "{}", stderr(&o));
    assert!(stderr(&o).contains("--replace"), "{}", stderr(&o));
    assert_eq!(Store::open_read_only(db).unwrap().run(p).unwrap(), before);
    let o = run(&["--replace"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("warning: inspection draw(s)"), "{out}");
}

#[test]
fn classify_writes_list_columns_and_no_formula_into_csv() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("p.jsonl");
    std::fs::write(
        &data,
        "{\"id\": \"=HYPERLINK(1)\", \"industry\": \"F5211\", \"registered\": \"2015-03-01\", \"records\": [{\"kind\": \"dishonest_list\", \"date\": \"2026-03-01\", \"action\": \"entry\"}]}\n",
    )
    .unwrap();
    let out = dir.path().join("r.csv");
    let o = riskgrade(&[
        "classify",
        "-d",
        data.to_str().unwrap(),
        "--as-of",
        "2026-11-01",
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let headers = reader.headers().unwrap().clone();
    let row = reader.records().next().unwrap().unwrap();
    let cell = |name: &str| {
        row.get(headers.iter().position(|h| h == name).unwrap())
            .unwrap()
    };
    assert_eq!(cell("id"), "'=HYPERLINK(1)");
    let labels: Vec<String> = serde_json::from_str(cell("labels")).unwrap();
    assert_eq!(labels, ["重点监管"]);
    let rules: Vec<String> = serde_json::from_str(cell("rules")).unwrap();
    assert!(
        rules.contains(&"veto_dishonest_list".to_string()),
        "{rules:?}"
    );
    let alerts: Vec<String> = serde_json::from_str(cell("alerts")).unwrap();
    assert!(
        alerts.iter().any(|a| a.contains("credit_veto")),
        "{alerts:?}"
    );
    // Nothing but the results file is left in the folder.
    let names: Vec<PathBuf> = files(dir.path()).into_iter().map(|(p, _)| p).collect();
    assert_eq!(names, [data, out]);
}
