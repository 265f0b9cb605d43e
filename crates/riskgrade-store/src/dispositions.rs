//! Alert handling (预警处置): a department acknowledges an alert routed to
//! it, assigns it, and closes it with a disposition (the action taken, what
//! was found, the date, a note). A disposition with a finding becomes an
//! inspection record of the enterprise for later months, as an inspection
//! outcome does ([`Store::findings_until`]). Every step is on the audit trail.
//!
//! An alert is one period's alerts of one enterprise routed to one
//! department (an entry of that department's queue, see [`crate::queues`]);
//! it is open until a step is recorded.

use std::collections::BTreeMap;

use riskgrade_core::{Date, InspectionResult, Month};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::audit::audit;
use crate::names::{name_of, parse_name};
use crate::{InvalidRequest, Result, Store, StoreError, now};

/// Where an alert stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AlertStatus {
    /// Nobody has acted on it yet.
    Open,
    /// The department has seen it.
    Acknowledged,
    /// Someone in the department handles it.
    Assigned,
    /// Closed with a disposition.
    Closed,
}

impl AlertStatus {
    /// The status's stored name: `open`, `acknowledged`, `assigned`, `closed`.
    ///
    /// ```
    /// assert_eq!(riskgrade_store::AlertStatus::Assigned.name(), "assigned");
    /// ```
    pub fn name(self) -> &'static str {
        name_of(&self)
    }
}

/// One alert: a period, an enterprise and the department its alerts were routed to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AlertRef {
    /// The period whose run raised it.
    pub period: Month,
    /// The enterprise.
    pub enterprise: String,
    /// The department it was routed to.
    pub department: String,
}

/// How an alert was closed.
#[derive(Debug, Clone, PartialEq)]
pub struct Disposition {
    /// The action taken (e.g. `on-site check`, `interview`, `no action`).
    pub action: String,
    /// What was found, if the action found anything to record; becomes an
    /// inspection record of the enterprise dated `date`.
    pub finding: Option<InspectionResult>,
    /// When it was handled.
    pub date: Date,
    /// A note.
    pub note: String,
}

/// What has been done about an alert.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertState {
    /// Where it stands.
    pub status: AlertStatus,
    /// Who handles it, once assigned.
    pub assignee: Option<String>,
    /// When it was acknowledged (unix seconds).
    pub acknowledged_at: Option<i64>,
    /// When it was assigned (unix seconds).
    pub assigned_at: Option<i64>,
    /// When it was closed (unix seconds).
    pub closed_at: Option<i64>,
    /// The disposition, once closed.
    pub disposition: Option<Disposition>,
    /// Who recorded the last step.
    pub updated_by: String,
}

/// A step in handling an alert.
enum Step<'a> {
    Acknowledge,
    Assign(&'a str),
    Close(&'a Disposition),
}

impl Store {
    /// Records that the department has seen the alert.
    ///
    /// # Errors
    /// [`InvalidRequest::NoAlert`] when the period routed no alert of the
    /// enterprise to the department, [`InvalidRequest::AlertClosed`] when it is
    /// closed already; SQLite errors.
    pub fn acknowledge_alert(&mut self, alert: &AlertRef, actor: &str) -> Result<AlertState> {
        self.alert_step(alert, Step::Acknowledge, actor)
    }

    /// Assigns the alert to `assignee`.
    ///
    /// # Errors
    /// As [`Store::acknowledge_alert`], and [`InvalidRequest::MissingField`] for an empty assignee.
    pub fn assign_alert(
        &mut self,
        alert: &AlertRef,
        assignee: &str,
        actor: &str,
    ) -> Result<AlertState> {
        if assignee.trim().is_empty() {
            return Err(InvalidRequest::MissingField { field: "assignee" }.into());
        }
        self.alert_step(alert, Step::Assign(assignee), actor)
    }

    /// Closes the alert with a disposition. A finding becomes an inspection
    /// record of the enterprise for the months from its date on.
    ///
    /// # Errors
    /// As [`Store::acknowledge_alert`], and [`InvalidRequest::MissingField`] for an empty action.
    pub fn close_alert(
        &mut self,
        alert: &AlertRef,
        disposition: &Disposition,
        actor: &str,
    ) -> Result<AlertState> {
        if disposition.action.trim().is_empty() {
            return Err(InvalidRequest::MissingField { field: "action" }.into());
        }
        self.alert_step(alert, Step::Close(disposition), actor)
    }

    fn alert_step(&mut self, alert: &AlertRef, step: Step<'_>, actor: &str) -> Result<AlertState> {
        let routed = self
            .result(alert.period, &alert.enterprise)?
            .is_some_and(|r| {
                r.alerts.iter().any(|a| {
                    a.split_once(" -> ")
                        .is_some_and(|(_, d)| d == alert.department)
                })
            });
        if !routed {
            return Err(no_alert(alert));
        }
        let file = self.file.clone();
        let wrap = |source| StoreError::Sqlite {
            file: file.clone(),
            context: format!(
                "handling the alert of {} in {}",
                alert.enterprise, alert.period
            ),
            source,
        };
        let tx = self.conn.transaction().map_err(wrap)?;
        let state = read_state(&tx, alert).map_err(wrap)?;
        if state.as_ref().is_some_and(|s| s.status == "closed") {
            return Err(InvalidRequest::AlertClosed {
                period: alert.period,
                enterprise: alert.enterprise.clone(),
                department: alert.department.clone(),
            }
            .into());
        }
        write_step(&tx, alert, &step, actor).map_err(wrap)?;
        tx.commit().map_err(wrap)?;
        self.alert_state(alert)?
            .ok_or_else(|| self.corrupt("alert_handling", &alert.enterprise, "status", ""))
    }

    /// What has been done about one alert (`None`: nothing yet, it is open).
    ///
    /// # Errors
    /// SQLite errors or an unreadable row.
    pub fn alert_state(&self, alert: &AlertRef) -> Result<Option<AlertState>> {
        let raw = read_state(&self.conn, alert).map_err(|e| self.sql("reading an alert", e))?;
        raw.map(|r| self.parse_state(&alert.enterprise, r))
            .transpose()
    }

    /// What has been done about the alerts of `period`, per (enterprise, department);
    /// only one department's when `department` is given.
    ///
    /// # Errors
    /// SQLite errors or unreadable rows.
    pub fn alert_states(
        &self,
        period: Month,
        department: Option<&str>,
    ) -> Result<BTreeMap<(String, String), AlertState>> {
        let ctx = "reading alert handling";
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT enterprise, department, {STATE_COLUMNS} FROM alert_handling \
                 WHERE period = ?1 AND (?2 IS NULL OR department = ?2)"
            ))
            .map_err(|e| self.sql(ctx, e))?;
        let rows = stmt
            .query_map(params![period.to_string(), department], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    raw_state(r, 2)?,
                ))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.sql(ctx, e))?;
        let mut out = BTreeMap::new();
        for (e, d, raw) in rows {
            let state = self.parse_state(&e, raw)?;
            out.insert((e, d), state);
        }
        Ok(out)
    }

    /// Every finding of a closed alert dated on or before `until`:
    /// (enterprise, date, result), the same shape as
    /// [`Store::inspections_until`], so a monthly run adds both as records.
    ///
    /// # Errors
    /// SQLite errors or unreadable rows.
    pub fn findings_until(&self, until: Date) -> Result<Vec<(String, Date, InspectionResult)>> {
        let ctx = "reading the findings of closed alerts";
        let mut stmt = self
            .conn
            .prepare(
                "SELECT enterprise, finding_date, finding FROM alert_handling \
                 WHERE status = 'closed' AND finding IS NOT NULL AND finding_date <= ?1 \
                 ORDER BY enterprise, finding_date",
            )
            .map_err(|e| self.sql(ctx, e))?;
        let rows = stmt
            .query_map([until.to_string()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.sql(ctx, e))?;
        rows.into_iter()
            .map(|(e, d, f)| {
                let date = d
                    .parse()
                    .map_err(|_| self.corrupt("alert_handling", &e, "finding_date", &d))?;
                let finding = f
                    .parse()
                    .map_err(|_| self.corrupt("alert_handling", &e, "finding", &f))?;
                Ok((e, date, finding))
            })
            .collect()
    }

    fn parse_state(&self, enterprise: &str, r: RawState) -> Result<AlertState> {
        let bad = |column, value: &str| self.corrupt("alert_handling", enterprise, column, value);
        let status: AlertStatus = parse_name(&r.status).ok_or_else(|| bad("status", &r.status))?;
        let disposition = match (r.action, r.finding_date) {
            (Some(action), Some(d)) => Some(Disposition {
                action,
                finding: r
                    .finding
                    .map(|f| f.parse().map_err(|_| bad("finding", &f)))
                    .transpose()?,
                date: d.parse().map_err(|_| bad("finding_date", &d))?,
                note: r.note.unwrap_or_default(),
            }),
            _ => None,
        };
        Ok(AlertState {
            status,
            assignee: r.assignee,
            acknowledged_at: r.acknowledged_at,
            assigned_at: r.assigned_at,
            closed_at: r.closed_at,
            disposition,
            updated_by: r.updated_by,
        })
    }
}

fn no_alert(alert: &AlertRef) -> StoreError {
    InvalidRequest::NoAlert {
        period: alert.period,
        enterprise: alert.enterprise.clone(),
        department: alert.department.clone(),
    }
    .into()
}

fn write_step(
    tx: &Transaction<'_>,
    alert: &AlertRef,
    step: &Step<'_>,
    actor: &str,
) -> rusqlite::Result<()> {
    let key = params![
        alert.period.to_string(),
        alert.enterprise,
        alert.department,
        actor,
        now()
    ];
    tx.execute(
        "INSERT INTO alert_handling (period, enterprise, department, status, updated_by, updated_at) \
         VALUES (?1, ?2, ?3, 'open', ?4, ?5) ON CONFLICT DO NOTHING",
        key,
    )?;
    let at = now();
    let p = alert.period.to_string();
    let (e, d) = (&alert.enterprise, &alert.department);
    let detail = match step {
        Step::Acknowledge => {
            tx.execute(
                "UPDATE alert_handling SET status = CASE status WHEN 'open' THEN 'acknowledged' ELSE status END, \
                 acknowledged_at = COALESCE(acknowledged_at, ?4), updated_by = ?5, updated_at = ?4 \
                 WHERE period = ?1 AND enterprise = ?2 AND department = ?3",
                params![p, e, d, at, actor],
            )?;
            format!("{p} {d}: acknowledged")
        }
        Step::Assign(who) => {
            tx.execute(
                "UPDATE alert_handling SET status = 'assigned', assignee = ?6, assigned_at = ?4, \
                 acknowledged_at = COALESCE(acknowledged_at, ?4), updated_by = ?5, updated_at = ?4 \
                 WHERE period = ?1 AND enterprise = ?2 AND department = ?3",
                params![p, e, d, at, actor, who],
            )?;
            format!("{p} {d}: assigned to {who}")
        }
        Step::Close(disp) => {
            let finding = disp.finding.map(InspectionResult::name);
            tx.execute(
                "UPDATE alert_handling SET status = 'closed', closed_at = ?4, action = ?6, finding = ?7, \
                 finding_date = ?8, note = ?9, acknowledged_at = COALESCE(acknowledged_at, ?4), \
                 updated_by = ?5, updated_at = ?4 \
                 WHERE period = ?1 AND enterprise = ?2 AND department = ?3",
                params![p, e, d, at, actor, disp.action, finding, disp.date.to_string(), disp.note],
            )?;
            format!(
                "{p} {d}: closed, action `{}`, finding {}, dated {}",
                disp.action,
                finding.unwrap_or("none"),
                disp.date
            )
        }
    };
    let action = match step {
        Step::Acknowledge => "alert_acknowledge",
        Step::Assign(_) => "alert_assign",
        Step::Close(_) => "alert_close",
    };
    audit(tx, actor, action, None, Some(e), &detail)
}

const STATE_COLUMNS: &str = "status, assignee, acknowledged_at, assigned_at, closed_at, action, finding, finding_date, note, updated_by";

struct RawState {
    status: String,
    assignee: Option<String>,
    acknowledged_at: Option<i64>,
    assigned_at: Option<i64>,
    closed_at: Option<i64>,
    action: Option<String>,
    finding: Option<String>,
    finding_date: Option<String>,
    note: Option<String>,
    updated_by: String,
}

fn raw_state(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<RawState> {
    Ok(RawState {
        status: r.get(at)?,
        assignee: r.get(at + 1)?,
        acknowledged_at: r.get(at + 2)?,
        assigned_at: r.get(at + 3)?,
        closed_at: r.get(at + 4)?,
        action: r.get(at + 5)?,
        finding: r.get(at + 6)?,
        finding_date: r.get(at + 7)?,
        note: r.get(at + 8)?,
        updated_by: r.get(at + 9)?,
    })
}

fn read_state(conn: &rusqlite::Connection, alert: &AlertRef) -> rusqlite::Result<Option<RawState>> {
    conn.query_row(
        &format!(
            "SELECT {STATE_COLUMNS} FROM alert_handling WHERE period = ?1 AND enterprise = ?2 AND department = ?3"
        ),
        params![alert.period.to_string(), alert.enterprise, alert.department],
        |r| raw_state(r, 0),
    )
    .optional()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NewRun, ResultRow};

    fn store_with_alerts() -> Result<Store, Box<dyn std::error::Error>> {
        let mut store = Store::in_memory()?;
        let mut run = store.begin_run(NewRun::new(
            "2026-10".parse()?,
            "2026-10-31".parse()?,
            "v1",
            ["A", "B", "C", "D"],
        ))?;
        let mut row = ResultRow::graded("E1", "general", 80.0, "D");
        row.alerts = vec!["dishonest -> market".into(), "food -> health".into()];
        run.insert(&row)?;
        run.insert(&ResultRow::graded("E2", "general", 10.0, "A"))?;
        run.commit()?;
        Ok(store)
    }

    fn alert(enterprise: &str, department: &str) -> Result<AlertRef, Box<dyn std::error::Error>> {
        Ok(AlertRef {
            period: "2026-10".parse()?,
            enterprise: enterprise.into(),
            department: department.into(),
        })
    }

    #[test]
    fn an_alert_is_acknowledged_assigned_and_closed_once() -> Result<(), Box<dyn std::error::Error>>
    {
        let mut store = store_with_alerts()?;
        let a = alert("E1", "market")?;
        assert_eq!(store.alert_state(&a)?, None);
        assert_eq!(
            store.acknowledge_alert(&a, "m1")?.status,
            AlertStatus::Acknowledged
        );
        let s = store.assign_alert(&a, "inspector 7", "m1")?;
        assert_eq!(
            (s.status, s.assignee.as_deref()),
            (AlertStatus::Assigned, Some("inspector 7"))
        );
        let d = Disposition {
            action: "on-site check".into(),
            finding: Some(InspectionResult::Problem),
            date: "2026-11-05".parse()?,
            note: "expired licence".into(),
        };
        let s = store.close_alert(&a, &d, "m1")?;
        assert_eq!(s.status, AlertStatus::Closed);
        assert_eq!(s.disposition.as_ref(), Some(&d));
        let again = store.acknowledge_alert(&a, "m1");
        assert!(matches!(
            again,
            Err(StoreError::Invalid(InvalidRequest::AlertClosed { .. }))
        ));
        // The other department's alert of the same enterprise is untouched.
        assert_eq!(store.alert_state(&alert("E1", "health")?)?, None);
        let states = store.alert_states("2026-10".parse()?, Some("market"))?;
        assert_eq!(states.len(), 1);
        let trail = store.audit_trail(Some("E1"))?;
        let actions: Vec<&str> = trail.iter().map(|t| t.action.as_str()).collect();
        assert_eq!(
            actions,
            ["alert_acknowledge", "alert_assign", "alert_close"]
        );
        Ok(())
    }

    #[test]
    fn only_routed_alerts_can_be_handled() -> Result<(), Box<dyn std::error::Error>> {
        let mut store = store_with_alerts()?;
        for (e, d) in [
            ("E2", "market"),
            ("E1", "tax"),
            ("E9", "market"),
            ("E1", ""),
        ] {
            let r = store.acknowledge_alert(&alert(e, d)?, "x");
            assert!(
                matches!(r, Err(StoreError::Invalid(InvalidRequest::NoAlert { .. }))),
                "{e} {d}"
            );
        }
        let empty = Disposition {
            action: " ".into(),
            finding: None,
            date: "2026-11-05".parse()?,
            note: String::new(),
        };
        assert!(
            store
                .close_alert(&alert("E1", "market")?, &empty, "x")
                .is_err()
        );
        assert!(
            store
                .assign_alert(&alert("E1", "market")?, "", "x")
                .is_err()
        );
        assert_eq!(store.alert_states("2026-10".parse()?, None)?.len(), 0);
        Ok(())
    }

    #[test]
    fn findings_become_dated_records() -> Result<(), Box<dyn std::error::Error>> {
        let mut store = store_with_alerts()?;
        let close = |finding, date: &str| -> Result<Disposition, Box<dyn std::error::Error>> {
            Ok(Disposition {
                action: "check".into(),
                finding,
                date: date.parse()?,
                note: String::new(),
            })
        };
        store.close_alert(
            &alert("E1", "market")?,
            &close(Some(InspectionResult::Refused), "2026-11-05")?,
            "m",
        )?;
        store.close_alert(&alert("E1", "health")?, &close(None, "2026-11-06")?, "h")?;
        assert!(store.findings_until("2026-11-04".parse()?)?.is_empty());
        let found = store.findings_until("2026-11-30".parse()?)?;
        assert_eq!(
            found,
            vec![(
                "E1".to_string(),
                "2026-11-05".parse()?,
                InspectionResult::Refused
            )]
        );
        Ok(())
    }
}
