//! Change notes: why an enterprise's result differs between two periods, told
//! for people — records that started or stopped counting, credit repairs,
//! rules that started or stopped acting, manual decisions, and the indicators
//! whose risk points moved most — and the stored form of one result row.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use riskgrade_core::{
    Date, EffectPeriods, Enterprise, Frame, ListAction, Record, RecordKind, format_number,
};
use riskgrade_engine::{Grades, ReasonWriter};
use riskgrade_rules::Action;
use riskgrade_store::{ChangeKind, ResultRow};

/// One record, for people: `major penalty of 2026-03-04 (120000 yuan)`.
pub(crate) fn describe_record(r: &Record) -> String {
    let what = match &r.kind {
        RecordKind::Penalty { amount, severity } => {
            let sev = match severity {
                riskgrade_core::Severity::Minor => "minor",
                riskgrade_core::Severity::General => "general",
                riskgrade_core::Severity::Major => "major",
            };
            return format!(
                "{sev} penalty of {} ({} yuan)",
                r.date,
                format_number(*amount)
            );
        }
        RecordKind::AbnormalList { action } => list("abnormal-operations list", *action),
        RecordKind::DishonestList { action } => list("serious dishonest list", *action),
        RecordKind::JudgmentDefaulter { action } => list("judgment-defaulter list", *action),
        RecordKind::Inspection { result } => format!(
            "inspection ({})",
            serde_json::to_value(result)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
                .replace('_', " ")
        ),
        RecordKind::Complaint => "complaint".into(),
        RecordKind::Lawsuit { .. } => "lawsuit".into(),
        RecordKind::Change { .. } => "registration change".into(),
        RecordKind::EquityPledge { .. } => "equity pledge".into(),
    };
    format!("{what} of {}", r.date)
}

fn list(name: &str, action: ListAction) -> String {
    match action {
        ListAction::Entry => format!("entry on the {name}"),
        ListAction::Removal => format!("removal from the {name}"),
    }
}

/// The records of `e` that started or stopped counting between two as-of dates.
pub(crate) fn record_changes(
    e: &Enterprise,
    before: Date,
    now: Date,
    periods: &EffectPeriods,
) -> Vec<(ChangeKind, String)> {
    // Records of the same kind that started counting together are told as one line
    // ("9 complaints of 2026-11-04 … 2026-11-30 now count"); penalties, with their
    // amounts, one by one.
    let mut entered: Vec<(String, Vec<&Record>)> = Vec::new();
    let mut out = Vec::new();
    for r in &e.records {
        let was = periods.in_effect(r, before);
        let is = periods.in_effect(r, now);
        if !was && is {
            let key = match r.kind {
                RecordKind::Penalty { .. } => describe_record(r),
                _ => describe_record(r)
                    .trim_end_matches(&format!(" of {}", r.date))
                    .to_string(),
            };
            match entered.iter_mut().find(|(k, _)| *k == key) {
                Some((_, v)) => v.push(r),
                None => entered.push((key, vec![r])),
            }
        } else if was && !is {
            match r.repaired {
                Some(d) if d <= now => out.push((
                    ChangeKind::Repair,
                    format!("{} credit-repaired on {d}", describe_record(r)),
                )),
                _ => out.push((
                    ChangeKind::Record,
                    format!(
                        "{} left its effect period on {}",
                        describe_record(r),
                        r.date.plus(periods.period_of(r))
                    ),
                )),
            }
        }
    }
    let mut lines: Vec<(ChangeKind, String)> = entered
        .into_iter()
        .map(|(key, rs)| {
            let text = match rs.as_slice() {
                [one] => format!("{} now counts", describe_record(one)),
                [first, .., last] => format!(
                    "{} {key} records of {} … {} now count",
                    rs.len(),
                    first.date,
                    last.date
                ),
                [] => String::new(),
            };
            (ChangeKind::Record, text)
        })
        .collect();
    lines.extend(out);
    lines
}

/// Why one enterprise's result differs between two stored rows: manual
/// decisions, rules that started or stopped acting, and the indicators whose
/// risk points moved most (at most three).
pub(crate) fn row_changes(
    before: &ResultRow,
    after: &ResultRow,
    before_indicators: &BTreeMap<String, Vec<String>>,
    after_indicators: &BTreeMap<String, Vec<String>>,
    effects: &[riskgrade_engine::Effect],
) -> Vec<(ChangeKind, String)> {
    let mut out = Vec::new();
    // Its industry or licences changed and another model grades it: the indicators of two
    // models do not compare, so that is the change.
    if let (Some(b), Some(a)) = (&before.model, &after.model)
        && b != a
    {
        out.push((
            ChangeKind::Model,
            if before.industry == after.industry {
                format!("graded by the `{a}` model, was `{b}`")
            } else {
                format!(
                    "graded by the `{a}` model, was `{b}` (industry {} -> {})",
                    or_none(&before.industry),
                    or_none(&after.industry)
                )
            },
        ));
    }
    if before.manual != after.manual {
        if let Some(d) = before.manual {
            out.push((
                ChangeKind::Manual,
                format!("manual decision #{d} no longer applies"),
            ));
        }
        if let Some(d) = after.manual {
            let why = effects
                .iter()
                .find(|e| *e.rule == *format!("manual#{d}"))
                .map(|e| e.text())
                .unwrap_or_else(|| format!("manual decision #{d} applies"));
            out.push((ChangeKind::Manual, why));
        }
    }
    let (b, a) = (&before.rules, &after.rules);
    for id in a
        .iter()
        .filter(|x| !b.contains(x) && !x.starts_with("manual#"))
    {
        let text = effects
            .iter()
            .find(|e| *e.rule == **id)
            .map_or_else(|| id.clone(), |e| e.text());
        out.push((ChangeKind::Rule, format!("acts now: {text}")));
    }
    for id in b
        .iter()
        .filter(|x| !a.contains(x) && !x.starts_with("manual#"))
    {
        out.push((ChangeKind::Rule, format!("{id} no longer acts")));
    }
    for (path, from, to) in indicator_moves(before, after, before_indicators, after_indicators)
        .into_iter()
        .take(3)
    {
        out.push((
            ChangeKind::Indicator,
            format!(
                "{path}: risk points {} -> {}",
                round2_text(from),
                round2_text(to)
            ),
        ));
    }
    out
}

/// A code as shown in a note: `(none)` when empty.
fn or_none(code: &str) -> &str {
    if code.is_empty() { "(none)" } else { code }
}

/// A number rounded to two decimals, for people.
pub(crate) fn round2_text(x: f64) -> String {
    format_number((x * 100.0).round() / 100.0)
}

/// Indicators whose risk points differ between two rows, largest move first
/// (ties by path).
pub(crate) fn indicator_moves(
    before: &ResultRow,
    after: &ResultRow,
    before_indicators: &BTreeMap<String, Vec<String>>,
    after_indicators: &BTreeMap<String, Vec<String>>,
) -> Vec<(String, f64, f64)> {
    if before.model != after.model {
        return Vec::new();
    }
    let model = after.model.as_ref();
    let paths_before = model.and_then(|m| before_indicators.get(m));
    let paths_after = model.and_then(|m| after_indicators.get(m));
    match (paths_before, paths_after) {
        // The model's indicators did not change: drivers compare by index, and only the
        // indicators that moved are named.
        (Some(b), Some(a)) if a == b => moves_by_index(before, after, a),
        _ => moves_by_name(before, after, before_indicators, after_indicators),
    }
}

/// [`indicator_moves`] of two rows whose drivers index the same `paths`.
fn moves_by_index(
    before: &ResultRow,
    after: &ResultRow,
    paths: &[String],
) -> Vec<(String, f64, f64)> {
    // Per indicator: the points before and after (0 when not a driver), and whether either row names it.
    let mut points = vec![(0.0, 0.0, false); paths.len()];
    for (i, p) in before.driver_points() {
        if let Some(slot) = points.get_mut(i) {
            (slot.0, slot.2) = (p, true);
        }
    }
    for (i, p) in after.driver_points() {
        if let Some(slot) = points.get_mut(i) {
            (slot.1, slot.2) = (p, true);
        }
    }
    let mut moves: Vec<(usize, f64, f64)> = points
        .into_iter()
        .enumerate()
        .filter(|&(_, (x, y, named))| named && (x - y).abs() > 1e-6)
        .map(|(i, (x, y, _))| (i, x, y))
        .collect();
    moves.sort_by(|x, y| larger_move_first((&paths[x.0], x.1, x.2), (&paths[y.0], y.1, y.2)));
    moves
        .into_iter()
        .map(|(i, x, y)| (paths[i].clone(), x, y))
        .collect()
}

/// [`indicator_moves`] of two rows whose model's indicators changed between them: matched by path.
fn moves_by_name(
    before: &ResultRow,
    after: &ResultRow,
    before_indicators: &BTreeMap<String, Vec<String>>,
    after_indicators: &BTreeMap<String, Vec<String>>,
) -> Vec<(String, f64, f64)> {
    let named = |row: &ResultRow, ind: &BTreeMap<String, Vec<String>>| -> BTreeMap<String, f64> {
        let paths = row.model.as_ref().and_then(|m| ind.get(m));
        row.driver_points()
            .into_iter()
            .filter_map(|(i, p)| Some((paths?.get(i)?.clone(), p)))
            .collect()
    };
    let b = named(before, before_indicators);
    let a = named(after, after_indicators);
    let mut moves: Vec<(String, f64, f64)> = b
        .keys()
        .chain(a.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|k| {
            (
                k.clone(),
                b.get(k).copied().unwrap_or(0.0),
                a.get(k).copied().unwrap_or(0.0),
            )
        })
        .filter(|(_, x, y)| (x - y).abs() > 1e-6)
        .collect();
    moves.sort_by(|x, y| larger_move_first((&x.0, x.1, x.2), (&y.0, y.1, y.2)));
    moves
}

/// The order of indicator moves `(path, from, to)`: the larger move first, ties by path.
fn larger_move_first(x: (&str, f64, f64), y: (&str, f64, f64)) -> std::cmp::Ordering {
    (y.2 - y.1)
        .abs()
        .total_cmp(&(x.2 - x.1).abs())
        .then_with(|| x.0.cmp(y.0))
}

/// The stored form of row `r`'s result (`reasons`: a writer of `grades`' reasons over `frame`;
/// `points`: the row's leaf points, from [`ReasonWriter::leaf_points`] or
/// [`ReasonWriter::loaded_points`]).
pub(crate) fn result_row(
    grades: &Grades,
    frame: &Frame,
    reasons: &mut ReasonWriter<'_>,
    r: usize,
    points: Option<usize>,
    manual: Option<i64>,
) -> ResultRow {
    let id = grades.id(r).to_string();
    let district = frame.districts().get(r).cloned().unwrap_or_default();
    let industry = frame.industries().get(r).cloned().unwrap_or_default();
    if !grades.is_graded(r) {
        let msgs: Vec<String> = grades
            .issues_of(r)
            .map(|i| format!("column `{}`: {}", i.column, i.problem))
            .collect();
        return ResultRow {
            id,
            model: grades.model(r).map(|m| m.id().to_string()),
            district,
            industry,
            error: Some(if msgs.is_empty() {
                "not graded".into()
            } else {
                msgs.join("; ")
            }),
            ..ResultRow::default()
        };
    }
    let reason_text = {
        let mut text = String::with_capacity(160);
        reasons.push(r, "; ", &mut text);
        text
    };
    let mut drivers = String::with_capacity(256);
    if let Some(m) = grades.model(r) {
        let points = match points {
            Some(i) => reasons.loaded_points(i),
            None => reasons.leaf_points(r),
        };
        for (i, (leaf, p)) in m.leaves().iter().zip(points).enumerate() {
            let risk = leaf.weight * (p - leaf.best).abs();
            if risk > 1e-9 {
                if !drivers.is_empty() {
                    drivers.push(' ');
                }
                push_index(&mut drivers, i);
                drivers.push(':');
                push_rounded4(&mut drivers, risk);
            }
        }
    }
    let labels: Vec<String> = grades.labels(r).map(str::to_string).collect();
    let alerts: Vec<String> = grades
        .alerts(r)
        .filter_map(|e| match &e.action {
            Action::Alert { topic, .. } => Some(format!(
                "{topic} -> {}",
                e.department.as_deref().unwrap_or("(no route)")
            )),
            _ => None,
        })
        .collect();
    let mut rules: Vec<String> = Vec::new();
    for e in grades.effects(r) {
        if !rules.iter().any(|k| *k == *e.rule) {
            rules.push(e.rule.to_string());
        }
    }
    ResultRow {
        id,
        model: grades.model(r).map(|m| m.id().to_string()),
        score: grades.score(r),
        base_score: grades.base_score(r),
        class: grades.class(r).map(str::to_string),
        reasons: reason_text,
        drivers,
        labels,
        alerts,
        rules,
        manual,
        error: None,
        district,
        industry,
    }
}

/// Appends a small index in decimal.
fn push_index(out: &mut String, i: usize) {
    let mut digits = [0u8; 20];
    let (mut n, mut at) = (i, digits.len());
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

/// Appends `x` rounded to 4 decimals, as `format!("{}", (x * 1e4).round() / 1e4)`
/// writes it (the shortest text that reads back as the same number), without
/// formatting a float: the rounded value is a whole number of ten-thousandths.
fn push_rounded4(out: &mut String, x: f64) {
    let k = (x * 1e4).round();
    if k.is_nan() || k.abs() >= 1e15 {
        let _ = write!(out, "{}", k / 1e4);
        return;
    }
    if k.is_sign_negative() {
        out.push('-');
    }
    let k = k.abs() as u64;
    push_index(out, (k / 10_000) as usize);
    let frac = k % 10_000;
    if frac != 0 {
        // Four digits, then the trailing zeros dropped.
        let digits = [1000, 100, 10, 1].map(|d| b'0' + (frac / d % 10) as u8);
        out.push('.');
        out.push_str(
            std::str::from_utf8(&digits)
                .unwrap_or_default()
                .trim_end_matches('0'),
        );
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use std::collections::BTreeMap;

    use riskgrade_store::ResultRow;

    use super::{moves_by_index, moves_by_name, push_index, push_rounded4};

    fn rounded4(x: f64) -> String {
        let mut out = String::new();
        push_rounded4(&mut out, x);
        out
    }

    #[test]
    fn rounded_values_read_as_the_float_formatter_writes_them() {
        for (x, want) in [
            (0.0, "0"),
            (-0.0, "-0"),
            (1e-9, "0"),
            (0.00005, "0.0001"),
            (0.0085, "0.0085"),
            (12.5, "12.5"),
            (40.0, "40"),
            (7.35219, "7.3522"),
            (1000.0001, "1000.0001"),
            (0.01, "0.01"),
            (-2.05, "-2.05"),
            (1e20, "100000000000000000000"),
        ] {
            assert_eq!(rounded4(x), want, "{x}");
            assert_eq!(rounded4(x), format!("{}", (x * 1e4).round() / 1e4), "{x}");
        }
        let mut out = String::from("a");
        push_index(&mut out, 1207);
        push_index(&mut out, 0);
        assert_eq!(out, "a12070");
    }

    fn drivers() -> impl Strategy<Value = String> {
        prop_oneof![
            // As the run writes them: rising indexes, rounded points.
            proptest::collection::btree_map(0usize..12, 0u32..400, 0..8).prop_map(|m| {
                m.into_iter()
                    .map(|(i, p)| format!("{i}:{}", f64::from(p) / 4.0))
                    .collect::<Vec<_>>()
                    .join(" ")
            }),
            // Anything else a stored row may hold: repeats, indexes past the model's, odd text.
            proptest::collection::vec((0usize..16, -5.0f64..5.0), 0..8).prop_map(|v| {
                v.into_iter()
                    .map(|(i, p)| format!("{i}:{p}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            }),
            "[0-9: .a-z]{0,20}",
        ]
    }

    proptest! {
        /// Moves found by index are those found by name when the indicators are the same.
        #[test]
        fn moves_by_index_are_moves_by_name(before in drivers(), after in drivers(), names in proptest::collection::vec("[a-c]{1,2}", 12)) {
            // Paths unique, in an order unlike their names' so that ties sort by name, not index.
            let mut paths: Vec<String> = names.iter().enumerate().map(|(i, n)| format!("{n}.{}", 11 - i)).collect();
            paths.dedup();
            let row = |drivers: &str| ResultRow {
                model: Some("m".into()),
                drivers: drivers.into(),
                ..ResultRow::default()
            };
            let (b, a) = (row(&before), row(&after));
            let ind: BTreeMap<String, Vec<String>> = [("m".to_string(), paths.clone())].into();
            prop_assert_eq!(moves_by_index(&b, &a, &paths), moves_by_name(&b, &a, &ind, &ind));
        }

        #[test]
        fn rounded_values_are_the_float_formatters(
            x in prop_oneof![
                -1e3f64..1e3,
                0.0f64..1.0,
                0.0f64..1e-3,
                -1e11f64..1e11,
                (0u64..10_000_000).prop_map(|k| k as f64 / 1e4),
                any::<f64>(),
            ],
        ) {
            prop_assert_eq!(rounded4(x), format!("{}", (x * 1e4).round() / 1e4));
        }
    }
}
