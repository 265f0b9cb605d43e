//! Unit tests of the tables, the scale, the power iteration and the suggestions.

use super::inconsistency::{indirect_estimate, nearest_on_scale};
use super::*;

fn consistent(w: &[f64]) -> PairwiseMatrix {
    let rows = w
        .iter()
        .map(|wi| w.iter().map(|wj| wi / wj).collect())
        .collect();
    PairwiseMatrix::from_rows(rows).unwrap()
}

#[test]
fn scale_is_sorted_and_reciprocal() {
    for pair in SAATY_SCALE.windows(2) {
        assert!(pair[0] < pair[1]);
    }
    for (a, b) in SAATY_SCALE.iter().zip(SAATY_SCALE.iter().rev()) {
        assert!((a * b - 1.0).abs() < 1e-15);
    }
}

#[test]
fn tables_start_at_zero_and_increase() {
    for t in RiTable::ALL {
        let v = t.values();
        assert_eq!(&v[..2], &[0.0, 0.0], "{t}");
        assert!(v[2..].windows(2).all(|p| p[0] < p[1]), "{t} not increasing");
        assert_eq!(t.name().parse::<RiTable>().unwrap(), t);
        assert_eq!(t.to_string().to_uppercase().parse::<RiTable>().unwrap(), t);
    }
    assert_eq!(RiTable::default(), RiTable::Saaty1980);
    assert_eq!(RiTable::Saaty1980.ri(0), None);
}

#[test]
fn unknown_table_lists_known_names() {
    let msg = "saaty-1990".parse::<RiTable>().unwrap_err().to_string();
    assert_eq!(
        msg,
        "unknown random-index table `saaty-1990`: known tables are `saaty-1980`, `saaty-2005`, `cn-textbook`"
    );
}

#[test]
fn format_value_writes_fractions() {
    assert_eq!(format_value(9.0), "9");
    assert_eq!(format_value(1.0 / 9.0), "1/9");
    assert_eq!(format_value(0.2), "1/5");
    assert_eq!(format_value(1.0 / 12.0), "1/12");
    assert_eq!(format_value(1.0), "1");
    assert_eq!(format_value(0.3), "0.3");
    assert_eq!(format_value(-2.0), "-2");
    assert_eq!(format_value(f64::NAN), "NaN");
}

#[test]
fn parse_rejects_junk() {
    for bad in [
        "", "/", "1/", "/5", "0", "-3", "1/0", "0/5", "inf", "NaN", "three", "1/2/3",
    ] {
        assert!(
            matches!(
                parse_judgement_value(bad),
                Err(AhpError::InvalidValue { .. })
            ),
            "{bad:?} was accepted"
        );
    }
    assert_eq!(parse_judgement_value("5.0").unwrap(), 5.0);
    assert_eq!(parse_judgement_value("1 / 9").unwrap(), 1.0 / 9.0);
    assert_eq!(parse_judgement_value("2.5").unwrap(), 2.5);
}

#[test]
fn one_by_one() {
    let m = PairwiseMatrix::from_judgements(1, &[]).unwrap();
    let r = weights(&m, RiTable::default()).unwrap();
    assert_eq!(r.weights, vec![1.0]);
    assert_eq!(
        (r.lambda_max, r.ci, r.ri, r.cr),
        (1.0, 0.0, Some(0.0), Some(0.0))
    );
    assert!(r.acceptable(CR_THRESHOLD));
}

#[test]
fn two_by_two_is_always_consistent() {
    let m = PairwiseMatrix::from_judgements(2, &[Judgement::new(0, 1, 7.0)]).unwrap();
    let r = weights(&m, RiTable::Saaty2005).unwrap();
    assert!((r.weights[0] - 7.0 / 8.0).abs() < 1e-14);
    assert_eq!((r.lambda_max, r.ci, r.cr), (2.0, 0.0, Some(0.0)));
}

#[test]
fn consistent_matrix_converges_at_once() {
    let r = weights(&consistent(&[5.0, 3.0, 1.0, 1.0]), RiTable::default()).unwrap();
    assert!(r.iterations <= 3, "{} iterations", r.iterations);
    assert!(r.ci.abs() < 1e-12);
}

#[test]
fn indirect_estimate_ignores_the_pair_itself() {
    let mut rows = consistent(&[8.0, 4.0, 2.0, 1.0]).rows();
    rows[1][2] = 1.0 / 6.0;
    rows[2][1] = 6.0;
    let m = PairwiseMatrix::from_rows(rows).unwrap();
    assert!((indirect_estimate(&m, 1, 2).unwrap() - 2.0).abs() < 1e-12);
    assert_eq!(indirect_estimate(&consistent(&[1.0, 2.0]), 0, 1), None);
}

#[test]
fn nearest_on_scale_uses_log_distance() {
    assert_eq!(nearest_on_scale(1.45), 2.0); // ln-midpoint of 1 and 2 is √2 ≈ 1.414
    assert_eq!(nearest_on_scale(1.40), 1.0);
    assert_eq!(nearest_on_scale(100.0), 9.0);
    assert_eq!(nearest_on_scale(0.3), 1.0 / 3.0);
}

#[test]
fn most_inconsistent_skips_missing_weights() {
    let m = consistent(&[3.0, 2.0, 1.0]);
    assert_eq!(most_inconsistent(&m, &[0.5, 0.3], 10).len(), 1);
    assert!(most_inconsistent(&m, &[0.5, 0.0, 0.5], 10).len() == 1);
    assert!(most_inconsistent(&m, &[0.5, 0.3, 0.2], 0).is_empty());
}
