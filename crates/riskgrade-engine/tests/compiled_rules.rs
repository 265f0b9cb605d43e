//! Rules compiled to plans give exactly what the interpreter gives: random
//! rule sets (random `when` conditions, random straight sequences of actions
//! with constant and template arguments, and rules that must stay
//! interpreted) graded on random frames with compilation on and off, compared
//! on every row: score, class, labels, alerts, outcomes, trace, issues and
//! per-rule statistics.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use proptest::prelude::*;
use riskgrade_core::{ColumnBuilder, Date, Frame, Identity, RawValue};
use riskgrade_engine::{ErrorPolicy, Grader, Grades, Options};
use riskgrade_model::{ModelSet, examples};

fn as_of() -> Date {
    "2026-11-01".parse().unwrap()
}

/// The general model with these rules and limits, and a routing table.
fn set_with(rules: &str, max_effects: usize) -> ModelSet {
    let text = format!(
        r#"
default = "general"
include = ["general.toml"]

[rule_limits]
max_effects = {max_effects}

[routing]
default = "credit"
[routing.topic.food]
by = "licence"
licence = "food_production"
[routing.topic.trade]
by = "industry"
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
    .unwrap()
}

/// One row: industry, complaints, insured staff, debt ratio, listed, type (each maybe missing).
type Row = (
    &'static str,
    Option<i64>,
    Option<i64>,
    Option<f64>,
    Option<bool>,
    Option<&'static str>,
);

fn frame(set: &ModelSet, rows: &[Row]) -> Frame {
    let n = rows.len();
    let identity = Identity {
        ids: (0..n).map(|i| format!("E{i}")).collect(),
        names: vec![String::new(); n],
        industries: rows.iter().map(|r| r.0.to_string()).collect(),
        districts: vec![String::new(); n],
    };
    let mut cols = Vec::new();
    for (name, spec) in set.schema().inputs() {
        let mut b = ColumnBuilder::new(name, spec.ty);
        for &(_, complaints, staff, debt, listed, kind) in rows {
            let v = match name.as_str() {
                "complaints_1y" => complaints.map(RawValue::Integer),
                "insured_staff" => staff.map(RawValue::Integer),
                "debt_ratio" => debt.map(RawValue::Number),
                "dishonest_listed" => listed.map(RawValue::Bool),
                "enterprise_type" => kind.map(RawValue::Text),
                "years_in_operation" => Some(RawValue::Number(8.0)),
                _ => None,
            };
            b.push(v.unwrap_or(RawValue::Missing));
        }
        let (col, issues) = b.finish();
        assert!(issues.is_empty(), "{name}: {issues:?}");
        cols.push((name.clone(), spec.ty, col, Vec::new()));
    }
    Frame::from_parts(identity, cols, Vec::new(), None)
}

fn arb_row() -> impl Strategy<Value = Row> {
    (
        prop::sample::select(vec!["F5211", "C1431", "C2614", "I6513"]),
        prop::option::weighted(0.8, 0i64..8),
        prop::option::weighted(0.8, 0i64..120),
        prop::option::weighted(0.8, 0.0f64..1.5),
        prop::option::weighted(0.9, any::<bool>()),
        prop::option::weighted(
            0.8,
            prop::sample::select(vec!["private", "state", "foreign"]),
        ),
    )
}

/// A `when` condition (or none); `after` rules may read `score` and `class`.
fn arb_when(after: bool) -> impl Strategy<Value = Option<String>> {
    let mut conds = vec![
        "complaints_1y >= 2",
        "complaints_1y == 0",
        "insured_staff >= 50",
        "debt_ratio > 0.7",
        "dishonest_listed",
        "!dishonest_listed",
        "enterprise_type == 'private'",
        "industry in ['F52', 'C26']",
        "complaints_1y >= 1 || debt_ratio > 1.0",
        "!(complaints_1y >= 1 || dishonest_listed) && debt_ratio <= 0.5",
        "enterprise_type in ['private', 'state'] && !(industry in ['F52'])",
        "enterprise_type != 'state' || !(insured_staff < 10)",
        "model == 'general' && (debt_ratio > 0.3 || !dishonest_listed)",
    ];
    if after {
        conds.extend(["class >= 'B'", "class in ['B', 'C']", "score > 300"]);
    }
    prop::option::weighted(0.85, prop::sample::select(conds).prop_map(str::to_string))
}

/// One action call with constant or template arguments (`after` rules may read `class`).
fn arb_action(after: bool) -> impl Strategy<Value = String> {
    let class = prop::sample::select(vec!["A", "B", "C", "D"]);
    let mut texts = vec![
        "\"plain reason\"",
        "`staff ${insured_staff}`",
        "`in ${industry}, ${enterprise_type}`",
        "`${complaints_1y} complaints`",
        "\"重点监管\"",
    ];
    if after {
        texts.push("`class ${class} in ${model}`");
    }
    let text = prop::sample::select(texts);
    let points = prop::sample::select(vec![
        "40",
        "-25",
        "2.5",
        "-0.75",
        "debt_ratio",
        "complaints_1y",
    ]);
    prop_oneof![
        (class.clone(), text.clone()).prop_map(|(c, t)| format!("force_class(\"{c}\", {t})")),
        (class.clone(), text.clone()).prop_map(|(c, t)| format!("at_least(\"{c}\", {t})")),
        (class, text.clone()).prop_map(|(c, t)| format!("at_most(\"{c}\", {t})")),
        (points, text.clone()).prop_map(|(p, t)| format!("adjust({p}, {t})")),
        text.clone().prop_map(|t| format!("promote({t})")),
        text.clone().prop_map(|t| format!("demote({t})")),
        prop::sample::select(vec![
            "\"watch\"",
            "\"重点监管\"",
            "`type ${enterprise_type}`"
        ])
        .prop_map(|l| format!("label({l})")),
        (
            prop::sample::select(vec!["food", "trade", "other"]),
            text,
            prop::sample::select(vec!["info", "warning", "critical"])
        )
            .prop_map(|(topic, m, s)| format!("alert(\"{topic}\", {m}, \"{s}\")")),
    ]
}

/// Scripts the interpreter must run.
const INTERPRETED: [&str; 3] = [
    "if complaints_1y > 2 { label(\"many\"); } else { adjust(1, \"few\"); }",
    "let n = insured_staff ?? 0; adjust(n / 10, `staff ${n}`);",
    "adjust(complaints_1y * 3, \"complaints\");",
];

/// A rule: stage, priority, when, script, whether it must compile.
fn arb_rule() -> impl Strategy<Value = (bool, i64, Option<String>, String, bool)> {
    (any::<bool>(), -3i64..3)
        .prop_flat_map(move |(after, priority)| {
            let plain = prop::collection::vec(arb_action(after), 1..4)
                .prop_map(|v| (v.join(";\n") + ";", true));
            let interpreted =
                prop::sample::select(INTERPRETED.to_vec()).prop_map(|s| (s.to_string(), false));
            (
                Just(after),
                Just(priority),
                arb_when(after),
                prop_oneof![4 => plain, 1 => interpreted],
            )
        })
        .prop_map(|(after, p, when, (script, plain))| (after, p, when, script, plain))
}

fn rules_toml(rules: &[(bool, i64, Option<String>, String, bool)]) -> String {
    let mut out = String::new();
    for (k, (after, priority, when, script, _)) in rules.iter().enumerate() {
        let stage = if *after { "after" } else { "before" };
        out.push_str(&format!(
            "[[rule]]\nid = \"r{k}\"\nstage = \"{stage}\"\npriority = {priority}\n"
        ));
        if let Some(w) = when {
            out.push_str(&format!("when = \"{w}\"\n"));
        }
        out.push_str(&format!("script = '''\n{script}\n'''\n\n"));
    }
    out
}

fn assert_same(a: &Grades, b: &Grades) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.len(), b.len());
    for r in 0..a.len() {
        prop_assert_eq!(
            a.score(r).map(f64::to_bits),
            b.score(r).map(f64::to_bits),
            "row {}",
            r
        );
        prop_assert_eq!(a.class(r), b.class(r), "row {}", r);
        prop_assert_eq!(
            a.labels(r).collect::<Vec<_>>(),
            b.labels(r).collect::<Vec<_>>()
        );
        prop_assert_eq!(
            a.alerts(r).collect::<Vec<_>>(),
            b.alerts(r).collect::<Vec<_>>()
        );
        prop_assert_eq!(a.effects(r), b.effects(r), "row {}", r);
        let refs: Vec<_> = a.effect_refs(r).map(|e| e.to_effect()).collect();
        prop_assert_eq!(&refs[..], b.effects(r));
        prop_assert_eq!(
            a.rules_fired(r).collect::<Vec<_>>(),
            b.rules_fired(r).collect::<Vec<_>>()
        );
    }
    prop_assert_eq!(a.issues(), b.issues());
    prop_assert_eq!(a.rule_stats(), b.rule_stats());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn compiled_rules_give_what_the_interpreter_gives(
        rules in prop::collection::vec(arb_rule(), 1..8),
        rows in prop::collection::vec(arb_row(), 1..40),
        max_effects in prop::sample::select(vec![3usize, 6, 64]),
        policy in prop::sample::select(vec![ErrorPolicy::FailRow, ErrorPolicy::SkipRule]),
    ) {
        let set = Arc::new(set_with(&rules_toml(&rules), max_effects));
        for (rule, (.., plain)) in set.rules().rules().iter().zip(&rules) {
            // Straight sequences compile, unless the interpreter would refuse them
            // for every enterprise (more effects than the limit allows).
            if *plain && rule.plan().is_err() {
                let steps = rule.spec().script.matches(';').count();
                prop_assert!(steps > max_effects, "{}: {:?}", rule.id(), rule.plan().err());
            }
            if !*plain {
                prop_assert!(rule.plan().is_err(), "{} compiled", rule.id());
            }
        }
        let f = frame(&set, &rows);
        let grade = |compiled: bool, threads: usize| {
            let options = Options::default().compiled_rules(compiled).on_rule_error(policy);
            rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| {
                Grader::new(Arc::clone(&set)).grade(&f, as_of(), &options).unwrap()
            })
        };
        assert_same(&grade(true, 3), &grade(false, 1))?;
    }

    /// Batches of several chunks of rows: conditions checked a chunk at a time read the
    /// chunk's own rows.
    #[test]
    #[cfg_attr(miri, ignore)]
    fn conditions_checked_a_chunk_at_a_time_read_their_own_rows(
        rules in prop::collection::vec(arb_rule(), 1..6),
        rows in prop::collection::vec(arb_row(), 1000..2600),
    ) {
        let set = Arc::new(set_with(&rules_toml(&rules), 64));
        let f = frame(&set, &rows);
        let grade = |compiled: bool| {
            let options = Options::default().compiled_rules(compiled);
            Grader::new(Arc::clone(&set)).grade(&f, as_of(), &options).unwrap()
        };
        assert_same(&grade(true), &grade(false))?;
    }
}

#[test]
fn the_reference_rules_that_are_plain_sequences_run_compiled() {
    let set = examples::reference().unwrap();
    let compiled: Vec<&str> = set
        .rules()
        .rules()
        .iter()
        .filter(|r| r.plan().is_ok())
        .map(|r| r.id())
        .collect();
    for id in [
        "veto_dishonest_list",
        "positive_signal",
        "key_supervision_label",
    ] {
        assert!(compiled.contains(&id), "{id} not compiled: {compiled:?}");
    }
    assert!(
        set.rules()
            .rules()
            .iter()
            .any(|r| r.id() == "recent_major_penalty" && r.plan().is_err())
    );
}
