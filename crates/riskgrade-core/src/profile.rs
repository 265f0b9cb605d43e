//! Nested enterprise profiles: identity, licences, typed attributes and dated records.
//!
//! A profile is what a regulator's information system knows about one
//! enterprise. Features are derived from it as of a date (see [`crate::feature`]).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::date::Date;

/// An enterprise identifier (usually the registration number or the unified social credit code).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EnterpriseId(pub String);

impl fmt::Display for EnterpriseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for EnterpriseId {
    fn from(s: &str) -> Self {
        EnterpriseId(s.to_string())
    }
}

/// Everything known about one enterprise.
///
/// ```
/// use riskgrade_core::Enterprise;
/// let json = r#"{
///   "id": "E1", "name": "Example Foods Ltd", "industry": "C14", "district": "Dongcheng",
///   "registered": "2015-06-01",
///   "licences": [{"type": "food_production", "department": "market_regulation", "valid_until": "2027-01-01"}],
///   "attributes": {"registered_capital": 500.0, "listed": false},
///   "records": [{"kind": "penalty", "date": "2025-03-01", "amount": 20000, "severity": "major"}]
/// }"#;
/// let e: Enterprise = serde_json::from_str(json).unwrap();
/// assert_eq!(e.records.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enterprise {
    /// Identifier, unique in a batch.
    pub id: EnterpriseId,
    /// Registered name.
    #[serde(default)]
    pub name: String,
    /// The 18-character unified social credit code (统一社会信用代码), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_code: Option<String>,
    /// Industry code (GB/T 4754, e.g. `C14` food manufacturing); routes the enterprise to a model.
    pub industry: String,
    /// Administrative district.
    #[serde(default)]
    pub district: String,
    /// Date of registration (establishment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered: Option<Date>,
    /// Licences held, current or expired.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licences: Vec<Licence>,
    /// Typed attributes by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, AttrValue>,
    /// Dated records (penalties, listings, inspections, complaints, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<Record>,
}

/// A licence: its type, the department that issued it and its validity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Licence {
    /// Licence type, e.g. `food_production`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The department that issued it (谁审批、谁监管: it supervises the holder).
    pub department: String,
    /// Issue date, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued: Option<Date>,
    /// Last day of validity; `None` means no expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Date>,
}

/// A typed attribute value: a JSON boolean, integer, real number or string.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AttrValue {
    /// A boolean.
    Bool(bool),
    /// A whole number.
    Integer(i64),
    /// A real number.
    Number(f64),
    /// A category, or a date written `YYYY-MM-DD` (the model's input type decides).
    Text(String),
}

impl<'de> Deserialize<'de> for AttrValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<AttrValue, D::Error> {
        // A direct visitor: an untagged enum would try each variant in turn and build an error for each miss.
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = AttrValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean, a number or a string")
            }
            fn visit_bool<E>(self, v: bool) -> Result<AttrValue, E> {
                Ok(AttrValue::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<AttrValue, E> {
                Ok(AttrValue::Integer(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<AttrValue, E> {
                i64::try_from(v)
                    .map(AttrValue::Integer)
                    .or(Ok(AttrValue::Number(v as f64)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<AttrValue, E> {
                Ok(AttrValue::Number(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<AttrValue, E> {
                Ok(AttrValue::Text(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<AttrValue, E> {
                Ok(AttrValue::Text(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// A dated event in an enterprise's history.
///
/// In files a record is one flat object: `kind`, `date`, an optional
/// `repaired` date and the fields of its kind (`amount`, `severity`,
/// `action`, `result`, `field`). A field that does not belong to the kind is
/// an error, so a typo cannot pass silently.
///
/// ```
/// use riskgrade_core::Record;
/// let r: Result<Record, _> = serde_json::from_str(r#"{"kind": "complaint", "date": "2026-01-02", "severity": "major"}"#);
/// assert!(r.unwrap_err().to_string().contains("`severity` does not apply to a `complaint` record"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawRecord", into = "RawRecord")]
pub struct Record {
    /// What happened, with the details of that kind.
    pub kind: RecordKind,
    /// When it happened (decision date, listing date, inspection date, …).
    pub date: Date,
    /// Credit repair: from this date on the record no longer counts.
    pub repaired: Option<Date>,
}

/// The flat file form of a [`Record`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecord {
    kind: RecordType,
    date: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    repaired: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    severity: Option<Severity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    action: Option<ListAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    result: Option<InspectionResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    field: Option<ChangeField>,
}

impl TryFrom<RawRecord> for Record {
    type Error = String;
    fn try_from(r: RawRecord) -> Result<Record, String> {
        let t = r.kind;
        let reject = |name: &str, present: bool| -> Result<(), String> {
            if present {
                Err(format!(
                    "`{name}` does not apply to a `{}` record",
                    t.name()
                ))
            } else {
                Ok(())
            }
        };
        let need = |name: &str| format!("a `{}` record needs `{name}`", t.name());
        let amount = r.amount.unwrap_or(0.0);
        if !amount.is_finite() || amount < 0.0 {
            return Err(format!(
                "`amount` of a `{}` record must be a non-negative number, got {amount}",
                t.name()
            ));
        }
        let has_amount = matches!(
            t,
            RecordType::Penalty | RecordType::Lawsuit | RecordType::EquityPledge
        );
        reject("amount", r.amount.is_some() && !has_amount)?;
        reject("severity", r.severity.is_some() && t != RecordType::Penalty)?;
        reject("action", r.action.is_some() && !t.is_list())?;
        reject("result", r.result.is_some() && t != RecordType::Inspection)?;
        reject("field", r.field.is_some() && t != RecordType::Change)?;
        let kind = match t {
            RecordType::Penalty => RecordKind::Penalty {
                amount,
                severity: r.severity.unwrap_or(Severity::General),
            },
            RecordType::AbnormalList => RecordKind::AbnormalList {
                action: r.action.ok_or_else(|| need("action"))?,
            },
            RecordType::DishonestList => RecordKind::DishonestList {
                action: r.action.ok_or_else(|| need("action"))?,
            },
            RecordType::JudgmentDefaulter => RecordKind::JudgmentDefaulter {
                action: r.action.ok_or_else(|| need("action"))?,
            },
            RecordType::Inspection => RecordKind::Inspection {
                result: r.result.ok_or_else(|| need("result"))?,
            },
            RecordType::Complaint => RecordKind::Complaint,
            RecordType::Lawsuit => RecordKind::Lawsuit { amount },
            RecordType::Change => RecordKind::Change {
                field: r.field.ok_or_else(|| need("field"))?,
            },
            RecordType::EquityPledge => RecordKind::EquityPledge { amount },
        };
        if let Some(rep) = r.repaired
            && rep < r.date
        {
            return Err(format!(
                "`repaired` {rep} is before the record's date {}",
                r.date
            ));
        }
        Ok(Record {
            kind,
            date: r.date,
            repaired: r.repaired,
        })
    }
}

impl From<Record> for RawRecord {
    fn from(r: Record) -> RawRecord {
        let mut raw = RawRecord {
            kind: r.kind.record_type(),
            date: r.date,
            repaired: r.repaired,
            amount: r.kind.amount(),
            severity: None,
            action: r.kind.list_action(),
            result: None,
            field: None,
        };
        match r.kind {
            RecordKind::Penalty { severity, .. } => raw.severity = Some(severity),
            RecordKind::Inspection { result } => raw.result = Some(result),
            RecordKind::Change { field } => raw.field = Some(field),
            _ => {}
        }
        raw
    }
}

/// Severity of an administrative penalty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Minor (简易程序/警告, short publicity).
    Minor,
    /// General.
    General,
    /// Major (较重/严重).
    Major,
}

/// Whether a list event puts the enterprise on a list or takes it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListAction {
    /// Put on the list.
    Entry,
    /// Taken off the list.
    Removal,
}

/// Outcome of an inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionResult {
    /// Nothing wrong found.
    NoProblem,
    /// A problem was found.
    Problem,
    /// The enterprise could not be found at its address.
    NotReachable,
    /// The enterprise refused to cooperate.
    Refused,
}

impl InspectionResult {
    /// Every result, in the order of the documentation.
    pub const ALL: [InspectionResult; 4] = [
        InspectionResult::NoProblem,
        InspectionResult::Problem,
        InspectionResult::NotReachable,
        InspectionResult::Refused,
    ];

    /// The result's name in files: `no_problem`, `problem`, `not_reachable`, `refused`.
    pub fn name(self) -> &'static str {
        match self {
            InspectionResult::NoProblem => "no_problem",
            InspectionResult::Problem => "problem",
            InspectionResult::NotReachable => "not_reachable",
            InspectionResult::Refused => "refused",
        }
    }

    /// Whether the inspection counts as a problem found: a problem, a refusal
    /// to cooperate, or an enterprise not found at its address.
    ///
    /// ```
    /// use riskgrade_core::InspectionResult;
    /// assert!(!InspectionResult::NoProblem.found_problem());
    /// assert!(InspectionResult::Refused.found_problem());
    /// ```
    pub fn found_problem(self) -> bool {
        !matches!(self, InspectionResult::NoProblem)
    }
}

/// Parses a result's name (surrounding spaces ignored).
///
/// ```
/// use riskgrade_core::InspectionResult;
/// assert_eq!(" refused ".parse::<InspectionResult>(), Ok(InspectionResult::Refused));
/// assert!("problme".parse::<InspectionResult>().is_err());
/// ```
impl std::str::FromStr for InspectionResult {
    type Err = UnknownResult;
    fn from_str(s: &str) -> Result<InspectionResult, UnknownResult> {
        let t = s.trim();
        InspectionResult::ALL
            .into_iter()
            .find(|r| r.name() == t)
            .ok_or_else(|| UnknownResult(t.to_string()))
    }
}

/// A text that names no inspection result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown inspection result `{0}`, expected one of no_problem, problem, not_reachable, refused"
)]
pub struct UnknownResult(pub String);

/// What a registration change touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeField {
    /// Legal representative.
    LegalRepresentative,
    /// Registered address.
    Address,
    /// Business scope.
    BusinessScope,
    /// Enterprise name.
    Name,
    /// Registered capital (增资 or 减资).
    RegisteredCapital,
}

/// The kinds of records, each with its details.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RecordKind {
    /// An administrative penalty.
    Penalty {
        /// Fine or confiscation in yuan.
        amount: f64,
        /// Severity; decides the effect period.
        severity: Severity,
    },
    /// Abnormal-operations list (经营异常名录).
    AbnormalList {
        /// Entry or removal.
        action: ListAction,
    },
    /// Serious illegal-and-dishonest list (严重违法失信名单).
    DishonestList {
        /// Entry or removal.
        action: ListAction,
    },
    /// Judgment defaulter (失信被执行人) status.
    JudgmentDefaulter {
        /// Entry or removal.
        action: ListAction,
    },
    /// A random or targeted inspection.
    Inspection {
        /// What it found.
        result: InspectionResult,
    },
    /// A complaint or report (e.g. from the 12345 hotline).
    Complaint,
    /// A lawsuit in which the enterprise is a party.
    Lawsuit {
        /// Amount in dispute, in yuan.
        amount: f64,
    },
    /// A change of registration.
    Change {
        /// What changed.
        field: ChangeField,
    },
    /// An equity pledge.
    EquityPledge {
        /// Pledged amount, in yuan.
        amount: f64,
    },
}

/// The kind of a record without its details; used by feature definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordType {
    /// See [`RecordKind::Penalty`].
    Penalty,
    /// See [`RecordKind::AbnormalList`].
    AbnormalList,
    /// See [`RecordKind::DishonestList`].
    DishonestList,
    /// See [`RecordKind::JudgmentDefaulter`].
    JudgmentDefaulter,
    /// See [`RecordKind::Inspection`].
    Inspection,
    /// See [`RecordKind::Complaint`].
    Complaint,
    /// See [`RecordKind::Lawsuit`].
    Lawsuit,
    /// See [`RecordKind::Change`].
    Change,
    /// See [`RecordKind::EquityPledge`].
    EquityPledge,
}

impl RecordType {
    /// Every record type, in declaration order.
    pub const ALL: [RecordType; 9] = [
        RecordType::Penalty,
        RecordType::AbnormalList,
        RecordType::DishonestList,
        RecordType::JudgmentDefaulter,
        RecordType::Inspection,
        RecordType::Complaint,
        RecordType::Lawsuit,
        RecordType::Change,
        RecordType::EquityPledge,
    ];

    /// The snake_case name used in files.
    pub fn name(self) -> &'static str {
        match self {
            RecordType::Penalty => "penalty",
            RecordType::AbnormalList => "abnormal_list",
            RecordType::DishonestList => "dishonest_list",
            RecordType::JudgmentDefaulter => "judgment_defaulter",
            RecordType::Inspection => "inspection",
            RecordType::Complaint => "complaint",
            RecordType::Lawsuit => "lawsuit",
            RecordType::Change => "change",
            RecordType::EquityPledge => "equity_pledge",
        }
    }

    /// Whether records of this type are list entries and removals.
    pub fn is_list(self) -> bool {
        matches!(
            self,
            RecordType::AbnormalList | RecordType::DishonestList | RecordType::JudgmentDefaulter
        )
    }
}

impl RecordKind {
    /// The type of this record.
    pub fn record_type(&self) -> RecordType {
        match self {
            RecordKind::Penalty { .. } => RecordType::Penalty,
            RecordKind::AbnormalList { .. } => RecordType::AbnormalList,
            RecordKind::DishonestList { .. } => RecordType::DishonestList,
            RecordKind::JudgmentDefaulter { .. } => RecordType::JudgmentDefaulter,
            RecordKind::Inspection { .. } => RecordType::Inspection,
            RecordKind::Complaint => RecordType::Complaint,
            RecordKind::Lawsuit { .. } => RecordType::Lawsuit,
            RecordKind::Change { .. } => RecordType::Change,
            RecordKind::EquityPledge { .. } => RecordType::EquityPledge,
        }
    }

    /// The amount carried by the record, if its kind has one.
    pub fn amount(&self) -> Option<f64> {
        match self {
            RecordKind::Penalty { amount, .. }
            | RecordKind::Lawsuit { amount }
            | RecordKind::EquityPledge { amount } => Some(*amount),
            _ => None,
        }
    }

    /// The list action, for list records.
    pub fn list_action(&self) -> Option<ListAction> {
        match self {
            RecordKind::AbnormalList { action }
            | RecordKind::DishonestList { action }
            | RecordKind::JudgmentDefaulter { action } => Some(*action),
            _ => None,
        }
    }
}
