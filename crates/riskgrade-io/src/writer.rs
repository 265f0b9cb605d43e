//! [`TableWriter`]: a table written batch by batch, so results can be written
//! as they are graded and memory does not grow with the input.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use parquet::arrow::arrow_writer::{ArrowRowGroupWriterFactory, compute_leaves};
use parquet::arrow::{ArrowSchemaConverter, add_encoded_arrow_schema_to_metadata};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;
use rayon::prelude::*;

use crate::cells::{csv_cell, json_cell};
use crate::error::IoError;
use crate::format::{self, Format, TABLE_FORMATS};
use crate::sink::{self, Pending};
use crate::table::{OutColumn, OutData, check_lengths, table_to_batch};

/// Rows per Parquet row group at most; row groups are read back in parallel.
const ROW_GROUP: usize = 128 * 1024;

/// Rows rendered per task for CSV and JSON.
const TEXT_CHUNK: usize = 4096;

/// A Parquet file being written: the file writer, its row-group factory, the schema.
struct ParquetOut {
    writer: SerializedFileWriter<BufWriter<File>>,
    factory: ArrowRowGroupWriterFactory,
    schema: SchemaRef,
    groups: usize,
}

/// Where the rows go.
enum Out {
    /// CSV or JSON text (the buffer is taken when the file is finished).
    Text(Option<BufWriter<File>>),
    /// Parquet: the buffer until the first batch gives the schema, then the writer.
    Parquet(Option<BufWriter<File>>, Option<Box<ParquetOut>>),
}

/// A results table written one batch of rows at a time, in the format of its
/// file's extension (as [`crate::write_table`] writes it: the same bytes for
/// the same rows however they are split into batches).
///
/// Every batch must have the columns of the first (same names, same order,
/// same types). The file is written beside its destination and put in place
/// by [`TableWriter::finish`]; a writer dropped before that leaves no file.
///
/// ```
/// use riskgrade_io::{OutColumn, OutData, TableWriter};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("scores.jsonl");
/// let mut w = TableWriter::create(&path)?;
/// w.write(&[OutColumn::new("score", OutData::Number(vec![Some(1.0)]))])?;
/// w.write(&[OutColumn::new("score", OutData::Number(vec![Some(2.5), None]))])?;
/// assert_eq!(w.rows(), 3);
/// w.finish()?;
/// assert_eq!(std::fs::read_to_string(&path)?, "{\"score\":1}\n{\"score\":2.5}\n{\"score\":null}\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TableWriter {
    path: PathBuf,
    format: Format,
    pending: Option<Pending>,
    out: Out,
    names: Option<Vec<String>>,
    rows: usize,
}

impl TableWriter {
    /// Starts writing a table to `path`; the extension picks the format
    /// (`.csv`, `.parquet`, `.jsonl`/`.ndjson`, `.json`).
    ///
    /// # Errors
    /// [`IoError::UnknownFormat`] for another extension, [`IoError::Io`] when
    /// the file cannot be created.
    pub fn create(path: &Path) -> Result<TableWriter, IoError> {
        let Some(format) = Format::of(path) else {
            return Err(IoError::UnknownFormat {
                file: path.to_path_buf(),
                supported: TABLE_FORMATS,
            });
        };
        let (buf, pending) = sink::create(path)?;
        let out = match format {
            Format::Parquet => Out::Parquet(Some(buf), None),
            _ => Out::Text(Some(buf)),
        };
        Ok(TableWriter {
            path: path.to_path_buf(),
            format,
            pending: Some(pending),
            out,
            names: None,
            rows: 0,
        })
    }

    /// Rows written so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Appends a batch of rows.
    ///
    /// # Errors
    /// [`IoError::ColumnLength`] when the columns differ in length,
    /// [`IoError::BatchColumns`] when they are not those of the first batch,
    /// [`IoError::Io`] when writing fails, [`IoError::Arrow`] when Parquet encoding fails.
    pub fn write(&mut self, columns: &[OutColumn]) -> Result<(), IoError> {
        let rows = check_lengths(columns)?;
        let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
        match &self.names {
            Some(first) if *first != names => {
                return Err(IoError::BatchColumns {
                    expected: first.clone(),
                    found: names,
                });
            }
            Some(_) => {}
            None => {
                if self.format == Format::Csv {
                    self.csv_header(columns)?;
                }
                self.names = Some(names);
            }
        }
        match self.format {
            Format::Csv => self.text_rows(columns, rows, false)?,
            Format::Jsonl => self.text_rows(columns, rows, true)?,
            Format::Json => self.text_rows(columns, rows, true)?,
            Format::Parquet => self.parquet_rows(columns)?,
        }
        self.rows += rows;
        Ok(())
    }

    /// Completes the file and puts it in place.
    ///
    /// # Errors
    /// [`IoError::Io`] when writing fails, [`IoError::Arrow`] when Parquet encoding fails.
    pub fn finish(mut self) -> Result<(), IoError> {
        let path = self.path.clone();
        let buf = match std::mem::replace(&mut self.out, Out::Text(None)) {
            Out::Text(buf) => {
                let mut buf = buf.ok_or_else(|| closed(&path))?;
                if self.format == Format::Json {
                    let end: &[u8] = if self.rows == 0 { b"[]\n" } else { b"\n]\n" };
                    buf.write_all(end).map_err(|e| IoError::io(&path, &e))?;
                }
                buf
            }
            Out::Parquet(buf, parquet) => {
                let parquet = match (parquet, buf) {
                    (Some(p), _) => p,
                    (None, Some(buf)) => {
                        // No batch at all: a file of no columns and no rows.
                        let empty = table_to_batch(&[])?;
                        Box::new(start_parquet(&path, buf, &[], empty.schema())?)
                    }
                    (None, None) => return Err(closed(&path)),
                };
                let pq = |e: parquet::errors::ParquetError| IoError::arrow(&path, &e);
                parquet.writer.into_inner().map_err(pq)?
            }
        };
        match self.pending.take() {
            Some(p) => p.finish(buf),
            None => Err(closed(&path)),
        }
    }

    fn csv_header(&mut self, columns: &[OutColumn]) -> Result<(), IoError> {
        let mut header = Vec::new();
        for (i, c) in columns.iter().enumerate() {
            if i > 0 {
                header.push(b',');
            }
            format::csv_text(&mut header, &c.name);
        }
        header.push(b'\n');
        let Out::Text(Some(buf)) = &mut self.out else {
            return Err(closed(&self.path));
        };
        buf.write_all(&header)
            .map_err(|e| IoError::io(&self.path, &e))
    }

    /// CSV (`json` false) or JSON rows, rendered in parallel chunks.
    fn text_rows(&mut self, columns: &[OutColumn], rows: usize, json: bool) -> Result<(), IoError> {
        let Out::Text(Some(buf)) = &mut self.out else {
            return Err(closed(&self.path));
        };
        let (offset, array) = (self.rows, self.format == Format::Json);
        let keys: Vec<Vec<u8>> = columns
            .iter()
            .map(|c| {
                let mut k = Vec::new();
                format::json_string(&mut k, &c.name);
                k.push(b':');
                k
            })
            .collect();
        let lone = columns.len() == 1;
        sink::render_chunks(buf, &self.path, 0..rows, TEXT_CHUNK, |range, out| {
            for r in range {
                if json {
                    json_row(out, columns, &keys, r, array.then_some(offset + r));
                } else {
                    csv_row(out, columns, r, lone);
                }
            }
            Ok(())
        })
    }

    fn parquet_rows(&mut self, columns: &[OutColumn]) -> Result<(), IoError> {
        let batch = table_to_batch(columns)?;
        let Out::Parquet(buf, parquet) = &mut self.out else {
            return Err(closed(&self.path));
        };
        if parquet.is_none() {
            let buf = buf.take().ok_or_else(|| closed(&self.path))?;
            *parquet = Some(Box::new(start_parquet(
                &self.path,
                buf,
                columns,
                batch.schema(),
            )?));
        }
        let Some(p) = parquet.as_mut() else {
            return Err(closed(&self.path));
        };
        if p.schema.fields() != batch.schema().fields() {
            return Err(IoError::BatchColumns {
                expected: fields_text(&p.schema),
                found: fields_text(&batch.schema()),
            });
        }
        p.write(&self.path, &batch)
    }
}

/// The error for a writer used after it failed part-way.
fn closed(path: &Path) -> IoError {
    IoError::io(
        path,
        &std::io::Error::other("the output was closed by an earlier error"),
    )
}

/// Each field as `name: type`, for an error.
fn fields_text(schema: &SchemaRef) -> Vec<String> {
    schema
        .fields()
        .iter()
        .map(|f| format!("{}: {}", f.name(), f.data_type()))
        .collect()
}

/// One CSV line.
fn csv_row(out: &mut Vec<u8>, columns: &[OutColumn], r: usize, lone: bool) {
    let line = out.len();
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        csv_cell(out, &c.data, r);
    }
    if lone && out.len() == line {
        // An empty line would be skipped by readers: quote the empty value.
        out.extend_from_slice(b"\"\"");
    }
    out.push(b'\n');
}

/// One JSON object: a line of JSON Lines, or an element of a JSON array
/// (`array` holding its position in the whole array).
fn json_row(
    out: &mut Vec<u8>,
    columns: &[OutColumn],
    keys: &[Vec<u8>],
    r: usize,
    array: Option<usize>,
) {
    match array {
        Some(0) => out.extend_from_slice(b"[\n"),
        Some(_) => out.extend_from_slice(b",\n"),
        None => {}
    }
    out.push(b'{');
    for (i, (c, key)) in columns.iter().zip(keys).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(key);
        json_cell(out, &c.data, r);
    }
    out.push(b'}');
    if array.is_none() {
        out.push(b'\n');
    }
}

/// Values of a text column looked at to judge whether they repeat.
const DICTIONARY_SAMPLE: usize = 4096;

/// Fewer values than this in the first batch tell nothing: the column keeps its dictionary.
const DICTIONARY_SAMPLE_MIN: usize = 64;

/// Whether the first [`DICTIONARY_SAMPLE`] values of a text column are mostly
/// distinct (more than half of the non-missing ones, of at least
/// [`DICTIONARY_SAMPLE_MIN`]), as ids and free-text
/// reasons are: a Parquet dictionary would hash every value only to be given
/// up when it outgrows its page, so such columns are written plain.
fn mostly_distinct(data: &OutData) -> bool {
    let values: Vec<&str> = match data {
        OutData::Text(v) => v
            .iter()
            .take(DICTIONARY_SAMPLE)
            .flatten()
            .map(String::as_str)
            .collect(),
        OutData::Utf8(a) => a.iter().take(DICTIONARY_SAMPLE).flatten().collect(),
        _ => return false,
    };
    let distinct: std::collections::HashSet<&str> = values.iter().copied().collect();
    values.len() >= DICTIONARY_SAMPLE_MIN && distinct.len() * 2 > values.len()
}

/// Opens the Parquet writer: zstd, no dictionary for real numbers (they rarely
/// repeat) nor for text columns whose first values are mostly distinct.
fn start_parquet(
    path: &Path,
    buf: BufWriter<File>,
    columns: &[OutColumn],
    schema: SchemaRef,
) -> Result<ParquetOut, IoError> {
    let pq = |e: parquet::errors::ParquetError| IoError::arrow(path, &e);
    let mut builder =
        WriterProperties::builder().set_compression(Compression::ZSTD(ZstdLevel::default()));
    for c in columns.iter().filter(|c| {
        matches!(c.data, OutData::Number(_) | OutData::Float64(_)) || mostly_distinct(&c.data)
    }) {
        builder = builder.set_column_dictionary_enabled(ColumnPath::from(c.name.as_str()), false);
    }
    let mut props = builder.build();
    add_encoded_arrow_schema_to_metadata(&schema, &mut props);
    let props = Arc::new(props);
    let parquet_schema = ArrowSchemaConverter::new()
        .with_coerce_types(props.coerce_types())
        .convert(&schema)
        .map_err(pq)?;
    let writer =
        SerializedFileWriter::new(buf, parquet_schema.root_schema_ptr(), props).map_err(pq)?;
    let factory = ArrowRowGroupWriterFactory::new(&writer, Arc::clone(&schema));
    Ok(ParquetOut {
        writer,
        factory,
        schema,
        groups: 0,
    })
}

impl ParquetOut {
    /// Writes a batch as row groups of at most [`ROW_GROUP`] rows, encoding
    /// the columns of each group in parallel.
    fn write(&mut self, path: &Path, batch: &RecordBatch) -> Result<(), IoError> {
        let pq = |e: parquet::errors::ParquetError| IoError::arrow(path, &e);
        for start in (0..batch.num_rows()).step_by(ROW_GROUP) {
            let slice = batch.slice(start, ROW_GROUP.min(batch.num_rows() - start));
            let writers = self
                .factory
                .create_column_writers(self.groups)
                .map_err(pq)?;
            self.groups += 1;
            let chunks = writers
                .into_par_iter()
                .zip(
                    slice
                        .columns()
                        .par_iter()
                        .zip(self.schema.fields().par_iter()),
                )
                .map(|(mut w, (array, field))| {
                    for leaf in compute_leaves(field, array)? {
                        w.write(&leaf)?;
                    }
                    w.close()
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(pq)?;
            let mut row_group = self.writer.next_row_group().map_err(pq)?;
            for chunk in chunks {
                chunk.append_to_row_group(&mut row_group).map_err(pq)?;
            }
            row_group.close().map_err(pq)?;
        }
        Ok(())
    }
}

/// Writes a table to `path`; the extension picks the format.
///
/// | extension | output |
/// |---|---|
/// | `.csv` | a header, then one line per row; whole numbers without `.0`, other numbers in their shortest exact form, text quoted when needed, lists as JSON arrays of strings, missing values empty |
/// | `.parquet` | one file, zstd-compressed, typed as [`table_to_batch`] types it |
/// | `.jsonl`, `.ndjson` | one JSON object per row, lists as JSON arrays, missing values `null` |
/// | `.json` | a JSON array of those objects |
///
/// Rows are rendered in parallel chunks and written through a buffer to a
/// temporary file beside `path`, which is renamed to `path` once complete: a
/// failed write leaves no partial file (and an earlier file at `path` as it was).
/// Non-finite numbers are written empty (NaN), `inf`/`-inf` in CSV and `null` in JSON.
///
/// Text is made safe for the programs that open it. In CSV, a control
/// character (U+0000–U+001F, U+007F–U+009F) other than a line feed or a tab
/// is written as `\uXXXX` (line feeds and tabs stay, inside quotes), and a
/// text cell that would start with `=`, `+`, `-`, `@` or a tab (a spreadsheet
/// formula) gets a `'` in front, inside quotes (the OWASP CSV-injection rule;
/// [`crate::read_table`] removes it again). JSON escapes every control
/// character. Parquet keeps text exactly.
///
/// ```
/// use riskgrade_io::{OutColumn, OutData, write_table};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("scores.csv");
/// write_table(&path, &[
///     OutColumn::new("id", OutData::Text(vec![Some("E1".into()), Some("E, 2".into())])),
///     OutColumn::new("score", OutData::Number(vec![Some(87.0), Some(61.25)])),
///     OutColumn::new("veto", OutData::Bool(vec![Some(false), None])),
/// ])?;
/// assert_eq!(std::fs::read_to_string(&path)?, "id,score,veto\nE1,87,false\n\"E, 2\",61.25,\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`IoError::UnknownFormat`] for another extension, [`IoError::ColumnLength`]
/// when the columns differ in length, [`IoError::Io`] when the file cannot be
/// written, [`IoError::Arrow`] when Parquet encoding fails.
pub fn write_table(path: &Path, columns: &[OutColumn]) -> Result<(), IoError> {
    check_lengths(columns)?;
    let mut out = TableWriter::create(path)?;
    out.write(columns)?;
    out.finish()
}
