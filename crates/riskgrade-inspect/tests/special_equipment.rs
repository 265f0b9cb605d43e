//! The reference special-equipment plan (Shandong 2022): only holders of a
//! special-equipment use registration are in scope, every D user is inspected,
//! and users labelled as in a crowded venue or with a recent accident are
//! inspected whatever their class.

use riskgrade_inspect::{Candidate, DrawInput, History, Inspector, Why, draw, examples};

const DISTRICTS: [&str; 3] = ["Haidian", "Chaoyang", "Xicheng"];

/// 240 enterprises: three in four use special equipment; classes cycle A A A B B C D;
/// every 11th user is in a crowded venue, every 13th had an accident.
fn candidates() -> Vec<Candidate> {
    (0..240)
        .map(|i| {
            let user = i % 4 != 3;
            let mut labels = Vec::new();
            if user && i % 11 == 0 {
                labels.push("公众聚集场所".to_string());
            }
            if user && i % 13 == 0 {
                labels.push("近两年特种设备事故".to_string());
            }
            Candidate {
                id: format!("E{i:03}"),
                class: ["A", "A", "A", "B", "B", "C", "D"][i % 7].into(),
                score: None,
                district: DISTRICTS[i % 3].into(),
                industry: ["F5211", "K7020", "C3311", "C1411"][i % 4].into(),
                alerts: Vec::new(),
                labels,
                licences: if user {
                    vec!["special_equipment_use".into(), "food_business".into()]
                } else {
                    vec!["food_production".into()]
                },
            }
        })
        .collect()
}

fn pool() -> Vec<Inspector> {
    (0..24)
        .map(|i| Inspector {
            id: format!("I{i}"),
            name: format!("Inspector {i}"),
            department: "special equipment safety division".into(),
            district: DISTRICTS[i % 3].into(),
            capacity: 100,
            conflicts: Vec::new(),
        })
        .collect()
}

#[test]
fn d_in_full_and_crowded_venues_and_accidents_whatever_the_class() {
    let plan = examples::plan("special-equipment").unwrap().unwrap();
    assert_eq!(plan.id(), "special-equipment");
    assert!(plan.is_full_coverage("D"));
    let cands = candidates();
    let (pool, history) = (pool(), History::default());
    let d = draw(&DrawInput {
        plan: &plan,
        candidates: &cands,
        pool: &pool,
        history: &history,
        date: "2026-06-15".parse().unwrap(),
        seed: "special equipment 2026",
        commitment: None,
    })
    .unwrap();
    let task = |id: &str| d.tasks.iter().find(|t| t.enterprise == id);
    for c in &cands {
        let user = c.licences.iter().any(|l| l == "special_equipment_use");
        let t = task(&c.id);
        if !user {
            assert!(t.is_none(), "{} holds no use registration", c.id);
            continue;
        }
        if c.class == "D" {
            assert!(t.is_some(), "{} is D", c.id);
        }
        if !c.labels.is_empty() {
            // Drawn at random or forced by its label: inspected either way.
            assert!(t.is_some(), "{} is labelled {:?}", c.id, c.labels);
        }
    }
    // Forced tasks are there, by label, on top of the random quota.
    assert!(
        d.tasks
            .iter()
            .any(|t| t.class == "A" && matches!(&t.why, Why::Label(_)))
    );
}
