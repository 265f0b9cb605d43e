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
use std::path::{Path, PathBuf};

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};

use crate::Candidate;

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
    #[serde(default = "one")]
    pub(crate) draws_per_year: u32,
    pub(crate) floor: f64,
    #[serde(default)]
    pub(crate) strata: Vec<Stratum>,
    #[serde(default)]
    pub(crate) class: BTreeMap<String, ClassRule>,
    #[serde(default)]
    pub(crate) include: Include,
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
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Include {
    #[serde(default)]
    pub(crate) alert_topics: Vec<String>,
    #[serde(default)]
    pub(crate) labels: Vec<String>,
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

/// GB/T 4754-2017 section letter and division (letter + 2 digits) of an industry code written
/// either with its letter (`C14`, `C1411`) or as digits only (`1411`).
fn industry_codes(code: &str) -> (String, String) {
    let code = code.trim();
    let mut chars = code.chars();
    let first = chars.next().unwrap_or(' ');
    let (letter, digits) = if first.is_ascii_alphabetic() {
        (first.to_ascii_uppercase(), chars.as_str())
    } else {
        let division: u32 = code.get(..2).and_then(|d| d.parse().ok()).unwrap_or(0);
        const SECTIONS: [(u32, char); 20] = [
            (5, 'A'),
            (12, 'B'),
            (43, 'C'),
            (46, 'D'),
            (50, 'E'),
            (52, 'F'),
            (60, 'G'),
            (62, 'H'),
            (65, 'I'),
            (69, 'J'),
            (70, 'K'),
            (72, 'L'),
            (75, 'M'),
            (79, 'N'),
            (82, 'O'),
            (83, 'P'),
            (85, 'Q'),
            (90, 'R'),
            (96, 'S'),
            (97, 'T'),
        ];
        let letter = SECTIONS
            .iter()
            .find(|(last, _)| division >= 1 && division <= *last);
        match letter {
            Some((_, l)) => (*l, code),
            None => return (String::new(), String::new()),
        }
    };
    let division = match digits.get(..2) {
        Some(d) if d.bytes().all(|b| b.is_ascii_digit()) => format!("{letter}{d}"),
        _ => String::new(),
    };
    (letter.to_string(), division)
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
    #[error("{}: {message}", position(file.as_deref(), *line, *column))]
    Syntax {
        /// The file, when loaded from one.
        file: Option<PathBuf>,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A well-formed plan that breaks a rule, e.g. a class below the floor.
    #[error("{}plan `{plan}`: {problem}", file.as_ref().map(|f| format!("{}: ", f.display())).unwrap_or_default())]
    Invalid {
        /// The file, when loaded from one.
        file: Option<PathBuf>,
        /// The plan's id.
        plan: String,
        /// What is wrong, naming the key.
        problem: String,
    },
}

fn position(file: Option<&Path>, line: usize, column: usize) -> String {
    match (file, line) {
        (Some(f), 0) => f.display().to_string(),
        (Some(f), _) => format!("{}:{line}:{column}", f.display()),
        (None, 0) => "(unknown position)".to_string(),
        (None, _) => format!("line {line}, column {column}"),
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
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

/// The candidate closest to `name` by edit distance, if within a third of its length.
fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = name.chars().count().div_ceil(3).max(1);
    let distance = |a: &str, b: &str| {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, cb) in b.iter().enumerate() {
                cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    };
    candidates
        .into_iter()
        .map(|c| (distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

impl Plan {
    /// Parses and validates a plan written in TOML; `file` only labels error messages.
    pub fn from_toml_str(text: &str, file: Option<&Path>) -> Result<Plan, PlanError> {
        let plan: Plan = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((0, 0), |s| line_col(text, s.start));
            PlanError::Syntax {
                file: file.map(Path::to_path_buf),
                line,
                column,
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
        let text = std::fs::read_to_string(path).map_err(|e| PlanError::Io {
            file: path.to_path_buf(),
            message: e.to_string(),
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

    fn problem(&self) -> Option<String> {
        if self.id.trim().is_empty() {
            return Some("`id` must not be empty".into());
        }
        if !(self.floor > 0.0 && self.floor <= 1.0) {
            return Some(format!(
                "floor {} must be above 0 and at most 1 (no class is exempt)",
                self.floor
            ));
        }
        if self.draws_per_year == 0 {
            return Some("draws_per_year must be at least 1".into());
        }
        if self.inspectors.per_task == 0 {
            return Some("inspectors.per_task must be at least 1".into());
        }
        if let Some(s) = self
            .strata
            .iter()
            .enumerate()
            .find(|(i, s)| self.strata[..*i].contains(s))
        {
            return Some(format!(
                "strata: `{}` is listed twice",
                STRATA[*s.1 as usize]
            ));
        }
        if self.class.is_empty() {
            return Some("the plan names no classes; add a [class.A] table for each class".into());
        }
        for (name, rule) in &self.class {
            let problem = match (rule.ratio, rule.per_year, rule.full_coverage) {
                (None, None, true) => continue,
                (Some(_), _, true) => "full_coverage = true inspects every enterprise; remove `ratio`".into(),
                (_, Some(_), true) => "full_coverage = true inspects every enterprise; remove `per_year`".into(),
                (None, None, false) => "give `ratio` (share drawn in each stratum), `per_year` (minimum inspections a year) or `full_coverage = true`".into(),
                (Some(_), Some(_), false) => "give either `ratio` or `per_year`, not both".into(),
                (Some(r), None, false) if !(r > 0.0 && r <= 1.0) => format!("ratio {r} is outside (0, 1]"),
                (None, Some(p), false) if !(p > 0.0 && p.is_finite()) => format!("per_year {p} must be a positive number"),
                (Some(r), None, false) if r < self.floor => format!(
                    "ratio {r} is below the plan's floor {} (no class is exempt)",
                    self.floor
                ),
                (None, Some(p), false) if p / f64::from(self.draws_per_year) < self.floor => format!(
                    "per_year {p} over {} draws a year is a ratio of {:.4} per draw, below the plan's floor {} (no class is exempt)",
                    self.draws_per_year,
                    p / f64::from(self.draws_per_year),
                    self.floor
                ),
                _ => continue,
            };
            return Some(format!("class {name}: {problem}"));
        }
        None
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
fn hex(bytes: &[u8]) -> String {
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
        assert_eq!(
            err("id = \"t\"\nfloor = 0\n[class.A]\nratio = 1\n"),
            "p.toml: plan `t`: floor 0 must be above 0 and at most 1 (no class is exempt)"
        );
    }

    #[test]
    fn syntax_messages_have_positions_and_suggestions() {
        assert_eq!(
            err(&format!("{HEAD}[class.A]\nratoi = 0.1\n")),
            "p.toml:4:1: unknown field `ratoi`, expected one of `ratio`, `per_year`, `full_coverage` (did you mean `ratio`?)"
        );
        assert_eq!(
            err(&format!(
                "{HEAD}strata = [\"distrct\"]\n[class.A]\nratio = 1\n"
            )),
            "p.toml:3:10: unknown stratum `distrct` (did you mean `district`?); use any of `district`, `industry`, `industry_division`"
        );
        assert!(err("floor = 0.1\n[class.A]\nratio = 1\n").contains("missing field `id`"));
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
    fn industry_sections_and_divisions() {
        assert_eq!(industry_codes("C14"), ("C".into(), "C14".into()));
        assert_eq!(industry_codes("c1411"), ("C".into(), "C14".into()));
        assert_eq!(industry_codes("1411"), ("C".into(), "C14".into()));
        assert_eq!(industry_codes("5212"), ("F".into(), "F52".into()));
        assert_eq!(industry_codes("G"), ("G".into(), String::new()));
        assert_eq!(industry_codes(""), (String::new(), String::new()));
    }
}
