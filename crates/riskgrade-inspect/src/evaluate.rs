//! How well classes and scores target problems: detection rate per class, lift, AUC, KS and Gini.
//!
//! These are the outcome checks regulators run on a classification (Binzhou set its weights after
//! checking them against past inspection results): the detection rate should rise from the least to
//! the most risky class, and the score should rank enterprises with problems above those without.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The result of one inspection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Enterprise id.
    pub enterprise: String,
    /// Its class when it was drawn (e.g. `C`).
    pub class: String,
    /// Its score when it was drawn, if graded.
    pub score: Option<f64>,
    /// Whether the inspection found a problem ("not reachable" and "refused" are the caller's call).
    pub problem: bool,
}

/// Inspections and problems found in one class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassRate {
    /// The class.
    pub class: String,
    /// Inspections of enterprises in the class.
    pub inspected: u64,
    /// Inspections that found a problem.
    pub problems: u64,
    /// `problems / inspected`; `None` when nothing was inspected.
    pub detection_rate: Option<f64>,
    /// Detection rate over the overall detection rate; `None` when either is undefined or the
    /// overall rate is 0.
    pub lift: Option<f64>,
}

/// How well a classification and its score targeted problems.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The classes in the given order, least risky first.
    pub classes: Vec<ClassRate>,
    /// Classes seen in the outcomes but missing from the given order, in order of first appearance.
    /// They count in the totals and the scores but not in [`Evaluation::monotone`].
    pub unlisted: Vec<ClassRate>,
    /// Whether the detection rate never falls from one class to the next riskier one, skipping
    /// classes with no inspections. It says nothing about how strongly they differ: see the lifts.
    pub monotone: bool,
    /// All inspections.
    pub inspected: u64,
    /// All inspections that found a problem.
    pub problems: u64,
    /// Overall detection rate; `None` when nothing was inspected.
    pub detection_rate: Option<f64>,
    /// Inspections with a finite score, the ones AUC, KS and Gini are computed on.
    pub scored: u64,
    /// Probability that a random problem outscores (is riskier than) a random non-problem, ties ½.
    pub auc: Option<f64>,
    /// Kolmogorov–Smirnov statistic: max |TPR − FPR| over thresholds between distinct scores.
    pub ks: Option<f64>,
    /// `2·AUC − 1`.
    pub gini: Option<f64>,
}

/// Evaluates inspection outcomes against the class order (least risky first) and the score direction.
///
/// AUC, KS and Gini use the outcomes with a finite score and are `None` unless there is at least
/// one problem and one non-problem among them.
///
/// ```
/// use riskgrade_inspect::{evaluate, Outcome};
///
/// let outcome = |class: &str, score: f64, problem: bool| Outcome {
///     enterprise: format!("{class}{score}"),
///     class: class.into(),
///     score: Some(score),
///     problem,
/// };
/// let outcomes = [
///     outcome("A", 0.1, false),
///     outcome("A", 0.4, false),
///     outcome("B", 0.35, true),
///     outcome("B", 0.8, true),
/// ];
/// let classes = ["A".to_string(), "B".to_string()];
/// let e = evaluate(&outcomes, &classes, true);
/// assert_eq!(e.classes[1].detection_rate, Some(1.0));
/// assert_eq!(e.classes[1].lift, Some(2.0));
/// assert!(e.monotone);
/// assert_eq!(e.auc, Some(0.75));
/// assert_eq!(e.ks, Some(0.5));
/// ```
pub fn evaluate(outcomes: &[Outcome], classes: &[String], higher_is_riskier: bool) -> Evaluation {
    let mut rows: Vec<ClassRate> = classes.iter().map(|c| ClassRate::new(c)).collect();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, c) in classes.iter().enumerate() {
        index.entry(c).or_insert(i);
    }
    for o in outcomes {
        let i = *index.entry(&o.class).or_insert_with(|| {
            rows.push(ClassRate::new(&o.class));
            rows.len() - 1
        });
        rows[i].inspected += 1;
        rows[i].problems += u64::from(o.problem);
    }
    let mut listed = rows;
    let mut unlisted = listed.split_off(classes.len());
    let inspected = outcomes.len() as u64;
    let problems = outcomes.iter().filter(|o| o.problem).count() as u64;
    let detection_rate = rate(problems, inspected);
    for c in listed.iter_mut().chain(unlisted.iter_mut()) {
        c.detection_rate = rate(c.problems, c.inspected);
        c.lift = match (c.detection_rate, detection_rate) {
            (Some(r), Some(all)) => lift_over_uniform(r, all),
            _ => None,
        };
    }
    let rates: Vec<f64> = listed.iter().filter_map(|c| c.detection_rate).collect();
    let monotone = rates.windows(2).all(|w| w[0] <= w[1]);

    let sign = if higher_is_riskier { 1.0 } else { -1.0 };
    let scored: Vec<(f64, bool)> = outcomes
        .iter()
        .filter_map(|o| {
            o.score
                .filter(|s| s.is_finite())
                .map(|s| (sign * s, o.problem))
        })
        .collect();
    let (auc, ks) = match auc_ks(&scored) {
        Some((auc, ks)) => (Some(auc), Some(ks)),
        None => (None, None),
    };
    Evaluation {
        classes: listed,
        unlisted,
        monotone,
        inspected,
        problems,
        detection_rate,
        scored: scored.len() as u64,
        auc,
        ks,
        gini: auc.map(|a| 2.0 * a - 1.0),
    }
}

/// Lift of a targeted plan over uniform random sampling: `targeted_rate / base_rate`, where the
/// base rate is the population's rate of problems (what uniform sampling finds on average).
///
/// `None` when the base rate is not positive or either rate is not finite. A lift of 2 means
/// uniform sampling needs twice the inspections to find as many problems (Beijing: 50% fewer).
pub fn lift_over_uniform(targeted_rate: f64, base_rate: f64) -> Option<f64> {
    (targeted_rate.is_finite() && base_rate.is_finite() && base_rate > 0.0)
        .then(|| targeted_rate / base_rate)
}

impl Evaluation {
    /// Whether the detection rate rises from the least to the most risky class: `None` when
    /// fewer than two listed classes have inspections, since nothing can be said then (unlike
    /// [`Evaluation::monotone`], which is vacuously true).
    ///
    /// ```
    /// use riskgrade_inspect::evaluate;
    /// let e = evaluate(&[], &["A".to_string(), "B".to_string()], true);
    /// assert_eq!(e.rising(), None);
    /// assert!(e.to_string().contains("rising from least to most risky: - (fewer than two"));
    /// ```
    pub fn rising(&self) -> Option<bool> {
        let rated = self.classes.iter().filter(|c| c.inspected > 0).count();
        (rated >= 2).then_some(self.monotone)
    }
}

impl ClassRate {
    fn new(class: &str) -> Self {
        Self {
            class: class.to_string(),
            inspected: 0,
            problems: 0,
            detection_rate: None,
            lift: None,
        }
    }
}

fn rate(problems: u64, inspected: u64) -> Option<f64> {
    (inspected > 0).then(|| problems as f64 / inspected as f64)
}

/// AUC (Mann–Whitney, ties ½) and KS of `(riskiness, problem)` pairs: one sort, then one pass over
/// groups of equal riskiness from the riskiest down.
fn auc_ks(scored: &[(f64, bool)]) -> Option<(f64, f64)> {
    let positives = scored.iter().filter(|(_, p)| *p).count() as u64;
    let negatives = scored.len() as u64 - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut sorted = scored.to_vec();
    // Riskiest first; finite values only, so partial_cmp never fails (and 0.0 == -0.0 ties).
    sorted.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(Ordering::Equal));
    // Twice the Mann–Whitney U, kept exact in integers: each (problem, non-problem) pair counts
    // 2 when the problem is riskier and 1 when they tie.
    let mut twice_u: u128 = 0;
    let (mut tp, mut fp) = (0_u64, 0_u64);
    let mut ks: f64 = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let (mut p, mut n) = (0_u64, 0_u64);
        let value = sorted[i].0;
        while i < sorted.len() && sorted[i].0 == value {
            if sorted[i].1 {
                p += 1
            } else {
                n += 1
            }
            i += 1;
        }
        // The group's problems beat every non-problem below; the ones above (fp) beat them.
        let below = negatives - fp - n;
        twice_u += 2 * u128::from(p) * u128::from(below) + u128::from(p) * u128::from(n);
        tp += p;
        fp += n;
        let tpr = tp as f64 / positives as f64;
        let fpr = fp as f64 / negatives as f64;
        ks = ks.max((tpr - fpr).abs());
    }
    let auc = twice_u as f64 / (2.0 * positives as f64 * negatives as f64);
    Some((auc, ks))
}

fn fmt_opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map_or_else(|| "-".to_string(), f)
}

impl fmt::Display for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<8} {:>10} {:>9} {:>9} {:>6}",
            "class", "inspected", "problems", "rate", "lift"
        )?;
        let row = |f: &mut fmt::Formatter<'_>, c: &ClassRate| {
            writeln!(
                f,
                "{:<8} {:>10} {:>9} {:>9} {:>6}",
                c.class,
                c.inspected,
                c.problems,
                fmt_opt(c.detection_rate, |r| format!("{:.2}%", 100.0 * r)),
                fmt_opt(c.lift, |l| format!("{l:.2}")),
            )
        };
        for c in self.classes.iter().chain(&self.unlisted) {
            row(f, c)?;
        }
        let all = ClassRate {
            class: "all".into(),
            inspected: self.inspected,
            problems: self.problems,
            detection_rate: self.detection_rate,
            lift: self.detection_rate.map(|_| 1.0),
        };
        row(f, &all)?;
        let rising = match self.rising() {
            Some(true) => "yes",
            Some(false) => "no",
            None => "- (fewer than two classes with inspections)",
        };
        writeln!(f, "rising from least to most risky: {rising}")?;
        let stat = |v: Option<f64>| fmt_opt(v, |x| format!("{x:.3}"));
        writeln!(f, "AUC  {} ({} scored)", stat(self.auc), self.scored)?;
        writeln!(f, "KS   {}", stat(self.ks))?;
        writeln!(f, "Gini {}", stat(self.gini))
    }
}
