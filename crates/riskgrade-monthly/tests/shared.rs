//! The shared export: schema `riskgrade.shared/2` round-trips through every
//! format with names, credit codes, class names and list columns; `/1` still
//! imports; rows that contradict themselves are refused with their place.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use riskgrade_core::{Enterprise, Month};
use riskgrade_io::{Cell, read_table};
use riskgrade_monthly::{SchemaProblem, ShareError, export_period, import_period};
use riskgrade_store::{NewRun, ResultRow, Store};

fn period() -> Month {
    "2026-10".parse().unwrap()
}

/// A store holding period 2026-10: two graded rows (one with labels, alerts
/// and rules) and one not graded, with names and credit codes in its directory.
fn store(dir: &Path) -> Store {
    let mut store = Store::open(dir.join("a.db")).unwrap();
    let classes: Vec<String> = ["A", "B", "C", "D"].map(String::from).to_vec();
    let run = NewRun::new(period(), "2026-10-31".parse().unwrap(), "v1", classes);
    let mut w = store.begin_run(run).unwrap();
    let mut e1 = ResultRow::graded("E1", "general", 120.5, "A");
    e1.district = "110108".into();
    e1.industry = "F5211".into();
    let mut e2 = ResultRow::graded("E2", "food", 71.0, "D");
    e2.industry = "C1411".into();
    e2.labels = vec!["重点监管".into(), "食品安全".into()];
    e2.alerts =
        vec!["food_safety -> Food Production Safety Division (食品生产安全监督管理处)".into()];
    e2.rules = vec!["veto_dishonest_list".into(), "recent_major_penalty".into()];
    let e3 = ResultRow::failed(
        "E3",
        "column `industry`: industry `ZZ99` is not in GB/T 4754-2017",
    );
    for r in [&e1, &e2, &e3] {
        w.insert(r).unwrap();
    }
    w.commit().unwrap();
    let profiles: Vec<Enterprise> = [
        r#"{"id": "E1", "name": "Haidian Xinda Trading Co., Ltd.", "credit_code": "91350100M000100Y43", "industry": "F5211"}"#,
        r#"{"id": "E2", "name": "某某食品有限公司", "industry": "C1411"}"#,
    ]
    .iter()
    .map(|t| serde_json::from_str(t).unwrap())
    .collect();
    store.record_directory(&profiles).unwrap();
    store
}

fn column(path: &Path, name: &str) -> Vec<Cell> {
    let t = read_table(path).unwrap();
    let c = t.column(name).unwrap_or_else(|| panic!("no column {name}"));
    t.rows.iter().map(|r| r[c].clone()).collect()
}

fn texts(path: &Path, name: &str) -> Vec<String> {
    column(path, name)
        .into_iter()
        .map(|c| match c {
            Cell::Text(s) => s,
            Cell::Missing => String::new(),
            other => format!("{other:?}"),
        })
        .collect()
}

#[test]
fn the_export_carries_codes_names_class_names_and_lists() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let out = dir.path().join("shared.csv");
    assert_eq!(export_period(&store, period(), &out).unwrap(), 3);
    assert_eq!(texts(&out, "schema_version")[0], "riskgrade.shared/2");
    assert_eq!(texts(&out, "credit_code"), ["91350100M000100Y43", "", ""]);
    assert_eq!(
        texts(&out, "name"),
        ["Haidian Xinda Trading Co., Ltd.", "某某食品有限公司", ""]
    );
    assert_eq!(
        texts(&out, "class_name_zh"),
        ["信用风险低", "信用风险高", ""]
    );
    assert_eq!(
        texts(&out, "class_name_en"),
        ["low credit risk", "high credit risk", ""]
    );
    assert_eq!(texts(&out, "district"), ["110108", "", ""]);
    assert_eq!(texts(&out, "industry"), ["F5211", "C1411", ""]);
    assert_eq!(texts(&out, "labels")[1], r#"["重点监管","食品安全"]"#);
    assert_eq!(
        texts(&out, "rules")[1],
        r#"["veto_dishonest_list","recent_major_penalty"]"#
    );
    assert_eq!(texts(&out, "model_version")[0], "v1");
    assert_eq!(texts(&out, "as_of")[0], "2026-10-31");
}

#[test]
fn schema_2_round_trips_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    for ext in ["csv", "jsonl", "parquet"] {
        let first = dir.path().join(format!("first.{ext}"));
        export_period(&store, period(), &first).unwrap();
        let mut other = Store::open(dir.path().join(format!("b-{ext}.db"))).unwrap();
        let info = import_period(&mut other, &first, Some("district"), false).unwrap();
        assert_eq!(info.enterprises, 3, "{ext}");
        let again = dir.path().join(format!("again.{ext}"));
        export_period(&other, period(), &again).unwrap();
        let a = read_table(&first).unwrap();
        let b = read_table(&again).unwrap();
        assert_eq!(a.columns, b.columns, "{ext}");
        for (name, c) in a.columns.iter().enumerate().map(|(i, n)| (n.clone(), i)) {
            if name == "source" {
                continue; // the importing store records who sent the file
            }
            let left: Vec<&Cell> = a.rows.iter().map(|r| &r[c]).collect();
            let right: Vec<&Cell> = b.rows.iter().map(|r| &r[c]).collect();
            assert_eq!(left, right, "{ext}: column {name}");
        }
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn schema_1_still_imports() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "v1.csv",
        "schema_version,period,as_of,model_version,id,class,class_rank,score,labels,rules\n\
         riskgrade.shared/1,2026-10,2026-10-31,v1,E1,A,0,50,[watch]; 重点监管,r1 r2\n\
         riskgrade.shared/1,2026-10,2026-10-31,v1,E2,B,1,90,,\n",
    );
    let mut store = Store::open(dir.path().join("s.db")).unwrap();
    import_period(&mut store, &path, None, false).unwrap();
    let out = dir.path().join("out.jsonl");
    export_period(&store, period(), &out).unwrap();
    // `/1` text lists become `/2` lists; a label starting with `[` stays text.
    assert_eq!(texts(&out, "labels")[0], r#"["[watch]","重点监管"]"#);
    assert_eq!(texts(&out, "rules")[0], r#"["r1","r2"]"#);
}

fn refused(text: &str, ext: &str) -> (Option<usize>, Option<String>, SchemaProblem) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), &format!("bad.{ext}"), text);
    let mut store = Store::open(dir.path().join("s.db")).unwrap();
    match import_period(&mut store, &path, None, false) {
        Err(ShareError::Schema {
            row,
            column,
            problem,
            ..
        }) => {
            assert!(store.run(period()).unwrap().is_none(), "nothing stored");
            (row, column, problem)
        }
        other => panic!("expected a schema error, got {other:?}"),
    }
}

const ROW: &str = r#""schema_version":"riskgrade.shared/2","period":"2026-10","as_of":"2026-10-31","model_version":"v1""#;

#[test]
fn a_graded_row_without_its_score_is_refused() {
    // JSON Lines: the key absent, or null.
    for missing in ["", r#","score":null"#] {
        let text = format!(
            "{{{ROW},\"id\":\"E1\",\"class\":\"A\",\"class_rank\":0,\"score\":10}}\n\
             {{{ROW},\"id\":\"E2\",\"class\":\"A\",\"class_rank\":0{missing}}}\n"
        );
        assert_eq!(
            refused(&text, "jsonl"),
            (
                Some(2),
                Some("score".into()),
                SchemaProblem::NoScore("A".into())
            )
        );
    }
    // CSV: an empty cell.
    let text = "schema_version,period,as_of,model_version,id,class,class_rank,score\n\
                riskgrade.shared/1,2026-10,2026-10-31,v1,E1,B,1,\n";
    assert_eq!(
        refused(text, "csv"),
        (
            Some(1),
            Some("score".into()),
            SchemaProblem::NoScore("B".into())
        )
    );
}

#[test]
fn a_class_rank_that_contradicts_the_class_is_refused() {
    // One class at two ranks.
    let text = format!(
        "{{{ROW},\"id\":\"E1\",\"class\":\"A\",\"class_rank\":0,\"score\":10}}\n\
         {{{ROW},\"id\":\"E2\",\"class\":\"A\",\"class_rank\":3,\"score\":90}}\n"
    );
    assert_eq!(
        refused(&text, "jsonl"),
        (
            Some(2),
            Some("class_rank".into()),
            SchemaProblem::ClassAtTwoRanks {
                class: "A".into(),
                known: 0,
                found: 3
            }
        )
    );
    // Two classes at one rank.
    let text = format!(
        "{{{ROW},\"id\":\"E1\",\"class\":\"A\",\"class_rank\":0,\"score\":10}}\n\
         {{{ROW},\"id\":\"E2\",\"class\":\"D\",\"class_rank\":0,\"score\":90}}\n"
    );
    assert!(matches!(
        refused(&text, "jsonl"),
        (Some(2), Some(c), SchemaProblem::RankClash { rank: 0, .. }) if c == "class_rank"
    ));
}

#[test]
fn a_list_that_is_not_a_list_is_refused_in_schema_2() {
    let text = format!(
        "{{{ROW},\"id\":\"E1\",\"class\":\"A\",\"class_rank\":0,\"score\":10,\"labels\":\"[not json\"}}\n"
    );
    assert_eq!(
        refused(&text, "jsonl"),
        (
            Some(1),
            Some("labels".into()),
            SchemaProblem::NotAList("[not json".into())
        )
    );
}
