//! A simulated year of monthly draws by a plan with yearly minimum and maximum frequencies:
//! every enterprise meets its class's minimum over the year, spread over the months, random
//! picks never exceed the maximum, and forced tasks stay within their caps.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use proptest::prelude::*;
use riskgrade_core::Date;
use riskgrade_inspect::{
    Candidate, DrawInput, History, Inspector, LastInspection, Plan, Tally, draw, examples,
};

const PLAN: &str = r#"
id = "frequencies"
floor = 0.01
draws_per_year = 12
strata = ["district"]
[class.A]
per_year = 0.5
max_per_year = 1
[class.B]
per_year = 1
max_per_year = 2
[class.C]
per_year = 2
max_per_year = 4
[class.D]
per_year = 3
max_per_year = 6
[forced]
alert_topics = ["complaints"]
max_per_period = 1
max_per_year = 2
[exclude]
inspected_within_months = 1
"#;

const DISTRICTS: [&str; 3] = ["Haidian", "Chaoyang", "Xicheng"];

fn pool() -> Vec<Inspector> {
    (0..12)
        .map(|i| Inspector {
            id: format!("I{i:02}"),
            name: String::new(),
            department: "SAMR".into(),
            district: DISTRICTS[i % 3].into(),
            capacity: 1000,
            conflicts: vec![],
        })
        .collect()
}

/// What a year of monthly draws did to each enterprise: (tasks, forced tasks, random tasks,
/// months with a task, due tasks).
type Year = BTreeMap<String, (u32, u32, u32, Vec<u32>, u32)>;

/// Twelve monthly draws on the first of each month of 2026; `alerts(month, i)` says whether
/// enterprise `i` has a complaint that month. Each inspection is closed ten days after its draw.
fn simulate(plan: &Plan, classes: &[usize], alerts: impl Fn(u32, usize) -> bool) -> Year {
    let pool = pool();
    let mut history = History::default();
    let mut year = Year::new();
    for month in 1..=12u32 {
        let date: Date = format!("2026-{month:02}-01").parse().unwrap();
        let candidates: Vec<Candidate> = classes
            .iter()
            .enumerate()
            .map(|(i, &class)| Candidate {
                id: format!("E{i:03}"),
                class: ["A", "B", "C", "D"][class].into(),
                score: None,
                district: DISTRICTS[i % 3].into(),
                industry: "C14".into(),
                alerts: if alerts(month, i) {
                    vec!["complaints".into()]
                } else {
                    vec![]
                },
                labels: vec![],
                licences: vec![],
            })
            .collect();
        let seed = format!("2026-{month:02} lottery");
        let d = draw(&DrawInput {
            plan,
            candidates: &candidates,
            pool: &pool,
            history: &history,
            date,
            seed: &seed,
            commitment: None,
        })
        .unwrap();
        for t in &d.tasks {
            let tally = history
                .year
                .entry(t.enterprise.clone())
                .or_insert(Tally::default());
            tally.drawn += 1;
            tally.forced += u32::from(t.why.is_forced());
            let done = Date::from_days(date.days() + 10);
            let last = LastInspection {
                date: done,
                inspectors: t.inspectors.clone(),
            };
            history.last.insert(t.enterprise.clone(), last);
            let e = year.entry(t.enterprise.clone()).or_default();
            e.0 += 1;
            e.1 += u32::from(t.why.is_forced());
            e.2 += u32::from(t.why.kind() == "random");
            e.3.push(month);
            e.4 += u32::from(t.why.kind() == "due");
        }
    }
    year
}

fn check(plan: &Plan, classes: &[usize], year: &Year) {
    for (i, &class) in classes.iter().enumerate() {
        let id = format!("E{i:03}");
        let class = ["A", "B", "C", "D"][class];
        let (tasks, forced, random, months, _) = year.get(&id).cloned().unwrap_or_default();
        let min = plan.min_per_year(class).unwrap();
        if min >= 1.0 {
            assert!(
                f64::from(tasks) >= min,
                "{id} (class {class}) had {tasks} inspections, minimum {min}: months {months:?}"
            );
        }
        assert!(
            random <= plan.max_per_year(class).unwrap(),
            "{id}: {random} random"
        );
        assert!(forced <= 2, "{id}: {forced} forced, cap 2");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn yearly_minimums_are_met_over_a_simulated_year(
        classes in prop::collection::vec(0usize..4, 1..120),
        complaints in prop::collection::vec((1u32..=12, 0usize..120), 0..40),
    ) {
        let plan = Plan::from_toml_str(PLAN, None).unwrap();
        let year = simulate(&plan, &classes, |m, i| complaints.contains(&(m, i)));
        check(&plan, &classes, &year);
    }
}

/// The reference food production plan on food producers: every B, C and D producer meets its
/// minimum, and about half of the A producers are inspected (once every two years).
#[test]
fn the_food_plan_meets_its_minimums() {
    let plan = examples::plan("food-production").unwrap().unwrap();
    let classes: Vec<usize> = (0..400).map(|i| [0, 0, 1, 1, 1, 2, 2, 3][i % 8]).collect();
    let year = simulate(&plan, &classes, |m, i| {
        (i * 7 + m as usize).is_multiple_of(97)
    });
    check(&plan, &classes, &year);
    let a = classes.iter().filter(|c| **c == 0).count();
    // Spread over the months: the enterprises furthest behind are drawn first, so hardly any
    // task is taken because it became due at the end of the year.
    let due: usize = year.values().map(|e| e.4).sum::<u32>() as usize;
    let tasks: usize = year.values().map(|e| e.0).sum::<u32>() as usize;
    assert!(due * 50 <= tasks, "{due} of {tasks} tasks were due");
    let a_inspected = (0..classes.len())
        .filter(|i| classes[*i] == 0 && year.contains_key(&format!("E{i:03}")))
        .count();
    assert!(a_inspected * 2 >= a, "{a_inspected} of {a} A producers");
}
