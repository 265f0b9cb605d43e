//! Long and hostile texts in every table the binary prints: a rule id, an enterprise id, an
//! indicator path or a node name of 70,000 bytes, or with control characters, never panics
//! (it used to: `{:<w$}` refuses widths past 65,535) and never forges terminal output.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn riskgrade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_riskgrade"))
        .args(args)
        .output()
        .unwrap()
}

fn examples(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(rel)
}

/// 70,000 bytes: past what `{:<w$}` can pad.
fn long() -> String {
    "r".repeat(70_000)
}

/// The reference set copied into `dir`, each file passed through `edit` (name, text).
fn reference_set(dir: &Path, edit: impl Fn(&str, String) -> String) -> PathBuf {
    for name in [
        "reference.toml",
        "general.toml",
        "food_production.toml",
        "special_equipment.toml",
        "reference_rules.toml",
    ] {
        let text = std::fs::read_to_string(examples(&format!("models/{name}"))).unwrap();
        std::fs::write(dir.join(name), edit(name, text)).unwrap();
    }
    dir.join("reference.toml")
}

/// The command ran to an end (success, or a refusal with its exit code), not a panic, and
/// what it printed is tidy: short lines, no control characters.
fn assert_contained(what: &str, o: &Output) {
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert!(
        matches!(o.status.code(), Some(0..=7)),
        "{what}: exit {:?}\n{err}",
        o.status.code()
    );
    assert!(!err.contains("panicked"), "{what}: {err}");
    for line in out.lines() {
        assert!(
            line.chars().count() <= 700,
            "{what}: a line of {} characters",
            line.len()
        );
        assert!(
            !line.chars().any(|c| c.is_control() && c != '\t'),
            "{what}: {line:?}"
        );
    }
}

#[test]
fn a_long_rule_id_prints_in_rules_check_and_the_rule_report() {
    for id in [long(), "veto\u{1b}[2J\rforged".to_string()] {
        let dir = tempfile::tempdir().unwrap();
        let set = reference_set(dir.path(), |name, text| {
            if name == "reference_rules.toml" {
                text.replace("id = \"veto_dishonest_list\"", &format!("id = {id:?}"))
            } else {
                text
            }
        });
        let set = set.to_str().unwrap();
        let o = riskgrade(&["rules", "check", set]);
        assert_contained("rules check", &o);
        let data = dir.path().join("p.jsonl");
        std::fs::write(
            &data,
            "{\"id\": \"E1\", \"industry\": \"F5211\", \"records\": [{\"kind\": \"dishonest_list\", \"date\": \"2026-03-01\", \"action\": \"entry\"}]}\n",
        )
        .unwrap();
        let data = data.to_str().unwrap();
        let o = riskgrade(&[
            "classify",
            "--model",
            set,
            "--data",
            data,
            "--as-of",
            "2026-11-01",
        ]);
        assert_contained("classify", &o);
        if o.status.success() {
            assert!(String::from_utf8_lossy(&o.stdout).contains("rules as of"));
        }
    }
}

#[test]
fn a_long_enterprise_id_prints_in_compare() {
    for id in [
        long(),
        "E9\u{1b}[31m\r\nrow 99, enterprise `forged`".to_string(),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("p.jsonl");
        let profile = serde_json::json!({
            "id": id, "industry": "F5211",
            "records": [{"kind": "dishonest_list", "date": "2026-03-01", "action": "entry"}]
        });
        std::fs::write(
            &data,
            format!("{profile}\n{{\"id\": \"E2\", \"industry\": \"F5211\"}}\n"),
        )
        .unwrap();
        let o = riskgrade(&[
            "compare",
            "--against-no-rules",
            data.to_str().unwrap(),
            "--as-of",
            "2026-11-01",
        ]);
        assert_contained("compare", &o);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stdout).contains("biggest moves"));
    }
}

/// The reference set with the leaf `basic.capital.registered_capital` renamed `leaf`.
fn long_leaf_set(dir: &Path, leaf: &str) -> PathBuf {
    reference_set(dir, |name, text| {
        if name == "general.toml" {
            text.replace(
                "path = \"basic.capital.registered_capital\"",
                &format!("path = \"basic.capital.{leaf}\""),
            )
        } else {
            text
        }
    })
}

#[test]
fn a_long_indicator_path_prints_in_every_calibration_report() {
    let dir = tempfile::tempdir().unwrap();
    let leaf = long();
    let set = long_leaf_set(dir.path(), &leaf);
    let set = set.to_str().unwrap();
    for method in ["entropy", "critic"] {
        let o = riskgrade(&["calibrate", method, "--model", set, "-n", "300"]);
        assert_contained(method, &o);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let o = riskgrade(&["calibrate", "outcomes", "--model", set, "-n", "3000"]);
    assert_contained("outcomes", &o);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // AHP over the children of `basic.capital`, the long one among them.
    let general = std::fs::read_to_string(dir.path().join("general.toml")).unwrap();
    let children: Vec<String> = general
        .lines()
        .filter_map(|l| l.strip_prefix("path = \"basic.capital."))
        .map(|l| l.trim_end_matches('"').to_string())
        .filter(|c| !c.contains('.'))
        .collect();
    let n = children.len();
    assert!(n >= 2 && children.contains(&leaf));
    // Every child as important as every other: consistent judgements.
    let rows: Vec<String> = (0..n)
        .map(|_| format!("[{}]", vec!["1"; n].join(", ")))
        .collect();
    let judgements = dir.path().join("ahp.toml");
    std::fs::write(
        &judgements,
        format!(
            "model = \"general\"\n[[matrix]]\nnode = \"basic.capital\"\norder = {children:?}\nrows = [{}]\n",
            rows.join(", ")
        ),
    )
    .unwrap();
    let o = riskgrade(&[
        "calibrate",
        "ahp",
        "--model",
        set,
        judgements.to_str().unwrap(),
    ]);
    assert_contained("ahp", &o);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn a_run_with_a_long_or_hostile_id_reports_the_success_it_stored() {
    for id in [
        long(),
        "E9\u{1b}[2J\r\nrow 99, enterprise `forged`".to_string(),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("h.db");
        let db = db.to_str().unwrap();
        // October clean, November on the dishonest list: a mover, printed after the commit.
        for (period, records) in [
            ("2026-10", serde_json::json!([])),
            (
                "2026-11",
                serde_json::json!([{"kind": "dishonest_list", "date": "2026-11-03", "action": "entry"}]),
            ),
        ] {
            let data = dir.path().join(format!("{period}.jsonl"));
            let profile = serde_json::json!({"id": id, "industry": "F5211", "records": records});
            std::fs::write(
                &data,
                format!("{profile}\n{{\"id\": \"E2\", \"industry\": \"F5211\"}}\n"),
            )
            .unwrap();
            let o = riskgrade(&["run", "-s", db, "-p", period, "-d", data.to_str().unwrap()]);
            assert_contained("run", &o);
            assert_eq!(
                o.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&o.stderr)
            );
            if period == "2026-11" {
                let out = String::from_utf8_lossy(&o.stdout);
                assert!(out.contains("enterprises that changed class"), "{out}");
            }
        }
        let o = riskgrade(&["periods", "-s", db]);
        assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 2);
    }
}
