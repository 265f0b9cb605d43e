//! Shared results (分类成果共享运用): periods and their summaries, the class
//! migration between two periods, and enterprise lookups one at a time or in
//! batches. What an answer holds depends on the caller's role.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use riskgrade::store::{ResultRow, Role, RunInfo, Store};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Body, Params, Segments, period, split};
use crate::error::ApiError;
use crate::gate::Caller;
use crate::state::AppState;

/// `GET /api/v1/health`
pub(crate) async fn health(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let (version, periods) = state
        .read(|store, st| Ok((store.schema_version()?, st.runs(store)?.len())))
        .await?;
    Ok(Json(
        json!({"status": "ok", "schema_version": version, "periods": periods}),
    ))
}

fn classes_of(state: &AppState, run: &RunInfo) -> Vec<Value> {
    let total: u64 = run.class_counts.iter().sum();
    run.classes
        .iter()
        .zip(&run.class_counts)
        .map(|(c, n)| {
            let share = if total == 0 {
                0.0
            } else {
                *n as f64 / total as f64
            };
            json!({"class": c, "class_name": state.class_name(c), "count": n, "share": share})
        })
        .collect()
}

fn run_json(state: &AppState, run: &RunInfo) -> Value {
    json!({
        "period": run.period.to_string(),
        "as_of": run.as_of.to_string(),
        "version_id": run.version_id,
        "source": run.source,
        "enterprises": run.enterprises,
        "graded": run.graded,
        "errors": run.errors,
        "classes": classes_of(state, run),
        "compared_with": run.compared_with.map(|p| p.to_string()),
    })
}

/// `GET /api/v1/periods`
pub(crate) async fn periods(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Json<Value>, ApiError> {
    state
        .read(|store, st| {
            let runs = st.runs(store)?;
            let list: Vec<Value> = runs.iter().map(|r| run_json(st, r)).collect();
            Ok(Json(json!({ "periods": list })))
        })
        .await
}

/// `GET /api/v1/periods/{period}`: the run, its classes and the labels given.
pub(crate) async fn summary(
    State(state): State<AppState>,
    _caller: Caller,
    Segments(p): Segments<String>,
) -> Result<Json<Value>, ApiError> {
    let p = period("period", Some(&p))?;
    state
        .read(move |store, st| {
            let run = st.run(store, p)?;
            let queues = st.queues(store, &run)?;
            let mut out = run_json(st, &run);
            out["labels"] = json!(queues.labels);
            let alerts: BTreeMap<&str, usize> = queues
                .departments
                .iter()
                .map(|d| (d.department.as_str(), d.items.len()))
                .collect();
            out["alerts_by_department"] = json!(alerts);
            Ok(Json(out))
        })
        .await
}

/// Query of the migration matrix.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MigrationQuery {
    from: Option<String>,
    movers: Option<usize>,
}

/// `GET /api/v1/periods/{period}/migration?from=`: class migration from an
/// earlier period (default: the one the run was compared with, else the one before).
pub(crate) async fn migration(
    State(state): State<AppState>,
    caller: Caller,
    Segments(p): Segments<String>,
    Params(q): Params<MigrationQuery>,
) -> Result<Json<Value>, ApiError> {
    let to = period("period", Some(&p))?;
    let from = period("from", q.from.as_deref())?;
    let movers = if caller.reads_all() {
        q.movers.unwrap_or(50).min(1000)
    } else {
        0
    };
    state
        .read(move |store, st| {
            let to = st.run(store, to)?;
            let from = match from.or(to.compared_with) {
                Some(p) => st.run(store, Some(p))?,
                None => {
                    let runs = st.runs(store)?;
                    let before = runs.iter().rev().find(|r| r.period < to.period);
                    before.cloned().ok_or(ApiError::NotFound {
                        what: "period before",
                        name: to.period.to_string(),
                    })?
                }
            };
            let c = st.comparison(store, &from, &to)?;
            let moved: Vec<Value> = c
                .movers
                .iter()
                .take(movers)
                .map(|m| {
                    let reasons: Vec<String> = m.reasons.iter().map(|(_, r)| r.clone()).collect();
                    json!({"id": m.id, "from": m.from, "to": m.to, "steps": m.steps, "reasons": reasons})
                })
                .collect();
            let mut out = json!({
                "from": from.period.to_string(),
                "to": to.period.to_string(),
                "classes": c.classes,
                "matrix": c.matrix,
                "entered": c.entered,
                "left": c.left,
                "moved": c.movers.len(),
            });
            if caller.reads_all() {
                out["movers"] = json!(moved);
                let psi: Vec<Value> = c
                    .score_psi
                    .iter()
                    .map(|s| json!({"model": s.model, "psi": s.psi, "band": s.band()}))
                    .collect();
                out["score_psi"] = json!(psi);
            }
            Ok(Json(out))
        })
        .await
}

/// One enterprise as a caller of a role sees it.
#[derive(Serialize)]
pub(crate) struct EnterpriseView {
    id: String,
    name: Option<String>,
    credit_code: Option<String>,
    period: String,
    class: Option<String>,
    class_name: Option<String>,
    labels: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reasons: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alerts: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rules: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<Vec<Value>>,
}

fn view(state: &AppState, caller: &Caller, run: &RunInfo, row: ResultRow) -> EnterpriseView {
    let inside = caller.role != Role::Public;
    let alerts = row.alerts.into_iter().filter(|a| {
        caller.reads_all()
            || a.split_once(" -> ")
                .is_some_and(|(_, d)| Some(d) == caller.department.as_deref())
    });
    EnterpriseView {
        class_name: row.class.as_deref().and_then(|c| state.class_name(c)),
        period: run.period.to_string(),
        labels: row.labels,
        score: row.score.filter(|_| inside),
        reasons: inside.then(|| split(&row.reasons)),
        alerts: inside.then(|| alerts.collect()),
        rules: caller.reads_all().then_some(row.rules),
        error: row.error.filter(|_| inside),
        history: None,
        class: row.class,
        id: row.id,
        name: None,
        credit_code: None,
    }
}

/// The result of `key` (an enterprise id, or a unified social credit code) in
/// `run`, seen by `caller`, with its name and credit code when the directory has them.
fn lookup(
    store: &Store,
    state: &AppState,
    caller: &Caller,
    run: &RunInfo,
    key: &str,
) -> Result<Option<EnterpriseView>, ApiError> {
    let mut row = store.result(run.period, key)?;
    if row.is_none()
        && key.len() == 18
        && let Some(id) = store.id_by_credit_code(key)?
    {
        row = store.result(run.period, &id)?;
    }
    let Some(row) = row else {
        return Ok(None);
    };
    let names = store.directory(&[row.id.as_str()])?;
    let mut v = view(state, caller, run, row);
    if let Some((name, code)) = names.get(&v.id) {
        v.name = Some(name.clone()).filter(|n| !n.is_empty());
        v.credit_code = Some(code.clone()).filter(|c| !c.is_empty());
    }
    Ok(Some(v))
}

fn history(store: &Store, id: &str) -> Result<Vec<Value>, ApiError> {
    Ok(store
        .history(id)?
        .into_iter()
        .map(|h| {
            let changes: Vec<String> = h.changes.iter().map(|c| c.detail.clone()).collect();
            json!({
                "period": h.period.to_string(),
                "class": h.result.as_ref().and_then(|r| r.class.clone()),
                "score": h.result.as_ref().and_then(|r| r.score),
                "changes": changes,
            })
        })
        .collect())
}

/// Query of a lookup.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LookupQuery {
    period: Option<String>,
}

/// `GET /api/v1/enterprises/{id}?period=`: by enterprise id or credit code.
pub(crate) async fn enterprise(
    State(state): State<AppState>,
    caller: Caller,
    Segments(id): Segments<String>,
    Params(q): Params<LookupQuery>,
) -> Result<Json<EnterpriseView>, ApiError> {
    let p = period("period", q.period.as_deref())?;
    state
        .read(move |store, st| {
            let run = st.run(store, p)?;
            let mut v =
                lookup(store, st, &caller, &run, &id)?.ok_or_else(|| ApiError::NotFound {
                    what: "enterprise",
                    name: id.clone(),
                })?;
            if caller.reads_all() {
                v.history = Some(history(store, &v.id)?);
            }
            Ok(Json(v))
        })
        .await
}

/// A batch lookup.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Batch {
    ids: Vec<String>,
    period: Option<String>,
}

/// `POST /api/v1/enterprises/batch`: up to the configured number of ids or
/// credit codes at once.
pub(crate) async fn batch(
    State(state): State<AppState>,
    caller: Caller,
    Body(b): Body<Batch>,
) -> Result<Json<Value>, ApiError> {
    let limit = state.config().max_batch;
    if b.ids.len() > limit {
        return Err(ApiError::BatchTooLarge {
            limit,
            found: b.ids.len(),
        });
    }
    let p = period("period", b.period.as_deref())?;
    state
        .read(move |store, st| {
            let run = st.run(store, p)?;
            let mut found = Vec::with_capacity(b.ids.len());
            let mut missing = Vec::new();
            for id in b.ids {
                match lookup(store, st, &caller, &run, &id)? {
                    Some(v) => found.push(v),
                    None => missing.push(id),
                }
            }
            Ok(Json(json!({
                "period": run.period.to_string(),
                "results": found,
                "missing": missing,
            })))
        })
        .await
}
