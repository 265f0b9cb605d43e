//! The dashboard for analysts and departments: server-rendered HTML (maud,
//! which escapes every interpolated text) with SVG charts. Sign-in takes a key
//! and starts a session (an HttpOnly, SameSite=Strict cookie); every form
//! carries the session's CSRF token and a post without it is refused. Pages:
//! the month, an enterprise, a department's queue with the disposition form,
//! the inspections (draws, detection rate per class, yearly minimums).

mod inspections;
mod pages;
pub(crate) mod session;
mod svg;

use std::net::SocketAddr;

use axum::Form;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header::{CONTENT_SECURITY_POLICY, COOKIE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};
use riskgrade::store::Role;
use serde::Deserialize;

pub(crate) use inspections::inspections;
pub(crate) use pages::{close, enterprise, month, queue};

use crate::error::{ApiError, Outcome};
use crate::gate::Caller;
use crate::gate::{SESSION_COOKIE as SESSION, session_from_cookie as from_cookie};
use crate::keys::{Rejected, check_key};
use crate::state::AppState;
use session::{Session, same};

/// A signed-in caller of a role that may use the dashboard, and their session.
pub(crate) struct Signed {
    pub(crate) caller: Caller,
    pub(crate) session_id: String,
    pub(crate) session: Session,
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let id = parts
            .headers
            .get(COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(from_cookie);
        let caller = parts.extensions.get::<Caller>().cloned();
        let found = id.and_then(|id| state.0.sessions.get(&id).map(|s| (id, s)));
        match (found, caller) {
            (Some((session_id, session)), Some(caller)) if caller.key.is_some() => {
                if caller.role == Role::Public {
                    return Err(refusal(
                        StatusCode::FORBIDDEN,
                        "forbidden",
                        "a public key has no dashboard; use the API",
                    ));
                }
                Ok(Signed {
                    caller,
                    session_id,
                    session,
                })
            }
            _ => Err(redirect("/dashboard/sign-in")),
        }
    }
}

/// A page: the layout around `body`, with headers that keep it in its own origin.
pub(crate) fn page(title: &str, signed: Option<&Signed>, body: Markup) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="zh-Hans" {
            head {
                meta charset="utf-8";
                title { (title) " · riskgrade" }
                style { "body{font-family:sans-serif;margin:1.5em;max-width:60em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}nav a{margin-right:1em}.overdue{color:#c62828}" }
            }
            body {
                nav {
                    a href="/dashboard" { "月度 The month" }
                    a href="/dashboard/inspections" { "抽查 Inspections" }
                    @if let Some(s) = signed {
                        @if let Some(d) = &s.caller.department {
                            a href=(format!("/dashboard/departments/{}/alerts", encode(d))) { "预警 Queue of " (d) }
                        }
                        form method="post" action="/dashboard/sign-out" style="display:inline" {
                            input type="hidden" name="csrf" value=(s.session.csrf);
                            button { "退出 Sign out" }
                        }
                    }
                }
                h1 { (title) }
                (body)
            }
        }
    };
    let mut r = axum::response::Html(markup.into_string()).into_response();
    let h = r.headers_mut();
    h.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'"),
    );
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// Percent-encodes a path segment.
pub(crate) fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A 303 to `to`.
pub(crate) fn redirect(to: &'static str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    r.headers_mut()
        .insert(LOCATION, HeaderValue::from_static(to));
    r
}

/// An error page with its status, logged with `outcome`.
pub(crate) fn refusal(status: StatusCode, outcome: &'static str, message: &str) -> Response {
    let mut r = page("riskgrade", None, html! { p { (message) } });
    *r.status_mut() = status;
    r.extensions_mut().insert(Outcome(outcome));
    r
}

/// An API error as a page.
pub(crate) fn error_page(e: &ApiError) -> Response {
    refusal(e.status(), e.code(), &e.to_string())
}

/// `GET /dashboard/sign-in`
pub(crate) async fn sign_in_form() -> Response {
    page(
        "登录 Sign in",
        None,
        html! {
            form method="post" action="/dashboard/sign-in" {
                label { "API key " input type="password" name="key" autocomplete="off" required; }
                " " button { "登录 Sign in" }
            }
        },
    )
}

/// The sign-in form.
#[derive(Deserialize)]
pub(crate) struct SignIn {
    key: String,
}

/// `POST /dashboard/sign-in`: checks the key (failures count towards the
/// client's rate limit) and starts a session.
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(form): Form<SignIn>,
) -> Response {
    if let Some(retry_after) = state.0.limiter.blocked(peer.ip()) {
        return error_page(&ApiError::RateLimited { retry_after });
    }
    let key = form.key.trim().to_string();
    let checked = state
        .read(move |store, _| Ok(check_key(store, &key)?))
        .await;
    let stored = match checked {
        Ok(Ok(k)) => k,
        Ok(Err(rejected)) => {
            state.0.limiter.failed(peer.ip());
            let e = if rejected == Rejected::Revoked {
                ApiError::RevokedKey
            } else {
                ApiError::BadKey
            };
            return error_page(&e);
        }
        Err(e) => return error_page(&e),
    };
    let caller = Caller {
        key: Some(stored.id),
        role: stored.role,
        department: stored.department,
    };
    let Some((id, _)) = state.0.sessions.start(caller) else {
        return error_page(&ApiError::Internal);
    };
    let mut r = redirect("/dashboard");
    // No `Secure`: the service speaks plain HTTP on loopback; put it behind TLS to serve others.
    let cookie =
        format!("{SESSION}={id}; HttpOnly; SameSite=Strict; Path=/dashboard; Max-Age=28800");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(SET_COOKIE, v);
    }
    r
}

/// A form that carries only the CSRF token.
#[derive(Deserialize)]
pub(crate) struct Token {
    #[serde(default)]
    csrf: String,
}

/// `POST /dashboard/sign-out`
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    signed: Signed,
    Form(form): Form<Token>,
) -> Response {
    if !same(&form.csrf, &signed.session.csrf) {
        return refusal(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this form is not from this session",
        );
    }
    state.0.sessions.end(&signed.session_id);
    let mut r = redirect("/dashboard/sign-in");
    let gone = format!("{SESSION}=; HttpOnly; SameSite=Strict; Path=/dashboard; Max-Age=0");
    if let Ok(v) = HeaderValue::from_str(&gone) {
        r.headers_mut().insert(SET_COOKIE, v);
    }
    r
}
