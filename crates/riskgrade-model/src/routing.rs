//! Alert routing: which department an alert goes to. "Whoever approves
//! supervises" (谁审批、谁监管) sends it to the department that issued the
//! enterprise's licence; "whoever is in charge supervises" (谁主管、谁监管) to
//! the department in charge of its industry.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use riskgrade_core::codes::IndustryCode;

use crate::codes::industry_key;
use crate::error::SetProblem;

/// How names are compared: trimmed, ASCII case folded.
fn key(name: &str) -> String {
    name.trim().to_ascii_lowercase()
}

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

/// A department of the registry: the name queues and reports show, and the
/// other names it goes by (those licences and older tables carry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentSpec {
    /// The name queues and reports show.
    pub name: String,
    /// Other names it goes by.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
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
///
/// With a `[routing.departments]` registry, every department named above must
/// be one of its ids, names or aliases, routing answers with the department's
/// name, and the issuer written on a licence is looked up in it (an issuer it
/// does not know is reported in the routing basis, never made a department):
///
/// ```toml
/// [routing.departments.food_production]
/// name = "Food Production Safety Division (食品生产安全监督管理处)"
/// aliases = ["食品生产安全监督管理处"]
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
    /// The department registry: id → name and aliases.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub departments: BTreeMap<String, DepartmentSpec>,
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
        self.check_registry()?;
        for (code, dept) in &self.industry {
            if let Err(error) = IndustryCode::parse(code) {
                return Err(SetProblem::BadIndustryCode {
                    model: None,
                    code: code.clone(),
                    error,
                });
            }
            self.check_department(&format!("industry.{code}"), dept)?;
        }
        for (licence, dept) in &self.licence {
            self.check_department(&format!("licence.{licence}"), dept)?;
        }
        if let Some(d) = &self.default {
            self.check_department("default", d)?;
        }
        for (name, t) in &self.topic {
            if let Some(d) = &t.department {
                self.check_department(&format!("topic.{name}"), d)?;
            }
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

    /// Every id, name and alias of the registry names one department.
    fn check_registry(&self) -> Result<(), SetProblem> {
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for (id, d) in &self.departments {
            let mut names: Vec<&str> = vec![id, &d.name];
            names.extend(d.aliases.iter().map(String::as_str));
            names.sort_unstable();
            names.dedup();
            for n in names {
                if let Some(first) = seen.insert(key(n), id) {
                    return Err(SetProblem::DepartmentAliasTwice {
                        alias: n.to_string(),
                        first: first.to_string(),
                        second: id.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    fn check_department(&self, place: &str, name: &str) -> Result<(), SetProblem> {
        if self.departments.is_empty() || self.department(name).is_some() {
            return Ok(());
        }
        let known = self.departments.iter().flat_map(|(id, d)| {
            std::iter::once(id.as_str())
                .chain(std::iter::once(d.name.as_str()))
                .chain(d.aliases.iter().map(String::as_str))
        });
        Err(SetProblem::UnknownDepartment {
            place: place.to_string(),
            department: name.to_string(),
            suggestion: riskgrade_core::did_you_mean(name, known).map(str::to_string),
        })
    }

    /// The registry's department (id and entry) that `name` is the id, name or
    /// alias of; spaces around it and ASCII case do not matter.
    ///
    /// ```
    /// use riskgrade_model::RoutingSpec;
    /// let r: RoutingSpec = toml::from_str(r#"
    /// [departments.food_production]
    /// name = "Food Production Safety Division (食品生产安全监督管理处)"
    /// aliases = ["食品生产安全监督管理处", "Food Production Safety Division"]
    /// "#).unwrap();
    /// let (id, d) = r.department(" food production safety division ").unwrap();
    /// assert_eq!((id, d.name.as_str()), ("food_production", "Food Production Safety Division (食品生产安全监督管理处)"));
    /// assert!(r.department("market_regulation").is_none());
    /// ```
    pub fn department(&self, name: &str) -> Option<(&str, &DepartmentSpec)> {
        let k = key(name);
        self.departments.iter().find_map(|(id, d)| {
            let hit = key(id) == k || key(&d.name) == k || d.aliases.iter().any(|a| key(a) == k);
            hit.then_some((id.as_str(), d))
        })
    }

    /// The name routing answers with: the registry's name for `name`, or
    /// `name` itself when there is no registry (or it is not in it).
    fn canonical(&self, name: &str) -> String {
        self.department(name)
            .map_or_else(|| name.to_string(), |(_, d)| d.name.clone())
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
        let code = industry_key(industry);
        let by_industry = || {
            self.industry
                .iter()
                .map(|(p, d)| (industry_key(p), d))
                .filter(|(p, _)| code.starts_with(p.as_str()))
                .max_by_key(|(p, _)| p.len())
                .map(|(p, d)| {
                    (
                        Some(self.canonical(d)),
                        format!("in charge of industry {p} (谁主管、谁监管)"),
                    )
                })
        };
        // The issuer written on the licence, through the registry: one that
        // the registry does not know is reported and routing goes on.
        let mut unknown_issuer = None;
        let mut issued_by = |l: &str| {
            let written = issuer(l)?;
            if self.departments.is_empty() {
                return Some(written);
            }
            match self.department(&written) {
                Some((_, d)) => Some(d.name.clone()),
                None => {
                    unknown_issuer = Some(written);
                    None
                }
            }
        };
        let found = match self.topic.get(topic) {
            Some(TopicRoute {
                department: Some(d),
                ..
            }) => Some((Some(self.canonical(d)), format!("topic `{topic}`"))),
            Some(TopicRoute {
                by: Some(RouteBy::Licence),
                licence: Some(l),
                ..
            }) => issued_by(l)
                .map(|d| (Some(d), format!("issued the {l} licence (谁审批、谁监管)")))
                .or_else(|| {
                    self.licence.get(l).map(|d| {
                        (
                            Some(self.canonical(d)),
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
        let (department, basis) = found.unwrap_or_else(|| match &self.default {
            Some(d) => (Some(self.canonical(d)), "the default department".into()),
            None => (None, "no route: add `default` under [routing]".into()),
        });
        match unknown_issuer {
            Some(who) => (
                department,
                format!(
                    "{basis}; the issuer `{who}` on its licence is not in [routing.departments]"
                ),
            ),
            None => (department, basis),
        }
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
    /// Effects (labels, alerts, adjustments, class moves) per enterprise, all rules together (default 64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_effects: Option<usize>,
    /// Bytes of one effect's text: a reason, label, alert topic or message (default 1,024).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_text_len: Option<usize>,
    /// Bytes of all of one enterprise's effect texts together (default 16,384).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_effect_bytes: Option<usize>,
    /// Wall-clock milliseconds for the rules pass over one batch (default 600,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_budget_ms: Option<u64>,
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
        if let Some(n) = self.max_effects {
            l = l.max_effects(n);
        }
        if let Some(n) = self.max_text_len {
            l = l.max_text_len(n);
        }
        if let Some(n) = self.max_effect_bytes {
            l = l.max_effect_bytes(n);
        }
        if let Some(ms) = self.batch_budget_ms {
            l = l.batch_budget(std::time::Duration::from_millis(ms));
        }
        l
    }

    /// Each key given, with its value and ceiling ([`riskgrade_rules::Limits::CEILING`]).
    fn keys(&self) -> [(&'static str, Option<u64>, u64); 11] {
        let c = riskgrade_rules::Limits::CEILING;
        let n = |v: Option<usize>| v.map(|v| v as u64);
        let ms = |d: std::time::Duration| d.as_millis() as u64;
        [
            ("max_operations", self.max_operations, c.operations()),
            (
                "max_call_levels",
                n(self.max_call_levels),
                c.call_levels() as u64,
            ),
            (
                "max_expr_depth",
                n(self.max_expr_depth),
                c.expr_depth() as u64,
            ),
            (
                "max_string_size",
                n(self.max_string_size),
                c.string_size() as u64,
            ),
            (
                "max_array_size",
                n(self.max_array_size),
                c.array_size() as u64,
            ),
            ("max_map_size", n(self.max_map_size), c.map_size() as u64),
            ("time_budget_ms", self.time_budget_ms, ms(c.run_budget())),
            ("max_effects", n(self.max_effects), c.effects() as u64),
            ("max_text_len", n(self.max_text_len), c.text_len() as u64),
            (
                "max_effect_bytes",
                n(self.max_effect_bytes),
                c.effect_bytes() as u64,
            ),
            ("batch_budget_ms", self.batch_budget_ms, ms(c.batch())),
        ]
    }

    /// Checks every limit against its hard ceiling.
    ///
    /// ```
    /// use riskgrade_model::RuleLimitsSpec;
    /// let mut l = RuleLimitsSpec::default();
    /// l.max_operations = Some(1_000_000);
    /// assert!(l.check().is_ok());
    /// l.max_operations = Some(u64::MAX);
    /// assert!(l.check().unwrap_err().to_string().contains("ceiling"));
    /// ```
    ///
    /// # Errors
    /// [`SetProblem::RuleLimit`] for the first limit above its ceiling.
    pub fn check(&self) -> Result<(), SetProblem> {
        for (key, value, ceiling) in self.keys() {
            if let Some(value) = value
                && value > ceiling
            {
                return Err(SetProblem::RuleLimit {
                    key,
                    value,
                    ceiling,
                });
            }
        }
        Ok(())
    }
}
