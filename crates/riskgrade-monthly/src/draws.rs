//! Commit → seed → draw → verify, from a stored period: the commitment to a draw's inputs is
//! stored (and published) before the seed exists; the draw under it refuses inputs that differ;
//! verification re-draws and checks both the commitment and the tasks.

use riskgrade_core::{Date, Month};
use riskgrade_inspect::{
    CandidateList, Commitment, Digests, Draw, DrawInput, Inspector, Plan, commit,
};
use riskgrade_store::{CommitmentRow, NewDraw, Store, TaskRow};

use crate::{InspectionError, candidates, inspection_history};

/// Computes the commitment to a draw of `period` by `plan` from `pool` on `date`, from the
/// stored period and history, and stores it; returns its number, the commitment and the
/// candidate list it covers (to publish before the seed).
///
/// # Errors
/// A period that is not stored, a plan or candidates the draw would refuse, or store errors.
pub fn commit_period(
    store: &mut Store,
    period: Month,
    plan: &Plan,
    pool: &[Inspector],
    date: Date,
    actor: &str,
) -> Result<(i64, Commitment, CandidateList), InspectionError> {
    let candidates = candidates(store, period)?;
    let history = inspection_history(store, date, period)?;
    let (c, list) = commit(plan, &candidates, pool, &history, date)?;
    let id = store.record_commitment(
        &CommitmentRow {
            id: 0,
            period,
            drawn_on: date,
            plan_id: plan.id().to_string(),
            plan: plan_json(plan),
            plan_digest: c.digests.plan.clone(),
            candidates_digest: c.digests.candidates.clone(),
            pool_digest: c.digests.pool.clone(),
            history_digest: c.digests.history.clone(),
            digest: c.digest.clone(),
            committed_at: 0,
            draw: None,
        },
        actor,
    )?;
    Ok((id, c, list))
}

/// The plan's canonical JSON, as digested and stored.
fn plan_json(plan: &Plan) -> String {
    // A plan is plain data (strings, numbers, maps): serialising it cannot fail.
    serde_json::to_string(plan).unwrap_or_default()
}

/// The commitment as stored.
fn stored_commitment(row: &CommitmentRow) -> Commitment {
    Commitment {
        plan_id: row.plan_id.clone(),
        date: row.drawn_on,
        digests: Digests {
            plan: row.plan_digest.clone(),
            candidates: row.candidates_digest.clone(),
            pool: row.pool_digest.clone(),
            history: row.history_digest.clone(),
        },
        digest: row.digest.clone(),
    }
}

/// Draws under stored commitment `commitment` with the `seed` published after it: the plan,
/// period and date are the commitment's; the period's candidates, the history and `pool` must
/// have the digests it fixed, or the draw is refused and nothing is stored. A commitment is
/// drawn once.
///
/// # Errors
/// No such commitment, one drawn already, inputs that differ from it, an infeasible pool, or
/// store errors.
pub fn draw_committed(
    store: &mut Store,
    commitment: i64,
    pool: &[Inspector],
    seed: &str,
    actor: &str,
) -> Result<(i64, Draw), InspectionError> {
    let row = store.commitment(commitment)?;
    if let Some(draw) = row.draw {
        return Err(riskgrade_store::StoreError::from(
            riskgrade_store::InvalidRequest::CommitmentUsed { commitment, draw },
        )
        .into());
    }
    let plan: Plan = serde_json::from_str(&row.plan)
        .map_err(|source| InspectionError::CommitmentPlan { commitment, source })?;
    let published = stored_commitment(&row);
    let d = draw_inputs(
        store,
        row.period,
        &plan,
        pool,
        seed,
        row.drawn_on,
        Some(&published),
    )?;
    let id = store.record_committed_draw(&new_draw(row.period, &plan, &d), commitment, actor)?;
    Ok((id, d))
}

/// Draws from the graded enterprises of `period` by `plan`, on `date`, with the published
/// `seed`, without a commitment, and records the draw and its tasks; returns the draw's number
/// and the draw. A draw that cannot be made (an infeasible pool) records nothing. Prefer
/// [`commit_period`] then [`draw_committed`]: only they show that the inputs were fixed before
/// the seed.
///
/// # Errors
/// See [`InspectionError`].
pub fn draw_period(
    store: &mut Store,
    period: Month,
    plan: &Plan,
    pool: &[Inspector],
    seed: &str,
    date: Date,
    actor: &str,
) -> Result<(i64, Draw), InspectionError> {
    let d = draw_inputs(store, period, plan, pool, seed, date, None)?;
    let id = store.record_draw(&new_draw(period, plan, &d), actor)?;
    Ok((id, d))
}

fn draw_inputs(
    store: &Store,
    period: Month,
    plan: &Plan,
    pool: &[Inspector],
    seed: &str,
    date: Date,
    commitment: Option<&Commitment>,
) -> Result<Draw, InspectionError> {
    let candidates = candidates(store, period)?;
    let history = inspection_history(store, date, period)?;
    Ok(riskgrade_inspect::draw(&DrawInput {
        plan,
        candidates: &candidates,
        pool,
        history: &history,
        date,
        seed,
        commitment,
    })?)
}

fn new_draw(period: Month, plan: &Plan, d: &Draw) -> NewDraw {
    let digests = d.digests();
    NewDraw {
        period,
        drawn_on: d.date,
        plan_id: plan.id().to_string(),
        plan_digest: digests.plan.clone(),
        plan: plan_json(plan),
        seed: d.seed.clone(),
        candidates_digest: digests.candidates.clone(),
        pool_digest: digests.pool.clone(),
        history_digest: digests.history.clone(),
        tasks: d
            .tasks
            .iter()
            .map(|t| TaskRow {
                number: t.number,
                enterprise: t.enterprise.clone(),
                class: t.class.clone(),
                stratum: t.stratum.clone(),
                why: t.why.text(&t.class, &t.stratum),
                inspectors: t.inspectors.clone(),
            })
            .collect(),
    }
}

/// A task whose enterprise or inspectors differ when re-drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDifference {
    /// The task number.
    pub number: u32,
    /// The stored enterprise and inspectors (`;`-separated); empty when there is no such task.
    pub stored: (String, String),
    /// The re-drawn enterprise and inspectors; empty when there is no such task.
    pub again: (String, String),
}

/// What re-drawing a stored draw found.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Verification {
    /// The draw.
    pub draw: i64,
    /// The commitment it was made under: (number, digest), if any.
    pub commitment: Option<(i64, String)>,
    /// Inputs whose digests now differ from the stored draw's (or its commitment's):
    /// (`plan`, `candidates`, `pool`, `history`, `commitment`), with the stored and current
    /// digests.
    pub inputs: Vec<(&'static str, String, String)>,
    /// Tasks stored.
    pub stored_tasks: usize,
    /// Tasks drawn again.
    pub tasks_again: usize,
    /// Tasks whose enterprise differs.
    pub enterprises_differ: usize,
    /// Tasks with the same enterprise whose inspectors differ.
    pub inspectors_differ: usize,
    /// Every differing task, in number order.
    pub differences: Vec<TaskDifference>,
}

impl Verification {
    /// Whether the draw re-draws the same from the same inputs.
    pub fn is_identical(&self) -> bool {
        self.inputs.is_empty() && self.differences.is_empty()
    }
}

/// Re-draws a stored draw from its stored plan, the stored period, the history and `pool`, and
/// checks the inputs against the draw's digests and its commitment, then the tasks ("one
/// public": anyone holding the inputs can check a draw).
///
/// # Errors
/// A draw that is not stored, a plan that no longer loads, or store errors.
pub fn verify_draw(
    store: &Store,
    draw: i64,
    pool: &[Inspector],
) -> Result<Verification, InspectionError> {
    let info = store.draw(draw)?;
    let plan: Plan = serde_json::from_str(&info.plan)
        .map_err(|source| InspectionError::StoredPlan { draw, source })?;
    let again = draw_inputs(
        store,
        info.period,
        &plan,
        pool,
        &info.seed,
        info.drawn_on,
        None,
    )?;
    let now = again.digests();
    let mut inputs = Vec::new();
    for (what, stored, current) in [
        ("plan", &info.plan_digest, &now.plan),
        ("candidates", &info.candidates_digest, &now.candidates),
        ("pool", &info.pool_digest, &now.pool),
        ("history", &info.history_digest, &now.history),
    ] {
        if stored != current {
            inputs.push((what, stored.clone(), current.clone()));
        }
    }
    let committed = store.commitment_of_draw(draw)?;
    if let Some(c) = &committed
        && c.digest != again.commitment.digest
    {
        inputs.push((
            "commitment",
            c.digest.clone(),
            again.commitment.digest.clone(),
        ));
    }
    let stored = store.tasks(draw)?;
    let mut v = Verification {
        draw,
        commitment: committed.map(|c| (c.id, c.digest)),
        inputs,
        stored_tasks: stored.len(),
        tasks_again: again.tasks.len(),
        enterprises_differ: 0,
        inspectors_differ: 0,
        differences: Vec::new(),
    };
    let n = stored.len().max(again.tasks.len());
    for i in 0..n {
        let s = stored
            .get(i)
            .map(|s| (s.task.enterprise.clone(), s.task.inspectors.join(";")))
            .unwrap_or_default();
        let a = again
            .tasks
            .get(i)
            .map(|t| (t.enterprise.clone(), t.inspectors.join(";")))
            .unwrap_or_default();
        if s != a {
            if s.0 == a.0 {
                v.inspectors_differ += 1;
            } else {
                v.enterprises_differ += 1;
            }
            v.differences.push(TaskDifference {
                number: u32::try_from(i + 1).unwrap_or(u32::MAX),
                stored: s,
                again: a,
            });
        }
    }
    Ok(v)
}
