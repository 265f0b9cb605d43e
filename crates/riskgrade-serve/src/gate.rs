//! The gate every request passes: bounds on the request target and body,
//! the rate limit on failed authentication, the key check, and the access
//! log entry written for the answer, whatever it is.

use std::net::{IpAddr, SocketAddr};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH, COOKIE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use riskgrade::store::{AccessEntry, Role};

use crate::error::{ApiError, Outcome};
use crate::keys::{Rejected, check_key, key_id};
use crate::state::AppState;

/// Who is asking: the key's id, role and department; anonymous callers have
/// no key and the `public` role.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Caller {
    pub(crate) key: Option<String>,
    pub(crate) role: Role,
    pub(crate) department: Option<String>,
}

impl Caller {
    pub(crate) fn anonymous() -> Caller {
        Caller {
            key: None,
            role: Role::Public,
            department: None,
        }
    }

    /// Whether the caller reads everything (analysts and admins).
    pub(crate) fn reads_all(&self) -> bool {
        matches!(self.role, Role::Analyst | Role::Admin)
    }

    /// Refuses callers whose role is not one of `roles`.
    pub(crate) fn require(&self, roles: &[Role], what: &'static str) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden {
                role: self.role.name(),
                what,
            })
        }
    }
}

/// Paths served without a key.
fn is_open(path: &str) -> bool {
    matches!(path, "/api/v1/health" | "/api/v1/openapi.json") || path.starts_with("/api/v1/public/")
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The outcome logged for a status when the handler named none.
fn outcome_of(status: u16) -> &'static str {
    match status {
        200..=299 => "ok",
        400 | 422 => "bad_request",
        401 => "bad_key",
        403 => "forbidden",
        404 | 405 => "not_found",
        413 => "too_large",
        414 => "target_too_long",
        429 => "rate_limited",
        _ => "error",
    }
}

/// The middleware: admit, serve, log.
pub(crate) async fn gate(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut req: Request,
    next: Next,
) -> Response {
    let at_ms = now_ms();
    let method = req.method().to_string();
    let target: String = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .chars()
        .take(512)
        .collect();
    let asked = Asked::of(&req);
    let (caller, admitted) = admit(&state, peer.ip(), asked).await;
    let response = match admitted {
        Ok(()) => {
            req.extensions_mut().insert(caller.clone());
            next.run(req).await
        }
        Err(e) => e.into_response(),
    };
    let status = response.status().as_u16();
    let outcome = response
        .extensions()
        .get::<Outcome>()
        .map_or_else(|| outcome_of(status), |o| o.0);
    // The writer lives as long as the service; a send fails only while it stops.
    let _ = state.0.log.send(AccessEntry {
        seq: 0,
        at_ms,
        key: caller.key,
        role: caller.role.name().to_string(),
        department: caller.department,
        client: peer.ip().to_string(),
        method,
        target,
        status,
        outcome: outcome.to_string(),
    });
    response
}

/// What the gate needs to know about a request (the request itself is not
/// `Sync`, so it is not held across the key check).
struct Asked {
    target_len: usize,
    open: bool,
    declared_body: Option<u64>,
    presented: Option<String>,
    /// A dashboard page, and the session named by its cookie.
    dashboard: bool,
    session: Option<String>,
}

impl Asked {
    fn of(req: &Request) -> Asked {
        Asked {
            target_len: req.uri().path_and_query().map_or(0, |p| p.as_str().len()),
            open: is_open(req.uri().path()),
            declared_body: req
                .headers()
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok()),
            dashboard: req.uri().path() == "/dashboard"
                || req.uri().path().starts_with("/dashboard/"),
            session: req
                .headers()
                .get(COOKIE)
                .and_then(|v| v.to_str().ok())
                .and_then(session_from_cookie),
            presented: req.headers().get(AUTHORIZATION).map(|v| {
                v.to_str()
                    .ok()
                    .and_then(|v| v.strip_prefix("Bearer "))
                    .map(|k| k.trim().to_string())
                    .unwrap_or_default()
            }),
        }
    }
}

/// The caller of a dashboard session whose key is still valid; anonymous
/// otherwise (the page then asks to sign in). A revoked key ends its sessions.
async fn session_caller(state: &AppState, session: Option<String>) -> Caller {
    let Some(s) = session.and_then(|id| state.0.sessions.get(&id)) else {
        return Caller::anonymous();
    };
    let Some(id) = s.caller.key.clone() else {
        return Caller::anonymous();
    };
    let lookup = id.clone();
    let valid = state
        .read(move |store, _| Ok(store.key(&lookup)?.is_some_and(|k| k.revoked_at.is_none())))
        .await;
    if matches!(valid, Ok(true)) {
        s.caller
    } else {
        state.0.sessions.end_key(&id);
        Caller::anonymous()
    }
}

/// Checks the bounds and the key; the caller as far as known, and whether to serve.
async fn admit(state: &AppState, client: IpAddr, asked: Asked) -> (Caller, Result<(), ApiError>) {
    let config = state.config();
    if asked.target_len > config.max_target {
        let limit = config.max_target;
        return (Caller::anonymous(), Err(ApiError::TargetTooLong { limit }));
    }
    if asked
        .declared_body
        .is_some_and(|n| n > config.max_body as u64)
    {
        let limit = config.max_body;
        return (Caller::anonymous(), Err(ApiError::BodyTooLarge { limit }));
    }
    if asked.dashboard && asked.presented.is_none() {
        return (session_caller(state, asked.session).await, Ok(()));
    }
    let Some(presented) = asked.presented else {
        return if asked.open {
            (Caller::anonymous(), Ok(()))
        } else {
            (Caller::anonymous(), Err(ApiError::NoKey))
        };
    };
    if let Some(retry_after) = state.0.limiter.blocked(client) {
        return (
            Caller::anonymous(),
            Err(ApiError::RateLimited { retry_after }),
        );
    }
    let named = key_id(&presented).map(str::to_string);
    let checked = state
        .read(move |store, _| Ok(check_key(store, &presented)?))
        .await;
    match checked {
        Ok(Ok(key)) => (
            Caller {
                key: Some(key.id),
                role: key.role,
                department: key.department,
            },
            Ok(()),
        ),
        Ok(Err(rejected)) => {
            state.0.limiter.failed(client);
            let mut caller = Caller::anonymous();
            let e = match rejected {
                Rejected::Bad => ApiError::BadKey,
                Rejected::Revoked => {
                    caller.key = named;
                    ApiError::RevokedKey
                }
            };
            (caller, Err(e))
        }
        Err(e) => (Caller::anonymous(), Err(e)),
    }
}

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "rg_session";

/// The session id in a `Cookie` header, if any.
pub(crate) fn session_from_cookie(header: &str) -> Option<String> {
    header
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}
