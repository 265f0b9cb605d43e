//! Inspection draws, their tasks, and what the inspections found.
//!
//! A draw is stored with everything needed to re-draw it ("one public"): the
//! plan as drawn, the published seed, and the digests of its inputs. Its tasks
//! are open until an outcome closes them; closed tasks become inspection
//! records of the enterprise for later months.

use std::collections::BTreeMap;

use riskgrade_core::{Date, InspectionResult, Month};
use rusqlite::{OptionalExtension, params};

use crate::audit::audit;
use crate::{InvalidRequest, Result, Store, StoreError, now};

/// One task of a draw, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRow {
    /// Task number within the draw (1-based).
    pub number: u32,
    /// Enterprise id.
    pub enterprise: String,
    /// Its class in the period drawn from.
    pub class: String,
    /// Its stratum (e.g. `district=Haidian`).
    pub stratum: String,
    /// Why it was selected, for people.
    pub why: String,
    /// The inspectors assigned.
    pub inspectors: Vec<String>,
}

impl TaskRow {
    /// The kind of task, from its reason: `random`, `full_coverage`, `due` or `forced` (an alert
    /// or a label).
    pub fn kind(&self) -> &'static str {
        let why = self.why.as_str();
        if why.starts_with("random") {
            "random"
        } else if why.starts_with("full coverage") {
            "full_coverage"
        } else if why.starts_with("due") {
            "due"
        } else {
            "forced"
        }
    }
}

/// A draw to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDraw {
    /// The graded period the draw is based on.
    pub period: Month,
    /// The draw date.
    pub drawn_on: Date,
    /// The plan's id.
    pub plan_id: String,
    /// The plan's digest.
    pub plan_digest: String,
    /// The plan as drawn (canonical JSON).
    pub plan: String,
    /// The published seed.
    pub seed: String,
    /// Digest of the candidates (the period's results drawn from).
    pub candidates_digest: String,
    /// Digest of the inspector pool.
    pub pool_digest: String,
    /// Digest of the inspection history used for exclusions and avoidance.
    pub history_digest: String,
    /// The tasks.
    pub tasks: Vec<TaskRow>,
}

/// A stored draw.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawInfo {
    /// Its number.
    pub id: i64,
    /// The graded period it is based on.
    pub period: Month,
    /// The draw date.
    pub drawn_on: Date,
    /// The plan's id.
    pub plan_id: String,
    /// The plan's digest.
    pub plan_digest: String,
    /// The plan as drawn.
    pub plan: String,
    /// The published seed.
    pub seed: String,
    /// Digest of the candidates.
    pub candidates_digest: String,
    /// Digest of the inspector pool.
    pub pool_digest: String,
    /// Digest of the inspection history.
    pub history_digest: String,
    /// When it was recorded (unix seconds).
    pub recorded_at: i64,
    /// Number of tasks.
    pub tasks: u32,
}

/// A stored task with its outcome, once known.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTask {
    /// The draw.
    pub draw: i64,
    /// The task as drawn.
    pub task: TaskRow,
    /// The outcome: date, result, severity and note.
    pub outcome: Option<(Date, InspectionResult, Option<String>, Option<String>)>,
}

/// What an inspection found, to close its task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskOutcome {
    /// The draw.
    pub draw: i64,
    /// The enterprise inspected.
    pub enterprise: String,
    /// The inspection date.
    pub date: Date,
    /// What it found.
    pub result: InspectionResult,
    /// For a problem: how serious (free text, e.g. `minor`, `serious`).
    pub severity: Option<String>,
    /// A note.
    pub note: Option<String>,
}

impl Store {
    /// Records a draw and its tasks in one transaction; returns the draw's number.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn record_draw(&mut self, d: &NewDraw, actor: &str) -> Result<i64> {
        let file = self.file.clone();
        let wrap = |source| StoreError::Sqlite {
            file: file.clone(),
            context: format!("recording a draw of plan {}", d.plan_id),
            source,
        };
        let tx = self.conn.transaction().map_err(wrap)?;
        let id = insert_draw(&tx, d, actor).map_err(wrap)?;
        tx.commit().map_err(wrap)?;
        Ok(id)
    }

    /// Every draw, oldest first.
    ///
    /// # Errors
    /// SQLite errors or unreadable rows.
    pub fn draws(&self) -> Result<Vec<DrawInfo>> {
        self.query_draws("", &[])
    }

    /// One draw by number.
    ///
    /// # Errors
    /// No such draw, or SQLite errors.
    pub fn draw(&self, id: i64) -> Result<DrawInfo> {
        self.query_draws("WHERE id = ?1", &[&id])?
            .pop()
            .ok_or(InvalidRequest::NoDraw { draw: id }.into())
    }

    fn query_draws(&self, filter: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<DrawInfo>> {
        let ctx = "reading draws";
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT id, period, drawn_on, plan_id, plan_digest, plan, seed, candidates_digest, pool_digest, \
                 history_digest, recorded_at, tasks FROM draws {filter} ORDER BY id"
            ))
            .map_err(|e| self.sql(ctx, e))?;
        let rows = stmt
            .query_map(args, |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    [
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, String>(7)?,
                        r.get::<_, String>(8)?,
                        r.get::<_, String>(9)?,
                    ],
                    r.get::<_, i64>(10)?,
                    r.get::<_, i64>(11)?,
                ))
            })
            .map_err(|e| self.sql(ctx, e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, period, drawn_on, [plan_id, plan_digest, plan, seed, c, p, h], at, tasks) =
                row.map_err(|e| self.sql(ctx, e))?;
            let bad = |column: &'static str, value: &str| {
                self.corrupt("draws", format_args!("#{id}"), column, value)
            };
            out.push(DrawInfo {
                id,
                period: period.parse().map_err(|_| bad("period", &period))?,
                drawn_on: drawn_on.parse().map_err(|_| bad("drawn_on", &drawn_on))?,
                plan_id,
                plan_digest,
                plan,
                seed,
                candidates_digest: c,
                pool_digest: p,
                history_digest: h,
                recorded_at: at,
                tasks: u32::try_from(tasks).unwrap_or(0),
            });
        }
        Ok(out)
    }

    /// The tasks of a draw, by number.
    ///
    /// # Errors
    /// SQLite errors or unreadable rows.
    pub fn tasks(&self, draw: i64) -> Result<Vec<StoredTask>> {
        self.query_tasks("WHERE draw = ?1", &[&draw])
    }

    fn query_tasks(&self, filter: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<StoredTask>> {
        let ctx = "reading tasks";
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT draw, number, enterprise, class, stratum, why, inspectors, inspected_on, result, severity, note \
                 FROM tasks {filter} ORDER BY draw, number"
            ))
            .map_err(|e| self.sql(ctx, e))?;
        let rows = stmt
            .query_map(args, |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    [
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                    ],
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, Option<String>>(9)?,
                    r.get::<_, Option<String>>(10)?,
                ))
            })
            .map_err(|e| self.sql(ctx, e))?;
        let mut out = Vec::new();
        for row in rows {
            let (
                draw,
                number,
                [enterprise, class, stratum, why, inspectors],
                on,
                result,
                severity,
                note,
            ) = row.map_err(|e| self.sql(ctx, e))?;
            let outcome = match (on, result) {
                (Some(on), Some(result)) => {
                    let bad = |column: &'static str, value: &str| {
                        self.corrupt(
                            "tasks",
                            format_args!("#{draw} task {number}"),
                            column,
                            value,
                        )
                    };
                    Some((
                        on.parse().map_err(|_| bad("inspected_on", &on))?,
                        result.parse().map_err(|_| bad("result", &result))?,
                        severity,
                        note,
                    ))
                }
                _ => None,
            };
            out.push(StoredTask {
                draw,
                task: TaskRow {
                    number: u32::try_from(number).unwrap_or(0),
                    enterprise,
                    class,
                    stratum,
                    why,
                    inspectors: inspectors
                        .split(';')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                },
                outcome,
            });
        }
        Ok(out)
    }

    /// Closes tasks with what the inspections found, all or nothing: an
    /// outcome for an enterprise that has no open task in its draw is an error
    /// naming its position in `outcomes` (1-based), and nothing is recorded.
    ///
    /// # Errors
    /// As above, or SQLite errors.
    pub fn record_outcomes(&mut self, outcomes: &[TaskOutcome], actor: &str) -> Result<usize> {
        let file = self.file.clone();
        let wrap = |source| StoreError::Sqlite {
            file: file.clone(),
            context: "recording inspection outcomes".into(),
            source,
        };
        let tx = self.conn.transaction().map_err(wrap)?;
        for (i, o) in outcomes.iter().enumerate() {
            let open: Option<(i64, String)> = tx
                .query_row(
                    "SELECT number, status FROM tasks WHERE draw = ?1 AND enterprise = ?2 ORDER BY status DESC LIMIT 1",
                    params![o.draw, o.enterprise],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(wrap)?;
            let number = match open {
                Some((n, s)) if s == "open" => n,
                Some((n, _)) => {
                    return Err(InvalidRequest::TaskClosed {
                        outcome: i + 1,
                        draw: o.draw,
                        task: n,
                        enterprise: o.enterprise.clone(),
                    }
                    .into());
                }
                None => {
                    return Err(InvalidRequest::NoTask {
                        outcome: i + 1,
                        draw: o.draw,
                        enterprise: o.enterprise.clone(),
                    }
                    .into());
                }
            };
            tx.execute(
                "UPDATE tasks SET status = 'closed', inspected_on = ?3, result = ?4, severity = ?5, note = ?6 \
                 WHERE draw = ?1 AND number = ?2",
                params![
                    o.draw,
                    number,
                    o.date.to_string(),
                    o.result.name(),
                    o.severity,
                    o.note
                ],
            )
            .map_err(wrap)?;
        }
        audit(
            &tx,
            actor,
            "inspection_outcomes",
            None,
            None,
            &format!("{} task(s) closed", outcomes.len()),
        )
        .map_err(wrap)?;
        tx.commit().map_err(wrap)?;
        Ok(outcomes.len())
    }

    /// Every closed inspection dated on or before `until`: (enterprise, date, result).
    ///
    /// # Errors
    /// SQLite errors or unreadable rows.
    pub fn inspections_until(&self, until: Date) -> Result<Vec<(String, Date, InspectionResult)>> {
        let tasks = self.query_tasks(
            "WHERE status = 'closed' AND inspected_on <= ?1",
            &[&until.to_string()],
        )?;
        Ok(tasks
            .into_iter()
            .filter_map(|t| t.outcome.map(|(d, r, _, _)| (t.task.enterprise, d, r)))
            .collect())
    }

    /// Per enterprise, its latest closed inspection before or on `until`: date and inspectors.
    ///
    /// # Errors
    /// SQLite errors or unreadable rows.
    pub fn last_inspections(&self, until: Date) -> Result<BTreeMap<String, (Date, Vec<String>)>> {
        let tasks = self.query_tasks(
            "WHERE status = 'closed' AND inspected_on <= ?1",
            &[&until.to_string()],
        )?;
        let mut out: BTreeMap<String, (Date, Vec<String>)> = BTreeMap::new();
        for t in tasks {
            if let Some((d, ..)) = t.outcome {
                let newer = out.get(&t.task.enterprise).is_none_or(|(x, _)| d >= *x);
                if newer {
                    out.insert(t.task.enterprise.clone(), (d, t.task.inspectors.clone()));
                }
            }
        }
        Ok(out)
    }
}

/// Inserts a draw and its tasks and audits it, inside the caller's transaction.
pub(crate) fn insert_draw(
    tx: &rusqlite::Connection,
    d: &NewDraw,
    actor: &str,
) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO draws (period, drawn_on, plan_id, plan_digest, plan, seed, candidates_digest, pool_digest, \
         history_digest, recorded_at, tasks) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            d.period.to_string(),
            d.drawn_on.to_string(),
            d.plan_id,
            d.plan_digest,
            d.plan,
            d.seed,
            d.candidates_digest,
            d.pool_digest,
            d.history_digest,
            now(),
            d.tasks.len() as i64
        ],
    )?;
    let id = tx.last_insert_rowid();
    let mut stmt = tx.prepare(
        "INSERT INTO tasks (draw, number, enterprise, class, stratum, why, inspectors, status) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'open')",
    )?;
    for t in &d.tasks {
        stmt.execute(params![
            id,
            t.number,
            t.enterprise,
            t.class,
            t.stratum,
            t.why,
            t.inspectors.join(";")
        ])?;
    }
    let detail = format!(
        "draw #{id} of plan {} ({}) on {} from period {}: {} tasks, seed `{}`",
        d.plan_id,
        d.plan_digest,
        d.drawn_on,
        d.period,
        d.tasks.len(),
        d.seed
    );
    audit(tx, actor, "draw", None, None, &detail)?;
    Ok(id)
}
