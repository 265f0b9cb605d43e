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
    /// The script text.
    pub script: String,
    /// The file the script came from, for error messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
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
            script: script.to_string(),
            file: None,
        }
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
