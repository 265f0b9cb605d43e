//! The conversions of rows stored by earlier schemas. Before schema 7, every row
//! of `results` and `changes` is written again, its texts interned and coded,
//! into `result_rows` and `change_notes`; before schema 8, the rows of
//! `result_rows` are moved into blocks of `result_blocks`. The old tables are
//! then dropped. Each runs inside its migration's transaction, so a store is
//! converted whole or not at all.

use riskgrade_core::Month;
use rusqlite::types::Type;
use rusqlite::{Connection, params};

use crate::blocks::{BLOCK_ROWS, BlockBuilder, write_block};
use crate::changes::encode_note;
use crate::codec::period_key;
use crate::results::{ROW_COLUMNS, RawRow};
use crate::texts::{Interner, Keys};
use crate::{ChangeKind, ChangeNote, ResultRow};

/// A stored period text as its key; a text that is not a month fails the migration.
fn period_of(text: &str, column: usize) -> rusqlite::Result<i64> {
    text.parse::<Month>()
        .map(period_key)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(column, Type::Text, Box::new(e)))
}

/// The items of a list that schemas before 7 stored joined by `sep` (empty: none).
fn joined(text: &str, sep: &str) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    text.split(sep).map(str::to_string).collect()
}

/// Moves the rows of `results` and `changes` into the lean tables, then drops the old ones.
pub(crate) fn lean_results(conn: &Connection) -> rusqlite::Result<()> {
    let mut keys = Keys::default();
    let mut intern = Interner {
        conn,
        keys: &mut keys,
    };
    let mut read = conn.prepare(
        "SELECT period, id, model, score, base_score, class, reasons, drivers, labels, alerts, rules, manual, error, district, industry \
         FROM results ORDER BY period, id",
    )?;
    let mut write = conn.prepare(
        "INSERT INTO result_rows (period, id, class, score, base_score, model, district, industry, manual, detail) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut rows = read.query([])?;
    while let Some(r) = rows.next()? {
        let period = period_of(&r.get::<_, String>(0)?, 0)?;
        let row = ResultRow {
            id: r.get(1)?,
            model: r.get(2)?,
            score: r.get(3)?,
            base_score: r.get(4)?,
            class: r.get(5)?,
            reasons: r.get(6)?,
            drivers: r.get(7)?,
            labels: joined(&r.get::<_, String>(8)?, "; "),
            alerts: joined(&r.get::<_, String>(9)?, "; "),
            rules: joined(&r.get::<_, String>(10)?, " "),
            manual: r.get(11)?,
            error: r.get(12)?,
            district: r.get(13)?,
            industry: r.get(14)?,
        };
        let raw = RawRow::encode(&row, &mut intern)?;
        write.execute(params![
            period,
            raw.id,
            raw.class,
            raw.score,
            raw.base_score,
            raw.model,
            raw.district,
            raw.industry,
            raw.manual,
            raw.detail
        ])?;
    }
    drop(rows);
    let mut read = conn.prepare(
        "SELECT period, id, seq, from_class, to_class, kind, detail FROM changes ORDER BY period, id, seq",
    )?;
    let mut write = conn.prepare(
        "INSERT INTO change_notes (period, id, seq, from_class, to_class, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut rows = read.query([])?;
    while let Some(r) = rows.next()? {
        let period = period_of(&r.get::<_, String>(0)?, 0)?;
        let kind: String = r.get(5)?;
        let kind = ChangeKind::parse(&kind).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(5, Type::Text, kind.clone().into())
        })?;
        let note = ChangeNote {
            id: r.get(1)?,
            from_class: r.get(3)?,
            to_class: r.get(4)?,
            kind,
            detail: r.get(6)?,
        };
        let seq: i64 = r.get(2)?;
        let (from, to, kind, detail) = encode_note(&note, &mut intern)?;
        write.execute(params![period, note.id, seq, from, to, kind, detail])?;
    }
    drop(rows);
    conn.execute_batch("DROP TABLE results; DROP TABLE changes;")
}

/// Moves the rows of `result_rows` into blocks of `result_blocks`, period by period in id
/// order, then drops the old table.
pub(crate) fn result_blocks(conn: &Connection) -> rusqlite::Result<()> {
    let mut read = conn.prepare(&format!(
        "SELECT {ROW_COLUMNS}, period FROM result_rows ORDER BY period, id"
    ))?;
    let mut rows = read.query([])?;
    let mut block = BlockBuilder::default();
    // The period being moved and the blocks written of it.
    let mut at: Option<(i64, i64)> = None;
    let flush = |block: &mut BlockBuilder, at: &mut Option<(i64, i64)>| -> rusqlite::Result<()> {
        if let (Some(b), Some((period, seq))) = (block.finish(), at.as_mut()) {
            write_block(conn, *period, *seq, &b)?;
            *seq += 1;
        }
        Ok(())
    };
    while let Some(r) = rows.next()? {
        let raw = RawRow::read(r)?;
        let period: i64 = r.get(9)?;
        if at.is_none_or(|(p, _)| p != period) {
            flush(&mut block, &mut at)?;
            block = BlockBuilder::default();
            at = Some((period, 0));
        }
        block.push(&raw);
        if block.len() >= BLOCK_ROWS {
            flush(&mut block, &mut at)?;
        }
    }
    flush(&mut block, &mut at)?;
    drop(rows);
    conn.execute_batch("DROP TABLE result_rows;")
}
