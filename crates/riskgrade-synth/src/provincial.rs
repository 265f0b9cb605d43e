//! The inputs of a provincial-scale general model (Guangdong's public
//! "5 + 22 + 72" structure) beyond the first forty indicators: intellectual
//! property, changes of registered capital, bankruptcy and deregistration,
//! penalty types, abnormal-list reasons, uncorrected inspection problems,
//! enforcement cases, other departments' credit, the legal representative,
//! news and commendations.
//!
//! Everything here is drawn after the rest of an enterprise, from the same
//! stream, so that every earlier value of a seeded population stays as it was.
//! Values that summarise records (penalty types, the reason of the current
//! abnormal listing, problems awaiting correction) are drawn per record of the
//! history, so they agree with the records on the as-of date.

use std::collections::BTreeMap;

use rand::Rng;
use riskgrade_core::{
    AttrValue, ChangeField, Date, InspectionResult, ListAction, Record, RecordKind, Severity,
};

use crate::make::Ctx;
use crate::sample::{YEAR_DAYS, chance, int_in, normal, pick, poisson, round_to, uniform};

/// The attributes drawn here; `staff_growth`, `abnormal_reason` and
/// `negative_news_share` are absent when they do not apply (no insured staff,
/// not on the abnormal list now, no news in the year).
#[cfg(test)]
pub(crate) const ATTRIBUTES: [&str; 24] = [
    "staff_growth",
    "licences_revoked_3y",
    "trademarks",
    "patents",
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
    "abnormal_reason",
    "enforcement_cases_3y",
    "tax_credit_grade",
    "tax_arrears",
    "social_insurance_arrears",
    "legal_rep_dishonest",
    "legal_rep_other_firms",
    "negative_news_share",
    "commendations_3y",
    "credit_commitment",
];

/// Days in the three-year window most indicators read.
const THREE_YEARS: i32 = 1096;

/// What the extra draws read of the enterprise drawn so far.
pub(crate) struct Drawn<'a> {
    /// Registration date, in days.
    pub reg: i32,
    /// The latent propensity.
    pub p: f64,
    /// Registered capital, 10k yuan.
    pub capital: f64,
    /// The records drawn so far (sorted by date).
    pub records: &'a [Record],
}

/// Typed attribute setters (numbers rounded for a stable JSON round trip).
struct Out<'a>(&'a mut BTreeMap<String, AttrValue>);

impl Out<'_> {
    fn num(&mut self, key: &str, v: f64, decimals: i32) {
        self.0
            .insert(key.to_string(), AttrValue::Number(round_to(v, decimals)));
    }
    fn int(&mut self, key: &str, v: u32) {
        self.0
            .insert(key.to_string(), AttrValue::Integer(i64::from(v)));
    }
    fn flag(&mut self, key: &str, v: bool) {
        self.0.insert(key.to_string(), AttrValue::Bool(v));
    }
    fn text(&mut self, key: &str, v: &str) {
        self.0
            .insert(key.to_string(), AttrValue::Text(v.to_string()));
    }
    fn get_int(&self, key: &str) -> i64 {
        match self.0.get(key) {
            Some(AttrValue::Integer(i)) => *i,
            _ => 0,
        }
    }
    fn get_flag(&self, key: &str) -> Option<bool> {
        match self.0.get(key) {
            Some(AttrValue::Bool(b)) => Some(*b),
            _ => None,
        }
    }
}

/// Draws the extra attributes into `attrs` and returns the extra records
/// (registered-capital changes), unsorted.
pub(crate) fn extras<R: Rng>(
    rng: &mut R,
    ctx: &Ctx,
    d: &Drawn<'_>,
    attrs: &mut BTreeMap<String, AttrValue>,
) -> Vec<Record> {
    let mut a = Out(attrs);
    let p = d.p;
    let size = d.capital.max(1.0).log10();
    scale_and_ip(rng, &mut a, p, size);
    let capital_changes = capital_changes(rng, ctx, d, &mut a);
    equity_reports_exit(rng, &mut a, p);
    from_records(rng, ctx, d, &mut a);
    departments_and_persons(rng, ctx, d, &mut a);
    news_and_honours(rng, &mut a, p, size);
    capital_changes
}

/// Insured-staff growth, licences revoked, trademarks, patents and infringements.
fn scale_and_ip<R: Rng>(rng: &mut R, a: &mut Out<'_>, p: f64, size: f64) {
    let growth = normal(rng, 0.04 - 0.35 * p, 0.12 + 0.2 * p).clamp(-1.0, 2.0);
    if a.get_int("insured_staff") > 0 {
        a.num("staff_growth", growth, 4);
    }
    a.int("licences_revoked_3y", poisson(rng, 0.002 + 0.2 * p * p));
    let healthy = (1.0 - p).powi(2);
    a.int(
        "trademarks",
        poisson(rng, (0.15 + 0.5 * size) * (0.3 + healthy)),
    );
    a.int(
        "patents",
        poisson(rng, (0.05 + 0.35 * size) * (0.2 + healthy)),
    );
    a.int("ip_infringements_3y", poisson(rng, 0.004 + 0.3 * p * p));
}

/// Registered-capital changes over the history (records), and the largest
/// reduction of the last year as a share of the capital before it.
fn capital_changes<R: Rng>(rng: &mut R, ctx: &Ctx, d: &Drawn<'_>, a: &mut Out<'_>) -> Vec<Record> {
    let start = ctx.history_start.max(d.reg).min(ctx.as_of);
    let exposure = f64::from(ctx.as_of - start) / YEAR_DAYS;
    let mut out = Vec::new();
    let mut largest_cut: f64 = 0.0;
    for _ in 0..poisson(rng, (0.03 + 0.3 * d.p) * exposure) {
        let date = int_in(rng, i64::from(start), i64::from(ctx.as_of)) as i32;
        // A reduction (减资) is rarer for sound firms; risky ones cut deep.
        let cut = chance(rng, 0.2 + 0.5 * d.p).then(|| uniform(rng, 0.1, 0.3 + 0.6 * d.p));
        if let Some(c) = cut
            && date > ctx.as_of - 366
        {
            largest_cut = largest_cut.max(c);
        }
        out.push(Record {
            kind: RecordKind::Change {
                field: ChangeField::RegisteredCapital,
            },
            date: Date::from_days(date),
            repaired: None,
        });
    }
    a.num("capital_reduction_ratio_1y", largest_cut, 4);
    out
}

/// Equity freezes, missed annual reports, bankruptcy, deregistration and suspension.
fn equity_reports_exit<R: Rng>(rng: &mut R, a: &mut Out<'_>, p: f64) {
    let frozen_now = a.get_flag("equity_frozen").unwrap_or(false);
    let freezes = if frozen_now {
        1 + poisson(rng, 0.2 + p)
    } else {
        poisson(rng, 0.01 + 0.3 * p * p)
    };
    a.int("equity_freezes_3y", freezes);
    let mut missed = (0..3).filter(|_| chance(rng, 0.01 + 0.3 * p)).count() as u32;
    if a.get_flag("annual_report_on_time") == Some(false) && chance(rng, 0.5) {
        missed = missed.max(1);
    }
    a.int("annual_reports_missed_3y", missed);
    a.flag("in_bankruptcy", chance(rng, 0.001 + 0.05 * p * p));
    a.flag("deregistration_pending", chance(rng, 0.004 + 0.08 * p));
    a.flag("business_suspended", chance(rng, 0.003 + 0.05 * p));
}

/// Whether the latest unrepaired abnormal-list entry has no later removal on `as_of`.
fn abnormal_now(records: &[Record], as_of: i32) -> bool {
    let mut entry: Option<i32> = None;
    let mut removal: Option<i32> = None;
    for r in records.iter().filter(|r| r.date.days() <= as_of) {
        match r.kind {
            RecordKind::AbnormalList {
                action: ListAction::Entry,
            } if r.repaired.is_none_or(|rep| rep.days() > as_of) => {
                entry = entry.max(Some(r.date.days()));
            }
            RecordKind::AbnormalList {
                action: ListAction::Removal,
            } => removal = removal.max(Some(r.date.days())),
            _ => {}
        }
    }
    entry.is_some_and(|e| removal.is_none_or(|rm| rm < e))
}

/// Reasons of an abnormal-list entry (经营异常名录 列入事由), as the regulation lists them.
const ABNORMAL_REASONS: [&str; 4] = [
    "annual_report",
    "unreachable",
    "instant_disclosure",
    "false_information",
];

/// Penalty types, abnormal-list reason, inspection problems awaiting correction.
fn from_records<R: Rng>(rng: &mut R, ctx: &Ctx, d: &Drawn<'_>, a: &mut Out<'_>) {
    let p = d.p;
    let since = ctx.as_of - THREE_YEARS;
    let live =
        |r: &Record| r.date.days() > since && r.repaired.is_none_or(|rep| rep.days() > ctx.as_of);
    let (mut suspension, mut confiscation, mut uncorrected) = (0u32, 0u32, 0u32);
    for r in d.records.iter().filter(|r| live(r)) {
        match r.kind {
            RecordKind::Penalty { severity, .. } => {
                let (stop, take) = match severity {
                    Severity::Minor => (0.0, 0.0),
                    Severity::General => (0.03 + 0.1 * p, 0.2),
                    Severity::Major => (0.3 + 0.3 * p, 0.4),
                };
                suspension += u32::from(chance(rng, stop));
                confiscation += u32::from(chance(rng, take));
            }
            RecordKind::Inspection {
                result: InspectionResult::Problem,
            } => {
                let recent = ctx.as_of - r.date.days() < 120;
                let open = if recent {
                    0.5 + 0.4 * p
                } else {
                    0.04 + 0.6 * p
                };
                uncorrected += u32::from(chance(rng, open));
            }
            _ => {}
        }
    }
    a.int("penalties_suspension_3y", suspension);
    a.int("penalties_confiscation_3y", confiscation);
    a.int("inspection_problems_open", uncorrected);
    if abnormal_now(d.records, ctx.as_of) {
        let late = a.get_flag("annual_report_on_time") == Some(false);
        let weights = [
            (ABNORMAL_REASONS[0], if late { 700 } else { 350 }),
            (ABNORMAL_REASONS[1], (150.0 + 600.0 * p) as u32),
            (ABNORMAL_REASONS[2], 80),
            (ABNORMAL_REASONS[3], (20.0 + 200.0 * p) as u32),
        ];
        let reason = *pick(rng, &weights);
        a.text("abnormal_reason", reason);
    }
}

/// Enforcement cases, tax credit grade and arrears, social-insurance arrears,
/// and the legal representative's other roles and status.
fn departments_and_persons<R: Rng>(rng: &mut R, ctx: &Ctx, d: &Drawn<'_>, a: &mut Out<'_>) {
    let p = d.p;
    let years = (f64::from(ctx.as_of - d.reg) / YEAR_DAYS).clamp(0.0, 3.0);
    a.int(
        "enforcement_cases_3y",
        poisson(rng, (0.01 + 0.6 * p * p + 0.1 * p) * years),
    );
    // 纳税信用等级: M is the grade of enterprises new to the tax register.
    let young = ctx.as_of - d.reg < 366;
    let grade = *pick(
        rng,
        &[
            ("A", (350.0 * (1.0 - 2.0 * p).max(0.05)) as u32),
            ("B", 400),
            ("M", if young { 900 } else { 80 }),
            ("C", (20.0 + 400.0 * p) as u32),
            ("D", (3.0 + 500.0 * p * p) as u32),
        ],
    );
    a.text("tax_credit_grade", grade);
    a.flag("tax_arrears", chance(rng, 0.004 + 0.25 * p));
    a.flag("social_insurance_arrears", chance(rng, 0.01 + 0.3 * p));
    a.flag("legal_rep_dishonest", chance(rng, 0.002 + 0.3 * p * p));
    a.int("legal_rep_other_firms", poisson(rng, 0.3 + 2.5 * p));
}

/// The share of negative news among the year's news, commendations and credit commitments.
fn news_and_honours<R: Rng>(rng: &mut R, a: &mut Out<'_>, p: f64, size: f64) {
    let negative = a.get_int("negative_news_1y").max(0) as f64;
    let other = f64::from(poisson(rng, 0.05 + 0.25 * size));
    if negative + other > 0.0 {
        a.num("negative_news_share", negative / (negative + other), 4);
    }
    a.int(
        "commendations_3y",
        poisson(rng, (0.02 + 0.06 * size) * (1.0 - p).powi(3)),
    );
    a.flag("credit_commitment", chance(rng, 0.1 + 0.3 * (1.0 - p)));
}

#[cfg(test)]
#[path = "provincial_tests.rs"]
mod tests;
