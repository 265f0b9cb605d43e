//! Errors of the monthly crate carry their place as data: file, row, column.

use std::io::Write as _;

use riskgrade_monthly::{
    InspectionError, SchemaProblem, ShareError, ValueProblem, import_period, read_outcomes,
    read_pool,
};
use riskgrade_store::Store;

fn file(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    let mut f = std::fs::File::create(&path).expect("create");
    f.write_all(text.as_bytes()).expect("write");
    (dir, path)
}

const HEADER: &str = "schema_version,period,as_of,model_version,id,class,class_rank,score\n";

#[test]
fn an_import_names_the_row_column_and_problem() {
    let text = format!(
        "{HEADER}riskgrade.shared/1,2026-10,2026-10-31,v1,E1,A,0,50\n\
         riskgrade.shared/1,2026-10,2026-10-31,v1,E2,B,1,90\n\
         riskgrade.shared/1,2026-10,2026-10-31,v1,E1,A,0,40\n"
    );
    let (_dir, path) = file("shared.csv", &text);
    let mut store = Store::in_memory().expect("store");
    let err = import_period(&mut store, &path, None, false).expect_err("duplicate id");
    match &err {
        ShareError::Schema {
            file,
            row,
            column,
            problem,
        } => {
            assert_eq!(file, &path);
            assert_eq!(*row, Some(3));
            assert_eq!(column.as_deref(), Some("id"));
            assert_eq!(problem, &SchemaProblem::DuplicateId("E1".into()));
        }
        other => panic!("expected a schema error, got {other:?}"),
    }
    assert!(
        err.to_string()
            .ends_with("row 3, column `id`: `E1` appears twice"),
        "{err}"
    );
    assert!(store.runs().expect("runs").is_empty());
}

#[test]
fn an_import_of_a_stored_period_needs_replace() {
    let text = format!("{HEADER}riskgrade.shared/1,2026-10,2026-10-31,v1,E1,A,0,50\n");
    let (_dir, path) = file("shared.csv", &text);
    let mut store = Store::in_memory().expect("store");
    import_period(&mut store, &path, Some("dept"), false).expect("first import");
    let err = import_period(&mut store, &path, None, false).expect_err("exists");
    assert!(
        matches!(&err, ShareError::PeriodExists { source_name, .. } if source_name == "dept"),
        "{err:?}"
    );
    import_period(&mut store, &path, None, true).expect("replace");
}

#[test]
fn pool_and_outcome_errors_name_row_and_column() {
    let (_d1, pool) = file(
        "pool.csv",
        "id,name,department,district,capacity\nI1,A,SAMR,D1,5\nI2,B,SAMR,D1,many\n",
    );
    match read_pool(&pool).expect_err("bad capacity") {
        InspectionError::Value {
            row,
            column,
            problem,
            ..
        } => {
            assert_eq!((row, column), (2, "capacity"));
            assert_eq!(problem, ValueProblem::Capacity("many".into()));
        }
        other => panic!("{other:?}"),
    }
    let (_d2, outcomes) = file(
        "outcomes.csv",
        "enterprise,date,result\nE1,2026-11-02,problem\nE2,2026-11-03,probelm\n",
    );
    match read_outcomes(&outcomes, 1).expect_err("typo") {
        InspectionError::Value {
            row,
            column,
            problem,
            ..
        } => {
            assert_eq!((row, column), (2, "result"));
            assert_eq!(problem, ValueProblem::Result("probelm".into()));
        }
        other => panic!("{other:?}"),
    }
    let (_d3, no_result) = file("o.csv", "enterprise,date\nE1,2026-11-02\n");
    assert!(matches!(
        read_outcomes(&no_result, 1),
        Err(InspectionError::MissingColumn { ref column, .. }) if column == "result"
    ));
}
