//! The exit-code table of the README, row by row: each code is what the binary returns for
//! the failures the row names.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn riskgrade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_riskgrade"))
        .args(args)
        .output()
        .unwrap()
}

/// The README's exit-code table: code → meaning.
fn readme_table() -> BTreeMap<u8, String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let at = readme.find("Exit codes, for scripts").unwrap();
    readme[at..]
        .lines()
        .skip_while(|l| !l.starts_with("| code |"))
        .skip(2)
        .take_while(|l| l.starts_with("| `"))
        .map(|l| {
            let mut cells = l.trim_matches('|').split(" | ");
            let code = cells
                .next()
                .unwrap()
                .trim()
                .trim_matches('`')
                .parse()
                .unwrap();
            (code, cells.next().unwrap().trim().to_string())
        })
        .collect()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

const GOOD: &[u8] =
    b"{\"id\": \"E1\", \"industry\": \"C14\"}\n{\"id\": \"E2\", \"industry\": \"C14\"}\n";
const ONE_BAD: &[u8] =
    b"{\"id\": \"E1\", \"industry\": \"C14\"}\n{\"id\": \"E2\", \"recrods\": []}\n";

/// A header-only CSV with every column the embedded reference set reads.
fn header_only(dir: &Path) -> PathBuf {
    let full = dir.join("full.csv");
    let o = riskgrade(&["synth", "-n", "3", "--out", full.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&full).unwrap();
    write(
        dir,
        "header.csv",
        format!("{}\n", text.lines().next().unwrap()).as_bytes(),
    )
}

/// A stored period and a pool that cannot staff any draw.
fn no_draw(dir: &Path) -> Output {
    let db = dir.join("h.db");
    let data = dir.join("oct.jsonl");
    let o = riskgrade(&["synth", "-n", "300", "--out", data.to_str().unwrap(), "-q"]);
    assert!(o.status.success());
    let o = riskgrade(&[
        "run",
        "-s",
        db.to_str().unwrap(),
        "-p",
        "2026-10",
        "-d",
        data.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pool = write(
        dir,
        "pool.csv",
        b"id,name,department,district,capacity\nI1,Li Wei,market_regulation,Haidian,0\n",
    );
    riskgrade(&[
        "draw",
        "-s",
        db.to_str().unwrap(),
        "-p",
        "2026-10",
        "--pool",
        pool.to_str().unwrap(),
        "--seed",
        "s",
    ])
}

/// Each failure the table names, with the code it must give.
fn cases(dir: &Path) -> Vec<(u8, &'static str, Output)> {
    let p = |path: &PathBuf| path.to_str().unwrap().to_string();
    let good = p(&write(dir, "good.jsonl", GOOD));
    let one_bad = p(&write(dir, "one_bad.jsonl", ONE_BAD));
    let classify = |data: &str, more: &[&str]| {
        riskgrade(
            &[
                &["classify", "--data", data, "--as-of", "2026-11-01"][..],
                more,
            ]
            .concat(),
        )
    };
    let not_utf8 = |name: &str| p(&write(dir, name, b"id = \"\xb1\xb1\"\n"));
    let broken_toml = |name: &str| p(&write(dir, name, b"[[case]\nname = \n"));
    let failing_tests = p(&write(
        dir,
        "failing.tests.toml",
        b"as_of = \"2026-11-01\"\n[[case]]\nname = \"wrong on purpose\"\n\
          inputs = { years_in_operation = 8 }\nexpect = { class = \"D\" }\n",
    ));
    let shared_not_json = p(&write(dir, "shared.jsonl", b"{\"id\": \n"));
    let shared_no_columns = p(&write(dir, "shared.csv", b"x,y\n1,2\n"));
    let db = p(&dir.join("import.db"));
    // A cycle: basic over dynamic over supervision over basic, each 9 to 1.
    let inconsistent_ahp = p(&write(
        dir,
        "cyclic-ahp.toml",
        b"model = \"general\"\n[[matrix]]\n\
          order = [\"basic\", \"dynamic\", \"supervision\", \"relationships\", \"social\"]\n\
          rows = [[1, 9, \"1/9\", 1, 1], [\"1/9\", 1, 9, 1, 1], [9, \"1/9\", 1, 1, 1], \
          [1, 1, 1, 1, 1], [1, 1, 1, 1, 1]]\n",
    ));
    let empty = p(&write(dir, "empty.jsonl", b"\n"));
    vec![
        (0, "every enterprise graded", classify(&good, &[])),
        (
            1,
            "a batch that is absent",
            classify(&p(&dir.join("absent.jsonl")), &[]),
        ),
        (
            1,
            "a model that is absent",
            riskgrade(&["validate", &p(&dir.join("absent.toml"))]),
        ),
        (
            2,
            "an unknown option",
            riskgrade(&["classify", "--no-such-option"]),
        ),
        (
            2,
            "an output no writer knows",
            classify(&good, &["--out", &p(&dir.join("r.xlsx"))]),
        ),
        (
            3,
            "a model that is not UTF-8",
            riskgrade(&["validate", &not_utf8("m.toml")]),
        ),
        (
            3,
            "a model that does not parse",
            riskgrade(&["validate", &broken_toml("m2.toml")]),
        ),
        (
            3,
            "a plan that is not UTF-8",
            riskgrade(&["plan", "check", &not_utf8("plan.toml")]),
        ),
        (
            3,
            "rule tests that are not UTF-8",
            riskgrade(&["rules", "test", "--tests", &not_utf8("t.toml")]),
        ),
        (
            3,
            "rule tests that do not parse",
            riskgrade(&["rules", "test", "--tests", &broken_toml("t2.toml")]),
        ),
        (
            3,
            "AHP judgements that are not UTF-8",
            riskgrade(&["calibrate", "ahp", &not_utf8("ahp.toml")]),
        ),
        (
            3,
            "AHP judgements that do not parse",
            riskgrade(&["calibrate", "ahp", &broken_toml("ahp2.toml")]),
        ),
        (
            3,
            "AHP judgements that are inconsistent (CR at or above max_cr)",
            riskgrade(&["calibrate", "ahp", &inconsistent_ahp]),
        ),
        (
            4,
            "a header-only batch",
            classify(&p(&header_only(dir)), &[]),
        ),
        (4, "an empty batch", classify(&empty, &[])),
        (
            4,
            "a bad row with --strict",
            classify(&one_bad, &["--strict"]),
        ),
        (
            4,
            "a shared file that does not parse",
            riskgrade(&["import", "--store", &db, &shared_not_json]),
        ),
        (
            4,
            "a shared file without its columns",
            riskgrade(&["import", "--store", &db, &shared_no_columns]),
        ),
        (5, "one enterprise not graded", classify(&one_bad, &[])),
        (
            6,
            "a rule test that fails",
            riskgrade(&["rules", "test", "--tests", &failing_tests]),
        ),
        (7, "a pool that cannot staff the draw", no_draw(dir)),
        (
            7,
            "a year in which the plan made no draw",
            riskgrade(&[
                "inspections",
                "year",
                "-s",
                &p(&dir.join("h.db")),
                "--year",
                "2026",
            ]),
        ),
    ]
}

#[test]
fn every_row_of_the_readme_table_is_what_the_binary_returns() {
    let table = readme_table();
    assert_eq!(
        table.keys().copied().collect::<Vec<_>>(),
        (0..=7).collect::<Vec<_>>()
    );
    let dir = tempfile::tempdir().unwrap();
    let cases = cases(dir.path());
    for code in table.keys() {
        assert!(
            cases.iter().any(|(c, ..)| c == code),
            "no case for exit code {code}"
        );
    }
    let mut wrong = Vec::new();
    for (code, what, o) in &cases {
        if o.status.code() != Some(i32::from(*code)) {
            wrong.push(format!(
                "{what}: expected {code} ({}), got {:?}: {}",
                table[code],
                o.status.code(),
                String::from_utf8_lossy(&o.stderr).trim()
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // A bad definition file names its line.
    let (_, _, o) = cases
        .iter()
        .find(|(_, w, _)| *w == "a plan that is not UTF-8")
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    let (_, _, ahp) = cases
        .iter()
        .find(|(_, w, _)| w.starts_with("AHP judgements that are inconsistent"))
        .unwrap();
    let ahp = String::from_utf8_lossy(&ahp.stderr);
    assert!(
        ahp.contains("are inconsistent: CR = ") && ahp.contains("--accept-inconsistent"),
        "{ahp}"
    );
    // The plan loader names the first byte that is not UTF-8: `plan.toml:1:7: …`.
    assert!(
        err.contains("plan.toml:1:7: text is not valid UTF-8"),
        "{err}"
    );
}
