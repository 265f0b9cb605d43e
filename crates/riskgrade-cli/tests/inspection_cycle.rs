//! "Double random, one public" from the command line, as a clerk runs it: commit before the
//! seed, draw under the commitment (another pool is refused with exit code 7), verify (a
//! differences file when it differs), record outcomes, publish, and the year's view.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn riskgrade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_riskgrade"))
        .args(args)
        .output()
        .unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn pool_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/inspectors/beijing-pool.csv")
}

/// The example pool with the first inspector's capacity lowered by one.
fn other_pool(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(pool_file()).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[1] = lines[1].replacen(",60,", ",59,", 1);
    assert_ne!(lines[1], text.lines().nth(1).unwrap());
    let path = dir.join("other-pool.csv");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

#[test]
fn commit_draw_verify_publish_and_the_year_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let (db, pool, other) = (
        p("h.db"),
        pool_file().to_str().unwrap().to_string(),
        other_pool(dir.path()).to_str().unwrap().to_string(),
    );
    ok(&riskgrade(&[
        "synth",
        "-n",
        "2000",
        "--as-of",
        "2026-10-31",
        "--out",
        &p("oct.jsonl"),
        "-q",
    ]));
    ok(&riskgrade(&[
        "run",
        "-s",
        &db,
        "-p",
        "2026-10",
        "-d",
        &p("oct.jsonl"),
        "-q",
    ]));

    // The commitment is written before any seed exists.
    let out = ok(&riskgrade(&[
        "draw",
        "commit",
        "-s",
        &db,
        "-p",
        "2026-10",
        "--plan",
        "henan-2021",
        "--pool",
        &pool,
        "--out-dir",
        &p("published"),
    ]));
    assert!(out.contains("commitment #1"), "{out}");
    let commitment = std::fs::read_to_string(p("published/commitment.json")).unwrap();
    let digest = serde_json::from_str::<serde_json::Value>(&commitment).unwrap()["digest"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(digest.len(), 64, "{commitment}");

    // A pool edited after the commitment is refused: exit code 7, naming what differs.
    let seed = "2026-11 public lottery 7731";
    let refused = riskgrade(&[
        "draw",
        "-s",
        &db,
        "--commitment",
        "1",
        "--pool",
        &other,
        "--seed",
        seed,
        "-o",
        &p("tasks.csv"),
    ]);
    assert_eq!(refused.status.code(), Some(7));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("pool") && err.contains(&digest[..12]), "{err}");
    assert!(!Path::new(&p("tasks.csv")).exists());

    let out = ok(&riskgrade(&[
        "draw",
        "-s",
        &db,
        "--commitment",
        "1",
        "--pool",
        &pool,
        "--seed",
        seed,
        "-o",
        &p("tasks.csv"),
    ]));
    assert!(out.contains("draw #1"), "{out}");
    let tasks = std::fs::read_to_string(p("tasks.csv")).unwrap();
    let ids: Vec<&str> = tasks
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert!(ids.len() > 20, "{tasks}");

    // The same inputs re-draw the same; another pool changes the inspectors only, exits 7
    // and writes every difference to a file instead of the screen.
    let out = ok(&riskgrade(&[
        "verify", "-s", &db, "--draw", "1", "--pool", &pool,
    ]));
    assert!(out.contains("identical"), "{out}");
    let differs = riskgrade(&[
        "verify",
        "-s",
        &db,
        "--draw",
        "1",
        "--pool",
        &other,
        "--differences",
        &p("diff.csv"),
    ]);
    assert_eq!(differs.status.code(), Some(7));
    let shown = String::from_utf8_lossy(&differs.stderr);
    assert!(shown.contains("0 with another enterprise"), "{shown}");
    assert!(
        shown.contains("are in ") && shown.contains("diff.csv"),
        "{shown}"
    );
    assert!(
        shown.lines().count() < 20,
        "a summary, not every task: {shown}"
    );
    let diff = std::fs::read_to_string(p("diff.csv")).unwrap();
    assert!(diff.lines().count() > 1, "{diff}");

    // Outcomes for half the tasks, then the publication holds exactly those.
    let mut outcomes = String::from("enterprise,date,result,severity,note\n");
    for id in ids.iter().step_by(2) {
        outcomes.push_str(&format!(
            "{id},2026-11-20,problem,minor,ordered to rectify\n"
        ));
    }
    std::fs::write(p("outcomes.csv"), &outcomes).unwrap();
    ok(&riskgrade(&[
        "outcomes",
        "-s",
        &db,
        "--draw",
        "1",
        &p("outcomes.csv"),
    ]));
    let out = ok(&riskgrade(&[
        "publish",
        "-s",
        &db,
        "--draw",
        "1",
        "-o",
        &p("published"),
    ]));
    let closed = ids.iter().step_by(2).count();
    assert!(
        out.contains(&format!("{closed} closed inspection(s) published")),
        "{out}"
    );
    let results = std::fs::read_to_string(p("published/results.csv")).unwrap();
    assert_eq!(results.lines().count(), closed + 1);
    assert!(
        results.starts_with("enterprise,name,credit_code,task,department,date,result,disposal\n")
    );
    // Names and credit codes come from the store's directory, recorded from the profiles.
    for line in results.lines().skip(1) {
        let (_, rest) = line.split_once(',').unwrap();
        assert!(!rest.starts_with(','), "no name: {line}");
        assert!(
            rest.split(',')
                .any(|c| c.len() == 18 && c.starts_with("91")),
            "no credit code: {line}"
        );
    }
    assert!(!out.contains("no name or credit code"), "{out}");

    // The year: per class, random and forced tasks apart, and the like-for-like comparison.
    let out = ok(&riskgrade(&[
        "inspections",
        "year",
        "-s",
        &db,
        "--year",
        "2026",
        "--plan",
        "henan-2021",
    ]));
    assert!(
        out.contains("plan `henan-2021` in 2026: 1 draw(s)"),
        "{out}"
    );
    for class in ["A", "B", "C", "D"] {
        let row: Vec<&str> = out
            .lines()
            .find(|l| l.starts_with(&format!("{class} ")))
            .unwrap()
            .split_whitespace()
            .collect();
        assert!(
            row[4].parse::<u64>().unwrap() > 0,
            "random picks in {class}: {out}"
        );
    }
    assert!(out.contains("against uniform random sampling"), "{out}");
    let json = ok(&riskgrade(&[
        "inspections",
        "year",
        "-s",
        &db,
        "--year",
        "2026",
        "--plan",
        "henan-2021",
        "--json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["draws"], 1);
    assert_eq!(v["classes"].as_array().unwrap().len(), 4);
}
