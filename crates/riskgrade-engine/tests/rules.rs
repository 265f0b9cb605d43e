//! The rules pass over batches: every action, the running order, conflict
//! resolution, error policies, hostile scripts and per-rule statistics.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use riskgrade_core::{ColumnBuilder, Date, Enterprise, Frame, Identity, Problem, RawValue};
use riskgrade_engine::{ErrorPolicy, EvalError, Grader, Grades, Options, Outcome};
use riskgrade_model::{ModelError, ModelSet, examples};
use riskgrade_rules::{Action, Severity};

fn as_of() -> Date {
    "2026-11-01".parse().unwrap()
}

/// The general model with these rules (TOML `[[rule]]` entries) and a routing table.
fn set_with(rules: &str) -> Result<ModelSet, ModelError> {
    let text = format!(
        r#"
default = "general"
include = ["general.toml"]

[routing]
default = "credit"
[routing.topic.food]
by = "licence"
licence = "food_production"
[routing.topic.trade]
by = "industry"
[routing.licence]
food_production = "food division"
[routing.industry]
F52 = "commerce"

{rules}
"#
    );
    ModelSet::from_toml_str_with(&text, |name| {
        examples::FILES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
    })
}

fn set(rules: &str) -> Arc<ModelSet> {
    Arc::new(set_with(rules).unwrap())
}

/// One row per entry: an industry and some input values; other inputs are missing.
fn frame(set: &ModelSet, rows: &[(&str, &[(&str, RawValue<'_>)])]) -> Frame {
    let n = rows.len();
    let identity = Identity {
        ids: (0..n).map(|i| format!("E{i}")).collect(),
        names: vec![String::new(); n],
        industries: rows.iter().map(|(ind, _)| ind.to_string()).collect(),
        districts: vec![String::new(); n],
    };
    let mut cols = Vec::new();
    for (name, spec) in set.schema().inputs() {
        let mut b = ColumnBuilder::new(name, spec.ty);
        for (_, values) in rows {
            let v = values
                .iter()
                .find(|(n, _)| n == name)
                .map_or(RawValue::Missing, |(_, v)| *v);
            b.push(v);
        }
        let (col, issues) = b.finish();
        assert!(issues.is_empty(), "{name}: {issues:?}");
        cols.push((name.clone(), spec.ty, col, Vec::new()));
    }
    Frame::from_parts(identity, cols, Vec::new(), None)
}

fn grade(set: &Arc<ModelSet>, frame: &Frame, options: &Options) -> Grades {
    Grader::new(Arc::clone(set))
        .grade(frame, as_of(), options)
        .unwrap()
}

const LISTED: (&str, RawValue<'static>) = ("dishonest_listed", RawValue::Bool(true));
const OLD: (&str, RawValue<'static>) = ("years_in_operation", RawValue::Number(10.0));
/// Enough attributes on file for the general model's minimum evidence (`[insufficient]`),
/// for rows whose case is about something else.
const KNOWN: [(&str, RawValue<'static>); 5] = [
    ("registered_capital", RawValue::Number(500.0)),
    ("shareholders", RawValue::Integer(3)),
    ("paid_in_ratio", RawValue::Number(1.0)),
    ("debt_ratio", RawValue::Number(0.3)),
    ("insured_staff", RawValue::Integer(40)),
];

#[test]
fn every_action_reaches_the_grade_and_the_trace() {
    let s = set(r#"
[[rule]]
id = "veto"
stage = "before"
when = "dishonest_listed"
script = '''force_class("D", "listed"); label("重点监管"); alert("food", "listed food firm", "critical");'''

[[rule]]
id = "points"
stage = "after"
when = "complaints_1y >= 3"
script = '''adjust(complaints_1y * 10, "complaints"); alert("trade", "many complaints", "warning");'''

[[rule]]
id = "better"
stage = "after"
when = "class == 'B'"
script = '''promote("good signal")'''
"#);
    let f = frame(
        &s,
        &[
            ("F5211", &[&[LISTED, OLD], &KNOWN[..]].concat()),
            (
                "F5211",
                &[&[OLD, ("complaints_1y", RawValue::Integer(5))], &KNOWN[..]].concat(),
            ),
            ("F5211", &[&[OLD], &KNOWN[..]].concat()),
        ],
    );
    let g = grade(&s, &f, &Options::default());
    assert_eq!(g.insufficient_count(), 0);
    // Row 0: forced D, labelled, alert routed by the licence table.
    assert_eq!(g.class(0), Some("D"));
    assert_eq!(g.labels(0).collect::<Vec<_>>(), ["重点监管"]);
    let alert = g.alerts(0).next().unwrap();
    assert_eq!(alert.department.as_deref(), Some("food division"));
    assert!(matches!(
        alert.action,
        Action::Alert {
            severity: Severity::Critical,
            ..
        }
    ));
    assert_eq!(g.effects(0)[0].outcome, Outcome::Decided);
    assert!(g.reason_texts(&f, 0)[0].contains("listed -> D (veto)"));
    // Row 1: 50 points on top of the indicators, alert to the department in charge of F52.
    let base = g.base_score(1).unwrap();
    assert!((g.score(1).unwrap() - base - 50.0).abs() < 1e-9);
    assert_eq!(
        g.alerts(1).next().unwrap().department.as_deref(),
        Some("commerce")
    );
    // Row 2: no rule acted.
    assert!(g.effects(2).is_empty());
    assert_eq!(g.score(2), g.base_score(2));
    // Statistics.
    let st = g.rule_stats();
    assert_eq!(
        (st[0].rule.as_str(), st[0].fired, st[0].forced),
        ("veto", 1, 1)
    );
    assert_eq!((st[1].fired, st[1].points, st[1].alerts), (1, 50.0, 1));
    // The explanation shows the trace and both scores.
    let text = g.explain(&f, 1).to_string();
    assert!(text.contains("rules +50"), "{text}");
    assert!(text.contains("complaints: +50 points (points)"), "{text}");
}

#[test]
fn later_rules_see_the_score_and_class_so_far() {
    // `first` runs before `second` (priority); `second` sees the adjusted score.
    let s = set(r#"
[[rule]]
id = "second"
stage = "after"
priority = 1
script = '''if score >= 400.0 { label("saw the adjustment") }'''

[[rule]]
id = "first"
stage = "after"
priority = 2
script = '''adjust(400, "big")'''

[[rule]]
id = "third"
stage = "after"
when = "class == 'D'"
script = '''label("D so far")'''
"#);
    let f = frame(&s, &[("F5211", &[OLD])]);
    let g = grade(&s, &f, &Options::default());
    assert_eq!(
        g.labels(0).collect::<Vec<_>>(),
        ["saw the adjustment", "D so far"]
    );
    assert_eq!(g.class(0), Some("D"));
    let order: Vec<&str> = g.effects(0).iter().map(|e| &*e.rule).collect();
    assert_eq!(order, ["first", "second", "third"]);
}

#[test]
fn conflicts_resolve_predictably_and_show_in_the_trace() {
    let s = set(r#"
[[rule]]
id = "force_c"
stage = "before"
priority = 10
when = "dishonest_listed"
script = '''force_class("C", "mild veto")'''

[[rule]]
id = "force_d"
stage = "before"
when = "dishonest_listed"
script = '''force_class("D", "severe veto")'''

[[rule]]
id = "floor"
stage = "after"
when = "complaints_1y > 0"
script = '''at_least("C", "floor")'''

[[rule]]
id = "cap"
stage = "after"
when = "complaints_1y > 0"
script = '''at_most("A", "cap")'''
"#);
    let f = frame(
        &s,
        &[
            ("F5211", &[OLD, LISTED]),
            ("F5211", &[OLD, ("complaints_1y", RawValue::Integer(1))]),
            (
                "F5211",
                &[OLD, LISTED, ("complaints_1y", RawValue::Integer(1))],
            ),
        ],
    );
    let g = grade(&s, &f, &Options::default());
    // The most severe forced class wins, whatever the order.
    assert_eq!(g.class(0), Some("D"));
    let out: Vec<(&str, &Outcome)> = g
        .effects(0)
        .iter()
        .map(|e| (&*e.rule, &e.outcome))
        .collect();
    assert_eq!(
        out,
        [
            ("force_c", &Outcome::Overridden("force_d".into())),
            ("force_d", &Outcome::Decided)
        ]
    );
    // A floor beats a cap.
    assert_eq!(g.class(1), Some("C"));
    let out: Vec<(&str, &Outcome)> = g
        .effects(1)
        .iter()
        .map(|e| (&*e.rule, &e.outcome))
        .collect();
    assert_eq!(
        out,
        [
            ("cap", &Outcome::Overridden("floor".into())),
            ("floor", &Outcome::Decided)
        ]
    );
    // A forced class beats both.
    assert_eq!(g.class(2), Some("D"));
    assert!(
        g.effects(2)
            .iter()
            .filter(|e| matches!(&*e.rule, "floor" | "cap"))
            .all(|e| e.outcome == Outcome::Overridden("force_d".into()))
    );
}

const FLAKY: &str = r#"
[[rule]]
id = "flaky"
stage = "after"
when = "complaints_1y > 0"
script = '''
if complaints_1y == 7 { throw "seven is bad luck" }
adjust(10, "complaints")
'''
"#;

#[test]
fn a_failing_rule_fails_only_its_enterprise_under_each_policy() {
    let s = set(FLAKY);
    let rows: Vec<(&str, Vec<(&str, RawValue<'_>)>)> = (0..6)
        .map(|i| {
            (
                "F5211",
                vec![OLD, ("complaints_1y", RawValue::Integer(5 + i))],
            )
        })
        .collect();
    let rows: Vec<(&str, &[(&str, RawValue<'_>)])> =
        rows.iter().map(|(a, b)| (*a, b.as_slice())).collect();
    let f = frame(&s, &rows);

    // fail-row: row 2 (complaints 7) is not graded; its error names the rule and line.
    let g = grade(&s, &f, &Options::default());
    assert!(!g.is_graded(2));
    let issue = g.issues_of(2).next().unwrap();
    assert_eq!(issue.column, "rule:flaky");
    let text = issue.to_string();
    assert!(text.contains("rule `flaky`"), "{text}");
    assert!(text.contains("seven is bad luck"), "{text}");
    assert!(text.contains("line "), "{text}");
    for r in [0, 1, 3, 4, 5] {
        assert!(g.is_graded(r));
        assert!((g.score(r).unwrap() - g.base_score(r).unwrap() - 10.0).abs() < 1e-9);
    }
    assert_eq!(g.rule_stats()[0].errors, 1);
    assert_eq!(g.summary().failed, 1);

    // skip-rule: row 2 is graded without the rule; the error is still reported.
    let g = grade(
        &s,
        &f,
        &Options::default().on_rule_error(ErrorPolicy::SkipRule),
    );
    assert!(g.is_graded(2));
    assert_eq!(g.score(2), g.base_score(2));
    assert!(matches!(
        g.issues_of(2).next().unwrap().problem,
        Problem::Rule { skipped: true, .. }
    ));

    // abort: the batch stops, naming the row.
    let e = Grader::new(Arc::clone(&s))
        .grade(
            &f,
            as_of(),
            &Options::default().on_rule_error(ErrorPolicy::Abort),
        )
        .unwrap_err();
    assert!(matches!(e, EvalError::Rule { row: 2, .. }), "{e:?}");
    assert!(e.to_string().starts_with("row 3 (enterprise `E2`)"), "{e}");
}

#[test]
fn hostile_scripts_are_stopped_and_the_others_graded() {
    // A generous time budget, so that each script is stopped by the limit it is written to
    // hit (operations, call depth, string and array sizes) even on a loaded machine; the
    // time budget itself is tested on its own.
    let s = set(r#"
[rule_limits]
time_budget_ms = 10000

[[rule]]
id = "spin"
stage = "after"
when = "complaints_1y == 1"
script = '''loop { }'''

[[rule]]
id = "recurse"
stage = "after"
when = "complaints_1y == 2"
script = '''fn f(x) { f(x + 1) } f(0)'''

[[rule]]
id = "grow"
stage = "after"
when = "complaints_1y == 3"
script = '''let s = "x"; loop { s += s; }'''

[[rule]]
id = "hoard"
stage = "after"
when = "complaints_1y == 4"
script = '''let a = []; loop { a.push(1); }'''
"#);
    let rows: Vec<(&str, Vec<(&str, RawValue<'_>)>)> = (0..200)
        .map(|i| {
            (
                "F5211",
                vec![OLD, ("complaints_1y", RawValue::Integer(i % 10))],
            )
        })
        .collect();
    let rows: Vec<(&str, &[(&str, RawValue<'_>)])> =
        rows.iter().map(|(a, b)| (*a, b.as_slice())).collect();
    let f = frame(&s, &rows);
    let started = Instant::now();
    let g = grade(&s, &f, &Options::default());
    assert!(started.elapsed() < Duration::from_secs(60));
    for r in 0..200 {
        let c = r % 10;
        if (1..=4).contains(&c) {
            let issue = g.issues_of(r).next().unwrap().to_string();
            let expect = [
                "operations",
                "nest deeper",
                "exceeds its limit",
                "exceeds its limit",
            ][c - 1];
            assert!(issue.contains(expect), "row {r}: {issue}");
            assert!(!g.is_graded(r));
        } else {
            assert!(g.is_graded(r), "row {r}");
        }
    }
}

#[test]
fn rules_out_of_effect_do_not_run() {
    let s = set(r#"
[[rule]]
id = "off"
stage = "after"
enabled = false
script = '''label("off")'''

[[rule]]
id = "future"
stage = "after"
effective = "2027-01-01"
script = '''label("future")'''

[[rule]]
id = "past"
stage = "after"
expires = "2026-01-01"
script = '''label("past")'''

[[rule]]
id = "now"
stage = "after"
effective = "2026-01-01"
expires = "2027-01-01"
script = '''label("now")'''
"#);
    let f = frame(&s, &[("F5211", &[OLD])]);
    let g = grade(&s, &f, &Options::default());
    assert_eq!(g.labels(0).collect::<Vec<_>>(), ["now"]);
    let active: Vec<bool> = g.rule_stats().iter().map(|s| s.active).collect();
    assert_eq!(active, [false, false, false, true]);
    // Rules off: grading by the indicators alone.
    let g = grade(&s, &f, &Options::default().rules(false));
    assert!(g.effects(0).is_empty() && g.rule_stats().is_empty());
}

#[test]
fn record_helpers_read_profiles_or_a_matching_column() {
    let s = set(r#"
[[rule]]
id = "complaints_6m"
stage = "after"
script = '''let n = count("complaint", "6m"); if n > 0 { label(`${n} complaints in 6 months`) }'''

[[rule]]
id = "majors"
stage = "after"
when = "major_penalties_3y > 0"
script = '''label(`${count("penalty.major", "3y")} major, ${days_since("penalty")} days`)'''
"#);
    let profile: Enterprise = serde_json::from_str(
        r#"{"id":"P","industry":"F5211","registered":"2010-01-01","records":[
          {"kind":"complaint","date":"2026-10-01"},{"kind":"complaint","date":"2026-03-01"},
          {"kind":"penalty","date":"2026-10-22","severity":"major","amount":1000}]}"#,
    )
    .unwrap();
    let g = Grader::new(Arc::clone(&s))
        .grade_profiles(&[profile], as_of(), &Options::default())
        .unwrap();
    assert_eq!(
        g.labels(0).collect::<Vec<_>>(),
        ["1 complaints in 6 months", "1 major, 10 days"]
    );
    // Columns: `count("penalty.major", "3y")` and `days_since("penalty")` match declared
    // inputs, so they work; `count("complaint", "6m")` matches none, so that rule fails
    // on the row with a message that says what to do.
    let f = frame(
        &s,
        &[(
            "F5211",
            &[
                OLD,
                ("major_penalties_3y", RawValue::Integer(2)),
                ("days_since_penalty", RawValue::Integer(30)),
            ],
        )],
    );
    let g = grade(
        &s,
        &f,
        &Options::default().on_rule_error(ErrorPolicy::SkipRule),
    );
    assert_eq!(g.labels(0).collect::<Vec<_>>(), ["2 major, 30 days"]);
    let issue = g.issues_of(0).next().unwrap().to_string();
    assert!(issue.contains("columnar batch"), "{issue}");
    assert!(
        issue.contains(r#"derive = { fn = "count", record = "complaint", window = "6m" }"#),
        "{issue}"
    );
}

#[test]
fn rules_are_checked_against_the_model_when_the_set_loads() {
    let e = set_with(
        r#"
[[rule]]
id = "typo"
stage = "after"
when = "complaints_1y > 0"
script = '''
label("x");
if complaint_1y > 2 { adjust(5, "y") }
'''
"#,
    )
    .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains(
            "rule `typo` ((model set)) at line 24, column 4: unknown variable `complaint_1y`"
        ),
        "{text}"
    );
    assert!(
        text.contains("hint: did you mean `complaints_1y`?"),
        "{text}"
    );
    let e = set_with(
        r#"
[[rule]]
id = "bad_class"
stage = "after"
script = '''force_class("E", "x")'''
"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("no class `E`"), "{e}");
    let e = set_with(
        r#"
[[rule]]
id = "nothing"
stage = "after"
"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("has no script"), "{e}");
}

fn arb_profile() -> impl Strategy<Value = String> {
    let record = prop_oneof![
        (0i32..2000, 0usize..3, 0u32..1_000_000).prop_map(|(d, s, a)| format!(
            r#"{{"kind":"penalty","date":"{}","severity":"{}","amount":{a}}}"#,
            Date::from_days(19000 + d),
            ["minor", "general", "major"][s]
        )),
        (0i32..2000, 0usize..3, any::<bool>()).prop_map(|(d, k, entry)| format!(
            r#"{{"kind":"{}","date":"{}","action":"{}"}}"#,
            ["abnormal_list", "dishonest_list", "judgment_defaulter"][k],
            Date::from_days(19000 + d),
            if entry { "entry" } else { "removal" }
        )),
        (0i32..2000).prop_map(|d| format!(
            r#"{{"kind":"complaint","date":"{}"}}"#,
            Date::from_days(19000 + d)
        )),
        (0i32..2000, 0usize..4).prop_map(|(d, r)| format!(
            r#"{{"kind":"inspection","date":"{}","result":"{}"}}"#,
            Date::from_days(19000 + d),
            ["no_problem", "problem", "not_reachable", "refused"][r]
        )),
    ];
    (
        prop::sample::select(vec!["F5211", "C1431", "C2614", "I6513", "C1511"]),
        prop::collection::vec(record, 0..12),
        prop::option::of(0.0f64..1.0),
        prop::option::of(0i64..400),
    )
        .prop_map(|(ind, recs, share, staff)| {
            let mut attrs = Vec::new();
            if let Some(s) = share {
                attrs.push(format!(r#""related_defaulter_share":{s}"#));
            }
            if let Some(s) = staff {
                attrs.push(format!(r#""insured_staff":{s}"#));
            }
            format!(
                r#"{{"id":"X","industry":"{ind}","registered":"2015-01-01","attributes":{{{}}},"records":[{}]}}"#,
                attrs.join(","),
                recs.join(",")
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Arbitrary profiles through the reference set with its rules: nothing panics,
    /// every enterprise is graded or reported, and the results are identical with
    /// 1 and 3 threads.
    #[test]
    fn rules_never_panic_and_do_not_depend_on_threads(profiles in prop::collection::vec(arb_profile(), 1..60)) {
        let set = Arc::new(examples::reference().unwrap());
        let mut ps: Vec<Enterprise> = profiles.iter().map(|p| serde_json::from_str(p).unwrap()).collect();
        for (i, p) in ps.iter_mut().enumerate() {
            p.id = riskgrade_core::EnterpriseId(format!("E{i}"));
        }
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| {
                Grader::new(Arc::clone(&set)).grade_profiles(&ps, as_of(), &Options::default()).unwrap()
            })
        };
        let (a, b) = (run(1), run(3));
        for r in 0..ps.len() {
            prop_assert!(a.is_graded(r) || a.issues_of(r).next().is_some());
            prop_assert_eq!(a.score(r).map(f64::to_bits), b.score(r).map(f64::to_bits));
            prop_assert_eq!(a.class(r), b.class(r));
            prop_assert_eq!(a.effects(r), b.effects(r));
        }
    }
}

#[test]
fn a_set_file_sets_the_limits_of_its_rules() {
    let s = set(r#"
[rule_limits]
max_operations = 500
time_budget_ms = 1000

[[rule]]
id = "counting"
stage = "after"
script = '''let i = 0; while i < 10000 { i += 1; }'''
"#);
    let f = frame(&s, &[("F5211", &[OLD])]);
    let g = grade(&s, &f, &Options::default());
    let issue = g.issues_of(0).next().unwrap().to_string();
    assert!(issue.contains("stopped after 500 operations"), "{issue}");
    assert!(s.to_json().contains("\"max_operations\":500"));
}
