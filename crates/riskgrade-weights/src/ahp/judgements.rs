//! Judgements and the pairwise matrix: reading, checking and writing comparison values on Saaty's scale.

use serde::{Deserialize, Serialize};

use super::{AhpError, RECIPROCAL_TOLERANCE};

/// Slack for floating-point noise when checking that a judgement lies within [1/9, 9].
const SCALE_SLACK: f64 = 1e-9;

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

    /// Row `i` of the matrix.
    pub(super) fn row(&self, i: usize) -> &[f64] {
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
