//! Publication (一公开): the results of closed inspections in the public
//! schema of the inspections' `publish` ([`riskgrade::publish_draw`],
//! `riskgrade.public-inspections/1`), for anyone, without a key: enterprise,
//! name, credit code, task, department, date, result and disposal. Classes and
//! inspectors are never added here; scores, reasons and strata are not in the
//! schema. A draw whose candidate list changed since it was drawn (its period
//! was graded again) cannot be published as drawn: it is listed as
//! unavailable, without the details, which go to the server's log.

use axum::Json;
use axum::extract::State;
use riskgrade::{PUBLIC_SCHEMA, PublicRow};
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
        .read(move |store, st| {
            let mut rows = Vec::new();
            let mut unavailable = Vec::new();
            for draw in store.draws()? {
                if p.is_some_and(|p| p != draw.period) {
                    continue;
                }
                match st.publication(store, draw.id)? {
                    Some(r) => rows.extend(r.iter().cloned()),
                    None => unavailable.push(draw.id),
                }
            }
            let total = rows.len();
            let page: Vec<PublicRow> = rows.into_iter().skip(offset).take(limit).collect();
            Ok(Json(json!({
                "schema": PUBLIC_SCHEMA,
                "total": total,
                "inspections": page,
                "unavailable_draws": unavailable,
            })))
        })
        .await
}
