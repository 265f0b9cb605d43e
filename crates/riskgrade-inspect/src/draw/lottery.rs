//! The enterprise stage of a draw: the candidate list (stage 1) and the lottery over it
//! (stage 2). Both are described step by step in the [`crate::draw`] module docs.

use std::collections::BTreeMap;

use riskgrade_core::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{DrawError, History, StratumReport, Why, n32};
use crate::plan::hex;
use crate::{Candidate, Plan};

/// One enterprise of a draw's candidate list: everything the lottery needs to know about it, and
/// nothing more. The list is published (one JSON object per line, in id order) and its digest is
/// part of the commitment, so anyone can re-run the lottery over it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Enterprise id.
    pub id: String,
    /// Its class.
    pub class: String,
    /// Its cell's stratum label (`all`, `district Haidian`, `district Haidian / industry C`).
    pub cell: String,
    /// Whether it may be drawn at random (not spared, not fully covered).
    pub eligible: bool,
    /// Inspections it still owes this year under its class's yearly minimum (0 without one).
    pub owed: u32,
    /// Whether it owes an inspection at every remaining draw of the year: it is taken whatever
    /// the lottery gives.
    pub due: bool,
    /// Why the plan forces its inspection (`alert complaints`, `label 重点监管`), after the caps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forced: Option<String>,
    /// A forced reason that a cap per enterprise blocked (`alert complaints: 1 forced task this
    /// period already`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capped: Option<String>,
    /// Why it may not be drawn at random: `inspected within 6 months`, `at the yearly maximum 4`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spared: Option<String>,
}

/// A draw's candidate list (stage 1): the entries in id order, and the enterprises outside the
/// plan's scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateList {
    /// One entry per enterprise in scope, in id order.
    pub entries: Vec<Entry>,
    /// Enterprises outside the plan's scope, by the scope list they fail.
    pub out_of_scope: BTreeMap<String, u32>,
}

impl CandidateList {
    /// The published text: each entry as compact JSON on its own line, `\n`-terminated.
    pub fn to_jsonl(&self) -> String {
        let mut out = String::new();
        for e in &self.entries {
            // A plain struct of strings, numbers and booleans always serialises.
            out.push_str(&serde_json::to_string(e).unwrap_or_default());
            out.push('\n');
        }
        out
    }

    /// SHA-256 (lowercase hex) of [`CandidateList::to_jsonl`].
    pub fn digest(&self) -> String {
        hex(&Sha256::digest(self.to_jsonl().as_bytes()))
    }
}

/// Where a draw falls in its calendar year: its index (1-based) among the plan's draws and the
/// draws left including it.
fn draw_index(plan: &Plan, date: Date) -> (u32, u32) {
    let d = plan.draws_per_year();
    let (_, month, _) = date.ymd();
    let k = ((month - 1) * d / 12 + 1).min(d);
    (k, d - k + 1)
}

/// Stage 1: the candidate list of a draw from the plan, the period's candidates (sorted by id,
/// unique), the history and the date.
pub(crate) fn candidate_list(
    plan: &Plan,
    candidates: &[&Candidate],
    history: &History,
    date: Date,
) -> Result<CandidateList, DrawError> {
    let cutoff = plan.exclusion_cutoff(date);
    let (_, left) = draw_index(plan, date);
    let (year, _, _) = date.ymd();
    let (per_period, per_year) = plan.forced_caps();
    let mut out = CandidateList {
        entries: Vec::with_capacity(candidates.len()),
        out_of_scope: BTreeMap::new(),
    };
    for &c in candidates {
        if plan.effective_ratio(&c.class).is_none() {
            return Err(DrawError::UnknownClass {
                enterprise: c.id.clone(),
                class: c.class.clone(),
                plan: plan.id().to_string(),
                classes: plan.classes().map(str::to_string).collect(),
            });
        }
        if let Some(list) = plan.out_of_scope(c) {
            *out.out_of_scope.entry(list.to_string()).or_default() += 1;
            continue;
        }
        let tally = history.year.get(&c.id).copied().unwrap_or_default();
        let last = history.last.get(&c.id).map(|l| l.date);
        let owed = match plan.min_per_year(&c.class) {
            Some(m) if m >= 1.0 => (m.ceil() as u32).saturating_sub(tally.drawn),
            Some(_) => {
                let start = plan.minimum_window_start(&c.class, year);
                u32::from(tally.drawn == 0 && last.is_none_or(|d| start.is_none_or(|s| d < s)))
            }
            None => 0,
        };
        let due = owed > 0 && plan.min_per_year(&c.class).is_some_and(|m| m >= 1.0) && owed >= left;
        let spared = if last.is_some_and(|d| cutoff.is_some_and(|cut| d >= cut)) {
            plan.exclusion_months()
                .map(|m| format!("inspected within {m} months"))
        } else {
            plan.max_per_year(&c.class)
                .filter(|max| tally.drawn >= *max)
                .map(|max| format!("at the yearly maximum {max}"))
        };
        let (mut forced, mut capped) = (plan.forced_reason(c), None);
        if let Some(reason) = &forced {
            let cap = if tally.forced_in_period >= per_period {
                Some(format!(
                    "{reason}: {} forced task(s) this period already",
                    tally.forced_in_period
                ))
            } else {
                per_year.filter(|max| tally.forced >= *max).map(|max| {
                    format!(
                        "{reason}: {} forced task(s) this year already (cap {max})",
                        tally.forced
                    )
                })
            };
            if cap.is_some() {
                (forced, capped) = (None, cap);
            }
        }
        out.entries.push(Entry {
            id: c.id.clone(),
            class: c.class.clone(),
            cell: plan.stratum_of(c),
            eligible: spared.is_none() && !plan.is_full_coverage(&c.class),
            owed,
            due,
            forced,
            capped,
            spared,
        });
    }
    Ok(out)
}

/// An enterprise's lottery ticket: SHA-256 (lowercase hex) of the UTF-8 text `seed ‖ "\n" ‖ plan
/// digest ‖ "\n" ‖ candidate-list digest ‖ "\n" ‖ enterprise id`. The lower ticket wins.
///
/// ```
/// let t = riskgrade_inspect::ticket("2026-11 lottery", "ab", "cd", "E1");
/// assert_eq!(t.len(), 64);
/// assert_ne!(t, riskgrade_inspect::ticket("2026-11 lottery", "ab", "cd", "E2"));
/// ```
pub fn ticket(seed: &str, plan_digest: &str, candidates_digest: &str, id: &str) -> String {
    let text = format!("{seed}\n{plan_digest}\n{candidates_digest}\n{id}");
    hex(&Sha256::digest(text.as_bytes()))
}

/// An enterprise taken by the lottery (stage 2) and why.
pub(crate) type Pick<'a> = (&'a Entry, Why);

/// Stage 2: the enterprises of each cell, in task order, and the counts per cell.
pub(crate) fn lottery<'a>(
    plan: &Plan,
    list: &'a CandidateList,
    seed: &str,
    plan_digest: &str,
    candidates_digest: &str,
) -> (Vec<Pick<'a>>, Vec<StratumReport>) {
    let mut cells: BTreeMap<(&str, &str), Vec<&Entry>> = BTreeMap::new();
    for e in &list.entries {
        cells.entry((&e.class, &e.cell)).or_default().push(e);
    }
    let mut picks = Vec::new();
    let mut reports = Vec::with_capacity(cells.len());
    for ((class, cell), members) in cells {
        let ratio = plan.effective_ratio(class).unwrap_or(1.0);
        let n = members.len();
        let full = plan.is_full_coverage(class);
        let quota = if full {
            n
        } else {
            ((ratio * n as f64 - 1e-9).ceil().max(0.0) as usize).min(n)
        };
        let mut eligible: Vec<(u32, String, &Entry)> = members
            .iter()
            .filter(|e| e.eligible)
            .map(|e| {
                (
                    e.owed,
                    ticket(seed, plan_digest, candidates_digest, &e.id),
                    *e,
                )
            })
            .collect();
        eligible.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let first = picks.len();
        if full {
            picks.extend(members.iter().map(|e| (*e, Why::FullCoverage)));
        } else {
            let k = quota.min(eligible.len());
            let why = Why::Random {
                quota: n32(k),
                eligible: n32(eligible.len()),
                ratio,
            };
            picks.extend(eligible.iter().take(k).map(|(_, _, e)| (*e, why.clone())));
        }
        let taken: std::collections::HashSet<&str> =
            picks[first..].iter().map(|(e, _)| e.id.as_str()).collect();
        let due: Vec<&Entry> = members
            .iter()
            .filter(|e| e.due && !taken.contains(e.id.as_str()))
            .copied()
            .collect();
        picks.extend(due.iter().map(|e| (*e, Why::Due { owed: e.owed })));
        let forced: Vec<&Entry> = members
            .iter()
            .filter(|e| e.forced.is_some() && !taken.contains(e.id.as_str()) && !e.due)
            .copied()
            .collect();
        picks.extend(
            forced
                .iter()
                .map(|e| (*e, Why::forced(e.forced.as_deref().unwrap_or("")))),
        );
        let random = if full { 0 } else { quota.min(eligible.len()) };
        reports.push(StratumReport {
            class: class.to_string(),
            stratum: cell.to_string(),
            enterprises: n32(n),
            quota: n32(quota),
            full: if full { n32(n) } else { 0 },
            random: n32(random),
            due: n32(due.len()),
            forced: n32(forced.len()),
            forced_drawn: n32(picks[first..]
                .iter()
                .filter(|(e, w)| e.forced.is_some() && !w.is_forced())
                .count()),
            capped: n32(members.iter().filter(|e| e.capped.is_some()).count()),
            spared: n32(members.iter().filter(|e| e.spared.is_some()).count()),
            shortfall: if full { 0 } else { n32(quota - random) },
        });
    }
    (picks, reports)
}
