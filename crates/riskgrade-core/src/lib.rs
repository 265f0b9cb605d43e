//! Enterprise profiles, dated records, derived features and columnar frames.
//!
//! This crate holds the data side of riskgrade:
//!
//! | module | owns |
//! |---|---|
//! | [`display`] | escaping untrusted text for terminals and padding table cells by display width |
//! | `date` | [`Date`] (a day number) and [`Period`] (`3m`, `3y`, `90d`) |
//! | `month` | [`Month`]: the calendar month a monthly run grades |
//! | `position` | [`Position`]: file, line and column, carried by every error that points into a file |
//! | [`rng`] | seeded randomness: SplitMix64, counter-based uniforms, ChaCha keys |
//! | `profile` | [`Enterprise`], [`Licence`], [`Record`] and its kinds |
//! | `feature` | [`FeatureDef`]: count/sum/max/decay/listed… of records as of a date, [`EffectPeriods`] |
//! | `schema` | [`InputSpec`], [`InputType`], [`Schema`]: the typed inputs a model reads |
//! | `frame` | [`Frame`]: a batch in columns, built through [`ColumnBuilder`], with [`DataIssue`]s |
//! | `suggest` | [`did_you_mean`]: the closest name, for error messages |
//! | [`codes`] | the code standards: credit codes (GB 32100), industries (GB/T 4754), districts (GB/T 2260) |
//!
//! Most users reach these types through the `riskgrade` facade crate.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod codes;
mod date;
pub mod display;
mod feature;
mod frame;
mod month;
mod position;
mod profile;
pub mod rng;
mod schema;
mod suggest;

pub use date::{Date, DateError, Period};
pub use feature::{EffectPeriods, FeatureDef, FeatureFn, RepairFilter};
pub use frame::{
    Column, ColumnBuilder, DataIssue, Frame, Identity, InputColumn, MISSING_CODE, Problem,
    RawValue, format_number, write_number,
};
pub use month::{Month, MonthError};
pub use position::Position;
pub use profile::{
    AttrValue, ChangeField, Enterprise, EnterpriseId, InspectionResult, Licence, ListAction,
    Record, RecordKind, RecordType, Severity, UnknownResult,
};
pub use schema::{InputSpec, InputType, Schema};
pub use suggest::did_you_mean;
