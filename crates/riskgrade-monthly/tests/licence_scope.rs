//! A plan scoped by licence type draws the same enterprises from a stored
//! period as from the grading held in memory: the period keeps the licence
//! types its enterprises held.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::sync::Arc;

use riskgrade_core::{Date, Month};
use riskgrade_engine::Options;
use riskgrade_inspect::{Candidate, DrawInput, History, Inspector, Plan, draw};
use riskgrade_monthly::{
    MonthInput, candidates, draw_period, graded_candidates, licence_types, run_month,
};
use riskgrade_store::Store;
use riskgrade_synth::{SynthConfig, generate};

fn pool() -> Vec<Inspector> {
    (0..12)
        .map(|i| Inspector {
            id: format!("I{i}"),
            name: format!("inspector {i}"),
            department: "market regulation".into(),
            district: "elsewhere".into(),
            capacity: 1_000,
            conflicts: vec![],
        })
        .collect()
}

fn plan(licence: &str) -> Plan {
    let text = format!(
        "id = \"by-licence\"\nfloor = 0.05\n[scope]\nlicence_types = [\"{licence}\"]\n\
         [class.A]\nratio = 0.1\n[class.B]\nratio = 0.2\n[class.C]\nratio = 0.5\n\
         [class.D]\nfull_coverage = true\n"
    );
    Plan::from_toml_str(&text, None).unwrap()
}

fn draw_from(plan: &Plan, candidates: &[Candidate], pool: &[Inspector], date: Date) -> Vec<String> {
    let history = History::default();
    let d = draw(&DrawInput {
        plan,
        candidates,
        pool,
        history: &history,
        date,
        seed: "2026-10 lottery",
        commitment: None,
    })
    .unwrap();
    d.tasks.iter().map(|t| t.enterprise.clone()).collect()
}

#[test]
fn a_licence_scoped_plan_draws_the_same_enterprises_from_a_stored_period_as_from_the_grading() {
    let set = Arc::new(riskgrade_model::examples::reference().unwrap());
    let period: Month = "2026-10".parse().unwrap();
    let date: Date = "2026-11-02".parse().unwrap();
    let synth = generate(&SynthConfig::new(3_000, 11, period.last_day()));
    let profiles = &synth.enterprises;
    let mut store = Store::in_memory().unwrap();
    let report = run_month(
        &mut store,
        &set,
        MonthInput::Profiles(profiles),
        period,
        period.last_day(),
        &Options::default(),
    )
    .unwrap();
    let frame = report.frame.as_ref().unwrap();
    let in_memory = graded_candidates(&report.grades, frame, Some(profiles));
    let stored = candidates(&store, period).unwrap();
    assert_eq!(in_memory.len(), report.run.graded as usize);
    assert_eq!(
        stored, in_memory,
        "the stored period reads back what was graded"
    );

    // Every licence type the population holds, each drawn both ways.
    let types: BTreeSet<String> = profiles.iter().flat_map(licence_types).collect();
    assert!(types.len() >= 3, "{types:?}");
    let pool = pool();
    for licence in &types {
        let plan = plan(licence);
        let holders: BTreeSet<&str> = in_memory
            .iter()
            .filter(|c| c.licences.contains(licence))
            .map(|c| c.id.as_str())
            .collect();
        assert!(
            !holders.is_empty() && holders.len() < in_memory.len(),
            "{licence}: {} holders",
            holders.len()
        );
        let from_memory = draw_from(&plan, &in_memory, &pool, date);
        let from_store = draw_from(&plan, &stored, &pool, date);
        assert!(!from_memory.is_empty(), "{licence}: nothing drawn");
        assert_eq!(from_store, from_memory, "{licence}");
        assert!(
            from_memory.iter().all(|id| holders.contains(id.as_str())),
            "{licence}: an enterprise without the licence was drawn"
        );
        // The draw the command line makes from the store agrees too.
        let (_, recorded) = draw_period(
            &mut store,
            period,
            &plan,
            &pool,
            "2026-10 lottery",
            date,
            "clerk",
        )
        .unwrap();
        let ids: Vec<String> = recorded
            .tasks
            .iter()
            .map(|t| t.enterprise.clone())
            .collect();
        assert_eq!(ids, from_memory, "{licence}");
    }
}

#[test]
fn a_new_run_of_the_period_replaces_its_licence_types() {
    let set = Arc::new(riskgrade_model::examples::reference().unwrap());
    let period: Month = "2026-10".parse().unwrap();
    let mut synth = generate(&SynthConfig::new(400, 5, period.last_day()));
    let mut store = Store::in_memory().unwrap();
    let run = |store: &mut Store, profiles: &[riskgrade_core::Enterprise]| {
        run_month(
            store,
            &set,
            MonthInput::Profiles(profiles),
            period,
            period.last_day(),
            &Options::default(),
        )
        .unwrap()
    };
    run(&mut store, &synth.enterprises);
    let held = store.period_licences(period).unwrap();
    let with_licences = synth
        .enterprises
        .iter()
        .filter(|e| !licence_types(e).is_empty())
        .count();
    assert_eq!(held.len(), with_licences);

    // The month run again after every licence lapsed from the profiles: none kept.
    for e in &mut synth.enterprises {
        e.licences.clear();
    }
    run(&mut store, &synth.enterprises);
    assert!(store.period_licences(period).unwrap().is_empty());
    assert!(
        candidates(&store, period)
            .unwrap()
            .iter()
            .all(|c| c.licences.is_empty())
    );
}
