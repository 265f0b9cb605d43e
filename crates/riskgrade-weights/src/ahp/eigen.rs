//! Weights and consistency of a pairwise matrix: the Perron vector by power iteration, λmax, CI and CR.

use serde::{Deserialize, Serialize};

use super::{AhpError, PairwiseMatrix, RiTable};

/// Power iteration stops when the L1 change of the normalised vector falls below this.
const CONVERGENCE_TOLERANCE: f64 = 1e-13;

/// Power iteration gives up after this many steps.
const MAX_ITERATIONS: usize = 10_000;

/// Weights and consistency of one pairwise matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AhpResult {
    /// The principal eigenvector, normalised to sum to 1; `weights[i]` belongs to indicator `i`.
    pub weights: Vec<f64>,
    /// The principal eigenvalue λmax (≥ n; exactly n for n ≤ 2).
    pub lambda_max: f64,
    /// The consistency index CI = (λmax − n) / (n − 1); 0 for n ≤ 2.
    pub ci: f64,
    /// RI(n) from [`table`](Self::table). Always `Some` from [`weights`]; `None` from
    /// [`weights_unrated`] when n is beyond the table.
    pub ri: Option<f64>,
    /// The consistency ratio CI / RI; 0 for n ≤ 2; `None` when `ri` is `None`.
    pub cr: Option<f64>,
    /// The random-index table used.
    pub table: RiTable,
    /// Power-iteration steps taken.
    pub iterations: usize,
}

impl AhpResult {
    /// Whether the judgements pass the consistency check: CR below `threshold` (Saaty uses
    /// [`CR_THRESHOLD`](super::CR_THRESHOLD), 0.1). Matrices with n ≤ 2 always pass; a result without CR never does.
    ///
    /// ```
    /// use riskgrade_weights::ahp::{self, PairwiseMatrix, RiTable};
    /// let m = PairwiseMatrix::from_rows(vec![vec![1.0, 9.0], vec![1.0 / 9.0, 1.0]])?;
    /// assert!(ahp::weights(&m, RiTable::default())?.acceptable(ahp::CR_THRESHOLD));
    /// # Ok::<(), riskgrade_weights::ahp::AhpError>(())
    /// ```
    pub fn acceptable(&self, threshold: f64) -> bool {
        if self.weights.len() <= 2 {
            return true;
        }
        self.cr.is_some_and(|cr| cr < threshold)
    }
}

/// Weights, λmax, CI and CR of a pairwise matrix, with RI from `table`.
///
/// # Errors
///
/// - [`AhpError::BeyondTable`] when `table` does not cover `m.n()`, naming the table and its
///   largest n (use [`weights_unrated`] to get the weights anyway);
/// - [`AhpError::NoConvergence`] / [`AhpError::NumericOverflow`] only for pathological inputs
///   (power iteration on a positive matrix converges).
///
/// ```
/// use riskgrade_weights::ahp::{self, PairwiseMatrix, RiTable};
/// // A consistent matrix: a_ij = w_i / w_j with w = (4, 2, 1).
/// let m = PairwiseMatrix::from_rows(vec![
///     vec![1.0, 2.0, 4.0],
///     vec![0.5, 1.0, 2.0],
///     vec![0.25, 0.5, 1.0],
/// ])?;
/// let r = ahp::weights(&m, RiTable::Saaty1980)?;
/// assert!((r.weights[0] - 4.0 / 7.0).abs() < 1e-12);
/// assert!((r.lambda_max - 3.0).abs() < 1e-12);
/// assert_eq!(r.ri, Some(0.58));
/// # Ok::<(), riskgrade_weights::ahp::AhpError>(())
/// ```
pub fn weights(m: &PairwiseMatrix, table: RiTable) -> Result<AhpResult, AhpError> {
    if table.ri(m.n()).is_none() {
        return Err(AhpError::BeyondTable {
            n: m.n(),
            table,
            max_n: table.max_n(),
        });
    }
    weights_unrated(m, table)
}

/// Like [`weights`], but when `table` does not cover `m.n()` the result carries `ri` and `cr`
/// as `None` instead of failing, so the weights can still be shown while a table is chosen.
///
/// # Errors
///
/// [`AhpError::NoConvergence`] / [`AhpError::NumericOverflow`] for pathological inputs only.
///
/// ```
/// use riskgrade_weights::ahp::{self, PairwiseMatrix, RiTable};
/// let rows = (0..11).map(|_| vec![1.0; 11]).collect();
/// let m = PairwiseMatrix::from_rows(rows)?;
/// assert!(ahp::weights(&m, RiTable::Saaty1980).is_err());
/// let r = ahp::weights_unrated(&m, RiTable::Saaty1980)?;
/// assert_eq!((r.ri, r.cr), (None, None));
/// assert!(!r.acceptable(ahp::CR_THRESHOLD));
/// # Ok::<(), riskgrade_weights::ahp::AhpError>(())
/// ```
pub fn weights_unrated(m: &PairwiseMatrix, table: RiTable) -> Result<AhpResult, AhpError> {
    let n = m.n();
    let (w, iterations) = perron_vector(m)?;
    let (lambda_max, ci) = if n <= 2 {
        // Every 1×1 and 2×2 reciprocal matrix is consistent: λmax = n exactly.
        (n as f64, 0.0)
    } else {
        let lambda = (0..n).map(|i| dot(m.row(i), &w) / w[i]).sum::<f64>() / n as f64;
        (lambda, (lambda - n as f64) / (n - 1) as f64)
    };
    let ri = table.ri(n);
    let cr = ri.map(|ri| if n <= 2 || ri == 0.0 { 0.0 } else { ci / ri });
    Ok(AhpResult {
        weights: w,
        lambda_max,
        ci,
        ri,
        cr,
        table,
        iterations,
    })
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Power iteration from the uniform vector; returns the L1-normalised Perron vector.
fn perron_vector(m: &PairwiseMatrix) -> Result<(Vec<f64>, usize), AhpError> {
    let n = m.n();
    let mut w = vec![1.0 / n as f64; n];
    let mut next = vec![0.0; n];
    for iteration in 1..=MAX_ITERATIONS {
        for (i, x) in next.iter_mut().enumerate() {
            *x = dot(m.row(i), &w);
        }
        let sum: f64 = next.iter().sum();
        if !(sum.is_finite() && sum > 0.0) || next.iter().any(|&x| x.is_nan() || x <= 0.0) {
            return Err(AhpError::NumericOverflow);
        }
        for x in &mut next {
            *x /= sum;
        }
        let change: f64 = next.iter().zip(&w).map(|(a, b)| (a - b).abs()).sum();
        std::mem::swap(&mut w, &mut next);
        if change < CONVERGENCE_TOLERANCE {
            return Ok((w, iteration));
        }
    }
    Err(AhpError::NoConvergence {
        iterations: MAX_ITERATIONS,
    })
}
