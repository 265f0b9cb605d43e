//! What a plan covers ([`Scope`]) and which enterprises it always inspects ([`Forced`]).

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
        let (section, division) = industry_codes(&c.industry);
        let code = normalised_industry(&c.industry, &section, &division);
        let industry = self.industries.is_empty()
            || self
                .industries
                .iter()
                .any(|p| code.starts_with(&p.trim().to_ascii_uppercase()));
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

/// The industry code with its section letter, upper case: `1411` becomes `C1411`.
fn normalised_industry(code: &str, section: &str, division: &str) -> String {
    let code = code.trim().to_ascii_uppercase();
    if code.starts_with(|c: char| c.is_ascii_alphabetic()) || section.is_empty() {
        code
    } else if division.is_empty() {
        section.to_string()
    } else {
        format!("{section}{code}")
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

/// GB/T 4754-2017 section letter and division (letter + 2 digits) of an industry code written
/// either with its letter (`C14`, `C1411`) or as digits only (`1411`).
pub(crate) fn industry_codes(code: &str) -> (String, String) {
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
        assert_eq!(scope.miss(&candidate("1310", &[])), None);
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
}
