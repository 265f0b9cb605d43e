//! Insufficient information (信息不足): an enterprise its model knows too
//! little about is not graded as the safest class. The model's
//! `[insufficient]` action applies (a flag, a class, a floor); the shortage is
//! kept per row, comes first among the reasons, is counted in the summary,
//! flagged in the results table and refused in strict mode; a rule that raised
//! the class stands; the result is the same whatever the thread count.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use riskgrade_core::{Date, Enterprise, Frame};
use riskgrade_engine::{EvalError, Grader, Grades, Options, ResultColumns, results_table};
use riskgrade_io::OutData;
use riskgrade_model::{InsufficientAction, ModelSet, examples};

fn as_of() -> Date {
    "2026-11-01".parse().unwrap()
}

/// A small model: capital and staff (attributes, counted), years since
/// registration (derived, required), complaints (derived, not counted); an
/// `[insufficient]` table with `action`; a veto rule on many complaints.
fn model(action: &str) -> Arc<ModelSet> {
    let model = format!(
        r#"
id = "m"
scale = {{ min = 0, max = 100, higher = "risk" }}
defaults = {{ missing = 0 }}
[[classes]]
name = "A"
band = [0, 25]
[[classes]]
name = "B"
band = [25, 50]
[[classes]]
name = "C"
band = [50, 75]
[[classes]]
name = "D"
band = [75, 100]
[inputs.capital]
type = "number"
[inputs.staff]
type = "count"
[inputs.years]
type = "number"
derive = {{ fn = "years_registered" }}
[inputs.complaints]
type = "count"
derive = {{ fn = "count", record = "complaint", window = "1y" }}

[insufficient]
required = ["years"]
min_known = 2
{action}
[[node]]
path = "basic"
weight = 0.4
[[node]]
path = "basic.capital"
weight = 0.4
input = "capital"
score = {{ type = "bins", edges = [10], points = [50, 0] }}
[[node]]
path = "basic.staff"
weight = 0.3
input = "staff"
score = {{ type = "bins", edges = [10], points = [50, 0] }}
[[node]]
path = "basic.years"
weight = 0.3
input = "years"
score = {{ type = "bins", edges = [1], points = [60, 0] }}
[[node]]
path = "social"
weight = 0.6
input = "complaints"
score = {{ type = "bins", edges = [1, 3], points = [0, 60, 100] }}
"#
    );
    let set = r#"
default = "m"
include = ["m.toml"]
[[rule]]
id = "veto_complaints"
stage = "after"
when = "complaints >= 10"
script = 'force_class("D", "10 or more complaints in a year");'
"#;
    Arc::new(
        ModelSet::from_toml_str_with(set, |name| (name == "m.toml").then_some(model.as_str()))
            .unwrap(),
    )
}

fn profiles(json: &[String]) -> Vec<Enterprise> {
    json.iter()
        .map(|s| serde_json::from_str(s).unwrap())
        .collect()
}

/// An enterprise with `complaints` complaints this year and the given profile fields.
fn profile(id: &str, fields: &str, complaints: usize) -> String {
    let records: Vec<String> = (0..complaints)
        .map(|k| {
            format!(
                r#"{{"kind":"complaint","date":"2026-10-{:02}"}}"#,
                k % 28 + 1
            )
        })
        .collect();
    let sep = if fields.is_empty() { "" } else { "," };
    format!(
        r#"{{"id":"{id}","industry":"F5211"{sep}{fields},"records":[{}]}}"#,
        records.join(",")
    )
}

fn classes(g: &Grades) -> Vec<&str> {
    (0..g.len()).map(|r| g.class(r).unwrap()).collect()
}

fn grade(set: &Arc<ModelSet>, ps: &[Enterprise], options: &Options) -> (Grades, Frame) {
    let frame = Frame::from_profiles(ps, set.schema(), as_of(), set.effect_periods());
    let g = Grader::new(Arc::clone(set))
        .grade_with(&frame, Some(ps), as_of(), options)
        .unwrap();
    (g, frame)
}

const KNOWN: &str = r#""registered":"2012-03-01","attributes":{"capital":500,"staff":40}"#;

/// Rows: nothing known; no registration date; one attribute only; everything known;
/// nothing known and 3 complaints (riskier by its score); nothing known and 12 complaints (vetoed).
fn rows() -> Vec<Enterprise> {
    profiles(&[
        profile("EMPTY", "", 0),
        profile("NODATE", r#""attributes":{"capital":500,"staff":40}"#, 0),
        profile(
            "FEW",
            r#""registered":"2012-03-01","attributes":{"capital":500}"#,
            0,
        ),
        profile("KNOWN", KNOWN, 0),
        profile("RISKY", "", 3),
        profile("VETOED", "", 12),
    ])
}

#[test]
fn each_action_flags_sets_or_floors_the_class_of_rows_below_the_evidence() {
    let ps = rows();
    let (flag, _) = grade(&model("action = \"flag\""), &ps, &Options::default());
    let (floor, _) = grade(
        &model("action = \"at_least\"\nclass = \"B\""),
        &ps,
        &Options::default(),
    );
    let (class, _) = grade(
        &model("action = \"class\"\nclass = \"B\""),
        &ps,
        &Options::default(),
    );
    // By their scores alone: EMPTY 0 → A, RISKY 0.6·100 = 60 → C, VETOED forced D.
    assert_eq!(classes(&flag), ["A", "A", "A", "A", "C", "D"]);
    assert_eq!(classes(&floor), ["B", "B", "B", "A", "C", "D"]);
    // `class` sets B whatever the score says, but a rule's veto stands.
    assert_eq!(classes(&class), ["B", "B", "B", "A", "B", "D"]);
    for g in [&flag, &floor, &class] {
        let short: Vec<usize> = g.insufficient_rows().map(|(r, _)| r).collect();
        assert_eq!(short, [0, 1, 2, 4, 5]);
        assert!(g.insufficient(3).is_none());
        assert_eq!(g.insufficient_count(), 5);
    }
    assert_eq!(
        flag.insufficient(0).unwrap().action(),
        InsufficientAction::Flag
    );
    assert_eq!(flag.insufficient(0).unwrap().changed_to(), None);
    assert_eq!(floor.insufficient(0).unwrap().changed_to(), Some("B"));
    assert_eq!(floor.insufficient(4).unwrap().changed_to(), None);
    assert_eq!(class.insufficient(4).unwrap().changed_to(), Some("B"));
    assert_eq!(class.insufficient(5).unwrap().changed_to(), None);
}

#[test]
fn the_shortage_names_what_is_missing_and_comes_first_among_the_reasons() {
    let (g, frame) = grade(
        &model("action = \"at_least\"\nclass = \"B\""),
        &rows(),
        &Options::default(),
    );
    let empty = g.insufficient(0).unwrap();
    assert_eq!(empty.missing_required().collect::<Vec<_>>(), ["years"]);
    assert_eq!(
        (empty.known(), empty.counted(), empty.min_known()),
        (0, 2, 2)
    );
    assert_eq!(
        empty.to_string(),
        "insufficient information: `years` missing; 0 of 2 inputs known, 2 needed -> at least B"
    );
    let nodate = g.insufficient(1).unwrap();
    assert_eq!(nodate.known(), 2);
    assert_eq!(nodate.missing_required().count(), 1);
    let few = g.insufficient(2).unwrap();
    assert_eq!(few.missing_required().count(), 0);
    assert_eq!(
        few.to_string(),
        "insufficient information: 1 of 2 inputs known, 2 needed -> at least B"
    );
    for r in [0, 1, 2, 4, 5] {
        let reasons = g.reason_texts(&frame, r);
        assert_eq!(reasons[0], g.insufficient(r).unwrap().to_string());
        let mut one = String::new();
        g.push_reason_texts(&frame, r, " | ", &mut one);
        assert_eq!(one, reasons.join(" | "));
        let ex = g.explain(&frame, r);
        assert_eq!(ex.insufficient.as_deref(), Some(reasons[0].as_str()));
        assert!(
            ex.to_string().contains(&format!("  1. {}", reasons[0])),
            "{ex}"
        );
    }
    // The vetoed row: the floor is met already, so no class given, the veto's reason second.
    let vetoed = g.reason_texts(&frame, 5);
    assert_eq!(
        vetoed[..2],
        [
            "insufficient information: `years` missing; 0 of 2 inputs known, 2 needed",
            "10 or more complaints in a year -> D (veto_complaints)"
        ]
    );
    assert!(
        g.reason_texts(&frame, 3)
            .iter()
            .all(|t| !t.contains("insufficient"))
    );
    assert_eq!(g.explain(&frame, 3).insufficient, None);
    let (flag, frame) = grade(&model("action = \"flag\""), &rows(), &Options::default());
    assert!(flag.reason_texts(&frame, 0)[0].ends_with("2 needed (flagged)"));
}

#[test]
fn the_summary_counts_them_overall_and_per_model() {
    let (g, _) = grade(
        &model("action = \"at_least\"\nclass = \"B\""),
        &rows(),
        &Options::default(),
    );
    let s = g.summary();
    assert_eq!((s.graded, s.insufficient), (6, 5));
    assert_eq!(s.per_model[0].insufficient, 5);
    assert!(
        s.to_string().contains(
            "insufficient information: 5 enterprise(s) below their model's minimum evidence"
        ),
        "{s}"
    );
    let (none, _) = grade(
        &model("action = \"flag\""),
        &rows()[3..4],
        &Options::default(),
    );
    assert!(!none.summary().to_string().contains("insufficient"));
}

#[test]
fn the_results_table_flags_them_and_leaves_rows_not_graded_empty() {
    let mut ps = rows();
    ps.push(serde_json::from_str(r#"{"id":"NOWHERE","industry":"ZZ99"}"#).unwrap());
    let (g, frame) = grade(&model("action = \"flag\""), &ps, &Options::default());
    assert!(!g.is_graded(6));
    let table = results_table(&g, &frame, ResultColumns::default());
    let names: Vec<&str> = table.iter().map(|c| c.name.as_str()).collect();
    let at = names.iter().position(|n| *n == "insufficient").unwrap();
    assert_eq!(names[at - 1], "as_of");
    let OutData::Bool(flags) = &table[at].data else {
        panic!("{:?}", table[at].data)
    };
    assert_eq!(
        flags,
        &[
            Some(true),
            Some(true),
            Some(true),
            Some(false),
            Some(true),
            Some(true),
            None
        ]
    );
    let batch = riskgrade_io::table_to_batch(&table).unwrap();
    let reasons = batch.column_by_name("reasons").unwrap();
    let reasons = reasons
        .as_any()
        .downcast_ref::<riskgrade_io::StringArray>()
        .unwrap();
    assert!(
        reasons
            .value(0)
            .starts_with("insufficient information: `years` missing")
    );
    assert!(!reasons.value(3).contains("insufficient"));
}

#[test]
fn strict_mode_refuses_the_first_row_below_the_evidence() {
    let set = model("action = \"flag\"");
    let ps = rows();
    let frame = Frame::from_profiles(&ps[3..], set.schema(), as_of(), set.effect_periods());
    let e = Grader::new(Arc::clone(&set))
        .grade_with(
            &frame,
            Some(&ps[3..]),
            as_of(),
            &Options::default().strict(true),
        )
        .unwrap_err();
    let EvalError::Insufficient {
        row,
        id,
        model,
        missing,
        known,
        needed,
        count,
    } = &e
    else {
        panic!("{e}")
    };
    assert_eq!((*row, id.as_str(), model.as_str()), (1, "RISKY", "m"));
    assert_eq!(
        (missing.as_slice(), *known, *needed, *count),
        (&["years".to_string()][..], 0, 2, 2)
    );
    assert_eq!(
        e.to_string(),
        "row 2 (enterprise `RISKY`): insufficient information for model `m`: `years` missing; 0 of the counted inputs known, 2 needed (2 enterprise(s) below the minimum)"
    );
    // Enough evidence everywhere: strict grades.
    let frame = Frame::from_profiles(&ps[3..4], set.schema(), as_of(), set.effect_periods());
    assert!(
        Grader::new(set)
            .grade(&frame, as_of(), &Options::default().strict(true))
            .is_ok()
    );
}

#[test]
fn the_same_grades_whatever_the_thread_count_and_chunking() {
    let set = model("action = \"class\"\nclass = \"B\"");
    // More rows than a chunk, with every kind of row at shifting positions.
    let base = rows();
    let ps: Vec<Enterprise> = (0..5000)
        .map(|k| {
            let mut e = base[(k * 7 + k / 13) % base.len()].clone();
            e.id.0 = format!("E{k:05}");
            e
        })
        .collect();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let (g, frame) = grade(&set, &ps, &Options::default());
            let short: Vec<(usize, String)> = g
                .insufficient_rows()
                .map(|(r, s)| (r, s.to_string()))
                .collect();
            let classes: Vec<Option<String>> = (0..g.len())
                .map(|r| g.class(r).map(str::to_string))
                .collect();
            let reasons: Vec<Vec<String>> =
                (0..g.len()).map(|r| g.reason_texts(&frame, r)).collect();
            (short, classes, reasons)
        })
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(4));
    // Each row's shortage is the one it has alone.
    for (r, text) in one.0.iter().step_by(97) {
        let (g, _) = grade(&set, std::slice::from_ref(&ps[*r]), &Options::default());
        assert_eq!(&g.insufficient(0).unwrap().to_string(), text);
    }
}

#[test]
fn the_reference_general_model_does_not_grade_an_unknown_enterprise_as_low_risk() {
    let set = Arc::new(examples::reference().unwrap());
    let ps = profiles(&[r#"{"id":"EMPTY","industry":"F5211"}"#.to_string()]);
    let (g, frame) = grade(&set, &ps, &Options::default());
    assert_eq!(g.class(0), Some("B"));
    let short = g.insufficient(0).unwrap();
    assert_eq!(
        short.missing_required().collect::<Vec<_>>(),
        ["years_in_operation"]
    );
    assert_eq!(short.known(), 0);
    assert!(g.reason_texts(&frame, 0)[0].ends_with("-> at least B"));
}
