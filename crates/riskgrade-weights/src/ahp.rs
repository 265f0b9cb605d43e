//! The analytic hierarchy process (AHP): weights from expert pairwise comparisons, with Saaty's
//! consistency check against a named random-index table.
//!
//! # Method
//!
//! Experts compare the indicators of one group two at a time on **Saaty's 1–9 scale**: `a_ij` says
//! how many times more important indicator `i` is than indicator `j` (1 equal, 3 moderate,
//! 5 strong, 7 very strong, 9 extreme, 2/4/6/8 in between), and the reverse comparison is the
//! reciprocal, `a_ji = 1 / a_ij`. The n × n matrix `A` is a positive reciprocal matrix with ones on
//! the diagonal. If the judgements were perfectly consistent, `a_ij = w_i / w_j` for the true
//! weights `w`, and then `A w = n w`.
//!
//! - **Weights** are the principal (Perron) eigenvector of `A`, found by power iteration
//!   (`w ← A w / ‖A w‖₁` from the uniform vector until the L1 change is below 1e-13), normalised to
//!   sum to 1. Every weight is strictly positive.
//! - **λmax** is the principal eigenvalue, computed as the mean over `i` of `(A w)_i / w_i`. It is
//!   never below `n`, and equals `n` exactly when the matrix is consistent.
//! - **CI** = (λmax − n) / (n − 1), the consistency index (0 for n = 1).
//! - **CR** = CI / RI(n), the consistency ratio, where RI(n) is the mean CI of random reciprocal
//!   matrices of order n. Saaty's rule accepts the judgements when CR < 0.1 ([`CR_THRESHOLD`]).
//!   For n ≤ 2 every reciprocal matrix is consistent, RI is 0 and CR is defined as 0.
//!
//! # Random-index tables
//!
//! RI values come from simulations and differ by source, so a result always names the table it
//! used ([`RiTable`]). Shipped tables (see each variant for its source):
//!
//! | name | n | RI for n = 3, 4, 5, … |
//! |---|---|---|
//! | `saaty-1980` (default) | 1–10 | 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49 |
//! | `saaty-2005` | 1–15 | 0.52, 0.89, 1.11, 1.25, 1.35, 1.40, 1.45, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59 |
//! | `cn-textbook` | 1–15 | 0.52, 0.89, 1.12, 1.26, 1.36, 1.41, 1.46, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59 |
//!
//! A matrix larger than its table is an error, not a guess: split the group or pick a table that
//! covers it.
//!
//! # Fixing inconsistent judgements
//!
//! [`most_inconsistent`] ranks the judgements by how far each lies from the ratio the weights
//! imply, `|ln(a_ij / (w_i / w_j))|`, and suggests the value on Saaty's scale nearest to what the
//! *other* judgements say about that pair (the geometric mean of the indirect comparisons
//! `a_ik · a_kj`).
//!
//! Indices count from 0; the caller maps them to indicator ids.
//!
//! # Example
//!
//! ```
//! use riskgrade_weights::ahp::{self, Judgement, PairwiseMatrix, RiTable};
//!
//! // Three indicators: 0 is moderately more important than 1 and strongly more than 2,
//! // 1 is moderately more important than 2.
//! let m = PairwiseMatrix::from_judgements(
//!     3,
//!     &[
//!         Judgement::new(0, 1, ahp::parse_judgement_value("3")?),
//!         Judgement::new(0, 2, ahp::parse_judgement_value("5")?),
//!         Judgement::new(1, 2, ahp::parse_judgement_value("3")?),
//!     ],
//! )?;
//! let r = ahp::weights(&m, RiTable::default())?;
//! assert!((r.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
//! assert!(r.weights[0] > r.weights[1] && r.weights[1] > r.weights[2]);
//! assert!((r.lambda_max - 3.039).abs() < 1e-3);
//! assert_eq!(r.table.name(), "saaty-1980");
//! assert!(r.cr.is_some_and(|cr| cr < 0.1));
//! assert!(r.acceptable(ahp::CR_THRESHOLD));
//! # Ok::<(), riskgrade_weights::ahp::AhpError>(())
//! ```

/// Saaty's rule of thumb: judgements are acceptable when CR is below 0.1.
pub const CR_THRESHOLD: f64 = 0.1;

/// The values of Saaty's scale in increasing order: 1/9, 1/8, …, 1/2, 1, 2, …, 9.
pub const SAATY_SCALE: [f64; 17] = [
    1.0 / 9.0,
    1.0 / 8.0,
    1.0 / 7.0,
    1.0 / 6.0,
    1.0 / 5.0,
    1.0 / 4.0,
    1.0 / 3.0,
    1.0 / 2.0,
    1.0,
    2.0,
    3.0,
    4.0,
    5.0,
    6.0,
    7.0,
    8.0,
    9.0,
];

/// Relative tolerance within which `a_ji` must equal `1 / a_ij` (and the diagonal must equal 1).
pub const RECIPROCAL_TOLERANCE: f64 = 1e-6;

mod eigen;
mod error;
mod inconsistency;
mod judgements;
mod tables;

pub use eigen::{AhpResult, weights, weights_unrated};
pub use error::AhpError;
pub use inconsistency::{Inconsistency, most_inconsistent};
pub use judgements::{Judgement, PairwiseMatrix, format_value, parse_judgement_value};
pub use tables::RiTable;

#[cfg(test)]
mod tests;
