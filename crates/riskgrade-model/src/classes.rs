//! Classes and cut-offs: fixed score bands or target shares of the batch.
//!
//! Internally a score is turned into a *risk value* (the score itself on a
//! higher-is-riskier scale, its negation on a higher-is-safer one), so one rule
//! assigns classes in both directions: the class index is the number of
//! thresholds the risk value passes.

use crate::error::Problem;
use crate::spec::{ClassSpec, Direction, ScaleSpec};

/// How classes are cut.
#[derive(Debug, Clone, PartialEq)]
pub enum Cutoffs {
    /// Fixed thresholds in risk-value space, ascending, one fewer than classes.
    Bands(Vec<f64>),
    /// Target shares per class, summing to 1; thresholds come from each batch.
    Shares(Vec<f64>),
}

/// The ordered classes of a model, from lowest to highest risk.
#[derive(Debug, Clone, PartialEq)]
pub struct Classes {
    names: Vec<String>,
    labels: Vec<String>,
    cutoffs: Cutoffs,
    direction: Direction,
}

/// The default classes when a model declares none: A/B/C/D with target shares
/// close to the distributions regulators report (most A, few D).
pub fn default_classes() -> Vec<ClassSpec> {
    [
        ("A", "信用风险低", 0.65),
        ("B", "信用风险一般", 0.25),
        ("C", "信用风险较高", 0.07),
        ("D", "信用风险高", 0.03),
    ]
    .into_iter()
    .map(|(n, l, s)| ClassSpec {
        name: n.into(),
        label: Some(l.into()),
        band: None,
        share: Some(s),
    })
    .collect()
}

fn fmt_band(b: [f64; 2]) -> String {
    format!("[{}, {})", b[0], b[1])
}

impl Classes {
    pub(crate) fn compile(specs: &[ClassSpec], scale: &ScaleSpec) -> Result<Classes, Problem> {
        let err = |m: String| Err(Problem::Classes(m));
        if specs.len() < 2 {
            return err(format!("need at least 2 classes, found {}", specs.len()));
        }
        if specs.len() > 16 {
            return err(format!(
                "at most 16 classes are supported, found {}",
                specs.len()
            ));
        }
        for (i, c) in specs.iter().enumerate() {
            if c.name.trim().is_empty() {
                return err(format!("class {} has an empty name", i + 1));
            }
            if specs[..i].iter().any(|o| o.name == c.name) {
                return err(format!("class `{}` is declared twice", c.name));
            }
        }
        let names = specs.iter().map(|c| c.name.clone()).collect();
        let labels = specs
            .iter()
            .map(|c| c.label.clone().unwrap_or_else(|| c.name.clone()))
            .collect();
        let with_band = specs.iter().filter(|c| c.band.is_some()).count();
        let with_share = specs.iter().filter(|c| c.share.is_some()).count();
        let cutoffs = match (with_band, with_share) {
            (n, 0) if n == specs.len() => Cutoffs::Bands(Self::check_bands(specs, scale)?),
            (0, n) if n == specs.len() => {
                let shares: Vec<f64> = specs.iter().map(|c| c.share.unwrap_or(0.0)).collect();
                if let Some(c) = specs
                    .iter()
                    .find(|c| !c.share.is_some_and(|s| (0.0..=1.0).contains(&s)))
                {
                    return err(format!("share of class `{}` must lie in [0, 1]", c.name));
                }
                let sum: f64 = shares.iter().sum();
                if (sum - 1.0).abs() > 1e-6 {
                    return err(format!("shares sum to {}, expected 1", round(sum)));
                }
                Cutoffs::Shares(shares)
            }
            _ => {
                return err(
                    "give every class a `band`, or every class a `share`, not a mix".into(),
                );
            }
        };
        Ok(Classes {
            names,
            labels,
            cutoffs,
            direction: scale.higher,
        })
    }

    fn check_bands(specs: &[ClassSpec], scale: &ScaleSpec) -> Result<Vec<f64>, Problem> {
        let err = |m: String| Err(Problem::Classes(m));
        let bands: Vec<[f64; 2]> = specs.iter().map(|c| c.band.unwrap_or([0.0, 0.0])).collect();
        for (c, b) in specs.iter().zip(&bands) {
            if b[0].partial_cmp(&b[1]) != Some(std::cmp::Ordering::Less) {
                return err(format!(
                    "band of class `{}` {} is empty; write [low, high) with low < high",
                    c.name,
                    fmt_band(*b)
                ));
            }
            if b[0] < scale.min || b[1] > scale.max {
                return err(format!(
                    "band of class `{}` {} leaves the scale [{}, {}]",
                    c.name,
                    fmt_band(*b),
                    scale.min,
                    scale.max
                ));
            }
        }
        // In risk order, each band must start where the previous one ends.
        let risky_up = scale.higher == Direction::Risk;
        let (first_edge, last_edge) = if risky_up {
            (scale.min, scale.max)
        } else {
            (scale.max, scale.min)
        };
        let start = |b: &[f64; 2]| if risky_up { b[0] } else { b[1] };
        let end = |b: &[f64; 2]| if risky_up { b[1] } else { b[0] };
        if start(&bands[0]) != first_edge {
            return err(format!(
                "the lowest-risk class `{}` must start at {} on a higher-is-{} scale, but its band is {}",
                specs[0].name,
                first_edge,
                if risky_up { "riskier" } else { "safer" },
                fmt_band(bands[0])
            ));
        }
        for i in 1..bands.len() {
            let (prev, cur) = (end(&bands[i - 1]), start(&bands[i]));
            if prev != cur {
                let what = if (risky_up && cur > prev) || (!risky_up && cur < prev) {
                    "gap"
                } else {
                    "overlap"
                };
                return err(format!(
                    "{what} between class `{}` {} and class `{}` {}; bands must meet with no gap or overlap",
                    specs[i - 1].name,
                    fmt_band(bands[i - 1]),
                    specs[i].name,
                    fmt_band(bands[i])
                ));
            }
        }
        let last = bands.len() - 1;
        if end(&bands[last]) != last_edge {
            return err(format!(
                "the highest-risk class `{}` must end at {}, but its band is {}",
                specs[last].name,
                last_edge,
                fmt_band(bands[last])
            ));
        }
        // Thresholds in risk space: where each class after the first begins.
        Ok(bands[1..]
            .iter()
            .map(|b| if risky_up { b[0] } else { -b[1] })
            .collect())
    }

    /// Class names, lowest risk first.
    pub fn names(&self) -> &[String] {
        &self.names
    }
    /// Class labels, lowest risk first.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }
    /// The cut-offs.
    pub fn cutoffs(&self) -> &Cutoffs {
        &self.cutoffs
    }

    /// The risk value of a score (negated on higher-is-safer scales).
    pub fn risk_value(&self, score: f64) -> f64 {
        match self.direction {
            Direction::Risk => score,
            Direction::Safety => -score,
        }
    }

    /// Thresholds for a batch: the fixed bands, or quantiles of `risk_values` for shares.
    ///
    /// With shares, rows with equal scores always share a class, so shares are
    /// met as closely as ties allow; the result does not depend on row order.
    pub fn thresholds(&self, risk_values: &[f64]) -> Vec<f64> {
        match &self.cutoffs {
            Cutoffs::Bands(t) => t.clone(),
            Cutoffs::Shares(shares) => {
                let mut v: Vec<f64> = risk_values
                    .iter()
                    .copied()
                    .filter(|x| !x.is_nan())
                    .collect();
                v.sort_by(f64::total_cmp);
                let n = v.len();
                let mut cum = 0.0;
                shares[..shares.len() - 1]
                    .iter()
                    .map(|s| {
                        cum += s;
                        let m = ((cum * n as f64).round() as usize).min(n);
                        if m == 0 { f64::NEG_INFINITY } else { v[m - 1] }
                    })
                    .collect()
            }
        }
    }

    /// The class index (0 = lowest risk) of a risk value given batch thresholds.
    ///
    /// ```
    /// use riskgrade_model::ModelSet;
    /// let set = ModelSet::from_toml_str(riskgrade_model::examples::HENAN).unwrap();
    /// let m = set.model("henan").unwrap();
    /// let t = m.classes().thresholds(&[]);
    /// let class = |s: f64| m.classes().names()[m.classes().class_of(m.classes().risk_value(s), &t)].clone();
    /// assert_eq!(class(199.9), "A");
    /// assert_eq!(class(200.0), "B");
    /// assert_eq!(class(1000.0), "D");
    /// ```
    pub fn class_of(&self, risk: f64, thresholds: &[f64]) -> usize {
        match (&self.cutoffs, self.direction) {
            // Bands are [low, high): on a risk scale a score equal to a threshold starts the riskier class;
            // on a safety scale a score equal to a band's low end stays in the safer class.
            (Cutoffs::Bands(_), Direction::Risk) => {
                thresholds.iter().filter(|t| **t <= risk).count()
            }
            _ => thresholds.iter().filter(|t| **t < risk).count(),
        }
    }
}

pub(crate) fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
