//! Derived features: values computed from a profile's records as of a date.
//!
//! Only information inside its effect period (影响期) counts: by default a
//! minor penalty counts for 3 months and every other record for 3 years
//! ([`EffectPeriods`]); a repaired record stops counting on its repair date.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::date::{Date, Period};
use crate::profile::{
    ChangeField, Enterprise, InspectionResult, ListAction, Record, RecordKind, RecordType, Severity,
};

/// The aggregate a feature computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureFn {
    /// Number of matching records in effect (and inside `window`, when given).
    Count,
    /// Sum of the matching records' amounts.
    Sum,
    /// Largest amount among the matching records (0 when none).
    Max,
    /// Σ 0.5^(age / half_life) over matching records.
    DecayedCount,
    /// Days since the latest matching record; missing when there is none.
    DaysSinceLast,
    /// 1 when the enterprise is on the list now (an entry with no later removal or repair), else 0.
    Listed,
    /// (count in the last `window` − count in the `window` before) / max(that earlier count, 1).
    Growth,
    /// Licences valid on the as-of date (optionally of one `licence` type).
    LicencesValid,
    /// Licences expired before the as-of date (inside `window`, when given).
    LicencesExpired,
    /// Years since registration; missing when the registration date is unknown.
    YearsRegistered,
}

/// Which records a feature reads with respect to credit repair (信用修复).
///
/// By default a repaired record stops counting on its repair date, as the
/// effect-period rules require; a model may still read the history of
/// listings and their repairs (e.g. "repaired serious-list entries in 5 years").
///
/// ```
/// use riskgrade_core::RepairFilter;
/// let f: RepairFilter = serde_json::from_str("\"only\"").unwrap();
/// assert_eq!(f, RepairFilter::Only);
/// assert_eq!(RepairFilter::default(), RepairFilter::Excluded);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepairFilter {
    /// Records repaired by the as-of date do not count (the default).
    #[default]
    Excluded,
    /// Records count whether or not they were repaired.
    Included,
    /// Only records repaired by the as-of date count.
    Only,
}

impl RepairFilter {
    /// Whether a record repaired on `repaired` counts as of `as_of` under this filter.
    fn admits(self, repaired: Option<Date>, as_of: Date) -> bool {
        let done = repaired.is_some_and(|rep| rep <= as_of);
        match self {
            RepairFilter::Excluded => !done,
            RepairFilter::Included => true,
            RepairFilter::Only => done,
        }
    }
}

impl FeatureFn {
    fn name(self) -> &'static str {
        match self {
            FeatureFn::Count => "count",
            FeatureFn::Sum => "sum",
            FeatureFn::Max => "max",
            FeatureFn::DecayedCount => "decayed_count",
            FeatureFn::DaysSinceLast => "days_since_last",
            FeatureFn::Listed => "listed",
            FeatureFn::Growth => "growth",
            FeatureFn::LicencesValid => "licences_valid",
            FeatureFn::LicencesExpired => "licences_expired",
            FeatureFn::YearsRegistered => "years_registered",
        }
    }
    fn needs_record(self) -> bool {
        matches!(
            self,
            FeatureFn::Count
                | FeatureFn::Sum
                | FeatureFn::Max
                | FeatureFn::DecayedCount
                | FeatureFn::DaysSinceLast
                | FeatureFn::Listed
                | FeatureFn::Growth
        )
    }
}

/// How to derive one feature from a profile.
///
/// In a model file: `derive = { fn = "count", record = "penalty", severity = "major", window = "3y" }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureDef {
    /// The aggregate.
    #[serde(rename = "fn")]
    pub func: FeatureFn,
    /// The record type it reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<RecordType>,
    /// Only records dated within this period before the as-of date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Period>,
    /// Only penalties of this severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Only inspections with this result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<InspectionResult>,
    /// Only changes of this field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<ChangeField>,
    /// Only list events of this action (`entry` counts listings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<ListAction>,
    /// Half-life, for `decayed_count`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub half_life: Option<Period>,
    /// Only licences of this type, for the licence functions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    /// Repaired records: excluded (the default), included, or only those.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repaired: Option<RepairFilter>,
}

impl FeatureDef {
    /// A feature of `func` over records of type `record`.
    pub fn new(func: FeatureFn, record: Option<RecordType>) -> FeatureDef {
        FeatureDef {
            func,
            record,
            window: None,
            severity: None,
            result: None,
            field: None,
            action: None,
            half_life: None,
            licence: None,
            repaired: None,
        }
    }

    /// Checks that the options fit the function; the message says what to change.
    ///
    /// # Errors
    /// Returns a lowercase message naming the offending key.
    pub fn check(&self) -> Result<(), String> {
        let f = self.func.name();
        match (self.func.needs_record(), self.record) {
            (true, None) => {
                return Err(format!("`{f}` needs `record`, e.g. `record = \"penalty\"`"));
            }
            (false, Some(_)) => {
                return Err(format!("`{f}` does not read records; remove `record`"));
            }
            _ => {}
        }
        let rt = self.record;
        let only = |key: &str, ok: bool, what: &str| -> Result<(), String> {
            if ok {
                Ok(())
            } else {
                Err(format!("`{key}` only applies to {what}; remove it"))
            }
        };
        if self.severity.is_some() {
            only(
                "severity",
                rt == Some(RecordType::Penalty),
                "`penalty` records",
            )?;
        }
        if self.result.is_some() {
            only(
                "result",
                rt == Some(RecordType::Inspection),
                "`inspection` records",
            )?;
        }
        if self.field.is_some() {
            only("field", rt == Some(RecordType::Change), "`change` records")?;
        }
        if self.action.is_some() {
            only(
                "action",
                rt.is_some_and(RecordType::is_list) && self.func != FeatureFn::Listed,
                "counts of list records",
            )?;
        }
        if self.licence.is_some() {
            only(
                "licence",
                matches!(
                    self.func,
                    FeatureFn::LicencesValid | FeatureFn::LicencesExpired
                ),
                "`licences_valid` and `licences_expired`",
            )?;
        }
        if self.repaired.is_some() {
            only(
                "repaired",
                self.func.needs_record() && self.func != FeatureFn::Listed,
                "functions over records other than `listed`",
            )?;
        }
        match (self.func, self.half_life) {
            (FeatureFn::DecayedCount, None) => {
                return Err("`decayed_count` needs `half_life`, e.g. `half_life = \"1y\"`".into());
            }
            (FeatureFn::DecayedCount, Some(h)) if !h.is_positive() => {
                return Err("`half_life` must be positive".into());
            }
            (FeatureFn::DecayedCount, Some(_)) | (_, None) => {}
            (_, Some(_)) => {
                return Err(format!(
                    "`half_life` only applies to `decayed_count`; remove it from `{f}`"
                ));
            }
        }
        if matches!(self.func, FeatureFn::Sum | FeatureFn::Max)
            && !matches!(
                rt,
                Some(RecordType::Penalty | RecordType::Lawsuit | RecordType::EquityPledge)
            )
        {
            return Err(format!(
                "`{f}` adds up amounts, which only `penalty`, `lawsuit` and `equity_pledge` records carry"
            ));
        }
        if self.func == FeatureFn::Listed && !rt.is_some_and(RecordType::is_list) {
            return Err("`listed` needs a list record: `abnormal_list`, `dishonest_list` or `judgment_defaulter`".into());
        }
        match (self.func, self.window) {
            (FeatureFn::Growth, None) => {
                return Err("`growth` needs `window`, e.g. `window = \"3m\"`".into());
            }
            (
                FeatureFn::Listed | FeatureFn::LicencesValid | FeatureFn::YearsRegistered,
                Some(_),
            ) => {
                return Err(format!(
                    "`{f}` is a state on the as-of date; remove `window`"
                ));
            }
            (_, Some(w)) if !w.is_positive() => return Err("`window` must be positive".into()),
            _ => {}
        }
        Ok(())
    }

    fn matches(&self, r: &Record) -> bool {
        if Some(r.kind.record_type()) != self.record {
            return false;
        }
        match r.kind {
            RecordKind::Penalty { severity, .. } => self.severity.is_none_or(|s| s == severity),
            RecordKind::Inspection { result } => self.result.is_none_or(|x| x == result),
            RecordKind::Change { field } => self.field.is_none_or(|x| x == field),
            RecordKind::AbnormalList { action }
            | RecordKind::DishonestList { action }
            | RecordKind::JudgmentDefaulter { action } => self.action.is_none_or(|x| x == action),
            _ => true,
        }
    }

    /// Evaluates the feature on `e` as of `as_of`; `NaN` means missing.
    pub fn eval(&self, e: &Enterprise, as_of: Date, periods: &EffectPeriods) -> f64 {
        let ends = periods.effect_ends(e);
        self.eval_prepared(e, as_of, &ends)
    }

    /// As [`FeatureDef::eval`], with each record's effect end already computed
    /// by [`EffectPeriods::effect_ends`] (so that many features share the work).
    pub fn eval_prepared(&self, e: &Enterprise, as_of: Date, ends: &[Date]) -> f64 {
        let window_start = self.window.map(|w| as_of.minus(w));
        let repair = self.repaired.unwrap_or_default();
        let in_effect = |i: usize, r: &Record| {
            r.date <= as_of && repair.admits(r.repaired, as_of) && as_of < ends[i]
        };
        let counted_at = |i: usize, r: &Record| {
            self.matches(r) && in_effect(i, r) && window_start.is_none_or(|s| r.date > s)
        };
        let counted_records = || {
            e.records
                .iter()
                .enumerate()
                .filter(move |(i, r)| counted_at(*i, r))
                .map(|(_, r)| r)
        };
        match self.func {
            FeatureFn::Count => counted_records().count() as f64,
            FeatureFn::Sum => counted_records()
                .map(|r| r.kind.amount().unwrap_or(0.0))
                .sum(),
            FeatureFn::Max => counted_records()
                .map(|r| r.kind.amount().unwrap_or(0.0))
                .fold(0.0, f64::max),
            FeatureFn::DecayedCount => {
                let half = self.half_life.map_or(365.25, Period::approx_days);
                counted_records()
                    .map(|r| 0.5f64.powf(f64::from(as_of.days_since(r.date)) / half))
                    .sum()
            }
            FeatureFn::DaysSinceLast => counted_records()
                .map(|r| r.date)
                .max()
                .map_or(f64::NAN, |d| f64::from(as_of.days_since(d))),
            FeatureFn::Listed => {
                let rt = self.record;
                let mut latest_entry: Option<&Record> = None;
                let mut latest_removal: Option<Date> = None;
                for r in e
                    .records
                    .iter()
                    .filter(|r| Some(r.kind.record_type()) == rt && r.date <= as_of)
                {
                    match r.kind.list_action() {
                        // A repaired entry no longer counts; an earlier entry still in force does.
                        Some(ListAction::Entry)
                            if r.repaired.is_none_or(|rep| as_of < rep)
                                && latest_entry.is_none_or(|l| r.date >= l.date) =>
                        {
                            latest_entry = Some(r);
                        }
                        Some(ListAction::Removal) => {
                            latest_removal = latest_removal.max(Some(r.date));
                        }
                        _ => {}
                    }
                }
                let listed = latest_entry
                    .is_some_and(|entry| latest_removal.is_none_or(|rm| rm < entry.date));
                f64::from(u8::from(listed))
            }
            FeatureFn::Growth => {
                let w = self.window.unwrap_or(Period::months(3));
                let start = as_of.minus(w);
                let before = start.minus(w);
                let mut recent = 0u32;
                let mut prior = 0u32;
                for (_, r) in e
                    .records
                    .iter()
                    .enumerate()
                    .filter(|(i, r)| self.matches(r) && in_effect(*i, r))
                {
                    if r.date > start {
                        recent += 1;
                    } else if r.date > before {
                        prior += 1;
                    }
                }
                (f64::from(recent) - f64::from(prior)) / f64::from(prior.max(1))
            }
            FeatureFn::LicencesValid => e
                .licences
                .iter()
                .filter(|l| self.licence.as_ref().is_none_or(|k| *k == l.kind))
                .filter(|l| {
                    l.issued.is_none_or(|d| d <= as_of) && l.valid_until.is_none_or(|d| d >= as_of)
                })
                .count() as f64,
            FeatureFn::LicencesExpired => e
                .licences
                .iter()
                .filter(|l| self.licence.as_ref().is_none_or(|k| *k == l.kind))
                .filter(|l| {
                    l.valid_until.is_some_and(|d| {
                        d < as_of && self.window.is_none_or(|w| d > as_of.minus(w))
                    })
                })
                .count() as f64,
            // Registered after the as-of date: not yet an enterprise then, so unknown.
            FeatureFn::YearsRegistered => e
                .registered
                .filter(|d| *d <= as_of)
                .map_or(f64::NAN, |d| f64::from(as_of.days_since(d)) / 365.25),
        }
    }
}

/// How long each kind of record counts after its date (影响期).
///
/// Keys are a record type (`penalty`) or a penalty severity (`penalty.minor`);
/// the most specific key wins, and `default` covers every other record.
///
/// ```
/// use riskgrade_core::{EffectPeriods, Period};
/// let p = EffectPeriods::default();
/// assert_eq!(p.get("penalty.minor"), Some(Period::months(3)));
/// assert_eq!(p.get("default"), Some(Period::years(3)));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EffectPeriods(BTreeMap<String, Period>);

impl Default for EffectPeriods {
    fn default() -> Self {
        let mut m = BTreeMap::new();
        m.insert("default".to_string(), Period::years(3));
        m.insert("penalty.minor".to_string(), Period::months(3));
        EffectPeriods(m)
    }
}

impl EffectPeriods {
    /// The period configured under `key`, if any.
    pub fn get(&self, key: &str) -> Option<Period> {
        self.0.get(key).copied()
    }

    /// Sets the period under `key`.
    pub fn set(&mut self, key: &str, period: Period) {
        self.0.insert(key.to_string(), period);
    }

    /// Checks every key and period; the message names the offending key.
    ///
    /// # Errors
    /// An unknown key or a non-positive period.
    pub fn check(&self) -> Result<(), String> {
        for (k, p) in &self.0 {
            let known = k == "default"
                || RecordType::ALL.iter().any(|t| t.name() == k)
                || ["penalty.minor", "penalty.general", "penalty.major"].contains(&k.as_str());
            if !known {
                return Err(format!(
                    "unknown effect period `{k}`; use `default`, a record type such as `penalty`, or `penalty.minor`"
                ));
            }
            if !p.is_positive() {
                return Err(format!("effect period `{k}` must be positive"));
            }
        }
        if !self.0.contains_key("default") {
            return Err("effect periods need a `default`, e.g. `default = \"3y\"`".into());
        }
        Ok(())
    }

    /// The effect period of one record.
    pub fn period_of(&self, r: &Record) -> Period {
        let t = r.kind.record_type();
        if let RecordKind::Penalty { severity, .. } = r.kind {
            let key = match severity {
                Severity::Minor => "penalty.minor",
                Severity::General => "penalty.general",
                Severity::Major => "penalty.major",
            };
            if let Some(p) = self.0.get(key) {
                return *p;
            }
        }
        self.0
            .get(t.name())
            .or_else(|| self.0.get("default"))
            .copied()
            .unwrap_or(Period::years(3))
    }

    /// The last day (exclusive) each record of `e` counts: its date plus its effect period.
    pub fn effect_ends(&self, e: &Enterprise) -> Vec<Date> {
        e.records
            .iter()
            .map(|r| r.date.plus(self.period_of(r)))
            .collect()
    }

    /// Whether `r` counts on `as_of`: dated on or before it, not yet repaired, and inside its effect period.
    pub fn in_effect(&self, r: &Record, as_of: Date) -> bool {
        r.date <= as_of
            && r.repaired.is_none_or(|rep| as_of < rep)
            && as_of < r.date.plus(self.period_of(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn ent(records: &str) -> Enterprise {
        serde_json::from_str(&format!(
            r#"{{"id":"E","industry":"C14","registered":"2020-01-01","records":{records},
               "licences":[{{"type":"food_production","department":"market","valid_until":"2026-06-30"}},
                           {{"type":"food_sale","department":"market"}}]}}"#
        ))
        .unwrap()
    }

    fn feat(json: &str) -> FeatureDef {
        let f: FeatureDef = serde_json::from_str(json).unwrap();
        f.check().unwrap();
        f
    }

    #[test]
    fn minor_penalties_age_out_after_three_months() {
        let e = ent(
            r#"[{"kind":"penalty","date":"2026-01-10","severity":"minor","amount":500},
                        {"kind":"penalty","date":"2024-01-10","severity":"major","amount":90000}]"#,
        );
        let f = feat(r#"{"fn":"count","record":"penalty"}"#);
        let p = EffectPeriods::default();
        assert_eq!(f.eval(&e, d("2026-02-01"), &p), 2.0);
        assert_eq!(
            f.eval(&e, d("2026-04-10"), &p),
            1.0,
            "minor penalty ends after 3 months"
        );
        assert_eq!(
            f.eval(&e, d("2027-01-10"), &p),
            0.0,
            "major penalty ends after 3 years"
        );
        assert_eq!(
            f.eval(&e, d("2023-12-31"), &p),
            0.0,
            "future records do not count"
        );
        let sum = feat(r#"{"fn":"sum","record":"penalty","window":"1y"}"#);
        assert_eq!(sum.eval(&e, d("2026-02-01"), &p), 500.0);
        let max = feat(r#"{"fn":"max","record":"penalty"}"#);
        assert_eq!(max.eval(&e, d("2026-02-01"), &p), 90000.0);
    }

    #[test]
    fn repair_stops_a_record_counting() {
        let e = ent(
            r#"[{"kind":"penalty","date":"2025-01-10","severity":"major","repaired":"2025-08-01"}]"#,
        );
        let f = feat(r#"{"fn":"count","record":"penalty"}"#);
        let p = EffectPeriods::default();
        assert_eq!(f.eval(&e, d("2025-07-31"), &p), 1.0);
        assert_eq!(f.eval(&e, d("2025-08-01"), &p), 0.0);
    }

    #[test]
    fn repaired_filter_reads_the_history_of_repairs() {
        let e = ent(
            r#"[{"kind":"dishonest_list","date":"2023-03-01","action":"entry","repaired":"2024-06-01"},
                        {"kind":"dishonest_list","date":"2024-06-01","action":"removal"},
                        {"kind":"dishonest_list","date":"2025-02-01","action":"entry"},
                        {"kind":"change","date":"2025-03-01","field":"registered_capital"}]"#,
        );
        let mut p = EffectPeriods::default();
        p.set("dishonest_list", Period::years(5));
        let entries = |repaired: &str| {
            feat(&format!(
                r#"{{"fn":"count","record":"dishonest_list","action":"entry","window":"5y"{repaired}}}"#
            ))
        };
        let as_of = d("2025-06-01");
        assert_eq!(
            entries("").eval(&e, as_of, &p),
            1.0,
            "default: repaired entries drop out"
        );
        let all = entries(r#","repaired":"included""#);
        assert_eq!(all.eval(&e, as_of, &p), 2.0, "history: both entries");
        let only = entries(r#","repaired":"only""#);
        assert_eq!(only.eval(&e, as_of, &p), 1.0, "the repaired one");
        assert_eq!(
            only.eval(&e, d("2024-05-31"), &p),
            0.0,
            "not yet repaired the day before its repair date"
        );
        let capital = feat(r#"{"fn":"count","record":"change","field":"registered_capital"}"#);
        assert_eq!(capital.eval(&e, as_of, &p), 1.0);
        let bad = serde_json::from_str::<FeatureDef>(
            r#"{"fn":"listed","record":"dishonest_list","repaired":"only"}"#,
        )
        .unwrap()
        .check()
        .unwrap_err();
        assert_eq!(
            bad,
            "`repaired` only applies to functions over records other than `listed`; remove it"
        );
    }

    #[test]
    fn listed_follows_entries_removals_and_repair() {
        let e = ent(
            r#"[{"kind":"abnormal_list","date":"2024-03-01","action":"entry"},
                        {"kind":"abnormal_list","date":"2024-09-01","action":"removal"},
                        {"kind":"abnormal_list","date":"2025-05-01","action":"entry","repaired":"2025-12-01"}]"#,
        );
        let f = feat(r#"{"fn":"listed","record":"abnormal_list"}"#);
        let p = EffectPeriods::default();
        assert_eq!(f.eval(&e, d("2024-02-01"), &p), 0.0);
        assert_eq!(f.eval(&e, d("2024-05-01"), &p), 1.0);
        assert_eq!(f.eval(&e, d("2024-10-01"), &p), 0.0);
        assert_eq!(f.eval(&e, d("2025-06-01"), &p), 1.0);
        assert_eq!(f.eval(&e, d("2025-12-01"), &p), 0.0);
        let times =
            feat(r#"{"fn":"count","record":"abnormal_list","action":"entry","window":"3y"}"#);
        assert_eq!(times.eval(&e, d("2025-06-01"), &p), 2.0);
    }

    #[test]
    fn decay_growth_days_and_licences() {
        let e = ent(
            r#"[{"kind":"complaint","date":"2026-10-01"},{"kind":"complaint","date":"2026-09-01"},
                        {"kind":"complaint","date":"2026-06-01"}]"#,
        );
        let p = EffectPeriods::default();
        let as_of = d("2026-11-01");
        let growth = feat(r#"{"fn":"growth","record":"complaint","window":"3m"}"#);
        assert_eq!(growth.eval(&e, as_of, &p), 1.0, "2 recent vs 1 before");
        let days = feat(r#"{"fn":"days_since_last","record":"complaint"}"#);
        assert_eq!(days.eval(&e, as_of, &p), 31.0);
        let none = feat(r#"{"fn":"days_since_last","record":"lawsuit"}"#);
        assert!(none.eval(&e, as_of, &p).is_nan());
        let decay = feat(r#"{"fn":"decayed_count","record":"complaint","half_life":"31d"}"#);
        let v = decay.eval(&e, as_of, &p);
        assert!((v - (0.5 + 0.5f64.powf(61.0 / 31.0) + 0.5f64.powf(153.0 / 31.0))).abs() < 1e-12);
        let valid = feat(r#"{"fn":"licences_valid"}"#);
        assert_eq!(valid.eval(&e, as_of, &p), 1.0);
        assert_eq!(valid.eval(&e, d("2026-06-30"), &p), 2.0);
        let expired = feat(r#"{"fn":"licences_expired","window":"1y"}"#);
        assert_eq!(expired.eval(&e, as_of, &p), 1.0);
        let years = feat(r#"{"fn":"years_registered"}"#);
        assert!((years.eval(&e, d("2026-01-01"), &p) - 6.0).abs() < 0.01);
        assert!(
            years.eval(&e, d("2019-06-01"), &p).is_nan(),
            "not registered yet: unknown, not negative"
        );
    }

    #[test]
    fn checks_name_the_key_to_fix() {
        let bad = |json: &str| {
            serde_json::from_str::<FeatureDef>(json)
                .unwrap()
                .check()
                .unwrap_err()
        };
        assert_eq!(
            bad(r#"{"fn":"count"}"#),
            "`count` needs `record`, e.g. `record = \"penalty\"`"
        );
        assert_eq!(
            bad(r#"{"fn":"count","record":"complaint","severity":"major"}"#),
            "`severity` only applies to `penalty` records; remove it"
        );
        assert_eq!(
            bad(r#"{"fn":"listed","record":"abnormal_list","window":"1y"}"#),
            "`listed` is a state on the as-of date; remove `window`"
        );
        assert!(
            serde_json::from_str::<FeatureDef>(r#"{"fn":"count","recrod":"penalty"}"#).is_err()
        );
        let mut p = EffectPeriods::default();
        p.set("penalty.tiny", Period::days(1));
        assert!(
            p.check()
                .unwrap_err()
                .contains("unknown effect period `penalty.tiny`")
        );
    }
}
