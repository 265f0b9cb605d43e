//! The judgements farthest from what the weights imply, with the value the other judgements suggest.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{PairwiseMatrix, SAATY_SCALE, format_value};

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
/// `weights` is normally [`AhpResult::weights`](super::AhpResult::weights) of the same matrix. Only pairs whose two weights
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
pub(super) fn indirect_estimate(m: &PairwiseMatrix, i: usize, j: usize) -> Option<f64> {
    let (count, log_sum) = (0..m.n())
        .filter(|&k| k != i && k != j)
        .map(|k| (m.get(i, k) * m.get(k, j)).ln())
        .fold((0usize, 0.0), |(c, s), l| (c + 1, s + l));
    (count > 0).then(|| (log_sum / count as f64).exp())
}

/// The value of [`SAATY_SCALE`] nearest to `x` in log distance (ties go to the smaller value).
pub(super) fn nearest_on_scale(x: f64) -> f64 {
    let lx = x.ln();
    SAATY_SCALE
        .into_iter()
        .min_by(|a, b| (a.ln() - lx).abs().total_cmp(&(b.ln() - lx).abs()))
        .unwrap_or(1.0)
}
