//! Commit → seed → draw → verify → publish → the year's view, on a stored period.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use riskgrade_core::{Date, InspectionResult, Month};
use riskgrade_inspect::{DrawError, Inspector, Plan};
use riskgrade_monthly::{
    InspectionError, PublishOptions, commit_period, draw_committed, publish_draw, verify_draw,
    year_view,
};
use riskgrade_store::{NewRun, ResultRow, Store, StoreError, TaskOutcome};

const PLAN: &str = r#"
id = "test"
department = "market regulation"
floor = 0.05
draws_per_year = 12
strata = ["district"]
[scope]
industries = ["C14"]
[class.A]
per_year = 1
[class.B]
per_year = 2
[class.C]
ratio = 0.5
[class.D]
full_coverage = true
[forced]
alert_topics = ["complaints"]
"#;

fn store_with_period(period: Month) -> Store {
    let mut store = Store::in_memory().unwrap();
    add_period(&mut store, period);
    store
}

fn add_period(store: &mut Store, period: Month) {
    let mut run = store
        .begin_run(NewRun::new(
            period,
            period.last_day(),
            "v1",
            ["A", "B", "C", "D"],
        ))
        .unwrap();
    for i in 0..240 {
        let class = ["A", "A", "B", "C", "D", "B"][i % 6];
        let mut row = ResultRow::graded(&format!("E{i:03}"), "general", i as f64, class);
        row.district = ["Haidian", "Chaoyang"][i % 2].into();
        row.industry = if i % 5 == 0 {
            "F52".into()
        } else {
            "C14".into()
        };
        if i % 17 == 0 {
            row.alerts = vec!["complaints -> market regulation".into()];
        }
        run.insert(&row).unwrap();
    }
    run.commit().unwrap();
}

fn pool(capacity: u32) -> Vec<Inspector> {
    (0..10)
        .map(|i| Inspector {
            id: format!("I{i}"),
            name: format!("inspector {i}"),
            department: "market regulation".into(),
            district: ["Xicheng", "Dongcheng"][i % 2].into(),
            capacity,
            conflicts: vec![],
        })
        .collect()
}

#[test]
fn commit_then_draw_then_verify_and_publish() {
    let period: Month = "2026-01".parse().unwrap();
    let date: Date = "2026-02-01".parse().unwrap();
    let plan = Plan::from_toml_str(PLAN, None).unwrap();
    let mut store = store_with_period(period);
    let (c, commitment, list) =
        commit_period(&mut store, period, &plan, &pool(100), date, "clerk").unwrap();
    assert_eq!(list.out_of_scope.get("industries"), Some(&48));

    // A pool that differs from the commitment is refused, and nothing is stored.
    let err = draw_committed(&mut store, c, &pool(99), "seed 1", "clerk").unwrap_err();
    match err {
        InspectionError::Draw(DrawError::Commitment {
            commitment: d,
            differs,
        }) => {
            assert_eq!(d, commitment.digest);
            assert_eq!(differs, ["pool"]);
        }
        other => panic!("not refused: {other}"),
    }
    assert!(store.draws().unwrap().is_empty());

    let (id, d) = draw_committed(&mut store, c, &pool(100), "seed 1", "clerk").unwrap();
    assert_eq!(d.commitment, commitment);
    // A commitment is drawn once: a second seed cannot re-roll it.
    let again = draw_committed(&mut store, c, &pool(100), "seed 2", "clerk").unwrap_err();
    assert!(
        matches!(again, InspectionError::Store(StoreError::Invalid(_))),
        "{again}"
    );

    let v = verify_draw(&store, id, &pool(100)).unwrap();
    assert!(v.is_identical(), "{v:?}");
    assert_eq!(v.commitment, Some((c, commitment.digest.clone())));
    // Another pool: the enterprises stay, only inspectors can differ, and the summary says so.
    let other: Vec<Inspector> = pool(100).into_iter().rev().skip(2).collect();
    let v = verify_draw(&store, id, &other).unwrap();
    assert!(!v.is_identical());
    assert_eq!(v.enterprises_differ, 0);
    assert_eq!(v.differences.len(), v.inspectors_differ);
    assert!(v.inputs.iter().any(|(what, ..)| *what == "pool"));
    assert!(v.inputs.iter().any(|(what, ..)| *what == "commitment"));

    // Close half the tasks; the publication shows those only, with public fields.
    let tasks = store.tasks(id).unwrap();
    let outcomes: Vec<TaskOutcome> = tasks
        .iter()
        .step_by(2)
        .map(|t| TaskOutcome {
            draw: id,
            enterprise: t.task.enterprise.clone(),
            date: "2026-02-12".parse().unwrap(),
            result: InspectionResult::Problem,
            severity: None,
            note: Some("ordered to rectify".into()),
        })
        .collect();
    store.record_outcomes(&outcomes, "inspectors").unwrap();
    // Names come from the table given, else from the store's directory (recorded from profiles).
    let via_directory = outcomes[1].enterprise.clone();
    let mut profile: riskgrade_core::Enterprise = serde_json::from_str(&format!(
        r#"{{"id": "{via_directory}", "name": "Beta Foods", "industry": "C1411"}}"#
    ))
    .unwrap();
    profile.credit_code = Some("91110108MA01ABCD1X".into());
    store.record_directory(&[profile]).unwrap();
    let names = HashMap::from([(
        "E001".to_string(),
        ("Acme".to_string(), "91110000X".to_string()),
    )]);
    let p = publish_draw(&store, id, &names, PublishOptions::default()).unwrap();
    assert_eq!(p.rows.len(), outcomes.len());
    assert!(
        p.rows
            .iter()
            .all(|r| r.class.is_none() && r.inspectors.is_none())
    );
    assert!(p.rows.iter().all(|r| r.department == "market regulation"));
    assert_eq!(p.rows[0].disposal, "ordered to rectify");
    let named = p
        .rows
        .iter()
        .find(|r| r.enterprise == via_directory)
        .unwrap();
    assert_eq!(
        (named.name.as_str(), named.credit_code.as_str()),
        ("Beta Foods", "91110108MA01ABCD1X")
    );
    assert!(
        p.rows
            .iter()
            .filter(|r| r.enterprise != via_directory && r.enterprise != "E001")
            .all(|r| r.name.is_empty())
    );
    assert_eq!(p.candidates, list.to_jsonl());
    assert_eq!(p.draw["commitment"]["digest"], commitment.digest.as_str());
    assert_eq!(p.draw["tasks"].as_array().unwrap().len(), tasks.len());
    let text = serde_json::to_string(&p.results_json()).unwrap();
    for internal in ["score", "reasons", "\"class\"", "inspectors\""] {
        assert!(!text.contains(internal), "{internal} published");
    }

    let y = year_view(&store, 2026, "test").unwrap();
    assert_eq!(y.draws, 1);
    assert_eq!(y.out_of_scope, 48);
    let total: u64 = y.classes.iter().flat_map(|c| c.tasks).sum();
    assert_eq!(total as usize, tasks.len());
    let a = &y.classes[0];
    assert!(a.tasks[0] > 0, "random picks in class A");
    // One draw of twelve cannot meet a yearly minimum: the shortfall is reported with its reason.
    assert!(a.missed_total() > 0);
    assert!(y.to_string().contains("below the minimum"));
    assert!(matches!(
        year_view(&store, 2025, "test"),
        Err(InspectionError::NoDrawsInYear { .. })
    ));
}

/// The embedded Beijing pool reads from its text as the file reads from disk.
#[test]
fn the_embedded_pool_reads_like_the_file() {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/inspectors/beijing-pool.csv");
    let from_text = riskgrade_monthly::pool_from_csv(
        riskgrade_inspect::examples::BEIJING_POOL_CSV,
        std::path::Path::new("beijing-pool.csv"),
    )
    .unwrap();
    assert_eq!(from_text.len(), 256);
    assert_eq!(from_text, riskgrade_monthly::read_pool(&file).unwrap());
    let bad = riskgrade_monthly::pool_from_csv(
        "id,name,department,district,capacity\nI1,Li,m,Haidian,many\n",
        std::path::Path::new("p.csv"),
    )
    .unwrap_err();
    assert_eq!(
        bad.to_string(),
        "p.csv: row 1, column `capacity`: `many` is not a whole number of tasks"
    );
}

/// A minimum below one a year (food producers in class A: once every two years) counts the
/// inspections since the start of its window, not only this year's: the year's view reports
/// as behind exactly the enterprises with no inspection in the window, and says when the
/// store's history is too short to know.
#[test]
fn a_minimum_below_once_a_year_counts_the_whole_window() {
    let plan = Plan::from_toml_str(
        r#"
id = "biennial"
floor = 0.01
draws_per_year = 12
[scope]
industries = ["C14"]
[class.A]
per_year = 0.5
[class.B]
ratio = 0.1
[class.C]
ratio = 0.1
[class.D]
ratio = 0.1
"#,
        None,
    )
    .unwrap();
    let mut store = Store::in_memory().unwrap();
    let mut drawn_in = HashMap::new();
    for (period, date, close) in [
        ("2024-11", "2024-12-01", false),
        ("2025-11", "2025-12-01", true),
        ("2026-11", "2026-12-01", false),
    ] {
        let period: Month = period.parse().unwrap();
        let date: Date = date.parse().unwrap();
        add_period(&mut store, period);
        let (c, ..) = commit_period(&mut store, period, &plan, &pool(100), date, "clerk").unwrap();
        let (id, _) = draw_committed(
            &mut store,
            c,
            &pool(100),
            period.to_string().as_str(),
            "clerk",
        )
        .unwrap();
        let tasks = store.tasks(id).unwrap();
        drawn_in.insert(
            date.ymd().0,
            tasks
                .iter()
                .map(|t| t.task.enterprise.clone())
                .collect::<Vec<_>>(),
        );
        if close {
            let outcomes: Vec<TaskOutcome> = tasks
                .iter()
                .map(|t| TaskOutcome {
                    draw: id,
                    enterprise: t.task.enterprise.clone(),
                    date,
                    result: InspectionResult::NoProblem,
                    severity: None,
                    note: None,
                })
                .collect();
            store.record_outcomes(&outcomes, "inspectors").unwrap();
        }
    }
    // Class A in scope: i % 6 in {0, 1}, industry C14 (i % 5 != 0).
    let a: Vec<String> = (0..240)
        .filter(|i| i % 6 < 2 && i % 5 != 0)
        .map(|i| format!("E{i:03}"))
        .collect();
    let counted = |id: &String| drawn_in[&2025].contains(id) || drawn_in[&2026].contains(id);
    let behind = a.iter().filter(|id| !counted(id)).count();
    assert!(behind > 0 && behind < a.len(), "{behind} of {}", a.len());

    let y = year_view(&store, 2026, "biennial").unwrap();
    let row = y.classes.iter().find(|c| c.class == "A").unwrap();
    assert_eq!(row.min_per_year, Some(0.5));
    assert_eq!(row.enterprises, a.len());
    assert_eq!(row.missed_total(), behind, "{:?}", row.missed);
    assert_eq!(
        row.missed.keys().collect::<Vec<_>>(),
        ["not inspected since 2025-01-01 (quota, exclusions or maximum)"]
    );

    // In 2025 the window opens on 2024-01-01, before the store's first draw: the view says the
    // earlier inspections are unknown rather than blaming the draw.
    let y = year_view(&store, 2025, "biennial").unwrap();
    let row = y.classes.iter().find(|c| c.class == "A").unwrap();
    assert!(row.missed_total() > 0);
    assert!(
        row.missed.keys().all(|k| k
            .ends_with("the store's draws start 2024-12-01, so earlier inspections are unknown")),
        "{:?}",
        row.missed
    );
}
