//! The OpenAPI 3.1 document of the API, built from one table of endpoints
//! ([`ENDPOINTS`]) and served at `/api/v1/openapi.json`.

use axum::Json;
use serde_json::{Map, Value, json};

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Anyone, without a key.
    Open,
    /// Any key.
    AnyKey,
    /// Department, analyst and admin keys.
    Inside,
    /// A department's own key (analysts and admins read its queue too).
    OwnDepartment,
    /// A department's own key only.
    ActingDepartment,
    /// Admin keys.
    Admin,
}

impl Access {
    fn describe(self) -> &'static str {
        match self {
            Access::Open => "No key needed.",
            Access::AnyKey => "Any key; what the answer holds depends on the role.",
            Access::Inside => {
                "Keys of role department (its own departments only), analyst or admin."
            }
            Access::OwnDepartment => {
                "The department's own key, or an analyst or admin key (read-only); another department's key gets 403."
            }
            Access::ActingDepartment => "The department's own key only; every other key gets 403.",
            Access::Admin => "Admin keys only.",
        }
    }
}

/// A parameter: name, where (`path` or `query`), required, description.
type Param = (&'static str, &'static str, bool, &'static str);

/// One endpoint of the document.
pub(crate) struct Endpoint {
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    summary: &'static str,
    access: Access,
    params: &'static [Param],
    body: Option<&'static str>,
    ok: (u16, &'static str),
}

const PERIOD: Param = (
    "period",
    "query",
    false,
    "The period, YYYY-MM (default: the latest stored).",
);
const PAGE: [Param; 2] = [
    (
        "limit",
        "query",
        false,
        "At most this many items (default 100, at most 1000).",
    ),
    ("offset", "query", false, "Skip this many items."),
];
const DEPT: Param = (
    "department",
    "path",
    true,
    "The department, as the routing table names it.",
);
const ENT: Param = ("enterprise", "path", true, "The enterprise id.");

/// Every endpoint of the API.
pub(crate) const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        method: "get",
        path: "/api/v1/health",
        summary: "The service is up: schema version and stored periods.",
        access: Access::Open,
        params: &[],
        body: None,
        ok: (200, "Health"),
    },
    Endpoint {
        method: "get",
        path: "/api/v1/openapi.json",
        summary: "This document.",
        access: Access::Open,
        params: &[],
        body: None,
        ok: (200, "Document"),
    },
    Endpoint {
        method: "get",
        path: "/api/v1/public/inspections",
        summary: "Published inspection results (一公开): public fields of closed inspections.",
        access: Access::Open,
        params: &[
            (
                "period",
                "query",
                false,
                "Only draws based on this period, YYYY-MM.",
            ),
            PAGE[0],
            PAGE[1],
        ],
        body: None,
        ok: (200, "PublicInspections"),
    },
    Endpoint {
        method: "get",
        path: "/api/v1/periods",
        summary: "The stored periods with their class counts and shares.",
        access: Access::AnyKey,
        params: &[],
        body: None,
        ok: (200, "Periods"),
    },
    Endpoint {
        method: "get",
        path: "/api/v1/periods/{period}",
        summary: "A period's summary: classes, labels given, alerts per department.",
        access: Access::AnyKey,
        params: &[("period", "path", true, "The period, YYYY-MM.")],
        body: None,
        ok: (200, "PeriodSummary"),
    },
    Endpoint {
        method: "get",
        path: "/api/v1/periods/{period}/migration",
        summary: "Class migration matrix from an earlier period; movers with reasons and PSI for analysts.",
        access: Access::AnyKey,
        params: &[
            ("period", "path", true, "The later period, YYYY-MM."),
            (
                "from",
                "query",
                false,
                "The earlier period (default: the one the run was compared with).",
            ),
            (
                "movers",
                "query",
                false,
                "Movers to list for analysts and admins (default 50, at most 1000).",
            ),
        ],
        body: None,
        ok: (200, "Migration"),
    },
    Endpoint {
        method: "get",
        path: "/api/v1/enterprises/{id}",
        summary: "One enterprise: class, class name and labels; score, reasons and its own alerts for departments; rules and history for analysts.",
        access: Access::AnyKey,
        params: &[
            (
                "id",
                "path",
                true,
                "The enterprise id, or its unified social credit code (18 characters).",
            ),
            PERIOD,
        ],
        body: None,
        ok: (200, "Enterprise"),
    },
    Endpoint {
        method: "post",
        path: "/api/v1/enterprises/batch",
        summary: "Many enterprises in one request (at most the configured batch size, 1000 by default).",
        access: Access::AnyKey,
        params: &[],
        body: Some("Batch"),
        ok: (200, "BatchResult"),
    },
    Endpoint {
        method: "get",
        path: "/api/v1/departments/{department}/alerts",
        summary: "A department's queue of routed alerts with what has been done about each, overdue flagged.",
        access: Access::OwnDepartment,
        params: &[
            DEPT,
            PERIOD,
            (
                "status",
                "query",
                false,
                "Only alerts with this status: open, acknowledged, assigned, closed.",
            ),
            PAGE[0],
            PAGE[1],
        ],
        body: None,
        ok: (200, "Queue"),
    },
    Endpoint {
        method: "post",
        path: "/api/v1/departments/{department}/alerts/{enterprise}/acknowledge",
        summary: "Acknowledge an alert.",
        access: Access::ActingDepartment,
        params: &[DEPT, ENT],
        body: Some("Step"),
        ok: (200, "Handling"),
    },
    Endpoint {
        method: "post",
        path: "/api/v1/departments/{department}/alerts/{enterprise}/assign",
        summary: "Assign an alert (`assignee`).",
        access: Access::ActingDepartment,
        params: &[DEPT, ENT],
        body: Some("Step"),
        ok: (200, "Handling"),
    },
    Endpoint {
        method: "post",
        path: "/api/v1/departments/{department}/alerts/{enterprise}/close",
        summary: "Close an alert with a disposition (`action`, `finding`, `date`, `note`); a finding becomes an inspection record of the enterprise for later months.",
        access: Access::ActingDepartment,
        params: &[DEPT, ENT],
        body: Some("Step"),
        ok: (200, "Handling"),
    },
    Endpoint {
        method: "get",
        path: "/api/v1/alerts/overdue",
        summary: "Alerts not closed and overdue, per department (a department sees its own).",
        access: Access::Inside,
        params: &[PERIOD],
        body: None,
        ok: (200, "Overdue"),
    },
    Endpoint {
        method: "get",
        path: "/api/v1/keys",
        summary: "Every API key, without secrets.",
        access: Access::Admin,
        params: &[],
        body: None,
        ok: (200, "Keys"),
    },
    Endpoint {
        method: "post",
        path: "/api/v1/keys",
        summary: "Issue a key; the answer is the only place its secret is shown.",
        access: Access::Admin,
        params: &[],
        body: Some("NewKey"),
        ok: (201, "IssuedKey"),
    },
    Endpoint {
        method: "delete",
        path: "/api/v1/keys/{id}",
        summary: "Revoke a key at once.",
        access: Access::Admin,
        params: &[("id", "path", true, "The key's public id.")],
        body: None,
        ok: (200, "Revoked"),
    },
    Endpoint {
        method: "get",
        path: "/api/v1/access-log",
        summary: "The newest entries of the append-only access log, oldest first.",
        access: Access::Admin,
        params: &[
            (
                "after",
                "query",
                false,
                "Only entries after this sequence number.",
            ),
            ("key", "query", false, "Only this key's entries."),
            ("outcome", "query", false, "Only entries with this outcome."),
            (
                "limit",
                "query",
                false,
                "At most this many (default 100, at most 1000).",
            ),
        ],
        body: None,
        ok: (200, "AccessLog"),
    },
];

fn error_response(description: &str) -> Value {
    json!({"description": description,
           "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn operation(e: &Endpoint) -> Value {
    let params: Vec<Value> = e
        .params
        .iter()
        .map(|(name, at, required, description)| {
            json!({"name": name, "in": at, "required": required, "description": description,
                   "schema": {"type": "string", "maxLength": 256}})
        })
        .collect();
    let mut responses = Map::new();
    let ok = json!({"description": "OK", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{}", e.ok.1)}}}});
    responses.insert(e.ok.0.to_string(), ok);
    responses.insert(
        "400".into(),
        error_response("A parameter or body that cannot be used."),
    );
    if e.access != Access::Open {
        responses.insert(
            "401".into(),
            error_response("No key, a key that is not valid, or a revoked key."),
        );
        responses.insert(
            "429".into(),
            error_response("Too many failed authentications from this client."),
        );
    }
    if !matches!(e.access, Access::Open | Access::AnyKey) {
        responses.insert(
            "403".into(),
            error_response("The key's role or department may not do this."),
        );
    }
    responses.insert(
        "404".into(),
        error_response("Nothing stored under this name."),
    );
    if e.body.is_some() {
        responses.insert(
            "413".into(),
            error_response("The body, or the batch, is too large."),
        );
    }
    if e.path.contains("/alerts/{enterprise}/") {
        responses.insert("409".into(), error_response("The alert is closed already."));
    }
    responses.insert(
        "414".into(),
        error_response("The request target is too long."),
    );
    let mut op = json!({
        "summary": e.summary,
        "description": e.access.describe(),
        "operationId": format!("{}{}", e.method, e.path.replace(['/', '{', '}', '-', '.'], "_")),
        "parameters": params,
        "responses": responses,
    });
    op["security"] = if e.access == Access::Open {
        json!([])
    } else {
        json!([{"apiKey": []}])
    };
    if let Some(body) = e.body {
        op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{body}")}}}});
    }
    op
}

fn schemas() -> Value {
    let obj = |description: &str| json!({"type": "object", "description": description});
    json!({
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string", "enum": ["no_key", "bad_key", "revoked_key", "rate_limited", "forbidden", "not_found", "bad_request", "too_large", "target_too_long", "refused", "error"]},
            "message": {"type": "string"}}}}},
        "Batch": {"type": "object", "required": ["ids"], "additionalProperties": false, "properties": {
            "ids": {"type": "array", "items": {"type": "string"}, "maxItems": 1000, "description": "enterprise ids or credit codes"},
            "period": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}}},
        "Step": {"type": "object", "additionalProperties": false, "properties": {
            "period": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
            "assignee": {"type": "string"},
            "action": {"type": "string"},
            "finding": {"type": "string", "enum": ["no_problem", "problem", "not_reachable", "refused"]},
            "date": {"type": "string", "format": "date"},
            "note": {"type": "string"}}},
        "NewKey": {"type": "object", "required": ["role"], "additionalProperties": false, "properties": {
            "role": {"type": "string", "enum": ["public", "department", "analyst", "admin"]},
            "department": {"type": "string"},
            "note": {"type": "string"}}},
        "Enterprise": {"type": "object", "required": ["id", "period", "class", "class_name", "labels"], "properties": {
            "id": {"type": "string"}, "period": {"type": "string"},
            "name": {"type": ["string", "null"]}, "credit_code": {"type": ["string", "null"]},
            "class": {"type": ["string", "null"]}, "class_name": {"type": ["string", "null"]},
            "labels": {"type": "array", "items": {"type": "string"}},
            "score": {"type": "number", "description": "department, analyst, admin"},
            "reasons": {"type": "array", "items": {"type": "string"}, "description": "department, analyst, admin"},
            "alerts": {"type": "array", "items": {"type": "string"}, "description": "a department sees only its own"},
            "rules": {"type": "array", "items": {"type": "string"}, "description": "analyst, admin"},
            "history": {"type": "array", "items": {"type": "object"}, "description": "analyst, admin"}}},
        "BatchResult": {"type": "object", "properties": {"period": {"type": "string"},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/Enterprise"}},
            "missing": {"type": "array", "items": {"type": "string"}}}},
        "Health": obj("status, schema_version, periods"),
        "Document": obj("this OpenAPI document"),
        "PublicInspections": obj("schema, total, inspections: enterprise, name, credit_code, task, plan, department, date, result, problem_found, disposal"),
        "Periods": obj("periods: period, as_of, version_id, enterprises, graded, errors, classes (class, class_name, count, share)"),
        "PeriodSummary": obj("a period with labels given and alerts per department"),
        "Migration": obj("from, to, classes, matrix[i][j] (class i before, j after), entered, left, moved; movers and score_psi for analysts"),
        "Queue": obj("department, period, topics, counts by status and overdue, total, items: enterprise, class, topics, labels, overdue, handling"),
        "Handling": obj("period, enterprise, department, handling: status, assignee, timestamps, disposition"),
        "Overdue": obj("period, overdue_after_days, departments: department, alerts, not_closed, overdue"),
        "Keys": obj("keys: id, role, department, note, created_at, created_by, revoked_at"),
        "IssuedKey": obj("id, key (shown once), role, department"),
        "Revoked": obj("id, revoked"),
        "AccessLog": obj("entries: seq, at_ms, key, role, department, client, method, target, status, outcome"),
    })
}

/// The OpenAPI document.
pub(crate) fn build() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for e in ENDPOINTS {
        let item = paths.entry(e.path).or_insert_with(|| json!({}));
        item[e.method] = operation(e);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "riskgrade results service",
            "version": "1",
            "description": "Shared classification results, departments' alert queues and their handling, and published inspection results, over a riskgrade history store. Errors are JSON: {\"error\": {\"code\", \"message\"}}.",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer", "description": "A key issued by `riskgrade keys add`: `Authorization: Bearer rgk_<id>_<secret>`."}},
            "schemas": schemas(),
        },
    })
}

/// `GET /api/v1/openapi.json`
pub(crate) async fn document() -> Json<Value> {
    Json(build())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn the_document_and_the_router_have_the_same_routes() {
        let documented: BTreeSet<(&str, &str)> =
            ENDPOINTS.iter().map(|e| (e.method, e.path)).collect();
        let routed: BTreeSet<(&str, &str)> = crate::routes::routes().into_iter().collect();
        assert_eq!(documented, routed);
        assert_eq!(
            documented.len(),
            ENDPOINTS.len(),
            "an endpoint is documented twice"
        );
    }

    #[test]
    fn every_operation_names_its_path_parameters_and_schemas() {
        let doc = build();
        let schemas = doc["components"]["schemas"].as_object().map(|s| s.len());
        assert!(schemas.is_some_and(|n| n > 10));
        for e in ENDPOINTS {
            let op = &doc["paths"][e.path][e.method];
            assert!(op.is_object(), "{} {}", e.method, e.path);
            let named: BTreeSet<String> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .filter_map(|p| p["name"].as_str().map(|s| format!("{{{s}}}")))
                .collect();
            let in_path: BTreeSet<String> = e
                .path
                .split('/')
                .filter(|s| s.starts_with('{'))
                .map(str::to_string)
                .collect();
            assert_eq!(named, in_path, "{} {}", e.method, e.path);
            let text = op.to_string();
            for r in text.split("#/components/schemas/").skip(1) {
                let name = r.split('"').next().unwrap_or_default();
                assert!(doc["components"]["schemas"][name].is_object(), "{name}");
            }
        }
    }
}
