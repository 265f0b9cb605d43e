//! Lean results (schemas 7 and 8): a store written by an earlier schema upgrades and
//! keeps every row and note as it was; coded texts read back as written; the
//! columnar read and the class scan agree with the row read.

use proptest::prelude::*;
use riskgrade_core::Month;
use rusqlite::{Connection, params};

use super::*;
use crate::schema::{LEAN_RESULTS, MIGRATIONS};

fn month(s: &str) -> Month {
    s.parse().expect("month")
}

/// Rows as the reference set writes them: templated reasons, drivers, lists, errors.
fn sample_rows(n: usize, seed: u64) -> Vec<ResultRow> {
    let classes = ["A", "B", "C", "D"];
    (0..n)
        .map(|i| {
            let k = (i as u64).wrapping_mul(2_654_435_761).wrapping_add(seed);
            let id = format!("9111{:06}{:03}", k % 1_000_000, i);
            if k.is_multiple_of(13) {
                return ResultRow {
                    district: "110105".into(),
                    ..ResultRow::failed(
                        &id,
                        &format!(
                            "column `debt_ratio`: `{}x` is not a number; column `age`: missing",
                            k % 97
                        ),
                    )
                };
            }
            let score = (k % 100_000) as f64 / 100.0;
            ResultRow {
                id,
                model: Some(
                    if k.is_multiple_of(5) {
                        "food"
                    } else {
                        "general"
                    }
                    .into(),
                ),
                score: Some(score),
                base_score: if k.is_multiple_of(3) {
                    Some(score - 20.0)
                } else {
                    Some(score)
                },
                class: Some(classes[(k % 4) as usize].into()),
                reasons: format!(
                    "资产负债率: {:.4} (+{} points); 行政处罚: {} 次 ({}.5 points)",
                    (k % 10_000) as f64 / 10_000.0,
                    k % 40,
                    k % 7,
                    k % 9
                ),
                drivers: format!(
                    "{}:{} 7:12.5 {}:0.0{}",
                    k % 5,
                    k % 40,
                    10 + k % 30,
                    k % 9 + 1
                ),
                labels: if k.is_multiple_of(4) {
                    vec!["重点监管".into(), "食品安全".into()]
                } else {
                    Vec::new()
                },
                alerts: if k.is_multiple_of(6) {
                    vec!["food_safety -> 食品生产安全监督管理处".into()]
                } else {
                    Vec::new()
                },
                rules: if k.is_multiple_of(4) {
                    vec!["veto_dishonest_list".into(), "positive_signal".into()]
                } else {
                    Vec::new()
                },
                manual: k.is_multiple_of(50).then_some((k % 9) as i64),
                error: None,
                district: format!("1101{:02}", k % 17),
                industry: format!("C{}", 13 + k % 30),
            }
        })
        .collect()
}

fn store_rows(s: &mut Store, period: &str, rows: &[ResultRow], notes: &[ChangeNote]) {
    let p = month(period);
    let mut w = s
        .begin_run(NewRun::new(p, p.last_day(), "v1", ["A", "B", "C", "D"]))
        .expect("begin");
    // Small blocks: a few hundred rows make many blocks, and parts of blocks to read.
    w.set_block_rows(7);
    w.insert_all(rows).expect("insert");
    for n in notes {
        w.note(n).expect("note");
    }
    w.commit().expect("commit");
}

fn sample_notes(rows: &[ResultRow]) -> Vec<ChangeNote> {
    rows.iter()
        .step_by(7)
        .enumerate()
        .map(|(i, r)| ChangeNote {
            id: r.id.clone(),
            from_class: (i % 3 != 0).then(|| "A".into()),
            to_class: r.class.clone(),
            kind: ChangeKind::ALL[i % ChangeKind::ALL.len()],
            detail: format!(
                "资产负债率 0.{i} -> 0.{} (+{i}.25 points); rule veto_{i} started",
                i + 1
            ),
        })
        .collect()
}

fn all_rows(s: &Store, period: &str) -> Vec<ResultRow> {
    let mut out = Vec::new();
    s.scan_results::<StoreError>(month(period), |r| {
        out.push(r);
        Ok(())
    })
    .expect("scan");
    out
}

fn sorted(mut rows: Vec<ResultRow>) -> Vec<ResultRow> {
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    rows
}

#[test]
fn the_lean_migration_is_the_one_named() {
    assert!(MIGRATIONS[LEAN_RESULTS as usize - 1].contains("CREATE TABLE result_rows"));
}

#[test]
fn a_store_of_the_schema_before_upgrades_and_keeps_its_rows_and_notes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.db");
    let rows = sample_rows(500, 3);
    let notes = sample_notes(&rows);
    {
        // A store as the schema before wrote it, with rows in the old tables.
        let conn = Connection::open(&path).expect("sqlite");
        for m in &MIGRATIONS[..LEAN_RESULTS as usize - 1] {
            conn.execute_batch(m).expect("old schema");
        }
        conn.pragma_update(None, "user_version", LEAN_RESULTS - 1)
            .expect("version");
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .expect("mark");
        conn.execute(
            "INSERT INTO runs (period, as_of, version_id, input_digest, source, started_at, finished_at, \
             enterprises, graded, errors, classes, class_counts, indicators) \
             VALUES ('2026-01', '2026-01-31', 'v1', 'd', 'local', 0, 0, 500, 0, 0, '[\"A\",\"B\",\"C\",\"D\"]', '[0,0,0,0]', '{}')",
            [],
        )
        .expect("run");
        for r in &rows {
            conn.execute(
                "INSERT INTO results (period, id, model, score, base_score, class, reasons, drivers, labels, alerts, rules, manual, error, district, industry) \
                 VALUES ('2026-01', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                params![r.id, r.model, r.score, r.base_score, r.class, r.reasons, r.drivers, r.labels.join("; "), r.alerts.join("; "), r.rules.join(" "), r.manual, r.error, r.district, r.industry],
            )
            .expect("row");
        }
        for (seq, n) in notes.iter().enumerate() {
            conn.execute(
                "INSERT INTO changes (period, id, seq, from_class, to_class, kind, detail) VALUES ('2026-01', ?1, ?2, ?3, ?4, ?5, ?6)",
                params![n.id, seq as i64 + 1, n.from_class, n.to_class, n.kind.name(), n.detail],
            )
            .expect("note");
        }
    }
    let s = Store::open(&path).expect("upgrades");
    assert_eq!(s.schema_version().expect("version"), SCHEMA_VERSION);
    assert_eq!(all_rows(&s, "2026-01"), sorted(rows.clone()));
    let mut want = notes.clone();
    want.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(s.changes(month("2026-01"), None).expect("changes"), want);
    assert_eq!(
        tables_named(&s, &["results", "changes"]),
        0,
        "the old tables are dropped"
    );
    assert_eq!(s.integrity_check().expect("check"), "ok");
}

#[test]
fn coded_reasons_and_notes_read_back_as_the_same_text() {
    let mut s = Store::in_memory().expect("store");
    let rows = sample_rows(2_000, 11);
    let notes = sample_notes(&rows);
    store_rows(&mut s, "2026-02", &rows, &notes);
    assert_eq!(all_rows(&s, "2026-02"), sorted(rows.clone()));
    for r in rows.iter().step_by(97) {
        assert_eq!(
            s.result(month("2026-02"), &r.id).expect("read").as_ref(),
            Some(r)
        );
    }
    let mut want = notes.clone();
    want.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(s.changes(month("2026-02"), None).expect("changes"), want);
    // Templates are shared: far fewer texts than rows.
    let texts: i64 = s
        .conn
        .query_row("SELECT count(*) FROM texts", [], |r| r.get(0))
        .expect("count");
    assert!(texts < 400, "{texts} texts for 2,000 rows");
}

#[test]
fn a_rolled_back_run_leaves_no_text_behind_in_the_cache() {
    let mut s = Store::in_memory().expect("store");
    store_rows(&mut s, "2026-01", &sample_rows(10, 1), &[]);
    {
        let p = month("2026-02");
        let mut w = s
            .begin_run(NewRun::new(p, p.last_day(), "v1", ["A", "B", "C", "D"]))
            .expect("begin");
        let mut row = ResultRow::graded("X1", "a model never committed", 1.0, "A");
        row.labels = vec!["never committed".into()];
        w.insert(&row).expect("insert");
        // Read inside the run: the cache sees the uncommitted texts.
        let texts = w.store().texts().expect("texts");
        assert!((0..texts.span() as u64).any(|k| texts.get(k).ok() == Some("never committed")));
    }
    let mut row = ResultRow::graded("X2", "general", 1.0, "B");
    row.labels = vec!["committed".into()];
    store_rows(&mut s, "2026-03", &[row.clone()], &[]);
    assert_eq!(s.result(month("2026-03"), "X2").expect("read"), Some(row));
}

fn columns_as_rows(c: &ResultColumns) -> Vec<ResultRow> {
    use arrow_array::{Array, ArrayAccessor, ListArray, StringArray};
    let s = |a: &StringArray, i: usize| (!a.is_null(i)).then(|| a.value(i).to_string());
    let d = |a: &arrow_array::DictionaryArray<arrow_array::types::Int32Type>, i: usize| {
        let v = a.downcast_dict::<StringArray>().expect("utf8 values");
        (!a.is_null(i)).then(|| v.value(i).to_string())
    };
    let list = |a: &ListArray, i: usize| {
        let v = a.value(i);
        let v = v.as_any().downcast_ref::<StringArray>().expect("utf8");
        (0..v.len()).map(|k| v.value(k).to_string()).collect()
    };
    (0..c.len())
        .map(|i| ResultRow {
            id: c.id.value(i).to_string(),
            model: d(&c.model, i),
            score: (!c.score.is_null(i)).then(|| c.score.value(i)),
            base_score: (!c.base_score.is_null(i)).then(|| c.base_score.value(i)),
            class: d(&c.class, i),
            reasons: c.reasons.value(i).to_string(),
            drivers: c
                .drivers
                .as_ref()
                .expect("drivers read")
                .value(i)
                .to_string(),
            labels: list(&c.labels, i),
            alerts: list(&c.alerts, i),
            rules: list(&c.rules, i),
            manual: (!c.manual.is_null(i)).then(|| c.manual.value(i)),
            error: s(&c.error, i),
            district: d(&c.district, i).unwrap_or_default(),
            industry: d(&c.industry, i).unwrap_or_default(),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The columnar read and the class scan equal the row read, on random populations.
    #[test]
    fn columns_and_class_scans_equal_the_row_read(n in 0usize..300, seed in any::<u64>()) {
        let mut s = Store::in_memory().expect("store");
        let rows = sample_rows(n, seed);
        store_rows(&mut s, "2026-04", &rows, &[]);
        let by_rows = all_rows(&s, "2026-04");
        let cols = s.result_columns_with_drivers(month("2026-04")).expect("columns");
        prop_assert_eq!(columns_as_rows(&cols), by_rows.clone());
        // Without drivers, every other column is the same.
        let lean = s.result_columns(month("2026-04")).expect("columns");
        prop_assert!(lean.drivers.is_none());
        // The other columns are those read with drivers, row for row.
        let lean = ResultColumns { drivers: cols.drivers.clone(), ..lean };
        prop_assert_eq!(columns_as_rows(&lean), by_rows.clone());
        let mut scanned = Vec::new();
        s.scan_classes::<StoreError>(month("2026-04"), |id, model, score, class| {
            scanned.push((id.to_string(), model.map(str::to_string), score, class.map(str::to_string)));
            Ok(())
        }).expect("scan");
        let want: Vec<_> = by_rows.iter().map(|r| (r.id.clone(), r.model.clone(), r.score, r.class.clone())).collect();
        prop_assert_eq!(scanned, want);
    }
}

/// A large period is read in parts on parallel connections: the same columns as one read.
#[test]
fn a_period_read_in_parts_equals_one_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("parts.db");
    let mut s = Store::open(&path).expect("store");
    let rows = sample_rows(301, 7);
    store_rows(&mut s, "2026-04", &rows, &[]);
    let p = month("2026-04");
    let whole = s.result_columns_with_drivers(p).expect("whole");
    assert_eq!(whole.len(), 301);
    for part_rows in [1u64, 40, 100, 150, 1000] {
        let parts = s.read_columns_in_parts(p, true, part_rows).expect("parts");
        assert_eq!(
            columns_as_rows(&parts),
            columns_as_rows(&whole),
            "parts of {part_rows}"
        );
    }
}

#[test]
fn a_store_of_schema_7_upgrades_its_rows_into_blocks() {
    use crate::schema::RESULT_BLOCKS;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("seven.db");
    let periods = [
        ("2026-01", sample_rows(2_500, 5)),
        ("2026-02", sample_rows(300, 9)),
    ];
    {
        // A store as schema 7 wrote it: one row of `result_rows` per enterprise.
        let conn = Connection::open(&path).expect("sqlite");
        for m in &MIGRATIONS[..RESULT_BLOCKS as usize - 1] {
            conn.execute_batch(m).expect("old schema");
        }
        conn.pragma_update(None, "user_version", RESULT_BLOCKS - 1)
            .expect("version");
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .expect("mark");
        conn.execute_batch("BEGIN").expect("begin");
        let mut keys = crate::texts::Keys::default();
        let mut intern = crate::texts::Interner {
            conn: &conn,
            keys: &mut keys,
        };
        for (period, rows) in &periods {
            for r in rows {
                let raw = crate::results::RawRow::encode(r, &mut intern).expect("encode");
                conn.execute(
                    "INSERT INTO result_rows (period, id, class, score, base_score, model, district, industry, manual, detail) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    params![
                        crate::codec::period_key(month(period)),
                        raw.id,
                        raw.class,
                        raw.score,
                        raw.base_score,
                        raw.model,
                        raw.district,
                        raw.industry,
                        raw.manual,
                        raw.detail
                    ],
                )
                .expect("row");
            }
        }
        conn.execute_batch("COMMIT").expect("commit");
    }
    let s = Store::open(&path).expect("upgrades");
    assert_eq!(s.schema_version().expect("version"), SCHEMA_VERSION);
    for (period, rows) in &periods {
        assert_eq!(all_rows(&s, period), sorted(rows.clone()), "{period}");
        for r in rows.iter().step_by(89) {
            assert_eq!(
                s.result(month(period), &r.id).expect("read").as_ref(),
                Some(r)
            );
        }
    }
    let blocks: Vec<(i64, i64)> = s
        .conn
        .prepare("SELECT period, rows FROM result_blocks ORDER BY period, seq")
        .expect("blocks")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("blocks")
        .collect::<rusqlite::Result<_>>()
        .expect("blocks");
    let (jan, feb) = (
        crate::codec::period_key(month("2026-01")),
        crate::codec::period_key(month("2026-02")),
    );
    // Full blocks in each period, then the rest.
    let cut = |period: i64, rows: usize| {
        (0..rows)
            .step_by(crate::blocks::BLOCK_ROWS)
            .map(move |start| (period, (rows - start).min(crate::blocks::BLOCK_ROWS) as i64))
    };
    let want: Vec<(i64, i64)> = cut(jan, 2_500).chain(cut(feb, 300)).collect();
    assert!(want.len() > 2, "more than one block a period");
    assert_eq!(blocks, want);
    assert_eq!(
        tables_named(&s, &["result_rows"]),
        0,
        "the old table is dropped"
    );
    assert_eq!(s.integrity_check().expect("check"), "ok");
}

/// Parts handed over unjoined hold the rows of one read, in order, and every part's
/// dictionary columns share one dictionary of distinct values.
#[test]
fn parts_share_their_dictionaries_and_hold_the_rows_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("parts.db");
    let mut s = Store::open(&path).expect("store");
    let rows = sample_rows(301, 7);
    store_rows(&mut s, "2026-04", &rows, &[]);
    let p = month("2026-04");
    // Read without drivers: rows compared with the drivers left empty.
    let rows_of = |c: &ResultColumns| {
        let drivers = Some(arrow_array::StringArray::from(vec![""; c.len()]));
        columns_as_rows(&ResultColumns {
            drivers,
            ..c.clone()
        })
    };
    let whole = rows_of(&s.result_columns(p).expect("whole"));
    let parts = s.shared_parts(p, 40).expect("parts");
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    assert_eq!(
        parts.len(),
        cores.clamp(1, 4),
        "301 rows in parts of at least 40"
    );
    let joined: Vec<ResultRow> = parts.iter().flat_map(rows_of).collect();
    assert_eq!(joined, whole);
    type Dict = arrow_array::DictionaryArray<arrow_array::types::Int32Type>;
    let dicts: [fn(&ResultColumns) -> &Dict; 4] =
        [|c| &c.model, |c| &c.class, |c| &c.district, |c| &c.industry];
    for dict in dicts {
        let first = dict(&parts[0]).values();
        let values = first
            .as_any()
            .downcast_ref::<arrow_array::StringArray>()
            .expect("text values");
        let distinct: std::collections::BTreeSet<&str> = values.iter().flatten().collect();
        assert_eq!(
            distinct.len(),
            arrow_array::Array::len(values),
            "each value once"
        );
        for part in &parts {
            assert_eq!(dict(part).values(), first, "one dictionary for every part");
        }
    }
    assert_eq!(
        s.result_column_parts(p).expect("parts").len(),
        1,
        "a small period is one part"
    );
}

/// How many of the tables `names` the store's catalogue holds.
fn tables_named(s: &Store, names: &[&str]) -> usize {
    names
        .iter()
        .map(|name| {
            s.conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE name = ?1",
                    [name],
                    |r| r.get::<_, i64>(0),
                )
                .expect("catalogue")
        })
        .filter(|&n| n > 0)
        .count()
}

/// A damaged text key far past the others is reported when the texts load, not grown into.
#[test]
fn a_text_key_far_past_the_others_is_an_error_not_an_abort() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("damaged.db");
    let mut s = Store::open(&path).expect("store");
    store_rows(&mut s, "2026-04", &sample_rows(20, 3), &[]);
    let copy = dir.path().join("copy.db");
    s.conn
        .execute("VACUUM INTO ?1", [copy.to_str().expect("path")])
        .expect("copy");
    drop(s);
    // A key far past the others, and a driver text naming an indicator far past them.
    for (path, key, text) in [
        (&path, Some(1i64 << 40), "far".to_string()),
        (
            &copy,
            None,
            format!("{}{}:1.5", crate::codec::DRIVER, 1u64 << 40),
        ),
    ] {
        let conn = Connection::open(path).expect("open");
        conn.execute(
            "INSERT INTO texts (key, text) VALUES (coalesce(?1, (SELECT max(key) + 1 FROM texts)), ?2)",
            params![key, text],
        )
        .expect("damage");
        drop(conn);
        let s = Store::open_read_only(path).expect("opens");
        let err = s
            .result_columns(month("2026-04"))
            .expect_err("a damaged store is an error");
        assert!(err.to_string().contains("texts"), "{err}");
    }
}
