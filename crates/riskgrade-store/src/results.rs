//! Result rows: one enterprise in one period; reading, scanning and joining
//! two periods, and one enterprise's history.

use riskgrade_core::{Date, Month};
use rusqlite::params;

use crate::codec::{Damage, Intern, decode_detail, encode_detail, period_key};
use crate::texts::TextTable;
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
    /// Labels, each exactly as the rule gave it.
    pub labels: Vec<String>,
    /// Alerts (`topic -> department`), each exactly as written.
    pub alerts: Vec<String>,
    /// Ids of the rules that acted, in the order they first acted.
    pub rules: Vec<String>,
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
    /// SQLite errors or an unreadable row.
    pub fn result(&self, period: Month, id: &str) -> Result<Option<ResultRow>> {
        Ok(self.results_of(period, &[id])?.pop().flatten())
    }

    /// The results of `ids` in `period`, in the order asked (`None` for an
    /// enterprise the period does not hold).
    ///
    /// # Errors
    /// SQLite errors or an unreadable row.
    pub fn results_of(&self, period: Month, ids: &[&str]) -> Result<Vec<Option<ResultRow>>> {
        let texts = self.texts()?;
        let ctx = format!("reading results of {period}");
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ROW_COLUMNS} FROM result_rows WHERE period = ?1 AND id = ?2"
            ))
            .map_err(|e| self.sql(&ctx, e))?;
        let p = period_key(period);
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let mut rows = stmt.query(params![p, id]).map_err(|e| self.sql(&ctx, e))?;
            let row = match rows.next().map_err(|e| self.sql(&ctx, e))? {
                Some(r) => Some(self.decode_row(r, &texts, period, &ctx)?),
                None => None,
            };
            out.push(row);
        }
        Ok(out)
    }

    /// Decodes one stored row.
    fn decode_row(
        &self,
        r: &rusqlite::Row<'_>,
        texts: &TextTable,
        period: Month,
        ctx: &str,
    ) -> Result<ResultRow> {
        let raw = RawRow::read(r).map_err(|e| self.sql(ctx, e))?;
        let id = raw.id.clone();
        raw.decode(texts).map_err(|d| {
            self.corrupt(
                "result_rows",
                format_args!("{id} in {period}"),
                "detail",
                &format!("{d:?}"),
            )
        })
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
        let texts = self.texts()?;
        let ctx = format!("reading the results of {period}");
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {ROW_COLUMNS} FROM result_rows WHERE period = ?1 ORDER BY id"
            ))
            .map_err(|e| self.sql(&ctx, e))?;
        let mut rows = stmt
            .query([period_key(period)])
            .map_err(|e| self.sql(&ctx, e))?;
        while let Some(row) = rows.next().map_err(|e| self.sql(&ctx, e))? {
            f(self.decode_row(row, &texts, period, &ctx)?)?;
        }
        Ok(())
    }

    /// Calls `f(id, model, score, class)` with every result of `period`, in
    /// id order: the few columns a comparison needs, with no texts rendered.
    ///
    /// # Errors
    /// SQLite errors, an unreadable row, or the first error `f` returns.
    pub fn scan_classes<E: From<StoreError>>(
        &self,
        period: Month,
        mut f: impl FnMut(&str, Option<&str>, Option<f64>, Option<&str>) -> Result<(), E>,
    ) -> Result<(), E> {
        let texts = self.texts()?;
        let ctx = format!("reading the classes of {period}");
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, model, score, class FROM result_rows WHERE period = ?1 ORDER BY id",
            )
            .map_err(|e| self.sql(&ctx, e))?;
        let mut rows = stmt
            .query([period_key(period)])
            .map_err(|e| self.sql(&ctx, e))?;
        let text = |r: &rusqlite::Row<'_>, i: usize, id: &str| -> Result<Option<&str>> {
            let key: Option<i64> = r.get(i).map_err(|e| self.sql(&ctx, e))?;
            key.map(|k| {
                texts.get(k as u64).map_err(|d| {
                    self.corrupt(
                        "result_rows",
                        format_args!("{id} in {period}"),
                        "class",
                        &format!("{d:?}"),
                    )
                })
            })
            .transpose()
        };
        while let Some(r) = rows.next().map_err(|e| self.sql(&ctx, e))? {
            let id = r
                .get_ref(0)
                .and_then(|v| Ok(v.as_str()?))
                .map_err(|e| self.sql(&ctx, e))?;
            let score: Option<f64> = r.get(2).map_err(|e| self.sql(&ctx, e))?;
            let model = text(r, 1, id)?;
            let class = text(r, 3, id)?;
            f(id, model, score, class)?;
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
        let texts = self.texts()?;
        let ctx = format!("reading the results of {a} and {b}");
        let sql = format!("SELECT {ROW_COLUMNS} FROM result_rows WHERE period = ?1 ORDER BY id");
        let mut sa = self.conn.prepare(&sql).map_err(|e| self.sql(&ctx, e))?;
        let mut sb = self.conn.prepare(&sql).map_err(|e| self.sql(&ctx, e))?;
        let mut ra = sa.query([period_key(a)]).map_err(|e| self.sql(&ctx, e))?;
        let mut rb = sb.query([period_key(b)]).map_err(|e| self.sql(&ctx, e))?;
        let next = |rows: &mut rusqlite::Rows<'_>, p: Month| -> Result<Option<ResultRow>> {
            match rows.next().map_err(|e| self.sql(&ctx, e))? {
                Some(r) => Ok(Some(self.decode_row(r, &texts, p, &ctx)?)),
                None => Ok(None),
            }
        };
        let mut x = next(&mut ra, a)?;
        let mut y = next(&mut rb, b)?;
        loop {
            match (&x, &y) {
                (None, None) => return Ok(()),
                (Some(p), Some(q)) if p.id == q.id => {
                    f(Some(p), Some(q))?;
                    x = next(&mut ra, a)?;
                    y = next(&mut rb, b)?;
                }
                (Some(p), Some(q)) if p.id < q.id => {
                    f(Some(p), None)?;
                    x = next(&mut ra, a)?;
                }
                (Some(p), None) => {
                    f(Some(p), None)?;
                    x = next(&mut ra, a)?;
                }
                (_, Some(q)) => {
                    f(None, Some(q))?;
                    y = next(&mut rb, b)?;
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

/// The columns of `result_rows` that [`RawRow::read`] reads, in its order.
pub(crate) const ROW_COLUMNS: &str =
    "id, class, score, base_score, model, district, industry, manual, detail";

/// A stored row as SQLite gives it: text keys and the `detail` blob.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct RawRow {
    pub id: String,
    pub class: Option<i64>,
    pub score: Option<f64>,
    pub base_score: Option<f64>,
    pub model: Option<i64>,
    pub district: i64,
    pub industry: i64,
    pub manual: Option<i64>,
    pub detail: Vec<u8>,
}

impl RawRow {
    /// Reads the [`ROW_COLUMNS`] of `r`.
    pub(crate) fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
        Ok(RawRow {
            id: r.get(0)?,
            class: r.get(1)?,
            score: r.get(2)?,
            base_score: r.get(3)?,
            model: r.get(4)?,
            district: r.get(5)?,
            industry: r.get(6)?,
            manual: r.get(7)?,
            detail: r.get(8)?,
        })
    }

    /// `row` as stored: its texts interned.
    pub(crate) fn encode<I: Intern>(row: &ResultRow, intern: &mut I) -> Result<RawRow, I::Error> {
        let mut key = |t: &str| intern.key(t).map(|k| k as i64);
        let class = row.class.as_deref().map(&mut key).transpose()?;
        let model = row.model.as_deref().map(&mut key).transpose()?;
        let district = key(&row.district)?;
        let industry = key(&row.industry)?;
        Ok(RawRow {
            id: row.id.clone(),
            class,
            score: row.score,
            base_score: if row.base_score == row.score {
                None
            } else {
                row.base_score
            },
            model,
            district,
            industry,
            manual: row.manual,
            detail: encode_detail(row, intern)?,
        })
    }

    /// The row with its texts rendered.
    pub(crate) fn decode(self, texts: &TextTable) -> Result<ResultRow, Damage> {
        let mut row = ResultRow {
            id: self.id,
            model: texts.opt(self.model)?,
            score: self.score,
            base_score: self.base_score.or(self.score),
            class: texts.opt(self.class)?,
            manual: self.manual,
            district: texts.get(self.district as u64)?.to_string(),
            industry: texts.get(self.industry as u64)?.to_string(),
            ..ResultRow::default()
        };
        decode_detail(&self.detail, texts)?.fill(&mut row, texts)?;
        Ok(row)
    }
}
