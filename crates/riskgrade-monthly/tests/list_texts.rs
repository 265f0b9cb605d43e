//! Labels, alerts and rule ids are lists of texts kept exactly: whatever a text holds (`; `,
//! `;`, spaces, newlines, quotes, commas, brackets, an empty text, non-ASCII), it comes back
//! as the same item of the same list from the stored row, from the period's Arrow columns, and
//! from a shared file exported as CSV, JSON Lines or Parquet and imported into another store.
//! Before lists were stored as such, a label holding `; ` came back as two labels.
#![allow(clippy::unwrap_used, clippy::result_large_err)]

use proptest::prelude::*;
use riskgrade_core::Month;
use riskgrade_io::arrow::{Array, ListArray, StringArray};
use riskgrade_monthly::{export_period, import_period};
use riskgrade_store::{NewRun, ResultRow, Store};

fn period() -> Month {
    "2026-10".parse().unwrap()
}

/// Texts made to break a joined encoding, and arbitrary ones.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("; ".to_string()),
        Just("a; b".to_string()),
        Just("a;b".to_string()),
        Just(" padded ".to_string()),
        Just("line\nbreak\r\n".to_string()),
        Just("\"quoted\", 'single'".to_string()),
        Just("[\"not\", \"a list\"]".to_string()),
        Just("重点监管; 食品安全".to_string()),
        Just("topic -> 部门 | x".to_string()),
        Just("=cmd|' /C calc'!A0".to_string()),
        "[a-z; ,\"\n]{0,12}",
        ".{0,16}",
    ]
}

fn list() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(text(), 0..4)
}

fn items(a: &ListArray, i: usize) -> Vec<String> {
    let v = a.value(i);
    let v = v.as_any().downcast_ref::<StringArray>().unwrap();
    (0..v.len()).map(|k| v.value(k).to_string()).collect()
}

type Lists = (Vec<String>, Vec<String>, Vec<String>);

fn stored(rows: &[Lists]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("a.db")).unwrap();
    let run = NewRun::new(period(), period().last_day(), "v1", ["A", "B", "C", "D"]);
    let mut w = store.begin_run(run).unwrap();
    for (i, (labels, alerts, rules)) in rows.iter().enumerate() {
        let mut r = ResultRow::graded(&format!("E{i:03}"), "general", 100.0 + i as f64, "B");
        r.labels.clone_from(labels);
        r.alerts.clone_from(alerts);
        r.rules.clone_from(rules);
        w.insert(&r).unwrap();
    }
    w.commit().unwrap();
    (dir, store)
}

fn lists_of(store: &Store) -> Vec<Lists> {
    let mut out = Vec::new();
    store
        .scan_results::<riskgrade_store::StoreError>(period(), |r| {
            out.push((r.labels, r.alerts, r.rules));
            Ok(())
        })
        .unwrap();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_list_text_round_trips_through_the_store_its_columns_and_shared_files(
        rows in proptest::collection::vec((list(), list(), list()), 1..6),
    ) {
        let (dir, store) = stored(&rows);
        prop_assert_eq!(&lists_of(&store), &rows);
        let first = store.result(period(), "E000").unwrap().unwrap();
        prop_assert_eq!(&first.labels, &rows[0].0);
        let cols = store.result_columns(period()).unwrap();
        for (i, (labels, alerts, rules)) in rows.iter().enumerate() {
            prop_assert_eq!(&items(&cols.labels, i), labels);
            prop_assert_eq!(&items(&cols.alerts, i), alerts);
            prop_assert_eq!(&items(&cols.rules, i), rules);
        }
        for ext in ["csv", "jsonl", "parquet"] {
            let file = dir.path().join(format!("shared.{ext}"));
            export_period(&store, period(), &file).unwrap();
            let mut other = Store::open(dir.path().join(format!("{ext}.db"))).unwrap();
            import_period(&mut other, &file, Some("district"), false).unwrap();
            prop_assert_eq!(&lists_of(&other), &rows, "{}", ext);
        }
    }
}
