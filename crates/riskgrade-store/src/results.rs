//! Result rows: one enterprise in one period; reading, scanning and joining
//! two periods, and one enterprise's history.

use riskgrade_core::{Date, Month};
use rusqlite::{OptionalExtension, params};

use crate::blocks::{BlockReader, Mark, RowView};
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
            .prepare_cached(
                "SELECT first_id, last_id, data FROM result_blocks \
                 WHERE period = ?1 AND first_id <= ?2 ORDER BY first_id DESC LIMIT 1",
            )
            .map_err(|e| self.sql(&ctx, e))?;
        let p = period_key(period);
        // The block read last: ids asked in order mostly fall in it.
        let mut held: Option<Held> = None;
        let mut out = Vec::with_capacity(ids.len());
        for &id in ids {
            if !held.as_ref().is_some_and(|h| h.holds(id)) {
                held = stmt
                    .query_row(params![p, id], |r| {
                        Ok(Held {
                            first: r.get(0)?,
                            last: r.get(1)?,
                            blob: r.get(2)?,
                            mark: None,
                            before: Mark::default(),
                        })
                    })
                    .optional()
                    .map_err(|e| self.sql(&ctx, e))?;
            }
            let found = match &mut held {
                Some(h) if h.holds(id) => h.find(id).map_err(|d| self.damaged(period, id, d))?,
                _ => None,
            };
            out.push(match found {
                Some(raw) => Some(self.decode_raw(raw, &texts, period)?),
                None => None,
            });
        }
        Ok(out)
    }

    /// A block of `period` that could not be read.
    pub(crate) fn block_damaged(&self, period: Month, d: Damage) -> StoreError {
        self.corrupt(
            "result_blocks",
            format_args!("a block of {period}"),
            "data",
            &format!("{d:?}"),
        )
    }

    /// A stored row that could not be read.
    fn damaged(&self, period: Month, id: &str, d: Damage) -> StoreError {
        self.corrupt(
            "result_blocks",
            format_args!("{id} in {period}"),
            "data",
            &format!("{d:?}"),
        )
    }

    /// Decodes one stored row.
    fn decode_raw(&self, raw: RawRow, texts: &TextTable, period: Month) -> Result<ResultRow> {
        let id = raw.id.clone();
        raw.decode(texts).map_err(|d| self.damaged(period, &id, d))
    }

    /// Calls `f` with each block of `period` (its blob), in id order.
    pub(crate) fn scan_blocks<E: From<StoreError>>(
        &self,
        period: Month,
        mut f: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let ctx = format!("reading the results of {period}");
        let mut stmt = self
            .conn
            .prepare_cached("SELECT data FROM result_blocks WHERE period = ?1 ORDER BY seq")
            .map_err(|e| self.sql(&ctx, e))?;
        let mut rows = stmt
            .query([period_key(period)])
            .map_err(|e| self.sql(&ctx, e))?;
        while let Some(r) = rows.next().map_err(|e| self.sql(&ctx, e))? {
            let blob = r
                .get_ref(0)
                .and_then(|v| Ok(v.as_blob()?))
                .map_err(|e| self.sql(&ctx, e))?;
            f(blob)?;
        }
        Ok(())
    }

    /// Calls `f` with every row of `period`, borrowed from its block, in id order.
    fn scan_views<E: From<StoreError>>(
        &self,
        period: Month,
        mut f: impl FnMut(RowView<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.scan_blocks(period, |blob| {
            let block_damaged = |d| self.block_damaged(period, d);
            let mut rows = BlockReader::new(blob).map_err(block_damaged)?;
            while let Some(v) = rows.next_row().map_err(block_damaged)? {
                f(v)?;
            }
            Ok(())
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
        self.scan_views(period, |v| {
            f(self.decode_raw(v.to_raw(), &texts, period)?)
        })
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
        self.scan_views(period, |v| {
            let text = |key: Option<u64>| {
                key.map(|k| texts.get(k))
                    .transpose()
                    .map_err(|d| self.damaged(period, v.id, d))
            };
            f(v.id, text(v.model)?, v.score, text(v.class)?)
        })
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
        let sql = "SELECT data FROM result_blocks WHERE period = ?1 ORDER BY seq";
        let mut sa = self.conn.prepare(sql).map_err(|e| self.sql(&ctx, e))?;
        let mut sb = self.conn.prepare(sql).map_err(|e| self.sql(&ctx, e))?;
        let mut ra = sa.query([period_key(a)]).map_err(|e| self.sql(&ctx, e))?;
        let mut rb = sb.query([period_key(b)]).map_err(|e| self.sql(&ctx, e))?;
        // Each side: the rest of its current block, next row last.
        let mut held_a: Vec<RawRow> = Vec::new();
        let mut held_b: Vec<RawRow> = Vec::new();
        let next = |rows: &mut rusqlite::Rows<'_>,
                    held: &mut Vec<RawRow>,
                    p: Month|
         -> Result<Option<ResultRow>> {
            while held.is_empty() {
                let Some(r) = rows.next().map_err(|e| self.sql(&ctx, e))? else {
                    return Ok(None);
                };
                let blob = r
                    .get_ref(0)
                    .and_then(|v| Ok(v.as_blob()?))
                    .map_err(|e| self.sql(&ctx, e))?;
                *held = BlockReader::new(blob)
                    .and_then(BlockReader::all)
                    .map_err(|d| self.block_damaged(p, d))?;
                held.reverse();
            }
            match held.pop() {
                Some(raw) => Ok(Some(self.decode_raw(raw, &texts, p)?)),
                None => Ok(None),
            }
        };
        let mut x = next(&mut ra, &mut held_a, a)?;
        let mut y = next(&mut rb, &mut held_b, b)?;
        loop {
            match (&x, &y) {
                (None, None) => return Ok(()),
                (Some(p), Some(q)) if p.id == q.id => {
                    f(Some(p), Some(q))?;
                    x = next(&mut ra, &mut held_a, a)?;
                    y = next(&mut rb, &mut held_b, b)?;
                }
                (Some(p), Some(q)) if p.id < q.id => {
                    f(Some(p), None)?;
                    x = next(&mut ra, &mut held_a, a)?;
                }
                (Some(p), None) => {
                    f(Some(p), None)?;
                    x = next(&mut ra, &mut held_a, a)?;
                }
                (_, Some(q)) => {
                    f(None, Some(q))?;
                    y = next(&mut rb, &mut held_b, b)?;
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

/// A block read to find enterprises in it.
struct Held {
    first: String,
    last: String,
    blob: Vec<u8>,
    /// Where the last lookup stopped: before the first row past the id it looked for
    /// (`None`: nothing read yet).
    mark: Option<Mark>,
    /// Where the reader stood before the row being read (reused from row to row).
    before: Mark,
}

impl Held {
    /// Whether `id` falls in the block's range.
    fn holds(&self, id: &str) -> bool {
        self.first.as_str() <= id && id <= self.last.as_str()
    }

    /// The row of `id`. Ids asked in rising order (a run's movers, a batch of lookups)
    /// read the block once between them: each lookup goes on from where the last
    /// stopped; an id not past the last one read starts from the block's first row.
    fn find(&mut self, id: &str) -> Result<Option<RawRow>, Damage> {
        let mut reader = match &self.mark {
            Some(m) if m.id.as_slice() < id.as_bytes() => BlockReader::resume(&self.blob, m),
            _ => BlockReader::new(&self.blob)?,
        };
        loop {
            reader.mark_into(&mut self.before);
            let Some(v) = reader.next_row()? else {
                let mut end = Mark::default();
                reader.mark_into(&mut end);
                self.mark = Some(end);
                return Ok(None);
            };
            match v.id.cmp(id) {
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Equal => {
                    let raw = v.to_raw();
                    let mut after = Mark::default();
                    reader.mark_into(&mut after);
                    self.mark = Some(after);
                    return Ok(Some(raw));
                }
                std::cmp::Ordering::Greater => {
                    self.mark = Some(self.before.clone());
                    return Ok(None);
                }
            }
        }
    }
}

/// The columns of schema 7's `result_rows` that [`RawRow::read`] reads, in its order
/// (for the upgrade to blocks).
pub(crate) const ROW_COLUMNS: &str =
    "id, class, score, base_score, model, district, industry, manual, detail";

/// A stored row: text keys, numbers and the `detail` blob.
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
