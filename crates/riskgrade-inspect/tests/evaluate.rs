//! Outcome checks: detection rate per class, lift, AUC, KS, Gini.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use riskgrade_inspect::{Outcome, evaluate, lift_over_uniform};

fn outcomes(scores: &[f64], labels: &[u8]) -> Vec<Outcome> {
    scores
        .iter()
        .zip(labels)
        .enumerate()
        .map(|(i, (&s, &l))| Outcome {
            enterprise: format!("e{i}"),
            class: "A".into(),
            score: Some(s),
            problem: l == 1,
        })
        .collect()
}

fn classes(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn stats(scores: &[f64], labels: &[u8], higher_is_riskier: bool) -> (f64, f64, f64) {
    let e = evaluate(
        &outcomes(scores, labels),
        &classes(&["A"]),
        higher_is_riskier,
    );
    (e.auc.unwrap(), e.ks.unwrap(), e.gini.unwrap())
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn auc_of_the_textbook_example() {
    let (auc, ks, gini) = stats(&[0.1, 0.4, 0.35, 0.8], &[0, 0, 1, 1], true);
    assert_eq!((auc, ks, gini), (0.75, 0.5, 0.5));
    // Lower is riskier: the same scores rank the other way.
    let (auc, ks, gini) = stats(&[0.1, 0.4, 0.35, 0.8], &[0, 0, 1, 1], false);
    assert_eq!((auc, ks, gini), (0.25, 0.5, -0.5));
}

#[test]
fn perfect_reversed_and_tied_rankings() {
    assert_eq!(
        stats(&[1.0, 2.0, 3.0, 4.0], &[0, 0, 1, 1], true),
        (1.0, 1.0, 1.0)
    );
    assert_eq!(
        stats(&[1.0, 2.0, 3.0, 4.0], &[1, 1, 0, 0], true),
        (0.0, 1.0, -1.0)
    );
    assert_eq!(stats(&[5.0; 5], &[1, 0, 1, 0, 0], true), (0.5, 0.0, 0.0));
}

#[test]
fn ks_by_hand_on_six_points() {
    // Riskiest first: P N P P N N. TPR − FPR after each: 1/3, 0, 1/3, 2/3, 1/3, 0.
    let (auc, ks, _) = stats(&[0.9, 0.8, 0.7, 0.6, 0.5, 0.4], &[1, 0, 1, 1, 0, 0], true);
    assert!(close(ks, 2.0 / 3.0));
    assert!(close(auc, 7.0 / 9.0));
    // Ties: {P P N} at 0.9, {P N N} at 0.2. Cutting inside the top group would claim 2/3;
    // between distinct scores only, TPR − FPR is 2/3 − 1/3 then 0.
    let (auc, ks, _) = stats(&[0.9, 0.9, 0.9, 0.2, 0.2, 0.2], &[1, 1, 0, 1, 0, 0], true);
    assert!(close(ks, 1.0 / 3.0));
    // Wins: 2 top problems × 2 bottom non-problems = 4; ties: 2×1 + 1×2 = 4 halves = 2.
    assert!(close(auc, 6.0 / 9.0));
}

#[test]
fn scores_need_both_outcomes_and_a_finite_value() {
    let all_ok = evaluate(&outcomes(&[0.1, 0.2], &[0, 0]), &classes(&["A"]), true);
    assert_eq!((all_ok.auc, all_ok.ks, all_ok.gini), (None, None, None));
    let all_bad = evaluate(&outcomes(&[0.1, 0.2], &[1, 1]), &classes(&["A"]), true);
    assert_eq!(all_bad.auc, None);
    let mut o = outcomes(&[0.1, f64::NAN, 0.9], &[0, 0, 1]);
    o.push(Outcome {
        enterprise: "x".into(),
        class: "A".into(),
        score: None,
        problem: false,
    });
    let e = evaluate(&o, &classes(&["A"]), true);
    assert_eq!((e.scored, e.inspected, e.auc), (2, 4, Some(1.0)));
}

fn graded(class: &str, inspected: usize, problems: usize) -> Vec<Outcome> {
    (0..inspected)
        .map(|i| Outcome {
            enterprise: format!("{class}{i}"),
            class: class.into(),
            score: None,
            problem: i < problems,
        })
        .collect()
}

#[test]
fn detection_rate_and_lift_per_class() {
    let o = [graded("A", 50, 1), graded("B", 30, 3), graded("D", 20, 6)].concat();
    let e = evaluate(&o, &classes(&["A", "B", "C", "D"]), true);
    assert_eq!(
        (e.inspected, e.problems, e.detection_rate),
        (100, 10, Some(0.1))
    );
    let rates: Vec<_> = e.classes.iter().map(|c| c.detection_rate).collect();
    assert_eq!(rates, [Some(0.02), Some(0.1), None, Some(0.3)]);
    assert!(close(e.classes[0].lift.unwrap(), 0.2));
    assert!(close(e.classes[3].lift.unwrap(), 3.0));
    assert_eq!(e.classes[2].lift, None);
    assert!(e.monotone, "C has no inspections and is skipped");
    assert_eq!(e.auc, None);

    let o = [graded("A", 10, 5), graded("B", 10, 1), graded("Z", 4, 4)].concat();
    let e = evaluate(&o, &classes(&["A", "B"]), true);
    assert!(!e.monotone);
    assert_eq!(e.rising(), Some(false));
    assert_eq!(e.unlisted.len(), 1);
    assert_eq!(
        (e.unlisted[0].class.as_str(), e.unlisted[0].problems),
        ("Z", 4)
    );
    assert_eq!(e.problems, 10);
}

#[test]
fn lift_over_uniform_sampling() {
    assert_eq!(lift_over_uniform(0.2, 0.1), Some(2.0));
    assert_eq!(lift_over_uniform(0.2, 0.0), None);
    assert_eq!(lift_over_uniform(f64::NAN, 0.1), None);
}

#[test]
fn display_is_a_table() {
    let mut o = [graded("A", 50, 1), graded("D", 20, 6)].concat();
    for x in o.iter_mut() {
        x.score = Some(if x.class == "D" { 700.0 } else { 100.0 });
    }
    let text = evaluate(&o, &classes(&["A", "B", "C", "D"]), true).to_string();
    assert!(text.starts_with("class"), "{text}");
    assert!(
        text.contains("D                20         6    30.00%   3.00"),
        "{text}"
    );
    assert!(
        text.contains("C                 0         0         -      -"),
        "{text}"
    );
    // 6 D problems beat 49 A non-problems and tie 14 D ones; the A problem ties 49: 360.5 / 441.
    assert!(text.contains("AUC  0.817 (70 scored)"), "{text}");
    assert!(
        text.contains("KS   0.635") && text.contains("Gini 0.635"),
        "{text}"
    );
}

/// O(n²) Mann–Whitney, the definition.
fn brute_auc(scores: &[f64], labels: &[u8]) -> Option<f64> {
    let (mut wins, mut pairs) = (0.0, 0.0);
    for (s, l) in scores.iter().zip(labels) {
        for (t, m) in scores.iter().zip(labels) {
            if *l == 1 && *m == 0 {
                pairs += 1.0;
                wins += if s > t {
                    1.0
                } else if s == t {
                    0.5
                } else {
                    0.0
                };
            }
        }
    }
    (pairs > 0.0).then(|| wins / pairs)
}

fn sample() -> impl Strategy<Value = (Vec<f64>, Vec<u8>)> {
    // Small integer scores so that ties are common.
    (1..40_usize).prop_flat_map(|n| {
        (
            prop::collection::vec((0..8_i32).prop_map(f64::from), n),
            prop::collection::vec(0..2_u8, n),
        )
    })
}

fn auc_of(scores: &[f64], labels: &[u8]) -> Option<f64> {
    evaluate(&outcomes(scores, labels), &classes(&["A"]), true).auc
}

proptest! {
    #[test]
    fn auc_and_ks_are_in_range_and_match_the_definition((scores, labels) in sample()) {
        let e = evaluate(&outcomes(&scores, &labels), &classes(&["A"]), true);
        prop_assert_eq!(e.auc.is_some(), e.ks.is_some());
        if let (Some(auc), Some(ks)) = (e.auc, e.ks) {
            prop_assert!((0.0..=1.0).contains(&auc));
            prop_assert!((0.0..=1.0).contains(&ks));
            prop_assert!(close(auc, brute_auc(&scores, &labels).unwrap()));
            prop_assert!(close(e.gini.unwrap(), 2.0 * auc - 1.0));
        } else {
            prop_assert_eq!(brute_auc(&scores, &labels), None);
        }
    }

    #[test]
    fn reversing_the_scores_gives_one_minus_auc((scores, labels) in sample()) {
        let reversed: Vec<f64> = scores.iter().map(|s| -s).collect();
        if let Some(auc) = auc_of(&scores, &labels) {
            prop_assert!(close(auc_of(&reversed, &labels).unwrap(), 1.0 - auc));
            let flipped = evaluate(&outcomes(&scores, &labels), &classes(&["A"]), false);
            prop_assert!(close(flipped.auc.unwrap(), 1.0 - auc));
        }
    }

    #[test]
    fn monotone_transforms_change_nothing((scores, labels) in sample()) {
        let e = evaluate(&outcomes(&scores, &labels), &classes(&["A"]), true);
        for f in [|s: f64| 3.0 * s + 7.0, |s: f64| s.powi(3), |s: f64| (s / 3.0).exp()] {
            let t: Vec<f64> = scores.iter().map(|&s| f(s)).collect();
            let g = evaluate(&outcomes(&t, &labels), &classes(&["A"]), true);
            prop_assert_eq!((g.auc, g.ks), (e.auc, e.ks));
        }
    }
}

/// No closed task, or inspections in one class only, says nothing about whether the rate rises
/// from class to class: the report must not claim it does.
#[test]
fn too_few_rated_classes_claim_nothing() {
    let four = classes(&["A", "B", "C", "D"]);
    for o in [
        vec![],
        graded("C", 10, 3),
        [graded("B", 5, 0), graded("Z", 5, 5)].concat(),
    ] {
        let e = evaluate(&o, &four, true);
        assert_eq!(e.rising(), None);
        let text = e.to_string();
        assert!(
            !text.contains("risky: yes") && !text.contains("risky: no"),
            "{text}"
        );
    }
    let e = evaluate(
        &[graded("A", 10, 1), graded("D", 10, 5)].concat(),
        &four,
        true,
    );
    assert_eq!(e.rising(), Some(true));
    assert!(
        e.to_string()
            .contains("rising from least to most risky: yes")
    );
}
