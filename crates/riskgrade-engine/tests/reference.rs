//! The reference set's own rule tests (`examples/models/reference_rules.tests.toml`) pass
//! against the embedded reference set, so a change to the reference rules or models that
//! breaks a documented case fails here and not only under `riskgrade rules test`.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use riskgrade_engine::RuleTests;
use riskgrade_model::examples;

#[test]
fn the_reference_rules_pass_their_tests() {
    let set = Arc::new(examples::reference().unwrap());
    let tests =
        RuleTests::from_toml_str(examples::REFERENCE_RULE_TESTS, "reference_rules.tests.toml")
            .unwrap();
    let results = tests.run(&set);
    assert!(results.len() >= 29, "only {} cases", results.len());
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.passed())
        .map(ToString::to_string)
        .collect();
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    // Some cases show insufficient information.
    assert!(
        tests
            .cases
            .iter()
            .filter(|c| c.expect.insufficient == Some(true))
            .count()
            >= 3
    );
}

#[test]
fn an_insufficient_expectation_fails_when_it_does_not_hold() {
    let set = Arc::new(examples::reference().unwrap());
    let text = r#"
as_of = "2026-11-01"
[[case]]
name = "little on file, expected enough"
inputs = { years_in_operation = 8 }
expect = { insufficient = false }
[[case]]
name = "enough on file, expected too little"
inputs = { years_in_operation = 8, registered_capital = 500, shareholders = 3, paid_in_ratio = 1, debt_ratio = 0.3, insured_staff = 40 }
expect = { insufficient = true }
[[case]]
name = "little on file, about a class"
inputs = { years_in_operation = 8 }
expect = { class = "A" }
"#;
    let results = RuleTests::from_toml_str(text, "t.toml").unwrap().run(&set);
    assert_eq!(
        results[0].failures,
        ["insufficient: expected none, got `insufficient information: 0 of 19 inputs known, 5 needed -> at least B`"]
            .map(|s| s.replace("19", &set.model("general").unwrap().insufficient().unwrap().counted.len().to_string()))
    );
    assert_eq!(
        results[1].failures,
        ["insufficient: expected the enterprise below its model's minimum evidence; it meets it"]
    );
    assert_eq!(results[2].failures.len(), 2);
    assert!(results[2].failures[1].starts_with("note: insufficient information: "));
}
