//! The results table: one row per enterprise, in a documented column layout.

mod text;

use std::sync::Arc;

use riskgrade_core::Frame;
use riskgrade_io::arrow::types::Int32Type;
use riskgrade_io::arrow::{DictionaryArray, Int32Array, StringArray};
use riskgrade_io::{OutColumn, OutData};
use riskgrade_model::Model;

use crate::Grades;

/// The version of the results table's layout ([`results_table`]). Version 3
/// made `labels`, `alerts` and `rules` list columns (they were joined text);
/// version 4 made the repeated texts `model`, `class`, `class_label`, `status`,
/// `model_version` and `as_of` Arrow dictionaries (`Dictionary<Int32, Utf8>`;
/// the same text in CSV and JSON, categoricals in pandas and polars); version
/// 5 added `insufficient` after `as_of` (a boolean: the row is below its
/// model's `[insufficient]` minimum evidence).
pub const RESULTS_SCHEMA_VERSION: u32 = 5;

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
/// three list columns ([`OutData::Lists`]: Arrow `List<Utf8>` in Parquet and
/// Arrow, JSON arrays in JSON, a JSON array of strings in each CSV cell; empty
/// when there are none): `labels`, `alerts` (each `<severity> <topic> ->
/// <department>: <message>`) and `rules` (ids of the rules that acted, in
/// running order); then `status` (`graded` or `error`), `error` (the row's
/// issues joined with `; `, including a rule's error), `model_version`, `as_of`,
/// `insufficient` (Boolean: true when the row is graded below its model's
/// `[insufficient]` minimum evidence, whose reason then comes first in
/// `reasons`; false when it meets it or its model sets none; empty for rows
/// not graded), then `dim:<path>` per
/// dimension and, when asked, `contrib:<path>` per indicator (both named
/// `dim:<model>:<path>` and `contrib:<model>:<path>` when the set has several
/// models, whose scales differ). Rows not graded have empty score, class and
/// reasons.
///
/// `model`, `class`, `class_label`, `status`, `model_version` and `as_of` are
/// [`OutData::Dictionary`] columns: each row an index into the few distinct
/// texts (`class` holds every model's class names, least risky first). Numbers
/// are [`OutData::Float64`]. Reasons are kept as leaf indices while grading
/// and turned into text here, in parallel chunks, each distinct indicator
/// value's text made once per chunk.
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
/// let batch = riskgrade_io::table_to_batch(&table)?;
/// let labels = batch.column_by_name("labels").unwrap();
/// let labels = labels.as_any().downcast_ref::<riskgrade_io::arrow::ListArray>().unwrap();
/// let first = labels.value(0);
/// let first = first.as_any().downcast_ref::<riskgrade_io::StringArray>().unwrap();
/// assert_eq!(first.value(0), "重点监管");
/// let class = table.iter().find(|c| c.name == "class").unwrap();
/// assert!(matches!(class.data, OutData::Dictionary(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn results_table(grades: &Grades, frame: &Frame, columns: ResultColumns) -> Vec<OutColumn> {
    let n = grades.len();
    let [labels, alerts, rules] = text::rule_lists(grades);
    let mut out = vec![
        OutColumn::new(
            "id",
            OutData::Utf8(grades.ids.iter().map(|s| Some(s.as_str())).collect()),
        ),
        OutColumn::new(
            "industry",
            OutData::Utf8(
                frame
                    .industries()
                    .iter()
                    .map(|s| Some(s.as_str()))
                    .collect(),
            ),
        ),
        OutColumn::new("model", model_dictionary(grades)),
        OutColumn::new("score", numbers(n, |r| grades.score(r))),
        OutColumn::new("class", class_dictionary(grades, |m| m.classes().names())),
        OutColumn::new(
            "class_label",
            class_dictionary(grades, |m| m.classes().labels()),
        ),
        OutColumn::new("reasons", OutData::Utf8(text::reasons(grades, frame))),
        OutColumn::new("score_before_rules", numbers(n, |r| grades.base_score(r))),
        OutColumn::new("labels", OutData::Lists(labels)),
        OutColumn::new("alerts", OutData::Lists(alerts)),
        OutColumn::new("rules", OutData::Lists(rules)),
        OutColumn::new(
            "status",
            dictionary(
                &["graded", "error"],
                (0..n).map(|r| Some(i32::from(!grades.is_graded(r)))),
            ),
        ),
        OutColumn::new("error", OutData::Utf8(text::errors(grades))),
        OutColumn::new(
            "model_version",
            dictionary(&[grades.version_id()], (0..n).map(|_| Some(0))),
        ),
        OutColumn::new(
            "as_of",
            dictionary(
                &[grades.as_of().to_string().as_str()],
                (0..n).map(|_| Some(0)),
            ),
        ),
        OutColumn::new("insufficient", insufficient(grades)),
    ];
    out.extend(model_columns(grades, columns));
    out
}

/// `insufficient`: whether each graded row is below its model's minimum evidence.
fn insufficient(grades: &Grades) -> OutData {
    let mut flags: Vec<Option<bool>> = (0..grades.len())
        .map(|r| grades.is_graded(r).then_some(false))
        .collect();
    for s in grades.shortages.rows() {
        if let Some(f) = flags.get_mut(s.row as usize).and_then(Option::as_mut) {
            *f = true;
        }
    }
    OutData::Bool(flags)
}

/// A column of numbers (`None` missing), straight into an Arrow array.
fn numbers(n: usize, value: impl Fn(usize) -> Option<f64>) -> OutData {
    OutData::Float64((0..n).map(value).collect())
}

/// A dictionary column of `values` with one key per row (`None` missing).
fn dictionary(values: &[&str], keys: impl Iterator<Item = Option<i32>>) -> OutData {
    let keys: Int32Array = keys.collect();
    let dict = Arc::new(StringArray::from_iter_values(values.iter()));
    match DictionaryArray::<Int32Type>::try_new(keys.clone(), dict) {
        Ok(d) => OutData::Dictionary(d),
        // Keys are below `values.len()` by construction; were one not, it is text, missing where out of range.
        Err(_) => OutData::Utf8(
            keys.iter()
                .map(|k| values.get(usize::try_from(k?).ok()?).copied())
                .collect(),
        ),
    }
}

/// `model`: the ids of the set's models, each row's model by index.
fn model_dictionary(grades: &Grades) -> OutData {
    let ids: Vec<&str> = grades.model_set().models().iter().map(|m| m.id()).collect();
    dictionary(
        &ids,
        (0..grades.len()).map(|r| grades.model_index(r).map(|m| m as i32)),
    )
}

/// `class` or `class_label`: the distinct names `of` gives over the set's
/// models (in model and class order), each graded row's by index.
fn class_dictionary(grades: &Grades, of: impl Fn(&Model) -> &[String]) -> OutData {
    let mut values: Vec<&str> = Vec::new();
    let per_model: Vec<Vec<i32>> = grades
        .model_set()
        .models()
        .iter()
        .map(|m| {
            of(m)
                .iter()
                .map(|name| match values.iter().position(|v| v == name) {
                    Some(k) => k as i32,
                    None => {
                        values.push(name);
                        (values.len() - 1) as i32
                    }
                })
                .collect()
        })
        .collect();
    let keys = (0..grades.len()).map(|r| {
        let (m, c) = (grades.model_index(r)?, grades.class_index(r)?);
        per_model.get(m)?.get(c).copied()
    });
    dictionary(&values, keys)
}

/// `dim:<path>` per dimension and, when asked, `contrib:<path>` per indicator,
/// one per (model, dimension) and (model, indicator): models of a set have their own scales.
/// The columns are filled in parallel, one column to a task.
fn model_columns(grades: &Grades, columns: ResultColumns) -> Vec<OutColumn> {
    use rayon::prelude::*;
    /// One column: its kind, model, path, and dimension or indicator index.
    enum Wanted<'a> {
        Dimension(usize, &'a str, usize),
        Contribution(usize, &'a str, usize),
    }
    let n = grades.len();
    let set = grades.model_set();
    let many = set.models().len() > 1;
    let mut wanted = Vec::new();
    if columns.dimensions {
        for (mi, m) in set.models().iter().enumerate() {
            for (k, &d) in m.dimensions().iter().enumerate() {
                wanted.push(Wanted::Dimension(mi, m.nodes()[d].path.as_str(), k));
            }
        }
    }
    if columns.contributions {
        for (mi, m) in set.models().iter().enumerate() {
            for (li, leaf) in m.leaves().iter().enumerate() {
                wanted.push(Wanted::Contribution(mi, leaf.path.as_str(), li));
            }
        }
    }
    wanted
        .par_iter()
        .map(|w| {
            let (kind, mi, path) = match *w {
                Wanted::Dimension(mi, path, _) => ("dim", mi, path),
                Wanted::Contribution(mi, path, _) => ("contrib", mi, path),
            };
            let name = if many {
                format!("{kind}:{}:{path}", set.models()[mi].id())
            } else {
                format!("{kind}:{path}")
            };
            let value = |r: usize| match *w {
                Wanted::Dimension(_, _, k) => grades.dimension_point(r, k),
                Wanted::Contribution(_, _, li) => grades.contributions(r).map(|c| c[li]),
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
            OutColumn {
                name,
                data: OutData::Float64(data),
            }
        })
        .collect()
}
