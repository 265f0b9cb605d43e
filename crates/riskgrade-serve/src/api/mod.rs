//! The endpoints under `/api/v1`, one module per concern, and the extractors
//! that turn every rejection into the service's JSON error.

pub(crate) mod admin;
pub(crate) mod alerts;
pub(crate) mod public;
pub(crate) mod results;

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use riskgrade::Month;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::gate::Caller;
use crate::state::AppState;

/// A JSON body, bounded by the configured size.
pub(crate) struct Body<T>(pub(crate) T);

impl<T: DeserializeOwned> FromRequest<AppState> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(rejection) if rejection.status().as_u16() == 413 => Err(ApiError::BodyTooLarge {
                limit: state.config().max_body,
            }),
            Err(rejection) => Err(ApiError::bad("body", rejection.body_text())),
        }
    }
}

/// Query parameters.
pub(crate) struct Params<T>(pub(crate) T);

impl<T: DeserializeOwned> FromRequestParts<AppState> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| Params(v))
            .map_err(|r| ApiError::bad("query", r.body_text()))
    }
}

/// Path segments.
pub(crate) struct Segments<T>(pub(crate) T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for Segments<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| Segments(v))
            .map_err(|r| ApiError::bad("path", r.body_text()))
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or(ApiError::NoKey)
    }
}

/// A period parameter (`YYYY-MM`), if given.
pub(crate) fn period(field: &'static str, s: Option<&str>) -> Result<Option<Month>, ApiError> {
    s.map(|s| {
        s.parse::<Month>()
            .map_err(|e| ApiError::bad(field, e.to_string()))
    })
    .transpose()
}

/// A list stored as `; `-separated text.
pub(crate) fn split(s: &str) -> Vec<String> {
    s.split("; ")
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}
