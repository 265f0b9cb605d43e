//! The router: every endpoint under `/api/v1`, registered through one
//! builder that records each (method, path), so a test can hold the router's
//! routes against the OpenAPI document's.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::routing::{MethodRouter, delete, get, post};

use crate::api::{admin, alerts, public, results};
use crate::dashboard;
use crate::error::ApiError;
use crate::openapi;
use crate::state::AppState;

/// Routes registered so far, and the (method, path) of each.
struct Builder {
    router: Router<AppState>,
    routes: Vec<(&'static str, &'static str)>,
}

impl Builder {
    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        handler: MethodRouter<AppState>,
    ) -> Builder {
        self.routes.push((method, path));
        self.router = self.router.route(path, handler);
        self
    }
}

fn build() -> Builder {
    let b = Builder {
        router: Router::new(),
        routes: Vec::new(),
    };
    b.add("get", "/api/v1/health", get(results::health))
        .add("get", "/api/v1/openapi.json", get(openapi::document))
        .add(
            "get",
            "/api/v1/public/inspections",
            get(public::inspections),
        )
        .add("get", "/api/v1/periods", get(results::periods))
        .add("get", "/api/v1/periods/{period}", get(results::summary))
        .add(
            "get",
            "/api/v1/periods/{period}/migration",
            get(results::migration),
        )
        .add("get", "/api/v1/enterprises/{id}", get(results::enterprise))
        .add("post", "/api/v1/enterprises/batch", post(results::batch))
        .add(
            "get",
            "/api/v1/departments/{department}/alerts",
            get(alerts::list),
        )
        .add(
            "post",
            "/api/v1/departments/{department}/alerts/{enterprise}/acknowledge",
            post(alerts::acknowledge),
        )
        .add(
            "post",
            "/api/v1/departments/{department}/alerts/{enterprise}/assign",
            post(alerts::assign),
        )
        .add(
            "post",
            "/api/v1/departments/{department}/alerts/{enterprise}/close",
            post(alerts::close),
        )
        .add(
            "get",
            "/api/v1/alerts/overdue",
            get(alerts::overdue_summary),
        )
        .add("get", "/api/v1/keys", get(admin::list_keys))
        .add("post", "/api/v1/keys", post(admin::add_key))
        .add("delete", "/api/v1/keys/{id}", delete(admin::revoke_key))
        .add("get", "/api/v1/access-log", get(admin::access_log))
}

/// The (method, path) of every route the router serves.
#[cfg(test)]
pub(crate) fn routes() -> Vec<(&'static str, &'static str)> {
    build().routes
}

async fn no_route(req: Request) -> ApiError {
    ApiError::NoRoute {
        method: req.method().to_string(),
        path: req.uri().path().chars().take(200).collect(),
    }
}

/// The service's router with its state, body limit and gate.
pub(crate) fn router(state: AppState) -> Router {
    let limit = state.config().max_body;
    build()
        .router
        .route("/dashboard", get(dashboard::month))
        .route(
            "/dashboard/sign-in",
            get(dashboard::sign_in_form).post(dashboard::sign_in),
        )
        .route("/dashboard/sign-out", post(dashboard::sign_out))
        .route("/dashboard/enterprises/{id}", get(dashboard::enterprise))
        .route("/dashboard/inspections", get(dashboard::inspections))
        .route(
            "/dashboard/departments/{department}/alerts",
            get(dashboard::queue),
        )
        .route(
            "/dashboard/departments/{department}/alerts/{enterprise}/close",
            post(dashboard::close),
        )
        .fallback(no_route)
        .method_not_allowed_fallback(no_route)
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::gate::gate,
        ))
        .with_state(state)
}
