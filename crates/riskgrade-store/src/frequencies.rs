//! How often each enterprise was drawn in a calendar year, counted from the stored draws: what
//! yearly minimum and maximum frequencies and the caps on forced tasks are checked against.

use std::collections::BTreeMap;

use riskgrade_core::{Date, Month};

use crate::{Result, Store};

/// One enterprise's tasks in a calendar year before a date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct YearCount {
    /// Tasks drawn (any reason).
    pub drawn: u32,
    /// Forced tasks (an alert or a label).
    pub forced: u32,
    /// Forced tasks of draws from the same period.
    pub forced_in_period: u32,
}

impl Store {
    /// Per enterprise, its tasks in draws dated from 1 January of `before`'s year up to the day
    /// before `before`; forced tasks of draws from `period` are counted apart too. Enterprises
    /// with no task are left out. Draws dated `before` itself never count, so a draw's counts do
    /// not change when another draw is made on the same day.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn year_counts(&self, before: Date, period: Month) -> Result<BTreeMap<String, YearCount>> {
        let ctx = "counting the year's tasks";
        let (year, _, _) = before.ymd();
        let start = format!("{year:04}-01-01");
        let mut stmt = self
            .conn
            .prepare(
                "SELECT t.enterprise, t.why, d.period FROM tasks t JOIN draws d ON t.draw = d.id \
                 WHERE d.drawn_on >= ?1 AND d.drawn_on < ?2",
            )
            .map_err(|e| self.sql(ctx, e))?;
        let rows = stmt
            .query_map([start, before.to_string()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(|e| self.sql(ctx, e))?;
        let period = period.to_string();
        let mut out: BTreeMap<String, YearCount> = BTreeMap::new();
        for row in rows {
            let (enterprise, why, p) = row.map_err(|e| self.sql(ctx, e))?;
            let forced = why.starts_with("alert") || why.starts_with("label");
            let c = out.entry(enterprise).or_default();
            c.drawn += 1;
            c.forced += u32::from(forced);
            c.forced_in_period += u32::from(forced && p == period);
        }
        Ok(out)
    }
}
