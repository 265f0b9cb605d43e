//! Publication (一公开): the results of closed inspections, with public
//! fields only, for anyone, without a key.
//!
//! The public schema of published inspection results is defined with the
//! `publish` command of the inspections; until the store holds the fields it
//! adds (enterprise name, credit code, department), this endpoint serves the
//! closed tasks' public fields that the store has and leaves those `null`.
//! Scores, classes, reasons, strata, inspectors, severities and notes are
//! internal and never served here.

use axum::Json;
use axum::extract::State;
use riskgrade::InspectionResult;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Params, period};
use crate::error::ApiError;
use crate::state::AppState;

/// Query of the published results.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PublicQuery {
    period: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

/// `GET /api/v1/public/inspections?period=`
pub(crate) async fn inspections(
    State(state): State<AppState>,
    Params(q): Params<PublicQuery>,
) -> Result<Json<Value>, ApiError> {
    let p = period("period", q.period.as_deref())?;
    let (limit, offset) = (q.limit.unwrap_or(100).min(1000), q.offset.unwrap_or(0));
    state
        .read(move |store, _| {
            let mut rows = Vec::new();
            for draw in store.draws()? {
                if p.is_some_and(|p| p != draw.period) {
                    continue;
                }
                for t in store.tasks(draw.id)? {
                    let Some((date, result, ..)) = t.outcome else {
                        continue;
                    };
                    rows.push(json!({
                        "enterprise": t.task.enterprise,
                        "name": null,
                        "credit_code": null,
                        "task": format!("draw {} task {}", draw.id, t.task.number),
                        "plan": draw.plan_id,
                        "department": null,
                        "date": date.to_string(),
                        "result": result.name(),
                        "problem_found": result.found_problem(),
                        "disposal": null,
                    }));
                }
            }
            let total = rows.len();
            let page: Vec<Value> = rows.into_iter().skip(offset).take(limit).collect();
            Ok(Json(json!({
                "schema": "riskgrade.public-inspections/0",
                "results": InspectionResult::ALL.map(InspectionResult::name),
                "total": total,
                "inspections": page,
            })))
        })
        .await
}
