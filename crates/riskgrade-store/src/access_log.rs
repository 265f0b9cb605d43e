//! The results service's access log: every request, who made it, what it
//! asked for, when and with what outcome. Append-only, like the audit trail:
//! the table's triggers refuse updates and deletes.

use rusqlite::params;

use crate::{Result, Store, StoreError};

/// One request, as logged.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AccessEntry {
    /// Sequence number (0 for an entry not yet stored).
    pub seq: i64,
    /// When (unix milliseconds).
    pub at_ms: i64,
    /// The key's public id, if a known key was presented.
    pub key: Option<String>,
    /// The role the request was served as (`public` without a key).
    pub role: String,
    /// The key's department.
    pub department: Option<String>,
    /// The client's address.
    pub client: String,
    /// The HTTP method.
    pub method: String,
    /// The path and query asked for.
    pub target: String,
    /// The HTTP status answered.
    pub status: u16,
    /// What happened: `ok`, or why not (`no_key`, `bad_key`, `revoked_key`, `forbidden`,
    /// `rate_limited`, `too_large`, `not_found`, `bad_request`, `error`).
    pub outcome: String,
}

/// Which entries of the access log to read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AccessQuery {
    /// Only entries after this sequence number.
    pub after: Option<i64>,
    /// Only this key's entries.
    pub key: Option<String>,
    /// Only entries with this outcome.
    pub outcome: Option<String>,
    /// At most this many (newest last); 0 means 1000.
    pub limit: usize,
}

impl Store {
    /// Appends entries to the access log in one transaction; returns how many.
    ///
    /// # Errors
    /// SQLite errors; nothing is logged then.
    pub fn log_access(&mut self, entries: &[AccessEntry]) -> Result<usize> {
        let file = self.file.clone();
        let wrap = |source| StoreError::Sqlite {
            file: file.clone(),
            context: "writing the access log".into(),
            source,
        };
        let tx = self.conn.transaction().map_err(wrap)?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO access_log (at_ms, key, role, department, client, method, target, status, outcome) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )
                .map_err(wrap)?;
            for e in entries {
                stmt.execute(params![
                    e.at_ms,
                    e.key,
                    e.role,
                    e.department,
                    e.client,
                    e.method,
                    e.target,
                    e.status,
                    e.outcome
                ])
                .map_err(wrap)?;
            }
        }
        tx.commit().map_err(wrap)?;
        Ok(entries.len())
    }

    /// Entries of the access log, oldest first.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn access_log(&self, q: &AccessQuery) -> Result<Vec<AccessEntry>> {
        let ctx = "reading the access log";
        let limit = if q.limit == 0 { 1000 } else { q.limit };
        let mut stmt = self
            .conn
            .prepare(
                "SELECT seq, at_ms, key, role, department, client, method, target, status, outcome \
                 FROM (SELECT * FROM access_log \
                       WHERE seq > ?1 AND (?2 IS NULL OR key = ?2) AND (?3 IS NULL OR outcome = ?3) \
                       ORDER BY seq DESC LIMIT ?4) ORDER BY seq",
            )
            .map_err(|e| self.sql(ctx, e))?;
        let rows = stmt
            .query_map(
                params![
                    q.after.unwrap_or(0),
                    q.key,
                    q.outcome,
                    i64::try_from(limit).unwrap_or(i64::MAX)
                ],
                |r| {
                    Ok(AccessEntry {
                        seq: r.get(0)?,
                        at_ms: r.get(1)?,
                        key: r.get(2)?,
                        role: r.get(3)?,
                        department: r.get(4)?,
                        client: r.get(5)?,
                        method: r.get(6)?,
                        target: r.get(7)?,
                        status: r.get(8)?,
                        outcome: r.get(9)?,
                    })
                },
            )
            .map_err(|e| self.sql(ctx, e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.sql(ctx, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: Option<&str>, status: u16, outcome: &str) -> AccessEntry {
        AccessEntry {
            at_ms: 1,
            key: key.map(str::to_string),
            role: "public".into(),
            client: "127.0.0.1".into(),
            method: "GET".into(),
            target: "/api/v1/health".into(),
            status,
            outcome: outcome.into(),
            ..AccessEntry::default()
        }
    }

    #[test]
    fn the_access_log_is_append_only_and_filtered() -> Result<()> {
        let mut store = Store::in_memory()?;
        let entries = [
            entry(None, 401, "no_key"),
            entry(Some("k1"), 200, "ok"),
            entry(Some("k1"), 403, "forbidden"),
        ];
        assert_eq!(store.log_access(&entries)?, 3);
        let all = store.access_log(&AccessQuery::default())?;
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].outcome, "no_key");
        let k1 = store.access_log(&AccessQuery {
            key: Some("k1".into()),
            ..AccessQuery::default()
        })?;
        assert_eq!(k1.len(), 2);
        let last = store.access_log(&AccessQuery {
            limit: 1,
            ..AccessQuery::default()
        })?;
        assert_eq!(last[0].outcome, "forbidden");
        for sql in [
            "UPDATE access_log SET outcome = 'ok'",
            "DELETE FROM access_log",
        ] {
            assert!(store.conn.execute(sql, []).is_err(), "{sql}");
        }
        assert_eq!(store.access_log(&AccessQuery::default())?, all);
        Ok(())
    }
}
