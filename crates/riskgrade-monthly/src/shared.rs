//! Sharing a period's results with other departments: export in a documented,
//! versioned schema (CSV, Parquet, JSON Lines) and import a shared set back.
//!
//! Schema `riskgrade.shared/1`, one row per enterprise:
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `schema_version` | text | `riskgrade.shared/1` on every row |
//! | `period` | text | `YYYY-MM` |
//! | `as_of` | text | grading date, `YYYY-MM-DD` |
//! | `model_version` | text | model set version id |
//! | `source` | text | `local` or the department that produced the grades |
//! | `id` | text | enterprise id (unique) |
//! | `model` | text | model that graded it |
//! | `district` | text | administrative district |
//! | `industry` | text | industry code (GB/T 4754) |
//! | `score` | number | final score |
//! | `score_before_rules` | number | indicators only |
//! | `class` | text | class name; empty when not graded |
//! | `class_rank` | integer | 0 = least risky class |
//! | `reasons` | text | top reasons, `; `-separated |
//! | `labels` | text | classification labels, `; `-separated |
//! | `alerts` | text | `topic -> department`, `; `-separated |
//! | `rules` | text | ids of the rules that acted, space-separated |
//! | `manual_decision` | integer | the manual decision that set the class |
//! | `error` | text | why the enterprise was not graded |

use std::collections::HashSet;
use std::path::Path;

use riskgrade_core::Month;
use riskgrade_io::{Cell, IoError, OutColumn, OutData, read_table, write_table};
use riskgrade_store::{NewRun, ResultRow, RunInfo, Store, StoreError};

/// The version tag of the shared results schema.
pub const SHARED_SCHEMA: &str = "riskgrade.shared/1";

/// Why an export or import failed.
#[derive(Debug, thiserror::Error)]
pub enum ShareError {
    /// Reading or writing the file failed.
    #[error(transparent)]
    Io(#[from] IoError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The file does not follow the schema; the message names the row and column.
    #[error("{file}: {message}")]
    Schema {
        /// The file.
        file: String,
        /// What is wrong, and where.
        message: String,
    },
}

/// Writes the results of `period` to `path` (format from the extension) in
/// schema [`SHARED_SCHEMA`]; returns the number of rows.
///
/// # Errors
/// No such period, an unknown extension, or write errors.
pub fn export_period(store: &Store, period: Month, path: &Path) -> Result<usize, ShareError> {
    let run = store.run(period)?.ok_or_else(|| {
        StoreError::Invalid(format!(
            "no run of period {period} is stored; `riskgrade periods` lists them"
        ))
    })?;
    let mut rows = Vec::new();
    store.scan_results::<StoreError>(period, |r| {
        rows.push(r);
        Ok(())
    })?;
    let n = rows.len();
    let constant = |v: &str| OutData::Text(vec![Some(v.to_string()); n]);
    let text =
        |f: &dyn Fn(&ResultRow) -> Option<String>| OutData::Text(rows.iter().map(f).collect());
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let columns = vec![
        col("schema_version", constant(SHARED_SCHEMA)),
        col("period", constant(&run.period.to_string())),
        col("as_of", constant(&run.as_of.to_string())),
        col("model_version", constant(&run.version_id)),
        col("source", constant(&run.source)),
        col("id", text(&|r| Some(r.id.clone()))),
        col("model", text(&|r| r.model.clone())),
        col("district", text(&|r| non_empty(&r.district))),
        col("industry", text(&|r| non_empty(&r.industry))),
        col(
            "score",
            OutData::Number(rows.iter().map(|r| r.score).collect()),
        ),
        col(
            "score_before_rules",
            OutData::Number(rows.iter().map(|r| r.base_score).collect()),
        ),
        col("class", text(&|r| r.class.clone())),
        col(
            "class_rank",
            OutData::Integer(
                rows.iter()
                    .map(|r| {
                        let c = r.class.as_ref()?;
                        run.classes.iter().position(|k| k == c).map(|p| p as i64)
                    })
                    .collect(),
            ),
        ),
        col("reasons", text(&|r| non_empty(&r.reasons))),
        col("labels", text(&|r| non_empty(&r.labels))),
        col("alerts", text(&|r| non_empty(&r.alerts))),
        col("rules", text(&|r| non_empty(&r.rules))),
        col(
            "manual_decision",
            OutData::Integer(rows.iter().map(|r| r.manual).collect()),
        ),
        col("error", text(&|r| r.error.clone())),
    ];
    write_table(path, &columns)?;
    Ok(n)
}

fn col(name: &str, data: OutData) -> OutColumn {
    OutColumn {
        name: name.to_string(),
        data,
    }
}

/// Imports a shared result set (schema [`SHARED_SCHEMA`]) into the store as
/// the run of its period, marked with its `source` (or `source` given here).
/// An existing run of that period is replaced only when `replace` is set.
///
/// # Errors
/// A file that does not follow the schema (the message names the row and
/// column), a period already stored without `replace`, or store errors.
pub fn import_period(
    store: &mut Store,
    path: &Path,
    source: Option<&str>,
    replace: bool,
) -> Result<RunInfo, ShareError> {
    let file = path.display().to_string();
    let table = read_table(path)?;
    let bad = |message: String| ShareError::Schema {
        file: file.clone(),
        message,
    };
    let need = |name: &str| {
        table.column(name).ok_or_else(|| {
            bad(format!(
                "no `{name}` column; a shared result set has the columns of {SHARED_SCHEMA} (see docs/monthly.md)"
            ))
        })
    };
    let cols = [
        "schema_version",
        "period",
        "as_of",
        "model_version",
        "id",
        "class",
        "class_rank",
        "score",
    ]
    .map(need);
    let [
        c_schema,
        c_period,
        c_as_of,
        c_version,
        c_id,
        c_class,
        c_rank,
        c_score,
    ] = {
        let mut out = [0usize; 8];
        for (o, c) in out.iter_mut().zip(cols) {
            *o = c?;
        }
        out
    };
    let opt = |name: &str| table.column(name);
    let text = |row: &[Cell], c: usize| -> Option<String> {
        match &row[c] {
            Cell::Missing => None,
            Cell::Text(s) if s.is_empty() => None,
            Cell::Text(s) => Some(s.clone()),
            Cell::Number(x) => Some(riskgrade_core::format_number(*x)),
            Cell::Bool(b) => Some(b.to_string()),
        }
    };
    let number = |row: &[Cell], c: usize, i: usize| -> Result<Option<f64>, ShareError> {
        match &row[c] {
            Cell::Missing => Ok(None),
            Cell::Number(x) if x.is_finite() => Ok(Some(*x)),
            Cell::Number(x) => Err(bad(format!(
                "row {}, column `{}`: {x} is not a finite number",
                i + 1,
                table.columns[c]
            ))),
            Cell::Text(s) if s.trim().is_empty() => Ok(None),
            Cell::Text(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(Some)
                .ok_or_else(|| {
                    bad(format!(
                        "row {}, column `{}`: `{s}` is not a number",
                        i + 1,
                        table.columns[c]
                    ))
                }),
            Cell::Bool(_) => Err(bad(format!(
                "row {}, column `{}`: expected a number, found a boolean",
                i + 1,
                table.columns[c]
            ))),
        }
    };
    if table.rows.is_empty() {
        return Err(bad("the file has no rows".into()));
    }
    let first = &table.rows[0];
    let same = |c: usize, i: usize, row: &[Cell]| -> Result<String, ShareError> {
        let v = text(row, c).unwrap_or_default();
        let f = text(first, c).unwrap_or_default();
        if v == f {
            Ok(v)
        } else {
            Err(bad(format!(
                "row {}, column `{}`: `{v}` differs from row 1's `{f}`; a shared result set holds one period of one run",
                i + 1,
                table.columns[c]
            )))
        }
    };
    let mut classes: Vec<Option<String>> = Vec::new();
    let mut ids = HashSet::new();
    let mut rows = Vec::with_capacity(table.rows.len());
    for (i, row) in table.rows.iter().enumerate() {
        let schema = same(c_schema, i, row)?;
        if schema != SHARED_SCHEMA {
            return Err(bad(format!(
                "row {}, column `schema_version`: `{schema}`; this riskgrade reads {SHARED_SCHEMA}",
                i + 1
            )));
        }
        for c in [c_period, c_as_of, c_version] {
            same(c, i, row)?;
        }
        let id =
            text(row, c_id).ok_or_else(|| bad(format!("row {}, column `id`: empty", i + 1)))?;
        if !ids.insert(id.clone()) {
            return Err(bad(format!(
                "row {}, column `id`: `{id}` appears twice",
                i + 1
            )));
        }
        let class = text(row, c_class);
        if let Some(c) = &class {
            let rank = number(row, c_rank, i)?.ok_or_else(|| {
                bad(format!(
                    "row {}, column `class_rank`: empty for class `{c}`",
                    i + 1
                ))
            })?;
            if rank < 0.0 || rank.fract() != 0.0 || rank > 64.0 {
                return Err(bad(format!(
                    "row {}, column `class_rank`: {rank} is not a class position (0, 1, 2, …)",
                    i + 1
                )));
            }
            let k = rank as usize;
            if classes.len() <= k {
                classes.resize(k + 1, None);
            }
            match &classes[k] {
                Some(known) if known != c => {
                    return Err(bad(format!(
                        "row {}, column `class_rank`: rank {k} is class `{known}` in earlier rows, `{c}` here",
                        i + 1
                    )));
                }
                _ => classes[k] = Some(c.clone()),
            }
        }
        let get = |name: &str| opt(name).and_then(|c| text(row, c));
        rows.push(ResultRow {
            id,
            model: get("model"),
            score: number(row, c_score, i)?,
            base_score: match opt("score_before_rules") {
                Some(c) => number(row, c, i)?,
                None => None,
            },
            class: class.clone(),
            reasons: get("reasons").unwrap_or_default(),
            drivers: String::new(),
            labels: get("labels").unwrap_or_default(),
            alerts: get("alerts").unwrap_or_default(),
            rules: get("rules").unwrap_or_default(),
            // Decision numbers belong to the store that made them: not carried over.
            manual: None,
            error: get("error").or_else(|| class.is_none().then(|| "not graded".to_string())),
            district: get("district").unwrap_or_default(),
            industry: get("industry").unwrap_or_default(),
        });
    }
    let period: Month = text(first, c_period)
        .unwrap_or_default()
        .parse()
        .map_err(|e| bad(format!("row 1, column `period`: {e}")))?;
    let as_of = text(first, c_as_of)
        .unwrap_or_default()
        .parse()
        .map_err(|e| bad(format!("row 1, column `as_of`: {e}")))?;
    let classes: Vec<String> = classes
        .into_iter()
        .enumerate()
        .map(|(k, c)| c.unwrap_or_else(|| format!("class#{k}")))
        .collect();
    if let Some(existing) = store.run(period)?
        && !replace
    {
        return Err(ShareError::Store(StoreError::Invalid(format!(
            "the store already holds period {period} (source {}, as of {}); pass --replace to overwrite it",
            existing.source, existing.as_of
        ))));
    }
    // A shared set is never `local` here, whatever the file says.
    let source = source
        .map(str::to_string)
        .or_else(|| opt("source").and_then(|c| text(first, c)))
        .filter(|s| s != "local")
        .unwrap_or_else(|| "import".to_string());
    let mut run = NewRun::new(
        period,
        as_of,
        &text(first, c_version).unwrap_or_default(),
        classes,
    );
    run.source = source.clone();
    run.input_digest = format!("file {file}");
    let mut w = store.begin_run(run)?;
    for row in &rows {
        w.insert(row)?;
    }
    let info = w.commit()?;
    store.note_audit(
        &source,
        "import",
        &format!("period {period}: {} rows from {file}", info.enterprises),
    )?;
    Ok(info)
}
