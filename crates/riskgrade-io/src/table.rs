//! Writing tables: named, typed columns to CSV, Parquet, JSON Lines or JSON.
//!
//! The writer knows nothing of the engine: results, derived features and
//! synthetic data are all handed over as [`OutColumn`]s.

use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int64Array, ListArray,
    RecordBatch, RecordBatchOptions, StringArray,
};
use arrow_schema::{DataType, Field, Schema as ArrowSchema};
use rayon::prelude::*;
use riskgrade_core::{Column, Date, Frame, InputType};

use crate::error::{ARROW_SOURCE, IoError};

/// The values of one output column; `None` is a missing value.
#[derive(Debug, Clone, PartialEq)]
pub enum OutData {
    /// Text (Arrow `Utf8`).
    Text(Vec<Option<String>>),
    /// Text already in an Arrow array (no string per cell on the heap).
    Utf8(StringArray),
    /// Real numbers (Arrow `Float64`).
    Number(Vec<Option<f64>>),
    /// Whole numbers (Arrow `Int64`).
    Integer(Vec<Option<i64>>),
    /// Booleans (Arrow `Boolean`).
    Bool(Vec<Option<bool>>),
    /// A list of texts per row (Arrow `List<Utf8>`; an empty list when a row has none).
    /// CSV holds each list as a JSON array of strings (`["a","b, c"]`), JSON
    /// and JSON Lines as a JSON array.
    List(Vec<Vec<String>>),
    /// Text that repeats, as an Arrow dictionary (`Dictionary<Int32, Utf8>`):
    /// each row an index into a few distinct values. Written as text to CSV
    /// and JSON (the same text as [`OutData::Text`]); kept a dictionary in
    /// Parquet and Arrow (pandas reads it as a categorical).
    Dictionary(DictionaryArray<Int32Type>),
    /// Real numbers already in an Arrow array (Arrow `Float64`).
    Float64(Float64Array),
    /// Lists of texts already in an Arrow array (Arrow `List<Utf8>`), written as [`OutData::List`].
    Lists(ListArray),
}

impl OutData {
    /// Number of rows.
    ///
    /// ```
    /// assert_eq!(riskgrade_io::OutData::Bool(vec![Some(true), None]).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        match self {
            OutData::Text(v) => v.len(),
            OutData::Utf8(a) => a.len(),
            OutData::Number(v) => v.len(),
            OutData::Integer(v) => v.len(),
            OutData::Bool(v) => v.len(),
            OutData::List(v) => v.len(),
            OutData::Dictionary(a) => a.len(),
            OutData::Float64(a) => a.len(),
            OutData::Lists(a) => a.len(),
        }
    }

    /// Whether the column has no rows.
    ///
    /// ```
    /// assert!(riskgrade_io::OutData::Number(vec![]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn data_type(&self) -> DataType {
        match self {
            OutData::Text(_) | OutData::Utf8(_) => DataType::Utf8,
            OutData::Number(_) | OutData::Float64(_) => DataType::Float64,
            OutData::Integer(_) => DataType::Int64,
            OutData::Bool(_) => DataType::Boolean,
            OutData::List(_) => list_type(),
            OutData::Dictionary(a) => a.data_type().clone(),
            OutData::Lists(a) => a.data_type().clone(),
        }
    }
}

/// A named output column.
///
/// ```
/// use riskgrade_io::{OutColumn, OutData};
/// let c = OutColumn::new("grade", OutData::Text(vec![Some("A".into()), None]));
/// assert_eq!(c.name, "grade");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct OutColumn {
    /// The column's name (header).
    pub name: String,
    /// Its values.
    pub data: OutData,
}

impl OutColumn {
    /// A column called `name` holding `data`.
    pub fn new(name: impl Into<String>, data: OutData) -> OutColumn {
        OutColumn {
            name: name.into(),
            data,
        }
    }
}

/// Arrow's type of a [`OutData::List`] column: a list of texts.
fn list_type() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, false)))
}

/// A list column as an Arrow `List<Utf8>` array.
fn list_array(rows: &[Vec<String>]) -> ArrayRef {
    let items: usize = rows.iter().map(Vec::len).sum();
    let bytes: usize = rows.iter().flatten().map(String::len).sum();
    let values = StringBuilder::with_capacity(items, bytes);
    let field = Arc::new(Field::new_list_field(DataType::Utf8, false));
    let mut b = ListBuilder::with_capacity(values, rows.len()).with_field(field);
    for row in rows {
        for item in row {
            b.values().append_value(item);
        }
        b.append(true);
    }
    Arc::new(b.finish())
}

/// The number of rows, when every column has the same.
pub(crate) fn check_lengths(columns: &[OutColumn]) -> Result<usize, IoError> {
    let rows = columns.first().map_or(0, |c| c.data.len());
    match columns.iter().find(|c| c.data.len() != rows) {
        Some(c) => Err(IoError::ColumnLength {
            column: c.name.clone(),
            rows: c.data.len(),
            expected: rows,
        }),
        None => Ok(rows),
    }
}

/// Converts a table to one Arrow record batch (`Utf8`, `Float64`, `Int64`,
/// `Boolean` and `List<Utf8>` columns, all nullable).
///
/// ```
/// use riskgrade_io::{OutColumn, OutData, table_to_batch};
/// let batch = table_to_batch(&[OutColumn::new("n", OutData::Integer(vec![Some(1), None]))])?;
/// assert_eq!((batch.num_rows(), batch.num_columns()), (2, 1));
/// # Ok::<(), riskgrade_io::IoError>(())
/// ```
///
/// # Errors
/// [`IoError::ColumnLength`] when the columns differ in length.
pub fn table_to_batch(columns: &[OutColumn]) -> Result<RecordBatch, IoError> {
    let rows = check_lengths(columns)?;
    let fields: Vec<Field> = columns
        .iter()
        .map(|c| Field::new(&c.name, c.data.data_type(), true))
        .collect();
    let arrays: Vec<ArrayRef> = columns
        .par_iter()
        .map(|c| -> ArrayRef {
            match &c.data {
                OutData::Text(v) => {
                    Arc::new(v.iter().map(Option::as_deref).collect::<StringArray>())
                }
                OutData::Utf8(a) => Arc::new(a.clone()),
                OutData::Number(v) => Arc::new(v.iter().copied().collect::<Float64Array>()),
                OutData::Integer(v) => Arc::new(v.iter().copied().collect::<Int64Array>()),
                OutData::Bool(v) => Arc::new(v.iter().copied().collect::<BooleanArray>()),
                OutData::List(v) => list_array(v),
                OutData::Dictionary(a) => Arc::new(a.clone()),
                OutData::Float64(a) => Arc::new(a.clone()),
                OutData::Lists(a) => Arc::new(a.clone()),
            }
        })
        .collect();
    RecordBatch::try_new_with_options(
        Arc::new(ArrowSchema::new(fields)),
        arrays,
        &RecordBatchOptions::new().with_row_count(Some(rows)),
    )
    .map_err(|e| IoError::arrow(Path::new(ARROW_SOURCE), &e))
}

/// A frame as output columns: `id`, `name`, `industry`, `district`, then
/// every input column under the input's name.
///
/// Dates are `YYYY-MM-DD` text, booleans are [`OutData::Bool`], categories
/// are text, numbers, integers and counts are [`OutData::Number`]; missing
/// values (and empty identity strings) are `None`. Writing the columns to CSV
/// or Parquet and reading them back with [`crate::read_frame`] gives the same
/// frame (when inputs have no `column` rename).
///
/// ```
/// use riskgrade_core::{Enterprise, Frame, InputSpec, InputType, Schema};
/// use riskgrade_io::{OutData, frame_to_columns};
/// let e: Enterprise = serde_json::from_str(r#"{"id": "E1", "industry": "C14", "registered": "2015-06-01",
///     "attributes": {"opened": "2015-06-01"}}"#)?;
/// let spec = InputSpec { ty: InputType::Date, derive: None, attribute: None, column: None, description: None };
/// let schema = Schema::new([("opened".to_string(), spec)]);
/// let frame = Frame::from_profiles(&[e], &schema, "2026-11-01".parse()?, &Default::default());
/// let cols = frame_to_columns(&frame);
/// let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
/// assert_eq!(names, ["id", "name", "industry", "district", "opened"]);
/// assert_eq!(cols[1].data, OutData::Text(vec![None]));
/// assert_eq!(cols[4].data, OutData::Text(vec![Some("2015-06-01".into())]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn frame_to_columns(frame: &Frame) -> Vec<OutColumn> {
    let text = |name: &str, v: &[String]| {
        OutColumn::new(
            name,
            OutData::Text(
                v.iter()
                    .map(|s| (!s.is_empty()).then(|| s.clone()))
                    .collect(),
            ),
        )
    };
    let mut out = vec![
        text("id", frame.ids()),
        text("name", frame.names()),
        text("industry", frame.industries()),
        text("district", frame.districts()),
    ];
    for (name, ty, col) in frame.columns() {
        let data = match (col, ty) {
            (Column::Category { codes, dict }, _) => OutData::Text(
                codes
                    .iter()
                    .map(|&c| dict.get(c as usize).cloned())
                    .collect(),
            ),
            (Column::Number(v), InputType::Date) => OutData::Text(
                v.iter()
                    .map(|&x| {
                        (x.is_finite() && (-400_000.0..=3_000_000.0).contains(&x))
                            .then(|| Date::from_days(x as i32).to_string())
                    })
                    .collect(),
            ),
            (Column::Number(v), InputType::Bool) => OutData::Bool(
                v.iter()
                    .map(|&x| (!x.is_nan()).then_some(x != 0.0))
                    .collect(),
            ),
            (Column::Number(v), _) => {
                OutData::Number(v.iter().map(|&x| (!x.is_nan()).then_some(x)).collect())
            }
        };
        out.push(OutColumn::new(name, data));
    }
    out
}
