//! The model file format: plain serde types, deserialised strictly (unknown keys are errors).
//!
//! `docs/model-format.md` documents every key; these types are its source of truth.

use std::collections::BTreeMap;

use riskgrade_core::{EffectPeriods, InputSpec};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Which end of the scale is risky.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher scores mean higher risk (Henan's 0–1000 scale).
    Risk,
    /// Higher scores mean lower risk (the common 0–100 "credit score").
    Safety,
}

/// The score scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleSpec {
    /// Lowest possible score.
    pub min: f64,
    /// Highest possible score.
    pub max: f64,
    /// What a higher score means.
    pub higher: Direction,
}

/// What to do when an indicator's input is missing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MissingPolicy {
    /// Give these points.
    Points(f64),
    /// Report the row as bad data.
    Error,
}

impl Serialize for MissingPolicy {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            MissingPolicy::Points(p) => s.serialize_f64(*p),
            MissingPolicy::Error => s.serialize_str("error"),
        }
    }
}

impl<'de> Deserialize<'de> for MissingPolicy {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MissingPolicy, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = MissingPolicy;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("points (a number) or \"error\"")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<MissingPolicy, E> {
                Ok(MissingPolicy::Points(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<MissingPolicy, E> {
                Ok(MissingPolicy::Points(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<MissingPolicy, E> {
                Ok(MissingPolicy::Points(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<MissingPolicy, E> {
                if v == "error" {
                    Ok(MissingPolicy::Error)
                } else {
                    Err(E::custom(format!(
                        "missing policy `{v}` is not known; use points (a number) or \"error\""
                    )))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// How an indicator turns its input into points (on the model's scale, in its direction).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ScoreSpec {
    /// Bins: `x < edges[0]` → `points[0]`, `edges[i-1] <= x < edges[i]` → `points[i]`,
    /// `x >= edges[last]` → `points[last]`. `points` has one more entry than `edges`.
    Bins {
        /// Strictly increasing bin edges.
        edges: Vec<f64>,
        /// Points per bin.
        points: Vec<f64>,
    },
    /// Piecewise linear through the knots (`x`, `y`), flat outside them.
    Linear {
        /// Strictly increasing knot positions.
        x: Vec<f64>,
        /// Points at each knot.
        y: Vec<f64>,
    },
    /// Points for `true` and for `false`.
    Boolean {
        /// Points when the input is true.
        #[serde(rename = "true")]
        if_true: f64,
        /// Points when the input is false.
        #[serde(rename = "false")]
        if_false: f64,
    },
    /// Points per category, and for any other category.
    Category {
        /// Points per category label.
        map: BTreeMap<String, f64>,
        /// Points for a label not in `map`; without it such a label is bad data.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        other: Option<f64>,
    },
}

impl ScoreSpec {
    /// The name of the scoring function.
    pub fn kind(&self) -> &'static str {
        match self {
            ScoreSpec::Bins { .. } => "bins",
            ScoreSpec::Linear { .. } => "linear",
            ScoreSpec::Boolean { .. } => "boolean",
            ScoreSpec::Category { .. } => "category",
        }
    }
}

/// One node of the indicator tree: a dimension, a group or a leaf indicator.
///
/// Nodes are listed flat with dotted paths (`supervision.penalties.count_3y`);
/// a node whose path has a dot needs its parent declared. A leaf has an `input`
/// (or a `model`) and a `score`; an inner node has neither.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// Dotted path; its last segment is the node's id.
    pub path: String,
    /// Weight among its siblings; siblings' weights sum to 1.
    pub weight: f64,
    /// Name for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The input a leaf scores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// Another model of the set whose score this leaf takes (converted to this scale).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The scoring function of a leaf.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<ScoreSpec>,
    /// Missing-value policy of a leaf (default: the model's `[defaults] missing`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<MissingPolicy>,
    /// Reason text when this leaf pushes the score towards risk; `{value}`, `{points}` and `{name}` are filled in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One class: its name, label and either a score band or a target share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassSpec {
    /// Short name (`A`).
    pub name: String,
    /// Label for people (`信用风险低`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Score band `[low, high)`; the band that ends at the scale's maximum includes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<[f64; 2]>,
    /// Target share of the batch (0–1), for quantile cut-offs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
}

/// Defaults applied to every leaf that does not set its own.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultsSpec {
    /// Default missing-value policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<MissingPolicy>,
}

fn default_max_reasons() -> usize {
    3
}

fn is_default_max_reasons(n: &usize) -> bool {
    *n == default_max_reasons()
}

/// One indicator/weight model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// Identifier, unique in a set (`general`, `food`).
    pub id: String,
    /// Name for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the model is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// At most this many reasons per enterprise (default 3).
    #[serde(
        default = "default_max_reasons",
        skip_serializing_if = "is_default_max_reasons"
    )]
    pub max_reasons: usize,
    /// The score scale.
    pub scale: ScaleSpec,
    /// Defaults for leaves.
    #[serde(default, skip_serializing_if = "is_default_defaults")]
    pub defaults: DefaultsSpec,
    /// Effect periods of records (default: minor penalties 3m, everything else 3y).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect_periods: Option<EffectPeriods>,
    /// Classes from lowest to highest risk.
    #[serde(default = "Vec::new")]
    pub classes: Vec<ClassSpec>,
    /// The inputs the leaves read.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub inputs: BTreeMap<String, InputSpec>,
    /// The least evidence an enterprise needs, and what happens below it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insufficient: Option<crate::InsufficientSpec>,
    /// The indicator tree, flat.
    #[serde(rename = "node", default)]
    pub nodes: Vec<NodeSpec>,
    /// How weights and cut-offs were set, oldest first (`riskgrade calibrate` appends one entry
    /// per step). The latest entry naming a node tells how its weight was set.
    #[serde(rename = "provenance", default, skip_serializing_if = "Vec::is_empty")]
    pub provenance: Vec<ProvenanceSpec>,
}

/// A value recorded in a provenance entry: a number, a text or a flag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ProvenanceValue {
    /// A flag.
    Flag(bool),
    /// A number (a CR, an AUC, a share).
    Number(f64),
    /// A text (a table's name, a list written out).
    Text(String),
}

impl std::fmt::Display for ProvenanceValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProvenanceValue::Flag(b) => write!(f, "{b}"),
            ProvenanceValue::Number(x) => write!(f, "{x}"),
            ProvenanceValue::Text(t) => f.write_str(t),
        }
    }
}

/// One step that set weights or cut-offs of a model: which method, on what, with what result.
///
/// ```toml
/// [[provenance]]
/// method = "ahp"
/// date = "2026-11-27"
/// derived_from = "3f2a9c0d1e4b5a67"
/// weights = ["supervision.penalties", "supervision.dishonest", "supervision.inspections"]
/// parameters = { ri_table = "saaty-1980", max_cr = 0.1, experts = 1 }
/// metrics = { lambda_max = 3.0037, ci = 0.0018, cr = 0.0032 }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvenanceSpec {
    /// The method: `ahp`, `entropy`, `critic`, `logistic`, `cutoffs-shares`, `cutoffs-rates`, or
    /// `expert` for weights set by hand.
    pub method: String,
    /// When (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The version id of the model set this step started from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived_from: Option<String>,
    /// SHA-256 of the inputs (judgements, data, outcomes), so a step can be checked later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs_digest: Option<String>,
    /// The nodes whose weights this step set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weights: Vec<String>,
    /// Whether this step set the class cut-offs.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cutoffs: bool,
    /// The method's parameters (a random-index table, an expert share, a hold-out share).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, ProvenanceValue>,
    /// What came out (λmax, CI, CR; AUC, KS; achieved shares).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<String, ProvenanceValue>,
    /// Free text for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn is_default_defaults(d: &DefaultsSpec) -> bool {
    *d == DefaultsSpec::default()
}

/// Routes enterprises to a model by industry, by licence type, or by both.
///
/// A route names `industries`, `licences`, or both (then an enterprise must
/// match both). Precedence, whatever the order of the routes: routes naming
/// both (longest industry prefix, then file order), then routes naming only
/// licences (file order), then routes naming only industries (longest
/// prefix), then the set's `default`. An enterprise holds a licence type when
/// at least one licence of that type is valid on the as-of date; in columnar
/// data, when its column `licence_<type>` is 1 or more (see
/// [`ModelSet::licence_inputs`](crate::ModelSet::licence_inputs)).
///
/// ```toml
/// [[route]]
/// industries = ["C13", "C14", "C15"]
/// model = "food"
///
/// [[route]]
/// licences = ["special_equipment_use"]
/// model = "special_equipment"
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSpec {
    /// Industry code prefixes (GB/T 4754), e.g. `["C13", "C14", "C15"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub industries: Vec<String>,
    /// Licence types (as profiles' licences name them), e.g. `["special_equipment_use"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licences: Vec<String>,
    /// The model that grades them.
    pub model: String,
}

/// A set of models: the general model, specialised models and the routing between them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSetSpec {
    /// Name for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The model for industries no route matches; without it such industries are bad data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Routes by industry and licence type; see [`RouteSpec`] for their precedence.
    #[serde(rename = "route", default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<RouteSpec>,
    /// The models, inline.
    #[serde(rename = "model")]
    pub models: Vec<ModelSpec>,
    /// Rule scripts, in declaration order (they run by stage, priority, id).
    #[serde(rename = "rule", default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<riskgrade_rules::RuleSpec>,
    /// Where alerts raised by rules go.
    #[serde(default, skip_serializing_if = "crate::routing::RoutingSpec::is_empty")]
    pub routing: crate::routing::RoutingSpec,
    /// Limits on every run of a rule (defaults when absent).
    #[serde(
        default,
        skip_serializing_if = "crate::routing::RuleLimitsSpec::is_default"
    )]
    pub rule_limits: crate::routing::RuleLimitsSpec,
    /// What to do with bad credit, industry and district codes (`[codes]`).
    #[serde(default, skip_serializing_if = "crate::codes::CodesSpec::is_default")]
    pub codes: crate::codes::CodesSpec,
}
