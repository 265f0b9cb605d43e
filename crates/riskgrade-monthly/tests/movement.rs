//! The monthly run's comparison with the previous period (a scan of the stored
//! classes and a read of the movers' rows) counts and explains the same moves
//! as joining both stored periods row by row, on random populations.

use std::sync::Arc;

use proptest::prelude::*;
use riskgrade_core::Month;
use riskgrade_engine::Options;
use riskgrade_monthly::{MonthInput, run_month};
use riskgrade_store::{Store, StoreError};
use riskgrade_synth::{SynthConfig, evolve, generate};

/// (riskier, less risky, new, gone, no longer graded, movers) from both stored periods, row by row.
fn by_rows(store: &Store, a: Month, b: Month) -> (u64, u64, u64, u64, u64, Vec<String>) {
    let ra = store.run(a).expect("run").expect("stored");
    let rb = store.run(b).expect("run").expect("stored");
    let rank = |classes: &[String], c: &Option<String>| {
        c.as_ref().and_then(|c| classes.iter().position(|k| k == c))
    };
    let mut out = (0, 0, 0, 0, 0, Vec::new());
    store
        .scan_pair::<StoreError>(a, b, |x, y| {
            let rx = x.and_then(|x| rank(&ra.classes, &x.class));
            let ry = y.and_then(|y| rank(&rb.classes, &y.class));
            match (x, rx, ry) {
                (_, Some(i), Some(j)) if i != j => {
                    if j > i {
                        out.0 += 1;
                    } else {
                        out.1 += 1;
                    }
                    out.5.push(y.expect("ranked").id.clone());
                }
                (_, None, Some(_)) => {
                    out.2 += 1;
                    out.5.push(y.expect("ranked").id.clone());
                }
                (Some(_), _, _) if y.is_none() => out.3 += 1,
                (_, Some(_), None) => out.4 += 1,
                _ => {}
            }
            Ok(())
        })
        .expect("scan");
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4))]

    #[test]
    fn the_run_counts_and_explains_the_moves_a_row_by_row_join_finds(
        n in 150usize..400,
        seed in any::<u64>(),
        drop_every in 5usize..40,
        switch_every in 3usize..9,
    ) {
        let set = Arc::new(riskgrade_model::examples::reference().expect("set"));
        let mut store = Store::in_memory().expect("store");
        let p1: Month = "2026-09".parse().expect("month");
        let p2 = p1.next();
        let mut synth = generate(&SynthConfig::new(n, seed, p1.last_day()));
        run_month(&mut store, &set, MonthInput::Profiles(&synth.enterprises), p1, p1.last_day(), &Options::default())
            .expect("first month");
        evolve(&mut synth, p1.last_day(), p2.last_day(), seed);
        // Some enterprises leave; some change industry into or out of food production, so
        // that another model grades them and their indicators do not compare.
        let now: Vec<_> = synth
            .enterprises
            .iter()
            .enumerate()
            .filter(|(i, _)| i % drop_every != 1)
            .map(|(i, e)| {
                let mut e = e.clone();
                if i % switch_every == 0 {
                    e.industry = if e.industry.starts_with("C14") { "I6513" } else { "C1431" }.into();
                }
                e
            })
            .collect();
        let report = run_month(&mut store, &set, MonthInput::Profiles(&now), p2, p2.last_day(), &Options::default())
            .expect("second month");
        let (riskier, less, new, gone, no_longer, movers) = by_rows(&store, p1, p2);
        prop_assert_eq!(
            (report.riskier, report.less_risky, report.new, report.gone, report.no_longer_graded),
            (riskier, less, new, gone, no_longer)
        );
        // Every mover's change is explained, and only movers have notes.
        let notes = store.changes(p2, None).expect("changes");
        let mut explained: Vec<String> = notes.iter().map(|c| c.id.clone()).collect();
        explained.dedup();
        prop_assert_eq!(explained, movers);
        prop_assert_eq!(notes.len() as u64, report.notes.values().sum::<u64>());
        prop_assert!(notes.iter().any(|c| c.detail.starts_with("graded by the `")), "no model change among {} notes", notes.len());
    }
}
