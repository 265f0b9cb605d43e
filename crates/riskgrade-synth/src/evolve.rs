//! One simulated span of time: the records that arrive between two dates and
//! the credit repairs (信用修复) that happen in it, drawn for each enterprise
//! from its own random stream with the yearly rates of the history.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use riskgrade_core::rng::{key, splitmix64};
use riskgrade_core::{AttrValue, Date, Enterprise, ListAction, Record, RecordKind, Severity};
use serde::Serialize;

use crate::make::{Rates, change, inspection, lawsuit, penalty, pledge};
use crate::sample::{YEAR_DAYS, chance, int_in, lognormal, poisson};
use crate::{Synth, Truth};

/// Mixed into the seed so the streams of [`evolve`] differ from those of [`crate::generate`].
const EVOLVE_TAG: u64 = 0xE70_1E5_u64;

/// Yearly rate at which an unrepaired, eligible general or major penalty is
/// credit-repaired, times `1 - p`: about a third are repaired within a year of
/// becoming eligible, as in the history.
const PENALTY_REPAIR: f64 = 0.4;

/// What happened to the population in one simulated month.
///
/// ```
/// use riskgrade_synth::MonthEvents;
/// assert_eq!(MonthEvents::default().new_records, 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MonthEvents {
    /// Records appended, of every kind.
    pub new_records: usize,
    /// New administrative penalties.
    pub penalties: usize,
    /// New entries on the abnormal-operations, serious dishonest or judgment-defaulter lists.
    pub listings: usize,
    /// New removals from those lists.
    pub removals: usize,
    /// New complaints.
    pub complaints: usize,
    /// New inspections.
    pub inspections: usize,
    /// Records (penalties and list entries) that got a repair date in the span.
    pub repaired: usize,
}

impl MonthEvents {
    pub(crate) fn merged(self, o: MonthEvents) -> MonthEvents {
        MonthEvents {
            new_records: self.new_records + o.new_records,
            penalties: self.penalties + o.penalties,
            listings: self.listings + o.listings,
            removals: self.removals + o.removals,
            complaints: self.complaints + o.complaints,
            inspections: self.inspections + o.inspections,
            repaired: self.repaired + o.repaired,
        }
    }
}

/// How a list moves: yearly rate of getting off it once on it for `min_stay`
/// days, the chance that a removal is a credit repair of the entry, and the age
/// (days) from which a removal is a plain expiry rather than a repair.
struct ListMove {
    kind: fn(ListAction) -> RecordKind,
    enter: f64,
    leave: f64,
    min_stay: i32,
    repair: f64,
    expire: i32,
}

/// Chance of at least one event of a process with `rate` a year in `years`.
fn within(rate: f64, years: f64) -> f64 {
    1.0 - (-rate * years).exp()
}

/// Advances the population from `from` (exclusive) to `to` (inclusive):
/// appends the records that arrive in that span and credit-repairs some older
/// ones. Deterministic: a pure function of (synth, from, to, seed); independent
/// of thread count.
///
/// New records use the yearly rates of [`crate::generate`]'s history for each
/// enterprise's propensity, scaled to the days of the span from registration
/// on, and keep every enterprise's records sorted by date. General and major
/// penalties at least 6 months old (12 for food, C13–C15) and still publicised
/// (under 3 years) are repaired at about `0.4 × (1 − p)` a year; list entries
/// leave their list as in the history, a serious-list removal after at least
/// a year and before three years being a repair of the entry. Serious-list and
/// judgment-defaulter entries only arrive for the `risky` and `rogue` segments.
///
/// Enterprise `i` draws from ChaCha8 stream `i` under a key derived from
/// `seed` and `to`, so stepping month by month is reproducible and each month
/// differs. Call it with `from` on or after the last date of the data (the
/// `as_of` of [`crate::SynthConfig`] first, then the previous `to`); an empty
/// span (`to <= from`) changes nothing.
///
/// ```
/// use riskgrade_core::Date;
/// use riskgrade_synth::{SynthConfig, evolve, generate};
///
/// let as_of: Date = "2026-11-30".parse().unwrap();
/// let mut synth = generate(&SynthConfig::new(2_000, 42, as_of));
/// let mut again = synth.clone();
/// let next: Date = "2026-12-31".parse().unwrap();
/// let events = evolve(&mut synth, as_of, next, 7);
/// assert!(events.new_records > 0);
/// assert!(synth.enterprises.iter().flat_map(|e| &e.records).all(|r| r.date <= next));
/// // Same inputs, same month.
/// assert_eq!(evolve(&mut again, as_of, next, 7), events);
/// assert_eq!(again, synth);
/// ```
pub fn evolve(synth: &mut Synth, from: Date, to: Date, seed: u64) -> MonthEvents {
    if to <= from {
        return MonthEvents::default();
    }
    let key = key(seed ^ splitmix64(EVOLVE_TAG ^ u64::from(to.days() as u32)));
    synth
        .enterprises
        .par_iter_mut()
        .zip(synth.truth.par_iter())
        .enumerate()
        .map(|(i, (e, t))| {
            let mut rng = ChaCha8Rng::from_seed(key);
            rng.set_stream(i as u64);
            step(&mut rng, e, t, from.days(), to.days())
        })
        .reduce(MonthEvents::default, MonthEvents::merged)
}

/// One enterprise over `(from, to]` (days): repairs, list moves, then new records, drawn in
/// that order from its stream.
fn step<R: Rng>(rng: &mut R, e: &mut Enterprise, t: &Truth, from: i32, to: i32) -> MonthEvents {
    let mut ev = MonthEvents::default();
    let lo = e.registered.map_or(from + 1, |r| r.days().max(from + 1));
    if lo > to {
        return ev;
    }
    let span = Span {
        lo,
        to,
        years: f64::from(to - lo + 1) / YEAR_DAYS,
    };
    let p = t.propensity;
    let rates = Rates::new(p);
    let food = ["C13", "C14", "C15"]
        .iter()
        .any(|c| e.industry.starts_with(c));
    let serious = matches!(t.segment, "risky" | "rogue");

    ev.repaired += repair_penalties(rng, e, &span, p, food);
    let mut new = Vec::new();
    for list in &list_moves(&rates, p, serious) {
        move_list(rng, e, &span, list, &mut new, &mut ev);
    }
    new_records(rng, e, &span, &rates, p, &mut new, &mut ev);

    if !new.is_empty() {
        ev.new_records = new.len();
        e.records.append(&mut new);
        e.records.sort_by_key(|r| r.date);
    }
    ev
}

/// The days an enterprise can get records in: `lo..=to`, `years` long.
struct Span {
    lo: i32,
    to: i32,
    years: f64,
}

impl Span {
    /// A uniform day in `a..=to`.
    fn day<R: Rng>(&self, rng: &mut R, a: i32) -> Date {
        Date::from_days(int_in(rng, i64::from(a), i64::from(self.to)) as i32)
    }
}

/// Credit repair of penalties: eligible after 6 (food 12) months, while still publicised;
/// returns how many were repaired.
fn repair_penalties<R: Rng>(
    rng: &mut R,
    e: &mut Enterprise,
    span: &Span,
    p: f64,
    food: bool,
) -> usize {
    let wait = if food { 12 } else { 6 };
    let mut repaired = 0;
    for r in &mut e.records {
        if let RecordKind::Penalty { severity, .. } = r.kind
            && severity != Severity::Minor
            && r.repaired.is_none()
        {
            let first = r.date.add_months(wait).days().max(span.lo);
            let last = (r.date.add_months(36).days() - 1).min(span.to);
            let years = f64::from(last - first + 1) / YEAR_DAYS;
            if first <= last && chance(rng, within(PENALTY_REPAIR * (1.0 - p), years)) {
                r.repaired = Some(Date::from_days(
                    int_in(rng, first.into(), last.into()) as i32
                ));
                repaired += 1;
            }
        }
    }
    repaired
}

/// The three lists with the history's dynamics; serious-list and judgment-defaulter entries
/// only for the `risky` and `rogue` segments.
fn list_moves(rates: &Rates, p: f64, serious: bool) -> [ListMove; 3] {
    [
        ListMove {
            kind: |action| RecordKind::AbnormalList { action },
            enter: rates.abnormal,
            leave: (0.9 - 0.6 * p) * YEAR_DAYS / 280.0, // leave 0.9 − 0.6p, stay 20–540 days
            min_stay: 20,
            repair: 0.5,
            expire: i32::MAX,
        },
        ListMove {
            kind: |action| RecordKind::DishonestList { action },
            enter: if serious { rates.dishonest } else { 0.0 },
            leave: 0.3 * YEAR_DAYS / 733.0, // leave 0.3, stay 366–1100 days
            min_stay: 366,
            repair: 0.8,
            expire: 3 * 365,
        },
        ListMove {
            kind: |action| RecordKind::JudgmentDefaulter { action },
            enter: if serious { rates.defaulter } else { 0.0 },
            leave: 0.5 * YEAR_DAYS / 390.0, // leave 0.5, stay 60–720 days
            min_stay: 60,
            repair: 0.0,
            expire: i32::MAX,
        },
    ]
}

/// One list: an enterprise on it may leave (perhaps by credit repair of the entry), one off it
/// may enter.
fn move_list<R: Rng>(
    rng: &mut R,
    e: &mut Enterprise,
    span: &Span,
    list: &ListMove,
    new: &mut Vec<Record>,
    ev: &mut MonthEvents,
) {
    let rtype = (list.kind)(ListAction::Entry).record_type();
    let last = e
        .records
        .iter_mut()
        .rev()
        .find(|r| r.kind.record_type() == rtype);
    match last {
        Some(entry) if entry.kind.list_action() == Some(ListAction::Entry) => {
            let first = (entry.date.days() + list.min_stay).max(span.lo);
            let years = f64::from(span.to - first + 1) / YEAR_DAYS;
            if first <= span.to && chance(rng, within(list.leave, years)) {
                let date = span.day(rng, first);
                if entry.repaired.is_none()
                    && date.days_since(entry.date) < list.expire
                    && chance(rng, list.repair)
                {
                    entry.repaired = Some(date);
                    ev.repaired += 1;
                }
                let kind = (list.kind)(ListAction::Removal);
                new.push(Record {
                    kind,
                    date,
                    repaired: None,
                });
                ev.removals += 1;
            }
        }
        _ => {
            if chance(rng, within(list.enter, span.years)) {
                let kind = (list.kind)(ListAction::Entry);
                new.push(Record {
                    kind,
                    date: span.day(rng, span.lo),
                    repaired: None,
                });
                ev.listings += 1;
            }
        }
    }
}

/// New penalties, inspections, complaints, lawsuits, registration changes and pledges.
fn new_records<R: Rng>(
    rng: &mut R,
    e: &Enterprise,
    span: &Span,
    rates: &Rates,
    p: f64,
    new: &mut Vec<Record>,
    ev: &mut MonthEvents,
) {
    let (lo, years) = (span.lo, span.years);
    let mut push = |kind, date| {
        new.push(Record {
            kind,
            date,
            repaired: None,
        });
    };
    let activity = lognormal(rng, 1.0, 0.4);
    for _ in 0..poisson(rng, rates.penalty * years) {
        let date = span.day(rng, lo);
        let (severity, amount) = penalty(rng, p);
        push(RecordKind::Penalty { amount, severity }, date);
        ev.penalties += 1;
    }
    for _ in 0..poisson(rng, rates.inspection * years) {
        let date = span.day(rng, lo);
        let result = inspection(rng, p);
        push(RecordKind::Inspection { result }, date);
        ev.inspections += 1;
    }
    // A burst of 3–10 complaints: 4 × (0.01 + 0.15p) a year, so that share of
    // enterprises has had one in any three months, as in the history.
    let mut complaints = poisson(rng, rates.complaint * activity * years);
    if chance(rng, within(4.0 * (0.01 + 0.15 * p), years)) {
        complaints += int_in(rng, 3, 10) as u32;
    }
    for _ in 0..complaints {
        let date = span.day(rng, lo);
        push(RecordKind::Complaint, date);
        ev.complaints += 1;
    }
    for _ in 0..poisson(rng, rates.lawsuit * activity * years) {
        let date = span.day(rng, lo);
        let amount = lawsuit(rng);
        push(RecordKind::Lawsuit { amount }, date);
    }
    for _ in 0..poisson(rng, rates.change * years) {
        let date = span.day(rng, lo);
        let field = change(rng, p);
        push(RecordKind::Change { field }, date);
    }
    let capital = match e.attributes.get("registered_capital") {
        Some(AttrValue::Number(x)) => *x,
        _ => 100.0,
    };
    for _ in 0..poisson(rng, rates.pledge * years) {
        let date = span.day(rng, lo);
        let amount = pledge(rng, capital);
        push(RecordKind::EquityPledge { amount }, date);
    }
}
