//! What a plan covers ([`Scope`]) and which enterprises it always inspects ([`Forced`]).

use riskgrade_core::codes::{IndustryCode, IndustryLevel};
use serde::{Deserialize, Serialize};

use crate::Candidate;

/// The enterprises a plan applies to. Every list that is given must match (an empty list matches
/// everything); within a list any entry matches. Enterprises out of scope are not candidates of
/// the plan's draws at all: they are neither drawn nor forced, and the draw counts them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Scope {
    /// Industry codes or prefixes (GB/T 4754 with the section letter: `C`, `C14`, `C1411`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) industries: Vec<String>,
    /// Licence types held (e.g. `food_production`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) licence_types: Vec<String>,
    /// Administrative districts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) districts: Vec<String>,
    /// Classification labels (e.g. `重点监管`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) labels: Vec<String>,
}

impl Scope {
    /// Whether the scope restricts anything.
    pub(crate) fn is_everything(&self) -> bool {
        self.industries.is_empty()
            && self.licence_types.is_empty()
            && self.districts.is_empty()
            && self.labels.is_empty()
    }

    /// The first list the candidate fails (`industries`, `licence_types`, `districts`,
    /// `labels`), or `None` when it is in scope.
    pub(crate) fn miss(&self, c: &Candidate) -> Option<&'static str> {
        let code = IndustryCode::parse(&c.industry).map(|c| c.as_str());
        let industry = self.industries.is_empty()
            || code.is_ok_and(|code| {
                self.industries
                    .iter()
                    .any(|p| code.starts_with(&normalised_prefix(p)))
            });
        let licence = self.licence_types.is_empty()
            || self.licence_types.iter().any(|l| c.licences.contains(l));
        let district = self.districts.is_empty()
            || self.districts.iter().any(|d| d.trim() == c.district.trim());
        let label = self.labels.is_empty() || self.labels.iter().any(|l| c.labels.contains(l));
        [
            (industry, "industries"),
            (licence, "licence_types"),
            (district, "districts"),
            (label, "labels"),
        ]
        .into_iter()
        .find_map(|(ok, list)| (!ok).then_some(list))
    }
}

fn one() -> u32 {
    1
}

/// Enterprises inspected whatever the random draw: alerts (complaints are an alert topic) and
/// labels. Forced tasks come on top of the random quota and are capped per enterprise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Forced {
    /// Alert topics that force an inspection (`"*"`: any alert).
    #[serde(default)]
    pub(crate) alert_topics: Vec<String>,
    /// Labels that force an inspection.
    #[serde(default)]
    pub(crate) labels: Vec<String>,
    /// Most forced tasks of one enterprise in one period (default 1).
    #[serde(default = "one")]
    pub(crate) max_per_period: u32,
    /// Most forced tasks of one enterprise in one calendar year (none: no cap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_per_year: Option<u32>,
}

impl Default for Forced {
    fn default() -> Self {
        Forced {
            alert_topics: Vec::new(),
            labels: Vec::new(),
            max_per_period: 1,
            max_per_year: None,
        }
    }
}

impl Forced {
    /// Why the plan forces the candidate's inspection, e.g. `alert complaints`, before caps.
    pub(crate) fn reason(&self, c: &Candidate) -> Option<String> {
        let any = self.alert_topics.iter().any(|t| t == "*");
        let alert = if any {
            c.alerts.first()
        } else {
            self.alert_topics.iter().find(|t| c.alerts.contains(t))
        };
        if let Some(topic) = alert {
            return Some(format!("alert {topic}"));
        }
        self.labels
            .iter()
            .find(|l| c.labels.contains(l))
            .map(|l| format!("label {l}"))
    }
}

/// GB/T 4754-2017 section letter and division (letter + 2 digits) of an industry code, read by
/// [`IndustryCode`] of the core so that plans, routing and `when` conditions agree on every
/// spelling (`C1411`, `1411`, `c 1411`, full-width). A code the standard does not have (`ZZ99`,
/// `A1411`, `1499`) is bad data: both parts are empty and the candidate's stratum is `unknown`.
pub(crate) fn industry_codes(code: &str) -> (String, String) {
    match IndustryCode::parse(code) {
        Ok(c) => {
            let division = if c.level() == IndustryLevel::Section {
                String::new()
            } else {
                c.as_str()[..3].to_string()
            };
            (c.section().to_string(), division)
        }
        Err(_) => (String::new(), String::new()),
    }
}

/// The normal form of a scope's industry prefix: a code of the standard in its normal form
/// (`c14` → `C14`), otherwise the text trimmed and upper case.
fn normalised_prefix(prefix: &str) -> String {
    match IndustryCode::parse(prefix) {
        Ok(c) => c.as_str().to_string(),
        Err(_) => prefix.trim().to_ascii_uppercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(industry: &str, licences: &[&str]) -> Candidate {
        Candidate {
            id: "E1".into(),
            class: "B".into(),
            score: None,
            district: "Haidian".into(),
            industry: industry.into(),
            alerts: vec![],
            labels: vec!["重点监管".into()],
            licences: licences.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn scope_lists_are_all_required() {
        let scope = Scope {
            industries: vec!["C13".into(), "c14".into()],
            ..Scope::default()
        };
        assert_eq!(scope.miss(&candidate("C1411", &[])), None);
        assert_eq!(scope.miss(&candidate("1311", &[])), None);
        assert_eq!(scope.miss(&candidate("F5211", &[])), Some("industries"));
        let scope = Scope {
            licence_types: vec!["food_production".into()],
            districts: vec!["Haidian".into()],
            ..Scope::default()
        };
        assert_eq!(scope.miss(&candidate("F52", &["food_production"])), None);
        assert_eq!(scope.miss(&candidate("F52", &[])), Some("licence_types"));
        assert!(Scope::default().is_everything());
    }

    #[test]
    fn every_spelling_of_a_code_is_in_scope_and_unknown_codes_are_not() {
        let scope = Scope {
            industries: vec!["c14".into()],
            ..Scope::default()
        };
        for written in [
            "C1411",
            "1411",
            "c1411",
            "C 1411",
            " c 14 11 ",
            "Ｃ１４１１",
        ] {
            assert_eq!(scope.miss(&candidate(written, &[])), None, "{written}");
            assert_eq!(
                industry_codes(written),
                ("C".into(), "C14".into()),
                "{written}"
            );
        }
        // Not codes of GB/T 4754-2017: out of every industry scope, stratum unknown.
        let all_c = Scope {
            industries: vec!["C".into()],
            ..Scope::default()
        };
        for bad in ["ZZ99", "A1411", "1418", "99", "C1", "C14111", "食品"] {
            assert_eq!(
                all_c.miss(&candidate(bad, &[])),
                Some("industries"),
                "{bad}"
            );
            assert_eq!(industry_codes(bad), (String::new(), String::new()), "{bad}");
        }
    }
}
