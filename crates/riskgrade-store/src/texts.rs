//! The store's texts kept once (`texts`): classes, models, districts,
//! industries, labels, alerts, rule ids and the templates of reasons, errors
//! and change notes. Rows hold their keys.
//!
//! Keys are never reused for another text once committed (texts are never
//! deleted), so readers cache the table and reload it only when a row names a
//! key the cache lacks. A writer's uncommitted texts never reach the cache:
//! the cache is dropped when a run ends, committed or not.

use std::sync::Arc;

use rusqlite::Connection;
use rustc_hash::FxHashMap;

use crate::codec::{DRIVER, Damage, Intern, Lookup, driver_of};
use crate::{Result, Store};

/// The texts of a store by key.
#[derive(Debug, Default)]
pub(crate) struct TextTable {
    texts: Vec<Option<String>>,
    /// Per indicator, the keys of its driver texts in key order (the codes).
    drivers: Vec<Vec<usize>>,
    /// Per text, the byte offsets of its number placeholders (found once, not on each read).
    holes: Vec<Vec<u32>>,
}

impl Lookup for TextTable {
    fn text(&self, key: u64) -> Option<&str> {
        self.texts
            .get(usize::try_from(key).ok()?)
            .and_then(|t| t.as_deref())
    }

    fn driver(&self, index: u64, code: u64) -> Option<&str> {
        let key = *self
            .drivers
            .get(usize::try_from(index).ok()?)?
            .get(usize::try_from(code).ok()?)?;
        driver_of(self.texts.get(key)?.as_deref()?).map(|(_, p)| p)
    }

    fn template(&self, key: u64) -> Option<(&str, &[u32])> {
        let k = usize::try_from(key).ok()?;
        Some((self.texts.get(k)?.as_deref()?, self.holes.get(k)?))
    }
}

impl TextTable {
    /// Reads every text of the store.
    pub(crate) fn load(conn: &Connection) -> rusqlite::Result<TextTable> {
        let mut stmt = conn.prepare("SELECT key, text FROM texts ORDER BY key")?;
        let mut rows = stmt.query([])?;
        let mut texts: Vec<Option<String>> = Vec::new();
        let mut drivers: Vec<Vec<usize>> = Vec::new();
        let mut read = 0usize;
        while let Some(r) = rows.next()? {
            let key: i64 = r.get(0)?;
            let Ok(k) = usize::try_from(key) else {
                continue;
            };
            read += 1;
            // Keys are given out one after another, and each driver text names one of a
            // model's indicators: a number far past the texts read is damage, reported
            // rather than a table grown to hold it.
            let far = read.saturating_mul(4).saturating_add(1 << 16);
            if k > far {
                return Err(rusqlite::Error::IntegralValueOutOfRange(0, key));
            }
            if texts.len() <= k {
                texts.resize(k + 1, None);
            }
            let text: String = r.get(1)?;
            if let Some((i, _)) = driver_of(&text) {
                if i > far {
                    return Err(rusqlite::Error::IntegralValueOutOfRange(1, key));
                }
                if drivers.len() <= i {
                    drivers.resize(i + 1, Vec::new());
                }
                drivers[i].push(k);
            }
            texts[k] = Some(text);
        }
        let holes = texts
            .iter()
            .map(|t| t.as_deref().map(crate::codec::holes).unwrap_or_default())
            .collect();
        Ok(TextTable {
            texts,
            drivers,
            holes,
        })
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
    pub(crate) keys: &'c mut Keys,
}

/// Every text of the store by text, and each indicator's driver codes by points, for a writer.
#[derive(Debug, Default)]
pub(crate) struct Keys {
    texts: FxHashMap<String, u64>,
    drivers: FxHashMap<usize, FxHashMap<String, u64>>,
}

impl Keys {
    /// The key of `text`, if the store holds it.
    fn key(&self, text: &str) -> Option<u64> {
        self.texts.get(text).copied()
    }

    /// The code of `points` among indicator `index`'s driver points, if the store holds it.
    fn driver_code(&self, index: usize, points: &str) -> Option<u64> {
        self.drivers.get(&index)?.get(points).copied()
    }
}

impl Intern for Interner<'_> {
    type Error = rusqlite::Error;

    fn key(&mut self, text: &str) -> rusqlite::Result<u64> {
        if let Some(k) = self.keys.key(text) {
            return Ok(k);
        }
        let mut stmt = self
            .conn
            .prepare_cached("INSERT INTO texts (text) VALUES (?1)")?;
        stmt.execute([text])?;
        let k = self.conn.last_insert_rowid() as u64;
        self.keys.texts.insert(text.to_string(), k);
        if let Some((i, p)) = driver_of(text) {
            let codes = self.keys.drivers.entry(i).or_default();
            let code = codes.len() as u64;
            codes.insert(p.to_string(), code);
        }
        Ok(k)
    }

    fn driver_code(&mut self, index: usize, points: &str) -> rusqlite::Result<u64> {
        if let Some(c) = self.keys.driver_code(index, points) {
            return Ok(c);
        }
        self.key(&format!("{DRIVER}{index}:{points}"))?;
        Ok(self.keys.driver_code(index, points).unwrap_or(0))
    }
}

/// A text the store does not hold yet (see [`Known`]).
#[derive(Debug)]
pub(crate) struct Unknown;

/// Interns only the texts a writer already knows, without adding any: rows can
/// be encoded against it on many threads at once, and a row that names a new
/// text is encoded again through the [`Interner`], in row order, so keys are
/// given exactly as encoding every row through the [`Interner`] would.
pub(crate) struct Known<'k>(pub(crate) &'k Keys);

impl Intern for Known<'_> {
    type Error = Unknown;

    fn key(&mut self, text: &str) -> Result<u64, Unknown> {
        self.0.key(text).ok_or(Unknown)
    }

    fn driver_code(&mut self, index: usize, points: &str) -> Result<u64, Unknown> {
        self.0.driver_code(index, points).ok_or(Unknown)
    }
}

/// Every text of the store, for a writer (driver codes numbered in key order).
pub(crate) fn keys_of(conn: &Connection) -> rusqlite::Result<Keys> {
    let mut stmt = conn.prepare("SELECT key, text FROM texts ORDER BY key")?;
    let mut rows = stmt.query([])?;
    let mut keys = Keys::default();
    while let Some(r) = rows.next()? {
        let key = r.get::<_, i64>(0)? as u64;
        let text: String = r.get(1)?;
        if let Some((i, p)) = driver_of(&text) {
            let codes = keys.drivers.entry(i).or_default();
            let code = codes.len() as u64;
            codes.insert(p.to_string(), code);
        }
        keys.texts.insert(text, key);
    }
    Ok(keys)
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
