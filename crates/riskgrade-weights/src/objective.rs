//! Objective weights from a batch of data: the entropy weight method and CRITIC, and the convex
//! combination of expert and objective weights.
//!
//! Both methods look only at how the indicator values are spread across enterprises, never at
//! outcomes: an indicator that varies a lot (entropy) or varies a lot *and* disagrees with the
//! others (CRITIC) gets a large weight whether or not it predicts a problem. Check the result
//! against past inspection results before using it (see the [`logistic`](crate::logistic) module).
//!
//! # Data layout
//!
//! `columns` holds one slice per indicator, all of the same length *m*; row *i* of every slice
//! belongs to the same enterprise. `directions[j]` says which end of indicator *j* is desirable.
//! Positions in errors (indicator, row) count from 0, like the slices.
//!
//! # Normalisation
//!
//! Each indicator is min–max normalised to \[0, 1\] so that 1 is the desirable end:
//!
//! - [`Direction::Benefit`] (正向指标, larger is desirable): x′ᵢ = (xᵢ − min) / (max − min)
//! - [`Direction::Cost`] (负向指标, smaller is desirable): x′ᵢ = (max − xᵢ) / (max − min)
//!
//! A constant indicator (max = min) carries no information: it normalises to all 0, gets
//! weight 0 and is listed in the result's `constant` field. If every indicator is constant there
//! is nothing to weigh and the functions return [`ObjectiveError::AllConstant`].
//!
//! The normalisation makes both methods invariant to a positive affine change of units
//! (a·x + b with a > 0) and to the order of the rows, and flipping an indicator's direction while
//! negating its values gives the same weights.
//!
//! # Example
//!
//! ```
//! use riskgrade_weights::objective::{combine, critic, entropy, Direction};
//!
//! // Three enterprises, two indicators: paid-in capital ratio (benefit), complaints (cost).
//! let paid_in = [0.2, 0.9, 1.0];
//! let complaints = [5.0, 0.0, 1.0];
//! let columns: [&[f64]; 2] = [&paid_in, &complaints];
//! let directions = [Direction::Benefit, Direction::Cost];
//!
//! let e = entropy(&columns, &directions)?;
//! let c = critic(&columns, &directions)?;
//! assert!((e.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
//! assert!((c.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
//!
//! // Keep 70% of the expert (e.g. AHP) weights, take 30% from the data.
//! let w = combine(&[0.5, 0.5], &e.weights, 0.7)?;
//! assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
//! # Ok::<(), riskgrade_weights::objective::ObjectiveError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Which end of an indicator is the desirable one.
///
/// Serialised as `"benefit"` / `"cost"`; [`FromStr`] accepts the same words.
///
/// ```
/// use riskgrade_weights::objective::Direction;
///
/// let d: Direction = "cost".parse()?;
/// assert_eq!(d, Direction::Cost);
/// assert_eq!(d.to_string(), "cost");
/// assert!("up".parse::<Direction>().is_err());
/// # Ok::<(), riskgrade_weights::objective::ObjectiveError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Larger values are desirable (正向指标), e.g. paid-in capital ratio, taxes paid.
    /// Normalised as x′ = (x − min) / (max − min).
    Benefit,
    /// Smaller values are desirable (负向指标), e.g. penalties, complaints.
    /// Normalised as x′ = (max − x) / (max − min).
    Cost,
}

impl Direction {
    /// The word used in configuration: `"benefit"` or `"cost"`.
    ///
    /// ```
    /// use riskgrade_weights::objective::Direction;
    /// assert_eq!(Direction::Benefit.as_str(), "benefit");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Benefit => "benefit",
            Direction::Cost => "cost",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Direction {
    type Err = ObjectiveError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "benefit" => Ok(Direction::Benefit),
            "cost" => Ok(Direction::Cost),
            other => Err(ObjectiveError::UnknownDirection(other.to_owned())),
        }
    }
}

/// Which input of [`combine`] an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightSource {
    /// The expert weights (AHP, Delphi…).
    Expert,
    /// The objective weights (entropy, CRITIC…).
    Objective,
}

impl fmt::Display for WeightSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WeightSource::Expert => "expert",
            WeightSource::Objective => "objective",
        })
    }
}

/// Why objective weights could not be computed. Positions count from 0.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ObjectiveError {
    /// `columns` is empty.
    #[error("no indicators given, expected at least one column")]
    NoIndicators,
    /// An indicator's column has a different length from indicator 0's.
    #[error(
        "indicator {indicator} has {len} rows but indicator 0 has {expected}; every indicator needs one value per enterprise"
    )]
    LengthMismatch {
        /// The indicator whose length differs.
        indicator: usize,
        /// Its length.
        len: usize,
        /// The length of indicator 0.
        expected: usize,
    },
    /// Fewer than two rows: there is no spread to measure.
    #[error("{rows} row(s) of data, expected at least 2 enterprises")]
    TooFewRows {
        /// The number of rows.
        rows: usize,
    },
    /// A value is NaN or infinite.
    #[error(
        "indicator {indicator}, row {row}: `{value}` is not a finite number (positions count from 0)"
    )]
    NonFinite {
        /// The indicator (column).
        indicator: usize,
        /// The row (enterprise).
        row: usize,
        /// The value found.
        value: f64,
    },
    /// `directions` does not have one entry per indicator.
    #[error(
        "{directions} direction(s) given for {indicators} indicator(s), expected one per indicator"
    )]
    DirectionsMismatch {
        /// The number of indicators.
        indicators: usize,
        /// The number of directions.
        directions: usize,
    },
    /// Every indicator takes a single value over the batch.
    #[error(
        "all {indicators} indicator(s) are constant over the batch, so the data cannot tell them apart"
    )]
    AllConstant {
        /// The number of indicators.
        indicators: usize,
    },
    /// A direction word is neither `benefit` nor `cost`.
    #[error("`{0}` is not a direction, expected `benefit` or `cost`")]
    UnknownDirection(String),
    /// The expert share α of [`combine`] is outside \[0, 1\].
    #[error("expert share `{0}` is outside [0, 1]")]
    AlphaOutOfRange(f64),
    /// [`combine`] got weight vectors of different lengths.
    #[error("{expert} expert weight(s) but {objective} objective weight(s), expected as many")]
    WeightsLengthMismatch {
        /// The number of expert weights.
        expert: usize,
        /// The number of objective weights.
        objective: usize,
    },
    /// A weight given to [`combine`] is negative or not finite.
    #[error("{input} weight {index} is `{value}`, expected a finite number ≥ 0")]
    BadWeight {
        /// Which input.
        input: WeightSource,
        /// The position of the weight.
        index: usize,
        /// The value found.
        value: f64,
    },
    /// The weights given to [`combine`] sum to 0 (or there are none).
    #[error("{input} weights sum to 0, so they cannot be normalised")]
    ZeroWeightSum {
        /// Which input.
        input: WeightSource,
    },
}

/// The result of [`entropy`]: weights and the intermediate quantities that explain them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntropyWeights {
    /// wⱼ = dⱼ / Σₖ dₖ; non-negative, sums to 1.
    pub weights: Vec<f64>,
    /// eⱼ = −(1 / ln m) Σᵢ pᵢⱼ ln pᵢⱼ, in \[0, 1\]; 1 for a constant indicator.
    pub entropy: Vec<f64>,
    /// dⱼ = 1 − eⱼ, the degree of divergence.
    pub divergence: Vec<f64>,
    /// The indicators that are constant over the batch (weight 0), ascending.
    pub constant: Vec<usize>,
}

/// The result of [`critic`]: weights and the intermediate quantities that explain them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriticWeights {
    /// wⱼ = Cⱼ / Σₖ Cₖ; non-negative, sums to 1.
    pub weights: Vec<f64>,
    /// σⱼ, the sample standard deviation (divisor m − 1) of the normalised indicator: contrast.
    pub std_dev: Vec<f64>,
    /// Σₖ (1 − rⱼₖ) over the other non-constant indicators k: how much indicator j disagrees
    /// with them (0 for a constant indicator, which is dropped).
    pub conflict: Vec<f64>,
    /// Cⱼ = σⱼ Σₖ (1 − rⱼₖ): the information carried by indicator j.
    pub information: Vec<f64>,
    /// rⱼₖ, Pearson correlation of the normalised indicators (n × n, symmetric, diagonal 1).
    pub correlation: Vec<Vec<f64>>,
    /// The indicators that are constant over the batch, dropped (weight 0), ascending.
    pub constant: Vec<usize>,
}

/// Checks the shape and values of the data; returns m (the number of rows).
fn validate(columns: &[&[f64]], directions: &[Direction]) -> Result<usize, ObjectiveError> {
    let Some(first) = columns.first() else {
        return Err(ObjectiveError::NoIndicators);
    };
    if directions.len() != columns.len() {
        return Err(ObjectiveError::DirectionsMismatch {
            indicators: columns.len(),
            directions: directions.len(),
        });
    }
    let m = first.len();
    for (indicator, column) in columns.iter().enumerate() {
        if column.len() != m {
            return Err(ObjectiveError::LengthMismatch {
                indicator,
                len: column.len(),
                expected: m,
            });
        }
    }
    if m < 2 {
        return Err(ObjectiveError::TooFewRows { rows: m });
    }
    for (indicator, column) in columns.iter().enumerate() {
        if let Some((row, &value)) = column.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(ObjectiveError::NonFinite {
                indicator,
                row,
                value,
            });
        }
    }
    Ok(m)
}

/// Min–max normalises one (finite, non-empty) column so that 1 is the desirable end.
///
/// Benefit: x′ = (x − min)/(max − min); cost: x′ = (max − x)/(max − min).
/// Returns `None` for a constant column (max = min). When max − min overflows, both numerator and
/// denominator are halved first, which leaves the ratio unchanged.
fn normalise(column: &[f64], direction: Direction) -> Option<Vec<f64>> {
    let min = column.iter().copied().fold(f64::INFINITY, f64::min);
    let max = column.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max <= min {
        return None;
    }
    let scale = if (max - min).is_finite() { 1.0 } else { 0.5 };
    let (min, max) = (min * scale, max * scale);
    let range = max - min;
    Some(
        column
            .iter()
            .map(|&x| {
                let x = x * scale;
                let v = match direction {
                    Direction::Benefit => (x - min) / range,
                    Direction::Cost => (max - x) / range,
                };
                v.clamp(0.0, 1.0)
            })
            .collect(),
    )
}

/// Normalises every column; constant ones become all zeros and are listed.
fn normalise_all(
    columns: &[&[f64]],
    directions: &[Direction],
    m: usize,
) -> Result<(Vec<Vec<f64>>, Vec<usize>), ObjectiveError> {
    let mut constant = Vec::new();
    let normalised: Vec<Vec<f64>> = columns
        .iter()
        .zip(directions)
        .enumerate()
        .map(|(j, (column, &direction))| {
            normalise(column, direction).unwrap_or_else(|| {
                constant.push(j);
                vec![0.0; m]
            })
        })
        .collect();
    if constant.len() == columns.len() {
        return Err(ObjectiveError::AllConstant {
            indicators: columns.len(),
        });
    }
    Ok((normalised, constant))
}

/// Entropy weights (熵权法).
///
/// With the min–max normalised values x′ᵢⱼ (see the [module docs](self)) for m rows:
///
/// - pᵢⱼ = x′ᵢⱼ / Σᵢ x′ᵢⱼ
/// - eⱼ = −(1 / ln m) Σᵢ pᵢⱼ ln pᵢⱼ, with 0 · ln 0 = 0
/// - dⱼ = 1 − eⱼ
/// - wⱼ = dⱼ / Σₖ dₖ
///
/// A constant indicator has eⱼ = 1, dⱼ = 0 and weight 0, and is listed in `constant`; it does not
/// change the other weights. Because min–max normalisation maps the worst enterprise to 0, a
/// non-constant indicator always has eⱼ < 1, so Σ d > 0.
///
/// # Errors
///
/// [`ObjectiveError`] if there are no indicators, the directions do not match the indicators,
/// the columns differ in length, there are fewer than 2 rows, a value is not finite (naming the
/// indicator and row), or every indicator is constant.
///
/// # Example
///
/// ```
/// use riskgrade_weights::objective::{entropy, Direction};
///
/// let spread = [0.0, 0.0, 0.0, 1.0]; // one enterprise stands out: low entropy, high weight
/// let even = [0.0, 1.0, 2.0, 3.0];
/// let flat = [7.0, 7.0, 7.0, 7.0];
/// let e = entropy(&[&spread, &even, &flat], &[Direction::Benefit; 3])?;
/// assert!(e.weights[0] > e.weights[1]);
/// assert_eq!(e.weights[2], 0.0);
/// assert_eq!(e.constant, vec![2]);
/// # Ok::<(), riskgrade_weights::objective::ObjectiveError>(())
/// ```
pub fn entropy(
    columns: &[&[f64]],
    directions: &[Direction],
) -> Result<EntropyWeights, ObjectiveError> {
    let m = validate(columns, directions)?;
    let (normalised, constant) = normalise_all(columns, directions, m)?;
    let ln_m = (m as f64).ln();
    let mut entropies = Vec::with_capacity(columns.len());
    for column in &normalised {
        let total: f64 = column.iter().sum();
        let e = if total > 0.0 {
            let s: f64 = column
                .iter()
                .filter(|&&x| x > 0.0)
                .map(|&x| {
                    let p = x / total;
                    p * p.ln()
                })
                .sum();
            (-s / ln_m).clamp(0.0, 1.0)
        } else {
            1.0
        };
        entropies.push(e);
    }
    let divergence: Vec<f64> = entropies.iter().map(|e| (1.0 - e).max(0.0)).collect();
    let weights = proportions(&divergence).ok_or(ObjectiveError::AllConstant {
        indicators: columns.len(),
    })?;
    Ok(EntropyWeights {
        weights,
        entropy: entropies,
        divergence,
        constant,
    })
}

/// CRITIC weights (Criteria Importance Through Intercriteria Correlation).
///
/// With the min–max normalised values x′ᵢⱼ (see the [module docs](self)) for m rows:
///
/// - σⱼ = √( Σᵢ (x′ᵢⱼ − x̄′ⱼ)² / (m − 1) ), the **sample** standard deviation. Some texts divide
///   by m instead; that multiplies every σⱼ by the same factor √((m − 1)/m) and so leaves the
///   weights unchanged, only `std_dev` and `information` differ.
/// - rⱼₖ = Σᵢ (x′ᵢⱼ − x̄′ⱼ)(x′ᵢₖ − x̄′ₖ) / √( Σᵢ (x′ᵢⱼ − x̄′ⱼ)² Σᵢ (x′ᵢₖ − x̄′ₖ)² ), Pearson's
///   correlation of the normalised indicators, so a benefit and a cost indicator that rise together
///   in raw units count as disagreeing. Off the diagonal, rⱼₖ = 0 when either indicator is
///   constant; the diagonal is 1; r within 1e-12 of 1 is taken as exactly 1.
/// - Cⱼ = σⱼ Σₖ (1 − rⱼₖ)
/// - wⱼ = Cⱼ / Σₖ Cₖ
///
/// When no indicator conflicts with another (Σ C = 0: a single non-constant indicator, or
/// indicators that normalise to identical columns, r = 1), the weights fall back to contrast
/// alone, wⱼ = σⱼ / Σ σ.
///
/// Constant indicators are dropped, as the textbook method assumes indicators that vary: such an
/// indicator has σⱼ = 0, weight 0, conflict and information 0, and is listed in `constant`; the
/// other indicators' conflict sums run over the non-constant indicators only (a correlation with
/// a constant is undefined; it is reported as 0 in `correlation`). So adding constant indicators
/// never changes the other weights (as with [`entropy`]).
///
/// # Errors
///
/// As for [`entropy`].
///
/// # Example
///
/// ```
/// use riskgrade_weights::objective::{critic, Direction};
///
/// let a = [1.0, 2.0, 3.0, 4.0];
/// let b = [2.0, 4.0, 6.0, 8.1]; // nearly the same information as `a`
/// let c = [3.0, 1.0, 4.0, 1.0]; // disagrees with both
/// let w = critic(&[&a, &b, &c], &[Direction::Benefit; 3])?;
/// assert!(w.weights[2] > w.weights[0]);
/// assert!((w.correlation[0][1] - 1.0).abs() < 1e-3);
/// # Ok::<(), riskgrade_weights::objective::ObjectiveError>(())
/// ```
pub fn critic(
    columns: &[&[f64]],
    directions: &[Direction],
) -> Result<CriticWeights, ObjectiveError> {
    let m = validate(columns, directions)?;
    let (normalised, constant) = normalise_all(columns, directions, m)?;
    let n = normalised.len();
    let mf = m as f64;
    // Deviations from the mean and their sums of squares.
    let deviations: Vec<Vec<f64>> = normalised
        .iter()
        .map(|column| {
            let mean = column.iter().sum::<f64>() / mf;
            column.iter().map(|x| x - mean).collect()
        })
        .collect();
    let sum_squares: Vec<f64> = deviations
        .iter()
        .map(|d| d.iter().map(|x| x * x).sum())
        .collect();
    let is_constant = |j: usize| constant.binary_search(&j).is_ok();
    let std_dev: Vec<f64> = (0..n)
        .map(|j| {
            if is_constant(j) {
                0.0
            } else {
                (sum_squares[j] / (mf - 1.0)).sqrt()
            }
        })
        .collect();
    let mut correlation = vec![vec![0.0; n]; n];
    for j in 0..n {
        correlation[j][j] = 1.0;
        for k in (j + 1)..n {
            let r = if is_constant(j) || is_constant(k) {
                0.0
            } else {
                let cross: f64 = deviations[j]
                    .iter()
                    .zip(&deviations[k])
                    .map(|(a, b)| a * b)
                    .sum();
                let denominator = (sum_squares[j] * sum_squares[k]).sqrt();
                if denominator > 0.0 {
                    let r = (cross / denominator).clamp(-1.0, 1.0);
                    // Columns that normalise to the same values can come out at 1 − 1e-16;
                    // snap so that rounding noise does not decide the weights.
                    if 1.0 - r < 1e-12 { 1.0 } else { r }
                } else {
                    0.0
                }
            };
            correlation[j][k] = r;
            correlation[k][j] = r;
        }
    }
    let conflict: Vec<f64> = correlation
        .iter()
        .enumerate()
        .map(|(j, row)| {
            if is_constant(j) {
                return 0.0;
            }
            row.iter()
                .enumerate()
                .filter(|&(k, _)| k != j && !is_constant(k))
                .map(|(_, r)| 1.0 - r)
                .sum()
        })
        .collect();
    let information: Vec<f64> = std_dev.iter().zip(&conflict).map(|(s, c)| s * c).collect();
    // Σ C = 0 with a non-constant indicator means no conflict anywhere: a single indicator, or
    // indicators that all normalise to the same column. Then fall back to wⱼ ∝ σⱼ.
    let weights = proportions(&information)
        .or_else(|| proportions(&std_dev))
        .ok_or(ObjectiveError::AllConstant {
            indicators: columns.len(),
        })?;
    Ok(CriticWeights {
        weights,
        std_dev,
        conflict,
        information,
        correlation,
        constant,
    })
}

/// vᵢ / Σ v, or `None` when the sum is not positive.
fn proportions(values: &[f64]) -> Option<Vec<f64>> {
    let total: f64 = values.iter().sum();
    (total > 0.0 && total.is_finite()).then(|| values.iter().map(|v| v / total).collect())
}

/// The convex combination of expert and objective weights.
///
/// Both inputs are first normalised to sum 1 (ŵ = w / Σ w), then
///
/// wⱼ = α · ŵⱼ(expert) + (1 − α) · ŵⱼ(objective)
///
/// where **α is the expert share**: α = 1 keeps the expert weights, α = 0 takes the objective
/// weights, α = 0.5 averages them. The result is non-negative and sums to 1.
///
/// # Errors
///
/// [`ObjectiveError::AlphaOutOfRange`] if α is not in \[0, 1\] (or is NaN);
/// [`ObjectiveError::WeightsLengthMismatch`] if the inputs differ in length;
/// [`ObjectiveError::BadWeight`] for a negative or non-finite weight;
/// [`ObjectiveError::ZeroWeightSum`] if an input sums to 0 or is empty.
///
/// # Example
///
/// ```
/// use riskgrade_weights::objective::combine;
///
/// // Expert weights given in points; they are normalised first.
/// let w = combine(&[60.0, 40.0], &[0.2, 0.8], 0.5)?;
/// assert!((w[0] - 0.4).abs() < 1e-12 && (w[1] - 0.6).abs() < 1e-12);
/// # Ok::<(), riskgrade_weights::objective::ObjectiveError>(())
/// ```
pub fn combine(expert: &[f64], objective: &[f64], alpha: f64) -> Result<Vec<f64>, ObjectiveError> {
    if !(0.0..=1.0).contains(&alpha) {
        return Err(ObjectiveError::AlphaOutOfRange(alpha));
    }
    if expert.len() != objective.len() {
        return Err(ObjectiveError::WeightsLengthMismatch {
            expert: expert.len(),
            objective: objective.len(),
        });
    }
    let expert = normalised_weights(expert, WeightSource::Expert)?;
    let objective = normalised_weights(objective, WeightSource::Objective)?;
    Ok(expert
        .iter()
        .zip(&objective)
        .map(|(e, o)| alpha * e + (1.0 - alpha) * o)
        .collect())
}

/// Checks weights are finite and ≥ 0 and divides them by their sum.
fn normalised_weights(weights: &[f64], source: WeightSource) -> Result<Vec<f64>, ObjectiveError> {
    if let Some((index, &value)) = weights
        .iter()
        .enumerate()
        .find(|(_, w)| !w.is_finite() || **w < 0.0)
    {
        return Err(ObjectiveError::BadWeight {
            input: source,
            index,
            value,
        });
    }
    proportions(weights).ok_or(ObjectiveError::ZeroWeightSum { input: source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_directions() {
        assert_eq!(
            normalise(&[1.0, 3.0, 5.0], Direction::Benefit),
            Some(vec![0.0, 0.5, 1.0])
        );
        assert_eq!(
            normalise(&[1.0, 3.0, 5.0], Direction::Cost),
            Some(vec![1.0, 0.5, 0.0])
        );
        assert_eq!(normalise(&[2.0, 2.0], Direction::Cost), None);
    }

    #[test]
    fn normalise_huge_range() {
        let v = normalise(&[-f64::MAX, 0.0, f64::MAX], Direction::Benefit);
        assert_eq!(v, Some(vec![0.0, 0.5, 1.0]));
    }

    #[test]
    fn direction_words() {
        assert_eq!(Direction::Benefit.to_string(), "benefit");
        assert_eq!("cost".parse::<Direction>(), Ok(Direction::Cost));
        assert_eq!(
            "Cost".parse::<Direction>().map_err(|e| e.to_string()),
            Err("`Cost` is not a direction, expected `benefit` or `cost`".to_owned())
        );
    }
}
