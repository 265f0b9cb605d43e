//! [`read_batches`]: a file of enterprises read in bounded batches, so a
//! caller can grade and write each batch before reading the next.
//!
//! Parquet and JSON Lines are read by a background thread one batch ahead of
//! the caller; CSV and JSON arrays are read whole, as one batch.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use arrow_array::RecordBatch;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use riskgrade_core::{Frame, Schema};

use crate::error::IoError;
use crate::format::Format;
use crate::profiles::{Profiles, parse_jsonl, read_profiles};

/// One batch of enterprises read from a file.
#[derive(Debug)]
pub enum InputBatch {
    /// Columns (CSV, Parquet), rows and issue rows counted from the batch's first row.
    Columns(Frame),
    /// Nested profiles (JSON Lines, JSON), with the ones that could not be read;
    /// their line numbers are the file's.
    Profiles(Profiles),
}

/// The batches of a file, in file order (see [`read_batches`]).
pub struct BatchReader {
    rx: Option<Receiver<Result<InputBatch, IoError>>>,
    worker: Option<JoinHandle<()>>,
}

impl Iterator for BatchReader {
    type Item = Result<InputBatch, IoError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.rx.as_ref()?.recv().ok()
    }
}

impl Drop for BatchReader {
    fn drop(&mut self) {
        // The worker stops at its next send once nobody receives.
        drop(self.rx.take());
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

/// Reads enterprises from `path` in batches of at most `rows` rows: Parquet
/// (`.parquet`, only the columns `schema` needs) and JSON Lines profiles
/// (`.jsonl`, `.ndjson`) as they go, one batch read ahead; CSV (`.csv`) and
/// JSON arrays (`.json`) whole, as a single batch. A batch's bad values are its
/// frame's issues (rows counted from the batch's first row), as in
/// [`crate::read_frame`] and [`crate::read_profiles`].
///
/// ```
/// use riskgrade_core::{InputSpec, InputType, Schema};
/// use riskgrade_io::{InputBatch, OutColumn, OutData, read_batches, write_table};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("batch.parquet");
/// write_table(&path, &[
///     OutColumn::new("id", OutData::Text((0..5).map(|i| Some(format!("E{i}"))).collect())),
///     OutColumn::new("industry", OutData::Text(vec![Some("C14".into()); 5])),
/// ])?;
/// let sizes: Vec<usize> = read_batches(&path, &Schema::default(), 2)?
///     .map(|b| match b? { InputBatch::Columns(f) => Ok(f.len()), _ => Ok(0) })
///     .collect::<Result<_, riskgrade_io::IoError>>()?;
/// assert_eq!(sizes, [2, 2, 1]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`crate::read_frame`] and [`crate::read_profiles`]: at once for a file
/// that cannot be opened or lacks a column, and as an item of the iterator for
/// a problem found further in.
pub fn read_batches(path: &Path, schema: &Schema, rows: usize) -> Result<BatchReader, IoError> {
    let rows = rows.max(1);
    let (tx, rx) = sync_channel(1);
    let worker = match Format::of(path) {
        Some(Format::Parquet) => parquet_worker(path, schema, rows, tx)?,
        Some(Format::Jsonl) => jsonl_worker(path, rows, tx)?,
        Some(Format::Csv) => {
            let _ = tx.send(crate::read_frame(path, schema).map(InputBatch::Columns));
            None
        }
        Some(Format::Json) => {
            let _ = tx.send(read_profiles(path, false).map(InputBatch::Profiles));
            None
        }
        None => {
            return Err(IoError::UnknownFormat {
                file: path.to_path_buf(),
                supported: crate::format::TABLE_FORMATS,
            });
        }
    };
    Ok(BatchReader {
        rx: Some(rx),
        worker,
    })
}

/// Checks the file's columns now, then reads batches on a thread.
fn parquet_worker(
    path: &Path,
    schema: &Schema,
    rows: usize,
    tx: SyncSender<Result<InputBatch, IoError>>,
) -> Result<Option<JoinHandle<()>>, IoError> {
    let pq = |e: parquet::errors::ParquetError| IoError::arrow(path, &e);
    let file = File::open(path).map_err(|e| IoError::io(path, &e))?;
    let meta = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()).map_err(pq)?;
    let arrow_schema = meta.schema().clone();
    let headers: Vec<&str> = arrow_schema
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    let roots: Vec<usize> = crate::columns::plan(path, &headers, schema)?
        .iter()
        .filter_map(|w| w.index)
        .collect();
    let mask = ProjectionMask::roots(meta.parquet_schema(), roots);
    let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(file, meta)
        .with_projection(mask)
        .with_batch_size(rows)
        .build()
        .map_err(pq)?;
    let (owned, schema) = (path.to_path_buf(), schema.clone());
    let convert = move |batch: RecordBatch| {
        crate::arrow_read::frame_from_file_batches(&owned, &arrow_schema, &[batch], &schema, false)
    };
    let file_name = path.to_path_buf();
    Ok(Some(std::thread::spawn(move || {
        let mut reader = reader;
        loop {
            // The decoders panic on some damaged files: such a batch refuses the file.
            // Caught quietly, as the whole-file readers do: no panic text on the terminal.
            let next = crate::guard::catch_quietly(|| {
                reader.next().map(|b| {
                    b.map_err(|e| IoError::arrow(&file_name, &e))
                        .and_then(&convert)
                })
            });
            let item = match next {
                Ok(None) => return,
                Ok(Some(item)) => item.map(InputBatch::Columns),
                Err(_) => Err(IoError::Arrow {
                    file: file_name.clone(),
                    message: "the file is damaged: the Parquet decoder failed on it".into(),
                }),
            };
            let stop = item.is_err();
            if tx.send(item).is_err() || stop {
                return;
            }
        }
    })))
}

/// Reads profiles `rows` lines at a time on a thread; line numbers stay the file's.
fn jsonl_worker(
    path: &Path,
    rows: usize,
    tx: SyncSender<Result<InputBatch, IoError>>,
) -> Result<Option<JoinHandle<()>>, IoError> {
    let file = File::open(path).map_err(|e| IoError::io(path, &e))?;
    let path = path.to_path_buf();
    Ok(Some(std::thread::spawn(move || {
        let mut input = BufReader::with_capacity(1 << 20, file);
        let (mut lines_before, mut profiles_before) = (0usize, 0usize);
        loop {
            let mut chunk = Vec::new();
            let (mut lines, mut profiles) = (0usize, 0usize);
            while profiles < rows {
                let start = chunk.len();
                match input.read_until(b'\n', &mut chunk) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) => {
                        let _ = tx.send(Err(IoError::io(&path, &e)));
                        return;
                    }
                }
                lines += 1;
                profiles += usize::from(!chunk[start..].trim_ascii().is_empty());
            }
            if lines == 0 {
                return;
            }
            let bytes = match lines_before {
                0 => chunk.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&chunk),
                _ => &chunk[..],
            };
            let item = parse_jsonl(&path, bytes, false).map(|mut p| {
                for issue in &mut p.issues {
                    issue.line += lines_before;
                    issue.position += profiles_before;
                }
                InputBatch::Profiles(p)
            });
            lines_before += lines;
            profiles_before += profiles;
            if tx.send(item).is_err() {
                return;
            }
        }
    })))
}
