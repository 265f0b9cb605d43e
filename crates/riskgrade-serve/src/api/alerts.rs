//! Alert handling (预警处置): a department's queue of routed alerts with
//! what has been done about each, acknowledging, assigning and closing with
//! a disposition, and the overdue alerts per department. A department sees
//! and acts on its own queue only; analysts and admins read every queue.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use riskgrade::store::{AlertRef, AlertState, AlertStatus, Disposition, Role, RunInfo};
use riskgrade::{Date, InspectionResult};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Body, Params, Segments, period};
use crate::error::ApiError;
use crate::gate::Caller;
use crate::state::AppState;

/// Refuses a caller who may not read `department`'s queue. The refusal names
/// neither the department nor anything in its queue.
fn may_read(caller: &Caller, department: &str) -> Result<(), ApiError> {
    if caller.reads_all() || caller.department.as_deref() == Some(department) {
        Ok(())
    } else {
        Err(ApiError::Forbidden {
            role: caller.role.name(),
            what: "read this department's queue",
        })
    }
}

fn may_act(caller: &Caller, department: &str) -> Result<(), ApiError> {
    if caller.role == Role::Department && caller.department.as_deref() == Some(department) {
        Ok(())
    } else {
        Err(ApiError::Forbidden {
            role: caller.role.name(),
            what: "act on this department's alerts",
        })
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Whether an alert of `run` in this state is overdue now.
fn overdue(state: &AppState, run: &RunInfo, s: Option<&AlertState>) -> bool {
    let closed = s.is_some_and(|s| s.status == AlertStatus::Closed);
    !closed && now() >= run.finished_at + state.config().overdue_days * 86_400
}

fn state_json(s: Option<&AlertState>) -> Value {
    let Some(s) = s else {
        return json!({"status": AlertStatus::Open.name()});
    };
    let disposition = s.disposition.as_ref().map(|d| {
        json!({"action": d.action, "finding": d.finding.map(InspectionResult::name),
               "date": d.date.to_string(), "note": d.note})
    });
    json!({
        "status": s.status.name(),
        "assignee": s.assignee,
        "acknowledged_at": s.acknowledged_at,
        "assigned_at": s.assigned_at,
        "closed_at": s.closed_at,
        "disposition": disposition,
        "updated_by": s.updated_by,
    })
}

/// Query of a queue.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QueueQuery {
    period: Option<String>,
    status: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

/// `GET /api/v1/departments/{department}/alerts`
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Segments(department): Segments<String>,
    Params(q): Params<QueueQuery>,
) -> Result<Json<Value>, ApiError> {
    may_read(&caller, &department)?;
    let p = period("period", q.period.as_deref())?;
    let wanted = match q.status.as_deref() {
        None => None,
        Some(s @ ("open" | "acknowledged" | "assigned" | "closed")) => Some(s.to_string()),
        Some(other) => {
            return Err(ApiError::bad("status", format!("unknown status `{other}`")));
        }
    };
    let (limit, offset) = (q.limit.unwrap_or(100).min(1000), q.offset.unwrap_or(0));
    state
        .read(move |store, st| {
            let run = st.run(store, p)?;
            let queues = st.queues(store, &run)?;
            let states = store.alert_states(run.period, Some(&department))?;
            let queue = queues
                .departments
                .iter()
                .find(|d| d.department == department);
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            let mut items = Vec::new();
            for item in queue.map(|q| q.items.as_slice()).unwrap_or_default() {
                let s = states.get(&(item.id.clone(), department.clone()));
                let status = s.map_or(AlertStatus::Open, |s| s.status).name();
                let late = overdue(st, &run, s);
                *counts.entry(status).or_default() += 1;
                if late {
                    *counts.entry("overdue").or_default() += 1;
                }
                if wanted.as_deref().is_none_or(|w| w == status) {
                    items.push((item, s.cloned(), late));
                }
            }
            let total = items.len();
            let page: Vec<Value> = items
                .into_iter()
                .skip(offset)
                .take(limit)
                .map(|(item, s, late)| {
                    json!({
                        "enterprise": item.id,
                        "class": item.class,
                        "class_name": item.class.as_deref().and_then(|c| st.class_name(c)),
                        "topics": item.topics,
                        "labels": item.labels,
                        "overdue": late,
                        "handling": state_json(s.as_ref()),
                    })
                })
                .collect();
            Ok(Json(json!({
                "department": department,
                "period": run.period.to_string(),
                "overdue_after_days": st.config().overdue_days,
                "topics": queue.map(|q| q.topics.clone()).unwrap_or_default(),
                "counts": counts,
                "total": total,
                "items": page,
            })))
        })
        .await
}

/// Query of the overdue summary.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OverdueQuery {
    period: Option<String>,
}

/// `GET /api/v1/alerts/overdue`: per department, alerts not closed and overdue.
pub(crate) async fn overdue_summary(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<OverdueQuery>,
) -> Result<Json<Value>, ApiError> {
    caller.require(
        &[Role::Department, Role::Analyst, Role::Admin],
        "read alert handling",
    )?;
    let p = period("period", q.period.as_deref())?;
    state
        .read(move |store, st| {
            let run = st.run(store, p)?;
            let queues = st.queues(store, &run)?;
            let states = store.alert_states(run.period, None)?;
            let mut out = Vec::new();
            for d in &queues.departments {
                if !caller.reads_all() && caller.department.as_deref() != Some(&d.department) {
                    continue;
                }
                let (mut open, mut late) = (0usize, 0usize);
                for item in &d.items {
                    let s = states.get(&(item.id.clone(), d.department.clone()));
                    if s.is_none_or(|s| s.status != AlertStatus::Closed) {
                        open += 1;
                    }
                    if overdue(st, &run, s) {
                        late += 1;
                    }
                }
                out.push(json!({"department": d.department, "alerts": d.items.len(),
                                "not_closed": open, "overdue": late}));
            }
            Ok(Json(json!({
                "period": run.period.to_string(),
                "overdue_after_days": st.config().overdue_days,
                "departments": out,
            })))
        })
        .await
}

/// A step on an alert: the period, and what the step needs.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Step {
    period: Option<String>,
    assignee: Option<String>,
    action: Option<String>,
    finding: Option<String>,
    date: Option<String>,
    note: Option<String>,
}

async fn act(
    state: AppState,
    caller: Caller,
    (department, enterprise): (String, String),
    step: Step,
    kind: &'static str,
) -> Result<Json<Value>, ApiError> {
    may_act(&caller, &department)?;
    let p = period("period", step.period.as_deref())?;
    let disposition = if kind == "close" {
        Some(disposition(&step)?)
    } else {
        None
    };
    let actor = format!("key {}", caller.key.as_deref().unwrap_or("?"));
    let run_period = state
        .read(move |store, st| Ok(st.run(store, p)?.period))
        .await?;
    let alert = AlertRef {
        period: run_period,
        enterprise,
        department,
    };
    let a = alert.clone();
    let s = state
        .write(move |store| {
            Ok(match (kind, disposition) {
                ("acknowledge", _) => store.acknowledge_alert(&a, &actor)?,
                ("assign", _) => {
                    store.assign_alert(&a, step.assignee.as_deref().unwrap_or(""), &actor)?
                }
                (_, Some(d)) => store.close_alert(&a, &d, &actor)?,
                (_, None) => return Err(ApiError::Internal),
            })
        })
        .await?;
    Ok(Json(json!({
        "period": alert.period.to_string(),
        "enterprise": alert.enterprise,
        "department": alert.department,
        "handling": state_json(Some(&s)),
    })))
}

fn disposition(step: &Step) -> Result<Disposition, ApiError> {
    let action = step.action.clone().unwrap_or_default();
    if action.trim().is_empty() {
        return Err(ApiError::bad(
            "action",
            "a disposition names the action taken",
        ));
    }
    let date: Date = step
        .date
        .as_deref()
        .ok_or_else(|| ApiError::bad("date", "a disposition is dated (YYYY-MM-DD)"))?
        .parse()
        .map_err(|e: riskgrade::DateError| ApiError::bad("date", e.to_string()))?;
    let finding = step
        .finding
        .as_deref()
        .map(|f| {
            f.parse::<InspectionResult>().map_err(|_| {
                ApiError::bad(
                    "finding",
                    format!(
                        "unknown finding `{f}`; one of no_problem, problem, not_reachable, refused"
                    ),
                )
            })
        })
        .transpose()?;
    Ok(Disposition {
        action,
        finding,
        date,
        note: step.note.clone().unwrap_or_default(),
    })
}

/// `POST /api/v1/departments/{department}/alerts/{enterprise}/acknowledge`
pub(crate) async fn acknowledge(
    State(state): State<AppState>,
    caller: Caller,
    Segments(path): Segments<(String, String)>,
    Body(step): Body<Step>,
) -> Result<Json<Value>, ApiError> {
    act(state, caller, path, step, "acknowledge").await
}

/// `POST /api/v1/departments/{department}/alerts/{enterprise}/assign`
pub(crate) async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    Segments(path): Segments<(String, String)>,
    Body(step): Body<Step>,
) -> Result<Json<Value>, ApiError> {
    act(state, caller, path, step, "assign").await
}

/// `POST /api/v1/departments/{department}/alerts/{enterprise}/close`
pub(crate) async fn close(
    State(state): State<AppState>,
    caller: Caller,
    Segments(path): Segments<(String, String)>,
    Body(step): Body<Step>,
) -> Result<Json<Value>, ApiError> {
    act(state, caller, path, step, "close").await
}
