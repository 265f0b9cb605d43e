//! The directory of enterprises: each id's registered name and unified
//! social credit code, as the latest graded profiles gave them, so results
//! can be found by credit code and published with names.

use std::collections::HashMap;

use riskgrade_core::Enterprise;
use rusqlite::{OptionalExtension, params};

use crate::{Result, Store, StoreError};

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
}
