//! Administration: API keys and the access log, for admins only.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use riskgrade::store::{AccessQuery, Role};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Body, Params, Segments};
use crate::error::ApiError;
use crate::gate::Caller;
use crate::keys::{KeyError, issue_key};
use crate::state::AppState;

/// `GET /api/v1/keys`: every key, without secrets.
pub(crate) async fn list_keys(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    caller.require(&[Role::Admin], "manage keys")?;
    state
        .read(|store, _| {
            let keys: Vec<Value> = store
                .keys()?
                .into_iter()
                .map(|k| {
                    json!({"id": k.id, "role": k.role.name(), "department": k.department,
                           "note": k.note, "created_at": k.created_at, "created_by": k.created_by,
                           "revoked_at": k.revoked_at})
                })
                .collect();
            Ok(Json(json!({ "keys": keys })))
        })
        .await
}

/// A key to issue.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewKeyBody {
    role: String,
    department: Option<String>,
    note: Option<String>,
}

/// `POST /api/v1/keys`: issues a key; the answer is the only place it is shown.
pub(crate) async fn add_key(
    State(state): State<AppState>,
    caller: Caller,
    Body(b): Body<NewKeyBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(&[Role::Admin], "manage keys")?;
    let role = Role::parse(&b.role).ok_or_else(|| {
        ApiError::bad(
            "role",
            format!(
                "unknown role `{}`; one of public, department, analyst, admin",
                b.role
            ),
        )
    })?;
    let actor = format!("key {}", caller.key.as_deref().unwrap_or("?"));
    let issued = state
        .write(move |store| {
            issue_key(
                store,
                role,
                b.department.as_deref(),
                b.note.as_deref().unwrap_or(""),
                &actor,
            )
            .map_err(|e| match e {
                KeyError::Store(e) => ApiError::from(e),
                _ => ApiError::Internal,
            })
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({"id": issued.id, "key": issued.key, "role": issued.role.name(),
                    "department": issued.department}),
        ),
    ))
}

/// `DELETE /api/v1/keys/{id}`: revokes a key at once.
pub(crate) async fn revoke_key(
    State(state): State<AppState>,
    caller: Caller,
    Segments(id): Segments<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(&[Role::Admin], "manage keys")?;
    let actor = format!("key {}", caller.key.as_deref().unwrap_or("?"));
    let revoked = id.clone();
    state
        .write(move |store| Ok(store.revoke_key(&revoked, &actor)?))
        .await?;
    Ok(Json(json!({"id": id, "revoked": true})))
}

/// Query of the access log.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LogQuery {
    after: Option<i64>,
    key: Option<String>,
    outcome: Option<String>,
    limit: Option<usize>,
}

/// `GET /api/v1/access-log`: the newest entries (at most 1000), oldest first.
pub(crate) async fn access_log(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<LogQuery>,
) -> Result<Json<Value>, ApiError> {
    caller.require(&[Role::Admin], "read the access log")?;
    let query = AccessQuery {
        after: q.after,
        key: q.key,
        outcome: q.outcome,
        limit: q.limit.unwrap_or(100).clamp(1, 1000),
    };
    state
        .read(move |store, _| {
            let entries: Vec<Value> = store
                .access_log(&query)?
                .into_iter()
                .map(|e| {
                    json!({"seq": e.seq, "at_ms": e.at_ms, "key": e.key, "role": e.role,
                           "department": e.department, "client": e.client, "method": e.method,
                           "target": e.target, "status": e.status, "outcome": e.outcome})
                })
                .collect();
            Ok(Json(json!({ "entries": entries })))
        })
        .await
}
