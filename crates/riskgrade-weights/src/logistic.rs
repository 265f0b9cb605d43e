//! Calibration on inspection outcomes: logistic regression of "the inspection found a problem" on
//! the indicator points.
//!
//! # The model
//!
//! A scoring model adds up indicator points with absolute weights, `score = Σ w_j·x_j`, where the
//! points are risk-oriented (higher is riskier), `w_j ≥ 0` and `Σ w_j = 1`. Past random inspections
//! (双随机) say, for each inspected enterprise, whether a problem was found. [`fit`] estimates
//!
//! ```text
//! logit P(problem) = b0 + Σ β_j·x_j
//! ```
//!
//! by maximum likelihood. Because the score is linear in the points, the weights that rank
//! enterprises the way the outcomes do are `w_j = β_j / Σ_k β_k` ([`Fit::weights`]): the intercept
//! and the overall scale of `β` only move and stretch the score, which the class cut-offs absorb.
//! The weights are comparable with the model's only if `x_j` are the very points the model adds up.
//!
//! # The algorithm
//!
//! 1. Every column is standardised internally (`z = (x − mean) / sd`, population sd) so that the
//!    Newton steps are well conditioned whatever the point scales. A column whose values are all
//!    equal carries no information: its coefficient is 0 and it is listed in [`Fit::constant`].
//! 2. Iteratively reweighted least squares (Newton's method) maximises the penalised
//!    log-likelihood `ℓ(b, γ) − (ridge / 2)·Σ γ_j²`, where `γ_j` are the slopes on the
//!    standardised scale and the intercept is not penalised. The default `ridge = 1e-4` is a normal
//!    prior with standard deviation 100 on each standardised slope: negligible for the estimates,
//!    but it keeps the information matrix invertible when two indicators are duplicates and the
//!    slopes finite when the outcomes are perfectly separated. A step that lowers the penalised
//!    log-likelihood is halved until it does not. Iteration stops when the predicted change in
//!    deviance (the Newton decrement `gᵀH⁻¹g`) is at most `tolerance·(|deviance| + 0.1)` or the
//!    largest coefficient change is at most `tolerance·(1 + max |coefficient|)`; the step that met
//!    the test is still taken. Running out of iterations is not an error: [`Fit::converged`] is
//!    `false`.
//! 3. Coefficients are converted back to the original point scale: `β_j = γ_j / sd_j`,
//!    `b0 = b − Σ β_j·mean_j`.
//! 4. Standard errors come from the inverse of the (penalised) information matrix at the final
//!    fit; `z = β / se` and the two-sided p-value is from the standard normal distribution.
//!
//! # The sign check
//!
//! A risk indicator should not *lower* the chance that an inspection finds a problem. With
//! [`FitOptions::non_negative`] (the default), every indicator whose fitted coefficient is negative
//! is reported in [`Fit::negative`] with its unconstrained coefficient and z, fixed at 0, and the
//! model is refitted without it; this repeats until no coefficient is negative. All negative
//! indicators of one round are dropped together. A reported indicator either is mis-oriented
//! (a "benefit" indicator scored as a cost), or is standing in for a correlated indicator, or
//! has no effect and came out negative by chance — look at its z before blaming the indicator.
//! Without `non_negative` the negative indicators are still reported but kept in the fit;
//! [`Fit::weights`] then treats them as 0.
//!
//! # Correlation warnings
//!
//! [`Fit::correlated`] lists every pair of non-constant indicators whose Pearson correlation over
//! the inspected rows is at least [`FitOptions::correlation_warning`] in absolute value. The data
//! cannot tell such indicators apart: the split of weight between them is arbitrary, and their
//! standard errors are large. [`Fit::vif`] gives each indicator's variance inflation factor
//! (the diagonal of the inverse correlation matrix), which also catches an indicator that is a
//! combination of several others; a VIF above about 10 is the usual warning sign.
//!
//! # Sampling by class
//!
//! Inspected enterprises are not a random sample of all enterprises: inspection ratios depend on
//! the class (Henan inspects 1% of A and 30% of D), and the class is a function of the indicators.
//! Sampling on the explanatory variables does not bias the conditional model
//! `P(problem | x)` when the model is right, so the slopes — and therefore the weights — are
//! estimated consistently. The fitted intercept, and with it the level of [`Fit::predict`],
//! reflects the inspected population, not all enterprises.
//!
//! # Example
//!
//! ```
//! use riskgrade_weights::logistic::{fit, FitOptions};
//!
//! // Two indicators (points 0–100) for 400 inspected enterprises; problems are found more often
//! // where the first indicator is high, and a little more often where the second is.
//! let mut penalties = Vec::new();
//! let mut complaints = Vec::new();
//! let mut found = Vec::new();
//! for i in 0..400_u64 {
//!     let x1 = (i * 37 % 101) as f64;
//!     let x2 = (i * 53 % 97) as f64;
//!     let noise = (i * 7919 % 100) as f64;
//!     penalties.push(x1);
//!     complaints.push(x2);
//!     found.push(0.8 * x1 + 0.2 * x2 + noise > 110.0);
//! }
//!
//! let fit = fit(&[&penalties, &complaints], &found, &FitOptions::default())?;
//! assert!(fit.converged);
//! let weights = fit.weights().expect("both slopes are positive");
//! assert!(weights[0] > weights[1]);
//! assert!((weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
//! assert!(fit.negative.is_empty() && fit.correlated.is_empty());
//! // Probability that an inspection of a (90, 10) enterprise finds a problem.
//! let p = fit.predict(&[90.0, 10.0]);
//! assert!(p > 0.5 && p <= 1.0);
//! # Ok::<(), riskgrade_weights::logistic::FitError>(())
//! ```

use serde::{Deserialize, Serialize};

mod columns;
mod irls;
mod linalg;
mod normal;

use columns::{correlations, standardise};
use irls::{Estimate, newton, sigmoid};
use normal::two_sided_p;

/// How [`fit`] runs. Build it from [`Default`] and the `with_*` setters.
///
/// ```
/// use riskgrade_weights::logistic::FitOptions;
///
/// let options = FitOptions::default().with_ridge(0.0).with_correlation_warning(0.9);
/// assert_eq!(options.max_iterations, 100);
/// assert!(options.non_negative);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FitOptions {
    /// L2 penalty `(ridge / 2)·Σ γ_j²` on the slopes of the *standardised* indicators (not on the
    /// intercept). Default `1e-4`, a normal prior with standard deviation 100 on each standardised
    /// slope: it changes the estimates negligibly but keeps the fit defined for duplicate
    /// indicators and separated outcomes. `0` gives the plain maximum-likelihood estimate.
    pub ridge: f64,
    /// Newton iterations allowed for each fit (the sign check may refit). Default 100.
    pub max_iterations: usize,
    /// Convergence tolerance on the relative change in deviance or in the coefficients.
    /// Default `1e-10`.
    pub tolerance: f64,
    /// Enforce non-negative coefficients by the sign check (see the [module docs](self)).
    /// Default `true`.
    pub non_negative: bool,
    /// Pairs of indicators with `|r|` at least this are listed in [`Fit::correlated`]. Default 0.8.
    pub correlation_warning: f64,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            ridge: 1e-4,
            max_iterations: 100,
            tolerance: 1e-10,
            non_negative: true,
            correlation_warning: 0.8,
        }
    }
}

impl FitOptions {
    /// Sets [`ridge`](Self::ridge).
    ///
    /// ```
    /// # use riskgrade_weights::logistic::FitOptions;
    /// assert_eq!(FitOptions::default().with_ridge(0.0).ridge, 0.0);
    /// ```
    #[must_use]
    pub fn with_ridge(mut self, ridge: f64) -> Self {
        self.ridge = ridge;
        self
    }

    /// Sets [`max_iterations`](Self::max_iterations).
    ///
    /// ```
    /// # use riskgrade_weights::logistic::FitOptions;
    /// assert_eq!(FitOptions::default().with_max_iterations(25).max_iterations, 25);
    /// ```
    #[must_use]
    pub fn with_max_iterations(mut self, max_iterations: usize) -> Self {
        self.max_iterations = max_iterations;
        self
    }

    /// Sets [`tolerance`](Self::tolerance).
    ///
    /// ```
    /// # use riskgrade_weights::logistic::FitOptions;
    /// assert_eq!(FitOptions::default().with_tolerance(1e-8).tolerance, 1e-8);
    /// ```
    #[must_use]
    pub fn with_tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Sets [`non_negative`](Self::non_negative).
    ///
    /// ```
    /// # use riskgrade_weights::logistic::FitOptions;
    /// assert!(!FitOptions::default().with_non_negative(false).non_negative);
    /// ```
    #[must_use]
    pub fn with_non_negative(mut self, non_negative: bool) -> Self {
        self.non_negative = non_negative;
        self
    }

    /// Sets [`correlation_warning`](Self::correlation_warning).
    ///
    /// ```
    /// # use riskgrade_weights::logistic::FitOptions;
    /// assert_eq!(FitOptions::default().with_correlation_warning(0.9).correlation_warning, 0.9);
    /// ```
    #[must_use]
    pub fn with_correlation_warning(mut self, correlation_warning: f64) -> Self {
        self.correlation_warning = correlation_warning;
        self
    }

    fn validate(&self) -> Result<(), FitError> {
        let invalid = |option, value, expected| {
            Err(FitError::InvalidOption {
                option,
                value,
                expected,
            })
        };
        if !(self.ridge.is_finite() && self.ridge >= 0.0) {
            return invalid("ridge", self.ridge, "a finite number ≥ 0");
        }
        if self.max_iterations == 0 {
            return invalid("max_iterations", 0.0, "at least 1");
        }
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return invalid("tolerance", self.tolerance, "a finite number > 0");
        }
        if !(0.0..=1.0).contains(&self.correlation_warning) {
            return invalid(
                "correlation_warning",
                self.correlation_warning,
                "a number between 0 and 1",
            );
        }
        Ok(())
    }
}

/// An indicator whose fitted coefficient was negative: a higher (riskier) value made a problem
/// *less* likely.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignViolation {
    /// Position of the indicator among the columns passed to [`fit`] (0-based).
    pub indicator: usize,
    /// Its coefficient (original point scale) in the fit that still contained it.
    pub coefficient: f64,
    /// Its z statistic in that fit, if the standard error could be computed.
    pub z: Option<f64>,
}

/// The result of [`fit`]. Vectors indexed by indicator follow the order of the columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    /// `b0`, the log odds of a problem when every indicator is 0 (reflects the inspected sample,
    /// see the [module docs](self)).
    pub intercept: f64,
    /// `β_j` on the original point scale; 0 for constant indicators and those dropped by the sign
    /// check.
    pub coefficients: Vec<f64>,
    /// Standard error of each coefficient; `None` for constant or dropped indicators.
    pub std_errors: Vec<Option<f64>>,
    /// `β_j / se_j`; `None` where the standard error is.
    pub z: Vec<Option<f64>>,
    /// Two-sided p-value of `z` from the standard normal; `None` where `z` is.
    pub p_values: Vec<Option<f64>>,
    /// Log-likelihood of the final fit (without the ridge penalty).
    pub log_likelihood: f64,
    /// Log-likelihood of the intercept-only model.
    pub null_log_likelihood: f64,
    /// Newton iterations of the final fit.
    pub iterations: usize,
    /// Whether the final fit met the convergence test within `max_iterations`.
    pub converged: bool,
    /// Indicators whose values are all equal (not estimable), ascending.
    pub constant: Vec<usize>,
    /// Indicators that failed the sign check, in the order found.
    pub negative: Vec<SignViolation>,
    /// Pairs `(j, k, r)`, `j < k`, of indicators with `|r| ≥ correlation_warning`, by `|r|`
    /// descending.
    pub correlated: Vec<(usize, usize, f64)>,
    /// Variance inflation factor of each non-constant indicator among all non-constant indicators
    /// (`f64::INFINITY` if it is a linear combination of others); `None` for constant indicators.
    pub vif: Vec<Option<f64>>,
    /// Number of inspections (rows) used.
    pub rows: usize,
    /// Number of inspections that found a problem.
    pub events: usize,
}

impl Fit {
    /// Calibrated absolute weights: the positive parts of the coefficients, normalised to sum to 1.
    /// `None` if no coefficient is positive.
    ///
    /// ```
    /// # use riskgrade_weights::logistic::{fit, FitOptions};
    /// let x = [0.0, 0.0, 1.0, 1.0, 0.0, 1.0];
    /// let found = [false, true, true, true, false, false];
    /// let fit = fit(&[&x], &found, &FitOptions::default())?;
    /// assert_eq!(fit.weights(), Some(vec![1.0]));
    /// # Ok::<(), riskgrade_weights::logistic::FitError>(())
    /// ```
    pub fn weights(&self) -> Option<Vec<f64>> {
        let max = self
            .coefficients
            .iter()
            .copied()
            .filter(|c| c.is_finite())
            .fold(0.0_f64, f64::max);
        if max <= 0.0 {
            return None;
        }
        // Dividing by the largest first keeps the sum finite whatever the scale.
        let scaled: Vec<f64> = self
            .coefficients
            .iter()
            .map(|&c| {
                if c.is_finite() && c > 0.0 {
                    c / max
                } else {
                    0.0
                }
            })
            .collect();
        let sum: f64 = scaled.iter().sum();
        Some(scaled.into_iter().map(|s| s / sum).collect())
    }

    /// The fitted probability that an inspection finds a problem, for one row of indicator points
    /// (one value per indicator, in column order).
    ///
    /// # Panics
    ///
    /// If `row` does not have one value per indicator.
    ///
    /// ```
    /// # use riskgrade_weights::logistic::{fit, FitOptions};
    /// let x = [0.0, 0.0, 1.0, 1.0, 0.0, 1.0];
    /// let found = [false, true, true, true, false, false];
    /// let fit = fit(&[&x], &found, &FitOptions::default().with_ridge(0.0))?;
    /// assert!((fit.predict(&[1.0]) - 2.0 / 3.0).abs() < 1e-9);
    /// # Ok::<(), riskgrade_weights::logistic::FitError>(())
    /// ```
    pub fn predict(&self, row: &[f64]) -> f64 {
        assert_eq!(
            row.len(),
            self.coefficients.len(),
            "predict needs one value per indicator"
        );
        let eta = self.intercept
            + self
                .coefficients
                .iter()
                .zip(row)
                .map(|(b, x)| b * x)
                .sum::<f64>();
        sigmoid(eta)
    }

    /// McFadden's pseudo-R²: `1 − ℓ / ℓ0`, 0 for a model no better than the event rate.
    ///
    /// ```
    /// # use riskgrade_weights::logistic::{fit, FitOptions};
    /// let x = [0.0, 0.0, 1.0, 1.0, 0.0, 1.0];
    /// let found = [false, true, true, true, false, false];
    /// let fit = fit(&[&x], &found, &FitOptions::default())?;
    /// assert!(fit.pseudo_r2() > 0.0 && fit.pseudo_r2() < 1.0);
    /// # Ok::<(), riskgrade_weights::logistic::FitError>(())
    /// ```
    pub fn pseudo_r2(&self) -> f64 {
        if self.null_log_likelihood == 0.0 {
            return 0.0;
        }
        1.0 - self.log_likelihood / self.null_log_likelihood
    }
}

/// Why [`fit`] could not calibrate. Indicators and rows are 0-based positions in the input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FitError {
    /// There are no outcomes.
    #[error("no inspection outcomes: nothing to calibrate on")]
    NoRows,
    /// There are no indicator columns.
    #[error("no indicators: nothing to calibrate")]
    NoIndicators,
    /// An indicator column does not have one value per outcome.
    #[error("indicator `{indicator}` has {len} values but there are {rows} inspection outcomes")]
    LengthMismatch {
        /// The indicator.
        indicator: usize,
        /// Its number of values.
        len: usize,
        /// The number of outcomes.
        rows: usize,
    },
    /// An indicator value is NaN or infinite.
    #[error("indicator `{indicator}` has the non-finite value {value} at row {row}")]
    NonFinite {
        /// The indicator.
        indicator: usize,
        /// The row.
        row: usize,
        /// The value.
        value: f64,
    },
    /// Every inspection had the same outcome.
    #[error(
        "all {rows} inspections found {}: nothing to calibrate on",
        if *.problem { "a problem" } else { "no problem" }
    )]
    SameOutcome {
        /// The number of inspections.
        rows: usize,
        /// Whether they all found a problem.
        problem: bool,
    },
    /// Every indicator has the same value in every row.
    #[error(
        "every indicator is constant over the {rows} inspections ({indicators} indicators): no weight can be estimated"
    )]
    AllConstant {
        /// The number of indicators.
        indicators: usize,
        /// The number of inspections.
        rows: usize,
    },
    /// The information matrix could not be inverted.
    #[error(
        "the information matrix is singular with `ridge` {ridge} at iteration {iteration}: some indicators are linear combinations of others; set `ridge` above 0 or drop the duplicates"
    )]
    Singular {
        /// The ridge penalty in force.
        ridge: f64,
        /// The Newton iteration at which it happened.
        iteration: usize,
    },
    /// An option is out of range.
    #[error("option `{option}` is {value}, expected {expected}")]
    InvalidOption {
        /// The option's field name in [`FitOptions`].
        option: &'static str,
        /// Its value.
        value: f64,
        /// What it should be.
        expected: &'static str,
    },
}

/// Fits `logit P(problem) = b0 + Σ β_j·x_j` to inspection outcomes; see the [module docs](self)
/// for the model and the algorithm.
///
/// `columns` holds one slice per indicator, each with one value per inspection; `outcomes[i]` is
/// whether inspection `i` found a problem.
///
/// # Errors
///
/// [`FitError`] if there are no outcomes or no indicators, a column's length differs from the
/// number of outcomes, a value is not finite, every outcome is the same, every indicator is
/// constant, the information matrix is singular (only possible with `ridge = 0` and collinear
/// indicators), or an option is out of range. Not converging is not an error: see
/// [`Fit::converged`].
///
/// ```
/// use riskgrade_weights::logistic::{fit, FitError, FitOptions};
///
/// let err = fit(&[&[1.0, 2.0, 3.0]], &[false; 3], &FitOptions::default()).unwrap_err();
/// assert_eq!(err, FitError::SameOutcome { rows: 3, problem: false });
/// assert_eq!(err.to_string(), "all 3 inspections found no problem: nothing to calibrate on");
/// ```
pub fn fit(columns: &[&[f64]], outcomes: &[bool], options: &FitOptions) -> Result<Fit, FitError> {
    options.validate()?;
    let events = check_data(columns, outcomes)?;
    let m = outcomes.len();
    let p = columns.len();
    let data = Standardised::new(columns);
    if data.estimable.is_empty() {
        return Err(FitError::AllConstant {
            indicators: p,
            rows: m,
        });
    }
    let (correlated, vif) = correlations(&data.columns, &data.estimable, p, options);

    let rate = events as f64 / m as f64;
    let null_intercept = (rate / (1.0 - rate)).ln();
    let null_log_likelihood = events as f64 * rate.ln() + (m - events) as f64 * (-rate).ln_1p();

    let (estimate, negative) = fit_with_sign_check(&data, outcomes, null_intercept, options)?;
    let mut fit = Fit {
        intercept: null_intercept,
        coefficients: vec![0.0; p],
        std_errors: vec![None; p],
        z: vec![None; p],
        p_values: vec![None; p],
        log_likelihood: null_log_likelihood,
        null_log_likelihood,
        iterations: 0,
        converged: true,
        constant: data.constant.clone(),
        negative,
        correlated,
        vif,
        rows: m,
        events,
    };
    if let Some((est, active)) = estimate {
        data.to_point_scale(&est, &active, &mut fit);
    }
    Ok(fit)
}

/// Checks the shape and values of the data; returns the number of inspections that found a problem.
fn check_data(columns: &[&[f64]], outcomes: &[bool]) -> Result<usize, FitError> {
    let m = outcomes.len();
    if m == 0 {
        return Err(FitError::NoRows);
    }
    if columns.is_empty() {
        return Err(FitError::NoIndicators);
    }
    for (indicator, column) in columns.iter().enumerate() {
        if column.len() != m {
            return Err(FitError::LengthMismatch {
                indicator,
                len: column.len(),
                rows: m,
            });
        }
    }
    for (indicator, column) in columns.iter().enumerate() {
        if let Some((row, &value)) = column.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(FitError::NonFinite {
                indicator,
                row,
                value,
            });
        }
    }
    let events = outcomes.iter().filter(|&&y| y).count();
    if events == 0 || events == m {
        return Err(FitError::SameOutcome {
            rows: m,
            problem: events == m,
        });
    }
    Ok(events)
}

/// The non-constant columns, standardised, with what it takes to convert back.
struct Standardised {
    /// Indicators whose values are all equal.
    constant: Vec<usize>,
    /// The indicator of each standardised column.
    estimable: Vec<usize>,
    /// The mean of each standardised column.
    means: Vec<f64>,
    /// The standard deviation of each standardised column.
    sds: Vec<f64>,
    /// The standardised columns.
    columns: Vec<Vec<f64>>,
}

impl Standardised {
    /// Standardises every non-constant column and lists the constant ones.
    fn new(columns: &[&[f64]]) -> Standardised {
        let mut data = Standardised {
            constant: Vec::new(),
            estimable: Vec::new(),
            means: Vec::new(),
            sds: Vec::new(),
            columns: Vec::new(),
        };
        for (j, column) in columns.iter().enumerate() {
            match standardise(column) {
                Some((mean, sd, z)) => {
                    data.estimable.push(j);
                    data.means.push(mean);
                    data.sds.push(sd);
                    data.columns.push(z);
                }
                None => data.constant.push(j),
            }
        }
        data
    }

    /// Writes the coefficients of `est` (fitted on columns `active`) on the original point
    /// scale into `fit`, with their standard errors, z and p-values.
    fn to_point_scale(&self, est: &Estimate, active: &[usize], fit: &mut Fit) {
        let mut intercept = est.theta[0];
        for (slot, &a) in active.iter().enumerate() {
            let j = self.estimable[a];
            let gamma = est.theta[slot + 1];
            let beta = gamma / self.sds[a];
            fit.coefficients[j] = beta;
            intercept -= beta * self.means[a];
            if let Some(se) = est.se(slot + 1) {
                let zj = gamma / se;
                fit.std_errors[j] = Some(se / self.sds[a]);
                fit.z[j] = Some(zj);
                fit.p_values[j] = Some(two_sided_p(zj));
            }
        }
        fit.intercept = intercept;
        fit.log_likelihood = est.log_likelihood;
        fit.iterations = est.iterations;
        fit.converged = est.converged;
    }
}

/// The fit and the columns (positions into the standardised columns) still in it.
type ActiveEstimate = (Estimate, Vec<usize>);

/// Fits, reports every negative slope and, with [`FitOptions::non_negative`], refits without
/// them until none is negative. `None` when no column is left.
fn fit_with_sign_check(
    data: &Standardised,
    outcomes: &[bool],
    null_intercept: f64,
    options: &FitOptions,
) -> Result<(Option<ActiveEstimate>, Vec<SignViolation>), FitError> {
    let mut active: Vec<usize> = (0..data.estimable.len()).collect();
    let mut negative = Vec::new();
    let mut start = vec![null_intercept; 1];
    start.extend(std::iter::repeat_n(0.0, active.len()));
    loop {
        if active.is_empty() {
            return Ok((None, negative));
        }
        let cols: Vec<&[f64]> = active.iter().map(|&a| data.columns[a].as_slice()).collect();
        let est = newton(&cols, outcomes, start, options)?;
        let mut keep = Vec::with_capacity(active.len());
        let mut next_start = vec![est.theta[0]];
        let mut dropped = false;
        for (slot, &a) in active.iter().enumerate() {
            let gamma = est.theta[slot + 1];
            if gamma < 0.0 {
                negative.push(SignViolation {
                    indicator: data.estimable[a],
                    coefficient: gamma / data.sds[a],
                    z: est.se(slot + 1).map(|se| gamma / se),
                });
                dropped = true;
            } else {
                keep.push(a);
                next_start.push(gamma);
            }
        }
        if !(options.non_negative && dropped) {
            return Ok((Some((est, active)), negative));
        }
        active = keep;
        start = next_start;
    }
}

#[cfg(test)]
mod tests;
