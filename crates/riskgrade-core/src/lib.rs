//! Enterprise profiles, dated records, derived features and columnar frames.
//!
//! This crate holds the data side of riskgrade:
//!
//! | module | owns |
//! |---|---|
//! | `date` | [`Date`] (a day number) and [`Period`] (`3m`, `3y`, `90d`) |
//! | `profile` | [`Enterprise`], [`Licence`], [`Record`] and its kinds |
//! | `feature` | [`FeatureDef`]: count/sum/max/decay/listed… of records as of a date, [`EffectPeriods`] |
//! | `schema` | [`InputSpec`], [`InputType`], [`Schema`]: the typed inputs a model reads |
//! | `frame` | [`Frame`]: a batch in columns, built through [`ColumnBuilder`], with [`DataIssue`]s |
//!
//! Most users reach these types through the `riskgrade` facade crate.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod date;
mod feature;
mod frame;
mod profile;
mod schema;
mod suggest;

pub use date::{Date, DateError, Period};
pub use feature::{EffectPeriods, FeatureDef, FeatureFn};
pub use frame::{
    Column, ColumnBuilder, DataIssue, Frame, Identity, InputColumn, MISSING_CODE, Problem,
    RawValue, format_number,
};
pub use profile::{
    AttrValue, ChangeField, Enterprise, EnterpriseId, InspectionResult, Licence, ListAction,
    Record, RecordKind, RecordType, Severity,
};
pub use schema::{InputSpec, InputType, Schema};
pub use suggest::did_you_mean;
