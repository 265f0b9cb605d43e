//! The directory of enterprises: each id's registered name and unified
//! social credit code, as the latest graded profiles gave them, so results
//! can be found by credit code and published with names; and the licence
//! types each enterprise of a period held, for plans scoped by licence type.

use std::collections::HashMap;

use riskgrade_core::{Enterprise, Month};
use rusqlite::{OptionalExtension, params};

use crate::{InvalidRequest, Result, Store, StoreError};

impl Store {
    /// Records the name and credit code of each profile (a changed name or
    /// code replaces the stored one), in one transaction; returns how many
    /// entries were added or changed.
    ///
    /// ```
    /// use riskgrade_store::Store;
    /// let mut store = Store::in_memory()?;
    /// let mut e: riskgrade_core::Enterprise = serde_json::from_str(r#"{"id": "E1", "name": "Haidian Foods Ltd", "industry": "C1411"}"#)?;
    /// e.credit_code = Some("91110108MA01ABCD1X".into());
    /// assert_eq!(store.record_directory(&[e.clone()])?, 1);
    /// assert_eq!(store.record_directory(&[e])?, 0);
    /// assert_eq!(store.id_by_credit_code("91110108MA01ABCD1X")?.as_deref(), Some("E1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// SQLite errors; nothing is recorded then.
    pub fn record_directory(&mut self, profiles: &[Enterprise]) -> Result<usize> {
        let file = self.file.clone();
        let wrap = |source| StoreError::Sqlite {
            file: file.clone(),
            context: "recording enterprise names and credit codes".into(),
            source,
        };
        let tx = self.conn.transaction().map_err(wrap)?;
        let mut changed = 0;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO directory (id, name, credit_code) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name, credit_code = excluded.credit_code \
                     WHERE name IS NOT excluded.name OR credit_code IS NOT excluded.credit_code",
                )
                .map_err(wrap)?;
            for e in profiles {
                let code = e.credit_code.as_deref().filter(|c| !c.is_empty());
                changed += stmt.execute(params![e.id.0, e.name, code]).map_err(wrap)?;
            }
        }
        tx.commit().map_err(wrap)?;
        Ok(changed)
    }

    /// The id of the enterprise with this credit code (the latest recorded).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn id_by_credit_code(&self, code: &str) -> Result<Option<String>> {
        self.conn
            .prepare_cached(
                "SELECT id FROM directory WHERE credit_code = ?1 ORDER BY rowid DESC LIMIT 1",
            )
            .and_then(|mut s| s.query_row([code], |r| r.get(0)).optional())
            .map_err(|e| self.sql("finding an enterprise by credit code", e))
    }

    /// Name and credit code (empty when unknown) of each of `ids` that the directory holds.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn directory(&self, ids: &[&str]) -> Result<HashMap<String, (String, String)>> {
        let ctx = "reading enterprise names";
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name, credit_code FROM directory WHERE id = ?1")
            .map_err(|e| self.sql(ctx, e))?;
        let mut out = HashMap::new();
        for id in ids {
            let found: Option<(String, Option<String>)> = stmt
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
                .map_err(|e| self.sql(ctx, e))?;
            if let Some((name, code)) = found {
                out.insert((*id).to_string(), (name, code.unwrap_or_default()));
            }
        }
        Ok(out)
    }

    /// Records the licence types the enterprises of `period` hold, as
    /// `(enterprise id, licence type)` pairs (a pair given twice is kept once,
    /// an empty type is left out), so that a plan scoped by licence type draws
    /// from the stored period what it draws from the grading. Call it through
    /// [`RunWriter::store`](crate::RunWriter::store) while the period's run is
    /// written: the licence types then commit, or roll back, with the run, and
    /// a later run of the period replaces them. Outside a run the period must
    /// be stored. Returns how many pairs were added.
    ///
    /// ```
    /// use riskgrade_store::{NewRun, Store};
    /// let mut store = Store::in_memory()?;
    /// let period: riskgrade_core::Month = "2026-10".parse()?;
    /// let writer = store.begin_run(NewRun::new(period, period.last_day(), "v1", vec!["A"]))?;
    /// let pairs = [("E1", "food_production"), ("E1", "special_equipment"), ("E1", "food_production")];
    /// assert_eq!(writer.store().record_period_licences(period, pairs)?, 2);
    /// writer.commit()?;
    /// assert_eq!(store.period_licences(period)?["E1"], ["food_production", "special_equipment"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// Outside a run, a period that is not stored; SQLite errors (inside a
    /// run, drop the writer: nothing of the run is stored).
    pub fn record_period_licences<'s>(
        &self,
        period: Month,
        pairs: impl IntoIterator<Item = (&'s str, &'s str)>,
    ) -> Result<usize> {
        if self.conn.is_autocommit() && self.run(period)?.is_none() {
            return Err(InvalidRequest::NoRun { period }.into());
        }
        let ctx = "recording the licence types of a period's enterprises";
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO period_licences (period, id, kind) VALUES (?1, ?2, ?3)",
            )
            .map_err(|e| self.sql(ctx, e))?;
        let key = period.to_string();
        let mut added = 0;
        for (id, kind) in pairs {
            let kind = kind.trim();
            if !kind.is_empty() {
                added += stmt
                    .execute(params![key, id, kind])
                    .map_err(|e| self.sql(ctx, e))?;
            }
        }
        Ok(added)
    }

    /// The licence types each enterprise of stored period `period` held
    /// (sorted, each once), for the enterprises that held any.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn period_licences(&self, period: Month) -> Result<HashMap<String, Vec<String>>> {
        let ctx = "reading the licence types of a period";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, kind FROM period_licences WHERE period = ?1 ORDER BY id, kind",
            )
            .map_err(|e| self.sql(ctx, e))?;
        let rows = stmt
            .query_map([period.to_string()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(|e| self.sql(ctx, e))?;
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        for row in rows {
            let (id, kind) = row.map_err(|e| self.sql(ctx, e))?;
            out.entry(id).or_default().push(kind);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(id: &str, name: &str, code: Option<&str>) -> Enterprise {
        let mut e: Enterprise = serde_json::from_value(
            serde_json::json!({"id": id, "name": name, "industry": "C1411"}),
        )
        .expect("profile");
        e.credit_code = code.map(str::to_string);
        e
    }

    #[test]
    fn names_and_codes_are_recorded_replaced_and_found() -> Result<()> {
        let mut store = Store::in_memory()?;
        let a = profile("E1", "Alpha", Some("911101080000000001"));
        let b = profile("E2", "Beta", None);
        assert_eq!(store.record_directory(&[a.clone(), b.clone()])?, 2);
        assert_eq!(store.record_directory(&[a, b])?, 0);
        let renamed = profile("E1", "Alpha Foods", Some("911101080000000002"));
        assert_eq!(store.record_directory(&[renamed])?, 1);
        assert_eq!(store.id_by_credit_code("911101080000000001")?, None);
        assert_eq!(
            store.id_by_credit_code("911101080000000002")?.as_deref(),
            Some("E1")
        );
        let names = store.directory(&["E1", "E2", "E3"])?;
        assert_eq!(names.len(), 2);
        assert_eq!(
            names["E1"],
            ("Alpha Foods".to_string(), "911101080000000002".to_string())
        );
        assert_eq!(names["E2"], ("Beta".to_string(), String::new()));
        Ok(())
    }

    fn run(store: &mut Store, period: Month, pairs: &[(&str, &str)]) -> Result<()> {
        let writer = store.begin_run(crate::NewRun::new(
            period,
            period.last_day(),
            "v1",
            vec!["A"],
        ))?;
        writer
            .store()
            .record_period_licences(period, pairs.iter().copied())?;
        writer.commit()?;
        Ok(())
    }

    #[test]
    fn licence_types_go_with_their_period_replaced_by_its_next_run() -> Result<()> {
        let mut store = Store::in_memory()?;
        let (oct, nov): (Month, Month) =
            ("2026-10".parse().expect("m"), "2026-11".parse().expect("m"));
        run(
            &mut store,
            oct,
            &[("E1", "food_production"), ("E2", " "), ("E2", "pollutant")],
        )?;
        run(&mut store, nov, &[("E1", "special_equipment")])?;
        let held = store.period_licences(oct)?;
        assert_eq!(held.len(), 2, "{held:?}");
        assert_eq!(held["E2"], ["pollutant"]);
        assert_eq!(store.period_licences(nov)?["E1"], ["special_equipment"]);
        // A new run of October replaces its licence types, and leaves November's.
        run(&mut store, oct, &[("E3", "food_business")])?;
        let held = store.period_licences(oct)?;
        assert_eq!(held.keys().collect::<Vec<_>>(), ["E3"]);
        assert_eq!(store.period_licences(nov)?.len(), 1);
        // A run dropped before its commit stores none of its licence types.
        let writer = store.begin_run(crate::NewRun::new(oct, oct.last_day(), "v1", vec!["A"]))?;
        writer
            .store()
            .record_period_licences(oct, [("E9", "food_production")])?;
        drop(writer);
        assert_eq!(
            store.period_licences(oct)?.keys().collect::<Vec<_>>(),
            ["E3"]
        );
        // Outside a run, only a stored period takes licence types.
        let dec: Month = "2026-12".parse().expect("m");
        assert!(store.record_period_licences(dec, [("E1", "x")]).is_err());
        assert_eq!(store.record_period_licences(nov, [("E4", "x")])?, 1);
        Ok(())
    }
}
