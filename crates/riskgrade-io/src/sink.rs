//! Writing rows to a file fast: rows are rendered to bytes in parallel chunks,
//! and the chunks are written in order through one buffer.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;

use crate::error::IoError;

/// Creates `path` for writing through a large buffer.
pub(crate) fn create(path: &Path) -> Result<BufWriter<File>, IoError> {
    let file = File::create(path).map_err(|e| IoError::io(path, &e))?;
    Ok(BufWriter::with_capacity(1 << 20, file))
}

/// Writes `prefix`, then rows `0..rows` rendered by `render` (called on
/// consecutive ranges of at most `chunk` rows, in parallel), then `suffix`.
///
/// At most a few chunks per thread are held in memory at once.
pub(crate) fn write_chunks<F>(
    path: &Path,
    rows: usize,
    chunk: usize,
    prefix: &[u8],
    suffix: &[u8],
    render: F,
) -> Result<(), IoError>
where
    F: Fn(Range<usize>, &mut Vec<u8>) -> Result<(), IoError> + Sync,
{
    let mut out = create(path)?;
    let io = |e: std::io::Error| IoError::io(path, &e);
    out.write_all(prefix).map_err(io)?;
    let chunk = chunk.max(1);
    let group = chunk * 4 * rayon::current_num_threads().max(1);
    let mut start = 0;
    while start < rows {
        let end = (start + group).min(rows);
        let ranges: Vec<Range<usize>> = (start..end)
            .step_by(chunk)
            .map(|s| s..(s + chunk).min(end))
            .collect();
        let rendered: Vec<Result<Vec<u8>, IoError>> = ranges
            .into_par_iter()
            .map(|r| {
                let mut buf = Vec::with_capacity(r.len() * 64);
                render(r, &mut buf)?;
                Ok(buf)
            })
            .collect();
        for buf in rendered {
            out.write_all(&buf?).map_err(io)?;
        }
        start = end;
    }
    out.write_all(suffix).map_err(io)?;
    out.flush().map_err(io)
}
