//! The monthly cycle over a simulated year: runs, explained changes, manual
//! decisions, period comparison, history, sharing, and the properties of
//! effect periods, credit repair and re-runs.

use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use riskgrade::Month;
use riskgrade::store::{
    ChangeKind, DecisionStatus, NewDecision, Resolution, ResultRow, Store, StoreError,
};
use riskgrade::synth::{SynthConfig, evolve, generate};
use riskgrade::{
    Date, Enterprise, Frame, Grader, ModelSet, MonthInput, Options, Record, RecordKind, RecordType,
    Severity, compare_periods, export_period, import_period, run_month,
};

fn set() -> Arc<ModelSet> {
    static SET: OnceLock<Arc<ModelSet>> = OnceLock::new();
    Arc::clone(SET.get_or_init(|| Arc::new(riskgrade::examples::reference().expect("reference"))))
}

fn month(s: &str) -> Month {
    s.parse().expect("month")
}

fn results(store: &Store, p: Month) -> Vec<ResultRow> {
    let mut out = Vec::new();
    store
        .scan_results::<StoreError>(p, |r| {
            out.push(r);
            Ok(())
        })
        .expect("scan");
    out
}

/// Twelve months of 1,500 enterprises, with an override, a repair and an objection along the way.
struct Year {
    store: Store,
    months: Vec<Month>,
    override_id: i64,
    overridden: String,
    repaired: (String, Record),
    profiles: Vec<Vec<Enterprise>>,
}

fn year() -> &'static std::sync::Mutex<Year> {
    static YEAR: OnceLock<std::sync::Mutex<Year>> = OnceLock::new();
    YEAR.get_or_init(|| {
        let set = set();
        let mut store = Store::in_memory().expect("store");
        let start = month("2025-12");
        let mut synth = generate(&SynthConfig::new(1_500, 11, start.last_day()));
        let mut months = Vec::new();
        let mut profiles = Vec::new();
        let mut override_id = 0;
        let mut overridden = String::new();
        let mut repaired = (
            String::new(),
            synth.enterprises[0]
                .records
                .first()
                .cloned()
                .unwrap_or_else(|| panic!("records")),
        );
        let mut p = start;
        for k in 0..12 {
            if k > 0 {
                let next = p.next();
                evolve(&mut synth, p.last_day(), next.last_day(), 11);
                p = next;
            }
            if k == 3 {
                // A class override for three months, on an enterprise the model grades A.
                let last = results(&store, p.prev());
                let a = last
                    .iter()
                    .find(|r| r.class.as_deref() == Some("A"))
                    .expect("an A");
                overridden = a.id.clone();
                override_id = store
                    .decide(
                        NewDecision::overriding(
                            &a.id,
                            "C",
                            p.first_day(),
                            "Li Wei",
                            "on-site check found falsified records",
                        )
                        .until(p.next().next().last_day()),
                    )
                    .expect("override");
                // A credit repair of a general or major penalty still in effect.
                let periods = set.effect_periods();
                let (e, r) = synth
                    .enterprises
                    .iter()
                    .find_map(|e| {
                        e.records
                            .iter()
                            .find(|r| {
                                matches!(
                                    r.kind,
                                    RecordKind::Penalty {
                                        severity: Severity::Major,
                                        ..
                                    }
                                ) && periods.in_effect(r, p.last_day())
                                    && r.repaired.is_none()
                            })
                            .map(|r| (e.id.0.clone(), r.clone()))
                    })
                    .expect("a major penalty in effect");
                store
                    .decide(NewDecision::repair(
                        &e,
                        RecordType::Penalty,
                        r.date,
                        p.first_day(),
                        "Wang Fang",
                        "fine paid and rectified",
                    ))
                    .expect("repair");
                repaired = (e, r);
            }
            run_month(
                &mut store,
                &set,
                MonthInput::Profiles(&synth.enterprises),
                p,
                p.last_day(),
                &Options::default(),
            )
            .expect("run");
            months.push(p);
            profiles.push(synth.enterprises.clone());
        }
        std::sync::Mutex::new(Year {
            store,
            months,
            override_id,
            overridden,
            repaired,
            profiles,
        })
    })
}

#[test]
fn a_year_is_stored_period_by_period_and_every_class_change_is_explained() {
    let y = year().lock().expect("lock");
    let runs = y.store.runs().expect("runs");
    assert_eq!(runs.iter().map(|r| r.period).collect::<Vec<_>>(), y.months);
    for run in &runs {
        assert_eq!(run.enterprises, 1_500);
        assert_eq!(run.class_counts.iter().sum::<u64>(), run.graded);
        assert_eq!(run.graded + run.errors, run.enterprises);
        assert_eq!(run.input_digest.len(), 64, "sha-256 hex digest");
    }
    let mut moved_total = 0;
    for w in y.months.windows(2) {
        let (a, b) = (w[0], w[1]);
        let before = results(&y.store, a);
        let after = results(&y.store, b);
        let notes = y.store.changes(b, None).expect("changes");
        let mut moved = 0;
        for (x, z) in before.iter().zip(&after) {
            assert_eq!(x.id, z.id);
            if x.class != z.class {
                moved += 1;
                let own: Vec<_> = notes.iter().filter(|n| n.id == z.id).collect();
                assert!(
                    !own.is_empty(),
                    "{} moved {:?} -> {:?} in {b} without a reason",
                    z.id,
                    x.class,
                    z.class
                );
                assert!(
                    own.iter()
                        .all(|n| n.from_class == x.class && n.to_class == z.class)
                );
            }
        }
        // Notes are stored only for enterprises whose class changed.
        let noted: std::collections::BTreeSet<&str> = notes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(noted.len(), moved, "{b}");
        moved_total += moved;
    }
    assert!(moved_total > 20, "a year moves enterprises: {moved_total}");
    // Records entering and leaving their effect period and credit repairs are among the reasons.
    let kinds: std::collections::BTreeSet<ChangeKind> = y
        .months
        .iter()
        .flat_map(|&m| y.store.changes(m, None).expect("changes"))
        .map(|n| n.kind)
        .collect();
    for k in [
        ChangeKind::Record,
        ChangeKind::Indicator,
        ChangeKind::Manual,
    ] {
        assert!(kinds.contains(&k), "{k:?} missing from {kinds:?}");
    }
}

#[test]
fn a_class_override_applies_within_its_dates_and_shows_in_the_history() {
    let y = year().lock().expect("lock");
    let id = y.overridden.as_str();
    let h = y.store.history(id).expect("history");
    assert_eq!(h.len(), 12);
    for (k, e) in h.iter().enumerate() {
        let r = e.result.as_ref().expect("graded");
        if (3..6).contains(&k) {
            assert_eq!(r.class.as_deref(), Some("C"), "{}", e.period);
            assert_eq!(r.manual, Some(y.override_id));
            assert!(r.rules.contains(&format!("manual#{}", y.override_id)));
        } else {
            assert_eq!(r.manual, None, "{}", e.period);
        }
    }
    assert!(
        h[3].changes
            .iter()
            .any(|c| c.kind == ChangeKind::Manual && c.detail.contains("falsified"))
    );
    assert!(
        h[6].changes
            .iter()
            .any(|c| c.kind == ChangeKind::Manual && c.detail.contains("no longer applies"))
    );
}

#[test]
fn a_credit_repair_decision_stops_the_record_counting_from_its_date() {
    let y = year().lock().expect("lock");
    let set = set();
    let (id, record) = &y.repaired;
    let p = y.months[3];
    let profiles = &y.profiles[3];
    let e = profiles.iter().find(|e| &e.id.0 == id).expect("enterprise");
    // Grade the enterprise as the run saw it (repaired) and without the record at all: the same score.
    let mut without = e.clone();
    without.records.retain(|r| r != record);
    let grader = Grader::new(Arc::clone(&set));
    let g = grader
        .grade_profiles(&[without], p.last_day(), &Options::default())
        .expect("grade");
    let stored = y.store.result(p, id).expect("read").expect("row");
    assert_eq!(stored.score, g.score(0));
    // The month before, the record still counted.
    let unrepaired = grader
        .grade_profiles(
            std::slice::from_ref(
                &y.profiles[2]
                    .iter()
                    .find(|x| &x.id.0 == id)
                    .cloned()
                    .expect("e"),
            ),
            y.months[2].last_day(),
            &Options::default(),
        )
        .expect("grade");
    let before = y.store.result(y.months[2], id).expect("read").expect("row");
    assert_eq!(before.score, unrepaired.score(0));
}

#[test]
fn rerunning_a_period_is_idempotent() {
    let mut y = year().lock().expect("lock");
    let set = set();
    let p = y.months[11];
    let before = results(&y.store, p);
    let notes = y.store.changes(p, None).expect("changes");
    let run = y.store.run(p).expect("run").expect("stored");
    let input = y.profiles[11].clone();
    run_month(
        &mut y.store,
        &set,
        MonthInput::Profiles(&input),
        p,
        p.last_day(),
        &Options::default(),
    )
    .expect("rerun");
    assert_eq!(results(&y.store, p), before);
    assert_eq!(y.store.changes(p, None).expect("changes"), notes);
    let again = y.store.run(p).expect("run").expect("stored");
    assert_eq!(
        (again.input_digest, again.class_counts, again.version_id),
        (run.input_digest, run.class_counts, run.version_id)
    );
}

#[test]
fn comparing_two_periods_gives_the_matrix_movers_and_stability() {
    let y = year().lock().expect("lock");
    let (a, b) = (y.months[0], y.months[11]);
    let c = compare_periods(&y.store, a, b).expect("compare");
    let total: u64 = c.matrix.iter().flatten().sum();
    assert_eq!(total + c.entered, c.to.graded);
    let off_diagonal: u64 = c
        .matrix
        .iter()
        .enumerate()
        .map(|(i, r)| {
            r.iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, n)| n)
                .sum::<u64>()
        })
        .sum();
    assert_eq!(off_diagonal as usize, c.movers.len());
    assert!(
        c.movers
            .iter()
            .all(|m| !m.reasons.is_empty() || m.steps != 0)
    );
    assert!(
        c.score_psi
            .iter()
            .all(|s| s.psi >= 0.0 && s.psi.is_finite())
    );
    assert!(!c.indicator_psi.is_empty());
    // A period against itself: no movers, PSI zero.
    let same = compare_periods(&y.store, b, b).expect("compare");
    assert!(same.movers.is_empty());
    assert!(
        same.score_psi
            .iter()
            .chain(&same.indicator_psi)
            .all(|s| s.psi.abs() < 1e-12)
    );
    let text = c.to_string();
    assert!(
        text.contains("class migration") && text.contains("score PSI"),
        "{text}"
    );
    // Consecutive periods reuse the stored notes, records included.
    let next = compare_periods(&y.store, y.months[0], y.months[1]).expect("compare");
    for m in &next.movers {
        let stored: Vec<(ChangeKind, String)> = y
            .store
            .changes(y.months[1], Some(&m.id))
            .expect("changes")
            .into_iter()
            .map(|n| (n.kind, n.detail))
            .collect();
        assert_eq!(m.reasons, stored);
    }
}

#[test]
fn exported_results_import_back_in_every_format() {
    let y = year().lock().expect("lock");
    let p = y.months[5];
    let original = results(&y.store, p);
    let dir = tempfile::tempdir().expect("tempdir");
    for ext in ["csv", "parquet", "jsonl", "json"] {
        let path = dir.path().join(format!("shared.{ext}"));
        let n = export_period(&y.store, p, &path).expect("export");
        assert_eq!(n, original.len());
        let mut other = Store::in_memory().expect("store");
        let info = import_period(&mut other, &path, Some("food_safety_department"), false)
            .expect("import");
        assert_eq!(
            (info.period, info.source.as_str()),
            (p, "food_safety_department")
        );
        assert_eq!(
            info.class_counts,
            y.store.run(p).expect("run").expect("stored").class_counts
        );
        let back = results(&other, p);
        assert_eq!(back.len(), original.len(), "{ext}");
        for (a, b) in original.iter().zip(&back) {
            assert_eq!(
                (&a.model, &a.error, &a.district, &a.industry),
                (&b.model, &b.error, &b.district, &b.industry),
                "{ext}"
            );
            assert!((a.base_score.unwrap_or(0.0) - b.base_score.unwrap_or(0.0)).abs() < 1e-9);
            // Decision numbers belong to the store that made them.
            assert_eq!(b.manual, None);
            assert_eq!(
                (&a.id, &a.class, &a.reasons, &a.labels, &a.alerts, &a.rules),
                (&b.id, &b.class, &b.reasons, &b.labels, &b.alerts, &b.rules),
                "{ext}"
            );
            assert!((a.score.unwrap_or(0.0) - b.score.unwrap_or(0.0)).abs() < 1e-9);
        }
        // The same period again is refused unless replacing.
        let err = import_period(&mut other, &path, None, false).expect_err("twice");
        assert!(err.to_string().contains("--replace"), "{err}");
    }
}

#[test]
fn a_bad_shared_file_names_the_row_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.csv");
    let header = "schema_version,period,as_of,model_version,id,class,class_rank,score\n";
    std::fs::write(&path, format!("{header}riskgrade.shared/1,2026-01,2026-01-31,v1,E1,A,0,12\nriskgrade.shared/1,2026-01,2026-01-31,v1,E2,B,1,abc\n")).expect("write");
    let mut s = Store::in_memory().expect("store");
    let err = import_period(&mut s, &path, None, false)
        .expect_err("bad score")
        .to_string();
    assert!(
        err.contains("row 2, column `score`: `abc` is not a number"),
        "{err}"
    );
    std::fs::write(
        &path,
        format!("{header}riskgrade.shared/9,2026-01,2026-01-31,v1,E1,A,0,12\n"),
    )
    .expect("write");
    let err = import_period(&mut s, &path, None, false)
        .expect_err("version")
        .to_string();
    assert!(
        err.contains("this riskgrade reads riskgrade.shared/1"),
        "{err}"
    );
    std::fs::write(&path, "id,class\nE1,A\n").expect("write");
    let err = import_period(&mut s, &path, None, false)
        .expect_err("columns")
        .to_string();
    assert!(err.contains("no `schema_version` column"), "{err}");
    assert!(
        s.runs().expect("runs").is_empty(),
        "nothing imported from bad files"
    );
}

#[test]
fn an_objection_upheld_becomes_an_override_in_the_next_run() {
    let set = set();
    let mut store = Store::in_memory().expect("store");
    let p = month("2026-05");
    let synth = generate(&SynthConfig::new(200, 5, p.last_day()));
    let first = run_month(
        &mut store,
        &set,
        MonthInput::Profiles(&synth.enterprises),
        p,
        p.last_day(),
        &Options::default(),
    )
    .expect("run");
    let r = (0..first.grades.len())
        .find(|&r| first.grades.class(r) == Some("B"))
        .expect("a B");
    let id = first.grades.id(r).to_string();
    let obj = store
        .decide(NewDecision::objection(
            &id,
            p,
            p.next().first_day(),
            "legal representative",
            "the complaint was withdrawn",
        ))
        .expect("objection");
    let o = store
        .resolve(
            obj,
            Resolution::Upheld {
                class: Some("A".into()),
                effective: p.next().first_day(),
            },
            "Zhao Min",
            "complaint withdrawn, checked",
        )
        .expect("resolve")
        .expect("override");
    let q = p.next();
    let second = run_month(
        &mut store,
        &set,
        MonthInput::Profiles(&synth.enterprises),
        q,
        q.last_day(),
        &Options::default(),
    )
    .expect("run");
    let row = second.grades.row_of(&id).expect("row");
    assert_eq!(second.grades.class(row), Some("A"));
    let ex = second
        .grades
        .explain(second.frame.as_ref().expect("derived from profiles"), row);
    assert!(
        ex.rules
            .iter()
            .any(|l| l.contains(&format!("manual#{o}")) && l.contains("decides the class")),
        "{:?}",
        ex.rules
    );
    assert_eq!(
        store.decision(obj).expect("read").status,
        DecisionStatus::Upheld
    );
    let audit: Vec<String> = store
        .audit_trail(Some(&id))
        .expect("audit")
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(audit, ["decide", "resolve"]);
}

#[test]
fn decisions_that_cannot_apply_are_reported_not_dropped_silently() {
    let set = set();
    let mut store = Store::in_memory().expect("store");
    let p = month("2026-05");
    let synth = generate(&SynthConfig::new(50, 5, p.last_day()));
    store
        .decide(NewDecision::overriding(
            "NOPE",
            "D",
            p.first_day(),
            "Li Wei",
            "x",
        ))
        .expect("decide");
    store
        .decide(NewDecision::repair(
            &synth.enterprises[0].id.0,
            RecordType::Lawsuit,
            "2001-01-01".parse().expect("date"),
            p.first_day(),
            "Li Wei",
            "y",
        ))
        .expect("decide");
    let report = run_month(
        &mut store,
        &set,
        MonthInput::Profiles(&synth.enterprises),
        p,
        p.last_day(),
        &Options::default(),
    )
    .expect("run");
    assert_eq!(
        report.skipped_decisions.len(),
        2,
        "{:?}",
        report.skipped_decisions
    );
    assert!(report.skipped_decisions[0].contains("no lawsuit record dated 2001-01-01"));
    assert!(report.skipped_decisions[1].contains("NOPE is not in this period's input"));
    // A frame input cannot apply repairs: said so.
    let frame = Frame::from_profiles(
        &synth.enterprises,
        set.schema(),
        p.last_day(),
        set.effect_periods(),
    );
    let report = run_month(
        &mut store,
        &set,
        MonthInput::Frame(&frame),
        p,
        p.last_day(),
        &Options::default(),
    )
    .expect("run");
    assert!(
        report
            .skipped_decisions
            .iter()
            .any(|s| s.contains("not records")),
        "{:?}",
        report.skipped_decisions
    );
}

fn profile(seed: u64, as_of: Date) -> Enterprise {
    generate(&SynthConfig::new(1, seed, as_of))
        .enterprises
        .remove(0)
}

fn score(e: &Enterprise, as_of: Date) -> (Option<f64>, Option<String>) {
    let g = Grader::new(set())
        .grade_profiles(std::slice::from_ref(e), as_of, &Options::default())
        .expect("grade");
    (g.score(0), g.class(0).map(str::to_string))
}

fn any_record(date: Date) -> impl Strategy<Value = Record> {
    let kinds = prop_oneof![
        (0.0..1e6f64, 0..3usize).prop_map(|(amount, s)| RecordKind::Penalty {
            amount,
            severity: [Severity::Minor, Severity::General, Severity::Major][s]
        }),
        Just(RecordKind::Complaint),
        (0.0..1e6f64).prop_map(|amount| RecordKind::Lawsuit { amount }),
        Just(RecordKind::AbnormalList {
            action: riskgrade::ListAction::Entry
        }),
        Just(RecordKind::Inspection {
            result: riskgrade::InspectionResult::Problem
        }),
        (0.0..1e6f64).prop_map(|amount| RecordKind::EquityPledge { amount }),
    ];
    kinds.prop_map(move |kind| Record {
        kind,
        date,
        repaired: None,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A record whose effect period ended before the grading date never changes the score.
    #[test]
    fn a_record_outside_its_effect_period_never_changes_the_score(seed in 0u64..10_000, extra_days in 1i32..2_000, rec in any_record(Date::from_days(0))) {
        let as_of: Date = "2026-06-30".parse().expect("date");
        let e = profile(seed, as_of);
        let periods = set().effect_periods().clone();
        let mut rec = rec;
        // Date it so that its effect period ended `extra_days` ago.
        let period = periods.period_of(&rec);
        rec.date = Date::from_days(as_of.minus(period).days() - extra_days);
        // Being on a list is a state, not a dated fact: it lasts until the removal, so a
        // listing outside its effect period comes with its removal — dated before the
        // enterprise's own list records, or the removal would end a listing still in force.
        let listing = matches!(rec.kind, RecordKind::AbnormalList { .. });
        if listing
            && let Some(first) = e.records.iter().filter(|r| matches!(r.kind, RecordKind::AbnormalList { .. })).map(|r| r.date).min()
        {
            rec.date = rec.date.min(Date::from_days(first.days() - 1));
        }
        prop_assume!(e.registered.is_none_or(|r| r <= rec.date));
        prop_assert!(!periods.in_effect(&rec, as_of));
        let mut with = e.clone();
        with.records.push(rec.clone());
        if listing {
            with.records.push(Record { kind: RecordKind::AbnormalList { action: riskgrade::ListAction::Removal }, ..rec });
        }
        with.records.sort_by_key(|r| r.date);
        prop_assert_eq!(score(&with, as_of), score(&e, as_of));
    }

    /// A repaired record counts before its repair date and not from it on.
    #[test]
    fn repair_removes_a_records_effect_from_its_repair_date_on(seed in 0u64..10_000, age in 30i32..700, delay in 0i32..400, probe in -200i32..200, rec in any_record(Date::from_days(0))) {
        let base: Date = "2026-06-30".parse().expect("date");
        let e = profile(seed, base);
        let mut rec = rec;
        rec.date = Date::from_days(base.days() - age);
        prop_assume!(e.registered.is_none_or(|r| r <= rec.date));
        let repair = Date::from_days(rec.date.days() + delay);
        let as_of = Date::from_days(repair.days() + probe).max(rec.date);
        let with = |repaired: Option<Date>| {
            let mut x = e.clone();
            x.records.push(Record { repaired, ..rec });
            x.records.sort_by_key(|r| r.date);
            x
        };
        let repaired = score(&with(Some(repair)), as_of);
        if as_of >= repair {
            prop_assert_eq!(repaired, score(&e, as_of));
        } else {
            prop_assert_eq!(repaired, score(&with(None), as_of));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Running a period twice over the same input stores the same results and notes.
    #[test]
    fn rerunning_any_period_is_idempotent(seed in 0u64..1_000, n in 10usize..120) {
        let set = set();
        let mut store = Store::in_memory().expect("store");
        let p1 = month("2026-03");
        let mut synth = generate(&SynthConfig::new(n, seed, p1.last_day()));
        run_month(&mut store, &set, MonthInput::Profiles(&synth.enterprises), p1, p1.last_day(), &Options::default()).expect("run");
        let p2 = p1.next();
        evolve(&mut synth, p1.last_day(), p2.last_day(), seed);
        run_month(&mut store, &set, MonthInput::Profiles(&synth.enterprises), p2, p2.last_day(), &Options::default()).expect("run");
        let first = (results(&store, p2), store.changes(p2, None).expect("changes"), store.run(p2).expect("run").expect("stored").class_counts);
        run_month(&mut store, &set, MonthInput::Profiles(&synth.enterprises), p2, p2.last_day(), &Options::default()).expect("rerun");
        let second = (results(&store, p2), store.changes(p2, None).expect("changes"), store.run(p2).expect("run").expect("stored").class_counts);
        prop_assert_eq!(first, second);
        prop_assert_eq!(store.runs().expect("runs").len(), 2);
    }
}

#[test]
fn inspection_outcomes_in_the_store_feed_the_next_month() {
    use riskgrade::store::{NewDraw, TaskOutcome, TaskRow};
    let set = set();
    let mut store = Store::in_memory().expect("store");
    let p = month("2026-06");
    let synth = generate(&SynthConfig::new(100, 9, p.last_day()));
    run_month(
        &mut store,
        &set,
        MonthInput::Profiles(&synth.enterprises),
        p,
        p.last_day(),
        &Options::default(),
    )
    .expect("run");
    let id = synth.enterprises[4].id.0.clone();
    let draw = store
        .record_draw(
            &NewDraw {
                period: p,
                drawn_on: p.next().first_day(),
                plan_id: "test".into(),
                plan_digest: "-".into(),
                plan: "{}".into(),
                seed: "s".into(),
                candidates_digest: "-".into(),
                pool_digest: "-".into(),
                history_digest: "-".into(),
                tasks: vec![TaskRow {
                    number: 1,
                    enterprise: id.clone(),
                    class: "A".into(),
                    stratum: "all".into(),
                    why: "random".into(),
                    inspectors: vec!["I1".into(), "I2".into()],
                }],
            },
            "planner",
        )
        .expect("draw");
    let found: Date = "2026-07-10".parse().expect("date");
    store
        .record_outcomes(
            &[TaskOutcome {
                draw,
                enterprise: id.clone(),
                date: found,
                result: riskgrade::InspectionResult::Problem,
                severity: Some("serious".into()),
                note: None,
            }],
            "Li Wei",
        )
        .expect("outcome");
    let q = p.next();
    let report = run_month(
        &mut store,
        &set,
        MonthInput::Profiles(&synth.enterprises),
        q,
        q.last_day(),
        &Options::default(),
    )
    .expect("run");
    assert_eq!(report.inspections_added, 1);
    // The same as grading a profile that holds the inspection record.
    let mut with = synth.enterprises[4].clone();
    with.records.push(Record {
        kind: RecordKind::Inspection {
            result: riskgrade::InspectionResult::Problem,
        },
        date: found,
        repaired: None,
    });
    with.records.sort_by_key(|r| r.date);
    let stored = store.result(q, &id).expect("read").expect("row");
    assert_eq!(stored.score, score(&with, q.last_day()).0);
    assert_ne!(
        stored.score,
        score(&synth.enterprises[4], q.last_day()).0,
        "a problem found changes the score"
    );
    let notes = store.changes(q, Some(&id)).expect("notes");
    assert!(
        notes.is_empty()
            || notes
                .iter()
                .any(|n| n.detail.contains("inspection (problem) of 2026-07-10")),
        "{notes:?}"
    );
}

#[test]
fn each_department_sees_the_alerts_routed_to_it() {
    let y = year().lock().expect("lock");
    let p = y.months[11];
    let q = riskgrade::queues(&y.store, p).expect("queues");
    let rows = results(&y.store, p);
    let alerts: usize = rows.iter().map(|r| r.alerts.len()).sum();
    let queued: usize = q.departments.iter().flat_map(|d| d.topics.values()).sum();
    assert!(alerts > 0);
    assert_eq!(
        queued, alerts,
        "every alert is in exactly one department's queue"
    );
    for d in &q.departments {
        for item in &d.items {
            let row = rows.iter().find(|r| r.id == item.id).expect("row");
            for t in &item.topics {
                assert!(
                    row.alerts.contains(&format!("{t} -> {}", d.department)),
                    "{t} {row:?}"
                );
            }
        }
    }
    let labelled = rows
        .iter()
        .filter(|r| r.labels.iter().any(|l| l == "重点监管"))
        .count();
    assert_eq!(q.labels.get("重点监管").copied().unwrap_or(0), labelled);
    assert!(q.to_string().contains("alerts of 2026-11 by department"));
}
