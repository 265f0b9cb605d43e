//! The monthly cycle: grade a period, apply manual decisions, store it, and
//! explain what changed since the period before.

use std::collections::{BTreeMap, HashMap};
use std::fmt::{self, Write as _};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use riskgrade_core::Month;
use riskgrade_core::{
    Date, EffectPeriods, Enterprise, Frame, ListAction, Record, RecordKind, format_number,
};
use riskgrade_engine::{EvalError, Grader, Grades, ManualClass, Options};
use riskgrade_model::ModelSet;
use riskgrade_rules::Action;
use riskgrade_store::{
    ChangeKind, ChangeNote, Decision, DecisionKind, NewRun, ResultRow, RunInfo, Store, StoreError,
};
use sha2::{Digest, Sha256};

/// Why a monthly run failed. The store is unchanged when it does.
#[derive(Debug, thiserror::Error)]
pub enum MonthlyError {
    /// The batch could not be graded.
    #[error(transparent)]
    Eval(#[from] EvalError),
    /// The history store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The same enterprise appears more than once; a period holds each enterprise once.
    #[error("{0}")]
    DuplicateIds(String),
}

/// The enterprises of one month: nested profiles (records are known, so
/// credit repairs apply and record changes are explained) or derived columns.
#[derive(Debug, Clone, Copy)]
pub enum MonthInput<'a> {
    /// Profiles; features are derived as of the run's date.
    Profiles(&'a [Enterprise]),
    /// Profiles read from a file, with the lines that could not be read: those
    /// are stored as enterprises not graded, with the line and the problem.
    File(&'a riskgrade_io::Profiles),
    /// A columnar batch whose features were derived already.
    Frame(&'a Frame),
}

/// What a monthly run did.
#[derive(Debug)]
pub struct MonthReport {
    /// The stored run.
    pub run: RunInfo,
    /// The period before, if the store has one.
    pub previous: Option<RunInfo>,
    /// Enterprises whose class became riskier than in the previous period.
    pub riskier: u64,
    /// Enterprises whose class became less risky.
    pub less_risky: u64,
    /// Enterprises graded now that were not graded in the previous period.
    pub new: u64,
    /// Enterprises of the previous period missing from this one.
    pub gone: u64,
    /// Enterprises graded in the previous period that could not be graded now (their error is stored).
    pub no_longer_graded: u64,
    /// Explained changes stored, by kind.
    pub notes: BTreeMap<&'static str, u64>,
    /// Manual class overrides applied.
    pub overrides: usize,
    /// Credit-repair decisions applied to records.
    pub repairs: usize,
    /// Inspection outcomes from the store added to the profiles as records.
    pub inspections_added: usize,
    /// Decisions that could not be applied, and why (the enterprise is absent,
    /// the record does not exist, the input has no records, …).
    pub skipped_decisions: Vec<String>,
    /// The grades of this run (for explanations).
    pub grades: Grades,
    /// The frame that was graded.
    /// The frame that was graded, when the run derived it from profiles
    /// (with a [`MonthInput::Frame`] the caller holds it already).
    pub frame: Option<Frame>,
    /// Time spent grading (features included) and storing.
    pub timings: (Duration, Duration),
    /// PSI of the score against the previous period, per model (empty for the first period).
    pub score_psi: Vec<crate::Stability>,
}

impl fmt::Display for MonthReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.run;
        write!(
            f,
            "{} (as of {}): {} enterprises, {} graded, {} not graded;",
            r.period, r.as_of, r.enterprises, r.graded, r.errors
        )?;
        for (c, n) in r.classes.iter().zip(&r.class_counts) {
            write!(f, " {c} {n}")?;
        }
        writeln!(f)?;
        match &self.previous {
            Some(p) => {
                write!(
                    f,
                    "  since {}: {} riskier, {} less risky, {} new, {} gone, {} no longer graded",
                    p.period,
                    self.riskier,
                    self.less_risky,
                    self.new,
                    self.gone,
                    self.no_longer_graded
                )?;
                for p in &self.score_psi {
                    write!(f, "; score PSI ({}) {:.4} {}", p.model, p.psi, p.band())?;
                }
                if !self.notes.is_empty() {
                    let parts: Vec<String> =
                        self.notes.iter().map(|(k, n)| format!("{k} {n}")).collect();
                    write!(f, "; reasons: {}", parts.join(", "))?;
                }
                writeln!(f)?;
            }
            None => writeln!(f, "  first period in the store")?,
        }
        if self.overrides + self.repairs > 0 {
            writeln!(
                f,
                "  manual decisions applied: {} class override(s), {} credit repair(s)",
                self.overrides, self.repairs
            )?;
        }
        if self.inspections_added > 0 {
            writeln!(
                f,
                "  inspection outcomes fed back as records: {}",
                self.inspections_added
            )?;
        }
        for s in &self.skipped_decisions {
            writeln!(f, "  decision not applied: {s}")?;
        }
        Ok(())
    }
}

/// Runs one month: applies the credit repairs in effect to the profiles,
/// derives features, grades (rules included, per `options`), applies the class
/// overrides in effect, compares with the previous period to explain each
/// class change, and stores the period in one transaction (replacing an
/// earlier run of the same period).
///
/// ```
/// use std::sync::Arc;
/// use riskgrade_engine::Options;
/// use riskgrade_monthly::{MonthInput, run_month};
/// use riskgrade_store::Store;
/// use riskgrade_synth::{SynthConfig, generate};
///
/// let set = Arc::new(riskgrade_model::examples::reference()?);
/// let mut store = Store::in_memory()?;
/// let p1: riskgrade_core::Month = "2026-09".parse()?;
/// let mut synth = generate(&SynthConfig::new(300, 7, p1.last_day()));
/// let first = run_month(&mut store, &set, MonthInput::Profiles(&synth.enterprises), p1, p1.last_day(), &Options::default())?;
/// assert_eq!(first.run.enterprises, 300);
///
/// let p2 = p1.next();
/// riskgrade_synth::evolve(&mut synth, p1.last_day(), p2.last_day(), 7);
/// let second = run_month(&mut store, &set, MonthInput::Profiles(&synth.enterprises), p2, p2.last_day(), &Options::default())?;
/// assert_eq!(second.previous.as_ref().map(|r| r.period), Some(p1));
/// println!("{second}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`MonthlyError::Eval`] when the batch cannot be graded (a missing column,
/// strict mode), [`MonthlyError::Store`] when the store fails; the store is
/// then unchanged.
pub fn run_month(
    store: &mut Store,
    set: &Arc<ModelSet>,
    input: MonthInput<'_>,
    period: Month,
    as_of: Date,
    options: &Options,
) -> Result<MonthReport, MonthlyError> {
    let t0 = Instant::now();
    let decisions = store.decisions_in_effect(as_of)?;
    let inspections = store.inspections_until(as_of)?;
    let mut added = 0usize;
    let mut skipped = Vec::new();
    let periods = set.effect_periods();
    // Credit repairs change the records before features are derived.
    let (frame, profiles_used, repairs, digest) = match input {
        MonthInput::Profiles(_) | MonthInput::File(_) => {
            let (profiles, unreadable) = match input {
                MonthInput::File(p) => (
                    p.enterprises.as_slice(),
                    p.issues
                        .iter()
                        .map(|i| {
                            (
                                i.id.clone().unwrap_or_else(|| format!("(line {})", i.line)),
                                format!("line {}: {}", i.line, i.message),
                            )
                        })
                        .collect(),
                ),
                MonthInput::Profiles(p) => (p, Vec::new()),
                MonthInput::Frame(_) => (&[][..], Vec::new()),
            };
            let (with_inspections, inspections_added) = add_inspections(profiles, &inspections);
            let base: &[Enterprise] = with_inspections.as_deref().unwrap_or(profiles);
            let (repaired, applied) = apply_repairs(base, &decisions, &mut skipped);
            let repaired = repaired.or(with_inspections);
            added = inspections_added;
            let used: &[Enterprise] = repaired.as_deref().unwrap_or(profiles);
            let frame = std::borrow::Cow::Owned(
                Frame::from_profiles(used, set.schema(), as_of, periods)
                    .with_unreadable(unreadable),
            );
            let digest = profiles_digest(used);
            (
                frame,
                Some(match repaired {
                    Some(v) => std::borrow::Cow::Owned(v),
                    None => std::borrow::Cow::Borrowed(profiles),
                }),
                applied,
                digest,
            )
        }
        MonthInput::Frame(frame) => {
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
            (
                std::borrow::Cow::Borrowed(frame),
                None,
                0,
                frame_digest(frame),
            )
        }
    };
    let grader = Grader::new(Arc::clone(set));
    let mut grades = grader.grade_with(&frame, profiles_used.as_deref(), as_of, options)?;
    // Class overrides: an enterprise's latest active override wins; earlier ones are reported.
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
    let n_overrides = manual_of.len();
    let t_grade = t0.elapsed();

    let t1 = Instant::now();
    let indicators: BTreeMap<String, Vec<String>> = set
        .models()
        .iter()
        .map(|m| {
            (
                m.id().to_string(),
                m.leaves().iter().map(|l| l.path.clone()).collect(),
            )
        })
        .collect();
    let classes: Vec<String> = grades
        .summary()
        .overall
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    let previous = store.previous_run(period)?;
    // Rows in id order: the store's key order, and the order of the previous period's scan.
    let mut order: Vec<usize> = (0..grades.len()).collect();
    order.par_sort_unstable_by(|&a, &b| grades.id(a).cmp(grades.id(b)).then(a.cmp(&b)));
    let dups: Vec<String> = order
        .windows(2)
        .filter(|w| grades.id(w[0]) == grades.id(w[1]))
        .take(5)
        .map(|w| {
            format!(
                "enterprise `{}` in rows {} and {}",
                grades.id(w[0]),
                w[0] + 1,
                w[1] + 1
            )
        })
        .collect();
    if !dups.is_empty() {
        return Err(MonthlyError::DuplicateIds(format!(
            "the input holds an enterprise more than once ({}); a period holds each enterprise once, so nothing was stored",
            dups.join("; ")
        )));
    }
    let build = |r: usize| result_row(&grades, &frame, r, manual_of.get(&r).copied());

    // Compare with the previous period: classes of every enterprise, full rows of the movers.
    let mut movers: Vec<(usize, ResultRow)> = Vec::new();
    let (mut riskier, mut less_risky, mut new, mut gone) = (0u64, 0u64, 0u64, 0u64);
    let mut no_longer_graded = 0u64;
    let mut prev_scores: Vec<(String, Vec<f64>)> = Vec::new();
    if let Some(prev) = &previous {
        let rank = |classes: &[String], c: &Option<String>| {
            c.as_ref().and_then(|c| classes.iter().position(|k| k == c))
        };
        let mut i = 0usize;
        let mut seen_prev = |row: ResultRow| -> Result<(), StoreError> {
            if let (Some(m), Some(score), Some(_)) = (&row.model, row.score, &row.class) {
                match prev_scores.iter_mut().find(|(k, _)| k == m) {
                    Some((_, v)) => v.push(score),
                    None => prev_scores.push((m.clone(), vec![score])),
                }
            }
            while i < order.len() && grades.id(order[i]) < row.id.as_str() {
                if grades.is_graded(order[i]) {
                    new += 1;
                    movers.push((order[i], ResultRow::default()));
                }
                i += 1;
            }
            if i < order.len() && grades.id(order[i]) == row.id {
                let r = order[i];
                i += 1;
                let now = grades.class(r).map(str::to_string);
                match (rank(&prev.classes, &row.class), rank(&classes, &now)) {
                    (Some(a), Some(b)) if a != b => {
                        if b > a {
                            riskier += 1;
                        } else {
                            less_risky += 1;
                        }
                        movers.push((r, row));
                    }
                    (None, Some(_)) => {
                        new += 1;
                        movers.push((r, row));
                    }
                    (Some(_), None) => no_longer_graded += 1,
                    _ => {}
                }
            } else {
                gone += 1;
            }
            Ok(())
        };
        store.scan_results(prev.period, &mut seen_prev)?;
        for &r in &order[i..] {
            if grades.is_graded(r) {
                new += 1;
                movers.push((r, ResultRow::default()));
            }
        }
    }
    let prev_indicators = previous.as_ref().map(|p| &p.indicators);
    let notes: Vec<ChangeNote> = movers
        .par_iter()
        .flat_map_iter(|(r, prev_row)| {
            let now = build(*r);
            let mut out = Vec::new();
            let prev_ok = !prev_row.id.is_empty();
            let from_class = prev_row.class.clone();
            let mut push = |kind: ChangeKind, detail: String| {
                out.push(ChangeNote {
                    id: now.id.clone(),
                    from_class: from_class.clone(),
                    to_class: now.class.clone(),
                    kind,
                    detail,
                });
            };
            if !prev_ok || prev_row.class.is_none() {
                push(
                    ChangeKind::New,
                    if prev_ok {
                        "not graded in the previous period".into()
                    } else {
                        "not in the previous period".into()
                    },
                );
            }
            if let (Some(prev), Some(e)) =
                (&previous, profiles_used.as_deref().and_then(|p| p.get(*r)))
            {
                for (kind, detail) in record_changes(e, prev.as_of, as_of, periods) {
                    push(kind, detail);
                }
            }
            if prev_ok {
                let version_changed = previous
                    .as_ref()
                    .is_some_and(|p| p.version_id != grades.version_id());
                if version_changed {
                    push(
                        ChangeKind::Model,
                        format!(
                            "model set {} -> {}",
                            previous.as_ref().map_or("", |p| p.version_id.as_str()),
                            grades.version_id()
                        ),
                    );
                }
                let empty = BTreeMap::new();
                for (kind, detail) in row_changes(
                    prev_row,
                    &now,
                    prev_indicators.unwrap_or(&empty),
                    &indicators,
                    grades.effects(*r),
                ) {
                    push(kind, detail);
                }
            }
            out
        })
        .collect();

    let score_psi: Vec<crate::Stability> = prev_scores
        .iter()
        .filter_map(|(model, before)| {
            let m = set.index_of(model)?;
            let now: Vec<f64> = (0..grades.len())
                .filter(|&r| grades.is_graded(r) && grades.model_index(r) == Some(m))
                .filter_map(|r| grades.score(r))
                .collect();
            (!now.is_empty()).then(|| crate::Stability {
                what: "score".into(),
                model: model.clone(),
                psi: riskgrade_engine::psi(before, &now),
            })
        })
        .collect();
    // Write the period in one transaction.
    let mut run = NewRun::new(period, as_of, grades.version_id(), classes);
    run.input_digest = digest;
    run.indicators = indicators;
    run.compared_with = previous.as_ref().map(|p| p.period);
    let mut writer = store.begin_run(run)?;
    // Rows are built in parallel, a chunk ahead of the thread that inserts them.
    let chunks: Vec<&[usize]> = order.chunks(16_384).collect();
    std::thread::scope(|scope| -> Result<(), StoreError> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<ResultRow>>(2);
        let build = &build;
        let chunks = &chunks;
        scope.spawn(move || {
            for chunk in chunks {
                let rows: Vec<ResultRow> = chunk.par_iter().map(|&r| build(r)).collect();
                if tx.send(rows).is_err() {
                    return;
                }
            }
        });
        for rows in rx {
            writer.insert_all(&rows)?;
        }
        Ok(())
    })?;
    let mut by_kind: BTreeMap<&'static str, u64> = BTreeMap::new();
    for note in &notes {
        writer.note(note)?;
        *by_kind.entry(note.kind.name()).or_default() += 1;
    }
    let info = writer.commit()?;
    Ok(MonthReport {
        run: info,
        previous,
        riskier,
        less_risky,
        new,
        gone,
        no_longer_graded,
        notes: by_kind,
        overrides: n_overrides,
        repairs,
        inspections_added: added,
        skipped_decisions: skipped,
        grades,
        frame: match frame {
            std::borrow::Cow::Owned(f) => Some(f),
            std::borrow::Cow::Borrowed(_) => None,
        },
        timings: (t_grade, t1.elapsed()),
        score_psi,
    })
}

/// Adds the inspection outcomes recorded in the store ("whoever inspects
/// enters the result") to the profiles as inspection records, unless the
/// profile already holds a record of that inspection (same date and result).
fn add_inspections(
    profiles: &[Enterprise],
    inspections: &[(String, Date, riskgrade_core::InspectionResult)],
) -> (Option<Vec<Enterprise>>, usize) {
    if inspections.is_empty() {
        return (None, 0);
    }
    let index: HashMap<&str, usize> = profiles
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.0.as_str(), i))
        .collect();
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
    let index: HashMap<&str, usize> = profiles
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.0.as_str(), i))
        .collect();
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
    let ids = |s: &str| -> Vec<String> {
        s.split(' ')
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (b, a) = (ids(&before.rules), ids(&after.rules));
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

/// A number rounded to two decimals, for people.
pub(crate) fn round2_text(x: f64) -> String {
    format_number((x * 100.0).round() / 100.0)
}

/// Indicators whose risk points differ between two rows, largest move first.
pub(crate) fn indicator_moves(
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
    if before.model != after.model {
        return Vec::new();
    }
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
    moves.sort_by(|x, y| {
        (y.2 - y.1)
            .abs()
            .total_cmp(&(x.2 - x.1).abs())
            .then_with(|| x.0.cmp(&y.0))
    });
    moves
}

/// The stored form of row `r`'s result.
pub(crate) fn result_row(
    grades: &Grades,
    frame: &Frame,
    r: usize,
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
    let mut reasons = String::with_capacity(160);
    grades.push_reason_texts(frame, r, "; ", &mut reasons);
    let mut drivers = String::new();
    if let Some(m) = grades.model(r) {
        for (i, (leaf, p)) in m
            .leaves()
            .iter()
            .zip(grades.leaf_points(frame, r))
            .enumerate()
        {
            let risk = leaf.weight * (p - leaf.best).abs();
            if risk > 1e-9 {
                if !drivers.is_empty() {
                    drivers.push(' ');
                }
                // Shortest round-trip text of the value rounded to 4 decimals.
                let _ = write!(drivers, "{i}:{}", (risk * 1e4).round() / 1e4);
            }
        }
    }
    let labels: Vec<&str> = grades.labels(r).collect();
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
    let mut rules: Vec<&str> = Vec::new();
    for e in grades.effects(r) {
        if !rules.contains(&&*e.rule) {
            rules.push(&e.rule);
        }
    }
    ResultRow {
        id,
        model: grades.model(r).map(|m| m.id().to_string()),
        score: grades.score(r),
        base_score: grades.base_score(r),
        class: grades.class(r).map(str::to_string),
        reasons,
        drivers,
        labels: labels.join("; "),
        alerts: alerts.join("; "),
        rules: rules.join(" "),
        manual,
        error: None,
        district,
        industry,
    }
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
                        for x in v.iter() {
                            h.update(x.to_le_bytes());
                        }
                    }
                    riskgrade_core::Column::Category { codes, dict } => {
                        for d in dict.iter() {
                            h.update(d.as_bytes());
                            h.update([0]);
                        }
                        for c in codes.iter() {
                            h.update(c.to_le_bytes());
                        }
                    }
                }
                h.finalize().into()
            })
            .collect::<Vec<[u8; 32]>>(),
    );
    combine(&parts)
}

fn combine(parts: &[[u8; 32]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
