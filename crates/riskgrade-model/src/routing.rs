//! Alert routing: which department an alert goes to. "Whoever approves
//! supervises" (谁审批、谁监管) sends it to the department that issued the
//! enterprise's licence; "whoever is in charge supervises" (谁主管、谁监管) to
//! the department in charge of its industry.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::SetProblem;

/// How alerts of one topic are routed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicRoute {
    /// `licence`: to the issuer of the enterprise's licence of type `licence`;
    /// `industry`: to the department in charge of its industry. Omit with `department`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<RouteBy>,
    /// The licence type, with `by = "licence"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    /// A fixed department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

/// The principle a topic is routed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteBy {
    /// 谁审批、谁监管: the department that issued the licence.
    Licence,
    /// 谁主管、谁监管: the department in charge of the industry.
    Industry,
}

/// The `[routing]` table of a model set.
///
/// ```toml
/// [routing]
/// default = "credit supervision division"
/// [routing.topic.food_safety]
/// by = "licence"
/// licence = "food_production"
/// [routing.topic.complaints]
/// by = "industry"
/// [routing.licence]
/// food_production = "food production supervision division"
/// [routing.industry]
/// C13 = "agriculture and rural affairs bureau"
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingSpec {
    /// The department for alerts that nothing else routes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Per topic: how its alerts are routed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub topic: BTreeMap<String, TopicRoute>,
    /// Licence type → the department that issues it, used when a profile does
    /// not name the issuing department (and for columnar batches).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub licence: BTreeMap<String, String>,
    /// Industry code prefix → the department in charge; the longest prefix wins.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub industry: BTreeMap<String, String>,
}

impl RoutingSpec {
    /// Whether nothing is configured.
    pub fn is_empty(&self) -> bool {
        *self == RoutingSpec::default()
    }

    /// Checks that every topic says how it routes.
    ///
    /// # Errors
    /// [`SetProblem::RoutingTopic`] naming the topic and what to write.
    pub fn check(&self) -> Result<(), SetProblem> {
        for (name, t) in &self.topic {
            match (t.by, &t.licence, &t.department) {
                (Some(RouteBy::Licence), Some(_), None)
                | (Some(RouteBy::Industry), None, None)
                | (None, None, Some(_)) => {}
                (by, licence, _) => {
                    return Err(SetProblem::RoutingTopic {
                        topic: name.clone(),
                        needs_licence: by == Some(RouteBy::Licence) && licence.is_none(),
                    });
                }
            }
        }
        Ok(())
    }

    /// The department for an alert on `topic` about an enterprise in `industry`;
    /// `issuer(licence type)` gives the department named on the enterprise's
    /// licence, when known. Returns the department and the basis, for the trace.
    ///
    /// ```
    /// use riskgrade_model::RoutingSpec;
    /// let r: RoutingSpec = toml::from_str(r#"
    /// default = "credit"
    /// [topic.food_safety]
    /// by = "licence"
    /// licence = "food_production"
    /// [topic.complaints]
    /// by = "industry"
    /// [licence]
    /// food_production = "food production division"
    /// [industry]
    /// C14 = "industry and IT bureau"
    /// "#).unwrap();
    /// let none = |_: &str| None;
    /// assert_eq!(r.route("food_safety", "C1431", none).0.as_deref(), Some("food production division"));
    /// assert_eq!(r.route("food_safety", "C1431", |_| Some("district bureau".into())).0.as_deref(), Some("district bureau"));
    /// assert_eq!(r.route("complaints", "C1431", none).0.as_deref(), Some("industry and IT bureau"));
    /// assert_eq!(r.route("complaints", "F5211", none).0.as_deref(), Some("credit"));
    /// assert_eq!(r.route("other", "F5211", none).0.as_deref(), Some("credit"));
    /// ```
    pub fn route(
        &self,
        topic: &str,
        industry: &str,
        issuer: impl Fn(&str) -> Option<String>,
    ) -> (Option<String>, String) {
        let by_industry = || {
            let code = industry.trim();
            self.industry
                .iter()
                .filter(|(p, _)| code.starts_with(p.as_str()))
                .max_by_key(|(p, _)| p.len())
                .map(|(p, d)| {
                    (
                        Some(d.clone()),
                        format!("in charge of industry {p} (谁主管、谁监管)"),
                    )
                })
        };
        let found = match self.topic.get(topic) {
            Some(TopicRoute {
                department: Some(d),
                ..
            }) => Some((Some(d.clone()), format!("topic `{topic}`"))),
            Some(TopicRoute {
                by: Some(RouteBy::Licence),
                licence: Some(l),
                ..
            }) => issuer(l)
                .map(|d| (Some(d), format!("issued the {l} licence (谁审批、谁监管)")))
                .or_else(|| {
                    self.licence.get(l).map(|d| {
                        (
                            Some(d.clone()),
                            format!("issues {l} licences (谁审批、谁监管)"),
                        )
                    })
                })
                .or_else(by_industry),
            Some(TopicRoute {
                by: Some(RouteBy::Industry),
                ..
            }) => by_industry(),
            _ => None,
        };
        found.unwrap_or_else(|| match &self.default {
            Some(d) => (Some(d.clone()), "the default department".into()),
            None => (None, "no route: add `default` under [routing]".into()),
        })
    }
}

/// The `[rule_limits]` table of a model set: limits on every run of a rule
/// on an enterprise; keys left out keep their defaults.
///
/// ```toml
/// [rule_limits]
/// max_operations = 20000
/// time_budget_ms = 20
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleLimitsSpec {
    /// Operations per run (default 100,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_operations: Option<u64>,
    /// Nesting of function calls (default 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_call_levels: Option<usize>,
    /// Nesting of expressions (default 64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_expr_depth: Option<usize>,
    /// Bytes of any string a script builds (default 4,096).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_string_size: Option<usize>,
    /// Items of any array a script builds (default 1,024).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_array_size: Option<usize>,
    /// Entries of any map a script builds (default 256).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_map_size: Option<usize>,
    /// Wall-clock milliseconds per run (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_budget_ms: Option<u64>,
}

impl RuleLimitsSpec {
    /// Whether every limit keeps its default.
    pub fn is_default(&self) -> bool {
        *self == RuleLimitsSpec::default()
    }

    /// The limits: the defaults, with the keys given here replaced.
    pub fn limits(&self) -> riskgrade_rules::Limits {
        let mut l = riskgrade_rules::Limits::default();
        if let Some(n) = self.max_operations {
            l = l.max_operations(n);
        }
        if let Some(n) = self.max_call_levels {
            l = l.max_call_levels(n);
        }
        if let Some(n) = self.max_expr_depth {
            l = l.max_expr_depth(n);
        }
        if let Some(n) = self.max_string_size {
            l = l.max_string_size(n);
        }
        if let Some(n) = self.max_array_size {
            l = l.max_array_size(n);
        }
        if let Some(n) = self.max_map_size {
            l = l.max_map_size(n);
        }
        if let Some(ms) = self.time_budget_ms {
            l = l.time_budget(std::time::Duration::from_millis(ms));
        }
        l
    }
}
