//! Arrow record batches and Parquet files → [`Frame`].
//!
//! Columns are converted in parallel, one rayon task per column; Parquet row
//! groups are decoded in parallel, reading only the columns the schema needs.

use std::fmt::Write as _;
use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type,
    Int32Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{
    AnyDictionaryArray, Array, ArrowPrimitiveType, LargeStringArray, RecordBatch, StringArray,
    StringViewArray,
};
use arrow_schema::{DataType, Schema as ArrowSchema, TimeUnit};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use rayon::prelude::*;
use riskgrade_core::{
    Column, ColumnBuilder, Date, Frame, InputType, MISSING_CODE, RawValue, Schema,
};

use crate::columns::{Built, Target, Wanted, assemble, builder, plan};
use crate::error::{ARROW_SOURCE, IoError};

/// Converts Arrow record batches (each row an enterprise) into a [`Frame`].
///
/// Columns are found by name as in [`crate::read_frame`]: `id` and
/// `industry` are required, `name` and `district` optional, and each input
/// is read from `spec.column_name(input)`. Accepted Arrow types:
///
/// | input | Arrow types |
/// |---|---|
/// | number, integer, count | floats, integers, `Decimal128`, strings (parsed) |
/// | bool | `Boolean`, integers and floats (0/1), strings (`true`, `1`, `yes`, …) |
/// | category | strings, string dictionaries, integers, floats |
/// | date | `Date32`, `Date64`, `Timestamp` (UTC, a fixed offset or China time), strings (`YYYY-MM-DD`) |
/// | identity | strings, string dictionaries, integers |
///
/// "Strings" are `Utf8`, `LargeUtf8`, `Utf8View` and dictionaries of them;
/// `Null` columns are all missing. Nulls are missing values; bad values
/// (NaN, a negative count, an unparsable string) become the frame's
/// [`riskgrade_core::DataIssue`]s and their rows are kept. With no batches at
/// all the frame is empty.
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::{ArrayRef, Int32Array, RecordBatch, StringArray};
/// use riskgrade_core::{InputSpec, InputType, Schema};
///
/// let batch = RecordBatch::try_from_iter([
///     ("id", Arc::new(StringArray::from(vec!["E1", "E2"])) as ArrayRef),
///     ("industry", Arc::new(StringArray::from(vec!["C14", "C14"])) as ArrayRef),
///     ("penalties_3y", Arc::new(Int32Array::from(vec![Some(2), None])) as ArrayRef),
/// ])?;
/// let spec = InputSpec { ty: InputType::Count, derive: None, attribute: None, column: None, description: None };
/// let schema = Schema::new([("penalties_3y".to_string(), spec)]);
/// let frame = riskgrade_io::frame_from_batches(&[batch], &schema)?;
/// assert_eq!(frame.ids(), ["E1", "E2"]);
/// assert!(frame.column("penalties_3y").unwrap().1.is_missing(1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`IoError::MissingColumn`] when a required column is absent (with the
/// closest column name as a suggestion), [`IoError::UnsupportedType`] when a
/// column's type cannot hold its input. The file is named `<arrow>`.
pub fn frame_from_batches(batches: &[RecordBatch], schema: &Schema) -> Result<Frame, IoError> {
    frame_from_batches_with(batches, schema, ArrowOptions::default())
}

/// [`frame_from_batches`] for a grading as of `as_of`: a date column may stand in for an
/// input derived from one date (a registration date for `years_registered`, the latest
/// record's date for `days_since_last`), and becomes that input's value as of `as_of`.
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::{ArrayRef, Date32Array, RecordBatch, StringArray};
/// use riskgrade_core::{Date, FeatureDef, FeatureFn, InputSpec, InputType, Schema};
/// let registered = Date::parse("2020-11-01")?;
/// let batch = RecordBatch::try_from_iter([
///     ("id", Arc::new(StringArray::from(vec!["E1"])) as ArrayRef),
///     ("industry", Arc::new(StringArray::from(vec!["C14"])) as ArrayRef),
///     ("years_in_operation", Arc::new(Date32Array::from(vec![registered.days()])) as ArrayRef),
/// ])?;
/// let derive: FeatureDef = serde_json::from_str(r#"{"fn": "years_registered"}"#)?;
/// let spec = InputSpec { ty: InputType::Number, derive: Some(derive), attribute: None, column: None, description: None };
/// let schema = Schema::new([("years_in_operation".to_string(), spec)]);
/// let frame = riskgrade_io::frame_from_batches_as_of(&[batch], &schema, Date::parse("2026-11-01")?)?;
/// let riskgrade_core::Column::Number(years) = frame.column("years_in_operation").unwrap().1 else { panic!() };
/// assert!((years[0] - 2191.0 / 365.25).abs() < 1e-12);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`frame_from_batches`].
pub fn frame_from_batches_as_of(
    batches: &[RecordBatch],
    schema: &Schema,
    as_of: Date,
) -> Result<Frame, IoError> {
    frame_from_batches_with(batches, schema, ArrowOptions::default().as_of(as_of))
}

/// How [`frame_from_batches_with`] reads Arrow data.
///
/// ```
/// let options = riskgrade_io::ArrowOptions::default().nan_is_missing(true);
/// assert!(options.reads_nan_as_missing());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ArrowOptions {
    as_of: Option<Date>,
    nan_is_missing: bool,
}

impl ArrowOptions {
    /// Grades as of `as_of`: date columns may stand in for inputs derived from one date
    /// (see [`frame_from_batches_as_of`]).
    pub fn as_of(mut self, as_of: Date) -> Self {
        self.as_of = Some(as_of);
        self
    }

    /// NaN in a float column is a missing value, as in pandas (and the Python package, for
    /// every kind of frame), rather than a bad value reported as the row's issue (the default).
    pub fn nan_is_missing(mut self, yes: bool) -> Self {
        self.nan_is_missing = yes;
        self
    }

    /// Whether NaN in a float column is read as a missing value.
    pub fn reads_nan_as_missing(&self) -> bool {
        self.nan_is_missing
    }
}

/// [`frame_from_batches`] with [`ArrowOptions`]: a grading date for date columns that stand
/// in for derived inputs, and what NaN means.
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
/// use riskgrade_core::{InputSpec, InputType, Schema};
/// use riskgrade_io::{ArrowOptions, frame_from_batches_with};
/// let batch = RecordBatch::try_from_iter([
///     ("id", Arc::new(StringArray::from(vec!["E1", "E2"])) as ArrayRef),
///     ("industry", Arc::new(StringArray::from(vec!["C14", "C14"])) as ArrayRef),
///     ("debt_ratio", Arc::new(Float64Array::from(vec![0.5, f64::NAN])) as ArrayRef),
/// ])?;
/// let spec = InputSpec { ty: InputType::Number, derive: None, attribute: None, column: None, description: None };
/// let schema = Schema::new([("debt_ratio".to_string(), spec)]);
/// // By default NaN is a bad value: the row is reported.
/// let strict = frame_from_batches_with(&[batch.clone()], &schema, ArrowOptions::default())?;
/// assert_eq!(strict.issues().len(), 1);
/// // As in pandas, NaN is missing: no issue, and the value is missing.
/// let lenient = frame_from_batches_with(&[batch], &schema, ArrowOptions::default().nan_is_missing(true))?;
/// assert!(lenient.issues().is_empty());
/// assert!(lenient.number("debt_ratio").unwrap()[1].is_nan());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`frame_from_batches`].
pub fn frame_from_batches_with(
    batches: &[RecordBatch],
    schema: &Schema,
    options: ArrowOptions,
) -> Result<Frame, IoError> {
    let stood_in: Vec<RecordBatch>;
    let batches = match options.as_of {
        Some(as_of) => {
            stood_in = batches
                .iter()
                .map(|b| crate::stand_in::dates_as_elapsed(b, schema, as_of))
                .collect();
            &stood_in[..]
        }
        None => batches,
    };
    match batches.first() {
        Some(b) => frame_from_file_batches(
            Path::new(ARROW_SOURCE),
            b.schema().as_ref(),
            batches,
            schema,
            options.nan_is_missing,
        ),
        None => Ok(assemble(schema, Vec::new(), Vec::new())),
    }
}

/// Reads a Parquet file, refusing a damaged one with an error.
///
/// The Parquet and Arrow decoders panic on some damaged files (an unknown type in the
/// embedded Arrow schema reaches an `unimplemented!`): such a panic is caught here. A
/// damaged embedded Arrow schema is only a hint, so the file is read again without it;
/// any other panic refuses the file.
pub(crate) fn read_parquet(path: &Path, schema: &Schema) -> Result<Frame, IoError> {
    let guarded = |options: ArrowReaderOptions| {
        crate::guard::catch_quietly(|| read_parquet_with(path, schema, options))
    };
    match guarded(ArrowReaderOptions::new()) {
        Ok(read) => read,
        Err(_) => match guarded(ArrowReaderOptions::new().with_skip_arrow_metadata(true)) {
            Ok(read) => read,
            Err(_) => Err(IoError::Arrow {
                file: path.to_path_buf(),
                message: "the file is damaged: the Parquet decoder failed on it".into(),
            }),
        },
    }
}

fn read_parquet_with(
    path: &Path,
    schema: &Schema,
    options: ArrowReaderOptions,
) -> Result<Frame, IoError> {
    let pq = |e: parquet::errors::ParquetError| IoError::arrow(path, &e);
    let file = File::open(path).map_err(|e| IoError::io(path, &e))?;
    let meta = ArrowReaderMetadata::load(&file, options).map_err(pq)?;
    let arrow_schema = meta.schema().clone();
    let headers: Vec<&str> = arrow_schema
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    let wanted = plan(path, &headers, schema)?;
    let roots: Vec<usize> = wanted.iter().filter_map(|w| w.index).collect();
    let mask = ProjectionMask::roots(meta.parquet_schema(), roots);
    let groups = meta.metadata().num_row_groups();
    let read = |row_groups: Vec<usize>| -> Result<Vec<RecordBatch>, IoError> {
        // One file handle per task: clones of a handle would share its offset.
        let file = File::open(path).map_err(|e| IoError::io(path, &e))?;
        ParquetRecordBatchReaderBuilder::new_with_metadata(file, meta.clone())
            .with_projection(mask.clone())
            .with_row_groups(row_groups)
            .with_batch_size(64 * 1024)
            .build()
            .map_err(pq)?
            .map(|b| b.map_err(|e| IoError::arrow(path, &e)))
            .collect()
    };
    if groups <= 1 {
        let batches = read((0..groups).collect())?;
        return frame_from_file_batches(path, &arrow_schema, &batches, schema, false);
    }
    // Row groups are read and converted in parallel, and each group's Arrow
    // batches are dropped as soon as they are converted, so the peak memory is
    // the frame plus a few row groups rather than the frame plus the whole file.
    let parts: Vec<Vec<Option<Built>>> = (0..groups)
        .into_par_iter()
        .map(|g| {
            let batches = read(vec![g])?;
            Ok(convert_all(path, &arrow_schema, &batches, schema, false)?
                .into_iter()
                .map(Some)
                .collect())
        })
        .collect::<Result<_, IoError>>()?;
    Ok(assemble(schema, concat_parts(parts), Vec::new()))
}

/// Joins the per-row-group columns, column by column, freeing each part as it goes.
fn concat_parts(mut parts: Vec<Vec<Option<Built>>>) -> Vec<Built> {
    let width = parts.first().map_or(0, Vec::len);
    let mut out = Vec::with_capacity(width);
    for j in 0..width {
        let mut pieces = parts
            .iter_mut()
            .filter_map(|p| p.get_mut(j).and_then(Option::take));
        let Some(first) = pieces.next() else { continue };
        let merged = match first {
            Built::Text(target, mut values) => {
                for piece in pieces {
                    if let Built::Text(_, more) = piece {
                        values.extend(more);
                    }
                }
                Built::Text(target, values)
            }
            Built::Input(k, col, issues) => {
                let mut col = col;
                let mut issues = issues;
                for piece in pieces {
                    if let Built::Input(_, more, more_issues) = piece {
                        let offset = col.len();
                        issues.extend(more_issues.into_iter().map(|(r, p)| (r + offset, p)));
                        append_column(&mut col, more);
                    }
                }
                Built::Input(k, col, issues)
            }
        };
        out.push(merged);
    }
    out
}

/// Appends `more` to `col`, re-coding categories into `col`'s dictionary.
fn append_column(col: &mut Column, more: Column) {
    match (col, more) {
        (Column::Number(a), Column::Number(b)) => a.extend(b),
        (
            Column::Category { codes, dict },
            Column::Category {
                codes: more_codes,
                dict: more_dict,
            },
        ) => {
            let mut index: std::collections::HashMap<String, u32> = dict
                .iter()
                .enumerate()
                .map(|(i, d)| (d.clone(), i as u32))
                .collect();
            let remap: Vec<u32> = more_dict
                .into_iter()
                .map(|label| {
                    *index.entry(label.clone()).or_insert_with(|| {
                        dict.push(label);
                        (dict.len() - 1) as u32
                    })
                })
                .collect();
            codes.extend(more_codes.into_iter().map(|c| {
                if c == MISSING_CODE {
                    c
                } else {
                    remap[c as usize]
                }
            }));
        }
        // Both parts come from the same schema input, so their kinds always agree.
        (Column::Number(_), Column::Category { .. })
        | (Column::Category { .. }, Column::Number(_)) => {}
    }
}

/// Converts batches of `file` whose columns are described by `arrow_schema`;
/// `nan_missing`: NaN in a float column is a missing value ([`ArrowOptions::nan_is_missing`]).
pub(crate) fn frame_from_file_batches(
    file: &Path,
    arrow_schema: &ArrowSchema,
    batches: &[RecordBatch],
    schema: &Schema,
    nan_missing: bool,
) -> Result<Frame, IoError> {
    Ok(assemble(
        schema,
        convert_all(file, arrow_schema, batches, schema, nan_missing)?,
        Vec::new(),
    ))
}

/// Converts one part of a file (its batches) into built columns, in plan order.
fn convert_all(
    file: &Path,
    arrow_schema: &ArrowSchema,
    batches: &[RecordBatch],
    schema: &Schema,
    nan_missing: bool,
) -> Result<Vec<Built>, IoError> {
    let headers: Vec<&str> = arrow_schema
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    let wanted = plan(file, &headers, schema)?;
    // Check every type before converting anything.
    for w in &wanted {
        if let Some(field) = w.index.and_then(|i| arrow_schema.fields().get(i)) {
            check(w, field.data_type(), schema)?;
        }
    }
    wanted
        .par_iter()
        .filter(|w| w.index.is_some())
        .map(|w| convert(file, w, batches, schema, nan_missing))
        .collect()
}

fn input_type(w: &Wanted<'_>, schema: &Schema) -> Option<InputType> {
    match w.target {
        Target::Input(k) => schema.inputs().get(k).map(|(_, s)| s.ty),
        _ => None,
    }
}

fn check(w: &Wanted<'_>, dt: &DataType, schema: &Schema) -> Result<(), IoError> {
    let ty = input_type(w, schema);
    if accepts(dt, ty) {
        Ok(())
    } else {
        Err(IoError::UnsupportedType {
            column: w.column.to_string(),
            data_type: dt.to_string(),
            expected: expected(ty),
        })
    }
}

pub(crate) fn is_string(dt: &DataType) -> bool {
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => matches!(
            v.as_ref(),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
        ),
        _ => false,
    }
}

/// Whether a column of type `dt` can feed an input of type `ty` (`None`: an identity column).
fn accepts(dt: &DataType, ty: Option<InputType>) -> bool {
    use DataType as D;
    if matches!(dt, D::Null) || is_string(dt) {
        return true;
    }
    let integer = dt.is_integer();
    let float = matches!(dt, D::Float32 | D::Float64 | D::Decimal128(..));
    match ty {
        None => integer,
        Some(InputType::Date) => {
            matches!(dt, D::Date32 | D::Date64)
                || matches!(dt, D::Timestamp(_, tz) if tz_offset(tz.as_deref()).is_some())
        }
        Some(InputType::Bool) => integer || float || matches!(dt, D::Boolean),
        Some(InputType::Number | InputType::Integer | InputType::Count | InputType::Category) => {
            integer || float
        }
    }
}

fn expected(ty: Option<InputType>) -> &'static str {
    match ty {
        None => "strings or integers for an identity column",
        Some(InputType::Date) => {
            "`Date32`, `Date64`, a `Timestamp` in UTC, a fixed offset or China time, or strings for a date input"
        }
        Some(InputType::Bool) => "`Boolean`, 0/1 numbers or strings for a bool input",
        Some(InputType::Category) => {
            "strings, a string dictionary or integers for a category input"
        }
        Some(InputType::Number | InputType::Integer | InputType::Count) => {
            "floats, integers, `Decimal128` or strings for a numeric input"
        }
    }
}

/// The UTC offset in seconds of an Arrow timestamp's time zone, for zones
/// that have one fixed offset (`UTC`, `+08:00`, `Asia/Shanghai`, …).
pub(crate) fn tz_offset(tz: Option<&str>) -> Option<i64> {
    let Some(tz) = tz.map(str::trim) else {
        return Some(0);
    };
    match tz {
        "" | "UTC" | "utc" | "Z" | "GMT" | "Etc/UTC" | "Etc/GMT" | "Etc/Universal"
        | "Universal" | "Zulu" => {
            return Some(0);
        }
        "Asia/Shanghai" | "Asia/Chongqing" | "Asia/Chungking" | "Asia/Harbin"
        | "Asia/Hong_Kong" | "Asia/Macau" | "Asia/Macao" | "Asia/Taipei" | "PRC" | "ROC"
        | "Hongkong" | "Etc/GMT-8" => return Some(8 * 3600),
        _ => {}
    }
    let (sign, rest) = match tz.as_bytes().first()? {
        b'+' => (1, &tz[1..]),
        b'-' => (-1, &tz[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return None;
    }
    let hours: i64 = digits[..2].parse().ok()?;
    let minutes: i64 = if digits.len() == 4 {
        digits[2..].parse().ok()?
    } else {
        0
    };
    (hours <= 23 && minutes <= 59).then_some(sign * (hours * 3600 + minutes * 60))
}

fn convert(
    file: &Path,
    w: &Wanted<'_>,
    batches: &[RecordBatch],
    schema: &Schema,
    nan_missing: bool,
) -> Result<Built, IoError> {
    let column = |b: &RecordBatch| {
        b.column_by_name(w.column)
            .cloned()
            .ok_or_else(|| IoError::MissingColumn {
                file: file.to_path_buf(),
                column: w.column.to_string(),
                suggestion: None,
            })
    };
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    match w.target {
        Target::Input(k) => {
            let (mut b, _) = builder(schema, k);
            b.reserve(rows);
            let mut buf = String::new();
            for batch in batches {
                let arr = column(batch)?;
                check(w, arr.data_type(), schema)?;
                push_input(&mut b, arr.as_ref(), &mut buf, nan_missing);
            }
            let (col, issues) = b.finish();
            if col.len() != rows {
                return Err(unreadable(w, batches));
            }
            Ok(Built::Input(k, col, issues))
        }
        target => {
            let mut values = Vec::with_capacity(rows);
            for batch in batches {
                let arr = column(batch)?;
                check(w, arr.data_type(), schema)?;
                push_text(&mut values, arr.as_ref());
            }
            if values.len() != rows {
                return Err(unreadable(w, batches));
            }
            Ok(Built::Text(target, values))
        }
    }
}

/// A column whose values could not all be read (a type accepted by [`accepts`]
/// but not converted): reported rather than building a frame of ragged columns.
fn unreadable(w: &Wanted<'_>, batches: &[RecordBatch]) -> IoError {
    let data_type = batches
        .first()
        .and_then(|b| b.column_by_name(w.column))
        .map_or_else(String::new, |a| a.data_type().to_string());
    IoError::UnsupportedType {
        column: w.column.to_string(),
        data_type,
        expected: "a type riskgrade can convert",
    }
}

/// Read access to any string-like array.
pub(crate) enum Strings<'a> {
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
    Dict {
        dict: &'a dyn AnyDictionaryArray,
        keys: Vec<usize>,
        values: Box<Strings<'a>>,
    },
    Null,
}

impl<'a> Strings<'a> {
    pub(crate) fn new(arr: &'a dyn Array) -> Strings<'a> {
        if let Some(a) = arr.as_string_opt::<i32>() {
            Strings::Utf8(a)
        } else if let Some(a) = arr.as_string_opt::<i64>() {
            Strings::Large(a)
        } else if let Some(a) = arr.as_string_view_opt() {
            Strings::View(a)
        } else if let Some(dict) = arr.as_any_dictionary_opt() {
            let values = dict.values().as_ref();
            let keys = if values.is_empty() {
                Vec::new()
            } else {
                dict.normalized_keys()
            };
            Strings::Dict {
                dict,
                keys,
                values: Box::new(Strings::new(values)),
            }
        } else {
            Strings::Null
        }
    }

    pub(crate) fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            Strings::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            Strings::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Strings::View(a) => a.is_valid(i).then(|| a.value(i)),
            Strings::Dict { dict, keys, values } => {
                if dict.is_null(i) {
                    None
                } else {
                    values.get(*keys.get(i)?)
                }
            }
            Strings::Null => None,
        }
    }
}

/// Pushes a primitive array's values through `f`.
fn each<T: ArrowPrimitiveType>(arr: &dyn Array, mut f: impl FnMut(Option<T::Native>)) {
    if let Some(a) = arr.as_primitive_opt::<T>() {
        if a.null_count() == 0 {
            a.values().iter().for_each(|v| f(Some(*v)));
        } else {
            a.iter().for_each(f);
        }
    }
}

/// Pushes one array's values; `nan_missing`: NaN in a float array is a missing value.
fn push_input(b: &mut ColumnBuilder, arr: &dyn Array, buf: &mut String, nan_missing: bool) {
    use DataType as D;
    let num = |v: Option<f64>| v.map_or(RawValue::Missing, RawValue::Number);
    let float = |x: f64| (!(nan_missing && x.is_nan())).then_some(x);
    match arr.data_type() {
        D::Float64 => match arr.as_primitive_opt::<Float64Type>() {
            Some(a) if a.null_count() == 0 => {
                b.extend_numbers(a.values().iter().map(|v| float(*v)))
            }
            Some(a) => b.extend_numbers(a.iter().map(|v| v.and_then(float))),
            None => {}
        },
        D::Float32 => {
            if let Some(a) = arr.as_primitive_opt::<Float32Type>() {
                b.extend_numbers(a.iter().map(|v| v.map(f64::from).and_then(float)));
            }
        }
        D::Decimal128(_, scale) => {
            let div = 10f64.powi(i32::from(*scale));
            each::<Decimal128Type>(arr, |v| b.push(num(v.map(|x| x as f64 / div))));
        }
        D::Int8 => ints::<Int8Type>(b, arr),
        D::Int16 => ints::<Int16Type>(b, arr),
        D::Int32 => ints::<Int32Type>(b, arr),
        D::Int64 => ints::<Int64Type>(b, arr),
        D::UInt8 => ints::<UInt8Type>(b, arr),
        D::UInt16 => ints::<UInt16Type>(b, arr),
        D::UInt32 => ints::<UInt32Type>(b, arr),
        D::UInt64 => each::<UInt64Type>(arr, |v| {
            b.push(match v {
                None => RawValue::Missing,
                Some(x) => i64::try_from(x).map_or(RawValue::Number(x as f64), RawValue::Integer),
            })
        }),
        D::Boolean => {
            if let Some(a) = arr.as_boolean_opt() {
                b.extend_bools(a.iter());
            }
        }
        D::Date32 => each::<Date32Type>(arr, |v| push_days(b, v.map(i64::from), buf)),
        D::Date64 => each::<Date64Type>(arr, |v| {
            push_days(b, v.map(|ms| ms.div_euclid(86_400_000)), buf)
        }),
        D::Timestamp(unit, tz) => {
            let offset = tz_offset(tz.as_deref()).unwrap_or(0);
            let per_second: i64 = match unit {
                TimeUnit::Second => 1,
                TimeUnit::Millisecond => 1_000,
                TimeUnit::Microsecond => 1_000_000,
                TimeUnit::Nanosecond => 1_000_000_000,
            };
            let day = |v: Option<i64>| {
                v.map(|t| {
                    t.saturating_add(offset * per_second)
                        .div_euclid(86_400 * per_second)
                })
            };
            match unit {
                TimeUnit::Second => each::<TimestampSecondType>(arr, |v| push_days(b, day(v), buf)),
                TimeUnit::Millisecond => {
                    each::<TimestampMillisecondType>(arr, |v| push_days(b, day(v), buf))
                }
                TimeUnit::Microsecond => {
                    each::<TimestampMicrosecondType>(arr, |v| push_days(b, day(v), buf))
                }
                TimeUnit::Nanosecond => {
                    each::<TimestampNanosecondType>(arr, |v| push_days(b, day(v), buf))
                }
            }
        }
        _ => match Strings::new(arr) {
            // A string dictionary (a pandas categorical): each distinct value read once.
            Strings::Dict { dict, keys, values } => {
                let texts: Vec<Option<&str>> =
                    (0..dict.values().len()).map(|k| values.get(k)).collect();
                b.extend_dictionary(
                    &texts,
                    (0..arr.len()).map(|i| (!dict.is_null(i)).then(|| keys.get(i).copied())?),
                );
            }
            // Strings and `Null`.
            strings => {
                for i in 0..arr.len() {
                    b.push(strings.get(i).map_or(RawValue::Missing, RawValue::Text));
                }
            }
        },
    }
}

/// Pushes an integer array's values.
fn ints<T>(b: &mut ColumnBuilder, arr: &dyn Array)
where
    T: ArrowPrimitiveType,
    T::Native: Into<i64>,
{
    if let Some(a) = arr.as_primitive_opt::<T>() {
        if a.null_count() == 0 {
            b.extend_integers(a.values().iter().map(|v| Some((*v).into())));
        } else {
            b.extend_integers(a.iter().map(|v| v.map(Into::into)));
        }
    }
}

/// Pushes a date given as days since 1970-01-01.
///
/// [`ColumnBuilder`] takes dates as text only, so the day is written
/// `YYYY-MM-DD` into `buf` and parsed back; days outside years 1000–9999 are
/// written as the number and reported as unparsable.
fn push_days(b: &mut ColumnBuilder, days: Option<i64>, buf: &mut String) {
    let Some(days) = days else {
        b.push(RawValue::Missing);
        return;
    };
    buf.clear();
    match i32::try_from(days) {
        Ok(d) if (-400_000..=3_000_000).contains(&d) => {
            let _ = write!(buf, "{}", Date::from_days(d));
        }
        _ => {
            let _ = write!(buf, "day {days}");
        }
    }
    b.push(RawValue::Text(buf));
}

fn push_text(values: &mut Vec<String>, arr: &dyn Array) {
    use DataType as D;
    let mut ints = |v: Option<i64>| values.push(v.map(|x| x.to_string()).unwrap_or_default());
    match arr.data_type() {
        D::Int8 => each::<Int8Type>(arr, |v| ints(v.map(i64::from))),
        D::Int16 => each::<Int16Type>(arr, |v| ints(v.map(i64::from))),
        D::Int32 => each::<Int32Type>(arr, |v| ints(v.map(i64::from))),
        D::Int64 => each::<Int64Type>(arr, &mut ints),
        D::UInt8 => each::<UInt8Type>(arr, |v| ints(v.map(i64::from))),
        D::UInt16 => each::<UInt16Type>(arr, |v| ints(v.map(i64::from))),
        D::UInt32 => each::<UInt32Type>(arr, |v| ints(v.map(i64::from))),
        D::UInt64 => each::<UInt64Type>(arr, |v| {
            values.push(v.map(|x| x.to_string()).unwrap_or_default())
        }),
        _ => {
            let strings = Strings::new(arr);
            values.extend((0..arr.len()).map(|i| {
                strings
                    .get(i)
                    .map(|s| s.trim().to_string())
                    .unwrap_or_default()
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        assert_eq!(tz_offset(None), Some(0));
        assert_eq!(tz_offset(Some("UTC")), Some(0));
        assert_eq!(tz_offset(Some("+08:00")), Some(28_800));
        assert_eq!(tz_offset(Some("-0530")), Some(-19_800));
        assert_eq!(tz_offset(Some("+05")), Some(18_000));
        assert_eq!(tz_offset(Some("Asia/Shanghai")), Some(28_800));
        assert_eq!(tz_offset(Some("Europe/Paris")), None);
        assert_eq!(tz_offset(Some("+8:00")), None);
        assert_eq!(tz_offset(Some("+25:00")), None);
    }
}
