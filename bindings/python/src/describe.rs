//! What a model set holds and why an enterprise got its grade, as the JSON the Python package reads.

use riskgrade::{Direction, Frame, Grades, InputSpec, ModelSet, ScoreFn, Source, Stage};
use serde::Serialize;
use serde_json::{Value, json};

/// A model set, for `Model.describe()`.
#[derive(Serialize)]
struct SetInfo<'a> {
    version_id: &'a str,
    name: Option<&'a str>,
    models: Vec<ModelInfo<'a>>,
    inputs: Vec<InputInfo<'a>>,
    rules: Vec<RuleInfo<'a>>,
}

#[derive(Serialize)]
struct ModelInfo<'a> {
    id: &'a str,
    name: &'a str,
    scale: [f64; 2],
    higher_is: Direction,
    classes: Vec<ClassInfo<'a>>,
    indicators: Vec<IndicatorInfo<'a>>,
}

#[derive(Serialize)]
struct ClassInfo<'a> {
    name: &'a str,
    label: &'a str,
}

/// Where an indicator's value comes from: an input, or another model's score.
#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
enum SourceInfo<'a> {
    Input(&'a str),
    Model(&'a str),
}

#[derive(Serialize)]
struct IndicatorInfo<'a> {
    path: &'a str,
    name: &'a str,
    weight: f64,
    dimension: &'a str,
    source: SourceInfo<'a>,
    score: &'static str,
}

#[derive(Serialize)]
struct InputInfo<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    ty: &'a str,
    derive: Option<Value>,
    description: Option<&'a str>,
}

#[derive(Serialize)]
struct RuleInfo<'a> {
    id: &'a str,
    description: Option<&'a str>,
    stage: Stage,
    priority: i64,
    enabled: bool,
    effective: Option<String>,
    expires: Option<String>,
    when: Option<&'a str>,
    file: Option<&'a str>,
}

/// The kind of a scoring function.
fn score_kind(f: &ScoreFn) -> &'static str {
    match f {
        ScoreFn::Bins { .. } => "bins",
        ScoreFn::Linear { .. } => "linear",
        ScoreFn::Boolean { .. } => "boolean",
        ScoreFn::Category { .. } => "category",
    }
}

fn input_info<'a>(name: &'a str, s: &'a InputSpec) -> InputInfo<'a> {
    InputInfo {
        name,
        ty: s.ty.name(),
        derive: s.derive.as_ref().and_then(|d| serde_json::to_value(d).ok()),
        description: s.description.as_deref(),
    }
}

/// What the set holds, as JSON: models, indicators, classes, inputs, rules.
pub(crate) fn describe(set: &ModelSet) -> String {
    let models = set
        .models()
        .iter()
        .map(|m| {
            let classes = m.classes();
            ModelInfo {
                id: m.id(),
                name: m.name(),
                scale: [m.scale().min, m.scale().max],
                higher_is: m.scale().higher,
                classes: classes
                    .names()
                    .iter()
                    .zip(classes.labels())
                    .map(|(name, label)| ClassInfo { name, label })
                    .collect(),
                indicators: m
                    .leaves()
                    .iter()
                    .map(|l| IndicatorInfo {
                        path: &l.path,
                        name: &l.name,
                        weight: l.weight,
                        dimension: &m.nodes()[m.dimensions()[l.dimension]].path,
                        source: match &l.source {
                            Source::Input { name, .. } => SourceInfo::Input(name),
                            Source::Model(id) => SourceInfo::Model(id),
                        },
                        score: score_kind(&l.func),
                    })
                    .collect(),
            }
        })
        .collect();
    let rules = set
        .rules()
        .rules()
        .iter()
        .map(|r| {
            let s = r.spec();
            RuleInfo {
                id: &s.id,
                description: s.description.as_deref(),
                stage: s.stage,
                priority: s.priority,
                enabled: s.enabled,
                effective: s.effective.map(|d| d.to_string()),
                expires: s.expires.map(|d| d.to_string()),
                when: s.when.as_deref(),
                file: s.file.as_deref(),
            }
        })
        .collect();
    let info = SetInfo {
        version_id: set.version_id(),
        name: set.spec().name.as_deref(),
        models,
        inputs: set
            .schema()
            .inputs()
            .iter()
            .map(|(n, s)| input_info(n, s))
            .collect(),
        rules,
    };
    serde_json::to_string(&info).unwrap_or_default()
}

/// Why the enterprise at `row` got its grade, as JSON (with the readable report as `text`).
pub(crate) fn explanation_json(grades: &Grades, frame: &Frame, row: usize) -> String {
    let ex = grades.explain(frame, row);
    let v = json!({
        "id": ex.id,
        "name": ex.name,
        "industry": ex.industry,
        "model": ex.model.0,
        "model_name": ex.model.1,
        "version": ex.version,
        "as_of": ex.as_of.to_string(),
        "score": ex.score,
        "base_score": ex.base_score,
        "class": ex.class.as_ref().map(|c| c.0.clone()),
        "class_label": ex.class.as_ref().map(|c| c.1.clone()),
        "dimensions": ex.dimensions.iter().map(|d| json!({
            "path": d.path, "name": d.name, "points": d.points, "share": d.share,
        })).collect::<Vec<_>>(),
        "indicators": ex.indicators.iter().map(|i| json!({
            "path": i.path, "name": i.name, "value": i.value, "points": i.points,
            "weight": i.weight, "contribution": i.contribution, "share": i.share,
        })).collect::<Vec<_>>(),
        "rules": ex.rules,
        "labels": ex.labels,
        "reasons": ex.reasons,
        "issues": ex.issues,
        "text": ex.to_string(),
        "insufficient": ex.insufficient,
    });
    v.to_string()
}
