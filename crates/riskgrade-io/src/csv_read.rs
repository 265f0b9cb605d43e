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
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::mpsc;

use csv::ByteRecord;

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
    /// Records that cannot be read as they are: (index in the chunk, column, what is wrong).
    problems: Vec<(usize, String, String)>,
    /// Lines swallowed by a quoted field that runs over line breaks: (id, what is wrong).
    swallowed: Vec<(String, String)>,
}

impl Chunk {
    fn new(columns: usize) -> Chunk {
        Chunk {
            text: String::with_capacity(CHUNK_BYTES + (64 << 10)),
            spans: vec![[0, 0]; columns * CHUNK_ROWS],
            lines: Vec::with_capacity(CHUNK_ROWS),
            rows: 0,
            problems: Vec::new(),
            swallowed: Vec::new(),
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
    let endings = Endings::of(path, reader.position().byte()).map_err(|e| IoError::io(path, &e))?;
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
    let keep_text: Vec<bool> = wanted
        .iter()
        .map(|w| !matches!(w.target, Target::Input(_)))
        .collect();
    // Only a name (and columns not read) may hold text over several lines.
    let mut single_line = vec![false; header.len()];
    for w in &wanted {
        if let (Some(i), false) = (w.index, w.target == Target::Name) {
            single_line[i] = true;
        }
    }
    let id_index = wanted
        .iter()
        .find(|w| w.target == Target::Id)
        .and_then(|w| w.index)
        .unwrap_or(0);
    let mut sinks: Vec<Sink> = wanted.iter().map(|w| sink(w, schema)).collect();

    let (full_tx, full_rx) = mpsc::sync_channel::<Result<Chunk, IoError>>(4);
    let (empty_tx, empty_rx) = mpsc::channel::<Chunk>();
    let fed = std::thread::scope(|scope| {
        let from = Source {
            path,
            indices: &indices,
            columns: &columns,
            keep_text: &keep_text,
            names: &names,
            single_line: &single_line,
            id_index,
            endings,
        };
        scope.spawn(move || from.parse(reader, full_tx, empty_rx));
        feed_all(path, &columns, &mut sinks, full_rx, empty_tx)
    });
    let (problems, swallowed) = fed?;
    Ok(assemble(
        schema,
        sinks.into_iter().map(Sink::finish).collect(),
        problems,
    )
    .with_unreadable(swallowed))
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
    /// Whether each wanted column keeps text that is not UTF-8 (repaired) rather than dropping it.
    keep_text: &'a [bool],
    /// The header, by file column.
    names: &'a [&'a str],
    /// By file column: whether its text must fit on one line.
    single_line: &'a [bool],
    /// File column of the ids.
    id_index: usize,
    /// How the file's lines end.
    endings: Endings,
}

/// How a file's lines end, for the line a record starts on.
///
/// The CSV reader takes a record's position before it skips the empty lines in
/// front of it, and with `\r\n` endings before the `\n` that ends the record
/// before (it returns a record at its `\r`), so that position can name a line
/// above the record. The line count after the record is exact: the record's
/// first line is that count less the line breaks inside its quoted fields and
/// the one that ended it, when the reader has taken it already.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Endings {
    /// The header ends with `\r\n` (Excel's way): a record's `\n` is taken by the next read.
    crlf: bool,
    /// The file's length in bytes.
    len: u64,
    /// The file's last byte is a line break.
    ends_with_break: bool,
}

impl Endings {
    /// Reads the byte that ended the header (`header_end` is the offset just past it)
    /// and the file's last byte.
    pub(crate) fn of(path: &Path, header_end: u64) -> std::io::Result<Endings> {
        let mut file = File::open(path)?;
        let len = file.metadata()?.len();
        let mut byte_at = |at: u64| -> std::io::Result<Option<u8>> {
            if at >= len {
                return Ok(None);
            }
            let mut b = [0u8];
            file.seek(SeekFrom::Start(at))?;
            file.read_exact(&mut b)?;
            Ok(Some(b[0]))
        };
        let crlf = header_end > 0 && byte_at(header_end - 1)? == Some(b'\r');
        let last = if len > 0 { byte_at(len - 1)? } else { None };
        Ok(Endings {
            crlf,
            len,
            ends_with_break: matches!(last, Some(b'\n' | b'\r')),
        })
    }

    /// The line `record` starts on, given the reader's position just after it.
    pub(crate) fn first_line(&self, record: &ByteRecord, after: &csv::Position) -> usize {
        let text = record.as_slice();
        let inside = text.iter().filter(|&&b| b == b'\n').count() as u64;
        // At the end of the file the last line break ended the record, unless there is none
        // or a quote left open took it into the record's text.
        let at_end = after.byte() >= self.len;
        let ended_by_break = !at_end || (self.ends_with_break && text.last() != Some(&b'\n'));
        let break_taken = u64::from(!self.crlf && ended_by_break);
        usize::try_from(after.line().saturating_sub(inside + break_taken).max(1))
            .unwrap_or(usize::MAX)
    }
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
            chunk.problems.clear();
            chunk.swallowed.clear();
            chunk.rows = 0;
            let mut done = false;
            while chunk.rows < CHUNK_ROWS && bytes.len() < CHUNK_BYTES {
                match reader.read_byte_record(&mut record) {
                    // A line of nothing but spaces or tabs is blank, as an empty line is.
                    Ok(true) if record.len() == 1 && record[0].trim_ascii().is_empty() => continue,
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
                let line = self.endings.first_line(&record, reader.position());
                if let Err(e) = self.add(&mut chunk, &mut bytes, &record, line) {
                    let _ = full.send(Err(e));
                    return;
                }
            }
            chunk.text = match String::from_utf8(bytes) {
                Ok(text) if self.on_boundaries(&chunk, &text) => text,
                Ok(text) => self.repair(&mut chunk, text.as_bytes()),
                Err(e) => self.repair(&mut chunk, e.as_bytes()),
            };
            if chunk.rows > 0 && full.send(Ok(chunk)).is_err() {
                return; // the builders stopped
            }
            if done {
                return;
            }
        }
    }

    /// Adds a record's wanted cells to the chunk (text in `bytes`), with its problems.
    fn add(
        &self,
        chunk: &mut Chunk,
        bytes: &mut Vec<u8>,
        record: &ByteRecord,
        line: usize,
    ) -> Result<(), IoError> {
        // Kept as a row (cells past the end are missing) and reported, not fatal.
        let spanning = self.spanning(record, line, &mut chunk.swallowed);
        if let Some((column, message, _)) = &spanning {
            chunk
                .problems
                .push((chunk.rows, column.clone(), message.clone()));
        } else if record.len() != self.names.len() {
            let message = format!(
                "line {line} has {} fields but the header has {}",
                record.len(),
                self.names.len()
            );
            chunk.problems.push((chunk.rows, "(row)".into(), message));
        }
        let unreadable = chunk.problems.last().is_some_and(|p| p.0 == chunk.rows);
        for (j, &c) in self.indices.iter().enumerate() {
            let start = bytes.len();
            let cell = match &spanning {
                Some((_, _, culprit)) => opener_cell(record, c, *culprit),
                None => record.get(c).unwrap_or_default(),
            };
            if c == self.id_index && unreadable && cell.trim_ascii().is_empty() {
                // An unreadable row without an id is named by its line.
                bytes.extend_from_slice(format!("(line {line})").as_bytes());
            } else {
                bytes.extend_from_slice(cell);
            }
            let (Ok(s), Ok(e)) = (u32::try_from(start), u32::try_from(bytes.len())) else {
                return Err(IoError::Csv {
                    file: self.path.to_path_buf(),
                    line,
                    message: "record too long".to_string(),
                });
            };
            if let Some(span) = chunk.spans.get_mut(j * CHUNK_ROWS + chunk.rows) {
                *span = [s, e];
            }
        }
        chunk.lines.push(line);
        chunk.rows += 1;
        Ok(())
    }

    /// Whether every cell of the chunk starts and ends on a character boundary of `text`.
    fn on_boundaries(&self, chunk: &Chunk, text: &str) -> bool {
        (0..self.indices.len()).all(|j| {
            chunk.column(j).iter().all(|&[s, e]| {
                text.is_char_boundary(s as usize) && text.is_char_boundary(e as usize)
            })
        })
    }

    /// The chunk's text rebuilt from `bytes` cell by cell, a cell that is not UTF-8 replaced
    /// (identity text, with U+FFFD) or dropped (an input), and its record reported unreadable.
    fn repair(&self, chunk: &mut Chunk, bytes: &[u8]) -> String {
        let mut text = String::with_capacity(bytes.len());
        for r in 0..chunk.rows {
            let mut bad: Option<usize> = None;
            for j in 0..self.indices.len() {
                let Some(span) = chunk.spans.get_mut(j * CHUNK_ROWS + r) else {
                    continue;
                };
                let cell = bytes
                    .get(span[0] as usize..span[1] as usize)
                    .unwrap_or_default();
                let start = text.len();
                match std::str::from_utf8(cell) {
                    Ok(s) => text.push_str(s),
                    Err(_) => {
                        bad.get_or_insert(j);
                        if self.keep_text.get(j).copied().unwrap_or(false) {
                            text.push_str(&String::from_utf8_lossy(cell));
                        }
                    }
                }
                // The repaired text is never longer than a chunk's bytes allow (at most 3x).
                *span = [
                    u32::try_from(start).unwrap_or(u32::MAX),
                    u32::try_from(text.len()).unwrap_or(u32::MAX),
                ];
            }
            if let Some(j) = bad {
                let line = chunk.lines.get(r).copied().unwrap_or_default();
                self.name_by_line(chunk, &mut text, r, line);
                let column = self.columns.get(j).copied().unwrap_or_default();
                let message =
                    format!("line {line}: text is not valid UTF-8, save the file as UTF-8");
                chunk.problems.push((r, column.to_string(), message));
            }
        }
        text
    }

    /// Names unreadable record `r` of the chunk by its line when its id is empty.
    fn name_by_line(&self, chunk: &mut Chunk, text: &mut String, r: usize, line: usize) {
        let Some(j) = self.indices.iter().position(|&c| c == self.id_index) else {
            return;
        };
        if let Some(span) = chunk.spans.get_mut(j * CHUNK_ROWS + r)
            && text
                .get(span[0] as usize..span[1] as usize)
                .is_none_or(|id| id.trim().is_empty())
        {
            let start = text.len();
            text.push_str(&format!("(line {line})"));
            *span = [
                u32::try_from(start).unwrap_or(u32::MAX),
                u32::try_from(text.len()).unwrap_or(u32::MAX),
            ];
        }
    }

    /// The problem of a record with a quoted field that runs over line breaks where no text
    /// can (an unterminated quote, most likely), as (column, message); every line after its
    /// first is added to `swallowed` with the id read from it.
    ///
    /// Line breaks are accepted in a name or in a column not read, as long as the record has
    /// the header's number of fields and no line inside the field looks like a whole record
    /// (as many commas as the header, counting the fields that follow the field's last line).
    fn spanning(
        &self,
        record: &ByteRecord,
        line: usize,
        swallowed: &mut Vec<(String, String)>,
    ) -> Option<(String, String, usize)> {
        if !record.as_slice().iter().any(|&b| b == b'\n' || b == b'\r') {
            return None;
        }
        let fields = self.names.len();
        let ragged = record.len() != fields;
        // A line inside the field looks like a record when it has the header's number of
        // fields; the field's last line goes on with the record's next fields.
        let commas = |l: &[u8]| l.iter().filter(|&&b| b == b',').count();
        let culprit = record.iter().enumerate().position(|(c, field)| {
            let lines = split_lines(field);
            let last = lines.len() - 1;
            last > 0
                && (ragged
                    || lines.iter().enumerate().skip(1).any(|(k, l)| {
                        let after = if k == last { record.len() - 1 - c } else { 0 };
                        commas(l) + after + 1 >= fields
                    }))
        });
        let culprit = culprit.or_else(|| {
            record.iter().enumerate().position(|(c, field)| {
                self.single_line.get(c).copied().unwrap_or(false) && split_lines(field).len() > 1
            })
        })?;
        let column = self.names.get(culprit).copied().unwrap_or("(row)");
        let (mut breaks, mut end) = (0, line);
        for (c, field) in record.iter().enumerate() {
            for segment in split_lines(field).into_iter().skip(1) {
                breaks += 1;
                if !segment.trim_ascii().is_empty() {
                    end = line + breaks;
                }
                if c >= culprit && !segment.trim_ascii().is_empty() {
                    let message = format!(
                        "line {end}: read as part of the quoted field in column `{column}` \
                         that opens at line {line} (an unterminated quote?)"
                    );
                    swallowed.push((self.id_in(segment, end), message));
                }
            }
        }
        let message = format!(
            "lines {line}-{end}: the quoted field in column `{column}` runs on over \
             {} line(s) (an unterminated quote?)",
            end - line
        );
        Some((column.to_string(), message, culprit))
    }

    /// The id in a raw line of the file, or `(line N)` when it has none.
    fn id_in(&self, raw: &[u8], line: usize) -> String {
        let id = raw
            .split(|&b| b == b',')
            .nth(self.id_index)
            .map(|f| {
                String::from_utf8_lossy(f)
                    .trim()
                    .trim_matches('"')
                    .to_string()
            })
            .unwrap_or_default();
        if id.is_empty() {
            format!("(line {line})")
        } else {
            id
        }
    }
}

/// The cell in file column `c` of a record whose field `culprit` runs over line breaks, as
/// its first line had it: the first line of the field, or for a column at or after the
/// culprit, the matching comma-separated part of the culprit's first line.
fn opener_cell(record: &ByteRecord, c: usize, culprit: usize) -> &[u8] {
    let first = |field: &[u8]| -> usize {
        field
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .unwrap_or(field.len())
    };
    if c < culprit {
        let field = record.get(c).unwrap_or_default();
        return &field[..first(field)];
    }
    let field = record.get(culprit).unwrap_or_default();
    field[..first(field)]
        .split(|&b| b == b',')
        .nth(c - culprit)
        .unwrap_or_default()
}

/// A field's text split at its line breaks (`\r\n`, `\n` or `\r`).
fn split_lines(field: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < field.len() {
        match field[i] {
            b'\n' => {
                out.push(&field[start..i]);
                start = i + 1;
            }
            b'\r' => {
                out.push(&field[start..i]);
                if field.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&field[start..]);
    out
}

/// What a load found besides values: unreadable records as (row, column, problem), and
/// swallowed lines as (id, message).
type Found = (Vec<(usize, String, Problem)>, Vec<(String, String)>);

/// The builders: feed every chunk to every sink, one rayon task per sink.
fn feed_all(
    path: &Path,
    columns: &[&str],
    sinks: &mut [Sink],
    full: mpsc::Receiver<Result<Chunk, IoError>>,
    empty: mpsc::Sender<Chunk>,
) -> Result<Found, IoError> {
    let (mut problems, mut swallowed) = (Vec::new(), Vec::new());
    let mut offset = 0;
    for chunk in full {
        let mut chunk = chunk?;
        for (r, column, message) in chunk.problems.drain(..) {
            problems.push((offset + r, column, Problem::Unreadable(message)));
        }
        swallowed.append(&mut chunk.swallowed);
        offset += chunk.rows;
        let bad = sinks
            .par_iter_mut()
            .enumerate()
            .filter_map(|(j, s)| s.feed(&chunk, j).err().map(|r| (r, j)))
            .min();
        if let Some((r, j)) = bad {
            // Cannot happen: the parser repairs every cell that is not UTF-8.
            return Err(IoError::NotUtf8 {
                file: path.to_path_buf(),
                line: chunk.lines.get(r).copied().unwrap_or_default(),
                column: columns.get(j).map(|c| c.to_string()),
            });
        }
        // The parser may have finished already; then the chunk is simply dropped.
        let _ = empty.send(chunk);
    }
    Ok((problems, swallowed))
}
