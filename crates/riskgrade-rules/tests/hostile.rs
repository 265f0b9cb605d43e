//! Hostile rule authors: conditions and scripts built to exhaust the stack,
//! the memory or the clock are refused when the rules compile, with a
//! position, or stopped on the one enterprise they run on.
#![allow(clippy::unwrap_used)]

use riskgrade_core::InputType;
use riskgrade_rules::{Catalog, Dynamic, Guard, Limits, RuleError, RuleSpec, Rules, Spent, Stage};

fn catalog() -> Catalog {
    Catalog::new(vec![
        ("dishonest_listed".into(), InputType::Bool),
        ("complaints_1y".into(), InputType::Count),
    ])
    .classes(["A", "B", "C", "D"])
}

fn with_when(cond: &str) -> Result<Rules, RuleError> {
    Rules::compile(
        vec![RuleSpec::inline("r", Stage::Before, "label(\"x\")").when(cond)],
        catalog(),
        Limits::default(),
    )
}

fn script(text: &str) -> Result<Rules, RuleError> {
    script_with(text, Limits::default())
}

fn script_with(text: &str, limits: Limits) -> Result<Rules, RuleError> {
    Rules::compile(
        vec![RuleSpec::inline("r", Stage::Before, text)],
        catalog(),
        limits,
    )
}

fn when_column(e: &RuleError) -> usize {
    match e {
        RuleError::When { column, .. } => *column,
        other => panic!("expected a `when` error, got {other}"),
    }
}

/// Nesting of `(` and `!` (alone or mixed) is refused past the limit, at the
/// column where it passes it, however deep the text goes; up to the limit it parses.
#[test]
fn deeply_nested_conditions_are_refused_with_a_column() {
    let d = Guard::MAX_DEPTH;
    let nest = |open: &str, n: usize, close: &str| {
        format!("{}dishonest_listed{}", open.repeat(n), close.repeat(n))
    };
    for (open, close) in [("(", ")"), ("!", ""), ("!(", ")"), ("(!", ")")] {
        let per = open.chars().count();
        // Up to the limit: fine.
        let levels = d / per;
        assert!(
            with_when(&nest(open, levels, close)).is_ok(),
            "{open} x {levels}"
        );
        // 10,000 and 20,000 levels: an error at the first level too many, no stack overflow.
        for n in [levels + 1, 10_000, 20_000] {
            let text = nest(open, n, close);
            let e = with_when(&text).unwrap_err();
            assert_eq!(when_column(&e), d + 1, "{open} x {n}");
            assert!(e.to_string().contains("levels deep"), "{e}");
        }
    }
    // Long `&&` / `||` chains are flat, not deep: fine up to the length limit.
    let chain = vec!["complaints_1y > 1"; 150].join(" && ");
    assert!(with_when(&chain).is_ok());
    let chain = vec!["dishonest_listed"; 2000].join(" || ");
    let e = with_when(&chain).unwrap_err();
    assert_eq!(when_column(&e), Guard::MAX_LEN + 1);
    // The error shows an excerpt around the column, not the whole condition.
    assert!(e.to_string().len() < 1000, "{}", e.to_string().len());
}

/// Templates nested inside templates are refused with a position before Rhai sees them.
#[test]
fn deeply_nested_templates_are_refused_with_a_position() {
    let mut s = "1".to_string();
    for _ in 0..5000 {
        s = format!("`${{{s}}}`");
    }
    let e = script(&format!("label({s})")).unwrap_err();
    let RuleError::Compile { at, message, .. } = &e else {
        panic!("{e}")
    };
    assert_eq!(at.line, 1);
    assert!(at.column > 1, "{e}");
    assert!(message.contains("nest"), "{e}");
}

fn run(rules: &Rules) -> Result<Vec<riskgrade_rules::Action>, RuleError> {
    rules.run_with(0, &[("complaints_1y", Dynamic::from(3_i64))])
}

/// Every kind of action, called in a loop, stops at the effect limit with an
/// error naming the rule and the call; texts longer than the limit are refused.
#[test]
fn effect_floods_stop_at_the_limits() {
    let floods = [
        "loop { label(\"x\") }",
        "loop { adjust(1, \"x\") }",
        "loop { alert(\"food\", \"x\", \"info\") }",
        "loop { demote(\"x\") }",
        "loop { at_least(\"B\", \"x\") }",
        "for i in 0..100000 { label(`l${i}`) }",
    ];
    for f in floods {
        let e = run(&script(f).unwrap()).unwrap_err();
        assert_eq!(e.rule(), "r");
        assert!(e.to_string().contains("more than 64 effects"), "{f}: {e}");
        assert!(e.to_string().contains("line 1"), "{f}: {e}");
    }
    // One text too long.
    let e =
        run(&script("let s = \"x\"; for i in 0..11 { s += s; } label(s)").unwrap()).unwrap_err();
    assert!(
        e.to_string()
            .contains("2048 bytes passes the limit of 1024"),
        "{e}"
    );
    let e = run(
        &script("let s = \"x\"; for i in 0..11 { s += s; } alert(\"t\", s, \"info\")").unwrap(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("limit of 1024"), "{e}");
    // Many texts under the length limit, too long together.
    let e = run(&script(
        "let s = \"x\"; for i in 0..9 { s += s; } for i in 0..40 { label(s + i) }",
    )
    .unwrap())
    .unwrap_err();
    assert!(e.to_string().contains("pass 16384 bytes"), "{e}");
    // What earlier rules took counts: 60 spent leaves 4.
    let rules = script("for i in 0..5 { label(`l${i}`) }").unwrap();
    assert_eq!(run(&rules).unwrap().len(), 5);
    let spent = Spent {
        effects: 60,
        bytes: 0,
    };
    assert!(rules.run_after(0, &[], &[], spent).is_err());
    let spent = Spent {
        effects: 59,
        bytes: 0,
    };
    assert_eq!(rules.run_after(0, &[], &[], spent).unwrap().len(), 5);
    // The limits themselves are configurable, under their ceilings.
    let small = Limits::default().max_effects(3).max_text_len(4);
    let e = run(&script_with("for i in 0..4 { label(`l${i}`) }", small).unwrap()).unwrap_err();
    assert!(e.to_string().contains("more than 3 effects"), "{e}");
    assert!(run(&script_with("label(\"12345\")", small).unwrap()).is_err());
}

/// Every limit keeps its ceiling when asked for more.
#[test]
fn limits_have_ceilings() {
    let huge = Limits::default()
        .max_operations(u64::MAX)
        .max_call_levels(usize::MAX)
        .max_expr_depth(usize::MAX)
        .max_string_size(usize::MAX)
        .max_array_size(usize::MAX)
        .max_map_size(usize::MAX)
        .time_budget(std::time::Duration::MAX)
        .max_effects(usize::MAX)
        .max_text_len(usize::MAX)
        .max_effect_bytes(usize::MAX)
        .batch_budget(std::time::Duration::MAX);
    assert_eq!(huge, Limits::CEILING);
    // At the ceilings, an endless loop still stops.
    let e = run(&script_with("loop { }", huge).unwrap()).unwrap_err();
    assert!(e.to_string().contains("stopped"), "{e}");
}

/// Calls that read the clock, wait or exit are refused when the rules compile,
/// with the position of the call; reached through a computed name they fail.
#[test]
fn clock_sleep_and_exit_are_refused_at_load() {
    for (src, col) in [
        ("timestamp()", 1),
        (
            "let t = timestamp(); if t.elapsed > 1.0 { label(\"x\") }",
            9,
        ),
        ("label(\"x\");\n  sleep(1)", 3),
        ("let x = 1;\nexit(3)", 1),
        ("let t = 1; t.elapsed", 14),
    ] {
        let e = script(src).unwrap_err();
        let RuleError::Compile {
            at,
            message,
            source_line,
            ..
        } = &e
        else {
            panic!("{src}: {e}")
        };
        assert_eq!(at.column, col, "{src}: {e}");
        assert!(message.contains("which rules may not do"), "{e}");
        assert!(source_line.is_some());
    }
    // Through a function pointer, by a computed name: the call fails at run time.
    for src in [
        "let f = Fn(\"time\" + \"stamp\"); f.call()",
        "let f = Fn(\"sl\" + \"eep\"); f.call(100)",
        "let f = Fn(\"sl\" + \"eep\"); f.call(100.0)",
    ] {
        match script(src) {
            Err(e) => assert!(e.to_string().contains("line 1"), "{src}: {e}"),
            Ok(rules) => {
                let started = std::time::Instant::now();
                let e = run(&rules).unwrap_err();
                assert!(started.elapsed() < std::time::Duration::from_secs(5));
                assert!(
                    e.to_string().contains("not available to rules"),
                    "{src}: {e}"
                );
            }
        }
    }
}
