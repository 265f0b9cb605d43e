//! Logistic calibration on inspection outcomes: closed forms, recovery of known weights, the sign
//! check, correlation warnings and input errors.

use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use riskgrade_weights::logistic::{FitError, FitOptions, fit};

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Rows of a 2×2 table: `a` problems and `b` none where x = 1, `c` problems and `d` none where
/// x = 0.
fn two_by_two(a: usize, b: usize, c: usize, d: usize) -> (Vec<f64>, Vec<bool>) {
    let mut x = Vec::new();
    let mut y = Vec::new();
    for (value, problem, count) in [
        (1.0, true, a),
        (1.0, false, b),
        (0.0, true, c),
        (0.0, false, d),
    ] {
        x.extend(std::iter::repeat_n(value, count));
        y.extend(std::iter::repeat_n(problem, count));
    }
    (x, y)
}

/// `m` rows of uniform 0..100 points for `weights.len()` indicators plus outcomes drawn from
/// `sigmoid(intercept + scale·Σ w_j x_j + Σ extra_j x_extra_j)`.
fn simulate(
    seed: u64,
    m: usize,
    weights: &[f64],
    intercept: f64,
    scale: f64,
    extra: &[f64],
) -> (Vec<Vec<f64>>, Vec<bool>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let p = weights.len() + extra.len();
    let mut columns = vec![Vec::with_capacity(m); p];
    let mut outcomes = Vec::with_capacity(m);
    for _ in 0..m {
        let mut eta = intercept;
        for (j, column) in columns.iter_mut().enumerate() {
            let x = rng.random_range(0.0..100.0);
            column.push(x);
            eta += if j < weights.len() {
                scale * weights[j] * x
            } else {
                extra[j - weights.len()] * x
            };
        }
        outcomes.push(rng.random::<f64>() < sigmoid(eta));
    }
    (columns, outcomes)
}

fn slices(columns: &[Vec<f64>]) -> Vec<&[f64]> {
    columns.iter().map(Vec::as_slice).collect()
}

#[test]
fn binary_predictor_gives_the_log_odds_ratio_and_woolf_standard_error() {
    let (a, b, c, d) = (30, 70, 20, 180);
    let (x, y) = two_by_two(a, b, c, d);
    let options = FitOptions::default().with_ridge(0.0);
    let fit = fit(&[&x], &y, &options).expect("fits");
    let (a, b, c, d) = (a as f64, b as f64, c as f64, d as f64);

    assert!(fit.converged);
    let log_odds_ratio = ((a * d) / (b * c)).ln();
    assert!((fit.coefficients[0] - log_odds_ratio).abs() < 1e-6);
    assert!((fit.intercept - (c / d).ln()).abs() < 1e-6);
    let woolf = (1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d).sqrt();
    let se = fit.std_errors[0].expect("standard error");
    assert!((se - woolf).abs() < 1e-6, "se {se}, Woolf {woolf}");
    let z = fit.z[0].expect("z");
    assert!((z - log_odds_ratio / woolf).abs() < 1e-5);
    // z = 4.2027; the two-sided normal p-value is erfc(z / √2) = 2.638019e-5 (to 7 digits).
    let p = fit.p_values[0].expect("p-value");
    assert!(
        ((p - 2.638_019_4e-5) / 2.638_019_4e-5).abs() < 1e-6,
        "p = {p}"
    );

    assert_eq!((fit.rows, fit.events), (300, 50));
    // Saturated model for the table: predictions are the observed rates.
    assert!((fit.predict(&[1.0]) - a / (a + b)).abs() < 1e-9);
    assert!((fit.predict(&[0.0]) - c / (c + d)).abs() < 1e-9);
    assert_eq!(fit.weights(), Some(vec![1.0]));
    assert!(fit.pseudo_r2() > 0.0 && fit.pseudo_r2() < 1.0);
    assert!(fit.log_likelihood > fit.null_log_likelihood);
}

#[test]
fn known_weights_are_recovered() {
    let truth = [0.4, 0.25, 0.2, 0.1, 0.05];
    let (columns, outcomes) = simulate(7, 20_000, &truth, -7.5, 0.1, &[]);
    let rate = outcomes.iter().filter(|&&y| y).count() as f64 / outcomes.len() as f64;
    assert!((0.08..0.25).contains(&rate), "event rate {rate}");

    let fit = fit(&slices(&columns), &outcomes, &FitOptions::default()).expect("fits");
    assert!(fit.converged);
    assert!(fit.iterations < 20, "{} iterations", fit.iterations);
    assert!(fit.negative.is_empty() && fit.constant.is_empty() && fit.correlated.is_empty());
    let weights = fit.weights().expect("positive coefficients");
    for (j, (got, want)) in weights.iter().zip(truth).enumerate() {
        assert!((got - want).abs() < 0.03, "weight {j}: {got} vs {want}");
    }
    assert!(
        (fit.intercept + 7.5).abs() < 0.5,
        "intercept {}",
        fit.intercept
    );
    for (j, z) in fit.z.iter().enumerate() {
        assert!(z.expect("z") > 3.0, "indicator {j} should be significant");
    }
    for vif in &fit.vif {
        let vif = vif.expect("vif");
        assert!(
            (1.0..1.05).contains(&vif),
            "independent columns have VIF ≈ 1, got {vif}"
        );
    }
    // The intercept is not penalised, so the score equation Σ p̂ = Σ y holds.
    let predicted: f64 = (0..outcomes.len())
        .map(|i| {
            let row: Vec<f64> = columns.iter().map(|c| c[i]).collect();
            fit.predict(&row)
        })
        .sum();
    assert!((predicted - fit.events as f64).abs() < 1e-6);
}

#[test]
fn a_risk_indicator_that_lowers_the_risk_is_dropped() {
    let truth = [0.5, 0.3, 0.2];
    let (columns, outcomes) = simulate(11, 10_000, &truth, -6.0, 0.1, &[-0.02]);
    let fit = fit(&slices(&columns), &outcomes, &FitOptions::default()).expect("fits");

    assert_eq!(fit.negative.len(), 1, "{:?}", fit.negative);
    let violation = &fit.negative[0];
    assert_eq!(violation.indicator, 3);
    assert!(violation.coefficient < -0.01, "{violation:?}");
    assert!(violation.z.expect("z") < -3.0);
    assert_eq!(fit.coefficients[3], 0.0);
    assert_eq!(
        (fit.std_errors[3], fit.z[3], fit.p_values[3]),
        (None, None, None)
    );

    let weights = fit.weights().expect("weights");
    assert_eq!(weights[3], 0.0);
    assert!((weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    for (j, want) in truth.iter().enumerate() {
        assert!(
            (weights[j] - want).abs() < 0.05,
            "weight {j}: {}",
            weights[j]
        );
    }

    // Without the constraint the indicator stays in, is still reported, and weights() ignores it.
    let free = FitOptions::default().with_non_negative(false);
    let unconstrained =
        riskgrade_weights::logistic::fit(&slices(&columns), &outcomes, &free).expect("fits");
    assert_eq!(unconstrained.negative, fit.negative);
    assert!(unconstrained.coefficients[3] < 0.0);
    assert_eq!(unconstrained.weights().expect("weights")[3], 0.0);
    assert!(unconstrained.log_likelihood >= fit.log_likelihood);
}

#[test]
fn every_indicator_negative_leaves_an_intercept_only_model() {
    let (columns, outcomes) = simulate(3, 2_000, &[], -1.0, 0.0, &[-0.03, -0.02]);
    let fit = fit(&slices(&columns), &outcomes, &FitOptions::default()).expect("fits");
    assert_eq!(fit.negative.len(), 2);
    assert_eq!(fit.coefficients, vec![0.0, 0.0]);
    assert_eq!(fit.weights(), None);
    assert_eq!(fit.log_likelihood, fit.null_log_likelihood);
    assert_eq!(fit.pseudo_r2(), 0.0);
    let rate = fit.events as f64 / fit.rows as f64;
    assert!((fit.predict(&[50.0, 50.0]) - rate).abs() < 1e-12);
}

#[test]
fn nearly_identical_indicators_are_flagged() {
    let (mut columns, outcomes) = simulate(5, 3_000, &[0.6, 0.4], -5.0, 0.1, &[]);
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let twin: Vec<f64> = columns[0]
        .iter()
        .map(|x| x + rng.random_range(-2.0..2.0))
        .collect();
    columns.push(twin);

    let fit = fit(&slices(&columns), &outcomes, &FitOptions::default()).expect("fits");
    assert_eq!(fit.correlated.len(), 1, "{:?}", fit.correlated);
    let (j, k, r) = fit.correlated[0];
    assert_eq!((j, k), (0, 2));
    assert!(r > 0.95, "r = {r}");
    assert!(fit.vif[0].expect("vif") > 10.0 && fit.vif[2].expect("vif") > 10.0);
    assert!(fit.vif[1].expect("vif") < 1.1);
}

#[test]
fn correlated_pairs_are_sorted_by_strength() {
    let (mut columns, outcomes) = simulate(6, 2_000, &[0.5, 0.5], -5.0, 0.1, &[]);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let loose: Vec<f64> = columns[1]
        .iter()
        .map(|x| x + rng.random_range(-30.0..30.0))
        .collect();
    let tight: Vec<f64> = columns[0].iter().map(|x| 100.0 - x).collect();
    columns.push(loose);
    columns.push(tight);
    let options = FitOptions::default().with_correlation_warning(0.5);
    let fit = fit(&slices(&columns), &outcomes, &options).expect("fits");
    assert_eq!(fit.correlated.len(), 2, "{:?}", fit.correlated);
    assert_eq!((fit.correlated[0].0, fit.correlated[0].1), (0, 3));
    assert!((fit.correlated[0].2 + 1.0).abs() < 1e-12, "exactly r = −1");
    assert_eq!((fit.correlated[1].0, fit.correlated[1].1), (1, 2));
    assert!(fit.correlated[1].2 > 0.5 && fit.correlated[1].2 < 0.95);
    assert_eq!(fit.vif[0], Some(f64::INFINITY));
    assert_eq!(fit.vif[3], Some(f64::INFINITY));
}

#[test]
fn exact_duplicates_split_the_weight_under_the_ridge_and_are_singular_without_it() {
    let (mut columns, outcomes) = simulate(8, 2_000, &[0.7, 0.3], -5.0, 0.1, &[]);
    columns.push(columns[0].clone());
    let fit = fit(&slices(&columns), &outcomes, &FitOptions::default()).expect("fits");
    assert!(fit.converged);
    let weights = fit.weights().expect("weights");
    assert!((weights[0] - weights[2]).abs() < 1e-9, "{weights:?}");
    assert!((weights[0] + weights[2] - 0.7).abs() < 0.1, "{weights:?}");

    let err = riskgrade_weights::logistic::fit(
        &slices(&columns),
        &outcomes,
        &FitOptions::default().with_ridge(0.0),
    )
    .unwrap_err();
    assert!(matches!(err, FitError::Singular { .. }), "{err}");
    assert!(err.to_string().contains("singular"));
}

#[test]
fn a_constant_indicator_is_listed_with_coefficient_zero() {
    let (mut columns, outcomes) = simulate(9, 2_000, &[0.5, 0.5], -5.0, 0.1, &[]);
    columns.insert(1, vec![0.1; 2_000]);
    let fit = fit(&slices(&columns), &outcomes, &FitOptions::default()).expect("fits");
    assert_eq!(fit.constant, vec![1]);
    assert_eq!(fit.coefficients[1], 0.0);
    assert_eq!(
        (fit.std_errors[1], fit.z[1], fit.vif[1]),
        (None, None, None)
    );
    assert!(fit.coefficients[0] > 0.0 && fit.coefficients[2] > 0.0);
    let weights = fit.weights().expect("weights");
    assert_eq!(weights[1], 0.0);
    assert!(fit.correlated.is_empty());
}

#[test]
fn every_indicator_constant_is_an_error() {
    let err = fit(
        &[&[5.0; 4], &[1.0; 4]],
        &[true, false, false, true],
        &FitOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        FitError::AllConstant {
            indicators: 2,
            rows: 4
        }
    );
    assert!(err.to_string().contains("every indicator is constant"));
}

#[test]
fn the_same_outcome_everywhere_is_an_error_that_says_so() {
    let x = vec![1.0; 812]
        .into_iter()
        .enumerate()
        .map(|(i, v)| v + i as f64)
        .collect::<Vec<_>>();
    let err = fit(&[&x], &vec![false; 812], &FitOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "all 812 inspections found no problem: nothing to calibrate on"
    );
    let err = fit(&[&x], &vec![true; 812], &FitOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "all 812 inspections found a problem: nothing to calibrate on"
    );
}

#[test]
fn a_non_finite_value_names_its_indicator_and_row() {
    let good = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
    let mut bad = good;
    bad[6] = f64::NAN;
    let outcomes = [false, true, false, true, false, true, false, true];
    let err = fit(&[&good, &bad], &outcomes, &FitOptions::default()).unwrap_err();
    assert!(matches!(
        err,
        FitError::NonFinite {
            indicator: 1,
            row: 6,
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "indicator `1` has the non-finite value NaN at row 6"
    );
    bad[6] = f64::INFINITY;
    let err = fit(&[&good, &bad], &outcomes, &FitOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "indicator `1` has the non-finite value inf at row 6"
    );
}

#[test]
fn shape_errors_name_the_culprit() {
    let outcomes = [false, true, true];
    let err = fit(
        &[&[1.0, 2.0, 3.0], &[1.0, 2.0]],
        &outcomes,
        &FitOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "indicator `1` has 2 values but there are 3 inspection outcomes"
    );
    assert_eq!(
        fit(&[&[]], &[], &FitOptions::default()).unwrap_err(),
        FitError::NoRows
    );
    assert_eq!(
        fit(&[], &outcomes, &FitOptions::default()).unwrap_err(),
        FitError::NoIndicators
    );
}

#[test]
fn running_out_of_iterations_is_reported_not_an_error() {
    let (columns, outcomes) = simulate(4, 2_000, &[0.5, 0.5], -5.0, 0.1, &[]);
    let options = FitOptions::default().with_max_iterations(1);
    let fit = fit(&slices(&columns), &outcomes, &options).expect("fits");
    assert!(!fit.converged);
    assert_eq!(fit.iterations, 1);
}

#[test]
fn separated_outcomes_stay_finite_under_the_ridge() {
    let x: Vec<f64> = (0..100).map(f64::from).collect();
    let y: Vec<bool> = x.iter().map(|&v| v >= 50.0).collect();
    let fit = fit(&[&x], &y, &FitOptions::default()).expect("fits");
    assert!(fit.coefficients[0].is_finite() && fit.coefficients[0] > 0.0);
    assert!(fit.intercept.is_finite());
    assert!(fit.predict(&[99.0]) > 0.99 && fit.predict(&[0.0]) < 0.01);
    assert_eq!(fit.weights(), Some(vec![1.0]));
}

#[test]
fn default_options_are_the_documented_values() {
    let options = FitOptions::default();
    assert_eq!(options.ridge, 1e-4);
    assert_eq!(options.max_iterations, 100);
    assert_eq!(options.tolerance, 1e-10);
    assert!(options.non_negative);
    assert_eq!(options.correlation_warning, 0.8);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn weights_are_a_distribution_and_predictions_probabilities(
        seed in any::<u64>(),
        p in 1_usize..5,
        problem_share in 0.02_f64..0.6,
    ) {
        let m = 200;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let columns: Vec<Vec<f64>> = (0..p)
            .map(|_| (0..m).map(|_| f64::from(rng.random_range(0_u8..=100))).collect())
            .collect();
        let mut outcomes: Vec<bool> = (0..m).map(|_| rng.random::<f64>() < problem_share).collect();
        outcomes[0] = true;
        outcomes[1] = false;

        let fit = fit(&slices(&columns), &outcomes, &FitOptions::default())
            .expect("random data with both outcomes fits");
        if let Some(weights) = fit.weights() {
            prop_assert!(weights.iter().all(|&w| w >= 0.0));
            prop_assert!((weights.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        }
        prop_assert!(fit.coefficients.iter().all(|&c| c >= 0.0 && c.is_finite()));
        for i in 0..m {
            let row: Vec<f64> = columns.iter().map(|c| c[i]).collect();
            let prob = fit.predict(&row);
            prop_assert!((0.0..=1.0).contains(&prob), "prediction {prob}");
        }
        prop_assert!(fit.log_likelihood >= fit.null_log_likelihood - 1e-9);
        prop_assert!(fit.p_values.iter().flatten().all(|&pv| (0.0..=1.0).contains(&pv)));
    }
}
