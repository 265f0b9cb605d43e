//! The run writer: what it reads under the write lock, and what it replaces.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use riskgrade_core::Month;

use super::*;

fn month(s: &str) -> Month {
    s.parse().expect("month")
}

fn store_run(s: &mut Store, period: &str) -> RunInfo {
    let p = month(period);
    let mut w = s
        .begin_run(NewRun::new(p, p.last_day(), "v1", ["A", "B"]))
        .expect("begin");
    w.insert(&ResultRow::graded("E1", "general", 1.0, "A"))
        .expect("insert");
    w.commit().expect("commit")
}

fn seeded(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("h.db");
    store_run(&mut Store::open(&path).expect("open"), "2026-11");
    path
}

#[test]
fn a_run_sees_the_period_committed_before_it_took_the_write_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = seeded(dir.path());
    let (started, begun) = mpsc::channel();
    let first = {
        let path = path.clone();
        std::thread::spawn(move || {
            let mut s = Store::open(&path).expect("open");
            let p = month("2026-12");
            let mut w = s
                .begin_run(NewRun::new(p, p.last_day(), "v1", ["A", "B"]))
                .expect("begin");
            started.send(()).expect("send");
            // The second run starts meanwhile and must wait for this commit.
            std::thread::sleep(Duration::from_millis(300));
            w.insert(&ResultRow::graded("E1", "general", 1.0, "B"))
                .expect("insert");
            w.commit().expect("commit")
        })
    };
    begun.recv().expect("first run begun");
    let mut s = Store::open(&path).expect("open");
    let p = month("2027-01");
    let w = s
        .begin_run(NewRun::new(p, p.last_day(), "v1", ["A", "B"]))
        .expect("begin waits for the lock");
    let previous = w.previous_run().expect("previous");
    assert_eq!(previous.map(|r| r.period), Some(month("2026-12")));
    drop(w);
    first.join().expect("first run");
}

#[test]
fn compared_with_is_what_the_writer_was_told() {
    let mut s = Store::in_memory().expect("store");
    store_run(&mut s, "2026-11");
    let p = month("2026-12");
    let mut w = s
        .begin_run(NewRun::new(p, p.last_day(), "v1", ["A"]))
        .expect("begin");
    let previous = w.previous_run().expect("previous").map(|r| r.period);
    w.compared_with(previous);
    let info = w.commit().expect("commit");
    assert_eq!(info.compared_with, Some(month("2026-11")));
    assert_eq!(
        s.run(p).expect("run").expect("stored").compared_with,
        Some(month("2026-11"))
    );
}

#[test]
fn the_writer_names_the_run_it_replaces_and_its_draws() {
    let mut s = Store::in_memory().expect("store");
    let stored = store_run(&mut s, "2026-10");
    let d = NewDraw {
        period: month("2026-10"),
        drawn_on: "2026-11-02".parse().expect("date"),
        plan_id: "henan-2021".into(),
        plan_digest: "p".into(),
        plan: "{}".into(),
        seed: "seed".into(),
        candidates_digest: "c".into(),
        pool_digest: "i".into(),
        history_digest: "h".into(),
        tasks: vec![],
    };
    let draw = s.record_draw(&d, "planner").expect("draw");
    let p = month("2026-10");
    let w = s
        .begin_run(NewRun::new(p, p.last_day(), "v2", ["A"]))
        .expect("begin");
    let replaced = w.replaced().expect("replaces");
    assert_eq!(
        (&replaced.run, replaced.draws.as_slice()),
        (&stored, &[draw][..])
    );
    // Dropped without a commit: the stored run is kept.
    drop(w);
    assert_eq!(s.run(p).expect("run"), Some(stored));
    let other = month("2026-09");
    let w = s
        .begin_run(NewRun::new(other, other.last_day(), "v2", ["A"]))
        .expect("begin");
    assert!(w.replaced().is_none());
}
