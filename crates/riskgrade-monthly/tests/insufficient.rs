//! The monthly run's report counts the enterprises graded with insufficient information.

use std::sync::Arc;

use riskgrade_core::{Enterprise, Month};
use riskgrade_engine::Options;
use riskgrade_monthly::{MonthInput, run_month};
use riskgrade_store::Store;

#[test]
fn the_run_report_counts_insufficient_information() {
    let set = Arc::new(riskgrade_model::examples::reference().expect("reference set"));
    let profiles: Vec<Enterprise> = [
        r#"{"id":"EMPTY","industry":"F5211"}"#,
        r#"{"id":"KNOWN","industry":"F5211","registered":"2012-03-01","attributes":{"registered_capital":500,"shareholders":3,"paid_in_ratio":1,"debt_ratio":0.3,"insured_staff":40}}"#,
        r#"{"id":"NODATE","industry":"F5211","attributes":{"registered_capital":500}}"#,
    ]
    .iter()
    .map(|s| serde_json::from_str(s).expect("profile"))
    .collect();
    let mut store = Store::in_memory().expect("store");
    let period: Month = "2026-10".parse().expect("month");
    let report = run_month(
        &mut store,
        &set,
        MonthInput::Profiles(&profiles),
        period,
        period.last_day(),
        &Options::default(),
    )
    .expect("run");
    assert_eq!(report.grades.insufficient_count(), 2);
    assert_eq!(report.grades.summary().insufficient, 2);
    let text = report.to_string();
    assert!(
        text.contains(
            "  insufficient information: 2 enterprise(s) below their model's minimum evidence"
        ),
        "{text}"
    );
    // Both are graded at least B by the reference general model.
    for id in ["EMPTY", "NODATE"] {
        let r = report.grades.row_of(id).expect("row");
        assert_eq!(report.grades.class(r), Some("B"), "{id}");
    }
}
