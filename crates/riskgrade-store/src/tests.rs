use super::*;
use riskgrade_core::{Date, Month, RecordType};
use rusqlite::Connection;

fn month(s: &str) -> Month {
    s.parse().expect("month")
}
fn date(s: &str) -> Date {
    s.parse().expect("date")
}

fn write(store: &mut Store, period: &str, rows: &[(&str, Option<&str>)]) -> RunInfo {
    let p = month(period);
    let mut run = NewRun::new(p, p.last_day(), "v1", ["A", "B", "C", "D"]);
    run.input_digest = format!("digest-{period}");
    let mut w = store.begin_run(run).expect("begin");
    for (id, class) in rows {
        let row = match class {
            Some(c) => ResultRow::graded(id, "general", 1.0, c),
            None => ResultRow::failed(id, "bad row"),
        };
        w.insert(&row).expect("insert");
    }
    w.commit().expect("commit")
}

#[test]
fn a_new_file_gets_the_current_schema_and_reopens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("h.db");
    {
        let mut s = Store::open(&path).expect("open");
        assert_eq!(s.schema_version().expect("version"), SCHEMA_VERSION);
        write(&mut s, "2026-01", &[("E1", Some("A"))]);
    }
    let s = Store::open(&path).expect("reopen");
    assert_eq!(s.runs().expect("runs").len(), 1);
}

#[test]
fn a_file_from_a_newer_riskgrade_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("h.db");
    drop(Store::open(&path).expect("open"));
    let conn = Connection::open(&path).expect("sqlite");
    conn.pragma_update(None, "user_version", 99)
        .expect("pragma");
    drop(conn);
    let err = Store::open(&path).expect_err("newer");
    assert!(
        err.to_string().contains("schema version 99") && err.to_string().contains("upgrade"),
        "{err}"
    );
}

#[test]
fn a_file_that_is_not_a_database_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("h.db");
    std::fs::write(&path, "period,id\n2026-01,E1\n".repeat(200)).expect("write");
    let err = Store::open(&path).expect_err("not sqlite");
    assert!(err.to_string().contains("h.db"), "{err}");
}

#[test]
fn a_run_counts_classes_and_errors() {
    let mut s = Store::in_memory().expect("store");
    let info = write(
        &mut s,
        "2026-02",
        &[
            ("E1", Some("A")),
            ("E2", Some("D")),
            ("E3", None),
            ("E4", Some("A")),
        ],
    );
    assert_eq!(info.class_counts, vec![2, 0, 0, 1]);
    assert_eq!((info.enterprises, info.graded, info.errors), (4, 3, 1));
    let stored = s.run(month("2026-02")).expect("run").expect("stored");
    assert_eq!(stored, info);
    let e3 = s
        .result(month("2026-02"), "E3")
        .expect("read")
        .expect("row");
    assert_eq!((e3.class, e3.error.as_deref()), (None, Some("bad row")));
}

#[test]
fn a_class_the_run_does_not_name_is_refused() {
    let mut s = Store::in_memory().expect("store");
    let p = month("2026-02");
    let mut w = s
        .begin_run(NewRun::new(p, p.last_day(), "v1", ["A", "B"]))
        .expect("begin");
    let err = w
        .insert(&ResultRow::graded("E1", "general", 1.0, "Z"))
        .expect_err("unknown class");
    assert!(
        err.to_string().contains("E1") && err.to_string().contains("`Z`"),
        "{err}"
    );
}

#[test]
fn rerunning_a_period_replaces_it_and_an_abandoned_run_changes_nothing() {
    let mut s = Store::in_memory().expect("store");
    write(&mut s, "2026-03", &[("E1", Some("A")), ("E2", Some("B"))]);
    // Abandoned mid-write: dropped before commit.
    {
        let p = month("2026-03");
        let mut w = s
            .begin_run(NewRun::new(p, p.last_day(), "v2", ["A", "B", "C", "D"]))
            .expect("begin");
        w.insert(&ResultRow::graded("E9", "general", 1.0, "D"))
            .expect("insert");
    }
    let run = s.run(month("2026-03")).expect("run").expect("stored");
    assert_eq!((run.version_id.as_str(), run.enterprises), ("v1", 2));
    assert!(s.result(month("2026-03"), "E9").expect("read").is_none());
    // A committed re-run replaces every row of the period.
    write(&mut s, "2026-03", &[("E2", Some("C"))]);
    assert!(s.result(month("2026-03"), "E1").expect("read").is_none());
    let e2 = s
        .result(month("2026-03"), "E2")
        .expect("read")
        .expect("row");
    assert_eq!(e2.class.as_deref(), Some("C"));
    let actions: Vec<String> = s
        .audit_trail(None)
        .expect("audit")
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(actions, ["run", "replace_run"]);
}

#[test]
fn the_audit_trail_is_append_only() {
    let mut s = Store::in_memory().expect("store");
    write(&mut s, "2026-03", &[("E1", Some("A"))]);
    let err = s
        .conn
        .execute("UPDATE audit SET actor = 'someone else'", [])
        .expect_err("update");
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = s.conn.execute("DELETE FROM audit", []).expect_err("delete");
    assert!(err.to_string().contains("append-only"), "{err}");
}

#[test]
fn scan_pair_joins_two_periods_on_the_id() {
    let mut s = Store::in_memory().expect("store");
    write(
        &mut s,
        "2026-01",
        &[("E1", Some("A")), ("E2", Some("B")), ("E4", Some("C"))],
    );
    write(
        &mut s,
        "2026-02",
        &[("E2", Some("C")), ("E3", Some("A")), ("E4", Some("C"))],
    );
    let mut seen = Vec::new();
    s.scan_pair::<StoreError>(month("2026-01"), month("2026-02"), |a, b| {
        let id = a.or(b).map(|r| r.id.clone()).unwrap_or_default();
        seen.push((
            id,
            a.and_then(|r| r.class.clone()),
            b.and_then(|r| r.class.clone()),
        ));
        Ok(())
    })
    .expect("scan");
    let s = |x: &str| Some(x.to_string());
    assert_eq!(
        seen,
        vec![
            ("E1".into(), s("A"), None),
            ("E2".into(), s("B"), s("C")),
            ("E3".into(), None, s("A")),
            ("E4".into(), s("C"), s("C")),
        ]
    );
}

#[test]
fn history_lists_every_period_with_its_changes() {
    let mut s = Store::in_memory().expect("store");
    write(&mut s, "2026-01", &[("E1", Some("A"))]);
    let p = month("2026-02");
    let mut w = s
        .begin_run(NewRun::new(p, p.last_day(), "v1", ["A", "B", "C", "D"]))
        .expect("begin");
    w.insert(&ResultRow::graded("E1", "general", 9.0, "C"))
        .expect("insert");
    w.note(&ChangeNote {
        id: "E1".into(),
        from_class: Some("A".into()),
        to_class: Some("C".into()),
        kind: ChangeKind::Record,
        detail: "penalty of 2026-02-03 entered its effect period".into(),
    })
    .expect("note");
    w.commit().expect("commit");
    write(&mut s, "2026-03", &[("E2", Some("A"))]);
    let h = s.history("E1").expect("history");
    assert_eq!(h.len(), 3);
    assert_eq!(h[1].changes.len(), 1);
    assert_eq!(h[1].changes[0].kind, ChangeKind::Record);
    assert!(h[2].result.is_none());
    assert_eq!(
        s.previous_run(month("2026-03"))
            .expect("prev")
            .map(|r| r.period),
        Some(p)
    );
}

#[test]
fn decisions_take_effect_within_their_dates_and_can_be_revoked() {
    let mut s = Store::in_memory().expect("store");
    let o = s
        .decide(
            NewDecision::overriding(
                "E1",
                "B",
                date("2026-03-01"),
                "Li Wei",
                "licence reinstated",
            )
            .until(date("2026-06-30")),
        )
        .expect("override");
    let r = s
        .decide(NewDecision::repair(
            "E2",
            RecordType::Penalty,
            date("2025-01-10"),
            date("2026-02-15"),
            "Wang Fang",
            "fine paid, publicity ended early",
        ))
        .expect("repair");
    let ids = |d: Vec<Decision>| d.into_iter().map(|d| d.id).collect::<Vec<_>>();
    assert_eq!(
        ids(s.decisions_in_effect(date("2026-02-28")).expect("q")),
        vec![r]
    );
    assert_eq!(
        ids(s.decisions_in_effect(date("2026-03-31")).expect("q")),
        vec![o, r]
    );
    assert_eq!(
        ids(s.decisions_in_effect(date("2026-07-31")).expect("q")),
        vec![r]
    );
    s.revoke(r, "Wang Fang", "entered in error")
        .expect("revoke");
    assert!(
        s.decisions_in_effect(date("2026-03-31"))
            .expect("q")
            .iter()
            .all(|d| d.id != r)
    );
    let err = s.revoke(r, "Wang Fang", "again").expect_err("twice");
    assert!(err.to_string().contains("revoked"), "{err}");
    let trail: Vec<String> = s
        .audit_trail(Some("E2"))
        .expect("audit")
        .into_iter()
        .map(|a| format!("{} {}", a.actor, a.action))
        .collect();
    assert_eq!(trail, ["Wang Fang decide", "Wang Fang revoke"]);
}

#[test]
fn an_upheld_objection_records_an_override_that_follows_it() {
    let mut s = Store::in_memory().expect("store");
    let obj = s
        .decide(NewDecision::objection(
            "E5",
            month("2026-04"),
            date("2026-05-03"),
            "E5 legal representative",
            "the penalty was annulled on appeal",
        ))
        .expect("objection");
    assert_eq!(s.decision(obj).expect("read").status, DecisionStatus::Open);
    let follow = s
        .resolve(
            obj,
            Resolution::Upheld {
                class: Some("B".into()),
                effective: date("2026-05-10"),
            },
            "Zhao Min",
            "appeal judgment checked",
        )
        .expect("resolve")
        .expect("override");
    let o = s.decision(follow).expect("override");
    assert_eq!(
        (o.kind, o.class.as_deref(), o.follows),
        (DecisionKind::Override, Some("B"), Some(obj))
    );
    assert_eq!(
        s.decision(obj).expect("read").status,
        DecisionStatus::Upheld
    );
    let err = s
        .resolve(obj, Resolution::Rejected, "Zhao Min", "again")
        .expect_err("resolved twice");
    assert!(err.to_string().contains("only an open objection"), "{err}");
}

#[test]
fn incomplete_decisions_are_refused_with_the_reason() {
    let mut s = Store::in_memory().expect("store");
    let mut d = NewDecision::overriding("E1", "B", date("2026-03-01"), "Li Wei", "x");
    d.class = None;
    assert!(
        s.decide(d)
            .expect_err("no class")
            .to_string()
            .contains("needs a class")
    );
    let d = NewDecision::overriding("E1", "B", date("2026-03-01"), " ", "x");
    assert!(s.decide(d).expect_err("no by").to_string().contains("`by`"));
    let d = NewDecision::repair(
        "E1",
        RecordType::Penalty,
        date("2026-03-01"),
        date("2026-02-01"),
        "Li Wei",
        "x",
    );
    assert!(
        s.decide(d)
            .expect_err("early")
            .to_string()
            .contains("before the record's date")
    );
    let d = NewDecision::overriding("E1", "B", date("2026-03-01"), "Li Wei", "x")
        .until(date("2026-01-01"));
    assert!(
        s.decide(d)
            .expect_err("until")
            .to_string()
            .contains("`until`")
    );
}

#[test]
fn a_version_1_file_is_migrated_and_keeps_its_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("v1.db");
    {
        let conn = Connection::open(&path).expect("sqlite");
        conn.execute_batch(schema::MIGRATIONS[0])
            .expect("v1 schema");
        conn.pragma_update(None, "user_version", 1)
            .expect("version");
        conn.execute(
            "INSERT INTO results (period, id, model, score, base_score, class, reasons, drivers, labels, alerts, rules) \
             VALUES ('2026-01', 'E1', 'general', 1.0, 1.0, 'A', '', '', '', '', '')",
            [],
        )
        .expect("row");
    }
    let s = Store::open(&path).expect("migrates");
    assert_eq!(s.schema_version().expect("version"), SCHEMA_VERSION);
    let row = s
        .result(month("2026-01"), "E1")
        .expect("read")
        .expect("row");
    assert_eq!(
        (row.class.as_deref(), row.district.as_str()),
        (Some("A"), "")
    );
    assert!(s.draws().expect("draws").is_empty());
}

#[test]
fn a_draw_is_recorded_whole_and_outcomes_close_its_tasks() {
    use riskgrade_core::InspectionResult;
    let mut s = Store::in_memory().expect("store");
    let task = |n: u32, e: &str| TaskRow {
        number: n,
        enterprise: e.into(),
        class: "C".into(),
        stratum: "district=Haidian".into(),
        why: "random".into(),
        inspectors: vec!["I1".into(), "I2".into()],
    };
    let d = NewDraw {
        period: month("2026-10"),
        drawn_on: date("2026-11-02"),
        plan_id: "henan-2021".into(),
        plan_digest: "p".into(),
        plan: "{}".into(),
        seed: "2026-11 lottery".into(),
        candidates_digest: "c".into(),
        pool_digest: "i".into(),
        history_digest: "h".into(),
        tasks: vec![task(1, "E1"), task(2, "E2")],
    };
    let id = s.record_draw(&d, "planner").expect("draw");
    assert_eq!(s.draw(id).expect("read").tasks, 2);
    let outcome = |e: &str, r| TaskOutcome {
        draw: id,
        enterprise: e.into(),
        date: date("2026-11-20"),
        result: r,
        severity: None,
        note: None,
    };
    // One bad outcome: nothing is recorded.
    let err = s
        .record_outcomes(
            &[
                outcome("E1", InspectionResult::Problem),
                outcome("E9", InspectionResult::NoProblem),
            ],
            "Li Wei",
        )
        .expect_err("no task");
    assert!(
        err.to_string()
            .contains("outcome 2: draw #1 has no task for enterprise E9"),
        "{err}"
    );
    assert!(
        s.tasks(id)
            .expect("tasks")
            .iter()
            .all(|t| t.outcome.is_none())
    );
    s.record_outcomes(&[outcome("E1", InspectionResult::Problem)], "Li Wei")
        .expect("record");
    let err = s
        .record_outcomes(&[outcome("E1", InspectionResult::Problem)], "Li Wei")
        .expect_err("closed");
    assert!(err.to_string().contains("closed already"), "{err}");
    assert_eq!(
        s.inspections_until(date("2026-11-30")).expect("q"),
        vec![(
            "E1".to_string(),
            date("2026-11-20"),
            InspectionResult::Problem
        )]
    );
    assert!(
        s.inspections_until(date("2026-11-19"))
            .expect("q")
            .is_empty()
    );
    let last = s.last_inspections(date("2026-12-31")).expect("q");
    assert_eq!(last["E1"].1, vec!["I1".to_string(), "I2".to_string()]);
}

/// The names in existing store files, exactly: they must never change.
const CHANGE_KINDS: [(ChangeKind, &str); 7] = [
    (ChangeKind::New, "new"),
    (ChangeKind::Record, "record"),
    (ChangeKind::Repair, "repair"),
    (ChangeKind::Indicator, "indicator"),
    (ChangeKind::Rule, "rule"),
    (ChangeKind::Manual, "manual"),
    (ChangeKind::Model, "model"),
];
const DECISION_KINDS: [(DecisionKind, &str); 3] = [
    (DecisionKind::Override, "override"),
    (DecisionKind::Repair, "repair"),
    (DecisionKind::Objection, "objection"),
];
const DECISION_STATUSES: [(DecisionStatus, &str); 5] = [
    (DecisionStatus::Active, "active"),
    (DecisionStatus::Revoked, "revoked"),
    (DecisionStatus::Open, "open"),
    (DecisionStatus::Upheld, "upheld"),
    (DecisionStatus::Rejected, "rejected"),
];

/// Fails to compile when a variant is added without a stored name above.
fn _every_variant_has_a_stored_name(c: ChangeKind, k: DecisionKind, s: DecisionStatus) {
    use ChangeKind as C;
    use DecisionKind as K;
    use DecisionStatus as S;
    match c {
        C::New | C::Record | C::Repair | C::Indicator | C::Rule | C::Manual | C::Model => {}
    }
    match k {
        K::Override | K::Repair | K::Objection => {}
    }
    match s {
        S::Active | S::Revoked | S::Open | S::Upheld | S::Rejected => {}
    }
}

#[test]
fn every_enum_variant_round_trips_through_its_stored_name() {
    for (k, name) in CHANGE_KINDS {
        assert_eq!(k.name(), name);
        assert_eq!(ChangeKind::parse(name), Some(k));
    }
    for (k, name) in DECISION_KINDS {
        assert_eq!(k.name(), name);
        assert_eq!(DecisionKind::parse(name), Some(k));
    }
    for (s, name) in DECISION_STATUSES {
        assert_eq!(s.name(), name);
        assert_eq!(DecisionStatus::parse(name), Some(s));
    }
    assert_eq!(
        ChangeKind::ALL.to_vec(),
        CHANGE_KINDS.map(|(k, _)| k).to_vec()
    );
    assert_eq!(
        DecisionKind::ALL.to_vec(),
        DECISION_KINDS.map(|(k, _)| k).to_vec()
    );
    assert_eq!(
        DecisionStatus::ALL.to_vec(),
        DECISION_STATUSES.map(|(s, _)| s).to_vec()
    );
    for unknown in ["", "Record", "RECORD", " record", "overrides", "closed"] {
        assert_eq!(ChangeKind::parse(unknown), None, "{unknown:?}");
        assert_eq!(DecisionKind::parse(unknown), None, "{unknown:?}");
        assert_eq!(DecisionStatus::parse(unknown), None, "{unknown:?}");
    }
}

#[test]
fn rows_written_with_the_stored_names_read_back() {
    let mut s = Store::in_memory().expect("store");
    write(&mut s, "2026-01", &[("E1", Some("A"))]);
    // Change notes as an existing file holds them (kinds by their stored names), and as the writer writes them.
    for (seq, (_, name)) in CHANGE_KINDS.iter().enumerate() {
        s.conn
            .execute("INSERT OR IGNORE INTO texts (text) VALUES (?1)", [name])
            .expect("text");
        s.conn
            .execute(
                "INSERT INTO change_notes (period, id, seq, from_class, to_class, kind, detail) \
                 VALUES (?3, 'E1', ?1, NULL, NULL, (SELECT key FROM texts WHERE text = ?2), x'00')",
                rusqlite::params![
                    seq as i64 + 1,
                    name,
                    crate::codec::period_key(month("2026-01"))
                ],
            )
            .expect("insert");
    }
    let kinds: Vec<ChangeKind> = s
        .changes(month("2026-01"), Some("E1"))
        .expect("changes")
        .iter()
        .map(|n| n.kind)
        .collect();
    assert_eq!(kinds, ChangeKind::ALL.to_vec());
    let p = month("2026-02");
    let mut w = s
        .begin_run(NewRun::new(p, p.last_day(), "v1", ["A", "B"]))
        .expect("begin");
    for kind in ChangeKind::ALL {
        let note = ChangeNote {
            id: "E1".into(),
            from_class: None,
            to_class: Some("A".into()),
            kind,
            detail: "why".into(),
        };
        w.note(&note).expect("note");
    }
    w.commit().expect("commit");
    let stored: Vec<String> = s
        .conn
        .prepare(
            "SELECT t.text FROM change_notes c JOIN texts t ON t.key = c.kind \
             WHERE period = ?1 ORDER BY seq",
        )
        .expect("prepare")
        .query_map([crate::codec::period_key(month("2026-02"))], |r| r.get(0))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    assert_eq!(stored, CHANGE_KINDS.map(|(_, n)| n.to_string()).to_vec());
    // Decisions of every kind and status, as an existing file holds them.
    for (i, (kind, kind_name)) in DECISION_KINDS.iter().enumerate() {
        for (j, (status, status_name)) in DECISION_STATUSES.iter().enumerate() {
            let enterprise = format!("D{i}{j}");
            s.conn
                .execute(
                    "INSERT INTO decisions (enterprise, kind, class, record_kind, record_date, period, \
                     effective, reason, decided_by, decided_at, status) \
                     VALUES (?1, ?2, 'B', 'penalty', '2025-01-01', '2026-01', '2026-01-01', 'r', 'x', 0, ?3)",
                    rusqlite::params![enterprise, kind_name, status_name],
                )
                .expect("insert");
            let d = &s.decisions(Some(&enterprise)).expect("decisions")[0];
            assert_eq!((d.kind, d.status), (*kind, *status));
        }
    }
}

#[test]
fn refusals_and_unreadable_rows_carry_what_they_were_about() {
    let mut s = Store::in_memory().expect("store");
    match s
        .revoke(99, "Li Wei", "wrong")
        .expect_err("no such decision")
    {
        StoreError::Invalid(InvalidRequest::NoDecision { decision }) => assert_eq!(decision, 99),
        other => panic!("{other}"),
    }
    let err = s
        .delete_run(month("2026-05"), "Li Wei")
        .expect_err("nothing stored");
    assert!(
        matches!(&err, StoreError::Invalid(InvalidRequest::NoRun { period }) if *period == month("2026-05")),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("no run of period 2026-05 is stored"),
        "{err}"
    );
    let bad = NewDecision::overriding("E1", "B", date("2026-03-01"), "Li Wei", "why")
        .until(date("2026-02-01"));
    match s.decide(bad).expect_err("until before effective") {
        StoreError::Invalid(InvalidRequest::Decision {
            kind,
            enterprise,
            problem,
        }) => {
            assert_eq!((kind, enterprise.as_str()), (DecisionKind::Override, "E1"));
            assert_eq!(
                problem,
                DecisionProblem::UntilBeforeEffective {
                    until: date("2026-02-01"),
                    effective: date("2026-03-01")
                }
            );
        }
        other => panic!("{other}"),
    }
    write(&mut s, "2026-01", &[("E1", Some("A"))]);
    s.conn
        .execute_batch("INSERT INTO texts (text) VALUES ('recrod')")
        .expect("text");
    s.conn
        .execute(
            "INSERT INTO change_notes (period, id, seq, from_class, to_class, kind, detail) \
             VALUES (?1, 'E1', 1, NULL, NULL, (SELECT key FROM texts WHERE text = 'recrod'), x'00')",
            [crate::codec::period_key(month("2026-01"))],
        )
        .expect("insert");
    let err = s.changes(month("2026-01"), None).expect_err("unknown kind");
    match &err {
        StoreError::Corrupt {
            file,
            table,
            row,
            column,
            value,
        } => {
            assert_eq!(file, std::path::Path::new(":memory:"));
            assert_eq!(
                (*table, row.as_str(), *column, value.as_str()),
                ("change_notes", "E1 in 2026-01", "kind", "recrod")
            );
        }
        other => panic!("{other}"),
    }
    assert_eq!(
        err.to_string(),
        "history store :memory:: table `change_notes`, row E1 in 2026-01: unreadable kind `recrod`"
    );
}
