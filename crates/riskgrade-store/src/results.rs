//! Result rows: one enterprise in one period; reading, scanning and joining
//! two periods, and one enterprise's history.

use riskgrade_core::{Date, Month};
use rusqlite::{OptionalExtension, params};

use crate::{ChangeNote, Result, Store, StoreError};

/// One enterprise's result in one period.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResultRow {
    /// Enterprise id.
    pub id: String,
    /// The model that graded it.
    pub model: Option<String>,
    /// Final score.
    pub score: Option<f64>,
    /// Score before rules.
    pub base_score: Option<f64>,
    /// Class; `None` when it could not be graded.
    pub class: Option<String>,
    /// Top reasons, as text, `; `-separated.
    pub reasons: String,
    /// Indicators above their least risky points, as `index:points` separated by spaces
    /// (indexes into the run's indicator list for the model).
    pub drivers: String,
    /// Labels, `; `-separated.
    pub labels: String,
    /// Alerts (`topic -> department`), `; `-separated.
    pub alerts: String,
    /// Ids of the rules that acted, space-separated.
    pub rules: String,
    /// The manual decision that set the class, if any.
    pub manual: Option<i64>,
    /// Why the enterprise was not graded.
    pub error: Option<String>,
    /// Administrative district (for the strata of inspection draws).
    pub district: String,
    /// Industry code.
    pub industry: String,
}

impl ResultRow {
    /// A graded row with no reasons, drivers or rules.
    pub fn graded(id: &str, model: &str, score: f64, class: &str) -> ResultRow {
        ResultRow {
            id: id.to_string(),
            model: Some(model.to_string()),
            score: Some(score),
            base_score: Some(score),
            class: Some(class.to_string()),
            ..ResultRow::default()
        }
    }

    /// A row that could not be graded, and why.
    pub fn failed(id: &str, error: &str) -> ResultRow {
        ResultRow {
            id: id.to_string(),
            error: Some(error.to_string()),
            ..ResultRow::default()
        }
    }

    /// The drivers as `(indicator index, points)` pairs; unreadable entries are skipped.
    ///
    /// ```
    /// let mut row = riskgrade_store::ResultRow::default();
    /// row.drivers = "3:40 17:12.5".into();
    /// assert_eq!(row.driver_points(), vec![(3, 40.0), (17, 12.5)]);
    /// ```
    pub fn driver_points(&self) -> Vec<(usize, f64)> {
        self.drivers
            .split_ascii_whitespace()
            .filter_map(|d| {
                let (i, p) = d.split_once(':')?;
                Some((i.parse().ok()?, p.parse().ok()?))
            })
            .collect()
    }
}

/// One period of one enterprise's history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// The period.
    pub period: Month,
    /// The grading date.
    pub as_of: Date,
    /// The model set's version id.
    pub version_id: String,
    /// The enterprise's result, if it was in that run.
    pub result: Option<ResultRow>,
    /// Why its class changed from the period before.
    pub changes: Vec<ChangeNote>,
}

impl Store {
    /// One enterprise's result in `period`.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn result(&self, period: Month, id: &str) -> Result<Option<ResultRow>> {
        self.conn
            .query_row(
                &format!("SELECT {RESULT_COLUMNS} FROM results WHERE period = ?1 AND id = ?2"),
                params![period.to_string(), id],
                read_result,
            )
            .optional()
            .map_err(|e| self.sql(&format!("reading {id} in {period}"), e))
    }

    /// Calls `f` with every result of `period`, in id order, without loading them all.
    ///
    /// # Errors
    /// SQLite errors, or the first error `f` returns.
    pub fn scan_results<E: From<StoreError>>(
        &self,
        period: Month,
        mut f: impl FnMut(ResultRow) -> Result<(), E>,
    ) -> Result<(), E> {
        let p = period.to_string();
        let ctx = format!("reading the results of {period}");
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {RESULT_COLUMNS} FROM results WHERE period = ?1 ORDER BY id"
            ))
            .map_err(|e| self.sql(&ctx, e))?;
        let mut rows = stmt.query([&p]).map_err(|e| self.sql(&ctx, e))?;
        while let Some(row) = rows.next().map_err(|e| self.sql(&ctx, e))? {
            f(read_result(row).map_err(|e| self.sql(&ctx, e))?)?;
        }
        Ok(())
    }

    /// Walks the results of two periods side by side, joined on the enterprise id
    /// (in id order): `f(id, in a, in b)`.
    ///
    /// # Errors
    /// SQLite errors, or the first error `f` returns.
    pub fn scan_pair<E: From<StoreError>>(
        &self,
        a: Month,
        b: Month,
        mut f: impl FnMut(Option<&ResultRow>, Option<&ResultRow>) -> Result<(), E>,
    ) -> Result<(), E> {
        let ctx = format!("reading the results of {a} and {b}");
        let sql = format!("SELECT {RESULT_COLUMNS} FROM results WHERE period = ?1 ORDER BY id");
        let mut sa = self.conn.prepare(&sql).map_err(|e| self.sql(&ctx, e))?;
        let mut sb = self.conn.prepare(&sql).map_err(|e| self.sql(&ctx, e))?;
        let mut ra = sa.query([a.to_string()]).map_err(|e| self.sql(&ctx, e))?;
        let mut rb = sb.query([b.to_string()]).map_err(|e| self.sql(&ctx, e))?;
        let next = |rows: &mut rusqlite::Rows<'_>| -> Result<Option<ResultRow>> {
            match rows.next().map_err(|e| self.sql(&ctx, e))? {
                Some(r) => Ok(Some(read_result(r).map_err(|e| self.sql(&ctx, e))?)),
                None => Ok(None),
            }
        };
        let mut x = next(&mut ra)?;
        let mut y = next(&mut rb)?;
        loop {
            match (&x, &y) {
                (None, None) => return Ok(()),
                (Some(p), Some(q)) if p.id == q.id => {
                    f(Some(p), Some(q))?;
                    x = next(&mut ra)?;
                    y = next(&mut rb)?;
                }
                (Some(p), Some(q)) if p.id < q.id => {
                    f(Some(p), None)?;
                    x = next(&mut ra)?;
                }
                (Some(p), None) => {
                    f(Some(p), None)?;
                    x = next(&mut ra)?;
                }
                (_, Some(q)) => {
                    f(None, Some(q))?;
                    y = next(&mut rb)?;
                }
            }
        }
    }

    /// One enterprise's history: every stored period, oldest first, with its
    /// result (if it was in that run) and why its class changed.
    ///
    /// # Errors
    /// SQLite errors or unreadable rows.
    pub fn history(&self, id: &str) -> Result<Vec<HistoryEntry>> {
        let mut out = Vec::new();
        for run in self.runs()? {
            let result = self.result(run.period, id)?;
            let changes = self.changes(run.period, Some(id))?;
            out.push(HistoryEntry {
                period: run.period,
                as_of: run.as_of,
                version_id: run.version_id,
                result,
                changes,
            });
        }
        Ok(out)
    }
}

const RESULT_COLUMNS: &str = "id, model, score, base_score, class, reasons, drivers, labels, alerts, rules, manual, error, district, industry";

fn read_result(r: &rusqlite::Row<'_>) -> rusqlite::Result<ResultRow> {
    Ok(ResultRow {
        id: r.get(0)?,
        model: r.get(1)?,
        score: r.get(2)?,
        base_score: r.get(3)?,
        class: r.get(4)?,
        reasons: r.get(5)?,
        drivers: r.get(6)?,
        labels: r.get(7)?,
        alerts: r.get(8)?,
        rules: r.get(9)?,
        manual: r.get(10)?,
        error: r.get(11)?,
        district: r.get(12)?,
        industry: r.get(13)?,
    })
}
