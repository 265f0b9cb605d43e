//! The command line as scripts use it: outputs and exit codes.
#![allow(clippy::unwrap_used)]

use std::path::Path;
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

fn general() -> String {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/models/general.toml"
    )
    .to_string()
}

#[test]
fn demo_runs_the_monthly_cycle_and_explains() {
    let o = riskgrade(&["demo", "-n", "3000", "--months", "4"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    for period in ["2025-12", "2026-01", "2026-02", "2026-03"] {
        assert!(
            out.lines().any(|l| l.starts_with(period)),
            "{period}: {out}"
        );
    }
    for part in [
        "class migration",
        "score PSI",
        "in the last month:",
        "the history of",
        "top reasons:",
        "against uniform random sampling (forced tasks included",
        "re-drawn from its commitment and seed: identical",
        "closed results published (schema riskgrade.public-inspections/1)",
    ] {
        assert!(out.contains(part), "{part}: {out}");
    }
    // The year's view of the Henan plan: random picks in every class, forced tasks apart.
    let henan: Vec<Vec<&str>> = out
        .lines()
        .skip_while(|l| !l.starts_with("plan `henan-2021` in 2026"))
        .skip(2)
        .take(4)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        henan.iter().map(|r| r[0]).collect::<Vec<_>>(),
        ["A", "B", "C", "D"],
        "{out}"
    );
    for row in &henan {
        let random: u64 = row[4].parse().unwrap();
        assert!(random > 0, "no random picks in class {}: {out}", row[0]);
    }
}

#[test]
fn validate_reports_a_typo_with_its_position_and_exit_code_3() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.toml");
    std::fs::write(&model, "id = \"m\"\nscale = { min = 0, max = 100, higher = \"risk\" }\n[[node]]\npath = \"a\"\nwieght = 1\n").unwrap();
    let o = riskgrade(&["validate", model.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(3));
    assert!(err.contains("m.toml:5:1: unknown field `wieght`"), "{err}");
    let ok = riskgrade(&["validate"]);
    assert!(ok.status.success());
    assert!(text(&ok).0.contains("model `general`"));
    assert!(!text(&ok).0.contains("caution"), "{}", text(&ok).0);
}

#[test]
fn validate_names_a_flag_whose_missing_value_is_graded_as_one_of_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.toml");
    let body = "id = \"m\"\nscale = { min = 0, max = 100, higher = \"risk\" }\ndefaults = { missing = 0 }\n\
        [inputs.annual_report_on_time]\ntype = \"bool\"\n\
        [[node]]\npath = \"report\"\nweight = 1\ninput = \"annual_report_on_time\"\n\
        score = { type = \"boolean\", true = 0, false = 90 }\n";
    std::fs::write(&model, body).unwrap();
    let o = riskgrade(&["validate", model.to_str().unwrap()]);
    assert!(o.status.success());
    let (out, _) = text(&o);
    assert!(
        out.contains("    caution: `report` (input `annual_report_on_time`): a missing value scores 0 points from [defaults], as `true` does"),
        "{out}"
    );
    // Its own policy says what a missing value means: no caution.
    std::fs::write(&model, format!("{body}missing = 45\n")).unwrap();
    let (out, _) = text(&riskgrade(&["validate", model.to_str().unwrap()]));
    assert!(
        out.contains("ok, version") && !out.contains("caution"),
        "{out}"
    );
}

/// Writes `n` synthetic enterprises as columns for the general model and returns the path.
fn columns(dir: &Path, n: usize) -> std::path::PathBuf {
    let path = dir.join("features.csv");
    let o = riskgrade(&[
        "synth",
        "-n",
        &n.to_string(),
        "--model",
        &general(),
        "--out",
        path.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    path
}

#[test]
fn a_bad_row_is_reported_and_the_others_graded_with_exit_code_5() {
    let dir = tempfile::tempdir().unwrap();
    let path = columns(dir.path(), 50);
    // Break row 3's penalty count.
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = header.iter().position(|h| h == "penalties_3y").unwrap();
    let mut rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let mut cells: Vec<String> = rows[2].iter().map(str::to_string).collect();
    cells[col] = "three".into();
    rows[2] = csv::StringRecord::from(cells);
    let mut writer = csv::Writer::from_path(&path).unwrap();
    writer.write_record(&header).unwrap();
    for r in &rows {
        writer.write_record(r).unwrap();
    }
    writer.flush().unwrap();

    let out = dir.path().join("results.csv");
    let args = [
        "classify",
        "--model",
        &general(),
        "--data",
        path.to_str().unwrap(),
        "--as-of",
        "2026-11-01",
    ];
    let o = riskgrade(&[&args[..], &["--out", out.to_str().unwrap()]].concat());
    let (stdout, err) = text(&o);
    assert_eq!(o.status.code(), Some(5), "{stdout}{err}");
    assert!(stdout.contains("graded 49 of 50 enterprises"), "{stdout}");
    assert!(
        err.contains(
            "row 3, enterprise `E0000003`, column `penalties_3y`: `three` is not a valid count"
        ),
        "{err}"
    );
    assert_eq!(csv::Reader::from_path(&out).unwrap().records().count(), 50);
    let mut results = csv::Reader::from_path(&out).unwrap();
    let header = results.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let bad = results
        .records()
        .map(Result::unwrap)
        .find(|r| &r[0] == "E0000003")
        .unwrap();
    assert_eq!(&bad[at("status")], "error");
    assert_eq!(
        &bad[at("error")],
        "column `penalties_3y`: `three` is not a valid count"
    );
    assert_eq!(&bad[at("score")], "");

    let strict = riskgrade(&[&args[..], &["--strict"]].concat());
    assert_eq!(strict.status.code(), Some(4));
    assert!(text(&strict).1.contains("strict mode: 1 bad value(s)"));
}

#[test]
fn profiles_round_trip_through_synth_classify_and_explain() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("p.jsonl");
    let truth = dir.path().join("truth.csv");
    let o = riskgrade(&[
        "synth",
        "-n",
        "400",
        "--out",
        data.to_str().unwrap(),
        "--truth",
        truth.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert_eq!(
        std::fs::read_to_string(&truth).unwrap().lines().count(),
        401
    );
    let out = dir.path().join("r.jsonl");
    let o = riskgrade(&[
        "classify",
        "--data",
        data.to_str().unwrap(),
        "--as-of",
        "2026-11-01",
        "--out",
        out.to_str().unwrap(),
        "--contributions",
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    let first: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["status"], "graded");
    assert!(
        first["contrib:general:supervision.penalties.count"].is_number()
            || first["contrib:food:static.product_category"].is_number()
    );

    let e = riskgrade(&[
        "explain",
        "--data",
        data.to_str().unwrap(),
        "--as-of",
        "2026-11-01",
        "--id",
        "E0000007",
    ]);
    assert!(e.status.success());
    assert!(text(&e).0.contains("enterprise `E0000007`"));
    let missing = riskgrade(&[
        "explain",
        "--data",
        data.to_str().unwrap(),
        "--as-of",
        "2026-11-01",
        "--id",
        "NOPE",
    ]);
    assert_eq!(missing.status.code(), Some(4));
    assert!(
        text(&missing)
            .1
            .contains("no enterprise `NOPE` in the batch")
    );
}

#[test]
fn a_missing_column_names_the_closest_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = columns(dir.path(), 5);
    let csv = std::fs::read_to_string(&path)
        .unwrap()
        .replacen("penalties_3y", "penalty_3y", 1);
    std::fs::write(&path, csv).unwrap();
    let o = riskgrade(&[
        "classify",
        "--model",
        &general(),
        "--data",
        path.to_str().unwrap(),
        "--as-of",
        "2026-11-01",
    ]);
    assert_eq!(o.status.code(), Some(4));
    assert!(text(&o).1.contains("penalty_3y"), "{}", text(&o).1);
}

#[test]
fn unreadable_lines_and_rows_stay_in_the_results() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("p.jsonl");
    assert!(
        riskgrade(&["synth", "-n", "4", "--out", data.to_str().unwrap(), "-q"])
            .status
            .success()
    );
    let mut lines = std::fs::read_to_string(&data).unwrap();
    lines.push_str("{\"id\":\"E9\",\"industry\":\"F5211\",\"recrods\":[]}\nnot json\n");
    std::fs::write(&data, lines).unwrap();
    let out = dir.path().join("r.csv");
    let o = riskgrade(&[
        "classify",
        "--data",
        data.to_str().unwrap(),
        "--as-of",
        "2026-11-01",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, err) = text(&o);
    assert_eq!(o.status.code(), Some(5), "{stdout}{err}");
    assert!(stdout.contains("graded 4 of 6 enterprises"), "{stdout}");
    let mut results = csv::Reader::from_path(&out).unwrap();
    let header = results.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = results.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6);
    let e9 = rows.iter().find(|r| &r[0] == "E9").unwrap();
    assert_eq!(&e9[at("status")], "error");
    assert!(
        e9[at("error")].contains("line 5: unknown field `recrods`"),
        "{:?}",
        &e9[at("error")]
    );
    assert!(
        rows.iter()
            .any(|r| &r[0] == "(line 6)" && r[at("error")].contains("not valid JSON"))
    );
}

#[test]
fn json_profiles_round_trip_and_bad_paths_have_their_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("p.json");
    assert!(
        riskgrade(&["synth", "-n", "5", "--out", data.to_str().unwrap(), "-q"])
            .status
            .success()
    );
    let o = riskgrade(&[
        "classify",
        "--data",
        data.to_str().unwrap(),
        "--as-of",
        "2026-11-01",
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    let xlsx = riskgrade(&[
        "classify",
        "--data",
        data.to_str().unwrap(),
        "--as-of",
        "2026-11-01",
        "--out",
        "r.xlsx",
    ]);
    assert_eq!(xlsx.status.code(), Some(2));
    let no_model = riskgrade(&["validate", "/nonexistent/model.toml"]);
    assert_eq!(no_model.status.code(), Some(1));
    let no_data = riskgrade(&[
        "classify",
        "--data",
        "/nonexistent/p.csv",
        "--as-of",
        "2026-11-01",
    ]);
    assert_eq!(no_data.status.code(), Some(1));
}

/// The rule ids of the reference rules file.
fn reference_rule_ids() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/models/reference_rules.toml"
    );
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("id = \""))
        .map(|l| l.trim_end_matches('"').to_string())
        .collect()
}

/// The printed migration matrix: class names and the counts (last column and row: totals).
fn printed_matrix(out: &str) -> (Vec<String>, Vec<Vec<usize>>) {
    let mut lines = out
        .lines()
        .skip_while(|l| !l.starts_with("class migration of "))
        .skip(1)
        .take_while(|l| !l.trim().is_empty());
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(cells.len(), header.len() + 1, "{l}");
            cells[1..].iter().map(|c| c.parse().unwrap()).collect()
        })
        .collect();
    (header, rows)
}

/// `N` of the printed `moved: N of T enterprises` line.
fn printed_movers(out: &str) -> usize {
    let line = out.lines().find(|l| l.starts_with("moved: ")).unwrap();
    line["moved: ".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn compare_without_rules_prints_a_consistent_migration_matrix() {
    let o = riskgrade(&["compare", "--against-no-rules", "-n", "2000"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(
        out.contains("class migration of 2000 enterprises: rows without rules, columns with rules"),
        "{out}"
    );
    let (header, m) = printed_matrix(&out);
    // Every synthetic enterprise is graded on both sides: no "not graded" row or column.
    assert_eq!(header, ["A", "B", "C", "D", "total"], "{out}");
    assert_eq!(m.len(), 5, "{out}");
    let k = 4;
    for (i, row) in m.iter().enumerate().take(k) {
        assert_eq!(row[..k].iter().sum::<usize>(), row[k], "row {i}\n{out}");
        assert_eq!(
            (0..k).map(|r| m[r][i]).sum::<usize>(),
            m[k][i],
            "column {i}\n{out}"
        );
    }
    assert_eq!(m[k][..k].iter().sum::<usize>(), 2000, "{out}");
    assert_eq!((0..k).map(|r| m[r][k]).sum::<usize>(), 2000, "{out}");
    assert_eq!(m[k][k], 2000, "{out}");
    // The rules (vetoes among them) move some enterprises into D, from every other class together.
    let into_d: usize = (0..3).map(|r| m[r][3]).sum();
    assert!(into_d > 0, "{out}");
    assert!(m[k][3] > m[3][k], "more in D with the rules\n{out}");
    // The movers are the off-diagonal cells.
    let off_diagonal: usize = (0..k)
        .flat_map(|i| (0..k).map(move |j| (i, j)))
        .filter(|(i, j)| i != j)
        .map(|(i, j)| m[i][j])
        .sum();
    assert!(off_diagonal > 0);
    assert_eq!(printed_movers(&out), off_diagonal, "{out}");
    // Mover lines name the rules that moved them, by their ids in the rules file.
    let ids = reference_rule_ids();
    assert!(ids.contains(&"veto_dishonest_list".to_string()), "{ids:?}");
    let movers: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("biggest moves (10 of "))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(movers.len(), 10, "{out}");
    for line in &movers {
        assert!(line.contains(" -> "), "{line}");
        assert!(
            ids.iter().any(|id| line.contains(&format!("+{id}"))),
            "no rule id of reference_rules.toml in `{line}`"
        );
    }
    assert!(
        movers
            .iter()
            .any(|l| l.contains("-> D") && l.contains("+veto_judgment_defaulter")),
        "{out}"
    );
}

#[test]
fn compare_writes_every_mover_with_moved() {
    let dir = tempfile::tempdir().unwrap();
    let moved = dir.path().join("out.csv");
    let o = riskgrade(&[
        "compare",
        "--against-no-rules",
        "-n",
        "2000",
        "--top",
        "3",
        "--moved",
        moved.to_str().unwrap(),
    ]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    let n = printed_movers(&out);
    assert!(n > 0, "{out}");
    assert!(out.contains("biggest moves (3 of "), "{out}");
    assert!(
        out.contains(&format!(
            "{n} moved enterprise(s) written to {}",
            moved.display()
        )),
        "{out}"
    );
    let mut reader = csv::Reader::from_path(&moved).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header,
        [
            "id",
            "industry",
            "class_before",
            "class_after",
            "move",
            "steps",
            "score_before",
            "score_after",
            "score_change",
            "model_before",
            "model_after",
            "rules_only_after",
            "rules_only_before",
            "rules_changed"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), n);
    let ids = reference_rule_ids();
    let riskier = rows.iter().filter(|r| &r[4] == "riskier").count();
    assert!(
        out.contains(&format!(
            "{riskier} to a riskier class, {} to a safer class",
            n - riskier
        )),
        "{out}"
    );
    for r in &rows {
        assert_ne!(&r[2], &r[3], "{r:?}");
        let steps: i64 = r[5].parse().unwrap();
        assert_eq!(steps > 0, &r[4] == "riskier", "{r:?}");
        // Without rules before: every rule acted only after, and each names one of the file.
        assert_eq!((&r[12], &r[13]), ("", ""), "{r:?}");
        assert!(
            r[11].split(" | ").all(|id| ids.iter().any(|x| x == id)),
            "{r:?}"
        );
    }

    let bad = riskgrade(&[
        "compare",
        "--against-no-rules",
        "-n",
        "10",
        "--moved",
        "m.xlsx",
    ]);
    assert_eq!(bad.status.code(), Some(2));
}

/// Writes `n` synthetic profiles as of `as_of` and returns the path.
fn profiles(dir: &Path, name: &str, n: usize, seed: u64, as_of: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    let o = riskgrade(&[
        "synth",
        "-n",
        &n.to_string(),
        "--seed",
        &seed.to_string(),
        "--as-of",
        as_of,
        "--out",
        path.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    path
}

#[test]
fn the_monthly_commands_run_compare_decide_share_and_tell_a_history() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let db = db.to_str().unwrap();
    let oct = profiles(dir.path(), "oct.jsonl", 400, 3, "2026-10-31");
    let nov = profiles(dir.path(), "nov.jsonl", 400, 3, "2026-11-30");
    let o = riskgrade(&[
        "run",
        "-s",
        db,
        "-p",
        "2026-10",
        "-d",
        oct.to_str().unwrap(),
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("2026-10 (as of 2026-10-31): 400 enterprises, 400 graded"),
        "{out}"
    );
    assert!(out.contains("first period in the store"), "{out}");
    // A manual override for November to a class October did not give, so that
    // the override shows as a change; then the November run.
    let o = riskgrade(&["history", "-s", db, "--id", "E0000007"]);
    let october = text(&o).0;
    let target = if october.contains("2026-10  D") {
        "A"
    } else {
        "D"
    };
    let o = riskgrade(&[
        "decide",
        "override",
        "-s",
        db,
        "--id",
        "E0000007",
        "--class",
        target,
        "--from",
        "2026-11-01",
        "--by",
        "Li Wei",
        "--reason",
        "falsified records found on site",
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    assert!(text(&o).0.contains("decision #1"));
    let o = riskgrade(&[
        "run",
        "-s",
        db,
        "-p",
        "2026-11",
        "-d",
        nov.to_str().unwrap(),
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("since 2026-10:"), "{out}");
    assert!(out.contains("1 class override(s)"), "{out}");
    let o = riskgrade(&["periods", "-s", db]);
    let (out, _) = text(&o);
    assert_eq!(out.lines().count(), 2, "{out}");
    let o = riskgrade(&["changes", "-s", db, "--top", "3"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("2026-10 (as of 2026-10-31") && out.contains("class migration"),
        "{out}"
    );
    assert!(out.contains("score PSI (general)"), "{out}");
    let o = riskgrade(&["history", "-s", db, "--id", "E0000007"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains(&format!("2026-11  {target}")) && out.contains("[manual decision #1]"),
        "{out}"
    );
    assert!(
        out.contains("manual: manual decision by Li Wei: falsified records found on site"),
        "{out}"
    );
    let o = riskgrade(&["history", "-s", db, "--id", "NOPE"]);
    assert_eq!(o.status.code(), Some(2));
    let o = riskgrade(&["changes", "-s", db, "--from", "2026-11", "--to", "2026-10"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("is after --to"), "{}", text(&o).1);
    // Share November, load it into another department's store.
    let shared = dir.path().join("shared.parquet");
    let o = riskgrade(&[
        "export",
        "-s",
        db,
        "-p",
        "2026-11",
        "-o",
        shared.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    let other = dir.path().join("other.db");
    let o = riskgrade(&[
        "import",
        "-s",
        other.to_str().unwrap(),
        shared.to_str().unwrap(),
        "--source",
        "market_regulation",
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("imported 400 results of 2026-11"), "{out}");
    let o = riskgrade(&["decide", "list", "-s", db, "--id", "E0000007"]);
    let (out, _) = text(&o);
    assert!(
        out.contains(&format!("#1 override -> {target} by Li Wei"))
            && out.contains("Li Wei decide"),
        "{out}"
    );
    // A reading command on a store that does not exist says how to make one.
    let o = riskgrade(&[
        "periods",
        "-s",
        dir.path().join("missing.db").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("riskgrade run --store"));
}

/// A re-run killed while it writes leaves the period as it was.
#[test]
fn a_run_killed_mid_write_leaves_the_previous_state_intact() {
    use riskgrade::Month;
    use riskgrade::store::{Store, StoreError};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let wal = dir.path().join("history.db-wal");
    let a = profiles(dir.path(), "a.jsonl", 300, 1, "2026-10-31");
    let b = columns(dir.path(), 60_000);
    let o = riskgrade(&[
        "run",
        "-s",
        db.to_str().unwrap(),
        "-p",
        "2026-10",
        "-d",
        a.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    let period: Month = "2026-10".parse().unwrap();
    let snapshot = |s: &Store| {
        let mut rows = Vec::new();
        s.scan_results::<StoreError>(period, |r| {
            rows.push(r);
            Ok(())
        })
        .unwrap();
        (s.run(period).unwrap().unwrap().input_digest, rows)
    };
    let before = snapshot(&Store::open(&db).unwrap());
    assert_eq!(before.1.len(), 300);
    let mut caught = false;
    for attempt in 0..8 {
        // The store holds period 2026-10 from `a` (restored after an attempt whose kill came too late).
        if snapshot(&Store::open(&db).unwrap()) != before {
            let o = riskgrade(&[
                "run",
                "-s",
                db.to_str().unwrap(),
                "-p",
                "2026-10",
                "-d",
                a.to_str().unwrap(),
                "-q",
            ]);
            assert!(o.status.success(), "{}", text(&o).1);
            assert!(snapshot(&Store::open(&db).unwrap()) == before);
        }
        // Re-run the same period with another, larger input, and kill it once it writes.
        let mut child = Command::new(env!("CARGO_BIN_EXE_riskgrade"))
            .args([
                "run",
                "-s",
                db.to_str().unwrap(),
                "-p",
                "2026-10",
                "-m",
                &general(),
                "-d",
                b.to_str().unwrap(),
                "-q",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let threshold = (256 * 1024) >> attempt.min(6);
        let mut killed = false;
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(120) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) > threshold {
                child.kill().unwrap();
                killed = true;
                break;
            }
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
        let _ = child.wait();
        let store = Store::open(&db).unwrap();
        assert_eq!(store.integrity_check().unwrap(), "ok");
        let now = snapshot(&store);
        if now == before {
            assert!(killed, "the re-run ended without replacing the period");
            caught = true;
            break;
        }
        // The kill came after the commit: the new run is there whole, never a part of it.
        assert_eq!(now.1.len(), 60_000, "a partial period is visible");
    }
    assert!(caught, "no attempt was killed while writing");
}

fn pool_csv() -> String {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/inspectors/beijing-pool.csv"
    )
    .to_string()
}

#[test]
fn draw_verify_record_outcomes_evaluate_and_queue() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let db = db.to_str().unwrap();
    let oct = profiles(dir.path(), "oct.jsonl", 3000, 5, "2026-10-31");
    let o = riskgrade(&[
        "run",
        "-s",
        db,
        "-p",
        "2026-10",
        "-d",
        oct.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    let tasks = dir.path().join("tasks.csv");
    let o = riskgrade(&[
        "draw",
        "-s",
        db,
        "-p",
        "2026-10",
        "--pool",
        &pool_csv(),
        "--seed",
        "2026-11 lottery 42",
        "-o",
        tasks.to_str().unwrap(),
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("draw #1: plan `henan-2021`"), "{out}");
    let o = riskgrade(&["verify", "-s", db, "--draw", "1", "--pool", &pool_csv()]);
    assert!(o.status.success(), "{}", text(&o).1);
    assert!(text(&o).0.contains("identical"));
    // Outcomes for every task: a problem for every third one.
    let mut reader = csv::Reader::from_path(&tasks).unwrap();
    let mut outcomes = String::from("enterprise,date,result,severity\n");
    let mut n = 0;
    for (i, row) in reader.records().enumerate() {
        let row = row.unwrap();
        let result = if i % 3 == 0 {
            "problem,serious"
        } else {
            "no_problem,"
        };
        outcomes.push_str(&format!("{},2026-11-15,{result}\n", &row[1]));
        n += 1;
    }
    assert!(n > 10);
    let file = dir.path().join("outcomes.csv");
    std::fs::write(&file, &outcomes).unwrap();
    let o = riskgrade(&["outcomes", "-s", db, "--draw", "1", file.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains(&format!("{n} task(s) of draw #1 closed; 0 still open")),
        "{out}"
    );
    let o = riskgrade(&["evaluate", "-s", db, "--draw", "1"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("AUC"), "{out}");
    // Outcomes dated after the draw are not part of its history: it still re-draws the same.
    let o = riskgrade(&["verify", "-s", db, "--draw", "1", "--pool", &pool_csv()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "outcomes dated after the draw do not change it: {}",
        text(&o).1
    );
    let o = riskgrade(&["queue", "-s", db, "-p", "2026-10"]);
    assert!(text(&o).0.contains("alerts of 2026-10 by department"));
    // A bad outcome row is named, and nothing is recorded.
    std::fs::write(&file, "enterprise,date,result\nE0000001,2026-11-15,found\n").unwrap();
    let o = riskgrade(&["outcomes", "-s", db, "--draw", "1", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert!(
        text(&o).1.contains("row 1, column `result`: `found`"),
        "{}",
        text(&o).1
    );
}

#[test]
fn an_infeasible_pool_is_refused_with_the_shortfall_and_a_bad_plan_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let db = db.to_str().unwrap();
    let oct = profiles(dir.path(), "oct.jsonl", 2000, 5, "2026-10-31");
    let o = riskgrade(&[
        "run",
        "-s",
        db,
        "-p",
        "2026-10",
        "-d",
        oct.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    let pool = dir.path().join("pool.csv");
    std::fs::write(&pool, "id,name,department,district,capacity\nI1,Li Wei,market_regulation,Haidian,3\nI2,Wang Fang,market_regulation,Chaoyang,3\n").unwrap();
    let o = riskgrade(&[
        "draw",
        "-s",
        db,
        "-p",
        "2026-10",
        "--pool",
        pool.to_str().unwrap(),
        "--seed",
        "s",
    ]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(7), "{err}");
    assert!(err.contains("short"), "{err}");
    let store = riskgrade::store::Store::open(db).unwrap();
    assert!(
        store.draws().unwrap().is_empty(),
        "no partial draw is stored"
    );
    let plan = dir.path().join("p.toml");
    std::fs::write(
        &plan,
        "id = \"p\"\nname = \"p\"\nfloor = 0.01\n[class.A]\nratoi = 0.1\n",
    )
    .unwrap();
    let o = riskgrade(&["plan", "check", plan.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    assert!(text(&o).1.contains("p.toml:5:1"), "{}", text(&o).1);
}

#[test]
fn targeting_shows_the_plan_needs_fewer_inspections_than_uniform_sampling() {
    let o = riskgrade(&["targeting", "-n", "20000"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let line = out
        .lines()
        .find(|l| l.contains("fewer"))
        .unwrap_or_else(|| panic!("{out}"));
    let pct: f64 = line
        .split(": ")
        .nth(1)
        .unwrap()
        .split('%')
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(pct > 30.0, "{line}");
    assert!(out.contains("risk-based"), "{out}");
}

fn examples(rel: &str) -> String {
    format!("{}/../../examples/{rel}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn calibrate_writes_versions_and_compare_judges_them_on_outcomes() {
    let dir = tempfile::tempdir().unwrap();
    let v2 = dir.path().join("v2");
    let o = riskgrade(&[
        "calibrate",
        "ahp",
        "--model",
        &examples("models/reference.toml"),
        &examples("weights/general-ahp.toml"),
        "--out",
        v2.to_str().unwrap(),
        "--date",
        "2026-11-27",
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("the top level: λmax 5.0198, CI 0.0050, CR 0.0044"),
        "{out}"
    );
    assert!(out.contains("wrote version"), "{out}");
    let general = std::fs::read_to_string(v2.join("general.toml")).unwrap();
    assert!(general.contains("[[provenance]]\nmethod = \"ahp\"\ndate = \"2026-11-27\""));

    // Logistic calibration on simulated inspections, re-cut to shares, from the new version.
    let v3 = dir.path().join("v3");
    let saved = dir.path().join("outcomes.csv");
    let o = riskgrade(&[
        "calibrate",
        "outcomes",
        "-n",
        "8000",
        "--model",
        v2.join("reference.toml").to_str().unwrap(),
        "--shares",
        "0.65,0.25,0.07,0.03",
        "--save-outcomes",
        saved.to_str().unwrap(),
        "--out",
        v3.to_str().unwrap(),
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("on the held-out inspections"), "{out}");
    let general = std::fs::read_to_string(v3.join("general.toml")).unwrap();
    assert_eq!(general.matches("[[provenance]]").count(), 4, "{general}");
    assert!(
        general.contains("method = \"logistic\"")
            && general.contains("method = \"cutoffs-shares\"")
    );

    // Champion vs challenger on the saved outcomes.
    let o = riskgrade(&[
        "compare",
        "-n",
        "8000",
        "--against",
        v2.join("reference.toml").to_str().unwrap(),
        "--model",
        v3.join("reference.toml").to_str().unwrap(),
        "--outcomes",
        saved.to_str().unwrap(),
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("champion → challenger: AUC") && out.contains("class PSI"),
        "{out}"
    );

    // A typo in the judgements: a bad definition file (exit 3), the line and a suggestion.
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[matrix]]\nnode = \"supervison\"\norder = [\"a\"]\nrows = [[1]]\n",
    )
    .unwrap();
    let o = riskgrade(&["calibrate", "ahp", bad.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains(":1: model `general` has no node `supervison` (did you mean `supervision`?)"),
        "{err}"
    );
}

#[test]
fn calibrate_reads_outcomes_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let db = db.to_str().unwrap();
    let o = riskgrade(&[
        "demo", "-n", "6000", "--months", "1", "--start", "2026-01", "--store", db,
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    // The demo's first month is the synthetic population with the same size and seed.
    let o = riskgrade(&[
        "calibrate",
        "outcomes",
        "-n",
        "6000",
        "--as-of",
        "2026-01-31",
        "--store",
        db,
        "--period",
        "2026-01",
        "--holdout",
        "0.2",
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("logistic calibration of model `general` on "),
        "{out}"
    );
    assert!(out.contains("on the held-out inspections"), "{out}");
    // A period with no draw: exit 2 and says so.
    let o = riskgrade(&[
        "calibrate",
        "outcomes",
        "-n",
        "600",
        "--store",
        db,
        "--period",
        "2025-06",
    ]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no draw was made from period 2025-06"),
        "{err}"
    );
}

#[test]
fn calibrate_cutoffs_checks_the_rates_and_reaches_them() {
    let o = riskgrade(&["calibrate", "cutoffs", "-n", "500", "--rates", "D=0.4"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--rates: no rate for class `B`"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("outcomes.csv");
    let o = riskgrade(&[
        "calibrate",
        "outcomes",
        "-n",
        "20000",
        "--save-outcomes",
        saved.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    let o = riskgrade(&[
        "calibrate",
        "cutoffs",
        "-n",
        "20000",
        "--rates",
        "B=0.05,C=0.1,D=0.3",
        "--outcomes",
        saved.to_str().unwrap(),
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("from desired detection rates"), "{out}");
    // Each riskier class reaches its rate among the inspected.
    for (class, rate) in [("B", 5.0), ("C", 10.0), ("D", 30.0)] {
        let line = out
            .lines()
            .find(|l| l.trim_start().starts_with(class))
            .unwrap();
        let got: f64 = line
            .rsplit('(')
            .next()
            .unwrap()
            .trim_end_matches("%)")
            .parse()
            .unwrap();
        assert!(got >= rate, "{line}");
    }
}

#[test]
fn classify_in_small_batches_writes_what_one_batch_writes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("features.parquet");
    let o = riskgrade(&[
        "synth",
        "-n",
        "500",
        "--model",
        &general(),
        "--out",
        data.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    let run = |rows: &str, out: &Path| {
        let o = riskgrade(&[
            "classify",
            "--model",
            &general(),
            "--data",
            data.to_str().unwrap(),
            "--as-of",
            "2026-11-01",
            "--batch-rows",
            rows,
            "--out",
            out.to_str().unwrap(),
        ]);
        let (stdout, err) = text(&o);
        assert!(o.status.success(), "{err}");
        // The summary and rule counts, without the timing line.
        stdout
            .lines()
            .filter(|l| !l.starts_with("took ") && !l.starts_with("results written"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (small, whole) = (dir.path().join("small.csv"), dir.path().join("whole.csv"));
    let small_report = run("7", &small);
    let whole_report = run("100000", &whole);
    assert_eq!(small_report, whole_report);
    assert!(small_report.contains("500"), "{small_report}");
    let (a, b) = (
        std::fs::read(&small).unwrap(),
        std::fs::read(&whole).unwrap(),
    );
    assert_eq!(a, b);
    assert_eq!(String::from_utf8(a).unwrap().lines().count(), 501);
    let zero = riskgrade(&[
        "classify",
        "--data",
        data.to_str().unwrap(),
        "--batch-rows",
        "0",
    ]);
    assert_eq!(zero.status.code(), Some(2), "{}", text(&zero).1);
}
