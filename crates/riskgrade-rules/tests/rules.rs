//! Rule scripts: actions, ordering, error positions and hostile scripts stopped by limits.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use riskgrade_core::InputType;
use riskgrade_rules::{
    Action, Catalog, CmpOp, Dynamic, Guard, Helper, Limits, Lit, RuleError, RuleSpec, Rules,
    Severity, Stage, Test, Var,
};

fn catalog() -> Catalog {
    Catalog::new(vec![
        ("dishonest_listed".into(), InputType::Bool),
        ("penalties_3y".into(), InputType::Count),
        ("complaints_1y".into(), InputType::Count),
        ("enterprise_type".into(), InputType::Category),
    ])
    .indicators(["supervision.penalties.count", "social.complaints"])
    .classes(["A", "B", "C", "D"])
}

fn values(dishonest: bool, penalties: i64, complaints: i64) -> Vec<(&'static str, Dynamic)> {
    vec![
        ("dishonest_listed", dishonest.into()),
        ("penalties_3y", penalties.into()),
        ("complaints_1y", complaints.into()),
    ]
}

fn scored(
    mut v: Vec<(&'static str, Dynamic)>,
    score: f64,
    class: &str,
) -> Vec<(&'static str, Dynamic)> {
    v.push(("score", score.into()));
    v.push(("class", class.into()));
    v
}

fn one(stage: Stage, script: &str) -> Result<Rules, RuleError> {
    Rules::compile(
        vec![RuleSpec::inline("r", stage, script)],
        catalog(),
        Limits::default(),
    )
}

fn when(stage: Stage, cond: &str) -> Result<Rules, RuleError> {
    Rules::compile(
        vec![RuleSpec::inline("r", stage, "label(\"x\")").when(cond)],
        catalog(),
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
        if complaints_1y > 100 { promote("never") } else { promote("good record"); demote("but watch") }
        alert("food_safety", "check the licence", "warning");
        "#,
    )
    .unwrap();
    let actions = rules
        .run_with(0, &scored(values(false, 3, 9), 120.0, "A"))
        .unwrap();
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
            Action::Shift {
                steps: -1,
                reason: "good record".into()
            },
            Action::Shift {
                steps: 1,
                reason: "but watch".into()
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
        .run_with(0, &scored(values(false, 0, 0), 10.0, "B"))
        .unwrap();
    assert_eq!(quiet.len(), 3, "the shifts and the alert: {quiet:?}");
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
    let rules = Rules::compile(specs, catalog(), Limits::default()).unwrap();
    let ids: Vec<&str> = rules
        .order()
        .iter()
        .map(|&i| rules.rules()[i].id())
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
    assert!(
        matches!(e, RuleError::Compile { ref at, .. } if at.line == 1),
        "{e:?}"
    );
    let dup = Rules::compile(
        vec![
            RuleSpec::inline("x", Stage::After, ""),
            RuleSpec::inline("x", Stage::After, ""),
        ],
        catalog(),
        Limits::default(),
    )
    .unwrap_err();
    assert_eq!(dup.to_string(), "rule `x` is declared twice");
}

#[test]
fn runtime_errors_name_the_rule_and_position() {
    let rules = one(
        Stage::After,
        "let x = penalties_3y + \"a\" * 2;\nlabel(\"x\")",
    )
    .unwrap();
    let e = rules
        .run_with(0, &scored(values(false, 1, 0), 0.0, "A"))
        .unwrap_err();
    assert_eq!(e.rule(), "r");
    assert!(
        matches!(e, RuleError::Runtime { ref at, .. } if at.line == 1),
        "{e:?}"
    );
    let rules = one(
        Stage::After,
        "let s = \"lo\" + \"ud\"; alert(\"t\", \"m\", s)",
    )
    .unwrap();
    let e = rules
        .run_with(0, &scored(values(false, 1, 0), 0.0, "A"))
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
            catalog(),
            limits,
        )
        .unwrap();
        let started = Instant::now();
        let e = rules.run_with(0, &values(false, 0, 0)).unwrap_err();
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
        catalog(),
        slow,
    )
    .unwrap();
    let e = rules.run_with(0, &values(false, 0, 0)).unwrap_err();
    assert!(e.to_string().contains("time budget"), "{e}");
}

#[test]
fn scripts_cannot_reach_outside() {
    // No modules, no eval.
    assert!(
        one(Stage::Before, "import \"fs\" as fs;").is_err() || {
            let r = one(Stage::Before, "import \"fs\" as fs;").unwrap();
            r.run_with(0, &values(false, 0, 0)).is_err()
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
                    let a = rules.run_with(0, &values(listed, 0, 0)).unwrap();
                    assert_eq!(a.len(), usize::from(listed));
                }
            });
        }
    });
}

#[test]
fn errors_in_files_give_the_file_line() {
    let mut spec = RuleSpec::inline("r", Stage::Before, "let a = 1;\nif dishonest_listd { }");
    spec.file = Some("rules/reference.toml".into());
    spec.line = 40;
    let e = Rules::compile(vec![spec], catalog(), Limits::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "rule `r` (rules/reference.toml) at line 41, column 4: unknown variable `dishonest_listd`\n41 | if dishonest_listd { }\n   |    ^\nhint: did you mean `dishonest_listed`?"
    );
}

#[test]
fn when_conditions_parse_and_check_names_and_types() {
    let r = when(
        Stage::After,
        "dishonest_listed || (penalties_3y >= 2 && !(class == 'A')) || industry in [\"C13\", 'C14']",
    )
    .unwrap();
    let g = r.rules()[0].guard().unwrap();
    let Guard::Any(parts) = g else {
        panic!("{g:?}")
    };
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0], Guard::Test(Var::Input(0), Test::True));
    assert_eq!(
        parts[1],
        Guard::All(vec![
            Guard::Test(Var::Input(1), Test::Cmp(CmpOp::Ge, Lit::Number(2.0))),
            Guard::Not(Box::new(Guard::Test(
                Var::Class,
                Test::Cmp(CmpOp::Eq, Lit::Class(0))
            ))),
        ])
    );
    let mut vars = Vec::new();
    g.vars(&mut vars);
    assert_eq!(
        vars,
        [Var::Input(0), Var::Input(1), Var::Class, Var::Industry]
    );
    // Evaluation: a test on a missing value is false, negation flips it.
    let mut answer = |v: &Var, _: &Test| *v == Var::Industry;
    assert!(g.eval(&mut answer));

    let cases = [
        (
            "complaint_1y > 3",
            "rule `r`: in `when`, column 1: unknown name `complaint_1y`\n  | complaint_1y > 3\n  | ^\nhint: did you mean `complaints_1y`?",
        ),
        (
            "complaints_1y > 'many'",
            "rule `r`: in `when`, column 17: `complaints_1y` (count) cannot be compared with text\n  | complaints_1y > 'many'\n  |                 ^\nhint: write a number, e.g. `10` or `0.5`",
        ),
        (
            "penalties_3y",
            "rule `r`: in `when`, column 1: `penalties_3y` (count) is not a bool\n  | penalties_3y\n  | ^\nhint: compare it, e.g. `penalties_3y > 0`",
        ),
        (
            "penalties_3y = 2",
            "rule `r`: in `when`, column 14: `=` assigns; conditions compare\n  | penalties_3y = 2\n  |              ^\nhint: write `==`",
        ),
        (
            "score > 100",
            "rule `r`: in `when`, column 1: `score` is only known after scoring\n  | score > 100\n  | ^\nhint: set the rule's stage to \"after\"",
        ),
    ];
    for (cond, expect) in cases {
        let e = when(Stage::Before, cond).unwrap_err();
        assert_eq!(e.to_string(), expect, "{cond}");
    }
    let e = when(Stage::After, "class >= 'E'").unwrap_err();
    assert!(e.to_string().contains("no class `E`"), "{e}");
    let e = when(Stage::After, "enterprise_type > 'llc'").unwrap_err();
    assert!(
        e.to_string().contains("only be compared with `==` or `!=`"),
        "{e}"
    );
    assert!(when(Stage::After, "penalties_3y > 0 penalties_3y").is_err());
    assert!(when(Stage::After, "as_of >= '2026-13-01'").is_err());
    assert!(when(Stage::After, "as_of >= '2026-01-01' && score > 1e2").is_ok());
}

#[test]
fn helper_calls_are_read_and_checked_when_rules_compile() {
    let r = one(
        Stage::After,
        r#"
        // count("not_a_record") in a comment is ignored
        let n = count("penalty.major", "1y") + count("complaint");
        if days_since("inspection.problem") < 90 && listed("abnormal_list") { label("x") }
        if has_licence("food_production") { adjust(points("social.complaints") ?? 0.0, "p") }
        let t = `${complaints_1y} complaints`;
        "#,
    )
    .unwrap();
    let rule = &r.rules()[0];
    let names: Vec<(Helper, Vec<String>)> = rule
        .sites()
        .iter()
        .map(|s| (s.helper, s.args.clone()))
        .collect();
    assert_eq!(
        names,
        vec![
            (Helper::Count, vec!["penalty.major".into(), "1y".into()]),
            (Helper::Count, vec!["complaint".into()]),
            (Helper::DaysSince, vec!["inspection.problem".into()]),
            (Helper::Listed, vec!["abnormal_list".into()]),
            (Helper::HasLicence, vec!["food_production".into()]),
            (Helper::Points, vec!["social.complaints".into()]),
        ]
    );
    assert!(rule.reads_records());
    // Only the variables the script reads are passed to it.
    assert_eq!(rule.vars(), [Var::Input(2)]);
    // The host computes the helper values; the script sees them.
    let sites: Vec<Dynamic> = vec![
        Dynamic::from(2_i64),
        Dynamic::from(1_i64),
        Dynamic::from(30_i64),
        Dynamic::from(true),
        Dynamic::from(true),
        Dynamic::from(12.5_f64),
    ];
    let actions = r.run(0, &[Dynamic::from(4_i64)], &sites).unwrap();
    assert_eq!(
        actions,
        vec![
            Action::Label { label: "x".into() },
            Action::Adjust {
                points: 12.5,
                reason: "p".into()
            }
        ]
    );

    let cases = [
        (
            "count(\"penalty.huge\")",
            "`huge` is not a detail of `penalty` records",
        ),
        ("count(\"penalti\")", "did you mean `penalty`?"),
        ("count(\"penalty\", \"1 year\")", "write a period such as"),
        ("listed(\"penalty\")", "`penalty` is not a list"),
        (
            "points(\"social.complaint\")",
            "did you mean `social.complaints`?",
        ),
        (
            "let k = \"penalty\"; count(k)",
            "`count` takes 1 or 2 arguments written as text in quotes",
        ),
        ("force_class(\"E\", \"x\")", "no class `E`"),
        (
            "alert(\"t\", \"m\", \"loud\")",
            "alert severity `loud` is not known",
        ),
    ];
    for (script, expect) in cases {
        let e = one(Stage::After, script).unwrap_err();
        assert!(e.to_string().contains(expect), "{script}: {e}");
        assert!(
            matches!(e, RuleError::Compile { ref at, .. } if at.line == 1),
            "{e:?}"
        );
    }
    // A computed argument that the scan cannot see is a runtime error, not a wrong value.
    let r = one(Stage::After, "let f = Fn(\"count\"); f.call(\"penalty\")").unwrap();
    let e = r.run_with(0, &[]).unwrap_err();
    assert!(e.to_string().contains("written as text in quotes"), "{e}");
}

#[test]
fn lints_point_at_rules_that_cannot_matter_or_run_everywhere() {
    let mut off = RuleSpec::inline("off", Stage::After, "label(\"x\")").when("dishonest_listed");
    off.enabled = false;
    let rules = Rules::compile(
        vec![
            RuleSpec::inline("everywhere", Stage::After, "label(\"x\")"),
            RuleSpec::inline("inert", Stage::After, "let x = 1;").when("dishonest_listed"),
            off,
            RuleSpec::inline("fine", Stage::After, "label(\"x\")").when("dishonest_listed"),
        ],
        catalog(),
        Limits::default(),
    )
    .unwrap();
    let lints: Vec<(String, bool)> = rules
        .lints()
        .into_iter()
        .map(|l| (l.rule, l.message.contains("when")))
        .collect();
    assert_eq!(
        lints,
        [
            ("everywhere".to_string(), true),
            ("inert".to_string(), false),
            ("off".to_string(), false),
        ]
    );
}

#[test]
fn inputs_are_constants_and_missing_values_are_unit() {
    let r = one(Stage::Before, "penalties_3y = 5;").unwrap();
    assert!(r.run_with(0, &values(false, 1, 0)).is_err());
    let r = one(
        Stage::Before,
        "if complaints_1y == () { label(\"no complaints data\") } if (penalties_3y ?? 0) > 0 { label(\"p\") }",
    )
    .unwrap();
    assert_eq!(
        r.run_with(0, &[]).unwrap(),
        vec![Action::Label {
            label: "no complaints data".into()
        }]
    );
    // Integers and reals mix in comparisons and arithmetic.
    let r = one(
        Stage::After,
        "if score > 100 && penalties_3y * 1.5 > 2 { adjust(penalties_3y, \"n\") }",
    )
    .unwrap();
    assert_eq!(
        r.run_with(0, &scored(values(false, 2, 0), 150.0, "B"))
            .unwrap(),
        vec![Action::Adjust {
            points: 2.0,
            reason: "n".into()
        }]
    );
    let r = one(Stage::After, "adjust(1.0 / 0.0, \"inf\")").unwrap();
    assert!(r.run_with(0, &scored(vec![], 1.0, "A")).is_err());
}

#[test]
fn inputs_read_names_each_input_once_with_the_first_rule_reading_it() {
    let rules = Rules::compile(
        vec![
            RuleSpec::inline("veto", Stage::After, "label(\"x\")").when("dishonest_listed"),
            RuleSpec::inline(
                "penalties",
                Stage::After,
                "if penalties_3y > 2 { adjust(5.0, \"p\"); }",
            )
            .when("dishonest_listed || complaints_1y > 1"),
            RuleSpec::inline("quiet", Stage::After, "label(\"quiet\")"),
        ],
        catalog(),
        Limits::default(),
    )
    .unwrap();
    let read: Vec<(&str, &str)> = rules
        .inputs_read()
        .into_iter()
        .map(|(input, rule)| (input, rule.id()))
        .collect();
    assert_eq!(
        read,
        [
            ("dishonest_listed", "veto"),
            ("complaints_1y", "penalties"),
            ("penalties_3y", "penalties"),
        ]
    );
}
