//! Special-equipment users (特种设备使用单位): which enterprises hold a use
//! registration (licence type `special_equipment_use`), and what the
//! special-equipment registration and inspection systems hold on them (the
//! `se_*` attributes the reference special-equipment model reads).
//!
//! A few percent of enterprises are users: most property managers (elevators),
//! many manufacturers (boilers, pressure vessels, cranes), some retailers
//! (malls: elevators, escalators) and hauliers (forklifts), few others.
//! Crowded venues (公众聚集场所) are mostly malls, hotels and residential
//! services. Everything a user does wrong (overdue periodic inspections,
//! unregistered units, uncertified operators, open hazards, accidents,
//! penalties) is more frequent the higher its hidden propensity `p`.

use std::collections::BTreeMap;

use rand::Rng;
use riskgrade_core::{AttrValue, Date, Licence};

use crate::make::Ctx;
use crate::sample::{chance, int_in, lognormal, poisson, unit};

/// The licence type of a special-equipment use registration (使用登记证).
pub(crate) const LICENCE: &str = "special_equipment_use";

/// The attributes a user gets (`se_maintenance_contract` only with elevators;
/// `se_safety_manager` and `se_emergency_drill_1y` missing for about one in twenty).
#[cfg(test)]
pub(crate) const ATTRIBUTES: [&str; 16] = [
    "se_units",
    "se_high_risk_units",
    "se_overdue_inspections",
    "se_unregistered_units",
    "se_hazards_open",
    "se_operators_uncertified",
    "se_old_units",
    "se_accidents_2y",
    "se_penalties_3y",
    "se_orders_1y",
    "se_major_hazards_1y",
    "se_complaints_1y",
    "se_crowded_venue",
    "se_safety_manager",
    "se_emergency_drill_1y",
    "se_maintenance_contract",
];

/// The division that registers the equipment, as the licence names it.
const DIVISION: &str = "特种设备安全监察处";

/// Per industry (GB/T 4754 prefix): the chance of being a user, the median
/// number of units, the share of high-risk units, whether it runs elevators,
/// and the chance that its equipment is in a public gathering place.
struct Use {
    rate: f64,
    units: f64,
    high_risk: f64,
    elevators: bool,
    crowded: f64,
}

/// The usage profile of an industry code; the longest listed prefix wins.
fn usage(industry: &str) -> Use {
    let u = |rate, units, high_risk, elevators, crowded| Use {
        rate,
        units,
        high_risk,
        elevators,
        crowded,
    };
    const TABLE: [(&str, f64, f64, f64, bool, f64); 12] = [
        ("K70", 0.35, 12.0, 0.9, true, 0.3),
        ("C26", 0.5, 6.0, 0.5, false, 0.0),
        ("C33", 0.35, 4.0, 0.6, false, 0.0),
        ("C13", 0.15, 3.0, 0.5, false, 0.0),
        ("C14", 0.15, 3.0, 0.5, false, 0.0),
        ("C15", 0.15, 3.0, 0.5, false, 0.0),
        ("C", 0.2, 3.0, 0.5, false, 0.0),
        ("F52", 0.08, 6.0, 0.7, true, 0.6),
        ("F", 0.02, 3.0, 0.4, false, 0.05),
        ("G", 0.1, 4.0, 0.4, false, 0.02),
        ("H", 0.02, 2.0, 0.6, true, 0.3),
        ("O", 0.02, 3.0, 0.6, true, 0.2),
    ];
    TABLE
        .iter()
        .filter(|t| industry.starts_with(t.0))
        .max_by_key(|t| t.0.len())
        .map_or(u(0.008, 2.0, 0.5, true, 0.05), |t| {
            u(t.1, t.2, t.3, t.4, t.5)
        })
}

/// Where a propensity lies between the least (0.01) and most (0.9) risky
/// enterprises, on the log scale the segments are drawn on: 0 to 1.
fn risk_rank(p: f64) -> f64 {
    ((p.ln() - 0.01f64.ln()) / (0.9f64.ln() - 0.01f64.ln())).clamp(0.0, 1.0)
}

/// Draws whether the enterprise uses special equipment; if so, adds its use
/// registration to `licences` and its `se_*` attributes. Draws one number for
/// a non-user, so that a user's draws do not shift anyone else's.
pub(crate) fn user<R: Rng>(
    rng: &mut R,
    ctx: &Ctx,
    industry: &str,
    reg: i32,
    p: f64,
    licences: &mut Vec<Licence>,
    attributes: &mut BTreeMap<String, AttrValue>,
) {
    let usage = usage(industry);
    if !chance(rng, usage.rate) {
        return;
    }
    let issued = int_in(rng, i64::from(reg), i64::from(ctx.as_of)) as i32;
    licences.push(Licence {
        kind: LICENCE.to_string(),
        department: DIVISION.to_string(),
        issued: Some(Date::from_days(issued)),
        valid_until: None,
    });
    let q = risk_rank(p);
    let units = lognormal(rng, usage.units, 0.8).round().max(1.0);
    let mut count = |name: &str, n: u32| {
        attributes.insert(name.to_string(), AttrValue::Integer(i64::from(n)));
    };
    count("se_units", units as u32);
    let high_risk = (0..units as u32)
        .filter(|_| unit(rng) < usage.high_risk)
        .count() as u32;
    count("se_high_risk_units", high_risk);
    count("se_overdue_inspections", poisson(rng, units * 0.3 * p));
    count("se_unregistered_units", poisson(rng, units * 0.12 * p));
    count("se_hazards_open", poisson(rng, 0.05 + 2.5 * p));
    count("se_operators_uncertified", poisson(rng, units * 0.15 * p));
    count("se_old_units", poisson(rng, units * 0.12 * (0.5 + q)));
    count("se_accidents_2y", poisson(rng, 0.004 + 0.15 * p));
    count("se_penalties_3y", poisson(rng, 1.2 * p));
    count("se_orders_1y", poisson(rng, 0.05 + 1.5 * p));
    count("se_major_hazards_1y", poisson(rng, 0.4 * p));
    let crowded = chance(rng, usage.crowded);
    let complaints = poisson(rng, (0.03 + 0.6 * p) * if crowded { 1.5 } else { 1.0 });
    count("se_complaints_1y", complaints);
    let mut flag = |name: &str, value: Option<bool>| {
        if let Some(v) = value {
            attributes.insert(name.to_string(), AttrValue::Bool(v));
        }
    };
    flag("se_crowded_venue", Some(crowded));
    // About one user in twenty has not reported these (missing).
    let manager = (!chance(rng, 0.05)).then(|| chance(rng, 1.0 - 0.5 * q));
    flag("se_safety_manager", manager);
    let drill = (!chance(rng, 0.05)).then(|| chance(rng, 0.95 - 0.6 * q));
    flag("se_emergency_drill_1y", drill);
    let contract = usage.elevators.then(|| chance(rng, 1.0 - 0.6 * q));
    flag("se_maintenance_contract", contract);
}

#[cfg(test)]
mod tests {
    use crate::{SynthConfig, generate};
    use riskgrade_core::AttrValue;

    /// Users are a few percent of enterprises, hold the licence and every
    /// count attribute, and the risky ones (by hidden propensity) have more
    /// overdue inspections and open hazards than the clean ones.
    #[test]
    fn a_few_percent_are_users_and_their_faults_follow_the_true_risk() {
        let synth = generate(&SynthConfig::new(20_000, 7, "2026-11-01".parse().unwrap()));
        let mut users = 0usize;
        let (mut low, mut high) = ((0.0, 0usize), (0.0, 0usize));
        for (e, t) in synth.enterprises.iter().zip(&synth.truth) {
            let is_user = e.licences.iter().any(|l| l.kind == super::LICENCE);
            assert_eq!(is_user, e.attributes.contains_key("se_units"), "{}", e.id.0);
            if !is_user {
                continue;
            }
            users += 1;
            let n = |k: &str| match e.attributes.get(k) {
                Some(AttrValue::Integer(v)) => *v as f64,
                other => panic!("{k}: {other:?}"),
            };
            let faults = n("se_overdue_inspections") + n("se_hazards_open") + n("se_orders_1y");
            if t.propensity < 0.05 {
                low.0 += faults;
                low.1 += 1;
            } else if t.propensity > 0.15 {
                high.0 += faults;
                high.1 += 1;
            }
        }
        let share = users as f64 / synth.enterprises.len() as f64;
        assert!((0.02..0.08).contains(&share), "share of users {share}");
        let (low_mean, high_mean) = (low.0 / low.1 as f64, high.0 / high.1 as f64);
        assert!(high_mean > 3.0 * low_mean, "{low_mean} vs {high_mean}");
    }

    #[test]
    fn the_usage_table_takes_the_longest_prefix() {
        assert_eq!(super::usage("K7020").rate, 0.35);
        assert_eq!(super::usage("C2614").rate, 0.5);
        assert_eq!(super::usage("C3311").rate, 0.35);
        assert_eq!(super::usage("C9999").rate, 0.2);
        assert_eq!(super::usage("I6513").rate, 0.008);
    }
}
