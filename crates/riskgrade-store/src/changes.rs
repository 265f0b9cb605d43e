//! Change notes: why an enterprise's class changed from the previous period.

use riskgrade_core::Month;
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::codec::{Damage, Intern, Reader, TEXT_SEP, period_key, put_text, read_text};
use crate::names::{name_of, parse_name};
use crate::{Result, Store};

/// What kind of change a [`ChangeNote`] explains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The enterprise was not in the previous period.
    New,
    /// A record entered or left its effect period.
    Record,
    /// A record was credit-repaired.
    Repair,
    /// An indicator's points moved.
    Indicator,
    /// A rule started or stopped acting.
    Rule,
    /// A manual decision started or ended.
    Manual,
    /// The model set changed between the periods.
    Model,
}

impl ChangeKind {
    /// Every kind, in the order of the documentation.
    pub const ALL: [ChangeKind; 7] = [
        ChangeKind::New,
        ChangeKind::Record,
        ChangeKind::Repair,
        ChangeKind::Indicator,
        ChangeKind::Rule,
        ChangeKind::Manual,
        ChangeKind::Model,
    ];

    /// The name stored and shown (its serde name): `new`, `record`, `repair`,
    /// `indicator`, `rule`, `manual`, `model`.
    pub fn name(self) -> &'static str {
        name_of(&self)
    }

    pub(crate) fn parse(s: &str) -> Option<ChangeKind> {
        parse_name(s)
    }
}

/// One reason an enterprise's class changed from the previous period.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeNote {
    /// Enterprise id.
    pub id: String,
    /// Class in the previous period (`None`: not there, or not graded).
    pub from_class: Option<String>,
    /// Class in this period (`None`: not graded).
    pub to_class: Option<String>,
    /// What kind of change.
    pub kind: ChangeKind,
    /// The change, for people.
    pub detail: String,
}

impl Store {
    /// The explained changes stored with `period`, for one enterprise or all.
    ///
    /// # Errors
    /// SQLite errors or an unreadable row.
    pub fn changes(&self, period: Month, id: Option<&str>) -> Result<Vec<ChangeNote>> {
        let texts = self.texts()?;
        let ctx = format!("reading the changes of {period}");
        let sql = "SELECT id, from_class, to_class, kind, detail FROM change_notes \
                   WHERE period = ?1 AND (?2 IS NULL OR id = ?2) ORDER BY id, seq";
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(|e| self.sql(&ctx, e))?;
        let rows = stmt
            .query_map(params![period_key(period), id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Vec<u8>>(4)?,
                ))
            })
            .map_err(|e| self.sql(&ctx, e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, from, to, kind, detail) = row.map_err(|e| self.sql(&ctx, e))?;
            let damaged = |column, d: Damage| {
                self.corrupt(
                    "change_notes",
                    format_args!("{id} in {period}"),
                    column,
                    &format!("{d:?}"),
                )
            };
            let kind_name = texts.get(kind as u64).map_err(|d| damaged("kind", d))?;
            let kind = ChangeKind::parse(kind_name).ok_or_else(|| {
                self.corrupt(
                    "change_notes",
                    format_args!("{id} in {period}"),
                    "kind",
                    kind_name,
                )
            })?;
            let from_class = texts.opt(from).map_err(|d| damaged("from_class", d))?;
            let to_class = texts.opt(to).map_err(|d| damaged("to_class", d))?;
            let mut text = String::new();
            read_text(&mut Reader::new(&detail), TEXT_SEP, &*texts, &mut text)
                .map_err(|d| damaged("detail", d))?;
            out.push(ChangeNote {
                id,
                from_class,
                to_class,
                kind,
                detail: text,
            });
        }
        Ok(out)
    }
}

/// A note as stored: the keys of its classes and kind, and its detail templated.
pub(crate) type EncodedNote = (Option<i64>, Option<i64>, i64, Vec<u8>);

/// Encodes `note` for `change_notes`.
pub(crate) fn encode_note<I: Intern>(
    note: &ChangeNote,
    intern: &mut I,
) -> Result<EncodedNote, I::Error> {
    let mut key = |t: &str| intern.key(t).map(|k| k as i64);
    let from = note.from_class.as_deref().map(&mut key).transpose()?;
    let to = note.to_class.as_deref().map(&mut key).transpose()?;
    let kind = key(note.kind.name())?;
    let mut detail = Vec::new();
    put_text(&mut detail, &note.detail, TEXT_SEP, intern)?;
    Ok((from, to, kind, detail))
}
