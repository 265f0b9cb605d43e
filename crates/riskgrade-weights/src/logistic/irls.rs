//! Penalised maximum likelihood by Newton's method (iteratively reweighted least squares) with
//! step halving, on standardised columns.

use super::FitError;
use super::FitOptions;
use super::linalg::{cholesky, cholesky_inverse, cholesky_solve};

/// Step halvings tried before a Newton step is given up.
const MAX_HALVINGS: usize = 40;

/// One penalised maximum-likelihood fit on standardised columns.
pub(super) struct Estimate {
    /// `[intercept, slopes…]` on the standardised scale.
    pub(super) theta: Vec<f64>,
    /// Inverse penalised information matrix at `theta`, row-major `(q+1)²`.
    covariance: Vec<f64>,
    /// Unpenalised log-likelihood at `theta`.
    pub(super) log_likelihood: f64,
    /// Newton steps taken.
    pub(super) iterations: usize,
    /// Whether the convergence test was met.
    pub(super) converged: bool,
}

impl Estimate {
    /// Standard error of `theta[parameter]`, if its variance is positive and finite.
    pub(super) fn se(&self, parameter: usize) -> Option<f64> {
        let n = self.theta.len();
        let v = self.covariance[parameter * n + parameter];
        (v > 0.0 && v.is_finite()).then(|| v.sqrt())
    }
}

/// Newton / IRLS with step halving, from `theta`.
pub(super) fn newton(
    cols: &[&[f64]],
    y: &[bool],
    mut theta: Vec<f64>,
    options: &FitOptions,
) -> Result<Estimate, FitError> {
    let n = cols.len() + 1;
    let ridge = options.ridge;
    let tol = options.tolerance;
    let mut eta = linear_predictor(cols, &theta, y.len());
    let mut pll = penalised(log_likelihood(y, &eta), &theta, ridge);
    let mut iterations = 0;
    let mut converged = false;
    while iterations < options.max_iterations {
        let (gradient, information) = score_and_information(cols, y, &eta, &theta, ridge);
        let l = cholesky(&information, n).ok_or(FitError::Singular {
            ridge,
            iteration: iterations,
        })?;
        let step = cholesky_solve(&l, n, &gradient);
        let decrement: f64 = gradient.iter().zip(&step).map(|(g, s)| g * s).sum();
        let largest_step = step.iter().fold(0.0_f64, |acc, s| acc.max(s.abs()));
        let largest_theta = theta.iter().fold(0.0_f64, |acc, t| acc.max(t.abs()));
        let small = decrement <= tol * (2.0 * pll.abs() + 0.1)
            || largest_step <= tol * (1.0 + largest_theta);

        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..MAX_HALVINGS {
            let trial: Vec<f64> = theta.iter().zip(&step).map(|(a, s)| a + t * s).collect();
            let trial_eta = linear_predictor(cols, &trial, y.len());
            let trial_pll = penalised(log_likelihood(y, &trial_eta), &trial, ridge);
            if trial_pll.is_finite() && trial_pll >= pll - 1e-12 * (1.0 + pll.abs()) {
                accepted = Some((trial, trial_eta, trial_pll));
                break;
            }
            t *= 0.5;
        }
        let Some((trial, trial_eta, trial_pll)) = accepted else {
            // No step improves: at the optimum to working precision, or stuck.
            converged = small;
            break;
        };
        iterations += 1;
        theta = trial;
        eta = trial_eta;
        pll = trial_pll;
        if small {
            converged = true;
            break;
        }
    }

    let (_, information) = score_and_information(cols, y, &eta, &theta, ridge);
    let l = cholesky(&information, n).ok_or(FitError::Singular {
        ridge,
        iteration: iterations,
    })?;
    Ok(Estimate {
        covariance: cholesky_inverse(&l, n),
        log_likelihood: log_likelihood(y, &eta),
        theta,
        iterations,
        converged,
    })
}

fn linear_predictor(cols: &[&[f64]], theta: &[f64], m: usize) -> Vec<f64> {
    let mut eta = vec![theta[0]; m];
    for (col, &coef) in cols.iter().zip(&theta[1..]) {
        for (e, &x) in eta.iter_mut().zip(col.iter()) {
            *e += coef * x;
        }
    }
    eta
}

fn penalised(log_likelihood: f64, theta: &[f64], ridge: f64) -> f64 {
    log_likelihood - 0.5 * ridge * theta[1..].iter().map(|g| g * g).sum::<f64>()
}

/// Gradient of the penalised log-likelihood and the penalised information matrix (row-major).
fn score_and_information(
    cols: &[&[f64]],
    y: &[bool],
    eta: &[f64],
    theta: &[f64],
    ridge: f64,
) -> (Vec<f64>, Vec<f64>) {
    let n = cols.len() + 1;
    let probabilities: Vec<f64> = eta.iter().map(|&e| sigmoid(e)).collect();
    let residual: Vec<f64> = y
        .iter()
        .zip(&probabilities)
        .map(|(&yi, &pi)| f64::from(u8::from(yi)) - pi)
        .collect();
    let weight: Vec<f64> = probabilities.iter().map(|&pi| pi * (1.0 - pi)).collect();

    let mut gradient = vec![0.0; n];
    let mut information = vec![0.0; n * n];
    gradient[0] = residual.iter().sum();
    information[0] = weight.iter().sum();
    for (a, col) in cols.iter().enumerate() {
        let ia = a + 1;
        let weighted: Vec<f64> = weight.iter().zip(col.iter()).map(|(w, x)| w * x).collect();
        gradient[ia] = residual
            .iter()
            .zip(col.iter())
            .map(|(r, x)| r * x)
            .sum::<f64>()
            - ridge * theta[ia];
        let with_intercept: f64 = weighted.iter().sum();
        information[ia * n] = with_intercept;
        information[ia] = with_intercept;
        for (b, other) in cols.iter().enumerate().take(a + 1) {
            let ib = b + 1;
            let v: f64 = weighted.iter().zip(other.iter()).map(|(w, x)| w * x).sum();
            information[ia * n + ib] = v;
            information[ib * n + ia] = v;
        }
        information[ia * n + ia] += ridge;
    }
    (gradient, information)
}

fn log_likelihood(y: &[bool], eta: &[f64]) -> f64 {
    y.iter()
        .zip(eta)
        .map(|(&yi, &e)| if yi { -softplus(-e) } else { -softplus(e) })
        .sum()
}

/// `ln(1 + eˣ)` without overflow.
pub(super) fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// `1 / (1 + e⁻ˣ)` without overflow.
pub(super) fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}
