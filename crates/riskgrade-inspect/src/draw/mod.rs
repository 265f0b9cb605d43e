//! The draw: which enterprises are inspected and by whom, in two independent stages keyed
//! separately, so that anyone holding the published files can re-draw ("one public"), and a
//! changed inspector pool changes only who inspects.
//!
//! 0. **Commitment, before the seed.** [`commit`] digests the inputs: SHA-256 (lowercase hex) of
//!    the plan's compact JSON ([`Plan::digest`]), of the candidate list's JSON Lines text (stage
//!    1), of the pool sorted by id and of the history (compact JSON, dates `YYYY-MM-DD`). The
//!    commitment's digest is SHA-256 of the UTF-8 text
//!    `riskgrade commitment 1\ndate D\nplan P\ncandidates C\npool L\nhistory H\n`. It is
//!    published before the seed exists; a draw given a commitment refuses inputs whose digests
//!    differ ([`DrawError::Commitment`]).
//! 1. **Candidate list** (no randomness): candidates sorted by id (duplicates are errors); those
//!    outside the plan's scope are left out and counted. For each other enterprise one
//!    [`crate::Entry`]: its class, its cell's stratum label (the plan's strata joined by ` / `, e.g.
//!    `district Haidian / industry C`, or `all`); `spared` when its last inspection is on or after
//!    the draw date less `inspected_within_months` calendar months, or when it has had the class's
//!    `max_per_year` tasks this calendar year; `eligible` = not spared and the class is not
//!    `full_coverage`; `owed` = ⌈per_year⌉ − tasks this calendar year (at least 0) for a class
//!    with a yearly minimum of one or more, or 1 for a minimum below one when it has had no task
//!    this year and no inspection since 1 January of the year ⌈1/per_year⌉ − 1 years back;
//!    `due` = owed > 0 and owed ≥ the draws left in the year including this one (a class with a
//!    minimum of one or more only; the draw's index k in the year is ⌊(month − 1) ×
//!    draws_per_year / 12⌋ + 1, draws left = draws_per_year − k + 1); `forced` = the first
//!    included alert topic (`alert complaints`), else the first included label (`label 重点监管`),
//!    unless the enterprise already had `forced.max_per_period` forced tasks this period or
//!    `forced.max_per_year` this year (then `capped` says so).
//! 2. **Enterprises** (keyed by the seed, the plan and the candidate list only). Each entry's
//!    ticket is SHA-256 of `seed ‖ "\n" ‖ plan digest ‖ "\n" ‖ candidates digest ‖ "\n" ‖ id`
//!    ([`ticket`]). Cells are taken in order of class, then stratum label (byte order). In a
//!    cell of N entries: a `full_coverage` class takes every entry (id order). Otherwise the
//!    quota is ⌈ratio × N⌉, computed as `ceil(ratio × N − 1e-9)` and at most N, with the class's
//!    effective ratio ([`Plan::effective_ratio`]: `ratio`, or `per_year / draws_per_year` capped
//!    at 1); the eligible entries are ordered by `owed` (most first), then ticket (byte order),
//!    and the first min(quota, eligible) are the random picks (shortfall = quota − picks). Then
//!    the `due` entries not picked (id order), then the `forced` entries neither picked nor due
//!    (id order). Forced tasks never consume the random quota: the random picks are drawn in full
//!    over every eligible entry, forced or not, so they stay a sample of the class.
//! 3. **Tasks** are numbered from 1 in that order.
//! 4. **Inspectors** (keyed by the seed, the tasks and the pool). A ChaCha20 stream keyed by
//!    SHA-256 of `seed ‖ "\n" ‖ tasks digest ‖ "\n" ‖ pool digest ‖ "\ninspectors"`, where the
//!    tasks digest is SHA-256 of the compact JSON list of `[number, enterprise]` pairs. Uniform
//!    integers in `[0, n)`: `r = next_u64()` (the next 8 bytes of the ChaCha20 keystream,
//!    little-endian, as `rand_chacha::ChaCha20Rng::from_seed(key)` gives them); if `r ≥ 2^64 −
//!    (2^64 mod n)` draw again, else `r mod n`. First the total check: the pool's capacity must
//!    cover tasks × `per_task`. An inspector may take a task unless they declared a conflict with
//!    the enterprise, were at its last inspection (`avoid_repeat`), or work in its district
//!    (`avoid_own_district`). The task order: a Fisher–Yates shuffle of the task numbers (for `i`
//!    in `0..k`, `j = i + uniform(k − i)`, swap), then a stable sort by the count of inspectors
//!    who may take the task (fewest first). For each task in turn, `per_task` times: of those
//!    who may take it, are under capacity and are not yet on it, take the ones with the fewest
//!    tasks so far (pool id order) and choose `uniform(count)` among them. Inspectors are listed
//!    per task in id order.
//!
//! A draw that cannot be completed is an error ([`DrawError::Infeasible`]); there is never a
//! partial draw.

mod assign;
pub(crate) mod lottery;

use assign::{assign, stream};
use lottery::{CandidateList, candidate_list, lottery};
use std::collections::BTreeMap;

use riskgrade_core::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::plan::{hex, sha256_json};
use crate::{Candidate, Plan, PlanError};

/// An inspector of the pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inspector {
    /// Inspector id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Department (market regulation, fire safety, ...).
    pub department: String,
    /// District the inspector works in.
    pub district: String,
    /// Most tasks this inspector can take in this draw.
    pub capacity: u32,
    /// Ids of enterprises the inspector declared a conflict of interest with.
    pub conflicts: Vec<String>,
}

/// The last inspection of an enterprise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastInspection {
    /// Its date (serialised as `YYYY-MM-DD`).
    pub date: Date,
    /// Ids of its inspectors.
    pub inspectors: Vec<String>,
}

/// One enterprise's tasks before a draw, counted from the stored draws.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Tasks drawn this calendar year (any reason).
    pub drawn: u32,
    /// Forced tasks (alerts, labels) this calendar year.
    pub forced: u32,
    /// Forced tasks in the same period (earlier draws of it).
    pub forced_in_period: u32,
}

/// Inspection history: the last inspection of each enterprise, and its tasks this year.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// Last inspection by enterprise id.
    pub last: BTreeMap<String, LastInspection>,
    /// Tasks this calendar year by enterprise id (enterprises with none are left out).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub year: BTreeMap<String, Tally>,
}

/// Everything a draw depends on.
#[derive(Debug, Clone, Copy)]
pub struct DrawInput<'a> {
    /// The sampling plan.
    pub plan: &'a Plan,
    /// The enterprises (a set: order does not matter).
    pub candidates: &'a [Candidate],
    /// The inspector pool (a set).
    pub pool: &'a [Inspector],
    /// Past inspections.
    pub history: &'a History,
    /// The draw date.
    pub date: Date,
    /// The published seed, e.g. `2026-11 Henan lottery 8e1f`.
    pub seed: &'a str,
    /// The commitment published before the seed: the draw refuses inputs that differ from it.
    pub commitment: Option<&'a Commitment>,
}

/// SHA-256 digests (lowercase hex) of the inputs, published with the draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digests {
    /// Of the plan's canonical JSON.
    pub plan: String,
    /// Of the candidate list's JSON Lines text.
    pub candidates: String,
    /// Of the pool sorted by id.
    pub pool: String,
    /// Of the history.
    pub history: String,
}

/// The inputs of a draw fixed before its seed exists (module docs, step 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commitment {
    /// The plan's id.
    pub plan_id: String,
    /// The draw date.
    pub date: Date,
    /// The inputs' digests.
    pub digests: Digests,
    /// SHA-256 of the commitment text (module docs, step 0).
    pub digest: String,
}

impl Commitment {
    /// The commitment of a date and digests.
    pub fn new(plan_id: &str, date: Date, digests: Digests) -> Commitment {
        let digest = hex(&Sha256::digest(Commitment::text(date, &digests).as_bytes()));
        Commitment {
            plan_id: plan_id.to_string(),
            date,
            digests,
            digest,
        }
    }

    /// The text whose SHA-256 is the commitment's digest.
    pub fn text(date: Date, d: &Digests) -> String {
        format!(
            "riskgrade commitment 1\ndate {date}\nplan {}\ncandidates {}\npool {}\nhistory {}\n",
            d.plan, d.candidates, d.pool, d.history
        )
    }

    /// The inputs whose digests differ from `other`'s (`date`, `plan`, `candidates`, `pool`,
    /// `history`), empty when they are the same.
    pub fn differences(&self, other: &Commitment) -> Vec<&'static str> {
        let (a, b) = (&self.digests, &other.digests);
        [
            (self.date != other.date, "date"),
            (a.plan != b.plan, "plan"),
            (a.candidates != b.candidates, "candidates"),
            (a.pool != b.pool, "pool"),
            (a.history != b.history, "history"),
        ]
        .into_iter()
        .filter_map(|(differs, what)| differs.then_some(what))
        .collect()
    }
}

/// Why an enterprise is inspected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// Its class is fully covered.
    FullCoverage,
    /// It has an alert of this topic (forced, on top of the random quota).
    Alert(String),
    /// It carries this label (forced, on top of the random quota).
    Label(String),
    /// Drawn at random in its cell.
    Random {
        /// How many were drawn at random in the cell.
        quota: u32,
        /// Out of how many eligible.
        eligible: u32,
        /// The class's effective ratio.
        ratio: f64,
    },
    /// Owed an inspection at every remaining draw of the year under its class's yearly minimum.
    Due {
        /// Inspections still owed this year.
        owed: u32,
    },
}

impl Why {
    /// The forced reason of a candidate list entry (`alert complaints`, `label 重点监管`).
    pub(crate) fn forced(reason: &str) -> Why {
        match reason.split_once(' ') {
            Some(("label", l)) => Why::Label(l.to_string()),
            Some((_, topic)) => Why::Alert(topic.to_string()),
            None => Why::Alert(reason.to_string()),
        }
    }

    /// Whether it is a forced task (an alert or a label), on top of the random quota.
    pub fn is_forced(&self) -> bool {
        matches!(self, Why::Alert(_) | Why::Label(_))
    }

    /// The kind, as published: `random`, `full_coverage`, `due` or `forced`.
    pub fn kind(&self) -> &'static str {
        match self {
            Why::Random { .. } => "random",
            Why::FullCoverage => "full_coverage",
            Why::Due { .. } => "due",
            Why::Alert(_) | Why::Label(_) => "forced",
        }
    }

    /// For people, e.g. `random: 3 of 120 in district Haidian, class B (ratio 2%)`.
    pub fn text(&self, class: &str, stratum: &str) -> String {
        match self {
            Why::FullCoverage => format!("full coverage: every class {class} enterprise"),
            Why::Alert(topic) => format!("alert: {topic}"),
            Why::Label(label) => format!("label: {label}"),
            Why::Due { owed } => {
                format!("due: owes {owed} inspection(s) this year under class {class}'s minimum")
            }
            Why::Random {
                quota,
                eligible,
                ratio,
            } => {
                let pct = format!("{:.2}", ratio * 100.0);
                let pct = pct.trim_end_matches('0').trim_end_matches('.');
                let place = if stratum == "all" {
                    ",".to_string()
                } else {
                    format!(" in {stratum},")
                };
                format!("random: {quota} of {eligible}{place} class {class} (ratio {pct}%)")
            }
        }
    }
}

/// One inspection task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// 1-based task number.
    pub number: u32,
    /// Enterprise id.
    pub enterprise: String,
    /// Its class.
    pub class: String,
    /// Its cell's stratum label.
    pub stratum: String,
    /// Why it is inspected.
    pub why: Why,
    /// Ids of the assigned inspectors, in id order.
    pub inspectors: Vec<String>,
}

/// Counts for one (class, stratum) cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StratumReport {
    /// The class.
    pub class: String,
    /// The stratum label.
    pub stratum: String,
    /// Enterprises of the class in the stratum (in scope).
    pub enterprises: u32,
    /// ⌈ratio × enterprises⌉ (all of them under full coverage).
    pub quota: u32,
    /// Taken under full coverage.
    pub full: u32,
    /// Drawn at random (forced ones included when the lottery picked them).
    pub random: u32,
    /// Taken because their yearly minimum is due.
    pub due: u32,
    /// Forced tasks on top of the random picks (alerts, labels).
    pub forced: u32,
    /// Random picks that carry a forced reason too (counted in `random`, not in `forced`).
    pub forced_drawn: u32,
    /// Forced reasons blocked by a cap per enterprise.
    pub capped: u32,
    /// Spared: inspected within the exclusion window, or at the yearly maximum.
    pub spared: u32,
    /// Random picks needed but not available: quota − random, when positive.
    pub shortfall: u32,
}

/// A completed draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draw {
    /// The plan's id.
    pub plan_id: String,
    /// The published seed.
    pub seed: String,
    /// The draw date (serialised as `YYYY-MM-DD`).
    pub date: Date,
    /// The commitment the draw was made under (computed from its inputs).
    pub commitment: Commitment,
    /// The tasks, by number.
    pub tasks: Vec<Task>,
    /// Counts per cell.
    pub strata: Vec<StratumReport>,
    /// The candidate list the lottery ran over (published, so anyone can re-run it).
    pub candidates: CandidateList,
}

/// One row of the published table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// Task number.
    pub number: u32,
    /// Enterprise id.
    pub enterprise: String,
    /// Class.
    pub class: String,
    /// Stratum label.
    pub stratum: String,
    /// [`Why::text`].
    pub why: String,
    /// Inspector ids joined by `;`.
    pub inspectors: String,
}

impl Draw {
    /// The inputs' digests.
    pub fn digests(&self) -> &Digests {
        &self.commitment.digests
    }

    /// The tasks as flat rows for CSV or JSON.
    pub fn to_rows(&self) -> Vec<Row> {
        self.tasks
            .iter()
            .map(|t| Row {
                number: t.number,
                enterprise: t.enterprise.clone(),
                class: t.class.clone(),
                stratum: t.stratum.clone(),
                why: t.why.text(&t.class, &t.stratum),
                inspectors: t.inspectors.join(";"),
            })
            .collect()
    }
}

/// Why a draw could not be made. No partial draw is ever returned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DrawError {
    /// The plan breaks a rule.
    #[error(transparent)]
    Plan(PlanError),
    /// A candidate's class is not named by the plan.
    #[error("enterprise `{enterprise}` has class `{class}`, which plan `{plan}` does not name (its classes: {})", classes.join(", "))]
    UnknownClass {
        /// The enterprise.
        enterprise: String,
        /// Its class.
        class: String,
        /// The plan's id.
        plan: String,
        /// The classes the plan names.
        classes: Vec<String>,
    },
    /// Two candidates or two inspectors share an id.
    #[error("{what} `{id}` is listed twice")]
    Duplicate {
        /// `enterprise` or `inspector`.
        what: &'static str,
        /// The id.
        id: String,
    },
    /// The inputs differ from the commitment published before the seed.
    #[error("the inputs differ from commitment {commitment} in: {} (the draw is refused)", differs.join(", "))]
    Commitment {
        /// The commitment's digest.
        commitment: String,
        /// The inputs that differ: `date`, `plan`, `candidates`, `pool`, `history`.
        differs: Vec<&'static str>,
    },
    /// The pool cannot staff the draw (boxed: the counts make it the largest variant).
    #[error(transparent)]
    Infeasible(Box<Shortfall>),
}

/// What the pool lacks to staff a draw ([`DrawError::Infeasible`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Shortfall {
    /// The pool's total capacity is below the assignments the tasks need.
    #[error("the plan needs {per_task} inspectors for each of {tasks} tasks = {needed} assignments; the pool of {pool} inspectors can take {capacity}: {} short", needed - capacity)]
    Capacity {
        /// Inspectors the plan assigns to each task.
        per_task: u32,
        /// Tasks drawn.
        tasks: usize,
        /// Assignments needed: tasks × `per_task`.
        needed: u64,
        /// Inspectors in the pool.
        pool: usize,
        /// Tasks the whole pool can take.
        capacity: u64,
    },
    /// Too few inspectors may take one task (module docs, step 4).
    #[error(
        "cannot staff enterprise `{enterprise}` (class {class}, district {district}): it needs {needed} inspectors and {available} of the pool of {pool} may take it; excluded: {at_capacity} at capacity, {own_district} in its own district, {last_inspection} at its last inspection, {conflict} with a declared conflict"
    )]
    Task {
        /// The enterprise.
        enterprise: String,
        /// Its class.
        class: String,
        /// Its cell's stratum label.
        stratum: String,
        /// Its district.
        district: String,
        /// Inspectors the task needs (the plan's `per_task`).
        needed: u32,
        /// Inspectors who may take it and have capacity left.
        available: usize,
        /// Inspectors in the pool.
        pool: usize,
        /// Inspectors who may take it but are at capacity.
        at_capacity: usize,
        /// Inspectors who work in its district (`avoid_own_district`).
        own_district: usize,
        /// Inspectors who were at its last inspection (`avoid_repeat`).
        last_inspection: usize,
        /// Inspectors who declared a conflict of interest with it.
        conflict: usize,
    },
}

pub(crate) fn n32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn sorted_unique<'a, T>(
    items: &'a [T],
    id: fn(&T) -> &str,
    what: &'static str,
) -> Result<Vec<&'a T>, DrawError> {
    let mut v: Vec<&T> = items.iter().collect();
    v.sort_by(|a, b| id(a).cmp(id(b)));
    match v.windows(2).find(|w| id(w[0]) == id(w[1])) {
        Some(w) => Err(DrawError::Duplicate {
            what,
            id: id(w[0]).to_string(),
        }),
        None => Ok(v),
    }
}

/// The candidate list and the commitment of a draw's inputs (module docs, steps 0 and 1): what
/// is published before the seed.
///
/// # Errors
/// A plan that breaks a rule, an unknown class or a duplicate id.
pub fn commit(
    plan: &Plan,
    candidates: &[Candidate],
    pool: &[Inspector],
    history: &History,
    date: Date,
) -> Result<(Commitment, CandidateList), DrawError> {
    plan.check().map_err(DrawError::Plan)?;
    let candidates = sorted_unique(candidates, |c| &c.id, "enterprise")?;
    let pool = sorted_unique(pool, |i| &i.id, "inspector")?;
    let list = candidate_list(plan, &candidates, history, date)?;
    let digests = Digests {
        plan: plan.digest(),
        candidates: list.digest(),
        pool: sha256_json(&pool),
        history: sha256_json(history),
    };
    Ok((Commitment::new(plan.id(), date, digests), list))
}

/// A chosen enterprise, its cell's stratum label and why it is inspected.
pub(crate) type Chosen<'a> = (&'a Candidate, String, Why);

/// Draws enterprises and inspectors as the module docs describe.
///
/// ```
/// use riskgrade_inspect::{commit, draw, Candidate, DrawInput, History, Inspector, Plan};
/// let plan = Plan::from_toml_str("id = \"p\"\nfloor = 0.1\n[class.B]\nratio = 0.5\n", None).unwrap();
/// let candidates: Vec<Candidate> = (0..4)
///     .map(|i| Candidate { id: format!("E{i}"), class: "B".into(), score: None, district: "East".into(),
///         industry: "C14".into(), alerts: vec![], labels: vec![], licences: vec![] })
///     .collect();
/// let pool: Vec<Inspector> = (0..3)
///     .map(|i| Inspector { id: format!("I{i}"), name: String::new(), department: "SAMR".into(),
///         district: "West".into(), capacity: 5, conflicts: vec![] })
///     .collect();
/// let history = History::default();
/// let date = "2026-11-02".parse().unwrap();
/// // Published before the seed exists:
/// let (commitment, _) = commit(&plan, &candidates, &pool, &history, date).unwrap();
/// let input = DrawInput { plan: &plan, candidates: &candidates, pool: &pool, history: &history,
///     date, seed: "2026-11 lottery 8e1f", commitment: Some(&commitment) };
/// let d = draw(&input).unwrap();
/// assert_eq!(d.tasks.len(), 2);
/// assert_eq!(d, draw(&input).unwrap());
/// assert!(d.to_rows()[0].why.starts_with("random: 2 of 4, class B (ratio 50%)"));
/// ```
///
/// # Errors
/// See [`DrawError`]: nothing is drawn then.
pub fn draw(input: &DrawInput<'_>) -> Result<Draw, DrawError> {
    let plan = input.plan;
    let (commitment, list) = commit(
        plan,
        input.candidates,
        input.pool,
        input.history,
        input.date,
    )?;
    if let Some(published) = input.commitment {
        let differs = published.differences(&commitment);
        if !differs.is_empty() || published.digest != commitment.digest {
            return Err(DrawError::Commitment {
                commitment: published.digest.clone(),
                differs,
            });
        }
    }
    let d = &commitment.digests;
    let (picks, strata) = lottery(plan, &list, input.seed, &d.plan, &d.candidates);
    let by_id: BTreeMap<&str, &Candidate> = input
        .candidates
        .iter()
        .map(|c| (c.id.as_str(), c))
        .collect();
    let chosen: Vec<Chosen<'_>> = picks
        .into_iter()
        .filter_map(|(e, why)| Some((*by_id.get(e.id.as_str())?, e.cell.clone(), why)))
        .collect();
    let numbered: Vec<(usize, &str)> = chosen
        .iter()
        .enumerate()
        .map(|(i, (c, ..))| (i + 1, c.id.as_str()))
        .collect();
    let tasks_digest = sha256_json(&numbered);
    let pool = sorted_unique(input.pool, |i| &i.id, "inspector")?;
    let mut rng = stream(&[
        input.seed.as_bytes(),
        b"\n",
        tasks_digest.as_bytes(),
        b"\n",
        d.pool.as_bytes(),
        b"\ninspectors",
    ]);
    let staff = assign(plan, &chosen, &pool, input.history, &mut rng)?;
    Ok(Draw {
        plan_id: plan.id().to_string(),
        seed: input.seed.to_string(),
        date: input.date,
        tasks: number_tasks(chosen, staff),
        strata,
        candidates: list,
        commitment,
    })
}

/// The tasks, numbered from 1 in order, with their inspectors (step 3).
fn number_tasks(chosen: Vec<Chosen<'_>>, staff: Vec<Vec<String>>) -> Vec<Task> {
    chosen
        .into_iter()
        .zip(staff)
        .enumerate()
        .map(|(i, ((c, stratum, why), inspectors))| Task {
            number: n32(i + 1),
            enterprise: c.id.clone(),
            class: c.class.clone(),
            stratum,
            why,
            inspectors,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn why_texts() {
        let r = Why::Random {
            quota: 3,
            eligible: 120,
            ratio: 0.02,
        };
        assert_eq!(
            r.text("B", "district Haidian"),
            "random: 3 of 120 in district Haidian, class B (ratio 2%)"
        );
        let r = Why::Random {
            quota: 1,
            eligible: 9,
            ratio: 0.5 / 12.0,
        };
        assert_eq!(r.text("A", "all"), "random: 1 of 9, class A (ratio 4.17%)");
        assert_eq!(
            Why::Alert("complaints".into()).text("A", "all"),
            "alert: complaints"
        );
        assert_eq!(Why::forced("label 重点监管"), Why::Label("重点监管".into()));
        assert_eq!(Why::forced("alert complaints").kind(), "forced");
    }

    #[test]
    fn commitment_text_and_differences() {
        let d = Digests {
            plan: "p".into(),
            candidates: "c".into(),
            pool: "l".into(),
            history: "h".into(),
        };
        let date: Date = "2026-11-01".parse().expect("a date");
        assert_eq!(
            Commitment::text(date, &d),
            "riskgrade commitment 1\ndate 2026-11-01\nplan p\ncandidates c\npool l\nhistory h\n"
        );
        let a = Commitment::new("x", date, d.clone());
        let mut other = d;
        other.pool = "m".into();
        assert_eq!(a.differences(&Commitment::new("x", date, other)), ["pool"]);
        assert_eq!(a.digest.len(), 64);
    }
}
