//! Errors: [`ApiError`], what a request gets back (a status and a JSON body
//! `{"error": {"code", "message"}}`), and [`ServeError`], why the service
//! could not start or stopped.

use std::net::SocketAddr;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use riskgrade::store::{InvalidRequest, StoreError};
use serde_json::json;

/// What a request gets back when it is not served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// No key was presented where one is needed.
    #[error("this endpoint needs an API key: `Authorization: Bearer <key>`")]
    NoKey,
    /// The key presented is not a key of this service.
    #[error("the API key is not valid")]
    BadKey,
    /// The key presented was revoked.
    #[error("the API key was revoked")]
    RevokedKey,
    /// Too many failed authentications from this client.
    #[error("too many failed authentications from this client; retry in {retry_after} s")]
    RateLimited {
        /// Seconds until the client may try again.
        retry_after: u64,
    },
    /// The key's role may not do this.
    #[error("a `{role}` key may not {what}")]
    Forbidden {
        /// The caller's role.
        role: &'static str,
        /// What was refused, e.g. `read another department's queue`.
        what: &'static str,
    },
    /// Nothing is stored under this name.
    #[error("{what} `{name}` is not found")]
    NotFound {
        /// What was looked for, e.g. `enterprise`.
        what: &'static str,
        /// The name asked for.
        name: String,
    },
    /// No such endpoint.
    #[error("no endpoint `{method} {path}`; `/api/v1/openapi.json` lists them")]
    NoRoute {
        /// The method.
        method: String,
        /// The path.
        path: String,
    },
    /// A parameter or body that cannot be used.
    #[error("{field}: {problem}")]
    BadRequest {
        /// The parameter or body field.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// A request body larger than the service accepts.
    #[error("the request body is larger than {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A batch with more codes than the service accepts.
    #[error("a batch holds at most {limit} codes, this one has {found}")]
    BatchTooLarge {
        /// The limit.
        limit: usize,
        /// The codes sent.
        found: usize,
    },
    /// A query string or path longer than the service accepts.
    #[error("the request target is longer than {limit} bytes")]
    TargetTooLong {
        /// The limit in bytes.
        limit: usize,
    },
    /// The store refused the request (e.g. closing a closed alert).
    #[error(transparent)]
    Refused(InvalidRequest),
    /// The store failed.
    #[error("the history store failed; the failure is logged on the server")]
    Store(#[source] StoreError),
    /// A worker failed.
    #[error("the service failed to answer; the failure is logged on the server")]
    Internal,
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::NoKey | ApiError::BadKey | ApiError::RevokedKey => StatusCode::UNAUTHORIZED,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound { .. } | ApiError::NoRoute { .. } => StatusCode::NOT_FOUND,
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::BodyTooLarge { .. } | ApiError::BatchTooLarge { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            ApiError::TargetTooLong { .. } => StatusCode::URI_TOO_LONG,
            ApiError::Refused(InvalidRequest::NoRun { .. } | InvalidRequest::NoAlert { .. }) => {
                StatusCode::NOT_FOUND
            }
            ApiError::Refused(_) => StatusCode::CONFLICT,
            ApiError::Store(_) | ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The machine-readable code in the body (and the access log's outcome).
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::NoKey => "no_key",
            ApiError::BadKey => "bad_key",
            ApiError::RevokedKey => "revoked_key",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Forbidden { .. } => "forbidden",
            ApiError::NotFound { .. } | ApiError::NoRoute { .. } => "not_found",
            ApiError::BadRequest { .. } => "bad_request",
            ApiError::BodyTooLarge { .. } | ApiError::BatchTooLarge { .. } => "too_large",
            ApiError::TargetTooLong { .. } => "target_too_long",
            ApiError::Refused(InvalidRequest::NoRun { .. } | InvalidRequest::NoAlert { .. }) => {
                "not_found"
            }
            ApiError::Refused(_) => "refused",
            ApiError::Store(_) | ApiError::Internal => "error",
        }
    }

    /// A bad parameter.
    pub(crate) fn bad(field: &'static str, problem: impl Into<String>) -> ApiError {
        ApiError::BadRequest {
            field,
            problem: problem.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::Invalid(r) => ApiError::Refused(r),
            other => ApiError::Store(other),
        }
    }
}

/// The outcome an error is logged with, carried from a handler to the access log.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Outcome(pub(crate) &'static str);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Store(e) = &self {
            eprintln!("riskgrade serve: {e}");
        }
        let status = self.status();
        let code = self.code();
        let body = json!({"error": {"code": code, "message": self.to_string()}});
        let mut response = (status, Json(body)).into_response();
        if let ApiError::RateLimited { retry_after } = self
            && let Ok(v) = retry_after.to_string().parse()
        {
            response.headers_mut().insert("retry-after", v);
        }
        response.extensions_mut().insert(Outcome(code));
        response
    }
}

/// Why the service could not start, or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The history store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The address could not be listened on.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The server failed while running.
    #[error("the service stopped: {source}")]
    Stopped {
        /// Why.
        #[source]
        source: std::io::Error,
    },
}
