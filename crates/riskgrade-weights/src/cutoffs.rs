//! Class cut-offs: where to draw the lines between classes A, B, C, D… on a score scale, either
//! from target shares of enterprises per class or from desired detection rates per class.
//!
//! # Conventions
//!
//! - Scores are **risk-oriented**: higher is riskier. A jurisdiction whose scale is "higher is
//!   safer" (e.g. a 0–100 demo scale with A ≥ 85) flips it before calling, e.g. with 100 − score.
//! - Classes are listed **least risky first** (A, B, C, D). With k classes a result holds k − 1
//!   strictly increasing thresholds t₁ < … < tₖ₋₁: class 1 holds the scores below t₁, class c the
//!   scores in \[t_(c−1), t_c), and the last class the scores at or above tₖ₋₁. In code, with 0-based classes: class 0 is `score < thresholds[0]`, class c is
//!   `thresholds[c − 1] <= score < thresholds[c]`, class k − 1 is `score >= thresholds[k − 2]`.
//! - Every threshold is one of the **observed** scores (the lowest score of the class above it),
//!   so enterprises with equal scores always share a class.
//! - Positions in errors (rows, classes) count from 0, like the slices.
//!
//! # Example
//!
//! ```
//! use riskgrade_weights::cutoffs::{from_detection_rates, from_shares};
//!
//! // Target shares A 50%, B 30%, C 20% on ten scores.
//! let scores = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 95.0];
//! let c = from_shares(&scores, &[0.5, 0.3, 0.2])?;
//! assert_eq!(c.thresholds, vec![60.0, 90.0]);
//! assert_eq!(c.counts, vec![5, 3, 2]);
//!
//! // From last year's inspections: (score, problem found).
//! let inspected = [
//!     (90.0, true), (80.0, false), (70.0, false), (60.0, false), (50.0, true),
//!     (40.0, false), (30.0, false), (20.0, false), (10.0, false),
//! ];
//! // C must find a problem in at least 50% of its inspections, B in 20%, with ≥ 2 inspections
//! // each; A is the rest.
//! let r = from_detection_rates(&inspected, &[None, Some(0.2), Some(0.5)], 2)?;
//! assert_eq!(r.thresholds, vec![30.0, 80.0]);
//! assert_eq!(r.inspected, vec![2, 5, 2]);
//! assert_eq!(r.problems, vec![0, 1, 1]);
//! # Ok::<(), riskgrade_weights::cutoffs::CutoffError>(())
//! ```

use serde::{Deserialize, Serialize};

/// Why cut-offs could not be set. Positions count from 0.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CutoffError {
    /// Fewer than two classes were asked for.
    #[error("{classes} class(es) given, expected at least 2")]
    TooFewClasses {
        /// The number of classes.
        classes: usize,
    },
    /// A target share is negative or not finite.
    #[error("share of class {class} is `{value}`, expected a finite number ≥ 0")]
    BadShare {
        /// The class (0 = least risky).
        class: usize,
        /// The value found.
        value: f64,
    },
    /// The target shares do not sum to 1.
    #[error("class shares sum to `{sum}`, expected 1 (within 1e-6)")]
    SharesSum {
        /// Their sum.
        sum: f64,
    },
    /// There are no scores.
    #[error("no scores given, expected at least one")]
    NoScores,
    /// A score is NaN or infinite.
    #[error("row {row}: score `{value}` is not a finite number (rows count from 0)")]
    NonFiniteScore {
        /// The row of the score (in `scores`, or in `inspected`).
        row: usize,
        /// The value found.
        value: f64,
    },
    /// Fewer distinct scores than classes: some class would be empty.
    #[error(
        "only {distinct} distinct score(s) for {classes} classes; equal scores share a class, so some class would be empty"
    )]
    TooFewDistinct {
        /// The number of distinct scores.
        distinct: usize,
        /// The number of classes.
        classes: usize,
    },
    /// `rates[0]` must be `None`: the least risky class is "the rest".
    #[error(
        "class 0 has a desired detection rate `{rate}`, but the least risky class is the rest and takes none"
    )]
    RateForFirstClass {
        /// The rate given.
        rate: f64,
    },
    /// A class above the first has no desired detection rate.
    #[error(
        "class {class} has no desired detection rate; every class but the least risky needs one"
    )]
    MissingRate {
        /// The class.
        class: usize,
    },
    /// A desired detection rate is outside \[0, 1\].
    #[error("class {class}: desired detection rate `{value}` is outside [0, 1]")]
    BadRate {
        /// The class.
        class: usize,
        /// The value found.
        value: f64,
    },
    /// No threshold gives the class its desired detection rate with enough inspections.
    #[error(
        "class {class}: no threshold gives a detection rate ≥ `{desired}` with at least {min_inspected} inspected enterprise(s); {}",
        match best {
            Some(best) => format!("the best reachable is `{}`", (best * 1e4).round() / 1e4),
            None => format!("only {available} inspected enterprise(s) score below the class above"),
        }
    )]
    Infeasible {
        /// The class (0 = least risky).
        class: usize,
        /// The desired minimum detection rate.
        desired: f64,
        /// The minimum number of inspected enterprises per class (at least 1).
        min_inspected: usize,
        /// The best rate reachable with at least `min_inspected` inspections, if any is.
        best: Option<f64>,
        /// How many inspected enterprises score below the threshold of the class above.
        available: usize,
    },
}

/// Cut-offs from target shares, see [`from_shares`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cutoffs {
    /// k − 1 strictly increasing thresholds, each an observed score.
    pub thresholds: Vec<f64>,
    /// The number of scores in each class, least risky first (all > 0).
    pub counts: Vec<usize>,
    /// The achieved share of each class, counts / number of scores.
    pub shares: Vec<f64>,
}

/// Cut-offs from desired detection rates, see [`from_detection_rates`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateCutoffs {
    /// k − 1 strictly increasing thresholds, each an observed score of an inspected enterprise.
    pub thresholds: Vec<f64>,
    /// The number of inspected enterprises in each class, least risky first.
    pub inspected: Vec<usize>,
    /// The number of those where a problem was found.
    pub problems: Vec<usize>,
    /// The observed detection rate problems / inspected of each class; `None` for a class with
    /// no inspected enterprise (possible only for the least risky class).
    pub rates: Vec<Option<f64>>,
}

fn check_scores(scores: impl Iterator<Item = f64>) -> Result<(), CutoffError> {
    for (row, value) in scores.enumerate() {
        if !value.is_finite() {
            return Err(CutoffError::NonFiniteScore { row, value });
        }
    }
    Ok(())
}

/// Cut-offs that give each class a target share of the enterprises, as nearly as ties allow.
///
/// `shares` are the target shares sⱼ of the classes, least risky first (e.g. `[0.6, 0.25, 0.1,
/// 0.05]` for A–D). With n scores, the target number of scores below threshold c is
///
/// Tₖ = n · (s₁ + … + s_c) / Σ s
///
/// A threshold can only sit at an observed score, and all scores equal to it fall above it, so
/// the achievable numbers below are bᵢ = #{scores < vᵢ} for the distinct scores v₂ < … < v_d
/// (v₁, the minimum, is excluded so the least risky class is never empty). The thresholds are
/// the strictly increasing choice that minimises Σ_c |b(t_c) − T_c|; when nothing forces two
/// thresholds apart this is simply, for each threshold, the nearest achievable count.
///
/// **Tie rule.** Enterprises with equal scores always share a class, so a block of equal scores
/// that straddles a target goes wholly to one side: to the side that leaves the count below
/// closer to the target. When both sides are equally close, the **lower** threshold is taken,
/// i.e. the block goes to the **riskier** class (the cautious choice for supervision). The result
/// depends only on the multiset of scores, not on their order.
///
/// **Empty classes.** Every class gets at least one distinct score value, so no class is empty;
/// a class with target share 0 gets the smallest group the ties allow. If there are fewer
/// distinct scores than classes this is impossible and an error is returned.
///
/// # Errors
///
/// [`CutoffError`] if there are fewer than 2 classes, a share is negative or not finite, the
/// shares do not sum to 1 within 1e-6, there are no scores, a score is not finite (naming its
/// row), or there are fewer distinct scores than classes.
///
/// # Example
///
/// ```
/// use riskgrade_weights::cutoffs::from_shares;
///
/// // Four enterprises tie at 5: they share a class.
/// let scores = [1.0, 2.0, 5.0, 5.0, 5.0, 5.0, 7.0, 9.0];
/// let c = from_shares(&scores, &[0.5, 0.5])?; // target: 4 below the threshold
/// // 2 below (threshold 5) or 6 below (threshold 7) are equally far: the lower threshold wins.
/// assert_eq!(c.thresholds, vec![5.0]);
/// assert_eq!(c.counts, vec![2, 6]);
/// # Ok::<(), riskgrade_weights::cutoffs::CutoffError>(())
/// ```
pub fn from_shares(scores: &[f64], shares: &[f64]) -> Result<Cutoffs, CutoffError> {
    let k = shares.len();
    if k < 2 {
        return Err(CutoffError::TooFewClasses { classes: k });
    }
    if let Some((class, &value)) = shares
        .iter()
        .enumerate()
        .find(|(_, s)| !s.is_finite() || **s < 0.0)
    {
        return Err(CutoffError::BadShare { class, value });
    }
    let total: f64 = shares.iter().sum();
    if (total - 1.0).abs() > 1e-6 {
        return Err(CutoffError::SharesSum { sum: total });
    }
    if scores.is_empty() {
        return Err(CutoffError::NoScores);
    }
    check_scores(scores.iter().copied())?;

    let mut sorted = scores.to_vec();
    sorted.sort_by(f64::total_cmp);
    // Distinct values and the number of scores strictly below each.
    let mut values: Vec<f64> = Vec::new();
    let mut below: Vec<usize> = Vec::new();
    for (i, &s) in sorted.iter().enumerate() {
        if values.last() != Some(&s) {
            values.push(s);
            below.push(i);
        }
    }
    let d = values.len();
    if d < k {
        return Err(CutoffError::TooFewDistinct {
            distinct: d,
            classes: k,
        });
    }
    let n = sorted.len();
    let nf = n as f64;
    let mut cumulative = 0.0;
    let targets: Vec<f64> = shares[..k - 1]
        .iter()
        .map(|s| {
            cumulative += s;
            nf * cumulative / total
        })
        .collect();

    let indices = choose_thresholds(&below, &targets, candidate_window(&below, &targets));
    let thresholds: Vec<f64> = indices.iter().map(|&i| values[i]).collect();
    let mut counts = Vec::with_capacity(k);
    let mut previous = 0;
    for &i in &indices {
        counts.push(below[i] - previous);
        previous = below[i];
    }
    counts.push(n - previous);
    let achieved = counts.iter().map(|&c| c as f64 / nf).collect();
    Ok(Cutoffs {
        thresholds,
        counts,
        shares: achieved,
    })
}

/// The tolerance under which two costs count as equal (float noise in the targets).
fn tolerance(below: &[usize]) -> f64 {
    1e-12 * (below.len() as f64 + below.last().copied().unwrap_or(0) as f64 + 1.0)
}

/// The index in `1..d` whose `below` is nearest to `target`, the lower one on a tie.
fn nearest(below: &[usize], target: f64, eps: f64) -> usize {
    let d = below.len();
    // First index in 1..d with below ≥ target.
    let p = 1 + below[1..].partition_point(|&b| (b as f64) < target);
    if p >= d {
        return d - 1;
    }
    if p == 1 {
        return 1;
    }
    let under = target - below[p - 1] as f64;
    let over = below[p] as f64 - target;
    if over < under - eps { p } else { p - 1 }
}

/// The candidate indices the optimal thresholds can lie in: a window of ±k around each
/// threshold's own nearest index, plus the k lowest and k highest indices.
///
/// The cost of each threshold is convex in its index and the constraint is "strictly
/// increasing", so the joint optimum moves each threshold at most k − 2 steps from its own
/// nearest index, or pins it to the edges; the window is a little wider to be safe.
fn candidate_window(below: &[usize], targets: &[f64]) -> Vec<usize> {
    let d = below.len();
    let k = targets.len() + 1;
    let eps = tolerance(below);
    let mut candidates: Vec<usize> = Vec::new();
    let mut push_range = |lo: usize, hi: usize| candidates.extend(lo.max(1)..=hi.min(d - 1));
    push_range(1, k);
    push_range(d.saturating_sub(k), d - 1);
    for &t in targets {
        let o = nearest(below, t, eps);
        push_range(o.saturating_sub(k), o + k);
    }
    candidates.sort_unstable();
    candidates.dedup();
    candidates
}

/// Dynamic programme over `candidates` (ascending indices into `below`, all in `1..d`, at least
/// `targets.len()` of them): the strictly increasing indices minimising Σ_c |below[i_c] − T_c|,
/// preferring lower indices among (near-)equal costs.
fn choose_thresholds(below: &[usize], targets: &[f64], candidates: Vec<usize>) -> Vec<usize> {
    let eps = tolerance(below);
    let layers = targets.len();
    let width = candidates.len();
    let cost = |c: usize, x: usize| (below[candidates[x]] as f64 - targets[c]).abs();
    // best[x]: least total cost of thresholds 0..=c with threshold c at candidates[x].
    let mut best: Vec<f64> = (0..width).map(|x| cost(0, x)).collect();
    let mut parents: Vec<Vec<usize>> = Vec::with_capacity(layers);
    for c in 1..layers {
        let mut next = vec![f64::INFINITY; width];
        let mut parent = vec![0; width];
        let mut prefix: Option<(f64, usize)> = None;
        for x in 0..width {
            if let Some((value, y)) = prefix
                && value.is_finite()
            {
                next[x] = value + cost(c, x);
                parent[x] = y;
            }
            let improves = match prefix {
                None => true,
                Some((value, _)) => best[x] < value - eps,
            };
            if improves {
                prefix = Some((best[x], x));
            }
        }
        best = next;
        parents.push(parent);
    }
    let mut end = 0;
    for x in 1..width {
        if best[x] < best[end] - eps {
            end = x;
        }
    }
    let mut chosen = vec![end; layers];
    for c in (1..layers).rev() {
        chosen[c - 1] = parents[c - 1][chosen[c]];
    }
    chosen.into_iter().map(|x| candidates[x]).collect()
}

/// Cut-offs that give each class a desired minimum detection rate among past inspections.
///
/// `inspected` holds (score, problem found) of enterprises that were inspected; `rates[c]` is
/// the desired minimum detection rate of class c, least risky first. The least risky class is
/// "the rest" and must have `None`; every other class needs `Some(r)` with r in \[0, 1\].
///
/// Working from the riskiest class down, with U the threshold of the class above (+∞ for the
/// riskiest class), the class's lower threshold is the **lowest** observed score t < U such that
/// the inspected enterprises with score in \[t, U) number
///
/// n(t) ≥ max(`min_inspected`, 1)  and  p(t) / n(t) ≥ r
///
/// where p(t) counts those with a problem found, **and** the classes below can still be cut
/// from the scores under t so that each reaches its own rate (checked exactly, by a pass over
/// the distinct scores per class). Each class thus takes as many enterprises as it can while
/// keeping its rate and leaving the classes below theirs; the least risky class gets what is
/// left (its observed rate is reported, and may be `None` if no inspected enterprise is left).
/// Equal scores share a class.
///
/// The rates are **observed rates among the inspected**, not among all enterprises: they depend
/// on how the inspected enterprises were chosen. A sample drawn with higher ratios for riskier
/// classes (as in 双随机 plans) over-represents them; reweight or use a uniform sample if the
/// rates must describe the population. When no cut reaches every rate, the error names the
/// first class, from the top, that a greedy cut cannot satisfy.
///
/// # Errors
///
/// [`CutoffError`] if there are fewer than 2 classes, `rates[0]` is `Some`, another rate is
/// `None` or outside \[0, 1\], a score is not finite (naming its row in `inspected`), or no
/// threshold satisfies a class ([`CutoffError::Infeasible`] names the class, the desired rate
/// and the best rate reachable with at least `min_inspected` inspections).
///
/// # Example
///
/// ```
/// use riskgrade_weights::cutoffs::{from_detection_rates, CutoffError};
///
/// let inspected = [(9.0, true), (8.0, false), (7.0, false), (3.0, false)];
/// // The riskiest class wants 60%: 1 of 1 at t = 9 reaches it, but needs 2 inspections.
/// let err = from_detection_rates(&inspected, &[None, Some(0.6)], 2).unwrap_err();
/// assert!(matches!(err, CutoffError::Infeasible { class: 1, best: Some(b), .. } if b == 0.5));
/// # Ok::<(), CutoffError>(())
/// ```
pub fn from_detection_rates(
    inspected: &[(f64, bool)],
    rates: &[Option<f64>],
    min_inspected: usize,
) -> Result<RateCutoffs, CutoffError> {
    let desired = desired_rates(rates)?;
    check_scores(inspected.iter().map(|&(s, _)| s))?;
    let min_n = min_inspected.max(1);
    let groups = ScoreGroups::new(inspected, min_n);
    let feasible = groups.feasibility(&desired);
    if feasible[desired.len() - 1][0] {
        return Ok(groups.look_ahead_cut(&desired, &feasible));
    }
    groups.greedy_cut(&desired, min_n)
}

/// Slack for rounding when comparing problem surpluses.
const EPS: f64 = 1e-9;

/// The desired rate of every class (0 for the least risky class, which takes the rest).
fn desired_rates(rates: &[Option<f64>]) -> Result<Vec<f64>, CutoffError> {
    let k = rates.len();
    if k < 2 {
        return Err(CutoffError::TooFewClasses { classes: k });
    }
    if let Some(rate) = rates[0] {
        return Err(CutoffError::RateForFirstClass { rate });
    }
    let mut desired = vec![0.0; k];
    for (class, rate) in rates.iter().enumerate().skip(1) {
        match *rate {
            None => return Err(CutoffError::MissingRate { class }),
            Some(value) if !(0.0..=1.0).contains(&value) => {
                return Err(CutoffError::BadRate { class, value });
            }
            Some(value) => desired[class] = value,
        }
    }
    Ok(desired)
}

/// The inspected enterprises in groups of equal scores, riskiest first, with prefix sums.
struct ScoreGroups {
    /// `(score, inspected, problems)` per group.
    groups: Vec<(f64, usize, usize)>,
    /// `n_pre[x]`: inspected in `groups[..x]`.
    n_pre: Vec<usize>,
    /// `p_pre[x]`: problems in `groups[..x]`.
    p_pre: Vec<usize>,
    /// `first[u]`: the smallest `x > u` with at least `min_n` inspected in `groups[u..x]`.
    first: Vec<Option<usize>>,
}

impl ScoreGroups {
    /// Groups equal scores and sums them up.
    fn new(inspected: &[(f64, bool)], min_n: usize) -> ScoreGroups {
        let mut sorted = inspected.to_vec();
        sorted.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut groups: Vec<(f64, usize, usize)> = Vec::new();
        for &(score, problem) in &sorted {
            match groups.last_mut() {
                Some(last) if last.0 == score => {
                    last.1 += 1;
                    last.2 += usize::from(problem);
                }
                _ => groups.push((score, 1, usize::from(problem))),
            }
        }
        let g_len = groups.len();
        let mut n_pre = vec![0usize; g_len + 1];
        let mut p_pre = vec![0usize; g_len + 1];
        for (i, &(_, gn, gp)) in groups.iter().enumerate() {
            n_pre[i + 1] = n_pre[i] + gn;
            p_pre[i + 1] = p_pre[i] + gp;
        }
        let first: Vec<Option<usize>> = (0..=g_len)
            .map(|u| {
                let need = n_pre[u] + min_n;
                let x = n_pre.partition_point(|&v| v < need);
                (x <= g_len).then_some(x)
            })
            .collect();
        ScoreGroups {
            groups,
            n_pre,
            p_pre,
            first,
        }
    }

    /// Class `c` over `groups[u..x]` reaches its rate iff `s(x) ≥ s(u)`, `s(x) = p[x] − r_c·n[x]`.
    fn surplus(&self, rate: f64, x: usize) -> f64 {
        self.p_pre[x] as f64 - rate * self.n_pre[x] as f64
    }

    /// `feasible[c][u]`: classes `1..=c` can all be cut from `groups[u..]` (class 0 takes the rest).
    fn feasibility(&self, desired: &[f64]) -> Vec<Vec<bool>> {
        let g_len = self.groups.len();
        let mut feasible: Vec<Vec<bool>> = vec![vec![true; g_len + 1]];
        for &rate in &desired[1..] {
            let below = &feasible[feasible.len() - 1];
            let mut suffix_max = vec![f64::NEG_INFINITY; g_len + 2];
            for x in (0..=g_len).rev() {
                suffix_max[x] = suffix_max[x + 1];
                if below[x] {
                    suffix_max[x] = suffix_max[x].max(self.surplus(rate, x));
                }
            }
            let row = (0..=g_len)
                .map(|u| {
                    self.first[u].is_some_and(|m| suffix_max[m] >= self.surplus(rate, u) - EPS)
                })
                .collect();
            feasible.push(row);
        }
        feasible
    }

    /// From the riskiest class down, each class ends as low as it can while the classes
    /// below can still reach their rates.
    fn look_ahead_cut(&self, desired: &[f64], feasible: &[Vec<bool>]) -> RateCutoffs {
        let k = desired.len();
        let g_len = self.groups.len();
        let mut thresholds = vec![0.0; k - 1];
        let mut counts = vec![(0, 0); k];
        let mut u = 0;
        for class in (1..k).rev() {
            let rate = desired[class];
            let m = self.first[u].unwrap_or(g_len + 1);
            let x = (m..=g_len)
                .rev()
                .find(|&x| {
                    feasible[class - 1][x] && self.surplus(rate, x) >= self.surplus(rate, u) - EPS
                })
                .unwrap_or(m.min(g_len));
            thresholds[class - 1] = self.groups[x - 1].0;
            counts[class] = (self.n_pre[x] - self.n_pre[u], self.p_pre[x] - self.p_pre[u]);
            u = x;
        }
        counts[0] = (
            self.n_pre[g_len] - self.n_pre[u],
            self.p_pre[g_len] - self.p_pre[u],
        );
        rate_cutoffs(thresholds, &counts)
    }

    /// Cuts greedily from the top to name the first class that cannot be reached.
    fn greedy_cut(&self, desired: &[f64], min_n: usize) -> Result<RateCutoffs, CutoffError> {
        let k = desired.len();
        let groups = &self.groups;
        let mut thresholds = vec![0.0; k - 1];
        let mut counts = vec![(0, 0); k];
        let mut upper = 0; // groups[upper..] score below the class above
        for class in (1..k).rev() {
            let (mut n, mut p) = (0usize, 0usize);
            let mut chosen: Option<(usize, usize, usize)> = None;
            let mut best: Option<f64> = None;
            for (g, &(_, gn, gp)) in groups.iter().enumerate().skip(upper) {
                n += gn;
                p += gp;
                if n >= min_n {
                    let rate = p as f64 / n as f64;
                    best = Some(best.map_or(rate, |b: f64| b.max(rate)));
                    if rate >= desired[class] {
                        chosen = Some((g, n, p));
                    }
                }
            }
            let Some((g, n_class, p_class)) = chosen else {
                return Err(CutoffError::Infeasible {
                    class,
                    desired: desired[class],
                    min_inspected: min_n,
                    best,
                    available: n,
                });
            };
            thresholds[class - 1] = groups[g].0;
            counts[class] = (n_class, p_class);
            upper = g + 1;
        }
        counts[0] = groups[upper..]
            .iter()
            .fold((0, 0), |(n, p), &(_, gn, gp)| (n + gn, p + gp));
        Ok(rate_cutoffs(thresholds, &counts))
    }
}

/// The result from the thresholds and the (inspected, problems) of each class.
fn rate_cutoffs(thresholds: Vec<f64>, counts: &[(usize, usize)]) -> RateCutoffs {
    RateCutoffs {
        thresholds,
        inspected: counts.iter().map(|c| c.0).collect(),
        problems: counts.iter().map(|c| c.1).collect(),
        rates: counts
            .iter()
            .map(|&(n, p)| (n > 0).then(|| p as f64 / n as f64))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The same programme over every candidate index, to check the window loses nothing.
    fn full(below: &[usize], targets: &[f64]) -> Vec<usize> {
        choose_thresholds(below, targets, (1..below.len()).collect())
    }

    fn total_cost(below: &[usize], targets: &[f64], chosen: &[usize]) -> f64 {
        chosen
            .iter()
            .zip(targets)
            .map(|(&i, t)| (below[i] as f64 - t).abs())
            .sum()
    }

    #[test]
    fn collision_is_resolved() {
        // Scores 0 ×1, 1 ×1, 2 ×8, 3 ×1, 4 ×1 (n = 12); shares 0.25/0.25/0.25/0.25.
        let mut scores = vec![0.0, 1.0, 3.0, 4.0];
        scores.extend([2.0; 8]);
        let c = from_shares(&scores, &[0.25; 4]).unwrap_or_else(|e| panic!("{e}"));
        // Targets below: 3, 6, 9. Achievable: 1 (t=1), 2 (t=2), 10 (t=3), 11 (t=4).
        // Best strictly increasing: t = 1, 2, 3 → |1−3| + |2−6| + |10−9| = 7
        // (t = 2, 3, 4 → 1 + 4 + 2 = 7 as well; the lower thresholds win).
        assert_eq!(c.thresholds, vec![1.0, 2.0, 3.0]);
        assert_eq!(c.counts, vec![1, 1, 8, 2]);
    }

    proptest! {
        #[test]
        fn window_matches_full_programme(
            groups in proptest::collection::vec(prop_oneof![1usize..4, 10usize..40], 2..40),
            raw in proptest::collection::vec(prop_oneof![Just(0.0), 0.0f64..1.0], 2..8),
        ) {
            let k = raw.len().min(groups.len());
            let mut below = Vec::new();
            let mut acc = 0;
            for g in &groups {
                below.push(acc);
                acc += g;
            }
            let n = acc as f64;
            let total: f64 = raw.iter().sum::<f64>() + 1e-9;
            let mut cum = 0.0;
            let targets: Vec<f64> = raw[..k - 1].iter().map(|s| { cum += s; n * cum / total }).collect();
            let windowed = choose_thresholds(&below, &targets, candidate_window(&below, &targets));
            let all = full(&below, &targets);
            prop_assert!(windowed.windows(2).all(|w| w[0] < w[1]));
            prop_assert!((total_cost(&below, &targets, &windowed) - total_cost(&below, &targets, &all)).abs() < 1e-9);
            prop_assert_eq!(windowed, all);
        }
    }
}
