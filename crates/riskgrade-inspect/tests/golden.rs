//! Published draws stay reproducible: for fixed inputs, the digests, the master key's streams and
//! the tasks are pinned to the values the algorithm in the `draw` module docs gives, so a change
//! that would make a stored draw fail to verify shows here.
#![allow(clippy::unwrap_used)]

use riskgrade_inspect::{
    Candidate, DrawInput, History, Inspector, LastInspection, Plan, draw, examples,
};
use sha2::{Digest, Sha256};

const DISTRICTS: [&str; 3] = ["Haidian", "Chaoyang", "Xicheng"];
// Codes of GB/T 4754-2017 in several spellings; strata read them with the core's table.
const INDUSTRIES: [&str; 4] = ["C14", "F52", "G54", "1411"];
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
                licences: vec![],
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

const POOL: &str = "7a7961979270071bf1d6557e79d66e198f11bf01e413e9b4eef509bf16baed7b";
const HISTORY: &str = "23c1430fddbb55c40171ef3b9e835a040cc5ebea514e158080b8b922ea2c2f91";

#[test]
fn draws_are_pinned() {
    let plan = Plan::from_toml_str(PLAN, None).unwrap();
    let henan = examples::plan("henan-2021").unwrap().unwrap();
    let (candidates, history) = population();
    let pool = pool();
    // (plan, date, seed, tasks, plan digest, candidate-list digest, commitment, SHA-256 of the
    // draw's JSON). Pinned again deliberately when the draw became two stages keyed separately
    // (enterprises by SHA-256 tickets over the candidate list; inspectors by the tasks and the
    // pool) with forced tasks on top of the random quota.
    let cases = [
        (
            &plan,
            "2026-06-15",
            "2026-06 lottery 8e1f",
            178,
            "7014c545cef53f6c13da97b58eec1f86140db38302a4bce90dc7f078c3d806ca",
            "bd146511988a47d4a6223b9b819f5ecd71976f49bb2876399f6939de13e7bbe7",
            "6509b3a5bea9f1cffd3fada253e4335c3657999d6ad6bb4128d5adc200d549c8",
            "b81f5a5cefebf9fc06b9750d5fd834c82c0eeeb8611b76d6eb0449f748194ceb",
        ),
        // The exclusion window starts on 2026-02-28 (the day clamped to the month's end).
        (
            &plan,
            "2026-08-31",
            "2026-06 lottery 8e1f",
            211,
            "7014c545cef53f6c13da97b58eec1f86140db38302a4bce90dc7f078c3d806ca",
            "6007f3ef220b557b1df0e560a372a3f8bf858c5a5fb9d7e39e80f784161c74ba",
            "10bdaf3abe9ad8047bf9482be9924e5731b42ae2964e510739f3ebcb04065539",
            "a8b59a0371d92592e7ba7334b3540f1c9718282b22dbaef94314c4f7a0e41bd1",
        ),
        (
            &henan,
            "2026-11-02",
            "s",
            60,
            "2159ea59c1f87e6e1a87490030891ef89aef05147c09d35d58ec6bfedfea8527",
            "571c996aed09d739a31b9164a1302ce428abdc5b85f0eef051e1714f0b2cf2f3",
            "ddd5408b75f6ab304d4b899f1304b0bff4041783dd0ea478edc5cfa24c141fb7",
            "3b2a626b2bfde9d223d124ff4dddda4ba8306f8ab1b3fb1a54f9b02972c535d4",
        ),
    ];
    for (plan, date, seed, tasks, plan_digest, list, commitment, sha) in cases {
        let d = draw(&DrawInput {
            plan,
            candidates: &candidates,
            pool: &pool,
            history: &history,
            date: date.parse().unwrap(),
            seed,
            commitment: None,
        })
        .unwrap();
        let json = serde_json::to_vec(&d).unwrap();
        let digests = &d.commitment.digests;
        assert_eq!(d.tasks.len(), tasks, "{date}");
        assert_eq!(digests.plan, plan_digest, "{date}");
        assert_eq!(digests.candidates, list, "{date}");
        assert_eq!(
            (digests.pool.as_str(), digests.history.as_str()),
            (POOL, HISTORY)
        );
        assert_eq!(d.commitment.digest, commitment, "{date}");
        assert_eq!(format!("{:x}", Sha256::digest(&json)), sha, "{date}");
    }
    let d = draw(&DrawInput {
        plan: &plan,
        candidates: &candidates,
        pool: &pool,
        history: &history,
        date: "2026-06-15".parse().unwrap(),
        seed: "2026-06 lottery 8e1f",
        commitment: None,
    })
    .unwrap();
    let first: Vec<_> = d.tasks[..2]
        .iter()
        .map(|t| (t.enterprise.as_str(), t.why.kind(), t.inspectors.join(";")))
        .collect();
    assert_eq!(
        first,
        [
            ("E0454", "random", "I6;I9".to_string()),
            ("E0046", "random", "I8;I9".to_string()),
        ]
    );
    assert_eq!(d.tasks[0].stratum, "district Chaoyang / industry C");
    // E0046 has a complaints alert and was drawn at random: it counts as random, not forced.
    assert!(candidates[46].alerts.contains(&"complaints".to_string()));
    // The tickets by hand: SHA-256 of `seed \n plan digest \n candidates digest \n id`; the
    // first cell's random picks are its eligible enterprises with the lowest tickets.
    let key = format!(
        "2026-06 lottery 8e1f\n{}\n{}\n",
        d.commitment.digests.plan, d.commitment.digests.candidates
    );
    let mut cell: Vec<(String, &str)> = d
        .candidates
        .entries
        .iter()
        .filter(|e| e.class == "A" && e.cell == "district Chaoyang / industry C" && e.eligible)
        .map(|e| {
            (
                format!("{:x}", Sha256::digest(format!("{key}{}", e.id))),
                e.id.as_str(),
            )
        })
        .collect();
    cell.sort();
    assert_eq!([cell[0].1, cell[1].1], ["E0454", "E0046"]);
}
