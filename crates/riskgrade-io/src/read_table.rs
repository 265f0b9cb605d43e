//! Reading a table back: any file [`crate::write_table`] writes → [`TextTable`].

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type,
    UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrowPrimitiveType};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::{ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};

use crate::arrow_read::{Strings, is_string};
use crate::csv_read::Endings;
use crate::error::IoError;
use crate::format::{Format, TABLE_FORMATS, needs_formula_guard};

/// One cell of a table read back: text, number, boolean or missing.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No value: an empty CSV cell, a null, an absent JSON key, a NaN.
    Missing,
    /// Text (every non-empty CSV cell).
    Text(String),
    /// A number (Parquet integers and floats, JSON numbers).
    Number(f64),
    /// A boolean (Parquet `Boolean`, JSON `true`/`false`).
    Bool(bool),
}

/// A table read from a file: column names and rows of cells.
///
/// Every row has one cell per column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextTable {
    /// The column names, in file order.
    pub columns: Vec<String>,
    /// The rows, in file order; `rows[r][j]` is the cell of column `columns[j]`.
    pub rows: Vec<Vec<Cell>>,
}

impl TextTable {
    /// The index of the column called `name`, if there is one (the first, if several).
    ///
    /// ```
    /// let t = riskgrade_io::TextTable { columns: vec!["id".into(), "grade".into()], rows: vec![] };
    /// assert_eq!(t.column("grade"), Some(1));
    /// assert_eq!(t.column("score"), None);
    /// ```
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}

/// Reads a whole table (`.csv`, `.parquet`, `.jsonl`/`.ndjson`, `.json`): the
/// inverse of [`crate::write_table`].
///
/// | format | cells |
/// |---|---|
/// | CSV | the header gives the names (trimmed); an empty cell is [`Cell::Missing`], any other is [`Cell::Text`], verbatim (numbers are not guessed) except that the `'` [`crate::write_table`] puts in front of a formula start is removed |
/// | Parquet | strings and string dictionaries are text; integers, floats and `Decimal128` are numbers (as `f64`; NaN is missing); `Boolean` is a bool; a list of strings is text holding it as a JSON array (as in CSV); nulls and `Null` columns are missing |
/// | JSON Lines | one object per line (blank lines skipped); strings, numbers, booleans; an array of strings is text holding the JSON array (as in CSV); `null` and absent keys are missing; the columns are the keys in first-seen order |
/// | JSON | an array of such objects (an empty array has no columns) |
///
/// A UTF-8 byte-order mark is ignored. Written text that is empty comes
/// back from CSV as [`Cell::Missing`].
///
/// ```
/// use riskgrade_io::{Cell, OutColumn, OutData, read_table, write_table};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("grades.jsonl");
/// write_table(&path, &[
///     OutColumn::new("id", OutData::Text(vec![Some("E1".into()), Some("E2".into())])),
///     OutColumn::new("score", OutData::Number(vec![Some(91.5), None])),
/// ])?;
/// let table = read_table(&path)?;
/// assert_eq!(table.columns, ["id", "score"]);
/// let score = table.column("score").unwrap();
/// assert_eq!(table.rows[0][score], Cell::Number(91.5));
/// assert_eq!(table.rows[1][score], Cell::Missing);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`IoError::UnknownFormat`] for another extension; [`IoError::Io`] when the
/// file cannot be read; [`IoError::Csv`] (naming the line) when a CSV line has
/// the wrong number of fields; [`IoError::NotUtf8`] (line and column) when CSV
/// text is not UTF-8; [`IoError::Json`] (line and column) when JSON is invalid,
/// a row is not an object or a value is an array or object;
/// [`IoError::Arrow`] when Parquet cannot be decoded; [`IoError::ColumnType`]
/// when a Parquet column has another type (dates, lists, …).
pub fn read_table(path: &Path) -> Result<TextTable, IoError> {
    match Format::of(path) {
        Some(Format::Csv) => read_csv(path),
        Some(Format::Parquet) => read_parquet(path),
        Some(Format::Jsonl) => read_json(path, false),
        Some(Format::Json) => read_json(path, true),
        None => Err(IoError::UnknownFormat {
            file: path.to_path_buf(),
            supported: TABLE_FORMATS,
        }),
    }
}

fn read_csv(path: &Path) -> Result<TextTable, IoError> {
    let file = File::open(path).map_err(|e| IoError::io(path, &e))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(file);
    let not_utf8 = |line, column| IoError::NotUtf8 {
        file: path.to_path_buf(),
        line,
        column: Some(column),
    };
    let mut columns = Vec::new();
    for (i, h) in reader
        .byte_headers()
        .map_err(|e| IoError::csv(path, e))?
        .iter()
        .enumerate()
    {
        let name = std::str::from_utf8(h).map_err(|_| not_utf8(1, format!("#{}", i + 1)))?;
        columns.push(name.trim_start_matches('\u{feff}').trim().to_string());
    }
    let endings = Endings::of(path, reader.position().byte()).map_err(|e| IoError::io(path, &e))?;
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| IoError::csv(path, e))?
    {
        let line = endings.first_line(&record, reader.position());
        // A line with the wrong number of fields is an `IoError::Csv` naming it.
        if record.len() != columns.len() {
            return Err(IoError::Csv {
                file: path.to_path_buf(),
                line,
                message: format!(
                    "found {} fields, expected {} as in the header",
                    record.len(),
                    columns.len()
                ),
            });
        }
        let row = record
            .iter()
            .zip(&columns)
            .map(|(field, name)| match std::str::from_utf8(field) {
                Ok("") => Ok(Cell::Missing),
                Ok(text) => Ok(Cell::Text(unguarded(text).to_string())),
                Err(_) => Err(not_utf8(line, name.clone())),
            })
            .collect::<Result<_, _>>()?;
        rows.push(row);
    }
    Ok(TextTable { columns, rows })
}

/// A CSV cell without the `'` that guards a formula start (see [`crate::write_table`]).
fn unguarded(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if needs_formula_guard(rest) => rest,
        _ => text,
    }
}

/// Whether `dt` is a list of strings (a list column of [`crate::write_table`]).
fn is_string_list(dt: &DataType) -> bool {
    matches!(dt, DataType::List(f) | DataType::LargeList(f) if is_string(f.data_type()))
}

/// Reads a Parquet table, refusing a damaged file with an error.
///
/// The Parquet decoder panics on some damaged files (a cut page, a run length past the
/// data, an unknown type in the embedded Arrow schema): such a panic is caught here, as in
/// [`crate::read_frame`]. A damaged embedded Arrow schema is only a hint, so the file is read
/// again without it; any other panic refuses the file.
fn read_parquet(path: &Path) -> Result<TextTable, IoError> {
    let guarded = |options: ArrowReaderOptions| {
        crate::guard::catch_quietly(|| read_parquet_with(path, options))
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

fn read_parquet_with(path: &Path, options: ArrowReaderOptions) -> Result<TextTable, IoError> {
    let pq = |e: parquet::errors::ParquetError| IoError::arrow(path, &e);
    let file = File::open(path).map_err(|e| IoError::io(path, &e))?;
    let builder =
        ParquetRecordBatchReaderBuilder::try_new_with_options(file, options).map_err(pq)?;
    let mut columns = Vec::new();
    for field in builder.schema().fields() {
        let dt = field.data_type();
        let number = dt.is_integer() || matches!(dt, DataType::Float32 | DataType::Float64);
        let other = matches!(
            dt,
            DataType::Decimal128(..) | DataType::Boolean | DataType::Null
        );
        if !(number || other || is_string(dt) || is_string_list(dt)) {
            return Err(IoError::ColumnType {
                file: path.to_path_buf(),
                column: field.name().clone(),
                data_type: dt.to_string(),
            });
        }
        columns.push(field.name().clone());
    }
    let mut rows = Vec::new();
    for batch in builder.build().map_err(pq)? {
        let batch = batch.map_err(|e| IoError::arrow(path, &e))?;
        let mut cols: Vec<_> = batch
            .columns()
            .iter()
            .map(|a| cells(a.as_ref()).into_iter())
            .collect();
        rows.extend((0..batch.num_rows()).map(|_| {
            cols.iter_mut()
                .map(|c| c.next().unwrap_or(Cell::Missing))
                .collect()
        }));
    }
    Ok(TextTable { columns, rows })
}

/// The cells of an array whose type [`read_parquet`] accepted.
fn cells(arr: &dyn Array) -> Vec<Cell> {
    fn numbers<T: ArrowPrimitiveType>(arr: &dyn Array, f: impl Fn(T::Native) -> f64) -> Vec<Cell> {
        let number = |x: f64| {
            if x.is_nan() {
                Cell::Missing
            } else {
                Cell::Number(x)
            }
        };
        arr.as_primitive::<T>()
            .iter()
            .map(|v| v.map_or(Cell::Missing, |v| number(f(v))))
            .collect()
    }
    use DataType as D;
    match arr.data_type() {
        D::Float64 => numbers::<Float64Type>(arr, |x| x),
        D::Float32 => numbers::<Float32Type>(arr, f64::from),
        D::Int8 => numbers::<Int8Type>(arr, f64::from),
        D::Int16 => numbers::<Int16Type>(arr, f64::from),
        D::Int32 => numbers::<Int32Type>(arr, f64::from),
        D::Int64 => numbers::<Int64Type>(arr, |x| x as f64),
        D::UInt8 => numbers::<UInt8Type>(arr, f64::from),
        D::UInt16 => numbers::<UInt16Type>(arr, f64::from),
        D::UInt32 => numbers::<UInt32Type>(arr, f64::from),
        D::UInt64 => numbers::<UInt64Type>(arr, |x| x as f64),
        D::Decimal128(_, scale) => {
            let div = 10f64.powi(i32::from(*scale));
            numbers::<Decimal128Type>(arr, |x| x as f64 / div)
        }
        D::Boolean => arr
            .as_boolean()
            .iter()
            .map(|v| v.map_or(Cell::Missing, Cell::Bool))
            .collect(),
        D::List(_) | D::LargeList(_) => (0..arr.len())
            .map(|i| {
                if arr.is_null(i) {
                    return Cell::Missing;
                }
                let item = match arr.data_type() {
                    D::List(_) => arr.as_list::<i32>().value(i),
                    _ => arr.as_list::<i64>().value(i),
                };
                let strings = Strings::new(item.as_ref());
                let items: Vec<&str> = (0..item.len()).filter_map(|k| strings.get(k)).collect();
                Cell::Text(serde_json::to_string(&items).unwrap_or_default())
            })
            .collect(),
        _ => {
            // Strings, string dictionaries and `Null`.
            let strings = Strings::new(arr);
            (0..arr.len())
                .map(|i| {
                    strings
                        .get(i)
                        .map_or(Cell::Missing, |s| Cell::Text(s.to_string()))
                })
                .collect()
        }
    }
}

fn read_json(path: &Path, array: bool) -> Result<TextTable, IoError> {
    let bytes = std::fs::read(path).map_err(|e| IoError::io(path, &e))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut table = Union::default();
    if array {
        let rows: Vec<JsonRow> =
            serde_json::from_slice(bytes).map_err(|e| IoError::json(path, &e, 1))?;
        rows.into_iter().for_each(|r| table.push(r));
    } else {
        for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
            if !line.trim_ascii().is_empty() {
                let row =
                    serde_json::from_slice(line).map_err(|e| IoError::json(path, &e, i + 1))?;
                table.push(row);
            }
        }
    }
    Ok(table.finish())
}

/// Rows of key–value pairs gathered into a table whose columns are the union of the keys.
#[derive(Default)]
struct Union {
    index: HashMap<String, usize>,
    table: TextTable,
}

impl Union {
    fn push(&mut self, JsonRow(pairs): JsonRow) {
        let mut row = vec![Cell::Missing; self.table.columns.len()];
        for (key, cell) in pairs {
            let columns = &mut self.table.columns;
            let j = *self.index.entry(key).or_insert_with_key(|k| {
                columns.push(k.clone());
                columns.len() - 1
            });
            if j >= row.len() {
                row.resize(j + 1, Cell::Missing);
            }
            row[j] = cell;
        }
        self.table.rows.push(row);
    }

    fn finish(mut self) -> TextTable {
        let width = self.table.columns.len();
        self.table
            .rows
            .iter_mut()
            .for_each(|r| r.resize(width, Cell::Missing));
        self.table
    }
}

/// One JSON object of scalar values, in key order; serde_json positions its errors.
struct JsonRow(Vec<(String, Cell)>);

impl<'de> Deserialize<'de> for JsonRow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<JsonRow, D::Error> {
        d.deserialize_map(RowVisitor)
    }
}

struct RowVisitor;

impl<'de> Visitor<'de> for RowVisitor {
    type Value = JsonRow;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object (one row)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonRow, A::Error> {
        use serde_json::Value;
        let mut pairs = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let cell = match map.next_value::<Value>()? {
                Value::Null => Cell::Missing,
                Value::Bool(b) => Cell::Bool(b),
                Value::Number(n) => n.as_f64().map_or(Cell::Missing, Cell::Number),
                Value::String(s) => Cell::Text(s),
                Value::Array(items) if items.iter().all(Value::is_string) => {
                    Cell::Text(Value::Array(items).to_string())
                }
                Value::Array(_) | Value::Object(_) => {
                    return Err(de::Error::custom(format_args!(
                        "`{key}` holds an object or an array of non-strings, expected a string, number, boolean, null or array of strings"
                    )));
                }
            };
            pairs.push((key, cell));
        }
        Ok(JsonRow(pairs))
    }
}
