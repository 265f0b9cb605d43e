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

/// A pivot of the Cholesky factorisation below this fraction of its diagonal entry means the
/// matrix is singular to working precision (`1 − R²` of a column on the others).
const PIVOT_TOLERANCE: f64 = 1e-12;

/// Step halvings tried before a Newton step is given up.
const MAX_HALVINGS: usize = 40;

/// A variance inflation factor at least this large is reported as infinite.
const VIF_INFINITE: f64 = 1e8;

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

    let p = columns.len();
    // Standardise the non-constant columns.
    let mut constant = Vec::new();
    let mut estimable = Vec::new(); // indicator index of each standardised column
    let mut means = Vec::new();
    let mut sds = Vec::new();
    let mut standardised: Vec<Vec<f64>> = Vec::new();
    for (j, column) in columns.iter().enumerate() {
        match standardise(column) {
            Some((mean, sd, z)) => {
                estimable.push(j);
                means.push(mean);
                sds.push(sd);
                standardised.push(z);
            }
            None => constant.push(j),
        }
    }
    if estimable.is_empty() {
        return Err(FitError::AllConstant {
            indicators: p,
            rows: m,
        });
    }

    let (correlated, vif) = correlations(&standardised, &estimable, p, options);

    let rate = events as f64 / m as f64;
    let null_intercept = (rate / (1.0 - rate)).ln();
    let null_log_likelihood = events as f64 * rate.ln() + (m - events) as f64 * (-rate).ln_1p();

    // Positions (into `standardised`) still in the fit, and the sign check.
    let mut active: Vec<usize> = (0..estimable.len()).collect();
    let mut negative = Vec::new();
    let mut start = vec![null_intercept; 1];
    start.extend(std::iter::repeat_n(0.0, active.len()));
    let estimate = loop {
        if active.is_empty() {
            break None;
        }
        let cols: Vec<&[f64]> = active.iter().map(|&a| standardised[a].as_slice()).collect();
        let est = newton(&cols, outcomes, start, options)?;
        let mut keep = Vec::with_capacity(active.len());
        let mut next_start = vec![est.theta[0]];
        let mut dropped = false;
        for (slot, &a) in active.iter().enumerate() {
            let gamma = est.theta[slot + 1];
            if gamma < 0.0 {
                negative.push(SignViolation {
                    indicator: estimable[a],
                    coefficient: gamma / sds[a],
                    z: est.se(slot + 1).map(|se| gamma / se),
                });
                dropped = true;
            } else {
                keep.push(a);
                next_start.push(gamma);
            }
        }
        if !(options.non_negative && dropped) {
            break Some((est, active));
        }
        active = keep;
        start = next_start;
    };

    let mut coefficients = vec![0.0; p];
    let mut std_errors = vec![None; p];
    let mut z = vec![None; p];
    let mut p_values = vec![None; p];
    let (intercept, log_likelihood, iterations, converged) = match estimate {
        None => (null_intercept, null_log_likelihood, 0, true),
        Some((est, active)) => {
            let mut intercept = est.theta[0];
            for (slot, &a) in active.iter().enumerate() {
                let j = estimable[a];
                let gamma = est.theta[slot + 1];
                let beta = gamma / sds[a];
                coefficients[j] = beta;
                intercept -= beta * means[a];
                if let Some(se) = est.se(slot + 1) {
                    let zj = gamma / se;
                    std_errors[j] = Some(se / sds[a]);
                    z[j] = Some(zj);
                    p_values[j] = Some(two_sided_p(zj));
                }
            }
            (intercept, est.log_likelihood, est.iterations, est.converged)
        }
    };

    Ok(Fit {
        intercept,
        coefficients,
        std_errors,
        z,
        p_values,
        log_likelihood,
        null_log_likelihood,
        iterations,
        converged,
        constant,
        negative,
        correlated,
        vif,
        rows: m,
        events,
    })
}

/// `(mean, sd, standardised values)` of a column, or `None` if it is constant.
fn standardise(column: &[f64]) -> Option<(f64, f64, Vec<f64>)> {
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
type CorrelatedPair = (usize, usize, f64);

/// Correlation warnings and VIFs from the standardised columns (population sd, so
/// `r = Σ z_j z_k / m`).
fn correlations(
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

/// One penalised maximum-likelihood fit on standardised columns.
struct Estimate {
    /// `[intercept, slopes…]` on the standardised scale.
    theta: Vec<f64>,
    /// Inverse penalised information matrix at `theta`, row-major `(q+1)²`.
    covariance: Vec<f64>,
    /// Unpenalised log-likelihood at `theta`.
    log_likelihood: f64,
    iterations: usize,
    converged: bool,
}

impl Estimate {
    fn se(&self, parameter: usize) -> Option<f64> {
        let n = self.theta.len();
        let v = self.covariance[parameter * n + parameter];
        (v > 0.0 && v.is_finite()).then(|| v.sqrt())
    }
}

/// Newton / IRLS with step halving, from `theta`.
fn newton(
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
fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// `1 / (1 + e⁻ˣ)` without overflow.
fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// Lower Cholesky factor of the symmetric positive definite `n×n` matrix `a` (row-major), or
/// `None` if a pivot is not positive or below [`PIVOT_TOLERANCE`] of its diagonal entry.
fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for j in 0..n {
        let diagonal = a[j * n + j];
        let d = diagonal - (0..j).map(|k| l[j * n + k] * l[j * n + k]).sum::<f64>();
        if !(d.is_finite() && d > 0.0 && d > PIVOT_TOLERANCE * diagonal) {
            return None;
        }
        let root = d.sqrt();
        l[j * n + j] = root;
        for i in j + 1..n {
            let s = a[i * n + j] - (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum::<f64>();
            l[i * n + j] = s / root;
        }
    }
    Some(l)
}

/// Solves `L Lᵀ x = b`.
fn cholesky_solve(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let mut x = b.to_vec();
    for i in 0..n {
        let s = x[i] - (0..i).map(|k| l[i * n + k] * x[k]).sum::<f64>();
        x[i] = s / l[i * n + i];
    }
    for i in (0..n).rev() {
        let s = x[i] - (i + 1..n).map(|k| l[k * n + i] * x[k]).sum::<f64>();
        x[i] = s / l[i * n + i];
    }
    x
}

/// `(L Lᵀ)⁻¹`, row-major.
fn cholesky_inverse(l: &[f64], n: usize) -> Vec<f64> {
    let mut inverse = vec![0.0; n * n];
    let mut unit = vec![0.0; n];
    for c in 0..n {
        unit.fill(0.0);
        unit[c] = 1.0;
        let column = cholesky_solve(l, n, &unit);
        for (r, v) in column.into_iter().enumerate() {
            inverse[r * n + c] = v;
        }
    }
    inverse
}

/// Two-sided p-value `P(|Z| ≥ |z|)` of a standard normal `Z`.
fn two_sided_p(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2).clamp(0.0, 1.0)
}

/// Complementary error function by the Chebyshev fit of Numerical Recipes (2nd ed., §6.2,
/// `erfcc`), with fractional error below 1.2e-7 everywhere.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let ans = t * (-z * z + poly).exp();
    if x >= 0.0 { ans } else { 2.0 - ans }
}

#[cfg(test)]
mod tests {
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
}
