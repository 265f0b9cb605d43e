//! Which columns a batch must carry.
//!
//! A batch must carry the inputs of the models its rows are routed to (with the models whose
//! scores those take, and so on) and the inputs the rules read; a model no row is routed to
//! demands nothing. The other inputs may be absent: [`fill_unrouted`] adds them as all-null
//! columns, which no indicator reads, before the library reads the batch as usual.

use std::collections::BTreeSet;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, NullArray, RecordBatch};
use arrow_schema::{DataType, Field, Schema as ArrowSchema};
use riskgrade::{ModelSet, Source};

/// Which rows of a licence column hold the licence, as the library reads it (a count at
/// least 1; null: not held); `None` when the column's type is not one the library reads as
/// a number (booleans included: the column is a count, and check reports it as mistyped).
fn holders(col: &dyn Array) -> Option<Vec<bool>> {
    use arrow_array::types::{
        Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type,
        UInt32Type, UInt64Type,
    };
    macro_rules! at_least_one {
        ($t:ty) => {
            col.as_primitive::<$t>()
                .iter()
                .map(|v| v.is_some_and(|x| x as f64 >= 1.0))
                .collect()
        };
    }
    Some(match col.data_type() {
        DataType::Null => vec![false; col.len()],
        DataType::Int8 => at_least_one!(Int8Type),
        DataType::Int16 => at_least_one!(Int16Type),
        DataType::Int32 => at_least_one!(Int32Type),
        DataType::Int64 => at_least_one!(Int64Type),
        DataType::UInt8 => at_least_one!(UInt8Type),
        DataType::UInt16 => at_least_one!(UInt16Type),
        DataType::UInt32 => at_least_one!(UInt32Type),
        DataType::UInt64 => at_least_one!(UInt64Type),
        DataType::Float32 => at_least_one!(Float32Type),
        DataType::Float64 => at_least_one!(Float64Type),
        _ => return None,
    })
}

/// The models the rows of `batches` are routed to, by index, by industry and the licence
/// types held (as the library routes them); every model when the industries or a licence
/// column cannot be read (the library then reports what is wrong with them).
pub(crate) fn routed_models(set: &ModelSet, batches: &[RecordBatch]) -> BTreeSet<usize> {
    let all: BTreeSet<usize> = (0..set.models().len()).collect();
    let mut routed = BTreeSet::new();
    for b in batches {
        let Some(col) = b.column_by_name("industry") else {
            return all;
        };
        let texts: Vec<Option<&str>> = match col.data_type() {
            DataType::Utf8 => col.as_string::<i32>().iter().collect(),
            DataType::LargeUtf8 => col.as_string::<i64>().iter().collect(),
            DataType::Utf8View => col.as_string_view().iter().collect(),
            _ => return all,
        };
        // The licence types routes name, each with who holds it (no column: nobody).
        let mut licences: Vec<(&str, Option<Vec<bool>>)> = Vec::new();
        for (licence, input) in set.licence_inputs() {
            let column = set
                .schema()
                .get(input)
                .map_or(input, |spec| spec.column_name(input));
            let held = match b.column_by_name(column) {
                Some(c) => match holders(c.as_ref()) {
                    Some(h) => Some(h),
                    None => return all,
                },
                None => None,
            };
            licences.push((licence, held));
        }
        for (r, t) in texts.into_iter().enumerate() {
            let Some(t) = t else { continue };
            let holds = |l: &str| {
                licences
                    .iter()
                    .any(|(k, h)| *k == l && h.as_ref().is_some_and(|h| h[r]))
            };
            if let Ok(m) = set.route_with(t, holds) {
                routed.insert(m);
            }
        }
    }
    // The models whose scores the routed ones take, transitively.
    let mut todo: Vec<usize> = routed.iter().copied().collect();
    while let Some(m) = todo.pop() {
        for c in set.models()[m].components() {
            if let Some(i) = set.index_of(c)
                && routed.insert(i)
            {
                todo.push(i);
            }
        }
    }
    routed
}

/// The inputs (by name) that the models `routed` and the rules read.
pub(crate) fn needed_inputs(set: &ModelSet, routed: &BTreeSet<usize>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for &m in routed {
        for leaf in set.models()[m].leaves() {
            if let Source::Input { name, .. } = &leaf.source {
                out.insert(name.clone());
            }
        }
    }
    for (input, _) in set.rules().inputs_read() {
        out.insert(input.to_string());
    }
    out
}

/// `batches` with an all-null column for each input that no routed model and no rule reads
/// and that the batch does not carry.
pub(crate) fn fill_unrouted(set: &ModelSet, batches: &[RecordBatch]) -> Vec<RecordBatch> {
    let Some(first) = batches.first() else {
        return Vec::new();
    };
    let schema = first.schema();
    let lacking = |(name, spec): &(String, riskgrade::InputSpec)| {
        schema.field_with_name(spec.column_name(name)).is_err()
    };
    // A batch with every column needs no routing.
    if !set.schema().inputs().iter().any(lacking) {
        return batches.to_vec();
    }
    let needed = needed_inputs(set, &routed_models(set, batches));
    let absent: Vec<&str> = set
        .schema()
        .inputs()
        .iter()
        .filter(|input| !needed.contains(&input.0) && lacking(input))
        .map(|(name, spec)| spec.column_name(name))
        .collect();
    if absent.is_empty() {
        return batches.to_vec();
    }
    let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    fields.extend(absent.iter().map(|c| Field::new(*c, DataType::Null, true)));
    let wider = Arc::new(ArrowSchema::new(fields));
    batches
        .iter()
        .map(|b| {
            let mut cols: Vec<ArrayRef> = b.columns().to_vec();
            cols.extend(
                absent
                    .iter()
                    .map(|_| Arc::new(NullArray::new(b.num_rows())) as ArrayRef),
            );
            RecordBatch::try_new(Arc::clone(&wider), cols).unwrap_or_else(|_| b.clone())
        })
        .collect()
}
