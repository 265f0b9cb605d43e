//! The append-only audit trail.

use rusqlite::{Connection, params};

use crate::{Result, Store, now};

pub(crate) fn audit(
    tx: &Connection,
    actor: &str,
    action: &str,
    decision: Option<i64>,
    enterprise: Option<&str>,
    detail: &str,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO audit (at, actor, action, decision, enterprise, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![now(), actor, action, decision, enterprise, detail])?;
    Ok(())
}

/// One entry of the audit trail.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Sequence number.
    pub seq: i64,
    /// When (unix seconds).
    pub at: i64,
    /// Who.
    pub actor: String,
    /// What: `decide`, `revoke`, `resolve`, `run`, `replace_run`, `import`, `delete_run`.
    pub action: String,
    /// The decision concerned.
    pub decision: Option<i64>,
    /// The enterprise concerned.
    pub enterprise: Option<String>,
    /// Details.
    pub detail: String,
}

impl Store {
    /// The audit trail, or one enterprise's, oldest first.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn audit_trail(&self, enterprise: Option<&str>) -> Result<Vec<AuditEntry>> {
        let ctx = "reading the audit trail";
        let mut stmt = self
            .conn
            .prepare(
                "SELECT seq, at, actor, action, decision, enterprise, detail FROM audit \
                 WHERE ?1 IS NULL OR enterprise = ?1 ORDER BY seq",
            )
            .map_err(|e| self.sql(ctx, e))?;
        let rows = stmt
            .query_map([enterprise], |r| {
                Ok(AuditEntry {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    decision: r.get(4)?,
                    enterprise: r.get(5)?,
                    detail: r.get(6)?,
                })
            })
            .map_err(|e| self.sql(ctx, e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.sql(ctx, e))
    }

    /// Adds an entry to the audit trail (e.g. an import).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn note_audit(&mut self, actor: &str, action: &str, detail: &str) -> Result<()> {
        audit(&self.conn, actor, action, None, None, detail).map_err(|e| self.sql("auditing", e))
    }
}
