//! Unit tests of the numerical helpers and of option checks.

use super::irls::{sigmoid, softplus};
use super::linalg::{cholesky, cholesky_inverse, cholesky_solve};
use super::normal::{erfc, two_sided_p};
use super::*;

#[test]
fn erfc_matches_reference_values() {
    // Reference values of erfc to 15 digits.
    let cases = [
        (0.0, 1.0),
        (0.5, 0.479_500_122_186_953_5),
        (1.0, 0.157_299_207_050_285_1),
        (2.0, 0.004_677_734_981_047_266),
        (3.0, 2.209_049_699_858_544e-5),
        (-1.0, 1.842_700_792_949_715),
    ];
    for (x, want) in cases {
        let got = erfc(x);
        assert!(
            ((got - want) / want).abs() < 1.2e-7,
            "erfc({x}) = {got}, want {want}"
        );
    }
}

#[test]
fn two_sided_p_of_familiar_quantiles() {
    assert!((two_sided_p(1.959_963_984_540_054) - 0.05).abs() < 1e-8);
    assert!((two_sided_p(-2.575_829_303_548_901) - 0.01).abs() < 1e-8);
    assert!((two_sided_p(0.0) - 1.0).abs() < 1e-7);
}

#[test]
fn cholesky_solves_and_inverts() {
    let a = [4.0, 2.0, 0.6, 2.0, 5.0, 1.0, 0.6, 1.0, 3.0];
    let l = cholesky(&a, 3).expect("positive definite");
    let x = cholesky_solve(&l, 3, &[1.0, 2.0, 3.0]);
    for i in 0..3 {
        let ax: f64 = (0..3).map(|k| a[i * 3 + k] * x[k]).sum();
        assert!((ax - [1.0, 2.0, 3.0][i]).abs() < 1e-12);
    }
    let inv = cholesky_inverse(&l, 3);
    for i in 0..3 {
        for j in 0..3 {
            let v: f64 = (0..3).map(|k| a[i * 3 + k] * inv[k * 3 + j]).sum();
            assert!((v - f64::from(u8::from(i == j))).abs() < 1e-12);
        }
    }
    assert!(cholesky(&[1.0, 1.0, 1.0, 1.0], 2).is_none());
}

#[test]
fn sigmoid_and_softplus_do_not_overflow() {
    assert_eq!(sigmoid(1000.0), 1.0);
    assert_eq!(sigmoid(-1000.0), 0.0);
    assert!((softplus(1000.0) - 1000.0).abs() < 1e-12);
    assert!(softplus(-1000.0) >= 0.0);
    assert!((sigmoid(0.0) - 0.5).abs() < 1e-15);
}

#[test]
fn options_are_validated() {
    let bad = FitOptions::default().with_ridge(-1.0);
    let err = fit(&[&[0.0, 1.0]], &[false, true], &bad).unwrap_err();
    assert_eq!(
        err.to_string(),
        "option `ridge` is -1, expected a finite number ≥ 0"
    );
    let bad = FitOptions::default().with_correlation_warning(1.5);
    assert!(matches!(
        fit(&[&[0.0, 1.0]], &[false, true], &bad),
        Err(FitError::InvalidOption {
            option: "correlation_warning",
            ..
        })
    ));
}

#[test]
fn standardise_detects_constant_columns() {
    assert!(standardise(&[0.1; 10]).is_none());
    let (mean, sd, z) = standardise(&[1.0, 3.0]).expect("not constant");
    assert_eq!((mean, sd), (2.0, 1.0));
    assert_eq!(z, vec![-1.0, 1.0]);
}
