//! Inspections against problems found, risk-based against uniform random sampling, on a population
//! whose true risk is known.
//!
//! Everything except [`simulate_draws`] is an exact expectation: an inspection of an enterprise finds
//! a problem with its propensity, so the expected problems found are the sum of the propensities
//! inspected. Uniform random sampling finds `k × mean propensity` in `k` inspections.

use std::collections::HashMap;
use std::fmt;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use riskgrade_core::display::{self, Align};
use serde::{Deserialize, Serialize};

use crate::evaluate::lift_over_uniform;

/// An enterprise of a synthetic population whose true risk is known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truthful {
    /// Enterprise id.
    pub id: String,
    /// Its class (e.g. `B`).
    pub class: String,
    /// Its score; a NaN score counts as the least risky.
    pub score: f64,
    /// True probability that an inspection finds a problem, in (0, 1).
    pub propensity: f64,
}

/// Expected problems found against the number of inspections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Curves {
    /// Numbers of inspections `k`, rising from 0 to N.
    pub inspections: Vec<u64>,
    /// Expected problems when inspecting the `k` riskiest by score (ties drawn at random).
    pub risk_based: Vec<f64>,
    /// Expected problems when inspecting `k` enterprises uniformly at random.
    pub uniform: Vec<f64>,
}

/// Expected problems found against inspections, risk-based and uniform, at `points.max(2)` evenly
/// spaced numbers of inspections from 0 to N (fewer when N + 1 is smaller).
///
/// Risk-based inspects in order of riskiness by score; within a group of equal scores it draws at
/// random, so a partly inspected group contributes its mean propensity per inspection.
pub fn targeting_curves(pop: &[Truthful], higher_is_riskier: bool, points: usize) -> Curves {
    let n = pop.len() as u64;
    let sign = if higher_is_riskier { 1.0 } else { -1.0 };
    let mut ranked: Vec<(f64, f64)> = pop
        .iter()
        .map(|t| {
            let risk = if t.score.is_nan() {
                f64::NEG_INFINITY
            } else {
                sign * t.score
            };
            (risk, t.propensity)
        })
        .collect();
    // Riskiest first; NaN was mapped away, so partial_cmp never fails.
    ranked.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    // Groups of equal riskiness: (start, end, cumulative propensity before and after, mean).
    let mut groups: Vec<(u64, u64, f64, f64, f64)> = Vec::new();
    let (mut i, mut cumulative) = (0, 0.0);
    while i < ranked.len() {
        let start = i;
        let mut sum = 0.0;
        while i < ranked.len() && ranked[i].0 == ranked[start].0 {
            sum += ranked[i].1;
            i += 1;
        }
        let before = cumulative;
        cumulative += sum;
        groups.push((
            start as u64,
            i as u64,
            before,
            cumulative,
            sum / (i - start) as f64,
        ));
    }
    let total = cumulative;
    let steps = points.max(2) as u64 - 1;
    let mut inspections: Vec<u64> = (0..=steps).map(|j| (j * n + steps / 2) / steps).collect();
    inspections.dedup();
    let mut risk_based = Vec::with_capacity(inspections.len());
    let mut g = 0;
    for &k in &inspections {
        while g < groups.len() && groups[g].1 < k {
            g += 1;
        }
        risk_based.push(match groups.get(g) {
            Some(&(_, end, _, after, _)) if end == k => after,
            Some(&(start, _, before, _, mean)) => before + (k - start) as f64 * mean,
            None => 0.0,
        });
    }
    let uniform = inspections
        .iter()
        .map(|&k| {
            if n == 0 {
                0.0
            } else {
                total * k as f64 / n as f64
            }
        })
        .collect();
    Curves {
        inspections,
        risk_based,
        uniform,
    }
}

/// What a plan inspects and finds in one class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassPlan {
    /// The class.
    pub class: String,
    /// Enterprises in the class.
    pub enterprises: u64,
    /// Share inspected, clamped to [0, 1] (0 when the plan does not name the class).
    pub ratio: f64,
    /// Expected inspections: `ratio × enterprises`.
    pub inspections: f64,
    /// Expected problems found: `ratio × Σ propensity`.
    pub expected_problems: f64,
    /// Detection rate in the class (its mean propensity); `None` when it is empty.
    pub detection_rate: Option<f64>,
}

/// A plan against uniform random sampling of the whole population.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanComparison {
    /// Per class: the plan's classes in order, then classes it does not name.
    pub classes: Vec<ClassPlan>,
    /// Enterprises in the population.
    pub enterprises: u64,
    /// Expected inspections of the plan.
    pub inspections: f64,
    /// Expected problems the plan finds.
    pub expected_problems: f64,
    /// Inspections uniform sampling needs to find as many: `expected_problems / mean propensity`.
    pub uniform_inspections_for_same_problems: f64,
    /// `1 − inspections / uniform_inspections_for_same_problems`; 0 when nothing is found.
    pub saving: f64,
    /// `uniform_inspections_for_same_problems − inspections`.
    pub inspections_saved_at_same_problems: f64,
    /// Expected problems uniform sampling finds with the plan's inspections.
    pub uniform_problems_at_same_inspections: f64,
    /// `expected_problems / inspections`; 0 when the plan inspects nobody.
    pub detection_rate_plan: f64,
    /// The population's mean propensity, the detection rate of uniform sampling.
    pub detection_rate_uniform: f64,
    /// `detection_rate_plan / detection_rate_uniform`; `saving = 1 − 1/lift`.
    pub lift: Option<f64>,
}

/// Compares a plan of class ratios with uniform random sampling that finds as many problems.
///
/// The plan inspects `ratio × N_class` enterprises of each class, drawn uniformly within the class.
///
/// ```
/// use riskgrade_inspect::{plan_vs_uniform, Truthful};
///
/// let firm = |id: &str, class: &str, propensity: f64| Truthful {
///     id: id.into(),
///     class: class.into(),
///     score: propensity,
///     propensity,
/// };
/// let pop = [firm("1", "A", 0.1), firm("2", "A", 0.1), firm("3", "A", 0.1), firm("4", "D", 0.9)];
/// let ratios = [("A".to_string(), 1.0 / 3.0), ("D".to_string(), 1.0)];
/// let c = plan_vs_uniform(&pop, &ratios);
/// assert!((c.inspections - 2.0).abs() < 1e-12);
/// assert!((c.expected_problems - 1.0).abs() < 1e-12);
/// // Uniform sampling finds 0.3 a visit, so it needs 10/3 visits for the same problem.
/// assert!((c.uniform_inspections_for_same_problems - 10.0 / 3.0).abs() < 1e-12);
/// assert!((c.saving - 0.4).abs() < 1e-12);
/// ```
pub fn plan_vs_uniform(pop: &[Truthful], ratios: &[(String, f64)]) -> PlanComparison {
    let (classes, _) = class_plans(pop, ratios);
    let enterprises = pop.len() as u64;
    let total: f64 = pop.iter().map(|t| t.propensity).sum();
    let mean = if enterprises == 0 {
        0.0
    } else {
        total / enterprises as f64
    };
    let inspections: f64 = classes.iter().map(|c| c.inspections).sum();
    let expected_problems: f64 = classes.iter().map(|c| c.expected_problems).sum();
    let uniform = if mean > 0.0 {
        expected_problems / mean
    } else {
        0.0
    };
    let detection_rate_plan = if inspections > 0.0 {
        expected_problems / inspections
    } else {
        0.0
    };
    PlanComparison {
        classes,
        enterprises,
        inspections,
        expected_problems,
        uniform_inspections_for_same_problems: uniform,
        saving: if uniform > 0.0 {
            1.0 - inspections / uniform
        } else {
            0.0
        },
        inspections_saved_at_same_problems: uniform - inspections,
        uniform_problems_at_same_inspections: inspections * mean,
        detection_rate_plan,
        detection_rate_uniform: mean,
        lift: lift_over_uniform(detection_rate_plan, mean),
    }
}

/// The plan per class, in the plan's order then the population's, with each class's propensities.
fn class_plans(pop: &[Truthful], ratios: &[(String, f64)]) -> (Vec<ClassPlan>, Vec<Vec<f64>>) {
    let mut plans: Vec<ClassPlan> = Vec::new();
    let mut members: Vec<Vec<f64>> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let named = ratios.iter().map(|(c, r)| {
        (
            c,
            if r.is_finite() {
                r.clamp(0.0, 1.0)
            } else {
                0.0
            },
        )
    });
    let unnamed = pop.iter().map(|t| (&t.class, 0.0));
    for (class, ratio) in named.chain(unnamed) {
        index.entry(class).or_insert_with(|| {
            plans.push(ClassPlan {
                class: class.clone(),
                enterprises: 0,
                ratio,
                inspections: 0.0,
                expected_problems: 0.0,
                detection_rate: None,
            });
            members.push(Vec::new());
            plans.len() - 1
        });
    }
    for t in pop {
        if let Some(&i) = index.get(t.class.as_str()) {
            members[i].push(t.propensity);
        }
    }
    for (plan, props) in plans.iter_mut().zip(&members) {
        let (n, sum) = (props.len() as f64, props.iter().sum::<f64>());
        plan.enterprises = props.len() as u64;
        plan.inspections = plan.ratio * n;
        plan.expected_problems = plan.ratio * sum;
        plan.detection_rate = (n > 0.0).then(|| sum / n);
    }
    (plans, members)
}

/// Monte-Carlo check of [`plan_vs_uniform`]: `runs` draws of the plan with ChaCha8 seeded by `seed`,
/// each realising every inspection's outcome as a Bernoulli trial. Returns the mean and the sample
/// standard deviation of the problems found per run ((0, 0) when `runs` is 0).
///
/// A class with ratio `r` and `n` enterprises gets `⌊r·n⌋` inspections, plus one with probability
/// equal to the fractional part, so the expected count is exactly `r·n`.
pub fn simulate_draws(
    pop: &[Truthful],
    ratios: &[(String, f64)],
    runs: usize,
    seed: u64,
) -> (f64, f64) {
    let (plans, members) = class_plans(pop, ratios);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut totals = Vec::with_capacity(runs);
    for _ in 0..runs {
        let mut found = 0_u64;
        for (plan, props) in plans.iter().zip(&members) {
            let target = plan.ratio * props.len() as f64;
            let mut m = target.floor() as usize;
            if rng.random::<f64>() < target - target.floor() {
                m += 1;
            }
            let m = m.min(props.len());
            for i in rand::seq::index::sample(&mut rng, props.len(), m) {
                found += u64::from(rng.random::<f64>() < props[i]);
            }
        }
        totals.push(found as f64);
    }
    if totals.is_empty() {
        return (0.0, 0.0);
    }
    let mean = totals.iter().sum::<f64>() / totals.len() as f64;
    let std = if totals.len() < 2 {
        0.0
    } else {
        let ss: f64 = totals.iter().map(|x| (x - mean).powi(2)).sum();
        (ss / (totals.len() - 1) as f64).sqrt()
    };
    (mean, std)
}

const BAR: usize = 30;

fn bar(value: f64, max: f64) -> String {
    let len = if max > 0.0 {
        (value / max * BAR as f64).round().clamp(0.0, BAR as f64) as usize
    } else {
        0
    };
    "#".repeat(len)
}

impl fmt::Display for Curves {
    /// An ASCII chart of at most 11 rows (evenly spread over the points): inspections → expected
    /// problems found, risk-based and uniform, with bars scaled to the largest value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = self.inspections.len();
        let max = self
            .risk_based
            .iter()
            .chain(&self.uniform)
            .fold(0.0_f64, |m, &v| m.max(v));
        writeln!(
            f,
            "expected problems found: risk-based against uniform random"
        )?;
        let header = format!(
            "{:>11}  {:>10} {}  {:>10}",
            "inspections",
            "risk-based",
            display::pad("", BAR, Align::Left),
            "uniform"
        );
        writeln!(f, "{}", header.trim_end())?;
        let rows = len.min(11);
        let mut last = None;
        for j in 0..rows {
            let i = if rows < 2 {
                0
            } else {
                (j * (len - 1) + (rows - 1) / 2) / (rows - 1)
            };
            if last == Some(i) {
                continue;
            }
            last = Some(i);
            let (rb, un) = (self.risk_based[i], self.uniform[i]);
            let line = format!(
                "{:>11}  {rb:>10.1} {}  {un:>10.1} {}",
                self.inspections[i],
                display::pad(&bar(rb, max), BAR, Align::Left),
                bar(un, max)
            );
            writeln!(f, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

impl fmt::Display for PlanComparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header = [
            "class",
            "enterprises",
            "ratio",
            "inspections",
            "problems",
            "rate",
        ];
        writeln!(
            f,
            "{:<8} {:>11} {:>7} {:>11} {:>9} {:>7}",
            header[0], header[1], header[2], header[3], header[4], header[5]
        )?;
        for c in &self.classes {
            let rate = c
                .detection_rate
                .map_or_else(|| "-".into(), |r| format!("{:.1}%", 100.0 * r));
            writeln!(
                f,
                "{:<8} {:>11} {:>6.1}% {:>11.1} {:>9.1} {:>7}",
                c.class,
                c.enterprises,
                100.0 * c.ratio,
                c.inspections,
                c.expected_problems,
                rate
            )?;
        }
        writeln!(
            f,
            "{:<8} {:>11} {:>7} {:>11.1} {:>9.1} {:>6.1}%",
            "plan",
            self.enterprises,
            "",
            self.inspections,
            self.expected_problems,
            100.0 * self.detection_rate_plan
        )?;
        writeln!(
            f,
            "uniform random sampling (rate {:.1}%) needs {:.1} inspections to find {:.1} problems",
            100.0 * self.detection_rate_uniform,
            self.uniform_inspections_for_same_problems,
            self.expected_problems
        )?;
        let lift = self.lift.map_or_else(|| "-".into(), |l| format!("{l:.2}"));
        let (change, word) = if self.saving >= 0.0 {
            (self.saving, "fewer")
        } else {
            (-self.saving, "more")
        };
        writeln!(
            f,
            "the plan needs {:.1}: {:.1}% {word} ({:.1} inspections saved), lift {lift}",
            self.inspections,
            100.0 * change,
            self.inspections_saved_at_same_problems
        )?;
        writeln!(
            f,
            "(in expectation, from the plan's nominal ratios: forced tasks from alerts and labels, \
             minimums due and exclusions are left out; `riskgrade inspections year` gives the \
             like-for-like figure on the year's real draws)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn firm(class: &str, score: f64, propensity: f64) -> Truthful {
        Truthful {
            id: format!("{class}{score}"),
            class: class.into(),
            score,
            propensity,
        }
    }

    fn ratios(r: &[(&str, f64)]) -> Vec<(String, f64)> {
        r.iter().map(|(c, x)| (c.to_string(), *x)).collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn curves_on_a_tiny_population() {
        let pop = [
            firm("B", 0.3, 0.25),
            firm("D", 0.9, 0.75),
            firm("A", 0.1, 0.125),
            firm("C", 0.7, 0.5),
        ];
        let c = targeting_curves(&pop, true, 5);
        assert_eq!(c.inspections, [0, 1, 2, 3, 4]);
        assert_eq!(c.risk_based, [0.0, 0.75, 1.25, 1.5, 1.625]);
        assert_eq!(c.uniform, [0.0, 0.40625, 0.8125, 1.21875, 1.625]);
        // Lower is riskier: the least propensity first.
        let c = targeting_curves(&pop, false, 5);
        assert_eq!(c.risk_based, [0.0, 0.125, 0.375, 0.875, 1.625]);
        // Equal scores are drawn at random: each inspection of the group finds its mean.
        let tied = [
            firm("D", 0.9, 0.75),
            firm("D", 0.9, 0.25),
            firm("C", 0.5, 0.5),
        ];
        assert_eq!(
            targeting_curves(&tied, true, 4).risk_based,
            [0.0, 0.5, 1.0, 1.5]
        );
        assert_eq!(targeting_curves(&pop, true, 3).inspections, [0, 2, 4]);
        assert_eq!(targeting_curves(&pop[..2], true, 5).inspections, [0, 1, 2]);
        assert_eq!(targeting_curves(&[], true, 5).risk_based, [0.0]);
    }

    #[test]
    fn plan_on_a_tiny_population() {
        let mut pop = Vec::new();
        for (class, n, p) in [
            ("A", 4, 0.125),
            ("B", 4, 0.25),
            ("C", 2, 0.5),
            ("D", 2, 0.75),
        ] {
            pop.extend((0..n).map(|i| firm(class, f64::from(i), p)));
        }
        let plan = ratios(&[("A", 0.25), ("B", 0.5), ("C", 1.0), ("D", 1.0), ("E", 0.5)]);
        let c = plan_vs_uniform(&pop, &plan);
        // 1 + 2 + 2 + 2 inspections find 0.125 + 0.5 + 1 + 1.5; uniform finds 4/12 a visit.
        assert_eq!(
            (c.enterprises, c.inspections, c.expected_problems),
            (12, 7.0, 3.125)
        );
        assert!(close(c.detection_rate_uniform, 1.0 / 3.0));
        assert!(close(c.uniform_inspections_for_same_problems, 9.375));
        assert!(close(c.saving, 1.0 - 7.0 / 9.375));
        assert!(close(c.inspections_saved_at_same_problems, 2.375));
        assert!(close(c.uniform_problems_at_same_inspections, 7.0 / 3.0));
        assert!(close(c.detection_rate_plan, 3.125 / 7.0));
        assert!(close(c.lift.unwrap(), 3.0 * 3.125 / 7.0));
        assert!(close(c.saving, 1.0 - 1.0 / c.lift.unwrap()));
        let per: Vec<_> = c
            .classes
            .iter()
            .map(|k| (k.class.as_str(), k.enterprises, k.inspections))
            .collect();
        assert_eq!(
            per,
            [
                ("A", 4, 1.0),
                ("B", 4, 2.0),
                ("C", 2, 2.0),
                ("D", 2, 2.0),
                ("E", 0, 0.0)
            ]
        );
        assert_eq!(c.classes[3].expected_problems, 1.5);
        assert_eq!(c.classes[3].detection_rate, Some(0.75));
        assert_eq!(c.classes[4].detection_rate, None);

        // Unnamed classes are not inspected; ratios are clamped to [0, 1].
        pop.push(firm("X", 0.0, 0.5));
        let c = plan_vs_uniform(&pop, &ratios(&[("A", 2.0), ("B", f64::NAN)]));
        let per: Vec<_> = c
            .classes
            .iter()
            .map(|k| (k.class.as_str(), k.ratio))
            .collect();
        assert_eq!(
            per,
            [("A", 1.0), ("B", 0.0), ("C", 0.0), ("D", 0.0), ("X", 0.0)]
        );
        assert_eq!((c.inspections, c.expected_problems), (4.0, 0.5));
        assert_eq!(plan_vs_uniform(&[], &plan).saving, 0.0);
    }

    #[test]
    fn a_plan_that_inspects_the_safest_most_says_more_not_a_negative_fewer() {
        let mut pop = Vec::new();
        for (class, n, p) in [("A", 5_000, 0.02), ("D", 1_000, 0.4)] {
            pop.extend((0..n).map(|i| firm(class, f64::from(i), p)));
        }
        let c = plan_vs_uniform(&pop, &ratios(&[("A", 0.3), ("D", 0.01)]));
        assert!(c.saving < 0.0, "{c}");
        let text = c.to_string();
        assert!(
            text.contains("% more (") && !text.contains("fewer"),
            "{text}"
        );
    }

    #[test]
    fn henan_ratios_on_an_ordered_population_save_inspections() {
        // Dandong's class sizes, Henan 2021 ratios, detection rates rising from A to D.
        let mut pop = Vec::new();
        for (class, n, p) in [
            ("A", 31_107, 0.02),
            ("B", 12_044, 0.05),
            ("C", 3_682, 0.15),
            ("D", 721, 0.4),
        ] {
            pop.extend((0..n).map(|i| firm(class, f64::from(i), p)));
        }
        let plan = ratios(&[("A", 0.01), ("B", 0.02), ("C", 0.1), ("D", 0.3)]);
        let c = plan_vs_uniform(&pop, &plan);
        assert!(c.saving > 0.5, "{c}");
        let text = c.to_string();
        assert!(
            text.contains("fewer") && text.contains("nominal ratios") && text.lines().count() == 9,
            "{text}"
        );

        let (mean, std) = simulate_draws(&pop, &plan, 400, 7);
        assert!(
            (mean - c.expected_problems).abs() < 4.0 * std / 20.0,
            "{mean} ± {std} vs {}",
            c.expected_problems
        );
        assert_eq!(
            simulate_draws(&pop, &plan, 400, 7),
            (mean, std),
            "same seed, same draws"
        );
        assert_eq!(simulate_draws(&pop, &plan, 0, 7), (0.0, 0.0));
    }

    #[test]
    fn curves_chart_has_at_most_eleven_rows() {
        let pop: Vec<_> = (0..1000)
            .map(|i| firm("A", f64::from(i), f64::from(i) / 1000.0))
            .collect();
        let c = targeting_curves(&pop, true, 101);
        assert_eq!(c.inspections.len(), 101);
        let chart = c.to_string();
        let lines: Vec<&str> = chart.lines().collect();
        assert_eq!(lines.len(), 13, "{chart}");
        assert_eq!(
            lines[1],
            "inspections  risk-based                                    uniform"
        );
        assert_eq!(
            lines[2],
            "          0         0.0                                        0.0"
        );
        assert!(
            lines[7].starts_with("        500       374.8 #######################  "),
            "{chart}"
        );
        assert!(
            lines[12].ends_with("499.5 ##############################"),
            "{chart}"
        );
    }

    /// Enterprises whose score is their true propensity.
    fn population() -> impl Strategy<Value = Vec<Truthful>> {
        prop::collection::vec((0..4_usize, 0.001..0.999_f64), 1..60).prop_map(|v| {
            v.into_iter()
                .map(|(c, p)| firm(["A", "B", "C", "D"][c], p, p))
                .collect()
        })
    }

    proptest! {
        #[test]
        fn risk_based_never_trails_uniform(pop in population(), points in 2..30_usize) {
            let c = targeting_curves(&pop, true, points);
            for (r, u) in c.risk_based.iter().zip(&c.uniform) {
                prop_assert!(r + 1e-9 >= *u);
            }
            prop_assert_eq!((c.risk_based[0], c.uniform[0]), (0.0, 0.0));
            prop_assert!(close(*c.risk_based.last().unwrap(), *c.uniform.last().unwrap()));
            prop_assert_eq!(*c.inspections.last().unwrap(), pop.len() as u64);
        }

        #[test]
        fn coarse_scores_still_beat_uniform(pop in population()) {
            // Scores that keep the order but tie within quarters: ties are drawn at random.
            let pop: Vec<_> = pop.into_iter().map(|t| Truthful { score: (t.score * 4.0).floor(), ..t }).collect();
            let c = targeting_curves(&pop, true, 17);
            for (r, u) in c.risk_based.iter().zip(&c.uniform) {
                prop_assert!(r + 1e-9 >= *u);
            }
        }

        #[test]
        fn equal_ratios_save_nothing(pop in population(), r in 0.01..1.0_f64) {
            let c = plan_vs_uniform(&pop, &ratios(&[("A", r), ("B", r), ("C", r), ("D", r)]));
            prop_assert!(c.saving.abs() < 1e-9, "{}", c.saving);
        }

        #[test]
        fn rising_ratios_on_ordered_classes_save(
            sizes in prop::array::uniform4(1..50_u32),
            steps in prop::array::uniform4(0.01..0.2_f64),
            ratios_up in prop::array::uniform4(0.01..0.25_f64),
        ) {
            let mut pop = Vec::new();
            let (mut p, mut r, mut plan) = (0.0, 0.0, Vec::new());
            for (i, class) in ["A", "B", "C", "D"].iter().enumerate() {
                p += steps[i];
                r += ratios_up[i];
                pop.extend((0..sizes[i]).map(|j| firm(class, f64::from(j), p)));
                plan.push((class.to_string(), r));
            }
            prop_assert!(plan_vs_uniform(&pop, &plan).saving > 0.0);
        }
    }
}
