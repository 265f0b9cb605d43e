//! Sampling plans: how much of each class to inspect, which enterprises are always inspected,
//! which are spared, and how inspectors are assigned.
//!
//! A plan is a TOML file; unknown keys are errors with their file position. Every class the
//! candidates carry must be named, each with exactly one of `ratio` (share of the class drawn in
//! each stratum) or `per_year` (minimum inspections an enterprise a year, spread over
//! `draws_per_year` draws), or `full_coverage = true`. No class is exempt: each effective ratio
//! must reach the plan's `floor`.
//!
//! ```
//! use riskgrade_inspect::Plan;
//! let plan = Plan::from_toml_str(r#"
//!     id = "henan-2021"
//!     floor = 0.01
//!     [class.A]
//!     ratio = 0.01
//!     [class.D]
//!     per_year = 3
//! "#, None).unwrap();
//! assert_eq!(plan.effective_ratio("D"), Some(1.0)); // 3 a year in one draw a year: everyone
//! let err = Plan::from_toml_str("id = \"x\"\nfloor = 0.01\n[class.A]\nratio = 0.005\n", None);
//! assert_eq!(
//!     err.unwrap_err().to_string(),
//!     "plan `x`: class A: ratio 0.005 is below the plan's floor 0.01 (no class is exempt)"
//! );
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use riskgrade_core::{Position, did_you_mean};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};

use crate::Candidate;
use crate::scope::{Forced, Scope, industry_codes};

/// A sampling plan, validated on load.
///
/// It serialises to the canonical JSON that [`Plan::digest`] hashes. Deserialising it directly
/// (e.g. from a published draw) does not validate; [`crate::draw()`] validates again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(crate) department: String,
    #[serde(default = "one")]
    pub(crate) draws_per_year: u32,
    pub(crate) floor: f64,
    #[serde(default)]
    pub(crate) strata: Vec<Stratum>,
    #[serde(default)]
    pub(crate) class: BTreeMap<String, ClassRule>,
    #[serde(default, skip_serializing_if = "Scope::is_everything")]
    pub(crate) scope: Scope,
    #[serde(default, alias = "include")]
    pub(crate) forced: Forced,
    #[serde(default)]
    pub(crate) exclude: Exclude,
    #[serde(default)]
    pub(crate) inspectors: InspectorRules,
}

fn one() -> u32 {
    1
}

fn yes() -> bool {
    true
}

fn two() -> u32 {
    2
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClassRule {
    #[serde(default)]
    pub(crate) ratio: Option<f64>,
    #[serde(default)]
    pub(crate) per_year: Option<f64>,
    #[serde(default)]
    pub(crate) full_coverage: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_per_year: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Exclude {
    #[serde(default)]
    pub(crate) inspected_within_months: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InspectorRules {
    #[serde(default = "two")]
    pub(crate) per_task: u32,
    #[serde(default = "yes")]
    pub(crate) avoid_own_district: bool,
    #[serde(default = "yes")]
    pub(crate) avoid_repeat: bool,
}

impl Default for InspectorRules {
    fn default() -> Self {
        InspectorRules {
            per_task: 2,
            avoid_own_district: true,
            avoid_repeat: true,
        }
    }
}

/// What a plan stratifies by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Stratum {
    District,
    Industry,
    IndustryDivision,
}

const STRATA: [&str; 3] = ["district", "industry", "industry_division"];

impl<'de> Deserialize<'de> for Stratum {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Stratum, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "district" => Ok(Stratum::District),
            "industry" => Ok(Stratum::Industry),
            "industry_division" => Ok(Stratum::IndustryDivision),
            _ => Err(D::Error::custom(format!(
                "unknown stratum `{s}`{}; use any of `district`, `industry`, `industry_division`",
                hint(did_you_mean(&s, STRATA))
            ))),
        }
    }
}

impl Stratum {
    /// The candidate's cell label for this stratum, e.g. `district Haidian`.
    fn label(self, c: &Candidate) -> String {
        let (section, division) = industry_codes(&c.industry);
        let (kind, value) = match self {
            Stratum::District => ("district", c.district.trim().to_string()),
            Stratum::Industry => ("industry", section),
            Stratum::IndustryDivision => ("industry_division", division),
        };
        let value = if value.is_empty() {
            "unknown".to_string()
        } else {
            value
        };
        format!("{kind} {value}")
    }
}

/// Why a plan could not be loaded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// The file could not be read.
    #[error("cannot read `{}`: {message}", file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// The operating system's message.
        message: String,
    },
    /// Syntax error, unknown key or wrong type.
    #[error("{}: {message}", Where(at))]
    Syntax {
        /// Where in the plan's text: the file when loaded from one, 1-based line and column
        /// (0 when unknown).
        at: Position,
        /// What is wrong, as the TOML reader says it (with a suggestion for a misspelt key).
        message: String,
    },
    /// A well-formed plan that breaks a rule, e.g. a class below the floor.
    #[error("{}plan `{plan}`: {problem}", file.as_ref().map(|f| format!("{}: ", f.display())).unwrap_or_default())]
    Invalid {
        /// The file, when loaded from one.
        file: Option<PathBuf>,
        /// The plan's id.
        plan: String,
        /// The rule it breaks.
        problem: PlanProblem,
    },
}

/// A rule a well-formed plan breaks ([`PlanError::Invalid`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanProblem {
    /// `id` is empty.
    #[error("`id` must not be empty")]
    EmptyId,
    /// `floor` is not in (0, 1].
    #[error("floor {floor} must be above 0 and at most 1 (no class is exempt)")]
    Floor {
        /// The floor given.
        floor: f64,
    },
    /// `draws_per_year` is 0.
    #[error("draws_per_year must be at least 1")]
    NoDraws,
    /// `inspectors.per_task` is 0.
    #[error("inspectors.per_task must be at least 1")]
    NoInspectors,
    /// A stratum is listed twice.
    #[error("strata: `{stratum}` is listed twice")]
    StratumTwice {
        /// The stratum (`district`, `industry` or `industry_division`).
        stratum: &'static str,
    },
    /// The plan names no class.
    #[error("the plan names no classes; add a [class.A] table for each class")]
    NoClasses,
    /// A class's rule is wrong.
    #[error("class {class}: {rule}")]
    Class {
        /// The class.
        class: String,
        /// What is wrong with its rule.
        rule: ClassProblem,
    },
}

/// What is wrong with one class's rule ([`PlanProblem::Class`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ClassProblem {
    /// `full_coverage = true` with a `ratio`.
    #[error("full_coverage = true inspects every enterprise; remove `ratio`")]
    FullCoverageWithRatio,
    /// `full_coverage = true` with a `per_year`.
    #[error("full_coverage = true inspects every enterprise; remove `per_year`")]
    FullCoverageWithPerYear,
    /// Neither `ratio`, `per_year` nor `full_coverage`.
    #[error(
        "give `ratio` (share drawn in each stratum), `per_year` (minimum inspections a year) or `full_coverage = true`"
    )]
    NoRule,
    /// Both `ratio` and `per_year`.
    #[error("give either `ratio` or `per_year`, not both")]
    RatioAndPerYear,
    /// A ratio outside (0, 1].
    #[error("ratio {ratio} is outside (0, 1]")]
    RatioOutOfRange {
        /// The ratio given.
        ratio: f64,
    },
    /// A `per_year` that is not a positive number.
    #[error("per_year {per_year} must be a positive number")]
    PerYearNotPositive {
        /// The value given.
        per_year: f64,
    },
    /// A ratio below the plan's floor.
    #[error("ratio {ratio} is below the plan's floor {floor} (no class is exempt)")]
    RatioBelowFloor {
        /// The ratio given.
        ratio: f64,
        /// The plan's floor.
        floor: f64,
    },
    /// A yearly maximum below the yearly minimum.
    #[error("max_per_year {max} is below the yearly minimum per_year {per_year}")]
    MaxBelowMin {
        /// The maximum given.
        max: u32,
        /// The minimum given.
        per_year: f64,
    },
    /// A yearly frequency whose ratio per draw is below the plan's floor.
    #[error("per_year {per_year} over {draws_per_year} draws a year is a ratio of {:.4} per draw, below the plan's floor {floor} (no class is exempt)", per_year / f64::from(*draws_per_year))]
    PerYearBelowFloor {
        /// The value given.
        per_year: f64,
        /// The plan's draws a year.
        draws_per_year: u32,
        /// The plan's floor.
        floor: f64,
    },
}

/// A position in a plan's text, `(unknown position)` when nothing is known.
struct Where<'a>(&'a Position);

impl fmt::Display for Where<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_unknown() {
            f.write_str("(unknown position)")
        } else {
            self.0.fmt(f)
        }
    }
}

/// Adds a "did you mean" to serde's "unknown field `x`, expected one of `a`, `b`" messages.
fn with_suggestion(message: &str) -> String {
    let message = message.trim();
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_string();
    };
    let unknown = rest.split('`').next().unwrap_or_default();
    let expected = message.split("expected").nth(1).unwrap_or_default();
    let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    format!("{message}{}", hint(did_you_mean(unknown, known)))
}

fn hint(s: Option<&str>) -> String {
    s.map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

impl Plan {
    /// Parses and validates a plan written in TOML; `file` only labels error messages.
    pub fn from_toml_str(text: &str, file: Option<&Path>) -> Result<Plan, PlanError> {
        let plan: Plan = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map_or_else(Position::default, |s| Position::of_offset(text, s.start));
            PlanError::Syntax {
                at: match file {
                    Some(f) => at.in_file(f),
                    None => at,
                },
                message: with_suggestion(e.message()),
            }
        })?;
        plan.check().map_err(|e| match e {
            PlanError::Invalid { plan, problem, .. } => PlanError::Invalid {
                file: file.map(Path::to_path_buf),
                plan,
                problem,
            },
            other => other,
        })?;
        Ok(plan)
    }

    /// Reads, parses and validates a plan file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Plan, PlanError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| PlanError::Io {
            file: path.to_path_buf(),
            message: e.to_string(),
        })?;
        // Text that is not UTF-8 is a syntax error at its first bad byte.
        let text = String::from_utf8(bytes).map_err(|e| {
            let good = e.utf8_error().valid_up_to();
            let before = std::str::from_utf8(&e.as_bytes()[..good]).unwrap_or_default();
            PlanError::Syntax {
                at: Position::of_offset(before, good).in_file(path),
                message: "text is not valid UTF-8; save the file as UTF-8".to_string(),
            }
        })?;
        Plan::from_toml_str(&text, Some(path))
    }

    /// The plan's rules, checked. Used on load and again by every draw.
    pub(crate) fn check(&self) -> Result<(), PlanError> {
        self.problem().map_or(Ok(()), |problem| {
            Err(PlanError::Invalid {
                file: None,
                plan: self.id.clone(),
                problem,
            })
        })
    }

    fn problem(&self) -> Option<PlanProblem> {
        if self.id.trim().is_empty() {
            return Some(PlanProblem::EmptyId);
        }
        if !(self.floor > 0.0 && self.floor <= 1.0) {
            return Some(PlanProblem::Floor { floor: self.floor });
        }
        if self.draws_per_year == 0 {
            return Some(PlanProblem::NoDraws);
        }
        if self.inspectors.per_task == 0 {
            return Some(PlanProblem::NoInspectors);
        }
        if let Some(s) = self
            .strata
            .iter()
            .enumerate()
            .find(|(i, s)| self.strata[..*i].contains(s))
        {
            return Some(PlanProblem::StratumTwice {
                stratum: STRATA[*s.1 as usize],
            });
        }
        if self.class.is_empty() {
            return Some(PlanProblem::NoClasses);
        }
        self.class.iter().find_map(|(name, rule)| {
            self.class_problem(rule).map(|rule| PlanProblem::Class {
                class: name.clone(),
                rule,
            })
        })
    }

    fn class_problem(&self, rule: &ClassRule) -> Option<ClassProblem> {
        let (floor, draws_per_year) = (self.floor, self.draws_per_year);
        if let (Some(max), Some(per_year)) = (rule.max_per_year, rule.per_year)
            && f64::from(max) < per_year.ceil()
        {
            return Some(ClassProblem::MaxBelowMin { max, per_year });
        }
        Some(match (rule.ratio, rule.per_year, rule.full_coverage) {
            (None, None, true) => return None,
            (Some(_), _, true) => ClassProblem::FullCoverageWithRatio,
            (_, Some(_), true) => ClassProblem::FullCoverageWithPerYear,
            (None, None, false) => ClassProblem::NoRule,
            (Some(_), Some(_), false) => ClassProblem::RatioAndPerYear,
            (Some(ratio), None, false) if !(ratio > 0.0 && ratio <= 1.0) => {
                ClassProblem::RatioOutOfRange { ratio }
            }
            (None, Some(per_year), false) if !(per_year > 0.0 && per_year.is_finite()) => {
                ClassProblem::PerYearNotPositive { per_year }
            }
            (Some(ratio), None, false) if ratio < floor => {
                ClassProblem::RatioBelowFloor { ratio, floor }
            }
            (None, Some(per_year), false) if per_year / f64::from(draws_per_year) < floor => {
                ClassProblem::PerYearBelowFloor {
                    per_year,
                    draws_per_year,
                    floor,
                }
            }
            _ => return None,
        })
    }

    /// The first date of the exclusion window: the draw date less `inspected_within_months`
    /// calendar months, day clamped to the month's end. `None` without a window.
    pub fn exclusion_cutoff(&self, date: riskgrade_core::Date) -> Option<riskgrade_core::Date> {
        // Ten thousand years back already precedes every valid date.
        const FOREVER: u32 = 120_000;
        self.exclude
            .inspected_within_months
            .map(|m| date.add_months(-(m.min(FOREVER) as i32)))
    }

    /// The exclusion window in months (`exclude.inspected_within_months`), if any.
    pub fn exclusion_months(&self) -> Option<u32> {
        self.exclude.inspected_within_months
    }

    /// The plan's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The plan's human-readable name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The classes the plan names, in order.
    pub fn classes(&self) -> impl Iterator<Item = &str> {
        self.class.keys().map(String::as_str)
    }

    /// Share of a class drawn in each stratum at each draw: `ratio`, or `per_year /
    /// draws_per_year` capped at 1, or 1 for full coverage. `None` for a class the plan does not
    /// name.
    pub fn effective_ratio(&self, class: &str) -> Option<f64> {
        let rule = self.class.get(class)?;
        Some(match (rule.full_coverage, rule.ratio, rule.per_year) {
            (true, _, _) => 1.0,
            (false, Some(r), _) => r,
            (false, None, Some(p)) => (p / f64::from(self.draws_per_year.max(1))).min(1.0),
            (false, None, None) => 0.0,
        })
    }

    /// The department that runs the plan's inspections (published with the results).
    pub fn department(&self) -> &str {
        &self.department
    }

    /// How often the plan is drawn in a year.
    pub fn draws_per_year(&self) -> u32 {
        self.draws_per_year.max(1)
    }

    /// The class's yearly minimum of inspections per enterprise (`per_year`), if it has one.
    pub fn min_per_year(&self, class: &str) -> Option<f64> {
        self.class.get(class).and_then(|r| r.per_year)
    }

    /// For a class whose yearly minimum is below one (`per_year = 0.5`: once every two
    /// years), the first day whose inspections count towards the minimum as it stands in
    /// `year`: 1 January of the year ⌈1/per_year⌉ − 1 years back. `None` for a class without
    /// a minimum or with a minimum of one or more a year (those count the calendar year).
    ///
    /// ```
    /// let plan = riskgrade_inspect::Plan::from_toml_str(
    ///     "id = \"p\"\nfloor = 0.01\n[class.A]\nper_year = 0.5\n[class.B]\nper_year = 1\n",
    ///     None,
    /// )?;
    /// assert_eq!(plan.minimum_window_start("A", 2026), Some("2025-01-01".parse()?));
    /// assert_eq!(plan.minimum_window_start("B", 2026), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn minimum_window_start(&self, class: &str, year: i32) -> Option<riskgrade_core::Date> {
        let m = self.min_per_year(class).filter(|m| *m < 1.0 && *m > 0.0)?;
        let years = (1.0 / m).ceil().clamp(1.0, 100.0) as i32;
        Some(
            riskgrade_core::Date::from_ymd(year - years + 1, 1, 1)
                .unwrap_or(riskgrade_core::Date::from_days(i32::MIN / 2)),
        )
    }

    /// The class's yearly maximum of inspections per enterprise, if it has one.
    pub fn max_per_year(&self, class: &str) -> Option<u32> {
        self.class.get(class).and_then(|r| r.max_per_year)
    }

    /// Why the candidate is outside the plan's scope (the list it fails: `industries`,
    /// `licence_types`, `districts` or `labels`), or `None` when it is in scope.
    pub fn out_of_scope(&self, c: &Candidate) -> Option<&'static str> {
        self.scope.miss(c)
    }

    /// Why the plan forces the candidate's inspection (`alert complaints`, `label 重点监管`),
    /// before the caps per enterprise.
    pub fn forced_reason(&self, c: &Candidate) -> Option<String> {
        self.forced.reason(c)
    }

    /// The caps on forced tasks of one enterprise: per period, and per calendar year if any.
    pub fn forced_caps(&self) -> (u32, Option<u32>) {
        (self.forced.max_per_period, self.forced.max_per_year)
    }

    /// Whether every enterprise of the class is inspected (mandatory, never excluded).
    pub fn is_full_coverage(&self, class: &str) -> bool {
        self.class.get(class).is_some_and(|r| r.full_coverage)
    }

    /// Inspectors assigned to each task.
    pub fn per_task(&self) -> u32 {
        self.inspectors.per_task
    }

    /// Things a reader should know, e.g. a yearly frequency that means every enterprise at every
    /// draw.
    pub fn notes(&self) -> Vec<String> {
        let dpy = self.draws_per_year.max(1);
        self.class
            .iter()
            .filter_map(|(name, r)| {
                let p = r.per_year.filter(|p| *p / f64::from(dpy) > 1.0 && !r.full_coverage)?;
                Some(format!(
                    "class {name}: per_year {p} over {dpy} draws a year is {} per draw; every enterprise of the class is drawn each time",
                    p / f64::from(dpy)
                ))
            })
            .collect()
    }

    /// SHA-256 (lowercase hex) of the plan's canonical JSON: the parsed plan, so comments,
    /// layout and key order in the file do not change it.
    pub fn digest(&self) -> String {
        sha256_json(self)
    }

    /// The cell label of a candidate: its strata joined by ` / `, or `all` without strata.
    pub(crate) fn stratum_of(&self, c: &Candidate) -> String {
        if self.strata.is_empty() {
            return "all".into();
        }
        let parts: Vec<String> = self.strata.iter().map(|s| s.label(c)).collect();
        parts.join(" / ")
    }
}

/// SHA-256 (lowercase hex) of a value's JSON.
pub(crate) fn sha256_json<T: Serialize + ?Sized>(value: &T) -> String {
    // Serialising these plain types (string-keyed maps, derived impls) cannot fail.
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        match Plan::from_toml_str(text, Some(Path::new("p.toml"))) {
            Ok(_) => panic!("plan should not load"),
            Err(e) => e.to_string(),
        }
    }

    const HEAD: &str = "id = \"t\"\nfloor = 0.01\n";

    #[test]
    fn validation_messages() {
        let cases = [
            (
                "[class.A]\nratio = 0.005\n",
                "p.toml: plan `t`: class A: ratio 0.005 is below the plan's floor 0.01 (no class is exempt)",
            ),
            (
                "[class.A]\nratio = 1.5\n",
                "p.toml: plan `t`: class A: ratio 1.5 is outside (0, 1]",
            ),
            (
                "[class.A]\n",
                "p.toml: plan `t`: class A: give `ratio` (share drawn in each stratum), `per_year` (minimum inspections a year) or `full_coverage = true`",
            ),
            (
                "[class.A]\nratio = 0.1\nper_year = 1\n",
                "p.toml: plan `t`: class A: give either `ratio` or `per_year`, not both",
            ),
            (
                "[class.C]\nratio = 0.5\nfull_coverage = true\n",
                "p.toml: plan `t`: class C: full_coverage = true inspects every enterprise; remove `ratio`",
            ),
            (
                "draws_per_year = 12\n[class.A]\nper_year = 0.06\n",
                "p.toml: plan `t`: class A: per_year 0.06 over 12 draws a year is a ratio of 0.0050 per draw, below the plan's floor 0.01 (no class is exempt)",
            ),
            (
                "[class.A]\nper_year = 0\n",
                "p.toml: plan `t`: class A: per_year 0 must be a positive number",
            ),
            (
                "[inspectors]\nper_task = 0\n[class.A]\nratio = 1\n",
                "p.toml: plan `t`: inspectors.per_task must be at least 1",
            ),
            (
                "strata = [\"district\", \"district\"]\n[class.A]\nratio = 1\n",
                "p.toml: plan `t`: strata: `district` is listed twice",
            ),
            (
                "",
                "p.toml: plan `t`: the plan names no classes; add a [class.A] table for each class",
            ),
        ];
        for (body, want) in cases {
            assert_eq!(err(&format!("{HEAD}{body}")), want);
        }
        let loaded = Plan::from_toml_str(&format!("{HEAD}[class.A]\nratio = 0.005\n"), None);
        assert_eq!(
            loaded,
            Err(PlanError::Invalid {
                file: None,
                plan: "t".into(),
                problem: PlanProblem::Class {
                    class: "A".into(),
                    rule: ClassProblem::RatioBelowFloor {
                        ratio: 0.005,
                        floor: 0.01
                    },
                },
            })
        );
        assert_eq!(
            err("id = \"t\"\nfloor = 0\n[class.A]\nratio = 1\n"),
            "p.toml: plan `t`: floor 0 must be above 0 and at most 1 (no class is exempt)"
        );
    }

    #[test]
    fn syntax_messages_have_positions_and_suggestions() {
        assert_eq!(
            err(&format!("{HEAD}[class.A]\nratoi = 0.1\n")),
            "p.toml:4:1: unknown field `ratoi`, expected one of `ratio`, `per_year`, `full_coverage`, `max_per_year` (did you mean `ratio`?)"
        );
        assert_eq!(
            err(&format!(
                "{HEAD}strata = [\"distrct\"]\n[class.A]\nratio = 1\n"
            )),
            "p.toml:3:10: unknown stratum `distrct` (did you mean `district`?); use any of `district`, `industry`, `industry_division`"
        );
        assert!(err("floor = 0.1\n[class.A]\nratio = 1\n").contains("missing field `id`"));
        let Err(PlanError::Syntax { at, .. }) = Plan::from_toml_str(
            &format!("{HEAD}[class.A]\nratoi = 0.1\n"),
            Some(Path::new("p.toml")),
        ) else {
            panic!("a syntax error")
        };
        assert_eq!(at, Position::new("p.toml").at(4, 1));
    }

    #[test]
    fn ratios_notes_and_digest() {
        let text = format!(
            "{HEAD}draws_per_year = 12\n[class.A]\nper_year = 0.5\n[class.D]\nper_year = 36\n"
        );
        let plan = Plan::from_toml_str(&text, None).expect("valid");
        assert!((plan.effective_ratio("A").unwrap_or(0.0) - 0.5 / 12.0).abs() < 1e-12);
        assert_eq!(plan.effective_ratio("D"), Some(1.0));
        assert_eq!(plan.effective_ratio("Z"), None);
        assert_eq!(plan.notes().len(), 1);
        assert!(plan.notes()[0].contains("every enterprise"));
        // Layout, comments and key order do not change the digest; content does.
        let same = "floor = 0.01 # the floor\ndraws_per_year = 12\nid = \"t\"\n[class.D]\nper_year = 36\n[class.A]\nper_year = 0.5\n";
        assert_eq!(
            Plan::from_toml_str(same, None).expect("valid").digest(),
            plan.digest()
        );
        let other = text.replace("0.5", "0.6");
        assert_ne!(
            Plan::from_toml_str(&other, None).expect("valid").digest(),
            plan.digest()
        );
        assert_eq!(plan.digest().len(), 64);
    }

    #[test]
    fn exclusion_window() {
        let plan = |months: u32| {
            Plan::from_toml_str(
                &format!("id = \"p\"\nfloor = 0.1\n[class.B]\nratio = 0.5\n[exclude]\ninspected_within_months = {months}\n"),
                None,
            )
            .expect("valid plan")
        };
        let date = |s: &str| s.parse::<riskgrade_core::Date>().expect("a date");
        let cut = |months, on| {
            plan(months)
                .exclusion_cutoff(date(on))
                .map(|d| d.to_string())
        };
        assert_eq!(cut(6, "2026-08-31").as_deref(), Some("2026-02-28"));
        assert_eq!(cut(6, "2026-03-15").as_deref(), Some("2025-09-15"));
        assert!(cut(u32::MAX, "2026-03-15").is_some_and(|d| d.starts_with('-')));
    }

    #[test]
    fn industry_sections_and_divisions() {
        assert_eq!(industry_codes("C14"), ("C".into(), "C14".into()));
        assert_eq!(industry_codes("c1411"), ("C".into(), "C14".into()));
        assert_eq!(industry_codes("1411"), ("C".into(), "C14".into()));
        assert_eq!(industry_codes("5212"), ("F".into(), "F52".into()));
        assert_eq!(industry_codes("G"), ("G".into(), String::new()));
        assert_eq!(industry_codes(""), (String::new(), String::new()));
    }
}
