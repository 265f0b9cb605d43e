//! API keys of the results service: who may read what. The store keeps a
//! key's public id, its role and department, and a salted hash of its secret,
//! never the secret itself; issuing and revoking are on the audit trail.

use std::fmt;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::audit::audit;
use crate::names::{name_of, parse_name};
use crate::{InvalidRequest, Result, Store, StoreError, now};

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Role {
    /// A partner system: shared results (class, class name, labels) only.
    Public,
    /// A department: shared results with scores and reasons, and its own queue of alerts.
    Department,
    /// An analyst: everything, read-only.
    Analyst,
    /// An administrator: everything an analyst sees, and the access log.
    Admin,
}

impl Role {
    /// Every role, least privileged first.
    pub const ALL: [Role; 4] = [Role::Public, Role::Department, Role::Analyst, Role::Admin];

    /// The role's stored name: `public`, `department`, `analyst`, `admin`.
    ///
    /// ```
    /// assert_eq!(riskgrade_store::Role::Analyst.name(), "analyst");
    /// ```
    pub fn name(self) -> &'static str {
        name_of(&self)
    }

    /// The role a stored name stands for.
    ///
    /// ```
    /// use riskgrade_store::Role;
    /// assert_eq!(Role::parse("department"), Some(Role::Department));
    /// assert_eq!(Role::parse("root"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Role> {
        parse_name(s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A key to store: its public id, what it may do, and the salted hash of its secret.
#[derive(Debug, Clone, PartialEq)]
pub struct NewKey {
    /// The key's public id (the part of the key that names it).
    pub id: String,
    /// Its role.
    pub role: Role,
    /// The department it belongs to (required for [`Role::Department`]).
    pub department: Option<String>,
    /// Who or what it is for.
    pub note: String,
    /// The salt, hex.
    pub salt: String,
    /// SHA-256 of the salt and the secret, hex.
    pub hash: String,
}

/// A stored key (without its secret, which the store never holds).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredKey {
    /// The key's public id.
    pub id: String,
    /// Its role.
    pub role: Role,
    /// Its department.
    pub department: Option<String>,
    /// Who or what it is for.
    pub note: String,
    /// The salt, hex.
    pub salt: String,
    /// SHA-256 of the salt and the secret, hex.
    pub hash: String,
    /// When it was issued (unix seconds).
    pub created_at: i64,
    /// Who issued it.
    pub created_by: String,
    /// When it was revoked (unix seconds), if it was.
    pub revoked_at: Option<i64>,
}

const KEY_COLUMNS: &str =
    "id, role, department, note, salt, hash, created_at, created_by, revoked_at";

impl Store {
    /// Stores a new key and notes it on the audit trail.
    ///
    /// # Errors
    /// [`InvalidRequest::MissingField`] for a department key without a
    /// department or a key without an id, salt or hash; SQLite errors (e.g. a
    /// duplicate id).
    pub fn add_key(&mut self, key: &NewKey, actor: &str) -> Result<()> {
        let missing = |field| Err(InvalidRequest::MissingField { field }.into());
        if key.id.is_empty() {
            return missing("id");
        }
        if key.salt.is_empty() || key.hash.is_empty() {
            return missing("hash");
        }
        let dept = key.department.as_deref().filter(|d| !d.trim().is_empty());
        if key.role == Role::Department && dept.is_none() {
            return missing("department");
        }
        let file = self.file.clone();
        let wrap = |source| StoreError::Sqlite {
            file: file.clone(),
            context: "adding an API key".into(),
            source,
        };
        let tx = self.conn.transaction().map_err(wrap)?;
        tx.execute(
            "INSERT INTO api_keys (id, role, department, note, salt, hash, created_at, created_by) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                key.id,
                key.role.name(),
                dept,
                key.note,
                key.salt,
                key.hash,
                now(),
                actor
            ],
        )
        .map_err(wrap)?;
        let detail = format!(
            "key {} ({}{})",
            key.id,
            key.role.name(),
            dept.map(|d| format!(", {d}")).unwrap_or_default()
        );
        audit(&tx, actor, "key_add", None, None, &detail).map_err(wrap)?;
        tx.commit().map_err(wrap)
    }

    /// The key with this public id, revoked or not.
    ///
    /// # Errors
    /// SQLite errors or an unreadable row.
    pub fn key(&self, id: &str) -> Result<Option<StoredKey>> {
        let ctx = "reading an API key";
        let raw = self
            .conn
            .prepare_cached(&format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE id = ?1"))
            .and_then(|mut s| s.query_row([id], raw_key).optional())
            .map_err(|e| self.sql(ctx, e))?;
        raw.map(|r| self.read_key(r)).transpose()
    }

    /// Every key, oldest first.
    ///
    /// # Errors
    /// SQLite errors or unreadable rows.
    pub fn keys(&self) -> Result<Vec<StoredKey>> {
        let ctx = "listing API keys";
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {KEY_COLUMNS} FROM api_keys ORDER BY rowid"
            ))
            .map_err(|e| self.sql(ctx, e))?;
        let raws = stmt
            .query_map([], raw_key)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.sql(ctx, e))?;
        raws.into_iter().map(|r| self.read_key(r)).collect()
    }

    /// Revokes a key: from now on it authenticates nothing. Noted on the audit trail.
    ///
    /// # Errors
    /// [`InvalidRequest::NoKey`] when no unrevoked key has this id; SQLite errors.
    pub fn revoke_key(&mut self, id: &str, actor: &str) -> Result<()> {
        let file = self.file.clone();
        let wrap = |source| StoreError::Sqlite {
            file: file.clone(),
            context: "revoking an API key".into(),
            source,
        };
        let tx = self.conn.transaction().map_err(wrap)?;
        let n = tx
            .execute(
                "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                params![id, now()],
            )
            .map_err(wrap)?;
        if n == 0 {
            return Err(InvalidRequest::NoKey {
                key: id.to_string(),
            }
            .into());
        }
        audit(&tx, actor, "key_revoke", None, None, &format!("key {id}")).map_err(wrap)?;
        tx.commit().map_err(wrap)
    }

    fn read_key(&self, r: RawKey) -> Result<StoredKey> {
        let role =
            Role::parse(&r.role).ok_or_else(|| self.corrupt("api_keys", &r.id, "role", &r.role))?;
        Ok(StoredKey {
            id: r.id,
            role,
            department: r.department,
            note: r.note,
            salt: r.salt,
            hash: r.hash,
            created_at: r.created_at,
            created_by: r.created_by,
            revoked_at: r.revoked_at,
        })
    }
}

struct RawKey {
    id: String,
    role: String,
    department: Option<String>,
    note: String,
    salt: String,
    hash: String,
    created_at: i64,
    created_by: String,
    revoked_at: Option<i64>,
}

fn raw_key(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawKey> {
    Ok(RawKey {
        id: r.get(0)?,
        role: r.get(1)?,
        department: r.get(2)?,
        note: r.get(3)?,
        salt: r.get(4)?,
        hash: r.get(5)?,
        created_at: r.get(6)?,
        created_by: r.get(7)?,
        revoked_at: r.get(8)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, role: Role, department: Option<&str>) -> NewKey {
        NewKey {
            id: id.into(),
            role,
            department: department.map(str::to_string),
            note: "test".into(),
            salt: "00ff".into(),
            hash: "abcd".into(),
        }
    }

    #[test]
    fn keys_are_added_listed_revoked_and_audited() -> Result<()> {
        let mut store = Store::in_memory()?;
        for role in Role::ALL {
            let dept = (role == Role::Department).then_some("market");
            store.add_key(&key(role.name(), role, dept), "admin")?;
        }
        let keys = store.keys()?;
        assert_eq!(keys.len(), 4);
        assert_eq!(
            keys.iter().map(|k| k.role).collect::<Vec<_>>(),
            Role::ALL.to_vec()
        );
        store.revoke_key("analyst", "admin")?;
        assert!(store.key("analyst")?.and_then(|k| k.revoked_at).is_some());
        assert!(store.key("admin")?.is_some_and(|k| k.revoked_at.is_none()));
        let again = store.revoke_key("analyst", "admin");
        assert!(matches!(
            again,
            Err(StoreError::Invalid(InvalidRequest::NoKey { key })) if key == "analyst"
        ));
        let actions: Vec<String> = store
            .audit_trail(None)?
            .into_iter()
            .map(|a| a.action)
            .collect();
        assert_eq!(actions.iter().filter(|a| *a == "key_add").count(), 4);
        assert_eq!(actions.iter().filter(|a| *a == "key_revoke").count(), 1);
        Ok(())
    }

    #[test]
    fn a_department_key_needs_its_department_and_ids_are_unique() -> Result<()> {
        let mut store = Store::in_memory()?;
        for dept in [None, Some(""), Some("  ")] {
            let e = store.add_key(&key("k1", Role::Department, dept), "admin");
            assert!(matches!(
                e,
                Err(StoreError::Invalid(InvalidRequest::MissingField {
                    field: "department"
                }))
            ));
        }
        store.add_key(&key("k1", Role::Analyst, None), "admin")?;
        assert!(
            store
                .add_key(&key("k1", Role::Admin, None), "admin")
                .is_err()
        );
        assert_eq!(store.keys()?.len(), 1);
        Ok(())
    }

    #[test]
    fn every_role_round_trips_through_its_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.name()), Some(role));
        }
    }
}
