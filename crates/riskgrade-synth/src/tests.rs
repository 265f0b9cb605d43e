use std::collections::HashSet;
use std::time::Instant;

use riskgrade_core::{AttrValue, Enterprise, ListAction, Record, RecordKind, RecordType, Severity};

use super::*;
use riskgrade_core::codes::{CreditCode, DistrictCode, IndustryCode, IndustryLevel};

fn as_of() -> Date {
    "2026-11-27".parse().unwrap()
}

fn sample(n: usize, seed: u64) -> Synth {
    generate(&SynthConfig::new(n, seed, as_of()))
}

fn share(synth: &Synth, pred: impl Fn(&Enterprise) -> bool) -> f64 {
    synth.enterprises.iter().filter(|e| pred(e)).count() as f64 / synth.enterprises.len() as f64
}

#[test]
fn earliest_is_1995() {
    assert_eq!(make::EARLIEST.to_string(), "1995-01-01");
}

#[test]
fn same_seed_same_output_other_seed_other_output() {
    let a = sample(2_000, 11);
    let b = sample(2_000, 11);
    assert_eq!(a, b);
    let c = sample(2_000, 12);
    assert_ne!(a.enterprises, c.enterprises);
    let differing = a
        .enterprises
        .iter()
        .zip(&c.enterprises)
        .filter(|(x, y)| x != y)
        .count();
    assert!(differing > 1_900, "{differing}");
}

#[test]
fn thread_count_does_not_matter() {
    let cfg = SynthConfig::new(5_000, 99, as_of());
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| generate(&cfg))
    };
    let one = run(1);
    let two = run(2);
    let three = run(3);
    assert_eq!(one, two);
    assert_eq!(one, three);
}

#[test]
fn dates_are_consistent() {
    let synth = sample(20_000, 5);
    let history_start = as_of().add_months(-60);
    for e in &synth.enterprises {
        let reg = e.registered.unwrap();
        assert!(reg <= as_of() && reg >= make::EARLIEST, "{}: {reg}", e.id);
        for r in &e.records {
            assert!(r.date <= as_of(), "{}: {:?}", e.id, r);
            assert!(
                r.date >= reg && r.date >= history_start,
                "{}: {:?}",
                e.id,
                r
            );
            if let Some(rep) = r.repaired {
                assert!(rep >= r.date && rep <= as_of(), "{}: {:?}", e.id, r);
            }
        }
        assert!(e.records.windows(2).all(|w| w[0].date <= w[1].date));
        for l in &e.licences {
            // A special-equipment use registration does not expire.
            let until = l.valid_until.unwrap_or(as_of().add_months(1200));
            let issued = l.issued.unwrap();
            assert!(
                issued >= reg && issued <= as_of() && until > issued,
                "{}: {l:?}",
                e.id
            );
        }
    }
}

#[test]
fn penalty_repair_waits_six_months() {
    let synth = sample(20_000, 6);
    let mut repaired = 0;
    for e in &synth.enterprises {
        for r in &e.records {
            if let (RecordKind::Penalty { severity, .. }, Some(rep)) = (r.kind, r.repaired) {
                assert_ne!(severity, Severity::Minor);
                assert!(rep >= r.date.add_months(6), "{}: {r:?}", e.id);
                repaired += 1;
            }
        }
    }
    assert!(repaired > 50, "{repaired}");
}

#[test]
fn list_events_alternate() {
    let synth = sample(20_000, 8);
    let mut still_listed = 0;
    let mut removed = 0;
    for e in &synth.enterprises {
        for t in [
            RecordType::AbnormalList,
            RecordType::DishonestList,
            RecordType::JudgmentDefaulter,
        ] {
            let actions: Vec<ListAction> = e
                .records
                .iter()
                .filter(|r| r.kind.record_type() == t)
                .filter_map(|r| r.kind.list_action())
                .collect();
            for (i, a) in actions.iter().enumerate() {
                let expected = if i % 2 == 0 {
                    ListAction::Entry
                } else {
                    ListAction::Removal
                };
                assert_eq!(*a, expected, "{} {t:?}: {actions:?}", e.id);
            }
            if t == RecordType::AbnormalList && !actions.is_empty() {
                if actions.len() % 2 == 1 {
                    still_listed += 1;
                } else {
                    removed += 1;
                }
            }
        }
    }
    assert!(
        still_listed > 50 && removed > 50,
        "{still_listed} {removed}"
    );
}

#[test]
fn json_round_trip() {
    let synth = sample(5_000, 3);
    for e in &synth.enterprises {
        let json = serde_json::to_string(e).unwrap();
        let back: Enterprise = serde_json::from_str(&json).unwrap();
        assert_eq!(&back, e, "{json}");
    }
    let truth = serde_json::to_value(&synth.truth[0]).unwrap();
    assert_eq!(truth["id"], "E0000001");
}

#[test]
fn segments_follow_the_mixture() {
    let synth = sample(50_000, 21);
    let seg =
        |name: &str| synth.truth.iter().filter(|t| t.segment == name).count() as f64 / 50_000.0;
    assert!((seg("rogue") - 0.03).abs() < 0.004, "{}", seg("rogue"));
    assert!((seg("risky") - 0.09).abs() < 0.006, "{}", seg("risky"));
    assert!((seg("sloppy") - 0.23).abs() < 0.01, "{}", seg("sloppy"));
    assert!((seg("clean") - 0.65).abs() < 0.01, "{}", seg("clean"));
    for t in &synth.truth {
        assert!(t.propensity > 0.0 && t.propensity < 1.0);
    }
}

#[test]
fn records_rise_with_propensity() {
    let synth = sample(20_000, 4);
    let mut by_p: Vec<(f64, usize)> = synth
        .truth
        .iter()
        .zip(&synth.enterprises)
        .map(|(t, e)| (t.propensity, e.records.len()))
        .collect();
    by_p.sort_by(|a, b| a.0.total_cmp(&b.0));
    let decile = by_p.len() / 10;
    let mean = |xs: &[(f64, usize)]| xs.iter().map(|x| x.1 as f64).sum::<f64>() / xs.len() as f64;
    let low = mean(&by_p[..decile]);
    let high = mean(&by_p[by_p.len() - decile..]);
    assert!(high > 2.0 * low, "low {low}, high {high}");

    // Clean enterprises mostly have no penalties; rogue ones have many records.
    let penalties = |e: &Enterprise| {
        e.records
            .iter()
            .filter(|r| r.kind.record_type() == RecordType::Penalty)
            .count()
    };
    let clean: Vec<&Enterprise> = synth
        .enterprises
        .iter()
        .zip(&synth.truth)
        .filter(|(_, t)| t.segment == "clean")
        .map(|(e, _)| e)
        .collect();
    let without = clean.iter().filter(|e| penalties(e) == 0).count() as f64 / clean.len() as f64;
    assert!(without > 0.85, "{without}");
    let typical = clean.iter().filter(|e| e.records.len() <= 5).count() as f64 / clean.len() as f64;
    assert!(typical > 0.8, "{typical}");
    let rogue: Vec<usize> = synth
        .enterprises
        .iter()
        .zip(&synth.truth)
        .filter(|(_, t)| t.segment == "rogue")
        .map(|(e, _)| e.records.len())
        .collect();
    let rogue_mean = rogue.iter().sum::<usize>() as f64 / rogue.len() as f64;
    assert!((8.0..40.0).contains(&rogue_mean), "{rogue_mean}");
}

#[test]
fn identities_look_real() {
    let synth = sample(20_000, 9);
    let mut codes = HashSet::new();
    for (i, e) in synth.enterprises.iter().enumerate() {
        assert_eq!(e.id.0, format!("E{:07}", i + 1));
        assert!(e.name.contains(&e.district), "{}", e.name);
        let code = e.credit_code.as_deref().unwrap();
        assert!(code.starts_with("9111"), "{code}");
        // Both check characters: GB 32100 (position 18) and GB 11714 (position 17).
        let parsed = CreditCode::parse(code).unwrap_or_else(|err| panic!("{code}: {err}"));
        let district = DistrictCode::parse(&e.district).unwrap();
        assert_eq!(parsed.district(), district.code(), "{code}");
        assert!(codes.insert(code.to_string()), "duplicate {code}");
        let industry = IndustryCode::parse(&e.industry).unwrap();
        assert_eq!(industry.as_str(), e.industry);
        assert_eq!(industry.level(), IndustryLevel::Class);
        assert!(e.licences.len() <= 4);
    }
    let food = share(&synth, |e| {
        ["C13", "C14", "C15"]
            .iter()
            .any(|p| e.industry.starts_with(p))
    });
    assert!((0.05..0.07).contains(&food), "{food}");
    let districts: HashSet<&str> = synth
        .enterprises
        .iter()
        .map(|e| e.district.as_str())
        .collect();
    assert_eq!(districts.len(), 16);
    let young = share(&synth, |e| as_of().days_since(e.registered.unwrap()) < 365);
    assert!((0.06..0.10).contains(&young), "{young}");
    let expired = share(&synth, |e| {
        e.licences
            .iter()
            .any(|l| l.valid_until.is_some_and(|u| u < as_of()))
    });
    assert!((0.01..0.2).contains(&expired), "{expired}");
}

const GENERAL: [&str; 22] = [
    "registered_capital",
    "shareholders",
    "outbound_investments",
    "branches",
    "enterprise_type",
    "listed",
    "paid_in_ratio",
    "revenue_growth",
    "loss_making",
    "debt_ratio",
    "insured_staff",
    "tax_paid",
    "annual_report_on_time",
    "equity_frozen",
    "related_revoked_share",
    "related_listed_share",
    "related_penalised_share",
    "related_defaulter_share",
    "negative_news_1y",
    "haccp_certified",
    "production_scale",
    "product_category",
];

#[test]
fn attributes_have_names_and_types() {
    let synth = sample(20_000, 10);
    let known: HashSet<&str> = GENERAL
        .iter()
        .copied()
        .chain([
            "sampling_failures_3y",
            "self_inspection_on_time",
            "new_business_form",
        ])
        .chain(crate::provincial::ATTRIBUTES)
        .chain(crate::special::ATTRIBUTES)
        .collect();
    for e in &synth.enterprises {
        let food = ["C13", "C14", "C15"]
            .iter()
            .any(|p| e.industry.starts_with(p));
        for key in e.attributes.keys() {
            assert!(known.contains(key.as_str()), "unknown attribute {key}");
        }
        for key in &GENERAL[..19] {
            if !matches!(*key, "revenue_growth" | "tax_paid") {
                assert!(e.attributes.contains_key(*key), "{} lacks {key}", e.id);
            }
        }
        assert_eq!(e.attributes.contains_key("haccp_certified"), food);
        assert!(e.attributes.contains_key("new_business_form"), "{}", e.id);
        assert_eq!(e.attributes.contains_key("sampling_failures_3y"), food);
        for (key, v) in &e.attributes {
            match v {
                AttrValue::Number(x) => {
                    assert!(x.is_finite() && *x >= -1.0, "{key} {x}");
                    if key.ends_with("_share") || key == "paid_in_ratio" {
                        assert!((0.0..=1.0).contains(x), "{key} {x}");
                    }
                }
                AttrValue::Integer(i) => assert!(*i >= 0, "{key} {i}"),
                AttrValue::Bool(_) | AttrValue::Text(_) => {}
            }
        }
    }
    let listed = share(&synth, |e| e.attributes["listed"] == AttrValue::Bool(true));
    assert!((0.005..0.02).contains(&listed), "{listed}");
    let no_growth = share(&synth, |e| !e.attributes.contains_key("revenue_growth"));
    assert!((0.01..0.04).contains(&no_growth), "{no_growth}");
    let no_tax = share(&synth, |e| !e.attributes.contains_key("tax_paid"));
    assert!((0.01..0.03).contains(&no_tax), "{no_tax}");
}

#[test]
fn history_length_and_empty_batches() {
    let none = generate(&SynthConfig::new(0, 1, as_of()));
    assert!(none.enterprises.is_empty() && none.truth.is_empty());
    let short = generate(&SynthConfig::new(2_000, 1, as_of()).with_years(1));
    let start = as_of().add_months(-12);
    assert!(
        short
            .enterprises
            .iter()
            .flat_map(|e| &e.records)
            .all(|r| r.date >= start)
    );
    let flat = generate(&SynthConfig::new(200, 1, as_of()).with_years(0));
    assert!(flat.enterprises.iter().all(|e| e.records.is_empty()));
}

/// CPU seconds (user + system) this process has used, where `/proc` tells.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// `cargo test --release -p riskgrade-synth -- --ignored --nocapture`
#[test]
#[ignore = "timing; run in release"]
fn time_one_million() {
    let cfg = SynthConfig::new(1_000_000, 1, as_of());
    let cpu = cpu_seconds();
    let start = Instant::now();
    let synth = generate(&cfg);
    let elapsed = start.elapsed();
    let cpu = cpu
        .zip(cpu_seconds())
        .map(|(a, b)| format!("{:.2}s", b - a));
    let records: usize = synth.enterprises.iter().map(|e| e.records.len()).sum();
    println!(
        "generated {} enterprises ({records} records) in {:.2?} on {} threads, cpu {}",
        synth.enterprises.len(),
        elapsed,
        rayon::current_num_threads(),
        cpu.unwrap_or_else(|| "unknown".into()),
    );
}

/// Counts of the kinds of records in `new` and of records whose repair date was set.
fn events_between(before: &[Record], after: &[Record]) -> MonthEvents {
    let new = &after[before.len()..];
    let of = |t: RecordType| new.iter().filter(|r| r.kind.record_type() == t).count();
    let lists = new.iter().filter_map(|r| r.kind.list_action());
    MonthEvents {
        new_records: new.len(),
        penalties: of(RecordType::Penalty),
        listings: lists.clone().filter(|a| *a == ListAction::Entry).count(),
        removals: lists.filter(|a| *a == ListAction::Removal).count(),
        complaints: of(RecordType::Complaint),
        inspections: of(RecordType::Inspection),
        repaired: before
            .iter()
            .zip(after)
            .filter(|(b, a)| b.repaired != a.repaired)
            .count(),
    }
}

#[test]
fn evolve_is_deterministic() {
    let base = generate(&SynthConfig::new(3_000, 31, as_of()));
    let to = as_of().add_months(1);
    let run = |seed: u64, threads: usize| {
        let mut s = base.clone();
        let ev = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| evolve(&mut s, as_of(), to, seed));
        (s, ev)
    };
    let (a, ev_a) = run(5, 1);
    assert_eq!(run(5, 3), (a.clone(), ev_a.clone()));
    assert_ne!(a, base);
    let (c, _) = run(6, 2);
    assert_ne!(a.enterprises, c.enterprises);
    // Another month with the same seed draws other events.
    let mut d = a.clone();
    let ev_d = evolve(&mut d, to, to.add_months(1), 5);
    assert_ne!(ev_a, ev_d);
    // An empty or backward span changes nothing.
    let mut e = base.clone();
    assert_eq!(evolve(&mut e, to, to, 5), MonthEvents::default());
    assert_eq!(evolve(&mut e, to, as_of(), 5), MonthEvents::default());
    assert_eq!(e, base);
}

#[test]
fn a_year_of_months_stays_valid_and_follows_risk() {
    let start: Date = "2026-12-01".parse().unwrap();
    let mut synth = generate(&SynthConfig::new(5_000, 17, start));
    let mut total = MonthEvents::default();
    let mut new_penalties = vec![0usize; synth.enterprises.len()];
    for month in 0..12 {
        let (from, to) = (start.add_months(month), start.add_months(month + 1));
        let before: Vec<Vec<Record>> = synth
            .enterprises
            .iter()
            .map(|e| e.records.clone())
            .collect();
        let ev = evolve(&mut synth, from, to, 2026);
        let mut counted = MonthEvents::default();
        for (i, (e, old)) in synth.enterprises.iter().zip(&before).enumerate() {
            let reg = e.registered.unwrap();
            assert!(
                e.records.windows(2).all(|w| w[0].date <= w[1].date),
                "{}",
                e.id
            );
            // Old records keep their place; only a missing repair date may be set.
            for (b, a) in old.iter().zip(&e.records) {
                assert_eq!((b.kind, b.date), (a.kind, a.date), "{}", e.id);
                if b.repaired != a.repaired {
                    let rep = a.repaired.unwrap();
                    assert!(
                        b.repaired.is_none() && rep > from && rep <= to,
                        "{}: {a:?}",
                        e.id
                    );
                    assert!(rep >= a.date, "{}: {a:?}", e.id);
                    if let RecordKind::Penalty { severity, .. } = a.kind {
                        assert_ne!(severity, Severity::Minor);
                        let food = ["C13", "C14", "C15"]
                            .iter()
                            .any(|c| e.industry.starts_with(c));
                        let wait = if food { 12 } else { 6 };
                        assert!(rep >= a.date.add_months(wait), "{}: {a:?}", e.id);
                    } else {
                        assert!(a.kind.list_action() == Some(ListAction::Entry), "{a:?}");
                    }
                }
            }
            for r in &e.records[old.len()..] {
                assert!(
                    r.date > from && r.date <= to && r.date >= reg,
                    "{}: {r:?}",
                    e.id
                );
                assert!(r.repaired.is_none(), "{}: {r:?}", e.id);
            }
            let m = events_between(old, &e.records);
            new_penalties[i] += m.penalties;
            counted = counted.merged(m);
        }
        assert_eq!(ev, counted, "month {month}");
        total = total.merged(ev);
    }
    for e in &synth.enterprises {
        // Lists still alternate entry, removal, entry, …, and records parse back.
        for t in [
            RecordType::AbnormalList,
            RecordType::DishonestList,
            RecordType::JudgmentDefaulter,
        ] {
            let actions = e.records.iter().filter(|r| r.kind.record_type() == t);
            for (i, a) in actions.filter_map(|r| r.kind.list_action()).enumerate() {
                let expected = if i % 2 == 0 {
                    ListAction::Entry
                } else {
                    ListAction::Removal
                };
                assert_eq!(a, expected, "{} {t:?}", e.id);
            }
        }
        let back: Enterprise = serde_json::from_str(&serde_json::to_string(e).unwrap()).unwrap();
        assert_eq!(&back, e);
    }
    assert!(
        total.repaired > 0 && total.removals > 0 && total.listings > 0,
        "{total:?}"
    );
    assert!(total.inspections > 0 && total.complaints > 0, "{total:?}");
    let per = |seg: &str| {
        let ids: Vec<usize> = (0..synth.truth.len())
            .filter(|&i| synth.truth[i].segment == seg)
            .collect();
        ids.iter().map(|&i| new_penalties[i]).sum::<usize>() as f64 / ids.len() as f64
    };
    let (clean, sloppy, risky, rogue) = (per("clean"), per("sloppy"), per("risky"), per("rogue"));
    assert!(
        clean < sloppy && sloppy < risky && risky < rogue,
        "{clean} {sloppy} {risky} {rogue}"
    );
    assert!(rogue > 5.0 * clean, "{clean} {rogue}");
}

#[test]
fn new_business_forms_are_mostly_information_services() {
    let synth = sample(20_000, 10);
    let form = |e: &riskgrade_core::Enterprise| {
        e.attributes.get("new_business_form") == Some(&AttrValue::Bool(true))
    };
    let rate = |section: &str| {
        let of: Vec<_> = synth
            .enterprises
            .iter()
            .filter(|e| e.industry.starts_with(section))
            .collect();
        of.iter().filter(|e| form(e)).count() as f64 / of.len() as f64
    };
    assert!((0.3..0.5).contains(&rate("I")), "{}", rate("I"));
    assert!(rate("C") < 0.05, "{}", rate("C"));
    let all = share(&synth, form);
    assert!((0.05..0.15).contains(&all), "{all}");
}
