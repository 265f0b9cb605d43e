//! Published draws stay reproducible: for fixed inputs, the digests, the master key's streams and
//! the tasks are pinned to the values the algorithm in the `draw` module docs gives, so a change
//! that would make a stored draw fail to verify shows here.
#![allow(clippy::unwrap_used)]

use riskgrade_inspect::{
    Candidate, DrawInput, History, Inspector, LastInspection, Plan, Why, draw, examples,
};
use sha2::{Digest, Sha256};

const DISTRICTS: [&str; 3] = ["Haidian", "Chaoyang", "Xicheng"];
const INDUSTRIES: [&str; 4] = ["C14", "F52", "G51", "1411"];
const PLAN: &str = r#"
id = "golden"
floor = 0.05
draws_per_year = 12
strata = ["district", "industry"]
[class.A]
ratio = 0.05
[class.B]
ratio = 0.2
[class.C]
per_year = 6
[class.D]
full_coverage = true
[include]
alert_topics = ["complaints"]
labels = ["重点监管"]
[exclude]
inspected_within_months = 6
"#;

/// 500 enterprises, every seventh with a last inspection 0–12 months before June 2026.
fn population() -> (Vec<Candidate>, History) {
    let mut history = History::default();
    let candidates = (0..500usize)
        .map(|i| {
            let id = format!("E{i:04}");
            if i % 7 == 0 {
                let months = 2026 * 12 + 5 - (i as u32 % 13);
                let date = format!("{}-{:02}-{:02}", months / 12, months % 12 + 1, 1 + i % 28);
                history.last.insert(
                    id.clone(),
                    LastInspection {
                        date: date.parse().unwrap(),
                        inspectors: vec![format!("I{}", i % 11)],
                    },
                );
            }
            Candidate {
                id,
                class: ["A", "B", "C", "D", "A", "B", "A"][i % 7].into(),
                score: Some(i as f64 / 500.0),
                district: DISTRICTS[i % 3].into(),
                industry: INDUSTRIES[(i / 3) % 4].into(),
                alerts: if i % 23 == 0 {
                    vec!["complaints".into()]
                } else if i % 19 == 0 {
                    vec!["noise".into()]
                } else {
                    vec![]
                },
                labels: if i % 31 == 0 {
                    vec!["重点监管".into()]
                } else {
                    vec![]
                },
            }
        })
        .collect();
    (candidates, history)
}

fn pool() -> Vec<Inspector> {
    (0..12usize)
        .map(|i| Inspector {
            id: format!("I{i}"),
            name: format!("N{i}"),
            department: "SAMR".into(),
            district: DISTRICTS[i % 3].into(),
            capacity: 40 + i as u32,
            conflicts: (0..3)
                .map(|k| format!("E{:04}", (i * 37 + k * 101) % 500))
                .collect(),
        })
        .collect()
}

const CANDIDATES: &str = "6d5dc529cd4ee8360653f11323176c018621245a87a6e987c898c86afb11dcd5";
const POOL: &str = "7a7961979270071bf1d6557e79d66e198f11bf01e413e9b4eef509bf16baed7b";
const HISTORY: &str = "23c1430fddbb55c40171ef3b9e835a040cc5ebea514e158080b8b922ea2c2f91";

#[test]
fn draws_are_pinned() {
    let plan = Plan::from_toml_str(PLAN, None).unwrap();
    let henan = examples::plan("henan-2021").unwrap().unwrap();
    let (candidates, history) = population();
    let pool = pool();
    // (plan, date, seed, tasks, plan digest, SHA-256 of the draw's JSON)
    let cases = [
        (
            &plan,
            "2026-06-15",
            "2026-06 lottery 8e1f",
            157,
            "957529f4dde49e740f557051e2d37d0f792635c1893337b61f937f995e8b78b5",
            "cebbf59e5ecb99522f93922051cef5d2abb839353927e3c337a4eb3bafd372db",
        ),
        // The exclusion window starts on 2026-02-28 (the day clamped to the month's end).
        (
            &plan,
            "2026-08-31",
            "2026-06 lottery 8e1f",
            157,
            "957529f4dde49e740f557051e2d37d0f792635c1893337b61f937f995e8b78b5",
            "ffc9311f04bf614fac84f52f78d74dcf5b7d2aa8c48adf72894fc4d5fbf49253",
        ),
        (
            &henan,
            "2026-11-02",
            "s",
            48,
            "1185b1cb013606342b46b1af8cb1020759fa123087b260b0006393f1933f535c",
            "cba922c6416a3dd7ca91d08e24f9ce89579979c5cc28a8e1816220915d9f12dc",
        ),
    ];
    for (plan, date, seed, tasks, plan_digest, sha) in cases {
        let d = draw(&DrawInput {
            plan,
            candidates: &candidates,
            pool: &pool,
            history: &history,
            date: date.parse().unwrap(),
            seed,
        })
        .unwrap();
        assert_eq!(d.tasks.len(), tasks, "{date}");
        assert_eq!(d.digests.plan, plan_digest, "{date}");
        assert_eq!(
            (d.digests.candidates.as_str(), d.digests.pool.as_str()),
            (CANDIDATES, POOL)
        );
        assert_eq!(d.digests.history, HISTORY, "{date}");
        let json = serde_json::to_vec(&d).unwrap();
        assert_eq!(format!("{:x}", Sha256::digest(&json)), sha, "{date}");
    }
    let d = draw(&DrawInput {
        plan: &plan,
        candidates: &candidates,
        pool: &pool,
        history: &history,
        date: "2026-06-15".parse().unwrap(),
        seed: "2026-06 lottery 8e1f",
    })
    .unwrap();
    let first: Vec<_> = d.tasks[..2]
        .iter()
        .map(|t| (t.enterprise.as_str(), t.why.clone(), t.inspectors.join(";")))
        .collect();
    assert_eq!(
        first,
        [
            (
                "E0046",
                Why::Alert("complaints".into()),
                "I2;I3".to_string()
            ),
            ("E0217", Why::Label("重点监管".into()), "I0;I2".to_string()),
        ]
    );
    assert_eq!(d.tasks[0].stratum, "district Chaoyang / industry C");
}
