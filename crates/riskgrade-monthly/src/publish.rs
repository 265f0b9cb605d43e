//! Publication (一公开): a draw's closed inspection results in the public schema
//! `riskgrade.public-inspections/1`, with what anyone needs to re-draw it: the plan, the
//! candidate list, the commitment and the seed.

use std::collections::HashMap;

use riskgrade_inspect::{Plan, commit};
use serde::Serialize;
use serde_json::{Value, json};

use crate::{InspectionError, candidates, inspection_history};
use riskgrade_store::Store;

/// The public schema's name.
pub const PUBLIC_SCHEMA: &str = "riskgrade.public-inspections/1";
/// The published draw file's schema.
pub const DRAW_SCHEMA: &str = "riskgrade.public-draw/1";

/// One published inspection result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicRow {
    /// Enterprise id.
    pub enterprise: String,
    /// Registered name (empty when not given).
    pub name: String,
    /// Unified social credit code (empty when not given).
    pub credit_code: String,
    /// The task: `<plan id> draw <draw> task <number>`.
    pub task: String,
    /// The department that inspected (the plan's).
    pub department: String,
    /// Inspection date.
    pub date: String,
    /// `problem`, `no_problem`, `not_reachable` or `refused`.
    pub result: String,
    /// What was done (the outcome's note); empty when nothing was recorded.
    pub disposal: String,
    /// The enterprise's class when drawn, only when configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// The inspectors (`;`-separated), only when configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inspectors: Option<String>,
}

/// What a publication shows beyond the public fields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PublishOptions {
    /// Add the class each enterprise had when drawn.
    pub with_class: bool,
    /// Add the inspectors' ids.
    pub with_inspectors: bool,
}

/// A draw's publication: the results, the draw file, and the plan and candidate list exactly
/// as digested (write them byte for byte).
#[derive(Debug, Clone, PartialEq)]
pub struct Publication {
    /// Closed tasks, in task order.
    pub rows: Vec<PublicRow>,
    /// `draw.json`: schema, plan id, period, date, seed, commitment and every task's number,
    /// enterprise and kind.
    pub draw: Value,
    /// `plan.json`: the plan's canonical JSON, whose SHA-256 is the plan digest.
    pub plan: String,
    /// `candidates.jsonl`: the candidate list, whose SHA-256 is the candidates digest.
    pub candidates: String,
}

impl Publication {
    /// The results as a JSON document: schema, draw summary and inspections.
    pub fn results_json(&self) -> Value {
        json!({
            "schema": PUBLIC_SCHEMA,
            "draw": self.draw,
            "inspections": self.rows,
        })
    }
}

/// The publication of draw `draw`: its closed results with public fields (names and credit
/// codes from `names`, by enterprise id, else from the store's directory, which `run_month`
/// records from the profiles), and the files to re-draw it. The candidate list is
/// rebuilt from the store and must still have the digest stored with the draw.
///
/// # Errors
/// No such draw, a stored plan that no longer loads, a candidate list that changed since the
/// draw, or store errors.
pub fn publish_draw(
    store: &Store,
    draw: i64,
    names: &HashMap<String, (String, String)>,
    options: PublishOptions,
) -> Result<Publication, InspectionError> {
    let info = store.draw(draw)?;
    let plan: Plan = serde_json::from_str(&info.plan)
        .map_err(|source| InspectionError::StoredPlan { draw, source })?;
    let cands = candidates(store, info.period)?;
    let history = inspection_history(store, info.drawn_on, info.period)?;
    let (now, list) = commit(&plan, &cands, &[], &history, info.drawn_on)?;
    if now.digests.candidates != info.candidates_digest {
        return Err(InspectionError::CandidatesChanged {
            draw,
            stored: info.candidates_digest,
            now: now.digests.candidates,
        });
    }
    let commitment = store.commitment_of_draw(draw)?;
    let tasks = store.tasks(draw)?;
    let unnamed: Vec<&str> = tasks
        .iter()
        .filter(|t| t.outcome.is_some() && !names.contains_key(&t.task.enterprise))
        .map(|t| t.task.enterprise.as_str())
        .collect();
    let directory = store.directory(&unnamed)?;
    let mut rows = Vec::new();
    let mut listed = Vec::with_capacity(tasks.len());
    for t in &tasks {
        listed.push(json!({"number": t.task.number, "enterprise": t.task.enterprise, "kind": t.task.kind()}));
        let Some((date, result, _, note)) = &t.outcome else {
            continue;
        };
        let (name, code) = names
            .get(&t.task.enterprise)
            .or_else(|| directory.get(&t.task.enterprise))
            .cloned()
            .unwrap_or_default();
        rows.push(PublicRow {
            enterprise: t.task.enterprise.clone(),
            name,
            credit_code: code,
            task: format!("{} draw {draw} task {}", info.plan_id, t.task.number),
            department: plan.department().to_string(),
            date: date.to_string(),
            result: result.name().to_string(),
            disposal: note.clone().unwrap_or_default(),
            class: options.with_class.then(|| t.task.class.clone()),
            inspectors: options.with_inspectors.then(|| t.task.inspectors.join(";")),
        });
    }
    let digest = commitment.as_ref().map(|c| c.digest.clone());
    let draw_file = json!({
        "schema": DRAW_SCHEMA,
        "draw": draw,
        "plan_id": info.plan_id,
        "period": info.period.to_string(),
        "date": info.drawn_on.to_string(),
        "seed": info.seed,
        "commitment": {
            "number": commitment.as_ref().map(|c| c.id),
            "digest": digest,
            "plan": info.plan_digest,
            "candidates": info.candidates_digest,
            "pool": info.pool_digest,
            "history": info.history_digest,
        },
        "out_of_scope": list.out_of_scope,
        "tasks": listed,
    });
    Ok(Publication {
        rows,
        draw: draw_file,
        plan: info.plan,
        candidates: list.to_jsonl(),
    })
}
