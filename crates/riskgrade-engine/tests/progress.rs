//! The progress callback of `Options::progress`: counts that never decrease,
//! start at zero and end at the batch's size; the same grades with or without
//! it; a `Break` (or the cancel flag) stops the batch part-way with
//! `EvalError::Cancelled`.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use riskgrade_core::{Date, Enterprise};
use riskgrade_engine::{EvalError, Grader, Grades, Options};

fn as_of() -> Date {
    "2026-11-01".parse().expect("date")
}

/// A synthetic population large enough for several chunks of the rules pass.
fn population(n: usize) -> Vec<Enterprise> {
    riskgrade_synth::generate(&riskgrade_synth::SynthConfig::new(n, 5, as_of())).enterprises
}

fn grade(profiles: &[Enterprise], options: &Options) -> Result<Grades, EvalError> {
    let set = Arc::new(riskgrade_model::examples::reference().expect("reference"));
    Grader::new(set).grade_profiles(profiles, as_of(), options)
}

fn same_grades(a: &Grades, b: &Grades) {
    assert_eq!(a.len(), b.len());
    for r in 0..a.len() {
        assert_eq!(a.id(r), b.id(r));
        assert_eq!(a.class(r), b.class(r), "row {r}");
        assert_eq!(
            a.score(r).map(f64::to_bits),
            b.score(r).map(f64::to_bits),
            "row {r}"
        );
        assert_eq!(a.reasons(r), b.reasons(r), "row {r}");
        assert_eq!(
            a.labels(r).collect::<Vec<_>>(),
            b.labels(r).collect::<Vec<_>>()
        );
    }
}

#[test]
fn counts_rise_from_zero_to_the_total_and_the_grades_do_not_change() {
    let profiles = population(5_000);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&seen);
    let options = Options::default().progress(move |done, total| {
        s.lock().expect("lock").push((done, total));
        ControlFlow::Continue(())
    });
    let with = grade(&profiles, &options).expect("grade");
    let without = grade(&profiles, &Options::default()).expect("grade");
    same_grades(&with, &without);

    let seen = seen.lock().expect("lock");
    assert!(seen.len() >= 3, "{seen:?}");
    assert_eq!(seen.first(), Some(&(0, 5_000)));
    assert_eq!(seen.last(), Some(&(5_000, 5_000)));
    assert!(seen.iter().all(|&(d, t)| t == 5_000 && d <= t));
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "{seen:?}");
}

#[test]
fn without_rules_scoring_is_told_as_it_goes_and_the_count_reaches_the_end() {
    let profiles = population(300);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&seen);
    let options = Options::default()
        .rules(false)
        .progress(move |done, total| {
            s.lock().expect("lock").push((done, total));
            ControlFlow::Continue(())
        });
    grade(&profiles, &options).expect("grade");
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.first(), Some(&(0, 300)));
    assert_eq!(seen.last(), Some(&(300, 300)));
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "{seen:?}");
    // Scoring is the first of three stages: its chunks are told within the first third.
    assert!(seen.iter().any(|&(d, _)| 0 < d && d <= 100), "{seen:?}");
}

#[test]
fn a_break_stops_the_batch_before_its_end() {
    let profiles = population(5_000);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&seen);
    let options = Options::default().progress(move |done, total| {
        s.lock().expect("lock").push((done, total));
        if done > 0 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    let e = grade(&profiles, &options);
    assert!(matches!(e, Err(EvalError::Cancelled)), "{:?}", e.err());
    let seen = seen.lock().expect("lock");
    assert!(seen.iter().all(|&(d, _)| d < 5_000), "{seen:?}");
}

#[test]
fn the_cancel_flag_set_from_the_callback_stops_the_rules_pass() {
    let profiles = population(5_000);
    let flag = Arc::new(AtomicBool::new(false));
    let f = Arc::clone(&flag);
    let last = Arc::new(Mutex::new(0));
    let l = Arc::clone(&last);
    let options = Options::default()
        .cancel_on(Arc::clone(&flag))
        .progress(move |done, _| {
            *l.lock().expect("lock") = done;
            if done > 0 {
                f.store(true, Ordering::Relaxed);
            }
            ControlFlow::Continue(())
        });
    let e = grade(&profiles, &options);
    assert!(matches!(e, Err(EvalError::Cancelled)), "{:?}", e.err());
    assert!(*last.lock().expect("lock") < 5_000);
}
