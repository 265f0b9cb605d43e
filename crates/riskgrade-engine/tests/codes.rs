//! Industry codes through grading: every spelling of a food code is graded by
//! the food model and meets the same `when` conditions; codes that are not
//! GB/T 4754 codes are bad data or flagged, as the set's `[codes]` says.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use riskgrade_core::{Date, Enterprise};
use riskgrade_engine::{Grader, Options};
use riskgrade_model::{ModelSet, examples};

fn as_of() -> Date {
    "2026-11-01".parse().unwrap()
}

fn load(text: &str) -> Arc<ModelSet> {
    Arc::new(
        ModelSet::from_toml_str_with(text, |name| {
            examples::FILES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| *t)
        })
        .unwrap(),
    )
}

fn profiles(codes: &[&str]) -> Vec<Enterprise> {
    codes
        .iter()
        .enumerate()
        .map(|(i, code)| {
            serde_json::from_value(serde_json::json!({
                "id": format!("E{i}"), "industry": code, "registered": "2015-01-01",
                "credit_code": "91350100M000100Y43", "district": "Haidian",
                "records": [{"kind": "penalty", "date": "2026-06-01", "severity": "minor"}]
            }))
            .unwrap()
        })
        .collect()
}

const SPELLINGS: [&str; 5] = ["C1411", "1411", "c1411", "C 1411", " c 1411 "];

#[test]
fn every_spelling_is_graded_by_the_food_model_alike() {
    let set = load(examples::REFERENCE);
    let g = Grader::new(Arc::clone(&set))
        .grade_profiles(
            &profiles(&SPELLINGS),
            as_of(),
            &Options::default().strict(true),
        )
        .unwrap();
    for (r, spelling) in SPELLINGS.iter().enumerate() {
        assert_eq!(g.model(r).unwrap().id(), "food", "{spelling:?}");
        assert_eq!(g.score(r), g.score(0), "{spelling:?}");
        assert_eq!(g.class(r), g.class(0), "{spelling:?}");
    }
}

#[test]
fn every_spelling_meets_the_same_when_condition() {
    let rule = r#"
[[rule]]
id = "bakery"
stage = "after"
when = "industry in ['C141']"
script = 'label("bakery");'
"#;
    let text = format!("{}\n{rule}", examples::REFERENCE);
    let set = load(&text);
    let g = Grader::new(Arc::clone(&set))
        .grade_profiles(&profiles(&SPELLINGS), as_of(), &Options::default())
        .unwrap();
    for (r, spelling) in SPELLINGS.iter().enumerate() {
        let labels: Vec<&str> = g.labels(r).collect();
        assert!(labels.contains(&"bakery"), "{spelling:?}: {labels:?}");
    }
}

#[test]
fn a_bad_code_is_an_error_row_or_a_flag_as_the_set_says() {
    let codes = ["C1411", "ZZ99"];
    let set = load(examples::REFERENCE);
    let g = Grader::new(Arc::clone(&set))
        .grade_profiles(&profiles(&codes), as_of(), &Options::default())
        .unwrap();
    assert!(g.is_graded(0));
    assert!(
        !g.is_graded(1),
        "an unknown code is never graded by the default model"
    );
    let strict = Grader::new(Arc::clone(&set)).grade_profiles(
        &profiles(&codes),
        as_of(),
        &Options::default().strict(true),
    );
    assert!(strict.is_err(), "--strict refuses a bad industry code");

    let flag = load(&examples::REFERENCE.replace("industry = \"error\"", "industry = \"flag\""));
    let g = Grader::new(Arc::clone(&flag))
        .grade_profiles(&profiles(&codes), as_of(), &Options::default())
        .unwrap();
    assert!(g.is_graded(1));
    assert_eq!(g.model(1).unwrap().id(), "general");
    let issues: Vec<String> = g.issues().iter().map(ToString::to_string).collect();
    assert_eq!(
        issues,
        [
            "row 2, enterprise `E1`, column `industry`: `ZZ99` is not an industry code: a section letter and 2 to 4 digits, e.g. `C1411` (GB/T 4754-2017) (flagged; graded anyway)"
        ]
    );
}

#[test]
fn bad_credit_codes_and_districts_are_flagged_and_graded() {
    let set = load(examples::REFERENCE);
    let mut p = profiles(&["F5211", "F5211"]);
    p[1].credit_code = Some("91350100M000100Y4Z".into());
    p[1].district = "Nowhere".into();
    let g = Grader::new(Arc::clone(&set))
        .grade_profiles(&p, as_of(), &Options::default())
        .unwrap();
    assert!(g.is_graded(0) && g.is_graded(1));
    let issues: Vec<(usize, &str, bool)> = g
        .issues()
        .iter()
        .map(|i| (i.row, i.column.as_str(), i.problem.is_flag()))
        .collect();
    assert_eq!(issues, [(1, "credit_code", true), (1, "district", true)]);
    // Strict mode refuses flagged codes too.
    assert!(
        Grader::new(Arc::clone(&set))
            .grade_profiles(&p, as_of(), &Options::default().strict(true))
            .is_err()
    );
}
