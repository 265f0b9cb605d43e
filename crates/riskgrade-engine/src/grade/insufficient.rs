//! Insufficient information (信息不足): after the rules, each graded row whose
//! model sets `[insufficient]` is checked for the evidence it needs; below it
//! the row is flagged, given the model's class, or raised to its floor
//! ([`InsufficientAction`]), and its [`Shortage`] is kept for its
//! explanation, the results table and the batch's summary.
//!
//! The check runs over chunks of rows: per chunk, each counted column adds
//! 1 to a row's count where it is known (a `NaN` or a missing category code is
//! not), and each required column counts where it is missing. Only rows that
//! fall short write anything (a few integers and the indices of their missing
//! required inputs into one table per chunk), so rows with enough evidence cost
//! a few additions and allocate nothing. Each row's result depends on its own
//! values only, so it is the same whatever the chunking or thread count.

use std::fmt;

use rayon::prelude::*;
use riskgrade_core::{Column, Frame, MISSING_CODE};
use riskgrade_model::{Insufficient, InsufficientAction, ModelSet};

/// Rows per chunk.
const CHUNK: usize = 1024;

/// One row with insufficient information, as kept by the batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Short {
    /// The row.
    pub(crate) row: u32,
    /// Counted inputs known.
    known: u32,
    /// Its missing required inputs: `missing[start..start + len]`.
    start: u32,
    len: u32,
    /// The class the action gave it, when its class changed.
    changed_to: Option<u8>,
}

/// The rows of a batch with insufficient information, ascending, and the
/// indices (into each model's `required`) of their missing required inputs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Shortages {
    rows: Vec<Short>,
    missing: Vec<u32>,
}

impl Shortages {
    /// Row `r`'s shortage, if it has one.
    pub(crate) fn get(&self, r: usize) -> Option<&Short> {
        let i = self
            .rows
            .binary_search_by_key(&r, |s| s.row as usize)
            .ok()?;
        Some(&self.rows[i])
    }
    /// The rows short of evidence, ascending.
    pub(crate) fn rows(&self) -> &[Short] {
        &self.rows
    }
    /// The view of `s` under `model`'s policy.
    pub(crate) fn view<'a>(
        &'a self,
        s: &Short,
        policy: &'a Insufficient,
        classes: &'a [String],
    ) -> Shortage<'a> {
        let start = s.start as usize;
        Shortage {
            policy,
            classes,
            missing: &self.missing[start..start + s.len as usize],
            known: s.known as usize,
            changed_to: s.changed_to,
        }
    }
}

/// Why an enterprise's information is insufficient ([`crate::Grades::insufficient`]):
/// which required inputs are missing, how many counted inputs are known
/// against how many are needed, and what the model's action did.
///
/// Borrowed from the batch; its [`fmt::Display`] is the reason shown first
/// in explanations and in the results' `reasons`, e.g.
/// ``insufficient information: `years_in_operation` missing; 0 of 19 inputs known, 5 needed -> at least B``.
#[derive(Debug, Clone, Copy)]
pub struct Shortage<'a> {
    policy: &'a Insufficient,
    classes: &'a [String],
    missing: &'a [u32],
    known: usize,
    changed_to: Option<u8>,
}

impl<'a> Shortage<'a> {
    /// The required inputs that are missing, in the model's order.
    pub fn missing_required(&self) -> impl Iterator<Item = &'a str> + 'a {
        let required = &self.policy.required;
        self.missing
            .iter()
            .filter_map(move |&i| required.get(i as usize).map(String::as_str))
    }
    /// How many of the counted inputs are known.
    pub fn known(&self) -> usize {
        self.known
    }
    /// How many inputs the model counts.
    pub fn counted(&self) -> usize {
        self.policy.counted.len()
    }
    /// How many counted inputs must be known.
    pub fn min_known(&self) -> usize {
        self.policy.min_known
    }
    /// What the model does below its minimum.
    pub fn action(&self) -> InsufficientAction {
        self.policy.action
    }
    /// The class the action gave the enterprise, when it changed its class
    /// (`None` for a flag, or when the class already met the floor).
    pub fn changed_to(&self) -> Option<&'a str> {
        self.changed_to
            .and_then(|c| self.classes.get(usize::from(c)))
            .map(String::as_str)
    }
}

impl fmt::Display for Shortage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("insufficient information: ")?;
        let mut any = false;
        for name in self.missing_required() {
            f.write_str(if any { ", `" } else { "`" })?;
            f.write_str(name)?;
            f.write_str("`")?;
            any = true;
        }
        if any {
            f.write_str(" missing; ")?;
        }
        write!(
            f,
            "{} of {} inputs known, {} needed",
            self.known,
            self.counted(),
            self.min_known()
        )?;
        match (self.changed_to(), self.action()) {
            (Some(c), InsufficientAction::AtLeast) => write!(f, " -> at least {c}"),
            (Some(c), _) => write!(f, " -> class {c}"),
            (None, InsufficientAction::Flag) => f.write_str(" (flagged)"),
            (None, _) => Ok(()),
        }
    }
}

/// Whether row `r` of a column holds a value.
fn known(col: Option<&Column>, r: usize) -> bool {
    match col {
        Some(Column::Number(v)) => !v[r].is_nan(),
        Some(Column::Category { codes, .. }) => codes[r] != MISSING_CODE,
        None => false,
    }
}

/// One model's policy with its columns looked up once.
struct Bound<'a> {
    policy: &'a Insufficient,
    required: Vec<Option<&'a Column>>,
    counted: Vec<Option<&'a Column>>,
}

/// Checks every graded row against its model's `[insufficient]` table and
/// applies its action to `class`. `before` holds the classes the scores gave
/// (before the rules), needed only when a model's action is `class` (a rule
/// that raised the class above it keeps it). An input the frame has no column
/// for is missing on every row.
pub(crate) fn apply(
    set: &ModelSet,
    frame: &Frame,
    model_of: &[u16],
    graded: &(impl Fn(usize) -> bool + Sync),
    before: Option<&[u8]>,
    class: &mut [u8],
) -> Shortages {
    let col = |name: &String| frame.column(name).map(|(_, c)| c);
    let bound: Vec<Option<Bound<'_>>> = set
        .models()
        .iter()
        .map(|m| {
            m.insufficient().map(|p| Bound {
                policy: p,
                required: p.required.iter().map(col).collect(),
                counted: p.counted.iter().map(col).collect(),
            })
        })
        .collect();
    if bound.iter().all(Option::is_none) {
        return Shortages::default();
    }
    let chunks: Vec<Shortages> = class
        .par_chunks_mut(CHUNK)
        .enumerate()
        .map(|(k, class)| {
            let at = Chunk {
                start: k * CHUNK,
                model_of,
                graded,
                before,
            };
            at.check(&bound, class)
        })
        .collect();
    let mut out = Shortages::default();
    for c in chunks {
        let base = out.missing.len() as u32;
        out.rows.extend(c.rows.into_iter().map(|s| Short {
            start: s.start + base,
            ..s
        }));
        out.missing.extend(c.missing);
    }
    out
}

/// One chunk of rows and what it reads.
struct Chunk<'a, G> {
    start: usize,
    model_of: &'a [u16],
    graded: &'a G,
    before: Option<&'a [u8]>,
}

impl<G: Fn(usize) -> bool> Chunk<'_, G> {
    /// The shortages of this chunk's rows (`class` is the chunk's slice).
    fn check(&self, bound: &[Option<Bound<'_>>], class: &mut [u8]) -> Shortages {
        let mut out = Shortages::default();
        let rows = self.start..self.start + class.len();
        let mut count = [0u32; CHUNK];
        let mut lacking = [0u32; CHUNK];
        for (m, b) in bound.iter().enumerate() {
            let Some(b) = b else { continue };
            if !rows.clone().any(|r| usize::from(self.model_of[r]) == m) {
                continue;
            }
            count.fill(0);
            lacking.fill(0);
            for c in &b.counted {
                for (k, r) in rows.clone().enumerate() {
                    count[k] += u32::from(known(*c, r));
                }
            }
            for c in &b.required {
                for (k, r) in rows.clone().enumerate() {
                    lacking[k] += u32::from(!known(*c, r));
                }
            }
            for (k, r) in rows.clone().enumerate() {
                let short = lacking[k] > 0 || (count[k] as usize) < b.policy.min_known;
                if short && usize::from(self.model_of[r]) == m && (self.graded)(r) {
                    let start = out.missing.len() as u32;
                    for (i, c) in b.required.iter().enumerate() {
                        if !known(*c, r) {
                            out.missing.push(i as u32);
                        }
                    }
                    let changed_to = self.act(b.policy, r, &mut class[k]);
                    out.rows.push(Short {
                        row: r as u32,
                        known: count[k],
                        start,
                        len: lacking[k],
                        changed_to,
                    });
                }
            }
        }
        out.rows.sort_unstable_by_key(|s| s.row);
        out
    }

    /// Applies the policy's action to row `r`'s class; the class given when it changed.
    fn act(&self, p: &Insufficient, r: usize, class: &mut u8) -> Option<u8> {
        let given = p.class.and_then(|c| u8::try_from(c).ok()).unwrap_or(*class);
        let new = match p.action {
            InsufficientAction::Flag => *class,
            InsufficientAction::AtLeast => (*class).max(given),
            InsufficientAction::Class => match self.before {
                // A rule that raised the class (a veto, a floor) is evidence of risk and stands.
                Some(b) if *class > b[r] => (*class).max(given),
                _ => given,
            },
        };
        let changed = (new != *class).then_some(new);
        *class = new;
        changed
    }
}
