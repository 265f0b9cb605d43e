//! The dashboard's pages: the month, an enterprise, a department's queue and
//! the disposition form. Every text from data or rule authors goes through
//! maud's escaping.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use riskgrade::store::{AlertRef, AlertStatus, Disposition, RunInfo, Store};
use riskgrade::{Date, InspectionResult, Month};
use serde::Deserialize;

use super::session::same;
use super::{Signed, encode, error_page, page, refusal, svg};
use crate::api::{Params, Segments, split};
use crate::error::ApiError;
use crate::state::AppState;

/// Query of a page: the period.
#[derive(Deserialize)]
pub(crate) struct PageQuery {
    period: Option<String>,
}

fn period_of(q: &PageQuery) -> Result<Option<Month>, ApiError> {
    crate::api::period("period", q.period.as_deref())
}

/// `GET /dashboard`: the month — classes, their trend, the migration from the
/// period before, PSI and the movers with their reasons.
pub(crate) async fn month(
    State(state): State<AppState>,
    signed: Signed,
    Params(q): Params<PageQuery>,
) -> Response {
    let p = match period_of(&q) {
        Ok(p) => p,
        Err(e) => return error_page(&e),
    };
    let body = state
        .read(move |store, st| {
            let run = st.run(store, p)?;
            let runs = st.runs(store)?;
            let before = runs.iter().rev().find(|r| r.period < run.period).cloned();
            let comparison = before
                .as_ref()
                .map(|b| st.comparison(store, b, &run))
                .transpose()?;
            Ok(month_body(st, &run, &runs, comparison.as_deref()))
        })
        .await;
    match body {
        Ok((title, b)) => page(&title, Some(&signed), b),
        Err(e) => error_page(&e),
    }
}

fn month_body(
    st: &AppState,
    run: &RunInfo,
    runs: &[RunInfo],
    c: Option<&riskgrade::PeriodComparison>,
) -> (String, Markup) {
    let named = |k: &str| {
        st.class_name(k)
            .map_or_else(|| k.to_string(), |n| format!("{k} {n}"))
    };
    let dist: Vec<(String, u64)> = run
        .classes
        .iter()
        .map(|k| named(k))
        .zip(run.class_counts.iter().copied())
        .collect();
    let xs: Vec<String> = runs.iter().map(|r| r.period.to_string()).collect();
    let series: Vec<(String, Vec<f64>)> = run
        .classes
        .iter()
        .map(|k| {
            let shares = runs
                .iter()
                .map(|r| {
                    let total: u64 = r.class_counts.iter().sum();
                    let n = r
                        .classes
                        .iter()
                        .position(|x| x == k)
                        .map_or(0, |i| r.class_counts[i]);
                    if total == 0 {
                        0.0
                    } else {
                        n as f64 / total as f64
                    }
                })
                .collect();
            (k.clone(), shares)
        })
        .collect();
    let title = format!("{} 月度分类 Classes of {}", run.period, run.period);
    let body = html! {
        p { (run.enterprises) " enterprises, " (run.graded) " graded, as of " (run.as_of.to_string()) ", model " (run.version_id) }
        h2 { "分类分布 Class distribution" }
        (svg::bars("class distribution", &dist))
        h2 { "趋势 Shares over periods" }
        (svg::lines("class shares over periods", &xs, &series))
        @if let Some(c) = c {
            h2 { "迁移矩阵 Migration from " (c.from.period.to_string()) }
            table {
                tr { th { "from \\ to" } @for k in &c.classes { th { (k) } } }
                @for (i, row) in c.matrix.iter().enumerate() {
                    tr { th { (c.classes[i]) } @for n in row { td { (n) } } }
                }
            }
            p { "entered " (c.entered) ", left " (c.left) ", moved " (c.movers.len()) }
            @for s in &c.score_psi {
                p { "PSI of the score (" (s.model) "): " (format!("{:.3}", s.psi)) " " (s.band()) }
            }
            h2 { "变动 Movers" }
            table {
                tr { th { "enterprise" } th { "from" } th { "to" } th { "why" } }
                @for m in c.movers.iter().take(30) {
                    tr {
                        td { a href=(format!("/dashboard/enterprises/{}", encode(&m.id))) { (m.id) } }
                        td { (m.from) } td { (m.to) }
                        td { @for (_, r) in &m.reasons { (r) br; } }
                    }
                }
            }
        }
    };
    (title, body)
}

/// `GET /dashboard/enterprises/{id}`: its class over the periods and why.
pub(crate) async fn enterprise(
    State(state): State<AppState>,
    signed: Signed,
    Segments(id): Segments<String>,
) -> Response {
    let body = state
        .read(move |store, st| {
            let latest = st.run(store, None)?;
            let row = store
                .result(latest.period, &id)?
                .ok_or_else(|| ApiError::NotFound {
                    what: "enterprise",
                    name: id.clone(),
                })?;
            Ok((enterprise_body(store, &latest, &row)?, id))
        })
        .await;
    match body {
        Ok((b, id)) => page(&format!("企业 Enterprise {id}"), Some(&signed), b),
        Err(e) => error_page(&e),
    }
}

fn enterprise_body(
    store: &Store,
    latest: &RunInfo,
    row: &riskgrade::store::ResultRow,
) -> Result<Markup, ApiError> {
    let history = store.history(&row.id)?;
    let xs: Vec<String> = history.iter().map(|h| h.period.to_string()).collect();
    let at: Vec<Option<usize>> = history
        .iter()
        .map(|h| {
            h.result
                .as_ref()
                .and_then(|r| r.class.as_ref())
                .and_then(|c| latest.classes.iter().position(|k| k == c))
        })
        .collect();
    let names = store.directory(&[row.id.as_str()])?;
    Ok(html! {
        @if let Some((name, code)) = names.get(&row.id) { p { (name) " " (code) } }
        p { "class " strong { (row.class.as_deref().unwrap_or("—")) } " in " (latest.period.to_string())
            @if let Some(s) = row.score { ", score " (format!("{s:.1}")) } }
        (svg::class_steps("class over periods", &xs, &latest.classes, &at))
        h2 { "原因 Reasons" }
        ul { @for r in split(&row.reasons) { li { (r) } } }
        h2 { "标识 Labels" }
        ul { @for l in &row.labels { li { (l) } } }
        h2 { "预警 Alerts" }
        ul { @for a in &row.alerts { li { (a) } } }
        h2 { "历史 History" }
        table {
            tr { th { "period" } th { "class" } th { "why it changed" } }
            @for h in &history {
                tr {
                    td { (h.period.to_string()) }
                    td { (h.result.as_ref().and_then(|r| r.class.as_deref()).unwrap_or("—")) }
                    td { @for c in &h.changes { (c.detail) br; } }
                }
            }
        }
    })
}

/// `GET /dashboard/departments/{department}/alerts`: the queue, with a
/// disposition form on each open alert for the department itself.
pub(crate) async fn queue(
    State(state): State<AppState>,
    signed: Signed,
    Segments(department): Segments<String>,
    Params(q): Params<PageQuery>,
) -> Response {
    let own = signed.caller.department.as_deref() == Some(department.as_str());
    if !own && !signed.caller.reads_all() {
        return refusal(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this key may not read this department's queue",
        );
    }
    let p = match period_of(&q) {
        Ok(p) => p,
        Err(e) => return error_page(&e),
    };
    let csrf = signed.session.csrf.clone();
    let dept = department.clone();
    let body = state
        .read(move |store, st| {
            let run = st.run(store, p)?;
            let queues = st.queues(store, &run)?;
            let states = store.alert_states(run.period, Some(&dept))?;
            let items = queues.departments.iter().find(|d| d.department == dept).map(|d| d.items.clone()).unwrap_or_default();
            Ok(html! {
                p { (run.period.to_string()) ": " (items.len()) " alert(s)" }
                table {
                    tr { th { "enterprise" } th { "class" } th { "topics" } th { "labels" } th { "status" } th { "disposition" } }
                    @for i in items.iter().take(200) {
                        @let s = states.get(&(i.id.clone(), dept.clone()));
                        @let status = s.map_or(AlertStatus::Open, |s| s.status);
                        tr {
                            td { a href=(format!("/dashboard/enterprises/{}", encode(&i.id))) { (i.id) } }
                            td { (i.class.as_deref().unwrap_or("—")) }
                            td { (i.topics.join(", ")) }
                            td { (i.labels.join(", ")) }
                            td { (status.name()) }
                            td {
                                @if let Some(d) = s.and_then(|s| s.disposition.as_ref()) {
                                    (d.action) " · " (d.finding.map_or("no finding", InspectionResult::name)) " · " (d.date.to_string()) " · " (d.note)
                                } @else if own {
                                    form method="post" action=(format!("/dashboard/departments/{}/alerts/{}/close", encode(&dept), encode(&i.id))) {
                                        input type="hidden" name="csrf" value=(csrf);
                                        input type="hidden" name="period" value=(run.period.to_string());
                                        input name="action" placeholder="action 处置措施" required;
                                        select name="finding" {
                                            option value="" { "no finding" }
                                            @for r in InspectionResult::ALL { option value=(r.name()) { (r.name()) } }
                                        }
                                        input type="date" name="date" required;
                                        input name="note" placeholder="note";
                                        button { "close 办结" }
                                    }
                                }
                            }
                        }
                    }
                }
            })
        })
        .await;
    match body {
        Ok(b) => page(&format!("预警处置 Queue of {department}"), Some(&signed), b),
        Err(e) => error_page(&e),
    }
}

/// The disposition form.
#[derive(Deserialize)]
pub(crate) struct CloseForm {
    #[serde(default)]
    csrf: String,
    period: String,
    action: String,
    #[serde(default)]
    finding: String,
    date: String,
    #[serde(default)]
    note: String,
}

/// `POST /dashboard/departments/{department}/alerts/{enterprise}/close`
pub(crate) async fn close(
    State(state): State<AppState>,
    signed: Signed,
    Segments((department, enterprise)): Segments<(String, String)>,
    Form(f): Form<CloseForm>,
) -> Response {
    if !same(&f.csrf, &signed.session.csrf) {
        return refusal(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this form is not from this session",
        );
    }
    if signed.caller.department.as_deref() != Some(department.as_str()) {
        return refusal(
            StatusCode::FORBIDDEN,
            "forbidden",
            "only the department acts on its alerts",
        );
    }
    let parsed = (|| -> Result<(AlertRef, Disposition), ApiError> {
        let period: Month = f
            .period
            .parse()
            .map_err(|e: riskgrade::MonthError| ApiError::bad("period", e.to_string()))?;
        let date: Date = f
            .date
            .parse()
            .map_err(|e: riskgrade::DateError| ApiError::bad("date", e.to_string()))?;
        let finding = match f.finding.as_str() {
            "" => None,
            x => Some(
                x.parse::<InspectionResult>()
                    .map_err(|_| ApiError::bad("finding", format!("unknown finding `{x}`")))?,
            ),
        };
        if f.action.trim().is_empty() {
            return Err(ApiError::bad(
                "action",
                "a disposition names the action taken",
            ));
        }
        let alert = AlertRef {
            period,
            enterprise: enterprise.clone(),
            department: department.clone(),
        };
        Ok((
            alert,
            Disposition {
                action: f.action.clone(),
                finding,
                date,
                note: f.note.clone(),
            },
        ))
    })();
    let (alert, disposition) = match parsed {
        Ok(x) => x,
        Err(e) => return error_page(&e),
    };
    let actor = format!("key {}", signed.caller.key.as_deref().unwrap_or("?"));
    match state
        .write(move |store| Ok(store.close_alert(&alert, &disposition, &actor)?))
        .await
    {
        Ok(_) => {
            let to = format!("/dashboard/departments/{}/alerts", encode(&department));
            let mut r = StatusCode::SEE_OTHER.into_response();
            if let Ok(v) = to.parse() {
                r.headers_mut().insert(axum::http::header::LOCATION, v);
            }
            r
        }
        Err(e) => error_page(&e),
    }
}
