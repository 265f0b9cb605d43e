//! Loading enterprises from files and writing results, for riskgrade.
//!
//! # Overview
//!
//! Enterprises reach the engine in one of two shapes:
//!
//! - **nested profiles** (JSON Lines or JSON): identity, licences, attributes
//!   and dated records, from which features are derived as of a date
//!   ([`read_profiles`], then [`riskgrade_core::Frame::from_profiles`]);
//! - **columnar data** (CSV, Parquet, Arrow): one row per enterprise with the
//!   inputs already aggregated ([`read_frame`], [`frame_from_batches`]).
//!
//! Either way a bad *value* never stops a load. A profile that cannot be
//! parsed becomes a [`ProfileIssue`] (line and id) and the others are kept; a
//! cell that does not fit its input (text in a count column, a negative
//! count, NaN, an impossible date) becomes a [`riskgrade_core::DataIssue`]
//! naming its row and column, and the row is kept for the engine to report.
//! Only problems with the file as a whole are an [`IoError`].
//!
//! Results go out through [`write_table`], which takes plain named columns
//! ([`OutColumn`]) and writes CSV, Parquet, JSON Lines or JSON; [`read_table`]
//! reads any such file back as a [`TextTable`] of [`Cell`]s.
//!
//! | module | owns |
//! |---|---|
//! | `error` | [`IoError`] |
//! | `profiles` | [`read_profiles`], [`parse_profiles_jsonl`], [`write_profiles_jsonl`], [`Profiles`], [`ProfileIssue`] |
//! | `columns` | finding identity and input columns in a header (shared by CSV and Arrow) |
//! | `csv_read` | CSV → [`Frame`]: a parsing thread feeding per-column builders |
//! | `arrow_read` | Arrow / Parquet → [`Frame`]: [`frame_from_batches`], [`frame_from_batches_as_of`], [`frame_from_batches_with`] |
//! | `stand_in` | a date column standing in for an input derived from one date (years registered, days since the latest record) |
//! | `table` | [`write_table`], [`table_to_batch`], [`frame_to_columns`], [`OutColumn`], [`OutData`] |
//! | `batches` | [`read_batches`]: a file read in bounded batches ([`BatchReader`], [`InputBatch`]) |
//! | `writer` | [`TableWriter`]: a table written batch by batch (CSV, Parquet, JSON Lines, JSON) |
//! | `cells` | one cell of any [`OutData`] as CSV or JSON text |
//! | `read_table` | [`read_table`], [`TextTable`], [`Cell`]: any table file back as cells |
//! | `format` | formats by extension, number and JSON string text |
//! | `sink` | parallel rendering, buffered writing |
//! | `guard` | the decoders' panics on damaged files, caught quietly |
//!
//! # Usage
//!
//! Read a CSV batch against a schema; the columns are the identity columns
//! `id` and `industry` (required), `name` and `district` (optional), and one
//! column per input:
//!
//! ```
//! use riskgrade_core::{InputSpec, InputType, Problem, Schema};
//! use riskgrade_io::read_frame;
//!
//! let spec = |ty| InputSpec { ty, derive: None, attribute: None, column: None, description: None };
//! let schema = Schema::new([
//!     ("penalties_3y".to_string(), spec(InputType::Count)),
//!     ("listed".to_string(), spec(InputType::Bool)),
//! ]);
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("batch.csv");
//! std::fs::write(&path, "id,industry,penalties_3y,listed,extra\nE1,C14,2,false,x\nE2,C14,-1,true,y\n")?;
//!
//! let frame = read_frame(&path, &schema)?;
//! assert_eq!(frame.len(), 2);
//! assert_eq!(frame.issues()[0].to_string(), "row 2, enterprise `E2`, column `penalties_3y`: negative count -1");
//! assert_eq!(frame.issues()[0].problem, Problem::Negative(-1.0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A column the schema needs but the file lacks is an error that suggests
//! the closest header:
//!
//! ```
//! # use riskgrade_core::{InputSpec, InputType, Schema};
//! # let spec = InputSpec { ty: InputType::Count, derive: None, attribute: None, column: None, description: None };
//! # let schema = Schema::new([("penalties_3y".to_string(), spec)]);
//! # let dir = tempfile::tempdir()?;
//! let path = dir.path().join("batch.csv");
//! std::fs::write(&path, "id,industry,penalty_3y\nE1,C14,2\n")?;
//! let err = riskgrade_io::read_frame(&path, &schema).unwrap_err();
//! assert!(err.to_string().ends_with("has no column `penalties_3y` (did you mean `penalty_3y`?)"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Nested profiles, one per line; a broken line is reported, not dropped
//! silently:
//!
//! ```
//! let text = "{\"id\": \"E1\", \"industry\": \"C14\"}\n{\"id\": \"E2\", \"industry\": \"C14\", \"recrods\": []}\n";
//! let profiles = riskgrade_io::parse_profiles_jsonl(text, false)?;
//! assert_eq!(profiles.enterprises.len(), 1);
//! assert_eq!(profiles.issues[0].line, 2);
//! assert!(riskgrade_io::parse_profiles_jsonl(text, true).is_err());
//! # Ok::<(), riskgrade_io::IoError>(())
//! ```
//!
//! Writing results, here to Parquet and back through Arrow:
//!
//! ```
//! use riskgrade_io::{OutColumn, OutData, write_table};
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("grades.parquet");
//! write_table(&path, &[
//!     OutColumn::new("id", OutData::Text(vec![Some("E1".into()), Some("E2".into())])),
//!     OutColumn::new("score", OutData::Number(vec![Some(91.5), None])),
//!     OutColumn::new("grade", OutData::Text(vec![Some("A".into()), None])),
//! ])?;
//! assert!(std::fs::metadata(&path)?.len() > 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod arrow_read;
mod batches;
mod cells;
mod columns;
mod csv_read;
mod error;
mod format;
mod guard;
mod profiles;
mod read_table;
mod sink;
mod stand_in;
mod table;
mod writer;

use std::path::Path;

use riskgrade_core::{Frame, Schema};

/// The Arrow array types and builders [`OutData`] holds, for callers that build columns.
pub use arrow_array as arrow;
pub use arrow_array::StringArray;
pub use arrow_read::{
    ArrowOptions, frame_from_batches, frame_from_batches_as_of, frame_from_batches_with,
};
/// Arrow's schema types (fields, data types), for callers that build columns.
pub use arrow_schema;
pub use batches::{BatchReader, InputBatch, read_batches};
pub use error::{ARROW_SOURCE, IoError, TEXT_SOURCE};
pub use profiles::{
    ProfileIssue, Profiles, parse_profiles_json, parse_profiles_jsonl, read_profiles,
    write_profiles_jsonl,
};
pub use read_table::{Cell, TextTable, read_table};
pub use sink::write_file;
pub use table::{OutColumn, OutData, frame_to_columns, table_to_batch};
pub use writer::{TableWriter, write_table};

/// Reads columnar data (`.csv` or `.parquet`, each row an enterprise) into a [`Frame`].
///
/// Columns are found by name: `id` and `industry` are required, `name` and
/// `district` optional (empty when absent), and each schema input is read
/// from `spec.column_name(input)`; other columns are ignored. CSV cells are
/// parsed as text by [`riskgrade_core::ColumnBuilder`] (an empty cell is a
/// missing value); Parquet types are converted as in [`frame_from_batches`].
/// Bad values become the frame's issues and their rows are kept. A CSV row
/// that cannot be read as it is (a cell that is not UTF-8, the wrong number
/// of fields, a quoted field that runs over line breaks where no text can: an
/// unterminated quote) is kept as a row with a [`riskgrade_core::Problem::Unreadable`]
/// issue, and every line such a quote swallowed becomes an unreadable row of
/// its own, named by the id on that line, after the others. Nested
/// profiles (`.json`, `.jsonl`) are read with [`read_profiles`] instead.
///
/// ```
/// use riskgrade_core::{InputSpec, InputType, Schema};
/// let spec = InputSpec { ty: InputType::Category, derive: None, attribute: None, column: Some("scale".into()), description: None };
/// let schema = Schema::new([("size".to_string(), spec)]);
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("batch.csv");
/// std::fs::write(&path, "id,name,industry,scale\nE1,\"Foods, Ltd\",C14,small\nE2,,C14,\n")?;
/// let frame = riskgrade_io::read_frame(&path, &schema)?;
/// assert_eq!(frame.names(), ["Foods, Ltd", ""]);
/// assert_eq!(frame.districts(), ["", ""]);
/// let (_, col) = frame.column("size").unwrap();
/// assert!(!col.is_missing(0) && col.is_missing(1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`IoError::UnknownFormat`] for another extension; [`IoError::Io`] when the
/// file cannot be read; [`IoError::MissingColumn`] when a required column is
/// absent; [`IoError::NotUtf8`] when the CSV header is not UTF-8; [`IoError::Arrow`] when
/// Parquet cannot be decoded; [`IoError::UnsupportedType`] when a Parquet
/// column's type cannot hold its input.
pub fn read_frame(path: &Path, schema: &Schema) -> Result<Frame, IoError> {
    match format::Format::of(path) {
        Some(format::Format::Csv) => csv_read::read_csv(path, schema),
        Some(format::Format::Parquet) => arrow_read::read_parquet(path, schema),
        _ => Err(IoError::UnknownFormat {
            file: path.to_path_buf(),
            supported: format::FRAME_FORMATS,
        }),
    }
}
