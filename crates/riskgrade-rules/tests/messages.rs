//! Snapshots of the messages rule authors read: compile errors with the line,
//! column, caret and hint, `when` errors, and runtime errors at limits.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use riskgrade_core::InputType;
use riskgrade_rules::{Catalog, Limits, RuleError, RuleSpec, Rules, Stage};

fn catalog() -> Catalog {
    Catalog::new(vec![
        ("dishonest_listed".into(), InputType::Bool),
        ("penalties_3y".into(), InputType::Count),
        ("complaints_1y".into(), InputType::Count),
        ("industry_code".into(), InputType::Category),
    ])
    .indicators(["supervision.penalties.count", "social.complaints.count"])
    .classes(["A", "B", "C", "D"])
}

fn compile(stage: Stage, when: Option<&str>, script: &str) -> RuleError {
    let mut spec = RuleSpec::inline("my_rule", stage, script);
    spec.when = when.map(str::to_string);
    spec.file = Some("rules/reference.toml".into());
    spec.line = 12;
    Rules::compile(vec![spec], catalog(), Limits::default()).unwrap_err()
}

fn run(script: &str) -> RuleError {
    let mut spec = RuleSpec::inline("my_rule", Stage::After, script);
    spec.file = Some("rules/reference.toml".into());
    spec.line = 12;
    let limits = Limits::default()
        .max_operations(20_000)
        .time_budget(Duration::from_secs(5));
    let rules = Rules::compile(vec![spec], catalog(), limits).unwrap();
    rules.run_with(0, &[]).unwrap_err()
}

#[test]
fn syntax_error() {
    insta::assert_snapshot!(
        compile(
            Stage::After,
            None,
            "if penalties_3y > 1 {\n  adjust(10, \"x\"\n}"
        )
        .to_string()
    );
}

#[test]
fn unknown_variable() {
    insta::assert_snapshot!(
        compile(
            Stage::After,
            None,
            "let n = 1;\nif complaint_1y > 2 { adjust(5, \"y\") }"
        )
        .to_string()
    );
}

#[test]
fn score_before_scoring() {
    insta::assert_snapshot!(
        compile(Stage::Before, None, "if score > 300.0 { label(\"x\") }").to_string()
    );
}

#[test]
fn unknown_record_type_in_a_helper() {
    insta::assert_snapshot!(
        compile(
            Stage::After,
            None,
            "if count(\"penalties\", \"1y\") > 2 { label(\"x\") }"
        )
        .to_string()
    );
}

#[test]
fn computed_helper_argument() {
    insta::assert_snapshot!(
        compile(
            Stage::After,
            None,
            "let kind = \"penalty\";\nif count(kind) > 2 { label(\"x\") }"
        )
        .to_string()
    );
}

#[test]
fn unknown_indicator() {
    insta::assert_snapshot!(
        compile(
            Stage::After,
            None,
            "adjust(points(\"social.complaint.count\"), \"x\")"
        )
        .to_string()
    );
}

#[test]
fn unknown_class() {
    insta::assert_snapshot!(
        compile(Stage::Before, None, "force_class(\"E\", \"very bad\")").to_string()
    );
}

#[test]
fn when_with_an_unknown_name() {
    insta::assert_snapshot!(
        compile(
            Stage::After,
            Some("penalty_3y > 0 && dishonest_listed"),
            "label(\"x\")"
        )
        .to_string()
    );
}

#[test]
fn when_with_a_text_for_a_number() {
    insta::assert_snapshot!(
        compile(Stage::After, Some("complaints_1y >= 'ten'"), "label(\"x\")").to_string()
    );
}

#[test]
fn runtime_type_error() {
    insta::assert_snapshot!(
        run("let x = 1;\nlet y = x + \"a\" * 2;\nlabel(\"never\")").to_string()
    );
}

#[test]
fn endless_loop() {
    insta::assert_snapshot!(run("let i = 0;\nloop { i += 1; }").to_string());
}

#[test]
fn runaway_recursion() {
    insta::assert_snapshot!(run("fn f(x) { f(x + 1) }\nf(0)").to_string());
}
