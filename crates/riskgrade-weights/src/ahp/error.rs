//! Why a pairwise matrix, a judgement or a weighting was rejected, with advice on what to do.

use super::{RiTable, format_value};

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
