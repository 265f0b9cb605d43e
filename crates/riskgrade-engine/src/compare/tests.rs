//! Unit tests of [`compare`](super::compare) on a small batch graded with and without its rules.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use super::*;
use crate::{Grader, Options};
use riskgrade_core::Enterprise;
use riskgrade_core::Frame;
use riskgrade_io::OutData;

fn profiles() -> Vec<Enterprise> {
    serde_json::from_str(
        r#"[
  {"id": "E1", "industry": "F5211", "registered": "2012-04-01"},
  {"id": "E2", "industry": "F5211", "registered": "2012-04-01",
   "records": [{"kind": "dishonest_list", "date": "2026-03-01", "action": "entry"}]},
  {"id": "E3", "industry": "F5211", "registered": "2015-06-01",
   "records": [{"kind": "penalty", "date": "2026-09-01", "severity": "major", "amount": 50000}]},
  {"id": "E4", "industry": "C1391", "registered": "2010-01-01",
   "records": [{"kind": "judgment_defaulter", "date": "2025-12-01", "action": "entry"}]},
  {"id": "E5", "industry": "F5211", "registered": "2011-01-01"}
]"#,
    )
    .unwrap()
}

fn grade(rules: bool) -> Grades {
    let grader = Grader::new(Arc::new(riskgrade_model::examples::reference().unwrap()));
    grader
        .grade_profiles(
            &profiles(),
            "2026-11-01".parse().unwrap(),
            &Options::default().rules(rules),
        )
        .unwrap()
}

#[test]
fn matrix_counts_match_the_two_batches() {
    let (before, after) = (grade(false), grade(true));
    let c = compare(&before, &after).unwrap();
    assert_eq!(c.classes(), ["A", "B", "C", "D"]);
    assert_eq!(c.total(), 5);
    assert_eq!(c.matrix().len(), 5);
    for r in 0..5 {
        let from = before.class(r);
        let to = after.class(r);
        assert!(c.count(from, to) >= 1, "row {r}: {from:?} -> {to:?}");
    }
    // Row sums are the classes before, column sums the classes after.
    for (i, name) in c.classes().iter().enumerate() {
        let b = (0..5).filter(|&r| before.class(r) == Some(name)).count();
        let a = (0..5).filter(|&r| after.class(r) == Some(name)).count();
        assert_eq!(
            (c.counts_before()[i], c.counts_after()[i]),
            (b, a),
            "{name}"
        );
    }
    assert_eq!(c.counts_before()[4], 0);
    // The two vetoes move E2 and E4 to D; the diagonal holds everyone else.
    assert_eq!(c.counts_after()[3], 2);
    let diagonal: usize = (0..5).map(|i| c.matrix()[i][i]).sum();
    assert_eq!(diagonal + c.movers().len(), 5);
    assert_eq!(c.moved(Move::Riskier), c.movers().len());
    assert_eq!(c.moved(Move::Safer), 0);

    // The same batch against itself: everything on the diagonal.
    let same = compare(&after, &after).unwrap();
    assert!(same.movers().is_empty());
    assert_eq!(same.count(Some("D"), Some("D")), 2);
}

#[test]
fn a_mover_names_the_rules_that_moved_it() {
    let (before, after) = (grade(false), grade(true));
    let c = compare(&before, &after).unwrap();
    let e2 = c.movers().iter().find(|m| m.id == "E2").unwrap();
    assert_eq!(e2.row, 1);
    assert_eq!(e2.class_after.as_deref(), Some("D"));
    assert_eq!(e2.rules_only_after, ["veto_dishonest_list"]);
    assert!(e2.rules_only_before.is_empty() && e2.rules_changed.is_empty());
    assert_eq!(e2.movement(), Move::Riskier);
    assert!(e2.steps.unwrap() > 0);
    let e4 = c.movers().iter().find(|m| m.id == "E4").unwrap();
    assert_eq!(e4.rules_only_after, ["veto_judgment_defaulter"]);
    assert_eq!(e4.model_after.as_deref(), Some("food"));

    // The other way round, the same rules fired only before.
    let back = compare(&after, &before).unwrap();
    let e2 = back.movers().iter().find(|m| m.id == "E2").unwrap();
    assert_eq!(e2.rules_only_before, ["veto_dishonest_list"]);
    assert_eq!(e2.movement(), Move::Safer);

    // Per rule: fired and decided counts on each side.
    let veto = c
        .rules()
        .iter()
        .find(|r| r.rule == "veto_dishonest_list")
        .unwrap();
    assert_eq!(veto.fired, [0, 1]);
    assert_eq!(veto.decided_total(), [0, 1]);
    assert_eq!(veto.decided[1][c.class_position("D").unwrap()], 1);
    assert_eq!(veto.movers, 1);

    // Industries from the frame, and the movers as columns.
    let set = after.model_set();
    let frame = Frame::from_profiles(
        &profiles(),
        set.schema(),
        after.as_of(),
        set.effect_periods(),
    );
    let c = c.with_industries(&frame).unwrap();
    let e4 = c.movers().iter().find(|m| m.id == "E4").unwrap();
    assert_eq!(e4.industry.as_deref(), Some("C1391"));
    let cols = c.movers_table();
    let col = |name: &str| cols.iter().find(|c| c.name == name).unwrap();
    assert_eq!(col("id").data.len(), c.movers().len());
    match &col("rules_only_after").data {
        OutData::Text(v) => assert!(v.contains(&Some("veto_dishonest_list".into()))),
        _ => panic!("text expected"),
    }

    let text = c.labels("without rules", "with rules").to_string();
    assert!(
        text.contains("class migration of 5 enterprises: rows without rules, columns with rules"),
        "{text}"
    );
    assert!(text.contains("+veto_dishonest_list"), "{text}");
    assert!(!text.contains("not graded"), "{text}");
    println!("{text}");
}

#[test]
fn mismatched_batches_name_the_first_differing_row() {
    let grader = Grader::new(Arc::new(riskgrade_model::examples::reference().unwrap()));
    let as_of = "2026-11-01".parse().unwrap();
    let all = profiles();
    let before = grade(true);
    let mut swapped = all.clone();
    swapped.swap(2, 3);
    let after = grader
        .grade_profiles(&swapped, as_of, &Options::default())
        .unwrap();
    let e = compare(&before, &after).unwrap_err();
    assert_eq!(
        e,
        CompareError::DifferentRows {
            row: 2,
            before: Some("E3".into()),
            after: Some("E4".into()),
            before_len: 5,
            after_len: 5,
        }
    );
    assert_eq!(
        e.to_string(),
        "the batches differ at row 3: enterprise `E3` before, enterprise `E4` after; \
             a comparison needs the same enterprises in the same order"
    );

    let shorter = grader
        .grade_profiles(&all[..4], as_of, &Options::default())
        .unwrap();
    let e = compare(&before, &shorter).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the batches differ at row 5: enterprise `E5` before, no row after \
             (5 rows before, 4 after); a comparison needs the same enterprises in the same order"
    );

    // A frame of other enterprises cannot give the industries.
    let set = before.model_set();
    let frame = Frame::from_profiles(&swapped, set.schema(), as_of, set.effect_periods());
    let c = compare(&grade(false), &before).unwrap();
    assert_eq!(
        c.with_industries(&frame).unwrap_err().to_string(),
        "the frame differs from the compared batches at row 3: enterprise `E3` graded, `E4` in the frame"
    );
}

/// Texts that once broke the printed comparison: longer than `{:w$}` allows, or forging lines.
fn hostile_texts() -> [String; 3] {
    [
        "E".repeat(70_000),
        "E9\u{1b}[2J\r\nrow 99, enterprise `forged`\0".to_string(),
        format!("{}\n", "信".repeat(40_000)),
    ]
}

/// Every printed line is short and free of control characters.
fn assert_tidy(text: &str) {
    for line in text.lines() {
        assert!(
            riskgrade_core::display::width(line) <= 640,
            "a line of {} columns",
            line.len()
        );
        assert!(!line.chars().any(char::is_control), "{line:?}");
    }
}

#[test]
fn long_or_hostile_ids_classes_and_rules_print_as_tidy_tables() {
    let (before, after) = (grade(false), grade(true));
    for text in hostile_texts() {
        let mut c = compare(&before, &after).unwrap();
        for m in &mut c.movers {
            m.id = text.clone();
            m.class_after = Some(text.clone());
            m.rules_only_after = vec![text.clone()];
        }
        c.classes[0] = text.clone();
        for r in &mut c.rules {
            r.rule = text.clone();
        }
        let printed = c.to_string();
        assert!(printed.contains("biggest moves"), "{printed}");
        assert_tidy(&printed);
    }
}
