//! CSV → [`Frame`].
//!
//! One thread parses records into reusable [`csv::ByteRecord`] chunks while
//! the caller's thread feeds each chunk to the column builders, one rayon task
//! per column. Cells are borrowed from the records: the only allocations per
//! row are the identity strings the frame keeps.

use std::fs::File;
use std::path::Path;
use std::sync::mpsc;

use rayon::prelude::*;
use riskgrade_core::{ColumnBuilder, Frame, RawValue, Schema};

use crate::columns::{Built, Target, Wanted, assemble, builder, plan};
use crate::error::IoError;

/// Records per chunk handed from the parsing thread to the builders.
const CHUNK: usize = 8192;

/// A chunk of records; only the first `len` are filled.
struct Chunk {
    records: Vec<csv::ByteRecord>,
    len: usize,
}

/// Where the values of one file column go.
enum Sink {
    Text { target: Target, index: usize, values: Vec<String> },
    Input { k: usize, index: usize, builder: ColumnBuilder },
}

impl Sink {
    /// Feeds the chunk's cells; on text that is not UTF-8, the record's position in the chunk.
    fn feed(&mut self, records: &[csv::ByteRecord]) -> Result<(), usize> {
        match self {
            Sink::Text { index, values, .. } => {
                values.reserve(records.len());
                for (i, r) in records.iter().enumerate() {
                    let cell = std::str::from_utf8(r.get(*index).unwrap_or_default()).map_err(|_| i)?;
                    values.push(cell.trim().to_string());
                }
            }
            Sink::Input { index, builder, .. } => {
                builder.reserve(records.len());
                for (i, r) in records.iter().enumerate() {
                    let cell = r.get(*index).unwrap_or_default();
                    if cell.is_empty() {
                        builder.push(RawValue::Missing);
                    } else {
                        builder.push(RawValue::Text(std::str::from_utf8(cell).map_err(|_| i)?));
                    }
                }
            }
        }
        Ok(())
    }

    fn index(&self) -> usize {
        match self {
            Sink::Text { index, .. } | Sink::Input { index, .. } => *index,
        }
    }

    fn finish(self) -> Built {
        match self {
            Sink::Text { target, values, .. } => Built::Text(target, values),
            Sink::Input { k, builder, .. } => {
                let (col, issues) = builder.finish();
                Built::Input(k, col, issues)
            }
        }
    }
}

pub(crate) fn read_csv(path: &Path, schema: &Schema) -> Result<Frame, IoError> {
    let file = File::open(path).map_err(|e| IoError::io(path, &e))?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .has_headers(true)
        .buffer_capacity(1 << 20)
        .from_reader(file);
    let header = reader.byte_headers().map_err(|e| IoError::csv(path, e))?.clone();
    let mut names = Vec::with_capacity(header.len());
    for (i, h) in header.iter().enumerate() {
        let name = std::str::from_utf8(h).map_err(|_| IoError::NotUtf8 {
            file: path.to_path_buf(),
            line: 1,
            column: Some(format!("#{}", i + 1)),
        })?;
        names.push(name.trim_start_matches('\u{feff}').trim());
    }
    let wanted = plan(path, &names, schema)?;
    let mut sinks: Vec<Sink> = wanted.iter().filter_map(|w| sink(w, schema)).collect();

    let (full_tx, full_rx) = mpsc::sync_channel::<Result<Chunk, IoError>>(2);
    let (empty_tx, empty_rx) = mpsc::channel::<Chunk>();
    let fed = std::thread::scope(|scope| {
        scope.spawn(move || parse(path, reader, full_tx, empty_rx));
        feed_all(path, &names, &mut sinks, full_rx, empty_tx)
    });
    fed?;
    Ok(assemble(schema, sinks.into_iter().map(Sink::finish).collect()))
}

fn sink(w: &Wanted<'_>, schema: &Schema) -> Option<Sink> {
    let index = w.index?;
    Some(match w.target {
        Target::Input(k) => Sink::Input { k, index, builder: builder(schema, k).0 },
        target => Sink::Text { target, index, values: Vec::new() },
    })
}

/// The parsing thread: fills chunks (recycled through `empty`) and sends them on `full`.
fn parse(
    path: &Path,
    mut reader: csv::Reader<File>,
    full: mpsc::SyncSender<Result<Chunk, IoError>>,
    empty: mpsc::Receiver<Chunk>,
) {
    loop {
        let mut chunk = empty.try_recv().unwrap_or_else(|_| Chunk { records: Vec::with_capacity(CHUNK), len: 0 });
        chunk.len = 0;
        while chunk.len < CHUNK {
            if chunk.len == chunk.records.len() {
                chunk.records.push(csv::ByteRecord::new());
            }
            match reader.read_byte_record(&mut chunk.records[chunk.len]) {
                Ok(true) => chunk.len += 1,
                Ok(false) => break,
                Err(e) => {
                    let _ = full.send(Err(IoError::csv(path, e)));
                    return;
                }
            }
        }
        let last = chunk.len < CHUNK;
        if chunk.len > 0 && full.send(Ok(chunk)).is_err() {
            return; // the builders stopped
        }
        if last {
            return;
        }
    }
}

/// The builders: feed every chunk to every sink, one rayon task per sink.
fn feed_all(
    path: &Path,
    names: &[&str],
    sinks: &mut [Sink],
    full: mpsc::Receiver<Result<Chunk, IoError>>,
    empty: mpsc::Sender<Chunk>,
) -> Result<(), IoError> {
    for chunk in full {
        let chunk = chunk?;
        let records = &chunk.records[..chunk.len];
        let bad = sinks
            .par_iter_mut()
            .filter_map(|s| s.feed(records).err().map(|row| (row, s.index())))
            .min();
        if let Some((row, index)) = bad {
            return Err(IoError::NotUtf8 {
                file: path.to_path_buf(),
                line: records.get(row).and_then(|r| r.position()).map_or(0, |p| p.line() as usize),
                column: names.get(index).map(|s| s.to_string()),
            });
        }
        // The parser may have finished already; then the chunk is simply dropped.
        let _ = empty.send(chunk);
    }
    Ok(())
}
