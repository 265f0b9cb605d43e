//! Explanations of one enterprise's grade, for people.

use std::fmt;

use riskgrade_core::display::{Align, column_width, escape as esc, pad};
use riskgrade_core::{Date, Frame, format_number};
use riskgrade_model::{Direction, Leaf};

use crate::grade::inputs::{LeafData, bind};
use crate::grades::Grades;

/// A dimension's part of the score.
#[derive(Debug, Clone, PartialEq)]
pub struct DimensionLine {
    /// Path of the dimension.
    pub path: String,
    /// Name.
    pub name: String,
    /// Points contributed.
    pub points: f64,
    /// Share of the score (0–1).
    pub share: f64,
}

/// One indicator's part of the score.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorLine {
    /// Path of the indicator.
    pub path: String,
    /// Name.
    pub name: String,
    /// The input value as text (`None` when missing).
    pub value: Option<String>,
    /// Points the scoring function gave.
    pub points: f64,
    /// Absolute weight.
    pub weight: f64,
    /// `weight × points`.
    pub contribution: f64,
    /// Share of the score (0–1).
    pub share: f64,
}

/// Why an enterprise got its grade.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// Enterprise id.
    pub id: String,
    /// Enterprise name.
    pub name: String,
    /// Industry code.
    pub industry: String,
    /// The grading model's id and name.
    pub model: (String, String),
    /// Model set version id.
    pub version: String,
    /// As-of date.
    pub as_of: Date,
    /// Scale (min, max) and direction.
    pub scale: (f64, f64, Direction),
    /// The score, when graded.
    pub score: Option<f64>,
    /// The class name and label, when graded.
    pub class: Option<(String, String)>,
    /// Dimension breakdown.
    pub dimensions: Vec<DimensionLine>,
    /// Indicator breakdown, in model order.
    pub indicators: Vec<IndicatorLine>,
    /// The score from the indicators, before rules adjusted it.
    pub base_score: Option<f64>,
    /// Every rule effect, in running order, with what came of it.
    pub rules: Vec<String>,
    /// Labels given by rules.
    pub labels: Vec<String>,
    /// Top reasons, most important first: insufficient information first (when
    /// the model's minimum evidence is not met), then rules, then indicators.
    pub reasons: Vec<String>,
    /// Why the enterprise's information is insufficient, when it is below its
    /// model's `[insufficient]` minimum (also the first reason).
    pub insufficient: Option<String>,
    /// Bad data that kept the enterprise from being graded.
    pub issues: Vec<String>,
}

impl Grades {
    /// The points each indicator of row `r`'s model gave it, in model order
    /// (empty when the row was not graded); `frame` is the batch that was graded.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use riskgrade_engine::{Grader, Options};
    /// let set = Arc::new(riskgrade_model::examples::reference().unwrap());
    /// let e: riskgrade_core::Enterprise = serde_json::from_str(r#"{"id":"E1","industry":"F5211"}"#).unwrap();
    /// let as_of = "2026-11-01".parse().unwrap();
    /// let frame = riskgrade_core::Frame::from_profiles(&[e], set.schema(), as_of, set.effect_periods());
    /// let grades = Grader::new(set).grade(&frame, as_of, &Options::default()).unwrap();
    /// let points = grades.leaf_points(&frame, 0);
    /// let m = grades.model(0).unwrap();
    /// assert_eq!(points.len(), m.leaves().len());
    /// let sum: f64 = m.leaves().iter().zip(&points).map(|(l, p)| l.weight * p).sum();
    /// assert!((sum - grades.base_score(0).unwrap()).abs() < 1e-9);
    /// ```
    pub fn leaf_points(&self, frame: &Frame, r: usize) -> Vec<f64> {
        self.leaves_of(frame, r)
            .map(|(leaf, d)| {
                d.as_ref().map_or(leaf.missing_points(), |d| {
                    d.points(leaf, r, self.as_of(), self.model_scores())
                })
            })
            .collect()
    }

    /// Row `r`'s model's leaves, each with its input bound in `frame`; nothing when the
    /// row was not graded.
    fn leaves_of<'a>(
        &'a self,
        frame: &'a Frame,
        r: usize,
    ) -> impl Iterator<Item = (&'a Leaf, Option<LeafData<'a>>)> + 'a {
        let set = self.model_set();
        let m = self.model(r).filter(|_| self.base_score(r).is_some());
        m.into_iter()
            .flat_map(|m| m.leaves())
            .map(move |leaf| (leaf, bind(frame, leaf, set)))
    }

    /// The value each leaf of row `r`'s model scored, in the order of [`Model::leaves`]: the
    /// input (a date as days before the grading date, a flag as 0 or 1), a component model's
    /// score, or for a category the points of its label; `NaN` when missing. Empty when the row
    /// was not graded.
    ///
    /// These are the data of objective weighting methods (entropy, CRITIC).
    ///
    /// [`Model::leaves`]: riskgrade_model::Model::leaves
    pub fn leaf_values(&self, frame: &Frame, r: usize) -> Vec<f64> {
        self.leaves_of(frame, r)
            .map(|(_, d)| {
                d.as_ref()
                    .map_or(f64::NAN, |d| d.value(r, self.as_of(), self.model_scores()))
            })
            .collect()
    }

    /// Column by column, for the rows that model `m` graded and `keep` accepts: the rows, and
    /// per leaf of the model (in the order of [`Model::leaves`]) the values
    /// ([`Grades::leaf_values`]) and the points ([`Grades::leaf_points`]) of those rows.
    ///
    /// The same numbers as calling those two per row, without looking up each leaf's column
    /// again for every row: the data of the weighting methods over a whole batch.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use riskgrade_engine::{Grader, Options};
    /// let set = Arc::new(riskgrade_model::examples::reference().unwrap());
    /// let as_of = "2026-11-01".parse().unwrap();
    /// let synth = riskgrade_synth::generate(&riskgrade_synth::SynthConfig::new(300, 3, as_of));
    /// let frame = riskgrade_core::Frame::from_profiles(&synth.enterprises, set.schema(), as_of, set.effect_periods());
    /// let grades = Grader::new(set).grade(&frame, as_of, &Options::default()).unwrap();
    /// let (rows, values, points) = grades.leaf_table(&frame, 0, |_| true);
    /// assert!(rows.len() > 200);
    /// for (i, &r) in rows.iter().enumerate() {
    ///     let (v, p) = (grades.leaf_values(&frame, r), grades.leaf_points(&frame, r));
    ///     for l in 0..v.len() {
    ///         assert!(v[l] == values[l][i] || (v[l].is_nan() && values[l][i].is_nan()));
    ///         assert_eq!(p[l], points[l][i]);
    ///     }
    /// }
    /// ```
    ///
    /// [`Model::leaves`]: riskgrade_model::Model::leaves
    pub fn leaf_table(
        &self,
        frame: &Frame,
        m: usize,
        keep: impl Fn(usize) -> bool,
    ) -> (Vec<usize>, Vec<Vec<f64>>, Vec<Vec<f64>>) {
        let set = self.model_set();
        let rows: Vec<usize> = (0..self.len())
            .filter(|&r| self.model_index(r) == Some(m) && self.base_score(r).is_some() && keep(r))
            .collect();
        let Some(model) = set.models().get(m) else {
            return (rows, Vec::new(), Vec::new());
        };
        let mut values = Vec::with_capacity(model.leaves().len());
        let mut points = Vec::with_capacity(model.leaves().len());
        for leaf in model.leaves() {
            let Some(d) = bind(frame, leaf, set) else {
                values.push(vec![f64::NAN; rows.len()]);
                points.push(vec![leaf.missing_points(); rows.len()]);
                continue;
            };
            let v: Vec<f64> = rows
                .iter()
                .map(|&r| d.value(r, self.as_of(), self.model_scores()))
                .collect();
            let p: Vec<f64> = v.iter().map(|&x| d.points_of(leaf, x)).collect();
            values.push(v);
            points.push(p);
        }
        (rows, values, points)
    }

    /// Explains row `r` of a graded batch; `frame` is the batch that was graded.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use riskgrade_engine::{Grader, Options};
    /// let set = Arc::new(riskgrade_model::examples::reference().unwrap());
    /// let e: riskgrade_core::Enterprise = serde_json::from_str(
    ///     r#"{"id":"E1","industry":"F5211","records":[{"kind":"complaint","date":"2026-10-01"}]}"#).unwrap();
    /// let as_of = "2026-11-01".parse().unwrap();
    /// let frame = riskgrade_core::Frame::from_profiles(&[e], set.schema(), as_of, set.effect_periods());
    /// let grades = Grader::new(set).grade(&frame, as_of, &Options::default()).unwrap();
    /// let ex = grades.explain(&frame, 0);
    /// let total: f64 = ex.indicators.iter().map(|i| i.contribution).sum();
    /// assert!((total - ex.score.unwrap()).abs() < 1e-9);
    /// println!("{ex}");
    /// ```
    pub fn explain(&self, frame: &Frame, r: usize) -> Explanation {
        let issues: Vec<String> = self.issues_of(r).map(ToString::to_string).collect();
        let model = self.model(r);
        let score = self.score(r);
        let base_score = self.base_score(r);
        let mut indicators = Vec::new();
        let mut dimensions = Vec::new();
        if let (Some(m), Some(total)) = (model, base_score) {
            let share = |c: f64| if total.abs() > 1e-12 { c / total } else { 0.0 };
            let points = self.leaf_points(frame, r);
            for (leaf, &p) in m.leaves().iter().zip(&points) {
                let value = self.value_text(frame, leaf, r);
                let contribution = leaf.weight * p;
                indicators.push(IndicatorLine {
                    path: leaf.path.clone(),
                    name: leaf.name.clone(),
                    value,
                    points: p,
                    weight: leaf.weight,
                    contribution,
                    share: share(contribution),
                });
            }
            for (k, &node) in m.dimensions().iter().enumerate() {
                let points: f64 = m
                    .leaves()
                    .iter()
                    .zip(&indicators)
                    .filter(|(l, _)| l.dimension == k)
                    .map(|(_, i)| i.contribution)
                    .sum();
                dimensions.push(DimensionLine {
                    path: m.nodes()[node].path.clone(),
                    name: m.nodes()[node].name.clone(),
                    points,
                    share: share(points),
                });
            }
        }
        let reasons = self.reason_texts(frame, r);
        // Borrowed, so one enterprise's explanation does not make the whole batch's effects.
        let rules = self
            .effect_refs(r)
            .map(|e| {
                let what = match &e.outcome() {
                    crate::Outcome::Applied => String::new(),
                    crate::Outcome::Decided => " [decides the class]".into(),
                    crate::Outcome::NoChange => " [no change: the class already meets it]".into(),
                    crate::Outcome::Overridden(by) => format!(" [overridden by {by}]"),
                };
                let basis = e
                    .basis
                    .map(|b| format!(" (routed: {b})"))
                    .unwrap_or_default();
                format!("{}{basis}{what}", e.text())
            })
            .collect();
        let labels = self.labels(r).map(str::to_string).collect();
        Explanation {
            id: self.id(r).to_string(),
            name: frame.names().get(r).cloned().unwrap_or_default(),
            industry: frame.industries().get(r).cloned().unwrap_or_default(),
            model: model
                .map(|m| (m.id().to_string(), m.name().to_string()))
                .unwrap_or_default(),
            version: self.version_id().to_string(),
            as_of: self.as_of(),
            scale: model.map_or((0.0, 0.0, Direction::Risk), |m| {
                (m.scale().min, m.scale().max, m.scale().higher)
            }),
            score,
            class: self.class_index(r).and_then(|c| {
                let cl = model?.classes();
                Some((cl.names()[c].clone(), cl.labels()[c].clone()))
            }),
            dimensions,
            indicators,
            base_score,
            rules,
            labels,
            reasons,
            insufficient: self.insufficient(r).map(|s| s.to_string()),
            issues,
        }
    }
}

fn num(x: f64) -> String {
    format_number((x * 100.0).round() / 100.0)
}

impl Explanation {
    /// The dimension and indicator tables, each sized to its widest name (in display columns).
    fn write_tables(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self
            .dimensions
            .iter()
            .map(|d| format!("{} {}", d.path, d.name))
            .collect();
        let w = column_width(names.iter().map(String::as_str), 44);
        writeln!(
            f,
            "{} {:>9} {:>7}",
            pad("dimension", w, Align::Left),
            "points",
            "share"
        )?;
        for (d, name) in self.dimensions.iter().zip(&names) {
            writeln!(
                f,
                "{} {:>9} {:>6.1}%",
                pad(name, w, Align::Left),
                num(d.points),
                100.0 * d.share
            )?;
        }
        writeln!(f)?;
        let w = column_width(self.indicators.iter().map(|i| i.path.as_str()), 44);
        writeln!(
            f,
            "{} {:>14} {:>7} {:>7} {:>9} {:>7}",
            pad("indicator", w, Align::Left),
            "value",
            "points",
            "weight",
            "contrib",
            "share"
        )?;
        for i in &self.indicators {
            let value = i
                .value
                .as_deref()
                .map_or_else(|| "missing".into(), |v| esc(v).into_owned());
            writeln!(
                f,
                "{} {:>14} {:>7} {:>7.4} {:>9} {:>6.1}%",
                pad(&i.path, w, Align::Left),
                value,
                num(i.points),
                i.weight,
                num(i.contribution),
                100.0 * i.share
            )?;
        }
        Ok(())
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Texts from data and from rules are escaped: a control character or a line break in
        // an id, a name, a label or an alert prints as `\n`, `\e`, ..., never forges a line.
        write!(f, "enterprise `{}`", esc(&self.id))?;
        if !self.name.is_empty() {
            write!(f, " {}", esc(&self.name))?;
        }
        if !self.industry.is_empty() {
            write!(f, " (industry {})", esc(&self.industry))?;
        }
        writeln!(f)?;
        if self.model.0.is_empty() {
            writeln!(f, "set version {}, as of {}", self.version, self.as_of)?;
        } else {
            writeln!(
                f,
                "model `{}` ({}), set version {}, as of {}",
                self.model.0, self.model.1, self.version, self.as_of
            )?;
        }
        let (Some(score), Some((class, label))) = (self.score, &self.class) else {
            writeln!(f, "not graded:")?;
            for i in &self.issues {
                writeln!(f, "  {}", esc(&i.to_string()))?;
            }
            return Ok(());
        };
        let dir = match self.scale.2 {
            Direction::Risk => "higher is riskier",
            Direction::Safety => "higher is safer",
        };
        let adjusted = self
            .base_score
            .filter(|b| (b - score).abs() > 1e-9)
            .map(|b| {
                let d = score - b;
                let sign = if d >= 0.0 { "+" } else { "" };
                format!(" (indicators {}, rules {sign}{})", num(b), num(d))
            })
            .unwrap_or_default();
        writeln!(
            f,
            "score {}{adjusted} on [{}, {}] ({dir}) -> class {class} ({label})",
            num(score),
            num(self.scale.0),
            num(self.scale.1)
        )?;
        if !self.labels.is_empty() {
            let labels: Vec<_> = self.labels.iter().map(|l| esc(l)).collect();
            writeln!(f, "labels: {}", labels.join(", "))?;
        }
        if !self.issues.is_empty() {
            // Graded all the same: a rule skipped under `skip-rule`, or a bad value.
            writeln!(f, "issues:")?;
            for i in &self.issues {
                writeln!(f, "  {}", esc(&i.to_string()))?;
            }
        }
        writeln!(f)?;
        self.write_tables(f)?;
        writeln!(f)?;
        if !self.rules.is_empty() {
            writeln!(f, "rules:")?;
            for line in &self.rules {
                writeln!(f, "  {}", esc(line))?;
            }
            writeln!(f)?;
        }
        if self.reasons.is_empty() {
            writeln!(f, "no indicator raised the risk")?;
        } else {
            writeln!(f, "top reasons:")?;
            for (k, r) in self.reasons.iter().enumerate() {
                writeln!(f, "  {}. {}", k + 1, esc(&r.to_string()))?;
            }
        }
        Ok(())
    }
}
