//! Rule scripts: actions, ordering, error positions and hostile scripts stopped by limits.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use riskgrade_rules::{
    Action, Dynamic, Limits, RuleError, RuleSpec, Rules, Scored, Severity, Stage,
};

const INPUTS: [&str; 3] = ["dishonest_listed", "penalties_3y", "complaints_1y"];

fn values(dishonest: bool, penalties: i64, complaints: i64) -> Vec<(&'static str, Dynamic)> {
    vec![
        ("dishonest_listed", dishonest.into()),
        ("penalties_3y", penalties.into()),
        ("complaints_1y", complaints.into()),
    ]
}

fn one(stage: Stage, script: &str) -> Result<Rules, RuleError> {
    Rules::compile(
        vec![RuleSpec::inline("r", stage, script)],
        &INPUTS,
        Limits::default(),
    )
}

#[test]
fn every_action_is_recorded_in_order() {
    let rules = one(
        Stage::After,
        r#"
        if penalties_3y >= 2 { adjust(50, "repeated penalties") }
        if complaints_1y > 5 { adjust(12.5, "complaint surge"); label("重点监管") }
        if score > 100.0 { at_least("C", "high score") }
        if class == "A" { at_most("B", "positive signal") }
        alert("food_safety", "check the licence", "warning");
        "#,
    )
    .unwrap();
    let scored = Scored {
        score: 120.0,
        class: "A".into(),
    };
    let actions = rules.run(0, &values(false, 3, 9), Some(&scored)).unwrap();
    assert_eq!(
        actions,
        vec![
            Action::Adjust {
                points: 50.0,
                reason: "repeated penalties".into()
            },
            Action::Adjust {
                points: 12.5,
                reason: "complaint surge".into()
            },
            Action::Label {
                label: "重点监管".into()
            },
            Action::AtLeast {
                class: "C".into(),
                reason: "high score".into()
            },
            Action::AtMost {
                class: "B".into(),
                reason: "positive signal".into()
            },
            Action::Alert {
                topic: "food_safety".into(),
                message: "check the licence".into(),
                severity: Severity::Warning
            },
        ]
    );
    // Actions do not leak from one run into the next.
    let quiet = rules
        .run(
            0,
            &values(false, 0, 0),
            Some(&Scored {
                score: 10.0,
                class: "B".into(),
            }),
        )
        .unwrap();
    assert_eq!(quiet.len(), 1, "only the unconditional alert: {quiet:?}");
}

#[test]
fn rules_run_by_stage_then_priority_then_id() {
    let mut specs = vec![
        RuleSpec::inline("b_after", Stage::After, ""),
        RuleSpec::inline("a_after", Stage::After, ""),
        RuleSpec::inline("veto", Stage::Before, ""),
        RuleSpec::inline("urgent_after", Stage::After, ""),
    ];
    specs[3].priority = 10;
    let rules = Rules::compile(specs, &INPUTS, Limits::default()).unwrap();
    let ids: Vec<&str> = rules
        .order()
        .into_iter()
        .map(|i| rules.specs().nth(i).unwrap().id.as_str())
        .collect();
    assert_eq!(ids, ["veto", "urgent_after", "a_after", "b_after"]);
}

#[test]
fn compile_errors_point_at_the_line_and_column_and_suggest_a_fix() {
    let e = one(
        Stage::Before,
        "if dishonest_listd {\n  force_class(\"D\", \"listed\")\n}",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "rule `r` at line 1, column 4: unknown variable `dishonest_listd`\n1 | if dishonest_listd {\n  |    ^\nhint: did you mean `dishonest_listed`?"
    );
    let e = one(Stage::Before, "if score > 10 { force_class(\"D\", \"x\") }").unwrap_err();
    assert!(
        e.to_string().contains(
            "hint: `score` is only known after scoring; set the rule's stage to \"after\""
        ),
        "{e}"
    );
    let e = one(Stage::After, "let x = ;").unwrap_err();
    assert!(matches!(e, RuleError::Compile { line: 1, .. }), "{e:?}");
    let dup = Rules::compile(
        vec![
            RuleSpec::inline("x", Stage::After, ""),
            RuleSpec::inline("x", Stage::After, ""),
        ],
        &INPUTS,
        Limits::default(),
    )
    .unwrap_err();
    assert_eq!(dup.to_string(), "rule `x` is declared twice");
}

#[test]
fn runtime_errors_name_the_rule_and_position() {
    let rules = one(
        Stage::After,
        "let x = penalties_3y + \"a\" * 2;\nalert(\"t\", \"m\", \"loud\")",
    )
    .unwrap();
    let e = rules
        .run(
            0,
            &values(false, 1, 0),
            Some(&Scored {
                score: 0.0,
                class: "A".into(),
            }),
        )
        .unwrap_err();
    assert_eq!(e.rule(), "r");
    assert!(matches!(e, RuleError::Runtime { line: 1, .. }), "{e:?}");
    let rules = one(Stage::After, "alert(\"t\", \"m\", \"loud\")").unwrap();
    let e = rules
        .run(
            0,
            &values(false, 1, 0),
            Some(&Scored {
                score: 0.0,
                class: "A".into(),
            }),
        )
        .unwrap_err();
    assert!(
        e.to_string().contains("alert severity `loud` is not known"),
        "{e}"
    );
}

/// Hostile scripts are stopped within their limits and reported; the next run works.
#[test]
fn hostile_scripts_are_stopped() {
    let limits = Limits::default()
        .max_operations(50_000)
        .time_budget(Duration::from_millis(200));
    let cases = [
        ("loop", "loop { }", "operations"),
        ("while", "let i = 0; while true { i += 1; }", "operations"),
        ("recursion", "fn f(x) { f(x + 1) } f(0)", "nest deeper"),
        (
            "string",
            "let s = \"x\"; loop { s += s; }",
            "exceeds its limit",
        ),
        (
            "array",
            "let a = []; loop { a.push(1); }",
            "exceeds its limit",
        ),
        // Whichever limit trips first, the map or the operations, the run stops.
        (
            "map",
            "let m = #{}; let i = 0; loop { m[`k${i}`] = i; i += 1; }",
            "stopped after 50000 operations",
        ),
    ];
    for (id, script, expect) in cases {
        let rules = Rules::compile(
            vec![RuleSpec::inline(id, Stage::Before, script)],
            &INPUTS,
            limits,
        )
        .unwrap();
        let started = Instant::now();
        let e = rules.run(0, &values(false, 0, 0), None).unwrap_err();
        assert!(e.to_string().contains(expect), "{id}: {e}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{id} ran for {:?}",
            started.elapsed()
        );
    }
    // A time budget stops a slow but finite script even under a generous operations limit.
    let slow = Limits::default()
        .max_operations(u64::MAX)
        .time_budget(Duration::from_millis(20));
    let rules = Rules::compile(
        vec![RuleSpec::inline(
            "slow",
            Stage::Before,
            "let i = 0; while i < 1_000_000_000 { i += 1; }",
        )],
        &INPUTS,
        slow,
    )
    .unwrap();
    let e = rules.run(0, &values(false, 0, 0), None).unwrap_err();
    assert!(e.to_string().contains("time budget"), "{e}");
}

#[test]
fn scripts_cannot_reach_outside() {
    // No modules, no eval.
    assert!(
        one(Stage::Before, "import \"fs\" as fs;").is_err() || {
            let r = one(Stage::Before, "import \"fs\" as fs;").unwrap();
            r.run(0, &values(false, 0, 0), None).is_err()
        }
    );
    assert!(one(Stage::Before, "eval(\"1\")").is_err());
}

#[test]
fn rules_are_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Rules>();
    let rules = one(
        Stage::Before,
        "if dishonest_listed { force_class(\"D\", \"listed\") }",
    )
    .unwrap();
    std::thread::scope(|s| {
        for t in 0..4 {
            let rules = &rules;
            s.spawn(move || {
                for i in 0..200 {
                    let listed = (i + t) % 3 == 0;
                    let a = rules.run(0, &values(listed, 0, 0), None).unwrap();
                    assert_eq!(a.len(), usize::from(listed));
                }
            });
        }
    });
}
