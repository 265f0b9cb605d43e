//! CSV → [`Frame`].
//!
//! One thread parses records and copies the wanted cells of up to
//! [`CHUNK_ROWS`] records into one compact chunk (a `String` and the span of
//! each cell, column by column), checking UTF-8 once per chunk. The caller's
//! thread feeds each chunk to the column builders, one rayon task per column.
//! Chunks are small enough to stay in cache and are recycled; cells are
//! borrowed from the chunk, so the only allocations per row are the identity
//! strings the frame keeps.

use std::fs::File;
use std::path::Path;
use std::sync::mpsc;

use rayon::prelude::*;
use riskgrade_core::{ColumnBuilder, Frame, InputType, Problem, RawValue, Schema};

use crate::columns::{Built, Target, Wanted, assemble, builder, plan};
use crate::error::IoError;

/// Most records in a chunk.
const CHUNK_ROWS: usize = 1024;
/// A chunk is handed over once its text reaches this many bytes.
const CHUNK_BYTES: usize = 1 << 20;

/// The wanted cells of consecutive records.
struct Chunk {
    /// The cells, concatenated.
    text: String,
    /// `spans[j * CHUNK_ROWS + r]`: the byte range in `text` of wanted column `j` in record `r`.
    spans: Vec<[u32; 2]>,
    /// The line each record starts on.
    lines: Vec<usize>,
    /// Number of records.
    rows: usize,
    /// Records (index in the chunk, fields found) whose field count differs from the header's.
    ragged: Vec<(usize, usize)>,
}

impl Chunk {
    fn new(columns: usize) -> Chunk {
        Chunk {
            text: String::with_capacity(CHUNK_BYTES + (64 << 10)),
            spans: vec![[0, 0]; columns * CHUNK_ROWS],
            lines: Vec::with_capacity(CHUNK_ROWS),
            rows: 0,
            ragged: Vec::new(),
        }
    }

    /// The cells of wanted column `j`, by record.
    fn column(&self, j: usize) -> &[[u32; 2]] {
        self.spans
            .get(j * CHUNK_ROWS..j * CHUNK_ROWS + self.rows)
            .unwrap_or_default()
    }
}

/// Where the values of one wanted column go.
enum Sink {
    Text {
        target: Target,
        values: Vec<String>,
    },
    /// `numeric`: a number, integer or count input, whose cells are parsed here.
    Input {
        k: usize,
        builder: ColumnBuilder,
        numeric: bool,
    },
}

impl Sink {
    /// Feeds wanted column `j` of the chunk; on a cell that is not UTF-8, its record.
    fn feed(&mut self, chunk: &Chunk, j: usize) -> Result<(), usize> {
        let cells = chunk.column(j).iter().enumerate();
        let cell = |r: usize, [s, e]: [u32; 2]| chunk.text.get(s as usize..e as usize).ok_or(r);
        match self {
            Sink::Text { values, .. } => {
                values.reserve(chunk.rows);
                for (r, &span) in cells {
                    values.push(cell(r, span)?.trim().to_string());
                }
            }
            Sink::Input {
                builder, numeric, ..
            } => {
                builder.reserve(chunk.rows);
                for (r, &span) in cells {
                    let text = cell(r, span)?;
                    builder.push(if text.is_empty() {
                        RawValue::Missing
                    } else if *numeric && let Some(x) = parse_number(text) {
                        RawValue::Number(x)
                    } else {
                        // The builder trims, parses and reports what does not parse.
                        RawValue::Text(text)
                    });
                }
            }
        }
        Ok(())
    }

    fn finish(self) -> Built {
        match self {
            Sink::Text { target, values } => Built::Text(target, values),
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
        .flexible(true)
        .has_headers(true)
        .buffer_capacity(1 << 20)
        .from_reader(file);
    let header = reader
        .byte_headers()
        .map_err(|e| IoError::csv(path, e))?
        .clone();
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
    let wanted: Vec<&Wanted<'_>> = wanted.iter().filter(|w| w.index.is_some()).collect();
    let indices: Vec<usize> = wanted.iter().filter_map(|w| w.index).collect();
    let columns: Vec<&str> = wanted.iter().map(|w| w.column).collect();
    let mut sinks: Vec<Sink> = wanted.iter().map(|w| sink(w, schema)).collect();

    let (full_tx, full_rx) = mpsc::sync_channel::<Result<Chunk, IoError>>(4);
    let (empty_tx, empty_rx) = mpsc::channel::<Chunk>();
    let fed = std::thread::scope(|scope| {
        let from = Source {
            path,
            indices: &indices,
            columns: &columns,
            fields: header.len(),
        };
        scope.spawn(move || from.parse(reader, full_tx, empty_rx));
        feed_all(path, &columns, &mut sinks, full_rx, empty_tx, header.len())
    });
    let ragged = fed?;
    Ok(assemble(
        schema,
        sinks.into_iter().map(Sink::finish).collect(),
        ragged,
    ))
}

/// A number cell without surrounding spaces, parsed as [`ColumnBuilder`]
/// would parse it; the builder still checks the value (finite, not negative, whole).
fn parse_number(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let padded = |c: Option<&u8>| c.is_some_and(|c| !c.is_ascii_graphic());
    if padded(b.first()) || padded(b.last()) {
        return None;
    }
    text.parse().ok()
}

fn sink(w: &Wanted<'_>, schema: &Schema) -> Sink {
    match w.target {
        Target::Input(k) => {
            let (builder, ty) = builder(schema, k);
            let numeric = matches!(
                ty,
                InputType::Number | InputType::Integer | InputType::Count
            );
            Sink::Input {
                k,
                builder,
                numeric,
            }
        }
        target => Sink::Text {
            target,
            values: Vec::new(),
        },
    }
}

/// What the parsing thread needs to know.
struct Source<'a> {
    path: &'a Path,
    /// File column of each wanted column.
    indices: &'a [usize],
    /// Header of each wanted column.
    columns: &'a [&'a str],
    /// Fields in the header.
    fields: usize,
}

impl Source<'_> {
    /// The parsing thread: fills chunks (recycled through `empty`) and sends them on `full`.
    fn parse(
        &self,
        mut reader: csv::Reader<File>,
        full: mpsc::SyncSender<Result<Chunk, IoError>>,
        empty: mpsc::Receiver<Chunk>,
    ) {
        let mut record = csv::ByteRecord::new();
        loop {
            let mut chunk = empty
                .try_recv()
                .unwrap_or_else(|_| Chunk::new(self.indices.len()));
            let mut bytes = std::mem::take(&mut chunk.text).into_bytes();
            bytes.clear();
            chunk.lines.clear();
            chunk.ragged.clear();
            chunk.rows = 0;
            let mut done = false;
            while chunk.rows < CHUNK_ROWS && bytes.len() < CHUNK_BYTES {
                match reader.read_byte_record(&mut record) {
                    Ok(true) => {}
                    Ok(false) => {
                        done = true;
                        break;
                    }
                    Err(e) => {
                        let _ = full.send(Err(IoError::csv(self.path, e)));
                        return;
                    }
                }
                let line = record.position().map_or(0, |p| p.line() as usize);
                if record.len() != self.fields {
                    // Kept as a row (cells past the end are missing) and reported, not fatal.
                    chunk.ragged.push((chunk.rows, record.len()));
                }
                for (j, &c) in self.indices.iter().enumerate() {
                    let start = bytes.len();
                    bytes.extend_from_slice(record.get(c).unwrap_or_default());
                    let (Ok(s), Ok(e)) = (u32::try_from(start), u32::try_from(bytes.len())) else {
                        let message = "record too long".to_string();
                        let _ = full.send(Err(IoError::Csv {
                            file: self.path.to_path_buf(),
                            line,
                            message,
                        }));
                        return;
                    };
                    if let Some(span) = chunk.spans.get_mut(j * CHUNK_ROWS + chunk.rows) {
                        *span = [s, e];
                    }
                }
                chunk.lines.push(line);
                chunk.rows += 1;
            }
            match String::from_utf8(bytes) {
                Ok(text) => chunk.text = text,
                Err(e) => {
                    let _ = full.send(Err(self.not_utf8(&chunk, e.as_bytes())));
                    return;
                }
            }
            if chunk.rows > 0 && full.send(Ok(chunk)).is_err() {
                return; // the builders stopped
            }
            if done {
                return;
            }
        }
    }

    /// The error for the first cell of the chunk (whose text is `bytes`) that is not UTF-8.
    fn not_utf8(&self, chunk: &Chunk, bytes: &[u8]) -> IoError {
        let bad = (0..chunk.rows).find_map(|r| {
            (0..self.indices.len())
                .find(|&j| {
                    let [s, e] = chunk
                        .spans
                        .get(j * CHUNK_ROWS + r)
                        .copied()
                        .unwrap_or_default();
                    bytes
                        .get(s as usize..e as usize)
                        .is_some_and(|cell| std::str::from_utf8(cell).is_err())
                })
                .map(|j| (r, j))
        });
        let (r, j) = bad.unwrap_or_default();
        IoError::NotUtf8 {
            file: self.path.to_path_buf(),
            line: chunk.lines.get(r).copied().unwrap_or_default(),
            column: bad.and_then(|_| self.columns.get(j)).map(|c| c.to_string()),
        }
    }
}

/// The builders: feed every chunk to every sink, one rayon task per sink.
fn feed_all(
    path: &Path,
    columns: &[&str],
    sinks: &mut [Sink],
    full: mpsc::Receiver<Result<Chunk, IoError>>,
    empty: mpsc::Sender<Chunk>,
    fields: usize,
) -> Result<Vec<(usize, String, Problem)>, IoError> {
    let mut ragged = Vec::new();
    let mut offset = 0;
    for chunk in full {
        let chunk = chunk?;
        for &(r, found) in &chunk.ragged {
            let line = chunk.lines.get(r).copied().unwrap_or_default();
            let message = format!("line {line} has {found} fields but the header has {fields}");
            ragged.push((
                offset + r,
                "(row)".to_string(),
                Problem::Unreadable(message),
            ));
        }
        offset += chunk.rows;
        let bad = sinks
            .par_iter_mut()
            .enumerate()
            .filter_map(|(j, s)| s.feed(&chunk, j).err().map(|r| (r, j)))
            .min();
        if let Some((r, j)) = bad {
            return Err(IoError::NotUtf8 {
                file: path.to_path_buf(),
                line: chunk.lines.get(r).copied().unwrap_or_default(),
                column: columns.get(j).map(|c| c.to_string()),
            });
        }
        // The parser may have finished already; then the chunk is simply dropped.
        let _ = empty.send(chunk);
    }
    Ok(ragged)
}
