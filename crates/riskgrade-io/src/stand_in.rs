//! A date column standing in for an input derived from one date.
//!
//! An extract often holds the date itself where the model reads what is derived from it: a
//! registration date for `years_registered` (years in operation), the date of the latest
//! penalty for `days_since_last`. Such a column, typed as a date (`Date32`, `Date64`, or a
//! `Timestamp` in UTC, a fixed offset or China time), is turned into the derived number as of
//! the grading date, exactly as the feature derives it from a profile: years as days / 365.25,
//! days as whole days, and a date after the as-of date missing (as a profile's would be).
//! Numbers and text are left as they are.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema as ArrowSchema, TimeUnit};
use riskgrade_core::{Date, FeatureFn, Schema};

use crate::arrow_read::tz_offset;

/// What a date stands in for.
#[derive(Clone, Copy)]
enum Elapsed {
    /// Years since the date (`years_registered`).
    Years,
    /// Days since the date (`days_since_last`).
    Days,
}

/// The inputs of `schema` a date column can stand in for, by column name.
fn stand_ins(schema: &Schema) -> Vec<(&str, Elapsed)> {
    schema
        .inputs()
        .iter()
        .filter_map(|(name, spec)| {
            let how = match spec.derive.as_ref()?.func {
                FeatureFn::YearsRegistered => Elapsed::Years,
                FeatureFn::DaysSinceLast => Elapsed::Days,
                _ => return None,
            };
            Some((spec.column_name(name), how))
        })
        .collect()
}

/// The day (days since 1970-01-01, in the column's time zone) of each value of a date or
/// timestamp column; `None` for another type or a time zone without one fixed offset.
fn days_of(arr: &dyn Array) -> Option<Vec<Option<i64>>> {
    const DAY: i64 = 86_400;
    let seconds = |unit: &TimeUnit, v: i64| match unit {
        TimeUnit::Second => v,
        TimeUnit::Millisecond => v.div_euclid(1_000),
        TimeUnit::Microsecond => v.div_euclid(1_000_000),
        TimeUnit::Nanosecond => v.div_euclid(1_000_000_000),
    };
    let days: Vec<Option<i64>> = match arr.data_type() {
        DataType::Date32 => arr
            .as_primitive::<Date32Type>()
            .iter()
            .map(|v| v.map(i64::from))
            .collect(),
        DataType::Date64 => arr
            .as_primitive::<Date64Type>()
            .iter()
            .map(|v| v.map(|ms| ms.div_euclid(DAY * 1_000)))
            .collect(),
        DataType::Timestamp(unit, tz) => {
            let offset = tz_offset(tz.as_deref())?;
            let values: Vec<Option<i64>> = match unit {
                TimeUnit::Second => arr.as_primitive::<TimestampSecondType>().iter().collect(),
                TimeUnit::Millisecond => arr
                    .as_primitive::<TimestampMillisecondType>()
                    .iter()
                    .collect(),
                TimeUnit::Microsecond => arr
                    .as_primitive::<TimestampMicrosecondType>()
                    .iter()
                    .collect(),
                TimeUnit::Nanosecond => arr
                    .as_primitive::<TimestampNanosecondType>()
                    .iter()
                    .collect(),
            };
            values
                .into_iter()
                .map(|v| v.map(|v| (seconds(unit, v) + offset).div_euclid(DAY)))
                .collect()
        }
        _ => return None,
    };
    Some(days)
}

/// `batch` with each date column that stands in for a derived input replaced by that input's
/// value as of `as_of` (a `Float64` column of the same name).
pub(crate) fn dates_as_elapsed(batch: &RecordBatch, schema: &Schema, as_of: Date) -> RecordBatch {
    let wanted = stand_ins(schema);
    if wanted.is_empty() {
        return batch.clone();
    }
    let today = i64::from(as_of.days());
    let fields = batch.schema();
    let mut changed = false;
    let mut new_fields: Vec<Arc<Field>> = Vec::with_capacity(fields.fields().len());
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(batch.num_columns());
    for (field, col) in fields.fields().iter().zip(batch.columns()) {
        let how = wanted
            .iter()
            .find(|(c, _)| *c == field.name())
            .map(|(_, h)| *h);
        match how.and_then(|h| days_of(col.as_ref()).map(|d| (h, d))) {
            Some((how, days)) => {
                #[allow(clippy::cast_precision_loss)]
                let values: Float64Array = days
                    .into_iter()
                    .map(|d| {
                        let elapsed = today - d?;
                        (elapsed >= 0).then(|| match how {
                            Elapsed::Years => elapsed as f64 / 365.25,
                            Elapsed::Days => elapsed as f64,
                        })
                    })
                    .collect();
                new_fields.push(Arc::new(Field::new(field.name(), DataType::Float64, true)));
                columns.push(Arc::new(values));
                changed = true;
            }
            None => {
                new_fields.push(Arc::clone(field));
                columns.push(Arc::clone(col));
            }
        }
    }
    if !changed {
        return batch.clone();
    }
    RecordBatch::try_new(Arc::new(ArrowSchema::new(new_fields)), columns)
        .unwrap_or_else(|_| batch.clone())
}
