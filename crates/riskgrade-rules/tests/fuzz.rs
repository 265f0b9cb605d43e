//! A standing fuzz harness for the rules compiler and the `when` parser:
//! whatever the text, compiling gives rules or a positioned error, and running
//! a compiled rule gives actions or a positioned error, within its limits and
//! never a panic. Inputs that once failed are kept in `tests/corpus/` and
//! replayed on every run. `PROPTEST_CASES=20000 cargo test -p riskgrade-rules
//! --test fuzz` runs longer (see docs/fuzzing.md).
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use riskgrade_core::InputType;
use riskgrade_rules::{Catalog, Dynamic, Limits, RuleError, RuleSpec, Rules, Stage};

fn catalog() -> Catalog {
    Catalog::new(vec![
        ("dishonest_listed".into(), InputType::Bool),
        ("complaints_1y".into(), InputType::Count),
        ("debt_ratio".into(), InputType::Number),
        ("enterprise_type".into(), InputType::Category),
    ])
    .indicators(["social.complaints"])
    .classes(["A", "B", "C", "D"])
}

fn limits() -> Limits {
    Limits::default()
        .max_operations(20_000)
        .time_budget(Duration::from_millis(200))
}

/// A positioned error: a `when` column inside the text (or just after it), a
/// script line inside the script, or a rule-level error.
fn assert_positioned(e: &RuleError, text: &str) {
    match e {
        RuleError::When { column, .. } => {
            assert!(*column >= 1 && *column <= text.chars().count() + 1, "{e}");
        }
        RuleError::Compile { at, .. } => {
            assert!(at.line <= text.lines().count().max(1), "{e}");
        }
        RuleError::Runtime { .. } | RuleError::DuplicateId(_) | RuleError::BadId { .. } => {}
        other => panic!("unexpected error kind: {other}"),
    }
    // One line of the error is never the whole of a huge input.
    assert!(
        e.to_string().len() < 4096 + text.len().min(4096),
        "{}",
        e.to_string().len()
    );
}

/// Compiles a `when` condition; no panic, a guard or a positioned error.
fn check_when(text: &str) {
    let spec = RuleSpec::inline("r", Stage::After, "label(\"x\")").when(text);
    if let Err(e) = Rules::compile(vec![spec], catalog(), limits()) {
        assert_positioned(&e, text);
    }
}

/// Compiles and runs a script; no panic, bounded time, actions or a positioned error.
fn check_script(text: &str) {
    match Rules::compile(
        vec![RuleSpec::inline("r", Stage::After, text)],
        catalog(),
        limits(),
    ) {
        Err(e) => assert_positioned(&e, text),
        Ok(rules) => {
            let started = Instant::now();
            let values = [
                ("complaints_1y", Dynamic::from(3_i64)),
                ("score", Dynamic::from(500.0_f64)),
                ("class", Dynamic::from("B")),
            ];
            match rules.run_with(0, &values) {
                Ok(actions) => {
                    assert!(actions.len() <= limits().effects());
                    for a in &actions {
                        if let riskgrade_rules::Action::Adjust { points, .. } = a {
                            assert!(points.is_finite());
                        }
                    }
                }
                Err(e) => assert_eq!(e.rule(), "r"),
            }
            assert!(started.elapsed() < Duration::from_secs(10), "{text}");
        }
    }
}

/// Replays every input kept in `tests/corpus/<kind>/`.
fn replay(kind: &str, check: fn(&str)) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(kind);
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        check(&text);
        n += 1;
    }
    n
}

#[test]
fn corpus_inputs_that_once_failed_stay_fixed() {
    assert!(replay("when", check_when) >= 9);
    assert!(replay("scripts", check_script) >= 17);
}

/// Pieces of conditions, so that generated text is often nearly right.
fn when_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("(".to_string()),
        Just(")".to_string()),
        Just("!".to_string()),
        Just(" && ".to_string()),
        Just(" || ".to_string()),
        Just("dishonest_listed".to_string()),
        Just("complaints_1y".to_string()),
        Just("enterprise_type".to_string()),
        Just("class".to_string()),
        Just(" in [".to_string()),
        Just("]".to_string()),
        Just(",".to_string()),
        Just(" >= ".to_string()),
        Just(" == ".to_string()),
        Just("\"C\"".to_string()),
        Just("3".to_string()),
        Just("-1e400".to_string()),
        "[ -~]{0,3}",
        "\\PC{0,2}",
    ]
}

/// Pieces of scripts: actions, helpers, loops, blocks, literals, hostile calls.
fn script_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("label(\"x\");".to_string()),
        Just("alert(\"food\", \"m\", \"info\");".to_string()),
        Just("adjust(".to_string()),
        Just("1.7e308".to_string()),
        Just(", \"r\");".to_string()),
        Just("force_class(\"D\", \"v\");".to_string()),
        Just("if complaints_1y > 2 {".to_string()),
        Just("loop {".to_string()),
        Just("for i in 0..100 {".to_string()),
        Just("}".to_string()),
        Just("fn f(x) { f(x) }".to_string()),
        Just("f(1);".to_string()),
        Just("let s = \"ab\";".to_string()),
        Just("s += s;".to_string()),
        Just("`${".to_string()),
        Just("`".to_string()),
        Just("timestamp()".to_string()),
        Just("count(\"penalty.major\")".to_string()),
        Just(";\n".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("/*".to_string()),
        "[ -~]{0,4}",
    ]
}

/// 2,000 cases per property by default (about 20 seconds), or `PROPTEST_CASES`.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_when_condition_parses_or_is_refused_with_a_column(
        pieces in prop::collection::vec(when_piece(), 0..40),
        deep in 0usize..200,
    ) {
        let text = pieces.concat();
        check_when(&text);
        check_when(&format!("{}{text}{}", "(".repeat(deep), ")".repeat(deep)));
    }

    #[test]
    fn any_script_compiles_and_runs_or_is_refused_with_a_position(
        pieces in prop::collection::vec(script_piece(), 0..30),
    ) {
        check_script(&pieces.concat());
    }

    #[test]
    fn any_text_is_refused_or_compiled_without_panic(text in "\\PC{0,200}") {
        check_when(&text);
        check_script(&text);
    }
}
