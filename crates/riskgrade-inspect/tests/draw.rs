//! Properties of the draw: determinism, order independence, quotas, avoidance, capacity,
//! infeasibility; and the reference plans in `examples/plans/`.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use riskgrade_core::Date;
use riskgrade_inspect::{
    Candidate, Draw, DrawError, DrawInput, History, Inspector, LastInspection, Plan, Shortfall,
    Why, commit, draw,
};

const DISTRICTS: [&str; 3] = ["Haidian", "Chaoyang", "Xicheng"];
const INDUSTRIES: [&str; 4] = ["C14", "F52", "G54", "1411"];
const DATE: &str = "2026-06-15";
const PLAN: &str = r#"
id = "prop"
floor = 0.05
draws_per_year = 12
strata = ["district"]
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

fn plan() -> Plan {
    Plan::from_toml_str(PLAN, None).unwrap()
}

type Row = (usize, usize, usize, u8, u8, Option<(u32, usize)>);

/// Candidates E000.. and their history: (class, district, industry, alert, label, last inspection
/// `(months ago, inspector)`).
fn population(rows: &[Row]) -> (Vec<Candidate>, History) {
    let mut history = History::default();
    let candidates = rows
        .iter()
        .enumerate()
        .map(|(i, &(class, district, industry, alert, label, last))| {
            let id = format!("E{i:03}");
            if let Some((ago, ins)) = last {
                let months = 2026 * 12 + 5 - ago;
                let date = format!("{}-{:02}-10", months / 12, months % 12 + 1)
                    .parse()
                    .unwrap();
                let inspectors = vec![format!("I{ins}")];
                history
                    .last
                    .insert(id.clone(), LastInspection { date, inspectors });
            }
            Candidate {
                id,
                class: ["A", "B", "C", "D"][class].into(),
                score: None,
                district: DISTRICTS[district].into(),
                industry: INDUSTRIES[industry].into(),
                alerts: match alert {
                    0 => vec!["complaints".into()],
                    1 => vec!["noise".into()],
                    _ => vec![],
                },
                labels: if label == 0 {
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

fn rows(max: usize) -> impl Strategy<Value = Vec<Row>> {
    let last = prop::option::weighted(0.3, (0u32..24, 0usize..8));
    prop::collection::vec(
        (0usize..4, 0usize..3, 0usize..4, 0u8..12, 0u8..12, last),
        1..max,
    )
}

fn pool(capacities: &[u32], conflicts: &[(usize, usize)]) -> Vec<Inspector> {
    (0..capacities.len())
        .map(|i| Inspector {
            id: format!("I{i}"),
            name: format!("Inspector {i}"),
            department: "SAMR".into(),
            district: DISTRICTS[i % 3].into(),
            capacity: capacities[i],
            conflicts: conflicts
                .iter()
                .filter(|(ins, _)| *ins == i)
                .map(|(_, e)| format!("E{e:03}"))
                .collect(),
        })
        .collect()
}

fn run(
    plan: &Plan,
    c: &[Candidate],
    p: &[Inspector],
    h: &History,
    seed: &str,
) -> Result<Draw, DrawError> {
    draw(&DrawInput {
        plan,
        candidates: c,
        pool: p,
        history: h,
        date: DATE.parse().unwrap(),
        seed,
        commitment: None,
    })
}

/// Every invariant a completed draw must satisfy.
fn check(plan: &Plan, d: &Draw, candidates: &[Candidate], pool: &[Inspector], history: &History) {
    let by_id: BTreeMap<&str, &Candidate> = candidates.iter().map(|c| (c.id.as_str(), c)).collect();
    let recent = |id: &str| {
        history
            .last
            .get(id)
            .is_some_and(|l| l.date >= "2025-12-15".parse::<Date>().unwrap())
    };
    let mut load: BTreeMap<&str, u32> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for (i, t) in d.tasks.iter().enumerate() {
        assert_eq!(t.number as usize, i + 1);
        assert!(seen.insert(t.enterprise.as_str()), "enterprise drawn twice");
        let c = by_id[t.enterprise.as_str()];
        let distinct: BTreeSet<&String> = t.inspectors.iter().collect();
        assert_eq!(distinct.len(), t.inspectors.len());
        assert_eq!(t.inspectors.len(), plan.per_task() as usize);
        for id in &t.inspectors {
            let ins = pool.iter().find(|p| &p.id == id).unwrap();
            assert_ne!(ins.district, c.district, "own district");
            assert!(!ins.conflicts.contains(&c.id), "conflict");
            assert!(
                !history
                    .last
                    .get(&c.id)
                    .is_some_and(|l| l.inspectors.contains(id)),
                "repeat"
            );
            *load.entry(id).or_default() += 1;
        }
        if matches!(t.why, Why::Random { .. }) {
            assert!(!recent(&c.id), "a random pick inspected within 6 months");
        }
    }
    for ins in pool {
        assert!(
            load.get(ins.id.as_str()).copied().unwrap_or(0) <= ins.capacity,
            "over capacity"
        );
    }
    // Forced and fully covered enterprises always have a task; only alerts and labels force.
    for c in candidates {
        let must =
            c.class == "D" || c.alerts.iter().any(|a| a == "complaints") || !c.labels.is_empty();
        let task = d.tasks.iter().find(|t| t.enterprise == c.id);
        if must {
            assert!(task.is_some(), "{} forced but not drawn", c.id);
        }
        if let Some(t) = task
            && t.why.is_forced()
        {
            assert!(must, "{} forced without a reason", c.id);
        }
    }
    for r in &d.strata {
        let in_cell: Vec<_> = d
            .tasks
            .iter()
            .filter(|t| t.class == r.class && t.stratum == r.stratum)
            .collect();
        let ratio = plan.effective_ratio(&r.class).unwrap();
        assert_eq!(
            r.quota,
            ((ratio * f64::from(r.enterprises) - 1e-9).ceil() as u32).min(r.enterprises)
        );
        assert!(r.quota >= 1, "floor: a non-empty cell gets a quota");
        assert_eq!(in_cell.len() as u32, r.full + r.random + r.due + r.forced);
        let randoms = in_cell.iter().filter(|t| t.why.kind() == "random").count() as u32;
        assert_eq!(randoms, r.random);
        if r.full == 0 {
            // The random quota is drawn in full whatever the forced tasks: only spared
            // enterprises (recently inspected) can make it fall short.
            let eligible = r.enterprises - r.spared;
            assert_eq!(r.random, r.quota.min(eligible), "{r:?}");
            assert_eq!(r.shortfall, r.quota - r.random);
        }
        if r.enterprises - r.spared > 0 {
            assert!(!in_cell.is_empty(), "a class with candidates got no task");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn deterministic_and_sound(
        rows in rows(90),
        caps in prop::collection::vec(15u32..60, 8),
        conflicts in prop::collection::vec((0usize..8, 0usize..90), 0..6),
        seed in "[a-z0-9 ]{1,16}",
    ) {
        let plan = plan();
        let (candidates, history) = population(&rows);
        let pool = pool(&caps, &conflicts);
        let first = run(&plan, &candidates, &pool, &history, &seed);
        prop_assert_eq!(&first, &run(&plan, &candidates, &pool, &history, &seed));
        match first {
            Ok(d) => check(&plan, &d, &candidates, &pool, &history),
            Err(e) => prop_assert!(matches!(e, DrawError::Infeasible(_)), "{e}"),
        }
    }

    #[test]
    fn input_order_does_not_matter(
        (rows, order) in rows(60).prop_flat_map(|r| {
            let n = r.len();
            (Just(r), Just((0..n).collect::<Vec<_>>()).prop_shuffle())
        }),
        seed in "[a-z0-9]{1,8}",
    ) {
        let plan = plan();
        let (candidates, history) = population(&rows);
        let shuffled: Vec<Candidate> = order.iter().map(|&i| candidates[i].clone()).collect();
        let mut pool = pool(&[40; 8], &[]);
        let a = run(&plan, &candidates, &pool, &history, &seed);
        pool.reverse();
        prop_assert_eq!(a, run(&plan, &shuffled, &pool, &history, &seed));
    }

    #[test]
    fn the_seed_changes_the_draw(a in "[a-z]{1,8}", b in "[a-z]{1,8}") {
        prop_assume!(a != b);
        let plan = plan();
        let rows: Vec<Row> = (0..300).map(|i| (i % 3, i % 3, i % 4, 5, 5, None)).collect();
        let (candidates, history) = population(&rows);
        let pool = pool(&[100; 8], &[]);
        let x = run(&plan, &candidates, &pool, &history, &a).unwrap();
        let y = run(&plan, &candidates, &pool, &history, &b).unwrap();
        prop_assert_ne!(x.tasks, y.tasks);
        prop_assert_eq!(x.strata, y.strata);
    }

    #[test]
    fn too_little_capacity_is_infeasible(rows in rows(60), cap in 0u32..3) {
        let plan = plan();
        let (candidates, history) = population(&rows);
        let tasks = run(&plan, &candidates, &pool(&[1000; 8], &[]), &history, "s").unwrap().tasks.len();
        let small = pool(&[cap; 4], &[]);
        let have = u64::from(cap) * 4;
        let need = tasks as u64 * 2;
        prop_assume!(have < need);
        let err = run(&plan, &candidates, &small, &history, "s").unwrap_err();
        prop_assert_eq!(err.to_string(), format!(
            "the plan needs 2 inspectors for each of {tasks} tasks = {need} assignments; the pool of 4 inspectors can take {have}: {} short",
            need - have
        ));
    }
}

#[test]
fn an_unstaffable_task_names_the_enterprise_and_the_reasons() {
    let plan = plan();
    let rows: Vec<Row> = vec![(3, 0, 0, 5, 5, Some((2, 1)))];
    let (candidates, history) = population(&rows);
    // I0 and I3 work in Haidian; I1 was there last time; I2 declared a conflict.
    let pool = pool(&[5, 5, 5, 5], &[(2, 0)]);
    let err = run(&plan, &candidates, &pool, &history, "s").unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot staff enterprise `E000` (class D, district Haidian): it needs 2 inspectors and 0 of the pool of 4 may take it; excluded: 0 at capacity, 2 in its own district, 1 at its last inspection, 1 with a declared conflict"
    );
    let DrawError::Infeasible(shortfall) = err else {
        panic!("not infeasible: {err}")
    };
    assert_eq!(
        *shortfall,
        Shortfall::Task {
            enterprise: "E000".into(),
            class: "D".into(),
            stratum: "district Haidian".into(),
            district: "Haidian".into(),
            needed: 2,
            available: 0,
            pool: 4,
            at_capacity: 0,
            own_district: 2,
            last_inspection: 1,
            conflict: 1,
        }
    );
}

#[test]
fn unknown_classes_duplicates_and_dates_are_errors() {
    let plan = plan();
    let (mut candidates, history) = population(&[(0, 0, 0, 5, 5, None)]);
    let pool = pool(&[5; 4], &[]);
    candidates[0].class = "E".into();
    assert_eq!(
        run(&plan, &candidates, &pool, &history, "s")
            .unwrap_err()
            .to_string(),
        "enterprise `E000` has class `E`, which plan `prop` does not name (its classes: A, B, C, D)"
    );
    candidates[0].class = "A".into();
    candidates.push(candidates[0].clone());
    assert_eq!(
        run(&plan, &candidates, &pool, &history, "s")
            .unwrap_err()
            .to_string(),
        "enterprise `E000` is listed twice"
    );
    // Dates are typed: a draw date or a stored last inspection that is not `YYYY-MM-DD` is
    // refused when it is read, before any draw.
    assert_eq!(
        "2026-6-1".parse::<Date>().unwrap_err().to_string(),
        "`2026-6-1` is not a date, expected YYYY-MM-DD"
    );
    let stored = r#"{"last": {"E000": {"date": "2026-02-30", "inspectors": ["I1"]}}}"#;
    let err = serde_json::from_str::<History>(stored).unwrap_err();
    assert!(err.to_string().contains("`2026-02-30`"), "{err}");
}

#[test]
fn reference_plans_load_and_draw() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/plans");
    let rows: Vec<Row> = (0..400)
        .map(|i| (i % 4, i % 3, i % 4, (i % 17) as u8, (i % 13) as u8, None))
        .collect();
    let (candidates, history) = population(&rows);
    let pool = pool(&[200; 12], &[]);
    for (file, id) in [
        ("henan-2021.toml", "henan-2021"),
        ("yuexiu-2021.toml", "yuexiu-2021"),
        ("bayannur-2022.toml", "bayannur-2022"),
        ("food-production.toml", "food-production"),
    ] {
        let plan = Plan::from_file(dir.join(file)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.id(), id);
        assert_eq!(plan.classes().collect::<Vec<_>>(), ["A", "B", "C", "D"]);
        let d = run(&plan, &candidates, &pool, &history, "2026-06 lottery")
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(
            d.strata
                .iter()
                .all(|r| r.full + r.random + r.due + r.forced >= 1),
            "{id}"
        );
        assert_eq!(d.to_rows().len(), d.tasks.len());
    }
    let bayannur = Plan::from_file(dir.join("bayannur-2022.toml")).unwrap();
    assert!(bayannur.is_full_coverage("C") && bayannur.is_full_coverage("D"));
    let food = Plan::from_file(dir.join("food-production.toml")).unwrap();
    assert!((food.effective_ratio("D").unwrap() - 0.25).abs() < 1e-12);
}

/// The enterprise stage of a draw: (number, enterprise, class, why) of every task.
fn enterprises(d: &Draw) -> Vec<(u32, String, String, Why)> {
    d.tasks
        .iter()
        .map(|t| {
            (
                t.number,
                t.enterprise.clone(),
                t.class.clone(),
                t.why.clone(),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// A changed pool (capacities, conflicts, districts, members) changes only who inspects:
    /// the enterprises drawn depend on the plan, the candidates and the seed alone.
    #[test]
    fn enterprise_picks_do_not_depend_on_the_pool(
        rows in rows(80),
        a in prop::collection::vec(30u32..80, 6..10),
        b in prop::collection::vec(30u32..80, 6..10),
        conflicts in prop::collection::vec((0usize..6, 0usize..80), 0..8),
        seed in "[a-z0-9 ]{1,12}",
    ) {
        let plan = plan();
        let (candidates, history) = population(&rows);
        let first = run(&plan, &candidates, &pool(&a, &[]), &history, &seed);
        let second = run(&plan, &candidates, &pool(&b, &conflicts), &history, &seed);
        if let (Ok(x), Ok(y)) = (first, second) {
            prop_assert_eq!(enterprises(&x), enterprises(&y));
            prop_assert_eq!(&x.candidates, &y.candidates);
            prop_assert_eq!(&x.commitment.digests.candidates, &y.commitment.digests.candidates);
        }
    }

    /// A draw made under a commitment refuses inputs that differ from it, naming what differs,
    /// and draws when they are the same.
    #[test]
    fn a_commitment_mismatch_is_refused(
        rows in rows(60),
        change in 0usize..4,
        seed in "[a-z0-9]{1,8}",
    ) {
        let plan = plan();
        let (mut candidates, mut history) = population(&rows);
        let mut pool = pool(&[200; 8], &[]);
        let date: Date = DATE.parse().unwrap();
        let (published, _) = commit(&plan, &candidates, &pool, &history, date).unwrap();
        let input = |c: &[Candidate], p: &[Inspector], h: &History, plan: &Plan| {
            draw(&DrawInput { plan, candidates: c, pool: p, history: h, date, seed: &seed,
                commitment: Some(&published) })
        };
        prop_assert!(input(&candidates, &pool, &history, &plan).is_ok());
        let mut other_plan = plan.clone();
        let what = match change {
            0 => { candidates[0].class = if candidates[0].class == "A" { "B" } else { "A" }.into(); "candidates" }
            1 => { pool[0].capacity -= 1; "pool" }
            2 => {
                history.last.insert("E999".into(), LastInspection { date, inspectors: vec![] });
                "history"
            }
            _ => {
                other_plan = Plan::from_toml_str(&PLAN.replace("ratio = 0.2", "ratio = 0.25"), None).unwrap();
                "plan"
            }
        };
        match input(&candidates, &pool, &history, &other_plan) {
            Err(DrawError::Commitment { commitment, differs }) => {
                prop_assert_eq!(commitment, published.digest.clone());
                prop_assert!(differs.contains(&what), "{:?} lacks {}", differs, what);
            }
            other => prop_assert!(false, "not refused: {:?}", other.map(|d| d.tasks.len())),
        }
    }

    /// Forced tasks come on top: giving every enterprise a forced alert leaves the random picks
    /// of every cell at min(quota, eligible), so each class keeps its random sample.
    #[test]
    fn random_quotas_are_met_whatever_the_forced_tasks(rows in rows(90), seed in "[a-z]{1,8}") {
        let plan = plan();
        let (candidates, history) = population(&rows);
        let pool = pool(&[1000; 8], &[]);
        let plain = run(&plan, &candidates, &pool, &history, &seed).unwrap();
        let mut alerted = candidates.clone();
        for c in &mut alerted {
            c.alerts = vec!["complaints".into()];
        }
        let forced = run(&plan, &alerted, &pool, &history, &seed).unwrap();
        check(&plan, &forced, &alerted, &pool, &history);
        for (p, f) in plain.strata.iter().zip(&forced.strata) {
            prop_assert_eq!((&p.class, &p.stratum), (&f.class, &f.stratum));
            prop_assert_eq!(p.random, f.random);
            prop_assert_eq!(p.random, p.quota.min(p.enterprises - p.spared) * u32::from(p.full == 0));
        }
        let classes: BTreeSet<&str> = candidates.iter().map(|c| c.class.as_str()).collect();
        for class in classes.into_iter().filter(|c| *c != "D") {
            prop_assert!(
                forced.tasks.iter().any(|t| t.class == class && t.why.kind() == "random")
                    || forced.strata.iter().filter(|r| r.class == class).all(|r| r.spared == r.enterprises),
                "no random pick in class {}", class
            );
        }
    }

    /// Nothing outside a plan's scope is drawn or forced, and the draw counts what it left out,
    /// whichever of the scope's lists (industries, licence types, districts, labels) are given.
    #[test]
    fn scope_is_respected(
        rows in rows(90),
        held in prop::collection::vec(prop::collection::vec(0usize..3, 0..3), 90),
        lists in (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
        seed in "[a-z]{1,8}",
    ) {
        const LICENCES: [&str; 3] = ["food_production", "special_equipment_use", "hazardous_chemicals"];
        let (industries, licences, districts, labels) = lists;
        let mut scope = String::from("[scope]\n");
        if industries { scope.push_str("industries = [\"C\"]\n"); }
        if licences { scope.push_str("licence_types = [\"special_equipment_use\", \"hazardous_chemicals\"]\n"); }
        if districts { scope.push_str("districts = [\"Haidian\", \"Xicheng\"]\n"); }
        if labels { scope.push_str("labels = [\"重点监管\"]\n"); }
        let plan = Plan::from_toml_str(&format!("{PLAN}{scope}"), None).unwrap();
        let (mut candidates, history) = population(&rows);
        for (c, h) in candidates.iter_mut().zip(&held) {
            c.licences = h.iter().map(|&l| LICENCES[l].to_string()).collect();
        }
        let inside = |c: &Candidate| {
            (!industries || c.industry.starts_with('C') || c.industry.starts_with("14"))
                && (!licences || c.licences.iter().any(|l| l != "food_production"))
                && (!districts || c.district != "Chaoyang")
                && (!labels || c.labels.iter().any(|l| l == "重点监管"))
        };
        let d = run(&plan, &candidates, &pool(&[1000; 8], &[]), &history, &seed).unwrap();
        let by_id: BTreeMap<&str, &Candidate> = candidates.iter().map(|c| (c.id.as_str(), c)).collect();
        for t in &d.tasks {
            prop_assert!(inside(by_id[t.enterprise.as_str()]), "{} is out of scope", t.enterprise);
        }
        let out = candidates.iter().filter(|c| !inside(c)).count() as u32;
        prop_assert_eq!(d.candidates.out_of_scope.values().sum::<u32>(), out);
        prop_assert_eq!(d.candidates.entries.len() as u32 + out, candidates.len() as u32);
        // Each enterprise left out is counted under the first list it fails, in the scope's order.
        for (list, n) in &d.candidates.out_of_scope {
            let on = match list.as_str() {
                "industries" => industries,
                "licence_types" => licences,
                "districts" => districts,
                "labels" => labels,
                other => { prop_assert!(false, "unknown list {}", other); false }
            };
            prop_assert!(on && *n > 0, "{} counted {} while {}", list, n, on);
        }
    }
}
