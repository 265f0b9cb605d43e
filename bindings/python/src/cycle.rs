//! The inspection half of the monthly cycle on a `Store`: commitments, draws, their tasks,
//! verification, outcomes and evaluation, as the CLI's `draw`, `verify`, `outcomes` and
//! `evaluate` do them (the same library calls, the same validation, the same audit).
//!
//! Each function takes the store already locked, runs with the GIL released (the caller runs
//! it through [`crate::input::detached`]), and returns Rust values; the tables are built from
//! them in [`crate::store`].

use std::path::{Path, PathBuf};

use riskgrade::Date;
use riskgrade::Month;
use riskgrade::inspect::{Inspector, Plan};
use riskgrade::io::{OutColumn, OutData};
use riskgrade::store::{Store, StoredTask, TaskOutcome};

/// An inspector pool as Python hands it over.
pub(crate) enum Pool {
    /// The embedded reference pool (256 Beijing inspectors).
    Reference,
    /// A file: `.csv`, `.parquet`, `.jsonl`.
    File(PathBuf),
    /// CSV text converted from a frame.
    Csv(String),
}

/// Where a pool given as a frame is said to come from in errors.
const FRAME_POOL: &str = "<pool frame>";

impl Pool {
    /// The inspectors, read and checked as the CLI reads a pool file.
    pub(crate) fn read(&self) -> Result<Vec<Inspector>, riskgrade::InspectionError> {
        match self {
            Pool::Reference => riskgrade::pool_from_csv(
                riskgrade::inspect::examples::BEIJING_POOL_CSV,
                Path::new("beijing-pool.csv"),
            ),
            Pool::File(p) => riskgrade::read_pool(p),
            Pool::Csv(text) => riskgrade::pool_from_csv(text, Path::new(FRAME_POOL)),
        }
    }
}

/// A plan by file or embedded name, as the CLI loads `--plan`; `Err` holds the message of an
/// unknown name.
pub(crate) fn plan(name: &str) -> Result<Result<Plan, riskgrade::inspect::PlanError>, String> {
    let path = Path::new(name);
    if path.exists() {
        return Ok(Plan::from_file(path));
    }
    riskgrade::inspect::examples::plan(name).ok_or_else(|| {
        format!(
            "plan `{name}`: no such plan file, and not an embedded plan ({})",
            riskgrade::inspect::examples::PLANS
                .map(|(f, _)| f.trim_end_matches(".toml"))
                .join(", ")
        )
    })
}

/// Text cells.
fn text<T: ToString>(v: impl IntoIterator<Item = Option<T>>) -> OutData {
    OutData::Text(v.into_iter().map(|x| x.map(|s| s.to_string())).collect())
}

/// Integer cells.
fn int(v: impl IntoIterator<Item = Option<i64>>) -> OutData {
    OutData::Integer(v.into_iter().collect())
}

/// Every draw, oldest first, with its commitment's number when it was drawn under one.
pub(crate) fn draws_table(store: &Store) -> Result<Vec<OutColumn>, riskgrade::store::StoreError> {
    let draws = store.draws()?;
    let mut commitments = Vec::with_capacity(draws.len());
    for d in &draws {
        commitments.push(store.commitment_of_draw(d.id)?.map(|c| c.id));
    }
    Ok(vec![
        OutColumn::new("draw", int(draws.iter().map(|d| Some(d.id)))),
        OutColumn::new("period", text(draws.iter().map(|d| Some(d.period)))),
        OutColumn::new("drawn_on", text(draws.iter().map(|d| Some(d.drawn_on)))),
        OutColumn::new("plan", text(draws.iter().map(|d| Some(&d.plan_id)))),
        OutColumn::new("seed", text(draws.iter().map(|d| Some(&d.seed)))),
        OutColumn::new("tasks", int(draws.iter().map(|d| Some(i64::from(d.tasks))))),
        OutColumn::new("commitment", int(commitments)),
        OutColumn::new(
            "plan_digest",
            text(draws.iter().map(|d| Some(&d.plan_digest))),
        ),
        OutColumn::new(
            "candidates_digest",
            text(draws.iter().map(|d| Some(&d.candidates_digest))),
        ),
        OutColumn::new(
            "pool_digest",
            text(draws.iter().map(|d| Some(&d.pool_digest))),
        ),
        OutColumn::new(
            "history_digest",
            text(draws.iter().map(|d| Some(&d.history_digest))),
        ),
        OutColumn::new(
            "recorded_at",
            int(draws.iter().map(|d| Some(d.recorded_at))),
        ),
    ])
}

/// A draw's tasks by number, with the score of the enterprise in the period drawn from and the
/// outcome once recorded.
pub(crate) fn tasks_table(
    store: &Store,
    draw: i64,
) -> Result<Vec<OutColumn>, riskgrade::store::StoreError> {
    let info = store.draw(draw)?;
    let tasks = store.tasks(draw)?;
    let ids: Vec<&str> = tasks.iter().map(|t| t.task.enterprise.as_str()).collect();
    let scores: Vec<Option<f64>> = store
        .results_of(info.period, &ids)?
        .into_iter()
        .map(|r| r.and_then(|r| r.score))
        .collect();
    let t = &tasks;
    let outcome =
        |f: fn(&Outcome) -> Option<String>| text(t.iter().map(|x| x.outcome.as_ref().and_then(f)));
    Ok(vec![
        OutColumn::new(
            "task",
            int(t.iter().map(|x| Some(i64::from(x.task.number)))),
        ),
        OutColumn::new(
            "enterprise",
            text(t.iter().map(|x| Some(&x.task.enterprise))),
        ),
        OutColumn::new("class", text(t.iter().map(|x| Some(&x.task.class)))),
        OutColumn::new("score", OutData::Number(scores)),
        OutColumn::new("stratum", text(t.iter().map(|x| Some(&x.task.stratum)))),
        OutColumn::new("kind", text(t.iter().map(|x| Some(x.task.kind())))),
        OutColumn::new("why", text(t.iter().map(|x| Some(&x.task.why)))),
        OutColumn::new(
            "inspectors",
            OutData::List(t.iter().map(|x| x.task.inspectors.clone()).collect()),
        ),
        OutColumn::new("status", text(t.iter().map(|x| Some(status(x))))),
        OutColumn::new("inspected_on", outcome(|o| Some(o.0.to_string()))),
        OutColumn::new("result", outcome(|o| Some(o.1.name().to_string()))),
        OutColumn::new("severity", outcome(|o| o.2.clone())),
        OutColumn::new("note", outcome(|o| o.3.clone())),
    ])
}

/// A stored task's outcome: date, result, severity, note.
type Outcome = (
    Date,
    riskgrade::InspectionResult,
    Option<String>,
    Option<String>,
);

/// `open` or `closed`.
fn status(t: &StoredTask) -> &'static str {
    if t.outcome.is_some() {
        "closed"
    } else {
        "open"
    }
}

/// One outcome as Python hands it over (texts already translated from Chinese).
pub(crate) struct OutcomeRow {
    pub(crate) enterprise: Option<String>,
    pub(crate) date: Option<String>,
    pub(crate) result: Option<String>,
    pub(crate) severity: Option<String>,
    pub(crate) note: Option<String>,
}

/// A bad value of an outcome frame: (row from 0, column, value, problem).
pub(crate) type BadOutcome = (usize, &'static str, String, String);

/// The outcomes of `draw`, each checked as `riskgrade outcomes` checks a file's rows.
pub(crate) fn outcomes(draw: i64, rows: Vec<OutcomeRow>) -> Result<Vec<TaskOutcome>, BadOutcome> {
    let mut out = Vec::with_capacity(rows.len());
    for (i, r) in rows.into_iter().enumerate() {
        let nonempty =
            |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let enterprise = nonempty(r.enterprise)
            .ok_or_else(|| (i, "enterprise", String::new(), "empty".to_string()))?;
        let date_text = nonempty(r.date).unwrap_or_default();
        let date: Date = date_text
            .parse()
            .map_err(|e: riskgrade::DateError| (i, "date", date_text.clone(), e.to_string()))?;
        let result_text = nonempty(r.result).unwrap_or_default();
        let result = result_text.parse().map_err(|_| {
            (
                i,
                "result",
                result_text.clone(),
                format!(
                    "`{result_text}`; expected problem, no_problem, not_reachable or refused (or 发现问题, 未发现问题, 无法联系, 拒绝检查)"
                ),
            )
        })?;
        out.push(TaskOutcome {
            draw,
            enterprise,
            date,
            result,
            severity: nonempty(r.severity),
            note: nonempty(r.note),
        });
    }
    Ok(out)
}

/// What `record_outcomes` did: tasks closed, tasks of the draw still open.
pub(crate) fn record_outcomes(
    store: &mut Store,
    draw: i64,
    outcomes: &[TaskOutcome],
    by: &str,
) -> Result<(usize, usize), riskgrade::store::StoreError> {
    store.draw(draw)?;
    let n = store.record_outcomes(outcomes, by)?;
    let open = store
        .tasks(draw)?
        .iter()
        .filter(|t| t.outcome.is_none())
        .count();
    Ok((n, open))
}

/// What a draw asks for: its period, plan and date, or a commitment made before.
pub(crate) enum DrawOf {
    /// A period, plan and date, without a commitment.
    Period(Month, Box<Plan>, Date),
    /// A stored commitment.
    Commitment(i64),
}

/// Draws and records a draw; returns its number.
pub(crate) fn draw(
    store: &mut Store,
    of: DrawOf,
    pool: &[Inspector],
    seed: &str,
    by: &str,
) -> Result<i64, riskgrade::InspectionError> {
    let (id, _) = match of {
        DrawOf::Commitment(c) => riskgrade::draw_committed(store, c, pool, seed, by)?,
        DrawOf::Period(period, plan, date) => {
            riskgrade::draw_period(store, period, &plan, pool, seed, date, by)?
        }
    };
    Ok(id)
}

/// A verification as JSON, and the differing tasks as columns.
pub(crate) fn verification(v: &riskgrade::Verification) -> (serde_json::Value, Vec<OutColumn>) {
    let summary = serde_json::json!({
        "draw": v.draw,
        "identical": v.is_identical(),
        "commitment": v.commitment.as_ref().map(|(id, _)| id),
        "commitment_digest": v.commitment.as_ref().map(|(_, d)| d),
        "inputs": v.inputs.iter().map(|(what, stored, now)| {
            serde_json::json!({"input": what, "stored": stored, "now": now})
        }).collect::<Vec<_>>(),
        "stored_tasks": v.stored_tasks,
        "tasks_again": v.tasks_again,
        "enterprises_differ": v.enterprises_differ,
        "inspectors_differ": v.inspectors_differ,
    });
    let d = &v.differences;
    let cols = vec![
        OutColumn::new("task", int(d.iter().map(|x| Some(i64::from(x.number))))),
        OutColumn::new(
            "stored_enterprise",
            text(d.iter().map(|x| Some(&x.stored.0))),
        ),
        OutColumn::new(
            "stored_inspectors",
            text(d.iter().map(|x| Some(&x.stored.1))),
        ),
        OutColumn::new("again_enterprise", text(d.iter().map(|x| Some(&x.again.0)))),
        OutColumn::new("again_inspectors", text(d.iter().map(|x| Some(&x.again.1)))),
    ];
    (summary, cols)
}
