//! The store's texts kept once (`texts`): classes, models, districts,
//! industries, labels, alerts, rule ids and the templates of reasons, errors
//! and change notes. Rows hold their keys.
//!
//! Keys are never reused for another text once committed (texts are never
//! deleted), so readers cache the table and reload it only when a row names a
//! key the cache lacks. A writer's uncommitted texts never reach the cache:
//! the cache is dropped when a run ends, committed or not.

use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::Connection;

use crate::codec::{Damage, Intern, Lookup};
use crate::{Result, Store};

/// The texts of a store by key.
#[derive(Debug, Default)]
pub(crate) struct TextTable {
    texts: Vec<Option<String>>,
}

impl Lookup for TextTable {
    fn text(&self, key: u64) -> Option<&str> {
        self.texts
            .get(usize::try_from(key).ok()?)
            .and_then(|t| t.as_deref())
    }
}

impl TextTable {
    /// Reads every text of the store.
    pub(crate) fn load(conn: &Connection) -> rusqlite::Result<TextTable> {
        let mut stmt = conn.prepare("SELECT key, text FROM texts")?;
        let mut rows = stmt.query([])?;
        let mut texts: Vec<Option<String>> = Vec::new();
        while let Some(r) = rows.next()? {
            let key: i64 = r.get(0)?;
            let Ok(k) = usize::try_from(key) else {
                continue;
            };
            if texts.len() <= k {
                texts.resize(k + 1, None);
            }
            texts[k] = Some(r.get(1)?);
        }
        Ok(TextTable { texts })
    }

    /// The text of `key`, or the damage of a key the store lacks.
    pub(crate) fn get(&self, key: u64) -> std::result::Result<&str, Damage> {
        self.text(key).ok_or(Damage::UnknownText(key))
    }

    /// The text of an optional key.
    pub(crate) fn opt(&self, key: Option<i64>) -> std::result::Result<Option<String>, Damage> {
        key.map(|k| self.get(k as u64).map(str::to_string))
            .transpose()
    }

    /// How many keys the table spans (the largest key plus one).
    pub(crate) fn span(&self) -> usize {
        self.texts.len()
    }
}

/// Interns through the store's connection, inside the caller's transaction.
pub(crate) struct Interner<'c> {
    pub(crate) conn: &'c Connection,
    pub(crate) keys: &'c mut HashMap<String, u64>,
}

impl Intern for Interner<'_> {
    fn key(&mut self, text: &str) -> rusqlite::Result<u64> {
        if let Some(&k) = self.keys.get(text) {
            return Ok(k);
        }
        let mut stmt = self
            .conn
            .prepare_cached("INSERT INTO texts (text) VALUES (?1)")?;
        stmt.execute([text])?;
        let k = self.conn.last_insert_rowid() as u64;
        self.keys.insert(text.to_string(), k);
        Ok(k)
    }
}

/// Every text of the store by text, for a writer.
pub(crate) fn keys_of(conn: &Connection) -> rusqlite::Result<HashMap<String, u64>> {
    let mut stmt = conn.prepare("SELECT key, text FROM texts")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(1)?, r.get::<_, i64>(0)? as u64))
    })?;
    rows.collect()
}

impl Store {
    /// The store's texts: the cached table, reloaded when the store holds a
    /// key it lacks (another process stored texts since).
    pub(crate) fn texts(&self) -> Result<Arc<TextTable>> {
        let max: i64 = self
            .conn
            .query_row("SELECT coalesce(max(key), 0) FROM texts", [], |r| r.get(0))
            .map_err(|e| self.sql("reading texts", e))?;
        let mut cache = self.texts.lock().unwrap_or_else(|p| p.into_inner());
        match &*cache {
            Some(t) if usize::try_from(max).is_ok_and(|m| m < t.span()) => Ok(Arc::clone(t)),
            _ => {
                let table = Arc::new(
                    TextTable::load(&self.conn).map_err(|e| self.sql("reading texts", e))?,
                );
                *cache = Some(Arc::clone(&table));
                Ok(table)
            }
        }
    }

    /// Drops the cached texts (a run ended: its texts may be gone).
    pub(crate) fn forget_texts(&self) {
        *self.texts.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}
