//! The indicator columns before fitting: standardisation, pairwise correlations and variance
//! inflation factors.

use super::FitOptions;
use super::linalg::{cholesky, cholesky_inverse};

/// A variance inflation factor at least this large is reported as infinite.
const VIF_INFINITE: f64 = 1e8;

/// `(mean, sd, standardised values)` of a column, or `None` if it is constant.
pub(super) fn standardise(column: &[f64]) -> Option<(f64, f64, Vec<f64>)> {
    let first = *column.first()?;
    if column.iter().all(|&x| x == first) {
        return None;
    }
    let m = column.len() as f64;
    // Dividing before adding keeps the mean finite for huge values.
    let mean = column.iter().map(|&x| x / m).sum::<f64>();
    let scale = column
        .iter()
        .map(|&x| (x - mean).abs())
        .fold(0.0_f64, f64::max);
    if !(scale > 0.0 && scale.is_finite()) {
        return None;
    }
    let variance = column
        .iter()
        .map(|&x| ((x - mean) / scale).powi(2))
        .sum::<f64>()
        / m;
    let sd = scale * variance.sqrt();
    if !(sd > 0.0 && sd.is_finite()) {
        return None;
    }
    Some((mean, sd, column.iter().map(|&x| (x - mean) / sd).collect()))
}

/// `(j, k, r)` as listed in [`Fit::correlated`].
pub(super) type CorrelatedPair = (usize, usize, f64);

/// Correlation warnings and VIFs from the standardised columns (population sd, so
/// `r = Σ z_j z_k / m`).
pub(super) fn correlations(
    standardised: &[Vec<f64>],
    estimable: &[usize],
    p: usize,
    options: &FitOptions,
) -> (Vec<CorrelatedPair>, Vec<Option<f64>>) {
    let q = standardised.len();
    let m = standardised.first().map_or(0, Vec::len) as f64;
    let mut r = vec![0.0; q * q];
    let mut correlated = Vec::new();
    for a in 0..q {
        r[a * q + a] = 1.0;
        for b in 0..a {
            let dot: f64 = standardised[a]
                .iter()
                .zip(&standardised[b])
                .map(|(x, y)| x * y)
                .sum();
            let rab = (dot / m).clamp(-1.0, 1.0);
            r[a * q + b] = rab;
            r[b * q + a] = rab;
            if rab.abs() >= options.correlation_warning {
                correlated.push((estimable[b], estimable[a], rab));
            }
        }
    }
    correlated.sort_by(|x, y| {
        y.2.abs()
            .total_cmp(&x.2.abs())
            .then(x.0.cmp(&y.0))
            .then(x.1.cmp(&y.1))
    });

    let mut vif = vec![None; p];
    let factor = cholesky(&r, q).or_else(|| {
        // Exactly collinear: a tiny jitter gives huge diagonal entries, reported as infinite.
        let mut jittered = r.clone();
        for a in 0..q {
            jittered[a * q + a] += 1e-9;
        }
        cholesky(&jittered, q)
    });
    if let Some(l) = factor {
        let inverse = cholesky_inverse(&l, q);
        for (a, &j) in estimable.iter().enumerate() {
            let v = inverse[a * q + a];
            vif[j] = Some(if v >= VIF_INFINITE || !v.is_finite() {
                f64::INFINITY
            } else {
                v
            });
        }
    }
    (correlated, vif)
}
