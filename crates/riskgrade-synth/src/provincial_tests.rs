use riskgrade_core::{AttrValue, ChangeField, Enterprise, FeatureDef, FeatureFn, RecordKind};
use riskgrade_core::{EffectPeriods, RecordType};

use super::ATTRIBUTES;
use crate::{Synth, SynthConfig, generate};

fn sample(n: usize, seed: u64) -> Synth {
    generate(&SynthConfig::new(n, seed, "2026-11-27".parse().unwrap()))
}

fn num(e: &Enterprise, key: &str) -> Option<f64> {
    match e.attributes.get(key)? {
        AttrValue::Number(x) => Some(*x),
        AttrValue::Integer(i) => Some(*i as f64),
        AttrValue::Bool(b) => Some(f64::from(u8::from(*b))),
        AttrValue::Text(_) => None,
    }
}

/// Mean of `key` (missing skipped) over the clean and the rogue segment.
fn clean_and_rogue(synth: &Synth, key: &str) -> (f64, f64) {
    let mean = |seg: &str| {
        let v: Vec<f64> = synth
            .enterprises
            .iter()
            .zip(&synth.truth)
            .filter(|(_, t)| t.segment == seg)
            .filter_map(|(e, _)| num(e, key))
            .collect();
        v.iter().sum::<f64>() / v.len().max(1) as f64
    };
    (mean("clean"), mean("rogue"))
}

#[test]
fn every_provincial_input_is_drawn_and_follows_the_hidden_risk() {
    let synth = sample(20_000, 7);
    for key in ATTRIBUTES {
        let with = synth
            .enterprises
            .iter()
            .filter(|e| e.attributes.contains_key(key))
            .count();
        assert!(with > 0, "{key} never drawn");
    }
    // Risk signals rise from the clean to the rogue segment; protective ones fall.
    let rising = [
        "licences_revoked_3y",
        "ip_infringements_3y",
        "capital_reduction_ratio_1y",
        "equity_freezes_3y",
        "annual_reports_missed_3y",
        "in_bankruptcy",
        "deregistration_pending",
        "business_suspended",
        "penalties_suspension_3y",
        "penalties_confiscation_3y",
        "inspection_problems_open",
        "enforcement_cases_3y",
        "tax_arrears",
        "social_insurance_arrears",
        "legal_rep_dishonest",
        "legal_rep_other_firms",
        "negative_news_share",
    ];
    for key in rising {
        let (clean, rogue) = clean_and_rogue(&synth, key);
        assert!(rogue > 2.0 * clean, "{key}: clean {clean} rogue {rogue}");
    }
    for key in [
        "staff_growth",
        "trademarks",
        "patents",
        "commendations_3y",
        "credit_commitment",
    ] {
        let (clean, rogue) = clean_and_rogue(&synth, key);
        assert!(rogue < clean, "{key}: clean {clean} rogue {rogue}");
    }
}

#[test]
fn record_summaries_agree_with_the_records() {
    let synth = sample(20_000, 11);
    let as_of = "2026-11-27".parse().unwrap();
    let periods = EffectPeriods::default();
    let listed = FeatureDef::new(FeatureFn::Listed, Some(RecordType::AbnormalList));
    let mut problems = FeatureDef::new(FeatureFn::Count, Some(RecordType::Inspection));
    problems.result = Some(riskgrade_core::InspectionResult::Problem);
    problems.window = Some(riskgrade_core::Period::years(3));
    let mut capital = FeatureDef::new(FeatureFn::Count, Some(RecordType::Change));
    capital.field = Some(ChangeField::RegisteredCapital);
    capital.window = Some(riskgrade_core::Period::years(1));
    let (mut reasons, mut cuts) = (0, 0);
    for e in &synth.enterprises {
        let on_list = listed.eval(e, as_of, &periods) == 1.0;
        assert_eq!(
            e.attributes.contains_key("abnormal_reason"),
            on_list,
            "{}",
            e.id
        );
        reasons += usize::from(on_list);
        let open = num(e, "inspection_problems_open").unwrap();
        assert!(open <= problems.eval(e, as_of, &periods), "{}", e.id);
        if num(e, "capital_reduction_ratio_1y").unwrap() > 0.0 {
            cuts += 1;
            assert!(capital.eval(e, as_of, &periods) >= 1.0, "{}", e.id);
        }
        if e.attributes.get("equity_frozen") == Some(&AttrValue::Bool(true)) {
            assert!(num(e, "equity_freezes_3y").unwrap() >= 1.0, "{}", e.id);
        }
        let major_or_general = e
            .records
            .iter()
            .filter(|r| matches!(r.kind, RecordKind::Penalty { .. }))
            .count() as f64;
        assert!(num(e, "penalties_suspension_3y").unwrap() <= major_or_general);
        if let Some(share) = num(e, "negative_news_share") {
            assert!((0.0..=1.0).contains(&share), "{}", e.id);
        }
    }
    assert!(
        reasons > 100 && cuts > 100,
        "reasons {reasons}, cuts {cuts}"
    );
}

#[test]
fn records_stay_sorted_with_the_capital_changes_merged_in() {
    let synth = sample(500, 3);
    for e in &synth.enterprises {
        assert!(e.records.windows(2).all(|w| w[0].date <= w[1].date));
    }
}
