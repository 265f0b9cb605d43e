//! The inspections page: each stored draw with its tasks and detection rate
//! per class, and each plan's year with its yearly minimums.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use riskgrade::store::Store;
use riskgrade::{evaluate_draw, year_view};

use super::{Signed, error_page, page};
use crate::error::ApiError;
use crate::state::AppState;

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_string(), |r| format!("{:.1}%", r * 100.0))
}

/// `GET /dashboard/inspections`
pub(crate) async fn inspections(State(state): State<AppState>, signed: Signed) -> Response {
    match state.read(|store, _| body(store)).await {
        Ok(b) => page("双随机抽查 Inspections", Some(&signed), b),
        Err(e) => error_page(&e),
    }
}

fn body(store: &Store) -> Result<Markup, ApiError> {
    let draws = store.draws()?;
    let mut years = BTreeSet::new();
    let mut rows = Vec::new();
    for d in draws.iter().rev().take(24) {
        let closed = store
            .tasks(d.id)?
            .iter()
            .filter(|t| t.outcome.is_some())
            .count();
        let eval = if closed > 0 {
            Some(evaluate_draw(store, d.id, false)?)
        } else {
            None
        };
        rows.push((d, closed, eval));
    }
    for d in &draws {
        years.insert((d.plan_id.clone(), d.drawn_on.ymd().0));
    }
    let mut views = Vec::new();
    for (plan, year) in years.iter().rev().take(4) {
        if let Ok(v) = year_view(store, *year, plan) {
            views.push(v);
        }
    }
    Ok(html! {
        h2 { "抽查 Draws" }
        table {
            tr { th { "draw" } th { "period" } th { "plan" } th { "date" } th { "tasks" } th { "closed" } th { "detection rate per class" } th { "AUC" } }
            @for (d, closed, eval) in &rows {
                tr {
                    td { (d.id) } td { (d.period.to_string()) } td { (d.plan_id) } td { (d.drawn_on.to_string()) }
                    td { (d.tasks) } td { (closed) }
                    td { @if let Some(e) = eval { @for c in &e.classes { (c.class) " " (pct(c.detection_rate)) " (" (c.problems) "/" (c.inspected) ")" br; } } }
                    td { (eval.as_ref().and_then(|e| e.auc).map_or_else(|| "—".to_string(), |a| format!("{a:.3}"))) }
                }
            }
        }
        @for v in &views {
            h2 { "年度 " (v.year) " · " (v.plan_id) " · " (v.draws) " draw(s)" }
            table {
                tr { th { "class" } th { "enterprises" } th { "inspected at least once" } th { "inspections per enterprise" } th { "yearly minimum" } th { "below the minimum" } th { "problems / closed" } }
                @for c in &v.classes {
                    tr {
                        td { (c.class) } td { (c.enterprises) } td { (c.inspected) }
                        td { (format!("{:.3}", c.per_enterprise())) }
                        td { (c.min_per_year.map_or_else(|| "—".to_string(), |m| format!("{m}"))) }
                        td { (c.missed_total()) }
                        td { (c.problems) " / " (c.closed) }
                    }
                }
            }
            @if let Some(r) = v.uniform.reduction() {
                p { "inspections saved against uniform sampling for as many problems: " (pct(Some(r))) }
            }
        }
    })
}
