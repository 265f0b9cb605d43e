//! Stage 1 of a monthly run: the input made ready to grade — the inspection
//! outcomes of the store added to the profiles as records, the credit repairs
//! in effect applied, features derived as of the run's date — and a digest of
//! what was graded.

use std::borrow::Cow;
use std::collections::HashMap;

use rayon::prelude::*;
use riskgrade_core::{Date, Enterprise, Frame, InspectionResult, Record, RecordKind};
use riskgrade_model::ModelSet;
use riskgrade_store::{Decision, DecisionKind};
use sha2::{Digest, Sha256};

use super::MonthInput;

/// The input of a run, ready to grade.
pub(super) struct Prepared<'a> {
    /// The batch in columns.
    pub frame: Cow<'a, Frame>,
    /// The profiles graded (after inspections and repairs), when the input had records.
    pub profiles: Option<Cow<'a, [Enterprise]>>,
    /// Credit-repair decisions applied to records.
    pub repairs: usize,
    /// Inspection outcomes added to the profiles as records.
    pub inspections_added: usize,
    /// SHA-256 of what was graded.
    pub digest: String,
}

/// Adds the stored inspections and applies the repairs in effect (profiles only), and derives
/// the frame. Decisions and inspections that cannot apply are told in `skipped`.
pub(super) fn prepare<'a>(
    set: &ModelSet,
    input: MonthInput<'a>,
    as_of: Date,
    decisions: &[Decision],
    inspections: &[(String, Date, InspectionResult)],
    skipped: &mut Vec<String>,
) -> Prepared<'a> {
    let (profiles, unreadable) = match input {
        MonthInput::Frame(frame) => return prepared_frame(frame, decisions, inspections, skipped),
        MonthInput::File(p) => (p.enterprises.as_slice(), p.unreadable()),
        MonthInput::Profiles(p) => (p, Vec::new()),
    };
    let (with_inspections, inspections_added) = add_inspections(profiles, inspections);
    let base: &[Enterprise] = with_inspections.as_deref().unwrap_or(profiles);
    let (repaired, repairs) = apply_repairs(base, decisions, skipped);
    let repaired = repaired.or(with_inspections);
    let used: &[Enterprise] = repaired.as_deref().unwrap_or(profiles);
    let frame = Frame::from_profiles(used, set.schema(), as_of, set.effect_periods())
        .with_unreadable(unreadable);
    let digest = profiles_digest(used);
    Prepared {
        frame: Cow::Owned(frame),
        profiles: Some(match repaired {
            Some(v) => Cow::Owned(v),
            None => Cow::Borrowed(profiles),
        }),
        repairs,
        inspections_added,
        digest,
    }
}

/// A columnar input is graded as it is: it has no records, so stored inspections and credit
/// repairs cannot apply; each is told in `skipped`.
fn prepared_frame<'a>(
    frame: &'a Frame,
    decisions: &[Decision],
    inspections: &[(String, Date, InspectionResult)],
    skipped: &mut Vec<String>,
) -> Prepared<'a> {
    if !inspections.is_empty() {
        skipped.push(format!(
            "{} inspection outcome(s) in the store: the input holds derived columns, not records; grade from profiles to feed them back",
            inspections.len()
        ));
    }
    for d in decisions.iter().filter(|d| d.kind == DecisionKind::Repair) {
        skipped.push(format!(
            "{}: the input holds derived columns, not records; grade from profiles to apply credit repairs",
            d.describe()
        ));
    }
    Prepared {
        frame: Cow::Borrowed(frame),
        profiles: None,
        repairs: 0,
        inspections_added: 0,
        digest: frame_digest(frame),
    }
}

/// Each profile's position, by enterprise id.
fn index_by_id(profiles: &[Enterprise]) -> HashMap<&str, usize> {
    profiles
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.0.as_str(), i))
        .collect()
}

/// Adds the inspection outcomes recorded in the store ("whoever inspects
/// enters the result") to the profiles as inspection records, unless the
/// profile already holds a record of that inspection (same date and result).
fn add_inspections(
    profiles: &[Enterprise],
    inspections: &[(String, Date, InspectionResult)],
) -> (Option<Vec<Enterprise>>, usize) {
    if inspections.is_empty() {
        return (None, 0);
    }
    let index = index_by_id(profiles);
    let mut out = profiles.to_vec();
    let mut added = 0;
    for (id, date, result) in inspections {
        let Some(&i) = index.get(id.as_str()) else {
            continue;
        };
        let record = Record {
            kind: RecordKind::Inspection { result: *result },
            date: *date,
            repaired: None,
        };
        let e = &mut out[i];
        if !e.records.contains(&record) {
            let at = e.records.partition_point(|r| r.date <= *date);
            e.records.insert(at, record);
            added += 1;
        }
    }
    (Some(out), added)
}

/// Applies the repair decisions in effect: the matching record (same kind and
/// date) gets the decision's repair date unless it was repaired earlier.
/// Returns the changed profiles (`None` when nothing changed) and how many applied.
fn apply_repairs(
    profiles: &[Enterprise],
    decisions: &[Decision],
    skipped: &mut Vec<String>,
) -> (Option<Vec<Enterprise>>, usize) {
    let repairs: Vec<&Decision> = decisions
        .iter()
        .filter(|d| d.kind == DecisionKind::Repair)
        .collect();
    if repairs.is_empty() {
        return (None, 0);
    }
    let index = index_by_id(profiles);
    let mut out = profiles.to_vec();
    let mut applied = 0;
    for d in repairs {
        let Some(rec) = d.record else { continue };
        let Some(&i) = index.get(d.enterprise.as_str()) else {
            skipped.push(format!(
                "{}: enterprise {} is not in this period's input",
                d.describe(),
                d.enterprise
            ));
            continue;
        };
        let mut found = false;
        for r in out[i]
            .records
            .iter_mut()
            .filter(|r| r.kind.record_type() == rec.kind && r.date == rec.date)
        {
            found = true;
            if r.repaired.is_none_or(|x| d.effective < x) {
                r.repaired = Some(d.effective);
            }
        }
        if found {
            applied += 1;
        } else {
            skipped.push(format!(
                "{}: enterprise {} has no {} record dated {}",
                d.describe(),
                d.enterprise,
                rec.kind.name(),
                rec.date
            ));
        }
    }
    (Some(out), applied)
}

/// SHA-256 of the profiles' canonical JSON.
fn profiles_digest(profiles: &[Enterprise]) -> String {
    let parts: Vec<[u8; 32]> = profiles
        .par_chunks(4096)
        .map(|chunk| {
            let mut h = Sha256::new();
            for e in chunk {
                if let Ok(bytes) = serde_json::to_vec(e) {
                    h.update(&bytes);
                }
                h.update(b"\n");
            }
            h.finalize().into()
        })
        .collect();
    combine(&parts)
}

/// SHA-256 over a frame's ids, identities and every column's values.
fn frame_digest(frame: &Frame) -> String {
    let mut parts: Vec<[u8; 32]> = Vec::new();
    let text = |v: &[String]| -> [u8; 32] {
        let mut h = Sha256::new();
        for s in v {
            h.update(s.as_bytes());
            h.update([0]);
        }
        h.finalize().into()
    };
    parts.push(text(frame.ids()));
    parts.push(text(frame.industries()));
    parts.push(text(frame.districts()));
    let cols: Vec<(&str, &riskgrade_core::Column)> =
        frame.columns().map(|(n, _, c)| (n, c)).collect();
    parts.extend(
        cols.par_iter()
            .map(|(name, col)| {
                let mut h = Sha256::new();
                h.update(name.as_bytes());
                match col {
                    riskgrade_core::Column::Number(v) => {
                        update_le(&mut h, v, |x: &f64| x.to_le_bytes());
                    }
                    riskgrade_core::Column::Category { codes, dict } => {
                        for d in dict.iter() {
                            h.update(d.as_bytes());
                            h.update([0]);
                        }
                        update_le(&mut h, codes, |c: &u32| c.to_le_bytes());
                    }
                }
                h.finalize().into()
            })
            .collect::<Vec<[u8; 32]>>(),
    );
    combine(&parts)
}

/// Hashes each value's little-endian bytes in order, as one `update` per value
/// would, a block of values at a time.
fn update_le<T, const N: usize>(h: &mut Sha256, values: &[T], bytes: impl Fn(&T) -> [u8; N]) {
    let mut block = Vec::with_capacity(N * 1024);
    for chunk in values.chunks(1024) {
        block.clear();
        for x in chunk {
            block.extend_from_slice(&bytes(x));
        }
        h.update(&block);
    }
}

fn combine(parts: &[[u8; 32]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    /// The digest of `values` hashed one update per value, and a block at a time.
    fn both<T, const N: usize>(values: &[T], bytes: impl Fn(&T) -> [u8; N]) -> [Vec<u8>; 2] {
        let mut one = Sha256::new();
        for x in values {
            one.update(bytes(x));
        }
        let mut blocks = Sha256::new();
        super::update_le(&mut blocks, values, bytes);
        [one.finalize().to_vec(), blocks.finalize().to_vec()]
    }

    #[test]
    fn values_hashed_in_blocks_hash_as_one_by_one() {
        let values: Vec<f64> = (0..2500).map(|i| f64::from(i) * 0.37 - 11.0).collect();
        let [one, blocks] = both(&values, |x: &f64| x.to_le_bytes());
        assert_eq!(one, blocks);
        let codes: Vec<u32> = (0..1030).collect();
        let [one, blocks] = both(&codes, |c: &u32| c.to_le_bytes());
        assert_eq!(one, blocks);
    }
}
