//! One enterprise: its latent propensity, identity, licences, attributes and
//! dated records, all drawn from one random stream.

use std::collections::BTreeMap;

use rand::Rng;
use riskgrade_core::{
    AttrValue, ChangeField, Date, Enterprise, EnterpriseId, InspectionResult, Licence, ListAction,
    Record, RecordKind, Severity,
};

use crate::Truth;
use crate::sample::{
    YEAR_DAYS, chance, int_in, lognormal, normal, pick, poisson, round_to, uniform, unit, wait_days,
};
use crate::tables::{
    BRAND_HEADS, BRAND_TAILS, CODE_CHARS, DISTRICTS, ENTERPRISE_TYPES, INDUSTRIES, Industry,
    PRODUCT_CATEGORIES, SCALES,
};

/// 1995-01-01, the earliest registration date.
pub(crate) const EARLIEST: Date = Date::from_days(9131);

/// 31^8: the number of distinct 8-character organisation codes.
const ORG_CODES: u64 = 852_891_037_441;

/// Per-run constants shared by every enterprise.
pub(crate) struct Ctx {
    /// The as-of date, in days.
    pub as_of: i32,
    /// Start of the record history (`as_of` minus `years`), in days.
    pub history_start: i32,
    /// Added to the index before it becomes an organisation code.
    pub code_offset: u64,
}

/// The segments of the latent mixture: name, share, propensity range.
const SEGMENTS: [(&str, f64, f64, f64); 4] = [
    ("clean", 0.65, 0.01, 0.04),
    ("sloppy", 0.23, 0.05, 0.15),
    ("risky", 0.09, 0.15, 0.40),
    ("rogue", 0.03, 0.40, 0.90),
];

/// Draws the segment and a log-uniform propensity inside its range.
fn segment<R: Rng>(rng: &mut R) -> (&'static str, f64) {
    let mut u = unit(rng);
    let mut chosen = SEGMENTS[0];
    for s in SEGMENTS {
        chosen = s;
        if u < s.1 {
            break;
        }
        u -= s.1;
    }
    let (name, _, lo, hi) = chosen;
    let p = lo * (hi / lo).powf(unit(rng));
    (name, round_to(p, 4).clamp(0.0001, 0.9999))
}

/// The unified social credit code: `91`, district code, the organisation
/// code (8 characters and its GB 11714 check character) and the GB 32100
/// check character. The 8 organisation characters encode the index
/// bijectively, so codes are unique in a batch.
fn credit_code<R: Rng>(rng: &mut R, ctx: &Ctx, index: usize, district_code: &str) -> String {
    let mut chars = [0u8; 16];
    chars[0] = b'9';
    chars[1] = b'1';
    chars[2..8].copy_from_slice(district_code.as_bytes());
    // The multiplier (about 0.618 of the modulus) is coprime to 31, so
    // multiplying by it permutes the residues and scatters neighbouring indices.
    let slot_of = (index as u128 + u128::from(ctx.code_offset)) % u128::from(ORG_CODES);
    let mut x = (slot_of * 527_106_829_117 % u128::from(ORG_CODES)) as u64;
    for slot in (8..16).rev() {
        chars[slot] = CODE_CHARS[(x % 31) as usize];
        x /= 31;
    }
    // Position 17 is now the organisation code's check character, no longer
    // drawn; the draw stays so that every later draw of the stream, and so a
    // population generated from a seed, is the same as before.
    let _ = rng.random_range(0..31);
    let first16: String = chars.iter().map(|&c| char::from(c)).collect();
    // The district codes come from the shipped table and the characters from the code's set.
    riskgrade_core::codes::CreditCode::complete(&first16)
        .map(|c| c.as_str().to_string())
        .unwrap_or(first16)
}

/// Registration date: ~8% younger than a year, the rest skewed towards recent years.
fn registered<R: Rng>(rng: &mut R, ctx: &Ctx, p: f64) -> i32 {
    let max_age = (ctx.as_of - EARLIEST.days()).max(0);
    let young = 0.075 + 0.08 * p; // shells and fly-by-night firms are young
    let age = if chance(rng, young) || max_age <= 366 {
        int_in(rng, 0, i64::from(max_age.min(364))) as i32
    } else {
        let max_years = f64::from(max_age) / YEAR_DAYS;
        let mut years = 1.0 + wait_days(rng, 1.0 / 6.0) / YEAR_DAYS;
        if years > max_years {
            years = uniform(rng, 1.0, max_years);
        }
        ((years * YEAR_DAYS) as i32).clamp(366, max_age)
    };
    ctx.as_of - age
}

/// Appends a record.
fn push(out: &mut Vec<Record>, kind: RecordKind, date: Date, repaired: Option<Date>) {
    out.push(Record {
        kind,
        date,
        repaired,
    });
}

/// A uniform day in `[from, to]`.
fn day_in<R: Rng>(rng: &mut R, from: i32, to: i32) -> Date {
    Date::from_days(int_in(rng, i64::from(from), i64::from(to)) as i32)
}

fn licences<R: Rng>(rng: &mut R, ctx: &Ctx, industry: &Industry, reg: i32, p: f64) -> Vec<Licence> {
    let mut out = Vec::with_capacity(industry.licences.len());
    for &(kind, department, prob) in industry.licences {
        if !chance(rng, prob) {
            continue;
        }
        // Licences run five years; risky holders more often let them lapse.
        let term = 5 * 12;
        let max_lapse = (ctx.as_of - reg - 30).min(720);
        let expired = max_lapse >= 1 && chance(rng, 0.04 + 0.5 * p);
        let (issued, valid_until) = if expired {
            let until = ctx.as_of - int_in(rng, 1, i64::from(max_lapse)) as i32;
            let issued = Date::from_days(until).add_months(-term).days().max(reg);
            (issued, until.max(issued + 1))
        } else {
            let from = Date::from_days(ctx.as_of).add_months(-term).days() + 1;
            let issued = int_in(rng, i64::from(from.max(reg)), i64::from(ctx.as_of)) as i32;
            (issued, Date::from_days(issued).add_months(term).days())
        };
        out.push(Licence {
            kind: kind.to_string(),
            department: department.to_string(),
            issued: Some(Date::from_days(issued)),
            valid_until: Some(Date::from_days(valid_until)),
        });
    }
    out
}

/// Typed attribute setters that round numbers for a stable JSON round trip.
struct Attrs(BTreeMap<String, AttrValue>);

impl Attrs {
    fn num(&mut self, key: &str, v: f64, decimals: i32) {
        self.0
            .insert(key.to_string(), AttrValue::Number(round_to(v, decimals)));
    }
    fn int(&mut self, key: &str, v: i64) {
        self.0.insert(key.to_string(), AttrValue::Integer(v));
    }
    fn flag(&mut self, key: &str, v: bool) {
        self.0.insert(key.to_string(), AttrValue::Bool(v));
    }
    fn text(&mut self, key: &str, v: &str) {
        self.0
            .insert(key.to_string(), AttrValue::Text(v.to_string()));
    }
}

/// Share of related enterprises (`k` of `n`) with some trait of probability `q`.
fn related_share<R: Rng>(rng: &mut R, n: u32, q: f64) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let k = (0..n).filter(|_| chance(rng, q)).count();
    k as f64 / f64::from(n)
}

/// The attributes of an enterprise; returns them with its registered capital
/// (10k yuan), used later for pledge amounts.
fn attributes<R: Rng>(
    rng: &mut R,
    etype: &str,
    industry: &Industry,
    p: f64,
) -> (BTreeMap<String, AttrValue>, f64) {
    let mut a = Attrs(BTreeMap::new());
    let big = matches!(etype, "state_owned" | "joint_stock" | "foreign_invested");
    let (capital, listed) = size(rng, &mut a, etype, big);
    finances(rng, &mut a, p, capital);
    related(rng, &mut a, p, listed);
    if let Some(usual) = industry.food {
        food(rng, &mut a, usual, p, big);
    }
    (a.0, capital)
}

/// Capital, shareholders, investments, branches, type and listing; returns the registered
/// capital and whether the enterprise is listed.
fn size<R: Rng>(rng: &mut R, a: &mut Attrs, etype: &str, big: bool) -> (f64, bool) {
    let median = if big {
        2_000.0
    } else if etype == "sole_proprietorship" {
        30.0
    } else {
        100.0
    };
    let capital = round_to(lognormal(rng, median, 1.5).clamp(10.0, 100_000.0), 2);
    a.num("registered_capital", capital, 2);
    let shareholders = match etype {
        "sole_proprietorship" => 1,
        "joint_stock" => int_in(rng, 2, 50),
        "partnership" => int_in(rng, 2, 12),
        _ => (1 + poisson(rng, 0.8 + 0.3 * capital.log10())).min(50) as i64,
    };
    a.int("shareholders", shareholders);
    a.int(
        "outbound_investments",
        i64::from(poisson(rng, 0.1 + 0.25 * capital.log10())),
    );
    let branch_rate = if big { 1.5 } else { 0.1 };
    a.int("branches", i64::from(poisson(rng, branch_rate)));
    a.text("enterprise_type", etype);
    let listed = chance(rng, if etype == "joint_stock" { 0.12 } else { 0.004 });
    a.flag("listed", listed);
    (capital, listed)
}

/// Paid-in capital, growth, losses, debt, staff, tax, annual reports and frozen equity: all
/// worse as the propensity `p` rises.
fn finances<R: Rng>(rng: &mut R, a: &mut Attrs, p: f64, capital: f64) {
    let paid_in = if chance(rng, 0.3 * (1.0 - p)) {
        1.0
    } else {
        1.0 - unit(rng).powf(1.0 / (0.3 + 3.0 * p))
    };
    a.num("paid_in_ratio", paid_in, 4);
    let growth = normal(rng, 0.05 - 0.25 * p, 0.15 + 0.2 * p).clamp(-0.95, 3.0);
    if !chance(rng, 0.015 + 0.05 * p) {
        a.num("revenue_growth", growth, 4);
    }
    let loss_p = 0.12 + 0.6 * p + if growth < 0.0 { 0.15 } else { 0.0 };
    a.flag("loss_making", chance(rng, loss_p));
    a.num(
        "debt_ratio",
        normal(rng, 0.45 + 0.4 * p, 0.18).clamp(0.0, 1.5),
        4,
    );
    let shell = chance(rng, 0.08 + 0.5 * p);
    let staff = if shell {
        0
    } else {
        lognormal(rng, 3.0 + capital.powf(0.4), 0.8)
            .round()
            .max(1.0) as i64
    };
    a.int("insured_staff", staff);
    if !chance(rng, 0.02) {
        let tax = if shell {
            0.0
        } else {
            staff as f64 * lognormal(rng, 1.5, 0.7) * (1.0 - 0.5 * p)
        };
        a.num("tax_paid", tax, 2);
    }
    a.flag("annual_report_on_time", !chance(rng, 0.03 + 0.8 * p));
    a.flag("equity_frozen", chance(rng, 0.004 + 0.3 * p * p));
}

/// Shares of related enterprises revoked, listed, penalised or defaulting, and negative news.
fn related<R: Rng>(rng: &mut R, a: &mut Attrs, p: f64, listed: bool) {
    let related = if chance(rng, 0.45) {
        1 + poisson(rng, 2.5)
    } else {
        0
    };
    a.num(
        "related_revoked_share",
        related_share(rng, related, 0.03 + 0.5 * p),
        4,
    );
    a.num(
        "related_listed_share",
        related_share(rng, related, if listed { 0.3 } else { 0.01 }),
        4,
    );
    a.num(
        "related_penalised_share",
        related_share(rng, related, 0.02 + 0.5 * p),
        4,
    );
    a.num(
        "related_defaulter_share",
        related_share(rng, related, 0.005 + 0.4 * p * p),
        4,
    );
    a.int(
        "negative_news_1y",
        i64::from(poisson(rng, 0.02 + 1.5 * p * p)),
    );
}

/// The food industries' attributes: HACCP, production scale, product category, sampling
/// failures and self-inspection; `usual` is the industry's usual product category.
fn food<R: Rng>(rng: &mut R, a: &mut Attrs, usual: &'static str, p: f64, big: bool) {
    a.flag(
        "haccp_certified",
        chance(
            rng,
            (0.45 - 0.5 * p).max(0.02) + if big { 0.3 } else { 0.0 },
        ),
    );
    let shift = (p * 2.0).min(1.0);
    let scale = *pick(
        rng,
        &[
            (SCALES[0], (300.0 * (1.0 + shift)) as u32),
            (SCALES[1], 400),
            (SCALES[2], (220.0 * (1.0 - 0.5 * shift)) as u32),
            (
                SCALES[3],
                (80.0 * (1.0 - 0.7 * shift)) as u32 + if big { 200 } else { 0 },
            ),
        ],
    );
    a.text("production_scale", scale);
    let category = if chance(rng, 0.8) {
        usual
    } else {
        *pick(rng, &PRODUCT_CATEGORIES)
    };
    a.text("product_category", category);
    a.int(
        "sampling_failures_3y",
        i64::from(poisson(rng, 0.04 + 1.0 * p)),
    );
    a.flag("self_inspection_on_time", !chance(rng, 0.05 + 0.6 * p));
}

/// Pushes the entries (and removals) of a list as a renewal process over
/// `[start, as_of]`: an enterprise is entered at rate `rate` a year, stays on
/// for `stay` days if it gets off at all (probability `leave`), and a removal
/// is a credit repair of the entry with probability `repair`.
#[allow(clippy::too_many_arguments)]
fn list_events<R: Rng>(
    rng: &mut R,
    out: &mut Vec<Record>,
    start: i32,
    as_of: i32,
    rate: f64,
    leave: f64,
    stay: (i64, i64),
    repair: f64,
    kind: fn(ListAction) -> RecordKind,
) {
    let mut t = f64::from(start);
    loop {
        t += wait_days(rng, rate);
        if t > f64::from(as_of) {
            return;
        }
        let entry = t as i32;
        if !chance(rng, leave) {
            out.push(Record {
                kind: kind(ListAction::Entry),
                date: Date::from_days(entry),
                repaired: None,
            });
            return;
        }
        let removal = entry + int_in(rng, stay.0, stay.1) as i32;
        if removal > as_of {
            out.push(Record {
                kind: kind(ListAction::Entry),
                date: Date::from_days(entry),
                repaired: None,
            });
            return;
        }
        let repaired = chance(rng, repair).then_some(Date::from_days(removal));
        out.push(Record {
            kind: kind(ListAction::Entry),
            date: Date::from_days(entry),
            repaired,
        });
        out.push(Record {
            kind: kind(ListAction::Removal),
            date: Date::from_days(removal),
            repaired: None,
        });
        t = f64::from(removal);
    }
}

/// Yearly rates of each kind of record for an enterprise of propensity `p`
/// (complaints and lawsuits are further scaled by the enterprise's activity).
pub(crate) struct Rates {
    pub penalty: f64,
    pub abnormal: f64,
    pub dishonest: f64,
    pub defaulter: f64,
    pub inspection: f64,
    pub complaint: f64,
    pub lawsuit: f64,
    pub change: f64,
    pub pledge: f64,
}

impl Rates {
    pub(crate) fn new(p: f64) -> Rates {
        Rates {
            penalty: 1.2 * p,
            abnormal: 0.6 * p,
            dishonest: 0.25 * p * p * p,
            defaulter: 0.15 * p * p,
            inspection: 0.06 + 0.5 * p,
            complaint: 0.1 + 3.0 * p,
            lawsuit: 0.04 + 0.9 * p,
            change: 0.12 + 2.0 * p,
            pledge: 0.01 + 0.15 * p,
        }
    }
}

/// Severity and amount (yuan) of a penalty: riskier firms get heavier ones.
pub(crate) fn penalty<R: Rng>(rng: &mut R, p: f64) -> (Severity, f64) {
    let u = unit(rng);
    if u < 0.55 - 0.3 * p {
        (
            Severity::Minor,
            round_to(lognormal(rng, 2_000.0, 0.8).clamp(0.0, 50_000.0), -2),
        )
    } else if u < 0.9 - 0.4 * p {
        (
            Severity::General,
            round_to(
                lognormal(rng, 20_000.0, 1.0).clamp(1_000.0, 1_000_000.0),
                -2,
            ),
        )
    } else {
        (
            Severity::Major,
            round_to(
                lognormal(rng, 200_000.0, 1.1).clamp(10_000.0, 20_000_000.0),
                -2,
            ),
        )
    }
}

/// The result of an inspection: problems, refusals and absence rise with `p`.
pub(crate) fn inspection<R: Rng>(rng: &mut R, p: f64) -> InspectionResult {
    let u = unit(rng);
    let refused = 0.005 + 0.05 * p;
    let unreachable = refused + 0.02 + 0.2 * p * p;
    let problem = unreachable + (1.2 * p).min(0.9);
    if u < refused {
        InspectionResult::Refused
    } else if u < unreachable {
        InspectionResult::NotReachable
    } else if u < problem {
        InspectionResult::Problem
    } else {
        InspectionResult::NoProblem
    }
}

/// Amount in dispute of a lawsuit, in yuan.
pub(crate) fn lawsuit<R: Rng>(rng: &mut R) -> f64 {
    round_to(
        lognormal(rng, 80_000.0, 1.3).clamp(1_000.0, 100_000_000.0),
        0,
    )
}

/// What a registration change touched: more often the legal representative for risky firms.
pub(crate) fn change<R: Rng>(rng: &mut R, p: f64) -> ChangeField {
    let fields = [
        (ChangeField::LegalRepresentative, (250.0 + 600.0 * p) as u32),
        (ChangeField::Address, 300),
        (ChangeField::BusinessScope, 350),
        (ChangeField::Name, 100),
    ];
    *pick(rng, &fields)
}

/// Amount of an equity pledge, in yuan, for registered capital `capital` (10k yuan).
pub(crate) fn pledge<R: Rng>(rng: &mut R, capital: f64) -> f64 {
    round_to(capital * 10_000.0 * uniform(rng, 0.05, 0.6), -3)
}

fn records<R: Rng>(
    rng: &mut R,
    ctx: &Ctx,
    reg: i32,
    p: f64,
    food: bool,
    capital: f64,
) -> Vec<Record> {
    let start = ctx.history_start.max(reg).min(ctx.as_of);
    let as_of = ctx.as_of;
    let exposure = f64::from(as_of - start) / YEAR_DAYS;
    // About the expected number of records, so the vector rarely grows or idles.
    let mut out = Vec::with_capacity(1 + ((0.35 + 9.0 * p) * exposure) as usize);
    let activity = lognormal(rng, 1.0, 0.4);
    let rates = Rates::new(p);

    // Administrative penalties.
    let repair_months = if food { 12 } else { 6 };
    for _ in 0..poisson(rng, rates.penalty * exposure) {
        let date = day_in(rng, start, as_of);
        let (severity, amount) = penalty(rng, p);
        let repaired = if severity != Severity::Minor && chance(rng, 0.35 * (1.0 - p)) {
            let rep = date.add_months(repair_months).days() + int_in(rng, 0, 400) as i32;
            (rep <= as_of).then_some(Date::from_days(rep))
        } else {
            None
        };
        push(
            &mut out,
            RecordKind::Penalty { amount, severity },
            date,
            repaired,
        );
    }

    // Lists: abnormal operations, serious dishonest, judgment defaulter.
    list_events(
        rng,
        &mut out,
        start,
        as_of,
        rates.abnormal,
        0.9 - 0.6 * p,
        (20, 540),
        0.5,
        |action| RecordKind::AbnormalList { action },
    );
    list_events(
        rng,
        &mut out,
        start,
        as_of,
        rates.dishonest,
        0.3,
        (366, 1_100),
        0.8,
        |action| RecordKind::DishonestList { action },
    );
    list_events(
        rng,
        &mut out,
        start,
        as_of,
        rates.defaulter,
        0.5,
        (60, 720),
        0.0,
        |action| RecordKind::JudgmentDefaulter { action },
    );

    // Inspections: random spot checks plus targeting that partly finds risky firms.
    for _ in 0..poisson(rng, rates.inspection * exposure) {
        let date = day_in(rng, start, as_of);
        let result = inspection(rng, p);
        push(&mut out, RecordKind::Inspection { result }, date, None);
    }

    // Complaints, with a burst in the last three months for a few.
    for _ in 0..poisson(rng, rates.complaint * activity * exposure) {
        let date = day_in(rng, start, as_of);
        push(&mut out, RecordKind::Complaint, date, None);
    }
    if exposure > 0.0 && chance(rng, 0.01 + 0.15 * p) {
        let burst_start = (as_of - 90).max(start);
        for _ in 0..int_in(rng, 3, 10) {
            let date = day_in(rng, burst_start, as_of);
            push(&mut out, RecordKind::Complaint, date, None);
        }
    }

    // Lawsuits.
    for _ in 0..poisson(rng, rates.lawsuit * activity * exposure) {
        let date = day_in(rng, start, as_of);
        let amount = lawsuit(rng);
        push(&mut out, RecordKind::Lawsuit { amount }, date, None);
    }

    // Registration changes: frequent, and more often the legal representative, for risky firms.
    for _ in 0..poisson(rng, rates.change * exposure) {
        let date = day_in(rng, start, as_of);
        let field = change(rng, p);
        push(&mut out, RecordKind::Change { field }, date, None);
    }

    // Equity pledges.
    for _ in 0..poisson(rng, rates.pledge * exposure) {
        let date = day_in(rng, start, as_of);
        let amount = pledge(rng, capital);
        push(&mut out, RecordKind::EquityPledge { amount }, date, None);
    }

    out.sort_by_key(|r| r.date);
    out
}

/// How often an industry's enterprises run a new business form (新业态: platforms, sharing,
/// internet services), which the registering bureau marks: often in information services
/// (section I), sometimes in retail (internet retail), rarely elsewhere.
fn new_business_form_rate(industry: &str) -> f64 {
    match industry.as_bytes().first() {
        Some(b'I') => 0.4,
        Some(b'F') => 0.08,
        _ => 0.02,
    }
}

/// Builds enterprise number `index` (0-based) from its own random stream.
pub(crate) fn enterprise<R: Rng>(rng: &mut R, ctx: &Ctx, index: usize) -> (Enterprise, Truth) {
    let (segment, p) = segment(rng);
    let id = format!("E{:07}", index + 1);
    let &(etype, suffix) = pick(rng, &ENTERPRISE_TYPES);
    let industry = pick(rng, &INDUSTRIES);
    let district = pick(rng, &DISTRICTS);
    let reg = registered(rng, ctx, p);
    let brand_head = BRAND_HEADS[rng.random_range(0..BRAND_HEADS.len())];
    let brand_tail = BRAND_TAILS[rng.random_range(0..BRAND_TAILS.len())];
    let name = format!(
        "{} {brand_head}{brand_tail} {} {suffix}",
        district.name, industry.business
    );
    let credit_code = credit_code(rng, ctx, index, district.code);
    let licences = licences(rng, ctx, industry, reg, p);
    let (attributes, capital) = attributes(rng, etype, industry, p);
    let records = records(rng, ctx, reg, p, industry.food.is_some(), capital);
    // Drawn last, so that every earlier value of a seeded population stays as it was.
    let mut attributes = attributes;
    attributes.insert(
        "new_business_form".to_string(),
        AttrValue::Bool(chance(rng, new_business_form_rate(industry.code))),
    );
    // The provincial-scale inputs come after, for the same reason.
    let drawn = crate::provincial::Drawn {
        reg,
        p,
        capital,
        records: &records,
    };
    let extra = crate::provincial::extras(rng, ctx, &drawn, &mut attributes);
    let mut records = records;
    if !extra.is_empty() {
        records.extend(extra);
        records.sort_by_key(|r| r.date);
    }
    // Special-equipment users, drawn last (special.rs).
    let mut licences = licences;
    crate::special::user(
        rng,
        ctx,
        industry.code,
        reg,
        p,
        &mut licences,
        &mut attributes,
    );
    let enterprise = Enterprise {
        id: EnterpriseId(id.clone()),
        name,
        credit_code: Some(credit_code),
        industry: industry.code.to_string(),
        district: district.name.to_string(),
        registered: Some(Date::from_days(reg)),
        licences,
        attributes,
        records,
    };
    (
        enterprise,
        Truth {
            id,
            propensity: p,
            segment,
        },
    )
}
