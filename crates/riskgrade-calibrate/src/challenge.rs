//! Champion against challenger: the model in force and a candidate on the same enterprises and
//! the same inspection outcomes, in one report.

use std::collections::HashMap;
use std::fmt;

use riskgrade_engine::Grades;
use riskgrade_inspect::{Evaluation, Outcome, evaluate};

use riskgrade_engine::{CompareError, Comparison, compare, psi, psi_band};

/// The champion (the model in force) and a challenger graded on the same enterprises and judged
/// on the same inspection outcomes: see [`challenge`].
#[derive(Debug, Clone)]
pub struct Challenge {
    /// Class migration from the champion's classes to the challenger's, and the movers.
    pub comparison: Comparison,
    /// Detection rate per class, AUC, KS and Gini of the champion's classes and scores.
    pub champion: Evaluation,
    /// The same for the challenger.
    pub challenger: Evaluation,
    /// PSI between the two class distributions of the whole batch.
    pub class_psi: f64,
    /// PSI of the challenger's scores against the champion's deciles, when both grade every row
    /// on the same scale.
    pub score_psi: Option<f64>,
    /// Outcomes that matched a graded enterprise.
    pub matched: usize,
    /// Outcomes whose enterprise is not in the batch, or was not graded on a side.
    pub unmatched: usize,
}

fn evaluation(g: &Grades, outcomes: &[(String, bool)]) -> (Evaluation, usize) {
    let at: HashMap<&str, usize> = (0..g.len()).map(|r| (g.id(r), r)).collect();
    let mut rows = Vec::with_capacity(outcomes.len());
    for (id, problem) in outcomes {
        let Some(&r) = at.get(id.as_str()) else {
            continue;
        };
        let Some(class) = g.class(r) else {
            continue;
        };
        rows.push(Outcome {
            enterprise: id.clone(),
            class: class.to_string(),
            score: g.score(r),
            problem: *problem,
        });
    }
    let set = g.model_set();
    let mut classes: Vec<String> = Vec::new();
    for m in set.models() {
        for c in m.classes().names() {
            if !classes.contains(c) {
                classes.push(c.clone());
            }
        }
    }
    let risky = set
        .models()
        .first()
        .is_none_or(|m| m.scale().higher == riskgrade_model::Direction::Risk);
    let n = rows.len();
    (evaluate(&rows, &classes, risky), n)
}

/// Compares the champion's grades with a challenger's on the same batch (same enterprises in the
/// same order) and judges both on inspection outcomes (enterprise id, problem found): class
/// migration and movers, detection rate per class, AUC, KS and Gini side by side, and the PSI of
/// the class distribution (and of the score, when both use one scale).
///
/// The outcomes are those of inspections already made — usually drawn by the champion's classes
/// — so they favour neither side's scores, but a challenger's class that the champion rarely
/// inspected has few outcomes: read the counts beside the rates.
///
/// # Errors
/// [`CompareError::DifferentRows`] when the batches hold different enterprises.
///
/// ```
/// use std::sync::Arc;
/// use riskgrade_calibrate::challenge;
/// use riskgrade_engine::{Grader, Options};
/// use riskgrade_synth as synth;
///
/// let as_of = "2026-11-01".parse()?;
/// let population = synth::generate(&synth::SynthConfig::new(2_000, 7, as_of));
/// let grader = Grader::new(Arc::new(riskgrade_model::examples::reference()?));
/// let with_rules = grader.grade_profiles(&population.enterprises, as_of, &Options::default())?;
/// let without = grader.grade_profiles(&population.enterprises, as_of, &Options::default().rules(false))?;
/// // Inspections of every tenth enterprise; a problem where the hidden risk is high.
/// let outcomes: Vec<(String, bool)> = population.truth.iter().step_by(10)
///     .map(|t| (t.id.clone(), t.propensity > 0.3)).collect();
/// let report = challenge(&with_rules, &without, &outcomes)?;
/// assert_eq!(report.matched, 200);
/// println!("{report}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn challenge(
    champion: &Grades,
    challenger: &Grades,
    outcomes: &[(String, bool)],
) -> Result<Challenge, CompareError> {
    let comparison = compare(champion, challenger)?;
    let (ce, matched_a) = evaluation(champion, outcomes);
    let (he, matched_b) = evaluation(challenger, outcomes);
    let matched = matched_a.min(matched_b);
    let k = comparison.classes().len();
    let (before, after) = (comparison.counts_before(), comparison.counts_after());
    let (nb, na) = (
        before[..k].iter().sum::<usize>() as f64,
        after[..k].iter().sum::<usize>() as f64,
    );
    let class_psi = if nb > 0.0 && na > 0.0 {
        (0..k)
            .map(|c| {
                let p = (before[c] as f64 / nb).max(1e-4);
                let q = (after[c] as f64 / na).max(1e-4);
                (q - p) * (q / p).ln()
            })
            .sum()
    } else {
        0.0
    };
    let scale = |g: &Grades| {
        let mut scales = g.model_set().models().iter().map(|m| m.scale().clone());
        let first = scales.next()?;
        scales.all(|s| s == first).then_some(first)
    };
    let score_psi = match (scale(champion), scale(challenger)) {
        (Some(a), Some(b)) if a == b => {
            let sa: Vec<f64> = (0..champion.len())
                .map(|r| champion.score(r).unwrap_or(f64::NAN))
                .collect();
            let sb: Vec<f64> = (0..challenger.len())
                .map(|r| challenger.score(r).unwrap_or(f64::NAN))
                .collect();
            Some(psi(&sa, &sb))
        }
        _ => None,
    };
    Ok(Challenge {
        comparison: comparison.labels("champion", "challenger"),
        champion: ce,
        challenger: he,
        class_psi,
        score_psi,
        matched,
        unmatched: outcomes.len() - matched,
    })
}

impl Challenge {
    /// Replaces the comparison (e.g. one with labels, industries or another `top`).
    pub fn with_comparison(mut self, comparison: Comparison) -> Self {
        self.comparison = comparison;
        self
    }
}

impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.comparison)?;
        write!(
            f,
            "stability: class PSI {:.4} ({})",
            self.class_psi,
            psi_band(self.class_psi)
        )?;
        if let Some(p) = self.score_psi {
            write!(f, ", score PSI {p:.4} ({})", psi_band(p))?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "\noutcomes: {} inspections of graded enterprises{}",
            self.matched,
            if self.unmatched > 0 {
                format!(
                    " ({} others not in the batch or not graded)",
                    self.unmatched
                )
            } else {
                String::new()
            }
        )?;
        crate::write_before_after(
            f,
            &self.champion,
            &self.challenger,
            ("champion", "challenger"),
        )
    }
}
