//! How a rule is declared.

use riskgrade_core::Date;
use serde::{Deserialize, Serialize};

/// When a rule runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Before scoring: qualitative overrides that can place an enterprise directly.
    Before,
    /// After scoring: adjustments, caps and floors, labels and alerts; `score` and `class` are readable.
    After,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

fn is_zero(p: &i64) -> bool {
    *p == 0
}

/// A rule: its id, stage, order, validity and script.
///
/// Rules run in stage order, then by `priority` (higher first), then by id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Identifier, unique in a rule set; errors and explanations name it.
    pub id: String,
    /// What the rule is for, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// When it runs.
    pub stage: Stage,
    /// Higher runs first within a stage (default 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub priority: i64,
    /// A disabled rule is compiled and checked but never runs.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub enabled: bool,
    /// The rule applies from this as-of date on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<Date>,
    /// The rule no longer applies from this as-of date on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Date>,
    /// A condition over the inputs (and, after scoring, `score` and `class`)
    /// that the engine checks over whole columns; the script runs only where it
    /// holds. Without one the script runs for every enterprise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// The script text (in a file, or read from the file named by `file`).
    #[serde(default)]
    pub script: String,
    /// The file the rule came from, for error messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The line of `file` on which the script's first line stands (0: unknown),
    /// so that errors give the line in the file.
    #[serde(default, skip_serializing_if = "is_zero_u32")]
    pub line: u32,
}

fn is_zero_u32(n: &u32) -> bool {
    *n == 0
}

/// What happens when a rule fails on one enterprise (a script error or a limit).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorPolicy {
    /// The enterprise is not graded; its error names the rule and the position (default).
    #[default]
    FailRow,
    /// The rule's effects are dropped for that enterprise, which is graded
    /// without them; the error is still reported.
    SkipRule,
    /// The whole batch stops with the error.
    Abort,
}

impl std::str::FromStr for ErrorPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "fail-row" => Ok(ErrorPolicy::FailRow),
            "skip-rule" => Ok(ErrorPolicy::SkipRule),
            "abort" => Ok(ErrorPolicy::Abort),
            _ => Err(format!(
                "`{s}` is not a rule error policy; use fail-row, skip-rule or abort"
            )),
        }
    }
}

impl RuleSpec {
    /// An enabled rule with an inline script and default priority.
    pub fn inline(id: &str, stage: Stage, script: &str) -> RuleSpec {
        RuleSpec {
            id: id.to_string(),
            description: None,
            stage,
            priority: 0,
            enabled: true,
            effective: None,
            expires: None,
            when: None,
            script: script.to_string(),
            file: None,
            line: 0,
        }
    }

    /// The same rule with a `when` condition.
    ///
    /// ```
    /// use riskgrade_rules::{RuleSpec, Stage};
    /// let r = RuleSpec::inline("veto", Stage::Before, r#"force_class("D", "listed")"#).when("dishonest_listed");
    /// assert_eq!(r.when.as_deref(), Some("dishonest_listed"));
    /// ```
    pub fn when(mut self, condition: &str) -> RuleSpec {
        self.when = Some(condition.to_string());
        self
    }

    /// Whether the rule applies on `as_of`: enabled, effective and not expired.
    ///
    /// ```
    /// use riskgrade_rules::{RuleSpec, Stage};
    /// let mut r = RuleSpec::inline("r", Stage::After, "");
    /// r.effective = Some("2026-01-01".parse().unwrap());
    /// r.expires = Some("2027-01-01".parse().unwrap());
    /// assert!(!r.applies("2025-12-31".parse().unwrap()));
    /// assert!(r.applies("2026-06-30".parse().unwrap()));
    /// assert!(!r.applies("2027-01-01".parse().unwrap()));
    /// ```
    pub fn applies(&self, as_of: Date) -> bool {
        self.enabled
            && self.effective.is_none_or(|d| as_of >= d)
            && self.expires.is_none_or(|d| as_of < d)
    }
}

/// The longest rule id, in characters.
pub const MAX_ID_LEN: usize = 64;

/// Why a text is not a rule id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdProblem {
    /// The id is empty.
    #[error("a rule id cannot be empty")]
    Empty,
    /// The id is longer than [`MAX_ID_LEN`] characters.
    #[error("a rule id has at most {MAX_ID_LEN} characters, not {len}")]
    TooLong {
        /// Its length in characters.
        len: usize,
    },
    /// The id does not start with a letter or `_`.
    #[error("a rule id starts with a letter or `_`, not {found:?}")]
    BadStart {
        /// The first character.
        found: char,
    },
    /// The id holds a character other than letters, digits, `_`, `-` and `.`.
    #[error(
        "a rule id holds only letters, digits, `_`, `-` and `.`, not {found:?} (character {at})"
    )]
    BadChar {
        /// The character.
        found: char,
        /// Its 1-based position in the id.
        at: usize,
    },
}

/// Checks that `id` is a rule id: a letter (of any script) or `_`, then
/// letters, digits, `_`, `-` and `.`, at most [`MAX_ID_LEN`] characters. So an
/// id never holds a space, separator, quote or control character, and never
/// starts like a spreadsheet formula.
///
/// ```
/// use riskgrade_rules::{IdProblem, check_id};
/// assert!(check_id("veto_dishonest").is_ok());
/// assert!(check_id("食品.抽检-1").is_ok());
/// assert_eq!(check_id(""), Err(IdProblem::Empty));
/// assert_eq!(check_id("=cmd"), Err(IdProblem::BadStart { found: '=' }));
/// assert_eq!(check_id("a,b"), Err(IdProblem::BadChar { found: ',', at: 2 }));
/// ```
///
/// # Errors
/// The first problem found, as an [`IdProblem`].
pub fn check_id(id: &str) -> Result<(), IdProblem> {
    let mut chars = id.chars();
    let Some(first) = chars.next() else {
        return Err(IdProblem::Empty);
    };
    if !(first.is_alphabetic() || first == '_') {
        return Err(IdProblem::BadStart { found: first });
    }
    for (k, c) in chars.enumerate() {
        if !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')) {
            return Err(IdProblem::BadChar {
                found: c,
                at: k + 2,
            });
        }
    }
    let len = id.chars().count();
    if len > MAX_ID_LEN {
        return Err(IdProblem::TooLong { len });
    }
    Ok(())
}
