//! `[insufficient]`: the least evidence a model needs, checked when the model loads.
#![allow(clippy::unwrap_used)]

use riskgrade_model::{InsufficientAction, ModelSet, Problem, examples};

fn model(insufficient: &str) -> Result<ModelSet, riskgrade_model::ModelError> {
    ModelSet::from_toml_str(&format!(
        r#"
id = "m"
scale = {{ min = 0, max = 100, higher = "risk" }}
defaults = {{ missing = 0 }}
[inputs.capital]
type = "number"
[inputs.staff]
type = "count"
[inputs.complaints]
type = "count"
derive = {{ fn = "count", record = "complaint", window = "1y" }}
[insufficient]
{insufficient}
[[node]]
path = "basic"
weight = 0.5
[[node]]
path = "basic.capital"
weight = 0.5
input = "capital"
score = {{ type = "bins", edges = [10], points = [50, 0] }}
[[node]]
path = "basic.staff"
weight = 0.5
input = "staff"
score = {{ type = "bins", edges = [10], points = [50, 0] }}
[[node]]
path = "social"
weight = 0.5
input = "complaints"
score = {{ type = "bins", edges = [1], points = [0, 100] }}
"#
    ))
}

fn problem(insufficient: &str) -> Problem {
    match model(insufficient).unwrap_err() {
        riskgrade_model::ModelError::Invalid { problem, .. } => problem,
        e => panic!("{e}"),
    }
}

#[test]
fn the_counted_inputs_default_to_the_indicators_inputs_that_are_not_derived() {
    let set = model("min_known = 1\naction = \"class\"\nclass = \"B\"").unwrap();
    let p = set.model("m").unwrap().insufficient().unwrap();
    assert_eq!(p.counted, ["capital", "staff"]);
    assert_eq!((p.action, p.class), (InsufficientAction::Class, Some(1)));
}

#[test]
fn a_bad_insufficient_table_is_refused_with_what_to_change() {
    let cases = [
        (
            "required = [\"captial\"]\naction = \"flag\"",
            "[insufficient] names input `captial`, which is not declared under [inputs] (did you mean `capital`?)",
        ),
        (
            "min_known = 3\naction = \"flag\"",
            "[insufficient] asks for min_known = 3 but counts only 2 input(s); lower it or list the inputs under `count`",
        ),
        (
            "action = \"class\"",
            "[insufficient] action `class` needs `class = \"…\"`, one of the model's classes",
        ),
        (
            "action = \"at_least\"\nclass = \"E\"",
            "[insufficient] action `at_least` names class `E`, which the model does not have",
        ),
        (
            "action = \"flag\"\nclass = \"B\"",
            "[insufficient] action `flag` takes no class (found `B`)",
        ),
    ];
    for (table, message) in cases {
        assert_eq!(problem(table).to_string(), message, "{table}");
    }
    let e = model("action = \"default\"").unwrap_err().to_string();
    assert!(e.contains("unknown variant `default`"), "{e}");
}

#[test]
fn the_reference_general_model_needs_evidence() {
    let set = examples::reference().unwrap();
    let p = set.model("general").unwrap().insufficient().unwrap();
    assert_eq!(p.required, ["years_in_operation"]);
    assert!(p.min_known >= 3 && p.counted.len() >= 15, "{p:?}");
    assert_eq!((p.action, p.class), (InsufficientAction::AtLeast, Some(1)));
}
