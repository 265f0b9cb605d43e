//! Manual decisions: class overrides, credit repairs of
//! records, objections and how they were resolved.

use riskgrade_core::{Date, Month, RecordType};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::audit::audit;
use crate::names::{name_of, parse_name};
use crate::{DecisionProblem, InvalidRequest, Result, Store, StoreError, now};

/// What a manual decision does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// Sets the enterprise's class, whatever the score and rules, from `effective` to `until`.
    Override,
    /// Credit repair (信用修复): one record stops counting from `effective` on.
    Repair,
    /// The enterprise objects to its grade; resolved as upheld or rejected.
    Objection,
}

impl DecisionKind {
    /// Every kind, in the order of the documentation.
    pub const ALL: [DecisionKind; 3] = [
        DecisionKind::Override,
        DecisionKind::Repair,
        DecisionKind::Objection,
    ];

    /// The name stored and shown (its serde name): `override`, `repair`, `objection`.
    pub fn name(self) -> &'static str {
        name_of(&self)
    }

    pub(crate) fn parse(s: &str) -> Option<DecisionKind> {
        parse_name(s)
    }
}

/// Where a decision stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionStatus {
    /// An override or repair that counts (within its dates).
    Active,
    /// Withdrawn; it no longer counts.
    Revoked,
    /// An objection not yet resolved.
    Open,
    /// An objection that was upheld.
    Upheld,
    /// An objection that was rejected.
    Rejected,
}

impl DecisionStatus {
    /// Every status, in the order of the documentation.
    pub const ALL: [DecisionStatus; 5] = [
        DecisionStatus::Active,
        DecisionStatus::Revoked,
        DecisionStatus::Open,
        DecisionStatus::Upheld,
        DecisionStatus::Rejected,
    ];

    /// The name stored and shown (its serde name): `active`, `revoked`, `open`, `upheld`, `rejected`.
    pub fn name(self) -> &'static str {
        name_of(&self)
    }

    pub(crate) fn parse(s: &str) -> Option<DecisionStatus> {
        parse_name(s)
    }
}

/// The record a repair applies to: its kind and date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecordRef {
    /// The record's kind.
    pub kind: RecordType,
    /// The record's date.
    pub date: Date,
}

/// A decision to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDecision {
    /// The enterprise.
    pub enterprise: String,
    /// What it does.
    pub kind: DecisionKind,
    /// Override: the class; objection: the class asked for (optional).
    pub class: Option<String>,
    /// Repair: the record.
    pub record: Option<RecordRef>,
    /// Objection: the period objected to.
    pub period: Option<Month>,
    /// From this date (repair: the repair date).
    pub effective: Date,
    /// Override: the last day it counts (`None`: until revoked).
    pub until: Option<Date>,
    /// Why.
    pub reason: String,
    /// Who decided (or, for an objection, who filed it).
    pub by: String,
}

impl NewDecision {
    /// A class override.
    pub fn overriding(
        enterprise: &str,
        class: &str,
        effective: Date,
        by: &str,
        reason: &str,
    ) -> Self {
        NewDecision {
            enterprise: enterprise.to_string(),
            kind: DecisionKind::Override,
            class: Some(class.to_string()),
            record: None,
            period: None,
            effective,
            until: None,
            reason: reason.to_string(),
            by: by.to_string(),
        }
    }

    /// A credit repair of the record of `kind` dated `date`, counting from `repaired`.
    pub fn repair(
        enterprise: &str,
        kind: RecordType,
        date: Date,
        repaired: Date,
        by: &str,
        reason: &str,
    ) -> Self {
        NewDecision {
            enterprise: enterprise.to_string(),
            kind: DecisionKind::Repair,
            class: None,
            record: Some(RecordRef { kind, date }),
            period: None,
            effective: repaired,
            until: None,
            reason: reason.to_string(),
            by: by.to_string(),
        }
    }

    /// An objection to the grade of `period`, filed on `filed`.
    pub fn objection(enterprise: &str, period: Month, filed: Date, by: &str, reason: &str) -> Self {
        NewDecision {
            enterprise: enterprise.to_string(),
            kind: DecisionKind::Objection,
            class: None,
            record: None,
            period: Some(period),
            effective: filed,
            until: None,
            reason: reason.to_string(),
            by: by.to_string(),
        }
    }

    /// The same decision, counting until `until` (inclusive).
    #[must_use]
    pub fn until(mut self, until: Date) -> Self {
        self.until = Some(until);
        self
    }
}

/// A stored decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Its number.
    pub id: i64,
    /// The enterprise.
    pub enterprise: String,
    /// What it does.
    pub kind: DecisionKind,
    /// Override: the class; objection: the class asked for.
    pub class: Option<String>,
    /// Repair: the record.
    pub record: Option<RecordRef>,
    /// Objection: the period objected to.
    pub period: Option<Month>,
    /// From this date.
    pub effective: Date,
    /// Override: the last day it counts.
    pub until: Option<Date>,
    /// Why.
    pub reason: String,
    /// Who decided or filed it.
    pub decided_by: String,
    /// When it was recorded (unix seconds).
    pub decided_at: i64,
    /// Where it stands.
    pub status: DecisionStatus,
    /// Objection: how it was resolved.
    pub outcome: Option<String>,
    /// The objection an override resolves.
    pub follows: Option<i64>,
}

impl Decision {
    /// Whether the decision counts for a run as of `as_of`.
    pub fn in_effect(&self, as_of: Date) -> bool {
        self.status == DecisionStatus::Active
            && self.effective <= as_of
            && self.until.is_none_or(|u| as_of <= u)
    }

    /// A one-line description, e.g. `#3 override -> B by Li Wei (2026-03-01..): reason`.
    pub fn describe(&self) -> String {
        let what = match self.kind {
            DecisionKind::Override => {
                format!("override -> {}", self.class.as_deref().unwrap_or("?"))
            }
            DecisionKind::Repair => match &self.record {
                Some(r) => format!("credit repair of the {} of {}", r.kind.name(), r.date),
                None => "credit repair".into(),
            },
            DecisionKind::Objection => match self.period {
                Some(p) => format!("objection to the grade of {p}"),
                None => "objection".into(),
            },
        };
        let until = self.until.map(|u| u.to_string()).unwrap_or_default();
        format!(
            "#{} {what} by {} ({}..{until}, {}): {}",
            self.id,
            self.decided_by,
            self.effective,
            self.status.name(),
            self.reason
        )
    }
}

/// How an objection was resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolution {
    /// Upheld; with a class, an override from the given date records it.
    Upheld {
        /// The class it gets, if the grade changes.
        class: Option<String>,
        /// From when the new class counts.
        effective: Date,
    },
    /// Rejected; the grade stands.
    Rejected,
}

const DECISION_COLUMNS: &str = "id, enterprise, kind, class, record_kind, record_date, period, effective, until, \
                                reason, decided_by, decided_at, status, outcome, follows";

type RawDecision = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    String,
    String,
    i64,
    String,
    Option<String>,
    Option<i64>,
);

fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawDecision> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
        r.get(13)?,
        r.get(14)?,
    ))
}

fn record_type(name: &str) -> Option<RecordType> {
    RecordType::ALL.into_iter().find(|t| t.name() == name)
}

impl Store {
    fn decision_of(&self, r: RawDecision) -> Result<Decision> {
        let id = r.0;
        let bad = |column: &'static str, value: &str| {
            self.corrupt("decisions", format_args!("#{id}"), column, value)
        };
        let date = |s: &str, column: &'static str| s.parse::<Date>().map_err(|_| bad(column, s));
        let record = match (&r.4, &r.5) {
            (Some(k), Some(d)) => Some(RecordRef {
                kind: record_type(k).ok_or_else(|| bad("record_kind", k))?,
                date: date(d, "record_date")?,
            }),
            _ => None,
        };
        Ok(Decision {
            id,
            enterprise: r.1,
            kind: DecisionKind::parse(&r.2).ok_or_else(|| bad("kind", &r.2))?,
            class: r.3,
            record,
            period: r
                .6
                .as_deref()
                .map(|p| p.parse().map_err(|_| bad("period", p)))
                .transpose()?,
            effective: date(&r.7, "effective")?,
            until: r.8.as_deref().map(|u| date(u, "until")).transpose()?,
            reason: r.9,
            decided_by: r.10,
            decided_at: r.11,
            status: DecisionStatus::parse(&r.12).ok_or_else(|| bad("status", &r.12))?,
            outcome: r.13,
            follows: r.14,
        })
    }

    fn query_decisions(
        &self,
        filter: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<Decision>> {
        let ctx = "reading decisions";
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {DECISION_COLUMNS} FROM decisions {filter} ORDER BY id"
            ))
            .map_err(|e| self.sql(ctx, e))?;
        let rows = stmt.query_map(args, raw).map_err(|e| self.sql(ctx, e))?;
        let mut out = Vec::new();
        for r in rows {
            out.push(self.decision_of(r.map_err(|e| self.sql(ctx, e))?)?);
        }
        Ok(out)
    }

    /// Records a decision and audits it; returns its number.
    ///
    /// ```
    /// use riskgrade_store::{NewDecision, Store};
    /// let mut store = Store::in_memory()?;
    /// let id = store.decide(NewDecision::overriding("E7", "B", "2026-03-01".parse()?, "Li Wei", "licence reinstated"))?;
    /// let d = &store.decisions(Some("E7"))?[0];
    /// assert_eq!((d.id, d.class.as_deref()), (id, Some("B")));
    /// assert!(d.in_effect("2026-03-31".parse()?) && !d.in_effect("2026-02-28".parse()?));
    /// assert_eq!(store.audit_trail(Some("E7"))?[0].action, "decide");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// A decision missing what its kind needs (an override without a class,
    /// a repair without its record, an empty `by` or `reason`, `until` before
    /// `effective`), or SQLite errors.
    pub fn decide(&mut self, d: NewDecision) -> Result<i64> {
        check_decision(&d)?;
        let status = match d.kind {
            DecisionKind::Objection => DecisionStatus::Open,
            _ => DecisionStatus::Active,
        };
        let file = self.file.clone();
        let wrap = |source| StoreError::Sqlite {
            file: file.clone(),
            context: format!("recording a decision for {}", d.enterprise),
            source,
        };
        let tx = self.conn.transaction().map_err(wrap)?;
        let id = insert_decision(&tx, &d, status, None).map_err(wrap)?;
        let mut detail = describe_new(&d);
        if let Some(p) = d.period {
            detail.push_str(&format!(" (period {p})"));
        }
        audit(&tx, &d.by, "decide", Some(id), Some(&d.enterprise), &detail).map_err(wrap)?;
        tx.commit().map_err(wrap)?;
        Ok(id)
    }

    /// Withdraws an active override or repair; later runs no longer apply it.
    ///
    /// # Errors
    /// No such decision, one that is not active, or SQLite errors.
    pub fn revoke(&mut self, id: i64, by: &str, why: &str) -> Result<()> {
        let d = self.decision(id)?;
        if d.status != DecisionStatus::Active {
            return Err(InvalidRequest::NotRevocable {
                decision: id,
                status: d.status,
            }
            .into());
        }
        require("by", by)?;
        require("why", why)?;
        let file = self.file.clone();
        let wrap = |source| StoreError::Sqlite {
            file: file.clone(),
            context: format!("revoking decision #{id}"),
            source,
        };
        let tx = self.conn.transaction().map_err(wrap)?;
        // The status is checked again inside the transaction: two revocations cannot both succeed.
        let changed = tx
            .execute(
                "UPDATE decisions SET status = 'revoked' WHERE id = ?1 AND status = 'active'",
                [id],
            )
            .map_err(wrap)?;
        if changed != 1 {
            return Err(InvalidRequest::RevokedMeanwhile { decision: id }.into());
        }
        audit(&tx, by, "revoke", Some(id), Some(&d.enterprise), why).map_err(wrap)?;
        tx.commit().map_err(wrap)
    }

    /// Resolves an open objection; an upheld objection with a class records an
    /// override that follows it. Returns that override's number.
    ///
    /// # Errors
    /// No such objection, one already resolved, or SQLite errors.
    pub fn resolve(
        &mut self,
        id: i64,
        resolution: Resolution,
        by: &str,
        note: &str,
    ) -> Result<Option<i64>> {
        let d = self.decision(id)?;
        if d.kind != DecisionKind::Objection || d.status != DecisionStatus::Open {
            return Err(InvalidRequest::NotResolvable {
                decision: id,
                kind: d.kind,
                status: d.status,
            }
            .into());
        }
        require("by", by)?;
        require("note", note)?;
        let file = self.file.clone();
        let wrap = |source| StoreError::Sqlite {
            file: file.clone(),
            context: format!("resolving objection #{id}"),
            source,
        };
        let tx = self.conn.transaction().map_err(wrap)?;
        let (status, follow) = match &resolution {
            Resolution::Upheld { class, effective } => {
                let follow = match class {
                    Some(c) => {
                        let o = NewDecision::overriding(
                            &d.enterprise,
                            c,
                            *effective,
                            by,
                            &format!("objection #{id} upheld: {note}"),
                        );
                        check_decision(&o)?;
                        Some(
                            insert_decision(&tx, &o, DecisionStatus::Active, Some(id))
                                .map_err(wrap)?,
                        )
                    }
                    None => None,
                };
                (DecisionStatus::Upheld, follow)
            }
            Resolution::Rejected => (DecisionStatus::Rejected, None),
        };
        let changed = tx
            .execute(
                "UPDATE decisions SET status = ?2, outcome = ?3 WHERE id = ?1 AND status = 'open'",
                params![id, status.name(), note],
            )
            .map_err(wrap)?;
        if changed != 1 {
            return Err(InvalidRequest::ResolvedMeanwhile { decision: id }.into());
        }
        let detail = match follow {
            Some(o) => format!("{}: {note} (override #{o})", status.name()),
            None => format!("{}: {note}", status.name()),
        };
        audit(&tx, by, "resolve", Some(id), Some(&d.enterprise), &detail).map_err(wrap)?;
        tx.commit().map_err(wrap)?;
        Ok(follow)
    }

    /// One decision by number.
    ///
    /// # Errors
    /// No such decision, or SQLite errors.
    pub fn decision(&self, id: i64) -> Result<Decision> {
        let r = self
            .conn
            .query_row(
                &format!("SELECT {DECISION_COLUMNS} FROM decisions WHERE id = ?1"),
                [id],
                raw,
            )
            .optional()
            .map_err(|e| self.sql("reading a decision", e))?
            .ok_or(InvalidRequest::NoDecision { decision: id })?;
        self.decision_of(r)
    }

    /// Every decision, or one enterprise's, oldest first.
    ///
    /// # Errors
    /// SQLite errors or unreadable rows.
    pub fn decisions(&self, enterprise: Option<&str>) -> Result<Vec<Decision>> {
        match enterprise {
            Some(e) => self.query_decisions("WHERE enterprise = ?1", &[&e]),
            None => self.query_decisions("", &[]),
        }
    }

    /// The overrides and repairs that count for a run as of `as_of`.
    ///
    /// # Errors
    /// SQLite errors or unreadable rows.
    pub fn decisions_in_effect(&self, as_of: Date) -> Result<Vec<Decision>> {
        let all = self.query_decisions(
            "WHERE status = 'active' AND effective <= ?1",
            &[&as_of.to_string()],
        )?;
        Ok(all.into_iter().filter(|d| d.in_effect(as_of)).collect())
    }
}

fn require(field: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(InvalidRequest::MissingField { field }.into())
    } else {
        Ok(())
    }
}

fn check_decision(d: &NewDecision) -> Result<()> {
    require("enterprise", &d.enterprise)?;
    require("by", &d.by)?;
    require("reason", &d.reason)?;
    match decision_problem(d) {
        None => Ok(()),
        Some(problem) => Err(InvalidRequest::Decision {
            kind: d.kind,
            enterprise: d.enterprise.clone(),
            problem,
        }
        .into()),
    }
}

/// What a decision misses for its kind, or dates out of order.
fn decision_problem(d: &NewDecision) -> Option<DecisionProblem> {
    match d.kind {
        DecisionKind::Override if d.class.as_deref().is_none_or(|c| c.trim().is_empty()) => {
            return Some(DecisionProblem::NoClass);
        }
        DecisionKind::Repair if d.record.is_none() => return Some(DecisionProblem::NoRecord),
        DecisionKind::Repair => {
            if let Some(r) = &d.record
                && d.effective < r.date
            {
                return Some(DecisionProblem::RepairBeforeRecord {
                    repaired: d.effective,
                    record: r.date,
                });
            }
        }
        DecisionKind::Objection if d.period.is_none() => return Some(DecisionProblem::NoPeriod),
        _ => {}
    }
    match d.until {
        Some(until) if until < d.effective => Some(DecisionProblem::UntilBeforeEffective {
            until,
            effective: d.effective,
        }),
        _ => None,
    }
}

fn describe_new(d: &NewDecision) -> String {
    let mut s = format!("{} from {}", d.kind.name(), d.effective);
    if let Some(c) = &d.class {
        s.push_str(&format!(", class {c}"));
    }
    if let Some(r) = &d.record {
        s.push_str(&format!(", record {} of {}", r.kind.name(), r.date));
    }
    if let Some(u) = d.until {
        s.push_str(&format!(", until {u}"));
    }
    s.push_str(&format!(": {}", d.reason));
    s
}

fn insert_decision(
    tx: &rusqlite::Connection,
    d: &NewDecision,
    status: DecisionStatus,
    follows: Option<i64>,
) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO decisions (enterprise, kind, class, record_kind, record_date, period, effective, until, \
         reason, decided_by, decided_at, status, follows) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            d.enterprise,
            d.kind.name(),
            d.class,
            d.record.map(|r| r.kind.name()),
            d.record.map(|r| r.date.to_string()),
            d.period.map(|p| p.to_string()),
            d.effective.to_string(),
            d.until.map(|u| u.to_string()),
            d.reason,
            d.by,
            now(),
            status.name(),
            follows
        ],
    )?;
    Ok(tx.last_insert_rowid())
}
