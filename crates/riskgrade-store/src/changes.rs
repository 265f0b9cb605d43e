//! Change notes: why an enterprise's class changed from the previous period.

use riskgrade_core::Month;
use rusqlite::params;
use serde::{Deserialize, Serialize};

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
        let ctx = format!("reading the changes of {period}");
        let sql = "SELECT id, from_class, to_class, kind, detail FROM changes \
                   WHERE period = ?1 AND (?2 IS NULL OR id = ?2) ORDER BY id, seq";
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.sql(&ctx, e))?;
        let rows = stmt
            .query_map(params![period.to_string(), id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })
            .map_err(|e| self.sql(&ctx, e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, from_class, to_class, kind, detail) = row.map_err(|e| self.sql(&ctx, e))?;
            let kind = ChangeKind::parse(&kind).ok_or_else(|| {
                self.corrupt("changes", format_args!("{id} in {period}"), "kind", &kind)
            })?;
            out.push(ChangeNote {
                id,
                from_class,
                to_class,
                kind,
                detail,
            });
        }
        Ok(out)
    }
}
