//! Stage 3 of a monthly run: the class overrides in effect applied to the
//! grades. An enterprise's latest active override wins; earlier ones, and
//! overrides of enterprises absent from the input, are reported.

use std::collections::{BTreeMap, HashMap};

use riskgrade_engine::{Grades, ManualClass};
use riskgrade_store::{Decision, DecisionKind};

/// Applies the overrides among `decisions` to `grades`; returns the decision that set each
/// overridden row's class. What could not apply is told in `skipped`.
pub(super) fn apply_overrides(
    grades: &mut Grades,
    decisions: &[Decision],
    skipped: &mut Vec<String>,
) -> HashMap<usize, i64> {
    let mut latest: BTreeMap<&str, &Decision> = BTreeMap::new();
    for d in decisions
        .iter()
        .filter(|d| d.kind == DecisionKind::Override)
    {
        if let Some(prev) = latest.insert(d.enterprise.as_str(), d) {
            skipped.push(format!(
                "{}: superseded by decision #{} for the same enterprise",
                prev.describe(),
                d.id
            ));
        }
    }
    let rows: HashMap<&str, usize> = if latest.is_empty() {
        HashMap::new()
    } else {
        (0..grades.len()).map(|r| (grades.id(r), r)).collect()
    };
    let mut manual_of: HashMap<usize, i64> = HashMap::new();
    let mut overrides = Vec::new();
    for d in latest.values() {
        let Some(&r) = rows.get(d.enterprise.as_str()) else {
            skipped.push(format!(
                "{}: enterprise {} is not in this period's input",
                d.describe(),
                d.enterprise
            ));
            continue;
        };
        manual_of.insert(r, d.id);
        overrides.push(ManualClass {
            row: r,
            class: d.class.clone().unwrap_or_default(),
            decision: format!("manual#{}", d.id),
            reason: format!("manual decision by {}: {}", d.decided_by, d.reason),
        });
    }
    drop(rows);
    for (r, why) in grades.apply_manual(&overrides) {
        if let Some(id) = manual_of.remove(&r) {
            skipped.push(format!("decision #{id} for {}: {why}", grades.id(r)));
        }
    }
    manual_of
}
