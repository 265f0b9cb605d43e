//! Inspections from a stored period: draw enterprises and inspectors by plan,
//! record the draw, import what the inspections found, evaluate the targeting.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use riskgrade_core::Date;
use riskgrade_core::{Enterprise, Frame, Month};
use riskgrade_engine::Grades;
use riskgrade_inspect::{
    Candidate, DrawError, Evaluation, History, Inspector, LastInspection, Outcome, Tally,
};
use riskgrade_io::{Cell, TextTable, read_table};
use riskgrade_rules::Action;
use riskgrade_store::{InvalidRequest, Store, StoreError, TaskOutcome};

/// Why an inspection step failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InspectionError {
    /// The store failed, or a period or draw is not stored.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The draw could not be made (an infeasible pool names its shortfall).
    #[error(transparent)]
    Draw(#[from] DrawError),
    /// Reading a file failed.
    #[error(transparent)]
    Io(#[from] riskgrade_io::IoError),
    /// The plan stored with a draw no longer loads.
    #[error("draw #{draw}: the stored plan does not load: {source}")]
    StoredPlan {
        /// The draw.
        draw: i64,
        /// Why it does not load.
        source: serde_json::Error,
    },
    /// The plan stored with a commitment no longer loads.
    #[error("commitment #{commitment}: the stored plan does not load: {source}")]
    CommitmentPlan {
        /// The commitment.
        commitment: i64,
        /// Why it does not load.
        source: serde_json::Error,
    },
    /// No draw of the plan is dated in the year.
    #[error("no draw of plan `{plan}` is dated in {year}")]
    NoDrawsInYear {
        /// The plan's id.
        plan: String,
        /// The year.
        year: i32,
    },
    /// The candidate list of a draw no longer has the digest stored with it: the period or the
    /// history changed since the draw.
    #[error(
        "draw #{draw}: its candidate list now has digest {now}, not the stored {stored}; the period or the inspection history changed since the draw"
    )]
    CandidatesChanged {
        /// The draw.
        draw: i64,
        /// The stored digest.
        stored: String,
        /// The digest now.
        now: String,
    },
    /// A pool or outcome file lacks a column.
    #[error("{}: no `{column}` column; {needs}", file.display())]
    MissingColumn {
        /// The file.
        file: PathBuf,
        /// The column.
        column: String,
        /// The columns such a file has.
        needs: &'static str,
    },
    /// A value in a pool or outcome file is wrong.
    #[error("{}: row {row}, column `{column}`: {problem}", file.display())]
    Value {
        /// The file.
        file: PathBuf,
        /// One-based data row.
        row: usize,
        /// The column.
        column: &'static str,
        /// What is wrong with the value.
        problem: ValueProblem,
    },
}

/// What is wrong with a value of a pool or outcome file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueProblem {
    /// A required value is empty.
    #[error("empty")]
    Empty,
    /// A capacity that is not a whole number of tasks.
    #[error("`{0}` is not a whole number of tasks")]
    Capacity(String),
    /// A date that does not parse.
    #[error(transparent)]
    Date(#[from] riskgrade_core::DateError),
    /// An unknown inspection result.
    #[error("`{0}`; expected problem, no_problem, not_reachable or refused")]
    Result(String),
}

/// The graded enterprises of a stored period, as a draw sees them.
///
/// # Errors
/// A period that is not stored, or store errors.
pub fn candidates(store: &Store, period: Month) -> Result<Vec<Candidate>, StoreError> {
    if store.run(period)?.is_none() {
        return Err(InvalidRequest::NoRun { period }.into());
    }
    let mut licences = store.period_licences(period)?;
    let mut out = Vec::new();
    store.scan_results::<StoreError>(period, |r| {
        if let Some(class) = r.class {
            out.push(Candidate {
                alerts: r
                    .alerts
                    .iter()
                    .map(|a| {
                        a.split_once(" -> ")
                            .map_or(a.clone(), |(t, _)| t.to_string())
                    })
                    .collect(),
                labels: r.labels,
                licences: licences.remove(&r.id).unwrap_or_default(),
                id: r.id,
                class,
                score: r.score,
                district: r.district,
                industry: r.industry,
            });
        }
        Ok(())
    })?;
    Ok(out)
}

/// The licence types a profile lists, each once and sorted: what a period
/// keeps for plans scoped by licence type. Every licence counts, valid or
/// lapsed on the grading date: the department that issued a lapsed licence
/// still supervises its holder (谁审批、谁监管).
pub fn licence_types(e: &Enterprise) -> Vec<String> {
    let mut kinds: Vec<String> = e
        .licences
        .iter()
        .map(|l| l.kind.trim().to_string())
        .filter(|k| !k.is_empty())
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

/// The graded enterprises of a grading held in memory, as a draw sees them,
/// in id order: what [`candidates`] reads back once the grading is stored as
/// a period by [`run_month`](crate::run_month) (the licence types from
/// `profiles`, matched by id; a columnar batch carries none).
pub fn graded_candidates(
    grades: &Grades,
    frame: &Frame,
    profiles: Option<&[Enterprise]>,
) -> Vec<Candidate> {
    let held: HashMap<&str, Vec<String>> = profiles
        .unwrap_or_default()
        .iter()
        .map(|e| (e.id.0.as_str(), licence_types(e)))
        .collect();
    let mut out: Vec<Candidate> = (0..grades.len())
        .filter_map(|r| {
            let class = grades.class(r)?;
            let id = grades.id(r);
            Some(Candidate {
                id: id.to_string(),
                class: class.to_string(),
                score: grades.score(r),
                district: frame.districts().get(r).cloned().unwrap_or_default(),
                industry: frame.industries().get(r).cloned().unwrap_or_default(),
                alerts: grades
                    .alerts(r)
                    .filter_map(|e| match &e.action {
                        Action::Alert { topic, .. } => Some(topic.clone()),
                        _ => None,
                    })
                    .collect(),
                labels: grades.labels(r).map(str::to_string).collect(),
                licences: held.get(id).cloned().unwrap_or_default(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The inspection history a draw of `period` on `date` sees, from the store: each
/// enterprise's last closed inspection on or before `date`, and its tasks in draws dated this
/// calendar year before `date` (forced tasks of draws from `period` apart).
///
/// # Errors
/// Store errors.
pub fn inspection_history(store: &Store, date: Date, period: Month) -> Result<History, StoreError> {
    let last = store
        .last_inspections(date)?
        .into_iter()
        .map(|(id, (d, inspectors))| {
            (
                id,
                LastInspection {
                    date: d,
                    inspectors,
                },
            )
        })
        .collect();
    let year = store
        .year_counts(date, period)?
        .into_iter()
        .map(|(id, c)| {
            (
                id,
                Tally {
                    drawn: c.drawn,
                    forced: c.forced,
                    forced_in_period: c.forced_in_period,
                },
            )
        })
        .collect();
    Ok(History { last, year })
}

fn cell_text(row: &[Cell], c: usize) -> Option<String> {
    match &row[c] {
        Cell::Missing => None,
        Cell::Text(s) if s.trim().is_empty() => None,
        Cell::Text(s) => Some(s.trim().to_string()),
        Cell::Number(x) => Some(riskgrade_core::format_number(*x)),
        Cell::Bool(b) => Some(b.to_string()),
    }
}

fn column(
    t: &TextTable,
    file: &Path,
    name: &str,
    needs: &'static str,
) -> Result<usize, InspectionError> {
    t.column(name)
        .ok_or_else(|| InspectionError::MissingColumn {
            file: file.to_path_buf(),
            column: name.to_string(),
            needs,
        })
}

/// The error for a bad value in data row `i` (zero-based) of `file`.
fn bad_value(
    file: &Path,
    i: usize,
    column: &'static str,
    problem: ValueProblem,
) -> InspectionError {
    InspectionError::Value {
        file: file.to_path_buf(),
        row: i + 1,
        column,
        problem,
    }
}

/// The columns of an inspector pool.
const NEEDS_POOL: &str =
    "a pool has the columns id, name, department, district, capacity and optionally conflicts";

/// The columns of an outcome file.
const NEEDS_OUTCOMES: &str =
    "an outcome file has the columns enterprise, date, result and optionally severity and note";

/// Reads an inspector pool: columns `id`, `name`, `department`, `district`,
/// `capacity` (tasks per draw) and optional `conflicts` (enterprise ids,
/// `;`-separated). Errors name the row and column.
///
/// # Errors
/// An unreadable file or a bad value.
pub fn read_pool(file: &Path) -> Result<Vec<Inspector>, InspectionError> {
    pool_from_table(&read_table(file)?, file)
}

/// Reads an inspector pool from CSV text (as [`read_pool`] reads a `.csv` file; `name` labels
/// errors), e.g. the embedded `examples/inspectors/beijing-pool.csv`. Cells may be quoted with
/// `"` (a doubled `""` inside is a quote).
///
/// ```
/// let text = "id,name,department,district,capacity\nI1,Li,market,Haidian,60\n";
/// let pool = riskgrade_monthly::pool_from_csv(text, std::path::Path::new("pool.csv")).unwrap();
/// assert_eq!((pool[0].id.as_str(), pool[0].capacity), ("I1", 60));
/// ```
///
/// # Errors
/// A missing column or a bad value, with its row and column.
pub fn pool_from_csv(text: &str, name: &Path) -> Result<Vec<Inspector>, InspectionError> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let columns = lines.next().map(csv_cells).unwrap_or_default();
    let rows = lines
        .map(|l| {
            let mut cells: Vec<Cell> = csv_cells(l)
                .into_iter()
                .map(|c| {
                    if c.is_empty() {
                        Cell::Missing
                    } else {
                        Cell::Text(c)
                    }
                })
                .collect();
            cells.resize(columns.len(), Cell::Missing);
            cells
        })
        .collect();
    pool_from_table(&TextTable { columns, rows }, name)
}

/// The cells of one CSV line.
fn csv_cells(line: &str) -> Vec<String> {
    let (mut out, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(ch) = chars.next() {
        match (ch, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cell)),
            _ => cell.push(ch),
        }
    }
    out.push(cell);
    out
}

fn pool_from_table(t: &TextTable, file: &Path) -> Result<Vec<Inspector>, InspectionError> {
    let [id, name, dept, district, capacity] = ["id", "name", "department", "district", "capacity"]
        .map(|n| column(t, file, n, NEEDS_POOL));
    let (id, name, dept, district, capacity) = (id?, name?, dept?, district?, capacity?);
    let conflicts = t.column("conflicts");
    let mut out = Vec::with_capacity(t.rows.len());
    for (i, row) in t.rows.iter().enumerate() {
        let bad = |column, problem| bad_value(file, i, column, problem);
        let cap_text = cell_text(row, capacity).unwrap_or_default();
        let cap: u32 = cap_text
            .parse()
            .map_err(|_| bad("capacity", ValueProblem::Capacity(cap_text.clone())))?;
        out.push(Inspector {
            id: cell_text(row, id).ok_or_else(|| bad("id", ValueProblem::Empty))?,
            name: cell_text(row, name).unwrap_or_default(),
            department: cell_text(row, dept).unwrap_or_default(),
            district: cell_text(row, district).unwrap_or_default(),
            capacity: cap,
            conflicts: conflicts
                .and_then(|c| cell_text(row, c))
                .map(|s| {
                    s.split(';')
                        .map(str::trim)
                        .filter(|x| !x.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    Ok(out)
}

/// Reads what inspections found: columns `enterprise`, `date`, `result`
/// (`problem`, `no_problem`, `not_reachable` or `refused`) and optional
/// `severity` and `note`, for tasks of `draw`. Errors name the row and column.
///
/// # Errors
/// An unreadable file or a bad value.
pub fn read_outcomes(file: &Path, draw: i64) -> Result<Vec<TaskOutcome>, InspectionError> {
    let t = read_table(file)?;
    let e = column(&t, file, "enterprise", NEEDS_OUTCOMES)?;
    let d = column(&t, file, "date", NEEDS_OUTCOMES)?;
    let r = column(&t, file, "result", NEEDS_OUTCOMES)?;
    let (sev, note) = (t.column("severity"), t.column("note"));
    let mut out = Vec::with_capacity(t.rows.len());
    for (i, row) in t.rows.iter().enumerate() {
        let bad = |column, problem| bad_value(file, i, column, problem);
        let date_text = cell_text(row, d).unwrap_or_default();
        let result_text = cell_text(row, r).unwrap_or_default();
        out.push(TaskOutcome {
            draw,
            enterprise: cell_text(row, e).ok_or_else(|| bad("enterprise", ValueProblem::Empty))?,
            date: date_text
                .parse()
                .map_err(|err| bad("date", ValueProblem::Date(err)))?,
            result: result_text
                .parse()
                .map_err(|_| bad("result", ValueProblem::Result(result_text.clone())))?,
            severity: sev.and_then(|c| cell_text(row, c)),
            note: note.and_then(|c| cell_text(row, c)),
        });
    }
    Ok(out)
}

/// Evaluates a draw's closed tasks against the classes and scores of the
/// period it was drawn from: detection rate per class, lift, AUC, KS, Gini.
/// With `random_only`, only the random picks count: they are a uniform sample
/// of their class, so their detection rates estimate each class's problem
/// rate without the bias of mandatory inclusions (alerts, labels).
///
/// # Errors
/// A draw that is not stored, or store errors.
pub fn evaluate_draw(
    store: &Store,
    draw: i64,
    random_only: bool,
) -> Result<Evaluation, StoreError> {
    let info = store.draw(draw)?;
    let run = store
        .run(info.period)?
        .ok_or(InvalidRequest::DrawWithoutRun {
            draw,
            period: info.period,
        })?;
    let mut outcomes = Vec::new();
    for t in store.tasks(draw)? {
        let Some((_, result, _, _)) = t.outcome else {
            continue;
        };
        if random_only && t.task.kind() != "random" {
            continue;
        }
        let score = store
            .result(info.period, &t.task.enterprise)?
            .and_then(|r| r.score);
        outcomes.push(Outcome {
            enterprise: t.task.enterprise,
            class: t.task.class,
            score,
            problem: result.found_problem(),
        });
    }
    Ok(riskgrade_inspect::evaluate(&outcomes, &run.classes, true))
}
