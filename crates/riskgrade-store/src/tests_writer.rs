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

/// Every text of `s` by key, and every stored block as SQLite holds it.
type Stored = (Vec<(i64, String)>, Vec<Vec<rusqlite::types::Value>>);

fn stored(s: &Store) -> Stored {
    let texts = s
        .conn
        .prepare("SELECT key, text FROM texts ORDER BY key")
        .expect("texts")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("texts")
        .collect::<rusqlite::Result<_>>()
        .expect("texts");
    let blocks = s
        .conn
        .prepare(
            "SELECT period, seq, first_id, last_id, rows, data FROM result_blocks ORDER BY period, seq",
        )
        .expect("blocks")
        .query_map([], |r| {
            (0..6)
                .map(|i| r.get::<_, rusqlite::types::Value>(i))
                .collect()
        })
        .expect("blocks")
        .collect::<rusqlite::Result<_>>()
        .expect("blocks");
    (texts, blocks)
}

fn row_of(k: usize, pick: &[u8; 6]) -> ResultRow {
    let pool = |i: u8, items: &[&str]| items[i as usize % items.len()].to_string();
    let mut row = ResultRow::graded(
        &format!("E{k:04}"),
        &pool(pick[0], &["general", "food", "special-equipment"]),
        f64::from(pick[1]),
        &pool(pick[1], &["A", "B", "C", "D"]),
    );
    row.district = pool(pick[2], &["110101", "110102", "410100"]);
    row.reasons = format!(
        "abnormal entries {} in 3 years (-{} points); {}",
        pick[3] % 4,
        pick[4] % 7,
        pool(
            pick[5],
            &["on the serious dishonest list", "complaints surged"]
        )
    );
    row.drivers = format!(
        "{}:{} 9:{}",
        pick[3] % 3,
        f64::from(pick[4]) / 8.0,
        pick[5] % 5
    );
    row.labels = vec![pool(pick[2], &["key", "watch", "food safety"])];
    row.rules = vec![pool(pick[5], &["veto", "repair", "floor"])];
    row
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Rows encoded together (on many threads, new texts in row order) are stored
    /// exactly as the same rows inserted one at a time: the same keys, the same bytes.
    #[test]
    fn rows_encoded_together_are_stored_as_one_by_one(
        picks in proptest::collection::vec(proptest::array::uniform6(0u8..40), 1..120),
        split in 0usize..120,
    ) {
        let rows: Vec<ResultRow> = picks.iter().enumerate().map(|(k, p)| row_of(k, p)).collect();
        let p = month("2026-11");
        let run = || NewRun::new(p, p.last_day(), "v1", ["A", "B", "C", "D"]);
        let mut together = Store::in_memory().expect("store");
        let mut w = together.begin_run(run()).expect("begin");
        let (a, b) = rows.split_at(split.min(rows.len()));
        w.insert_all(a).expect("insert");
        w.insert_all(b).expect("insert");
        w.commit().expect("commit");
        let mut one_by_one = Store::in_memory().expect("store");
        let mut w = one_by_one.begin_run(run()).expect("begin");
        for row in &rows {
            w.insert(row).expect("insert");
        }
        w.commit().expect("commit");
        proptest::prop_assert_eq!(stored(&together), stored(&one_by_one));
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let back: Vec<ResultRow> = together
            .results_of(p, &ids)
            .expect("read")
            .into_iter()
            .map(|r| r.expect("stored"))
            .collect();
        proptest::prop_assert_eq!(back, rows);
    }
}

/// The blocks of a period as stored: (first id, last id, rows), in order.
fn blocks_of(s: &Store, p: Month) -> Vec<(String, String, i64)> {
    s.conn
        .prepare("SELECT first_id, last_id, rows FROM result_blocks WHERE period = ?1 ORDER BY seq")
        .expect("blocks")
        .query_map([crate::codec::period_key(p)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .expect("blocks")
        .collect::<rusqlite::Result<_>>()
        .expect("blocks")
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]

    /// Rows given in any order, in any batches, are stored in id order, cut into
    /// blocks of the writer's size, and each is found by its id; an id between or
    /// beyond the stored ones is not found.
    #[test]
    fn rows_in_any_order_are_kept_in_id_order_and_found_by_id(
        picks in proptest::collection::vec(proptest::array::uniform6(0u8..40), 1..90),
        order in proptest::collection::vec(proptest::num::usize::ANY, 90),
        cuts in proptest::collection::vec(0usize..90, 0..4),
        block_rows in 1usize..12,
    ) {
        let mut rows: Vec<ResultRow> = picks.iter().enumerate().map(|(k, p)| row_of(k * 2, p)).collect();
        // A random order: sort by the random keys.
        let mut given: Vec<&ResultRow> = rows.iter().collect();
        let mut keyed: Vec<(usize, &ResultRow)> = given.drain(..).zip(&order).map(|(r, &o)| (o, r)).collect();
        keyed.sort_by_key(|(o, _)| *o);
        let given: Vec<ResultRow> = keyed.into_iter().map(|(_, r)| r.clone()).collect();
        let p = month("2026-11");
        let mut s = Store::in_memory().expect("store");
        let mut w = s.begin_run(NewRun::new(p, p.last_day(), "v1", ["A", "B", "C", "D"])).expect("begin");
        w.set_block_rows(block_rows);
        let mut cuts = cuts;
        cuts.push(0);
        cuts.push(given.len());
        cuts.sort_unstable();
        for pair in cuts.windows(2) {
            let (a, b) = (pair[0].min(given.len()), pair[1].min(given.len()));
            w.insert_all(&given[a..b]).expect("insert");
        }
        let info = w.commit().expect("commit");
        proptest::prop_assert_eq!(info.enterprises, rows.len() as u64);
        rows.sort_by(|a, b| a.id.cmp(&b.id));
        let mut scanned = Vec::new();
        s.scan_results::<StoreError>(p, |r| { scanned.push(r); Ok(()) }).expect("scan");
        proptest::prop_assert_eq!(&scanned, &rows);
        let blocks = blocks_of(&s, p);
        let sizes: Vec<i64> = blocks.iter().map(|b| b.2).collect();
        let want: Vec<i64> = rows.chunks(block_rows).map(|c| c.len() as i64).collect();
        proptest::prop_assert_eq!(sizes, want);
        for (b, chunk) in blocks.iter().zip(rows.chunks(block_rows)) {
            proptest::prop_assert_eq!(&b.0, &chunk[0].id);
            proptest::prop_assert_eq!(&b.1, &chunk[chunk.len() - 1].id);
        }
        // Every id, asked in the given order and in id order, and ids that are not stored
        // (odd numbers fall between the even ones; `E` alone before all, `F` after all).
        let ids: Vec<&str> = given.iter().map(|r| r.id.as_str()).collect();
        let back = s.results_of(p, &ids).expect("read");
        proptest::prop_assert_eq!(back, given.iter().cloned().map(Some).collect::<Vec<_>>());
        let absent: Vec<String> = (0..rows.len()).map(|k| format!("E{:04}", k * 2 + 1)).chain(["E".into(), "F".into(), String::new()]).collect();
        let absent: Vec<&str> = absent.iter().map(String::as_str).collect();
        let back = s.results_of(p, &absent).expect("read");
        proptest::prop_assert!(back.iter().all(Option::is_none));
        // In id order with ids that are not stored between them and some asked twice
        // (a lookup goes on from where the last one stopped in the block).
        let mut mixed: Vec<(String, Option<ResultRow>)> = vec![("E".into(), None)];
        for (k, r) in rows.iter().enumerate() {
            mixed.push((r.id.clone(), Some(r.clone())));
            if k % 3 == 0 {
                mixed.push((r.id.clone(), Some(r.clone())));
            }
            mixed.push((format!("E{:04}", k * 2 + 1), None));
            if k % 4 == 1 {
                mixed.push((rows[k / 2].id.clone(), Some(rows[k / 2].clone())));
            }
        }
        let asked: Vec<&str> = mixed.iter().map(|(id, _)| id.as_str()).collect();
        let back = s.results_of(p, &asked).expect("read");
        proptest::prop_assert_eq!(back, mixed.into_iter().map(|(_, r)| r).collect::<Vec<_>>());
        let cols = s.result_columns(p).expect("columns");
        let col_ids: Vec<&str> = cols.id.iter().map(|v| v.unwrap_or("")).collect();
        let want_ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        proptest::prop_assert_eq!(col_ids, want_ids);
    }
}

#[test]
fn an_enterprise_given_twice_is_refused_and_the_period_kept_as_it_was() {
    let p = month("2026-11");
    let mut s = Store::in_memory().expect("store");
    let kept = store_run(&mut s, "2026-11");
    // Twice in a row: refused at the insert.
    let mut w = s
        .begin_run(NewRun::new(p, p.last_day(), "v2", ["A", "B"]))
        .expect("begin");
    w.insert(&ResultRow::graded("E2", "general", 1.0, "A"))
        .expect("insert");
    let err = w
        .insert(&ResultRow::graded("E2", "general", 2.0, "B"))
        .expect_err("twice");
    assert!(
        matches!(&err, StoreError::Invalid(InvalidRequest::DuplicateResult { enterprise, .. }) if enterprise == "E2"),
        "{err:?}"
    );
    assert!(err.to_string().contains("E2 is given twice"), "{err}");
    assert!(w.commit().is_err(), "a writer that failed does not commit");
    // Twice, apart and out of order: refused at the commit.
    let mut w = s
        .begin_run(NewRun::new(p, p.last_day(), "v2", ["A", "B"]))
        .expect("begin");
    w.set_block_rows(2);
    for id in ["E3", "E5", "E7", "E9", "E3"] {
        w.insert(&ResultRow::graded(id, "general", 1.0, "A"))
            .expect("insert");
    }
    let err = w.commit().expect_err("twice");
    assert!(
        matches!(&err, StoreError::Invalid(InvalidRequest::DuplicateResult { enterprise, .. }) if enterprise == "E3"),
        "{err:?}"
    );
    assert_eq!(s.run(p).expect("run"), Some(kept));
    assert_eq!(
        s.result(p, "E1").expect("read"),
        Some(ResultRow::graded("E1", "general", 1.0, "A"))
    );
    assert_eq!(s.result(p, "E3").expect("read"), None);
}
