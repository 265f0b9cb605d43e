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

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

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

/// Power iteration stops when the L1 change of the normalised vector falls below this.
const CONVERGENCE_TOLERANCE: f64 = 1e-13;

/// Power iteration gives up after this many steps.
const MAX_ITERATIONS: usize = 10_000;

/// Slack for floating-point noise when checking that a judgement lies within [1/9, 9].
const SCALE_SLACK: f64 = 1e-9;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Why a pairwise matrix, a judgement or a weighting was rejected. Indices count from 0.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AhpError {
    /// No indicators were given.
    #[error("the matrix is empty: compare at least one indicator")]
    Empty,

    /// A row has a different length than the number of rows.
    #[error(
        "row {row} has {len} entries but the matrix has {n} rows: a pairwise matrix must be square"
    )]
    NotSquare {
        /// The offending row.
        row: usize,
        /// Its length.
        len: usize,
        /// The number of rows.
        n: usize,
    },

    /// A cell is zero, negative, infinite or NaN.
    #[error(
        "cell ({i}, {j}) is `{value}`: every comparison must be a finite number greater than 0"
    )]
    NotPositive {
        /// Row of the cell.
        i: usize,
        /// Column of the cell.
        j: usize,
        /// The value found.
        value: f64,
    },

    /// A diagonal cell is not 1.
    #[error("cell ({i}, {i}) is `{value}`: an indicator compared with itself must be 1")]
    Diagonal {
        /// Row and column of the cell.
        i: usize,
        /// The value found.
        value: f64,
    },

    /// `a_ji` is not the reciprocal of `a_ij`.
    #[error(
        "cell ({j}, {i}) is `{}` but cell ({i}, {j}) is `{}`, so it must be its reciprocal `{}`",
        format_value(*.found),
        format_value(*.value),
        format_value(1.0 / *.value)
    )]
    NotReciprocal {
        /// Row of the judgement `a_ij` (with `i < j`).
        i: usize,
        /// Column of the judgement `a_ij`.
        j: usize,
        /// The value of `a_ij`.
        value: f64,
        /// The value found in `a_ji`.
        found: f64,
    },

    /// A judgement names an indicator that does not exist.
    #[error("judgement ({i}, {j}) names an indicator beyond the last one, {last}")]
    IndexOutOfRange {
        /// First index of the judgement.
        i: usize,
        /// Second index of the judgement.
        j: usize,
        /// The largest valid index (n − 1).
        last: usize,
    },

    /// A judgement compares an indicator with itself.
    #[error(
        "judgement ({i}, {i}) compares an indicator with itself: drop it, the diagonal is always 1"
    )]
    SelfComparison {
        /// The indicator.
        i: usize,
    },

    /// A pair is judged more than once (in either order).
    #[error("pair ({i}, {j}) is judged more than once: keep exactly one judgement per pair")]
    DuplicatePair {
        /// Smaller index of the pair.
        i: usize,
        /// Larger index of the pair.
        j: usize,
    },

    /// A pair has no judgement.
    #[error("pair ({i}, {j}) is not judged: every pair of indicators needs exactly one judgement")]
    MissingPair {
        /// Smaller index of the pair.
        i: usize,
        /// Larger index of the pair.
        j: usize,
    },

    /// A judgement lies outside [1/9, 9] (or is not a positive finite number).
    #[error(
        "judgement ({i}, {j}) is `{}`, which is off Saaty's scale: use 1–9 or a reciprocal 1/2–1/9",
        format_value(*.value)
    )]
    OffScale {
        /// First index of the judgement, as given.
        i: usize,
        /// Second index of the judgement, as given.
        j: usize,
        /// The value given.
        value: f64,
    },

    /// A judgement value could not be read.
    #[error(
        "`{text}` is not a judgement value: write a positive number such as `3` or `0.2`, or a fraction such as `1/5`"
    )]
    InvalidValue {
        /// The text given.
        text: String,
    },

    /// The matrix is larger than the random-index table covers.
    #[error(
        "the `{table}` random-index table stops at n = {max_n}, but the matrix has n = {n}: {}",
        advice_beyond_table(*.n)
    )]
    BeyondTable {
        /// Order of the matrix.
        n: usize,
        /// The table asked for.
        table: RiTable,
        /// The largest n the table covers.
        max_n: usize,
    },

    /// A random-index table name is not known.
    #[error(
        "unknown random-index table `{name}`: known tables are {}",
        known_tables()
    )]
    UnknownTable {
        /// The name given.
        name: String,
    },

    /// Power iteration did not settle (not expected for a valid positive matrix).
    #[error(
        "the principal eigenvector did not converge after {iterations} iterations: check the matrix for extreme values"
    )]
    NoConvergence {
        /// Iterations performed.
        iterations: usize,
    },

    /// The entries span so many orders of magnitude that floating point overflowed.
    #[error(
        "the comparisons span too many orders of magnitude to compute weights: keep every ratio between 1e-100 and 1e100"
    )]
    NumericOverflow,
}

fn known_tables() -> String {
    RiTable::ALL
        .iter()
        .map(|t| format!("`{}`", t.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn advice_beyond_table(n: usize) -> String {
    let covering: Vec<String> = RiTable::ALL
        .iter()
        .filter(|t| t.max_n() >= n)
        .map(|t| format!("`{}`", t.name()))
        .collect();
    if covering.is_empty() {
        "split the indicators into smaller groups (Saaty advises at most about 9 per group)"
            .to_string()
    } else {
        format!(
            "choose a table that covers it ({}) or split the indicators into smaller groups",
            covering.join(", ")
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Random-index tables
// ---------------------------------------------------------------------------------------------

/// A table of random consistency indices RI(n), the mean CI of random reciprocal matrices of
/// order n. Published tables differ, so every result names the one it used.
///
/// ```
/// use riskgrade_weights::ahp::RiTable;
///
/// let t: RiTable = "cn-textbook".parse()?;
/// assert_eq!(t.ri(4), Some(0.89));
/// assert_eq!(RiTable::default().ri(4), Some(0.90));
/// assert_eq!(RiTable::default().ri(11), None); // beyond Saaty's 1980 table
/// assert!("saaty".parse::<RiTable>().unwrap_err().to_string().contains("`saaty-1980`"));
/// # Ok::<(), riskgrade_weights::ahp::AhpError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RiTable {
    /// `saaty-1980`, n = 1–10: 0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49.
    ///
    /// Saaty, T. L. (1980), *The Analytic Hierarchy Process*, McGraw-Hill (means over 500 random
    /// matrices per order). Values checked against reproductions of the table, e.g. the thesis
    /// chapter at <http://library.binus.ac.id/eColls/eThesisdoc/Bab2HTML/2011200217TISIBab2001/page49.html>
    /// and Table 2 of the IWA article at <https://iwaponline.com/view-large/3120630>, and against
    /// public implementations (e.g. `jbytecode/JMcDM`, `src/ahp.jl`). Reprints disagree beyond
    /// n = 10 (n = 12 is printed as 1.48 in some and 1.54 in others), so this table stops at 10.
    #[default]
    #[serde(rename = "saaty-1980")]
    Saaty1980,

    /// `saaty-2005`, n = 1–15: 0, 0, 0.52, 0.89, 1.11, 1.25, 1.35, 1.40, 1.45, 1.49, 1.52, 1.54,
    /// 1.56, 1.58, 1.59.
    ///
    /// Saaty's later estimates, from Saaty, T. L. (2005), *Theory and Applications of the Analytic
    /// Network Process*, RWS Publications, p. 31, as cited and used by AHPy
    /// (`PhilipGriffith/AHPy`, `src/ahpy/ahpy.py`, `random_index='saaty'`). The same values for
    /// n ≤ 10 appear in several other public AHP implementations.
    #[serde(rename = "saaty-2005")]
    Saaty2005,

    /// `cn-textbook`, n = 1–15: 0, 0, 0.52, 0.89, 1.12, 1.26, 1.36, 1.41, 1.46, 1.49, 1.52, 1.54,
    /// 1.56, 1.58, 1.59.
    ///
    /// The table printed in Chinese AHP textbooks and lecture notes as the mean random
    /// consistency index of positive reciprocal matrices of order 1–15 over 1000 samples
    /// ("1–15 阶正互反矩阵计算 1000 次得到的平均随机一致性指标"). The values were checked
    /// against many public implementations (MATLAB, Python and R 层次分析法 scripts); the original
    /// author could not be confirmed, so cite it as "the table used in Chinese textbooks".
    #[serde(rename = "cn-textbook")]
    CnTextbook,
}

const RI_SAATY_1980: [f64; 10] = [0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49];
const RI_SAATY_2005: [f64; 15] = [
    0.0, 0.0, 0.52, 0.89, 1.11, 1.25, 1.35, 1.40, 1.45, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59,
];
const RI_CN_TEXTBOOK: [f64; 15] = [
    0.0, 0.0, 0.52, 0.89, 1.12, 1.26, 1.36, 1.41, 1.46, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59,
];

impl RiTable {
    /// Every shipped table.
    pub const ALL: [RiTable; 3] = [RiTable::Saaty1980, RiTable::Saaty2005, RiTable::CnTextbook];

    /// The table's name, as written in configuration and reports (e.g. `"saaty-1980"`).
    ///
    /// ```
    /// assert_eq!(riskgrade_weights::ahp::RiTable::Saaty2005.name(), "saaty-2005");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            RiTable::Saaty1980 => "saaty-1980",
            RiTable::Saaty2005 => "saaty-2005",
            RiTable::CnTextbook => "cn-textbook",
        }
    }

    /// A short citation of the table's source.
    ///
    /// ```
    /// assert!(riskgrade_weights::ahp::RiTable::Saaty1980.citation().contains("1980"));
    /// ```
    pub fn citation(self) -> &'static str {
        match self {
            RiTable::Saaty1980 => "Saaty (1980), The Analytic Hierarchy Process, McGraw-Hill",
            RiTable::Saaty2005 => {
                "Saaty (2005), Theory and Applications of the Analytic Network Process, RWS Publications, p. 31"
            }
            RiTable::CnTextbook => {
                "table of Chinese AHP textbooks (1000 random matrices per order, n = 1-15)"
            }
        }
    }

    /// RI(n) for n = 1, 2, …: `values()[n - 1]` is RI(n).
    ///
    /// ```
    /// assert_eq!(riskgrade_weights::ahp::RiTable::Saaty1980.values()[2], 0.58);
    /// ```
    pub fn values(self) -> &'static [f64] {
        match self {
            RiTable::Saaty1980 => &RI_SAATY_1980,
            RiTable::Saaty2005 => &RI_SAATY_2005,
            RiTable::CnTextbook => &RI_CN_TEXTBOOK,
        }
    }

    /// The largest n the table covers.
    ///
    /// ```
    /// assert_eq!(riskgrade_weights::ahp::RiTable::CnTextbook.max_n(), 15);
    /// ```
    pub fn max_n(self) -> usize {
        self.values().len()
    }

    /// RI(n), or `None` when n is 0 or beyond the table.
    ///
    /// ```
    /// use riskgrade_weights::ahp::RiTable;
    /// assert_eq!(RiTable::Saaty1980.ri(2), Some(0.0));
    /// assert_eq!(RiTable::Saaty1980.ri(10), Some(1.49));
    /// assert_eq!(RiTable::Saaty1980.ri(11), None);
    /// ```
    pub fn ri(self, n: usize) -> Option<f64> {
        n.checked_sub(1).and_then(|k| self.values().get(k).copied())
    }
}

impl fmt::Display for RiTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for RiTable {
    type Err = AhpError;

    /// Parses a table name (surrounding spaces and letter case are ignored).
    ///
    /// # Errors
    ///
    /// [`AhpError::UnknownTable`] listing the known names.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        RiTable::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| AhpError::UnknownTable {
                name: wanted.to_string(),
            })
    }
}

// ---------------------------------------------------------------------------------------------
// Judgements and the pairwise matrix
// ---------------------------------------------------------------------------------------------

/// One expert judgement: indicator `i` is `value` times as important as indicator `j`.
/// It sets `a_ij = value` and `a_ji = 1 / value`.
///
/// ```
/// use riskgrade_weights::ahp::Judgement;
/// let j = Judgement::new(0, 2, 1.0 / 5.0);
/// assert_eq!((j.i, j.j), (0, 2));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    /// The indicator judged (row), from 0.
    pub i: usize,
    /// The indicator it is compared with (column), from 0.
    pub j: usize,
    /// How many times more important `i` is than `j`, on Saaty's scale (1–9 or 1/2–1/9).
    pub value: f64,
}

impl Judgement {
    /// A judgement that `i` is `value` times as important as `j`.
    pub fn new(i: usize, j: usize, value: f64) -> Self {
        Judgement { i, j, value }
    }
}

/// An n × n positive reciprocal matrix: `a_ij > 0`, `a_ii = 1`, `a_ji = 1 / a_ij`.
///
/// Build it from expert judgements with [`PairwiseMatrix::from_judgements`] (which enforces
/// Saaty's scale) or from full rows with [`PairwiseMatrix::from_rows`].
///
/// ```
/// use riskgrade_weights::ahp::PairwiseMatrix;
/// let m = PairwiseMatrix::from_rows(vec![vec![1.0, 3.0], vec![1.0 / 3.0, 1.0]])?;
/// assert_eq!(m.n(), 2);
/// assert_eq!(m.get(0, 1), 3.0);
/// # Ok::<(), riskgrade_weights::ahp::AhpError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PairwiseMatrix {
    n: usize,
    /// Row-major entries.
    a: Vec<f64>,
}

impl PairwiseMatrix {
    /// Builds the matrix from its rows.
    ///
    /// Entries need not lie on Saaty's scale (a matrix of measured ratios is accepted), but they
    /// must form a positive reciprocal matrix. Write thirds as `1.0 / 3.0`, not `0.333`: the
    /// reciprocal check allows a relative error of only [`RECIPROCAL_TOLERANCE`].
    ///
    /// # Errors
    ///
    /// - [`AhpError::Empty`] for no rows, [`AhpError::NotSquare`] naming the first bad row;
    /// - [`AhpError::NotPositive`] naming the first cell that is not a finite number > 0;
    /// - [`AhpError::Diagonal`] naming a diagonal cell that is not 1;
    /// - [`AhpError::NotReciprocal`] naming the first pair `(i, j)`, `i < j`, where `a_ji` differs
    ///   from `1 / a_ij` by more than the tolerance.
    ///
    /// ```
    /// use riskgrade_weights::ahp::{AhpError, PairwiseMatrix};
    /// let err = PairwiseMatrix::from_rows(vec![vec![1.0, 3.0], vec![0.5, 1.0]]).unwrap_err();
    /// assert!(matches!(err, AhpError::NotReciprocal { i: 0, j: 1, .. }));
    /// ```
    pub fn from_rows(rows: Vec<Vec<f64>>) -> Result<Self, AhpError> {
        let n = rows.len();
        if n == 0 {
            return Err(AhpError::Empty);
        }
        if let Some((row, r)) = rows.iter().enumerate().find(|(_, r)| r.len() != n) {
            return Err(AhpError::NotSquare {
                row,
                len: r.len(),
                n,
            });
        }
        for (i, r) in rows.iter().enumerate() {
            for (j, &value) in r.iter().enumerate() {
                if !(value.is_finite() && value > 0.0) {
                    return Err(AhpError::NotPositive { i, j, value });
                }
            }
        }
        for (i, r) in rows.iter().enumerate() {
            let value = r[i];
            if (value - 1.0).abs() > RECIPROCAL_TOLERANCE {
                return Err(AhpError::Diagonal { i, value });
            }
        }
        for (i, row) in rows.iter().enumerate() {
            for (j, &value) in row.iter().enumerate().skip(i + 1) {
                let found = rows[j][i];
                // a_ij · a_ji must be 1: the relative error of a_ji against 1 / a_ij.
                if (value * found - 1.0).abs() > RECIPROCAL_TOLERANCE {
                    return Err(AhpError::NotReciprocal { i, j, value, found });
                }
            }
        }
        let a = rows.into_iter().flatten().collect();
        Ok(PairwiseMatrix { n, a })
    }

    /// Builds the matrix from one judgement per pair of indicators.
    ///
    /// Each judgement `(i, j, v)` sets `a_ij = v` and `a_ji = 1 / v`; `(j, i, 1/v)` says the same
    /// thing, so a pair may be given in either order but only once. Values must lie on Saaty's
    /// scale, between 1/9 and 9 (non-integer values in that range, e.g. 2.5, are accepted).
    ///
    /// # Errors
    ///
    /// - [`AhpError::Empty`] when `n` is 0;
    /// - [`AhpError::IndexOutOfRange`], [`AhpError::SelfComparison`] for a bad pair;
    /// - [`AhpError::OffScale`] naming the pair and the value when it is outside [1/9, 9];
    /// - [`AhpError::DuplicatePair`] naming a pair judged twice;
    /// - [`AhpError::MissingPair`] naming the first pair `(i, j)`, `i < j`, with no judgement.
    ///
    /// ```
    /// use riskgrade_weights::ahp::{AhpError, Judgement, PairwiseMatrix};
    /// let m = PairwiseMatrix::from_judgements(2, &[Judgement::new(1, 0, 1.0 / 4.0)])?;
    /// assert_eq!(m.get(0, 1), 4.0);
    /// let err = PairwiseMatrix::from_judgements(3, &[Judgement::new(0, 1, 2.0)]).unwrap_err();
    /// assert_eq!(err, AhpError::MissingPair { i: 0, j: 2 });
    /// # Ok::<(), AhpError>(())
    /// ```
    pub fn from_judgements(n: usize, judgements: &[Judgement]) -> Result<Self, AhpError> {
        if n == 0 {
            return Err(AhpError::Empty);
        }
        let mut a = vec![1.0; n * n];
        let mut seen = vec![false; n * n];
        for &Judgement { i, j, value } in judgements {
            if i >= n || j >= n {
                return Err(AhpError::IndexOutOfRange { i, j, last: n - 1 });
            }
            if i == j {
                return Err(AhpError::SelfComparison { i });
            }
            if !on_saaty_scale(value) {
                return Err(AhpError::OffScale { i, j, value });
            }
            let (lo, hi) = (i.min(j), i.max(j));
            if std::mem::replace(&mut seen[lo * n + hi], true) {
                return Err(AhpError::DuplicatePair { i: lo, j: hi });
            }
            a[i * n + j] = value;
            a[j * n + i] = 1.0 / value;
        }
        for i in 0..n {
            for j in (i + 1)..n {
                if !seen[i * n + j] {
                    return Err(AhpError::MissingPair { i, j });
                }
            }
        }
        Ok(PairwiseMatrix { n, a })
    }

    /// The number of indicators compared.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The entry `a_ij`.
    ///
    /// # Panics
    ///
    /// If `i` or `j` is not below [`n`](Self::n).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        assert!(
            i < self.n && j < self.n,
            "index ({i}, {j}) out of range for a {n}×{n} matrix",
            n = self.n
        );
        self.a[i * self.n + j]
    }

    /// A copy of the matrix as rows.
    ///
    /// ```
    /// use riskgrade_weights::ahp::PairwiseMatrix;
    /// let rows = vec![vec![1.0, 2.0], vec![0.5, 1.0]];
    /// assert_eq!(PairwiseMatrix::from_rows(rows.clone())?.rows(), rows);
    /// # Ok::<(), riskgrade_weights::ahp::AhpError>(())
    /// ```
    pub fn rows(&self) -> Vec<Vec<f64>> {
        self.a.chunks(self.n).map(<[f64]>::to_vec).collect()
    }

    /// The upper-triangle judgements `(i, j, a_ij)` for `i < j`, in row order.
    ///
    /// ```
    /// use riskgrade_weights::ahp::{Judgement, PairwiseMatrix};
    /// let js = [Judgement::new(0, 1, 3.0), Judgement::new(0, 2, 5.0), Judgement::new(1, 2, 2.0)];
    /// let m = PairwiseMatrix::from_judgements(3, &js)?;
    /// assert_eq!(m.judgements(), js.to_vec());
    /// # Ok::<(), riskgrade_weights::ahp::AhpError>(())
    /// ```
    pub fn judgements(&self) -> Vec<Judgement> {
        let n = self.n;
        (0..n)
            .flat_map(|i| ((i + 1)..n).map(move |j| (i, j)))
            .map(|(i, j)| Judgement::new(i, j, self.a[i * n + j]))
            .collect()
    }

    fn row(&self, i: usize) -> &[f64] {
        &self.a[i * self.n..(i + 1) * self.n]
    }
}

fn on_saaty_scale(value: f64) -> bool {
    ((1.0 / 9.0) * (1.0 - SCALE_SLACK)..=9.0 * (1.0 + SCALE_SLACK)).contains(&value)
}

/// Reads one judgement value as written in a file: an integer (`"3"`), a decimal (`"0.2"`,
/// `"5.0"`) or a fraction (`"1/5"`). Surrounding spaces are ignored.
///
/// The value must be a finite number greater than 0; whether it lies on Saaty's scale is checked
/// by [`PairwiseMatrix::from_judgements`], which knows the pair.
///
/// # Errors
///
/// [`AhpError::InvalidValue`] for anything else (empty text, `"1/0"`, `"-3"`, `"three"`).
///
/// ```
/// use riskgrade_weights::ahp::parse_judgement_value;
/// assert_eq!(parse_judgement_value("3")?, 3.0);
/// assert_eq!(parse_judgement_value(" 1/5 ")?, 0.2);
/// assert_eq!(parse_judgement_value("0.2")?, 0.2);
/// assert!(parse_judgement_value("1/0").is_err());
/// # Ok::<(), riskgrade_weights::ahp::AhpError>(())
/// ```
pub fn parse_judgement_value(s: &str) -> Result<f64, AhpError> {
    let text = s.trim();
    let invalid = || AhpError::InvalidValue {
        text: text.to_string(),
    };
    let number = |t: &str| -> Result<f64, AhpError> {
        let t = t.trim();
        // Reject forms f64::from_str accepts but a judgement file should not contain.
        if t.is_empty() || t.chars().any(|c| c.is_ascii_alphabetic()) {
            return Err(invalid());
        }
        t.parse::<f64>().map_err(|_| invalid())
    };
    let value = match text.split_once('/') {
        Some((num, den)) => number(num)? / number(den)?,
        None => number(text)?,
    };
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(invalid())
    }
}

/// Formats a comparison value the way experts write it: whole numbers as `"3"`, reciprocals of
/// whole numbers as `"1/3"`, anything else as a decimal.
///
/// ```
/// use riskgrade_weights::ahp::format_value;
/// assert_eq!(format_value(3.0), "3");
/// assert_eq!(format_value(1.0 / 3.0), "1/3");
/// assert_eq!(format_value(2.5), "2.5");
/// assert_eq!(format_value(0.4), "0.4");
/// ```
pub fn format_value(v: f64) -> String {
    fn whole(x: f64) -> Option<i64> {
        let r = x.round();
        ((x - r).abs() <= 1e-9 * x.abs().max(1.0) && r.abs() < 1e15).then_some(r as i64)
    }
    if !v.is_finite() || v <= 0.0 {
        return format!("{v}");
    }
    if let Some(k) = whole(v) {
        return k.to_string();
    }
    if v < 1.0
        && let Some(k) = whole(1.0 / v)
    {
        return format!("1/{k}");
    }
    format!("{v}")
}

// ---------------------------------------------------------------------------------------------
// Weights and consistency
// ---------------------------------------------------------------------------------------------

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
    /// [`CR_THRESHOLD`], 0.1). Matrices with n ≤ 2 always pass; a result without CR never does.
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

// ---------------------------------------------------------------------------------------------
// Most inconsistent judgements
// ---------------------------------------------------------------------------------------------

/// How far one judgement `a_ij` (`i < j`) lies from what the weights imply, and what to change it
/// to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inconsistency {
    /// Row of the judgement, from 0.
    pub i: usize,
    /// Column of the judgement, from 0 (`i < j`).
    pub j: usize,
    /// The judgement given, `a_ij`.
    pub given: f64,
    /// The ratio the weights imply, `w_i / w_j`. The weights were computed with this judgement,
    /// so they are pulled part of the way towards it.
    pub implied: f64,
    /// What the other judgements say about the pair: the geometric mean of `a_ik · a_kj` over
    /// every third indicator `k`. Equal to `implied` when n < 3.
    pub indirect: f64,
    /// `|ln(given / implied)|`; 0 for a judgement in line with the weights.
    pub error: f64,
    /// The value on Saaty's scale (1–9 or 1/2–1/9) nearest to `indirect` in log distance: the
    /// judgement that would agree with the rest of the matrix.
    pub suggested: f64,
}

impl Inconsistency {
    /// The suggested value as an expert writes it, e.g. `"5"` or `"1/3"`.
    ///
    /// ```
    /// use riskgrade_weights::ahp::Inconsistency;
    /// let x = Inconsistency { i: 0, j: 1, given: 3.0, implied: 0.4, indirect: 0.3,
    ///                         error: 2.0, suggested: 1.0 / 3.0 };
    /// assert_eq!(x.suggested_display(), "1/3");
    /// ```
    pub fn suggested_display(&self) -> String {
        format_value(self.suggested)
    }
}

impl fmt::Display for Inconsistency {
    /// E.g. `judgement (0, 3) is 2 but the weights imply 3.862 and the other judgements 8: consider 8`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "judgement ({}, {}) is {} but the weights imply {:.3} and the other judgements {}: consider {}",
            self.i,
            self.j,
            format_value(self.given),
            self.implied,
            format_short(self.indirect),
            self.suggested_display()
        )
    }
}

fn format_short(v: f64) -> String {
    let shown = format_value(v);
    if shown.len() <= 6 {
        shown
    } else {
        format!("{v:.3}")
    }
}

/// The `k` judgements `a_ij` (`i < j`) farthest from the ratios `w_i / w_j` that `weights`
/// imply, worst first (ties broken by `(i, j)`), each with a suggested value on Saaty's scale.
///
/// `weights` is normally [`AhpResult::weights`] of the same matrix. Only pairs whose two weights
/// exist and are positive and finite are considered.
///
/// ```
/// use riskgrade_weights::ahp::{self, PairwiseMatrix, RiTable};
/// // Consistent with w = (8, 4, 2, 1) except a_03, which should be 8 but was entered as 2.
/// let mut rows = vec![
///     vec![1.0, 2.0, 4.0, 8.0],
///     vec![0.5, 1.0, 2.0, 4.0],
///     vec![0.25, 0.5, 1.0, 2.0],
///     vec![0.125, 0.25, 0.5, 1.0],
/// ];
/// rows[0][3] = 2.0;
/// rows[3][0] = 0.5;
/// let m = PairwiseMatrix::from_rows(rows)?;
/// let r = ahp::weights(&m, RiTable::default())?;
/// let worst = &ahp::most_inconsistent(&m, &r.weights, 1)[0];
/// assert_eq!((worst.i, worst.j, worst.suggested), (0, 3, 8.0));
/// assert_eq!(worst.suggested_display(), "8");
/// # Ok::<(), riskgrade_weights::ahp::AhpError>(())
/// ```
pub fn most_inconsistent(m: &PairwiseMatrix, weights: &[f64], k: usize) -> Vec<Inconsistency> {
    let n = m.n().min(weights.len());
    let usable = |x: f64| x.is_finite() && x > 0.0;
    let mut found: Vec<Inconsistency> = (0..n)
        .flat_map(|i| ((i + 1)..n).map(move |j| (i, j)))
        .filter(|&(i, j)| usable(weights[i]) && usable(weights[j]))
        .map(|(i, j)| {
            let given = m.get(i, j);
            let implied = weights[i] / weights[j];
            let indirect = indirect_estimate(m, i, j).unwrap_or(implied);
            Inconsistency {
                i,
                j,
                given,
                implied,
                indirect,
                error: (given / implied).ln().abs(),
                suggested: nearest_on_scale(indirect),
            }
        })
        .collect();
    // Quantise the error so that pairs tied up to rounding noise are ordered by (i, j); an
    // integer key keeps the ordering total.
    let key = |x: &Inconsistency| (x.error * 1e12).round() as i64;
    found.sort_by(|a, b| {
        key(b)
            .cmp(&key(a))
            .then_with(|| (a.i, a.j).cmp(&(b.i, b.j)))
    });
    found.truncate(k);
    found
}

/// Geometric mean of `a_ik · a_kj` over `k ∉ {i, j}`; `None` when there is no third indicator.
fn indirect_estimate(m: &PairwiseMatrix, i: usize, j: usize) -> Option<f64> {
    let (count, log_sum) = (0..m.n())
        .filter(|&k| k != i && k != j)
        .map(|k| (m.get(i, k) * m.get(k, j)).ln())
        .fold((0usize, 0.0), |(c, s), l| (c + 1, s + l));
    (count > 0).then(|| (log_sum / count as f64).exp())
}

/// The value of [`SAATY_SCALE`] nearest to `x` in log distance (ties go to the smaller value).
fn nearest_on_scale(x: f64) -> f64 {
    let lx = x.ln();
    SAATY_SCALE
        .into_iter()
        .min_by(|a, b| (a.ln() - lx).abs().total_cmp(&(b.ln() - lx).abs()))
        .unwrap_or(1.0)
}

#[cfg(test)]
mod tests {
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
}
