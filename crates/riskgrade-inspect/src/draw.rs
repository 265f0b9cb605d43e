//! The draw: which enterprises are inspected and by whom, as a pure function of the plan, the
//! candidates, the inspector pool, the inspection history, the date and a published seed.
//!
//! Anyone holding these inputs can re-draw by hand ("one public"). The exact algorithm:
//!
//! 1. **Inputs as sets.** Candidates and inspectors are sorted by id (duplicates are errors).
//!    Digests are SHA-256 (lowercase hex) of the compact JSON of the plan ([`Plan::digest`]), of
//!    the sorted candidates, of the sorted pool and of the history (dates written `YYYY-MM-DD`).
//! 2. **Master key** = SHA-256 of the UTF-8 bytes `seed ‖ "\n" ‖ plan digest ‖ "\n" ‖ candidates
//!    digest ‖ "\n" ‖ pool digest` (digests as their 64 hex characters).
//! 3. **Cells.** Candidates are grouped by (class, stratum); the stratum label joins the plan's
//!    strata, e.g. `district Haidian / industry C` (`all` without strata). Cells are taken in order
//!    of class, then label (byte order); within a cell, enterprises in id order.
//! 4. **Mandatory** enterprises of a cell, in id order: all of a `full_coverage` class; any with an
//!    alert whose topic the plan includes (`"*"`: any alert), or a label it includes. They are
//!    never excluded.
//! 5. **Quota** = ⌈ratio × N⌉ over all N enterprises of the cell, computed as `ceil(ratio × N −
//!    1e-9)` so that 0.07 × 100 is 7. Random picks needed = max(0, quota − mandatory). Eligible:
//!    the others, less those whose last inspection is on or after the draw date minus
//!    `inspected_within_months` calendar months (day clamped to the month's end). If fewer are
//!    eligible than needed, all are taken and the report shows the `shortfall`.
//! 6. **Uniform integer** in `[0, n)` from a ChaCha20 stream: `r = next_u64()` (the next 8 bytes
//!    of the ChaCha20 keystream, little-endian, as `rand_chacha::ChaCha20Rng::from_seed(key)`
//!    gives them); if `r ≥ 2^64 − (2^64 mod n)` draw again, else return `r mod n`.
//! 7. **Random picks** of a cell: stream key = SHA-256(master key (32 bytes) ‖ class ‖ `"\n"` ‖
//!    stratum label). Partial Fisher–Yates over the eligible list (id order) for k picks: for
//!    `i` in `0..k`, `j = i + uniform(m − i)`, swap items `i` and `j`; the picks are items
//!    `0..k` in that order.
//! 8. **Tasks** are numbered from 1 in cell order: mandatory first (id order), then picks.
//! 9. **Inspectors**, from one stream keyed SHA-256(master key ‖ `"inspectors"`). First the total
//!    check: the pool's capacity must cover tasks × `per_task`. An inspector may take a task
//!    unless they declared a conflict with the enterprise, were at its last inspection
//!    (`avoid_repeat`), or work in its district (`avoid_own_district`). The task order: a full
//!    Fisher–Yates of the task numbers (as in 7, `k` = number of tasks), then a stable sort by the
//!    count of inspectors who may take the task (fewest first). For each task in turn, `per_task`
//!    times: of those who may take it, are under capacity and are not yet on it, take the ones
//!    with the fewest tasks so far (pool id order) and choose `uniform(count)` among them.
//!    Inspectors are listed per task in id order.
//!
//! A draw that cannot be completed is an error ([`DrawError::Infeasible`]); there is never a
//! partial draw.

use std::collections::BTreeMap;

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use riskgrade_core::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::plan::sha256_json;
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

/// Inspection history: the last inspection of each enterprise, by enterprise id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// Last inspection by enterprise id.
    pub last: BTreeMap<String, LastInspection>,
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
}

/// SHA-256 digests (lowercase hex) of the inputs, published with the draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digests {
    /// Of the plan's canonical JSON.
    pub plan: String,
    /// Of the candidates sorted by id.
    pub candidates: String,
    /// Of the pool sorted by id.
    pub pool: String,
    /// Of the history.
    pub history: String,
}

/// Why an enterprise is inspected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// Its class is fully covered.
    FullCoverage,
    /// It has an alert of this topic.
    Alert(String),
    /// It carries this label.
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
}

impl Why {
    /// For people, e.g. `random: 3 of 120 in district Haidian, class B (ratio 2%)`.
    pub fn text(&self, class: &str, stratum: &str) -> String {
        match self {
            Why::FullCoverage => format!("full coverage: every class {class} enterprise"),
            Why::Alert(topic) => format!("alert: {topic}"),
            Why::Label(label) => format!("label: {label}"),
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
    /// Enterprises of the class in the stratum.
    pub enterprises: u32,
    /// ⌈ratio × enterprises⌉ (all of them under full coverage).
    pub quota: u32,
    /// Always inspected: full coverage, alerts, labels.
    pub mandatory: u32,
    /// Drawn at random.
    pub random: u32,
    /// Spared: inspected within the plan's exclusion window.
    pub excluded: u32,
    /// Random picks needed but not available: quota − mandatory − random, when positive.
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
    /// Digests of the inputs.
    pub digests: Digests,
    /// The tasks, by number.
    pub tasks: Vec<Task>,
    /// Counts per cell.
    pub strata: Vec<StratumReport>,
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
    /// Too few inspectors may take one task (module docs, step 9).
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

/// Uniform integer in `[0, n)` by modulo rejection (module docs, step 6). `n` must be > 0.
fn uniform(rng: &mut ChaCha20Rng, n: usize) -> usize {
    let n = n as u64;
    let reject_from = 0u64.wrapping_sub(n) % n; // 2^64 mod n
    loop {
        let r = rng.next_u64();
        if reject_from == 0 || r < 0u64.wrapping_sub(reject_from) {
            return (r % n) as usize;
        }
    }
}

/// Partial Fisher–Yates: moves `k` uniformly drawn items, in draw order, to the front.
fn pick<T>(items: &mut [T], k: usize, rng: &mut ChaCha20Rng) {
    for i in 0..k.min(items.len()) {
        let j = i + uniform(rng, items.len() - i);
        items.swap(i, j);
    }
}

fn stream(parts: &[&[u8]]) -> ChaCha20Rng {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    ChaCha20Rng::from_seed(h.finalize().into())
}

fn n32(n: usize) -> u32 {
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

/// Draws enterprises and inspectors as the module docs describe.
///
/// ```
/// use riskgrade_inspect::{draw, Candidate, DrawInput, History, Inspector, Plan};
/// let plan = Plan::from_toml_str("id = \"p\"\nfloor = 0.1\n[class.B]\nratio = 0.5\n", None).unwrap();
/// let candidates: Vec<Candidate> = (0..4)
///     .map(|i| Candidate { id: format!("E{i}"), class: "B".into(), score: None, district: "East".into(),
///         industry: "C14".into(), alerts: vec![], labels: vec![] })
///     .collect();
/// let pool: Vec<Inspector> = (0..3)
///     .map(|i| Inspector { id: format!("I{i}"), name: String::new(), department: "SAMR".into(),
///         district: "West".into(), capacity: 5, conflicts: vec![] })
///     .collect();
/// let history = History::default();
/// let input = DrawInput { plan: &plan, candidates: &candidates, pool: &pool, history: &history,
///     date: "2026-11-02".parse().unwrap(), seed: "2026-11 lottery 8e1f" };
/// let d = draw(&input).unwrap();
/// assert_eq!(d.tasks.len(), 2);
/// assert_eq!(d, draw(&input).unwrap());
/// assert!(d.to_rows()[0].why.starts_with("random: 2 of 4, class B (ratio 50%)"));
/// ```
pub fn draw(input: &DrawInput<'_>) -> Result<Draw, DrawError> {
    let plan = input.plan;
    plan.check().map_err(DrawError::Plan)?;
    let candidates = sorted_unique(input.candidates, |c| &c.id, "enterprise")?;
    let pool = sorted_unique(input.pool, |i| &i.id, "inspector")?;
    let (digests, master) = digests_and_key(input, &candidates, &pool);
    let cells = cells(plan, &candidates)?;
    let cutoff = exclusion_cutoff(plan, input.date);
    let mut chosen: Vec<Chosen<'_>> = Vec::new();
    let mut strata = Vec::with_capacity(cells.len());
    for ((class, stratum), members) in &cells {
        let cell = Cell {
            class,
            stratum,
            members,
        };
        strata.push(cell.draw(plan, input.history, cutoff, &master, &mut chosen));
    }
    let mut rng = stream(&[&master, b"inspectors"]);
    let staff = assign(plan, &chosen, &pool, input.history, &mut rng)?;
    Ok(Draw {
        plan_id: plan.id.clone(),
        seed: input.seed.to_string(),
        date: input.date,
        digests,
        tasks: number_tasks(chosen, staff),
        strata,
    })
}

/// The digests of the inputs and the master key (module docs, steps 1–2).
fn digests_and_key(
    input: &DrawInput<'_>,
    candidates: &[&Candidate],
    pool: &[&Inspector],
) -> (Digests, [u8; 32]) {
    let digests = Digests {
        plan: input.plan.digest(),
        candidates: sha256_json(candidates),
        pool: sha256_json(pool),
        history: sha256_json(input.history),
    };
    let text = [
        input.seed,
        &digests.plan,
        &digests.candidates,
        &digests.pool,
    ]
    .join("\n");
    let master = Sha256::digest(text.as_bytes()).into();
    (digests, master)
}

/// The (class, stratum label) cells, in order, each with its members in id order (step 3).
type Cells<'a> = BTreeMap<(&'a str, String), Vec<&'a Candidate>>;

/// Groups the candidates (in id order) into cells; a class the plan does not name is an error.
fn cells<'a>(plan: &Plan, candidates: &[&'a Candidate]) -> Result<Cells<'a>, DrawError> {
    let mut cells = Cells::new();
    for &c in candidates {
        if plan.effective_ratio(&c.class).is_none() {
            return Err(DrawError::UnknownClass {
                enterprise: c.id.clone(),
                class: c.class.clone(),
                plan: plan.id.clone(),
                classes: plan.classes().map(str::to_string).collect(),
            });
        }
        cells
            .entry((c.class.as_str(), plan.stratum_of(c)))
            .or_default()
            .push(c);
    }
    Ok(cells)
}

/// The first date of the exclusion window: the draw date less `inspected_within_months`
/// calendar months, day clamped to the month's end (step 5).
fn exclusion_cutoff(plan: &Plan, date: Date) -> Option<Date> {
    // Ten thousand years back already precedes every valid date.
    const FOREVER: u32 = 120_000;
    plan.exclude
        .inspected_within_months
        .map(|m| date.add_months(-(m.min(FOREVER) as i32)))
}

/// A chosen enterprise, its cell's stratum label and why it is inspected.
type Chosen<'a> = (&'a Candidate, String, Why);

/// One (class, stratum) cell of the draw.
struct Cell<'a, 'c> {
    class: &'a str,
    stratum: &'a String,
    members: &'a [&'c Candidate],
}

impl<'c> Cell<'_, 'c> {
    /// Mandatory enterprises, then random picks from the eligible (steps 4, 5 and 7), appended
    /// to `chosen`; returns the cell's counts.
    fn draw(
        &self,
        plan: &Plan,
        history: &History,
        cutoff: Option<Date>,
        master: &[u8; 32],
        chosen: &mut Vec<Chosen<'c>>,
    ) -> StratumReport {
        let ratio = plan.effective_ratio(self.class).unwrap_or(1.0);
        let full = plan.is_full_coverage(self.class);
        let (mut mandatory, mut eligible, mut excluded) = (Vec::new(), Vec::new(), 0u32);
        for &c in self.members {
            if let Some(why) = mandatory_why(plan, full, c) {
                mandatory.push((c, why));
            } else if cutoff
                .is_some_and(|cut| history.last.get(&c.id).is_some_and(|l| l.date >= cut))
            {
                excluded += 1;
            } else {
                eligible.push(c);
            }
        }
        let n = self.members.len();
        let quota = if full {
            n
        } else {
            ((ratio * n as f64 - 1e-9).ceil().max(0.0) as usize).min(n)
        };
        let needed = quota.saturating_sub(mandatory.len());
        let k = needed.min(eligible.len());
        let mut rng = stream(&[
            master,
            self.class.as_bytes(),
            b"\n",
            self.stratum.as_bytes(),
        ]);
        pick(&mut eligible, k, &mut rng);
        let report = StratumReport {
            class: self.class.to_string(),
            stratum: self.stratum.clone(),
            enterprises: n32(n),
            quota: n32(quota),
            mandatory: n32(mandatory.len()),
            random: n32(k),
            excluded,
            shortfall: n32(needed - k),
        };
        let why = Why::Random {
            quota: n32(k),
            eligible: n32(eligible.len()),
            ratio,
        };
        let randoms = eligible.iter().take(k).map(|&c| (c, why.clone()));
        chosen.extend(
            mandatory
                .into_iter()
                .chain(randoms)
                .map(|(c, w)| (c, self.stratum.clone(), w)),
        );
        report
    }
}

/// The tasks, numbered from 1 in cell order, with their inspectors (step 8).
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

fn mandatory_why(plan: &Plan, full: bool, c: &Candidate) -> Option<Why> {
    if full {
        return Some(Why::FullCoverage);
    }
    let topics = &plan.include.alert_topics;
    let alert = if topics.iter().any(|t| t == "*") {
        c.alerts.first()
    } else {
        topics.iter().find(|t| c.alerts.contains(t))
    };
    if let Some(topic) = alert {
        return Some(Why::Alert(topic.clone()));
    }
    plan.include
        .labels
        .iter()
        .find(|l| c.labels.contains(l))
        .map(|l| Why::Label(l.clone()))
}

/// Why an inspector may not take a task, in the order they are counted.
#[derive(Clone, Copy)]
enum Barrier {
    Conflict,
    LastTime,
    OwnDistrict,
}

fn barrier(plan: &Plan, ins: &Inspector, c: &Candidate, history: &History) -> Option<Barrier> {
    if ins.conflicts.contains(&c.id) {
        Some(Barrier::Conflict)
    } else if plan.inspectors.avoid_repeat
        && history
            .last
            .get(&c.id)
            .is_some_and(|l| l.inspectors.contains(&ins.id))
    {
        Some(Barrier::LastTime)
    } else if plan.inspectors.avoid_own_district && ins.district == c.district {
        Some(Barrier::OwnDistrict)
    } else {
        None
    }
}

/// Inspector ids per task, in task order (module docs, step 9).
fn assign(
    plan: &Plan,
    tasks: &[Chosen<'_>],
    pool: &[&Inspector],
    history: &History,
    rng: &mut ChaCha20Rng,
) -> Result<Vec<Vec<String>>, DrawError> {
    let per = plan.inspectors.per_task as usize;
    let needed = tasks.len() as u64 * per as u64;
    let capacity: u64 = pool.iter().map(|i| u64::from(i.capacity)).sum();
    if capacity < needed {
        return Err(DrawError::Infeasible(Box::new(Shortfall::Capacity {
            per_task: plan.inspectors.per_task,
            tasks: tasks.len(),
            needed,
            pool: pool.len(),
            capacity,
        })));
    }
    let barriers: Vec<Vec<Option<Barrier>>> = tasks
        .iter()
        .map(|(c, ..)| pool.iter().map(|i| barrier(plan, i, c, history)).collect())
        .collect();
    let mut order: Vec<usize> = (0..tasks.len()).collect();
    pick(&mut order, tasks.len(), rng);
    order.sort_by_key(|&t| barriers[t].iter().filter(|b| b.is_none()).count());

    let mut load = vec![0u32; pool.len()];
    let mut staff = vec![Vec::new(); tasks.len()];
    for t in order {
        let may = |i: usize, load: &[u32]| barriers[t][i].is_none() && load[i] < pool[i].capacity;
        let available = (0..pool.len()).filter(|&i| may(i, &load)).count();
        if available < per {
            return Err(cannot_staff(&tasks[t], per, available, pool, &barriers[t]));
        }
        let mut on: Vec<usize> = Vec::with_capacity(per);
        for _ in 0..per {
            let free: Vec<usize> = (0..pool.len())
                .filter(|&i| may(i, &load) && !on.contains(&i))
                .collect();
            let least = free.iter().map(|&i| load[i]).min().unwrap_or(0);
            let tied: Vec<usize> = free.into_iter().filter(|&i| load[i] == least).collect();
            let i = tied[uniform(rng, tied.len())];
            load[i] += 1;
            on.push(i);
        }
        on.sort_unstable();
        staff[t] = on.into_iter().map(|i| pool[i].id.clone()).collect();
    }
    Ok(staff)
}

fn cannot_staff(
    (c, stratum, _): &Chosen<'_>,
    per: usize,
    available: usize,
    pool: &[&Inspector],
    barriers: &[Option<Barrier>],
) -> DrawError {
    let count = |f: fn(&Option<Barrier>) -> bool| barriers.iter().filter(|b| f(b)).count();
    DrawError::Infeasible(Box::new(Shortfall::Task {
        enterprise: c.id.clone(),
        class: c.class.clone(),
        stratum: stratum.clone(),
        district: c.district.clone(),
        needed: n32(per),
        available,
        pool: pool.len(),
        at_capacity: count(Option::is_none) - available,
        own_district: count(|b| matches!(b, Some(Barrier::OwnDistrict))),
        last_inspection: count(|b| matches!(b, Some(Barrier::LastTime))),
        conflict: count(|b| matches!(b, Some(Barrier::Conflict))),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusion_window() {
        let plan = |months: u32| {
            Plan::from_toml_str(
                &format!("id = \"p\"\nfloor = 0.1\n[class.B]\nratio = 0.5\n[exclude]\ninspected_within_months = {months}\n"),
                None,
            )
            .expect("valid plan")
        };
        let date = |s: &str| s.parse::<Date>().expect("a date");
        let cut = |months, on| exclusion_cutoff(&plan(months), date(on)).map(|d| d.to_string());
        assert_eq!(cut(6, "2026-08-31").as_deref(), Some("2026-02-28"));
        assert_eq!(cut(6, "2026-03-15").as_deref(), Some("2025-09-15"));
        assert!(cut(u32::MAX, "2026-03-15").is_some_and(|d| d.starts_with('-')));
        assert!("2023-02-29".parse::<Date>().is_err());
        assert!("2023-2-01".parse::<Date>().is_err());
    }

    #[test]
    fn uniform_is_in_range_and_covers() {
        let mut rng = ChaCha20Rng::from_seed([7; 32]);
        let mut seen = [false; 5];
        for _ in 0..200 {
            seen[uniform(&mut rng, 5)] = true;
        }
        assert!(seen.iter().all(|s| *s));
        assert_eq!(uniform(&mut rng, 1), 0);
    }

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
    }
}
