//! The hostile rule files of the engine's tests (loops, recursion, huge strings, arrays and
//! maps, effect floods, deep nesting, `import`, `eval`, function pointers, `print`, a shadowed
//! action, the clock, randomness, `exit`), each in a model set run through the binary:
//! `rules check`, `classify` and `rules test` end with the README's exit code (3 for a set
//! refused with a position, 0/5/6 otherwise), never panic, never hang past the rules' limits,
//! and every enterprise the hostile rule does not run on keeps its grade.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Longer than any of these runs may take: the rules' limits stop every loop long before.
const HANG: Duration = Duration::from_secs(120);

/// Runs the binary, killing it (and failing) if it runs past [`HANG`].
fn riskgrade(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_riskgrade"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > HANG {
            child.kill().unwrap();
            panic!("riskgrade {args:?} still ran after {HANG:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn hostile_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../riskgrade-engine/tests/hostile")
}

/// A set of the general model and `rules` in `dir`.
fn set(dir: &Path, rules: &str) -> PathBuf {
    let general = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/models/general.toml");
    std::fs::copy(general, dir.join("general.toml")).unwrap();
    let path = dir.join("set.toml");
    let text = format!("default = \"general\"\ninclude = [\"general.toml\"]\n{rules}");
    std::fs::write(&path, text).unwrap();
    path
}

/// 200 retail enterprises registered in 2015; enterprise `E{i}` has `i % 10` complaints in
/// 2026, so the hostile rules (`when complaints_1y == 3`) run on one in ten.
fn batch(dir: &Path) -> PathBuf {
    let mut text = String::new();
    for i in 0..200 {
        let records: Vec<String> = (0..i % 10)
            .map(|k| {
                format!(
                    "{{\"kind\": \"complaint\", \"date\": \"2026-0{}-01\"}}",
                    k + 1
                )
            })
            .collect();
        text.push_str(&format!(
            "{{\"id\": \"E{i}\", \"industry\": \"F5211\", \"registered\": \"2015-01-01\", \"records\": [{}]}}\n",
            records.join(", ")
        ));
    }
    let path = dir.join("batch.jsonl");
    std::fs::write(&path, text).unwrap();
    path
}

const TESTS: &str = r#"as_of = "2026-11-01"
[[case]]
name = "no complaints: the hostile rule does not run"
industry = "F5211"
inputs = { complaints_1y = 0, years_in_operation = 10, registered_capital = 500, shareholders = 3, paid_in_ratio = 1, debt_ratio = 0.3, insured_staff = 40 }
expect = { class = "A" }
[[case]]
name = "three complaints: the hostile rule runs"
industry = "F5211"
inputs = { complaints_1y = 3, years_in_operation = 10, registered_capital = 500, shareholders = 3, paid_in_ratio = 1, debt_ratio = 0.3, insured_staff = 40 }
expect = { class = "A" }
"#;

/// One result row: status, class, score, error.
type Row = (String, String, String, String);

/// Classifies `batch` with `model` into a CSV; the exit code and the rows by id.
fn classify(model: &Path, batch: &Path, dir: &Path) -> (Output, BTreeMap<String, Row>) {
    let out = dir.join("results.csv");
    let _ = std::fs::remove_file(&out);
    let o = riskgrade(&[
        "classify",
        "--model",
        model.to_str().unwrap(),
        "--data",
        batch.to_str().unwrap(),
        "--as-of",
        "2026-11-01",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    let mut rows = BTreeMap::new();
    if out.exists() {
        let mut r = csv::Reader::from_path(&out).unwrap();
        let h = r.headers().unwrap().clone();
        let at = |name: &str| h.iter().position(|c| c == name).unwrap();
        let (id, status, class, score, error) = (
            at("id"),
            at("status"),
            at("class"),
            at("score"),
            at("error"),
        );
        for rec in r.records() {
            let rec = rec.unwrap();
            let cell = |c: usize| rec[c].to_string();
            rows.insert(
                cell(id),
                (cell(status), cell(class), cell(score), cell(error)),
            );
        }
    }
    (o, rows)
}

fn no_panic(what: &str, o: &Output) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        matches!(o.status.code(), Some(0..=7)),
        "{what}: exit {:?}\n{err}",
        o.status.code()
    );
    assert!(!err.contains("panicked"), "{what}: {err}");
}

/// A refused set: every command exits 3 with the rule's position, a short message.
fn assert_refused(name: &str, model: &Path, batch: &Path, tests: &Path, check: &Output) {
    let m = model.to_str().unwrap();
    let t = tests.to_str().unwrap();
    let (classified, _) = classify(model, batch, model.parent().unwrap());
    let tested = riskgrade(&["rules", "test", m, "-t", t]);
    for (what, o) in [
        ("check", check),
        ("classify", &classified),
        ("test", &tested),
    ] {
        no_panic(&format!("{name} {what}"), o);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(3), "{name} {what}: {err}");
        assert!(
            err.contains("line ") || err.contains("column "),
            "{name} {what}: not positioned: {err}"
        );
        assert!(err.len() < 4000, "{name} {what}: {} bytes", err.len());
    }
}

/// An accepted set: check 0; classify 0, or 5 exactly when some rows are errors naming the
/// rule, every other enterprise graded as without it; the tests 0 or 6, the case the rule
/// does not run on passing.
fn assert_contained(
    name: &str,
    model: &Path,
    batch: &Path,
    tests: &Path,
    base: &BTreeMap<String, Row>,
) {
    let dir = model.parent().unwrap();
    let (o, rows) = classify(model, batch, dir);
    no_panic(&format!("{name} classify"), &o);
    assert_eq!(rows.len(), base.len(), "{name}: rows lost");
    let errors = rows.values().filter(|r| r.0 == "error").count();
    let expected = if errors > 0 { 5 } else { 0 };
    assert_eq!(
        o.status.code(),
        Some(expected),
        "{name}: {errors} error rows"
    );
    for (id, row) in &rows {
        let i: usize = id[1..].parse().unwrap();
        if i % 10 != 3 {
            assert_eq!(row, &base[id], "{name}: {id} changed");
        } else if row.0 == "error" {
            assert!(row.3.contains("rule `"), "{name}: {id}: {}", row.3);
        } else {
            assert!(row.2.parse::<f64>().unwrap().is_finite(), "{name}: {id}");
        }
    }
    let o = riskgrade(&[
        "rules",
        "test",
        model.to_str().unwrap(),
        "-t",
        tests.to_str().unwrap(),
    ]);
    no_panic(&format!("{name} test"), &o);
    assert!(
        matches!(o.status.code(), Some(0 | 6)),
        "{name} test: {:?}",
        o.status.code()
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("ok    no complaints"), "{name} test: {out}");
}

#[test]
fn hostile_rule_files_through_the_binary_are_refused_or_contained() {
    let root = tempfile::tempdir().unwrap();
    let batch = batch(root.path());
    let tests = root.path().join("hostile.tests.toml");
    std::fs::write(&tests, TESTS).unwrap();
    let plain = root.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    let (o, base) = classify(&set(&plain, ""), &batch, &plain);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(base.len(), 200);
    let must_refuse = [
        "deep_when",
        "deep_not",
        "eval",
        "clock",
        "sleep",
        "random",
        "exit",
        "import",
    ];
    let (mut refused, mut contained) = (0, 0);
    for entry in std::fs::read_dir(hostile_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let dir = root.path().join(&name);
        std::fs::create_dir(&dir).unwrap();
        let model = set(&dir, &std::fs::read_to_string(&path).unwrap());
        let started = Instant::now();
        let check = riskgrade(&["rules", "check", model.to_str().unwrap(), "-q"]);
        no_panic(&format!("{name} check"), &check);
        if check.status.code() == Some(0) {
            assert!(!must_refuse.contains(&name.as_str()), "{name} was accepted");
            assert_contained(&name, &model, &batch, &tests, &base);
            contained += 1;
        } else {
            assert_refused(&name, &model, &batch, &tests, &check);
            refused += 1;
        }
        assert!(started.elapsed() < HANG, "{name}: {:?}", started.elapsed());
    }
    assert!(
        refused >= must_refuse.len() && refused + contained >= 23,
        "{refused} refused, {contained} contained"
    );
}
