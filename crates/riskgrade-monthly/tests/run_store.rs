//! What a monthly run may replace in the store, and the baseline it compares with.

use std::sync::{Arc, Barrier};

use riskgrade_core::{Enterprise, Month};
use riskgrade_engine::Options;
use riskgrade_model::ModelSet;
use riskgrade_monthly::{MonthInput, MonthOptions, MonthlyError, run_month, run_month_with};
use riskgrade_store::{NewDraw, ResultRow, Store};
use riskgrade_synth::{SynthConfig, evolve, generate};

fn month(s: &str) -> Month {
    s.parse().expect("month")
}

fn set() -> Arc<ModelSet> {
    Arc::new(riskgrade_model::examples::reference().expect("reference set"))
}

fn population(n: usize, at: Month) -> Vec<Enterprise> {
    generate(&SynthConfig::new(n, 11, at.last_day())).enterprises
}

fn run(store: &mut Store, set: &Arc<ModelSet>, people: &[Enterprise], p: Month) {
    run_month(
        store,
        set,
        MonthInput::Profiles(people),
        p,
        p.last_day(),
        &Options::default(),
    )
    .expect("run");
}

/// Every stored row of a period, to compare before and after a refused run.
fn rows(store: &Store, p: Month) -> Vec<ResultRow> {
    let mut out = Vec::new();
    store
        .scan_results(p, |r| -> Result<(), riskgrade_store::StoreError> {
            out.push(r);
            Ok(())
        })
        .expect("scan");
    out
}

/// Inputs in which no enterprise can be graded: no rows, and only unreadable rows.
fn nothing_to_grade() -> Vec<riskgrade_io::Profiles> {
    let empty = riskgrade_io::parse_profiles_jsonl("", false).expect("empty");
    let bad = riskgrade_io::parse_profiles_jsonl(
        "{\"id\": \"E1\", \"industry\": 5}\nnot json\n{\"id\": \"E3\"}\n",
        false,
    )
    .expect("bad lines are issues");
    vec![empty, bad]
}

#[test]
fn a_run_that_grades_nothing_stores_nothing_and_keeps_the_stored_period() {
    let set = set();
    let p = month("2026-10");
    for input in nothing_to_grade() {
        let mut store = Store::in_memory().expect("store");
        let err = run_month(
            &mut store,
            &set,
            MonthInput::File(&input),
            p,
            p.last_day(),
            &Options::default(),
        )
        .expect_err("nothing graded");
        assert!(
            matches!(err, MonthlyError::NothingGraded { kept: false, .. }),
            "{err}"
        );
        assert!(store.runs().expect("runs").is_empty());

        run(&mut store, &set, &population(50, p), p);
        let before = (store.run(p).expect("run"), rows(&store, p));
        let err = run_month(
            &mut store,
            &set,
            MonthInput::File(&input),
            p,
            p.last_day(),
            &Options::default(),
        )
        .expect_err("nothing graded");
        assert!(
            matches!(err, MonthlyError::NothingGraded { kept: true, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("its stored run is kept"), "{err}");
        assert_eq!((store.run(p).expect("run"), rows(&store, p)), before);
    }
}

fn record_draw(store: &mut Store, p: Month) -> i64 {
    let d = NewDraw {
        period: p,
        drawn_on: p.next().first_day(),
        plan_id: "henan-2021".into(),
        plan_digest: "p".into(),
        plan: "{}".into(),
        seed: "seed".into(),
        candidates_digest: "c".into(),
        pool_digest: "i".into(),
        history_digest: "h".into(),
        tasks: vec![],
    };
    store.record_draw(&d, "planner").expect("draw")
}

#[test]
fn replacing_a_period_with_draws_needs_an_explicit_replace_and_warns() {
    let set = set();
    let p = month("2026-10");
    let people = population(80, p);
    let mut store = Store::in_memory().expect("store");
    run(&mut store, &set, &people, p);
    // Re-running a period no draw is based on replaces it as before.
    run(&mut store, &set, &people, p);
    let draw = record_draw(&mut store, p);
    let before = (store.run(p).expect("run"), rows(&store, p));
    let rerun = |store: &mut Store, month: MonthOptions| {
        let input = MonthInput::Profiles(&people);
        let options = Options::default();
        run_month_with(store, &set, input, p, p.last_day(), &options, &month)
    };
    let err = rerun(&mut store, MonthOptions::default()).expect_err("drawn period");
    match &err {
        MonthlyError::DrawnPeriod { period, draws } => {
            assert_eq!((*period, draws.as_slice()), (p, &[draw][..]));
        }
        other => panic!("expected DrawnPeriod, got {other}"),
    }
    assert!(err.to_string().contains("--replace"), "{err}");
    assert_eq!((store.run(p).expect("run"), rows(&store, p)), before);

    let report = rerun(&mut store, MonthOptions::default().replace_drawn(true)).expect("replace");
    let replaced = report.replaced.as_ref().expect("replaced");
    assert_eq!(replaced.draws, vec![draw]);
    let text = report.to_string();
    assert!(
        text.contains(&format!("warning: inspection draw(s) #{draw}")),
        "{text}"
    );
}

/// Runs `periods` in this order, one after the other, into a store seeded like the concurrent one.
fn serial(set: &Arc<ModelSet>, seed: &[Enterprise], inputs: &[(Month, Vec<Enterprise>)]) -> Store {
    let mut store = Store::in_memory().expect("store");
    run(&mut store, set, seed, month("2026-11"));
    for (p, people) in inputs {
        run(&mut store, set, people, *p);
    }
    store
}

/// The periods of the runs stored, in commit order (from the audit trail).
fn commit_order(store: &Store) -> Vec<Month> {
    store
        .audit_trail(None)
        .expect("audit")
        .into_iter()
        .filter(|e| e.action == "run")
        .filter_map(|e| e.detail.strip_prefix("period ")?.get(..7)?.parse().ok())
        .collect()
}

#[test]
fn concurrent_runs_of_consecutive_periods_compare_with_the_period_before_at_commit() {
    let set = set();
    let nov = month("2026-11");
    let mut synth = generate(&SynthConfig::new(1500, 5, nov.last_day()));
    let seed = synth.enterprises.clone();
    let mut inputs = Vec::new();
    let mut at = nov;
    for _ in 0..2 {
        let next = at.next();
        evolve(&mut synth, at.last_day(), next.last_day(), 5);
        inputs.push((next, synth.enterprises.clone()));
        at = next;
    }
    for round in 0..3 {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("h.db");
        run(&mut Store::open(&path).expect("open"), &set, &seed, nov);
        let barrier = Arc::new(Barrier::new(2));
        std::thread::scope(|scope| {
            for (p, people) in &inputs {
                let (path, set, barrier) = (&path, &set, Arc::clone(&barrier));
                scope.spawn(move || {
                    let mut store = Store::open(path).expect("open");
                    barrier.wait();
                    run(&mut store, set, people, *p);
                });
            }
        });
        let store = Store::open(&path).expect("open");
        let order = commit_order(&store);
        let ordered: Vec<(Month, Vec<Enterprise>)> = order
            .iter()
            .skip(1)
            .filter_map(|p| inputs.iter().find(|(q, _)| q == p).cloned())
            .collect();
        let expected = serial(&set, &seed, &ordered);
        for (p, _) in &inputs {
            let got = store.run(*p).expect("run").expect("stored");
            let want = expected.run(*p).expect("run").expect("stored");
            assert_eq!(
                got.compared_with, want.compared_with,
                "round {round}, {p}: commit order {order:?}"
            );
            assert_eq!(
                store.changes(*p, None).expect("changes"),
                expected.changes(*p, None).expect("changes"),
                "round {round}, {p}: change notes"
            );
        }
    }
}

#[test]
fn a_run_waiting_for_another_writer_compares_with_what_it_committed() {
    let set = set();
    let nov = month("2026-11");
    let (dec, jan) = (nov.next(), nov.next().next());
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("h.db");
    let people = population(300, nov);
    run(&mut Store::open(&path).expect("open"), &set, &people, nov);
    let mut january_store = Store::open(&path).expect("open");
    // Another process is writing December when January's run starts.
    let mut other = Store::open(&path).expect("open");
    let classes: Vec<String> = store_classes(&other, nov);
    let mut writer = other
        .begin_run(riskgrade_store::NewRun::new(
            dec,
            dec.last_day(),
            "v0",
            classes,
        ))
        .expect("begin");
    for e in &people {
        writer
            .insert(&ResultRow::graded(&e.id.0, "general", 500.0, "D"))
            .expect("insert");
    }
    std::thread::scope(|scope| {
        let january = scope.spawn(|| {
            let store = &mut january_store;
            run(store, &set, &people, jan);
            store.run(jan).expect("run").expect("stored")
        });
        // Long enough for January to have graded and to wait for the lock.
        std::thread::sleep(std::time::Duration::from_secs(3));
        writer.commit().expect("commit December");
        let stored = january.join().expect("January");
        assert_eq!(stored.compared_with, Some(dec));
    });
    let store = Store::open(&path).expect("open");
    let notes = store.changes(jan, None).expect("changes");
    // Every enterprise was D in December: each one graded better now is a mover against December.
    assert!(
        notes.iter().all(|n| n.from_class.as_deref() == Some("D")),
        "{notes:?}"
    );
}

fn store_classes(store: &Store, p: Month) -> Vec<String> {
    store.run(p).expect("run").expect("stored").classes
}
