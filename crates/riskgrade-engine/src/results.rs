//! The results table: one row per enterprise, in a documented column layout.

use crate::Grades;
use rayon::prelude::*;
use riskgrade_core::Frame;
use riskgrade_io::{OutColumn, OutData, StringArray};
use riskgrade_rules::Action;

/// The version of the results table's layout ([`results_table`]). Version 3
/// made `labels`, `alerts` and `rules` list columns (they were joined text).
pub const RESULTS_SCHEMA_VERSION: u32 = 3;

/// Which optional columns a results table has.
///
/// ```
/// let cols = riskgrade_engine::ResultColumns::default().contributions(true);
/// assert!(cols.has_contributions());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResultColumns {
    dimensions: bool,
    contributions: bool,
}

impl Default for ResultColumns {
    fn default() -> Self {
        ResultColumns {
            dimensions: true,
            contributions: false,
        }
    }
}

impl ResultColumns {
    /// One `dim:<path>` column of points per dimension (default on).
    pub fn dimensions(mut self, yes: bool) -> Self {
        self.dimensions = yes;
        self
    }
    /// One `contrib:<path>` column per indicator (default off); the batch must
    /// have been graded with `Options::contributions(true)`.
    pub fn contributions(mut self, yes: bool) -> Self {
        self.contributions = yes;
        self
    }
    /// Whether indicator contributions are included.
    pub fn has_contributions(&self) -> bool {
        self.contributions
    }
}

/// The results of a batch as table columns, ready for [`riskgrade_io::write_table`].
///
/// Columns, in order (results schema version [`RESULTS_SCHEMA_VERSION`]):
/// `id`, `industry`, `model`, `score`, `class`, `class_label`, `reasons`
/// (rules' effects on the class and score first, then the top indicators;
/// joined with ` | `), `score_before_rules` (the indicators' score), and
/// three list columns ([`OutData::List`]: Arrow `List<Utf8>` in Parquet and
/// Arrow, JSON arrays in JSON, a JSON array of strings in each CSV cell; empty
/// when there are none): `labels`, `alerts` (each `<severity> <topic> ->
/// <department>: <message>`) and `rules` (ids of the rules that acted, in
/// running order); then `status` (`graded` or `error`), `error` (the row's
/// issues joined with `; `, including a rule's error), `model_version`, `as_of`, then `dim:<path>` per
/// dimension and, when asked, `contrib:<path>` per indicator (both named
/// `dim:<model>:<path>` and `contrib:<model>:<path>` when the set has several
/// models, whose scales differ). Rows not graded have empty score, class and
/// reasons.
///
/// ```
/// use std::sync::Arc;
/// use riskgrade_engine::{Grader, Options, ResultColumns, results_table};
/// use riskgrade_io::OutData;
///
/// let set = Arc::new(riskgrade_model::examples::reference()?);
/// let profiles: Vec<riskgrade_core::Enterprise> = serde_json::from_str(r#"[{"id": "E1", "industry": "F5211",
///     "registered": "2015-03-01", "records": [{"kind": "dishonest_list", "date": "2026-03-01", "action": "entry"}]}]"#)?;
/// let as_of = "2026-11-01".parse()?;
/// let frame = riskgrade_core::Frame::from_profiles(&profiles, set.schema(), as_of, set.effect_periods());
/// let grades = Grader::new(set).grade_with(&frame, Some(&profiles), as_of, &Options::default())?;
/// let table = results_table(&grades, &frame, ResultColumns::default());
/// let labels = table.iter().find(|c| c.name == "labels").unwrap();
/// assert_eq!(labels.data, OutData::List(vec![vec!["重点监管".to_string()]]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn results_table(grades: &Grades, frame: &Frame, columns: ResultColumns) -> Vec<OutColumn> {
    let mut out = grade_columns(grades, frame);
    out.extend(rule_columns(grades));
    out.extend(status_columns(grades));
    out.extend(model_columns(grades, columns));
    out
}

/// `id`, `industry`, `model`, `score`, `class`, `class_label`, `reasons`, `score_before_rules`.
fn grade_columns(grades: &Grades, frame: &Frame) -> Vec<OutColumn> {
    let n = grades.len();
    // Short texts go straight into Arrow arrays: no string per cell on the heap.
    let utf8 = |v: StringArray| OutData::Utf8(v);
    vec![
        OutColumn {
            name: "id".into(),
            data: utf8((0..n).map(|r| Some(grades.id(r))).collect()),
        },
        OutColumn {
            name: "industry".into(),
            data: utf8(
                frame
                    .industries()
                    .iter()
                    .map(|s| Some(s.as_str()))
                    .collect(),
            ),
        },
        OutColumn {
            name: "model".into(),
            data: utf8((0..n).map(|r| grades.model(r).map(|m| m.id())).collect()),
        },
        OutColumn {
            name: "score".into(),
            data: OutData::Number((0..n).map(|r| grades.score(r)).collect()),
        },
        OutColumn {
            name: "class".into(),
            data: utf8((0..n).map(|r| grades.class(r)).collect()),
        },
        OutColumn {
            name: "class_label".into(),
            data: utf8(
                (0..n)
                    .map(|r| {
                        let c = grades.class_index(r)?;
                        Some(grades.model(r)?.classes().labels()[c].as_str())
                    })
                    .collect(),
            ),
        },
        OutColumn {
            name: "reasons".into(),
            data: OutData::Text(
                (0..n)
                    .into_par_iter()
                    .map(|r| {
                        grades.is_graded(r).then(|| {
                            let mut s = String::with_capacity(160);
                            grades.push_reason_texts(frame, r, " | ", &mut s);
                            s
                        })
                    })
                    .collect(),
            ),
        },
        OutColumn {
            name: "score_before_rules".into(),
            data: OutData::Number((0..n).map(|r| grades.base_score(r)).collect()),
        },
    ]
}

/// `labels`, `alerts`, `rules`: what the rules did to each row, as lists.
fn rule_columns(grades: &Grades) -> Vec<OutColumn> {
    let n = grades.len();
    let labels = (0..n)
        .map(|r| grades.labels(r).map(str::to_string).collect())
        .collect();
    let alerts = (0..n)
        .map(|r| {
            grades
                .alerts(r)
                .filter_map(|e| match &e.action {
                    Action::Alert {
                        topic,
                        message,
                        severity,
                    } => Some(format!(
                        "{} {topic} -> {}: {message}",
                        severity.name(),
                        e.department.as_deref().unwrap_or("(no route)")
                    )),
                    _ => None,
                })
                .collect()
        })
        .collect();
    let rules = (0..n)
        .map(|r| {
            let mut ids: Vec<String> = Vec::new();
            for e in grades.effects(r) {
                if !ids.iter().any(|id| *id == *e.rule) {
                    ids.push(e.rule.to_string());
                }
            }
            ids
        })
        .collect();
    vec![
        OutColumn::new("labels", OutData::List(labels)),
        OutColumn::new("alerts", OutData::List(alerts)),
        OutColumn::new("rules", OutData::List(rules)),
    ]
}

/// `status`, `error`, `model_version`, `as_of`.
fn status_columns(grades: &Grades) -> Vec<OutColumn> {
    let n = grades.len();
    let utf8 = |v: StringArray| OutData::Utf8(v);
    vec![
        OutColumn {
            name: "status".into(),
            data: utf8(StringArray::from_iter_values((0..n).map(|r| {
                if grades.is_graded(r) {
                    "graded"
                } else {
                    "error"
                }
            }))),
        },
        OutColumn {
            name: "error".into(),
            data: OutData::Text(
                (0..n)
                    .map(|r| {
                        let msgs: Vec<String> = grades
                            .issues_of(r)
                            .map(|i| format!("column `{}`: {}", i.column, i.problem))
                            .collect();
                        (!msgs.is_empty()).then(|| msgs.join("; "))
                    })
                    .collect(),
            ),
        },
        OutColumn {
            name: "model_version".into(),
            data: utf8(StringArray::from_iter_values(std::iter::repeat_n(
                grades.version_id(),
                n,
            ))),
        },
        OutColumn {
            name: "as_of".into(),
            data: utf8(StringArray::from_iter_values(std::iter::repeat_n(
                grades.as_of().to_string(),
                n,
            ))),
        },
    ]
}

/// `dim:<path>` per dimension and, when asked, `contrib:<path>` per indicator,
/// one per (model, dimension) and (model, indicator): models of a set have their own scales.
fn model_columns(grades: &Grades, columns: ResultColumns) -> Vec<OutColumn> {
    let n = grades.len();
    let set = grades.model_set();
    let mut out = Vec::new();
    let many = set.models().len() > 1;
    let mut per_model =
        |kind: &str, mi: usize, path: &str, value: &dyn Fn(usize) -> Option<f64>| {
            let name = if many {
                format!("{kind}:{}:{path}", set.models()[mi].id())
            } else {
                format!("{kind}:{path}")
            };
            let data = (0..n)
                .map(|r| {
                    if grades.model_index(r) == Some(mi) {
                        value(r)
                    } else {
                        None
                    }
                })
                .collect();
            out.push(OutColumn {
                name,
                data: OutData::Number(data),
            });
        };
    for (mi, m) in set.models().iter().enumerate() {
        if columns.dimensions {
            for (k, &d) in m.dimensions().iter().enumerate() {
                per_model("dim", mi, &m.nodes()[d].path, &|r| {
                    grades.dimension_point(r, k)
                });
            }
        }
    }
    for (mi, m) in set.models().iter().enumerate() {
        if columns.contributions {
            for (li, leaf) in m.leaves().iter().enumerate() {
                per_model("contrib", mi, &leaf.path, &|r| {
                    grades.contributions(r).map(|c| c[li])
                });
            }
        }
    }
    out
}
